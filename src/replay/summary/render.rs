//! The human-readable view of a run [`Summary`] (`crossarb replay`, `crossarb receipts --summary`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Percentiles, Summary};

/// Human-readable rendering of a summary.
pub fn render(s: &Summary) -> String {
    let currency = &s.currency;
    let mut w = String::new();
    let map = |m: &BTreeMap<&'static str, u64>| {
        if m.is_empty() {
            "none".to_string()
        } else {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let imap = |m: &BTreeMap<&'static str, i64>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lat = |p: &Percentiles| {
        format!(
            "p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({} samples)",
            p.p50_us, p.p99_us, p.max_us, p.count
        )
    };
    let _ = writeln!(w, "quotes read        {}", s.quotes);
    let _ = writeln!(w, "opportunities      {}", s.opportunities);
    let _ = writeln!(w, "refusals           {}", map(&s.refusals));
    let _ = writeln!(w, "tickets            {} ({})", s.tickets, map(&s.outcomes));
    let _ = writeln!(w, "orders             {}", map(&s.orders));
    let _ = writeln!(
        w,
        "fills              {} ({} lots)",
        s.fills,
        imap(&s.filled_lots)
    );
    let _ = writeln!(w, "legging incidents  {}", map(&s.incidents));
    let _ = writeln!(
        w,
        "repaired tickets   {} (backfill orders {}, rollback orders {})",
        s.repaired_tickets, s.backfills, s.rollbacks
    );
    let _ = writeln!(
        w,
        "slippage (ticks)   {}",
        if s.slippage_ticks.is_empty() {
            "none".into()
        } else {
            imap(&s.slippage_ticks)
        }
    );
    let _ = writeln!(
        w,
        "PnL ({currency})         {:.2} (cash {:.2}, open position {:.2})",
        s.pnl.total, s.pnl.cash, s.pnl.open_position
    );
    let _ = writeln!(
        w,
        "naked exposure     peak {:.1} kg, longest {:.1} ms, total {:.1} ms",
        s.naked.peak_grams / 1000.0,
        s.naked.longest_ms,
        s.naked.total_ms
    );
    let _ = writeln!(w, "breakers           {}", map(&s.breakers));
    let _ = writeln!(w, "latency (sim time) ack {}", lat(&s.ack_latency));
    let _ = writeln!(w, "                   first fill {}", lat(&s.fill_latency));
    let _ = writeln!(
        w,
        "                   decision {}",
        lat(&s.decision_latency)
    );
    let _ = writeln!(
        w,
        "receipts           {}{}",
        s.receipts,
        if s.stopped_cleanly {
            ""
        } else {
            " (no stop receipt: run did not end cleanly)"
        }
    );
    w
}
