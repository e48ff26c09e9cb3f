//! Risk gates on the copper pair (SHFE cu 5 t vs LME 25 t, fixed FX 7.0, report in CNY):
//! position 100 t per leg, naked 50 t for at most 2 s, 10 orders/s, 5,000,000 CNY per ticket.

mod trigger_support;

use crossarb::config::{BaseQty, Leg, Unit};
use crossarb::domain::{Px, Side, TsNs, NS_PER_MS};
use crossarb::receipt::event::Refusal;
use crossarb::trigger::{Breaker, KillSwitch, Proposal, RiskError, RiskGate};
use trigger_support::*;

const T: i64 = Unit::Tonne.base_quanta();

fn gate() -> (RiskGate, KillSwitch) {
    let kill = KillSwitch::new();
    let g = RiskGate::new(&risk(), &copper_pair(), &copper_instruments(), kill.clone()).unwrap();
    (g, kill)
}

/// Sell the spread: sell `nd` cu at 70,310 CNY/t, buy `no` LME at 10,001 USD/t.
fn sell(nd: i64, no: i64) -> Proposal {
    Proposal {
        dom_side: Side::Sell,
        dom_lots: nd,
        ovs_lots: no,
        dom_px: Px(7031),
        ovs_px: Px(20002),
        fx: 7.0,
    }
}

fn buy(nd: i64, no: i64) -> Proposal {
    Proposal {
        dom_side: Side::Buy,
        ..sell(nd, no)
    }
}

fn t0() -> TsNs {
    utc(2025, 1, 6, 2, 0)
}

#[test]
fn a_fresh_gate_accepts_a_balanced_ticket() {
    let (g, _) = gate();
    assert_eq!(g.check_entry(&sell(5, 1), t0()), Ok(()));
}

#[test]
fn kill_switch_refuses_every_ticket_while_engaged() {
    let (mut g, kill) = gate();
    kill.engage();
    assert_eq!(
        g.check_entry(&sell(5, 1), t0()),
        Err((Refusal::KillSwitch, 1, 0))
    );
    assert_eq!(
        g.check_entry(&buy(5, 1), t0()),
        Err((Refusal::KillSwitch, 1, 0))
    );
    assert_eq!(g.poll_kill(), Some(true));
    assert_eq!(g.poll_kill(), None);
    kill.release();
    assert_eq!(g.poll_kill(), Some(false));
    assert_eq!(g.check_entry(&sell(5, 1), t0()), Ok(()));
}

#[test]
fn position_limit_counts_base_quantity_per_leg_and_lets_a_reducing_ticket_through() {
    let (mut g, _) = gate();
    g.on_fill(Leg::Domestic, Side::Sell, 20, 0, t0());
    g.on_fill(Leg::Overseas, Side::Buy, 4, 0, t0());
    assert_eq!(g.position(Leg::Domestic), BaseQty(-100 * T));
    assert_eq!(g.naked(), BaseQty(0));
    assert_eq!(
        g.check_entry(&sell(5, 1), t0()),
        Err((Refusal::PositionLimit, 125 * T, 100 * T))
    );
    assert_eq!(g.check_entry(&buy(5, 1), t0()), Ok(()));
}

#[test]
fn naked_exposure_is_checked_as_if_only_one_leg_filled() {
    let (mut g, _) = gate();
    g.on_fill(Leg::Domestic, Side::Sell, 5, 0, t0());
    assert_eq!(g.naked(), BaseQty(-25 * T));
    assert_eq!(g.check_entry(&sell(5, 1), t0()), Ok(()), "worst case 50 t");
    g.on_fill(Leg::Domestic, Side::Sell, 5, 0, t0());
    assert_eq!(
        g.check_entry(&sell(5, 1), t0()),
        Err((Refusal::NakedExposure, 75 * T, 50 * T))
    );
}

#[test]
fn naked_exposure_standing_too_long_refuses_entries_and_trips_its_breaker() {
    let (mut g, _) = gate();
    g.on_fill(Leg::Domestic, Side::Sell, 1, 0, t0());
    let late = t0().plus_ms(2_001);
    assert_eq!(
        g.check_entry(&buy(1, 1), late),
        Err((Refusal::NakedExposure, 2_001 * NS_PER_MS, 2_000 * NS_PER_MS))
    );
    let trip = g.poll(late, None, None).unwrap();
    assert_eq!(trip.breaker, Breaker::NakedTooLong);
    assert_eq!(g.tripped(), Some(Breaker::NakedTooLong));
}

#[test]
fn the_lot_alignment_residual_is_not_naked_exposure() {
    let (mut g, _) = gate();
    g.on_fill(Leg::Domestic, Side::Sell, 4, 0, t0());
    g.on_fill(Leg::Overseas, Side::Buy, 1, 0, t0());
    assert_eq!(g.naked(), BaseQty(5 * T));
    g.set_residual(BaseQty(5 * T), t0().plus_ms(10));
    assert_eq!(g.naked(), BaseQty(0));
    assert_eq!(g.poll(t0().plus_ms(10_000), None, None), None);
    assert_eq!(g.check_entry(&sell(5, 1), t0().plus_ms(10_000)), Ok(()));
}

#[test]
fn order_rate_counts_both_legs_in_a_sliding_second() {
    let (mut g, _) = gate();
    for _ in 0..8 {
        g.on_order_sent(t0());
    }
    assert_eq!(g.check_entry(&sell(5, 1), t0()), Ok(()), "8 + 2 = 10");
    g.on_order_sent(t0().plus_ms(100));
    assert_eq!(
        g.check_entry(&sell(5, 1), t0().plus_ms(100)),
        Err((Refusal::OrderRate, 11, 10))
    );
    assert_eq!(
        g.check_entry(&sell(5, 1), t0().plus_ms(999)),
        Err((Refusal::OrderRate, 11, 10))
    );
    // At exactly one second the first eight have left the window.
    assert_eq!(g.check_entry(&sell(5, 1), t0().plus_ms(1_000)), Ok(()));
}

#[test]
fn ticket_notional_takes_the_larger_leg_in_the_report_currency() {
    let mut cny = risk();
    cny.position_max = BaseQty(1_000 * T);
    cny.naked_exposure_max = BaseQty(1_000 * T);
    let g = RiskGate::new(
        &cny,
        &copper_pair(),
        &copper_instruments(),
        KillSwitch::new(),
    )
    .unwrap();
    // 20 × 5 t × 70,310 = 7,031,000 CNY; 4 × 25 t × 10,001 × 7 = 7,000,700 CNY.
    assert_eq!(
        g.check_entry(&sell(20, 4), t0()),
        Err((Refusal::Notional, 7_031_000, 5_000_000))
    );
    assert_eq!(g.check_entry(&sell(10, 2), t0()), Ok(()));
    let mut usd = cny;
    usd.report_currency = "USD".into();
    usd.ticket_notional_max = 1_000_000.0;
    let g = RiskGate::new(
        &usd,
        &copper_pair(),
        &copper_instruments(),
        KillSwitch::new(),
    )
    .unwrap();
    // 7,031,000 / 7 = 1,004,428.57 USD → 1,004,429 whole USD.
    assert_eq!(
        g.check_entry(&sell(20, 4), t0()),
        Err((Refusal::Notional, 1_004_429, 1_000_000))
    );
}

#[test]
fn a_report_currency_of_neither_leg_is_refused_at_construction() {
    let mut r = risk();
    r.report_currency = "EUR".into();
    let e =
        RiskGate::new(&r, &copper_pair(), &copper_instruments(), KillSwitch::new()).unwrap_err();
    assert!(matches!(e, RiskError::ReportCurrency { .. }));
    assert!(
        e.to_string().starts_with("risk.report_currency: \"EUR\""),
        "{e}"
    );
}

#[test]
fn a_tripped_breaker_refuses_entries_until_the_operator_resets_it() {
    let (mut g, _) = gate();
    assert_eq!(g.on_reject(), None);
    assert_eq!(g.on_reject(), None);
    let trip = g.on_reject().unwrap();
    assert_eq!(
        (trip.breaker, trip.measured, trip.limit),
        (Breaker::RejectStreak, 3, 3)
    );
    let code = Breaker::RejectStreak as i64;
    assert_eq!(
        g.check_entry(&sell(5, 1), t0()),
        Err((Refusal::Breaker, code, 0))
    );
    g.on_trading_day();
    assert_eq!(
        g.check_entry(&sell(5, 1), t0()),
        Err((Refusal::Breaker, code, 0))
    );
    g.reset_breakers();
    assert_eq!(g.check_entry(&sell(5, 1), t0()), Ok(()));
}

#[test]
fn a_silent_leg_in_session_trips_feed_staleness() {
    let (mut g, _) = gate();
    assert_eq!(g.poll(t0(), Some(t0()), Some(t0())), None);
    g.on_quote_time(Leg::Domestic, t0().plus_ms(3_000));
    g.on_quote_time(Leg::Overseas, t0().plus_ms(1_000));
    assert_eq!(g.poll(t0().plus_ms(6_000), Some(t0()), Some(t0())), None);
    let trip = g.poll(t0().plus_ms(6_001), Some(t0()), Some(t0())).unwrap();
    assert_eq!(
        (trip.breaker, trip.measured),
        (Breaker::FeedStale, 5_001 * NS_PER_MS)
    );
    // Slippage and ack latency feed the same breaker set.
    assert_eq!(
        g.on_ack_latency(51 * NS_PER_MS).map(|t| t.breaker),
        Some(Breaker::AckLatency)
    );
    assert_eq!(
        g.tripped(),
        Some(Breaker::FeedStale),
        "the first trip is reported"
    );
}
