//! `crossarb inspect` on every file of shared/data after import, compared exactly with the golden
//! files in tests/golden/inspect/. After an intended change of the output, regenerate them with
//!
//!     UPDATE_GOLDEN=1 cargo test --test inspect
//!
//! and review the diff. Inspect runs in the capture's directory on a relative path, so the
//! output holds no temporary directory names.

mod import_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use import_support::{config, data, import_ok, s};

/// One golden case: how to import, and which config inspect gets.
struct Case {
    name: &'static str,
    import: &'static [&'static str],
    input: &'static str,
    import_config: Option<&'static str>,
    inspect_config: Option<&'static str>,
    json: bool,
}

const CFFEX: &str = "data-cffex-cme.toml";
const SHFE: &str = "data-shfe-comex.toml";
const ES_MBP1: &str = "cme-es-dbn/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst";
const ES_TRADES: &str = "cme-es-dbn/futures_trades_2024-07-01T23-58_2024-07-02T00-02.dbn.zst";

const CASES: [Case; 9] = [
    Case {
        name: "cffex-if2101-20210104",
        import: &["ctp-csv", "--layout", "cffex-l1"],
        input: "cffex-if2101/CFFEX.IF2101_tick_20210104.l1.csv.gz",
        import_config: Some(CFFEX),
        inspect_config: Some(CFFEX),
        json: false,
    },
    Case {
        name: "cffex-if2101-20210105",
        import: &["ctp-csv", "--layout", "cffex-l1"],
        input: "cffex-if2101/CFFEX.IF2101_tick_20210105.l1.csv.gz",
        import_config: Some(CFFEX),
        inspect_config: Some(CFFEX),
        json: false,
    },
    Case {
        name: "shfe-cu1909-20190912",
        import: &["ctp-csv", "--layout", "tqsdk"],
        input: "shfe-cu1909/SHFE.cu1909_ticks_20190912.csv",
        import_config: Some(SHFE),
        inspect_config: Some(SHFE),
        json: false,
    },
    Case {
        name: "shfe-cu1909-20190916",
        import: &["ctp-csv", "--layout", "tqsdk"],
        input: "shfe-cu1909/SHFE.cu1909_ticks_20190916.csv",
        import_config: Some(SHFE),
        inspect_config: Some(SHFE),
        json: false,
    },
    Case {
        name: "cme-es-mbp1",
        import: &["dbn"],
        input: ES_MBP1,
        import_config: Some(CFFEX),
        inspect_config: Some(CFFEX),
        json: false,
    },
    Case {
        name: "cme-es-mbp1.json",
        import: &["dbn"],
        input: ES_MBP1,
        import_config: Some(CFFEX),
        inspect_config: Some(CFFEX),
        json: true,
    },
    Case {
        name: "cme-es-trades",
        import: &["dbn"],
        input: ES_TRADES,
        import_config: Some(CFFEX),
        inspect_config: Some(CFFEX),
        json: false,
    },
    Case {
        name: "cme-es-trades-no-config",
        import: &["dbn"],
        input: ES_TRADES,
        import_config: Some(CFFEX),
        inspect_config: None,
        json: false,
    },
    Case {
        name: "comex-gc201312",
        import: &["bar-csv", "--expiry", "201312"],
        input: "comex-gc-2013/GC_minute_quotes_20131007-11.csv.gz",
        import_config: Some(SHFE),
        inspect_config: Some(SHFE),
        json: false,
    },
];

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/inspect"))
        .join(format!("{name}.txt"))
}

fn inspect_output(c: &Case, dir: &Path) -> String {
    let out = dir.join("capture.cap");
    let input = data(c.input);
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(c.import.iter().map(|a| a.to_string()));
    if let Some(cfg) = c.import_config {
        args.extend(["--config".into(), s(&config(cfg)).to_owned()]);
    }
    args.extend([
        "--in".into(),
        s(&input).to_owned(),
        "--out".into(),
        s(&out).to_owned(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    import_ok(&refs, &out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossarb"));
    cmd.current_dir(dir).arg("inspect").arg("capture.cap");
    if let Some(cfg) = c.inspect_config {
        // A path relative to the repo would differ between machines only in its prefix, so the
        // config is passed absolute; it is not part of the output.
        cmd.arg("--config").arg(config(cfg));
    }
    if c.json {
        cmd.arg("--json");
    }
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{}: {}",
        c.name,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn inspect_output_of_every_shared_data_file_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatched = Vec::new();
    for c in &CASES {
        let dir = tempfile::tempdir().unwrap();
        let got = inspect_output(c, dir.path());
        let path = golden_path(c.name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        if got != want {
            eprintln!("--- {} (golden)\n{want}\n+++ got\n{got}", path.display());
            mismatched.push(c.name);
        }
    }
    assert!(
        mismatched.is_empty(),
        "inspect output differs from golden files: {mismatched:?} (UPDATE_GOLDEN=1 to regenerate)"
    );
}

#[test]
fn inspect_without_a_config_says_it_reports_utc_only() {
    let c = &CASES[7];
    let dir = tempfile::tempdir().unwrap();
    let got = inspect_output(c, dir.path());
    assert!(
        got.contains(
            "venues without a config calendar (UTC only, no trading days or sessions): CME"
        ),
        "{got}"
    );
    assert!(!got.contains("    trading days "), "{got}");
    assert!(!got.contains("out of session"), "{got}");
}

#[test]
fn inspect_reports_locked_and_crossed_gc_bars_and_cffex_trading_day() {
    let dir = tempfile::tempdir().unwrap();
    let gc = inspect_output(&CASES[8], dir.path());
    // PROVENANCE.md: 192 GCZ13 bars close with bid >= ask.
    assert!(
        gc.contains("books: crossed 7, locked 185, empty side 123"),
        "{gc}"
    );
    let dir = tempfile::tempdir().unwrap();
    let cffex = inspect_output(&CASES[0], dir.path());
    assert!(cffex.contains("trading days 20210104\n"), "{cffex}");
    assert!(
        cffex.contains("first 2021-01-04T09:29:00.400000000+08:00"),
        "{cffex}"
    );
    assert!(
        cffex.contains("crossed 0, locked 0, empty side 0"),
        "{cffex}"
    );
}

#[test]
fn inspect_of_a_file_that_is_not_a_capture_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.cap");
    std::fs::write(&p, b"not a capture at all, just text........").unwrap();
    let o = import_support::crossarb(&["inspect", s(&p)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("magic"));
}
