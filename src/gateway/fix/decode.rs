//! FIX 4.4 tag=value decoder: finds one message at the start of a byte slice (a socket read
//! buffer), checks BeginString, BodyLength (exact) and CheckSum, and splits the body into a
//! table of up to [`FIELDS_MAX`] compact entries (tag, offset, length: 8 bytes) inside a
//! [`Message`] that borrows the input. [`decode_into`] refills a caller's `Message` (the hot
//! path: no table is zeroed or copied per message); [`decode`] returns a fresh one. Typed values
//! are parsed straight from the frame. No allocation, no panic on any input;
//! [`DecodeError::Incomplete`] means "read more bytes and call again".
//! Raw data fields (which may contain SOH) are not supported. Runs on the gateway thread.
//! `benches/fix.rs` measures it (decode_execution_report).

use core::fmt;

use super::codec::{checksum, BEGIN_STRING, BODY_LEN_MAX, SOH, TRAILER_LEN};
pub use super::value::FieldError;
use super::value::{self, req, TagSlots};
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

/// One body field's place in the frame: offsets count from the body's first byte (a body is at
/// most [`BODY_LEN_MAX`] bytes, so `u16` holds every offset and length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entry {
    tag: u32,
    off: u16,
    len: u16,
}

/// One decoded message: its frame and its body fields in order (the first is MsgType 35).
#[derive(Clone, Copy)]
pub struct Message<'a> {
    frame: &'a [u8],
    body: usize,
    n: usize,
    entries: [Entry; FIELDS_MAX],
}

impl fmt::Debug for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields().iter()).finish()
    }
}

impl Default for Message<'_> {
    fn default() -> Self {
        Message::new()
    }
}

impl<'a> Message<'a> {
    /// An empty message (no fields), to be filled by [`decode_into`].
    pub const fn new() -> Message<'a> {
        Message {
            frame: &[],
            body: 0,
            n: 0,
            entries: [Entry {
                tag: 0,
                off: 0,
                len: 0,
            }; FIELDS_MAX],
        }
    }

    /// The whole frame, `8=` through the CheckSum's SOH.
    pub fn frame(&self) -> &'a [u8] {
        self.frame
    }

    #[inline]
    fn value(&self, e: Entry) -> &'a [u8] {
        let from = self.body + usize::from(e.off);
        &self.frame[from..from + usize::from(e.len)]
    }

    /// Body fields in order (header fields 35, 49, 56, 34, 52... included; 8, 9, 10 not).
    pub fn fields(&self) -> FieldList<'_, 'a> {
        FieldList(self)
    }

    /// MsgType (35); empty for an empty message (never filled, or after a decode error).
    pub fn msg_type(&self) -> &'a [u8] {
        self.entries[..self.n]
            .first()
            .map_or(&[], |&e| self.value(e))
    }

    /// The first value of `tag`.
    #[inline]
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        let e = self.entries[..self.n].iter().find(|e| e.tag == tag)?;
        Some(self.value(*e))
    }

    /// The first values of the tags `slots` was built from, in one pass over the fields (what
    /// typed parsing uses instead of one [`Message::get`] per tag).
    #[inline]
    pub fn pick<const N: usize>(&self, slots: &TagSlots<N>) -> [Option<&'a [u8]>; N] {
        let mut out = [None; N];
        for &e in &self.entries[..self.n] {
            let i = slots.slot(e.tag);
            if let Some(v @ None) = out.get_mut(i) {
                *v = Some(self.value(e));
            }
        }
        out
    }

    /// The value of a required `tag`.
    pub fn req(&self, tag: u32) -> Result<&'a [u8], FieldError> {
        req(self.get(tag), tag)
    }

    /// A required non-negative integer.
    pub fn req_u64(&self, tag: u32) -> Result<u64, FieldError> {
        value::req_u64(self.get(tag), tag)
    }

    /// An optional non-negative integer.
    pub fn opt_u64(&self, tag: u32) -> Result<Option<u64>, FieldError> {
        value::opt_u64(self.get(tag), tag)
    }

    /// An optional signed integer (quantities).
    pub fn opt_i64(&self, tag: u32) -> Result<Option<i64>, FieldError> {
        value::opt_i64(self.get(tag), tag)
    }

    /// An optional exact decimal (prices).
    pub fn opt_decimal(&self, tag: u32) -> Result<Option<Decimal>, FieldError> {
        value::opt_decimal(self.get(tag), tag)
    }

    /// An optional UTCTimestamp.
    pub fn opt_time(&self, tag: u32) -> Result<Option<TsNs>, FieldError> {
        value::opt_time(self.get(tag), tag)
    }

    /// An optional Y/N flag; absent is `false`.
    pub fn flag(&self, tag: u32) -> Result<bool, FieldError> {
        value::flag(self.get(tag), tag)
    }
}

/// The fields of a [`Message`], as [`Field`] values made from its compact entries.
#[derive(Clone, Copy, Debug)]
pub struct FieldList<'m, 'a>(&'m Message<'a>);

impl<'m, 'a> FieldList<'m, 'a> {
    /// The fields in order.
    pub fn iter(self) -> impl Iterator<Item = Field<'a>> + 'm {
        let m = self.0;
        m.entries[..m.n].iter().map(move |&e| Field {
            tag: e.tag,
            value: m.value(e),
        })
    }

    /// How many fields.
    pub fn len(self) -> usize {
        self.0.n
    }

    /// True for an empty message.
    pub fn is_empty(self) -> bool {
        self.0.n == 0
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

/// Decodes the message at the start of `buf` into a new [`Message`].
pub fn decode(buf: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let mut msg = Message::new();
    let len = decode_into(buf, &mut msg)?;
    Ok(Decoded { msg, len })
}

/// Decodes the message at the start of `buf` into `msg` (reused across messages; left empty on
/// an error); returns the frame's length in bytes.
pub fn decode_into<'a>(buf: &'a [u8], msg: &mut Message<'a>) -> Result<usize, DecodeError> {
    // "8=FIX.4.4<SOH>9=" byte by byte, so that a short read of a good prefix is Incomplete.
    const PREFIX: [u8; 12] = *b"8=FIX.4.4\x019=";
    debug_assert_eq!(&PREFIX[2..9], BEGIN_STRING);
    msg.frame = &[];
    msg.body = 0;
    msg.n = 0;
    if buf.get(..PREFIX.len()) != Some(&PREFIX[..]) {
        return Err(bad_prefix(buf, &PREFIX));
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
    let frame = &buf[..frame_len];
    let n = split_fields(&frame[body_start..body_end], body_start, &mut msg.entries)?;
    msg.frame = frame;
    msg.body = body_start;
    msg.n = n;
    Ok(frame_len)
}

/// Where `buf` stops matching `prefix`, or that it is a short read of it.
#[cold]
fn bad_prefix(buf: &[u8], prefix: &[u8]) -> DecodeError {
    for (i, &want) in prefix.iter().enumerate() {
        match buf.get(i) {
            None => return DecodeError::Incomplete,
            Some(&b) if b != want => return DecodeError::BadBeginString { offset: i },
            Some(_) => {}
        }
    }
    DecodeError::Incomplete
}

/// Fills `entries` with the fields of `body` (whole fields, ending with SOH); returns how many.
/// `base` is the body's offset in the frame (for error offsets).
fn split_fields(
    body: &[u8],
    base: usize,
    entries: &mut [Entry; FIELDS_MAX],
) -> Result<usize, DecodeError> {
    let mut n = 0;
    let mut at = 0;
    while at < body.len() {
        let (e, next) = one_field(body, at, base)?;
        if n == FIELDS_MAX {
            return Err(DecodeError::TooManyFields);
        }
        entries[n] = e;
        n += 1;
        at = next;
    }
    if n == 0 || entries[0].tag != 35 {
        return Err(DecodeError::MissingTag(35));
    }
    Ok(n)
}

/// `tag=value<SOH>` at `at` of `body`; returns its entry and the offset after its SOH.
/// Error offsets count from `base`, the body's offset in the frame.
#[inline]
fn one_field(body: &[u8], at: usize, base: usize) -> Result<(Entry, usize), DecodeError> {
    let garbled = |i: usize| DecodeError::Garbled { offset: base + i };
    let mut i = at;
    let mut tag: u32 = 0;
    while let Some(&b) = body.get(i).filter(|b| b.is_ascii_digit()) {
        // A leading zero or more than 9 digits is not a tag.
        if (i == at && b == b'0') || i - at >= 9 {
            return Err(garbled(i));
        }
        tag = tag * 10 + u32::from(b - b'0');
        i += 1;
    }
    if i == at || body.get(i) != Some(&b'=') {
        return Err(garbled(i));
    }
    let v_start = i + 1;
    match body[v_start..].iter().position(|&b| b == SOH) {
        Some(n) if n > 0 => {
            // A body is at most BODY_LEN_MAX bytes and ends with SOH, so both fit a u16.
            debug_assert!(v_start + n < BODY_LEN_MAX);
            let e = Entry {
                tag,
                off: v_start as u16,
                len: n as u16,
            };
            Ok((e, v_start + n + 1))
        }
        _ => Err(garbled(v_start)),
    }
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
