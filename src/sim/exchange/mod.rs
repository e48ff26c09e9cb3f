//! The seeded simulated exchange: accepts [`OrderRequest`]s, matches them against the replayed
//! top of book and hands back [`ExecReport`]s at simulated delivery times. Run by the
//! deterministic stepper's single thread; pure (no clock, no I/O), allocation-free after
//! [`SimExchange::new`] (every queue is preallocated to [`SimLimits`]; a full queue is an error).
//!
//! Time model, per venue ([`SimVenue`]):
//! * An order sent at `now` arrives at `now + order latency` (fixed + uniform jitter), never
//!   before an earlier order of the same venue (one FIFO session per venue, so a cancel never
//!   overtakes its order). Its fate is drawn at submit: inside a disconnect window →
//!   `Rejected(Disconnected)`; venue closed (the caller's session check) → `Rejected(SessionClosed)`;
//!   with `reject_prob` → `Rejected(Venue)`; otherwise `Ack` and a match at arrival.
//! * Matching at arrival uses the book as of arrival: quotes with `ts_exchange` ≤ arrival time
//!   count, except one at exactly the arrival nanosecond, which is applied after the order.
//!   A buy crossing the ask fills `min(leaves, displayed ask)` at the ask (sell: at the bid).
//!   Displayed size taken by fills is gone until that instrument's next quote. An IOC remainder
//!   ends in `Done{leaves}`; a limit remainder rests and fills when a later quote crosses it, at
//!   **its own limit price** (the resting order is the maker: no price improvement, which keeps
//!   backtests conservative). A full fill ends the order without a `Done`.
//! * Reports come back after `event + order latency` drawn again per report, never before an
//!   earlier report of the same order nor of the same venue (one FIFO session). A lost ack
//!   (`ack_loss_prob`) adds `ack_loss_delay_ms` to every report of that order, outside the FIFO
//!   (as if retransmitted late), so it holds back no other order. A report due inside a
//!   disconnect window is held to the window's end — except `Rejected(Disconnected)`, which is
//!   the gateway's own verdict.
//!
//! Stepper contract: call [`SimExchange::on_market`] in `ts_exchange` order, and give it every
//! quote with `ts_exchange < t` before [`SimExchange::pop_due`]`(t)`; a quote older than the
//! exchange's clock is applied as of that clock. Randomness comes from per-venue, per-purpose
//! streams of [`super::Rng`], so the same inputs and seed give the same reports bit for bit.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::config::{Config, Instrument, SimVenue};
use crate::domain::{InstrumentId, Qty, Quote, TsNs, VenueId};
use crate::exec::msg::{ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind};

use super::parts::{Arrival, Book, Resting, VenueSim, Verdict};
pub use super::parts::{SimError, SimLimits};
use super::sched::Scheduled;

mod matching;

/// The simulated exchange for every venue of a config.
#[derive(Debug)]
pub struct SimExchange {
    venues: Vec<VenueSim>,
    /// Venue of each instrument, indexed by [`InstrumentId`].
    venue_of: Vec<VenueId>,
    books: Vec<Book>,
    /// Open limit orders in arrival order (= time priority).
    resting: Vec<Resting>,
    reports: BinaryHeap<Reverse<Scheduled>>,
    limits: SimLimits,
    /// Latest time the exchange has processed.
    now: TsNs,
    /// Tie-breaker of reports due at the same nanosecond: creation order.
    seq: u64,
    /// Requests in flight over every venue: when 0 (between tickets, most quotes) a quote
    /// skips the scan of the venues' queues.
    in_flight_total: usize,
}

impl SimExchange {
    /// Builds the exchange from `cfg.instruments`, `cfg.replay.sim` and `cfg.replay.seed`.
    pub fn from_config(cfg: &Config, limits: SimLimits) -> Result<SimExchange, SimError> {
        SimExchange::new(&cfg.instruments, &cfg.replay.sim, cfg.replay.seed, limits)
    }

    /// Builds the exchange; `sims` is one entry per venue, indexed by [`VenueId`]. Cold: this is
    /// where every queue is allocated.
    pub fn new(
        instruments: &[Instrument],
        sims: &[SimVenue],
        seed: u64,
        limits: SimLimits,
    ) -> Result<SimExchange, SimError> {
        let mut venues = Vec::with_capacity(sims.len());
        for (index, s) in sims.iter().enumerate() {
            if s.venue.idx() != index {
                return Err(SimError::VenueOrder {
                    index,
                    found: s.venue.0,
                });
            }
            venues.push(VenueSim::new(s, seed, limits.in_flight_max));
        }
        let mut venue_of = Vec::with_capacity(instruments.len());
        for (i, ins) in instruments.iter().enumerate() {
            if ins.venue.idx() >= venues.len() {
                return Err(SimError::NoSimVenue {
                    instrument: i as u16,
                    venue: ins.venue.0,
                });
            }
            venue_of.push(ins.venue);
        }
        Ok(SimExchange {
            venues,
            books: vec![Book::default(); instruments.len()],
            venue_of,
            resting: Vec::with_capacity(limits.resting_max),
            reports: BinaryHeap::with_capacity(limits.reports_max),
            limits,
            now: TsNs(i64::MIN),
            seq: 0,
            in_flight_total: 0,
        })
    }

    /// Venue an instrument trades on.
    pub fn venue_of(&self, instrument: InstrumentId) -> Option<VenueId> {
        self.venue_of.get(instrument.idx()).copied()
    }

    /// Draws one exchange → engine quote delay for `venue` (fixed + uniform jitter), ns: the
    /// stepper delivers a quote to the engine at `ts_exchange` + this.
    pub fn feed_latency_ns(&mut self, venue: VenueId) -> i64 {
        assert!(
            venue.idx() < self.venues.len(),
            "Invariant: feed latency asked for venue {} but the exchange has {} venues",
            venue.0,
            self.venues.len()
        );
        let v = &mut self.venues[venue.idx()];
        v.feed_latency.fixed_ns + v.feed_rng.jitter(v.feed_latency.jitter_ns)
    }

    /// Applies a top-of-book update at its `ts_exchange`: orders arriving up to then are matched
    /// first, then displayed sizes are refreshed and resting orders the new book crosses fill.
    /// Trade records only advance time.
    #[inline]
    pub fn on_market(&mut self, q: &Quote) -> Result<(), SimError> {
        let i = q.instrument.idx();
        if q.is_trade() || self.in_flight_total != 0 || !self.resting.is_empty() {
            return self.on_market_matching(q);
        }
        // Nothing in flight or resting (most quotes): the book update is all there is to do.
        let Some(book) = self.books.get_mut(i) else {
            return Err(SimError::UnknownInstrument(q.instrument.0));
        };
        *book = Book {
            bid_px: q.bid_px,
            ask_px: q.ask_px,
            bid_avail: q.bid_qty.max(Qty::ZERO),
            ask_avail: q.ask_qty.max(Qty::ZERO),
        };
        self.now = self.now.max(q.ts_exchange);
        Ok(())
    }

    /// Sends an order or cancel at `now`. `is_open(venue, t)` is the venue's session calendar,
    /// asked once for the arrival time. Reports come out of [`Self::pop_due`].
    pub fn submit(
        &mut self,
        req: &OrderRequest,
        now: TsNs,
        is_open: &mut dyn FnMut(VenueId, TsNs) -> bool,
    ) -> Result<(), SimError> {
        let venue = self
            .venue_of(req.instrument)
            .ok_or(SimError::UnknownInstrument(req.instrument.0))?;
        let v = &mut self.venues[venue.idx()];
        if v.in_flight.len() >= self.limits.in_flight_max {
            return Err(SimError::Full {
                what: "in-flight order",
                capacity: self.limits.in_flight_max,
            });
        }
        let latency = v.order_latency.fixed_ns + v.order_rng.jitter(v.order_latency.jitter_ns);
        let at = now.plus_ns(latency).max(v.last_arrival);
        // Both draws happen for every request so one stream's use never depends on another's.
        let reject = v.reject_rng.chance(v.reject_prob);
        let lost = v.ack_loss_rng.chance(v.ack_loss_prob);
        let verdict = if v.disconnected_at(at) {
            Verdict::Refuse(RejectReason::Disconnected)
        } else if !is_open(venue, at) {
            Verdict::Refuse(RejectReason::SessionClosed)
        } else if reject && matches!(req.kind, RequestKind::New { .. }) {
            Verdict::Refuse(RejectReason::Venue)
        } else {
            Verdict::Accept
        };
        v.in_flight.push_back(Arrival {
            at,
            req: *req,
            verdict,
            lost,
        });
        v.last_arrival = at;
        self.in_flight_total += 1;
        Ok(())
    }

    /// Earliest time something happens inside the exchange (an arrival or a report delivery):
    /// the stepper should call [`Self::pop_due`] then. `None` when idle.
    #[inline]
    pub fn next_event_time(&self) -> Option<TsNs> {
        if self.in_flight_total == 0 {
            return self.reports.peek().map(|Reverse(s)| s.due);
        }
        let arrival = self
            .venues
            .iter()
            .filter_map(|v| v.in_flight.front().map(|a| a.at))
            .min();
        let report = self.reports.peek().map(|Reverse(s)| s.due);
        match (arrival, report) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        }
    }

    /// Processes arrivals up to `now`, then emits every report due by `now` in (delivery time,
    /// creation) order, with `ts_recv` = delivery time.
    pub fn pop_due(&mut self, now: TsNs, out: &mut impl FnMut(ExecReport)) -> Result<(), SimError> {
        self.advance(now)?;
        self.now = self.now.max(now);
        while let Some(Reverse(s)) = self.reports.peek() {
            if s.due > now {
                break;
            }
            let Some(Reverse(s)) = self.reports.pop() else {
                break;
            };
            out(s.report);
        }
        Ok(())
    }

    /// Queues a report of an event at `event`, delivered after a fresh report latency (plus the
    /// lost-ack delay), held past disconnect windows, never before `floor`. Returns the delivery.
    #[allow(clippy::too_many_arguments)] // one call shape for every report; a struct adds noise
    fn schedule(
        &mut self,
        venue: VenueId,
        order: OrderId,
        instrument: InstrumentId,
        kind: ReportKind,
        event: TsNs,
        lost: bool,
        floor: TsNs,
    ) -> Result<TsNs, SimError> {
        if self.reports.len() >= self.limits.reports_max {
            return Err(SimError::Full {
                what: "report",
                capacity: self.limits.reports_max,
            });
        }
        let v = &mut self.venues[venue.idx()];
        let mut due = event
            .plus_ns(v.order_latency.fixed_ns + v.report_rng.jitter(v.order_latency.jitter_ns));
        if lost {
            due = due.plus_ns(v.ack_loss_delay_ns);
        }
        if kind != ReportKind::Rejected(RejectReason::Disconnected) {
            due = v.held_until(due);
        }
        let mut due = due.max(floor);
        if !lost {
            due = due.max(v.last_delivery);
            v.last_delivery = due;
        }
        let report = ExecReport {
            order,
            instrument,
            kind,
            ts_exchange: event,
            ts_recv: due,
        };
        self.seq += 1;
        self.reports.push(Reverse(Scheduled {
            due,
            seq: self.seq,
            report,
        }));
        Ok(due)
    }
}
