//! The engine's ticket decisions: from an opportunity to an open ticket — engine admission
//! (receipt backpressure, one ticket at a time, stuck tickets), lot sizing from the ratio and the
//! residual ledger (entries) or the position held (exits), the pre-trade risk check, and the
//! trading-day roll of the executor's budgets. Same thread as the engine.

use super::*;

impl Engine {
    pub(super) fn on_opportunity(
        &mut self,
        opp: &Opportunity,
        now: TsNs,
        mkt: &MarketView,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        self.stats.opportunities += 1;
        let p = Payload {
            instrument: self.dom.0,
            side: opp.side as u8,
            px: opp.dom_px,
            a: opp.spread_milli,
            b: opp.ovs_px.0,
            c: opp.threshold_milli,
            code: opp.kind as u16,
            ts_aux: opp.dom_ts_exchange.0,
            ..Payload::default()
        };
        self.emit(sink, Kind::Opportunity, now, p);
        if let Err((refusal, a, b)) = self.admit() {
            self.emit_refusal(opp, refusal, a, b, now, sink);
            self.trigger.decline(opp);
            return;
        }
        if opp.kind == SignalKind::Exit && self.exit == ExitRule::Rearm {
            // Re-arm only: the trigger goes flat, the position stays (threshold strategy).
            self.trigger.set_position(Position::Flat);
            return;
        }
        let Some((dom_qty, ovs_qty)) = self.ticket_size(opp) else {
            // An exit with nothing to flatten (the entry was rolled back): the pair is flat.
            self.trigger.set_position(Position::Flat);
            return;
        };
        let proposal = proposal(opp, dom_qty, ovs_qty);
        if let Err((refusal, a, b)) = self.risk.check_entry(&proposal, now) {
            self.emit_refusal(opp, refusal, a, b, now, sink);
            self.trigger.decline(opp);
            return;
        }
        self.open_ticket(opp, proposal, now, mkt, orders, sink);
    }

    /// Engine-level admission: receipts backpressure, one ticket at a time, stuck tickets.
    pub(super) fn admit(&self) -> Result<(), (Refusal, i64, i64)> {
        if self.receipts_blocked {
            return Err((Refusal::ReceiptBackpressure, 1, 0));
        }
        if self.exec.stuck_tickets() > 0 {
            return Err((
                Refusal::Breaker,
                STUCK_BREAKER,
                self.exec.stuck_tickets() as i64,
            ));
        }
        if self.exec.open_tickets() > 0 {
            return Err((Refusal::TicketOpen, self.exec.open_tickets() as i64, 0));
        }
        Ok(())
    }

    /// Lots of the next ticket: entries from the lot ratio and residual ledger, exits from the
    /// position held. `None` when an exit has nothing to flatten.
    pub(super) fn ticket_size(&self, opp: &Opportunity) -> Option<(i64, i64)> {
        match opp.kind {
            SignalKind::Entry => {
                let lots = self.ledger.plan(opp.side, self.ratio);
                Some((lots.dom_lots, lots.ovs_lots))
            }
            SignalKind::Exit => {
                // Flatten in tickets no larger than an entry: a bigger position (several entries
                // after partial exits) takes several exits.
                let d = self
                    .exec
                    .position(self.dom)
                    .0
                    .abs()
                    .min(self.ratio.dom_lots);
                let o = self
                    .exec
                    .position(self.ovs)
                    .0
                    .abs()
                    .min(self.ratio.ovs_lots);
                (d > 0 && o > 0).then_some((d, o))
            }
        }
    }

    pub(super) fn open_ticket(
        &mut self,
        opp: &Opportunity,
        proposal: Proposal,
        now: TsNs,
        mkt: &MarketView,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        self.roll_trading_day(now);
        let spec = self.ticket_spec(opp, &proposal, now);
        // The entry orders leave before the ticket is built (`exec/entry.rs`): building it and
        // stepping it took ~2,000 instructions and most of the opening step's cache misses
        // (`benches/ticket_open.rs`, `open_to_first_send`).
        let early = self.exec.entry_orders(&spec, now, mkt);
        let sent: &[OrderRequest] = match &early {
            Some(reqs) => {
                reqs.iter().for_each(|r| orders.send(r));
                reqs
            }
            None => &[],
        };
        match self.exec.open(&spec, now, mkt, &mut self.outbox) {
            Ok(id) => {
                self.stats.tickets += 1;
                self.trigger.confirm(opp);
                self.tracked = Some(id);
            }
            Err(
                OpenError::TicketsFull
                | OpenError::WrongInstrument { .. }
                | OpenError::BadQty { .. },
            ) => {
                self.emit_refusal(opp, Refusal::TicketOpen, 0, 0, now, sink);
                self.trigger.decline(opp);
            }
            Err(OpenError::NotTradable(_) | OpenError::DailyBudget { .. }) => {
                self.trigger.decline(opp)
            }
        }
        self.drain_after(sent, now, orders, sink);
    }

    /// The ticket `proposal` opens on `opp` at `now`.
    pub(super) fn ticket_spec(
        &self,
        opp: &Opportunity,
        proposal: &Proposal,
        now: TsNs,
    ) -> TicketSpec {
        TicketSpec {
            dom: LegSpec {
                instrument: self.dom,
                side: opp.side,
                qty: Qty(proposal.dom_lots),
                trigger_px: opp.dom_px,
            },
            ovs: LegSpec {
                instrument: self.ovs,
                side: opp.side.opposite(),
                qty: Qty(proposal.ovs_lots),
                trigger_px: opp.ovs_px,
            },
            spread_side: opp.side,
            opened_at: now,
        }
    }

    #[cold]
    pub(super) fn roll_trading_day(&mut self, now: TsNs) {
        if now < self.day_end {
            return;
        }
        let Some(cal) = self.books.calendar(self.venues[0]) else {
            return;
        };
        let day = cal.trading_day(now);
        if day != self.day {
            self.day = day;
            self.exec.start_trading_day(day);
            self.risk.on_trading_day();
        }
        // Re-check at most every minute of simulated or real time: trading days change rarely.
        self.day_end = now.plus_ms(60_000);
    }
}

/// The two legs' lots on `opp`'s prices, for the pre-trade risk check.
pub(super) fn proposal(opp: &Opportunity, dom_lots: i64, ovs_lots: i64) -> Proposal {
    Proposal {
        dom_side: opp.side,
        dom_lots,
        ovs_lots,
        dom_px: opp.dom_px,
        ovs_px: opp.ovs_px,
        fx: opp.fx,
    }
}
