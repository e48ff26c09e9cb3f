//! `[replay]`: capture feeds, seed, synthetic feed and the simulated exchange per venue.

use std::path::PathBuf;

use chrono::DateTime;
use toml::Spanned;

use super::venues::parse_date;
use super::{At, Ctx, Names, B};
use crate::config::raw::{RawFeed, RawReplay, RawSim, RawSynth, RawWindow, S};
use crate::config::{Feed, Latency, Replay, SimVenue, Synth, Window};
use crate::domain::{VenueId, NS_PER_MS};

/// Validates `[replay]`; when absent: seed 0, no feeds, no synth, default sim for every venue.
pub(super) fn replay(cx: &mut Ctx<'_>, raw: &S<RawReplay>, venues: &Names) -> Option<Replay> {
    let defaults = || {
        (0..venues.0.len())
            .map(|i| SimVenue::perfect(VenueId(i as u16)))
            .collect::<Vec<_>>()
    };
    let Some(t) = raw else {
        return Some(Replay {
            feeds: Vec::new(),
            seed: 0,
            sim: defaults(),
            synth: None,
        });
    };
    let at = At::new("replay", Some(t.span()));
    let r = t.get_ref();
    let seed = cx.int(&at, "seed", &r.seed, &[B::Ge(0)]);
    let feeds = match &r.feeds {
        None => Some(Vec::new()),
        Some(list) => feeds(cx, list),
    };
    let synth = match &r.synth {
        None => Some(None),
        Some(s) => synth(cx, &at.sub("synth", s), s.get_ref()).map(Some),
    };
    let mut sim = Some(defaults());
    let mut seen = vec![false; venues.0.len()];
    for (i, s) in r.sim.iter().flat_map(|l| l.get_ref().iter()).enumerate() {
        let sat = At::new(format!("replay.sim[{i}]"), Some(s.span()));
        let Some(v) = sim_venue(cx, &sat, s.get_ref(), venues) else {
            sim = None;
            continue;
        };
        let idx = v.venue.idx();
        if std::mem::replace(&mut seen[idx], true) {
            let span = s.get_ref().venue.as_ref().map(|f| f.span());
            cx.err(
                sat.field("venue"),
                span.as_ref(),
                "venue already has a [[replay.sim]] entry",
            );
            sim = None;
        } else if let Some(all) = sim.as_mut() {
            all[idx] = v;
        }
    }
    Some(Replay {
        feeds: feeds?,
        seed: u64::try_from(seed?).ok()?,
        sim: sim?,
        synth: synth?,
    })
}

fn feeds(cx: &mut Ctx<'_>, list: &Spanned<Vec<Spanned<RawFeed>>>) -> Option<Vec<Feed>> {
    let out: Vec<Option<Feed>> = list
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let at = At::new(format!("replay.feeds[{i}]"), Some(f.span()));
            let path = cx.string(&at, "path", &f.get_ref().path).map(PathBuf::from);
            let shift_max = i64::MAX / NS_PER_MS;
            let shift = match &f.get_ref().time_shift_ms {
                None => Some(0),
                s => cx.int(
                    &at,
                    "time_shift_ms",
                    s,
                    &[B::Ge(-shift_max), B::Le(shift_max)],
                ),
            };
            Some(Feed {
                path: path?,
                time_shift_ns: shift? * NS_PER_MS,
            })
        })
        .collect();
    out.into_iter().collect()
}

fn synth(cx: &mut Ctx<'_>, at: &At, r: &RawSynth) -> Option<Synth> {
    let seed = cx.int(at, "seed", &r.seed, &[B::Ge(0)]);
    let start_date = cx.parsed(at, "start_date", &r.start_date, parse_date);
    let days = cx.int(at, "days", &r.days, &[B::Ge(1), B::Le(3660)]);
    let quotes_per_sec = cx.num(at, "quotes_per_sec", &r.quotes_per_sec, &[B::Gt(0.0)]);
    let px_start = cx.num(at, "overseas_px_start", &r.overseas_px_start, &[B::Gt(0.0)]);
    let fx_start = match &r.fx_start {
        None => Some(None),
        f => cx.num(at, "fx_start", f, &[B::Gt(0.0)]).map(Some),
    };
    Some(Synth {
        overseas_px_start: px_start?,
        fx_start: fx_start?,
        seed: u64::try_from(seed?).ok()?,
        start_date: start_date?,
        days: u32::try_from(days?).ok()?,
        quotes_per_sec: quotes_per_sec?,
    })
}

fn sim_venue(cx: &mut Ctx<'_>, at: &At, r: &RawSim, venues: &Names) -> Option<SimVenue> {
    let venue = cx.parsed(at, "venue", &r.venue, |v| {
        venues
            .find(v)
            .ok_or_else(|| format!("unknown venue {v:?}; venues are {:?}", venues.0))
    });
    let us = [B::Ge(0), B::Le(i64::MAX / 1000)];
    let feed_fixed = cx.int(at, "feed_latency_us", &r.feed_latency_us, &us);
    let feed_jitter = cx.int(at, "feed_jitter_us", &r.feed_jitter_us, &us);
    let order_fixed = cx.int(at, "order_latency_us", &r.order_latency_us, &us);
    let order_jitter = cx.int(at, "order_jitter_us", &r.order_jitter_us, &us);
    let prob = [B::Ge(0.0), B::Le(1.0)];
    let reject_prob = cx.num(at, "reject_prob", &r.reject_prob, &prob);
    let ack_loss_prob = cx.num(at, "ack_loss_prob", &r.ack_loss_prob, &prob);
    let ms = [B::Ge(0), B::Le(i64::MAX / NS_PER_MS)];
    let ack_loss_delay_ms = cx.int(at, "ack_loss_delay_ms", &r.ack_loss_delay_ms, &ms);
    let disconnects = match &r.disconnects {
        None => Some(Vec::new()),
        Some(list) => windows(cx, at, list),
    };
    Some(SimVenue {
        venue: VenueId(u16::try_from(venue?).ok()?),
        feed_latency: Latency {
            fixed_ns: feed_fixed? * 1000,
            jitter_ns: feed_jitter? * 1000,
        },
        order_latency: Latency {
            fixed_ns: order_fixed? * 1000,
            jitter_ns: order_jitter? * 1000,
        },
        reject_prob: reject_prob?,
        ack_loss_prob: ack_loss_prob?,
        ack_loss_delay_ms: ack_loss_delay_ms?,
        disconnects: disconnects?,
    })
}

fn windows(
    cx: &mut Ctx<'_>,
    at: &At,
    list: &Spanned<Vec<Spanned<RawWindow>>>,
) -> Option<Vec<Window>> {
    let out: Vec<Option<Window>> = list
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let wat = At::new(format!("{}.disconnects[{i}]", at.path), Some(w.span()));
            let start_ns = cx.parsed(&wat, "start", &w.get_ref().start, utc_ns);
            let end_ns = cx.parsed(&wat, "end", &w.get_ref().end, utc_ns);
            if let (Some(s), Some(e), Some(f)) = (start_ns, end_ns, &w.get_ref().end) {
                if e <= s {
                    cx.err(wat.field("end"), Some(&f.span()), "must be after start");
                    return None;
                }
            }
            Some(Window {
                start_ns: start_ns?,
                end_ns: end_ns?,
            })
        })
        .collect();
    out.into_iter().collect()
}

/// An RFC 3339 timestamp (`2025-03-03T02:00:00Z`) → UTC ns.
fn utc_ns(s: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 time such as \"2025-03-03T02:00:00Z\""))
}
