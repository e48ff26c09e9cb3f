//! Building blocks of the simulated exchange ([`super::exchange`]): its queue limits and errors,
//! the per-venue state (latencies, fault settings, RNG streams, in-flight queue) and the
//! top-of-book view that fills consume. Plain data and small pure functions; same thread as the
//! exchange.

use std::collections::VecDeque;

use crate::config::{Latency, SimVenue, Window};
use crate::domain::{InstrumentId, Px, Qty, Side, TsNs, NS_PER_MS};
use crate::exec::msg::{OrderId, OrderRequest, RejectReason};

use super::rng::{Purpose, Rng};

/// Queue bounds of a [`super::SimExchange`], fixed at construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimLimits {
    /// Resting (open limit) orders across all venues.
    pub resting_max: usize,
    /// Orders sent but not yet arrived, per venue.
    pub in_flight_max: usize,
    /// Reports generated but not yet delivered.
    pub reports_max: usize,
}

impl SimLimits {
    /// Generous for a two-leg engine (a ticket has a handful of live orders).
    pub const DEFAULT: SimLimits = SimLimits {
        resting_max: 256,
        in_flight_max: 256,
        reports_max: 4096,
    };
}

/// Why the simulated exchange could not be built or could not go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// `replay.sim` is not one entry per venue in venue order.
    #[error("replay.sim[{index}].venue: expected venue {index} (one entry per venue, in venue order), found {found}")]
    VenueOrder {
        /// Position in `replay.sim`.
        index: usize,
        /// Venue id found there.
        found: u16,
    },
    /// An instrument trades on a venue with no `replay.sim` entry.
    #[error("instruments[{instrument}].venue: venue {venue} has no replay.sim entry")]
    NoSimVenue {
        /// Instrument id.
        instrument: u16,
        /// Its venue.
        venue: u16,
    },
    /// A quote or order names an instrument the exchange was not built with.
    #[error("simulated exchange: instrument {0} is not in the config")]
    UnknownInstrument(u16),
    /// A preallocated queue is full.
    #[error("simulated exchange: {what} queue full (capacity {capacity}); raise SimLimits")]
    Full {
        /// Which queue.
        what: &'static str,
        /// Its bound.
        capacity: usize,
    },
}

/// The fate of a request, drawn at submit.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Verdict {
    Accept,
    Refuse(RejectReason),
}

/// An order or cancel on its way to the venue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arrival {
    pub(crate) at: TsNs,
    pub(crate) req: OrderRequest,
    pub(crate) verdict: Verdict,
    pub(crate) lost: bool,
}

/// An open limit order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resting {
    pub(crate) order: OrderId,
    pub(crate) instrument: InstrumentId,
    pub(crate) side: Side,
    pub(crate) px: Px,
    pub(crate) leaves: Qty,
    pub(crate) lost: bool,
    /// Delivery time of its latest report (reports of one order stay in order).
    pub(crate) last_delivery: TsNs,
}

/// The exchange's view of one instrument's top of book, minus what fills have taken.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Book {
    pub(crate) bid_px: Px,
    pub(crate) ask_px: Px,
    pub(crate) bid_avail: Qty,
    pub(crate) ask_avail: Qty,
}

/// One simulated venue.
#[derive(Debug)]
pub(crate) struct VenueSim {
    pub(crate) feed_latency: Latency,
    pub(crate) order_latency: Latency,
    pub(crate) reject_prob: f64,
    pub(crate) ack_loss_prob: f64,
    pub(crate) ack_loss_delay_ns: i64,
    pub(crate) disconnects: Vec<Window>,
    pub(crate) feed_rng: Rng,
    pub(crate) order_rng: Rng,
    pub(crate) report_rng: Rng,
    pub(crate) reject_rng: Rng,
    pub(crate) ack_loss_rng: Rng,
    pub(crate) in_flight: VecDeque<Arrival>,
    pub(crate) last_arrival: TsNs,
    /// Delivery time of the venue's latest report that was not lost (the session is FIFO).
    pub(crate) last_delivery: TsNs,
}

impl VenueSim {
    /// A venue's state with its own RNG streams (keyed by venue id) and an in-flight queue of
    /// `in_flight_max`.
    pub(crate) fn new(s: &SimVenue, seed: u64, in_flight_max: usize) -> VenueSim {
        let v = u64::from(s.venue.0);
        VenueSim {
            feed_latency: s.feed_latency,
            order_latency: s.order_latency,
            reject_prob: s.reject_prob,
            ack_loss_prob: s.ack_loss_prob,
            ack_loss_delay_ns: s.ack_loss_delay_ms * NS_PER_MS,
            disconnects: s.disconnects.clone(),
            feed_rng: Rng::stream(seed, Purpose::FeedLatency, v),
            order_rng: Rng::stream(seed, Purpose::OrderLatency, v),
            report_rng: Rng::stream(seed, Purpose::ReportLatency, v),
            reject_rng: Rng::stream(seed, Purpose::Reject, v),
            ack_loss_rng: Rng::stream(seed, Purpose::AckLoss, v),
            in_flight: VecDeque::with_capacity(in_flight_max),
            last_arrival: TsNs(i64::MIN),
            last_delivery: TsNs(i64::MIN),
        }
    }

    pub(crate) fn disconnected_at(&self, t: TsNs) -> bool {
        self.disconnects
            .iter()
            .any(|w| w.start_ns <= t.0 && t.0 < w.end_ns)
    }

    /// Moves `t` to the end of any disconnect window containing it (windows may chain).
    pub(crate) fn held_until(&self, mut t: TsNs) -> TsNs {
        for _ in 0..=self.disconnects.len() {
            match self
                .disconnects
                .iter()
                .find(|w| w.start_ns <= t.0 && t.0 < w.end_ns)
            {
                Some(w) => t = TsNs(w.end_ns),
                None => break,
            }
        }
        t
    }
}

/// Takes what an order at `px` can trade against the displayed opposite side, consuming it.
pub(crate) fn take_from_book(book: &mut Book, side: Side, px: Px, want: Qty) -> Qty {
    let (avail, crosses) = match side {
        Side::Buy => (&mut book.ask_avail, px >= book.ask_px),
        Side::Sell => (&mut book.bid_avail, px <= book.bid_px),
    };
    if !crosses || *avail <= Qty::ZERO || want <= Qty::ZERO {
        return Qty::ZERO;
    }
    let take = want.min(*avail);
    *avail -= take;
    take
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venue_with(disconnects: Vec<Window>) -> VenueSim {
        let s = SimVenue {
            disconnects,
            ..SimVenue::perfect(crate::domain::VenueId(0))
        };
        VenueSim::new(&s, 1, 4)
    }

    #[test]
    fn a_time_inside_chained_disconnect_windows_is_held_to_the_last_end() {
        let w = |a, b| Window {
            start_ns: a,
            end_ns: b,
        };
        let v = venue_with(vec![w(20, 30), w(10, 20), w(40, 50)]);
        assert_eq!(v.held_until(TsNs(15)), TsNs(30));
        assert_eq!(v.held_until(TsNs(30)), TsNs(30), "end is exclusive");
        assert_eq!(v.held_until(TsNs(5)), TsNs(5));
        assert!(v.disconnected_at(TsNs(10)) && !v.disconnected_at(TsNs(35)));
    }

    #[test]
    fn fills_take_displayed_size_only_when_the_price_crosses() {
        let mut b = Book {
            bid_px: Px(100),
            ask_px: Px(101),
            bid_avail: Qty(5),
            ask_avail: Qty(3),
        };
        assert_eq!(
            take_from_book(&mut b, Side::Buy, Px(100), Qty(2)),
            Qty::ZERO
        );
        assert_eq!(take_from_book(&mut b, Side::Buy, Px(101), Qty(2)), Qty(2));
        assert_eq!(take_from_book(&mut b, Side::Buy, Px(105), Qty(2)), Qty(1));
        assert_eq!(
            take_from_book(&mut b, Side::Buy, Px(105), Qty(2)),
            Qty::ZERO
        );
        assert_eq!(
            take_from_book(&mut b, Side::Sell, Px(101), Qty(9)),
            Qty::ZERO
        );
        assert_eq!(take_from_book(&mut b, Side::Sell, Px(99), Qty(9)), Qty(5));
    }
}
