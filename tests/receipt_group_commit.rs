//! Group commit (`fsync = batch`): the sync thread syncs what the writer wrote without making it
//! wait, except at the lag bound, a segment roll, `sync` and `close`; its errors poison the
//! writer as the caller's own would. The in-memory store decides when syncs fail or finish.

mod receipt_support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::{ReceiptWriter, WriteError};
use receipt_support::mem::MemStore;
use receipt_support::*;

const BIG: u64 = 1 << 30;

fn writer(store: &MemStore, segment_bytes: u64, n: u32) -> ReceiptWriter<MemStore> {
    ReceiptWriter::with_store(
        store.clone(),
        HASH,
        TsNs(START_NS),
        segment_bytes,
        FsyncPolicy::Batch(n),
    )
    .unwrap()
}

fn assert_injected_fsync_error(err: &WriteError) {
    assert!(matches!(err, WriteError::Io { op: "fsync", .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("mem/receipts-000001.xrl"), "{text}");
    assert!(text.contains("injected fsync failure"), "{text}");
}

fn assert_poisoned(r: Result<(), WriteError>) {
    match r {
        Err(WriteError::Poisoned { first_error }) => {
            assert!(
                first_error.contains("injected fsync failure"),
                "{first_error}"
            );
        }
        other => panic!("expected poisoned, got {other:?}"),
    }
}

#[test]
fn close_returns_only_when_the_last_record_is_synced() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, 256);
    let mark = w.watermark();
    for i in 0..1000 {
        w.append(&event(i)).unwrap();
    }
    w.close().unwrap();
    assert_eq!(store.log().syncs.last(), Some(&(1, HDR + 1000 * REC)));
    assert_eq!(mark.durable(), 1000);
    assert_eq!(store.log().handles_live, 0, "the sync thread let go");
}

#[test]
fn sync_returns_with_every_appended_record_durable() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, 4);
    for i in 0..10 {
        w.append(&event(i)).unwrap();
    }
    w.sync().unwrap();
    assert_eq!(w.durable(), 10);
    assert_eq!(store.log().syncs.last(), Some(&(1, HDR + 10 * REC)));
    w.append(&event(10)).unwrap();
    assert_eq!(w.durable(), 10, "the new record is only buffered");
}

#[test]
fn a_failed_sync_on_the_sync_thread_is_returned_by_sync_and_poisons() {
    let store = MemStore::default();
    store.log().fail_sync = Some(2); // sync 1 is the header, on the caller's thread
    let mut w = writer(&store, BIG, 2);
    // One batch: the second append asks for the sync that fails. A third append could already
    // see the failure (`append` checks first), so the error must reach `sync` here.
    for i in 0..2 {
        w.append(&event(i)).unwrap();
    }
    let err = w.sync().unwrap_err();
    assert_injected_fsync_error(&err);
    assert_eq!(w.durable(), 0);
    assert!(w.poisoned().is_some());
    let writes = store.log().writes;
    assert_poisoned(w.append(&event(2)).map(|_| ()));
    assert_poisoned(w.flush());
    assert_poisoned(w.close());
    let log = store.log();
    assert_eq!(log.syncs, vec![(1, HDR)], "no sync after the failed one");
    assert_eq!(log.writes, writes, "nothing written after the error");
}

#[test]
fn a_failed_sync_on_the_sync_thread_is_returned_by_close() {
    let store = MemStore::default();
    store.log().fail_sync = Some(2);
    let mut w = writer(&store, BIG, 2);
    for i in 0..2 {
        w.append(&event(i)).unwrap(); // one batch, as above
    }
    assert_injected_fsync_error(&w.close().unwrap_err());
    assert_eq!(store.log().syncs, vec![(1, HDR)]);
    assert_eq!(store.log().handles_live, 0);
}

#[test]
fn a_failed_sync_on_the_sync_thread_stops_appends_and_nothing_is_written_after_it() {
    let store = MemStore::default();
    store.log().fail_sync = Some(2);
    let mut w = writer(&store, BIG, 2);
    let lag_max = w.lag_max().unwrap();
    // The failure is seen by the first append after the sync thread records it, at the latest
    // by the append that reaches the lag bound and waits.
    let mut first = None;
    for i in 0..=lag_max {
        if let Err(e) = w.append(&event(i)) {
            first = Some((i, e));
            break;
        }
    }
    let (at, err) = first.expect("an append returns the sync thread's error");
    assert!(
        at <= lag_max,
        "record {} of at most {}",
        at + 1,
        lag_max + 1
    );
    assert_injected_fsync_error(&err);
    let len = store.log().segments[0].len();
    assert_poisoned(w.append(&event(at + 1)).map(|_| ()));
    assert_poisoned(w.sync());
    drop(w);
    let log = store.log();
    assert_eq!(
        log.segments[0].len(),
        len,
        "nothing written after the error"
    );
    assert_eq!(log.syncs, vec![(1, HDR)]);
    assert_eq!(log.handles_live, 0);
}

#[test]
fn the_writer_waits_at_the_lag_bound_while_a_sync_hangs_and_resumes_when_it_ends() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, 256);
    let lag_max = w.lag_max().unwrap();
    store.log().gate_from = Some(2); // the first sync on the sync thread hangs
    let mark = w.watermark();
    let appended = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    let releaser = {
        let (store, appended, finished) = (store.clone(), appended.clone(), finished.clone());
        thread::spawn(move || {
            // The writer counts a stall before it waits: once seen, it is blocked in `append`
            // and `appended` cannot move until the gate opens.
            while mark.stalls() == 0 && !finished.load(Ordering::Acquire) {
                thread::yield_now();
            }
            let seen = (
                mark.stalls(),
                appended.load(Ordering::Acquire),
                mark.durable(),
            );
            store.open_gate();
            seen
        })
    };
    let total = lag_max + 1000;
    for i in 0..total {
        assert_eq!(w.append(&event(i)).unwrap(), i + 1);
        appended.store(i + 1, Ordering::Release);
    }
    finished.store(true, Ordering::Release);
    let (stalls, appended_at_stall, durable_at_stall) = releaser.join().unwrap();
    assert_eq!(stalls, 1, "the writer waited once");
    assert_eq!(
        appended_at_stall, lag_max,
        "it stopped exactly at the bound"
    );
    assert_eq!(durable_at_stall, 0);
    let mark = w.watermark();
    w.close().unwrap();
    assert_eq!(mark.durable(), total);
    assert_eq!(
        store.log().syncs.last(),
        Some(&(1, HDR + total as usize * REC))
    );
}

#[test]
fn a_segment_is_durable_before_the_writer_leaves_it() {
    let store = MemStore::default();
    let per_segment = 5;
    let mut w = writer(&store, (HDR + per_segment * REC) as u64, 2);
    for i in 0..17 {
        w.append(&event(i)).unwrap();
    }
    w.close().unwrap();
    let log = store.log();
    assert_eq!(log.segments.len(), 4);
    for seg in 1..4 {
        let full = (seg, HDR + per_segment * REC);
        let synced_full = log.syncs.iter().position(|s| *s == full);
        let next_header = log.syncs.iter().position(|s| *s == (seg + 1, HDR));
        assert!(
            synced_full.is_some() && synced_full < next_header,
            "segment {seg}: {:?}",
            log.syncs
        );
    }
    assert_eq!(log.syncs.last(), Some(&(4, HDR + 2 * REC)));
}

#[test]
fn a_writer_dropped_without_close_joins_its_sync_thread() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, 2);
    for i in 0..5 {
        w.append(&event(i)).unwrap();
    }
    drop(w);
    let log = store.log();
    assert_eq!(log.handles_live, 0, "the sync thread let go of its handle");
    assert_eq!(
        log.segments[0].len(),
        HDR + 5 * REC,
        "the buffer reached the OS"
    );
}

#[test]
fn request_sync_makes_the_tail_of_a_batch_durable_without_sync_or_close() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, 256);
    let mark = w.watermark();
    for i in 0..3 {
        w.append(&event(i)).unwrap();
    }
    w.request_sync().unwrap();
    // The sync thread runs on its own; yield until it has (bounded: a lost request fails here).
    let mut yields = 0;
    while mark.durable() < 3 && yields < 1_000_000 {
        thread::yield_now();
        yields += 1;
    }
    assert_eq!(mark.durable(), 3, "the tail was requested and synced");
    assert_eq!(store.log().syncs.last(), Some(&(1, HDR + 3 * REC)));
    w.request_sync().unwrap(); // nothing left to ask for
    w.close().unwrap();
    assert_eq!(mark.durable(), 3);
}
