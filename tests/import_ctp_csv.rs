//! `crossarb import ctp-csv`: the real CFFEX and SHFE files in shared/data, night-session
//! attribution with hand-written rows across midnight and a holiday weekend, and bad rows.

mod import_support;

use import_support::{assert_empty_dir, books, config, data, import_fails, import_into, s};

use crossarb::domain::{Px, Qty, QuoteFlags, TsNs};

fn import_cffex(day: &str, dir: &std::path::Path) -> crossarb::feed::capture::Capture {
    let input = data(&format!("cffex-if2101/CFFEX.IF2101_tick_{day}.l1.csv.gz"));
    let out = dir.join(format!("if{day}.cap"));
    let cfg = config("data-cffex-cme.toml");
    import_into(
        "ctp-csv",
        &["--layout", "cffex-l1", "--config", s(&cfg)],
        &input,
        &out,
    )
}

#[test]
fn cffex_2021_01_04_imports_every_snapshot_and_derives_trades_from_cumulative_volume() {
    let dir = tempfile::tempdir().unwrap();
    let cap = import_cffex("20210104", dir.path());
    let q = cap.quotes();
    // PROVENANCE.md: 27,955 ticks; 20,977 later rows have tick_volume > 0 (the first row is the
    // baseline: its 240 lots traded before the recording's first snapshot).
    let b = books(q);
    assert_eq!(b.len(), 27_955);
    assert_eq!(q.len(), 27_955 + 20_977);
    assert_eq!(cap.instruments()[0].symbol, "IF2101");
    assert_eq!(cap.venues(), ["CFFEX"]);
    assert_eq!(cap.instruments()[0].tick_size.to_string(), "0.2");
    assert_eq!(
        cap.instruments()[0]
            .lot_size
            .map(|l| l.to_string())
            .as_deref(),
        Some("1")
    );
    // First 09:29:00.400 CST, last 15:35:19.400 CST (PROVENANCE.md table).
    assert_eq!(q[0].ts_exchange, TsNs(1_609_723_740_400_000_000));
    assert_eq!(
        q.last().unwrap().ts_exchange,
        TsNs(1_609_745_719_400_000_000)
    );
    // Line 2: 1609723740400000000,...,IF2101,5230.0,5230.0,1,5230.8,2,240,240,...
    assert_eq!(
        (q[0].bid_px, q[0].bid_qty, q[0].ask_px, q[0].ask_qty),
        (Px(26_150), Qty(1), Px(26_154), Qty(2))
    );
    assert_eq!(q[0].flags, QuoteFlags::NO_EXCHANGE_TS);
    assert_eq!(q[0].ts_recv, q[0].ts_exchange);
    // Line 3: 1609723800400000000,...,5230.8,5231.4,2,5231.6,1,311,71,... → a 71-lot trade at
    // the last price 5230.8, then the book.
    assert!(q[1].is_trade());
    assert_eq!(
        (q[1].bid_px, q[1].bid_qty, q[1].ts_exchange),
        (Px(26_154), Qty(71), TsNs(1_609_723_800_400_000_000))
    );
    assert_eq!(
        (q[2].bid_px, q[2].bid_qty, q[2].ask_px, q[2].ask_qty),
        (Px(26_157), Qty(2), Px(26_158), Qty(1))
    );
    // Last line: ...,5260.0,5259.2,5,5262.0,14,84288,0,... (no volume change: no trade).
    let l = q.last().unwrap();
    assert_eq!(
        (l.bid_px, l.bid_qty, l.ask_px, l.ask_qty),
        (Px(26_296), Qty(5), Px(26_310), Qty(14))
    );
    // Volume is conserved: the trades add up to the last cumulative volume less the baseline.
    let traded: i64 = q.iter().filter(|q| q.is_trade()).map(|q| q.bid_qty.0).sum();
    assert_eq!(traded, 84_288 - 240);
}

#[test]
fn cffex_2021_01_05_imports_with_its_own_first_and_last_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let cap = import_cffex("20210105", dir.path());
    let q = cap.quotes();
    assert_eq!(books(q).len(), 28_254);
    assert_eq!(q.len(), 28_254 + 22_464);
    // 09:29:00.200 .. 15:36:15.700 CST (PROVENANCE.md).
    assert_eq!(q[0].ts_exchange, TsNs(1_609_810_140_200_000_000));
    assert_eq!(
        q.last().unwrap().ts_exchange,
        TsNs(1_609_832_175_700_000_000)
    );
    // Line 2: ...,5250.0,5250.0,3,5251.0,1,160,160,...
    assert_eq!(
        (q[0].bid_px, q[0].bid_qty, q[0].ask_px, q[0].ask_qty),
        (Px(26_250), Qty(3), Px(26_255), Qty(1))
    );
    // Line 3: ...,5249.8,5249.2,2,5249.4,28,196,36,... → 36 lots at 5249.8.
    assert_eq!((q[1].bid_px, q[1].bid_qty), (Px(26_249), Qty(36)));
    assert_eq!(
        (q[2].bid_px, q[2].ask_px, q[2].ask_qty),
        (Px(26_246), Px(26_247), Qty(28))
    );
}

fn import_shfe(day: &str, dir: &std::path::Path) -> crossarb::feed::capture::Capture {
    let input = data(&format!("shfe-cu1909/SHFE.cu1909_ticks_{day}.csv"));
    let out = dir.join(format!("cu{day}.cap"));
    let cfg = config("data-shfe-comex.toml");
    import_into(
        "ctp-csv",
        &["--layout", "tqsdk", "--config", s(&cfg)],
        &input,
        &out,
    )
}

#[test]
fn shfe_cu1909_2019_09_12_imports_with_tick_ids_as_sequence_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let cap = import_shfe("20190912", dir.path());
    let q = cap.quotes();
    // PROVENANCE.md: 200 ticks, 10:33:27.0 .. 10:53:03.5 CST; 71 rows raise the volume.
    assert_eq!(books(q).len(), 200);
    assert_eq!(q.len(), 271);
    assert_eq!(cap.instruments()[0].symbol, "cu1909");
    assert_eq!(cap.venues(), ["SHFE"]);
    assert_eq!(q[0].ts_exchange, TsNs(1_568_255_607_000_000_000));
    assert_eq!(
        q.last().unwrap().ts_exchange,
        TsNs(1_568_256_783_500_000_000)
    );
    // Line 2: 1568255607000000000,...,SHFE.cu1909,2819875,47270.0,47260.0,125,47270.0,20,9220,...
    assert_eq!(
        (
            q[0].seq,
            q[0].bid_px,
            q[0].bid_qty,
            q[0].ask_px,
            q[0].ask_qty
        ),
        (2_819_875, Px(4726), Qty(125), Px(4727), Qty(20))
    );
    // Line 3: ...,2819876,47260.0,47260.0,120,47270.0,20,9230,... → 10 lots at 47260.
    assert!(q[1].is_trade());
    assert_eq!(
        (q[1].seq, q[1].bid_px, q[1].bid_qty),
        (2_819_876, Px(4726), Qty(10))
    );
    // Last line: ...,2820074,47300.0,47300.0,30,47360.0,25,11520,...
    let l = q.last().unwrap();
    assert_eq!(
        (l.seq, l.bid_px, l.bid_qty, l.ask_px, l.ask_qty),
        (2_820_074, Px(4730), Qty(30), Px(4736), Qty(25))
    );
}

#[test]
fn shfe_cu1909_2019_09_16_imports_up_to_the_expiry_close() {
    let dir = tempfile::tempdir().unwrap();
    let cap = import_shfe("20190916", dir.path());
    let q = cap.quotes();
    // PROVENANCE.md: 200 ticks, 14:01:33.0 .. 14:59:59.9995 CST; 47 rows raise the volume.
    assert_eq!(books(q).len(), 200);
    assert_eq!(q.len(), 247);
    assert_eq!(q[0].ts_exchange, TsNs(1_568_613_693_000_000_000));
    assert_eq!(
        q.last().unwrap().ts_exchange,
        TsNs(1_568_617_199_999_500_000)
    );
    // Line 2: ...,2822752,47800.0,47780.0,10,47820.0,10,7360,...
    assert_eq!(
        (q[0].bid_px, q[0].bid_qty, q[0].ask_px, q[0].ask_qty),
        (Px(4778), Qty(10), Px(4782), Qty(10))
    );
    // Line 3: same volume 7360: a book update, no trade.
    assert!(!q[1].is_trade());
    // Last line: ...,2822951,47580.0,47570.0,5,47650.0,10,9020,...
    let l = q.last().unwrap();
    assert_eq!(
        (l.bid_px, l.bid_qty, l.ask_px, l.ask_qty),
        (Px(4757), Qty(5), Px(4765), Qty(10))
    );
}

#[test]
fn cumulative_volume_going_down_within_a_day_exits_2_with_the_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let header = "ts_ns,local_time_cst,trading_day,exchange,instrument,last,bid1,bid1_qty,ask1,ask1_qty,cum_volume,tick_volume,cum_turnover,open_interest,upper_limit,lower_limit,pre_settle";
    let rows = [
        "1609723740400000000,x,20210104,CFFEX,IF2101,5230.0,5230.0,1,5230.8,2,240,240,0,0,0,0,0",
        "1609723800400000000,x,20210104,CFFEX,IF2101,5230.8,5231.4,2,5231.6,1,230,0,0,0,0,0,0",
    ];
    std::fs::write(&input, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let out = dir.path().join("out.cap");
    let flags = ["--layout", "cffex-l1", "--tick", "IF2101=0.2"];
    let err = import_fails("ctp-csv", &flags, &input, &out);
    assert!(
        err.contains("in.csv:3: column 11 (cum_volume): expected a cumulative volume ≥ 240"),
        "{err}"
    );
    assert!(err.contains("got \"230\""), "{err}");
    std::fs::remove_file(&input).unwrap();
    assert_empty_dir(dir.path());
}

#[test]
fn malformed_price_exits_2_with_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let src = std::fs::read_to_string(data("shfe-cu1909/SHFE.cu1909_ticks_20190912.csv")).unwrap();
    let mut lines: Vec<String> = src.lines().map(str::to_owned).collect();
    // lines[150] is file line 151.
    let mut f: Vec<String> = lines[150].split(',').map(str::to_owned).collect();
    f[5] = "472x0.0".into(); // bid_price1
    lines[150] = f.join(",");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out.cap");
    let cfg = config("data-shfe-comex.toml");
    let flags = ["--layout", "tqsdk", "--config", s(&cfg)];
    let err = import_fails("ctp-csv", &flags, &input, &out);
    assert!(
        err.contains("in.csv:151: column 6 (bid_price1): expected a decimal price"),
        "{err}"
    );
    std::fs::remove_file(&input).unwrap();
    assert_empty_dir(dir.path());
}

#[test]
fn unknown_symbol_without_tick_names_the_flag_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("shfe-cu1909/SHFE.cu1909_ticks_20190912.csv");
    let out = dir.path().join("out.cap");
    let err = import_fails("ctp-csv", &["--layout", "tqsdk"], &input, &out);
    assert!(err.contains("--tick cu1909=TICK"), "{err}");
    assert_empty_dir(dir.path());
    let flags = ["--layout", "nope", "--tick", "cu1909=10"];
    import_fails("ctp-csv", &flags, &input, &out);
}
