//! Shared bench support: machine info at the top of every bench, `hdrhistogram` percentile
//! tables in Markdown, and one machine-readable line per figure (`BENCH <bench> <metric> <value>
//! <unit>`) that `scripts/bench.sh` collects. Included by each bench with `mod support;`.
//!
//! Time is read as the raw `quanta` counter around the measured code and scaled to ns
//! afterwards ([`Bench::ns`]), so the timed region holds two counter reads and nothing else.
//!
//! `CROSSARB_BENCH_QUICK=1` divides every sample count by 100 (a smoke run of the harness, not
//! a measurement: its tables say so).

#![allow(dead_code)] // each bench uses a different part of this module

pub mod pipeline;
pub mod quotes;

use std::fmt::Write as _;
use std::path::Path;

use hdrhistogram::Histogram;

/// Largest value a histogram records (60 s in ns); larger ones are clamped to it.
pub const HIST_NS_MAX: u64 = 60_000_000_000;

/// One bench run: its name, its clock and the header already printed.
pub struct Bench {
    name: &'static str,
    clock: quanta::Clock,
    quick: bool,
}

impl Bench {
    /// Prints the bench header, what it measures and the machine info; returns the handle.
    pub fn start(name: &'static str, what: &str) -> Bench {
        let quick = std::env::var_os("CROSSARB_BENCH_QUICK").is_some_and(|v| v != "0");
        println!("## {name}\n");
        println!("{what}\n");
        if quick {
            println!("**CROSSARB_BENCH_QUICK is set: sample counts / 100, not a measurement.**\n");
        }
        print!("{}", machine_info());
        let _ = core_ids();
        Bench {
            name,
            clock: quanta::Clock::new(),
            quick,
        }
    }

    /// The bench's clock: read `raw()` around the measured code, scale with [`Bench::ns`].
    pub fn clock(&self) -> &quanta::Clock {
        &self.clock
    }

    /// Nanoseconds between two raw counter values.
    pub fn ns(&self, start: u64, end: u64) -> u64 {
        self.clock.delta_as_nanos(start, end)
    }

    /// `n`, or `n / 100` (at least 1) in quick mode.
    pub fn count(&self, n: u64) -> u64 {
        if self.quick {
            (n / 100).max(1)
        } else {
            n
        }
    }

    /// Prints a Markdown subsection title.
    pub fn section(&self, title: &str) {
        println!("### {title}\n");
    }

    /// Prints a percentile table, one row per `(case, histogram)`, every value divided by
    /// `divisor` (e.g. 2 for round trip → one way, 64 for a batch of 64 → per item), and one
    /// `BENCH` line per cell. `case` must not contain spaces.
    pub fn table(&self, unit: &str, divisor: f64, rows: &[(&str, &Histogram<u64>)]) {
        println!("| case | samples | mean | p50 | p90 | p99 | p99.9 | max |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (case, h) in rows {
            let q = |x: f64| h.value_at_quantile(x) as f64 / divisor;
            let cells = [
                ("mean", h.mean() / divisor),
                ("p50", q(0.50)),
                ("p90", q(0.90)),
                ("p99", q(0.99)),
                ("p99.9", q(0.999)),
                ("max", h.max() as f64 / divisor),
            ];
            let mut line = format!("| {case} | {} |", h.len());
            for (_, v) in cells {
                let _ = write!(line, " {} {unit} |", fmt_num(v));
            }
            println!("{line}");
            self.line(&format!("{case}.samples"), h.len() as f64, "count");
            for (metric, v) in cells {
                self.line(&format!("{case}.{metric}"), v, unit);
            }
        }
        println!();
    }

    /// Prints a two-column Markdown table of named figures and their `BENCH` lines.
    pub fn figures(&self, rows: &[(&str, f64, &str)]) {
        println!("| figure | value |");
        println!("|---|---:|");
        for (metric, v, unit) in rows {
            println!("| {metric} | {} {unit} |", fmt_num(*v));
        }
        println!();
        for (metric, v, unit) in rows {
            self.line(metric, *v, unit);
        }
    }

    /// Prints a free-text note (a Markdown paragraph).
    pub fn note(&self, text: &str) {
        println!("{text}\n");
    }

    /// One machine-readable line: `BENCH <bench> <metric> <value> <unit>`.
    pub fn line(&self, metric: &str, value: f64, unit: &str) {
        assert!(
            !metric.contains(char::is_whitespace) && !unit.contains(char::is_whitespace),
            "Invariant: BENCH metrics and units are single words: {metric:?} {unit:?}"
        );
        println!("BENCH {} {metric} {value:.3} {unit}", self.name);
    }
}

/// A histogram of ns values from 1 ns to [`HIST_NS_MAX`], 3 significant digits. Allocated
/// once here; `record` does not allocate (fixed bounds, no auto-resize).
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_NS_MAX, 3).expect("Invariant: valid histogram bounds")
}

/// Records `v`, clamped to the histogram's range.
pub fn record(h: &mut Histogram<u64>, v: u64) {
    h.saturating_record(v.max(1));
}

fn fmt_num(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() < 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.1}")
    }
}

/// The cores the process could run on at its first pinning. Captured once: a thread spawned
/// by an already-pinned thread inherits its one-core mask, and `get_core_ids` would then offer
/// only that core.
fn core_ids() -> &'static [core_affinity::CoreId] {
    static IDS: std::sync::OnceLock<Vec<core_affinity::CoreId>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| core_affinity::get_core_ids().unwrap_or_default())
}

/// Pins the current thread to `core` if the process may run there; returns whether it did.
/// Call once on the main thread before any pinning (see [`core_ids`]) — [`Bench::start`] does.
pub fn pin_to(core: usize) -> bool {
    core_ids()
        .iter()
        .find(|c| c.id == core)
        .is_some_and(|c| core_affinity::set_for_current(*c))
}

/// Cores the process may run on.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn read_trim(path: &str) -> Option<String> {
    std::fs::read_to_string(Path::new(path))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find(|l| {
            l.starts_with("model name") || l.starts_with("Model") || l.starts_with("Hardware")
        })
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "n/a".to_string(), |(_, v)| v.trim().to_string())
}

fn tsc_flags() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let Some(flags) = info.lines().find(|l| l.starts_with("flags")) else {
        return "n/a".to_string();
    };
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    match (has("constant_tsc"), has("nonstop_tsc")) {
        (true, true) => "constant_tsc nonstop_tsc (cross-core stamps comparable)".to_string(),
        (c, n) => format!("constant_tsc={c} nonstop_tsc={n}"),
    }
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || "n/a".to_string(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        )
}

/// Today's date and time (UTC), read through the crate's one sanctioned wall clock.
pub fn now_utc() -> String {
    let ns = crossarb::clock::Clock::now(&crossarb::clock::LiveClock::new()).0;
    chrono::DateTime::from_timestamp_nanos(ns)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// The machine-info block, delimited by HTML comments so that `scripts/bench.sh` can lift it.
pub fn machine_info() -> String {
    let rows = [
        ("date", now_utc()),
        (
            "host",
            read_trim("/proc/sys/kernel/hostname").unwrap_or_else(|| "n/a".into()),
        ),
        ("cpu", cpu_model()),
        ("cores available", cores().to_string()),
        (
            "scaling governor",
            read_trim("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
                .unwrap_or_else(|| "n/a".into()),
        ),
        ("tsc", tsc_flags()),
        (
            "kernel",
            read_trim("/proc/sys/kernel/osrelease").unwrap_or_else(|| "n/a".into()),
        ),
        ("rustc", rustc_version()),
        (
            "build",
            if cfg!(debug_assertions) {
                "debug assertions ON: not a release measurement".to_string()
            } else {
                "optimised (bench profile = release: lto fat, codegen-units 1)".to_string()
            },
        ),
        (
            "load average at start",
            read_trim("/proc/loadavg").unwrap_or_else(|| "n/a".into()),
        ),
    ];
    let mut s = String::from("<!-- machine:begin -->\n| machine | |\n|---|---|\n");
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    s.push_str("<!-- machine:end -->\n\n");
    s
}
