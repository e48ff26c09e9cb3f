//! `crossarb import dbn`: the CME ES mbp-1 and trades files of shared/data decoded through the
//! binary and compared with the same files decoded directly with the `dbn` crate; MBO refused;
//! a truncated file exits 2 with its byte offset and leaves nothing.

mod import_support;

use std::io::Read;

use dbn::decode::{DecodeRecordRef, DynReader};
use import_support::{assert_empty_dir, config, crossarb, data, import_fails, import_into, s};

use crossarb::domain::{Px, Qty, QuoteFlags, TsNs};
use crossarb::feed::inspect::nearest_rank;

const MBP1: &str = "cme-es-dbn/futures_mbp-1_2024-07-01T23-58_2024-07-02T00-02.dbn.zst";
const TRADES: &str = "cme-es-dbn/futures_trades_2024-07-01T23-58_2024-07-02T00-02.dbn.zst";

/// The decompressed DBN bytes of a shared/data file.
fn plain(rel: &str) -> Vec<u8> {
    let raw = std::fs::read(data(rel)).unwrap();
    let mut out = Vec::new();
    DynReader::inferred_with_buffer(raw.as_slice())
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `(ts_event, ts_recv)` of every mbp-1 record, decoded by the dbn crate alone.
fn source_times() -> Vec<(i64, i64)> {
    let bytes = plain(MBP1);
    let mut dec = dbn::decode::dbn::Decoder::new(bytes.as_slice()).unwrap();
    let mut out = Vec::new();
    while let Some(rec) = dec.decode_record_ref().unwrap() {
        let m = rec.get::<dbn::Mbp1Msg>().expect("mbp-1 record");
        out.push((m.hd.ts_event as i64, m.ts_recv as i64));
    }
    out
}

fn import_mbp1(dir: &std::path::Path) -> crossarb::feed::capture::Capture {
    let out = dir.join("es.cap");
    let cfg = config("data-cffex-cme.toml");
    let input = data(MBP1);
    import_into("dbn", &["--config", s(&cfg)], &input, &out)
}

#[test]
fn mbp1_file_imports_every_record_with_exchange_and_receive_time() {
    let dir = tempfile::tempdir().unwrap();
    let cap = import_mbp1(dir.path());
    let q = cap.quotes();
    // PROVENANCE.md: 2,288 records of ESU4 (instrument id 118), never crossed.
    assert_eq!(q.len(), 2288);
    assert_eq!(cap.instruments()[0].symbol, "ESU4");
    assert_eq!(cap.venues(), ["CME"]);
    assert!(q
        .iter()
        .all(|q| !q.is_crossed_or_locked() && q.flags & QuoteFlags::NO_EXCHANGE_TS == 0));
    // PROVENANCE.md sample, first record: ts_event 1719878281218218853, ts_recv
    // 1719878281218485389, action T, bid 5528.5 x 29, ask 5528.75 x 6, sequence 9060643.
    let a = q[0];
    assert_eq!(
        (a.ts_exchange, a.ts_recv, a.seq),
        (
            TsNs(1_719_878_281_218_218_853),
            TsNs(1_719_878_281_218_485_389),
            9_060_643
        )
    );
    assert_eq!(
        (a.bid_px, a.bid_qty, a.ask_px, a.ask_qty),
        (Px(22_114), Qty(29), Px(22_115), Qty(6))
    );
    // Second sample record: same ts_event, ts_recv ...493289, ask size 4, sequence 9060644.
    let b = q[1];
    assert_eq!(
        (b.ts_exchange, b.ts_recv, b.seq),
        (
            TsNs(1_719_878_281_218_218_853),
            TsNs(1_719_878_281_218_493_289),
            9_060_644
        )
    );
    assert_eq!(
        (b.bid_px, b.bid_qty, b.ask_px, b.ask_qty),
        (Px(22_114), Qty(29), Px(22_115), Qty(4))
    );
    // Every record's times equal the dbn crate's decoding, in file order.
    let src = source_times();
    let got: Vec<(i64, i64)> = q.iter().map(|q| (q.ts_exchange.0, q.ts_recv.0)).collect();
    assert_eq!(got, src);
    assert_eq!(q.last().unwrap().ts_recv, TsNs(src.last().unwrap().1));
    assert!(
        q.windows(2).all(|w| w[0].ts_recv <= w[1].ts_recv),
        "files are ordered by ts_recv"
    );
}

#[test]
fn out_of_order_exchange_times_are_kept_in_file_order() {
    // The real mbp-1 file has no ts_event going backwards (121 equal neighbours, 0 decreasing:
    // checked here), so a copy is made with record 10's ts_event moved past record 11's, as
    // happens when Databento receives a late packet; the import must keep file order.
    let src = source_times();
    assert_eq!(src.windows(2).filter(|w| w[1].0 < w[0].0).count(), 0);
    let mut bytes = plain(MBP1);
    let first = 8 + u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let size = std::mem::size_of::<dbn::Mbp1Msg>();
    let at = first + 10 * size + 8; // ts_event of record 10 (header offset 8)
    let late = (src[11].0 + 1_000) as u64;
    bytes[at..at + 8].copy_from_slice(&late.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("late.dbn");
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("late.cap");
    let cap = import_into("dbn", &["--tick", "ESU4=0.25"], &input, &out);
    let q = cap.quotes();
    assert_eq!(q.len(), src.len());
    assert_eq!(q[10].ts_exchange, TsNs(late as i64));
    assert_eq!(q[11].ts_exchange, TsNs(src[11].0));
    assert!(
        q[11].ts_exchange < q[10].ts_exchange,
        "not sorted by exchange time"
    );
    assert_eq!(
        (q[10].ts_recv, q[11].ts_recv),
        (TsNs(src[10].1), TsNs(src[11].1))
    );
}

#[test]
fn inspect_latency_percentiles_match_the_source_records() {
    let mut lat: Vec<i64> = source_times().iter().map(|(e, r)| r - e).collect();
    lat.sort_unstable();
    let dir = tempfile::tempdir().unwrap();
    let cap = import_mbp1(dir.path());
    let o = crossarb(&["inspect", "--json", s(cap.path())]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["instruments"][0]["latency_ns"];
    assert_eq!(p["count"], 2288);
    for (key, pct) in [("p50", 50), ("p90", 90), ("p99", 99)] {
        assert_eq!(p[key].as_i64(), nearest_rank(&lat, pct), "{key}");
    }
    assert_eq!(p["max"].as_i64(), lat.last().copied());
    // PROVENANCE.md: median ~100 us.
    assert!((50_000..200_000).contains(&p["p50"].as_i64().unwrap()));
}

#[test]
fn trades_file_imports_as_trade_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.cap");
    let cfg = config("data-cffex-cme.toml");
    let input = data(TRADES);
    let cap = import_into("dbn", &["--config", s(&cfg)], &input, &out);
    let q = cap.quotes();
    assert_eq!(q.len(), 120); // PROVENANCE.md: 120 trades
    assert!(q.iter().all(|q| q.is_trade() && q.ask_qty == Qty(0)));
    // The first trade is the mbp-1 file's first record (action T, price 5528.75, size 2).
    assert_eq!(
        (q[0].ts_exchange, q[0].bid_px, q[0].bid_qty),
        (TsNs(1_719_878_281_218_218_853), Px(22_115), Qty(2))
    );
    let bytes = plain(TRADES);
    let mut dec = dbn::decode::dbn::Decoder::new(bytes.as_slice()).unwrap();
    let mut last = None;
    while let Some(rec) = dec.decode_record_ref().unwrap() {
        last = rec.get::<dbn::TradeMsg>().map(|t| {
            (
                t.hd.ts_event as i64,
                t.ts_recv as i64,
                t.price / 250_000_000,
            )
        });
    }
    let l = q.last().unwrap();
    assert_eq!(Some((l.ts_exchange.0, l.ts_recv.0, l.bid_px.0)), last);
}

#[test]
fn definitions_file_supplies_symbol_and_tick_without_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.cap");
    let (input, defs) = (data(MBP1), data("cme-es-dbn/futures_definition.dbn.zst"));
    let cap = import_into("dbn", &["--definitions", s(&defs)], &input, &out);
    assert_eq!(cap.instruments()[0].symbol, "ESU4");
    assert_eq!(cap.instruments()[0].tick_size.to_string(), "0.25");
    assert_eq!(cap.venues(), ["GLBX.MDP3"]);
    assert_eq!(cap.quotes().len(), 2288);
}

#[test]
fn mbo_file_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.cap");
    let input = data("cme-es-dbn/esh4-glbx-mdp3-20231224.mbo.dbn.zst");
    let err = import_fails("dbn", &["--tick", "ESH4=0.25"], &input, &out);
    assert!(err.contains("schema mbo is not imported"), "{err}");
    assert!(err.contains("mbp-1, tbbo, bbo-1s, bbo-1m, trades"), "{err}");
    assert_empty_dir(dir.path());
}

#[test]
fn truncated_dbn_exits_2_with_the_byte_offset_and_leaves_nothing() {
    let bytes = plain(MBP1);
    assert_eq!(&bytes[..4], b"DBN\x01"); // version 1: an mbp-1 record is 80 bytes on disk
    let first = 8 + u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let mbp1 = std::mem::size_of::<dbn::Mbp1Msg>();
    let cut_record = first + 100 * mbp1; // record 100 starts here
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cut.dbn");
    std::fs::write(&input, &bytes[..cut_record + 37]).unwrap();
    let out = dir.path().join("cut.cap");
    let err = import_fails("dbn", &["--tick", "ESU4=0.25"], &input, &out);
    assert!(err.contains(&format!("cut.dbn: byte {cut_record}: truncated record: 37 bytes left, the record header says {mbp1}")), "{err}");
    assert!(err.contains("100 complete records before it"), "{err}");
    std::fs::remove_file(&input).unwrap();
    assert_empty_dir(dir.path());
}

#[test]
fn decoder_cut_at_every_byte_offset_returns_the_prefix_or_a_precise_error() {
    use crossarb::feed::dbn::{decode, DbnJob};
    use crossarb::feed::import::{ImportError, Specs};
    let bytes = plain(TRADES);
    let first = 8 + u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let size = std::mem::size_of::<dbn::TradeMsg>();
    let specs = Specs::new(&["ESU4=0.25".to_owned()], None).unwrap();
    let defs = Default::default();
    let path = std::path::Path::new("trades.dbn");
    let job = DbnJob {
        path,
        specs: &specs,
        venue: None,
        definitions: &defs,
        created_at: TsNs(0),
    };
    for cut in 0..=bytes.len() {
        match decode(&bytes[..cut], &job) {
            Ok(d) => {
                assert!(
                    cut >= first && (cut - first) % size == 0,
                    "cut {cut}: accepted a partial record"
                );
                assert_eq!(d.quotes.len(), (cut - first) / size);
            }
            Err(ImportError::Offset {
                offset, message, ..
            }) if cut >= first => {
                let start = first + (cut - first) / size * size;
                assert_eq!(offset as usize, start, "cut {cut}: {message}");
                assert!(
                    message.starts_with("truncated record"),
                    "cut {cut}: {message}"
                );
            }
            Err(ImportError::Offset { offset: 0, .. }) => assert!(cut < first),
            Err(e) => panic!("cut {cut}: unexpected error {e}"),
        }
    }
}
