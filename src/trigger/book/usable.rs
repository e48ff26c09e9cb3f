//! Whether a book may be traded on at `now` (the checks listed in the parent module, in that
//! order) and the cached interval of `now` over which the answer stands; `BookState` changes
//! against the last reported state. Hot: run for each quote and each trigger evaluation.

use super::{BookChange, BookTable, Unusable, INSTRUMENTS_MAX};
use crate::domain::{InstrumentId, Quote, TsNs};

impl BookTable {
    /// Re-evaluates `id` at `now`; returns a change against the last reported state (the first
    /// evaluation of an instrument always reports). Call for each leg on timers so that ageing
    /// and session boundaries are reported too.
    pub fn refresh(&mut self, id: InstrumentId, now: TsNs) -> Option<BookChange> {
        let i = id.idx();
        if i >= INSTRUMENTS_MAX || !self.known[i] {
            return None;
        }
        let reason = self.evaluate(i, now).err();
        self.report(id, reason, now)
    }

    /// A change against the last reported state of `id`, recorded as reported.
    #[inline]
    pub(super) fn report(
        &mut self,
        id: InstrumentId,
        reason: Option<Unusable>,
        now: TsNs,
    ) -> Option<BookChange> {
        let i = id.idx();
        let code = reason.map_or(0, Unusable::code);
        if code == self.reported[i] {
            return None;
        }
        self.reported[i] = code;
        Some(BookChange {
            instrument: id,
            reason,
            ts: now,
        })
    }

    /// The book of `id` if it is usable at `now`. Does not change the reported state.
    // `inline(always)`: asked twice per quote by the trigger; left out of line by LTO it cost
    // ~30 instructions per quote more under callgrind (`cargo bench --bench replay`).
    #[inline(always)]
    pub fn usable(&mut self, id: InstrumentId, now: TsNs) -> Result<&Quote, Unusable> {
        let i = id.idx();
        if i >= INSTRUMENTS_MAX || !self.known[i] {
            return Err(Unusable::NoQuote);
        }
        self.evaluate(i, now)?;
        Ok(&self.books[i])
    }

    #[inline(always)]
    fn evaluate(&mut self, i: usize, now: TsNs) -> Result<(), Unusable> {
        if now.0 >= self.ok_lo[i] && now.0 < self.ok_hi[i] {
            return Ok(());
        }
        self.evaluate_miss(i, now)
    }

    /// [`Self::evaluate`] outside the cached interval (a new quote was evaluated already).
    #[inline(never)]
    fn evaluate_miss(&mut self, i: usize, now: TsNs) -> Result<(), Unusable> {
        self.evaluate_full(i, now)
    }

    /// The full check; on success caches the interval around `now` with the same answer.
    // `inline(always)`: run on every quote by `on_quote`; out of line it cost ~25 instructions
    // per quote more under callgrind (`cargo bench --bench replay`).
    #[inline(always)]
    pub(super) fn evaluate_full(&mut self, i: usize, now: TsNs) -> Result<(), Unusable> {
        if !self.has_book[i] {
            return Err(Unusable::NoQuote);
        }
        if self.gapped[i] {
            return Err(Unusable::SeqGap);
        }
        let q = &self.books[i];
        if q.bid_qty.0 <= 0 || q.ask_qty.0 <= 0 {
            return Err(Unusable::OneSided);
        }
        if q.bid_px >= q.ask_px {
            return Err(Unusable::Crossed);
        }
        let v = self.venue_of[i].idx();
        let age = now.since(q.ts_recv);
        if !self.calendars[v].is_open(now) {
            return Err(Unusable::SessionClosed);
        }
        if age > self.age_ns_max[v] {
            return Err(Unusable::Stale);
        }
        // `is_open(now)` just answered true: the calendar's window is the open session holding
        // `now`, and the quote stays fresh while `t − ts_recv ≤ age max`.
        let (lo, hi, _) = self.calendars[v].window();
        let fresh_until = q
            .ts_recv
            .0
            .saturating_add(self.age_ns_max[v])
            .saturating_add(1);
        self.ok_lo[i] = lo.0;
        self.ok_hi[i] = hi.0.min(fresh_until);
        Ok(())
    }
}
