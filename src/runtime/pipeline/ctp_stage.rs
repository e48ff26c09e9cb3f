//! The CTP gateway stage (feature `ctp`): the CTP session of the venue with `gateway = "ctp"`
//! (`[[live.ctp]]`). Each step pops the engine's orders from its ring into the
//! [`CtpGateway`], runs [`CtpSession::do_work`] (login sequence, order insert/action, the CTP
//! callbacks that the API's C++ thread queued), and forwards the session's execution reports to
//! the engine's report ring. Orders refused before they leave (not logged in, unknown
//! instrument) come back at once as `Rejected(Disconnected)` / `Rejected(Venue)`. Runs on its
//! own thread with the `[threads].gateway` placement; the engine thread only touches the rings.
//!
//! Report ring full → reports wait in order in a preallocated queue, never dropped.

use std::collections::VecDeque;

use super::build::LiveError;
use super::engine_stage::OrderMsg;
use crate::clock::LiveClock;
use crate::config::Config;
use crate::exec::msg::ExecReport;
use crate::gateway::ctp::{live, rings, CtpGateway, CtpSession};
use crate::runtime::Stage;

/// Reports held while the engine's report ring is full (preallocated).
const PENDING: usize = 1024;

/// One CTP venue (see the module doc).
pub struct CtpStage {
    session: CtpSession<LiveClock>,
    gw: CtpGateway,
    orders: rtrb::Consumer<OrderMsg>,
    reports: rtrb::Producer<ExecReport>,
    pending: VecDeque<ExecReport>,
}

impl std::fmt::Debug for CtpStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CtpStage")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl CtpStage {
    /// Starts the session of `cfg.live.ctp[entry]` (creates its flow directory, resolves its
    /// credentials from the environment, starts the API). Cold.
    pub fn start(
        cfg: &Config,
        entry: usize,
        clock: LiveClock,
        orders: rtrb::Consumer<OrderMsg>,
        reports: rtrb::Producer<ExecReport>,
    ) -> Result<CtpStage, LiveError> {
        let c = &cfg.live.ctp[entry];
        std::fs::create_dir_all(&c.flow_dir).map_err(|source| LiveError::Io {
            what: format!("live.ctp[{entry}].flow_dir {}", c.flow_dir.display()),
            source,
        })?;
        let sc = live::session_config(cfg, entry, |k| std::env::var(k).ok())
            .map_err(|e| LiveError::Config(e.to_string()))?;
        let (gw, session_rings) = rings(sc.ring_capacity);
        let session = CtpSession::start(sc, session_rings, clock);
        Ok(CtpStage {
            session,
            gw,
            orders,
            reports,
            pending: VecDeque::with_capacity(PENDING),
        })
    }
}

impl CtpStage {
    /// The session (phase, positions, refusal notes; tests feed LocalCTP's market through its
    /// API).
    pub fn session(&self) -> &CtpSession<LiveClock> {
        &self.session
    }
}

impl Stage for CtpStage {
    fn name(&self) -> &'static str {
        "ctp_gateway"
    }

    fn do_work(&mut self) -> usize {
        let mut n = 0;
        while let Some(r) = self.pending.front() {
            if self.reports.push(*r).is_err() {
                break;
            }
            self.pending.pop_front();
            n += 1;
        }
        while let Ok(m) = self.orders.pop() {
            self.gw.send(&m.req);
            n += 1;
        }
        n += self.session.do_work();
        let (reports, pending) = (&mut self.reports, &mut self.pending);
        n += self.gw.poll(&mut |r| {
            if !pending.is_empty() {
                pending.push_back(r);
            } else if let Err(rtrb::PushError::Full(r)) = reports.push(r) {
                pending.push_back(r);
            }
        });
        n
    }
}
