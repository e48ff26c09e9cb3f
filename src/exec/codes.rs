//! Numeric codes the executor writes into receipt payloads (`code`, `code2`, `a`): ticket
//! states, order purposes, ticket outcomes, transition reasons and report anomalies. The values
//! are part of the receipt file format: never reuse or renumber one. Plain data, any thread.

/// Ticket state (`code`/`code2` of [`Kind::TicketState`](crate::receipt::event::Kind)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Phase {
    /// Created, `open` not yet stepped (only ever seen as `code2` of the first transition).
    Pending = 0,
    /// Entry orders working (lead/lag: the lag leg follows the lead's fills).
    Working = 1,
    /// A leg ended short; its missing quantity is being re-priced.
    Backfilling = 2,
    /// Backfill gave up; filled quantity beyond the largest balanced multiple is unwound.
    RollingBack = 3,
    /// Closed: both legs filled to target, nothing in flight.
    Balanced = 4,
    /// Closed: both legs at the same multiple `k` < target of the ratio unit, nothing in flight.
    RolledBack = 5,
    /// Closed without balance by the ticket deadline: a human must take over. Late reports are
    /// still applied to the position; no order is sent for it any more.
    Stuck = 6,
}

impl Phase {
    /// Every state, for tables and printers.
    pub const ALL: [Phase; 7] = [
        Phase::Pending,
        Phase::Working,
        Phase::Backfilling,
        Phase::RollingBack,
        Phase::Balanced,
        Phase::RolledBack,
        Phase::Stuck,
    ];

    /// Decodes a receipt code.
    pub fn from_code(v: u16) -> Option<Phase> {
        Phase::ALL.iter().copied().find(|p| *p as u16 == v)
    }

    /// The ticket may still send orders.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            Phase::Working | Phase::Backfilling | Phase::RollingBack
        )
    }

    /// The ticket has written its `TicketClose`.
    pub const fn is_closed(self) -> bool {
        matches!(self, Phase::Balanced | Phase::RolledBack | Phase::Stuck)
    }

    /// Outcome written into `TicketClose` for a closed state.
    pub const fn outcome(self) -> Option<Outcome> {
        match self {
            Phase::Balanced => Some(Outcome::Balanced),
            Phase::RolledBack => Some(Outcome::RolledBack),
            Phase::Stuck => Some(Outcome::Stuck),
            _ => None,
        }
    }
}

/// Why an order was sent (`code` of `OrderNew` and of `Fill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Purpose {
    /// First order(s) of a leg at trigger ± `slippage_ticks`.
    Entry = 1,
    /// Re-priced missing quantity.
    Backfill = 2,
    /// Unwind of filled quantity.
    Rollback = 3,
}

/// `code2` of a `Refused` receipt written by the executor when the refused thing was a cancel
/// (otherwise `code2` is the [`Purpose`] of the refused order).
pub const REFUSED_CANCEL: u16 = 4;

/// Ticket outcome (`code` of `TicketClose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Outcome {
    /// Both legs filled to target.
    Balanced = 1,
    /// Both legs at a smaller common multiple of the ratio unit (0 = fully unwound).
    RolledBack = 2,
    /// Not balanced by the ticket deadline.
    Stuck = 3,
}

/// Why a ticket changed state (`a` of `TicketState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Reason {
    /// `open` stepped: entries go out.
    Opened = 1,
    /// Both legs at target with nothing in flight.
    BothFilled = 2,
    /// An order ended short (reject, IOC remainder, cancel): backfill starts.
    LegShort = 3,
    /// `backfill_attempts_max` used and quantity still missing.
    BackfillExhausted = 4,
    /// `backfill_deadline_ms` passed with quantity still missing.
    BackfillDeadline = 5,
    /// The day's order budget of a leg refused a forward order.
    DailyBudget = 6,
    /// Rollback reached a balanced multiple with nothing in flight.
    Unwound = 7,
    /// `ticket_deadline_ms` passed before the ticket balanced or rolled back.
    TicketDeadline = 8,
    /// A venue filled more than an order asked: the excess must be unwound.
    Overfill = 9,
    /// An input that cannot happen in this state (e.g. `open` twice): recorded, ignored.
    IgnoredInput = 10,
}

/// `code2` of order-event receipts (`OrderAck`, `Fill`, `OrderReject`, `OrderDone`): what was
/// unusual about the report. Fills are applied to the position whatever this says (a venue's fill
/// is a fact) except for [`anomaly::UNKNOWN_ORDER`] and [`anomaly::INSTRUMENT_MISMATCH`], where
/// the executor cannot know the side: such a receipt is an incident for a human.
pub mod anomaly {
    /// A normal report.
    pub const NONE: u16 = 0;
    /// No retained ticket owns the order id. Not applied.
    pub const UNKNOWN_ORDER: u16 = 1;
    /// The order had already ended, or the report answers nothing we sent (duplicate ack, late
    /// reject/done, cancel-reject without a cancel). Ignored, except a fill, which is applied.
    pub const ORDER_FINAL: u16 = 2;
    /// The fill takes the order beyond its quantity. Applied; the ticket rolls the excess back.
    pub const OVERFILL: u16 = 3;
    /// The report names another instrument than the order. Not applied.
    pub const INSTRUMENT_MISMATCH: u16 = 4;
    /// The ticket had already closed (late report). Applied like any other report.
    pub const AFTER_CLOSE: u16 = 5;
    /// A fill of zero or negative quantity. Not applied.
    pub const BAD_QTY: u16 = 6;
    /// `Done` with fewer leaves than the lots not yet reported filled: the difference is
    /// awaited as fills (the order stays live for it), never assumed unfilled.
    pub const FILLS_PENDING: u16 = 7;
}

/// Payload `leg` of the domestic leg.
pub const LEG_DOMESTIC: u8 = 1;
/// Payload `leg` of the overseas leg.
pub const LEG_OVERSEAS: u8 = 2;

/// `code` of `TicketOpen`: how the legs are sent (`code2` = payload leg of the lead, 0 = none).
pub const MODE_CONCURRENT: u16 = 1;
/// See [`MODE_CONCURRENT`].
pub const MODE_LEAD_LAG: u16 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_codes_round_trip_and_partition_open_and_closed() {
        for p in Phase::ALL {
            assert_eq!(Phase::from_code(p as u16), Some(p));
            assert!(!(p.is_open() && p.is_closed()));
            assert_eq!(p.outcome().is_some(), p.is_closed());
        }
        assert_eq!(Phase::from_code(7), None);
    }
}
