//! Decoding and validating a capture header (layout in the parent module doc): the CRC is
//! checked first, then every field, each error naming its byte offset.

use std::path::Path;

use super::header::{check_decimal, check_name};
use super::{
    path_str, CaptureError, CaptureHeader, CaptureInstrument, HEADER_BYTES_MAX, INSTRUMENTS_MAX,
    MAGIC, NOTE_BYTES_MAX, RECORD_BYTES, VENUES_MAX, VERSION,
};
use crate::domain::{TsNs, VenueId};

impl CaptureHeader {
    /// Decodes and validates the header at the start of `buf` (the whole file, or as much of it
    /// as exists). Returns the header and `header_len`, where the records start.
    pub(super) fn decode(buf: &[u8], path: &Path) -> Result<(CaptureHeader, usize), CaptureError> {
        let truncated = |expected: String| CaptureError::Truncated {
            path: path_str(path),
            offset: buf.len() as u64,
            expected,
        };
        if buf.len() < MAGIC.len() {
            if buf != &MAGIC[..buf.len()] {
                let found = buf.to_vec();
                return Err(CaptureError::BadMagic {
                    path: path_str(path),
                    found,
                });
            }
            return Err(truncated(
                "the 8-byte magic \"XARBCAP\\0\" at byte 0".into(),
            ));
        }
        if buf[..8] != MAGIC {
            let found = buf[..8].to_vec();
            return Err(CaptureError::BadMagic {
                path: path_str(path),
                found,
            });
        }
        let version = match buf.get(8..10) {
            Some(v) => u16::from_le_bytes([v[0], v[1]]),
            None => return Err(truncated("the format version (u16) at byte 8".into())),
        };
        if version != VERSION {
            return Err(CaptureError::UnsupportedVersion {
                path: path_str(path),
                found: version,
            });
        }
        let header_len = match buf.get(10..14) {
            Some(v) => u32::from_le_bytes([v[0], v[1], v[2], v[3]]) as usize,
            None => return Err(truncated("header_len (u32) at byte 10".into())),
        };
        if header_len % RECORD_BYTES != 0 || header_len == 0 || header_len > HEADER_BYTES_MAX {
            return Err(CaptureError::Field {
                path: path_str(path),
                location: "byte 10".into(),
                field: "header_len".into(),
                expected: format!("a multiple of 64 from 64 to {HEADER_BYTES_MAX}"),
                found: header_len.to_string(),
            });
        }
        if buf.len() < header_len {
            return Err(truncated(format!(
                "a {header_len}-byte header (header_len at byte 10)"
            )));
        }
        let crc_at = header_len - 4;
        let stored = u32::from_le_bytes([
            buf[crc_at],
            buf[crc_at + 1],
            buf[crc_at + 2],
            buf[crc_at + 3],
        ]);
        let computed = crc32fast::hash(&buf[..crc_at]);
        if stored != computed {
            let offset = crc_at as u64;
            return Err(CaptureError::Crc {
                path: path_str(path),
                offset,
                stored,
                computed,
            });
        }
        let mut c = Cursor {
            buf: &buf[..crc_at],
            pos: 14,
            path,
        };
        let header = c.header()?;
        Ok((header, header_len))
    }
}

/// Reads header fields after the CRC has vouched for the bytes; every error names the offset.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn err(&self, at: usize, field: String, expected: &str, found: String) -> CaptureError {
        CaptureError::Field {
            path: path_str(self.path),
            location: format!("byte {at}"),
            field,
            expected: expected.into(),
            found,
        }
    }

    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], CaptureError> {
        match self.buf.get(self.pos..self.pos + n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.err(
                self.pos,
                field.into(),
                &format!("{n} more bytes before the CRC at byte {}", self.buf.len()),
                format!("{}", self.buf.len().saturating_sub(self.pos)),
            )),
        }
    }

    fn u16(&mut self, field: &str) -> Result<u16, CaptureError> {
        let b = self.take(2, field)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn str8(&mut self, field: &str) -> Result<(usize, &'a [u8]), CaptureError> {
        let at = self.pos;
        let n = self.take(1, field)?[0] as usize;
        Ok((at, self.take(n, field)?))
    }

    fn utf8(&self, at: usize, field: &str, s: &'a [u8]) -> Result<&'a str, CaptureError> {
        core::str::from_utf8(s)
            .map_err(|_| self.err(at, field.into(), "UTF-8 text", format!("{s:02x?}")))
    }

    fn name(&mut self, field: &str) -> Result<String, CaptureError> {
        let (at, s) = self.str8(field)?;
        let text = self.utf8(at, field, s)?;
        check_name(s).map_err(|e| self.err(at, field.into(), e, format!("{text:?}")))?;
        Ok(text.to_owned())
    }

    fn header(&mut self) -> Result<CaptureHeader, CaptureError> {
        let record_size = self.u16("record_size")?;
        if usize::from(record_size) != RECORD_BYTES {
            return Err(self.err(14, "record_size".into(), "64", record_size.to_string()));
        }
        let n_instruments = usize::from(self.u16("instrument_count")?);
        if n_instruments > INSTRUMENTS_MAX {
            let e = "at most 4096 instruments";
            return Err(self.err(16, "instrument_count".into(), e, n_instruments.to_string()));
        }
        let n_venues = usize::from(self.u16("venue_count")?);
        if n_venues > VENUES_MAX {
            return Err(self.err(
                18,
                "venue_count".into(),
                "at most 64 venues",
                n_venues.to_string(),
            ));
        }
        let t = self.take(8, "created_at")?;
        let created_at = TsNs(i64::from_le_bytes([
            t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7],
        ]));
        let note_len = usize::from(self.u16("note_len")?);
        if note_len > NOTE_BYTES_MAX {
            return Err(self.err(28, "note_len".into(), "at most 4096", note_len.to_string()));
        }
        let at = self.pos;
        let note_bytes = self.take(note_len, "note")?;
        let note = self.utf8(at, "note", note_bytes)?.to_owned();
        let mut venues: Vec<String> = Vec::with_capacity(n_venues);
        for i in 0..n_venues {
            let (field, at) = (format!("venues[{i}]"), self.pos);
            let name = self.name(&field)?;
            if venues.contains(&name) {
                let e = "a name not used by an earlier venue";
                return Err(self.err(at, field, e, format!("{name:?}")));
            }
            venues.push(name);
        }
        let mut instruments: Vec<CaptureInstrument> = Vec::with_capacity(n_instruments);
        for i in 0..n_instruments {
            let ins = self.instrument(i, n_venues)?;
            if instruments
                .iter()
                .any(|o| o.symbol == ins.symbol && o.venue == ins.venue)
            {
                let e = "a (symbol, venue) not used by an earlier instrument";
                let found = format!("{:?}", ins.symbol);
                return Err(self.err(self.pos, format!("instruments[{i}].symbol"), e, found));
            }
            instruments.push(ins);
        }
        if let Some(p) = self.buf[self.pos..].iter().position(|&b| b != 0) {
            let at = self.pos + p;
            let found = format!("{:#04x}", self.buf[at]);
            return Err(self.err(at, "padding".into(), "zero bytes up to the CRC", found));
        }
        Ok(CaptureHeader {
            created_at,
            note,
            venues,
            instruments,
        })
    }

    fn instrument(&mut self, i: usize, n_venues: usize) -> Result<CaptureInstrument, CaptureError> {
        let symbol = self.name(&format!("instruments[{i}].symbol"))?;
        let (field, at) = (format!("instruments[{i}].venue"), self.pos);
        let venue = self.u16(&field)?;
        if usize::from(venue) >= n_venues {
            let e = format!("a venue index below {n_venues}");
            return Err(self.err(at, field, &e, venue.to_string()));
        }
        let (field, at) = (format!("instruments[{i}].tick_decimals"), self.pos);
        let decimals = self.take(1, &field)?[0];
        let field = format!("instruments[{i}].tick_size");
        let (tick_at, s) = self.str8(&field)?;
        let tick = check_decimal(s).map_err(|e| {
            self.err(
                tick_at,
                field.clone(),
                e,
                String::from_utf8_lossy(s).into_owned(),
            )
        })?;
        if tick.scale != decimals {
            let field = format!("instruments[{i}].tick_decimals");
            let e = format!("{} (the decimals of tick_size {tick})", tick.scale);
            return Err(self.err(at, field, &e, decimals.to_string()));
        }
        let field = format!("instruments[{i}].lot_size");
        let (lot_at, s) = self.str8(&field)?;
        let lot_size = if s.is_empty() {
            None
        } else {
            let lot = check_decimal(s)
                .map_err(|e| self.err(lot_at, field, e, String::from_utf8_lossy(s).into_owned()))?;
            Some(lot)
        };
        Ok(CaptureInstrument {
            symbol,
            venue: VenueId(venue),
            tick_size: tick,
            lot_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::decimal::Decimal;

    fn sample() -> CaptureHeader {
        CaptureHeader {
            created_at: TsNs(5),
            note: "n".into(),
            venues: vec!["SHFE".into()],
            instruments: vec![CaptureInstrument {
                symbol: "cu".into(),
                venue: VenueId(0),
                tick_size: Decimal {
                    mantissa: 5,
                    scale: 1,
                },
                lot_size: None,
            }],
        }
    }

    /// Applies `edit` to a valid encoding and re-seals the CRC, so only content checks can fail.
    fn decode_edited(edit: impl FnOnce(&mut Vec<u8>)) -> String {
        let p = Path::new("h.cap");
        let mut b = sample().encode(p).unwrap();
        edit(&mut b);
        let at = b.len() - 4;
        let crc = crc32fast::hash(&b[..at]);
        b[at..].copy_from_slice(&crc.to_le_bytes());
        CaptureHeader::decode(&b, p).unwrap_err().to_string()
    }

    #[test]
    fn encoding_is_byte_exact_at_fixed_offsets() {
        let b = sample().encode(Path::new("h.cap")).unwrap();
        assert_eq!(b.len(), 64);
        assert_eq!(&b[0..8], b"XARBCAP\0");
        assert_eq!(&b[8..10], &[1, 0]);
        assert_eq!(&b[10..14], &[64, 0, 0, 0]);
        assert_eq!(&b[14..16], &[64, 0]);
        assert_eq!(&b[16..20], &[1, 0, 1, 0]);
        assert_eq!(&b[20..28], &5i64.to_le_bytes());
        assert_eq!(&b[28..31], &[1, 0, b'n']);
        assert_eq!(&b[31..36], b"\x04SHFE");
        // symbol, venue u16, tick_decimals, tick string, empty lot string
        assert_eq!(&b[36..47], b"\x02cu\x00\x00\x01\x030.5\x00");
        assert!(b[47..60].iter().all(|&x| x == 0));
        assert_eq!(&b[60..64], &crc32fast::hash(&b[..60]).to_le_bytes());
        let (h, len) = CaptureHeader::decode(&b, Path::new("h.cap")).unwrap();
        assert_eq!((h, len), (sample(), 64));
    }

    #[test]
    fn content_errors_behind_a_valid_crc_name_field_and_offset() {
        let e = decode_edited(|b| b[41] = 2);
        assert!(
            e.contains("byte 41") && e.contains("instruments[0].tick_decimals"),
            "{e}"
        );
        let e = decode_edited(|b| b[45] = b'x');
        assert!(
            e.contains("byte 42") && e.contains("tick_size") && e.contains("0.x"),
            "{e}"
        );
        let e = decode_edited(|b| b[39] = 1);
        assert!(
            e.contains("byte 39") && e.contains("instruments[0].venue"),
            "{e}"
        );
        let e = decode_edited(|b| b[50] = 7);
        assert!(e.contains("byte 50") && e.contains("padding"), "{e}");
        let e = decode_edited(|b| b[14] = 32);
        assert!(
            e.contains("record_size") && e.contains("expected 64"),
            "{e}"
        );
        let e = decode_edited(|b| b[32] = 0xff);
        assert!(
            e.contains("byte 31") && e.contains("venues[0]") && e.contains("UTF-8"),
            "{e}"
        );
    }
}
