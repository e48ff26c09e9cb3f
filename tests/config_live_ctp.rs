//! `[[live.ctp]]` validation: the CTP session of a venue with `gateway = "ctp"` (front, broker
//! id, user, password and auth code as `env:NAME`, app id, flow directory, CTP exchange per
//! instrument), one test per rule, each error naming its field path and line; and the mapping
//! to the session config, whose credentials come from the environment.

use std::path::Path;

use crossarb::config::{parse, Config, ConfigError, FieldError};
use crossarb::domain::InstrumentId;
use crossarb::gateway::ctp::live::session_config;
use crossarb::gateway::ctp::SecretError;

/// config/example.toml: SHFE cu2505 (`gateway = "ctp"`) against LME CA3M (`gateway = "fix"`).
const EXAMPLE: &str = include_str!("../config/example.toml");

const CTP: &str = r#"
[live]
[[live.ctp]]
venue = "SHFE"
front = "tcp://180.168.146.187:10201"
broker_id = "9999"
user_id = "env:CTP_USER"
password = "env:CTP_PASSWORD"
app_id = "simnow_client_test"
auth_code = "env:CTP_AUTH_CODE"
flow_dir = "ctp-flow"
instruments = [{ symbol = "cu2505", exchange = "SHFE" }]
"#;

fn text(from: &str, to: &str) -> String {
    assert!(CTP.contains(from), "the CTP block has no {from:?}");
    format!("{EXAMPLE}{}", CTP.replacen(from, to, 1))
}

fn parsed(from: &str, to: &str) -> Result<Config, Vec<FieldError>> {
    match parse(&text(from, to), Path::new("config/desk.toml")) {
        Ok(c) => Ok(c),
        Err(ConfigError::Invalid { errors, .. }) => Err(errors),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

/// Edits the CTP block and asserts the only error is at `path`, on the line of `to`, and
/// says `says`.
fn rejects(from: &str, to: &str, path: &str, says: &str) {
    let errors = parsed(from, to).expect_err("edited config must be rejected");
    let listed: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1, "expected one error at {path}: {listed:#?}");
    let t = text(from, to);
    let at = EXAMPLE.len() + CTP.find(from).unwrap();
    let line = t[..at].matches('\n').count() + 1;
    assert_eq!(errors[0].path, path, "{listed:?}");
    assert_eq!(errors[0].line, Some(line), "{listed:?}");
    assert!(
        errors[0].message.contains(says),
        "{listed:?} should say {says:?}"
    );
}

fn env(k: &str) -> Option<String> {
    match k {
        "CTP_USER" => Some("u-123".into()),
        "CTP_PASSWORD" => Some("pw-never-printed".into()),
        "CTP_AUTH_CODE" => Some("0000000000000000".into()),
        _ => None,
    }
}

#[test]
fn a_ctp_session_is_read_with_its_front_credentials_flow_dir_and_exchanges() {
    let cfg = parsed("", "").unwrap();
    let c = &cfg.live.ctp[0];
    assert_eq!(c.venue, cfg.venues[0].id);
    assert_eq!(c.front, "tcp://180.168.146.187:10201");
    assert_eq!(
        (c.broker_id.as_str(), c.password.as_str()),
        ("9999", "env:CTP_PASSWORD"),
        "kept as written: the secret itself is never in the config"
    );
    assert_eq!(
        c.flow_dir,
        Path::new("config/ctp-flow"),
        "relative to the file"
    );
    assert_eq!(c.instruments[0].instrument, InstrumentId(0));
    assert_eq!(c.instruments[0].exchange, "SHFE");
    let shown = serde_json::to_string(&cfg).unwrap();
    assert!(!shown.contains("pw-never-printed"));
}

#[test]
fn the_session_config_resolves_credentials_from_the_environment() {
    let cfg = parsed("", "").unwrap();
    let sc = session_config(&cfg, 0, env).unwrap();
    assert_eq!(sc.credentials.user_id.expose(), "u-123");
    assert_eq!(sc.credentials.password.expose(), "pw-never-printed");
    assert_eq!(sc.credentials.broker_id.expose(), "9999");
    assert_eq!(
        sc.flow_dir, "config/ctp-flow/",
        "the API appends file names to it"
    );
    assert_eq!(
        (
            sc.instruments[0].symbol.as_str(),
            sc.instruments[0].exchange.as_str()
        ),
        ("cu2505", "SHFE")
    );
    assert_eq!(sc.instruments[0].tick_size, 10.0);
    assert!(!format!("{sc:?}").contains("pw-never-printed"));
}

#[test]
fn a_missing_environment_variable_names_the_entry_field_and_variable_not_a_value() {
    let cfg = parsed("", "").unwrap();
    let e = session_config(&cfg, 0, |k| (k != "CTP_PASSWORD").then(|| "x".into())).unwrap_err();
    assert_eq!(
        e.source,
        SecretError::EnvMissing {
            field: "password",
            var: "CTP_PASSWORD".into()
        }
    );
    let msg = e.to_string();
    assert!(msg.starts_with("config/desk.toml: live.ctp[0]: "), "{msg}");
    assert!(
        msg.contains("`password`") && msg.contains("CTP_PASSWORD"),
        "{msg}"
    );
}

#[test]
fn password_and_auth_code_must_name_an_environment_variable() {
    rejects(
        "password = \"env:CTP_PASSWORD\"",
        "password = \"hunter2\"",
        "live.ctp[0].password",
        "env:NAME",
    );
    rejects(
        "auth_code = \"env:CTP_AUTH_CODE\"",
        "auth_code = \"0000000000000000\"",
        "live.ctp[0].auth_code",
        "env:NAME",
    );
    rejects(
        "user_id = \"env:CTP_USER\"",
        "user_id = \"env:CTP-USER\"",
        "live.ctp[0].user_id",
        "environment variable name",
    );
}

#[test]
fn the_front_is_a_tcp_address_with_a_port() {
    rejects(
        "front = \"tcp://180.168.146.187:10201\"",
        "front = \"180.168.146.187:10201\"",
        "live.ctp[0].front",
        "tcp://host:port",
    );
    rejects(
        "front = \"tcp://180.168.146.187:10201\"",
        "front = \"tcp://180.168.146.187\"",
        "live.ctp[0].front",
        "tcp://host:port",
    );
}

#[test]
fn each_instrument_names_a_ctp_exchange() {
    rejects(
        "exchange = \"SHFE\"",
        "exchange = \"SHF\"",
        "live.ctp[0].instruments[0].exchange",
        "\"INE\"",
    );
}

#[test]
fn every_instrument_of_the_venue_needs_its_exchange() {
    rejects(
        "instruments = [{ symbol = \"cu2505\", exchange = \"SHFE\" }]",
        "instruments = []",
        "live.ctp[0].instruments",
        "\"cu2505\" of this venue has no entry",
    );
}

#[test]
fn listed_instruments_belong_to_the_venue() {
    rejects(
        "symbol = \"cu2505\"",
        "symbol = \"CA3M\"",
        "live.ctp[0].instruments[0].symbol",
        "not an instrument of this venue",
    );
    rejects(
        "symbol = \"cu2505\"",
        "symbol = \"cu2506\"",
        "live.ctp[0].instruments[0].symbol",
        "must name an [[instruments]] entry",
    );
}

#[test]
fn a_ctp_session_needs_a_venue_with_gateway_ctp() {
    let errors = parsed("venue = \"SHFE\"", "venue = \"LME\"").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.path == "live.ctp[0].venue" && e.message.contains("gateway = \"ctp\"")),
        "{errors:#?}"
    );
}

#[test]
fn missing_fields_are_each_reported_at_the_entry() {
    let errors = parsed("flow_dir = \"ctp-flow\"\n", "").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].path, "live.ctp[0].flow_dir");
    assert!(errors[0].line.is_some());
}

#[test]
fn a_live_section_without_ctp_keeps_its_hash() {
    // The empty list is left out of the canonical JSON: hashes in old receipts stay valid.
    let demo = crossarb::config::load(Path::new("config/live-demo.toml")).unwrap();
    assert!(!demo.live.is_empty());
    assert!(!serde_json::to_string(&demo).unwrap().contains("\"ctp\""));
}

/// `crossarb run --config <text>`: (exit code, stderr). Refused before anything is bound.
fn run(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.toml");
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossarb"))
        .args(["run", "--seconds", "1", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_refuses_a_ctp_venue_without_its_session_naming_the_field() {
    let (code, err) = run(EXAMPLE);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("venues[0].gateway = \"ctp\"") && err.contains("needs a [[live.ctp]] entry"),
        "{err}"
    );
}

#[cfg(not(feature = "ctp"))]
#[test]
fn run_built_without_feature_ctp_says_so_naming_the_field() {
    let (code, err) = run(&text("", ""));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("venues[0].gateway = \"ctp\"")
            && err.contains("live.ctp[0]")
            && err.contains("--features ctp"),
        "{err}"
    );
}
