//! Aligner, spread trigger, lot alignment and risk gates.
