//! Trading calendar of one venue: is the venue open at a UTC instant, and which trading day does
//! an instant belong to. Built once from a [`Venue`] (cold); queried on the trigger thread.
//!
//! Rules:
//! * Sessions are in venue local time (`chrono-tz`, DST exact). A session whose `close_s <=
//!   open_s` closes on the next calendar day. `days` are the local weekdays on which it *opens*.
//! * No session opens on a holiday. A **night** session opening on day D belongs to the next
//!   business weekday after D; when that day is a holiday the night session does not trade
//!   (no Friday night session before a Monday holiday).
//! * Business weekdays are the `days` of the day sessions; a venue with only night sessions (e.g.
//!   CME Globex 18:00–17:00 configured as `night`) uses its night days shifted by one.
//! * A local open/close time that falls in a DST gap opens/closes at the end of the gap; an
//!   ambiguous one (DST fall-back) uses the earlier instant.
//!
//! Hot path: [`Calendar::is_open`] caches the current open-or-closed window `[lo, hi)` in UTC ns;
//! the common call is two integer compares. Leaving the window recomputes it on a `#[cold]` path
//! from the sessions of nearby days, without allocating.
//!
//! [`Calendar::trading_day`] is not cached (about a microsecond of `chrono` arithmetic): call it
//! when a ticket opens or a day rolls, not per quote.

use chrono::{Datelike, Duration, LocalResult, NaiveDate, TimeZone};
use chrono_tz::Tz;

use crate::config::{Session, Venue, Weekdays};
use crate::domain::{TsNs, NS_PER_SEC};

/// Most sessions one venue may define.
pub const SESSIONS_MAX: usize = 8;
/// Days after the current local date scanned for the next opening (long holidays fit inside).
const LOOKAHEAD_DAYS: i64 = 15;
/// Session instances scanned by one recompute: dates `d-3 ..= d+LOOKAHEAD_DAYS` (a session
/// opening before `d-1` cannot reach `d`; `d-3` and `d-2` only bound the closed window).
const INTERVALS_MAX: usize = SESSIONS_MAX * (LOOKAHEAD_DAYS as usize + 4);

/// Why a calendar could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    /// More sessions than the fixed table holds.
    #[error("venues[{venue}].sessions: {count} sessions, at most {SESSIONS_MAX} expected")]
    TooManySessions {
        /// Venue name.
        venue: String,
        /// Sessions configured.
        count: usize,
    },
}

/// A venue's trading calendar with a cached open/closed window.
#[derive(Clone, Debug)]
pub struct Calendar {
    tz: Tz,
    sessions: [Session; SESSIONS_MAX],
    sessions_len: usize,
    /// Sorted; searched on cold paths only.
    holidays: Vec<NaiveDate>,
    business_days: Weekdays,
    /// Cached window `[lo, hi)` (UTC ns) over which the open state is `open`.
    lo: i64,
    hi: i64,
    open: bool,
}

const NO_SESSION: Session = Session {
    open_s: 0,
    close_s: 0,
    days: 0,
    night: false,
};

fn weekday_bit(d: NaiveDate) -> Weekdays {
    1 << d.weekday().num_days_from_monday()
}

/// `yyyymmdd` of a date.
pub fn yyyymmdd(d: NaiveDate) -> u32 {
    d.year() as u32 * 10_000 + d.month() * 100 + d.day()
}

impl Calendar {
    /// Builds the calendar of `venue` (cold).
    pub fn new(venue: &Venue) -> Result<Calendar, CalendarError> {
        if venue.sessions.len() > SESSIONS_MAX {
            return Err(CalendarError::TooManySessions {
                venue: venue.name.clone(),
                count: venue.sessions.len(),
            });
        }
        let mut sessions = [NO_SESSION; SESSIONS_MAX];
        sessions[..venue.sessions.len()].copy_from_slice(&venue.sessions);
        let mut holidays = venue.holidays.clone();
        holidays.sort_unstable();
        holidays.dedup();
        let day_mask = venue
            .sessions
            .iter()
            .filter(|s| !s.night)
            .fold(0, |m, s| m | s.days);
        let business_days = if day_mask != 0 {
            day_mask
        } else {
            // Night-only venue: a session opening on weekday i trades for weekday i+1.
            venue
                .sessions
                .iter()
                .fold(0u8, |m, s| m | ((s.days << 1) & 0x7f) | (s.days >> 6))
        };
        Ok(Calendar {
            tz: venue.time_zone,
            sessions,
            sessions_len: venue.sessions.len(),
            holidays,
            business_days,
            lo: 0,
            hi: 0,
            open: false,
        })
    }

    /// True when a session of the venue is trading at `t`.
    #[inline]
    pub fn is_open(&mut self, t: TsNs) -> bool {
        if t.0 >= self.lo && t.0 < self.hi {
            return self.open;
        }
        self.recompute(t.0)
    }

    /// The cached window `[lo, hi)` in UTC ns and its state (for tests and diagnostics).
    pub fn window(&self) -> (TsNs, TsNs, bool) {
        (TsNs(self.lo), TsNs(self.hi), self.open)
    }

    /// The trading day (`yyyymmdd`) `t` belongs to: at or after a night session's opening on
    /// day D (and until that session closes after midnight) the next business day after D,
    /// skipping weekends and holidays; otherwise the local date when it is a business day, else
    /// the next business day (a Saturday quote belongs to Monday).
    pub fn trading_day(&self, t: TsNs) -> u32 {
        let local = self.tz.timestamp_nanos(t.0).naive_local();
        let d = local.date();
        let s = local.time().signed_duration_since(chrono::NaiveTime::MIN);
        let s = s.num_seconds() as u32;
        let yesterday = d - Duration::days(1);
        for sess in &self.sessions[..self.sessions_len] {
            if !sess.night {
                continue;
            }
            let crosses = sess.close_s <= sess.open_s;
            if sess.days & weekday_bit(d) != 0 && s >= sess.open_s {
                return yyyymmdd(self.next_business_day(d));
            }
            if crosses && sess.days & weekday_bit(yesterday) != 0 && s < sess.close_s {
                return yyyymmdd(self.next_business_day(yesterday));
            }
        }
        if self.is_business_day(d) {
            yyyymmdd(d)
        } else {
            yyyymmdd(self.next_business_day(d))
        }
    }

    /// True when `d` is a listed holiday.
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.binary_search(&d).is_ok()
    }

    /// True when `d` is a business weekday and not a holiday.
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        self.business_days & weekday_bit(d) != 0 && !self.is_holiday(d)
    }

    /// The first business day after `d` (a year ahead at most: a venue with no business days
    /// gets `d + 366`).
    pub fn next_business_day(&self, d: NaiveDate) -> NaiveDate {
        let mut n = d;
        for _ in 0..366 {
            n += Duration::days(1);
            if self.is_business_day(n) {
                return n;
            }
        }
        n
    }

    /// The business weekday after `d`, holidays not skipped: the trading day a night session
    /// opening on `d` is scheduled for.
    fn nominal_next_business_weekday(&self, d: NaiveDate) -> NaiveDate {
        let mut n = d;
        for _ in 0..7 {
            n += Duration::days(1);
            if self.business_days & weekday_bit(n) != 0 {
                return n;
            }
        }
        d + Duration::days(1)
    }

    /// True when `sess` opens on local date `d`.
    fn session_opens_on(&self, sess: &Session, d: NaiveDate) -> bool {
        sess.days & weekday_bit(d) != 0
            && !self.is_holiday(d)
            && !(sess.night && self.is_holiday(self.nominal_next_business_weekday(d)))
    }

    /// UTC ns of local `d` + `s` seconds (DST gap → end of the gap; ambiguous → earlier).
    fn utc_ns(&self, d: NaiveDate, s: u32) -> i64 {
        let mut naive = d.and_time(chrono::NaiveTime::MIN) + Duration::seconds(i64::from(s));
        for _ in 0..16 {
            match self.tz.from_local_datetime(&naive) {
                LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => {
                    return x.timestamp() * NS_PER_SEC;
                }
                // In a DST gap: the first valid quarter hour after it (gaps are whole quarters).
                LocalResult::None => naive += Duration::minutes(15),
            }
        }
        naive.and_utc().timestamp() * NS_PER_SEC
    }

    /// Recomputes the cached window around `t` and returns its state.
    #[cold]
    #[inline(never)]
    fn recompute(&mut self, t: i64) -> bool {
        let d = self.tz.timestamp_nanos(t).naive_local().date();
        let mut iv = [(0i64, 0i64); INTERVALS_MAX];
        let mut n = 0;
        for k in -3..=LOOKAHEAD_DAYS {
            let day = d + Duration::days(k);
            for sess in &self.sessions[..self.sessions_len] {
                if !self.session_opens_on(sess, day) {
                    continue;
                }
                let close_day = if sess.close_s <= sess.open_s {
                    day + Duration::days(1)
                } else {
                    day
                };
                iv[n] = (
                    self.utc_ns(day, sess.open_s),
                    self.utc_ns(close_day, sess.close_s),
                );
                n += 1;
            }
        }
        let iv = &mut iv[..n];
        iv.sort_unstable();
        // Merge overlapping or touching instances in place.
        let mut m = 0;
        for i in 0..iv.len() {
            if m > 0 && iv[i].0 <= iv[m - 1].1 {
                iv[m - 1].1 = iv[m - 1].1.max(iv[i].1);
            } else {
                iv[m] = iv[i];
                m += 1;
            }
        }
        let merged = &iv[..m];
        if let Some(&(lo, hi)) = merged.iter().find(|(lo, hi)| *lo <= t && t < *hi) {
            (self.lo, self.hi, self.open) = (lo, hi, true);
        } else {
            let lo = merged.iter().filter(|w| w.1 <= t).map(|w| w.1).max();
            let hi = merged.iter().filter(|w| w.0 > t).map(|w| w.0).min();
            let horizon = self.utc_ns(d + Duration::days(LOOKAHEAD_DAYS + 1), 0);
            (self.lo, self.hi, self.open) = (lo.unwrap_or(t), hi.unwrap_or(horizon), false);
        }
        assert!(
            self.lo <= t && t < self.hi,
            "Invariant: calendar window [{}, {}) contains {t}",
            self.lo,
            self.hi
        );
        self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GatewayKind;
    use crate::domain::VenueId;

    fn venue(tz: &str, sessions: Vec<Session>, holidays: Vec<NaiveDate>) -> Venue {
        Venue {
            id: VenueId(0),
            name: "X".into(),
            time_zone: tz.parse().unwrap(),
            sessions,
            holidays,
            quote_age_ms_max: 1,
            gateway: GatewayKind::Sim,
        }
    }

    fn s(open_s: u32, close_s: u32, days: Weekdays, night: bool) -> Session {
        Session {
            open_s,
            close_s,
            days,
            night,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> TsNs {
        let t = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
        TsNs(t.and_hms_opt(h, mi, 0).unwrap().and_utc().timestamp() * NS_PER_SEC)
    }

    #[test]
    fn a_night_only_venue_trades_for_the_day_after_its_openings() {
        // Sunday..Thursday openings → Monday..Friday business days.
        let c = Calendar::new(&venue(
            "America/New_York",
            vec![s(64_800, 61_200, 0x4f, true)],
            vec![],
        ))
        .unwrap();
        assert_eq!(c.business_days, 0x1f);
        let sh = Calendar::new(&venue(
            "Asia/Shanghai",
            vec![s(32_400, 54_000, 0x1f, false), s(75_600, 3_600, 0x1f, true)],
            vec![],
        ))
        .unwrap();
        assert_eq!(
            sh.business_days, 0x1f,
            "day sessions decide when there are any"
        );
    }

    #[test]
    fn a_session_opening_inside_the_dst_gap_opens_when_the_clock_jumps() {
        // 02:30–04:00 New York on Sundays; 2025-03-09 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        let mut c = Calendar::new(&venue(
            "America/New_York",
            vec![s(9_000, 14_400, 0x40, false)],
            vec![],
        ))
        .unwrap();
        assert!(!c.is_open(utc(2025, 3, 9, 6, 59)));
        assert!(c.is_open(utc(2025, 3, 9, 7, 0)));
        assert!(c.is_open(utc(2025, 3, 9, 7, 59)));
        assert!(!c.is_open(utc(2025, 3, 9, 8, 0)), "closes 04:00 EDT");
        assert!(
            c.is_open(utc(2025, 3, 2, 7, 30)),
            "02:30 EST the week before"
        );
    }

    #[test]
    fn holidays_may_be_listed_unsorted_and_twice() {
        let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        let c = Calendar::new(&venue(
            "UTC",
            vec![s(0, 3_600, 0x1f, false)],
            vec![d(5, 2), d(1, 1), d(5, 2)],
        ))
        .unwrap();
        assert!(c.is_holiday(d(1, 1)) && c.is_holiday(d(5, 2)) && !c.is_holiday(d(5, 1)));
        assert_eq!(c.next_business_day(d(4, 30)), d(5, 1));
        assert_eq!(c.next_business_day(d(5, 1)), d(5, 5));
    }

    #[test]
    fn a_closed_window_spans_to_the_next_opening_so_weekends_cost_one_recompute() {
        let mut c =
            Calendar::new(&venue("UTC", vec![s(3_600, 68_400, 0x1f, false)], vec![])).unwrap();
        assert!(!c.is_open(utc(2025, 1, 11, 12, 0)));
        assert_eq!(
            c.window(),
            (utc(2025, 1, 10, 19, 0), utc(2025, 1, 13, 1, 0), false)
        );
    }

    #[test]
    fn too_many_sessions_are_refused_with_the_venue_name() {
        let e = Calendar::new(&venue(
            "UTC",
            vec![s(0, 1, 1, false); SESSIONS_MAX + 1],
            vec![],
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "venues[X].sessions: 9 sessions, at most 8 expected"
        );
    }
}
