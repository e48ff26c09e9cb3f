//! `[pair]`: the legs, the spread form and its parameters, FX, bands and sizes.

use toml::Spanned;

use super::{At, Ctx, Names, B};
use crate::config::raw::{RawFx, RawPair, S};
use crate::config::{ExitRule, Fx, Instrument, Pair, Pricing, SpreadForm};
use crate::domain::InstrumentId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Difference,
    Ratio,
    ImportParity,
}

const FORMS: [(&str, Form); 3] = [
    ("difference", Form::Difference),
    ("ratio", Form::Ratio),
    ("import_parity", Form::ImportParity),
];

const PRICINGS: [(&str, Pricing); 2] = [("executable", Pricing::Executable), ("mid", Pricing::Mid)];

const EXITS: [(&str, ExitRule); 2] = [("flatten", ExitRule::Flatten), ("rearm", ExitRule::Rearm)];

/// Validates `[pair]` against the instruments.
pub(super) fn pair(
    cx: &mut Ctx<'_>,
    top: &At,
    raw: &S<RawPair>,
    symbols: &Names,
    instruments: &[Option<Instrument>],
) -> Option<Pair> {
    let t = cx.req(top, "pair", raw)?;
    let at = top.sub("pair", t);
    let r = t.get_ref();
    let name = cx.string(&at, "name", &r.name);
    let (domestic, overseas) = legs(cx, &at, r, symbols, instruments);
    let form = cx.choice(&at, "form", &r.form, &FORMS);
    let spread = form.and_then(|f| spread_form(cx, &at, r, f));
    let pricing = cx.choice(&at, "pricing", &r.pricing, &PRICINGS);
    let exit = cx.choice(&at, "exit", &r.exit, &EXITS);
    let legs = [domestic, overseas];
    let fx = cx
        .req(&at, "fx", &r.fx)
        .and_then(|f| fx(cx, &at, f, symbols, legs));
    let (center_ticks, entry_band_ticks, exit_band_ticks) = bands(cx, &at, r);
    let lots = |cx: &mut Ctx<'_>, name: &str, f: &S<i64>| cx.int(&at, name, f, &[B::Ge(1)]);
    let domestic_size_min_lots = lots(cx, "domestic_size_min_lots", &r.domestic_size_min_lots);
    let overseas_size_min_lots = lots(cx, "overseas_size_min_lots", &r.overseas_size_min_lots);
    let domestic_lots_max = lots(cx, "domestic_lots_max", &r.domestic_lots_max);
    let overseas_lots_max = lots(cx, "overseas_lots_max", &r.overseas_lots_max);
    let cooldown_ms = cx.int(&at, "cooldown_ms", &r.cooldown_ms, &[B::Ge(0)]);
    let leg_skew_ms_max = cx.int(&at, "leg_skew_ms_max", &r.leg_skew_ms_max, &[B::Gt(0)]);
    let spread_tick = match form? {
        Form::Ratio => r.ratio_tick.as_ref().map(|t| *t.get_ref()),
        _ => instruments
            .get(domestic?.idx())?
            .as_ref()
            .map(|i| i.tick_size),
    };
    Some(Pair {
        name: name?,
        domestic: domestic?,
        overseas: overseas?,
        form: spread?,
        pricing: pricing?,
        exit: exit?,
        fx: fx?,
        spread_tick: spread_tick?,
        center_ticks: center_ticks?,
        entry_band_ticks: entry_band_ticks?,
        exit_band_ticks: exit_band_ticks?,
        cooldown_ms: cooldown_ms?,
        leg_skew_ms_max: leg_skew_ms_max?,
        domestic_size_min_lots: domestic_size_min_lots?,
        overseas_size_min_lots: overseas_size_min_lots?,
        domestic_lots_max: domestic_lots_max?,
        overseas_lots_max: overseas_lots_max?,
    })
}

/// An instrument symbol → its id.
fn symbol(
    cx: &mut Ctx<'_>,
    at: &At,
    name: &str,
    f: &S<String>,
    symbols: &Names,
) -> Option<InstrumentId> {
    cx.parsed(at, name, f, |s| {
        symbols
            .find(s)
            .map(|i| InstrumentId(i as u16))
            .ok_or_else(|| format!("unknown instrument {s:?}; instruments are {:?}", symbols.0))
    })
}

fn legs(
    cx: &mut Ctx<'_>,
    at: &At,
    r: &RawPair,
    symbols: &Names,
    instruments: &[Option<Instrument>],
) -> (Option<InstrumentId>, Option<InstrumentId>) {
    let d = symbol(cx, at, "domestic", &r.domestic, symbols);
    let o = symbol(cx, at, "overseas", &r.overseas, symbols);
    let (Some(di), Some(oi), Some(f)) = (d, o, &r.overseas) else {
        return (d, o);
    };
    let span = Some(f.span());
    if di == oi {
        cx.err(
            at.field("overseas"),
            span.as_ref(),
            "must differ from pair.domestic",
        );
        return (d, None);
    }
    let (Some(Some(dom)), Some(Some(ovs))) = (instruments.get(di.idx()), instruments.get(oi.idx()))
    else {
        return (d, o);
    };
    if dom.venue == ovs.venue {
        let msg = format!(
            "{:?} trades on the same venue as the domestic leg {:?}",
            ovs.symbol, dom.symbol
        );
        cx.err(at.field("overseas"), span.as_ref(), msg);
        return (d, None);
    }
    if !dom.lot_unit.same_dimension(ovs.lot_unit) {
        let msg = format!(
            "lot unit {:?} of {:?} cannot be hedged against lot unit {:?} of {:?}",
            ovs.lot_unit.name(),
            ovs.symbol,
            dom.lot_unit.name(),
            dom.symbol
        );
        cx.err(at.field("overseas"), span.as_ref(), msg);
        return (d, None);
    }
    (d, o)
}

fn spread_form(cx: &mut Ctx<'_>, at: &At, r: &RawPair, form: Form) -> Option<SpreadForm> {
    let params: [(&str, &S<f64>, Form); 8] = [
        ("a", &r.a, Form::Difference),
        ("b", &r.b, Form::Difference),
        ("c", &r.c, Form::Difference),
        ("ratio_tick", &r.ratio_tick, Form::Ratio),
        ("unit_conversion", &r.unit_conversion, Form::ImportParity),
        ("vat", &r.vat, Form::ImportParity),
        ("tariff", &r.tariff, Form::ImportParity),
        ("costs", &r.costs, Form::ImportParity),
    ];
    let form_name = FORMS
        .iter()
        .find(|(_, f)| *f == form)
        .map_or("", |(n, _)| n);
    for (name, f, owner) in params {
        if owner != form {
            let owner_name = FORMS
                .iter()
                .find(|(_, f)| *f == owner)
                .map_or("", |(n, _)| n);
            let why = format!("with form = {form_name:?} (only with form = {owner_name:?})");
            cx.forbid(at, name, f, &why);
        }
    }
    match form {
        Form::Difference => {
            let a = cx.num(at, "a", &r.a, &[B::Gt(0.0)]);
            let b = cx.num(at, "b", &r.b, &[B::Gt(0.0)]);
            let c = cx.num(at, "c", &r.c, &[]);
            Some(SpreadForm::Difference {
                a: a?,
                b: b?,
                c: c?,
            })
        }
        Form::Ratio => cx
            .num(at, "ratio_tick", &r.ratio_tick, &[B::Gt(0.0)])
            .map(|_| SpreadForm::Ratio),
        Form::ImportParity => {
            let unit_conversion = cx.num(at, "unit_conversion", &r.unit_conversion, &[B::Gt(0.0)]);
            let vat = cx.num(at, "vat", &r.vat, &[B::Ge(0.0), B::Lt(1.0)]);
            let tariff = cx.num(at, "tariff", &r.tariff, &[B::Ge(0.0), B::Lt(1.0)]);
            let costs = cx.num(at, "costs", &r.costs, &[]);
            Some(SpreadForm::ImportParity {
                unit_conversion: unit_conversion?,
                vat: vat?,
                tariff: tariff?,
                costs: costs?,
            })
        }
    }
}

fn fx(
    cx: &mut Ctx<'_>,
    at: &At,
    f: &Spanned<RawFx>,
    symbols: &Names,
    legs: [Option<InstrumentId>; 2],
) -> Option<Fx> {
    match f.get_ref() {
        RawFx::Fixed(rate) => {
            if rate.is_finite() && *rate > 0.0 {
                return Some(Fx::Fixed(*rate));
            }
            cx.err(
                at.field("fx"),
                Some(&f.span()),
                format!("must be > 0, got {rate}"),
            );
            None
        }
        RawFx::Live(live) => {
            let fat = At::new(at.field("fx"), Some(f.span()));
            let instrument = symbol(cx, &fat, "instrument", &live.instrument, symbols);
            let stale_ms_max = cx.int(&fat, "stale_ms_max", &live.stale_ms_max, &[B::Gt(0)]);
            if let (Some(i), Some(s)) = (instrument, &live.instrument) {
                if legs.contains(&Some(i)) {
                    let msg = "must not be one of the pair's legs";
                    cx.err(fat.field("instrument"), Some(&s.span()), msg);
                    return None;
                }
            }
            Some(Fx::Live {
                instrument: instrument?,
                stale_ms_max: stale_ms_max?,
            })
        }
    }
}

/// `center_ticks`, `entry_band_ticks`, `exit_band_ticks` (exit strictly inside entry).
fn bands(cx: &mut Ctx<'_>, at: &At, r: &RawPair) -> (Option<f64>, Option<f64>, Option<f64>) {
    let center = cx.num(at, "center_ticks", &r.center_ticks, &[]);
    let entry = cx.num(at, "entry_band_ticks", &r.entry_band_ticks, &[B::Gt(0.0)]);
    let mut exit = cx.num(at, "exit_band_ticks", &r.exit_band_ticks, &[B::Ge(0.0)]);
    if let (Some(en), Some(ex), Some(f)) = (entry, exit, &r.exit_band_ticks) {
        if ex >= en {
            let msg = format!("must be smaller than pair.entry_band_ticks ({ex} ≥ {en})");
            cx.err(at.field("exit_band_ticks"), Some(&f.span()), msg);
            exit = None;
        }
    }
    (center, entry, exit)
}
