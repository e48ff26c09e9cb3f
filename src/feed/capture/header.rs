//! The capture header in memory, and its encoding and decoding (layout in the parent module doc).

use std::path::Path;

use super::{
    path_str, CaptureError, DECIMAL_BYTES_MAX, INSTRUMENTS_MAX, MAGIC, NAME_BYTES_MAX,
    NOTE_BYTES_MAX, RECORD_BYTES, VENUES_MAX, VERSION,
};
use crate::domain::{InstrumentId, TsNs, VenueId};
use crate::feed::decimal::Decimal;

/// One instrument of a capture's table; records refer to it by its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureInstrument {
    /// Symbol as the source names it, e.g. `cu2501`.
    pub symbol: String,
    /// Index into the capture's venue table.
    pub venue: VenueId,
    /// Price increment: a record price of `n` ticks is `n × tick_size`.
    pub tick_size: Decimal,
    /// Lot size in the instrument's lot unit, when the source knows it.
    pub lot_size: Option<Decimal>,
}

/// Everything in a capture before its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureHeader {
    /// When the file was created (UTC).
    pub created_at: TsNs,
    /// Where the data came from, in words (importers describe their source and its resolution).
    pub note: String,
    /// Venue names; a record's `venue` indexes this.
    pub venues: Vec<String>,
    /// Instruments; a record's `instrument` indexes this.
    pub instruments: Vec<CaptureInstrument>,
}

impl CaptureHeader {
    /// The instrument `symbol` on the venue named `venue`, if the capture has it.
    pub fn find_instrument(&self, symbol: &str, venue: &str) -> Option<InstrumentId> {
        let v = self.venues.iter().position(|n| n == venue)?;
        let i = self
            .instruments
            .iter()
            .position(|i| i.symbol == symbol && i.venue.idx() == v)?;
        Some(InstrumentId(i as u16))
    }

    /// Encodes the header, padded to a multiple of [`RECORD_BYTES`], CRC last. Checks every limit;
    /// `path` names the file in errors.
    pub(super) fn encode(&self, path: &Path) -> Result<Vec<u8>, CaptureError> {
        let bad = |field: String, expected: &str, found: String| CaptureError::Field {
            path: path_str(path),
            location: "header".into(),
            field,
            expected: expected.into(),
            found,
        };
        if self.note.len() > NOTE_BYTES_MAX {
            let found = format!("{} bytes", self.note.len());
            return Err(bad("note".into(), "at most 4096 bytes", found));
        }
        if self.venues.len() > VENUES_MAX {
            let found = self.venues.len().to_string();
            return Err(bad("venues".into(), "at most 64 venues", found));
        }
        if self.instruments.len() > INSTRUMENTS_MAX {
            let found = self.instruments.len().to_string();
            return Err(bad("instruments".into(), "at most 4096 instruments", found));
        }
        let mut b = Vec::with_capacity(1024);
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&VERSION.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes()); // header_len, patched below
        b.extend_from_slice(&(RECORD_BYTES as u16).to_le_bytes());
        b.extend_from_slice(&(self.instruments.len() as u16).to_le_bytes());
        b.extend_from_slice(&(self.venues.len() as u16).to_le_bytes());
        b.extend_from_slice(&self.created_at.0.to_le_bytes());
        b.extend_from_slice(&(self.note.len() as u16).to_le_bytes());
        b.extend_from_slice(self.note.as_bytes());
        for (i, name) in self.venues.iter().enumerate() {
            if let Err(e) = check_name(name.as_bytes()) {
                return Err(bad(format!("venues[{i}]"), e, format!("{name:?}")));
            }
            if self.venues[..i].contains(name) {
                let e = "a name not used by an earlier venue";
                return Err(bad(format!("venues[{i}]"), e, format!("{name:?}")));
            }
            put_str8(&mut b, name.as_bytes());
        }
        for (i, ins) in self.instruments.iter().enumerate() {
            if let Err(e) = check_name(ins.symbol.as_bytes()) {
                let found = format!("{:?}", ins.symbol);
                return Err(bad(format!("instruments[{i}].symbol"), e, found));
            }
            if ins.venue.idx() >= self.venues.len() {
                let e = format!("a venue index below {}", self.venues.len());
                let found = ins.venue.0.to_string();
                return Err(bad(format!("instruments[{i}].venue"), &e, found));
            }
            let dup = self.instruments[..i]
                .iter()
                .any(|o| o.symbol == ins.symbol && o.venue == ins.venue);
            if dup {
                let e = "a (symbol, venue) not used by an earlier instrument";
                let found = format!("{:?}", ins.symbol);
                return Err(bad(format!("instruments[{i}].symbol"), e, found));
            }
            let tick = ins.tick_size.to_string();
            if let Err(e) = check_decimal(tick.as_bytes()) {
                return Err(bad(format!("instruments[{i}].tick_size"), e, tick));
            }
            let lot = ins.lot_size.map(|l| l.to_string()).unwrap_or_default();
            if let Err(e) = ins
                .lot_size
                .map_or(Ok(()), |_| check_decimal(lot.as_bytes()).map(drop))
            {
                return Err(bad(format!("instruments[{i}].lot_size"), e, lot));
            }
            put_str8(&mut b, ins.symbol.as_bytes());
            b.extend_from_slice(&ins.venue.0.to_le_bytes());
            b.push(ins.tick_size.scale);
            put_str8(&mut b, tick.as_bytes());
            put_str8(&mut b, lot.as_bytes());
        }
        let header_len = (b.len() + 4).div_ceil(RECORD_BYTES) * RECORD_BYTES;
        b.resize(header_len - 4, 0);
        b[10..14].copy_from_slice(&(header_len as u32).to_le_bytes());
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        Ok(b)
    }
}

fn put_str8(b: &mut Vec<u8>, s: &[u8]) {
    b.push(s.len() as u8);
    b.extend_from_slice(s);
}

pub(super) fn check_name(s: &[u8]) -> Result<(), &'static str> {
    if s.is_empty() || s.len() > NAME_BYTES_MAX {
        return Err("1 to 31 bytes of UTF-8");
    }
    Ok(())
}

/// A tick or lot size as stored: canonical `[0-9]+(.[0-9]+)?`, positive, ≤ 24 bytes.
pub(super) fn check_decimal(s: &[u8]) -> Result<Decimal, &'static str> {
    const EXPECTED: &str = "a positive decimal like 0.005 of at most 24 bytes";
    if s.is_empty() || s.len() > DECIMAL_BYTES_MAX || !s[0].is_ascii_digit() {
        return Err(EXPECTED);
    }
    match Decimal::parse(s) {
        Ok(d) if d.is_positive() && d.to_string().as_bytes() == s => Ok(d),
        _ => Err(EXPECTED),
    }
}
