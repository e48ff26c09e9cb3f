//! Order requests of the [`CtpSession`]: new orders (offset chosen by the position book, OrderRef
//! assigned, recorded in the order table before the request leaves) and cancels; and the
//! counter's refusals of either. Session thread.

use super::super::offset::CloseRule;
use super::super::orders::Sent;
use super::super::wire;
use super::{CtpSession, Phase};
use crate::clock::Clock;
use crate::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};
use ctp_rs::RspInfoField;

impl<C: Clock> CtpSession<C> {
    pub(super) fn insert_refused(&mut self, order_ref: &str, info: &RspInfoField) {
        let at = self.stamp(None);
        let r = wire::parse_ref(order_ref);
        let (f, s) = (self.front, self.session);
        let emit = &mut |rep| self.rings.emit(rep);
        if let Some(order) = self
            .table
            .on_insert_refused(f, s, r, at, &mut self.pos, emit)
        {
            self.note(Some(order), info.ErrorID, info.ErrorMsg.clone());
        }
    }

    pub(super) fn cancel_refused(
        &mut self,
        front: i32,
        session: i32,
        order_ref: &str,
        info: &RspInfoField,
    ) {
        let at = self.stamp(None);
        let r = wire::parse_ref(order_ref);
        let order = self
            .table
            .on_cancel_refused(front, session, r, at, &mut |rep| self.rings.emit(rep));
        self.note(order, info.ErrorID, info.ErrorMsg.clone());
    }

    fn refuse(&mut self, req: &OrderRequest, why: RejectReason) {
        let kind = match req.kind {
            RequestKind::New { .. } => ReportKind::Rejected(why),
            RequestKind::Cancel => ReportKind::CancelRejected(why),
        };
        let now = self.clock.now();
        self.rings.emit(ExecReport {
            order: req.order,
            instrument: req.instrument,
            kind,
            ts_exchange: now,
            ts_recv: now,
        });
    }

    pub(super) fn on_request(&mut self, req: &OrderRequest) {
        if self.phase != Phase::Ready {
            return self.refuse(req, RejectReason::Disconnected);
        }
        let Some(ins) = self
            .cfg
            .instruments
            .iter()
            .find(|i| i.id == req.instrument)
            .cloned()
        else {
            self.note(
                Some(req.order),
                0,
                "instrument not in the CTP gateway config".to_string(),
            );
            return self.refuse(req, RejectReason::Venue);
        };
        match req.kind {
            RequestKind::New { side, px, qty, tif } => {
                let offset = self.pos.open_or_close(
                    CloseRule::of_exchange(&ins.exchange),
                    ins.id,
                    side,
                    qty.0,
                );
                let order_ref = self.next_ref;
                self.next_ref += 1;
                let sent = Sent {
                    order: req.order,
                    instrument: ins.id,
                    side,
                    offset,
                    qty: qty.0,
                    front: self.front,
                    session: self.session,
                    order_ref,
                };
                if self.table.insert(sent).is_err() {
                    self.pos.on_end(ins.id, side, offset, qty.0);
                    self.note(Some(req.order), 0, "order table full".to_string());
                    return self.refuse(req, RejectReason::Venue);
                }
                let id = self.request_id();
                let f = wire::order_insert(
                    &self.who(),
                    &ins,
                    order_ref,
                    side,
                    offset,
                    px,
                    qty.0,
                    tif,
                    self.cfg.ioc_volume,
                    id,
                );
                let ret = self.api.ReqOrderInsert(f, id);
                if ret != 0 {
                    let (fr, se, at) = (self.front, self.session, self.stamp(None));
                    self.table
                        .on_insert_refused(fr, se, order_ref, at, &mut self.pos, &mut |r| {
                            self.rings.emit(r)
                        });
                    self.note(Some(req.order), ret, "ReqOrderInsert not sent".to_string());
                }
            }
            RequestKind::Cancel => {
                let Some((sent, sys)) = self.table.live(req.order) else {
                    return self.refuse(req, RejectReason::CancelRefused);
                };
                let id = self.request_id();
                let sys = sys.as_ref().map(|k| k.as_str());
                let f = wire::order_cancel(
                    &self.who(),
                    &ins,
                    sent.front,
                    sent.session,
                    sent.order_ref,
                    sys,
                    id,
                    id,
                );
                let ret = self.api.ReqOrderAction(f, id);
                if ret != 0 {
                    self.note(Some(req.order), ret, "ReqOrderAction not sent".to_string());
                    self.refuse(req, RejectReason::Disconnected);
                }
            }
        }
    }
}
