//! The summary builder's counters and latency histograms.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::Percentiles;

/// Latencies up to one day (ns) at 3 significant figures; longer ones saturate.
pub(super) fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 86_400_000_000_000, 3)
        .expect("Invariant: constant histogram bounds are valid")
}

/// Counters under a few static names, without allocating: the hot side of a summary map.
#[derive(Debug, Default)]
pub(super) struct Tally {
    keys: [&'static str; TALLY_MAX],
    vals: [i64; TALLY_MAX],
    len: usize,
}

/// Most distinct names one tally holds (the largest is the refusal reasons).
const TALLY_MAX: usize = 24;

impl Tally {
    pub(super) fn add(&mut self, key: &'static str, v: i64) {
        if let Some(i) = self.keys[..self.len].iter().position(|k| *k == key) {
            self.vals[i] += v;
        } else if self.len < TALLY_MAX {
            self.keys[self.len] = key;
            self.vals[self.len] = v;
            self.len += 1;
        }
    }

    pub(super) fn map(&self) -> BTreeMap<&'static str, i64> {
        (0..self.len)
            .map(|i| (self.keys[i], self.vals[i]))
            .collect()
    }

    pub(super) fn counts(&self) -> BTreeMap<&'static str, u64> {
        (0..self.len)
            .map(|i| (self.keys[i], self.vals[i].max(0) as u64))
            .collect()
    }
}

pub(super) fn record(h: &mut Histogram<u64>, ns: i64) {
    h.saturating_record(ns.max(0) as u64);
}

pub(super) fn percentiles(h: &Histogram<u64>) -> Percentiles {
    if h.is_empty() {
        return Percentiles::default();
    }
    let us = |v: u64| v as f64 / 1000.0;
    Percentiles {
        count: h.len(),
        p50_us: us(h.value_at_quantile(0.5)),
        p99_us: us(h.value_at_quantile(0.99)),
        max_us: us(h.max()),
    }
}
