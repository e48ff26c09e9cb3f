//! The receipt writer: frames each [`Event`] as a record (see [`crate::receipt`]), buffers it,
//! rolls segments, and calls fsync as the [`FsyncPolicy`] says. Runs on the receipt thread
//! (live) or the stepper thread (replay), draining the receipt ring.
//!
//! Per record: one 92-byte encode into the tail of a buffer allocated once, one CRC32, no
//! allocation and no system call unless the buffer is full or the policy asks for a sync.
//!
//! The writer never loses a record silently: the first I/O error is returned, and from then on
//! the writer is poisoned — every call returns [`WriteError::Poisoned`] naming that first error
//! and nothing more is written, so the file never holds a gap followed by later records.
//!
//! `Ok` from [`ReceiptWriter::append`] means "framed and buffered"; a record is durable after
//! the fsync its policy calls for (`Every`: before `append` returns; `Batch(n)`: at the n-th
//! record or [`ReceiptWriter::sync`]; `Never`: at [`ReceiptWriter::close`]). A failure while
//! flushing a buffer of earlier records is reported by whichever call hit it, and poisons.
//!
//! Generic over a [`SegmentStore`] so tests can inject I/O errors; the engine uses [`DirStore`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::FsyncPolicy;
use crate::domain::TsNs;

use super::event::Event;
use super::format::{
    encode_record, parse_segment_name, segment_name, SegmentHeader, HEADER_LEN, RECORD_LEN,
};

/// Bytes buffered before a write to the segment (when the fsync policy does not flush sooner).
pub const BUFFER_BYTES: usize = 256 * 1024;

/// Where segments go. One segment is open at a time; the writer creates the next one when the
/// current one is full.
pub trait SegmentStore {
    /// An open segment.
    type Segment: Write;
    /// Creates segment `index` (1-based), empty. Must fail rather than overwrite.
    fn create(&mut self, index: u32) -> io::Result<Self::Segment>;
    /// Makes everything written to `seg` durable (fsync).
    fn sync(&mut self, seg: &mut Self::Segment) -> io::Result<()>;
    /// Name of segment `index` for error messages.
    fn name(&self, index: u32) -> PathBuf;
}

/// Segments as files `receipts-NNNNNN.xrl` in one directory.
#[derive(Debug)]
pub struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// Uses `dir`, creating it if missing. Refuses a directory that already holds segments:
    /// version 1 does not continue an existing log (that would need the reader to find the last
    /// valid record and truncate a torn tail), so old receipts can never be overwritten.
    pub fn open(dir: &Path) -> Result<DirStore, WriteError> {
        let io_err = |op, source| WriteError::Io {
            path: dir.to_path_buf(),
            op,
            source,
        };
        fs::create_dir_all(dir).map_err(|e| io_err("create directory", e))?;
        for entry in fs::read_dir(dir).map_err(|e| io_err("list directory", e))? {
            let entry = entry.map_err(|e| io_err("list directory", e))?;
            let name = entry.file_name();
            if name.to_str().and_then(parse_segment_name).is_some() {
                return Err(WriteError::DirNotEmpty {
                    dir: dir.to_path_buf(),
                    found: entry.path(),
                });
            }
        }
        Ok(DirStore {
            dir: dir.to_path_buf(),
        })
    }
}

impl SegmentStore for DirStore {
    type Segment = File;

    fn create(&mut self, index: u32) -> io::Result<File> {
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.name(index))?;
        // The new directory entry must survive a crash too, or fsyncs of the file are moot.
        File::open(&self.dir)?.sync_all()?;
        Ok(f)
    }

    fn sync(&mut self, seg: &mut File) -> io::Result<()> {
        seg.sync_data()
    }

    fn name(&self, index: u32) -> PathBuf {
        self.dir.join(segment_name(index))
    }
}

/// Failures of the writer (cold path).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// An I/O operation failed; the writer is now poisoned.
    #[error("receipts: {path}: {op} failed: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The directory already holds a receipt log.
    #[error(
        "receipts: {dir}: already holds receipt segment {found}; a new run needs an empty \
         directory (move the old log away or configure another receipts.dir)"
    )]
    DirNotEmpty {
        /// The directory.
        dir: PathBuf,
        /// A segment found in it.
        found: PathBuf,
    },
    /// `segment_bytes` cannot hold a header and one record.
    #[error("receipts: segment_bytes = {got}: expected at least {min} (header + one record)")]
    SegmentTooSmall {
        /// Given.
        got: u64,
        /// Smallest usable.
        min: u64,
    },
    /// An earlier error poisoned the writer; nothing was written.
    #[error("receipts: writer poisoned, record not written; first error: {first_error}")]
    Poisoned {
        /// The message of the error that poisoned it.
        first_error: String,
    },
}

/// Appends receipts to a log of segments.
pub struct ReceiptWriter<S: SegmentStore = DirStore> {
    store: S,
    seg: Option<S::Segment>,
    buf: Vec<u8>,
    config_hash: u64,
    start_ts: TsNs,
    segment_bytes: u64,
    fsync: FsyncPolicy,
    segment_index: u32,
    /// Bytes in the current segment, buffered ones included.
    seg_len: u64,
    next_seq: u64,
    unsynced: u32,
    poison: Option<String>,
}

impl ReceiptWriter<DirStore> {
    /// Starts a new log in `dir` (created if missing; refused if it holds segments): writes the
    /// header of segment 1. `config_hash` and `start_ts` go into every segment header;
    /// `start_ts` is given, never read from a clock, so a replay writes identical bytes.
    pub fn create(
        dir: &Path,
        config_hash: u64,
        start_ts: TsNs,
        segment_bytes: u64,
        fsync: FsyncPolicy,
    ) -> Result<Self, WriteError> {
        let store = DirStore::open(dir)?;
        ReceiptWriter::with_store(store, config_hash, start_ts, segment_bytes, fsync)
    }
}

impl<S: SegmentStore> ReceiptWriter<S> {
    /// Like [`ReceiptWriter::create`] over any store.
    pub fn with_store(
        store: S,
        config_hash: u64,
        start_ts: TsNs,
        segment_bytes: u64,
        fsync: FsyncPolicy,
    ) -> Result<Self, WriteError> {
        let min = (HEADER_LEN + RECORD_LEN) as u64;
        if segment_bytes < min {
            return Err(WriteError::SegmentTooSmall {
                got: segment_bytes,
                min,
            });
        }
        let mut w = ReceiptWriter {
            store,
            seg: None,
            buf: Vec::with_capacity(BUFFER_BYTES),
            config_hash,
            start_ts,
            segment_bytes,
            fsync,
            segment_index: 0,
            seg_len: 0,
            next_seq: 1,
            unsynced: 0,
            poison: None,
        };
        w.guarded(|w| w.open_next_segment())?;
        Ok(w)
    }

    /// Frames and buffers one receipt; returns its sequence number (1, 2, 3, … across
    /// segments). Flushes and fsyncs as the policy says.
    pub fn append(&mut self, ev: &Event) -> Result<u64, WriteError> {
        if let Some(first_error) = &self.poison {
            return Err(poisoned(first_error));
        }
        if self.seg_len + RECORD_LEN as u64 > self.segment_bytes {
            self.guarded(|w| w.roll())?;
        }
        if self.buf.len() + RECORD_LEN > self.buf.capacity() {
            self.guarded(|w| w.write_buf())?;
        }
        let seq = self.next_seq;
        let at = self.buf.len();
        // Within capacity (checked above): no reallocation.
        self.buf.resize(at + RECORD_LEN, 0);
        let rec: &mut [u8; RECORD_LEN] = (&mut self.buf[at..])
            .try_into()
            .expect("Invariant: the buffer tail is exactly one record long");
        encode_record(rec, seq, ev);
        self.next_seq += 1;
        self.seg_len += RECORD_LEN as u64;
        self.unsynced += 1;
        match self.fsync {
            FsyncPolicy::Every => self.sync()?,
            FsyncPolicy::Batch(n) if self.unsynced >= n => self.sync()?,
            FsyncPolicy::Batch(_) | FsyncPolicy::Never => {}
        }
        Ok(seq)
    }

    /// Hands buffered records to the OS (no fsync).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        if let Some(first_error) = &self.poison {
            return Err(poisoned(first_error));
        }
        self.guarded(|w| w.write_buf())
    }

    /// Flushes and fsyncs the current segment (also what `Batch` does when the ring drains).
    pub fn sync(&mut self) -> Result<(), WriteError> {
        if let Some(first_error) = &self.poison {
            return Err(poisoned(first_error));
        }
        self.guarded(|w| {
            w.write_buf()?;
            w.sync_segment()
        })
    }

    /// Flushes and fsyncs whatever the policy, then closes the segment.
    pub fn close(mut self) -> Result<(), WriteError> {
        self.sync()?;
        self.seg = None;
        Ok(())
    }

    /// Sequence number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Index of the segment being written (1-based).
    pub fn segment_index(&self) -> u32 {
        self.segment_index
    }

    /// The error that poisoned the writer, if any.
    pub fn poisoned(&self) -> Option<&str> {
        self.poison.as_deref()
    }

    /// Runs `f`; an I/O error poisons the writer and comes back named with the segment's path.
    fn guarded(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), (&'static str, io::Error)>,
    ) -> Result<(), WriteError> {
        match f(self) {
            Ok(()) => Ok(()),
            Err((op, source)) => Err(self.poison_with(op, source)),
        }
    }

    #[cold]
    fn poison_with(&mut self, op: &'static str, source: io::Error) -> WriteError {
        let err = WriteError::Io {
            path: self.store.name(self.segment_index),
            op,
            source,
        };
        self.poison = Some(err.to_string());
        // Drop what was buffered: it must never reach the file after the gap.
        self.buf.clear();
        self.seg = None;
        err
    }

    fn roll(&mut self) -> Result<(), (&'static str, io::Error)> {
        self.write_buf()?;
        if self.fsync != FsyncPolicy::Never {
            self.sync_segment()?;
        }
        self.open_next_segment()
    }

    fn open_next_segment(&mut self) -> Result<(), (&'static str, io::Error)> {
        self.seg = None;
        self.segment_index += 1;
        let seg = self
            .store
            .create(self.segment_index)
            .map_err(|e| ("create segment", e))?;
        self.seg = Some(seg);
        let header = SegmentHeader {
            config_hash: self.config_hash,
            start_ts: self.start_ts,
            segment_index: self.segment_index,
            first_seq: self.next_seq,
        };
        self.buf.extend_from_slice(&header.encode());
        self.seg_len = HEADER_LEN as u64;
        // The header reaches the file at once (one write per segment, rare), so a run that
        // stops before its first flush leaves a valid empty segment, not a cut header.
        self.write_buf()?;
        if self.fsync != FsyncPolicy::Never {
            self.sync_segment()?;
        }
        Ok(())
    }

    fn write_buf(&mut self) -> Result<(), (&'static str, io::Error)> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let seg = self.seg.as_mut().expect("Invariant: a segment is open");
        seg.write_all(&self.buf).map_err(|e| ("write", e))?;
        seg.flush().map_err(|e| ("write", e))?;
        self.buf.clear();
        Ok(())
    }

    fn sync_segment(&mut self) -> Result<(), (&'static str, io::Error)> {
        let seg = self.seg.as_mut().expect("Invariant: a segment is open");
        self.store.sync(seg).map_err(|e| ("fsync", e))?;
        self.unsynced = 0;
        Ok(())
    }
}

impl<S: SegmentStore> std::fmt::Debug for ReceiptWriter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptWriter")
            .field("segment", &self.store.name(self.segment_index))
            .field("next_seq", &self.next_seq)
            .field("fsync", &self.fsync)
            .field("poison", &self.poison)
            .finish_non_exhaustive()
    }
}

impl<S: SegmentStore> Drop for ReceiptWriter<S> {
    /// A writer dropped without [`ReceiptWriter::close`] (e.g. on a panic elsewhere) still hands
    /// its buffer to the OS; errors cannot be reported here, and the reader will show a torn or
    /// short tail instead.
    fn drop(&mut self) {
        if self.poison.is_none() && self.seg.is_some() {
            let _ = self.write_buf();
        }
    }
}

#[cold]
fn poisoned(first_error: &str) -> WriteError {
    WriteError::Poisoned {
        first_error: first_error.to_string(),
    }
}
