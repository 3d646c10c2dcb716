//! `journey-studio simulate FILE`: runs the engine headless and prints a table, or writes
//! JSON or CSV carrying every figure of the report.
//!
//! Invariants: exit codes as `validate`: 0 success, 1 invalid journey or scenario, 2 usage
//! or I/O, and 130 after Ctrl+C; the CLI owns the clock (progress with throughput and
//! time left on stderr once a run passes one second), the engine never reads it; the
//! output bytes depend only on the file and the options, not on `--threads`; a run
//! stopped by Ctrl+C writes nothing, and an existing `--out` file keeps its bytes.

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::figures::export::{csv, json, table};
use crate::figures::text::fmt_duration;
use crate::format;
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_TRAJECTORIES, MAX_USERS, RunOptions, SimError, simulate};
use crate::validate::{Severity, validate};

use super::interrupt::{self, EXIT_INTERRUPTED};
use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, output_failed, print_out, terminal_safe};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for the terminal.
    Table,
    /// The whole report as JSON.
    Json,
    /// Every figure as `path,value` rows.
    Csv,
}

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The .journey file to simulate
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
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the output to this file instead of stdout
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Record trajectories for the first N users (JSON and CSV)
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::builder::RangedI64ValueParser::<usize>::new().range(0..=MAX_TRAJECTORIES as i64))]
    pub trajectories: usize,
}

impl RunCommand for SimulateArgs {
    fn run(self) -> ExitCode {
        let name = terminal_safe(&self.file.display().to_string());
        if let Some(out) = &self.out
            && same_file(&self.file, out)
        {
            eprintln!(
                "error: --out names the journey itself; choose another file for the output: {}",
                terminal_safe(&out.display().to_string())
            );
            return ExitCode::from(EXIT_TROUBLE);
        }
        let journey = match format::load(&self.file) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("{name}: error: {e}");
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let diagnostics = validate(&journey);
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        if !errors.is_empty() {
            for d in errors {
                eprintln!("{name}:{}: {}: {}", d.place(), d.severity, terminal_safe(&d.message));
            }
            return ExitCode::from(EXIT_INVALID);
        }
        let opts = RunOptions {
            users: self.users,
            seed: self.seed,
            horizon_days: self.days,
            replicates: self.replicates,
            threads: self.threads.map(usize::from),
            trajectory_sample: self.trajectories,
        };
        // The run's size as the engine will resolve it, for the throughput on stderr.
        let total_users = self
            .users
            .unwrap_or(journey.scenario.population.users)
            .saturating_mul(u64::from(self.replicates.unwrap_or(journey.scenario.run.replicates).max(1)));
        if let Err(e) = interrupt::watch() {
            eprintln!("{name}: warning: Ctrl+C will end the run without a clean stop: {e}");
        }
        let line = ProgressLine::new(&name, total_users);
        let progress = |share: f64| {
            line.update(share);
            !interrupt::requested()
        };
        let result = simulate(&journey, &opts, &progress);
        let report = match result {
            Ok(r) => r,
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
            OutputFormat::Table => table(&journey.setup.name, &report),
            OutputFormat::Json => match json(&report) {
                Ok(s) => s,
                Err(e) => {
                    line.close();
                    eprintln!("{name}: error: cannot write JSON: {e}");
                    return ExitCode::from(EXIT_TROUBLE);
                }
            },
            OutputFormat::Csv => csv(&report),
        };
        // Ctrl+C after the last chunk, or while formatting, still means "stop".
        if interrupt::requested() {
            line.interrupted();
            return ExitCode::from(EXIT_INTERRUPTED);
        }
        line.done();
        write_output(self.out.as_deref(), &text)
    }
}

/// Writes a command's output to `out` (see [`write_file`]) or to stdout, and says how to
/// exit: 0, or 2 after a failed write (a closed stdout ends quietly).
pub(super) fn write_output(out: Option<&Path>, text: &str) -> ExitCode {
    match out {
        Some(path) => match write_file(path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => output_failed(&e, &terminal_safe(&path.display().to_string())),
        },
        None => match print_out(text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
    }
}

/// Writes the output file. A regular file, or a new one, goes through the safe write
/// (through a symlink to its target): a full disk or a process ended while writing (a
/// second Ctrl+C) leaves the old file, never a part of the new one. A device or a pipe
/// (`/dev/stdout`, a FIFO) is written in place, since renaming over it would replace
/// its folder entry.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
            file.write_all(text.as_bytes())?;
            file.flush()
        }
        _ => format::write_atomic(path, text.as_bytes()),
    }
}

/// Whether `out` is the file `input` (through links, `..` or a second hard link).
pub(super) fn same_file(input: &Path, out: &Path) -> bool {
    let (Ok(a), Ok(b)) = (std::fs::metadata(input), std::fs::metadata(out)) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return true;
        }
    }
    let _ = (a, b);
    matches!((std::fs::canonicalize(input), std::fs::canonicalize(out)), (Ok(x), Ok(y)) if x == y)
}

/// The progress line on stderr: quiet for a run's first second, then redrawn in place
/// (`\r`) at most four times a second; closed with one last line when the run ends.
/// When stderr is not a terminal (a log file, CI), each update is a line of its own,
/// at most one every five seconds.
pub(super) struct ProgressLine<'a> {
    name: &'a str,
    /// Whether stderr is a terminal (redraw in place) or a file (append lines).
    tty: bool,
    total_users: u64,
    started: Instant,
    /// When the line was last drawn (since `started`).
    last: Cell<Duration>,
    /// The share done at the last callback.
    share: Cell<f64>,
    /// Whether anything was drawn, so short runs stay quiet.
    shown: Cell<bool>,
    /// The widest line drawn, in characters, so a shorter one can blank its tail.
    width: Cell<usize>,
}

impl<'a> ProgressLine<'a> {
    pub(super) fn new(name: &'a str, total_users: u64) -> Self {
        Self {
            name,
            tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            total_users,
            started: Instant::now(),
            last: Cell::new(Duration::ZERO),
            share: Cell::new(0.0),
            shown: Cell::new(false),
            width: Cell::new(0),
        }
    }

    pub(super) fn update(&self, share: f64) {
        self.share.set(share);
        let now = self.started.elapsed();
        let every = if self.tty { Duration::from_millis(250) } else { Duration::from_secs(5) };
        let first = !self.shown.get();
        if now > Duration::from_secs(1) && (first || now - self.last.get() >= every) {
            self.last.set(now);
            self.draw(&status(share, self.total_users, now));
        }
    }

    fn draw(&self, text: &str) {
        let line = format!("simulating {}: {text}", self.name);
        let len = line.chars().count();
        let pad = self.width.get().saturating_sub(len);
        self.width.set(self.width.get().max(len));
        self.shown.set(true);
        if self.tty {
            eprint!("\r{line}{:pad$}", "");
        } else {
            eprintln!("{line}");
        }
    }

    /// The run finished: the time it took and its throughput, if the line was shown.
    pub(super) fn done(&self) {
        if self.shown.get() {
            let elapsed = self.started.elapsed();
            let rate = self.total_users as f64 / elapsed.as_secs_f64().max(1e-9);
            self.draw(&format!("done in {:.1} s · {} users/s", elapsed.as_secs_f64(), si(rate)));
            if self.tty {
                eprintln!();
            }
        }
    }

    /// The run stopped on Ctrl+C: says so, and that nothing was written.
    pub(super) fn interrupted(&self) {
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.shown.get() {
            let done = self.share.get() * 100.0;
            self.draw(&format!("interrupted at {done:.0}% after {elapsed:.1} s; nothing written"));
            if self.tty {
                eprintln!();
            }
        } else {
            eprintln!("{}: interrupted after {elapsed:.1} s; nothing written", self.name);
        }
    }

    /// The run failed: ends the line so the error starts on its own.
    pub(super) fn close(&self) {
        if self.shown.get() && self.tty {
            eprintln!();
        }
    }
}

/// The progress text after the file name: share done, throughput, elapsed and the time
/// left at the throughput so far (`42% · 2.1M users/s · 4.2 s elapsed · about 5.8 s left`).
fn status(share: f64, total_users: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let mut s = format!("{:>3.0}%", share * 100.0);
    if share > 0.0 && secs > 0.0 {
        let rate = share * total_users as f64 / secs;
        let _ = write!(s, " · {} users/s", si(rate));
    }
    let _ = write!(s, " · {} elapsed", fmt_duration(secs));
    if share > 0.0 {
        let left = secs * (1.0 - share.min(1.0)) / share;
        let _ = write!(s, " · about {} left", fmt_duration(left));
    }
    s
}

/// A count for people: `850`, `12k`, `2.1M`, `1.5G` (one decimal below 10).
fn si(x: f64) -> String {
    let mut v = x.max(0.0);
    let mut unit = "";
    for next in ["k", "M", "G", "T"] {
        if v < 999.5 {
            break;
        }
        v /= 1000.0;
        unit = next;
    }
    if unit.is_empty() || v >= 9.95 { format!("{v:.0}{unit}") } else { format!("{v:.1}{unit}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_a_unit() {
        assert_eq!(si(850.0), "850");
        assert_eq!(si(999.4), "999");
        assert_eq!(si(999.6), "1.0k");
        assert_eq!(si(12_345.0), "12k");
        assert_eq!(si(2_149_000.0), "2.1M");
        assert_eq!(si(9_960_000.0), "10M");
        assert_eq!(si(1.5e9), "1.5G");
    }

    #[test]
    fn status_shows_share_throughput_elapsed_and_time_left() {
        // 42% of 20 million users in 4 s: 2.1 million a second, 5.5 s to go.
        let s = status(0.42, 20_000_000, Duration::from_secs(4));
        assert_eq!(s, " 42% · 2.1M users/s · 4.0 s elapsed · about 5.5 s left");
        // Before the first chunk there is no rate to extrapolate from.
        assert_eq!(status(0.0, 20_000_000, Duration::from_millis(1500)), "  0% · 1.5 s elapsed");
    }
}
