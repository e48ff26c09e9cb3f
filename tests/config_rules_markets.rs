//! One test per validation rule (venues, instruments, pair): take the valid `config/example.toml`, break one
//! line, and check that exactly the expected field is reported, on the line that was edited.

mod config_support;

use config_support::{edit, has, line_of, parse_text, rejects, EXAMPLE};

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
