//! The settings a FIX initiator [`super::Session`] is built from, and why they can be refused.
//! Cold path (start-up).

use core::fmt;

/// A credential held by the session (Username / Password): Debug prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(pub(super) Vec<u8>);

impl Credential {
    /// Wraps the bytes.
    pub fn new(v: impl Into<Vec<u8>>) -> Credential {
        Credential(v.into())
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What a session is built from.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// SenderCompID (49) we send.
    pub sender: Vec<u8>,
    /// TargetCompID (56) we send; the peer's SenderCompID.
    pub target: Vec<u8>,
    /// HeartBtInt (108), seconds, ≥ 1.
    pub heart_bt_s: u32,
    /// Send ResetSeqNumFlag 141=Y at logon: both sides start again at 1.
    pub reset_on_logon: bool,
    /// Username (553), if the broker wants one.
    pub username: Option<Credential>,
    /// Password (554), if the broker wants one.
    pub password: Option<Credential>,
    /// Disconnect when the Logon is not answered within this.
    pub logon_timeout_ms: i64,
    /// Disconnect when our Logout is not answered within this.
    pub logout_timeout_ms: i64,
    /// Orders older than this are gap-filled instead of resent (no stale orders to market).
    pub resend_age_max_ms: i64,
    /// Application messages kept for resend.
    pub resend_capacity: usize,
    /// Orders remembered for cancels and reports.
    pub orders_capacity: usize,
    /// Size of the outgoing byte buffer; a peer that stops reading is disconnected when full.
    pub outbound_bytes: usize,
}

/// Why a session cannot be built.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// SenderCompID or TargetCompID empty or with control bytes.
    #[error("FIX session: {0}: expected a non-empty CompID without control bytes")]
    BadCompId(&'static str),
    /// A bound is out of range.
    #[error("FIX session: {0}")]
    OutOfRange(&'static str),
}
