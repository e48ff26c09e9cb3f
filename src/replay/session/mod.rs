//! Session replay: a live run replayed input for input. Reads the run's input journal
//! ([`crate::feed::journal`]) and its capture, and drives a fresh [`Engine`] through the same
//! calls — start, each quote the live engine took (found in the capture and checked against its
//! CRC), each execution report, each timer call, the stop — with the `now` each was given live,
//! the kill switch changed where it changed live and the receipt sink refusing where the live
//! ring pushed back. No simulated exchange: the recorded reports stand in for it. The orders the
//! engine sends are compared with the recorded ones after every input; the first difference is
//! an error naming the input, never ignored. Same config ⇒ the same receipts as the live log.
//!
//! Quotes are found per venue in capture order: a venue's quotes reach the capture and the
//! engine in the same order (one feed ring each), so a cursor per venue moves forward over the
//! capture; quotes it passes were captured but never taken by the engine (its ring was full).
//! Two feeds on one venue would interleave differently in the two and are not supported.
//!
//! Single-threaded, cold set-up, then one engine call per record (no allocation per input).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::domain::{Quote, TsNs};
use crate::engine::{Engine, OrderSink, ReceiptSink};
use crate::exec::msg::OrderRequest;
use crate::feed::capture::Capture;
use crate::feed::journal::{Entry, Journal, QuoteRef, ALL_EMITS_OK};
use crate::receipt::event::Event;
use crate::receipt::ReceiptWriter;
use crate::replay::Summary;
use crate::trigger::KillSwitch;

mod error;

pub use error::SessionError;

/// What a session replay did.
#[derive(Debug)]
pub struct SessionReport {
    /// Summary of the receipts written.
    pub summary: Summary,
    /// Engine inputs replayed (start and stop included).
    pub inputs: u64,
    /// Quotes among them.
    pub quotes: u64,
    /// Execution reports among them.
    pub reports: u64,
    /// Timer calls among them.
    pub timers: u64,
    /// Orders sent, each equal to the live engine's.
    pub orders: u64,
    /// Capture records the live engine never took (engine ring full, or after the stop).
    pub untaken_quotes: u64,
    /// The journal ends with the stop (a complete run).
    pub complete: bool,
    /// Receipt directory written.
    pub receipts_dir: PathBuf,
}

/// The replay's receipt sink ([`super::Sink`]: writer, summary, first write error), except that
/// emits beyond `limit` in an input are refused, as the live sink refused them.
struct Sink {
    log: super::Sink,
    emits: u32,
    limit: u32,
}

impl Sink {
    fn new(writer: ReceiptWriter, limit: u32) -> Sink {
        Sink {
            log: super::Sink::new(writer),
            emits: 0,
            limit,
        }
    }
}

impl ReceiptSink for Sink {
    fn emit(&mut self, e: Event) -> bool {
        let accepted = self.emits < self.limit;
        self.emits = self.emits.saturating_add(1);
        self.log.emit(e) && accepted
    }
}

struct Orders(Vec<OrderRequest>);

impl OrderSink for Orders {
    fn send(&mut self, req: &OrderRequest) {
        self.0.push(*req);
    }
}

fn check_capture(cfg: &Config, cap: &Capture, path: &Path) -> Result<(), SessionError> {
    let bad = |what: String| SessionError::CaptureMismatch {
        capture: path.display().to_string(),
        what,
    };
    let names: Vec<&str> = cfg.venues.iter().map(|v| v.name.as_str()).collect();
    if cap.venues() != names.as_slice() {
        return Err(bad(format!(
            "venues {:?}, the config has {names:?}",
            cap.venues()
        )));
    }
    if cap.instruments().len() != cfg.instruments.len() {
        return Err(bad(format!(
            "{} instruments, the config has {}",
            cap.instruments().len(),
            cfg.instruments.len()
        )));
    }
    for (i, (c, k)) in cap.instruments().iter().zip(&cfg.instruments).enumerate() {
        if c.symbol != k.symbol || c.venue != k.venue {
            return Err(bad(format!(
                "instrument {i} is {} on venue {}, the config's instruments[{i}] is {} on venue {}",
                c.symbol, c.venue.0, k.symbol, k.venue.0
            )));
        }
    }
    Ok(())
}

/// Replays the session recorded in `journal` and `capture` (see the module doc), writing
/// receipts into `receipts_dir` (which must hold no receipts).
pub fn run(
    cfg: &Config,
    capture: &Path,
    journal: &Path,
    receipts_dir: PathBuf,
) -> Result<SessionReport, SessionError> {
    let j = Journal::open(journal)?;
    let jname = journal.display().to_string();
    if j.config_hash != cfg.source.hash {
        return Err(SessionError::ConfigMismatch {
            journal: jname,
            config: cfg.source.path.display().to_string(),
            run: j.config_hash,
            this: cfg.source.hash,
        });
    }
    let cap = Capture::open(capture)?;
    check_capture(cfg, &cap, capture)?;
    let quotes = cap.quotes();
    let writer = ReceiptWriter::create(
        &receipts_dir,
        cfg.source.hash,
        j.created_at,
        cfg.receipts.segment_bytes,
        cfg.receipts.fsync,
    )?;
    let mut sink = Sink::new(writer, ALL_EMITS_OK);
    let kill = KillSwitch::new();
    let mut engine = Engine::new(cfg, kill.clone())?;
    let mut orders = Orders(Vec::with_capacity(64));
    let mut expected: Vec<OrderRequest> = Vec::with_capacity(64);
    let mut cursors = vec![0usize; cfg.venues.len()];
    let mut rep = SessionReport {
        summary: Summary::default(),
        inputs: 0,
        quotes: 0,
        reports: 0,
        timers: 0,
        orders: 0,
        untaken_quotes: 0,
        complete: false,
        receipts_dir,
    };
    for (i, r) in j.records.iter().enumerate() {
        let offset = Journal::offset_of(i);
        let diverged = |what: String| SessionError::Diverged {
            journal: jname.clone(),
            input: r.input,
            offset,
            what,
        };
        // Checked by `Journal::open`.
        let Ok(e) = r.decode() else {
            return Err(diverged("undecodable record".into()));
        };
        if rep.complete {
            return Err(diverged("a record after the stop".into()));
        }
        let now = TsNs(r.now);
        sink.emits = 0;
        sink.limit = r.emits_ok;
        match e {
            Entry::Kill(on) => {
                if on {
                    kill.engage();
                } else {
                    kill.release();
                }
                continue;
            }
            Entry::Order(req) => {
                expected.push(req);
                continue;
            }
            Entry::Start { seed } => engine.start(now, seed, cfg, &mut sink),
            Entry::Quote(qr) => {
                let q =
                    find(quotes, &mut cursors, &qr).ok_or_else(|| SessionError::QuoteMissing {
                        journal: jname.clone(),
                        input: r.input,
                        offset,
                        quote: qr,
                        capture: capture.display().to_string(),
                        from: cursors.get(qr.venue.idx()).copied().unwrap_or(0),
                    })?;
                rep.quotes += 1;
                engine.on_quote(&q, now, &mut orders, &mut sink);
            }
            Entry::Report(x) => {
                rep.reports += 1;
                engine.on_report(&x, now, &mut orders, &mut sink);
            }
            Entry::Timer => {
                rep.timers += 1;
                engine.on_timer(now, &mut orders, &mut sink);
            }
            Entry::Stop => {
                engine.stop(now, &mut sink);
                rep.complete = true;
            }
        }
        rep.inputs += 1;
        if orders.0 != expected {
            return Err(diverged(format!(
                "the engine sent {:?}, the live engine sent {:?}",
                orders.0, expected
            )));
        }
        rep.orders += orders.0.len() as u64;
        orders.0.clear();
        expected.clear();
        if let Some(err) = sink.log.error.take() {
            return Err(err.into());
        }
    }
    if !expected.is_empty() {
        return Err(SessionError::Diverged {
            journal: jname,
            input: rep.inputs,
            offset: Journal::offset_of(j.records.len()),
            what: format!(
                "orders {expected:?} recorded for an input the journal does not hold (cut short?)"
            ),
        });
    }
    sink.log.writer.close()?;
    rep.summary = sink.log.summary.finish();
    rep.untaken_quotes = quotes.len() as u64 - rep.quotes;
    Ok(rep)
}

/// The next quote of `r.venue` at or after its cursor that is the referenced one.
fn find(quotes: &[Quote], cursors: &mut [usize], r: &QuoteRef) -> Option<Quote> {
    let cursor = cursors.get_mut(r.venue.idx())?;
    let at = quotes
        .get(*cursor..)?
        .iter()
        .position(|q| q.venue == r.venue && r.matches(q))?;
    let pos = *cursor + at;
    *cursor = pos + 1;
    Some(quotes[pos])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{InstrumentId, VenueId};

    fn quote(venue: u16, t: i64) -> Quote {
        Quote {
            venue: VenueId(venue),
            instrument: InstrumentId(venue),
            ts_recv: TsNs(t),
            ..Quote::default()
        }
    }

    #[test]
    fn the_sink_refuses_the_emits_the_live_ring_refused_and_still_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let writer = ReceiptWriter::create(
            dir.path(),
            1,
            TsNs(0),
            1 << 20,
            crate::config::FsyncPolicy::Never,
        )
        .unwrap();
        let mut sink = Sink::new(writer, 2);
        let e = Event {
            kind: crate::receipt::event::Kind::Start,
            ts: 1,
            payload: Default::default(),
        };
        let got: Vec<bool> = (0..3).map(|_| sink.emit(e)).collect();
        assert_eq!(got, [true, true, false]);
        sink.log.writer.close().unwrap();
        let n = crate::receipt::ReceiptReader::open(dir.path())
            .unwrap()
            .count();
        assert_eq!(
            n, 3,
            "refused receipts are written, as the live spill queue writes them"
        );
    }

    #[test]
    fn quotes_are_found_per_venue_in_order_passing_the_ones_the_engine_never_took() {
        let quotes = [
            quote(0, 1),
            quote(1, 2),
            quote(0, 3),
            quote(0, 4),
            quote(1, 5),
        ];
        let mut cursors = vec![0, 0];
        // The engine took venue 1's first quote, then venue 0's second (its first was refused).
        let got = find(&quotes, &mut cursors, &QuoteRef::of(&quotes[1])).unwrap();
        assert_eq!(got, quotes[1]);
        let got = find(&quotes, &mut cursors, &QuoteRef::of(&quotes[2])).unwrap();
        assert_eq!(got, quotes[2]);
        assert_eq!(cursors, vec![3, 2]);
        // A quote already passed is not found again: the capture does not hold it further on.
        assert_eq!(find(&quotes, &mut cursors, &QuoteRef::of(&quotes[0])), None);
        assert_eq!(cursors, vec![3, 2], "a failed search moves no cursor");
        let mut other = QuoteRef::of(&quotes[3]);
        other.crc ^= 1;
        assert_eq!(
            find(&quotes, &mut cursors, &other),
            None,
            "same stamps, other bytes"
        );
        let mut unknown = QuoteRef::of(&quotes[3]);
        unknown.venue = VenueId(7);
        assert_eq!(find(&quotes, &mut cursors, &unknown), None);
    }
}
