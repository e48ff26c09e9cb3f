//! The CTP gateway against LocalCTP (an in-process simulated CTP counter with the official ABI):
//! login sequence, a marketable fill, a resting order cancelled, a venue reject, the SHFE
//! close-today flag accepted by the counter, a cut link whose lost fill is recovered by the
//! order/trade queries after the reconnect, and a refused authentication retried after a
//! back-off.
//!
//! LocalCTP opens `LocalCTP.db` in the process's working directory when the library loads and
//! reads `instrument.csv` from it, so this binary must run in a scratch directory:
//! `scripts/ctp-interop.sh` does that (and creates the GB18030 locale). One test function: the
//! counter is process-global state, and the steps build on each other.

mod localctp_support;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use crossarb::clock::{Clock, LiveClock};
use crossarb::domain::{InstrumentId, Px, Qty, Side, TsNs};
use crossarb::exec::msg::{
    ExecReport, OrderId, OrderRequest, RejectReason, ReportKind, RequestKind, Tif,
};
use crossarb::gateway::ctp::offset::Lots;
use crossarb::gateway::ctp::{
    rings, CtpConfig, CtpGateway, CtpInstrument, CtpSession, IocVolume, Phase, RawCredentials,
};
use ctp_rs::{RspInfoField, TraderSpiMsg};

const RB: InstrumentId = InstrumentId(1);
const UNLISTED: InstrumentId = InstrumentId(2);
/// Polls per wait; each idle poll sleeps 1 ms, so a wait is bounded by ~10 s plus work.
const POLLS_MAX: usize = 10_000;

const INSTRUMENT_CSV: &str = "InstrumentID,ExchangeID,InstrumentName,ExchangeInstID,ProductID,ProductClass,DeliveryYear,DeliveryMonth,MaxMarketOrderVolume,MinMarketOrderVolume,MaxLimitOrderVolume,MinLimitOrderVolume,VolumeMultiple,PriceTick,CreateDate,OpenDate,ExpireDate,StartDelivDate,EndDelivDate,InstLifePhase,IsTrading,PositionType,PositionDateType,LongMarginRatio,ShortMarginRatio,MaxMarginSideAlgorithm,UnderlyingInstrID,StrikePrice,OptionsType,UnderlyingMultiple,CombinationType\n\
rb2610,SHFE,rb2610,rb2610,rb,1,2026,10,30,1,500,1,10,1,20250101,20250101,20261015,20261016,20261020,1,1,2,2,0.1,0.1,1,,0,0,1,0\n";

/// Drives both sides from this thread; relays API callbacks to the session unless the link is cut.
struct Rig {
    session: CtpSession<LiveClock>,
    gw: CtpGateway,
    api_rx: Receiver<TraderSpiMsg>,
    session_tx: Sender<TraderSpiMsg>,
    link_up: bool,
    dropped: usize,
    reports: Vec<ExecReport>,
    clock: LiveClock,
}

impl Rig {
    fn step(&mut self) -> usize {
        let mut n = 0;
        while let Ok(m) = self.api_rx.try_recv() {
            n += 1;
            if self.link_up {
                self.session_tx.send(m).unwrap();
            } else {
                self.dropped += 1;
            }
        }
        n += self.session.do_work();
        let reports = &mut self.reports;
        n += self.gw.poll(&mut |r| reports.push(r));
        if n == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        n
    }

    fn wait_until(&mut self, what: &str, done: impl Fn(&Rig) -> bool) {
        for _ in 0..POLLS_MAX {
            if done(self) {
                return;
            }
            self.step();
        }
        panic!(
            "timed out waiting for {what}; phase {:?}, reports {:?}, notes {:?}",
            self.session.phase(),
            self.reports,
            self.session.notes().collect::<Vec<_>>()
        );
    }

    fn kinds_of(&self, order: u32) -> Vec<ReportKind> {
        self.reports
            .iter()
            .filter(|r| r.order == OrderId(order))
            .map(|r| r.kind)
            .collect()
    }

    fn send(&mut self, order: u32, instrument: InstrumentId, kind: RequestKind) {
        let ts = self.clock.now();
        self.gw.send(&OrderRequest {
            order: OrderId(order),
            instrument,
            kind,
            ts,
        });
    }

    /// Feeds a LocalCTP market snapshot (its ReqQuoteInsert convention; every price field filled).
    fn quote(&mut self, bid: f64, ask: f64) {
        let q = localctp_support::snapshot(self.clock.now(), "rb2610", bid, ask, 100);
        assert_eq!(
            self.session.api().ReqQuoteInsert(q, 1000),
            0,
            "LocalCTP took the snapshot"
        );
    }
}

fn new_order(side: Side, px: i64, qty: i64, tif: Tif) -> RequestKind {
    RequestKind::New {
        side,
        px: Px(px),
        qty: Qty(qty),
        tif,
    }
}

#[test]
fn ctp_gateway_trades_cancels_rejects_and_reconciles_against_localctp() {
    let cwd = std::env::current_dir().unwrap();
    assert!(
        !cwd.join("Cargo.toml").exists(),
        "LocalCTP writes LocalCTP.db into the working directory: run scripts/ctp-interop.sh, which runs this test in a scratch directory"
    );
    std::fs::write(cwd.join("instrument.csv"), INSTRUMENT_CSV).unwrap();

    let raw = RawCredentials {
        broker_id: "9999".into(),
        user_id: "env:CROSSARB_CTP_TEST_USER".into(),
        password: "secret-pw".into(),
        app_id: "crossarb_test".into(),
        auth_code: "0000000000000000".into(),
    };
    let credentials = raw
        .resolve(|k| (k == "CROSSARB_CTP_TEST_USER").then(|| "u100".to_string()))
        .unwrap();
    let cfg = CtpConfig {
        front: "tcp://127.0.0.1:1".into(),
        flow_dir: cwd.join("flow/").to_string_lossy().into_owned(),
        credentials,
        instruments: vec![
            CtpInstrument {
                id: RB,
                symbol: "rb2610".into(),
                exchange: "SHFE".into(),
                tick_size: 1.0,
            },
            CtpInstrument {
                id: UNLISTED,
                symbol: "zz9999".into(),
                exchange: "SHFE".into(),
                tick_size: 1.0,
            },
        ],
        ioc_volume: IocVolume::Any,
        ring_capacity: 64,
        query_gap_ms: 1100,
    };
    assert!(
        !format!("{cfg:?}").contains("secret-pw"),
        "config Debug hides the password"
    );
    let (gw, session_rings) = rings(cfg.ring_capacity);
    let (api_tx, api_rx) = channel();
    let (session_tx, session_rx) = channel();
    let session = CtpSession::start_with(cfg, session_rings, LiveClock::new(), api_tx, session_rx);
    let mut rig = Rig {
        session,
        gw,
        api_rx,
        session_tx,
        link_up: true,
        dropped: 0,
        reports: Vec::new(),
        clock: LiveClock::new(),
    };

    // Login: connect → authenticate → login → settlement confirm → 3 queries, 1.1 s apart.
    rig.wait_until("login", |r| r.session.phase() == Phase::Ready);
    assert_eq!(rig.session.logins(), 1);
    rig.quote(3500.0, 3501.0);

    // A marketable FAK buy fills at the ask.
    rig.send(1, RB, new_order(Side::Buy, 3501, 2, Tif::Ioc));
    rig.wait_until("fill of order 1", |r| r.kinds_of(1).len() >= 2);
    assert_eq!(
        rig.kinds_of(1),
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3501),
                qty: Qty(2)
            }
        ]
    );
    assert_eq!(rig.session.positions().lots(RB, Side::Buy).today, 2);

    // A resting buy below the bid, then its cancel.
    rig.send(2, RB, new_order(Side::Buy, 3490, 1, Tif::Limit));
    rig.wait_until("ack of order 2", |r| !r.kinds_of(2).is_empty());
    rig.send(2, RB, RequestKind::Cancel);
    rig.wait_until("done of order 2", |r| r.kinds_of(2).len() >= 2);
    assert_eq!(
        rig.kinds_of(2),
        [ReportKind::Ack, ReportKind::Done { leaves: Qty(1) }]
    );

    // The counter does not list zz9999: rejected, with its error id and text kept for the log.
    rig.send(3, UNLISTED, new_order(Side::Buy, 100, 1, Tif::Limit));
    rig.wait_until("reject of order 3", |r| !r.kinds_of(3).is_empty());
    assert_eq!(rig.kinds_of(3), [ReportKind::Rejected(RejectReason::Venue)]);
    let note = rig
        .session
        .notes()
        .find(|n| n.order == Some(OrderId(3)))
        .expect("a note for order 3")
        .clone();
    assert_ne!(note.error_id, 0);
    assert!(
        !note.text.is_empty(),
        "the counter's text survives decoding: {note:?}"
    );

    // Selling today's 2 lots on SHFE goes out as CloseToday, which the counter accepts and fills.
    rig.send(4, RB, new_order(Side::Sell, 3500, 2, Tif::Ioc));
    rig.wait_until("fill of order 4", |r| r.kinds_of(4).len() >= 2);
    assert_eq!(
        rig.kinds_of(4),
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3500),
                qty: Qty(2)
            }
        ]
    );
    assert_eq!(
        *rig.session.positions().lots(RB, Side::Buy),
        Lots::default()
    );

    // A resting order, then the link drops; it fills while we hear nothing.
    rig.send(5, RB, new_order(Side::Buy, 3495, 1, Tif::Limit));
    rig.wait_until("ack of order 5", |r| !r.kinds_of(5).is_empty());
    rig.link_up = false;
    rig.session_tx
        .send(TraderSpiMsg::OnFrontDisconnected(0x1001))
        .unwrap();
    rig.quote(3494.0, 3495.0);
    rig.wait_until("the fill notices to be lost", |r| r.dropped >= 2);
    assert_eq!(rig.kinds_of(5), [ReportKind::Ack]);
    // While down, new orders are refused at once.
    rig.send(6, RB, new_order(Side::Buy, 3495, 1, Tif::Ioc));
    rig.wait_until("refusal of order 6", |r| !r.kinds_of(6).is_empty());
    assert_eq!(
        rig.kinds_of(6),
        [ReportKind::Rejected(RejectReason::Disconnected)]
    );

    // The front comes back: re-authenticate, re-login, and the queries find the fill.
    rig.link_up = true;
    rig.session_tx.send(TraderSpiMsg::OnFrontConnected).unwrap();
    rig.wait_until("second login", |r| {
        r.session.phase() == Phase::Ready && r.session.logins() == 2
    });
    assert_eq!(
        rig.kinds_of(5),
        [
            ReportKind::Ack,
            ReportKind::Fill {
                px: Px(3495),
                qty: Qty(1)
            }
        ]
    );
    assert_eq!(
        rig.session.positions().lots(RB, Side::Buy).today,
        1,
        "position query agrees"
    );

    // The link drops again and the counter answers the new ReqAuthenticate with a refusal that
    // may pass (CTP 7, not initialised): the session backs off and restarts the sequence by
    // itself (1 s later), which the counter accepts.
    rig.link_up = false;
    rig.session_tx
        .send(TraderSpiMsg::OnFrontDisconnected(0x1001))
        .unwrap();
    rig.session_tx.send(TraderSpiMsg::OnFrontConnected).unwrap();
    let dropped = rig.dropped;
    rig.wait_until("the counter's authentication answer (dropped)", |r| {
        r.session.phase() == Phase::Authenticating && r.dropped > dropped
    });
    let refusal = RspInfoField {
        ErrorID: 7,
        ErrorMsg: "CTP:还没有初始化".into(),
        ..Default::default()
    };
    rig.session_tx
        .send(TraderSpiMsg::OnRspAuthenticate(
            Box::default(),
            Box::new(refusal),
            0,
            true,
        ))
        .unwrap();
    rig.wait_until("the back-off", |r| r.session.phase() == Phase::Backoff);
    rig.send(7, RB, new_order(Side::Buy, 3495, 1, Tif::Ioc));
    rig.wait_until("refusal of order 7", |r| !r.kinds_of(7).is_empty());
    assert_eq!(
        rig.kinds_of(7),
        [ReportKind::Rejected(RejectReason::Disconnected)],
        "no orders while backing off"
    );
    rig.link_up = true;
    rig.wait_until("third login, after the back-off", |r| {
        r.session.phase() == Phase::Ready && r.session.logins() == 3
    });
    assert!(rig
        .session
        .notes()
        .any(|n| n.error_id == 7 && n.text.contains("初始化")));
    assert_eq!(rig.gw.lost(), 0);
    let _ = TsNs::ZERO;
}
