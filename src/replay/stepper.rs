//! The replay stepper proper (see the parent module for the time model): the engine and the
//! simulated exchange stepped against the simulated clock, with look-ahead queues when the
//! config simulates feed latency and a direct path (plus its idle fast path) when it does not.
//! Replay thread; no allocation after [`Stepper::new`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{calendars, Merge, Orders, Progress, ReplayError, Sink};
use crate::config::Config;
use crate::domain::{Quote, QuoteFlags, TsNs, VenueId};
use crate::engine::Engine;
use crate::exec::msg::ExecReport;
use crate::sim::{SimExchange, SimLimits};
use crate::trigger::{Calendar, KillSwitch};

/// A quote waiting in a time-ordered queue: (time, arrival number) keeps ties in input order.
type Pending = Reverse<(i64, u64, QuoteKey)>;

/// `Quote` is not `Ord`; the heap orders by the tuple before it, this just carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QuoteKey(Quote);

impl PartialOrd for QuoteKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for QuoteKey {
    fn cmp(&self, _other: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

/// Capacity of the look-ahead queues, preallocated so steady state does not allocate.
const PENDING_CAPACITY: usize = 1 << 16;

/// The stepper's state.
pub(super) struct Stepper {
    pub(super) engine: Engine,
    sim: SimExchange,
    cals: Vec<Calendar>,
    orders: Orders,
    reports: Vec<ExecReport>,
    /// Quotes read but not yet delivered to the engine, by delivery time.
    deliver: BinaryHeap<Pending>,
    /// Quotes read but not yet applied by the exchange, by exchange time.
    exchange: BinaryHeap<Pending>,
    lookahead_ns: i64,
    arrivals: u64,
    now: TsNs,
}

impl Stepper {
    pub(super) fn new(cfg: &Config) -> Result<Stepper, ReplayError> {
        let lookahead_ns = cfg
            .replay
            .sim
            .iter()
            .map(|s| s.feed_latency.fixed_ns + s.feed_latency.jitter_ns)
            .max()
            .unwrap_or(0);
        Ok(Stepper {
            engine: Engine::new(cfg, KillSwitch::new())?,
            sim: SimExchange::from_config(cfg, SimLimits::DEFAULT)?,
            cals: calendars(cfg)?,
            orders: Orders(Vec::with_capacity(64)),
            reports: Vec::with_capacity(64),
            deliver: BinaryHeap::with_capacity(PENDING_CAPACITY),
            exchange: BinaryHeap::with_capacity(PENDING_CAPACITY),
            lookahead_ns,
            arrivals: 0,
            now: TsNs::ZERO,
        })
    }

    /// Steps until the input is exhausted and no report or deadline is pending; returns the
    /// simulated time of the last step.
    pub(super) fn run(
        &mut self,
        input: &mut Merge,
        sink: &mut Sink,
        progress: Progress<'_>,
    ) -> Result<TsNs, ReplayError> {
        if self.lookahead_ns == 0 {
            return self.run_direct(input, sink, progress);
        }
        let total = input.total();
        let mut read: u64 = 0;
        loop {
            // Read ahead: everything received up to the next event time plus the look-ahead.
            let next = self.next_time(input);
            let Some(t) = next else { break };
            while let Some(tr) = input.peek_time() {
                if tr.0 > t.0.saturating_add(self.lookahead_ns) {
                    break;
                }
                let Some(q) = input.next() else { break };
                self.admit(q);
                count_read(&mut read, total, progress);
            }
            let Some(t) = self.next_time(input) else {
                break;
            };
            self.step(t, sink)?;
            if sink.error.is_some() {
                break;
            }
        }
        progress(read, total);
        Ok(self.now)
    }

    /// The same stepping without look-ahead queues, for configs with no simulated feed latency
    /// (a quote reaches the engine at its receive time and the exchange no later): each quote
    /// goes straight from the input to the exchange and the engine.
    fn run_direct(
        &mut self,
        input: &mut Merge,
        sink: &mut Sink,
        progress: Progress<'_>,
    ) -> Result<TsNs, ReplayError> {
        let total = input.total();
        let mut read: u64 = 0;
        loop {
            if self.idle() {
                // Nothing in flight at the exchange and no deadline: the loop below would take
                // the next quote every time, until a quote makes the engine send an order.
                self.run_idle(input, sink, progress, &mut read, total)?;
                if sink.error.is_some() {
                    break;
                }
            }
            let events = [self.sim.next_event_time(), self.engine.next_deadline()]
                .into_iter()
                .flatten()
                .min();
            match (input.peek_time(), events) {
                (None, None) => break,
                (tq, Some(te)) if tq.is_none_or(|tq| te <= tq) => self.step(te, sink)?,
                _ => {
                    let Some(q) = input.next_ref() else { break };
                    count_read(&mut read, total, progress);
                    self.quote_direct(q, sink)?;
                }
            }
            if sink.error.is_some() {
                break;
            }
        }
        progress(read, total);
        Ok(self.now)
    }

    /// No report or arrival pending at the exchange and no executor deadline.
    #[inline]
    fn idle(&self) -> bool {
        self.sim.next_event_time().is_none() && self.engine.next_deadline().is_none()
    }

    /// [`Self::run_direct`]'s fast path: quotes straight through while [`Self::idle`] holds
    /// (the common case between tickets), returning when it no longer does, the input is
    /// exhausted or the receipt sink failed.
    fn run_idle(
        &mut self,
        input: &mut Merge,
        sink: &mut Sink,
        progress: Progress<'_>,
        read: &mut u64,
        total: u64,
    ) -> Result<(), ReplayError> {
        while let Some(q) = input.next_ref() {
            count_read(read, total, progress);
            self.quote_direct(q, sink)?;
            if sink.error.is_some() || !self.idle() {
                break;
            }
        }
        Ok(())
    }

    /// One quote of [`Self::run_direct`]: to the exchange, then the engine at its receive time.
    // `inline(always)`: out of line it cost ~20 instructions per quote more under callgrind
    // (`cargo bench --bench replay`).
    #[inline(always)]
    fn quote_direct(&mut self, q: &Quote, sink: &mut Sink) -> Result<(), ReplayError> {
        self.now = self.now.max(q.ts_recv);
        self.sim.on_market(q)?;
        self.engine.on_quote(q, self.now, &mut self.orders, sink);
        if !self.orders.0.is_empty() {
            self.submit(self.now)?;
        }
        Ok(())
    }

    /// Queues a quote read from the input for the exchange and for delivery to the engine.
    fn admit(&mut self, q: Quote) {
        self.arrivals += 1;
        let delivery = if q.flags & QuoteFlags::NO_EXCHANGE_TS != 0 {
            q.ts_recv.0 + self.sim.feed_latency_ns(q.venue)
        } else {
            q.ts_recv.0
        };
        self.exchange
            .push(Reverse((q.ts_exchange.0, self.arrivals, QuoteKey(q))));
        self.deliver
            .push(Reverse((delivery, self.arrivals, QuoteKey(q))));
    }

    /// The earliest pending event: a delivery, an exchange report, a deadline, or the next
    /// unread quote (which must be read before anything later happens).
    fn next_time(&self, input: &Merge) -> Option<TsNs> {
        [
            self.deliver.peek().map(|Reverse((t, _, _))| TsNs(*t)),
            self.sim.next_event_time(),
            self.engine.next_deadline(),
            input.peek_time(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn step(&mut self, t: TsNs, sink: &mut Sink) -> Result<(), ReplayError> {
        self.now = self.now.max(t);
        let now = self.now;
        // The exchange first sees every quote stamped up to now (the engine may react to a
        // quote at its own exchange time: the exchange must already hold it).
        while let Some(Reverse((te, _, q))) = self.exchange.peek().copied() {
            if te > now.0 {
                break;
            }
            self.exchange.pop();
            self.sim.on_market(&q.0)?;
        }
        let reports = &mut self.reports;
        self.sim.pop_due(now, &mut |r| reports.push(r))?;
        for i in 0..self.reports.len() {
            let r = self.reports[i];
            self.engine.on_report(&r, now, &mut self.orders, sink);
        }
        self.reports.clear();
        if self.engine.next_deadline().is_some_and(|d| d <= now) {
            self.engine.on_timer(now, &mut self.orders, sink);
        }
        while let Some(Reverse((td, _, q))) = self.deliver.peek().copied() {
            if td > now.0 {
                break;
            }
            self.deliver.pop();
            self.engine.on_quote(&q.0, now, &mut self.orders, sink);
        }
        self.submit(now)
    }

    fn submit(&mut self, now: TsNs) -> Result<(), ReplayError> {
        let cals = &mut self.cals;
        let mut is_open = |v: VenueId, t: TsNs| cals[v.idx()].is_open(t);
        for req in self.orders.0.drain(..) {
            self.sim.submit(&req, now, &mut is_open)?;
        }
        Ok(())
    }
}

/// Counts one quote read from the input; reports progress every 65,536 quotes.
#[inline]
fn count_read(read: &mut u64, total: u64, progress: &mut dyn FnMut(u64, u64)) {
    *read += 1;
    if *read & 0xFFFF == 0 {
        progress(*read, total);
    }
}
