//! The counting global allocator of the zero-allocation tests (one per test binary that includes
//! this module). Every allocation, zeroed allocation and reallocation is counted on the thread
//! that makes it; inside [`gated`] it is also added to a process-wide total, so that a test can
//! count what several threads do in marked regions ([`gated_total`]). Frees are not counted.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

thread_local! {
    /// Allocations made on this thread so far.
    static THIS_THREAD: Cell<u64> = const { Cell::new(0) };
    /// This thread is inside [`gated`].
    static GATED: Cell<bool> = const { Cell::new(false) };
}

/// Allocations made inside [`gated`] regions, on any thread.
static GATED_TOTAL: AtomicU64 = AtomicU64::new(0);

fn count() {
    // `try_with`: an allocation during thread teardown must not panic inside the allocator.
    let _ = THIS_THREAD.try_with(|c| c.set(c.get() + 1));
    if GATED.try_with(Cell::get).unwrap_or(false) {
        GATED_TOTAL.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call unchanged to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made on this thread so far.
pub fn this_thread() -> u64 {
    THIS_THREAD.with(Cell::get)
}

/// Allocations made on this thread while `f` ran.
pub fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = this_thread();
    f();
    this_thread() - before
}

/// Runs `f` with this thread's allocations also added to [`gated_total`].
pub fn gated<R>(f: impl FnOnce() -> R) -> R {
    let was = GATED.with(|g| g.replace(true));
    let r = f();
    GATED.with(|g| g.set(was));
    r
}

/// Allocations made inside [`gated`] regions so far, on any thread.
pub fn gated_total() -> u64 {
    GATED_TOTAL.load(Ordering::Relaxed)
}
