//! Replay input: capture files (or the config's synthetic feed) mapped onto the config's
//! instrument ids, time-shifted per feed, and merged by receive time, earliest first (ties: the
//! earlier feed in the list, then file order — so a replay is deterministic). Runs on the replay
//! thread; opening is cold, [`Merge::next`] is the hot read loop (no allocation).

use std::path::{Path, PathBuf};

use crate::config::{Config, Instrument};
use crate::domain::{InstrumentId, Quote, TsNs, VenueId};
use crate::feed::capture::{Capture, CaptureError};
use crate::feed::decimal::Decimal;

/// Why the replay input could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// A capture could not be opened or is damaged.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// A capture instrument's tick is not a whole multiple of the config's tick.
    #[error("{path}: instrument {symbol}: capture tick {capture_tick} is not a whole multiple of the config tick {config_tick} (instruments[{index}].tick_size)")]
    TickMismatch {
        /// Capture file.
        path: String,
        /// Instrument symbol.
        symbol: String,
        /// Tick in the capture header.
        capture_tick: String,
        /// Tick in the config.
        config_tick: f64,
        /// Config index.
        index: usize,
    },
    /// No feed contains a quote for one of the pair's legs.
    #[error("no feed has quotes for {symbol} (pair leg); feeds: {feeds}")]
    LegMissing {
        /// Symbol of the leg.
        symbol: String,
        /// The feeds given.
        feeds: String,
    },
}

/// How one capture instrument maps onto the config.
#[derive(Clone, Copy, Debug)]
struct MapEntry {
    instrument: InstrumentId,
    venue: VenueId,
    /// Capture ticks × this = config ticks.
    px_scale: i64,
    /// The mapping changes nothing for a record with this entry's ids (same ids, no price
    /// scale, no time shift): the merge hands out the record itself instead of a copy.
    identity: bool,
}

impl MapEntry {
    fn new(instrument: InstrumentId, venue: VenueId, px_scale: i64) -> MapEntry {
        MapEntry {
            instrument,
            venue,
            px_scale,
            identity: false,
        }
    }

    /// True when [`apply`] would return `q` unchanged.
    #[inline]
    fn keeps(&self, q: &Quote) -> bool {
        self.identity && q.instrument == self.instrument && q.venue == self.venue
    }
}

/// One feed's quotes and mapping.
#[derive(Debug)]
struct Source {
    /// Owns the records (`ptr`/`len` point into it).
    _quotes: Quotes,
    /// First record: the mapped file or the vector's buffer, which stay put when `Source` moves.
    ptr: *const Quote,
    len: usize,
    map: Vec<Option<MapEntry>>,
    shift_ns: i64,
    pos: usize,
    /// Shifted receive time of the record at `pos`; `i64::MAX` when exhausted.
    next_t: i64,
}

impl Source {
    fn new(quotes: Quotes, mut map: Vec<Option<MapEntry>>, shift_ns: i64) -> Source {
        for m in map.iter_mut().flatten() {
            m.identity = shift_ns == 0 && m.px_scale == 1;
        }
        let slice = quotes.slice();
        let (ptr, len) = (slice.as_ptr(), slice.len());
        let mut s = Source {
            _quotes: quotes,
            ptr,
            len,
            map,
            shift_ns,
            pos: 0,
            next_t: i64::MAX,
        };
        s.set_next_t();
        s
    }

    /// The record at `pos` (caller checks `pos < len`).
    #[inline]
    fn at(&self, pos: usize) -> &Quote {
        assert!(pos < self.len, "Invariant: merge reads within its source");
        // SAFETY: `ptr`/`len` describe the records owned by `_quotes` (a memory map or a vector's
        // heap buffer), which live as long as `self` and do not move when `self` moves; `pos` is
        // in bounds (asserted above).
        unsafe { &*self.ptr.add(pos) }
    }

    #[inline]
    fn set_next_t(&mut self) {
        self.next_t = if self.pos < self.len {
            self.at(self.pos).ts_recv.0 + self.shift_ns
        } else {
            i64::MAX
        };
    }

    /// Consumes the record at `pos` (which the caller knows is in bounds): its map entry, or
    /// `None` for an unmapped instrument.
    #[inline]
    fn take(&mut self) -> (*const Quote, Option<MapEntry>) {
        let raw: *const Quote = self.at(self.pos);
        self.pos += 1;
        self.set_next_t();
        // SAFETY: `raw` points at a record of `_quotes` (see `at`), alive as long as `self`.
        let i = unsafe { (*raw).instrument.idx() };
        (raw, self.map.get(i).copied().flatten())
    }
}

#[derive(Debug)]
enum Quotes {
    Mapped(Capture),
    Owned(Vec<Quote>),
}

impl Quotes {
    fn slice(&self) -> &[Quote] {
        match self {
            Quotes::Mapped(c) => c.quotes(),
            Quotes::Owned(v) => v,
        }
    }
}

/// What a feed brought, for the summary.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FeedInfo {
    /// File (or `synthetic`).
    pub path: PathBuf,
    /// Records in the file.
    pub records: u64,
    /// Added to every timestamp.
    pub time_shift_ns: i64,
    /// Capture instruments that are not in the config (their quotes are skipped).
    pub unmapped: Vec<String>,
    /// The capture's source note.
    pub note: String,
}

/// The merged replay input.
#[derive(Debug)]
pub struct Merge {
    sources: Vec<Source>,
    /// The last quote [`Merge::next_ref`] had to rewrite (ids, prices or times mapped).
    mapped: Quote,
    /// Per-feed information for the summary.
    pub info: Vec<FeedInfo>,
    skipped: u64,
}

impl Merge {
    /// Opens `feeds` (path, time shift ns) and maps them onto `cfg`'s instruments by symbol.
    pub fn open(cfg: &Config, feeds: &[(PathBuf, i64)]) -> Result<Merge, FeedError> {
        let mut merge = Merge {
            sources: Vec::new(),
            mapped: Quote::default(),
            info: Vec::new(),
            skipped: 0,
        };
        for (path, shift) in feeds {
            let cap = Capture::open(path)?;
            let (map, unmapped) = map_capture(cfg, &cap, path)?;
            merge.info.push(FeedInfo {
                path: path.clone(),
                records: cap.quotes().len() as u64,
                time_shift_ns: *shift,
                unmapped,
                note: cap.note().to_string(),
            });
            merge
                .sources
                .push(Source::new(Quotes::Mapped(cap), map, *shift));
        }
        merge.check_legs(cfg)?;
        Ok(merge)
    }

    /// A merge over quotes already in config ids (the synthetic feed).
    pub fn from_quotes(cfg: &Config, quotes: Vec<Quote>, label: &str) -> Merge {
        let map = cfg
            .instruments
            .iter()
            .map(|i| Some(MapEntry::new(i.id, i.venue, 1)))
            .collect();
        let info = FeedInfo {
            path: PathBuf::from(label),
            records: quotes.len() as u64,
            time_shift_ns: 0,
            unmapped: Vec::new(),
            note: label.to_string(),
        };
        Merge {
            sources: vec![Source::new(Quotes::Owned(quotes), map, 0)],
            mapped: Quote::default(),
            info: vec![info],
            skipped: 0,
        }
    }

    fn check_legs(&self, cfg: &Config) -> Result<(), FeedError> {
        for leg in [cfg.pair.domestic, cfg.pair.overseas] {
            let present = self
                .sources
                .iter()
                .any(|s| s.map.iter().flatten().any(|m| m.instrument == leg));
            if !present {
                let feeds: Vec<String> = self
                    .info
                    .iter()
                    .map(|i| i.path.display().to_string())
                    .collect();
                return Err(FeedError::LegMissing {
                    symbol: cfg.instruments[leg.idx()].symbol.clone(),
                    feeds: feeds.join(", "),
                });
            }
        }
        Ok(())
    }

    /// Total records over all feeds (for progress).
    pub fn total(&self) -> u64 {
        self.info.iter().map(|i| i.records).sum()
    }

    /// Records skipped because their instrument is not in the config.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Receive time of the next quote, without consuming it.
    #[inline]
    pub fn peek_time(&self) -> Option<TsNs> {
        self.head().map(|(_, t)| t)
    }

    #[inline]
    fn head(&self) -> Option<(usize, TsNs)> {
        if let [s] = self.sources.as_slice() {
            // One feed (the common case): no merge.
            return (s.next_t != i64::MAX).then_some((0, TsNs(s.next_t)));
        }
        let mut best: Option<(usize, i64)> = None;
        for (i, s) in self.sources.iter().enumerate() {
            if s.next_t != i64::MAX && best.is_none_or(|(_, bt)| s.next_t < bt) {
                best = Some((i, s.next_t));
            }
        }
        best.map(|(i, t)| (i, TsNs(t)))
    }

    /// The next quote in config ids with shifted timestamps, earliest receive time first.
    #[allow(clippy::should_implement_trait)] // not an Iterator: callers interleave peek_time
    pub fn next(&mut self) -> Option<Quote> {
        self.next_ref().copied()
    }

    /// [`Merge::next`] without the copy: the record in the mapped capture itself when the
    /// mapping changes nothing (same ids, no time shift or price scale: the usual replay of a
    /// capture written with the config), else the merge's rewritten copy of it. The hot read
    /// loop of the replay stepper.
    // `inline(always)`: out of line it cost ~20 instructions per quote more under callgrind
    // (`cargo bench --bench replay`).
    #[inline(always)]
    pub fn next_ref(&mut self) -> Option<&Quote> {
        loop {
            let i = match self.sources.as_mut_slice() {
                [s] if s.next_t == i64::MAX => return None,
                [_] => 0,
                _ => self.head()?.0,
            };
            let s = &mut self.sources[i];
            let (raw, m) = s.take();
            let shift_ns = s.shift_ns;
            let Some(m) = m else {
                self.skipped += 1;
                continue;
            };
            // SAFETY: `raw` points at a record owned by `self.sources[i]` (see `Source::at`),
            // which lives and stays put while `self` is borrowed by the returned reference.
            let raw = unsafe { &*raw };
            if m.keeps(raw) {
                return Some(raw);
            }
            self.mapped = apply(*raw, m, shift_ns);
            return Some(&self.mapped);
        }
    }
}

fn apply(mut q: Quote, m: MapEntry, shift_ns: i64) -> Quote {
    q.instrument = m.instrument;
    q.venue = m.venue;
    q.ts_exchange.0 += shift_ns;
    q.ts_recv.0 += shift_ns;
    if m.px_scale != 1 {
        q.bid_px.0 *= m.px_scale;
        q.ask_px.0 *= m.px_scale;
    }
    q
}

fn map_capture(
    cfg: &Config,
    cap: &Capture,
    path: &Path,
) -> Result<(Vec<Option<MapEntry>>, Vec<String>), FeedError> {
    let mut map = Vec::with_capacity(cap.instruments().len());
    let mut unmapped = Vec::new();
    for ci in cap.instruments() {
        let Some(inst) = cfg.instruments.iter().find(|i| i.symbol == ci.symbol) else {
            unmapped.push(ci.symbol.clone());
            map.push(None);
            continue;
        };
        let px_scale = tick_scale(ci.tick_size, inst).ok_or_else(|| FeedError::TickMismatch {
            path: path.display().to_string(),
            symbol: ci.symbol.clone(),
            capture_tick: ci.tick_size.to_string(),
            config_tick: inst.tick_size,
            index: inst.id.idx(),
        })?;
        map.push(Some(MapEntry::new(inst.id, inst.venue, px_scale)));
    }
    Ok((map, unmapped))
}

/// `capture_tick / config_tick` when it is a whole number ≥ 1.
fn tick_scale(capture_tick: Decimal, inst: &Instrument) -> Option<i64> {
    let cfg_tick = Decimal::from_f64_shortest(inst.tick_size)?;
    let s = capture_tick.scale.max(cfg_tick.scale);
    let num = i128::from(capture_tick.mantissa) * 10i128.pow(u32::from(s - capture_tick.scale));
    let den = i128::from(cfg_tick.mantissa) * 10i128.pow(u32::from(s - cfg_tick.scale));
    if den <= 0 || num <= 0 || num % den != 0 {
        return None;
    }
    i64::try_from(num / den).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(tick: f64) -> Instrument {
        Instrument {
            id: InstrumentId(0),
            symbol: "X".into(),
            venue: VenueId(0),
            tick_size: tick,
            tick_decimals: 2,
            lot_size: 1.0,
            lot_unit: crate::config::Unit::Tonne,
            lot_base: crate::config::BaseQty(crate::config::Unit::Tonne.base_quanta()),
            currency: "CNY".into(),
            price_unit: crate::config::Unit::Tonne,
        }
    }

    #[test]
    fn tick_scale_accepts_whole_multiples_only() {
        let d = |s: &str| Decimal::parse(s.as_bytes()).unwrap();
        assert_eq!(tick_scale(d("0.2"), &inst(0.2)), Some(1));
        assert_eq!(tick_scale(d("1"), &inst(0.2)), Some(5));
        assert_eq!(tick_scale(d("0.1"), &inst(0.2)), None);
        assert_eq!(tick_scale(d("0.02"), &inst(0.01)), Some(2));
    }
}
