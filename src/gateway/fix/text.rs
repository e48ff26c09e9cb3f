//! FIX value text without allocation: unsigned/signed integers, exact decimals (prices) and
//! UTCTimestamp `YYYYMMDD-HH:MM:SS.sss`, both ways. Pure functions on byte slices; used by the
//! codec on whichever thread encodes or decodes (the gateway thread live, the test thread here).

use super::stamp::StampCache;
use crate::domain::{TsNs, NS_PER_SEC};
use crate::feed::decimal::Decimal;

/// Bytes of the longest `u64` in decimal.
pub const U64_DIGITS_MAX: usize = 20;
/// Bytes of a UTCTimestamp with milliseconds: `YYYYMMDD-HH:MM:SS.sss`.
pub const TIMESTAMP_LEN: usize = 21;

/// Writes `v` in decimal at the end of `out`; returns where the digits start.
pub fn u64_digits(mut v: u64, out: &mut [u8; U64_DIGITS_MAX]) -> usize {
    let mut i = U64_DIGITS_MAX;
    loop {
        i -= 1;
        out[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return i;
        }
    }
}

/// `"00" "01" ... "99"`: two digits per table read instead of a division per digit.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` (< 100) as exactly two digits into `out[0..2]`.
#[inline]
pub fn put_2digits(v: u32, out: &mut [u8]) {
    debug_assert!(v < 100);
    let i = v as usize * 2;
    out[..2].copy_from_slice(&DIGIT_PAIRS[i..i + 2]);
}

/// How many decimal digits `v` has (`0` has one).
#[inline]
pub fn digit_count(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Writes `v` in decimal filling exactly `out` (whose length must be `digit_count(v)`), two
/// digits at a time from the right.
#[inline]
pub fn put_digits(mut v: u64, out: &mut [u8]) {
    debug_assert_eq!(out.len(), digit_count(v));
    let mut i = out.len();
    while v >= 100 {
        i -= 2;
        put_2digits((v % 100) as u32, &mut out[i..]);
        v /= 100;
    }
    if v >= 10 {
        put_2digits(v as u32, &mut out[i - 2..]);
    } else {
        out[i - 1] = b'0' + v as u8;
    }
}

/// Writes `v` in decimal at the start of `out`; returns the length, or `None` (nothing
/// written) when `out` is too short.
pub fn write_u64(v: u64, out: &mut [u8]) -> Option<usize> {
    let n = digit_count(v);
    put_digits(v, out.get_mut(..n)?);
    Some(n)
}

/// Parses a non-empty run of ASCII digits (no sign, no spaces) that fits a `u64`.
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > U64_DIGITS_MAX {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

/// Parses an optionally `-`-signed integer that fits an `i64`.
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    match b.split_first() {
        Some((b'-', rest)) => {
            let v = parse_u64(rest)?;
            0i64.checked_sub_unsigned(v)
        }
        _ => i64::try_from(parse_u64(b)?).ok(),
    }
}

/// Writes `d` with exactly `d.scale` decimals (`{50, 2}` → `0.50`) into `out`; returns the
/// length, or `None` when `out` is too short (40 bytes always suffice).
pub fn write_decimal(d: Decimal, out: &mut [u8]) -> Option<usize> {
    let abs = d.mantissa.unsigned_abs();
    let n = digit_count(abs);
    let neg = usize::from(d.mantissa < 0);
    let scale = usize::from(d.scale);
    // `[-]digits`, `[-]int.frac`, or `[-]0.000digits` when there are no more digits than scale.
    let total = neg + if scale == 0 { n } else { n.max(scale + 1) + 1 };
    let out = out.get_mut(..total)?;
    out[0] = b'-'; // overwritten by a digit when not negative
    if scale == 0 {
        put_digits(abs, &mut out[neg..]);
        return Some(total);
    }
    let mut digits = [0u8; U64_DIGITS_MAX];
    put_digits(abs, &mut digits[..n]);
    let point = total - scale - 1;
    let body = &mut out[neg..];
    if n > scale {
        body[..n - scale].copy_from_slice(&digits[..n - scale]);
    } else {
        body[..point - neg].fill(b'0');
    }
    out[point] = b'.';
    let frac = &mut out[point + 1..];
    let zeros = scale.saturating_sub(n);
    frac[..zeros].fill(b'0');
    frac[zeros..].copy_from_slice(&digits[n - (scale - zeros)..n]);
    Some(total)
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) → days since 1970-01-01; the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Writes `t` as `YYYYMMDD-HH:MM:SS.sss` (UTC, milliseconds truncated toward the past).
/// `None` outside years 0000–9999. Computes the date from scratch; encoders that write many
/// timestamps keep a [`StampCache`] instead.
pub fn write_timestamp(t: TsNs, out: &mut [u8; TIMESTAMP_LEN]) -> Option<()> {
    StampCache::new().write(t, out)
}

/// The two ASCII digits at `b[i..i + 2]` as a number.
#[inline]
fn two_digits(b: &[u8], i: usize) -> Option<u32> {
    let (hi, lo) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
    (hi < 10 && lo < 10).then_some(u32::from(hi) * 10 + u32::from(lo))
}

/// Parses `YYYYMMDD-HH:MM:SS` with an optional fraction of 1–9 digits (FIX 4.4 sends 3).
/// A leap second (`:60`) counts as the next second.
pub fn parse_timestamp(b: &[u8]) -> Option<TsNs> {
    if b.len() < 17 || b[8] != b'-' || b[11] != b':' || b[14] != b':' {
        return None;
    }
    let y = i64::from(two_digits(b, 0)? * 100 + two_digits(b, 2)?);
    let (mo, d) = (two_digits(b, 4)?, two_digits(b, 6)?);
    let (h, mi, s) = (two_digits(b, 9)?, two_digits(b, 12)?, two_digits(b, 15)?);
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let mut nanos: i64 = 0;
    if b.len() > 17 {
        let frac = &b[18..];
        if b[17] != b'.' || frac.is_empty() || frac.len() > 9 {
            return None;
        }
        let mut v: i64 = 0;
        for &c in frac {
            let digit = c.wrapping_sub(b'0');
            if digit >= 10 {
                return None;
            }
            v = v * 10 + i64::from(digit);
        }
        nanos = v * 10i64.pow(9 - frac.len() as u32);
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    Some(TsNs(secs * NS_PER_SEC + nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NS_PER_MS;

    #[test]
    fn integers_write_exactly_at_every_digit_count_edge() {
        let mut edges = vec![0u64, 1, 9, u64::MAX, u64::MAX - 1];
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            edges.extend([next - 1, next, next + 1]);
            p = next;
        }
        for v in edges {
            let mut out = [b'x'; U64_DIGITS_MAX + 1];
            let n = write_u64(v, &mut out).unwrap();
            assert_eq!(&out[..n], v.to_string().as_bytes(), "{v}");
            assert_eq!(out[n], b'x', "{v}: wrote past its digits");
            assert_eq!(digit_count(v), n);
            let mut short = [0u8; U64_DIGITS_MAX];
            assert_eq!(write_u64(v, &mut short[..n - 1]), None, "{v}");
        }
        for v in 0..100 {
            let mut two = [0u8; 2];
            put_2digits(v, &mut two);
            assert_eq!(two, *format!("{v:02}").as_bytes());
        }
    }

    fn dec(m: i64, s: u8) -> String {
        let mut out = [0u8; 40];
        let n = write_decimal(
            Decimal {
                mantissa: m,
                scale: s,
            },
            &mut out,
        )
        .unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn decimals_print_exactly_with_their_scale() {
        assert_eq!(dec(40_695, 1), "4069.5");
        assert_eq!(dec(5, 3), "0.005");
        assert_eq!(dec(-5, 1), "-0.5");
        assert_eq!(dec(0, 2), "0.00");
        assert_eq!(dec(70_010, 0), "70010");
        assert_eq!(dec(i64::MIN, 18), "-9.223372036854775808");
        let mut short = [0u8; 3];
        assert_eq!(
            write_decimal(Decimal::parse(b"12.5").unwrap(), &mut short),
            None
        );
    }

    /// The text by string operations: digits, left-padded with zeros to one more than the
    /// scale, the point `scale` from the right, the sign in front.
    fn dec_reference(m: i64, s: u8) -> String {
        let digits = m.unsigned_abs().to_string();
        let s = usize::from(s);
        let sign = if m < 0 { "-" } else { "" };
        if s == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = s + 1);
        let (int, frac) = padded.split_at(padded.len() - s);
        format!("{sign}{int}.{frac}")
    }

    #[test]
    fn decimals_print_as_the_string_reference_for_every_digit_count_and_scale() {
        let mut mantissas = vec![0i64, 1, -1, 9, 10, 99, 100, i64::MAX, i64::MIN];
        let mut v: i64 = 7;
        for _ in 0..18 {
            mantissas.extend([v, -v, v + 3, v * 9]);
            v = v.saturating_mul(10);
        }
        for &m in &mantissas {
            for s in 0..=22u8 {
                assert_eq!(dec(m, s), dec_reference(m, s), "mantissa {m} scale {s}");
            }
        }
    }

    #[test]
    fn integers_parse_strictly() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"+1"), None);
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
    }

    #[test]
    fn timestamps_round_trip_and_match_chrono() {
        for ns in [
            0i64,
            1_719_878_281_218_218_853,
            951_782_400_000_000_000, // 2000-02-29
            -1,
            9_000_000_000_000_000_000, // 2255, near the end of TsNs
        ] {
            let mut out = [0u8; TIMESTAMP_LEN];
            write_timestamp(TsNs(ns), &mut out).unwrap();
            let s = std::str::from_utf8(&out).unwrap();
            let chrono = chrono::DateTime::from_timestamp_millis(ns.div_euclid(NS_PER_MS)).unwrap();
            assert_eq!(s, chrono.format("%Y%m%d-%H:%M:%S%.3f").to_string());
            assert_eq!(
                parse_timestamp(&out),
                Some(TsNs(ns.div_euclid(NS_PER_MS) * NS_PER_MS))
            );
        }
    }

    #[test]
    fn timestamps_reject_impossible_dates() {
        assert!(parse_timestamp(b"20240229-00:00:00").is_some());
        for bad in [
            &b"20230229-00:00:00"[..],
            b"20241301-00:00:00",
            b"20240101-24:00:00",
            b"20240101 00:00:00",
            b"20240101-00:00:00.",
            b"20240101-00:00:00.1234567890",
            b"2024010-00:00:00",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }
}
