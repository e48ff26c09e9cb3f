//! FIX 4.4 tag=value encoder: writes one message into a caller's byte buffer with no allocation.
//!
//! [`Fields`] appends `tag=value<SOH>` fields to a slice (a message body, or the app fields the
//! resend store keeps). [`Encoder`] frames a message: `8=FIX.4.4 9=BodyLength 35 49 56 34 [43 52
//! 122] body 10=CheckSum`. The body is written after a gap reserved for the longest BodyLength;
//! `finish` then writes the exact header in front of it and moves the frame to the buffer start.
//! Time is never read here: SendingTime comes from the caller. Runs on the gateway thread.

use super::text::{u64_digits, write_decimal, write_timestamp, TIMESTAMP_LEN, U64_DIGITS_MAX};
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
/// Room reserved in front of the body: prefix, up to 6 length digits, SOH.
const RESERVE: usize = PREFIX.len() + 7;

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

/// Appends fields to a byte slice. Errors are sticky: the first one is reported by
/// [`Fields::finish`], later writes are ignored.
#[derive(Debug)]
pub struct Fields<'a> {
    buf: &'a mut [u8],
    pos: usize,
    err: Option<EncodeError>,
}

impl<'a> Fields<'a> {
    /// Fields written from the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Fields<'a> {
        Fields::at(buf, 0)
    }

    fn at(buf: &'a mut [u8], pos: usize) -> Fields<'a> {
        let err = (pos > buf.len()).then_some(EncodeError::BufferFull {
            capacity: buf.len(),
        });
        Fields { buf, pos, err }
    }

    /// Appends bytes as they are (pre-encoded fields; they must end with SOH).
    pub fn raw(&mut self, bytes: &[u8]) {
        if self.err.is_some() {
            return;
        }
        match self.buf.get_mut(self.pos..self.pos + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.pos += bytes.len();
            }
            None => {
                self.err = Some(EncodeError::BufferFull {
                    capacity: self.buf.len(),
                })
            }
        }
    }

    fn tag(&mut self, tag: u32) {
        let mut d = [0u8; U64_DIGITS_MAX];
        let s = u64_digits(u64::from(tag), &mut d);
        self.raw(&d[s..]);
        self.raw(b"=");
    }

    /// `tag=value` for a byte string (must be non-empty and free of SOH).
    pub fn bytes(&mut self, tag: u32, v: &[u8]) {
        if v.is_empty() || v.contains(&SOH) {
            self.err.get_or_insert(EncodeError::BadValue { tag });
            return;
        }
        self.tag(tag);
        self.raw(v);
        self.raw(&[SOH]);
    }

    /// `tag=c` for a one-character value.
    pub fn byte(&mut self, tag: u32, c: u8) {
        self.bytes(tag, &[c]);
    }

    /// `tag=v` in decimal.
    pub fn uint(&mut self, tag: u32, v: u64) {
        let mut d = [0u8; U64_DIGITS_MAX];
        let s = u64_digits(v, &mut d);
        self.bytes(tag, &d[s..]);
    }

    /// `tag=v` in decimal, `-` for negatives.
    pub fn int(&mut self, tag: u32, v: i64) {
        let mut d = [0u8; U64_DIGITS_MAX + 1];
        let mut abs = [0u8; U64_DIGITS_MAX];
        let s = u64_digits(v.unsigned_abs(), &mut abs);
        let n = U64_DIGITS_MAX - s;
        let neg = usize::from(v < 0);
        d[0] = b'-';
        d[neg..neg + n].copy_from_slice(&abs[s..]);
        self.bytes(tag, &d[..neg + n]);
    }

    /// `tag=v` exactly as the decimal is scaled (`{40695, 1}` → `4069.5`).
    pub fn decimal(&mut self, tag: u32, v: Decimal) {
        let mut d = [0u8; 48];
        match write_decimal(v, &mut d) {
            Some(n) => self.bytes(tag, &d[..n]),
            None => {
                self.err.get_or_insert(EncodeError::BadValue { tag });
            }
        }
    }

    /// `tag=YYYYMMDD-HH:MM:SS.sss` (UTC).
    pub fn time(&mut self, tag: u32, t: TsNs) {
        let mut d = [0u8; TIMESTAMP_LEN];
        match write_timestamp(t, &mut d) {
            Some(()) => self.bytes(tag, &d),
            None => {
                self.err.get_or_insert(EncodeError::BadValue { tag });
            }
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
    /// Starts a message with `h` in `buf`.
    pub fn new(buf: &'a mut [u8], h: &Header<'_>) -> Encoder<'a> {
        let mut f = Fields::at(buf, RESERVE);
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
        let Fields { buf, pos, err } = self.fields;
        if let Some(e) = err {
            return Err(e);
        }
        let body_len = pos - RESERVE;
        if body_len > BODY_LEN_MAX {
            return Err(EncodeError::BodyTooLong);
        }
        let full = EncodeError::BufferFull {
            capacity: buf.len(),
        };
        if pos + TRAILER_LEN > buf.len() {
            return Err(full);
        }
        let mut d = [0u8; U64_DIGITS_MAX];
        let s = u64_digits(body_len as u64, &mut d);
        let head = PREFIX.len() + (U64_DIGITS_MAX - s) + 1;
        buf.copy_within(RESERVE..pos, head);
        buf[..PREFIX.len()].copy_from_slice(PREFIX);
        buf[PREFIX.len()..head - 1].copy_from_slice(&d[s..]);
        buf[head - 1] = SOH;
        let end = head + body_len;
        let sum = checksum(&buf[..end]);
        let t = &mut buf[end..end + TRAILER_LEN];
        t[..3].copy_from_slice(b"10=");
        t[3] = b'0' + sum / 100;
        t[4] = b'0' + sum / 10 % 10;
        t[5] = b'0' + sum % 10;
        t[6] = SOH;
        Ok(&buf[..end + TRAILER_LEN])
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
