//! FIX 4.4 tag=value encoder: writes one message into a caller's byte buffer with no allocation.
//!
//! [`Fields`] appends `tag=value<SOH>` fields to a slice (a message body, or the app fields the
//! resend store keeps). [`Encoder`] frames a message: `8=FIX.4.4 9=BodyLength 35 49 56 34 [43 52
//! 122] body 10=CheckSum`. The body is written after a gap sized for a 3-digit BodyLength (the
//! common case: bodies of 100–999 bytes); `finish` writes the header in front of it, moving the
//! body only when the length has another digit count, then sums the frame once for CheckSum.
//! Each field is one bounds check and digits are written two at a time; UTCTimestamps come from
//! a [`StampCache`] (the caller's, via [`Encoder::with_stamps`], or one per message).
//! Time is never read here: SendingTime comes from the caller. Runs on the gateway thread.
//! `benches/fix.rs` measures it (encode_new_order_single).

use super::stamp::StampCache;
use super::text::{digit_count, put_2digits, put_digits, write_decimal, TIMESTAMP_LEN};
use crate::domain::TsNs;
use crate::feed::decimal::Decimal;

/// The field separator.
pub const SOH: u8 = 0x01;
/// The only BeginString spoken.
pub const BEGIN_STRING: &[u8] = b"FIX.4.4";
/// Largest BodyLength accepted or produced (bounded so a bad length cannot stall a stream).
pub const BODY_LEN_MAX: usize = 65_536;
/// Bytes of the trailer `10=NNN<SOH>`.
pub const TRAILER_LEN: usize = 7;

const PREFIX: &[u8] = b"8=FIX.4.4\x019=";
/// Where the body starts while it is written: prefix, 3 length digits, SOH.
pub(super) const GAP: usize = PREFIX.len() + 4;
/// Room a message must leave for its header: prefix, up to 6 length digits, SOH. Capacity
/// checks use it so that whether a message fits does not depend on its BodyLength's digits.
pub(super) const RESERVE: usize = PREFIX.len() + 7;

/// Why a message could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The buffer is too small for the message.
    #[error("FIX encode: message does not fit the {capacity}-byte buffer")]
    BufferFull {
        /// Size of the buffer given.
        capacity: usize,
    },
    /// A value is empty, contains SOH, or (timestamps) is outside years 0000–9999.
    #[error("FIX encode: tag {tag}: expected a non-empty value without SOH")]
    BadValue {
        /// The offending tag.
        tag: u32,
    },
    /// The body is longer than [`BODY_LEN_MAX`].
    #[error("FIX encode: body longer than {BODY_LEN_MAX} bytes")]
    BodyTooLong,
}

/// The timestamp cache a [`Fields`] writes through: its own, or its caller's.
#[derive(Debug)]
enum Stamps<'a> {
    Own(StampCache),
    Shared(&'a mut StampCache),
}

/// Appends fields to a byte slice. Errors are sticky: the first one is reported by
/// [`Fields::finish`], later writes are ignored.
#[derive(Debug)]
pub struct Fields<'a> {
    buf: &'a mut [u8],
    pos: usize,
    /// Writes stop here (`buf.len()`, less the header room inside an [`Encoder`]).
    limit: usize,
    err: Option<EncodeError>,
    stamps: Stamps<'a>,
}

impl<'a> Fields<'a> {
    /// Fields written from the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Fields<'a> {
        let limit = buf.len();
        Fields::at(buf, 0, limit, Stamps::Own(StampCache::new()))
    }

    /// Fields written from the start of `buf`, timestamps through the caller's `stamps`.
    pub fn with_stamps(buf: &'a mut [u8], stamps: &'a mut StampCache) -> Fields<'a> {
        let limit = buf.len();
        Fields::at(buf, 0, limit, Stamps::Shared(stamps))
    }

    fn at(buf: &'a mut [u8], pos: usize, limit: usize, stamps: Stamps<'a>) -> Fields<'a> {
        let err = (pos > limit).then_some(EncodeError::BufferFull {
            capacity: buf.len(),
        });
        Fields {
            buf,
            pos,
            limit,
            err,
            stamps,
        }
    }

    #[cold]
    fn full(&mut self) {
        self.err = Some(EncodeError::BufferFull {
            capacity: self.buf.len(),
        });
    }

    #[cold]
    fn bad(&mut self, tag: u32) {
        self.err.get_or_insert(EncodeError::BadValue { tag });
    }

    /// Appends bytes as they are (pre-encoded fields; they must end with SOH).
    pub fn raw(&mut self, bytes: &[u8]) {
        if self.err.is_some() {
            return;
        }
        let end = self.pos + bytes.len();
        if end > self.limit {
            return self.full();
        }
        self.buf[self.pos..end].copy_from_slice(bytes);
        self.pos = end;
    }

    /// Reserves one whole field, `tag=` + `len` value bytes + SOH, with one bounds check;
    /// writes all but the value and returns the value's bytes to fill.
    #[inline]
    fn slot(&mut self, tag: u32, len: usize) -> Option<&mut [u8]> {
        if self.err.is_some() {
            return None;
        }
        let tag_len = digit_count(u64::from(tag));
        let total = tag_len + len + 2;
        let end = self.pos + total;
        if end > self.limit {
            self.full();
            return None;
        }
        let dst = &mut self.buf[self.pos..end];
        self.pos = end;
        put_tag(tag, &mut dst[..tag_len]);
        dst[tag_len] = b'=';
        dst[total - 1] = SOH;
        Some(&mut dst[tag_len + 1..total - 1])
    }

    /// `tag=value` for a byte string (must be non-empty and free of SOH).
    // callgrind on benches/fix.rs: `contains` calls memchr, ~27 instructions per short value.
    #[allow(clippy::manual_contains)]
    pub fn bytes(&mut self, tag: u32, v: &[u8]) {
        // A plain loop: values are a few bytes, shorter than a memchr call's set-up.
        if v.is_empty() || v.iter().any(|&b| b == SOH) {
            return self.bad(tag);
        }
        if let Some(dst) = self.slot(tag, v.len()) {
            dst.copy_from_slice(v);
        }
    }

    /// `tag=c` for a one-character value.
    pub fn byte(&mut self, tag: u32, c: u8) {
        if c == SOH {
            return self.bad(tag);
        }
        if let Some(dst) = self.slot(tag, 1) {
            dst[0] = c;
        }
    }

    /// `tag=v` in decimal.
    pub fn uint(&mut self, tag: u32, v: u64) {
        if let Some(dst) = self.slot(tag, digit_count(v)) {
            put_digits(v, dst);
        }
    }

    /// `tag=v` in decimal, `-` for negatives.
    pub fn int(&mut self, tag: u32, v: i64) {
        let abs = v.unsigned_abs();
        let neg = usize::from(v < 0);
        if let Some(dst) = self.slot(tag, neg + digit_count(abs)) {
            dst[0] = b'-';
            put_digits(abs, &mut dst[neg..]);
        }
    }

    /// `tag=v` exactly as the decimal is scaled (`{40695, 1}` → `4069.5`).
    pub fn decimal(&mut self, tag: u32, v: Decimal) {
        let mut d = [0u8; 48];
        match write_decimal(v, &mut d) {
            Some(n) => self.bytes(tag, &d[..n]),
            None => self.bad(tag),
        }
    }

    /// `tag=YYYYMMDD-HH:MM:SS.sss` (UTC).
    pub fn time(&mut self, tag: u32, t: TsNs) {
        let mut d = [0u8; TIMESTAMP_LEN];
        let stamps = match &mut self.stamps {
            Stamps::Own(c) => c,
            Stamps::Shared(c) => &mut **c,
        };
        match stamps.write(t, &mut d) {
            Some(()) => {
                if let Some(dst) = self.slot(tag, TIMESTAMP_LEN) {
                    dst.copy_from_slice(&d);
                }
            }
            None => self.bad(tag),
        }
    }

    /// `tag=Y` or `tag=N`.
    pub fn flag(&mut self, tag: u32, v: bool) {
        self.byte(tag, if v { b'Y' } else { b'N' });
    }

    /// The bytes written so far, or the first error.
    pub fn finish(self) -> Result<&'a [u8], EncodeError> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(&self.buf[..self.pos]),
        }
    }
}

/// The standard header of one outgoing message.
#[derive(Clone, Copy, Debug)]
pub struct Header<'h> {
    /// MsgType (35), e.g. `b"D"`.
    pub msg_type: &'h [u8],
    /// SenderCompID (49).
    pub sender: &'h [u8],
    /// TargetCompID (56).
    pub target: &'h [u8],
    /// MsgSeqNum (34).
    pub seq: u64,
    /// SendingTime (52).
    pub sending_time: TsNs,
    /// `Some(original SendingTime)` for a resend: adds PossDupFlag 43=Y and OrigSendingTime 122.
    pub orig_sending_time: Option<TsNs>,
}

/// Frames one message in a caller's buffer: header first, then body fields through
/// [`Encoder::fields`], then [`Encoder::finish`].
#[derive(Debug)]
pub struct Encoder<'a> {
    fields: Fields<'a>,
}

impl<'a> Encoder<'a> {
    /// Starts a message with `h` in `buf`; timestamps are formatted from scratch.
    pub fn new(buf: &'a mut [u8], h: &Header<'_>) -> Encoder<'a> {
        Encoder::start(buf, h, Stamps::Own(StampCache::new()))
    }

    /// Starts a message with `h` in `buf`, timestamps through the caller's `stamps` (one cache
    /// per encoding thread makes SendingTime a 21-byte copy within a second).
    pub fn with_stamps(
        buf: &'a mut [u8],
        h: &Header<'_>,
        stamps: &'a mut StampCache,
    ) -> Encoder<'a> {
        Encoder::start(buf, h, Stamps::Shared(stamps))
    }

    fn start(buf: &'a mut [u8], h: &Header<'_>, stamps: Stamps<'a>) -> Encoder<'a> {
        // Writing at GAP but stopping RESERVE - GAP bytes short of the end keeps every
        // capacity decision as if RESERVE bytes had been set aside for the header.
        let limit = buf.len().saturating_sub(RESERVE - GAP);
        let mut f = Fields::at(buf, GAP, limit, stamps);
        f.bytes(35, h.msg_type);
        f.bytes(49, h.sender);
        f.bytes(56, h.target);
        f.uint(34, h.seq);
        if h.orig_sending_time.is_some() {
            f.flag(43, true);
        }
        f.time(52, h.sending_time);
        if let Some(t) = h.orig_sending_time {
            f.time(122, t);
        }
        Encoder { fields: f }
    }

    /// The body writer.
    pub fn fields(&mut self) -> &mut Fields<'a> {
        &mut self.fields
    }

    /// Writes BodyLength and CheckSum; the frame is the returned prefix of the buffer.
    pub fn finish(self) -> Result<&'a [u8], EncodeError> {
        let Fields { buf, pos, err, .. } = self.fields;
        if let Some(e) = err {
            return Err(e);
        }
        let (len, _) = close_frame(buf, pos)?;
        Ok(&buf[..len])
    }
}

/// Frames a message whose header and body fields (from MsgType on) were written at
/// `buf[GAP..pos]`: writes BeginString and BodyLength in front of them (moving them when the
/// length has other than 3 digits), then CheckSum after. Returns the frame length (the frame
/// is `buf[..len]`) and the signed shift the fields moved by.
pub(super) fn close_frame(buf: &mut [u8], pos: usize) -> Result<(usize, isize), EncodeError> {
    let body_len = pos - GAP;
    if body_len > BODY_LEN_MAX {
        return Err(EncodeError::BodyTooLong);
    }
    if RESERVE + body_len + TRAILER_LEN > buf.len() {
        return Err(EncodeError::BufferFull {
            capacity: buf.len(),
        });
    }
    let digits = digit_count(body_len as u64);
    let head = PREFIX.len() + digits + 1;
    if head != GAP {
        buf.copy_within(GAP..pos, head);
    }
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    put_digits(body_len as u64, &mut buf[PREFIX.len()..head - 1]);
    buf[head - 1] = SOH;
    let end = head + body_len;
    let sum = checksum(&buf[..end]);
    let t = &mut buf[end..end + TRAILER_LEN];
    t[..3].copy_from_slice(b"10=");
    t[3] = b'0' + sum / 100;
    t[4] = b'0' + sum / 10 % 10;
    t[5] = b'0' + sum % 10;
    t[6] = SOH;
    Ok((end + TRAILER_LEN, head as isize - GAP as isize))
}

/// Writes `tag` filling `out` (its exact digit count): tags have 1–4 digits but for rare ones.
#[inline]
fn put_tag(tag: u32, out: &mut [u8]) {
    match *out {
        [ref mut a] => *a = b'0' + tag as u8,
        [_, _] => put_2digits(tag, out),
        [ref mut a, _, _] => {
            *a = b'0' + (tag / 100) as u8;
            put_2digits(tag % 100, &mut out[1..]);
        }
        _ => put_digits(u64::from(tag), out),
    }
}

/// FIX CheckSum: the byte sum modulo 256.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u64) -> Header<'static> {
        Header {
            msg_type: b"0",
            sender: b"CLIENT",
            target: b"BROKER",
            seq,
            sending_time: TsNs(1_719_878_281_218_218_853),
            orig_sending_time: None,
        }
    }

    #[test]
    fn heartbeat_frames_with_exact_length_and_checksum() {
        let mut buf = [0u8; 256];
        let frame = Encoder::new(&mut buf, &header(7)).finish().unwrap();
        let body = b"35=0\x0149=CLIENT\x0156=BROKER\x0134=7\x0152=20240701-23:58:01.218\x01";
        let mut want = format!("8=FIX.4.4\x019={}\x01", body.len()).into_bytes();
        want.extend_from_slice(body);
        let sum: u32 = want.iter().map(|&b| u32::from(b)).sum();
        want.extend_from_slice(format!("10={:03}\x01", sum % 256).as_bytes());
        assert_eq!(frame, &want[..]);
    }

    #[test]
    fn tags_and_integers_of_every_width_are_written_exactly() {
        let mut buf = [0u8; 256];
        let mut f = Fields::new(&mut buf);
        let mut want = String::new();
        for (tag, v) in [
            (1, 0),
            (12, 9),
            (123, 10),
            (1234, 99),
            (12_345, 100),
            (u32::MAX, 1),
        ] {
            f.uint(tag, v);
            want.push_str(&format!("{tag}={v}\x01"));
        }
        f.int(9, i64::MIN);
        f.uint(10, u64::MAX);
        want.push_str(&format!("9={}\x0110={}\x01", i64::MIN, u64::MAX));
        assert_eq!(f.finish().unwrap(), want.as_bytes());
    }

    #[test]
    fn too_small_buffers_and_bad_values_are_errors() {
        let mut buf = [0u8; 40];
        assert_eq!(
            Encoder::new(&mut buf, &header(1)).finish(),
            Err(EncodeError::BufferFull { capacity: 40 })
        );
        let mut buf = [0u8; 256];
        let mut e = Encoder::new(&mut buf, &header(1));
        e.fields().bytes(58, b"a\x01b");
        assert_eq!(e.finish(), Err(EncodeError::BadValue { tag: 58 }));
        let mut buf = [0u8; 256];
        let mut f = Fields::new(&mut buf);
        f.int(31, -42);
        f.int(32, 0);
        assert_eq!(f.finish().unwrap(), b"31=-42\x0132=0\x01");
    }
}
