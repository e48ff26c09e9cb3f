//! `crossarb venue-sim --config FILE [--feed FILE.cap]... [--speed N] [--seconds S]`: serves
//! captures as live feeds and accepts FIX orders on loopback ([`crate::venue_sim`]); stops on
//! SIGINT/SIGTERM, at the end of the input, or after `--seconds`.

use std::path::PathBuf;

use super::CliError;
use crate::replay::{self, Merge};
use crate::venue_sim::VenueSim;

/// Arguments of `venue-sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML) with a `[live]` section.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Capture to serve (repeatable); default: the config's replay feeds or synthetic feed.
    #[arg(long = "feed", value_name = "FILE.cap")]
    pub feeds: Vec<PathBuf>,
    /// Pace multiplier over the recorded pace [default: live.speed].
    #[arg(long)]
    pub speed: Option<f64>,
    /// Stop after this many seconds of wall time.
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// Runs `venue-sim`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let cfg = crate::config::load(&args.config)?;
    let input = if args.feeds.is_empty() {
        replay::input_from_config(&cfg).map_err(|e| CliError::input(e.to_string()))?
    } else {
        let f: Vec<(PathBuf, i64)> = args.feeds.iter().map(|p| (p.clone(), 0)).collect();
        Merge::open(&cfg, &f).map_err(|e| CliError::input(e.to_string()))?
    };
    let speed = args.speed.unwrap_or(cfg.live.speed);
    if !(speed > 0.0 && speed.is_finite()) {
        return Err(CliError::input(format!(
            "--speed: expected a number > 0, got {speed}"
        )));
    }
    let stop = crate::runtime::signals::StopSignal::install()
        .map_err(|e| CliError::runtime(format!("signal handlers: {e}")))?;
    let mut sim = VenueSim::new(&cfg, speed).map_err(CliError::runtime)?;
    let served = sim
        .serve(input, &stop, args.seconds)
        .map_err(CliError::runtime)?;
    eprintln!("venue-sim: {served}");
    Ok(())
}
