//! Simulated exchange and synthetic feeds for replay and tests: a seeded RNG ([`rng`]), the
//! simulated exchange the deterministic stepper drives ([`exchange`]) and a synthetic
//! domestic/overseas pair feed generator ([`synth`]). Everything here is deterministic: the same
//! inputs and seed give the same outputs bit for bit; nothing reads the clock or spawns threads.

pub mod exchange;
mod parts;
pub mod rng;
mod sched;
pub mod synth;

pub use exchange::{SimError, SimExchange, SimLimits};
pub use rng::{Purpose, Rng};
