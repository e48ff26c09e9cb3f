//! The live quote feed wire format (XAQF v1): what `crossarb venue-sim` sends and the live feed
//! handlers ([`super::live`]) receive. Pure encoder and decoder over caller buffers: no
//! allocation, no I/O. Runs on the feed threads (decode) and the venue simulator (encode).
//!
//! # Frame (UDP: one frame per datagram)
//!
//! Little-endian, offsets in bytes:
//!
//! | off | size | field      | meaning                                                       |
//! |----:|-----:|------------|---------------------------------------------------------------|
//! |   0 |    4 | `magic`    | `b"XAQF"`                                                     |
//! |   4 |    2 | `version`  | 1                                                             |
//! |   6 |    2 | `count`    | number of quote records that follow, 1..=[`FRAME_QUOTES_MAX`] |
//! |   8 |    8 | `first_seq`| feed sequence number of the first record; record `i` is `first_seq + i` |
//! |  16 | 64×n | records    | `count` × 64-byte [`Quote`] (layout in [`crate::domain::Quote`]) |
//!
//! The frame length is exactly `16 + 64 × count`; anything else is an error. Sequence numbers
//! are per feed (one sender socket), start at 1 and increase by one per record: a frame whose
//! `first_seq` is not the expected next one is a gap (or a duplicate/reorder when lower), which
//! [`GapTracker`] reports. Record `seq` fields are the source's own per-instrument numbers and
//! are carried unchanged.
//!
//! # TCP stream
//!
//! The same frames, each prefixed by its length as a `u32` little-endian (the length counts the
//! frame only, not the prefix). [`StreamDecoder`] reassembles frames from arbitrary reads.

use crate::domain::Quote;

/// Frame magic.
pub const MAGIC: [u8; 4] = *b"XAQF";
/// Format version this module reads and writes.
pub const VERSION: u16 = 1;
/// Bytes of the frame header.
pub const HEADER_BYTES: usize = 16;
/// Bytes of one quote record.
pub const RECORD_BYTES: usize = 64;
/// Most records in one frame: keeps a frame within a 1472-byte Ethernet UDP payload.
pub const FRAME_QUOTES_MAX: usize = 22;
/// Largest frame.
pub const FRAME_BYTES_MAX: usize = HEADER_BYTES + FRAME_QUOTES_MAX * RECORD_BYTES;
/// Bytes of the TCP length prefix.
pub const PREFIX_BYTES: usize = 4;

const _: () = assert!(FRAME_BYTES_MAX <= 1472);
const _: () = assert!(core::mem::size_of::<Quote>() == RECORD_BYTES);

/// Why bytes are not a valid frame; every variant names the byte offset at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Fewer bytes than the header.
    #[error(
        "frame of {len} bytes: expected at least the {HEADER_BYTES}-byte header (offset {len})"
    )]
    ShortHeader {
        /// Bytes present.
        len: usize,
    },
    /// Magic is not `XAQF`.
    #[error("offset 0: expected magic \"XAQF\", found {found:02x?}")]
    BadMagic {
        /// The four bytes found.
        found: [u8; 4],
    },
    /// Unknown version.
    #[error("offset 4: expected version {VERSION}, found {found}")]
    BadVersion {
        /// Version found.
        found: u16,
    },
    /// `count` is 0 or above the maximum.
    #[error("offset 6: expected a record count in 1..={FRAME_QUOTES_MAX}, found {found}")]
    BadCount {
        /// Count found.
        found: u16,
    },
    /// Frame length does not match `16 + 64 × count`.
    #[error("offset {offset}: frame of {len} bytes, expected {expected} for its record count")]
    BadLength {
        /// Where the frame should have ended, or where it is cut.
        offset: usize,
        /// Bytes present.
        len: usize,
        /// Bytes the header announces.
        expected: usize,
    },
    /// A TCP length prefix outside `HEADER_BYTES + RECORD_BYTES ..= FRAME_BYTES_MAX`.
    #[error("stream offset {offset}: length prefix {found}, expected {min}..={FRAME_BYTES_MAX}", min = HEADER_BYTES + RECORD_BYTES)]
    BadPrefix {
        /// Stream offset of the prefix.
        offset: u64,
        /// Length announced.
        found: u32,
    },
}

/// A decoded frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// Records in the frame.
    pub count: u16,
    /// Feed sequence number of the first record.
    pub first_seq: u64,
}

/// Encodes `quotes` as one frame into `out`; returns its length. `None` when `quotes` is empty,
/// longer than [`FRAME_QUOTES_MAX`], or `out` is too small.
pub fn encode(quotes: &[Quote], first_seq: u64, out: &mut [u8]) -> Option<usize> {
    if quotes.is_empty() || quotes.len() > FRAME_QUOTES_MAX {
        return None;
    }
    let len = HEADER_BYTES + quotes.len() * RECORD_BYTES;
    let out = out.get_mut(..len)?;
    out[0..4].copy_from_slice(&MAGIC);
    out[4..6].copy_from_slice(&VERSION.to_le_bytes());
    out[6..8].copy_from_slice(&(quotes.len() as u16).to_le_bytes());
    out[8..16].copy_from_slice(&first_seq.to_le_bytes());
    for (i, q) in quotes.iter().enumerate() {
        let at = HEADER_BYTES + i * RECORD_BYTES;
        out[at..at + RECORD_BYTES].copy_from_slice(bytemuck::bytes_of(q));
    }
    Some(len)
}

/// Encodes one frame with its TCP length prefix; returns the bytes written.
pub fn encode_prefixed(quotes: &[Quote], first_seq: u64, out: &mut [u8]) -> Option<usize> {
    let n = encode(quotes, first_seq, out.get_mut(PREFIX_BYTES..)?)?;
    out[..PREFIX_BYTES].copy_from_slice(&(n as u32).to_le_bytes());
    Some(PREFIX_BYTES + n)
}

/// Checks a frame's header and length.
pub fn decode_header(frame: &[u8]) -> Result<FrameHeader, WireError> {
    if frame.len() < HEADER_BYTES {
        return Err(WireError::ShortHeader { len: frame.len() });
    }
    let magic = [frame[0], frame[1], frame[2], frame[3]];
    if magic != MAGIC {
        return Err(WireError::BadMagic { found: magic });
    }
    let version = u16::from_le_bytes([frame[4], frame[5]]);
    if version != VERSION {
        return Err(WireError::BadVersion { found: version });
    }
    let count = u16::from_le_bytes([frame[6], frame[7]]);
    if count == 0 || usize::from(count) > FRAME_QUOTES_MAX {
        return Err(WireError::BadCount { found: count });
    }
    let expected = HEADER_BYTES + usize::from(count) * RECORD_BYTES;
    if frame.len() != expected {
        return Err(WireError::BadLength {
            offset: frame.len().min(expected),
            len: frame.len(),
            expected,
        });
    }
    let mut seq = [0u8; 8];
    seq.copy_from_slice(&frame[8..16]);
    Ok(FrameHeader {
        count,
        first_seq: u64::from_le_bytes(seq),
    })
}

/// Decodes a whole frame, calling `each(feed_seq, quote)` per record after the frame checked
/// out (a bad frame delivers nothing).
pub fn decode(frame: &[u8], each: &mut impl FnMut(u64, Quote)) -> Result<FrameHeader, WireError> {
    let h = decode_header(frame)?;
    for i in 0..usize::from(h.count) {
        let at = HEADER_BYTES + i * RECORD_BYTES;
        let q: Quote = bytemuck::pod_read_unaligned(&frame[at..at + RECORD_BYTES]);
        each(h.first_seq.wrapping_add(i as u64), q);
    }
    Ok(h)
}

/// What a frame's sequence number says about the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqCheck {
    /// The first frame, or the expected next one.
    InOrder,
    /// Records `expected .. first_seq` never came.
    Gap {
        /// Next sequence expected.
        expected: u64,
        /// Records missing.
        missing: u64,
    },
    /// Every record was seen before (duplicate or late reordered datagram): skip it.
    Stale,
}

/// Per-feed sequence tracking (one per sender).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GapTracker {
    next: u64,
    /// Frames that opened a gap.
    pub gaps: u64,
    /// Records lost in gaps.
    pub missing: u64,
    /// Frames dropped as stale.
    pub stale: u64,
}

impl GapTracker {
    /// Checks a frame and advances past it (unless stale).
    pub fn check(&mut self, h: FrameHeader) -> SeqCheck {
        let end = h.first_seq.wrapping_add(u64::from(h.count));
        if self.next == 0 || h.first_seq == self.next {
            self.next = end;
            return SeqCheck::InOrder;
        }
        if h.first_seq < self.next {
            if end > self.next {
                // Overlaps what we have: take it as in order from here (the overlap repeats).
                self.next = end;
                return SeqCheck::InOrder;
            }
            self.stale += 1;
            return SeqCheck::Stale;
        }
        let missing = h.first_seq - self.next;
        let expected = self.next;
        self.gaps += 1;
        self.missing += missing;
        self.next = end;
        SeqCheck::Gap { expected, missing }
    }

    /// The next sequence number expected (0 before the first frame).
    pub fn next_expected(&self) -> u64 {
        self.next
    }
}

/// Reassembles length-prefixed frames from a TCP byte stream into a fixed buffer.
#[derive(Debug)]
pub struct StreamDecoder {
    buf: [u8; PREFIX_BYTES + FRAME_BYTES_MAX],
    len: usize,
    /// Stream offset of `buf[0]`.
    offset: u64,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder {
            buf: [0; PREFIX_BYTES + FRAME_BYTES_MAX],
            len: 0,
            offset: 0,
        }
    }
}

impl StreamDecoder {
    /// Room for the next read (never empty while no error occurred).
    pub fn spare(&mut self) -> &mut [u8] {
        &mut self.buf[self.len..]
    }

    /// `n` bytes were read into [`Self::spare`].
    pub fn filled(&mut self, n: usize) {
        self.len = (self.len + n).min(self.buf.len());
    }

    /// Takes the next complete frame, if any: calls `each` per record and returns its header.
    /// An error means the stream cannot be resynchronised: close the connection.
    pub fn next_frame(
        &mut self,
        each: &mut impl FnMut(u64, Quote),
    ) -> Result<Option<FrameHeader>, WireError> {
        if self.len < PREFIX_BYTES {
            return Ok(None);
        }
        let n = u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        let size = n as usize;
        if !(HEADER_BYTES + RECORD_BYTES..=FRAME_BYTES_MAX).contains(&size) {
            return Err(WireError::BadPrefix {
                offset: self.offset,
                found: n,
            });
        }
        let total = PREFIX_BYTES + size;
        if self.len < total {
            return Ok(None);
        }
        let h = decode(&self.buf[PREFIX_BYTES..total], each)
            .map_err(|e| shift_offset(e, self.offset as usize + PREFIX_BYTES))?;
        self.buf.copy_within(total..self.len, 0);
        self.len -= total;
        self.offset += total as u64;
        Ok(Some(h))
    }
}

/// Rebases a frame-relative error offset onto the stream.
fn shift_offset(e: WireError, base: usize) -> WireError {
    match e {
        WireError::BadLength {
            offset,
            len,
            expected,
        } => WireError::BadLength {
            offset: offset + base,
            len,
            expected,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{InstrumentId, Px, Qty, TsNs, VenueId};

    fn q(i: i64) -> Quote {
        Quote {
            ts_exchange: TsNs(i),
            ts_recv: TsNs(i + 1),
            seq: i as u64,
            bid_px: Px(100 + i),
            ask_px: Px(101 + i),
            bid_qty: Qty(3),
            ask_qty: Qty(4),
            venue: VenueId(1),
            instrument: InstrumentId(2),
            flags: 0,
        }
    }

    #[test]
    fn a_frame_round_trips_with_its_sequence_numbers() {
        let quotes = [q(1), q(2), q(3)];
        let mut buf = [0u8; FRAME_BYTES_MAX];
        let n = encode(&quotes, 41, &mut buf).unwrap();
        assert_eq!(n, 16 + 3 * 64);
        assert_eq!(&buf[0..4], b"XAQF");
        assert_eq!(&buf[4..6], &1u16.to_le_bytes());
        assert_eq!(&buf[6..8], &3u16.to_le_bytes());
        assert_eq!(&buf[8..16], &41u64.to_le_bytes());
        let mut got = Vec::new();
        decode(&buf[..n], &mut |s, q| got.push((s, q))).unwrap();
        assert_eq!(got, vec![(41, q(1)), (42, q(2)), (43, q(3))]);
    }

    #[test]
    fn a_cut_frame_names_the_offset_where_it_ends() {
        let mut buf = [0u8; FRAME_BYTES_MAX];
        let n = encode(&[q(1), q(2)], 1, &mut buf).unwrap();
        let e = decode_header(&buf[..n - 5]).unwrap_err();
        assert_eq!(
            e,
            WireError::BadLength {
                offset: n - 5,
                len: n - 5,
                expected: n
            }
        );
        buf[4] = 2;
        assert_eq!(
            decode_header(&buf[..n]),
            Err(WireError::BadVersion { found: 2 })
        );
    }

    #[test]
    fn the_gap_tracker_reports_missing_records_and_skips_stale_frames() {
        let h = |first_seq, count| FrameHeader { count, first_seq };
        let mut g = GapTracker::default();
        assert_eq!(g.check(h(1, 2)), SeqCheck::InOrder);
        assert_eq!(g.check(h(3, 1)), SeqCheck::InOrder);
        assert_eq!(
            g.check(h(7, 1)),
            SeqCheck::Gap {
                expected: 4,
                missing: 3
            }
        );
        assert_eq!(g.check(h(5, 1)), SeqCheck::Stale);
        assert_eq!((g.gaps, g.missing, g.stale), (1, 3, 1));
        assert_eq!(g.next_expected(), 8);
    }

    #[test]
    fn the_stream_decoder_reassembles_frames_split_anywhere() {
        let mut wire = Vec::new();
        let mut buf = [0u8; PREFIX_BYTES + FRAME_BYTES_MAX];
        for s in 0..3u64 {
            let n = encode_prefixed(&[q(s as i64)], s + 1, &mut buf).unwrap();
            wire.extend_from_slice(&buf[..n]);
        }
        let mut d = StreamDecoder::default();
        let mut got = Vec::new();
        for chunk in wire.chunks(7) {
            d.spare()[..chunk.len()].copy_from_slice(chunk);
            d.filled(chunk.len());
            while let Some(_h) = d.next_frame(&mut |s, q| got.push((s, q.bid_px))).unwrap() {}
        }
        assert_eq!(got, vec![(1, Px(100)), (2, Px(101)), (3, Px(102))]);
    }

    #[test]
    fn a_bad_prefix_names_its_stream_offset() {
        let mut d = StreamDecoder::default();
        let mut buf = [0u8; PREFIX_BYTES + FRAME_BYTES_MAX];
        let n = encode_prefixed(&[q(1)], 1, &mut buf).unwrap();
        d.spare()[..n].copy_from_slice(&buf[..n]);
        d.filled(n);
        d.spare()[..4].copy_from_slice(&9u32.to_le_bytes());
        d.filled(4);
        assert!(d.next_frame(&mut |_, _| {}).unwrap().is_some());
        assert_eq!(
            d.next_frame(&mut |_, _| {}),
            Err(WireError::BadPrefix {
                offset: n as u64,
                found: 9
            })
        );
    }
}
