//! The one place time is read. Live stages hold a [`Clock`] backed by `quanta` (TSC) and read
//! raw counter values on the hot path, scaled to UTC nanoseconds on a cold thread; replay and
//! tests drive a simulated clock that only moves when the stepper says so.

use crate::domain::TsNs;

/// A source of "now" for a stage.
pub trait Clock {
    /// Current time, UTC ns.
    fn now(&self) -> TsNs;
}

/// Simulated time: set by the deterministic stepper, read by the stages.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimClock {
    now: TsNs,
}

impl SimClock {
    /// A clock stopped at `t`.
    pub const fn at(t: TsNs) -> SimClock {
        SimClock { now: t }
    }

    /// Moves time forward; time never goes back.
    pub fn advance_to(&mut self, t: TsNs) {
        if t > self.now {
            self.now = t;
        }
    }
}

impl Clock for SimClock {
    fn now(&self) -> TsNs {
        self.now
    }
}

/// Wall-clock time from the TSC via `quanta`, anchored to the system's UTC clock once at start.
#[derive(Debug, Clone)]
pub struct LiveClock {
    clock: quanta::Clock,
    anchor_raw: u64,
    anchor_utc_ns: i64,
}

impl LiveClock {
    /// Anchors the TSC to UTC now. Cold: call once at start-up.
    #[allow(clippy::disallowed_methods)] // the one sanctioned read of the system clock
    pub fn new() -> LiveClock {
        let clock = quanta::Clock::new();
        let anchor_raw = clock.raw();
        let anchor_utc_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        LiveClock {
            clock,
            anchor_raw,
            anchor_utc_ns,
        }
    }

    /// The raw counter: cheapest read, for hot-path stamps scaled later with [`Self::to_utc`].
    pub fn raw(&self) -> u64 {
        self.clock.raw()
    }

    /// Converts a raw counter value into UTC ns.
    pub fn to_utc(&self, raw: u64) -> TsNs {
        let d = self.clock.delta_as_nanos(self.anchor_raw, raw) as i64;
        TsNs(self.anchor_utc_ns + d)
    }
}

impl Default for LiveClock {
    fn default() -> Self {
        LiveClock::new()
    }
}

impl Clock for LiveClock {
    fn now(&self) -> TsNs {
        self.to_utc(self.raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_clock_never_goes_back() {
        let mut c = SimClock::at(TsNs(10));
        c.advance_to(TsNs(5));
        assert_eq!(c.now(), TsNs(10));
        c.advance_to(TsNs(20));
        assert_eq!(c.now(), TsNs(20));
    }

    #[test]
    fn live_clock_moves_forward_from_a_plausible_utc() {
        let c = LiveClock::new();
        let a = c.now();
        let b = c.now();
        assert!(b >= a);
        assert!(
            a.0 > 1_600_000_000 * crate::domain::NS_PER_SEC,
            "anchored to UTC, got {a}"
        );
    }
}
