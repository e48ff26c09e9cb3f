//! Shared helpers of the replay integration tests: configs derived from `config/example.toml`
//! by editing lines, replays into temporary directories, receipts read back.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crossarb::config::Config;
use crossarb::receipt::event::Event;
use crossarb::receipt::ReceiptReader;
use crossarb::replay::{self, Merge, Report};

/// Runs the built `crossarb` binary in the crate root; panics with its stderr unless it exits 0.
pub fn crossarb(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run crossarb");
    assert!(
        out.status.success(),
        "crossarb {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Path of a file in the crate's `config/` directory.
pub fn config_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name)
}

/// `config/<name>` with each `(from, to)` text replacement applied (each must match).
pub fn config_with(name: &str, edits: &[(&str, &str)]) -> Config {
    let path = config_path(name);
    let mut text = std::fs::read_to_string(&path).expect("read config");
    for (from, to) in edits {
        assert!(text.contains(from), "{name} has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    crossarb::config::parse(&text, &path).unwrap_or_else(|e| panic!("{e}"))
}

/// Replays `input` with `cfg` into a fresh temporary directory; returns the report, the
/// receipts read back, and the directory (kept alive by the returned guard).
pub fn replay(cfg: &Config, input: Merge) -> (Report, Vec<Event>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("receipts");
    let report = replay::run(cfg, input, out.clone(), &mut |_, _| {})
        .unwrap_or_else(|e| panic!("replay: {e}"));
    let events = read_events(&out);
    (report, events, dir)
}

/// Every event of a receipt log; panics on a torn or corrupt record.
pub fn read_events(dir: &Path) -> Vec<Event> {
    ReceiptReader::open(dir)
        .expect("open receipts")
        .map(|r| r.expect("valid record").event().expect("known kind"))
        .collect()
}

/// All bytes of every segment of a log, in order.
pub fn log_bytes(dir: &Path) -> Vec<u8> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| std::fs::read(f).expect("read segment"))
        .collect()
}
