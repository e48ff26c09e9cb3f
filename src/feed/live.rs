//! Live feed handlers: one per `[[live.feeds]]` entry, on a non-blocking `mio` socket — a UDP
//! socket bound to the configured address, or a TCP listener there that takes one sender at a
//! time (length-prefixed frames, [`super::wire::StreamDecoder`]). Each received frame is checked
//! ([`super::wire`]), its sequence tracked per feed ([`GapTracker`]), every quote stamped with
//! `ts_recv` from the live clock and pushed into two rings: the engine's (full → the newest
//! quote is refused and counted: the engine sees the book a little late rather than the feed
//! thread blocking) and the capture writer's (full → counted; sized so that it does not happen
//! at realistic rates). Runs on a feed thread; after start-up a step allocates nothing.
//!
//! Waiting is the thread's idle strategy: a step tries the socket once and returns 0 when
//! nothing is there (no `epoll_wait` on the hot path).

use std::io::{ErrorKind, Read};
use std::net::SocketAddr;

use mio::net::{TcpListener, TcpStream, UdpSocket};

use super::wire::{self, GapTracker, SeqCheck, StreamDecoder, FRAME_BYTES_MAX};
use crate::clock::LiveClock;
use crate::config::FeedTransport;
use crate::domain::{Quote, TsNs};

/// Frames taken per step at most (bounded batch).
const FRAMES_PER_STEP: usize = 16;

/// A quote and the raw clock counter when its frame was received (for latency metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamped {
    /// The quote, `ts_recv` set.
    pub quote: Quote,
    /// Raw `quanta` counter at receive.
    pub raw: u64,
}

/// Counters of one feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Frames decoded.
    pub frames: u64,
    /// Quotes pushed to the engine.
    pub quotes: u64,
    /// Frames that did not decode (or a TCP stream that lost framing).
    pub bad_frames: u64,
    /// Quotes refused because the engine ring was full.
    pub engine_ring_full: u64,
    /// Quotes not captured because the capture ring was full.
    pub capture_ring_full: u64,
}

enum Socket {
    Udp(UdpSocket),
    Tcp {
        listener: TcpListener,
        conn: Option<TcpStream>,
        decoder: Box<StreamDecoder>,
    },
}

/// One live feed (see the module doc).
pub struct FeedHandler {
    socket: Socket,
    clock: LiveClock,
    engine: rtrb::Producer<Stamped>,
    capture: rtrb::Producer<Quote>,
    buf: [u8; FRAME_BYTES_MAX + 1],
    /// Sequence tracking of this feed.
    pub gaps: GapTracker,
    /// Counters.
    pub stats: FeedStats,
}

impl std::fmt::Debug for FeedHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedHandler")
            .field("stats", &self.stats)
            .field("gaps", &self.gaps)
            .finish_non_exhaustive()
    }
}

impl FeedHandler {
    /// Binds the socket. Cold.
    pub fn bind(
        transport: FeedTransport,
        clock: LiveClock,
        engine: rtrb::Producer<Stamped>,
        capture: rtrb::Producer<Quote>,
    ) -> std::io::Result<FeedHandler> {
        let socket = match transport {
            FeedTransport::Udp(a) => Socket::Udp(UdpSocket::bind(a)?),
            FeedTransport::Tcp(a) => Socket::Tcp {
                listener: TcpListener::bind(a)?,
                conn: None,
                decoder: Box::default(),
            },
        };
        Ok(FeedHandler {
            socket,
            clock,
            engine,
            capture,
            buf: [0; FRAME_BYTES_MAX + 1],
            gaps: GapTracker::default(),
            stats: FeedStats::default(),
        })
    }

    /// The bound address (for ephemeral ports).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match &self.socket {
            Socket::Udp(s) => s.local_addr(),
            Socket::Tcp { listener, .. } => listener.local_addr(),
        }
    }

    /// Takes what the socket holds (bounded); returns quotes delivered.
    pub fn step(&mut self) -> usize {
        match &mut self.socket {
            Socket::Udp(_) => self.step_udp(),
            Socket::Tcp { .. } => self.step_tcp(),
        }
    }

    fn step_udp(&mut self) -> usize {
        let Socket::Udp(sock) = &self.socket else {
            return 0;
        };
        let mut sinks = Sinks {
            engine: &mut self.engine,
            capture: &mut self.capture,
            gaps: &mut self.gaps,
            stats: &mut self.stats,
        };
        let mut n = 0;
        for _ in 0..FRAMES_PER_STEP {
            let len = match sock.recv(&mut self.buf) {
                Ok(len) => len,
                Err(_) => break, // WouldBlock: nothing there; other errors: try next step
            };
            let raw = self.clock.raw();
            let now = self.clock.to_utc(raw);
            n += deliver(&self.buf[..len], raw, now, &mut sinks);
        }
        n
    }

    fn step_tcp(&mut self) -> usize {
        let Socket::Tcp {
            listener,
            conn,
            decoder,
        } = &mut self.socket
        else {
            return 0;
        };
        if conn.is_none() {
            match listener.accept() {
                Ok((s, _)) => {
                    let _ = s.set_nodelay(true);
                    *conn = Some(s);
                    **decoder = StreamDecoder::default();
                }
                Err(_) => return 0,
            }
        }
        let Some(s) = conn.as_mut() else { return 0 };
        let got = match s.read(decoder.spare()) {
            Ok(0) => {
                *conn = None;
                return 0;
            }
            Ok(k) => k,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return 0,
            Err(_) => {
                *conn = None;
                return 0;
            }
        };
        decoder.filled(got);
        let raw = self.clock.raw();
        let now = self.clock.to_utc(raw);
        let mut n = 0;
        let mut sinks = Sinks {
            engine: &mut self.engine,
            capture: &mut self.capture,
            gaps: &mut self.gaps,
            stats: &mut self.stats,
        };
        loop {
            let mut pushed = 0;
            let r = decoder.next_frame(&mut |_, q| {
                pushed += 1;
                sinks.push(q, raw, now);
            });
            n += pushed;
            match r {
                Ok(Some(h)) => {
                    sinks.stats.frames += 1;
                    // A stream never skips; the check still counts a sender that restarted.
                    let _ = sinks.gaps.check(h);
                }
                Ok(None) => break,
                Err(_) => {
                    sinks.stats.bad_frames += 1;
                    *conn = None;
                    break;
                }
            }
        }
        n
    }
}

struct Sinks<'a> {
    engine: &'a mut rtrb::Producer<Stamped>,
    capture: &'a mut rtrb::Producer<Quote>,
    gaps: &'a mut GapTracker,
    stats: &'a mut FeedStats,
}

impl Sinks<'_> {
    #[inline]
    fn push(&mut self, mut q: Quote, raw: u64, now: TsNs) {
        q.ts_recv = now;
        // The engine's ring first: the decision waits on it, the capture writer does not.
        match self.engine.push(Stamped { quote: q, raw }) {
            Ok(()) => self.stats.quotes += 1,
            Err(_) => self.stats.engine_ring_full += 1,
        }
        if self.capture.push(q).is_err() {
            self.stats.capture_ring_full += 1;
        }
    }
}

/// Decodes one datagram and pushes its quotes (stale frames are skipped, gaps counted).
fn deliver(frame: &[u8], raw: u64, now: TsNs, sinks: &mut Sinks<'_>) -> usize {
    let h = match wire::decode_header(frame) {
        Ok(h) => h,
        Err(_) => {
            sinks.stats.bad_frames += 1;
            return 0;
        }
    };
    sinks.stats.frames += 1;
    if sinks.gaps.check(h) == SeqCheck::Stale {
        return 0;
    }
    let mut n = 0;
    let _ = wire::decode(frame, &mut |_, q| {
        n += 1;
        sinks.push(q, raw, now);
    });
    n
}
