//! `journey-studio diff A B`: the structural diff of two journey files, or of two
//! versions (`FILE@v2 FILE@v3`), one change a line: place (node id), label, field, and
//! old → new value. Scenario-only changes come in a section of their own.
//!
//! Invariants: exit codes as diff(1): 0 when nothing differs (and nothing is printed),
//! 1 when something does, 2 on an error (unreadable file, missing version); the output
//! depends only on the two sides; `--format json` carries every field of every change.

use std::process::ExitCode;

use serde::Serialize;

use crate::format;
use crate::model::diff::{Change, diff_journeys};
use crate::versions::SideSpec;

use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, print_out, terminal_safe};

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One change a line.
    Text,
    /// A JSON object with every change.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older side: a .journey file (its draft), or FILE@vN for a published version
    #[arg(value_name = "A")]
    pub a: String,
    /// The newer side, the same way
    #[arg(value_name = "B")]
    pub b: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// The JSON document.
#[derive(Serialize)]
struct JsonOut<'a> {
    /// The older side as given.
    a: &'a str,
    /// The newer side as given.
    b: &'a str,
    /// Whether nothing differs.
    identical: bool,
    /// Structural changes.
    changes: &'a [Change],
    /// Scenario changes.
    scenario_changes: &'a [Change],
}

impl RunCommand for DiffArgs {
    fn run(self) -> ExitCode {
        let (a, b) = match (side(&self.a), side(&self.b)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                for e in [a.err(), b.err()].into_iter().flatten() {
                    eprintln!("{}", terminal_safe(&e));
                }
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let d = diff_journeys(&a, &b);
        let text = match self.format {
            // Labels and values come from the files: each line is made safe for a terminal.
            DiffFormat::Text => d.to_text().lines().map(|l| terminal_safe(l) + "\n").collect(),
            DiffFormat::Json => {
                let out = JsonOut {
                    a: &self.a,
                    b: &self.b,
                    identical: d.is_empty(),
                    changes: &d.changes,
                    scenario_changes: &d.scenario,
                };
                match serde_json::to_string_pretty(&out) {
                    Ok(s) => s + "\n",
                    Err(e) => {
                        eprintln!("error: cannot write JSON: {e}");
                        return ExitCode::from(EXIT_TROUBLE);
                    }
                }
            }
        };
        if let Err(code) = print_out(&text) {
            return code;
        }
        if d.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) }
    }
}

/// Loads one side, or says why not (`FILE: error: …`, path first as `validate` does).
fn side(arg: &str) -> Result<crate::model::Journey, String> {
    let spec = SideSpec::parse(arg);
    let name = spec.path.display().to_string();
    let journey = format::load(&spec.path).map_err(|e| match e.inner() {
        format::FormatError::Parse { line, col, message } => format!("{name}:{line}:{col}: error: {message}"),
        format::FormatError::Io { source, .. } => format!("{name}: error: cannot read the file: {source}"),
        other => format!("{name}: error: {other}"),
    })?;
    spec.pick(&journey).map_err(|e| format!("{name}: error: {e}"))
}
