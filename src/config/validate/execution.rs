//! `[execution]` and its per-leg tables: mode, order style, timeouts, repair budgets.

use super::{At, Ctx, B, U32_MAX};
use crate::config::raw::{RawExecution, RawLegExec, S};
use crate::config::{ExecMode, Execution, LegExec, OrderStyle};

const MODES: [(&str, ExecMode); 2] = [
    ("concurrent", ExecMode::Concurrent),
    ("lead_lag", ExecMode::LeadLag),
];
const STYLES: [(&str, OrderStyle); 2] = [("ioc", OrderStyle::Ioc), ("limit", OrderStyle::Limit)];

/// Validates `[execution]`.
pub(super) fn execution(cx: &mut Ctx<'_>, top: &At, raw: &S<RawExecution>) -> Option<Execution> {
    let t = cx.req(top, "execution", raw)?;
    let at = top.sub("execution", t);
    let r = t.get_ref();
    let mode = cx.choice(&at, "mode", &r.mode, &MODES);
    let order_style = cx.choice(&at, "order_style", &r.order_style, &STYLES);
    let ack_timeout_ms = cx.int(&at, "ack_timeout_ms", &r.ack_timeout_ms, &[B::Gt(0)]);
    let backfill_attempts_max = cx.int(
        &at,
        "backfill_attempts_max",
        &r.backfill_attempts_max,
        &[B::Ge(0), B::Le(U32_MAX)],
    );
    let backfill_deadline_ms = cx.int(
        &at,
        "backfill_deadline_ms",
        &r.backfill_deadline_ms,
        &[B::Gt(0)],
    );
    // At least one unwind attempt: a ticket that cannot roll back goes straight to a human.
    let rollback_attempts_max = cx.int(
        &at,
        "rollback_attempts_max",
        &r.rollback_attempts_max,
        &[B::Ge(1), B::Le(U32_MAX)],
    );
    let ticket_deadline_ms = cx.int(
        &at,
        "ticket_deadline_ms",
        &r.ticket_deadline_ms,
        &[B::Gt(0)],
    );
    if let (Some(b), Some(t), Some(f)) = (
        backfill_deadline_ms,
        ticket_deadline_ms,
        &r.backfill_deadline_ms,
    ) {
        if b > t {
            let msg = format!("must be ≤ execution.ticket_deadline_ms ({b} > {t})");
            cx.err(at.field("backfill_deadline_ms"), Some(&f.span()), msg);
        }
    }
    let domestic = cx
        .req(&at, "domestic", &r.domestic)
        .and_then(|l| leg(cx, &at.sub("domestic", l), l.get_ref()));
    let overseas = cx
        .req(&at, "overseas", &r.overseas)
        .and_then(|l| leg(cx, &at.sub("overseas", l), l.get_ref()));
    if backfill_deadline_ms > ticket_deadline_ms {
        return None;
    }
    Some(Execution {
        mode: mode?,
        order_style: order_style?,
        domestic: domestic?,
        overseas: overseas?,
        ack_timeout_ms: ack_timeout_ms?,
        backfill_attempts_max: u32::try_from(backfill_attempts_max?).ok()?,
        backfill_deadline_ms: backfill_deadline_ms?,
        rollback_attempts_max: u32::try_from(rollback_attempts_max?).ok()?,
        ticket_deadline_ms: ticket_deadline_ms?,
    })
}

fn leg(cx: &mut Ctx<'_>, at: &At, r: &RawLegExec) -> Option<LegExec> {
    let slippage_ticks = cx.int(at, "slippage_ticks", &r.slippage_ticks, &[B::Ge(0)]);
    let backfill = cx.int(
        at,
        "backfill_slippage_ticks_max",
        &r.backfill_slippage_ticks_max,
        &[B::Ge(0)],
    );
    let rollback = cx.int(
        at,
        "rollback_slippage_ticks_max",
        &r.rollback_slippage_ticks_max,
        &[B::Ge(0)],
    );
    let per_day = [B::Ge(1), B::Le(U32_MAX)];
    let orders = cx.int(at, "orders_per_day_max", &r.orders_per_day_max, &per_day);
    let cancels = cx.int(at, "cancels_per_day_max", &r.cancels_per_day_max, &per_day);
    if let (Some(s), Some(b), Some(f)) = (slippage_ticks, backfill, &r.backfill_slippage_ticks_max)
    {
        if b < s {
            let msg = format!("must be ≥ {} ({b} < {s})", at.field("slippage_ticks"));
            cx.err(
                at.field("backfill_slippage_ticks_max"),
                Some(&f.span()),
                msg,
            );
            return None;
        }
    }
    Some(LegExec {
        slippage_ticks: slippage_ticks?,
        backfill_slippage_ticks_max: backfill?,
        rollback_slippage_ticks_max: rollback?,
        orders_per_day_max: u32::try_from(orders?).ok()?,
        cancels_per_day_max: u32::try_from(cancels?).ok()?,
    })
}
