//! The receipt writer: frames each [`Event`] as a record (see [`crate::receipt`]), buffers it,
//! rolls segments, and makes records durable as the [`FsyncPolicy`] says. Runs on the receipt
//! thread (live) or the stepper thread (replay), draining the receipt ring; with `Batch` it owns
//! one more thread, `receipt-sync` (`writer/sync.rs`), that runs the fsyncs.
//!
//! Per record: one 92-byte encode into the tail of a buffer allocated once, one CRC32, two
//! compares (sync error? lag bound?), no allocation and no system call unless the buffer is
//! full or the policy asks for a sync.
//!
//! The writer never loses a record silently: the first I/O error is returned, and from then on
//! the writer is poisoned — every call returns [`WriteError::Poisoned`] naming that first error
//! and nothing more is written, so the file never holds a gap followed by later records.
//!
//! # Durability
//!
//! `Ok` from [`ReceiptWriter::append`] means "framed and buffered". Record `s` (its sequence
//! number) is durable once [`ReceiptWriter::durable`] ≥ `s`; [`ReceiptWriter::watermark`] reads
//! that from another thread.
//!
//! * `Every`: fsync on the caller's thread before `append` returns.
//! * `Batch(n)` (group commit): at every n-th record the writer hands its buffer to the OS (one
//!   write) and asks the sync thread for an fsync of everything written so far, without waiting;
//!   requests made while an fsync runs coalesce into the next one. So a record is durable at most
//!   two fsyncs after its batch is written. The writer waits only (a) when the next record would
//!   put more than [`ReceiptWriter::lag_max`] records (≈ [`SYNC_LAG_BYTES_MAX`], at least `2n`)
//!   past the watermark — back-pressure, counted in [`Watermark::stalls`]; (b) at a segment roll,
//!   until the old segment is durable; (c) in [`ReceiptWriter::sync`] and
//!   [`ReceiptWriter::close`], which return only when every record appended before them is
//!   durable.
//! * `Never`: only at [`ReceiptWriter::sync`] and [`ReceiptWriter::close`].
//!
//! Segment headers are synced on the caller's thread when the segment is created (not with
//! `Never`). A failed fsync on the sync thread poisons the writer as a failure on the caller's
//! thread does: the next `append`, `flush`, `sync` or `close` returns it (op `"fsync"`, the
//! segment's path), later ones [`WriteError::Poisoned`]; the thread syncs nothing after it and
//! the writer writes nothing after it sees it. Batches written between the failure and that call
//! reached the OS but are never counted durable. A failure while flushing a buffer of earlier
//! records is reported by whichever call hit it, and poisons.
//!
//! Generic over a [`SegmentStore`] so tests can inject I/O errors; the engine uses [`DirStore`].

mod error;
mod store;
mod sync;

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use self::error::WriteError;
pub use self::store::{DirStore, SegmentStore, SegmentSync};
use self::sync::{lag_max, Progress, SyncThread};
pub use self::sync::{Watermark, SYNC_LAG_BYTES_MAX};
use super::event::Event;
use super::format::{encode_record, SegmentHeader, HEADER_LEN, RECORD_LEN};
use crate::config::FsyncPolicy;
use crate::domain::TsNs;

/// Bytes buffered before a write to the segment (when the fsync policy does not flush sooner).
pub const BUFFER_BYTES: usize = 256 * 1024;

/// Appends receipts to a log of segments.
pub struct ReceiptWriter<S: SegmentStore = DirStore> {
    store: S,
    seg: Option<S::Segment>,
    /// Sync handle of the current segment (`Every`, `Never`); with `Batch` the sync thread has it.
    handle: Option<S::Sync>,
    /// `Batch` only.
    syncer: Option<SyncThread<S::Sync>>,
    progress: Arc<Progress>,
    buf: Vec<u8>,
    config_hash: u64,
    start_ts: TsNs,
    segment_bytes: u64,
    fsync: FsyncPolicy,
    segment_index: u32,
    /// Bytes in the current segment, buffered ones included.
    seg_len: u64,
    next_seq: u64,
    /// Sequence number of the last record handed to the OS.
    written: u64,
    /// The durable watermark as last seen (`Batch`: refreshed at each request).
    durable: u64,
    /// `Batch`: most records past `durable`; `u64::MAX` otherwise.
    lag_max: u64,
    /// Records appended since the last sync (or sync request).
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
    /// Like [`ReceiptWriter::create`] over any store; with `Batch` starts the sync thread.
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
        let progress = Arc::new(Progress::default());
        let (syncer, lag_max) = match fsync {
            FsyncPolicy::Batch(n) => {
                let t =
                    SyncThread::start(progress.clone(), 0).map_err(|source| WriteError::Io {
                        path: store.name(1),
                        op: "start the sync thread",
                        source,
                    })?;
                (Some(t), lag_max(n))
            }
            FsyncPolicy::Every | FsyncPolicy::Never => (None, u64::MAX),
        };
        let mut w = ReceiptWriter {
            store,
            seg: None,
            handle: None,
            syncer,
            progress,
            buf: Vec::with_capacity(BUFFER_BYTES),
            config_hash,
            start_ts,
            segment_bytes,
            fsync,
            segment_index: 0,
            seg_len: 0,
            next_seq: 1,
            written: 0,
            durable: 0,
            lag_max,
            unsynced: 0,
            poison: None,
        };
        w.guarded(|w| w.open_next_segment())?;
        Ok(w)
    }

    /// Frames and buffers one receipt; returns its sequence number (1, 2, 3, … across
    /// segments). Writes and syncs (or requests a sync) as the policy says.
    pub fn append(&mut self, ev: &Event) -> Result<u64, WriteError> {
        self.check()?;
        if self.seg_len + RECORD_LEN as u64 > self.segment_bytes {
            self.guarded(|w| w.roll())?;
        }
        if self.buf.len() + RECORD_LEN > self.buf.capacity() {
            self.guarded(|w| w.write_buf())?;
        }
        let seq = self.next_seq;
        if seq - self.durable > self.lag_max {
            self.guarded(|w| w.stall(seq - w.lag_max))?;
        }
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
            FsyncPolicy::Batch(n) if self.unsynced >= n => self.guarded(|w| w.request())?,
            FsyncPolicy::Batch(_) | FsyncPolicy::Never => {}
        }
        Ok(seq)
    }

    /// Hands buffered records to the OS (no fsync).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        self.check()?;
        self.guarded(|w| w.write_buf())
    }

    /// Hands buffered records to the OS and makes every record appended so far durable; returns
    /// when they are.
    pub fn sync(&mut self) -> Result<(), WriteError> {
        self.check()?;
        self.guarded(|w| w.sync_all())
    }

    /// Hands buffered records to the OS and, with `Batch`, asks the sync thread to make them
    /// durable without waiting (what the receipt stage does when its ring drains, so the tail
    /// of a quiet period does not wait for the next n-th record); nothing when every record is
    /// already requested. With `Every` and `Never` the same as [`ReceiptWriter::flush`]
    /// (`Every` has nothing unsynced).
    pub fn request_sync(&mut self) -> Result<(), WriteError> {
        self.check()?;
        match &self.syncer {
            Some(_) if self.unsynced == 0 => Ok(()),
            Some(_) => self.guarded(|w| w.request()),
            None => self.guarded(|w| w.write_buf()),
        }
    }

    /// Syncs whatever the policy (see [`ReceiptWriter::sync`]), then closes the segment and
    /// joins the sync thread.
    pub fn close(mut self) -> Result<(), WriteError> {
        self.sync()?;
        if let Some(mut t) = self.syncer.take() {
            t.stop();
        }
        self.seg = None;
        Ok(())
    }

    /// Sequence number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Records durable so far: every record whose sequence number is ≤ this has been synced
    /// (0 before the first sync). Never more than the records appended.
    pub fn durable(&self) -> u64 {
        self.progress.durable.load(Ordering::Acquire)
    }

    /// A handle that reads [`ReceiptWriter::durable`] from another thread.
    pub fn watermark(&self) -> Watermark {
        Watermark(self.progress.clone())
    }

    /// `Batch`: the most records that may be appended but not durable (the writer waits before
    /// exceeding it); `None` for the other policies.
    pub fn lag_max(&self) -> Option<u64> {
        self.syncer.as_ref().map(|_| self.lag_max)
    }

    /// Index of the segment being written (1-based).
    pub fn segment_index(&self) -> u32 {
        self.segment_index
    }

    /// The error that poisoned the writer, if any.
    pub fn poisoned(&self) -> Option<&str> {
        self.poison.as_deref()
    }

    /// Fails if poisoned, or takes the sync thread's error (which poisons).
    fn check(&mut self) -> Result<(), WriteError> {
        if let Some(first_error) = &self.poison {
            return Err(poisoned(first_error));
        }
        if self.progress.failed.load(Ordering::Acquire) {
            return self.guarded(|w| Err(w.sync_error()));
        }
        Ok(())
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

    /// The sync thread's error. It always concerns the current segment: the writer leaves a
    /// segment only once it is durable.
    #[cold]
    fn sync_error(&mut self) -> (&'static str, io::Error) {
        let syncer = self
            .syncer
            .as_ref()
            .expect("Invariant: only Batch syncs on a thread");
        let (segment, e) = syncer.take_error();
        debug_assert_eq!(segment, self.segment_index);
        ("fsync", e)
    }

    fn roll(&mut self) -> Result<(), (&'static str, io::Error)> {
        if self.fsync == FsyncPolicy::Never {
            self.write_buf()?;
        } else {
            self.sync_all()?;
        }
        self.open_next_segment()
    }

    fn open_next_segment(&mut self) -> Result<(), (&'static str, io::Error)> {
        self.seg = None;
        self.handle = None;
        self.segment_index += 1;
        let seg = self
            .store
            .create(self.segment_index)
            .map_err(|e| ("create segment", e))?;
        let mut handle = self
            .store
            .sync_handle(&seg)
            .map_err(|e| ("open a sync handle", e))?;
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
        // stops before its first flush leaves a valid empty segment, not a cut header. It is
        // synced here, on the caller's thread: the sync thread is idle at a roll.
        self.write_buf()?;
        if self.fsync != FsyncPolicy::Never {
            handle.sync().map_err(|e| ("fsync", e))?;
        }
        match &self.syncer {
            Some(t) => t.set_segment(handle, self.segment_index),
            None => self.handle = Some(handle),
        }
        Ok(())
    }

    fn write_buf(&mut self) -> Result<(), (&'static str, io::Error)> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.progress.failed.load(Ordering::Acquire) {
            // Nothing is written after a failed fsync (see the module doc).
            return Err(self.sync_error());
        }
        let seg = self.seg.as_mut().expect("Invariant: a segment is open");
        seg.write_all(&self.buf).map_err(|e| ("write", e))?;
        seg.flush().map_err(|e| ("write", e))?;
        self.buf.clear();
        self.written = self.next_seq - 1;
        Ok(())
    }

    /// Writes the buffer and makes every record appended so far durable, waiting for it.
    fn sync_all(&mut self) -> Result<(), (&'static str, io::Error)> {
        if self.syncer.is_some() {
            self.request()?;
            return self.wait(self.written);
        }
        self.write_buf()?;
        let handle = self.handle.as_mut().expect("Invariant: a segment is open");
        handle.sync().map_err(|e| ("fsync", e))?;
        self.unsynced = 0;
        self.durable = self.written;
        self.progress.durable.store(self.written, Ordering::Release);
        Ok(())
    }
}

impl<S: SegmentStore> std::fmt::Debug for ReceiptWriter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptWriter")
            .field("segment", &self.store.name(self.segment_index))
            .field("next_seq", &self.next_seq)
            .field("durable", &self.durable())
            .field("fsync", &self.fsync)
            .field("poison", &self.poison)
            .finish_non_exhaustive()
    }
}

impl<S: SegmentStore> Drop for ReceiptWriter<S> {
    /// A writer dropped without [`ReceiptWriter::close`] (e.g. on a panic elsewhere) still hands
    /// its buffer to the OS, and with `Batch` lets the sync thread finish the syncs already
    /// requested, then joins it; errors cannot be reported here, and the reader will show a torn
    /// or short tail instead.
    fn drop(&mut self) {
        if self.poison.is_none() && self.seg.is_some() {
            let _ = self.write_buf();
        }
        if let Some(mut t) = self.syncer.take() {
            t.stop();
        }
    }
}

#[cold]
fn poisoned(first_error: &str) -> WriteError {
    WriteError::Poisoned {
        first_error: first_error.to_string(),
    }
}
