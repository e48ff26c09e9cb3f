//! `[live]` validation: one test per rule, each error naming its field path and line.

use std::path::Path;

use crossarb::config::{parse, ConfigError, FeedTransport};

fn with_live(live: &str) -> String {
    let base = std::fs::read_to_string("config/live-demo.toml").unwrap();
    let cut = base.find("\n[live]\n").unwrap() + 1;
    format!("{}{live}", &base[..cut])
}

fn errors(live: &str) -> Vec<String> {
    match parse(&with_live(live), Path::new("live.toml")) {
        Err(ConfigError::Invalid { errors, .. }) => errors.iter().map(|e| e.to_string()).collect(),
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("accepted:\n{live}"),
    }
}

const FIX_OK: &str = "sender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nheart_bt_s = 30\nreconnect_delay_ms = 100\nreset_on_logon = true\n";

#[test]
fn the_demo_live_section_validates_with_its_addresses() {
    let cfg = crossarb::config::load(Path::new("config/live-demo.toml")).unwrap();
    assert_eq!(cfg.live.feeds.len(), 2);
    assert_eq!(
        cfg.live.feeds[1].transport,
        FeedTransport::Udp("127.0.0.1:41002".parse().unwrap())
    );
    assert_eq!(cfg.live.fix[0].target_comp_id, "SIMSHFE");
    assert_eq!(cfg.live.speed, 20.0);
}

#[test]
fn a_config_without_live_keeps_its_hash() {
    let base = std::fs::read_to_string("config/live-demo.toml").unwrap();
    let cut = base.find("\n[live]\n").unwrap() + 1;
    let a = parse(&base[..cut], Path::new("a.toml")).unwrap();
    assert!(a.live.is_empty());
    let b = parse(&base, Path::new("a.toml")).unwrap();
    assert_ne!(
        a.source.hash, b.source.hash,
        "[live] is part of the hash when present"
    );
}

#[test]
fn a_feed_names_a_known_venue_once() {
    let e = errors("[live]\n[[live.feeds]]\nvenue = \"CME\"\nudp = \"127.0.0.1:1\"\n");
    assert!(
        e[0].starts_with("live.feeds[0].venue: must name a [[venues]] entry"),
        "{e:?}"
    );
    let e = errors("[live]\n[[live.feeds]]\nvenue = \"LME\"\nudp = \"127.0.0.1:1\"\n[[live.feeds]]\nvenue = \"LME\"\nudp = \"127.0.0.1:2\"\n");
    assert!(
        e[0].starts_with("live.feeds[1].venue: venue already has"),
        "{e:?}"
    );
}

#[test]
fn a_feed_takes_udp_or_tcp_as_an_ip_address_and_port() {
    let e = errors("[live]\n[[live.feeds]]\nvenue = \"LME\"\nudp = \"localhost:1\"\n");
    assert!(
        e[0].starts_with("live.feeds[0].udp: must be an IP address and port"),
        "{e:?}"
    );
    assert!(e[0].contains("(line "), "{e:?}");
    let e = errors(
        "[live]\n[[live.feeds]]\nvenue = \"LME\"\nudp = \"127.0.0.1:1\"\ntcp = \"127.0.0.1:2\"\n",
    );
    assert!(
        e[0].starts_with("live.feeds[0].tcp: give udp or tcp, not both"),
        "{e:?}"
    );
    let e = errors("[live]\n[[live.feeds]]\nvenue = \"LME\"\n");
    assert!(e[0].contains("needs udp = "), "{e:?}");
}

#[test]
fn a_fix_session_needs_a_fix_venue_and_printable_comp_ids() {
    let base = std::fs::read_to_string("config/example.toml").unwrap();
    let text =
        format!("{base}\n[live]\n[[live.fix]]\nvenue = \"SHFE\"\naddr = \"127.0.0.1:1\"\n{FIX_OK}");
    let Err(ConfigError::Invalid { errors, .. }) = parse(&text, Path::new("x.toml")) else {
        panic!("SHFE is a ctp venue in example.toml");
    };
    assert!(
        errors[0]
            .to_string()
            .contains("does not have gateway = \"fix\""),
        "{errors:?}"
    );
    let e = errors_of_fix("sender_comp_id = \"A B\"\ntarget_comp_id = \"B\"\nheart_bt_s = 30\nreconnect_delay_ms = 100\nreset_on_logon = true\n");
    assert!(
        e[0].starts_with("live.fix[0].sender_comp_id: must be 1 to 32 printable"),
        "{e:?}"
    );
    let e = errors_of_fix(
        "sender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nheart_bt_s = 0\nreconnect_delay_ms = 0\n",
    );
    assert!(
        e.iter()
            .any(|x| x.starts_with("live.fix[0].heart_bt_s: must be ≥ 1")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|x| x.starts_with("live.fix[0].reconnect_delay_ms: must be ≥ 1")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|x| x.starts_with("live.fix[0].reset_on_logon: is required")),
        "{e:?}"
    );
}

fn errors_of_fix(fields: &str) -> Vec<String> {
    errors(&format!(
        "[live]\n[[live.fix]]\nvenue = \"LME\"\naddr = \"127.0.0.1:1\"\n{fields}"
    ))
}

#[test]
fn the_venue_sim_speed_is_positive_and_bounded() {
    let e = errors("[live]\nspeed = 0.0\n");
    assert!(e[0].starts_with("live.speed: must be > 0"), "{e:?}");
    let e = errors("[live]\nspeed = 1e9\n");
    assert!(e[0].contains("≤ 100000"), "{e:?}");
}

#[test]
fn an_unknown_live_key_is_refused() {
    let e = errors("[live]\nspeeed = 2.0\n");
    assert!(e[0].contains("unknown field `speeed`"), "{e:?}");
}
