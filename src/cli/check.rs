//! `crossarb check --config FILE`: validate a config and print the effective config with units
//! (exit 0), or every error, one per line with its field path and line (exit 2).

use std::path::PathBuf;

use super::CliError;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
}

/// Runs `check`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let cfg = crate::config::load(&args.config)?;
    print!("{}", crate::config::show::render(&cfg));
    Ok(())
}
