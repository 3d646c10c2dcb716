//! `.journey` files: RON with a leading format version, migrations from older versions,
//! atomic save, and errors that name line and column.
//!
//! A file reads `(format_version: 1, journey: (…))`. Short groups sit on one line and
//! long ones break one entry per line (see `layout.rs`), so files diff well.
//! Loading reads the version first (`migrate.rs`): a newer version is refused with
//! [`FormatError::TooNew`], version 0 (the prototype layout, `v0.rs`) migrates to the
//! current model.
//!
//! Invariants: saving an unchanged journey gives identical bytes; every value,
//! including every `f64`, reads back exactly; loading a bad file never panics and
//! reports the line and column; links to missing nodes or ports load (validation
//! reports them); a failed save leaves the old file byte-identical.

mod atomic;
mod errors;
mod layout;
mod migrate;
mod v0;

use std::path::{Path, PathBuf};

use crate::model::Journey;

pub use atomic::{resolve_links, write_atomic, write_atomic_with, write_new};

/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 1;

/// The largest `.journey` file read: 64 MiB, far above the biggest journey allowed
/// (5,000 nodes and 20,000 links).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The file name extension of journeys, without the dot (for file dialogs and `new`).
pub const EXTENSION: &str = "journey";

/// How deeply groups may nest in a file. A real journey needs about 15 levels plus two
/// per nested filter group; the limit keeps hostile files from exhausting the stack of
/// a worker thread.
const RECURSION_LIMIT: usize = 64;

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Reading or writing the file failed (missing file, no permission, disk full,
    /// the path is a folder).
    #[error("{action} failed: {source}: {}", path.display())]
    Io {
        /// "reading" or "saving".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The text is not a valid journey: bad syntax, a wrong type, an unknown node kind,
    /// a duplicate node id or a second link on one output port.
    #[error("line {line}, column {col}: {message}")]
    Parse {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters, not bytes).
        col: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The file was written by a newer Journey Studio.
    #[error("format version {found} is newer than this Journey Studio understands (up to {FORMAT_VERSION})")]
    TooNew {
        /// The version in the file.
        found: u32,
    },
    /// A [`Self::Parse`] or [`Self::TooNew`] error while loading a file, with its path
    /// (which [`load`] adds, so messages end with the file, as the house style says).
    #[error("{error}: {}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        error: Box<FormatError>,
    },
}

impl FormatError {
    /// The error without its file path.
    #[must_use]
    pub fn inner(&self) -> &Self {
        match self {
            Self::File { error, .. } => error.inner(),
            other => other,
        }
    }

    /// The file the error is about, if known.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Io { path, .. } | Self::File { path, .. } => Some(path),
            Self::Parse { .. } | Self::TooNew { .. } => None,
        }
    }

    /// Line and column (1-based) of a parse error.
    #[must_use]
    pub fn position(&self) -> Option<(usize, usize)> {
        match self.inner() {
            Self::Parse { line, col, .. } => Some((*line, *col)),
            _ => None,
        }
    }

    /// The same error, naming `path` (I/O errors already name theirs).
    #[must_use]
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            Self::Parse { .. } | Self::TooNew { .. } => Self::File { path: path.to_owned(), error: Box::new(self) },
            other => other,
        }
    }
}

/// The current file layout. Field order is the file's order: the version comes first.
#[derive(serde::Serialize)]
#[serde(rename = "JourneyFile")]
struct FileOut<'a> {
    format_version: u32,
    journey: &'a Journey,
}

#[derive(serde::Deserialize)]
#[serde(rename = "JourneyFile", deny_unknown_fields)]
struct FileIn {
    #[allow(dead_code)]
    format_version: u32,
    journey: Journey,
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_recursion_limit(RECURSION_LIMIT)
}

/// The journey as `.journey` text, or why ron could not write it.
fn try_to_ron(journey: &Journey) -> Result<String, ron::Error> {
    let file = FileOut { format_version: FORMAT_VERSION, journey };
    let compact = ron_options().to_string(&file)?;
    match layout::layout(&compact) {
        Some(text) => Ok(text),
        // Not expected: the layout understands everything ron writes. ron's own
        // pretty printer is a correct, if longer, fallback.
        None => {
            let config = ron::ser::PrettyConfig::new().new_line("\n").indentor("    ");
            let mut text = ron_options().to_string_pretty(&file, config)?;
            text.push('\n');
            Ok(text)
        }
    }
}

/// The journey as `.journey` text.
#[must_use]
pub fn to_ron(journey: &Journey) -> String {
    try_to_ron(journey).unwrap_or_else(|e| format!("/* serialization failed: {e} */\n"))
}

/// Parses `.journey` text of any supported version.
///
/// # Errors
/// [`FormatError::Parse`] for bad text, [`FormatError::TooNew`] for a newer version.
pub fn from_ron(text: &str) -> Result<Journey, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match migrate::read_version(text)? {
        0 => {
            let file: v0::V0File = ron_options().from_str(text).map_err(|e| errors::from_ron_error(text, &e))?;
            Ok(v0::migrate(file))
        }
        1 => {
            let file: FileIn = ron_options().from_str(text).map_err(|e| errors::from_ron_error(text, &e))?;
            Ok(file.journey)
        }
        v => Err(FormatError::TooNew { found: u32::try_from(v).unwrap_or(u32::MAX) }),
    }
}

/// Parses `.journey` bytes: as [`from_ron`], after checking they are UTF-8 text.
///
/// # Errors
/// As [`from_ron`]; text that is not UTF-8 is a [`FormatError::Parse`] at the first bad byte.
pub fn from_bytes(bytes: &[u8]) -> Result<Journey, FormatError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => from_ron(text),
        Err(e) => {
            let good = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = 1 + good.matches('\n').count();
            let col = 1 + good.rsplit('\n').next().map_or(0, |l| l.chars().count());
            Err(FormatError::Parse {
                line,
                col,
                message: "the file is not UTF-8 text: a byte here is not valid".into(),
            })
        }
    }
}

/// Loads a file. Parse errors come back as [`FormatError::File`] naming the path.
///
/// # Errors
/// As [`from_ron`], plus [`FormatError::Io`].
pub fn load(path: &Path) -> Result<Journey, FormatError> {
    let bytes = read_limited(path, MAX_FILE_BYTES).map_err(|source| FormatError::Io {
        action: "reading",
        path: path.to_owned(),
        source,
    })?;
    from_bytes(&bytes).map_err(|e| e.in_file(path))
}

/// Reads a regular file of at most `limit` bytes. A FIFO, a device or a folder is
/// refused before it is opened (opening a FIFO would wait for a writer, reading
/// `/dev/zero` would never end); a longer file is refused without reading it all.
///
/// # Errors
/// The OS error, or [`std::io::ErrorKind::InvalidInput`] saying what the path is or
/// that the file is too large.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let not_regular = |meta: &std::fs::Metadata| {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a FIFO, a device or a socket)" };
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("the path is {what}"))
    };
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the file is larger than {} MiB, the most Journey Studio reads", limit / (1024 * 1024)),
        )
    };
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = std::fs::File::open(path)?;
    // It may have been swapped between the two looks.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Saves atomically: temp file in the same folder, fsync, rename, fsync the folder.
///
/// # Errors
/// [`FormatError::Io`] naming `path`; the old file is then untouched.
pub fn save(path: &Path, journey: &Journey) -> Result<(), FormatError> {
    let io_error = |source| FormatError::Io { action: "saving", path: path.to_owned(), source };
    let text = try_to_ron(journey).map_err(|e| io_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    write_atomic(path, text.as_bytes()).map_err(io_error)
}

/// Saves a new file, as [`save`] but never replacing anything at `path` (a clone of a
/// version, say): the complete file appears in one step, or nothing does.
///
/// # Errors
/// [`FormatError::Io`] naming `path`, of kind [`std::io::ErrorKind::AlreadyExists`] when
/// something is already there.
pub fn save_new(path: &Path, journey: &Journey) -> Result<(), FormatError> {
    let io_error = |source| FormatError::Io { action: "saving", path: path.to_owned(), source };
    let text = try_to_ron(journey).map_err(|e| io_error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    write_new(path, text.as_bytes()).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_journey_round_trips_byte_identically() {
        let j = Journey::new("Hello");
        let text = to_ron(&j);
        assert!(text.starts_with("(\n    format_version: 1,\n"), "{text}");
        let back = from_ron(&text).unwrap();
        assert_eq!(back, j);
        assert_eq!(to_ron(&back), text);
    }

    #[test]
    fn a_newer_version_is_refused_before_its_body_is_read() {
        let e = from_ron("(format_version: 2, journey: (whatever: [1, 2, 3]))").unwrap_err();
        assert!(matches!(e, FormatError::TooNew { found: 2 }), "{e:?}");
        assert!(e.to_string().contains("newer"), "{e}");
        let e = from_ron("(format_version: 99999999999, journey: ())").unwrap_err();
        assert!(matches!(e, FormatError::TooNew { found: u32::MAX }), "{e:?}");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let text = format!("\u{feff}{}", to_ron(&Journey::new("x")));
        assert!(from_ron(&text).is_ok());
    }

    #[test]
    fn bad_utf8_names_its_place() {
        let mut bytes = b"(\n  ab".to_vec();
        bytes.push(0xff);
        let e = from_bytes(&bytes).unwrap_err();
        assert_eq!(e.position(), Some((2, 5)));
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn file_errors_put_the_path_last() {
        let e = FormatError::Parse { line: 3, col: 7, message: "expected a number".into() }
            .in_file(Path::new("/tmp/x.journey"));
        assert_eq!(e.to_string(), "line 3, column 7: expected a number: /tmp/x.journey");
        assert_eq!(e.position(), Some((3, 7)));
        assert_eq!(e.path(), Some(Path::new("/tmp/x.journey")));
        assert!(matches!(e.inner(), FormatError::Parse { .. }));
    }
}
