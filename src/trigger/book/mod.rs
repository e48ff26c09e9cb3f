//! The aligner's book table: the latest top of book per instrument and whether it may be traded
//! on. Inputs: quotes from every feed ring, `now` from the stage clock. Outputs: usable books
//! for the spread trigger and [`BookChange`]s (usable ↔ unusable, with the reason) for
//! `BookState` receipts. Runs on the trigger thread (live) or the stepper (replay).
//!
//! A book is usable at `now` only if (checked in this order, the first failure is the reason):
//! it has been quoted ([`Unusable::NoQuote`]); no sequence gap is pending ([`Unusable::SeqGap`]);
//! both sides present ([`Unusable::OneSided`]); bid < ask ([`Unusable::Crossed`]); its venue is
//! in session ([`Unusable::SessionClosed`]); `now − ts_recv ≤ quote_age_ms_max`
//! ([`Unusable::Stale`]).
//!
//! Sequence rule (quotes with `seq ≠ 0`, per instrument): the first sequenced quote sets the
//! baseline. `seq = last + 1` is contiguous and clears a pending gap. `seq = last` is a duplicate
//! (A/B line arbitration) and is dropped. Any other `seq` (a jump forward, or backward after a feed
//! restart) is applied — it is the newest information — but marks the instrument gapped and
//! becomes the new baseline; the gap clears on the next contiguous quote or on any quote flagged
//! `SNAPSHOT` (a recovery snapshot resets the baseline). Trade records take part in the sequence
//! but never change the book. Quotes with `seq = 0` are not checked.
//!
//! Hot path: fixed arrays indexed by [`InstrumentId::idx`], no allocation. Each book caches
//! the interval of `now` over which its current quote is usable (the venue's open session window
//! cut at the quote's age limit): the engine asks about a book up to three times per quote
//! (report, trigger, executor market view) and each such question is then two comparisons; the
//! full check runs only outside that interval (`cargo bench --bench replay`). That judgement
//! lives in `usable.rs`; this file keeps the table and its updates.

use crate::config::{Instrument, Venue};
use crate::domain::VENUES_MAX;
use crate::domain::{InstrumentId, Quote, QuoteFlags, TsNs, VenueId, INSTRUMENTS_MAX, NS_PER_MS};
use crate::trigger::calendar::{Calendar, CalendarError};

mod usable;

/// Why a book may not be traded on. The values are the `code` of `BookState` receipts
/// (0 = usable again): part of the format, never reuse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Unusable {
    /// No book quote received yet.
    NoQuote = 1,
    /// A sequence gap is pending.
    SeqGap = 2,
    /// A side is empty.
    OneSided = 3,
    /// Bid ≥ ask.
    Crossed = 4,
    /// The venue is outside its trading sessions.
    SessionClosed = 5,
    /// The quote is older than the venue's `quote_age_ms_max`.
    Stale = 6,
}

impl Unusable {
    /// The receipt code.
    pub const fn code(self) -> u16 {
        self as u16
    }
}

/// A change of a book's usability, for a `BookState` receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookChange {
    /// The instrument.
    pub instrument: InstrumentId,
    /// `None`: usable again; `Some`: unusable and why.
    pub reason: Option<Unusable>,
    /// When the change was observed.
    pub ts: TsNs,
}

impl BookChange {
    /// The receipt code: 0 usable, else [`Unusable::code`].
    pub const fn code(&self) -> u16 {
        match self.reason {
            None => 0,
            Some(r) => r.code(),
        }
    }
}

/// Why a book table could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BookError {
    /// More venues or instruments than the fixed tables hold.
    #[error("{what}: {count} configured, at most {max} expected")]
    TooMany {
        /// `venues` or `instruments`.
        what: &'static str,
        /// How many configured.
        count: usize,
        /// Table size.
        max: usize,
    },
    /// An instrument names a venue that does not exist.
    #[error("instruments[{index}].venue: venue id {venue} not among the {venues} venues")]
    UnknownVenue {
        /// Instrument index.
        index: usize,
        /// The bad venue id.
        venue: u16,
        /// Venues configured.
        venues: usize,
    },
    /// A venue's calendar.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Never reported yet (forces the first evaluation to report).
const STATE_UNREPORTED: u16 = u16::MAX;

/// Latest book per instrument plus the state needed to judge it.
#[derive(Debug)]
pub struct BookTable {
    books: [Quote; INSTRUMENTS_MAX],
    has_book: [bool; INSTRUMENTS_MAX],
    known: [bool; INSTRUMENTS_MAX],
    last_seq: [u64; INSTRUMENTS_MAX],
    gapped: [bool; INSTRUMENTS_MAX],
    venue_of: [VenueId; INSTRUMENTS_MAX],
    reported: [u16; INSTRUMENTS_MAX],
    /// `[ok_lo, ok_hi)`: times at which the current book is known usable (empty when
    /// `ok_lo ≥ ok_hi`). A subset of the truth: outside it the full check decides.
    ok_lo: [i64; INSTRUMENTS_MAX],
    ok_hi: [i64; INSTRUMENTS_MAX],
    age_ns_max: [i64; VENUES_MAX],
    calendars: Vec<Calendar>,
    ignored: u64,
}

impl BookTable {
    /// Builds the table from the config's venues and instruments (cold).
    pub fn new(venues: &[Venue], instruments: &[Instrument]) -> Result<BookTable, BookError> {
        if venues.len() > VENUES_MAX {
            return Err(BookError::TooMany {
                what: "venues",
                count: venues.len(),
                max: VENUES_MAX,
            });
        }
        if instruments.len() > INSTRUMENTS_MAX {
            return Err(BookError::TooMany {
                what: "instruments",
                count: instruments.len(),
                max: INSTRUMENTS_MAX,
            });
        }
        let mut t = BookTable {
            books: [Quote::default(); INSTRUMENTS_MAX],
            has_book: [false; INSTRUMENTS_MAX],
            known: [false; INSTRUMENTS_MAX],
            last_seq: [0; INSTRUMENTS_MAX],
            gapped: [false; INSTRUMENTS_MAX],
            venue_of: [VenueId(0); INSTRUMENTS_MAX],
            reported: [STATE_UNREPORTED; INSTRUMENTS_MAX],
            ok_lo: [i64::MAX; INSTRUMENTS_MAX],
            ok_hi: [i64::MIN; INSTRUMENTS_MAX],
            age_ns_max: [0; VENUES_MAX],
            calendars: Vec::with_capacity(venues.len()),
            ignored: 0,
        };
        for (i, v) in venues.iter().enumerate() {
            t.age_ns_max[i] = v.quote_age_ms_max.saturating_mul(NS_PER_MS);
            t.calendars.push(Calendar::new(v)?);
        }
        for (i, ins) in instruments.iter().enumerate() {
            if ins.venue.idx() >= venues.len() {
                return Err(BookError::UnknownVenue {
                    index: i,
                    venue: ins.venue.0,
                    venues: venues.len(),
                });
            }
            t.known[ins.id.idx()] = true;
            t.venue_of[ins.id.idx()] = ins.venue;
        }
        Ok(t)
    }

    /// Applies a quote (or trade record) and re-evaluates its instrument at `q.ts_recv`.
    /// Returns the usability change it caused, if any. Quotes of unknown instruments are counted
    /// in [`Self::ignored`] and dropped.
    pub fn on_quote(&mut self, q: &Quote) -> Option<BookChange> {
        let i = q.instrument.idx();
        if i >= INSTRUMENTS_MAX || !self.known[i] {
            self.ignored += 1;
            return None;
        }
        if !self.accept_seq(i, q) {
            return None;
        }
        if !q.is_trade() {
            self.books[i] = *q;
            self.has_book[i] = true;
        }
        // `refresh` at `ts_recv` (known instrument), without the cached interval: the book or
        // its gap state may have changed. A usable book sets a new interval; else it is void.
        let reason = self.evaluate_full(i, q.ts_recv).err();
        if reason.is_some() {
            self.ok_lo[i] = i64::MAX;
            self.ok_hi[i] = i64::MIN;
        }
        self.report(q.instrument, reason, q.ts_recv)
    }

    /// Sequence bookkeeping (see module doc); false when the quote is a duplicate to drop.
    fn accept_seq(&mut self, i: usize, q: &Quote) -> bool {
        if q.seq == 0 {
            return true;
        }
        let last = self.last_seq[i];
        if q.flags & QuoteFlags::SNAPSHOT != 0 || last == 0 {
            self.gapped[i] = false;
        } else if q.seq == last {
            return false;
        } else {
            self.gapped[i] = q.seq != last.wrapping_add(1);
        }
        self.last_seq[i] = q.seq;
        true
    }

    /// The latest book of `id` whatever its state (FX mids, reports).
    #[inline]
    pub fn latest(&self, id: InstrumentId) -> Option<&Quote> {
        let i = id.idx();
        (i < INSTRUMENTS_MAX && self.has_book[i]).then(|| &self.books[i])
    }

    /// True when a sequence gap is pending on `id`.
    pub fn is_gapped(&self, id: InstrumentId) -> bool {
        id.idx() < INSTRUMENTS_MAX && self.gapped[id.idx()]
    }

    /// True when `venue` is in session at `now`.
    #[inline]
    pub fn is_open(&mut self, venue: VenueId, now: TsNs) -> bool {
        self.calendars
            .get_mut(venue.idx())
            .is_some_and(|c| c.is_open(now))
    }

    /// The venue's calendar (trading days for budgets and breaker resets).
    pub fn calendar(&self, venue: VenueId) -> Option<&Calendar> {
        self.calendars.get(venue.idx())
    }

    /// The venue an instrument trades on.
    pub fn venue_of(&self, id: InstrumentId) -> VenueId {
        self.venue_of[id.idx()]
    }

    /// Quotes dropped because their instrument is not configured.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BaseQty, GatewayKind, Session, Unit};
    use crate::domain::{Px, Qty};

    fn table() -> BookTable {
        table_with_session(0, 0)
    }

    /// One venue trading every day from `open_s` to `close_s` (UTC), age limit 500 ms.
    fn table_with_session(open_s: u32, close_s: u32) -> BookTable {
        let v = Venue {
            id: VenueId(0),
            name: "X".into(),
            time_zone: chrono_tz::Tz::UTC,
            sessions: vec![Session {
                open_s,
                close_s,
                days: 0x7f,
                night: false,
            }],
            holidays: vec![],
            quote_age_ms_max: 500,
            gateway: GatewayKind::Sim,
        };
        let i = Instrument {
            id: InstrumentId(0),
            symbol: "x".into(),
            venue: VenueId(0),
            tick_size: 1.0,
            tick_decimals: 0,
            lot_size: 1.0,
            lot_unit: Unit::Tonne,
            lot_base: BaseQty(Unit::Tonne.base_quanta()),
            currency: "CNY".into(),
            price_unit: Unit::Tonne,
        };
        BookTable::new(&[v], &[i]).unwrap()
    }

    fn q(ms: i64, seq: u64, bid: i64) -> Quote {
        Quote {
            ts_exchange: TsNs(ms * NS_PER_MS),
            ts_recv: TsNs(ms * NS_PER_MS),
            seq,
            bid_px: Px(bid),
            ask_px: Px(bid + 1),
            bid_qty: Qty(1),
            ask_qty: Qty(1),
            venue: VenueId(0),
            instrument: InstrumentId(0),
            flags: 0,
        }
    }

    const I: InstrumentId = InstrumentId(0);

    #[test]
    fn a_duplicate_sequence_number_is_dropped_without_a_gap() {
        let mut b = table();
        b.on_quote(&q(0, 7, 100));
        assert_eq!(b.on_quote(&q(1, 7, 999)), None);
        assert_eq!(b.latest(I).unwrap().bid_px, Px(100));
        assert!(!b.is_gapped(I));
    }

    #[test]
    fn a_sequence_reset_is_a_gap_that_the_next_contiguous_quote_clears() {
        let mut b = table();
        b.on_quote(&q(0, 50, 100));
        let c = b.on_quote(&q(1, 1, 101)).unwrap();
        assert_eq!(c.reason, Some(Unusable::SeqGap));
        assert_eq!(
            b.latest(I).unwrap().bid_px,
            Px(101),
            "applied: newest information"
        );
        assert_eq!(b.on_quote(&q(2, 2, 102)).unwrap().reason, None);
    }

    #[test]
    fn ageing_and_emptying_are_reported_once_each() {
        let mut b = table();
        assert_eq!(
            b.refresh(I, TsNs(0)).unwrap().reason,
            Some(Unusable::NoQuote)
        );
        assert_eq!(b.on_quote(&q(0, 0, 100)).unwrap().reason, None);
        assert_eq!(
            b.refresh(I, TsNs(500 * NS_PER_MS)),
            None,
            "500 ms is still fresh"
        );
        let stale = b.refresh(I, TsNs(501 * NS_PER_MS)).unwrap();
        assert_eq!((stale.reason, stale.code()), (Some(Unusable::Stale), 6));
        assert_eq!(b.refresh(I, TsNs(900 * NS_PER_MS)), None);
        let mut empty = q(1_000, 0, 100);
        empty.ask_qty = Qty(0);
        assert_eq!(b.on_quote(&empty).unwrap().reason, Some(Unusable::OneSided));
        assert_eq!(
            b.usable(I, TsNs(1_000 * NS_PER_MS)),
            Err(Unusable::OneSided)
        );
    }

    #[test]
    fn a_book_found_usable_still_closes_with_its_session_and_reopens_on_the_next_quote() {
        // Session 00:00–00:01 UTC daily; the quote is 59.9 s into it.
        let mut b = table_with_session(0, 60);
        assert_eq!(b.on_quote(&q(59_900, 0, 100)).unwrap().reason, None);
        assert!(b.usable(I, TsNs(59_999 * NS_PER_MS)).is_ok());
        assert_eq!(
            b.usable(I, TsNs(60_000 * NS_PER_MS)),
            Err(Unusable::SessionClosed),
            "the usable interval ends at the close"
        );
        assert!(b.usable(I, TsNs(59_950 * NS_PER_MS)).is_ok());
        let day_ms = 86_400_000;
        let mut next = q(day_ms + 10, 0, 100);
        next.ask_qty = Qty(0);
        assert_eq!(b.on_quote(&next).unwrap().reason, Some(Unusable::OneSided));
        assert_eq!(
            b.usable(I, TsNs((day_ms + 10) * NS_PER_MS)),
            Err(Unusable::OneSided),
            "a new quote voids the cached interval"
        );
    }

    #[test]
    fn quotes_of_unknown_instruments_are_counted_and_dropped() {
        let mut b = table();
        let mut x = q(0, 0, 1);
        x.instrument = InstrumentId(5);
        assert_eq!(b.on_quote(&x), None);
        x.instrument = InstrumentId(u16::MAX);
        assert_eq!(b.on_quote(&x), None);
        assert_eq!(b.ignored(), 2);
    }
}
