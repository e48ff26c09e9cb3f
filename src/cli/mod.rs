//! The command line: argument definitions (clap) and one module per command. Every command
//! returns `Result<(), CliError>`; [`main`] maps it to an exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check;
mod import;
mod import_desk;
mod inspect;
mod receipts;
mod replay;
mod replay_session;
mod run;
mod synth;
mod venue_sim;

/// A command's failure: a message for stderr and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// 1 = runtime failure, 2 = bad input or config.
    pub code: u8,
    /// What went wrong, naming the file, field or offset.
    pub message: String,
}

impl CliError {
    /// Bad input or config (exit 2).
    pub fn input(message: impl Into<String>) -> CliError {
        CliError {
            code: 2,
            message: message.into(),
        }
    }

    /// Runtime failure (exit 1).
    pub fn runtime(message: impl Into<String>) -> CliError {
        CliError {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(e: crate::config::ConfigError) -> CliError {
        match e {
            crate::config::ConfigError::Io { .. } => CliError::input(e.to_string()),
            crate::config::ConfigError::Invalid { .. } => CliError::input(e.to_string()),
        }
    }
}

/// crossarb: cross-market arbitrage and hedging engine (replay, live, tools).
#[derive(Debug, Parser)]
#[command(name = "crossarb", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a config file and print the effective config with units (exit 0), or every error (exit 2).
    Check(check::Args),
    /// Print every record of a receipt log (text, JSON lines or CSV); a torn or corrupt tail is
    /// reported on stderr with its byte offset (exit 1); a path that is not a log exits 2.
    Receipts(receipts::Args),
    /// Convert a feed file from another format into a capture (`import csv ...`).
    Import(import::Args),
    /// Backtest: replay captures (or the config's synthetic feed) through the engine against the
    /// seeded simulated exchange; write receipts and print the summary.
    Replay(replay::Args),
    /// Write the config's seeded synthetic pair feed ([replay.synth]) as a capture file.
    Synth(synth::Args),
    /// Summarise captures per instrument: counts, time range (UTC and venue local), trading
    /// days, gaps, crossed/locked/empty books, latency percentiles, median spread, out-of-session
    /// share (`--json` for scripts).
    Inspect(inspect::Args),
    /// Live engine: feed handlers, engine, FIX gateways and receipt writer on the configured
    /// threads until SIGINT/SIGTERM; prints latency histograms on exit (and on SIGUSR1).
    Run(run::Args),
    /// Venue simulator: serves captures (or the synthetic feed) as live UDP/TCP feeds and
    /// accepts FIX 4.4 orders, matched by the simulated exchange, on the `[live]` addresses.
    VenueSim(venue_sim::Args),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Receipts(a) => receipts::run(&a),
        Command::Import(a) => import::run(&a),
        Command::Replay(a) => replay::run(&a),
        Command::Synth(a) => synth::run(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Run(a) => run::run(&a),
        Command::VenueSim(a) => venue_sim::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crossarb: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
