//! Importer of the generic quote CSV into a capture (`crossarb import csv`).
//!
//! Input: a header row `ts_ns,instrument,bid,ask,bid_size,ask_size`, then one top-of-book quote
//! per row: UTC nanoseconds, symbol, prices as decimals, sizes as whole lots. An empty side has
//! size 0 (or empty) and its price may be empty. Rows must be in non-decreasing `ts_ns`.
//!
//! Output: a capture whose records carry `ts_ns` as both exchange and receive time
//! ([`QuoteFlags::NO_EXCHANGE_TS`]), `seq` 0 (the source has none), prices in integer ticks.
//! Tick sizes come from the config by symbol, or are derived per instrument as 10^-d where d is
//! the most significant decimals seen in its prices. Prices become ticks exactly (decimal
//! mantissa arithmetic, never `f64`); a price off its tick grid is an error.
//!
//! Two streaming passes over the file (`ByteRecord`, no per-field allocation): the first checks
//! every row and learns the instruments and their ticks, the second writes the capture. A bad row
//! therefore stops the import before any output exists. Cold path, run by the CLI thread.

mod plan;
mod rows;

use std::path::{Path, PathBuf};

use crate::domain::{InstrumentId, Px, Qty, Quote, QuoteFlags, TsNs, VenueId};
use crate::feed::capture::{CaptureError, CaptureWriter, NAME_BYTES_MAX};
use crate::feed::decimal::{Decimal, DecimalError};
use plan::Plan;
use rows::for_each_row;

/// The required header row.
pub const COLUMNS: [&str; 6] = ["ts_ns", "instrument", "bid", "ask", "bid_size", "ask_size"];

/// Venue name written when neither `--venue` nor a config names one.
pub const DEFAULT_VENUE: &str = "CSV";

/// An instrument whose tick size is known before reading (from the config).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownInstrument {
    /// Symbol as the CSV names it.
    pub symbol: String,
    /// Venue name.
    pub venue: String,
    /// Tick size.
    pub tick_size: Decimal,
    /// Lot size, in the instrument's lot unit.
    pub lot_size: Option<Decimal>,
}

/// Where tick sizes come from.
#[derive(Clone, Debug)]
pub enum Ticks {
    /// From a config file: every symbol in the CSV must be one of these.
    Known {
        /// The config file (named in the capture note).
        from: PathBuf,
        /// Its instruments.
        instruments: Vec<KnownInstrument>,
    },
    /// 10^-d per instrument, d = most significant decimals seen in its prices.
    Derive,
}

/// What to import and how.
#[derive(Clone, Debug)]
pub struct CsvImport {
    /// The CSV file.
    pub input: PathBuf,
    /// The capture to write.
    pub output: PathBuf,
    /// Tick sizes.
    pub ticks: Ticks,
    /// Venue of every row; `None`: the config's venue of each instrument, else [`DEFAULT_VENUE`].
    pub venue: Option<String>,
    /// Stamped into the capture header.
    pub created_at: TsNs,
}

/// One instrument of the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedInstrument {
    /// Symbol.
    pub symbol: String,
    /// Venue name.
    pub venue: String,
    /// Tick size used.
    pub tick_size: Decimal,
    /// True when derived from the data, false when from the config.
    pub derived: bool,
    /// Rows of this instrument.
    pub rows: u64,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows (= records) written.
    pub rows: u64,
    /// Instruments in capture-table order (first appearance in the CSV).
    pub instruments: Vec<ImportedInstrument>,
    /// First and last `ts_ns`; `None` without rows.
    pub time_range: Option<(TsNs, TsNs)>,
    /// The capture written.
    pub output: PathBuf,
}

/// Why an import failed. Input problems ([`CsvError::is_bad_input`]) name file, line and column.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The input cannot be opened.
    #[error("{path}: cannot read: {source}")]
    Open {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Reading failed part-way.
    #[error("{path}: read error: {source}")]
    Read {
        /// File.
        path: String,
        /// Cause.
        source: csv::Error,
    },
    /// The first row is not the expected header.
    #[error("{path}:1: expected the header row `{}`, got `{got}`", COLUMNS.join(","))]
    Header {
        /// File.
        path: String,
        /// The first row as read.
        got: String,
    },
    /// A row with the wrong number of fields.
    #[error("{path}:{line}: expected 6 columns ({}), got {got}", COLUMNS.join(","))]
    Columns {
        /// File.
        path: String,
        /// 1-based line.
        line: u64,
        /// Fields found.
        got: usize,
    },
    /// A field that is not what its column needs.
    #[error("{path}:{line}: column {column} ({name}): expected {expected}, got \"{got}\"")]
    Field {
        /// File.
        path: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// Column name.
        name: &'static str,
        /// What the column needs.
        expected: String,
        /// The text found.
        got: String,
    },
    /// `--venue` or a config value unusable in a capture.
    #[error("{what}: expected {expected}, got \"{got}\"")]
    Option {
        /// Which option or config field.
        what: String,
        /// What it needs.
        expected: String,
        /// Its value.
        got: String,
    },
    /// The input changed between the checking pass and the writing pass.
    #[error("{path}: changed during the import ({scanned} rows checked, {written} read when writing); nothing written")]
    Changed {
        /// File.
        path: String,
        /// Rows in the first pass.
        scanned: u64,
        /// Rows in the second pass.
        written: u64,
    },
    /// Writing the capture failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

impl CsvError {
    /// True for problems with the input or options (exit 2), false for I/O failures (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            CsvError::Read { .. } | CsvError::Changed { .. } | CsvError::Capture(_)
        )
    }
}

/// Tick and lot sizes of a config's instruments, for [`Ticks::Known`].
pub fn known_from_config(
    instruments: &[crate::config::Instrument],
    venues: &[crate::config::Venue],
) -> Result<Vec<KnownInstrument>, CsvError> {
    let mut out = Vec::with_capacity(instruments.len());
    for (i, ins) in instruments.iter().enumerate() {
        let exact = |v: f64, field: &str| {
            Decimal::from_f64_shortest(v)
                .filter(|d| d.is_positive())
                .ok_or_else(|| CsvError::Option {
                    what: format!("config instruments[{i}].{field}"),
                    expected: "a positive decimal with at most 18 decimals".into(),
                    got: v.to_string(),
                })
        };
        let venue = venues.get(ins.venue.idx()).map(|v| v.name.clone());
        out.push(KnownInstrument {
            symbol: ins.symbol.clone(),
            venue: venue.unwrap_or_else(|| DEFAULT_VENUE.to_owned()),
            tick_size: exact(ins.tick_size, "tick_size")?,
            lot_size: Some(exact(ins.lot_size, "lot_size")?),
        });
    }
    Ok(out)
}

/// Runs the import. `progress(done, total)` is called now and then with bytes of input
/// processed over both passes.
pub fn import(
    job: &CsvImport,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportSummary, CsvError> {
    if let Some(v) = &job.venue {
        if v.is_empty() || v.len() > NAME_BYTES_MAX {
            return Err(CsvError::Option {
                what: "--venue".into(),
                expected: "a venue name of 1 to 31 bytes".into(),
                got: v.clone(),
            });
        }
    }
    let total = std::fs::metadata(&job.input)
        .map_err(|source| CsvError::Open {
            path: job.input.display().to_string(),
            source,
        })?
        .len()
        * 2;
    let mut plan = Plan::new(job);
    let scan = |row: &Row<'_>, plan: &mut Plan<'_>| plan.learn(row);
    let scanned = for_each_row(&job.input, 0, total, progress, &mut plan, scan)?;
    let header = plan.header();
    let mut writer = CaptureWriter::create(&job.output, &header)?;
    let ticks: Vec<Decimal> = header.instruments.iter().map(|i| i.tick_size).collect();
    let venues: Vec<VenueId> = header.instruments.iter().map(|i| i.venue).collect();
    let mut write = |row: &Row<'_>, plan: &mut Plan<'_>| -> Result<(), CsvError> {
        let id = plan.lookup(row)?;
        let q = Quote {
            ts_exchange: row.ts,
            ts_recv: row.ts,
            seq: 0,
            bid_px: row.bid.px(ticks[id], row, 2)?,
            ask_px: row.ask.px(ticks[id], row, 3)?,
            bid_qty: Qty(row.bid.qty),
            ask_qty: Qty(row.ask.qty),
            venue: venues[id],
            instrument: InstrumentId(id as u16),
            flags: QuoteFlags::NO_EXCHANGE_TS,
        };
        writer.append(&q).map_err(CsvError::from)
    };
    let written = for_each_row(
        &job.input,
        total / 2,
        total,
        progress,
        &mut plan,
        &mut write,
    )?;
    if written != scanned {
        return Err(CsvError::Changed {
            path: job.input.display().to_string(),
            scanned,
            written,
        });
    }
    let rows = writer.finish()?;
    Ok(plan.summary(rows))
}

/// One side of a row: price text and lots.
#[derive(Clone, Copy, Debug)]
struct SideIn<'a> {
    px: Option<Decimal>,
    px_text: &'a [u8],
    qty: i64,
}

impl SideIn<'_> {
    fn px(&self, tick: Decimal, row: &Row<'_>, column: usize) -> Result<Px, CsvError> {
        match self.px {
            Some(p) if self.qty > 0 => p.to_ticks(tick).map(Px).map_err(|e| {
                let expected = match e {
                    DecimalError::OffGrid => format!("a price on the tick grid of {tick}"),
                    _ => format!("a price within ±2^63 ticks of {tick}"),
                };
                row.err(column, expected, self.px_text)
            }),
            _ => Ok(Px::ZERO),
        }
    }
}

/// One parsed row, borrowing the record's bytes.
#[derive(Debug)]
struct Row<'a> {
    path: &'a Path,
    line: u64,
    ts: TsNs,
    symbol: &'a [u8],
    bid: SideIn<'a>,
    ask: SideIn<'a>,
}

impl Row<'_> {
    fn err(&self, column: usize, expected: String, got: &[u8]) -> CsvError {
        CsvError::Field {
            path: self.path.display().to_string(),
            line: self.line,
            column: column + 1,
            name: COLUMNS[column],
            expected,
            got: String::from_utf8_lossy(got).into_owned(),
        }
    }
}
