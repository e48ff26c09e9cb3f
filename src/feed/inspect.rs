//! Per-instrument summary of a capture (`crossarb inspect`): record counts, time range in UTC
//! and venue local time, trading days, gaps, crossed/locked/empty books, exchange-to-receive
//! latency percentiles, median spread and the share of records outside the venue's sessions.
//! Calendars come from a config when given (venue by name); otherwise only UTC facts are
//! reported, and the report says so. Pure computation over the records; the CLI prints it.
//!
//! Definitions: times are `ts_exchange`; gaps are between consecutive records of an instrument
//! in file order by `ts_recv` (which importers keep non-decreasing); latency is `ts_recv −
//! ts_exchange` over records without [`QuoteFlags::NO_EXCHANGE_TS`]; percentiles are
//! nearest-rank (the ⌈p·n/100⌉-th smallest); spread and book shapes are over book updates only
//! (not TRADE records); the median spread is the lower median of `ask − bid` in ticks over
//! two-sided books.

use std::collections::BTreeSet;

use chrono::TimeZone;
use serde::Serialize;

use crate::config::Venue;
use crate::domain::{Quote, QuoteFlags, TsNs};
use crate::feed::capture::Capture;
use crate::trigger::calendar::Calendar;

/// Nearest-rank percentiles of a sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// Sample size.
    pub count: u64,
    /// Median.
    pub p50: i64,
    /// 90th percentile.
    pub p90: i64,
    /// 99th percentile.
    pub p99: i64,
    /// Largest.
    pub max: i64,
}

/// The ⌈p·n/100⌉-th smallest of `sorted` (nearest rank); `None` when empty.
pub fn nearest_rank(sorted: &[i64], p: u64) -> Option<i64> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    let rank = (p * n).div_ceil(100).max(1);
    Some(sorted[(rank - 1) as usize])
}

impl Percentiles {
    /// Percentiles of `v` (sorted in place); `None` when empty.
    pub fn of(v: &mut [i64]) -> Option<Percentiles> {
        v.sort_unstable();
        Some(Percentiles {
            count: v.len() as u64,
            p50: nearest_rank(v, 50)?,
            p90: nearest_rank(v, 90)?,
            p99: nearest_rank(v, 99)?,
            max: *v.last()?,
        })
    }
}

/// Gaps longer than the threshold between consecutive records of one instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gaps {
    /// The threshold, ms.
    pub threshold_ms: i64,
    /// How many gaps exceed it.
    pub count: u64,
    /// The longest gap, ns (over all gaps, not only those above the threshold).
    pub longest_ns: i64,
    /// `ts_recv` of the record that ended the longest gap.
    pub longest_ends: Option<String>,
}

/// What the venue calendar says, when a config gives one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Session {
    /// Venue time zone (IANA).
    pub time_zone: String,
    /// First `ts_exchange` in venue local time.
    pub first_local: String,
    /// Last `ts_exchange` in venue local time.
    pub last_local: String,
    /// Trading days (`yyyymmdd`) of the records.
    pub trading_days: Vec<u32>,
    /// Records outside every session.
    pub out_of_session: u64,
    /// `out_of_session / records`.
    pub out_of_session_share: f64,
}

/// The summary of one instrument.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstrumentReport {
    /// Symbol.
    pub symbol: String,
    /// Venue name.
    pub venue: String,
    /// Tick size.
    pub tick_size: String,
    /// Records (book updates + trades).
    pub records: u64,
    /// Book updates.
    pub quotes: u64,
    /// TRADE records.
    pub trades: u64,
    /// Earliest `ts_exchange`, UTC.
    pub first_utc: String,
    /// Latest `ts_exchange`, UTC.
    pub last_utc: String,
    /// Gaps.
    pub gaps: Gaps,
    /// Book updates with bid > ask.
    pub crossed: u64,
    /// Book updates with bid = ask.
    pub locked: u64,
    /// Book updates with a side missing.
    pub empty: u64,
    /// `ts_recv − ts_exchange` ns where both exist; `None` when no record has both.
    pub latency_ns: Option<Percentiles>,
    /// Lower median of `ask − bid` in ticks over two-sided books.
    pub spread_ticks_median: Option<i64>,
    /// Calendar facts; `None` without a config naming the venue.
    pub session: Option<Session>,
}

/// The summary of one capture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The capture file.
    pub file: String,
    /// The capture's source note.
    pub note: String,
    /// Records in the file.
    pub records: u64,
    /// Per instrument, in header order (instruments without records included).
    pub instruments: Vec<InstrumentReport>,
    /// Venues reported in UTC only (no config, or the config does not name them).
    pub utc_only_venues: Vec<String>,
}

/// Builds the report; `venues` are the config's (looked up by name), `gap_ms` the threshold.
pub fn inspect(cap: &Capture, venues: &[Venue], gap_ms: i64) -> Report {
    let h = cap.header();
    let quotes = cap.quotes();
    let mut instruments = Vec::with_capacity(h.instruments.len());
    let mut utc_only = Vec::new();
    for (i, ins) in h.instruments.iter().enumerate() {
        let venue_name = &h.venues[ins.venue.idx()];
        let venue = venues.iter().find(|v| &v.name == venue_name);
        if venue.is_none() && !utc_only.contains(venue_name) {
            utc_only.push(venue_name.clone());
        }
        let mine = quotes.iter().filter(|q| q.instrument.idx() == i);
        let mut r = summarise(mine, gap_ms, venue);
        r.symbol = ins.symbol.clone();
        r.venue = venue_name.clone();
        r.tick_size = ins.tick_size.to_string();
        instruments.push(r);
    }
    Report {
        file: cap.path().display().to_string(),
        note: cap.note().to_owned(),
        records: quotes.len() as u64,
        instruments,
        utc_only_venues: utc_only,
    }
}

fn summarise<'a>(
    records: impl Iterator<Item = &'a Quote>,
    gap_ms: i64,
    venue: Option<&Venue>,
) -> InstrumentReport {
    let gap_ns = gap_ms.saturating_mul(crate::domain::NS_PER_MS);
    let mut cal = venue.and_then(|v| Calendar::new(v).ok());
    let (mut n, mut trades, mut crossed, mut locked, mut empty) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    let mut prev_recv: Option<i64> = None;
    let mut gaps = Gaps {
        threshold_ms: gap_ms,
        count: 0,
        longest_ns: 0,
        longest_ends: None,
    };
    let mut latency = Vec::new();
    let mut spreads = Vec::new();
    let mut days = BTreeSet::new();
    let mut outside = 0u64;
    let mut last_day_key = i64::MIN;
    for q in records {
        n += 1;
        first = first.min(q.ts_exchange.0);
        last = last.max(q.ts_exchange.0);
        if let Some(p) = prev_recv {
            let g = q.ts_recv.0 - p;
            if g > gap_ns {
                gaps.count += 1;
            }
            if g > gaps.longest_ns {
                gaps.longest_ns = g;
                gaps.longest_ends = Some(q.ts_recv.to_string());
            }
        }
        prev_recv = Some(q.ts_recv.0);
        if q.flags & QuoteFlags::NO_EXCHANGE_TS == 0 {
            latency.push(q.ts_recv.0 - q.ts_exchange.0);
        }
        if q.is_trade() {
            trades += 1;
        } else if q.bid_qty.0 <= 0 || q.ask_qty.0 <= 0 {
            empty += 1;
        } else if q.bid_px > q.ask_px {
            crossed += 1;
        } else if q.bid_px == q.ask_px {
            locked += 1;
        } else {
            spreads.push(q.ask_px.0 - q.bid_px.0);
        }
        if let Some(c) = cal.as_mut() {
            if !c.is_open(q.ts_exchange) {
                outside += 1;
            }
            // The trading day only changes across a session boundary; one lookup per minute
            // of data keeps this cheap on long captures.
            let key = q.ts_exchange.0.div_euclid(60 * crate::domain::NS_PER_SEC);
            if key != last_day_key {
                last_day_key = key;
                days.insert(c.trading_day(q.ts_exchange));
            }
        }
    }
    spreads.sort_unstable();
    let session = venue.map(|v| {
        let local = |t: i64| {
            v.time_zone
                .timestamp_nanos(t)
                .format("%Y-%m-%dT%H:%M:%S%.9f%:z")
                .to_string()
        };
        Session {
            time_zone: v.time_zone.name().to_owned(),
            first_local: if n > 0 { local(first) } else { String::new() },
            last_local: if n > 0 { local(last) } else { String::new() },
            trading_days: days.into_iter().collect(),
            out_of_session: outside,
            out_of_session_share: if n > 0 {
                outside as f64 / n as f64
            } else {
                0.0
            },
        }
    });
    let utc = |t: i64| {
        if n > 0 {
            TsNs(t).to_string()
        } else {
            String::new()
        }
    };
    InstrumentReport {
        symbol: String::new(),
        venue: String::new(),
        tick_size: String::new(),
        records: n,
        quotes: n - trades,
        trades,
        first_utc: utc(first),
        last_utc: utc(last),
        gaps,
        crossed,
        locked,
        empty,
        latency_ns: Percentiles::of(&mut latency),
        spread_ticks_median: (!spreads.is_empty()).then(|| spreads[(spreads.len() - 1) / 2]),
        session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_the_ceiling_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&v, 99), Some(10));
        assert_eq!(nearest_rank(&[7], 1), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
    }
}
