//! The broker-side acceptor of the venue simulator against the initiator session, in memory:
//! logon, an order and its fill, TestRequest, and the recovery of execution reports the venue
//! sent while the link was down (ResendRequest answered with PossDup copies and gap fills).
//! Times are synthetic; no socket, no clock.

mod fix_support;

use crossarb::domain::{Px, Qty, Side};
use crossarb::exec::msg::{OrderId, OrderRequest, ReportKind, RequestKind, Tif};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::acceptor::Step;
use crossarb::gateway::fix::msg::{ExecutionReport, Logon};
use crossarb::gateway::fix::{decode, Acceptor, AcceptorConfig, Event, FixMsg, Session, State};
use fix_support::*;

fn acceptor() -> Acceptor {
    Acceptor::new(AcceptorConfig {
        sender: b"BROKER".to_vec(),
        target: b"CLIENT".to_vec(),
        heart_bt_s: 30,
        resend_capacity: 16,
    })
}

/// What the acceptor handed to the venue: the ClOrdIDs of the orders it received.
#[derive(Default)]
struct Venue {
    orders: Vec<Vec<u8>>,
    closed: Option<&'static str>,
}

/// Moves bytes both ways until neither side has anything to say; returns the session's events.
fn pump(s: &mut Session, a: &mut Acceptor, v: &mut Venue, link_up: bool) -> Vec<Event> {
    let mut events = Vec::new();
    for _ in 0..50 {
        let to_acceptor = s.outbound().to_vec();
        s.consume_outbound(to_acceptor.len());
        let to_session = a.outbound().to_vec();
        a.consume_outbound(to_session.len());
        if to_acceptor.is_empty() && to_session.is_empty() {
            break;
        }
        if !link_up {
            continue;
        }
        let mut at = 0;
        while at < to_acceptor.len() {
            match a.step(&to_acceptor[at..], secs(1)) {
                Step::Incomplete => panic!("the session wrote a partial frame"),
                Step::Handled { len } => at += len,
                Step::App { len, msg } => {
                    if let FixMsg::NewOrderSingle(o) = msg {
                        v.orders.push(o.cl_ord_id.to_vec());
                    }
                    at += len;
                }
                Step::Close(why) => {
                    v.closed = Some(why);
                    break;
                }
            }
        }
        assert_eq!(s.on_bytes(&to_session, secs(1)), to_session.len());
        events.extend(s.events());
    }
    events
}

fn fill(cl_ord_id: &[u8], exec_id: &[u8]) -> FixMsg<'static> {
    let cl: &'static [u8] = Box::leak(cl_ord_id.to_vec().into_boxed_slice());
    let eid: &'static [u8] = Box::leak(exec_id.to_vec().into_boxed_slice());
    FixMsg::ExecutionReport(ExecutionReport {
        order_id: cl,
        cl_ord_id: cl,
        orig_cl_ord_id: None,
        exec_id: eid,
        exec_type: b'F',
        ord_status: b'2',
        symbol: b"GCZ4",
        side: Side::Buy,
        order_qty: Some(2),
        leaves_qty: 0,
        cum_qty: 2,
        last_px: Some(Decimal::parse(b"2034.5").unwrap()),
        last_qty: Some(2),
        text: None,
        ord_rej_reason: None,
        transact_time: Some(secs(1)),
    })
}

fn order(id: u32) -> OrderRequest {
    OrderRequest {
        order: OrderId(id),
        instrument: GC,
        kind: RequestKind::New {
            side: Side::Buy,
            px: Px(20345),
            qty: Qty(2),
            tif: Tif::Ioc,
        },
        ts: secs(1),
    }
}

fn fills(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Report(r) if matches!(r.kind, ReportKind::Fill { .. })))
        .count()
}

fn logged_on_pair() -> (Session, Acceptor, Venue) {
    let (mut s, mut a, mut v) = (session(), acceptor(), Venue::default());
    a.on_connected();
    s.on_connected(T0);
    let ev = pump(&mut s, &mut a, &mut v, true);
    assert!(
        ev.iter().any(|e| matches!(e, Event::LoggedOn { .. })),
        "{ev:?}"
    );
    assert_eq!(s.state(), State::Active);
    assert!(a.logged_on());
    (s, a, v)
}

#[test]
fn an_order_reaches_the_venue_and_its_fill_comes_back() {
    let (mut s, mut a, mut v) = logged_on_pair();
    s.send(&order(5), secs(1)).unwrap();
    pump(&mut s, &mut a, &mut v, true);
    assert_eq!(v.orders.len(), 1);
    a.send_app(&fill(&v.orders[0], b"E1"), secs(1));
    let ev = pump(&mut s, &mut a, &mut v, true);
    assert_eq!(fills(&ev), 1, "{ev:?}");
    let (out, inn) = a.seqs();
    assert_eq!(s.seqs().next_in, out);
    assert_eq!(s.seqs().next_out, inn);
}

#[test]
fn reports_sent_while_the_link_was_down_are_resent_after_the_reconnect() {
    let (mut s, mut a, mut v) = logged_on_pair();
    s.send(&order(5), secs(1)).unwrap();
    s.send(&order(6), secs(1)).unwrap();
    pump(&mut s, &mut a, &mut v, true);
    assert_eq!(v.orders.len(), 2);
    // The link drops; the venue fills both orders meanwhile.
    s.on_disconnected(secs(1));
    a.on_disconnected();
    let cl = v.orders.clone();
    a.send_app(&fill(&cl[0], b"E1"), secs(1));
    a.send_app(&fill(&cl[1], b"E2"), secs(1));
    assert!(
        a.outbound().is_empty(),
        "nothing is written without a connection"
    );
    // Reconnect: our Logon answer runs ahead of the session, which asks for a resend.
    a.on_connected();
    s.on_connected(secs(2));
    let ev = pump(&mut s, &mut a, &mut v, true);
    assert!(
        ev.iter().any(|e| matches!(e, Event::LoggedOn { .. })),
        "{ev:?}"
    );
    assert_eq!(fills(&ev), 2, "both fills recovered: {ev:?}");
    let (out, inn) = a.seqs();
    assert_eq!(
        s.seqs().next_in,
        out,
        "the session has everything the venue sent"
    );
    assert_eq!(
        s.seqs().next_out,
        inn,
        "the venue has everything the session sent"
    );
}

#[test]
fn a_test_request_is_answered_with_its_id() {
    let (_, mut a, _) = logged_on_pair();
    let tr = client(
        2,
        &FixMsg::TestRequest {
            test_req_id: b"T-9",
        },
        false,
    );
    assert!(matches!(a.step(&tr, secs(1)), Step::Handled { .. }));
    let out = a.outbound().to_vec();
    let d = decode(&out).unwrap();
    assert_eq!(d.msg.msg_type(), b"0");
    assert_eq!(d.msg.get(112), Some(&b"T-9"[..]));
}

#[test]
fn a_sequence_number_too_low_without_possdup_logs_out() {
    let (_, mut a, _) = logged_on_pair();
    let hb = client(1, &FixMsg::Heartbeat { test_req_id: None }, false);
    assert!(matches!(
        a.step(&hb, secs(1)),
        Step::Close("MsgSeqNum too low")
    ));
    let out = a.outbound().to_vec();
    assert_eq!(decode(&out).unwrap().msg.msg_type(), b"5");
    // The same message marked PossDup is a duplicate, ignored.
    let (_, mut a, _) = logged_on_pair();
    let dup = client(1, &FixMsg::Heartbeat { test_req_id: None }, true);
    assert!(matches!(a.step(&dup, secs(1)), Step::Handled { .. }));
    assert!(a.outbound().is_empty());
}

#[test]
fn a_gap_in_the_initiators_sequence_asks_for_a_resend_once() {
    let (_, mut a, _) = logged_on_pair();
    let hb = |seq| client(seq, &FixMsg::Heartbeat { test_req_id: None }, false);
    assert!(matches!(a.step(&hb(5), secs(1)), Step::Handled { .. }));
    assert!(matches!(a.step(&hb(6), secs(1)), Step::Handled { .. }));
    let out = a.outbound().to_vec();
    let d = decode(&out).unwrap();
    assert_eq!(d.msg.msg_type(), b"2");
    assert_eq!(
        d.msg.get(7),
        Some(&b"2"[..]),
        "BeginSeqNo is the first missing"
    );
    assert_eq!(d.len, out.len(), "one ResendRequest only");
}

#[test]
fn bytes_that_are_not_fix_close_the_connection_and_a_bad_checksum_is_skipped() {
    let mut a = acceptor();
    assert!(matches!(
        a.step(b"GET / HTTP/1.1\r\n", secs(1)),
        Step::Close(_)
    ));
    let logon = FixMsg::Logon(Logon {
        heart_bt_s: 30,
        reset_seq: false,
        username: None,
        password: None,
    });
    let mut bad = client(1, &logon, false);
    let n = bad.len();
    bad[n - 2] = if bad[n - 2] == b'9' { b'0' } else { b'9' };
    assert!(matches!(a.step(&bad, secs(1)), Step::Handled { len } if len == n));
    assert!(!a.logged_on());
}

/// One message from CLIENT to BROKER (the acceptor's inbound); `poss_dup` marks a resend.
fn client(seq: u64, m: &FixMsg<'_>, poss_dup: bool) -> Vec<u8> {
    fix_support::frame_between(
        b"CLIENT",
        b"BROKER",
        seq,
        m,
        secs(1),
        poss_dup.then_some(T0),
    )
}
