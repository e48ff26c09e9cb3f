//! Shared helpers of the desk-data import tests: paths into shared/data (beside the repo, as CI
//! clones it), running the built binary, and opening what it wrote.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crossarb::domain::Quote;
use crossarb::feed::capture::Capture;

/// A file under shared/data.
pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/")).join(rel)
}

/// A config of this repo.
pub fn config(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config/")).join(name)
}

/// Runs `crossarb args...`.
pub fn crossarb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(args)
        .output()
        .expect("run crossarb")
}

/// Runs an import that must succeed and opens its capture.
pub fn import_ok(args: &[&str], out: &Path) -> Capture {
    let o = crossarb(args);
    assert!(
        o.status.success(),
        "crossarb {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Capture::open(out).expect("capture opens")
}

/// Runs a command that must exit 2; returns its stderr.
pub fn fails_with_2(args: &[&str]) -> String {
    let o = crossarb(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "crossarb {args:?}: {err}");
    err
}

/// `["import", format, flags.., "--in", input, "--out", out]`.
fn import_args<'a>(
    format: &'a str,
    flags: &[&'a str],
    input: &'a Path,
    out: &'a Path,
) -> Vec<&'a str> {
    let mut args = vec!["import", format];
    args.extend_from_slice(flags);
    args.extend(["--in", s(input), "--out", s(out)]);
    args
}

/// Runs `crossarb import FORMAT FLAGS.. --in INPUT --out OUT`, which must succeed, and opens
/// the capture it wrote.
pub fn import_into(format: &str, flags: &[&str], input: &Path, out: &Path) -> Capture {
    import_ok(&import_args(format, flags, input, out), out)
}

/// The same import, which must exit 2; returns its stderr.
pub fn import_fails(format: &str, flags: &[&str], input: &Path, out: &Path) -> String {
    fails_with_2(&import_args(format, flags, input, out))
}

/// The directory holds no file at all (no capture, no `.partial`).
pub fn assert_empty_dir(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
}

/// Book updates only.
pub fn books(q: &[Quote]) -> Vec<Quote> {
    q.iter().filter(|q| !q.is_trade()).copied().collect()
}

/// Path as &str.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
