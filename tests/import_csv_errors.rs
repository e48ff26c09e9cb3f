//! `crossarb import csv` on bad input: exit 2, a message naming file, line and column, and no
//! output (nor `.partial`) left behind. Tick-grid rules are checked through the library API
//! with tick sizes given as a config would give them.

mod import_support;

use std::io::Write;
use std::path::{Path, PathBuf};

use import_support::{import_fails, s};

use crossarb::domain::{InstrumentId, Px, TsNs, VenueId};
use crossarb::feed::capture::Capture;
use crossarb::feed::csv::{import, known_from_config, CsvError, CsvImport, KnownInstrument, Ticks};
use crossarb::feed::decimal::Decimal;

const HEADER: &str = "ts_ns,instrument,bid,ask,bid_size,ask_size";

fn write(path: &Path, text: &str) {
    std::fs::File::create(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

fn partial(p: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", p.display()))
}

fn dec(s: &str) -> Decimal {
    Decimal::parse(s.as_bytes()).unwrap()
}

#[test]
fn bad_row_in_the_middle_exits_2_naming_line_and_column_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cap) = (dir.path().join("q.csv"), dir.path().join("q.cap"));
    let mut text = format!("{HEADER}\n");
    for i in 0..50_000 {
        let ask = if i == 30_000 {
            "70x10".to_string()
        } else {
            "70010".to_string()
        };
        text.push_str(&format!("{},cu,70000,{ask},1,2\n", 1_000 + i));
    }
    write(&csv, &text);
    let stderr = import_fails("csv", &[], &csv, &cap);
    let want = format!(
        "{}:30002: column 4 (ask): expected a decimal price like 70010.5, got \"70x10\"",
        csv.display()
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(!cap.exists() && !partial(&cap).exists());
}

#[test]
fn wrong_header_exits_2_naming_the_expected_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cap) = (dir.path().join("h.csv"), dir.path().join("h.cap"));
    write(
        &csv,
        "time,symbol,bid,ask,bid_size,ask_size\n1,cu,1,2,1,1\n",
    );
    let stderr = import_fails("csv", &[], &csv, &cap);
    assert!(stderr.contains(":1: expected the header row `ts_ns,instrument,bid,ask,bid_size,ask_size`, got `time,symbol"), "{stderr}");
    assert!(!cap.exists() && !partial(&cap).exists());
}

#[test]
fn rows_with_missing_columns_unordered_times_or_priceless_sizes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cap) = (dir.path().join("r.csv"), dir.path().join("r.cap"));
    let cases = [
        ("5,cu,1,2,1\n", ":2: expected 6 columns", ""),
        (
            "5,cu,1,2,1,1\n4,cu,1,2,1,1\n",
            ":3: column 1 (ts_ns): expected a time ≥ 5 of line 2",
            "got \"4\"",
        ),
        (
            "5,cu,,2,3,1\n",
            ":2: column 3 (bid): expected a price (size is 3)",
            "got \"\"",
        ),
        (
            "5,cu,1,2,1.5,1\n",
            ":2: column 5 (bid_size): expected a whole number of lots",
            "got \"1.5\"",
        ),
        (
            "-5,cu,1,2,1,1\n",
            ":2: column 1 (ts_ns): expected UTC nanoseconds",
            "got \"-5\"",
        ),
        (
            "5,,1,2,1,1\n",
            ":2: column 2 (instrument): expected a symbol of 1 to 31 bytes",
            "",
        ),
        (
            "5,cu,1e3,2,1,1\n",
            ":2: column 3 (bid): expected a decimal price",
            "got \"1e3\"",
        ),
    ];
    for (rows, want, got) in cases {
        write(&csv, &format!("{HEADER}\n{rows}"));
        let stderr = import_fails("csv", &[], &csv, &cap);
        assert!(
            stderr.contains(want) && stderr.contains(got),
            "{rows}: {stderr}"
        );
        assert!(!cap.exists() && !partial(&cap).exists());
    }
}

#[test]
fn a_missing_config_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, cap) = (dir.path().join("c.csv"), dir.path().join("c.cap"));
    write(&csv, &format!("{HEADER}\n1,cu,1,2,1,1\n"));
    let cfg = dir.path().join("missing.toml");
    let stderr = import_fails("csv", &["--config", s(&cfg)], &csv, &cap);
    assert!(stderr.contains("missing.toml"), "{stderr}");
    assert!(!cap.exists());
}

fn known() -> Ticks {
    let k = |symbol: &str, venue: &str, tick: &str| KnownInstrument {
        symbol: symbol.into(),
        venue: venue.into(),
        tick_size: dec(tick),
        lot_size: Some(dec("5")),
    };
    Ticks::Known {
        from: PathBuf::from("desk.toml"),
        instruments: vec![k("cu2501", "SHFE", "10"), k("SIZ4", "COMEX", "0.005")],
    }
}

fn job(dir: &Path, name: &str, rows: &str, ticks: Ticks) -> CsvImport {
    let input = dir.join(format!("{name}.csv"));
    write(&input, &format!("{HEADER}\n{rows}"));
    let output = dir.join(format!("{name}.cap"));
    CsvImport {
        input,
        output,
        ticks,
        venue: None,
        created_at: TsNs(7),
    }
}

#[test]
fn config_ticks_convert_exactly_and_an_off_grid_price_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "10,SIZ4,29.995,30.005,2,3\n11,cu2501,70010,70020,1,1\n12,SIZ4,0.3,,1,0\n";
    let j = job(dir.path(), "ok", rows, known());
    let s = import(&j, &mut |_, _| {}).unwrap();
    assert_eq!(s.rows, 3);
    assert_eq!(s.time_range, Some((TsNs(10), TsNs(12))));
    assert!(s.instruments.iter().all(|i| !i.derived));
    let c = Capture::open(&j.output).unwrap();
    assert_eq!(c.venues(), &["COMEX".to_string(), "SHFE".to_string()]);
    let ins = &c.instruments()[0];
    assert_eq!(
        (ins.symbol.as_str(), ins.venue, ins.tick_size, ins.lot_size),
        ("SIZ4", VenueId(0), dec("0.005"), Some(dec("5")))
    );
    let q = c.quotes();
    assert_eq!(
        (q[0].bid_px, q[0].ask_px, q[0].instrument),
        (Px(5999), Px(6001), InstrumentId(0))
    );
    assert_eq!(
        (q[1].bid_px, q[1].venue, q[1].instrument),
        (Px(7001), VenueId(1), InstrumentId(1))
    );
    assert_eq!(
        (q[2].bid_px, q[2].ask_px),
        (Px(60), Px(0)),
        "0.3 / 0.005 = 60 exactly"
    );

    let j = job(dir.path(), "grid", "10,cu2501,70015,70020,1,1\n", known());
    let e = import(&j, &mut |_, _| {}).unwrap_err().to_string();
    assert!(
        e.ends_with(
            "grid.csv:2: column 3 (bid): expected a price on the tick grid of 10, got \"70015\""
        ),
        "{e}"
    );
    assert!(!j.output.exists() && !partial(&j.output).exists());

    let j = job(dir.path(), "sym", "10,ag2501,1,2,1,1\n", known());
    let e = import(&j, &mut |_, _| {}).unwrap_err();
    assert!(matches!(e, CsvError::Field { column: 2, .. }), "{e}");
    assert!(
        e.to_string()
            .contains("expected an instrument of desk.toml (cu2501, SIZ4)"),
        "{e}"
    );
}

#[test]
fn derived_ticks_use_the_most_significant_decimals_per_instrument() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "1,a,1.50,1.75,1,1\n2,b,100,200,1,1\n3,a,1.2,,1,0\n4,b,100,99.990,1,0\n";
    let mut j = job(dir.path(), "derive", rows, Ticks::Derive);
    j.venue = Some("LME".into());
    let s = import(&j, &mut |_, _| {}).unwrap();
    let ticks: Vec<String> = s
        .instruments
        .iter()
        .map(|i| format!("{}={}", i.symbol, i.tick_size))
        .collect();
    // b's 99.990 sits on an empty side (size 0): it neither counts nor is stored.
    assert_eq!(ticks, ["a=0.01", "b=1"]);
    let c = Capture::open(&j.output).unwrap();
    let q = c.quotes();
    assert_eq!(
        (q[0].bid_px, q[0].ask_px, q[2].bid_px, q[3].ask_px),
        (Px(150), Px(175), Px(120), Px(0))
    );
    assert_eq!(c.venues(), &["LME".to_string()]);
}

#[test]
fn config_instruments_become_exact_decimals() {
    let venue = crossarb::config::Venue {
        id: VenueId(0),
        name: "COMEX".into(),
        time_zone: chrono_tz::America::New_York,
        sessions: vec![],
        holidays: vec![],
        quote_age_ms_max: 500,
        gateway: crossarb::config::GatewayKind::Sim,
    };
    let ins = crossarb::config::Instrument {
        id: InstrumentId(0),
        symbol: "SIZ4".into(),
        venue: VenueId(0),
        tick_size: 0.005,
        tick_decimals: 3,
        lot_size: 5000.0,
        lot_unit: crossarb::config::Unit::TroyOunce,
        lot_base: crossarb::config::BaseQty(5000 * 311_034_768),
        currency: "USD".into(),
        price_unit: crossarb::config::Unit::TroyOunce,
    };
    let k = known_from_config(&[ins], &[venue]).unwrap();
    assert_eq!(k[0].venue, "COMEX");
    assert_eq!(
        (k[0].tick_size, k[0].lot_size),
        (dec("0.005"), Some(dec("5000")))
    );
}
