//! Renders receipt records for people and tools: text, JSON lines, CSV. Each kind shows the
//! payload fields its doc in [`crate::receipt::event::Kind`] says it uses, under a meaningful
//! name, with codes decoded where an enum exists (side buy/sell, leg domestic/overseas,
//! refusal and reject reasons, kill engaged/released). Ticket, order and leg kinds also show
//! the ticket / order / leg they concern. `ts_aux` is shown whenever it is non-zero.
//!
//! [`fields`] is the decoding, shared by the printers and by summaries. Cold path.

use std::io::{self, Write};

use crate::domain::TsNs;
use crate::exec::msg::RejectReason;

use super::event::{Kind, Refusal};
use super::reader::Record;

/// Output format of `crossarb receipts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One aligned line per record: `seq time kind name=value …`.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// A fixed header row, one row per record; payload columns a kind does not use are empty.
    Csv,
}

/// Where a value sits in the payload (also the CSV column it goes to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `ticket`.
    Ticket,
    /// `order`.
    Order,
    /// `instrument`.
    Instrument,
    /// `leg`.
    Leg,
    /// `side`.
    Side,
    /// `px`.
    Px,
    /// `qty`.
    Qty,
    /// `code`.
    Code,
    /// `code2`.
    Code2,
    /// `a`.
    A,
    /// `b`.
    B,
    /// `c`.
    C,
    /// `ts_aux`.
    TsAux,
}

/// Payload columns of the CSV, in order; each is the name of its [`Slot`].
pub const SLOTS: [(Slot, &str); 13] = [
    (Slot::Ticket, "ticket"),
    (Slot::Order, "order"),
    (Slot::Instrument, "instrument"),
    (Slot::Leg, "leg"),
    (Slot::Side, "side"),
    (Slot::Px, "px"),
    (Slot::Qty, "qty"),
    (Slot::Code, "code"),
    (Slot::Code2, "code2"),
    (Slot::A, "a"),
    (Slot::B, "b"),
    (Slot::C, "c"),
    (Slot::TsAux, "ts_aux"),
];

/// The CSV header row.
pub const CSV_HEADER: &str =
    "seq,time,ts_ns,kind,ticket,order,instrument,leg,side,px,qty,code,code2,a,b,c,ts_aux";

/// A decoded value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A number.
    Int(i64),
    /// A hash, shown as `0x` + 16 hex digits.
    Hex(u64),
    /// A code with a name.
    Name(&'static str),
    /// A timestamp.
    Ts(TsNs),
}

/// One field of a record: its meaning for this kind, where it sits, and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Name for this kind (`slippage_ticks`, `dom_px`, …).
    pub name: &'static str,
    /// Payload slot.
    pub slot: Slot,
    /// Decoded value.
    pub value: Value,
}

use Slot::*;

const ORDER_IDS: [(Slot, &str); 3] = [(Ticket, "ticket"), (Order, "order"), (Leg, "leg")];

/// The slots a kind uses, with their names for this kind.
fn layout(kind: Kind) -> &'static [(Slot, &'static str)] {
    match kind {
        Kind::Start => &[(A, "seed"), (B, "config_hash")],
        Kind::Stop => &[(A, "quotes"), (B, "tickets")],
        Kind::Opportunity => &[
            (Instrument, "instrument"),
            (Side, "side"),
            (A, "spread_ticks_x1000"),
            (Px, "dom_px"),
            (B, "ovs_px"),
        ],
        Kind::Refused => &[(Code, "reason"), (A, "a"), (B, "b")],
        Kind::TicketOpen => &[
            (Ticket, "ticket"),
            (Side, "side"),
            (Qty, "dom_qty"),
            (A, "ovs_qty"),
            (Px, "dom_px"),
            (B, "ovs_px"),
        ],
        Kind::TicketState => &[
            (Ticket, "ticket"),
            (Code, "state"),
            (Code2, "prev_state"),
            (A, "reason"),
        ],
        Kind::TicketClose => &[
            (Ticket, "ticket"),
            (Code, "outcome"),
            (A, "dom_net_lots"),
            (B, "ovs_net_lots"),
            (C, "slippage_ticks"),
        ],
        Kind::OrderNew => &[
            (Ticket, "ticket"),
            (Order, "order"),
            (Leg, "leg"),
            (Side, "side"),
            (Px, "px"),
            (Qty, "qty"),
            (Code, "purpose"),
        ],
        Kind::OrderAck => &[
            (Ticket, "ticket"),
            (Order, "order"),
            (Leg, "leg"),
            (A, "ack_latency_ns"),
        ],
        Kind::Fill => &[
            (Ticket, "ticket"),
            (Order, "order"),
            (Leg, "leg"),
            (Side, "side"),
            (Px, "px"),
            (Qty, "qty"),
            (A, "slippage_ticks"),
        ],
        Kind::OrderReject => &[
            (Ticket, "ticket"),
            (Order, "order"),
            (Leg, "leg"),
            (Code, "reason"),
            (Qty, "qty"),
        ],
        Kind::OrderDone => &[
            (Ticket, "ticket"),
            (Order, "order"),
            (Leg, "leg"),
            (Qty, "unfilled_qty"),
        ],
        Kind::AckTimeout | Kind::CancelNew => &ORDER_IDS,
        Kind::Breaker => &[(Code, "breaker"), (A, "measured"), (B, "limit")],
        Kind::Kill => &[(Code, "state")],
        Kind::Residual => &[(A, "residual"), (B, "change")],
        Kind::BookState => &[(Instrument, "instrument"), (Code, "reason")],
    }
}

/// Name of the record's kind; `unknown_<n>` for a kind this build does not know.
pub fn kind_name(rec: &Record) -> String {
    match rec.kind() {
        Some(k) => k.name().to_string(),
        None => format!("unknown_{}", rec.kind_raw),
    }
}

/// The fields a record's kind uses, decoded; every slot for an unknown kind.
pub fn fields(rec: &Record) -> Vec<Field> {
    let kind = rec.kind();
    let slots: &[(Slot, &str)] = match kind {
        Some(k) => layout(k),
        None => &SLOTS[..12],
    };
    let mut out: Vec<Field> = slots
        .iter()
        .map(|&(slot, name)| Field {
            name,
            slot,
            value: value(rec, kind, slot),
        })
        .collect();
    if rec.payload.ts_aux != 0 {
        out.push(Field {
            name: "ts_aux",
            slot: TsAux,
            value: value(rec, kind, TsAux),
        });
    }
    out
}

fn value(rec: &Record, kind: Option<Kind>, slot: Slot) -> Value {
    let p = &rec.payload;
    let named = |name: Option<&'static str>, raw: i64| name.map_or(Value::Int(raw), Value::Name);
    match slot {
        Ticket => Value::Int(p.ticket.into()),
        Order => Value::Int(p.order.into()),
        Instrument => Value::Int(p.instrument.into()),
        Leg => named(leg_name(p.leg), p.leg.into()),
        Side => named(side_name(p.side), p.side.into()),
        Px => Value::Int(p.px.0),
        Qty => Value::Int(p.qty.0),
        Code => named(code_name(kind, p.code), p.code.into()),
        Code2 => Value::Int(p.code2.into()),
        A => Value::Int(p.a),
        B if kind == Some(Kind::Start) => Value::Hex(p.b as u64),
        B => Value::Int(p.b),
        C => Value::Int(p.c),
        TsAux => Value::Ts(TsNs(p.ts_aux)),
    }
}

fn side_name(v: u8) -> Option<&'static str> {
    match crate::domain::Side::from_u8(v)? {
        crate::domain::Side::Buy => Some("buy"),
        crate::domain::Side::Sell => Some("sell"),
    }
}

fn leg_name(v: u8) -> Option<&'static str> {
    match v {
        1 => Some("domestic"),
        2 => Some("overseas"),
        _ => None,
    }
}

/// Names for `code` where the kind's code has an enum. Ticket states, order purposes, breakers
/// and book reasons print as numbers until their enums exist.
fn code_name(kind: Option<Kind>, code: u16) -> Option<&'static str> {
    match kind? {
        Kind::Refused => Refusal::from_u16(code).map(Refusal::name),
        Kind::OrderReject => reject_name(code),
        Kind::Kill => match code {
            0 => Some("released"),
            1 => Some("engaged"),
            _ => None,
        },
        _ => None,
    }
}

fn reject_name(code: u16) -> Option<&'static str> {
    const ALL: [(RejectReason, &str); 4] = [
        (RejectReason::Venue, "venue"),
        (RejectReason::Disconnected, "disconnected"),
        (RejectReason::SessionClosed, "session_closed"),
        (RejectReason::CancelRefused, "cancel_refused"),
    ];
    ALL.iter()
        .find(|(r, _)| *r as u16 == code)
        .map(|(_, name)| *name)
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Hex(v) => write!(f, "{v:#018x}"),
            Value::Name(n) => f.write_str(n),
            Value::Ts(t) => write!(f, "{t}"),
        }
    }
}

/// Writes records in one format (the CSV header first).
#[derive(Debug)]
pub struct Printer<W: Write> {
    out: W,
    format: Format,
}

impl<W: Write> Printer<W> {
    /// A printer; writes the CSV header row at once.
    pub fn new(mut out: W, format: Format) -> io::Result<Printer<W>> {
        if format == Format::Csv {
            writeln!(out, "{CSV_HEADER}")?;
        }
        Ok(Printer { out, format })
    }

    /// Writes one record.
    pub fn record(&mut self, rec: &Record) -> io::Result<()> {
        match self.format {
            Format::Text => self.text(rec),
            Format::Jsonl => self.jsonl(rec),
            Format::Csv => self.csv(rec),
        }
    }

    /// Flushes and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn text(&mut self, rec: &Record) -> io::Result<()> {
        let kind = kind_name(rec);
        write!(self.out, "{:>8} {} {kind:<12}", rec.seq, rec.ts)?;
        for f in fields(rec) {
            write!(self.out, " {}={}", f.name, f.value)?;
        }
        writeln!(self.out)
    }

    fn jsonl(&mut self, rec: &Record) -> io::Result<()> {
        let kind = serde_json::to_string(&kind_name(rec))?;
        let time = serde_json::to_string(&rec.ts.to_string())?;
        write!(
            self.out,
            "{{\"seq\":{},\"time\":{time},\"ts_ns\":{},\"kind\":{kind}",
            rec.seq, rec.ts.0
        )?;
        for f in fields(rec) {
            let v = match f.value {
                Value::Int(v) => serde_json::Value::from(v),
                other => serde_json::Value::from(other.to_string()),
            };
            write!(self.out, ",\"{}\":{v}", f.name)?;
        }
        writeln!(self.out, "}}")
    }

    /// Values are numbers, timestamps and snake-case names: none needs CSV quoting.
    fn csv(&mut self, rec: &Record) -> io::Result<()> {
        let fields = fields(rec);
        write!(
            self.out,
            "{},{},{},{}",
            rec.seq,
            rec.ts,
            rec.ts.0,
            kind_name(rec)
        )?;
        for (slot, _) in SLOTS {
            match fields.iter().find(|f| f.slot == slot) {
                Some(f) => write!(self.out, ",{}", f.value)?,
                None => write!(self.out, ",")?,
            }
        }
        writeln!(self.out)
    }
}
