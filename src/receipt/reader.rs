//! The receipt reader: walks one segment file or a directory of segments and yields every
//! complete, CRC-valid record in sequence order; then, if the log does not end cleanly, exactly
//! one error naming the file and byte offset (torn tail, corruption, bad header) and nothing
//! more. Cold path (CLI, summaries, tests); reads through a buffered file, so a log that is
//! still being written can be read up to its current end.
//!
//! A record whose kind this build does not know but whose CRC is valid is yielded with its raw
//! kind ([`Record::kind`] is `None`): newer engines may add kinds without breaking old readers.

use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::domain::TsNs;

use super::event::{Event, Kind, Payload};
use super::format::{
    check_head, decode_head, decode_payload, parse_segment_name, HeaderFault, SegmentHeader,
    HEADER_LEN, PAYLOAD_LEN, RECORD_CRC_LEN, RECORD_HEAD_LEN, RECORD_LEN_MAX,
};

/// One record as read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Sequence number (1, 2, 3, … across segments).
    pub seq: u64,
    /// Raw kind as stored.
    pub kind_raw: u16,
    /// Event time, UTC ns.
    pub ts: TsNs,
    /// The payload; for an unknown kind, its first 64 bytes (zero-padded if shorter).
    pub payload: Payload,
    /// Payload bytes stored (64 for every known kind).
    pub payload_len: u32,
}

impl Record {
    /// The kind, or `None` for a kind this build does not know.
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_u16(self.kind_raw)
    }

    /// The event the engine wrote, for a known kind.
    pub fn event(&self) -> Option<Event> {
        Some(Event {
            kind: self.kind()?,
            ts: self.ts.0,
            payload: self.payload,
        })
    }
}

/// Why reading stopped before the end of the log (cold path).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path is not a receipt log at all.
    #[error("{path}: not a receipt log: {why}")]
    NotReceipts {
        /// File or directory given.
        path: PathBuf,
        /// What was expected.
        why: String,
    },
    /// The OS refused to list or read something.
    #[error("{path}: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// A segment header is cut short, damaged, or does not continue the previous segment.
    #[error("{file}: bad segment header at byte offset {offset}: {what}")]
    Header {
        /// Segment file.
        file: PathBuf,
        /// Byte offset of the bad field (or the file length, for a short header).
        offset: u64,
        /// What was found and what was expected.
        what: String,
    },
    /// The last record is incomplete: the writer stopped mid-record.
    #[error(
        "{file}: torn tail at byte offset {offset}: the record starting there is incomplete \
         (every record before it is valid)"
    )]
    Torn {
        /// Segment file.
        file: PathBuf,
        /// Offset of the incomplete record (= length of the valid prefix).
        offset: u64,
    },
    /// A record fails its checks.
    #[error(
        "{file}: corrupt record at byte offset {offset} (expected sequence {seq_expected}): {what}"
    )]
    Corrupt {
        /// Segment file.
        file: PathBuf,
        /// Offset of the record.
        offset: u64,
        /// The sequence number a valid record there would carry.
        seq_expected: u64,
        /// What is wrong.
        what: &'static str,
    },
}

impl ReadError {
    /// `true` when the path given was not a receipt log (exit code 2 in the CLI); `false` for a
    /// log that is damaged or cut (exit code 1).
    pub fn is_not_receipts(&self) -> bool {
        matches!(self, ReadError::NotReceipts { .. })
    }
}

/// Iterator over the records of a log; see the module doc.
#[derive(Debug)]
pub struct ReceiptReader {
    segments: Vec<PathBuf>,
    /// Index into `segments` of the open one.
    at: usize,
    input: BufReader<File>,
    offset: u64,
    first: SegmentHeader,
    current: SegmentHeader,
    seq_expected: u64,
    buf: Vec<u8>,
    done: bool,
}

impl ReceiptReader {
    /// Opens a segment file, or a directory whose `receipts-NNNNNN.xrl` segments must number
    /// 1, 2, 3, … without a gap. Reads and checks the first header.
    pub fn open(path: &Path) -> Result<ReceiptReader, ReadError> {
        let meta = fs::metadata(path).map_err(|e| not_receipts(path, e.to_string()))?;
        let segments = if meta.is_dir() {
            list_segments(path)?
        } else {
            vec![path.to_path_buf()]
        };
        let (input, first) = open_segment(&segments[0])?;
        if meta.is_dir() && first.segment_index != 1 {
            return Err(ReadError::Header {
                file: segments[0].clone(),
                offset: 32,
                what: format!(
                    "segment index {}: expected 1 (the first segment of the log)",
                    first.segment_index
                ),
            });
        }
        Ok(ReceiptReader {
            segments,
            at: 0,
            input,
            offset: HEADER_LEN as u64,
            first,
            current: first,
            seq_expected: first.first_seq,
            buf: vec![0; RECORD_LEN_MAX],
            done: false,
        })
    }

    /// Header of the first segment: config hash and start time of the run.
    pub fn header(&self) -> &SegmentHeader {
        &self.first
    }

    /// The segment being read.
    pub fn file(&self) -> &Path {
        &self.segments[self.at]
    }

    /// Sequence number of the next record (one past the last one yielded).
    pub fn seq_expected(&self) -> u64 {
        self.seq_expected
    }

    fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        loop {
            let mut head_buf = [0u8; RECORD_HEAD_LEN];
            let n = read_full(&mut self.input, &mut head_buf).map_err(|e| self.io(e))?;
            if n == 0 {
                if self.at + 1 == self.segments.len() {
                    return Ok(None);
                }
                self.next_segment()?;
                continue;
            }
            if n < RECORD_HEAD_LEN {
                return Err(self.torn());
            }
            let head = decode_head(&head_buf);
            check_head(&head).map_err(|what| self.corrupt(what))?;
            self.buf[..RECORD_HEAD_LEN].copy_from_slice(&head_buf);
            let len = head.len as usize;
            let body = &mut self.buf[RECORD_HEAD_LEN..len];
            let want = body.len();
            match read_full(&mut self.input, body) {
                Err(e) => return Err(self.io(e)),
                Ok(n) if n < want => return Err(self.torn()),
                Ok(_) => {}
            }
            let crc_at = len - RECORD_CRC_LEN;
            let crc = u32::from_le_bytes(self.buf[crc_at..len].try_into().expect("4 bytes"));
            if crc != crc32fast::hash(&self.buf[..crc_at]) {
                return Err(self.corrupt("CRC32 does not match the record's bytes"));
            }
            if head.seq != self.seq_expected {
                return Err(self.corrupt("sequence number not contiguous"));
            }
            let payload_len = crc_at - RECORD_HEAD_LEN;
            let mut p = [0u8; PAYLOAD_LEN];
            let copy = payload_len.min(PAYLOAD_LEN);
            p[..copy].copy_from_slice(&self.buf[RECORD_HEAD_LEN..RECORD_HEAD_LEN + copy]);
            self.offset += len as u64;
            self.seq_expected += 1;
            return Ok(Some(Record {
                seq: head.seq,
                kind_raw: head.kind,
                ts: TsNs(head.ts),
                payload: decode_payload(&p),
                payload_len: payload_len as u32,
            }));
        }
    }

    fn next_segment(&mut self) -> Result<(), ReadError> {
        self.at += 1;
        let file = self.segments[self.at].clone();
        // A later segment that is not ours is damage to this log, not a wrong path.
        let (input, h) = open_segment(&file).map_err(|e| match e {
            ReadError::NotReceipts { why, .. } => ReadError::Header {
                file: file.clone(),
                offset: 0,
                what: why,
            },
            other => other,
        })?;
        let bad = |offset: u64, what: String| ReadError::Header {
            file: file.clone(),
            offset,
            what,
        };
        if h.segment_index != self.current.segment_index + 1 {
            let want = self.current.segment_index + 1;
            return Err(bad(
                32,
                format!("segment index {}: expected {want}", h.segment_index),
            ));
        }
        if h.first_seq != self.seq_expected {
            let what = format!(
                "first sequence {}: expected {} (one past the previous segment's last record)",
                h.first_seq, self.seq_expected
            );
            return Err(bad(36, what));
        }
        if h.config_hash != self.first.config_hash {
            let what = format!(
                "config hash {:#018x}: expected {:#018x} as in the first segment",
                h.config_hash, self.first.config_hash
            );
            return Err(bad(16, what));
        }
        if h.start_ts != self.first.start_ts {
            let what = format!(
                "start time {}: expected {} as in the first segment",
                h.start_ts, self.first.start_ts
            );
            return Err(bad(24, what));
        }
        self.input = input;
        self.current = h;
        self.offset = HEADER_LEN as u64;
        Ok(())
    }

    fn io(&self, source: io::Error) -> ReadError {
        ReadError::Io {
            path: self.file().to_path_buf(),
            source,
        }
    }

    fn torn(&self) -> ReadError {
        ReadError::Torn {
            file: self.file().to_path_buf(),
            offset: self.offset,
        }
    }

    fn corrupt(&self, what: &'static str) -> ReadError {
        ReadError::Corrupt {
            file: self.file().to_path_buf(),
            offset: self.offset,
            seq_expected: self.seq_expected,
            what,
        }
    }
}

impl Iterator for ReceiptReader {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_record().transpose();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

fn not_receipts(path: &Path, why: String) -> ReadError {
    ReadError::NotReceipts {
        path: path.to_path_buf(),
        why,
    }
}

fn list_segments(dir: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let io = |source| ReadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if let Some(i) = entry.file_name().to_str().and_then(parse_segment_name) {
            found.push((i, entry.path()));
        }
    }
    found.sort();
    if found.is_empty() {
        let why = "no segment files named receipts-NNNNNN.xrl in this directory".to_string();
        return Err(not_receipts(dir, why));
    }
    for (k, (i, path)) in found.iter().enumerate() {
        let want = k as u32 + 1;
        if *i != want {
            return Err(ReadError::Header {
                file: path.clone(),
                offset: 0,
                what: format!(
                    "segment {i} found where segment {want} was expected: a segment is missing"
                ),
            });
        }
    }
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// Opens a segment and checks its header (magic, CRC, version, length; index against the name).
fn open_segment(file: &Path) -> Result<(BufReader<File>, SegmentHeader), ReadError> {
    let io = |source| ReadError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut input = BufReader::with_capacity(256 * 1024, File::open(file).map_err(io)?);
    let mut b = [0u8; HEADER_LEN];
    let n = read_full(&mut input, &mut b).map_err(io)?;
    let bad = |offset: usize, what: String| ReadError::Header {
        file: file.to_path_buf(),
        offset: offset as u64,
        what,
    };
    let h = SegmentHeader::decode(&b[..n]).map_err(|(fault, offset)| match fault {
        HeaderFault::Magic => not_receipts(file, "bytes 0..8 are not XARBRCP\\0".to_string()),
        HeaderFault::Short => bad(
            offset,
            format!("file ends after {n} bytes: expected {HEADER_LEN}"),
        ),
        HeaderFault::Crc => bad(offset, "CRC32 does not match bytes 0..44".to_string()),
        HeaderFault::Version(v) => bad(offset, format!("format version {v}: expected 1")),
        HeaderFault::Len(l) => bad(offset, format!("header length {l}: expected {HEADER_LEN}")),
        HeaderFault::Reserved => bad(offset, "reserved bytes 12..16: expected zero".to_string()),
    })?;
    let named = file
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(parse_segment_name);
    if let Some(i) = named {
        if i != h.segment_index {
            let what = format!("segment index {}: the file name says {i}", h.segment_index);
            return Err(bad(32, what));
        }
    }
    Ok((input, h))
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
