//! Lot alignment: how many lots of each leg make one hedged ticket, and the ledger of exposure
//! left over because lot sizes differ (SHFE au 1,000 g against COMEX GC 100 ozt = 3,110.35 g).
//!
//! [`align_lots`] runs once at start-up (cold): integer lots `nd ≥ 1`, `no ≥ 1` within the pair's
//! limits minimising `|nd·Ld − no·Lo|` (base quanta, exact integers); ties go to the larger
//! ticket. [`ResidualLedger`] runs on the trigger/executor thread: it accumulates the signed base
//! exposure of every balanced ticket's fills and, when the next ticket would leave a whole
//! domestic lot or more of residual, **adjusts that ticket's domestic quantity by ±1 lot**
//! (within `1..=domestic_lots_max`). Adjusting rather than sending a separate hedge order keeps
//! every order part of a two-leg ticket, with one set of risk checks and receipts. Given
//! `|residual| < Ld` before a ticket and a per-ticket mismatch below one lot, the residual after
//! it stays below one domestic lot.

use crate::config::BaseQty;
use crate::domain::Side;

/// Lots per ticket on both legs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LotRatio {
    /// Domestic lots.
    pub dom_lots: i64,
    /// Overseas lots.
    pub ovs_lots: i64,
    /// `dom_lots·Ld − ovs_lots·Lo`, base quanta.
    pub mismatch: BaseQty,
}

/// Why lots could not be aligned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LotsError {
    /// A lot size or limit is not positive.
    #[error(
        "{field}: {value} is not positive (a lot size in base quanta or a lot limit ≥ 1 expected)"
    )]
    NotPositive {
        /// Field path.
        field: &'static str,
        /// Value found.
        value: i64,
    },
}

fn positive(field: &'static str, value: i64) -> Result<(), LotsError> {
    if value > 0 {
        Ok(())
    } else {
        Err(LotsError::NotPositive { field, value })
    }
}

/// Chooses the ticket's lot ratio (cold).
pub fn align_lots(
    dom_lot: BaseQty,
    ovs_lot: BaseQty,
    dom_lots_max: i64,
    ovs_lots_max: i64,
) -> Result<LotRatio, LotsError> {
    positive("instruments[domestic].lot_base", dom_lot.0)?;
    positive("instruments[overseas].lot_base", ovs_lot.0)?;
    positive("pair.domestic_lots_max", dom_lots_max)?;
    positive("pair.overseas_lots_max", ovs_lots_max)?;
    let (ld, lo) = (i128::from(dom_lot.0), i128::from(ovs_lot.0));
    // (|mismatch|, −total size, nd, no): the smallest tuple wins.
    let mut best: Option<(i128, i128, i64, i64)> = None;
    for no in 1..=ovs_lots_max {
        let ideal = i128::from(no) * lo / ld;
        for nd in [ideal, ideal + 1] {
            let nd = nd.clamp(1, i128::from(dom_lots_max)) as i64;
            let mm = i128::from(nd) * ld - i128::from(no) * lo;
            let key = (
                mm.abs(),
                -(i128::from(nd) * ld + i128::from(no) * lo),
                nd,
                no,
            );
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
    }
    let (_, _, nd, no) = best.expect("Invariant: ovs_lots_max >= 1 gives a candidate");
    Ok(LotRatio {
        dom_lots: nd,
        ovs_lots: no,
        mismatch: BaseQty(nd * dom_lot.0 - no * ovs_lot.0),
    })
}

/// A ticket's lots after residual adjustment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketLots {
    /// Domestic lots to send.
    pub dom_lots: i64,
    /// Overseas lots to send.
    pub ovs_lots: i64,
    /// Domestic lots added (+1), removed (−1) or 0 to pull the residual back under one lot.
    pub adjust: i64,
}

/// Signed base exposure left by lot mismatch (positive = net long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResidualLedger {
    dom_lot: BaseQty,
    ovs_lot: BaseQty,
    dom_lots_max: i64,
    residual: BaseQty,
}

impl ResidualLedger {
    /// An empty ledger for the pair's lot sizes.
    pub fn new(dom_lot: BaseQty, ovs_lot: BaseQty, dom_lots_max: i64) -> ResidualLedger {
        ResidualLedger {
            dom_lot,
            ovs_lot,
            dom_lots_max,
            residual: BaseQty(0),
        }
    }

    /// Current residual, base quanta.
    pub fn residual(&self) -> BaseQty {
        self.residual
    }

    /// Net base exposure of a fully filled ticket that trades `dom_side` on the domestic leg and
    /// the opposite side on the overseas leg.
    pub fn exposure(&self, dom_side: Side, dom_lots: i64, ovs_lots: i64) -> BaseQty {
        BaseQty(
            dom_side.sign() * dom_lots * self.dom_lot.0
                + dom_side.opposite().sign() * ovs_lots * self.ovs_lot.0,
        )
    }

    /// Lots for the next ticket: `ratio`, with the domestic quantity moved by one lot when the
    /// residual after the ticket would otherwise reach a whole domestic lot.
    pub fn plan(&self, dom_side: Side, ratio: LotRatio) -> TicketLots {
        let after = |nd| (self.residual.0 + self.exposure(dom_side, nd, ratio.ovs_lots).0).abs();
        let mut lots = TicketLots {
            dom_lots: ratio.dom_lots,
            ovs_lots: ratio.ovs_lots,
            adjust: 0,
        };
        let mut best = after(ratio.dom_lots);
        if best < self.dom_lot.0 {
            return lots;
        }
        for adjust in [-1, 1] {
            let nd = ratio.dom_lots + adjust;
            if (1..=self.dom_lots_max).contains(&nd) && after(nd) < best {
                best = after(nd);
                lots.dom_lots = nd;
                lots.adjust = adjust;
            }
        }
        lots
    }

    /// Records the net fills of a balanced ticket (signed lots: + bought, − sold) and returns
    /// the change of the residual (for the `Residual` receipt).
    pub fn record(&mut self, dom_signed_lots: i64, ovs_signed_lots: i64) -> BaseQty {
        let change = dom_signed_lots * self.dom_lot.0 + ovs_signed_lots * self.ovs_lot.0;
        self.residual.0 += change;
        BaseQty(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Unit;

    fn t(n: i64) -> BaseQty {
        BaseQty(n * Unit::Tonne.base_quanta())
    }

    #[test]
    fn copper_five_tonnes_against_twenty_five_is_five_to_one() {
        let r = align_lots(t(5), t(25), 9, 1).unwrap();
        assert_eq!((r.dom_lots, r.ovs_lots, r.mismatch), (5, 1, BaseQty(0)));
    }

    #[test]
    fn exact_ties_prefer_the_larger_ticket() {
        let r = align_lots(t(5), t(25), 12, 3).unwrap();
        assert_eq!((r.dom_lots, r.ovs_lots), (10, 2));
    }

    #[test]
    fn gold_kilo_against_hundred_ounces_is_three_to_one_or_better() {
        let g = Unit::Gram.base_quanta();
        let gc = BaseQty(100 * Unit::TroyOunce.base_quanta());
        let r = align_lots(BaseQty(1000 * g), gc, 5, 1).unwrap();
        assert_eq!((r.dom_lots, r.ovs_lots), (3, 1));
        assert_eq!(r.mismatch, BaseQty(3000 * g - gc.0));
        // With room for 28 × 1 kg against 9 × 100 ozt the mismatch drops to 6.87 g.
        let r = align_lots(BaseQty(1000 * g), gc, 30, 10).unwrap();
        assert_eq!((r.dom_lots, r.ovs_lots), (28, 9));
        assert!(r.mismatch.0.abs() < 7 * g);
    }

    #[test]
    fn non_positive_inputs_are_refused_with_the_field() {
        let e = align_lots(t(5), t(25), 0, 1).unwrap_err();
        assert_eq!(
            e,
            LotsError::NotPositive {
                field: "pair.domestic_lots_max",
                value: 0
            }
        );
    }

    #[test]
    fn plan_adjusts_the_domestic_leg_only_when_a_whole_lot_accumulates() {
        let kg = Unit::Kilogram.base_quanta();
        let gc = BaseQty(100 * Unit::TroyOunce.base_quanta());
        let mut l = ResidualLedger::new(BaseQty(kg), gc, 10);
        let ratio = align_lots(BaseQty(kg), gc, 3, 1).unwrap();
        // Selling 3 kg, buying 3.11 kg: +0.11 kg each; the 10th would reach 1.10 kg.
        for _ in 0..9 {
            let p = l.plan(Side::Sell, ratio);
            assert_eq!(p.adjust, 0);
            l.record(-p.dom_lots, p.ovs_lots);
        }
        let p = l.plan(Side::Sell, ratio);
        assert_eq!((p.dom_lots, p.adjust), (4, 1));
        l.record(-p.dom_lots, p.ovs_lots);
        assert!(l.residual().0.abs() < kg);
    }
}
