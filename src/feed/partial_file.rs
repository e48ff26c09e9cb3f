//! A file written whole or not at all: bytes go to `<path>.partial` (same directory, so the final
//! rename is atomic) through a large buffer; [`PartialFile::finish`] flushes, fsyncs, renames it
//! to `path` and fsyncs the directory. After a failed write the file is poisoned: later writes
//! and `finish` refuse. Dropped unfinished, the `.partial` file is removed or kept as the owner
//! chose ([`Unfinished`]): an import that failed leaves nothing behind, a live session's journal
//! keeps what it recorded. The capture and journal writers are built on it.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why a partial file could not be written or put in place. Both variants name the file.
#[derive(Debug, thiserror::Error)]
pub enum PartialFileError {
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
    #[error("{path}: an earlier write failed; the file is incomplete")]
    Poisoned {
        /// File.
        path: String,
    },
}

/// What dropping an unfinished file does with its `.partial` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfinished {
    /// Remove it: an incomplete output is worthless (imports).
    Remove,
    /// Keep it: what was written is evidence (a live session's records).
    Keep,
}

/// See the module doc.
#[derive(Debug)]
pub struct PartialFile {
    path: PathBuf,
    partial: PathBuf,
    out: Option<BufWriter<File>>,
    poisoned: bool,
    unfinished: Unfinished,
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

impl PartialFile {
    /// Creates (or truncates) `<path>.partial` with a `buffer_bytes` write buffer.
    pub fn create(
        path: &Path,
        buffer_bytes: usize,
        unfinished: Unfinished,
    ) -> Result<PartialFile, PartialFileError> {
        let mut s: OsString = path.as_os_str().to_owned();
        s.push(".partial");
        let partial = PathBuf::from(s);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .map_err(|source| PartialFileError::Io {
                path: path_str(&partial),
                action: "cannot create",
                source,
            })?;
        Ok(PartialFile {
            path: path.to_path_buf(),
            partial,
            out: Some(BufWriter::with_capacity(buffer_bytes, file)),
            poisoned: false,
            unfinished,
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `bytes` (buffered). A failure poisons the file.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), PartialFileError> {
        if self.poisoned {
            return Err(self.poisoned_error());
        }
        let out = self
            .out
            .as_mut()
            .expect("Invariant: writer open until finish");
        out.write_all(bytes).map_err(|source| {
            self.poisoned = true;
            PartialFileError::Io {
                path: path_str(&self.partial),
                action: "cannot write",
                source,
            }
        })
    }

    /// Flushes, fsyncs, renames `<path>.partial` to `path` and fsyncs the directory. On a
    /// failure before the rename the `.partial` file is removed or kept as [`Unfinished`] says.
    pub fn finish(mut self) -> Result<(), PartialFileError> {
        if self.poisoned {
            return Err(self.poisoned_error());
        }
        let partial = self.partial.clone();
        let io = |action, source| PartialFileError::Io {
            path: path_str(&partial),
            action,
            source,
        };
        let out = self
            .out
            .take()
            .expect("Invariant: writer open until finish");
        let durable = out
            .into_inner()
            .map_err(|e| io("cannot write", e.into_error()))
            .and_then(|file| file.sync_all().map_err(|e| io("cannot fsync", e)))
            .and_then(|()| {
                std::fs::rename(&self.partial, &self.path).map_err(|e| PartialFileError::Io {
                    path: path_str(&self.path),
                    action: "cannot rename the .partial file into place",
                    source: e,
                })
            });
        if let Err(e) = durable {
            if self.unfinished == Unfinished::Remove {
                let _ = std::fs::remove_file(&self.partial);
            }
            return Err(e);
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Makes the rename itself durable; some filesystems refuse to open a directory for
        // syncing, and the data is already safe, so only a failed sync is an error.
        if let Ok(d) = File::open(&dir) {
            d.sync_all().map_err(|e| PartialFileError::Io {
                path: path_str(&dir),
                action: "cannot fsync the directory",
                source: e,
            })?;
        }
        Ok(())
    }

    fn poisoned_error(&self) -> PartialFileError {
        PartialFileError::Poisoned {
            path: path_str(&self.partial),
        }
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        let Some(out) = self.out.take() else { return };
        match self.unfinished {
            // Incomplete by definition: discard it unflushed.
            Unfinished::Remove => {
                drop(out.into_parts());
                let _ = std::fs::remove_file(&self.partial);
            }
            // Flushed (best effort): the records written so far stay readable.
            Unfinished::Keep => drop(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_file_is_in_place_and_no_partial_remains() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        let mut f = PartialFile::create(&p, 16, Unfinished::Remove).unwrap();
        f.write(b"hello").unwrap();
        assert!(!p.exists(), "nothing in place before finish");
        f.finish().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"hello");
        assert!(!dir.path().join("x.bin.partial").exists());
    }

    #[test]
    fn an_unfinished_file_is_removed_or_kept_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let removed = dir.path().join("a.bin");
        let mut f = PartialFile::create(&removed, 16, Unfinished::Remove).unwrap();
        f.write(b"abc").unwrap();
        drop(f);
        assert!(!dir.path().join("a.bin.partial").exists());
        let kept = dir.path().join("b.bin");
        let mut f = PartialFile::create(&kept, 16, Unfinished::Keep).unwrap();
        f.write(b"abc").unwrap();
        drop(f);
        assert_eq!(
            std::fs::read(dir.path().join("b.bin.partial")).unwrap(),
            b"abc"
        );
        assert!(!kept.exists());
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/x.bin");
        let e = PartialFile::create(&p, 16, Unfinished::Remove).unwrap_err();
        assert!(
            e.to_string().contains("x.bin.partial: cannot create"),
            "{e}"
        );
    }
}
