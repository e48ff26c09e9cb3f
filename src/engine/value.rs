//! Money and exposure of fills, for receipts and summaries: a fill's cash flow in the report
//! currency and its signed exposure in base quanta. `f64` at this edge only; the results are
//! rounded once into integers (micro-currency units, base quanta).

use crate::config::{Config, Instrument};
use crate::domain::{Px, Qty, Side};

/// Micro units of a currency in one unit.
pub const MICROS: f64 = 1_000_000.0;

/// How to value one instrument's lots.
#[derive(Clone, Copy, Debug)]
pub struct LegValue {
    /// Currency units per (tick × lot): tick size × price units in one lot.
    per_tick_lot: f64,
    /// One lot in base quanta.
    lot_base: i64,
    /// True when the instrument's currency is the report currency.
    in_report_currency: bool,
    /// True when the report currency is the domestic one (so a foreign amount is × fx).
    report_is_domestic: bool,
}

impl LegValue {
    /// Valuation of `inst` for reports in `cfg.risk.report_currency`.
    pub fn new(cfg: &Config, inst: &Instrument) -> LegValue {
        let dom_currency = &cfg.instruments[cfg.pair.domestic.idx()].currency;
        let price_units_per_lot = inst.lot_base.0 as f64 / inst.price_unit.base_quanta() as f64;
        LegValue {
            per_tick_lot: inst.tick_size * price_units_per_lot,
            lot_base: inst.lot_base.0,
            in_report_currency: inst.currency == cfg.risk.report_currency,
            report_is_domestic: cfg.risk.report_currency == *dom_currency,
        }
    }

    /// Value of `qty` lots at `px`, in the report currency (fx = domestic per overseas unit).
    pub fn value(&self, px: Px, qty: Qty, fx: f64) -> f64 {
        let v = px.0 as f64 * qty.0 as f64 * self.per_tick_lot;
        match (self.in_report_currency, self.report_is_domestic) {
            (true, _) => v,
            (false, true) => v * fx,
            (false, false) => v / fx,
        }
    }

    /// Cash flow of a fill in report-currency micro units: negative when buying.
    pub fn cash_micros(&self, side: Side, px: Px, qty: Qty, fx: f64) -> i64 {
        (-(side.sign() as f64) * self.value(px, qty, fx) * MICROS).round() as i64
    }

    /// Signed exposure of a fill in base quanta (+ bought).
    pub fn base(&self, side: Side, qty: Qty) -> i64 {
        side.sign() * qty.0 * self.lot_base
    }
}
