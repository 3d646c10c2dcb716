//! The writers of a paired comparison (SPEC §3.2): a terminal table, JSON and CSV.
//!
//! Invariants: verdicts are spelled exactly `better`, `worse` and `no detectable change`
//! in every format; figures are per replicate (means over replicates), like a run's; the
//! CSV has one row per figure with a fixed header, then per node, channel, split path and
//! day both values and their difference.

use std::fmt::Write as _;

use super::text::{fmt_count, fmt_money, terminal_safe};
use crate::sim::compare::{Comparison, Figure};
use crate::sim::report::Report;

/// A signed amount: "+1,234.50" (money) or "+1,234" (a count rounded), "±0" at zero.
fn signed(x: f64, money: bool) -> String {
    let body = if money { fmt_money(x.abs()) } else { whole(x.abs()) };
    if body == "0" || body == "0.00" {
        return format!("±{body}");
    }
    if x < 0.0 { format!("-{body}") } else { format!("+{body}") }
}

fn whole(x: f64) -> String {
    if x.is_finite() && x < 1.8e19 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = x.round() as u64;
        fmt_count(n)
    } else {
        "n/a".to_owned()
    }
}

/// A value: money with two decimals, a count as a whole number, both with separators.
fn value(x: f64, money: bool) -> String {
    if money {
        fmt_money(x)
    } else if x < 0.0 {
        format!("-{}", whole(-x))
    } else {
        whole(x)
    }
}

/// The comparison as a terminal table: the headline figures with both intervals and a
/// verdict, then per node and per channel. Names and labels are made safe for a terminal.
#[must_use]
pub fn table(name_a: &str, name_b: &str, c: &Comparison) -> String {
    let mut o = String::new();
    let run = &c.a.run;
    let cur = &c.a.currency;
    let _ = writeln!(o, "A: {}", terminal_safe(name_a));
    let _ = writeln!(o, "B: {}", terminal_safe(name_b));
    let _ = writeln!(
        o,
        "{} users × {} replicate(s), {} days, seed {}: every user walked through both (paired)",
        fmt_count(run.users),
        run.replicates,
        run.horizon_days,
        run.seed
    );
    if c.b.currency != c.a.currency {
        let _ = writeln!(o, "note: B's currency is {}, A's is {cur}; money is compared as numbers", c.b.currency);
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<26} {:>16} {:>16} {:>16} {:>33} {:>33}  verdict",
        "figure", "A", "B", "B − A", "paired 95%", "unpaired 95%"
    );
    for f in Figure::ALL {
        let p = c.figure(f);
        let m = f.is_money();
        let label = if m { format!("{} ({cur})", f.label()) } else { f.label().to_owned() };
        let _ = writeln!(
            o,
            "{:<26} {:>16} {:>16} {:>16} {:>33} {:>33}  {}",
            label,
            value(p.a, m),
            value(p.b, m),
            signed(p.difference, m),
            format!("[{}, {}]", signed(p.paired.lo, m), signed(p.paired.hi, m)),
            format!("[{}, {}]", signed(p.unpaired.lo, m), signed(p.unpaired.hi, m)),
            p.verdict
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<5} {:<24} {:>12} {:>12} {:>12}   {:>10} {:>10} {:>10}",
        "node", "label", "entered A", "entered B", "B − A", "sent A", "sent B", "B − A"
    );
    for row in node_rows(&c.a, &c.b) {
        let label: String = terminal_safe(&row.label).chars().take(24).collect();
        let (sa, sb) = (row.sent_a.unwrap_or(0), row.sent_b.unwrap_or(0));
        let sent = |x: Option<u64>| x.map_or_else(|| "-".to_owned(), fmt_count);
        let _ = writeln!(
            o,
            "{:<5} {:<24} {:>12} {:>12} {:>12}   {:>10} {:>10} {:>10}",
            row.id,
            label,
            sent(row.entered_a),
            sent(row.entered_b),
            delta(row.entered_a.unwrap_or(0), row.entered_b.unwrap_or(0)),
            sent(row.sent_a),
            sent(row.sent_b),
            if row.sent_a.is_some() || row.sent_b.is_some() { delta(sa, sb) } else { String::new() }
        );
    }
    o
}

fn delta(a: u64, b: u64) -> String {
    match b.cmp(&a) {
        std::cmp::Ordering::Greater => format!("+{}", fmt_count(b - a)),
        std::cmp::Ordering::Less => format!("-{}", fmt_count(a - b)),
        std::cmp::Ordering::Equal => "±0".to_owned(),
    }
}

/// One node of either version, by id.
struct NodeRow {
    id: String,
    label: String,
    entered_a: Option<u64>,
    entered_b: Option<u64>,
    sent_a: Option<u64>,
    sent_b: Option<u64>,
}

/// Every node id of A and B, in id order, with both versions' figures.
fn node_rows(a: &Report, b: &Report) -> Vec<NodeRow> {
    let mut ids: Vec<_> = a.nodes.iter().chain(&b.nodes).map(|n| n.id).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let na = a.nodes.iter().find(|n| n.id == id);
            let nb = b.nodes.iter().find(|n| n.id == id);
            NodeRow {
                id: id.to_string(),
                label: nb.or(na).map(|n| n.label.clone()).unwrap_or_default(),
                entered_a: na.map(|n| n.entered),
                entered_b: nb.map(|n| n.entered),
                sent_a: na.and_then(|n| n.channel.as_ref()).map(|c| c.sent),
                sent_b: nb.and_then(|n| n.channel.as_ref()).map(|c| c.sent),
            }
        })
        .collect()
}

/// The comparison as CSV: a header, one row per headline figure, then per node, channel,
/// split path and day `section,key,figure,a,b,difference` rows.
#[must_use]
pub fn csv(c: &Comparison) -> String {
    let mut o =
        String::from("section,key,figure,a,b,difference,paired_low,paired_high,unpaired_low,unpaired_high,verdict\n");
    for p in &c.figures {
        let _ = writeln!(
            o,
            "headline,,{},{},{},{},{},{},{},{},{}",
            p.figure, p.a, p.b, p.difference, p.paired.lo, p.paired.hi, p.unpaired.lo, p.unpaired.hi, p.verdict
        );
    }
    let mut row = |section: &str, key: &str, figure: &str, a: Option<f64>, b: Option<f64>| {
        let cell = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
        let d = match (a, b) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        let _ = writeln!(o, "{section},{},{figure},{},{},{},,,,,", field(key), cell(a), cell(b), cell(d));
    };
    #[allow(clippy::cast_precision_loss)]
    let f = |x: u64| x as f64;
    for n in node_rows(&c.a, &c.b) {
        row("node", &n.id, "entered", n.entered_a.map(f), n.entered_b.map(f));
        if n.sent_a.is_some() || n.sent_b.is_some() {
            row("node", &n.id, "sent", n.sent_a.map(f), n.sent_b.map(f));
        }
    }
    let mut channels: Vec<_> = c.a.channels.iter().chain(&c.b.channels).map(|x| x.channel).collect();
    channels.sort();
    channels.dedup();
    for ch in channels {
        let get = |r: &Report| r.channels.iter().find(|x| x.channel == ch).map(|x| (f(x.sent), x.cost));
        let (a, b) = (get(&c.a), get(&c.b));
        row("channel", ch.label(), "sent", a.map(|x| x.0), b.map(|x| x.0));
        row("channel", ch.label(), "cost", a.map(|x| x.1), b.map(|x| x.1));
    }
    let mut seen = std::collections::BTreeSet::new();
    for n in c.a.nodes.iter().chain(&c.b.nodes) {
        for p in &n.paths {
            let key = format!("{}/{}", n.id, p.path);
            if !seen.insert(key.clone()) {
                continue;
            }
            let get = |r: &Report| {
                r.nodes
                    .iter()
                    .find(|x| x.id == n.id)
                    .and_then(|x| x.paths.iter().find(|q| q.path == p.path))
                    .map(|q| (f(q.users), f(q.conversions)))
            };
            let (a, b) = (get(&c.a), get(&c.b));
            row("path", &key, "users", a.map(|x| x.0), b.map(|x| x.0));
            row("path", &key, "conversions", a.map(|x| x.1), b.map(|x| x.1));
        }
    }
    let days = c.a.trends.len().max(c.b.trends.len());
    for d in 0..days {
        let get = |r: &Report| r.trends.get(d).map(|t| (f(t.entered), f(t.goal_met)));
        let (a, b) = (get(&c.a), get(&c.b));
        row("day", &d.to_string(), "entered", a.map(|x| x.0), b.map(|x| x.0));
        row("day", &d.to_string(), "goal_met", a.map(|x| x.1), b.map(|x| x.1));
    }
    o
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_amounts_read_with_their_sign() {
        assert_eq!(signed(1234.5, true), "+1,234.50");
        assert_eq!(signed(-1234.4, false), "-1,234");
        assert_eq!(signed(0.0, false), "±0");
        assert_eq!(signed(-0.001, true), "±0.00");
        assert_eq!(value(-3.0, false), "-3");
    }
}
