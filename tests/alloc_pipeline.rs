//! The threaded pipeline allocates nothing in steady state (issue 6): the feed, engine, gateway
//! and receipt stages of `crossarb::runtime::pipeline` run on their own threads (placed by
//! `[threads]`: backoff and sleep idling, nothing busy-spins on this 2-core machine), around
//! in-process FIX venues that ack and fill every order (`benches/support/pipeline.rs`). After a
//! warm-up of `WARMUP` quotes, every allocation made inside a stage's `do_work` on any pipeline
//! thread is counted while `WINDOW` more quotes flow, each opening a ticket that is filled (and
//! the next one reverses it); the count must be zero. Every wait is bounded: a stuck pipeline
//! fails the test instead of hanging it.

mod alloc_support;
#[path = "../benches/support/pipeline.rs"]
mod pipeline;

use std::sync::atomic::Ordering;
use std::time::Duration;

use crossarb::receipt::event::Kind;
use crossarb::receipt::ReceiptReader;
use crossarb::runtime::metrics::{Latencies, Span};
use crossarb::runtime::pipeline::drain_samples;
use crossarb::runtime::threads::{spawn, Placed};
use crossarb::runtime::{Phase, Stage};

/// A stage whose steps count their allocations ([`alloc_support::gated`]).
struct Counted(Box<dyn Stage>);

impl Stage for Counted {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn do_work(&mut self) -> usize {
        alloc_support::gated(|| self.0.do_work())
    }

    fn finish(&mut self) {
        self.0.finish();
    }
}

const WARMUP: u64 = 300;
const WINDOW: u64 = 2_000;
/// Longest the whole run may take before the test fails.
const RUN_MS_MAX: u64 = 120_000;

/// Two cores shared with other work: nothing busy-spins.
const THREADS: &str = r#"
domestic_feed = { core = 0, idle = "backoff" }
gateway = { core = 0, idle = "backoff" }
trigger = { core = 1, idle = "backoff" }
receipts = { idle = "sleep", sleep_us = 200 }
"#;

#[test]
fn feed_engine_gateway_and_receipt_threads_allocate_nothing_while_tickets_open_fill_and_reverse() {
    let tmp = tempfile::tempdir().unwrap();
    let cores = crossarb::runtime::threads::available_cores();
    let threads = if cores.contains(&0) && cores.contains(&1) {
        THREADS.to_string()
    } else {
        THREADS.replace("core = 0, ", "").replace("core = 1, ", "")
    };
    let cfg = pipeline::config(tmp.path(), &threads);
    let total = (1 + WARMUP + WINDOW) as usize;
    let quotes = pipeline::dislocations(&cfg, total);
    let p = pipeline::assemble(&cfg, tmp.path(), quotes, pipeline::GAP_NS_MIN);
    let stages: Vec<Placed> = p
        .stages
        .into_iter()
        .map(|s| Placed {
            stage: Box::new(Counted(s.stage)),
            at: s.at,
        })
        .collect();
    let mut metrics = p.metrics;
    let threads = spawn(stages, &p.control).unwrap();
    let qclock = quanta::Clock::new();
    let mut lat = Latencies::default();
    // Stage-step allocations so far when the window opened (`gated_total` counts them all).
    let mut window_start = None;
    let mut allocs = None;
    let mut timed_out = true;
    for _ in 0..RUN_MS_MAX {
        let sent = p.progress.sent.load(Ordering::Acquire);
        if sent > WARMUP && window_start.is_none() {
            window_start = Some(alloc_support::gated_total());
        }
        if sent == total as u64
            && p.shared.quotes_done.load(Ordering::Acquire) == p.quotes as u64
            && p.shared.open_tickets.load(Ordering::Relaxed) == 0
        {
            std::thread::sleep(Duration::from_millis(20));
            allocs = window_start.map(|w| alloc_support::gated_total() - w);
            timed_out = false;
            break;
        }
        for m in &mut metrics {
            drain_samples(m, &mut lat, &qclock);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    p.control.advance(Phase::Draining);
    for _ in 0..5_000 {
        if p.shared.done.load(Ordering::Acquire) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    p.control.advance(Phase::Stopping);
    assert!(threads.join().is_empty(), "a pipeline thread panicked");
    for m in &mut metrics {
        drain_samples(m, &mut lat, &qclock);
    }
    assert!(
        !timed_out,
        "the pipeline did not deliver {total} quotes within {RUN_MS_MAX} ms (sent {})",
        p.progress.sent.load(Ordering::Relaxed)
    );
    let fills = lat.get(Span::WireToFill).len();
    let orders = lat.get(Span::QuoteToWire).len();
    assert!(
        orders >= 2 * (WINDOW + WARMUP) * 9 / 10,
        "the quotes should have traded (two orders each): {orders} orders"
    );
    assert!(
        fills >= orders * 9 / 10,
        "{fills} fills for {orders} orders"
    );
    let tickets = ReceiptReader::open(&tmp.path().join("receipts"))
        .unwrap()
        .filter(|r| r.as_ref().ok().and_then(|r| r.kind()) == Some(Kind::Opportunity))
        .count();
    assert!(
        tickets as u64 >= WINDOW,
        "{tickets} opportunities in the receipt log"
    );
    assert_eq!(
        allocs,
        Some(0),
        "allocations inside pipeline stage steps during {WINDOW} quotes"
    );
}
