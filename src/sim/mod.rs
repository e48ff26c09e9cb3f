//! Simulated exchange and deterministic stepper.
