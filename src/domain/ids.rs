//! Small id newtypes. Ids index fixed arrays on the hot path, so their ranges are bounded here.

use bytemuck::{Pod, Zeroable};
use serde::Serialize;

/// Most venues one engine knows (fixed arrays are sized by this).
pub const VENUES_MAX: usize = 8;
/// Most instruments one engine knows, FX included.
pub const INSTRUMENTS_MAX: usize = 32;

/// Index of a venue in the config's `[[venues]]` table, in file order.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable, Serialize,
)]
#[repr(transparent)]
pub struct VenueId(pub u16);

/// Index of an instrument in the config's `[[instruments]]` table (and in a capture's instrument
/// table), in file order.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Pod, Zeroable, Serialize,
)]
#[repr(transparent)]
pub struct InstrumentId(pub u16);

impl VenueId {
    /// The id as an array index.
    pub const fn idx(self) -> usize {
        self.0 as usize
    }
}

impl InstrumentId {
    /// The id as an array index.
    pub const fn idx(self) -> usize {
        self.0 as usize
    }
}

/// Order or trade side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum Side {
    /// Buy: pays the ask.
    Buy = 1,
    /// Sell: hits the bid.
    Sell = 2,
}

impl Side {
    /// The other side (used to unwind a fill).
    pub const fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// +1 for a buy, −1 for a sell: the sign a fill adds to a position.
    pub const fn sign(self) -> i64 {
        match self {
            Side::Buy => 1,
            Side::Sell => -1,
        }
    }

    /// Decodes the `u8` form used in binary records.
    pub const fn from_u8(v: u8) -> Option<Side> {
        match v {
            1 => Some(Side::Buy),
            2 => Some(Side::Sell),
            _ => None,
        }
    }
}
