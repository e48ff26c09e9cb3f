//! Where the writer's segments go: the [`SegmentStore`] seam (tests inject write and sync
//! failures through it) and [`DirStore`], the files of one directory that the engine uses.
//! Cold code, run by the writer's caller when a segment is created; [`SegmentSync::sync`] runs on
//! the caller's thread (`Every`, `Never`, segment headers) or on the writer's sync thread
//! (`Batch`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::WriteError;
use crate::receipt::format::{parse_segment_name, segment_name};

/// Where segments go. One segment is open at a time; the writer creates the next one when the
/// current one is full.
pub trait SegmentStore {
    /// An open segment, written by the writer's caller.
    type Segment: Write;
    /// A second handle on a segment that makes what was written through it durable; with
    /// `fsync = batch` it lives on the writer's sync thread.
    type Sync: SegmentSync;
    /// Creates segment `index` (1-based), empty. Must fail rather than overwrite.
    fn create(&mut self, index: u32) -> io::Result<Self::Segment>;
    /// The sync handle of `seg` (for files, `File::try_clone`).
    fn sync_handle(&mut self, seg: &Self::Segment) -> io::Result<Self::Sync>;
    /// Name of segment `index` for error messages.
    fn name(&self, index: u32) -> PathBuf;
}

/// Makes everything written so far to one segment durable.
pub trait SegmentSync: Send + 'static {
    /// fsync: returns once every byte written to the segment before the call is on disk.
    fn sync(&mut self) -> io::Result<()>;
}

impl SegmentSync for File {
    /// `fdatasync`: the records and the file length, not the timestamps (nothing reads them).
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Segments as files `receipts-NNNNNN.xrl` in one directory.
#[derive(Debug)]
pub struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// Uses `dir`, creating it if missing. Refuses a directory that already holds segments:
    /// version 1 does not continue an existing log (that would need the reader to find the last
    /// valid record and truncate a torn tail), so old receipts can never be overwritten.
    pub fn open(dir: &Path) -> Result<DirStore, WriteError> {
        let io_err = |op, source| WriteError::Io {
            path: dir.to_path_buf(),
            op,
            source,
        };
        fs::create_dir_all(dir).map_err(|e| io_err("create directory", e))?;
        for entry in fs::read_dir(dir).map_err(|e| io_err("list directory", e))? {
            let entry = entry.map_err(|e| io_err("list directory", e))?;
            let name = entry.file_name();
            if name.to_str().and_then(parse_segment_name).is_some() {
                return Err(WriteError::DirNotEmpty {
                    dir: dir.to_path_buf(),
                    found: entry.path(),
                });
            }
        }
        Ok(DirStore {
            dir: dir.to_path_buf(),
        })
    }
}

impl SegmentStore for DirStore {
    type Segment = File;
    type Sync = File;

    fn create(&mut self, index: u32) -> io::Result<File> {
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.name(index))?;
        // The new directory entry must survive a crash too, or fsyncs of the file are moot.
        File::open(&self.dir)?.sync_all()?;
        Ok(f)
    }

    fn sync_handle(&mut self, seg: &File) -> io::Result<File> {
        // Same open file description: an fdatasync through the clone covers writes through `seg`.
        seg.try_clone()
    }

    fn name(&self, index: u32) -> PathBuf {
        self.dir.join(segment_name(index))
    }
}
