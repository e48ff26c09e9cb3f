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
//! Gates once the band is left (each yields [`NoSignal::Gated`] with a [`Refusal`] and the two
//! compared values): cooldown since the last signal acted on, leg skew of exchange timestamps,
//! minimum size at the sides being hit. Unusable books (stale, gapped, crossed, out of session)
//! and a stale live FX rate stop evaluation before the band ([`NoSignal::Unusable`]).
//!
//! State API: [`SpreadTrigger::evaluate`] never changes state. The caller reports what it did
//! with an opportunity: [`SpreadTrigger::confirm`] (a ticket opened: state moves to
//! Short/Long/Flat, cooldown restarts) or [`SpreadTrigger::decline`] (refused: state unchanged,
//! cooldown restarts so a refused signal is not re-raised on every quote).

use crate::config::{Fx, Instrument, Leg, Pair, Pricing, SpreadForm};
use crate::domain::{InstrumentId, Quote, Side, TsNs, NS_PER_MS};
use crate::receipt::event::Refusal;
use crate::trigger::book::{BookTable, Unusable};
use crate::trigger::form::{spread_value, to_milli, ExactDifference};
pub use crate::trigger::signal::{NoSignal, Opportunity, Position, SignalKind};

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

    /// Evaluates the pair at `now`. Never changes state.
    pub fn evaluate(&self, books: &mut BookTable, now: TsNs) -> Result<Opportunity, NoSignal> {
        let dom = *books
            .usable(self.dom, now)
            .map_err(|r| NoSignal::Unusable(self.dom, r))?;
        let ovs = *books
            .usable(self.ovs, now)
            .map_err(|r| NoSignal::Unusable(self.ovs, r))?;
        let fx = self.fx_rate(books, now)?;
        let (want_sell, want_buy) = match self.position {
            _ if self.rearm => (true, true),
            Position::Flat => (true, true),
            Position::Short => (false, true),
            Position::Long => (true, false),
        };
        let (sell, buy) = self.values_milli(&dom, &ovs, fx, want_sell, want_buy)?;
        let decided = if self.rearm {
            self.decide_rearm(sell, buy)
        } else {
            self.decide(sell, buy)
        };
        let Some((side, kind, value, threshold)) = decided else {
            return Err(NoSignal::InBand {
                sell_milli: sell,
                buy_milli: buy,
            });
        };
        let (dom_px, dom_qty, ovs_px, ovs_qty) = match side {
            Side::Sell => (dom.bid_px, dom.bid_qty, ovs.ask_px, ovs.ask_qty),
            Side::Buy => (dom.ask_px, dom.ask_qty, ovs.bid_px, ovs.bid_qty),
        };
        let opp = Opportunity {
            side,
            kind,
            dom_px,
            ovs_px,
            dom_qty,
            ovs_qty,
            spread_milli: value,
            threshold_milli: threshold,
            fx,
            ts: now,
            dom_ts_exchange: dom.ts_exchange,
        };
        self.gates(opp, &dom, &ovs)
    }

    fn gates(&self, opp: Opportunity, dom: &Quote, ovs: &Quote) -> Result<Opportunity, NoSignal> {
        let gated = |refusal, value, limit| NoSignal::Gated {
            opp,
            refusal,
            value,
            limit,
        };
        if let Some(last) = self.last_signal {
            let elapsed = opp.ts.since(last);
            if elapsed < self.cooldown_ns {
                return Err(gated(Refusal::Cooldown, elapsed, self.cooldown_ns));
            }
        }
        let skew = dom.ts_exchange.since(ovs.ts_exchange).abs();
        if skew > self.skew_ns_max {
            return Err(gated(Refusal::LegSkew, skew, self.skew_ns_max));
        }
        if opp.dom_qty.0 < self.dom_size_min {
            return Err(gated(Refusal::SizeShort, opp.dom_qty.0, self.dom_size_min));
        }
        if opp.ovs_qty.0 < self.ovs_size_min {
            return Err(gated(Refusal::SizeShort, opp.ovs_qty.0, self.ovs_size_min));
        }
        Ok(opp)
    }

    /// The FX rate at `now`: fixed, or the live instrument's mid if fresh.
    fn fx_rate(&self, books: &BookTable, now: TsNs) -> Result<f64, NoSignal> {
        match self.fx {
            Fx::Fixed(r) => Ok(r),
            Fx::Live {
                instrument,
                stale_ms_max,
            } => {
                let bad = |r| Err(NoSignal::Unusable(instrument, r));
                let Some(q) = books.latest(instrument) else {
                    return bad(Unusable::NoQuote);
                };
                if books.is_gapped(instrument) {
                    return bad(Unusable::SeqGap);
                }
                if q.bid_qty.0 <= 0 || q.ask_qty.0 <= 0 {
                    return bad(Unusable::OneSided);
                }
                if q.bid_px >= q.ask_px {
                    return bad(Unusable::Crossed);
                }
                if now.since(q.ts_recv) > stale_ms_max.saturating_mul(NS_PER_MS) {
                    return bad(Unusable::Stale);
                }
                Ok(q.mid_x2() as f64 * self.fx_tick * 0.5)
            }
        }
    }

    /// The sell and buy values in milli-spread-ticks (`i64::MIN` / `i64::MAX` for a side not
    /// wanted), each rounded toward not triggering. The exact integer path when it applies: on
    /// mids both are the same integer, computed once.
    #[inline]
    fn values_milli(
        &self,
        dom: &Quote,
        ovs: &Quote,
        fx: f64,
        want_sell: bool,
        want_buy: bool,
    ) -> Result<(i64, i64), NoSignal> {
        if let Some(x) = self.exact {
            let exact = match self.pricing {
                Pricing::Mid => x.milli(dom.mid_x2(), ovs.mid_x2()).map(|v| (v, v)),
                Pricing::Executable => x
                    .milli(dom.bid_px.0, ovs.ask_px.0)
                    .zip(x.milli(dom.ask_px.0, ovs.bid_px.0)),
            };
            if let Some((sell, buy)) = exact {
                return Ok((
                    if want_sell { sell } else { i64::MIN },
                    if want_buy { buy } else { i64::MAX },
                ));
            }
        }
        self.values_milli_float(dom, ovs, fx, want_sell, want_buy)
    }

    fn values_milli_float(
        &self,
        dom: &Quote,
        ovs: &Quote,
        fx: f64,
        want_sell: bool,
        want_buy: bool,
    ) -> Result<(i64, i64), NoSignal> {
        let sell = if want_sell {
            self.value_milli(dom, ovs, fx, Side::Sell)?
        } else {
            i64::MIN
        };
        let buy = if want_buy {
            self.value_milli(dom, ovs, fx, Side::Buy)?
        } else {
            i64::MAX
        };
        Ok((sell, buy))
    }

    /// The sell (`Side::Sell`) or buy value in milli-spread-ticks, rounded toward not triggering.
    fn value_milli(&self, dom: &Quote, ovs: &Quote, fx: f64, side: Side) -> Result<i64, NoSignal> {
        let (pd, po) = match (self.pricing, side) {
            (Pricing::Mid, _) => (
                dom.mid_x2() as f64 * self.dom_tick * 0.5,
                ovs.mid_x2() as f64 * self.ovs_tick * 0.5,
            ),
            (Pricing::Executable, Side::Sell) => (
                dom.bid_px.0 as f64 * self.dom_tick,
                ovs.ask_px.0 as f64 * self.ovs_tick,
            ),
            (Pricing::Executable, Side::Buy) => (
                dom.ask_px.0 as f64 * self.dom_tick,
                ovs.bid_px.0 as f64 * self.ovs_tick,
            ),
        };
        let v = spread_value(self.form, pd, po, fx) / self.spread_tick;
        to_milli(v, side == Side::Sell).ok_or(NoSignal::NonFinite)
    }

    /// Hysteresis with trading exits: entries from Flat at the entry band, exits back inside
    /// the exit band (`sell ≥ hi`, `buy ≤ lo` compare milli-ticks).
    fn decide(&self, sell: i64, buy: i64) -> Option<(Side, SignalKind, i64, i64)> {
        match self.position {
            Position::Flat if sell >= self.entry_hi_milli => {
                Some((Side::Sell, SignalKind::Entry, sell, self.entry_hi_milli))
            }
            Position::Flat if buy <= self.entry_lo_milli => {
                Some((Side::Buy, SignalKind::Entry, buy, self.entry_lo_milli))
            }
            Position::Short if buy <= self.exit_hi_milli => {
                Some((Side::Buy, SignalKind::Exit, buy, self.exit_hi_milli))
            }
            Position::Long if sell >= self.exit_lo_milli => {
                Some((Side::Sell, SignalKind::Exit, sell, self.exit_lo_milli))
            }
            _ => None,
        }
    }

    /// The plain threshold rule (`pair.exit = "rearm"`), in this order: spread > entry and not
    /// already short → sell; spread < −entry and not already long → buy; |spread| < exit while
    /// not flat → re-arm (an `Exit` the engine does not trade). Strict comparisons, as the rule
    /// is usually written; on milli-ticks no float tie can flip them.
    fn decide_rearm(&self, sell: i64, buy: i64) -> Option<(Side, SignalKind, i64, i64)> {
        if self.position != Position::Short && sell > self.entry_hi_milli {
            return Some((Side::Sell, SignalKind::Entry, sell, self.entry_hi_milli));
        }
        if self.position != Position::Long && buy < self.entry_lo_milli {
            return Some((Side::Buy, SignalKind::Entry, buy, self.entry_lo_milli));
        }
        let inside = sell < self.exit_hi_milli && buy > self.exit_lo_milli;
        match self.position {
            Position::Short if inside => {
                Some((Side::Buy, SignalKind::Exit, buy, self.exit_hi_milli))
            }
            Position::Long if inside => {
                Some((Side::Sell, SignalKind::Exit, sell, self.exit_lo_milli))
            }
            _ => None,
        }
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
