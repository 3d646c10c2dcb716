//! `journey-studio plan`, `sweep` and `tornado` (SPEC §7): the experiment planner, the
//! sensitivity sweep and the tornado, headless.
//!
//! Invariants: the run options are `simulate`'s (`--users --seed --days --replicates
//! --threads`), with `--format` and `--out`; progress goes to stderr and Ctrl+C stops
//! cleanly (exit 130, nothing written); exit codes 0 success, 1 invalid journey, 2 usage
//! or I/O (a bad path, range or flag); output bytes never depend on `--threads`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::figures::{explore as writers, export};
use crate::format;
use crate::model::setting::{SettingPath, scenario_inputs};
use crate::model::{Journey, NodeId};
use crate::sim::RunOptions;
use crate::sim::SimError;
use crate::sim::explore::{ExploreError, Output, sweep, sweep_values, tornado};
use crate::sim::planner::{Effect, PlanError, PlanInputs, TestKind, plan};
use crate::validate::{Severity, validate};

use super::interrupt::{self, EXIT_INTERRUPTED};
use super::simulate::{OutputFormat, ProgressLine, write_output};
use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand};
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_USERS};

/// The run options every exploring command shares with `simulate`.
#[derive(Debug, clap::Args)]
pub struct RunFlags {
    /// Population size (default: the scenario's)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_USERS))]
    pub users: Option<u64>,
    /// Random seed (default: the scenario's)
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Days to simulate from the journey's start (default: the scenario's)
    #[arg(long, value_name = "D", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HORIZON_DAYS)))]
    pub days: Option<u32>,
    /// Independent replicates per run (default: the scenario's)
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

impl RunFlags {
    fn options(&self) -> RunOptions {
        RunOptions {
            users: self.users,
            seed: self.seed,
            horizon_days: self.days,
            replicates: self.replicates,
            threads: self.threads.map(usize::from),
            trajectory_sample: 0,
        }
    }

    /// Users walked by one run, for the throughput on stderr.
    fn users_per_run(&self, j: &Journey) -> u64 {
        self.users
            .unwrap_or(j.scenario.population.users)
            .saturating_mul(u64::from(self.replicates.unwrap_or(j.scenario.run.replicates).max(1)))
    }
}

/// Loads and validates a journey; prints its problems.
fn load(path: &Path) -> Result<Journey, u8> {
    let name = path.display().to_string();
    let journey = format::load(path).map_err(|e| {
        eprintln!("{name}: error: {e}");
        EXIT_TROUBLE
    })?;
    let errors: Vec<_> = validate(&journey).into_iter().filter(|d| d.severity == Severity::Error).collect();
    if !errors.is_empty() {
        for d in errors {
            eprintln!("{name}:{}: {}: {}", d.place(), d.severity, d.message);
        }
        return Err(EXIT_INVALID);
    }
    Ok(journey)
}

/// Runs `work` with a progress line and Ctrl+C watching, then writes what `render` makes
/// of its result.
fn drive<T, E: std::fmt::Display>(
    name: &str,
    flags: &RunFlags,
    total_users: u64,
    work: impl FnOnce(&dyn Fn(f64) -> bool) -> Result<T, E>,
    cancelled: impl Fn(&E) -> bool,
    render: impl FnOnce(&T) -> Result<String, String>,
) -> ExitCode {
    if let Err(e) = interrupt::watch() {
        eprintln!("{name}: warning: Ctrl+C will end the run without a clean stop: {e}");
    }
    let line = ProgressLine::new(name, total_users);
    let progress = |share: f64| {
        line.update(share);
        !interrupt::requested()
    };
    let result = match work(&progress) {
        Ok(r) => r,
        Err(e) if cancelled(&e) && interrupt::requested() => {
            line.interrupted();
            return ExitCode::from(EXIT_INTERRUPTED);
        }
        Err(e) => {
            line.close();
            eprintln!("{name}: error: {e}");
            return ExitCode::from(EXIT_TROUBLE);
        }
    };
    let text = match render(&result) {
        Ok(t) => t,
        Err(e) => {
            line.close();
            eprintln!("{name}: error: {e}");
            return ExitCode::from(EXIT_TROUBLE);
        }
    };
    if interrupt::requested() {
        line.interrupted();
        return ExitCode::from(EXIT_INTERRUPTED);
    }
    line.done();
    // The one safe write (or stdout, ending quietly with 2 when it is closed).
    write_output(flags.out.as_deref(), &text)
}

/// Parses `10%` or `0.1` as a share.
fn parse_share(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(n) => n.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| format!("'{s}' is not a share: give 10% or 0.1"))?;
    if v.is_finite() && v > 0.0 && v < 1.0 { Ok(v) } else { Err(format!("'{s}' must be above 0 and below 100%")) }
}

fn parse_output(s: &str) -> Result<Output, String> {
    Output::from_key(s)
        .ok_or_else(|| format!("'{s}' is not an output; the outputs are: {}", Output::ALL.map(Output::key).join(", ")))
}

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The .journey file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The test: `control` (the journey control group) or a random split's node id
    #[arg(long, value_name = "NODE|control")]
    pub test: String,
    /// The minimum detectable effect: relative (20%) or absolute points (2pt)
    #[arg(long, value_name = "EFFECT", value_parser = Effect::parse)]
    pub mde: Effect,
    /// The baseline arm's conversion (default: the forecast's)
    #[arg(long, value_name = "RATE", value_parser = parse_share)]
    pub baseline_rate: Option<f64>,
    /// Significance level, two-sided
    #[arg(long, value_name = "A", default_value_t = 0.05)]
    pub alpha: f64,
    /// Power wanted
    #[arg(long, value_name = "P", default_value_t = 0.8)]
    pub power: f64,
    /// The test's duration in days: the smallest detectable effect within it, and the
    /// simulated power's duration (`--days` stays the forecast's horizon)
    #[arg(long, value_name = "D")]
    pub test_days: Option<u32>,
    /// Run R replicates of the test for the simulated power (none without it)
    #[arg(long, value_name = "R")]
    pub simulate: Option<u32>,
    /// The run options shared with `simulate`.
    #[command(flatten)]
    pub run: RunFlags,
}

impl RunCommand for PlanArgs {
    fn run(self) -> ExitCode {
        let name = self.file.display().to_string();
        let j = match load(&self.file) {
            Ok(j) => j,
            Err(code) => return ExitCode::from(code),
        };
        let test = if self.test.eq_ignore_ascii_case("control") {
            TestKind::Control
        } else {
            match self.test.trim().strip_prefix('n').and_then(|n| n.parse().ok()) {
                Some(n) => crate::sim::planner::test_for_node(&j, NodeId(n)),
                None => {
                    eprintln!(
                        "{name}: error: --test {}: give 'control', a random split's node id like n3, or a channel node's with content variants",
                        self.test
                    );
                    return ExitCode::from(EXIT_TROUBLE);
                }
            }
        };
        let inputs = PlanInputs {
            test,
            baseline_rate: self.baseline_rate,
            mde: self.mde,
            alpha: self.alpha,
            power: self.power,
            test_days: self.test_days,
            simulate: self.simulate,
        };
        let opts = self.run.options();
        let runs = 1 + u64::from(self.simulate.unwrap_or(0));
        let total = self.run.users_per_run(&j).saturating_mul(runs);
        let format = self.run.format;
        let title = j.setup.name.clone();
        drive(
            &name,
            &self.run,
            total,
            |p| plan(&j, &inputs, &opts, p),
            |e| matches!(e, PlanError::Sim(SimError::Cancelled)),
            |p| match format {
                OutputFormat::Table => Ok(writers::plan_table(&title, p)),
                OutputFormat::Json => export::json(p).map_err(|e| format!("cannot write JSON: {e}")),
                OutputFormat::Csv => Ok(writers::plan_csv(p)),
            },
        )
    }
}

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The .journey file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The setting to vary, by path (scenario.channels.Push.click_given_view, node.n4.duration, …)
    #[arg(long, value_name = "PATH")]
    pub vary: String,
    /// The first value
    #[arg(long, value_name = "A", allow_negative_numbers = true)]
    pub from: f64,
    /// The last value
    #[arg(long, value_name = "B", allow_negative_numbers = true)]
    pub to: f64,
    /// Steps from A to B, both included (2–50)
    #[arg(long, value_name = "K", default_value_t = 10)]
    pub steps: u32,
    /// Outputs the table shows, comma-separated (JSON and CSV carry them all)
    #[arg(long, value_name = "NAMES", value_delimiter = ',', value_parser = parse_output,
          default_value = "goal_met,conversion_target,incremental_conversions,sent")]
    pub outputs: Vec<Output>,
    /// The run options shared with `simulate`.
    #[command(flatten)]
    pub run: RunFlags,
}

impl RunCommand for SweepArgs {
    fn run(self) -> ExitCode {
        let name = self.file.display().to_string();
        let j = match load(&self.file) {
            Ok(j) => j,
            Err(code) => return ExitCode::from(code),
        };
        let setting = match SettingPath::parse(&self.vary, &j) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{name}: error: --vary: {e}");
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let values = match sweep_values(&setting, self.from, self.to, self.steps) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("{name}: error: {e}");
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let opts = self.run.options();
        let total = self.run.users_per_run(&j).saturating_mul(values.len() as u64);
        let format = self.run.format;
        let title = j.setup.name.clone();
        let outputs = self.outputs.clone();
        drive(
            &name,
            &self.run,
            total,
            |p| sweep(&j, &setting, &values, &opts, p),
            |e| matches!(e, ExploreError::Sim(SimError::Cancelled)),
            |s| match format {
                OutputFormat::Table => Ok(writers::sweep_table(&title, s, &outputs)),
                OutputFormat::Json => export::json(s).map_err(|e| format!("cannot write JSON: {e}")),
                OutputFormat::Csv => Ok(writers::sweep_csv(s)),
            },
        )
    }
}

/// Arguments of `tornado`.
#[derive(Debug, clap::Args)]
pub struct TornadoArgs {
    /// The .journey file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// How far each input moves, low and high, as a share of its value
    #[arg(long, value_name = "SHARE", default_value = "25%", value_parser = parse_share)]
    pub by: f64,
    /// The output the inputs are ranked by
    #[arg(long, value_name = "NAME", default_value = "incremental_revenue", value_parser = parse_output)]
    pub output: Output,
    /// The run options shared with `simulate`.
    #[command(flatten)]
    pub run: RunFlags,
}

impl RunCommand for TornadoArgs {
    fn run(self) -> ExitCode {
        let name = self.file.display().to_string();
        let j = match load(&self.file) {
            Ok(j) => j,
            Err(code) => return ExitCode::from(code),
        };
        let inputs = scenario_inputs(&j);
        let opts = self.run.options();
        let total = self.run.users_per_run(&j).saturating_mul(1 + 2 * inputs.len() as u64);
        let format = self.run.format;
        let title = j.setup.name.clone();
        drive(
            &name,
            &self.run,
            total,
            |p| tornado(&j, &inputs, self.output, self.by, &opts, p),
            |e| matches!(e, ExploreError::Sim(SimError::Cancelled)),
            |t| match format {
                OutputFormat::Table => Ok(writers::tornado_table(&title, t)),
                OutputFormat::Json => export::json(t).map_err(|e| format!("cannot write JSON: {e}")),
                OutputFormat::Csv => Ok(writers::tornado_csv(t)),
            },
        )
    }
}
