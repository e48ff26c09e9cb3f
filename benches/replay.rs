//! Replay throughput end to end: capture read (mmap) → merge → aligner → trigger → risk →
//! executor → simulated exchange → receipts, single-threaded, on a 2,000,000-quote
//! two-instrument capture with `config/bench-threshold.toml` (the plain threshold strategy: see
//! that file). The capture is generated here (seeded random walks with dislocations so that the
//! strategy trades) and written with the capture writer, then replayed several times; each run
//! writes a fresh receipt log (fsync never). Also reported: the bare read floor (mmap + merge,
//! no engine) of the same capture. `CROSSARB_REPLAY_QUOTES=N` sets another quote count (for
//! profiling: `valgrind --tool=callgrind` on 200,000 quotes gives instructions per quote).

mod support;

use std::path::{Path, PathBuf};

use crossarb::domain::{InstrumentId, Px, Qty, Quote, QuoteFlags, TsNs, VenueId};
use crossarb::feed::capture::{CaptureHeader, CaptureInstrument, CaptureWriter};
use crossarb::feed::decimal::Decimal;
use crossarb::replay::{self, Merge};
use support::Bench;

const QUOTES: u64 = 2_000_000;
const RUNS: usize = 5;

fn main() {
    let b = Bench::start("replay", "Replay throughput, quotes per second, single thread, 2,000,000-quote two-instrument capture, `config/bench-threshold.toml`.");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg =
        crossarb::config::load(&root.join("config/bench-threshold.toml")).expect("bench config");
    let dir = tempfile::tempdir().expect("tempdir");
    // `CROSSARB_REPLAY_QUOTES=N` replays N quotes instead (e.g. a shorter run under callgrind).
    let n = match std::env::var("CROSSARB_REPLAY_QUOTES") {
        Ok(v) => v.parse().expect("CROSSARB_REPLAY_QUOTES: a quote count"),
        Err(_) => b.count(QUOTES),
    };
    let cap = write_capture(dir.path(), n);

    let mut floor = Vec::new();
    for _ in 0..RUNS {
        let mut m = Merge::open(&cfg, &[(cap.clone(), 0)]).expect("open capture");
        let t0 = b.clock().raw();
        let mut sum = 0i64;
        while let Some(q) = m.next_ref() {
            sum = sum.wrapping_add(q.bid_px.0);
        }
        let t1 = b.clock().raw();
        std::hint::black_box(sum);
        floor.push(n as f64 / (b.ns(t0, t1) as f64 / 1e9));
    }

    let mut rates = Vec::new();
    let mut tickets = 0;
    for run in 0..RUNS {
        let input = Merge::open(&cfg, &[(cap.clone(), 0)]).expect("open capture");
        let out = dir.path().join(format!("receipts-{run}"));
        let t0 = b.clock().raw();
        let report = replay::run(&cfg, input, out, &mut |_, _| {}).expect("replay");
        let t1 = b.clock().raw();
        rates.push(n as f64 / (b.ns(t0, t1) as f64 / 1e9));
        tickets = report.summary.tickets;
        assert_eq!(report.summary.quotes, n, "Invariant: every quote replayed");
    }
    rates.sort_by(f64::total_cmp);
    floor.sort_by(f64::total_cmp);
    b.figures(&[
        ("quotes", n as f64, "quotes"),
        ("tickets", tickets as f64, "tickets"),
        ("replay.median", rates[RUNS / 2], "quotes/s"),
        ("replay.best", rates[RUNS - 1], "quotes/s"),
        ("replay.worst", rates[0], "quotes/s"),
        ("read_floor.median", floor[RUNS / 2], "quotes/s"),
    ]);
    b.note("Each run includes opening the capture, writing its receipts (fsync never) and the summary.");
}

/// A seeded two-instrument stream: FUTB follows FUTA's random walk at a drifting offset that
/// sometimes jumps past the band, quotes alternating, 1–3 tick books, 1–50 lots.
fn write_capture(dir: &Path, n: u64) -> PathBuf {
    let path = dir.join("bench.cap");
    let tick = Decimal::parse(b"0.01").expect("tick");
    let header = CaptureHeader {
        created_at: TsNs(1_700_000_000_000_000_000),
        note: "crossarb bench: seeded synthetic FUTA/FUTB".into(),
        venues: vec!["VA".into(), "VB".into()],
        instruments: vec![
            CaptureInstrument {
                symbol: "FUTA".into(),
                venue: VenueId(0),
                tick_size: tick,
                lot_size: None,
            },
            CaptureInstrument {
                symbol: "FUTB".into(),
                venue: VenueId(1),
                tick_size: tick,
                lot_size: None,
            },
        ],
    };
    let mut w = CaptureWriter::create(&path, &header).expect("capture");
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut mid, mut offset) = (10_000i64, 0i64);
    let mut t = 1_700_000_000_000_000_000i64;
    for i in 0..n {
        let r = next();
        t += 1_000 + (r % 50_000) as i64;
        mid += (r >> 8) as i64 % 3 - 1;
        offset += (r >> 16) as i64 % 3 - 1;
        offset = offset.clamp(-40, 40);
        if (r >> 24) % 4_000 == 0 {
            offset = -offset;
        }
        let leg = i % 2;
        let m = if leg == 0 {
            mid + offset / 2
        } else {
            mid - offset / 2
        };
        let half = 1 + ((r >> 32) % 2) as i64;
        w.append(&Quote {
            ts_exchange: TsNs(t),
            ts_recv: TsNs(t),
            seq: 0,
            bid_px: Px(m - half),
            ask_px: Px(m + half),
            bid_qty: Qty(1 + ((r >> 40) % 50) as i64),
            ask_qty: Qty(1 + ((r >> 48) % 50) as i64),
            venue: VenueId(leg as u16),
            instrument: InstrumentId(leg as u16),
            flags: QuoteFlags::NO_EXCHANGE_TS,
        })
        .expect("append");
    }
    w.finish().expect("finish capture");
    path
}
