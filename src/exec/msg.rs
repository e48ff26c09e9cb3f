//! Messages between the executor and the order gateways (FIX, CTP, the simulated exchange):
//! order requests out, execution reports back. Plain `Copy` structs so that they cross rings by
//! value; no allocation.

use crate::domain::{InstrumentId, Px, Qty, Side, TsNs};

/// Engine-assigned order number, unique within a run (also the FIX ClOrdID / CTP OrderRef).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(pub u32);

/// Time in force of a new order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tif {
    /// Immediate or cancel: fill what crosses now, cancel the rest.
    Ioc,
    /// Rest on the book until filled or cancelled.
    Limit,
}

/// What an order request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// A new order.
    New {
        /// Buy or sell.
        side: Side,
        /// Limit price in ticks.
        px: Px,
        /// Lots (> 0).
        qty: Qty,
        /// Time in force.
        tif: Tif,
    },
    /// Cancel the rest of an open order.
    Cancel,
}

/// An order request from the executor to a gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// The order it creates or cancels.
    pub order: OrderId,
    /// Instrument (selects the venue and gateway).
    pub instrument: InstrumentId,
    /// New or cancel.
    pub kind: RequestKind,
    /// When the executor issued it.
    pub ts: TsNs,
}

/// Why a venue rejected an order (a small code; gateways map venue codes onto it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum RejectReason {
    /// Venue said no (risk, price band, unknown instrument...).
    Venue = 1,
    /// Not connected / disconnected.
    Disconnected = 2,
    /// Outside the trading session.
    SessionClosed = 3,
    /// Cancel refused: order unknown or already done.
    CancelRefused = 4,
}

/// What an execution report says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// Order accepted by the venue.
    Ack,
    /// A fill of `qty` lots at `px`.
    Fill {
        /// Fill price.
        px: Px,
        /// Filled lots.
        qty: Qty,
    },
    /// Order rejected: nothing filled.
    Rejected(RejectReason),
    /// Order finished: the remaining `leaves` lots were cancelled or expired (IOC remainder).
    Done {
        /// Lots that will never fill.
        leaves: Qty,
    },
    /// A cancel request was refused; the order stays as it was.
    CancelRejected(RejectReason),
}

/// An execution report from a gateway to the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecReport {
    /// The order it is about.
    pub order: OrderId,
    /// Its instrument.
    pub instrument: InstrumentId,
    /// What happened.
    pub kind: ReportKind,
    /// Venue time of the event.
    pub ts_exchange: TsNs,
    /// When the engine received it.
    pub ts_recv: TsNs,
}
