//! The entry orders of a ticket about to open, known before the ticket is built, so that the
//! engine can hand them to the gateway first and build the ticket, its receipts and its
//! bookkeeping after they left (issue 6, tick-to-order: the opening step took ~3,100
//! instructions to its first send, ~2,000 of them the ticket's own construction and step;
//! `benches/ticket_open.rs` `open_to_first_send`).
//!
//! [`entry_orders`] answers only where the answer is certain: a concurrent ticket whose two
//! legs are tradable, within their daily budgets and deadlines, with a free ticket slot — then
//! the `Open` step (`step::open` → `repair::forward` → `repair::send`) sends exactly these two
//! orders, domestic first, with the next two order ids. Everything else (lead/lag, a refusal to
//! come, a deadline already past) gets `None` and the step decides alone. The engine asserts
//! that the step's orders begin with the ones sent ahead; every replay test runs that check.
//! Pure; same thread as the executor.

use crate::config::ExecMode;
use crate::domain::{InstrumentId, TsNs};
use crate::exec::msg::{OrderId, OrderRequest, RequestKind};
use crate::exec::repair::entry_px;
use crate::exec::step::DayUse;
use crate::exec::ticket::{MarketView, Params, TicketSpec, DOM, OVS};

/// What of the executor the answer depends on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EntryCtx<'a> {
    /// `[execution]`.
    pub params: &'a Params,
    /// The executor's instruments per leg.
    pub instruments: [InstrumentId; 2],
    /// Budget use per leg today.
    pub day_use: [DayUse; 2],
    /// The id the next order gets.
    pub next_order: u32,
    /// A ticket slot is free (open would not refuse `TicketsFull`).
    pub slot_free: bool,
}

/// The two entry orders `Executor::open(spec, now, mkt)` is certain to send, domestic first;
/// `None` when it might send anything else (see the module doc).
pub(crate) fn entry_orders(
    spec: &TicketSpec,
    now: TsNs,
    mkt: &MarketView,
    cx: &EntryCtx<'_>,
) -> Option<[OrderRequest; 2]> {
    let p = cx.params;
    let in_time = now < spec.opened_at.plus_ns(p.ticket_deadline_ns)
        && now < spec.opened_at.plus_ns(p.backfill_deadline_ns);
    if p.mode != ExecMode::Concurrent || !cx.slot_free || !in_time {
        return None;
    }
    let mut out = [crate::exec::actions::NO_REQUEST; 2];
    for (l, leg) in [(DOM, &spec.dom), (OVS, &spec.ovs)] {
        let fits = leg.instrument == cx.instruments[l]
            && leg.qty.0 > 0
            && mkt.leg(l).tradable
            && cx.day_use[l].orders < p.legs[l].orders_per_day_max;
        if !fits {
            return None;
        }
        out[l] = OrderRequest {
            order: OrderId(cx.next_order + l as u32),
            instrument: leg.instrument,
            kind: RequestKind::New {
                side: leg.side,
                px: entry_px(leg.side, leg.trigger_px, p.legs[l].slippage_ticks),
                qty: leg.qty,
                tif: p.entry_tif,
            },
            ts: now,
        };
    }
    Some(out)
}
