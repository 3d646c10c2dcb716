//! Ctrl+C for long headless commands (`simulate` today; `compare` or `sweep` later).
//!
//! A command that runs the engine calls [`watch`] before the run and checks
//! [`requested`] in its progress callback; returning `false` there makes the engine stop
//! between chunks with `SimError::Cancelled`, and the command then writes nothing and
//! exits with [`EXIT_INTERRUPTED`].
//!
//! Invariants: the handler is installed at most once per process, and only by commands
//! that call [`watch`] (the others keep the default: Ctrl+C ends the process at once);
//! the first Ctrl+C only sets a flag, so no output file is left half written; a second
//! Ctrl+C, for a run that does not stop soon enough, exits at once with 130.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code after Ctrl+C: 128 + SIGINT, what shells report for a process ended by it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Set by the first Ctrl+C; never cleared (the process is on its way out).
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The outcome of installing the handler, kept so that every later [`watch`] gives it.
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// Installs the Ctrl+C handler for this process (once; later calls return the first
/// outcome).
///
/// # Errors
/// The system refused the handler (or another one was installed outside this module);
/// Ctrl+C then ends the process the default way, without the clean stop.
pub fn watch() -> Result<(), String> {
    INSTALLED
        .get_or_init(|| {
            ctrlc::set_handler(|| {
                if REQUESTED.swap(true, Ordering::SeqCst) {
                    eprintln!("\ninterrupted");
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                }
            })
            .map_err(|e| e.to_string())
        })
        .clone()
}

/// Whether Ctrl+C has been pressed since [`watch`].
#[must_use]
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
