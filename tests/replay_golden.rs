//! The README's main job, pinned: `crossarb replay --config config/example.toml` on a fresh
//! clone trades, repairs legs, writes byte-identical receipts on every run, and its receipt dump
//! equals the checked-in golden file. `crossarb receipts DIR --summary --json` recomputes from
//! the log alone exactly the summary the replay printed.
//!
//! After an intended change of behaviour, regenerate the golden file with
//! `UPDATE_GOLDEN=1 cargo test --test replay_golden` and review its diff.

mod replay_support;

use replay_support::crossarb;

use std::path::Path;

const GOLDEN: &str = "tests/golden/replay/example-seed42.txt";

fn replay_into(dir: &Path) -> serde_json::Value {
    let d = dir.to_str().expect("utf-8 path");
    let out = crossarb(&[
        "replay",
        "--config",
        "config/example.toml",
        "--receipts",
        d,
        "--json",
    ]);
    serde_json::from_slice(&out.stdout).expect("replay --json prints JSON")
}

#[test]
fn example_replay_is_deterministic_and_matches_its_golden_receipts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let first = replay_into(&a);
    let second = replay_into(&b);
    assert_eq!(first["summary"], second["summary"]);
    let (bytes_a, bytes_b) = (replay_support::log_bytes(&a), replay_support::log_bytes(&b));
    assert!(!bytes_a.is_empty());
    assert!(
        bytes_a == bytes_b,
        "two runs with the same seed wrote different receipt bytes"
    );

    let dump = crossarb(&["receipts", a.to_str().expect("utf-8")]).stdout;
    let dump = String::from_utf8(dump).expect("text dump is UTF-8");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &dump).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file (UPDATE_GOLDEN=1 to create)");
    if dump != want {
        let line = dump
            .lines()
            .zip(want.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "receipt dump differs from {GOLDEN} at line {}:\n  got:  {}\n  want: {}\n(UPDATE_GOLDEN=1 after an intended change)",
            line + 1,
            dump.lines().nth(line).unwrap_or("<end>"),
            want.lines().nth(line).unwrap_or("<end>")
        );
    }
}

#[test]
fn example_replay_trades_and_repairs_legs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let s = &replay_into(tmp.path())["summary"];
    assert!(s["tickets"].as_u64().unwrap() > 0, "no tickets: {s}");
    assert!(s["fills"].as_u64().unwrap() > 0, "no fills: {s}");
    assert!(
        s["repaired_tickets"].as_u64().unwrap() >= 1,
        "no repaired leg: {s}"
    );
    assert!(s["stopped_cleanly"].as_bool().unwrap());
}

#[test]
fn receipts_summary_recomputes_the_replay_summary_from_the_log_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let printed = replay_into(tmp.path());
    let out = crossarb(&[
        "receipts",
        tmp.path().to_str().expect("utf-8"),
        "--summary",
        "--json",
    ]);
    let from_log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed["summary"], from_log);
}
