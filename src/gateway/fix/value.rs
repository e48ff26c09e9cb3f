//! Typed values of one decoded field ([`FieldError`] when unusable), and [`TagSlots`], the
//! tag → slot map that lets typed parsing fetch all the tags of a message type in one pass
//! ([`Message::pick`]) rather than one scan of the fields per tag. Pure functions; run wherever messages are parsed (the gateway
//! thread). `benches/fix.rs` (decode_execution_report) measures them.
//!
//! [`Message::pick`]: super::decode::Message::pick

use super::text::{parse_i64, parse_timestamp, parse_u64};
use crate::domain::TsNs;
use crate::feed::decimal::Decimal;

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

/// Tags below this can be picked ([`TagSlots`] is a dense byte map over them).
pub const PICK_TAG_END: usize = 1024;

/// Slot of each tag of interest, `N` for every other tag. Built at compile time from a list
/// of distinct tags below [`PICK_TAG_END`]; the slot of a tag is its index in the list.
#[derive(Debug)]
pub struct TagSlots<const N: usize> {
    slot: [u8; PICK_TAG_END],
}

impl<const N: usize> TagSlots<N> {
    /// The map for `tags` (a compile-time error when a tag is too large or repeated).
    pub const fn new(tags: [u32; N]) -> TagSlots<N> {
        assert!(
            N < u8::MAX as usize,
            "Invariant: fewer than 255 picked tags"
        );
        let mut slot = [N as u8; PICK_TAG_END];
        let mut i = 0;
        while i < N {
            let t = tags[i] as usize;
            assert!(
                t < PICK_TAG_END,
                "Invariant: picked tags are below PICK_TAG_END"
            );
            assert!(slot[t] == N as u8, "Invariant: picked tags are distinct");
            slot[t] = i as u8;
            i += 1;
        }
        TagSlots { slot }
    }

    /// The slot of `tag`, or `N`.
    #[inline]
    pub fn slot(&self, tag: u32) -> usize {
        self.slot.get(tag as usize).map_or(N, |&s| usize::from(s))
    }
}

/// A required value.
#[inline]
pub fn req(v: Option<&[u8]>, tag: u32) -> Result<&[u8], FieldError> {
    v.ok_or(FieldError::Missing(tag))
}

/// A required one-character value.
#[inline]
pub fn one_char(v: Option<&[u8]>, tag: u32) -> Result<u8, FieldError> {
    match req(v, tag)? {
        [c] => Ok(*c),
        _ => Err(FieldError::BadValue(tag)),
    }
}

/// A required non-negative integer.
#[inline]
pub fn req_u64(v: Option<&[u8]>, tag: u32) -> Result<u64, FieldError> {
    parse_u64(req(v, tag)?).ok_or(FieldError::BadValue(tag))
}

/// An optional non-negative integer.
#[inline]
pub fn opt_u64(v: Option<&[u8]>, tag: u32) -> Result<Option<u64>, FieldError> {
    v.map(|v| parse_u64(v).ok_or(FieldError::BadValue(tag)))
        .transpose()
}

/// An optional signed integer (quantities).
#[inline]
pub fn opt_i64(v: Option<&[u8]>, tag: u32) -> Result<Option<i64>, FieldError> {
    v.map(|v| parse_i64(v).ok_or(FieldError::BadValue(tag)))
        .transpose()
}

/// A required signed integer.
#[inline]
pub fn req_i64(v: Option<&[u8]>, tag: u32) -> Result<i64, FieldError> {
    opt_i64(v, tag)?.ok_or(FieldError::Missing(tag))
}

/// An optional exact decimal (prices).
#[inline]
pub fn opt_decimal(v: Option<&[u8]>, tag: u32) -> Result<Option<Decimal>, FieldError> {
    v.map(|v| Decimal::parse(v).map_err(|_| FieldError::BadValue(tag)))
        .transpose()
}

/// An optional UTCTimestamp.
#[inline]
pub fn opt_time(v: Option<&[u8]>, tag: u32) -> Result<Option<TsNs>, FieldError> {
    v.map(|v| parse_timestamp(v).ok_or(FieldError::BadValue(tag)))
        .transpose()
}

/// An optional Y/N flag; absent is `false`.
#[inline]
pub fn flag(v: Option<&[u8]>, tag: u32) -> Result<bool, FieldError> {
    match v {
        None | Some(b"N") => Ok(false),
        Some(b"Y") => Ok(true),
        Some(_) => Err(FieldError::BadValue(tag)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::fix::decode;

    const SLOTS: TagSlots<3> = TagSlots::new([55, 11, 1000]);

    #[test]
    fn tag_slots_name_each_listed_tag_and_n_for_the_rest() {
        assert_eq!(SLOTS.slot(55), 0);
        assert_eq!(SLOTS.slot(11), 1);
        assert_eq!(SLOTS.slot(1000), 2);
        for other in [0, 1, 35, 1023, 1024, 9999, u32::MAX] {
            assert_eq!(SLOTS.slot(other), 3, "tag {other}");
        }
    }

    #[test]
    fn pick_returns_the_first_value_of_each_tag_like_get() {
        let body = b"35=8\x0111=A\x0155=X\x0111=B\x019999=Z\x01";
        let mut frame = format!("8=FIX.4.4\x019={}\x01", body.len()).into_bytes();
        frame.extend_from_slice(body);
        let sum = frame.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        frame.extend_from_slice(format!("10={sum:03}\x01").as_bytes());
        let m = decode::decode(&frame).unwrap().msg;
        let [symbol, cl_ord_id, absent] = m.pick(&SLOTS);
        assert_eq!(symbol, m.get(55));
        assert_eq!(cl_ord_id, Some(&b"A"[..]));
        assert_eq!(absent, None);
    }
}
