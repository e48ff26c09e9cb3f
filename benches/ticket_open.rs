//! The two pieces of tick-to-order that do work, single-threaded, with no ring hop between
//! them (issue 6: the threaded `tick_to_order` bench showed ~2.9 µs inside the ticket-opening
//! `Engine::on_quote` and ~2.3 µs of gateway stage beyond the hop, ~10× what the work costs):
//!
//! * `open_on_quote`: `Engine::on_quote` for a domestic quote that opens a ticket (2 IOC
//!   orders), its orders and receipts pushed into `rtrb` rings as the engine stage's sinks do
//!   (`OrderMsg` with the quote's and the decision's raw stamps; `Event`); `open_to_first_send`
//!   is the part up to the first `OrderSink::send` (the engine's share of `quote_to_decision`).
//!   Between samples, untimed: the rings are drained and the ticket is closed with an ack and a
//!   full fill per order through `Engine::on_report`, as the loopback venue answers.
//! * `gateway_order`: the gateway stage's path for one order: pop the `OrderMsg` from its ring,
//!   `Session::send` (FIX NewOrderSingle encoded into the outbound buffer) and flush (the bytes
//!   are ready for the socket) through the same `LoopbackLink` the threaded bench uses. Between
//!   samples, untimed: the venue's answers are stepped through the session.
//!
//! Engine time is synthetic (1 ms per quote, so the order-rate gate never refuses); the
//! configuration is the threaded bench's (`config/bench-threshold.toml`).

mod support;

use std::hint::black_box;

use crossarb::clock::{Clock, LiveClock};
use crossarb::domain::{Quote, TsNs, VenueId};
use crossarb::engine::{Engine, OrderSink, ReceiptSink};
use crossarb::exec::msg::{ExecReport, OrderRequest, ReportKind, RequestKind};
use crossarb::receipt::event::Event;
use crossarb::runtime::pipeline::engine_stage::OrderMsg;
use crossarb::runtime::pipeline::gateway_stage::VenueLink;
use crossarb::runtime::pipeline::loopback::LoopbackLink;
use crossarb::runtime::pipeline::{ORDER_RING, RECEIPT_RING};
use crossarb::trigger::KillSwitch;
use hdrhistogram::Histogram;
use rtrb::{Consumer, Producer, RingBuffer};
use support::{histogram, pipeline, record, Bench};

const SAMPLES: u64 = 100_000;
/// Samples with caches emptied first (each costs a 16 MB write).
const COLD_SAMPLES: u64 = 3_000;

/// The engine stage's order sink, minus the journal and metrics: raw stamp, `OrderMsg` push.
struct RingOrders {
    ring: Producer<OrderMsg>,
    clock: quanta::Clock,
    raw_quote: u64,
    /// Raw counter at the first send of the current quote (0 = none yet).
    first: u64,
}

impl OrderSink for RingOrders {
    fn send(&mut self, req: &OrderRequest) {
        let raw = self.clock.raw();
        if self.first == 0 {
            self.first = raw;
        }
        let m = OrderMsg {
            req: *req,
            raw_quote: self.raw_quote,
            raw_decided: raw,
        };
        self.ring.push(m).expect("the bench drains the order ring");
    }
}

/// The engine stage's receipt sink, minus the spill queue: one `Event` push.
struct RingReceipts(Producer<Event>);

impl ReceiptSink for RingReceipts {
    fn emit(&mut self, e: Event) -> bool {
        self.0.push(e).is_ok()
    }
}

#[inline(never)]
fn open_once(
    engine: &mut Engine,
    q: &Quote,
    now: TsNs,
    orders: &mut RingOrders,
    receipts: &mut RingReceipts,
) {
    engine.on_quote(black_box(q), now, orders, receipts);
}

#[inline(never)]
fn gateway_once(ring: &mut Consumer<OrderMsg>, link: &mut LoopbackLink, now: TsNs) {
    let m = ring.pop().expect("an order waits");
    link.send(&m.req, now)
        .expect("the loopback session takes it");
    link.flush();
}

/// Ack + full fill of every order in `orders` through `Engine::on_report` at `now`.
fn close(
    engine: &mut Engine,
    orders: &mut Consumer<OrderMsg>,
    sink: &mut RingOrders,
    receipts: &mut RingReceipts,
    now: TsNs,
) -> usize {
    let mut n = 0;
    while let Ok(m) = orders.pop() {
        n += 1;
        let RequestKind::New { px, qty, .. } = m.req.kind else {
            continue;
        };
        for kind in [ReportKind::Ack, ReportKind::Fill { px, qty }] {
            let rep = ExecReport {
                order: m.req.order,
                instrument: m.req.instrument,
                kind,
                ts_exchange: now,
                ts_recv: now,
            };
            engine.on_report(&rep, now, sink, receipts);
        }
    }
    n
}

/// Per-step histograms of one run.
struct Run {
    whole: Histogram<u64>,
    first: Histogram<u64>,
    gateway: Histogram<u64>,
    opened: u64,
}

/// `n` ticket-opening quotes through a fresh engine and loopback venues. With `evict`, every
/// sample starts with caches emptied of the engine's and the session's data (a write over
/// `evict`, untimed), as after a preemption by a thread with a large working set.
fn run(b: &Bench, cfg: &crossarb::config::Config, n: usize, mut evict: Option<&mut [u8]>) -> Run {
    let quotes = pipeline::dislocations(cfg, n + 1);
    let mut engine = Engine::new(cfg, KillSwitch::new()).expect("engine builds");
    let (op, mut oc) = RingBuffer::new(ORDER_RING);
    let (ep, mut ec) = RingBuffer::new(RECEIPT_RING);
    let clock = b.clock().clone();
    let mut orders = RingOrders {
        ring: op,
        clock: clock.clone(),
        raw_quote: 0,
        first: 0,
    };
    let mut receipts = RingReceipts(ep);
    let t0 = LiveClock::new().now();
    let at = |i: usize| t0.plus_ms(i as i64);
    let stamp = |mut q: Quote, now: TsNs| {
        (q.ts_exchange, q.ts_recv) = (now, now);
        q
    };
    engine.on_quote(&stamp(quotes[0], at(0)), at(0), &mut orders, &mut receipts);
    let mut r = Run {
        whole: histogram(),
        first: histogram(),
        gateway: histogram(),
        opened: 0,
    };
    let mut links: Vec<LoopbackLink> = (0..cfg.venues.len())
        .map(|k| LoopbackLink::new(cfg, VenueId(k as u16), t0).expect("loopback venue"))
        .collect();
    let (mut gp, mut gc) = RingBuffer::<OrderMsg>::new(ORDER_RING);
    for (i, q) in quotes.iter().enumerate().skip(1) {
        let now = at(i);
        let q = stamp(*q, now);
        if let Some(buf) = evict.as_deref_mut() {
            for k in (0..buf.len()).step_by(64) {
                buf[k] = buf[k].wrapping_add(1);
            }
            black_box(&buf);
        }
        orders.first = 0;
        let raw = clock.raw();
        orders.raw_quote = raw;
        open_once(&mut engine, &q, now, &mut orders, &mut receipts);
        let end = clock.raw();
        if orders.first != 0 {
            r.opened += 1;
            record(&mut r.whole, b.ns(raw, end));
            record(&mut r.first, b.ns(raw, orders.first));
        }
        while ec.pop().is_ok() {}
        // (b) on the first order of this quote, then the engine's bookkeeping.
        if let Ok(m) = oc.peek().copied() {
            let v = cfg.instruments[m.req.instrument.idx()].venue;
            gp.push(m).expect("gateway ring has room");
            let link = &mut links[v.idx()];
            if let Some(buf) = evict.as_deref_mut() {
                for k in (0..buf.len()).step_by(64) {
                    buf[k] = buf[k].wrapping_add(1);
                }
                black_box(&buf);
            }
            let g0 = clock.raw();
            gateway_once(&mut gc, link, now);
            record(&mut r.gateway, b.ns(g0, clock.raw()));
            link.step(now, &mut |_| {});
        }
        close(&mut engine, &mut oc, &mut orders, &mut receipts, now);
        while ec.pop().is_ok() {}
    }
    r
}

fn main() {
    let b = Bench::start(
        "ticket_open",
        "Single-threaded pieces of tick-to-order, no ring hop: (a) `Engine::on_quote` for a \
         quote that opens a ticket (2 IOC orders) with `rtrb` ring sinks, the ticket closed \
         untimed between samples by an ack and a fill per order through `Engine::on_report`; \
         `open_to_first_send` = the part before the first `OrderSink::send`. (b) the gateway \
         stage's path for one order: ring pop → FIX session send (NewOrderSingle encode) → \
         flush, through the loopback venue of the threaded bench. Config \
         `config/bench-threshold.toml`; synthetic engine time 1 ms per quote. `_cold` rows: \
         the same with a 16 MB write (untimed) before each timed piece, so that it runs from \
         cold caches, as after a preemption.",
    );
    let tmp = tempfile::tempdir().expect("temporary directory");
    let cfg = pipeline::config(tmp.path(), "");
    let warm = run(&b, &cfg, b.count(SAMPLES) as usize, None);
    let mut buf = vec![0u8; 16 << 20];
    let cold = run(&b, &cfg, b.count(COLD_SAMPLES) as usize, Some(&mut buf));
    b.section("Per step (ns)");
    b.note(&format!(
        "{} + {} quotes opened a ticket. Compare with `tick_to_order`'s threaded \
         `quote_to_decision` (feed stamp → first send, one hop included) and `decision_to_wire` \
         (first send → bytes written, one hop included).",
        warm.opened, cold.opened
    ));
    let rows: [(&str, &Histogram<u64>); 6] = [
        ("open_on_quote", &warm.whole),
        ("open_to_first_send", &warm.first),
        ("gateway_order", &warm.gateway),
        ("open_on_quote_cold", &cold.whole),
        ("open_to_first_send_cold", &cold.first),
        ("gateway_order_cold", &cold.gateway),
    ];
    b.table("ns", 1.0, &rows);
}
