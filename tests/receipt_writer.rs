//! The writer's contract: sequence numbers, fsync policy, refusal of an existing log, and
//! poisoning after the first I/O error so that no record is ever lost silently.

mod receipt_support;

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::{ReceiptWriter, WriteError};
use receipt_support::mem::MemStore;
use receipt_support::*;

fn writer(store: &MemStore, segment_bytes: u64, fsync: FsyncPolicy) -> ReceiptWriter<MemStore> {
    ReceiptWriter::with_store(store.clone(), HASH, TsNs(START_NS), segment_bytes, fsync).unwrap()
}

const BIG: u64 = 1 << 30;

#[test]
fn every_policy_syncs_the_header_and_each_record() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, FsyncPolicy::Every);
    for i in 0..3 {
        w.append(&event(i)).unwrap();
    }
    let syncs = store.log().syncs.clone();
    assert_eq!(
        syncs,
        vec![
            (1, HDR),
            (1, HDR + REC),
            (1, HDR + 2 * REC),
            (1, HDR + 3 * REC)
        ]
    );
}

#[test]
fn batch_policy_writes_each_n_records_at_once_and_close_syncs_the_last_one() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, FsyncPolicy::Batch(3));
    for i in 0..7 {
        w.append(&event(i)).unwrap();
    }
    assert_eq!(store.log().write_lens, vec![HDR, 3 * REC, 3 * REC]);
    w.close().unwrap();
    let log = store.log();
    assert_eq!(log.syncs.first(), Some(&(1, HDR)), "header synced at once");
    assert_eq!(log.syncs.last(), Some(&(1, HDR + 7 * REC)));
    // Requests coalesce, so which batches got a sync of their own is timing; each sync covers
    // a whole number of batches, more than the one before.
    for pair in log.syncs.windows(2) {
        assert!(pair[0].1 < pair[1].1, "{:?}", log.syncs);
    }
    for &(_, len) in &log.syncs {
        assert!(
            [0, 3, 6, 7].contains(&((len - HDR) / REC)),
            "{:?}",
            log.syncs
        );
    }
}

#[test]
fn never_policy_writes_only_the_header_until_the_buffer_fills_or_close() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, FsyncPolicy::Never);
    for i in 0..100 {
        w.append(&event(i)).unwrap();
    }
    assert_eq!(store.log().writes, 1);
    assert_eq!(store.log().segments[0].len(), HDR);
    w.close().unwrap();
    let log = store.log();
    assert_eq!(log.segments[0].len(), HDR + 100 * REC);
    assert_eq!(log.syncs, vec![(1, HDR + 100 * REC)]);
}

#[test]
fn segments_roll_before_a_record_would_pass_segment_bytes() {
    let store = MemStore::default();
    let exact = (HDR + 2 * REC) as u64;
    let mut w = writer(&store, exact, FsyncPolicy::Never);
    for i in 0..5 {
        assert_eq!(w.append(&event(i)).unwrap(), i + 1);
    }
    assert_eq!(w.segment_index(), 3);
    w.close().unwrap();
    let log = store.log();
    let lens: Vec<usize> = log.segments.iter().map(Vec::len).collect();
    assert_eq!(lens, vec![HDR + 2 * REC, HDR + 2 * REC, HDR + REC]);
    let third = &log.segments[2];
    assert_eq!(&third[32..36], &3u32.to_le_bytes(), "segment index");
    assert_eq!(
        &third[36..44],
        &5u64.to_le_bytes(),
        "first sequence of segment 3"
    );
}

#[test]
fn a_write_error_poisons_the_writer_and_nothing_more_is_written() {
    let store = MemStore::default();
    store.log().fail_write = Some(4); // write 1 is the header
    let mut w = writer(&store, BIG, FsyncPolicy::Every);
    assert_eq!(w.append(&event(0)).unwrap(), 1);
    assert_eq!(w.append(&event(1)).unwrap(), 2);
    let first = w.append(&event(2)).unwrap_err();
    assert!(
        matches!(first, WriteError::Io { op: "write", .. }),
        "{first}"
    );
    assert!(
        first.to_string().contains("mem/receipts-000001.xrl"),
        "{first}"
    );
    store.log().fail_write = None;
    for result in [w.append(&event(3)).map(|_| ()), w.flush(), w.sync()] {
        match result {
            Err(WriteError::Poisoned { first_error }) => {
                assert!(
                    first_error.contains("injected write failure"),
                    "{first_error}"
                );
            }
            other => panic!("expected poisoned, got {other:?}"),
        }
    }
    assert!(w.poisoned().is_some());
    assert!(matches!(w.close(), Err(WriteError::Poisoned { .. })));
    assert_eq!(
        store.log().segments[0].len(),
        HDR + 2 * REC,
        "nothing after the failure"
    );
}

#[test]
fn an_fsync_error_on_the_callers_thread_poisons_the_writer() {
    let store = MemStore::default();
    store.log().fail_sync = Some(3); // sync 1 is the header
    let mut w = writer(&store, BIG, FsyncPolicy::Every);
    w.append(&event(0)).unwrap();
    let err = w.append(&event(1)).unwrap_err();
    assert!(matches!(err, WriteError::Io { op: "fsync", .. }), "{err}");
    assert_eq!(w.durable(), 1);
    assert!(matches!(
        w.append(&event(2)),
        Err(WriteError::Poisoned { .. })
    ));
}

#[test]
fn failing_to_create_the_next_segment_poisons_the_writer() {
    let store = MemStore::default();
    store.log().fail_create = Some(2);
    let mut w = writer(&store, (HDR + REC) as u64, FsyncPolicy::Never);
    w.append(&event(0)).unwrap();
    let err = w.append(&event(1)).unwrap_err();
    assert!(
        err.to_string()
            .contains("mem/receipts-000002.xrl: create segment"),
        "{err}"
    );
    assert!(matches!(
        w.append(&event(2)),
        Err(WriteError::Poisoned { .. })
    ));
    drop(w);
    assert_eq!(
        store.log().segments[0].len(),
        HDR + REC,
        "segment 1 was completed"
    );
}

#[test]
fn a_segment_size_below_one_header_and_one_record_is_refused() {
    let store = MemStore::default();
    let got = ReceiptWriter::with_store(
        store,
        HASH,
        TsNs(0),
        (HDR + REC - 1) as u64,
        FsyncPolicy::Never,
    );
    assert!(
        matches!(got, Err(WriteError::SegmentTooSmall { min: 140, .. })),
        "{got:?}"
    );
}

#[test]
fn a_directory_that_already_holds_a_log_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = ReceiptWriter::create(dir.path(), HASH, TsNs(0), BIG, FsyncPolicy::Never).unwrap();
    w.close().unwrap();
    let again = ReceiptWriter::create(dir.path(), HASH, TsNs(0), BIG, FsyncPolicy::Never);
    match again {
        Err(e @ WriteError::DirNotEmpty { .. }) => {
            assert!(e.to_string().contains("receipts-000001.xrl"), "{e}");
        }
        other => panic!("expected DirNotEmpty, got {other:?}"),
    }
}

#[test]
fn a_writer_dropped_without_close_still_hands_its_records_to_the_os() {
    let store = MemStore::default();
    let mut w = writer(&store, BIG, FsyncPolicy::Never);
    w.append(&event(0)).unwrap();
    drop(w);
    assert_eq!(store.log().segments[0].len(), HDR + REC);
}
