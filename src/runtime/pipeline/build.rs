//! Builds every stage and ring of a live run from the config (cold, start-up). Anything that
//! can fail — binding a socket, creating the receipt log or the capture, loading a FIX sequence
//! file, pinning — fails here, before any thread starts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rtrb::RingBuffer;

use super::engine_stage::{EngineShared, EngineStage, EngineWiring};
use super::gateway_stage::{GatewayStage, Venue};
use super::receipt_stage::ReceiptStage;
use super::{
    LiveOptions, CAPTURE_RING, JOURNAL_RING, METRICS_RING, ORDER_RING, QUOTE_RING, RECEIPT_RING,
    REPORT_RING,
};
use crate::clock::{Clock, LiveClock};
use crate::config::{Config, GatewayKind, StageThread};
use crate::engine::Engine;
use crate::feed::capture::{CaptureHeader, CaptureInstrument, CaptureWriter};
use crate::feed::decimal::Decimal;
use crate::feed::journal::{self, JournalWriter};
use crate::feed::live::FeedHandler;
use crate::gateway::fix::driver::FixDriver;
use crate::gateway::fix::{Credential, Instruments, SeqFile, Session, SessionConfig};
use crate::receipt::ReceiptWriter;
use crate::runtime::metrics::{Recorder, Sample};
use crate::runtime::threads::{Placed, ThreadError};
use crate::runtime::{Control, Stage};
use crate::trigger::KillSwitch;

/// Why the live engine could not start (or ended badly).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// `[live]` lacks what `run` needs.
    #[error("{0}")]
    Config(String),
    /// A socket could not be bound or created.
    #[error("{what}: {source}")]
    Io {
        /// Which socket or file.
        what: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The engine could not be built.
    #[error("config: {0}")]
    Engine(#[from] crate::engine::EngineError),
    /// The receipt log could not be created.
    #[error("receipts: {0}")]
    Receipts(#[from] crate::receipt::WriteError),
    /// The capture could not be created.
    #[error("capture: {0}")]
    Capture(#[from] crate::feed::capture::CaptureError),
    /// The input journal could not be created.
    #[error("journal: {0}")]
    Journal(#[from] crate::feed::journal::JournalError),
    /// A FIX session could not be set up.
    #[error("{0}")]
    Fix(String),
    /// Threads could not be placed.
    #[error(transparent)]
    Threads(ThreadError),
    /// A stage thread panicked.
    #[error("stage thread(s) panicked: {0}")]
    Panicked(String),
}

/// Counters a feed stage publishes for the cold thread (relaxed stores after each busy step).
#[derive(Debug, Default)]
pub struct FeedCounters {
    /// Quotes delivered, frames, bad frames, gaps, missing records, engine-ring refusals,
    /// capture-ring drops.
    pub v: [AtomicU64; 7],
}

struct FeedStage {
    h: FeedHandler,
    name: &'static str,
    counters: Arc<FeedCounters>,
}

impl Stage for FeedStage {
    fn name(&self) -> &'static str {
        self.name
    }

    fn do_work(&mut self) -> usize {
        let n = self.h.step();
        if n > 0 {
            let s = self.h.stats;
            let g = self.h.gaps;
            let vals = [
                s.quotes,
                s.frames,
                s.bad_frames,
                g.gaps,
                g.missing,
                s.engine_ring_full,
                s.capture_ring_full,
            ];
            for (a, v) in self.counters.v.iter().zip(vals) {
                a.store(v, Ordering::Relaxed);
            }
        }
        n
    }
}

/// Everything `run` needs after start-up.
pub struct Built {
    /// Stages with their placement.
    pub stages: Vec<Placed>,
    /// Metrics rings of the hot stages.
    pub metrics: Vec<rtrb::Consumer<Sample>>,
    /// Engine state for the drain.
    pub shared: EngineShared,
    /// Kill switch (file watcher, signal).
    pub kill: KillSwitch,
    /// The clock.
    pub clock: LiveClock,
    /// Per-feed counter lines.
    pub counters: Vec<Box<dyn Fn() -> String>>,
    /// First receipt/capture write error.
    pub write_error: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Built")
            .field("stages", &self.stages)
            .finish_non_exhaustive()
    }
}

fn metrics_ring(all: &mut Vec<rtrb::Consumer<Sample>>) -> Recorder {
    let (p, c) = RingBuffer::new(METRICS_RING);
    all.push(c);
    Recorder::new(p)
}

/// The capture header of a live session: the config's venues and instruments, in config ids.
pub fn capture_header(
    cfg: &Config,
    created_at: crate::domain::TsNs,
) -> Result<CaptureHeader, LiveError> {
    let mut instruments = Vec::new();
    for i in &cfg.instruments {
        let tick = Decimal::from_f64_shortest(i.tick_size).ok_or_else(|| {
            LiveError::Config(format!(
                "instruments[{}].tick_size: not a decimal",
                i.id.idx()
            ))
        })?;
        instruments.push(CaptureInstrument {
            symbol: i.symbol.clone(),
            venue: i.venue,
            tick_size: tick,
            lot_size: Decimal::from_f64_shortest(i.lot_size),
        });
    }
    Ok(CaptureHeader {
        created_at,
        note: format!("crossarb run live capture ({})", cfg.pair.name),
        venues: cfg.venues.iter().map(|v| v.name.clone()).collect(),
        instruments,
    })
}

fn feed_placement(cfg: &Config, venue: crate::domain::VenueId) -> (&'static str, StageThread) {
    let dom = cfg.instruments[cfg.pair.domestic.idx()].venue;
    let ovs = cfg.instruments[cfg.pair.overseas.idx()].venue;
    if venue == dom {
        ("domestic_feed", cfg.threads.domestic_feed)
    } else if venue == ovs {
        ("overseas_feed", cfg.threads.overseas_feed)
    } else {
        ("fx_feed", cfg.threads.fx_feed)
    }
}

fn session_config(f: &crate::config::LiveFix) -> SessionConfig {
    SessionConfig {
        sender: f.sender_comp_id.clone().into_bytes(),
        target: f.target_comp_id.clone().into_bytes(),
        heart_bt_s: f.heart_bt_s,
        reset_on_logon: f.reset_on_logon,
        username: None::<Credential>,
        password: None,
        logon_timeout_ms: 5_000,
        logout_timeout_ms: 2_000,
        resend_age_max_ms: 1_000,
        resend_capacity: 1024,
        orders_capacity: 4096,
        outbound_bytes: 1 << 16,
    }
}

/// A venue with `gateway = "ctp"` needs its `[[live.ctp]]` session, and a build with feature
/// `ctp` to run it: refused at start-up, naming the field, rather than trading one leg only.
fn check_ctp(cfg: &Config) -> Result<(), LiveError> {
    let path = cfg.source.path.display();
    for v in cfg.venues.iter().filter(|v| v.gateway == GatewayKind::Ctp) {
        let Some(k) = cfg.live.ctp.iter().position(|c| c.venue == v.id) else {
            return Err(LiveError::Config(format!(
                "{path}: venues[{}].gateway = \"ctp\" (venue {:?}) needs a [[live.ctp]] entry \
                 for `crossarb run` (front, broker_id, user_id, password, app_id, auth_code, \
                 flow_dir, instruments)",
                v.id.idx(),
                v.name
            )));
        };
        if !cfg!(feature = "ctp") {
            return Err(LiveError::Config(format!(
                "{path}: venues[{}].gateway = \"ctp\" (live.ctp[{k}], venue {:?}): this crossarb \
                 was built without the CTP gateway; rebuild with `cargo build --release \
                 --features ctp` (README, \"Domestic leg over CTP\")",
                v.id.idx(),
                v.name
            )));
        }
    }
    Ok(())
}

/// Builds stages and rings (see the module doc).
pub fn build(cfg: &Config, opts: &LiveOptions, control: &Control) -> Result<Built, LiveError> {
    check_ctp(cfg)?;
    if cfg.live.feeds.is_empty() {
        return Err(LiveError::Config(format!(
            "{}: [live] needs at least one [[live.feeds]] entry for `crossarb run`",
            cfg.source.path.display()
        )));
    }
    let clock = LiveClock::new();
    let kill = KillSwitch::new();
    let mut metrics = Vec::new();
    let mut stages = Vec::new();
    let mut counters: Vec<Box<dyn Fn() -> String>> = Vec::new();
    let (mut quote_rx, mut capture_rx) = (Vec::new(), Vec::new());
    for f in &cfg.live.feeds {
        let (qp, qc) = RingBuffer::new(QUOTE_RING);
        let (cp, cc) = RingBuffer::new(CAPTURE_RING);
        let h = FeedHandler::bind(f.transport, clock.clone(), qp, cp).map_err(|source| {
            LiveError::Io {
                what: format!("live.feeds ({:?})", f.transport),
                source,
            }
        })?;
        quote_rx.push(qc);
        capture_rx.push(cc);
        let (name, at) = feed_placement(cfg, f.venue);
        let c = Arc::new(FeedCounters::default());
        let (c2, vname) = (c.clone(), cfg.venues[f.venue.idx()].name.clone());
        counters.push(Box::new(move || {
            let v: Vec<u64> = c2.v.iter().map(|a| a.load(Ordering::Relaxed)).collect();
            format!(
                "feed {vname}: {} quotes in {} frames, {} bad frames, {} gaps ({} records missing), {} refused (engine ring full), {} not captured",
                v[0], v[1], v[2], v[3], v[4], v[5], v[6]
            )
        }));
        stages.push(Placed {
            stage: Box::new(FeedStage {
                h,
                name,
                counters: c,
            }),
            at,
        });
    }
    // Gateways: one order ring per FIX venue.
    let mut route = vec![usize::MAX; cfg.instruments.len()];
    let (mut order_tx, mut venues) = (Vec::new(), Vec::new());
    for (k, f) in cfg.live.fix.iter().enumerate() {
        let ins = Instruments::from_config(&cfg.instruments, f.venue)
            .map_err(|e| LiveError::Fix(format!("live.fix[{k}]: {e}")))?;
        let seq_file = SeqFile::new(
            cfg.receipts
                .dir
                .join(format!("fix-{}.seq", cfg.venues[f.venue.idx()].name)),
        );
        let seqs = seq_file
            .load()
            .map_err(|e| LiveError::Fix(format!("live.fix[{k}]: {e}")))?;
        let session = Session::new(session_config(f), ins, seqs)
            .map_err(|e| LiveError::Fix(format!("live.fix[{k}]: {e}")))?;
        let driver =
            FixDriver::new(session, f.addr, seq_file, f.reconnect_delay_ms).map_err(|source| {
                LiveError::Io {
                    what: format!("live.fix[{k}] poll"),
                    source,
                }
            })?;
        let (op, oc) = RingBuffer::new(ORDER_RING);
        for i in cfg.instruments.iter().filter(|i| i.venue == f.venue) {
            route[i.id.idx()] = order_tx.len();
        }
        order_tx.push(op);
        venues.push(Venue { driver, orders: oc });
    }
    let (rp, rc) = RingBuffer::new(REPORT_RING);
    let gateway = GatewayStage::new(venues, rp, clock.clone(), metrics_ring(&mut metrics));
    // Feature `ctp` adds one report ring per CTP stage.
    #[cfg_attr(not(feature = "ctp"), allow(unused_mut))]
    let mut report_rx = vec![rc];
    // CTP: one order ring and one stage per [[live.ctp]] venue.
    #[cfg(feature = "ctp")]
    for k in 0..cfg.live.ctp.len() {
        let (op, oc) = RingBuffer::new(ORDER_RING);
        let (rp, rc) = RingBuffer::new(REPORT_RING);
        let stage = super::ctp_stage::CtpStage::start(cfg, k, clock.clone(), oc, rp)?;
        let venue = cfg.live.ctp[k].venue;
        for i in cfg.instruments.iter().filter(|i| i.venue == venue) {
            route[i.id.idx()] = order_tx.len();
        }
        order_tx.push(op);
        report_rx.push(rc);
        stages.push(Placed {
            stage: Box::new(stage),
            at: cfg.threads.gateway,
        });
    }
    // Receipts and capture.
    let start = clock.now();
    std::fs::create_dir_all(&cfg.receipts.dir).map_err(|source| LiveError::Io {
        what: format!("receipts.dir {}", cfg.receipts.dir.display()),
        source,
    })?;
    let writer = ReceiptWriter::create(
        &opts.receipts_dir,
        cfg.source.hash,
        start,
        cfg.receipts.segment_bytes,
        cfg.receipts.fsync,
    )?;
    let capture = CaptureWriter::create(&opts.capture_path, &capture_header(cfg, start)?)?;
    let journal = JournalWriter::create(
        &journal::path_for_capture(&opts.capture_path),
        cfg.source.hash,
        start,
    )?;
    let shared = EngineShared::default();
    let (ep, ec) = RingBuffer::new(RECEIPT_RING);
    let (jp, jc) = RingBuffer::new(JOURNAL_RING);
    let mut receipts = ReceiptStage::new(
        writer,
        ec,
        capture,
        capture_rx,
        cfg.receipts.fsync,
        shared.receipts_failed.clone(),
    );
    receipts.set_journal(journal, jc);
    let write_error = receipts.error.clone();
    // The engine reads its own switch, set from the shared one between inputs (journalled).
    let engine_kill = KillSwitch::new();
    let engine = Engine::new(cfg, engine_kill.clone())?;
    let wiring = EngineWiring {
        quotes: quote_rx,
        reports: report_rx,
        orders: order_tx,
        route,
        receipts: ep,
        metrics: metrics_ring(&mut metrics),
        journal: jp,
        shared_kill: kill.clone(),
        engine_kill,
    };
    let drain_ms = cfg.execution.ticket_deadline_ms;
    let mut engine = EngineStage::new(
        engine,
        clock.clone(),
        wiring,
        control.clone(),
        shared.clone(),
        drain_ms,
    );
    engine.start(cfg);
    stages.push(Placed {
        stage: Box::new(engine),
        at: cfg.threads.trigger,
    });
    stages.push(Placed {
        stage: Box::new(gateway),
        at: cfg.threads.gateway,
    });
    stages.push(Placed {
        stage: Box::new(receipts),
        at: cfg.threads.receipts,
    });
    Ok(Built {
        stages,
        metrics,
        shared,
        kill,
        clock,
        counters,
        write_error,
    })
}
