//! The venue simulator behind `crossarb venue-sim`, so the whole live path runs on one machine.
//! It serves captures (or the config's synthetic feed) as live XAQF feeds
//! ([`crate::feed::wire`]) to the `[[live.feeds]]` addresses at recorded pace × N — each quote
//! stamped with the wall-clock time it is sent, so ages and skews are real — and runs a FIX 4.4
//! acceptor per `[[live.fix]]` session (`fix.rs`) that matches orders with the seeded
//! [`SimExchange`] (latency, partial fills, rejects per `[[replay.sim]]`) against the book it is
//! serving. One thread, non-blocking sockets; stops on a stop signal, at the end of the input, or
//! after a given time. Unlike [`crate::sim`] it reads the clock and owns sockets: it is a live
//! tool, not part of the deterministic replay.

mod fix;

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use crate::clock::{Clock, LiveClock};
use crate::config::{Config, FeedTransport};
use crate::domain::{InstrumentId, Quote, VenueId};
use crate::feed::decimal::Decimal;
use crate::feed::wire::{self, FRAME_BYTES_MAX, FRAME_QUOTES_MAX, PREFIX_BYTES};
use crate::gateway::fix::{Acceptor as FixAcceptor, AcceptorConfig};
use crate::replay::Merge;
use crate::runtime::signals::StopSignal;
use crate::sim::{SimExchange, SimLimits};
use crate::trigger::Calendar;
use fix::{Acceptor, OrderInfo};

/// The simulator: feeds out, FIX sessions in, one simulated exchange (see the module doc).
pub struct VenueSim {
    clock: LiveClock,
    speed: f64,
    udp: UdpSocket,
    feeds: Vec<(VenueId, FeedTransport, Option<TcpStream>, u64)>,
    acceptors: Vec<(VenueId, Acceptor)>,
    exchange: SimExchange,
    cals: Vec<Calendar>,
    symbols: Vec<(Vec<u8>, InstrumentId, Decimal)>,
    orders: HashMap<u32, OrderInfo>,
    exec_id: u64,
    sent_quotes: u64,
    orders_in: u64,
    fills: u64,
}

impl std::fmt::Debug for VenueSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VenueSim")
            .field("sent_quotes", &self.sent_quotes)
            .field("orders_in", &self.orders_in)
            .field("fills", &self.fills)
            .finish_non_exhaustive()
    }
}

impl VenueSim {
    /// Binds the feed socket and the FIX listeners of `cfg.live`.
    pub fn new(cfg: &Config, speed: f64) -> Result<VenueSim, String> {
        let udp = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("udp socket: {e}"))?;
        let feeds = cfg
            .live
            .feeds
            .iter()
            .map(|f| (f.venue, f.transport, None, 1))
            .collect();
        let mut acceptors = Vec::new();
        for (k, f) in cfg.live.fix.iter().enumerate() {
            let listener = TcpListener::bind(f.addr)
                .map_err(|e| format!("live.fix[{k}].addr {}: cannot listen: {e}", f.addr))?;
            listener.set_nonblocking(true).map_err(|e| e.to_string())?;
            acceptors.push((
                f.venue,
                Acceptor {
                    listener,
                    conn: None,
                    inbuf: Vec::with_capacity(1 << 16),
                    session: FixAcceptor::new(AcceptorConfig {
                        sender: f.target_comp_id.clone().into_bytes(),
                        target: f.sender_comp_id.clone().into_bytes(),
                        heart_bt_s: 30,
                        resend_capacity: 4096,
                    }),
                },
            ));
        }
        let symbols = cfg
            .instruments
            .iter()
            .filter_map(|i| {
                Decimal::from_f64_shortest(i.tick_size)
                    .map(|t| (i.symbol.clone().into_bytes(), i.id, t))
            })
            .collect();
        let cals = cfg
            .venues
            .iter()
            .map(Calendar::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("calendar: {e}"))?;
        Ok(VenueSim {
            clock: LiveClock::new(),
            speed,
            udp,
            feeds,
            acceptors,
            exchange: SimExchange::from_config(cfg, SimLimits::DEFAULT)
                .map_err(|e| e.to_string())?,
            cals,
            symbols,
            orders: HashMap::new(),
            exec_id: 0,
            sent_quotes: 0,
            orders_in: 0,
            fills: 0,
        })
    }

    /// Serves `input` until it ends, a stop signal, or `seconds`.
    pub fn serve(
        &mut self,
        mut input: Merge,
        stop: &StopSignal,
        seconds: Option<f64>,
    ) -> Result<String, String> {
        let t0_rec = input.peek_time().ok_or("the input holds no quotes")?;
        let w0 = self.clock.now();
        let end = seconds.map(|s| w0.plus_ns((s * 1e9) as i64));
        let mut batch: Vec<Quote> = Vec::with_capacity(FRAME_QUOTES_MAX);
        while !stop.raised() && end.is_none_or(|e| self.clock.now() < e) {
            let now = self.clock.now();
            // Quotes due by now, in input order; a frame per venue run.
            let mut work = 0;
            while let Some(t) = input.peek_time() {
                let due = w0.plus_ns(((t.0 - t0_rec.0) as f64 / self.speed) as i64);
                if due > now || batch.len() == FRAME_QUOTES_MAX {
                    break;
                }
                let Some(mut q) = input.next() else { break };
                if batch.first().is_some_and(|b| b.venue != q.venue) {
                    self.send_batch(&mut batch);
                }
                q.ts_exchange = now;
                q.ts_recv = now;
                self.exchange.on_market(&q).map_err(|e| e.to_string())?;
                batch.push(q);
                work += 1;
            }
            self.send_batch(&mut batch);
            for a in 0..self.acceptors.len() {
                work += self.step_acceptor(a, now)?;
            }
            let mut due = Vec::new();
            self.exchange
                .pop_due(now, &mut |r| due.push(r))
                .map_err(|e| e.to_string())?;
            for r in due {
                self.report(r, now);
                work += 1;
            }
            if input.peek_time().is_none() && self.exchange.next_event_time().is_none() {
                break;
            }
            if work == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        for a in 0..self.acceptors.len() {
            self.flush_logout(a);
        }
        Ok(format!(
            "{} quotes sent, {} orders received, {} fills",
            self.sent_quotes, self.orders_in, self.fills
        ))
    }

    fn send_batch(&mut self, batch: &mut Vec<Quote>) {
        let Some(v) = batch.first().map(|q| q.venue) else {
            return;
        };
        let mut buf = [0u8; PREFIX_BYTES + FRAME_BYTES_MAX];
        if let Some(f) = self.feeds.iter_mut().find(|f| f.0 == v) {
            let seq = f.3;
            match f.1 {
                FeedTransport::Udp(addr) => {
                    if let Some(n) = wire::encode(batch, seq, &mut buf) {
                        let _ = self.udp.send_to(&buf[..n], addr);
                    }
                }
                FeedTransport::Tcp(addr) => {
                    if f.2.is_none() {
                        f.2 = TcpStream::connect_timeout(&addr, Duration::from_millis(100)).ok();
                    }
                    if let (Some(s), Some(n)) =
                        (f.2.as_mut(), wire::encode_prefixed(batch, seq, &mut buf))
                    {
                        if s.write_all(&buf[..n]).is_err() {
                            f.2 = None;
                        }
                    }
                }
            }
            f.3 += batch.len() as u64;
            self.sent_quotes += batch.len() as u64;
        }
        batch.clear();
    }
}
