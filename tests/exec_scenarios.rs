//! Incident scenarios of the two-leg executor, driven through `Executor` with hand-written
//! execution reports. Ticket: sell 5 domestic (trigger 7000) / buy 1 overseas (trigger 9000)
//! unless a test says otherwise; slippage 2, backfill bound 5, rollback bound 8 ticks.

mod exec_support;

use crossarb::config::{ExecMode, Leg, OrderStyle};
use crossarb::domain::{Px, Qty, Side};
use crossarb::exec::codes::{
    anomaly, Outcome, Phase, Purpose, Reason, LEG_DOMESTIC, LEG_OVERSEAS, REFUSED_CANCEL,
};
use crossarb::exec::msg::{OrderId, RequestKind, Tif};
use crossarb::receipt::event::{Kind, Refusal};
use exec_support::*;

const W: u16 = Phase::Working as u16;
const BF: u16 = Phase::Backfilling as u16;
const RB: u16 = Phase::RollingBack as u16;
const BAL: u16 = Phase::Balanced as u16;
const RBD: u16 = Phase::RolledBack as u16;
const STUCK: u16 = Phase::Stuck as u16;

fn ioc() -> Harness {
    Harness::new(execution(ExecMode::Concurrent, OrderStyle::Ioc))
}

fn new_of(r: &crossarb::exec::msg::OrderRequest) -> (Side, Px, Qty, Tif) {
    match r.kind {
        RequestKind::New { side, px, qty, tif } => (side, px, qty, tif),
        RequestKind::Cancel => panic!("expected a new order, got a cancel of {:?}", r.order),
    }
}

#[test]
fn concurrent_open_sends_both_legs_at_trigger_plus_slippage() {
    let mut h = ioc();
    let id = h.open(&spec(5, 1));
    let sent = h.take_orders();
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[0].order, sent[0].instrument), (OrderId(1), DOM_ID));
    assert_eq!(new_of(&sent[0]), (Side::Sell, Px(6_998), Qty(5), Tif::Ioc));
    assert_eq!((sent[1].order, sent[1].instrument), (OrderId(2), OVS_ID));
    assert_eq!(new_of(&sent[1]), (Side::Buy, Px(9_002), Qty(1), Tif::Ioc));
    let open = h.last(Kind::TicketOpen).unwrap().payload;
    assert_eq!(
        (open.ticket, open.qty, open.a, open.px, open.b),
        (id, Qty(5), 1, DOM_TRIGGER, 9_000)
    );
    assert_eq!(h.purpose(OrderId(1)), Purpose::Entry as u16);
    assert_eq!(h.states(), vec![W]);
}

#[test]
fn passive_leg_rejected_is_backfilled_within_budget() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).ack(OrderId(1));
    h.fill(OrderId(1), 5);
    // The overseas book moved up 4 ticks before the reject came back.
    h.mkt.ovs.ask = Px(9_004);
    h.at(ms(3)).reject(OrderId(2));
    let sent = h.take_orders();
    assert_eq!(sent.len(), 1, "one backfill for the missing overseas lot");
    assert_eq!(sent[0].instrument, OVS_ID);
    // ask 9004 + slippage 2 = 9006 is past trigger + 5: capped at 9005.
    assert_eq!(new_of(&sent[0]), (Side::Buy, Px(9_005), Qty(1), Tif::Ioc));
    assert_eq!(h.purpose(sent[0].order), Purpose::Backfill as u16);
    h.at(ms(4)).fill(sent[0].order, 1);
    assert_eq!(h.states(), vec![W, BF, BAL]);
    let close = h.last(Kind::TicketClose).unwrap().payload;
    assert_eq!(close.code, Outcome::Balanced as u16);
    assert_eq!((close.a, close.b), (-5, 1));
    // Slippage lot-ticks: 5 × (7000 − 6998) + 1 × (9005 − 9000).
    assert_eq!(close.c, 15);
    assert_eq!(
        (h.ex.position(DOM_ID), h.ex.position(OVS_ID)),
        (Qty(-5), Qty(1))
    );
    assert_eq!(h.ex.open_tickets(), 0);
    assert_eq!(h.ex.day_use(Leg::Overseas).orders, 2);
    assert_eq!(h.ex.exposure().since, None);
}

#[test]
fn backfill_never_prices_beyond_its_bound() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.mkt.ovs.ask = Px(9_006); // one tick beyond trigger + 5
    h.at(ms(2)).reject(OrderId(2));
    assert!(h.take_orders().is_empty(), "no backfill beyond the bound");
    h.timer(ms(100));
    assert!(h.take_orders().is_empty());
    h.mkt.ovs.ask = Px(9_003); // back inside: the next call backfills at 9005
    h.timer(ms(101));
    let sent = h.take_orders();
    assert_eq!(new_of(&sent[0]), (Side::Buy, Px(9_005), Qty(1), Tif::Ioc));
}

#[test]
fn backfill_exhausted_rolls_back() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.reject(OrderId(2));
    let b1 = h.take_orders()[0].order;
    h.at(ms(2)).reject(b1);
    let b2 = h.take_orders()[0].order;
    assert_eq!(h.purpose(b2), Purpose::Backfill as u16);
    assert_eq!(
        h.last(Kind::OrderNew).unwrap().payload.a,
        2,
        "second attempt"
    );
    h.at(ms(3)).done(b2, 1); // IOC expired unfilled: attempts (2) used up
    let sent = h.take_orders();
    assert_eq!(sent.len(), 1, "only the filled domestic leg is unwound");
    assert_eq!(sent[0].instrument, DOM_ID);
    // Buy back at ask 7001 + 2, inside avg fill 6998 + 8.
    assert_eq!(new_of(&sent[0]), (Side::Buy, Px(7_003), Qty(5), Tif::Ioc));
    assert_eq!(h.purpose(sent[0].order), Purpose::Rollback as u16);
    let to_rb = h
        .receipts
        .iter()
        .find(|e| e.kind == Kind::TicketState && e.payload.code == RB)
        .unwrap();
    assert_eq!(to_rb.payload.a, Reason::BackfillExhausted as i64);
    h.at(ms(4)).fill(sent[0].order, 5);
    assert_eq!(h.states(), vec![W, BF, RB, RBD]);
    let close = h.last(Kind::TicketClose).unwrap().payload;
    assert_eq!(
        (close.code, close.a, close.b, close.qty),
        (Outcome::RolledBack as u16, 0, 0, Qty(0))
    );
    assert_eq!(
        (h.ex.position(DOM_ID), h.ex.position(OVS_ID)),
        (Qty(0), Qty(0))
    );
    assert_eq!(
        close.c,
        10 + 15,
        "entry 2 ticks × 5 plus unwind 3 ticks × 5"
    );
}

#[test]
fn partial_fills_on_both_legs_end_balanced() {
    let mut h = ioc();
    h.open(&spec(10, 2));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 3);
    h.fill(OrderId(2), 1);
    assert!(
        h.take_orders().is_empty(),
        "nothing to repair while both orders are live"
    );
    h.at(ms(2)).done(OrderId(1), 7);
    let bd = h.take_orders();
    assert_eq!(
        (bd.len(), bd[0].instrument, new_of(&bd[0]).2),
        (1, DOM_ID, Qty(7))
    );
    h.done(OrderId(2), 1);
    let bo = h.take_orders();
    assert_eq!(
        (bo.len(), bo[0].instrument, new_of(&bo[0]).2),
        (1, OVS_ID, Qty(1))
    );
    h.at(ms(3)).fill(bd[0].order, 4);
    h.fill(bo[0].order, 1);
    assert_eq!(h.ex.open_tickets(), 1, "3 domestic lots still working");
    h.fill(bd[0].order, 3);
    assert_eq!(h.states(), vec![W, BF, BAL]);
    assert_eq!(
        (h.ex.position(DOM_ID), h.ex.position(OVS_ID)),
        (Qty(-10), Qty(2))
    );
    assert!(h.take_orders().is_empty());
}

#[test]
fn partial_fills_beyond_a_balanced_multiple_unwind_only_the_excess() {
    let mut e = execution(ExecMode::Concurrent, OrderStyle::Ioc);
    e.backfill_attempts_max = 0;
    let mut h = Harness::new(e);
    h.open(&spec(10, 2));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 7);
    h.fill(OrderId(2), 1);
    h.done(OrderId(2), 1); // no backfill allowed: roll back to the largest multiple (k = 1)
    assert!(
        h.take_orders().is_empty(),
        "domestic still live: nothing unwound yet"
    );
    h.done(OrderId(1), 3);
    let sent = h.take_orders();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].instrument, new_of(&sent[0]).0, new_of(&sent[0]).2),
        (DOM_ID, Side::Buy, Qty(2))
    );
    h.at(ms(2)).fill(sent[0].order, 2);
    let close = h.last(Kind::TicketClose).unwrap().payload;
    assert_eq!(
        (close.code, close.qty, close.a, close.b),
        (Outcome::RolledBack as u16, Qty(1), -5, 1)
    );
    assert_eq!(h.ex.exposure().dom_naked, Qty(0));
}

#[test]
fn ack_timeout_then_late_fill_is_not_guessed() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).ack(OrderId(1));
    h.fill(OrderId(1), 5);
    assert_eq!(
        h.ex.next_deadline(),
        Some(ms(50)),
        "ack timeout of the overseas order"
    );
    h.timer(ms(49));
    assert_eq!(h.count(Kind::AckTimeout), 0);
    h.timer(ms(50));
    let to = h.last(Kind::AckTimeout).unwrap().payload;
    assert_eq!((to.order, to.leg, to.qty), (2, LEG_OVERSEAS, Qty(1)));
    let x = h.ex.exposure();
    assert_eq!(
        (x.dom_naked, x.ovs_uncertain, x.since),
        (Qty(-5), Qty(1), Some(ms(1)))
    );
    // Neither filled (no unwind) nor unfilled (no backfill), through the backfill deadline.
    for t in [100, 499, 500, 1_000] {
        h.timer(ms(t));
    }
    assert!(
        h.take_orders().is_empty(),
        "no order while the overseas lot's fate is unknown"
    );
    assert_eq!(h.states(), vec![W, RB]);
    h.at(ms(1_200)).fill(OrderId(2), 1);
    assert_eq!(h.states(), vec![W, RB, BAL]);
    assert_eq!(h.last(Kind::Fill).unwrap().payload.code2, anomaly::NONE);
    assert_eq!(h.ex.exposure(), Default::default());
}

#[test]
fn ack_timeout_then_late_reject_unwinds_only_then() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.timer(ms(50));
    h.timer(ms(500));
    assert!(h.take_orders().is_empty());
    h.at(ms(900)).reject(OrderId(2));
    let sent = h.take_orders();
    assert_eq!((sent.len(), sent[0].instrument), (1, DOM_ID));
    assert_eq!(h.purpose(sent[0].order), Purpose::Rollback as u16);
}

#[test]
fn ticket_deadline_with_an_order_of_unknown_fate_ends_stuck_and_says_so() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.at(ms(1)).fill(OrderId(1), 5);
    h.timer(ms(50));
    h.timer(ms(2_000));
    let st = h
        .receipts
        .iter()
        .rev()
        .find(|e| e.kind == Kind::TicketState)
        .unwrap()
        .payload;
    assert_eq!(
        (st.code, st.a, st.c),
        (STUCK, Reason::TicketDeadline as i64, 1)
    );
    let close = h.last(Kind::TicketClose).unwrap().payload;
    assert_eq!(
        (close.code, close.a, close.b),
        (Outcome::Stuck as u16, -5, 0)
    );
    assert_eq!(h.ex.stuck_tickets(), 1);
    // A late fill still moves the position and is flagged as after close.
    h.at(ms(3_000)).fill(OrderId(2), 1);
    assert_eq!(h.ex.position(OVS_ID), Qty(1));
    assert_eq!(
        h.last(Kind::Fill).unwrap().payload.code2,
        anomaly::AFTER_CLOSE
    );
}

#[test]
fn closed_session_mid_repair_does_not_chase() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.mkt.ovs.tradable = false; // overseas session closed between the send and the reject
    h.at(ms(2)).reject(OrderId(2));
    for t in [10, 100, 300, 499] {
        h.timer(ms(t));
    }
    assert!(
        h.take_orders().is_empty(),
        "no backfill into a closed session"
    );
    assert_eq!(h.states(), vec![W, BF]);
    // Backfill deadline: roll back the domestic leg, whose market is open.
    h.timer(ms(500));
    let sent = h.take_orders();
    assert_eq!((sent.len(), sent[0].instrument), (1, DOM_ID));
    assert!(
        h.orders.iter().filter(|o| o.instrument == OVS_ID).count() == 1,
        "only the entry"
    );
    h.at(ms(501)).fill(sent[0].order, 5);
    assert_eq!(h.states(), vec![W, BF, RB, RBD]);
}

#[test]
fn closed_sessions_on_both_legs_leave_the_ticket_stuck_at_its_deadline() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.mkt.ovs.tradable = false;
    h.mkt.dom.tradable = false; // domestic hits its limit price: locked
    h.at(ms(2)).reject(OrderId(2));
    for t in [500, 1_000, 1_999, 2_000] {
        h.timer(ms(t));
    }
    assert!(
        h.take_orders().is_empty(),
        "nothing sent into closed or locked books"
    );
    assert_eq!(h.states(), vec![W, BF, RB, STUCK]);
    let close = h.last(Kind::TicketClose).unwrap().payload;
    assert_eq!(
        (close.code, close.a, close.b),
        (Outcome::Stuck as u16, -5, 0)
    );
    assert_eq!((h.ex.stuck_tickets(), h.ex.open_tickets()), (1, 0));
    assert_eq!(h.ex.exposure().dom_naked, Qty(-5));
    assert_eq!(h.ex.next_deadline(), None);
}

#[test]
fn market_reopening_before_the_backfill_deadline_resumes_the_backfill() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.mkt.ovs.tradable = false;
    h.at(ms(2)).reject(OrderId(2));
    assert!(h.take_orders().is_empty());
    h.mkt.ovs.tradable = true;
    h.timer(ms(200));
    let sent = h.take_orders();
    assert_eq!((sent.len(), sent[0].instrument), (1, OVS_ID));
    assert_eq!(h.purpose(sent[0].order), Purpose::Backfill as u16);
}

fn limit_harness(dom_cancels: u32) -> Harness {
    let mut e = execution(ExecMode::Concurrent, OrderStyle::Limit);
    e.domestic.cancels_per_day_max = dom_cancels;
    let mut h = Harness::new(e);
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).ack(OrderId(1));
    h.ack(OrderId(2));
    h.fill(OrderId(2), 1); // overseas filled; the domestic limit order rests
    h
}

#[test]
fn daily_cancel_budget_stops_repairs() {
    let mut h = limit_harness(0);
    h.timer(ms(500));
    assert!(
        h.take_orders().is_empty(),
        "no cancel beyond the budget, no unwind beside a live order"
    );
    let refused = h.last(Kind::Refused).unwrap().payload;
    assert_eq!(refused.code, Refusal::DailyBudget as u16);
    assert_eq!(
        (refused.code2, refused.leg, refused.b),
        (REFUSED_CANCEL, LEG_DOMESTIC, 0)
    );
    h.timer(ms(1_000));
    assert_eq!(h.count(Kind::Refused), 1, "refusal recorded once");
    h.timer(ms(2_000));
    assert!(h.take_orders().is_empty());
    assert_eq!(h.states(), vec![W, RB, STUCK]);
    assert_eq!(h.ex.stuck_tickets(), 1);
    assert_eq!(h.ex.day_use(Leg::Domestic).cancels, 0);
}

#[test]
fn cancel_within_budget_lets_the_repair_finish() {
    let mut h = limit_harness(50);
    h.timer(ms(500));
    let sent = h.take_orders();
    assert_eq!(
        (sent.len(), sent[0].order, sent[0].kind),
        (1, OrderId(1), RequestKind::Cancel)
    );
    assert_eq!(h.count(Kind::CancelNew), 1);
    h.at(ms(501)).done(OrderId(1), 5);
    let sent = h.take_orders();
    assert_eq!(
        (sent[0].instrument, new_of(&sent[0]).0),
        (OVS_ID, Side::Sell)
    );
    h.fill(sent[0].order, 1);
    assert_eq!(h.states(), vec![W, RB, RBD]);
    assert_eq!(h.ex.day_use(Leg::Domestic).cancels, 1);
}

#[test]
fn daily_order_budget_refuses_backfill_and_rolls_back() {
    let mut e = execution(ExecMode::Concurrent, OrderStyle::Ioc);
    e.overseas.orders_per_day_max = 1;
    let mut h = Harness::new(e);
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.reject(OrderId(2));
    let refused = h.last(Kind::Refused).unwrap().payload;
    assert_eq!(
        (refused.code, refused.code2, refused.a, refused.b),
        (Refusal::DailyBudget as u16, Purpose::Backfill as u16, 1, 1)
    );
    let sent = h.take_orders();
    assert_eq!(
        (sent.len(), sent[0].instrument),
        (1, DOM_ID),
        "rollback instead of the refused backfill"
    );
    h.fill(sent[0].order, 5);
    assert_eq!(h.states(), vec![W, BF, RB, RBD]);
    // The next ticket is refused outright until the next trading day.
    let err =
        h.ex.open(&spec(5, 1), ms(10), &h.mkt, &mut h.out)
            .unwrap_err();
    assert_eq!(
        err,
        crossarb::exec::OpenError::DailyBudget {
            leg: Leg::Overseas,
            used: 1,
            limit: 1
        }
    );
    h.ex.start_trading_day(20_250_102);
    h.out.clear();
    assert!(h.ex.open(&spec(5, 1), ms(11), &h.mkt, &mut h.out).is_ok());
}

#[test]
fn lead_lag_sends_less_liquid_leg_first() {
    let mut h = Harness::new(execution(ExecMode::LeadLag, OrderStyle::Ioc));
    h.mkt.ovs.ask_qty = Qty(2); // 2 shown for 1 wanted vs domestic 40 for 5: overseas leads
    h.open(&spec(5, 1));
    let sent = h.take_orders();
    assert_eq!((sent.len(), sent[0].instrument), (1, OVS_ID));
    assert_eq!(
        h.last(Kind::TicketOpen).unwrap().payload.code2,
        u16::from(LEG_OVERSEAS)
    );
    h.at(ms(1)).fill(sent[0].order, 1);
    let lag = h.take_orders();
    assert_eq!(lag.len(), 1);
    assert_eq!(new_of(&lag[0]), (Side::Sell, Px(6_998), Qty(5), Tif::Ioc));
    assert_eq!(h.purpose(lag[0].order), Purpose::Entry as u16);
    h.fill(lag[0].order, 5);
    assert_eq!(h.states(), vec![W, BAL]);
}

#[test]
fn lead_lag_lag_follows_the_lead_fill_by_fill_in_the_ratio() {
    let mut h = Harness::new(execution(ExecMode::LeadLag, OrderStyle::Ioc));
    h.mkt.dom.bid_qty = Qty(10); // 10 shown for 10 wanted vs overseas 8 for 2: domestic leads
    h.open(&spec(10, 2));
    let lead = h.take_orders();
    assert_eq!((lead.len(), lead[0].instrument), (1, DOM_ID));
    h.at(ms(1)).fill(lead[0].order, 3);
    assert!(
        h.take_orders().is_empty(),
        "3 of 10 covers no whole overseas lot"
    );
    h.fill(lead[0].order, 2);
    let lag1 = h.take_orders();
    assert_eq!((lag1[0].instrument, new_of(&lag1[0]).2), (OVS_ID, Qty(1)));
    h.fill(lead[0].order, 5);
    let lag2 = h.take_orders();
    assert_eq!((lag2[0].instrument, new_of(&lag2[0]).2), (OVS_ID, Qty(1)));
    h.fill(lag1[0].order, 1);
    h.fill(lag2[0].order, 1);
    assert_eq!(h.states(), vec![W, BAL]);
}

#[test]
fn reports_for_unknown_orders_are_recorded_not_applied() {
    let mut h = ioc();
    h.open(&spec(5, 1));
    let rep = report(
        OrderId(77),
        DOM_ID,
        crossarb::exec::msg::ReportKind::Fill {
            px: Px(1),
            qty: Qty(3),
        },
        ms(1),
    );
    h.ex.on_report(&rep, ms(1), &h.mkt, &mut h.out);
    let e = h.out.receipts()[0];
    assert_eq!(
        (e.kind, e.payload.ticket, e.payload.code2),
        (Kind::Fill, 0, anomaly::UNKNOWN_ORDER)
    );
    assert_eq!(h.ex.position(DOM_ID), Qty(0));
}

#[test]
fn repair_waits_for_a_fresh_quote_instead_of_hitting_the_same_book() {
    // Regression (seed sweep): an unwind that found the displayed size already taken was
    // retried three times within a millisecond against the same book, used up its attempts and
    // left the ticket stuck. A retry now waits for a newer view of that leg's market.
    let mut h = ioc();
    h.mkt.dom.ts = ms(0);
    h.mkt.ovs.ts = ms(0);
    h.open(&spec(5, 1));
    h.take_orders();
    h.at(ms(1)).fill(OrderId(1), 5);
    h.reject(OrderId(2));
    let b1 = h.take_orders();
    assert_eq!(b1.len(), 1, "first backfill goes out on the current view");
    h.at(ms(2)).done(b1[0].order, 1);
    assert!(
        h.take_orders().is_empty(),
        "no retry against the same overseas book"
    );
    h.timer(ms(3));
    assert!(
        h.take_orders().is_empty(),
        "still the same book: still no retry"
    );
    h.mkt.ovs.ts = ms(3);
    h.timer(ms(4));
    let b2 = h.take_orders();
    assert_eq!(b2.len(), 1, "a newer quote allows the second attempt");
    assert_eq!(h.purpose(b2[0].order), Purpose::Backfill as u16);
}
