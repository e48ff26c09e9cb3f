//! SIGINT / SIGTERM → a stop flag, SIGUSR1 → a report request (print the latency histograms
//! and counters now); the cold thread polls both. `signal-hook` registers an async-signal-safe
//! handler that only stores to an `AtomicBool` (hand-written `sigaction` code would need `unsafe`
//! and get the restrictions of signal context wrong easily; signal-hook is the de-facto standard,
//! maintained, and used by tokio/crossterm). Nothing else happens in signal context.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set once SIGINT or SIGTERM arrived; also carries SIGUSR1's report requests.
#[derive(Clone, Debug)]
pub struct StopSignal {
    stop: Arc<AtomicBool>,
    report: Arc<AtomicBool>,
}

impl StopSignal {
    /// Installs the handlers (cold, start-up).
    pub fn install() -> std::io::Result<StopSignal> {
        let s = StopSignal::manual();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(sig, Arc::clone(&s.stop))?;
        }
        signal_hook::flag::register(signal_hook::consts::SIGUSR1, Arc::clone(&s.report))?;
        Ok(s)
    }

    /// A flag no signal sets (tests and benches stop through [`StopSignal::raise`]).
    pub fn manual() -> StopSignal {
        StopSignal {
            stop: Arc::new(AtomicBool::new(false)),
            report: Arc::new(AtomicBool::new(false)),
        }
    }

    /// True once a stop was asked for.
    pub fn raised(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Asks for a stop as a signal would.
    pub fn raise(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// True once per report request (SIGUSR1 or [`StopSignal::request_report`]) since the last
    /// call.
    pub fn take_report_request(&self) -> bool {
        self.report.swap(false, Ordering::Relaxed)
    }

    /// Asks for a report as SIGUSR1 would.
    pub fn request_report(&self) {
        self.report.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_request_is_taken_once_and_does_not_stop() {
        let s = StopSignal::manual();
        assert!(!s.take_report_request());
        s.clone().request_report();
        assert!(s.take_report_request());
        assert!(!s.take_report_request(), "taken: cleared");
        assert!(!s.raised());
    }
}
