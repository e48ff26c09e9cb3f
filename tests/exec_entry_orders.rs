//! `Executor::entry_orders`: the orders the engine sends ahead of `Executor::open` must be
//! exactly the ones `open` then decides, and it must not answer where `open` would refuse or
//! send anything else (lead/lag, closed market, budget used up, no free slot, past deadline).

mod exec_support;

use crossarb::config::{ExecMode, Execution, OrderStyle};
use crossarb::exec::msg::{OrderRequest, RequestKind, Tif};
use crossarb::exec::{Executor, MarketView, Outbox, TicketSpec};
use exec_support::*;

/// `entry_orders` then `open` on the same executor; the orders `open` put in the outbox.
fn both(
    ex: &mut Executor,
    spec: &TicketSpec,
    mkt: &MarketView,
) -> (Option<[OrderRequest; 2]>, Vec<OrderRequest>) {
    let early = ex.entry_orders(spec, T0, mkt);
    let mut out = Outbox::new();
    let opened = ex.open(spec, T0, mkt, &mut out).is_ok();
    if early.is_some() {
        assert!(opened, "entry_orders answered for a ticket open refused");
    }
    let sent = out.orders().to_vec();
    (early, sent)
}

#[test]
fn entry_orders_are_the_orders_open_sends_in_every_concurrent_case_that_opens() {
    for style in [OrderStyle::Ioc, OrderStyle::Limit] {
        for (dq, oq) in [(1, 1), (5, 1), (3, 7)] {
            let mut ex = Executor::new(&execution(ExecMode::Concurrent, style), DOM_ID, OVS_ID);
            let (early, sent) = both(&mut ex, &spec(dq, oq), &market());
            let early = early.expect("a plain concurrent ticket's entries are known");
            assert_eq!(sent, early.to_vec(), "{style:?} {dq}x{oq}");
            let tif = if style == OrderStyle::Ioc {
                Tif::Ioc
            } else {
                Tif::Limit
            };
            assert!(matches!(early[0].kind, RequestKind::New { tif: t, .. } if t == tif));
            // The next ticket's entries take the next ids.
            let (next, sent) = both(&mut ex, &spec(dq, oq), &market());
            assert_eq!(sent, next.expect("second ticket").to_vec());
            assert_eq!(next.unwrap()[0].order.0, early[1].order.0 + 1);
        }
    }
}

#[test]
fn entry_orders_do_not_answer_for_lead_lag_tickets() {
    let mut ex = Executor::new(
        &execution(ExecMode::LeadLag, OrderStyle::Ioc),
        DOM_ID,
        OVS_ID,
    );
    let (early, sent) = both(&mut ex, &spec(5, 1), &market());
    assert_eq!(early, None);
    assert_eq!(sent.len(), 1, "lead/lag sends the lead leg alone");
}

#[test]
fn entry_orders_do_not_answer_when_either_leg_is_not_tradable() {
    for leg in 0..2 {
        let mut mkt = market();
        if leg == 0 {
            mkt.dom.tradable = false;
        } else {
            mkt.ovs.tradable = false;
        }
        let exec = execution(ExecMode::Concurrent, OrderStyle::Ioc);
        let mut ex = Executor::new(&exec, DOM_ID, OVS_ID);
        let (early, sent) = both(&mut ex, &spec(1, 1), &mkt);
        assert_eq!(early, None, "leg {leg} closed");
        assert!(sent.is_empty());
    }
}

#[test]
fn entry_orders_do_not_answer_once_a_legs_daily_budget_is_used() {
    for leg in 0..2 {
        let mut exec: Execution = execution(ExecMode::Concurrent, OrderStyle::Ioc);
        if leg == 0 {
            exec.domestic.orders_per_day_max = 1;
        } else {
            exec.overseas.orders_per_day_max = 1;
        }
        let mut ex = Executor::new(&exec, DOM_ID, OVS_ID);
        let (first, _) = both(&mut ex, &spec(1, 1), &market());
        assert!(first.is_some(), "the first ticket is within budget");
        let (early, sent) = both(&mut ex, &spec(1, 1), &market());
        assert_eq!(early, None, "leg {leg} budget used");
        assert!(sent.is_empty());
    }
}

#[test]
fn entry_orders_do_not_answer_when_every_ticket_slot_is_taken() {
    let exec = execution(ExecMode::Concurrent, OrderStyle::Ioc);
    let mut ex = Executor::new(&exec, DOM_ID, OVS_ID);
    let mut opened = 0;
    while both(&mut ex, &spec(1, 1), &market()).0.is_some() {
        opened += 1;
        assert!(opened <= 64, "the ticket table never filled");
    }
    assert_eq!(
        ex.open_tickets(),
        opened,
        "refused only once the table was full"
    );
    let mut out = Outbox::new();
    assert!(ex.open(&spec(1, 1), T0, &market(), &mut out).is_err());
}

#[test]
fn entry_orders_do_not_answer_past_either_deadline() {
    for late_ms in [500, 2_000, 5_000] {
        let exec = execution(ExecMode::Concurrent, OrderStyle::Ioc);
        let mut ex = Executor::new(&exec, DOM_ID, OVS_ID);
        let mut s = spec(1, 1);
        s.opened_at = ms(-late_ms);
        let (early, sent) = both(&mut ex, &s, &market());
        assert_eq!(early, None, "opened {late_ms} ms ago");
        assert!(
            sent.is_empty(),
            "a ticket past its backfill deadline sends no entry"
        );
    }
}
