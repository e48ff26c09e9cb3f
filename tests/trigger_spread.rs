//! The spread trigger on the book table: SHFE cu against LME copper at a fixed 7.0 CNY/USD
//! (difference form, spread ticks of 10 CNY/t, entry ±30, exit ±10), Monday 2025-01-06 10:00
//! Beijing = 02:00 UTC with both venues open.
//!
//! Overseas book 10,000.0 / 10,001.0 USD/t (ticks 20000 / 20002): with domestic bid `B` ticks and
//! ask `B + 1`, the sell value is `B − 7000.7` and the buy value `B − 6999` spread ticks.

mod trigger_support;

use crossarb::config::{Fx, Pair, Pricing, SpreadForm};
use crossarb::domain::{InstrumentId, Qty, QuoteFlags, Side, TsNs, NS_PER_MS};
use crossarb::receipt::event::Refusal;
use crossarb::trigger::{
    BookTable, NoSignal, Opportunity, Position, SignalKind, SpreadTrigger, Unusable,
};
use trigger_support::*;

const DOM: InstrumentId = InstrumentId(0);
const OVS: InstrumentId = InstrumentId(1);
const FX: InstrumentId = InstrumentId(2);

struct Rig {
    books: BookTable,
    trig: SpreadTrigger,
    t: TsNs,
    seq: u64,
}

impl Rig {
    fn with(pair: Pair) -> Rig {
        let venues = [shfe(0, hm(1, 0), vec![]), lme(1), always_open(2)];
        Rig {
            books: BookTable::new(&venues, &copper_instruments()).unwrap(),
            trig: SpreadTrigger::new(&pair, &copper_instruments()).unwrap(),
            t: utc(2025, 1, 6, 2, 0),
            seq: 0,
        }
    }

    fn new() -> Rig {
        Rig::with(copper_pair())
    }

    /// Moves time on by `ms` and quotes both legs (domestic bid `b`), then evaluates.
    fn step(&mut self, ms: i64, b: i64) -> Result<Opportunity, NoSignal> {
        self.t = self.t.plus_ms(ms);
        self.seq += 1;
        self.books
            .on_quote(&quote(0, 0, self.t, self.seq, b, b + 1, 10));
        self.books
            .on_quote(&quote(1, 1, self.t, self.seq, 20000, 20002, 3));
        self.trig.evaluate(&mut self.books, self.t)
    }

    fn eval(&mut self) -> Result<Opportunity, NoSignal> {
        self.trig.evaluate(&mut self.books, self.t)
    }
}

#[test]
fn sell_spread_entry_hits_domestic_bid_and_overseas_ask() {
    let mut r = Rig::new();
    let o = r.step(0, 7031).unwrap();
    assert_eq!((o.side, o.kind), (Side::Sell, SignalKind::Entry));
    assert_eq!((o.dom_px.0, o.ovs_px.0), (7031, 20002));
    assert_eq!((o.spread_milli, o.threshold_milli), (30_300, 30_000));
    assert_eq!((o.dom_qty, o.ovs_qty), (Qty(10), Qty(3)));
}

#[test]
fn buy_spread_entry_hits_domestic_ask_and_overseas_bid() {
    let mut r = Rig::new();
    let o = r.step(0, 6969).unwrap();
    assert_eq!(
        (o.side, o.kind, o.spread_milli),
        (Side::Buy, SignalKind::Entry, -30_000)
    );
    assert_eq!((o.dom_px.0, o.ovs_px.0), (6970, 20000));
}

#[test]
fn a_spread_just_inside_the_band_does_not_trigger() {
    let mut r = Rig::new();
    assert_eq!(
        r.step(0, 7030),
        Err(NoSignal::InBand {
            sell_milli: 29_300,
            buy_milli: 31_000
        })
    );
}

#[test]
fn exit_band_hysteresis_prevents_flapping() {
    let mut r = Rig::new();
    let o = r.step(0, 7031).unwrap();
    r.trig.confirm(&o);
    assert_eq!(r.trig.position(), Position::Short);
    // Short: only buy ≤ +10 exits; the spread wandering between 11 and 41 does nothing.
    for b in [7025, 7040, 7010, 7035, 7030, 7031, 7010] {
        assert!(
            matches!(r.step(1_000, b), Err(NoSignal::InBand { .. })),
            "bid {b} while short"
        );
    }
    let exit = r.step(1_000, 7009).unwrap();
    assert_eq!(
        (exit.side, exit.kind, exit.spread_milli),
        (Side::Buy, SignalKind::Exit, 10_000)
    );
    r.trig.confirm(&exit);
    assert_eq!(r.trig.position(), Position::Flat);
    // Flat again: re-entry needs the full entry band, not the exit band.
    for b in [7011, 7025, 7030, 6972, 6990] {
        assert!(
            matches!(r.step(1_000, b), Err(NoSignal::InBand { .. })),
            "bid {b} flat"
        );
    }
    let o = r.step(1_000, 6969).unwrap();
    assert_eq!((o.side, o.kind), (Side::Buy, SignalKind::Entry));
    r.trig.confirm(&o);
    // Long exits on sell ≥ −10: B − 7000.7 ≥ −10 ⇔ B ≥ 6990.7.
    assert!(matches!(r.step(1_000, 6990), Err(NoSignal::InBand { .. })));
    let o = r.step(1_000, 6991).unwrap();
    assert_eq!((o.side, o.kind), (Side::Sell, SignalKind::Exit));
}

#[test]
fn a_refused_opportunity_keeps_the_state_and_waits_out_the_cooldown() {
    let mut r = Rig::new();
    let o = r.step(0, 7031).unwrap();
    r.trig.decline(&o);
    assert_eq!(r.trig.position(), Position::Flat);
    match r.step(60, 7031) {
        Err(NoSignal::Gated {
            refusal: Refusal::Cooldown,
            value,
            limit,
            ..
        }) => assert_eq!((value, limit), (60 * NS_PER_MS, 100 * NS_PER_MS)),
        other => panic!("expected cooldown, got {other:?}"),
    }
    let again = r.step(40, 7031).unwrap();
    assert_eq!((again.side, again.kind), (Side::Sell, SignalKind::Entry));
}

#[test]
#[should_panic(expected = "Invariant: confirm")]
fn confirming_an_exit_while_flat_is_a_bug() {
    let mut r = Rig::new();
    let mut o = r.step(0, 7031).unwrap();
    o.kind = SignalKind::Exit;
    r.trig.confirm(&o);
}

#[test]
fn stale_overseas_quote_does_not_trigger() {
    let mut r = Rig::new();
    r.books.on_quote(&quote(1, 1, r.t, 1, 20000, 20002, 3));
    r.t = r.t.plus_ms(501);
    r.books.on_quote(&quote(0, 0, r.t, 1, 7100, 7101, 10));
    assert_eq!(r.eval(), Err(NoSignal::Unusable(OVS, Unusable::Stale)));
    r.books.on_quote(&quote(1, 1, r.t, 2, 20000, 20002, 3));
    assert_eq!(r.eval().unwrap().side, Side::Sell);
}

#[test]
fn gapped_sequence_blocks_until_fresh_quote() {
    let mut r = Rig::new();
    r.step(0, 7000).unwrap_err();
    let gap = r
        .books
        .on_quote(&quote(0, 0, r.t, 5, 7100, 7101, 10))
        .unwrap();
    assert_eq!(
        (gap.instrument, gap.reason, gap.code()),
        (DOM, Some(Unusable::SeqGap), 2)
    );
    assert_eq!(r.eval(), Err(NoSignal::Unusable(DOM, Unusable::SeqGap)));
    let back = r
        .books
        .on_quote(&quote(0, 0, r.t, 6, 7100, 7101, 10))
        .unwrap();
    assert_eq!((back.reason, back.code()), (None, 0));
    assert_eq!(r.eval().unwrap().side, Side::Sell);
}

#[test]
fn a_snapshot_clears_a_sequence_gap() {
    let mut r = Rig::new();
    r.step(0, 7000).unwrap_err();
    r.books.on_quote(&quote(0, 0, r.t, 9, 7100, 7101, 10));
    let mut snap = quote(0, 0, r.t, 3, 7100, 7101, 10);
    snap.flags = QuoteFlags::SNAPSHOT;
    assert_eq!(r.books.on_quote(&snap).unwrap().reason, None);
    assert!(r.eval().is_ok());
}

#[test]
fn out_of_session_quote_never_triggers() {
    let mut r = Rig::new();
    // SHFE lunch 11:30–13:30 Beijing = 03:30–05:30 UTC; quotes every 10 minutes, rich spread.
    r.t = utc(2025, 1, 6, 3, 30);
    for _ in 0..12 {
        assert_eq!(
            r.step(0, 7200),
            Err(NoSignal::Unusable(DOM, Unusable::SessionClosed))
        );
        r.t = r.t.plus_ms(600_000);
    }
    // Saturday: both closed.
    r.t = utc(2025, 1, 11, 12, 0);
    assert_eq!(
        r.step(0, 7200),
        Err(NoSignal::Unusable(DOM, Unusable::SessionClosed))
    );
    // Back in session at 13:30 Beijing.
    r.t = utc(2025, 1, 6, 5, 30);
    assert!(r.step(0, 7200).is_ok());
}

#[test]
fn a_crossed_domestic_book_never_triggers() {
    let mut r = Rig::new();
    r.step(0, 7000).unwrap_err();
    r.books.on_quote(&quote(0, 0, r.t, 2, 7100, 7100, 10));
    assert_eq!(r.eval(), Err(NoSignal::Unusable(DOM, Unusable::Crossed)));
}

#[test]
fn trade_records_do_not_move_the_book() {
    let mut r = Rig::new();
    r.step(0, 7000).unwrap_err();
    let mut trade = quote(0, 0, r.t, 2, 7200, 0, 1);
    trade.flags = QuoteFlags::TRADE;
    trade.ask_qty = Qty(0);
    assert_eq!(r.books.on_quote(&trade), None);
    assert_eq!(r.books.latest(DOM).unwrap().bid_px.0, 7000);
    // The trade took seq 2: seq 3 is contiguous.
    assert_eq!(r.books.on_quote(&quote(0, 0, r.t, 3, 7000, 7001, 10)), None);
    assert!(!r.books.is_gapped(DOM));
}

#[test]
fn thin_books_and_skewed_legs_are_gated_with_the_compared_values() {
    let mut r = Rig::new();
    r.books.on_quote(&quote(1, 1, r.t, 1, 20000, 20002, 3));
    r.books.on_quote(&quote(0, 0, r.t, 1, 7031, 7032, 4));
    match r.eval() {
        Err(NoSignal::Gated {
            refusal,
            value,
            limit,
            ..
        }) => {
            assert_eq!((refusal, value, limit), (Refusal::SizeShort, 4, 5))
        }
        other => panic!("{other:?}"),
    }
    let mut late = quote(1, 1, r.t, 2, 20000, 20002, 3);
    late.ts_exchange = r.t.plus_ms(-201);
    r.books.on_quote(&late);
    r.books.on_quote(&quote(0, 0, r.t, 2, 7031, 7032, 10));
    match r.eval() {
        Err(NoSignal::Gated {
            refusal,
            value,
            limit,
            ..
        }) => {
            assert_eq!(
                (refusal, value, limit),
                (Refusal::LegSkew, 201 * NS_PER_MS, 200 * NS_PER_MS)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stale_live_fx_rate_blocks_triggering() {
    let mut pair = copper_pair();
    pair.fx = Fx::Live {
        instrument: FX,
        stale_ms_max: 1_000,
    };
    let mut r = Rig::with(pair);
    assert_eq!(
        r.step(0, 7031),
        Err(NoSignal::Unusable(FX, Unusable::NoQuote))
    );
    // 6.9999 / 7.0001 → mid 7.0000.
    r.books.on_quote(&quote(2, 2, r.t, 0, 69_999, 70_001, 1));
    assert_eq!(r.eval().unwrap().fx, 7.0);
    assert_eq!(
        r.step(1_001, 7031),
        Err(NoSignal::Unusable(FX, Unusable::Stale))
    );
}

#[test]
fn mid_pricing_compares_mids_but_reports_executable_prices() {
    let mut pair = copper_pair();
    pair.pricing = Pricing::Mid;
    let mut r = Rig::with(pair);
    // Mids: domestic 70,305 (B = 7030), overseas 10,000.5 × 7 = 70,003.5 → 30.15 ticks.
    let o = r.step(0, 7030).unwrap();
    assert_eq!(
        (o.side, o.spread_milli, o.dom_px.0, o.ovs_px.0),
        (Side::Sell, 30_150, 7030, 20002)
    );
}

#[test]
fn import_parity_and_ratio_forms_trigger_on_their_own_scale() {
    let mut pair = copper_pair();
    // Import profit: P_dom − (P_ovs × 7 × 1.13 + 100).
    pair.form = SpreadForm::ImportParity {
        unit_conversion: 1.0,
        vat: 0.13,
        tariff: 0.0,
        costs: 100.0,
    };
    pair.center_ticks = -890.0;
    let mut r = Rig::with(pair.clone());
    // Sell: 70,310 − (10,001 × 7.91 + 100) = −8,897.91; buy: 70,320 − (10,000 × 7.91 + 100) = −8,880.
    assert_eq!(
        r.step(0, 7031),
        Err(NoSignal::InBand {
            sell_milli: -889_791,
            buy_milli: -888_000
        })
    );
    // Domestic 30 ticks (300 CNY) richer: −859.791 ≥ −890 + 30 → sell the import spread.
    let o = r.step(0, 7061).unwrap();
    assert_eq!((o.side, o.spread_milli), (Side::Sell, -859_791));
    pair.form = SpreadForm::Ratio;
    pair.spread_tick = 0.0001;
    pair.center_ticks = 10_000.0;
    pair.entry_band_ticks = 40.0;
    let mut r = Rig::with(pair);
    // 70,310 / 70,007 = 1.0043281…: 10,043.28 ratio ticks ≥ 10,040.
    let o = r.step(0, 7031).unwrap();
    assert_eq!((o.side, o.spread_milli), (Side::Sell, 10_043_281));
}
