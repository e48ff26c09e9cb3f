//! Configuration: TOML text → raw serde structs (`deny_unknown_fields`) → validated [`Config`].
//! Validation collects every error with its field path and TOML line. Cold path only.

mod lines;
mod model;
mod raw;
pub mod show;
mod units;
mod validate;

pub use model::*;

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted field path, e.g. `pair.exit_band_ticks` or `instruments[1].tick_size`.
    pub path: String,
    /// 1-based line in the TOML file, when known.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}: {} (line {l})", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file was read but is not a valid config: every problem found.
    #[error("{path}: {} error(s):\n{}", errors.len(), errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// File.
        path: String,
        /// Every problem, in file order.
        errors: Vec<FieldError>,
    },
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&text, path)
}

/// Validates config text; `path` names it in errors and anchors relative paths.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |errors| ConfigError::Invalid {
        path: path.display().to_string(),
        errors,
    };
    let lines = lines::LineIndex::new(text);
    let raw: raw::RawConfig =
        toml::from_str(text).map_err(|e| invalid(vec![lines::toml_error(text, &lines, &e)]))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut cfg = validate::validate(&raw, &lines, path, dir).map_err(invalid)?;
    cfg.source.hash = hash(&cfg);
    resolve_paths(&mut cfg, dir);
    Ok(cfg)
}

/// FNV-1a 64 of the canonical JSON of `cfg` with `source` blanked (path empty, hash 0) and
/// relative paths still as written: the same file text hashes the same from any checkout or
/// working directory, so receipts stay comparable across machines.
fn hash(cfg: &Config) -> u64 {
    let mut canonical = cfg.clone();
    canonical.source = Source {
        path: PathBuf::new(),
        hash: 0,
    };
    let json =
        serde_json::to_vec(&canonical).expect("Invariant: a Config always serializes to JSON");
    fnv1a64(&json)
}

/// FNV-1a, 64-bit.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// Makes the paths a config names relative to the config file's directory.
fn resolve_paths(cfg: &mut Config, dir: &Path) {
    let fix = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = dir.join(&*p);
        }
    };
    fix(&mut cfg.receipts.dir);
    cfg.replay.feeds.iter_mut().for_each(|f| fix(&mut f.path));
    if let Some(k) = cfg.risk.kill_switch_file.as_mut() {
        fix(k);
    }
}
