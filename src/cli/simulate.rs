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

use crate::format;
use crate::sim::report::Report;
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
            OutputFormat::Json => match serde_json::to_string_pretty(&report) {
                Ok(s) => s + "\n",
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
        match &self.out {
            Some(path) => match write_file(path, &text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => output_failed(&e, &terminal_safe(&path.display().to_string())),
            },
            None => match print_out(&text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            },
        }
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
fn same_file(input: &Path, out: &Path) -> bool {
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
struct ProgressLine<'a> {
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
    fn new(name: &'a str, total_users: u64) -> Self {
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

    fn update(&self, share: f64) {
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
    fn done(&self) {
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
    fn interrupted(&self) {
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
    fn close(&self) {
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
    let _ = write!(s, " · {} elapsed", duration(secs));
    if share > 0.0 {
        let left = secs * (1.0 - share.min(1.0)) / share;
        let _ = write!(s, " · about {} left", duration(left));
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

/// A duration for people: `5.8 s`, `3 min 05 s`, `2 h 07 min`.
fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "?".to_owned();
    }
    if secs < 59.95 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    if whole < 3600 {
        format!("{} min {:02} s", whole / 60, whole % 60)
    } else {
        let minutes = (secs / 60.0).round() as u64;
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

/// Every figure of the report as `path,value` rows (the JSON flattened).
#[must_use]
pub fn csv(report: &Report) -> String {
    let value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    let mut out = String::from("path,value\n");
    flatten(&value, &mut String::new(), &mut out);
    out
}

fn flatten(v: &serde_json::Value, path: &mut String, out: &mut String) {
    use serde_json::Value as V;
    match v {
        V::Object(m) => {
            for (k, x) in m {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten(x, path, out);
                path.truncate(len);
            }
        }
        V::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                flatten(x, path, out);
                path.truncate(len);
            }
        }
        V::Null => {
            let _ = writeln!(out, "{},", csv_field(path));
        }
        V::String(s) => {
            let _ = writeln!(out, "{},{}", csv_field(path), csv_field(s));
        }
        other => {
            let _ = writeln!(out, "{},{other}", csv_field(path));
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |x| format!("{:.2}%", x * 100.0))
}

fn interval(i: Option<crate::sim::intervals::Interval>, scale: f64) -> String {
    i.map_or_else(String::new, |i| format!(" [{:.2}, {:.2}]", i.lo * scale, i.hi * scale))
}

/// A terminal table of the main figures (JSON and CSV carry everything).
#[must_use]
/// Names from the journey (its name, node labels, goal and port names) are made safe
/// for a terminal.
pub fn table(name: &str, r: &Report) -> String {
    let name = terminal_safe(name);
    let mut o = String::new();
    let run = &r.run;
    let _ = writeln!(
        o,
        "{name}: {} users × {} replicate(s), {} days from {}, seed {}",
        run.users, run.replicates, run.horizon_days, run.start, run.seed
    );
    if run.replicates > 1 {
        let _ = writeln!(o, "(counts are means over replicates; rates and intervals use the pooled counts)");
    }
    let j = &r.journey;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "qualified", "entered", "control", "goal met", "completed", "timed out", "exit crit", "forced", "on graph"
    );
    let _ = writeln!(
        o,
        "{:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        j.qualified,
        j.entered,
        j.control,
        j.goal_met,
        j.completed,
        j.timed_out,
        j.exit_criteria,
        j.force_exits,
        j.on_graph_at_end
    );
    let c = &r.conversion;
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "conversion  target {}{} of {}   control {}{} of {}",
        pct(c.target.rate),
        interval(c.target.interval, 100.0),
        c.target.entries,
        pct(c.control.rate),
        interval(c.control.interval, 100.0),
        c.control.entries
    );
    let boost = c.boost.as_ref().map_or_else(
        || "n/a".to_owned(),
        |b| format!("{:+.1}% [{:+.1}, {:+.1}]", b.percent, b.interval.lo, b.interval.hi),
    );
    let _ =
        writeln!(o, "boost       {boost}   difference {}{}", pct(c.difference), interval(c.difference_interval, 100.0));
    let rv = &r.revenue;
    let _ = writeln!(
        o,
        "revenue     target {:.2}   control {:.2}   cost {:.2}   revenue − cost {:.2}",
        rv.target, rv.control, rv.cost, rv.revenue_minus_cost
    );
    for g in &r.goals {
        let _ = writeln!(
            o,
            "goal {:<20} met {:>8}   target {}   control {}",
            terminal_safe(&g.name),
            g.met,
            pct(g.rate_target),
            pct(g.rate_control)
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<5} {:<24} {:<22} {:>9} {:>8} {:>8} {:>8} {:>8}  ports",
        "node", "label", "kind", "entered", "waiting", "goal", "timeout", "done"
    );
    for n in &r.nodes {
        let ports: Vec<String> = n.ports.iter().map(|p| format!("{} {}", terminal_safe(&p.label), p.moved)).collect();
        let label: String = terminal_safe(&n.label).chars().take(24).collect();
        let _ = writeln!(
            o,
            "{:<5} {:<24} {:<22} {:>9} {:>8} {:>8} {:>8} {:>8}  {}",
            n.id.to_string(),
            label,
            n.kind,
            n.entered,
            n.waiting_before + n.waiting_at,
            n.goal_before + n.goal_at,
            n.timed_out,
            n.completed,
            ports.join(", ")
        );
    }
    let chans: Vec<_> = r.nodes.iter().filter_map(|n| n.channel.as_ref().map(|c| (n, c))).collect();
    if !chans.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{:<5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>10} {:>6}",
            "node",
            "sent",
            "failed",
            "unreach",
            "delivrd",
            "viewed",
            "clicked",
            "dnd def",
            "dnd skip",
            "capped",
            "unsub",
            "cost",
            "conv"
        );
        for (n, c) in chans {
            let _ = writeln!(
                o,
                "{:<5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>10.2} {:>6}",
                n.id.to_string(),
                c.sent,
                c.failed,
                c.unreachable,
                c.delivered,
                c.viewed,
                c.clicked,
                c.dnd_deferred,
                c.dnd_skipped,
                c.capped,
                c.unsubscribed,
                c.cost,
                c.conversions
            );
        }
    }
    if !r.channels.is_empty() {
        let _ = writeln!(o);
        for c in &r.channels {
            let _ = writeln!(
                o,
                "{:<10} sent {:>9}   cost {:>10.2}   peak {} per hour{}",
                c.channel.label(),
                c.sent,
                c.cost,
                c.peak_per_hour,
                c.peak_hour_start.map_or_else(String::new, |t| format!(" at {t}"))
            );
        }
        let _ = writeln!(o, "total cost {:.2}", r.total_cost);
    }
    o
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
    fn durations_read_in_seconds_minutes_or_hours() {
        assert_eq!(duration(5.84), "5.8 s");
        assert_eq!(duration(59.96), "1 min 00 s");
        assert_eq!(duration(185.0), "3 min 05 s");
        assert_eq!(duration(2.0 * 3600.0 + 7.0 * 60.0 + 10.0), "2 h 07 min");
        assert_eq!(duration(f64::INFINITY), "?");
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
