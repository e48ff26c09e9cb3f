//! Sequence-number persistence and the outgoing resend store.
//!
//! [`SeqFile`] keeps the next outgoing and next expected incoming MsgSeqNum in a small text file
//! written temp-then-rename with fsync (file and directory), so a restart continues the
//! sequence. Format (ASCII, one `key=value` a line, in this order):
//!
//! ```text
//! crossarb-fix-seq 1
//! next_out=1234
//! next_in=987
//! ```
//!
//! Saving does I/O: the driver calls it from a cold point (logon, logout, disconnect, or a timer),
//! never inside the session step. A stale `next_in` only costs a resend of duplicates (PossDup);
//! a stale `next_out` makes the peer log us out, so save after sending and before exit.
//!
//! [`ResendRing`] keeps the body fields of the last N application messages sent, by MsgSeqNum,
//! in memory allocated once; older ones (and session messages) are answered with a gap fill.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::domain::TsNs;

const MAGIC: &str = "crossarb-fix-seq 1";

/// Next sequence numbers of a session (both start at 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqNums {
    /// MsgSeqNum of the next message we send.
    pub next_out: u64,
    /// MsgSeqNum we expect next from the peer.
    pub next_in: u64,
}

impl Default for SeqNums {
    fn default() -> Self {
        SeqNums {
            next_out: 1,
            next_in: 1,
        }
    }
}

/// Why the sequence file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// I/O on the file.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The content is not the format above.
    #[error("{path}: line {line}: expected {expected}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What the line should hold.
        expected: &'static str,
    },
}

/// The sequence file of one session.
#[derive(Clone, Debug)]
pub struct SeqFile {
    path: PathBuf,
}

impl SeqFile {
    /// The file at `path` (not touched until load/save).
    pub fn new(path: impl Into<PathBuf>) -> SeqFile {
        SeqFile { path: path.into() }
    }

    /// The stored numbers; a missing file means a fresh session (1, 1).
    pub fn load(&self) -> Result<SeqNums, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SeqNums::default()),
            Err(source) => return Err(self.io("read", source)),
        };
        let mut lines = text.lines();
        let fmt_err = |line, expected| StoreError::Format {
            path: self.path.clone(),
            line,
            expected,
        };
        if lines.next() != Some(MAGIC) {
            return Err(fmt_err(1, "`crossarb-fix-seq 1`"));
        }
        let mut num = |line: usize, key: &str, expected| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(key))
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|&v| v >= 1)
                .ok_or_else(|| fmt_err(line, expected))
        };
        let next_out = num(2, "next_out=", "next_out=<integer ≥ 1>")?;
        let next_in = num(3, "next_in=", "next_in=<integer ≥ 1>")?;
        Ok(SeqNums { next_out, next_in })
    }

    /// Writes `seqs` durably: temp file, fsync, rename over the old file, fsync the directory.
    pub fn save(&self, seqs: SeqNums) -> Result<(), StoreError> {
        let tmp = self.path.with_extension("tmp");
        let text = format!(
            "{MAGIC}\nnext_out={}\nnext_in={}\n",
            seqs.next_out, seqs.next_in
        );
        let mut f = std::fs::File::create(&tmp).map_err(|e| self.io("create temp", e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| self.io("write temp", e))?;
        f.sync_all().map_err(|e| self.io("fsync temp", e))?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(|e| self.io("rename", e))?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| self.io("fsync directory", e))
    }

    fn io(&self, op: &'static str, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            op,
            source,
        }
    }
}

/// Bytes of body fields one stored message may hold; a longer one is gap-filled on resend.
pub const SLOT_BYTES: usize = 512;

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    seq: u64,
    msg_type: u8,
    sent_at: TsNs,
    len: u16,
}

/// A message kept for resend.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    /// Its MsgType (one byte: `D`, `F`).
    pub msg_type: u8,
    /// Its original SendingTime (goes to OrigSendingTime 122).
    pub sent_at: TsNs,
    /// Its body fields after the standard header.
    pub body: &'a [u8],
}

/// The last `capacity` application messages sent, by MsgSeqNum.
#[derive(Clone)]
pub struct ResendRing {
    slots: Vec<Slot>,
    data: Vec<u8>,
}

impl core::fmt::Debug for ResendRing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ResendRing {{ capacity: {} }}", self.slots.len())
    }
}

impl ResendRing {
    /// Room for `capacity` (> 0) messages. Allocates here only.
    pub fn new(capacity: usize) -> ResendRing {
        assert!(capacity > 0, "Invariant: resend ring capacity > 0");
        ResendRing {
            slots: vec![Slot::default(); capacity],
            data: vec![0; capacity * SLOT_BYTES],
        }
    }

    /// How many messages it holds at most.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Keeps `body` as message `seq`; a body over [`SLOT_BYTES`] is not kept (gap-filled later).
    pub fn put(&mut self, seq: u64, msg_type: u8, sent_at: TsNs, body: &[u8]) {
        let i = (seq % self.slots.len() as u64) as usize;
        if body.len() > SLOT_BYTES {
            self.slots[i] = Slot::default();
            return;
        }
        self.data[i * SLOT_BYTES..i * SLOT_BYTES + body.len()].copy_from_slice(body);
        self.slots[i] = Slot {
            seq,
            msg_type,
            sent_at,
            len: body.len() as u16,
        };
    }

    /// Message `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<Stored<'_>> {
        let i = (seq % self.slots.len() as u64) as usize;
        let s = self.slots[i];
        (s.seq == seq && seq != 0).then(|| Stored {
            msg_type: s.msg_type,
            sent_at: s.sent_at,
            body: &self.data[i * SLOT_BYTES..i * SLOT_BYTES + usize::from(s.len)],
        })
    }

    /// Forgets everything (sequence reset).
    pub fn clear(&mut self) {
        self.slots.fill(Slot::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_last_messages_only() {
        let mut r = ResendRing::new(4);
        for seq in 1..=6 {
            r.put(
                seq,
                b'D',
                TsNs(seq as i64),
                format!("11={seq}\x01").as_bytes(),
            );
        }
        assert!(r.get(2).is_none());
        let m = r.get(6).unwrap();
        assert_eq!(
            (m.msg_type, m.sent_at, m.body),
            (b'D', TsNs(6), &b"11=6\x01"[..])
        );
        r.put(7, b'D', TsNs(7), &[b'x'; SLOT_BYTES + 1]);
        assert!(r.get(7).is_none() && r.get(3).is_none());
        assert!(r.get(0).is_none());
    }

    #[test]
    fn seq_file_round_trips_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let f = SeqFile::new(dir.path().join("s.seq"));
        assert_eq!(f.load().unwrap(), SeqNums::default());
        let s = SeqNums {
            next_out: 42,
            next_in: 7,
        };
        f.save(s).unwrap();
        assert_eq!(f.load().unwrap(), s);
        std::fs::write(
            dir.path().join("s.seq"),
            "crossarb-fix-seq 1\nnext_out=3\nnext_in=x\n",
        )
        .unwrap();
        let e = f.load().unwrap_err().to_string();
        assert!(
            e.ends_with("s.seq: line 3: expected next_in=<integer ≥ 1>"),
            "{e}"
        );
    }
}
