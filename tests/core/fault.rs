//! Fault injection for the writers: a process whose files cannot grow past a few
//! kilobytes (`ulimit -f`, with SIGXFSZ ignored so a write fails with "file too large"
//! instead of killing it), which is how a full disk looks to a writer. Runs as root too,
//! where a read-only folder would not stop a write.
//!
//! Shared by both test binaries (`tests/ui` includes this file by path).
#![allow(dead_code, reason = "each test binary uses part of it")]
#![allow(clippy::unwrap_used, reason = "test helpers, not only #[test] fns")]

use std::path::Path;
use std::process::{Command, Output};

/// The most bytes a file may grow to in a [`full_disk`] process (`ulimit -f 8`: eight
/// 512-byte blocks in POSIX `sh`; bash counts kilobytes, but `sh` is dash on Debian).
pub const FULL_DISK_BYTES: u64 = 4096;

/// The environment variable that tells a re-run test it is the child on a full disk.
pub const CHILD_ENV: &str = "JOURNEY_STUDIO_TEST_FULL_DISK_DIR";

/// `program args…` wrapped to run on a "full disk" of [`FULL_DISK_BYTES`].
#[must_use]
pub fn full_disk(program: &Path) -> Command {
    full_disk_of(program, FULL_DISK_BYTES)
}

/// `program args…` wrapped to run where no file may grow past `bytes` (a multiple of
/// 512).
#[must_use]
pub fn full_disk_of(program: &Path, bytes: u64) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(format!("trap '' XFSZ; ulimit -f {} && exec \"$@\"", bytes / 512)).arg("sh").arg(program);
    c
}

/// Re-runs the test `name` (its path inside the test binary) in a child on a full disk,
/// with [`CHILD_ENV`] set to `dir`, and returns the child's output after checking that
/// exactly that test ran and passed.
///
/// # Panics
/// When the child cannot start or its test fails.
pub fn rerun_on_full_disk(name: &str, dir: &Path) -> Output {
    rerun_on_full_disk_of(name, dir, FULL_DISK_BYTES)
}

/// As [`rerun_on_full_disk`], where no file may grow past `bytes`.
///
/// # Panics
/// When the child cannot start or its test fails.
pub fn rerun_on_full_disk_of(name: &str, dir: &Path, bytes: u64) -> Output {
    let exe = std::env::current_exe().unwrap();
    let out = full_disk_of(&exe, bytes)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_ENV, dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the full-disk child failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// In the child of [`rerun_on_full_disk`], the folder the parent prepared.
#[must_use]
pub fn child_dir() -> Option<std::path::PathBuf> {
    std::env::var_os(CHILD_ENV).map(Into::into)
}

/// The names in `dir`, sorted.
#[must_use]
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}
