//! Integer newtypes for money and time. Decisions are made in these; `f64` appears only at the
//! edges (config parsing, FX and parity arithmetic, reports).

use bytemuck::{Pod, Zeroable};
use serde::Serialize;

/// Nanoseconds in one millisecond.
pub const NS_PER_MS: i64 = 1_000_000;
/// Nanoseconds in one second.
pub const NS_PER_SEC: i64 = 1_000_000_000;

/// A price in integer ticks of its instrument (price = ticks × tick size).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable, Serialize,
)]
#[repr(transparent)]
pub struct Px(pub i64);

/// A quantity in integer lots of its instrument. Signed so that positions and residuals use the
/// same type; order quantities are always positive.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable, Serialize,
)]
#[repr(transparent)]
pub struct Qty(pub i64);

/// A point in time: nanoseconds since the Unix epoch, UTC. Signed so that differences and time
/// shifts stay in one type (range ±292 years around 1970).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable, Serialize,
)]
#[repr(transparent)]
pub struct TsNs(pub i64);

impl Px {
    /// The zero price, also used for "no price" on an empty side (with a zero quantity).
    pub const ZERO: Px = Px(0);
}

impl Qty {
    /// No quantity.
    pub const ZERO: Qty = Qty(0);

    /// Absolute value, for exposure checks.
    pub const fn abs(self) -> Qty {
        Qty(self.0.abs())
    }
}

impl TsNs {
    /// The Unix epoch; also "never" for timestamps not yet set.
    pub const ZERO: TsNs = TsNs(0);

    /// `self − earlier` in nanoseconds.
    pub const fn since(self, earlier: TsNs) -> i64 {
        self.0 - earlier.0
    }

    /// `self + ns`.
    pub const fn plus_ns(self, ns: i64) -> TsNs {
        TsNs(self.0 + ns)
    }

    /// `self + ms` milliseconds.
    pub const fn plus_ms(self, ms: i64) -> TsNs {
        TsNs(self.0 + ms * NS_PER_MS)
    }
}

macro_rules! int_ops {
    ($t:ident) => {
        impl core::ops::Add for $t {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                $t(self.0 + rhs.0)
            }
        }
        impl core::ops::Sub for $t {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                $t(self.0 - rhs.0)
            }
        }
        impl core::ops::AddAssign for $t {
            fn add_assign(&mut self, rhs: $t) {
                self.0 += rhs.0;
            }
        }
        impl core::ops::SubAssign for $t {
            fn sub_assign(&mut self, rhs: $t) {
                self.0 -= rhs.0;
            }
        }
        impl core::ops::Neg for $t {
            type Output = $t;
            fn neg(self) -> $t {
                $t(-self.0)
            }
        }
    };
}
int_ops!(Px);
int_ops!(Qty);

impl core::fmt::Display for TsNs {
    /// RFC 3339 in UTC with nanoseconds, e.g. `2024-07-01T23:58:01.218218853Z`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let secs = self.0.div_euclid(NS_PER_SEC);
        let nanos = self.0.rem_euclid(NS_PER_SEC) as u32;
        match chrono::DateTime::from_timestamp(secs, nanos) {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.9fZ")),
            None => write!(f, "{}ns", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_displays_as_utc_with_nanoseconds() {
        assert_eq!(
            TsNs(1_719_878_281_218_218_853).to_string(),
            "2024-07-01T23:58:01.218218853Z"
        );
        assert_eq!(TsNs(-1).to_string(), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn arithmetic_stays_in_the_newtype() {
        assert_eq!(Px(10) - Px(3), Px(7));
        assert_eq!(-Qty(4), Qty(-4));
        assert_eq!(Qty(-4).abs(), Qty(4));
        assert_eq!(TsNs(5).plus_ms(2).since(TsNs(5)), 2 * NS_PER_MS);
    }
}
