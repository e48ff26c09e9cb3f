//! Test constructors for the trigger stages: venues, instruments, pairs and risk limits built
//! directly in Rust (the values are the usual contract specs of DESIGN.md §1).
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use crossarb::config::{
    BaseQty, Fx, GatewayKind, Instrument, Pair, Pricing, Risk, Session, SpreadForm, Unit, Venue,
};
use crossarb::domain::{InstrumentId, Px, Qty, Quote, TsNs, VenueId, NS_PER_SEC};

pub const MON: u8 = 1;
pub const TUE: u8 = 2;
pub const WED: u8 = 4;
pub const THU: u8 = 8;
pub const FRI: u8 = 16;
pub const SAT: u8 = 32;
pub const SUN: u8 = 64;
pub const WEEKDAYS: u8 = MON | TUE | WED | THU | FRI;

pub fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

pub fn session(open: u32, close: u32, days: u8, night: bool) -> Session {
    Session {
        open_s: open,
        close_s: close,
        days,
        night,
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A local wall-clock time in `tz` as UTC ns (unambiguous times only).
pub fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> TsNs {
    let t = tz.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap();
    TsNs(t.timestamp() * NS_PER_SEC)
}

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> TsNs {
    at(Tz::UTC, y, mo, d, h, mi)
}

pub fn venue(
    id: u16,
    name: &str,
    tz: Tz,
    sessions: Vec<Session>,
    holidays: Vec<NaiveDate>,
) -> Venue {
    Venue {
        id: VenueId(id),
        name: name.into(),
        time_zone: tz,
        sessions,
        holidays,
        quote_age_ms_max: 500,
        gateway: GatewayKind::Sim,
    }
}

/// SHFE with the day session and a night session closing at `night_close` (01:00 or 02:30).
pub fn shfe(id: u16, night_close: u32, holidays: Vec<NaiveDate>) -> Venue {
    let tz: Tz = "Asia/Shanghai".parse().unwrap();
    let sessions = vec![
        session(hm(9, 0), hm(10, 15), WEEKDAYS, false),
        session(hm(10, 30), hm(11, 30), WEEKDAYS, false),
        session(hm(13, 30), hm(15, 0), WEEKDAYS, false),
        session(hm(21, 0), night_close, WEEKDAYS, true),
    ];
    venue(id, "SHFE", tz, sessions, holidays)
}

/// CME Globex 18:00–17:00 New York, opening Sunday to Thursday, trading for the next day.
pub fn cme(id: u16) -> Venue {
    let tz: Tz = "America/New_York".parse().unwrap();
    let days = SUN | MON | TUE | WED | THU;
    venue(
        id,
        "CME",
        tz,
        vec![session(hm(18, 0), hm(17, 0), days, true)],
        vec![],
    )
}

/// LME 01:00–19:00 London, Monday to Friday.
pub fn lme(id: u16) -> Venue {
    let tz: Tz = "Europe/London".parse().unwrap();
    venue(
        id,
        "LME",
        tz,
        vec![session(hm(1, 0), hm(19, 0), WEEKDAYS, false)],
        vec![],
    )
}

/// A venue open around the clock (FX).
pub fn always_open(id: u16) -> Venue {
    let all = WEEKDAYS | SAT | SUN;
    venue(id, "FX", Tz::UTC, vec![session(0, 0, all, false)], vec![])
}

pub fn instrument(
    id: u16,
    symbol: &str,
    venue: u16,
    tick: f64,
    lot: (f64, Unit),
    currency: &str,
    price_unit: Unit,
) -> Instrument {
    Instrument {
        id: InstrumentId(id),
        symbol: symbol.into(),
        venue: VenueId(venue),
        tick_size: tick,
        tick_decimals: 2,
        lot_size: lot.0,
        lot_unit: lot.1,
        lot_base: BaseQty((lot.0 * lot.1.base_quanta() as f64).round() as i64),
        currency: currency.into(),
        price_unit,
    }
}

/// Copper: SHFE cu (id 0, venue 0) vs LME copper (id 1, venue 1), plus USDCNH (id 2, venue 2).
pub fn copper_instruments() -> Vec<Instrument> {
    vec![
        instrument(0, "cu2501", 0, 10.0, (5.0, Unit::Tonne), "CNY", Unit::Tonne),
        instrument(1, "CA3M", 1, 0.5, (25.0, Unit::Tonne), "USD", Unit::Tonne),
        instrument(2, "USDCNH", 2, 0.0001, (1.0, Unit::Unit), "CNY", Unit::Unit),
    ]
}

/// Difference spread `P_dom − P_ovs·fx` in 10 CNY ticks, fixed FX 7.0, centre 0, entry ±30,
/// exit ±10 spread ticks.
pub fn copper_pair() -> Pair {
    Pair {
        name: "cu-import".into(),
        domestic: InstrumentId(0),
        overseas: InstrumentId(1),
        form: SpreadForm::Difference {
            a: 1.0,
            b: 1.0,
            c: 0.0,
        },
        pricing: Pricing::Executable,
        exit: crossarb::config::ExitRule::Flatten,
        fx: Fx::Fixed(7.0),
        spread_tick: 10.0,
        center_ticks: 0.0,
        entry_band_ticks: 30.0,
        exit_band_ticks: 10.0,
        cooldown_ms: 100,
        leg_skew_ms_max: 200,
        domestic_size_min_lots: 5,
        overseas_size_min_lots: 1,
        domestic_lots_max: 10,
        overseas_lots_max: 2,
    }
}

pub fn risk() -> Risk {
    Risk {
        position_max: BaseQty(100 * Unit::Tonne.base_quanta()),
        naked_exposure_max: BaseQty(50 * Unit::Tonne.base_quanta()),
        naked_exposure_ms_max: 2_000,
        orders_per_sec_max: 10,
        ticket_notional_max: 5_000_000.0,
        slippage_ticks_max: 20,
        ack_latency_ms_max: 50,
        reject_streak_max: 3,
        feed_stale_ms_max: 5_000,
        kill_switch_file: None,
        report_currency: "CNY".into(),
    }
}

/// A two-sided quote.
pub fn quote(
    instrument: u16,
    venue: u16,
    t: TsNs,
    seq: u64,
    bid: i64,
    ask: i64,
    qty: i64,
) -> Quote {
    Quote {
        ts_exchange: t,
        ts_recv: t,
        seq,
        bid_px: Px(bid),
        ask_px: Px(ask),
        bid_qty: Qty(qty),
        ask_qty: Qty(qty),
        venue: VenueId(venue),
        instrument: InstrumentId(instrument),
        flags: 0,
    }
}
