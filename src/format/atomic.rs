//! Atomic file replacement: write a temporary file next to the target, flush it to
//! disk, rename it over the target, then flush the folder so the rename itself lasts.
//!
//! Invariants: at every instant the target holds either the old bytes or the new ones,
//! never a mix; when anything fails the target is untouched and the temporary file is
//! removed. The temporary file is `.NAME.PID.tmp` in the target's folder (same file
//! system, so the rename is atomic; hidden, so file pickers do not show it).

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Where [`write_atomic`] puts its temporary file for `path`.
#[must_use]
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "journey".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Replaces the file at `path` with `bytes` atomically.
///
/// # Errors
/// Any I/O error; the old file is then unchanged and no temporary file remains.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file"));
    }
    let temp = temp_path(path);
    let mut file = File::create(&temp)?;
    let written = write_and_rename(&mut file, &temp, path, bytes);
    drop(file);
    if written.is_err() {
        // Best effort: the error that matters is the one already in hand.
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_folder(path);
    Ok(())
}

fn write_and_rename(file: &mut File, temp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Keep the old file's permissions (a shared, group-writable journey stays so).
    if let Ok(meta) = fs::metadata(path)
        && meta.is_file()
    {
        let _ = file.set_permissions(meta.permissions());
    }
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(temp, path)
}

/// Flushes the folder entry of a renamed file. Some systems (Windows) cannot open a
/// folder as a file; the rename has happened by then, so failure here is not an error.
fn sync_folder(path: &Path) {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_file_sits_next_to_the_target() {
        let t = temp_path(Path::new("/a/b/x.journey"));
        assert_eq!(t.parent(), Some(Path::new("/a/b")));
        let name = t.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".x.journey.") && name.ends_with(".tmp"), "{name}");
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.journey");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp file left");
    }

    #[test]
    fn a_path_without_a_file_name_is_refused() {
        assert!(write_atomic(Path::new("/"), b"x").is_err());
    }
}
