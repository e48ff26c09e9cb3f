//! The example configs parse into the values their comments state; the error report of a broken
//! file lists every problem in file order with lines; the config hash is deterministic.

use std::path::{Path, PathBuf};

use crossarb::config::{
    load, parse, BaseQty, ConfigError, FieldError, FsyncPolicy, Fx, GatewayKind, Idle, SpreadForm,
    Unit,
};

fn example(name: &str) -> crossarb::config::Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name);
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(text: &str) -> Vec<FieldError> {
    match parse(text, Path::new("broken.toml")) {
        Err(ConfigError::Invalid { errors, .. }) => errors,
        Err(e) => panic!("unexpected error kind: {e}"),
        Ok(_) => panic!("config was accepted"),
    }
}

#[test]
fn every_file_in_the_config_directory_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("config dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(&path).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 3, "expected the three example configs, found {n}");
}

#[test]
fn copper_example_has_the_shfe_and_lme_contract_specs() {
    let c = example("example.toml");
    let cu = &c.instruments[0];
    assert_eq!(
        (cu.symbol.as_str(), cu.tick_size, cu.tick_decimals),
        ("cu2505", 10.0, 0)
    );
    assert_eq!(cu.lot_base, BaseQty(5 * Unit::Tonne.base_quanta()));
    let lme = &c.instruments[1];
    assert_eq!(
        (lme.tick_size, lme.tick_decimals, lme.lot_unit),
        (0.5, 1, Unit::Tonne)
    );
    assert_eq!(lme.lot_base, BaseQty(25 * Unit::Tonne.base_quanta()));
    assert_eq!(c.venues[0].sessions.len(), 4);
    let night = c.venues[0].sessions[0];
    assert_eq!(
        (night.open_s, night.close_s, night.night, night.days),
        (21 * 3600, 3600, true, 0b1_1111)
    );
    assert_eq!(c.venues[0].gateway, GatewayKind::Ctp);
    assert_eq!(c.venues[1].time_zone, chrono_tz::Europe::London);
    let SpreadForm::ImportParity { vat, .. } = c.pair.form else {
        panic!("import parity expected, got {:?}", c.pair.form);
    };
    assert_eq!(vat, 0.13);
    assert_eq!(c.pair.fx, Fx::Fixed(7.17));
    assert_eq!(c.pair.spread_tick, 10.0);
    assert_eq!(
        c.risk.position_max,
        BaseQty(100 * Unit::Tonne.base_quanta())
    );
    assert_eq!(
        c.risk.naked_exposure_max,
        BaseQty(50 * Unit::Tonne.base_quanta())
    );
    assert_eq!(c.receipts.fsync, FsyncPolicy::Batch(256));
    assert_eq!(c.threads.receipts.idle, Idle::SleepUs(100));
    assert_eq!(c.threads.metrics.core, None);
}

#[test]
fn copper_example_replays_a_synthetic_feed_against_a_faulty_exchange() {
    let c = example("example.toml");
    let synth = c.replay.synth.as_ref().expect("synth");
    assert_eq!(synth.start_date.to_string(), "2025-03-03");
    assert_eq!(synth.start_date.format("%a").to_string(), "Mon");
    assert_eq!(synth.days, 2);
    assert_eq!(c.replay.sim.len(), c.venues.len());
    for (i, s) in c.replay.sim.iter().enumerate() {
        assert_eq!(s.venue.idx(), i, "sim is indexed by venue id");
        assert!(s.reject_prob > 0.0 && s.ack_loss_prob > 0.0);
    }
    let lme = &c.replay.sim[1];
    assert_eq!(lme.order_latency.fixed_ns, 90_000_000);
    assert_eq!(
        lme.disconnects[0].end_ns - lme.disconnects[0].start_ns,
        5_000_000_000
    );
}

#[test]
fn relative_paths_are_resolved_against_the_config_directory() {
    let c = example("example.toml");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    assert_eq!(c.receipts.dir, dir.join("../target/receipts/example"));
    assert_eq!(
        c.risk.kill_switch_file,
        Some(dir.join("../target/crossarb-example.kill"))
    );
}

#[test]
fn live_fx_example_names_the_usdcnh_instrument() {
    let c = example("shfe-cu-lme.toml");
    let Fx::Live {
        instrument,
        stale_ms_max,
    } = c.pair.fx
    else {
        panic!("live fx expected, got {:?}", c.pair.fx);
    };
    let fx = &c.instruments[instrument.idx()];
    assert_eq!(
        (fx.symbol.as_str(), fx.tick_decimals, fx.lot_unit),
        ("USDCNH", 4, Unit::Unit)
    );
    assert_eq!(stale_ms_max, 5000);
    assert!(
        c.replay.sim.iter().all(|s| s.reject_prob == 0.0),
        "no [replay]: default sim"
    );
    assert_eq!(c.replay.sim.len(), 3);
}

#[test]
fn gold_example_converts_troy_ounces_exactly() {
    let c = example("shfe-au-comex.toml");
    let au = &c.instruments[c.pair.domestic.idx()];
    let gc = &c.instruments[c.pair.overseas.idx()];
    assert_eq!((au.tick_size, au.tick_decimals), (0.02, 2));
    assert_eq!(au.lot_base, BaseQty(1000 * Unit::Gram.base_quanta()));
    assert_eq!(gc.lot_base, BaseQty(100 * 311_034_768));
    let SpreadForm::ImportParity {
        unit_conversion, ..
    } = c.pair.form
    else {
        panic!("import parity expected");
    };
    assert!((unit_conversion - 1.0 / 31.103_476_8).abs() < 1e-15);
    let night = c.venues[0].sessions[0];
    assert_eq!((night.open_s, night.close_s), (21 * 3600, 2 * 3600 + 1800));
    let globex = c.venues[1].sessions[0];
    assert_eq!(
        (globex.open_s, globex.close_s, globex.days),
        (18 * 3600, 17 * 3600, 0b100_1111)
    );
    assert_eq!(
        c.risk.position_max,
        BaseQty(100_000 * Unit::Gram.base_quanta())
    );
}

#[test]
fn the_hash_depends_on_the_content_not_on_where_the_file_lives() {
    let text = include_str!("../config/example.toml");
    let a = parse(text, Path::new("config/example.toml")).expect("valid");
    let b = parse(text, Path::new("/elsewhere/copy.toml")).expect("valid");
    assert_eq!(a.source.hash, b.source.hash);
    assert_ne!(a.source.hash, 0);
    let edited = text.replacen("cooldown_ms = 1000", "cooldown_ms = 1001", 1);
    let c = parse(&edited, Path::new("config/example.toml")).expect("valid");
    assert_ne!(a.source.hash, c.source.hash);
}

#[test]
fn several_errors_are_reported_together_in_file_order_with_lines() {
    let text = include_str!("../config/example.toml")
        .replacen("tick_size = 10", "tick_size = -10", 1)
        .replacen("exit_band_ticks = 10.0", "exit_band_ticks = 40.0", 1)
        .replacen("ack_timeout_ms = 500", "ack_timeout_ms = 0", 1)
        .replacen("segment_bytes = 67108864", "segment_bytes = 100", 1)
        .replacen("reject_prob = 0.05", "reject_prob = 2", 1);
    let line = |needle: &str| {
        text[..text.find(needle).expect("edited")]
            .matches('\n')
            .count()
            + 1
    };
    let got: Vec<(String, Option<usize>)> = errors(&text)
        .into_iter()
        .map(|e| (e.path, e.line))
        .collect();
    let want = [
        ("instruments[0].tick_size", line("tick_size = -10")),
        ("pair.exit_band_ticks", line("exit_band_ticks = 40.0")),
        ("execution.ack_timeout_ms", line("ack_timeout_ms = 0")),
        ("receipts.segment_bytes", line("segment_bytes = 100")),
        ("replay.sim[0].reject_prob", line("reject_prob = 2")),
    ];
    let want: Vec<(String, Option<usize>)> = want
        .iter()
        .map(|(p, l)| (p.to_string(), Some(*l)))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_band_error_reads_like_the_style_guide() {
    let text = include_str!("../config/example.toml").replacen(
        "exit_band_ticks = 10.0",
        "exit_band_ticks = 40.0",
        1,
    );
    let e = &errors(&text)[0];
    let line = text[..text.find("exit_band_ticks = 40").expect("edited")]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(
        e.to_string(),
        format!("pair.exit_band_ticks: must be smaller than pair.entry_band_ticks (40 ≥ 30) (line {line})")
    );
}

#[test]
fn a_misspelled_key_is_reported_with_its_table_and_line() {
    let text = include_str!("../config/example.toml").replacen("lot_size = 25", "lot_sise = 25", 1);
    let e = &errors(&text)[0];
    assert_eq!(e.path, "instruments[1].lot_sise");
    assert_eq!(
        e.line,
        Some(
            text[..text.find("lot_sise").expect("edited")]
                .matches('\n')
                .count()
                + 1
        )
    );
    assert!(e.message.contains("unknown field `lot_sise`"), "{e}");
}

#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let text = include_str!("../config/example.toml").replacen(
        "cooldown_ms = 1000",
        "cooldown_ms = 1000 ms",
        1,
    );
    let e = &errors(&text)[0];
    assert_eq!(
        e.line,
        Some(
            text[..text.find("cooldown_ms =").expect("edited")]
                .matches('\n')
                .count()
                + 1
        )
    );
    assert!(e.path.starts_with("pair"), "{e}");
}

#[test]
fn a_wrong_type_is_reported_with_the_key() {
    let text = include_str!("../config/example.toml").replacen(
        "cooldown_ms = 1000",
        "cooldown_ms = \"1s\"",
        1,
    );
    let e = &errors(&text)[0];
    assert_eq!(e.path, "pair.cooldown_ms");
    assert!(e.message.contains("expected i64"), "{e}");
}

#[test]
fn missing_sections_are_each_reported() {
    let got: Vec<String> = errors("").into_iter().map(|e| e.path).collect();
    for section in [
        "venues",
        "instruments",
        "pair",
        "execution",
        "risk",
        "receipts",
    ] {
        assert!(
            got.contains(&section.to_string()),
            "{section} missing from {got:?}"
        );
    }
}

#[test]
fn holidays_can_be_read_from_a_file_next_to_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("shfe.txt"),
        "# SHFE\n2025-01-01\n\n2025-01-28 # Spring Festival\n",
    )
    .expect("write");
    let text = include_str!("../config/example.toml").replacen(
        "holidays = [\n",
        "holidays = \"shfe.txt\"\nold_holidays = [\n",
        1,
    );
    // Drop the inline list that followed (it is now under an unknown key).
    let start = text.find("old_holidays").expect("edited");
    let end = start + text[start..].find("]\n").expect("list end") + 2;
    let text = format!("{}{}", &text[..start], &text[end..]);
    let path: PathBuf = dir.path().join("cfg.toml");
    let c = parse(&text, &path).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<String> = c.venues[0].holidays.iter().map(|d| d.to_string()).collect();
    assert_eq!(got, ["2025-01-01", "2025-01-28"]);
    std::fs::write(dir.path().join("shfe.txt"), "2025-13-01\n").expect("write");
    let e = match parse(&text, &path) {
        Err(ConfigError::Invalid { errors, .. }) => errors,
        other => panic!("expected invalid, got {other:?}"),
    };
    assert_eq!(e[0].path, "venues[0].holidays");
    assert!(e[0].message.contains("shfe.txt:1"), "{}", e[0]);
}
