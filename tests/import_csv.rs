//! `crossarb import csv` at scale: two million rows through the built binary, then the capture
//! is opened and checked record by record at a few places.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crossarb::domain::{InstrumentId, Px, Qty, QuoteFlags, TsNs, VenueId};
use crossarb::feed::capture::Capture;

const ROWS: u64 = 2_000_000;
const T0: i64 = 1_719_878_281_000_000_000;

/// Row `i`: three instruments in turn, each with its own decimals; every 1000th cu row has an
/// empty ask.
fn write_row(out: &mut impl Write, i: u64) {
    let ts = T0 + i as i64 * 250;
    let k = (i % 1000) as i64;
    match i % 3 {
        0 if i % 1000 == 0 => write!(out, "{ts},cu2501,{},,{},0", 70_000 + 10 * k, 1 + k % 7),
        0 => write!(
            out,
            "{ts},cu2501,{},{},{},{}",
            70_000 + 10 * k,
            70_010 + 10 * k,
            1 + k % 7,
            2
        ),
        1 => {
            let cents = (456 + k / 50) * 100 + (k % 50) * 2;
            let (b, a) = (cents, cents + 2);
            write!(
                out,
                "{ts},au2502,{}.{:02},{}.{:02},1,1",
                b / 100,
                b % 100,
                a / 100,
                a % 100
            )
        }
        _ => write!(
            out,
            "{ts},GCQ4,{}.{},{}.{},5,{}",
            2300 + k,
            k % 10,
            2301 + k,
            k % 10,
            3 + k % 4
        ),
    }
    .unwrap();
    out.write_all(b"\n").unwrap();
}

fn generate(path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(w, "ts_ns,instrument,bid,ask,bid_size,ask_size").unwrap();
    for i in 0..ROWS {
        write_row(&mut w, i);
    }
    w.flush().unwrap();
}

#[test]
fn two_million_rows_import_into_a_capture_with_exact_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("quotes.csv");
    let cap = dir.path().join("quotes.cap");
    generate(&csv);
    let out = Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(["import", "csv", "--in"])
        .arg(&csv)
        .arg("--out")
        .arg(&cap)
        .arg("--venue")
        .arg("TEST")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("imported 2000000 rows"), "{stdout}");
    assert!(stdout.contains("cu2501@TEST tick 1,"), "{stdout}");
    assert!(stdout.contains("au2502@TEST tick 0.01,"), "{stdout}");
    assert!(stdout.contains("GCQ4@TEST tick 0.1;"), "{stdout}");
    let last = TsNs(T0 + (ROWS as i64 - 1) * 250);
    assert!(
        stdout.contains(&format!("{} .. {last}", TsNs(T0))),
        "{stdout}"
    );
    assert!(stderr.contains("derived tick sizes"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no progress bar when stderr is not a terminal: {stderr}"
    );

    let c = Capture::open(&cap).unwrap();
    assert_eq!(c.quotes().len(), ROWS as usize);
    assert_eq!(c.venues(), &["TEST".to_string()]);
    let symbols: Vec<&str> = c.instruments().iter().map(|i| i.symbol.as_str()).collect();
    assert_eq!(symbols, ["cu2501", "au2502", "GCQ4"]);
    assert!(
        c.note().contains("quotes.csv") && c.note().contains("derived"),
        "{}",
        c.note()
    );

    let q = c.quotes()[0]; // cu, empty ask (i % 1000 == 0)
    assert_eq!((q.ts_exchange, q.ts_recv, q.seq), (TsNs(T0), TsNs(T0), 0));
    assert_eq!(
        (q.bid_px, q.bid_qty, q.ask_qty),
        (Px(70_000), Qty(1), Qty(0))
    );
    assert_eq!((q.instrument, q.venue), (InstrumentId(0), VenueId(0)));
    assert_eq!(q.flags, QuoteFlags::NO_EXCHANGE_TS);

    let q = c.quotes()[1_002_003]; // cu, k = 3
    assert_eq!(q.instrument, InstrumentId(0));
    assert_eq!(
        (q.bid_px, q.ask_px, q.bid_qty, q.ask_qty),
        (Px(70_030), Px(70_040), Qty(4), Qty(2))
    );
    let q = c.quotes()[1_002_001]; // au, k = 1: 456.02 / 456.04 in 0.01 ticks
    assert_eq!(
        (q.instrument, q.bid_px, q.ask_px),
        (InstrumentId(1), Px(45_602), Px(45_604))
    );
    let q = c.quotes()[1_999_997]; // GC, k = 997: 3297.7 / 3298.7 in 0.1 ticks
    assert_eq!(
        (q.instrument, q.bid_px, q.ask_px),
        (InstrumentId(2), Px(32_977), Px(32_987))
    );
    assert_eq!((q.bid_qty, q.ask_qty), (Qty(5), Qty(4)));
    let q = c.quotes()[ROWS as usize - 1]; // au, k = 999: 475.98 / 476.00
    assert_eq!(
        (q.instrument, q.bid_px, q.ask_px),
        (InstrumentId(1), Px(47_598), Px(47_600))
    );
    assert_eq!(q.ts_recv, last);
    assert!(c.quotes().windows(2).all(|w| w[0].ts_recv <= w[1].ts_recv));
}
