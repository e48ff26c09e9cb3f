//! From a validated `[[live.ctp]]` entry to the session's [`CtpConfig`] (cold: start-up of
//! `crossarb run`). Credentials are resolved here, from the environment variables the entry
//! names, and go straight into [`super::Secret`]s; the instrument symbols and ticks come from
//! `[[instruments]]`, the exchange ids from the entry. Pure apart from the `env` lookup the
//! caller passes in, so it is tested without the C++ library.

use super::{CtpConfig, CtpInstrument, IocVolume, RawCredentials, SecretError};
use crate::config::{Config, LiveCtp};

/// Slots in each ring between the engine side and the session.
pub const RING_CAPACITY: usize = 1024;
/// Gap between two queries: CTP allows one a second; the margin absorbs clock jitter.
pub const QUERY_GAP_MS: i64 = 1100;

/// Why a `[[live.ctp]]` entry could not become a session config.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}: live.ctp[{entry}]: {source}")]
pub struct LiveCtpError {
    /// Config file.
    pub path: String,
    /// Index of the entry in `[[live.ctp]]`.
    pub entry: usize,
    /// The credential that could not be resolved (names the field and variable, not a value).
    pub source: SecretError,
}

/// Session config of entry `entry` of `cfg.live.ctp`, credentials read through `env`
/// (`|k| std::env::var(k).ok()` in production). IOC orders go out as FAK (the executor's IOC).
pub fn session_config(
    cfg: &Config,
    entry: usize,
    env: impl Fn(&str) -> Option<String>,
) -> Result<CtpConfig, LiveCtpError> {
    let c: &LiveCtp = &cfg.live.ctp[entry];
    let raw = RawCredentials {
        broker_id: c.broker_id.clone(),
        user_id: c.user_id.clone(),
        password: c.password.clone(),
        app_id: c.app_id.clone(),
        auth_code: c.auth_code.clone(),
    };
    let credentials = raw.resolve(env).map_err(|source| LiveCtpError {
        path: cfg.source.path.display().to_string(),
        entry,
        source,
    })?;
    let instruments = c
        .instruments
        .iter()
        .map(|x| {
            let ins = &cfg.instruments[x.instrument.idx()];
            CtpInstrument {
                id: ins.id,
                symbol: ins.symbol.clone(),
                exchange: x.exchange.clone(),
                tick_size: ins.tick_size,
            }
        })
        .collect();
    // The API appends its file names to the flow path as a string: it must end in '/'.
    let mut flow_dir = c.flow_dir.display().to_string();
    if !flow_dir.ends_with('/') {
        flow_dir.push('/');
    }
    Ok(CtpConfig {
        front: c.front.clone(),
        flow_dir,
        credentials,
        instruments,
        ioc_volume: IocVolume::Any,
        ring_capacity: RING_CAPACITY,
        query_gap_ms: QUERY_GAP_MS,
    })
}
