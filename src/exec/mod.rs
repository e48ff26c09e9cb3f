//! The two-leg executor.
