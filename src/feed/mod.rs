//! Feeds: the capture file format (what live feed handlers write and replay reads) and the
//! importers that turn other formats into captures. Decoders are pure; file I/O stays at the edge.
//!
//! [`capture`] is the format (reader and writer); [`decimal`] parses prices exactly as sources
//! write them; [`csv`] imports the generic quote CSV (`crossarb import csv`).

pub mod capture;
pub mod csv;
pub mod decimal;
