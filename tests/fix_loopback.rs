//! The session over a real socket: an initiator and a tiny acceptor built from the same codec
//! exchange Logon, an order, a fill and Logout over 127.0.0.1 (ephemeral port). Blocking
//! `std::net` with read timeouts so that a fault fails the test instead of hanging it; times
//! given to the session are synthetic (no clock is read).

mod fix_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use crossarb::domain::{Px, Qty, Side};
use crossarb::exec::msg::{OrderId, OrderRequest, ReportKind, RequestKind, Tif};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::msg::{ExecutionReport, Logon};
use crossarb::gateway::fix::{decode, DisconnectReason, Event, FixMsg, State};
use fix_support::*;

/// Answers Logon, one order with a full fill, and Logout; returns the MsgTypes it received.
fn acceptor(mut sock: TcpStream) -> Vec<String> {
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (mut buf, mut seen, mut seq) = (Vec::new(), Vec::new(), 1u64);
    let mut chunk = [0u8; 4096];
    while !seen.iter().any(|t| t == "5") {
        let n = sock.read(&mut chunk).expect("acceptor read");
        assert!(n > 0, "initiator closed early");
        buf.extend_from_slice(&chunk[..n]);
        while let Ok(d) = decode(&buf) {
            let ty = String::from_utf8(d.msg.msg_type().to_vec()).unwrap();
            let reply = match ty.as_str() {
                "A" => Some(FixMsg::Logon(Logon {
                    heart_bt_s: 30,
                    reset_seq: false,
                    username: None,
                    password: None,
                })),
                "D" => Some(FixMsg::ExecutionReport(ExecutionReport {
                    order_id: b"OID-1",
                    cl_ord_id: d.msg.get(11).unwrap(),
                    orig_cl_ord_id: None,
                    exec_id: b"E1",
                    exec_type: b'F',
                    ord_status: b'2',
                    symbol: b"GCZ4",
                    side: Side::Buy,
                    order_qty: Some(2),
                    leaves_qty: 0,
                    cum_qty: 2,
                    last_px: Some(Decimal::parse(d.msg.get(44).unwrap()).unwrap()),
                    last_qty: Some(2),
                    text: None,
                    ord_rej_reason: None,
                    transact_time: Some(secs(1)),
                })),
                "5" => Some(FixMsg::Logout { text: None }),
                _ => None,
            };
            if let Some(r) = reply {
                sock.write_all(&frame(seq, &r, secs(1), None)).unwrap();
                seq += 1;
            }
            seen.push(ty);
            let used = d.len;
            buf.drain(..used);
        }
    }
    seen
}

#[test]
fn initiator_and_acceptor_trade_one_order_over_loopback_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || acceptor(listener.accept().unwrap().0));
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut s = session();
    s.on_connected(T0);
    let (mut inbuf, mut chunk, mut reports) = (Vec::new(), [0u8; 4096], Vec::new());
    let order = OrderRequest {
        order: OrderId(5),
        instrument: GC,
        kind: RequestKind::New {
            side: Side::Buy,
            px: Px(20345),
            qty: Qty(2),
            tif: Tif::Ioc,
        },
        ts: secs(1),
    };
    for step in 0..20 {
        sock.write_all(s.outbound()).unwrap();
        let n = s.outbound().len();
        s.consume_outbound(n);
        if s.state() == State::Disconnected {
            break;
        }
        let n = sock.read(&mut chunk).expect("initiator read");
        assert!(n > 0, "acceptor closed early at step {step}");
        inbuf.extend_from_slice(&chunk[..n]);
        let used = s.on_bytes(&inbuf, secs(1));
        inbuf.drain(..used);
        for e in s.events().collect::<Vec<_>>() {
            match e {
                Event::LoggedOn { .. } => s.send(&order, secs(1)).unwrap(),
                Event::Report(r) => {
                    reports.push(r.kind);
                    s.logout(secs(2));
                }
                Event::Disconnected(why) => assert_eq!(why, DisconnectReason::LogoutComplete),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(s.state(), State::Disconnected);
    assert_eq!(
        reports,
        [ReportKind::Fill {
            px: Px(20345),
            qty: Qty(2)
        }]
    );
    assert_eq!(peer.join().unwrap(), ["A", "D", "5"]);
}
