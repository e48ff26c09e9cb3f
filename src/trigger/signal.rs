//! What the spread trigger says: an [`Opportunity`] when the spread left its band, or why not
//! ([`NoSignal`]); and the hysteresis state ([`Position`]) it keeps. Plain `Copy` data passed
//! from the trigger to the stepper / executor by value.

use crate::domain::{InstrumentId, Px, Qty, Side, TsNs};
use crate::receipt::event::Refusal;
use crate::trigger::book::Unusable;

/// Hysteresis state of the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// No spread position.
    Flat,
    /// Spread sold (domestic short, overseas long).
    Short,
    /// Spread bought (domestic long, overseas short).
    Long,
}

/// Whether a signal opens or closes a spread position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalKind {
    /// Opens from Flat.
    Entry,
    /// Closes back to Flat.
    Exit,
}

/// The spread left its band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Opportunity {
    /// Spread side: `Sell` = sell domestic / buy overseas, `Buy` = buy domestic / sell overseas.
    pub side: Side,
    /// Entry or exit.
    pub kind: SignalKind,
    /// Executable domestic price (ticks): bid when selling the spread, ask when buying.
    pub dom_px: Px,
    /// Executable overseas price (ticks): ask when selling the spread, bid when buying.
    pub ovs_px: Px,
    /// Lots displayed at `dom_px`.
    pub dom_qty: Qty,
    /// Lots displayed at `ovs_px`.
    pub ovs_qty: Qty,
    /// The spread value compared, milli-spread-ticks.
    pub spread_milli: i64,
    /// The threshold it crossed, milli-spread-ticks.
    pub threshold_milli: i64,
    /// FX rate used (domestic per overseas currency).
    pub fx: f64,
    /// Evaluation time.
    pub ts: TsNs,
    /// Exchange time of the domestic quote.
    pub dom_ts_exchange: TsNs,
}

/// Why [`crate::trigger::SpreadTrigger::evaluate`] gave no opportunity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoSignal {
    /// A leg's book or the live FX rate is unusable (no receipt: `BookState` records it).
    Unusable(InstrumentId, Unusable),
    /// A price made the spread non-finite (e.g. ratio with a non-positive overseas price).
    NonFinite,
    /// Inside the band. Values are milli-spread-ticks (`i64::MIN`/`MAX` when not computed).
    InBand {
        /// Sell value.
        sell_milli: i64,
        /// Buy value.
        buy_milli: i64,
    },
    /// The band was left but a gate held: write a `Refused` receipt with these.
    Gated {
        /// The opportunity that was held.
        opp: Opportunity,
        /// Which gate.
        refusal: Refusal,
        /// Measured value.
        value: i64,
        /// Limit it was compared with.
        limit: i64,
    },
}
