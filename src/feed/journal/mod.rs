//! The input journal of a live session: every input the live engine took, in the order it took
//! them, with the `now` it was given — so that `crossarb replay --journal` can drive the same
//! [`crate::engine::Engine`] through the same sequence and must reach the same decisions. Quotes
//! themselves live in the session's capture (`<dir>.cap`); the journal refers to each quote the
//! engine processed (venue, instrument, `ts_recv`, `seq` and a CRC of its 64 bytes) so that the
//! replay finds it there and checks it is the same quote. Execution reports, timer calls, kill
//! switch changes, the start and the stop are recorded whole, and so is every order the engine
//! sent (outputs, checked by the replay).
//!
//! Written by the live receipt stage from records the engine stage pushes into a ring
//! ([`crate::runtime::pipeline`]); read by [`crate::replay::session`] at start-up (cold).
//!
//! # Format, version 1 (all integers little-endian)
//!
//! A 64-byte header, then fixed 64-byte records. The file is `<dir>.journal` next to the capture
//! `<dir>.cap`; it is written as `<path>.partial` and renamed into place when the run stops.
//!
//! | off | size | field       | meaning                                                        |
//! |----:|-----:|-------------|----------------------------------------------------------------|
//! |   0 |    8 | magic       | `XARBJNL\0`                                                    |
//! |   8 |    2 | version     | u16, `1`                                                       |
//! |  10 |    2 | record_size | u16, `64`                                                      |
//! |  12 |    4 | reserved    | zero                                                           |
//! |  16 |    8 | config_hash | u64, hash of the config the run used (`Config::source.hash`)   |
//! |  24 |    8 | created_at  | i64, UTC ns: the start stamp of the run's receipt log          |
//! |  32 |   28 | reserved    | zero                                                           |
//! |  60 |    4 | crc32       | u32, CRC-32 (IEEE, as `crc32fast`) of bytes `[0, 60)`          |
//!
//! Record ([`Record`]):
//!
//! | off | size | field      | meaning                                                          |
//! |----:|-----:|------------|------------------------------------------------------------------|
//! |   0 |    4 | crc32      | u32, CRC-32 of bytes `[4, 64)` of this record                    |
//! |   4 |    1 | kind       | [`kind`]: 1 start, 2 quote, 3 report, 4 timer, 5 stop, 6 kill, 7 order |
//! |   5 |    1 | code       | report: 1 ack, 2 fill, 3 rejected, 4 done, 5 cancel rejected; order: 1 new, 2 cancel; kill: 1 engaged, 0 released |
//! |   6 |    2 | instrument | u16, config instrument id (quote, report, order)                 |
//! |   8 |    8 | input      | u64, engine input index: of this input (kinds 1–5), of the input it preceded (kill) or was sent during (order) |
//! |  16 |    8 | now        | i64, UTC ns given to the engine (kinds 1–5); order: the request's `ts` |
//! |  24 |    8 | a          | start: seed; quote: `ts_recv`; report: fill px, done leaves or reject reason; order: px |
//! |  32 |    8 | b          | quote: `seq`; report: fill qty; order: qty                       |
//! |  40 |    8 | c          | quote: venue id; report: `ts_exchange`; order: side (1 buy, 2 sell) |
//! |  48 |    8 | d          | quote: CRC-32 of the quote's 64 bytes; report: `ts_recv`; order: tif (1 IOC, 2 limit) |
//! |  56 |    4 | emits_ok   | u32, receipts the engine's sink accepted during this input before the first it refused (back-pressure); `u32::MAX` = none refused |
//! |  60 |    4 | order      | u32, order id (report, order)                                    |
//!
//! Order. Input records are written after the engine processed the input, so the orders it sent
//! during input `i` come before input record `i`; a kill record with `input = i` comes before
//! them and applies before input `i` (the engine stage mirrors the shared kill switch into the
//! engine's own only between inputs, so the engine never sees it change inside an input).
//! Input indexes start at 0 (the start) and grow by one per input record.

mod file;

pub use file::{Journal, JournalError, JournalWriter};

use bytemuck::{Pod, Zeroable};

use crate::domain::{InstrumentId, Px, Qty, Quote, Side, TsNs, VenueId};
use crate::exec::msg::{
    ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind, Tif,
};

/// File magic.
pub const MAGIC: [u8; 8] = *b"XARBJNL\0";
/// The format version this code reads and writes.
pub const VERSION: u16 = 1;
/// Header and record size.
pub const RECORD_BYTES: usize = 64;
/// `emits_ok` when the sink refused nothing during the input.
pub const ALL_EMITS_OK: u32 = u32::MAX;

/// Record kinds.
pub mod kind {
    /// `Engine::start`.
    pub const START: u8 = 1;
    /// `Engine::on_quote`.
    pub const QUOTE: u8 = 2;
    /// `Engine::on_report`.
    pub const REPORT: u8 = 3;
    /// `Engine::on_timer`.
    pub const TIMER: u8 = 4;
    /// `Engine::stop`.
    pub const STOP: u8 = 5;
    /// The engine's kill switch changed.
    pub const KILL: u8 = 6;
    /// The engine sent an order.
    pub const ORDER: u8 = 7;
}

/// One 64-byte journal record (see the module doc for the byte table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Record {
    /// CRC-32 of bytes `[4, 64)`, filled in by the writer.
    pub crc: u32,
    /// [`kind`].
    pub kind: u8,
    /// Sub-kind.
    pub code: u8,
    /// Config instrument id.
    pub instrument: u16,
    /// Engine input index.
    pub input: u64,
    /// `now` of the input (order: request `ts`).
    pub now: i64,
    /// Field a.
    pub a: i64,
    /// Field b.
    pub b: i64,
    /// Field c.
    pub c: i64,
    /// Field d.
    pub d: i64,
    /// Receipts accepted before the first refusal.
    pub emits_ok: u32,
    /// Order id.
    pub order: u32,
}

const _: () = assert!(core::mem::size_of::<Record>() == RECORD_BYTES);

/// A decoded record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The run started (`Start` receipt).
    Start {
        /// Seed written into `Start`.
        seed: u64,
    },
    /// A quote, to be found in the capture.
    Quote(QuoteRef),
    /// An execution report.
    Report(ExecReport),
    /// A timer call.
    Timer,
    /// The run stopped (`Stop` receipt).
    Stop,
    /// The kill switch was engaged (true) or released before the input.
    Kill(bool),
    /// An order the engine sent.
    Order(OrderRequest),
}

/// What identifies a quote in the capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteRef {
    /// Venue.
    pub venue: VenueId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Receive stamp.
    pub ts_recv: TsNs,
    /// Feed sequence.
    pub seq: u64,
    /// CRC-32 of the quote's 64 bytes.
    pub crc: u32,
}

impl QuoteRef {
    /// The reference of `q`. Hot (engine stage): one CRC over 64 bytes, no allocation.
    #[inline]
    pub fn of(q: &Quote) -> QuoteRef {
        QuoteRef {
            venue: q.venue,
            instrument: q.instrument,
            ts_recv: q.ts_recv,
            seq: q.seq,
            crc: crc32fast::hash(bytemuck::bytes_of(q)),
        }
    }

    /// True when `q` is the referenced quote.
    pub fn matches(&self, q: &Quote) -> bool {
        q.venue == self.venue && q.ts_recv == self.ts_recv && *self == QuoteRef::of(q)
    }
}

impl Record {
    /// The record of an input (`emits_ok` and `input` are set by the caller).
    pub fn input(e: &Entry, now: TsNs) -> Record {
        let mut r = Record::encode(e);
        r.now = now.0;
        r
    }

    /// Encodes `e` (`input`, `now` of inputs and `emits_ok` left for the caller).
    pub fn encode(e: &Entry) -> Record {
        let mut r = Record {
            emits_ok: ALL_EMITS_OK,
            ..Record::default()
        };
        match *e {
            Entry::Start { seed } => {
                r.kind = kind::START;
                r.a = seed as i64;
            }
            Entry::Quote(q) => {
                r.kind = kind::QUOTE;
                r.instrument = q.instrument.0;
                (r.a, r.b, r.c, r.d) = (
                    q.ts_recv.0,
                    q.seq as i64,
                    i64::from(q.venue.0),
                    i64::from(q.crc),
                );
            }
            Entry::Report(rep) => {
                r.kind = kind::REPORT;
                r.instrument = rep.instrument.0;
                r.order = rep.order.0;
                (r.c, r.d) = (rep.ts_exchange.0, rep.ts_recv.0);
                (r.code, r.a, r.b) = match rep.kind {
                    ReportKind::Ack => (1, 0, 0),
                    ReportKind::Fill { px, qty } => (2, px.0, qty.0),
                    ReportKind::Rejected(why) => (3, why as i64, 0),
                    ReportKind::Done { leaves } => (4, leaves.0, 0),
                    ReportKind::CancelRejected(why) => (5, why as i64, 0),
                };
            }
            Entry::Timer => r.kind = kind::TIMER,
            Entry::Stop => r.kind = kind::STOP,
            Entry::Kill(on) => {
                r.kind = kind::KILL;
                r.code = u8::from(on);
            }
            Entry::Order(req) => {
                r.kind = kind::ORDER;
                r.instrument = req.instrument.0;
                r.order = req.order.0;
                r.now = req.ts.0;
                match req.kind {
                    RequestKind::New { side, px, qty, tif } => {
                        r.code = 1;
                        (r.a, r.b, r.c) = (px.0, qty.0, side as i64);
                        r.d = match tif {
                            Tif::Ioc => 1,
                            Tif::Limit => 2,
                        };
                    }
                    RequestKind::Cancel => r.code = 2,
                }
            }
        }
        r
    }

    /// Decodes the record; `Err` names the field that holds no valid value.
    pub fn decode(&self) -> Result<Entry, &'static str> {
        Ok(match self.kind {
            kind::START => Entry::Start {
                seed: self.a as u64,
            },
            kind::QUOTE => Entry::Quote(QuoteRef {
                venue: VenueId(u16::try_from(self.c).map_err(|_| "c (venue id)")?),
                instrument: InstrumentId(self.instrument),
                ts_recv: TsNs(self.a),
                seq: self.b as u64,
                crc: u32::try_from(self.d).map_err(|_| "d (quote CRC)")?,
            }),
            kind::REPORT => Entry::Report(ExecReport {
                order: OrderId(self.order),
                instrument: InstrumentId(self.instrument),
                kind: match self.code {
                    1 => ReportKind::Ack,
                    2 => ReportKind::Fill {
                        px: Px(self.a),
                        qty: Qty(self.b),
                    },
                    3 => ReportKind::Rejected(reject_reason(self.a)?),
                    4 => ReportKind::Done {
                        leaves: Qty(self.a),
                    },
                    5 => ReportKind::CancelRejected(reject_reason(self.a)?),
                    _ => return Err("code (report kind 1-5)"),
                },
                ts_exchange: TsNs(self.c),
                ts_recv: TsNs(self.d),
            }),
            kind::TIMER => Entry::Timer,
            kind::STOP => Entry::Stop,
            kind::KILL => match self.code {
                0 | 1 => Entry::Kill(self.code == 1),
                _ => return Err("code (kill 0 or 1)"),
            },
            kind::ORDER => Entry::Order(OrderRequest {
                order: OrderId(self.order),
                instrument: InstrumentId(self.instrument),
                kind: match self.code {
                    1 => RequestKind::New {
                        side: match self.c {
                            1 => Side::Buy,
                            2 => Side::Sell,
                            _ => return Err("c (side 1 or 2)"),
                        },
                        px: Px(self.a),
                        qty: Qty(self.b),
                        tif: match self.d {
                            1 => Tif::Ioc,
                            2 => Tif::Limit,
                            _ => return Err("d (tif 1 or 2)"),
                        },
                    },
                    2 => RequestKind::Cancel,
                    _ => return Err("code (request 1 or 2)"),
                },
                ts: TsNs(self.now),
            }),
            _ => return Err("kind (1-7)"),
        })
    }

    /// True for the kinds that are engine inputs (start, quote, report, timer, stop).
    pub fn is_input(&self) -> bool {
        (kind::START..=kind::STOP).contains(&self.kind)
    }

    /// CRC-32 of bytes `[4, 64)`.
    pub fn compute_crc(&self) -> u32 {
        crc32fast::hash(&bytemuck::bytes_of(self)[4..])
    }
}

fn reject_reason(v: i64) -> Result<RejectReason, &'static str> {
    Ok(match v {
        1 => RejectReason::Venue,
        2 => RejectReason::Disconnected,
        3 => RejectReason::SessionClosed,
        4 => RejectReason::CancelRefused,
        _ => return Err("a (reject reason 1-4)"),
    })
}

/// The journal next to a capture: `x.cap` → `x.journal`.
pub fn path_for_capture(capture: &std::path::Path) -> std::path::PathBuf {
    capture.with_extension("journal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_kind_round_trips_through_a_record() {
        let entries = [
            Entry::Start { seed: 7 },
            Entry::Quote(QuoteRef {
                venue: VenueId(1),
                instrument: InstrumentId(2),
                ts_recv: TsNs(1_700_000_000_000_000_123),
                seq: 99,
                crc: 0xdead_beef,
            }),
            Entry::Report(ExecReport {
                order: OrderId(5),
                instrument: InstrumentId(1),
                kind: ReportKind::Fill {
                    px: Px(7001),
                    qty: Qty(3),
                },
                ts_exchange: TsNs(10),
                ts_recv: TsNs(11),
            }),
            Entry::Report(ExecReport {
                order: OrderId(6),
                instrument: InstrumentId(0),
                kind: ReportKind::CancelRejected(RejectReason::CancelRefused),
                ts_exchange: TsNs(12),
                ts_recv: TsNs(13),
            }),
            Entry::Timer,
            Entry::Stop,
            Entry::Kill(true),
            Entry::Order(OrderRequest {
                order: OrderId(9),
                instrument: InstrumentId(1),
                kind: RequestKind::New {
                    side: Side::Sell,
                    px: Px(-4),
                    qty: Qty(2),
                    tif: Tif::Limit,
                },
                ts: TsNs(77),
            }),
            Entry::Order(OrderRequest {
                order: OrderId(9),
                instrument: InstrumentId(1),
                kind: RequestKind::Cancel,
                ts: TsNs(78),
            }),
        ];
        for e in entries {
            assert_eq!(Record::encode(&e).decode(), Ok(e));
        }
    }

    #[test]
    fn a_record_with_an_unknown_kind_or_code_names_the_field() {
        let mut r = Record::encode(&Entry::Timer);
        r.kind = 42;
        assert_eq!(r.decode(), Err("kind (1-7)"));
        let mut r = Record::encode(&Entry::Kill(false));
        r.code = 3;
        assert_eq!(r.decode(), Err("code (kill 0 or 1)"));
    }
}
