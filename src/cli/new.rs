//! `journey-studio new --template NAME [PATH]`: writes one of the example journeys.
//!
//! Invariant: an existing file is never overwritten without `--force`; the check and
//! the creation are one step (`create_new`), so a race cannot clobber a file either.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser};

use crate::format;
use crate::templates::{self, TEMPLATES, Template};

use super::{EXIT_TROUBLE, RunCommand};

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
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(template.text.as_bytes()));
        match written {
            Ok(()) => wrote(template, &path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                eprintln!("error: the file exists; pass --force to overwrite it: {}", path.display());
                ExitCode::from(EXIT_TROUBLE)
            }
            Err(e) => {
                eprintln!("error: cannot write the journey: {e}: {}", path.display());
                ExitCode::from(EXIT_TROUBLE)
            }
        }
    }
}

fn wrote(template: &Template, path: &Path) -> ExitCode {
    println!("wrote {} ({}): {}", template.name, template.title, path.display());
    ExitCode::SUCCESS
}
