//! What the LocalCTP tests share: LocalCTP's market-snapshot convention. It takes a market
//! snapshot through `ReqQuoteInsert` with every price field filled, the trading day in BrokerID
//! and InvestorID and the Beijing time of day in ClientID.

use crossarb::domain::TsNs;
use ctp_rs::InputQuoteField;

/// A snapshot of `instrument` (SHFE) at `now`: `bid`/`ask` in price units, `volume` on each side.
pub fn snapshot(now: TsNs, instrument: &str, bid: f64, ask: f64, volume: i32) -> InputQuoteField {
    let bj =
        chrono::DateTime::from_timestamp_nanos(now.0).with_timezone(&chrono_tz::Asia::Shanghai);
    let day = bj.format("%Y%m%d").to_string();
    InputQuoteField {
        BrokerID: day.clone(),
        InvestorID: day,
        ExchangeID: "SHFE".into(),
        InstrumentID: instrument.into(),
        ClientID: bj.format("%H:%M:%S").to_string(),
        BidPrice: bid,
        AskPrice: ask,
        BidVolume: volume,
        AskVolume: volume,
        UserID: format!("{bid}"),
        ForQuoteSysID: format!("{bid}"),
        BidOrderRef: "4000".into(),
        AskOrderRef: "3000".into(),
        QuoteRef: format!("{bid}"),
        BusinessUnit: "1000".into(),
        ..Default::default()
    }
}
