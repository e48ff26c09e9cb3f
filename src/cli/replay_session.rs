//! `crossarb replay --journal`: a live session replayed input for input
//! ([`crate::replay::session`]); prints what was replayed and the summary of the receipts.

use std::path::Path;

use super::replay::{clear_segments, Args};
use super::CliError;
use crate::config::Config;
use crate::replay::session::{self, SessionError, SessionReport};

/// Runs the session replay of `args` (`--journal` given).
pub fn run(cfg: &Config, args: &Args, journal: &Path) -> Result<(), CliError> {
    let capture = match args.feeds.as_slice() {
        [one] => Path::new(one),
        _ => {
            return Err(CliError::input(format!(
                "--journal {}: give exactly one --feed, the session's capture (e.g. {}), got {}",
                journal.display(),
                journal.with_extension("cap").display(),
                args.feeds.len()
            )))
        }
    };
    let dir = match &args.receipts {
        Some(d) => d.clone(),
        None => {
            let d = cfg.receipts.dir.join("replay-session");
            clear_segments(&d).map_err(|e| {
                CliError::runtime(format!(
                    "{}: cannot clear the previous replay's receipts: {e}",
                    d.display()
                ))
            })?;
            d
        }
    };
    let report = session::run(cfg, capture, journal, dir).map_err(|e| match e {
        SessionError::Receipts(_) => CliError::runtime(e.to_string()),
        _ => CliError::input(e.to_string()),
    })?;
    if args.json {
        print_json(cfg, capture, journal, &report)
    } else {
        print_text(cfg, capture, journal, &report);
        Ok(())
    }
}

fn print_text(cfg: &Config, capture: &Path, journal: &Path, r: &SessionReport) {
    println!(
        "config             {} (hash {:016x})",
        cfg.source.path.display(),
        cfg.source.hash
    );
    println!("pair               {}", cfg.pair.name);
    println!("session capture    {}", capture.display());
    println!("session journal    {}", journal.display());
    println!(
        "inputs             {} ({} quotes, {} reports, {} timer calls){}",
        r.inputs,
        r.quotes,
        r.reports,
        r.timers,
        if r.complete {
            ""
        } else {
            ", NO STOP: the run did not end cleanly"
        }
    );
    println!("orders             {} (each the same as live)", r.orders);
    println!(
        "quotes not taken   {} (captured, never given to the live engine)",
        r.untaken_quotes
    );
    println!("receipts           {}", r.receipts_dir.display());
    print!("{}", crate::replay::summary::render(&r.summary));
}

fn print_json(
    cfg: &Config,
    capture: &Path,
    journal: &Path,
    r: &SessionReport,
) -> Result<(), CliError> {
    let v = serde_json::json!({
        "config": cfg.source.path,
        "config_hash": format!("{:016x}", cfg.source.hash),
        "pair": cfg.pair.name,
        "capture": capture,
        "journal": journal,
        "inputs": r.inputs,
        "quotes": r.quotes,
        "reports": r.reports,
        "timers": r.timers,
        "orders": r.orders,
        "untaken_quotes": r.untaken_quotes,
        "complete": r.complete,
        "receipts_dir": r.receipts_dir,
        "summary": r.summary,
    });
    let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::runtime(e.to_string()))?;
    println!("{text}");
    Ok(())
}
