//! Human-readable rendering of a validated config, every number with its unit, for
//! `crossarb check`. Cold path only.

use std::fmt::Write;

use super::units::{fmt_days, fmt_hms, fmt_quantity};
use super::validate::STAGE_DEFAULT;
use super::{
    Config, Execution, FsyncPolicy, Fx, Idle, Instrument, LegExec, Pair, SimVenue, SpreadForm,
    StageThread, Unit,
};

/// True for the simulated exchange a venue gets without a `[[replay.sim]]` entry.
fn sim_is_default(s: &SimVenue) -> bool {
    let zero = |l: &super::Latency| l.fixed_ns == 0 && l.jitter_ns == 0;
    zero(&s.feed_latency)
        && zero(&s.order_latency)
        && s.reject_prob == 0.0
        && s.ack_loss_prob == 0.0
        && s.disconnects.is_empty()
}

/// The effective config as text, one setting per line, units spelled out.
pub fn render(cfg: &Config) -> String {
    let mut o = String::new();
    let w = &mut o;
    line(w, format!("config {}", cfg.source.path.display()));
    line(w, format!("hash   {:#018x}", cfg.source.hash));
    venues(w, cfg);
    instruments(w, cfg);
    pair(w, cfg);
    execution(w, cfg);
    risk(w, cfg);
    receipts_threads(w, cfg);
    replay(w, cfg);
    live(w, cfg);
    o
}

fn line(w: &mut String, s: String) {
    w.push_str(&s);
    w.push('\n');
}

fn venues(w: &mut String, cfg: &Config) {
    line(w, "\n[venues]".into());
    for v in &cfg.venues {
        let gw = format!("{:?}", v.gateway).to_lowercase();
        let tz = v.time_zone.name();
        line(
            w,
            format!(
                "  {} ({tz}): gateway {gw}, quote_age_max {} ms",
                v.name, v.quote_age_ms_max
            ),
        );
        let sessions: Vec<String> = v
            .sessions
            .iter()
            .map(|s| {
                let night = if s.night { " night" } else { "" };
                format!(
                    "{}–{}{night} {}",
                    fmt_hms(s.open_s),
                    fmt_hms(s.close_s),
                    fmt_days(s.days)
                )
            })
            .collect();
        line(w, format!("    sessions  {}", sessions.join(", ")));
        let holidays = match v.holidays.len() {
            0 => "none".to_owned(),
            n => format!("{n} ({} … {})", v.holidays[0], v.holidays[n - 1]),
        };
        line(w, format!("    holidays  {holidays}"));
    }
}

fn per(i: &Instrument) -> String {
    format!("{}/{}", i.currency, i.price_unit.name())
}

fn instruments(w: &mut String, cfg: &Config) {
    line(w, "\n[instruments]".into());
    for i in &cfg.instruments {
        let venue = &cfg.venues[i.venue.idx()].name;
        line(
            w,
            format!(
                "  {} @ {venue}: tick {} {}, lot {} {} (= {} base quanta)",
                i.symbol,
                i.tick_size,
                per(i),
                i.lot_size,
                i.lot_unit.name(),
                i.lot_base.0
            ),
        );
    }
}

fn pair(w: &mut String, cfg: &Config) {
    let p: &Pair = &cfg.pair;
    let (d, o) = (
        &cfg.instruments[p.domestic.idx()],
        &cfg.instruments[p.overseas.idx()],
    );
    let unit = per(d);
    line(w, format!("\n[pair] {}", p.name));
    let pricing = format!("{:?}", p.pricing).to_lowercase();
    line(
        w,
        format!(
            "  domestic {}, overseas {}, pricing {pricing}, exit {}",
            d.symbol,
            o.symbol,
            format!("{:?}", p.exit).to_lowercase()
        ),
    );
    let form = match p.form {
        SpreadForm::Difference { a, b, c } => format!("difference: {a}·P_dom − {b}·P_ovs·fx − {c} {unit}"),
        SpreadForm::Ratio => format!("ratio: P_dom / (P_ovs·fx), tick {}", p.spread_tick),
        SpreadForm::ImportParity { unit_conversion, vat, tariff, costs } => format!(
            "import_parity: P_dom − (P_ovs × {unit_conversion} × fx × (1 + {vat}) × (1 + {tariff}) + {costs} {unit})"
        ),
    };
    line(w, format!("  form {form}"));
    let fx_unit = format!("{}/{}", d.currency, o.currency);
    let fx = match p.fx {
        Fx::Fixed(r) => format!("fixed {r} {fx_unit}"),
        Fx::Live {
            instrument,
            stale_ms_max,
        } => format!(
            "live {} ({fx_unit}), stale after {stale_ms_max} ms",
            cfg.instruments[instrument.idx()].symbol
        ),
    };
    line(w, format!("  fx {fx}"));
    let ticks = |t: f64| {
        if matches!(p.form, SpreadForm::Ratio) {
            format!("{t} ticks")
        } else {
            format!(
                "{t} ticks = {:.*} {unit}",
                d.tick_decimals as usize,
                t * p.spread_tick
            )
        }
    };
    line(
        w,
        format!(
            "  spread tick {}{}",
            p.spread_tick,
            if matches!(p.form, SpreadForm::Ratio) {
                String::new()
            } else {
                format!(" {unit}")
            }
        ),
    );
    line(w, format!("  center {}", ticks(p.center_ticks)));
    line(w, format!("  entry_band {}", ticks(p.entry_band_ticks)));
    line(w, format!("  exit_band {}", ticks(p.exit_band_ticks)));
    line(
        w,
        format!(
            "  cooldown {} ms, leg_skew_max {} ms",
            p.cooldown_ms, p.leg_skew_ms_max
        ),
    );
    let lots = |n: i64, i: &Instrument| {
        format!("{n} lots ({} {})", n as f64 * i.lot_size, i.lot_unit.name())
    };
    line(
        w,
        format!(
            "  size_min domestic {}, overseas {}",
            lots(p.domestic_size_min_lots, d),
            lots(p.overseas_size_min_lots, o)
        ),
    );
    line(
        w,
        format!(
            "  lots_max domestic {}, overseas {}",
            lots(p.domestic_lots_max, d),
            lots(p.overseas_lots_max, o)
        ),
    );
}

fn execution(w: &mut String, cfg: &Config) {
    let e: &Execution = &cfg.execution;
    line(w, "\n[execution]".into());
    line(
        w,
        format!("  mode {:?}, order_style {:?}", e.mode, e.order_style).to_lowercase(),
    );
    line(
        w,
        format!(
            "  ack_timeout {} ms, ticket_deadline {} ms",
            e.ack_timeout_ms, e.ticket_deadline_ms
        ),
    );
    line(
        w,
        format!(
            "  backfill {} attempts within {} ms",
            e.backfill_attempts_max, e.backfill_deadline_ms
        ),
    );
    line(
        w,
        format!("  rollback {} attempts", e.rollback_attempts_max),
    );
    let p = &cfg.pair;
    for (name, leg, inst) in [
        ("domestic", &e.domestic, p.domestic),
        ("overseas", &e.overseas, p.overseas),
    ] {
        leg_exec(w, name, leg, &cfg.instruments[inst.idx()]);
    }
}

fn leg_exec(w: &mut String, name: &str, l: &LegExec, i: &Instrument) {
    let dec = i.tick_decimals as usize;
    let t = |n: i64| format!("{n} ticks ({:.dec$} {})", n as f64 * i.tick_size, per(i));
    line(w, format!("  {name} ({})", i.symbol));
    line(w, format!("    slippage {}", t(l.slippage_ticks)));
    line(
        w,
        format!(
            "    backfill_slippage_max {}",
            t(l.backfill_slippage_ticks_max)
        ),
    );
    line(
        w,
        format!(
            "    rollback_slippage_max {}",
            t(l.rollback_slippage_ticks_max)
        ),
    );
    line(
        w,
        format!(
            "    orders_per_day_max {}, cancels_per_day_max {}",
            l.orders_per_day_max, l.cancels_per_day_max
        ),
    );
}

fn risk(w: &mut String, cfg: &Config) {
    let r = &cfg.risk;
    let unit = cfg
        .instruments
        .get(cfg.pair.domestic.idx())
        .map_or(Unit::Tonne, |i| i.lot_unit);
    line(w, "\n[risk]".into());
    line(
        w,
        format!("  position_max {}", fmt_quantity(r.position_max, unit)),
    );
    line(
        w,
        format!(
            "  naked_exposure_max {} for at most {} ms",
            fmt_quantity(r.naked_exposure_max, unit),
            r.naked_exposure_ms_max
        ),
    );
    line(
        w,
        format!("  orders_per_sec_max {}/s", r.orders_per_sec_max),
    );
    line(
        w,
        format!(
            "  ticket_notional_max {} {}",
            r.ticket_notional_max, r.report_currency
        ),
    );
    line(w, format!("  breakers: slippage {} ticks/day, ack_latency {} ms, reject_streak {}, feed_stale {} ms",
        r.slippage_ticks_max, r.ack_latency_ms_max, r.reject_streak_max, r.feed_stale_ms_max));
    let kill = r
        .kill_switch_file
        .as_ref()
        .map_or("none".to_owned(), |p| p.display().to_string());
    line(w, format!("  kill_switch_file {kill}"));
}

fn stage(s: &StageThread) -> String {
    let core = s
        .core
        .map_or("unpinned".to_owned(), |c| format!("core {c}"));
    let idle = match s.idle {
        Idle::BusySpin => "busy_spin".to_owned(),
        Idle::Backoff => "backoff".to_owned(),
        Idle::SleepUs(us) => format!("sleep {us} µs"),
    };
    format!("{core}, {idle}")
}

fn receipts_threads(w: &mut String, cfg: &Config) {
    let r = &cfg.receipts;
    line(w, "\n[receipts]".into());
    line(w, format!("  dir {}", r.dir.display()));
    line(
        w,
        format!(
            "  segment {} bytes ({:.1} MiB)",
            r.segment_bytes,
            r.segment_bytes as f64 / 1_048_576.0
        ),
    );
    let fsync = match r.fsync {
        FsyncPolicy::Every => "every record".to_owned(),
        FsyncPolicy::Batch(n) => {
            format!("every {n} records or when the ring drains (group commit on a sync thread)")
        }
        FsyncPolicy::Never => "never (OS flushes)".to_owned(),
    };
    line(w, format!("  fsync {fsync}"));
    let t = &cfg.threads;
    line(w, "\n[threads]".into());
    for (name, s) in [
        ("domestic_feed", &t.domestic_feed),
        ("overseas_feed", &t.overseas_feed),
        ("fx_feed", &t.fx_feed),
        ("trigger", &t.trigger),
        ("executor", &t.executor),
        ("gateway", &t.gateway),
        ("receipts", &t.receipts),
        ("metrics", &t.metrics),
    ] {
        let default = if *s == STAGE_DEFAULT {
            " (default)"
        } else {
            ""
        };
        line(w, format!("  {name:<14} {}{default}", stage(s)));
    }
}

fn replay(w: &mut String, cfg: &Config) {
    let r = &cfg.replay;
    line(w, "\n[replay]".into());
    line(w, format!("  seed {}", r.seed));
    for f in &r.feeds {
        line(
            w,
            format!(
                "  feed {} shifted {} ms",
                f.path.display(),
                f.time_shift_ns / 1_000_000
            ),
        );
    }
    if r.feeds.is_empty() {
        line(w, "  feeds none".into());
    }
    if let Some(s) = &r.synth {
        let msg = format!(
            "  synth seed {}, from {} for {} days, {} quotes/s, overseas from {}{}",
            s.seed,
            s.start_date,
            s.days,
            s.quotes_per_sec,
            s.overseas_px_start,
            s.fx_start
                .map(|f| format!(", fx from {f}"))
                .unwrap_or_default()
        );
        line(w, msg);
    }
    for s in &r.sim {
        let name = &cfg.venues[s.venue.idx()].name;
        let default = if sim_is_default(s) { " (default)" } else { "" };
        let us = |ns: i64| ns / 1000;
        let _ = writeln!(
            w,
            "  sim {name}{default}: feed {} µs + ≤{} µs, order {} µs + ≤{} µs, reject_prob {}, ack_loss_prob {} (resurfacing after {} ms), {} disconnect(s)",
            us(s.feed_latency.fixed_ns), us(s.feed_latency.jitter_ns),
            us(s.order_latency.fixed_ns), us(s.order_latency.jitter_ns),
            s.reject_prob, s.ack_loss_prob, s.ack_loss_delay_ms, s.disconnects.len()
        );
    }
}

fn live(w: &mut String, cfg: &Config) {
    let l = &cfg.live;
    if l.is_empty() {
        return;
    }
    line(w, "\n[live]".into());
    line(w, format!("  venue-sim speed ×{}", l.speed));
    for f in &l.feeds {
        let name = &cfg.venues[f.venue.idx()].name;
        let how = match f.transport {
            crate::config::FeedTransport::Udp(a) => format!("udp {a}"),
            crate::config::FeedTransport::Tcp(a) => format!("tcp {a} (engine listens)"),
        };
        line(w, format!("  feed {name}: {how}"));
    }
    for f in &l.fix {
        let name = &cfg.venues[f.venue.idx()].name;
        line(
            w,
            format!(
                "  fix {name}: {} {}→{}, heartbeat {} s, reconnect from {} ms, reset seq at logon {}",
                f.addr, f.sender_comp_id, f.target_comp_id, f.heart_bt_s, f.reconnect_delay_ms,
                f.reset_on_logon
            ),
        );
    }
    for c in &l.ctp {
        let name = &cfg.venues[c.venue.idx()].name;
        let ex: Vec<String> = c
            .instruments
            .iter()
            .map(|x| {
                format!(
                    "{}@{}",
                    cfg.instruments[x.instrument.idx()].symbol,
                    x.exchange
                )
            })
            .collect();
        // Credentials are shown as written (`env:NAME` for the secrets): never a value.
        line(
            w,
            format!(
                "  ctp {name}: {} broker {} user {} app {}, flow {}, {}",
                c.front,
                c.broker_id,
                c.user_id,
                c.app_id,
                c.flow_dir.display(),
                ex.join(" ")
            ),
        );
    }
}
