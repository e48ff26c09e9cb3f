//! What the desk-data importers (`ctp-csv`, `dbn`, `bar-csv`) share: their error type, the
//! instrument table they resolve symbols against (config and `--tick` flags), reading an input
//! file whole (gzip detected by magic), and writing a decoded batch as a capture.
//!
//! Every importer decodes the whole input into memory first (the desk files are small: tens of
//! thousands of rows) and validates as it goes; only a fully decoded batch is written, through
//! [`CaptureWriter`] (`.partial` + rename). So a bad input leaves no output file at all. Cold
//! path, run by the CLI thread.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::domain::{InstrumentId, Quote, TsNs, VenueId};
use crate::feed::capture::{
    CaptureError, CaptureHeader, CaptureInstrument, CaptureWriter, NAME_BYTES_MAX,
};
use crate::feed::decimal::Decimal;

/// Why an import failed. Input problems ([`ImportError::is_bad_input`]) name the file and the
/// line, column or byte offset.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input cannot be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
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
        name: String,
        /// What the column needs.
        expected: String,
        /// The text found.
        got: String,
    },
    /// A line that is wrong as a whole (header, column count, order of rows).
    #[error("{path}:{line}: {message}")]
    Line {
        /// File.
        path: String,
        /// 1-based line.
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A binary input that is wrong at a byte offset.
    #[error("{path}: byte {offset}: {message}")]
    Offset {
        /// File.
        path: String,
        /// Byte offset (in the decompressed stream for compressed files).
        offset: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The input as a whole is not something this importer takes.
    #[error("{path}: {message}")]
    Refused {
        /// File.
        path: String,
        /// Why, and what to use instead.
        message: String,
    },
    /// A command-line option or config value unusable here.
    #[error("{what}: expected {expected}, got \"{got}\"")]
    Option {
        /// Which option or config field.
        what: String,
        /// What it needs.
        expected: String,
        /// Its value.
        got: String,
    },
    /// Writing the capture failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
}

impl ImportError {
    /// True for problems with the input or options (exit 2), false for I/O failures (exit 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ImportError::Io { .. } | ImportError::Capture(_))
    }
}

/// An instrument whose tick size is known before decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Symbol as the capture will name it.
    pub symbol: String,
    /// Venue name; `None` when only a `--tick` flag named it (the importer picks the venue).
    pub venue: Option<String>,
    /// Tick size.
    pub tick_size: Decimal,
    /// Lot size in the instrument's lot unit, when known.
    pub lot_size: Option<Decimal>,
}

/// Instruments known before decoding: `--tick` flags first, then the config's instruments.
#[derive(Clone, Debug, Default)]
pub struct Specs {
    /// In lookup order.
    pub list: Vec<Spec>,
}

impl Specs {
    /// From `--tick SYMBOL=TICK` flags and an optional config.
    pub fn new(
        ticks: &[String],
        config: Option<&crate::config::Config>,
    ) -> Result<Specs, ImportError> {
        let mut list = Vec::new();
        for t in ticks {
            let bad = || ImportError::Option {
                what: "--tick".into(),
                expected: "SYMBOL=TICK with a positive decimal tick, e.g. IF2101=0.2".into(),
                got: t.clone(),
            };
            let (sym, tick) = t.split_once('=').ok_or_else(bad)?;
            let tick = Decimal::parse(tick.as_bytes()).map_err(|_| bad())?;
            if sym.is_empty() || sym.len() > NAME_BYTES_MAX || !tick.is_positive() {
                return Err(bad());
            }
            list.push(Spec {
                symbol: sym.to_owned(),
                venue: None,
                tick_size: tick,
                lot_size: None,
            });
        }
        if let Some(cfg) = config {
            let known = crate::feed::csv::known_from_config(&cfg.instruments, &cfg.venues)
                .map_err(|e| ImportError::Option {
                    what: "--config".into(),
                    expected: "instruments with exact decimal tick and lot sizes".into(),
                    got: e.to_string(),
                })?;
            for k in known {
                list.push(Spec {
                    symbol: k.symbol,
                    venue: Some(k.venue),
                    tick_size: k.tick_size,
                    lot_size: k.lot_size,
                });
            }
        }
        Ok(Specs { list })
    }

    /// The first spec named `symbol`, else the first named `root` (e.g. `GC` for `GC201312`).
    pub fn find(&self, symbol: &str, root: Option<&str>) -> Option<&Spec> {
        self.list
            .iter()
            .find(|s| s.symbol == symbol)
            .or_else(|| root.and_then(|r| self.list.iter().find(|s| s.symbol == r)))
    }
}

/// Builds a capture's venue and instrument tables as symbols are met, so that records can carry
/// their indexes.
#[derive(Debug, Default)]
pub struct Tables {
    /// Venue names.
    pub venues: Vec<String>,
    /// Instruments.
    pub instruments: Vec<CaptureInstrument>,
}

impl Tables {
    /// The (instrument, venue) ids of `symbol` on `venue`, adding them on first sight.
    pub fn id(
        &mut self,
        symbol: &str,
        venue: &str,
        tick: Decimal,
        lot: Option<Decimal>,
    ) -> (InstrumentId, VenueId) {
        let v = match self.venues.iter().position(|n| n == venue) {
            Some(v) => v,
            None => {
                self.venues.push(venue.to_owned());
                self.venues.len() - 1
            }
        };
        let v = VenueId(v as u16);
        let i = match self
            .instruments
            .iter()
            .position(|i| i.symbol == symbol && i.venue == v)
        {
            Some(i) => i,
            None => {
                self.instruments.push(CaptureInstrument {
                    symbol: symbol.to_owned(),
                    venue: v,
                    tick_size: tick,
                    lot_size: lot,
                });
                self.instruments.len() - 1
            }
        };
        (InstrumentId(i as u16), v)
    }

    /// The finished header.
    pub fn header(self, note: String, created_at: TsNs) -> CaptureHeader {
        CaptureHeader {
            created_at,
            note,
            venues: self.venues,
            instruments: self.instruments,
        }
    }
}

/// A fully decoded input, ready to be written.
#[derive(Debug)]
pub struct Decoded {
    /// The capture header.
    pub header: CaptureHeader,
    /// Records in source order.
    pub quotes: Vec<Quote>,
}

/// What an import wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// Records written.
    pub records: u64,
    /// `(symbol, venue, tick)` per instrument, in table order.
    pub instruments: Vec<(String, String, Decimal)>,
    /// First and last `ts_recv`; `None` without records.
    pub time_range: Option<(TsNs, TsNs)>,
    /// The capture.
    pub output: PathBuf,
}

/// Reads `path` whole; gzip (magic `1f 8b`) is decompressed.
pub fn read_input(path: &Path) -> Result<Vec<u8>, ImportError> {
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let raw = std::fs::read(path).map_err(io)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 6);
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(io)?;
        return Ok(out);
    }
    Ok(raw)
}

/// Writes `decoded` to `output` (`.partial` + rename).
pub fn write(decoded: &Decoded, output: &Path) -> Result<Written, ImportError> {
    write_with_progress(decoded, output, &mut |_, _| {})
}

/// [`write()`], reporting `(records written, total)` every 65,536 records and at the end.
pub fn write_with_progress(
    decoded: &Decoded,
    output: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Written, ImportError> {
    let total = decoded.quotes.len() as u64;
    let mut w = CaptureWriter::create(output, &decoded.header)?;
    for (i, q) in decoded.quotes.iter().enumerate() {
        w.append(q)?;
        if i & 0xFFFF == 0xFFFF {
            progress(i as u64 + 1, total);
        }
    }
    progress(total, total);
    let records = w.finish()?;
    let h = &decoded.header;
    Ok(Written {
        records,
        instruments: h
            .instruments
            .iter()
            .map(|i| {
                (
                    i.symbol.clone(),
                    h.venues[i.venue.idx()].clone(),
                    i.tick_size,
                )
            })
            .collect(),
        time_range: decoded
            .quotes
            .first()
            .zip(decoded.quotes.last())
            .map(|(a, b)| (a.ts_recv, b.ts_recv)),
        output: output.to_path_buf(),
    })
}

/// A price as a decimal → integer ticks, or the `expected` text for an error.
pub fn ticks_of(px: Decimal, tick: Decimal) -> Result<i64, String> {
    px.to_ticks(tick).map_err(|e| match e {
        crate::feed::decimal::DecimalError::OffGrid => {
            format!("a price on the tick grid of {tick}")
        }
        _ => format!("a price within ±2^63 ticks of {tick}"),
    })
}
