//! Stage placement and the thread loop. Stages with the same `core` share one thread pinned to
//! it (round-robin, one `do_work` each per round); an unpinned stage runs on a thread of its own.
//! A thread idles with the strategy of its first stage when a whole round did nothing. Pinning
//! happens on the new thread before its first step; a failed pin is a start-up error naming the
//! stage and core. Cold set-up; the loop itself allocates nothing.

use std::thread::JoinHandle;
use std::time::Duration;

use super::{Control, Phase, Stage};
use crate::config::{Idle, StageThread};

/// Why the runtime could not start its threads.
#[derive(Debug, thiserror::Error)]
pub enum ThreadError {
    /// `core_affinity` refused the core (absent, or not in this process's CPU set).
    #[error(
        "[threads].{stage}: cannot pin to core {core}: this machine offers cores {available:?}"
    )]
    Pin {
        /// Stage whose placement names the core.
        stage: &'static str,
        /// The core asked for.
        core: usize,
        /// Cores the OS offers this process.
        available: Vec<usize>,
    },
    /// The OS would not create a thread.
    #[error("cannot spawn the thread of stage {stage}: {source}")]
    Spawn {
        /// First stage of the thread.
        stage: &'static str,
        /// Cause.
        source: std::io::Error,
    },
}

/// A stage and where it runs.
pub struct Placed {
    /// The stage.
    pub stage: Box<dyn Stage>,
    /// Its placement from `[threads]`.
    pub at: StageThread,
}

impl std::fmt::Debug for Placed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Placed({}, {:?})", self.stage.name(), self.at)
    }
}

/// The running threads.
#[derive(Debug)]
pub struct Threads {
    handles: Vec<(String, JoinHandle<()>)>,
}

impl Threads {
    /// Waits for every thread (after [`Phase::Stopping`]); returns the names of threads that
    /// panicked.
    pub fn join(self) -> Vec<String> {
        let mut failed = Vec::new();
        for (name, h) in self.handles {
            if h.join().is_err() {
                failed.push(name);
            }
        }
        failed
    }
}

/// Cores the OS offers this process.
pub fn available_cores() -> Vec<usize> {
    core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// Stages of one thread and the core it is pinned to.
pub type Group = (Option<usize>, Vec<Placed>);

/// Groups stages into threads (see the module doc); every pin is checked before any thread
/// starts.
pub fn group(stages: Vec<Placed>) -> Result<Vec<Group>, ThreadError> {
    let cores = available_cores();
    let mut groups: Vec<Group> = Vec::new();
    for p in stages {
        if let Some(core) = p.at.core {
            if !cores.contains(&core) {
                return Err(ThreadError::Pin {
                    stage: p.stage.name(),
                    core,
                    available: cores,
                });
            }
            if let Some(g) = groups.iter_mut().find(|g| g.0 == Some(core)) {
                g.1.push(p);
                continue;
            }
        }
        groups.push((p.at.core, vec![p]));
    }
    Ok(groups)
}

/// Starts one thread per group; they run until `control` reaches [`Phase::Stopping`].
pub fn spawn(stages: Vec<Placed>, control: &Control) -> Result<Threads, ThreadError> {
    let groups = group(stages)?;
    let mut handles = Vec::new();
    for (core, mut group) in groups {
        let first = group[0].stage.name();
        let idle = group[0].at.idle;
        let names: Vec<&str> = group.iter().map(|p| p.stage.name()).collect();
        let name = names.join("+");
        let control = control.clone();
        let h = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                if let Some(c) = core {
                    // Checked against the offered cores above; a refusal now is the OS changing
                    // its mind, which leaves the thread unpinned rather than dead.
                    let _ = core_affinity::set_for_current(core_affinity::CoreId { id: c });
                }
                run_loop(&mut group, idle, &control);
            })
            .map_err(|source| ThreadError::Spawn {
                stage: first,
                source,
            })?;
        handles.push((name, h));
    }
    Ok(Threads { handles })
}

/// Steps `group` round-robin until stopping, then finishes each stage once.
pub fn run_loop(group: &mut [Placed], idle: Idle, control: &Control) {
    let mut backoff = Backoff::default();
    while control.phase() != Phase::Stopping {
        let mut work = 0;
        for p in group.iter_mut() {
            work += p.stage.do_work();
        }
        if work > 0 {
            backoff.reset();
        } else {
            backoff.idle(idle);
        }
    }
    for p in group.iter_mut() {
        p.stage.finish();
    }
}

/// Idle state of one thread.
#[derive(Debug, Default)]
pub struct Backoff {
    rounds: u32,
}

/// Spins before yielding, yields before parking (Agrona's BackoffIdleStrategy, simplified).
const SPINS: u32 = 64;
const YIELDS: u32 = 64;
/// Longest park of the backoff strategy.
const PARK_US_MAX: u64 = 500;

impl Backoff {
    /// Work was done: spin again next time.
    pub fn reset(&mut self) {
        self.rounds = 0;
    }

    /// Nothing to do this round: wait according to `idle`.
    pub fn idle(&mut self, idle: Idle) {
        match idle {
            Idle::BusySpin => std::hint::spin_loop(),
            Idle::SleepUs(us) => std::thread::sleep(Duration::from_micros(u64::from(us))),
            Idle::Backoff => {
                self.rounds = self.rounds.saturating_add(1);
                if self.rounds <= SPINS {
                    std::hint::spin_loop();
                } else if self.rounds <= SPINS + YIELDS {
                    std::thread::yield_now();
                } else {
                    let n = u64::from(self.rounds - SPINS - YIELDS);
                    std::thread::sleep(Duration::from_micros(n.min(PARK_US_MAX)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counter(&'static str, Arc<AtomicUsize>, usize);

    impl Stage for Counter {
        fn name(&self) -> &'static str {
            self.0
        }
        fn do_work(&mut self) -> usize {
            if self.2 == 0 {
                return 0;
            }
            self.2 -= 1;
            self.1.fetch_add(1, Ordering::Relaxed);
            1
        }
        fn finish(&mut self) {
            self.1.fetch_add(1000, Ordering::Relaxed);
        }
    }

    fn at(core: Option<usize>) -> StageThread {
        StageThread {
            core,
            idle: Idle::SleepUs(100),
        }
    }

    #[test]
    fn stages_on_the_same_core_share_one_thread_and_unpinned_ones_get_their_own() {
        let n = Arc::new(AtomicUsize::new(0));
        let core = available_cores()[0];
        let mk = |name, c| Placed {
            stage: Box::new(Counter(name, n.clone(), 5)),
            at: at(c),
        };
        let g = group(vec![
            mk("a", Some(core)),
            mk("b", None),
            mk("c", Some(core)),
        ])
        .unwrap();
        let names: Vec<Vec<&str>> = g
            .iter()
            .map(|(_, s)| s.iter().map(|p| p.stage.name()).collect())
            .collect();
        assert_eq!(names, vec![vec!["a", "c"], vec!["b"]]);
    }

    #[test]
    fn a_core_the_machine_lacks_is_a_start_up_error_naming_the_stage() {
        let n = Arc::new(AtomicUsize::new(0));
        let p = Placed {
            stage: Box::new(Counter("trigger", n, 0)),
            at: at(Some(1023)),
        };
        let e = group(vec![p]).unwrap_err().to_string();
        assert!(
            e.contains("[threads].trigger: cannot pin to core 1023"),
            "{e}"
        );
    }

    #[test]
    fn threads_run_their_stages_until_stopped_then_finish_each_once() {
        let n = Arc::new(AtomicUsize::new(0));
        let c = Control::new();
        let stages = (0..3)
            .map(|_| Placed {
                stage: Box::new(Counter("s", n.clone(), 10)),
                at: at(None),
            })
            .collect();
        let t = spawn(stages, &c).unwrap();
        for _ in 0..2000 {
            if n.load(Ordering::Relaxed) >= 30 {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        c.advance(Phase::Stopping);
        assert!(t.join().is_empty());
        assert_eq!(n.load(Ordering::Relaxed), 30 + 3000);
    }
}
