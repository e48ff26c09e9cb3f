//! FIX codec: every message type round-trips, hand-written frames with independently computed
//! BodyLength/CheckSum match the encoder, a broker-shaped ExecutionReport maps to a fill, and
//! encode/decode allocate nothing (per-thread counting allocator).

mod alloc_support;
mod fix_support;

use crossarb::domain::{Px, Qty, Side, TsNs};
use crossarb::exec::msg::{OrderId, ReportKind, Tif};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::app::{exec_report, OpenOrders};
use crossarb::gateway::fix::msg::{
    CancelReject, CancelRequest, ExecutionReport, Logon, NewOrderSingle, Secret,
};
use crossarb::gateway::fix::{decode, DecodeError, Encoder, FixMsg, Header};
use fix_support::*;

/// Frames a body by hand: BodyLength and CheckSum computed here, not by the crate.
fn by_hand(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\x01");
    let mut m = format!("8=FIX.4.4\x019={}\x01{}", body.len(), body).into_bytes();
    let sum: u32 = m.iter().map(|&b| u32::from(b)).sum();
    m.extend_from_slice(format!("10={:03}\x01", sum % 256).as_bytes());
    m
}

fn d(s: &str) -> Decimal {
    Decimal::parse(s.as_bytes()).unwrap()
}

fn every_message() -> Vec<FixMsg<'static>> {
    let t = TsNs(1_719_878_281_218_000_000);
    vec![
        FixMsg::Logon(Logon {
            heart_bt_s: 30,
            reset_seq: true,
            username: Some(Secret(b"u")),
            password: Some(Secret(b"p")),
        }),
        FixMsg::Logon(Logon {
            heart_bt_s: 5,
            reset_seq: false,
            username: None,
            password: None,
        }),
        FixMsg::Heartbeat { test_req_id: None },
        FixMsg::Heartbeat {
            test_req_id: Some(b"TR-1"),
        },
        FixMsg::TestRequest {
            test_req_id: b"TR-1",
        },
        FixMsg::ResendRequest { begin: 3, end: 0 },
        FixMsg::Reject {
            ref_seq: 9,
            ref_tag: Some(44),
            ref_msg_type: Some(b"8"),
            reason: Some(6),
            text: Some(b"bad price"),
        },
        FixMsg::Reject {
            ref_seq: 9,
            ref_tag: None,
            ref_msg_type: None,
            reason: None,
            text: None,
        },
        FixMsg::SequenceReset {
            gap_fill: true,
            new_seq: 12,
        },
        FixMsg::SequenceReset {
            gap_fill: false,
            new_seq: 1000,
        },
        FixMsg::Logout { text: Some(b"bye") },
        FixMsg::Logout { text: None },
        FixMsg::NewOrderSingle(NewOrderSingle {
            cl_ord_id: b"42",
            symbol: b"GCZ4",
            side: Side::Buy,
            qty: 3,
            price: d("2034.5"),
            tif: Tif::Ioc,
            transact_time: t,
        }),
        FixMsg::NewOrderSingle(NewOrderSingle {
            cl_ord_id: b"43",
            symbol: b"HGZ4",
            side: Side::Sell,
            qty: 1,
            price: d("-0.0005"),
            tif: Tif::Limit,
            transact_time: t,
        }),
        FixMsg::CancelRequest(CancelRequest {
            orig_cl_ord_id: b"43",
            cl_ord_id: b"C43-9",
            symbol: b"HGZ4",
            side: Side::Sell,
            qty: 1,
            transact_time: t,
        }),
        FixMsg::ExecutionReport(ExecutionReport {
            order_id: b"OID-1",
            cl_ord_id: b"42",
            orig_cl_ord_id: None,
            exec_id: b"E1",
            exec_type: b'F',
            ord_status: b'1',
            symbol: b"GCZ4",
            side: Side::Buy,
            order_qty: Some(3),
            leaves_qty: 1,
            cum_qty: 2,
            last_px: Some(d("2034.60")),
            last_qty: Some(2),
            text: Some(b"partial"),
            ord_rej_reason: None,
            transact_time: Some(t),
        }),
        FixMsg::ExecutionReport(ExecutionReport {
            order_id: b"NONE",
            cl_ord_id: b"44",
            orig_cl_ord_id: Some(b"44"),
            exec_id: b"E2",
            exec_type: b'8',
            ord_status: b'8',
            symbol: b"GCZ4",
            side: Side::Sell,
            order_qty: None,
            leaves_qty: 0,
            cum_qty: 0,
            last_px: None,
            last_qty: None,
            text: None,
            ord_rej_reason: Some(2),
            transact_time: None,
        }),
        FixMsg::CancelReject(CancelReject {
            order_id: b"OID-1",
            cl_ord_id: b"C42-7",
            orig_cl_ord_id: b"42",
            ord_status: b'2',
            response_to: b'1',
            reason: Some(0),
            text: Some(b"too late"),
        }),
    ]
}

#[test]
fn every_message_type_round_trips_through_encode_and_decode() {
    for (i, m) in every_message().iter().enumerate() {
        let mut buf = [0u8; 1024];
        let h = Header {
            msg_type: m.msg_type(),
            sender: b"S",
            target: b"T",
            seq: i as u64 + 1,
            sending_time: T0,
            orig_sending_time: (i % 2 == 1).then_some(secs(-5)),
        };
        let mut enc = Encoder::new(&mut buf, &h);
        m.write_body(enc.fields());
        let frame = enc.finish().unwrap().to_vec();
        let got = decode(&frame).unwrap();
        assert_eq!(got.len, frame.len());
        assert_eq!(got.msg.get(34), Some(format!("{}", i + 1).as_bytes()));
        assert_eq!(got.msg.flag(43), Ok(i % 2 == 1));
        assert_eq!(FixMsg::parse(&got.msg), Ok(Some(*m)), "message {i}");
    }
}

#[test]
fn encoder_output_matches_a_hand_framed_new_order_single() {
    let want = by_hand("35=D|49=CLIENT|56=BROKER|34=12|52=20240701-23:58:01.218|11=42|55=GCZ4|54=1|38=3|40=2|44=2034.5|59=3|60=20240701-23:58:01.218|");
    let t = TsNs(1_719_878_281_218_999_999);
    let m = FixMsg::NewOrderSingle(NewOrderSingle {
        cl_ord_id: b"42",
        symbol: b"GCZ4",
        side: Side::Buy,
        qty: 3,
        price: d("2034.5"),
        tif: Tif::Ioc,
        transact_time: t,
    });
    let mut buf = [0u8; 512];
    let h = Header {
        msg_type: b"D",
        sender: b"CLIENT",
        target: b"BROKER",
        seq: 12,
        sending_time: t,
        orig_sending_time: None,
    };
    let mut enc = Encoder::new(&mut buf, &h);
    m.write_body(enc.fields());
    assert_eq!(enc.finish().unwrap(), &want[..]);
}

#[test]
fn hand_framed_messages_decode_and_a_wrong_checksum_names_both_values() {
    let hb = by_hand("35=0|49=BROKER|56=CLIENT|34=7|52=20240701-23:58:01.218|112=TR-1|");
    let d0 = decode(&hb).unwrap();
    assert_eq!(
        FixMsg::parse(&d0.msg),
        Ok(Some(FixMsg::Heartbeat {
            test_req_id: Some(b"TR-1")
        }))
    );
    let mut bad = hb.clone();
    let n = bad.len();
    let good: u8 = std::str::from_utf8(&bad[n - 4..n - 1])
        .unwrap()
        .parse()
        .unwrap();
    let wrong = (good + 1) % 200;
    bad[n - 4..n - 1].copy_from_slice(format!("{wrong:03}").as_bytes());
    assert_eq!(
        decode(&bad).unwrap_err(),
        DecodeError::BadChecksum {
            expected: good,
            got: wrong,
            frame_len: n
        }
    );
    let no_type = by_hand("49=BROKER|35=0|56=CLIENT|34=7|");
    assert_eq!(decode(&no_type).unwrap_err(), DecodeError::MissingTag(35));
    let many = by_hand(&format!("35=0|{}", "58=x|".repeat(64)));
    assert_eq!(decode(&many).unwrap_err(), DecodeError::TooManyFields);
}

#[test]
fn a_broker_shaped_execution_report_maps_to_an_exact_fill() {
    // Fields in tag order with account and average price, as broker engines send them.
    let er = by_hand("35=8|34=215|49=BROKER|52=20240702-13:30:00.123|56=CLIENT|1=ACCT1|6=2034.55|11=42|14=2|17=EX-000981|31=2034.6|32=2|37=OID-77|38=3|39=1|40=2|44=2034.5|54=1|55=GCZ4|59=3|60=20240702-13:30:00.120|150=F|151=1|");
    let dm = decode(&er).unwrap();
    let Ok(Some(FixMsg::ExecutionReport(e))) = FixMsg::parse(&dm.msg) else {
        panic!("not an ER")
    };
    let r = exec_report(&e, &instruments(), &OpenOrders::new(8), T0)
        .unwrap()
        .unwrap();
    assert_eq!(r.order, OrderId(42));
    assert_eq!(r.instrument, GC);
    assert_eq!(
        r.kind,
        ReportKind::Fill {
            px: Px(20_346),
            qty: Qty(2)
        }
    );
    assert_eq!(r.ts_exchange, TsNs(1_719_927_000_120_000_000));
    assert_eq!(r.ts_recv, T0);
    // A price between ticks is not silently rounded.
    let off = by_hand("35=8|34=216|49=BROKER|56=CLIENT|11=42|14=2|17=E2|31=2034.65|32=2|37=OID-77|39=1|54=1|55=GCZ4|150=F|151=1|");
    let dm = decode(&off).unwrap();
    let Ok(Some(FixMsg::ExecutionReport(e))) = FixMsg::parse(&dm.msg) else {
        panic!("not an ER")
    };
    assert_eq!(
        exec_report(&e, &instruments(), &OpenOrders::new(8), T0),
        Err(crossarb::gateway::fix::FieldError::BadValue(31))
    );
}

#[test]
fn encoding_and_decoding_allocate_nothing() {
    let msgs = every_message();
    let mut buf = [0u8; 1024];
    let before = alloc_support::this_thread();
    for _ in 0..100 {
        for m in &msgs {
            let h = Header {
                msg_type: m.msg_type(),
                sender: b"S",
                target: b"T",
                seq: 1,
                sending_time: T0,
                orig_sending_time: None,
            };
            let mut enc = Encoder::new(&mut buf, &h);
            m.write_body(enc.fields());
            let n = enc.finish().unwrap().len();
            let got = decode(&buf[..n]).unwrap();
            assert!(FixMsg::parse(&got.msg).unwrap().is_some());
        }
    }
    assert_eq!(alloc_support::this_thread() - before, 0);
}
