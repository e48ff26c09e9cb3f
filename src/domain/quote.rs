//! The quote event: one top-of-book update (or one trade) of one instrument, 64 bytes,
//! `#[repr(C)]` and `Pod` so that rings, capture files and receipts move it as plain bytes.
//!
//! Layout (little-endian, offsets in bytes), asserted below at compile time:
//!
//! | off | size | field         | meaning                                                        |
//! |----:|-----:|---------------|----------------------------------------------------------------|
//! |   0 |    8 | `ts_exchange` | exchange (matching engine) time, UTC ns since epoch            |
//! |   8 |    8 | `ts_recv`     | local receive time, UTC ns since epoch                         |
//! |  16 |    8 | `seq`         | feed sequence number (per instrument; 0 = source has none)     |
//! |  24 |    8 | `bid_px`      | best bid in ticks (meaningless when `bid_qty` = 0)             |
//! |  32 |    8 | `ask_px`      | best ask in ticks (meaningless when `ask_qty` = 0)             |
//! |  40 |    8 | `bid_qty`     | lots at the best bid (0 = empty side)                          |
//! |  48 |    8 | `ask_qty`     | lots at the best ask (0 = empty side)                          |
//! |  56 |    2 | `venue`       | venue id                                                       |
//! |  58 |    2 | `instrument`  | instrument id                                                  |
//! |  60 |    4 | `flags`       | [`QuoteFlags`] bits                                            |

use bytemuck::{Pod, Zeroable};
use core::mem::{offset_of, size_of};

use super::{InstrumentId, Px, Qty, TsNs, VenueId};

#[cfg(not(target_endian = "little"))]
compile_error!("crossarb's binary formats are little-endian and written by memory copy: big-endian targets are not supported");

/// One top-of-book update or one trade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Quote {
    /// Exchange (matching engine) timestamp.
    pub ts_exchange: TsNs,
    /// Local receive timestamp.
    pub ts_recv: TsNs,
    /// Feed sequence number, per instrument; 0 when the source has none.
    pub seq: u64,
    /// Best bid (ticks). For a trade record: the trade price.
    pub bid_px: Px,
    /// Best ask (ticks). For a trade record: 0.
    pub ask_px: Px,
    /// Lots at the best bid. For a trade record: the traded quantity.
    pub bid_qty: Qty,
    /// Lots at the best ask. For a trade record: 0.
    pub ask_qty: Qty,
    /// Venue the quote came from.
    pub venue: VenueId,
    /// Instrument quoted.
    pub instrument: InstrumentId,
    /// [`QuoteFlags`] bits.
    pub flags: u32,
}

const _: () = assert!(size_of::<Quote>() == 64);
const _: () = assert!(offset_of!(Quote, ts_exchange) == 0);
const _: () = assert!(offset_of!(Quote, ts_recv) == 8);
const _: () = assert!(offset_of!(Quote, seq) == 16);
const _: () = assert!(offset_of!(Quote, bid_px) == 24);
const _: () = assert!(offset_of!(Quote, ask_px) == 32);
const _: () = assert!(offset_of!(Quote, bid_qty) == 40);
const _: () = assert!(offset_of!(Quote, ask_qty) == 48);
const _: () = assert!(offset_of!(Quote, venue) == 56);
const _: () = assert!(offset_of!(Quote, instrument) == 58);
const _: () = assert!(offset_of!(Quote, flags) == 60);

/// Bits of [`Quote::flags`].
#[derive(Debug)]
pub struct QuoteFlags;

impl QuoteFlags {
    /// The record is a trade (price in `bid_px`, size in `bid_qty`), not a book update.
    pub const TRADE: u32 = 1 << 0;
    /// Part of a snapshot/recovery burst, not a live update.
    pub const SNAPSHOT: u32 = 1 << 1;
    /// The source stamps no exchange time: `ts_exchange` was copied from `ts_recv`.
    pub const NO_EXCHANGE_TS: u32 = 1 << 2;
    /// Source resolution is coarser than the event (e.g. a 1-minute bar close).
    pub const BAR: u32 = 1 << 3;
    /// An FX rate quote (price in ticks of the FX instrument).
    pub const FX: u32 = 1 << 4;
}

impl Quote {
    /// True for trade records.
    pub const fn is_trade(&self) -> bool {
        self.flags & QuoteFlags::TRADE != 0
    }

    /// Both sides present and bid < ask.
    pub const fn is_two_sided_uncrossed(&self) -> bool {
        self.bid_qty.0 > 0 && self.ask_qty.0 > 0 && self.bid_px.0 < self.ask_px.0
    }

    /// Bid ≥ ask with both sides present (locked or crossed).
    pub const fn is_crossed_or_locked(&self) -> bool {
        self.bid_qty.0 > 0 && self.ask_qty.0 > 0 && self.bid_px.0 >= self.ask_px.0
    }

    /// Mid price in half-ticks (bid + ask), exact in integers.
    pub const fn mid_x2(&self) -> i64 {
        self.bid_px.0 + self.ask_px.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_round_trips_through_bytes() {
        let q = Quote {
            ts_exchange: TsNs(1),
            ts_recv: TsNs(2),
            seq: 3,
            bid_px: Px(4),
            ask_px: Px(5),
            bid_qty: Qty(6),
            ask_qty: Qty(7),
            venue: VenueId(8),
            instrument: InstrumentId(9),
            flags: QuoteFlags::SNAPSHOT,
        };
        let bytes: &[u8] = bytemuck::bytes_of(&q);
        assert_eq!(bytes.len(), 64);
        assert_eq!(&bytes[0..8], &1i64.to_le_bytes());
        assert_eq!(&bytes[58..60], &9u16.to_le_bytes());
        let back: Quote = bytemuck::pod_read_unaligned(bytes);
        assert_eq!(back, q);
    }

    #[test]
    fn book_shape_predicates() {
        let mut q = Quote {
            bid_px: Px(10),
            ask_px: Px(11),
            bid_qty: Qty(1),
            ask_qty: Qty(1),
            ..Quote::default()
        };
        assert!(q.is_two_sided_uncrossed());
        q.ask_px = Px(10);
        assert!(q.is_crossed_or_locked());
        q.ask_qty = Qty(0);
        assert!(!q.is_crossed_or_locked() && !q.is_two_sided_uncrossed());
    }
}
