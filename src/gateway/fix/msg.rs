//! The FIX 4.4 messages the gateway speaks, as typed values that borrow their text: parsed from a
//! decoded [`Message`](super::decode::Message) and written as body fields through [`Fields`].
//! Session messages (Logon, Heartbeat, TestRequest, ResendRequest, Reject, SequenceReset, Logout)
//! and application messages (NewOrderSingle, OrderCancelRequest, ExecutionReport,
//! OrderCancelReject). Credentials live in [`Secret`], whose Debug prints `***`. Runs on the
//! gateway thread. Parsing is in `msg/parse.rs`.

use core::fmt;

use super::codec::Fields;
use crate::domain::{Side, TsNs};
use crate::exec::msg::Tif;
use crate::feed::decimal::Decimal;

mod parse;

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

/// Side (54): `1` buy, `2` sell.
pub(super) const fn side_char(s: Side) -> u8 {
    match s {
        Side::Buy => b'1',
        Side::Sell => b'2',
    }
}

/// TimeInForce (59): `3` IOC, `0` day.
pub(super) const fn tif_char(t: Tif) -> u8 {
    match t {
        Tif::Ioc => b'3',
        Tif::Limit => b'0',
    }
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
