//! Accumulates a run [`Summary`] from receipt events in log order (see the parent module).

use std::collections::HashMap;

use hdrhistogram::Histogram;

use super::tally::{histogram, percentiles, record, Tally};
use super::Summary;
use crate::exec::codes::{Outcome, Purpose};
use crate::receipt::event::{Event, Kind, Refusal};
use crate::trigger::Breaker;

#[derive(Clone, Copy, Debug, Default)]
struct TicketFlags {
    reject: bool,
    short: bool,
    ack_timeout: bool,
    backfill: bool,
    rollback: bool,
}

/// Accumulates a [`Summary`] from events in log order.
#[derive(Debug)]
pub struct SummaryBuilder {
    s: Summary,
    refusals: Tally,
    breakers: Tally,
    orders: Tally,
    filled_lots: Tally,
    slippage: Tally,
    outcomes: Tally,
    incidents: Tally,
    cash_micros: i64,
    tickets: HashMap<u32, TicketFlags>,
    sent: HashMap<u32, i64>,
    net_base: i64,
    residual_base: i64,
    naked_since: Option<i64>,
    ack: Histogram<u64>,
    fill: Histogram<u64>,
    decision: Histogram<u64>,
}

impl Default for SummaryBuilder {
    fn default() -> Self {
        SummaryBuilder::new()
    }
}

const fn leg_name(leg: u8) -> &'static str {
    if leg == 2 {
        "overseas"
    } else {
        "domestic"
    }
}

/// Base quanta per gram (mass) or per unit (dimensionless), see `config::Unit`.
const QUANTA_PER_GRAM: f64 = 10_000_000.0;

impl SummaryBuilder {
    /// An empty summary.
    pub fn new() -> SummaryBuilder {
        SummaryBuilder {
            s: Summary::default(),
            refusals: Tally::default(),
            breakers: Tally::default(),
            orders: Tally::default(),
            filled_lots: Tally::default(),
            slippage: Tally::default(),
            outcomes: Tally::default(),
            incidents: Tally::default(),
            cash_micros: 0,
            tickets: HashMap::new(),
            sent: HashMap::new(),
            net_base: 0,
            residual_base: 0,
            naked_since: None,
            ack: histogram(),
            fill: histogram(),
            decision: histogram(),
        }
    }

    /// Takes the next event of the log.
    pub fn on_event(&mut self, e: &Event) {
        self.s.receipts += 1;
        let p = &e.payload;
        match e.kind {
            Kind::Start => {
                self.s.seed = p.a;
                self.s.config_hash = format!("{:016x}", p.b as u64);
                self.s.currency = crate::engine::currency_from_code(p.px.0);
            }
            Kind::Stop => {
                self.s.quotes = p.a as u64;
                self.s.stopped_cleanly = true;
                self.s.pnl.open_position = p.c as f64 / 1e6;
            }
            Kind::Opportunity => {
                self.s.opportunities += 1;
                record(&mut self.decision, e.ts - p.ts_aux);
            }
            Kind::Refused => {
                let name = Refusal::from_u16(p.code).map_or("unknown", Refusal::name);
                self.refusals.add(name, 1);
            }
            Kind::TicketOpen => {
                self.s.tickets += 1;
                self.tickets.insert(p.ticket, TicketFlags::default());
            }
            Kind::TicketClose => self.on_close(p.ticket, p.code),
            Kind::OrderNew => self.on_order(e),
            Kind::OrderAck => record(&mut self.ack, p.a),
            Kind::Fill => self.on_fill(e),
            Kind::OrderReject if p.a == 0 => {
                self.sent.remove(&p.order);
                self.flag(p.ticket, |f| f.reject = true);
            }
            Kind::OrderDone => {
                self.sent.remove(&p.order);
                if p.qty.0 > 0 {
                    self.flag(p.ticket, |f| f.short = true);
                }
            }
            Kind::AckTimeout => self.flag(p.ticket, |f| f.ack_timeout = true),
            Kind::Residual => {
                self.residual_base = p.a;
                self.track_naked(e.ts);
            }
            Kind::Breaker => {
                let name = breaker_name(p.code);
                self.breakers.add(name, 1);
            }
            _ => {}
        }
    }

    fn flag(&mut self, ticket: u32, f: impl FnOnce(&mut TicketFlags)) {
        if let Some(flags) = self.tickets.get_mut(&ticket) {
            f(flags);
        }
    }

    fn on_order(&mut self, e: &Event) {
        let p = &e.payload;
        self.sent.insert(p.order, e.ts);
        let purpose = match p.code {
            c if c == Purpose::Backfill as u16 => {
                self.s.backfills += 1;
                self.flag(p.ticket, |f| f.backfill = true);
                "backfill"
            }
            c if c == Purpose::Rollback as u16 => {
                self.s.rollbacks += 1;
                self.flag(p.ticket, |f| f.rollback = true);
                "rollback"
            }
            _ => "entry",
        };
        self.orders.add(purpose, 1);
    }

    fn on_fill(&mut self, e: &Event) {
        let p = &e.payload;
        self.s.fills += 1;
        self.filled_lots.add(leg_name(p.leg), p.qty.0);
        self.slippage.add(leg_name(p.leg), p.a * p.qty.0);
        self.cash_micros += p.b;
        if let Some(sent) = self.sent.remove(&p.order) {
            record(&mut self.fill, e.ts - sent);
        }
        self.net_base += p.c;
        self.track_naked(e.ts);
    }

    fn track_naked(&mut self, ts: i64) {
        let naked = (self.net_base - self.residual_base).abs();
        let grams = naked as f64 / QUANTA_PER_GRAM;
        if grams > self.s.naked.peak_grams {
            self.s.naked.peak_grams = grams;
        }
        match (naked != 0, self.naked_since) {
            (true, None) => self.naked_since = Some(ts),
            (false, Some(since)) => {
                let ms = (ts - since) as f64 / 1e6;
                self.s.naked.total_ms += ms;
                self.s.naked.longest_ms = self.s.naked.longest_ms.max(ms);
                self.naked_since = None;
            }
            _ => {}
        }
    }

    fn on_close(&mut self, ticket: u32, outcome: u16) {
        let name = match outcome {
            o if o == Outcome::Balanced as u16 => "balanced",
            o if o == Outcome::RolledBack as u16 => "rolled_back",
            o if o == Outcome::Stuck as u16 => "stuck",
            _ => "unknown",
        };
        self.outcomes.add(name, 1);
        let Some(f) = self.tickets.remove(&ticket) else {
            return;
        };
        for (hit, kind) in [
            (f.reject, "reject"),
            (f.short, "short_leg"),
            (f.ack_timeout, "ack_timeout"),
            (f.backfill, "backfill"),
            (f.rollback, "rollback"),
        ] {
            if hit {
                self.incidents.add(kind, 1);
            }
        }
        if (f.backfill || f.rollback) && name != "stuck" {
            self.s.repaired_tickets += 1;
        }
    }

    /// The summary so far.
    pub fn finish(mut self) -> Summary {
        let open = self.tickets.len() as i64;
        if open > 0 {
            self.outcomes.add("open", open);
        }
        self.s.refusals = self.refusals.counts();
        self.s.breakers = self.breakers.counts();
        self.s.orders = self.orders.counts();
        self.s.filled_lots = self.filled_lots.map();
        self.s.slippage_ticks = self.slippage.map();
        self.s.outcomes = self.outcomes.counts();
        self.s.incidents = self.incidents.counts();
        self.s.pnl.cash = self.cash_micros as f64 / 1e6;
        self.s.pnl.total = self.s.pnl.cash + self.s.pnl.open_position;
        self.s.ack_latency = percentiles(&self.ack);
        self.s.fill_latency = percentiles(&self.fill);
        self.s.decision_latency = percentiles(&self.decision);
        self.s
    }
}

fn breaker_name(code: u16) -> &'static str {
    match code {
        c if c == Breaker::Slippage as u16 => "slippage",
        c if c == Breaker::AckLatency as u16 => "ack_latency",
        c if c == Breaker::RejectStreak as u16 => "reject_streak",
        c if c == Breaker::FeedStale as u16 => "feed_stale",
        c if c == Breaker::NakedTooLong as u16 => "naked_too_long",
        _ => "unknown",
    }
}
