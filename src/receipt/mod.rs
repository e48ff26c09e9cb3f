//! The append-only receipt log: every decision and order event of the engine, so that
//! compliance can reconstruct what happened and when.
//!
//! * [`event`]: what the engine hands over (`Event { kind, ts, payload }`).
//! * [`format`](mod@format): the byte layout below, as code.
//! * [`writer`]: [`ReceiptWriter`] frames, buffers, rolls segments, fsyncs per policy (`batch`:
//!   group commit on its own sync thread, durable watermark readable); poisoned
//!   after the first I/O error. Runs on the receipt thread (live) or the stepper (replay).
//! * [`reader`]: [`ReceiptReader`] yields every valid record, then one precise error at a torn
//!   or corrupt tail. [`print`](mod@print) renders records as text, JSON lines or CSV (`crossarb receipts`).
//!
//! # Format, version 1
//!
//! All integers little-endian. A log is a directory of segment files named
//! `receipts-000001.xrl`, `receipts-000002.xrl`, … (index 1-based, at least six digits, so names
//! sort). A new log needs a directory without segments: version 1 never appends to an existing
//! log. Each segment is a 48-byte header followed by records; the writer starts a new segment
//! when the next record would make the current one larger than `receipts.segment_bytes`.
//!
//! ## Segment header (48 bytes)
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0  | 8 | magic `b"XARBRCP\0"` |
//! | 8  | 2 | format version, u16 = 1 |
//! | 10 | 2 | header length in bytes, u16 = 48 |
//! | 12 | 4 | reserved, zero |
//! | 16 | 8 | config hash, u64: hash of the effective config of the run |
//! | 24 | 8 | start time of the run, i64 UTC ns (simulated time in replay); same in every segment |
//! | 32 | 4 | segment index, u32, 1-based, equal to the number in the file name |
//! | 36 | 8 | sequence number of the first record in this segment, u64 |
//! | 44 | 4 | CRC32 (IEEE, as `crc32fast`) of bytes 0..44 |
//!
//! ## Record (92 bytes for every kind of version 1)
//!
//! | offset | size | field |
//! |-------:|-----:|-------|
//! | 0  | 4 | record length in bytes, u32, CRC included (92) |
//! | 4  | 2 | kind, u16 ([`event::Kind`]; 0 is never written) |
//! | 6  | 2 | flags, u16 = 0 |
//! | 8  | 8 | sequence number, u64: 1 for the first record of the log, +1 per record, across segments |
//! | 16 | 8 | event time, i64 UTC ns |
//! | 24 | 64 | payload ([`event::Payload`], layout below) |
//! | 88 | 4 | CRC32 of bytes 0..88 of the record |
//!
//! Payload (offsets within the payload): 0 `ticket` u32, 4 `order` u32, 8 `px` i64 ticks,
//! 16 `qty` i64 lots, 24 `a` i64, 32 `b` i64, 40 `c` i64, 48 `instrument` u16, 50 `leg` u8
//! (1 domestic, 2 overseas), 51 `side` u8 (1 buy, 2 sell), 52 `code` u16, 54 `code2` u16,
//! 56 `ts_aux` i64 UTC ns. Each [`event::Kind`] documents which fields it uses; unused ones are 0.
//!
//! ## Reading rules
//!
//! A reader walks the segments in index order (a directory must hold 1, 2, 3, … without a gap;
//! each header must continue the previous one: index + 1, first sequence = previous last + 1,
//! same config hash and start time). Within a segment it reads a 24-byte record head, checks it,
//! reads the rest, checks the CRC, then checks the sequence. It stops at the first problem:
//!
//! * **torn tail** — the file ends inside a record head, or before the length the head states.
//!   Reported with the offset of that record (= the length of the valid prefix).
//! * **corrupt** — kind 0, flags ≠ 0, a length other than 92 for a known kind or outside
//!   28..=4096 for an unknown one, a CRC mismatch, or a sequence number that is not the
//!   expected one. Length and kind are checked *before* the rest is read, so a damaged length in
//!   the last record is reported as corruption, not as a torn tail.
//! * **bad header** — a segment shorter than 48 bytes, a CRC mismatch, an unknown version or
//!   header length, or a header that does not continue the previous segment. A first file
//!   without the magic is "not a receipt log".
//!
//! A CRC-valid record of a kind the reader does not know is yielded with its raw kind and its
//! payload bytes, never dropped: later versions may add kinds (with any payload length up to
//! 4,064 bytes) without a version bump. Changing the payload of an existing kind, or anything
//! in the header or the record head, needs a new format version, which a version-1 reader
//! refuses.

pub mod event;
pub mod format;
pub mod print;
pub mod reader;
pub mod writer;

pub use reader::{ReadError, ReceiptReader, Record};
pub use writer::{DirStore, ReceiptWriter, SegmentStore, SegmentSync, Watermark, WriteError};
