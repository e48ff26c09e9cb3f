//! One test per validation rule: take the valid `config/example.toml`, break one line, and check
//! that exactly the expected field is reported, on the line that was edited.

use std::path::Path;

use crossarb::config::{parse, ConfigError, FieldError};

const EXAMPLE: &str = include_str!("../config/example.toml");

fn parse_text(text: &str) -> Result<crossarb::config::Config, Vec<FieldError>> {
    match parse(text, Path::new("config/example.toml")) {
        Ok(c) => Ok(c),
        Err(ConfigError::Invalid { errors, .. }) => Err(errors),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// `EXAMPLE` with the first `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(EXAMPLE.contains(from), "example.toml has no {from:?}");
    EXAMPLE.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    line_at(text, text.find(needle).expect("needle present"))
}

/// 1-based line of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Replaces `from` by `to` and asserts that the only error is at `path`, on the edited line that
/// holds the field's name, with a message containing `says`.
fn rejects(from: &str, to: &str, path: &str, says: &str) {
    let text = edit(from, to);
    let errors = parse_text(&text).expect_err("edited config must be rejected");
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors.len(),
        1,
        "expected one error at {path}, got {listed:#?}"
    );
    let e = &errors[0];
    assert_eq!(e.path, path, "{listed:?}");
    let field = path.rsplit('.').next().expect("non-empty path");
    let field = field.split('[').next().expect("field name");
    let start = EXAMPLE.find(from).expect("edited");
    let in_edit = text[start..start + to.len()].find(field).unwrap_or(0);
    assert_eq!(e.line, Some(line_at(&text, start + in_edit)), "{listed:?}");
    assert!(
        e.message.contains(says),
        "{:?} should say {says:?}",
        e.message
    );
}

/// Asserts that some error is at `path` on the line of the first `needle` and says `says`.
fn has(errors: &[FieldError], text: &str, path: &str, needle: &str, says: &str) {
    let line = Some(line_of(text, needle));
    assert!(
        errors
            .iter()
            .any(|e| e.path == path && e.line == line && e.message.contains(says)),
        "no {path} error on line {line:?} saying {says:?}: {errors:#?}"
    );
}

#[test]
fn the_example_is_valid() {
    parse_text(EXAMPLE).expect("example.toml is valid");
}

#[test]
fn duplicate_venue_names_are_rejected() {
    // The instrument and sim entry on "LME" then name an unknown venue: reported too.
    let text = edit("name = \"LME\" ", "name = \"SHFE\" ");
    let errors = parse_text(&text).expect_err("rejected");
    has(
        &errors,
        &text,
        "venues[1].name",
        "# London Metal",
        "duplicate venue name",
    );
}

#[test]
fn duplicate_instrument_symbols_are_rejected() {
    let text = edit("symbol = \"CA3M\"", "symbol = \"cu2505\" ");
    let errors = parse_text(&text).expect_err("rejected");
    has(
        &errors,
        &text,
        "instruments[1].symbol",
        "symbol = \"cu2505\" ",
        "duplicate symbol",
    );
}

#[test]
fn unknown_time_zones_are_rejected() {
    rejects(
        "\"Europe/London\"",
        "\"Europe/Londres\"",
        "venues[1].time_zone",
        "time zone",
    );
}

#[test]
fn session_times_must_be_hh_mm() {
    rejects(
        "open = \"01:00\"",
        "open = \"1am\"",
        "venues[1].sessions[0].open",
        "HH:MM",
    );
}

#[test]
fn session_day_specs_must_name_days() {
    rejects(
        "close = \"19:00\", days = \"mon-fri\"",
        "close = \"19:00\", days = \"mon-fry\"",
        "venues[1].sessions[0].days",
        "unknown day",
    );
}

#[test]
fn a_session_cannot_open_and_close_at_the_same_time() {
    rejects(
        "close = \"19:00\"",
        "close = \"01:00\"",
        "venues[1].sessions[0].close",
        "differ",
    );
}

#[test]
fn quote_age_must_be_positive() {
    rejects(
        "quote_age_ms_max = 5000",
        "quote_age_ms_max = 0",
        "venues[1].quote_age_ms_max",
        "> 0",
    );
}

#[test]
fn holidays_must_be_dates() {
    rejects(
        "\"2025-05-26\"",
        "\"2025-05-32\"",
        "venues[1].holidays",
        "date",
    );
}

#[test]
fn an_instrument_venue_must_exist() {
    rejects(
        "venue = \"LME\"",
        "venue = \"COMEX\"",
        "instruments[1].venue",
        "unknown venue",
    );
}

#[test]
fn a_negative_tick_size_names_the_instrument_field() {
    rejects(
        "tick_size = 0.5",
        "tick_size = -0.5",
        "instruments[1].tick_size",
        "> 0",
    );
}

#[test]
fn a_tick_size_must_be_finite() {
    rejects(
        "tick_size = 0.5",
        "tick_size = inf",
        "instruments[1].tick_size",
        "finite",
    );
}

#[test]
fn lot_size_must_be_positive() {
    rejects(
        "lot_size = 25",
        "lot_size = 0",
        "instruments[1].lot_size",
        "> 0",
    );
}

#[test]
fn units_must_be_known() {
    rejects(
        "lot_unit = \"t\"",
        "lot_unit = \"tons\"",
        "instruments[0].lot_unit",
        "unknown unit",
    );
}

#[test]
fn currencies_are_three_uppercase_letters() {
    rejects(
        "currency = \"USD\"",
        "currency = \"usd\"",
        "instruments[1].currency",
        "3 uppercase",
    );
}

#[test]
fn price_unit_and_lot_unit_measure_the_same_thing() {
    rejects(
        "currency = \"USD\"\nprice_unit = \"t\"",
        "currency = \"USD\"\nprice_unit = \"unit\"",
        "instruments[1].price_unit",
        "same thing",
    );
}

#[test]
fn pair_legs_must_exist() {
    rejects(
        "overseas = \"CA3M\"",
        "overseas = \"HG\"",
        "pair.overseas",
        "unknown instrument",
    );
}

#[test]
fn pair_legs_must_differ() {
    rejects(
        "overseas = \"CA3M\"",
        "overseas = \"cu2505\"",
        "pair.overseas",
        "differ",
    );
}

#[test]
fn pair_legs_must_be_on_different_venues() {
    let text = edit("venue = \"LME\"\ntick", "venue = \"SHFE\"\ntick");
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    has(
        &errors,
        &text,
        "pair.overseas",
        "overseas = \"CA3M\"",
        "same venue",
    );
}

#[test]
fn pair_leg_lot_units_must_have_the_same_dimension() {
    let text = edit(
        "lot_unit = \"t\"\ncurrency = \"USD\"\nprice_unit = \"t\"",
        "lot_unit = \"unit\"\ncurrency = \"USD\"\nprice_unit = \"unit\"",
    );
    let errors = parse_text(&text).expect_err("rejected");
    assert!(
        errors
            .iter()
            .any(|e| e.path == "pair.overseas" && e.message.contains("cannot be hedged")),
        "{errors:?}"
    );
}

#[test]
fn a_fixed_fx_rate_must_be_positive() {
    rejects("fx = 7.17", "fx = -7.17", "pair.fx", "> 0");
}

#[test]
fn a_live_fx_instrument_must_exist() {
    rejects(
        "fx = 7.17",
        "fx = { instrument = \"USDCNH\", stale_ms_max = 5000 }",
        "pair.fx.instrument",
        "unknown instrument",
    );
}

#[test]
fn a_live_fx_staleness_limit_must_be_positive() {
    let text = edit(
        "fx = 7.17",
        "fx = { instrument = \"CA3M\", stale_ms_max = 0 }",
    );
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 2, "{errors:?}");
    has(
        &errors,
        &text,
        "pair.fx.stale_ms_max",
        "stale_ms_max = 0",
        "> 0",
    );
}

#[test]
fn a_live_fx_instrument_is_not_a_leg() {
    rejects(
        "fx = 7.17",
        "fx = { instrument = \"CA3M\", stale_ms_max = 5 }",
        "pair.fx.instrument",
        "legs",
    );
}

#[test]
fn entry_band_must_be_positive() {
    rejects(
        "entry_band_ticks = 30.0",
        "entry_band_ticks = 0.0",
        "pair.entry_band_ticks",
        "> 0",
    );
}

#[test]
fn exit_band_must_be_inside_the_entry_band() {
    rejects(
        "exit_band_ticks = 10.0",
        "exit_band_ticks = 30.0",
        "pair.exit_band_ticks",
        "smaller than pair.entry_band_ticks",
    );
}

#[test]
fn exit_band_cannot_be_negative() {
    rejects(
        "exit_band_ticks = 10.0",
        "exit_band_ticks = -1.0",
        "pair.exit_band_ticks",
        "≥ 0",
    );
}

#[test]
fn cooldown_cannot_be_negative() {
    rejects(
        "cooldown_ms = 1000",
        "cooldown_ms = -1",
        "pair.cooldown_ms",
        "≥ 0",
    );
}

#[test]
fn leg_skew_must_be_positive() {
    rejects(
        "leg_skew_ms_max = 3000",
        "leg_skew_ms_max = 0",
        "pair.leg_skew_ms_max",
        "> 0",
    );
}

#[test]
fn minimum_sizes_are_at_least_one_lot() {
    rejects(
        "overseas_size_min_lots = 1",
        "overseas_size_min_lots = 0",
        "pair.overseas_size_min_lots",
        "≥ 1",
    );
}

#[test]
fn maximum_lots_are_at_least_one() {
    rejects(
        "domestic_lots_max = 10",
        "domestic_lots_max = 0",
        "pair.domestic_lots_max",
        "≥ 1",
    );
}

#[test]
fn vat_is_a_rate_below_one() {
    rejects("vat = 0.13", "vat = 13", "pair.vat", "< 1");
}

#[test]
fn tariff_cannot_be_negative() {
    rejects("tariff = 0.0", "tariff = -0.01", "pair.tariff", "≥ 0");
}

#[test]
fn unit_conversion_must_be_positive() {
    rejects(
        "unit_conversion = 1.0",
        "unit_conversion = 0.0",
        "pair.unit_conversion",
        "> 0",
    );
}

#[test]
fn a_parameter_of_another_form_is_rejected() {
    rejects(
        "vat = 0.13",
        "vat = 0.13\nratio_tick = 0.001",
        "pair.ratio_tick",
        "only with form = \"ratio\"",
    );
}

#[test]
fn ratio_tick_must_be_positive() {
    let text = edit("form = \"import_parity\"", "form = \"ratio\"");
    let text = text.replacen("unit_conversion = 1.0", "ratio_tick = -0.001", 1);
    let errors = parse_text(&text).expect_err("rejected");
    assert!(
        errors
            .iter()
            .any(|e| e.path == "pair.ratio_tick" && e.message.contains("> 0")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.path == "pair.vat" && e.message.contains("not allowed")),
        "{errors:?}"
    );
}

#[test]
fn difference_coefficients_must_be_positive() {
    let text = edit("form = \"import_parity\"", "form = \"difference\"");
    let text = text
        .replacen("unit_conversion = 1.0", "a = 1.0", 1)
        .replacen("vat = 0.13", "b = 0.0", 1)
        .replacen("tariff = 0.0", "c = 0.0", 1)
        .replacen("costs = 600.0", "", 1);
    let errors = parse_text(&text).expect_err("rejected");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "pair.b");
    assert_eq!(errors[0].line, Some(line_of(&text, "b = 0.0")));
}

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
        "naked_exposure_max = \"25 t\"",
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
        "naked_exposure_max = \"25 t\"",
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
        "feed_stale_ms_max = 30000",
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
        "reject_prob = 0.05\nack_loss_prob = 0.02\ndisc",
        "reject_prob = 1.5\nack_loss_prob = 0.02\ndisc",
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
