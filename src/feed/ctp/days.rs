//! Night-session attribution: a CTP row stamped with a Beijing time of day and a trading day T
//! happened on T during the day session, on the evening of the business day before T for
//! evening times, and on the calendar day after that evening for times after midnight (Friday
//! night → Saturday 00:30, trading day Monday). Business days and holidays come from the venue
//! calendar. Pure functions.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::config::{GatewayKind, Session, Venue};
use crate::domain::{TsNs, VenueId, NS_PER_SEC};
use crate::trigger::calendar::Calendar;

/// Times of day at or after this (seconds) are the evening part of a night session.
pub const EVENING_FROM_S: i64 = 18 * 3600;
/// Times of day before this (seconds) are the after-midnight part of a night session.
pub const AFTER_MIDNIGHT_UNTIL_S: i64 = 6 * 3600;

/// The venue assumed when no config names one: Asia/Shanghai, Monday–Friday day and night
/// sessions, no holidays (said so in the capture note).
pub fn fallback_venue(name: &str) -> Venue {
    const MON_FRI: u8 = 0x1f;
    Venue {
        id: VenueId(0),
        name: name.to_owned(),
        time_zone: chrono_tz::Asia::Shanghai,
        sessions: vec![
            Session {
                open_s: 21 * 3600,
                close_s: 2 * 3600 + 1800,
                days: MON_FRI,
                night: true,
            },
            Session {
                open_s: 9 * 3600,
                close_s: 15 * 3600,
                days: MON_FRI,
                night: false,
            },
        ],
        holidays: Vec::new(),
        quote_age_ms_max: 0,
        gateway: GatewayKind::Ctp,
    }
}

/// The business day before `d` (a month back at most).
pub fn previous_business_day(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    let mut p = d;
    for _ in 0..31 {
        p -= Duration::days(1);
        if cal.is_business_day(p) {
            return p;
        }
    }
    d - Duration::days(1)
}

/// The calendar date on which a row of trading day `trading_day` stamped `tod_ns` (local time of
/// day, ns since midnight) happened.
pub fn calendar_date(cal: &Calendar, trading_day: NaiveDate, tod_ns: i64) -> NaiveDate {
    let s = tod_ns / NS_PER_SEC;
    if s >= EVENING_FROM_S {
        previous_business_day(cal, trading_day)
    } else if s < AFTER_MIDNIGHT_UNTIL_S {
        previous_business_day(cal, trading_day) + Duration::days(1)
    } else {
        trading_day
    }
}

/// The UTC instant of local time of day `tod_ns` on `date` in `tz` (the earlier one when a DST
/// change makes it ambiguous); `None` when it does not exist (inside a DST gap).
pub fn local_instant(tz: Tz, date: NaiveDate, tod_ns: i64) -> Option<TsNs> {
    let secs = (tod_ns / NS_PER_SEC) as u32;
    let nanos = (tod_ns % NS_PER_SEC) as u32;
    let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)?;
    let utc = tz.from_local_datetime(&date.and_time(t)).earliest()?;
    utc.timestamp_nanos_opt().map(TsNs)
}

/// Parses `HH:MM:SS[.fraction]` into ns since midnight (hours 0–23).
pub fn parse_time_of_day(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?.trim();
    let (hms, frac) = match s.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let mut it = hms.split(':');
    let mut field = |max: i64| -> Option<i64> {
        let p = it.next()?;
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse::<i64>().ok().filter(|v| *v <= max)
    };
    let (h, m, sec) = (field(23)?, field(59)?, field(59)?);
    if it.next().is_some() {
        return None;
    }
    let mut ns = ((h * 60 + m) * 60 + sec) * NS_PER_SEC;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        ns += f.parse::<i64>().ok()? * 10i64.pow(9 - f.len() as u32);
    }
    Some(ns)
}

/// Parses `yyyymmdd`.
pub fn parse_yyyymmdd(b: &[u8]) -> Option<NaiveDate> {
    let s = std::str::from_utf8(b).ok()?.trim();
    if s.len() != 8 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    NaiveDate::from_ymd_opt((v / 10_000) as i32, v / 100 % 100, v % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn time_of_day_parses_fractions_and_refuses_nonsense() {
        assert_eq!(parse_time_of_day(b"21:30:00"), Some(77_400 * NS_PER_SEC));
        assert_eq!(
            parse_time_of_day(b"00:30:01.5"),
            Some(1801 * NS_PER_SEC + 500_000_000)
        );
        for bad in [
            &b"24:00:00"[..],
            b"21:30",
            b"21:30:00.",
            b"2a:00:00",
            b"21:30:00:00",
        ] {
            assert_eq!(
                parse_time_of_day(bad),
                None,
                "{:?}",
                std::str::from_utf8(bad)
            );
        }
        assert_eq!(parse_yyyymmdd(b"20190916"), Some(d(2019, 9, 16)));
        assert_eq!(parse_yyyymmdd(b"20190931"), None);
    }

    #[test]
    fn friday_night_rows_of_a_monday_trading_day_fall_on_friday_and_saturday() {
        let cal = Calendar::new(&fallback_venue("SHFE")).unwrap();
        let monday = d(2019, 9, 9);
        assert_eq!(
            calendar_date(&cal, monday, 21 * 3600 * NS_PER_SEC),
            d(2019, 9, 6)
        );
        assert_eq!(
            calendar_date(&cal, monday, 1800 * NS_PER_SEC),
            d(2019, 9, 7)
        );
        assert_eq!(calendar_date(&cal, monday, 9 * 3600 * NS_PER_SEC), monday);
    }
}
