//! Reads a capture by mapping it: the header is decoded and checked once at open, after which
//! [`Capture::quotes`] is a zero-copy slice of the mapped records. Opened on the replay thread
//! (or a CLI command) at start-up.

use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use super::{path_str, CaptureError, CaptureHeader, CaptureInstrument, RECORD_BYTES};
use crate::domain::Quote;

/// An open, validated capture file.
#[derive(Debug)]
pub struct Capture {
    path: PathBuf,
    map: Mmap,
    header: CaptureHeader,
    header_len: usize,
    records: usize,
}

impl Capture {
    /// Opens and validates `path`; a trailing partial record is an error.
    pub fn open(path: &Path) -> Result<Capture, CaptureError> {
        match Capture::open_prefix(path)? {
            (cap, None) => Ok(cap),
            (_, Some(torn)) => Err(torn),
        }
    }

    /// Opens and validates `path`, accepting a torn tail: returns the capture of the complete
    /// records and, when the file ends inside a record, the [`CaptureError::PartialRecord`]
    /// describing it (a live writer may be mid-append, or crashed there).
    pub fn open_prefix(path: &Path) -> Result<(Capture, Option<CaptureError>), CaptureError> {
        let file = File::open(path).map_err(|source| CaptureError::Io {
            path: path_str(path),
            action: "cannot open",
            source,
        })?;
        let len = file
            .metadata()
            .map_err(|source| CaptureError::Io {
                path: path_str(path),
                action: "cannot stat",
                source,
            })?
            .len();
        if len == 0 {
            // Mapping an empty file is refused on some platforms; it is simply truncated.
            return Err(CaptureError::Truncated {
                path: path_str(path),
                offset: 0,
                expected: "the 8-byte magic \"XARBCAP\\0\" at byte 0".into(),
            });
        }
        // SAFETY: the map is read-only, and a capture is never modified in place once visible
        // under its name: writers fill `<path>.partial` and rename it, and a live appender only
        // adds bytes past the length mapped here. Another program truncating the file while it
        // is mapped breaks that contract (and would raise SIGBUS on access).
        let map = unsafe { Mmap::map(&file) }.map_err(|source| CaptureError::Io {
            path: path_str(path),
            action: "cannot map",
            source,
        })?;
        let (header, header_len) = CaptureHeader::decode(&map, path)?;
        let body = map.len() - header_len;
        let records = body / RECORD_BYTES;
        let torn = body % RECORD_BYTES;
        let cap = Capture {
            path: path.to_path_buf(),
            map,
            header,
            header_len,
            records,
        };
        // Checked once here so that `quotes()` can never fail: the map is page-aligned and
        // `header_len` a multiple of 64, so records are aligned for `Quote`.
        let bytes = &cap.map[header_len..header_len + records * RECORD_BYTES];
        if let Err(e) = bytemuck::try_cast_slice::<u8, Quote>(bytes) {
            return Err(CaptureError::Field {
                path: path_str(path),
                location: format!("byte {header_len}"),
                field: "records".into(),
                expected: "records aligned in memory for zero-copy reading".into(),
                found: format!("{e:?}"),
            });
        }
        cap.check_indexes()?;
        let torn = (torn != 0).then(|| CaptureError::PartialRecord {
            path: path_str(path),
            offset: (header_len + records * RECORD_BYTES) as u64,
            bytes: torn as u64,
            complete: records as u64,
        });
        Ok((cap, torn))
    }

    /// Every complete record, in file order, read in place.
    pub fn quotes(&self) -> &[Quote] {
        let bytes = &self.map[self.header_len..self.header_len + self.records * RECORD_BYTES];
        bytemuck::cast_slice(bytes)
    }

    /// The header: note, venue and instrument tables.
    pub fn header(&self) -> &CaptureHeader {
        &self.header
    }

    /// Venue names; a record's `venue` indexes this.
    pub fn venues(&self) -> &[String] {
        &self.header.venues
    }

    /// Instruments; a record's `instrument` indexes this.
    pub fn instruments(&self) -> &[CaptureInstrument] {
        &self.header.instruments
    }

    /// The note describing the source.
    pub fn note(&self) -> &str {
        &self.header.note
    }

    /// Byte offset of the first record.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record must name an instrument and venue of the tables, so that replay can index
    /// its mapping arrays without checks. One pass at open, not per access.
    fn check_indexes(&self) -> Result<(), CaptureError> {
        let (n_ins, n_ven) = (self.header.instruments.len(), self.header.venues.len());
        for (index, q) in self.quotes().iter().enumerate() {
            let (what, value, count) = if q.instrument.idx() >= n_ins {
                ("instrument", q.instrument.0, n_ins)
            } else if q.venue.idx() >= n_ven {
                ("venue", q.venue.0, n_ven)
            } else {
                continue;
            };
            return Err(CaptureError::RecordOutOfRange {
                path: path_str(&self.path),
                offset: (self.header_len + index * RECORD_BYTES) as u64,
                index: index as u64,
                what,
                value,
                count,
            });
        }
        Ok(())
    }
}
