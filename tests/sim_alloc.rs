//! The simulated exchange allocates nothing in steady state: every queue is preallocated at
//! construction. Counted with a per-thread counting allocator (the test harness's own threads
//! do not count).

mod alloc_support;
mod sim_fixture;

use crossarb::domain::{Px, Qty, Quote, Side, TsNs, NS_PER_MS};
use crossarb::exec::msg::{OrderId, OrderRequest, RequestKind, Tif};
use crossarb::sim::{SimExchange, SimLimits};
use sim_fixture::*;

#[test]
fn submitting_matching_and_delivering_allocates_nothing_after_construction() {
    let mut cfg = cu_lme();
    cfg.replay.sim[0].reject_prob = 0.1;
    cfg.replay.sim[0].ack_loss_prob = 0.1;
    let mut ex = SimExchange::from_config(&cfg, SimLimits::DEFAULT).unwrap();
    let mut delivered = 0u64;
    let before = alloc_support::this_thread();
    for step in 0..5_000i64 {
        let t = TsNs(step * NS_PER_MS);
        ex.pop_due(t, &mut |_| delivered += 1).unwrap();
        let q = Quote {
            ts_exchange: t,
            ts_recv: t,
            bid_px: Px(77_000 + step % 4),
            ask_px: Px(77_002 + step % 4),
            bid_qty: Qty(5),
            ask_qty: Qty(3),
            venue: SHFE,
            instrument: CU,
            ..Quote::default()
        };
        ex.on_market(&q).unwrap();
        let tif = if step % 2 == 0 { Tif::Ioc } else { Tif::Limit };
        let req = OrderRequest {
            order: OrderId(step as u32),
            instrument: CU,
            kind: RequestKind::New {
                side: Side::Buy,
                px: Px(77_002),
                qty: Qty(4),
                tif,
            },
            ts: t,
        };
        ex.submit(&req, t, &mut |_, _| true).unwrap();
        let cancel = OrderRequest {
            kind: RequestKind::Cancel,
            ..req
        };
        ex.submit(&cancel, t, &mut |_, _| true).unwrap();
    }
    assert_eq!(
        alloc_support::this_thread() - before,
        0,
        "allocations in steady state"
    );
    assert!(
        delivered > 10_000,
        "the loop did real work: {delivered} reports"
    );
}
