//! Zero allocation in steady state, end to end: a replay of the example's synthetic two-day feed
//! (engine, simulated exchange with rejects and lost acks, receipt writer, summary) allocates
//! nothing between its progress reports once warm. The replay reports progress every 65,536
//! quotes; the window checked runs from the second report to the last full one.

mod alloc_support;
mod replay_support;

use crossarb::replay::{self, Merge};

#[test]
fn replay_allocates_nothing_in_steady_state() {
    let cfg = replay_support::config_with("example.toml", &[]);
    let input = replay::input_from_config(&cfg).expect("synthetic input");
    let quotes = {
        let mut m = input;
        let mut v = Vec::new();
        while let Some(q) = m.next() {
            v.push(q);
        }
        v
    };
    let n = quotes.len() as u64;
    let input = Merge::from_quotes(&cfg, quotes, "alloc test");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut marks = [(0u64, 0u64); 16];
    let mut k = 0;
    let mut progress = |done: u64, _total: u64| {
        if k < marks.len() {
            marks[k] = (done, alloc_support::this_thread());
            k += 1;
        }
    };
    let report = replay::run(&cfg, input, dir.path().join("r"), &mut progress).expect("replay");
    assert!(
        report.summary.tickets > 0,
        "the window must include trading"
    );
    let full: Vec<(u64, u64)> = marks[..k].iter().copied().filter(|(d, _)| *d < n).collect();
    assert!(full.len() >= 4, "too few progress marks: {full:?}");
    let (from, to) = (full[1], full[full.len() - 1]);
    assert_eq!(
        to.1 - from.1,
        0,
        "allocations between quote {} and quote {}",
        from.0,
        to.0
    );
}
