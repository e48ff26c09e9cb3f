//! The whole live path on 127.0.0.1 with the real binary: `crossarb venue-sim` serves the demo
//! config's synthetic feed over UDP at 400× and accepts FIX orders; `crossarb run` trades it for
//! a bounded time and is stopped with SIGINT. Asserts tickets and fills in a complete, CRC-valid
//! receipt log ending in `Stop`; that replaying the run's capture and input journal with
//! `crossarb replay --journal` writes the same receipt log, record for record (every trigger
//! decision, order, fill and ticket state, with the same timestamps: the journal carries the
//! `now` of every engine input, so no field is left to the wall clock) and the same
//! `crossarb receipts --summary`; that a journal whose recorded order was altered is refused with
//! the index of the input that diverged; and that replaying the capture against the simulated
//! exchange raises the same first opportunity.
//!
//! Why (side, domestic price, overseas price) of each opportunity and not whole receipts: live,
//! orders meet the venue simulator's exchange in wall-clock time, replay meets the simulated
//! exchange in simulated time, so fills (and hence ticket timing) can differ by microseconds;
//! the trigger's decisions depend only on the quotes (recorded with their receive stamps) and on
//! the position each ticket leaves, so their sequence must be the same. The run is cut at the
//! first opportunity whose ticket is still open at SIGINT on either side.
//!
//! Bounded: venue-sim stops itself after 25 s; every wait has a limit. Ports 41201-41302 (the
//! demo uses 41001-41102).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crossarb::feed::journal::{kind, Record, RECORD_BYTES};
use crossarb::receipt::event::Kind;
use crossarb::receipt::ReceiptReader;

const BIN: &str = env!("CARGO_BIN_EXE_crossarb");

fn config(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string("config/live-demo.toml").unwrap();
    let text = text
        .replace("127.0.0.1:410", "127.0.0.1:412")
        .replace("127.0.0.1:411", "127.0.0.1:413")
        .replace("../target/receipts/live-demo", "receipts")
        .replace("../target/crossarb-live-demo.kill", "kill");
    let path = dir.join("live.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// (kind, side, dom_px, ovs_px) of every opportunity, plus the whole log's kinds.
fn read(dir: &Path) -> (Vec<(u8, i64, i64)>, Vec<Kind>) {
    let mut opps = Vec::new();
    let mut kinds = Vec::new();
    for r in ReceiptReader::open(dir).unwrap() {
        let r = r.unwrap_or_else(|e| panic!("receipt log {} is damaged: {e}", dir.display()));
        let k = r.kind().expect("known kind");
        if k == Kind::Opportunity {
            opps.push((r.payload.side, r.payload.px.0, r.payload.b));
        }
        kinds.push(k);
    }
    (opps, kinds)
}

/// Every record of a receipt log.
fn records(dir: &Path) -> Vec<crossarb::receipt::reader::Record> {
    ReceiptReader::open(dir)
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("receipt log {} is damaged: {e}", dir.display())))
        .collect()
}

fn replay_session(cfg: &Path, capture: &Path, journal: &Path, out: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(["replay", "--config"])
        .arg(cfg)
        .arg("--feed")
        .arg(capture)
        .arg("--journal")
        .arg(journal)
        .arg("--receipts")
        .arg(out)
        .output()
        .unwrap()
}

/// `crossarb receipts DIR --summary --json`, without the path it names.
fn summary(dir: &Path) -> serde_json::Value {
    let out = Command::new(BIN)
        .arg("receipts")
        .arg(dir)
        .args(["--summary", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "receipts --summary: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    if let Some(m) = v.as_object_mut() {
        m.retain(|k, _| !k.contains("dir") && !k.contains("path"));
    }
    v
}

/// Session replay: the whole live log again, record by record, and the same summary.
fn assert_session_replays(tmp: &Path, cfg: &Path, live: &Path) {
    let (capture, journal) = (live.with_extension("cap"), live.with_extension("journal"));
    let out = tmp.join("session");
    let rep = replay_session(cfg, &capture, &journal, &out);
    assert!(
        rep.status.success(),
        "replay --journal: {}",
        String::from_utf8_lossy(&rep.stderr)
    );
    eprintln!("session replay:\n{}", String::from_utf8_lossy(&rep.stdout));
    let (a, b) = (records(live), records(&out));
    let opps = a
        .iter()
        .filter(|r| r.kind() == Some(Kind::Opportunity))
        .count();
    let orders = a
        .iter()
        .filter(|r| r.kind() == Some(Kind::OrderNew))
        .count();
    assert!(
        opps >= 2 && orders >= 2,
        "a log with several decisions: {opps} opportunities, {orders} orders"
    );
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "receipt {i} differs: live {x:?}, replayed {y:?}");
    }
    assert_eq!(
        a.len(),
        b.len(),
        "live log {} records, replayed {}",
        a.len(),
        b.len()
    );
    assert_eq!(
        summary(live),
        summary(&out),
        "receipts --summary of live and replay"
    );

    // Alter the first recorded order: the replay must refuse, naming that order's input.
    let mut bytes = std::fs::read(&journal).unwrap();
    let at = (RECORD_BYTES..bytes.len())
        .step_by(RECORD_BYTES)
        .find(|&o| bytes[o + 4] == kind::ORDER)
        .expect("the journal records orders");
    let mut r: Record = bytemuck::pod_read_unaligned(&bytes[at..at + RECORD_BYTES]);
    r.a += 1;
    r.crc = r.compute_crc();
    bytes[at..at + RECORD_BYTES].copy_from_slice(bytemuck::bytes_of(&r));
    let altered = tmp.join("altered.journal");
    std::fs::write(&altered, &bytes).unwrap();
    let rep = replay_session(cfg, &capture, &altered, &tmp.join("altered"));
    let err = String::from_utf8_lossy(&rep.stderr);
    assert_eq!(
        rep.status.code(),
        Some(2),
        "an altered journal is refused: {err}"
    );
    let want = format!("input {} (byte ", r.input);
    assert!(
        err.contains(&want) && err.contains("diverged"),
        "names input {}: {err}",
        r.input
    );
}

fn wait(child: &mut std::process::Child, what: &str, limit_ms: u64) -> std::process::ExitStatus {
    for _ in 0..limit_ms / 10 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("{what} did not exit within {limit_ms} ms");
}

#[test]
fn venue_sim_and_run_trade_on_loopback_and_the_session_replays_to_the_same_receipts() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path());
    let receipts = tmp.path().join("live");
    let mut sim = Command::new(BIN)
        .args(["venue-sim", "--config"])
        .arg(&cfg)
        .args(["--speed", "400", "--seconds", "25"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let mut run = Command::new(BIN)
        .args(["run", "--config"])
        .arg(&cfg)
        .arg("--receipts")
        .arg(&receipts)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(16));
    let killed = Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait(&mut run, "crossarb run after SIGINT", 10_000);
    let out = run.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.success(),
        "run exit {status}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("tick-to-order"),
        "latency table printed: {stdout}"
    );
    let _ = Command::new("kill")
        .args(["-INT", &sim.id().to_string()])
        .status();
    wait(&mut sim, "venue-sim after SIGINT", 10_000);

    let (live_opps, kinds) = read(&receipts);
    assert_eq!(kinds.first(), Some(&Kind::Start));
    assert_eq!(
        kinds.last(),
        Some(&Kind::Stop),
        "a complete log ends in Stop"
    );
    let count = |k: Kind| kinds.iter().filter(|x| **x == k).count();
    assert!(count(Kind::TicketOpen) >= 1, "tickets: {kinds:?}");
    assert!(count(Kind::Fill) >= 1, "fills: {kinds:?}");
    assert_session_replays(tmp.path(), &cfg, &receipts);

    let replayed = tmp.path().join("replay");
    let rep = Command::new(BIN)
        .args(["replay", "--config"])
        .arg(&cfg)
        .arg("--feed")
        .arg(receipts.with_extension("cap"))
        .arg("--receipts")
        .arg(&replayed)
        .output()
        .unwrap();
    assert!(
        rep.status.success(),
        "replay: {}",
        String::from_utf8_lossy(&rep.stderr)
    );
    let (replay_opps, _) = read(&replayed);
    assert!(
        !live_opps.is_empty() && !replay_opps.is_empty(),
        "live {live_opps:?} replay {replay_opps:?}"
    );
    // The first decision is made on the same book in both runs and must be identical. Later
    // ones depend on the executor's state (an open ticket refuses, the cooldown counts from the
    // ticket), which live runs on wall-clock fills and replay on simulated ones: a CI run
    // (2 loaded cores) saw the third opportunity one quote apart (7770 live, 7769 replayed), so
    // whole-sequence equality is not a property of a live run; see the issue note.
    assert_eq!(
        live_opps[0], replay_opps[0],
        "live {live_opps:?} replay {replay_opps:?}"
    );
}
