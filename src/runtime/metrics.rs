//! Per-stage latency. Hot stages push raw `quanta` counter pairs ([`Sample`]) into a metrics
//! ring (full → the sample is counted as dropped: metrics are the one lossy edge); the cold
//! metrics stage converts them to nanoseconds and records them in one `hdrhistogram` per
//! [`Span`]; the histograms are printed at shutdown.
//!
//! Spans of one order, in pipeline order: quote received by the feed stage → the engine took it
//! (`FeedToEngine`) → the engine issued the order (`QuoteToDecision`) → the gateway wrote its
//! bytes to the socket (`DecisionToWire`; `QuoteToWire` = tick-to-order) → the venue's ack
//! (`WireToAck`) and first fill (`WireToFill`) came back. Three more split tick-to-order by
//! thread: the engine's own step from taking the quote to issuing its first order
//! (`EngineStep`), the order's ring hop to the gateway (`OrderHop`) and the gateway's send
//! (`GatewaySend`: encode and write).

use hdrhistogram::Histogram;

/// A measured span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Span {
    /// Feed stage receive → engine stage pop.
    FeedToEngine = 0,
    /// Quote receive → order issued by the engine.
    QuoteToDecision = 1,
    /// Order issued → its bytes written to the socket.
    DecisionToWire = 2,
    /// Quote receive → order bytes written (tick-to-order).
    QuoteToWire = 3,
    /// Order bytes written → acknowledgement received.
    WireToAck = 4,
    /// Order bytes written → first fill received.
    WireToFill = 5,
    /// Engine stage took the quote → its first order issued.
    EngineStep = 6,
    /// Order issued → the gateway stage took it from its ring.
    OrderHop = 7,
    /// Gateway stage took the order → its bytes written to the socket.
    GatewaySend = 8,
}

/// Number of [`Span`]s.
pub const SPANS: usize = 9;

const NAMES: [&str; SPANS] = [
    "feed → engine",
    "quote → decision",
    "decision → wire",
    "quote → wire (tick-to-order)",
    "wire → ack",
    "wire → fill",
    "engine: quote taken → first order",
    "order ring hop to the gateway",
    "gateway: order taken → written",
];

/// One measurement: two raw counter values of the same `quanta` clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// What was measured.
    pub span: Span,
    /// Raw counter at the start.
    pub start: u64,
    /// Raw counter at the end.
    pub end: u64,
}

/// Pushes samples into a metrics ring; a full ring drops the sample and counts it.
#[derive(Debug)]
pub struct Recorder {
    ring: rtrb::Producer<Sample>,
    /// Samples dropped because the ring was full.
    pub dropped: u64,
}

impl Recorder {
    /// Wraps the producer end of a metrics ring.
    pub fn new(ring: rtrb::Producer<Sample>) -> Recorder {
        Recorder { ring, dropped: 0 }
    }

    /// Records one span (hot path: one ring push).
    #[inline]
    pub fn record(&mut self, span: Span, start: u64, end: u64) {
        if self.ring.push(Sample { span, start, end }).is_err() {
            self.dropped += 1;
        }
    }
}

/// Histograms per span (cold thread).
#[derive(Debug)]
pub struct Latencies {
    hist: Vec<Histogram<u64>>,
}

/// Largest recorded latency (60 s); larger values are clamped.
const NS_MAX: u64 = 60_000_000_000;

impl Default for Latencies {
    fn default() -> Self {
        let hist = (0..SPANS)
            .map(|_| {
                Histogram::new_with_bounds(1, NS_MAX, 3)
                    .expect("Invariant: static histogram bounds are valid")
            })
            .collect();
        Latencies { hist }
    }
}

impl Latencies {
    /// Records a sample converted with `clock`.
    pub fn add(&mut self, clock: &quanta::Clock, s: Sample) {
        let ns = clock.delta_as_nanos(s.start, s.end).clamp(1, NS_MAX);
        let _ = self.hist[s.span as usize].record(ns);
    }

    /// The histogram of one span.
    pub fn get(&self, span: Span) -> &Histogram<u64> {
        &self.hist[span as usize]
    }

    /// A Markdown table (µs) of every span with samples.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| span | samples | p50 µs | p99 µs | p99.9 µs | max µs |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for (i, h) in self.hist.iter().enumerate() {
            if h.is_empty() {
                continue;
            }
            let us = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            out.push_str(&format!(
                "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
                NAMES[i],
                h.len(),
                us(0.5),
                us(0.99),
                us(0.999),
                h.max() as f64 / 1000.0
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_cross_the_ring_and_land_in_their_span_histogram() {
        let (p, mut c) = rtrb::RingBuffer::new(2);
        let mut r = Recorder::new(p);
        let clock = quanta::Clock::new();
        let t0 = clock.raw();
        r.record(Span::WireToAck, t0, t0);
        r.record(Span::QuoteToWire, t0, t0);
        r.record(Span::QuoteToWire, t0, t0);
        assert_eq!(r.dropped, 1, "a full metrics ring drops and counts");
        let mut l = Latencies::default();
        while let Ok(s) = c.pop() {
            l.add(&clock, s);
        }
        assert_eq!(l.get(Span::WireToAck).len(), 1);
        assert_eq!(l.get(Span::QuoteToWire).len(), 1);
        assert!(l.table().contains("wire → ack"));
        assert!(!l.table().contains("wire → fill"));
    }
}
