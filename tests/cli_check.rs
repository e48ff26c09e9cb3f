//! `crossarb check` as an operator runs it: exit 0 with units on every shipped config, exit 2
//! with every error (field path and line) on a broken one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn check(config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(["check", "--config"])
        .arg(config)
        .output()
        .expect("run crossarb")
}

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

/// Writes `config/example.toml` with the first `from` replaced by `to` into a temp dir.
fn broken_example(dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(config_dir().join("example.toml")).expect("example");
    assert!(text.contains(from), "example.toml has no {from:?}");
    let path = dir.join("broken.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    path
}

fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("read");
    text[..text.find(needle).expect("needle")]
        .matches('\n')
        .count()
        + 1
}

#[test]
fn check_accepts_every_shipped_config_and_prints_units() {
    let mut n = 0;
    for entry in std::fs::read_dir(config_dir()).expect("config dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let out = check(&path);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("hash   0x"), "{stdout}");
        assert!(stdout.contains("position_max "), "{stdout}");
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn check_prints_the_copper_example_with_units() {
    let out = check(&config_dir().join("example.toml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "tick 10 CNY/t",
        "lot 5 t",
        "position_max 100 t",
        "ack_timeout 500 ms",
        "21:00–01:00 night mon–fri",
        "entry_band 30 ticks = 300 CNY/t",
        "fx fixed 7.17 CNY/USD",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
}

#[test]
fn check_marks_venues_without_a_sim_entry_as_default() {
    let out = check(&config_dir().join("shfe-au-comex.toml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("sim SHFE (default)"), "{stdout}");
    assert!(!stdout.contains("sim COMEX (default)"), "{stdout}");
}

#[test]
fn a_misspelled_key_exits_2_naming_the_key_and_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = broken_example(
        dir.path(),
        "quote_age_ms_max = 5000",
        "quote_age_ms_mx = 5000",
    );
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = line_of(&path, "quote_age_ms_mx");
    assert!(stderr.contains("venues[1].quote_age_ms_mx"), "{stderr}");
    assert!(stderr.contains(&format!("(line {line})")), "{stderr}");
    assert!(stderr.contains("broken.toml"), "{stderr}");
}

#[test]
fn a_negative_tick_size_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = broken_example(dir.path(), "tick_size = 10", "tick_size = -10");
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = line_of(&path, "tick_size = -10");
    assert!(
        stderr.contains(&format!(
            "instruments[0].tick_size: must be > 0, got -10 (line {line})"
        )),
        "{stderr}"
    );
}

#[test]
fn every_error_is_printed_on_its_own_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = broken_example(dir.path(), "lot_size = 5", "lot_size = 0");
    let text = std::fs::read_to_string(&path).expect("read").replacen(
        "cooldown_ms = 1000",
        "cooldown_ms = -1",
        1,
    );
    std::fs::write(&path, text).expect("write");
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].contains("2 error(s)"), "{stderr}");
    assert!(
        lines[1]
            .trim_start()
            .starts_with("instruments[0].lot_size:"),
        "{stderr}"
    );
    assert!(
        lines[2].trim_start().starts_with("pair.cooldown_ms:"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_exits_2() {
    let out = check(Path::new("/nonexistent/crossarb.toml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/crossarb.toml"));
}
