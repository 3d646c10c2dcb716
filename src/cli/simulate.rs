//! `journey-studio simulate FILE`: runs the engine headless and prints a table, or writes
//! JSON or CSV carrying every figure of the report.
//!
//! Invariants: exit codes as `validate`: 0 success, 1 invalid journey or scenario, 2 usage
//! or I/O; the CLI owns the clock (progress on stderr once a run passes one second), the
//! engine never reads it; the output bytes depend only on the file and the options, not
//! on `--threads`.

use std::cell::Cell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::format;
use crate::sim::report::Report;
use crate::sim::{RunOptions, SimError, simulate};
use crate::validate::{Severity, validate};

use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand};

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
    #[arg(long, value_name = "N")]
    pub users: Option<u64>,
    /// Random seed (default: the scenario's)
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Days to simulate from the journey's start (default: the scenario's)
    #[arg(long, value_name = "D")]
    pub days: Option<u32>,
    /// Independent replicates (default: the scenario's)
    #[arg(long, value_name = "R")]
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
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub trajectories: usize,
}

impl RunCommand for SimulateArgs {
    fn run(self) -> ExitCode {
        let name = self.file.display().to_string();
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
                eprintln!("{name}:{}: {}: {}", d.place(), d.severity, d.message);
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
        let started = Instant::now();
        let shown = Cell::new(false);
        let last = Cell::new(Duration::ZERO);
        let progress = |share: f64| {
            let now = started.elapsed();
            if now > Duration::from_secs(1) && now - last.get() >= Duration::from_millis(250) {
                last.set(now);
                shown.set(true);
                eprint!("\rsimulating {name}: {:>3.0}%", share * 100.0);
            }
            true
        };
        let result = simulate(&journey, &opts, &progress);
        if shown.get() {
            eprintln!("\rsimulating {name}: done in {:.1} s", started.elapsed().as_secs_f64());
        }
        let report = match result {
            Ok(r) => r,
            Err(SimError::Invalid(msgs)) => {
                for m in msgs {
                    eprintln!("{name}: error: {m}");
                }
                return ExitCode::from(EXIT_INVALID);
            }
            Err(e) => {
                eprintln!("{name}: error: {e}");
                return ExitCode::from(EXIT_TROUBLE);
            }
        };
        let text = match self.format {
            OutputFormat::Table => table(&journey.setup.name, &report),
            OutputFormat::Json => match serde_json::to_string_pretty(&report) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("{name}: error: cannot write JSON: {e}");
                    return ExitCode::from(EXIT_TROUBLE);
                }
            },
            OutputFormat::Csv => csv(&report),
        };
        match write_out(self.out.as_deref(), &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                let target = self.out.as_ref().map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
                eprintln!("error: cannot write the output: {e}: {target}");
                ExitCode::from(EXIT_TROUBLE)
            }
        }
    }
}

fn write_out(out: Option<&Path>, text: &str) -> std::io::Result<()> {
    match out {
        Some(path) => std::fs::write(path, text),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()
        }
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
pub fn table(name: &str, r: &Report) -> String {
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
            g.name,
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
        let ports: Vec<String> = n.ports.iter().map(|p| format!("{} {}", p.label, p.moved)).collect();
        let label: String = n.label.chars().take(24).collect();
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
