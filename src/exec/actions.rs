//! What one step of the ticket machine asks the world to do: order requests to send, receipts
//! to write, position changes and budget use. Fixed capacity: a step is bounded (at most one new
//! order and one cancel per order slot per leg), so overflowing is a bug, asserted.

use bytemuck::Zeroable;

use crate::domain::{InstrumentId, Qty, TsNs};
use crate::exec::codes::{LEG_DOMESTIC, LEG_OVERSEAS};
use crate::exec::msg::{OrderId, OrderRequest, RequestKind};
use crate::exec::ticket::ORDERS_PER_LEG_MAX;
use crate::receipt::event::{Event, Kind, Payload};

/// Most order requests one step emits: a cancel per order slot plus one new order, per leg.
pub const STEP_ORDERS_MAX: usize = 2 * (ORDERS_PER_LEG_MAX + 1);
/// Most receipts one step emits (one per order request, an ack timeout per slot, a report,
/// a handful of transitions and refusals), with headroom.
pub const STEP_RECEIPTS_MAX: usize = 64;

/// Filler for unused order-request array entries.
pub(crate) const NO_REQUEST: OrderRequest = OrderRequest {
    order: OrderId(0),
    instrument: InstrumentId(0),
    kind: RequestKind::Cancel,
    ts: TsNs::ZERO,
};

/// Filler for unused receipt array entries.
pub(crate) const NO_EVENT: Event = Event {
    kind: Kind::Start,
    ts: 0,
    payload: Payload {
        ticket: 0,
        order: 0,
        px: crate::domain::Px(0),
        qty: Qty(0),
        a: 0,
        b: 0,
        c: 0,
        instrument: 0,
        leg: 0,
        side: 0,
        code: 0,
        code2: 0,
        ts_aux: 0,
    },
};

/// The output of one step.
#[derive(Clone, Copy, Debug)]
pub struct Actions {
    orders: [OrderRequest; STEP_ORDERS_MAX],
    n_orders: usize,
    receipts: [Event; STEP_RECEIPTS_MAX],
    n_receipts: usize,
    /// Signed lots (buy +) filled per leg in this step: the executor adds them to positions.
    pub pos_delta: [Qty; 2],
    /// New orders sent per leg (daily order budget use).
    pub orders_sent: [u32; 2],
    /// Cancels sent per leg (daily cancel budget use).
    pub cancels_sent: [u32; 2],
    /// Order ids taken from `StepCtx::next_order` onwards.
    pub ids_used: u32,
}

impl Default for Actions {
    fn default() -> Self {
        Actions {
            orders: [NO_REQUEST; STEP_ORDERS_MAX],
            n_orders: 0,
            receipts: [NO_EVENT; STEP_RECEIPTS_MAX],
            n_receipts: 0,
            pos_delta: [Qty::ZERO; 2],
            orders_sent: [0; 2],
            cancels_sent: [0; 2],
            ids_used: 0,
        }
    }
}

impl Actions {
    /// Order requests, in sending order.
    pub fn orders(&self) -> &[OrderRequest] {
        &self.orders[..self.n_orders]
    }

    /// Receipts, in writing order.
    pub fn receipts(&self) -> &[Event] {
        &self.receipts[..self.n_receipts]
    }

    /// Empties it for the next step without touching the arrays (entries past the counts are
    /// never read).
    pub fn clear(&mut self) {
        self.n_orders = 0;
        self.n_receipts = 0;
        self.pos_delta = [Qty::ZERO; 2];
        self.orders_sent = [0; 2];
        self.cancels_sent = [0; 2];
        self.ids_used = 0;
    }

    pub(crate) fn order(&mut self, r: OrderRequest) {
        assert!(
            self.n_orders < STEP_ORDERS_MAX,
            "Invariant: one step sends at most STEP_ORDERS_MAX requests"
        );
        self.orders[self.n_orders] = r;
        self.n_orders += 1;
    }

    pub(crate) fn receipt(&mut self, kind: Kind, ts: TsNs, payload: Payload) {
        assert!(
            self.n_receipts < STEP_RECEIPTS_MAX,
            "Invariant: one step writes at most STEP_RECEIPTS_MAX receipts"
        );
        self.receipts[self.n_receipts] = Event {
            kind,
            ts: ts.0,
            payload,
        };
        self.n_receipts += 1;
    }
}

/// Payload `leg` for leg index 0/1.
pub(crate) const fn leg_code(leg: usize) -> u8 {
    if leg == 0 {
        LEG_DOMESTIC
    } else {
        LEG_OVERSEAS
    }
}

/// A payload with the ticket/order/instrument/leg fields set, the rest zero.
pub(crate) fn payload(ticket: u32, order: OrderId, instrument: InstrumentId, leg: u8) -> Payload {
    Payload {
        ticket,
        order: order.0,
        instrument: instrument.0,
        leg,
        ..Payload::zeroed()
    }
}
