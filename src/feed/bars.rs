//! Decoder of 1-minute bid/ask bar CSV (`crossarb import bar-csv`), the layout of the COMEX GC
//! minute quotes in shared/data/comex-gc-2013:
//!
//! `bar_start_ts_ns,bar_start_utc,contract_expiry_yyyymm,bid_open,bid_high,bid_low,bid_close,
//! last_bid_size,ask_open,ask_high,ask_low,ask_close,last_ask_size`
//!
//! One quote per bar at the bar's close (`bar_start + 60 s`) from `bid_close`/`ask_close` and the
//! last sizes, in both time fields, flagged [`QuoteFlags::BAR`] and
//! [`QuoteFlags::NO_EXCHANGE_TS`]. Each expiry is its own symbol, `<root><yyyymm>` (`GC201312`);
//! `expiry` keeps one. A size of 0 is an empty side. Locked or crossed bars (bid ≥ ask at the
//! close) are real and kept. Rows must be in non-decreasing bar start. Pure: bytes in,
//! [`Decoded`] out.

use std::path::Path;

use csv::ByteRecord;

use crate::domain::{Px, Qty, Quote, QuoteFlags, TsNs, NS_PER_SEC};
use crate::feed::capture::NAME_BYTES_MAX;
use crate::feed::ctp::whole;
use crate::feed::decimal::Decimal;
use crate::feed::import::{ticks_of, Decoded, ImportError, Specs, Tables};

/// The required header row.
pub const COLUMNS: [&str; 13] = [
    "bar_start_ts_ns",
    "bar_start_utc",
    "contract_expiry_yyyymm",
    "bid_open",
    "bid_high",
    "bid_low",
    "bid_close",
    "last_bid_size",
    "ask_open",
    "ask_high",
    "ask_low",
    "ask_close",
    "last_ask_size",
];

/// Bar length: the quote is stamped at `bar_start + BAR_NS`.
pub const BAR_NS: i64 = 60 * NS_PER_SEC;

/// Venue name when neither config nor `--venue` names one (the layout's source exchange).
pub const DEFAULT_VENUE: &str = "COMEX";

/// What to decode and how.
#[derive(Debug)]
pub struct BarJob<'a> {
    /// The input (named in errors and the note).
    pub path: &'a Path,
    /// Symbol root: symbols are `<root><yyyymm>`.
    pub root: &'a str,
    /// Keep only this expiry (`yyyymm`); `None`: every expiry as its own symbol.
    pub expiry: Option<&'a str>,
    /// Tick sizes by symbol (or by root).
    pub specs: &'a Specs,
    /// `--venue`: venue of symbols the config does not place.
    pub venue: Option<&'a str>,
    /// Stamped into the header.
    pub created_at: TsNs,
}

/// Decodes a whole bar CSV (already decompressed).
pub fn decode(bytes: &[u8], job: &BarJob<'_>) -> Result<Decoded, ImportError> {
    let path = job.path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = ByteRecord::new();
    let mut read = |rec: &mut ByteRecord| {
        rdr.read_byte_record(rec).map_err(|e| ImportError::Line {
            path: path.clone(),
            line: e.position().map_or(0, |p| p.line()),
            message: format!("expected CSV: {e}"),
        })
    };
    let header_ok = read(&mut rec)?
        && rec
            .iter()
            .map(<[u8]>::trim_ascii)
            .eq(COLUMNS.iter().map(|c| c.as_bytes()));
    if !header_ok {
        return Err(ImportError::Line {
            path: path.clone(),
            line: 1,
            message: format!(
                "expected the header row `{}`, got `{}`",
                COLUMNS.join(","),
                rec.iter()
                    .map(String::from_utf8_lossy)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        });
    }
    let mut tables = Tables::default();
    let mut quotes = Vec::new();
    let mut last_start = i64::MIN;
    let mut symbol = String::with_capacity(NAME_BYTES_MAX);
    while read(&mut rec)? {
        let line = rec.position().map_or(0, |p| p.line());
        let field = |c: usize| rec.get(c).unwrap_or_default().trim_ascii();
        let err = |c: usize, expected: String| ImportError::Field {
            path: path.clone(),
            line,
            column: c + 1,
            name: COLUMNS[c].into(),
            expected,
            got: String::from_utf8_lossy(field(c)).into_owned(),
        };
        if rec.len() != COLUMNS.len() {
            return Err(ImportError::Line {
                path: path.clone(),
                line,
                message: format!(
                    "expected {} columns ({}), got {}",
                    COLUMNS.len(),
                    COLUMNS.join(","),
                    rec.len()
                ),
            });
        }
        let start = std::str::from_utf8(field(0))
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| err(0, "UTC nanoseconds since the epoch".into()))?;
        if start < last_start {
            let m = format!(
                "expected rows in non-decreasing bar start, got {} after {}",
                TsNs(start),
                TsNs(last_start)
            );
            return Err(ImportError::Line {
                path: path.clone(),
                line,
                message: m,
            });
        }
        last_start = start;
        let expiry = field(2);
        if expiry.len() != 6 || !expiry.iter().all(u8::is_ascii_digit) {
            return Err(err(2, "an expiry yyyymm".into()));
        }
        if job.expiry.is_some_and(|e| e.as_bytes() != expiry) {
            continue;
        }
        symbol.clear();
        symbol.push_str(job.root);
        symbol.push_str(std::str::from_utf8(expiry).unwrap_or_default());
        let Some(spec) = job.specs.find(&symbol, Some(job.root)) else {
            let expected = format!(
                "an expiry whose symbol {symbol} has a known tick size (pass --tick {symbol}=TICK, --tick {}=TICK or a --config naming it)",
                job.root
            );
            return Err(err(2, expected));
        };
        let venue = spec
            .venue
            .as_deref()
            .filter(|_| spec.symbol == symbol)
            .or(job.venue)
            .unwrap_or(DEFAULT_VENUE);
        let (id, venue) = tables.id(&symbol, venue, spec.tick_size, spec.lot_size);
        let tick = spec.tick_size;
        let side = |px_c: usize, qty_c: usize| -> Result<(Px, Qty), ImportError> {
            let qty = whole(field(qty_c)).filter(|q| *q >= 0);
            let qty = qty.ok_or_else(|| err(qty_c, "a whole number of lots ≥ 0".into()))?;
            if qty == 0 {
                return Ok((Px::ZERO, Qty::ZERO));
            }
            let px = Decimal::parse(field(px_c))
                .map_err(|_| err(px_c, "a decimal price (the side has a size)".into()))?;
            let px = ticks_of(px, tick).map_err(|e| err(px_c, e))?;
            Ok((Px(px), Qty(qty)))
        };
        let (bid_px, bid_qty) = side(6, 7)?;
        let (ask_px, ask_qty) = side(11, 12)?;
        let ts = TsNs(start + BAR_NS);
        quotes.push(Quote {
            ts_exchange: ts,
            ts_recv: ts,
            seq: 0,
            bid_px,
            ask_px,
            bid_qty,
            ask_qty,
            venue,
            instrument: id,
            flags: QuoteFlags::BAR | QuoteFlags::NO_EXCHANGE_TS,
        });
    }
    let name = job
        .path
        .file_name()
        .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    let note = format!(
        "bar-csv import of {name}: source resolution: 1 minute (bid/ask bars); one quote per bar at bar close (start + 60 s) from bid_close/ask_close and the last sizes, flagged BAR and NO_EXCHANGE_TS; expiries: {}",
        job.expiry.unwrap_or("all")
    );
    Ok(Decoded {
        header: tables.header(note, job.created_at),
        quotes,
    })
}
