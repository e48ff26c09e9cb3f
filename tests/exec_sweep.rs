//! Seed sweep: one ticket per seed against a crude random venue (rejects, partial fills, lost
//! and late acknowledgements, closed sessions, cancels), checking what must hold whatever
//! happens: the position equals the fills the venue gave, every ticket closes exactly once by
//! its deadline, and a close that says balanced or rolled back is true. A failure names its seed.

mod exec_support;

use crossarb::config::{ExecMode, OrderStyle};
use crossarb::domain::{Qty, TsNs, NS_PER_MS};
use crossarb::exec::codes::Outcome;
use crossarb::exec::msg::{ExecReport, OrderRequest, RejectReason, ReportKind, RequestKind};
use crossarb::receipt::event::Kind;
use exec_support::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
}

struct Venue {
    rng: Rng,
    pending: Vec<(TsNs, ExecReport)>,
    /// (order, instrument, side sign, remaining lots, done)
    book: Vec<(u32, u16, i64, i64, bool)>,
    filled: [i64; 2],
}

impl Venue {
    fn later(&mut self, now: TsNs, ms_max: u64) -> TsNs {
        now.plus_ns((1 + self.rng.below(ms_max)) * NS_PER_MS)
    }

    fn push(&mut self, at: TsNs, r: &OrderRequest, kind: ReportKind) {
        let rep = report(r.order, r.instrument, kind, at);
        self.pending.push((at, rep));
    }

    fn on_order(&mut self, r: &OrderRequest, now: TsNs) {
        match r.kind {
            RequestKind::New { side, px, qty, tif } => {
                // 15% lost ack: everything for this order arrives 0.1–3 s late.
                let late = if self.rng.below(100) < 15 {
                    100 + self.rng.below(2_900)
                } else {
                    0
                };
                let mut t = self.later(now, 5).plus_ns(late * NS_PER_MS);
                if self.rng.below(100) < 15 {
                    return self.push(t, r, ReportKind::Rejected(RejectReason::Venue));
                }
                self.push(t, r, ReportKind::Ack);
                let mut left = qty.0;
                let fills = self.rng.below(3);
                for _ in 0..fills {
                    if left == 0 {
                        break;
                    }
                    let q = 1 + self.rng.below(left as u64);
                    t = self.later(t, 3);
                    self.push(t, r, ReportKind::Fill { px, qty: Qty(q) });
                    left -= q;
                }
                let l = usize::from(r.instrument != DOM_ID);
                self.filled[l] += side.sign() * (qty.0 - left);
                let ended = tif == crossarb::exec::msg::Tif::Ioc || left == 0;
                if ended && left > 0 {
                    let at = self.later(t, 3);
                    self.push(at, r, ReportKind::Done { leaves: Qty(left) });
                }
                self.book
                    .push((r.order.0, r.instrument.0, side.sign(), left, ended));
            }
            RequestKind::Cancel => {
                let t = self.later(now, 5);
                match self.book.iter_mut().find(|o| o.0 == r.order.0) {
                    Some(o) if !o.4 && o.3 > 0 => {
                        o.4 = true;
                        let leaves = Qty(o.3);
                        self.push(t, r, ReportKind::Done { leaves });
                    }
                    _ => self.push(
                        t,
                        r,
                        ReportKind::CancelRejected(RejectReason::CancelRefused),
                    ),
                }
            }
        }
    }
}

fn run(seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mode = if rng.below(2) == 0 {
        ExecMode::Concurrent
    } else {
        ExecMode::LeadLag
    };
    let style = if rng.below(2) == 0 {
        OrderStyle::Ioc
    } else {
        OrderStyle::Limit
    };
    let mut h = Harness::new(execution(mode, style));
    let (dq, oq) = [(5, 1), (10, 2), (3, 1), (6, 4)][rng.below(4) as usize];
    let id = h.open(&spec(dq, oq));
    let mut v = Venue {
        rng,
        pending: Vec::new(),
        book: Vec::new(),
        filled: [0; 2],
    };
    let mut seen = 0;
    let end = ms(4_000);
    loop {
        for r in &h.orders[seen..] {
            v.on_order(r, h.now);
        }
        seen = h.orders.len();
        v.pending.sort_by_key(|(t, r)| (*t, r.order));
        let next_rep = v.pending.first().map(|(t, _)| *t);
        let next = match (next_rep, h.ex.next_deadline()) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => break,
            },
        };
        if next > end {
            break;
        }
        // Sessions flicker: now and then a leg is not tradable for a while.
        h.mkt.dom.tradable = v.rng.below(10) != 0;
        h.mkt.ovs.tradable = v.rng.below(10) != 0;
        if next_rep == Some(next) {
            let (_, rep) = v.pending.remove(0);
            h.at(next).report(rep.order, rep.kind);
        } else {
            h.timer(next);
        }
    }
    h.timer(end);
    let t =
        h.ex.ticket(id)
            .unwrap_or_else(|| panic!("seed {seed}: ticket kept"));
    assert!(
        t.phase.is_closed(),
        "seed {seed}: ticket still {:?} after its deadline",
        t.phase
    );
    assert_eq!(
        h.count(Kind::TicketClose),
        1,
        "seed {seed}: one close per ticket"
    );
    assert_eq!(
        h.ex.position(DOM_ID).0,
        v.filled[0],
        "seed {seed}: domestic position = venue fills"
    );
    assert_eq!(
        h.ex.position(OVS_ID).0,
        v.filled[1],
        "seed {seed}: overseas position = venue fills"
    );
    let close = h.last(Kind::TicketClose).unwrap().payload;
    if std::env::var_os("SWEEP_PRINT").is_some() {
        println!(
            "outcome {} k {} orders {}",
            close.code,
            close.qty.0,
            h.orders.len()
        );
    }
    let (net_d, net_o) = (-close.a, close.b); // domestic sold, overseas bought
    let g = gcd(dq, oq);
    let late_fill_after_close = h
        .receipts
        .iter()
        .any(|e| e.kind == Kind::Fill && e.payload.code2 != 0);
    if close.code == Outcome::Balanced as u16 {
        assert_eq!(
            (net_d, net_o),
            (dq, oq),
            "seed {seed}: balanced means at target"
        );
    } else if close.code == Outcome::RolledBack as u16 {
        let k = close.qty.0;
        assert!(k < g, "seed {seed}: rolled back below target");
        assert_eq!(
            (net_d, net_o),
            (k * dq / g, k * oq / g),
            "seed {seed}: rolled back to a multiple"
        );
    }
    if close.code != Outcome::Stuck as u16 && !late_fill_after_close {
        assert_eq!(
            (-h.ex.position(DOM_ID).0, h.ex.position(OVS_ID).0),
            (net_d, net_o),
            "seed {seed}"
        );
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[test]
fn every_seed_closes_once_by_its_deadline_and_tells_the_truth() {
    for seed in 0..500 {
        run(seed);
    }
}
