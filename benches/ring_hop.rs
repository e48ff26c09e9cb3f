//! One `rtrb` hop of a 64-byte `Quote` between two busy-spinning threads pinned to cores 0 and 1
//! (`core_affinity`), the hop every pipeline edge pays (feed → trigger → executor).
//!
//! * **one hop**: ping-pong A → B → A, one quote in flight; one way = round trip / 2, so no
//!   cross-core clock comparison is needed.
//! * **two hops** (A → B → C, the shape of tick-to-order): with ≥ 3 cores, three threads on
//!   cores 0, 1, 2; A stamps the raw counter into the quote, C reads the counter when it pops
//!   (invariant TSC: stamps comparable across cores) and sends the quote back to A so that one
//!   quote is in flight. With 2 cores a third spinning thread would share a core and measure the
//!   scheduler, so the two-hop figure is the A → B → A round trip (C = A), which the output says.
//!
//! Each run stops at its sample count or after [`RUN_NS_MAX`], whichever first (the samples
//! column shows which).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use crossarb::domain::{Quote, TsNs};
use hdrhistogram::Histogram;
use rtrb::{Consumer, Producer, RingBuffer};

/// Ring capacity (one quote is ever in flight; the live rings are larger, same code path).
const RING: usize = 1024;
/// Longest one measured run may take.
const RUN_NS_MAX: u64 = 8_000_000_000;
/// Round trips before measuring (page faults, caches, branch predictors, frequency)...
const WARMUP: u64 = 100_000;
/// ...or this long, whichever first (on a loaded machine a round trip can take a time slice).
const WARMUP_NS_MAX: u64 = 1_000_000_000;

fn spin_pop(c: &mut Consumer<Quote>) -> Quote {
    loop {
        if let Ok(q) = c.pop() {
            return q;
        }
        std::hint::spin_loop();
    }
}

fn spin_push(p: &mut Producer<Quote>, q: Quote) {
    let mut q = q;
    loop {
        match p.push(q) {
            Ok(()) => return,
            Err(rtrb::PushError::Full(back)) => q = back,
        }
        std::hint::spin_loop();
    }
}

/// A relay thread: pops from `rx`, pushes to `tx`, until `stop`. With `stamp`, records
/// counter-now minus the quote's stamp (in `ts_recv`) before relaying.
fn relay(
    core: usize,
    mut rx: Consumer<Quote>,
    mut tx: Producer<Quote>,
    stop: Arc<AtomicBool>,
    stamp: Option<quanta::Clock>,
) -> thread::JoinHandle<(bool, Histogram<u64>)> {
    thread::spawn(move || {
        let pinned = support::pin_to(core);
        let mut h = support::histogram();
        while !stop.load(Ordering::Relaxed) {
            let Ok(q) = rx.pop() else {
                std::hint::spin_loop();
                continue;
            };
            if let Some(clock) = &stamp {
                let now = clock.raw();
                if q.seq != 0 {
                    support::record(&mut h, clock.delta_as_nanos(q.ts_recv.0 as u64, now));
                }
            }
            spin_push(&mut tx, q);
        }
        (pinned, h)
    })
}

/// Drives round trips from the calling thread: warm-up, then up to `samples` measured ones.
/// Returns the histogram of round-trip ns. `seq` = 0 marks warm-up quotes (not recorded by C).
fn drive(
    b: &support::Bench,
    tx: &mut Producer<Quote>,
    rx: &mut Consumer<Quote>,
    samples: u64,
    stamp: bool,
) -> Histogram<u64> {
    let clock = b.clock();
    let mut h = support::histogram();
    let mut q = Quote::default();
    let start = clock.raw();
    for i in 0..WARMUP {
        q.ts_recv = TsNs(clock.raw() as i64);
        spin_push(tx, q);
        spin_pop(rx);
        if i % 64 == 0 && b.ns(start, clock.raw()) > WARMUP_NS_MAX {
            break;
        }
    }
    let start = clock.raw();
    for i in 0..samples {
        let t0 = clock.raw();
        q.seq = i + 1;
        if stamp {
            q.ts_recv = TsNs(t0 as i64);
        }
        spin_push(tx, q);
        std::hint::black_box(spin_pop(rx));
        let t1 = clock.raw();
        support::record(&mut h, b.ns(t0, t1));
        if i % 64 == 0 && b.ns(start, t1) > RUN_NS_MAX {
            break;
        }
    }
    h
}

fn main() {
    let b = support::Bench::start(
        "ring_hop",
        "One `rtrb` push→pop of a 64-byte `Quote` between busy-spinning threads pinned with \
         `core_affinity`. One way = ping-pong round trip / 2.",
    );
    let cores = support::cores();
    let samples = b.count(2_000_000);

    // One hop: A (this thread, core 0) ⇄ B (core 1).
    let pinned_a = support::pin_to(0);
    let (mut ab_tx, ab_rx) = RingBuffer::<Quote>::new(RING);
    let (ba_tx, mut ba_rx) = RingBuffer::<Quote>::new(RING);
    let stop = Arc::new(AtomicBool::new(false));
    let b_thread = relay(1, ab_rx, ba_tx, stop.clone(), None);
    let rtt = drive(&b, &mut ab_tx, &mut ba_rx, samples, false);
    stop.store(true, Ordering::Relaxed);
    let (pinned_b, _) = b_thread.join().expect("relay thread B");
    let pinning = if pinned_a && pinned_b && cores >= 2 {
        "threads pinned to cores 0 (A) and 1 (B)".to_string()
    } else {
        format!(
            "**pinning failed or too few cores ({cores} available; A pinned: {pinned_a}, B pinned: \
             {pinned_b}): threads ran unpinned, figures include scheduler effects**"
        )
    };
    b.section("One hop (A → B), one way = round trip / 2");
    b.note(&pinning);
    b.table("ns", 2.0, &[("one_hop", &rtt)]);

    if cores >= 3 {
        // Two hops: A (core 0) → B (core 1) → C (core 2, records A's stamp) → A.
        let (mut ab_tx, ab_rx) = RingBuffer::<Quote>::new(RING);
        let (bc_tx, bc_rx) = RingBuffer::<Quote>::new(RING);
        let (ca_tx, mut ca_rx) = RingBuffer::<Quote>::new(RING);
        let stop = Arc::new(AtomicBool::new(false));
        let tb = relay(1, ab_rx, bc_tx, stop.clone(), None);
        let tc = relay(2, bc_rx, ca_tx, stop.clone(), Some(b.clock().clone()));
        let loop3 = drive(&b, &mut ab_tx, &mut ca_rx, samples / 2, true);
        stop.store(true, Ordering::Relaxed);
        let (pb, _) = tb.join().expect("relay thread B");
        let (pc, two_hop) = tc.join().expect("relay thread C");
        b.section("Two hops (A → B → C), stamped by A, read by C");
        b.note(&format!(
            "A, B, C on cores 0, 1, 2 (pinned: A {pinned_a}, B {pb}, C {pc}); one quote in \
             flight; the 3-hop loop A → B → C → A is shown for reference."
        ));
        b.table(
            "ns",
            1.0,
            &[("two_hop", &two_hop), ("three_hop_loop", &loop3)],
        );
    } else {
        b.section("Two hops");
        b.note(&format!(
            "Only {cores} cores: a third spinning thread would share a core and measure the \
             scheduler. Two-hop figure = the one-hop run's full round trip A → B → A (two \
             one-way hops, the third stage co-located with the first)."
        ));
        b.table("ns", 1.0, &[("two_hop_rtt", &rtt)]);
    }
}
