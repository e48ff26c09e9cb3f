//! The CTP order table: crossarb [`OrderId`]s ↔ CTP order keys (FrontID, SessionID, OrderRef while
//! in flight; ExchangeID-independent OrderSysID once the exchange has it), and the translation of
//! CTP order/trade notices into [`ExecReport`]s.
//!
//! Inputs are plain views of `OnRtnOrder` / `OnRtnTrade` / the query answers (so the rules are
//! tested without the C++ library); outputs go to an `emit` closure. The same path serves live
//! notices and the order/trade queries after a reconnect: every step is idempotent (trades are
//! de-duplicated by trade id, acks and ends are emitted once), so a notice seen twice — replayed
//! by the counter and found again by the query — never counts twice.
//!
//! Rules: `Ack` once the order has left the CTP front (status ≠ unknown); `Fill` only from trades
//! (they carry the price); `Done { leaves }` when the order is finished *and* every lot the counter
//! says traded has been reported as a fill (the order notice usually arrives before its trades);
//! nothing after a full fill; `Rejected` for an insert refused before any fill.
//! Runs on the session thread; fixed tables, no allocation.

use super::offset::{Offset, PositionBook};
use crate::domain::{InstrumentId, Px, Qty, Side, TsNs};
use crate::exec::msg::{ExecReport, OrderId, RejectReason, ReportKind};

/// Orders the table tracks at once (live plus recently finished, reused oldest first).
pub const ORDERS_MAX: usize = 256;
/// Trade ids remembered for de-duplication.
pub const TRADES_SEEN_MAX: usize = 4096;
const KEY_MAX: usize = 24;

/// CTP `OrderStatus` values (`THOST_FTDC_OST_*`).
pub mod status {
    /// All traded.
    pub const ALL_TRADED: u8 = b'0';
    /// Part traded, still queueing.
    pub const PART_QUEUEING: u8 = b'1';
    /// Part traded, no longer queueing (IOC remainder gone).
    pub const PART_NOT_QUEUEING: u8 = b'2';
    /// Nothing traded, queueing.
    pub const NONE_QUEUEING: u8 = b'3';
    /// Nothing traded, not queueing.
    pub const NONE_NOT_QUEUEING: u8 = b'4';
    /// Cancelled.
    pub const CANCELED: u8 = b'5';
    /// Not yet known to the exchange.
    pub const UNKNOWN: u8 = b'a';
    /// `OrderSubmitStatus` insert rejected (`THOST_FTDC_OSS_InsertRejected`).
    pub const SUBMIT_INSERT_REJECTED: u8 = b'4';

    /// The order will never trade again.
    pub const fn is_terminal(s: u8) -> bool {
        matches!(
            s,
            ALL_TRADED | PART_NOT_QUEUEING | NONE_NOT_QUEUEING | CANCELED
        )
    }
}

/// A short text key (OrderSysID, TradeID), fixed size. Longer input is refused by `new`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Key {
    len: u8,
    bytes: [u8; KEY_MAX],
}

impl Key {
    /// The key of `s` with surrounding blanks removed (CTP pads ids with spaces); `None` if empty
    /// or longer than 24 bytes.
    pub fn new(s: &str) -> Option<Key> {
        let s = s.trim().as_bytes();
        if s.is_empty() || s.len() > KEY_MAX {
            return None;
        }
        let mut k = Key {
            len: s.len() as u8,
            bytes: [0; KEY_MAX],
        };
        k.bytes[..s.len()].copy_from_slice(s);
        Some(k)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

/// What the session knows about one order it sent.
#[derive(Clone, Copy, Debug)]
pub struct Sent {
    /// crossarb order.
    pub order: OrderId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Side.
    pub side: Side,
    /// Offset flag it was sent with.
    pub offset: Offset,
    /// Lots.
    pub qty: i64,
    /// CTP FrontID of the session that sent it.
    pub front: i32,
    /// CTP SessionID of the session that sent it.
    pub session: i32,
    /// CTP OrderRef.
    pub order_ref: i32,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    sent: Sent,
    sys_id: Option<Key>,
    filled: i64,
    venue_traded: i64,
    acked: bool,
    terminal: bool,
    ended: bool,
}

/// An `OnRtnOrder` / `OnRspQryOrder` record, reduced to what the table needs.
#[derive(Clone, Copy, Debug)]
pub struct OrderNotice<'a> {
    /// FrontID.
    pub front: i32,
    /// SessionID.
    pub session: i32,
    /// OrderRef (parsed).
    pub order_ref: i32,
    /// OrderSysID (may be empty before the exchange accepts).
    pub sys_id: &'a str,
    /// OrderStatus.
    pub status: u8,
    /// OrderSubmitStatus.
    pub submit: u8,
    /// VolumeTraded (cumulative).
    pub traded: i64,
}

/// An `OnRtnTrade` / `OnRspQryTrade` record.
#[derive(Clone, Copy, Debug)]
pub struct TradeNotice<'a> {
    /// OrderSysID of the order it fills.
    pub sys_id: &'a str,
    /// ExchangeID (trade ids are unique per exchange).
    pub exchange: &'a str,
    /// TradeID.
    pub trade_id: &'a str,
    /// Price in ticks.
    pub px: Px,
    /// Lots.
    pub qty: i64,
}

/// Times stamped on the reports one notice produces.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    /// Venue time.
    pub exchange: TsNs,
    /// Receive time.
    pub recv: TsNs,
}

/// The table. See the module doc.
#[derive(Debug)]
pub struct OrderTable {
    slots: Box<[Option<Slot>; ORDERS_MAX]>,
    next: usize,
    seen: Box<[(Key, Key); TRADES_SEEN_MAX]>,
    seen_next: usize,
    /// Notices that matched no order of ours (other sessions, earlier runs, foreign trades).
    pub foreign: u64,
    /// Trades seen twice (dropped).
    pub duplicates: u64,
}

impl Default for OrderTable {
    fn default() -> Self {
        OrderTable {
            slots: Box::new([None; ORDERS_MAX]),
            next: 0,
            seen: Box::new([(Key::default(), Key::default()); TRADES_SEEN_MAX]),
            seen_next: 0,
            foreign: 0,
            duplicates: 0,
        }
    }
}

/// The table has no free slot: every tracked order is still live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableFull;

impl OrderTable {
    /// Records an order about to be sent. Fails when `ORDERS_MAX` orders are all still live.
    pub fn insert(&mut self, sent: Sent) -> Result<(), TableFull> {
        for k in 0..ORDERS_MAX {
            let i = (self.next + k) % ORDERS_MAX;
            if self.slots[i].is_none_or(|s| s.ended) {
                self.slots[i] = Some(Slot {
                    sent,
                    sys_id: None,
                    filled: 0,
                    venue_traded: 0,
                    acked: false,
                    terminal: false,
                    ended: false,
                });
                self.next = (i + 1) % ORDERS_MAX;
                return Ok(());
            }
        }
        Err(TableFull)
    }

    /// The live order `order`, if any (for a cancel).
    pub fn live(&self, order: OrderId) -> Option<(Sent, Option<Key>)> {
        self.slots
            .iter()
            .flatten()
            .find(|s| s.sent.order == order && !s.ended)
            .map(|s| (s.sent, s.sys_id))
    }

    /// Number of orders not yet ended.
    pub fn live_count(&self) -> usize {
        self.slots.iter().flatten().filter(|s| !s.ended).count()
    }

    fn by_ref(&mut self, front: i32, session: i32, order_ref: i32) -> Option<&mut Slot> {
        self.slots.iter_mut().flatten().find(|s| {
            s.sent.front == front && s.sent.session == session && s.sent.order_ref == order_ref
        })
    }

    /// An order notice (live or from the order query).
    pub fn on_order(
        &mut self,
        n: &OrderNotice,
        at: Stamp,
        pos: &mut PositionBook,
        emit: &mut impl FnMut(ExecReport),
    ) {
        let Some(s) = self.by_ref(n.front, n.session, n.order_ref) else {
            self.foreign += 1;
            return;
        };
        if s.sys_id.is_none() {
            s.sys_id = Key::new(n.sys_id);
        }
        if s.ended {
            return;
        }
        let rep = |kind| report(&s.sent, kind, at);
        if n.submit == status::SUBMIT_INSERT_REJECTED && n.traded == 0 {
            s.ended = true;
            pos.on_end(s.sent.instrument, s.sent.side, s.sent.offset, s.sent.qty);
            emit(rep(ReportKind::Rejected(RejectReason::Venue)));
            return;
        }
        if !s.acked && n.status != status::UNKNOWN {
            s.acked = true;
            emit(rep(ReportKind::Ack));
        }
        s.venue_traded = s.venue_traded.max(n.traded);
        s.terminal |= status::is_terminal(n.status);
        finish(s, at, pos, emit);
    }

    /// A trade notice (live or from the trade query).
    pub fn on_trade(
        &mut self,
        t: &TradeNotice,
        at: Stamp,
        pos: &mut PositionBook,
        emit: &mut impl FnMut(ExecReport),
    ) {
        let (Some(sys), Some(tid)) = (Key::new(t.sys_id), Key::new(t.trade_id)) else {
            self.foreign += 1;
            return;
        };
        let Some(s) = self
            .slots
            .iter_mut()
            .flatten()
            .find(|s| s.sys_id == Some(sys))
        else {
            self.foreign += 1;
            return;
        };
        let exch = Key::new(t.exchange).unwrap_or_default();
        if self.seen.iter().any(|&(e, id)| id == tid && e == exch) {
            self.duplicates += 1;
            return;
        }
        self.seen[self.seen_next] = (exch, tid);
        self.seen_next = (self.seen_next + 1) % TRADES_SEEN_MAX;
        assert!(
            s.filled + t.qty <= s.sent.qty,
            "Invariant: fills of order {:?} never exceed its {} lots (filled {}, trade {} lots)",
            s.sent.order,
            s.sent.qty,
            s.filled,
            t.qty
        );
        s.filled += t.qty;
        s.venue_traded = s.venue_traded.max(s.filled);
        pos.on_fill(s.sent.instrument, s.sent.side, s.sent.offset, t.qty);
        emit(report(
            &s.sent,
            ReportKind::Fill {
                px: t.px,
                qty: Qty(t.qty),
            },
            at,
        ));
        finish(s, at, pos, emit);
    }

    /// An insert refused by the CTP front or counter (`OnRspOrderInsert`, `OnErrRtnOrderInsert`:
    /// both come for one refusal; the second finds the order ended and says nothing).
    pub fn on_insert_refused(
        &mut self,
        front: i32,
        session: i32,
        order_ref: i32,
        at: Stamp,
        pos: &mut PositionBook,
        emit: &mut impl FnMut(ExecReport),
    ) -> Option<OrderId> {
        let s = self.by_ref(front, session, order_ref)?;
        if s.ended {
            return None;
        }
        s.ended = true;
        pos.on_end(
            s.sent.instrument,
            s.sent.side,
            s.sent.offset,
            s.sent.qty - s.filled,
        );
        let kind = if s.filled == 0 {
            ReportKind::Rejected(RejectReason::Venue)
        } else {
            ReportKind::Done {
                leaves: Qty(s.sent.qty - s.filled),
            }
        };
        emit(report(&s.sent, kind, at));
        Some(s.sent.order)
    }

    /// A cancel refused (`OnRspOrderAction`, `OnErrRtnOrderAction`) for the order with this key.
    pub fn on_cancel_refused(
        &mut self,
        front: i32,
        session: i32,
        order_ref: i32,
        at: Stamp,
        emit: &mut impl FnMut(ExecReport),
    ) -> Option<OrderId> {
        let s = self.by_ref(front, session, order_ref)?;
        if !s.ended {
            emit(report(
                &s.sent,
                ReportKind::CancelRejected(RejectReason::CancelRefused),
                at,
            ));
        }
        Some(s.sent.order)
    }
}

fn report(sent: &Sent, kind: ReportKind, at: Stamp) -> ExecReport {
    ExecReport {
        order: sent.order,
        instrument: sent.instrument,
        kind,
        ts_exchange: at.exchange,
        ts_recv: at.recv,
    }
}

/// Ends the order once the venue says it is finished and every traded lot was reported.
fn finish(s: &mut Slot, at: Stamp, pos: &mut PositionBook, emit: &mut impl FnMut(ExecReport)) {
    let all_filled = s.filled >= s.sent.qty;
    if s.ended || !(all_filled || (s.terminal && s.filled >= s.venue_traded)) {
        return;
    }
    s.ended = true;
    let leaves = s.sent.qty - s.filled;
    pos.on_end(s.sent.instrument, s.sent.side, s.sent.offset, leaves);
    if leaves > 0 {
        emit(report(
            &s.sent,
            ReportKind::Done {
                leaves: Qty(leaves),
            },
            at,
        ));
    }
}

#[cfg(test)]
#[path = "orders_tests.rs"]
mod tests;
