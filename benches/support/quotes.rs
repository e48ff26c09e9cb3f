//! A realistic quote stream for a configured pair (built for `config/example.toml`, SHFE cu
//! against LME copper): domestic and overseas top-of-book updates alternating every
//! [`SPACING_NS`], in session on both venues, the overseas price a tick-level random walk and the
//! domestic price its fair value under the pair's spread formula plus a mean-reverting
//! deviation (standard deviation about 12 spread ticks), so most quotes sit inside the ±30-tick
//! entry band and some leave it. Deterministic for a seed.
//!
//! Used by the `trigger` bench and by `tests/alloc_trigger.rs` (included there with `#[path]`).

#![allow(dead_code)] // each includer uses a different part

use crossarb::config::{Config, SpreadForm};
use crossarb::domain::{Px, Qty, Quote, TsNs, NS_PER_MS, NS_PER_SEC};
use crossarb::sim::rng::Rng;
use crossarb::trigger::form::spread_value;

/// 2025-03-03 01:00:30 UTC, a Monday: SHFE's 09:00–10:15 Beijing session and LME's 01:00–19:00
/// London session are both open until 02:15 UTC.
pub const START_NS: i64 = 1_740_963_630 * NS_PER_SEC;
/// Time between consecutive quotes (either leg): 0.5 ms, a busy but plausible merged rate.
pub const SPACING_NS: i64 = 500_000;
/// The stream must end by 02:15 UTC, when SHFE's first morning session closes.
pub const SESSION_END_NS: i64 = START_NS + (75 * 60 - 30) * NS_PER_SEC;

/// `n` quotes (even), domestic first, alternating; per-instrument sequence numbers from 1.
pub fn stream(cfg: &Config, n: usize, seed: u64) -> Vec<Quote> {
    assert!(
        n % 2 == 0,
        "Invariant: an even number of quotes alternates the legs"
    );
    let (pair, ins) = (&cfg.pair, &cfg.instruments);
    let (dom, ovs) = (&ins[pair.domestic.idx()], &ins[pair.overseas.idx()]);
    let fx = match pair.fx {
        crossarb::config::Fx::Fixed(r) => r,
        crossarb::config::Fx::Live { .. } => panic!("the bench stream needs a fixed FX rate"),
    };
    assert!(
        !matches!(pair.form, SpreadForm::Ratio),
        "the bench stream needs a difference or import-parity spread"
    );
    let mut rng = Rng::from_seed(seed);
    let mut ovs_bid = (9_500.0 / ovs.tick_size).round() as i64;
    let mut dev_ticks = 0.0f64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = START_NS + i as i64 * SPACING_NS;
        let seq = (i / 2) as u64 + 1;
        let q = if i % 2 == 0 {
            // Domestic: fair price for the current overseas mid, plus the deviation.
            dev_ticks = 0.99 * dev_ticks + 1.7 * rng.std_normal();
            let po = (ovs_bid as f64 + 0.5) * ovs.tick_size;
            let fair = -spread_value(pair.form, 0.0, po, fx);
            let pd = fair + (pair.center_ticks + dev_ticks) * pair.spread_tick;
            let bid = (pd / dom.tick_size).round() as i64;
            Quote {
                ts_exchange: TsNs(t - 300_000 - rng.jitter(200_000)),
                ts_recv: TsNs(t),
                seq,
                bid_px: Px(bid),
                ask_px: Px(bid + 1),
                bid_qty: Qty(1 + rng.below(30) as i64),
                ask_qty: Qty(1 + rng.below(30) as i64),
                venue: dom.venue,
                instrument: dom.id,
                flags: 0,
            }
        } else {
            ovs_bid += [-1, 0, 0, 0, 1][rng.below(5) as usize];
            Quote {
                ts_exchange: TsNs(t - 90 * NS_PER_MS - rng.jitter(5 * NS_PER_MS)),
                ts_recv: TsNs(t),
                seq,
                bid_px: Px(ovs_bid),
                ask_px: Px(ovs_bid + 1 + rng.below(2) as i64),
                bid_qty: Qty(1 + rng.below(8) as i64),
                ask_qty: Qty(1 + rng.below(8) as i64),
                venue: ovs.venue,
                instrument: ovs.id,
                flags: 0,
            }
        };
        out.push(q);
    }
    out
}

/// Moves a stream forward by its own length (time and sequence numbers) so that it can be fed
/// again as the continuation of itself: same prices, later times, contiguous sequences.
pub fn advance(quotes: &mut [Quote]) {
    let span = quotes.len() as i64 * SPACING_NS;
    let seqs = (quotes.len() / 2) as u64;
    for q in quotes {
        q.ts_exchange = q.ts_exchange.plus_ns(span);
        q.ts_recv = q.ts_recv.plus_ns(span);
        q.seq += seqs;
    }
}

/// How many times a stream of `n` quotes can be fed (with [`advance`] between) and stay in
/// session.
pub fn passes_in_session(n: usize) -> u64 {
    ((SESSION_END_NS - START_NS) / (n as i64 * SPACING_NS)) as u64
}
