//! Bounded deterministic fuzz of the XAQF feed decoder: 100,000 random and mutated frames
//! (xorshift, fixed seed) through the datagram decoder and the TCP stream decoder. Nothing may
//! panic; a frame that decodes must re-encode to the same bytes; errors name an offset inside
//! the input.

use crossarb::domain::{InstrumentId, Px, Qty, Quote, TsNs, VenueId};
use crossarb::feed::wire::{
    decode, encode, encode_prefixed, StreamDecoder, WireError, FRAME_BYTES_MAX, FRAME_QUOTES_MAX,
    PREFIX_BYTES,
};

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

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn quote(r: &mut XorShift) -> Quote {
    Quote {
        ts_exchange: TsNs(r.next() as i64),
        ts_recv: TsNs(r.next() as i64),
        seq: r.next(),
        bid_px: Px(r.next() as i64),
        ask_px: Px(r.next() as i64),
        bid_qty: Qty(r.below(1000) as i64),
        ask_qty: Qty(r.below(1000) as i64),
        venue: VenueId(r.below(4) as u16),
        instrument: InstrumentId(r.below(8) as u16),
        flags: r.below(32) as u32,
    }
}

fn valid_frame(r: &mut XorShift, out: &mut [u8]) -> usize {
    let n = 1 + r.below(FRAME_QUOTES_MAX as u64) as usize;
    let quotes: Vec<Quote> = (0..n).map(|_| quote(r)).collect();
    encode(&quotes, r.next(), out).expect("frame fits")
}

fn mutate(r: &mut XorShift, buf: &mut [u8], len: usize) -> usize {
    match r.below(5) {
        0 => len - r.below(len as u64 + 1) as usize, // cut
        1 => {
            for _ in 0..1 + r.below(4) {
                let i = r.below(len as u64) as usize;
                buf[i] ^= 1 << r.below(8);
            }
            len
        }
        2 => {
            // Flip header bytes where the checks are.
            let i = r.below(16) as usize;
            buf[i] = r.next() as u8;
            len
        }
        3 => {
            for b in buf.iter_mut().take(len) {
                *b = r.next() as u8;
            }
            len
        }
        _ => (len + r.below(64) as usize).min(buf.len()), // trailing junk
    }
}

fn offset_of(e: &WireError) -> usize {
    match *e {
        WireError::ShortHeader { len } => len,
        WireError::BadMagic { .. } => 0,
        WireError::BadVersion { .. } => 4,
        WireError::BadCount { .. } => 6,
        WireError::BadLength { offset, .. } => offset,
        WireError::BadPrefix { offset, .. } => offset as usize,
    }
}

#[test]
fn a_hundred_thousand_random_and_mutated_frames_never_panic_the_decoders() {
    let mut r = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut buf = vec![0u8; FRAME_BYTES_MAX + 64];
    let mut again = vec![0u8; FRAME_BYTES_MAX];
    let (mut ok, mut bad) = (0u32, 0u32);
    for _ in 0..100_000 {
        let len = valid_frame(&mut r, &mut buf);
        let len = if r.below(4) == 0 {
            len
        } else {
            mutate(&mut r, &mut buf, len)
        };
        let mut quotes = Vec::new();
        match decode(&buf[..len], &mut |_, q| quotes.push(q)) {
            Ok(h) => {
                ok += 1;
                assert_eq!(quotes.len(), usize::from(h.count));
                let n = encode(&quotes, h.first_seq, &mut again).unwrap();
                assert_eq!(
                    &again[..n],
                    &buf[..len],
                    "a decoded frame re-encodes identically"
                );
            }
            Err(e) => {
                bad += 1;
                assert!(quotes.is_empty(), "a bad frame delivers nothing");
                assert!(
                    offset_of(&e) <= len,
                    "{e} points past the {len} input bytes"
                );
            }
        }
    }
    assert!(ok > 20_000 && bad > 50_000, "ok {ok}, bad {bad}");
}

#[test]
fn a_stream_of_valid_frames_with_random_read_sizes_decodes_every_record_in_order() {
    let mut r = XorShift(77);
    let mut wire = Vec::new();
    let mut frame = vec![0u8; PREFIX_BYTES + FRAME_BYTES_MAX];
    let mut seq = 1u64;
    for _ in 0..2_000 {
        let n = 1 + r.below(FRAME_QUOTES_MAX as u64) as usize;
        let quotes: Vec<Quote> = (0..n).map(|_| quote(&mut r)).collect();
        let len = encode_prefixed(&quotes, seq, &mut frame).unwrap();
        wire.extend_from_slice(&frame[..len]);
        seq += n as u64;
    }
    let mut d = StreamDecoder::default();
    let (mut at, mut expect) = (0usize, 1u64);
    while at < wire.len() {
        let spare = d.spare();
        let n = (1 + r.below(3000) as usize)
            .min(spare.len())
            .min(wire.len() - at);
        spare[..n].copy_from_slice(&wire[at..at + n]);
        d.filled(n);
        at += n;
        while d
            .next_frame(&mut |s, _| {
                assert_eq!(s, expect);
                expect += 1;
            })
            .unwrap()
            .is_some()
        {}
    }
    assert_eq!(expect, seq);
}

#[test]
fn a_stream_of_random_bytes_ends_in_an_error_or_waits_but_never_panics() {
    let mut r = XorShift(5);
    for _ in 0..2_000 {
        let mut d = StreamDecoder::default();
        for _ in 0..4 {
            let spare = d.spare();
            let n = (r.below(600) as usize).min(spare.len());
            for b in spare.iter_mut().take(n) {
                *b = r.next() as u8;
            }
            d.filled(n);
            match d.next_frame(&mut |_, _| {}) {
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
}
