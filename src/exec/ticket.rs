//! The data of one ticket: its spec, the executor's view of the market, the parameters copied
//! from `[execution]`, and the ticket state the pure step function (`step.rs`) maps to a new
//! state. All `Copy`, fixed size, integers only: the executor thread owns them (live) or the
//! replay stepper does (replay).

use crate::config::{ExecMode, Execution, LegExec, OrderStyle};
use crate::domain::{InstrumentId, Px, Qty, Side, TsNs, NS_PER_MS};
use crate::exec::codes::{Phase, Purpose};
use crate::exec::msg::{OrderId, Tif};

/// Most tickets the executor holds (open, stuck, or closed and kept for late reports).
pub const TICKETS_MAX: usize = 16;
/// Most orders one leg of one ticket remembers; ended orders' slots are reused oldest first.
pub const ORDERS_PER_LEG_MAX: usize = 8;
/// Index of the domestic leg in per-leg arrays.
pub const DOM: usize = 0;
/// Index of the overseas leg in per-leg arrays.
pub const OVS: usize = 1;

/// One leg of an opportunity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegSpec {
    /// Instrument traded.
    pub instrument: InstrumentId,
    /// Entry side.
    pub side: Side,
    /// Target lots (> 0).
    pub qty: Qty,
    /// Price the trigger saw (ticks): limits and slippage are measured from it.
    pub trigger_px: Px,
}

/// One opportunity: the domestic leg one way, the overseas leg the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketSpec {
    /// Domestic leg.
    pub dom: LegSpec,
    /// Overseas leg.
    pub ovs: LegSpec,
    /// Spread side (Sell = sold the spread).
    pub spread_side: Side,
    /// When the trigger fired; deadlines count from it.
    pub opened_at: TsNs,
}

/// What the executor may know about one leg's market right now (from the aligner).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LegMarket {
    /// Best bid (ticks).
    pub bid: Px,
    /// Best ask (ticks).
    pub ask: Px,
    /// Lots at the bid (0 = empty side).
    pub bid_qty: Qty,
    /// Lots at the ask (0 = empty side).
    pub ask_qty: Qty,
    /// In session, book usable, not limit-locked.
    pub tradable: bool,
    /// Version of this view: the receive time of the book's quote (0 = unknown). A repair that
    /// found nothing is retried only on a newer view, never against the same book again.
    pub ts: TsNs,
}

impl LegMarket {
    /// Price and size an order on `side` would execute against now; `None` on an empty side.
    pub fn executable(&self, side: Side) -> Option<(Px, Qty)> {
        let (px, qty) = match side {
            Side::Buy => (self.ask, self.ask_qty),
            Side::Sell => (self.bid, self.bid_qty),
        };
        (qty.0 > 0).then_some((px, qty))
    }
}

/// Both legs' markets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarketView {
    /// Domestic leg.
    pub dom: LegMarket,
    /// Overseas leg.
    pub ovs: LegMarket,
}

impl MarketView {
    /// The market of leg index `leg` ([`DOM`] or [`OVS`]).
    pub fn leg(&self, leg: usize) -> &LegMarket {
        if leg == DOM {
            &self.dom
        } else {
            &self.ovs
        }
    }
}

/// `[execution]` in the units the step function uses (ns instead of ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Concurrent or lead/lag.
    pub mode: ExecMode,
    /// Time in force of entry orders (repairs are always IOC).
    pub entry_tif: Tif,
    /// Per leg ([`DOM`], [`OVS`]).
    pub legs: [LegExec; 2],
    /// No ack within this → in flight, possibly filled.
    pub ack_timeout_ns: i64,
    /// Backfill orders per leg per ticket.
    pub backfill_attempts_max: u32,
    /// Backfilling stops this long after opening.
    pub backfill_deadline_ns: i64,
    /// Rollback orders per leg per ticket.
    pub rollback_attempts_max: u32,
    /// Balanced or rolled back within this of opening, else stuck.
    pub ticket_deadline_ns: i64,
}

impl Params {
    /// From the validated config.
    pub fn from_config(e: &Execution) -> Params {
        Params {
            mode: e.mode,
            entry_tif: match e.order_style {
                OrderStyle::Ioc => Tif::Ioc,
                OrderStyle::Limit => Tif::Limit,
            },
            legs: [e.domestic, e.overseas],
            ack_timeout_ns: e.ack_timeout_ms * NS_PER_MS,
            backfill_attempts_max: e.backfill_attempts_max,
            backfill_deadline_ns: e.backfill_deadline_ms * NS_PER_MS,
            rollback_attempts_max: e.rollback_attempts_max,
            ticket_deadline_ns: e.ticket_deadline_ms * NS_PER_MS,
        }
    }
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    /// Slot unused.
    Empty,
    /// Sent and not ended: may still fill (acked or not).
    Live,
    /// Filled to its quantity.
    Filled,
    /// Rejected by the venue.
    Rejected,
    /// Ended with unfilled lots (cancelled, IOC remainder, expired).
    Done,
}

/// One order the ticket sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderSlot {
    /// Its id.
    pub id: OrderId,
    /// Why it was sent.
    pub purpose: Purpose,
    /// Its side (the leg's side, or the opposite for a rollback).
    pub side: Side,
    /// Limit price.
    pub px: Px,
    /// Lots asked.
    pub qty: Qty,
    /// Lots filled so far (may exceed `qty` only if a venue overfilled).
    pub filled: Qty,
    /// Time in force.
    pub tif: Tif,
    /// When it was sent.
    pub sent_at: TsNs,
    /// The venue answered (ack, fill, reject or done).
    pub acked: bool,
    /// No answer within the ack timeout (and none since): fate unknown.
    pub timed_out: bool,
    /// A cancel was sent for it.
    pub cancel_sent: bool,
    /// Where it stands.
    pub status: OrderStatus,
}

impl OrderSlot {
    /// An unused slot.
    pub const EMPTY: OrderSlot = OrderSlot {
        id: OrderId(0),
        purpose: Purpose::Entry,
        side: Side::Buy,
        px: Px::ZERO,
        qty: Qty::ZERO,
        filled: Qty::ZERO,
        tif: Tif::Ioc,
        sent_at: TsNs::ZERO,
        acked: false,
        timed_out: false,
        cancel_sent: false,
        status: OrderStatus::Empty,
    };

    /// Still able to fill.
    pub fn is_live(&self) -> bool {
        self.status == OrderStatus::Live
    }

    /// Lots that may still fill.
    pub fn remaining(&self) -> Qty {
        Qty((self.qty.0 - self.filled.0).max(0))
    }
}

/// One leg of a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegState {
    /// Instrument.
    pub instrument: InstrumentId,
    /// Entry side.
    pub side: Side,
    /// Target lots.
    pub target: Qty,
    /// Trigger price.
    pub trigger_px: Px,
    /// Lots sent as entry orders.
    pub entry_sent: Qty,
    /// Lots filled by entry and backfill orders.
    pub filled_fwd: Qty,
    /// Lots filled by rollback orders.
    pub filled_back: Qty,
    /// Σ price × lots of forward fills (ticks·lots), for the average fill price.
    pub notional_fwd: i64,
    /// Σ slippage × lots over all fills (ticks·lots, positive = worse).
    pub slippage_lot_ticks: i64,
    /// Entry orders sent.
    pub entries: u32,
    /// Backfill orders sent.
    pub backfills: u32,
    /// Rollback orders sent.
    pub rollbacks: u32,
    /// Market view version ([`LegMarket::ts`]) the last backfill or rollback was sent on.
    pub repair_mkt_ts: TsNs,
    /// A `Refused` (order budget) was already written for this leg.
    pub refused_order: bool,
    /// A `Refused` (cancel budget) was already written for this leg.
    pub refused_cancel: bool,
    /// Orders sent.
    pub orders: [OrderSlot; ORDERS_PER_LEG_MAX],
}

impl LegState {
    fn new(spec: &LegSpec) -> LegState {
        LegState {
            instrument: spec.instrument,
            side: spec.side,
            target: spec.qty,
            trigger_px: spec.trigger_px,
            entry_sent: Qty::ZERO,
            repair_mkt_ts: TsNs::ZERO,
            filled_fwd: Qty::ZERO,
            filled_back: Qty::ZERO,
            notional_fwd: 0,
            slippage_lot_ticks: 0,
            entries: 0,
            backfills: 0,
            rollbacks: 0,
            refused_order: false,
            refused_cancel: false,
            orders: [OrderSlot::EMPTY; ORDERS_PER_LEG_MAX],
        }
    }

    /// Lots held in the entry direction (forward fills − unwinds).
    pub fn net(&self) -> Qty {
        self.filled_fwd - self.filled_back
    }

    /// Remaining lots of live orders with the given purpose filter (`rollback` true = unwinds).
    pub fn live_qty(&self, rollback: bool) -> Qty {
        let mut q = Qty::ZERO;
        for o in self.orders.iter().filter(|o| o.is_live()) {
            if (o.purpose == Purpose::Rollback) == rollback {
                q += o.remaining();
            }
        }
        q
    }

    /// Any order may still fill.
    pub fn any_live(&self) -> bool {
        self.orders.iter().any(|o| o.is_live())
    }

    /// Signed lots (buy +) of live orders whose fate is unknown (ack timed out).
    pub fn uncertain(&self) -> Qty {
        let mut q = 0;
        for o in self.orders.iter().filter(|o| o.is_live() && o.timed_out) {
            q += o.side.sign() * o.remaining().0;
        }
        Qty(q)
    }

    /// Average forward fill price, `None` before any forward fill.
    pub fn avg_fill_px(&self) -> Option<Px> {
        (self.filled_fwd.0 > 0).then(|| Px(self.notional_fwd.div_euclid(self.filled_fwd.0)))
    }
}

/// One ticket: what the pure step function maps to a new state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketState {
    /// Ticket number.
    pub id: u32,
    /// State.
    pub phase: Phase,
    /// Spread side.
    pub spread_side: Side,
    /// When the trigger fired.
    pub opened_at: TsNs,
    /// Lead leg in lead/lag mode (set when opened).
    pub lead: Option<usize>,
    /// Reduced ratio unit per leg: balanced means net = k × unit on both legs.
    pub unit: [i64; 2],
    /// Target multiple of the unit (gcd of the targets).
    pub multiples: i64,
    /// Since when the ticket holds naked or uncertain exposure (`None` = balanced).
    pub unbalanced_since: Option<TsNs>,
    /// [`DOM`], [`OVS`].
    pub legs: [LegState; 2],
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl TicketState {
    /// A ticket in [`Phase::Pending`]. Quantities must be positive (the executor checks).
    pub fn new(id: u32, spec: &TicketSpec) -> TicketState {
        assert!(
            spec.dom.qty.0 > 0 && spec.ovs.qty.0 > 0,
            "Invariant: ticket leg quantities are positive"
        );
        let g = gcd(spec.dom.qty.0, spec.ovs.qty.0);
        TicketState {
            id,
            phase: Phase::Pending,
            spread_side: spec.spread_side,
            opened_at: spec.opened_at,
            lead: None,
            unit: [spec.dom.qty.0 / g, spec.ovs.qty.0 / g],
            multiples: g,
            unbalanced_since: None,
            legs: [LegState::new(&spec.dom), LegState::new(&spec.ovs)],
        }
    }

    /// The largest multiple `k` of the ratio unit both legs hold (never above target).
    pub fn balanced_multiple(&self) -> i64 {
        let k0 = self.legs[DOM].net().0.max(0) / self.unit[DOM];
        let k1 = self.legs[OVS].net().0.max(0) / self.unit[OVS];
        k0.min(k1).min(self.multiples)
    }

    /// Lots of leg `leg` beyond the largest balanced multiple (negative: unwound too far).
    pub fn excess(&self, leg: usize) -> Qty {
        Qty(self.legs[leg].net().0 - self.balanced_multiple() * self.unit[leg])
    }

    /// Signed naked lots per leg (buy +): filled lots beyond the largest balanced multiple.
    pub fn naked(&self) -> [Qty; 2] {
        [DOM, OVS].map(|l| Qty(self.legs[l].side.sign() * self.excess(l).0))
    }

    /// Where (slot) leg `leg` holds order `id`.
    pub fn find(&self, id: OrderId) -> Option<(usize, usize)> {
        for (l, leg) in self.legs.iter().enumerate() {
            for (s, o) in leg.orders.iter().enumerate() {
                if o.status != OrderStatus::Empty && o.id == id {
                    return Some((l, s));
                }
            }
        }
        None
    }

    /// Time past which the ticket is stuck.
    pub fn ticket_deadline(&self, p: &Params) -> TsNs {
        self.opened_at.plus_ns(p.ticket_deadline_ns)
    }

    /// Time past which no backfill is sent.
    pub fn backfill_deadline(&self, p: &Params) -> TsNs {
        self.opened_at.plus_ns(p.backfill_deadline_ns)
    }

    /// The earliest time `on_timer` has something to do for this ticket.
    pub fn next_deadline(&self, p: &Params) -> Option<TsNs> {
        let mut next: Option<TsNs> = None;
        let mut take = |t: TsNs| next = Some(next.map_or(t, |n| n.min(t)));
        for o in self.legs.iter().flat_map(|l| l.orders.iter()) {
            if o.is_live() && !o.acked && !o.timed_out {
                take(o.sent_at.plus_ns(p.ack_timeout_ns));
            }
        }
        if self.phase.is_open() {
            take(self.ticket_deadline(p));
        }
        if matches!(self.phase, Phase::Working | Phase::Backfilling) {
            take(self.backfill_deadline(p));
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(d: i64, o: i64) -> TicketSpec {
        let leg = |i, side, q| LegSpec {
            instrument: InstrumentId(i),
            side,
            qty: Qty(q),
            trigger_px: Px(100),
        };
        TicketSpec {
            dom: leg(0, Side::Sell, d),
            ovs: leg(1, Side::Buy, o),
            spread_side: Side::Sell,
            opened_at: TsNs(0),
        }
    }

    #[test]
    fn ratio_unit_is_reduced_and_balanced_multiple_is_the_smaller_leg() {
        let mut t = TicketState::new(1, &spec(10, 2));
        assert_eq!((t.unit, t.multiples), ([5, 1], 2));
        t.legs[DOM].filled_fwd = Qty(7);
        t.legs[OVS].filled_fwd = Qty(2);
        assert_eq!(t.balanced_multiple(), 1);
        assert_eq!((t.excess(DOM), t.excess(OVS)), (Qty(2), Qty(1)));
        assert_eq!(t.naked(), [Qty(-2), Qty(1)]);
    }
}
