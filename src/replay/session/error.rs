//! Why a session replay failed ([`super::run`]): every variant names the file, and the journal
//! ones the input index and byte offset.

use crate::engine::EngineError;
use crate::feed::capture::CaptureError;
use crate::feed::journal::{JournalError, QuoteRef};
use crate::receipt::WriteError;

/// Why a session replay failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The journal could not be read or is damaged.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The capture could not be read or is damaged.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The engine could not be built from the config.
    #[error("config: {0}")]
    Engine(#[from] EngineError),
    /// The receipt log could not be written.
    #[error("receipts: {0}")]
    Receipts(#[from] WriteError),
    /// The session ran under another config.
    #[error("{journal}: byte 16: the run used config hash {run:016x}, {config} hashes to {this:016x}: replay a session with the config it ran")]
    ConfigMismatch {
        /// Journal file.
        journal: String,
        /// Config file.
        config: String,
        /// Hash in the journal.
        run: u64,
        /// Hash of the config given.
        this: u64,
    },
    /// The capture's tables are not the config's.
    #[error("{capture}: {what} (not the capture of a run of this config)")]
    CaptureMismatch {
        /// Capture file.
        capture: String,
        /// What differs.
        what: String,
    },
    /// A quote the live engine took is not in the capture.
    #[error("{journal}: input {input} (byte {offset}): quote {quote:?} not found in {capture} from record {from} of its venue on (capture ring overflowed during the run?)")]
    QuoteMissing {
        /// Journal file.
        journal: String,
        /// Input index.
        input: u64,
        /// Byte offset of its record.
        offset: u64,
        /// The reference.
        quote: QuoteRef,
        /// Capture file.
        capture: String,
        /// Capture record where the search started.
        from: usize,
    },
    /// The engine did not do what the live engine did.
    #[error("{journal}: input {input} (byte {offset}): replay diverged from the live run: {what}")]
    Diverged {
        /// Journal file.
        journal: String,
        /// First differing input index.
        input: u64,
        /// Byte offset of its record.
        offset: u64,
        /// What differs.
        what: String,
    },
}
