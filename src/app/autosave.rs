//! Autosave files and crash recovery, without the UI: one file per open document in the
//! `autosave` folder of the data folder, each owned by the instance that wrote it.
//!
//! Invariants:
//! - an autosave holds the journey and the absolute path of its file together, in one
//!   file written by the safe write, so a crash never pairs one journey with another's
//!   path and a recovered journey saves to the file it came from, whatever the working
//!   folder;
//! - files are keyed by the document: its canonical path, or a random id for a journey
//!   never saved; and by the instance, `KEY.INSTANCE.autosave`, so two instances editing
//!   the same file never share one;
//! - every instance holds an exclusive lock on `INSTANCE.lock` for its lifetime; an
//!   autosave is offered for recovery only when its owner's lock is free (the owner
//!   ended without a clean exit), and an instance deletes only its own autosaves, or
//!   those of an ended owner after the user recovered or discarded them;
//! - recovering a document writes this instance's own autosave of it before the ended
//!   owner's file is removed, so a crash right after Recover loses nothing.

use std::fs::{self, File, OpenOptions};
use std::hash::{Hash as _, Hasher as _};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::format;
use crate::model::{Journey, Timestamp};

/// The folder of autosaves inside the data folder.
pub const AUTOSAVE_DIR: &str = "autosave";
/// The extension of an autosave file.
const EXTENSION: &str = "autosave";
/// Autosaves of versions before per-document autosaves, in the data folder itself.
const LEGACY_JOURNEY: &str = "autosave.journey";
const LEGACY_PATH: &str = "autosave.path";
/// The largest autosave read back.
const MAX_AUTOSAVE_BYTES: u64 = format::MAX_FILE_BYTES * 2;

/// What an autosave file holds (JSON).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    /// 1.
    version: u32,
    /// The document's key: its canonical path, or `untitled:ID`.
    key: String,
    /// The journey's file, absolute; `None` for a journey never saved.
    path: Option<PathBuf>,
    /// When it was written, seconds since the epoch.
    saved_at: i64,
    /// The journey as `.journey` text.
    journey: String,
}

/// Unsaved work of an ended instance, offered at start.
#[derive(Clone, Debug)]
pub struct Recovery {
    /// The unsaved journey.
    pub journey: Journey,
    /// Its file (absolute), `None` for a journey never saved.
    pub path: Option<PathBuf>,
    /// When it was autosaved.
    pub saved_at: Timestamp,
    /// The document key, kept when the work is recovered.
    pub key: String,
    /// The autosave file(s) it was read from.
    files: Vec<PathBuf>,
}

/// This instance's autosaves.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    instance: String,
    /// Held for the instance's lifetime: the lock that says it still runs.
    _lock: File,
}

/// A random id for an instance or an unsaved document (16 hex digits): std's hasher
/// keys are random per process, and the clock differs per call.
#[must_use]
pub fn random_id() -> String {
    let mut h = std::hash::BuildHasher::build_hasher(&std::collections::hash_map::RandomState::new());
    std::process::id().hash(&mut h);
    SystemTime::now().hash(&mut h);
    format!("{:016x}", h.finish())
}

/// The key of the document at `path`: its canonical path (absolute when it does not
/// exist yet).
#[must_use]
pub fn path_key(path: &Path) -> String {
    canonical(path).display().to_string()
}

/// `path` made absolute, and canonical when it exists (for keys: one file, one key,
/// whatever link or `..` led to it).
#[must_use]
pub fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| absolute(path))
}

/// `path` made absolute against the working folder, links kept (a journey opened
/// through a symlink is saved through it).
#[must_use]
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

fn key_hash(key: &str) -> String {
    // FNV-1a: stable across versions and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens the autosave folder in `data_dir` for a new instance, creating it and the
    /// instance's lock.
    ///
    /// # Errors
    /// The folder or the lock file cannot be created or locked.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let dir = data_dir.join(AUTOSAVE_DIR);
        fs::create_dir_all(&dir)?;
        let instance = random_id();
        let lock = OpenOptions::new().write(true).create_new(true).open(dir.join(format!("{instance}.lock")))?;
        lock.try_lock().map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Self { dir, instance, _lock: lock })
    }

    /// This instance's id.
    #[must_use]
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The file this instance autosaves the document `key` to.
    #[must_use]
    pub fn file_for(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.{}.{EXTENSION}", key_hash(key), self.instance))
    }

    /// Writes the autosave of the document `key` (file `path`, if any) and returns its file.
    ///
    /// # Errors
    /// The safe write failed; an earlier autosave of the document is then unchanged.
    pub fn write(&self, key: &str, path: Option<&Path>, journey: &Journey) -> io::Result<PathBuf> {
        let envelope = Envelope {
            version: 1,
            key: key.to_owned(),
            path: path.map(absolute),
            saved_at: now_secs(),
            journey: format::to_ron(journey),
        };
        let bytes = serde_json::to_vec(&envelope).map_err(io::Error::other)?;
        let file = self.file_for(key);
        format::write_atomic(&file, &bytes)?;
        Ok(file)
    }

    /// Removes one of this instance's autosaves (the document was saved or discarded).
    /// Another instance's file is never touched.
    pub fn remove_own(&self, file: &Path) {
        if self.owns(file) {
            let _ = fs::remove_file(file);
        }
    }

    fn owns(&self, file: &Path) -> bool {
        file.parent() == Some(self.dir.as_path())
            && file.file_name().and_then(|n| n.to_str()).and_then(owner_of) == Some(self.instance.as_str())
    }

    /// Whether the instance `owner` has ended: its lock file is gone or can be locked.
    fn ended(&self, owner: &str) -> bool {
        if owner == self.instance {
            return false;
        }
        match File::open(self.dir.join(format!("{owner}.lock"))) {
            Ok(f) => f.try_lock_shared().is_ok(),
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        }
    }

    /// The unsaved work of ended instances, newest first (one entry per document: the
    /// newest autosave of each), and the legacy autosave of earlier versions if any.
    /// Also removes the lock files of ended instances.
    #[must_use]
    pub fn recoverable(&self) -> Vec<Recovery> {
        let mut found: Vec<Recovery> = Vec::new();
        let Ok(entries) = fs::read_dir(&self.dir) else { return found };
        let mut locks = Vec::new();
        for entry in entries.flatten() {
            let file = entry.path();
            let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { continue };
            if let Some(owner) = name.strip_suffix(".lock") {
                locks.push((owner.to_owned(), file));
                continue;
            }
            let Some(owner) = owner_of(&name) else { continue };
            if !self.ended(owner) {
                continue;
            }
            if let Some(r) = read_envelope(&file) {
                match found.iter_mut().find(|f| f.key == r.key) {
                    Some(f) if f.saved_at >= r.saved_at => f.files.push(file),
                    Some(f) => {
                        let mut files = std::mem::take(&mut f.files);
                        files.push(file);
                        *f = Recovery { files, ..r };
                    }
                    None => found.push(r),
                }
            }
        }
        // A lock a minute old that is free belongs to an ended instance (a younger one
        // may be an instance between creating and locking it).
        for (owner, lock) in locks {
            let old = fs::metadata(&lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 60);
            if old && self.ended(&owner) {
                let _ = fs::remove_file(lock);
            }
        }
        if let Some(legacy) = self.legacy() {
            found.push(legacy);
        }
        found.sort_by_key(|r| std::cmp::Reverse(r.saved_at));
        found
    }

    /// The single autosave of versions before this one (`autosave.journey` and
    /// `autosave.path` in the data folder). A relative path there is dropped: it was
    /// relative to a working folder nobody knows.
    fn legacy(&self) -> Option<Recovery> {
        let data = self.dir.parent()?;
        let file = data.join(LEGACY_JOURNEY);
        let journey = format::load(&file).ok()?;
        let path = fs::read_to_string(data.join(LEGACY_PATH))
            .ok()
            .map(|s| PathBuf::from(s.trim()))
            .filter(|p| p.is_absolute());
        let saved_at = fs::metadata(&file)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        let key = path.as_deref().map_or_else(|| format!("untitled:{}", random_id()), path_key);
        Some(Recovery { journey, path, saved_at: Timestamp(saved_at), key, files: vec![file, data.join(LEGACY_PATH)] })
    }

    /// Takes over recovered work: writes this instance's autosave of `journey` (the
    /// recovered one, or already edited) first, then removes the ended owner's files.
    ///
    /// # Errors
    /// The write failed; the ended owner's files are then kept, so the work is offered
    /// again next time.
    pub fn adopt(&self, recovery: &Recovery, journey: &Journey) -> io::Result<PathBuf> {
        let own = self.write(&recovery.key, recovery.path.as_deref(), journey)?;
        self.forget(recovery);
        Ok(own)
    }

    /// Removes the files of recovered or discarded work (never a running instance's).
    pub fn forget(&self, recovery: &Recovery) {
        for file in &recovery.files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let legacy = name == LEGACY_JOURNEY || name == LEGACY_PATH;
            if legacy || owner_of(name).is_some_and(|o| self.ended(o)) {
                let _ = fs::remove_file(file);
            }
        }
    }
}

impl Drop for Store {
    /// The instance ends: its lock file goes (its autosaves, if any are left, are then
    /// offered at the next start). A crash leaves the lock file, free, which a later
    /// instance removes.
    fn drop(&mut self) {
        let _ = fs::remove_file(self.dir.join(format!("{}.lock", self.instance)));
    }
}

/// The owner in an autosave file name, `KEY.INSTANCE.autosave`.
fn owner_of(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(&format!(".{EXTENSION}"))?;
    let (_, owner) = stem.split_once('.')?;
    (!owner.is_empty() && owner.chars().all(|c| c.is_ascii_hexdigit())).then_some(owner)
}

fn read_envelope(file: &Path) -> Option<Recovery> {
    let bytes = format::read_limited(file, MAX_AUTOSAVE_BYTES).ok()?;
    let e: Envelope = serde_json::from_slice(&bytes).ok()?;
    let journey = format::from_ron(&e.journey).ok()?;
    Some(Recovery { journey, path: e.path, saved_at: Timestamp(e.saved_at), key: e.key, files: vec![file.to_owned()] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journey_and_absolute_path_come_back_from_one_file() {
        let data = tempfile::tempdir().unwrap();
        let a = Store::open(data.path()).unwrap();
        let j = Journey::new("Edited");
        let file = a.write("k", Some(Path::new("relative/x.journey")), &j).unwrap();
        assert!(file.starts_with(data.path().join(AUTOSAVE_DIR)));
        drop(a);
        let b = Store::open(data.path()).unwrap();
        let found = b.recoverable();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].journey, j);
        let path = found[0].path.clone().unwrap();
        assert!(path.is_absolute() && path.ends_with("relative/x.journey"), "{}", path.display());
    }

    #[test]
    fn a_running_instance_s_autosave_is_neither_offered_nor_removed() {
        let data = tempfile::tempdir().unwrap();
        let a = Store::open(data.path()).unwrap();
        let b = Store::open(data.path()).unwrap();
        let file = a.write("k", None, &Journey::new("A")).unwrap();
        assert!(b.recoverable().is_empty(), "a still runs");
        b.remove_own(&file);
        assert!(file.exists(), "b never removes a's file");
        // The same document in both instances: two files.
        let other = b.write("k", None, &Journey::new("B")).unwrap();
        assert_ne!(file, other);
        drop(a);
        let found = b.recoverable();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].journey, Journey::new("A"));
    }

    #[test]
    fn adopting_writes_our_copy_before_removing_theirs() {
        let data = tempfile::tempdir().unwrap();
        let a = Store::open(data.path()).unwrap();
        let theirs = a.write("untitled:1", None, &Journey::new("A")).unwrap();
        drop(a);
        let b = Store::open(data.path()).unwrap();
        let r = b.recoverable().pop().unwrap();
        let ours = b.adopt(&r, &r.journey).unwrap();
        assert!(ours.exists() && !theirs.exists());
        drop(b);
        let c = Store::open(data.path()).unwrap();
        let found = c.recoverable();
        assert_eq!(found.len(), 1, "still recoverable after a crash right after Recover");
        assert_eq!(found[0].key, "untitled:1");
    }

    #[test]
    fn a_legacy_autosave_is_offered_without_a_relative_path() {
        let data = tempfile::tempdir().unwrap();
        fs::write(data.path().join(LEGACY_JOURNEY), format::to_ron(&Journey::new("Old"))).unwrap();
        fs::write(data.path().join(LEGACY_PATH), "work/x.journey").unwrap();
        let s = Store::open(data.path()).unwrap();
        let found = s.recoverable();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].journey, Journey::new("Old"));
        assert_eq!(found[0].path, None);
        s.forget(&found[0]);
        assert!(!data.path().join(LEGACY_JOURNEY).exists());
    }

    #[test]
    fn an_instance_that_ends_removes_its_lock_file() {
        let data = tempfile::tempdir().unwrap();
        let a = Store::open(data.path()).unwrap();
        let lock = data.path().join(AUTOSAVE_DIR).join(format!("{}.lock", a.instance()));
        assert!(lock.exists());
        drop(a);
        assert!(!lock.exists());
    }

    #[test]
    fn owner_is_read_from_the_file_name() {
        assert_eq!(owner_of("0123456789abcdef.00ff00ff00ff00ff.autosave"), Some("00ff00ff00ff00ff"));
        assert_eq!(owner_of("x.autosave"), None);
        assert_eq!(owner_of("a.b.journey"), None);
    }
}
