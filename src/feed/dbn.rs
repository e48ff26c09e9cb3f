//! Decoder of Databento DBN files (`crossarb import dbn`) through the `dbn` crate, the reference
//! implementation. Schemas `mbp-1`, `tbbo`, `bbo-1s`, `bbo-1m` become book updates (level 0 of
//! the record), `trades` becomes TRADE records (price in `bid_px`, size in `bid_qty`). Other
//! schemas (`mbo`, `ohlcv-*`, ...) are refused with a message saying why.
//!
//! Fields: `ts_event` → `ts_exchange`, `ts_recv` → `ts_recv`, `sequence` → `seq`, the
//! publisher's snapshot flag → [`QuoteFlags::SNAPSHOT`]. Prices are 1e-9 fixed point and must lie
//! on the instrument's tick grid; `INT64_MAX` (undefined) or a zero size is an empty side. Record
//! order is the file's (ordered by `ts_recv`): `ts_event` may go backwards and is kept so.
//! Instrument ids map to symbols through the metadata's symbol mappings, or definition records
//! given separately (`--definitions`), which also supply tick sizes.
//!
//! The input is decompressed whole first (zstd detected by magic), then decoded with the
//! on-disk record sizes (`VersionUpgradePolicy::AsIs`), so every error names a byte offset in the
//! plain DBN stream, and a file that ends inside a record is an error rather than a silent stop.
//! Pure: bytes in, [`Decoded`] out.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use ::dbn::decode::{DbnMetadata, DecodeRecordRef, DynReader};
use ::dbn::{Schema, VersionUpgradePolicy};

use crate::domain::{Px, Qty, Quote, QuoteFlags, TsNs};
use crate::feed::capture::NAME_BYTES_MAX;
use crate::feed::decimal::Decimal;
use crate::feed::import::{Decoded, ImportError, Specs, Tables};

/// Schemas this importer takes.
pub const SCHEMAS: [&str; 5] = ["mbp-1", "tbbo", "bbo-1s", "bbo-1m", "trades"];

/// What to decode and how.
#[derive(Debug)]
pub struct DbnJob<'a> {
    /// The input (named in errors and the note).
    pub path: &'a Path,
    /// Tick and lot sizes by symbol.
    pub specs: &'a Specs,
    /// `--venue`: venue of symbols the config does not place [default: the dataset code].
    pub venue: Option<&'a str>,
    /// Instrument definitions by id (from `--definitions`).
    pub definitions: &'a BTreeMap<u32, Definition>,
    /// Stamped into the header.
    pub created_at: TsNs,
}

/// What a definition record says about an instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// Raw symbol, e.g. `ESU4`.
    pub symbol: String,
    /// Tick size (`min_price_increment`), when defined.
    pub tick_size: Option<Decimal>,
}

/// Decompresses `bytes` when they are zstd; plain DBN is returned as is.
pub fn plain(bytes: &[u8], path: &Path) -> Result<Vec<u8>, ImportError> {
    let mut out = Vec::with_capacity(bytes.len() * 4);
    let mut rdr = DynReader::inferred_with_buffer(bytes).map_err(|e| refused(path, e))?;
    if let Err(e) = rdr.read_to_end(&mut out) {
        return Err(ImportError::Offset {
            path: path.display().to_string(),
            offset: out.len() as u64,
            message: format!("compressed stream ends early or is corrupt after this many decompressed bytes: {e}"),
        });
    }
    Ok(out)
}

fn refused(path: &Path, e: impl std::fmt::Display) -> ImportError {
    ImportError::Refused {
        path: path.display().to_string(),
        message: format!("expected a DBN file (plain or zstd): {e}"),
    }
}

/// Instrument definitions of a DBN definition file (plain or zstd), by instrument id.
pub fn definitions(bytes: &[u8], path: &Path) -> Result<BTreeMap<u32, Definition>, ImportError> {
    let plain = plain(bytes, path)?;
    let mut dec = ::dbn::decode::dbn::Decoder::with_upgrade_policy(
        plain.as_slice(),
        VersionUpgradePolicy::UpgradeToV3,
    )
    .map_err(|e| refused(path, e))?;
    let mut out = BTreeMap::new();
    while let Some(rec) = dec.decode_record_ref().map_err(|e| refused(path, e))? {
        if let Some(def) = rec.get::<::dbn::InstrumentDefMsg>() {
            let symbol = def.raw_symbol().map_err(|e| refused(path, e))?.to_owned();
            let tick = def.min_price_increment;
            let tick_size = (tick > 0 && tick != ::dbn::UNDEF_PRICE).then(|| {
                let (mut mantissa, mut scale) = (tick, 9u8);
                while scale > 0 && mantissa % 10 == 0 {
                    mantissa /= 10;
                    scale -= 1;
                }
                Decimal { mantissa, scale }
            });
            out.insert(def.hd.instrument_id, Definition { symbol, tick_size });
        }
    }
    Ok(out)
}

/// Per-instrument state: capture ids and the tick in 1e-9 units.
#[derive(Clone, Copy, Debug)]
struct Inst {
    ids: (crate::domain::InstrumentId, crate::domain::VenueId),
    tick_nanos: i64,
}

/// Decodes a plain DBN stream (see [`plain`]).
pub fn decode(plain: &[u8], job: &DbnJob<'_>) -> Result<Decoded, ImportError> {
    let path = job.path.display().to_string();
    let at = |offset: usize, message: String| ImportError::Offset {
        path: path.clone(),
        offset: offset as u64,
        message,
    };
    let mut dec =
        ::dbn::decode::dbn::Decoder::with_upgrade_policy(plain, VersionUpgradePolicy::AsIs)
            .map_err(|e| at(0, format!("expected DBN metadata: {e}")))?;
    let meta = dec.metadata().clone();
    let schema = meta.schema;
    match schema {
        Some(Schema::Mbp1 | Schema::Tbbo | Schema::Bbo1S | Schema::Bbo1M | Schema::Trades) => {}
        other => {
            let name = other.map_or("mixed (live)", |s| s.as_str());
            return Err(ImportError::Refused {
                path,
                message: format!(
                    "schema {name} is not imported: `import dbn` takes top-of-book schemas ({}); {}",
                    SCHEMAS.join(", "),
                    if other == Some(Schema::Mbo) {
                        "MBO is order-by-order and needs a book rebuild first"
                    } else {
                        "request one of those from Databento"
                    }
                ),
            });
        }
    }
    // Record offsets: "DBN", version, u32 metadata length, metadata.
    let meta_len = plain
        .get(4..8)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut offset = 8 + meta_len as usize;
    let mut symbols: BTreeMap<u32, String> = BTreeMap::new();
    for m in &meta.mappings {
        for iv in &m.intervals {
            if let Ok(iid) = iv.symbol.parse::<u32>() {
                symbols.insert(iid, m.raw_symbol.clone());
            }
        }
    }
    let dataset = meta.dataset.clone();
    let mut tables = Tables::default();
    let mut insts: BTreeMap<u32, Inst> = BTreeMap::new();
    let mut quotes = Vec::new();
    let mut skipped = 0u64;
    loop {
        let rec = match dec.decode_record_ref() {
            Ok(Some(rec)) => rec,
            Ok(None) => break,
            Err(e) => return Err(at(offset, format!("expected a DBN record: {e}"))),
        };
        let here = offset;
        offset += rec.header().record_size();
        let hd = rec.header();
        let iid = hd.instrument_id;
        let (px, sz, ts_recv, seq, flags, level, trade) =
            if let Some(m) = rec.get::<::dbn::Mbp1Msg>() {
                (
                    m.price,
                    m.size,
                    m.ts_recv,
                    m.sequence,
                    m.flags,
                    Some(&m.levels[0]),
                    false,
                )
            } else if let Some(m) = rec.get::<::dbn::BboMsg>() {
                (
                    m.price,
                    m.size,
                    m.ts_recv,
                    m.sequence,
                    m.flags,
                    Some(&m.levels[0]),
                    false,
                )
            } else if let Some(m) = rec.get::<::dbn::TradeMsg>() {
                (m.price, m.size, m.ts_recv, m.sequence, m.flags, None, true)
            } else {
                skipped += 1;
                continue;
            };
        let inst = match insts.get(&iid) {
            Some(i) => *i,
            None => {
                let i = instrument(iid, &symbols, job, &dataset, &mut tables)
                    .map_err(|m| at(here, m))?;
                insts.insert(iid, i);
                i
            }
        };
        let ticks = |v: i64, what: &str| -> Result<Px, ImportError> {
            if v % inst.tick_nanos != 0 {
                let m = format!(
                    "{what}: expected a price on the tick grid ({} × 1e-9), got {v} × 1e-9",
                    inst.tick_nanos
                );
                return Err(at(here, m));
            }
            Ok(Px(v / inst.tick_nanos))
        };
        let ts_event = hd.ts_event;
        let mut q = Quote {
            ts_exchange: TsNs(ts_event as i64),
            ts_recv: TsNs(ts_recv as i64),
            seq: u64::from(seq),
            venue: inst.ids.1,
            instrument: inst.ids.0,
            ..Quote::default()
        };
        if ts_event == ::dbn::UNDEF_TIMESTAMP {
            q.ts_exchange = q.ts_recv;
            q.flags |= QuoteFlags::NO_EXCHANGE_TS;
        }
        if flags.is_snapshot() {
            q.flags |= QuoteFlags::SNAPSHOT;
        }
        if trade {
            q.flags |= QuoteFlags::TRADE;
            q.bid_px = ticks(px, "price")?;
            q.bid_qty = Qty(i64::from(sz));
        } else if let Some(l) = level {
            if l.bid_px != ::dbn::UNDEF_PRICE && l.bid_sz > 0 {
                q.bid_px = ticks(l.bid_px, "levels[0].bid_px")?;
                q.bid_qty = Qty(i64::from(l.bid_sz));
            }
            if l.ask_px != ::dbn::UNDEF_PRICE && l.ask_sz > 0 {
                q.ask_px = ticks(l.ask_px, "levels[0].ask_px")?;
                q.ask_qty = Qty(i64::from(l.ask_sz));
            }
        }
        quotes.push(q);
    }
    if offset < plain.len() {
        let need = plain[offset] as usize * 4;
        let m = format!(
            "truncated record: {} bytes left, the record header says {need}; {} complete records before it",
            plain.len() - offset,
            quotes.len() as u64 + skipped
        );
        return Err(at(offset, m));
    }
    let name = job
        .path
        .file_name()
        .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
    let schema = schema.map_or("mixed", |s| s.as_str());
    let note = format!(
        "dbn import of {name}: Databento {dataset} schema {schema}, DBN version {}; ts_event as exchange time, ts_recv as receive time, record order as in the file{}",
        meta.version,
        if skipped > 0 { format!("; {skipped} records of other types skipped") } else { String::new() }
    );
    Ok(Decoded {
        header: tables.header(note, job.created_at),
        quotes,
    })
}

/// Resolves instrument id `iid`: symbol, venue, tick; adds it to the tables.
fn instrument(
    iid: u32,
    symbols: &BTreeMap<u32, String>,
    job: &DbnJob<'_>,
    dataset: &str,
    tables: &mut Tables,
) -> Result<Inst, String> {
    let def = job.definitions.get(&iid);
    let symbol = def
        .map(|d| d.symbol.clone())
        .or_else(|| symbols.get(&iid).cloned())
        .ok_or_else(|| format!("instrument_id {iid}: expected a symbol in the metadata's symbol mappings or in --definitions, found none"))?;
    if symbol.is_empty() || symbol.len() > NAME_BYTES_MAX {
        return Err(format!(
            "instrument_id {iid}: expected a symbol of 1 to 31 bytes, got {symbol:?}"
        ));
    }
    let spec = job.specs.find(&symbol, None);
    let tick = spec
        .map(|s| s.tick_size)
        .or_else(|| def.and_then(|d| d.tick_size))
        .ok_or_else(|| format!("instrument {symbol} (id {iid}): expected a tick size from --config, --tick {symbol}=TICK or --definitions, found none"))?;
    if tick.scale > 9 || !tick.is_positive() {
        return Err(format!(
            "instrument {symbol}: expected a tick size with at most 9 decimals, got {tick}"
        ));
    }
    let tick_nanos = tick
        .mantissa
        .checked_mul(10i64.pow(u32::from(9 - tick.scale)))
        .ok_or_else(|| format!("instrument {symbol}: tick size {tick} too large"))?;
    let venue = spec
        .and_then(|s| s.venue.as_deref())
        .or(job.venue)
        .unwrap_or(dataset);
    if venue.is_empty() || venue.len() > NAME_BYTES_MAX {
        return Err(format!(
            "instrument {symbol}: expected a venue name of 1 to 31 bytes, got {venue:?}"
        ));
    }
    let ids = tables.id(&symbol, venue, tick, spec.and_then(|s| s.lot_size));
    Ok(Inst { ids, tick_nanos })
}
