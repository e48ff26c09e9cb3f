//! Decoder of CTP depth-market-data style CSV (`crossarb import ctp-csv`): one snapshot per row
//! with best bid/ask, last price and the trading day's cumulative volume. Which column holds
//! what is a [`Layout`] (built in: `cffex-l1`, `tqsdk`; or a TOML file).
//!
//! Output per row: a book update and, when the cumulative volume grew since the previous row of
//! the same instrument, a TRADE record before it (price = last price in `bid_px`, size = the
//! volume delta in `bid_qty`). The first row of an instrument in the file is the baseline (no
//! trade: what came before the recording is unknown); on a new trading day the delta is the new
//! day's cumulative volume. A cumulative volume that goes down within a trading day is an error.
//!
//! Time: rows carry one timestamp, the exchange's update time; it goes into both `ts_exchange`
//! and `ts_recv`, flagged [`QuoteFlags::NO_EXCHANGE_TS`] so that latency statistics skip it.
//! With `time = "local"`, the Beijing time of day plus trading day is placed on the right
//! calendar date by [`days::calendar_date`] using the venue calendar. Rows must be in
//! non-decreasing time. Pure: bytes in, [`Decoded`] out; the CLI does the file I/O.

pub mod days;
pub mod layout;

use std::path::Path;

use chrono::NaiveDate;
use csv::ByteRecord;

use crate::config::Venue;
use crate::domain::{Px, Qty, Quote, QuoteFlags, TsNs};
use crate::feed::capture::NAME_BYTES_MAX;
use crate::feed::decimal::Decimal;
use crate::feed::import::{ticks_of, Decoded, ImportError, Specs, Tables};
use crate::trigger::calendar::{yyyymmdd, Calendar};
use layout::Columns;
pub use layout::{Layout, TimeKind};

/// Venue name when neither config, `--venue` nor the data names one.
pub const DEFAULT_VENUE: &str = "CTP";

/// What to decode and how.
#[derive(Debug)]
pub struct CtpJob<'a> {
    /// The input (named in errors and the note).
    pub path: &'a Path,
    /// Column layout.
    pub layout: &'a Layout,
    /// Its name for the note (`cffex-l1`, `tqsdk`, or the layout file).
    pub layout_name: &'a str,
    /// Tick and lot sizes by symbol.
    pub specs: &'a Specs,
    /// `--venue`: venue of symbols the config does not place.
    pub venue: Option<&'a str>,
    /// The config's venues (calendars by name); empty without a config.
    pub venues: &'a [Venue],
    /// Stamped into the header.
    pub created_at: TsNs,
}

/// Per-instrument decoding state.
#[derive(Debug)]
struct Inst {
    cal: Calendar,
    tz: chrono_tz::Tz,
    tick: Decimal,
    last_cum: Option<i64>,
    last_day: u32,
}

/// Decodes a whole CSV (already decompressed).
pub fn decode(bytes: &[u8], job: &CtpJob<'_>) -> Result<Decoded, ImportError> {
    let path = job.path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = ByteRecord::new();
    let read = |rdr: &mut csv::Reader<&[u8]>, rec: &mut ByteRecord| {
        rdr.read_byte_record(rec).map_err(|e| ImportError::Line {
            path: path.clone(),
            line: e.position().map_or(0, |p| p.line()),
            message: format!("expected CSV: {e}"),
        })
    };
    if !read(&mut rdr, &mut rec)? {
        return Err(ImportError::Line {
            path: path.clone(),
            line: 1,
            message: "expected a header row, got an empty file".into(),
        });
    }
    let names: Vec<String> = rec
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let header: Vec<&str> = names.iter().map(String::as_str).collect();
    let cols = Columns::find(job.layout, &header).map_err(|message| ImportError::Line {
        path: path.clone(),
        line: 1,
        message,
    })?;
    let mut tables = Tables::default();
    let mut state: Vec<Inst> = Vec::new();
    let mut quotes = Vec::new();
    let mut last_ts = i64::MIN;
    let mut fallback_used = false;
    while read(&mut rdr, &mut rec)? {
        let line = rec.position().map_or(0, |p| p.line());
        let err = |column: usize, expected: String| ImportError::Field {
            path: path.clone(),
            line,
            column: column + 1,
            name: names.get(column).cloned().unwrap_or_default(),
            expected,
            got: String::from_utf8_lossy(rec.get(column).unwrap_or_default()).into_owned(),
        };
        if rec.len() != names.len() {
            return Err(ImportError::Line {
                path: path.clone(),
                line,
                message: format!(
                    "expected {} columns like the header, got {}",
                    names.len(),
                    rec.len()
                ),
            });
        }
        let field = |c: usize| rec.get(c).unwrap_or_default();
        // Symbol and instrument.
        let raw_sym = std::str::from_utf8(field(cols.symbol)).unwrap_or("").trim();
        let (prefix, symbol) = match raw_sym.rsplit_once('.') {
            Some((p, s)) if job.layout.strip_exchange_prefix => (Some(p), s),
            _ => (None, raw_sym),
        };
        if symbol.is_empty() || symbol.len() > NAME_BYTES_MAX {
            return Err(err(cols.symbol, "a symbol of 1 to 31 bytes".into()));
        }
        let Some(spec) = job.specs.find(symbol, None) else {
            let expected = format!("a symbol with a known tick size (pass --tick {symbol}=TICK or a --config naming it)");
            return Err(err(cols.symbol, expected));
        };
        let exchange = cols
            .exchange
            .and_then(|c| std::str::from_utf8(field(c)).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let venue_name = spec
            .venue
            .as_deref()
            .or(job.venue)
            .or(exchange)
            .or(prefix)
            .unwrap_or(DEFAULT_VENUE);
        if venue_name.len() > NAME_BYTES_MAX {
            return Err(err(
                cols.exchange.unwrap_or(cols.symbol),
                "a venue name of 1 to 31 bytes".into(),
            ));
        }
        let (id, venue) = tables.id(symbol, venue_name, spec.tick_size, spec.lot_size);
        if id.idx() == state.len() {
            let v = match job.venues.iter().find(|v| v.name == venue_name) {
                Some(v) => v.clone(),
                None => {
                    fallback_used = true;
                    days::fallback_venue(venue_name)
                }
            };
            let cal = Calendar::new(&v).map_err(|e| ImportError::Option {
                what: "--config".into(),
                expected: "a venue calendar".into(),
                got: e.to_string(),
            })?;
            state.push(Inst {
                cal,
                tz: v.time_zone,
                tick: spec.tick_size,
                last_cum: None,
                last_day: 0,
            });
        }
        let st = &mut state[id.idx()];
        // Time and trading day.
        let day_col = cols
            .trading_day
            .map(|c| (c, days::parse_yyyymmdd(field(c))));
        if let Some((c, None)) = day_col {
            return Err(err(c, "a trading day yyyymmdd".into()));
        }
        let day: Option<NaiveDate> = day_col.and_then(|(_, d)| d);
        let ts = match job.layout.time {
            TimeKind::EpochNs => std::str::from_utf8(field(cols.time))
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| err(cols.time, "UTC nanoseconds since the epoch".into()))?,
            TimeKind::Local => {
                let mut tod = days::parse_time_of_day(field(cols.time))
                    .ok_or_else(|| err(cols.time, "a time of day HH:MM:SS[.fff]".into()))?;
                if let Some(c) = cols.millis {
                    let ms = whole(field(c)).filter(|m| (0..1000).contains(m));
                    tod += ms.ok_or_else(|| err(c, "milliseconds 0..999".into()))? * 1_000_000;
                }
                let day = day.expect("Invariant: layouts with local time have a trading day");
                let date = days::calendar_date(&st.cal, day, tod);
                days::local_instant(st.tz, date, tod)
                    .ok_or_else(|| {
                        err(
                            cols.time,
                            format!("a time that exists on {date} in {}", st.tz.name()),
                        )
                    })?
                    .0
            }
        };
        if ts < last_ts {
            return Err(ImportError::Line {
                path: path.clone(),
                line,
                message: format!(
                    "expected rows in non-decreasing time, got {} after {}",
                    TsNs(ts),
                    TsNs(last_ts)
                ),
            });
        }
        last_ts = ts;
        let trading_day = match day {
            Some(d) => yyyymmdd(d),
            None => st.cal.trading_day(TsNs(ts)),
        };
        // Book.
        let side = |px_c: usize, qty_c: usize| -> Result<(Px, Qty), ImportError> {
            let qty = whole(field(qty_c)).filter(|q| *q >= 0);
            let qty = qty.ok_or_else(|| err(qty_c, "a whole number of lots ≥ 0".into()))?;
            if qty == 0 {
                return Ok((Px::ZERO, Qty::ZERO));
            }
            let px = Decimal::parse(field(px_c).trim_ascii())
                .map_err(|_| err(px_c, "a decimal price (the side has a size)".into()))?;
            let px = ticks_of(px, st.tick).map_err(|e| err(px_c, e))?;
            Ok((Px(px), Qty(qty)))
        };
        let (bid_px, bid_qty) = side(cols.bid, cols.bid_size)?;
        let (ask_px, ask_qty) = side(cols.ask, cols.ask_size)?;
        let seq = match cols.seq {
            Some(c) => whole(field(c))
                .filter(|s| *s >= 0)
                .ok_or_else(|| err(c, "a sequence number ≥ 0".into()))?
                as u64,
            None => 0,
        };
        // Volume → trade.
        let cum = whole(field(cols.volume))
            .filter(|v| *v >= 0)
            .ok_or_else(|| err(cols.volume, "a cumulative volume ≥ 0".into()))?;
        let delta = match st.last_cum {
            None => 0,
            Some(_) if trading_day != st.last_day => cum,
            Some(prev) if cum < prev => {
                let expected = format!("a cumulative volume ≥ {prev} (the previous row's, same trading day {trading_day})");
                return Err(err(cols.volume, expected));
            }
            Some(prev) => cum - prev,
        };
        st.last_cum = Some(cum);
        st.last_day = trading_day;
        let base = Quote {
            ts_exchange: TsNs(ts),
            ts_recv: TsNs(ts),
            seq,
            venue,
            instrument: id,
            flags: QuoteFlags::NO_EXCHANGE_TS,
            ..Quote::default()
        };
        if delta > 0 {
            let last = Decimal::parse(field(cols.last).trim_ascii())
                .map_err(|_| err(cols.last, "a decimal last price (the volume grew)".into()))?;
            let last = ticks_of(last, st.tick).map_err(|e| err(cols.last, e))?;
            quotes.push(trade(base, Px(last), Qty(delta)));
        }
        quotes.push(Quote {
            bid_px,
            ask_px,
            bid_qty,
            ask_qty,
            ..base
        });
    }
    let name = job
        .path
        .file_name()
        .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    let mut note = format!(
        "ctp-csv import of {name} (layout {}); one timestamp per row (exchange update time, UTC) in ts_exchange and ts_recv, flagged NO_EXCHANGE_TS; TRADE records from cumulative volume deltas (first row per instrument is the baseline)",
        job.layout_name
    );
    if fallback_used {
        note.push_str("; no config venue: Asia/Shanghai Mon-Fri calendar without holidays assumed");
    }
    Ok(Decoded {
        header: tables.header(note, job.created_at),
        quotes,
    })
}

fn trade(base: Quote, px: Px, qty: Qty) -> Quote {
    Quote {
        bid_px: px,
        bid_qty: qty,
        flags: base.flags | QuoteFlags::TRADE,
        ..base
    }
}

/// A whole number written as `12`, `12.0` or empty-free; `None` otherwise.
pub(crate) fn whole(b: &[u8]) -> Option<i64> {
    let d = Decimal::parse(b.trim_ascii()).ok()?;
    if d.significant_scale() != 0 {
        return None;
    }
    Some(d.mantissa / 10i64.pow(u32::from(d.scale)))
}
