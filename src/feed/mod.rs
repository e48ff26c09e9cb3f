//! Feeds: the capture file format (what live feed handlers write and replay reads) and the
//! importers that turn other formats into captures. Decoders are pure; file I/O stays at the edge.
//!
//! [`capture`] is the format (reader and writer); [`decimal`] parses prices exactly as sources
//! write them; [`csv`] imports the generic quote CSV (`crossarb import csv`). The desk-data
//! importers share [`import`]: [`ctp`] (CTP-style CSV), [`dbn`] (Databento DBN), [`bars`]
//! (1-minute bid/ask bars). [`inspect`] summarises a capture per instrument. [`wire`] is the
//! live quote feed format and [`live`] the mio feed handlers that receive it; [`journal`] the
//! live engine's input journal; [`partial_file`] the write-then-rename file both the capture and
//! the journal writers use.

pub mod bars;
pub mod capture;
pub mod csv;
pub mod ctp;
pub mod dbn;
pub mod decimal;
pub mod import;
pub mod inspect;
pub mod journal;
pub mod live;
pub mod partial_file;
pub mod wire;
