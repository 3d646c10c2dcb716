//! The one safe write used by every writer (app save, autosave, `new`, `--out`, exports):
//! a new temporary file next to the target, written and flushed to disk, renamed over
//! the target, then the folder flushed so the rename itself lasts.
//!
//! Invariants:
//! - at every instant the target holds either the old bytes or the new ones, never a mix;
//!   when anything fails the target is byte-identical and the temporary file is removed;
//! - the temporary file is created with `create_new` (never opened if it exists, never
//!   through a planted symlink) under a random name, `.NAME.PID.RANDOM.tmp`, in the
//!   target's folder (same file system, so the rename is atomic; hidden, so file pickers
//!   do not show it);
//! - a target that is a symlink is written through: the link stays and its final target
//!   gets the new bytes;
//! - temporary files of ours for the same target left by a process that no longer runs
//!   (killed mid-save) are removed on the next save of that file.

use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher as _, Hasher as _};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// How many symlinks in a row are followed before giving up (as Linux does).
const MAX_LINKS: usize = 40;

/// How many random names are tried when one exists already.
const NAME_TRIES: usize = 16;

/// Where no process table is readable, a temporary file older than this is stale.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Replaces the file at `path` with `bytes` atomically (see the module docs).
///
/// # Errors
/// Any I/O error; the old file is then unchanged and no temporary file remains.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// As [`write_atomic`], with the contents written by `write` into the temporary file
/// (the seam the fault-injection tests use to fail half-way).
///
/// # Errors
/// As [`write_atomic`], including any error `write` returns.
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    write_safely(path, write, Mode::Replace)
}

/// Writes a new file at `path` with `bytes`, as [`write_atomic`] but never replacing
/// anything: the complete file appears at `path` in one step, or nothing does.
///
/// # Errors
/// [`io::ErrorKind::AlreadyExists`] when something is at `path` (a file, a folder, a
/// symlink even to nothing); any other I/O error. No temporary file remains.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_safely(path, |file| file.write_all(bytes), Mode::CreateNew)
}

/// Whether the target may be replaced.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Replace,
    CreateNew,
}

fn write_safely(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>, mode: Mode) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file"));
    }
    let exists = || io::Error::new(io::ErrorKind::AlreadyExists, "the file exists");
    if mode == Mode::CreateNew && fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let target = if mode == Mode::Replace { resolve_links(path)? } else { path.to_owned() };
    if let Ok(meta) = fs::metadata(&target)
        && !meta.is_file()
    {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path is not a regular file"));
    }
    remove_stale_temps(&target);
    let (temp, mut file) = create_temp(&target)?;
    let written = write_and_sync(&mut file, write, &target).and_then(|()| match mode {
        Mode::Replace => fs::rename(&temp, &target),
        // A hard link is created only where nothing is, in one step; the temporary
        // name is then removed. A file system without hard links gets a check and a
        // rename, which a race could still clobber.
        Mode::CreateNew => match fs::hard_link(&temp, &target) {
            Ok(()) => fs::remove_file(&temp),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(_) if fs::symlink_metadata(&target).is_ok() => Err(exists()),
            Err(_) => fs::rename(&temp, &target),
        },
    });
    drop(file);
    if written.is_err() {
        // Best effort: the error that matters is the one already in hand.
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_folder(&target);
    Ok(())
}

/// The file a write to `path` must replace: `path` itself, or the end of its chain of
/// symlinks (which may not exist yet).
///
/// # Errors
/// A loop of links, or a link that cannot be read.
pub fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = if next.is_absolute() { next } else { folder_of(&current).join(next) };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, "too many levels of symbolic links"))
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "journey".into(), |n| n.to_string_lossy().into_owned())
}

/// A random 64-bit number: std's hasher keys are random per process, and a counter and
/// the clock make each call differ. Not cryptographic; `create_new` makes a guessed
/// name harmless, since a file or link planted there is never opened.
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(t) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

/// Creates a new temporary file for `target`, never opening an existing one.
fn create_temp(target: &Path) -> io::Result<(PathBuf, File)> {
    let name = file_name(target);
    let folder = folder_of(target);
    let mut last = None;
    for _ in 0..NAME_TRIES {
        let temp = folder.join(format!(".{name}.{}.{:016x}.tmp", std::process::id(), random()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

fn write_and_sync(file: &mut File, write: impl FnOnce(&mut File) -> io::Result<()>, target: &Path) -> io::Result<()> {
    // Keep the old file's permissions (a shared, group-writable journey stays so).
    if let Ok(meta) = fs::metadata(target)
        && meta.is_file()
    {
        let _ = file.set_permissions(meta.permissions());
    }
    write(file)?;
    file.flush()?;
    file.sync_all()
}

/// Flushes the folder entry of a renamed file. Some systems (Windows) cannot open a
/// folder as a file; the rename has happened by then, so failure here is not an error.
fn sync_folder(path: &Path) {
    if let Ok(dir) = File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

/// The process id in the name of one of our temporary files for `name`:
/// `.NAME.PID.RANDOM.tmp`, or `.NAME.PID.tmp` as earlier versions wrote them.
fn temp_owner(temp_name: &str, name: &str) -> Option<u32> {
    let middle = temp_name.strip_prefix(&format!(".{name}."))?.strip_suffix(".tmp")?;
    let (pid, random) = middle.split_once('.').unwrap_or((middle, "0"));
    let hex = random.len() <= 16 && !random.is_empty() && random.chars().all(|c| c.is_ascii_hexdigit());
    if hex { pid.parse().ok() } else { None }
}

/// Whether the process that named a temporary file may still be writing it. With a
/// process table (`/proc`), while that process runs; elsewhere, for an hour.
fn owner_may_run(pid: u32, meta: &fs::Metadata) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    meta.modified().ok().and_then(|m| m.elapsed().ok()).is_none_or(|age| age < STALE_AFTER)
}

/// Removes our temporary files for `target` whose writer no longer runs.
fn remove_stale_temps(target: &Path) {
    let name = file_name(target);
    let Ok(entries) = fs::read_dir(folder_of(target)) else { return };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_owner(&entry_name, &name) else { continue };
        let Ok(meta) = entry.path().symlink_metadata() else { continue };
        if meta.is_file() && !owner_may_run(pid, &meta) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["a.journey"], "no temp file left");
    }

    #[test]
    fn write_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        write_new(&p, b"one").unwrap();
        let e = write_new(&p, b"two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(names(dir.path()), ["a.journey"], "no temp file left");
    }

    #[test]
    fn a_path_without_a_file_name_is_refused() {
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }

    #[test]
    fn a_failure_half_way_keeps_the_old_bytes_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        fs::write(&p, b"the old journey").unwrap();
        let e = write_atomic_with(&p, |f| {
            f.write_all(b"half of the new")?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "no space left on device"))
        })
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert_eq!(fs::read(&p).unwrap(), b"the old journey");
        assert_eq!(names(dir.path()), ["a.journey"]);
    }

    #[test]
    fn temp_names_are_random_and_never_reuse_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        let (t1, _f1) = create_temp(&p).unwrap();
        let (t2, _f2) = create_temp(&p).unwrap();
        assert_ne!(t1, t2);
        let n = t1.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(temp_owner(&n, "a.journey"), Some(std::process::id()), "{n}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_a_temp_name_is_not_followed() {
        // The old predictable name `.NAME.PID.tmp`, and every other name, is created
        // with create_new: a link planted there never redirects the write.
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let p = dir.path().join("a.journey");
        let planted = dir.path().join(format!(".a.journey.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(&p).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn saving_through_a_symlink_writes_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.journey");
        fs::write(&real, b"old").unwrap();
        let link = dir.path().join("link.journey");
        std::os::unix::fs::symlink("real.journey", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["link.journey", "real.journey"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(write_atomic(&a, b"x").is_err());
    }

    #[test]
    fn temp_owner_reads_our_names_only() {
        assert_eq!(temp_owner(".a.journey.42.00ff00ff00ff00ff.tmp", "a.journey"), Some(42));
        assert_eq!(temp_owner(".a.journey.42.tmp", "a.journey"), Some(42));
        assert_eq!(temp_owner(".b.journey.42.tmp", "a.journey"), None);
        assert_eq!(temp_owner(".a.journey.x.tmp", "a.journey"), None);
        assert_eq!(temp_owner(".a.journey.42.notes.tmp", "a.journey"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temp_files_of_a_dead_writer_are_removed_on_the_next_save() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        // Above any pid_max: that process cannot run.
        let dead = dir.path().join(".a.journey.999999999.0123456789abcdef.tmp");
        let dead_old_style = dir.path().join(".a.journey.999999998.tmp");
        let live = dir.path().join(format!(".a.journey.{}.0123456789abcdef.tmp", std::process::id()));
        let other = dir.path().join(".b.journey.999999999.0123456789abcdef.tmp");
        for f in [&dead, &dead_old_style, &live, &other] {
            fs::write(f, b"partial").unwrap();
        }
        write_atomic(&p, b"new").unwrap();
        assert!(!dead.exists() && !dead_old_style.exists());
        assert!(live.exists(), "a running writer's temp file stays");
        assert!(other.exists(), "another file's temp files stay");
    }
}
