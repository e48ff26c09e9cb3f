//! The kill switch: a shared flag engaged by a cold thread (a watcher of `risk.kill_switch_file`,
//! a signal handler, an operator command) and read on the hot path with a relaxed load — no
//! syscall, no lock. While engaged no new ticket opens; repairs of open tickets continue.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared kill flag; clones share it.
#[derive(Clone, Debug, Default)]
pub struct KillSwitch(Arc<AtomicBool>);

impl KillSwitch {
    /// A released switch.
    pub fn new() -> KillSwitch {
        KillSwitch::default()
    }

    /// Engages: no new tickets.
    pub fn engage(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Releases.
    pub fn release(&self) {
        self.0.store(false, Ordering::Relaxed);
    }

    /// True while engaged (hot path: one relaxed load).
    #[inline]
    pub fn is_engaged(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Cold (the watcher thread polls it): engaged exactly while `path` exists. Returns the new
    /// state when this call changed it.
    pub fn sync_with_file(&self, path: &Path) -> Option<bool> {
        let want = path.exists();
        (self.0.swap(want, Ordering::Relaxed) != want).then_some(want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_flag() {
        let k = KillSwitch::new();
        let watcher = k.clone();
        assert!(!k.is_engaged());
        watcher.engage();
        assert!(k.is_engaged());
        k.release();
        assert!(!watcher.is_engaged());
    }

    #[test]
    fn the_switch_follows_the_kill_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("KILL");
        let k = KillSwitch::new();
        assert_eq!(k.sync_with_file(&path), None);
        std::fs::write(&path, b"").unwrap();
        assert_eq!(k.sync_with_file(&path), Some(true));
        assert_eq!(k.sync_with_file(&path), None);
        assert!(k.is_engaged());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(k.sync_with_file(&path), Some(false));
    }
}
