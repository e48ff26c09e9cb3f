//! The run summary, computed from receipt events alone: the replay builds it from the events it
//! writes, and `crossarb receipts DIR --summary` from the events it reads back, so both print
//! the same figures by construction (the audit view compliance uses). Cold path: it allocates.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::exec::codes::{Outcome, Purpose};
use crate::receipt::event::{Event, Kind, Refusal};
use crate::trigger::Breaker;

/// Latency percentiles of one stage, simulated (replay) or venue time, microseconds.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Largest.
    pub max_us: f64,
}

/// Money figures in the report currency.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Pnl {
    /// Sum of all fills' cash flows.
    pub cash: f64,
    /// Value of the position still open at the end, at the last mids.
    pub open_position: f64,
    /// `cash + open_position`.
    pub total: f64,
}

/// Naked (unhedged) exposure over the run.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Naked {
    /// Largest |net exposure − lot-alignment residual|, grams (or units for non-mass pairs).
    pub peak_grams: f64,
    /// Longest continuous stretch with naked exposure, ms.
    pub longest_ms: f64,
    /// Total time with naked exposure, ms.
    pub total_ms: f64,
}

/// Everything a run summary says.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Receipts read.
    pub receipts: u64,
    /// Seed of the simulated exchange (replay), from the `Start` receipt.
    pub seed: i64,
    /// Config hash, hex, from the `Start` receipt.
    pub config_hash: String,
    /// Report currency (PnL), from the `Start` receipt.
    pub currency: String,
    /// Quotes processed, from the `Stop` receipt (0 when the run did not stop cleanly).
    pub quotes: u64,
    /// Whether a `Stop` receipt closed the log.
    pub stopped_cleanly: bool,
    /// Opportunities (entries and exits).
    pub opportunities: u64,
    /// Refusals by reason.
    pub refusals: BTreeMap<&'static str, u64>,
    /// Tickets opened.
    pub tickets: u64,
    /// Tickets by outcome: balanced, rolled_back, stuck, open (no close receipt).
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Orders by purpose: entry, backfill, rollback.
    pub orders: BTreeMap<&'static str, u64>,
    /// Fills (count).
    pub fills: u64,
    /// Lots filled per leg: domestic, overseas.
    pub filled_lots: BTreeMap<&'static str, i64>,
    /// Legging incidents by kind: tickets that saw a reject, a short (partial) leg, an ack
    /// timeout, a backfill, a rollback.
    pub incidents: BTreeMap<&'static str, u64>,
    /// Tickets that needed a backfill or rollback and still ended balanced or rolled back.
    pub repaired_tickets: u64,
    /// Backfill orders sent.
    pub backfills: u64,
    /// Rollback orders sent.
    pub rollbacks: u64,
    /// Realised slippage, Σ lots × ticks, per leg (positive = worse).
    pub slippage_ticks: BTreeMap<&'static str, i64>,
    /// PnL in the report currency.
    pub pnl: Pnl,
    /// Naked exposure.
    pub naked: Naked,
    /// Breakers tripped, by name.
    pub breakers: BTreeMap<&'static str, u64>,
    /// Order sent → acknowledged.
    pub ack_latency: Percentiles,
    /// Order sent → first fill.
    pub fill_latency: Percentiles,
    /// Domestic exchange time of the triggering quote → decision.
    pub decision_latency: Percentiles,
}

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

/// Latencies up to one day (ns) at 3 significant figures; longer ones saturate.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 86_400_000_000_000, 3)
        .expect("Invariant: constant histogram bounds are valid")
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

/// Counters under a few static names, without allocating: the hot side of a summary map.
#[derive(Debug, Default)]
struct Tally {
    keys: [&'static str; TALLY_MAX],
    vals: [i64; TALLY_MAX],
    len: usize,
}

/// Most distinct names one tally holds (the largest is the refusal reasons).
const TALLY_MAX: usize = 24;

impl Tally {
    fn add(&mut self, key: &'static str, v: i64) {
        if let Some(i) = self.keys[..self.len].iter().position(|k| *k == key) {
            self.vals[i] += v;
        } else if self.len < TALLY_MAX {
            self.keys[self.len] = key;
            self.vals[self.len] = v;
            self.len += 1;
        }
    }

    fn map(&self) -> BTreeMap<&'static str, i64> {
        (0..self.len)
            .map(|i| (self.keys[i], self.vals[i]))
            .collect()
    }

    fn counts(&self) -> BTreeMap<&'static str, u64> {
        (0..self.len)
            .map(|i| (self.keys[i], self.vals[i].max(0) as u64))
            .collect()
    }
}

fn record(h: &mut Histogram<u64>, ns: i64) {
    h.saturating_record(ns.max(0) as u64);
}

fn percentiles(h: &Histogram<u64>) -> Percentiles {
    if h.is_empty() {
        return Percentiles::default();
    }
    let us = |v: u64| v as f64 / 1000.0;
    Percentiles {
        count: h.len(),
        p50_us: us(h.value_at_quantile(0.5)),
        p99_us: us(h.value_at_quantile(0.99)),
        max_us: us(h.max()),
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

/// Human-readable rendering of a summary.
pub fn render(s: &Summary) -> String {
    let currency = &s.currency;
    let mut w = String::new();
    let map = |m: &BTreeMap<&'static str, u64>| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let imap = |m: &BTreeMap<&'static str, i64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lat = |p: &Percentiles| {
        format!(
            "p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} samples)",
            p.p50_us, p.p99_us, p.max_us, p.count
        )
    };
    let _ = writeln!(w, "quotes read        {}", s.quotes);
    let _ = writeln!(w, "opportunities      {}", s.opportunities);
    let _ = writeln!(w, "refusals           {}", map(&s.refusals));
    let _ = writeln!(w, "tickets            {} ({})", s.tickets, map(&s.outcomes));
    let _ = writeln!(w, "orders             {}", map(&s.orders));
    let _ = writeln!(
        w,
        "fills              {} ({} lots)",
        s.fills,
        imap(&s.filled_lots)
    );
    let _ = writeln!(w, "legging incidents  {}", map(&s.incidents));
    let _ = writeln!(
        w,
        "repaired tickets   {} (backfill orders {}, rollback orders {})",
        s.repaired_tickets, s.backfills, s.rollbacks
    );
    let _ = writeln!(
        w,
        "slippage (ticks)   {}",
        if s.slippage_ticks.is_empty() {
            "none".into()
        } else {
            imap(&s.slippage_ticks)
        }
    );
    let _ = writeln!(
        w,
        "PnL ({currency})         {:.2} (cash {:.2}, open position {:.2})",
        s.pnl.total, s.pnl.cash, s.pnl.open_position
    );
    let _ = writeln!(
        w,
        "naked exposure     peak {:.1} kg, longest {:.1} ms, total {:.1} ms",
        s.naked.peak_grams / 1000.0,
        s.naked.longest_ms,
        s.naked.total_ms
    );
    let _ = writeln!(w, "breakers           {}", map(&s.breakers));
    let _ = writeln!(w, "latency (sim time) ack {}", lat(&s.ack_latency));
    let _ = writeln!(w, "                   first fill {}", lat(&s.fill_latency));
    let _ = writeln!(
        w,
        "                   decision {}",
        lat(&s.decision_latency)
    );
    let _ = writeln!(
        w,
        "receipts           {}{}",
        s.receipts,
        if s.stopped_cleanly {
            ""
        } else {
            " (no stop receipt: run did not end cleanly)"
        }
    );
    w
}
