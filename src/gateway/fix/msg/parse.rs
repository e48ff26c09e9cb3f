//! Parsing of the typed [`FixMsg`]s from a decoded [`Message`] (see the parent module).

use super::super::decode::{FieldError, Message};
use super::super::value::{self, TagSlots};
use super::{CancelReject, CancelRequest, ExecutionReport, FixMsg, Logon, NewOrderSingle, Secret};
use crate::domain::{Side, TsNs};
use crate::exec::msg::Tif;

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
