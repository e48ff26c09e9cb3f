//! `crossarb run`: the live engine assembled from the config — one feed stage per
//! `[[live.feeds]]`, the engine stage, one gateway stage for the `[[live.fix]]` sessions, one
//! CTP stage per `[[live.ctp]]` session (feature `ctp`), the receipt stage — on the `[threads]`
//! placement, with the calling thread as the cold thread (metrics histograms, kill switch file,
//! signals, shutdown), pinned to `[threads].metrics`'s core when one is given (after the stage
//! threads started: a thread inherits its parent's CPU set, and unpinned stages must not inherit
//! the cold thread's one core).
//!
//! Rings and their full policies (capacities are start-up constants):
//! * feed → engine (`Stamped` quotes, [`QUOTE_RING`]): full → the newest quote is refused and
//!   counted (`engine_ring_full`).
//! * feed → receipt stage (quotes for the capture, [`CAPTURE_RING`]): full → counted.
//! * engine → gateway (orders, [`ORDER_RING`]) and engine → receipts ([`RECEIPT_RING`]):
//!   full → spill queue, never dropped; receipts spilling stop new tickets.
//! * engine → receipt stage (input journal records, [`JOURNAL_RING`]): full → spill queue,
//!   never dropped (the journal `<dir>.journal` next to the capture; see [`crate::feed::journal`]).
//! * gateway → engine (reports, [`REPORT_RING`]): full → held in order, never dropped.
//! * every hot stage → cold thread (latency samples): full → counted and dropped.
//!
//! Shutdown: a stop signal (or [`LiveOptions::stop`]) engages the kill switch and moves to
//! `Draining`; the engine lets open tickets finish (up to `execution.ticket_deadline_ms`), writes
//! `Stop` and reports done; then `Stopping`: gateways log out, the receipt stage drains and
//! closes the log and the capture.

mod build;
#[cfg(feature = "ctp")]
pub mod ctp_stage;
pub mod engine_stage;
pub mod gateway_stage;
mod journal_tap;
pub mod loopback;
pub mod receipt_stage;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use build::{build, capture_header, Built, LiveError};

use super::metrics::{Latencies, Sample};
use super::signals::StopSignal;
use super::threads::{available_cores, spawn, ThreadError};
use super::{Control, Phase};
use crate::clock::Clock;

/// Quote ring per feed.
pub const QUOTE_RING: usize = 1 << 14;
/// Capture ring per feed.
pub const CAPTURE_RING: usize = 1 << 16;
/// Order ring per gateway venue.
pub const ORDER_RING: usize = 1 << 10;
/// Report ring.
pub const REPORT_RING: usize = 1 << 12;
/// Receipt ring.
pub const RECEIPT_RING: usize = 1 << 14;
/// Journal ring (one record per engine input and per order).
pub const JOURNAL_RING: usize = 1 << 16;
/// Metrics ring per stage.
pub const METRICS_RING: usize = 1 << 14;
/// While idle, the engine stage rehearses its ticket-opening path (`Engine::rehearse`) and the
/// gateway stage re-encodes its last order (`Session::warm`) this often (ns), so that the next
/// quote or order does not find that code and data evicted by the idle spin
/// (`benches/tick_to_order.rs`). Each costs roughly one opening step or one encode (a few
/// hundred ns) of its thread's time; an input arriving meanwhile waits for it.
pub const WARM_EVERY_NS: i64 = 10_000;

/// How a live run is started.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Receipt directory of this run (`receipts.dir/live-<UTC start>` by default).
    pub receipts_dir: PathBuf,
    /// Capture of every received quote.
    pub capture_path: PathBuf,
    /// Stop flag (SIGINT/SIGTERM, or raised by a test).
    pub stop: StopSignal,
}

/// What a live run did.
#[derive(Debug)]
pub struct LiveReport {
    /// Latency histograms (µs table).
    pub latency_table: String,
    /// One line per feed and gateway with its counters.
    pub counters: Vec<String>,
    /// Receipts and capture written.
    pub receipts_dir: PathBuf,
    /// Capture written.
    pub capture_path: PathBuf,
    /// A writer error, if one happened.
    pub write_error: Option<String>,
}

/// Runs the live engine until the stop flag is raised; see the module doc.
pub fn run(cfg: &crate::config::Config, opts: &LiveOptions) -> Result<LiveReport, LiveError> {
    let control = Control::new();
    let Built {
        stages,
        mut metrics,
        shared,
        kill,
        clock,
        counters,
        write_error,
    } = build(cfg, opts, &control)?;
    let cold = cold_core(cfg.threads.metrics).map_err(LiveError::Threads)?;
    let threads = spawn(stages, &control).map_err(LiveError::Threads)?;
    pin_cold(cold);
    let qclock = quanta::Clock::new();
    let mut lat = Latencies::default();
    let kill_file = cfg.risk.kill_switch_file.clone();
    let mut drain_started = None;
    let drain_ns = (cfg.execution.ticket_deadline_ms + 2_000) * 1_000_000;
    let mut tick: u64 = 0;
    loop {
        let mut n = 0;
        for m in metrics.iter_mut() {
            while let Ok(s) = m.pop() {
                lat.add(&qclock, s);
                n += 1;
            }
        }
        tick += 1;
        if tick % 50 == 0 {
            if let Some(f) = &kill_file {
                kill.sync_with_file(f);
            }
        }
        if opts.stop.take_report_request() {
            // On demand (SIGUSR1): the histograms so far, on stderr so that stdout keeps the
            // final report only.
            eprintln!("## latency (on demand)\n\n{}", lat.table());
            for c in &counters {
                eprintln!("{}", c());
            }
        }
        if opts.stop.raised() && drain_started.is_none() {
            kill.engage();
            control.advance(Phase::Draining);
            drain_started = Some(clock.now());
        }
        if let Some(t0) = drain_started {
            let waited = clock.now().since(t0);
            if shared.done.load(Ordering::Acquire) || waited > drain_ns {
                break;
            }
        }
        if n == 0 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    control.advance(Phase::Stopping);
    let failed = threads.join();
    for m in metrics.iter_mut() {
        while let Ok(s) = m.pop() {
            lat.add(&qclock, s);
        }
    }
    let write_error = write_error.lock().unwrap_or_else(|p| p.into_inner()).take();
    if !failed.is_empty() {
        return Err(LiveError::Panicked(failed.join(", ")));
    }
    Ok(LiveReport {
        latency_table: lat.table(),
        counters: counters.iter().map(|c| c()).collect(),
        receipts_dir: opts.receipts_dir.clone(),
        capture_path: opts.capture_path.clone(),
        write_error,
    })
}

/// The core `[threads].metrics` pins the cold thread to, checked against the cores the OS
/// offers (a start-up error naming `[threads].metrics` otherwise). Cold.
pub fn cold_core(at: crate::config::StageThread) -> Result<Option<usize>, ThreadError> {
    let Some(core) = at.core else {
        return Ok(None);
    };
    let cores = available_cores();
    if !cores.contains(&core) {
        return Err(ThreadError::Pin {
            stage: "metrics",
            core,
            available: cores,
        });
    }
    Ok(Some(core))
}

/// Pins the calling (cold) thread to `core` (from [`cold_core`]); returns whether it is pinned.
pub fn pin_cold(core: Option<usize>) -> bool {
    core.is_some_and(|id| core_affinity::set_for_current(core_affinity::CoreId { id }))
}

/// Drains a metrics consumer (cold thread helper, also used by the bench).
pub fn drain_samples(c: &mut rtrb::Consumer<Sample>, lat: &mut Latencies, clock: &quanta::Clock) {
    while let Ok(s) = c.pop() {
        lat.add(clock, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Idle, StageThread};

    fn at(core: Option<usize>) -> StageThread {
        StageThread {
            core,
            idle: Idle::SleepUs(2_000),
        }
    }

    #[test]
    fn a_metrics_core_pins_the_cold_thread_to_that_core_alone() {
        let core = *available_cores().last().expect("at least one core");
        let got = std::thread::spawn(move || {
            let c = cold_core(at(Some(core))).unwrap();
            assert!(pin_cold(c));
            available_cores()
        })
        .join()
        .unwrap();
        assert_eq!(got, vec![core]);
    }

    #[test]
    fn no_metrics_core_leaves_the_cold_thread_unpinned() {
        let before = available_cores();
        let got = std::thread::spawn(move || {
            assert!(!pin_cold(cold_core(at(None)).unwrap()));
            available_cores()
        })
        .join()
        .unwrap();
        assert_eq!(got, before);
    }

    #[test]
    fn a_metrics_core_the_machine_lacks_is_a_start_up_error_naming_metrics() {
        let e = cold_core(at(Some(1023))).unwrap_err().to_string();
        assert!(
            e.contains("[threads].metrics: cannot pin to core 1023"),
            "{e}"
        );
    }
}
