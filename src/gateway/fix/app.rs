//! Translation between the engine's order messages ([`OrderRequest`] / [`ExecReport`]) and FIX
//! application messages: instrument ↔ Symbol, ticks ↔ exact decimal price text, [`OrderId`] ↔
//! ClOrdID. Tables are built at start-up; translating allocates nothing. Gateway thread.
//!
//! ClOrdID of a new order is the order id in decimal (`42`); a cancel gets `C42-<MsgSeqNum>`
//! (unique while sequence numbers are not reset). Reports name the order by OrigClOrdID (41)
//! when present, else by ClOrdID (11).

use super::decode::FieldError;
use super::msg::{CancelReject, CancelRequest, ExecutionReport, FixMsg, NewOrderSingle};
use super::text::{digit_count, parse_u64, put_digits, u64_digits, U64_DIGITS_MAX};
use crate::config::Instrument;
use crate::domain::{InstrumentId, Px, Qty, Side, TsNs, VenueId, INSTRUMENTS_MAX};
use crate::exec::msg::{ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind};
use crate::feed::decimal::Decimal;

/// Symbol and tick of one instrument traded through this session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstrumentSpec {
    /// Engine id.
    pub id: InstrumentId,
    /// FIX Symbol (55).
    pub symbol: Vec<u8>,
    /// Tick size, exact (e.g. `0.5` = `{5, 1}`).
    pub tick: Decimal,
}

/// Why the instrument table cannot be built.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// An instrument's symbol is empty or contains SOH.
    #[error("FIX instruments[{0}].symbol: expected a non-empty symbol without control bytes")]
    BadSymbol(usize),
    /// An instrument's tick is not a positive decimal.
    #[error("FIX instruments[{0}].tick_size: expected a positive decimal")]
    BadTick(usize),
    /// More than [`INSTRUMENTS_MAX`] instruments.
    #[error("FIX instruments: more than {INSTRUMENTS_MAX}")]
    TooMany,
}

/// The instruments one session trades, looked up by id (orders) and by Symbol (reports).
#[derive(Clone, Debug)]
pub struct Instruments {
    specs: Vec<InstrumentSpec>,
}

impl Instruments {
    /// Validates the table. Cold.
    pub fn new(specs: Vec<InstrumentSpec>) -> Result<Instruments, TableError> {
        if specs.len() > INSTRUMENTS_MAX {
            return Err(TableError::TooMany);
        }
        for (i, s) in specs.iter().enumerate() {
            if s.symbol.is_empty() || s.symbol.iter().any(|&b| b < 0x20) {
                return Err(TableError::BadSymbol(i));
            }
            if !s.tick.is_positive() {
                return Err(TableError::BadTick(i));
            }
        }
        Ok(Instruments { specs })
    }

    /// The instruments of `venue` from the validated config. Cold.
    pub fn from_config(all: &[Instrument], venue: VenueId) -> Result<Instruments, TableError> {
        let mut specs = Vec::new();
        for (i, ins) in all.iter().enumerate().filter(|(_, x)| x.venue == venue) {
            let tick = Decimal::from_f64_shortest(ins.tick_size).ok_or(TableError::BadTick(i))?;
            specs.push(InstrumentSpec {
                id: ins.id,
                symbol: ins.symbol.as_bytes().to_vec(),
                tick,
            });
        }
        Instruments::new(specs)
    }

    pub(super) fn by_id(&self, id: InstrumentId) -> Option<&InstrumentSpec> {
        self.specs.iter().find(|s| s.id == id)
    }

    fn by_symbol(&self, sym: &[u8]) -> Option<&InstrumentSpec> {
        self.specs.iter().find(|s| s.symbol == sym)
    }
}

/// What a cancel needs to know about the order it cancels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OpenOrder {
    order: OrderId,
    instrument: InstrumentId,
    side: Side,
    qty: Qty,
}

/// Recent orders by id (slot = id mod capacity; a newer order overwrites an old one).
#[derive(Clone, Debug)]
pub struct OpenOrders {
    slots: Vec<Option<OpenOrder>>,
}

impl OpenOrders {
    /// A table of `capacity` (> 0) orders. Allocates here only.
    pub fn new(capacity: usize) -> OpenOrders {
        assert!(capacity > 0, "Invariant: open-order table capacity > 0");
        OpenOrders {
            slots: vec![None; capacity],
        }
    }

    fn slot(&self, id: OrderId) -> usize {
        id.0 as usize % self.slots.len()
    }

    fn put(&mut self, o: OpenOrder) {
        let i = self.slot(o.order);
        self.slots[i] = Some(o);
    }

    fn get(&self, id: OrderId) -> Option<OpenOrder> {
        self.slots[self.slot(id)].filter(|o| o.order == id)
    }
}

/// Why an order request cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The session is not logged on.
    #[error("FIX send: not logged on")]
    NotLoggedOn,
    /// The instrument is not traded through this session.
    #[error("FIX send: instrument {0:?} unknown to this session")]
    UnknownInstrument(InstrumentId),
    /// A cancel for an order this session does not remember.
    #[error("FIX send: cancel of unknown order {0:?}")]
    UnknownOrder(OrderId),
    /// Price × tick or the quantity is out of range.
    #[error("FIX send: price or quantity out of range")]
    OutOfRange,
    /// The outgoing buffer is full (the peer is not reading): the session disconnects.
    #[error("FIX send: outgoing buffer full")]
    OutboundFull,
}

/// Scratch room for the ClOrdIDs of one outgoing message.
#[derive(Debug, Default)]
pub struct IdBuf {
    a: [u8; 32],
    b: [u8; 24],
}

/// The ClOrdID of order `id`: its number in decimal, written into `out`.
pub(super) fn write_id(id: OrderId, out: &mut [u8; 24]) -> &[u8] {
    let v = u64::from(id.0);
    let n = digit_count(v);
    put_digits(v, &mut out[..n]);
    &out[..n]
}

/// ClOrdID text → order id: `42`, or `C42-…` for a cancel's own id.
pub fn parse_cl_ord_id(b: &[u8]) -> Option<OrderId> {
    let b = b.strip_prefix(b"C").unwrap_or(b);
    let digits = b.split(|&c| c == b'-').next()?;
    u32::try_from(parse_u64(digits)?).ok().map(OrderId)
}

/// `ticks × tick` as exact price text.
pub fn px_to_decimal(px: Px, tick: Decimal) -> Option<Decimal> {
    let mantissa = px.0.checked_mul(tick.mantissa)?;
    Some(Decimal {
        mantissa,
        scale: tick.scale,
    })
}

/// The FIX message for `req`; `seq` is the MsgSeqNum it will carry (names a cancel). Reads
/// the open-order table (a cancel needs its order) but does not change it: a new order is
/// recorded by [`record_sent`] once it is framed.
pub fn order_msg<'b>(
    req: &OrderRequest,
    seq: u64,
    ins: &'b Instruments,
    orders: &OpenOrders,
    ids: &'b mut IdBuf,
) -> Result<FixMsg<'b>, SendError> {
    let spec = ins
        .by_id(req.instrument)
        .ok_or(SendError::UnknownInstrument(req.instrument))?;
    match req.kind {
        RequestKind::New { side, px, qty, tif } => {
            let price = px_to_decimal(px, spec.tick).ok_or(SendError::OutOfRange)?;
            if qty.0 <= 0 {
                return Err(SendError::OutOfRange);
            }
            Ok(FixMsg::NewOrderSingle(NewOrderSingle {
                cl_ord_id: write_id(req.order, &mut ids.b),
                symbol: &spec.symbol,
                side,
                qty: qty.0,
                price,
                tif,
                transact_time: req.ts,
            }))
        }
        RequestKind::Cancel => {
            let o = orders
                .get(req.order)
                .ok_or(SendError::UnknownOrder(req.order))?;
            let (mut d, mut s) = ([0u8; U64_DIGITS_MAX], [0u8; U64_DIGITS_MAX]);
            let (id_at, seq_at) = (
                u64_digits(u64::from(req.order.0), &mut d),
                u64_digits(seq, &mut s),
            );
            let parts: [&[u8]; 4] = [b"C", &d[id_at..], b"-", &s[seq_at..]];
            let mut n = 0;
            for p in parts {
                ids.a[n..n + p.len()].copy_from_slice(p);
                n += p.len();
            }
            Ok(FixMsg::CancelRequest(CancelRequest {
                orig_cl_ord_id: write_id(req.order, &mut ids.b),
                cl_ord_id: &ids.a[..n],
                symbol: &spec.symbol,
                side: o.side,
                qty: o.qty.0,
                transact_time: req.ts,
            }))
        }
    }
}

/// Records a new order that was framed for sending (its reports name it by ClOrdID only) and
/// returns true; a cancel changes nothing (false).
pub fn record_sent(req: &OrderRequest, orders: &mut OpenOrders) -> bool {
    let RequestKind::New { side, qty, .. } = req.kind else {
        return false;
    };
    orders.put(OpenOrder {
        order: req.order,
        instrument: req.instrument,
        side,
        qty,
    });
    true
}

/// The engine's report for an ExecutionReport; `Ok(None)` for ExecTypes the executor does not
/// act on (pending new/cancel, restated, order status...).
pub fn exec_report(
    e: &ExecutionReport<'_>,
    ins: &Instruments,
    orders: &OpenOrders,
    ts_recv: TsNs,
) -> Result<Option<ExecReport>, FieldError> {
    let id_tag = if e.orig_cl_ord_id.is_some() { 41 } else { 11 };
    let order = parse_cl_ord_id(e.orig_cl_ord_id.unwrap_or(e.cl_ord_id))
        .ok_or(FieldError::BadValue(id_tag))?;
    let spec = ins.by_symbol(e.symbol).ok_or(FieldError::BadValue(55))?;
    let kind = match e.exec_type {
        b'0' => ReportKind::Ack,
        b'F' => {
            let px = e.last_px.ok_or(FieldError::Missing(31))?;
            let px = px
                .to_ticks(spec.tick)
                .map_err(|_| FieldError::BadValue(31))?;
            let qty = e.last_qty.ok_or(FieldError::Missing(32))?;
            if qty <= 0 {
                return Err(FieldError::BadValue(32));
            }
            ReportKind::Fill {
                px: Px(px),
                qty: Qty(qty),
            }
        }
        b'3' | b'4' | b'C' => {
            let ordered = match (e.order_qty, orders.get(order)) {
                (Some(q), _) => q,
                (None, Some(o)) => o.qty.0,
                (None, None) => return Err(FieldError::Missing(38)),
            };
            let leaves = ordered.checked_sub(e.cum_qty).filter(|l| *l >= 0);
            ReportKind::Done {
                leaves: Qty(leaves.ok_or(FieldError::BadValue(14))?),
            }
        }
        // OrdRejReason 2 = exchange closed.
        b'8' if e.ord_rej_reason == Some(2) => ReportKind::Rejected(RejectReason::SessionClosed),
        b'8' => ReportKind::Rejected(RejectReason::Venue),
        _ => return Ok(None),
    };
    Ok(Some(ExecReport {
        order,
        instrument: spec.id,
        kind,
        ts_exchange: e.transact_time.unwrap_or(ts_recv),
        ts_recv,
    }))
}

/// The engine's report for an OrderCancelReject: the order stays as it was.
pub fn cancel_rejected(
    c: &CancelReject<'_>,
    orders: &OpenOrders,
    ts_recv: TsNs,
) -> Result<ExecReport, FieldError> {
    let order = parse_cl_ord_id(c.orig_cl_ord_id).ok_or(FieldError::BadValue(41))?;
    let o = orders.get(order).ok_or(FieldError::BadValue(41))?;
    Ok(ExecReport {
        order,
        instrument: o.instrument,
        kind: ReportKind::CancelRejected(RejectReason::CancelRefused),
        ts_exchange: ts_recv,
        ts_recv,
    })
}
