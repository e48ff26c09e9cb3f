//! A seeded synthetic feed for a configured pair (e.g. SHFE cu / LME copper): top-of-book quotes
//! for both legs and, when the pair's FX is live, the FX instrument, so that replay, tests and
//! the example config run without captured data. Cold path: builds one `Vec<Quote>` up front.
//!
//! Model (all parameters below are documented constants, the rest comes from the config):
//! * A common fundamental: the overseas price walks from `synth.overseas_px_start` with
//!   [`DAILY_VOL`] (geometric, Euler step); a live FX rate walks from `synth.fx_start`.
//! * The domestic price is solved from the pair's own spread formula so that the mid spread equals
//!   `center_ticks` + mean-reverting noise (sd [`NOISE_SD_BANDS`] × entry band, relaxation time
//!   [`NOISE_RELAX_S`]) + **dislocations**: steps of ±[1.5, 3] entry bands lasting 5 s – 3 min,
//!   one every [`DISLOCATION_MEAN_INTERVAL_S`] on average.
//! * Books: 1–3 ticks wide, tens of lots, sometimes thin (1–2 lots); quotes arrive at
//!   `synth.quotes_per_sec` per instrument on average, only while `is_open(venue, t)` says the
//!   venue trades; per-instrument `seq` with occasional skipped numbers (**gaps**); the overseas
//!   leg sometimes goes silent for 5–30 s (**stale periods**).
//! * `ts_exchange` is the event time; `ts_recv` adds that venue's `replay.sim` feed latency
//!   (drawn from its own stream). The output is sorted by `ts_recv`.
//!
//! Dates: `synth.days` UTC calendar days on which the domestic venue opens at least once,
//! starting at `synth.start_date` (00:00 UTC); other days in between yield only what is open.
//! Deterministic: the same config, seed and calendar give the same quotes bit for bit on every
//! platform (only `+ − × ÷ sqrt round`, no libm transcendental).

use crate::config::{Config, Fx, Latency, SpreadForm, Synth};
use crate::domain::{InstrumentId, Px, Qty, Quote, QuoteFlags, TsNs, VenueId, NS_PER_SEC};

use super::rng::{Purpose, Rng};

/// Daily volatility of the overseas price (LME copper: about 1.5 %/day, 24 %/yr).
pub const DAILY_VOL: f64 = 0.015;
/// Daily volatility of a live FX rate (USD/CNH: about 0.3 %/day).
pub const FX_DAILY_VOL: f64 = 0.003;
/// Spread noise standard deviation, in entry bands (0.25: the noise alone crosses the band at
/// 4 sd, so nearly every excursion past the band is a dislocation).
pub const NOISE_SD_BANDS: f64 = 0.25;
/// Relaxation time of the spread noise (seconds).
pub const NOISE_RELAX_S: f64 = 120.0;
/// Mean time between dislocation starts (seconds, open or not: ~12 a day fall in SHFE hours).
pub const DISLOCATION_MEAN_INTERVAL_S: f64 = 2_700.0;
/// Mean time between overseas stale periods (seconds of overseas trading).
pub const STALE_MEAN_INTERVAL_S: f64 = 3_600.0;
/// Probability that a quote's sequence number skips one (a gap).
pub const GAP_PROB: f64 = 1.0 / 4_000.0;
/// Probability that a book side shows only 1–2 lots.
pub const THIN_BOOK_PROB: f64 = 0.03;

const SECS_PER_DAY: f64 = 86_400.0;
/// Calendar days searched for the requested trading days, per trading day (holiday weeks).
const CALENDAR_DAYS_PER_TRADING_DAY_MAX: u32 = 4;

/// Why a synthetic feed cannot be generated from this config.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    /// A field has a value the generator cannot use.
    #[error("replay.synth.{field}: {expected}")]
    Field {
        /// Field under `replay.synth`.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
    },
    /// A venue quoted by the generator has no simulated-venue entry (its feed latency).
    #[error("replay.sim: no entry for venue {0} (needed for its feed latency)")]
    NoSimVenue(u16),
    /// The pair's formula gives a non-positive domestic price at the start.
    #[error("replay.synth.overseas_px_start: the pair's spread formula gives a domestic price of {0} at the start; expected > 0")]
    DomesticPrice(f64),
}

/// One generated instrument stream.
#[derive(Debug)]
struct Stream {
    instrument: InstrumentId,
    venue: VenueId,
    tick: f64,
    flags: u32,
    feed: Latency,
    rng: Rng,
    recv_rng: Rng,
    next: i64,
    seq: u64,
    stale_until: i64,
    can_go_stale: bool,
}

/// The latent processes shared by the streams.
#[derive(Debug)]
struct Latent {
    t: i64,
    ovs_px: f64,
    fx: f64,
    fx_live: bool,
    noise: f64,
    noise_sd: f64,
    band: f64,
    disl: f64,
    disl_until: i64,
    fund_rng: Rng,
    fx_rng: Rng,
    spread_rng: Rng,
}

impl Latent {
    /// Moves every latent process forward to `t`.
    fn advance(&mut self, t: i64) {
        let dt = (t - self.t) as f64 / NS_PER_SEC as f64;
        if dt <= 0.0 {
            return;
        }
        self.t = t;
        let sq = (dt / SECS_PER_DAY).sqrt();
        self.ovs_px += self.ovs_px * DAILY_VOL * sq * self.fund_rng.std_normal();
        if self.fx_live {
            self.fx += self.fx * FX_DAILY_VOL * sq * self.fx_rng.std_normal();
        }
        let z = self.spread_rng.std_normal();
        self.noise = if dt >= NOISE_RELAX_S {
            self.noise_sd * z
        } else {
            self.noise * (1.0 - dt / NOISE_RELAX_S)
                + self.noise_sd * (2.0 * dt / NOISE_RELAX_S).sqrt() * z
        };
        let starts = self.spread_rng.chance(dt / DISLOCATION_MEAN_INTERVAL_S);
        let (u_size, u_sign, u_len) = (
            self.spread_rng.uniform_f64(),
            self.spread_rng.chance(0.5),
            self.spread_rng.uniform_f64(),
        );
        if t >= self.disl_until {
            self.disl = 0.0;
            if starts {
                let size = self.band * (1.5 + 1.5 * u_size);
                self.disl = if u_sign { size } else { -size };
                self.disl_until = t + ((5.0 + 175.0 * u_len) * NS_PER_SEC as f64) as i64;
            }
        }
    }
}

/// Generates the pair's quotes; see the module doc. `is_open(venue, t)` is the session calendar.
pub fn generate(
    cfg: &Config,
    synth: &Synth,
    is_open: &mut dyn FnMut(VenueId, TsNs) -> bool,
) -> Result<Vec<Quote>, SynthError> {
    check(synth)?;
    let pair = &cfg.pair;
    let (fx0, fx_ins) = match pair.fx {
        Fx::Fixed(rate) => (rate, None),
        Fx::Live { instrument, .. } => (
            synth.fx_start.ok_or(SynthError::Field {
                field: "fx_start",
                expected: "a positive FX rate (required when the pair's FX is live)",
            })?,
            Some(instrument),
        ),
    };
    if !(fx0 > 0.0 && fx0.is_finite()) {
        return Err(SynthError::Field {
            field: "fx_start",
            expected: "a positive FX rate",
        });
    }
    let mut streams = Vec::with_capacity(3);
    for (ins, flags, stale) in [(pair.domestic, 0, false), (pair.overseas, 0, true)]
        .into_iter()
        .chain(fx_ins.map(|i| (i, QuoteFlags::FX, false)))
    {
        let def = &cfg.instruments[ins.idx()];
        let feed = cfg
            .replay
            .sim
            .get(def.venue.idx())
            .ok_or(SynthError::NoSimVenue(def.venue.0))?
            .feed_latency;
        streams.push(Stream {
            instrument: ins,
            venue: def.venue,
            tick: def.tick_size,
            flags,
            feed,
            rng: Rng::stream(synth.seed, Purpose::SynthBook, u64::from(ins.0)),
            recv_rng: Rng::stream(synth.seed, Purpose::SynthRecv, u64::from(ins.0)),
            next: 0,
            seq: 0,
            stale_until: i64::MIN,
            can_go_stale: stale,
        });
    }
    let (start, end) = date_range(cfg, synth, is_open);
    let mut latent = Latent {
        t: start,
        ovs_px: synth.overseas_px_start,
        fx: fx0,
        fx_live: fx_ins.is_some(),
        noise: 0.0,
        noise_sd: NOISE_SD_BANDS * pair.entry_band_ticks,
        band: pair.entry_band_ticks,
        disl: 0.0,
        disl_until: i64::MIN,
        fund_rng: Rng::stream(synth.seed, Purpose::SynthFundamental, 0),
        fx_rng: Rng::stream(synth.seed, Purpose::SynthFx, 0),
        spread_rng: Rng::stream(synth.seed, Purpose::SynthSpread, 0),
    };
    let dom_px0 = domestic_px(cfg, &latent);
    if !(dom_px0 > 0.0 && dom_px0.is_finite()) {
        return Err(SynthError::DomesticPrice(dom_px0));
    }
    let mean_gap_ns = NS_PER_SEC as f64 / synth.quotes_per_sec;
    for s in &mut streams {
        s.next = start + interarrival(&mut s.rng, mean_gap_ns);
    }
    let mut out = Vec::new();
    while let Some(k) = (0..streams.len()).min_by_key(|&k| (streams[k].next, k)) {
        let t = streams[k].next;
        if t >= end {
            break;
        }
        latent.advance(t);
        let prices = [domestic_px(cfg, &latent), latent.ovs_px, latent.fx];
        let s = &mut streams[k];
        if !is_open(s.venue, TsNs(t)) {
            // Closed: probe again at the next whole second (sessions open on whole seconds).
            s.next = (t.div_euclid(NS_PER_SEC) + 1) * NS_PER_SEC;
            continue;
        }
        s.next = t + interarrival(&mut s.rng, mean_gap_ns);
        if s.can_go_stale
            && s.rng
                .chance(mean_gap_ns / (STALE_MEAN_INTERVAL_S * NS_PER_SEC as f64))
        {
            let len_s = 5.0 + 25.0 * s.rng.uniform_f64();
            s.stale_until = t + (len_s * NS_PER_SEC as f64) as i64;
        }
        if t < s.stale_until {
            continue;
        }
        let px = prices[if s.instrument == pair.domestic {
            0
        } else if s.instrument == pair.overseas {
            1
        } else {
            2
        }];
        out.push(book_quote(s, t, px / s.tick));
    }
    out.sort_by_key(|q| q.ts_recv);
    Ok(out)
}

/// Validates the generator's own fields.
fn check(synth: &Synth) -> Result<(), SynthError> {
    let bad = |field, expected| Err(SynthError::Field { field, expected });
    if !(synth.quotes_per_sec > 0.0 && synth.quotes_per_sec <= 10_000.0) {
        return bad("quotes_per_sec", "a rate in (0, 10000] quotes per second");
    }
    if !(synth.overseas_px_start > 0.0 && synth.overseas_px_start.is_finite()) {
        return bad("overseas_px_start", "a positive price");
    }
    if synth.days == 0 {
        return bad("days", "at least 1 trading day");
    }
    Ok(())
}

/// The domestic price (domestic currency per domestic unit) at which the mid spread equals the
/// latent target: the pair's formula solved for `P_dom`.
fn domestic_px(cfg: &Config, l: &Latent) -> f64 {
    let pair = &cfg.pair;
    let target = (pair.center_ticks + l.noise + l.disl) * pair.spread_tick;
    let ovs_fx = l.ovs_px * l.fx;
    match pair.form {
        SpreadForm::Difference { a, b, c } => (target + b * ovs_fx + c) / a,
        SpreadForm::Ratio => target * ovs_fx,
        SpreadForm::ImportParity {
            unit_conversion,
            vat,
            tariff,
            costs,
        } => target + ovs_fx * unit_conversion * (1.0 + vat) * (1.0 + tariff) + costs,
    }
}

/// Time to the next quote of a stream: uniform in [0.2, 1.8] × the mean gap (no `ln` needed).
fn interarrival(rng: &mut Rng, mean_gap_ns: f64) -> i64 {
    ((0.2 + 1.6 * rng.uniform_f64()) * mean_gap_ns).max(1.0) as i64
}

/// A book around `mid` (in ticks): 1–3 ticks wide, tens of lots or a thin 1–2.
fn book_quote(s: &mut Stream, t: i64, mid: f64) -> Quote {
    let width = match s.rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let bid = (mid - width as f64 / 2.0).round() as i64;
    let size = |rng: &mut Rng| {
        if rng.chance(THIN_BOOK_PROB) {
            1 + rng.below(2) as i64
        } else {
            5 + rng.below(56) as i64
        }
    };
    let (bid_qty, ask_qty) = (size(&mut s.rng), size(&mut s.rng));
    s.seq += if s.rng.chance(GAP_PROB) { 2 } else { 1 };
    let recv = s.feed.fixed_ns + s.recv_rng.jitter(s.feed.jitter_ns);
    Quote {
        ts_exchange: TsNs(t),
        ts_recv: TsNs(t + recv),
        seq: s.seq,
        bid_px: Px(bid),
        ask_px: Px(bid + width),
        bid_qty: Qty(bid_qty),
        ask_qty: Qty(ask_qty),
        venue: s.venue,
        instrument: s.instrument,
        flags: s.flags,
    }
}

/// `[start, end)` in UTC ns: from `start_date` 00:00 UTC to the end of the `days`-th UTC day on
/// which the domestic venue opens (probed every minute).
fn date_range(
    cfg: &Config,
    synth: &Synth,
    is_open: &mut dyn FnMut(VenueId, TsNs) -> bool,
) -> (i64, i64) {
    let dom_venue = cfg.instruments[cfg.pair.domestic.idx()].venue;
    let day_ns = 86_400 * NS_PER_SEC;
    let start = synth
        .start_date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp())
        * NS_PER_SEC;
    let mut counted = 0;
    let mut day = 0i64;
    let max_days = i64::from(synth.days * CALENDAR_DAYS_PER_TRADING_DAY_MAX);
    while counted < synth.days && day < max_days {
        let d0 = start + day * day_ns;
        if (0..1440).any(|m| is_open(dom_venue, TsNs(d0 + m * 60 * NS_PER_SEC))) {
            counted += 1;
        }
        day += 1;
    }
    (start, start + day * day_ns)
}
