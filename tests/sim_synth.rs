//! The synthetic SHFE cu / LME copper feed: determinism, sessions, both legs, dislocations,
//! gaps and stale periods.

mod sim_fixture;

use crossarb::config::{Config, Fx, Synth};
use crossarb::domain::{Quote, QuoteFlags, TsNs, VenueId, NS_PER_SEC};
use crossarb::sim::synth::{generate, SynthError};
use sim_fixture::*;

fn synth_of(cfg: &Config) -> Synth {
    cfg.replay
        .synth
        .clone()
        .expect("fixture has a synth section")
}

fn run(cfg: &Config, synth: &Synth) -> Vec<Quote> {
    generate(cfg, synth, &mut january_is_open).expect("valid synth config")
}

#[test]
fn the_same_seed_gives_the_same_quotes_and_another_seed_differs() {
    let cfg = cu_lme();
    let mut synth = synth_of(&cfg);
    synth.days = 1;
    let a = run(&cfg, &synth);
    assert_eq!(a, run(&cfg, &synth));
    synth.seed += 1;
    assert_ne!(a, run(&cfg, &synth));
}

#[test]
fn quotes_come_only_while_their_venue_is_open_sorted_by_receive_time() {
    let cfg = cu_lme();
    let quotes = run(&cfg, &synth_of(&cfg));
    assert!(quotes
        .iter()
        .all(|q| january_is_open(q.venue, q.ts_exchange)));
    assert!(quotes.windows(2).all(|w| w[0].ts_recv <= w[1].ts_recv));
    for q in &quotes {
        let delay = q.ts_recv.since(q.ts_exchange);
        assert!(
            (200_000..=250_000).contains(&delay),
            "feed latency of the venue, got {delay}"
        );
        assert_eq!(q.venue, cfg.instruments[q.instrument.idx()].venue);
        assert!(q.is_two_sided_uncrossed());
        let width = q.ask_px.0 - q.bid_px.0;
        assert!((1..=3).contains(&width), "book width {width} ticks");
    }
    // The 10:15–10:30 break (02:15–02:30 UTC) and the lunch break are silent on SHFE.
    let in_break = |q: &Quote| {
        let s = (q.ts_exchange.0 / NS_PER_SEC).rem_euclid(86_400);
        q.venue == SHFE && ((8_100..9_000).contains(&s) || (12_600..19_800).contains(&s))
    };
    assert!(!quotes.iter().any(in_break));
    // The night session (13:00–17:00 UTC) does trade.
    assert!(
        quotes
            .iter()
            .any(|q| q.venue == SHFE
                && (q.ts_exchange.0 / NS_PER_SEC).rem_euclid(86_400) >= 13 * 3600)
    );
}

#[test]
fn both_legs_and_the_fx_stream_are_present_at_realistic_levels() {
    let cfg = cu_lme();
    let quotes = run(&cfg, &synth_of(&cfg));
    let count = |v: VenueId| quotes.iter().filter(|q| q.venue == v).count();
    // 2 days at ~1 quote/s: SHFE trades 9.5 h a day, LME 18 h, CNH 24 h.
    assert!(
        count(SHFE) > 50_000 && count(SHFE) < 90_000,
        "{}",
        count(SHFE)
    );
    assert!(count(LME) > 100_000, "{}", count(LME));
    assert!(count(FXV) > 140_000, "{}", count(FXV));
    assert!(quotes
        .iter()
        .filter(|q| q.venue == FXV)
        .all(|q| q.flags & QuoteFlags::FX != 0));
    let lme_usd = quotes
        .iter()
        .filter(|q| q.instrument == LMCU)
        .map(|q| q.mid_x2() as f64 * 0.25);
    assert!(
        lme_usd.clone().all(|p| (8_000.0..11_000.0).contains(&p)),
        "LME copper stays near 9,500 USD/t"
    );
    let shfe_cny = quotes
        .iter()
        .filter(|q| q.instrument == CU)
        .map(|q| q.mid_x2() as f64 * 5.0);
    assert!(shfe_cny.clone().all(|p| (60_000.0..95_000.0).contains(&p)));
    let thin = quotes
        .iter()
        .filter(|q| q.bid_qty.0 <= 2 || q.ask_qty.0 <= 2)
        .count();
    assert!(
        thin > 0 && thin < quotes.len() / 10,
        "thin books happen, rarely: {thin}"
    );
}

/// Mid import-parity spread in spread ticks, centred: P_dom − (P_lme × fx × 1.13 + 150), / 10, − center.
fn centred_spread(cfg: &Config, dom: &Quote, ovs: &Quote, fx: &Quote) -> f64 {
    let p_dom = dom.mid_x2() as f64 * 10.0 / 2.0;
    let p_ovs = ovs.mid_x2() as f64 * 0.5 / 2.0;
    let rate = fx.mid_x2() as f64 * 0.0001 / 2.0;
    (p_dom - (p_ovs * rate * 1.13 + 150.0)) / 10.0 - cfg.pair.center_ticks
}

#[test]
fn the_spread_centres_on_the_config_and_dislocates_beyond_the_entry_band_a_few_times() {
    let cfg = cu_lme();
    let quotes = run(&cfg, &synth_of(&cfg));
    let (mut dom, mut ovs, mut fx) = (None, None, None);
    let (mut sum, mut n, mut episodes, mut outside, mut longest_s) = (0.0, 0.0, 0, false, 0i64);
    let mut since = 0i64;
    for q in &quotes {
        match q.instrument {
            CU => dom = Some(*q),
            LMCU => ovs = Some(*q),
            _ => fx = Some(*q),
        }
        let (Some(d), Some(o), Some(f)) = (dom, ovs, fx) else {
            continue;
        };
        // Only when both legs are fresh (the domestic leg just quoted, the overseas within 5 s).
        if q.instrument != CU || d.ts_exchange.since(o.ts_exchange) > 5 * NS_PER_SEC {
            continue;
        }
        let s = centred_spread(&cfg, &d, &o, &f);
        sum += s;
        n += 1.0;
        let out = s.abs() > cfg.pair.entry_band_ticks;
        if out && !outside {
            episodes += 1;
            since = d.ts_exchange.0;
        }
        if out {
            longest_s = longest_s.max((d.ts_exchange.0 - since) / NS_PER_SEC);
        }
        outside = out;
    }
    assert!(n > 10_000.0);
    assert!(
        (sum / n).abs() < 5.0,
        "mean centred spread {} ticks",
        sum / n
    );
    assert!(episodes >= 3, "{episodes} dislocations beyond the band");
    assert!(
        episodes < 200,
        "{episodes}: the band is not crossed all the time"
    );
    assert!(
        longest_s >= 5,
        "a dislocation lasts seconds to minutes, longest {longest_s} s"
    );
}

#[test]
fn sequence_gaps_and_overseas_stale_periods_occur() {
    let cfg = cu_lme();
    let quotes = run(&cfg, &synth_of(&cfg));
    let mut gaps = 0;
    for ins in [CU, LMCU, USDCNH] {
        let seqs: Vec<u64> = {
            let mut v: Vec<&Quote> = quotes.iter().filter(|q| q.instrument == ins).collect();
            v.sort_by_key(|q| q.ts_exchange);
            v.iter().map(|q| q.seq).collect()
        };
        assert!(seqs.windows(2).all(|w| w[1] > w[0]));
        gaps += seqs.windows(2).filter(|w| w[1] != w[0] + 1).count();
    }
    assert!(gaps >= 5, "{gaps} gaps");
    // Stale: a silence of ≥ 5 s on LME while LME and the domestic market are both open.
    let mut lme: Vec<TsNs> = quotes
        .iter()
        .filter(|q| q.instrument == LMCU)
        .map(|q| q.ts_exchange)
        .collect();
    lme.sort();
    let silences = lme
        .windows(2)
        .filter(|w| {
            w[1].since(w[0]) >= 5 * NS_PER_SEC
                && january_is_open(LME, TsNs(w[0].0 + NS_PER_SEC))
                && january_is_open(LME, TsNs(w[1].0 - NS_PER_SEC))
                && w[1].since(w[0]) < 60 * NS_PER_SEC
        })
        .count();
    assert!(silences >= 3, "{silences} stale periods");
}

#[test]
fn a_fixed_fx_pair_needs_no_fx_stream_and_a_live_one_needs_a_start_rate() {
    let mut cfg = cu_lme();
    let mut synth = synth_of(&cfg);
    synth.days = 1;
    synth.fx_start = None;
    let err = generate(&cfg, &synth, &mut january_is_open).unwrap_err();
    assert!(matches!(
        err,
        SynthError::Field {
            field: "fx_start",
            ..
        }
    ));
    assert!(err.to_string().starts_with("replay.synth.fx_start"));
    cfg.pair.fx = Fx::Fixed(7.30);
    let quotes = generate(&cfg, &synth, &mut january_is_open).unwrap();
    assert!(!quotes.is_empty() && quotes.iter().all(|q| q.instrument != USDCNH));
}

#[test]
fn a_weekend_start_still_yields_the_requested_trading_days() {
    let cfg = cu_lme();
    let mut synth = synth_of(&cfg);
    synth.start_date = chrono::NaiveDate::from_ymd_opt(2025, 1, 4).unwrap(); // Saturday
    synth.days = 1;
    let quotes = run(&cfg, &synth);
    let first_monday = 1_736_121_600 * NS_PER_SEC; // 2025-01-06 00:00 UTC
    assert!(quotes.iter().any(|q| q.venue == SHFE));
    assert!(quotes
        .iter()
        .all(|q| q.ts_exchange.0 >= first_monday
            && q.ts_exchange.0 < first_monday + 86_400 * NS_PER_SEC));
}
