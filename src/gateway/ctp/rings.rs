//! The hand-over between the executor thread and the CTP session thread: two `rtrb` rings of
//! fixed-size messages. The executor side ([`CtpGateway`]) only pushes [`OrderRequest`]s and pops
//! [`ExecReport`]s: no lock, no allocation, no system call. The session side ([`SessionRings`])
//! keeps a backlog when the report ring is full so that no report is ever dropped (the session
//! thread may allocate; the executor never waits on it).

use std::collections::VecDeque;

use crate::engine::OrderSink;
use crate::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};

/// Requests refused locally (ring full) and kept for the next `poll`.
const REFUSED_MAX: usize = 64;

/// Builds both ends: `capacity` slots in each direction.
pub fn rings(capacity: usize) -> (CtpGateway, SessionRings) {
    let (req_tx, req_rx) = rtrb::RingBuffer::new(capacity);
    let (rep_tx, rep_rx) = rtrb::RingBuffer::new(capacity);
    let gw = CtpGateway {
        requests: req_tx,
        reports: rep_rx,
        refused: [None; REFUSED_MAX],
        refused_len: 0,
        lost: 0,
    };
    let session = SessionRings {
        requests: req_rx,
        reports: rep_tx,
        backlog: VecDeque::new(),
    };
    (gw, session)
}

/// The executor's handle on a CTP venue. Implements [`OrderSink`].
#[derive(Debug)]
pub struct CtpGateway {
    requests: rtrb::Producer<OrderRequest>,
    reports: rtrb::Consumer<ExecReport>,
    refused: [Option<ExecReport>; REFUSED_MAX],
    refused_len: usize,
    lost: u64,
}

impl CtpGateway {
    /// Hands every report waiting to `f`; returns how many.
    pub fn poll(&mut self, f: &mut impl FnMut(ExecReport)) -> usize {
        let mut n = 0;
        for r in self.refused[..self.refused_len].iter_mut() {
            if let Some(rep) = r.take() {
                f(rep);
                n += 1;
            }
        }
        self.refused_len = 0;
        while let Ok(rep) = self.reports.pop() {
            f(rep);
            n += 1;
        }
        n
    }

    /// Queues a request for the session thread. A full ring refuses it at once (the executor
    /// hears `Rejected(Disconnected)` / `CancelRejected` on the next `poll`).
    pub fn send(&mut self, req: &OrderRequest) {
        if self.requests.push(*req).is_ok() {
            return;
        }
        let kind = match req.kind {
            RequestKind::New { .. } => ReportKind::Rejected(RejectReason::Disconnected),
            RequestKind::Cancel => ReportKind::CancelRejected(RejectReason::Disconnected),
        };
        let rep = ExecReport {
            order: req.order,
            instrument: req.instrument,
            kind,
            ts_exchange: req.ts,
            ts_recv: req.ts,
        };
        if self.refused_len < REFUSED_MAX {
            self.refused[self.refused_len] = Some(rep);
            self.refused_len += 1;
        } else {
            // Both the ring and the local list are full: the executor's ack timeout covers it.
            self.lost += 1;
        }
    }

    /// Requests that could be neither queued nor refused (both full); left to ack timeouts.
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

impl OrderSink for CtpGateway {
    fn send(&mut self, req: &OrderRequest) {
        CtpGateway::send(self, req);
    }
}

/// The session thread's ends of the rings.
#[derive(Debug)]
pub struct SessionRings {
    /// Requests from the executor.
    pub requests: rtrb::Consumer<OrderRequest>,
    reports: rtrb::Producer<ExecReport>,
    backlog: VecDeque<ExecReport>,
}

impl SessionRings {
    /// Sends a report, in order after any backlog.
    pub fn emit(&mut self, rep: ExecReport) {
        self.flush();
        if !self.backlog.is_empty() {
            self.backlog.push_back(rep);
        } else if let Err(rtrb::PushError::Full(rep)) = self.reports.push(rep) {
            self.backlog.push_back(rep);
        }
    }

    /// Moves backlog into the ring while it has room.
    pub fn flush(&mut self) {
        while let Some(&rep) = self.backlog.front() {
            if self.reports.push(rep).is_err() {
                return;
            }
            self.backlog.pop_front();
        }
    }

    /// Reports waiting for ring space.
    pub fn backlog_len(&self) -> usize {
        self.backlog.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{InstrumentId, Px, Qty, Side, TsNs};
    use crate::exec::msg::{OrderId, Tif};

    fn new_order(id: u32) -> OrderRequest {
        OrderRequest {
            order: OrderId(id),
            instrument: InstrumentId(0),
            kind: RequestKind::New {
                side: Side::Buy,
                px: Px(1),
                qty: Qty(1),
                tif: Tif::Ioc,
            },
            ts: TsNs(5),
        }
    }

    fn ack(id: u32) -> ExecReport {
        ExecReport {
            order: OrderId(id),
            instrument: InstrumentId(0),
            kind: ReportKind::Ack,
            ts_exchange: TsNs(1),
            ts_recv: TsNs(2),
        }
    }

    #[test]
    fn a_full_request_ring_refuses_on_the_next_poll() {
        let (mut gw, mut s) = rings(1);
        gw.send(&new_order(1));
        gw.send(&new_order(2));
        let mut got = Vec::new();
        gw.poll(&mut |r| got.push((r.order, r.kind)));
        assert_eq!(
            got,
            [(OrderId(2), ReportKind::Rejected(RejectReason::Disconnected))]
        );
        assert_eq!(s.requests.pop().unwrap().order, OrderId(1));
    }

    #[test]
    fn reports_beyond_ring_capacity_wait_in_order_and_none_is_lost() {
        let (mut gw, mut s) = rings(2);
        for k in 0..5 {
            s.emit(ack(k));
        }
        assert_eq!(s.backlog_len(), 3);
        let mut got = Vec::new();
        gw.poll(&mut |r| got.push(r.order.0));
        s.flush();
        gw.poll(&mut |r| got.push(r.order.0));
        s.flush();
        gw.poll(&mut |r| got.push(r.order.0));
        assert_eq!(got, [0, 1, 2, 3, 4]);
    }
}
