//! `[risk]`: position and naked-exposure limits in base units, rate and notional limits, circuit
//! breakers, kill switch.

use std::path::PathBuf;

use super::instruments::currency;
use super::{At, Ctx, B, U32_MAX};
use crate::config::raw::{RawRisk, S};
use crate::config::units::{fmt_quantity, parse_quantity};
use crate::config::{BaseQty, Instrument, Risk, Unit};
use crate::domain::InstrumentId;

/// Validates `[risk]`; `legs` are the pair's (domestic, overseas) when the pair is valid.
pub(super) fn risk(
    cx: &mut Ctx<'_>,
    top: &At,
    raw: &S<RawRisk>,
    instruments: &[Option<Instrument>],
    legs: Option<(InstrumentId, InstrumentId)>,
) -> Option<Risk> {
    let t = cx.req(top, "risk", raw)?;
    let at = top.sub("risk", t);
    let r = t.get_ref();
    let legs: Vec<&Instrument> = legs
        .into_iter()
        .flat_map(|(d, o)| [d, o])
        .filter_map(|i| instruments.get(i.idx())?.as_ref())
        .collect();
    let position_max = quantity(cx, &at, "position_max", &r.position_max, &legs);
    let mut naked = quantity(cx, &at, "naked_exposure_max", &r.naked_exposure_max, &legs);
    if let (Some(p), Some(n), Some(f)) = (position_max, naked, &r.naked_exposure_max) {
        if n > p {
            let msg = format!(
                "must be ≤ risk.position_max ({})",
                fmt_quantity(p, Unit::Tonne)
            );
            cx.err(at.field("naked_exposure_max"), Some(&f.span()), msg);
            naked = None;
        }
    }
    if let (Some(p), Some(f)) = (position_max, &r.position_max) {
        for leg in &legs {
            if p < leg.lot_base {
                let msg = format!(
                    "must be at least one lot of {:?} ({} {})",
                    leg.symbol,
                    leg.lot_size,
                    leg.lot_unit.name()
                );
                cx.err(at.field("position_max"), Some(&f.span()), msg);
            }
        }
    }
    let currencies: Vec<&str> = instruments
        .iter()
        .flatten()
        .map(|i| i.currency.as_str())
        .collect();
    let report_currency = cx.parsed(&at, "report_currency", &r.report_currency, |s| {
        let c = currency(s)?;
        // An instrument that failed validation may hold the currency: judge only complete sets.
        if instruments.iter().any(Option::is_none) || currencies.contains(&s) {
            return Ok(c);
        }
        Err(format!(
            "must be the currency of an instrument ({}), got {s:?}",
            currencies.join(", ")
        ))
    });
    let gt0 = [B::Gt(0)];
    let count = [B::Ge(1), B::Le(U32_MAX)];
    let naked_exposure_ms_max =
        cx.int(&at, "naked_exposure_ms_max", &r.naked_exposure_ms_max, &gt0);
    let orders_per_sec_max = cx.int(&at, "orders_per_sec_max", &r.orders_per_sec_max, &count);
    let ticket_notional_max = cx.num(
        &at,
        "ticket_notional_max",
        &r.ticket_notional_max,
        &[B::Gt(0.0)],
    );
    let slippage_ticks_max = cx.int(&at, "slippage_ticks_max", &r.slippage_ticks_max, &gt0);
    let ack_latency_ms_max = cx.int(&at, "ack_latency_ms_max", &r.ack_latency_ms_max, &gt0);
    let reject_streak_max = cx.int(&at, "reject_streak_max", &r.reject_streak_max, &count);
    let feed_stale_ms_max = cx.int(&at, "feed_stale_ms_max", &r.feed_stale_ms_max, &gt0);
    // Optional: absent means no kill switch file (the signal still works).
    let kill_switch_file = r.kill_switch_file.as_ref().map(|_| {
        cx.string(&at, "kill_switch_file", &r.kill_switch_file)
            .map(PathBuf::from)
    });
    if matches!(kill_switch_file, Some(None)) {
        return None;
    }
    if legs
        .iter()
        .any(|l| position_max.is_some_and(|p| p < l.lot_base))
    {
        return None;
    }
    Some(Risk {
        position_max: position_max?,
        naked_exposure_max: naked?,
        naked_exposure_ms_max: naked_exposure_ms_max?,
        orders_per_sec_max: u32::try_from(orders_per_sec_max?).ok()?,
        ticket_notional_max: ticket_notional_max?,
        slippage_ticks_max: slippage_ticks_max?,
        ack_latency_ms_max: ack_latency_ms_max?,
        reject_streak_max: u32::try_from(reject_streak_max?).ok()?,
        feed_stale_ms_max: feed_stale_ms_max?,
        kill_switch_file: kill_switch_file.flatten(),
        report_currency: report_currency?,
    })
}

/// A positive quantity string in a unit of the legs' dimension.
fn quantity(
    cx: &mut Ctx<'_>,
    at: &At,
    name: &str,
    f: &S<String>,
    legs: &[&Instrument],
) -> Option<BaseQty> {
    cx.parsed(at, name, f, |s| {
        let (q, unit) = parse_quantity(s)?;
        if q.0 <= 0 {
            return Err(format!("must be > 0, got {s:?}"));
        }
        if let Some(leg) = legs.iter().find(|l| !l.lot_unit.same_dimension(unit)) {
            let lu = leg.lot_unit.name();
            return Err(format!(
                "unit {:?} cannot measure lots of {:?} ({lu})",
                unit.name(),
                leg.symbol
            ));
        }
        Ok(q)
    })
}
