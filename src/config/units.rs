//! Small exact parsers and printers for config values: units, decimal quantities in base quanta,
//! tick decimals, `HH:MM[:SS]` times and weekday specs. Pure functions; errors are the message
//! half of a [`super::FieldError`].

use super::{BaseQty, Unit, Weekdays};

const UNITS: [Unit; 6] = [
    Unit::Tonne,
    Unit::Kilogram,
    Unit::Gram,
    Unit::TroyOunce,
    Unit::Pound,
    Unit::Unit,
];

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A unit by its config name (`t kg g ozt lb unit`).
pub fn parse_unit(s: &str) -> Result<Unit, String> {
    UNITS.into_iter().find(|u| u.name() == s).ok_or_else(|| {
        let names: Vec<&str> = UNITS.iter().map(|u| u.name()).collect();
        format!("unknown unit {s:?}, expected one of {}", names.join(" "))
    })
}

/// Shortest decimal text of a finite `f64` (Rust's `Display` never uses an exponent), which is
/// the number as the operator wrote it for every value a config holds.
fn decimal_text(x: f64) -> String {
    format!("{x}")
}

/// `mantissa × 10^-scale` of a plain decimal such as `-12.50`.
fn parse_decimal(s: &str) -> Result<(i128, u32), String> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !ok(int) || !ok(frac) || int.len() + frac.len() > 30 {
        return Err(format!("{s:?} is not a plain decimal number"));
    }
    let mantissa: i128 = format!("{int}{frac}")
        .parse()
        .map_err(|_| format!("{s:?} is too long"))?;
    Ok((if neg { -mantissa } else { mantissa }, frac.len() as u32))
}

/// `amount` of `unit` in exact base quanta; an error if it is not a whole number of quanta or
/// does not fit.
pub fn decimal_to_base(amount: &str, unit: Unit) -> Result<BaseQty, String> {
    let (m, scale) = parse_decimal(amount)?;
    let num = m
        .checked_mul(i128::from(unit.base_quanta()))
        .ok_or_else(|| format!("{amount} {} is too large", unit.name()))?;
    let den = 10i128.pow(scale);
    if num % den != 0 {
        return Err(format!(
            "{amount} {} is not a whole number of base quanta (1 {} = {} quanta)",
            unit.name(),
            unit.name(),
            unit.base_quanta()
        ));
    }
    i64::try_from(num / den)
        .map(BaseQty)
        .map_err(|_| format!("{amount} {} is too large", unit.name()))
}

/// A finite `f64` amount of `unit` in exact base quanta.
pub fn f64_to_base(amount: f64, unit: Unit) -> Result<BaseQty, String> {
    decimal_to_base(&decimal_text(amount), unit)
}

/// A quantity string `"<number> <unit>"`, e.g. `"100 t"`.
pub fn parse_quantity(s: &str) -> Result<(BaseQty, Unit), String> {
    let mut parts = s.split_whitespace();
    let (Some(num), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("{s:?} is not \"<number> <unit>\", e.g. \"100 t\""));
    };
    let unit = parse_unit(unit)?;
    Ok((decimal_to_base(num, unit)?, unit))
}

/// Digits after the decimal point of a tick size (`0.02` → 2, `10` → 0).
pub fn tick_decimals(tick: f64) -> u32 {
    decimal_text(tick)
        .split_once('.')
        .map_or(0, |(_, frac)| frac.len() as u32)
}

/// `base` written in `unit`, exactly (`BaseQty(5e13)`, t → `"5"`).
pub fn base_in(base: BaseQty, unit: Unit) -> String {
    let q = unit.base_quanta();
    let (whole, rem) = (base.0 / q, (base.0 % q).abs());
    if rem == 0 {
        return whole.to_string();
    }
    let width = q.to_string().len() - 1;
    let sign = if base.0 < 0 && whole == 0 { "-" } else { "" };
    let frac = format!("{rem:0width$}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// A quantity printed in the largest mass unit that keeps it whole (`"100 t"`, `"3 kg"`), or in
/// `fallback` (`"311.0347680 ozt"` style) otherwise.
pub fn fmt_quantity(base: BaseQty, fallback: Unit) -> String {
    let candidates: &[Unit] = if fallback.same_dimension(Unit::Tonne) {
        &[Unit::Tonne, Unit::Kilogram, Unit::Gram]
    } else {
        &[]
    };
    let unit = candidates
        .iter()
        .copied()
        .find(|u| base.0 % u.base_quanta() == 0)
        .unwrap_or(fallback);
    format!("{} {}", base_in(base, unit), unit.name())
}

/// `HH:MM` or `HH:MM:SS` (00:00 … 23:59:59) → seconds after midnight.
pub fn parse_hms(s: &str) -> Result<u32, String> {
    let bad = || format!("{s:?} is not a time HH:MM or HH:MM:SS (00:00 to 23:59:59)");
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
        return Err(bad());
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse::<u32>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (h, m, sec) = (nums[0], nums[1], nums.get(2).copied().unwrap_or(0));
    if h > 23 || m > 59 || sec > 59 {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60 + sec)
}

/// Seconds after midnight → `HH:MM` (or `HH:MM:SS` when the seconds are not zero).
pub fn fmt_hms(s: u32) -> String {
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

fn day_index(s: &str) -> Result<u8, String> {
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(s.trim()))
        .map(|i| i as u8)
        .ok_or_else(|| format!("unknown day {s:?}, expected one of {}", DAY_NAMES.join(" ")))
}

/// `"mon-fri"`, `"sun-thu"` (wraps past Sunday) or `"sat"` → weekday mask.
pub fn parse_day_spec(s: &str) -> Result<Weekdays, String> {
    let Some((from, to)) = s.split_once('-') else {
        return Ok(1 << day_index(s)?);
    };
    let (from, to) = (day_index(from)?, day_index(to)?);
    let mut mask = 0u8;
    let mut d = from;
    loop {
        mask |= 1 << d;
        if d == to {
            return Ok(mask);
        }
        d = (d + 1) % 7;
    }
}

/// A list of day names → weekday mask; an empty list is an error.
pub fn parse_day_list(days: &[String]) -> Result<Weekdays, String> {
    if days.is_empty() {
        return Err("empty list of days".into());
    }
    days.iter().try_fold(0u8, |m, d| Ok(m | 1 << day_index(d)?))
}

/// Weekday mask → `mon–fri` when the days form one (cyclic) run, else `mon,wed,fri`.
pub fn fmt_days(mask: Weekdays) -> String {
    let on = |d: usize| mask & (1 << (d % 7)) != 0;
    let count = (0..7).filter(|&d| on(d)).count();
    if count == 7 {
        return "daily".into();
    }
    let start = (0..7).find(|&d| on(d) && !on(d + 6));
    if let Some(start) = start {
        if (start..start + count).all(on) && count > 1 {
            let end = (start + count - 1) % 7;
            return format!("{}–{}", DAY_NAMES[start], DAY_NAMES[end]);
        }
    }
    let names: Vec<&str> = (0..7).filter(|&d| on(d)).map(|d| DAY_NAMES[d]).collect();
    names.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lot_sizes_convert_to_exact_quanta() {
        assert_eq!(
            f64_to_base(5.0, Unit::Tonne),
            Ok(BaseQty(50_000_000_000_000))
        );
        assert_eq!(
            f64_to_base(100.0, Unit::TroyOunce),
            Ok(BaseQty(31_103_476_800))
        );
        assert_eq!(f64_to_base(0.5, Unit::Gram), Ok(BaseQty(5_000_000)));
        assert!(f64_to_base(0.00000001, Unit::Gram).is_err());
    }

    #[test]
    fn quantity_strings_need_a_number_and_a_known_unit() {
        assert_eq!(
            parse_quantity("100 t"),
            Ok((BaseQty(1_000_000_000_000_000), Unit::Tonne))
        );
        assert_eq!(
            parse_quantity("2.5 kg"),
            Ok((BaseQty(25_000_000_000), Unit::Kilogram))
        );
        assert!(parse_quantity("100").is_err());
        assert!(parse_quantity("100 tons").is_err());
        assert!(parse_quantity("1e3 t").is_err());
        assert!(parse_quantity("1000000 t").is_err(), "overflows i64");
    }

    #[test]
    fn tick_decimals_follow_the_written_tick() {
        assert_eq!(tick_decimals(10.0), 0);
        assert_eq!(tick_decimals(0.02), 2);
        assert_eq!(tick_decimals(0.5), 1);
        assert_eq!(tick_decimals(0.0005), 4);
    }

    #[test]
    fn times_accept_hh_mm_and_hh_mm_ss_only() {
        assert_eq!(parse_hms("21:00"), Ok(75_600));
        assert_eq!(parse_hms("02:30:15"), Ok(9_015));
        for bad in ["24:00", "9:00", "12:60", "12", "12:00:00:00", "ab:cd"] {
            assert!(parse_hms(bad).is_err(), "{bad}");
        }
        assert_eq!(fmt_hms(9_015), "02:30:15");
        assert_eq!(fmt_hms(75_600), "21:00");
    }

    #[test]
    fn day_specs_wrap_past_sunday() {
        assert_eq!(parse_day_spec("mon-fri"), Ok(0b001_1111));
        assert_eq!(parse_day_spec("sun-thu"), Ok(0b100_1111));
        assert_eq!(parse_day_spec("sat"), Ok(0b010_0000));
        assert!(parse_day_spec("mon-fry").is_err());
        assert_eq!(parse_day_list(&["mon".into(), "wed".into()]), Ok(0b101));
        assert!(parse_day_list(&[]).is_err());
        assert_eq!(fmt_days(0b001_1111), "mon–fri");
        assert_eq!(fmt_days(0b100_1111), "sun–thu");
        assert_eq!(fmt_days(0b101), "mon,wed");
    }

    #[test]
    fn quantities_print_in_the_largest_whole_unit() {
        assert_eq!(
            fmt_quantity(BaseQty(1_000_000_000_000_000), Unit::Tonne),
            "100 t"
        );
        assert_eq!(fmt_quantity(BaseQty(3_000_000_000), Unit::Gram), "300 g");
        assert_eq!(base_in(BaseQty(311_034_768), Unit::Gram), "31.1034768");
    }
}
