//! The run summary, computed from receipt events alone: the replay builds it from the events it
//! writes, and `crossarb receipts DIR --summary` from the events it reads back, so both print
//! the same figures by construction (the audit view compliance uses). Cold path: it allocates.
//!
//! Layout: this file the figures; `builder` the accumulation from events; `tally` its counters
//! and latency histograms; `render` the text view.

use std::collections::BTreeMap;

use serde::Serialize;

mod builder;
mod render;
mod tally;

pub use builder::SummaryBuilder;
pub use render::render;

/// Latency percentiles of one stage, simulated (replay) or venue time, microseconds.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Largest.
    pub max_us: f64,
}

/// Money figures in the report currency.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Pnl {
    /// Sum of all fills' cash flows.
    pub cash: f64,
    /// Value of the position still open at the end, at the last mids.
    pub open_position: f64,
    /// `cash + open_position`.
    pub total: f64,
}

/// Naked (unhedged) exposure over the run.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Naked {
    /// Largest |net exposure − lot-alignment residual|, grams (or units for non-mass pairs).
    pub peak_grams: f64,
    /// Longest continuous stretch with naked exposure, ms.
    pub longest_ms: f64,
    /// Total time with naked exposure, ms.
    pub total_ms: f64,
}

/// Everything a run summary says.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// Receipts read.
    pub receipts: u64,
    /// Seed of the simulated exchange (replay), from the `Start` receipt.
    pub seed: i64,
    /// Config hash, hex, from the `Start` receipt.
    pub config_hash: String,
    /// Report currency (PnL), from the `Start` receipt.
    pub currency: String,
    /// Quotes processed, from the `Stop` receipt (0 when the run did not stop cleanly).
    pub quotes: u64,
    /// Whether a `Stop` receipt closed the log.
    pub stopped_cleanly: bool,
    /// Opportunities (entries and exits).
    pub opportunities: u64,
    /// Refusals by reason.
    pub refusals: BTreeMap<&'static str, u64>,
    /// Tickets opened.
    pub tickets: u64,
    /// Tickets by outcome: balanced, rolled_back, stuck, open (no close receipt).
    pub outcomes: BTreeMap<&'static str, u64>,
    /// Orders by purpose: entry, backfill, rollback.
    pub orders: BTreeMap<&'static str, u64>,
    /// Fills (count).
    pub fills: u64,
    /// Lots filled per leg: domestic, overseas.
    pub filled_lots: BTreeMap<&'static str, i64>,
    /// Legging incidents by kind: tickets that saw a reject, a short (partial) leg, an ack
    /// timeout, a backfill, a rollback.
    pub incidents: BTreeMap<&'static str, u64>,
    /// Tickets that needed a backfill or rollback and still ended balanced or rolled back.
    pub repaired_tickets: u64,
    /// Backfill orders sent.
    pub backfills: u64,
    /// Rollback orders sent.
    pub rollbacks: u64,
    /// Realised slippage, Σ lots × ticks, per leg (positive = worse).
    pub slippage_ticks: BTreeMap<&'static str, i64>,
    /// PnL in the report currency.
    pub pnl: Pnl,
    /// Naked exposure.
    pub naked: Naked,
    /// Breakers tripped, by name.
    pub breakers: BTreeMap<&'static str, u64>,
    /// Order sent → acknowledged.
    pub ack_latency: Percentiles,
    /// Order sent → first fill.
    pub fill_latency: Percentiles,
    /// Domestic exchange time of the triggering quote → decision.
    pub decision_latency: Percentiles,
}
