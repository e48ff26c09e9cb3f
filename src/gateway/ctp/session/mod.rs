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

use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, Sender};

use ctp_rs::{
    QryInvestorPositionField, QryOrderField, QryTradeField, ReqAuthenticateField,
    ReqUserLoginField, RspInfoField, SettlementInfoConfirmField, TraderApi, TraderSpiMsg,
    THOST_TE_RESUME_TYPE,
};

use super::offset::PositionBook;
use super::orders::{OrderTable, Stamp};
use super::retry::{LoginBackoff, LoginRetry};
use super::rings::SessionRings;
use super::wire::{self, Who};
use super::CtpConfig;
use crate::clock::Clock;
use crate::domain::{InstrumentId, Side, TsNs, NS_PER_MS};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Query {
    Orders,
    Trades,
    Positions,
}

const QUERIES: [Query; 3] = [Query::Orders, Query::Trades, Query::Positions];

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

    fn on_msg(&mut self, msg: TraderSpiMsg) {
        use TraderSpiMsg as M;
        match msg {
            M::OnFrontConnected if self.retry.gave_up() => {
                self.note(
                    None,
                    0,
                    "front connected; login refused earlier: not retrying".into(),
                );
            }
            M::OnFrontConnected => self.authenticate(),
            M::OnFrontDisconnected(reason) => {
                self.retry.on_disconnected();
                self.phase = if self.retry.gave_up() {
                    Phase::Refused
                } else {
                    Phase::Disconnected
                };
                self.query_open = false;
                self.note(None, reason, "front disconnected".to_string());
            }
            M::OnRspAuthenticate(_, info, _, _) => {
                if self.refused(&info) {
                    return;
                }
                let c = &self.cfg.credentials;
                let req = ReqUserLoginField {
                    BrokerID: c.broker_id.expose().to_string(),
                    UserID: c.user_id.expose().to_string(),
                    Password: c.password.expose().to_string(),
                    ..Default::default()
                };
                let id = self.request_id();
                self.api.ReqUserLogin(req, id);
                self.phase = Phase::LoggingIn;
            }
            M::OnRspUserLogin(rsp, info, _, _) => {
                if self.refused(&info) {
                    return;
                }
                (self.front, self.session) = (rsp.FrontID, rsp.SessionID);
                self.next_ref = self.next_ref.max(wire::parse_ref(&rsp.MaxOrderRef) + 1);
                let who = self.who();
                let req = SettlementInfoConfirmField {
                    BrokerID: who.broker.to_string(),
                    InvestorID: who.user.to_string(),
                    ..Default::default()
                };
                let id = self.request_id();
                self.api.ReqSettlementInfoConfirm(req, id);
                self.phase = Phase::Confirming;
            }
            M::OnRspSettlementInfoConfirm(_, info, _, _) => {
                if info.ErrorID != 0 {
                    // Already confirmed today is not a reason to stop; keep the text.
                    self.note(None, info.ErrorID, info.ErrorMsg.clone());
                }
                self.phase = Phase::Reconciling;
                self.query_next = 0;
                self.query_open = false;
            }
            M::OnRspQryOrder(o, _, _, last) => {
                if !o.is_null {
                    let at = self.stamp(wire::beijing_ts(&o.InsertDate, &o.InsertTime));
                    self.table
                        .on_order(&wire::order_notice(&o), at, &mut self.pos, &mut |r| {
                            self.rings.emit(r)
                        });
                }
                self.query_done(last);
            }
            M::OnRspQryTrade(t, _, _, last) => {
                if !t.is_null {
                    let at = self.stamp(wire::beijing_ts(&t.TradeDate, &t.TradeTime));
                    let tick = self.tick_of_symbol(&t.InstrumentID);
                    self.table.on_trade(
                        &wire::trade_notice(&t, tick),
                        at,
                        &mut self.pos,
                        &mut |r| self.rings.emit(r),
                    );
                }
                self.query_done(last);
            }
            M::OnRspQryInvestorPosition(p, _, _, last) => {
                if let (false, Some(ins)) = (p.is_null, self.instrument_of_symbol(&p.InstrumentID))
                {
                    let side = if p.PosiDirection == b'3' {
                        Side::Sell
                    } else {
                        Side::Buy
                    };
                    let today = i64::from(p.TodayPosition);
                    let older = i64::from(p.Position) - today;
                    let held = *self.pos.lots(ins, side);
                    self.pos
                        .set_held(ins, side, held.today + today, held.yesterday + older);
                }
                self.query_done(last);
            }
            M::OnRtnOrder(o) => {
                let at = self.stamp(wire::beijing_ts(&o.InsertDate, &o.InsertTime));
                self.table
                    .on_order(&wire::order_notice(&o), at, &mut self.pos, &mut |r| {
                        self.rings.emit(r)
                    });
            }
            M::OnRtnTrade(t) => {
                let at = self.stamp(wire::beijing_ts(&t.TradeDate, &t.TradeTime));
                let tick = self.tick_of_symbol(&t.InstrumentID);
                self.table
                    .on_trade(&wire::trade_notice(&t, tick), at, &mut self.pos, &mut |r| {
                        self.rings.emit(r)
                    });
            }
            M::OnRspOrderInsert(i, info, _, _) | M::OnErrRtnOrderInsert(i, info)
                if info.ErrorID != 0 =>
            {
                self.insert_refused(&i.OrderRef, &info)
            }
            M::OnRspOrderAction(a, info, _, _) if info.ErrorID != 0 => {
                self.cancel_refused(a.FrontID, a.SessionID, &a.OrderRef, &info)
            }
            M::OnErrRtnOrderAction(a, info) if info.ErrorID != 0 => {
                self.cancel_refused(a.FrontID, a.SessionID, &a.OrderRef, &info)
            }
            M::OnRspError(info, _, _) => self.note(None, info.ErrorID, info.ErrorMsg.clone()),
            _ => {}
        }
    }

    /// Notes a refused login step and backs off or gives up; `true` if it was refused.
    fn refused(&mut self, info: &RspInfoField) -> bool {
        if info.ErrorID == 0 {
            return false;
        }
        self.note(None, info.ErrorID, info.ErrorMsg.clone());
        self.phase = match self.retry.on_refused(info.ErrorID, self.clock.now()) {
            LoginRetry::At(_) => Phase::Backoff,
            LoginRetry::GiveUp => Phase::Refused,
        };
        true
    }

    fn authenticate(&mut self) {
        let c = &self.cfg.credentials;
        let req = ReqAuthenticateField {
            BrokerID: c.broker_id.expose().to_string(),
            UserID: c.user_id.expose().to_string(),
            AuthCode: c.auth_code.expose().to_string(),
            AppID: c.app_id.expose().to_string(),
            ..Default::default()
        };
        let id = self.request_id();
        self.api.ReqAuthenticate(req, id);
        self.phase = Phase::Authenticating;
    }

    fn next_query(&mut self) {
        let Some(&q) = QUERIES.get(self.query_next) else {
            self.phase = Phase::Ready;
            self.logins += 1;
            self.retry.on_logged_in();
            return;
        };
        let who = self.who();
        let (broker, user) = (who.broker.to_string(), who.user.to_string());
        let id = self.request_id();
        let ret = match q {
            Query::Orders => self.api.ReqQryOrder(
                QryOrderField {
                    BrokerID: broker,
                    InvestorID: user,
                    ..Default::default()
                },
                id,
            ),
            Query::Trades => self.api.ReqQryTrade(
                QryTradeField {
                    BrokerID: broker,
                    InvestorID: user,
                    ..Default::default()
                },
                id,
            ),
            Query::Positions => {
                self.pos.clear_held();
                self.api.ReqQryInvestorPosition(
                    QryInvestorPositionField {
                        BrokerID: broker,
                        InvestorID: user,
                        ..Default::default()
                    },
                    id,
                )
            }
        };
        // Success or flow control (-2, -3): either way the next try waits one gap.
        self.query_due = self.clock.now().plus_ns(self.cfg.query_gap_ms * NS_PER_MS);
        self.query_open = ret == 0;
    }

    fn query_done(&mut self, last: bool) {
        if last && self.query_open {
            self.query_open = false;
            self.query_next += 1;
        }
    }
}
