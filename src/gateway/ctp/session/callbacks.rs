//! What each CTP callback does to the [`CtpSession`]: the login sequence's answers, the
//! reconciliation queries' rows, order and trade notices, and the counter's refusals. Session
//! thread (`do_work` drains the callback channel).

use ctp_rs::{ReqUserLoginField, SettlementInfoConfirmField, TraderSpiMsg};

use super::super::wire;
use super::{CtpSession, Phase};
use crate::clock::Clock;
use crate::domain::Side;

impl<C: Clock> CtpSession<C> {
    pub(super) fn on_msg(&mut self, msg: TraderSpiMsg) {
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
}
