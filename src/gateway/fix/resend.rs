//! Answering the peer's ResendRequest from the [`ResendRing`], the same way for the initiator
//! session and the acceptor: kept application messages again with PossDupFlag=Y and their
//! OrigSendingTime, every run of the others (session messages, forgotten, or refused by the
//! caller's `keep`, e.g. stale orders) as one SequenceReset-GapFill. Gateway thread; allocates
//! nothing.
//!
//! [`ResendCursor`] walks the range; [`resend`] writes through a [`ResendOut`] (the side's
//! framing) and stops early when [`ResendOut::open`] says so, still filling the open gap.

use super::msg::FixMsg;
use super::session::body_of;
use super::stamp::StampCache;
use super::store::{ResendRing, Stored, SLOT_BYTES};
use crate::domain::TsNs;

/// One kept message to send again (PossDupFlag=Y), after a gap fill of the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resend {
    /// Gap-fill `gap_from..seq` first: SequenceReset-GapFill at `gap_from`, NewSeqNo `seq`.
    pub gap_from: Option<u64>,
    /// Its MsgSeqNum.
    pub seq: u64,
    /// Its MsgType (one byte).
    pub msg_type: u8,
    /// Its original SendingTime (OrigSendingTime 122).
    pub sent_at: TsNs,
    /// Length of its body, copied to the front of the caller's scratch.
    pub len: usize,
}

/// Walks the range of one ResendRequest over a [`ResendRing`]: the kept messages one by one,
/// each with the run of forgotten ones before it, then [`ResendCursor::tail_gap`]. The caller
/// sends between steps (the body is copied out, so the ring is not borrowed meanwhile) and may
/// stop early; the gap still open is then the tail gap.
#[derive(Clone, Copy, Debug)]
pub struct ResendCursor {
    next: u64,
    end: u64,
    gap_from: Option<u64>,
}

impl ResendCursor {
    /// The range `begin..=end` (`end` 0 or past `last_sent` means up to `last_sent`); `None`
    /// when it is empty or `begin` is 0. Numbers below `oldest_kept` are gap-filled without
    /// looking in the ring.
    pub fn new(begin: u64, end: u64, last_sent: u64, oldest_kept: u64) -> Option<ResendCursor> {
        let end = if end == 0 || end > last_sent {
            last_sent
        } else {
            end
        };
        if begin == 0 || begin > end {
            return None;
        }
        Some(ResendCursor {
            next: begin.max(oldest_kept),
            end,
            gap_from: (begin < oldest_kept).then_some(begin),
        })
    }

    /// The next message kept in `ring` that `keep` accepts, its body copied into `scratch`;
    /// the others on the way join the open gap. `None` at the end of the range.
    pub fn next_kept(
        &mut self,
        ring: &ResendRing,
        keep: impl Fn(&Stored<'_>) -> bool,
        scratch: &mut [u8; SLOT_BYTES],
    ) -> Option<Resend> {
        while self.next <= self.end {
            let seq = self.next;
            self.next += 1;
            match ring.get(seq).filter(|m| keep(m)) {
                Some(m) => {
                    scratch[..m.body.len()].copy_from_slice(m.body);
                    return Some(Resend {
                        gap_from: self.gap_from.take(),
                        seq,
                        msg_type: m.msg_type,
                        sent_at: m.sent_at,
                        len: m.body.len(),
                    });
                }
                None => {
                    self.gap_from.get_or_insert(seq);
                }
            }
        }
        None
    }

    /// The gap still open, as (MsgSeqNum of the SequenceReset-GapFill, NewSeqNo = end + 1).
    pub fn tail_gap(&self) -> Option<(u64, u64)> {
        self.gap_from.map(|g| (g, self.end + 1))
    }
}

/// The side answering a ResendRequest: its ring, its timestamp cache and its framing.
pub(super) trait ResendOut {
    /// The messages kept for resend.
    fn ring(&self) -> &ResendRing;
    /// The timestamp cache the gap fills' bodies are written with.
    fn stamps(&mut self) -> &mut StampCache;
    /// Frames `body` as message `seq` again, with OrigSendingTime `orig`.
    fn frame_again(&mut self, msg_type: &[u8], seq: u64, orig: TsNs, body: &[u8], now: TsNs);
    /// Whether to go on sending; `false` stops the walk (the open gap is still filled).
    fn open(&self) -> bool {
        true
    }

    /// SequenceReset-GapFill as message `seq`, NewSeqNo `new_seq`.
    fn gap_fill(&mut self, seq: u64, new_seq: u64, now: TsNs) {
        let mut scratch = [0u8; 64];
        let msg = FixMsg::SequenceReset {
            gap_fill: true,
            new_seq,
        };
        if let Some(body) = body_of(&msg, &mut scratch, self.stamps()) {
            self.frame_again(b"4", seq, now, body, now);
        }
    }
}

/// Walks `walk` to its end (or until `out` is no longer open): each kept message that `keep`
/// accepts is sent again after a gap fill of the run before it; the open gap is filled last.
pub(super) fn resend(
    out: &mut impl ResendOut,
    mut walk: ResendCursor,
    keep: impl Fn(&Stored<'_>) -> bool,
    now: TsNs,
) {
    let mut scratch = [0u8; SLOT_BYTES];
    while out.open() {
        let Some(r) = walk.next_kept(out.ring(), &keep, &mut scratch) else {
            break;
        };
        if let Some(g) = r.gap_from {
            out.gap_fill(g, r.seq, now);
        }
        out.frame_again(&[r.msg_type], r.seq, r.sent_at, &scratch[..r.len], now);
    }
    if let Some((g, new_seq)) = walk.tail_gap() {
        out.gap_fill(g, new_seq, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_with(seqs: &[u64]) -> ResendRing {
        let mut r = ResendRing::new(8);
        for &seq in seqs {
            r.put(
                seq,
                b'D',
                TsNs(seq as i64),
                format!("11={seq}\x01").as_bytes(),
            );
        }
        r
    }

    /// The cursor's whole walk as (gap before, seq, body) steps and the tail gap.
    type Walk = (Vec<(Option<u64>, u64, Vec<u8>)>, Option<(u64, u64)>);

    fn walk(ring: &ResendRing, mut c: ResendCursor, keep: impl Fn(&Stored<'_>) -> bool) -> Walk {
        let mut scratch = [0u8; SLOT_BYTES];
        let mut steps = Vec::new();
        while let Some(r) = c.next_kept(ring, &keep, &mut scratch) {
            assert_eq!((r.msg_type, r.sent_at), (b'D', TsNs(r.seq as i64)));
            steps.push((r.gap_from, r.seq, scratch[..r.len].to_vec()));
        }
        (steps, c.tail_gap())
    }

    #[test]
    fn resend_cursor_sends_kept_messages_and_gap_fills_the_runs_between() {
        let ring = ring_with(&[3, 4, 7]);
        let c = ResendCursor::new(2, 0, 9, 1).unwrap();
        let (steps, tail) = walk(&ring, c, |_| true);
        assert_eq!(
            steps,
            vec![
                (Some(2), 3, b"11=3\x01".to_vec()),
                (None, 4, b"11=4\x01".to_vec()),
                (Some(5), 7, b"11=7\x01".to_vec()),
            ]
        );
        assert_eq!(tail, Some((8, 10)));
    }

    #[test]
    fn resend_cursor_gap_fills_below_oldest_kept_and_what_keep_refuses() {
        let ring = ring_with(&[1, 2, 5, 6]);
        let c = ResendCursor::new(1, 6, 9, 3).unwrap();
        let (steps, tail) = walk(&ring, c, |m| m.sent_at != TsNs(6));
        assert_eq!(steps, vec![(Some(1), 5, b"11=5\x01".to_vec())]);
        assert_eq!(tail, Some((6, 7)));
    }

    #[test]
    fn resend_cursor_stopped_early_leaves_the_open_gap_as_tail() {
        let ring = ring_with(&[4]);
        let c = ResendCursor::new(1, 5, 5, 3).unwrap();
        assert_eq!(c.tail_gap(), Some((1, 6)));
        let (steps, tail) = walk(&ring, c, |_| true);
        assert_eq!(steps, vec![(Some(1), 4, b"11=4\x01".to_vec())]);
        assert_eq!(tail, Some((5, 6)));
    }

    #[test]
    fn resend_cursor_refuses_empty_ranges() {
        assert!(ResendCursor::new(0, 3, 5, 1).is_none());
        assert!(ResendCursor::new(4, 3, 5, 1).is_none());
        assert!(ResendCursor::new(6, 0, 5, 1).is_none());
        let c = ResendCursor::new(2, 99, 3, 1).unwrap();
        assert_eq!(walk(&ring_with(&[]), c, |_| true), (vec![], Some((2, 4))));
    }
}
