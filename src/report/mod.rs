//! The shareable forecast (SPEC §9): one self-contained HTML file with the journey, its
//! figures, charts and assumptions, written by `journey-studio report` and by the app's
//! "Export report…".
//!
//! Layout: [`html`] escapes and writes elements and formats numbers; [`svg_canvas`] draws
//! the journey's canvas as SVG from [`crate::geometry`]; [`charts`] draws the charts with
//! plotters' SVG backend; [`sections`] lists the sections in page order, each one function.
//!
//! Invariants: the file needs nothing outside itself (inline CSS and SVG, no script, no
//! font, image or style sheet from elsewhere) and reads the same with scripts off; every
//! user text is escaped; every figure comes from the engine's [`Report`] of the run
//! shown, and a headline figure carries its exact value and JSON path in `data-`
//! attributes; print styles keep each chart and the canvas on one page; the same
//! inputs give the same bytes (no clock is read: the run's own dates are shown).

pub mod charts;
pub mod html;
pub mod sections;
pub mod svg_canvas;

use crate::model::Journey;
use crate::sim::{PairedFigure, Report};

use html::Html;
pub use sections::{SECTIONS, Section, status_text, version_text};

/// One simulated journey: the model as simulated, its report, and the file it came from.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    /// The journey as simulated.
    pub journey: &'a Journey,
    /// Its report.
    pub report: &'a Report,
    /// The file's path as the user gave it, for the reproduce command (`None`: unsaved).
    pub file: Option<&'a str>,
}

/// What a report shows.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput<'a> {
    /// The run the report is about.
    pub current: Run<'a>,
    /// A baseline simulated with the same settings, to compare with.
    pub baseline: Option<Run<'a>>,
    /// The paired headline figures of this run against the baseline (SPEC §3.2: both
    /// walked by the same simulated users), when the baseline was run that way.
    pub paired: Option<&'a [PairedFigure]>,
    /// The Journey Studio version that made the report.
    pub app_version: &'a str,
}

/// The style sheet: screen and print.
const CSS: &str = r#"
:root { color-scheme: light; --ink: #1e2026; --weak: #5f646e; --rule: #d6d9e0; --accent: #2166ac; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; background: #fff; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.description { font-size: 15px; margin: 4px 0 8px; overflow-wrap: anywhere; }
.meta { color: var(--weak); margin: 0; }
.meta b { color: var(--ink); font-weight: 600; }
.badge { display: inline-block; border: 1px solid var(--rule); border-radius: 10px; padding: 0 8px; margin-right: 6px; background: #f3f5f8; }
nav ol { columns: 3; margin: 8px 0 0; padding-left: 20px; color: var(--weak); }
nav a { color: var(--accent); text-decoration: none; }
.note { color: var(--weak); margin: 4px 0 8px; }
table { border-collapse: collapse; margin: 4px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; overflow-wrap: break-word; }
thead th { color: var(--weak); font-weight: 600; border-bottom: 2px solid var(--rule); }
tbody th { font-weight: 500; }
td.num { text-align: right; white-space: nowrap; }
table.nodes, table.kv { width: 100%; }
.cols { display: flex; gap: 32px; flex-wrap: wrap; }
.cols > div { flex: 1 1 420px; }
figure { margin: 8px 0 16px; }
svg.chart, svg.canvas { display: block; width: 100%; height: auto; }
.canvas-box { border: 1px solid var(--rule); border-radius: 8px; background: #f6f7f9; padding: 6px; }
pre.command { background: #f3f5f8; border: 1px solid var(--rule); border-radius: 6px; padding: 10px 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
svg.canvas text { font-family: system-ui, "DejaVu Sans", sans-serif; }
svg.canvas .card { fill: #fff; stroke: #bec2ca; stroke-width: 1; }
svg.canvas .label { font-size: 14px; fill: #1e2026; font-weight: 600; }
svg.canvas .weak { font-size: 11.5px; fill: #5f646e; }
svg.canvas .mark { font-size: 12px; text-anchor: middle; font-weight: 700; }
svg.canvas .port-label { font-size: 11px; fill: #5f646e; text-anchor: end; }
svg.canvas .port-in { fill: #fff; stroke: #787e8c; stroke-width: 1.5; }
svg.canvas .rule { stroke: #d6d9e0; stroke-width: 0.5; }
svg.canvas .link { fill: none; stroke: #787e8c; stroke-width: 2; }
svg.canvas .arrow { fill: #787e8c; }
svg.canvas .link-label-bg { fill: #f6f7f9; }
svg.canvas .link-label { font-size: 10.5px; fill: #5f646e; text-anchor: middle; }
svg.canvas .note { fill: #fff6c4; }
svg.canvas .note-text { font-size: 12.5px; fill: #463c14; }
svg.canvas .goals-area { fill: rgba(60, 160, 90, 0.14); }
svg.canvas .goals-heading { font-size: 13px; fill: #2ea05a; font-weight: 600; }
svg.canvas .goal-mark { font-size: 14px; fill: #2ea05a; text-anchor: middle; }
svg.canvas .pill { fill: #20385c; }
svg.canvas .pill-text { font-size: 11px; fill: #ebf2ff; }
footer { margin-top: 32px; color: var(--weak); border-top: 1px solid var(--rule); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, .chart-box, .canvas-box, tr, pre { break-inside: avoid; page-break-inside: avoid; }
  .canvas-box svg { max-height: 240mm; }
  .chart-box svg { max-height: 120mm; }
  section.page { break-before: page; page-break-before: always; }
  a { color: inherit; }
}
"#;

/// Sections that start on a new printed page (the big drawings and tables).
const NEW_PAGE: &[&str] = &["headline", "trends", "nodes", "assumptions"];

/// The whole report as one HTML document.
#[must_use]
pub fn html(input: &ReportInput<'_>) -> String {
    let j = input.current.journey;
    let mut h = Html::new();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.raw("<meta name=\"generator\" content=\"Journey Studio ");
    h.text(input.app_version);
    h.raw("\"><title>");
    h.text(&format!("{} — forecast", j.setup.name));
    h.raw("</title><style>");
    h.raw(CSS);
    h.raw("</style></head><body>\n<header>");
    h.element("h1", &[], &j.setup.name);
    if !j.setup.description.trim().is_empty() {
        h.element("p", &[("class", "description")], &j.setup.description);
    }
    h.raw("<p class=\"meta\">");
    h.raw("<span class=\"badge\">Status <b>");
    h.text(status_text(j.status));
    h.raw("</b></span><span class=\"badge\">Version <b>");
    h.text(&version_text(j));
    h.raw("</b></span><span class=\"badge\">Currency <b>");
    h.text(&input.current.report.currency);
    h.raw("</b></span>");
    let r = &input.current.report.run;
    h.text(&format!(
        "Forecast from {} simulated users × {} replicate(s), seed {}, {} days from {}",
        html::count(r.users),
        r.replicates,
        r.seed,
        r.horizon_days,
        r.start
    ));
    if let Some(b) = &input.baseline {
        h.text(&format!(", compared with the baseline “{}”", b.journey.setup.name));
    }
    h.raw("</p>");
    let shown: Vec<&Section> = SECTIONS.iter().filter(|s| (s.applies)(input)).collect();
    h.raw("<nav aria-label=\"Contents\"><ol>");
    for s in &shown {
        h.raw("<li>");
        h.element("a", &[("href", &format!("#{}", s.id))], s.title);
        h.raw("</li>");
    }
    h.raw("</ol></nav></header>\n");
    for s in shown {
        let class = if NEW_PAGE.contains(&s.id) { "page" } else { "" };
        h.open("section", &[("id", s.id), ("class", class)]);
        h.element("h2", &[], s.title);
        (s.body)(input, &mut h);
        h.raw("</section>\n");
    }
    h.raw("<footer>");
    h.text(&format!(
        "Made by Journey Studio {}: a simulation of synthetic users under the scenario's assumptions, not a measurement",
        input.app_version
    ));
    h.raw("</footer>\n</body></html>\n");
    h.finish()
}
