//! `crossarb synth --config FILE --out FILE.cap`: writes the config's seeded synthetic pair feed
//! (`[replay.synth]`) as a capture file, so it can be inspected, shared or replayed with
//! `--feed` like any recorded feed.

use std::path::PathBuf;

use super::CliError;
use crate::feed::capture::{CaptureHeader, CaptureInstrument, CaptureWriter};
use crate::feed::decimal::Decimal;
use crate::replay::Merge;

/// Arguments of `synth`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file with a `[replay.synth]` section.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Capture file to write (replaced atomically; nothing is written on error).
    #[arg(long = "out", value_name = "FILE.cap")]
    pub output: PathBuf,
}

/// Runs `synth`.
pub fn run(args: &Args) -> Result<(), CliError> {
    let mut cfg = crate::config::load(&args.config)?;
    if cfg.replay.synth.is_none() {
        return Err(CliError::input(format!(
            "{}: no [replay.synth] section to generate from",
            args.config.display()
        )));
    }
    cfg.replay.feeds.clear();
    let mut input: Merge =
        crate::replay::input_from_config(&cfg).map_err(|e| CliError::input(e.to_string()))?;
    let header = header(
        &cfg,
        input.peek_time().unwrap_or_default(),
        &input.info[0].note,
    )?;
    let out = |e: crate::feed::capture::CaptureError| CliError::runtime(e.to_string());
    let mut w = CaptureWriter::create(&args.output, &header).map_err(out)?;
    let (mut first, mut last) = (None, None);
    while let Some(q) = input.next() {
        first.get_or_insert(q.ts_recv);
        last = Some(q.ts_recv);
        w.append(&q).map_err(out)?;
    }
    let n = w.finish().map_err(out)?;
    println!(
        "wrote {} quotes, {} .. {}, to {}",
        n,
        first.unwrap_or_default(),
        last.unwrap_or_default(),
        args.output.display()
    );
    Ok(())
}

fn header(
    cfg: &crate::config::Config,
    created_at: crate::domain::TsNs,
    note: &str,
) -> Result<CaptureHeader, CliError> {
    let dec = |v: f64, what: &str| {
        Decimal::from_f64_shortest(v)
            .ok_or_else(|| CliError::input(format!("{what}: {v} is not a short decimal")))
    };
    let instruments = cfg
        .instruments
        .iter()
        .map(|i| {
            Ok(CaptureInstrument {
                symbol: i.symbol.clone(),
                venue: i.venue,
                tick_size: dec(
                    i.tick_size,
                    &format!("instruments[{}].tick_size", i.id.idx()),
                )?,
                lot_size: Some(dec(
                    i.lot_size,
                    &format!("instruments[{}].lot_size", i.id.idx()),
                )?),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    Ok(CaptureHeader {
        created_at,
        note: note.to_string(),
        venues: cfg.venues.iter().map(|v| v.name.clone()).collect(),
        instruments,
    })
}
