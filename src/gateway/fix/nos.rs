//! The NewOrderSingle fast path: the one message on the tick-to-order path, framed straight
//! into the session's outbound bytes with one capacity check, its fixed header
//! (`35=D 49=… 56=… 34=`) copied from bytes prepared when the session was built, and every
//! other field written without the generic [`Fields`](super::codec::Fields) writer's per-field
//! checks. The bytes are exactly those of the generic encoder (`FixMsg::NewOrderSingle` through
//! [`Encoder`](super::codec::Encoder)); a unit test compares the two on seeded random orders.
//!
//! It answers only when the frame surely fits and every value is representable; otherwise it
//! returns `None` having changed nothing that matters (its bytes lie beyond the outbound
//! length, the timestamp cache moves only to a time it formatted), and the session encodes the
//! order the generic way, which decides the error. Gateway thread; no allocation.
//!
//! Per order (callgrind, `benches/fix.rs`): see the README's Performance section.

use core::ops::Range;

use super::codec::{close_frame, GAP, RESERVE, SOH, TRAILER_LEN};
use super::msg::{side_char, tif_char, NewOrderSingle};
use super::stamp::StampCache;
use super::text::{digit_count, put_digits, write_decimal, TIMESTAMP_LEN, U64_DIGITS_MAX};
use crate::domain::TsNs;

/// The fixed start of every NewOrderSingle header of a session: `35=D|49=<sender>|56=<target>|34=`.
pub(super) fn header_prefix(sender: &[u8], target: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(sender.len() + target.len() + 16);
    v.extend_from_slice(b"35=D\x0149=");
    v.extend_from_slice(sender);
    v.extend_from_slice(b"\x0156=");
    v.extend_from_slice(target);
    v.extend_from_slice(b"\x0134=");
    v
}

/// Longest price text: sign, up to 20 digits or `0.` and zeros to the scale, the point.
const fn price_len_max(scale: u8) -> usize {
    1 + U64_DIGITS_MAX + 2 + scale as usize
}

/// Frames `o` (its ClOrdID and symbol non-empty and free of control bytes, as the session's
/// are) as message `seq` sent at `now` at the start of `buf`. Returns the frame length and
/// where the application fields (ClOrdID to TransactTime, what the resend store keeps) lie in
/// it; `None` when it might not fit or a value cannot be written (see the module doc).
#[inline]
pub(super) fn encode(
    buf: &mut [u8],
    head: &[u8],
    seq: u64,
    now: TsNs,
    o: &NewOrderSingle<'_>,
    stamps: &mut StampCache,
) -> Option<(usize, Range<usize>)> {
    let fields_max = head.len()
        + U64_DIGITS_MAX
        + 5
        + TIMESTAMP_LEN
        + (3 + o.cl_ord_id.len() + 1)
        + (4 + o.symbol.len() + 1)
        + 5
        + (3 + U64_DIGITS_MAX + 1)
        + 5
        + (3 + price_len_max(o.price.scale) + 1)
        + 5
        + (4 + TIMESTAMP_LEN);
    if o.qty <= 0 || buf.len() < RESERVE + fields_max + TRAILER_LEN {
        return None;
    }
    let (mut sent, mut transact) = ([0u8; TIMESTAMP_LEN], [0u8; TIMESTAMP_LEN]);
    stamps.write(now, &mut sent)?;
    stamps.write(o.transact_time, &mut transact)?;
    let mut w = Writer { buf, pos: GAP };
    w.put(head);
    w.uint(seq);
    w.put(b"\x0152=");
    w.put(&sent);
    w.put(b"\x0111=");
    let app = w.pos - 3;
    w.put(o.cl_ord_id);
    w.put(b"\x0155=");
    w.put(o.symbol);
    w.put(b"\x0154=");
    w.byte(side_char(o.side));
    w.put(b"\x0138=");
    w.uint(o.qty as u64);
    w.put(b"\x0140=2\x0144=");
    w.pos += write_decimal(o.price, &mut w.buf[w.pos..])?;
    w.put(b"\x0159=");
    w.byte(tif_char(o.tif));
    w.put(b"\x0160=");
    w.put(&transact);
    w.byte(SOH);
    let end = w.pos;
    let (len, shift) = close_frame(w.buf, end).ok()?;
    let at = |p: usize| p.checked_add_signed(shift).unwrap_or(p);
    Some((len, at(app)..at(end)))
}

/// Appends to a buffer already checked to be large enough.
struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    #[inline]
    fn put(&mut self, b: &[u8]) {
        self.buf[self.pos..self.pos + b.len()].copy_from_slice(b);
        self.pos += b.len();
    }

    #[inline]
    fn byte(&mut self, c: u8) {
        self.buf[self.pos] = c;
        self.pos += 1;
    }

    #[inline]
    fn uint(&mut self, v: u64) {
        let n = digit_count(v);
        put_digits(v, &mut self.buf[self.pos..self.pos + n]);
        self.pos += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Side;
    use crate::exec::msg::Tif;
    use crate::feed::decimal::Decimal;
    use crate::gateway::fix::codec::{Encoder, Header};
    use crate::gateway::fix::msg::FixMsg;
    use crate::sim::Rng;

    /// The generic encoder's frame of the same order, and its application fields.
    fn generic(
        sender: &[u8],
        target: &[u8],
        seq: u64,
        now: TsNs,
        o: &NewOrderSingle<'_>,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let msg = FixMsg::NewOrderSingle(*o);
        let mut body = [0u8; 512];
        let mut f = crate::gateway::fix::codec::Fields::new(&mut body);
        msg.write_body(&mut f);
        let body = f.finish().ok()?.to_vec();
        let h = Header {
            msg_type: b"D",
            sender,
            target,
            seq,
            sending_time: now,
            orig_sending_time: None,
        };
        let mut buf = [0u8; 1024];
        let mut enc = Encoder::new(&mut buf, &h);
        enc.fields().raw(&body);
        Some((enc.finish().ok()?.to_vec(), body))
    }

    #[test]
    fn the_fast_frame_is_the_generic_encoders_byte_for_byte_on_random_orders() {
        let mut rng = Rng::from_seed(20_261_208);
        let mut cache = StampCache::new();
        let comp_ids: [&[u8]; 3] = [b"C", b"CROSSARB", b"A_RATHER_LONG_COMP_ID_42"];
        let symbols: [&[u8]; 4] = [b"X", b"cu2505", b"CAD 3M", b"GCZ5.COMEX-LONG-SYMBOL-NAME"];
        let mut lengths = std::collections::BTreeSet::new();
        for i in 0..20_000u64 {
            let draw = |rng: &mut Rng, n: u64| rng.below(n);
            let sender = comp_ids[draw(&mut rng, 3) as usize];
            let target = comp_ids[draw(&mut rng, 3) as usize];
            let magnitude = 10u64.pow(draw(&mut rng, 19) as u32);
            let now = TsNs((rng.next_u64() % 4_000_000_000_000_000_000) as i64);
            let id = (rng.next_u64() % u64::from(u32::MAX)).to_string();
            let o = NewOrderSingle {
                cl_ord_id: id.as_bytes(),
                symbol: symbols[draw(&mut rng, 4) as usize],
                side: if i % 2 == 0 { Side::Buy } else { Side::Sell },
                qty: 1 + (rng.next_u64() % magnitude) as i64,
                price: Decimal {
                    mantissa: (rng.next_u64() % magnitude) as i64 - (magnitude / 8) as i64,
                    scale: draw(&mut rng, 9) as u8,
                },
                tif: if i % 3 == 0 { Tif::Limit } else { Tif::Ioc },
                // Mostly the same second as SendingTime, sometimes another day.
                transact_time: TsNs(now.0 + (rng.next_u64() % 2_000_000_000) as i64 - 1_000),
            };
            let seq = 1 + rng.next_u64() % 10u64.pow(draw(&mut rng, 13) as u32);
            let head = header_prefix(sender, target);
            let mut out = [0u8; 1024];
            let (len, app) = encode(&mut out, &head, seq, now, &o, &mut cache)
                .unwrap_or_else(|| panic!("order {i} refused: {o:?}"));
            let (frame, body) = generic(sender, target, seq, now, &o).expect("generic encodes");
            assert_eq!(
                String::from_utf8_lossy(&out[..len]),
                String::from_utf8_lossy(&frame),
                "order {i}"
            );
            assert_eq!(&out[app], &body[..], "application fields of order {i}");
            lengths.insert(frame.len());
        }
        assert!(lengths.len() > 40, "frame lengths seen: {lengths:?}");
    }

    #[test]
    fn it_refuses_what_might_not_fit_and_nonpositive_quantities() {
        let head = header_prefix(b"CROSSARB", b"VENUE");
        let o = NewOrderSingle {
            cl_ord_id: b"7",
            symbol: b"cu2505",
            side: Side::Sell,
            qty: 3,
            price: Decimal {
                mantissa: 70_010,
                scale: 0,
            },
            tif: Tif::Ioc,
            transact_time: TsNs(1_740_963_630_000_000_000),
        };
        let now = o.transact_time;
        let mut cache = StampCache::new();
        let mut exact = [0u8; 1024];
        let (len, _) = encode(&mut exact, &head, 1, now, &o, &mut cache).unwrap();
        let mut small = vec![0u8; len];
        assert_eq!(encode(&mut small, &head, 1, now, &o, &mut cache), None);
        let zero = NewOrderSingle { qty: 0, ..o };
        assert_eq!(encode(&mut exact, &head, 1, now, &zero, &mut cache), None);
    }
}
