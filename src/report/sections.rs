//! The report's sections, in page order. Each is a title, an id for the contents, whether
//! it applies, and a function that writes its body from the [`ReportInput`].
//!
//! Adding a section is one function and one line in [`SECTIONS`]. Figures read as the
//! CLI's table and the app's preview word them (`crate::figures`): gross revenue is
//! labelled gross, and the return is the incremental one, against the journey control
//! group.

use std::collections::BTreeMap;

use crate::model::{Channel, DelayDist, Journey, NodeKind, PropertyDist, Status};
use crate::sim::intervals::Interval;
use crate::sim::report::{ChannelStats, Estimate, NodeStats, Report, SuppressionRow};
use crate::sim::{Figure, PairedFigure};

use super::charts::{self, BarRow, Line, SERIES};
use super::html::{
    Cell, Html, amount, amount_delta, count, count_delta, money, money_delta, pct, points, share, signed,
};
use super::{ReportInput, svg_canvas};

/// One section of the report.
pub struct Section {
    /// Its anchor (`#headline`).
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// Whether the report has it (the comparison only with a baseline).
    pub applies: fn(&ReportInput<'_>) -> bool,
    /// Writes its body.
    pub body: fn(&ReportInput<'_>, &mut Html),
}

/// One daily count of the trends.
type DayFigure = fn(&crate::sim::report::DayTrend) -> u64;

const fn always(_: &ReportInput<'_>) -> bool {
    true
}

/// Every section, in page order.
pub const SECTIONS: &[Section] = &[
    Section { id: "canvas", title: "The journey", applies: always, body: canvas },
    Section { id: "headline", title: "Headline figures", applies: always, body: headline },
    Section { id: "suppression", title: "Suppression summary", applies: always, body: suppression },
    Section { id: "comparison", title: "Comparison with the baseline", applies: has_baseline, body: comparison },
    Section { id: "trends", title: "Trends per day", applies: always, body: trends },
    Section { id: "funnel", title: "Funnel along the main path", applies: always, body: funnel },
    Section { id: "channels", title: "Channels", applies: always, body: channels },
    Section { id: "splits", title: "Split paths", applies: always, body: splits },
    Section { id: "nodes", title: "Per node", applies: always, body: nodes },
    Section { id: "assumptions", title: "Scenario assumptions", applies: always, body: assumptions },
    Section { id: "run", title: "Run settings and how to reproduce", applies: always, body: run_settings },
];

fn has_baseline(input: &ReportInput<'_>) -> bool {
    input.baseline.is_some()
}

/// The lifecycle status as the versions panel words it.
#[must_use]
pub fn status_text(status: Status) -> &'static str {
    match status {
        Status::Draft => "draft",
        Status::Scheduled => "scheduled",
        Status::Running => "running",
        Status::Paused => "paused",
        Status::Completed => "completed",
        Status::Stopped => "stopped",
    }
}

/// "v3, published 2027-01-02T10:00:00Z", or "draft, unversioned" before the first publish.
#[must_use]
pub fn version_text(journey: &Journey) -> String {
    match journey.versions.last() {
        Some(v) => format!("v{}, published {}", v.number, v.published_at),
        None => "draft, unversioned".to_owned(),
    }
}

fn figure(key: &str, value: Option<f64>, text: String) -> Cell {
    Cell::Figure { key: key.to_owned(), value, text }
}

#[allow(clippy::cast_precision_loss, reason = "counts shown as figures")]
fn count_fig(key: &str, n: u64) -> Cell {
    figure(key, Some(n as f64), count(n))
}

fn chart(h: &mut Html, svg: Result<String, String>) {
    h.raw("<figure class=\"chart-box\">");
    match svg {
        Ok(svg) => h.raw(&svg),
        Err(e) => h.element("p", &[("class", "note")], &format!("This chart could not be drawn: {e}")),
    }
    h.raw("</figure>");
}

fn note(h: &mut Html, text: &str) {
    h.element("p", &[("class", "note")], text);
}

fn canvas(input: &ReportInput<'_>, h: &mut Html) {
    note(
        h,
        "Cards, links, comments and goals as on the editor's canvas, with this run's counts: entries above each card, users per output port on its rows and links",
    );
    h.raw("<figure class=\"canvas-box\">");
    h.raw(&svg_canvas::canvas_svg(input.current.journey, Some(input.current.report)));
    h.raw("</figure>");
}

fn interval_cells(prefix: &str, i: Option<Interval>, scale: f64, fmt: fn(f64) -> String) -> [Cell; 2] {
    [
        figure(&format!("{prefix}.lo"), i.map(|i| i.lo), i.map_or_else(|| "n/a".to_owned(), |i| fmt(i.lo * scale))),
        figure(&format!("{prefix}.hi"), i.map(|i| i.hi), i.map_or_else(|| "n/a".to_owned(), |i| fmt(i.hi * scale))),
    ]
}

fn pct_of(x: f64) -> String {
    format!("{x:.2}%")
}

#[allow(clippy::too_many_lines, reason = "one table per group of figures")]
fn headline(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    decision(r, h);
    if r.run.replicates > 1 {
        note(
            h,
            &format!(
                "Counts and money are means over {} replicates; rates and intervals use the counts pooled over every replicate",
                r.run.replicates
            ),
        );
    }
    let j = &r.journey;
    let rows: Vec<Vec<Cell>> = [
        ("Qualified", "journey.qualified", j.qualified),
        ("Entered", "journey.entered", j.entered),
        ("Control group", "journey.control", j.control),
        ("Target (sent into the journey)", "journey.target", j.target),
        ("Goal met", "journey.goal_met", j.goal_met),
        ("Completed", "journey.completed", j.completed),
        ("Timed out", "journey.timed_out", j.timed_out),
        ("Exited by exit criteria", "journey.exit_criteria", j.exit_criteria),
        ("Force exits", "journey.force_exits", j.force_exits),
        ("Still inside at the end", "journey.on_graph_at_end", j.on_graph_at_end),
    ]
    .into_iter()
    .map(|(label, key, n)| vec![Cell::Head(label.to_owned()), count_fig(key, n)])
    .collect();
    h.raw("<div class=\"cols\"><div>");
    h.element("h3", &[], "Users");
    h.table("figures", &["Figure", "Users"], &rows);
    h.raw("</div><div>");
    h.element("h3", &[], "Conversion per entry (95% intervals)");
    let c = &r.conversion;
    let mut rows = Vec::new();
    for (label, key, rate) in [
        ("Target", "conversion.target", &c.target),
        ("Control", "conversion.control", &c.control),
        ("System control", "conversion.system_control", &c.system_control),
    ] {
        let [lo, hi] = interval_cells(&format!("{key}.interval"), rate.interval, 100.0, pct_of);
        rows.push(vec![
            Cell::Head(label.to_owned()),
            count_fig(&format!("{key}.entries"), rate.entries),
            count_fig(&format!("{key}.conversions"), rate.conversions),
            figure(&format!("{key}.rate"), rate.rate, pct(rate.rate)),
            lo,
            hi,
        ]);
    }
    h.table("figures", &["Group", "Entries", "Conversions", "Rate", "Low", "High"], &rows);
    let [dlo, dhi] = interval_cells("conversion.difference_interval", c.difference_interval, 100.0, |v| {
        format!("{} pt", signed(v, 2))
    });
    let (boost_text, boost_value) = match &c.boost {
        Some(b) => (format!("{}%", signed(b.percent, 1)), Some(b.percent)),
        None => ("n/a".to_owned(), None),
    };
    let blo = c.boost.as_ref().map(|b| b.interval.lo);
    let bhi = c.boost.as_ref().map(|b| b.interval.hi);
    let rows = vec![
        vec![
            Cell::Head("Difference (target − control)".into()),
            figure("conversion.difference", c.difference, points(c.difference)),
            dlo,
            dhi,
        ],
        vec![
            Cell::Head("Boost".into()),
            figure("conversion.boost.percent", boost_value, boost_text),
            figure(
                "conversion.boost.interval.lo",
                blo,
                blo.map_or_else(|| "n/a".into(), |v| format!("{}%", signed(v, 1))),
            ),
            figure(
                "conversion.boost.interval.hi",
                bhi,
                bhi.map_or_else(|| "n/a".into(), |v| format!("{}%", signed(v, 1))),
            ),
        ],
    ];
    h.table("figures", &["", "Value", "Low", "High"], &rows);
    h.raw("</div></div>");
    let bars: Vec<BarRow> = [("Target", &c.target), ("Control", &c.control), ("System control", &c.system_control)]
        .into_iter()
        .filter(|(_, rate)| rate.entries > 0)
        .map(|(label, rate)| BarRow {
            label: format!("{label} ({} entries)", count(rate.entries)),
            values: vec![rate.rate.unwrap_or(0.0) * 100.0],
            intervals: vec![rate.interval.map(|i| (i.lo * 100.0, i.hi * 100.0))],
        })
        .collect();
    chart(
        h,
        charts::bar_chart("Conversion per entry, % (95% interval)", &["Conversion rate"], &bars, &|v| {
            format!("{v:.2}%")
        }),
    );

    h.element("h3", &[], &format!("Gross revenue (goal value) and message cost ({})", r.currency));
    let v = &r.revenue;
    let money_fig = |key: &str, x: f64| figure(key, Some(x), money(x));
    let opt_money = |key: &str, x: Option<f64>| figure(key, x, x.map_or_else(|| "n/a".into(), money));
    let rows = vec![
        vec![Cell::Head("Gross revenue, target (not the return)".into()), money_fig("revenue.target", v.target)],
        vec![Cell::Head("Gross revenue, control".into()), money_fig("revenue.control", v.control)],
        vec![
            Cell::Head("Gross revenue per target entry".into()),
            opt_money("revenue.target_per_entry", v.target_per_entry),
        ],
        vec![
            Cell::Head("Gross revenue per control entry".into()),
            opt_money("revenue.control_per_entry", v.control_per_entry),
        ],
        vec![
            Cell::Head("Boost of gross revenue per entry".into()),
            figure(
                "revenue.boost_percent",
                v.boost_percent,
                v.boost_percent.map_or_else(|| "n/a".into(), |b| format!("{}%", signed(b, 1))),
            ),
        ],
        vec![Cell::Head("Message cost".into()), money_fig("revenue.cost", v.cost)],
        vec![
            Cell::Head("Gross target revenue − message cost (not the return)".into()),
            money_fig("revenue.revenue_minus_cost", v.revenue_minus_cost),
        ],
    ];
    h.table("figures", &["Figure", "Amount"], &rows);
    if !r.goals.is_empty() {
        h.element("h3", &[], "Goals");
        let rows: Vec<Vec<Cell>> = r
            .goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                vec![
                    Cell::Head(g.name.clone()),
                    count_fig(&format!("goals[{i}].met"), g.met),
                    count_fig(&format!("goals[{i}].met_target"), g.met_target),
                    figure(&format!("goals[{i}].rate_target"), g.rate_target, pct(g.rate_target)),
                    count_fig(&format!("goals[{i}].met_control"), g.met_control),
                    figure(&format!("goals[{i}].rate_control"), g.rate_control, pct(g.rate_control)),
                ]
            })
            .collect();
        h.table("figures", &["Goal", "Met", "Target met", "Target rate", "Control met", "Control rate"], &rows);
    }
    if let Some(s) = &r.spread {
        h.element("h3", &[], &format!("Across {} replicates (mean ± standard deviation)", r.run.replicates));
        let rows = vec![
            vec![Cell::Head("Entered".into()), Cell::num(format!("{:.0} ± {:.0}", s.entered.mean, s.entered.sd))],
            vec![Cell::Head("Goal met".into()), Cell::num(format!("{:.0} ± {:.0}", s.goal_met.mean, s.goal_met.sd))],
            vec![Cell::Head("Completed".into()), Cell::num(format!("{:.0} ± {:.0}", s.completed.mean, s.completed.sd))],
            vec![
                Cell::Head("Target conversion".into()),
                Cell::num(format!("{:.2}% ± {:.2}", s.conversion_target.mean * 100.0, s.conversion_target.sd * 100.0)),
            ],
            vec![
                Cell::Head("Target revenue".into()),
                Cell::num(format!("{} ± {}", money(s.revenue_target.mean), money(s.revenue_target.sd))),
            ],
            vec![Cell::Head("Messages sent".into()), Cell::num(format!("{:.0} ± {:.0}", s.sent.mean, s.sent.sd))],
        ];
        h.table("figures", &["Figure", "Mean ± sd"], &rows);
    }
}

/// An estimate's three cells (value, low, high) under its JSON path.
fn estimate_cells(key: &str, e: &Estimate, money: bool) -> [Cell; 3] {
    let text = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |x| amount(x, money));
    [
        figure(&format!("{key}.value"), e.value, text(e.value)),
        figure(&format!("{key}.low"), e.low, text(e.low)),
        figure(&format!("{key}.high"), e.high, text(e.high)),
    ]
}

/// The decision figures of SPEC §3.1: what the journey adds against its journey control
/// group, with 95% intervals, in the journey's currency.
fn decision(r: &Report, h: &mut Html) {
    let cur = &r.currency;
    let i = &r.incremental;
    h.element("h3", &[], &format!("What the journey adds, against its journey control group ({cur})"));
    if i.conversions.value.is_none() {
        note(h, "n/a: the decision figures need a journey control group with entries (Setup › Control groups)");
    } else {
        note(
            h,
            &format!(
                "Incremental conversions {}; net incremental return {} {cur} (95% intervals). Scaled to the target entries; the net return is the incremental revenue minus the message cost",
                crate::figures::export::estimate(&i.conversions, false),
                crate::figures::export::estimate(&i.net_return, true),
            ),
        );
    }
    let row = |label: String, key: &str, e: &Estimate, money: bool| {
        let [v, lo, hi] = estimate_cells(key, e, money);
        vec![Cell::Head(label), v, lo, hi]
    };
    let cpc = i.cost_per_incremental_conversion;
    let rows = vec![
        row("Incremental conversions".to_owned(), "incremental.conversions", &i.conversions, false),
        row(format!("Incremental revenue ({cur})"), "incremental.revenue", &i.revenue, true),
        row(format!("Net incremental return ({cur})"), "incremental.net_return", &i.net_return, true),
        vec![
            Cell::Head(format!("Cost per incremental conversion ({cur})")),
            figure("incremental.cost_per_incremental_conversion", cpc, cpc.map_or_else(|| "n/a".into(), money)),
            Cell::num(""),
            Cell::num(""),
        ],
    ];
    h.table("figures decision", &["Figure", "Estimate", "Low (95%)", "High (95%)"], &rows);
}

/// The channel of a node, from the journey (`None` for other kinds or a missing node).
fn node_channel(journey: &Journey, id: crate::model::NodeId) -> Option<Channel> {
    match &journey.graph.node(id)?.kind {
        NodeKind::Channel { channel, .. } => Some(*channel),
        _ => None,
    }
}

fn add(total: &mut ChannelStats, c: &ChannelStats) {
    total.sent += c.sent;
    total.failed += c.failed;
    total.unreachable += c.unreachable;
    total.dnd_deferred += c.dnd_deferred;
    total.dnd_skipped += c.dnd_skipped;
    total.capped += c.capped;
    total.aborted += c.aborted;
    total.unsubscribed += c.unsubscribed;
    total.conversions += c.conversions;
    total.cost += c.cost;
}

/// Channel counters summed per channel, in palette order, from the report's nodes.
fn per_channel(journey: &Journey, r: &Report) -> BTreeMap<Channel, ChannelStats> {
    let mut out: BTreeMap<Channel, ChannelStats> = BTreeMap::new();
    for n in &r.nodes {
        if let (Some(c), Some(ch)) = (&n.channel, node_channel(journey, n.id)) {
            add(out.entry(ch).or_default(), c);
        }
    }
    out
}

/// The suppression summary of the engine's report (SPEC §3.1): per channel and for the
/// journey, messages not sent and why, DND deferrals with their mean delay, and the
/// entries affected with how many of them converted.
fn suppression(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let s = &r.suppression;
    if s.channels.is_empty() {
        note(h, "This journey sends no messages");
        return;
    }
    note(
        h,
        "Messages not sent and why, per channel and for the whole journey (an entry affected on two channels counts once there). DND-deferred messages went out when the quiet hours ended, after the mean delay shown. Entries affected had at least one message suppressed or deferred",
    );
    let row = |name: String, key: String, x: &SuppressionRow, sent: u64| {
        let n = |field: &str, v: u64| count_fig(&format!("{key}.{field}"), v);
        vec![
            Cell::Head(name),
            Cell::num(count(sent)),
            n("not_sent", x.not_sent),
            n("dnd_skipped", x.dnd_skipped),
            n("capped", x.capped),
            n("unreachable_no_address", x.unreachable_no_address),
            n("unreachable_unsubscribed", x.unreachable_unsubscribed),
            n("unreachable_fatigue", x.unreachable_fatigue),
            n("aborted", x.aborted),
            n("dnd_deferred", x.dnd_deferred),
            figure(
                &format!("{key}.dnd_mean_delay_secs"),
                x.dnd_mean_delay_secs,
                x.dnd_mean_delay_secs.map_or_else(|| "–".to_owned(), crate::figures::text::fmt_duration),
            ),
            n("affected_entries", x.affected_entries),
            n("affected_conversions", x.affected_conversions),
            Cell::num(pct(share(x.affected_conversions, x.affected_entries))),
        ]
    };
    let sent_of = |ch: Option<Channel>| {
        r.channels.iter().filter(|c| ch.is_none_or(|ch| c.channel == ch)).map(|c| c.sent).sum::<u64>()
    };
    let mut rows: Vec<Vec<Cell>> = s
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = c.channel.map_or("?", |ch| ch.label()).to_owned();
            row(name, format!("suppression.channels[{i}]"), c, sent_of(c.channel))
        })
        .collect();
    rows.push(row("All channels".to_owned(), "suppression.journey".to_owned(), &s.journey, sent_of(None)));
    h.table(
        "figures",
        &[
            "Channel",
            "Sent",
            "Not sent",
            "DND skipped",
            "Capped",
            "No address or token",
            "Unsubscribed",
            "Fatigue",
            "Aborted",
            "DND deferred",
            "Mean DND delay",
            "Entries affected",
            "Of those converted",
            "Their conversion",
        ],
        &rows,
    );
}

/// The paired headline figures (SPEC §3.2): baseline, this run, the difference with its
/// paired and unpaired 95% intervals, and the verdict, as `compare` prints them.
fn paired_table(figures: &[PairedFigure], currency: &str, h: &mut Html) {
    h.element("h3", &[], "Paired: the same simulated users walked through both");
    let rows: Vec<Vec<Cell>> = figures
        .iter()
        .filter_map(|p| Figure::ALL.into_iter().find(|f| f.key() == p.figure).map(|f| (f, p)))
        .map(|(f, p)| {
            let m = f.is_money();
            let label = if m { format!("{} ({currency})", f.label()) } else { f.label().to_owned() };
            let value = |x: f64| if m { money(x) } else { count_of(x) };
            let range = |i: Interval| format!("[{}, {}]", amount_delta(i.lo, m), amount_delta(i.hi, m));
            vec![
                Cell::Head(label),
                Cell::num(value(p.a)),
                Cell::num(value(p.b)),
                Cell::num(amount_delta(p.difference, m)),
                Cell::num(range(p.paired)),
                Cell::num(range(p.unpaired)),
                Cell::text(p.verdict.as_str()),
            ]
        })
        .collect();
    h.table(
        "figures compare",
        &["Figure", "Baseline", "This run", "Difference", "Paired 95%", "Unpaired 95%", "Verdict"],
        &rows,
    );
    note(
        h,
        "The paired interval comes from each user's own difference; the unpaired one treats the runs as independent. The verdict says better or worse only when the paired interval lies wholly on one side of 0",
    );
    h.element("h3", &[], "Both runs, figure by figure");
}

/// A mean count (over replicates) rounded to a whole number, with a true minus sign.
fn count_of(x: f64) -> String {
    if x < 0.0 { format!("−{}", crate::figures::text::fmt_whole(-x)) } else { crate::figures::text::fmt_whole(x) }
}

fn comparison(input: &ReportInput<'_>, h: &mut Html) {
    let Some(base) = &input.baseline else { return };
    let (r, b) = (input.current.report, base.report);
    let settings = |run: &crate::sim::report::RunInfo| {
        format!(
            "{} users, seed {}, horizon {} days, {} replicate(s)",
            count(run.users),
            run.seed,
            run.horizon_days,
            run.replicates
        )
    };
    let same = (r.run.users, r.run.seed, r.run.horizon_days, r.run.replicates)
        == (b.run.users, b.run.seed, b.run.horizon_days, b.run.replicates);
    let how = if same {
        format!("both simulated with the same synthetic users: {}", settings(&r.run))
    } else {
        format!(
            "simulated with other settings, so part of each difference is chance: this run {}; the baseline {}",
            settings(&r.run),
            settings(&b.run)
        )
    };
    note(
        h,
        &format!(
            "“{}” (this journey) against the baseline “{}”, {how}. Differences are this run minus the baseline",
            input.current.journey.setup.name, base.journey.setup.name
        ),
    );
    match input.paired {
        Some(figures) => paired_table(figures, &r.currency, h),
        None => note(
            h,
            "The baseline was not walked by the same users as this run, so there are no paired intervals or verdicts (SPEC §3.2): run it again with the baseline kept",
        ),
    }
    let cnt = |label: &str, now: u64, was: u64| {
        vec![
            Cell::Head(label.to_owned()),
            Cell::num(count(was)),
            Cell::num(count(now)),
            Cell::num(count_delta(now, was)),
        ]
    };
    let rate = |label: &str, now: Option<f64>, was: Option<f64>| {
        let d = now.zip(was).map(|(a, b)| a - b);
        vec![Cell::Head(label.to_owned()), Cell::num(pct(was)), Cell::num(pct(now)), Cell::num(points(d))]
    };
    let cash = |label: &str, now: f64, was: f64| {
        vec![
            Cell::Head(label.to_owned()),
            Cell::num(money(was)),
            Cell::num(money(now)),
            Cell::num(money_delta(now - was)),
        ]
    };
    let (rj, bj) = (&r.journey, &b.journey);
    let mut rows = vec![
        cnt("Entered", rj.entered, bj.entered),
        cnt("Goal met", rj.goal_met, bj.goal_met),
        cnt("Completed", rj.completed, bj.completed),
        cnt("Timed out", rj.timed_out, bj.timed_out),
        rate("Target conversion", r.conversion.target.rate, b.conversion.target.rate),
        rate("Control conversion", r.conversion.control.rate, b.conversion.control.rate),
        rate("Difference (target − control)", r.conversion.difference, b.conversion.difference),
        cash("Gross revenue, target", r.revenue.target, b.revenue.target),
        cash("Message cost", r.revenue.cost, b.revenue.cost),
        cash("Gross target revenue − message cost", r.revenue.revenue_minus_cost, b.revenue.revenue_minus_cost),
    ];
    let cur = &r.currency;
    for (label, is_money, now, was) in [
        ("Incremental conversions".to_owned(), false, &r.incremental.conversions, &b.incremental.conversions),
        (format!("Incremental revenue ({cur})"), true, &r.incremental.revenue, &b.incremental.revenue),
        (format!("Net incremental return ({cur})"), true, &r.incremental.net_return, &b.incremental.net_return),
    ] {
        let text =
            |e: &Estimate| e.value.map_or_else(|| "n/a".to_owned(), |v| if is_money { money(v) } else { count_of(v) });
        let diff = now.value.zip(was.value).map_or_else(|| "n/a".to_owned(), |(n, w)| amount_delta(n - w, is_money));
        rows.push(vec![Cell::Head(label), Cell::num(text(was)), Cell::num(text(now)), Cell::num(diff)]);
    }
    h.table("figures compare", &["Figure", "Baseline", "This run", "Difference"], &rows);

    h.element("h3", &[], "Per node");
    let base_nodes: BTreeMap<_, _> = b.nodes.iter().map(|n| (n.id, n)).collect();
    let now_nodes: BTreeMap<_, _> = r.nodes.iter().map(|n| (n.id, n)).collect();
    let mut rows = Vec::new();
    for id in base_nodes.keys().chain(now_nodes.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (now, was) = (now_nodes.get(id), base_nodes.get(id));
        let label = now.or(was).map_or_else(String::new, |n| format!("{} {}", n.id, n.label));
        let e = |n: Option<&&NodeStats>| n.map_or(0, |n| n.entered);
        let c = |n: Option<&&NodeStats>| n.map_or(0, |n| n.completed);
        rows.push(vec![
            Cell::Head(label),
            Cell::num(was.map_or("–".into(), |n| count(n.entered))),
            Cell::num(now.map_or("–".into(), |n| count(n.entered))),
            Cell::num(count_delta(e(now), e(was))),
            Cell::num(count_delta(c(now), c(was))),
        ]);
    }
    h.table(
        "figures compare",
        &["Node", "Entered, baseline", "Entered, this run", "Difference", "Completed, difference"],
        &rows,
    );

    let (rc, bc) = (per_channel(input.current.journey, r), per_channel(base.journey, b));
    if !rc.is_empty() || !bc.is_empty() {
        h.element("h3", &[], "Per channel");
        let mut rows = Vec::new();
        for ch in Channel::ALL {
            let (now, was) = (rc.get(&ch), bc.get(&ch));
            if now.is_none() && was.is_none() {
                continue;
            }
            let sent = |c: Option<&ChannelStats>| c.map_or(0, |c| c.sent);
            let cost = |c: Option<&ChannelStats>| c.map_or(0.0, |c| c.cost);
            rows.push(vec![
                Cell::Head(ch.label().to_owned()),
                Cell::num(count(sent(was))),
                Cell::num(count(sent(now))),
                Cell::num(count_delta(sent(now), sent(was))),
                Cell::num(money(cost(was))),
                Cell::num(money(cost(now))),
                Cell::num(money_delta(cost(now) - cost(was))),
            ]);
        }
        h.table(
            "figures compare",
            &[
                "Channel",
                "Sent, baseline",
                "Sent, this run",
                "Difference",
                "Cost, baseline",
                "Cost, this run",
                "Difference",
            ],
            &rows,
        );
    }

    let mut rows = Vec::new();
    for n in r.nodes.iter().filter(|n| !n.paths.is_empty()) {
        let was = base_nodes.get(&n.id);
        for p in &n.paths {
            let wp = was.and_then(|w| w.paths.iter().find(|x| x.path == p.path));
            rows.push(vec![
                Cell::Head(format!("{} / {}", n.label, p.name)),
                Cell::num(wp.map_or("–".into(), |w| count(w.users))),
                Cell::num(count(p.users)),
                Cell::num(count_delta(p.users, wp.map_or(0, |w| w.users))),
                Cell::num(count_delta(p.conversions, wp.map_or(0, |w| w.conversions))),
            ]);
        }
    }
    if !rows.is_empty() {
        h.element("h3", &[], "Per split path");
        h.table(
            "figures compare",
            &["Path", "Users, baseline", "Users, this run", "Difference", "Conversions, difference"],
            &rows,
        );
    }

    h.element("h3", &[], "Per day");
    let rows: Vec<Vec<Cell>> = r
        .trends
        .iter()
        .map(|d| {
            let w = b.trends.iter().find(|x| x.day == d.day);
            let (we, wg) = w.map_or((0, 0), |w| (w.entered, w.goal_met));
            vec![
                Cell::Head(format!("Day {}", d.day + 1)),
                Cell::num(count(we)),
                Cell::num(count(d.entered)),
                Cell::num(count_delta(d.entered, we)),
                Cell::num(count(wg)),
                Cell::num(count(d.goal_met)),
                Cell::num(count_delta(d.goal_met, wg)),
            ]
        })
        .collect();
    h.table(
        "figures compare days",
        &[
            "Day",
            "Entered, baseline",
            "Entered, this run",
            "Difference",
            "Goal met, baseline",
            "Goal met, this run",
            "Difference",
        ],
        &rows,
    );
}

#[allow(clippy::cast_precision_loss, reason = "counts plotted")]
fn trends(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let series: [(&str, DayFigure); 4] = [
        ("Entered", |d| d.entered),
        ("Completed", |d| d.completed),
        ("Goal met", |d| d.goal_met),
        ("Timed out", |d| d.timed_out),
    ];
    let mut lines: Vec<Line> = series
        .iter()
        .enumerate()
        .map(|(i, (name, f))| Line {
            name: (*name).to_owned(),
            color: SERIES[i],
            faint: false,
            points: r.trends.iter().map(|d| (f64::from(d.day), f(d) as f64)).collect(),
        })
        .collect();
    if let Some(b) = &input.baseline {
        for (i, (name, f)) in series.iter().enumerate().take(3) {
            lines.push(Line {
                name: format!("{name} (baseline)"),
                color: SERIES[i],
                faint: true,
                points: b.report.trends.iter().map(|d| (f64::from(d.day), f(d) as f64)).collect(),
            });
        }
    }
    chart(h, charts::line_chart("Users per day", "day of the horizon", "users", &lines));
}

/// The main path: from the entry, at each node the linked port most users took.
#[must_use]
pub fn main_path(r: &Report) -> Vec<&NodeStats> {
    let mut path: Vec<&NodeStats> = Vec::new();
    let mut at = r.nodes.iter().find(|n| n.kind == "Entry").or_else(|| r.nodes.first());
    while let Some(n) = at {
        if path.iter().any(|p| p.id == n.id) {
            break;
        }
        path.push(n);
        let next = n.ports.iter().filter(|p| p.target.is_some()).max_by_key(|p| p.moved).and_then(|p| p.target);
        at = next.and_then(|id| r.nodes.iter().find(|x| x.id == id));
    }
    path
}

#[allow(clippy::cast_precision_loss, reason = "counts plotted")]
fn funnel(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let path = main_path(r);
    note(
        h,
        &format!(
            "From the entry, at each card the linked output most users took. Goal met {} ({} of entered)",
            count(r.journey.goal_met),
            pct(share(r.journey.goal_met, r.journey.entered))
        ),
    );
    let mut rows: Vec<BarRow> =
        path.iter().map(|n| BarRow::new(format!("{} {}", n.id, n.label), vec![n.entered as f64])).collect();
    rows.push(BarRow::new("Goal met", vec![r.journey.goal_met as f64]));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "whole counts")]
    let fmt = |v: f64| count(v.round() as u64);
    chart(h, charts::bar_chart("Users reaching each card of the main path", &["Entered"], &rows, &fmt));
}

#[allow(clippy::cast_precision_loss, reason = "counts plotted")]
fn channels(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    if r.channels.is_empty() {
        note(h, "This journey sends no messages");
        return;
    }
    let rows: Vec<Vec<Cell>> = r
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                Cell::Head(c.channel.label().to_owned()),
                count_fig(&format!("channels[{i}].sent"), c.sent),
                figure(&format!("channels[{i}].cost"), Some(c.cost), money(c.cost)),
                count_fig(&format!("channels[{i}].peak_per_hour"), c.peak_per_hour),
                Cell::text(
                    c.peak_hour_start
                        .and_then(crate::model::Timestamp::to_utc)
                        .map_or("–".into(), |t| t.format("%-d %b %Y %H:%M UTC").to_string()),
                ),
            ]
        })
        .collect();
    h.table("figures", &["Channel", "Sent", "Cost", "Peak per hour", "Peak hour"], &rows);
    h.raw("<p>");
    h.text("Total projected message cost: ");
    h.open("span", &[("data-figure", "total_cost"), ("data-value", &format!("{}", r.total_cost))]);
    h.text(&money(r.total_cost));
    h.close("span");
    h.raw("</p>");
    let rows: Vec<BarRow> = r
        .nodes
        .iter()
        .filter_map(|n| {
            let c = n.channel.as_ref()?;
            Some(BarRow::new(
                format!("{} {}", n.id, n.label),
                vec![c.sent as f64, c.clicked as f64, c.unreachable as f64],
            ))
        })
        .collect();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "whole counts")]
    let fmt = |v: f64| count(v.round() as u64);
    chart(h, charts::bar_chart("Messages per channel card", &["Sent", "Clicked", "Unreachable"], &rows, &fmt));
}

#[allow(clippy::cast_precision_loss, reason = "counts plotted")]
fn splits(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let split_nodes: Vec<&NodeStats> = r.nodes.iter().filter(|n| !n.paths.is_empty()).collect();
    if split_nodes.is_empty() {
        note(h, "This journey has no split");
        return;
    }
    let mut users = Vec::new();
    let mut rates = Vec::new();
    let mut table = Vec::new();
    for n in &split_nodes {
        let total: u64 = n.paths.iter().map(|p| p.users).sum();
        let random = n.kind == crate::model::KindTag::RandomSplit.label();
        for p in &n.paths {
            let label = format!("{} / {}", n.label, p.name);
            users.push(BarRow::new(label.clone(), vec![p.users as f64]));
            let rate = share(p.conversions, p.users);
            let iv = crate::sim::intervals::wilson(p.conversions, p.users);
            if random {
                rates.push(BarRow {
                    label: label.clone(),
                    values: vec![rate.unwrap_or(0.0) * 100.0],
                    intervals: vec![iv.map(|i| (i.lo * 100.0, i.hi * 100.0))],
                });
            }
            table.push(vec![
                Cell::Head(label),
                Cell::num(count(p.users)),
                Cell::num(pct(share(p.users, total))),
                Cell::num(if random { count(p.conversions) } else { "–".into() }),
                Cell::num(if random {
                    format!(
                        "{}{}",
                        pct(rate),
                        iv.map_or_else(String::new, |i| format!(" [{:.2}–{:.2}%]", i.lo * 100.0, i.hi * 100.0))
                    )
                } else {
                    "–".into()
                }),
            ]);
        }
    }
    h.table("figures", &["Split / path", "Users", "Share", "Conversions", "Conversion rate (95% interval)"], &table);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "whole counts")]
    let fmt = |v: f64| count(v.round() as u64);
    chart(h, charts::bar_chart("Users sent down each split path", &["Users"], &users, &fmt));
    if !rates.is_empty() {
        chart(
            h,
            charts::bar_chart(
                "Conversion rate per random-split path, % (95% interval)",
                &["Conversion rate"],
                &rates,
                &|v| format!("{v:.2}%"),
            ),
        );
    }
}

fn nodes(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let rows: Vec<Vec<Cell>> = r
        .nodes
        .iter()
        .map(|n| {
            let ports: Vec<String> = n.ports.iter().map(|p| format!("{} {}", p.label, count(p.moved))).collect();
            vec![
                Cell::text(n.id.to_string()),
                Cell::Head(n.label.clone()),
                Cell::text(n.kind.clone()),
                Cell::num(count(n.entered)),
                Cell::text(ports.join(" · ")),
                Cell::num(count(n.completed)),
                Cell::num(count(n.waiting_before + n.waiting_at)),
                Cell::num(count(n.goal_before + n.goal_at)),
                Cell::num(count(n.timed_out)),
            ]
        })
        .collect();
    h.table(
        "figures nodes",
        &[
            "Id",
            "Card",
            "Kind",
            "Entered",
            "Moved forward per output",
            "Completed",
            "Waiting at end",
            "Goal met",
            "Timed out",
        ],
        &rows,
    );
    let chans: Vec<(&NodeStats, &ChannelStats)> =
        r.nodes.iter().filter_map(|n| Some((n, n.channel.as_ref()?))).collect();
    if chans.is_empty() {
        return;
    }
    h.element("h3", &[], "Channel cards");
    let rows: Vec<Vec<Cell>> = chans
        .iter()
        .map(|(n, c)| {
            let mut row = vec![Cell::Head(format!("{} {}", n.id, n.label))];
            row.extend(
                [
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
                    c.conversions,
                ]
                .map(|v| Cell::num(count(v))),
            );
            row.push(Cell::num(money(c.cost)));
            row
        })
        .collect();
    h.table(
        "figures nodes",
        &[
            "Card",
            "Sent",
            "Failed",
            "Unreachable",
            "Delivered",
            "Viewed",
            "Clicked",
            "DND deferred",
            "DND skipped",
            "Capped",
            "Unsubscribed",
            "Conversions (last touch)",
            "Cost",
        ],
        &rows,
    );
}

fn delay(d: &DelayDist) -> String {
    match d {
        DelayDist::Fixed(s) => format!("fixed {s}"),
        DelayDist::Exponential { mean } => format!("exponential, mean {mean}"),
    }
}

fn dist(d: &PropertyDist) -> String {
    match d {
        PropertyDist::Categorical(cats) => {
            let total: f64 = cats.iter().map(|c| c.1).sum();
            let parts: Vec<String> = cats
                .iter()
                .map(|(name, w)| if total > 0.0 { format!("{name} {:.0}%", w / total * 100.0) } else { name.clone() })
                .collect();
            format!("one of: {}", parts.join(", "))
        }
        PropertyDist::Uniform { min, max } => format!("uniform {min} to {max}"),
        PropertyDist::Normal { mean, std_dev } => format!("normal, mean {mean}, sd {std_dev}"),
        PropertyDist::Bool(p) => format!("true {:.1}% of the time", p * 100.0),
        PropertyDist::DateOffset { min_days, max_days } => format!("start + {min_days} to {max_days} days"),
    }
}

fn share_text(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn kv(h: &mut Html, rows: &[(&str, String)]) {
    let rows: Vec<Vec<Cell>> =
        rows.iter().map(|(k, v)| vec![Cell::Head((*k).to_owned()), Cell::text(v.clone())]).collect();
    h.table("kv", &["Assumption", "Value"], &rows);
}

#[allow(clippy::too_many_lines, reason = "one table per part of the scenario")]
fn assumptions(input: &ReportInput<'_>, h: &mut Html) {
    let j = input.current.journey;
    let s = &j.scenario;
    let p = &s.population;
    note(
        h,
        "What the simulation assumes, as saved in the journey file: change these in the Scenario form to see other outcomes",
    );
    h.element("h3", &[], "Population");
    let tz: Vec<String> = {
        let total: f64 = p.timezones.iter().map(|t| t.weight).sum();
        p.timezones
            .iter()
            .map(|t| if total > 0.0 { format!("{} {:.0}%", t.tz, t.weight / total * 100.0) } else { t.tz.to_string() })
            .collect()
    };
    let re = &p.reachability;
    let unsub: Vec<String> = re.unsubscribed.iter().map(|(c, x)| format!("{} {}", c.label(), share_text(*x))).collect();
    let curve: Vec<String> = p.activity_curve.iter().map(|w| format!("{w}")).collect();
    kv(
        h,
        &[
            ("Users", count(p.users)),
            ("Time zones", tz.join(", ")),
            ("Push token", share_text(re.push)),
            ("Web push subscription", share_text(re.web_push)),
            ("Email address", share_text(re.email)),
            ("Phone number", share_text(re.phone)),
            ("WhatsApp opt-in (of those with a phone)", share_text(re.whatsapp_of_phone)),
            ("Unsubscribed", if unsub.is_empty() { "none".into() } else { unsub.join(", ") }),
            ("Activity per hour of the day (local, 0 to 23)", curve.join(" ")),
            ("Activity spread (gamma shape; lower is more uneven)", format!("{}", s.activity_shape)),
            ("Session event (in-app messages wait for it)", p.session_event.clone()),
            ("Share on a custom entry list", share_text(p.custom_list_share)),
        ],
    );
    if !p.properties.is_empty() {
        h.element("h3", &[], "User properties");
        let rows: Vec<Vec<Cell>> =
            p.properties.iter().map(|(k, d)| vec![Cell::Head(k.clone()), Cell::text(dist(d))]).collect();
        h.table("kv", &["Property", "Distribution"], &rows);
    }
    h.element("h3", &[], "Events");
    let rows: Vec<Vec<Cell>> = s
        .events
        .iter()
        .map(|(name, e)| {
            let props: Vec<String> = e.properties.iter().map(|(k, d)| format!("{k}: {}", dist(d))).collect();
            let lifts: Vec<String> = e
                .engagement
                .iter()
                .map(|l| format!("×{} for {} after a {:?}", l.multiplier, l.duration, l.on).to_lowercase())
                .collect();
            vec![
                Cell::Head(name.clone()),
                Cell::num(format!("{}", e.rate_per_day)),
                Cell::text(if props.is_empty() { "–".into() } else { props.join("; ") }),
                Cell::text(if lifts.is_empty() { "–".into() } else { lifts.join("; ") }),
                Cell::text(e.activity_shape.map_or_else(|| "shared".to_owned(), |k| format!("own, shape {k}"))),
            ]
        })
        .collect();
    h.table("kv", &["Event", "Per user per day", "Properties", "Rate after engagement", "Activity factor"], &rows);
    let used: std::collections::BTreeSet<Channel> =
        j.graph.nodes.values().filter_map(|n| node_channel(j, n.id)).collect();
    if !used.is_empty() {
        h.element("h3", &[], "Channels this journey uses");
        let rows: Vec<Vec<Cell>> = used
            .iter()
            .map(|c| {
                let rates = s.channel(*c);
                vec![
                    Cell::Head(c.label().to_owned()),
                    Cell::num(share_text(rates.failure)),
                    Cell::num(share_text(rates.delivery)),
                    Cell::num(share_text(rates.view)),
                    Cell::num(share_text(rates.click_given_view)),
                    Cell::text(format!(
                        "delivery {}; view {}; click {}",
                        delay(&rates.delay_to_delivery),
                        delay(&rates.delay_to_view),
                        delay(&rates.delay_to_click)
                    )),
                    Cell::num(format!("{}", rates.cost_per_message)),
                    Cell::num(s.fatigue.get(c).map_or("0.0%".into(), |f| format!("{:.2}%", f * 100.0))),
                    Cell::text(rates.click_counts_as.clone().unwrap_or_else(|| "–".to_owned())),
                ]
            })
            .collect();
        h.table(
            "kv",
            &[
                "Channel",
                "Failure",
                "Delivered",
                "Viewed",
                "Clicked if viewed",
                "Delays",
                "Cost per message",
                "Unsubscribe per message",
                "A click also counts as",
            ],
            &rows,
        );
    }
    h.element("h3", &[], "Journey settings the run follows");
    let st = &j.setup;
    let dnd = if st.dnd.enabled {
        let days: Vec<String> = st.dnd.windows.iter().map(|(d, w)| format!("{d:?} {}–{}", w.start, w.end)).collect();
        format!("{:?} messages in quiet hours: {}", st.dnd.action, days.join(", "))
    } else {
        "off".to_owned()
    };
    let control = format!(
        "journey {}, system {}",
        st.control.journey_percent.map_or("none".into(), |p| format!("{p}%")),
        st.control.system_percent.map_or("none".into(), |p| format!("{p}%"))
    );
    let reentry = if st.reentry.enabled {
        format!(
            "allowed{}{}",
            st.reentry.cooldown.map_or(String::new(), |c| format!(", after {c}")),
            st.reentry.max_entries.map_or(String::new(), |m| format!(", at most {m} times"))
        )
    } else {
        "not allowed".to_owned()
    };
    let exits: Vec<String> = st.exit_criteria.iter().map(|e| e.event.clone()).collect();
    kv(
        h,
        &[
            ("Start", st.start.to_string()),
            ("End of entries", st.end.map_or("none".into(), |e| e.to_string())),
            (
                "Account time zone",
                format!(
                    "{}{}",
                    st.timezone.account,
                    if st.timezone.per_user { ", delivery in each user's time zone" } else { "" }
                ),
            ),
            ("Do not disturb", dnd),
            ("Control groups", control),
            ("Re-entry", reentry),
            ("Journey timeout", st.timeout.map_or("until the horizon".into(), |t| t.to_string())),
            (
                "Frequency cap",
                st.frequency_cap.as_ref().map_or("none".into(), |c| {
                    format!("{} messages per {:?}", c.max_messages, c.period).to_lowercase()
                }),
            ),
            ("Exit criteria", if exits.is_empty() { "none".into() } else { exits.join(", ") }),
        ],
    );
}

/// An argument for a POSIX shell: as is when it is plain, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c));
    if plain { s.to_owned() } else { format!("'{}'", s.replace('\'', r"'\''")) }
}

fn run_settings(input: &ReportInput<'_>, h: &mut Html) {
    let r = input.current.report;
    let run = &r.run;
    kv(
        h,
        &[
            ("Users per replicate", count(run.users)),
            ("Seed", run.seed.to_string()),
            ("Replicates", run.replicates.to_string()),
            ("Horizon", format!("{} days, {} to {}", run.horizon_days, run.start, run.horizon_end)),
            ("Journey Studio version", input.app_version.to_owned()),
        ],
    );
    let file = input.current.file.unwrap_or("JOURNEY.journey");
    let opts = format!(
        "--users {} --seed {} --days {} --replicates {}",
        run.users, run.seed, run.horizon_days, run.replicates
    );
    let baseline = input
        .baseline
        .as_ref()
        .map_or_else(String::new, |b| format!(" --baseline {}", shell_word(b.file.unwrap_or("BASELINE.journey"))));
    note(
        h,
        "The engine gives the same figures for the same file, settings and seed on any machine and any number of threads. To reproduce them:",
    );
    h.open("pre", &[("class", "command")]);
    h.text(&format!(
        "journey-studio simulate {} {opts} --format json\njourney-studio report {} {opts}{baseline} --out report.html",
        shell_word(file),
        shell_word(file)
    ));
    h.close("pre");
    if input.current.file.is_none() {
        note(
            h,
            "The journey was not saved to a file when this report was made: save it, then use its path for JOURNEY.journey",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("assets/on_the_fence.journey"), "assets/on_the_fence.journey");
        assert_eq!(shell_word("my file's.journey"), r"'my file'\''s.journey'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn an_unpublished_journey_is_a_draft_without_a_version() {
        let j = Journey::new("t");
        assert_eq!(version_text(&j), "draft, unversioned");
        assert_eq!(status_text(j.status), "draft");
    }
}
