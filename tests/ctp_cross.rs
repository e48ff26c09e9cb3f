//! One engine, two real gateways: the domestic leg (SHFE gold) goes through the CTP gateway to
//! LocalCTP, the overseas leg (COMEX gold) through the FIX session to QuickFIX's acceptor
//! (`tests/fix_interop/acceptor.py`). The same ticks drive the [`Engine`] and LocalCTP's market
//! (a ReqQuoteInsert snapshot per domestic tick), so the counter fills the domestic orders at
//! the prices the engine decided on. A dislocated tick opens an entry ticket (sell SHFE, buy
//! COMEX); the tick back at parity opens the exit ticket (buy SHFE back — a CloseToday at the
//! counter — and sell COMEX). Both end balanced, flat, and the receipt log written by the
//! receipt writer and read back shows every leg filled.
//!
//! The domestic side is what `crossarb run` builds for a `[[live.ctp]]` entry: the runtime's
//! `CtpStage` (session + gateway, credentials from the environment), fed through its order ring
//! and read through its report ring, stepped on this thread.
//!
//! Its own binary: LocalCTP is process-global state (its database and `instrument.csv` live in
//! the working directory). `scripts/ctp-interop.sh` runs it in a scratch directory with
//! `CROSSARB_FIX_PYTHON` set to the fix-interop venv's python; without that it says SKIPPED.
//!
//! Time: the engine, the FIX session and LocalCTP's snapshots all run on wall-clock time (the
//! counter stamps its orders with it; QuickFIX checks SendingTime). The config's sessions are
//! around the clock and its timeouts generous, so a loaded machine does not change the outcome.

#[allow(dead_code)]
#[path = "fix_interop/driver.rs"]
mod driver;
#[path = "fix_support/mod.rs"]
mod fix_support;

mod localctp_support;

use std::time::Duration;

use crossarb::clock::{Clock, LiveClock};
use crossarb::config::{Config, FsyncPolicy};
use crossarb::domain::{InstrumentId, Px, Qty, Quote, TsNs};
use crossarb::engine::{Engine, OrderSink, ReceiptSink};
use crossarb::exec::codes::Outcome;
use crossarb::exec::msg::{ExecReport, OrderRequest};
use crossarb::gateway::ctp::Phase;
use crossarb::gateway::fix::{Event as FixEvent, SeqNums, Session, State};
use crossarb::receipt::event::{Event, Kind};
use crossarb::receipt::{ReceiptReader, ReceiptWriter};
use crossarb::runtime::pipeline::ctp_stage::CtpStage;
use crossarb::runtime::pipeline::engine_stage::OrderMsg;
use crossarb::runtime::Stage;
use crossarb::trigger::KillSwitch;
use driver::{Acceptor, Link};

const AU: InstrumentId = InstrumentId(0);
const GC: InstrumentId = InstrumentId(1);
/// SHFE gold tick, CNY/g.
const AU_TICK: f64 = 0.02;
/// Loop steps one wait may take (each ≤ one FIX read timeout, 20 ms): a bound, not a timing.
const STEPS_MAX: usize = 1_500;

const INSTRUMENT_CSV: &str = "InstrumentID,ExchangeID,InstrumentName,ExchangeInstID,ProductID,ProductClass,DeliveryYear,DeliveryMonth,MaxMarketOrderVolume,MinMarketOrderVolume,MaxLimitOrderVolume,MinLimitOrderVolume,VolumeMultiple,PriceTick,CreateDate,OpenDate,ExpireDate,StartDelivDate,EndDelivDate,InstLifePhase,IsTrading,PositionType,PositionDateType,LongMarginRatio,ShortMarginRatio,MaxMarginSideAlgorithm,UnderlyingInstrID,StrikePrice,OptionsType,UnderlyingMultiple,CombinationType\n\
au2612,SHFE,au2612,au2612,au,1,2026,12,30,1,500,1,1000,0.02,20250101,20250101,20261215,20261216,20261220,1,1,2,2,0.1,0.1,1,,0,0,1,0\n";

/// config/shfe-au-comex.toml reduced to a test: sessions around the clock, 3 SHFE lots against
/// 1 COMEX lot (3,000 g vs 3,110 g), generous timeouts. Parity: 1 USD/ozt of GC is
/// 0.0321507 × 7.17 = 0.23052 CNY/g; GC at 2,700.0 + 0.5 CNY/g costs = 622.906 CNY/g = 31,145.3
/// SHFE ticks.
const CONFIG: &str = r#"
[[venues]]
name = "SHFE"
time_zone = "Asia/Shanghai"
quote_age_ms_max = 60000
gateway = "ctp"
sessions = [{ open = "00:00", close = "23:59", days = "mon-sun" }]

[[venues]]
name = "COMEX"
time_zone = "America/New_York"
quote_age_ms_max = 60000
gateway = "fix"
sessions = [{ open = "00:00", close = "23:59", days = "mon-sun" }]

[[instruments]]
symbol = "au2612"
venue = "SHFE"
tick_size = 0.02
lot_size = 1000
lot_unit = "g"
currency = "CNY"
price_unit = "g"

[[instruments]]
symbol = "GCZ4"
venue = "COMEX"
tick_size = 0.1
lot_size = 100
lot_unit = "ozt"
currency = "USD"
price_unit = "ozt"

[pair]
name = "au-import"
domestic = "au2612"
overseas = "GCZ4"
form = "import_parity"
unit_conversion = 0.03215074656862798
vat = 0.0
tariff = 0.0
costs = 0.5
pricing = "executable"
exit = "flatten"
fx = 7.17
center_ticks = 0.0
entry_band_ticks = 100.0
exit_band_ticks = 25.0
cooldown_ms = 0
leg_skew_ms_max = 60000
domestic_size_min_lots = 1
overseas_size_min_lots = 1
domestic_lots_max = 3
overseas_lots_max = 1

[execution]
mode = "concurrent"
order_style = "ioc"
ack_timeout_ms = 10000
backfill_attempts_max = 3
backfill_deadline_ms = 15000
rollback_attempts_max = 3
ticket_deadline_ms = 30000

[execution.domestic]
slippage_ticks = 2
backfill_slippage_ticks_max = 10
rollback_slippage_ticks_max = 25
orders_per_day_max = 2000
cancels_per_day_max = 400

[execution.overseas]
slippage_ticks = 1
backfill_slippage_ticks_max = 5
rollback_slippage_ticks_max = 10
orders_per_day_max = 5000
cancels_per_day_max = 5000

[risk]
position_max = "100 kg"
naked_exposure_max = "30 kg"
naked_exposure_ms_max = 60000
orders_per_sec_max = 20
ticket_notional_max = 25000000
report_currency = "CNY"
slippage_ticks_max = 400
ack_latency_ms_max = 60000
reject_streak_max = 5
feed_stale_ms_max = 86400000
kill_switch_file = "crossarb-test.kill"

[receipts]
dir = "receipts"
segment_bytes = 67108864
fsync = "never"

[replay]
seed = 1

[live]
[[live.ctp]]
venue = "SHFE"
front = "tcp://127.0.0.1:1"        # LocalCTP is in-process: the address is not dialled
broker_id = "9999"
user_id = "u200"
password = "env:CROSSARB_CTP_CROSS_PASSWORD"
app_id = "crossarb_test"
auth_code = "env:CROSSARB_CTP_CROSS_AUTH"
flow_dir = "flow"
instruments = [{ symbol = "au2612", exchange = "SHFE" }]
"#;

/// Engine orders, routed by the test after each engine call.
#[derive(Default)]
struct Orders(Vec<OrderRequest>);

impl OrderSink for Orders {
    fn send(&mut self, req: &OrderRequest) {
        self.0.push(*req);
    }
}

/// Receipts go to the writer (the log read back at the end) and a copy is kept for waits.
struct Receipts {
    writer: ReceiptWriter,
    seen: Vec<Event>,
}

impl ReceiptSink for Receipts {
    fn emit(&mut self, e: Event) -> bool {
        self.seen.push(e);
        self.writer.append(&e).is_ok()
    }
}

/// The engine and both venues.
struct Desk {
    engine: Engine,
    orders: Orders,
    receipts: Receipts,
    ctp: CtpStage,
    ctp_orders: rtrb::Producer<OrderMsg>,
    ctp_reports: rtrb::Consumer<ExecReport>,
    fix: Link,
    acc: Acceptor,
    clock: LiveClock,
    venues: [crossarb::domain::VenueId; 2],
    seq: u64,
    reports: Vec<ExecReport>,
}

impl Desk {
    fn now(&self) -> TsNs {
        self.clock.now()
    }

    /// Sends the engine's orders to their venue: SHFE over CTP, COMEX over FIX.
    fn route(&mut self) {
        for q in std::mem::take(&mut self.orders.0) {
            if q.instrument == AU {
                let m = OrderMsg {
                    req: q,
                    raw_quote: 0,
                    raw_decided: 0,
                };
                self.ctp_orders.push(m).expect("room in the CTP order ring");
            } else {
                let now = self.fix.now();
                self.fix.s.send(&q, now).expect("overseas order sent");
            }
        }
        self.fix.flush();
    }

    /// One step of both venues; their reports go to the engine, its orders out again.
    fn step(&mut self) {
        let mut reports = Vec::new();
        for e in self.fix.pump() {
            if let FixEvent::Report(r) = e {
                reports.push(r);
            }
        }
        self.ctp.do_work();
        while let Ok(r) = self.ctp_reports.pop() {
            reports.push(r);
        }
        for r in reports {
            self.reports.push(r);
            let now = self.now();
            self.engine
                .on_report(&r, now, &mut self.orders, &mut self.receipts);
            self.route();
        }
        let now = self.now();
        if self.engine.next_deadline().is_some_and(|d| d <= now) {
            self.engine
                .on_timer(now, &mut self.orders, &mut self.receipts);
            self.route();
        }
        self.acc.poll();
    }

    fn until(&mut self, what: &str, done: impl Fn(&Desk) -> bool) {
        for _ in 0..STEPS_MAX {
            if done(self) {
                return;
            }
            self.step();
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!(
            "timed out waiting for {what}; CTP phase {:?}, notes {:?}; FIX events {:?}; reports {:?}; receipts {:?}",
            self.ctp.session().phase(),
            self.ctp.session().notes().collect::<Vec<_>>(),
            self.fix.events,
            self.reports,
            self.receipts.seen.iter().map(|e| e.kind).collect::<Vec<_>>()
        );
    }

    /// One tick of both books: LocalCTP's market gets the SHFE snapshot first (so the counter
    /// trades at the prices the engine decides on), then the engine sees both quotes.
    fn tick(&mut self, au: (i64, i64), gc: (i64, i64)) {
        self.snapshot(au.0, au.1);
        // Sequence numbers are per instrument: one per tick for each book.
        self.seq += 1;
        for (i, (id, (bid, ask))) in [(AU, au), (GC, gc)].into_iter().enumerate() {
            let now = self.now();
            let q = Quote {
                ts_exchange: now,
                ts_recv: now,
                seq: self.seq,
                bid_px: Px(bid),
                ask_px: Px(ask),
                bid_qty: Qty(50),
                ask_qty: Qty(50),
                venue: self.venues[i],
                instrument: id,
                flags: 0,
            };
            self.engine
                .on_quote(&q, now, &mut self.orders, &mut self.receipts);
            self.route();
        }
    }

    /// LocalCTP's market snapshot convention (ReqQuoteInsert, every price field filled).
    fn snapshot(&mut self, bid: i64, ask: i64) {
        let (bid, ask) = (bid as f64 * AU_TICK, ask as f64 * AU_TICK);
        let q = localctp_support::snapshot(self.now(), "au2612", bid, ask, 50);
        assert_eq!(
            self.ctp.session().api().ReqQuoteInsert(q, 1000),
            0,
            "LocalCTP took the snapshot"
        );
    }

    fn closes(&self) -> Vec<(u32, u16, i64, i64)> {
        self.receipts
            .seen
            .iter()
            .filter(|e| e.kind == Kind::TicketClose)
            .map(|e| (e.payload.ticket, e.payload.code, e.payload.a, e.payload.b))
            .collect()
    }
}

const BALANCED: u16 = Outcome::Balanced as u16;

#[test]
fn a_two_leg_ticket_through_ctp_and_fix_ends_balanced_with_both_legs_in_its_receipts() {
    let Ok(python) = std::env::var("CROSSARB_FIX_PYTHON") else {
        eprintln!("ctp_cross: SKIPPED: CROSSARB_FIX_PYTHON is not set; run scripts/ctp-interop.sh");
        return;
    };
    let cwd = std::env::current_dir().unwrap();
    assert!(
        !cwd.join("Cargo.toml").exists(),
        "LocalCTP writes LocalCTP.db into the working directory: run scripts/ctp-interop.sh"
    );
    std::fs::write(cwd.join("instrument.csv"), INSTRUMENT_CSV).unwrap();
    // Single-threaded so far (the acceptor's reader thread starts later): setting is sound.
    std::env::set_var("CROSSARB_CTP_CROSS_PASSWORD", "pw");
    std::env::set_var("CROSSARB_CTP_CROSS_AUTH", "0000000000000000");
    let cfg: Config = crossarb::config::parse(CONFIG, &cwd.join("ctp_cross.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.pair.domestic, AU);
    assert_eq!(cfg.pair.overseas, GC);
    assert_eq!(
        fix_support::GC,
        GC,
        "the FIX session's GCZ4 is the config's overseas leg"
    );

    let fix_dir = tempfile::tempdir().unwrap();
    let acc = Acceptor::start(&python, fix_dir.path());
    let session = Session::new(
        fix_support::cfg(),
        fix_support::instruments(),
        SeqNums::default(),
    )
    .unwrap();
    let clock = LiveClock::new();
    let receipts_dir = tempfile::tempdir().unwrap();
    let writer = ReceiptWriter::create(
        receipts_dir.path(),
        cfg.source.hash,
        clock.now(),
        1 << 20,
        FsyncPolicy::Never,
    )
    .unwrap();
    let (ctp_orders, orders_rx) = rtrb::RingBuffer::new(64);
    let (reports_tx, ctp_reports) = rtrb::RingBuffer::new(64);
    let ctp = CtpStage::start(&cfg, 0, LiveClock::new(), orders_rx, reports_tx)
        .unwrap_or_else(|e| panic!("{e}"));
    let venues = [
        cfg.instruments[AU.idx()].venue,
        cfg.instruments[GC.idx()].venue,
    ];
    let mut desk = Desk {
        engine: Engine::new(&cfg, KillSwitch::new()).unwrap(),
        orders: Orders::default(),
        receipts: Receipts {
            writer,
            seen: Vec::new(),
        },
        ctp,
        ctp_orders,
        ctp_reports,
        fix: Link::new(session),
        acc,
        clock,
        venues,
        seq: 0,
        reports: Vec::new(),
    };

    let addr = desk.acc.addr;
    desk.fix.connect(addr);
    desk.until("FIX logon and CTP login", |d| {
        d.fix.s.state() == State::Active && d.ctp.session().phase() == Phase::Ready
    });
    desk.acc.expect("logon");
    let now = desk.now();
    desk.engine.start(now, 1, &cfg, &mut desk.receipts);

    // At parity (SHFE 31,145 ticks ≈ GC 2,700.0): no ticket.
    let gc = (26_999, 27_001);
    desk.tick((31_144, 31_146), gc);
    desk.tick((31_144, 31_146), gc);
    assert_eq!(desk.engine.stats().tickets, 0, "no ticket at parity");

    // SHFE 3 CNY/g rich (150 ticks): entry ticket, sell 3 SHFE lots at the counter, buy 1 GC.
    desk.tick((31_300, 31_302), gc);
    assert_eq!(desk.engine.stats().tickets, 1, "{:?}", desk.receipts.seen);
    desk.until("the entry ticket to close", |d| d.closes().len() == 1);
    let entry = desk.closes()[0];
    assert_eq!((entry.1, entry.2, entry.3), (BALANCED, -3, 1));
    assert_eq!(
        desk.ctp
            .session()
            .positions()
            .lots(AU, crossarb::domain::Side::Sell)
            .today,
        3
    );

    // Back at parity: the exit ticket buys SHFE back (CloseToday) and sells GC.
    desk.tick((31_144, 31_146), gc);
    assert_eq!(desk.engine.stats().tickets, 2, "{:?}", desk.receipts.seen);
    desk.until("the exit ticket to close", |d| d.closes().len() == 2);
    let exit = desk.closes()[1];
    assert_eq!((exit.1, exit.2, exit.3), (BALANCED, 3, -1));
    assert_eq!(
        (
            desk.engine.executor().position(AU),
            desk.engine.executor().position(GC)
        ),
        (Qty(0), Qty(0))
    );
    assert_eq!(
        desk.ctp
            .session()
            .positions()
            .lots(AU, crossarb::domain::Side::Sell)
            .today,
        0,
        "the counter closed today's short"
    );

    let now = desk.now();
    desk.engine.stop(now, &mut desk.receipts);
    let Desk { receipts, .. } = desk;
    receipts.writer.close().unwrap();

    // The log as written: both tickets balanced, each with a domestic and an overseas fill
    // whose lots add up to the ticket's legs.
    let mut fills = Vec::new();
    let mut closes = Vec::new();
    let mut kinds = Vec::new();
    for r in ReceiptReader::open(receipts_dir.path()).unwrap() {
        let r = r.unwrap();
        let kind = r.kind().expect("a known kind");
        kinds.push(kind);
        match kind {
            Kind::Fill => fills.push((r.payload.ticket, r.payload.leg, r.payload.qty.0)),
            Kind::TicketClose => closes.push((r.payload.ticket, r.payload.code)),
            _ => {}
        }
    }
    assert_eq!(kinds.first(), Some(&Kind::Start));
    assert_eq!(kinds.last(), Some(&Kind::Stop));
    assert_eq!(closes, [(entry.0, BALANCED), (exit.0, BALANCED)]);
    for t in [entry.0, exit.0] {
        let lots = |leg: u8| -> i64 {
            fills
                .iter()
                .filter(|f| f.0 == t && f.1 == leg)
                .map(|f| f.2)
                .sum()
        };
        assert_eq!(
            (lots(1), lots(2)),
            (3, 1),
            "ticket {t}: domestic and overseas lots filled; fills {fills:?}"
        );
    }
}
