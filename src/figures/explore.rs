//! The writers of the planner, the sensitivity sweep and the tornado (SPEC §7): terminal
//! tables and CSV (JSON is [`super::export::json`] of the result).
//!
//! Invariants: the plan's table starts with `per arm (equal allocation): N`; a sweep's CSV
//! has a header, then one row per step (the setting's value, then every output with its
//! 95% band); a tornado's CSV has one row per input, largest swing first. Numbers in CSV
//! are Rust's shortest round-trip form, so the bytes depend only on the figures.

use std::fmt::Write as _;

use super::text::fmt_count;
use crate::sim::explore::{Output, Sweep, Tornado};
use crate::sim::planner::Plan;

/// A number for a table: whole numbers with separators, others with up to 4 decimals.
#[must_use]
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = fmt_count(x.abs() as u64);
        return if x < 0.0 { format!("-{n}") } else { n };
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

fn pct(x: f64) -> String {
    format!("{}%", num((x * 10_000.0).round() / 100.0))
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// The plan as a terminal table.
#[must_use]
pub fn plan_table(name: &str, p: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "per arm (equal allocation): {}", p.per_arm_equal);
    let _ = writeln!(s, "journey: {name}");
    let _ = writeln!(s, "test: {}", p.test);
    let _ = writeln!(
        s,
        "baseline conversion: {} ({}); with the effect: {}; alpha {}, power {}",
        pct(p.baseline_rate),
        if p.baseline_from_forecast { "the forecast's" } else { "given" },
        pct(p.target_rate),
        num(p.alpha),
        num(p.power)
    );
    let _ = writeln!(s, "at the arms' actual shares:");
    for a in &p.arms {
        let _ = writeln!(
            s,
            "  {:<24} {:>7} of entries  needs {:>12}  forecast conversion {}",
            a.name,
            pct(a.share),
            fmt_count(a.entries_needed),
            a.forecast_rate.map_or_else(|| "n/a".to_owned(), pct)
        );
    }
    let _ = writeln!(s, "entries needed in all: {}", fmt_count(p.total_needed));
    let _ = writeln!(s, "forecast entries per day: {}", num((p.entries_per_day * 10.0).round() / 10.0));
    match p.days_needed {
        Some(d) => {
            let _ = writeln!(s, "days needed: {}", num(d.ceil()));
        }
        None => {
            let _ = writeln!(s, "days needed: never (nobody enters the test in the forecast)");
        }
    }
    if let Some(d) = p.test_days {
        match p.detectable_within {
            Some(e) => {
                let _ = writeln!(
                    s,
                    "smallest detectable effect within {d} days: +{} pt ({} relative)",
                    num((e * 10_000.0).round() / 100.0),
                    pct(e / p.baseline_rate)
                );
            }
            None => {
                let _ = writeln!(s, "smallest detectable effect within {d} days: none (too few entries)");
            }
        }
    }
    if let Some(sim) = &p.simulated {
        let iv = sim.interval.map_or_else(String::new, |i| format!(" [{}, {}]", num(i.lo), num(i.hi)));
        let _ = writeln!(
            s,
            "simulated power: {}{iv} ({} of {} replicates significant over {} days)",
            num(sim.power),
            sim.significant,
            sim.replicates,
            sim.days
        );
        let natural = |r: Option<f64>| {
            r.map_or_else(|| "none".to_owned(), |r| format!("{}%", num((r * 10_000.0).round() / 100.0)))
        };
        let _ = writeln!(
            s,
            "  the effect applied: {}% in the baseline arm, {}% in the tested arm (naturally {} and {})",
            num((sim.applied_rates[0] * 10_000.0).round() / 100.0),
            num((sim.applied_rates[1] * 10_000.0).round() / 100.0),
            natural(sim.natural_rates[0]),
            natural(sim.natural_rates[1])
        );
        let _ = writeln!(
            s,
            "  the journey's own effect in the simulation: {}{} pt; mean entries per arm {} / {}",
            if sim.mean_effect >= 0.0 { "+" } else { "" },
            num((sim.mean_effect * 10_000.0).round() / 100.0),
            num(sim.mean_entries[0].round()),
            num(sim.mean_entries[1].round())
        );
        let _ =
            writeln!(s, "  the formula's power for those entries at the planned effect: {}", num(sim.formula_power));
    }
    s
}

/// The plan as CSV: `figure,value` rows.
#[must_use]
pub fn plan_csv(p: &Plan) -> String {
    let mut s = String::from("figure,value\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(s, "{},{}", field(k), v);
    };
    row("per_arm_equal", p.per_arm_equal.to_string());
    row("test", field(&p.test));
    row("baseline_rate", p.baseline_rate.to_string());
    row("baseline_from_forecast", p.baseline_from_forecast.to_string());
    row("target_rate", p.target_rate.to_string());
    row("alpha", p.alpha.to_string());
    row("power", p.power.to_string());
    for a in &p.arms {
        row(&format!("arm.{}.share", a.name), a.share.to_string());
        row(&format!("arm.{}.entries_needed", a.name), a.entries_needed.to_string());
        row(&format!("arm.{}.forecast_rate", a.name), a.forecast_rate.map_or_else(String::new, |r| r.to_string()));
    }
    row("total_needed", p.total_needed.to_string());
    row("entries_per_day", p.entries_per_day.to_string());
    row("days_needed", p.days_needed.map_or_else(String::new, |d| d.to_string()));
    row("test_days", p.test_days.map_or_else(String::new, |d| d.to_string()));
    row("detectable_within", p.detectable_within.map_or_else(String::new, |d| d.to_string()));
    if let Some(sim) = &p.simulated {
        row("simulated.replicates", sim.replicates.to_string());
        row("simulated.days", sim.days.to_string());
        row("simulated.significant", sim.significant.to_string());
        row("simulated.power", sim.power.to_string());
        row("simulated.power_low", sim.interval.map_or_else(String::new, |i| i.lo.to_string()));
        row("simulated.power_high", sim.interval.map_or_else(String::new, |i| i.hi.to_string()));
        row("simulated.formula_power", sim.formula_power.to_string());
        row("simulated.mean_effect", sim.mean_effect.to_string());
        for (i, arm) in ["baseline", "tested"].iter().enumerate() {
            row(
                &format!("simulated.natural_rate_{arm}"),
                sim.natural_rates[i].map_or_else(String::new, |r| r.to_string()),
            );
            row(&format!("simulated.applied_rate_{arm}"), sim.applied_rates[i].to_string());
        }
    }
    s
}

/// A sweep as a terminal table: the setting's value, then the chosen outputs with bands.
#[must_use]
pub fn sweep_table(name: &str, sw: &Sweep, outputs: &[Output]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "journey: {name}");
    let _ = writeln!(s, "sweep of {} (now {}), {} steps, 95% bands", sw.setting, num(sw.current), sw.steps.len());
    let _ = write!(s, "{:>14}", "value");
    for o in outputs {
        let _ = write!(s, "  {:>36}", o.key());
    }
    s.push('\n');
    for st in &sw.steps {
        let _ = write!(s, "{:>14}", num(st.value));
        for o in outputs {
            let cell = st.outputs.iter().find(|(k, _)| k == o).map_or_else(
                || "n/a".to_owned(),
                |(_, b)| format!("{} [{}, {}]", num(round4(b.value)), num(round4(b.low)), num(round4(b.high))),
            );
            let _ = write!(s, "  {cell:>36}");
        }
        s.push('\n');
    }
    s
}

fn round4(x: f64) -> f64 {
    if x.abs() >= 100.0 { x.round() } else { (x * 10_000.0).round() / 10_000.0 }
}

/// A sweep as CSV: a header, then one row per step with every output and its band.
#[must_use]
pub fn sweep_csv(sw: &Sweep) -> String {
    let mut s = String::from("setting,value");
    for o in Output::ALL {
        let _ = write!(s, ",{k},{k}_low,{k}_high", k = o.key());
    }
    s.push('\n');
    for st in &sw.steps {
        let _ = write!(s, "{},{}", field(&sw.setting), st.value);
        for o in Output::ALL {
            match st.outputs.iter().find(|(k, _)| *k == o) {
                Some((_, b)) => {
                    let _ = write!(s, ",{},{},{}", b.value, b.low, b.high);
                }
                None => s.push_str(",,,"),
            }
        }
        s.push('\n');
    }
    s
}

/// A tornado as a terminal table, largest swing first, with a text bar.
#[must_use]
pub fn tornado_table(name: &str, t: &Tornado) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "journey: {name}");
    let _ = writeln!(
        s,
        "tornado of {} (each input ±{}), at the journey's values: {}",
        t.output.key(),
        pct(t.spread),
        num(round4(t.base))
    );
    let widest = t.bars.iter().map(|b| b.swing).fold(0.0f64, f64::max);
    let _ = writeln!(s, "{:<48} {:>14} {:>14} {:>14}  bar", "input", "at low", "at high", "swing");
    for b in &t.bars {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let len = if widest > 0.0 { ((b.swing / widest) * 20.0).round() as usize } else { 0 };
        let _ = writeln!(
            s,
            "{:<48} {:>14} {:>14} {:>14}  {}",
            b.setting,
            num(round4(b.at_low)),
            num(round4(b.at_high)),
            num(round4(b.swing)),
            "#".repeat(len)
        );
    }
    s
}

/// A tornado as CSV: one row per input, largest swing first.
#[must_use]
pub fn tornado_csv(t: &Tornado) -> String {
    let mut s = String::from("setting,current,low_value,high_value,output,at_low,at_high,swing\n");
    for b in &t.bars {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{}",
            field(&b.setting),
            b.current,
            b.low_value,
            b.high_value,
            t.output.key(),
            b.at_low,
            b.at_high,
            b.swing
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(3841.0), "3,841");
        assert_eq!(num(-12.0), "-12");
        assert_eq!(num(0.05), "0.05");
        assert_eq!(num(0.123_456), "0.1235");
        assert_eq!(num(f64::NAN), "n/a");
        assert_eq!(field("a,b"), "\"a,b\"");
    }
}
