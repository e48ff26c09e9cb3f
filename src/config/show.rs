//! Human-readable rendering of a validated config, every number with its unit, for
//! `crossarb check`. Cold path only. The market sections (venues, instruments, pair, execution,
//! risk) are here, the operational ones (receipts, threads, replay, live) in `ops`.

use super::units::{fmt_days, fmt_hms, fmt_quantity};
use super::{Config, Execution, Fx, Instrument, LegExec, Pair, SpreadForm, Unit};

mod ops;

use ops::{live, receipts_threads, replay};

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
