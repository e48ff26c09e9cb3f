use super::*;
use crate::gateway::ctp::offset::Offset;

const AT: Stamp = Stamp {
    exchange: TsNs(1),
    recv: TsNs(2),
};

fn sent(order: u32, qty: i64) -> Sent {
    Sent {
        order: OrderId(order),
        instrument: InstrumentId(1),
        side: Side::Buy,
        offset: Offset::Open,
        qty,
        front: 7,
        session: 99,
        order_ref: order as i32 + 100,
    }
}

fn notice(order: u32, status: u8, traded: i64) -> OrderNotice<'static> {
    OrderNotice {
        front: 7,
        session: 99,
        order_ref: order as i32 + 100,
        sys_id: "   42",
        status,
        submit: b'3',
        traded,
    }
}

fn trade(id: &str, qty: i64) -> TradeNotice<'_> {
    TradeNotice {
        sys_id: "42",
        exchange: "SHFE",
        trade_id: id,
        px: Px(3500),
        qty,
    }
}

fn run(
    t: &mut OrderTable,
    pos: &mut PositionBook,
    f: impl FnOnce(&mut OrderTable, &mut PositionBook, &mut dyn FnMut(ExecReport)),
) -> Vec<ReportKind> {
    let mut out = Vec::new();
    f(t, pos, &mut |r: ExecReport| out.push(r.kind));
    out
}

#[test]
fn a_full_fill_reports_ack_then_fill_and_no_done() {
    let (mut t, mut p) = (OrderTable::default(), PositionBook::default());
    t.insert(sent(1, 2)).unwrap();
    let mut out = Vec::new();
    let mut e = |r: ExecReport| out.push(r.kind);
    t.on_order(&notice(1, status::UNKNOWN, 0), AT, &mut p, &mut e);
    t.on_order(&notice(1, status::NONE_QUEUEING, 0), AT, &mut p, &mut e);
    // The order notice saying "all traded" comes before the trade notice.
    t.on_order(&notice(1, status::ALL_TRADED, 2), AT, &mut p, &mut e);
    t.on_trade(&trade("t1", 2), AT, &mut p, &mut e);
    assert_eq!(
        out,
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3500),
                qty: Qty(2)
            }
        ]
    );
    assert_eq!(t.live_count(), 0);
    assert_eq!(p.lots(InstrumentId(1), Side::Buy).today, 2);
}

#[test]
fn a_cancelled_part_fill_ends_only_after_its_trades_arrive() {
    let (mut t, mut p) = (OrderTable::default(), PositionBook::default());
    t.insert(sent(1, 3)).unwrap();
    let out = run(&mut t, &mut p, |t, p, e| {
        let mut e = |r| e(r);
        t.on_order(&notice(1, status::CANCELED, 1), AT, p, &mut e);
        t.on_trade(&trade("t1", 1), AT, p, &mut e);
    });
    assert_eq!(
        out,
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3500),
                qty: Qty(1)
            },
            ReportKind::Done { leaves: Qty(2) }
        ]
    );
}

#[test]
fn notices_seen_twice_count_once() {
    let (mut t, mut p) = (OrderTable::default(), PositionBook::default());
    t.insert(sent(1, 2)).unwrap();
    let out = run(&mut t, &mut p, |t, p, e| {
        let mut e = |r| e(r);
        for _ in 0..2 {
            t.on_order(&notice(1, status::PART_QUEUEING, 1), AT, p, &mut e);
            t.on_trade(&trade("t1", 1), AT, p, &mut e);
        }
    });
    assert_eq!(
        out,
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3500),
                qty: Qty(1)
            }
        ]
    );
    assert_eq!(t.duplicates, 1);
}

#[test]
fn an_insert_refusal_rejects_once() {
    let (mut t, mut p) = (OrderTable::default(), PositionBook::default());
    t.insert(sent(1, 2)).unwrap();
    let out = run(&mut t, &mut p, |t, p, e| {
        let mut e = |r| e(r);
        assert_eq!(
            t.on_insert_refused(7, 99, 101, AT, p, &mut e),
            Some(OrderId(1))
        );
        assert_eq!(t.on_insert_refused(7, 99, 101, AT, p, &mut e), None);
    });
    assert_eq!(out, [ReportKind::Rejected(RejectReason::Venue)]);
}

#[test]
fn notices_of_other_sessions_are_counted_not_applied() {
    let (mut t, mut p) = (OrderTable::default(), PositionBook::default());
    t.insert(sent(1, 2)).unwrap();
    let mut other = notice(1, status::ALL_TRADED, 2);
    other.session = 98;
    let out = run(&mut t, &mut p, |t, p, e| {
        t.on_order(&other, AT, p, &mut |r| e(r))
    });
    assert!(out.is_empty());
    assert_eq!(t.foreign, 1);
}

#[test]
fn a_full_table_refuses_new_orders_until_one_ends() {
    let mut t = OrderTable::default();
    for k in 0..ORDERS_MAX as u32 {
        t.insert(sent(k, 1)).unwrap();
    }
    assert_eq!(t.insert(sent(9999, 1)), Err(TableFull));
    let mut p = PositionBook::default();
    t.on_insert_refused(7, 99, 105, AT, &mut p, &mut |_| {});
    assert_eq!(t.insert(sent(9999, 1)), Ok(()));
}

#[test]
fn keys_trim_ctp_padding_and_refuse_overlong_ids() {
    assert_eq!(Key::new("   42").unwrap().as_str(), "42");
    assert!(Key::new("   ").is_none());
    assert!(Key::new(&"9".repeat(25)).is_none());
}
