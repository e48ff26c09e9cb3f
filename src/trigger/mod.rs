//! Aligner, spread trigger, lot alignment and risk gates: the stages between the feed rings and
//! the two-leg executor. All run on the trigger thread live and on the deterministic stepper in
//! replay (same code). Built once from the validated [`crate::config::Config`] (cold); after
//! that no allocation, fixed arrays indexed by id, integer decisions.
//!
//! * [`calendar`]: venue sessions, holidays, trading days (chrono-tz, DST exact).
//! * [`book`]: latest top of book per instrument and whether it is usable.
//! * [`form`]: spread formulas and the float → integer milli-tick conversion.
//! * [`spread`]: bands with hysteresis and gates → [`signal::Opportunity`] / [`signal::NoSignal`].
//! * [`lots`]: lot ratio between legs and the residual ledger.
//! * [`risk`]: pre-trade checks; [`breaker`]: circuit breakers; [`kill`]: the kill switch.

pub mod book;
pub mod breaker;
pub mod calendar;
pub mod form;
pub mod kill;
pub mod lots;
pub mod risk;
pub mod signal;
pub mod spread;

pub use book::{BookChange, BookError, BookTable, Unusable};
pub use breaker::{Breaker, Breakers, Trip};
pub use calendar::{yyyymmdd, Calendar, CalendarError};
pub use kill::KillSwitch;
pub use lots::{align_lots, LotRatio, LotsError, ResidualLedger, TicketLots};
pub use risk::{Proposal, Refused, RiskError, RiskGate};
pub use spread::{
    Decision, NoSignal, Opportunity, Position, Signal, SignalKind, SpreadError, SpreadTrigger,
};
