//! The group-commit sync thread of a `Batch` [`ReceiptWriter`](super::ReceiptWriter): it owns
//! the sync handle of the current segment and calls [`SegmentSync::sync`] whenever the writer has
//! requested more than is durable. Requests that arrive while a sync runs coalesce into the next
//! one, so one fsync covers every record written before it started, however many batches that is.
//!
//! Input: `request(upto)` (sequence number of the last record handed to the OS). Output: the
//! durable watermark (in [`Progress`], readable from any thread) or the first sync error, after
//! which the thread syncs nothing more and exits. Runs on its own thread `receipt-sync`, started
//! and joined by the writer (an exception to "only `runtime/` spawns threads": the thread is a
//! private detail of the writer's durability, created and joined with it, and never runs engine
//! code).
//!
//! Hand-off is one mutex and two condition variables; the writer takes the lock once per batch of
//! `n` records (a request), never per record, and allocates nothing.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

use super::{ReceiptWriter, SegmentStore, SegmentSync};
use crate::receipt::format::RECORD_LEN;

/// `Batch`: how far (in record bytes) the writer may run ahead of the durable watermark before
/// it waits for the sync thread. 8 MiB ≈ 91,000 records: at the writer's full speed (1.1 GB/s,
/// `benches/receipts.rs`, fsync never) that is ≈ 7 ms of records, above the slowest fsync seen on
/// the bench VM (4 ms), so one slow fsync does not stall the writer, while a power loss can cost
/// at most this much of the log (the engine emits far fewer receipts than that per second).
pub const SYNC_LAG_BYTES_MAX: u64 = 8 << 20;

/// Reads a writer's durability from any thread (metrics, tests); cheap to clone.
#[derive(Clone, Debug)]
pub struct Watermark(pub(super) Arc<Progress>);

impl Watermark {
    /// Records durable so far (see [`ReceiptWriter::durable`]).
    pub fn durable(&self) -> u64 {
        self.0.durable.load(Ordering::Acquire)
    }

    /// Times the writer waited because it ran [`ReceiptWriter::lag_max`] records ahead.
    pub fn stalls(&self) -> u64 {
        self.0.stalls.load(Ordering::Acquire)
    }
}

/// `Batch(n)`: [`SYNC_LAG_BYTES_MAX`] in records, but at least two batches (one being synced,
/// one being filled), so that the lag bound never waits for a batch that was not requested.
pub(super) fn lag_max(n: u32) -> u64 {
    (SYNC_LAG_BYTES_MAX / RECORD_LEN as u64).max(2 * u64::from(n))
}

/// What the writer's durability looks like from outside, shared with the sync thread.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Records durable so far: every record with a sequence number ≤ this one has been synced.
    pub durable: AtomicU64,
    /// Times the writer waited because the unsynced lag reached its bound.
    pub stalls: AtomicU64,
    /// The sync thread has recorded an error (the writer takes it on its next call).
    pub failed: AtomicBool,
}

struct State<H> {
    /// Sync handle of the current segment; `None` while a sync runs (the thread holds it).
    handle: Option<H>,
    /// Index of the segment `handle` belongs to, for error messages.
    segment: u32,
    /// Highest sequence number the writer asked to make durable.
    requested: u64,
    /// Highest sequence number made durable.
    durable: u64,
    /// The first sync error and the segment it concerns; taken by the writer.
    error: Option<(u32, io::Error)>,
    /// The thread syncs nothing more: it failed, or it ended.
    done: bool,
    /// The writer asks the thread to end once nothing is pending.
    stop: bool,
}

struct Shared<H> {
    state: Mutex<State<H>>,
    /// Writer → thread: a request or stop.
    to_syncer: Condvar,
    /// Thread → writer: a sync finished (or failed, or the thread ended).
    to_writer: Condvar,
    progress: Arc<Progress>,
}

impl<H> Shared<H> {
    fn lock(&self) -> MutexGuard<'_, State<H>> {
        // A panic while holding the lock leaves plain counters behind, still meaningful.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer's side of the sync thread. Dropping it stops and joins the thread.
pub(super) struct SyncThread<H: SegmentSync> {
    shared: Arc<Shared<H>>,
    thread: Option<JoinHandle<()>>,
}

impl<H: SegmentSync> SyncThread<H> {
    /// Starts the thread, with no segment yet and `durable` records already durable. Cold.
    pub fn start(progress: Arc<Progress>, durable: u64) -> io::Result<SyncThread<H>> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                handle: None,
                segment: 0,
                requested: durable,
                durable,
                error: None,
                done: false,
                stop: false,
            }),
            to_syncer: Condvar::new(),
            to_writer: Condvar::new(),
            progress,
        });
        let s = shared.clone();
        let thread = thread::Builder::new()
            .name("receipt-sync".to_owned())
            .spawn(move || run(&s))?;
        Ok(SyncThread {
            shared,
            thread: Some(thread),
        })
    }

    /// Gives the thread the handle of segment `index`. The writer calls it only when everything
    /// it requested is durable, so no sync is running and the old handle can go.
    pub fn set_segment(&self, handle: H, index: u32) {
        let mut st = self.shared.lock();
        assert!(
            st.durable >= st.requested || st.done,
            "Invariant: a segment is replaced only when its syncs are done"
        );
        st.handle = Some(handle);
        st.segment = index;
    }

    /// Asks for everything up to sequence number `upto` to be made durable; does not wait.
    /// Returns the durable watermark as of now.
    pub fn request(&self, upto: u64) -> u64 {
        let mut st = self.shared.lock();
        if upto > st.requested {
            st.requested = upto;
            self.shared.to_syncer.notify_one();
        }
        st.durable
    }

    /// Waits until everything up to `upto` is durable (it must have been requested) and returns
    /// the watermark, or returns the sync error (segment index and OS error).
    pub fn wait(&self, upto: u64) -> Result<u64, (u32, io::Error)> {
        let mut st = self.shared.lock();
        assert!(
            st.requested >= upto,
            "Invariant: the writer waits only for records it asked to sync"
        );
        loop {
            if let Some(err) = st.error.take() {
                return Err(err);
            }
            if st.durable >= upto {
                return Ok(st.durable);
            }
            if st.done {
                let seg = st.segment;
                return Err((seg, io::Error::other("receipt sync thread ended")));
            }
            st = self
                .shared
                .to_writer
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// The error the thread recorded (after [`Progress::failed`] was seen).
    #[cold]
    pub fn take_error(&self) -> (u32, io::Error) {
        let mut st = self.shared.lock();
        let seg = st.segment;
        st.error
            .take()
            .unwrap_or_else(|| (seg, io::Error::other("receipt sync thread failed")))
    }

    /// Lets the thread finish what was requested, then ends and joins it. Cold.
    pub fn stop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.to_syncer.notify_one();
        if let Some(t) = self.thread.take() {
            // A panic on the thread was already turned into an error by its exit guard.
            let _ = t.join();
        }
    }
}

impl<H: SegmentSync> Drop for SyncThread<H> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Marks the thread done on every way out, a panic included, so the writer never waits forever.
struct ExitGuard<'a, H>(&'a Shared<H>);

impl<H> Drop for ExitGuard<'_, H> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.done = true;
        if thread::panicking() && st.error.is_none() {
            let seg = st.segment;
            st.error = Some((seg, io::Error::other("receipt sync thread panicked")));
            self.0.progress.failed.store(true, Ordering::Release);
        }
        self.0.to_writer.notify_all();
    }
}

fn run<H: SegmentSync>(shared: &Shared<H>) {
    let _exit = ExitGuard(shared);
    let mut st = shared.lock();
    loop {
        if st.requested > st.durable {
            let target = st.requested;
            let segment = st.segment;
            let mut handle = st
                .handle
                .take()
                .expect("Invariant: a sync is requested only after a segment is set");
            drop(st);
            let result = handle.sync();
            st = shared.lock();
            st.handle = Some(handle);
            match result {
                Ok(()) => {
                    st.durable = target;
                    shared.progress.durable.store(target, Ordering::Release);
                    shared.to_writer.notify_all();
                }
                Err(e) => {
                    // Nothing is synced after a failed sync: the kernel may have dropped the
                    // failed pages, and a later success would hide that gap.
                    st.error = Some((segment, e));
                    shared.progress.failed.store(true, Ordering::Release);
                    return; // the exit guard wakes the writer
                }
            }
        } else if st.stop {
            return;
        } else {
            st = shared
                .to_syncer
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The writer's side of group commit (`Batch` only).
impl<S: SegmentStore> ReceiptWriter<S> {
    /// `Batch`: writes the buffer and asks the sync thread to sync it; does not wait.
    pub(super) fn request(&mut self) -> Result<(), (&'static str, io::Error)> {
        self.write_buf()?;
        let syncer = self
            .syncer
            .as_ref()
            .expect("Invariant: only Batch requests");
        self.durable = syncer.request(self.written);
        self.unsynced = 0;
        Ok(())
    }

    /// `Batch`, cold: waits until records up to `need` are durable (back-pressure).
    #[cold]
    pub(super) fn stall(&mut self, need: u64) -> Result<(), (&'static str, io::Error)> {
        self.request()?;
        if self.durable >= need {
            return Ok(()); // a sync finished since the last look
        }
        self.progress.stalls.fetch_add(1, Ordering::AcqRel);
        self.wait(need)
    }

    pub(super) fn wait(&mut self, upto: u64) -> Result<(), (&'static str, io::Error)> {
        let syncer = self.syncer.as_ref().expect("Invariant: only Batch waits");
        match syncer.wait(upto) {
            Ok(durable) => {
                self.durable = durable;
                Ok(())
            }
            Err((segment, e)) => {
                debug_assert_eq!(segment, self.segment_index);
                Err(("fsync", e))
            }
        }
    }
}
