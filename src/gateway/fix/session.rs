//! The FIX 4.4 initiator session as a pure state machine:
//! `Disconnected → LogonSent → Active → LogoutSent → Disconnected`.
//!
//! Inputs (each with the time `now` given by the driver; the session never reads a clock):
//! [`Session::on_connected`], [`Session::on_bytes`] (raw socket bytes), [`Session::on_timer`],
//! [`Session::send`] (an [`OrderRequest`]), [`Session::logout`], [`Session::on_disconnected`].
//! Outputs: bytes to write ([`Session::outbound`] / [`Session::consume_outbound`]) and
//! [`Event`]s ([`Session::events`]). After an `Event::Disconnected` the driver flushes the
//! outbound bytes (a Logout may be there), closes the socket and reconnects after
//! [`reconnect_delay_ms`]. Everything is allocated in [`Session::new`]; the steps allocate
//! nothing as long as the driver drains events after each input. Runs on the gateway thread
//! (a mio loop live; plain calls in tests). Inbound handling is in `inbound.rs`, the settings in
//! `config.rs`.
//!
//! Timers: a Heartbeat after `heart_bt_s` of our silence; a TestRequest after 1.2 × `heart_bt_s`
//! of the peer's silence; disconnect when it stays silent one more interval.

use core::fmt;

use super::app::{
    order_msg, px_to_decimal, record_sent, write_id, IdBuf, Instruments, OpenOrders, SendError,
};
use super::codec::{Encoder, Fields, Header};
use super::msg::{FixMsg, Logon, NewOrderSingle, Secret};
use super::nos;
use super::stamp::StampCache;
use super::store::{ResendRing, SeqNums, SLOT_BYTES};
use super::text::{u64_digits, U64_DIGITS_MAX};
use crate::domain::{TsNs, NS_PER_SEC};
use crate::exec::msg::{ExecReport, OrderRequest, RequestKind};

pub use super::config::{ConfigError, Credential, SessionConfig};
pub use super::event::{DisconnectReason, Event, Text};

/// Events one input may leave before the driver drains them; `on_bytes` stops early to stay
/// within it.
pub const EVENTS_MAX: usize = 256;

/// Where the session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No connection.
    Disconnected,
    /// Logon sent, waiting for the peer's Logon.
    LogonSent,
    /// Logged on: orders may be sent.
    Active,
    /// Logout sent, waiting for the peer's Logout.
    LogoutSent,
}

/// Reconnect back-off: 100 ms after the first failure, doubling, at most 5 s.
pub fn reconnect_delay_ms(failures: u32) -> i64 {
    (100i64 << failures.min(6)).min(5_000)
}

/// One FIX session (see the module doc).
pub struct Session {
    pub(super) cfg: SessionConfig,
    pub(super) ins: Instruments,
    pub(super) orders: OpenOrders,
    pub(super) ring: ResendRing,
    pub(super) seqs: SeqNums,
    pub(super) state: State,
    out: Vec<u8>,
    out_len: usize,
    /// Last SendingTime/TransactTime second formatted (one cache for every outgoing field).
    pub(super) stamps: StampCache,
    pub(super) events: Vec<Event>,
    pub(super) last_sent: TsNs,
    pub(super) last_recv: TsNs,
    /// Our TestRequest awaiting an answer: when sent.
    pub(super) test_req_at: Option<TsNs>,
    test_req_count: u64,
    /// Our ResendRequest is outstanding until `next_in` passes this.
    pub(super) resend_until: Option<u64>,
    /// Logon or logout deadline.
    deadline: TsNs,
    /// The last new order sent: what [`Session::warm`] encodes again.
    warm_order: Option<OrderRequest>,
    /// `35=D|49=…|56=…|34=`: the fixed start of this session's NewOrderSingle headers (`nos`).
    nos_head: Vec<u8>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("sender", &String::from_utf8_lossy(&self.cfg.sender))
            .field("target", &String::from_utf8_lossy(&self.cfg.target))
            .field("state", &self.state)
            .field("seqs", &self.seqs)
            .field("outbound_len", &self.out_len)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A disconnected session continuing from `seqs` (see `store::SeqFile`). Cold: allocates
    /// every buffer the session will use.
    pub fn new(
        cfg: SessionConfig,
        ins: Instruments,
        seqs: SeqNums,
    ) -> Result<Session, ConfigError> {
        let ok_id = |v: &[u8]| !v.is_empty() && v.iter().all(|&b| b > 0x20 && b < 0x7f);
        if !ok_id(&cfg.sender) {
            return Err(ConfigError::BadCompId("sender"));
        }
        if !ok_id(&cfg.target) {
            return Err(ConfigError::BadCompId("target"));
        }
        let checks = [
            (
                cfg.heart_bt_s >= 1 && cfg.heart_bt_s <= 3600,
                "heart_bt_s: expected 1..=3600",
            ),
            (cfg.logon_timeout_ms > 0, "logon_timeout_ms: expected > 0"),
            (cfg.logout_timeout_ms > 0, "logout_timeout_ms: expected > 0"),
            (
                cfg.resend_age_max_ms >= 0,
                "resend_age_max_ms: expected ≥ 0",
            ),
            (cfg.resend_capacity > 0, "resend_capacity: expected > 0"),
            (cfg.orders_capacity > 0, "orders_capacity: expected > 0"),
            (
                cfg.outbound_bytes >= 4096,
                "outbound_bytes: expected ≥ 4096",
            ),
            (
                seqs.next_out >= 1 && seqs.next_in >= 1,
                "sequence numbers: expected ≥ 1",
            ),
        ];
        if let Some((_, what)) = checks.iter().find(|(ok, _)| !ok) {
            return Err(ConfigError::OutOfRange(what));
        }
        Ok(Session {
            nos_head: nos::header_prefix(&cfg.sender, &cfg.target),
            orders: OpenOrders::new(cfg.orders_capacity),
            ring: ResendRing::new(cfg.resend_capacity),
            out: vec![0; cfg.outbound_bytes],
            events: Vec::with_capacity(EVENTS_MAX),
            cfg,
            ins,
            seqs,
            state: State::Disconnected,
            out_len: 0,
            stamps: StampCache::new(),
            last_sent: TsNs::ZERO,
            last_recv: TsNs::ZERO,
            test_req_at: None,
            test_req_count: 0,
            resend_until: None,
            deadline: TsNs::ZERO,
            warm_order: None,
        })
    }

    /// Where the session is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Next sequence numbers, to persist.
    pub fn seqs(&self) -> SeqNums {
        self.seqs
    }

    /// Bytes waiting to be written to the socket.
    pub fn outbound(&self) -> &[u8] {
        &self.out[..self.out_len]
    }

    /// Drops the first `n` outbound bytes (written to the socket).
    pub fn consume_outbound(&mut self, n: usize) {
        let n = n.min(self.out_len);
        self.out.copy_within(n..self.out_len, 0);
        self.out_len -= n;
    }

    /// Takes the events produced so far.
    pub fn events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }

    fn hb_ns(&self) -> i64 {
        i64::from(self.cfg.heart_bt_s) * NS_PER_SEC
    }

    /// When [`Session::on_timer`] next has work (for the poll timeout).
    pub fn next_timer(&self) -> Option<TsNs> {
        let hb = self.hb_ns();
        match self.state {
            State::Disconnected => None,
            State::LogonSent => Some(self.deadline),
            State::Active | State::LogoutSent => {
                let peer = match self.test_req_at {
                    Some(t) => t.plus_ns(hb),
                    None => self.last_recv.plus_ns(hb / 10 * 12),
                };
                let mut t = peer.min(self.last_sent.plus_ns(hb));
                if self.state == State::LogoutSent {
                    t = t.min(self.deadline);
                }
                Some(t)
            }
        }
    }

    /// The TCP connection is up: sends Logon.
    pub fn on_connected(&mut self, now: TsNs) {
        self.out_len = 0;
        self.test_req_at = None;
        self.resend_until = None;
        if self.cfg.reset_on_logon {
            self.seqs = SeqNums::default();
            self.ring.clear();
        }
        self.state = State::LogonSent;
        self.deadline = now.plus_ms(self.cfg.logon_timeout_ms);
        self.last_recv = now;
        let mut scratch = [0u8; SLOT_BYTES];
        let logon = FixMsg::Logon(Logon {
            heart_bt_s: self.cfg.heart_bt_s,
            reset_seq: self.cfg.reset_on_logon,
            username: self.cfg.username.as_ref().map(|c| Secret(&c.0)),
            password: self.cfg.password.as_ref().map(|c| Secret(&c.0)),
        });
        let body = body_of(&logon, &mut scratch, &mut self.stamps);
        self.commit(b"A", true, body, now);
    }

    /// The connection dropped (or was closed by the driver).
    pub fn on_disconnected(&mut self, _now: TsNs) {
        if self.state != State::Disconnected {
            self.disconnect(DisconnectReason::ConnectionLost);
        }
        self.out_len = 0;
    }

    /// Heartbeats, test requests and logon/logout deadlines.
    pub fn on_timer(&mut self, now: TsNs) {
        let hb = self.hb_ns();
        match self.state {
            State::Disconnected => {}
            State::LogonSent if now >= self.deadline => {
                self.disconnect(DisconnectReason::LogonTimeout)
            }
            State::LogonSent => {}
            State::LogoutSent if now >= self.deadline => {
                self.disconnect(DisconnectReason::LogoutTimeout)
            }
            State::Active | State::LogoutSent => {
                match self.test_req_at {
                    Some(t) if now.since(t) >= hb => {
                        return self.disconnect(DisconnectReason::PeerSilent);
                    }
                    None if now.since(self.last_recv) >= hb / 10 * 12 => {
                        self.test_req_count += 1;
                        let mut d = [0u8; U64_DIGITS_MAX];
                        let s = u64_digits(self.test_req_count, &mut d);
                        self.send_admin(
                            &FixMsg::TestRequest {
                                test_req_id: &d[s..],
                            },
                            now,
                        );
                        self.test_req_at = Some(now);
                    }
                    _ => {}
                }
                if self.state != State::Disconnected && now.since(self.last_sent) >= hb {
                    self.send_admin(&FixMsg::Heartbeat { test_req_id: None }, now);
                }
            }
        }
    }

    /// Sends an order or cancel. Only while logged on.
    pub fn send(&mut self, req: &OrderRequest, now: TsNs) -> Result<(), SendError> {
        if self.state != State::Active {
            return Err(SendError::NotLoggedOn);
        }
        if self.send_new(req, now) {
            self.warm_order = Some(*req);
            return Ok(());
        }
        let mut scratch = [0u8; SLOT_BYTES];
        let mut ids = IdBuf::default();
        let msg = order_msg(req, self.seqs.next_out, &self.ins, &self.orders, &mut ids)?;
        let body = body_of(&msg, &mut scratch, &mut self.stamps);
        if self.commit(msg.msg_type(), false, body, now) {
            if record_sent(req, &mut self.orders) {
                self.warm_order = Some(*req);
            }
            Ok(())
        } else {
            Err(SendError::OutboundFull)
        }
    }

    /// A new order through the NewOrderSingle fast path (`nos`), committed as
    /// [`Session::commit`] would; false (nothing changed) when it is not a new order or the
    /// fast path declined it, and the generic path must decide.
    fn send_new(&mut self, req: &OrderRequest, now: TsNs) -> bool {
        let seq = self.seqs.next_out;
        let Some((len, app)) = self.encode_new(req, seq, now) else {
            return false;
        };
        let at = self.out_len;
        self.ring
            .put(seq, b'D', now, &self.out[at + app.start..at + app.end]);
        self.out_len += len;
        self.last_sent = now;
        self.seqs.next_out += 1;
        record_sent(req, &mut self.orders)
    }

    /// Encodes new order `req` as message `seq` at the end of the outbound bytes without
    /// appending it: the frame's length and where its application fields lie, or `None` (not
    /// a new order, or declined by the fast path).
    fn encode_new(
        &mut self,
        req: &OrderRequest,
        seq: u64,
        now: TsNs,
    ) -> Option<(usize, core::ops::Range<usize>)> {
        let RequestKind::New { side, px, qty, tif } = req.kind else {
            return None;
        };
        let spec = self.ins.by_id(req.instrument)?;
        let mut id = [0u8; 24];
        let o = NewOrderSingle {
            cl_ord_id: write_id(req.order, &mut id),
            symbol: &spec.symbol,
            side,
            qty: qty.0,
            price: px_to_decimal(px, spec.tick)?,
            tif,
            transact_time: req.ts,
        };
        let out = &mut self.out[self.out_len..];
        nos::encode(out, &self.nos_head, seq, now, &o, &mut self.stamps)
    }

    /// Encodes the last new order sent once more, as [`Session::send`] would with the next
    /// sequence number and `now`, into the free part of the outbound buffer, and discards it:
    /// nothing is sent, numbered, stored for resend or recorded as open (only the formatted
    /// timestamp cache moves to `now`, as any send would). While no order comes, this keeps
    /// the encoder's code and data and the next frame's buffer lines in cache, so the next
    /// real order is not encoded cold (see `GatewayStage`). Does nothing before the first
    /// order or while not logged on.
    pub fn warm(&mut self, now: TsNs) {
        let Some(last) = self.warm_order else { return };
        if self.state != State::Active {
            return;
        }
        let req = OrderRequest { ts: now, ..last }; // a new order's TransactTime is about now
        std::hint::black_box(self.encode_new(&req, self.seqs.next_out, now));
    }

    /// Starts a graceful logout (Active), or drops a connection still logging on.
    pub fn logout(&mut self, now: TsNs) {
        match self.state {
            State::Active => {
                self.send_admin(&FixMsg::Logout { text: None }, now);
                if self.state == State::Active {
                    self.state = State::LogoutSent;
                    self.deadline = now.plus_ms(self.cfg.logout_timeout_ms);
                }
            }
            State::LogonSent => self.disconnect(DisconnectReason::LocalLogout),
            State::LogoutSent | State::Disconnected => {}
        }
    }

    pub(super) fn event(&mut self, e: Event) {
        self.events.push(e);
    }

    pub(super) fn report(&mut self, r: ExecReport) {
        self.event(Event::Report(r));
    }

    /// Ends the session: no more input is processed until `on_connected`.
    pub(super) fn disconnect(&mut self, why: DisconnectReason) {
        self.state = State::Disconnected;
        self.test_req_at = None;
        self.resend_until = None;
        self.event(Event::Disconnected(why));
    }

    /// Sends a session message with the next sequence number.
    pub(super) fn send_admin(&mut self, msg: &FixMsg<'_>, now: TsNs) -> bool {
        let mut scratch = [0u8; SLOT_BYTES];
        let body = body_of(msg, &mut scratch, &mut self.stamps);
        self.commit(msg.msg_type(), true, body, now)
    }

    /// Frames `body` with the next sequence number (kept for resend unless `admin`).
    fn commit(&mut self, msg_type: &[u8], admin: bool, body: Option<&[u8]>, now: TsNs) -> bool {
        let Some(body) = body else {
            self.disconnect(DisconnectReason::EncodeFailed);
            return false;
        };
        let seq = self.seqs.next_out;
        if !self.frame(msg_type, seq, None, body, now) {
            return false;
        }
        if !admin {
            self.ring.put(seq, msg_type[0], now, body);
        }
        self.seqs.next_out += 1;
        true
    }

    /// Appends one framed message to the outbound bytes; disconnects when they are full.
    pub(super) fn frame(
        &mut self,
        msg_type: &[u8],
        seq: u64,
        orig: Option<TsNs>,
        body: &[u8],
        now: TsNs,
    ) -> bool {
        match self.encode_frame(msg_type, seq, orig, body, now) {
            Some(len) => {
                self.out_len += len;
                self.last_sent = now;
                true
            }
            None => {
                self.disconnect(DisconnectReason::OutboundFull);
                false
            }
        }
    }

    /// Encodes one framed message at the end of the outbound bytes without appending it;
    /// returns its length, or `None` when it does not fit.
    fn encode_frame(
        &mut self,
        msg_type: &[u8],
        seq: u64,
        orig: Option<TsNs>,
        body: &[u8],
        now: TsNs,
    ) -> Option<usize> {
        let h = Header {
            msg_type,
            sender: &self.cfg.sender,
            target: &self.cfg.target,
            seq,
            sending_time: now,
            orig_sending_time: orig,
        };
        let mut enc = Encoder::with_stamps(&mut self.out[self.out_len..], &h, &mut self.stamps);
        enc.fields().raw(body);
        enc.finish().ok().map(<[u8]>::len)
    }
}

/// The body fields of `msg` in `scratch`; `None` if they do not fit or a value is invalid.
pub(super) fn body_of<'s>(
    msg: &FixMsg<'_>,
    scratch: &'s mut [u8],
    stamps: &mut StampCache,
) -> Option<&'s [u8]> {
    let mut f = Fields::with_stamps(&mut *scratch, stamps);
    msg.write_body(&mut f);
    let n = f.finish().ok()?.len();
    Some(&scratch[..n])
}
