//! `[[venues]]`: names, time zones, sessions, holidays, quote age, gateway.

use std::path::Path;

use chrono::NaiveDate;
use toml::Spanned;

use super::{At, Ctx, Names, B};
use crate::config::raw::{RawDays, RawHolidays, RawSession, RawVenue, S};
use crate::config::units::{parse_day_list, parse_day_spec, parse_hms};
use crate::config::{GatewayKind, Session, Venue};
use crate::domain::{VenueId, VENUES_MAX};

const GATEWAYS: [(&str, GatewayKind); 3] = [
    ("sim", GatewayKind::Sim),
    ("fix", GatewayKind::Fix),
    ("ctp", GatewayKind::Ctp),
];

/// Validates every venue; the names are returned even for venues that failed.
pub(super) fn venues(
    cx: &mut Ctx<'_>,
    top: &At,
    raw: &S<Vec<Spanned<RawVenue>>>,
) -> (Vec<Option<Venue>>, Names) {
    let Some(list) = cx.req(top, "venues", raw) else {
        return (Vec::new(), Names::default());
    };
    if list.get_ref().is_empty() || list.get_ref().len() > VENUES_MAX {
        let msg = format!(
            "must list 1 to {VENUES_MAX} venues, got {}",
            list.get_ref().len()
        );
        cx.err("venues", Some(&list.span()), msg);
    }
    let mut names = Names::default();
    let mut out = Vec::new();
    for (i, v) in list.get_ref().iter().enumerate() {
        let at = At::new(format!("venues[{i}]"), Some(v.span()));
        let name = cx.string(&at, "name", &v.get_ref().name);
        if let (Some(n), Some(f)) = (&name, &v.get_ref().name) {
            if names.find(n).is_some() {
                cx.err(
                    at.field("name"),
                    Some(&f.span()),
                    format!("duplicate venue name {n:?}"),
                );
            }
        }
        names.0.push(name.clone().unwrap_or_default());
        out.push(venue(cx, &at, v.get_ref(), i, name));
    }
    (out, names)
}

fn venue(cx: &mut Ctx<'_>, at: &At, v: &RawVenue, i: usize, name: Option<String>) -> Option<Venue> {
    let time_zone = cx.parsed(at, "time_zone", &v.time_zone, |s| {
        s.parse::<chrono_tz::Tz>()
            .map_err(|_| format!("unknown IANA time zone {s:?} (e.g. \"Asia/Shanghai\")"))
    });
    let quote_age_ms_max = cx.int(at, "quote_age_ms_max", &v.quote_age_ms_max, &[B::Gt(0)]);
    let gateway = cx.choice(at, "gateway", &v.gateway, &GATEWAYS);
    let holidays = holidays(cx, at, &v.holidays);
    let sessions = sessions(cx, at, &v.sessions);
    Some(Venue {
        id: VenueId(u16::try_from(i).ok()?),
        name: name?,
        time_zone: time_zone?,
        sessions: sessions?,
        holidays: holidays?,
        quote_age_ms_max: quote_age_ms_max?,
        gateway: gateway?,
    })
}

fn sessions(cx: &mut Ctx<'_>, at: &At, raw: &S<Vec<Spanned<RawSession>>>) -> Option<Vec<Session>> {
    let list = cx.req(at, "sessions", raw)?;
    if list.get_ref().is_empty() {
        cx.err(
            at.field("sessions"),
            Some(&list.span()),
            "must list at least one session",
        );
        return None;
    }
    let out: Vec<Option<Session>> = list
        .get_ref()
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let at = At::new(format!("{}.sessions[{j}]", at.path), Some(s.span()));
            session(cx, &at, s.get_ref())
        })
        .collect();
    out.into_iter().collect()
}

fn session(cx: &mut Ctx<'_>, at: &At, s: &RawSession) -> Option<Session> {
    let open_s = cx.parsed(at, "open", &s.open, parse_hms);
    let close_s = cx.parsed(at, "close", &s.close, parse_hms);
    let days = cx.req(at, "days", &s.days).and_then(|d| {
        let mask = match d.get_ref() {
            RawDays::Spec(spec) => parse_day_spec(spec),
            RawDays::List(list) => parse_day_list(list),
        };
        mask.map_err(|msg| cx.err(at.field("days"), Some(&d.span()), msg))
            .ok()
    });
    let night = s.night.as_ref().is_some_and(|n| *n.get_ref());
    if let (Some(o), Some(c), Some(f)) = (open_s, close_s, &s.close) {
        if o == c {
            cx.err(
                at.field("close"),
                Some(&f.span()),
                "must differ from open (a session of zero or 24 h)",
            );
            return None;
        }
    }
    Some(Session {
        open_s: open_s?,
        close_s: close_s?,
        days: days?,
        night,
    })
}

fn holidays(cx: &mut Ctx<'_>, at: &At, raw: &S<RawHolidays>) -> Option<Vec<NaiveDate>> {
    let Some(h) = raw else {
        return Some(Vec::new());
    };
    let path = at.field("holidays");
    let mut dates = Vec::new();
    let mut ok = true;
    match h.get_ref() {
        RawHolidays::List(list) => {
            for d in list {
                match parse_date(d.get_ref()) {
                    Ok(x) => dates.push(x),
                    Err(msg) => {
                        cx.err(path.clone(), Some(&d.span()), msg);
                        ok = false;
                    }
                }
            }
        }
        RawHolidays::File(file) => match holiday_file(&cx.dir.join(file)) {
            Ok(list) => dates = list,
            Err(msg) => {
                cx.err(path, Some(&h.span()), msg);
                ok = false;
            }
        },
    }
    dates.sort_unstable();
    dates.dedup();
    ok.then_some(dates)
}

/// `YYYY-MM-DD`.
pub(super) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date YYYY-MM-DD"))
}

/// A holiday file: one `YYYY-MM-DD` a line; `#` starts a comment; blank lines skipped.
fn holiday_file(path: &Path) -> Result<Vec<NaiveDate>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read holiday file {}: {e}", path.display()))?;
    let mut dates = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let s = line.split('#').next().unwrap_or("").trim();
        if s.is_empty() {
            continue;
        }
        let d = parse_date(s).map_err(|m| format!("{}:{}: {m}", path.display(), n + 1))?;
        dates.push(d);
    }
    Ok(dates)
}
