//! The CTP session: owns the `TraderApi`, runs the login sequence, turns order requests into CTP
//! requests and CTP callbacks into reports. One thread (the driver's or a test's) calls
//! [`CtpSession::do_work`] in a loop; the C++ API's own threads only push callback messages into
//! an `mpsc` channel (that is how `ctp-rs` delivers them), which `do_work` drains.
//!
//! Phases: `Disconnected` → (front connected) `Authenticating` → `LoggingIn` → `Confirming` →
//! `Reconciling` (orders, trades, positions; one query per `query_gap_ms`) → `Ready`. Only `Ready`
//! sends orders; requests in any other phase are refused at once (`Rejected(Disconnected)`).
//! A refused authentication or login goes to `Backoff` and restarts with `ReqAuthenticate` when
//! [`super::retry::LoginBackoff`] says so, or to `Refused` for good (wrong credentials, locked
//! account: retrying would count toward the counter's lock-out).
//! Every refusal text from the counter (decoded from GB18030 to UTF-8 by the `ctp-rs` wrapper) is
//! kept with its error id in a bounded [`RejectNote`] log — never in the report, which stays
//! fixed-size.
//!
//! Layout: this file the state and the work step; `callbacks` what each CTP callback does;
//! `login` authentication and the reconciliation queries; `requests` orders and cancels.

use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, Sender};

use ctp_rs::{TraderApi, TraderSpiMsg, THOST_TE_RESUME_TYPE};

use super::offset::PositionBook;
use super::orders::{OrderTable, Stamp};
use super::retry::LoginBackoff;
use super::rings::SessionRings;
use super::wire::Who;
use super::CtpConfig;
use crate::clock::Clock;
use crate::domain::{InstrumentId, TsNs};

mod callbacks;
mod login;
mod requests;

/// Refusal notes kept (oldest dropped).
pub const NOTES_MAX: usize = 64;
/// Callback messages or requests handled per `do_work` call, each.
const BATCH_MAX: usize = 64;

/// Where the session is in its login sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No front connection.
    Disconnected,
    /// `ReqAuthenticate` sent.
    Authenticating,
    /// `ReqUserLogin` sent.
    LoggingIn,
    /// `ReqSettlementInfoConfirm` sent.
    Confirming,
    /// Querying orders, trades and positions.
    Reconciling,
    /// Orders flow.
    Ready,
    /// Authentication or login refused for a reason that may pass (counter not ready, session
    /// slot held): the sequence restarts after a back-off.
    Backoff,
    /// Authentication or login refused for good (credentials, registration, lock-out): no
    /// retry, not even after a reconnect, until a human restarts the session.
    Refused,
}

/// A refusal from the counter, for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectNote {
    /// The order it concerns, if one.
    pub order: Option<crate::exec::msg::OrderId>,
    /// CTP ErrorID (or the API's return code for a request it did not send).
    pub error_id: i32,
    /// What it says (UTF-8).
    pub text: String,
}

/// See the module doc.
pub struct CtpSession<C: Clock> {
    api: cxx::UniquePtr<TraderApi>,
    rx: Receiver<TraderSpiMsg>,
    rings: SessionRings,
    cfg: CtpConfig,
    clock: C,
    phase: Phase,
    front: i32,
    session: i32,
    next_ref: i32,
    next_request: i32,
    table: OrderTable,
    pos: PositionBook,
    query_next: usize,
    query_open: bool,
    query_due: TsNs,
    notes: VecDeque<RejectNote>,
    logins: u32,
    retry: LoginBackoff,
}

impl<C: Clock> std::fmt::Debug for CtpSession<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CtpSession")
            .field("phase", &self.phase)
            .field("front", &self.front)
            .field("session", &self.session)
            .field("logins", &self.logins)
            .finish_non_exhaustive()
    }
}

impl<C: Clock> CtpSession<C> {
    /// Creates the API, registers the front and starts it (`Init`); the login follows in
    /// `do_work` once the front connects.
    pub fn start(cfg: CtpConfig, rings: SessionRings, clock: C) -> CtpSession<C> {
        let (tx, rx) = channel();
        Self::start_with(cfg, rings, clock, tx, rx)
    }

    /// As `start`, with the callback channel given: the API sends into `tx`, the session reads
    /// `rx`. Tests put a relay between them to cut the link.
    pub fn start_with(
        cfg: CtpConfig,
        rings: SessionRings,
        clock: C,
        tx: Sender<TraderSpiMsg>,
        rx: Receiver<TraderSpiMsg>,
    ) -> CtpSession<C> {
        let api = TraderApi::CreateTraderApiAndSpi(tx, cfg.flow_dir.clone(), true);
        api.RegisterFront(cfg.front.clone());
        // Quick: no replay of old private flow; the order/trade queries after each login cover
        // what happened while the link was down.
        api.SubscribePrivateTopic(THOST_TE_RESUME_TYPE::THOST_TERT_QUICK as i32);
        api.SubscribePublicTopic(THOST_TE_RESUME_TYPE::THOST_TERT_QUICK as i32);
        api.Init();
        CtpSession {
            api,
            rx,
            rings,
            cfg,
            clock,
            phase: Phase::Disconnected,
            front: 0,
            session: 0,
            next_ref: 1,
            next_request: 1,
            table: OrderTable::default(),
            pos: PositionBook::default(),
            query_next: 0,
            query_open: false,
            query_due: TsNs::ZERO,
            notes: VecDeque::with_capacity(NOTES_MAX),
            logins: 0,
            retry: LoginBackoff::new(),
        }
    }

    /// The login phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Completed logins (2 after one reconnect).
    pub fn logins(&self) -> u32 {
        self.logins
    }

    /// Refusal notes, oldest first.
    pub fn notes(&self) -> impl Iterator<Item = &RejectNote> {
        self.notes.iter()
    }

    /// Positions as the session tracks them.
    pub fn positions(&self) -> &PositionBook {
        &self.pos
    }

    /// The API itself (tests feed LocalCTP market snapshots through it).
    pub fn api(&self) -> &TraderApi {
        &self.api
    }

    /// One work step: callbacks, then requests, then a due query. Returns how many items it
    /// handled (0 = idle).
    pub fn do_work(&mut self) -> usize {
        let mut n = 0;
        while n < BATCH_MAX {
            let Ok(msg) = self.rx.try_recv() else { break };
            self.on_msg(msg);
            n += 1;
        }
        for _ in 0..BATCH_MAX {
            let Ok(req) = self.rings.requests.pop() else {
                break;
            };
            self.on_request(&req);
            n += 1;
        }
        if self.phase == Phase::Backoff && self.retry.take_due(self.clock.now()) {
            self.authenticate();
            n += 1;
        }
        if self.phase == Phase::Reconciling
            && !self.query_open
            && self.clock.now() >= self.query_due
        {
            self.next_query();
            n += 1;
        }
        self.rings.flush();
        n
    }

    fn who(&self) -> Who<'_> {
        let c = &self.cfg.credentials;
        Who {
            broker: c.broker_id.expose(),
            user: c.user_id.expose(),
        }
    }

    fn request_id(&mut self) -> i32 {
        self.next_request += 1;
        self.next_request
    }

    fn note(&mut self, order: Option<crate::exec::msg::OrderId>, error_id: i32, text: String) {
        if self.notes.len() == NOTES_MAX {
            self.notes.pop_front();
        }
        self.notes.push_back(RejectNote {
            order,
            error_id,
            text,
        });
    }

    fn stamp(&self, exchange: Option<TsNs>) -> Stamp {
        let recv = self.clock.now();
        Stamp {
            exchange: exchange.unwrap_or(recv),
            recv,
        }
    }

    fn instrument_of_symbol(&self, symbol: &str) -> Option<InstrumentId> {
        self.cfg
            .instruments
            .iter()
            .find(|i| i.symbol == symbol)
            .map(|i| i.id)
    }

    fn tick_of_symbol(&self, symbol: &str) -> f64 {
        self.cfg
            .instruments
            .iter()
            .find(|i| i.symbol == symbol)
            .map_or(1.0, |i| i.tick_size)
    }
}
