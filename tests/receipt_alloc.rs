//! The writer's per-record path allocates nothing: records are encoded into a buffer allocated
//! once, and buffer flushes and fsyncs are plain system calls.

mod alloc_support;
mod receipt_support;

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::ReceiptWriter;
use receipt_support::*;

#[test]
fn appending_records_allocates_nothing_with_fsync_never_or_batch() {
    for fsync in [FsyncPolicy::Never, FsyncPolicy::Batch(1000)] {
        let dir = tempfile::tempdir().unwrap();
        // Segments large enough that 10,000 records stay in one (rolling opens a file).
        let mut w =
            ReceiptWriter::create(dir.path(), HASH, TsNs(START_NS), 1 << 24, fsync).unwrap();
        let events: Vec<_> = (0..10_000).map(event).collect();
        let n = alloc_support::allocations_in(|| {
            for ev in &events {
                w.append(ev).unwrap();
            }
        });
        w.close().unwrap();
        assert_eq!(n, 0, "{fsync:?}");
    }
}
