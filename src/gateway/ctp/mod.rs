//! CTP (SFIT Trader API) gateway for the domestic leg.
//!
//! Two threads meet here. The executor holds a [`CtpGateway`]: it pushes `OrderRequest`s and
//! polls `ExecReport`s over two `rtrb` rings ([`rings()`]), lock- and allocation-free. The session
//! thread runs `CtpSession::do_work` (feature `ctp`; the driver in `runtime/` or a test owns the
//! thread): it turns requests into `ReqOrderInsert` / `ReqOrderAction`, and the CTP callbacks
//! (delivered by `ctp-rs` over an `mpsc` channel from the C++ thread) into reports through the
//! pure [`orders::OrderTable`], choosing open/close flags with [`offset::PositionBook`].
//!
//! Login: connect → `ReqAuthenticate` (app id, auth code) → `ReqUserLogin` →
//! `ReqSettlementInfoConfirm` → query orders, trades, positions (one query a second) → ready.
//! CTP reconnects by itself; every `OnFrontConnected` restarts that sequence, and the order and
//! trade queries reconcile what happened while the link was down (the table ignores what it has
//! already seen).
//!
//! The pure parts (credentials, offsets, order table, rings) build without the C++ library and are
//! tested in the default `cargo test`; the session needs feature `ctp`.

pub mod live;
pub mod offset;
pub mod orders;
pub mod retry;
pub mod rings;
pub mod secret;
#[cfg(feature = "ctp")]
pub mod session;
#[cfg(feature = "ctp")]
mod wire;

pub use rings::{rings, CtpGateway, SessionRings};
pub use secret::{Credentials, RawCredentials, Secret, SecretError};
#[cfg(feature = "ctp")]
pub use session::{CtpSession, Phase, RejectNote};

use crate::domain::InstrumentId;

/// One instrument the session may trade.
#[derive(Clone, Debug, PartialEq)]
pub struct CtpInstrument {
    /// crossarb id.
    pub id: InstrumentId,
    /// CTP InstrumentID (`rb2510`).
    pub symbol: String,
    /// CTP ExchangeID (`SHFE`).
    pub exchange: String,
    /// Price of one tick (prices are sent as `px × tick_size`).
    pub tick_size: f64,
}

/// What an IOC order means at CTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IocVolume {
    /// FAK: fill what crosses, cancel the rest (`TC_IOC` + `VC_AV`).
    Any,
    /// FOK: all or nothing (`TC_IOC` + `VC_CV`).
    All,
}

/// Session settings.
#[derive(Clone, Debug)]
pub struct CtpConfig {
    /// Front address (`tcp://host:port`).
    pub front: String,
    /// Directory for the API's flow files (must exist).
    pub flow_dir: String,
    /// Credentials (resolved; never printed).
    pub credentials: Credentials,
    /// Tradable instruments.
    pub instruments: Vec<CtpInstrument>,
    /// FAK or FOK for `Tif::Ioc`.
    pub ioc_volume: IocVolume,
    /// Slots in each ring.
    pub ring_capacity: usize,
    /// Gap between two queries (CTP allows one a second).
    pub query_gap_ms: i64,
}
