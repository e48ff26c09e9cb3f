//! The simulated exchange: matching against the replayed top of book, injected faults, timing
//! and determinism.

mod sim_fixture;

use crossarb::config::{SimVenue, Window};
use crossarb::domain::{InstrumentId, Px, Qty, Quote, Side, TsNs, VenueId, NS_PER_MS, NS_PER_SEC};
use crossarb::exec::msg::{
    ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind, Tif,
};
use crossarb::sim::{SimError, SimExchange, SimLimits};
use sim_fixture::*;

const T0: i64 = 1_736_128_800 * NS_PER_SEC; // 2025-01-06 02:00 UTC, SHFE day session

fn at_ms(ms: i64) -> TsNs {
    TsNs(T0 + ms * NS_PER_MS)
}

fn exchange_with(sims: Vec<SimVenue>, seed: u64) -> SimExchange {
    let cfg = cu_lme();
    SimExchange::new(&cfg.instruments, &sims, seed, SimLimits::DEFAULT).expect("valid sim config")
}

/// SHFE 1 ms order latency with 0.1 ms jitter, the others quiet.
fn exchange() -> SimExchange {
    exchange_with(
        vec![
            quiet_sim(SHFE, 1_000_000),
            quiet_sim(LME, 120_000_000),
            quiet_sim(FXV, 1_000_000),
        ],
        42,
    )
}

fn quote(ins: InstrumentId, ms: i64, bid: i64, bid_qty: i64, ask: i64, ask_qty: i64) -> Quote {
    Quote {
        ts_exchange: at_ms(ms),
        ts_recv: at_ms(ms),
        seq: 0,
        bid_px: Px(bid),
        ask_px: Px(ask),
        bid_qty: Qty(bid_qty),
        ask_qty: Qty(ask_qty),
        venue: if ins == CU { SHFE } else { LME },
        instrument: ins,
        flags: 0,
    }
}

fn new_order(id: u32, side: Side, px: i64, qty: i64, tif: Tif, ms: i64) -> OrderRequest {
    OrderRequest {
        order: OrderId(id),
        instrument: CU,
        kind: RequestKind::New {
            side,
            px: Px(px),
            qty: Qty(qty),
            tif,
        },
        ts: at_ms(ms),
    }
}

fn cancel(id: u32, ms: i64) -> OrderRequest {
    OrderRequest {
        order: OrderId(id),
        instrument: CU,
        kind: RequestKind::Cancel,
        ts: at_ms(ms),
    }
}

fn send(ex: &mut SimExchange, req: OrderRequest) {
    ex.submit(&req, req.ts, &mut |_, _| true)
        .expect("queue has room");
}

/// Delivers everything due up to `until`, stepping through the exchange's own event times.
fn drain_until(ex: &mut SimExchange, until: TsNs) -> Vec<ExecReport> {
    let mut out = Vec::new();
    while let Some(t) = ex.next_event_time() {
        if t > until {
            break;
        }
        ex.pop_due(t, &mut |r| out.push(r)).expect("no queue full");
    }
    out
}

fn drain(ex: &mut SimExchange) -> Vec<ExecReport> {
    drain_until(ex, TsNs(i64::MAX))
}

fn kinds(reports: &[ExecReport]) -> Vec<(u32, ReportKind)> {
    reports.iter().map(|r| (r.order.0, r.kind)).collect()
}

fn fill(px: i64, qty: i64) -> ReportKind {
    ReportKind::Fill {
        px: Px(px),
        qty: Qty(qty),
    }
}

#[test]
fn ioc_buy_fills_fully_at_the_ask_when_the_displayed_size_covers_it() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_001, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_003, 10, Tif::Ioc, 10));
    let r = drain(&mut ex);
    assert_eq!(kinds(&r), vec![(1, ReportKind::Ack), (1, fill(77_001, 10))]);
    let arrival = r[0].ts_exchange;
    assert!(
        arrival.since(at_ms(10)) >= NS_PER_MS
            && arrival.since(at_ms(10)) <= NS_PER_MS + NS_PER_MS / 10
    );
    assert!(r
        .iter()
        .all(|x| x.ts_recv.since(x.ts_exchange) >= NS_PER_MS));
    assert!(r[0].ts_recv <= r[1].ts_recv);
}

#[test]
fn ioc_partially_fills_when_the_displayed_size_is_short_and_reports_the_rest_done() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_001, 3)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_001, 10, Tif::Ioc, 10));
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (1, fill(77_001, 3)),
            (1, ReportKind::Done { leaves: Qty(7) })
        ]
    );
}

#[test]
fn ioc_sell_hits_the_bid() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 4, 77_001, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Sell, 76_990, 6, Tif::Ioc, 10));
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (1, fill(77_000, 4)),
            (1, ReportKind::Done { leaves: Qty(2) })
        ]
    );
}

#[test]
fn displayed_size_taken_by_one_order_is_gone_for_the_next_until_the_book_updates() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_001, 4)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_001, 3, Tif::Ioc, 10));
    send(&mut ex, new_order(2, Side::Buy, 77_001, 3, Tif::Ioc, 10));
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r)
            .into_iter()
            .filter(|(_, k)| !matches!(k, ReportKind::Ack))
            .collect::<Vec<_>>(),
        vec![
            (1, fill(77_001, 3)),
            (2, fill(77_001, 1)),
            (2, ReportKind::Done { leaves: Qty(2) })
        ]
    );
    ex.on_market(&quote(CU, 50, 77_000, 20, 77_001, 4)).unwrap();
    send(&mut ex, new_order(3, Side::Buy, 77_001, 3, Tif::Ioc, 60));
    assert_eq!(
        kinds(&drain(&mut ex)),
        vec![(3, ReportKind::Ack), (3, fill(77_001, 3))]
    );
}

#[test]
fn an_order_that_does_not_cross_is_acked_then_done_with_its_full_quantity() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_001, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_000, 5, Tif::Ioc, 10));
    send(&mut ex, new_order(2, Side::Sell, 77_001, 5, Tif::Ioc, 10));
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (1, ReportKind::Done { leaves: Qty(5) }),
            (2, ReportKind::Ack),
            (2, ReportKind::Done { leaves: Qty(5) })
        ]
    );
}

#[test]
fn an_order_before_any_quote_finds_an_empty_book() {
    let mut ex = exchange();
    send(&mut ex, new_order(1, Side::Buy, 99_999, 5, Tif::Ioc, 10));
    assert_eq!(
        kinds(&drain(&mut ex)),
        vec![
            (1, ReportKind::Ack),
            (1, ReportKind::Done { leaves: Qty(5) })
        ]
    );
}

#[test]
fn a_limit_order_rests_and_fills_at_its_limit_when_later_quotes_cross_it() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_010, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_005, 5, Tif::Limit, 10));
    assert_eq!(kinds(&drain(&mut ex)), vec![(1, ReportKind::Ack)]);
    ex.on_market(&quote(CU, 100, 76_990, 20, 77_006, 30))
        .unwrap(); // not crossing
    assert!(drain(&mut ex).is_empty());
    ex.on_market(&quote(CU, 200, 76_990, 20, 77_000, 2))
        .unwrap();
    ex.on_market(&quote(CU, 300, 76_990, 20, 77_004, 10))
        .unwrap();
    let r = drain(&mut ex);
    assert_eq!(kinds(&r), vec![(1, fill(77_005, 2)), (1, fill(77_005, 3))]);
    assert_eq!(r[0].ts_exchange, at_ms(200));
    assert_eq!(r[1].ts_exchange, at_ms(300));
    // Fully filled: a cancel now is refused.
    send(&mut ex, cancel(1, 400));
    assert_eq!(
        kinds(&drain(&mut ex)),
        vec![(1, ReportKind::CancelRejected(RejectReason::CancelRefused))]
    );
}

#[test]
fn cancel_ends_a_resting_order_with_its_leaves_and_a_second_cancel_is_refused() {
    let mut ex = exchange();
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_010, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Sell, 77_008, 6, Tif::Limit, 10));
    ex.on_market(&quote(CU, 100, 77_009, 2, 77_012, 30))
        .unwrap();
    send(&mut ex, cancel(1, 200));
    send(&mut ex, cancel(1, 201));
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (1, fill(77_008, 2)),
            (1, ReportKind::Done { leaves: Qty(4) }),
            (1, ReportKind::CancelRejected(RejectReason::CancelRefused))
        ]
    );
}

#[test]
fn a_cancel_sent_right_after_its_order_never_overtakes_it() {
    // Jitter of 0.9 ms on 0.1 ms: without the per-venue FIFO the cancel would often arrive first.
    let mut sim = quiet_sim(SHFE, 100_000);
    sim.order_latency.jitter_ns = 900_000;
    let mut ex = exchange_with(vec![sim, quiet_sim(LME, 1), quiet_sim(FXV, 1)], 3);
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_010, 30)).unwrap();
    for id in 0..50 {
        send(
            &mut ex,
            new_order(id, Side::Buy, 76_000, 1, Tif::Limit, 10 + i64::from(id)),
        );
        send(&mut ex, cancel(id, 10 + i64::from(id)));
    }
    let r = drain(&mut ex);
    for id in 0..50 {
        let mine: Vec<ReportKind> = r
            .iter()
            .filter(|x| x.order.0 == id)
            .map(|x| x.kind)
            .collect();
        assert_eq!(
            mine,
            vec![ReportKind::Ack, ReportKind::Done { leaves: Qty(1) }],
            "order {id}"
        );
    }
}

#[test]
fn rejects_happen_at_the_configured_rate_within_five_binomial_standard_deviations() {
    let mut sim = quiet_sim(SHFE, 1_000_000);
    sim.reject_prob = 0.2;
    let mut ex = exchange_with(vec![sim, quiet_sim(LME, 1), quiet_sim(FXV, 1)], 11);
    let n = 2_000;
    let mut r = Vec::new();
    for id in 0..n {
        send(
            &mut ex,
            new_order(id, Side::Buy, 1, 1, Tif::Ioc, i64::from(id)),
        );
        r.extend(drain(&mut ex));
    }
    let rejects = r
        .iter()
        .filter(|x| x.kind == ReportKind::Rejected(RejectReason::Venue))
        .count() as f64;
    let acks = r.iter().filter(|x| x.kind == ReportKind::Ack).count() as f64;
    let (n, p) = (f64::from(n), 0.2);
    let sd = (n * p * (1.0 - p)).sqrt();
    assert!(
        (rejects - n * p).abs() < 5.0 * sd,
        "{rejects} rejects of {n}, expected {} ± {}",
        n * p,
        5.0 * sd
    );
    assert_eq!(rejects + acks, n, "every order is either rejected or acked");
}

#[test]
fn a_lost_ack_and_its_fills_arrive_after_the_ack_timeout_in_order() {
    let cfg = cu_lme();
    let mut sim = quiet_sim(SHFE, 1_000_000);
    sim.ack_loss_prob = 1.0;
    sim.ack_loss_delay_ms = 5 * cfg.execution.ack_timeout_ms;
    let mut ex = exchange_with(vec![sim, quiet_sim(LME, 1), quiet_sim(FXV, 1)], 5);
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_001, 3)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_001, 5, Tif::Ioc, 10));
    let timeout = at_ms(10 + cfg.execution.ack_timeout_ms);
    assert!(
        drain_until(&mut ex, timeout).is_empty(),
        "nothing may arrive before the ack timeout"
    );
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (1, fill(77_001, 3)),
            (1, ReportKind::Done { leaves: Qty(2) })
        ]
    );
    assert!(r[0].ts_recv > timeout);
    assert!(
        r[0].ts_exchange < at_ms(20),
        "the venue acted on time; only the reports were late"
    );
    assert!(r.windows(2).all(|w| w[0].ts_recv <= w[1].ts_recv));
}

#[test]
fn an_order_arriving_in_a_disconnect_window_is_rejected_and_reports_due_inside_are_held() {
    let mut sim = quiet_sim(SHFE, 1_000_000);
    let (start, end) = (at_ms(1_000), at_ms(2_000));
    sim.disconnects = vec![Window {
        start_ns: start.0,
        end_ns: end.0,
    }];
    let mut ex = exchange_with(vec![sim, quiet_sim(LME, 1), quiet_sim(FXV, 1)], 9);
    ex.on_market(&quote(CU, 0, 77_000, 20, 77_010, 30)).unwrap();
    send(&mut ex, new_order(1, Side::Buy, 77_005, 5, Tif::Limit, 500)); // rests before the window
    send(&mut ex, new_order(2, Side::Buy, 77_005, 5, Tif::Limit, 999)); // arrives inside
    ex.on_market(&quote(CU, 1_500, 76_990, 20, 77_000, 30))
        .unwrap(); // fills order 1 inside
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![
            (1, ReportKind::Ack),
            (2, ReportKind::Rejected(RejectReason::Disconnected)),
            (1, fill(77_005, 5))
        ]
    );
    assert!(
        r[1].ts_recv < at_ms(1_010),
        "the gateway's own reject is not held"
    );
    assert_eq!(r[2].ts_exchange, at_ms(1_500));
    assert_eq!(
        r[2].ts_recv, end,
        "the fill inside the window is delivered when it ends"
    );
}

#[test]
fn an_order_arriving_while_the_venue_is_closed_is_rejected_for_the_session() {
    let mut ex = exchange();
    let req = new_order(1, Side::Buy, 77_001, 1, Tif::Ioc, 10);
    let mut asked = Vec::new();
    ex.submit(&req, req.ts, &mut |v, t| {
        asked.push((v, t));
        false
    })
    .unwrap();
    let r = drain(&mut ex);
    assert_eq!(
        kinds(&r),
        vec![(1, ReportKind::Rejected(RejectReason::SessionClosed))]
    );
    assert_eq!(
        asked,
        vec![(SHFE, r[0].ts_exchange)],
        "asked once, for the arrival time"
    );
}

/// A busy session on both venues with every fault switched on.
fn faulty_run(seed: u64, lme_reject_prob: f64) -> Vec<ExecReport> {
    let mut shfe = quiet_sim(SHFE, 1_000_000);
    shfe.reject_prob = 0.1;
    shfe.ack_loss_prob = 0.05;
    shfe.disconnects = vec![Window {
        start_ns: at_ms(3_000).0,
        end_ns: at_ms(3_400).0,
    }];
    let mut lme = quiet_sim(LME, 120_000_000);
    lme.reject_prob = lme_reject_prob;
    let mut ex = exchange_with(vec![shfe, lme, quiet_sim(FXV, 1)], seed);
    let mut out = Vec::new();
    for step in 0..400i64 {
        let ms = step * 20;
        let wobble = (step * 7) % 5;
        ex.pop_due(at_ms(ms), &mut |r| out.push(r)).unwrap();
        ex.on_market(&quote(
            CU,
            ms,
            77_000 + wobble,
            1 + step % 9,
            77_002 + wobble,
            1 + step % 7,
        ))
        .unwrap();
        ex.on_market(&quote(LMCU, ms, 19_000 + wobble, 3, 19_001 + wobble, 2))
            .unwrap();
        let id = step as u32;
        let (ins, px) = if step % 2 == 0 {
            (CU, 77_003)
        } else {
            (LMCU, 19_003)
        };
        let tif = if step % 3 == 0 { Tif::Limit } else { Tif::Ioc };
        let req = OrderRequest {
            order: OrderId(id),
            instrument: ins,
            kind: RequestKind::New {
                side: Side::Buy,
                px: Px(px - 3),
                qty: Qty(4),
                tif,
            },
            ts: at_ms(ms),
        };
        ex.submit(&req, req.ts, &mut |_, _| true).unwrap();
        if step % 3 == 0 {
            let c = OrderRequest {
                kind: RequestKind::Cancel,
                ts: at_ms(ms + 5),
                ..req
            };
            ex.submit(&c, c.ts, &mut |_, _| true).unwrap();
        }
    }
    out.extend(drain(&mut ex));
    out
}

#[test]
fn the_same_seed_gives_identical_reports_and_another_seed_differs() {
    let a = faulty_run(1, 0.1);
    assert!(a.len() > 500, "the scenario must be busy, got {}", a.len());
    assert_eq!(a, faulty_run(1, 0.1));
    assert_ne!(a, faulty_run(2, 0.1));
}

#[test]
fn changing_one_venues_settings_leaves_the_other_venues_reports_unchanged() {
    let shfe_only = |rs: Vec<ExecReport>| {
        rs.into_iter()
            .filter(|r| r.instrument == CU)
            .collect::<Vec<_>>()
    };
    assert_eq!(shfe_only(faulty_run(1, 0.1)), shfe_only(faulty_run(1, 0.6)));
}

#[test]
fn a_full_in_flight_queue_is_an_error_not_a_drop() {
    let cfg = cu_lme();
    let limits = SimLimits {
        resting_max: 2,
        in_flight_max: 2,
        reports_max: 16,
    };
    let mut ex = SimExchange::new(&cfg.instruments, &cfg.replay.sim, 1, limits).unwrap();
    let mut open = |_: VenueId, _: TsNs| true;
    for id in 0..2 {
        let r = new_order(id, Side::Buy, 1, 1, Tif::Limit, 0);
        ex.submit(&r, r.ts, &mut open).unwrap();
    }
    let r = new_order(9, Side::Buy, 1, 1, Tif::Limit, 0);
    assert!(matches!(
        ex.submit(&r, r.ts, &mut open),
        Err(SimError::Full { capacity: 2, .. })
    ));
}

#[test]
fn feed_latency_stays_within_fixed_plus_jitter() {
    let mut ex = exchange();
    let draws: Vec<i64> = (0..1000).map(|_| ex.feed_latency_ns(LME)).collect();
    assert!(draws.iter().all(|&d| (200_000..=250_000).contains(&d)));
    assert!(draws.iter().any(|&d| d != draws[0]), "jitter is drawn");
}

#[test]
fn a_sim_table_out_of_venue_order_is_refused() {
    let cfg = cu_lme();
    let sims = vec![quiet_sim(LME, 1), quiet_sim(SHFE, 1), quiet_sim(FXV, 1)];
    let err = SimExchange::new(&cfg.instruments, &sims, 1, SimLimits::DEFAULT).unwrap_err();
    assert_eq!(err, SimError::VenueOrder { index: 0, found: 1 });
    assert!(err.to_string().starts_with("replay.sim[0].venue"));
}

#[test]
fn a_lost_ack_holds_back_only_its_own_order() {
    let mut sim = quiet_sim(SHFE, 1_000_000);
    sim.ack_loss_prob = 0.5;
    sim.ack_loss_delay_ms = 5_000;
    let mut ex = exchange_with(vec![sim, quiet_sim(LME, 1), quiet_sim(FXV, 1)], 21);
    for id in 0..20 {
        send(
            &mut ex,
            new_order(id, Side::Buy, 1, 1, Tif::Ioc, i64::from(id)),
        );
    }
    let r = drain(&mut ex);
    let late = |x: &ExecReport| x.ts_recv.since(x.ts_exchange) >= 5_000 * NS_PER_MS;
    let acks: Vec<&ExecReport> = r.iter().filter(|x| x.kind == ReportKind::Ack).collect();
    let lost = acks.iter().filter(|x| late(x)).count();
    assert!(lost > 2 && lost < 18, "{lost} of 20 lost");
    // Every on-time ack arrives within the normal latency, even those sent after a lost one.
    assert!(acks
        .iter()
        .filter(|x| !late(x))
        .all(|x| x.ts_recv.since(x.ts_exchange) <= 2 * NS_PER_MS));
    assert_eq!(r.len(), 40, "every order still gets its ack and its done");
}
