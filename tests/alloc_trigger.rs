//! The hot path allocates nothing in steady state: the trigger thread's work per quote
//! (`BookTable::on_quote` + `SpreadTrigger::evaluate` + lot plan + `RiskGate::check_entry`), the
//! executor's `open` / `on_report` / `on_timer` over a scripted venue with one reused `Outbox`,
//! and `ReceiptWriter::append` of every receipt they produce. Everything is built from
//! `config/example.toml` before the counted window; a per-thread counting allocator counts
//! only inside it (the test harness's own threads never count).

mod alloc_support;
#[path = "../benches/support/quotes.rs"]
mod quotes;

use std::path::Path;

use alloc_support::allocations_in;
use crossarb::config::{Config, FsyncPolicy};
use crossarb::domain::{InstrumentId, Qty, Side, TsNs, NS_PER_SEC};
use crossarb::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};
use crossarb::exec::{Executor, LegMarket, LegSpec, MarketView, Outbox, TicketSpec};
use crossarb::receipt::event::{Event, Kind};
use crossarb::receipt::ReceiptWriter;
use crossarb::trigger::{
    align_lots, BookTable, KillSwitch, NoSignal, Proposal, ResidualLedger, RiskGate, SpreadTrigger,
};

fn example() -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    crossarb::config::load(&path).expect("config/example.toml loads")
}

#[test]
fn book_table_spread_trigger_and_risk_gate_allocate_nothing_per_quote() {
    let cfg = example();
    let ins = &cfg.instruments;
    let (dom, ovs) = (&ins[cfg.pair.domestic.idx()], &ins[cfg.pair.overseas.idx()]);
    let mut books = BookTable::new(&cfg.venues, ins).unwrap();
    let mut trig = SpreadTrigger::new(&cfg.pair, ins).unwrap();
    let risk = RiskGate::new(&cfg.risk, &cfg.pair, ins, KillSwitch::new()).unwrap();
    let ledger = ResidualLedger::new(dom.lot_base, ovs.lot_base, cfg.pair.domestic_lots_max);
    let ratio = align_lots(
        dom.lot_base,
        ovs.lot_base,
        cfg.pair.domestic_lots_max,
        cfg.pair.overseas_lots_max,
    )
    .unwrap();
    let mut stream = quotes::stream(&cfg, 4096, 7);
    let (mut in_band, mut signals) = (0u64, 0u64);
    let mut feed = |stream: &[crossarb::domain::Quote]| {
        for q in stream {
            books.on_quote(q);
            match trig.evaluate(&mut books, q.ts_recv) {
                Ok(opp) => {
                    signals += 1;
                    let lots = ledger.plan(opp.side, ratio);
                    let p = Proposal {
                        dom_side: opp.side,
                        dom_lots: lots.dom_lots,
                        ovs_lots: lots.ovs_lots,
                        dom_px: opp.dom_px,
                        ovs_px: opp.ovs_px,
                        fx: opp.fx,
                    };
                    match risk.check_entry(&p, q.ts_recv) {
                        Ok(()) => trig.confirm(&opp),
                        Err(_) => trig.decline(&opp),
                    }
                }
                Err(NoSignal::InBand { .. }) => in_band += 1,
                Err(_) => {}
            }
        }
    };
    feed(&stream); // warm-up: first quotes, calendar windows
    quotes::advance(&mut stream);
    let n = allocations_in(|| {
        for _ in 0..8 {
            feed(&stream);
            quotes::advance(&mut stream);
        }
    });
    assert_eq!(n, 0, "allocations while feeding 8 x 4096 quotes");
    assert!(
        signals > 0 && in_band > 8 * 4096 / 2,
        "the stream exercised both paths: {signals} signals, {in_band} in band"
    );
}

/// A scripted venue: acknowledges every new order, rejects the first order of every fourth
/// ticket's domestic leg, fills every third ticket's orders only partly, and fills the rest in
/// full at their limit; cancels are answered `Done` with nothing left.
struct Venue {
    pending: [OrderRequest; 64],
    n: usize,
}

impl Venue {
    fn take(&mut self, out: &mut Outbox) {
        let (pending, n) = (&mut self.pending, &mut self.n);
        out.drain_orders(|o| {
            assert!(*n < pending.len(), "Invariant: scripted venue queue bound");
            pending[*n] = o;
            *n += 1;
        });
    }

    fn answers(&self, o: &OrderRequest, ticket: u64, first: bool) -> [Option<ReportKind>; 3] {
        match o.kind {
            RequestKind::Cancel => [Some(ReportKind::Done { leaves: Qty(0) }), None, None],
            RequestKind::New { qty, px, .. } => {
                if first && ticket % 4 == 1 && o.instrument == InstrumentId(0) {
                    return [Some(ReportKind::Rejected(RejectReason::Venue)), None, None];
                }
                let filled = if ticket % 3 == 2 && qty.0 > 1 {
                    Qty(qty.0 / 2)
                } else {
                    qty
                };
                [
                    Some(ReportKind::Ack),
                    Some(ReportKind::Fill { px, qty: filled }),
                    Some(ReportKind::Done {
                        leaves: Qty(qty.0 - filled.0),
                    }),
                ]
            }
        }
    }
}

/// Appends every queued receipt and counts it by kind.
fn drain(out: &mut Outbox, w: &mut ReceiptWriter, kinds: &mut [u64; 32]) {
    out.drain_receipts(|e| {
        w.append(&e).expect("append");
        kinds[e.kind as usize] += 1;
    });
}

fn market() -> MarketView {
    let leg = |bid, qty| LegMarket {
        bid: crossarb::domain::Px(bid),
        ask: crossarb::domain::Px(bid + 1),
        bid_qty: Qty(qty),
        ask_qty: Qty(qty),
        tradable: true,
        ts: crossarb::domain::TsNs::ZERO,
    };
    MarketView {
        dom: leg(7_790, 50),
        ovs: leg(19_000, 10),
    }
}

#[test]
fn executor_and_receipt_writer_allocate_nothing_over_scripted_tickets() {
    let cfg = example();
    let (dom, ovs) = (cfg.pair.domestic, cfg.pair.overseas);
    let mut ex = Executor::new(&cfg.execution, dom, ovs);
    let mut out = Box::new(Outbox::new());
    let mut venue = Box::new(Venue {
        pending: [OrderRequest {
            order: Default::default(),
            instrument: dom,
            kind: RequestKind::Cancel,
            ts: TsNs(0),
        }; 64],
        n: 0,
    });
    let dir = tempfile::tempdir().unwrap();
    let mut w = ReceiptWriter::create(
        dir.path(),
        1,
        TsNs(quotes::START_NS),
        64 << 20,
        FsyncPolicy::Batch(256),
    )
    .unwrap();
    let mkt = market();
    let mut kinds = [0u64; 32];
    let mut run = |ticket: u64| {
        let t0 = TsNs(quotes::START_NS + ticket as i64 * 10 * NS_PER_SEC);
        let side = if ticket % 2 == 0 {
            Side::Sell
        } else {
            Side::Buy
        };
        let spec = TicketSpec {
            dom: LegSpec {
                instrument: dom,
                side,
                qty: Qty(10),
                trigger_px: mkt.dom.bid,
            },
            ovs: LegSpec {
                instrument: ovs,
                side: side.opposite(),
                qty: Qty(2),
                trigger_px: mkt.ovs.ask,
            },
            spread_side: side,
            opened_at: t0,
        };
        ex.start_trading_day(20250303 + (ticket / 200) as u32);
        ex.open(&spec, t0, &mkt, &mut out).expect("ticket opens");
        let mut now = t0;
        let mut first = true;
        for _round in 0..20 {
            drain(&mut out, &mut w, &mut kinds);
            venue.take(&mut out);
            if venue.n == 0 {
                break;
            }
            let n = std::mem::take(&mut venue.n);
            for i in 0..n {
                let o = venue.pending[i];
                for kind in venue.answers(&o, ticket, first).into_iter().flatten() {
                    now = now.plus_ns(1_000_000);
                    let rep = ExecReport {
                        order: o.order,
                        instrument: o.instrument,
                        kind,
                        ts_exchange: now,
                        ts_recv: now,
                    };
                    ex.on_report(&rep, now, &mkt, &mut out);
                    drain(&mut out, &mut w, &mut kinds);
                    venue.take(&mut out);
                }
            }
            first = false;
            now = now.plus_ns(600_000_000); // past ack timeout: repairs and deadlines
            ex.on_timer(now, &mkt, &mut out);
        }
        ex.on_timer(t0.plus_ns(9 * NS_PER_SEC), &mkt, &mut out);
        drain(&mut out, &mut w, &mut kinds);
        venue.take(&mut out);
        venue.n = 0;
    };
    for ticket in 0..40 {
        run(ticket);
    }
    let n = allocations_in(|| {
        for ticket in 40..400 {
            run(ticket);
        }
    });
    assert_eq!(n, 0, "allocations over 360 scripted tickets");
    assert_eq!(ex.open_tickets(), 0, "every ticket closed by its deadline");
    let k = |kind: Kind| kinds[kind as usize];
    assert_eq!(k(Kind::TicketClose), 400, "one close per ticket");
    assert!(
        k(Kind::OrderReject) >= 100 && k(Kind::OrderNew) > 2 * 400 + 100,
        "rejects and partial fills led to repair orders: {kinds:?}"
    );
    w.close().unwrap();
}

#[test]
fn receipt_writer_with_fsync_every_allocates_nothing_per_append() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = ReceiptWriter::create(
        dir.path(),
        1,
        TsNs(quotes::START_NS),
        64 << 20,
        FsyncPolicy::Every,
    )
    .unwrap();
    let ev = Event {
        kind: Kind::ALL[0],
        ts: quotes::START_NS,
        payload: Default::default(),
    };
    w.append(&ev).unwrap();
    let n = allocations_in(|| {
        for _ in 0..64 {
            w.append(&ev).unwrap();
        }
    });
    assert_eq!(n, 0, "allocations over 64 fsynced appends");
    assert_eq!(w.next_seq(), 66);
    w.close().unwrap();
}
