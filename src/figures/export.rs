//! The report's writers, shared by the CLI and the app: the terminal table, JSON and CSV
//! of one run, and the same three for a paired comparison.
//!
//! Invariants: one run gives the same bytes from the CLI and from the app's export; CSV
//! paths follow the JSON keys (`nodes[2].ports[0].moved`), a missing value is an empty
//! cell, and every field is quoted when it needs to be.

use std::fmt::Write as _;

use super::text::{fmt_count, fmt_duration, fmt_money, fmt_signed, terminal_safe};
use crate::sim::report::{Estimate, Report};

/// Every figure of the report as `path,value` rows (the JSON flattened): the figures
/// first, then the animation buckets and trajectories, so a spreadsheet opens on the
/// figures. Paths read `nodes[2].ports[0].moved`; a missing value is an empty cell.
#[must_use]
pub fn csv(report: &Report) -> String {
    let value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    let mut out = String::from("path,value\n");
    flatten_figures_first(&value, &mut out);
    out
}

/// The report as pretty JSON with a final newline: every key of [`Report`].
///
/// # Errors
/// When a figure cannot be serialized.
pub fn json<T: serde::Serialize>(report: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report).map(|s| s + "\n")
}

/// Keys written after every other figure in CSV: bulky per-bucket and per-user data.
const LAST_KEYS: [&str; 2] = ["animation", "trajectories"];

fn flatten_figures_first(value: &serde_json::Value, out: &mut String) {
    let serde_json::Value::Object(map) = value else {
        flatten(value, &mut String::new(), out);
        return;
    };
    for (k, v) in map.iter().filter(|(k, _)| !LAST_KEYS.contains(&k.as_str())) {
        flatten(v, &mut k.clone(), out);
    }
    for k in LAST_KEYS {
        if let Some(v) = map.get(k) {
            flatten(v, &mut k.to_owned(), out);
        }
    }
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

/// A terminal table of the main figures (JSON and CSV carry everything). Names from the
/// journey (its name, node labels, goal and port names) are made safe for a terminal.
#[must_use]
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
    let cur = &r.currency;
    let _ = writeln!(
        o,
        "gross revenue  target {} {cur}   control {} {cur}   message cost {} {cur}",
        fmt_money(rv.target),
        fmt_money(rv.control),
        fmt_money(rv.cost)
    );
    decision_rows(&mut o, r);
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
    variant_rows(&mut o, r);
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
        let _ = writeln!(o, "total cost {} {}", fmt_money(r.total_cost), r.currency);
    }
    suppression_rows(&mut o, r);
    o
}

/// An estimate as "+1,234 [+1,000, +1,468]" (money with two decimals), or "n/a".
#[must_use]
pub fn estimate(e: &Estimate, money: bool) -> String {
    let f = |x: f64| fmt_signed(x, money);
    match (e.value, e.low, e.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{} [{}, {}]", f(v), f(lo), f(hi)),
        (Some(v), _, _) => f(v),
        _ => "n/a".to_owned(),
    }
}

/// A share as "25.00% [22.41, 27.80]", or "n/a".
fn share(s: &crate::sim::report::Share) -> String {
    format!("{}{}", pct(s.rate), interval(s.interval, 100.0))
}

/// A difference of shares in percentage points, "+1.20 pt [+0.40, +2.00]", or "n/a".
fn points(e: &Estimate) -> String {
    let f = |x: f64| format!("{:+.2}", x * 100.0);
    match (e.value, e.low, e.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{} pt [{}, {}]", f(v), f(lo), f(hi)),
        (Some(v), _, _) => format!("{} pt", f(v)),
        _ => "n/a".to_owned(),
    }
}

/// Per channel node with content variants: each variant's counts and rates per message
/// sent with 95% intervals, then each later variant's differences against the first.
fn variant_rows(o: &mut String, r: &Report) {
    for n in r.nodes.iter().filter(|n| !n.variants.is_empty()) {
        let _ = writeln!(o);
        let _ = writeln!(o, "variants of {} {}", n.id, terminal_safe(&n.label));
        let _ = writeln!(
            o,
            "  {:<16} {:>5} {:>9} {:>8} {:>8} {:>6}  {:<24} {:<24} {:<24}",
            "variant", "plan", "sent", "viewed", "clicked", "conv", "view rate", "click rate", "conversion rate"
        );
        for v in &n.variants {
            let name: String = terminal_safe(&v.name).chars().take(16).collect();
            let _ = writeln!(
                o,
                "  {:<16} {:>4}% {:>9} {:>8} {:>8} {:>6}  {:<24} {:<24} {:<24}",
                name,
                v.percent,
                fmt_count(v.sent),
                fmt_count(v.viewed),
                fmt_count(v.clicked),
                fmt_count(v.conversions),
                share(&v.view_rate),
                share(&v.click_rate),
                share(&v.conversion_rate)
            );
        }
        let first: String = n.variants.first().map(|v| terminal_safe(&v.name)).unwrap_or_default();
        for v in &n.variants {
            if let Some(d) = &v.vs_first {
                let _ = writeln!(
                    o,
                    "  {} vs {first}: view {}   click {}   conversion {}",
                    terminal_safe(&v.name),
                    points(&d.view_rate),
                    points(&d.click_rate),
                    points(&d.conversion_rate)
                );
            }
        }
    }
}

/// The decision figures (§3.1) under the revenue line.
fn decision_rows(o: &mut String, r: &Report) {
    let i = &r.incremental;
    let cur = &r.currency;
    if i.conversions.value.is_none() {
        let _ = writeln!(o, "incremental    n/a (needs a journey control group with entries)");
        return;
    }
    let _ = writeln!(o, "incremental    conversions {}", estimate(&i.conversions, false));
    let _ = writeln!(o, "               revenue {} {cur}", estimate(&i.revenue, true));
    let _ = writeln!(o, "               net return {} {cur}", estimate(&i.net_return, true));
    let cpc = i.cost_per_incremental_conversion.map_or_else(|| "n/a".to_owned(), |c| format!("{} {cur}", fmt_money(c)));
    let _ = writeln!(o, "               cost per incremental conversion {cpc}");
}

/// The suppression summary: messages not sent and why, and DND deferrals.
fn suppression_rows(o: &mut String, r: &Report) {
    let s = &r.suppression;
    if s.channels.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<10} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9}",
        "suppressed",
        "not sent",
        "dnd skip",
        "capped",
        "no addr",
        "unsub",
        "fatigue",
        "aborted",
        "deferred",
        "mean delay",
        "affected",
        "converted"
    );
    for row in s.channels.iter().chain(std::iter::once(&s.journey)) {
        let name = row.channel.map_or("journey", |c| c.label());
        let delay = row.dnd_mean_delay_secs.map_or_else(|| "-".to_owned(), fmt_duration);
        let _ = writeln!(
            o,
            "{:<10} {:>9} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9}",
            name,
            fmt_count(row.not_sent),
            fmt_count(row.dnd_skipped),
            fmt_count(row.capped),
            fmt_count(row.unreachable_no_address),
            fmt_count(row.unreachable_unsubscribed),
            fmt_count(row.unreachable_fatigue),
            fmt_count(row.aborted),
            fmt_count(row.dnd_deferred),
            delay,
            fmt_count(row.affected_entries),
            fmt_count(row.affected_conversions)
        );
    }
}
