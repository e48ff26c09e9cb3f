//! FIX initiator session scenarios, driven without sockets: logon, heartbeats and test
//! requests, gaps and resends both ways, sequence errors, logout, orders and reports,
//! sequence persistence across a restart, and credentials kept out of Debug output.

mod fix_support;

use crossarb::domain::{Px, Qty, Side, TsNs};
use crossarb::exec::msg::{OrderId, OrderRequest, RejectReason, ReportKind, RequestKind, Tif};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::msg::{CancelReject, ExecutionReport, Logon};
use crossarb::gateway::fix::{
    decode, reconnect_delay_ms, DisconnectReason, Event, FixMsg, SeqFile, Session, State,
};
use fix_support::*;

fn events(s: &mut Session) -> Vec<Event> {
    s.events().collect()
}

fn new_order(id: u32, px: i64, qty: i64, now: TsNs) -> OrderRequest {
    OrderRequest {
        order: OrderId(id),
        instrument: GC,
        kind: RequestKind::New {
            side: Side::Buy,
            px: Px(px),
            qty: Qty(qty),
            tif: Tif::Ioc,
        },
        ts: now,
    }
}

fn er<'a>(
    cl: &'a [u8],
    exec_type: u8,
    last: Option<(&str, i64)>,
    cum: i64,
    leaves: i64,
) -> FixMsg<'a> {
    FixMsg::ExecutionReport(ExecutionReport {
        order_id: b"OID-1",
        cl_ord_id: cl,
        orig_cl_ord_id: None,
        exec_id: b"E",
        exec_type,
        ord_status: b'0',
        symbol: b"GCZ4",
        side: Side::Buy,
        order_qty: Some(3),
        leaves_qty: leaves,
        cum_qty: cum,
        last_px: last.map(|(p, _)| Decimal::parse(p.as_bytes()).unwrap()),
        last_qty: last.map(|(_, q)| q),
        text: None,
        ord_rej_reason: None,
        transact_time: Some(secs(1)),
    })
}

#[test]
fn logon_handshake_sends_credentials_and_goes_active_on_the_answer() {
    let mut s = session();
    s.on_connected(T0);
    let out = sent(&mut s);
    assert_eq!(types(&out), ["A"]);
    let l = &out[0];
    assert_eq!((l.seq(), l.get(98), l.get(108)), (1, Some("0"), Some("30")));
    assert_eq!(
        (l.get(553), l.get(554), l.get(141)),
        (Some(USERNAME), Some(PASSWORD), None)
    );
    assert_eq!((l.get(49), l.get(56)), (Some("CLIENT"), Some("BROKER")));
    assert_eq!(s.state(), State::LogonSent);
    assert!(
        s.send(&new_order(1, 20345, 1, T0), T0).is_err(),
        "no orders before logon"
    );
    let mut p = Peer::new();
    p.send(
        &mut s,
        &FixMsg::Logon(Logon {
            heart_bt_s: 30,
            reset_seq: false,
            username: None,
            password: None,
        }),
        secs(1),
    );
    assert_eq!(events(&mut s), [Event::LoggedOn { heart_bt_s: 30 }]);
    assert_eq!(s.state(), State::Active);
    assert_eq!((s.seqs().next_out, s.seqs().next_in), (2, 2));
}

#[test]
fn unanswered_logon_times_out_and_a_non_logon_answer_disconnects() {
    let mut s = session();
    s.on_connected(T0);
    s.on_timer(secs(9));
    assert_eq!(s.state(), State::LogonSent);
    s.on_timer(secs(10));
    assert_eq!(
        events(&mut s),
        [Event::Disconnected(DisconnectReason::LogonTimeout)]
    );
    let mut s = session();
    s.on_connected(T0);
    Peer::new().send(&mut s, &FixMsg::Heartbeat { test_req_id: None }, T0);
    assert_eq!(
        events(&mut s),
        [Event::Disconnected(DisconnectReason::FirstMessageNotLogon)]
    );
}

#[test]
fn idle_session_heartbeats_then_tests_a_silent_peer_then_drops_it() {
    let (mut s, _) = logged_on();
    s.on_timer(secs(29));
    assert!(sent(&mut s).is_empty());
    assert_eq!(s.next_timer(), Some(secs(30)));
    s.on_timer(secs(30));
    assert_eq!(types(&sent(&mut s)), ["0"]);
    s.on_timer(secs(35));
    assert!(sent(&mut s).is_empty(), "peer silent for 35 s < 1.2 × 30 s");
    s.on_timer(secs(36));
    let out = sent(&mut s);
    assert_eq!(types(&out), ["1"]);
    assert!(out[0].get(112).is_some());
    s.on_timer(secs(65));
    assert_eq!(s.state(), State::Active);
    s.on_timer(secs(66));
    assert_eq!(
        events(&mut s),
        [Event::Disconnected(DisconnectReason::PeerSilent)]
    );
}

#[test]
fn an_answered_test_request_keeps_the_session_and_peer_test_requests_are_echoed() {
    let (mut s, mut p) = logged_on();
    s.on_timer(secs(36));
    let id = sent(&mut s)[0].get(112).unwrap().to_string();
    p.send(
        &mut s,
        &FixMsg::Heartbeat {
            test_req_id: Some(id.as_bytes()),
        },
        secs(40),
    );
    s.on_timer(secs(66));
    assert_eq!(s.state(), State::Active);
    p.send(
        &mut s,
        &FixMsg::TestRequest {
            test_req_id: b"PING-9",
        },
        secs(67),
    );
    let out = sent(&mut s);
    assert_eq!(
        out.iter()
            .filter(|m| m.ty() == "0" && m.get(112) == Some("PING-9"))
            .count(),
        1
    );
}

#[test]
fn a_gap_sends_one_resend_request_and_replays_with_gap_fill_close_it() {
    let (mut s, mut p) = logged_on();
    p.next = 5; // messages 2..=4 lost
    p.send(&mut s, &er(b"7", b'0', None, 0, 3), secs(1));
    p.send(&mut s, &er(b"7", b'0', None, 0, 3), secs(1));
    let out = sent(&mut s);
    assert_eq!(
        types(&out),
        ["2"],
        "one ResendRequest for both early messages"
    );
    assert_eq!((out[0].get(7), out[0].get(16)), (Some("2"), Some("0")));
    assert_eq!(
        events(&mut s),
        [Event::GapDetected {
            expected: 2,
            received: 5
        }]
    );
    // Replay: 2..=3 were session messages (gap fill), 4..=6 come again with PossDup.
    let fill = frame(
        2,
        &FixMsg::SequenceReset {
            gap_fill: true,
            new_seq: 4,
        },
        secs(2),
        Some(secs(1)),
    );
    assert_eq!(s.on_bytes(&fill, secs(2)), fill.len());
    for seq in 4..=6 {
        let m = frame(
            seq,
            &er(
                b"7",
                b'F',
                Some(("2034.6", 1)),
                seq as i64 - 3,
                6 - seq as i64,
            ),
            secs(2),
            Some(secs(1)),
        );
        s.on_bytes(&m, secs(2));
    }
    let ev = events(&mut s);
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().all(|e| matches!(e, Event::Report(r) if r.kind == ReportKind::Fill { px: Px(20346), qty: Qty(1) })));
    assert_eq!(s.seqs().next_in, 7);
    // The next gap asks again.
    p.next = 9;
    p.send(&mut s, &FixMsg::Heartbeat { test_req_id: None }, secs(3));
    assert_eq!(types(&sent(&mut s)), ["2"]);
}

#[test]
fn a_peer_resend_request_gets_orders_again_with_poss_dup_and_session_messages_gap_filled() {
    let (mut s, mut p) = logged_on(); // we sent Logon = 1
    s.send(&new_order(10, 20345, 3, secs(1)), secs(1)).unwrap(); // 2
    s.on_timer(secs(31)); // Heartbeat 3 (and a TestRequest 4? no: peer spoke at T0, 31 < 36)
    s.send(&new_order(11, 20346, 1, secs(32)), secs(32))
        .unwrap(); // 4
    let first = sent(&mut s);
    assert_eq!(types(&first), ["D", "0", "D"]);
    p.send(
        &mut s,
        &FixMsg::ResendRequest { begin: 1, end: 0 },
        secs(40),
    );
    let out = sent(&mut s);
    assert_eq!(types(&out), ["4", "D", "4", "D"]);
    assert_eq!(
        (
            out[0].seq(),
            out[0].get(123),
            out[0].get(36),
            out[0].get(43)
        ),
        (1, Some("Y"), Some("2"), Some("Y"))
    );
    assert_eq!(
        (out[1].seq(), out[1].get(43), out[1].get(122)),
        (2, Some("Y"), first[0].get(52))
    );
    assert_eq!(out[1].get(11), Some("10"));
    assert_eq!(out[1].get(44), Some("2034.5"));
    assert_eq!((out[2].seq(), out[2].get(36)), (3, Some("4")));
    assert_eq!((out[3].seq(), out[3].get(11)), (4, Some("11")));
    assert_eq!(s.seqs().next_out, 5, "resending does not use new numbers");
    // Much later, the orders are stale: everything is gap-filled.
    p.send(
        &mut s,
        &FixMsg::ResendRequest { begin: 2, end: 4 },
        secs(200),
    );
    let out = sent(&mut s);
    assert_eq!(types(&out), ["4"]);
    assert_eq!((out[0].seq(), out[0].get(36)), (2, Some("5")));
}

#[test]
fn a_sequence_number_too_low_logs_out_unless_it_is_a_poss_dup() {
    let (mut s, mut p) = logged_on();
    p.send(&mut s, &FixMsg::Heartbeat { test_req_id: None }, secs(1)); // 2
    let dup = frame(
        2,
        &FixMsg::Heartbeat { test_req_id: None },
        secs(2),
        Some(secs(1)),
    );
    s.on_bytes(&dup, secs(2));
    assert_eq!(s.state(), State::Active);
    assert!(sent(&mut s).is_empty());
    let low = frame(2, &FixMsg::Heartbeat { test_req_id: None }, secs(3), None);
    s.on_bytes(&low, secs(3));
    let out = sent(&mut s);
    assert_eq!(types(&out), ["5"]);
    assert_eq!(
        out[0].get(58),
        Some("MsgSeqNum too low, expecting 3 but received 2")
    );
    assert_eq!(
        events(&mut s),
        [Event::Disconnected(DisconnectReason::SeqTooLow {
            expected: 3,
            received: 2
        })]
    );
    assert_eq!(s.state(), State::Disconnected);
}

#[test]
fn orders_and_reports_translate_exactly() {
    let (mut s, mut p) = logged_on();
    s.send(&new_order(42, 20345, 3, secs(1)), secs(1)).unwrap();
    let cancel = OrderRequest {
        order: OrderId(42),
        instrument: GC,
        kind: RequestKind::Cancel,
        ts: secs(2),
    };
    s.send(&cancel, secs(2)).unwrap();
    let out = sent(&mut s);
    assert_eq!(types(&out), ["D", "F"]);
    let (d, f) = (&out[0], &out[1]);
    assert_eq!(
        [
            d.get(55),
            d.get(54),
            d.get(38),
            d.get(40),
            d.get(44),
            d.get(59)
        ],
        [
            Some("GCZ4"),
            Some("1"),
            Some("3"),
            Some("2"),
            Some("2034.5"),
            Some("3")
        ]
    );
    assert_eq!(d.get(60), Some("20240701-23:58:02.000"));
    assert_eq!(
        [f.get(41), f.get(11), f.get(54), f.get(38)],
        [Some("42"), Some("C42-3"), Some("1"), Some("3")]
    );
    let unknown = OrderRequest {
        order: OrderId(7),
        ..cancel
    };
    assert!(s.send(&unknown, secs(2)).is_err());
    p.send(&mut s, &er(b"42", b'0', None, 0, 3), secs(3));
    p.send(&mut s, &er(b"42", b'F', Some(("2034.6", 1)), 1, 2), secs(3));
    p.send(&mut s, &er(b"C42-3", b'4', None, 1, 0), secs(3));
    let mut rej = er(b"43", b'8', None, 0, 0);
    if let FixMsg::ExecutionReport(e) = &mut rej {
        e.ord_rej_reason = Some(2);
    }
    p.send(&mut s, &rej, secs(3));
    let cxl = FixMsg::CancelReject(CancelReject {
        order_id: b"OID-1",
        cl_ord_id: b"C42-3",
        orig_cl_ord_id: b"42",
        ord_status: b'4',
        response_to: b'1',
        reason: Some(0),
        text: None,
    });
    p.send(&mut s, &cxl, secs(4));
    let kinds: Vec<(OrderId, ReportKind)> = events(&mut s)
        .into_iter()
        .map(|e| match e {
            Event::Report(r) => (r.order, r.kind),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (OrderId(42), ReportKind::Ack),
            (
                OrderId(42),
                ReportKind::Fill {
                    px: Px(20346),
                    qty: Qty(1)
                }
            ),
            (OrderId(42), ReportKind::Done { leaves: Qty(2) }),
            (
                OrderId(43),
                ReportKind::Rejected(RejectReason::SessionClosed)
            ),
            (
                OrderId(42),
                ReportKind::CancelRejected(RejectReason::CancelRefused)
            ),
        ]
    );
}

/// One step of a session script, applied alike to a warmed session and its untouched twin.
enum Step<'a> {
    Send(OrderRequest, TsNs),
    Peer(FixMsg<'a>, TsNs),
    Timer(TsNs),
}

#[test]
fn warming_changes_nothing_the_session_sends_numbers_stores_or_reports() {
    let cancel = OrderRequest {
        order: OrderId(42),
        instrument: GC,
        kind: RequestKind::Cancel,
        ts: secs(3),
    };
    let script = [
        Step::Send(new_order(42, 20345, 3, secs(1)), secs(1)),
        Step::Peer(er(b"42", b'F', Some(("2034.6", 1)), 1, 2), secs(2)),
        Step::Send(cancel, secs(3)),
        Step::Send(new_order(43, 20350, 1, secs(4)), secs(4)),
        Step::Timer(secs(40)), // the peer has been silent: a TestRequest
        Step::Peer(FixMsg::ResendRequest { begin: 1, end: 0 }, secs(41)),
        Step::Send(new_order(44, 20351, 2, secs(42)), secs(42)),
    ];
    let (mut warmed, mut p1) = logged_on();
    let (mut twin, mut p2) = logged_on();
    let mut unwarmed = session(); // not logged on, no order yet: warming does nothing
    unwarmed.warm(secs(1));
    assert!(unwarmed.outbound().is_empty());
    let mut out = Vec::new();
    for (i, step) in script.iter().enumerate() {
        // Before the step (the first time with no order sent yet), and twice, so that a
        // frame left pending by the previous step is still there unchanged.
        warmed.warm(secs(i as i64));
        warmed.warm(TsNs(secs(i as i64).0 + 500_000_000));
        for (s, p) in [(&mut warmed, &mut p1), (&mut twin, &mut p2)] {
            match step {
                Step::Send(req, now) => s.send(req, *now).unwrap(),
                Step::Peer(m, now) => p.send(s, m, *now),
                Step::Timer(now) => s.on_timer(*now),
            }
        }
        assert_eq!(
            String::from_utf8_lossy(warmed.outbound()),
            String::from_utf8_lossy(twin.outbound()),
            "bytes after step {i}"
        );
        assert_eq!(
            events(&mut warmed),
            events(&mut twin),
            "events after step {i}"
        );
        if i % 2 == 1 || i == script.len() - 1 {
            sent(&mut warmed);
            out.extend(sent(&mut twin));
        }
    }
    assert_eq!(warmed.seqs().next_out, twin.seqs().next_out);
    // The timer finds the peer silent (TestRequest); the resend replays the stored orders
    // and gap-fills the session messages: warming stored nothing of its own.
    assert_eq!(
        types(&out),
        ["D", "F", "D", "1", "4", "D", "F", "D", "4", "D"]
    );
}

#[test]
fn malformed_content_is_rejected_at_session_level_and_garbage_disconnects() {
    let (mut s, mut p) = logged_on();
    let mut bad = er(b"42", b'F', None, 1, 2); // a trade without LastPx
    if let FixMsg::ExecutionReport(e) = &mut bad {
        e.last_qty = Some(1);
    }
    p.send(&mut s, &bad, secs(1));
    let out = sent(&mut s);
    assert_eq!(types(&out), ["3"]);
    assert_eq!(
        [
            out[0].get(45),
            out[0].get(371),
            out[0].get(372),
            out[0].get(373)
        ],
        [Some("2"), Some("31"), Some("8"), Some("1")]
    );
    assert_eq!(
        events(&mut s),
        [Event::RejectSent {
            ref_seq: 2,
            tag: 31,
            reason: 1
        }]
    );
    assert_eq!(s.seqs().next_in, 3, "a rejected message uses its number");
    let mut hb = frame(3, &FixMsg::Heartbeat { test_req_id: None }, secs(2), None);
    let n = hb.len();
    hb[n - 2] = if hb[n - 2] == b'9' { b'0' } else { b'9' };
    assert_eq!(s.on_bytes(&hb, secs(2)), n);
    assert!(matches!(events(&mut s)[..], [Event::Garbled(_)]));
    assert_eq!(s.state(), State::Active);
    s.on_bytes(b"8=FIX.4.2\x019=5\x01", secs(3));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Disconnected(DisconnectReason::Framing(_))]
    ));
}

#[test]
fn logout_handshake_and_peer_logout() {
    let (mut s, mut p) = logged_on();
    s.logout(secs(1));
    assert_eq!(types(&sent(&mut s)), ["5"]);
    assert_eq!(s.state(), State::LogoutSent);
    p.send(&mut s, &FixMsg::Logout { text: None }, secs(2));
    assert_eq!(
        events(&mut s),
        [Event::Disconnected(DisconnectReason::LogoutComplete)]
    );
    let (mut s, mut p) = logged_on();
    p.send(
        &mut s,
        &FixMsg::Logout {
            text: Some(b"end of day"),
        },
        secs(2),
    );
    assert_eq!(types(&sent(&mut s)), ["5"]);
    assert!(
        matches!(events(&mut s)[..], [Event::Disconnected(DisconnectReason::PeerLogout(t))] if t.as_bytes() == b"end of day")
    );
    let (mut s, _) = logged_on();
    s.logout(secs(1));
    s.on_timer(secs(6));
    assert!(matches!(
        events(&mut s)[..],
        [Event::Disconnected(DisconnectReason::LogoutTimeout)]
    ));
}

#[test]
fn a_restart_continues_sequence_numbers_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = SeqFile::new(dir.path().join("broker.seq"));
    let (mut s, mut p) = logged_on();
    s.send(&new_order(1, 20345, 1, secs(1)), secs(1)).unwrap();
    p.send(&mut s, &FixMsg::Heartbeat { test_req_id: None }, secs(2));
    s.logout(secs(3));
    file.save(s.seqs()).unwrap();
    let mut again = Session::new(cfg(), instruments(), file.load().unwrap()).unwrap();
    again.on_connected(secs(10));
    let logon = sent(&mut again);
    assert_eq!(logon[0].seq(), 4);
    let l = frame(
        3,
        &FixMsg::Logon(Logon {
            heart_bt_s: 30,
            reset_seq: false,
            username: None,
            password: None,
        }),
        secs(10),
        None,
    );
    again.on_bytes(&l, secs(10));
    assert_eq!(events(&mut again), [Event::LoggedOn { heart_bt_s: 30 }]);
    assert_eq!((again.seqs().next_out, again.seqs().next_in), (5, 4));
}

#[test]
fn credentials_never_appear_in_debug_output() {
    let mut s = session();
    s.on_connected(T0);
    let frame_bytes = s.outbound().to_vec();
    let d = decode(&frame_bytes).unwrap();
    let parsed = FixMsg::parse(&d.msg).unwrap().unwrap();
    for text in [
        format!("{s:?}"),
        format!("{:?}", cfg()),
        format!("{:?}", d.msg),
        format!("{parsed:?}"),
        format!("{:?}", d),
    ] {
        assert!(
            !text.contains(PASSWORD) && !text.contains(USERNAME),
            "leaked in {text}"
        );
        assert!(
            !text.contains(&format!("{:?}", PASSWORD.as_bytes())),
            "leaked bytes in {text}"
        );
    }
    assert!(format!("{parsed:?}").contains("***"));
}

#[test]
fn reconnect_back_off_doubles_from_100_ms_to_5_s() {
    let d: Vec<i64> = (0..10).map(reconnect_delay_ms).collect();
    assert_eq!(d, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000]);
    assert_eq!(reconnect_delay_ms(u32::MAX), 5000);
}
