//! The spread trigger's evaluation (see the parent module for the rule): the per-quote
//! [`Decision`] — a small `Copy` verdict from the two books, their spread values and the
//! hysteresis — and, only when it is a [`Decision::Signal`], the full [`Opportunity`] through the
//! gates. Splitting the two keeps the common no-signal path of every quote from building (and
//! copying) an opportunity (`cargo bench --bench replay`). Trigger thread / replay stepper.

use super::SpreadTrigger;
use crate::config::{Fx, Pricing};
use crate::domain::{InstrumentId, Quote, Side, TsNs, NS_PER_MS};
use crate::receipt::event::Refusal;
use crate::trigger::book::{BookTable, Unusable};
use crate::trigger::form::{spread_value, to_milli};
use crate::trigger::signal::{NoSignal, Opportunity, Position, SignalKind};

/// What one evaluation of the pair found, before the gates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// A leg's book or the live FX rate is unusable.
    Unusable(InstrumentId, Unusable),
    /// A price made the spread non-finite.
    NonFinite,
    /// Inside the band (values as in [`NoSignal::InBand`]).
    InBand {
        /// Sell value, milli-spread-ticks.
        sell_milli: i64,
        /// Buy value, milli-spread-ticks.
        buy_milli: i64,
    },
    /// The band was left: [`SpreadTrigger::opportunity`] builds the opportunity and gates it.
    Signal(Signal),
}

/// The band crossing of a [`Decision::Signal`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Signal {
    /// Spread side (as [`Opportunity::side`]).
    pub side: Side,
    /// Entry or exit.
    pub kind: SignalKind,
    /// The spread value compared, milli-spread-ticks.
    pub spread_milli: i64,
    /// The threshold it crossed, milli-spread-ticks.
    pub threshold_milli: i64,
    /// FX rate used.
    pub fx: f64,
}

impl SpreadTrigger {
    /// Evaluates the pair at `now`: [`Self::decide`], then [`Self::opportunity`] on a signal.
    /// Never changes state.
    pub fn evaluate(&self, books: &mut BookTable, now: TsNs) -> Result<Opportunity, NoSignal> {
        match self.decide(books, now) {
            Decision::Signal(s) => self.opportunity(&s, books, now),
            Decision::Unusable(id, r) => Err(NoSignal::Unusable(id, r)),
            Decision::NonFinite => Err(NoSignal::NonFinite),
            Decision::InBand {
                sell_milli,
                buy_milli,
            } => Err(NoSignal::InBand {
                sell_milli,
                buy_milli,
            }),
        }
    }

    /// The decision at `now` from the books (whose usability cache it may refresh). Never
    /// changes state.
    #[inline(always)]
    pub fn decide(&self, books: &mut BookTable, now: TsNs) -> Decision {
        if let Err(r) = books.usable(self.dom, now) {
            return Decision::Unusable(self.dom, r);
        }
        if let Err(r) = books.usable(self.ovs, now) {
            return Decision::Unusable(self.ovs, r);
        }
        let fx = match self.fx_rate(books, now) {
            Ok(fx) => fx,
            Err(d) => return d,
        };
        let (Some(dom), Some(ovs)) = (books.latest(self.dom), books.latest(self.ovs)) else {
            unreachable!("Invariant: a usable book has a quote");
        };
        let (want_sell, want_buy) = match self.position {
            _ if self.rearm => (true, true),
            Position::Flat => (true, true),
            Position::Short => (false, true),
            Position::Long => (true, false),
        };
        let Ok((sell, buy)) = self.values_milli(dom, ovs, fx, want_sell, want_buy) else {
            return Decision::NonFinite;
        };
        let decided = if self.rearm {
            self.decide_rearm(sell, buy)
        } else {
            self.decide_band(sell, buy)
        };
        match decided {
            None => Decision::InBand {
                sell_milli: sell,
                buy_milli: buy,
            },
            Some((side, kind, spread_milli, threshold_milli)) => Decision::Signal(Signal {
                side,
                kind,
                spread_milli,
                threshold_milli,
                fx,
            }),
        }
    }

    /// The opportunity of `s` (from [`Self::decide`] at `now` on the same books) through the
    /// gates: cooldown, leg skew, minimum size.
    pub fn opportunity(
        &self,
        s: &Signal,
        books: &BookTable,
        now: TsNs,
    ) -> Result<Opportunity, NoSignal> {
        let (Some(dom), Some(ovs)) = (books.latest(self.dom), books.latest(self.ovs)) else {
            unreachable!("Invariant: a signal comes from two quoted books");
        };
        let (dom_px, dom_qty, ovs_px, ovs_qty) = match s.side {
            Side::Sell => (dom.bid_px, dom.bid_qty, ovs.ask_px, ovs.ask_qty),
            Side::Buy => (dom.ask_px, dom.ask_qty, ovs.bid_px, ovs.bid_qty),
        };
        let opp = Opportunity {
            side: s.side,
            kind: s.kind,
            dom_px,
            ovs_px,
            dom_qty,
            ovs_qty,
            spread_milli: s.spread_milli,
            threshold_milli: s.threshold_milli,
            fx: s.fx,
            ts: now,
            dom_ts_exchange: dom.ts_exchange,
        };
        self.gates(opp, dom, ovs)
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
    fn fx_rate(&self, books: &BookTable, now: TsNs) -> Result<f64, Decision> {
        match self.fx {
            Fx::Fixed(r) => Ok(r),
            Fx::Live {
                instrument,
                stale_ms_max,
            } => {
                let bad = |r| Err(Decision::Unusable(instrument, r));
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
    // `inline(always)`: with the two below, LTO left the trigger's per-quote path out of line
    // in `Engine::on_quote`, ~50 instructions per quote more under callgrind (`cargo bench
    // --bench replay`).
    #[inline(always)]
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

    #[inline(never)] // the exact path above serves the usual configs: keep this out of line
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
    fn decide_band(&self, sell: i64, buy: i64) -> Option<(Side, SignalKind, i64, i64)> {
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
}
