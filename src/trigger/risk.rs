//! Risk gates: pre-trade checks of a prospective ticket, circuit breakers, kill switch.
//! Inputs: the proposal (from the trigger + lot alignment), fills / rejects / acks from the
//! executor, quote times from the book table, `now`. Outputs: `Ok` or a [`Refusal`] with the two
//! compared values (for `Refused` receipts), [`Trip`]s (for `Breaker` receipts) and kill-switch
//! changes (for `Kill` receipts). Runs on the trigger thread; no allocation after construction.
//!
//! Pre-trade, in order (first failure wins): kill switch `(1, 0)`; a tripped breaker `(breaker
//! code, 0)`; position per leg in base quanta, `|position after| ≤ position_max` unless the
//! ticket reduces it `(|after|, max)`; naked exposure standing longer than
//! `naked_exposure_ms_max` `(age ns, max ns)`; naked exposure if only one leg of the ticket
//! filled `(worst |naked|, max)`; order rate, both legs' orders in the sliding second
//! `(orders, max)`; ticket notional, the larger leg in the report currency rounded up to whole
//! units `(notional, max)`.
//!
//! *Naked* exposure is the net base position of both legs minus the lot-alignment residual the
//! caller hands over with [`RiskGate::set_residual`]: the residual is intended, not naked.
//!
//! Breakers live in [`crate::trigger::breaker`] (trip once, stay tripped until the operator
//! resets them); the kill switch in [`crate::trigger::kill`].

use crate::config::{BaseQty, Instrument, Leg, Pair, Risk};
use crate::domain::{Px, Side, TsNs, NS_PER_MS, NS_PER_SEC};
use crate::receipt::event::Refusal;
use crate::trigger::breaker::{Breaker, Breakers, Trip};
use crate::trigger::kill::KillSwitch;

/// Largest `orders_per_sec_max` the fixed order-time ring supports.
pub const ORDER_RATE_MAX: usize = 4096;

/// A refusal: code and the two compared values (`Refused` receipt `code`, `a`, `b`).
pub type Refused = (Refusal, i64, i64);

/// A prospective ticket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// Side of the domestic leg; the overseas leg trades the opposite side.
    pub dom_side: Side,
    /// Domestic lots (> 0).
    pub dom_lots: i64,
    /// Overseas lots (> 0).
    pub ovs_lots: i64,
    /// Domestic price, ticks.
    pub dom_px: Px,
    /// Overseas price, ticks.
    pub ovs_px: Px,
    /// FX rate, domestic per overseas currency.
    pub fx: f64,
}

/// Why a risk gate could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RiskError {
    /// The pair names an instrument that does not exist.
    #[error("pair.{field}: instrument id {id} not among the configured instruments")]
    UnknownInstrument {
        /// Field.
        field: &'static str,
        /// Id.
        id: u16,
    },
    /// Notional cannot be converted into the report currency.
    #[error("risk.report_currency: {currency:?} is neither the domestic ({domestic}) nor the overseas ({overseas}) currency")]
    ReportCurrency {
        /// Configured.
        currency: String,
        /// Domestic leg currency.
        domestic: String,
        /// Overseas leg currency.
        overseas: String,
    },
    /// The order-rate ring is fixed-size.
    #[error("risk.orders_per_sec_max: {0} outside 1..={ORDER_RATE_MAX}")]
    OrderRate(u32),
}

/// Per-leg facts used for base quantities and notional.
#[derive(Clone, Copy, Debug)]
struct LegSpec {
    lot_base: i64,
    /// One lot in price units (e.g. 5 t for CNY/t prices), for notional.
    lot_px_units: f64,
    tick: f64,
}

/// Pre-trade checks, breakers and kill switch for one pair.
#[derive(Debug)]
pub struct RiskGate {
    position_max: i64,
    naked_max: i64,
    naked_ns_max: i64,
    notional_max: i64,
    report_domestic: bool,
    legs: [LegSpec; 2],
    pos: [i64; 2],
    residual: i64,
    naked_since: Option<TsNs>,
    orders: RateWindow,
    breakers: Breakers,
    kill: KillSwitch,
    kill_seen: bool,
}

const fn li(leg: Leg) -> usize {
    match leg {
        Leg::Domestic => 0,
        Leg::Overseas => 1,
    }
}

impl RiskGate {
    /// Builds the gate (cold). `kill` is shared with whoever engages it.
    pub fn new(
        risk: &Risk,
        pair: &Pair,
        instruments: &[Instrument],
        kill: KillSwitch,
    ) -> Result<RiskGate, RiskError> {
        let get = |field, id: crate::domain::InstrumentId| {
            instruments
                .get(id.idx())
                .ok_or(RiskError::UnknownInstrument { field, id: id.0 })
        };
        let (dom, ovs) = (
            get("domestic", pair.domestic)?,
            get("overseas", pair.overseas)?,
        );
        let report_domestic = if risk.report_currency == dom.currency {
            true
        } else if risk.report_currency == ovs.currency {
            false
        } else {
            return Err(RiskError::ReportCurrency {
                currency: risk.report_currency.clone(),
                domestic: dom.currency.clone(),
                overseas: ovs.currency.clone(),
            });
        };
        let n = risk.orders_per_sec_max as usize;
        if n == 0 || n > ORDER_RATE_MAX {
            return Err(RiskError::OrderRate(risk.orders_per_sec_max));
        }
        let spec = |i: &Instrument| LegSpec {
            lot_base: i.lot_base.0,
            lot_px_units: i.lot_base.0 as f64 / i.price_unit.base_quanta() as f64,
            tick: i.tick_size,
        };
        Ok(RiskGate {
            position_max: risk.position_max.0,
            naked_max: risk.naked_exposure_max.0,
            naked_ns_max: risk.naked_exposure_ms_max.saturating_mul(NS_PER_MS),
            notional_max: risk.ticket_notional_max.floor() as i64,
            report_domestic,
            legs: [spec(dom), spec(ovs)],
            pos: [0; 2],
            residual: 0,
            naked_since: None,
            orders: RateWindow::new(n),
            breakers: Breakers::new(risk),
            kill,
            kill_seen: false,
        })
    }

    /// Pre-trade check of a ticket (two orders) at `now`.
    pub fn check_entry(&self, p: &Proposal, now: TsNs) -> Result<(), Refused> {
        if self.kill.is_engaged() {
            return Err((Refusal::KillSwitch, 1, 0));
        }
        if let Some(t) = self.breakers.first() {
            return Err((Refusal::Breaker, t.breaker as i64, 0));
        }
        let dom_change = p.dom_side.sign() * p.dom_lots * self.legs[0].lot_base;
        let ovs_change = p.dom_side.opposite().sign() * p.ovs_lots * self.legs[1].lot_base;
        for (i, change) in [dom_change, ovs_change].into_iter().enumerate() {
            let after = (self.pos[i] + change).abs();
            if after > self.position_max && after > self.pos[i].abs() {
                return Err((Refusal::PositionLimit, after, self.position_max));
            }
        }
        if let Some(since) = self.naked_since {
            let age = now.since(since);
            if age > self.naked_ns_max {
                return Err((Refusal::NakedExposure, age, self.naked_ns_max));
            }
        }
        let naked = self.naked().0;
        let worst = (naked + dom_change).abs().max((naked + ovs_change).abs());
        if worst > self.naked_max {
            return Err((Refusal::NakedExposure, worst, self.naked_max));
        }
        self.check_rate(2, now)?;
        let notional = self.notional(p);
        if notional > self.notional_max {
            return Err((Refusal::Notional, notional, self.notional_max));
        }
        Ok(())
    }

    /// Refuses when `k` more orders would exceed the rate in the second ending at `now`.
    fn check_rate(&self, k: usize, now: TsNs) -> Result<(), Refused> {
        if self.orders.fits(k, now) {
            Ok(())
        } else {
            Err(self.rate_refusal(k, now))
        }
    }

    #[cold]
    fn rate_refusal(&self, k: usize, now: TsNs) -> Refused {
        let n = self.orders.in_window(now) + k;
        (Refusal::OrderRate, n as i64, self.orders.max() as i64)
    }

    /// The larger leg's notional in the report currency, whole units rounded up.
    fn notional(&self, p: &Proposal) -> i64 {
        let [d, o] = self.legs;
        let dom = p.dom_lots as f64 * d.lot_px_units * p.dom_px.0 as f64 * d.tick;
        let ovs = p.ovs_lots as f64 * o.lot_px_units * p.ovs_px.0 as f64 * o.tick;
        let v = if self.report_domestic {
            dom.abs().max((ovs * p.fx).abs())
        } else {
            (dom / p.fx).abs().max(ovs.abs())
        };
        if v.is_finite() {
            v.ceil() as i64
        } else {
            i64::MAX
        }
    }

    /// An order was sent (any purpose: entries, backfills, rollbacks) at `now`.
    pub fn on_order_sent(&mut self, now: TsNs) {
        self.orders.record(now);
    }

    /// A fill of `lots` on `leg`; `slippage_ticks` against the trigger price (positive = worse).
    pub fn on_fill(
        &mut self,
        leg: Leg,
        side: Side,
        lots: i64,
        slippage_ticks: i64,
        now: TsNs,
    ) -> Option<Trip> {
        let i = li(leg);
        self.pos[i] += side.sign() * lots * self.legs[i].lot_base;
        self.update_naked_clock(now);
        self.breakers.on_fill_slippage(slippage_ticks)
    }

    /// The lot-alignment residual (from the ledger) after a ticket closed: not naked.
    pub fn set_residual(&mut self, residual: BaseQty, now: TsNs) {
        self.residual = residual.0;
        self.update_naked_clock(now);
    }

    fn update_naked_clock(&mut self, now: TsNs) {
        match (self.naked().0 != 0, self.naked_since) {
            (true, None) => self.naked_since = Some(now),
            (false, Some(_)) => self.naked_since = None,
            _ => {}
        }
    }

    /// An order was rejected.
    pub fn on_reject(&mut self) -> Option<Trip> {
        self.breakers.on_reject()
    }

    /// An order was acknowledged after `latency_ns` (ends a reject streak).
    pub fn on_ack_latency(&mut self, latency_ns: i64) -> Option<Trip> {
        self.breakers.on_ack_latency(latency_ns)
    }

    /// A quote of `leg` arrived at `ts_recv`.
    #[inline]
    pub fn on_quote_time(&mut self, leg: Leg, ts_recv: TsNs) {
        self.breakers.on_quote_time(li(leg), ts_recv);
    }

    /// Timer checks at `now` with each leg's session state (`Some(opening time)` of the current
    /// session, `None` when closed): feed staleness and naked exposure held too long. Returns
    /// the first new trip.
    pub fn poll(
        &mut self,
        now: TsNs,
        dom_open_since: Option<TsNs>,
        ovs_open_since: Option<TsNs>,
    ) -> Option<Trip> {
        self.breakers
            .poll(now, [dom_open_since, ovs_open_since], self.naked_since)
    }

    /// The first breaker tripped since the last reset.
    pub fn tripped(&self) -> Option<Breaker> {
        self.breakers.first().map(|t| t.breaker)
    }

    /// Operator reset of every breaker.
    pub fn reset_breakers(&mut self) {
        self.breakers.reset();
    }

    /// A new trading day: zero the daily slippage sum and the reject streak (trips stay).
    pub fn on_trading_day(&mut self) {
        self.breakers.on_trading_day();
    }

    /// Daily realised slippage so far, ticks.
    pub fn slippage_ticks(&self) -> i64 {
        self.breakers.slippage_ticks()
    }

    /// The kill switch changed since the last call: `Some(engaged)` (for `Kill` receipts).
    pub fn poll_kill(&mut self) -> Option<bool> {
        let now = self.kill.is_engaged();
        (now != self.kill_seen).then(|| {
            self.kill_seen = now;
            now
        })
    }

    /// Position of a leg, base quanta (+ long).
    pub fn position(&self, leg: Leg) -> BaseQty {
        BaseQty(self.pos[li(leg)])
    }

    /// Net position of both legs minus the lot-alignment residual.
    pub fn naked(&self) -> BaseQty {
        BaseQty(self.pos[0] + self.pos[1] - self.residual)
    }
}

/// The times of the last `max` orders in a fixed ring, for a sliding one-second rate limit.
#[derive(Clone, Debug)]
struct RateWindow {
    times: Box<[TsNs]>,
    head: usize,
    len: usize,
}

impl RateWindow {
    /// A window allowing `max` (≥ 1) orders per second; allocates once.
    fn new(max: usize) -> RateWindow {
        assert!(
            max >= 1,
            "Invariant: the rate window holds at least one order"
        );
        RateWindow {
            times: vec![TsNs(i64::MIN); max].into_boxed_slice(),
            head: 0,
            len: 0,
        }
    }

    fn max(&self) -> usize {
        self.times.len()
    }

    /// True when `k` more orders at `now` keep the second `(now − 1 s, now]` within `max`. The
    /// orders in the window are the most recent ones, so this holds iff the `(max − k + 1)`-th
    /// most recent order is absent or outside the window: O(1).
    fn fits(&self, k: usize, now: TsNs) -> bool {
        let n = self.max();
        if k > n {
            return false;
        }
        let j = n - k + 1;
        j > self.len || self.times[(self.head + n - j) % n].0 <= now.0 - NS_PER_SEC
    }

    /// Orders in `(now − 1 s, now]` (a scan: refusal path only).
    fn in_window(&self, now: TsNs) -> usize {
        self.times
            .iter()
            .filter(|t| t.0 > now.0 - NS_PER_SEC)
            .count()
    }

    /// An order sent at `now` (times never go back).
    fn record(&mut self, now: TsNs) {
        let n = self.max();
        self.times[self.head] = now;
        self.head = (self.head + 1) % n;
        self.len = (self.len + 1).min(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constant_time_rate_check_agrees_with_counting() {
        for max in [1usize, 2, 3, 10] {
            let mut w = RateWindow::new(max);
            let mut all: Vec<i64> = Vec::new();
            let mut x: u64 = 0x2545_f491_4f6c_dd1d ^ max as u64;
            let mut now = 0i64;
            for _ in 0..2_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                now += (x % 400) as i64 * NS_PER_MS;
                for k in 0..=max + 1 {
                    let counted = all.iter().filter(|&&t| t > now - NS_PER_SEC).count();
                    assert_eq!(w.fits(k, TsNs(now)), counted + k <= max, "max {max} k {k}");
                }
                if w.fits(1, TsNs(now)) {
                    w.record(TsNs(now));
                    all.push(now);
                }
                let counted = all.iter().filter(|&&t| t > now - NS_PER_SEC).count();
                assert_eq!(w.in_window(TsNs(now)), counted);
            }
        }
    }
}
