//! The engine's outputs: the executor's orders go to the order sink; its receipts update risk,
//! the residual ledger and the trigger's state, are completed (a fill's cash flow and exposure)
//! and go to the receipt sink. Same thread as the engine.

use super::*;

impl Engine {
    /// Sends the executor's orders and post-processes its receipts.
    pub(super) fn drain(
        &mut self,
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        self.drain_after(&[], now, orders, sink);
    }

    /// [`Engine::drain`] when `sent`, the first orders of the outbox, already went to `orders`
    /// ahead of the executor call (`exec/entry.rs`).
    pub(super) fn drain_after(
        &mut self,
        sent: &[OrderRequest],
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        assert!(
            self.outbox.orders().starts_with(sent),
            "Invariant: orders sent ahead of the executor are the first it decided"
        );
        // Every executor call is followed by a drain: refresh the cached per-quote checks here.
        self.deadline = self.exec.next_deadline();
        self.busy = self.exec.open_tickets() > 0;
        for i in sent.len()..self.outbox.orders().len() {
            let req = self.outbox.orders()[i];
            orders.send(&req);
        }
        for i in 0..self.outbox.receipts().len() {
            let e = self.outbox.receipts()[i];
            self.post(e, now, sink);
        }
        self.outbox.clear();
    }

    /// Updates risk, ledger and trigger from one executor receipt, completes it, emits it.
    pub(super) fn post(&mut self, mut e: Event, now: TsNs, sink: &mut impl ReceiptSink) {
        let leg = if e.payload.leg == 2 {
            Leg::Overseas
        } else {
            Leg::Domestic
        };
        let mut trip = None;
        match e.kind {
            Kind::OrderNew => self.risk.on_order_sent(now),
            Kind::OrderAck => trip = self.risk.on_ack_latency(e.payload.a),
            Kind::OrderReject if e.payload.a == 0 => trip = self.risk.on_reject(),
            Kind::Fill => {
                if let Some(side) = Side::from_u8(e.payload.side) {
                    let v = &self.values[leg_idx(leg)];
                    e.payload.b = v.cash_micros(side, e.payload.px, e.payload.qty, self.fx_last);
                    e.payload.c = v.base(side, e.payload.qty);
                    trip = self
                        .risk
                        .on_fill(leg, side, e.payload.qty.0, e.payload.a, now);
                }
            }
            Kind::TicketClose => self.on_ticket_close(&e, now, sink),
            _ => {}
        }
        self.emit_event(sink, e);
        if let Some(t) = trip {
            self.emit_trip(t, now, sink);
        }
    }

    pub(super) fn on_ticket_close(&mut self, e: &Event, now: TsNs, sink: &mut impl ReceiptSink) {
        let Some(id) = self.tracked.filter(|id| *id == e.payload.ticket) else {
            return;
        };
        self.tracked = None;
        let outcome = e.payload.code;
        let (dom_net, ovs_net) = (e.payload.a, e.payload.b);
        if self.exit == ExitRule::Flatten {
            // The hysteresis state follows the position actually held, whatever the ticket
            // meant: a rolled-back entry leaves the pair flat, a partly rolled-back exit open.
            let held = self.exec.position(self.dom).0;
            self.trigger.set_position(match held {
                h if h < 0 => Position::Short,
                h if h > 0 => Position::Long,
                _ => Position::Flat,
            });
        } else if dom_net == 0 {
            // Re-arm strategy: the state is the last entry's direction unless nothing traded.
            self.trigger.set_position(Position::Flat);
        }
        // The ledger keeps the lot mismatch of what stayed traded (balanced tickets and the
        // balanced multiple a rollback kept); a stuck ticket's remainder is naked, not residual.
        let kept = outcome == Outcome::Balanced as u16 || outcome == Outcome::RolledBack as u16;
        if kept && (dom_net != 0 || ovs_net != 0) {
            let change = self.ledger.record(dom_net, ovs_net);
            self.risk.set_residual(self.ledger.residual(), now);
            let p = Payload {
                a: self.ledger.residual().0,
                b: change.0,
                ticket: id,
                ..Payload::default()
            };
            self.emit(sink, Kind::Residual, now, p);
        }
    }

    pub(super) fn emit_refusal(
        &mut self,
        opp: &Opportunity,
        refusal: Refusal,
        a: i64,
        b: i64,
        now: TsNs,
        sink: &mut impl ReceiptSink,
    ) {
        let p = Payload {
            instrument: self.dom.0,
            side: opp.side as u8,
            code: refusal as u16,
            code2: opp.kind as u16,
            a,
            b,
            ..Payload::default()
        };
        self.emit(sink, Kind::Refused, now, p);
    }

    pub(super) fn emit_trip(&mut self, t: Trip, now: TsNs, sink: &mut impl ReceiptSink) {
        let p = Payload {
            code: t.breaker as u16,
            a: t.measured,
            b: t.limit,
            ..Payload::default()
        };
        self.emit(sink, Kind::Breaker, now, p);
    }

    pub(super) fn emit(
        &mut self,
        sink: &mut impl ReceiptSink,
        kind: Kind,
        ts: TsNs,
        payload: Payload,
    ) {
        self.emit_event(
            sink,
            Event {
                kind,
                ts: ts.0,
                payload,
            },
        );
    }

    pub(super) fn emit_event(&mut self, sink: &mut impl ReceiptSink, e: Event) {
        self.receipts_blocked = !sink.emit(e);
    }
}
