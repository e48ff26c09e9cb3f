//! Writes a capture: header first, then one 64-byte record per [`CaptureWriter::append`], into
//! `<path>.partial`; [`CaptureWriter::finish`] flushes, fsyncs and renames it to `path`
//! ([`PartialFile`]). Dropped unfinished (an import that failed half-way), it removes the
//! `.partial` file, so a failed run leaves nothing behind. Runs on whichever thread owns it (an
//! importer, a capture thread).

use std::path::{Path, PathBuf};

use super::{path_str, CaptureError, CaptureHeader, RECORD_BYTES};
use crate::domain::Quote;
use crate::feed::partial_file::{PartialFile, PartialFileError, Unfinished};

/// Buffer between `append` and the file: large writes, few syscalls.
const BUFFER_BYTES: usize = 1 << 20;

/// An open capture being written. See the module doc.
#[derive(Debug)]
pub struct CaptureWriter {
    path: PathBuf,
    file: PartialFile,
    instruments: usize,
    venues: usize,
    header_len: u64,
    records: u64,
}

impl From<PartialFileError> for CaptureError {
    fn from(e: PartialFileError) -> CaptureError {
        match e {
            PartialFileError::Io {
                path,
                action,
                source,
            } => CaptureError::Io {
                path,
                action,
                source,
            },
            PartialFileError::Poisoned { path } => CaptureError::Poisoned { path },
        }
    }
}

impl CaptureWriter {
    /// Validates and writes `header` to `<path>.partial` (created or truncated).
    pub fn create(path: &Path, header: &CaptureHeader) -> Result<CaptureWriter, CaptureError> {
        let bytes = header.encode(path)?;
        let mut w = CaptureWriter {
            path: path.to_path_buf(),
            file: PartialFile::create(path, BUFFER_BYTES, Unfinished::Remove)?,
            instruments: header.instruments.len(),
            venues: header.venues.len(),
            header_len: bytes.len() as u64,
            records: 0,
        };
        w.file.write(&bytes)?;
        Ok(w)
    }

    /// Appends one record. Its `instrument` and `venue` must index the header's tables.
    pub fn append(&mut self, q: &Quote) -> Result<(), CaptureError> {
        if q.instrument.idx() >= self.instruments || q.venue.idx() >= self.venues {
            let (what, value, count) = if q.instrument.idx() >= self.instruments {
                ("instrument", q.instrument.0, self.instruments)
            } else {
                ("venue", q.venue.0, self.venues)
            };
            return Err(CaptureError::RecordOutOfRange {
                path: path_str(&self.path),
                offset: self.header_len + self.records * RECORD_BYTES as u64,
                index: self.records,
                what,
                value,
                count,
            });
        }
        self.file.write(bytemuck::bytes_of(q))?;
        self.records += 1;
        Ok(())
    }

    /// Records appended so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes, fsyncs, renames `<path>.partial` to `path` and fsyncs the directory. Returns the
    /// number of records written.
    pub fn finish(self) -> Result<u64, CaptureError> {
        self.file.finish()?;
        Ok(self.records)
    }
}
