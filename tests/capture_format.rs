//! The capture file format: round trip, and precise errors for every way a file can be cut,
//! corrupted or foreign.

use std::path::{Path, PathBuf};

use crossarb::domain::{InstrumentId, Px, Qty, Quote, QuoteFlags, TsNs, VenueId};
use crossarb::feed::capture::{
    Capture, CaptureError, CaptureHeader, CaptureInstrument, CaptureWriter, RECORD_BYTES,
};
use crossarb::feed::decimal::Decimal;

fn dec(s: &str) -> Decimal {
    Decimal::parse(s.as_bytes()).unwrap()
}

fn header() -> CaptureHeader {
    CaptureHeader {
        created_at: TsNs(1_719_878_281_218_218_853),
        note: "source: test fixture; resolution: tick; ünïcode ok".into(),
        venues: vec!["SHFE".into(), "COMEX".into()],
        instruments: vec![
            CaptureInstrument {
                symbol: "cu2501".into(),
                venue: VenueId(0),
                tick_size: dec("10"),
                lot_size: Some(dec("5")),
            },
            CaptureInstrument {
                symbol: "GCZ4".into(),
                venue: VenueId(1),
                tick_size: dec("0.10"),
                lot_size: Some(dec("100")),
            },
            CaptureInstrument {
                symbol: "SIZ4".into(),
                venue: VenueId(1),
                tick_size: dec("0.005"),
                lot_size: None,
            },
        ],
    }
}

fn quote(i: u64) -> Quote {
    Quote {
        ts_exchange: TsNs(1_700_000_000_000_000_000 + i as i64 * 1_000),
        ts_recv: TsNs(1_700_000_000_000_000_000 + i as i64 * 1_000 + 7),
        seq: i,
        bid_px: Px(7_000 + (i % 13) as i64),
        ask_px: Px(7_001 + (i % 13) as i64),
        bid_qty: Qty((i % 5) as i64),
        ask_qty: Qty(3),
        venue: VenueId((i % 2) as u16),
        instrument: InstrumentId((i % 3) as u16),
        flags: if i % 7 == 0 { QuoteFlags::TRADE } else { 0 },
    }
}

fn write_capture(path: &Path, n: u64) {
    let mut w = CaptureWriter::create(path, &header()).unwrap();
    for i in 0..n {
        w.append(&quote(i)).unwrap();
    }
    assert_eq!(w.finish().unwrap(), n);
}

fn partial(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.partial", path.display()))
}

#[test]
fn header_tables_and_many_quotes_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rt.cap");
    write_capture(&path, 10_000);
    assert!(!partial(&path).exists());
    let cap = Capture::open(&path).unwrap();
    assert_eq!(cap.header(), &header());
    assert_eq!(cap.note(), header().note);
    assert_eq!(cap.header_len() % RECORD_BYTES, 0);
    assert_eq!(cap.quotes().len(), 10_000);
    for (i, q) in cap.quotes().iter().enumerate() {
        assert_eq!(*q, quote(i as u64));
    }
    assert_eq!(
        cap.header().find_instrument("SIZ4", "COMEX"),
        Some(InstrumentId(2))
    );
    assert_eq!(cap.header().find_instrument("SIZ4", "SHFE"), None);
    let len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(len, cap.header_len() as u64 + 10_000 * 64);
}

#[test]
fn a_capture_with_no_records_opens_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.cap");
    write_capture(&path, 0);
    assert!(Capture::open(&path).unwrap().quotes().is_empty());
}

#[test]
fn header_cut_at_every_offset_reports_truncation_at_that_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.cap");
    write_capture(&path, 0);
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.cap");
    for k in 0..bytes.len() {
        std::fs::write(&cut, &bytes[..k]).unwrap();
        match Capture::open(&cut) {
            Err(CaptureError::Truncated {
                offset,
                ref expected,
                ..
            }) => {
                assert_eq!(offset, k as u64, "cut at {k}");
                let e = Capture::open(&cut).unwrap_err().to_string();
                assert!(e.contains(&format!("truncated at byte {k}")), "{e}");
                assert!(e.contains("cut.cap"), "{e}");
                assert!(!expected.is_empty());
            }
            other => panic!("cut at {k}: expected Truncated, got {other:?}"),
        }
    }
}

#[test]
fn trailing_partial_record_is_reported_with_its_offset_and_prefix_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.cap");
    write_capture(&path, 5);
    let full = std::fs::read(&path).unwrap();
    let header_len = full.len() - 5 * 64;
    for torn in 1..64 {
        std::fs::write(&path, &full[..header_len + 3 * 64 + torn]).unwrap();
        let err = Capture::open(&path).unwrap_err();
        match err {
            CaptureError::PartialRecord {
                offset,
                bytes,
                complete,
                ..
            } => {
                assert_eq!(offset, (header_len + 3 * 64) as u64);
                assert_eq!(bytes, torn as u64);
                assert_eq!(complete, 3);
            }
            other => panic!("expected PartialRecord, got {other:?}"),
        }
        let (cap, tail) = Capture::open_prefix(&path).unwrap();
        assert_eq!(cap.quotes(), &[quote(0), quote(1), quote(2)]);
        let msg = tail.unwrap().to_string();
        assert!(
            msg.contains(&format!("byte {}", header_len + 3 * 64)),
            "{msg}"
        );
    }
}

#[test]
fn every_bit_flip_in_the_header_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.cap");
    write_capture(&path, 2);
    let bytes = std::fs::read(&path).unwrap();
    let header_len = bytes.len() - 2 * 64;
    let bad = dir.path().join("flip.cap");
    for byte in 0..header_len {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[byte] ^= 1 << bit;
            std::fs::write(&bad, &b).unwrap();
            let err = Capture::open(&bad).expect_err("flipped header must not open");
            let ok = match byte {
                0..=7 => matches!(err, CaptureError::BadMagic { .. }),
                8..=9 => matches!(err, CaptureError::UnsupportedVersion { .. }),
                // header_len: a wrong length cannot find the CRC, whatever else it finds.
                10..=13 => true,
                _ => matches!(err, CaptureError::Crc { .. }),
            };
            assert!(ok, "flip byte {byte} bit {bit}: {err}");
        }
    }
}

#[test]
fn foreign_file_and_future_version_are_named_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.cap");
    std::fs::write(&path, b"ts_ns,instrument,bid,ask\n1,cu,2,3\n").unwrap();
    let e = Capture::open(&path).unwrap_err().to_string();
    assert!(
        e.contains("x.cap") && e.contains("byte 0") && e.contains("XARBCAP"),
        "{e}"
    );

    write_capture(&path, 1);
    let mut b = std::fs::read(&path).unwrap();
    b[8..10].copy_from_slice(&2u16.to_le_bytes());
    std::fs::write(&path, &b).unwrap();
    let e = Capture::open(&path).unwrap_err().to_string();
    assert!(
        e.contains("version 2") && e.contains("reads version 1"),
        "{e}"
    );
}

#[test]
fn writer_checks_limits_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.cap");
    let mut h = header();
    h.instruments[1].symbol = "S".repeat(32);
    let e = CaptureWriter::create(&path, &h).unwrap_err().to_string();
    assert!(
        e.contains("instruments[1].symbol") && e.contains("1 to 31 bytes"),
        "{e}"
    );
    let mut h = header();
    h.instruments[2].venue = VenueId(2);
    let e = CaptureWriter::create(&path, &h).unwrap_err().to_string();
    assert!(e.contains("instruments[2].venue"), "{e}");
    let mut h = header();
    h.instruments[0].tick_size = dec("0");
    let e = CaptureWriter::create(&path, &h).unwrap_err().to_string();
    assert!(e.contains("instruments[0].tick_size"), "{e}");
    assert!(!path.exists() && !partial(&path).exists());

    let mut w = CaptureWriter::create(&path, &header()).unwrap();
    w.append(&quote(0)).unwrap();
    let mut q = quote(1);
    q.instrument = InstrumentId(3);
    let e = w.append(&q).unwrap_err().to_string();
    assert!(e.contains("instrument 3") && e.contains("record 1"), "{e}");
    assert!(partial(&path).exists() && !path.exists());
    drop(w);
    assert!(!path.exists() && !partial(&path).exists());
}

#[test]
fn records_naming_instruments_outside_the_table_are_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx.cap");
    write_capture(&path, 3);
    let mut b = std::fs::read(&path).unwrap();
    let at = b.len() - 64 + 58; // last record's instrument field
    b[at..at + 2].copy_from_slice(&9u16.to_le_bytes());
    std::fs::write(&path, &b).unwrap();
    let e = Capture::open(&path).unwrap_err().to_string();
    assert!(e.contains("record 2") && e.contains("instrument 9"), "{e}");
}
