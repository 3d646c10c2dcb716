//! `journey-studio compare A.journey B.journey`: walks every simulated user through both
//! journeys with the same streams (SPEC §3.2) and prints the paired differences, each
//! with its paired and unpaired 95% interval and a verdict, as a table, JSON or CSV.
//!
//! Invariants: exit codes 0 whatever the verdict, 1 when either journey is invalid, 2 for
//! usage or I/O (also `--out` naming A or B), 130 after Ctrl+C; run settings come from
//! the flags (within the limits `validate` holds a scenario to), else from A's scenario;
//! output bytes never depend on `--threads`; `--out` goes through the safe write.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::figures::{compare as writers, export};
use crate::format;
use crate::model::Journey;
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_USERS, RunOptions, SimError, compare};
use crate::validate::{Severity, validate};

use super::interrupt::{self, EXIT_INTERRUPTED};
use super::simulate::{OutputFormat, ProgressLine, same_file, write_output};
use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, terminal_safe};

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The baseline journey (A)
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The journey compared with it (B)
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Population size (default: A's scenario)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_USERS))]
    pub users: Option<u64>,
    /// Random seed (default: A's scenario)
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Days to simulate from the journey's start (default: A's scenario)
    #[arg(long, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HORIZON_DAYS)))]
    pub days: Option<u32>,
    /// Independent replicates (default: A's scenario)
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPLICATES)))]
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores); never changes the figures
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the output to this file instead of stdout
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

/// Loads and validates one side; prints its problems.
fn load(path: &std::path::Path) -> Result<Journey, u8> {
    let name = terminal_safe(&path.display().to_string());
    let journey = format::load(path).map_err(|e| {
        eprintln!("{name}: error: {e}");
        EXIT_TROUBLE
    })?;
    let errors: Vec<_> = validate(&journey).into_iter().filter(|d| d.severity == Severity::Error).collect();
    if !errors.is_empty() {
        for d in errors {
            eprintln!("{name}:{}: {}: {}", d.place(), d.severity, terminal_safe(&d.message));
        }
        return Err(EXIT_INVALID);
    }
    Ok(journey)
}

impl RunCommand for CompareArgs {
    fn run(self) -> ExitCode {
        if let Some(out) = &self.out
            && (same_file(&self.a, out) || same_file(&self.b, out))
        {
            eprintln!(
                "error: --out names one of the journeys; choose another file for the output: {}",
                terminal_safe(&out.display().to_string())
            );
            return ExitCode::from(EXIT_TROUBLE);
        }
        let (a, b) = match (load(&self.a), load(&self.b)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(code), _) | (_, Err(code)) => return ExitCode::from(code),
        };
        let opts = RunOptions {
            users: self.users,
            seed: self.seed,
            horizon_days: self.days,
            replicates: self.replicates,
            threads: self.threads.map(usize::from),
            trajectory_sample: 0,
        };
        let name = terminal_safe(&format!("{} vs {}", self.a.display(), self.b.display()));
        // Both versions walk every user: twice the work of one run.
        let total_users = self
            .users
            .unwrap_or(a.scenario.population.users)
            .saturating_mul(u64::from(self.replicates.unwrap_or(a.scenario.run.replicates).max(1)))
            .saturating_mul(2);
        if let Err(e) = interrupt::watch() {
            eprintln!("{name}: warning: Ctrl+C will end the run without a clean stop: {e}");
        }
        let line = ProgressLine::new(&name, total_users);
        let progress = |share: f64| {
            line.update(share);
            !interrupt::requested()
        };
        let c = match compare(&a, &b, &opts, &progress) {
            Ok(c) => c,
            Err(SimError::Cancelled) if interrupt::requested() => {
                line.interrupted();
                return ExitCode::from(EXIT_INTERRUPTED);
            }
            Err(SimError::Invalid(msgs)) => {
                line.close();
                for m in msgs {
                    eprintln!("{name}: error: {}", terminal_safe(&m));
                }
                return ExitCode::from(EXIT_INVALID);
            }
            Err(e) => {
                line.close();
                eprintln!("{name}: error: {e}");
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let text = match self.format {
            OutputFormat::Table => writers::table(&a.setup.name, &b.setup.name, &c),
            OutputFormat::Json => match export::json(&c) {
                Ok(s) => s,
                Err(e) => {
                    line.close();
                    eprintln!("{name}: error: cannot write JSON: {e}");
                    return ExitCode::from(EXIT_TROUBLE);
                }
            },
            OutputFormat::Csv => writers::csv(&c),
        };
        if interrupt::requested() {
            line.interrupted();
            return ExitCode::from(EXIT_INTERRUPTED);
        }
        line.done();
        write_output(self.out.as_deref(), &text)
    }
}
