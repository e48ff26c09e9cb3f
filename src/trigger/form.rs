//! Spread forms evaluated at the edge in `f64`, and the one conversion from a float spread to the
//! integer milli-spread-ticks every decision is made in. Pure functions; trigger thread.

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

#[cfg(test)]
mod tests {
    use super::*;

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
