//! FIX 4.4 tag=value decoder: finds one message at the start of a byte slice (a socket read
//! buffer), checks BeginString, BodyLength (exact) and CheckSum, and splits the body into a
//! fixed table of up to [`FIELDS_MAX`] fields that borrow the input. No allocation, no panic on
//! any input; [`DecodeError::Incomplete`] means "read more bytes and call again".
//! Raw data fields (which may contain SOH) are not supported. Runs on the gateway thread.

use core::fmt;

use super::codec::{checksum, BEGIN_STRING, BODY_LEN_MAX, SOH, TRAILER_LEN};
use super::text::{parse_i64, parse_timestamp, parse_u64};
use crate::domain::TsNs;
use crate::feed::decimal::Decimal;

/// Most body fields one message may carry.
pub const FIELDS_MAX: usize = 64;
/// Tags whose values are secrets: shown as `***` in every Debug output.
pub const SECRET_TAGS: [u32; 3] = [553, 554, 925];

/// Why bytes are not (yet) a FIX message. Offsets count from the start of the slice given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The message is not complete: read more bytes.
    #[error("FIX decode: incomplete message")]
    Incomplete,
    /// Bytes that are not `tag=value<SOH>` where a field was expected.
    #[error("FIX decode: garbled field at byte offset {offset}")]
    Garbled {
        /// First byte that does not fit.
        offset: usize,
    },
    /// The message does not start with `8=FIX.4.4<SOH>9=`.
    #[error("FIX decode: expected 8=FIX.4.4 then 9=BodyLength at byte offset {offset}")]
    BadBeginString {
        /// First byte that differs.
        offset: usize,
    },
    /// BodyLength does not end where the CheckSum field starts, or exceeds the limit.
    #[error(
        "FIX decode: BodyLength {declared} does not end at a 10= field (or exceeds {BODY_LEN_MAX})"
    )]
    BadBodyLength {
        /// The BodyLength written in the message.
        declared: usize,
    },
    /// The CheckSum field does not match the bytes. The frame itself is well delimited.
    #[error("FIX decode: CheckSum {got:03} does not match the computed {expected:03}")]
    BadChecksum {
        /// Sum computed over the bytes.
        expected: u8,
        /// Value written in the message.
        got: u8,
        /// Length of the bad frame, so that a reader may skip it.
        frame_len: usize,
    },
    /// A required tag is missing where it must be (35 MsgType as the first body field).
    #[error("FIX decode: tag {0} missing")]
    MissingTag(u32),
    /// More than [`FIELDS_MAX`] body fields.
    #[error("FIX decode: more than {FIELDS_MAX} fields")]
    TooManyFields,
}

/// One `tag=value` field; the value borrows the input.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Field<'a> {
    /// The tag number.
    pub tag: u32,
    /// The value bytes (non-empty, no SOH).
    pub value: &'a [u8],
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if SECRET_TAGS.contains(&self.tag) {
            write!(f, "{}=***", self.tag)
        } else {
            write!(f, "{}={}", self.tag, String::from_utf8_lossy(self.value))
        }
    }
}

/// Why a field of a decoded message is unusable (a session-level Reject reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required tag is absent.
    #[error("required tag {0} missing")]
    Missing(u32),
    /// The value does not have the type's format or an allowed value.
    #[error("tag {0} has an incorrect value")]
    BadValue(u32),
}

impl FieldError {
    /// The tag concerned.
    pub const fn tag(self) -> u32 {
        match self {
            FieldError::Missing(t) | FieldError::BadValue(t) => t,
        }
    }

    /// SessionRejectReason (373): 1 required tag missing, 6 incorrect data format.
    pub const fn reject_reason(self) -> u32 {
        match self {
            FieldError::Missing(_) => 1,
            FieldError::BadValue(_) => 6,
        }
    }
}

/// One decoded message: its frame and its body fields in order (the first is MsgType 35).
#[derive(Clone, Copy)]
pub struct Message<'a> {
    frame: &'a [u8],
    fields: [Field<'a>; FIELDS_MAX],
    n: usize,
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields()).finish()
    }
}

impl<'a> Message<'a> {
    /// The whole frame, `8=` through the CheckSum's SOH.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }

    /// Body fields in order (header fields 35, 49, 56, 34, 52... included; 8, 9, 10 not).
    pub fn fields(&self) -> &[Field<'a>] {
        &self.fields[..self.n]
    }

    /// MsgType (35).
    pub fn msg_type(&self) -> &'a [u8] {
        self.fields[0].value
    }

    /// The first value of `tag`.
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        self.fields().iter().find(|f| f.tag == tag).map(|f| f.value)
    }

    /// The value of a required `tag`.
    pub fn req(&self, tag: u32) -> Result<&'a [u8], FieldError> {
        self.get(tag).ok_or(FieldError::Missing(tag))
    }

    /// A required non-negative integer.
    pub fn req_u64(&self, tag: u32) -> Result<u64, FieldError> {
        parse_u64(self.req(tag)?).ok_or(FieldError::BadValue(tag))
    }

    /// An optional non-negative integer.
    pub fn opt_u64(&self, tag: u32) -> Result<Option<u64>, FieldError> {
        self.get(tag)
            .map(|v| parse_u64(v).ok_or(FieldError::BadValue(tag)))
            .transpose()
    }

    /// An optional signed integer (quantities).
    pub fn opt_i64(&self, tag: u32) -> Result<Option<i64>, FieldError> {
        self.get(tag)
            .map(|v| parse_i64(v).ok_or(FieldError::BadValue(tag)))
            .transpose()
    }

    /// An optional exact decimal (prices).
    pub fn opt_decimal(&self, tag: u32) -> Result<Option<Decimal>, FieldError> {
        self.get(tag)
            .map(|v| Decimal::parse(v).map_err(|_| FieldError::BadValue(tag)))
            .transpose()
    }

    /// An optional UTCTimestamp.
    pub fn opt_time(&self, tag: u32) -> Result<Option<TsNs>, FieldError> {
        self.get(tag)
            .map(|v| parse_timestamp(v).ok_or(FieldError::BadValue(tag)))
            .transpose()
    }

    /// An optional Y/N flag; absent is `false`.
    pub fn flag(&self, tag: u32) -> Result<bool, FieldError> {
        match self.get(tag) {
            None | Some(b"N") => Ok(false),
            Some(b"Y") => Ok(true),
            Some(_) => Err(FieldError::BadValue(tag)),
        }
    }
}

/// A message and how many input bytes it used.
#[derive(Clone, Copy, Debug)]
pub struct Decoded<'a> {
    /// The message.
    pub msg: Message<'a>,
    /// Bytes of its frame: drop them from the read buffer.
    pub len: usize,
}

/// Decodes the message at the start of `buf`.
pub fn decode(buf: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    // "8=FIX.4.4<SOH>9=" byte by byte, so that a short read of a good prefix is Incomplete.
    const PREFIX: [u8; 12] = *b"8=FIX.4.4\x019=";
    debug_assert_eq!(&PREFIX[2..9], BEGIN_STRING);
    for (i, &want) in PREFIX.iter().enumerate() {
        match buf.get(i) {
            None => return Err(DecodeError::Incomplete),
            Some(&b) if b != want => return Err(DecodeError::BadBeginString { offset: i }),
            Some(_) => {}
        }
    }
    let mut at = PREFIX.len();
    let mut declared: usize = 0;
    loop {
        match buf.get(at) {
            None => return Err(DecodeError::Incomplete),
            Some(&SOH) if at > PREFIX.len() => break,
            Some(&b) if b.is_ascii_digit() && at - PREFIX.len() < 6 => {
                declared = declared * 10 + usize::from(b - b'0');
            }
            Some(_) => return Err(DecodeError::Garbled { offset: at }),
        }
        at += 1;
    }
    if declared > BODY_LEN_MAX {
        return Err(DecodeError::BadBodyLength { declared });
    }
    let body_start = at + 1;
    let body_end = body_start + declared;
    let frame_len = body_end + TRAILER_LEN;
    if buf.len() < frame_len {
        return Err(DecodeError::Incomplete);
    }
    let ends_on_field = declared > 0 && buf[body_end - 1] == SOH;
    if !ends_on_field || &buf[body_end..body_end + 3] != b"10=" {
        return Err(DecodeError::BadBodyLength { declared });
    }
    let sum = &buf[body_end + 3..body_end + 6];
    if buf[frame_len - 1] != SOH || !sum.iter().all(u8::is_ascii_digit) {
        return Err(DecodeError::Garbled {
            offset: body_end + 3,
        });
    }
    let got = sum.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
    let expected = checksum(&buf[..body_end]);
    if got != u32::from(expected) {
        return Err(DecodeError::BadChecksum {
            expected,
            got: got.min(255) as u8,
            frame_len,
        });
    }
    let msg = split_fields(&buf[..frame_len], body_start, body_end)?;
    Ok(Decoded {
        msg,
        len: frame_len,
    })
}

fn split_fields(frame: &[u8], start: usize, end: usize) -> Result<Message<'_>, DecodeError> {
    let mut msg = Message {
        frame,
        fields: [Field::default(); FIELDS_MAX],
        n: 0,
    };
    let mut at = start;
    while at < end {
        let (field, next) = one_field(frame, at, end)?;
        if msg.n == FIELDS_MAX {
            return Err(DecodeError::TooManyFields);
        }
        msg.fields[msg.n] = field;
        msg.n += 1;
        at = next;
    }
    if msg.n == 0 || msg.fields[0].tag != 35 {
        return Err(DecodeError::MissingTag(35));
    }
    Ok(msg)
}

/// `tag=value<SOH>` at `at`; returns the field and the offset after its SOH.
fn one_field(frame: &[u8], at: usize, end: usize) -> Result<(Field<'_>, usize), DecodeError> {
    let mut i = at;
    let mut tag: u32 = 0;
    while i < end && frame[i].is_ascii_digit() {
        // A leading zero or more than 9 digits is not a tag.
        if (i == at && frame[i] == b'0') || i - at >= 9 {
            return Err(DecodeError::Garbled { offset: i });
        }
        tag = tag * 10 + u32::from(frame[i] - b'0');
        i += 1;
    }
    if i == at || i >= end || frame[i] != b'=' {
        return Err(DecodeError::Garbled { offset: i });
    }
    let v_start = i + 1;
    let v_len = frame[v_start..end].iter().position(|&b| b == SOH);
    match v_len {
        Some(n) if n > 0 => Ok((
            Field {
                tag,
                value: &frame[v_start..v_start + n],
            },
            v_start + n + 1,
        )),
        _ => Err(DecodeError::Garbled { offset: v_start }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HB: &[u8] = b"8=FIX.4.4\x019=45\x0135=0\x0149=A\x0156=B\x0134=2\x0152=20240701-23:58:01.218\x0110=087\x01";

    #[test]
    fn every_prefix_of_a_message_is_incomplete() {
        let full = decode(HB).unwrap();
        assert_eq!(full.len, HB.len());
        assert_eq!(full.msg.get(34), Some(&b"2"[..]));
        for cut in 0..HB.len() {
            assert_eq!(
                decode(&HB[..cut]).unwrap_err(),
                DecodeError::Incomplete,
                "cut {cut}"
            );
        }
    }

    #[test]
    fn framing_errors_are_precise() {
        let mut b = HB.to_vec();
        b[6] = b'2';
        assert_eq!(
            decode(&b).unwrap_err(),
            DecodeError::BadBeginString { offset: 6 }
        );
        let mut b = HB.to_vec();
        b[12] = b'x';
        assert_eq!(decode(&b).unwrap_err(), DecodeError::Garbled { offset: 12 });
        let b = [&HB[..12], b"44\x01", &HB[15..]].concat();
        assert_eq!(
            decode(&b).unwrap_err(),
            DecodeError::BadBodyLength { declared: 44 }
        );
        let b = [&HB[..HB.len() - 4], b"088\x01"].concat();
        assert!(matches!(
            decode(&b).unwrap_err(),
            DecodeError::BadChecksum {
                expected: 87,
                got: 88,
                ..
            }
        ));
        assert_eq!(
            decode(b"8=FIX.4.4\x019=9999999\x01").unwrap_err(),
            DecodeError::Garbled { offset: 18 }
        );
    }
}
