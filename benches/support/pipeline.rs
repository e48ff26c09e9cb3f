//! The threaded pipeline of `crossarb run` — engine stage (the real `Engine`), gateway stage
//! (FIX encode), receipt stage (receipt log + capture) from `crossarb::runtime::pipeline` — with
//! two seams: each venue is a [`LoopbackLink`] (the real FIX session, no socket; the venue acks
//! and fills every order at its price) and the feed stage is a [`PacedFeed`] (a preloaded quote
//! list in place of the socket; stamping and the two ring pushes are those of the live feed
//! handler). Stages are placed by the config's `[threads]` (the feed as `domestic_feed`).
//!
//! Quotes for `config/bench-threshold.toml` ([`dislocations`]): one overseas quote, then
//! domestic quotes alternating ±20 ticks around it, so that every domestic quote crosses the
//! ±15.25-tick band the other way and the trigger opens a ticket (sell A / buy B, then the
//! mirror) on each.
//!
//! Used by `benches/tick_to_order.rs` and `tests/alloc_pipeline.rs` (included there with
//! `#[path]`).

#![allow(dead_code)] // each includer uses a different part

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossarb::clock::{Clock, LiveClock};
use crossarb::config::Config;
use crossarb::domain::{Px, Qty, Quote};
use crossarb::engine::Engine;
use crossarb::feed::capture::CaptureWriter;
use crossarb::feed::journal::{self, JournalWriter};
use crossarb::feed::live::Stamped;
use crossarb::receipt::ReceiptWriter;
use crossarb::runtime::metrics::{Recorder, Sample};
use crossarb::runtime::pipeline::engine_stage::{EngineShared, EngineStage, EngineWiring};
use crossarb::runtime::pipeline::gateway_stage::{GatewayStage, Venue};
use crossarb::runtime::pipeline::loopback::LoopbackLink;
use crossarb::runtime::pipeline::receipt_stage::ReceiptStage;
use crossarb::runtime::pipeline::{
    capture_header, CAPTURE_RING, JOURNAL_RING, METRICS_RING, ORDER_RING, QUOTE_RING, RECEIPT_RING,
    REPORT_RING,
};
use crossarb::runtime::threads::Placed;
use crossarb::runtime::{Control, Stage};
use crossarb::trigger::KillSwitch;
use rtrb::RingBuffer;

/// `config/bench-threshold.toml` with `[threads]` appended and receipts in `dir`. Its
/// `risk.orders_per_sec_max` is already the largest the risk gate takes (4096, a fixed ring):
/// callers pace quotes at least [`GAP_NS_MIN`] apart so that two orders per quote stay under it.
pub fn config(dir: &Path, threads: &str) -> Config {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/bench-threshold.toml");
    let text = std::fs::read_to_string(&src).expect("config/bench-threshold.toml reads");
    let text = text.replace("../target/receipts/bench-threshold", "receipts");
    let text = format!("{text}\n[threads]\n{threads}\n");
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, text).expect("bench config writes");
    crossarb::config::load(&path).expect("the bench config loads")
}

/// `n` quotes: one overseas quote, then `n - 1` domestic quotes alternating +20 / −20 ticks.
pub fn dislocations(cfg: &Config, n: usize) -> Vec<Quote> {
    let (dom, ovs) = (
        &cfg.instruments[cfg.pair.domestic.idx()],
        &cfg.instruments[cfg.pair.overseas.idx()],
    );
    let q = |ins: &crossarb::config::Instrument, seq: u64, bid: i64| Quote {
        seq,
        bid_px: Px(bid),
        ask_px: Px(bid + 2),
        bid_qty: Qty(100),
        ask_qty: Qty(100),
        venue: ins.venue,
        instrument: ins.id,
        ..Quote::default()
    };
    let mut out = Vec::with_capacity(n);
    out.push(q(ovs, 1, 10_000));
    for i in 1..n {
        let bid = if i % 2 == 1 { 10_020 } else { 9_980 };
        out.push(q(dom, i as u64, bid));
    }
    out
}

/// Two orders per quote every 520 µs = 3846 orders/s, under the 4096/s order-rate gate.
pub const GAP_NS_MIN: u64 = 520_000;

/// How the [`PacedFeed`] paces and what it publishes.
#[derive(Debug, Default)]
pub struct FeedProgress {
    /// Quotes pushed.
    pub sent: AtomicU64,
    /// Quotes pushed after [`PacedFeed::wait_ns_max`] while a ticket was still open.
    pub forced: AtomicU64,
}

/// The feed stage of the bench: pushes its next quote when the engine has stepped the previous
/// one and has no open ticket (or after `wait_ns_max`), and the previous one is at least
/// `gap_ns` old.
///
/// The next quote waits staged in one cache line that every idle step reads, as a live feed
/// handler has a frame's bytes in hand (just received) when it stamps it: taken from the
/// 2.5 MB quote list at stamp time instead, its cache miss counted in every tick-to-order.
pub struct PacedFeed {
    quotes: Vec<Quote>,
    next: usize,
    staged: Staged,
    engine: rtrb::Producer<Stamped>,
    capture: rtrb::Producer<Quote>,
    clock: LiveClock,
    open_tickets: Arc<AtomicU64>,
    quotes_done: Arc<AtomicU64>,
    last_raw: u64,
    gap_ns: u64,
    /// Longest wait for an open ticket before the next quote goes anyway.
    pub wait_ns_max: u64,
    progress: Arc<FeedProgress>,
    qclock: quanta::Clock,
}

/// A quote alone in its cache line.
#[repr(align(64))]
struct Staged(Quote);

impl Stage for PacedFeed {
    fn name(&self) -> &'static str {
        "domestic_feed"
    }

    fn do_work(&mut self) -> usize {
        if self.next == self.quotes.len() {
            return 0;
        }
        let raw = self.clock.raw();
        let waited = self.qclock.delta_as_nanos(self.last_raw, raw);
        // `quotes_done` first (acquire): `open_tickets` is then at least as new as that step.
        let stepped = self.quotes_done.load(Ordering::Acquire) >= self.next as u64;
        let idle = stepped && self.open_tickets.load(Ordering::Relaxed) == 0;
        if waited < self.gap_ns || (!idle && waited < self.wait_ns_max) {
            std::hint::black_box(self.staged.0.seq);
            return 0;
        }
        if !idle {
            self.progress.forced.fetch_add(1, Ordering::Relaxed);
        }
        // As `feed::live`: stamp at receive, the engine's ring first, then the capture ring.
        let now = self.clock.to_utc(raw);
        let mut q = self.staged.0;
        q.ts_exchange = now;
        q.ts_recv = now;
        if self.engine.push(Stamped { quote: q, raw }).is_err() {
            return 0;
        }
        let _ = self.capture.push(q);
        self.next += 1;
        self.staged = Staged(self.quotes.get(self.next).copied().unwrap_or_default());
        self.last_raw = raw;
        self.progress
            .sent
            .store(self.next as u64, Ordering::Release);
        1
    }
}

/// The assembled pipeline, not yet running.
pub struct Pipeline {
    /// Feed, engine, gateway and receipt stages with their `[threads]` placement.
    pub stages: Vec<Placed>,
    /// Metrics rings: engine stage first, then gateway stage.
    pub metrics: Vec<rtrb::Consumer<Sample>>,
    /// Engine state (open tickets, done).
    pub shared: EngineShared,
    /// Feed progress.
    pub progress: Arc<FeedProgress>,
    /// Shutdown.
    pub control: Control,
    /// Quotes the feed will send.
    pub quotes: usize,
}

/// Builds the stages around `quotes` (receipt log and capture under `dir`); the feed waits
/// `gap_ns` between quotes at least.
pub fn assemble(cfg: &Config, dir: &Path, quotes: Vec<Quote>, gap_ns: u64) -> Pipeline {
    let clock = LiveClock::new();
    let control = Control::new();
    let shared = EngineShared::default();
    let progress = Arc::new(FeedProgress::default());
    let mut metrics = Vec::new();
    let mut recorder = || {
        let (p, c) = RingBuffer::<Sample>::new(METRICS_RING);
        metrics.push(c);
        Recorder::new(p)
    };
    let engine_metrics = recorder();
    let gateway_metrics = recorder();
    let (qp, qc) = RingBuffer::new(QUOTE_RING);
    let (cp, cc) = RingBuffer::new(CAPTURE_RING);
    let n = quotes.len();
    let feed = PacedFeed {
        staged: Staged(quotes.first().copied().unwrap_or_default()),
        quotes,
        next: 0,
        engine: qp,
        capture: cp,
        clock: clock.clone(),
        open_tickets: shared.open_tickets.clone(),
        quotes_done: shared.quotes_done.clone(),
        last_raw: clock.raw(),
        gap_ns,
        wait_ns_max: 50_000_000,
        progress: progress.clone(),
        qclock: quanta::Clock::new(),
    };
    // One gateway venue (order ring + loopback link) per venue of the config.
    let now = clock.now();
    let mut route = vec![usize::MAX; cfg.instruments.len()];
    let (mut order_tx, mut venues) = (Vec::new(), Vec::new());
    for (k, v) in cfg.venues.iter().enumerate() {
        let link = LoopbackLink::new(cfg, crossarb::domain::VenueId(k as u16), now)
            .unwrap_or_else(|e| panic!("venue {}: {e}", v.name));
        let (op, oc) = RingBuffer::new(ORDER_RING);
        for i in cfg.instruments.iter().filter(|i| i.venue.idx() == k) {
            route[i.id.idx()] = order_tx.len();
        }
        order_tx.push(op);
        venues.push(Venue {
            driver: link,
            orders: oc,
        });
    }
    let (rp, rc) = RingBuffer::new(REPORT_RING);
    let gateway = GatewayStage::new(venues, rp, clock.clone(), gateway_metrics);
    let (ep, ec) = RingBuffer::new(RECEIPT_RING);
    let start = clock.now();
    let writer = ReceiptWriter::create(
        &dir.join("receipts"),
        cfg.source.hash,
        start,
        cfg.receipts.segment_bytes,
        cfg.receipts.fsync,
    )
    .expect("receipt log creates");
    let header = capture_header(cfg, start).expect("capture header");
    let capture =
        CaptureWriter::create(&dir.join("session.cap"), &header).expect("capture creates");
    let journal = JournalWriter::create(
        &journal::path_for_capture(&dir.join("session.cap")),
        cfg.source.hash,
        start,
    )
    .expect("journal creates");
    let (jp, jc) = RingBuffer::new(JOURNAL_RING);
    let mut receipts = ReceiptStage::new(
        writer,
        ec,
        capture,
        vec![cc],
        cfg.receipts.fsync,
        shared.receipts_failed.clone(),
    );
    receipts.set_journal(journal, jc);
    let engine_kill = KillSwitch::new();
    let engine = Engine::new(cfg, engine_kill.clone()).expect("engine builds from the config");
    let wiring = EngineWiring {
        quotes: vec![qc],
        reports: vec![rc],
        orders: order_tx,
        route,
        receipts: ep,
        metrics: engine_metrics,
        journal: jp,
        shared_kill: KillSwitch::new(),
        engine_kill,
    };
    let mut engine = EngineStage::new(
        engine,
        clock,
        wiring,
        control.clone(),
        shared.clone(),
        cfg.execution.ticket_deadline_ms,
    );
    engine.start(cfg);
    let t = &cfg.threads;
    let stages = vec![
        Placed {
            stage: Box::new(feed),
            at: t.domestic_feed,
        },
        Placed {
            stage: Box::new(engine),
            at: t.trigger,
        },
        Placed {
            stage: Box::new(gateway),
            at: t.gateway,
        },
        Placed {
            stage: Box::new(receipts),
            at: t.receipts,
        },
    ];
    Pipeline {
        stages,
        metrics,
        shared,
        progress,
        control,
        quotes: n,
    }
}
