//! The statistics panel (SPEC §3): journey summary, the selected node's full stats,
//! channel volumes, trends per day, the funnel along the main path, sample users to
//! follow, and export of the report as JSON or CSV and of the tab's charts as PNG.
//!
//! Invariants: every figure is read from the report; with a baseline kept, figures show
//! "(was …, ±…)"; clicking a chart bar returns that bar's node for the shell to select.

use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use super::{Preview, Tab};
use crate::app::theme::Theme;
use crate::figures::text::{count_line, fmt_count, fmt_money, fmt_pct, money_line, rate_line, rate_text, share};
use crate::model::NodeId;
use crate::sim::Report;
use crate::sim::compare::{Figure, PairedFigure, Verdict};
use crate::sim::intervals::Interval;
use crate::sim::report::{NodeStats, StepKind};

/// One journey count of the report.
type JourneyFigure = fn(&crate::sim::report::JourneyStats) -> u64;
/// One channel counter of a node.
type ChannelFigure = fn(&crate::sim::report::ChannelStats) -> u64;
/// A bar of a node chart: node, label, height.
type NodeBar = (NodeId, String, f64);

/// The statistics folded to one line: the run's headline figures and a button that
/// unfolds the panel.
pub fn collapsed_stats_ui(ui: &mut Ui, p: &mut Preview) {
    ui.horizontal(|ui| {
        if ui.button("Show statistics").on_hover_text("Show the statistics panel").clicked() {
            p.stats_collapsed = false;
        }
        if let Some(o) = &p.outcome {
            let r = &o.report;
            ui.label(format!(
                "{} entered · {} converted ({}) · control {}",
                fmt_count(r.journey.entered),
                fmt_count(r.conversion.target.conversions),
                fmt_pct(r.conversion.target.rate),
                fmt_pct(r.conversion.control.rate),
            ));
        }
    });
}

/// Draws the panel. Returns a node to select (a clicked chart bar).
pub fn stats_ui(ui: &mut Ui, p: &mut Preview, selected: Option<NodeId>, _theme: &Theme) -> Option<NodeId> {
    let mut select = None;
    ui.horizontal(|ui| {
        for (tab, name) in [
            (Tab::Summary, "Summary"),
            (Tab::Node, "Node"),
            (Tab::Channels, "Channels"),
            (Tab::Trends, "Trends"),
            (Tab::Funnel, "Funnel"),
            (Tab::Splits, "Splits"),
            (Tab::Follow, "Follow a user"),
        ] {
            ui.selectable_value(&mut p.tab, tab, name);
        }
        ui.separator();
        export_ui(ui, p);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button("Hide statistics")
                .on_hover_text("Fold the statistics to one line, giving the canvas the room")
                .clicked()
            {
                p.stats_collapsed = true;
            }
        });
    });
    ui.separator();
    let Some(o) = &p.outcome else { return None };
    let r = &o.report;
    let base = o.base(p.baseline.as_ref());
    let tz = o.journey.setup.timezone.account.zone();
    if p.cancelled || p.error.is_some() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "These results are from the previous run ({} users, seed {}, {} days); the last run did not finish.",
                fmt_count(o.inputs.users),
                o.inputs.seed,
                o.inputs.horizon_days
            ),
        );
    }
    if let Some(pd) = &o.paired
        && p.tab != Tab::Summary
    {
        comparison_banner(ui, &pd.figures, &r.currency);
    }
    let mut charts = None;
    let hourly = &mut p.hourly_trends;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match p.tab {
        Tab::Summary => summary_ui(ui, r, base, o.paired.as_ref()),
        Tab::Node => node_ui(ui, r, base, selected),
        Tab::Channels => select = channels_ui(ui, r, base, tz, &mut charts),
        Tab::Trends => trends_ui(ui, r, base, hourly, &mut charts),
        Tab::Funnel => select = funnel_ui(ui, r, base, &mut charts),
        Tab::Splits => select = splits_ui(ui, r, base, &mut charts),
        Tab::Follow => follow_ui(ui, r, &mut p.follow, tz),
    });
    p.chart_rect = charts;
    select
}

fn export_ui(ui: &mut Ui, p: &mut Preview) {
    let l = ui.label("Export to");
    ui.add(egui::TextEdit::singleline(&mut p.export_path).desired_width(180.0))
        .labelled_by(l.id)
        .on_hover_text("File path without extension; .json or .csv is added");
    let mut which = None;
    if ui.button("JSON").on_hover_text("Write every figure as JSON").clicked() {
        which = Some("json");
    }
    if ui.button("CSV").on_hover_text("Write every figure as path,value rows").clicked() {
        which = Some("csv");
    }
    if let (Some(ext), Some(o)) = (which, &p.outcome) {
        let path = std::path::Path::new(&p.export_path).with_extension(ext);
        p.export_message = Some(match export(&o.report, &path) {
            Ok(()) => format!("Wrote {}", path.display()),
            Err(e) => format!("Could not write {}: {e}", path.display()),
        });
    }
    let png = ui
        .add_enabled(p.chart_rect.is_some() && p.outcome.is_some(), egui::Button::new("PNG"))
        .on_hover_text("Save this tab's charts as a PNG image")
        .on_disabled_hover_text("This tab has no chart; Channels, Trends, Funnel and Splits do");
    if png.clicked()
        && let Some(rect) = p.chart_rect
    {
        let path = std::path::Path::new(&p.export_path).with_extension("png");
        let slot = std::sync::Arc::clone(&p.png_message);
        let ctx = ui.ctx().clone();
        let ppp = ctx.pixels_per_point();
        p.export_message = Some(format!("Saving {}…", path.display()));
        ui.ctx().request_screenshot(move |image| {
            let message = match save_png(&image, rect, ppp, &path) {
                Ok(()) => format!("Wrote {}", path.display()),
                Err(e) => format!("Could not write {}: {e}", path.display()),
            };
            if let Ok(mut m) = slot.lock() {
                *m = Some(message);
            }
            ctx.request_repaint();
        });
    }
    if let Some(m) = p.png_message.lock().ok().and_then(|mut m| m.take()) {
        p.export_message = Some(m);
    }
    if let Some(m) = &p.export_message {
        ui.weak(m);
    }
}

/// Crops `rect` (in points) out of a screenshot taken at `ppp` pixels per point and
/// writes it to `path` as a PNG, atomically.
///
/// # Errors
/// When the crop is empty, or encoding or writing fails.
pub fn save_png(image: &egui::ColorImage, rect: egui::Rect, ppp: f32, path: &std::path::Path) -> anyhow::Result<()> {
    let bounds =
        egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(image.width() as f32, image.height() as f32) / ppp);
    let rect = rect.intersect(bounds);
    anyhow::ensure!(rect.is_positive(), "the chart is not on screen");
    let crop = image.region(&rect, Some(ppp));
    let [w, h] = crop.size;
    let bytes: Vec<u8> = crop.pixels.iter().flat_map(egui::Color32::to_srgba_unmultiplied).collect();
    let w = u32::try_from(w)?;
    let h = u32::try_from(h)?;
    let img = image::RgbaImage::from_raw(w, h, bytes).ok_or_else(|| anyhow::anyhow!("bad image size {w}×{h}"))?;
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png)?;
    crate::format::write_atomic(path, png.get_ref())?;
    Ok(())
}

/// Adds a drawn chart's visible rectangle to `charts`.
fn note_chart(ui: &Ui, rect: egui::Rect, charts: &mut Option<egui::Rect>) {
    let visible = rect.intersect(ui.clip_rect());
    if visible.is_positive() {
        *charts = Some(charts.map_or(visible, |c| c.union(visible)));
    }
}

/// Writes the report to `path` as JSON (`.json`) or CSV (anything else), with the same
/// writers, and so the same bytes, as `journey-studio simulate --format json|csv`.
///
/// # Errors
/// When serializing or writing fails; the old file is then unchanged.
pub fn export(report: &Report, path: &std::path::Path) -> anyhow::Result<()> {
    let text = if path.extension().is_some_and(|e| e == "json") {
        crate::figures::export::json(report)?
    } else {
        crate::figures::export::csv(report)
    };
    // The one safe write: a failed export keeps an older export byte-identical.
    crate::format::write_atomic(path, text.as_bytes())?;
    Ok(())
}

fn interval(i: Option<Interval>) -> String {
    i.map_or_else(String::new, |i| format!(" [{:.1}–{:.1}%]", i.lo * 100.0, i.hi * 100.0))
}

/// A verdict, coloured: better green, worse red, no detectable change grey.
fn verdict_text(ui: &Ui, v: Verdict) -> RichText {
    let color = match v {
        Verdict::Better => egui::Color32::from_rgb(40, 150, 70),
        Verdict::Worse => ui.visuals().error_fg_color,
        Verdict::NoDetectableChange => ui.visuals().weak_text_color(),
    };
    RichText::new(v.as_str()).color(color).strong()
}

/// A paired figure's value as text: money with two decimals, counts whole.
fn paired_value(f: Figure, x: f64, signed: bool) -> String {
    let body = if f.is_money() {
        fmt_money(x.abs())
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = x.abs().round() as u64;
        fmt_count(n)
    };
    let zero = body == "0" || body == "0.00";
    match (signed, x < 0.0 && !zero) {
        (true, true) => format!("-{body}"),
        (true, false) if zero => format!("±{body}"),
        (true, false) => format!("+{body}"),
        (false, true) => format!("-{body}"),
        (false, false) => body,
    }
}

/// One line under every tab but the summary: each headline figure's difference against
/// the baseline, its paired interval and the verdict.
fn comparison_banner(ui: &mut Ui, figures: &[PairedFigure], currency: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.strong("Against the baseline (same users):");
        for (f, pf) in Figure::ALL.iter().zip(figures) {
            let unit = if f.is_money() { format!(" {currency}") } else { String::new() };
            ui.label(format!(
                "{} {}{unit} [{}, {}]",
                f.label(),
                paired_value(*f, pf.difference, true),
                paired_value(*f, pf.paired.lo, true),
                paired_value(*f, pf.paired.hi, true)
            ));
            ui.label(verdict_text(ui, pf.verdict));
            ui.separator();
        }
    });
    ui.separator();
}

/// The paired comparison as a grid: baseline, this run, the difference, both intervals
/// and the verdict for each headline figure.
pub(crate) fn comparison_grid(ui: &mut Ui, figures: &[PairedFigure], currency: &str) {
    ui.strong("Compared with the baseline on the same users (paired)");
    egui::Grid::new("paired_figures").striped(true).show(ui, |ui| {
        for h in ["Figure", "Baseline", "This run", "Difference", "Paired 95%", "Unpaired 95%", "Verdict"] {
            ui.strong(h);
        }
        ui.end_row();
        for (f, pf) in Figure::ALL.iter().zip(figures) {
            let unit = if f.is_money() { format!(" ({currency})") } else { String::new() };
            ui.label(format!("{}{unit}", f.label()));
            ui.label(paired_value(*f, pf.a, false));
            ui.label(paired_value(*f, pf.b, false));
            ui.label(paired_value(*f, pf.difference, true));
            ui.label(format!("[{}, {}]", paired_value(*f, pf.paired.lo, true), paired_value(*f, pf.paired.hi, true)));
            ui.weak(format!(
                "[{}, {}]",
                paired_value(*f, pf.unpaired.lo, true),
                paired_value(*f, pf.unpaired.hi, true)
            ));
            ui.label(verdict_text(ui, pf.verdict));
            ui.end_row();
        }
    });
    ui.weak(
        "The paired interval comes from each user's own difference; the unpaired one treats the runs as independent.",
    );
    ui.add_space(6.0);
}

/// "+1,073 [+231, +1,899]" with the currency for money, or "n/a".
fn estimate_text(e: &crate::sim::report::Estimate, money: bool, currency: &str) -> String {
    let text = crate::figures::export::estimate(e, money);
    if money && e.value.is_some() { format!("{text} {currency}") } else { text }
}

fn summary_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, paired: Option<&super::Paired>) {
    if let Some(pd) = paired {
        comparison_grid(ui, &pd.figures, &r.currency);
    }
    let cur = r.currency.as_str();
    let j = &r.journey;
    let bj = base.map(|b| &b.journey);
    ui.columns(2, |cols| {
        let ui = &mut cols[0];
        ui.strong("Journey");
        let rows: [(&str, JourneyFigure); 10] = [
            ("Qualified", |s| s.qualified),
            ("Entered", |s| s.entered),
            ("Control", |s| s.control),
            ("Target", |s| s.target),
            ("Goal met", |s| s.goal_met),
            ("Completed", |s| s.completed),
            ("Timed out", |s| s.timed_out),
            ("Exit criteria", |s| s.exit_criteria),
            ("Force exits", |s| s.force_exits),
            ("Still inside at the end", |s| s.on_graph_at_end),
        ];
        for (label, f) in rows {
            ui.label(count_line(label, f(j), bj.map(f)));
        }
        let rate = share(j.goal_met, j.entered);
        ui.label(rate_line("Goal met rate", rate, bj.map(|b| share(b.goal_met, b.entered))));
        for (i, g) in r.goals.iter().enumerate() {
            let was = base.and_then(|b| b.goals.get(i)).map(|bg| bg.rate_target);
            ui.label(count_line(
                &format!("Goal “{}” met", g.name),
                g.met,
                base.and_then(|b| b.goals.get(i)).map(|b| b.met),
            ));
            ui.label(rate_line(&format!("Goal “{}” target rate", g.name), g.rate_target, was));
        }
        let ui = &mut cols[1];
        ui.strong("What the journey adds (against its control group)");
        let inc = &r.incremental;
        if inc.conversions.value.is_none() {
            ui.weak("Needs a journey control group with entries (Setup › Control groups).");
        } else {
            ui.label(format!("Incremental conversions: {}", estimate_text(&inc.conversions, false, cur)));
            ui.label(format!("Incremental revenue: {}", estimate_text(&inc.revenue, true, cur)));
            ui.label(format!("Net incremental return: {}", estimate_text(&inc.net_return, true, cur)));
            ui.label(format!(
                "Cost per incremental conversion: {}",
                inc.cost_per_incremental_conversion
                    .map_or_else(|| "n/a".to_owned(), |c| format!("{} {cur}", fmt_money(c)))
            ));
        }
        ui.add_space(4.0);
        ui.strong("Conversion");
        let c = &r.conversion;
        let bc = base.map(|b| &b.conversion);
        ui.label(format!(
            "{}{}",
            rate_line("Target conversion", c.target.rate, bc.map(|b| b.target.rate)),
            interval(c.target.interval)
        ));
        ui.label(format!(
            "{}{}",
            rate_line("Control conversion", c.control.rate, bc.map(|b| b.control.rate)),
            interval(c.control.interval)
        ));
        if let Some(d) = c.difference {
            let iv = c
                .difference_interval
                .map_or_else(String::new, |i| format!(" [{:+.1} to {:+.1} pt]", i.lo * 100.0, i.hi * 100.0));
            ui.label(format!("Difference: {:+.1} pt{iv}", d * 100.0));
        }
        let boost = |b: &Option<crate::sim::report::Boost>| b.as_ref().map(|b| b.percent);
        let was_boost = bc.map(|b| boost(&b.boost));
        match &c.boost {
            Some(b) => ui.label(format!(
                "Boost: {:+.1}% [{:+.1}% to {:+.1}%]{}",
                b.percent,
                b.interval.lo,
                b.interval.hi,
                match was_boost {
                    Some(Some(w)) => format!(" (was {w:+.1}%, {:+.1} pt)", b.percent - w),
                    Some(None) => " (was n/a)".to_owned(),
                    None => String::new(),
                }
            )),
            None => ui.label("Boost: n/a"),
        };
        ui.add_space(4.0);
        ui.strong(format!("Money ({cur})"));
        let v = &r.revenue;
        let bv = base.map(|b| &b.revenue);
        ui.label(money_line("Gross revenue, target", v.target, bv.map(|b| b.target)));
        ui.label(money_line("Gross revenue, control", v.control, bv.map(|b| b.control)));
        ui.label(format!(
            "Per entry: target {} · control {}",
            v.target_per_entry.map_or("n/a".into(), fmt_money),
            v.control_per_entry.map_or("n/a".into(), fmt_money)
        ));
        ui.label(money_line("Message cost", v.cost, bv.map(|b| b.cost)));
        if let Some(s) = &r.spread {
            ui.add_space(4.0);
            ui.strong(format!("Across {} replicates (mean ± sd)", r.run.replicates));
            ui.label(format!("Entered {:.0} ± {:.0}", s.entered.mean, s.entered.sd));
            ui.label(format!("Goal met {:.0} ± {:.0}", s.goal_met.mean, s.goal_met.sd));
            ui.label(format!(
                "Target conversion {:.2}% ± {:.2}",
                s.conversion_target.mean * 100.0,
                s.conversion_target.sd * 100.0
            ));
        }
    });
    ui.add_space(6.0);
    suppression_ui(ui, r, base);
}

/// The suppression summary: per channel and for the journey, messages not sent and why,
/// DND deferrals with their mean delay, and the conversions of the entries affected.
fn suppression_ui(ui: &mut Ui, r: &Report, base: Option<&Report>) {
    let s = &r.suppression;
    if s.channels.is_empty() {
        return;
    }
    ui.strong("Messages not sent, and why");
    egui::Grid::new("suppression").striped(true).show(ui, |ui| {
        for h in [
            "Channel",
            "Not sent",
            "DND skipped",
            "Capped",
            "No address",
            "Unsubscribed",
            "Fatigue",
            "Aborted",
            "DND deferred",
            "Mean delay",
            "Entries affected",
            "Of those converted",
        ] {
            ui.strong(h);
        }
        ui.end_row();
        for row in s.channels.iter().chain(std::iter::once(&s.journey)) {
            let was = base.and_then(|b| {
                if row.channel.is_none() {
                    Some(&b.suppression.journey)
                } else {
                    b.suppression.channels.iter().find(|x| x.channel == row.channel)
                }
            });
            ui.label(row.channel.map_or("All channels", |c| c.label()));
            ui.label(with_delta(row.not_sent, was.map(|w| w.not_sent)));
            for v in [
                row.dnd_skipped,
                row.capped,
                row.unreachable_no_address,
                row.unreachable_unsubscribed,
                row.unreachable_fatigue,
                row.aborted,
                row.dnd_deferred,
            ] {
                ui.label(fmt_count(v));
            }
            ui.label(row.dnd_mean_delay_secs.map_or_else(|| "–".to_owned(), crate::figures::text::fmt_duration));
            ui.label(fmt_count(row.affected_entries));
            ui.label(format!(
                "{} ({})",
                fmt_count(row.affected_conversions),
                fmt_pct(share(row.affected_conversions, row.affected_entries))
            ));
            ui.end_row();
        }
    });
}

/// "6,921" or, with a baseline value, "6,921 (+12)".
fn with_delta(now: u64, was: Option<u64>) -> String {
    match was {
        Some(w) => format!("{} ({})", fmt_count(now), crate::figures::text::fmt_delta(now, w)),
        None => fmt_count(now),
    }
}

fn node_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, selected: Option<NodeId>) {
    let Some(n) = selected.and_then(|id| r.nodes.iter().find(|n| n.id == id)) else {
        ui.weak("Click a node on the canvas to see its statistics.");
        return;
    };
    let b = base.and_then(|b| b.nodes.iter().find(|x| x.id == n.id));
    ui.heading(format!("{} ({}, {})", n.label, n.kind, n.id));
    ui.label(count_line("Entered", n.entered, b.map(|b| b.entered)));
    for port in &n.ports {
        let to = port.target.map_or("unlinked: completes".to_owned(), |t| format!("to {t}"));
        let bm = b.and_then(|b| b.ports.iter().find(|p| p.port == port.port)).map(|p| p.moved);
        ui.label(format!(
            "{} ({}, {})",
            count_line(&format!("Out “{}”", port.label), port.moved, bm),
            fmt_pct(share(port.moved, n.entered)),
            to
        ));
    }
    ui.label(count_line("Completed here", n.completed, b.map(|b| b.completed)));
    ui.label(count_line("Waiting before (end)", n.waiting_before, b.map(|b| b.waiting_before)));
    ui.label(count_line("Held here (end)", n.waiting_at, b.map(|b| b.waiting_at)));
    ui.label(count_line("Goal met while waiting before", n.goal_before, b.map(|b| b.goal_before)));
    ui.label(count_line("Goal met while held", n.goal_at, b.map(|b| b.goal_at)));
    ui.label(count_line("Timed out here", n.timed_out, b.map(|b| b.timed_out)));
    if let Some(c) = &n.channel {
        let bc = b.and_then(|b| b.channel.as_ref());
        ui.strong("Channel");
        let rows: [(&str, ChannelFigure); 12] = [
            ("Sent", |c| c.sent),
            ("Failed", |c| c.failed),
            ("Unreachable", |c| c.unreachable),
            ("Delivered", |c| c.delivered),
            ("Viewed", |c| c.viewed),
            ("Clicked", |c| c.clicked),
            ("DND deferred", |c| c.dnd_deferred),
            ("DND skipped", |c| c.dnd_skipped),
            ("Capped", |c| c.capped),
            ("Aborted", |c| c.aborted),
            ("Unsubscribed", |c| c.unsubscribed),
            ("Conversions (last touch)", |c| c.conversions),
        ];
        for (label, f) in rows {
            ui.label(count_line(label, f(c), bc.map(f)));
        }
        ui.label(money_line("Cost", c.cost, bc.map(|b| b.cost)));
    }
    if !n.variants.is_empty() {
        ui.strong("Content variants");
        variants_grid_ui(ui, n);
    }
    if !n.paths.is_empty() {
        ui.strong("Paths");
        let total: u64 = n.paths.iter().map(|p| p.users).sum();
        for p in &n.paths {
            ui.label(format!(
                "{}: {} users ({}), {} conversions ({})",
                p.name,
                fmt_count(p.users),
                fmt_pct(share(p.users, total)),
                fmt_count(p.conversions),
                fmt_pct(share(p.conversions, p.users))
            ));
        }
    }
}

/// A bar chart over nodes; returns the node of a clicked bar.
fn node_bars(
    ui: &mut Ui,
    id: &str,
    unit: &str,
    series: &[(&str, Vec<NodeBar>)],
    charts: &mut Option<egui::Rect>,
) -> Option<NodeId> {
    let ids: Vec<NodeId> = series.first().map(|(_, v)| v.iter().map(|(id, _, _)| *id).collect()).unwrap_or_default();
    let names: Vec<String> =
        series.first().map(|(_, v)| v.iter().map(|(_, n, _)| n.clone()).collect()).unwrap_or_default();
    let k = series.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let width = 0.8 / k as f64;
    let plot = Plot::new(id)
        .height(220.0)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_drag(false)
        .x_axis_label("node")
        .y_axis_label(unit.to_owned())
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let name = if (m.value - i).abs() < 1e-6 && i >= 0.0 { names.get(i as usize).cloned() } else { None };
            name.unwrap_or_default()
        });
    let scope = ui.scope(|ui| {
        plot.show(ui, |pu| {
            for (s, (name, values)) in series.iter().enumerate() {
                #[allow(clippy::cast_precision_loss)]
                let bars = values
                    .iter()
                    .enumerate()
                    .map(|(i, (_, label, v))| {
                        Bar::new(i as f64 + (s as f64 - (k as f64 - 1.0) / 2.0) * width, *v).width(width).name(label)
                    })
                    .collect();
                pu.bar_chart(BarChart::new(*name, bars));
            }
        })
    });
    // The scope holds the plot with its axes and their labels.
    note_chart(ui, scope.response.rect, charts);
    let resp = scope.inner;
    if resp.response.clicked()
        && let Some(pos) = resp.response.interact_pointer_pos()
    {
        let x = resp.transform.value_from_position(pos).x.round();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return (x >= 0.0).then(|| ids.get(x as usize).copied()).flatten();
    }
    None
}

#[allow(clippy::cast_precision_loss)]
fn channels_ui(
    ui: &mut Ui,
    r: &Report,
    base: Option<&Report>,
    tz: Option<chrono_tz::Tz>,
    charts: &mut Option<egui::Rect>,
) -> Option<NodeId> {
    let cur = &r.currency;
    egui::Grid::new("channel_totals").striped(true).show(ui, |ui| {
        let cost = format!("Cost ({cur})");
        for h in ["Channel", "Sent", &cost, "Peak per hour", "Peak hour"] {
            ui.strong(h);
        }
        ui.end_row();
        for c in &r.channels {
            let was = base.and_then(|b| b.channels.iter().find(|x| x.channel == c.channel));
            ui.label(c.channel.label());
            ui.label(with_delta(c.sent, was.map(|w| w.sent)));
            ui.label(match was {
                Some(w) => {
                    format!("{} ({})", fmt_money(c.cost), crate::figures::text::fmt_money_delta(c.cost - w.cost))
                }
                None => fmt_money(c.cost),
            });
            ui.label(with_delta(c.peak_per_hour, was.map(|w| w.peak_per_hour)));
            ui.label(c.peak_hour_start.map_or("–".into(), |t| {
                let secs = t.since(r.run.start).0 as f64;
                super::timeline::date_time(r, tz, secs)
            }));
            ui.end_row();
        }
    });
    ui.label(money_line(&format!("Total message cost ({cur})"), r.total_cost, base.map(|b| b.total_cost)));
    let nodes: Vec<&NodeStats> = r.nodes.iter().filter(|n| n.channel.is_some()).collect();
    if nodes.is_empty() {
        ui.weak("No channel nodes.");
        return None;
    }
    egui::Grid::new("channel_nodes").striped(true).show(ui, |ui| {
        for h in [
            "Node",
            "Sent",
            "Failed",
            "Unreachable",
            "Viewed",
            "Clicked",
            "Click-through",
            "DND deferred",
            "DND skipped",
            "Capped",
            "Unsubscribed",
            "Cost",
        ] {
            ui.strong(h);
        }
        ui.end_row();
        for n in &nodes {
            let Some(c) = &n.channel else { continue };
            let was = base.and_then(|b| b.nodes.iter().find(|x| x.id == n.id)).and_then(|x| x.channel.as_ref());
            ui.label(&n.label);
            let rows: [ChannelFigure; 5] = [|c| c.sent, |c| c.failed, |c| c.unreachable, |c| c.viewed, |c| c.clicked];
            for f in rows {
                ui.label(with_delta(f(c), was.map(f)));
            }
            ui.label(rate_text(click_through(c), was.map(click_through)));
            let rows: [ChannelFigure; 4] = [|c| c.dnd_deferred, |c| c.dnd_skipped, |c| c.capped, |c| c.unsubscribed];
            for f in rows {
                ui.label(with_delta(f(c), was.map(f)));
            }
            ui.label(fmt_money(c.cost));
            ui.end_row();
        }
    });
    let series = |r: &Report, f: ChannelFigure| -> Vec<(NodeId, String, f64)> {
        nodes
            .iter()
            .map(|n| {
                let v = r.nodes.iter().find(|x| x.id == n.id).and_then(|x| x.channel.as_ref()).map_or(0, f);
                (n.id, n.label.clone(), v as f64)
            })
            .collect()
    };
    let mut all = vec![("Sent", series(r, |c| c.sent)), ("Clicked", series(r, |c| c.clicked))];
    if let Some(b) = base {
        all.push(("Sent (baseline)", series(b, |c| c.sent)));
        all.push(("Clicked (baseline)", series(b, |c| c.clicked)));
    } else {
        all.push(("Unreachable", series(r, |c| c.unreachable)));
    }
    node_bars(ui, "channel_volumes", "messages", &all, charts)
}

/// Clicks per message sent (per message viewed for channels that track views).
#[must_use]
pub fn click_through(c: &crate::sim::report::ChannelStats) -> Option<f64> {
    if c.viewed > 0 { share(c.clicked, c.viewed) } else { share(c.clicked, c.sent) }
}

#[allow(clippy::cast_precision_loss)]
fn trends_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, hourly: &mut bool, charts: &mut Option<egui::Rect>) {
    ui.horizontal(|ui| {
        ui.label("Trends per");
        ui.selectable_value(hourly, false, "day");
        ui.selectable_value(hourly, true, "hour");
    });
    type Counts = (u64, u64, u64, u64);
    type Series = (&'static str, fn(&Counts) -> u64);
    let points = |rep: &Report| -> Vec<(f64, Counts)> {
        if *hourly {
            rep.trends_hourly
                .iter()
                .map(|h| (f64::from(h.hour), (h.entered, h.completed, h.goal_met, h.timed_out)))
                .collect()
        } else {
            rep.trends.iter().map(|d| (f64::from(d.day), (d.entered, d.completed, d.goal_met, d.timed_out))).collect()
        }
    };
    let series: [Series; 4] =
        [("Entered", |c| c.0), ("Completed", |c| c.1), ("Goal met", |c| c.2), ("Timed out", |c| c.3)];
    let (unit, x_label) =
        if *hourly { ("users per hour", "hours from the start") } else { ("users per day", "days from the start") };
    let now = points(r);
    let was = base.map(points);
    let scope = ui.scope(|ui| {
        Plot::new(if *hourly { "trends_hourly" } else { "trends" })
            .height(240.0)
            .legend(Legend::default())
            .x_axis_label(x_label)
            .y_axis_label(unit)
            .show(ui, |pu| {
                for (name, f) in series {
                    let pts: PlotPoints = now.iter().map(|(x, c)| [*x, f(c) as f64]).collect();
                    pu.line(Line::new(name.to_owned(), pts));
                    if let Some(was) = &was {
                        let pts: PlotPoints = was.iter().map(|(x, c)| [*x, f(c) as f64]).collect();
                        pu.line(
                            Line::new(format!("{name} (baseline)"), pts).style(egui_plot::LineStyle::dashed_loose()),
                        );
                    }
                }
            })
    });
    note_chart(ui, scope.response.rect, charts);
}

/// One path through the graph from the entry: its steps (node, users along the path there).
#[derive(Clone, Debug, PartialEq)]
pub struct FunnelPath {
    /// The path's name: the split paths or ports taken.
    pub name: String,
    /// Each step's node and the users who followed this path that far.
    pub steps: Vec<(NodeId, String, u64)>,
}

/// The most paths the funnel shows.
pub const MAX_FUNNEL_PATHS: usize = 8;

/// The funnel per path: the routes from the entry, forking at splits and checks (a
/// split's paths side by side) and elsewhere following the port most users took; each
/// step counts the users who came that way: the users who took the link into it, never
/// more than the step before (flows that merge in are not counted).
#[must_use]
pub fn funnel_paths(r: &Report) -> Vec<FunnelPath> {
    let Some(entry) = r.nodes.iter().find(|n| n.kind == "Entry").or_else(|| r.nodes.first()) else { return Vec::new() };
    let mut out = Vec::new();
    let mut stack = vec![(entry, Vec::<String>::new(), vec![(entry.id, entry.label.clone(), entry.entered)])];
    while let Some((n, names, steps)) = stack.pop() {
        let last = steps.last().map_or(0, |s| s.2);
        let mut next: Vec<_> = n
            .ports
            .iter()
            .filter_map(|p| p.target.map(|t| (p, t)))
            .filter(|(_, t)| !steps.iter().any(|s| s.0 == *t))
            .filter_map(|(p, t)| r.nodes.iter().find(|x| x.id == t).map(|x| (p, x)))
            .filter(|(p, _)| p.moved > 0)
            .collect();
        // Paths fork at splits and checks; elsewhere the funnel follows the busiest port.
        let forks = !n.paths.is_empty() || n.kind == crate::model::KindTag::Condition.label();
        if !forks && next.len() > 1 {
            let busiest = next.iter().map(|(p, _)| p.moved).max().unwrap_or(0);
            if let Some(keep) = next.iter().position(|(p, _)| p.moved == busiest) {
                next = vec![next.swap_remove(keep)];
            }
        }
        if next.is_empty() || out.len() + stack.len() >= MAX_FUNNEL_PATHS {
            let name = if names.is_empty() { "Main path".to_owned() } else { names.join(" › ") };
            out.push(FunnelPath { name, steps });
            continue;
        }
        next.reverse();
        let branching = next.len() > 1;
        for (p, x) in next {
            let mut names = names.clone();
            if branching {
                names.push(p.label.clone());
            }
            let mut steps = steps.clone();
            steps.push((x.id, x.label.clone(), p.moved.min(last)));
            stack.push((x, names, steps));
        }
    }
    out
}

#[allow(clippy::cast_precision_loss)]
fn funnel_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, charts: &mut Option<egui::Rect>) -> Option<NodeId> {
    let paths = funnel_paths(r);
    let was = base.map(funnel_paths);
    let mut select = None;
    ui.label(format!(
        "Goal met {} ({} of entered). Each path counts the users who came that way.",
        fmt_count(r.journey.goal_met),
        fmt_pct(share(r.journey.goal_met, r.journey.entered))
    ));
    ui.horizontal_wrapped(|ui| {
        for (k, path) in paths.iter().enumerate() {
            let old = was.as_ref().and_then(|w| w.iter().find(|x| x.name == path.name));
            ui.vertical(|ui| {
                ui.strong(&path.name);
                egui::Grid::new(("funnel_path", k)).striped(true).show(ui, |ui| {
                    ui.strong("Step");
                    ui.strong("Users");
                    ui.strong("Of the first");
                    ui.end_row();
                    let first = path.steps.first().map_or(0, |s| s.2);
                    for (id, label, users) in &path.steps {
                        if ui.link(label).clicked() {
                            select = Some(*id);
                        }
                        let before = old.and_then(|o| o.steps.iter().find(|s| s.0 == *id)).map(|s| s.2);
                        ui.label(with_delta(*users, before));
                        ui.label(fmt_pct(share(*users, first)));
                        ui.end_row();
                    }
                });
            });
            ui.add_space(12.0);
        }
    });
    let longest = paths.iter().map(|p| p.steps.len()).max().unwrap_or(0);
    let names: Vec<String> = (1..=longest).map(|i| format!("step {i}")).collect();
    let series: Vec<(&str, Vec<NodeBar>)> = paths
        .iter()
        .map(|p| {
            let bars =
                p.steps.iter().map(|(id, label, users)| (*id, label.clone(), *users as f64)).collect::<Vec<NodeBar>>();
            (p.name.as_str(), bars)
        })
        .collect();
    let clicked = step_bars(ui, "funnel", &names, &series, charts);
    select.or(clicked)
}

/// Bars per step for several paths side by side; returns the node of a clicked bar.
#[allow(clippy::cast_precision_loss)]
fn step_bars(
    ui: &mut Ui,
    id: &str,
    names: &[String],
    series: &[(&str, Vec<NodeBar>)],
    charts: &mut Option<egui::Rect>,
) -> Option<NodeId> {
    let k = series.len().max(1);
    let width = 0.8 / k as f64;
    let names = names.to_vec();
    let plot = Plot::new(id)
        .height(220.0)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_drag(false)
        .x_axis_label("step along the path")
        .y_axis_label("users")
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let name = if (m.value - i).abs() < 1e-6 && i >= 0.0 { names.get(i as usize).cloned() } else { None };
            name.unwrap_or_default()
        });
    let scope = ui.scope(|ui| {
        plot.show(ui, |pu| {
            for (s, (name, values)) in series.iter().enumerate() {
                let bars = values
                    .iter()
                    .enumerate()
                    .map(|(i, (_, label, v))| {
                        Bar::new(i as f64 + (s as f64 - (k as f64 - 1.0) / 2.0) * width, *v).width(width).name(label)
                    })
                    .collect();
                pu.bar_chart(BarChart::new(*name, bars));
            }
        })
    });
    note_chart(ui, scope.response.rect, charts);
    let resp = scope.inner;
    if resp.response.clicked()
        && let Some(pos) = resp.response.interact_pointer_pos()
    {
        let v = resp.transform.value_from_position(pos);
        let step = v.x.round();
        let s = ((v.x - step) / width + (k as f64 - 1.0) / 2.0).round();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        if step >= 0.0 && s >= 0.0 {
            return series.get(s as usize).and_then(|(_, v)| v.get(step as usize)).map(|b| b.0);
        }
    }
    None
}

/// A share with its interval, "3.00% [2.80, 3.20]".
fn share_text(s: &crate::sim::report::Share) -> String {
    format!("{}{}", fmt_pct(s.rate), interval(s.interval))
}

/// A difference of shares in points with its interval, "+1.20 pt [+0.40, +2.00]".
fn points_text(e: &crate::sim::report::Estimate) -> String {
    let f = |x: f64| format!("{:+.2}", x * 100.0);
    match (e.value, e.low, e.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{} pt [{}, {}]", f(v), f(lo), f(hi)),
        (Some(v), _, _) => format!("{} pt", f(v)),
        _ => "n/a".to_owned(),
    }
}

/// A channel node's content variants: counts, rates per message sent with 95% intervals,
/// and each later variant's difference against the first.
fn variants_grid_ui(ui: &mut Ui, n: &NodeStats) {
    let first = n.variants.first().map_or("", |v| v.name.as_str());
    egui::Grid::new(("variant_stats", n.id)).striped(true).show(ui, |ui| {
        for h in [
            "Variant",
            "Plan",
            "Sent",
            "Viewed",
            "Clicked",
            "Conversions",
            "View rate",
            "Click rate",
            "Conversion rate",
        ] {
            ui.strong(h);
        }
        ui.end_row();
        for v in &n.variants {
            ui.label(&v.name);
            ui.label(format!("{}%", v.percent));
            ui.label(fmt_count(v.sent));
            ui.label(fmt_count(v.viewed));
            ui.label(fmt_count(v.clicked));
            ui.label(fmt_count(v.conversions));
            ui.label(share_text(&v.view_rate));
            ui.label(share_text(&v.click_rate));
            ui.label(share_text(&v.conversion_rate));
            ui.end_row();
        }
    });
    for v in &n.variants {
        if let Some(d) = &v.vs_first {
            ui.label(format!(
                "{} vs {first}: view {}, click {}, conversion {}",
                v.name,
                points_text(&d.view_rate),
                points_text(&d.click_rate),
                points_text(&d.conversion_rate)
            ));
        }
    }
}

/// Every channel node with content variants, as in the node tab; returns a node to select.
fn variant_nodes_ui(ui: &mut Ui, r: &Report) -> Option<NodeId> {
    let mut select = None;
    for n in r.nodes.iter().filter(|n| !n.variants.is_empty()) {
        if ui
            .link(format!("{} ({}) content variants", n.label, n.id))
            .on_hover_text("Select this message on the canvas")
            .clicked()
        {
            select = Some(n.id);
        }
        variants_grid_ui(ui, n);
        ui.add_space(6.0);
    }
    select
}

/// Every random split: its paths' users, shares and conversions (per entry that took
/// the path), with intervals, against the baseline when one is kept; a chart of the
/// conversion rates. Returns a node to select (a clicked split name or bar).
fn splits_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, charts: &mut Option<egui::Rect>) -> Option<NodeId> {
    let splits: Vec<&NodeStats> =
        r.nodes.iter().filter(|n| n.kind == crate::model::KindTag::RandomSplit.label()).collect();
    let mut select = variant_nodes_ui(ui, r);
    if splits.is_empty() {
        ui.weak("This journey has no random split.");
        return select;
    }
    let mut bars = Vec::new();
    let mut base_bars = Vec::new();
    for n in &splits {
        if ui.link(format!("{} ({})", n.label, n.id)).on_hover_text("Select this split on the canvas").clicked() {
            select = Some(n.id);
        }
        let total: u64 = n.paths.iter().map(|p| p.users).sum();
        let was = base.and_then(|b| b.nodes.iter().find(|x| x.id == n.id));
        egui::Grid::new(("split_paths", n.id)).striped(true).show(ui, |ui| {
            for h in ["Path", "Users", "Share", "Conversions", "Conversion rate"] {
                ui.strong(h);
            }
            ui.end_row();
            for p in &n.paths {
                let rate = share(p.conversions, p.users);
                let was_rate =
                    was.and_then(|w| w.paths.iter().find(|x| x.path == p.path)).map(|w| share(w.conversions, w.users));
                ui.label(&p.name);
                let was_path = was.and_then(|w| w.paths.iter().find(|x| x.path == p.path));
                ui.label(with_delta(p.users, was_path.map(|w| w.users)));
                ui.label(fmt_pct(share(p.users, total)));
                ui.label(with_delta(p.conversions, was_path.map(|w| w.conversions)));
                ui.label(format!(
                    "{}{}",
                    rate_text(rate, was_rate),
                    interval(crate::sim::intervals::wilson(p.conversions, p.users))
                ));
                ui.end_row();
                #[allow(clippy::cast_precision_loss)]
                bars.push((n.id, format!("{} / {}", n.label, p.name), rate.unwrap_or(0.0) * 100.0));
                if let Some(w) = was_path {
                    #[allow(clippy::cast_precision_loss)]
                    base_bars.push((
                        n.id,
                        format!("{} / {}", n.label, p.name),
                        share(w.conversions, w.users).unwrap_or(0.0) * 100.0,
                    ));
                }
            }
        });
        ui.add_space(6.0);
    }
    ui.label("Conversion rate per path (%)");
    let mut series = vec![("Conversion rate %", bars)];
    if !base_bars.is_empty() {
        series.push(("Baseline %", base_bars));
    }
    select.or(node_bars(ui, "split_rates", "conversion rate (%)", &series, charts))
}

fn follow_ui(ui: &mut Ui, r: &Report, follow: &mut Option<usize>, tz: Option<chrono_tz::Tz>) {
    if r.trajectories.is_empty() {
        ui.weak("No sample users were recorded.");
        return;
    }
    let entered =
        |t: &crate::sim::report::Trajectory| t.steps.iter().any(|s| matches!(s.kind, StepKind::Entered { .. }));
    ui.horizontal_wrapped(|ui| {
        ui.label("Sample user:");
        ui.selectable_value(follow, None, "none");
        for (i, t) in r.trajectories.iter().enumerate().filter(|(_, t)| entered(t)) {
            ui.selectable_value(follow, Some(i), format!("#{}", t.user));
        }
    });
    let never: Vec<String> = r.trajectories.iter().filter(|t| !entered(t)).map(|t| format!("#{}", t.user)).collect();
    if !never.is_empty() {
        ui.weak(format!(
            "Never entered: {}. They did not meet the entry rule within the {} days simulated, or were turned away \
             (already inside, re-entry, unsubscribed from every channel).",
            never.join(", "),
            r.run.horizon_days
        ));
    }
    let Some(t) = follow.and_then(|i| r.trajectories.get(i)) else { return };
    let name = |id: Option<NodeId>| {
        id.and_then(|id| r.nodes.iter().find(|n| n.id == id)).map_or("(off the graph)".to_owned(), |n| n.label.clone())
    };
    egui::Grid::new("trajectory").striped(true).show(ui, |ui| {
        for s in &t.steps {
            #[allow(clippy::cast_precision_loss)]
            let secs = s.time.since(r.run.start).0 as f64;
            ui.label(super::timeline::date_time(r, tz, secs));
            ui.label(name(s.node));
            let what = match &s.kind {
                StepKind::Entered { control: true } => "entered (control group)".to_owned(),
                StepKind::Entered { control: false } => "entered".to_owned(),
                StepKind::Arrived => "arrived".to_owned(),
                StepKind::Left(p) => format!("left by {p:?}"),
                StepKind::Sent => "message sent".to_owned(),
                StepKind::Goal(g) => format!("goal met: {}", r.goals.get(*g).map_or("?", |g| g.name.as_str())),
                StepKind::Completed => "completed".to_owned(),
                StepKind::ForceExit => "force exit".to_owned(),
                StepKind::TimedOut => "timed out".to_owned(),
                StepKind::ExitCriterion => "exit criterion".to_owned(),
            };
            ui.label(RichText::new(what));
            ui.end_row();
        }
    });
}
