//! Failures of the receipt writer (cold path).

use std::io;
use std::path::PathBuf;

/// Failures of the writer (cold path).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// An I/O operation failed; the writer is now poisoned.
    #[error("receipts: {path}: {op} failed: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The directory already holds a receipt log.
    #[error(
        "receipts: {dir}: already holds receipt segment {found}; a new run needs an empty \
         directory (move the old log away or configure another receipts.dir)"
    )]
    DirNotEmpty {
        /// The directory.
        dir: PathBuf,
        /// A segment found in it.
        found: PathBuf,
    },
    /// `segment_bytes` cannot hold a header and one record.
    #[error("receipts: segment_bytes = {got}: expected at least {min} (header + one record)")]
    SegmentTooSmall {
        /// Given.
        got: u64,
        /// Smallest usable.
        min: u64,
    },
    /// An earlier error poisoned the writer; nothing was written.
    #[error("receipts: writer poisoned, record not written; first error: {first_error}")]
    Poisoned {
        /// The message of the error that poisoned it.
        first_error: String,
    },
}
