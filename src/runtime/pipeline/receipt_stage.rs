//! The receipt stage: drains the receipt ring into the [`ReceiptWriter`] (fsync per policy:
//! `batch` is group commit: the writer's sync thread syncs every n records, and when the ring
//! drains, without this thread waiting) and the capture rings into the session
//! capture ([`CaptureWriter`]), so that the run replays through `crossarb replay --feed`, and
//! the engine's input journal ring into the session journal ([`JournalWriter`]), so that it
//! replays decision for decision through `crossarb replay --journal`. A
//! writer error poisons the log: the stage raises `receipts_failed` (the engine stops opening
//! tickets) and keeps draining the ring so that the engine is never blocked by a dead writer.
//! Runs on the `[threads].receipts` thread; [`Stage::finish`] drains every ring and closes both
//! files.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::config::FsyncPolicy;
use crate::domain::Quote;
use crate::feed::capture::CaptureWriter;
use crate::feed::journal::{JournalWriter, Record};
use crate::receipt::event::Event;
use crate::receipt::{ReceiptWriter, WriteError};
use crate::runtime::Stage;

/// Records taken per step at most.
const BATCH: usize = 256;

/// The receipt stage (see the module doc).
pub struct ReceiptStage {
    writer: Option<ReceiptWriter>,
    receipts: rtrb::Consumer<Event>,
    capture: Option<CaptureWriter>,
    quotes: Vec<rtrb::Consumer<Quote>>,
    journal: Option<JournalWriter>,
    journal_ring: Option<rtrb::Consumer<Record>>,
    fsync: FsyncPolicy,
    failed: Arc<AtomicBool>,
    /// First error (receipts or capture), reported at shutdown.
    pub error: Arc<std::sync::Mutex<Option<String>>>,
}

impl std::fmt::Debug for ReceiptStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptStage").finish_non_exhaustive()
    }
}

impl ReceiptStage {
    /// Builds the stage. Cold.
    pub fn new(
        writer: ReceiptWriter,
        receipts: rtrb::Consumer<Event>,
        capture: CaptureWriter,
        quotes: Vec<rtrb::Consumer<Quote>>,
        fsync: FsyncPolicy,
        failed: Arc<AtomicBool>,
    ) -> ReceiptStage {
        ReceiptStage {
            writer: Some(writer),
            receipts,
            capture: Some(capture),
            quotes,
            journal: None,
            journal_ring: None,
            fsync,
            failed,
            error: Arc::default(),
        }
    }

    /// Adds the input journal: records from `ring` go to `writer`. Cold.
    pub fn set_journal(&mut self, writer: JournalWriter, ring: rtrb::Consumer<Record>) {
        self.journal = Some(writer);
        self.journal_ring = Some(ring);
    }

    fn step_journal(&mut self, limit: usize) -> usize {
        // Taken out for the loop: `fail` needs `&mut self`.
        let Some(mut ring) = self.journal_ring.take() else {
            return 0;
        };
        let mut n = 0;
        while n < limit {
            let Ok(r) = ring.pop() else { break };
            n += 1;
            let Some(w) = self.journal.as_mut() else {
                continue;
            };
            if let Err(err) = w.append(&r) {
                self.journal = None;
                self.fail("journal", &err);
            }
        }
        self.journal_ring = Some(ring);
        n
    }

    #[cold]
    fn fail(&mut self, what: &str, e: &dyn std::fmt::Display) {
        self.failed.store(true, Ordering::Relaxed);
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(format!("{what}: {e}"));
        }
    }

    fn write(&mut self, e: &Event) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        if let Err(err) = w.append(e) {
            self.writer = None;
            self.fail("receipts", &err);
        }
    }

    /// `Every`: the writer synced in `append`. `Batch`: the writer asks its sync thread at
    /// every n-th record; when the ring drains the stage asks for the tail too, without waiting
    /// (group commit: this thread never blocks on an fsync; the writer knows whether anything
    /// is left to ask for). `Never`: nothing.
    fn sync(&mut self, drained: bool) {
        if !(drained && matches!(self.fsync, FsyncPolicy::Batch(_))) {
            return;
        }
        let r: Result<(), WriteError> = match self.writer.as_mut() {
            Some(w) => w.request_sync(),
            None => Ok(()),
        };
        if let Err(err) = r {
            self.writer = None;
            self.fail("receipts", &err);
        }
    }

    fn step(&mut self, limit: usize) -> usize {
        let mut n = 0;
        while n < limit {
            let Ok(e) = self.receipts.pop() else { break };
            self.write(&e);
            n += 1;
        }
        self.sync(n < limit);
        for i in 0..self.quotes.len() {
            for _ in 0..limit {
                let Ok(q) = self.quotes[i].pop() else { break };
                n += 1;
                let Some(c) = self.capture.as_mut() else {
                    continue;
                };
                if let Err(err) = c.append(&q) {
                    self.capture = None;
                    self.fail("capture", &err);
                }
            }
        }
        n + self.step_journal(limit)
    }
}

impl Stage for ReceiptStage {
    fn name(&self) -> &'static str {
        "receipts"
    }

    fn do_work(&mut self) -> usize {
        self.step(BATCH)
    }

    fn finish(&mut self) {
        while self.step(usize::MAX) > 0 {}
        if let Some(w) = self.writer.take() {
            if let Err(e) = w.close() {
                self.fail("receipts", &e);
            }
        }
        if let Some(c) = self.capture.take() {
            if let Err(e) = c.finish() {
                self.fail("capture", &e);
            }
        }
        if let Some(j) = self.journal.take() {
            if let Err(e) = j.finish() {
                self.fail("journal", &e);
            }
        }
    }
}
