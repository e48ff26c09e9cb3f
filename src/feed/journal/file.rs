//! Journal file I/O: [`JournalWriter`] (the live receipt stage: header, then one record per
//! append into `<path>.partial`, renamed into place by `finish`) and [`Journal`] (replay,
//! start-up: reads and checks the whole file — header CRC, every record's CRC and fields, the
//! input index sequence — before anything is replayed).

use std::path::{Path, PathBuf};

use super::{Entry, Record, MAGIC, RECORD_BYTES, VERSION};
use crate::domain::TsNs;
use crate::feed::partial_file::{PartialFile, PartialFileError, Unfinished};

/// Why a journal could not be written or read. Every variant names the file; read errors name
/// the byte offset and what was expected there.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// An operating-system error.
    #[error("{path}: {action}: {source}")]
    Io {
        /// File.
        path: String,
        /// What was being done.
        action: &'static str,
        /// Cause.
        source: std::io::Error,
    },
    /// A write failed earlier; the file is incomplete.
    #[error("{path}: an earlier write failed; the journal is incomplete")]
    Poisoned {
        /// File.
        path: String,
    },
    /// The header is not a journal header of this version.
    #[error("{path}: byte {offset}: {expected}")]
    Header {
        /// File.
        path: String,
        /// Offset of the bad field.
        offset: u64,
        /// What was expected.
        expected: String,
    },
    /// The file does not end on a record boundary (a torn append).
    #[error("{path}: byte {offset}: partial record of {len} bytes at the end (expected {RECORD_BYTES}-byte records; the run did not stop cleanly?)")]
    Torn {
        /// File.
        path: String,
        /// Where the partial record starts.
        offset: u64,
        /// Its length.
        len: usize,
    },
    /// A record is damaged or out of sequence.
    #[error("{path}: byte {offset} (record {index}): {expected}")]
    Record {
        /// File.
        path: String,
        /// Offset of the record.
        offset: u64,
        /// Record number (0 = first after the header).
        index: u64,
        /// What was expected.
        expected: String,
    },
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

impl From<PartialFileError> for JournalError {
    fn from(e: PartialFileError) -> JournalError {
        match e {
            PartialFileError::Io {
                path,
                action,
                source,
            } => JournalError::Io {
                path,
                action,
                source,
            },
            PartialFileError::Poisoned { path } => JournalError::Poisoned { path },
        }
    }
}

/// Writes a journal (see the module doc). Cold per file, `append` is a buffered copy. Dropped
/// unfinished (a run that failed), the `.partial` file is kept: its records replay up to the cut.
#[derive(Debug)]
pub struct JournalWriter {
    file: PartialFile,
    records: u64,
}

impl JournalWriter {
    /// Creates `<path>.partial` and writes the header.
    pub fn create(
        path: &Path,
        config_hash: u64,
        created_at: TsNs,
    ) -> Result<JournalWriter, JournalError> {
        let mut w = JournalWriter {
            file: PartialFile::create(path, 1 << 16, Unfinished::Keep)?,
            records: 0,
        };
        w.file.write(&header(config_hash, created_at))?;
        Ok(w)
    }

    /// Appends one record, computing its CRC.
    pub fn append(&mut self, r: &Record) -> Result<(), JournalError> {
        let mut r = *r;
        r.crc = r.compute_crc();
        self.file.write(bytemuck::bytes_of(&r))?;
        self.records += 1;
        Ok(())
    }

    /// Records appended.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes, fsyncs and renames `<path>.partial` to `path`. Returns the record count.
    pub fn finish(self) -> Result<u64, JournalError> {
        self.file.finish()?;
        Ok(self.records)
    }
}

fn header(config_hash: u64, created_at: TsNs) -> [u8; RECORD_BYTES] {
    let mut h = [0u8; RECORD_BYTES];
    h[0..8].copy_from_slice(&MAGIC);
    h[8..10].copy_from_slice(&VERSION.to_le_bytes());
    h[10..12].copy_from_slice(&(RECORD_BYTES as u16).to_le_bytes());
    h[16..24].copy_from_slice(&config_hash.to_le_bytes());
    h[24..32].copy_from_slice(&created_at.0.to_le_bytes());
    let crc = crc32fast::hash(&h[..60]);
    h[60..64].copy_from_slice(&crc.to_le_bytes());
    h
}

/// A journal read and checked whole (see the module doc).
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// Hash of the config of the run.
    pub config_hash: u64,
    /// Start stamp of the run's receipt log.
    pub created_at: TsNs,
    /// The records, each checked (CRC, fields, input sequence).
    pub records: Vec<Record>,
}

impl Journal {
    /// Reads and checks `path`.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let bytes = std::fs::read(path).map_err(|source| JournalError::Io {
            path: path_str(path),
            action: "cannot read",
            source,
        })?;
        let bad = |offset: u64, expected: String| JournalError::Header {
            path: path_str(path),
            offset,
            expected,
        };
        if bytes.len() < RECORD_BYTES {
            return Err(bad(
                bytes.len() as u64,
                format!("file ends inside the {RECORD_BYTES}-byte header"),
            ));
        }
        let h = &bytes[..RECORD_BYTES];
        if h[0..8] != MAGIC {
            return Err(bad(
                0,
                format!(
                    "expected magic \"XARBJNL\\0\" (a crossarb journal), found {:02x?}",
                    &h[0..8]
                ),
            ));
        }
        let u16_at = |o: usize| u16::from_le_bytes([h[o], h[o + 1]]);
        let u64_at = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().expect("8 bytes"));
        let stored = u32::from_le_bytes(h[60..64].try_into().expect("4 bytes"));
        let computed = crc32fast::hash(&h[..60]);
        if stored != computed {
            return Err(bad(60, format!("header CRC mismatch: stored {stored:#010x}, computed {computed:#010x} (header corrupted)")));
        }
        if u16_at(8) != VERSION {
            return Err(bad(
                8,
                format!(
                    "journal format version {}, this build reads version {VERSION}",
                    u16_at(8)
                ),
            ));
        }
        if usize::from(u16_at(10)) != RECORD_BYTES {
            return Err(bad(
                10,
                format!("record size {}, expected {RECORD_BYTES}", u16_at(10)),
            ));
        }
        let body = &bytes[RECORD_BYTES..];
        let whole = body.len() / RECORD_BYTES * RECORD_BYTES;
        if whole != body.len() {
            return Err(JournalError::Torn {
                path: path_str(path),
                offset: (RECORD_BYTES + whole) as u64,
                len: body.len() - whole,
            });
        }
        let mut records = Vec::with_capacity(body.len() / RECORD_BYTES);
        let mut next_input = 0u64;
        for (i, chunk) in body.chunks_exact(RECORD_BYTES).enumerate() {
            let r: Record = bytemuck::pod_read_unaligned(chunk);
            let fail = |expected: String| JournalError::Record {
                path: path_str(path),
                offset: ((i + 1) * RECORD_BYTES) as u64,
                index: i as u64,
                expected,
            };
            let crc = r.compute_crc();
            if r.crc != crc {
                return Err(fail(format!(
                    "record CRC mismatch: stored {:#010x}, computed {crc:#010x} (record corrupted)",
                    r.crc
                )));
            }
            let e = r
                .decode()
                .map_err(|f| fail(format!("field {f}: no valid value")))?;
            let (want, what) = if r.is_input() {
                (next_input, "input index in sequence")
            } else {
                (next_input, "input index of the next input")
            };
            if r.input != want {
                return Err(fail(format!("{what}: expected {want}, found {}", r.input)));
            }
            if matches!(e, Entry::Start { .. }) != (next_input == 0) && r.is_input() {
                return Err(fail("the start, and only the start, as input 0".into()));
            }
            if r.is_input() {
                next_input += 1;
            }
            records.push(r);
        }
        Ok(Journal {
            path: path.to_path_buf(),
            config_hash: u64_at(16),
            created_at: TsNs(u64_at(24) as i64),
            records,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Byte offset of record `i` (for error messages).
    pub fn offset_of(i: usize) -> u64 {
        ((i + 1) * RECORD_BYTES) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::journal::Entry;

    fn write(dir: &Path, entries: &[Entry]) -> PathBuf {
        let path = dir.join("s.journal");
        let mut w = JournalWriter::create(&path, 0xabc, TsNs(5)).unwrap();
        let mut input = 0;
        for e in entries {
            let mut r = Record::input(e, TsNs(100 + input as i64));
            r.input = input;
            if r.is_input() {
                input += 1;
            }
            w.append(&r).unwrap();
        }
        assert_eq!(w.finish().unwrap(), entries.len() as u64);
        path
    }

    #[test]
    fn a_written_journal_reads_back_with_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            &[
                Entry::Start { seed: 0 },
                Entry::Kill(true),
                Entry::Timer,
                Entry::Stop,
            ],
        );
        let j = Journal::open(&p).unwrap();
        assert_eq!((j.config_hash, j.created_at), (0xabc, TsNs(5)));
        assert_eq!(j.records.len(), 4);
        assert_eq!(j.records[1].decode(), Ok(Entry::Kill(true)));
        assert_eq!(j.records[2].now, 101);
    }

    #[test]
    fn every_truncation_and_bit_flip_is_reported_with_an_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            &[Entry::Start { seed: 0 }, Entry::Timer, Entry::Stop],
        );
        let bytes = std::fs::read(&p).unwrap();
        let cut = dir.path().join("cut.journal");
        for len in 0..bytes.len() {
            std::fs::write(&cut, &bytes[..len]).unwrap();
            match Journal::open(&cut) {
                Ok(j) => assert_eq!(
                    len % RECORD_BYTES,
                    0,
                    "{len}: read {} records",
                    j.records.len()
                ),
                Err(e) => assert!(e.to_string().contains("byte "), "{len}: {e}"),
            }
        }
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(&cut, &b).unwrap();
            let e = Journal::open(&cut).expect_err("a flipped bit is detected");
            assert!(e.to_string().contains("byte "), "bit {bit}: {e}");
        }
    }

    #[test]
    fn an_input_out_of_sequence_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.journal");
        let mut w = JournalWriter::create(&path, 1, TsNs(0)).unwrap();
        let mut r = Record::input(&Entry::Start { seed: 0 }, TsNs(1));
        w.append(&r).unwrap();
        r = Record::input(&Entry::Timer, TsNs(2));
        r.input = 2;
        w.append(&r).unwrap();
        w.finish().unwrap();
        let e = Journal::open(&path).unwrap_err().to_string();
        assert!(
            e.contains("byte 128 (record 1): input index in sequence: expected 1, found 2"),
            "{e}"
        );
    }
}
