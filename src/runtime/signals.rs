//! SIGINT / SIGTERM → a flag the cold thread polls. `signal-hook` registers an async-signal-safe
//! handler that only stores to an `AtomicBool` (hand-written `sigaction` code would need `unsafe`
//! and get the restrictions of signal context wrong easily; signal-hook is the de-facto standard,
//! maintained, and used by tokio/crossterm). Nothing else happens in signal context.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set once SIGINT or SIGTERM arrived.
#[derive(Clone, Debug)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    /// Installs the handlers (cold, start-up).
    pub fn install() -> std::io::Result<StopSignal> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(sig, Arc::clone(&flag))?;
        }
        Ok(StopSignal(flag))
    }

    /// A flag no signal sets (tests and benches stop through [`StopSignal::raise`]).
    pub fn manual() -> StopSignal {
        StopSignal(Arc::new(AtomicBool::new(false)))
    }

    /// True once a stop was asked for.
    pub fn raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Asks for a stop as a signal would.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
