//! What the engine writes into the receipt log: a record kind plus one fixed 64-byte payload.
//! Every stage that makes a decision or sees an order event builds one of these; the receipt
//! writer frames it (see [`crate::receipt`] for the byte layout on disk). Fixed size keeps the
//! hot-path enqueue a 64-byte copy into a ring.
//!
//! Payload fields are generic; each kind documents which ones it uses. Unused fields are zero.

use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

use crate::domain::{Px, Qty};

/// Record kinds. The numeric values are part of the file format: never reuse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Kind {
    /// Run started. `a` = seed (replay) or 0, `b` = config hash, `c` = FX rate × 10⁶,
    /// `px` = report currency as ASCII bytes, little-endian (`crate::engine::currency_code`).
    Start = 1,
    /// Run stopped cleanly. `a` = quotes processed, `b` = tickets opened, `c` = mark-to-market
    /// value of the open position at the last mids, report-currency micro units.
    Stop = 2,
    /// The spread left its band. `side` = spread side (1 buy, 2 sell), `a` = spread ticks ×1000,
    /// `px` = domestic price, `b` = overseas price (ticks), `c` = threshold crossed (ticks ×1000),
    /// `code` = 0 entry / 1 exit, `instrument` = domestic, `ts_aux` = domestic exchange time.
    Opportunity = 3,
    /// A would-be ticket or order was refused. `code` = [`Refusal`], `a`/`b` = the values compared.
    /// From the executor: `leg`, `instrument`, `code2` = purpose of the refused order or
    /// [`crate::exec::codes::REFUSED_CANCEL`].
    Refused = 4,
    /// Ticket opened. `ticket`, `side` = spread side, `qty` = domestic lots, `a` = overseas lots,
    /// `px` = domestic trigger price, `b` = overseas trigger price, `code` = mode
    /// (`exec::codes::MODE_*`), `code2` = lead leg (0 none), `ts_aux` = trigger time.
    TicketOpen = 5,
    /// Ticket state transition. `code` = new state, `code2` = previous state
    /// ([`crate::exec::codes::Phase`]), `a` = [`crate::exec::codes::Reason`], `b`/`c` = signed
    /// domestic/overseas lots of unknown fate (ack timed out). `code` = `code2` with
    /// `a` = `IgnoredInput` records an input impossible in that state.
    TicketState = 6,
    /// Ticket finished. `code` = outcome ([`crate::exec::codes::Outcome`]), `a` = domestic net
    /// lots, `b` = overseas net lots (signed, buy +), `qty` = balanced multiple of the ratio unit,
    /// `c` = realised slippage (Σ lots × ticks over every fill of both legs, positive = worse).
    TicketClose = 7,
    /// Order sent. `ticket`, `order`, `leg`, `side`, `px`, `qty`, `code` = purpose
    /// ([`crate::exec::codes::Purpose`]), `a` = attempt number of that purpose on that leg.
    OrderNew = 8,
    /// Order acknowledged by the venue. `ticket`, `order`, `leg`, `a` = ack latency ns,
    /// `code2` = anomaly ([`crate::exec::codes::anomaly`]; also for `Fill`, `OrderReject`,
    /// `OrderDone`).
    OrderAck = 9,
    /// Fill. `ticket`, `order`, `leg`, `side`, `px` = fill price, `qty` = fill lots,
    /// `a` = slippage ticks against the trigger price (positive = worse), `code` = purpose,
    /// `b` = cash flow in report-currency micro units (negative = paid), `c` = signed exposure
    /// change in base quanta (both completed by the engine, `crate::engine`).
    Fill = 10,
    /// Order rejected. `ticket`, `order`, `leg`, `code` = reject reason, `qty` = rejected lots;
    /// `a` = 1 when it is a cancel that was rejected (the order stays as it was).
    OrderReject = 11,
    /// Order done without (further) fills: cancelled or expired. `qty` = unfilled lots,
    /// `a` = leaves as the venue reported them.
    OrderDone = 12,
    /// No acknowledgement within the ack timeout: in flight, possibly filled. `ticket`, `order`,
    /// `leg`, `qty` = lots of unknown fate, `a` = ns since sent, `code` = purpose.
    AckTimeout = 13,
    /// Cancel sent. `ticket`, `order`, `leg`.
    CancelNew = 14,
    /// A circuit breaker tripped or reset. `code` = breaker, `a` = measured, `b` = limit.
    Breaker = 15,
    /// Kill switch engaged (`code` = 1) or released (`code` = 0).
    Kill = 16,
    /// Lot-alignment residual changed. `a` = residual base quanta after, `b` = change.
    Residual = 17,
    /// A quote made a book unusable or usable again. `instrument`, `code` = staleness reason.
    BookState = 18,
}

impl Kind {
    /// Every kind, for printers and tests.
    pub const ALL: [Kind; 18] = [
        Kind::Start,
        Kind::Stop,
        Kind::Opportunity,
        Kind::Refused,
        Kind::TicketOpen,
        Kind::TicketState,
        Kind::TicketClose,
        Kind::OrderNew,
        Kind::OrderAck,
        Kind::Fill,
        Kind::OrderReject,
        Kind::OrderDone,
        Kind::AckTimeout,
        Kind::CancelNew,
        Kind::Breaker,
        Kind::Kill,
        Kind::Residual,
        Kind::BookState,
    ];

    /// Decodes the on-disk value.
    pub fn from_u16(v: u16) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| *k as u16 == v)
    }

    /// Snake-case name used by the text, JSON-lines and CSV printers.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Stop => "stop",
            Kind::Opportunity => "opportunity",
            Kind::Refused => "refused",
            Kind::TicketOpen => "ticket_open",
            Kind::TicketState => "ticket_state",
            Kind::TicketClose => "ticket_close",
            Kind::OrderNew => "order_new",
            Kind::OrderAck => "order_ack",
            Kind::Fill => "fill",
            Kind::OrderReject => "order_reject",
            Kind::OrderDone => "order_done",
            Kind::AckTimeout => "ack_timeout",
            Kind::CancelNew => "cancel_new",
            Kind::Breaker => "breaker",
            Kind::Kill => "kill",
            Kind::Residual => "residual",
            Kind::BookState => "book_state",
        }
    }
}

/// Why something was refused (`code` of [`Kind::Refused`]). Values are part of the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Refusal {
    /// Kill switch engaged.
    KillSwitch = 1,
    /// A circuit breaker is tripped.
    Breaker = 2,
    /// Position limit.
    PositionLimit = 3,
    /// Naked exposure limit.
    NakedExposure = 4,
    /// Order rate limit.
    OrderRate = 5,
    /// Ticket notional limit.
    Notional = 6,
    /// Order or cancel budget of the trading day used up.
    DailyBudget = 7,
    /// Receipt ring full: no new tickets until it drains.
    ReceiptBackpressure = 8,
    /// Venue outside its trading session.
    SessionClosed = 9,
    /// Book limit-locked (at the daily price limit).
    LimitLocked = 10,
    /// Not enough size on a book.
    SizeShort = 11,
    /// Cooldown since the previous ticket.
    Cooldown = 12,
    /// Another ticket still open.
    TicketOpen = 13,
    /// The two legs' exchange timestamps too far apart.
    LegSkew = 14,
}

impl Refusal {
    /// Every reason, for printers and tests.
    pub const ALL: [Refusal; 14] = [
        Refusal::KillSwitch,
        Refusal::Breaker,
        Refusal::PositionLimit,
        Refusal::NakedExposure,
        Refusal::OrderRate,
        Refusal::Notional,
        Refusal::DailyBudget,
        Refusal::ReceiptBackpressure,
        Refusal::SessionClosed,
        Refusal::LimitLocked,
        Refusal::SizeShort,
        Refusal::Cooldown,
        Refusal::TicketOpen,
        Refusal::LegSkew,
    ];

    /// Decodes the on-disk value.
    pub fn from_u16(v: u16) -> Option<Refusal> {
        Refusal::ALL.iter().copied().find(|r| *r as u16 == v)
    }

    /// Snake-case name used by the printers.
    pub const fn name(self) -> &'static str {
        match self {
            Refusal::KillSwitch => "kill_switch",
            Refusal::Breaker => "breaker",
            Refusal::PositionLimit => "position_limit",
            Refusal::NakedExposure => "naked_exposure",
            Refusal::OrderRate => "order_rate",
            Refusal::Notional => "notional",
            Refusal::DailyBudget => "daily_budget",
            Refusal::ReceiptBackpressure => "receipt_backpressure",
            Refusal::SessionClosed => "session_closed",
            Refusal::LimitLocked => "limit_locked",
            Refusal::SizeShort => "size_short",
            Refusal::Cooldown => "cooldown",
            Refusal::TicketOpen => "ticket_open",
            Refusal::LegSkew => "leg_skew",
        }
    }
}

/// The fixed payload of every receipt record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Payload {
    /// Ticket number (0 = none).
    pub ticket: u32,
    /// Order number (0 = none).
    pub order: u32,
    /// A price in ticks of `instrument`.
    pub px: Px,
    /// A quantity in lots of `instrument`.
    pub qty: Qty,
    /// Kind-specific value.
    pub a: i64,
    /// Kind-specific value.
    pub b: i64,
    /// Kind-specific value.
    pub c: i64,
    /// Instrument id.
    pub instrument: u16,
    /// Leg: 0 none, 1 domestic, 2 overseas.
    pub leg: u8,
    /// Side: 0 none, 1 buy, 2 sell.
    pub side: u8,
    /// Kind-specific code (reason, state, purpose).
    pub code: u16,
    /// Second kind-specific code.
    pub code2: u16,
    /// Kind-specific timestamp (e.g. the exchange time of the triggering quote), UTC ns.
    pub ts_aux: i64,
}

const _: () = assert!(size_of::<Payload>() == 64);

/// One receipt as the engine hands it to the writer: kind, event time and payload.
/// The writer assigns the sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: Kind,
    /// When (engine clock: simulated in replay, TSC-derived UTC in live), UTC ns.
    pub ts: i64,
    /// The details.
    pub payload: Payload,
}
