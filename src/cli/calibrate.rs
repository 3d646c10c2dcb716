//! `journey-studio calibrate FILE --from results.csv [--out NEW.journey]`: derives scenario
//! values from past results (SPEC §8) and prints each one `label  before → after  [lo, hi]
//! note`.
//!
//! Invariants: without `--out` nothing is written; with it the calibrated journey is
//! written through the one atomic save the app uses, only after every value applied and the
//! result validated, so a bad CSV, a refused value or a failed write leaves any existing
//! `--out` file as it was. Exit codes: 0 done, 1 a bad CSV row or a value the journey
//! refuses (the message names `line N, column M`), 2 an unreadable file or a failed write.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::calibrate::{self, CalibrateError, Derived, number};
use crate::format;

use super::{EXIT_INVALID, EXIT_TROUBLE, RunCommand, print_out, terminal_safe};

/// The largest results file read, in bytes.
const MAX_CSV_BYTES: u64 = 64 * 1024 * 1024;

/// Arguments of `calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// The .journey file whose scenario to calibrate
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The past results: a CSV with the header kind,name,metric,value
    #[arg(long, value_name = "RESULTS.csv")]
    pub from: PathBuf,
    /// Write the calibrated journey here (without it, only print)
    #[arg(long, value_name = "NEW.journey")]
    pub out: Option<PathBuf>,
}

impl RunCommand for CalibrateArgs {
    fn run(self) -> ExitCode {
        match self.calibrate() {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        }
    }
}

impl CalibrateArgs {
    fn calibrate(&self) -> Result<(), ExitCode> {
        let file = terminal_safe(&self.file.display().to_string());
        let from = terminal_safe(&self.from.display().to_string());
        let mut journey = format::load(&self.file).map_err(|e| {
            eprintln!("{file}: error: {}", terminal_safe(&e.to_string()));
            ExitCode::from(EXIT_TROUBLE)
        })?;
        let bytes = format::read_limited(&self.from, MAX_CSV_BYTES).map_err(|e| {
            eprintln!("error: cannot read the results: {e}: {from}");
            ExitCode::from(EXIT_TROUBLE)
        })?;
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!("{from}: error: the results are not UTF-8 text");
            return Err(ExitCode::from(EXIT_INVALID));
        };
        let refused = |e: &CalibrateError| {
            eprintln!("{from}: error: {}", terminal_safe(&e.to_string()));
            ExitCode::from(EXIT_INVALID)
        };
        let results = calibrate::parse(&text).map_err(|e| refused(&e))?;
        let derived = calibrate::derive(&journey, &results).map_err(|e| refused(&e))?;
        calibrate::apply(&mut journey, &derived).map_err(|e| refused(&e))?;
        let mut table = table(&derived);
        if let Some(out) = &self.out {
            let shown = terminal_safe(&out.display().to_string());
            format::save(out, &journey).map_err(|e| {
                eprintln!("error: {}", terminal_safe(&e.to_string()));
                ExitCode::from(EXIT_TROUBLE)
            })?;
            let _ = writeln!(table, "wrote the calibrated journey: {shown}");
        }
        print_out(&table)
    }
}

/// One line per value: `label  before → after  [lo, hi]  note`, labels padded to one width.
fn table(derived: &[Derived]) -> String {
    let width = derived.iter().map(|d| d.label.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for d in derived {
        let label = terminal_safe(&d.label);
        let pad = width.saturating_sub(d.label.chars().count());
        let before = d.before.map_or_else(|| "unset".to_owned(), number);
        let _ = write!(out, "{label}{}  {before} → {}", " ".repeat(pad), number(d.after));
        if let Some((lo, hi)) = d.interval {
            let _ = write!(out, "  [{}, {}]", number(lo), number(hi));
        }
        if let Some(note) = &d.note {
            let _ = write!(out, "  {}", terminal_safe(note));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(number(0.061_234), "0.06123");
        assert_eq!(number(2400.4), "2400");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(1000.0), "1000");
        assert_eq!(number(0.000_01), "1.000e-5");
    }

    #[test]
    fn the_table_shows_before_after_interval_and_note() {
        let d = [
            Derived {
                path: "scenario.channels.Push.click_given_view".into(),
                label: "Push: click probability".into(),
                before: Some(0.06),
                after: 0.0712,
                interval: Some((0.07, 0.0725)),
                note: None,
            },
            Derived {
                path: "scenario.events[\"Charged\"].activity_shape".into(),
                label: "Charged: own activity shape".into(),
                before: None,
                after: 1000.0,
                interval: None,
                note: Some("no overdispersion".into()),
            },
        ];
        let t = table(&d);
        assert!(t.contains("Push: click probability      0.06 → 0.0712  [0.07, 0.0725]\n"), "{t}");
        assert!(t.contains("Charged: own activity shape  unset → 1000  no overdispersion\n"), "{t}");
    }
}
