//! `[[instruments]]`: symbol, venue, tick, lot and units.

use toml::Spanned;

use super::{At, Ctx, Names, B};
use crate::config::raw::{RawInstrument, S};
use crate::config::units::{f64_to_base, parse_unit, tick_decimals};
use crate::config::Instrument;
use crate::domain::{InstrumentId, VenueId, INSTRUMENTS_MAX};

/// Most decimals a tick size may have (prices are printed exactly from integer ticks).
const TICK_DECIMALS_MAX: u32 = 9;

/// Validates every instrument; symbols are returned even for instruments that failed.
pub(super) fn instruments(
    cx: &mut Ctx<'_>,
    top: &At,
    raw: &S<Vec<Spanned<RawInstrument>>>,
    venues: &Names,
) -> (Vec<Option<Instrument>>, Names) {
    let Some(list) = cx.req(top, "instruments", raw) else {
        return (Vec::new(), Names::default());
    };
    let n = list.get_ref().len();
    if !(2..=INSTRUMENTS_MAX).contains(&n) {
        let msg = format!(
            "must list 2 to {INSTRUMENTS_MAX} instruments (the two legs at least), got {n}"
        );
        cx.err("instruments", Some(&list.span()), msg);
    }
    let mut symbols = Names::default();
    let mut out = Vec::new();
    for (i, r) in list.get_ref().iter().enumerate() {
        let at = At::new(format!("instruments[{i}]"), Some(r.span()));
        let symbol = cx.string(&at, "symbol", &r.get_ref().symbol);
        if let (Some(s), Some(f)) = (&symbol, &r.get_ref().symbol) {
            if symbols.find(s).is_some() {
                cx.err(
                    at.field("symbol"),
                    Some(&f.span()),
                    format!("duplicate symbol {s:?}"),
                );
            }
        }
        symbols.0.push(symbol.clone().unwrap_or_default());
        out.push(instrument(cx, &at, r.get_ref(), i, symbol, venues));
    }
    (out, symbols)
}

fn instrument(
    cx: &mut Ctx<'_>,
    at: &At,
    r: &RawInstrument,
    i: usize,
    symbol: Option<String>,
    venues: &Names,
) -> Option<Instrument> {
    let venue = cx.parsed(at, "venue", &r.venue, |v| {
        venues
            .find(v)
            .ok_or_else(|| format!("unknown venue {v:?}; venues are {:?}", venues.0))
    });
    let tick_size = cx.num(at, "tick_size", &r.tick_size, &[B::Gt(0.0)]);
    let tick_decimals = tick_size.and_then(|t| {
        let d = tick_decimals(t);
        if d > TICK_DECIMALS_MAX {
            let msg = format!("{t} has {d} decimals, at most {TICK_DECIMALS_MAX} allowed");
            cx.err(
                at.field("tick_size"),
                r.tick_size.as_ref().map(|f| f.span()).as_ref(),
                msg,
            );
            return None;
        }
        Some(d)
    });
    let lot_size = cx.num(at, "lot_size", &r.lot_size, &[B::Gt(0.0)]);
    let lot_unit = cx.parsed(at, "lot_unit", &r.lot_unit, parse_unit);
    let price_unit = cx.parsed(at, "price_unit", &r.price_unit, parse_unit);
    let currency = cx.parsed(at, "currency", &r.currency, currency);
    let lot_base = match (lot_size, lot_unit) {
        (Some(size), Some(unit)) => f64_to_base(size, unit)
            .map_err(|m| {
                cx.err(
                    at.field("lot_size"),
                    r.lot_size.as_ref().map(|f| f.span()).as_ref(),
                    m,
                )
            })
            .ok(),
        _ => None,
    };
    if let (Some(l), Some(p), Some(f)) = (lot_unit, price_unit, &r.price_unit) {
        if !l.same_dimension(p) {
            let msg = format!(
                "unit {:?} does not measure the same thing as lot_unit {:?}",
                p.name(),
                l.name()
            );
            cx.err(at.field("price_unit"), Some(&f.span()), msg);
            return None;
        }
    }
    Some(Instrument {
        id: InstrumentId(u16::try_from(i).ok()?),
        symbol: symbol?,
        venue: VenueId(u16::try_from(venue?).ok()?),
        tick_size: tick_size?,
        tick_decimals: tick_decimals?,
        lot_size: lot_size?,
        lot_unit: lot_unit?,
        lot_base: lot_base?,
        currency: currency?,
        price_unit: price_unit?,
    })
}

/// An ISO 4217-shaped code: three uppercase ASCII letters.
pub(super) fn currency(s: &str) -> Result<String, String> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a currency code of 3 uppercase letters (e.g. \"CNY\")"
        ))
    }
}
