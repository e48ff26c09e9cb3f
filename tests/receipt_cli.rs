//! `crossarb receipts` prints a log written by the writer in every format, reports a torn tail
//! on stderr with exit 1, and refuses a path that is not a log with exit 2.

mod receipt_support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crossarb::config::FsyncPolicy;
use crossarb::domain::{Px, Qty, TsNs};
use crossarb::receipt::event::{Event, Kind, Payload, Refusal};
use crossarb::receipt::ReceiptWriter;
use receipt_support::*;

fn events() -> Vec<Event> {
    let at = |i: i64| START_NS + i * 1_000;
    vec![
        Event {
            kind: Kind::Start,
            ts: at(0),
            payload: Payload {
                a: 42,
                b: HASH as i64,
                ..Payload::default()
            },
        },
        Event {
            kind: Kind::Refused,
            ts: at(1),
            payload: Payload {
                code: Refusal::PositionLimit as u16,
                a: 12,
                b: 10,
                ..Payload::default()
            },
        },
        Event {
            kind: Kind::Fill,
            ts: at(2),
            payload: Payload {
                ticket: 3,
                order: 7,
                leg: 1,
                side: 1,
                px: Px(71_230),
                qty: Qty(2),
                a: -1,
                ..Payload::default()
            },
        },
        Event {
            kind: Kind::OrderReject,
            ts: at(3),
            payload: Payload {
                ticket: 3,
                order: 8,
                leg: 2,
                side: 2,
                code: 2,
                qty: Qty(1),
                ..Payload::default()
            },
        },
        Event {
            kind: Kind::Kill,
            ts: at(4),
            payload: Payload {
                code: 1,
                ..Payload::default()
            },
        },
    ]
}

fn write_log(dir: &Path) {
    let mut w =
        ReceiptWriter::create(dir, HASH, TsNs(START_NS), 1 << 20, FsyncPolicy::Never).unwrap();
    for ev in events() {
        w.append(&ev).unwrap();
    }
    w.close().unwrap();
}

fn run(path: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(["receipts", path.to_str().unwrap(), "--format", format])
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn text_format_names_kinds_sides_legs_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let o = run(dir.path(), "text");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines[0],
        "       1 2024-07-01T00:00:00.000000000Z start        seed=42 config_hash=0x0123456789abcdef"
    );
    assert!(
        lines[1].ends_with("refused      reason=position_limit a=12 b=10"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "       3 2024-07-01T00:00:00.000002000Z fill         ticket=3 order=7 leg=domestic side=buy px=71230 qty=2 slippage_ticks=-1"
    );
    assert!(
        lines[3].ends_with("order_reject ticket=3 order=8 leg=overseas reason=disconnected qty=1"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].ends_with("kill         state=engaged"),
        "{}",
        lines[4]
    );
}

#[test]
fn jsonl_format_is_one_json_object_per_record() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let o = run(&segment(dir.path(), 1), "jsonl");
    assert!(o.status.success());
    let objs: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objs.len(), 5);
    let fill = &objs[2];
    assert_eq!(fill["seq"], 3);
    assert_eq!(fill["kind"], "fill");
    assert_eq!(fill["time"], "2024-07-01T00:00:00.000002000Z");
    assert_eq!(fill["ts_ns"], START_NS + 2_000);
    assert_eq!(fill["side"], "buy");
    assert_eq!(fill["leg"], "domestic");
    assert_eq!(fill["px"], 71_230);
    assert_eq!(fill["slippage_ticks"], -1);
    assert_eq!(objs[0]["config_hash"], "0x0123456789abcdef");
    assert_eq!(objs[1]["reason"], "position_limit");
}

#[test]
fn csv_format_has_a_fixed_header_and_empty_unused_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let o = run(dir.path(), "csv");
    assert!(o.status.success());
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "seq,time,ts_ns,kind,ticket,order,instrument,leg,side,px,qty,code,code2,a,b,c,ts_aux"
    );
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[3],
        format!(
            "3,2024-07-01T00:00:00.000002000Z,{},fill,3,7,,domestic,buy,71230,2,,,-1,,,",
            START_NS + 2_000
        )
    );
    for l in &lines {
        assert_eq!(l.split(',').count(), 17, "{l}");
    }
}

#[test]
fn a_torn_tail_prints_the_valid_records_then_the_offset_on_stderr_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path());
    let file = segment(dir.path(), 1);
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..HDR + 3 * REC + 10]).unwrap();
    let o = run(dir.path(), "text");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 3);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains(&format!("torn tail at byte offset {}", HDR + 3 * REC)),
        "{err}"
    );
    assert!(err.contains("receipts-000001.xrl"), "{err}");
}

#[test]
fn a_path_that_is_not_a_receipt_log_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    fs::write(&file, "[receipts]\ndir = \"x\"\n").unwrap();
    for path in [file.as_path(), dir.path(), &dir.path().join("missing")] {
        let o = run(path, "text");
        assert_eq!(o.status.code(), Some(2), "{}", path.display());
        assert!(String::from_utf8(o.stderr)
            .unwrap()
            .contains("not a receipt log"));
    }
}
