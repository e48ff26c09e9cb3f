//! The policy half of the step function: given a ticket whose input has been applied, decide
//! its transitions and the orders it sends — entries, backfills, rollbacks, cancels — and the
//! deadlines. Pure, like `step.rs`.
//!
//! Rules, in the order they are checked on every step of an open ticket:
//! 1. both legs at target with nothing live → `Balanced`;
//! 2. ticket deadline passed → `Stuck` (live limit orders cancelled if the budget allows);
//! 3. a leg above target or below zero (venue overfill) → `RollingBack`;
//! 4. `Working`/`Backfilling`: past the backfill deadline → `RollingBack`; else send unsent
//!    entry quantity (lead/lag: the lag follows the lead's forward fills in the ticket ratio),
//!    and backfill missing quantity (IOC at the executable price + slippage, never beyond
//!    trigger ± `backfill_slippage_ticks_max`, at most `backfill_attempts_max` orders per leg);
//!    attempts used up or the order budget refusing → `RollingBack`;
//! 5. `RollingBack`: cancel live forward limit orders, then unwind each leg's lots beyond the
//!    largest balanced multiple (IOC at the executable price − slippage, never beyond the
//!    average fill price ∓ `rollback_slippage_ticks_max`, at most `rollback_attempts_max` orders
//!    per leg); a leg with any live order waits (no self-crossing), and only the excess that the
//!    other leg's live forward orders could not balance even if they fill is unwound (no
//!    guessing about orders of unknown fate); when both legs sit at the same multiple with
//!    nothing live → `RolledBack` (or `Balanced` if that multiple is the target).
//!
//! Nothing is ever sent into a leg whose market is not `tradable`, nor when its executable price
//! is beyond the bound: the ticket waits for the market or the next deadline. A backfill or
//! rollback is not retried against the same market view it was last sent on (its displayed
//! size was just taken): the retry waits for a newer quote of that leg.

use crate::domain::{Px, Qty, Side};
use crate::exec::actions::{leg_code, payload, Actions};
use crate::exec::codes::{Phase, Purpose, Reason, REFUSED_CANCEL};
use crate::exec::msg::{OrderId, OrderRequest, RequestKind, Tif};
use crate::exec::step::StepCtx;
use crate::exec::ticket::{OrderSlot, OrderStatus, TicketState, DOM, OVS};
use crate::receipt::event::{Kind, Payload, Refusal};

/// Result of trying to send an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Send {
    Sent,
    /// Not now (market not tradable, price beyond bound, no free slot): try again later.
    Wait,
    /// The day's budget refused it.
    Refused,
}

/// Decides transitions and orders until the ticket settles (bounded: each pass either keeps
/// the phase or moves it forward along Working → Backfilling → RollingBack → closed).
pub(crate) fn evaluate(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    for _ in 0..Phase::ALL.len() {
        let before = s.phase;
        evaluate_once(s, ctx, acts);
        if s.phase == before || !s.phase.is_open() {
            return;
        }
    }
}

fn evaluate_once(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    let any_live = s.legs[DOM].any_live() || s.legs[OVS].any_live();
    let at_target = s.legs.iter().all(|l| l.net() == l.target);
    if at_target && !any_live {
        return transition(s, Phase::Balanced, Reason::BothFilled, ctx, acts);
    }
    if ctx.now >= s.ticket_deadline(ctx.params) {
        for l in [DOM, OVS] {
            cancel_live(s, l, |_| true, ctx, acts);
        }
        return transition(s, Phase::Stuck, Reason::TicketDeadline, ctx, acts);
    }
    let off = s.legs.iter().any(|l| l.net() > l.target || l.net().0 < 0);
    if off && s.phase != Phase::RollingBack {
        return transition(s, Phase::RollingBack, Reason::Overfill, ctx, acts);
    }
    match s.phase {
        Phase::Working | Phase::Backfilling => forward(s, ctx, acts),
        Phase::RollingBack => rollback(s, ctx, acts),
        _ => {}
    }
}

/// Lots leg `l` should hold now: the target, or for the lag leg of a lead/lag ticket the lead's
/// forward fills in the ticket ratio (rounded down).
fn want(s: &TicketState, l: usize) -> Qty {
    let target = s.legs[l].target;
    match s.lead {
        Some(lead) if lead != l => {
            let ld = &s.legs[lead];
            Qty((ld.filled_fwd.0 * target.0 / ld.target.0).min(target.0))
        }
        _ => target,
    }
}

fn forward(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    if ctx.now >= s.backfill_deadline(ctx.params) {
        return transition(s, Phase::RollingBack, Reason::BackfillDeadline, ctx, acts);
    }
    for l in [DOM, OVS] {
        let leg = &s.legs[l];
        let want = want(s, l);
        let unsent = Qty((want.0 - leg.entry_sent.0).max(0));
        let missing = want - leg.net() - leg.live_qty(false) - unsent;
        if unsent.0 > 0 {
            let px = entry_px(leg.side, leg.trigger_px, ctx.params.legs[l].slippage_ticks);
            let tif = ctx.params.entry_tif;
            if send(s, l, Purpose::Entry, unsent, Some(px), tif, ctx, acts) == Send::Refused {
                return transition(s, Phase::RollingBack, Reason::DailyBudget, ctx, acts);
            }
        }
        if missing.0 <= 0 {
            continue;
        }
        if s.phase == Phase::Working {
            transition(s, Phase::Backfilling, Reason::LegShort, ctx, acts);
        }
        if s.legs[l].backfills >= ctx.params.backfill_attempts_max {
            return transition(s, Phase::RollingBack, Reason::BackfillExhausted, ctx, acts);
        }
        let px = backfill_px(s, l, ctx);
        if send(s, l, Purpose::Backfill, missing, px, Tif::Ioc, ctx, acts) == Send::Refused {
            return transition(s, Phase::RollingBack, Reason::DailyBudget, ctx, acts);
        }
    }
}

/// Limit price of an entry order: the trigger price `slippage` ticks worse (also used by
/// `entry::entry_orders`, which must price exactly as the step does).
pub(crate) fn entry_px(side: Side, trigger: Px, slippage: i64) -> Px {
    Px(trigger.0 + side.sign() * slippage)
}

/// Executable price + slippage, capped at trigger ± backfill max; `None` if the executable
/// price is already beyond the cap (or the side is empty).
fn backfill_px(s: &TicketState, l: usize, ctx: &StepCtx) -> Option<Px> {
    let leg = &s.legs[l];
    let p = &ctx.params.legs[l];
    let bound = entry_px(leg.side, leg.trigger_px, p.backfill_slippage_ticks_max);
    bounded_px(
        leg.side,
        ctx.mkt.leg(l).executable(leg.side)?.0,
        p.slippage_ticks,
        bound,
    )
}

/// `exec` moved `slippage` ticks against us, never past `bound`; `None` if `exec` is past it.
fn bounded_px(side: Side, exec: Px, slippage: i64, bound: Px) -> Option<Px> {
    let sign = side.sign();
    if sign * (exec.0 - bound.0) > 0 {
        return None;
    }
    let px = exec.0 + sign * slippage;
    Some(Px(if sign * (px - bound.0) > 0 {
        bound.0
    } else {
        px
    }))
}

fn rollback(s: &mut TicketState, ctx: &StepCtx, acts: &mut Actions) {
    for l in [DOM, OVS] {
        cancel_live(
            s,
            l,
            |o| o.purpose != Purpose::Rollback && o.tif == Tif::Limit,
            ctx,
            acts,
        );
    }
    let mut settled = true;
    for l in [DOM, OVS] {
        let leg = &s.legs[l];
        if s.excess(l).0 != 0 || leg.any_live() {
            settled = false;
        }
        // Negative excess only follows a venue overfilling an unwind: left to a human.
        let excess = certain_excess(s, l);
        if excess.0 <= 0 || leg.any_live() || leg.rollbacks >= ctx.params.rollback_attempts_max {
            continue;
        }
        let side = leg.side.opposite();
        let px = leg.avg_fill_px().and_then(|avg| {
            let p = &ctx.params.legs[l];
            let bound = entry_px(side, avg, p.rollback_slippage_ticks_max);
            bounded_px(
                side,
                ctx.mkt.leg(l).executable(side)?.0,
                p.slippage_ticks,
                bound,
            )
        });
        // A refusal is recorded once; the ticket then waits for its deadline.
        let _ = send(s, l, Purpose::Rollback, excess, px, Tif::Ioc, ctx, acts);
    }
    if settled {
        let (phase, reason) = if s.balanced_multiple() == s.multiples {
            (Phase::Balanced, Reason::BothFilled)
        } else {
            (Phase::RolledBack, Reason::Unwound)
        };
        transition(s, phase, reason, ctx, acts);
    }
}

/// Lots of leg `l` beyond the largest balanced multiple *whatever the other leg's live forward
/// orders turn out to do*: those orders (possibly of unknown fate) may still fill and balance
/// `l`, so only what they cannot balance is unwound now — no guessing either way.
fn certain_excess(s: &TicketState, l: usize) -> Qty {
    let o = 1 - l;
    let other = &s.legs[o];
    let other_max = (other.net() + other.live_qty(false)).0.max(0) / s.unit[o];
    let own = s.legs[l].net().0.max(0) / s.unit[l];
    let k = own.min(other_max).min(s.multiples);
    Qty(s.legs[l].net().0 - k * s.unit[l])
}

/// Sends a new order on leg `l` unless the market, the price bound, the slots or the budget
/// say no. `px = None` means no acceptable price now.
#[allow(clippy::too_many_arguments)]
fn send(
    s: &mut TicketState,
    l: usize,
    purpose: Purpose,
    qty: Qty,
    px: Option<Px>,
    tif: Tif,
    ctx: &StepCtx,
    acts: &mut Actions,
) -> Send {
    assert!(qty.0 > 0, "Invariant: orders are for a positive quantity");
    let id = s.id;
    let leg = &mut s.legs[l];
    let Some(px) = px else { return Send::Wait };
    let mkt = ctx.mkt.leg(l);
    if !mkt.tradable {
        return Send::Wait;
    }
    // A repair retried against the very book that just left it short would find the same
    // (already consumed) size: wait for a newer view of the market.
    let repair = purpose != Purpose::Entry;
    if repair && mkt.ts.0 != 0 && mkt.ts <= leg.repair_mkt_ts {
        return Send::Wait;
    }
    let used = ctx.day_use[l].orders + acts.orders_sent[l];
    let limit = ctx.params.legs[l].orders_per_day_max;
    if used >= limit {
        if !leg.refused_order {
            leg.refused_order = true;
            refused(
                id,
                leg.instrument,
                l,
                purpose as u16,
                used,
                limit,
                ctx,
                acts,
            );
        }
        return Send::Refused;
    }
    let Some(slot) = free_slot(&leg.orders) else {
        return Send::Wait;
    };
    let side = if purpose == Purpose::Rollback {
        assert!(
            qty <= leg.net() - leg.live_qty(true),
            "Invariant: a rollback never unwinds more than the leg holds"
        );
        leg.side.opposite()
    } else {
        assert!(
            leg.net() + leg.live_qty(false) + qty <= leg.target,
            "Invariant: forward orders never ask beyond the leg's target"
        );
        leg.side
    };
    if repair {
        leg.repair_mkt_ts = mkt.ts;
    }
    let order = OrderId(ctx.next_order + acts.ids_used);
    acts.ids_used += 1;
    acts.orders_sent[l] += 1;
    let attempt = match purpose {
        Purpose::Entry => {
            leg.entry_sent += qty;
            leg.entries += 1;
            leg.entries
        }
        Purpose::Backfill => {
            leg.backfills += 1;
            leg.backfills
        }
        Purpose::Rollback => {
            leg.rollbacks += 1;
            leg.rollbacks
        }
    };
    leg.orders[slot] = OrderSlot {
        id: order,
        purpose,
        side,
        px,
        qty,
        tif,
        sent_at: ctx.now,
        status: OrderStatus::Live,
        ..OrderSlot::EMPTY
    };
    let kind = RequestKind::New { side, px, qty, tif };
    let instrument = leg.instrument;
    acts.order(OrderRequest {
        order,
        instrument,
        kind,
        ts: ctx.now,
    });
    let p = Payload {
        side: side as u8,
        px,
        qty,
        code: purpose as u16,
        a: i64::from(attempt),
        ..payload(id, order, instrument, leg_code(l))
    };
    acts.receipt(Kind::OrderNew, ctx.now, p);
    Send::Sent
}

/// An empty slot, else the slot of the ended order with the oldest id; `None` if all are live.
fn free_slot(orders: &[OrderSlot]) -> Option<usize> {
    if let Some(i) = orders.iter().position(|o| o.status == OrderStatus::Empty) {
        return Some(i);
    }
    (0..orders.len())
        .filter(|&i| !orders[i].is_live())
        .min_by_key(|&i| orders[i].id)
}

/// Cancels the live limit orders of leg `l` selected by `which` that have no cancel yet
/// (IOC orders end by themselves). The cancel budget refusing is recorded once per leg.
fn cancel_live(
    s: &mut TicketState,
    l: usize,
    which: impl Fn(&OrderSlot) -> bool,
    ctx: &StepCtx,
    acts: &mut Actions,
) {
    let id = s.id;
    let leg = &mut s.legs[l];
    let limit = ctx.params.legs[l].cancels_per_day_max;
    for i in 0..leg.orders.len() {
        let o = leg.orders[i];
        if !o.is_live() || o.tif != Tif::Limit || o.cancel_sent || !which(&o) {
            continue;
        }
        let used = ctx.day_use[l].cancels + acts.cancels_sent[l];
        if used >= limit {
            if !leg.refused_cancel {
                leg.refused_cancel = true;
                refused(
                    id,
                    leg.instrument,
                    l,
                    REFUSED_CANCEL,
                    used,
                    limit,
                    ctx,
                    acts,
                );
            }
            return;
        }
        leg.orders[i].cancel_sent = true;
        acts.cancels_sent[l] += 1;
        let kind = RequestKind::Cancel;
        acts.order(OrderRequest {
            order: o.id,
            instrument: leg.instrument,
            kind,
            ts: ctx.now,
        });
        let p = payload(id, o.id, leg.instrument, leg_code(l));
        acts.receipt(Kind::CancelNew, ctx.now, p);
    }
}

#[allow(clippy::too_many_arguments)]
fn refused(
    ticket: u32,
    instrument: crate::domain::InstrumentId,
    l: usize,
    what: u16,
    used: u32,
    limit: u32,
    ctx: &StepCtx,
    acts: &mut Actions,
) {
    let p = Payload {
        code: Refusal::DailyBudget as u16,
        code2: what,
        a: i64::from(used),
        b: i64::from(limit),
        ..payload(ticket, OrderId(0), instrument, leg_code(l))
    };
    acts.receipt(Kind::Refused, ctx.now, p);
}

/// Moves the ticket to `new`, writing `TicketState` (and `TicketClose` for a closed state).
/// `TicketState`: `a` = reason, `b`/`c` = signed domestic/overseas lots of unknown fate.
pub(crate) fn transition(
    s: &mut TicketState,
    new: Phase,
    reason: Reason,
    ctx: &StepCtx,
    acts: &mut Actions,
) {
    let old = s.phase;
    s.phase = new;
    let p = Payload {
        code: new as u16,
        code2: old as u16,
        a: reason as i64,
        b: s.legs[DOM].uncertain().0,
        c: s.legs[OVS].uncertain().0,
        ..payload(s.id, OrderId(0), s.legs[DOM].instrument, 0)
    };
    acts.receipt(Kind::TicketState, ctx.now, p);
    if let Some(outcome) = new.outcome() {
        let net = |l: usize| s.legs[l].side.sign() * s.legs[l].net().0;
        let p = Payload {
            code: outcome as u16,
            qty: Qty(s.balanced_multiple()),
            a: net(DOM),
            b: net(OVS),
            c: s.legs[DOM].slippage_lot_ticks + s.legs[OVS].slippage_lot_ticks,
            ..payload(s.id, OrderId(0), s.legs[DOM].instrument, 0)
        };
        acts.receipt(Kind::TicketClose, ctx.now, p);
    }
}

/// Records an input that cannot happen in the ticket's state (`TicketState` with
/// `code` = `code2` = current state, `a` = [`Reason::IgnoredInput`]).
pub(crate) fn ignored_input(s: &TicketState, ctx: &StepCtx, acts: &mut Actions) {
    let p = Payload {
        code: s.phase as u16,
        code2: s.phase as u16,
        a: Reason::IgnoredInput as i64,
        ..payload(s.id, OrderId(0), s.legs[DOM].instrument, 0)
    };
    acts.receipt(Kind::TicketState, ctx.now, p);
}
