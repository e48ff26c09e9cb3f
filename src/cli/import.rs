//! `crossarb import <format> ...`: converts a feed file held by a desk into a capture. One
//! nested subcommand per source format: `csv` here; `ctp-csv`, `dbn`, `bar-csv` in
//! `import_desk`. Runs on the CLI thread; a progress bar goes to stderr when it is a terminal.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::clock::{Clock, LiveClock};
use crate::feed::csv::{self as csv_import, CsvError, CsvImport, ImportSummary, Ticks};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Source format.
    #[command(subcommand)]
    pub format: Format,
}

/// Source formats.
#[derive(Debug, Subcommand)]
pub enum Format {
    /// Generic quote CSV with header `ts_ns,instrument,bid,ask,bid_size,ask_size` (UTC ns,
    /// symbol, decimal prices, sizes in lots; empty side: size 0).
    Csv(CsvArgs),
    /// CTP depth-market-data style CSV (.csv or .csv.gz): columns from `--layout cffex-l1|tqsdk`
    /// or `--layout-file`; TRADE records from cumulative volume; night sessions on the right day.
    CtpCsv(super::import_desk::CtpArgs),
    /// Databento DBN (plain or zstd): mbp-1, tbbo, bbo-1s/1m → quotes; trades → TRADE records.
    Dbn(super::import_desk::DbnArgs),
    /// 1-minute bid/ask bar CSV (COMEX GC layout): one quote per bar at bar close, flagged BAR.
    BarCsv(super::import_desk::BarArgs),
}

/// Arguments of `import csv`.
#[derive(Debug, clap::Args)]
pub struct CsvArgs {
    /// Input CSV file.
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
    /// Capture file to write (replaced atomically; nothing is written on error).
    #[arg(long = "out", value_name = "FILE.cap")]
    pub output: PathBuf,
    /// Config whose `[[instruments]]` give tick sizes by symbol. Without it, each instrument's
    /// tick is 10^-d, d = the most decimals seen in its prices.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Venue name of every row [default: the config's venue of each instrument, else CSV].
    #[arg(long, value_name = "NAME")]
    pub venue: Option<String>,
}

/// Runs `import`.
pub fn run(args: &Args) -> Result<(), CliError> {
    match &args.format {
        Format::Csv(a) => run_csv(a),
        Format::CtpCsv(a) => super::import_desk::run_ctp(a),
        Format::Dbn(a) => super::import_desk::run_dbn(a),
        Format::BarCsv(a) => super::import_desk::run_bars(a),
    }
}

fn run_csv(a: &CsvArgs) -> Result<(), CliError> {
    let ticks = match &a.config {
        Some(path) => {
            let cfg = crate::config::load(path)?;
            let instruments = csv_import::known_from_config(&cfg.instruments, &cfg.venues)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            Ticks::Known {
                from: path.clone(),
                instruments,
            }
        }
        None => Ticks::Derive,
    };
    let job = CsvImport {
        input: a.input.clone(),
        output: a.output.clone(),
        ticks,
        venue: a.venue.clone(),
        created_at: LiveClock::new().now(),
    };
    let bar = progress_bar();
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let result = csv_import::import(&job, &mut progress);
    bar.finish_and_clear();
    let summary = result.map_err(|e: CsvError| {
        if e.is_bad_input() {
            CliError::input(e.to_string())
        } else {
            CliError::runtime(e.to_string())
        }
    })?;
    if a.config.is_none() && !summary.instruments.is_empty() {
        let derived: Vec<String> = summary
            .instruments
            .iter()
            .map(|i| format!("{} {}", i.symbol, i.tick_size))
            .collect();
        eprintln!(
            "crossarb: derived tick sizes (10^-d, d = most decimals seen): {}",
            derived.join(", ")
        );
    }
    println!("{}", summary_line(&summary));
    Ok(())
}

/// The one-line result: rows, instruments with tick sizes, time range, output.
pub fn summary_line(s: &ImportSummary) -> String {
    let instruments: Vec<String> = s
        .instruments
        .iter()
        .map(|i| format!("{}@{} tick {}", i.symbol, i.venue, i.tick_size))
        .collect();
    let range = match s.time_range {
        Some((a, b)) => format!("{a} .. {b}"),
        None => "no time range".into(),
    };
    format!(
        "imported {} rows; {} instrument(s): {}; {range}; wrote {}",
        s.rows,
        s.instruments.len(),
        instruments.join(", "),
        s.output.display()
    )
}

fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} importing [{bar:40}] {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
