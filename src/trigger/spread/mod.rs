//! The spread trigger: from the two usable books (and the FX rate) to an [`Opportunity`] when
//! the spread leaves its band. Runs on the trigger thread after the book table; pure apart from
//! its hysteresis state and cooldown clock, which change only when the caller says a signal was
//! acted on.
//!
//! Arithmetic: prices are ticks × tick size in `f64` (the edge); each spread value is turned into
//! an integer in milli-spread-ticks, rounded toward *not* triggering (the sell value down, the
//! buy value up, except that a value within 1e-6 milli of an integer snaps to it so float noise
//! cannot flip an exact tie), and compared with integer thresholds fixed at construction.
//!
//! * sell value (sell domestic, buy overseas): domestic bid vs overseas ask (`Executable`) or mids;
//! * buy value (buy domestic, sell overseas): domestic ask vs overseas bid, or mids.
//!
//! Hysteresis (`c` center, `e` entry band, `x` exit band, all in spread ticks):
//! Flat & sell ≥ c+e → sell-spread entry; Flat & buy ≤ c−e → buy-spread entry;
//! Short & buy ≤ c+x → exit (buy back); Long & sell ≥ c−x → exit (sell back).
//!
//! Gates once the band is left (each yields [`NoSignal::Gated`] with a [`crate::receipt::event::Refusal`] and the two
//! compared values): cooldown since the last signal acted on, leg skew of exchange timestamps,
//! minimum size at the sides being hit. Unusable books (stale, gapped, crossed, out of session)
//! and a stale live FX rate stop evaluation before the band ([`NoSignal::Unusable`]).
//!
//! Evaluation (`decide.rs`): [`SpreadTrigger::decide`] gives a small [`Decision`] per quote and
//! [`SpreadTrigger::opportunity`] the gated [`Opportunity`] of a signal;
//! [`SpreadTrigger::evaluate`] is the two in one.
//!
//! State API: [`SpreadTrigger::evaluate`] never changes state. The caller reports what it did
//! with an opportunity: [`SpreadTrigger::confirm`] (a ticket opened: state moves to
//! Short/Long/Flat, cooldown restarts) or [`SpreadTrigger::decline`] (refused: state unchanged,
//! cooldown restarts so a refused signal is not re-raised on every quote).

mod decide;

use crate::config::{Fx, Instrument, Leg, Pair, Pricing, SpreadForm};
use crate::domain::{InstrumentId, Side, TsNs, NS_PER_MS};
use crate::trigger::form::ExactDifference;
pub use crate::trigger::signal::{NoSignal, Opportunity, Position, SignalKind};
pub use decide::{Decision, Signal};

/// Why a trigger could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpreadError {
    /// The pair names an instrument that does not exist.
    #[error("pair.{field}: instrument id {id} not among the {count} instruments")]
    UnknownInstrument {
        /// Field path under `pair`.
        field: &'static str,
        /// Bad id.
        id: u16,
        /// Instruments configured.
        count: usize,
    },
}

/// Spread trigger of one pair.
#[derive(Clone, Debug)]
pub struct SpreadTrigger {
    dom: InstrumentId,
    ovs: InstrumentId,
    dom_tick: f64,
    ovs_tick: f64,
    form: SpreadForm,
    pricing: Pricing,
    fx: Fx,
    fx_tick: f64,
    spread_tick: f64,
    entry_hi_milli: i64,
    entry_lo_milli: i64,
    exit_hi_milli: i64,
    exit_lo_milli: i64,
    cooldown_ns: i64,
    skew_ns_max: i64,
    dom_size_min: i64,
    ovs_size_min: i64,
    position: Position,
    last_signal: Option<TsNs>,
    /// `pair.exit = "rearm"`: the plain threshold rule (see [`SpreadTrigger::decide_rearm`]).
    rearm: bool,
    /// The integer shortcut of a fixed-FX difference form (same results; see
    /// [`ExactDifference`]), on doubled mids or on prices per `pricing`.
    exact: Option<ExactDifference>,
}

fn milli(ticks: f64) -> i64 {
    (ticks * 1000.0).round() as i64
}

impl SpreadTrigger {
    /// Builds the trigger from the pair and the instrument table (cold). Starts Flat.
    pub fn new(pair: &Pair, instruments: &[Instrument]) -> Result<SpreadTrigger, SpreadError> {
        let get = |field, id: InstrumentId| {
            instruments
                .get(id.idx())
                .ok_or(SpreadError::UnknownInstrument {
                    field,
                    id: id.0,
                    count: instruments.len(),
                })
        };
        let dom = get("domestic", pair.domestic)?;
        let ovs = get("overseas", pair.overseas)?;
        let fx_tick = match pair.fx {
            Fx::Fixed(_) => 0.0,
            Fx::Live { instrument, .. } => get("fx.instrument", instrument)?.tick_size,
        };
        let c = pair.center_ticks;
        let per_unit = match pair.pricing {
            Pricing::Mid => 500.0,
            Pricing::Executable => 1000.0,
        };
        let exact = match pair.fx {
            Fx::Fixed(fx) => ExactDifference::new(
                pair.form,
                fx,
                dom.tick_size,
                ovs.tick_size,
                pair.spread_tick,
                per_unit,
            ),
            Fx::Live { .. } => None,
        };
        Ok(SpreadTrigger {
            dom: pair.domestic,
            ovs: pair.overseas,
            dom_tick: dom.tick_size,
            ovs_tick: ovs.tick_size,
            form: pair.form,
            pricing: pair.pricing,
            fx: pair.fx,
            fx_tick,
            spread_tick: pair.spread_tick,
            entry_hi_milli: milli(c + pair.entry_band_ticks),
            entry_lo_milli: milli(c - pair.entry_band_ticks),
            exit_hi_milli: milli(c + pair.exit_band_ticks),
            exit_lo_milli: milli(c - pair.exit_band_ticks),
            cooldown_ns: pair.cooldown_ms.saturating_mul(NS_PER_MS),
            skew_ns_max: pair.leg_skew_ms_max.saturating_mul(NS_PER_MS),
            dom_size_min: pair.domestic_size_min_lots,
            ovs_size_min: pair.overseas_size_min_lots,
            position: Position::Flat,
            last_signal: None,
            rearm: pair.exit == crate::config::ExitRule::Rearm,
            exact,
        })
    }

    /// Current hysteresis state.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Thresholds `(entry_hi, entry_lo, exit_hi, exit_lo)` in milli-spread-ticks.
    pub fn thresholds_milli(&self) -> (i64, i64, i64, i64) {
        (
            self.entry_hi_milli,
            self.entry_lo_milli,
            self.exit_hi_milli,
            self.exit_lo_milli,
        )
    }

    /// A ticket opened on `opp`: moves the state and restarts the cooldown.
    pub fn confirm(&mut self, opp: &Opportunity) {
        let next = match (self.position, opp.kind, opp.side) {
            (_, SignalKind::Entry, Side::Sell) if self.rearm => Position::Short,
            (_, SignalKind::Entry, Side::Buy) if self.rearm => Position::Long,
            (Position::Flat, SignalKind::Entry, Side::Sell) => Position::Short,
            (Position::Flat, SignalKind::Entry, Side::Buy) => Position::Long,
            (Position::Short, SignalKind::Exit, Side::Buy) => Position::Flat,
            (Position::Long, SignalKind::Exit, Side::Sell) => Position::Flat,
            (p, k, s) => panic!("Invariant: confirm {k:?} {s:?} from {p:?}: not an evaluate() result for this state"),
        };
        self.position = next;
        self.last_signal = Some(opp.ts);
    }

    /// `opp` was refused (risk, kill switch, busy executor): state unchanged, cooldown restarts.
    pub fn decline(&mut self, opp: &Opportunity) {
        self.last_signal = Some(opp.ts);
    }

    /// Overrides the state (a ticket that rolled back, an operator flatten).
    pub fn set_position(&mut self, p: Position) {
        self.position = p;
    }

    /// The domestic or overseas instrument.
    pub fn instrument(&self, leg: Leg) -> InstrumentId {
        match leg {
            Leg::Domestic => self.dom,
            Leg::Overseas => self.ovs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BaseQty, Unit};
    use crate::domain::{Px, Qty, VenueId};

    fn instruments() -> Vec<Instrument> {
        let ins = |id: u16| Instrument {
            id: InstrumentId(id),
            symbol: "x".into(),
            venue: VenueId(id),
            tick_size: 1.0,
            tick_decimals: 0,
            lot_size: 1.0,
            lot_unit: Unit::Tonne,
            lot_base: BaseQty(Unit::Tonne.base_quanta()),
            currency: "CNY".into(),
            price_unit: Unit::Tonne,
        };
        vec![ins(0), ins(1)]
    }

    fn pair(center: f64, entry: f64, exit: f64) -> Pair {
        Pair {
            name: "p".into(),
            domestic: InstrumentId(0),
            overseas: InstrumentId(1),
            form: SpreadForm::Ratio,
            pricing: Pricing::Mid,
            exit: crate::config::ExitRule::Flatten,
            fx: Fx::Fixed(1.0),
            spread_tick: 1.0,
            center_ticks: center,
            entry_band_ticks: entry,
            exit_band_ticks: exit,
            cooldown_ms: 0,
            leg_skew_ms_max: 0,
            domestic_size_min_lots: 1,
            overseas_size_min_lots: 1,
            domestic_lots_max: 1,
            overseas_lots_max: 1,
        }
    }

    fn trigger(center: f64, entry: f64, exit: f64) -> SpreadTrigger {
        SpreadTrigger::new(&pair(center, entry, exit), &instruments()).unwrap()
    }

    fn opp(side: Side, kind: SignalKind) -> Opportunity {
        Opportunity {
            side,
            kind,
            dom_px: Px(0),
            ovs_px: Px(0),
            dom_qty: Qty(0),
            ovs_qty: Qty(0),
            spread_milli: 0,
            threshold_milli: 0,
            fx: 1.0,
            ts: TsNs(7),
            dom_ts_exchange: TsNs(0),
        }
    }

    #[test]
    fn thresholds_are_fixed_integers_from_the_configured_bands() {
        let t = trigger(-2.5, 10.25, 0.4);
        assert_eq!(t.thresholds_milli(), (7_750, -12_750, -2_100, -2_900));
    }

    #[test]
    fn only_confirmed_signals_move_the_state() {
        let mut t = trigger(0.0, 3.0, 1.0);
        t.decline(&opp(Side::Sell, SignalKind::Entry));
        assert_eq!(
            (t.position(), t.last_signal),
            (Position::Flat, Some(TsNs(7)))
        );
        t.confirm(&opp(Side::Sell, SignalKind::Entry));
        assert_eq!(t.position(), Position::Short);
        t.confirm(&opp(Side::Buy, SignalKind::Exit));
        assert_eq!(t.position(), Position::Flat);
        t.confirm(&opp(Side::Buy, SignalKind::Entry));
        assert_eq!(t.position(), Position::Long);
        t.confirm(&opp(Side::Sell, SignalKind::Exit));
        assert_eq!(t.position(), Position::Flat);
        t.set_position(Position::Short);
        assert_eq!(t.position(), Position::Short);
    }

    #[test]
    fn a_pair_naming_a_missing_instrument_is_refused_with_its_field() {
        let mut p = pair(0.0, 1.0, 0.0);
        p.overseas = InstrumentId(9);
        let e = SpreadTrigger::new(&p, &instruments()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pair.overseas: instrument id 9 not among the 2 instruments"
        );
    }
}
