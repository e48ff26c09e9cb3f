//! The validated configuration: what every stage is built from. Produced only by
//! [`crate::config::load`] / [`crate::config::parse`], so every value here has passed validation:
//! ids resolve, bands are ordered, limits are positive, units are known. Cold path only.
//!
//! Units are last in names (`quote_age_ms_max`); quantities that move money carry their unit in
//! the type ([`BaseQty`]) or in the name.

use std::path::PathBuf;

use serde::Serialize;

use crate::domain::{InstrumentId, VenueId};

/// The whole validated configuration.
#[derive(Clone, Debug, Serialize)]
pub struct Config {
    /// Where it came from and its hash (written into receipt file headers).
    pub source: Source,
    /// `[[venues]]`, indexed by [`VenueId`].
    pub venues: Vec<Venue>,
    /// `[[instruments]]`, indexed by [`InstrumentId`].
    pub instruments: Vec<Instrument>,
    /// `[pair]`: the two legs and the spread rule.
    pub pair: Pair,
    /// `[execution]`: how tickets are sent and repaired.
    pub execution: Execution,
    /// `[risk]`: pre-trade limits, circuit breakers, kill switch.
    pub risk: Risk,
    /// `[receipts]`: the append-only receipt log.
    pub receipts: Receipts,
    /// `[threads]`: pinning and idle strategy per stage (live engine only).
    pub threads: Threads,
    /// `[replay]`: feeds, seed and the simulated exchange.
    pub replay: Replay,
    /// `[live]`: feed addresses and FIX sessions of `crossarb run` / `crossarb venue-sim`.
    /// Left out of the config hash when absent, so configs without it hash as before.
    #[serde(skip_serializing_if = "Live::is_empty")]
    pub live: Live,
}

/// Provenance of a config.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    /// File it was read from (`<memory>` for strings in tests).
    pub path: PathBuf,
    /// FNV-1a 64 of the canonical JSON of the effective config with `source` blanked and relative
    /// paths as written (so it does not depend on where the file lives); see [`crate::config`].
    pub hash: u64,
}

/// Day-of-week bit mask, Monday = bit 0 … Sunday = bit 6.
pub type Weekdays = u8;

/// A trading venue.
#[derive(Clone, Debug, Serialize)]
pub struct Venue {
    /// Its id (position in the file).
    pub id: VenueId,
    /// Name, e.g. `SHFE`.
    pub name: String,
    /// IANA time zone of its sessions, e.g. `Asia/Shanghai`.
    #[serde(serialize_with = "ser_tz")]
    pub time_zone: chrono_tz::Tz,
    /// Trading sessions in venue local time.
    pub sessions: Vec<Session>,
    /// Dates (venue local) with no trading; a night session that would open on the eve of a
    /// holiday (i.e. whose trading day is a holiday) does not trade either.
    pub holidays: Vec<chrono::NaiveDate>,
    /// A quote older than this (against now) is not usable.
    pub quote_age_ms_max: i64,
    /// Order gateway kind for the live engine.
    pub gateway: GatewayKind,
}

fn ser_tz<S: serde::Serializer>(tz: &chrono_tz::Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

/// One trading session window in venue local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    /// Opening time, seconds after local midnight.
    pub open_s: u32,
    /// Closing time, seconds after local midnight; `close_s <= open_s` means it closes the next
    /// calendar day (a night session crossing midnight).
    pub close_s: u32,
    /// Local weekdays on which the session *opens*.
    pub days: Weekdays,
    /// Night sessions belong to the next trading day.
    pub night: bool,
}

/// Which order gateway a venue uses in the live engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GatewayKind {
    /// The built-in simulated exchange (replay; also the live default for demos).
    Sim,
    /// FIX 4.4.
    Fix,
    /// CTP (SFIT Trader API).
    Ctp,
}

/// Units a lot or a price can be expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// Metric tonne.
    Tonne,
    /// Kilogram.
    Kilogram,
    /// Gram.
    Gram,
    /// Troy ounce, 31.1034768 g.
    TroyOunce,
    /// Avoirdupois pound, 453.59237 g.
    Pound,
    /// Dimensionless (index points × multiplier, contracts): only pairs with itself.
    Unit,
}

impl Unit {
    /// How many [`BaseQty`] quanta one of this unit is (exact integers).
    pub const fn base_quanta(self) -> i64 {
        match self {
            Unit::Tonne => 10_000_000_000_000,
            Unit::Kilogram => 10_000_000_000,
            Unit::Gram => 10_000_000,
            Unit::TroyOunce => 311_034_768,
            Unit::Pound => 4_535_923_700,
            Unit::Unit => 10_000_000,
        }
    }

    /// True when both units measure the same dimension (mass with mass).
    pub const fn same_dimension(self, other: Unit) -> bool {
        matches!(self, Unit::Unit) == matches!(other, Unit::Unit)
    }

    /// Short name as written in config files.
    pub const fn name(self) -> &'static str {
        match self {
            Unit::Tonne => "t",
            Unit::Kilogram => "kg",
            Unit::Gram => "g",
            Unit::TroyOunce => "ozt",
            Unit::Pound => "lb",
            Unit::Unit => "unit",
        }
    }
}

/// A physical quantity in exact integer quanta of 0.1 µg (mass) or 1e-7 unit (dimensionless):
/// every unit of [`Unit`] is a whole number of quanta, so exposure sums never drift.
/// i64 holds ±922,337 t.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BaseQty(pub i64);

/// A tradable instrument.
#[derive(Clone, Debug, Serialize)]
pub struct Instrument {
    /// Its id (position in the file; also its index in capture instrument tables).
    pub id: InstrumentId,
    /// Symbol as feeds name it, e.g. `cu2501`.
    pub symbol: String,
    /// Venue it trades on.
    pub venue: VenueId,
    /// Price increment in `currency` per `price_unit`, e.g. 10 CNY/t.
    pub tick_size: f64,
    /// Decimal digits of `tick_size` (for printing prices exactly).
    pub tick_decimals: u32,
    /// Size of one lot in `lot_unit`, e.g. 5 (t).
    pub lot_size: f64,
    /// Unit of `lot_size`.
    pub lot_unit: Unit,
    /// One lot in base quanta.
    pub lot_base: BaseQty,
    /// ISO currency of prices, e.g. `CNY`.
    pub currency: String,
    /// Unit a price is quoted per, e.g. CNY per `t`.
    pub price_unit: Unit,
}

/// Which of the pair's legs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Leg {
    /// The domestic (Chinese) leg.
    Domestic,
    /// The overseas leg.
    Overseas,
}

/// The traded pair and its spread rule.
#[derive(Clone, Debug, Serialize)]
pub struct Pair {
    /// Name for reports, e.g. `cu-import`.
    pub name: String,
    /// Domestic leg instrument.
    pub domestic: InstrumentId,
    /// Overseas leg instrument.
    pub overseas: InstrumentId,
    /// How the spread is computed.
    pub form: SpreadForm,
    /// Executable prices or mids.
    pub pricing: Pricing,
    /// What the exit band does.
    pub exit: ExitRule,
    /// FX source converting overseas currency into domestic currency.
    pub fx: Fx,
    /// Size of one spread tick in domestic currency per domestic price unit (difference and
    /// parity forms: the domestic tick size; ratio form: `ratio_tick`).
    pub spread_tick: f64,
    /// Fair value of the spread, in spread ticks; bands are measured from it.
    pub center_ticks: f64,
    /// Open when the spread is at least this far from the center (spread ticks).
    pub entry_band_ticks: f64,
    /// Close (or re-arm) when the spread is back within this distance (spread ticks).
    pub exit_band_ticks: f64,
    /// No new ticket sooner than this after the previous one.
    pub cooldown_ms: i64,
    /// Both legs' exchange timestamps within this of each other.
    pub leg_skew_ms_max: i64,
    /// Minimum executable size on the domestic book (lots).
    pub domestic_size_min_lots: i64,
    /// Minimum executable size on the overseas book (lots).
    pub overseas_size_min_lots: i64,
    /// Largest domestic quantity per ticket (lots).
    pub domestic_lots_max: i64,
    /// Largest overseas quantity per ticket (lots).
    pub overseas_lots_max: i64,
}

/// Spread forms (DESIGN.md §3 "Spread"). All are evaluated in `f64` at the edge and turned into
/// integer spread ticks before any decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum SpreadForm {
    /// `a*P_dom − b*P_ovs*fx − c` (c in domestic currency per domestic price unit).
    Difference {
        /// Domestic coefficient.
        a: f64,
        /// Overseas coefficient (includes any unit conversion).
        b: f64,
        /// Constant.
        c: f64,
    },
    /// `P_dom / (P_ovs*fx)`, in units of `ratio_tick`.
    Ratio,
    /// `P_dom − (P_ovs*unit_conversion*fx*(1+vat)*(1+tariff) + costs)`: the import profit.
    ImportParity {
        /// Overseas price unit → domestic price unit (e.g. USD/ozt → per g: 1/31.1034768).
        unit_conversion: f64,
        /// Value-added tax rate, e.g. 0.13.
        vat: f64,
        /// Import tariff rate.
        tariff: f64,
        /// Fixed costs per domestic price unit (freight, insurance, fees), domestic currency.
        costs: f64,
    },
}

/// Which book prices the spread is computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Pricing {
    /// Sell the spread at domestic bid vs overseas ask; buy at domestic ask vs overseas bid.
    Executable,
    /// Mid prices of both books.
    Mid,
}

/// What happens when the spread comes back inside the exit band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ExitRule {
    /// Trade the position back (an exit ticket flattens it).
    Flatten,
    /// Only re-arm the trigger (state back to flat, position kept): the plain threshold
    /// strategy other backtesters run, where each band excursion adds one ticket.
    Rearm,
}

/// FX rate (domestic currency per unit of overseas currency).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Fx {
    /// A fixed rate.
    Fixed(f64),
    /// A live quote stream of an FX instrument (its mid, in its ticks).
    Live {
        /// The FX instrument.
        instrument: InstrumentId,
        /// An FX quote older than this blocks triggering.
        stale_ms_max: i64,
    },
}

/// Order style of each leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OrderStyle {
    /// Immediate-or-cancel at the limit price.
    Ioc,
    /// A resting limit order, cancelled at the leg deadline.
    Limit,
}

/// How the two legs of a ticket are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ExecMode {
    /// Both legs in the same step.
    Concurrent,
    /// The less liquid leg first (the one with the smaller displayed size relative to its
    /// need), the other on its fill.
    LeadLag,
}

/// Per-leg execution parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LegExec {
    /// Limit price = trigger price ± this many ticks.
    pub slippage_ticks: i64,
    /// A backfill may re-price up to this many ticks beyond the trigger price.
    pub backfill_slippage_ticks_max: i64,
    /// A rollback may give up to this many ticks to unwind a fill.
    pub rollback_slippage_ticks_max: i64,
    /// New orders per trading day on this instrument.
    pub orders_per_day_max: u32,
    /// Cancels per trading day on this instrument (Chinese exchanges penalise excess).
    pub cancels_per_day_max: u32,
}

/// `[execution]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Execution {
    /// Concurrent or lead/lag.
    pub mode: ExecMode,
    /// IOC or limit.
    pub order_style: OrderStyle,
    /// Domestic leg parameters.
    pub domestic: LegExec,
    /// Overseas leg parameters.
    pub overseas: LegExec,
    /// No acknowledgement within this → the leg is "in flight, possibly filled".
    pub ack_timeout_ms: i64,
    /// Re-price attempts for a missing leg.
    pub backfill_attempts_max: u32,
    /// Backfilling stops this long after the ticket opened; rollback follows.
    pub backfill_deadline_ms: i64,
    /// Unwind attempts before the ticket is flagged for a human.
    pub rollback_attempts_max: u32,
    /// A ticket must be balanced or rolled back within this.
    pub ticket_deadline_ms: i64,
}

/// `[risk]`.
#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    /// Largest absolute position per leg, in base quanta.
    pub position_max: BaseQty,
    /// Largest naked (unhedged) exposure, in base quanta.
    pub naked_exposure_max: BaseQty,
    /// Longest time any naked exposure may stand.
    pub naked_exposure_ms_max: i64,
    /// New orders per second, both legs together.
    pub orders_per_sec_max: u32,
    /// Largest notional of one ticket, in `report_currency`.
    pub ticket_notional_max: f64,
    /// Breaker: cumulative realised slippage (ticks, both legs) per trading day.
    pub slippage_ticks_max: i64,
    /// Breaker: an acknowledgement slower than this trips.
    pub ack_latency_ms_max: i64,
    /// Breaker: this many rejects in a row trips.
    pub reject_streak_max: u32,
    /// Breaker: no quote on a leg for this long (in session) trips.
    pub feed_stale_ms_max: i64,
    /// Kill switch file: while it exists, no new tickets.
    pub kill_switch_file: Option<PathBuf>,
    /// Currency PnL and notional are reported in.
    pub report_currency: String,
}

/// When the receipt writer calls fsync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FsyncPolicy {
    /// After every record.
    Every,
    /// Group commit: every `n` records the writer hands the batch to the OS and its sync thread
    /// fsyncs everything written so far without making the writer wait; a record is durable
    /// once the writer's durable watermark reaches it. The writer waits only when it runs
    /// `receipt::writer::SYNC_LAG_BYTES_MAX` (8 MiB) of records ahead of that watermark, at a
    /// segment roll, and when the log is closed (which returns with every record durable). When
    /// its ring drains the receipt stage asks for the tail to be synced too, without waiting.
    Batch(u32),
    /// Never (the OS flushes); fastest, loses the page cache on power loss.
    Never,
}

/// `[receipts]`.
#[derive(Clone, Debug, Serialize)]
pub struct Receipts {
    /// Directory of segment files.
    pub dir: PathBuf,
    /// A segment is closed and a new one started past this size.
    pub segment_bytes: u64,
    /// fsync policy.
    pub fsync: FsyncPolicy,
}

/// Idle strategy of a stage with nothing to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Idle {
    /// Spin on the CPU (lowest latency, burns the core).
    BusySpin,
    /// Spin, then yield, then park briefly.
    Backoff,
    /// Sleep this many microseconds.
    SleepUs(u32),
}

/// Placement of one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StageThread {
    /// Core to pin to; `None` = not pinned.
    pub core: Option<usize>,
    /// Idle strategy.
    pub idle: Idle,
}

/// `[threads]`: one entry per stage (live engine). Stages with the same core share a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Threads {
    /// Domestic feed handler.
    pub domestic_feed: StageThread,
    /// Overseas feed handler.
    pub overseas_feed: StageThread,
    /// FX feed handler.
    pub fx_feed: StageThread,
    /// Aligner + trigger + risk.
    pub trigger: StageThread,
    /// Two-leg executor.
    pub executor: StageThread,
    /// Gateway socket I/O.
    pub gateway: StageThread,
    /// Receipt writer.
    pub receipts: StageThread,
    /// Metrics (cold).
    pub metrics: StageThread,
}

/// One captured feed file to replay.
#[derive(Clone, Debug, Serialize)]
pub struct Feed {
    /// Capture file path (relative paths are relative to the config file).
    pub path: PathBuf,
    /// Added to every timestamp of the file (pairing files from different days).
    pub time_shift_ns: i64,
}

/// Latency distribution: fixed + uniform jitter in `[0, jitter]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Fixed part, ns.
    pub fixed_ns: i64,
    /// Jitter bound, ns.
    pub jitter_ns: i64,
}

/// A window in which a simulated venue is disconnected (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start, UTC ns.
    pub start_ns: i64,
    /// End (exclusive), UTC ns.
    pub end_ns: i64,
}

/// The simulated exchange's behaviour for one venue.
#[derive(Clone, Debug, Serialize)]
pub struct SimVenue {
    /// Venue it simulates.
    pub venue: VenueId,
    /// Exchange → engine quote latency.
    pub feed_latency: Latency,
    /// Engine → exchange order latency (acks and fills come back with the same distribution).
    pub order_latency: Latency,
    /// Probability an order is rejected.
    pub reject_prob: f64,
    /// Probability an acknowledgement (and its fills) is delayed past the ack timeout.
    pub ack_loss_prob: f64,
    /// How long a lost acknowledgement (and every later report of that order) is delayed on top
    /// of the report latency; set it well above `execution.ack_timeout_ms` so the timeout fires.
    pub ack_loss_delay_ms: i64,
    /// Disconnect windows: orders arriving inside are rejected, reports are held until the end.
    pub disconnects: Vec<Window>,
}

impl SimVenue {
    /// The simulated exchange of a venue without a `[[replay.sim]]` entry: instant and perfect
    /// (no latency, no rejects, no lost acknowledgements, no disconnects).
    pub fn perfect(venue: VenueId) -> SimVenue {
        let zero = Latency {
            fixed_ns: 0,
            jitter_ns: 0,
        };
        SimVenue {
            venue,
            feed_latency: zero,
            order_latency: zero,
            reject_prob: 0.0,
            ack_loss_prob: 0.0,
            ack_loss_delay_ms: 0,
            disconnects: Vec::new(),
        }
    }
}

/// `[replay]`.
#[derive(Clone, Debug, Serialize)]
pub struct Replay {
    /// Capture files merged by timestamp.
    pub feeds: Vec<Feed>,
    /// Seed of the simulated exchange.
    pub seed: u64,
    /// One entry per venue, indexed by [`VenueId`].
    pub sim: Vec<SimVenue>,
    /// Generate a seeded synthetic feed instead of reading captures (used when `feeds` is empty
    /// and no `--feed` is given): lets the example config run on a fresh clone.
    pub synth: Option<Synth>,
}

/// `[replay.synth]`: a seeded synthetic pair feed (see `crossarb synth`).
#[derive(Clone, Debug, Serialize)]
pub struct Synth {
    /// Seed of the generator (independent of the exchange seed).
    pub seed: u64,
    /// First trading day generated (domestic venue's calendar).
    pub start_date: chrono::NaiveDate,
    /// Number of trading days.
    pub days: u32,
    /// Mean quotes per second per instrument while in session.
    pub quotes_per_sec: f64,
    /// Overseas leg price at the start, in its currency per its price unit (e.g. 9500 USD/t for
    /// LME copper); the common fundamental walks from here.
    pub overseas_px_start: f64,
    /// FX rate at the start (domestic currency per overseas currency, e.g. 7.2); required when
    /// the pair's FX is live, unused when it is fixed.
    pub fx_start: Option<f64>,
}

/// `[live]`: where the live engine listens for feeds and which FIX sessions it opens; the venue
/// simulator serves the same addresses.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Live {
    /// Pace of `crossarb venue-sim` (× recorded pace; `--speed` overrides).
    pub speed: f64,
    /// One quote feed per venue at most.
    pub feeds: Vec<LiveFeed>,
    /// One FIX session per venue with `gateway = "fix"`.
    pub fix: Vec<LiveFix>,
    /// One CTP session per venue with `gateway = "ctp"`. Left out of the canonical JSON when
    /// empty, so configs written before `[[live.ctp]]` existed keep their hash.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ctp: Vec<LiveCtp>,
}

impl Live {
    /// True when the config has no `[live]` section.
    pub fn is_empty(&self) -> bool {
        self.feeds.is_empty() && self.fix.is_empty() && self.ctp.is_empty() && self.speed == 0.0
    }
}

/// `[[live.ctp]]`: a CTP trader session (SFIT Trader API) for one venue. Credentials are kept
/// as written — a literal or `env:NAME` (password and auth code: `env:NAME` only) — and resolved
/// by `crossarb run` at start-up, so the config (hashed into receipts, printed by
/// `config show`) never holds a secret.
#[derive(Clone, Debug, Serialize)]
pub struct LiveCtp {
    /// The venue it trades.
    pub venue: VenueId,
    /// Trading front (`tcp://host:port`), from the broker.
    pub front: String,
    /// BrokerID, literal or `env:NAME`.
    pub broker_id: String,
    /// UserID (investor account), literal or `env:NAME`.
    pub user_id: String,
    /// Password: `env:NAME`.
    pub password: String,
    /// AppID registered with the broker for terminal authentication, literal or `env:NAME`.
    pub app_id: String,
    /// AuthCode that goes with the AppID: `env:NAME`.
    pub auth_code: String,
    /// Directory for the API's flow files (relative to the config file; created at start-up).
    pub flow_dir: PathBuf,
    /// CTP ExchangeID of every instrument of the venue.
    pub instruments: Vec<CtpInstrumentExchange>,
}

/// An instrument's CTP exchange (`instruments = [{ symbol = "au2506", exchange = "SHFE" }]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CtpInstrumentExchange {
    /// The `[[instruments]]` entry.
    pub instrument: InstrumentId,
    /// CTP ExchangeID: SHFE, INE, DCE, CZCE, CFFEX or GFEX.
    pub exchange: String,
}

/// How a live feed arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FeedTransport {
    /// Datagrams to this address (the engine binds it).
    Udp(std::net::SocketAddr),
    /// A length-prefixed stream: the engine listens on this address, the sender connects.
    Tcp(std::net::SocketAddr),
}

/// `[[live.feeds]]`: the quotes of every instrument of one venue.
#[derive(Clone, Debug, Serialize)]
pub struct LiveFeed {
    /// The venue whose quotes arrive here.
    pub venue: VenueId,
    /// Transport and address.
    pub transport: FeedTransport,
}

/// `[[live.fix]]`: a FIX 4.4 initiator session for one venue.
#[derive(Clone, Debug, Serialize)]
pub struct LiveFix {
    /// The venue it trades.
    pub venue: VenueId,
    /// Acceptor address (host:port, an IP address).
    pub addr: std::net::SocketAddr,
    /// SenderCompID (49) we send.
    pub sender_comp_id: String,
    /// TargetCompID (56) we send.
    pub target_comp_id: String,
    /// HeartBtInt (108), seconds.
    pub heart_bt_s: u32,
    /// First reconnect delay; doubles per failed attempt up to 5 s.
    pub reconnect_delay_ms: i64,
    /// Send ResetSeqNumFlag at logon (both sides restart at 1).
    pub reset_on_logon: bool,
}
