//! `config/bench-threshold.toml` is the plain threshold strategy: spread = mid(FUTA) − mid(FUTB);
//! above +0.1525 and not short → sell A at its bid, buy B at its ask, short; below −0.1525 and
//! not long → the mirror; |spread| < 0.0225 → flat without trading. Fed a generic quote CSV
//! imported with `crossarb import csv`, replayed with `--feed ... --json`, its decisions and
//! fills are checked quote by quote.

mod replay_support;

use std::process::Command;

use replay_support::crossarb;

#[test]
fn threshold_config_replays_an_imported_csv_with_the_expected_decisions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let csv = tmp.path().join("q.csv");
    let cap = tmp.path().join("q.cap");
    // B stays at 100.00/100.02 (mid 100.01); A's mid moves the spread through the bands.
    // spreads: 0.00, +0.15 (inside: 0.15 ≤ 0.1525), +0.16 (sell), +0.20 (already short),
    // +0.02 (|·| < 0.0225: flat, no trade), +0.17 (sell again), −0.16 (buy), −0.17 (already
    // long).
    let rows = [
        (1, "FUTB", "100.00", "100.02"),
        (2, "FUTA", "100.00", "100.02"),
        (3, "FUTA", "100.15", "100.17"),
        (4, "FUTA", "100.16", "100.18"),
        (5, "FUTA", "100.20", "100.22"),
        (6, "FUTA", "100.02", "100.04"),
        (7, "FUTA", "100.17", "100.19"),
        (8, "FUTA", "99.84", "99.86"),
        (9, "FUTA", "99.83", "99.85"),
    ];
    let mut text = String::from("ts_ns,instrument,bid,ask,bid_size,ask_size\n");
    for (i, (t, sym, bid, ask)) in rows.iter().enumerate() {
        let ts = 1_700_000_000_000_000_000i64 + t * 1_000_000_000;
        text.push_str(&format!("{ts},{sym},{bid},{ask},{},{}\n", 10 + i, 20 + i));
    }
    std::fs::write(&csv, &text).expect("write csv");
    let (c, q) = (csv.to_str().expect("utf-8"), cap.to_str().expect("utf-8"));
    // A price off the 0.01 grid must be refused against the config's tick, naming its line.
    let bad_csv = tmp.path().join("bad.csv");
    std::fs::write(
        &bad_csv,
        format!("{text}1700000010000000000,FUTA,99.845,99.865,1,1\n"),
    )
    .expect("write");
    let bad = Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args([
            "import",
            "csv",
            "--in",
            bad_csv.to_str().expect("utf-8"),
            "--out",
            q,
        ])
        .args(["--config", "config/bench-threshold.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2), "an off-grid price exits 2");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains(":11:"),
        "names the line: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!cap.exists(), "no capture left behind");
    crossarb(&[
        "import",
        "csv",
        "--in",
        c,
        "--out",
        q,
        "--config",
        "config/bench-threshold.toml",
    ]);

    let rdir = tmp.path().join("r");
    let out = crossarb(&[
        "replay",
        "--config",
        "config/bench-threshold.toml",
        "--feed",
        q,
        "--json",
        "--receipts",
        rdir.to_str().expect("utf-8"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &v["summary"];
    assert_eq!(s["quotes"], 9);
    assert_eq!(
        s["tickets"], 3,
        "sell at +0.16, sell again after re-arm at +0.17, buy at −0.16: {s}"
    );
    assert_eq!(s["outcomes"]["balanced"], 3, "{s}");

    let dump = crossarb(&[
        "receipts",
        rdir.to_str().expect("utf-8"),
        "--format",
        "jsonl",
    ])
    .stdout;
    let events: Vec<serde_json::Value> = String::from_utf8(dump)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    let fills: Vec<(String, String, i64, i64)> = events
        .iter()
        .filter(|e| e["kind"] == "fill")
        .map(|e| {
            (
                e["leg"].as_str().unwrap_or("").to_string(),
                e["side"].as_str().unwrap_or("").to_string(),
                e["px"].as_i64().unwrap_or(0),
                e["qty"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    // Fills at the quoted prices, in ticks of 0.01: A's bid / B's ask when selling, and back.
    let want = [
        ("domestic", "sell", 10_016, 1),
        ("overseas", "buy", 10_002, 1),
        ("domestic", "sell", 10_017, 1),
        ("overseas", "buy", 10_002, 1),
        ("domestic", "buy", 9_986, 1),
        ("overseas", "sell", 10_000, 1),
    ];
    let want: Vec<(String, String, i64, i64)> = want
        .iter()
        .map(|(l, s, p, q)| (l.to_string(), s.to_string(), *p, *q))
        .collect();
    assert_eq!(fills, want);
}
