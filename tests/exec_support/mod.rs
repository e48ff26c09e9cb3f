//! Shared fixtures of the executor tests: an `[execution]` section, a pair of markets, a ticket
//! spec, and a harness that drives an `Executor` and keeps every receipt and order it emitted.
#![allow(dead_code)]

use crossarb::config::{ExecMode, Execution, LegExec, OrderStyle};
use crossarb::domain::{InstrumentId, Px, Qty, Side, TsNs, NS_PER_MS};
use crossarb::exec::codes::Purpose;
use crossarb::exec::msg::{
    ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind,
};
use crossarb::exec::{Executor, LegMarket, LegSpec, MarketView, Outbox, TicketSpec};
use crossarb::receipt::event::{Event, Kind};

pub const DOM_ID: InstrumentId = InstrumentId(0);
pub const OVS_ID: InstrumentId = InstrumentId(1);
/// Ticket open time.
pub const T0: TsNs = TsNs(1_700_000_000_000_000_000);
pub const DOM_TRIGGER: Px = Px(7_000);
pub const OVS_TRIGGER: Px = Px(9_000);

pub fn ms(n: i64) -> TsNs {
    T0.plus_ns(n * NS_PER_MS)
}

pub fn leg_exec() -> LegExec {
    LegExec {
        slippage_ticks: 2,
        backfill_slippage_ticks_max: 5,
        rollback_slippage_ticks_max: 8,
        orders_per_day_max: 100,
        cancels_per_day_max: 50,
    }
}

/// ack 50 ms, 2 backfills before 500 ms, 3 unwinds, ticket deadline 2 s.
pub fn execution(mode: ExecMode, style: OrderStyle) -> Execution {
    Execution {
        mode,
        order_style: style,
        domestic: leg_exec(),
        overseas: leg_exec(),
        ack_timeout_ms: 50,
        backfill_attempts_max: 2,
        backfill_deadline_ms: 500,
        rollback_attempts_max: 3,
        ticket_deadline_ms: 2_000,
    }
}

/// Sold the spread: sell domestic at its bid, buy overseas at its ask. Books at the triggers.
pub fn market() -> MarketView {
    MarketView {
        dom: LegMarket {
            bid: DOM_TRIGGER,
            ask: Px(DOM_TRIGGER.0 + 1),
            bid_qty: Qty(40),
            ask_qty: Qty(40),
            tradable: true,
            ts: TsNs::ZERO,
        },
        ovs: LegMarket {
            bid: Px(OVS_TRIGGER.0 - 1),
            ask: OVS_TRIGGER,
            bid_qty: Qty(8),
            ask_qty: Qty(8),
            tradable: true,
            ts: TsNs::ZERO,
        },
    }
}

pub fn spec(dom_qty: i64, ovs_qty: i64) -> TicketSpec {
    TicketSpec {
        dom: LegSpec {
            instrument: DOM_ID,
            side: Side::Sell,
            qty: Qty(dom_qty),
            trigger_px: DOM_TRIGGER,
        },
        ovs: LegSpec {
            instrument: OVS_ID,
            side: Side::Buy,
            qty: Qty(ovs_qty),
            trigger_px: OVS_TRIGGER,
        },
        spread_side: Side::Sell,
        opened_at: T0,
    }
}

pub fn report(order: OrderId, instrument: InstrumentId, kind: ReportKind, at: TsNs) -> ExecReport {
    ExecReport {
        order,
        instrument,
        kind,
        ts_exchange: at,
        ts_recv: at,
    }
}

/// An executor plus everything it emitted.
pub struct Harness {
    pub ex: Executor,
    pub out: Outbox,
    pub mkt: MarketView,
    pub now: TsNs,
    pub receipts: Vec<Event>,
    pub orders: Vec<OrderRequest>,
    /// Index into `orders` of the first request not yet looked at by `take_orders`.
    seen: usize,
}

impl Harness {
    pub fn new(exec: Execution) -> Harness {
        Harness {
            ex: Executor::new(&exec, DOM_ID, OVS_ID),
            out: Outbox::new(),
            mkt: market(),
            now: T0,
            receipts: Vec::new(),
            orders: Vec::new(),
            seen: 0,
        }
    }

    fn collect(&mut self) {
        let (r, o) = (&mut self.receipts, &mut self.orders);
        self.out.drain_receipts(|e| r.push(e));
        self.out.drain_orders(|q| o.push(q));
    }

    pub fn open(&mut self, spec: &TicketSpec) -> u32 {
        let id = self
            .ex
            .open(spec, self.now, &self.mkt, &mut self.out)
            .expect("ticket opens");
        self.collect();
        id
    }

    pub fn at(&mut self, t: TsNs) -> &mut Harness {
        self.now = t;
        self
    }

    pub fn report(&mut self, order: OrderId, kind: ReportKind) {
        let instrument = self.instrument_of(order);
        let rep = report(order, instrument, kind, self.now);
        self.ex.on_report(&rep, self.now, &self.mkt, &mut self.out);
        self.collect();
    }

    pub fn ack(&mut self, order: OrderId) {
        self.report(order, ReportKind::Ack);
    }

    /// Fills at the order's own limit price.
    pub fn fill(&mut self, order: OrderId, qty: i64) {
        let px = self.new_order(order).1;
        self.report(order, ReportKind::Fill { px, qty: Qty(qty) });
    }

    pub fn reject(&mut self, order: OrderId) {
        self.report(order, ReportKind::Rejected(RejectReason::Venue));
    }

    pub fn done(&mut self, order: OrderId, leaves: i64) {
        self.report(
            order,
            ReportKind::Done {
                leaves: Qty(leaves),
            },
        );
    }

    pub fn timer(&mut self, t: TsNs) {
        self.now = t;
        self.ex.on_timer(t, &self.mkt, &mut self.out);
        self.collect();
    }

    /// Order requests emitted since the last call.
    pub fn take_orders(&mut self) -> Vec<OrderRequest> {
        let v = self.orders[self.seen..].to_vec();
        self.seen = self.orders.len();
        v
    }

    pub fn instrument_of(&self, order: OrderId) -> InstrumentId {
        self.orders
            .iter()
            .find(|o| o.order == order)
            .map_or(InstrumentId(99), |o| o.instrument)
    }

    /// (side, px, qty) of a new-order request.
    pub fn new_order(&self, order: OrderId) -> (Side, Px, Qty) {
        for o in &self.orders {
            if let (true, RequestKind::New { side, px, qty, .. }) = (o.order == order, o.kind) {
                return (side, px, qty);
            }
        }
        panic!("no new order {order:?}");
    }

    /// Purpose written in the `OrderNew` receipt of `order`.
    pub fn purpose(&self, order: OrderId) -> u16 {
        self.receipts
            .iter()
            .find(|e| e.kind == Kind::OrderNew && e.payload.order == order.0)
            .map_or(0, |e| e.payload.code)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.receipts.iter().filter(|e| e.kind == kind).count()
    }

    pub fn last(&self, kind: Kind) -> Option<Event> {
        self.receipts.iter().rev().find(|e| e.kind == kind).copied()
    }

    /// `code` of every `TicketState` receipt, in order.
    pub fn states(&self) -> Vec<u16> {
        self.receipts
            .iter()
            .filter(|e| e.kind == Kind::TicketState)
            .map(|e| e.payload.code)
            .collect()
    }
}

pub fn is_purpose(h: &Harness, o: &OrderRequest, p: Purpose) -> bool {
    h.purpose(o.order) == p as u16
}
