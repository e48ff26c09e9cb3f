//! The append-only receipt log.

pub mod event;
