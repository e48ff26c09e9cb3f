//! The engine stage: pops quotes (per feed) and execution reports (from the gateway stage),
//! steps the [`Engine`] with `now` from the live clock, and pushes orders to the gateway rings
//! and receipts to the receipt ring. Runs on the `[threads].trigger` thread.
//!
//! Every engine call — start, quote (`now` = when the engine took it from its ring, not the
//! quote's receive stamp), report, timer, stop — is journalled with its `now` and what the
//! receipt sink accepted, and so is every order sent and every kill switch change
//! (`journal_tap`): `crossarb replay --journal` feeds the same inputs to the same engine.
//!
//! While no input comes, the stage rehearses the ticket-opening path every [`WARM_EVERY_NS`]
//! ([`Engine::rehearse`]: nothing sent, written or changed), so the next quote that opens a
//! ticket finds that code and data in cache. Not an input: not journalled.
//!
//! Full policies: an order or receipt the ring cannot take goes to a preallocated spill queue
//! that is retried first on every step — nothing is dropped; while receipts spill,
//! [`ReceiptSink::emit`] returns false and the engine opens no new tickets. A spill queue that
//! fills up too blocks the stage on the ring (back-pressure) rather than drop a receipt.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::journal_tap::Tap;
use super::WARM_EVERY_NS;
use crate::clock::{Clock, LiveClock};
use crate::domain::TsNs;
use crate::engine::{Engine, OrderSink, ReceiptSink};
use crate::exec::msg::{ExecReport, OrderRequest};
use crate::feed::journal::{Entry, QuoteRef, Record, ALL_EMITS_OK};
use crate::feed::live::Stamped;
use crate::receipt::event::Event;
use crate::runtime::metrics::{Recorder, Span};
use crate::runtime::{Control, Phase, Stage};
use crate::trigger::KillSwitch;

/// Items taken per ring per step at most (bounded batch).
const BATCH: usize = 64;
/// Spill capacity of each queue (preallocated).
const SPILL: usize = 4096;
/// The risk polls (breakers, kill switch) run at least this often.
const POLL_NS: i64 = 50_000_000;

/// An order on its way to a gateway, with the stamps of the quote that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderMsg {
    /// The request.
    pub req: OrderRequest,
    /// Raw counter when the triggering quote was received (0 = not caused by a quote).
    pub raw_quote: u64,
    /// Raw counter when the engine issued it.
    pub raw_decided: u64,
}

/// State the cold thread watches.
#[derive(Clone, Debug, Default)]
pub struct EngineShared {
    /// Open tickets (for the drain).
    pub open_tickets: Arc<AtomicU64>,
    /// Quotes stepped so far, stored (release) after `open_tickets` whenever either changed: a
    /// reader that sees quote n here sees the open tickets as of that step or later.
    pub quotes_done: Arc<AtomicU64>,
    /// Set once the engine wrote its `Stop` receipt and its spill queues are empty.
    pub done: Arc<AtomicBool>,
    /// Set by the receipt stage when the writer failed: no new tickets.
    pub receipts_failed: Arc<AtomicBool>,
}

struct Orders {
    rings: Vec<rtrb::Producer<OrderMsg>>,
    /// Ring index per instrument (`usize::MAX` = no gateway: rejected locally).
    route: Vec<usize>,
    spill: VecDeque<(usize, OrderMsg)>,
    raw_quote: u64,
    /// Raw counter when the engine took the current quote; 0 once its first order was issued
    /// (or for other inputs).
    raw_taken: u64,
    clock: LiveClock,
    metrics: Recorder,
    /// Orders for instruments without a gateway.
    unrouted: u64,
    /// The input journal (orders are recorded here as they are sent).
    tap: Tap,
}

impl OrderSink for Orders {
    fn send(&mut self, req: &OrderRequest) {
        let raw = self.clock.raw();
        let m = OrderMsg {
            req: *req,
            raw_quote: self.raw_quote,
            raw_decided: raw,
        };
        // The order ring first: the journal record and the metrics sample (two more ring
        // pushes, each a likely cache miss on a slot the other thread last read) come after
        // the gateway can see the order.
        match self
            .route
            .get(req.instrument.idx())
            .filter(|r| **r != usize::MAX)
        {
            Some(&r) => {
                if !self.spill.is_empty() || self.rings[r].push(m).is_err() {
                    push_spill(&mut self.spill, (r, m), |(r, m)| {
                        self.rings[*r].push(*m).is_ok()
                    });
                }
            }
            None => self.unrouted += 1,
        }
        self.tap.order(req);
        if self.raw_quote != 0 {
            self.metrics
                .record(Span::QuoteToDecision, self.raw_quote, raw);
        }
        if self.raw_taken != 0 {
            self.metrics.record(Span::EngineStep, self.raw_taken, raw);
            self.raw_taken = 0;
        }
    }
}

struct Receipts {
    ring: rtrb::Producer<Event>,
    spill: VecDeque<Event>,
    failed: Arc<AtomicBool>,
    /// Receipts emitted during the current input.
    emits: u32,
    /// Receipts accepted before the first refusal during the current input (journalled).
    emits_ok: u32,
}

impl Receipts {
    fn begin(&mut self) {
        self.emits = 0;
        self.emits_ok = ALL_EMITS_OK;
    }

    fn accept(&mut self, e: Event) -> bool {
        if self.spill.is_empty() && self.ring.push(e).is_ok() {
            return !self.failed.load(Ordering::Relaxed);
        }
        push_spill(&mut self.spill, e, |e| self.ring.push(*e).is_ok());
        false
    }
}

impl ReceiptSink for Receipts {
    fn emit(&mut self, e: Event) -> bool {
        let ok = self.accept(e);
        // Once refused, every later emit of the input is refused too (the spill queue only
        // empties between inputs, `failed` never clears): one count replays the pattern.
        if !ok && self.emits_ok == ALL_EMITS_OK {
            self.emits_ok = self.emits;
        }
        self.emits = self.emits.saturating_add(1);
        ok
    }
}

/// Appends to a spill queue; when it is full, first waits until `retry` moves the oldest item
/// into its ring (back-pressure, never a drop).
pub(super) fn push_spill<T>(spill: &mut VecDeque<T>, item: T, mut retry: impl FnMut(&T) -> bool) {
    while spill.len() >= SPILL {
        match spill.front() {
            Some(f) if retry(f) => {
                spill.pop_front();
            }
            _ => std::hint::spin_loop(),
        }
    }
    spill.push_back(item);
}

/// The engine stage (see the module doc).
pub struct EngineStage {
    engine: Engine,
    clock: LiveClock,
    quotes: Vec<rtrb::Consumer<Stamped>>,
    reports: Vec<rtrb::Consumer<ExecReport>>,
    orders: Orders,
    receipts: Receipts,
    control: Control,
    shared: EngineShared,
    next_poll: TsNs,
    drain_deadline: Option<TsNs>,
    drain_ms: i64,
    /// `Stop` was written.
    stopped: bool,
    /// (open tickets, quotes) as last stored into `shared`.
    published: (u64, u64),
    /// When the opening path was last rehearsed ([`WARM_EVERY_NS`]).
    rehearsed_at: TsNs,
}

impl std::fmt::Debug for EngineStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineStage").finish_non_exhaustive()
    }
}

/// The rings and handles an engine stage is built from.
#[derive(Debug)]
pub struct EngineWiring {
    /// One consumer per feed.
    pub quotes: Vec<rtrb::Consumer<Stamped>>,
    /// One consumer per gateway stage.
    pub reports: Vec<rtrb::Consumer<ExecReport>>,
    /// One producer per gateway (order ring).
    pub orders: Vec<rtrb::Producer<OrderMsg>>,
    /// Order ring index per instrument (`usize::MAX` = none).
    pub route: Vec<usize>,
    /// The receipt ring.
    pub receipts: rtrb::Producer<Event>,
    /// The metrics ring.
    pub metrics: Recorder,
    /// The journal ring (to the receipt stage).
    pub journal: rtrb::Producer<Record>,
    /// The kill switch the cold thread raises.
    pub shared_kill: KillSwitch,
    /// The kill switch the engine was built with (mirrored from `shared_kill` between inputs).
    pub engine_kill: KillSwitch,
}

impl EngineStage {
    /// Builds the stage; `drain_ms` bounds how long open tickets may take after a stop request.
    pub fn new(
        engine: Engine,
        clock: LiveClock,
        w: EngineWiring,
        control: Control,
        shared: EngineShared,
        drain_ms: i64,
    ) -> EngineStage {
        EngineStage {
            engine,
            quotes: w.quotes,
            reports: w.reports,
            orders: Orders {
                rings: w.orders,
                route: w.route,
                spill: VecDeque::with_capacity(SPILL),
                raw_quote: 0,
                raw_taken: 0,
                clock: clock.clone(),
                metrics: w.metrics,
                unrouted: 0,
                tap: Tap::new(w.journal, w.shared_kill, w.engine_kill),
            },
            receipts: Receipts {
                ring: w.receipts,
                spill: VecDeque::with_capacity(SPILL),
                failed: shared.receipts_failed.clone(),
                emits: 0,
                emits_ok: ALL_EMITS_OK,
            },
            clock,
            control,
            shared,
            next_poll: TsNs(i64::MIN),
            drain_deadline: None,
            drain_ms,
            stopped: false,
            published: (u64::MAX, u64::MAX),
            rehearsed_at: TsNs::ZERO,
        }
    }

    /// Writes the `Start` receipt (cold, before the threads start).
    pub fn start(&mut self, cfg: &crate::config::Config) {
        let now = self.clock.now();
        self.begin();
        self.engine.start(now, 0, cfg, &mut self.receipts);
        self.end(&Entry::Start { seed: 0 }, now);
    }

    /// Before an engine input.
    #[inline]
    fn begin(&mut self) {
        self.orders.tap.begin();
        self.receipts.begin();
    }

    /// After an engine input: journals it.
    #[inline]
    fn end(&mut self, e: &Entry, now: TsNs) {
        self.orders.tap.end(e, now, self.receipts.emits_ok);
    }

    fn timer(&mut self, now: TsNs) {
        self.orders.raw_quote = 0;
        self.orders.raw_taken = 0;
        self.begin();
        self.engine
            .on_timer(now, &mut self.orders, &mut self.receipts);
        self.end(&Entry::Timer, now);
    }

    fn stop(&mut self, now: TsNs) {
        self.begin();
        self.engine.stop(now, &mut self.receipts);
        self.end(&Entry::Stop, now);
    }

    /// Receipts and journal records all reached their rings.
    fn flushed(&self) -> bool {
        self.receipts.spill.is_empty() && self.orders.tap.is_flushed()
    }

    /// Stores the open tickets and then the quotes stepped into `shared` when they changed.
    /// Storing them on every spin of the loop kept their cache line moving between this core
    /// and every reader's (the feed of `benches/tick_to_order.rs` polls them): each store then
    /// waits for the line to come back.
    fn publish(&mut self) {
        let now = (
            self.engine.executor().open_tickets() as u64,
            self.engine.stats().quotes,
        );
        if now != self.published {
            self.published = now;
            self.shared.open_tickets.store(now.0, Ordering::Relaxed);
            self.shared.quotes_done.store(now.1, Ordering::Release);
        }
    }

    fn flush_spills(&mut self) -> usize {
        let mut n = self.orders.tap.flush();
        while let Some(e) = self.receipts.spill.front() {
            if self.receipts.ring.push(*e).is_err() {
                break;
            }
            self.receipts.spill.pop_front();
            n += 1;
        }
        while let Some((r, m)) = self.orders.spill.front() {
            if self.orders.rings[*r].push(*m).is_err() {
                break;
            }
            self.orders.spill.pop_front();
            n += 1;
        }
        n
    }

    fn drain(&mut self, now: TsNs) {
        if self.stopped {
            if self.flushed() {
                self.shared.done.store(true, Ordering::Release);
            }
            return;
        }
        let deadline = *self
            .drain_deadline
            .get_or_insert(now.plus_ms(self.drain_ms));
        let open = self.engine.executor().open_tickets();
        if (open == 0 || now >= deadline) && self.receipts.spill.is_empty() {
            // A last poll records the kill switch (engaged by the stop) before `Stop`.
            self.timer(now);
            self.stop(now);
            self.stopped = true;
            if self.flushed() {
                self.shared.done.store(true, Ordering::Release);
            }
        }
    }
}

impl Stage for EngineStage {
    fn name(&self) -> &'static str {
        "trigger"
    }

    fn do_work(&mut self) -> usize {
        let mut n = self.flush_spills();
        if self.stopped {
            // `Stop` is written: nothing may follow it in the log.
            if self.flushed() {
                self.shared.done.store(true, Ordering::Release);
            }
            return n;
        }
        for i in 0..self.reports.len() {
            for _ in 0..BATCH {
                let Ok(r) = self.reports[i].pop() else { break };
                let now = self.clock.now();
                self.orders.raw_quote = 0;
                self.orders.raw_taken = 0;
                self.begin();
                self.engine
                    .on_report(&r, now, &mut self.orders, &mut self.receipts);
                self.end(&Entry::Report(r), now);
                n += 1;
            }
        }
        for i in 0..self.quotes.len() {
            for _ in 0..BATCH {
                let Ok(s) = self.quotes[i].pop() else { break };
                let raw = self.clock.raw();
                self.orders.raw_quote = s.raw;
                self.orders.raw_taken = raw;
                let now = self.clock.to_utc(raw);
                self.begin();
                self.engine
                    .on_quote(&s.quote, now, &mut self.orders, &mut self.receipts);
                // Recorded after the quote's orders left (same stamps): a metrics ring push
                // before `on_quote` delayed every order by its cache miss.
                self.orders.metrics.record(Span::FeedToEngine, s.raw, raw);
                self.end(&Entry::Quote(QuoteRef::of(&s.quote)), now);
                n += 1;
            }
        }
        let now = self.clock.now();
        if n == 0 && now.since(self.rehearsed_at) >= WARM_EVERY_NS {
            self.rehearsed_at = now;
            self.engine.rehearse(now);
        }
        let due = self.engine.next_deadline().is_some_and(|d| d <= now);
        // Risk polls start with the first quote, as in replay (whose first step is a quote):
        // polling an empty book table would measure feed staleness from the session open.
        let polling = self.engine.stats().quotes > 0 && now >= self.next_poll;
        if due || polling {
            self.timer(now);
            self.next_poll = now.plus_ns(POLL_NS);
            n += usize::from(due);
        }
        self.publish();
        if self.control.phase() == Phase::Draining {
            self.drain(now);
        }
        n
    }

    fn finish(&mut self) {
        // A stop that skipped the drain (start-up failure) still ends the log with `Stop`.
        if !self.stopped {
            let now = self.clock.now();
            self.stop(now);
        }
        // Bounded: the receipt stage may already be gone on an abnormal stop.
        for _ in 0..10_000 {
            if self.flushed() {
                break;
            }
            if self.flush_spills() == 0 {
                std::thread::yield_now();
            }
        }
        self.shared.done.store(true, Ordering::Release);
    }
}
