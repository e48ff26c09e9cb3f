//! One test per validation rule (execution, risk, receipts, threads, replay): take the valid `config/example.toml`, break one
//! line, and check that exactly the expected field is reported, on the line that was edited.

mod config_support;

use config_support::{edit, has, line_of, parse_text, rejects};

#[test]
fn slippage_cannot_be_negative() {
    rejects(
        "slippage_ticks = 2",
        "slippage_ticks = -2",
        "execution.overseas.slippage_ticks",
        "≥ 0",
    );
}

#[test]
fn backfill_slippage_covers_the_entry_slippage() {
    rejects(
        "backfill_slippage_ticks_max = 10\n",
        "backfill_slippage_ticks_max = 1\n",
        "execution.overseas.backfill_slippage_ticks_max",
        "execution.overseas.slippage_ticks",
    );
}

#[test]
fn orders_and_cancels_per_day_are_at_least_one() {
    rejects(
        "cancels_per_day_max = 400",
        "cancels_per_day_max = 0",
        "execution.domestic.cancels_per_day_max",
        "≥ 1",
    );
}

#[test]
fn ack_timeout_must_be_positive() {
    rejects(
        "ack_timeout_ms = 500",
        "ack_timeout_ms = 0",
        "execution.ack_timeout_ms",
        "> 0",
    );
}

#[test]
fn backfill_deadline_falls_within_the_ticket_deadline() {
    rejects(
        "backfill_deadline_ms = 2000",
        "backfill_deadline_ms = 6000",
        "execution.backfill_deadline_ms",
        "ticket_deadline_ms",
    );
}

#[test]
fn deadlines_must_be_positive() {
    rejects(
        "ticket_deadline_ms = 5000",
        "ticket_deadline_ms = -5000",
        "execution.ticket_deadline_ms",
        "> 0",
    );
}

#[test]
fn risk_quantities_need_a_unit() {
    rejects(
        "position_max = \"100 t\"",
        "position_max = \"100\"",
        "risk.position_max",
        "<number> <unit>",
    );
}

#[test]
fn position_max_holds_at_least_one_lot_of_each_leg() {
    let text = edit("position_max = \"100 t\"", "position_max = \"20 t\"");
    let text = text.replacen(
        "naked_exposure_max = \"50 t\"",
        "naked_exposure_max = \"5 t\"",
        1,
    );
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "risk.position_max");
    assert!(
        errors[0].message.contains("one lot of \"CA3M\""),
        "{errors:?}"
    );
}

#[test]
fn naked_exposure_cannot_exceed_the_position_limit() {
    rejects(
        "naked_exposure_max = \"50 t\"",
        "naked_exposure_max = \"101 t\"",
        "risk.naked_exposure_max",
        "≤ risk.position_max",
    );
}

#[test]
fn risk_limits_must_be_positive() {
    rejects(
        "reject_streak_max = 5",
        "reject_streak_max = 0",
        "risk.reject_streak_max",
        "≥ 1",
    );
    rejects(
        "ticket_notional_max = 5000000",
        "ticket_notional_max = 0",
        "risk.ticket_notional_max",
        "> 0",
    );
    rejects(
        "feed_stale_ms_max = 60000",
        "feed_stale_ms_max = -1",
        "risk.feed_stale_ms_max",
        "> 0",
    );
}

#[test]
fn report_currency_is_an_instrument_currency() {
    rejects(
        "report_currency = \"CNY\"",
        "report_currency = \"EUR\"",
        "risk.report_currency",
        "CNY, USD",
    );
}

#[test]
fn receipt_segments_are_at_least_a_page() {
    rejects(
        "segment_bytes = 67108864",
        "segment_bytes = 4095",
        "receipts.segment_bytes",
        "≥ 4096",
    );
}

#[test]
fn fsync_batch_records_are_at_least_one() {
    rejects(
        "fsync_batch_records = 256",
        "fsync_batch_records = 0",
        "receipts.fsync_batch_records",
        "≥ 1",
    );
}

#[test]
fn fsync_batch_records_are_required_only_for_batch() {
    let text = edit("fsync = \"batch\"", "fsync = \"every\"");
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    has(
        &errors,
        &text,
        "receipts.fsync_batch_records",
        "fsync_batch_records",
        "not allowed",
    );
    let text = edit("fsync_batch_records = 256", "");
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors[0].path, "receipts.fsync_batch_records");
    assert!(errors[0].message.contains("required"));
}

#[test]
fn sim_probabilities_are_between_zero_and_one() {
    rejects(
        "reject_prob = 0.05\nack_loss_prob = 0.02\nack_loss_delay_ms = 700           # a lost ack resurfaces this late: past ack_timeout_ms (500), inside the 1 s breaker\ndisc",
        "reject_prob = 1.5\nack_loss_prob = 0.02\nack_loss_delay_ms = 2000\ndisc",
        "replay.sim[1].reject_prob",
        "≤ 1",
    );
}

#[test]
fn sim_latencies_cannot_be_negative() {
    rejects(
        "order_jitter_us = 10000",
        "order_jitter_us = -1",
        "replay.sim[1].order_jitter_us",
        "≥ 0",
    );
}

#[test]
fn a_sim_venue_must_exist() {
    rejects(
        "venue = \"LME\"                      # reached",
        "venue = \"CME\"                      # reached",
        "replay.sim[1].venue",
        "unknown venue",
    );
}

#[test]
fn a_sim_venue_is_listed_once() {
    rejects(
        "venue = \"LME\"                      # reached",
        "venue = \"SHFE\"                     # reached",
        "replay.sim[1].venue",
        "already",
    );
}

#[test]
fn a_disconnect_ends_after_it_starts() {
    rejects(
        "end = \"2025-03-03T02:00:05Z\"",
        "end = \"2025-03-03T01:59:59Z\"",
        "replay.sim[1].disconnects[0].end",
        "after start",
    );
}

#[test]
fn synth_days_are_at_least_one() {
    rejects("days = 2\n", "days = 0\n", "replay.synth.days", "≥ 1");
}

#[test]
fn synth_quote_rate_must_be_positive() {
    rejects(
        "quotes_per_sec = 2.0",
        "quotes_per_sec = 0.0",
        "replay.synth.quotes_per_sec",
        "> 0",
    );
}

#[test]
fn thread_idle_strategies_are_checked() {
    rejects(
        "receipts = { idle = \"sleep\", sleep_us = 100 }",
        "receipts = { idle = \"nap\" }",
        "threads.receipts.idle",
        "\"busy_spin\"",
    );
}

#[test]
fn a_missing_money_field_is_reported_at_its_table() {
    let text = edit(
        "cooldown_ms = 1000                 # no new ticket within 1 s of the previous one\n",
        "",
    );
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "pair.cooldown_ms");
    assert_eq!(errors[0].line, Some(line_of(&text, "\n[pair]\n") + 1));
    assert!(errors[0].message.contains("required in [pair]"));
}
