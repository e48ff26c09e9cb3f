//! Pairing real files from different days: the CFFEX IF2101 day (2021-01-04, Beijing) against
//! the CME ES mbp-1 capture (2024-07-01 23:58 UTC) shifted onto it. The replay runs end to end
//! through the engine and says, first and loudly, that the pairing is time-shifted.

mod import_support;

use import_support::{config, crossarb, data, import_ok, s};

#[test]
fn cffex_day_against_time_shifted_cme_es_replays_and_says_it_is_shifted() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config("data-cffex-cme.toml");
    let if_cap = dir.path().join("if.cap");
    let es_cap = dir.path().join("es.cap");
    let input = data("cffex-if2101/CFFEX.IF2101_tick_20210104.l1.csv.gz");
    let args = [
        "import",
        "ctp-csv",
        "--layout",
        "cffex-l1",
        "--config",
        s(&cfg),
        "--in",
        s(&input),
        "--out",
        s(&if_cap),
    ];
    let if_quotes = import_ok(&args, &if_cap).quotes().len();
    let input = data("cme-es-dbn/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst");
    let args = [
        "import",
        "dbn",
        "--config",
        s(&cfg),
        "--in",
        s(&input),
        "--out",
        s(&es_cap),
    ];
    let es_quotes = import_ok(&args, &es_cap).quotes().len();

    // ES's first record (2024-07-01T23:58:01Z) lands on 2021-01-04T02:00:00Z, inside the CFFEX
    // morning session and the Globex Sunday-evening session.
    let shift_ms: i64 = 1_609_725_600_000 - 1_719_878_281_000;
    let es_feed = format!("{}@{shift_ms}", s(&es_cap));
    let receipts = dir.path().join("receipts");
    let base = [
        "replay",
        "--config",
        s(&cfg),
        "--feed",
        s(&if_cap),
        "--feed",
        &es_feed,
    ];

    let out = crossarb(&[&base[..], &["--receipts", s(&receipts)]].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.contains("TIME-SHIFTED PAIRING"),
        "first line must say so: {first}"
    );
    assert!(
        text.contains(&format!("TIME SHIFT {shift_ms:+} ms")),
        "{text}"
    );
    assert!(
        text.contains(&format!("quotes read        {}", if_quotes + es_quotes)),
        "{text}"
    );

    let receipts2 = dir.path().join("receipts2");
    let out = crossarb(&[&base[..], &["--receipts", s(&receipts2), "--json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["time_shifted"], true);
    assert_eq!(v["feeds"][1]["time_shift_ns"], shift_ms * 1_000_000);
    assert!(v["summary"]["stopped_cleanly"].as_bool().unwrap());
}
