//! `crossarb run --config FILE [--receipts DIR] [--seconds S]`: the live engine (feed handlers,
//! engine, FIX gateways, receipt writer on the configured threads; see
//! [`crate::runtime::pipeline`]). Receipts go to `receipts.dir/live-<UTC start>` and every
//! received quote to `receipts.dir/live-<UTC start>.cap`. Runs until SIGINT/SIGTERM (or
//! `--seconds`), then drains open tickets, closes the receipts and prints the latency
//! histograms; SIGUSR1 prints them (with the feed and gateway counters) on stderr while running. Exit 0 after a clean stop, 1 on a runtime failure, 2 on a bad config.

use std::path::PathBuf;
use std::time::Duration;

use super::CliError;
use crate::runtime::pipeline::{self, LiveError, LiveOptions};
use crate::runtime::signals::StopSignal;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (TOML) with a `[live]` section.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Receipt directory [default: <receipts.dir>/live-<UTC start>].
    #[arg(long, value_name = "DIR")]
    pub receipts: Option<PathBuf>,
    /// Stop by itself after this many seconds (as if SIGINT came).
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// Runs `run`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let cfg = crate::config::load(&args.config)?;
    let now = crate::clock::Clock::now(&crate::clock::LiveClock::new());
    let stamp = chrono::DateTime::from_timestamp_nanos(now.0)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    let dir = args
        .receipts
        .clone()
        .unwrap_or_else(|| cfg.receipts.dir.join(format!("live-{stamp}")));
    let stop = StopSignal::install().map_err(|e| CliError::runtime(format!("signals: {e}")))?;
    if let Some(s) = args.seconds {
        let timer = stop.clone();
        // A timer thread is cold and outside the runtime's stages; it only raises the flag.
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(s.max(0.0)));
            timer.raise();
        });
    }
    let opts = LiveOptions {
        capture_path: dir.with_extension("cap"),
        receipts_dir: dir,
        stop,
    };
    eprintln!(
        "crossarb run: receipts {}, capture {}",
        opts.receipts_dir.display(),
        opts.capture_path.display()
    );
    let report = pipeline::run(&cfg, &opts).map_err(|e| match e {
        LiveError::Config(_) | LiveError::Fix(_) | LiveError::Threads(_) => {
            CliError::input(e.to_string())
        }
        _ => CliError::runtime(e.to_string()),
    })?;
    println!("## latency\n\n{}", report.latency_table);
    for c in &report.counters {
        println!("{c}");
    }
    println!("receipts {}", report.receipts_dir.display());
    println!("capture {}", report.capture_path.display());
    println!(
        "journal {} (replays this session: crossarb replay --feed CAPTURE --journal JOURNAL)",
        crate::feed::journal::path_for_capture(&report.capture_path).display()
    );
    if let Some(e) = report.write_error {
        return Err(CliError::runtime(e));
    }
    Ok(())
}
