//! An in-process venue for benches and tests of the threaded pipeline: the gateway stage's
//! [`VenueLink`] without a socket. Orders go through the real FIX [`Session`] — encoded into
//! its outbound buffer, which [`VenueLink::flush`] then "writes" by discarding it (the bytes
//! are ready for a socket, and none is there) — and the venue answers every NewOrderSingle with
//! an ExecutionReport `New` (ack) and a full `Trade` at the order's price, and every cancel with
//! `Canceled`, encoded as FIX and fed back through [`Session::on_bytes`], so the inbound decode
//! path is the live one too. Logged on at construction. Runs on the gateway thread; after
//! construction nothing allocates (fixed answer queue, stack encode buffer).

use std::collections::VecDeque;
use std::time::Duration;

use super::gateway_stage::VenueLink;
use crate::config::Config;
use crate::domain::{InstrumentId, Side, TsNs, VenueId};
use crate::exec::msg::{ExecReport, OrderRequest, RequestKind};
use crate::feed::decimal::Decimal;
use crate::gateway::fix::app::px_to_decimal;
use crate::gateway::fix::msg::{ExecutionReport, Logon};
use crate::gateway::fix::text::{u64_digits, U64_DIGITS_MAX};
use crate::gateway::fix::{
    Encoder, Event, FixMsg, Header, Instruments, SendError, SeqNums, Session, SessionConfig, State,
};

/// Orders waiting for the venue's answer (preallocated; an order beyond it is not answered and
/// counted in [`LoopbackLink::unanswered`]).
const ANSWERS: usize = 4096;
/// Room for one encoded ExecutionReport.
const MSG_BYTES: usize = 512;
const CLIENT: &[u8] = b"CROSSARB";
const VENUE: &[u8] = b"LOOPBACK";
/// Longest FIX symbol the loopback venue answers for.
const SYMBOL_MAX: usize = 32;

/// The in-process venue (see the module doc).
#[derive(Debug)]
pub struct LoopbackLink {
    session: Session,
    /// (instrument, FIX symbol, its length, tick) of the venue's instruments.
    symbols: Vec<(InstrumentId, [u8; SYMBOL_MAX], usize, Decimal)>,
    answers: VecDeque<OrderRequest>,
    next_out: u64,
    exec_id: u64,
    /// Outbound bytes "written" (discarded) so far.
    pub bytes_written: u64,
    /// Orders the answer queue could not take.
    pub unanswered: u64,
}

/// Why a loopback venue could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    /// The venue's instruments do not make a FIX instrument table.
    #[error("loopback venue {venue}: {source}")]
    Instruments {
        /// Venue name.
        venue: String,
        /// Cause.
        source: crate::gateway::fix::app::TableError,
    },
    /// The session config was refused.
    #[error("loopback venue {venue}: {source}")]
    Session {
        /// Venue name.
        venue: String,
        /// Cause.
        source: crate::gateway::fix::session::ConfigError,
    },
    /// The session did not log on from the venue's Logon.
    #[error("loopback venue {0}: the FIX session did not log on")]
    Logon(String),
}

/// The loopback client session's settings (sender `CROSSARB`, target `LOOPBACK`): the
/// longest heartbeat (no heartbeats or test requests in a bench run), sequence numbers reset at
/// logon, no credentials. Also what `benches/fix.rs` sends through.
pub fn session_config() -> SessionConfig {
    SessionConfig {
        sender: CLIENT.to_vec(),
        target: VENUE.to_vec(),
        heart_bt_s: 3600,
        reset_on_logon: true,
        username: None,
        password: None,
        logon_timeout_ms: 5_000,
        logout_timeout_ms: 1_000,
        resend_age_max_ms: 1_000,
        resend_capacity: 1024,
        orders_capacity: 4096,
        outbound_bytes: 1 << 16,
    }
}

impl LoopbackLink {
    /// A logged-on loopback venue for the instruments of `venue` in `cfg`. Cold.
    pub fn new(cfg: &Config, venue: VenueId, now: TsNs) -> Result<LoopbackLink, LoopbackError> {
        let name = cfg.venues[venue.idx()].name.clone();
        let ins = Instruments::from_config(&cfg.instruments, venue).map_err(|source| {
            LoopbackError::Instruments {
                venue: name.clone(),
                source,
            }
        })?;
        let symbols = cfg
            .instruments
            .iter()
            .filter(|i| i.venue == venue)
            .filter_map(|i| {
                let tick = Decimal::from_f64_shortest(i.tick_size)?;
                let b = i.symbol.as_bytes();
                let mut sym = [0u8; SYMBOL_MAX];
                sym.get_mut(..b.len())?.copy_from_slice(b);
                Some((i.id, sym, b.len(), tick))
            })
            .collect();
        let sc = session_config();
        let session =
            Session::new(sc, ins, SeqNums::default()).map_err(|source| LoopbackError::Session {
                venue: name.clone(),
                source,
            })?;
        let mut link = LoopbackLink {
            session,
            symbols,
            answers: VecDeque::with_capacity(ANSWERS),
            next_out: 1,
            exec_id: 0,
            bytes_written: 0,
            unanswered: 0,
        };
        link.session.on_connected(now);
        link.flush();
        let logon = FixMsg::Logon(Logon {
            heart_bt_s: 3600,
            reset_seq: true,
            username: None,
            password: None,
        });
        link.deliver(&logon, now);
        let logged_on = link
            .session
            .events()
            .any(|e| matches!(e, Event::LoggedOn { .. }));
        link.flush();
        if !logged_on || link.session.state() != State::Active {
            return Err(LoopbackError::Logon(name));
        }
        Ok(link)
    }

    /// Encodes one venue → client message and feeds it to the session.
    fn deliver(&mut self, m: &FixMsg<'_>, now: TsNs) {
        let mut buf = [0u8; MSG_BYTES];
        let h = Header {
            msg_type: m.msg_type(),
            sender: VENUE,
            target: CLIENT,
            seq: self.next_out,
            sending_time: now,
            orig_sending_time: None,
        };
        let mut enc = Encoder::new(&mut buf, &h);
        m.write_body(enc.fields());
        let bytes = enc
            .finish()
            .expect("Invariant: a loopback ExecutionReport fits MSG_BYTES");
        self.next_out += 1;
        let used = self.session.on_bytes(bytes, now);
        assert!(
            used == bytes.len(),
            "Invariant: the session consumes a whole loopback message"
        );
    }

    /// The venue's answers to one order: ack + full fill, or canceled.
    fn answer(&mut self, req: &OrderRequest, now: TsNs) {
        let Some(k) = self.symbols.iter().position(|s| s.0 == req.instrument) else {
            return;
        };
        let (_, sym, sym_len, tick) = self.symbols[k];
        let sym = &sym[..sym_len];
        let mut id = [0u8; U64_DIGITS_MAX];
        let at = u64_digits(u64::from(req.order.0), &mut id);
        let mut cancel_id = [0u8; U64_DIGITS_MAX + 1];
        cancel_id[0] = b'C';
        cancel_id[1..1 + U64_DIGITS_MAX - at].copy_from_slice(&id[at..]);
        let cl = &id[at..];
        let cancel = matches!(req.kind, RequestKind::Cancel);
        let canceled = ExecutionReport {
            order_id: cl,
            cl_ord_id: if cancel {
                &cancel_id[..1 + U64_DIGITS_MAX - at]
            } else {
                cl
            },
            orig_cl_ord_id: cancel.then_some(cl),
            exec_id: b"",
            exec_type: b'4',
            ord_status: b'4',
            symbol: sym,
            side: Side::Buy,
            order_qty: None,
            leaves_qty: 0,
            cum_qty: 0,
            last_px: None,
            last_qty: None,
            text: None,
            ord_rej_reason: None,
            transact_time: Some(now),
        };
        let mut answers = [canceled; 2];
        let n = match req.kind {
            RequestKind::New { side, px, qty, .. } => {
                let ack = ExecutionReport {
                    exec_type: b'0',
                    ord_status: b'0',
                    side,
                    order_qty: Some(qty.0),
                    leaves_qty: qty.0,
                    ..canceled
                };
                let fill = ExecutionReport {
                    exec_type: b'F',
                    ord_status: b'2',
                    leaves_qty: 0,
                    cum_qty: qty.0,
                    last_px: px_to_decimal(px, tick),
                    last_qty: Some(qty.0),
                    ..ack
                };
                answers = [ack, fill];
                2
            }
            RequestKind::Cancel => 1,
        };
        let mut eid = [0u8; U64_DIGITS_MAX];
        for mut e in answers.into_iter().take(n) {
            self.exec_id += 1;
            let e_at = u64_digits(self.exec_id, &mut eid);
            e.exec_id = &eid[e_at..];
            self.deliver(&FixMsg::ExecutionReport(e), now);
        }
    }
}

impl VenueLink for LoopbackLink {
    fn state(&self) -> State {
        self.session.state()
    }

    fn send(&mut self, req: &OrderRequest, now: TsNs) -> Result<(), SendError> {
        self.session.send(req, now)?;
        if self.answers.len() < ANSWERS {
            self.answers.push_back(*req);
        } else {
            self.unanswered += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> bool {
        let n = self.session.outbound().len();
        self.bytes_written += n as u64;
        self.session.consume_outbound(n);
        true
    }

    fn step(&mut self, now: TsNs, reports: &mut impl FnMut(ExecReport)) -> usize {
        let mut work = 0;
        while let Some(req) = self.answers.pop_front() {
            self.answer(&req, now);
            work += 1;
        }
        if self.session.next_timer().is_some_and(|t| t <= now) {
            self.session.on_timer(now);
            work += 1;
        }
        for e in self.session.events() {
            work += 1;
            if let Event::Report(r) = e {
                reports(r);
            }
        }
        if !self.session.outbound().is_empty() {
            self.flush();
        }
        work
    }

    fn stop(&mut self, _now: &mut dyn FnMut() -> TsNs, _timeout: Duration) {
        self.answers.clear();
    }

    fn warm(&mut self, now: TsNs) {
        self.session.warm(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Px, Qty};
    use crate::exec::msg::{OrderId, ReportKind, Tif};

    fn cfg() -> Config {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/bench-threshold.toml");
        crate::config::load(&path).expect("config/bench-threshold.toml loads")
    }

    #[test]
    fn an_order_is_encoded_and_answered_with_an_ack_and_a_full_fill_at_its_price() {
        let cfg = cfg();
        let now = TsNs(1_740_963_630_000_000_000);
        let ins = cfg.pair.overseas;
        let venue = cfg.instruments[ins.idx()].venue;
        let mut link = LoopbackLink::new(&cfg, venue, now).unwrap();
        assert_eq!(VenueLink::state(&link), State::Active);
        let req = OrderRequest {
            order: OrderId(42),
            instrument: ins,
            kind: RequestKind::New {
                side: Side::Sell,
                px: Px(10_020),
                qty: Qty(3),
                tif: Tif::Ioc,
            },
            ts: now,
        };
        let before = link.bytes_written;
        VenueLink::send(&mut link, &req, now).unwrap();
        assert!(VenueLink::flush(&mut link));
        assert!(
            link.bytes_written > before + 50,
            "the NewOrderSingle bytes were written"
        );
        let mut got = Vec::new();
        VenueLink::step(&mut link, now, &mut |r| got.push(r.kind));
        assert_eq!(
            got,
            vec![
                ReportKind::Ack,
                ReportKind::Fill {
                    px: Px(10_020),
                    qty: Qty(3)
                }
            ]
        );
    }

    #[test]
    fn an_instrument_of_another_venue_is_refused_by_the_session() {
        let cfg = cfg();
        let now = TsNs(1_740_963_630_000_000_000);
        let dom = cfg.pair.domestic;
        let ovs_venue = cfg.instruments[cfg.pair.overseas.idx()].venue;
        let mut link = LoopbackLink::new(&cfg, ovs_venue, now).unwrap();
        let req = OrderRequest {
            order: OrderId(1),
            instrument: dom,
            kind: RequestKind::Cancel,
            ts: now,
        };
        assert_eq!(
            VenueLink::send(&mut link, &req, now),
            Err(SendError::UnknownInstrument(dom))
        );
    }
}
