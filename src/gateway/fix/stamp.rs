//! UTCTimestamp writer that remembers the last second it formatted: SendingTime (52) and
//! TransactTime (60) of consecutive messages usually share the second, so the encoder copies the
//! cached `YYYYMMDD-HH:MM:SS` and writes only the three millisecond digits; a new second rewrites
//! `HH:MM:SS`, a new day the date too. Owned by whoever encodes (the session, one per gateway
//! thread); plain data, no time is read here.
//!
//! `benches/fix.rs` (encode_new_order_single) measures the encoder with this cache.

use super::text::{civil_from_days, put_2digits, TIMESTAMP_LEN};
use crate::domain::{TsNs, NS_PER_MS};

/// Bytes of the cached `YYYYMMDD-HH:MM:SS` part.
const SECOND_LEN: usize = 17;
/// "No second cached": no `TsNs` reaches this many seconds.
const NONE: i64 = i64::MIN;

/// The text of the last second and day written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StampCache {
    /// Seconds since the epoch of `text`, or [`NONE`].
    sec: i64,
    /// Days since the epoch of `text[..8]`, or [`NONE`].
    day: i64,
    text: [u8; SECOND_LEN],
}

impl Default for StampCache {
    fn default() -> StampCache {
        StampCache::new()
    }
}

impl StampCache {
    /// An empty cache: the first write formats everything.
    pub const fn new() -> StampCache {
        StampCache {
            sec: NONE,
            day: NONE,
            text: *b"00000000-00:00:00",
        }
    }

    /// Writes `t` as `YYYYMMDD-HH:MM:SS.sss` (UTC, milliseconds truncated toward the past).
    /// `None` (and the cache unchanged) outside years 0000–9999.
    #[inline]
    pub fn write(&mut self, t: TsNs, out: &mut [u8; TIMESTAMP_LEN]) -> Option<()> {
        let ms_total = t.0.div_euclid(NS_PER_MS);
        let secs = ms_total.div_euclid(1000);
        let ms = ms_total.rem_euclid(1000) as u32;
        if secs != self.sec {
            self.set_second(secs)?;
        }
        out[..SECOND_LEN].copy_from_slice(&self.text);
        out[SECOND_LEN] = b'.';
        out[SECOND_LEN + 1] = b'0' + (ms / 100) as u8;
        put_2digits(ms % 100, &mut out[SECOND_LEN + 2..]);
        Some(())
    }

    /// Rewrites the cached text for `secs`: the time of day always, the date on a new day.
    #[cold]
    fn set_second(&mut self, secs: i64) -> Option<()> {
        let day = secs.div_euclid(86_400);
        if day != self.day {
            let (y, mo, d) = civil_from_days(day);
            if !(0..=9999).contains(&y) {
                return None;
            }
            let y = y as u32;
            put_2digits(y / 100, &mut self.text[0..]);
            put_2digits(y % 100, &mut self.text[2..]);
            put_2digits(mo, &mut self.text[4..]);
            put_2digits(d, &mut self.text[6..]);
            self.day = day;
        }
        let sod = secs.rem_euclid(86_400) as u32;
        put_2digits(sod / 3600, &mut self.text[9..]);
        put_2digits(sod / 60 % 60, &mut self.text[12..]);
        put_2digits(sod % 60, &mut self.text[15..]);
        self.sec = secs;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NS_PER_SEC;

    fn via_chrono(ns: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ns.div_euclid(NS_PER_MS))
            .unwrap()
            .format("%Y%m%d-%H:%M:%S%.3f")
            .to_string()
    }

    fn write(c: &mut StampCache, ns: i64) -> String {
        let mut out = [0u8; TIMESTAMP_LEN];
        c.write(TsNs(ns), &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn one_cache_matches_chrono_across_second_day_month_and_year_rollovers() {
        // 2024-12-31 23:59:59.998 (a leap year's last day), stepping 1 ms into 2025, then far
        // back in time (the cache must not keep a later date), then before the epoch.
        let start = 1_735_689_599_998 * NS_PER_MS;
        let mut c = StampCache::new();
        let mut times: Vec<i64> = (0..5).map(|i| start + i * NS_PER_MS + 7).collect();
        times.extend([
            start + 86_400 * NS_PER_SEC, // same time of day, next day
            951_782_399_999_999_999,     // 2000-02-28 23:59:59.999
            951_782_400_000_000_000,     // 2000-02-29 00:00:00.000
            951_782_400_000_000_000 + 1, // same millisecond
            -1,                          // 1969-12-31 23:59:59.999
            0,                           // the epoch
            9_000_000_000_000_000_000,   // 2255
        ]);
        for ns in times {
            assert_eq!(write(&mut c, ns), via_chrono(ns), "ns {ns}");
        }
    }

    #[test]
    fn the_ends_of_the_tsns_range_match_chrono_and_a_failed_write_changes_nothing() {
        let mut c = StampCache::new();
        for ns in [i64::MIN, i64::MAX, i64::MIN + 1, 0] {
            assert_eq!(write(&mut c, ns), via_chrono(ns), "ns {ns}");
        }
        // Years outside 0000–9999 are beyond TsNs; the refusal is checked on the cache's state.
        let kept = c;
        assert_eq!(c.set_second(-62_167_219_201), None);
        assert_eq!(c, kept);
        assert_eq!(c.set_second(-62_167_219_200), Some(()));
        assert_eq!(&c.text, b"00000101-00:00:00");
    }
}
