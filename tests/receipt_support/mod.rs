//! Shared helpers of the receipt tests: deterministic events and file surgery.

#![allow(dead_code)]

pub mod mem;

use std::path::{Path, PathBuf};

use crossarb::domain::{Px, Qty};
use crossarb::receipt::event::{Event, Kind, Payload};

/// Record length of every known kind (see the format doc).
pub const REC: usize = 92;
/// Segment header length.
pub const HDR: usize = 48;
/// A config hash with bits in every byte.
pub const HASH: u64 = 0x0123_4567_89ab_cdef;
/// 2024-07-01T00:00:00Z.
pub const START_NS: i64 = 1_719_792_000_000_000_000;

/// The `i`-th test event: kinds cycle through every kind; every payload field differs.
pub fn event(i: u64) -> Event {
    let kind = Kind::ALL[i as usize % Kind::ALL.len()];
    let n = i as i64;
    Event {
        kind,
        ts: START_NS + n * 1_000_003,
        payload: Payload {
            ticket: i as u32 + 1,
            order: i as u32 * 2 + 1,
            px: Px(70_000 + n),
            qty: Qty(n % 7 + 1),
            a: -n,
            b: n * 1000,
            c: n ^ 0x55,
            instrument: (i % 3) as u16,
            leg: (i % 2) as u8 + 1,
            side: ((i + 1) % 2) as u8 + 1,
            code: (i % 13) as u16 + 1,
            code2: (i % 5) as u16,
            ts_aux: START_NS - n,
        },
    }
}

/// The one segment file of `dir` with index `i`.
pub fn segment(dir: &Path, i: u32) -> PathBuf {
    dir.join(format!("receipts-{i:06}.xrl"))
}

/// Rewrites the CRC32 of the record at `at` after a deliberate edit.
pub fn fix_crc(bytes: &mut [u8], at: usize, len: usize) {
    let crc = crc32fast::hash(&bytes[at..at + len - 4]);
    bytes[at + len - 4..at + len].copy_from_slice(&crc.to_le_bytes());
}
