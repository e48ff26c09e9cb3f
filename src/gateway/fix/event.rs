//! What a FIX session tells its driver: logged on, execution reports, gaps, rejects, and why it
//! disconnected. Plain `Copy` values (texts are truncated into a fixed buffer) so that they can
//! cross a ring without allocation.

use core::fmt;

use super::decode::DecodeError;
use crate::exec::msg::ExecReport;

/// Bytes of text an event carries (longer texts are cut).
pub const TEXT_MAX: usize = 80;

/// A short text (a peer's Text 58, or ours) held inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Text {
    buf: [u8; TEXT_MAX],
    len: u8,
}

impl Text {
    /// No text.
    pub const EMPTY: Text = Text {
        buf: [0; TEXT_MAX],
        len: 0,
    };

    /// The first [`TEXT_MAX`] bytes of `b`.
    pub fn from_bytes(b: &[u8]) -> Text {
        let mut t = Text::EMPTY;
        let n = b.len().min(TEXT_MAX);
        t.buf[..n].copy_from_slice(&b[..n]);
        t.len = n as u8;
        t
    }

    /// The bytes held.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

impl fmt::Write for Text {
    /// Appends, cutting at [`TEXT_MAX`] bytes.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let at = usize::from(self.len);
        let n = s.len().min(TEXT_MAX - at);
        self.buf[at..at + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n as u8;
        Ok(())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The socket closed or failed under us.
    ConnectionLost,
    /// No Logon answer within `logon_timeout_ms`.
    LogonTimeout,
    /// The peer's first message was not a Logon.
    FirstMessageNotLogon,
    /// A Logon while already logged on.
    UnexpectedLogon,
    /// No answer to our TestRequest within one heartbeat interval.
    PeerSilent,
    /// MsgSeqNum lower than expected without PossDupFlag: a serious error (Logout sent).
    SeqTooLow {
        /// What we expected.
        expected: u64,
        /// What came.
        received: u64,
    },
    /// A message without MsgSeqNum (Logout sent).
    MissingSeqNum,
    /// SenderCompID/TargetCompID not ours (Reject and Logout sent).
    CompIdMismatch,
    /// The peer logged out (we answered).
    PeerLogout(Text),
    /// Our Logout was answered.
    LogoutComplete,
    /// Our Logout was not answered within `logout_timeout_ms`.
    LogoutTimeout,
    /// We gave up logging on ([`super::session::Session::logout`] before the Logon answer).
    LocalLogout,
    /// Bytes that cannot be framed: the stream cannot be resynchronised.
    Framing(DecodeError),
    /// The outgoing buffer is full: the peer is not reading.
    OutboundFull,
    /// A message we built does not encode (a configured value contains SOH or is too long).
    EncodeFailed,
}

/// Something the driver must know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The peer answered our Logon.
    LoggedOn {
        /// The peer's HeartBtInt (ours is used).
        heart_bt_s: u32,
    },
    /// An execution report for the executor.
    Report(ExecReport),
    /// Messages are missing: a ResendRequest from `expected` was sent.
    GapDetected {
        /// The MsgSeqNum we expected.
        expected: u64,
        /// The one that came.
        received: u64,
    },
    /// The peer rejected one of our messages (35=3).
    SessionReject {
        /// Our MsgSeqNum it refers to.
        ref_seq: u64,
        /// SessionRejectReason (373), if given.
        reason: Option<u64>,
        /// Text (58).
        text: Text,
    },
    /// We rejected one of the peer's messages (35=3 sent).
    RejectSent {
        /// Its MsgSeqNum.
        ref_seq: u64,
        /// The tag at fault (0 when none).
        tag: u32,
        /// SessionRejectReason (373) sent.
        reason: u32,
    },
    /// A message with a bad CheckSum was dropped (FIX: garbled messages are ignored).
    Garbled(DecodeError),
    /// The session ended; flush the outbound bytes, close the socket, reconnect later.
    Disconnected(DisconnectReason),
}
