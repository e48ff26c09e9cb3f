//! The simulated exchange's matching side: orders arriving in time order, matched against the
//! book as of their arrival, resting limit orders filled by later quotes (see the parent
//! module for the time model). The parent keeps the public entry points, submission and
//! report scheduling.

use super::{SimError, SimExchange};
use crate::domain::{InstrumentId, Px, Qty, Quote, Side, TsNs, VenueId};
use crate::exec::msg::{RejectReason, ReportKind, RequestKind, Tif};
use crate::sim::parts::{take_from_book, Arrival, Book, Resting, Verdict};

impl SimExchange {
    /// [`Self::on_market`] for a trade record or with requests in flight or orders resting.
    pub(super) fn on_market_matching(&mut self, q: &Quote) -> Result<(), SimError> {
        let i = q.instrument.idx();
        if i >= self.books.len() {
            return Err(SimError::UnknownInstrument(q.instrument.0));
        }
        self.advance(q.ts_exchange)?;
        let t = self.now.max(q.ts_exchange);
        self.now = t;
        if q.is_trade() {
            return Ok(());
        }
        self.books[i] = Book {
            bid_px: q.bid_px,
            ask_px: q.ask_px,
            bid_avail: q.bid_qty.max(Qty::ZERO),
            ask_avail: q.ask_qty.max(Qty::ZERO),
        };
        let mut k = 0;
        while k < self.resting.len() {
            let r = self.resting[k];
            if r.instrument != q.instrument {
                k += 1;
                continue;
            }
            let take = take_from_book(&mut self.books[i], r.side, r.px, r.leaves);
            if take == Qty::ZERO {
                k += 1;
                continue;
            }
            // The resting order is the maker: it trades at its own limit.
            let fill = ReportKind::Fill {
                px: r.px,
                qty: take,
            };
            let venue = self.venue_of[i];
            let d = self.schedule(
                venue,
                r.order,
                r.instrument,
                fill,
                t,
                r.lost,
                r.last_delivery,
            )?;
            let r = &mut self.resting[k];
            r.leaves -= take;
            r.last_delivery = d;
            if r.leaves == Qty::ZERO {
                self.resting.remove(k);
            } else {
                k += 1;
            }
        }
        Ok(())
    }

    /// Processes every arrival at or before `t`, earliest first (ties: lower venue id).
    #[inline]
    pub(super) fn advance(&mut self, t: TsNs) -> Result<(), SimError> {
        if self.in_flight_total == 0 {
            return Ok(());
        }
        self.advance_arrivals(t)
    }

    fn advance_arrivals(&mut self, t: TsNs) -> Result<(), SimError> {
        while self.in_flight_total > 0 {
            let mut next: Option<(TsNs, usize)> = None;
            for (i, v) in self.venues.iter().enumerate() {
                if let Some(a) = v.in_flight.front() {
                    if a.at <= t && next.is_none_or(|(at, _)| a.at < at) {
                        next = Some((a.at, i));
                    }
                }
            }
            let Some((_, i)) = next else {
                return Ok(());
            };
            let Some(a) = self.venues[i].in_flight.pop_front() else {
                return Ok(());
            };
            self.in_flight_total -= 1;
            self.now = self.now.max(a.at);
            self.arrive(VenueId(i as u16), a)?;
        }
        Ok(())
    }

    /// One request reaches the venue.
    fn arrive(&mut self, venue: VenueId, a: Arrival) -> Result<(), SimError> {
        let (order, ins, t) = (a.req.order, a.req.instrument, a.at);
        let never = TsNs(i64::MIN);
        match (a.req.kind, a.verdict) {
            (RequestKind::New { .. }, Verdict::Refuse(why)) => {
                self.schedule(
                    venue,
                    order,
                    ins,
                    ReportKind::Rejected(why),
                    t,
                    a.lost,
                    never,
                )?;
            }
            (RequestKind::Cancel, Verdict::Refuse(why)) => {
                let kind = ReportKind::CancelRejected(why);
                self.schedule(venue, order, ins, kind, t, false, never)?;
            }
            (RequestKind::New { side, px, qty, tif }, Verdict::Accept) => {
                let mut last =
                    self.schedule(venue, order, ins, ReportKind::Ack, t, a.lost, never)?;
                let take = take_from_book(&mut self.books[ins.idx()], side, px, qty);
                if take > Qty::ZERO {
                    let fill = ReportKind::Fill {
                        px: self.take_px(ins, side),
                        qty: take,
                    };
                    last = self.schedule(venue, order, ins, fill, t, a.lost, last)?;
                }
                let leaves = qty - take;
                if leaves > Qty::ZERO {
                    match tif {
                        Tif::Ioc => {
                            let done = ReportKind::Done { leaves };
                            self.schedule(venue, order, ins, done, t, a.lost, last)?;
                        }
                        Tif::Limit => self.rest(Resting {
                            order,
                            instrument: ins,
                            side,
                            px,
                            leaves,
                            lost: a.lost,
                            last_delivery: last,
                        })?,
                    }
                }
            }
            (RequestKind::Cancel, Verdict::Accept) => {
                match self.resting.iter().position(|r| r.order == order) {
                    Some(k) => {
                        let r = self.resting.remove(k);
                        let done = ReportKind::Done { leaves: r.leaves };
                        self.schedule(venue, order, ins, done, t, r.lost, r.last_delivery)?;
                    }
                    None => {
                        let kind = ReportKind::CancelRejected(RejectReason::CancelRefused);
                        self.schedule(venue, order, ins, kind, t, false, never)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The price an aggressive order just traded at: the opposite side of the book.
    fn take_px(&self, ins: InstrumentId, side: Side) -> Px {
        let b = &self.books[ins.idx()];
        match side {
            Side::Buy => b.ask_px,
            Side::Sell => b.bid_px,
        }
    }

    fn rest(&mut self, r: Resting) -> Result<(), SimError> {
        if self.resting.len() >= self.limits.resting_max {
            return Err(SimError::Full {
                what: "resting order",
                capacity: self.limits.resting_max,
            });
        }
        self.resting.push(r);
        Ok(())
    }
}
