//! `crossarb venue-sim --config FILE [--feed FILE.cap]... [--speed N] [--seconds S]`: the
//! built-in venue simulator, so the whole live path runs on one machine. It serves the captures
//! (or the config's synthetic feed) as live XAQF feeds ([`crate::feed::wire`]) to the
//! `[[live.feeds]]` addresses at recorded pace × N — each quote stamped with the wall-clock time
//! it is sent, so ages and skews are real — and runs a small FIX 4.4 acceptor per
//! `[[live.fix]]` session that matches orders with the seeded [`SimExchange`] (latency, partial
//! fills, rejects per `[[replay.sim]]`) against the book it is serving. One thread, non-blocking
//! sockets; stops on SIGINT/SIGTERM, at the end of the input, or after `--seconds`.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

use super::CliError;
use crate::clock::{Clock, LiveClock};
use crate::config::{Config, FeedTransport};
use crate::domain::{InstrumentId, Qty, Quote, Side, TsNs, VenueId};
use crate::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};
use crate::feed::decimal::Decimal;
use crate::feed::wire::{self, FRAME_BYTES_MAX, FRAME_QUOTES_MAX, PREFIX_BYTES};
use crate::gateway::fix::app::parse_cl_ord_id;
use crate::gateway::fix::msg::{ExecutionReport, Logon};
use crate::gateway::fix::{decode, Encoder, FixMsg, Header};
use crate::replay::{self, Merge};
use crate::sim::{SimExchange, SimLimits};
use crate::trigger::Calendar;

/// Arguments of `venue-sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML) with a `[live]` section.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Capture to serve (repeatable); default: the config's replay feeds or synthetic feed.
    #[arg(long = "feed", value_name = "FILE.cap")]
    pub feeds: Vec<PathBuf>,
    /// Pace multiplier over the recorded pace [default: live.speed].
    #[arg(long)]
    pub speed: Option<f64>,
    /// Stop after this many seconds of wall time.
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// Runs `venue-sim`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let cfg = crate::config::load(&args.config)?;
    let input = if args.feeds.is_empty() {
        replay::input_from_config(&cfg).map_err(|e| CliError::input(e.to_string()))?
    } else {
        let f: Vec<(PathBuf, i64)> = args.feeds.iter().map(|p| (p.clone(), 0)).collect();
        Merge::open(&cfg, &f).map_err(|e| CliError::input(e.to_string()))?
    };
    let speed = args.speed.unwrap_or(cfg.live.speed);
    if !(speed > 0.0 && speed.is_finite()) {
        return Err(CliError::input(format!(
            "--speed: expected a number > 0, got {speed}"
        )));
    }
    let stop = crate::runtime::signals::StopSignal::install()
        .map_err(|e| CliError::runtime(format!("signal handlers: {e}")))?;
    let mut sim = VenueSim::new(&cfg, speed).map_err(CliError::runtime)?;
    let served = sim
        .serve(input, &stop, args.seconds)
        .map_err(CliError::runtime)?;
    eprintln!("venue-sim: {served}");
    Ok(())
}

/// One FIX acceptor session (one connection at a time).
struct Acceptor {
    listener: TcpListener,
    conn: Option<TcpStream>,
    inbuf: Vec<u8>,
    sender: Vec<u8>,
    target: Vec<u8>,
    next_out: u64,
    logged_on: bool,
}

/// What the simulator remembers of an order to write its reports.
struct OrderInfo {
    cl_ord_id: Vec<u8>,
    symbol: Vec<u8>,
    side: Side,
    qty: i64,
    cum: i64,
    venue: usize,
}

struct VenueSim {
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

impl VenueSim {
    fn new(cfg: &Config, speed: f64) -> Result<VenueSim, String> {
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
                    sender: f.target_comp_id.clone().into_bytes(),
                    target: f.sender_comp_id.clone().into_bytes(),
                    next_out: 1,
                    logged_on: false,
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
    fn serve(
        &mut self,
        mut input: Merge,
        stop: &crate::runtime::signals::StopSignal,
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

    fn step_acceptor(&mut self, a: usize, now: TsNs) -> Result<usize, String> {
        let acc = &mut self.acceptors[a].1;
        if acc.conn.is_none() {
            match acc.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(true).map_err(|e| e.to_string())?;
                    let _ = s.set_nodelay(true);
                    acc.conn = Some(s);
                    acc.inbuf.clear();
                    acc.logged_on = false;
                }
                Err(_) => return Ok(0),
            }
        }
        let mut chunk = [0u8; 8192];
        let Some(s) = acc.conn.as_mut() else {
            return Ok(0);
        };
        match s.read(&mut chunk) {
            Ok(0) => {
                acc.conn = None;
                return Ok(1);
            }
            Ok(n) => acc.inbuf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(0),
            Err(_) => {
                acc.conn = None;
                return Ok(1);
            }
        }
        let mut work = 1;
        loop {
            let acc = &mut self.acceptors[a].1;
            let (msg, used) = match decode(&acc.inbuf) {
                Ok(d) => (
                    FixMsg::parse(&d.msg)
                        .ok()
                        .flatten()
                        .and_then(|m| owned(&m, &d.msg)),
                    d.len,
                ),
                Err(_) => break,
            };
            acc.inbuf.drain(..used);
            work += 1;
            match msg {
                Some(Inbound::Logon(reset)) => {
                    if reset {
                        acc.next_out = 1;
                    }
                    acc.logged_on = true;
                    let logon = FixMsg::Logon(Logon {
                        heart_bt_s: 30,
                        reset_seq: reset,
                        username: None,
                        password: None,
                    });
                    self.send(a, &logon, now);
                }
                Some(Inbound::TestRequest(id)) => self.send(
                    a,
                    &FixMsg::Heartbeat {
                        test_req_id: Some(&id),
                    },
                    now,
                ),
                Some(Inbound::Logout) => {
                    self.send(a, &FixMsg::Logout { text: None }, now);
                    self.acceptors[a].1.logged_on = false;
                }
                Some(Inbound::Order(o)) => self.on_order(a, o, now)?,
                None => {}
            }
        }
        Ok(work)
    }

    fn on_order(&mut self, a: usize, o: OrderIn, now: TsNs) -> Result<(), String> {
        self.orders_in += 1;
        let Some(order) = parse_cl_ord_id(&o.orig.clone().unwrap_or_else(|| o.cl_ord_id.clone()))
        else {
            return Ok(());
        };
        let Some((_, id, tick)) = self.symbols.iter().find(|s| s.0 == o.symbol).cloned() else {
            return Ok(());
        };
        let kind = match (
            o.orig.is_some(),
            o.price.and_then(|p| p.to_ticks(tick).ok()),
        ) {
            (true, _) => RequestKind::Cancel,
            (false, Some(px)) => {
                self.orders.insert(
                    order.0,
                    OrderInfo {
                        cl_ord_id: o.cl_ord_id.clone(),
                        symbol: o.symbol.clone(),
                        side: o.side,
                        qty: o.qty,
                        cum: 0,
                        venue: a,
                    },
                );
                RequestKind::New {
                    side: o.side,
                    px: crate::domain::Px(px),
                    qty: Qty(o.qty),
                    tif: o.tif,
                }
            }
            (false, None) => return Ok(()),
        };
        let req = OrderRequest {
            order,
            instrument: id,
            kind,
            ts: now,
        };
        let cals = &mut self.cals;
        let mut is_open = |v: VenueId, t: TsNs| cals[v.idx()].is_open(t);
        self.exchange
            .submit(&req, now, &mut is_open)
            .map_err(|e| e.to_string())
    }

    fn report(&mut self, r: ExecReport, now: TsNs) {
        let Some(info) = self.orders.get_mut(&r.order.0) else {
            return;
        };
        self.exec_id += 1;
        let (exec_type, last, rej) = match r.kind {
            ReportKind::Ack => (b'0', None, None),
            ReportKind::Fill { px, qty } => {
                info.cum += qty.0;
                self.fills += 1;
                (b'F', Some((px, qty.0)), None)
            }
            ReportKind::Done { .. } => (b'4', None, None),
            ReportKind::Rejected(RejectReason::SessionClosed) => (b'8', None, Some(2)),
            ReportKind::Rejected(_) => (b'8', None, Some(0)),
            ReportKind::CancelRejected(_) => return,
        };
        let tick = self
            .symbols
            .iter()
            .find(|s| s.1 == r.instrument)
            .map(|s| s.2);
        let last_px = match (last, tick) {
            (Some((px, _)), Some(t)) => crate::gateway::fix::app::px_to_decimal(px, t),
            _ => None,
        };
        let leaves = if matches!(exec_type, b'4' | b'8') {
            0
        } else {
            info.qty - info.cum
        };
        let status = match exec_type {
            b'F' if leaves == 0 => b'2',
            b'F' => b'1',
            other => other,
        };
        let mut eid = [0u8; 20];
        let eid_len = crate::gateway::fix::text::u64_digits(self.exec_id, &mut eid);
        let (cl, sym, side, qty, cum, a) = (
            info.cl_ord_id.clone(),
            info.symbol.clone(),
            info.side,
            info.qty,
            info.cum,
            info.venue,
        );
        let m = FixMsg::ExecutionReport(ExecutionReport {
            order_id: &cl,
            cl_ord_id: &cl,
            orig_cl_ord_id: None,
            exec_id: &eid[eid_len..],
            exec_type,
            ord_status: status,
            symbol: &sym,
            side,
            order_qty: Some(qty),
            leaves_qty: leaves,
            cum_qty: cum,
            last_px,
            last_qty: last.map(|l| l.1),
            text: None,
            ord_rej_reason: rej,
            transact_time: Some(now),
        });
        self.send(a, &m, now);
    }

    fn send(&mut self, a: usize, m: &FixMsg<'_>, now: TsNs) {
        let acc = &mut self.acceptors[a].1;
        let mut buf = [0u8; 2048];
        let h = Header {
            msg_type: m.msg_type(),
            sender: &acc.sender,
            target: &acc.target,
            seq: acc.next_out,
            sending_time: now,
            orig_sending_time: None,
        };
        let mut enc = Encoder::new(&mut buf, &h);
        m.write_body(enc.fields());
        let Ok(bytes) = enc.finish() else { return };
        acc.next_out += 1;
        if let Some(s) = acc.conn.as_mut() {
            let _ = s.set_nonblocking(false);
            if s.write_all(bytes).is_err() {
                acc.conn = None;
            } else {
                let _ = s.set_nonblocking(true);
            }
        }
    }

    fn flush_logout(&mut self, a: usize) {
        if self.acceptors[a].1.logged_on {
            let now = self.clock.now();
            self.send(a, &FixMsg::Logout { text: None }, now);
        }
    }
}

/// What the acceptor understood of one inbound message (copied out of the input buffer).
enum Inbound {
    Logon(bool),
    TestRequest(Vec<u8>),
    Logout,
    Order(OrderIn),
}

struct OrderIn {
    cl_ord_id: Vec<u8>,
    orig: Option<Vec<u8>>,
    symbol: Vec<u8>,
    side: Side,
    qty: i64,
    price: Option<Decimal>,
    tif: crate::exec::msg::Tif,
}

fn owned(m: &FixMsg<'_>, raw: &crate::gateway::fix::Message<'_>) -> Option<Inbound> {
    Some(match m {
        FixMsg::Logon(l) => Inbound::Logon(l.reset_seq || raw.get(141) == Some(b"Y")),
        FixMsg::TestRequest { test_req_id } => Inbound::TestRequest(test_req_id.to_vec()),
        FixMsg::Logout { .. } => Inbound::Logout,
        FixMsg::NewOrderSingle(o) => Inbound::Order(OrderIn {
            cl_ord_id: o.cl_ord_id.to_vec(),
            orig: None,
            symbol: o.symbol.to_vec(),
            side: o.side,
            qty: o.qty,
            price: Some(o.price),
            tif: o.tif,
        }),
        FixMsg::CancelRequest(c) => Inbound::Order(OrderIn {
            cl_ord_id: c.cl_ord_id.to_vec(),
            orig: Some(c.orig_cl_ord_id.to_vec()),
            symbol: c.symbol.to_vec(),
            side: c.side,
            qty: c.qty,
            price: None,
            tif: crate::exec::msg::Tif::Ioc,
        }),
        // Heartbeats, resend requests, rejects: nothing to answer in this simulator.
        _ => return None,
    })
}
