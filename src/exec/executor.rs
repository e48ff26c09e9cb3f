//! The executor: a fixed table of tickets around the pure step function, plus what spans
//! tickets — ticket and order ids (increasing), per-instrument daily order/cancel budgets,
//! positions, and routing of execution reports to the ticket that owns the order. Runs on the
//! executor thread live and on the replay stepper's thread; no allocation after `new`.

use thiserror::Error;

use crate::config::{Execution, Leg};
use crate::domain::{InstrumentId, Qty, TsNs};
use crate::exec::actions::{leg_code, payload};
use crate::exec::codes::anomaly;
use crate::exec::codes::Phase;
use crate::exec::msg::{ExecReport, OrderId};
use crate::exec::outbox::Outbox;
use crate::exec::step::{report_receipt, step, DayUse, Input, StepCtx};
use crate::exec::ticket::{MarketView, Params, TicketSpec, TicketState, DOM, OVS, TICKETS_MAX};
use crate::receipt::event::{Event, Kind, Payload, Refusal};

/// Why `open` refused a ticket (nothing was sent; a `Refused` receipt was written for the
/// operational refusals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum OpenError {
    /// Every ticket slot holds an open, stuck or unresolved ticket.
    #[error("ticket table full: {TICKETS_MAX} tickets open, stuck or unresolved")]
    TicketsFull,
    /// The spec names another instrument than the executor trades on that leg.
    #[error("{leg:?} leg: instrument {got} is not the executor's {expected}")]
    WrongInstrument {
        /// Which leg.
        leg: Leg,
        /// Instrument in the spec.
        got: u16,
        /// Instrument of the executor.
        expected: u16,
    },
    /// A leg quantity is not positive.
    #[error("{leg:?} leg: quantity {qty} lots, expected > 0")]
    BadQty {
        /// Which leg.
        leg: Leg,
        /// The quantity.
        qty: i64,
    },
    /// A leg's market is not tradable (closed session, unusable or limit-locked book).
    #[error("{0:?} leg not tradable")]
    NotTradable(Leg),
    /// A leg's daily order budget is used up.
    #[error("{leg:?} leg: daily order budget used ({used} of {limit})")]
    DailyBudget {
        /// Which leg.
        leg: Leg,
        /// Orders sent today.
        used: u32,
        /// `orders_per_day_max`.
        limit: u32,
    },
}

/// Naked and uncertain exposure over the retained tickets, in lots (buy +), for risk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Domestic lots filled beyond the largest balanced multiple of their tickets.
    pub dom_naked: Qty,
    /// Overseas lots filled beyond the largest balanced multiple of their tickets.
    pub ovs_naked: Qty,
    /// Domestic lots in orders of unknown fate (ack timed out): may or may not be filled.
    pub dom_uncertain: Qty,
    /// Overseas lots in orders of unknown fate.
    pub ovs_uncertain: Qty,
    /// Since when some ticket has held naked or uncertain exposure (`None` = none now).
    pub since: Option<TsNs>,
}

/// The two-leg executor.
#[derive(Clone, Debug)]
pub struct Executor {
    params: Params,
    instruments: [InstrumentId; 2],
    tickets: [Option<TicketState>; TICKETS_MAX],
    next_ticket: u32,
    next_order: u32,
    day: u32,
    day_use: [DayUse; 2],
    position: [Qty; 2],
}

const LEGS: [Leg; 2] = [Leg::Domestic, Leg::Overseas];

impl Executor {
    /// An executor for the pair `dom`/`ovs` with the `[execution]` parameters.
    pub fn new(exec: &Execution, dom: InstrumentId, ovs: InstrumentId) -> Executor {
        Executor {
            params: Params::from_config(exec),
            instruments: [dom, ovs],
            tickets: [None; TICKETS_MAX],
            next_ticket: 1,
            next_order: 1,
            day: 0,
            day_use: [DayUse::default(); 2],
            position: [Qty::ZERO; 2],
        }
    }

    /// Opens a ticket and sends its entry leg(s). Returns the ticket id.
    pub fn open(
        &mut self,
        spec: &TicketSpec,
        now: TsNs,
        mkt: &MarketView,
        out: &mut Outbox,
    ) -> Result<u32, OpenError> {
        assert!(
            out.has_room_for_step(),
            "Invariant: the outbox is drained between calls"
        );
        for (l, leg) in [spec.dom, spec.ovs].iter().enumerate() {
            let expected = self.instruments[l];
            if leg.instrument != expected {
                let (got, expected) = (leg.instrument.0, expected.0);
                return Err(OpenError::WrongInstrument {
                    leg: LEGS[l],
                    got,
                    expected,
                });
            }
            if leg.qty.0 <= 0 {
                return Err(OpenError::BadQty {
                    leg: LEGS[l],
                    qty: leg.qty.0,
                });
            }
        }
        for l in [DOM, OVS] {
            if !mkt.leg(l).tradable {
                self.refuse(Refusal::SessionClosed, l, 0, 0, now, out);
                return Err(OpenError::NotTradable(LEGS[l]));
            }
            let (used, limit) = (
                self.day_use[l].orders,
                self.params.legs[l].orders_per_day_max,
            );
            if used >= limit {
                self.refuse(Refusal::DailyBudget, l, used, limit, now, out);
                return Err(OpenError::DailyBudget {
                    leg: LEGS[l],
                    used,
                    limit,
                });
            }
        }
        let Some(slot) = self.free_slot() else {
            self.refuse(
                Refusal::TicketOpen,
                DOM,
                self.open_tickets() as u32,
                TICKETS_MAX as u32,
                now,
                out,
            );
            return Err(OpenError::TicketsFull);
        };
        let id = self.next_ticket;
        self.next_ticket += 1;
        let t = TicketState::new(id, spec);
        self.step_slot(slot, &t, &Input::Open, now, mkt, out);
        Ok(id)
    }

    /// Applies an execution report to the ticket owning the order; a report for an order no
    /// retained ticket knows is recorded (`code2` = unknown order) and otherwise ignored.
    pub fn on_report(&mut self, rep: &ExecReport, now: TsNs, mkt: &MarketView, out: &mut Outbox) {
        assert!(
            out.has_room_for_step(),
            "Invariant: the outbox is drained between calls"
        );
        let owner = (0..TICKETS_MAX)
            .find(|&i| self.tickets[i].is_some_and(|t| t.find(rep.order).is_some()));
        match owner.and_then(|i| self.tickets[i].map(|t| (i, t))) {
            Some((slot, t)) => self.step_slot(slot, &t, &Input::Report(*rep), now, mkt, out),
            None => {
                let leg = self.instruments.iter().position(|i| *i == rep.instrument);
                let (kind, p) =
                    report_receipt(0, rep, leg.map_or(0, leg_code), anomaly::UNKNOWN_ORDER);
                out.push_receipt(Event {
                    kind,
                    ts: now.0,
                    payload: p,
                });
            }
        }
    }

    /// Ack timeouts, deadlines, repairs waiting for a tradable market. Cheap when nothing is
    /// due; call it at [`Executor::next_deadline`] and on market updates while tickets are open.
    /// If the outbox fills, the remaining tickets are stepped on the next call.
    pub fn on_timer(&mut self, now: TsNs, mkt: &MarketView, out: &mut Outbox) {
        for slot in 0..TICKETS_MAX {
            let Some(t) = self.tickets[slot] else {
                continue;
            };
            let due = t.next_deadline(&self.params).is_some_and(|d| d <= now);
            if !(t.phase.is_open() || due) {
                continue;
            }
            if !out.has_room_for_step() {
                return;
            }
            self.step_slot(slot, &t, &Input::Timer, now, mkt, out);
        }
    }

    /// The earliest time `on_timer` has a deadline to act on.
    pub fn next_deadline(&self) -> Option<TsNs> {
        self.tickets
            .iter()
            .flatten()
            .filter_map(|t| t.next_deadline(&self.params))
            .min()
    }

    /// Net filled lots (buy +) on a leg instrument since start; 0 for other instruments.
    pub fn position(&self, instrument: InstrumentId) -> Qty {
        match self.instruments.iter().position(|i| *i == instrument) {
            Some(l) => self.position[l],
            None => Qty::ZERO,
        }
    }

    /// Tickets still working (not closed).
    pub fn open_tickets(&self) -> usize {
        self.tickets
            .iter()
            .flatten()
            .filter(|t| t.phase.is_open())
            .count()
    }

    /// Tickets that ended `Stuck` (kept until a human resolves them): risk stops new tickets.
    pub fn stuck_tickets(&self) -> usize {
        self.tickets
            .iter()
            .flatten()
            .filter(|t| t.phase == Phase::Stuck)
            .count()
    }

    /// Naked and uncertain exposure over the retained tickets and its age.
    pub fn exposure(&self) -> Exposure {
        let mut e = Exposure::default();
        for t in self.tickets.iter().flatten() {
            let naked = t.naked();
            e.dom_naked += naked[DOM];
            e.ovs_naked += naked[OVS];
            e.dom_uncertain += t.legs[DOM].uncertain();
            e.ovs_uncertain += t.legs[OVS].uncertain();
            e.since = match (e.since, t.unbalanced_since) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        e
    }

    /// Starts trading day `day` (any number that changes with the day, e.g. yyyymmdd): resets
    /// the per-instrument order and cancel budgets. Calling it again with the same day is a no-op.
    pub fn start_trading_day(&mut self, day: u32) {
        if day != self.day {
            self.day = day;
            self.day_use = [DayUse::default(); 2];
        }
    }

    /// Orders and cancels sent today on leg `leg`.
    pub fn day_use(&self, leg: Leg) -> DayUse {
        self.day_use[leg_index(leg)]
    }

    /// A retained ticket by id.
    pub fn ticket(&self, id: u32) -> Option<&TicketState> {
        self.tickets.iter().flatten().find(|t| t.id == id)
    }

    /// The parameters in use.
    pub fn params(&self) -> &Params {
        &self.params
    }

    fn step_slot(
        &mut self,
        slot: usize,
        t: &TicketState,
        input: &Input,
        now: TsNs,
        mkt: &MarketView,
        out: &mut Outbox,
    ) {
        let ctx = StepCtx {
            now,
            mkt,
            params: &self.params,
            next_order: self.next_order,
            day_use: self.day_use,
        };
        let (next, acts) = step(t, input, &ctx);
        self.tickets[slot] = Some(next);
        self.next_order += acts.ids_used;
        for l in [DOM, OVS] {
            self.day_use[l].orders += acts.orders_sent[l];
            self.day_use[l].cancels += acts.cancels_sent[l];
            self.position[l] += acts.pos_delta[l];
        }
        out.push_actions(&acts);
    }

    /// An empty slot, else the closed, settled ticket with the lowest id. Stuck tickets and
    /// closed tickets with exposure or live orders are kept (their late reports still count).
    fn free_slot(&self) -> Option<usize> {
        if let Some(i) = self.tickets.iter().position(|t| t.is_none()) {
            return Some(i);
        }
        let reusable = |t: &TicketState| {
            matches!(t.phase, Phase::Balanced | Phase::RolledBack)
                && t.unbalanced_since.is_none()
                && !t.legs.iter().any(|l| l.any_live())
        };
        (0..TICKETS_MAX)
            .filter(|&i| self.tickets[i].is_some_and(|t| reusable(&t)))
            .min_by_key(|&i| self.tickets[i].map_or(0, |t| t.id))
    }

    fn refuse(&self, why: Refusal, l: usize, a: u32, b: u32, now: TsNs, out: &mut Outbox) {
        let p = Payload {
            code: why as u16,
            a: i64::from(a),
            b: i64::from(b),
            ..payload(0, OrderId(0), self.instruments[l], leg_code(l))
        };
        out.push_receipt(Event {
            kind: Kind::Refused,
            ts: now.0,
            payload: p,
        });
    }
}

fn leg_index(leg: Leg) -> usize {
    match leg {
        Leg::Domestic => DOM,
        Leg::Overseas => OVS,
    }
}
