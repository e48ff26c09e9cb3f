//! Shared fixtures of the FIX tests: a session config, an instrument table, a broker-side
//! encoder for messages to the session, and a reader of what the session sent.
#![allow(dead_code)]

use crossarb::domain::{InstrumentId, TsNs, NS_PER_SEC};
use crossarb::feed::decimal::Decimal;
use crossarb::gateway::fix::{
    decode, Credential, Encoder, FixMsg, Header, InstrumentSpec, Instruments, SeqNums, Session,
    SessionConfig,
};

/// 2024-07-01 23:58:01 UTC.
pub const T0: TsNs = TsNs(1_719_878_281_000_000_000);
pub const PASSWORD: &str = "s3cr3t-pw";
pub const USERNAME: &str = "trader-7";
pub const GC: InstrumentId = InstrumentId(1);
pub const HG: InstrumentId = InstrumentId(2);

pub fn secs(s: i64) -> TsNs {
    T0.plus_ns(s * NS_PER_SEC)
}

pub fn cfg() -> SessionConfig {
    SessionConfig {
        sender: b"CLIENT".to_vec(),
        target: b"BROKER".to_vec(),
        heart_bt_s: 30,
        reset_on_logon: false,
        username: Some(Credential::new(USERNAME)),
        password: Some(Credential::new(PASSWORD)),
        logon_timeout_ms: 10_000,
        logout_timeout_ms: 5_000,
        resend_age_max_ms: 60_000,
        resend_capacity: 64,
        orders_capacity: 256,
        outbound_bytes: 1 << 16,
    }
}

pub fn instruments() -> Instruments {
    Instruments::new(vec![
        InstrumentSpec {
            id: GC,
            symbol: b"GCZ4".to_vec(),
            tick: Decimal::parse(b"0.1").unwrap(),
        },
        InstrumentSpec {
            id: HG,
            symbol: b"HGZ4".to_vec(),
            tick: Decimal::parse(b"0.0005").unwrap(),
        },
    ])
    .unwrap()
}

pub fn session() -> Session {
    Session::new(cfg(), instruments(), SeqNums::default()).unwrap()
}

/// One message from BROKER to CLIENT.
pub fn frame(seq: u64, m: &FixMsg<'_>, now: TsNs, orig: Option<TsNs>) -> Vec<u8> {
    frame_between(b"BROKER", b"CLIENT", seq, m, now, orig)
}

/// One message from `sender` to `target`; `orig` makes it a PossDup resend.
pub fn frame_between(
    sender: &[u8],
    target: &[u8],
    seq: u64,
    m: &FixMsg<'_>,
    now: TsNs,
    orig: Option<TsNs>,
) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let h = Header {
        msg_type: m.msg_type(),
        sender,
        target,
        seq,
        sending_time: now,
        orig_sending_time: orig,
    };
    let mut enc = Encoder::new(&mut buf, &h);
    m.write_body(enc.fields());
    enc.finish().unwrap().to_vec()
}

/// The broker side: numbers its messages.
pub struct Peer {
    pub next: u64,
}

impl Peer {
    pub fn new() -> Peer {
        Peer { next: 1 }
    }
    pub fn send(&mut self, s: &mut Session, m: &FixMsg<'_>, now: TsNs) {
        let f = frame(self.next, m, now, None);
        self.next += 1;
        assert_eq!(s.on_bytes(&f, now), f.len());
    }
}

/// A message the session sent, as tag/value text pairs.
#[derive(Debug, Clone)]
pub struct Sent {
    pub fields: Vec<(u32, String)>,
}

impl Sent {
    pub fn get(&self, tag: u32) -> Option<&str> {
        self.fields
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v.as_str())
    }
    pub fn ty(&self) -> &str {
        self.get(35).unwrap()
    }
    pub fn seq(&self) -> u64 {
        self.get(34).unwrap().parse().unwrap()
    }
}

/// Decodes and consumes everything the session has to send.
pub fn sent(s: &mut Session) -> Vec<Sent> {
    let bytes = s.outbound().to_vec();
    s.consume_outbound(bytes.len());
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let d = decode(&bytes[at..]).expect("session output decodes");
        let fields = d
            .msg
            .fields()
            .iter()
            .map(|f| (f.tag, String::from_utf8(f.value.to_vec()).unwrap()))
            .collect();
        out.push(Sent { fields });
        at += d.len;
    }
    out
}

pub fn types(v: &[Sent]) -> Vec<&str> {
    v.iter().map(Sent::ty).collect()
}

/// A session logged on at T0 with both sequences at 2; output and events drained.
pub fn logged_on() -> (Session, Peer) {
    let mut s = session();
    s.on_connected(T0);
    let mut p = Peer::new();
    p.send(
        &mut s,
        &FixMsg::Logon(crossarb::gateway::fix::msg::Logon {
            heart_bt_s: 30,
            reset_seq: false,
            username: None,
            password: None,
        }),
        T0,
    );
    sent(&mut s);
    s.events().for_each(drop);
    (s, p)
}
