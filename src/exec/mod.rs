//! The two-leg executor: tickets, order messages and the gateway trait.

pub mod msg;
