//! The FIX side of the venue simulator: one listener and connection per `[[live.fix]]`
//! session, the broker-side session ([`crate::gateway::fix::Acceptor`]: sequences, resend,
//! session messages), orders into the [`crate::sim::SimExchange`] and its execution reports
//! back as FIX ExecutionReports.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};

use super::VenueSim;
use crate::clock::Clock;
use crate::domain::{Qty, Side, TsNs, VenueId};
use crate::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};
use crate::feed::decimal::Decimal;
use crate::gateway::fix::acceptor::Step;
use crate::gateway::fix::app::parse_cl_ord_id;
use crate::gateway::fix::msg::ExecutionReport;
use crate::gateway::fix::{Acceptor as FixAcceptor, FixMsg};

/// One FIX acceptor: its listener, the one connection at a time, and the session
/// ([`FixAcceptor`]: sequences, resend, session messages).
pub(super) struct Acceptor {
    pub(super) listener: TcpListener,
    pub(super) conn: Option<TcpStream>,
    pub(super) inbuf: Vec<u8>,
    pub(super) session: FixAcceptor,
}

/// What the simulator remembers of an order to write its reports.
pub(super) struct OrderInfo {
    pub(super) cl_ord_id: Vec<u8>,
    pub(super) symbol: Vec<u8>,
    pub(super) side: Side,
    pub(super) qty: i64,
    pub(super) cum: i64,
    pub(super) venue: usize,
}

impl VenueSim {
    pub(super) fn step_acceptor(&mut self, a: usize, now: TsNs) -> Result<usize, String> {
        let acc = &mut self.acceptors[a].1;
        if acc.conn.is_none() {
            match acc.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(true).map_err(|e| e.to_string())?;
                    let _ = s.set_nodelay(true);
                    acc.conn = Some(s);
                    acc.inbuf.clear();
                    acc.session.on_connected();
                }
                Err(_) => return Ok(0),
            }
        }
        let mut chunk = [0u8; 8192];
        let Some(s) = acc.conn.as_mut() else {
            return Ok(0);
        };
        match s.read(&mut chunk) {
            Ok(0) => {
                acc.drop_conn();
                return Ok(1);
            }
            Ok(n) => acc.inbuf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(0),
            Err(_) => {
                acc.drop_conn();
                return Ok(1);
            }
        }
        let mut work = 1;
        loop {
            let acc = &mut self.acceptors[a].1;
            let (used, order) = match acc.session.step(&acc.inbuf, now) {
                Step::Incomplete => break,
                Step::Handled { len } => (len, None),
                Step::App { len, msg } => (len, order_in(&msg)),
                Step::Close(why) => {
                    eprintln!("venue-sim: FIX session {a}: closing the connection: {why}");
                    acc.flush();
                    acc.drop_conn();
                    break;
                }
            };
            acc.inbuf.drain(..used);
            work += 1;
            if let Some(o) = order {
                self.on_order(a, o, now)?;
            }
        }
        self.acceptors[a].1.flush();
        Ok(work)
    }

    fn on_order(&mut self, a: usize, o: OrderIn, now: TsNs) -> Result<(), String> {
        self.orders_in += 1;
        let Some(order) = parse_cl_ord_id(&o.orig.clone().unwrap_or_else(|| o.cl_ord_id.clone()))
        else {
            return Ok(());
        };
        let Some((_, id, tick)) = self.symbols.iter().find(|s| s.0 == o.symbol).cloned() else {
            return Ok(());
        };
        let kind = match (
            o.orig.is_some(),
            o.price.and_then(|p| p.to_ticks(tick).ok()),
        ) {
            (true, _) => RequestKind::Cancel,
            (false, Some(px)) => {
                self.orders.insert(
                    order.0,
                    OrderInfo {
                        cl_ord_id: o.cl_ord_id.clone(),
                        symbol: o.symbol.clone(),
                        side: o.side,
                        qty: o.qty,
                        cum: 0,
                        venue: a,
                    },
                );
                RequestKind::New {
                    side: o.side,
                    px: crate::domain::Px(px),
                    qty: Qty(o.qty),
                    tif: o.tif,
                }
            }
            (false, None) => return Ok(()),
        };
        let req = OrderRequest {
            order,
            instrument: id,
            kind,
            ts: now,
        };
        let cals = &mut self.cals;
        let mut is_open = |v: VenueId, t: TsNs| cals[v.idx()].is_open(t);
        self.exchange
            .submit(&req, now, &mut is_open)
            .map_err(|e| e.to_string())
    }

    pub(super) fn report(&mut self, r: ExecReport, now: TsNs) {
        let Some(info) = self.orders.get_mut(&r.order.0) else {
            return;
        };
        self.exec_id += 1;
        let (exec_type, last, rej) = match r.kind {
            ReportKind::Ack => (b'0', None, None),
            ReportKind::Fill { px, qty } => {
                info.cum += qty.0;
                self.fills += 1;
                (b'F', Some((px, qty.0)), None)
            }
            ReportKind::Done { .. } => (b'4', None, None),
            ReportKind::Rejected(RejectReason::SessionClosed) => (b'8', None, Some(2)),
            ReportKind::Rejected(_) => (b'8', None, Some(0)),
            ReportKind::CancelRejected(_) => return,
        };
        let tick = self
            .symbols
            .iter()
            .find(|s| s.1 == r.instrument)
            .map(|s| s.2);
        let last_px = match (last, tick) {
            (Some((px, _)), Some(t)) => crate::gateway::fix::app::px_to_decimal(px, t),
            _ => None,
        };
        let leaves = if matches!(exec_type, b'4' | b'8') {
            0
        } else {
            info.qty - info.cum
        };
        let status = match exec_type {
            b'F' if leaves == 0 => b'2',
            b'F' => b'1',
            other => other,
        };
        let mut eid = [0u8; 20];
        let eid_len = crate::gateway::fix::text::u64_digits(self.exec_id, &mut eid);
        let (cl, sym, side, qty, cum, a) = (
            info.cl_ord_id.clone(),
            info.symbol.clone(),
            info.side,
            info.qty,
            info.cum,
            info.venue,
        );
        let m = FixMsg::ExecutionReport(ExecutionReport {
            order_id: &cl,
            cl_ord_id: &cl,
            orig_cl_ord_id: None,
            exec_id: &eid[eid_len..],
            exec_type,
            ord_status: status,
            symbol: &sym,
            side,
            order_qty: Some(qty),
            leaves_qty: leaves,
            cum_qty: cum,
            last_px,
            last_qty: last.map(|l| l.1),
            text: None,
            ord_rej_reason: rej,
            transact_time: Some(now),
        });
        let acc = &mut self.acceptors[a].1;
        acc.session.send_app(&m, now);
        acc.flush();
    }

    pub(super) fn flush_logout(&mut self, a: usize) {
        let now = self.clock.now();
        let acc = &mut self.acceptors[a].1;
        acc.session.logout(now);
        acc.flush();
    }
}

impl Acceptor {
    /// Writes the session's outbound bytes (blocking briefly: loopback, small messages).
    fn flush(&mut self) {
        let out = self.session.outbound();
        if out.is_empty() {
            return;
        }
        let n = out.len();
        if let Some(s) = self.conn.as_mut() {
            let _ = s.set_nonblocking(false);
            let ok = s.write_all(out).is_ok();
            let _ = s.set_nonblocking(true);
            if !ok {
                self.drop_conn();
                return;
            }
        }
        self.session.consume_outbound(n);
    }

    fn drop_conn(&mut self) {
        self.conn = None;
        self.session.on_disconnected();
    }
}

/// An order or cancel copied out of the input buffer.
struct OrderIn {
    cl_ord_id: Vec<u8>,
    orig: Option<Vec<u8>>,
    symbol: Vec<u8>,
    side: Side,
    qty: i64,
    price: Option<Decimal>,
    tif: crate::exec::msg::Tif,
}

fn order_in(m: &FixMsg<'_>) -> Option<OrderIn> {
    Some(match m {
        FixMsg::NewOrderSingle(o) => OrderIn {
            cl_ord_id: o.cl_ord_id.to_vec(),
            orig: None,
            symbol: o.symbol.to_vec(),
            side: o.side,
            qty: o.qty,
            price: Some(o.price),
            tif: o.tif,
        },
        FixMsg::CancelRequest(c) => OrderIn {
            cl_ord_id: c.cl_ord_id.to_vec(),
            orig: Some(c.orig_cl_ord_id.to_vec()),
            symbol: c.symbol.to_vec(),
            side: c.side,
            qty: c.qty,
            price: None,
            tif: crate::exec::msg::Tif::Ioc,
        },
        _ => return None,
    })
}
