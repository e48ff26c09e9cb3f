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

mod receipts;
mod rehearse;
mod tickets;
mod value;

pub use value::{LegValue, MICROS};

use crate::config::{Config, ExitRule, Fx, Leg};
use crate::domain::{InstrumentId, Qty, Quote, Side, TsNs, VenueId};
use crate::exec::codes::Outcome;
use crate::exec::msg::{ExecReport, OrderRequest};
use crate::exec::{Executor, LegMarket, LegSpec, MarketView, OpenError, Outbox, TicketSpec};
use crate::receipt::event::{Event, Kind, Payload, Refusal};
use crate::trigger::{
    align_lots, BookTable, Decision, KillSwitch, LotRatio, NoSignal, Opportunity, Position,
    Proposal, ResidualLedger, RiskGate, Signal, SignalKind, SpreadTrigger, Trip,
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
        let tradable = self.books.usable(id, now).is_ok();
        match self.books.latest(id) {
            Some(q) => LegMarket {
                bid: q.bid_px,
                ask: q.ask_px,
                bid_qty: q.bid_qty,
                ask_qty: q.ask_qty,
                tradable,
                ts: q.ts_recv,
            },
            None => LegMarket::default(),
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
        match self.trigger.decide(&mut self.books, now) {
            Decision::Signal(s) => self.on_signal(&s, now, orders, sink),
            Decision::InBand { .. } => self.last_gate = None,
            Decision::Unusable(..) | Decision::NonFinite => {}
        }
    }

    /// The band was left: the gated opportunity, acted on or refused. Kept out of line: most
    /// quotes end inside the band, and this path builds the large opportunity.
    #[inline(never)]
    fn on_signal(
        &mut self,
        s: &Signal,
        now: TsNs,
        orders: &mut impl OrderSink,
        sink: &mut impl ReceiptSink,
    ) {
        match self.trigger.opportunity(s, &self.books, now) {
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
