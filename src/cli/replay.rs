//! `crossarb replay --config FILE [--feed FILE.cap[@SHIFT_MS]]... [--seed N] [--receipts DIR]
//! [--json]`: backtest through the same engine as live, against the seeded simulated exchange.
//! Prints the summary (text or JSON); a time-shifted pairing is said first and loudly.
//!
//! `crossarb replay --config FILE --feed RUN.cap --journal RUN.journal [--receipts DIR] [--json]`:
//! replays a live session input for input ([`crate::replay::session`]) — the same engine calls
//! with the same `now`, the recorded execution reports instead of the simulated exchange — and
//! fails, naming the first differing input, if the engine sends an order the live one did not.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::config::Config;
use crate::domain::NS_PER_MS;
use crate::replay::{self, Merge, ReplayError, Report};

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Capture file to replay, optionally time-shifted: `FILE.cap@-86400000` adds −86,400,000 ms
    /// to every timestamp of that file. Repeat for several files; replaces the config's feeds.
    #[arg(long = "feed", value_name = "FILE.cap[@SHIFT_MS]")]
    pub feeds: Vec<String>,
    /// Seed of the simulated exchange [default: the config's replay.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Receipt directory; must hold no receipts [default: <receipts.dir>/replay-seed<N>,
    /// replaced on each run].
    #[arg(long, value_name = "DIR")]
    pub receipts: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Input journal of a live session (`<receipts dir>.journal`, written by `crossarb run` next
    /// to its capture): replay that session exactly, with its recorded execution reports, timer
    /// calls and kill switch instead of the simulated exchange. Takes exactly one --feed, the
    /// session's capture (`<receipts dir>.cap`), and the config the session ran; receipts go to
    /// --receipts [default: <receipts.dir>/replay-session, replaced on each run].
    #[arg(long, value_name = "FILE.journal", conflicts_with = "seed")]
    pub journal: Option<PathBuf>,
}

/// Runs `replay`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let mut cfg = crate::config::load(&args.config)?;
    if let Some(seed) = args.seed {
        cfg.replay.seed = seed;
    }
    if let Some(journal) = &args.journal {
        return super::replay_session::run(&cfg, args, journal);
    }
    let input = open_input(&cfg, &args.feeds)?;
    let dir = match &args.receipts {
        Some(d) => d.clone(),
        None => default_dir(&cfg)?,
    };
    let bar = progress_bar(input.total());
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = replay::run(&cfg, input, dir, &mut progress).map_err(replay_error)?;
    bar.finish_and_clear();
    if args.json {
        print_json(&cfg, &report)
    } else {
        print_text(&cfg, &report);
        Ok(())
    }
}

fn open_input(cfg: &Config, feeds: &[String]) -> Result<Merge, CliError> {
    if feeds.is_empty() {
        return replay::input_from_config(cfg).map_err(replay_error);
    }
    let parsed: Vec<(PathBuf, i64)> = feeds
        .iter()
        .map(|f| parse_feed(f))
        .collect::<Result<_, _>>()?;
    Merge::open(cfg, &parsed).map_err(|e| replay_error(e.into()))
}

/// `PATH` or `PATH@SHIFT_MS`.
fn parse_feed(arg: &str) -> Result<(PathBuf, i64), CliError> {
    match arg.rsplit_once('@') {
        Some((path, shift)) if !path.is_empty() => {
            let ms: i64 = shift.parse().map_err(|_| {
                CliError::input(format!("--feed {arg}: expected FILE.cap@SHIFT_MS with an integer number of milliseconds, got {shift:?}"))
            })?;
            let ns = ms
                .checked_mul(NS_PER_MS)
                .ok_or_else(|| CliError::input(format!("--feed {arg}: shift out of range")))?;
            Ok((PathBuf::from(path), ns))
        }
        _ => Ok((PathBuf::from(arg), 0)),
    }
}

/// `<receipts.dir>/replay-seed<N>`, emptied of a previous replay's segments.
fn default_dir(cfg: &Config) -> Result<PathBuf, CliError> {
    let dir = cfg
        .receipts
        .dir
        .join(format!("replay-seed{}", cfg.replay.seed));
    clear_segments(&dir).map_err(|e| {
        CliError::runtime(format!(
            "{}: cannot clear the previous replay's receipts: {e}",
            dir.display()
        ))
    })?;
    Ok(dir)
}

/// Removes a previous replay's receipt segments from `dir`.
pub(super) fn clear_segments(dir: &Path) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("receipts-") && name.ends_with(".xrl") {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("replay {bar:40} {pos}/{len} quotes {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn replay_error(e: ReplayError) -> CliError {
    match e {
        ReplayError::Feed(_)
        | ReplayError::Engine(_)
        | ReplayError::NoInput
        | ReplayError::Calendar(_)
        | ReplayError::Synth(_) => CliError::input(e.to_string()),
        ReplayError::Sim(_) | ReplayError::Receipts(_) => CliError::runtime(e.to_string()),
    }
}

fn shifted(report: &Report) -> bool {
    report.feeds.iter().any(|f| f.time_shift_ns != 0)
}

fn print_text(cfg: &Config, report: &Report) {
    if shifted(report) {
        println!("*** TIME-SHIFTED PAIRING: feeds from different times were moved onto one clock; spreads are not real ***");
    }
    println!(
        "config             {} (hash {:016x})",
        cfg.source.path.display(),
        cfg.source.hash
    );
    println!("pair               {}", cfg.pair.name);
    println!("seed               {}", cfg.replay.seed);
    for f in &report.feeds {
        let shift = if f.time_shift_ns == 0 {
            String::new()
        } else {
            format!(", TIME SHIFT {:+} ms", f.time_shift_ns / NS_PER_MS)
        };
        println!(
            "feed               {} ({} records{shift})",
            f.path.display(),
            f.records
        );
        if !f.unmapped.is_empty() {
            println!(
                "                   not in the config, skipped: {}",
                f.unmapped.join(", ")
            );
        }
    }
    println!("receipts           {}", report.receipts_dir.display());
    print!("{}", replay::summary::render(&report.summary));
}

fn print_json(cfg: &Config, report: &Report) -> Result<(), CliError> {
    let v = serde_json::json!({
        "config": cfg.source.path,
        "config_hash": format!("{:016x}", cfg.source.hash),
        "pair": cfg.pair.name,
        "seed": cfg.replay.seed,
        "time_shifted": shifted(report),
        "feeds": report.feeds,
        "skipped_records": report.skipped,
        "receipts_dir": report.receipts_dir,
        "summary": report.summary,
    });
    let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::runtime(e.to_string()))?;
    println!("{text}");
    Ok(())
}
