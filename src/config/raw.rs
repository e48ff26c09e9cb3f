//! Raw config: serde structs mirroring the TOML text one to one (`deny_unknown_fields`), every
//! field optional and spanned so that validation can report *every* missing or bad field with
//! its line instead of stopping at the first. Only [`super::validate`] reads these.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

/// A field as written: absent, or its value with the byte span of the value.
pub type S<T> = Option<Spanned<T>>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub venues: S<Vec<Spanned<RawVenue>>>,
    pub instruments: S<Vec<Spanned<RawInstrument>>>,
    pub pair: S<RawPair>,
    pub execution: S<RawExecution>,
    pub risk: S<RawRisk>,
    pub receipts: S<RawReceipts>,
    pub threads: S<RawThreads>,
    pub replay: S<RawReplay>,
    pub live: S<RawLive>,
}

/// `[[venues]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVenue {
    pub name: S<String>,
    pub time_zone: S<String>,
    pub quote_age_ms_max: S<i64>,
    pub gateway: S<String>,
    pub holidays: S<RawHolidays>,
    pub sessions: S<Vec<Spanned<RawSession>>>,
}

/// `holidays = ["2025-01-01", …]` or `holidays = "file.txt"` (one date a line).
#[derive(Debug)]
pub enum RawHolidays {
    /// Dates written inline.
    List(Vec<Spanned<String>>),
    /// A file of dates, relative to the config file's directory.
    File(String),
}

/// One entry of `sessions = [ … ]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSession {
    pub open: S<String>,
    pub close: S<String>,
    pub days: S<RawDays>,
    pub night: S<bool>,
}

/// `days = "mon-fri"` or `days = ["mon", "wed"]`.
#[derive(Debug)]
pub enum RawDays {
    /// A day or a range of days.
    Spec(String),
    /// A list of days.
    List(Vec<String>),
}

/// `[[instruments]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstrument {
    pub symbol: S<String>,
    pub venue: S<String>,
    pub tick_size: S<f64>,
    pub lot_size: S<f64>,
    pub lot_unit: S<String>,
    pub currency: S<String>,
    pub price_unit: S<String>,
}

/// `[pair]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPair {
    pub name: S<String>,
    pub domestic: S<String>,
    pub overseas: S<String>,
    pub form: S<String>,
    pub a: S<f64>,
    pub b: S<f64>,
    pub c: S<f64>,
    pub ratio_tick: S<f64>,
    pub unit_conversion: S<f64>,
    pub vat: S<f64>,
    pub tariff: S<f64>,
    pub costs: S<f64>,
    pub pricing: S<String>,
    pub exit: S<String>,
    pub fx: S<RawFx>,
    pub center_ticks: S<f64>,
    pub entry_band_ticks: S<f64>,
    pub exit_band_ticks: S<f64>,
    pub cooldown_ms: S<i64>,
    pub leg_skew_ms_max: S<i64>,
    pub domestic_size_min_lots: S<i64>,
    pub overseas_size_min_lots: S<i64>,
    pub domestic_lots_max: S<i64>,
    pub overseas_lots_max: S<i64>,
}

/// `fx = 7.1` or `fx = { instrument = "USDCNH", stale_ms_max = 5000 }`.
#[derive(Debug)]
pub enum RawFx {
    /// A fixed rate.
    Fixed(f64),
    /// A live FX instrument.
    Live(RawFxLive),
}

/// The table form of `fx`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFxLive {
    pub instrument: S<String>,
    pub stale_ms_max: S<i64>,
}

/// `[execution]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExecution {
    pub mode: S<String>,
    pub order_style: S<String>,
    pub ack_timeout_ms: S<i64>,
    pub backfill_attempts_max: S<i64>,
    pub backfill_deadline_ms: S<i64>,
    pub rollback_attempts_max: S<i64>,
    pub ticket_deadline_ms: S<i64>,
    pub domestic: S<RawLegExec>,
    pub overseas: S<RawLegExec>,
}

/// `[execution.domestic]` / `[execution.overseas]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLegExec {
    pub slippage_ticks: S<i64>,
    pub backfill_slippage_ticks_max: S<i64>,
    pub rollback_slippage_ticks_max: S<i64>,
    pub orders_per_day_max: S<i64>,
    pub cancels_per_day_max: S<i64>,
}

/// `[risk]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    pub position_max: S<String>,
    pub naked_exposure_max: S<String>,
    pub naked_exposure_ms_max: S<i64>,
    pub orders_per_sec_max: S<i64>,
    pub ticket_notional_max: S<f64>,
    pub report_currency: S<String>,
    pub slippage_ticks_max: S<i64>,
    pub ack_latency_ms_max: S<i64>,
    pub reject_streak_max: S<i64>,
    pub feed_stale_ms_max: S<i64>,
    pub kill_switch_file: S<String>,
}

/// `[receipts]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReceipts {
    pub dir: S<String>,
    pub segment_bytes: S<i64>,
    pub fsync: S<String>,
    pub fsync_batch_records: S<i64>,
}

/// `[threads]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThreads {
    pub domestic_feed: S<RawStage>,
    pub overseas_feed: S<RawStage>,
    pub fx_feed: S<RawStage>,
    pub trigger: S<RawStage>,
    pub executor: S<RawStage>,
    pub gateway: S<RawStage>,
    pub receipts: S<RawStage>,
    pub metrics: S<RawStage>,
}

/// One stage of `[threads]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub core: S<i64>,
    pub idle: S<String>,
    pub sleep_us: S<i64>,
}

/// `[replay]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplay {
    pub seed: S<i64>,
    pub feeds: S<Vec<Spanned<RawFeed>>>,
    pub synth: S<RawSynth>,
    pub sim: S<Vec<Spanned<RawSim>>>,
}

/// One entry of `feeds = [ … ]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeed {
    pub path: S<String>,
    pub time_shift_ms: S<i64>,
}

/// `[replay.synth]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSynth {
    pub seed: S<i64>,
    pub start_date: S<String>,
    pub days: S<i64>,
    pub quotes_per_sec: S<f64>,
    pub overseas_px_start: S<f64>,
    pub fx_start: S<f64>,
}

/// `[[replay.sim]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSim {
    pub venue: S<String>,
    pub feed_latency_us: S<i64>,
    pub feed_jitter_us: S<i64>,
    pub order_latency_us: S<i64>,
    pub order_jitter_us: S<i64>,
    pub reject_prob: S<f64>,
    pub ack_loss_prob: S<f64>,
    pub ack_loss_delay_ms: S<i64>,
    pub disconnects: S<Vec<Spanned<RawWindow>>>,
}

/// `[live]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLive {
    pub speed: S<f64>,
    pub feeds: S<Vec<Spanned<RawLiveFeed>>>,
    pub fix: S<Vec<Spanned<RawLiveFix>>>,
    pub ctp: S<Vec<Spanned<RawLiveCtp>>>,
}

/// One entry of `[[live.feeds]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLiveFeed {
    pub venue: S<String>,
    pub udp: S<String>,
    pub tcp: S<String>,
}

/// One entry of `[[live.fix]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLiveFix {
    pub venue: S<String>,
    pub addr: S<String>,
    pub sender_comp_id: S<String>,
    pub target_comp_id: S<String>,
    pub heart_bt_s: S<i64>,
    pub reconnect_delay_ms: S<i64>,
    pub reset_on_logon: S<bool>,
}

/// One entry of `[[live.ctp]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLiveCtp {
    pub venue: S<String>,
    pub front: S<String>,
    pub broker_id: S<String>,
    pub user_id: S<String>,
    pub password: S<String>,
    pub app_id: S<String>,
    pub auth_code: S<String>,
    pub flow_dir: S<String>,
    pub instruments: S<Vec<Spanned<RawCtpInstrument>>>,
}

/// One entry of `instruments = [ … ]` in `[[live.ctp]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCtpInstrument {
    pub symbol: S<String>,
    pub exchange: S<String>,
}

/// One entry of `disconnects = [ … ]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub start: S<String>,
    pub end: S<String>,
}

// The three "this or that" fields get hand-written visitors rather than `#[serde(untagged)]`:
// untagged buffers the value, which loses the spans of the inner fields and turns a misspelled
// key into "data did not match any variant".

struct HolidaysVisitor;

impl<'de> Visitor<'de> for HolidaysVisitor {
    type Value = RawHolidays;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of dates (\"YYYY-MM-DD\") or the path of a file of dates")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawHolidays, E> {
        Ok(RawHolidays::File(v.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawHolidays, A::Error> {
        let mut dates = Vec::new();
        while let Some(d) = seq.next_element::<Spanned<String>>()? {
            dates.push(d);
        }
        Ok(RawHolidays::List(dates))
    }
}

impl<'de> Deserialize<'de> for RawHolidays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawHolidays, D::Error> {
        d.deserialize_any(HolidaysVisitor)
    }
}

struct DaysVisitor;

impl<'de> Visitor<'de> for DaysVisitor {
    type Value = RawDays;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a day range such as \"mon-fri\" or a list such as [\"mon\", \"wed\"]")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDays, E> {
        Ok(RawDays::Spec(v.to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawDays, A::Error> {
        let mut days = Vec::new();
        while let Some(d) = seq.next_element::<String>()? {
            days.push(d);
        }
        Ok(RawDays::List(days))
    }
}

impl<'de> Deserialize<'de> for RawDays {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawDays, D::Error> {
        d.deserialize_any(DaysVisitor)
    }
}

struct FxVisitor;

impl<'de> Visitor<'de> for FxVisitor {
    type Value = RawFx;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fixed rate (number) or { instrument = \"…\", stale_ms_max = … }")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawFx, E> {
        Ok(RawFx::Fixed(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawFx, E> {
        Ok(RawFx::Fixed(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawFx, E> {
        Ok(RawFx::Fixed(v as f64))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFx, A::Error> {
        RawFxLive::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawFx::Live)
    }
}

impl<'de> Deserialize<'de> for RawFx {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawFx, D::Error> {
        d.deserialize_any(FxVisitor)
    }
}
