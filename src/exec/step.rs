//! The pure step function of the ticket machine: `(state, input, context) → (state, actions)`.
//! No I/O, no clock, no allocation: the context carries "now", the market, the parameters, the
//! next free order id and the day's budget use, so tests can enumerate every (state × input).
//!
//! A step first applies its input (open the ticket, apply an execution report, or mark orders
//! whose acknowledgement is overdue), then, while the ticket is open, lets the repair policy
//! (`repair.rs`) decide transitions and orders.

use crate::config::ExecMode;
use crate::domain::{Px, Qty, Side, TsNs};
use crate::exec::actions::{leg_code, payload, Actions};
use crate::exec::codes::{anomaly, Phase, Purpose, Reason, MODE_CONCURRENT, MODE_LEAD_LAG};
use crate::exec::msg::{ExecReport, ReportKind};
use crate::exec::repair;
use crate::exec::ticket::{MarketView, OrderStatus, Params, TicketState, DOM, OVS};
use crate::receipt::event::{Kind, Payload};

/// Orders and cancels already used today on one leg's instrument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayUse {
    /// New orders sent.
    pub orders: u32,
    /// Cancels sent.
    pub cancels: u32,
}

/// Everything a step may read besides the ticket.
#[derive(Clone, Copy, Debug)]
pub struct StepCtx<'a> {
    /// Engine time.
    pub now: TsNs,
    /// Both legs' markets.
    pub mkt: &'a MarketView,
    /// `[execution]`.
    pub params: &'a Params,
    /// First order id this step may assign (ids are taken in order).
    pub next_order: u32,
    /// Budget use per leg ([`DOM`], [`OVS`]) before this step.
    pub day_use: [DayUse; 2],
}

/// What drives a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Open the ticket: send the entry leg(s).
    Open,
    /// An execution report for one of the ticket's orders (or not: then it is recorded).
    Report(ExecReport),
    /// Time passed: ack timeouts, deadlines, waiting repairs.
    Timer,
}

/// One step of the ticket machine, as a pure function of its inputs (tests, tools). The
/// executor uses [`step_in_place`], which computes the same thing without copying.
pub fn step(t: &TicketState, input: &Input, ctx: &StepCtx) -> (TicketState, Actions) {
    let mut s = *t;
    let mut acts = Actions::default();
    step_in_place(&mut s, input, ctx, &mut acts);
    (s, acts)
}

/// [`step`] on the ticket in place, appending to `acts` (which the caller clears first: a step
/// is bounded by `STEP_*_MAX` only from an empty `Actions`). Same result as [`step`]; it exists
/// because returning a ~1 KB ticket and a ~5.5 KB `Actions` by value cost ~40 `memcpy` calls
/// (~2,500 instructions) per ticket step in the `ticket_open` bench (callgrind).
pub fn step_in_place(s: &mut TicketState, input: &Input, ctx: &StepCtx, acts: &mut Actions) {
    match input {
        Input::Open => open(s, ctx, acts),
        Input::Report(rep) => apply_report(s, rep, ctx, acts),
        Input::Timer => mark_ack_timeouts(s, ctx, acts),
    }
    if s.phase.is_open() {
        repair::evaluate(s, ctx, acts);
    }
    let uncertain = s.legs[DOM].uncertain().0 != 0 || s.legs[OVS].uncertain().0 != 0;
    let naked = s.naked() != [Qty::ZERO; 2];
    s.unbalanced_since = match (naked || uncertain, s.unbalanced_since) {
        (false, _) => None,
        (true, None) => Some(ctx.now),
        (true, since) => since,
    };
}

fn open(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    if s.phase != Phase::Pending {
        repair::ignored_input(s, ctx, acts);
        return;
    }
    let (mode, lead_code) = match ctx.params.mode {
        ExecMode::Concurrent => (MODE_CONCURRENT, 0),
        ExecMode::LeadLag => {
            let lead = less_liquid_leg(s, ctx.mkt);
            s.lead = Some(lead);
            (MODE_LEAD_LAG, u16::from(leg_code(lead)))
        }
    };
    let (d, o) = (&s.legs[DOM], &s.legs[OVS]);
    acts.receipt(
        Kind::TicketOpen,
        ctx.now,
        Payload {
            side: s.spread_side as u8,
            qty: d.target,
            a: o.target.0,
            px: d.trigger_px,
            b: o.trigger_px.0,
            code: mode,
            code2: lead_code,
            ts_aux: s.opened_at.0,
            ..payload(s.id, Default::default(), d.instrument, 0)
        },
    );
    repair::transition(s, Phase::Working, Reason::Opened, ctx, acts);
}

/// The leg with the smaller displayed size at its executable side relative to its quantity
/// (ties: domestic). An empty side counts as zero size.
fn less_liquid_leg(s: &TicketState, mkt: &MarketView) -> usize {
    let shown = |l: usize| {
        let leg = &s.legs[l];
        let size = mkt.leg(l).executable(leg.side).map_or(0, |(_, q)| q.0);
        i128::from(size)
    };
    let (d, o) = (shown(DOM), shown(OVS));
    // d/qd <= o/qo  ⇔  d·qo <= o·qd (quantities are positive).
    if d * i128::from(s.legs[OVS].target.0) <= o * i128::from(s.legs[DOM].target.0) {
        DOM
    } else {
        OVS
    }
}

fn mark_ack_timeouts(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    let id = s.id;
    for (l, leg) in s.legs.iter_mut().enumerate() {
        let instrument = leg.instrument;
        for o in leg.orders.iter_mut() {
            let due = o.sent_at.plus_ns(ctx.params.ack_timeout_ns);
            if o.is_live() && !o.acked && !o.timed_out && ctx.now >= due {
                o.timed_out = true;
                acts.receipt(
                    Kind::AckTimeout,
                    ctx.now,
                    Payload {
                        side: o.side as u8,
                        px: o.px,
                        qty: o.remaining(),
                        a: ctx.now.since(o.sent_at),
                        code: o.purpose as u16,
                        ..payload(id, o.id, instrument, leg_code(l))
                    },
                );
            }
        }
    }
}

/// The receipt of a report as it came, before the ticket interprets it: kind, price/qty/reason
/// from the report, `code2` = `anomaly`. Used as is for reports that are not applied.
pub fn report_receipt(ticket: u32, rep: &ExecReport, leg: u8, anomaly: u16) -> (Kind, Payload) {
    let mut p = payload(ticket, rep.order, rep.instrument, leg);
    p.code2 = anomaly;
    p.ts_aux = rep.ts_exchange.0;
    let kind = match rep.kind {
        ReportKind::Ack => Kind::OrderAck,
        ReportKind::Fill { px, qty } => {
            (p.px, p.qty) = (px, qty);
            Kind::Fill
        }
        ReportKind::Rejected(r) => {
            p.code = r as u16;
            Kind::OrderReject
        }
        ReportKind::Done { leaves } => {
            (p.qty, p.a) = (leaves, leaves.0);
            Kind::OrderDone
        }
        ReportKind::CancelRejected(r) => {
            (p.code, p.a) = (r as u16, 1);
            Kind::OrderReject
        }
    };
    (kind, p)
}

/// Per-lot slippage of a fill at `px` on `side` against `trigger` (positive = worse).
pub fn slippage_ticks(side: Side, px: Px, trigger: Px) -> i64 {
    match side {
        Side::Buy => px.0 - trigger.0,
        Side::Sell => trigger.0 - px.0,
    }
}

fn apply_report(s: &mut TicketState, rep: &ExecReport, ctx: &StepCtx, acts: &mut Actions) {
    let Some((l, slot)) = s.find(rep.order) else {
        let (kind, p) = report_receipt(s.id, rep, 0, anomaly::UNKNOWN_ORDER);
        acts.receipt(kind, ctx.now, p);
        return;
    };
    let leg = &mut s.legs[l];
    if rep.instrument != leg.instrument {
        let (kind, p) = report_receipt(s.id, rep, leg_code(l), anomaly::INSTRUMENT_MISMATCH);
        acts.receipt(kind, ctx.now, p);
        return;
    }
    let after_close = if s.phase.is_closed() {
        anomaly::AFTER_CLOSE
    } else {
        anomaly::NONE
    };
    let o = &mut leg.orders[slot];
    let was_live = o.is_live();
    let (kind, mut p) = report_receipt(s.id, rep, leg_code(l), after_close);
    (p.side, p.code) = (o.side as u8, o.purpose as u16);
    match rep.kind {
        ReportKind::Ack => {
            p.a = rep.ts_recv.since(o.sent_at);
            if o.acked || !was_live {
                p.code2 = anomaly::ORDER_FINAL;
            }
            o.acked = true;
            o.timed_out = false;
        }
        ReportKind::Fill { px, qty } => {
            if qty.0 <= 0 {
                p.code2 = anomaly::BAD_QTY;
                acts.receipt(kind, ctx.now, p);
                return;
            }
            o.acked = true;
            o.timed_out = false;
            o.filled += qty;
            if o.filled > o.qty {
                p.code2 = anomaly::OVERFILL;
            } else if !was_live {
                p.code2 = anomaly::ORDER_FINAL;
            }
            if was_live && o.filled >= o.qty {
                o.status = OrderStatus::Filled;
            }
            let slip = slippage_ticks(o.side, px, leg.trigger_px);
            p.a = slip;
            leg.slippage_lot_ticks += slip * qty.0;
            if o.purpose == Purpose::Rollback {
                leg.filled_back += qty;
            } else {
                leg.filled_fwd += qty;
                leg.notional_fwd += px.0 * qty.0;
            }
            acts.pos_delta[l] += Qty(o.side.sign() * qty.0);
        }
        ReportKind::Done { leaves } if was_live && leaves < o.remaining() => {
            // The venue counts fills we have not seen yet: the order ends only once they come
            // (or the deadline decides). Assuming them unfilled would double the leg.
            o.qty = o.filled + o.remaining() - leaves;
            o.acked = true;
            o.timed_out = false;
            p.code2 = anomaly::FILLS_PENDING;
        }
        ReportKind::Rejected(_) | ReportKind::Done { .. } => {
            if was_live {
                p.qty = o.remaining();
                o.status = if matches!(rep.kind, ReportKind::Rejected(_)) {
                    OrderStatus::Rejected
                } else {
                    OrderStatus::Done
                };
                o.acked = true;
                o.timed_out = false;
            } else if !(o.status == OrderStatus::Filled
                && rep.kind == (ReportKind::Done { leaves: Qty::ZERO }))
            {
                p.code2 = anomaly::ORDER_FINAL;
            }
        }
        ReportKind::CancelRejected(_) => {
            // The order stays as it was. A refused cancel is not retried: the order ends by
            // itself (fill/done) or the ticket deadline decides.
            if !o.cancel_sent {
                p.code2 = anomaly::ORDER_FINAL;
            }
        }
    }
    acts.receipt(kind, ctx.now, p);
}
