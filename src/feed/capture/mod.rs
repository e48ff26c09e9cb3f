//! The capture file: the engine's own recorded feed. Live feed handlers append quotes to it,
//! importers convert other formats into it, replay maps it and reads its records in place.
//! Cold-path code: the writer runs on a feed handler's capture thread or a CLI command, the
//! reader on the replay thread at start-up (after which [`Capture::quotes`] is a plain slice).
//!
//! # Format, version 1 (all integers little-endian)
//!
//! A variable-length header, zero-padded to a multiple of 64 bytes, then fixed 64-byte records.
//!
//! | off  | size | field              | meaning                                                       |
//! |-----:|-----:|--------------------|---------------------------------------------------------------|
//! |    0 |    8 | magic              | `XARBCAP\0`                                                   |
//! |    8 |    2 | version            | u16, `1`                                                      |
//! |   10 |    4 | header_len         | u32, bytes before the first record; a multiple of 64          |
//! |   14 |    2 | record_size        | u16, `64`                                                     |
//! |   16 |    2 | instrument_count   | u16, ≤ [`INSTRUMENTS_MAX`]                                    |
//! |   18 |    2 | venue_count        | u16, ≤ [`VENUES_MAX`]                                         |
//! |   20 |    8 | created_at         | i64, UTC ns since the Unix epoch                              |
//! |   28 |    2 | note_len           | u16, ≤ [`NOTE_BYTES_MAX`]                                     |
//! |   30 |    n | note               | UTF-8: where the data came from (e.g. `source resolution: 1 minute`) |
//!
//! Then `venue_count` venue entries:
//!
//! | size | field    | meaning                                                              |
//! |-----:|----------|----------------------------------------------------------------------|
//! |    1 | name_len | u8, 1 ≤ n ≤ [`NAME_BYTES_MAX`]                                       |
//! |    n | name     | UTF-8, e.g. `SHFE`; unique in the file                               |
//!
//! Then `instrument_count` instrument entries:
//!
//! | size | field         | meaning                                                          |
//! |-----:|---------------|------------------------------------------------------------------|
//! |    1 | symbol_len    | u8, 1 ≤ n ≤ [`NAME_BYTES_MAX`]                                   |
//! |    n | symbol        | UTF-8, e.g. `cu2501`; (symbol, venue) unique in the file         |
//! |    2 | venue         | u16, index into this file's venue table                          |
//! |    1 | tick_decimals | u8, digits after the point in `tick_size`, ≤ 18                  |
//! |    1 | tick_len      | u8, 1 ≤ n ≤ [`DECIMAL_BYTES_MAX`]                                |
//! |    n | tick_size     | ASCII decimal `[0-9]+(.[0-9]+)?`, > 0: price = ticks × tick_size |
//! |    1 | lot_len       | u8, 0 ≤ n ≤ [`DECIMAL_BYTES_MAX`]; 0 = lot size not known        |
//! |    n | lot_size      | ASCII decimal, > 0, in the instrument's lot unit                 |
//!
//! Then:
//!
//! | off            | size | field   | meaning                                                      |
//! |---------------:|-----:|---------|--------------------------------------------------------------|
//! | end of tables  |    p | padding | zero bytes up to `header_len − 4`                            |
//! | header_len − 4 |    4 | crc32   | u32, CRC-32 (IEEE, as `crc32fast`) of bytes `[0, header_len − 4)` |
//!
//! The CRC sits at a place known from `header_len` alone and covers the padding, so the reader
//! checks it before trusting any length in the header: a flipped bit anywhere after byte 14 is
//! reported as a CRC error, not as a confusing field error.
//!
//! Records start at `header_len` and are exactly the 64 bytes of a [`crate::domain::Quote`] (see
//! its layout table). In a record, `instrument` and `venue` are indexes into *this file's*
//! tables; replay maps them to config ids by symbol and venue name. Records are in the order the
//! writer received them (importers write non-decreasing `ts_recv`).
//!
//! There is no record count: a live writer appends and the reader derives the count from the
//! file length. A trailing partial record (a torn append) is reported with its byte offset;
//! [`Capture::open_prefix`] returns the complete records before it together with that error.
//!
//! Writers never leave a half-written file under the final name: [`CaptureWriter`] writes
//! `<path>.partial`, and `finish()` flushes, fsyncs and renames it into place.

mod decode;
mod header;
mod reader;
mod writer;

pub use header::{CaptureHeader, CaptureInstrument};
pub use reader::Capture;
pub use writer::CaptureWriter;

use std::path::Path;

/// File magic.
pub const MAGIC: [u8; 8] = *b"XARBCAP\0";
/// The format version this code reads and writes.
pub const VERSION: u16 = 1;
/// Size of one record (a [`crate::domain::Quote`]).
pub const RECORD_BYTES: usize = 64;
/// Most instruments in one capture (a capture may hold a whole exchange's contracts; replay keeps
/// the ones its config names).
pub const INSTRUMENTS_MAX: usize = 4096;
/// Most venues in one capture.
pub const VENUES_MAX: usize = 64;
/// Longest symbol or venue name, bytes.
pub const NAME_BYTES_MAX: usize = 31;
/// Longest tick or lot size string, bytes.
pub const DECIMAL_BYTES_MAX: usize = 24;
/// Longest note, bytes.
pub const NOTE_BYTES_MAX: usize = 4096;
/// Largest `header_len` a reader accepts: the fixed part, a full note and full tables fit.
pub const HEADER_BYTES_MAX: usize = 1 << 19;

const _: () = assert!(
    30 + NOTE_BYTES_MAX
        + VENUES_MAX * (1 + NAME_BYTES_MAX)
        + INSTRUMENTS_MAX
            * (1 + NAME_BYTES_MAX + 2 + 1 + 1 + DECIMAL_BYTES_MAX + 1 + DECIMAL_BYTES_MAX)
        + 4
        + RECORD_BYTES
        <= HEADER_BYTES_MAX
);

const _: () = assert!(core::mem::size_of::<crate::domain::Quote>() == RECORD_BYTES);

/// Why a capture could not be written or read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// An operating-system error on the file.
    #[error("{path}: {action}: {source}")]
    Io {
        /// File.
        path: String,
        /// What was being done (`cannot create`, `cannot write`, ...).
        action: &'static str,
        /// Cause.
        source: std::io::Error,
    },
    /// The file ends inside the header.
    #[error("{path}: truncated at byte {offset}: expected {expected}")]
    Truncated {
        /// File.
        path: String,
        /// File length (where the data ends).
        offset: u64,
        /// What should have followed.
        expected: String,
    },
    /// The first 8 bytes are not [`MAGIC`].
    #[error(
        "{path}: byte 0: expected magic \"XARBCAP\\0\" (a crossarb capture), found {found:02x?}"
    )]
    BadMagic {
        /// File.
        path: String,
        /// The bytes found.
        found: Vec<u8>,
    },
    /// A format version this code does not read.
    #[error("{path}: byte 8: capture format version {found}, this build reads version {VERSION} (a newer crossarb wrote it?)")]
    UnsupportedVersion {
        /// File.
        path: String,
        /// Version found.
        found: u16,
    },
    /// The header's CRC does not match its bytes.
    #[error("{path}: byte {offset}: header CRC mismatch: stored {stored:#010x}, computed {computed:#010x} (header corrupted)")]
    Crc {
        /// File.
        path: String,
        /// Offset of the stored CRC.
        offset: u64,
        /// CRC in the file.
        stored: u32,
        /// CRC of the bytes.
        computed: u32,
    },
    /// A header field is out of range (reading) or a header value breaks a limit (writing).
    #[error("{path}: {location}: {field}: expected {expected}, found {found}")]
    Field {
        /// File.
        path: String,
        /// `byte N` when reading; `header` when writing.
        location: String,
        /// Field path, e.g. `instruments[3].symbol`.
        field: String,
        /// What was expected.
        expected: String,
        /// What was there.
        found: String,
    },
    /// The file ends inside a record (a torn append).
    #[error("{path}: byte {offset}: partial record of {bytes} bytes at the end (expected {RECORD_BYTES}); {complete} complete records before it")]
    PartialRecord {
        /// File.
        path: String,
        /// Offset where the partial record starts.
        offset: u64,
        /// Its length.
        bytes: u64,
        /// Complete records before it.
        complete: u64,
    },
    /// A record names an instrument or venue the header does not have.
    #[error("{path}: byte {offset} (record {index}): {what} {value} is not in the header's table of {count}")]
    RecordOutOfRange {
        /// File.
        path: String,
        /// Offset of the record.
        offset: u64,
        /// Record index.
        index: u64,
        /// `instrument` or `venue`.
        what: &'static str,
        /// The index in the record.
        value: u16,
        /// Table length.
        count: usize,
    },
    /// An earlier I/O error left the writer in an unknown state: it accepts nothing more.
    #[error("{path}: writer stopped after an earlier I/O error")]
    Poisoned {
        /// File.
        path: String,
    },
}

fn path_str(path: &Path) -> String {
    path.display().to_string()
}
