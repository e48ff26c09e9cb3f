//! The engine: the aligner (book table), spread trigger, lot alignment, risk gates and two-leg
//! executor composed into one stage with three inputs — a quote, an execution report, a timer —
//! and two outputs — order requests and receipt events. The replay stepper drives it on one
//! thread against the simulated exchange; the live runtime drives the same struct from its
//! rings. One code path for live, replay and tests.
//!
//! Policy decided here (the parts decide the rest):
//! * One ticket at a time: a new opportunity while a ticket is open or stuck is refused
//!   (`TicketOpen`, or `Breaker` with `a` = [`STUCK_BREAKER`] for a stuck one).
//! * Entries take the lot-aligned size (adjusted by the residual ledger); exits flatten the
//!   position the executor holds. A rolled-back entry puts the trigger back to flat.
//! * `Refused` receipts for trigger gates are written once per run of the same refusal (a
//!   cooldown would otherwise write one per quote); cooldown refusals are not written at all.
//! * Fill receipts are completed here with `b` = cash flow in report-currency micro units and
//!   `c` = signed exposure in base quanta, so the receipt log alone yields PnL and exposure.
//!
//! Hot path (`on_quote`, `on_report`, `on_timer`): no allocation, integer decisions.

mod value;

pub use value::{LegValue, MICROS};

use crate::config::{Config, ExitRule, Fx, Leg};
use crate::domain::{InstrumentId, Qty, Quote, Side, TsNs, VenueId};
use crate::exec::codes::Outcome;
use crate::exec::msg::{ExecReport, OrderRequest};
use crate::exec::{Executor, LegMarket, LegSpec, MarketView, OpenError, Outbox, TicketSpec};
use crate::receipt::event::{Event, Kind, Payload, Refusal};
use crate::trigger::{
    align_lots, BookTable, KillSwitch, LotRatio, NoSignal, Opportunity, Position, Proposal,
    ResidualLedger, RiskGate, SignalKind, SpreadTrigger, Trip,
};

/// Risk timers (feed staleness, naked exposure age, kill switch receipts) are polled on quotes
/// at most this often, and on every executor timer.
pub const RISK_POLL_MS: i64 = 100;

/// `a` of a `Refused`/`Breaker` receipt when the refusal is a stuck ticket awaiting a human.
pub const STUCK_BREAKER: i64 = 100;

/// Where the engine's receipts go (the receipt ring live, the writer + summary in replay).
pub trait ReceiptSink {
    /// Takes one receipt. Returns false when the sink cannot take more (ring full, writer
    /// poisoned): the engine then opens no new tickets until it accepts again.
    fn emit(&mut self, e: Event) -> bool;
}

/// Where the engine's orders go (the gateway ring live, the simulated exchange in replay).
pub trait OrderSink {
    /// Takes one order request.
    fn send(&mut self, req: &OrderRequest);
}

/// Why the engine could not be built from a config.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Book table (calendars) could not be built.
    #[error(transparent)]
    Book(#[from] crate::trigger::BookError),
    /// Spread trigger could not be built.
    #[error(transparent)]
    Spread(#[from] crate::trigger::SpreadError),
    /// Risk gate could not be built.
    #[error(transparent)]
    Risk(#[from] crate::trigger::RiskError),
    /// Lot alignment failed.
    #[error(transparent)]
    Lots(#[from] crate::trigger::LotsError),
}

/// Counters the engine keeps (the rest of a summary comes from receipts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Quotes handed to `on_quote`.
    pub quotes: u64,
    /// Opportunities the trigger raised (entry and exit).
    pub opportunities: u64,
    /// Tickets opened.
    pub tickets: u64,
}

/// The composed engine.
#[derive(Debug)]
pub struct Engine {
    books: BookTable,
    trigger: SpreadTrigger,
    risk: RiskGate,
    ratio: LotRatio,
    ledger: ResidualLedger,
    exec: Executor,
    outbox: Outbox,
    dom: InstrumentId,
    ovs: InstrumentId,
    venues: [VenueId; 2],
    values: [LegValue; 2],
    fx_live: Option<(InstrumentId, f64)>,
    fx_last: f64,
    /// The ticket the engine opened and still tracks (trigger state, residual ledger).
    tracked: Option<u32>,
    exit: ExitRule,
    last_gate: Option<Refusal>,
    receipts_blocked: bool,
    day: u32,
    day_end: TsNs,
    next_poll: TsNs,
    /// `exec.next_deadline()` and `exec.open_tickets() > 0` as of the last executor call (they
    /// change only then; scanning the ticket table per quote would cost more than the quote).
    deadline: Option<TsNs>,
    busy: bool,
    stats: EngineStats,
}

impl Engine {
    /// Builds every stage from a validated config (cold).
    pub fn new(cfg: &Config, kill: KillSwitch) -> Result<Engine, EngineError> {
        let (dom, ovs) = (cfg.pair.domestic, cfg.pair.overseas);
        let (di, oi) = (&cfg.instruments[dom.idx()], &cfg.instruments[ovs.idx()]);
        let ratio = align_lots(
            di.lot_base,
            oi.lot_base,
            cfg.pair.domestic_lots_max,
            cfg.pair.overseas_lots_max,
        )?;
        let (fx_fixed, fx_live) = match cfg.pair.fx {
            Fx::Fixed(f) => (Some(f), None),
            Fx::Live { instrument, .. } => (
                None,
                Some((instrument, cfg.instruments[instrument.idx()].tick_size)),
            ),
        };
        Ok(Engine {
            books: BookTable::new(&cfg.venues, &cfg.instruments)?,
            trigger: SpreadTrigger::new(&cfg.pair, &cfg.instruments)?,
            risk: RiskGate::new(&cfg.risk, &cfg.pair, &cfg.instruments, kill)?,
            ratio,
            ledger: ResidualLedger::new(di.lot_base, oi.lot_base, cfg.pair.domestic_lots_max),
            exec: Executor::new(&cfg.execution, dom, ovs),
            outbox: Outbox::new(),
            dom,
            ovs,
            venues: [di.venue, oi.venue],
            values: [LegValue::new(cfg, di), LegValue::new(cfg, oi)],
            fx_live,
            fx_last: fx_fixed.unwrap_or(0.0),
            tracked: None,
            exit: cfg.pair.exit,
            last_gate: None,
            receipts_blocked: false,
            day: 0,
            day_end: TsNs(i64::MIN),
            next_poll: TsNs(i64::MIN),
            deadline: None,
            busy: false,
            stats: EngineStats::default(),
        })
    }

    /// Counters so far.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// The executor (positions, exposure, open tickets).
    pub fn executor(&self) -> &Executor {
        &self.exec
    }

    /// The book table (for the stepper's session checks).
    pub fn books_mut(&mut self) -> &mut BookTable {
        &mut self.books
    }

    /// Current FX rate (domestic per overseas currency); 0 before a live rate was seen.
    pub fn fx(&self) -> f64 {
        self.fx_last
    }

    /// Valuation of a leg.
    pub fn leg_value(&self, leg: Leg) -> &LegValue {
        &self.values[leg_idx(leg)]
    }

    /// When the executor next needs `on_timer`.
    pub fn next_deadline(&self) -> Option<TsNs> {
        self.deadline
    }

    /// A quote reached the engine at `now`.
    pub fn on_quote(
        &mut self,
        q: &Quote,
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        self.stats.quotes += 1;
        if let Some(change) = self.books.on_quote(q) {
            let p = Payload {
                instrument: change.instrument.0,
                code: change.code(),
                ..Payload::default()
            };
            self.emit(sink, Kind::BookState, now, p);
        }
        self.note_quote(q);
        let relevant = q.instrument == self.dom || q.instrument == self.ovs;
        if !relevant && self.fx_live.is_none_or(|(id, _)| id != q.instrument) {
            return;
        }
        if self.busy {
            let mkt = self.market(now);
            self.exec.on_timer(now, &mkt, &mut self.outbox);
            self.drain(now, orders, sink);
        }
        if now >= self.next_poll {
            self.next_poll = now.plus_ms(RISK_POLL_MS);
            self.poll_risk(now, sink);
        }
        self.evaluate(now, orders, sink);
    }

    /// An execution report reached the engine at `now`.
    pub fn on_report(
        &mut self,
        rep: &ExecReport,
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        let mkt = self.market(now);
        self.exec.on_report(rep, now, &mkt, &mut self.outbox);
        self.drain(now, orders, sink);
    }

    /// Timer: executor deadlines and risk polls at `now`.
    pub fn on_timer(
        &mut self,
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        let mkt = self.market(now);
        self.exec.on_timer(now, &mkt, &mut self.outbox);
        self.drain(now, orders, sink);
        self.poll_risk(now, sink);
    }

    /// Writes the `Start` receipt: `a` = seed, `b` = config hash, `c` = FX in micro units,
    /// `px` = report currency ([`currency_code`]).
    pub fn start(&mut self, now: TsNs, seed: u64, cfg: &Config, sink: &mut impl ReceiptSink) {
        let config_hash = cfg.source.hash;
        let p = Payload {
            px: crate::domain::Px(currency_code(&cfg.risk.report_currency)),
            a: seed as i64,
            b: config_hash as i64,
            c: (self.fx_last * MICROS).round() as i64,
            ..Payload::default()
        };
        self.emit(sink, Kind::Start, now, p);
    }

    /// Writes the `Stop` receipt: `a` = quotes, `b` = tickets, `c` = mark-to-market value of the
    /// open position at the last mids, report-currency micro units.
    pub fn stop(&mut self, now: TsNs, sink: &mut impl ReceiptSink) {
        let p = Payload {
            a: self.stats.quotes as i64,
            b: self.stats.tickets as i64,
            c: self.mark_to_market_micros(),
            ..Payload::default()
        };
        self.emit(sink, Kind::Stop, now, p);
    }

    /// Value of the executor's positions at the last mid of each leg (0 without a quote).
    pub fn mark_to_market_micros(&self) -> i64 {
        let mut total = 0.0;
        for (i, id) in [self.dom, self.ovs].into_iter().enumerate() {
            let pos = self.exec.position(id);
            if let Some(q) = self.books.latest(id) {
                let mid2 = q.bid_px.0 + q.ask_px.0;
                let v = self.values[i].value(crate::domain::Px(mid2), pos, self.fx_last) / 2.0;
                total += v;
            }
        }
        (total * MICROS).round() as i64
    }

    fn note_quote(&mut self, q: &Quote) {
        if q.instrument == self.dom {
            self.risk.on_quote_time(Leg::Domestic, q.ts_recv);
        } else if q.instrument == self.ovs {
            self.risk.on_quote_time(Leg::Overseas, q.ts_recv);
        } else if let Some((id, tick)) = self.fx_live {
            if id == q.instrument && q.is_two_sided_uncrossed() {
                self.fx_last = q.mid_x2() as f64 * tick / 2.0;
            }
        }
    }

    fn market(&mut self, now: TsNs) -> MarketView {
        MarketView {
            dom: self.leg_market(self.dom, now),
            ovs: self.leg_market(self.ovs, now),
        }
    }

    fn leg_market(&mut self, id: InstrumentId, now: TsNs) -> LegMarket {
        match self.books.usable(id, now) {
            Ok(q) => LegMarket {
                bid: q.bid_px,
                ask: q.ask_px,
                bid_qty: q.bid_qty,
                ask_qty: q.ask_qty,
                tradable: true,
                ts: q.ts_recv,
            },
            Err(_) => match self.books.latest(id) {
                Some(q) => LegMarket {
                    bid: q.bid_px,
                    ask: q.ask_px,
                    bid_qty: q.bid_qty,
                    ask_qty: q.ask_qty,
                    tradable: false,
                    ts: q.ts_recv,
                },
                None => LegMarket::default(),
            },
        }
    }

    fn poll_risk(&mut self, now: TsNs, sink: &mut impl ReceiptSink) {
        let dom_open = self.open_since(self.venues[0], now);
        let ovs_open = self.open_since(self.venues[1], now);
        if let Some(trip) = self.risk.poll(now, dom_open, ovs_open) {
            self.emit_trip(trip, now, sink);
        }
        if let Some(engaged) = self.risk.poll_kill() {
            let p = Payload {
                code: u16::from(engaged),
                ..Payload::default()
            };
            self.emit(sink, Kind::Kill, now, p);
        }
    }

    /// Opening time of the session `venue` is in at `now`; `None` when closed.
    fn open_since(&mut self, venue: VenueId, now: TsNs) -> Option<TsNs> {
        if !self.books.is_open(venue, now) {
            return None;
        }
        self.books.calendar(venue).map(|c| c.window().0)
    }

    fn evaluate(&mut self, now: TsNs, orders: &mut impl OrderSink, sink: &mut impl ReceiptSink) {
        match self.trigger.evaluate(&mut self.books, now) {
            Ok(opp) => {
                self.last_gate = None;
                let mkt = self.market(now);
                self.on_opportunity(&opp, now, &mkt, orders, sink);
            }
            Err(NoSignal::Gated {
                opp,
                refusal,
                value,
                limit,
            }) => {
                if refusal != Refusal::Cooldown && self.last_gate != Some(refusal) {
                    self.last_gate = Some(refusal);
                    self.emit_refusal(&opp, refusal, value, limit, now, sink);
                }
            }
            Err(NoSignal::InBand { .. }) => self.last_gate = None,
            Err(NoSignal::Unusable(..) | NoSignal::NonFinite) => {}
        }
    }

    fn on_opportunity(
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
        if let Err((refusal, a, b)) = self.admit(opp, now) {
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
        let proposal = Proposal {
            dom_side: opp.side,
            dom_lots: dom_qty,
            ovs_lots: ovs_qty,
            dom_px: opp.dom_px,
            ovs_px: opp.ovs_px,
            fx: opp.fx,
        };
        if let Err((refusal, a, b)) = self.risk.check_entry(&proposal, now) {
            self.emit_refusal(opp, refusal, a, b, now, sink);
            self.trigger.decline(opp);
            return;
        }
        self.open_ticket(opp, proposal, now, mkt, orders, sink);
    }

    /// Engine-level admission: receipts backpressure, one ticket at a time, stuck tickets.
    fn admit(&self, _opp: &Opportunity, _now: TsNs) -> Result<(), (Refusal, i64, i64)> {
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
    fn ticket_size(&self, opp: &Opportunity) -> Option<(i64, i64)> {
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

    fn open_ticket(
        &mut self,
        opp: &Opportunity,
        proposal: Proposal,
        now: TsNs,
        mkt: &MarketView,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        self.roll_trading_day(now);
        let spec = TicketSpec {
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
        self.drain(now, orders, sink);
    }

    #[cold]
    fn roll_trading_day(&mut self, now: TsNs) {
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

    /// Sends the executor's orders and post-processes its receipts.
    fn drain(&mut self, now: TsNs, orders: &mut impl OrderSink, sink: &mut impl ReceiptSink) {
        // Every executor call is followed by a drain: refresh the cached per-quote checks here.
        self.deadline = self.exec.next_deadline();
        self.busy = self.exec.open_tickets() > 0;
        for i in 0..self.outbox.orders().len() {
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
    fn post(&mut self, mut e: Event, now: TsNs, sink: &mut impl ReceiptSink) {
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

    fn on_ticket_close(&mut self, e: &Event, now: TsNs, sink: &mut impl ReceiptSink) {
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

    fn emit_refusal(
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

    fn emit_trip(&mut self, t: Trip, now: TsNs, sink: &mut impl ReceiptSink) {
        let p = Payload {
            code: t.breaker as u16,
            a: t.measured,
            b: t.limit,
            ..Payload::default()
        };
        self.emit(sink, Kind::Breaker, now, p);
    }

    fn emit(&mut self, sink: &mut impl ReceiptSink, kind: Kind, ts: TsNs, payload: Payload) {
        self.emit_event(
            sink,
            Event {
                kind,
                ts: ts.0,
                payload,
            },
        );
    }

    fn emit_event(&mut self, sink: &mut impl ReceiptSink, e: Event) {
        self.receipts_blocked = !sink.emit(e);
    }
}

/// A 3-letter currency packed into an integer (ASCII bytes, little-endian) for receipts.
pub fn currency_code(c: &str) -> i64 {
    c.bytes()
        .take(8)
        .enumerate()
        .fold(0i64, |acc, (i, b)| acc | (i64::from(b) << (8 * i)))
}

/// Inverse of [`currency_code`].
pub fn currency_from_code(v: i64) -> String {
    v.to_le_bytes()
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| *b as char)
        .collect()
}

const fn leg_idx(leg: Leg) -> usize {
    match leg {
        Leg::Domestic => 0,
        Leg::Overseas => 1,
    }
}
