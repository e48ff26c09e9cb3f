//! The two ends of the interop test: [`Acceptor`], QuickFIX's acceptor (`acceptor.py` beside
//! this file) as a child process talked to over its stdin/stdout lines, and [`Link`], crossarb's
//! initiator `Session` over a blocking `std::net::TcpStream`. Every wait is bounded: socket
//! reads time out after [`READ_TIMEOUT`], acceptor lines after [`LINE_TIMEOUT`]; a fault fails
//! the test instead of hanging it. The session is given wall-clock time ([`LiveClock`]) because
//! QuickFIX checks SendingTime against its own clock.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use crossarb::clock::LiveClock;
use crossarb::domain::TsNs;
use crossarb::gateway::fix::{Event, Session};

/// Longest a socket read blocks: one pump step.
pub const READ_TIMEOUT: Duration = Duration::from_millis(20);
/// Longest the test waits for one line from the acceptor.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(20);

/// QuickFIX's acceptor as a child process; killed on drop.
pub struct Acceptor {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Every line it printed so far (for assertions and failure messages).
    pub log: Vec<String>,
    /// Lines not yet returned by `expect`.
    pending: Vec<String>,
    /// Its TCP address.
    pub addr: SocketAddr,
    /// FileStore / FileLog root.
    pub dir: PathBuf,
}

impl Acceptor {
    /// Starts `python acceptor.py PORT DIR` on a free loopback port and waits for `ready`.
    pub fn start(python: &str, dir: &Path) -> Acceptor {
        // A port the OS just handed out and we released: free unless another process races us.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix_interop/acceptor.py");
        let mut child = Command::new(python)
            .arg(&script)
            .arg(port.to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} {}: cannot start: {e}", script.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut a = Acceptor {
            child,
            stdin,
            lines,
            log: Vec::new(),
            pending: Vec::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir: dir.to_path_buf(),
        };
        a.expect("ready");
        a
    }

    /// Sends one command line.
    pub fn send(&mut self, cmd: &str) {
        writeln!(self.stdin, "{cmd}")
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("acceptor stdin: {e}; log: {:#?}", self.log));
    }

    /// Queues scripted answers for the next orders on `symbol` and waits until they are queued.
    pub fn plan(&mut self, symbol: &str, actions: &str) {
        self.send(&format!("plan {symbol} {actions}"));
        self.expect(&format!("planned {symbol}"));
    }

    fn take(&mut self, line: String) {
        assert!(
            !line.starts_with("error"),
            "acceptor reported: {line}; log: {:#?}",
            self.log
        );
        self.log.push(line.clone());
        self.pending.push(line);
    }

    /// Takes the lines printed so far without waiting.
    pub fn poll(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.take(line);
        }
    }

    /// Waits (bounded) for a line starting with `prefix` not returned before, and returns it.
    pub fn expect(&mut self, prefix: &str) -> String {
        loop {
            if let Some(i) = self.pending.iter().position(|l| l.starts_with(prefix)) {
                return self.pending.remove(i);
            }
            match self.lines.recv_timeout(LINE_TIMEOUT) {
                Ok(line) => self.take(line),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no `{prefix}` from the acceptor; log: {:#?}", self.log)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("acceptor exited before `{prefix}`; log: {:#?}", self.log)
                }
            }
        }
    }

    /// True if some line so far starts with `prefix`.
    pub fn saw(&mut self, prefix: &str) -> bool {
        self.poll();
        self.log.iter().any(|l| l.starts_with(prefix))
    }

    /// QuickFIX's (next outgoing, next expected incoming) MsgSeqNum, asked over stdin.
    pub fn seqs(&mut self) -> (u64, u64) {
        self.send("status");
        let line = self.expect("seq ");
        let n: Vec<u64> = line[4..]
            .split(' ')
            .map(|w| {
                w.parse()
                    .unwrap_or_else(|_| panic!("bad status line {line:?}"))
            })
            .collect();
        (n[0], n[1])
    }

    /// QuickFIX's event and message logs (for failure messages).
    pub fn quickfix_log(&self) -> String {
        ["event", "messages"]
            .iter()
            .map(|k| {
                let p = self
                    .dir
                    .join(format!("log/FIX.4.4-BROKER-CLIENT.{k}.current.log"));
                std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| format!("{}: {e}", p.display()))
                    .replace('\x01', "|")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The same numbers from QuickFIX's FileStore (`…BROKER-CLIENT.seqnums`: `sender : target`).
    pub fn stored_seqs(&self) -> (u64, u64) {
        let path = self.dir.join("store/FIX.4.4-BROKER-CLIENT.seqnums");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let n: Vec<u64> = text
            .split(':')
            .map(|w| w.trim().parse().unwrap_or(0))
            .collect();
        assert_eq!(n.len(), 2, "{}: expected `sender : target`", path.display());
        (n[0], n[1])
    }
}

impl Drop for Acceptor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// crossarb's initiator session over one TCP connection at a time.
pub struct Link {
    /// The session under test.
    pub s: Session,
    sock: Option<TcpStream>,
    inbuf: Vec<u8>,
    clock: LiveClock,
    /// Every session event so far.
    pub events: Vec<Event>,
}

impl Link {
    /// A disconnected link around `s`.
    pub fn new(s: Session) -> Link {
        Link {
            s,
            sock: None,
            inbuf: Vec::new(),
            clock: LiveClock::new(),
            events: Vec::new(),
        }
    }

    /// Wall-clock UTC now.
    pub fn now(&self) -> TsNs {
        self.clock.to_utc(self.clock.raw())
    }

    /// Connects (a few bounded tries) and sends Logon.
    pub fn connect(&mut self, addr: SocketAddr) {
        let mut last = None;
        for _ in 0..20 {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
                Ok(sock) => {
                    sock.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
                    sock.set_write_timeout(Some(Duration::from_secs(5)))
                        .unwrap();
                    sock.set_nodelay(true).unwrap();
                    self.sock = Some(sock);
                    self.inbuf.clear();
                    let now = self.now();
                    self.s.on_connected(now);
                    self.flush();
                    return;
                }
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        panic!("cannot connect to {addr}: {last:?}");
    }

    /// True while a socket is open.
    pub fn connected(&self) -> bool {
        self.sock.is_some()
    }

    /// Writes what the session has to send. A write error is left to the next read to notice
    /// (the bytes are lost, as they would be on a real link).
    pub fn flush(&mut self) {
        let n = self.s.outbound().len();
        if n == 0 {
            return;
        }
        if let Some(sock) = self.sock.as_mut() {
            let _ = sock.write_all(self.s.outbound());
        }
        self.s.consume_outbound(n);
    }

    /// One step: flush, read what arrived within [`READ_TIMEOUT`], feed it to the session, run
    /// its timers, flush again. Returns the session's new events (also kept in `events`).
    pub fn pump(&mut self) -> Vec<Event> {
        self.flush();
        let mut fresh = Vec::new();
        let mut chunk = [0u8; 8192];
        let read = match self.sock.as_mut() {
            Some(sock) => sock.read(&mut chunk),
            None => return fresh,
        };
        let now = self.now();
        match read {
            Ok(0) => self.lost(now),
            Ok(n) => self.inbuf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => self.lost(now),
        }
        loop {
            let used = self.s.on_bytes(&self.inbuf, now);
            self.inbuf.drain(..used);
            let before = fresh.len();
            fresh.extend(self.s.events());
            if used == 0 || fresh.len() == before {
                break;
            }
        }
        self.s.on_timer(now);
        fresh.extend(self.s.events());
        self.flush();
        if fresh.iter().any(|e| matches!(e, Event::Disconnected(_))) {
            self.sock = None;
            self.inbuf.clear();
        }
        self.events.extend_from_slice(&fresh);
        fresh
    }

    fn lost(&mut self, now: TsNs) {
        // Bytes read before the close are still processed by the caller's loop first.
        let used = self.s.on_bytes(&self.inbuf, now);
        self.inbuf.drain(..used);
        self.s.on_disconnected(now);
        self.sock = None;
    }
}
