//! `journey-studio new --template NAME [PATH]`: writes one of the example journeys.
//!
//! Invariants: an existing file is never overwritten without `--force`; the check and
//! the creation are one step (a hard link of a complete temporary file), so a race
//! cannot clobber a file either; a failed write (a full disk) leaves no file and no
//! temporary file, so a retry works; with `--force` a failed write keeps the old file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::format;
use crate::templates::{self, TEMPLATES, Template};

use super::{EXIT_TROUBLE, RunCommand, print_out, terminal_safe};

/// Arguments of `new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The template to start from
    #[arg(long, short, value_name = "NAME", value_parser = template_names())]
    pub template: String,
    /// Where to write the journey [default: NAME.journey]
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Overwrite PATH if it exists
    #[arg(long)]
    pub force: bool,
}

fn template_names() -> PossibleValuesParser {
    PossibleValuesParser::new(TEMPLATES.iter().map(|t| PossibleValue::new(t.name).help(t.title)))
}

impl RunCommand for NewArgs {
    fn run(self) -> ExitCode {
        let Some(template) = templates::find(&self.template) else {
            eprintln!("error: no template named {:?}; the templates are {}", self.template, templates::names());
            return ExitCode::from(EXIT_TROUBLE);
        };
        let path = self.path.unwrap_or_else(|| PathBuf::from(format!("{}.journey", template.name)));
        if self.force {
            // Atomic, so a failed overwrite keeps the old file.
            return match template.journey().and_then(|j| format::save(&path, &j)) {
                Ok(()) => wrote(template, &path),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_TROUBLE)
                }
            };
        }
        // Written whole to a temporary file, then linked into place only where nothing
        // is: a full disk leaves nothing behind, and a race cannot clobber a file.
        match format::write_new(&path, template.text.as_bytes()) {
            Ok(()) => wrote(template, &path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                eprintln!(
                    "error: the file exists; pass --force to overwrite it: {}",
                    terminal_safe(&path.display().to_string())
                );
                ExitCode::from(EXIT_TROUBLE)
            }
            Err(e) => {
                eprintln!("error: cannot write the journey: {e}: {}", terminal_safe(&path.display().to_string()));
                ExitCode::from(EXIT_TROUBLE)
            }
        }
    }
}

fn wrote(template: &Template, path: &Path) -> ExitCode {
    let line = format!("wrote {} ({}): {}", template.name, template.title, path.display());
    match print_out(&(terminal_safe(&line) + "\n")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
