//! `[[live.ctp]]`: the CTP trader session of a venue with `gateway = "ctp"` — front address,
//! broker id, user, password, app id, auth code, flow directory, and the CTP exchange id of
//! every instrument of the venue. Secrets are not written in the file: `password` and
//! `auth_code` must be `env:NAME` (resolved by `crossarb run` at start-up); the others may be
//! literal or `env:NAME`.

use toml::Spanned;

use super::{At, Ctx, Names};
use crate::config::raw::{RawCtpInstrument, RawLiveCtp, S};
use crate::config::{CtpInstrumentExchange, GatewayKind, Instrument, LiveCtp, Venue};
use crate::domain::{InstrumentId, VenueId};

/// ExchangeIDs the CTP counters of Chinese futures brokers route to.
pub const CTP_EXCHANGES: [&str; 6] = ["SHFE", "INE", "DCE", "CZCE", "CFFEX", "GFEX"];

/// Validates one `[[live.ctp]]` entry; `venue` is the venue it names (already checked by the
/// caller for existence and uniqueness).
pub(super) fn ctp(
    cx: &mut Ctx<'_>,
    at: &At,
    r: &RawLiveCtp,
    venue: Option<VenueId>,
    venues: &[Option<Venue>],
    symbols: &Names,
    instruments: &[Option<Instrument>],
) -> Option<LiveCtp> {
    if let (Some(v), Some(raw)) = (venue, &r.venue) {
        if let Some(Some(def)) = venues.get(v.idx()) {
            if def.gateway != GatewayKind::Ctp {
                let msg = format!("venue {:?} does not have gateway = \"ctp\"", def.name);
                cx.err(at.field("venue"), Some(&raw.span()), msg);
            }
        }
    }
    let front = front(cx, at, &r.front);
    let broker_id = credential(cx, at, "broker_id", &r.broker_id, false);
    let user_id = credential(cx, at, "user_id", &r.user_id, false);
    let password = credential(cx, at, "password", &r.password, true);
    let app_id = credential(cx, at, "app_id", &r.app_id, false);
    let auth_code = credential(cx, at, "auth_code", &r.auth_code, true);
    let flow_dir = cx.string(at, "flow_dir", &r.flow_dir);
    let list = match (venue, cx.req(at, "instruments", &r.instruments)) {
        (Some(v), Some(list)) => exchanges(cx, at, list, v, symbols, instruments),
        _ => None,
    };
    Some(LiveCtp {
        venue: venue?,
        front: front?,
        broker_id: broker_id?,
        user_id: user_id?,
        password: password?,
        app_id: app_id?,
        auth_code: auth_code?,
        flow_dir: flow_dir?.into(),
        instruments: list?,
    })
}

fn front(cx: &mut Ctx<'_>, at: &At, f: &S<String>) -> Option<String> {
    let s = cx.string(at, "front", f)?;
    let ok = s
        .strip_prefix("tcp://")
        .or_else(|| s.strip_prefix("ssl://"))
        .and_then(|rest| rest.rsplit_once(':'))
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if !ok {
        let span = f.as_ref().map(|v| v.span());
        let msg = format!(
            "must be the broker's trading front as \"tcp://host:port\" (e.g. \"tcp://180.168.146.187:10201\"), got {s:?}"
        );
        cx.err(at.field("front"), span.as_ref(), msg);
        return None;
    }
    Some(s)
}

/// A credential as written: `env:NAME` (NAME = letters, digits, `_`), or — unless `secret` —
/// the value itself.
fn credential(
    cx: &mut Ctx<'_>,
    at: &At,
    name: &str,
    f: &S<String>,
    secret: bool,
) -> Option<String> {
    let s = cx.string(at, name, f)?;
    let span = f.as_ref().map(|v| v.span());
    match s.strip_prefix("env:") {
        Some(var)
            if !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            Some(s)
        }
        Some(var) => {
            let msg = format!(
                "env:NAME needs an environment variable name (letters, digits, _), got {var:?}"
            );
            cx.err(at.field(name), span.as_ref(), msg);
            None
        }
        None if secret => {
            let msg = format!(
                "must be \"env:NAME\" (the environment variable holding it): a {name} is not written in a config file"
            );
            cx.err(at.field(name), span.as_ref(), msg);
            None
        }
        None => Some(s),
    }
}

/// `instruments = [{ symbol, exchange }, …]`: each names an instrument of `venue` once, and
/// every instrument of `venue` is listed.
fn exchanges(
    cx: &mut Ctx<'_>,
    at: &At,
    list: &Spanned<Vec<Spanned<RawCtpInstrument>>>,
    venue: VenueId,
    symbols: &Names,
    instruments: &[Option<Instrument>],
) -> Option<Vec<CtpInstrumentExchange>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (i, e) in list.get_ref().iter().enumerate() {
        let eat = At::new(format!("{}.instruments[{i}]", at.path), Some(e.span()));
        let r = e.get_ref();
        let id = cx.req(&eat, "symbol", &r.symbol).and_then(|s| {
            let found = symbols.find(s.get_ref()).map(|k| InstrumentId(k as u16));
            let msg = match found.map(|id| instruments.get(id.idx())) {
                None => format!("must name an [[instruments]] entry, got {:?}", s.get_ref()),
                Some(Some(Some(ins))) if ins.venue != venue => {
                    format!("{:?} is not an instrument of this venue", s.get_ref())
                }
                Some(_)
                    if out
                        .iter()
                        .any(|x: &CtpInstrumentExchange| Some(x.instrument) == found) =>
                {
                    format!("{:?} is listed twice", s.get_ref())
                }
                Some(_) => return found,
            };
            cx.err(eat.field("symbol"), Some(&s.span()), msg);
            None
        });
        let exchange = cx.req(&eat, "exchange", &r.exchange).and_then(|x| {
            if CTP_EXCHANGES.contains(&x.get_ref().as_str()) {
                return Some(x.get_ref().clone());
            }
            let msg = format!("must be one of {CTP_EXCHANGES:?}, got {:?}", x.get_ref());
            cx.err(eat.field("exchange"), Some(&x.span()), msg);
            None
        });
        match (id, exchange) {
            (Some(instrument), Some(exchange)) => out.push(CtpInstrumentExchange {
                instrument,
                exchange,
            }),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    for ins in instruments.iter().flatten().filter(|i| i.venue == venue) {
        if !out.iter().any(|x| x.instrument == ins.id) {
            let msg = format!(
                "instrument {:?} of this venue has no entry (give its CTP exchange, e.g. {{ symbol = {:?}, exchange = \"SHFE\" }})",
                ins.symbol, ins.symbol
            );
            cx.err(at.field("instruments"), Some(&list.span()), msg);
            ok = false;
        }
    }
    ok.then_some(out)
}
