//! The FIX session over a real socket: a non-blocking `mio` TCP connection around the pure
//! [`Session`]. [`FixDriver::step`] connects (with reconnect back-off starting at
//! `reconnect_delay_ms`, doubling to 5 s), reads socket bytes into [`Session::on_bytes`], runs
//! [`Session::on_timer`], writes [`Session::outbound`] and hands execution reports out. Orders
//! go in through [`FixDriver::send`]. Sequence numbers are saved to the [`SeqFile`] at logon,
//! logout and disconnect (cold moments; never per message). Runs on the gateway thread; after
//! start-up a step allocates nothing.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use super::{Event, SendError, SeqFile, Session, State};
use crate::domain::TsNs;
use crate::exec::msg::{ExecReport, OrderRequest};

/// Inbound buffer: enough for several messages; the session consumes whole messages.
const INBUF_BYTES: usize = 64 * 1024;

/// What a driver step reports besides execution reports (for counters and the operator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DriverStats {
    /// TCP connections established.
    pub connects: u64,
    /// Connect attempts that failed.
    pub connect_failures: u64,
    /// Logons completed.
    pub logons: u64,
    /// Sessions ended (any reason).
    pub disconnects: u64,
    /// Sequence file saves that failed (the session continues; the next save retries).
    pub seq_save_failures: u64,
}

/// One FIX initiator connection (see the module doc).
#[derive(Debug)]
pub struct FixDriver {
    session: Session,
    addr: SocketAddr,
    seq_file: SeqFile,
    poll: Poll,
    events: Events,
    stream: Option<TcpStream>,
    connected: bool,
    inbuf: Vec<u8>,
    inlen: usize,
    reconnect_base_ms: i64,
    failures: u32,
    next_attempt: TsNs,
    /// Set after a graceful stop: no reconnect.
    stopped: bool,
    /// Counters.
    pub stats: DriverStats,
}

impl FixDriver {
    /// A driver for `session`, connecting to `addr`. Cold.
    pub fn new(
        session: Session,
        addr: SocketAddr,
        seq_file: SeqFile,
        reconnect_delay_ms: i64,
    ) -> std::io::Result<FixDriver> {
        Ok(FixDriver {
            session,
            addr,
            seq_file,
            poll: Poll::new()?,
            events: Events::with_capacity(8),
            stream: None,
            connected: false,
            inbuf: vec![0; INBUF_BYTES],
            inlen: 0,
            reconnect_base_ms: reconnect_delay_ms.max(1),
            failures: 0,
            next_attempt: TsNs(i64::MIN),
            stopped: false,
            stats: DriverStats::default(),
        })
    }

    /// Keeps the order path warm without sending ([`Session::warm`]).
    pub fn warm(&mut self, now: TsNs) {
        self.session.warm(now);
    }

    /// The session's state.
    pub fn state(&self) -> State {
        self.session.state()
    }

    /// Sends an order (only while logged on; otherwise the caller reports it rejected).
    pub fn send(&mut self, req: &OrderRequest, now: TsNs) -> Result<(), SendError> {
        self.session.send(req, now)
    }

    /// Writes pending outbound bytes; true when everything was written.
    pub fn flush(&mut self) -> bool {
        let Some(s) = self.stream.as_mut().filter(|_| self.connected) else {
            return false;
        };
        while !self.session.outbound().is_empty() {
            match s.write(self.session.outbound()) {
                Ok(0) => return false,
                Ok(n) => self.session.consume_outbound(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        true
    }

    /// One non-blocking step at `now`: connect / read / timers / write. Every execution report
    /// goes to `reports`. Returns the work done (bytes and events).
    pub fn step(&mut self, now: TsNs, reports: &mut impl FnMut(ExecReport)) -> usize {
        if self.stream.is_none() {
            return self.try_connect(now);
        }
        if !self.connected && !self.check_connected(now) {
            return 0;
        }
        let mut work = self.read(now);
        if self.session.next_timer().is_some_and(|t| t <= now) {
            self.session.on_timer(now);
            work += 1;
        }
        work += self.drain_events(now, reports);
        if !self.session.outbound().is_empty() {
            self.flush();
            work += 1;
        }
        work
    }

    /// Graceful stop: Logout, wait for the answer up to `timeout`, save sequence numbers, close.
    /// Cold (shutdown); the clock is read through `now`.
    pub fn stop(&mut self, now: &mut dyn FnMut() -> TsNs, timeout: Duration) {
        self.stopped = true;
        let start = now();
        if self.session.state() == State::Active {
            self.session.logout(start);
            let limit = start.plus_ns(timeout.as_nanos() as i64);
            while self.session.state() != State::Disconnected && now() < limit {
                let t = now();
                self.step(t, &mut |_| {});
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        self.flush();
        self.close(now());
    }

    fn try_connect(&mut self, now: TsNs) -> usize {
        if self.stopped || now < self.next_attempt {
            return 0;
        }
        match TcpStream::connect(self.addr) {
            Ok(mut s) => {
                if self
                    .poll
                    .registry()
                    .register(&mut s, Token(0), Interest::WRITABLE | Interest::READABLE)
                    .is_err()
                {
                    self.fail(now);
                    return 1;
                }
                self.stream = Some(s);
                self.connected = false;
            }
            Err(_) => self.fail(now),
        }
        1
    }

    fn check_connected(&mut self, now: TsNs) -> bool {
        if self
            .poll
            .poll(&mut self.events, Some(Duration::ZERO))
            .is_err()
        {
            return false;
        }
        if self.events.is_empty() {
            return false;
        }
        let Some(s) = self.stream.as_mut() else {
            return false;
        };
        let ok = matches!(s.take_error(), Ok(None)) && s.peer_addr().is_ok();
        if !ok {
            self.drop_stream();
            self.fail(now);
            return false;
        }
        let _ = s.set_nodelay(true);
        self.connected = true;
        self.stats.connects += 1;
        self.inlen = 0;
        self.session.on_connected(now);
        true
    }

    fn read(&mut self, now: TsNs) -> usize {
        let Some(s) = self.stream.as_mut() else {
            return 0;
        };
        let mut work = 0;
        loop {
            if self.inlen == self.inbuf.len() {
                break;
            }
            match s.read(&mut self.inbuf[self.inlen..]) {
                Ok(0) => {
                    self.session.on_disconnected(now);
                    return work + 1;
                }
                Ok(n) => {
                    self.inlen += n;
                    work += n;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.session.on_disconnected(now);
                    return work + 1;
                }
            }
        }
        if self.inlen > 0 {
            let used = self.session.on_bytes(&self.inbuf[..self.inlen], now);
            self.inbuf.copy_within(used..self.inlen, 0);
            self.inlen -= used;
        }
        work
    }

    fn drain_events(&mut self, now: TsNs, reports: &mut impl FnMut(ExecReport)) -> usize {
        let mut work = 0;
        let mut ended = false;
        let mut logged_on = false;
        for e in self.session.events() {
            work += 1;
            match e {
                Event::Report(r) => reports(r),
                Event::LoggedOn { .. } => logged_on = true,
                Event::Disconnected(_) => ended = true,
                _ => {}
            }
        }
        if logged_on {
            self.stats.logons += 1;
            self.failures = 0;
            self.save_seqs();
        }
        if ended {
            self.flush();
            self.close(now);
        }
        work
    }

    fn close(&mut self, now: TsNs) {
        if self.stream.is_none() {
            return;
        }
        if self.session.state() != State::Disconnected {
            self.session.on_disconnected(now);
            for _ in self.session.events() {}
        }
        self.stats.disconnects += 1;
        self.save_seqs();
        self.drop_stream();
        self.fail(now);
    }

    fn drop_stream(&mut self) {
        if let Some(mut s) = self.stream.take() {
            let _ = self.poll.registry().deregister(&mut s);
        }
        self.connected = false;
    }

    fn fail(&mut self, now: TsNs) {
        self.stats.connect_failures += u64::from(self.stats.logons == 0 || self.failures > 0);
        let delay = (self.reconnect_base_ms << self.failures.min(6)).min(5_000);
        self.failures = self.failures.saturating_add(1);
        self.next_attempt = now.plus_ms(delay);
    }

    #[cold]
    fn save_seqs(&mut self) {
        if self.seq_file.save(self.session.seqs()).is_err() {
            self.stats.seq_save_failures += 1;
        }
    }
}
