//! FIX 4.4 cost per message: a new order sent by a logged-on `Session` (what the gateway does
//! per order: the NewOrderSingle fast path frames it into the outbound bytes, the resend store
//! keeps its fields, the open-order table records it; then the bytes are consumed as written),
//! the same NewOrderSingle through the generic encoder (header, body, BodyLength and CheckSum
//! into a reused buffer; what every other message takes), and decode + parse an
//! ExecutionReport (framing, BodyLength and CheckSum checks, field table, typed message). Timed
//! in batches of 64 messages and divided, since a counter read costs about as much as the work.
//! Targets: encode < 150 ns, decode < 300 ns. All use the codec as the session does: one
//! timestamp cache for every encode (`StampCache`) and one field table refilled by every decode
//! (`decode_into`).

mod support;

use std::hint::black_box;

use crossarb::domain::{InstrumentId, Px, Qty, Side, TsNs};
use crossarb::exec::msg::{OrderId, OrderRequest, RequestKind, Tif};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::msg::{ExecutionReport, Logon, NewOrderSingle};
use crossarb::gateway::fix::{
    decode_into, Encoder, FixMsg, Header, InstrumentSpec, Instruments, Message, SeqNums, Session,
    StampCache, State,
};
use support::{histogram, record, Bench};

const BATCH: u64 = 64;
const BATCHES: u64 = 100_000;

fn main() {
    let b = Bench::start(
        "fix",
        "FIX 4.4, per message: a new order through a logged-on session (fast NewOrderSingle \
         path, resend store, open-order table), NewOrderSingle through the generic encoder, \
         decode + parse ExecutionReport.",
    );
    let t = TsNs(1_719_878_281_218_000_000);
    let px = Decimal::parse(b"2034.5").expect("price");
    let mut buf = [0u8; 512];
    let mut stamps = StampCache::new();
    let mut enc_h = histogram();
    for i in 0..b.count(BATCHES) {
        let t0 = b.clock().raw();
        for j in 0..BATCH {
            let seq = i * BATCH + j + 1;
            let h = Header {
                msg_type: b"D",
                sender: b"CROSSARB",
                target: b"BROKER",
                seq,
                sending_time: t,
                orig_sending_time: None,
            };
            let mut enc = Encoder::with_stamps(&mut buf, &h, &mut stamps);
            let nos = FixMsg::NewOrderSingle(NewOrderSingle {
                cl_ord_id: b"4242",
                symbol: b"GCZ4",
                side: Side::Buy,
                qty: 3,
                price: px,
                tif: Tif::Ioc,
                transact_time: t,
            });
            nos.write_body(enc.fields());
            black_box(enc.finish().expect("encode").len());
        }
        record(&mut enc_h, b.ns(t0, b.clock().raw()));
    }

    let mut session = logged_on_session(t);
    let mut send_h = histogram();
    for i in 0..b.count(BATCHES) {
        let t0 = b.clock().raw();
        for j in 0..BATCH {
            let req = OrderRequest {
                order: OrderId((i * BATCH + j) as u32 + 1),
                instrument: InstrumentId(0),
                kind: RequestKind::New {
                    side: Side::Buy,
                    px: Px(20_345),
                    qty: Qty(3),
                    tif: Tif::Ioc,
                },
                ts: t,
            };
            session.send(&req, t).expect("the session sends");
            let n = black_box(session.outbound().len());
            session.consume_outbound(n);
        }
        record(&mut send_h, b.ns(t0, b.clock().raw()));
    }

    let report = execution_report(&mut buf, t);
    let mut dec_h = histogram();
    let mut msg = Message::new();
    for _ in 0..b.count(BATCHES) {
        let t0 = b.clock().raw();
        for _ in 0..BATCH {
            black_box(decode_into(black_box(&report), &mut msg).expect("decode"));
            let m = FixMsg::parse(&msg).expect("parse").expect("known");
            black_box(matches!(m, FixMsg::ExecutionReport(_)));
        }
        record(&mut dec_h, b.ns(t0, b.clock().raw()));
    }
    b.section("per message (batch time / 64)");
    b.table(
        "ns",
        BATCH as f64,
        &[
            ("session_send_new_order_single", &send_h),
            ("encode_new_order_single_generic", &enc_h),
            ("decode_execution_report", &dec_h),
        ],
    );
    b.note(&format!(
        "ExecutionReport is {} bytes (partial fill with LastPx, LastQty, Text).",
        report.len()
    ));
}

/// A session with the loopback venue's settings logged on at `t` (the peer's Logon fed in as
/// bytes), trading `GCZ4` (tick 0.1).
fn logged_on_session(t: TsNs) -> Session {
    let ins = Instruments::new(vec![InstrumentSpec {
        id: InstrumentId(0),
        symbol: b"GCZ4".to_vec(),
        tick: Decimal::parse(b"0.1").expect("tick"),
    }])
    .expect("instrument table");
    let cfg = crossarb::runtime::pipeline::loopback::session_config();
    let (cfg_sender, cfg_target) = (cfg.sender.clone(), cfg.target.clone());
    let mut s = Session::new(cfg, ins, SeqNums::default()).expect("session config");
    s.on_connected(t);
    let n = s.outbound().len();
    s.consume_outbound(n);
    let h = Header {
        msg_type: b"A",
        sender: &cfg_target,
        target: &cfg_sender,
        seq: 1,
        sending_time: t,
        orig_sending_time: None,
    };
    let mut buf = [0u8; 256];
    let mut enc = Encoder::new(&mut buf, &h);
    FixMsg::Logon(Logon {
        heart_bt_s: 3600,
        reset_seq: true,
        username: None,
        password: None,
    })
    .write_body(enc.fields());
    let logon = enc.finish().expect("encode logon");
    assert_eq!(s.on_bytes(logon, t), logon.len());
    s.events().for_each(drop);
    assert_eq!(s.state(), State::Active, "the session logged on");
    s
}

fn execution_report(buf: &mut [u8], t: TsNs) -> Vec<u8> {
    let h = Header {
        msg_type: b"8",
        sender: b"BROKER",
        target: b"CROSSARB",
        seq: 7,
        sending_time: t,
        orig_sending_time: None,
    };
    let mut enc = Encoder::new(buf, &h);
    FixMsg::ExecutionReport(ExecutionReport {
        order_id: b"OID-1",
        cl_ord_id: b"4242",
        orig_cl_ord_id: None,
        exec_id: b"E1",
        exec_type: b'F',
        ord_status: b'1',
        symbol: b"GCZ4",
        side: Side::Buy,
        order_qty: Some(3),
        leaves_qty: 1,
        cum_qty: 2,
        last_px: Some(Decimal::parse(b"2034.60").expect("px")),
        last_qty: Some(2),
        text: Some(b"partial"),
        ord_rej_reason: None,
        transact_time: Some(t),
    })
    .write_body(enc.fields());
    enc.finish().expect("encode report").to_vec()
}
