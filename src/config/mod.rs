//! Configuration: TOML text → raw serde structs (`deny_unknown_fields`, every field spanned) →
//! validated [`Config`]. Validation collects every error with its field path and TOML line
//! (`pair.exit_band_ticks: must be smaller than pair.entry_band_ticks (40 ≥ 30) (line 41)`); a
//! syntax error, misspelled key or wrong type is reported alone with its key and line. Cold path
//! only (start-up and `crossarb check`).
//!
//! # Schema
//!
//! No silent defaults for anything that moves money: every field of `[pair]`, `[execution]`,
//! `[risk]` and `[[instruments]]` is required. Relative paths (`receipts.dir`, `replay.feeds`,
//! `risk.kill_switch_file`, a holidays file) are relative to the config file's directory.
//!
//! ```toml
//! [[venues]]                      # 1..=VENUES_MAX, unique names
//! name = "SHFE"
//! time_zone = "Asia/Shanghai"     # IANA name
//! quote_age_ms_max = 2000         # > 0
//! gateway = "ctp"                 # sim | fix | ctp
//! holidays = ["2025-01-01"]       # optional (default none); or "file.txt", one date a line
//! sessions = [                    # local time; close <= open crosses midnight; open != close
//!   { open = "21:00", close = "01:00", days = "mon-fri", night = true },  # night: default false
//!   { open = "09:00", close = "10:15", days = ["mon", "tue", "wed", "thu", "fri"] },
//! ]                               # days: "mon-fri", "sun-thu" (wraps), "sat" or a list
//!
//! [[instruments]]                 # 2..=INSTRUMENTS_MAX, unique symbols
//! symbol = "cu2505"
//! venue = "SHFE"                  # a [[venues]] name
//! tick_size = 10                  # > 0, currency per price_unit; tick_decimals derived (0.02 → 2)
//! lot_size = 5                    # > 0, in lot_unit; lot_base = exact integer quanta
//! lot_unit = "t"                  # t kg g ozt lb unit
//! currency = "CNY"                # 3 uppercase letters
//! price_unit = "t"                # same dimension as lot_unit
//!
//! [pair]
//! name = "cu-import"
//! domestic = "cu2505"             # instrument symbols: different, on different venues,
//! overseas = "CA3M"               #   lot units of the same dimension
//! form = "import_parity"          # difference | ratio | import_parity
//! # difference: a > 0, b > 0, c; ratio: ratio_tick > 0; import_parity: unit_conversion > 0,
//! # 0 <= vat < 1, 0 <= tariff < 1, costs. A parameter of another form is an error.
//! unit_conversion = 1.0
//! vat = 0.13
//! tariff = 0.0
//! costs = 600.0
//! pricing = "executable"          # executable | mid
//! fx = 7.17                       # > 0, or { instrument = "USDCNH", stale_ms_max = 5000 }
//! center_ticks = 0.0
//! entry_band_ticks = 30.0         # > 0
//! exit_band_ticks = 10.0          # 0 <= exit < entry
//! cooldown_ms = 1000              # >= 0
//! leg_skew_ms_max = 3000          # > 0
//! domestic_size_min_lots = 1      # >= 1 (all four)
//! overseas_size_min_lots = 1
//! domestic_lots_max = 10
//! overseas_lots_max = 2
//!
//! [execution]
//! mode = "concurrent"             # concurrent | lead_lag
//! order_style = "ioc"             # ioc | limit
//! ack_timeout_ms = 500            # > 0
//! backfill_attempts_max = 3       # >= 0
//! backfill_deadline_ms = 2000     # > 0, <= ticket_deadline_ms
//! rollback_attempts_max = 3       # >= 1
//! ticket_deadline_ms = 5000       # > 0
//! [execution.domestic]            # and [execution.overseas]
//! slippage_ticks = 1              # >= 0
//! backfill_slippage_ticks_max = 5 # >= slippage_ticks
//! rollback_slippage_ticks_max = 10  # >= 0
//! orders_per_day_max = 2000       # >= 1
//! cancels_per_day_max = 400       # >= 1
//!
//! [risk]
//! position_max = "100 t"          # "<number> <unit>", > 0, >= one lot of each leg
//! naked_exposure_max = "25 t"     # > 0, <= position_max
//! naked_exposure_ms_max = 10000   # > 0
//! orders_per_sec_max = 20         # >= 1
//! ticket_notional_max = 5000000   # > 0, in report_currency
//! report_currency = "CNY"         # the currency of some instrument
//! slippage_ticks_max = 200        # > 0
//! ack_latency_ms_max = 1000       # > 0
//! reject_streak_max = 5           # >= 1
//! feed_stale_ms_max = 30000       # > 0
//! kill_switch_file = "x.kill"     # optional
//!
//! [receipts]
//! dir = "../target/receipts"
//! segment_bytes = 67108864        # >= 4096
//! fsync = "batch"                 # every | never | batch (group commit on a sync thread:
//!                                 #   durable ≤ 2 fsyncs after each batch; ≤ 8 MiB unsynced)
//! fsync_batch_records = 256       # >= 1; required iff fsync = "batch"
//!
//! [threads]                       # optional; stages not listed: unpinned, backoff
//! trigger = { core = 2, idle = "busy_spin" }   # also domestic_feed overseas_feed fx_feed
//! receipts = { idle = "sleep", sleep_us = 100 } #   executor gateway metrics; idle: busy_spin |
//!                                               #   backoff | sleep (+ sleep_us >= 1)
//! [replay]                        # optional; absent: seed 0, no feeds, default sim
//! seed = 42                       # >= 0
//! feeds = [{ path = "x.cap", time_shift_ms = 0 }]  # optional; time_shift_ms default 0
//! [replay.synth]                  # optional
//! seed = 7
//! start_date = "2025-03-03"
//! days = 2                        # >= 1
//! quotes_per_sec = 2.0            # > 0
//! [[replay.sim]]                  # at most one per venue; a venue without one gets zero
//! venue = "LME"                   #   latency and zero probabilities ("(default)" in check)
//! feed_latency_us = 90000         # latencies and jitters >= 0
//! feed_jitter_us = 5000
//! order_latency_us = 90000
//! order_jitter_us = 10000
//! reject_prob = 0.05              # probabilities in [0, 1]
//! ack_loss_prob = 0.02
//! disconnects = [{ start = "2025-03-03T02:00:00Z", end = "2025-03-03T02:00:05Z" }]  # end > start
//! ```
//!
//! `Source.hash` is FNV-1a 64 over `serde_json` of the effective config with `source` blanked
//! and relative paths as written, so the same text hashes the same from any checkout.

mod lines;
mod model;
mod raw;
pub mod show;
mod units;
mod validate;

pub use model::*;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted field path, e.g. `pair.exit_band_ticks` or `instruments[1].tick_size`.
    pub path: String,
    /// 1-based line in the TOML file, when known.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}: {} (line {l})", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file was read but is not a valid config: every problem found.
    #[error("{path}: {} error(s):\n{}", errors.len(), errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// File.
        path: String,
        /// Every problem, in file order.
        errors: Vec<FieldError>,
    },
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, path)
}

/// Validates config text; `path` names it in errors and anchors relative paths.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |errors| ConfigError::Invalid {
        path: path.display().to_string(),
        errors,
    };
    let lines = lines::LineIndex::new(text);
    let raw: raw::RawConfig =
        toml::from_str(text).map_err(|e| invalid(vec![lines::toml_error(text, &lines, &e)]))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut cfg = validate::validate(&raw, &lines, path, dir).map_err(invalid)?;
    cfg.source.hash = hash(&cfg);
    resolve_paths(&mut cfg, dir);
    Ok(cfg)
}

/// FNV-1a 64 of the canonical JSON of `cfg` with `source` blanked (path empty, hash 0) and
/// relative paths still as written: the same file text hashes the same from any checkout or
/// working directory, so receipts stay comparable across machines.
fn hash(cfg: &Config) -> u64 {
    let mut canonical = cfg.clone();
    canonical.source = Source {
        path: PathBuf::new(),
        hash: 0,
    };
    let json =
        serde_json::to_vec(&canonical).expect("Invariant: a Config always serializes to JSON");
    fnv1a64(&json)
}

/// FNV-1a, 64-bit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// Makes the paths a config names relative to the config file's directory.
fn resolve_paths(cfg: &mut Config, dir: &Path) {
    let fix = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    fix(&mut cfg.receipts.dir);
    cfg.replay.feeds.iter_mut().for_each(|f| fix(&mut f.path));
    if let Some(k) = cfg.risk.kill_switch_file.as_mut() {
        fix(k);
    }
    cfg.live.ctp.iter_mut().for_each(|c| fix(&mut c.flow_dir));
}
