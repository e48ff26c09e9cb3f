//! Seed sweep over the simulated exchange with rejects, partial fills, lost acknowledgements and
//! disconnects switched on. Each seed replays the same synthetic day and checks the invariants
//! that protect money; a failure names the seed to reproduce it with
//! `crossarb replay --config config/example.toml --seed N` (after the same edits).
//!
//! CI runs 200 seeds; set `CROSSARB_SWEEP_SEEDS=N` for more.

mod replay_support;

use std::collections::HashMap;

use crossarb::config::Config;
use crossarb::exec::codes::Outcome;
use crossarb::receipt::event::{Event, Kind};
use crossarb::replay::{self, Merge};
use replay_support::{config_with, replay};

fn sweep_config() -> Config {
    config_with(
        "example.toml",
        &[
            ("days = 2", "days = 1"),
            ("reject_prob = 0.05\nack_loss_prob = 0.02", "reject_prob = 0.15\nack_loss_prob = 0.05"),
            ("reject_prob = 0.05\nack_loss_prob = 0.02", "reject_prob = 0.15\nack_loss_prob = 0.05"),
            (
                "disconnects = [{ start = \"2025-03-03T02:00:00Z\", end = \"2025-03-03T02:00:05Z\" }]",
                "disconnects = [{ start = \"2025-03-03T02:00:00Z\", end = \"2025-03-03T02:00:05Z\" }, { start = \"2025-03-03T05:47:58Z\", end = \"2025-03-03T05:48:01Z\" }, { start = \"2025-03-03T06:00:46Z\", end = \"2025-03-03T06:00:48Z\" }]",
            ),
        ],
    )
}

fn seeds() -> u64 {
    std::env::var("CROSSARB_SWEEP_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
}

#[test]
fn seed_sweep_keeps_positions_tickets_exposure_and_receipts_sound() {
    let base = sweep_config();
    let quotes = {
        let input = replay::input_from_config(&base).expect("synthetic input");
        drain(input)
    };
    let mut totals = (0u64, 0u64, 0u64);
    for seed in 0..seeds() {
        let mut cfg = base.clone();
        cfg.replay.seed = seed;
        let input = Merge::from_quotes(&cfg, quotes.clone(), "sweep");
        let (report, events, _dir) = replay(&cfg, input);
        if let Err(msg) = check(&cfg, &events) {
            panic!("seed {seed}: {msg}\nreproduce: crossarb replay --config <sweep config> --seed {seed}");
        }
        totals.0 += report.summary.tickets;
        totals.1 += report.summary.repaired_tickets;
        totals.2 += report
            .summary
            .incidents
            .get("ack_timeout")
            .copied()
            .unwrap_or(0);
    }
    // The sweep must actually exercise repairs, or it proves nothing.
    assert!(
        totals.0 > 10 * seeds(),
        "too few tickets over the sweep: {}",
        totals.0
    );
    assert!(
        totals.1 > seeds(),
        "too few repaired tickets over the sweep: {}",
        totals.1
    );
    assert!(totals.2 > 0, "no ack timeout over the sweep");
}

fn drain(mut m: Merge) -> Vec<crossarb::domain::Quote> {
    let mut v = Vec::new();
    while let Some(q) = m.next() {
        v.push(q);
    }
    v
}

/// The invariants, from the receipts alone.
fn check(cfg: &Config, events: &[Event]) -> Result<(), String> {
    let lot_base = [
        cfg.instruments[cfg.pair.domestic.idx()].lot_base.0,
        cfg.instruments[cfg.pair.overseas.idx()].lot_base.0,
    ];
    let deadline_ns = cfg.execution.ticket_deadline_ms * 1_000_000;
    let naked_ns_max = cfg.risk.naked_exposure_ms_max * 1_000_000;
    let mut pos = [0i64; 2];
    let mut opened: HashMap<u32, i64> = HashMap::new();
    let mut net = 0i64;
    let mut residual = 0i64;
    let mut naked_since: Option<i64> = None;
    for (i, e) in events.iter().enumerate() {
        let p = &e.payload;
        match e.kind {
            Kind::Fill => {
                let leg = usize::from(p.leg == 2);
                let sign = if p.side == 1 { 1 } else { -1 };
                pos[leg] += sign * p.qty.0;
                if (pos[leg] * lot_base[leg]).abs() > cfg.risk.position_max.0 {
                    return Err(format!(
                        "receipt {}: leg {leg} position {} lots beyond position_max",
                        i + 1,
                        pos[leg]
                    ));
                }
                net += p.c;
            }
            Kind::Residual => residual = p.a,
            Kind::TicketOpen => {
                opened.insert(p.ticket, e.ts);
            }
            Kind::TicketClose => {
                let t0 = opened.remove(&p.ticket).ok_or(format!(
                    "receipt {}: close of unknown ticket {}",
                    i + 1,
                    p.ticket
                ))?;
                if p.code != Outcome::Balanced as u16 && p.code != Outcome::RolledBack as u16 {
                    return Err(format!(
                        "ticket {} ended with outcome {} (not balanced or rolled back)",
                        p.ticket, p.code
                    ));
                }
                if e.ts - t0 > deadline_ns {
                    return Err(format!(
                        "ticket {} closed {} ms after opening, deadline {} ms",
                        p.ticket,
                        (e.ts - t0) / 1_000_000,
                        deadline_ns / 1_000_000
                    ));
                }
            }
            _ => {}
        }
        let naked = net - residual != 0;
        match (naked, naked_since) {
            (true, None) => naked_since = Some(e.ts),
            (false, Some(_)) => naked_since = None,
            (true, Some(t0)) if e.ts - t0 > naked_ns_max => {
                return Err(format!(
                    "naked exposure held {} ms > {} ms at receipt {}",
                    (e.ts - t0) / 1_000_000,
                    naked_ns_max / 1_000_000,
                    i + 1
                ));
            }
            _ => {}
        }
    }
    if let Some((t, _)) = opened.iter().next() {
        return Err(format!("ticket {t} never closed"));
    }
    if events.first().map(|e| e.kind) != Some(Kind::Start)
        || events.last().map(|e| e.kind) != Some(Kind::Stop)
    {
        return Err("log does not run from a start to a stop receipt".into());
    }
    Ok(())
}
