//! Where the executor puts what it decided: order requests for the gateways and receipts for the
//! writer. Fixed capacity, sized for one executor call touching every ticket; the caller drains
//! it after each call (live: into the gateway and receipt rings; replay: into the simulated
//! exchange and the receipt writer). Never drops: a push beyond capacity is a caller bug and
//! asserts (the executor checks room before each ticket step).

use crate::exec::actions::{Actions, NO_EVENT, NO_REQUEST, STEP_ORDERS_MAX, STEP_RECEIPTS_MAX};
use crate::exec::msg::OrderRequest;
use crate::exec::ticket::TICKETS_MAX;
use crate::receipt::event::Event;

/// Order requests one outbox holds.
pub const OUTBOX_ORDERS_MAX: usize = TICKETS_MAX * STEP_ORDERS_MAX;
/// Receipts one outbox holds.
pub const OUTBOX_RECEIPTS_MAX: usize = TICKETS_MAX * STEP_RECEIPTS_MAX + 1;

/// Output buffer of the executor.
#[derive(Clone, Debug)]
pub struct Outbox {
    orders: [OrderRequest; OUTBOX_ORDERS_MAX],
    n_orders: usize,
    receipts: [Event; OUTBOX_RECEIPTS_MAX],
    n_receipts: usize,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox::new()
    }
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Outbox {
        Outbox {
            orders: [NO_REQUEST; OUTBOX_ORDERS_MAX],
            n_orders: 0,
            receipts: [NO_EVENT; OUTBOX_RECEIPTS_MAX],
            n_receipts: 0,
        }
    }

    /// Queues an order request.
    pub fn push_order(&mut self, r: OrderRequest) {
        assert!(
            self.n_orders < OUTBOX_ORDERS_MAX,
            "Invariant: the outbox is drained before it fills (orders)"
        );
        self.orders[self.n_orders] = r;
        self.n_orders += 1;
    }

    /// Queues a receipt.
    pub fn push_receipt(&mut self, e: Event) {
        assert!(
            self.n_receipts < OUTBOX_RECEIPTS_MAX,
            "Invariant: the outbox is drained before it fills (receipts)"
        );
        self.receipts[self.n_receipts] = e;
        self.n_receipts += 1;
    }

    /// Queued order requests, oldest first.
    pub fn orders(&self) -> &[OrderRequest] {
        &self.orders[..self.n_orders]
    }

    /// Queued receipts, oldest first.
    pub fn receipts(&self) -> &[Event] {
        &self.receipts[..self.n_receipts]
    }

    /// Hands every queued order request to `f`, oldest first, and empties the order queue.
    pub fn drain_orders(&mut self, mut f: impl FnMut(OrderRequest)) {
        self.orders[..self.n_orders].iter().for_each(|r| f(*r));
        self.n_orders = 0;
    }

    /// Hands every queued receipt to `f`, oldest first, and empties the receipt queue.
    pub fn drain_receipts(&mut self, mut f: impl FnMut(Event)) {
        self.receipts[..self.n_receipts].iter().for_each(|e| f(*e));
        self.n_receipts = 0;
    }

    /// Empties both queues.
    pub fn clear(&mut self) {
        self.n_orders = 0;
        self.n_receipts = 0;
    }

    /// True when one more ticket step (plus one report receipt) fits.
    pub fn has_room_for_step(&self) -> bool {
        OUTBOX_ORDERS_MAX - self.n_orders >= STEP_ORDERS_MAX
            && OUTBOX_RECEIPTS_MAX - self.n_receipts > STEP_RECEIPTS_MAX
    }

    /// Appends a step's orders and receipts.
    pub(crate) fn push_actions(&mut self, a: &Actions) {
        a.orders().iter().for_each(|r| self.push_order(*r));
        a.receipts().iter().for_each(|e| self.push_receipt(*e));
    }
}
