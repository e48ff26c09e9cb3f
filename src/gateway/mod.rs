//! Order gateways: the protocol cores that turn the executor's [`crate::exec::msg::OrderRequest`]s
//! into venue messages and venue messages back into [`crate::exec::msg::ExecReport`]s.
//! [`fix`] is the FIX 4.4 initiator for overseas brokers; [`ctp`] the CTP trader gateway for the
//! domestic leg (its FFI session behind feature `ctp`). Sockets and threads live in the driver
//! (the runtime), not here: these are pure parts driven by bytes and times.

pub mod ctp;
pub mod fix;
