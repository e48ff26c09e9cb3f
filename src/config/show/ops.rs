//! The operational sections of `crossarb check`'s config rendering: receipts, threads, replay
//! and live. Cold path only.

use std::fmt::Write;

use super::line;
use crate::config::validate::STAGE_DEFAULT;
use crate::config::{Config, FsyncPolicy, Idle, SimVenue, StageThread};

/// True for the simulated exchange a venue gets without a `[[replay.sim]]` entry.
fn sim_is_default(s: &SimVenue) -> bool {
    let zero = |l: &crate::config::Latency| l.fixed_ns == 0 && l.jitter_ns == 0;
    zero(&s.feed_latency)
        && zero(&s.order_latency)
        && s.reject_prob == 0.0
        && s.ack_loss_prob == 0.0
        && s.disconnects.is_empty()
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

pub(super) fn receipts_threads(w: &mut String, cfg: &Config) {
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

pub(super) fn replay(w: &mut String, cfg: &Config) {
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

pub(super) fn live(w: &mut String, cfg: &Config) {
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
