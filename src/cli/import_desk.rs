//! `crossarb import ctp-csv | dbn | bar-csv`: the desk-data importers. Each reads its input
//! whole, decodes it with the pure decoder in `feed::<format>`, and only then writes the capture
//! (`.partial` + rename), so bad input leaves no output. Runs on the CLI thread. No progress
//! bar: the desk files decode in well under a second.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::CliError;
use crate::clock::{Clock, LiveClock};
use crate::config::Config;
use crate::feed::import::{self, Decoded, ImportError, Specs, Written};
use crate::feed::{bars, ctp, dbn};

/// Options every desk importer takes.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// Input file.
    #[arg(long = "in", value_name = "FILE")]
    pub input: PathBuf,
    /// Capture file to write (replaced atomically; nothing is written on error).
    #[arg(long = "out", value_name = "FILE.cap")]
    pub output: PathBuf,
    /// Config whose `[[instruments]]` give tick and lot sizes and venues by symbol, and whose
    /// `[[venues]]` give calendars.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Tick size of a symbol the config does not list, e.g. `--tick IF2101=0.2` (repeatable).
    #[arg(long = "tick", value_name = "SYMBOL=TICK")]
    pub ticks: Vec<String>,
    /// Venue name of symbols the config does not place.
    #[arg(long, value_name = "NAME")]
    pub venue: Option<String>,
}

/// Arguments of `import ctp-csv`.
#[derive(Debug, clap::Args)]
pub struct CtpArgs {
    /// Input, output, config, ticks, venue.
    #[command(flatten)]
    pub common: Common,
    /// Built-in column layout: `cffex-l1` or `tqsdk`.
    #[arg(long, value_name = "NAME", conflicts_with = "layout_file")]
    pub layout: Option<String>,
    /// Column layout from a TOML file (see `feed::ctp::layout`).
    #[arg(long = "layout-file", value_name = "FILE.toml")]
    pub layout_file: Option<PathBuf>,
}

/// Arguments of `import dbn`.
#[derive(Debug, clap::Args)]
pub struct DbnArgs {
    /// Input, output, config, ticks, venue.
    #[command(flatten)]
    pub common: Common,
    /// DBN file of instrument definitions: symbols and tick sizes by instrument id.
    #[arg(long, value_name = "FILE")]
    pub definitions: Option<PathBuf>,
}

/// Arguments of `import bar-csv`.
#[derive(Debug, clap::Args)]
pub struct BarArgs {
    /// Input, output, config, ticks, venue.
    #[command(flatten)]
    pub common: Common,
    /// Keep one contract expiry (`yyyymm`); without it every expiry becomes its own symbol.
    #[arg(long, value_name = "YYYYMM")]
    pub expiry: Option<String>,
    /// Symbol root: symbols are `<root><yyyymm>`.
    #[arg(long, value_name = "ROOT", default_value = "GC")]
    pub root: String,
}

fn bad(e: ImportError) -> CliError {
    if e.is_bad_input() {
        CliError::input(e.to_string())
    } else {
        CliError::runtime(e.to_string())
    }
}

fn load(c: &Common) -> Result<(Option<Config>, Specs), CliError> {
    let cfg = c.config.as_deref().map(crate::config::load).transpose()?;
    let specs = Specs::new(&c.ticks, cfg.as_ref()).map_err(bad)?;
    Ok((cfg, specs))
}

/// Progress on stderr when it is a terminal: a spinner while the input is read and decoded
/// (they work on the whole file in memory), then a bar over the records written.
fn progress(stage: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(stage.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn finish(
    decoded: Result<Decoded, ImportError>,
    out: &Path,
    bar: ProgressBar,
) -> Result<(), CliError> {
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} writing [{bar:40}] {pos}/{len} records ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut report = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let written = decoded
        .and_then(|d| import::write_with_progress(&d, out, &mut report))
        .map_err(bad);
    bar.finish_and_clear();
    println!("{}", summary_line(&written?));
    Ok(())
}

/// The one-line result: records, instruments with tick sizes, time range, output.
pub fn summary_line(s: &Written) -> String {
    let ins: Vec<String> = s
        .instruments
        .iter()
        .map(|(sym, venue, tick)| format!("{sym}@{venue} tick {tick}"))
        .collect();
    let range = match s.time_range {
        Some((a, b)) => format!("{a} .. {b}"),
        None => "no time range".into(),
    };
    format!(
        "imported {} records; {} instrument(s): {}; {range}; wrote {}",
        s.records,
        s.instruments.len(),
        ins.join(", "),
        s.output.display()
    )
}

/// Runs `import ctp-csv`.
pub fn run_ctp(a: &CtpArgs) -> Result<(), CliError> {
    let (layout, name) = match (&a.layout, &a.layout_file) {
        (_, Some(f)) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| CliError::input(format!("{}: cannot read: {e}", f.display())))?;
            let l = ctp::Layout::from_toml(&text)
                .map_err(|e| CliError::input(format!("{}: {e}", f.display())))?;
            (l, f.display().to_string())
        }
        (Some(n), None) => {
            let l = ctp::Layout::builtin(n).ok_or_else(|| {
                let names = ctp::layout::BUILTIN.join(", ");
                CliError::input(format!("--layout: expected one of {names}, got \"{n}\""))
            })?;
            (l, n.clone())
        }
        (None, None) => {
            let names = ctp::layout::BUILTIN.join(", ");
            return Err(CliError::input(format!(
                "ctp-csv needs --layout ({names}) or --layout-file FILE.toml"
            )));
        }
    };
    let (cfg, specs) = load(&a.common)?;
    let bar = progress("reading and decoding");
    let bytes = import::read_input(&a.common.input).map_err(bad)?;
    let job = ctp::CtpJob {
        path: &a.common.input,
        layout: &layout,
        layout_name: &name,
        specs: &specs,
        venue: a.common.venue.as_deref(),
        venues: cfg.as_ref().map_or(&[], |c| c.venues.as_slice()),
        created_at: LiveClock::new().now(),
    };
    finish(ctp::decode(&bytes, &job), &a.common.output, bar)
}

/// Runs `import dbn`.
pub fn run_dbn(a: &DbnArgs) -> Result<(), CliError> {
    let (_, specs) = load(&a.common)?;
    let defs = match &a.definitions {
        Some(f) => {
            let bytes = std::fs::read(f)
                .map_err(|e| CliError::runtime(format!("{}: cannot read: {e}", f.display())))?;
            dbn::definitions(&bytes, f).map_err(bad)?
        }
        None => BTreeMap::new(),
    };
    let bar = progress("reading and decoding");
    let raw = std::fs::read(&a.common.input).map_err(|e| {
        CliError::runtime(format!("{}: cannot read: {e}", a.common.input.display()))
    })?;
    let plain = dbn::plain(&raw, &a.common.input).map_err(bad)?;
    let job = dbn::DbnJob {
        path: &a.common.input,
        specs: &specs,
        venue: a.common.venue.as_deref(),
        definitions: &defs,
        created_at: LiveClock::new().now(),
    };
    finish(dbn::decode(&plain, &job), &a.common.output, bar)
}

/// Runs `import bar-csv`.
pub fn run_bars(a: &BarArgs) -> Result<(), CliError> {
    if let Some(e) = &a.expiry {
        if e.len() != 6 || !e.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CliError::input(format!(
                "--expiry: expected yyyymm, got \"{e}\""
            )));
        }
    }
    let (_, specs) = load(&a.common)?;
    let bar = progress("reading and decoding");
    let bytes = import::read_input(&a.common.input).map_err(bad)?;
    let job = bars::BarJob {
        path: &a.common.input,
        root: &a.root,
        expiry: a.expiry.as_deref(),
        specs: &specs,
        venue: a.common.venue.as_deref(),
        created_at: LiveClock::new().now(),
    };
    finish(bars::decode(&bytes, &job), &a.common.output, bar)
}
