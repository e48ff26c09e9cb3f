//! Streams the CSV: checks the header row, then parses each row into a [`Row`] borrowing the
//! record's bytes (one reused `ByteRecord`, no allocation per field).

use std::fs::File;
use std::path::Path;

use csv::ByteRecord;

use super::{CsvError, Plan, Row, SideIn, COLUMNS};
use crate::domain::TsNs;
use crate::feed::capture::NAME_BYTES_MAX;
use crate::feed::decimal::{Decimal, DecimalError};

/// Rows between progress reports.
const PROGRESS_ROWS: u64 = 1 << 16;

/// Calls `f` on every data row of `path` in order; stops at the first error. Reports progress
/// as `base + bytes read` out of `total`.
pub(super) fn for_each_row<'j>(
    path: &Path,
    base: u64,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
    plan: &mut Plan<'j>,
    mut f: impl FnMut(&Row<'_>, &mut Plan<'j>) -> Result<(), CsvError>,
) -> Result<u64, CsvError> {
    let name = || path.display().to_string();
    let file = File::open(path).map_err(|source| CsvError::Open {
        path: name(),
        source,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let mut rec = ByteRecord::new();
    let read = |rdr: &mut csv::Reader<File>, rec: &mut ByteRecord| {
        rdr.read_byte_record(rec).map_err(|source| CsvError::Read {
            path: name(),
            source,
        })
    };
    if !read(&mut rdr, &mut rec)? {
        return Err(CsvError::Header {
            path: name(),
            got: String::new(),
        });
    }
    check_header(&rec, path)?;
    let mut rows = 0u64;
    while read(&mut rdr, &mut rec)? {
        let line = rec.position().map_or(0, |p| p.line());
        let row = parse_row(&rec, path, line)?;
        f(&row, plan)?;
        rows += 1;
        if rows % PROGRESS_ROWS == 0 {
            progress(base + rdr.position().byte(), total);
        }
    }
    progress(base + total / 2, total);
    Ok(rows)
}

fn check_header(rec: &ByteRecord, path: &Path) -> Result<(), CsvError> {
    let field = |i: usize| {
        let f = rec.get(i).unwrap_or_default();
        // Spreadsheets like to start files with a UTF-8 byte-order mark.
        let f = if i == 0 {
            f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
        } else {
            f
        };
        f.trim_ascii()
    };
    let ok =
        rec.len() == COLUMNS.len() && (0..COLUMNS.len()).all(|i| field(i) == COLUMNS[i].as_bytes());
    if ok {
        return Ok(());
    }
    let got: Vec<String> = (0..rec.len())
        .map(|i| String::from_utf8_lossy(field(i)).into_owned())
        .collect();
    Err(CsvError::Header {
        path: path.display().to_string(),
        got: got.join(","),
    })
}

fn parse_row<'a>(rec: &'a ByteRecord, path: &'a Path, line: u64) -> Result<Row<'a>, CsvError> {
    if rec.len() != COLUMNS.len() {
        return Err(CsvError::Columns {
            path: path.display().to_string(),
            line,
            got: rec.len(),
        });
    }
    let f = |i: usize| rec.get(i).unwrap_or_default();
    let empty = SideIn {
        px: None,
        px_text: b"",
        qty: 0,
    };
    let mut row = Row {
        path,
        line,
        ts: TsNs::ZERO,
        symbol: f(1),
        bid: empty,
        ask: empty,
    };
    row.ts = match parse_whole(f(0)) {
        Some(ts) => TsNs(ts),
        None => {
            let e = "UTC nanoseconds since 1970 (a non-negative integer)";
            return Err(row.err(0, e.into(), f(0)));
        }
    };
    if row.symbol.is_empty()
        || row.symbol.len() > NAME_BYTES_MAX
        || core::str::from_utf8(row.symbol).is_err()
    {
        return Err(row.err(1, "a symbol of 1 to 31 bytes of UTF-8".into(), row.symbol));
    }
    row.bid = side(&row, f(2), 2, f(4), 4)?;
    row.ask = side(&row, f(3), 3, f(5), 5)?;
    Ok(row)
}

/// A side from its price and size fields. Size empty or 0 = empty side (price optional).
fn side<'a>(
    row: &Row<'_>,
    px: &'a [u8],
    px_col: usize,
    qty: &[u8],
    qty_col: usize,
) -> Result<SideIn<'a>, CsvError> {
    let lots = if qty.is_empty() {
        0
    } else {
        parse_whole(qty)
            .ok_or_else(|| row.err(qty_col, "a whole number of lots ≥ 0".into(), qty))?
    };
    let price = if px.is_empty() {
        if lots > 0 {
            return Err(row.err(px_col, format!("a price (size is {lots})"), px));
        }
        None
    } else {
        let p = Decimal::parse(px).map_err(|e| {
            let expected = match e {
                DecimalError::TooManyDecimals => "a decimal price with at most 18 decimals",
                DecimalError::TooManyDigits => "a decimal price of at most 18 digits",
                _ => "a decimal price like 70010.5",
            };
            row.err(px_col, expected.into(), px)
        })?;
        Some(p)
    };
    Ok(SideIn {
        px: price,
        px_text: px,
        qty: lots,
    })
}

/// A non-negative integer of ASCII digits that fits an `i64`.
fn parse_whole(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(v)
}
