//! The executor: a fixed table of tickets around the pure step function, plus what spans
//! tickets — ticket and order ids (increasing), per-instrument daily order/cancel budgets,
//! positions, and routing of execution reports to the ticket that owns the order. Runs on the
//! executor thread live and on the replay stepper's thread; no allocation after `new`.

use thiserror::Error;

use crate::config::{Execution, Leg};
use crate::domain::{InstrumentId, Qty, TsNs};
use crate::exec::actions::{leg_code, payload, Actions};
use crate::exec::codes::anomaly;
use crate::exec::codes::Phase;
use crate::exec::entry::{entry_orders, EntryCtx};
use crate::exec::msg::{ExecReport, OrderId, OrderRequest};
use crate::exec::outbox::Outbox;
use crate::exec::step::{report_receipt, step_in_place, DayUse, Input, StepCtx};
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
    /// Per slot, what the engine asks of its ticket, set after every step (the only place a
    /// ticket changes). Scanning the tickets (~1 KB each) on every engine call instead cost
    /// ~3,500 instructions and a cache-cold 16 KB per call in the threaded pipeline, and ~700
    /// instructions per ticket opened (`ticket_open` bench).
    slots: [Slot; TICKETS_MAX],
    /// The step output, reused: building and returning a fresh ~5.5 KB `Actions` per step cost
    /// more than the step (see `step_in_place`).
    acts: Actions,
    /// Order id → the slot that sent it, by `id % ORDER_INDEX`; a hint checked before use.
    owner: [(u32, u8); ORDER_INDEX],
    next_ticket: u32,
    next_order: u32,
    day: u32,
    day_use: [DayUse; 2],
    position: [Qty; 2],
}

const LEGS: [Leg; 2] = [Leg::Domestic, Leg::Overseas];

/// A ticket slot as the executor's queries see it (all empty/false for an empty slot).
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// The ticket's id; 0 = empty slot.
    id: u32,
    /// Its next deadline.
    deadline: Option<TsNs>,
    /// Still working (not closed).
    open: bool,
    /// Ended `Stuck`.
    stuck: bool,
    /// Closed, settled, nothing live: the slot may be reused.
    reusable: bool,
}

impl Slot {
    fn of(t: &TicketState, params: &Params) -> Slot {
        Slot {
            id: t.id,
            deadline: t.next_deadline(params),
            open: t.phase.is_open(),
            stuck: t.phase == Phase::Stuck,
            reusable: reusable(t),
        }
    }
}

/// Slots of the order-id → ticket hint table (at most `TICKETS_MAX × 2 × ORDERS_PER_LEG_MAX`
/// orders are retained at once).
const ORDER_INDEX: usize = 256;
const _: () = assert!(
    TICKETS_MAX <= u8::MAX as usize,
    "slots fit the owner table's u8"
);

impl Executor {
    /// An executor for the pair `dom`/`ovs` with the `[execution]` parameters.
    pub fn new(exec: &Execution, dom: InstrumentId, ovs: InstrumentId) -> Executor {
        Executor {
            params: Params::from_config(exec),
            instruments: [dom, ovs],
            tickets: [None; TICKETS_MAX],
            slots: [Slot::default(); TICKETS_MAX],
            acts: Actions::default(),
            owner: [(0, 0); ORDER_INDEX],
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
        self.tickets[slot] = Some(TicketState::new(id, spec));
        self.step_slot(slot, &Input::Open, now, mkt, out);
        Ok(id)
    }

    /// The two entry orders [`Executor::open`] with these arguments is certain to send
    /// (domestic first), computed without building the ticket; `None` where it might send
    /// anything else. The engine sends them ahead of `open` (see `exec/entry.rs`).
    pub fn entry_orders(
        &self,
        spec: &TicketSpec,
        now: TsNs,
        mkt: &MarketView,
    ) -> Option<[OrderRequest; 2]> {
        let cx = EntryCtx {
            params: &self.params,
            instruments: self.instruments,
            day_use: self.day_use,
            next_order: self.next_order,
            slot_free: self.free_slot().is_some(),
        };
        entry_orders(spec, now, mkt, &cx)
    }

    /// Applies an execution report to the ticket owning the order; a report for an order no
    /// retained ticket knows is recorded (`code2` = unknown order) and otherwise ignored.
    pub fn on_report(&mut self, rep: &ExecReport, now: TsNs, mkt: &MarketView, out: &mut Outbox) {
        assert!(
            out.has_room_for_step(),
            "Invariant: the outbox is drained between calls"
        );
        // The hint first; by reference: a ticket is ~1 KB, and a copy per slot per report
        // showed in profiles.
        let knows = |i: usize| {
            self.tickets[i]
                .as_ref()
                .is_some_and(|t| t.find(rep.order).is_some())
        };
        let (id, slot) = self.owner[rep.order.0 as usize % ORDER_INDEX];
        let owner = if id == rep.order.0 && knows(usize::from(slot)) {
            Some(usize::from(slot))
        } else {
            (0..TICKETS_MAX).find(|&i| knows(i))
        };
        match owner {
            Some(slot) => self.step_slot(slot, &Input::Report(*rep), now, mkt, out),
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
            if self.tickets[slot].is_none() {
                continue;
            }
            let due = self.slots[slot].deadline.is_some_and(|d| d <= now);
            if !(self.slots[slot].open || due) {
                continue;
            }
            if !out.has_room_for_step() {
                return;
            }
            self.step_slot(slot, &Input::Timer, now, mkt, out);
        }
    }

    /// The earliest time `on_timer` has a deadline to act on.
    pub fn next_deadline(&self) -> Option<TsNs> {
        let cached = self.slots.iter().filter_map(|s| s.deadline).min();
        debug_assert_eq!(
            cached,
            self.tickets
                .iter()
                .flatten()
                .filter_map(|t| t.next_deadline(&self.params))
                .min(),
            "Invariant: the cached deadlines are the tickets' own"
        );
        cached
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
        let cached = self.slots.iter().filter(|s| s.open).count();
        debug_assert_eq!(
            cached,
            self.tickets
                .iter()
                .flatten()
                .filter(|t| t.phase.is_open())
                .count(),
            "Invariant: the cached open flags are the tickets' own"
        );
        cached
    }

    /// Tickets that ended `Stuck` (kept until a human resolves them): risk stops new tickets.
    pub fn stuck_tickets(&self) -> usize {
        let cached = self.slots.iter().filter(|s| s.stuck).count();
        debug_assert_eq!(
            cached,
            self.tickets
                .iter()
                .flatten()
                .filter(|t| t.phase == Phase::Stuck)
                .count(),
            "Invariant: the cached stuck flags are the tickets' own"
        );
        cached
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

    /// Steps the ticket in `slot` (which must hold one) with `input`.
    fn step_slot(
        &mut self,
        slot: usize,
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
        let t = self.tickets[slot]
            .as_mut()
            .expect("Invariant: step_slot is called on an occupied slot");
        let acts = &mut self.acts;
        acts.clear();
        step_in_place(t, input, &ctx, acts);
        self.slots[slot] = Slot::of(t, &self.params);
        for r in acts.orders() {
            self.owner[r.order.0 as usize % ORDER_INDEX] = (r.order.0, slot as u8);
        }
        self.next_order += acts.ids_used;
        for l in [DOM, OVS] {
            self.day_use[l].orders += acts.orders_sent[l];
            self.day_use[l].cancels += acts.cancels_sent[l];
            self.position[l] += acts.pos_delta[l];
        }
        out.push_actions(acts);
    }

    /// An empty slot, else the closed, settled ticket with the lowest id. Stuck tickets and
    /// closed tickets with exposure or live orders are kept (their late reports still count).
    fn free_slot(&self) -> Option<usize> {
        let cached = if let Some(i) = self.slots.iter().position(|s| s.id == 0) {
            Some(i)
        } else {
            (0..TICKETS_MAX)
                .filter(|&i| self.slots[i].reusable)
                .min_by_key(|&i| self.slots[i].id)
        };
        debug_assert_eq!(
            cached,
            if let Some(i) = self.tickets.iter().position(|t| t.is_none()) {
                Some(i)
            } else {
                (0..TICKETS_MAX)
                    .filter(|&i| self.tickets[i].as_ref().is_some_and(reusable))
                    .min_by_key(|&i| self.tickets[i].as_ref().map_or(0, |t| t.id))
            },
            "Invariant: the cached slot flags are the tickets' own"
        );
        cached
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

/// A closed ticket whose slot may be reused: settled, nothing live.
fn reusable(t: &TicketState) -> bool {
    matches!(t.phase, Phase::Balanced | Phase::RolledBack)
        && t.unbalanced_since.is_none()
        && !t.legs.iter().any(|l| l.any_live())
}

fn leg_index(leg: Leg) -> usize {
    match leg {
        Leg::Domestic => DOM,
        Leg::Overseas => OVS,
    }
}
