//! Spread forms evaluated at the edge in `f64`, and the one conversion from a float spread to the
//! integer milli-spread-ticks every decision is made in. Pure functions; trigger thread.
//!
//! [`ExactDifference`] is a shortcut for the difference form at a fixed FX rate whose
//! coefficients are whole milli-spread-ticks per price tick (the usual case: `a = b = fx = 1`,
//! equal ticks): the spread is then an integer combination of the two prices, and within a
//! price range where the float path provably lands within 1e-6 milli of that integer (so
//! [`to_milli`] snaps to it either way) it is computed in integers with the same result.

use crate::config::SpreadForm;

/// The spread in domestic currency per domestic price unit (ratio: dimensionless), before
/// dividing by the spread tick. `pd`, `po` are prices in their currencies; `fx` converts the
/// overseas currency into the domestic one.
pub fn spread_value(form: SpreadForm, pd: f64, po: f64, fx: f64) -> f64 {
    match form {
        SpreadForm::Difference { a, b, c } => a * pd - b * po * fx - c,
        SpreadForm::Ratio => pd / (po * fx),
        SpreadForm::ImportParity {
            unit_conversion,
            vat,
            tariff,
            costs,
        } => pd - (po * unit_conversion * fx * (1.0 + vat) * (1.0 + tariff) + costs),
    }
}

/// Spread ticks → milli-spread-ticks, rounded down (`down`, for values compared with `≥`) or up
/// (for values compared with `≤`) so that rounding never makes a signal. A value within 1e-6
/// milli of an integer snaps to it first: float noise (`0.1 + 0.2`) must not flip an exact tie.
/// `None` when not finite.
pub fn to_milli(v: f64, down: bool) -> Option<i64> {
    let x = v * 1000.0;
    if !x.is_finite() {
        return None;
    }
    let r = x.round();
    let m = if (x - r).abs() < 1e-6 {
        r
    } else if down {
        x.floor()
    } else {
        x.ceil()
    };
    Some(m as i64)
}

/// Unit roundoff of `f64`.
const U: f64 = f64::EPSILON / 2.0;

/// Largest `|k_dom·p_dom| + |k_ovs·p_ovs| + |k_c|` (milli-spread-ticks) for which the exact path
/// is taken. The float path rounds ~8 times (each ≤ `U` of that magnitude) and each coefficient
/// is within 7`U` of its integer (see [`ExactDifference::new`]), so it lands within 32`U`·`M` ≤
/// 4.8e-7 milli of the integer: inside the 1e-6 snap of [`to_milli`].
const MAGNITUDE_MAX: u64 = 1 << 27;

/// The difference form `a·P_dom − b·P_ovs·fx − c` at a fixed `fx` as integers: milli-spread-ticks
/// = `k_dom·p_dom − k_ovs·p_ovs − k_c` with `p` integer prices (ticks, or twice the mid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExactDifference {
    k_dom: i64,
    k_ovs: i64,
    k_c: i64,
    /// Prices with `|p_dom|, |p_ovs| <` this are within [`MAGNITUDE_MAX`] whatever the other
    /// (`(MAGNITUDE_MAX − |k_c|) / (|k_dom| + |k_ovs|) + 1`; 0 when `|k_c|` alone exceeds it):
    /// two comparisons instead of the exact magnitude on most quotes.
    p_abs_lt: u64,
}

impl ExactDifference {
    /// The integer coefficients when `form` is a difference and every coefficient is a whole
    /// number of milli-spread-ticks (to within 4 `U` of itself; the computation of each adds 3).
    /// `per_unit` is milli-spread-ticks per spread tick per price step: 1000 for prices in
    /// ticks, 500 for doubled mids. Cold.
    pub fn new(
        form: SpreadForm,
        fx: f64,
        dom_tick: f64,
        ovs_tick: f64,
        spread_tick: f64,
        per_unit: f64,
    ) -> Option<ExactDifference> {
        let SpreadForm::Difference { a, b, c } = form else {
            return None;
        };
        let whole = |k: f64| {
            let r = k.round();
            (k.is_finite() && r.abs() < 2f64.powi(40) && (k - r).abs() <= 4.0 * U * r.abs())
                .then_some(r as i64)
        };
        let (k_dom, k_ovs, k_c) = (
            whole(a * dom_tick * per_unit / spread_tick)?,
            whole(b * fx * ovs_tick * per_unit / spread_tick)?,
            whole(c * 1000.0 / spread_tick)?,
        );
        let p_abs_lt = MAGNITUDE_MAX
            .checked_sub(k_c.unsigned_abs())
            .map_or(0, |room| {
                room.checked_div(k_dom.unsigned_abs() + k_ovs.unsigned_abs())
                    .map_or(u64::MAX, |p| p + 1)
            });
        Some(ExactDifference {
            k_dom,
            k_ovs,
            k_c,
            p_abs_lt,
        })
    }

    /// The spread in milli-spread-ticks for integer prices, or `None` when the prices are too
    /// large for the float path to be known to snap to it (the caller then uses that path).
    #[inline(always)] // per quote in the trigger: see `SpreadTrigger::values_milli`
    pub fn milli(&self, p_dom: i64, p_ovs: i64) -> Option<i64> {
        if p_dom.unsigned_abs() < self.p_abs_lt && p_ovs.unsigned_abs() < self.p_abs_lt {
            // |p| ≤ (MAGNITUDE_MAX − |k_c|) / (|k_dom| + |k_ovs|) for both: within the bound.
            return Some(self.k_dom * p_dom - self.k_ovs * p_ovs - self.k_c);
        }
        self.milli_checked(p_dom, p_ovs)
    }

    /// [`Self::milli`] with the exact magnitude test.
    #[inline(never)]
    fn milli_checked(&self, p_dom: i64, p_ovs: i64) -> Option<i64> {
        let m = p_dom
            .unsigned_abs()
            .saturating_mul(self.k_dom.unsigned_abs())
            .saturating_add(
                p_ovs
                    .unsigned_abs()
                    .saturating_mul(self.k_ovs.unsigned_abs()),
            )
            .saturating_add(self.k_c.unsigned_abs());
        (m <= MAGNITUDE_MAX).then(|| self.k_dom * p_dom - self.k_ovs * p_ovs - self.k_c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The float path of a mid-priced difference, as the trigger computes it.
    fn float_milli(
        form: SpreadForm,
        ticks: (f64, f64, f64),
        fx: f64,
        mids_x2: (i64, i64),
        down: bool,
    ) -> Option<i64> {
        let pd = mids_x2.0 as f64 * ticks.0 * 0.5;
        let po = mids_x2.1 as f64 * ticks.1 * 0.5;
        to_milli(spread_value(form, pd, po, fx) / ticks.2, down)
    }

    #[test]
    fn the_exact_difference_equals_the_float_path_wherever_it_answers() {
        let cases = [
            (1.0, 1.0, 0.0, 1.0, (0.01, 0.01, 0.01)),
            (1.0, 1.0, 0.35, 1.0, (0.01, 0.01, 0.01)),
            (2.0, 1.0, -5.0, 7.0, (1.0, 0.5, 0.5)),
            (1.0, 3.0, 0.0, 1.0, (0.1, 0.1, 0.05)),
            (1.0, 1.0, 0.0, 1.0, (5.0, 10.0, 5.0)),
        ];
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for (a, b, c, fx, ticks) in cases {
            let form = SpreadForm::Difference { a, b, c };
            let x = ExactDifference::new(form, fx, ticks.0, ticks.1, ticks.2, 500.0)
                .expect("whole coefficients");
            let mut answered = 0;
            for _ in 0..20_000 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let scale = 1i64 << (rng % 40);
                let pd = (rng >> 8) as i64 % scale;
                let po = pd + ((rng >> 32) as i64 % 64) - 32;
                if let Some(m) = x.milli(pd, po) {
                    answered += 1;
                    for down in [true, false] {
                        let f = float_milli(form, ticks, fx, (pd, po), down);
                        assert_eq!(f, Some(m), "{form:?} fx {fx} {ticks:?} at {pd}, {po}");
                    }
                }
            }
            assert!(answered > 5_000, "{form:?}: only {answered} answered");
        }
    }

    #[test]
    fn the_exact_difference_declines_fractional_coefficients_and_huge_prices() {
        let d = |a, b, c| SpreadForm::Difference { a, b, c };
        assert_eq!(
            ExactDifference::new(d(1.0, 1.0, 0.0), 7.1234567, 0.01, 0.01, 0.01, 500.0),
            None,
            "fx makes the overseas coefficient fractional"
        );
        assert_eq!(
            ExactDifference::new(d(1.0, 1.0, 0.0), 1.0, 0.01, 0.01, 0.01, 0.25),
            None
        );
        assert_eq!(
            ExactDifference::new(SpreadForm::Ratio, 1.0, 1.0, 1.0, 1.0, 500.0),
            None
        );
        let x = ExactDifference::new(d(1.0, 1.0, 0.0), 1.0, 0.01, 0.01, 0.01, 500.0).unwrap();
        assert_eq!(x.milli(20_010, 20_000), Some(5_000));
        assert_eq!(x.milli(1 << 40, 1 << 40), None);
    }

    #[test]
    fn rounding_goes_toward_not_triggering() {
        assert_eq!(to_milli(30.0004, true), Some(30_000));
        assert_eq!(to_milli(30.0004, false), Some(30_001));
        assert_eq!(to_milli(-30.0004, true), Some(-30_001));
        assert_eq!(to_milli(-30.0004, false), Some(-30_000));
    }

    #[test]
    fn float_noise_on_an_exact_tie_snaps_to_the_tie() {
        let noisy = (0.1 + 0.2) * 100.0; // 30.000000000000004
        assert_eq!(to_milli(noisy, true), Some(30_000));
        assert_eq!(to_milli(29.999_999_999_999_996, false), Some(30_000));
        assert_eq!(to_milli(f64::NAN, true), None);
        assert_eq!(to_milli(f64::INFINITY, false), None);
    }

    #[test]
    fn difference_form_applies_coefficients_fx_and_constant() {
        let f = SpreadForm::Difference {
            a: 1.0,
            b: 1.0,
            c: 50.0,
        };
        assert_eq!(spread_value(f, 70_400.0, 10_000.0, 7.0), 350.0);
    }

    #[test]
    fn gold_import_parity_converts_ounces_to_grams_and_adds_tax() {
        // SHFE au 620 CNY/g against GC 2,650 USD/ozt at 7.2, 13 % VAT, 0.5 CNY/g costs.
        let f = SpreadForm::ImportParity {
            unit_conversion: 1.0 / 31.103_476_8,
            vat: 0.13,
            tariff: 0.0,
            costs: 0.5,
        };
        let landed = 2_650.0 / 31.103_476_8 * 7.2 * 1.13 + 0.5;
        let v = spread_value(f, 620.0, 2_650.0, 7.2);
        assert!((v - (620.0 - landed)).abs() < 1e-9);
        assert!(
            (v - (-73.6)).abs() < 0.1,
            "import profit ≈ −73.6 CNY/g, got {v}"
        );
    }

    #[test]
    fn ratio_form_divides_by_the_converted_overseas_price() {
        assert_eq!(
            spread_value(SpreadForm::Ratio, 70_700.0, 10_000.0, 7.0),
            1.01
        );
        assert!(spread_value(SpreadForm::Ratio, 1.0, 0.0, 7.0).is_infinite());
    }
}
