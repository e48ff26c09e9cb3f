//! Inbound half of the FIX session: framing of socket bytes, MsgSeqNum rules (FIX 4.4 session
//! protocol), and what each message does. Same thread and rules as `session.rs`.
//!
//! Sequence rules, with `expected` = next incoming MsgSeqNum:
//! * `seq == expected`: processed; `expected` advances (a SequenceReset-GapFill sets it).
//! * `seq > expected`: a gap. One ResendRequest `expected..0` (everything) is sent and the message
//!   is dropped: the peer replays it with PossDupFlag=Y. Logon, Logout and ResendRequest are
//!   acted on first. While our request is outstanding, later gaps send nothing new.
//! * `seq < expected`: a PossDup replay already seen is ignored; anything else is a serious
//!   error: Logout with the reason, then disconnect.
//! * SequenceReset-Reset (123=N) ignores MsgSeqNum and moves `expected` up, never down.
//! * A message that frames but whose content is wrong gets a session Reject (35=3) and still
//!   consumes its sequence number; bad CheckSums are dropped; framing errors disconnect.

use core::fmt::Write;

use super::app::{cancel_rejected, exec_report};
use super::decode::{decode_into, DecodeError, FieldError, Message};
use super::event::{DisconnectReason, Event, Text};
use super::msg::FixMsg;
use super::resend::{self, ResendCursor, ResendOut};
use super::session::{Session, State, EVENTS_MAX};
use super::stamp::StampCache;
use super::store::{ResendRing, Stored};
use crate::domain::{TsNs, NS_PER_MS};

/// SessionRejectReason (373) values used.
mod reason {
    pub const VALUE_INCORRECT: u32 = 5;
    pub const COMP_ID: u32 = 9;
    pub const INVALID_MSG_TYPE: u32 = 11;
}

impl Session {
    /// Processes the complete messages at the start of `input`; returns how many bytes were
    /// used (keep the rest and call again with more). Stops early when events need draining.
    pub fn on_bytes(&mut self, input: &[u8], now: TsNs) -> usize {
        let mut used = 0;
        // One field table for every message of this read (refilled, never zeroed per message).
        let mut msg = Message::new();
        while self.state != State::Disconnected && self.events.len() + 4 <= EVENTS_MAX {
            match decode_into(&input[used..], &mut msg) {
                Ok(len) => {
                    used += len;
                    self.on_message(&msg, now);
                }
                Err(DecodeError::Incomplete) => break,
                Err(e @ DecodeError::BadChecksum { frame_len, .. }) => {
                    used += frame_len;
                    self.event(Event::Garbled(e));
                }
                Err(e) => {
                    self.disconnect(DisconnectReason::Framing(e));
                    break;
                }
            }
        }
        if self.state == State::Disconnected {
            return input.len();
        }
        used
    }

    fn on_message(&mut self, m: &Message<'_>, now: TsNs) {
        self.last_recv = now;
        self.test_req_at = None;
        let expected = self.seqs.next_in;
        let Ok(seq) = m.req_u64(34) else {
            return self.logout_and_drop(
                b"MsgSeqNum missing",
                DisconnectReason::MissingSeqNum,
                now,
            );
        };
        let mt = m.msg_type();
        if m.get(49) != Some(&self.cfg.target[..]) || m.get(56) != Some(&self.cfg.sender[..]) {
            let tag = if m.get(49) != Some(&self.cfg.target[..]) {
                49
            } else {
                56
            };
            self.reject(seq, mt, tag, reason::COMP_ID, now);
            return self.logout_and_drop(b"CompID problem", DisconnectReason::CompIdMismatch, now);
        }
        if self.state == State::LogonSent && mt != b"A" && mt != b"5" {
            return self.disconnect(DisconnectReason::FirstMessageNotLogon);
        }
        let parsed = FixMsg::parse(m);
        if let Ok(Some(FixMsg::SequenceReset {
            gap_fill: false,
            new_seq,
        })) = parsed
        {
            return self.move_expected(seq, new_seq, now);
        }
        if seq > expected {
            return self.on_gap(seq, parsed, now);
        }
        let poss_dup = m.flag(43) == Ok(true);
        if seq < expected {
            if !poss_dup {
                let mut t = Text::EMPTY;
                let _ = write!(
                    t,
                    "MsgSeqNum too low, expecting {expected} but received {seq}"
                );
                let why = DisconnectReason::SeqTooLow {
                    expected,
                    received: seq,
                };
                self.logout_and_drop(t.as_bytes(), why, now);
            }
            return;
        }
        self.seqs.next_in = seq + 1;
        match parsed {
            _ if poss_dup && m.get(122).is_none() => {
                self.field_reject(seq, mt, FieldError::Missing(122), now)
            }
            Err(e) => self.field_reject(seq, mt, e, now),
            Ok(None) => self.reject(seq, mt, 35, reason::INVALID_MSG_TYPE, now),
            Ok(Some(msg)) => self.apply(seq, msg, now),
        }
        if self.resend_until.is_some_and(|u| self.seqs.next_in > u) {
            self.resend_until = None;
        }
    }

    /// A message ahead of `expected`: act on Logon/Logout/ResendRequest, ask for the rest.
    fn on_gap(&mut self, seq: u64, parsed: Result<Option<FixMsg<'_>>, FieldError>, now: TsNs) {
        match parsed {
            Ok(Some(FixMsg::Logon(l))) if self.state == State::LogonSent => {
                self.logged_on(l.heart_bt_s)
            }
            Ok(Some(FixMsg::Logout { text })) => return self.peer_logout(text, now),
            Ok(Some(FixMsg::ResendRequest { begin, end })) => self.resend(begin, end, now),
            _ => {}
        }
        if self.state == State::Disconnected || self.resend_until.is_some() {
            return;
        }
        let expected = self.seqs.next_in;
        self.event(Event::GapDetected {
            expected,
            received: seq,
        });
        self.send_admin(
            &FixMsg::ResendRequest {
                begin: expected,
                end: 0,
            },
            now,
        );
        self.resend_until = Some(seq);
    }

    fn apply(&mut self, seq: u64, msg: FixMsg<'_>, now: TsNs) {
        match msg {
            FixMsg::Logon(l) if self.state == State::LogonSent => self.logged_on(l.heart_bt_s),
            FixMsg::Logon(_) => {
                self.logout_and_drop(b"unexpected Logon", DisconnectReason::UnexpectedLogon, now)
            }
            FixMsg::Heartbeat { .. } => {}
            FixMsg::TestRequest { test_req_id } => {
                self.send_admin(
                    &FixMsg::Heartbeat {
                        test_req_id: Some(test_req_id),
                    },
                    now,
                );
            }
            FixMsg::ResendRequest { begin, end } => self.resend(begin, end, now),
            FixMsg::Reject {
                ref_seq,
                reason,
                text,
                ..
            } => self.event(Event::SessionReject {
                ref_seq,
                reason,
                text: Text::from_bytes(text.unwrap_or_default()),
            }),
            FixMsg::SequenceReset { new_seq, .. } => self.move_expected(seq, new_seq, now),
            FixMsg::Logout { text } => self.peer_logout(text, now),
            FixMsg::ExecutionReport(e) => match exec_report(&e, &self.ins, &self.orders, now) {
                Ok(Some(r)) => self.report(r),
                Ok(None) => {}
                Err(fe) => self.field_reject(seq, b"8", fe, now),
            },
            FixMsg::CancelReject(c) => match cancel_rejected(&c, &self.orders, now) {
                Ok(r) => self.report(r),
                Err(fe) => self.field_reject(seq, b"9", fe, now),
            },
            // An initiator does not take orders.
            FixMsg::NewOrderSingle(_) | FixMsg::CancelRequest(_) => {
                self.reject(seq, msg.msg_type(), 35, reason::INVALID_MSG_TYPE, now)
            }
        }
    }

    fn logged_on(&mut self, heart_bt_s: u32) {
        self.state = State::Active;
        self.event(Event::LoggedOn { heart_bt_s });
    }

    fn peer_logout(&mut self, text: Option<&[u8]>, now: TsNs) {
        if self.state == State::LogoutSent {
            return self.disconnect(DisconnectReason::LogoutComplete);
        }
        self.send_admin(&FixMsg::Logout { text: None }, now);
        if self.state != State::Disconnected {
            self.disconnect(DisconnectReason::PeerLogout(Text::from_bytes(
                text.unwrap_or_default(),
            )));
        }
    }

    /// SequenceReset: `expected` moves to `new_seq`, never back.
    fn move_expected(&mut self, seq: u64, new_seq: u64, now: TsNs) {
        // For a GapFill `next_in` is already `seq + 1`, so this also refuses NewSeqNo ≤ seq.
        if new_seq < self.seqs.next_in {
            return self.reject(seq, b"4", 36, reason::VALUE_INCORRECT, now);
        }
        self.seqs.next_in = new_seq;
        if self.resend_until.is_some_and(|u| new_seq > u) {
            self.resend_until = None;
        }
    }

    fn logout_and_drop(&mut self, text: &[u8], why: DisconnectReason, now: TsNs) {
        self.send_admin(&FixMsg::Logout { text: Some(text) }, now);
        if self.state != State::Disconnected {
            self.disconnect(why);
        }
    }

    fn field_reject(&mut self, seq: u64, mt: &[u8], e: FieldError, now: TsNs) {
        self.reject(seq, mt, e.tag(), e.reject_reason(), now);
    }

    /// Sends a session Reject (35=3) for the peer's message `ref_seq`.
    fn reject(&mut self, ref_seq: u64, mt: &[u8], tag: u32, why: u32, now: TsNs) {
        let text: &[u8] = match why {
            1 => b"Required tag missing",
            5 => b"Value is incorrect (out of range) for this tag",
            6 => b"Incorrect data format for value",
            9 => b"CompID problem",
            _ => b"Invalid MsgType",
        };
        let msg = FixMsg::Reject {
            ref_seq,
            ref_tag: (tag != 0).then_some(u64::from(tag)),
            ref_msg_type: Some(mt).filter(|t| !t.is_empty() && !t.contains(&1)),
            reason: Some(u64::from(why)),
            text: Some(text),
        };
        self.send_admin(&msg, now);
        self.event(Event::RejectSent {
            ref_seq,
            tag,
            reason: why,
        });
    }

    /// Answers the peer's ResendRequest: kept application messages again with PossDupFlag=Y and
    /// their OrigSendingTime; session messages, forgotten or stale ones as SequenceReset-GapFill.
    fn resend(&mut self, begin: u64, end: u64, now: TsNs) {
        let oldest_kept = self
            .seqs
            .next_out
            .saturating_sub(self.ring.capacity() as u64)
            .max(1);
        let last = self.seqs.next_out - 1;
        let Some(walk) = ResendCursor::new(begin, end, last, oldest_kept) else {
            return;
        };
        let age_max_ns = self.cfg.resend_age_max_ms.saturating_mul(NS_PER_MS);
        let fresh = |m: &Stored<'_>| now.since(m.sent_at) <= age_max_ns;
        resend::resend(self, walk, fresh, now);
    }
}

impl ResendOut for Session {
    fn ring(&self) -> &ResendRing {
        &self.ring
    }

    fn stamps(&mut self) -> &mut StampCache {
        &mut self.stamps
    }

    fn frame_again(&mut self, msg_type: &[u8], seq: u64, orig: TsNs, body: &[u8], now: TsNs) {
        self.frame(msg_type, seq, Some(orig), body, now);
    }

    /// A full outbound buffer disconnects the session: nothing more is sent.
    fn open(&self) -> bool {
        self.state != State::Disconnected
    }
}
