//! Feeds: the capture file format (what live feed handlers write and replay reads) and the
//! importers that turn other formats into captures. Decoders are pure; file I/O stays at the edge.
