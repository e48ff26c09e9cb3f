//! Conversions between crossarb values and `ctp-rs` fields: request builders and notice views.
//! Session thread only; the `ctp-rs` structs carry `String`s, so this side allocates.

use ctp_rs::{InputOrderActionField, InputOrderField, OrderField, TradeField};

use super::offset::Offset;
use super::orders::{OrderNotice, TradeNotice};
use super::{CtpInstrument, IocVolume};
use crate::domain::{Px, Side, TsNs};
use crate::exec::msg::Tif;

/// Who is asking (filled into every request).
pub struct Who<'a> {
    pub broker: &'a str,
    pub user: &'a str,
}

/// A limit order (`OPT_LimitPrice`), speculative, immediately active.
#[allow(clippy::too_many_arguments)]
pub fn order_insert(
    who: &Who,
    ins: &CtpInstrument,
    order_ref: i32,
    side: Side,
    offset: Offset,
    px: Px,
    qty: i64,
    tif: Tif,
    ioc: IocVolume,
    request_id: i32,
) -> InputOrderField {
    let (time_cond, volume_cond) = match (tif, ioc) {
        (Tif::Limit, _) => (b'3', b'1'),            // TC_GFD, VC_AV
        (Tif::Ioc, IocVolume::Any) => (b'1', b'1'), // TC_IOC, VC_AV: FAK
        (Tif::Ioc, IocVolume::All) => (b'1', b'3'), // TC_IOC, VC_CV: FOK
    };
    InputOrderField {
        BrokerID: who.broker.to_string(),
        InvestorID: who.user.to_string(),
        UserID: who.user.to_string(),
        OrderRef: order_ref.to_string(),
        InstrumentID: ins.symbol.clone(),
        ExchangeID: ins.exchange.clone(),
        OrderPriceType: b'2',
        Direction: match side {
            Side::Buy => b'0',
            Side::Sell => b'1',
        },
        CombOffsetFlag: (offset as u8 as char).to_string(),
        CombHedgeFlag: "1".to_string(),
        LimitPrice: px.0 as f64 * ins.tick_size,
        VolumeTotalOriginal: qty as i32,
        TimeCondition: time_cond,
        VolumeCondition: volume_cond,
        MinVolume: 1,
        ContingentCondition: b'1',
        ForceCloseReason: b'0',
        RequestID: request_id,
        ..Default::default()
    }
}

/// A delete (cancel) of an order identified by FrontID/SessionID/OrderRef (and OrderSysID when
/// known).
#[allow(clippy::too_many_arguments)]
pub fn order_cancel(
    who: &Who,
    ins: &CtpInstrument,
    front: i32,
    session: i32,
    order_ref: i32,
    sys_id: Option<&str>,
    action_ref: i32,
    request_id: i32,
) -> InputOrderActionField {
    InputOrderActionField {
        BrokerID: who.broker.to_string(),
        InvestorID: who.user.to_string(),
        UserID: who.user.to_string(),
        OrderActionRef: action_ref,
        OrderRef: order_ref.to_string(),
        RequestID: request_id,
        FrontID: front,
        SessionID: session,
        ExchangeID: ins.exchange.clone(),
        OrderSysID: sys_id.unwrap_or("").to_string(),
        ActionFlag: b'0',
        InstrumentID: ins.symbol.clone(),
        ..Default::default()
    }
}

/// OrderRef text → number (CTP pads with blanks); `-1` if not a number (never one of ours).
pub fn parse_ref(s: &str) -> i32 {
    s.trim().parse().unwrap_or(-1)
}

/// The view of an order notice.
pub fn order_notice(o: &OrderField) -> OrderNotice<'_> {
    OrderNotice {
        front: o.FrontID,
        session: o.SessionID,
        order_ref: parse_ref(&o.OrderRef),
        sys_id: &o.OrderSysID,
        status: o.OrderStatus,
        submit: o.OrderSubmitStatus,
        traded: i64::from(o.VolumeTraded),
    }
}

/// The view of a trade notice; the price rounded to whole ticks of `tick_size`.
pub fn trade_notice(t: &TradeField, tick_size: f64) -> TradeNotice<'_> {
    TradeNotice {
        sys_id: &t.OrderSysID,
        exchange: &t.ExchangeID,
        trade_id: &t.TradeID,
        px: Px((t.Price / tick_size).round() as i64),
        qty: i64::from(t.Volume),
    }
}

/// `YYYYMMDD` + `HH:MM:SS` in Beijing time → UTC ns; `None` if either does not parse.
pub fn beijing_ts(date: &str, time: &str) -> Option<TsNs> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y%m%d").ok()?;
    let t = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M:%S").ok()?;
    let local = chrono_tz::Asia::Shanghai
        .from_local_datetime(&d.and_time(t))
        .single()?;
    local.timestamp_nanos_opt().map(TsNs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_wall_time_is_eight_hours_ahead_of_utc() {
        let ts = beijing_ts("20250102", "09:00:00").unwrap();
        let utc = chrono::DateTime::from_timestamp_nanos(ts.0);
        assert_eq!(utc.to_rfc3339(), "2025-01-02T01:00:00+00:00");
        assert_eq!(beijing_ts("2025-01-02", "09:00:00"), None);
    }

    #[test]
    fn order_refs_parse_through_padding() {
        assert_eq!(parse_ref("        12"), 12);
        assert_eq!(parse_ref(""), -1);
    }
}
