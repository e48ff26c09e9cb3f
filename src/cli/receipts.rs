//! `crossarb receipts FILE_OR_DIR [--format text|jsonl|csv] [--summary [--json]]`: prints every record of a receipt
//! log to stdout; a torn or corrupt tail goes to stderr with its file and byte offset after the
//! valid records, and the exit code is 1. A path that is not a receipt log exits 2.
//! Decoding lives in [`crate::receipt::print`], so summaries can reuse it.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::receipt::print::{Format, Printer};
use crate::receipt::{ReadError, ReceiptReader};
use crate::replay::SummaryBuilder;

use super::CliError;

/// Arguments of `receipts`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A segment file (`receipts-000001.xrl`) or the directory of a log.
    #[arg(value_name = "FILE_OR_DIR")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Instead of the records, print the run summary recomputed from the log alone: tickets,
    /// outcomes, fills, legging incidents, repairs, slippage, PnL, naked exposure, latencies.
    #[arg(long)]
    pub summary: bool,
    /// With --summary: print it as JSON.
    #[arg(long, requires = "summary")]
    pub json: bool,
}

/// Runs `receipts`.
pub fn run(args: &Args) -> Result<(), CliError> {
    if args.summary {
        return run_summary(args);
    }
    let reader = ReceiptReader::open(&args.path).map_err(open_error)?;
    let stdout = io::stdout().lock();
    let mut printer =
        Printer::new(io::BufWriter::new(stdout), args.format).map_err(output_error)?;
    let mut tail = None;
    for item in reader {
        match item {
            Ok(rec) => printer.record(&rec).map_err(output_error)?,
            Err(e) => tail = Some(e),
        }
    }
    printer
        .finish()
        .map_err(output_error)?
        .flush()
        .map_err(output_error)?;
    match tail {
        None => Ok(()),
        Some(e) => Err(CliError::runtime(e.to_string())),
    }
}

/// `--summary`: the same summary the replay printed, from the receipts alone. A torn or corrupt
/// tail is reported after it (exit 1): the summary then covers the valid records only.
fn run_summary(args: &Args) -> Result<(), CliError> {
    let reader = ReceiptReader::open(&args.path).map_err(open_error)?;
    let mut builder = SummaryBuilder::new();
    let mut tail = None;
    for item in reader {
        match item {
            Ok(rec) => {
                if let Some(ev) = rec.event() {
                    builder.on_event(&ev);
                }
            }
            Err(e) => tail = Some(e),
        }
    }
    let summary = builder.finish();
    if args.json {
        let text =
            serde_json::to_string_pretty(&summary).map_err(|e| CliError::runtime(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", crate::replay::summary::render(&summary));
    }
    match tail {
        None => Ok(()),
        Some(e) => Err(CliError::runtime(format!(
            "{e} (the summary covers the records before it)"
        ))),
    }
}

fn open_error(e: ReadError) -> CliError {
    match e {
        ReadError::NotReceipts { .. } | ReadError::Io { .. } => CliError::input(e.to_string()),
        _ => CliError::runtime(e.to_string()),
    }
}

fn output_error(e: io::Error) -> CliError {
    CliError::runtime(format!("writing to stdout: {e}"))
}
