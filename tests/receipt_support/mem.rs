//! An in-memory [`SegmentStore`] for the writer tests: it records every write and every
//! completed sync (with the segment length the sync covers), injects write, sync and create
//! failures, and can hold syncs at a gate until the test opens it — so that the sync thread's
//! timing is decided by the test, never by sleeps.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossarb::receipt::{SegmentStore, SegmentSync};

/// What the store saw.
#[derive(Debug, Default)]
pub struct Log {
    /// Bytes per segment, in order.
    pub segments: Vec<Vec<u8>>,
    /// Number of `write` calls that succeeded.
    pub writes: usize,
    /// Length of each successful `write`, in order.
    pub write_lens: Vec<usize>,
    /// Syncs that began (failed and waiting ones included).
    pub syncs_started: usize,
    /// Completed syncs: (segment index, segment length when the sync began = bytes it covers).
    pub syncs: Vec<(usize, usize)>,
    /// Sync handles alive (created and not yet dropped).
    pub handles_live: usize,
    /// Fail the write call with this number (1-based), if set.
    pub fail_write: Option<usize>,
    /// Fail the sync with this number (1-based, counted as they begin), if set.
    pub fail_sync: Option<usize>,
    /// Fail creating the segment with this index, if set.
    pub fail_create: Option<u32>,
    /// Syncs with this number and later wait at the gate until it opens.
    pub gate_from: Option<usize>,
    /// The gate is open.
    pub gate_open: bool,
}

/// The store; clones share one [`Log`].
#[derive(Debug, Clone, Default)]
pub struct MemStore(pub Arc<(Mutex<Log>, Condvar)>);

impl MemStore {
    /// The log, locked.
    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.0 .0.lock().unwrap()
    }

    /// Opens the gate for every waiting and later sync.
    pub fn open_gate(&self) {
        self.log().gate_open = true;
        self.0 .1.notify_all();
    }
}

/// An open segment.
#[derive(Debug)]
pub struct MemSegment {
    store: MemStore,
    index: usize,
}

impl Write for MemSegment {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut log = self.store.log();
        if log.fail_write == Some(log.writes + 1) {
            return Err(io::Error::other("injected write failure"));
        }
        log.writes += 1;
        log.write_lens.push(buf.len());
        log.segments[self.index].extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sync handle on one segment.
#[derive(Debug)]
pub struct MemSync {
    store: MemStore,
    index: usize,
}

impl SegmentSync for MemSync {
    fn sync(&mut self) -> io::Result<()> {
        let (lock, gate) = &*self.store.0;
        let mut log = lock.lock().unwrap();
        log.syncs_started += 1;
        let n = log.syncs_started;
        if log.fail_sync == Some(n) {
            return Err(io::Error::other("injected fsync failure"));
        }
        let covered = log.segments[self.index].len();
        while log.gate_from.is_some_and(|g| n >= g) && !log.gate_open {
            log = gate.wait(log).unwrap();
        }
        log.syncs.push((self.index + 1, covered));
        Ok(())
    }
}

impl Drop for MemSync {
    fn drop(&mut self) {
        self.store.log().handles_live -= 1;
    }
}

impl SegmentStore for MemStore {
    type Segment = MemSegment;
    type Sync = MemSync;

    fn create(&mut self, index: u32) -> io::Result<MemSegment> {
        let mut log = self.log();
        if log.fail_create == Some(index) {
            return Err(io::Error::other("injected create failure"));
        }
        log.segments.push(Vec::new());
        assert_eq!(log.segments.len(), index as usize);
        Ok(MemSegment {
            store: self.clone(),
            index: index as usize - 1,
        })
    }

    fn sync_handle(&mut self, seg: &MemSegment) -> io::Result<MemSync> {
        self.log().handles_live += 1;
        Ok(MemSync {
            store: self.clone(),
            index: seg.index,
        })
    }

    fn name(&self, index: u32) -> PathBuf {
        PathBuf::from(format!("mem/receipts-{index:06}.xrl"))
    }
}
