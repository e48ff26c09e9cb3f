//! `crossarb inspect FILE... [--json] [--config FILE] [--gap-ms N]`: prints the per-instrument
//! summary of captures (computed by `feed::inspect`) as text, or as one JSON document per file
//! with `--json`. Runs on the CLI thread. Exit 2 when a file is not a readable capture.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::CliError;
use crate::feed::capture::{Capture, CaptureError};
use crate::feed::inspect::{inspect, InstrumentReport, Report};

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Capture files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON document per file (for scripts).
    #[arg(long)]
    pub json: bool,
    /// Config whose `[[venues]]` give time zones and calendars by venue name.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report gaps longer than this between consecutive records of an instrument.
    #[arg(long = "gap-ms", value_name = "N", default_value_t = 30_000)]
    pub gap_ms: i64,
}

/// Runs `inspect`.
pub fn run(a: &Args) -> Result<(), CliError> {
    if a.gap_ms <= 0 {
        return Err(CliError::input(format!(
            "--gap-ms: expected a positive number of ms, got {}",
            a.gap_ms
        )));
    }
    let cfg = a.config.as_deref().map(crate::config::load).transpose()?;
    let venues = cfg.as_ref().map_or(&[][..], |c| c.venues.as_slice());
    for f in &a.files {
        let cap = Capture::open(f).map_err(|e| match e {
            CaptureError::Io { .. } => CliError::runtime(e.to_string()),
            _ => CliError::input(e.to_string()),
        })?;
        let report = inspect(&cap, venues, a.gap_ms);
        if a.json {
            let text = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::runtime(format!("cannot encode JSON: {e}")))?;
            println!("{text}");
        } else {
            print!("{}", text(&report));
        }
    }
    Ok(())
}

/// The human-readable form of a report.
pub fn text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} records, {} instrument(s)",
        r.file,
        r.records,
        r.instruments.len()
    );
    let _ = writeln!(s, "  note: {}", r.note);
    if !r.utc_only_venues.is_empty() {
        let _ = writeln!(
            s,
            "  venues without a config calendar (UTC only, no trading days or sessions): {}",
            r.utc_only_venues.join(", ")
        );
    }
    for i in &r.instruments {
        instrument(&mut s, i);
    }
    s
}

fn instrument(s: &mut String, i: &InstrumentReport) {
    let _ = writeln!(s, "  {}@{} (tick {})", i.symbol, i.venue, i.tick_size);
    let _ = writeln!(
        s,
        "    records {} (quotes {}, trades {})",
        i.records, i.quotes, i.trades
    );
    if i.records == 0 {
        return;
    }
    let _ = writeln!(
        s,
        "    first {}  last {} (UTC, exchange time)",
        i.first_utc, i.last_utc
    );
    if let Some(sess) = &i.session {
        let _ = writeln!(
            s,
            "    first {}  last {} ({})",
            sess.first_local, sess.last_local, sess.time_zone
        );
        let days: Vec<String> = sess.trading_days.iter().map(u32::to_string).collect();
        let _ = writeln!(s, "    trading days {}", days.join(" "));
        let _ = writeln!(
            s,
            "    out of session {} of {} ({:.2}%)",
            sess.out_of_session,
            i.records,
            sess.out_of_session_share * 100.0
        );
    }
    let g = &i.gaps;
    let longest = g.longest_ends.as_deref().unwrap_or("-");
    let _ = writeln!(
        s,
        "    gaps > {} ms: {}; longest {:.3} s, ending {longest}",
        g.threshold_ms,
        g.count,
        g.longest_ns as f64 / 1e9
    );
    let _ = writeln!(
        s,
        "    books: crossed {}, locked {}, empty side {}",
        i.crossed, i.locked, i.empty
    );
    match &i.spread_ticks_median {
        Some(m) => {
            let _ = writeln!(s, "    median spread {m} ticks");
        }
        None => {
            let _ = writeln!(s, "    median spread: no two-sided book");
        }
    }
    match &i.latency_ns {
        Some(p) => {
            let _ = writeln!(
                s,
                "    ts_recv - ts_exchange (ns, {} records): p50 {} p90 {} p99 {} max {}",
                p.count, p.p50, p.p90, p.p99, p.max
            );
        }
        None => {
            let _ = writeln!(s, "    ts_recv - ts_exchange: no record carries both times");
        }
    }
}
