//! `crossarb import bar-csv`: the COMEX GC minute bid/ask bars of shared/data (one expiry, and
//! all expiries as separate symbols), locked/crossed bars kept, and a malformed row.

mod import_support;

use import_support::{assert_empty_dir, config, data, import_fails, import_into, s};

use crossarb::domain::{Px, Qty, QuoteFlags, TsNs};

const GC: &str = "comex-gc-2013/GC_minute_quotes_20131007-11.csv.gz";

#[test]
fn gc_december_2013_bars_become_one_quote_per_bar_at_bar_close() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gc.cap");
    let (cfg, input) = (config("data-shfe-comex.toml"), data(GC));
    let flags = ["--expiry", "201312", "--config", s(&cfg)];
    let cap = import_into("bar-csv", &flags, &input, &out);
    let q = cap.quotes();
    // PROVENANCE.md: GCZ13 has 6,867 minute bars over 2013-10-07 .. 10-11.
    assert_eq!(q.len(), 6867);
    assert_eq!(cap.instruments()[0].symbol, "GC201312");
    assert_eq!(
        cap.instruments()[0]
            .lot_size
            .map(|l| l.to_string())
            .as_deref(),
        Some("100")
    );
    assert_eq!(cap.venues(), ["COMEX"]);
    assert!(
        cap.note().contains("source resolution: 1 minute"),
        "{}",
        cap.note()
    );
    assert!(q
        .iter()
        .all(|q| q.flags == QuoteFlags::BAR | QuoteFlags::NO_EXCHANGE_TS));
    // Line 4: 1381104000000000000,2013-10-07T00:00:00+00:00,201312,1308.2,1313.7,1308.2,1312.9,23,
    //         1317.7,1317.7,1313.1,1313.1,5 → at 00:01:00, bid 1312.9 x 23, ask 1313.1 x 5.
    let a = q[0];
    assert_eq!(a.ts_exchange, TsNs(1_381_104_060_000_000_000));
    assert_eq!(
        (a.bid_px, a.bid_qty, a.ask_px, a.ask_qty),
        (Px(13_129), Qty(23), Px(13_131), Qty(5))
    );
    // Line 142803 (last 201312 row): 1381526100000000000,2013-10-11T21:15:00+00:00,201312,,,,,0,1272.9,
    //         1272.9,1272.9,1272.9,1 → an empty bid side.
    let l = *q.last().unwrap();
    assert_eq!(l.ts_exchange, TsNs(1_381_526_160_000_000_000));
    assert_eq!(
        (l.bid_qty, l.ask_px, l.ask_qty),
        (Qty(0), Px(12_729), Qty(1))
    );
    // Line 1230: 1381107540000000000,...,201312,1314.7,1315.1,1314.6,1315,6,1314.9,1315.2,1314.9,
    //         1315,2 → a locked bar close, kept.
    let locked = q
        .iter()
        .find(|q| q.ts_exchange == TsNs(1_381_107_600_000_000_000))
        .unwrap();
    assert_eq!(
        (locked.bid_px, locked.ask_px, locked.bid_qty, locked.ask_qty),
        (Px(13_150), Px(13_150), Qty(6), Qty(2))
    );
    // PROVENANCE.md: 192 GCZ13 bars close with bid >= ask.
    assert_eq!(q.iter().filter(|q| q.is_crossed_or_locked()).count(), 192);
}

#[test]
fn all_expiries_become_separate_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("all.cap");
    let input = data(GC);
    let cap = import_into("bar-csv", &["--tick", "GC=0.1"], &input, &out);
    // 142,806 data rows, 21 expiries (201310 .. 201906).
    assert_eq!(cap.quotes().len(), 142_806);
    assert_eq!(cap.instruments().len(), 21);
    assert_eq!(cap.instruments()[0].symbol, "GC201310");
    assert!(cap.instruments().iter().any(|i| i.symbol == "GC201906"));
    let z13 = cap
        .instruments()
        .iter()
        .position(|i| i.symbol == "GC201312")
        .unwrap();
    assert_eq!(
        cap.quotes()
            .iter()
            .filter(|q| q.instrument.idx() == z13)
            .count(),
        6867
    );
}

#[test]
fn malformed_bar_row_exits_2_with_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bars.csv");
    let text = "bar_start_ts_ns,bar_start_utc,contract_expiry_yyyymm,bid_open,bid_high,bid_low,bid_close,last_bid_size,ask_open,ask_high,ask_low,ask_close,last_ask_size\n\
        1381104000000000000,2013-10-07T00:00:00+00:00,201312,1308.2,1313.7,1308.2,1312.9,23,1317.7,1317.7,1313.1,1313.1,5\n\
        1381104060000000000,2013-10-07T00:01:00+00:00,201312,1312.9,1313.2,1312.9,1313.1,1,1313.3,1313.3,1313.3,1313.35,3\n";
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("bars.cap");
    let err = import_fails("bar-csv", &["--tick", "GC=0.1"], &input, &out);
    assert!(err.contains("bars.csv:3: column 12 (ask_close): expected a price on the tick grid of 0.1, got \"1313.35\""), "{err}");
    let bad_size = text.replace(",23,", ",2x3,");
    std::fs::write(&input, bad_size).unwrap();
    let err = import_fails("bar-csv", &["--tick", "GC=0.1"], &input, &out);
    assert!(
        err.contains("bars.csv:2: column 8 (last_bid_size): expected a whole number of lots"),
        "{err}"
    );
    std::fs::remove_file(&input).unwrap();
    assert_empty_dir(dir.path());
}
