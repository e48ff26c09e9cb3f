//! What the first pass learns: the instruments in order of first appearance, their venues and
//! tick sizes, row counts and the time range; and the capture header built from it.

use std::collections::HashMap;

use super::{CsvImport, ImportSummary, ImportedInstrument, Row, Ticks, DEFAULT_VENUE};
use crate::domain::{TsNs, VenueId};
use crate::feed::capture::{CaptureHeader, CaptureInstrument, INSTRUMENTS_MAX};
use crate::feed::csv::CsvError;
use crate::feed::decimal::Decimal;

/// One instrument seen in the CSV.
#[derive(Debug)]
struct Entry {
    symbol: String,
    venue: String,
    /// From the config; `None` = derive from `scale_max`.
    known_tick: Option<Decimal>,
    lot_size: Option<Decimal>,
    scale_max: u8,
    rows: u64,
}

impl Entry {
    fn tick(&self) -> Decimal {
        self.known_tick
            .unwrap_or_else(|| Decimal::unit(self.scale_max))
    }
}

/// Instruments and time range of the input; see the module doc.
#[derive(Debug)]
pub(in crate::feed) struct Plan<'j> {
    job: &'j CsvImport,
    index: HashMap<Vec<u8>, usize>,
    entries: Vec<Entry>,
    /// Most rows repeat the previous row's symbol: checked before hashing.
    last: usize,
    first_ts: Option<TsNs>,
    prev: Option<(TsNs, u64)>,
}

impl<'j> Plan<'j> {
    pub(super) fn new(job: &'j CsvImport) -> Plan<'j> {
        Plan {
            job,
            index: HashMap::new(),
            entries: Vec::new(),
            last: usize::MAX,
            first_ts: None,
            prev: None,
        }
    }

    /// First pass: checks order and ticks, learns the row's instrument.
    pub(super) fn learn(&mut self, row: &Row<'_>) -> Result<(), CsvError> {
        if let Some((prev, line)) = self.prev {
            if row.ts < prev {
                let e = format!(
                    "a time ≥ {} of line {line} (rows must be in time order)",
                    prev.0
                );
                return Err(row.err(0, e, &row.ts.0.to_string().into_bytes()));
            }
        }
        self.prev = Some((row.ts, row.line));
        self.first_ts.get_or_insert(row.ts);
        let id = match self.find(row.symbol) {
            Some(id) => id,
            None => self.add(row)?,
        };
        let e = &mut self.entries[id];
        e.rows += 1;
        match e.known_tick {
            Some(tick) => {
                row.bid.px(tick, row, 2)?;
                row.ask.px(tick, row, 3)?;
            }
            None => {
                for side in [row.bid, row.ask] {
                    match side.px {
                        Some(p) if side.qty > 0 => {
                            e.scale_max = e.scale_max.max(p.significant_scale())
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Second pass: the capture instrument index of the row's symbol.
    pub(super) fn lookup(&mut self, row: &Row<'_>) -> Result<usize, CsvError> {
        self.find(row.symbol).ok_or_else(|| {
            row.err(
                1,
                "a symbol seen in the first pass (did the file change during the import?)".into(),
                row.symbol,
            )
        })
    }

    fn find(&mut self, symbol: &[u8]) -> Option<usize> {
        if let Some(e) = self.entries.get(self.last) {
            if e.symbol.as_bytes() == symbol {
                return Some(self.last);
            }
        }
        let id = *self.index.get(symbol)?;
        self.last = id;
        Some(id)
    }

    fn add(&mut self, row: &Row<'_>) -> Result<usize, CsvError> {
        if self.entries.len() == INSTRUMENTS_MAX {
            let e = format!("at most {INSTRUMENTS_MAX} distinct instruments in one capture");
            return Err(row.err(1, e, row.symbol));
        }
        // Checked UTF-8 by the row parser.
        let symbol = String::from_utf8_lossy(row.symbol).into_owned();
        let (venue, known_tick, lot_size) = match &self.job.ticks {
            Ticks::Derive => (DEFAULT_VENUE.to_owned(), None, None),
            Ticks::Known { from, instruments } => {
                match instruments.iter().find(|k| k.symbol == symbol) {
                    Some(k) => (k.venue.clone(), Some(k.tick_size), k.lot_size),
                    None => {
                        let mut names: Vec<&str> =
                            instruments.iter().map(|k| k.symbol.as_str()).collect();
                        names.truncate(12);
                        let e =
                            format!("an instrument of {} ({})", from.display(), names.join(", "));
                        return Err(row.err(1, e, row.symbol));
                    }
                }
            }
        };
        let venue = self.job.venue.clone().unwrap_or(venue);
        let id = self.entries.len();
        self.index.insert(row.symbol.to_vec(), id);
        self.entries.push(Entry {
            symbol,
            venue,
            known_tick,
            lot_size,
            scale_max: 0,
            rows: 0,
        });
        self.last = id;
        Ok(id)
    }

    /// The capture header: venues and instruments in order of first appearance.
    pub(super) fn header(&self) -> CaptureHeader {
        let mut venues: Vec<String> = Vec::new();
        if self.entries.is_empty() {
            venues.push(
                self.job
                    .venue
                    .clone()
                    .unwrap_or_else(|| DEFAULT_VENUE.to_owned()),
            );
        }
        let mut instruments = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            let v = match venues.iter().position(|v| *v == e.venue) {
                Some(v) => v,
                None => {
                    venues.push(e.venue.clone());
                    venues.len() - 1
                }
            };
            instruments.push(CaptureInstrument {
                symbol: e.symbol.clone(),
                venue: VenueId(v as u16),
                tick_size: e.tick(),
                lot_size: e.lot_size,
            });
        }
        let file = self
            .job
            .input
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ticks = match &self.job.ticks {
            Ticks::Known { from, .. } => {
                let cfg = from
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("tick sizes from config {cfg}")
            }
            Ticks::Derive => {
                "tick sizes derived as 10^-d, d = most decimals seen per instrument".into()
            }
        };
        let note = format!(
            "source: generic quote CSV {file}; resolution: one row per quote as recorded; \
             ts_ns used as both exchange and receive time (NO_EXCHANGE_TS); no sequence numbers; {ticks}"
        );
        CaptureHeader {
            created_at: self.job.created_at,
            note,
            venues,
            instruments,
        }
    }

    pub(super) fn summary(&self, rows: u64) -> ImportSummary {
        let derived = matches!(self.job.ticks, Ticks::Derive);
        let instruments = self
            .entries
            .iter()
            .map(|e| ImportedInstrument {
                symbol: e.symbol.clone(),
                venue: e.venue.clone(),
                tick_size: e.tick(),
                derived,
                rows: e.rows,
            })
            .collect();
        let time_range = self.first_ts.zip(self.prev.map(|(t, _)| t));
        ImportSummary {
            rows,
            instruments,
            time_range,
            output: self.job.output.clone(),
        }
    }
}
