//! No thread is left behind: a `batch` writer runs exactly one `receipt-sync` thread, and
//! `close` or a drop joins it. Its own test binary with a single test, so that no other test's
//! writer runs in the process while the threads are counted (`/proc/self/task`, Linux).

mod receipt_support;

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::ReceiptWriter;
use receipt_support::*;

#[cfg(target_os = "linux")]
fn sync_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim_end() == "receipt-sync")
        .count()
}

/// `sync_threads() == 0`, allowing for the kernel: a joined thread's `/proc` entry can outlive
/// the join by a moment (the join wakes at the thread's exit, before the kernel reaps it). A
/// thread left running fails this after the retries; no sleeping, only yields.
#[cfg(target_os = "linux")]
fn no_sync_thread() -> bool {
    (0..100_000).any(|_| {
        let gone = sync_threads() == 0;
        if !gone {
            std::thread::yield_now();
        }
        gone
    })
}

#[cfg(target_os = "linux")]
#[test]
fn a_batch_writer_runs_one_sync_thread_and_close_or_drop_joins_it() {
    let create = |fsync| {
        let dir = tempfile::tempdir().unwrap();
        let w = ReceiptWriter::create(dir.path(), HASH, TsNs(START_NS), 1 << 20, fsync).unwrap();
        (dir, w)
    };
    assert!(no_sync_thread());
    let (_never_dir, never) = create(FsyncPolicy::Never);
    assert_eq!(sync_threads(), 0, "only batch has a sync thread");
    drop(never);

    let (_dir, mut w) = create(FsyncPolicy::Batch(8));
    for i in 0..100 {
        w.append(&event(i)).unwrap();
    }
    // The thread names itself when it first runs; after a sync it surely has.
    w.sync().unwrap();
    assert_eq!(sync_threads(), 1);
    w.close().unwrap();
    assert!(no_sync_thread(), "after close");

    let (_dir2, mut w) = create(FsyncPolicy::Batch(8));
    for i in 0..100 {
        w.append(&event(i)).unwrap();
    }
    w.sync().unwrap();
    w.append(&event(100)).unwrap();
    assert_eq!(sync_threads(), 1);
    drop(w);
    assert!(no_sync_thread(), "after drop");
}
