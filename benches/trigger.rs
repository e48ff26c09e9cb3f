//! Cost per quote of the trigger thread's work, cache-warm: book table update (aligner),
//! spread evaluation with its gates, and — on an opportunity — lot planning and the pre-trade
//! risk check, then `confirm`/`decline`. Built from `config/example.toml` with
//! `crossarb::config::load`; fed a prepared stream of alternating SHFE/LME quotes in session
//! (see `support/quotes.rs`), replayed as its own continuation pass after pass.
//!
//! Timing: the raw counter is read around batches of [`BATCH`] quotes and the batch time divided
//! by [`BATCH`] — reading the counter per quote would cost about as much as the work measured.
//! Percentiles are therefore of 64-quote averages, not of single quotes.

mod support;

use std::hint::black_box;
use std::path::Path;

use crossarb::config::{Config, Instrument};
use crossarb::domain::Quote;
use crossarb::trigger::{
    align_lots, BookTable, KillSwitch, LotRatio, NoSignal, Proposal, ResidualLedger, RiskGate,
    SpreadTrigger,
};

/// Quotes per timed batch.
const BATCH: usize = 64;
/// Quotes in the prepared stream (64 B each: 256 KiB, L2-resident).
const STREAM: usize = 4096;

/// What the trigger thread did with one quote (counted, to show the mix is realistic).
#[derive(Clone, Copy)]
#[repr(usize)]
enum Outcome {
    InBand,
    Gated,
    Unusable,
    Opened,
    Refused,
}
const OUTCOMES: [&str; 5] = ["in band", "gated", "unusable", "opened", "risk refused"];

struct Stage {
    books: BookTable,
    trig: SpreadTrigger,
    risk: RiskGate,
    ledger: ResidualLedger,
    ratio: LotRatio,
}

impl Stage {
    fn new(cfg: &Config) -> Stage {
        let ins = &cfg.instruments;
        let leg = |id: crossarb::domain::InstrumentId| -> &Instrument { &ins[id.idx()] };
        let (dom, ovs) = (leg(cfg.pair.domestic), leg(cfg.pair.overseas));
        Stage {
            books: BookTable::new(&cfg.venues, ins).expect("book table from the example config"),
            trig: SpreadTrigger::new(&cfg.pair, ins).expect("trigger from the example config"),
            risk: RiskGate::new(&cfg.risk, &cfg.pair, ins, KillSwitch::new())
                .expect("risk gate from the example config"),
            ledger: ResidualLedger::new(dom.lot_base, ovs.lot_base, cfg.pair.domestic_lots_max),
            ratio: align_lots(
                dom.lot_base,
                ovs.lot_base,
                cfg.pair.domestic_lots_max,
                cfg.pair.overseas_lots_max,
            )
            .expect("lot ratio from the example config"),
        }
    }

    /// The trigger thread's work for one quote.
    #[inline]
    fn on_quote(&mut self, q: &Quote) -> Outcome {
        let _change = black_box(self.books.on_quote(q));
        let now = q.ts_recv;
        match self.trig.evaluate(&mut self.books, now) {
            Ok(opp) => {
                let lots = self.ledger.plan(opp.side, self.ratio);
                let p = Proposal {
                    dom_side: opp.side,
                    dom_lots: lots.dom_lots,
                    ovs_lots: lots.ovs_lots,
                    dom_px: opp.dom_px,
                    ovs_px: opp.ovs_px,
                    fx: opp.fx,
                };
                match self.risk.check_entry(&p, now) {
                    Ok(()) => {
                        self.trig.confirm(&opp);
                        Outcome::Opened
                    }
                    Err(_) => {
                        self.trig.decline(&opp);
                        Outcome::Refused
                    }
                }
            }
            Err(NoSignal::InBand { .. }) => Outcome::InBand,
            Err(NoSignal::Gated { .. }) => Outcome::Gated,
            Err(NoSignal::Unusable(..) | NoSignal::NonFinite) => Outcome::Unusable,
        }
    }
}

fn main() {
    let b = support::Bench::start(
        "trigger",
        "Per-quote cost of the trigger thread (book table + spread + gates; lot plan + risk \
         check on opportunities), cache-warm, `config/example.toml`, alternating SHFE/LME quotes \
         in session. Timed in batches of 64 quotes; figures are ns per quote.",
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let cfg = crossarb::config::load(&path).expect("config/example.toml loads");
    let mut quotes = support::quotes::stream(&cfg, STREAM, 7);
    let mut stage = Stage::new(&cfg);
    let warm_passes = 8u64;
    let passes = b
        .count(900)
        .min(support::quotes::passes_in_session(STREAM) - warm_passes);
    let mut counts = [0u64; OUTCOMES.len()];
    for _ in 0..warm_passes {
        for q in &quotes {
            black_box(stage.on_quote(q));
        }
        support::quotes::advance(&mut quotes);
    }
    let mut hist = support::histogram();
    let clock = b.clock();
    let (mut total_ns, t_all) = (0u64, clock.raw());
    for _ in 0..passes {
        for chunk in quotes.chunks_exact(BATCH) {
            let t0 = clock.raw();
            for q in chunk {
                counts[stage.on_quote(black_box(q)) as usize] += 1;
            }
            let t1 = clock.raw();
            let ns = b.ns(t0, t1);
            total_ns += ns;
            support::record(&mut hist, ns);
        }
        support::quotes::advance(&mut quotes);
    }
    let wall_ns = b.ns(t_all, clock.raw());
    let n = counts.iter().sum::<u64>();
    assert!(
        counts[Outcome::InBand as usize] * 2 > n
            && counts[Outcome::Opened as usize] + counts[Outcome::Refused as usize] > 0,
        "the stream must be mostly inside the band with some opportunities: {counts:?}"
    );
    b.section("Per quote (64-quote batches)");
    b.table("ns", BATCH as f64, &[("aligner+spread+gates", &hist)]);
    let mix: Vec<(String, f64)> = OUTCOMES
        .iter()
        .zip(counts)
        .map(|(name, c)| {
            (
                format!("share.{}", name.replace(' ', "_")),
                c as f64 / n as f64 * 100.0,
            )
        })
        .collect();
    let mut rows: Vec<(&str, f64, &str)> = vec![
        ("quotes", n as f64, "count"),
        ("mean_ns_per_quote", total_ns as f64 / n as f64, "ns"),
        (
            "quotes_per_sec_incl_timer",
            n as f64 / (wall_ns as f64 / 1e9),
            "quotes/s",
        ),
    ];
    rows.extend(mix.iter().map(|(k, v)| (k.as_str(), *v, "%")));
    b.section("Totals and outcome mix");
    b.figures(&rows);
}
