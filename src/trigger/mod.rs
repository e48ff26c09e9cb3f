//! Aligner, spread trigger, lot alignment and risk gates: the stages between the feed rings and
//! the two-leg executor. All run on the trigger thread live and on the deterministic stepper in
//! replay (same code). Built once from the validated [`crate::config::Config`] (cold); after
//! that no allocation, fixed arrays indexed by id, integer decisions.
//!
//! * [`calendar`]: venue sessions, holidays, trading days (chrono-tz, DST exact).
//! * [`book`]: latest top of book per instrument and whether it is usable.
//! * [`spread`]: spread forms, bands with hysteresis, gates → [`spread::Opportunity`].
//! * [`lots`]: lot ratio between legs and the residual ledger.
//! * [`risk`]: pre-trade checks, circuit breakers, kill switch.

pub mod book;
pub mod calendar;
pub mod lots;
pub mod risk;
pub mod spread;

pub use book::{BookChange, BookError, BookTable, Unusable};
pub use calendar::{Calendar, CalendarError};
pub use lots::{align_lots, LotRatio, LotsError, ResidualLedger, TicketLots};
pub use risk::{Breaker, KillSwitch, Proposal, Refused, RiskError, RiskGate, Trip};
pub use spread::{NoSignal, Opportunity, Position, SignalKind, SpreadError, SpreadTrigger};
