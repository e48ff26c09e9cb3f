//! The writer's per-record path allocates nothing: records are encoded into a buffer allocated
//! once, and buffer flushes and fsyncs are plain system calls.

mod receipt_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::ReceiptWriter;
use receipt_support::*;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards every call unchanged to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn appending_records_allocates_nothing_with_fsync_never_or_batch() {
    for fsync in [FsyncPolicy::Never, FsyncPolicy::Batch(1000)] {
        let dir = tempfile::tempdir().unwrap();
        // Segments large enough that 10,000 records stay in one (rolling opens a file).
        let mut w =
            ReceiptWriter::create(dir.path(), HASH, TsNs(START_NS), 1 << 24, fsync).unwrap();
        let events: Vec<_> = (0..10_000).map(event).collect();
        COUNTING.with(|c| c.set(true));
        for ev in &events {
            w.append(ev).unwrap();
        }
        COUNTING.with(|c| c.set(false));
        w.close().unwrap();
        assert_eq!(ALLOCS.swap(0, Ordering::Relaxed), 0, "{fsync:?}");
    }
}
