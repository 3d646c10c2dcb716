//! `journey-studio report FILE [run options] [--baseline OTHER] --out report.html`: runs
//! the engine headless and writes the self-contained HTML report of SPEC §9, compared
//! with a baseline journey when one is given: the two are walked by the same simulated
//! users (`compare`, SPEC §3.2), so the report has paired intervals and verdicts.
//!
//! Invariants: exit codes as `simulate`: 0 success, 1 invalid journey or scenario (either
//! file), 2 usage or I/O, 130 after Ctrl+C; the run settings come from the flags, else from
//! FILE's scenario, and the baseline runs with exactly the same ones (same users, seed,
//! horizon and replicates), within the limits `validate` holds a scenario to; the bytes
//! written depend only on the files and the options; `--out` goes through the one safe
//! write, is refused (exit 2) when it names FILE or the baseline, and an interrupted run
//! writes nothing, so an existing `--out` file keeps its bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::format;
use crate::model::Journey;
use crate::report::{self, ReportInput, Run};
use crate::sim::report::Report;
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_USERS, PairedFigure, RunOptions, SimError, compare, simulate};
use crate::validate::{Severity, validate};

use super::interrupt::{self, EXIT_INTERRUPTED};
use super::simulate::{ProgressLine, same_file, write_output};
use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, terminal_safe};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The .journey file to simulate and report on
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Population size (default: the scenario's)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_USERS))]
    pub users: Option<u64>,
    /// Random seed (default: the scenario's)
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Days to simulate from the journey's start (default: the scenario's)
    #[arg(long, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HORIZON_DAYS)))]
    pub days: Option<u32>,
    /// Independent replicates (default: the scenario's)
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_REPLICATES)))]
    pub replicates: Option<u32>,
    /// Worker threads (default: all cores); never changes the figures
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// A journey to compare with, simulated with the same settings and seed
    #[arg(long, value_name = "OTHER")]
    pub baseline: Option<PathBuf>,
    /// Where to write the HTML report
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
}

/// Loads a journey and checks it; prints the problems and says how to exit otherwise.
fn load_valid(path: &Path) -> Result<Journey, ExitCode> {
    let name = terminal_safe(&path.display().to_string());
    let journey = format::load(path).map_err(|e| {
        eprintln!("{name}: error: {e}");
        ExitCode::from(EXIT_TROUBLE)
    })?;
    let diagnostics = validate(&journey);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    if errors.is_empty() {
        return Ok(journey);
    }
    for d in errors {
        eprintln!("{name}:{}: {}: {}", d.place(), d.severity, terminal_safe(&d.message));
    }
    Err(ExitCode::from(EXIT_INVALID))
}

/// What a run gives: FILE's report, and with a baseline the baseline's report and the
/// paired headline figures.
type Ran = (Report, Option<(Report, Vec<PairedFigure>)>);

/// Simulates FILE, or the baseline and FILE paired (SPEC §3.2), with a progress line on
/// stderr.
fn simulate_with_progress(
    name: &str,
    journey: &Journey,
    baseline: Option<&Journey>,
    opts: &RunOptions,
) -> Result<Ran, ExitCode> {
    let sides = if baseline.is_some() { 2 } else { 1 };
    let total = opts.users.unwrap_or(0).saturating_mul(u64::from(opts.replicates.unwrap_or(1).max(1))) * sides;
    let line = ProgressLine::new(name, total);
    let progress = |share: f64| {
        line.update(share);
        !interrupt::requested()
    };
    let result = match baseline {
        // B − A is this run minus the baseline.
        Some(base) => compare(base, journey, opts, &progress).map(|c| (c.b, Some((c.a, c.figures)))),
        None => simulate(journey, opts, &progress).map(|r| (r, None)),
    };
    match result {
        Ok(r) => {
            line.done();
            Ok(r)
        }
        Err(SimError::Cancelled) if interrupt::requested() => {
            line.interrupted();
            Err(ExitCode::from(EXIT_INTERRUPTED))
        }
        Err(SimError::Invalid(msgs)) => {
            line.close();
            for m in msgs {
                eprintln!("{name}: error: {}", terminal_safe(&m));
            }
            Err(ExitCode::from(EXIT_INVALID))
        }
        Err(e) => {
            line.close();
            eprintln!("{name}: error: {e}");
            Err(ExitCode::from(EXIT_TROUBLE))
        }
    }
}

impl ReportArgs {
    /// Loads, checks and simulates; the report's HTML to write.
    fn report(&self) -> Result<String, ExitCode> {
        if same_file(&self.file, &self.out) || self.baseline.as_deref().is_some_and(|b| same_file(b, &self.out)) {
            eprintln!(
                "error: --out names one of the journeys; choose another file for the report: {}",
                terminal_safe(&self.out.display().to_string())
            );
            return Err(ExitCode::from(EXIT_TROUBLE));
        }
        let name = self.file.display().to_string();
        let shown = terminal_safe(&name);
        let journey = load_valid(&self.file)?;
        let baseline = match &self.baseline {
            Some(path) => Some((path.display().to_string(), load_valid(path)?)),
            None => None,
        };
        // Resolved once from FILE's scenario, so that the baseline runs with the same ones.
        let opts = RunOptions {
            users: Some(self.users.unwrap_or(journey.scenario.population.users)),
            seed: Some(self.seed.unwrap_or(journey.scenario.run.seed)),
            horizon_days: Some(self.days.unwrap_or(journey.scenario.run.horizon_days)),
            replicates: Some(self.replicates.unwrap_or(journey.scenario.run.replicates)),
            threads: self.threads.map(usize::from),
            trajectory_sample: 0,
        };
        if let Err(e) = interrupt::watch() {
            eprintln!("{shown}: warning: Ctrl+C will end the run without a clean stop: {e}");
        }
        let ran = simulate_with_progress(&shown, &journey, baseline.as_ref().map(|(_, j)| j), &opts)?;
        let (report, paired) = &ran;
        let paired = paired.as_ref().map(|(r, figures)| (r, figures.as_slice()));
        let input = ReportInput {
            current: Run { journey: &journey, report, file: Some(&name) },
            baseline: baseline.as_ref().zip(paired).map(|((file, base), (base_report, _))| Run {
                journey: base,
                report: base_report,
                file: Some(file.as_str()),
            }),
            paired: paired.map(|(_, figures)| figures),
            app_version: env!("CARGO_PKG_VERSION"),
        };
        let text = report::html(&input);
        if interrupt::requested() {
            eprintln!("{shown}: interrupted; nothing written");
            return Err(ExitCode::from(EXIT_INTERRUPTED));
        }
        Ok(text)
    }
}

impl RunCommand for ReportArgs {
    fn run(self) -> ExitCode {
        match self.report() {
            // The one safe write: a failed write keeps an older report byte-identical.
            Ok(text) => write_output(Some(&self.out), &text),
            Err(code) => code,
        }
    }
}
