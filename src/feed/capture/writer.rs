//! Writes a capture: header first, then one 64-byte record per [`CaptureWriter::append`], into
//! `<path>.partial`; [`CaptureWriter::finish`] flushes, fsyncs and renames it to `path`. Dropped
//! unfinished (an import that failed half-way), it removes the `.partial` file, so a failed run
//! leaves nothing behind. Runs on whichever thread owns it (an importer, a capture thread).

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{path_str, CaptureError, CaptureHeader, RECORD_BYTES};
use crate::domain::Quote;

/// Buffer between `append` and the file: large writes, few syscalls.
const BUFFER_BYTES: usize = 1 << 20;

/// An open capture being written. See the module doc.
#[derive(Debug)]
pub struct CaptureWriter {
    path: PathBuf,
    partial: PathBuf,
    out: Option<BufWriter<File>>,
    instruments: usize,
    venues: usize,
    header_len: u64,
    records: u64,
    poisoned: bool,
}

impl CaptureWriter {
    /// Validates and writes `header` to `<path>.partial` (created or truncated).
    pub fn create(path: &Path, header: &CaptureHeader) -> Result<CaptureWriter, CaptureError> {
        let bytes = header.encode(path)?;
        let partial = partial_path(path);
        let io = |action, source| CaptureError::Io {
            path: path_str(&partial),
            action,
            source,
        };
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .map_err(|e| io("cannot create", e))?;
        let mut w = CaptureWriter {
            path: path.to_path_buf(),
            partial: partial.clone(),
            out: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
            instruments: header.instruments.len(),
            venues: header.venues.len(),
            header_len: bytes.len() as u64,
            records: 0,
            poisoned: false,
        };
        w.write(&bytes)?;
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
        self.write(bytemuck::bytes_of(q))?;
        self.records += 1;
        Ok(())
    }

    /// Records appended so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes, fsyncs, renames `<path>.partial` to `path` and fsyncs the directory. Returns the
    /// number of records written.
    pub fn finish(mut self) -> Result<u64, CaptureError> {
        if self.poisoned {
            return Err(CaptureError::Poisoned {
                path: path_str(&self.partial),
            });
        }
        let partial = self.partial.clone();
        let io = |action, source| CaptureError::Io {
            path: path_str(&partial),
            action,
            source,
        };
        let out = self
            .out
            .take()
            .expect("Invariant: writer open until finish");
        let durable = out
            .into_inner()
            .map_err(|e| io("cannot write", e.into_error()))
            .and_then(|file| file.sync_all().map_err(|e| io("cannot fsync", e)))
            .and_then(|()| {
                std::fs::rename(&self.partial, &self.path).map_err(|e| CaptureError::Io {
                    path: path_str(&self.path),
                    action: "cannot rename the .partial file into place",
                    source: e,
                })
            });
        if let Err(e) = durable {
            let _ = std::fs::remove_file(&self.partial);
            return Err(e);
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Makes the rename itself durable; some filesystems refuse to open a directory for
        // syncing, and the data is already safe, so only a failed sync is an error.
        if let Ok(d) = File::open(&dir) {
            d.sync_all().map_err(|e| CaptureError::Io {
                path: path_str(&dir),
                action: "cannot fsync the directory",
                source: e,
            })?;
        }
        Ok(self.records)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), CaptureError> {
        if self.poisoned {
            return Err(CaptureError::Poisoned {
                path: path_str(&self.partial),
            });
        }
        let out = self
            .out
            .as_mut()
            .expect("Invariant: writer open until finish");
        out.write_all(bytes).map_err(|source| {
            self.poisoned = true;
            CaptureError::Io {
                path: path_str(&self.partial),
                action: "cannot write",
                source,
            }
        })
    }
}

impl Drop for CaptureWriter {
    fn drop(&mut self) {
        if let Some(out) = self.out.take() {
            // Not finished: the output is incomplete by definition; discard it unflushed.
            drop(out.into_parts());
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// `<path>.partial`, in the same directory so that the final rename is atomic.
pub(super) fn partial_path(path: &Path) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}
