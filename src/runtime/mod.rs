//! The live runtime: the ONLY module that spawns threads, pins them to cores and installs signal
//! handlers (STYLE.md "Layout"). A stage is a plain struct with a non-blocking
//! [`Stage::do_work`] step (Agrona's agent); [`threads::spawn`] places stages on threads per
//! `[threads]` — stages with the same core share one pinned thread, stepped round-robin; an
//! unpinned stage gets a thread of its own — and idles each thread with its strategy
//! ([`crate::config::Idle`]) when a whole round did no work.
//!
//! Stages talk over `rtrb` SPSC rings; every edge has an explicit full policy (see
//! [`pipeline`]). Shutdown is a [`Control`] shared by every thread: `Running` → `Draining`
//! (no new tickets; open tickets finish or are reported) → `Stopping` (each stage's
//! [`Stage::finish`] runs once on its own thread, then the thread ends).
//!
//! Layout: [`threads`] placement and idle loop; [`metrics`] latency stamps → histograms on the
//! cold thread; [`pipeline`] the engine, gateway, receipt and feed stages of `crossarb run`;
//! [`signals`] SIGINT/SIGTERM.

pub mod metrics;
pub mod pipeline;
pub mod signals;
pub mod threads;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// One unit of the pipeline, stepped by its thread.
pub trait Stage: Send {
    /// Name for errors and reports (e.g. `trigger`, `gateway`).
    fn name(&self) -> &'static str;
    /// Does a bounded amount of available work without blocking; returns how much (0 = idle).
    fn do_work(&mut self) -> usize;
    /// Runs once on the stage's thread when the runtime stops (flush, logout, close).
    fn finish(&mut self) {}
}

/// Where the runtime is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Phase {
    /// Normal operation.
    Running = 0,
    /// Stop requested: no new tickets; open tickets finish (or time out and are reported).
    Draining = 1,
    /// Threads finish their stages and exit.
    Stopping = 2,
}

/// Shared shutdown state; clones share it. Read with relaxed/acquire loads on the hot path.
#[derive(Clone, Debug, Default)]
pub struct Control(Arc<AtomicU8>);

impl Control {
    /// A runtime in [`Phase::Running`].
    pub fn new() -> Control {
        Control::default()
    }

    /// The current phase.
    #[inline]
    pub fn phase(&self) -> Phase {
        match self.0.load(Ordering::Acquire) {
            0 => Phase::Running,
            1 => Phase::Draining,
            _ => Phase::Stopping,
        }
    }

    /// Moves to `p` (never backwards).
    pub fn advance(&self, p: Phase) {
        self.0.fetch_max(p as u8, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_only_moves_forward() {
        let c = Control::new();
        let other = c.clone();
        assert_eq!(c.phase(), Phase::Running);
        other.advance(Phase::Stopping);
        c.advance(Phase::Draining);
        assert_eq!(c.phase(), Phase::Stopping);
    }
}
