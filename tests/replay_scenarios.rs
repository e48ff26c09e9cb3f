//! Incidents replayed end to end through the engine, the real venue calendars and the
//! simulated exchange, each test named for its incident.

mod replay_support;

use crossarb::config::Config;
use crossarb::domain::{InstrumentId, Px, Qty, Quote, TsNs, VenueId, NS_PER_MS};
use crossarb::exec::codes::{Outcome, Purpose};
use crossarb::receipt::event::{Event, Kind};
use crossarb::replay::{self, Merge};
use replay_support::{config_with, replay};

/// 2025-03-03 (a Monday) at `h:m:s.ms` UTC.
fn utc(h: i64, m: i64, s: i64, ms: i64) -> TsNs {
    let day = 1_740_960_000 * 1_000_000_000i64; // 2025-03-03T00:00:00Z
    TsNs(day + ((h * 60 + m) * 60 + s) * 1_000_000_000 + ms * NS_PER_MS)
}

/// A book quote received 1 ms after its exchange time.
fn quote(inst: u16, venue: u16, seq: u64, t: TsNs, bid: i64, ask: i64) -> Quote {
    Quote {
        ts_exchange: t,
        ts_recv: t.plus_ms(1),
        seq,
        bid_px: Px(bid),
        ask_px: Px(ask),
        bid_qty: Qty(50),
        ask_qty: Qty(50),
        venue: VenueId(venue),
        instrument: InstrumentId(inst),
        flags: 0,
    }
}

/// SHFE cu (ticks of 10 CNY/t) and LME copper (ticks of 0.5 USD/t) every 100 ms over
/// `[from, to)`; the domestic book jumps `jump` ticks at `dislocate` (import parity with fixed
/// FX 7.17 puts fair SHFE near 7,757 ticks against LME 19,000).
fn stream(from: TsNs, to: TsNs, dislocate: TsNs, jump: i64, shfe_until: TsNs) -> Vec<Quote> {
    let mut v = Vec::new();
    let (mut t, mut seq) = (from, 0u64);
    while t < to {
        seq += 1;
        if t < shfe_until {
            let d = if t >= dislocate { jump } else { 0 };
            v.push(quote(0, 0, seq, t, 7_756 + d, 7_757 + d));
        }
        v.push(quote(1, 1, seq, t.plus_ns(50 * 1_000), 18_999, 19_001));
        t = t.plus_ms(100);
    }
    v.sort_by_key(|q| q.ts_recv);
    v
}

fn events_of(cfg: &Config, quotes: Vec<Quote>) -> Vec<Event> {
    let input = Merge::from_quotes(cfg, quotes, "scenario");
    let (_report, events, _dir) = replay(cfg, input);
    events
}

#[test]
fn domestic_lunch_break_mid_repair_does_not_chase_into_the_break() {
    // Every SHFE order is rejected, so the domestic leg needs repair from 11:29:59.6 Beijing
    // (03:29:59.6 UTC); SHFE breaks for lunch at 11:30 and its quotes stop. No SHFE order may be
    // sent into the break; at the backfill deadline the filled LME leg is rolled back.
    let cfg = config_with(
        "example.toml",
        &[(
            "reject_prob = 0.05\nack_loss_prob = 0.02",
            "reject_prob = 1.0\nack_loss_prob = 0.0",
        )],
    );
    let quotes = stream(
        utc(3, 29, 50, 0),
        utc(3, 30, 10, 0),
        utc(3, 29, 59, 600),
        45,
        utc(3, 30, 0, 0),
    );
    let events = events_of(&cfg, quotes);
    let break_starts = utc(3, 30, 0, 0).0;
    let chased: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == Kind::OrderNew && e.payload.leg == 1 && e.ts >= break_starts)
        .collect();
    assert!(
        chased.is_empty(),
        "SHFE orders sent into the lunch break: {chased:?}"
    );
    let close = events
        .iter()
        .find(|e| e.kind == Kind::TicketClose)
        .expect("a ticket closed");
    assert_eq!(
        close.payload.code,
        Outcome::RolledBack as u16,
        "policy: roll back the LME leg"
    );
    assert_eq!(
        (close.payload.a, close.payload.b),
        (0, 0),
        "both legs flat afterwards"
    );
    assert!(
        events.iter().any(|e| e.kind == Kind::OrderNew
            && e.payload.leg == 2
            && e.payload.code == Purpose::Rollback as u16),
        "the LME leg was unwound"
    );
}

#[test]
fn stale_overseas_quote_does_not_trigger_end_to_end() {
    // The LME feed goes silent at 03:29:50 while SHFE dislocates at 03:29:58: LME's last quote
    // is then 8 s old, beyond its 5 s quote_age_ms_max, so no opportunity may be raised.
    let cfg = config_with("example.toml", &[]);
    let mut quotes = stream(
        utc(3, 29, 40, 0),
        utc(3, 30, 0, 0),
        utc(3, 29, 58, 0),
        45,
        utc(3, 30, 0, 0),
    );
    quotes.retain(|q| q.instrument.0 == 0 || q.ts_exchange < utc(3, 29, 50, 0));
    let events = events_of(&cfg, quotes);
    assert!(
        !events.iter().any(|e| e.kind == Kind::Opportunity),
        "triggered on a stale LME book"
    );
    assert!(!events.iter().any(|e| e.kind == Kind::TicketOpen));
    // Control: the same stream with a live LME feed does trigger.
    let live = stream(
        utc(3, 29, 40, 0),
        utc(3, 30, 0, 0),
        utc(3, 29, 58, 0),
        45,
        utc(3, 30, 0, 0),
    );
    let events = events_of(&cfg, live);
    assert!(
        events.iter().any(|e| e.kind == Kind::TicketOpen),
        "control run did not trade"
    );
}

#[test]
fn three_point_one_one_lot_ratio_keeps_the_residual_ledger_within_a_lot() {
    // SHFE au 1,000 g vs COMEX GC 100 ozt (3,110.35 g): tickets are 28:9 lots; the residual of
    // every balanced ticket goes to the ledger, which must stay within one domestic lot.
    let cfg = config_with(
        "shfe-au-comex.toml",
        &[(
            "[replay]\nseed = 1\n",
            "[replay]\nseed = 1\n\n[replay.synth]\nseed = 3\nstart_date = \"2025-03-03\"\ndays = 2\nquotes_per_sec = 2.0\noverseas_px_start = 2900.0\n",
        )],
    );
    let input = replay::input_from_config(&cfg).expect("synthetic gold feed");
    let (report, events, _dir) = replay(&cfg, input);
    let lot = cfg.instruments[cfg.pair.domestic.idx()].lot_base.0;
    let residuals: Vec<i64> = events
        .iter()
        .filter(|e| e.kind == Kind::Residual)
        .map(|e| e.payload.a)
        .collect();
    assert!(
        report.summary.tickets >= 5,
        "too few tickets to test the ledger: {}",
        report.summary.tickets
    );
    assert!(!residuals.is_empty(), "no residual receipts");
    for r in &residuals {
        assert!(
            r.abs() < lot,
            "residual {r} quanta reached a whole domestic lot ({lot})"
        );
    }
    let fills: i64 = events
        .iter()
        .filter(|e| e.kind == Kind::Fill)
        .map(|e| e.payload.c)
        .sum();
    let last = *residuals.last().expect("residual");
    assert_eq!(
        fills, last,
        "ledger equals the net exposure of all fills once tickets closed balanced"
    );
}
