//! `journey-studio validate FILE...`: loads each file, runs validation and prints one
//! line per problem, `FILE:PLACE: SEVERITY: MESSAGE`, where PLACE is a node id (`n3`),
//! `setup`, `entry`, `goal N` or `scenario`.
//!
//! Invariant: every file is checked even after a bad one; the exit code is the worst
//! outcome: 2 when a file cannot be read or parsed, else 1 when any has errors, else 0.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::format::{self, FormatError};
use crate::validate::{has_errors, validate};

use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, print_out, terminal_safe};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The .journey files to check
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// How one file fared, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Clean,
    Warnings,
    Errors,
    Unreadable,
}

impl RunCommand for ValidateArgs {
    fn run(self) -> ExitCode {
        let mut worst = Outcome::Clean;
        for path in &self.files {
            let (outcome, report) = check_file(path);
            match outcome {
                Outcome::Unreadable => {
                    let _ = std::io::Write::write_all(&mut std::io::stderr(), report.as_bytes());
                }
                _ => {
                    if let Err(code) = print_out(&report) {
                        return code;
                    }
                }
            }
            worst = worst.max(outcome);
        }
        match worst {
            Outcome::Clean | Outcome::Warnings => ExitCode::SUCCESS,
            Outcome::Errors => ExitCode::from(EXIT_INVALID),
            Outcome::Unreadable => ExitCode::from(EXIT_TROUBLE),
        }
    }
}

/// Checks one file: its outcome and the lines to print.
/// Names and messages are made safe for a terminal, each line on its own.
fn check_file(path: &Path) -> (Outcome, String) {
    let name = terminal_safe(&path.display().to_string());
    let journey = match format::load(path) {
        Ok(j) => j,
        Err(e) => return (Outcome::Unreadable, format!("{}\n", terminal_safe(&load_error_line(path, &e)))),
    };
    let diagnostics = validate(&journey);
    if diagnostics.is_empty() {
        return (Outcome::Clean, format!("{name}: ok\n"));
    }
    let mut out = String::new();
    for d in &diagnostics {
        let _ = writeln!(out, "{name}:{}: {}: {}", d.place(), d.severity, terminal_safe(&d.message));
    }
    let outcome = if has_errors(&diagnostics) { Outcome::Errors } else { Outcome::Warnings };
    (outcome, out)
}

/// `FILE:LINE:COL: error: MESSAGE` for a parse error, `FILE: error: ...` otherwise.
fn load_error_line(path: &Path, e: &FormatError) -> String {
    let name = path.display();
    match e.inner() {
        FormatError::Parse { line, col, message } => format!("{name}:{line}:{col}: error: {message}"),
        FormatError::Io { source, .. } => format!("{name}: error: cannot read the file: {source}"),
        other => format!("{name}: error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_line_and_column() {
        let e = FormatError::Parse { line: 4, col: 7, message: "expected `)`".into() };
        assert_eq!(load_error_line(Path::new("a.journey"), &e), "a.journey:4:7: error: expected `)`");
        let e = e.in_file(Path::new("a.journey"));
        assert_eq!(load_error_line(Path::new("a.journey"), &e), "a.journey:4:7: error: expected `)`");
    }
}
