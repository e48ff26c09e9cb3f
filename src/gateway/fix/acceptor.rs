//! A small FIX 4.4 acceptor session (the broker's side), for the venue simulator and tests:
//! socket-free like [`super::Session`] — the caller feeds the bytes it read and writes out
//! [`Acceptor::outbound`].
//!
//! It answers Logon (141=Y resets both sequences), TestRequest, Logout and ResendRequest itself,
//! and hands application messages (orders, cancels) to the caller. Sequence numbers live as
//! long as the acceptor, across connections, as at a real venue: application messages sent while
//! no connection is up still take their MsgSeqNum and are kept (last [`AcceptorConfig::
//! resend_capacity`]), so the initiator's ResendRequest after a reconnect gets them again with
//! PossDupFlag=Y; session messages and forgotten ones are gap-filled (SequenceReset 123=Y).
//!
//! Inbound: `seq == expected` is processed; `seq > expected` asks once for a resend from
//! `expected` (Logon, ResendRequest and SequenceReset are still acted on, anything else is
//! dropped: the initiator sends it again as a PossDup); `seq < expected` is a duplicate when
//! PossDupFlag=Y (ignored) and otherwise logged out ("MsgSeqNum too low", the spec's rule).
//! A frame with a bad CheckSum is skipped; bytes that are not FIX close the connection.

use super::codec::{Encoder, Header};
use super::decode::{decode, DecodeError};
use super::msg::{FixMsg, Logon};
use super::resend::{self, ResendCursor, ResendOut};
use super::session::body_of;
use super::stamp::StampCache;
use super::store::{ResendRing, SLOT_BYTES};
use crate::domain::TsNs;

/// Settings of one acceptor session.
#[derive(Clone, Debug)]
pub struct AcceptorConfig {
    /// Our SenderCompID (49): the initiator's TargetCompID.
    pub sender: Vec<u8>,
    /// The initiator's SenderCompID, our TargetCompID (56).
    pub target: Vec<u8>,
    /// HeartBtInt (108) in our Logon answer.
    pub heart_bt_s: u32,
    /// Application messages kept for resend.
    pub resend_capacity: usize,
}

/// What one call of [`Acceptor::step`] found in the input.
#[derive(Debug)]
pub enum Step<'i> {
    /// No complete message: read more bytes.
    Incomplete,
    /// A message was consumed (`len` bytes) and answered here, or dropped by the sequence rules.
    Handled {
        /// Bytes consumed.
        len: usize,
    },
    /// An application message for the caller (`len` bytes consumed).
    App {
        /// Bytes consumed.
        len: usize,
        /// The message, borrowing the input.
        msg: FixMsg<'i>,
    },
    /// The connection must be closed (not FIX, or sequence too low); the reason is given.
    Close(&'static str),
}

/// The acceptor's session state (see the module doc).
pub struct Acceptor {
    cfg: AcceptorConfig,
    next_out: u64,
    next_in: u64,
    logged_on: bool,
    /// Our ResendRequest is outstanding until `next_in` passes this.
    resend_until: Option<u64>,
    ring: ResendRing,
    out: Vec<u8>,
    stamps: StampCache,
}

impl core::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Acceptor")
            .field("next_out", &self.next_out)
            .field("next_in", &self.next_in)
            .field("logged_on", &self.logged_on)
            .finish_non_exhaustive()
    }
}

impl Acceptor {
    /// A session with both sequences at 1.
    pub fn new(cfg: AcceptorConfig) -> Acceptor {
        Acceptor {
            ring: ResendRing::new(cfg.resend_capacity.max(1)),
            cfg,
            next_out: 1,
            next_in: 1,
            logged_on: false,
            resend_until: None,
            out: Vec::with_capacity(1 << 16),
            stamps: StampCache::new(),
        }
    }

    /// MsgSeqNum of our next message and the one we expect next.
    pub fn seqs(&self) -> (u64, u64) {
        (self.next_out, self.next_in)
    }

    /// Whether the current connection has logged on.
    pub fn logged_on(&self) -> bool {
        self.logged_on
    }

    /// A new connection: it must log on again; the sequences carry on.
    pub fn on_connected(&mut self) {
        self.logged_on = false;
        self.resend_until = None;
        self.out.clear();
    }

    /// The connection is gone: what is still unwritten is dropped (application messages stay
    /// kept for resend).
    pub fn on_disconnected(&mut self) {
        self.logged_on = false;
        self.resend_until = None;
        self.out.clear();
    }

    /// Bytes to write to the connection.
    pub fn outbound(&self) -> &[u8] {
        &self.out
    }

    /// Drops the first `n` outbound bytes (written).
    pub fn consume_outbound(&mut self, n: usize) {
        self.out.drain(..n.min(self.out.len()));
    }

    /// Takes one message from the start of `input` (see [`Step`]).
    pub fn step<'i>(&mut self, input: &'i [u8], now: TsNs) -> Step<'i> {
        let d = match decode(input) {
            Ok(d) => d,
            Err(DecodeError::Incomplete) => return Step::Incomplete,
            Err(DecodeError::BadChecksum { frame_len, .. }) => {
                return Step::Handled { len: frame_len }
            }
            Err(_) => return Step::Close("input is not FIX 4.4 tag=value"),
        };
        let len = d.len;
        let seq = d.msg.get(34).and_then(super::text::parse_u64).unwrap_or(0);
        let poss_dup = d.msg.get(43) == Some(b"Y");
        let Ok(Some(msg)) = FixMsg::parse(&d.msg) else {
            // Unknown or unparsable: counted in sequence, nothing to answer in a simulator.
            if seq == self.next_in {
                self.next_in += 1;
            }
            return Step::Handled { len };
        };
        if let FixMsg::Logon(l) = msg {
            if l.reset_seq {
                self.next_out = 1;
                self.next_in = seq;
                self.ring.clear();
            }
        }
        if seq < self.next_in
            && !matches!(
                msg,
                FixMsg::SequenceReset {
                    gap_fill: false,
                    ..
                }
            )
        {
            if poss_dup {
                return Step::Handled { len };
            }
            self.send_admin(
                &FixMsg::Logout {
                    text: Some(b"MsgSeqNum too low"),
                },
                now,
            );
            self.logged_on = false;
            return Step::Close("MsgSeqNum too low");
        }
        if seq > self.next_in {
            if self.resend_until.is_none() {
                let begin = self.next_in;
                self.send_admin(&FixMsg::ResendRequest { begin, end: 0 }, now);
                self.resend_until = Some(seq);
            }
            if !matches!(
                msg,
                FixMsg::Logon(_) | FixMsg::ResendRequest { .. } | FixMsg::SequenceReset { .. }
            ) {
                return Step::Handled { len };
            }
        } else {
            self.next_in = seq + 1;
        }
        if self.resend_until.is_some_and(|u| self.next_in > u) {
            self.resend_until = None;
        }
        match msg {
            FixMsg::Logon(l) => {
                self.logged_on = true;
                let answer = FixMsg::Logon(Logon {
                    heart_bt_s: self.cfg.heart_bt_s,
                    reset_seq: l.reset_seq,
                    username: None,
                    password: None,
                });
                self.send_admin(&answer, now);
            }
            FixMsg::TestRequest { test_req_id } => self.send_admin(
                &FixMsg::Heartbeat {
                    test_req_id: Some(test_req_id),
                },
                now,
            ),
            FixMsg::Logout { .. } => {
                if self.logged_on {
                    self.send_admin(&FixMsg::Logout { text: None }, now);
                }
                self.logged_on = false;
            }
            FixMsg::ResendRequest { begin, end } => self.resend(begin, end, now),
            FixMsg::SequenceReset { new_seq, .. } => {
                self.next_in = self.next_in.max(new_seq);
                if self.resend_until.is_some_and(|u| self.next_in > u) {
                    self.resend_until = None;
                }
            }
            FixMsg::NewOrderSingle(_) | FixMsg::CancelRequest(_) => {
                return Step::App { len, msg };
            }
            FixMsg::Heartbeat { .. }
            | FixMsg::Reject { .. }
            | FixMsg::ExecutionReport(_)
            | FixMsg::CancelReject(_) => {}
        }
        Step::Handled { len }
    }

    /// Sends an application message (kept for resend). It takes its MsgSeqNum even when no
    /// connection is logged on: the initiator recovers it by ResendRequest.
    pub fn send_app(&mut self, msg: &FixMsg<'_>, now: TsNs) {
        let mut scratch = [0u8; SLOT_BYTES];
        let Some(body) = body_of(msg, &mut scratch, &mut self.stamps) else {
            return;
        };
        let seq = self.next_out;
        self.next_out += 1;
        self.ring.put(seq, msg.msg_type()[0], now, body);
        if self.logged_on {
            self.frame(msg.msg_type(), seq, None, body, now);
        }
    }

    /// Sends Logout if logged on (shutdown).
    pub fn logout(&mut self, now: TsNs) {
        if self.logged_on {
            self.send_admin(&FixMsg::Logout { text: None }, now);
            self.logged_on = false;
        }
    }

    fn send_admin(&mut self, msg: &FixMsg<'_>, now: TsNs) {
        let mut scratch = [0u8; 256];
        if let Some(body) = body_of(msg, &mut scratch, &mut self.stamps) {
            let seq = self.next_out;
            self.next_out += 1;
            self.frame(msg.msg_type(), seq, None, body, now);
        }
    }

    /// Kept application messages again with PossDupFlag=Y; everything else as gap fills.
    fn resend(&mut self, begin: u64, end: u64, now: TsNs) {
        if let Some(walk) = ResendCursor::new(begin, end, self.next_out - 1, 1) {
            resend::resend(self, walk, |_| true, now);
        }
    }

    fn frame(&mut self, msg_type: &[u8], seq: u64, orig: Option<TsNs>, body: &[u8], now: TsNs) {
        let h = Header {
            msg_type,
            sender: &self.cfg.sender,
            target: &self.cfg.target,
            seq,
            sending_time: now,
            orig_sending_time: orig,
        };
        let mut buf = [0u8; SLOT_BYTES + 256];
        let mut enc = Encoder::with_stamps(&mut buf, &h, &mut self.stamps);
        enc.fields().raw(body);
        if let Ok(frame) = enc.finish() {
            self.out.extend_from_slice(frame);
        }
    }
}

impl ResendOut for Acceptor {
    fn ring(&self) -> &ResendRing {
        &self.ring
    }

    fn stamps(&mut self) -> &mut StampCache {
        &mut self.stamps
    }

    fn frame_again(&mut self, msg_type: &[u8], seq: u64, orig: TsNs, body: &[u8], now: TsNs) {
        self.frame(msg_type, seq, Some(orig), body, now);
    }
}
