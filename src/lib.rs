//! crossarb: a low-latency cross-market arbitrage and hedging engine.
//!
//! The pipeline (DESIGN.md §2): feed handlers → aligner + spread trigger + risk → two-leg
//! executor → order gateways, with every decision and order event written to an append-only
//! receipt log. The same stages run on pinned threads live and on one deterministic thread in
//! replay against a simulated exchange.
//!
//! Module map: [`domain`] plain data; [`config`] TOML → validated [`config::Config`];
//! [`clock`] the one place time is read; [`feed`] capture format and importers; [`receipt`] the
//! receipt log; [`trigger`] aligner, spread, lot alignment, risk gates; [`exec`] the two-leg state
//! machine; [`sim`] simulated exchange and deterministic stepper; [`venue_sim`] the live venue
//! simulator; [`cli`] the commands.

pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod engine;
pub mod exec;
pub mod feed;
pub mod gateway;
pub mod receipt;
pub mod replay;
pub mod runtime;
pub mod sim;
pub mod trigger;
pub mod venue_sim;
