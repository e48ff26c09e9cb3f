//! Bounded deterministic fuzzing of the FIX decoder and session: 200,000 inputs from a seeded
//! xorshift generator — valid messages, truncations, bit flips, random tags and values in
//! well-framed messages, huge BodyLengths, random bytes. Nothing may panic; valid messages must
//! still decode; the session must survive anything a peer sends. A failure prints the case.

mod fix_support;

use crossarb::gateway::fix::{decode, DecodeError, FixMsg, State};
use fix_support::*;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TAGS: [u32; 30] = [
    7, 11, 14, 16, 17, 31, 32, 34, 35, 36, 37, 38, 39, 41, 43, 45, 52, 54, 55, 58, 60, 98, 102,
    108, 112, 122, 123, 150, 151, 434,
];
const VALUES: [&str; 16] = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "8",
    "9",
    "A",
    "D",
    "F",
    "Y",
    "N",
    "GCZ4",
    "2034.5",
    "20240701-23:58:01.218",
];
const TYPES: [&str; 12] = ["0", "1", "2", "3", "4", "5", "8", "9", "A", "D", "F", "j"];

/// A well-framed message with random (often meaningful) body fields.
fn random_body(r: &mut XorShift, seq: u64) -> String {
    let mut b = format!(
        "35={}|49=BROKER|56=CLIENT|34={seq}|",
        TYPES[r.below(TYPES.len())]
    );
    for _ in 0..r.below(20) {
        let tag = if r.below(8) == 0 {
            r.below(100_000) as u32 + 1
        } else {
            TAGS[r.below(TAGS.len())]
        };
        let value = if r.below(6) == 0 {
            (r.next() % 100_000_000).to_string()
        } else {
            VALUES[r.below(VALUES.len())].to_string()
        };
        b.push_str(&format!("{tag}={value}|"));
    }
    b
}

fn frame_text(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\x01");
    let mut m = format!("8=FIX.4.4\x019={}\x01{}", body.len(), body).into_bytes();
    let sum: u32 = m.iter().map(|&b| u32::from(b)).sum();
    m.extend_from_slice(format!("10={:03}\x01", sum % 256).as_bytes());
    m
}

fn check_decode(input: &[u8]) -> Result<usize, DecodeError> {
    let d = decode(input)?;
    assert!(d.len > 0 && d.len <= input.len(), "bad length {}", d.len);
    let _ = FixMsg::parse(&d.msg);
    let _ = format!("{:?}", d.msg);
    Ok(d.len)
}

#[test]
fn decoder_and_session_survive_200k_random_and_mutated_messages() {
    let mut r = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut s, _) = logged_on();
    let mut seq = 2u64;
    let mut decoded_valid = 0;
    for case in 0..200_000u32 {
        let valid = frame_text(&random_body(&mut r, seq));
        let input: Vec<u8> = match case % 8 {
            0 => valid.clone(),
            1 => valid[..r.below(valid.len())].to_vec(),
            2 => {
                let mut v = valid.clone();
                for _ in 0..1 + r.below(3) {
                    let i = r.below(v.len());
                    v[i] ^= 1 << r.below(8);
                }
                v
            }
            3 => {
                let huge = ["99999", "65537", "0", "123456", "18446744073709551616"][r.below(5)];
                format!("8=FIX.4.4\x019={huge}\x0135=0\x0110=000\x01").into_bytes()
            }
            4 => (0..r.below(300)).map(|_| r.next() as u8).collect(),
            5 => {
                let mut v = b"8=FIX.4.4\x019=".to_vec();
                v.extend((0..r.below(100)).map(|_| [b'1', b'=', 1, b'3', b'5'][r.below(5)]));
                v
            }
            6 => [valid.clone(), valid.clone()].concat(),
            _ => {
                let mut v = valid.clone();
                let i = r.below(v.len());
                v.insert(i, [1u8, b'=', b'0', 0xff][r.below(4)]);
                v
            }
        };
        let got = std::panic::catch_unwind(|| check_decode(&input));
        let got = got.unwrap_or_else(|_| {
            panic!(
                "case {case} panicked on {:?}",
                String::from_utf8_lossy(&input)
            )
        });
        if case % 8 == 0 || case % 8 == 6 {
            assert_eq!(
                got,
                Ok(valid.len()),
                "case {case}: valid message did not decode"
            );
            decoded_valid += 1;
        }
        // The session takes well-framed random messages (and now and then garbage) without
        // panicking; a session that disconnects is reconnected and logged on again.
        if case % 8 == 0 || case % 64 == 4 {
            let used = s.on_bytes(&input, secs(1));
            assert!(used <= input.len());
            s.events().for_each(drop);
            s.consume_outbound(usize::MAX);
            seq = s.seqs().next_in;
            if s.state() != State::Active {
                (s, _) = logged_on();
                seq = 2;
            }
        }
    }
    assert_eq!(decoded_valid, 50_000);
}
