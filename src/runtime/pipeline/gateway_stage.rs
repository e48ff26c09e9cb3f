//! The gateway stage: one [`FixDriver`] per FIX venue. Pops orders from its ring, hands them to
//! the session, writes the bytes, steps the socket and pushes execution reports to the engine.
//! An order that cannot be sent (not logged on, unknown instrument, outbound full) comes back
//! as `Rejected(Disconnected)` / `Rejected(Venue)` at once: the executor never waits on an order
//! that did not leave. Runs on the `[threads].gateway` thread.
//!
//! Report ring full → the report waits in the session's order (the stage stops stepping the
//! socket until the engine made room), never dropped.
//!
//! While no order comes, the stage has each session re-encode its last order every
//! [`WARM_EVERY_NS`] and discard it (`Session::warm`: nothing sent, numbered or stored), so the
//! next order is encoded from cache rather than after the idle spin evicted the encoder: in
//! `tick_to_order` (an order every ≥ 520 µs) decision → wire p50 went from ~930 to ~750 ns
//! with it (Intel Xeon VM, 2026-12-04).
//!
//! The connection is a [`VenueLink`]: the mio [`FixDriver`] live, or the in-process
//! [`super::loopback::LoopbackLink`] (same FIX session, no socket) in benches and tests.

use std::collections::VecDeque;
use std::time::Duration;

use super::engine_stage::OrderMsg;
use super::WARM_EVERY_NS;
use crate::clock::{Clock, LiveClock};
use crate::domain::TsNs;
use crate::exec::msg::{ExecReport, OrderId, OrderRequest, RejectReason, ReportKind};
use crate::gateway::fix::driver::FixDriver;
use crate::gateway::fix::{SendError, State};
use crate::runtime::metrics::{Recorder, Span};
use crate::runtime::Stage;

/// Orders remembered for ack/fill latency (by order id modulo this).
const STAMP_SLOTS: usize = 1024;
/// Reports held while the report ring is full (preallocated).
const PENDING: usize = 1024;

/// A venue connection as the gateway stage uses it (the [`FixDriver`] API).
pub trait VenueLink: Send {
    /// The FIX session's state.
    fn state(&self) -> State;
    /// Hands an order to the session (encoded into its outbound buffer).
    fn send(&mut self, req: &OrderRequest, now: TsNs) -> Result<(), SendError>;
    /// Writes pending outbound bytes; true when everything was written.
    fn flush(&mut self) -> bool;
    /// One non-blocking step; execution reports go to `reports`. Returns the work done.
    fn step(&mut self, now: TsNs, reports: &mut impl FnMut(ExecReport)) -> usize;
    /// Graceful stop (cold).
    fn stop(&mut self, now: &mut dyn FnMut() -> TsNs, timeout: Duration);
    /// Rehearses the order path without sending anything (`Session::warm`); called while
    /// idle. A link with nothing to keep warm does nothing.
    fn warm(&mut self, _now: TsNs) {}
}

impl VenueLink for FixDriver {
    fn state(&self) -> State {
        FixDriver::state(self)
    }
    fn send(&mut self, req: &OrderRequest, now: TsNs) -> Result<(), SendError> {
        FixDriver::send(self, req, now)
    }
    fn flush(&mut self) -> bool {
        FixDriver::flush(self)
    }
    fn step(&mut self, now: TsNs, reports: &mut impl FnMut(ExecReport)) -> usize {
        FixDriver::step(self, now, reports)
    }
    fn stop(&mut self, now: &mut dyn FnMut() -> TsNs, timeout: Duration) {
        FixDriver::stop(self, now, timeout);
    }
    fn warm(&mut self, now: TsNs) {
        FixDriver::warm(self, now);
    }
}

/// One venue's driver and its order ring.
#[derive(Debug)]
pub struct Venue<L = FixDriver> {
    /// The FIX connection.
    pub driver: L,
    /// Orders for it.
    pub orders: rtrb::Consumer<OrderMsg>,
}

/// The gateway stage (see the module doc).
pub struct GatewayStage<L = FixDriver> {
    venues: Vec<Venue<L>>,
    reports: rtrb::Producer<ExecReport>,
    pending: VecDeque<ExecReport>,
    /// Reports of the current driver step (preallocated; a step yields at most one read's).
    inbox: VecDeque<ExecReport>,
    clock: LiveClock,
    metrics: Recorder,
    /// (order, raw written, acked, filled) per slot.
    stamps: Vec<(OrderId, u64, bool, bool)>,
    /// When the sessions were last warmed (`WARM_EVERY_NS`).
    warmed_at: TsNs,
}

impl<L> std::fmt::Debug for GatewayStage<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayStage")
            .field("venues", &self.venues.len())
            .finish_non_exhaustive()
    }
}

impl<L: VenueLink> GatewayStage<L> {
    /// Builds the stage. Cold.
    pub fn new(
        venues: Vec<Venue<L>>,
        reports: rtrb::Producer<ExecReport>,
        clock: LiveClock,
        metrics: Recorder,
    ) -> GatewayStage<L> {
        GatewayStage {
            venues,
            reports,
            pending: VecDeque::with_capacity(PENDING),
            inbox: VecDeque::with_capacity(PENDING),
            clock,
            metrics,
            stamps: vec![(OrderId(u32::MAX), 0, true, true); STAMP_SLOTS],
            warmed_at: TsNs::ZERO,
        }
    }

    /// True when every session is logged on.
    pub fn all_logged_on(&self) -> bool {
        self.venues
            .iter()
            .all(|v| v.driver.state() == State::Active)
    }

    fn report(&mut self, r: ExecReport) {
        let raw = self.clock.raw();
        let slot = &mut self.stamps[r.order.0 as usize % STAMP_SLOTS];
        if slot.0 == r.order {
            match r.kind {
                ReportKind::Ack if !slot.2 => {
                    slot.2 = true;
                    self.metrics.record(Span::WireToAck, slot.1, raw);
                }
                ReportKind::Fill { .. } if !slot.3 => {
                    slot.3 = true;
                    self.metrics.record(Span::WireToFill, slot.1, raw);
                }
                _ => {}
            }
        }
        if !self.pending.is_empty() || self.reports.push(r).is_err() {
            self.pending.push_back(r);
        }
    }

    /// Idle at `now`: warms every session once [`WARM_EVERY_NS`] has passed since the last time.
    fn warm(&mut self, now: TsNs) {
        if now.since(self.warmed_at) >= WARM_EVERY_NS {
            self.warmed_at = now;
            for v in &mut self.venues {
                v.driver.warm(now);
            }
        }
    }

    /// Sends what every venue's order ring holds.
    fn send_all_orders(&mut self) -> usize {
        (0..self.venues.len()).map(|v| self.send_orders(v)).sum()
    }

    fn send_orders(&mut self, v: usize) -> usize {
        let mut n = 0;
        while self.pending.len() < PENDING - 2 {
            let Ok(m) = self.venues[v].orders.pop() else {
                break;
            };
            n += 1;
            let raw_taken = self.clock.raw();
            let now = self.clock.to_utc(raw_taken);
            let venue = &mut self.venues[v];
            match venue.driver.send(&m.req, now) {
                Ok(()) => {
                    venue.driver.flush();
                    let raw = self.clock.raw();
                    self.metrics
                        .record(Span::DecisionToWire, m.raw_decided, raw);
                    if m.raw_quote != 0 {
                        self.metrics.record(Span::QuoteToWire, m.raw_quote, raw);
                    }
                    self.metrics
                        .record(Span::OrderHop, m.raw_decided, raw_taken);
                    self.metrics.record(Span::GatewaySend, raw_taken, raw);
                    self.stamps[m.req.order.0 as usize % STAMP_SLOTS] =
                        (m.req.order, raw, false, false);
                }
                Err(e) => {
                    let why = match e {
                        SendError::NotLoggedOn | SendError::OutboundFull => {
                            RejectReason::Disconnected
                        }
                        _ => RejectReason::Venue,
                    };
                    let kind = match m.req.kind {
                        crate::exec::msg::RequestKind::Cancel => ReportKind::CancelRejected(why),
                        _ => ReportKind::Rejected(why),
                    };
                    self.report(ExecReport {
                        order: m.req.order,
                        instrument: m.req.instrument,
                        kind,
                        ts_exchange: now,
                        ts_recv: now,
                    });
                }
            }
        }
        n
    }
}

impl<L: VenueLink> Stage for GatewayStage<L> {
    fn name(&self) -> &'static str {
        "gateway"
    }

    fn do_work(&mut self) -> usize {
        let mut n = 0;
        while let Some(r) = self.pending.front() {
            if self.reports.push(*r).is_err() {
                return n;
            }
            self.pending.pop_front();
            n += 1;
        }
        // Every venue's orders go out before any socket is stepped: a ticket's two legs go to
        // two venues, and stepping the first venue's connection (reading and decoding its
        // reports) before popping the second leg's order delayed that order by the whole step
        // (with the loopback venue answering ack + fill: ~2 µs in `tick_to_order`). For the
        // same reason the rings are polled again after each venue's step (live, a socket read
        // each): an order waits behind one step at most, not behind every venue's.
        n += self.send_all_orders();
        // The first venue's step reads the clock for the warm check too; each later step reads
        // it again (a socket read takes microseconds, and reports carry their receive time).
        let mut now = self.clock.now();
        if n == 0 {
            self.warm(now);
        }
        for v in 0..self.venues.len() {
            if v > 0 {
                now = self.clock.now();
            }
            let inbox = &mut self.inbox;
            n += self.venues[v].driver.step(now, &mut |r| inbox.push_back(r));
            while let Some(r) = self.inbox.pop_front() {
                self.report(r);
            }
            n += self.send_all_orders();
        }
        n
    }

    fn finish(&mut self) {
        let clock = self.clock.clone();
        for v in &mut self.venues {
            v.driver
                .stop(&mut || clock.now(), Duration::from_millis(500));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::domain::{InstrumentId, Px, Qty, Side};
    use crate::exec::msg::{RequestKind, Tif};

    /// A venue that logs what the stage asks of it.
    struct Logged {
        venue: usize,
        log: Arc<Mutex<Vec<(&'static str, usize)>>>,
        /// An order this venue's first step puts in another venue's ring (it arrives meanwhile).
        during_step: Option<(rtrb::Producer<OrderMsg>, OrderMsg)>,
    }

    impl VenueLink for Logged {
        fn state(&self) -> State {
            State::Active
        }
        fn send(&mut self, _req: &OrderRequest, _now: TsNs) -> Result<(), SendError> {
            self.log.lock().unwrap().push(("send", self.venue));
            Ok(())
        }
        fn flush(&mut self) -> bool {
            true
        }
        fn step(&mut self, _now: TsNs, _reports: &mut impl FnMut(ExecReport)) -> usize {
            self.log.lock().unwrap().push(("step", self.venue));
            if let Some((mut ring, m)) = self.during_step.take() {
                ring.push(m).unwrap();
            }
            0
        }
        fn stop(&mut self, _now: &mut dyn FnMut() -> TsNs, _timeout: Duration) {}
    }

    fn order(v: u32) -> OrderMsg {
        let req = OrderRequest {
            order: OrderId(v + 1),
            instrument: InstrumentId(v as u16),
            kind: RequestKind::New {
                side: Side::Buy,
                px: Px(100),
                qty: Qty(1),
                tif: Tif::Ioc,
            },
            ts: TsNs(0),
        };
        OrderMsg {
            req,
            raw_quote: 0,
            raw_decided: 0,
        }
    }

    type Log = Arc<Mutex<Vec<(&'static str, usize)>>>;

    /// Two logged venues, each with its order ring; `queued[v]` orders already in venue v's.
    fn two_venues(
        queued: [bool; 2],
        log: &Log,
    ) -> (Vec<Venue<Logged>>, Vec<rtrb::Producer<OrderMsg>>) {
        let (mut venues, mut producers) = (Vec::new(), Vec::new());
        for (v, queued) in queued.into_iter().enumerate() {
            let (mut p, c) = rtrb::RingBuffer::new(4);
            if queued {
                p.push(order(v as u32)).unwrap();
            }
            let driver = Logged {
                venue: v,
                log: log.clone(),
                during_step: None,
            };
            venues.push(Venue { driver, orders: c });
            producers.push(p);
        }
        (venues, producers)
    }

    fn stage(venues: Vec<Venue<Logged>>) -> GatewayStage<Logged> {
        let (reports, _r) = rtrb::RingBuffer::new(16);
        let (metrics, _m) = rtrb::RingBuffer::new(16);
        GatewayStage::new(venues, reports, LiveClock::new(), Recorder::new(metrics))
    }

    #[test]
    fn every_venues_orders_are_sent_before_any_venue_connection_is_stepped() {
        let log = Log::default();
        let (venues, _producers) = two_venues([true, true], &log);
        stage(venues).do_work();
        assert_eq!(
            *log.lock().unwrap(),
            vec![("send", 0), ("send", 1), ("step", 0), ("step", 1)],
            "the second leg's order waited for the first venue's socket step"
        );
    }

    #[test]
    fn an_order_arriving_during_a_venues_step_is_sent_before_the_next_venue_is_stepped() {
        let log = Log::default();
        let (mut venues, mut producers) = two_venues([false, false], &log);
        venues[0].driver.during_step = Some((producers.remove(1), order(1)));
        stage(venues).do_work();
        assert_eq!(
            *log.lock().unwrap(),
            vec![("step", 0), ("send", 1), ("step", 1)],
            "the order waited behind the other venue's socket step"
        );
    }
}
