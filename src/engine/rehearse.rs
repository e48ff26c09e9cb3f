//! A rehearsal of the ticket-opening path for the live engine stage to run while it idles:
//! the spread decision on the real books at `now`, then — on a real signal, or on a stand-in
//! entry signal when the spread sits inside its band — the opportunity through the trigger's
//! gates, the engine's admission, the lot plan, the pre-trade risk check, the executor's market
//! view and its entry orders, all on the engine's own state, and nothing sent or written.
//!
//! Why: live, quotes that open tickets come hundreds of microseconds apart at the least (the
//! risk gate's order rate), and an engine thread that only spins in between finds the opening
//! path's code and data evicted when the next one comes. Rehearsing every few microseconds
//! keeps them in cache (the gateway does the same for its encoder: `Session::warm`).
//!
//! It changes nothing observable: every call below reads the engine's state, except the book
//! table's and calendars' usability caches, which only remember answers a later question at
//! the same or a later `now` would get anyway. `tests/engine_rehearsal.rs` runs a seeded
//! backtest with and without a rehearsal before every input and asserts identical orders and
//! receipts. Engine thread, between inputs; no allocation.

use super::tickets::proposal;
use super::*;

impl Engine {
    /// Rehearses the opening path at `now` (see the module doc); returns the entry orders a
    /// ticket opened now would send ahead (`None` where the real path would stop before them:
    /// no quote on a leg, a leg unusable, a non-finite spread, or not a concurrent entry).
    /// Changes nothing observable. Call between inputs with `now` no earlier than the last
    /// input's.
    pub fn rehearse(&mut self, now: TsNs) -> Option<[OrderRequest; 2]> {
        let signal = match self.trigger.decide(&mut self.books, now) {
            Decision::Signal(s) => s,
            Decision::InBand { .. } => Signal {
                side: match self.trigger.position() {
                    Position::Short => Side::Buy,
                    Position::Flat | Position::Long => Side::Sell,
                },
                kind: SignalKind::Entry,
                spread_milli: 0,
                threshold_milli: 0,
                fx: self.fx_last,
            },
            Decision::Unusable(..) | Decision::NonFinite => return None,
        };
        // A usable pair of books was just decided on: `opportunity` finds both quotes.
        let opp = match self.trigger.opportunity(&signal, &self.books, now) {
            Ok(opp) | Err(NoSignal::Gated { opp, .. }) => opp,
            Err(NoSignal::InBand { .. } | NoSignal::Unusable(..) | NoSignal::NonFinite) => {
                return None
            }
        };
        let _ = std::hint::black_box(self.admit());
        let (dom_lots, ovs_lots) = self
            .ticket_size(&opp)
            .unwrap_or((self.ratio.dom_lots, self.ratio.ovs_lots));
        let proposal = proposal(&opp, dom_lots, ovs_lots);
        let _ = std::hint::black_box(self.risk.check_entry(&proposal, now));
        let mkt = self.market(now);
        let spec = self.ticket_spec(&opp, &proposal, now);
        std::hint::black_box(self.exec.entry_orders(&spec, now, &mkt))
    }
}
