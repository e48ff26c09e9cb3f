//! `Engine::rehearse`, which the live engine stage runs while it idles, must change nothing the
//! engine does: a seeded backtest of `config/example.toml` (its synthetic feed against the
//! simulated exchange, with rejects, lost acknowledgements, a disconnect and session breaks) run
//! with a rehearsal before every input — half-way since the last input and again at the input's
//! own time — sends the same orders and writes the same receipts as the run without.

use std::path::Path;

use crossarb::config::Config;
use crossarb::domain::{Quote, TsNs};
use crossarb::engine::{Engine, OrderSink, ReceiptSink};
use crossarb::exec::msg::{ExecReport, OrderRequest};
use crossarb::receipt::event::{Event, Kind};
use crossarb::sim::synth::generate;
use crossarb::sim::{SimExchange, SimLimits};
use crossarb::trigger::{Calendar, KillSwitch};

struct Orders(Vec<OrderRequest>);

impl OrderSink for Orders {
    fn send(&mut self, req: &OrderRequest) {
        self.0.push(*req);
    }
}

struct Receipts(Vec<Event>);

impl ReceiptSink for Receipts {
    fn emit(&mut self, e: Event) -> bool {
        self.0.push(e);
        true
    }
}

fn example() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    crossarb::config::load(&path).expect("config/example.toml loads")
}

fn calendars(cfg: &Config) -> Vec<Calendar> {
    cfg.venues
        .iter()
        .map(|v| Calendar::new(v).expect("example calendars build"))
        .collect()
}

fn quotes(cfg: &Config) -> Vec<Quote> {
    let synth = cfg
        .replay
        .synth
        .clone()
        .expect("the example has [replay.synth]");
    let mut cals = calendars(cfg);
    generate(cfg, &synth, &mut |v, t| cals[v.idx()].is_open(t)).expect("the example feed")
}

/// What a backtest produced.
#[derive(Debug, PartialEq)]
struct Run {
    orders: Vec<OrderRequest>,
    receipts: Vec<Event>,
    stats: crossarb::engine::EngineStats,
}

/// A minimal stepper: each quote reaches the exchange and the engine at its receive time;
/// exchange reports and executor deadlines due before it are stepped first, each at its own
/// time. With `rehearse`, the engine rehearses before every input; returns the run and how
/// many rehearsals reached the entry orders.
struct Backtest {
    engine: Engine,
    sim: SimExchange,
    cals: Vec<Calendar>,
    orders: Orders,
    sent: Vec<OrderRequest>,
    receipts: Receipts,
    now: TsNs,
    rehearse: bool,
    rehearsed_to_orders: u64,
}

impl Backtest {
    fn new(cfg: &Config, rehearse: bool, start: TsNs) -> Backtest {
        let mut b = Backtest {
            engine: Engine::new(cfg, KillSwitch::new()).expect("engine"),
            sim: SimExchange::from_config(cfg, SimLimits::DEFAULT).expect("simulated exchange"),
            cals: calendars(cfg),
            orders: Orders(Vec::new()),
            sent: Vec::new(),
            receipts: Receipts(Vec::new()),
            now: start,
            rehearse,
            rehearsed_to_orders: 0,
        };
        b.engine.start(start, cfg.replay.seed, cfg, &mut b.receipts);
        b
    }

    /// Moves time to `t`, rehearsing half-way and at `t` first.
    fn advance(&mut self, t: TsNs) {
        let t = self.now.max(t);
        if self.rehearse {
            for at in [TsNs(self.now.0 + (t.0 - self.now.0) / 2), t] {
                if self.engine.rehearse(at).is_some() {
                    self.rehearsed_to_orders += 1;
                }
            }
        }
        self.now = t;
    }

    fn submit(&mut self) {
        let cals = &mut self.cals;
        for req in self.orders.0.drain(..) {
            self.sim
                .submit(&req, self.now, &mut |v, t| cals[v.idx()].is_open(t))
                .expect("the simulated exchange takes the order");
            self.sent.push(req);
        }
    }

    /// Exchange reports and deadlines due at or before `until`, each at its own time.
    fn events_until(&mut self, until: TsNs) {
        loop {
            let next = [self.sim.next_event_time(), self.engine.next_deadline()]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|t| *t <= until) else {
                return;
            };
            self.advance(t);
            let mut reports: Vec<ExecReport> = Vec::new();
            self.sim
                .pop_due(self.now, &mut |r| reports.push(r))
                .expect("exchange step");
            for r in &reports {
                self.engine
                    .on_report(r, self.now, &mut self.orders, &mut self.receipts);
            }
            if self.engine.next_deadline().is_some_and(|d| d <= self.now) {
                self.engine
                    .on_timer(self.now, &mut self.orders, &mut self.receipts);
            }
            self.submit();
        }
    }

    fn quote(&mut self, q: &Quote) {
        self.events_until(q.ts_recv);
        self.advance(q.ts_recv);
        self.sim.on_market(q).expect("exchange book");
        self.engine
            .on_quote(q, self.now, &mut self.orders, &mut self.receipts);
        self.submit();
    }

    fn finish(mut self) -> (Run, u64) {
        let end = self.now.plus_ms(60_000);
        self.events_until(end);
        self.advance(end);
        self.engine.stop(self.now, &mut self.receipts);
        let run = Run {
            orders: self.sent,
            receipts: self.receipts.0,
            stats: self.engine.stats(),
        };
        (run, self.rehearsed_to_orders)
    }
}

fn backtest(cfg: &Config, quotes: &[Quote], rehearse: bool) -> (Run, u64) {
    let mut b = Backtest::new(cfg, rehearse, quotes[0].ts_recv);
    for q in quotes {
        b.quote(q);
    }
    b.finish()
}

#[test]
fn rehearsing_before_every_input_changes_no_order_and_no_receipt() {
    let cfg = example();
    let quotes = quotes(&cfg);
    let (plain, none) = backtest(&cfg, &quotes, false);
    let (rehearsed, reached) = backtest(&cfg, &quotes, true);
    assert_eq!(none, 0);
    // Not a vacuous comparison: the run trades, repairs and meets the exchange's refusals,
    // and the rehearsals went all the way to the entry orders.
    let count = |k: Kind| plain.receipts.iter().filter(|e| e.kind == k).count();
    assert!(
        plain.stats.tickets >= 20,
        "tickets: {}",
        plain.stats.tickets
    );
    assert!(count(Kind::Fill) >= 40, "fills: {}", count(Kind::Fill));
    assert!(count(Kind::OrderReject) >= 1, "no reject in the run");
    assert!(
        reached > quotes.len() as u64,
        "{reached} rehearsals reached the entry orders, of {} inputs",
        quotes.len()
    );
    assert_eq!(plain.stats, rehearsed.stats);
    assert_eq!(plain.orders.len(), rehearsed.orders.len());
    for (i, (a, b)) in plain.orders.iter().zip(&rehearsed.orders).enumerate() {
        assert_eq!(a, b, "order {i} differs");
    }
    assert_eq!(plain.receipts.len(), rehearsed.receipts.len());
    for (i, (a, b)) in plain.receipts.iter().zip(&rehearsed.receipts).enumerate() {
        assert_eq!(a, b, "receipt {i} differs");
    }
}
