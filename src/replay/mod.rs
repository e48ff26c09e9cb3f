//! Replay: the deterministic single-thread stepper. It merges the capture files (or the config's
//! synthetic feed) by receive time, and steps the [`Engine`] and the seeded [`SimExchange`]
//! against a simulated clock: at each step it takes the earliest of the next quote delivery, the
//! next simulated-exchange report and the executor's next deadline. Same input + same seed ⇒
//! byte-identical receipts.
//!
//! Time model. A quote reaches the engine at its `ts_recv` (sources without a separate exchange
//! stamp, flagged `NO_EXCHANGE_TS`, get the venue's simulated feed latency added). The simulated
//! exchange applies each quote at its `ts_exchange`: the stepper reads the merged input ahead by
//! the largest configured feed latency so that the exchange's book at an order's arrival holds
//! every quote stamped before it (quotes whose recorded receive delay exceeds that bound reach
//! the exchange when they are read, i.e. up to that delay late). Ties at one nanosecond are taken
//! in the order: exchange reports, executor timers, quotes.
//!
//! Output: receipts (through [`crate::receipt::ReceiptWriter`]) and a [`summary::Summary`]
//! computed from those same receipts.

pub mod feeds;
pub mod session;
pub mod summary;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

use crate::config::Config;
use crate::domain::{Quote, QuoteFlags, TsNs, VenueId};
use crate::engine::{Engine, EngineError, OrderSink, ReceiptSink};
use crate::exec::msg::{ExecReport, OrderRequest};
use crate::receipt::event::Event;
use crate::receipt::{ReceiptWriter, WriteError};
use crate::sim::{SimError, SimExchange, SimLimits};
use crate::trigger::{Calendar, KillSwitch};

pub use feeds::{FeedError, FeedInfo, Merge};
pub use summary::{Summary, SummaryBuilder};

/// Why a replay failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Input could not be opened or mapped.
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// The engine could not be built from the config.
    #[error("config: {0}")]
    Engine(#[from] EngineError),
    /// The simulated exchange failed (a bounded queue overflowed).
    #[error("simulated exchange: {0}")]
    Sim(#[from] SimError),
    /// The receipt log could not be written.
    #[error("receipts: {0}")]
    Receipts(#[from] WriteError),
    /// A venue calendar could not be built.
    #[error("calendar: {0}")]
    Calendar(#[from] crate::trigger::CalendarError),
    /// The synthetic feed could not be generated.
    #[error("synthetic feed: {0}")]
    Synth(#[from] crate::sim::synth::SynthError),
    /// Nothing to replay.
    #[error(
        "no input: give --feed FILE.cap or set [replay] feeds or [replay.synth] in the config"
    )]
    NoInput,
}

/// What a replay produced.
#[derive(Debug)]
pub struct Report {
    /// The summary (computed from the receipts written).
    pub summary: Summary,
    /// The feeds replayed.
    pub feeds: Vec<FeedInfo>,
    /// Records skipped because their instrument is not in the config.
    pub skipped: u64,
    /// Receipt directory written.
    pub receipts_dir: PathBuf,
}

/// Progress callback: (records read, total records).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Builds the replay input from the config: its capture feeds, or its synthetic feed.
pub fn input_from_config(cfg: &Config) -> Result<Merge, ReplayError> {
    if !cfg.replay.feeds.is_empty() {
        let feeds: Vec<(PathBuf, i64)> = cfg
            .replay
            .feeds
            .iter()
            .map(|f| (f.path.clone(), f.time_shift_ns))
            .collect();
        return Ok(Merge::open(cfg, &feeds)?);
    }
    let Some(synth) = &cfg.replay.synth else {
        return Err(ReplayError::NoInput);
    };
    let mut cals = calendars(cfg)?;
    let mut is_open = |v: VenueId, t: TsNs| cals[v.idx()].is_open(t);
    let quotes = crate::sim::synth::generate(cfg, synth, &mut is_open)?;
    let label = format!(
        "synthetic (seed {}, {} days from {})",
        synth.seed, synth.days, synth.start_date
    );
    Ok(Merge::from_quotes(cfg, quotes, &label))
}

fn calendars(cfg: &Config) -> Result<Vec<Calendar>, ReplayError> {
    Ok(cfg
        .venues
        .iter()
        .map(Calendar::new)
        .collect::<Result<Vec<_>, _>>()?)
}

/// Replays `input` through the engine against the simulated exchange (seed from
/// `cfg.replay.seed`), writing receipts into `receipts_dir` (which must hold no receipts).
pub fn run(
    cfg: &Config,
    mut input: Merge,
    receipts_dir: PathBuf,
    progress: Progress<'_>,
) -> Result<Report, ReplayError> {
    let start = input.peek_time().unwrap_or(TsNs::ZERO);
    let writer = ReceiptWriter::create(
        &receipts_dir,
        cfg.source.hash,
        start,
        cfg.receipts.segment_bytes,
        cfg.receipts.fsync,
    )?;
    let mut sink = Sink::new(writer);
    let mut stepper = Stepper::new(cfg)?;
    stepper.engine.start(start, cfg.replay.seed, cfg, &mut sink);
    let end = stepper.run(&mut input, &mut sink, progress)?;
    stepper.engine.stop(end, &mut sink);
    if let Some(e) = sink.error.take() {
        return Err(e.into());
    }
    sink.writer.close()?;
    Ok(Report {
        summary: sink.summary.finish(),
        feeds: input.info.clone(),
        skipped: input.skipped(),
        receipts_dir,
    })
}

/// Receipts go to the writer and the summary; the first write error stops new tickets. The
/// session replay ([`session`]) wraps it.
struct Sink {
    writer: ReceiptWriter,
    summary: SummaryBuilder,
    error: Option<WriteError>,
}

impl Sink {
    fn new(writer: ReceiptWriter) -> Sink {
        Sink {
            writer,
            summary: SummaryBuilder::new(),
            error: None,
        }
    }
}

impl ReceiptSink for Sink {
    fn emit(&mut self, e: Event) -> bool {
        if self.error.is_some() {
            return false;
        }
        match self.writer.append(&e) {
            Ok(_) => {
                self.summary.on_event(&e);
                true
            }
            Err(err) => {
                self.error = Some(err);
                false
            }
        }
    }
}

/// Orders the engine sends during one step, submitted to the exchange after it.
#[derive(Debug)]
struct Orders(Vec<OrderRequest>);

impl OrderSink for Orders {
    fn send(&mut self, req: &OrderRequest) {
        self.0.push(*req);
    }
}

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
struct Stepper {
    engine: Engine,
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
    fn new(cfg: &Config) -> Result<Stepper, ReplayError> {
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
    fn run(
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
                read += 1;
                if read & 0xFFFF == 0 {
                    progress(read, total);
                }
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
                    read += 1;
                    if read & 0xFFFF == 0 {
                        progress(read, total);
                    }
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
            *read += 1;
            if *read & 0xFFFF == 0 {
                progress(*read, total);
            }
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
