//! Unit tests of the FIX decoder (`decode.rs`): incomplete prefixes, message reuse, framing
//! errors.

use super::*;

const HB: &[u8] =
    b"8=FIX.4.4\x019=45\x0135=0\x0149=A\x0156=B\x0134=2\x0152=20240701-23:58:01.218\x0110=087\x01";

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
fn a_reused_message_is_refilled_and_left_empty_after_an_error() {
    let mut m = Message::new();
    assert_eq!(m.msg_type(), b"");
    let long = [&HB[..12], b"50\x0135=0\x0149=LONGER", &HB[24..HB.len() - 7]].concat();
    let sum = checksum(&long);
    let long = [long, format!("10={sum:03}\x01").into_bytes()].concat();
    assert_eq!(decode_into(&long, &mut m), Ok(long.len()));
    assert_eq!(m.get(49), Some(&b"LONGER"[..]));
    assert_eq!(decode_into(HB, &mut m), Ok(HB.len()));
    assert_eq!(m.get(49), Some(&b"A"[..]));
    assert_eq!(format!("{m:?}"), format!("{:?}", decode(HB).unwrap().msg));
    assert_eq!(decode_into(&HB[..20], &mut m), Err(DecodeError::Incomplete));
    assert_eq!(
        (m.msg_type(), m.get(34), m.fields().len()),
        (&b""[..], None, 0)
    );
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
