//! Exhaustive (state × input) table of the pure ticket step function. Every reachable state of
//! the ticket machine (built by stepping from `Pending`) meets every input kind, including the
//! impossible ones (open twice, reports for unknown or ended orders, overfills, wrong
//! instrument, time running backwards); the table pins the resulting state, the orders sent and
//! the receipts written. Ticket: sell 10 domestic / buy 2 overseas (unit 5:1), concurrent IOC,
//! one backfill attempt, ack timeout 50 ms, backfill deadline 500 ms, ticket deadline 2 s.
//!
//! Summary format: `Phase | orders | receipts`. Orders: `+d`/`+o` (leg) + `E`/`B`/`R` (entry,
//! backfill, rollback) + lots, or `x<id>` for a cancel. Receipts: kind names, `ticket_state:<new>`,
//! `!<code2>` for an order-event anomaly (1 unknown, 2 order ended, 3 overfill, 4 instrument,
//! 5 after close, 6 bad qty). Set `EXEC_TABLE_PRINT=1` to print the table as observed.

mod exec_support;

use crossarb::config::{ExecMode, OrderStyle};
use crossarb::domain::{InstrumentId, Px, Qty, TsNs};
use crossarb::exec::codes::{Phase, Purpose};
use crossarb::exec::msg::{OrderId, RejectReason, ReportKind, RequestKind};
use crossarb::exec::step::{step, step_in_place, DayUse, Input, StepCtx};
use crossarb::exec::ticket::OrderStatus;
use crossarb::exec::{Actions, MarketView, Params, TicketState};
use crossarb::receipt::event::Kind;
use exec_support::*;

fn params() -> Params {
    let mut e = execution(ExecMode::Concurrent, OrderStyle::Ioc);
    e.backfill_attempts_max = 1;
    Params::from_config(&e)
}

/// A ticket plus the world around it while it is built up.
#[derive(Clone, Copy)]
struct Fixture {
    t: TicketState,
    mkt: MarketView,
    next_order: u32,
    now: TsNs,
}

impl Fixture {
    fn ctx<'a>(&self, p: &'a Params, mkt: &'a MarketView, now: TsNs) -> StepCtx<'a> {
        StepCtx {
            now,
            mkt,
            params: p,
            next_order: self.next_order,
            day_use: [DayUse::default(); 2],
        }
    }

    fn apply(mut self, input: Input, now: TsNs) -> Fixture {
        let p = params();
        let mkt = self.mkt;
        let (t, acts) = step(&self.t, &input, &self.ctx(&p, &mkt, now));
        self.t = t;
        self.next_order += acts.ids_used;
        self.now = now;
        self
    }

    fn rep(self, order: u32, kind: ReportKind, now: TsNs) -> Fixture {
        let instrument = self.instrument(OrderId(order));
        self.apply(
            Input::Report(report(OrderId(order), instrument, kind, now)),
            now,
        )
    }

    fn instrument(&self, id: OrderId) -> InstrumentId {
        self.t
            .find(id)
            .map_or(DOM_ID, |(l, _)| self.t.legs[l].instrument)
    }

    /// The most recently sent order, if any.
    fn newest(&self) -> Option<(OrderId, TsNs, Qty, Qty)> {
        let all = self.t.legs.iter().flat_map(|l| l.orders.iter());
        all.filter(|o| o.status != OrderStatus::Empty)
            .max_by_key(|o| o.id)
            .map(|o| (o.id, o.sent_at, o.qty, o.filled))
    }
}

fn fill(px: i64, qty: i64) -> ReportKind {
    ReportKind::Fill {
        px: Px(px),
        qty: Qty(qty),
    }
}
const REJ: ReportKind = ReportKind::Rejected(RejectReason::Venue);

fn states() -> Vec<(&'static str, Fixture)> {
    let pending = Fixture {
        t: TicketState::new(1, &spec(10, 2)),
        mkt: market(),
        next_order: 1,
        now: T0,
    };
    let unacked = pending.apply(Input::Open, T0);
    let acked = unacked
        .rep(1, ReportKind::Ack, ms(1))
        .rep(2, ReportKind::Ack, ms(1));
    let timed_out = unacked.apply(Input::Timer, ms(50));
    let dom_filled = acked.rep(1, fill(6_998, 10), ms(2));
    let bf_live = dom_filled.rep(2, REJ, ms(2));
    let mut bf_wait = dom_filled;
    bf_wait.mkt.ovs.tradable = false;
    let bf_wait = bf_wait.rep(2, REJ, ms(2));
    let rb_live = bf_live.rep(3, REJ, ms(3));
    let mut rb_wait = bf_live;
    rb_wait.mkt.dom.tradable = false;
    let rb_wait = rb_wait.rep(3, REJ, ms(3));
    let balanced = dom_filled.rep(2, fill(9_002, 2), ms(2));
    let rolled_back = rb_live.rep(4, fill(7_003, 10), ms(4));
    let stuck = rb_wait.apply(Input::Timer, ms(2_000));
    vec![
        ("pending", pending),
        ("working_unacked", unacked),
        ("working_acked", acked),
        ("working_timed_out", timed_out),
        ("backfilling_live", bf_live),
        ("backfilling_waiting", bf_wait),
        ("rolling_back_live", rb_live),
        ("rolling_back_waiting", rb_wait),
        ("balanced", balanced),
        ("rolled_back", rolled_back),
        ("stuck", stuck),
    ]
}

const INPUTS: [&str; 17] = [
    "open",
    "ack",
    "fill_partial",
    "fill_full",
    "reject",
    "done",
    "cancel_reject",
    "overfill",
    "unknown_order",
    "wrong_instrument",
    "dup_done_order_1",
    "timer_before_ack_timeout",
    "timer_at_ack_timeout",
    "timer_before_backfill_deadline",
    "timer_at_backfill_deadline",
    "timer_before_ticket_deadline",
    "timer_at_ticket_deadline",
];

/// The input named `name` for fixture `f`: reports are about its newest order (order 1 if none).
fn input(f: &Fixture, name: &str) -> (Input, TsNs) {
    let (id, sent, qty, filled) = f.newest().unwrap_or((OrderId(1), T0, Qty(1), Qty(0)));
    let now = f.now.plus_ns(1_000);
    let rem = (qty.0 - filled.0).max(1);
    let rep = |kind| Input::Report(report(id, f.instrument(id), kind, now));
    let ack_due = sent.plus_ns(params().ack_timeout_ns);
    let input = match name {
        "open" => Input::Open,
        "ack" => rep(ReportKind::Ack),
        "fill_partial" => rep(fill(8_000, 1)),
        "fill_full" => rep(fill(8_000, rem)),
        "reject" => rep(REJ),
        "done" => rep(ReportKind::Done { leaves: Qty(rem) }),
        "cancel_reject" => rep(ReportKind::CancelRejected(RejectReason::CancelRefused)),
        "overfill" => rep(fill(8_000, qty.0 - filled.0 + 1)),
        "unknown_order" => Input::Report(report(OrderId(999), DOM_ID, fill(8_000, 1), now)),
        "wrong_instrument" => Input::Report(report(id, InstrumentId(7), fill(8_000, 1), now)),
        "dup_done_order_1" => Input::Report(report(
            OrderId(1),
            DOM_ID,
            ReportKind::Done { leaves: Qty(0) },
            now,
        )),
        "timer_before_ack_timeout" => return (Input::Timer, ack_due.plus_ns(-1)),
        "timer_at_ack_timeout" => return (Input::Timer, ack_due),
        "timer_before_backfill_deadline" => return (Input::Timer, ms(500).plus_ns(-1)),
        "timer_at_backfill_deadline" => return (Input::Timer, ms(500)),
        "timer_before_ticket_deadline" => return (Input::Timer, ms(2_000).plus_ns(-1)),
        "timer_at_ticket_deadline" => return (Input::Timer, ms(2_000)),
        other => panic!("unknown input {other}"),
    };
    (input, now)
}

fn summary(t: &TicketState, a: &Actions) -> String {
    let orders: Vec<String> = a
        .orders()
        .iter()
        .map(|o| match o.kind {
            RequestKind::Cancel => format!("x{}", o.order.0),
            RequestKind::New { qty, .. } => {
                let (l, s) = t.find(o.order).expect("sent order is in the ticket");
                let leg = if l == 0 { 'd' } else { 'o' };
                let p = ['E', 'B', 'R'][t.legs[l].orders[s].purpose as usize - 1];
                format!("+{leg}{p}{}", qty.0)
            }
        })
        .collect();
    let receipts: Vec<String> = a
        .receipts()
        .iter()
        .map(|e| {
            let order_event = matches!(
                e.kind,
                Kind::OrderAck | Kind::Fill | Kind::OrderReject | Kind::OrderDone
            );
            match e.kind {
                Kind::TicketState => format!("ticket_state:{}", e.payload.code),
                _ if order_event && e.payload.code2 != 0 => {
                    format!("{}!{}", e.kind.name(), e.payload.code2)
                }
                _ => e.kind.name().to_string(),
            }
        })
        .collect();
    format!(
        "{:?} | {} | {}",
        t.phase,
        orders.join(","),
        receipts.join(",")
    )
}

fn rank(p: Phase) -> u8 {
    match p {
        Phase::Pending => 0,
        Phase::Working => 1,
        Phase::Backfilling => 2,
        Phase::RollingBack => 3,
        Phase::Balanced | Phase::RolledBack | Phase::Stuck => 4,
    }
}

#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str)] = &[
    ("pending", "open", "Working | +dE10,+oE2 | ticket_open,ticket_state:1,order_new,order_new"),
    ("pending", "ack", "Pending |  | order_ack!1"),
    ("pending", "fill_partial", "Pending |  | fill!1"),
    ("pending", "fill_full", "Pending |  | fill!1"),
    ("pending", "reject", "Pending |  | order_reject!1"),
    ("pending", "done", "Pending |  | order_done!1"),
    ("pending", "cancel_reject", "Pending |  | order_reject!1"),
    ("pending", "overfill", "Pending |  | fill!1"),
    ("pending", "unknown_order", "Pending |  | fill!1"),
    ("pending", "wrong_instrument", "Pending |  | fill!1"),
    ("pending", "dup_done_order_1", "Pending |  | order_done!1"),
    ("pending", "timer_before_ack_timeout", "Pending |  | "),
    ("pending", "timer_at_ack_timeout", "Pending |  | "),
    ("pending", "timer_before_backfill_deadline", "Pending |  | "),
    ("pending", "timer_at_backfill_deadline", "Pending |  | "),
    ("pending", "timer_before_ticket_deadline", "Pending |  | "),
    ("pending", "timer_at_ticket_deadline", "Pending |  | "),
    ("working_unacked", "open", "Working |  | ticket_state:1"),
    ("working_unacked", "ack", "Working |  | order_ack"),
    ("working_unacked", "fill_partial", "Working |  | fill"),
    ("working_unacked", "fill_full", "Working |  | fill"),
    ("working_unacked", "reject", "Backfilling | +oB2 | order_reject,ticket_state:2,order_new"),
    ("working_unacked", "done", "Backfilling | +oB2 | order_done,ticket_state:2,order_new"),
    ("working_unacked", "cancel_reject", "Working |  | order_reject!2"),
    ("working_unacked", "overfill", "RollingBack | +oR1 | fill!3,ticket_state:3,order_new"),
    ("working_unacked", "unknown_order", "Working |  | fill!1"),
    ("working_unacked", "wrong_instrument", "Working |  | fill!4"),
    ("working_unacked", "dup_done_order_1", "Working |  | order_done!7"),
    ("working_unacked", "timer_before_ack_timeout", "Working |  | "),
    ("working_unacked", "timer_at_ack_timeout", "Working |  | ack_timeout,ack_timeout"),
    ("working_unacked", "timer_before_backfill_deadline", "Working |  | ack_timeout,ack_timeout"),
    ("working_unacked", "timer_at_backfill_deadline", "RollingBack |  | ack_timeout,ack_timeout,ticket_state:3"),
    ("working_unacked", "timer_before_ticket_deadline", "RollingBack |  | ack_timeout,ack_timeout,ticket_state:3"),
    ("working_unacked", "timer_at_ticket_deadline", "Stuck |  | ack_timeout,ack_timeout,ticket_state:6,ticket_close"),
    ("working_acked", "open", "Working |  | ticket_state:1"),
    ("working_acked", "ack", "Working |  | order_ack!2"),
    ("working_acked", "fill_partial", "Working |  | fill"),
    ("working_acked", "fill_full", "Working |  | fill"),
    ("working_acked", "reject", "Backfilling | +oB2 | order_reject,ticket_state:2,order_new"),
    ("working_acked", "done", "Backfilling | +oB2 | order_done,ticket_state:2,order_new"),
    ("working_acked", "cancel_reject", "Working |  | order_reject!2"),
    ("working_acked", "overfill", "RollingBack | +oR1 | fill!3,ticket_state:3,order_new"),
    ("working_acked", "unknown_order", "Working |  | fill!1"),
    ("working_acked", "wrong_instrument", "Working |  | fill!4"),
    ("working_acked", "dup_done_order_1", "Working |  | order_done!7"),
    ("working_acked", "timer_before_ack_timeout", "Working |  | "),
    ("working_acked", "timer_at_ack_timeout", "Working |  | "),
    ("working_acked", "timer_before_backfill_deadline", "Working |  | "),
    ("working_acked", "timer_at_backfill_deadline", "RollingBack |  | ticket_state:3"),
    ("working_acked", "timer_before_ticket_deadline", "RollingBack |  | ticket_state:3"),
    ("working_acked", "timer_at_ticket_deadline", "Stuck |  | ticket_state:6,ticket_close"),
    ("working_timed_out", "open", "Working |  | ticket_state:1"),
    ("working_timed_out", "ack", "Working |  | order_ack"),
    ("working_timed_out", "fill_partial", "Working |  | fill"),
    ("working_timed_out", "fill_full", "Working |  | fill"),
    ("working_timed_out", "reject", "Backfilling | +oB2 | order_reject,ticket_state:2,order_new"),
    ("working_timed_out", "done", "Backfilling | +oB2 | order_done,ticket_state:2,order_new"),
    ("working_timed_out", "cancel_reject", "Working |  | order_reject!2"),
    ("working_timed_out", "overfill", "RollingBack | +oR1 | fill!3,ticket_state:3,order_new"),
    ("working_timed_out", "unknown_order", "Working |  | fill!1"),
    ("working_timed_out", "wrong_instrument", "Working |  | fill!4"),
    ("working_timed_out", "dup_done_order_1", "Working |  | order_done!7"),
    ("working_timed_out", "timer_before_ack_timeout", "Working |  | "),
    ("working_timed_out", "timer_at_ack_timeout", "Working |  | "),
    ("working_timed_out", "timer_before_backfill_deadline", "Working |  | "),
    ("working_timed_out", "timer_at_backfill_deadline", "RollingBack |  | ticket_state:3"),
    ("working_timed_out", "timer_before_ticket_deadline", "RollingBack |  | ticket_state:3"),
    ("working_timed_out", "timer_at_ticket_deadline", "Stuck |  | ticket_state:6,ticket_close"),
    ("backfilling_live", "open", "Backfilling |  | ticket_state:2"),
    ("backfilling_live", "ack", "Backfilling |  | order_ack"),
    ("backfilling_live", "fill_partial", "Backfilling |  | fill"),
    ("backfilling_live", "fill_full", "Balanced |  | fill,ticket_state:4,ticket_close"),
    ("backfilling_live", "reject", "RollingBack | +dR10 | order_reject,ticket_state:3,order_new"),
    ("backfilling_live", "done", "RollingBack | +dR10 | order_done,ticket_state:3,order_new"),
    ("backfilling_live", "cancel_reject", "Backfilling |  | order_reject!2"),
    ("backfilling_live", "overfill", "RollingBack | +oR1 | fill!3,ticket_state:3,order_new"),
    ("backfilling_live", "unknown_order", "Backfilling |  | fill!1"),
    ("backfilling_live", "wrong_instrument", "Backfilling |  | fill!4"),
    ("backfilling_live", "dup_done_order_1", "Backfilling |  | order_done"),
    ("backfilling_live", "timer_before_ack_timeout", "Backfilling |  | "),
    ("backfilling_live", "timer_at_ack_timeout", "Backfilling |  | ack_timeout"),
    ("backfilling_live", "timer_before_backfill_deadline", "Backfilling |  | ack_timeout"),
    ("backfilling_live", "timer_at_backfill_deadline", "RollingBack |  | ack_timeout,ticket_state:3"),
    ("backfilling_live", "timer_before_ticket_deadline", "RollingBack |  | ack_timeout,ticket_state:3"),
    ("backfilling_live", "timer_at_ticket_deadline", "Stuck |  | ack_timeout,ticket_state:6,ticket_close"),
    ("backfilling_waiting", "open", "Backfilling |  | ticket_state:2"),
    ("backfilling_waiting", "ack", "Backfilling |  | order_ack!2"),
    ("backfilling_waiting", "fill_partial", "Backfilling |  | fill!2"),
    ("backfilling_waiting", "fill_full", "Balanced |  | fill!2,ticket_state:4,ticket_close"),
    ("backfilling_waiting", "reject", "Backfilling |  | order_reject!2"),
    ("backfilling_waiting", "done", "Backfilling |  | order_done!2"),
    ("backfilling_waiting", "cancel_reject", "Backfilling |  | order_reject!2"),
    ("backfilling_waiting", "overfill", "RollingBack |  | fill!3,ticket_state:3"),
    ("backfilling_waiting", "unknown_order", "Backfilling |  | fill!1"),
    ("backfilling_waiting", "wrong_instrument", "Backfilling |  | fill!4"),
    ("backfilling_waiting", "dup_done_order_1", "Backfilling |  | order_done"),
    ("backfilling_waiting", "timer_before_ack_timeout", "Backfilling |  | "),
    ("backfilling_waiting", "timer_at_ack_timeout", "Backfilling |  | "),
    ("backfilling_waiting", "timer_before_backfill_deadline", "Backfilling |  | "),
    ("backfilling_waiting", "timer_at_backfill_deadline", "RollingBack | +dR10 | ticket_state:3,order_new"),
    ("backfilling_waiting", "timer_before_ticket_deadline", "RollingBack | +dR10 | ticket_state:3,order_new"),
    ("backfilling_waiting", "timer_at_ticket_deadline", "Stuck |  | ticket_state:6,ticket_close"),
    ("rolling_back_live", "open", "RollingBack |  | ticket_state:3"),
    ("rolling_back_live", "ack", "RollingBack |  | order_ack"),
    ("rolling_back_live", "fill_partial", "RollingBack |  | fill"),
    ("rolling_back_live", "fill_full", "RolledBack |  | fill,ticket_state:5,ticket_close"),
    ("rolling_back_live", "reject", "RollingBack | +dR10 | order_reject,order_new"),
    ("rolling_back_live", "done", "RollingBack | +dR10 | order_done,order_new"),
    ("rolling_back_live", "cancel_reject", "RollingBack |  | order_reject!2"),
    ("rolling_back_live", "overfill", "RollingBack |  | fill!3"),
    ("rolling_back_live", "unknown_order", "RollingBack |  | fill!1"),
    ("rolling_back_live", "wrong_instrument", "RollingBack |  | fill!4"),
    ("rolling_back_live", "dup_done_order_1", "RollingBack |  | order_done"),
    ("rolling_back_live", "timer_before_ack_timeout", "RollingBack |  | "),
    ("rolling_back_live", "timer_at_ack_timeout", "RollingBack |  | ack_timeout"),
    ("rolling_back_live", "timer_before_backfill_deadline", "RollingBack |  | ack_timeout"),
    ("rolling_back_live", "timer_at_backfill_deadline", "RollingBack |  | ack_timeout"),
    ("rolling_back_live", "timer_before_ticket_deadline", "RollingBack |  | ack_timeout"),
    ("rolling_back_live", "timer_at_ticket_deadline", "Stuck |  | ack_timeout,ticket_state:6,ticket_close"),
    ("rolling_back_waiting", "open", "RollingBack |  | ticket_state:3"),
    ("rolling_back_waiting", "ack", "RollingBack |  | order_ack!2"),
    ("rolling_back_waiting", "fill_partial", "RollingBack |  | fill!2"),
    ("rolling_back_waiting", "fill_full", "Balanced |  | fill!2,ticket_state:4,ticket_close"),
    ("rolling_back_waiting", "reject", "RollingBack |  | order_reject!2"),
    ("rolling_back_waiting", "done", "RollingBack |  | order_done!2"),
    ("rolling_back_waiting", "cancel_reject", "RollingBack |  | order_reject!2"),
    ("rolling_back_waiting", "overfill", "RollingBack | +oR1 | fill!3,order_new"),
    ("rolling_back_waiting", "unknown_order", "RollingBack |  | fill!1"),
    ("rolling_back_waiting", "wrong_instrument", "RollingBack |  | fill!4"),
    ("rolling_back_waiting", "dup_done_order_1", "RollingBack |  | order_done"),
    ("rolling_back_waiting", "timer_before_ack_timeout", "RollingBack |  | "),
    ("rolling_back_waiting", "timer_at_ack_timeout", "RollingBack |  | "),
    ("rolling_back_waiting", "timer_before_backfill_deadline", "RollingBack |  | "),
    ("rolling_back_waiting", "timer_at_backfill_deadline", "RollingBack |  | "),
    ("rolling_back_waiting", "timer_before_ticket_deadline", "RollingBack |  | "),
    ("rolling_back_waiting", "timer_at_ticket_deadline", "Stuck |  | ticket_state:6,ticket_close"),
    ("balanced", "open", "Balanced |  | ticket_state:4"),
    ("balanced", "ack", "Balanced |  | order_ack!2"),
    ("balanced", "fill_partial", "Balanced |  | fill!3"),
    ("balanced", "fill_full", "Balanced |  | fill!3"),
    ("balanced", "reject", "Balanced |  | order_reject!2"),
    ("balanced", "done", "Balanced |  | order_done!2"),
    ("balanced", "cancel_reject", "Balanced |  | order_reject!2"),
    ("balanced", "overfill", "Balanced |  | fill!3"),
    ("balanced", "unknown_order", "Balanced |  | fill!1"),
    ("balanced", "wrong_instrument", "Balanced |  | fill!4"),
    ("balanced", "dup_done_order_1", "Balanced |  | order_done!5"),
    ("balanced", "timer_before_ack_timeout", "Balanced |  | "),
    ("balanced", "timer_at_ack_timeout", "Balanced |  | "),
    ("balanced", "timer_before_backfill_deadline", "Balanced |  | "),
    ("balanced", "timer_at_backfill_deadline", "Balanced |  | "),
    ("balanced", "timer_before_ticket_deadline", "Balanced |  | "),
    ("balanced", "timer_at_ticket_deadline", "Balanced |  | "),
    ("rolled_back", "open", "RolledBack |  | ticket_state:5"),
    ("rolled_back", "ack", "RolledBack |  | order_ack!2"),
    ("rolled_back", "fill_partial", "RolledBack |  | fill!3"),
    ("rolled_back", "fill_full", "RolledBack |  | fill!3"),
    ("rolled_back", "reject", "RolledBack |  | order_reject!2"),
    ("rolled_back", "done", "RolledBack |  | order_done!2"),
    ("rolled_back", "cancel_reject", "RolledBack |  | order_reject!2"),
    ("rolled_back", "overfill", "RolledBack |  | fill!3"),
    ("rolled_back", "unknown_order", "RolledBack |  | fill!1"),
    ("rolled_back", "wrong_instrument", "RolledBack |  | fill!4"),
    ("rolled_back", "dup_done_order_1", "RolledBack |  | order_done!5"),
    ("rolled_back", "timer_before_ack_timeout", "RolledBack |  | "),
    ("rolled_back", "timer_at_ack_timeout", "RolledBack |  | "),
    ("rolled_back", "timer_before_backfill_deadline", "RolledBack |  | "),
    ("rolled_back", "timer_at_backfill_deadline", "RolledBack |  | "),
    ("rolled_back", "timer_before_ticket_deadline", "RolledBack |  | "),
    ("rolled_back", "timer_at_ticket_deadline", "RolledBack |  | "),
    ("stuck", "open", "Stuck |  | ticket_state:6"),
    ("stuck", "ack", "Stuck |  | order_ack!2"),
    ("stuck", "fill_partial", "Stuck |  | fill!2"),
    ("stuck", "fill_full", "Stuck |  | fill!2"),
    ("stuck", "reject", "Stuck |  | order_reject!2"),
    ("stuck", "done", "Stuck |  | order_done!2"),
    ("stuck", "cancel_reject", "Stuck |  | order_reject!2"),
    ("stuck", "overfill", "Stuck |  | fill!3"),
    ("stuck", "unknown_order", "Stuck |  | fill!1"),
    ("stuck", "wrong_instrument", "Stuck |  | fill!4"),
    ("stuck", "dup_done_order_1", "Stuck |  | order_done!5"),
    ("stuck", "timer_before_ack_timeout", "Stuck |  | "),
    ("stuck", "timer_at_ack_timeout", "Stuck |  | "),
    ("stuck", "timer_before_backfill_deadline", "Stuck |  | "),
    ("stuck", "timer_at_backfill_deadline", "Stuck |  | "),
    ("stuck", "timer_before_ticket_deadline", "Stuck |  | "),
    ("stuck", "timer_at_ticket_deadline", "Stuck |  | "),
];

#[test]
fn every_state_meets_every_input_as_the_table_says() {
    let print = std::env::var_os("EXEC_TABLE_PRINT").is_some();
    let p = params();
    let mut failures = Vec::new();
    let mut cells = 0;
    for (state, f) in states() {
        for name in INPUTS {
            let (inp, now) = input(&f, name);
            let ctx = f.ctx(&p, &f.mkt, now);
            let (t, acts) = step(&f.t, &inp, &ctx);
            let got = summary(&t, &acts);
            cells += 1;
            if print {
                println!("    (\"{state}\", \"{name}\", \"{got}\"),");
            }
            match EXPECTED.iter().find(|(s, i, _)| *s == state && *i == name) {
                Some((_, _, want)) if *want == got => {}
                Some((_, _, want)) => {
                    failures.push(format!("{state} × {name}:\n   want {want}\n   got  {got}"))
                }
                None => failures.push(format!("{state} × {name}: no expectation (got {got})")),
            }
            // Properties that hold in every cell.
            assert!(
                rank(t.phase) >= rank(f.t.phase),
                "{state} × {name}: state moved backwards"
            );
            if f.t.phase.is_closed() {
                assert_eq!(
                    t.phase, f.t.phase,
                    "{state} × {name}: a closed ticket stays closed"
                );
                assert!(
                    acts.orders().iter().all(|o| o.kind == RequestKind::Cancel),
                    "{state} × {name}: closed tickets send no new order"
                );
            }
            if matches!(inp, Input::Report(_)) {
                assert!(
                    !acts.receipts().is_empty(),
                    "{state} × {name}: every report is recorded"
                );
            }
            let news = acts
                .orders()
                .iter()
                .filter(|o| o.kind != RequestKind::Cancel)
                .count();
            assert_eq!(
                acts.ids_used as usize, news,
                "{state} × {name}: one id per new order"
            );
            for o in acts
                .orders()
                .iter()
                .filter(|o| o.kind != RequestKind::Cancel)
            {
                let (l, slot) = t.find(o.order).expect("sent order is in the ticket");
                let leg = &t.legs[l];
                if leg.orders[slot].purpose != Purpose::Rollback {
                    let live = leg.live_qty(false);
                    assert!(
                        leg.net() + live <= leg.target,
                        "{state} × {name}: forward orders beyond target"
                    );
                } else {
                    assert!(
                        leg.live_qty(true) <= leg.net(),
                        "{state} × {name}: unwinding more than held"
                    );
                }
            }
        }
    }
    assert_eq!(cells, 11 * 17);
    assert!(
        failures.is_empty(),
        "{} of {cells} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn table_covers_every_state_code() {
    let mut seen: Vec<Phase> = states().iter().map(|(_, f)| f.t.phase).collect();
    seen.sort_by_key(|p| *p as u16);
    seen.dedup();
    assert_eq!(seen, Phase::ALL.to_vec());
}

#[test]
fn stepping_in_place_with_a_reused_actions_gives_what_the_pure_step_gives_in_every_cell() {
    let p = params();
    // One `Actions` for the whole table, as the executor keeps one: a cleared, previously
    // filled buffer must not leak anything into the next step.
    let mut acts = Actions::default();
    for (state, f) in states() {
        for name in INPUTS {
            let (inp, now) = input(&f, name);
            let ctx = f.ctx(&p, &f.mkt, now);
            let (want_t, want) = step(&f.t, &inp, &ctx);
            let mut t = f.t;
            acts.clear();
            step_in_place(&mut t, &inp, &ctx, &mut acts);
            assert_eq!(t, want_t, "{state} × {name}: ticket");
            assert_eq!(acts.orders(), want.orders(), "{state} × {name}: orders");
            assert_eq!(
                acts.receipts(),
                want.receipts(),
                "{state} × {name}: receipts"
            );
            assert_eq!(
                (
                    acts.pos_delta,
                    acts.orders_sent,
                    acts.cancels_sent,
                    acts.ids_used
                ),
                (
                    want.pos_delta,
                    want.orders_sent,
                    want.cancels_sent,
                    want.ids_used
                ),
                "{state} × {name}: counters"
            );
        }
    }
}
