//! Byte layout of the receipt log, version 1 (documented in [`crate::receipt`]): constants,
//! segment file names, the segment header, and record encode/decode. Pure functions over byte
//! slices, no I/O; the writer runs [`encode_record`] on its thread for every receipt, the reader
//! and printers run the decoders on a cold thread.

use crate::domain::{Px, Qty, TsNs};

use super::event::{Event, Kind, Payload};

/// First 8 bytes of every segment file.
pub const MAGIC: [u8; 8] = *b"XARBRCP\0";
/// Format version this code writes and reads.
pub const VERSION: u16 = 1;
/// Length of a version-1 segment header, CRC included.
pub const HEADER_LEN: usize = 48;
/// Bytes before the payload: length, kind, flags, sequence, timestamp.
pub const RECORD_HEAD_LEN: usize = 24;
/// Bytes of the CRC32 that ends a record.
pub const RECORD_CRC_LEN: usize = 4;
/// Payload bytes of every kind in [`Kind::ALL`].
pub const PAYLOAD_LEN: usize = 64;
/// Length of a record of a known kind: 24 + 64 + 4.
pub const RECORD_LEN: usize = RECORD_HEAD_LEN + PAYLOAD_LEN + RECORD_CRC_LEN;
/// Smallest legal record (empty payload).
pub const RECORD_LEN_MIN: usize = RECORD_HEAD_LEN + RECORD_CRC_LEN;
/// Largest legal record: bounds what a reader buffers for a kind it does not know.
pub const RECORD_LEN_MAX: usize = 4096;

const _: () = assert!(RECORD_LEN == 92);
const _: () = assert!(core::mem::size_of::<Payload>() == PAYLOAD_LEN);

/// File name of segment `index` (1-based): `receipts-000001.xrl`. Six digits keep names sorted
/// up to 999,999 segments; past that the name grows and [`parse_segment_name`] still reads it.
pub fn segment_name(index: u32) -> String {
    format!("receipts-{index:06}.xrl")
}

/// The segment index in a file name made by [`segment_name`], or `None` for any other name.
pub fn parse_segment_name(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("receipts-")?.strip_suffix(".xrl")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The fixed header at the start of every segment file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Hash of the effective config the run used.
    pub config_hash: u64,
    /// Start of the run (simulated time in replay), UTC ns; the same in every segment of a run.
    pub start_ts: TsNs,
    /// 1-based index of this segment within the run.
    pub segment_index: u32,
    /// Sequence number the first record of this segment carries.
    pub first_seq: u64,
}

/// Why a header could not be decoded; the reader adds file and offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderFault {
    /// Fewer than [`HEADER_LEN`] bytes.
    Short,
    /// Bytes 0..8 are not [`MAGIC`]: not a receipt file.
    Magic,
    /// Bytes 44..48 do not match the CRC32 of bytes 0..44.
    Crc,
    /// Bytes 8..10: a version this reader does not know.
    Version(u16),
    /// Bytes 10..12: a header length other than [`HEADER_LEN`].
    Len(u16),
    /// Bytes 12..16 are not zero.
    Reserved,
}

impl SegmentHeader {
    /// The 48 header bytes, CRC included.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(&MAGIC);
        h[8..10].copy_from_slice(&VERSION.to_le_bytes());
        h[10..12].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        // 12..16 reserved, zero.
        h[16..24].copy_from_slice(&self.config_hash.to_le_bytes());
        h[24..32].copy_from_slice(&self.start_ts.0.to_le_bytes());
        h[32..36].copy_from_slice(&self.segment_index.to_le_bytes());
        h[36..44].copy_from_slice(&self.first_seq.to_le_bytes());
        let crc = crc32fast::hash(&h[..44]);
        h[44..48].copy_from_slice(&crc.to_le_bytes());
        h
    }

    /// Decodes and checks a header. The checks run in the order that makes the answer most
    /// useful: a file that is not ours says "magic" even when it is short.
    pub fn decode(b: &[u8]) -> Result<SegmentHeader, (HeaderFault, usize)> {
        let magic_len = b.len().min(8);
        if b[..magic_len] != MAGIC[..magic_len] {
            return Err((HeaderFault::Magic, 0));
        }
        if b.len() < HEADER_LEN {
            return Err((HeaderFault::Short, b.len()));
        }
        let crc = u32::from_le_bytes(arr(&b[44..48]));
        if crc != crc32fast::hash(&b[..44]) {
            return Err((HeaderFault::Crc, 44));
        }
        let version = u16::from_le_bytes(arr(&b[8..10]));
        if version != VERSION {
            return Err((HeaderFault::Version(version), 8));
        }
        let len = u16::from_le_bytes(arr(&b[10..12]));
        if len as usize != HEADER_LEN {
            return Err((HeaderFault::Len(len), 10));
        }
        if b[12..16] != [0; 4] {
            return Err((HeaderFault::Reserved, 12));
        }
        Ok(SegmentHeader {
            config_hash: u64::from_le_bytes(arr(&b[16..24])),
            start_ts: TsNs(i64::from_le_bytes(arr(&b[24..32]))),
            segment_index: u32::from_le_bytes(arr(&b[32..36])),
            first_seq: u64::from_le_bytes(arr(&b[36..44])),
        })
    }
}

/// Encodes one record of a known kind into `out` (exactly [`RECORD_LEN`] bytes). Field by field
/// rather than a byte cast of [`Payload`] so the file stays little-endian on any host.
pub fn encode_record(out: &mut [u8; RECORD_LEN], seq: u64, ev: &Event) {
    out[0..4].copy_from_slice(&(RECORD_LEN as u32).to_le_bytes());
    out[4..6].copy_from_slice(&(ev.kind as u16).to_le_bytes());
    out[6..8].copy_from_slice(&0u16.to_le_bytes());
    out[8..16].copy_from_slice(&seq.to_le_bytes());
    out[16..24].copy_from_slice(&ev.ts.to_le_bytes());
    let p = &ev.payload;
    let o = &mut out[RECORD_HEAD_LEN..RECORD_HEAD_LEN + PAYLOAD_LEN];
    o[0..4].copy_from_slice(&p.ticket.to_le_bytes());
    o[4..8].copy_from_slice(&p.order.to_le_bytes());
    o[8..16].copy_from_slice(&p.px.0.to_le_bytes());
    o[16..24].copy_from_slice(&p.qty.0.to_le_bytes());
    o[24..32].copy_from_slice(&p.a.to_le_bytes());
    o[32..40].copy_from_slice(&p.b.to_le_bytes());
    o[40..48].copy_from_slice(&p.c.to_le_bytes());
    o[48..50].copy_from_slice(&p.instrument.to_le_bytes());
    o[50] = p.leg;
    o[51] = p.side;
    o[52..54].copy_from_slice(&p.code.to_le_bytes());
    o[54..56].copy_from_slice(&p.code2.to_le_bytes());
    o[56..64].copy_from_slice(&p.ts_aux.to_le_bytes());
    let crc = crc32fast::hash(&out[..RECORD_LEN - RECORD_CRC_LEN]);
    out[RECORD_LEN - RECORD_CRC_LEN..].copy_from_slice(&crc.to_le_bytes());
}

/// Decodes a payload from its 64 little-endian bytes.
pub fn decode_payload(o: &[u8; PAYLOAD_LEN]) -> Payload {
    Payload {
        ticket: u32::from_le_bytes(arr(&o[0..4])),
        order: u32::from_le_bytes(arr(&o[4..8])),
        px: Px(i64::from_le_bytes(arr(&o[8..16]))),
        qty: Qty(i64::from_le_bytes(arr(&o[16..24]))),
        a: i64::from_le_bytes(arr(&o[24..32])),
        b: i64::from_le_bytes(arr(&o[32..40])),
        c: i64::from_le_bytes(arr(&o[40..48])),
        instrument: u16::from_le_bytes(arr(&o[48..50])),
        leg: o[50],
        side: o[51],
        code: u16::from_le_bytes(arr(&o[52..54])),
        code2: u16::from_le_bytes(arr(&o[54..56])),
        ts_aux: i64::from_le_bytes(arr(&o[56..64])),
    }
}

/// The fixed fields at the start of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHead {
    /// Whole record length, CRC included.
    pub len: u32,
    /// Raw kind.
    pub kind: u16,
    /// Flags (0 in version 1).
    pub flags: u16,
    /// Sequence number.
    pub seq: u64,
    /// Event time, UTC ns.
    pub ts: i64,
}

/// Decodes the first [`RECORD_HEAD_LEN`] bytes of a record (no checks).
pub fn decode_head(b: &[u8; RECORD_HEAD_LEN]) -> RecordHead {
    RecordHead {
        len: u32::from_le_bytes(arr(&b[0..4])),
        kind: u16::from_le_bytes(arr(&b[4..6])),
        flags: u16::from_le_bytes(arr(&b[6..8])),
        seq: u64::from_le_bytes(arr(&b[8..16])),
        ts: i64::from_le_bytes(arr(&b[16..24])),
    }
}

/// Checks length, kind and flags of a record head before its body is read, so that a damaged
/// length is reported as corruption rather than as a torn tail. `Err` names what is wrong.
pub fn check_head(h: &RecordHead) -> Result<(), &'static str> {
    if h.kind == 0 {
        return Err("kind 0 is never written");
    }
    if h.flags != 0 {
        return Err("flags must be 0 in format version 1");
    }
    let len = h.len as usize;
    if Kind::from_u16(h.kind).is_some() {
        if len != RECORD_LEN {
            return Err("length of a known kind must be 92");
        }
    } else if !(RECORD_LEN_MIN..=RECORD_LEN_MAX).contains(&len) {
        return Err("length outside 28..=4096");
    }
    Ok(())
}

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(b);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_sort_and_parse_back() {
        assert_eq!(segment_name(1), "receipts-000001.xrl");
        assert!(segment_name(9) < segment_name(10));
        assert_eq!(parse_segment_name("receipts-000042.xrl"), Some(42));
        assert_eq!(parse_segment_name("receipts-1.xrl"), None);
        assert_eq!(parse_segment_name("receipts-000001.xrl.bak"), None);
    }

    #[test]
    fn header_round_trips_and_rejects_a_bad_crc() {
        let h = SegmentHeader {
            config_hash: 0xdead_beef_0123_4567,
            start_ts: TsNs(1_700_000_000_000_000_000),
            segment_index: 3,
            first_seq: 1001,
        };
        let mut b = h.encode();
        assert_eq!(SegmentHeader::decode(&b), Ok(h));
        b[20] ^= 1;
        assert_eq!(SegmentHeader::decode(&b), Err((HeaderFault::Crc, 44)));
        assert_eq!(
            SegmentHeader::decode(b"XARB"),
            Err((HeaderFault::Short, 4)),
            "a prefix of the magic is a cut header"
        );
        assert_eq!(
            SegmentHeader::decode(b"hello"),
            Err((HeaderFault::Magic, 0))
        );
    }

    #[test]
    fn record_payload_is_little_endian_at_documented_offsets() {
        let ev = Event {
            kind: Kind::Fill,
            ts: 0x0102_0304_0506_0708,
            payload: Payload {
                ticket: 7,
                px: Px(-2),
                leg: 1,
                side: 2,
                code: 0x0a0b,
                ..Payload::default()
            },
        };
        let mut b = [0u8; RECORD_LEN];
        encode_record(&mut b, 5, &ev);
        assert_eq!(&b[0..4], &[92, 0, 0, 0]);
        assert_eq!(&b[4..6], &[10, 0]);
        assert_eq!(&b[8..16], &[5, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(b[16], 0x08);
        assert_eq!(&b[24..28], &[7, 0, 0, 0]);
        assert_eq!(
            &b[32..40],
            &[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!((b[74], b[75]), (1, 2));
        assert_eq!(&b[76..78], &[0x0b, 0x0a]);
        let mut p = [0u8; PAYLOAD_LEN];
        p.copy_from_slice(&b[24..88]);
        assert_eq!(decode_payload(&p), ev.payload);
        let crc = crc32fast::hash(&b[..88]);
        assert_eq!(&b[88..92], &crc.to_le_bytes());
    }
}
