//! Plain data shared by every stage: integer prices and quantities, UTC nanosecond timestamps,
//! small id newtypes and the 64-byte quote event. No I/O, no allocation; any thread may use it.

mod ids;
mod num;
mod quote;

pub use ids::{InstrumentId, Side, VenueId, INSTRUMENTS_MAX, VENUES_MAX};
pub use num::{Px, Qty, TsNs, NS_PER_MS, NS_PER_SEC};
pub use quote::{Quote, QuoteFlags};
