//! `crossarb check --config FILE`: validate and print the effective config.

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
    println!("{cfg:#?}");
    Ok(())
}
