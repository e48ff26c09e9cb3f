//! A SHFE copper / LME copper pair config built directly in Rust (the TOML parser is built
//! elsewhere), plus a fixed-UTC session calendar for January (no DST in London or Shanghai then).
//! Contract specs: SHFE cu 5 t/lot, tick 10 CNY/t; LME copper 25 t/lot, tick 0.5 USD/t; USD/CNH
//! tick 0.0001. Sessions: SHFE day 09:00–10:15, 10:30–11:30, 13:30–15:00 and night 21:00–01:00
//! Beijing (UTC+8); LME 01:00–19:00 London; CNH around the clock on weekdays.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};
use crossarb::config::*;
use crossarb::domain::{InstrumentId, TsNs, VenueId, NS_PER_SEC};

pub const SHFE: VenueId = VenueId(0);
pub const LME: VenueId = VenueId(1);
pub const FXV: VenueId = VenueId(2);
pub const CU: InstrumentId = InstrumentId(0);
pub const LMCU: InstrumentId = InstrumentId(1);
pub const USDCNH: InstrumentId = InstrumentId(2);

const MON_FRI: Weekdays = 0b001_1111;

fn venue(id: u16, name: &str, tz: chrono_tz::Tz, sessions: Vec<Session>, gw: GatewayKind) -> Venue {
    Venue {
        id: VenueId(id),
        name: name.into(),
        time_zone: tz,
        sessions,
        holidays: vec![],
        quote_age_ms_max: 3_000,
        gateway: gw,
    }
}

fn session(open_h: u32, open_m: u32, close_h: u32, close_m: u32, night: bool) -> Session {
    Session {
        open_s: open_h * 3600 + open_m * 60,
        close_s: close_h * 3600 + close_m * 60,
        days: MON_FRI,
        night,
    }
}

#[allow(clippy::too_many_arguments)]
fn instrument(
    id: u16,
    sym: &str,
    venue: VenueId,
    tick: f64,
    dec: u32,
    lot: f64,
    unit: Unit,
    ccy: &str,
) -> Instrument {
    Instrument {
        id: InstrumentId(id),
        symbol: sym.into(),
        venue,
        tick_size: tick,
        tick_decimals: dec,
        lot_size: lot,
        lot_unit: unit,
        lot_base: BaseQty((lot * unit.base_quanta() as f64) as i64),
        currency: ccy.into(),
        price_unit: unit,
    }
}

fn leg_exec() -> LegExec {
    LegExec {
        slippage_ticks: 2,
        backfill_slippage_ticks_max: 6,
        rollback_slippage_ticks_max: 10,
        orders_per_day_max: 2_000,
        cancels_per_day_max: 400,
    }
}

fn stage() -> StageThread {
    StageThread {
        core: None,
        idle: Idle::Backoff,
    }
}

/// Per-venue simulated exchange settings with no injected faults.
pub fn quiet_sim(venue: VenueId, order_fixed_ns: i64) -> SimVenue {
    SimVenue {
        venue,
        feed_latency: Latency {
            fixed_ns: 200_000,
            jitter_ns: 50_000,
        },
        order_latency: Latency {
            fixed_ns: order_fixed_ns,
            jitter_ns: order_fixed_ns / 10,
        },
        reject_prob: 0.0,
        ack_loss_prob: 0.0,
        ack_loss_delay_ms: 5_000,
        disconnects: vec![],
    }
}

/// The SHFE cu / LME copper import-parity pair with a live USD/CNH rate.
pub fn cu_lme() -> Config {
    let venues = vec![
        venue(
            0,
            "SHFE",
            chrono_tz::Asia::Shanghai,
            vec![
                session(21, 0, 1, 0, true),
                session(9, 0, 10, 15, false),
                session(10, 30, 11, 30, false),
                session(13, 30, 15, 0, false),
            ],
            GatewayKind::Ctp,
        ),
        venue(
            1,
            "LME",
            chrono_tz::Europe::London,
            vec![session(1, 0, 19, 0, false)],
            GatewayKind::Fix,
        ),
        venue(
            2,
            "CNH",
            chrono_tz::UTC,
            vec![session(0, 0, 0, 0, false)],
            GatewayKind::Sim,
        ),
    ];
    let instruments = vec![
        instrument(0, "cu2503", SHFE, 10.0, 0, 5.0, Unit::Tonne, "CNY"),
        instrument(1, "CA-3M", LME, 0.5, 1, 25.0, Unit::Tonne, "USD"),
        instrument(2, "USDCNH", FXV, 0.0001, 4, 1.0, Unit::Unit, "CNY"),
    ];
    let pair = Pair {
        name: "cu-import".into(),
        domestic: CU,
        overseas: LMCU,
        form: SpreadForm::ImportParity {
            unit_conversion: 1.0,
            vat: 0.13,
            tariff: 0.0,
            costs: 150.0,
        },
        pricing: Pricing::Executable,
        exit: crossarb::config::ExitRule::Flatten,
        fx: Fx::Live {
            instrument: USDCNH,
            stale_ms_max: 5_000,
        },
        spread_tick: 10.0,
        center_ticks: -40.0,
        entry_band_ticks: 30.0,
        exit_band_ticks: 8.0,
        cooldown_ms: 2_000,
        leg_skew_ms_max: 500,
        domestic_size_min_lots: 5,
        overseas_size_min_lots: 1,
        domestic_lots_max: 50,
        overseas_lots_max: 10,
    };
    let execution = Execution {
        mode: ExecMode::Concurrent,
        order_style: OrderStyle::Ioc,
        domestic: leg_exec(),
        overseas: leg_exec(),
        ack_timeout_ms: 1_000,
        backfill_attempts_max: 3,
        backfill_deadline_ms: 5_000,
        rollback_attempts_max: 5,
        ticket_deadline_ms: 30_000,
    };
    let risk = Risk {
        position_max: BaseQty(500 * Unit::Tonne.base_quanta()),
        naked_exposure_max: BaseQty(50 * Unit::Tonne.base_quanta()),
        naked_exposure_ms_max: 10_000,
        orders_per_sec_max: 20,
        ticket_notional_max: 5_000_000.0,
        slippage_ticks_max: 200,
        ack_latency_ms_max: 500,
        reject_streak_max: 5,
        feed_stale_ms_max: 5_000,
        kill_switch_file: None,
        report_currency: "CNY".into(),
    };
    let replay = Replay {
        feeds: vec![],
        seed: 42,
        sim: vec![
            quiet_sim(SHFE, 1_000_000),
            quiet_sim(LME, 120_000_000),
            quiet_sim(FXV, 1_000_000),
        ],
        synth: Some(Synth {
            seed: 7,
            start_date: NaiveDate::from_ymd_opt(2025, 1, 6).expect("valid date"),
            days: 2,
            quotes_per_sec: 1.0,
            overseas_px_start: 9_500.0,
            fx_start: Some(7.30),
        }),
    };
    Config {
        source: Source {
            path: PathBuf::from("<memory>"),
            hash: 0,
        },
        venues,
        instruments,
        pair,
        execution,
        risk,
        receipts: Receipts {
            dir: PathBuf::from("receipts"),
            segment_bytes: 64 << 20,
            fsync: FsyncPolicy::Batch(64),
        },
        threads: Threads {
            domestic_feed: stage(),
            overseas_feed: stage(),
            fx_feed: stage(),
            trigger: stage(),
            executor: stage(),
            gateway: stage(),
            receipts: stage(),
            metrics: stage(),
        },
        replay,
        live: Default::default(),
    }
}

/// Session calendar for January dates, in fixed UTC windows (SHFE UTC+8, London = UTC).
pub fn january_is_open(venue: VenueId, t: TsNs) -> bool {
    let secs = t.0.div_euclid(NS_PER_SEC);
    let Some(dt) = chrono::DateTime::from_timestamp(secs, 0) else {
        return false;
    };
    let weekday_ok = !matches!(dt.weekday(), Weekday::Sat | Weekday::Sun);
    let s = secs.rem_euclid(86_400);
    let within = |a: i64, b: i64| (a * 60..b * 60).contains(&s);
    weekday_ok
        && match venue {
            SHFE => within(60, 135) || within(150, 210) || within(330, 420) || within(780, 1020),
            LME => within(60, 1140),
            FXV => true,
            _ => false,
        }
}
