//! The receipt log round-trips, and a cut or damaged file yields exactly its valid prefix and
//! one precise error.

mod receipt_support;

use std::fs;
use std::path::Path;

use crossarb::config::FsyncPolicy;
use crossarb::domain::TsNs;
use crossarb::receipt::{ReadError, ReceiptReader, ReceiptWriter, Record};
use receipt_support::*;

/// Writes `n` events into a fresh log in `dir` with segments of `per_segment` records.
fn write_log(dir: &Path, n: u64, per_segment: u64, fsync: FsyncPolicy) {
    let segment_bytes = (HDR + REC * per_segment as usize + REC / 2) as u64;
    let mut w = ReceiptWriter::create(dir, HASH, TsNs(START_NS), segment_bytes, fsync).unwrap();
    for i in 0..n {
        assert_eq!(w.append(&event(i)).unwrap(), i + 1);
    }
    w.close().unwrap();
}

/// Reads everything: the records, then the error that ended the read, if any.
fn read_all(path: &Path) -> Result<(Vec<Record>, Option<ReadError>), ReadError> {
    let reader = ReceiptReader::open(path)?;
    let mut recs = Vec::new();
    for item in reader {
        match item {
            Ok(r) => recs.push(r),
            Err(e) => return Ok((recs, Some(e))),
        }
    }
    Ok((recs, None))
}

fn assert_prefix(recs: &[Record], n: usize) {
    assert_eq!(recs.len(), n);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
        assert_eq!(r.event(), Some(event(i as u64)), "record {}", i + 1);
        assert_eq!(r.payload_len, 64);
    }
}

#[test]
fn log_round_trips_across_segments_with_every_fsync_policy() {
    for fsync in [
        FsyncPolicy::Every,
        FsyncPolicy::Batch(3),
        FsyncPolicy::Never,
    ] {
        let dir = tempfile::tempdir().unwrap();
        write_log(dir.path(), 10, 4, fsync);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "{fsync:?}: 4 + 4 + 2 records");
        assert_eq!(
            fs::metadata(segment(dir.path(), 2)).unwrap().len(),
            (HDR + 4 * REC) as u64
        );
        let reader = ReceiptReader::open(dir.path()).unwrap();
        assert_eq!(reader.header().config_hash, HASH);
        assert_eq!(reader.header().start_ts, TsNs(START_NS));
        let (recs, err) = read_all(dir.path()).unwrap();
        assert!(err.is_none(), "{fsync:?}: {err:?}");
        assert_prefix(&recs, 10);
        // One segment on its own reads too, starting at its first sequence number.
        let (recs, err) = read_all(&segment(dir.path(), 2)).unwrap();
        assert!(err.is_none());
        assert_eq!(
            recs.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![5, 6, 7, 8]
        );
    }
}

#[test]
fn same_events_and_start_time_give_byte_identical_logs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write_log(a.path(), 9, 4, FsyncPolicy::Never);
    write_log(b.path(), 9, 4, FsyncPolicy::Batch(2));
    for i in 1..=3 {
        assert_eq!(
            fs::read(segment(a.path(), i)).unwrap(),
            fs::read(segment(b.path(), i)).unwrap()
        );
    }
}

#[test]
fn a_file_cut_at_every_offset_yields_the_complete_records_and_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 5, 100, FsyncPolicy::Never);
    let full = fs::read(segment(dir.path(), 1)).unwrap();
    assert_eq!(full.len(), HDR + 5 * REC);
    let cut_dir = tempfile::tempdir().unwrap();
    let cut_file = segment(cut_dir.path(), 1);
    for cut in 0..=full.len() {
        fs::write(&cut_file, &full[..cut]).unwrap();
        if cut < HDR {
            match read_all(&cut_file) {
                Err(ReadError::Header { offset, .. }) => assert_eq!(offset, cut as u64),
                other => panic!("cut at {cut}: expected a header error, got {other:?}"),
            }
            continue;
        }
        let complete = (cut - HDR) / REC;
        let (recs, err) = read_all(&cut_file).unwrap();
        assert_prefix(&recs, complete);
        if (cut - HDR) % REC == 0 {
            assert!(err.is_none(), "cut at {cut}: {err:?}");
        } else {
            match err {
                Some(ReadError::Torn { offset, file }) => {
                    assert_eq!(offset, (HDR + complete * REC) as u64, "cut at {cut}");
                    assert_eq!(file, cut_file);
                }
                other => panic!("cut at {cut}: expected a torn tail, got {other:?}"),
            }
        }
    }
}

#[test]
fn the_last_segment_of_a_directory_cut_mid_record_reports_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10, 4, FsyncPolicy::Batch(4));
    let last = segment(dir.path(), 3);
    let bytes = fs::read(&last).unwrap();
    fs::write(&last, &bytes[..HDR + REC + 17]).unwrap();
    let (recs, err) = read_all(dir.path()).unwrap();
    assert_prefix(&recs, 9);
    match err {
        Some(ReadError::Torn { file, offset }) => {
            assert_eq!(file, last);
            assert_eq!(offset, (HDR + REC) as u64);
        }
        other => panic!("expected a torn tail, got {other:?}"),
    }
}

#[test]
fn every_flipped_bit_is_reported_at_its_record_and_never_yields_a_wrong_record() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 4, 100, FsyncPolicy::Never);
    let full = fs::read(segment(dir.path(), 1)).unwrap();
    let bad_dir = tempfile::tempdir().unwrap();
    let bad_file = segment(bad_dir.path(), 1);
    for bit in 0..full.len() * 8 {
        let mut bytes = full.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        fs::write(&bad_file, &bytes).unwrap();
        let byte = bit / 8;
        if byte < HDR {
            match read_all(&bad_file) {
                Err(ReadError::Header { .. } | ReadError::NotReceipts { .. }) => {}
                other => panic!("bit {bit} in the header: expected a header error, got {other:?}"),
            }
            continue;
        }
        let k = (byte - HDR) / REC;
        let (recs, err) = read_all(&bad_file).unwrap();
        assert_prefix(&recs, k);
        match err {
            Some(ReadError::Corrupt {
                offset,
                seq_expected,
                ..
            }) => {
                assert_eq!(offset, (HDR + k * REC) as u64, "bit {bit}");
                assert_eq!(seq_expected, k as u64 + 1, "bit {bit}");
            }
            other => panic!(
                "bit {bit} in record {}: expected corrupt, got {other:?}",
                k + 1
            ),
        }
    }
}

#[test]
fn a_sequence_gap_with_a_valid_crc_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 3, 100, FsyncPolicy::Never);
    let file = segment(dir.path(), 1);
    let mut bytes = fs::read(&file).unwrap();
    let at = HDR + REC;
    bytes[at + 8..at + 16].copy_from_slice(&7u64.to_le_bytes());
    fix_crc(&mut bytes, at, REC);
    fs::write(&file, &bytes).unwrap();
    let (recs, err) = read_all(&file).unwrap();
    assert_prefix(&recs, 1);
    match err {
        Some(ReadError::Corrupt {
            offset,
            seq_expected: 2,
            what,
            ..
        }) => {
            assert_eq!(offset, at as u64);
            assert!(what.contains("sequence"), "{what}");
        }
        other => panic!("expected corrupt, got {other:?}"),
    }
}

#[test]
fn a_missing_middle_segment_is_a_header_error_naming_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10, 4, FsyncPolicy::Never);
    fs::remove_file(segment(dir.path(), 2)).unwrap();
    match ReceiptReader::open(dir.path()) {
        Err(ReadError::Header { file, what, .. }) => {
            assert_eq!(file, segment(dir.path(), 3));
            assert!(what.contains("missing"), "{what}");
        }
        other => panic!("expected a header error, got {other:?}"),
    }
}

#[test]
fn a_segment_from_another_run_does_not_continue_the_log() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write_log(a.path(), 10, 4, FsyncPolicy::Never);
    let segment_bytes = (HDR + REC * 4 + REC / 2) as u64;
    let mut w = ReceiptWriter::create(
        b.path(),
        HASH ^ 1,
        TsNs(START_NS),
        segment_bytes,
        FsyncPolicy::Never,
    )
    .unwrap();
    for i in 0..10 {
        w.append(&event(i)).unwrap();
    }
    w.close().unwrap();
    fs::copy(segment(b.path(), 3), segment(a.path(), 3)).unwrap();
    let (recs, err) = read_all(a.path()).unwrap();
    assert_prefix(&recs, 8);
    match err {
        Some(ReadError::Header {
            offset: 16, what, ..
        }) => assert!(what.contains("config hash"), "{what}"),
        other => panic!("expected a config hash mismatch, got {other:?}"),
    }
}

#[test]
fn a_record_of_an_unknown_kind_with_a_valid_crc_is_yielded_raw() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 2, 100, FsyncPolicy::Never);
    let file = segment(dir.path(), 1);
    let mut bytes = fs::read(&file).unwrap();
    // A future kind 999 with a 10-byte payload, then a known record after it.
    let mut rec = Vec::new();
    rec.extend_from_slice(&38u32.to_le_bytes());
    rec.extend_from_slice(&999u16.to_le_bytes());
    rec.extend_from_slice(&0u16.to_le_bytes());
    rec.extend_from_slice(&3u64.to_le_bytes());
    rec.extend_from_slice(&START_NS.to_le_bytes());
    rec.extend_from_slice(&[7; 10]);
    rec.extend_from_slice(&[0; 4]);
    fix_crc(&mut rec, 0, 38);
    bytes.extend_from_slice(&rec);
    let mut known = bytes[HDR..HDR + REC].to_vec();
    known[8..16].copy_from_slice(&4u64.to_le_bytes());
    fix_crc(&mut known, 0, REC);
    bytes.extend_from_slice(&known);
    fs::write(&file, &bytes).unwrap();
    let (recs, err) = read_all(&file).unwrap();
    assert!(err.is_none(), "{err:?}");
    assert_eq!(recs.len(), 4);
    assert_eq!(
        (recs[2].kind(), recs[2].kind_raw, recs[2].payload_len),
        (None, 999, 10)
    );
    assert_eq!(recs[2].payload.ticket, u32::from_le_bytes([7; 4]));
    assert_eq!(
        recs[2].payload.px.0 & !0xffff,
        0,
        "bytes past the payload read as zero"
    );
    assert_eq!(recs[3].seq, 4);
}

#[test]
fn a_file_that_is_not_a_receipt_log_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    fs::write(
        &file,
        "hello, this is not a receipt log at all, not even close.",
    )
    .unwrap();
    assert!(matches!(
        ReceiptReader::open(&file),
        Err(ReadError::NotReceipts { .. })
    ));
    assert!(matches!(
        ReceiptReader::open(dir.path()),
        Err(ReadError::NotReceipts { .. })
    ));
    assert!(matches!(
        ReceiptReader::open(&dir.path().join("missing")),
        Err(ReadError::NotReceipts { .. })
    ));
}

#[test]
fn a_run_that_stops_before_its_first_record_leaves_a_valid_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    let w = ReceiptWriter::create(
        dir.path(),
        HASH,
        TsNs(START_NS),
        1 << 20,
        FsyncPolicy::Never,
    )
    .unwrap();
    std::mem::forget(w); // as if the process died: no close, no drop
    let (recs, err) = read_all(dir.path()).unwrap();
    assert!(recs.is_empty() && err.is_none(), "{err:?}");
}
