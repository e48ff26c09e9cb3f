//! The receipt log: append throughput of `ReceiptWriter` under each fsync policy, and the
//! hot-path cost of handing a receipt over — one `rtrb` push of an `Event` into a 65,536-slot
//! ring that a consumer thread drains into a `ReceiptWriter` (fsync never). Target: push p99
//! < 100 ns. Files go to a temporary directory removed at the end.
//!
//! Throughput is total records over total time, `close()` (final flush and fsync) included;
//! MB/s counts record bytes (92 per record, MB = 10^6 bytes). For `every` and `batch` the
//! per-append latency is also shown: with `every` its body is the fsync; with `batch` (group
//! commit: the fsyncs run on the writer's sync thread) its tail is the write of each 256-record
//! batch and, when the writer runs `lag_max` records ahead of the durable watermark, the wait
//! for the sync thread (counted as `stalls`).

mod support;

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use crossarb::config::FsyncPolicy;
use crossarb::domain::{Px, Qty, TsNs};
use crossarb::receipt::event::{Event, Kind, Payload};
use crossarb::receipt::format::RECORD_LEN;
use crossarb::receipt::ReceiptWriter;
use rtrb::RingBuffer;

/// Segment size of `config/example.toml` (64 MiB): the `never` run rolls segments.
const SEGMENT_BYTES: u64 = 64 << 20;
/// Receipt ring capacity of the hot-path measurement.
const RING: usize = 65_536;
/// Smallest gap between two producer pushes: 2 M receipts/s, far above what the engine emits,
/// yet enough for the consumer to keep up so that the push is measured, not a full ring.
const PUSH_GAP_NS: u64 = 500;
/// 2024-07-01T00:00:00Z.
const START_NS: i64 = 1_719_792_000_000_000_000;

/// 1,024 varied events, cycled through.
fn events() -> Vec<Event> {
    (0..1024u64)
        .map(|i| {
            let n = i as i64;
            Event {
                kind: Kind::ALL[i as usize % Kind::ALL.len()],
                ts: START_NS + n * 1_000_003,
                payload: Payload {
                    ticket: i as u32 + 1,
                    order: i as u32 * 2 + 1,
                    px: Px(77_000 + n),
                    qty: Qty(n % 7 + 1),
                    a: -n,
                    b: n * 1000,
                    c: n ^ 0x55,
                    instrument: (i % 2) as u16,
                    leg: (i % 2) as u8 + 1,
                    side: ((i + 1) % 2) as u8 + 1,
                    code: (i % 13) as u16 + 1,
                    code2: (i % 5) as u16,
                    ts_aux: START_NS - n,
                },
            }
        })
        .collect()
}

struct Throughput {
    records: u64,
    ns: u64,
    per_append: hdrhistogram::Histogram<u64>,
    /// Back-pressure waits of the writer (`batch` only).
    stalls: u64,
}

fn append_run(b: &support::Bench, fsync: FsyncPolicy, records: u64, ev: &[Event]) -> Throughput {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut w = ReceiptWriter::create(dir.path(), 1, TsNs(START_NS), SEGMENT_BYTES, fsync)
        .expect("receipt writer in a temporary directory");
    let mark = w.watermark();
    let clock = b.clock();
    let timed = !matches!(fsync, FsyncPolicy::Never);
    let mut per_append = support::histogram();
    let start = clock.raw();
    for i in 0..records {
        let e = &ev[i as usize % ev.len()];
        if timed {
            let t0 = clock.raw();
            w.append(e).expect("append");
            support::record(&mut per_append, b.ns(t0, clock.raw()));
        } else {
            black_box(w.append(e).expect("append"));
        }
    }
    w.close().expect("close");
    let ns = b.ns(start, clock.raw());
    assert_eq!(
        mark.durable(),
        records,
        "Invariant: close returns with every record durable"
    );
    Throughput {
        records,
        ns,
        per_append,
        stalls: mark.stalls(),
    }
}

fn throughput(b: &support::Bench, ev: &[Event]) {
    let runs = [
        ("every", FsyncPolicy::Every, b.count(2_000)),
        ("batch256", FsyncPolicy::Batch(256), b.count(2_560_000)),
        ("never", FsyncPolicy::Never, b.count(5_000_000)),
    ];
    b.section("Append throughput (ReceiptWriter → temp dir)");
    println!("| fsync | records | seconds | records/s | MB/s | lag stalls |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for (name, policy, n) in runs {
        let r = append_run(b, policy, n, ev);
        let secs = r.ns as f64 / 1e9;
        let rps = r.records as f64 / secs;
        let mbps = rps * RECORD_LEN as f64 / 1e6;
        println!(
            "| {name} | {} | {secs:.3} | {rps:.0} | {mbps:.3} | {} |",
            r.records, r.stalls
        );
        results.push((name, r, rps, mbps));
    }
    println!();
    for (name, r, rps, mbps) in &results {
        b.line(&format!("{name}.records"), r.records as f64, "count");
        b.line(&format!("{name}.records_per_sec"), *rps, "records/s");
        b.line(&format!("{name}.mb_per_sec"), *mbps, "MB/s");
        b.line(&format!("{name}.lag_stalls"), r.stalls as f64, "count");
    }
    b.section("Per append (fsync every / batch 256)");
    let rows: Vec<(String, &hdrhistogram::Histogram<u64>)> = results
        .iter()
        .filter(|(_, r, _, _)| !r.per_append.is_empty())
        .map(|(name, r, _, _)| (format!("append_{name}"), &r.per_append))
        .collect();
    let rows: Vec<(&str, &hdrhistogram::Histogram<u64>)> =
        rows.iter().map(|(n, h)| (n.as_str(), *h)).collect();
    b.table("ns", 1.0, &rows);
}

fn enqueue(b: &support::Bench, ev: &[Event]) {
    let pushes = b.count(2_000_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut w = ReceiptWriter::create(
        dir.path(),
        1,
        TsNs(START_NS),
        SEGMENT_BYTES,
        FsyncPolicy::Never,
    )
    .expect("receipt writer in a temporary directory");
    let (mut tx, mut rx) = RingBuffer::<Event>::new(RING);
    let done = Arc::new(AtomicBool::new(false));
    let done_c = done.clone();
    let consumer = thread::spawn(move || {
        let pinned = support::pin_to(1);
        let mut written = 0u64;
        loop {
            match rx.pop() {
                Ok(e) => {
                    w.append(&e).expect("append");
                    written += 1;
                }
                Err(_) if done_c.load(Ordering::Acquire) && rx.is_empty() => break,
                Err(_) => std::hint::spin_loop(),
            }
        }
        w.close().expect("close");
        (pinned, written)
    });
    let pinned_p = support::pin_to(0);
    let clock = b.clock();
    let mut push = support::histogram();
    let mut overhead = support::histogram();
    let mut full = 0u64;
    let gap_raw = {
        // Raw counter units per PUSH_GAP_NS, measured against the clock's own scaling.
        let (r0, mut r1) = (clock.raw(), clock.raw());
        while b.ns(r0, r1) < 1_000_000 {
            r1 = clock.raw();
        }
        ((r1 - r0) as f64 * PUSH_GAP_NS as f64 / b.ns(r0, r1) as f64).max(1.0) as u64
    };
    let mut next = clock.raw();
    // Two laps of the ring before measuring: its 5 MiB are touched (page faults) and the
    // consumer is running, as after start-up in the engine.
    let warm = 2 * RING as u64;
    for i in 0..pushes + warm {
        while clock.raw() < next {
            std::hint::spin_loop();
        }
        let e = ev[i as usize % ev.len()];
        let t0 = clock.raw();
        let mut item = e;
        loop {
            match tx.push(item) {
                Ok(()) => break,
                Err(rtrb::PushError::Full(back)) => {
                    full += 1;
                    item = back;
                    std::hint::spin_loop();
                }
            }
        }
        let t1 = clock.raw();
        let t2 = clock.raw();
        next = t2 + gap_raw;
        if i >= warm {
            support::record(&mut push, b.ns(t0, t1));
            support::record(&mut overhead, b.ns(t1, t2));
        }
    }
    done.store(true, Ordering::Release);
    let (pinned_c, written) = consumer.join().expect("consumer thread");
    assert_eq!(
        written,
        pushes + warm,
        "Invariant: every pushed receipt is written"
    );
    b.section("Hot-path enqueue: push of an `Event` into the 65,536-slot receipt ring");
    b.note(&format!(
        "Producer on core 0 (pinned: {pinned_p}), consumer draining into a ReceiptWriter \
         (fsync never) on core 1 (pinned: {pinned_c}); one push every ≥ {PUSH_GAP_NS} ns, \
         after two warm-up laps of the ring; \
         {full} push attempts found the ring full (retried, included). `clock_read` is two \
         back-to-back counter reads: the timing overhead included in every `push` sample. \
         Target: push p99 < 100 ns."
    ));
    b.table("ns", 1.0, &[("push", &push), ("clock_read", &overhead)]);
    b.line("push.ring_full_retries", full as f64, "count");
}

fn main() {
    let b = support::Bench::start(
        "receipts",
        "Receipt log: `ReceiptWriter::append` throughput per fsync policy, and the hot-path \
         enqueue (rtrb push of an `Event`) with a consumer thread draining into the writer.",
    );
    let ev = events();
    enqueue(&b, &ev);
    throughput(&b, &ev);
}
