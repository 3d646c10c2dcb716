//! The headless command line: `validate`, `new`, `simulate`, `compare`, `diff`, `report`,
//! `plan`, `sweep`, `tornado`, `calibrate`.
//!
//! Arguments are parsed with clap; each subcommand's arguments type implements
//! [`RunCommand`] and prints its own output. Adding a subcommand takes one line in the
//! `commands!` list below (plus its `mod` line).
//!
//! Invariants: exit codes follow STYLE.md: 0 success (validation may have warnings),
//! 1 invalid input (validation errors), 2 usage or I/O errors (clap's own usage errors
//! exit 2 too), 130 when Ctrl+C stopped a long command (the `interrupt` module).
//! Nothing here imports the GUI: with no subcommand, `main` decides what happens (it
//! opens the editor when the `gui` feature is on).
#![allow(clippy::print_stdout)]

mod calibrate;
mod compare;
mod diff;
mod explore;
mod interrupt;
mod new;
mod report;
mod simulate;
mod validate;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

pub use crate::figures::text::terminal_safe;
pub use calibrate::CalibrateArgs;
pub use compare::CompareArgs;
pub use diff::{DiffArgs, DiffFormat};
pub use explore::{PlanArgs, RunFlags, SweepArgs, TornadoArgs};
pub use interrupt::EXIT_INTERRUPTED;
pub use new::NewArgs;
pub use report::ReportArgs;
pub use simulate::{OutputFormat, SimulateArgs};
pub use validate::ValidateArgs;

/// Exit code for invalid input (validation errors).
pub const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors (and unreadable files).
pub const EXIT_TROUBLE: u8 = 2;

/// `journey-studio`: design customer journeys offline and preview how they would perform.
#[derive(Debug, Parser)]
#[command(name = "journey-studio", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A .journey file to open in the editor (when no subcommand is given)
    pub file: Option<PathBuf>,
    /// What to do headless; without one, the editor opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A subcommand's arguments, which know how to run it.
pub trait RunCommand {
    /// Runs the subcommand, printing its output and errors, and says how to exit.
    fn run(self) -> ExitCode;
}

macro_rules! commands {
    ($($(#[$doc:meta])* $variant:ident($args:ty),)*) => {
        /// The subcommands.
        #[derive(Debug, Subcommand)]
        pub enum Command {
            $($(#[$doc])* $variant($args),)*
        }

        impl RunCommand for Command {
            fn run(self) -> ExitCode {
                match self {
                    $(Self::$variant(args) => args.run(),)*
                }
            }
        }
    };
}

commands! {
    /// Check journey files and print their problems as FILE:PLACE: SEVERITY: MESSAGE
    Validate(ValidateArgs),
    /// Write a new journey from a template
    New(NewArgs),
    /// Simulate a journey's scenario and print a table, JSON or CSV
    Simulate(SimulateArgs),
    /// Compare two journeys on the same simulated users: paired differences and verdicts
    Compare(CompareArgs),
    /// Print the structural diff of two journeys or versions (A.journey B.journey, FILE@v2 FILE@v3); exit 1 when they differ
    Diff(DiffArgs),
    /// Simulate a journey and write a self-contained HTML report to share
    Report(ReportArgs),
    /// Plan a control-group or split test: entries and days needed, smallest detectable effect, simulated power
    Plan(PlanArgs),
    /// Run the journey once per value of one setting (same seed) and print the outputs with 95% bands
    Sweep(SweepArgs),
    /// Rank the scenario's uncertain inputs by the swing each causes in one output
    Tornado(TornadoArgs),
    /// Set scenario values from past results (a kind,name,metric,value CSV): prints before → after with 95% intervals
    Calibrate(CalibrateArgs),
}

/// Runs the parsed command line headless: the subcommand, or the help without one.
#[must_use]
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(command) => command.run(),
        None => print_help(),
    }
}

/// Prints the top-level help to stdout.
#[must_use]
pub fn print_help() -> ExitCode {
    match Cli::command().print_help() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(EXIT_TROUBLE),
    }
}

/// Writes `text` to stdout and flushes it. A closed stdout (a pipe into `head`) ends
/// the command quietly, a failing one (`> /dev/full`) with a message; both exit 2,
/// never with a panic.
///
/// # Errors
/// The exit code to end with.
pub fn print_out(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| output_failed(&e, "stdout"))
}

/// Reports a failed write of the output to `target` (unless the reader went away, which
/// needs no message) and gives exit code 2.
pub fn output_failed(e: &std::io::Error, target: &str) -> ExitCode {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}: {target}");
    }
    ExitCode::from(EXIT_TROUBLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_file_without_subcommand_is_for_the_editor() {
        let cli = Cli::try_parse_from(["journey-studio", "x.journey"]).unwrap();
        assert_eq!(cli.file, Some(PathBuf::from("x.journey")));
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from(["journey-studio", "validate", "a", "b"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Validate(ref v)) if v.files.len() == 2));
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(terminal_safe("Welcome"), "Welcome");
        assert_eq!(terminal_safe("a\u{1b}[31mred\nb\r"), "a\\u{1b}[31mred\\nb\\r");
        assert_eq!(terminal_safe("é → ü"), "é → ü");
    }

    #[test]
    fn diff_is_a_subcommand_with_version_sides() {
        let cli = Cli::try_parse_from(["journey-studio", "diff", "a.journey@v2", "a.journey@v3"]).unwrap();
        assert!(cli.file.is_none());
        assert!(matches!(cli.command, Some(Command::Diff(ref d)) if d.a == "a.journey@v2" && d.b == "a.journey@v3"));
        let cli = Cli::try_parse_from(["journey-studio", "diff", "a", "b", "--format", "json"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Diff(ref d)) if d.format == DiffFormat::Json));
    }
}
