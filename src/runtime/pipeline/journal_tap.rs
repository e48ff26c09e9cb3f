//! The engine stage's side of the input journal ([`crate::feed::journal`]): numbers the engine's
//! inputs, pushes one fixed-size [`Record`] per input, per order sent and per kill switch change
//! into the journal ring to the receipt stage, and mirrors the shared kill switch (raised by the
//! cold thread: kill file, stop signal) into the engine's own switch only between inputs, so the
//! engine never sees it change inside an input and the journal records exactly when it did.
//!
//! Full policy: like receipts, never dropped — a record the ring cannot take goes to a
//! preallocated spill queue retried first on every step; a full spill queue blocks the stage.
//! Runs on the engine stage's thread; no allocation after start-up.

use std::collections::VecDeque;

use super::engine_stage::push_spill;
use crate::domain::TsNs;
use crate::feed::journal::{Entry, Record};
use crate::trigger::KillSwitch;

/// Spill capacity (preallocated).
const SPILL: usize = 4096;

/// See the module doc.
pub(super) struct Tap {
    ring: rtrb::Producer<Record>,
    spill: VecDeque<Record>,
    /// Index of the input being processed (or next).
    input: u64,
    /// The switch the cold thread raises.
    shared_kill: KillSwitch,
    /// The switch the engine reads.
    engine_kill: KillSwitch,
}

impl Tap {
    pub(super) fn new(
        ring: rtrb::Producer<Record>,
        shared_kill: KillSwitch,
        engine_kill: KillSwitch,
    ) -> Tap {
        Tap {
            ring,
            spill: VecDeque::with_capacity(SPILL),
            input: 0,
            shared_kill,
            engine_kill,
        }
    }

    fn push(&mut self, r: Record) {
        if !self.spill.is_empty() || self.ring.push(r).is_err() {
            let ring = &mut self.ring;
            push_spill(&mut self.spill, r, |r| ring.push(*r).is_ok());
        }
    }

    /// Before an input: applies a kill switch change to the engine and records it.
    #[inline]
    pub(super) fn begin(&mut self) {
        let engaged = self.shared_kill.is_engaged();
        if engaged != self.engine_kill.is_engaged() {
            if engaged {
                self.engine_kill.engage();
            } else {
                self.engine_kill.release();
            }
            let mut r = Record::encode(&Entry::Kill(engaged));
            r.input = self.input;
            self.push(r);
        }
    }

    /// After an input: records it with the `now` it was given and the receipts its sink
    /// accepted before the first refusal.
    #[inline]
    pub(super) fn end(&mut self, e: &Entry, now: TsNs, emits_ok: u32) {
        let mut r = Record::input(e, now);
        r.input = self.input;
        r.emits_ok = emits_ok;
        self.push(r);
        self.input += 1;
    }

    /// An order the engine sent during the current input.
    #[inline]
    pub(super) fn order(&mut self, req: &crate::exec::msg::OrderRequest) {
        let mut r = Record::encode(&Entry::Order(*req));
        r.input = self.input;
        self.push(r);
    }

    /// Moves spilled records into the ring; returns how many moved.
    pub(super) fn flush(&mut self) -> usize {
        let mut n = 0;
        while let Some(r) = self.spill.front() {
            if self.ring.push(*r).is_err() {
                break;
            }
            self.spill.pop_front();
            n += 1;
        }
        n
    }

    /// Nothing waits in the spill queue.
    pub(super) fn is_flushed(&self) -> bool {
        self.spill.is_empty()
    }
}
