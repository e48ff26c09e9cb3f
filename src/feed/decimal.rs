//! Exact decimal numbers as feeds and configs write them (`70010.5`, `0.005`): an integer
//! mantissa and a count of decimal digits, parsed from bytes without ever passing through `f64`,
//! so `price / tick` is decided exactly. Pure functions; used on cold paths (importers, capture
//! headers) by whichever thread runs them.

use core::fmt;

/// Most digits after the decimal point (10^18 is the largest power of ten in an `i64`).
pub const SCALE_MAX: u8 = 18;

/// `mantissa × 10^-scale`, exactly. `0.50` is `{ mantissa: 50, scale: 2 }`: trailing zeros are
/// kept as written (see [`Decimal::significant_scale`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The digits as an integer.
    pub mantissa: i64,
    /// Digits after the decimal point, ≤ [`SCALE_MAX`].
    pub scale: u8,
}

/// Why bytes are not a decimal, or a price is not on a tick grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not of the form `[-+]digits[.digits]`.
    #[error("expected a decimal number like 123.45")]
    Syntax,
    /// More than [`SCALE_MAX`] digits after the point.
    #[error("expected at most 18 digits after the decimal point")]
    TooManyDecimals,
    /// The mantissa does not fit an `i64`.
    #[error("expected at most 18 significant digits")]
    TooManyDigits,
    /// `value / tick` is not a whole number.
    #[error("price is not a whole number of ticks")]
    OffGrid,
    /// The tick count does not fit an `i64`.
    #[error("price is out of range in ticks")]
    OutOfRange,
}

impl Decimal {
    /// Parses `[-+]?[0-9]*(\.[0-9]*)?` with at least one digit. No exponents, no spaces.
    pub fn parse(bytes: &[u8]) -> Result<Decimal, DecimalError> {
        let (negative, digits) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let mut mantissa: i64 = 0;
        let mut scale: u8 = 0;
        let mut seen_point = false;
        let mut seen_digit = false;
        for &b in digits {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    mantissa = mantissa
                        .checked_mul(10)
                        .and_then(|m| m.checked_add(i64::from(b - b'0')))
                        .ok_or(DecimalError::TooManyDigits)?;
                    if seen_point {
                        if scale == SCALE_MAX {
                            return Err(DecimalError::TooManyDecimals);
                        }
                        scale += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => return Err(DecimalError::Syntax),
            }
        }
        if !seen_digit {
            return Err(DecimalError::Syntax);
        }
        Ok(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// Digits after the point once trailing zeros are dropped (`0.50` → 1, `70010.0` → 0).
    pub fn significant_scale(self) -> u8 {
        let (mut m, mut s) = (self.mantissa, self.scale);
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        s
    }

    /// `10^-scale`: the tick implied by `scale` decimals.
    pub fn unit(scale: u8) -> Decimal {
        assert!(scale <= SCALE_MAX, "Invariant: decimal scale ≤ {SCALE_MAX}");
        Decimal { mantissa: 1, scale }
    }

    /// True when the value is > 0.
    pub fn is_positive(self) -> bool {
        self.mantissa > 0
    }

    /// `self / tick` as a whole number of ticks, exactly; `tick` must be positive.
    pub fn to_ticks(self, tick: Decimal) -> Result<i64, DecimalError> {
        assert!(tick.is_positive(), "Invariant: tick size > 0");
        let s = self.scale.max(tick.scale);
        // Both scaled to 10^-s: |mantissa| < 2^63 and 10^18 < 2^60, so the products fit i128.
        let value = i128::from(self.mantissa) * 10i128.pow(u32::from(s - self.scale));
        let step = i128::from(tick.mantissa) * 10i128.pow(u32::from(s - tick.scale));
        if value % step != 0 {
            return Err(DecimalError::OffGrid);
        }
        i64::try_from(value / step).map_err(|_| DecimalError::OutOfRange)
    }

    /// The decimal nearest to `v` that prints as `v`'s shortest round-trip form (config values
    /// such as `0.005` come back as written). `None` for NaN, infinities and values that need
    /// more than [`SCALE_MAX`] decimals.
    pub fn from_f64_shortest(v: f64) -> Option<Decimal> {
        if !v.is_finite() {
            return None;
        }
        // Rust's `Display` for f64 never uses an exponent and prints the shortest round-trip digits.
        Decimal::parse(v.to_string().as_bytes()).ok()
    }
}

impl fmt::Display for Decimal {
    /// Prints with exactly `scale` decimals: `{50, 2}` → `0.50`, `{-5, 1}` → `-0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let p = 10u64.pow(u32::from(self.scale));
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / p,
            abs % p,
            width = usize::from(self.scale)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn parses_and_prints_back_as_written() {
        for s in [
            "0",
            "70010.5",
            "0.005",
            "0.50",
            "-37.63",
            "123",
            "0.000000000000000001",
        ] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("+1.5"), d("1.5"));
        assert_eq!(d(".5").to_string(), "0.5");
        assert_eq!(d("5.").to_string(), "5");
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for s in [
            "", "-", ".", "1e5", "1.2.3", " 1", "1 ", "abc", "NaN", "1,5",
        ] {
            assert_eq!(
                Decimal::parse(s.as_bytes()),
                Err(DecimalError::Syntax),
                "{s:?}"
            );
        }
        assert_eq!(
            Decimal::parse(b"0.0000000000000000001"),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(
            Decimal::parse(b"99999999999999999999"),
            Err(DecimalError::TooManyDigits)
        );
    }

    #[test]
    fn converts_prices_to_ticks_exactly_where_floats_would_drift() {
        // 0.3 / 0.1 is 2.9999999999999996 in f64.
        assert_eq!(d("0.3").to_ticks(d("0.1")), Ok(3));
        assert_eq!(d("70010.5").to_ticks(d("0.5")), Ok(140_021));
        assert_eq!(d("1234.005").to_ticks(d("0.005")), Ok(246_801));
        assert_eq!(d("-37.63").to_ticks(d("0.01")), Ok(-3763));
        assert_eq!(d("70010").to_ticks(d("10")), Ok(7001));
        assert_eq!(d("70015").to_ticks(d("10")), Err(DecimalError::OffGrid));
        assert_eq!(d("0.25").to_ticks(d("0.5")), Err(DecimalError::OffGrid));
        assert_eq!(
            d("9000000000000000000").to_ticks(d("0.1")),
            Err(DecimalError::OutOfRange)
        );
    }

    #[test]
    fn significant_scale_ignores_trailing_zeros() {
        assert_eq!(d("0.50").significant_scale(), 1);
        assert_eq!(d("70010.000").significant_scale(), 0);
        assert_eq!(d("0.005").significant_scale(), 3);
        assert_eq!(d("0").significant_scale(), 0);
    }

    #[test]
    fn floats_from_config_come_back_as_written() {
        assert_eq!(Decimal::from_f64_shortest(0.005), Some(d("0.005")));
        assert_eq!(Decimal::from_f64_shortest(10.0), Some(d("10")));
        assert_eq!(Decimal::from_f64_shortest(0.1), Some(d("0.1")));
        assert_eq!(Decimal::from_f64_shortest(f64::NAN), None);
    }
}
