//! Replay: the deterministic single-thread stepper. It merges the capture files (or the config's
//! synthetic feed) by receive time, and steps the [`crate::engine::Engine`] and the seeded [`crate::sim::SimExchange`]
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
mod stepper;
pub mod summary;

use std::path::PathBuf;

use crate::config::Config;
use crate::domain::{TsNs, VenueId};
use crate::engine::{EngineError, OrderSink, ReceiptSink};
use crate::exec::msg::OrderRequest;
use crate::receipt::event::Event;
use crate::receipt::{ReceiptWriter, WriteError};
use crate::sim::SimError;
use crate::trigger::Calendar;
use stepper::Stepper;

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
