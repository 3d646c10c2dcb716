//! The `journey-studio` binary: a subcommand runs headless; none opens the editor.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser as _;
use journey_studio::cli::{self, Cli, RunCommand as _};

fn main() -> ExitCode {
    // Usage errors exit 2 inside clap; --help and --version exit 0, or 2 when stdout
    // is closed or full (clap itself would ignore that).
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) if e.use_stderr() => e.exit(),
        Err(e) => {
            return match e.print().and_then(|()| std::io::Write::flush(&mut std::io::stdout())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(io) => cli::output_failed(&io, "stdout"),
            };
        }
    };
    match args.command {
        Some(command) => command.run(),
        None => open_editor(args.file),
    }
}

/// Opens the editor on `file` (or on an example journey when there is none).
#[cfg(feature = "gui")]
fn open_editor(file: Option<PathBuf>) -> ExitCode {
    match journey_studio::app::run(file) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cli::EXIT_TROUBLE)
        }
    }
}

/// Without the `gui` feature there is no editor: print the help instead.
#[cfg(not(feature = "gui"))]
fn open_editor(file: Option<PathBuf>) -> ExitCode {
    let code = cli::print_help();
    match file {
        Some(path) => {
            eprintln!(
                "error: this build has no editor (built without the `gui` feature); try `validate`: {}",
                path.display()
            );
            ExitCode::from(cli::EXIT_TROUBLE)
        }
        None => code,
    }
}
