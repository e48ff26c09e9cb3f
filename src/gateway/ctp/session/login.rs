//! The [`CtpSession`]'s login steps: authentication (and its refusals, backed off or given up)
//! and the reconciliation queries (orders, trades, positions) one at a time. Session thread.

use ctp_rs::{
    QryInvestorPositionField, QryOrderField, QryTradeField, ReqAuthenticateField, RspInfoField,
};

use super::super::retry::LoginRetry;
use super::{CtpSession, Phase};
use crate::clock::Clock;
use crate::domain::NS_PER_MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Query {
    Orders,
    Trades,
    Positions,
}

const QUERIES: [Query; 3] = [Query::Orders, Query::Trades, Query::Positions];

impl<C: Clock> CtpSession<C> {
    /// Notes a refused login step and backs off or gives up; `true` if it was refused.
    pub(super) fn refused(&mut self, info: &RspInfoField) -> bool {
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

    pub(super) fn authenticate(&mut self) {
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

    pub(super) fn next_query(&mut self) {
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

    pub(super) fn query_done(&mut self, last: bool) {
        if last && self.query_open {
            self.query_open = false;
            self.query_next += 1;
        }
    }
}
