//! The FIX 4.4 messages the gateway speaks, as typed values that borrow their text: parsed from a
//! decoded [`Message`] and written as body fields through [`Fields`]. Session messages (Logon,
//! Heartbeat, TestRequest, ResendRequest, Reject, SequenceReset, Logout) and application
//! messages (NewOrderSingle, OrderCancelRequest, ExecutionReport, OrderCancelReject).
//! Credentials live in [`Secret`], whose Debug prints `***`. Runs on the gateway thread.

use core::fmt;

use super::codec::Fields;
use super::decode::{FieldError, Message};
use super::value::{self, TagSlots};
use crate::domain::{Side, TsNs};
use crate::exec::msg::Tif;
use crate::feed::decimal::Decimal;

/// A credential (Username 553, Password 554): never printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Secret<'a>(pub &'a [u8]);

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Logon (35=A). EncryptMethod 98 is always 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logon<'a> {
    /// HeartBtInt (108), seconds.
    pub heart_bt_s: u32,
    /// ResetSeqNumFlag (141=Y).
    pub reset_seq: bool,
    /// Username (553).
    pub username: Option<Secret<'a>>,
    /// Password (554).
    pub password: Option<Secret<'a>>,
}

/// NewOrderSingle (35=D), always a limit order (40=2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewOrderSingle<'a> {
    /// ClOrdID (11).
    pub cl_ord_id: &'a [u8],
    /// Symbol (55).
    pub symbol: &'a [u8],
    /// Side (54): 1 buy, 2 sell.
    pub side: Side,
    /// OrderQty (38), lots.
    pub qty: i64,
    /// Price (44), exact decimal text.
    pub price: Decimal,
    /// TimeInForce (59): 3 IOC, 0 Day.
    pub tif: Tif,
    /// TransactTime (60).
    pub transact_time: TsNs,
}

/// OrderCancelRequest (35=F).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CancelRequest<'a> {
    /// OrigClOrdID (41): the order to cancel.
    pub orig_cl_ord_id: &'a [u8],
    /// ClOrdID (11) of this request.
    pub cl_ord_id: &'a [u8],
    /// Symbol (55).
    pub symbol: &'a [u8],
    /// Side (54).
    pub side: Side,
    /// OrderQty (38).
    pub qty: i64,
    /// TransactTime (60).
    pub transact_time: TsNs,
}

/// ExecutionReport (35=8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecutionReport<'a> {
    /// OrderID (37), the venue's.
    pub order_id: &'a [u8],
    /// ClOrdID (11).
    pub cl_ord_id: &'a [u8],
    /// OrigClOrdID (41), on reports about a cancel.
    pub orig_cl_ord_id: Option<&'a [u8]>,
    /// ExecID (17).
    pub exec_id: &'a [u8],
    /// ExecType (150): `0` new, `F` trade, `4` canceled, `8` rejected, `C` expired...
    pub exec_type: u8,
    /// OrdStatus (39).
    pub ord_status: u8,
    /// Symbol (55).
    pub symbol: &'a [u8],
    /// Side (54).
    pub side: Side,
    /// OrderQty (38), if sent.
    pub order_qty: Option<i64>,
    /// LeavesQty (151).
    pub leaves_qty: i64,
    /// CumQty (14).
    pub cum_qty: i64,
    /// LastPx (31), on trades.
    pub last_px: Option<Decimal>,
    /// LastQty (32), on trades.
    pub last_qty: Option<i64>,
    /// Text (58).
    pub text: Option<&'a [u8]>,
    /// OrdRejReason (103).
    pub ord_rej_reason: Option<u64>,
    /// TransactTime (60).
    pub transact_time: Option<TsNs>,
}

/// OrderCancelReject (35=9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CancelReject<'a> {
    /// OrderID (37).
    pub order_id: &'a [u8],
    /// ClOrdID (11) of the refused cancel.
    pub cl_ord_id: &'a [u8],
    /// OrigClOrdID (41): the order that stays.
    pub orig_cl_ord_id: &'a [u8],
    /// OrdStatus (39) of that order.
    pub ord_status: u8,
    /// CxlRejResponseTo (434): `1` cancel request.
    pub response_to: u8,
    /// CxlRejReason (102).
    pub reason: Option<u64>,
    /// Text (58).
    pub text: Option<&'a [u8]>,
}

/// Every message the gateway sends or understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMsg<'a> {
    /// 35=A.
    Logon(Logon<'a>),
    /// 35=0, with TestReqID (112) when answering a TestRequest.
    Heartbeat {
        /// TestReqID (112).
        test_req_id: Option<&'a [u8]>,
    },
    /// 35=1.
    TestRequest {
        /// TestReqID (112).
        test_req_id: &'a [u8],
    },
    /// 35=2.
    ResendRequest {
        /// BeginSeqNo (7).
        begin: u64,
        /// EndSeqNo (16); 0 = everything after `begin`.
        end: u64,
    },
    /// 35=3, session-level reject.
    Reject {
        /// RefSeqNum (45).
        ref_seq: u64,
        /// RefTagID (371).
        ref_tag: Option<u64>,
        /// RefMsgType (372).
        ref_msg_type: Option<&'a [u8]>,
        /// SessionRejectReason (373).
        reason: Option<u64>,
        /// Text (58).
        text: Option<&'a [u8]>,
    },
    /// 35=4.
    SequenceReset {
        /// GapFillFlag (123=Y); `false` is Reset mode.
        gap_fill: bool,
        /// NewSeqNo (36).
        new_seq: u64,
    },
    /// 35=5.
    Logout {
        /// Text (58).
        text: Option<&'a [u8]>,
    },
    /// 35=D.
    NewOrderSingle(NewOrderSingle<'a>),
    /// 35=F.
    CancelRequest(CancelRequest<'a>),
    /// 35=8.
    ExecutionReport(ExecutionReport<'a>),
    /// 35=9.
    CancelReject(CancelReject<'a>),
}

fn side_of(v: Option<&[u8]>) -> Result<Side, FieldError> {
    match value::req(v, 54)? {
        b"1" => Ok(Side::Buy),
        b"2" => Ok(Side::Sell),
        _ => Err(FieldError::BadValue(54)),
    }
}

fn side(m: &Message<'_>) -> Result<Side, FieldError> {
    side_of(m.get(54))
}

fn one_char(m: &Message<'_>, tag: u32) -> Result<u8, FieldError> {
    value::one_char(m.get(tag), tag)
}

fn req_i64(m: &Message<'_>, tag: u32) -> Result<i64, FieldError> {
    value::req_i64(m.get(tag), tag)
}

fn req_time(m: &Message<'_>, tag: u32) -> Result<TsNs, FieldError> {
    m.opt_time(tag)?.ok_or(FieldError::Missing(tag))
}

impl<'a> FixMsg<'a> {
    /// MsgType (35).
    pub const fn msg_type(&self) -> &'static [u8] {
        match self {
            FixMsg::Logon(_) => b"A",
            FixMsg::Heartbeat { .. } => b"0",
            FixMsg::TestRequest { .. } => b"1",
            FixMsg::ResendRequest { .. } => b"2",
            FixMsg::Reject { .. } => b"3",
            FixMsg::SequenceReset { .. } => b"4",
            FixMsg::Logout { .. } => b"5",
            FixMsg::NewOrderSingle(_) => b"D",
            FixMsg::CancelRequest(_) => b"F",
            FixMsg::ExecutionReport(_) => b"8",
            FixMsg::CancelReject(_) => b"9",
        }
    }

    /// Session (administrative) messages are gap-filled, never resent.
    pub const fn is_admin(&self) -> bool {
        is_admin_type(self.msg_type())
    }

    /// Parses the body of a decoded message. `Ok(None)` for a MsgType this gateway does not
    /// handle.
    pub fn parse(m: &Message<'a>) -> Result<Option<FixMsg<'a>>, FieldError> {
        let msg = match m.msg_type() {
            b"A" => FixMsg::Logon(Logon {
                heart_bt_s: u32::try_from(m.req_u64(108)?)
                    .map_err(|_| FieldError::BadValue(108))?,
                reset_seq: m.flag(141)?,
                username: m.get(553).map(Secret),
                password: m.get(554).map(Secret),
            }),
            b"0" => FixMsg::Heartbeat {
                test_req_id: m.get(112),
            },
            b"1" => FixMsg::TestRequest {
                test_req_id: m.req(112)?,
            },
            b"2" => FixMsg::ResendRequest {
                begin: m.req_u64(7)?,
                end: m.req_u64(16)?,
            },
            b"3" => FixMsg::Reject {
                ref_seq: m.req_u64(45)?,
                ref_tag: m.opt_u64(371)?,
                ref_msg_type: m.get(372),
                reason: m.opt_u64(373)?,
                text: m.get(58),
            },
            b"4" => FixMsg::SequenceReset {
                gap_fill: m.flag(123)?,
                new_seq: m.req_u64(36)?,
            },
            b"5" => FixMsg::Logout { text: m.get(58) },
            b"D" => FixMsg::NewOrderSingle(parse_new_order(m)?),
            b"F" => FixMsg::CancelRequest(CancelRequest {
                orig_cl_ord_id: m.req(41)?,
                cl_ord_id: m.req(11)?,
                symbol: m.req(55)?,
                side: side(m)?,
                qty: req_i64(m, 38)?,
                transact_time: req_time(m, 60)?,
            }),
            b"8" => FixMsg::ExecutionReport(parse_exec_report(m)?),
            b"9" => FixMsg::CancelReject(CancelReject {
                order_id: m.req(37)?,
                cl_ord_id: m.req(11)?,
                orig_cl_ord_id: m.req(41)?,
                ord_status: one_char(m, 39)?,
                response_to: one_char(m, 434)?,
                reason: m.opt_u64(102)?,
                text: m.get(58),
            }),
            _ => return Ok(None),
        };
        Ok(Some(msg))
    }

    /// Writes the body fields (everything after the standard header).
    pub fn write_body(&self, f: &mut Fields<'_>) {
        match *self {
            FixMsg::Logon(l) => {
                f.uint(98, 0);
                f.uint(108, u64::from(l.heart_bt_s));
                if l.reset_seq {
                    f.flag(141, true);
                }
                if let Some(Secret(u)) = l.username {
                    f.bytes(553, u);
                }
                if let Some(Secret(p)) = l.password {
                    f.bytes(554, p);
                }
            }
            FixMsg::Heartbeat { test_req_id } => {
                if let Some(id) = test_req_id {
                    f.bytes(112, id);
                }
            }
            FixMsg::TestRequest { test_req_id } => f.bytes(112, test_req_id),
            FixMsg::ResendRequest { begin, end } => {
                f.uint(7, begin);
                f.uint(16, end);
            }
            FixMsg::Reject {
                ref_seq,
                ref_tag,
                ref_msg_type,
                reason,
                text,
            } => {
                f.uint(45, ref_seq);
                opt(f, 371, ref_tag, Fields::uint);
                opt(f, 372, ref_msg_type, Fields::bytes);
                opt(f, 373, reason, Fields::uint);
                opt(f, 58, text, Fields::bytes);
            }
            FixMsg::SequenceReset { gap_fill, new_seq } => {
                if gap_fill {
                    f.flag(123, true);
                }
                f.uint(36, new_seq);
            }
            FixMsg::Logout { text } => opt(f, 58, text, Fields::bytes),
            FixMsg::NewOrderSingle(o) => {
                f.bytes(11, o.cl_ord_id);
                f.bytes(55, o.symbol);
                f.byte(54, side_char(o.side));
                f.int(38, o.qty);
                f.byte(40, b'2');
                f.decimal(44, o.price);
                f.byte(59, tif_char(o.tif));
                f.time(60, o.transact_time);
            }
            FixMsg::CancelRequest(c) => {
                f.bytes(41, c.orig_cl_ord_id);
                f.bytes(11, c.cl_ord_id);
                f.bytes(55, c.symbol);
                f.byte(54, side_char(c.side));
                f.int(38, c.qty);
                f.time(60, c.transact_time);
            }
            FixMsg::ExecutionReport(e) => write_exec_report(f, &e),
            FixMsg::CancelReject(c) => {
                f.bytes(37, c.order_id);
                f.bytes(11, c.cl_ord_id);
                f.bytes(41, c.orig_cl_ord_id);
                f.byte(39, c.ord_status);
                f.byte(434, c.response_to);
                opt(f, 102, c.reason, Fields::uint);
                opt(f, 58, c.text, Fields::bytes);
            }
        }
    }
}

/// True for the session-level MsgTypes 0–5 and A.
pub const fn is_admin_type(t: &[u8]) -> bool {
    matches!(t, b"0" | b"1" | b"2" | b"3" | b"4" | b"5" | b"A")
}

fn opt<'f, T>(f: &mut Fields<'f>, tag: u32, v: Option<T>, w: fn(&mut Fields<'f>, u32, T)) {
    if let Some(v) = v {
        w(f, tag, v);
    }
}

const fn side_char(s: Side) -> u8 {
    match s {
        Side::Buy => b'1',
        Side::Sell => b'2',
    }
}

const fn tif_char(t: Tif) -> u8 {
    match t {
        Tif::Ioc => b'3',
        Tif::Limit => b'0',
    }
}

fn parse_new_order<'a>(m: &Message<'a>) -> Result<NewOrderSingle<'a>, FieldError> {
    if m.req(40)? != b"2" {
        return Err(FieldError::BadValue(40));
    }
    Ok(NewOrderSingle {
        cl_ord_id: m.req(11)?,
        symbol: m.req(55)?,
        side: side(m)?,
        qty: req_i64(m, 38)?,
        price: m.opt_decimal(44)?.ok_or(FieldError::Missing(44))?,
        tif: match m.get(59) {
            Some(b"3") => Tif::Ioc,
            Some(b"0") | None => Tif::Limit,
            Some(_) => return Err(FieldError::BadValue(59)),
        },
        transact_time: req_time(m, 60)?,
    })
}

/// ExecutionReport tags, picked in one pass (see [`TagSlots`]).
const EXEC_REPORT: TagSlots<16> = TagSlots::new([
    37, 11, 41, 17, 150, 39, 55, 54, 38, 151, 14, 31, 32, 58, 103, 60,
]);

/// Checks in the order of the fields, so the first bad tag reported is the same as one
/// [`Message::get`] per field would find.
fn parse_exec_report<'a>(m: &Message<'a>) -> Result<ExecutionReport<'a>, FieldError> {
    let [order_id, cl_ord_id, orig, exec_id, exec_type, ord_status, symbol, side, order_qty, leaves, cum, last_px, last_qty, text, rej, transact] =
        m.pick(&EXEC_REPORT);
    Ok(ExecutionReport {
        order_id: value::req(order_id, 37)?,
        cl_ord_id: value::req(cl_ord_id, 11)?,
        orig_cl_ord_id: orig,
        exec_id: value::req(exec_id, 17)?,
        exec_type: value::one_char(exec_type, 150)?,
        ord_status: value::one_char(ord_status, 39)?,
        symbol: value::req(symbol, 55)?,
        side: side_of(side)?,
        order_qty: value::opt_i64(order_qty, 38)?,
        leaves_qty: value::req_i64(leaves, 151)?,
        cum_qty: value::req_i64(cum, 14)?,
        last_px: value::opt_decimal(last_px, 31)?,
        last_qty: value::opt_i64(last_qty, 32)?,
        text,
        ord_rej_reason: value::opt_u64(rej, 103)?,
        transact_time: value::opt_time(transact, 60)?,
    })
}

fn write_exec_report(f: &mut Fields<'_>, e: &ExecutionReport<'_>) {
    f.bytes(37, e.order_id);
    f.bytes(11, e.cl_ord_id);
    opt(f, 41, e.orig_cl_ord_id, Fields::bytes);
    f.bytes(17, e.exec_id);
    f.byte(150, e.exec_type);
    f.byte(39, e.ord_status);
    f.bytes(55, e.symbol);
    f.byte(54, side_char(e.side));
    opt(f, 38, e.order_qty, Fields::int);
    f.int(151, e.leaves_qty);
    f.int(14, e.cum_qty);
    opt(f, 31, e.last_px, Fields::decimal);
    opt(f, 32, e.last_qty, Fields::int);
    opt(f, 58, e.text, Fields::bytes);
    opt(f, 103, e.ord_rej_reason, Fields::uint);
    opt(f, 60, e.transact_time, Fields::time);
}
