//! `[live]` (optional): feed addresses and FIX sessions of the live engine and venue simulator.
//! Addresses must be literal IP:port (no name lookup at start-up); a venue has at most one feed
//! and at most one FIX session, and a FIX session only for a venue with `gateway = "fix"`;
//! likewise one `[[live.ctp]]` session for a venue with `gateway = "ctp"` ([`super::live_ctp`]).

use std::net::SocketAddr;

use toml::Spanned;

use super::{live_ctp, At, Ctx, Names, B, U32_MAX};
use crate::config::raw::{RawLive, RawLiveFeed, RawLiveFix, S};
use crate::config::{FeedTransport, GatewayKind, Instrument, Live, LiveFeed, LiveFix, Venue};
use crate::domain::VenueId;

/// Largest `speed` of the venue simulator.
pub const SPEED_MAX: f64 = 100_000.0;

/// Validates `[live]`; absent: empty (`crossarb run` then refuses to start).
pub(super) fn live(
    cx: &mut Ctx<'_>,
    raw: &S<RawLive>,
    names: &Names,
    venues: &[Option<Venue>],
    symbols: &Names,
    instruments: &[Option<Instrument>],
) -> Option<Live> {
    let Some(t) = raw else {
        return Some(Live::default());
    };
    let at = At::new("live", Some(t.span()));
    let r = t.get_ref();
    let speed = match &r.speed {
        None => Some(1.0),
        Some(_) => cx.num(&at, "speed", &r.speed, &[B::Gt(0.0), B::Le(SPEED_MAX)]),
    };
    let mut ok = true;
    let mut feeds = Vec::new();
    let mut seen = vec![false; names.0.len()];
    for (i, f) in r.feeds.iter().flat_map(|l| l.get_ref().iter()).enumerate() {
        let fat = At::new(format!("live.feeds[{i}]"), Some(f.span()));
        match feed(cx, &fat, f.get_ref(), names, &mut seen) {
            Some(x) => feeds.push(x),
            None => ok = false,
        }
    }
    let mut fixes = Vec::new();
    let mut seen = vec![false; names.0.len()];
    for (i, f) in r.fix.iter().flat_map(|l| l.get_ref().iter()).enumerate() {
        let fat = At::new(format!("live.fix[{i}]"), Some(f.span()));
        match fix(cx, &fat, f.get_ref(), names, venues, &mut seen) {
            Some(x) => fixes.push(x),
            None => ok = false,
        }
    }
    let mut ctps = Vec::new();
    let mut seen = vec![false; names.0.len()];
    for (i, c) in r.ctp.iter().flat_map(|l| l.get_ref().iter()).enumerate() {
        let cat = At::new(format!("live.ctp[{i}]"), Some(c.span()));
        let r = c.get_ref();
        let venue = venue_ref(cx, &cat, &r.venue, names, &mut seen, "[[live.ctp]] session");
        match live_ctp::ctp(cx, &cat, r, venue, venues, symbols, instruments) {
            Some(x) => ctps.push(x),
            None => ok = false,
        }
    }
    ok.then_some(())?;
    Some(Live {
        speed: speed?,
        feeds,
        fix: fixes,
        ctp: ctps,
    })
}

fn venue_ref(
    cx: &mut Ctx<'_>,
    at: &At,
    f: &S<String>,
    names: &Names,
    seen: &mut [bool],
    what: &str,
) -> Option<VenueId> {
    let v = cx.req(at, "venue", f)?;
    let Some(i) = names.find(v.get_ref()) else {
        let msg = format!("must name a [[venues]] entry, got {:?}", v.get_ref());
        cx.err(at.field("venue"), Some(&v.span()), msg);
        return None;
    };
    if std::mem::replace(&mut seen[i], true) {
        let msg = format!("venue already has a {what}");
        cx.err(at.field("venue"), Some(&v.span()), msg);
        return None;
    }
    Some(VenueId(i as u16))
}

fn addr(cx: &mut Ctx<'_>, at: &At, name: &str, v: &Spanned<String>) -> Option<SocketAddr> {
    match v.get_ref().parse::<SocketAddr>() {
        Ok(a) => Some(a),
        Err(_) => {
            let msg = format!(
                "must be an IP address and port such as \"127.0.0.1:41001\", got {:?}",
                v.get_ref()
            );
            cx.err(at.field(name), Some(&v.span()), msg);
            None
        }
    }
}

fn feed(
    cx: &mut Ctx<'_>,
    at: &At,
    r: &RawLiveFeed,
    names: &Names,
    seen: &mut [bool],
) -> Option<LiveFeed> {
    let venue = venue_ref(cx, at, &r.venue, names, seen, "[[live.feeds]] entry");
    let transport = match (&r.udp, &r.tcp) {
        (Some(u), None) => addr(cx, at, "udp", u).map(FeedTransport::Udp),
        (None, Some(t)) => addr(cx, at, "tcp", t).map(FeedTransport::Tcp),
        (Some(_), Some(t)) => {
            cx.err(
                at.field("tcp"),
                Some(&t.span()),
                "give udp or tcp, not both",
            );
            None
        }
        (None, None) => {
            let msg = format!("[{}] needs udp = \"IP:port\" or tcp = \"IP:port\"", at.path);
            cx.err(at.field("udp"), at.span.as_ref(), msg);
            None
        }
    };
    Some(LiveFeed {
        venue: venue?,
        transport: transport?,
    })
}

fn fix(
    cx: &mut Ctx<'_>,
    at: &At,
    r: &RawLiveFix,
    names: &Names,
    venues: &[Option<Venue>],
    seen: &mut [bool],
) -> Option<LiveFix> {
    let venue = venue_ref(cx, at, &r.venue, names, seen, "[[live.fix]] session");
    if let (Some(v), Some(raw)) = (venue, &r.venue) {
        if let Some(Some(def)) = venues.get(v.idx()) {
            if def.gateway != GatewayKind::Fix {
                let msg = format!("venue {:?} does not have gateway = \"fix\"", def.name);
                cx.err(at.field("venue"), Some(&raw.span()), msg);
            }
        }
    }
    let address = cx
        .req(at, "addr", &r.addr)
        .and_then(|a| addr(cx, at, "addr", a));
    let sender = comp_id(cx, at, "sender_comp_id", &r.sender_comp_id);
    let target = comp_id(cx, at, "target_comp_id", &r.target_comp_id);
    let hb = cx.int(at, "heart_bt_s", &r.heart_bt_s, &[B::Ge(1), B::Le(3600)]);
    let delay = cx.int(
        at,
        "reconnect_delay_ms",
        &r.reconnect_delay_ms,
        &[B::Ge(1), B::Le(U32_MAX)],
    );
    let reset = cx
        .req(at, "reset_on_logon", &r.reset_on_logon)
        .map(|b| *b.get_ref());
    Some(LiveFix {
        venue: venue?,
        addr: address?,
        sender_comp_id: sender?,
        target_comp_id: target?,
        heart_bt_s: u32::try_from(hb?).ok()?,
        reconnect_delay_ms: delay?,
        reset_on_logon: reset?,
    })
}

fn comp_id(cx: &mut Ctx<'_>, at: &At, name: &str, f: &S<String>) -> Option<String> {
    let s = cx.string(at, name, f)?;
    if s.len() > 32 || s.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        let span = f.as_ref().map(|v| v.span());
        let msg = format!("must be 1 to 32 printable ASCII characters without spaces, got {s:?}");
        cx.err(at.field(name), span.as_ref(), msg);
        return None;
    }
    Some(s)
}
