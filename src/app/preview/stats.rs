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
use crate::sim::intervals::Interval;
use crate::sim::report::{NodeStats, StepKind};

/// One journey count of the report.
type JourneyFigure = fn(&crate::sim::report::JourneyStats) -> u64;
/// One channel counter of a node.
type ChannelFigure = fn(&crate::sim::report::ChannelStats) -> u64;
/// A bar of a node chart: node, label, height.
type NodeBar = (NodeId, String, f64);

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
    });
    ui.separator();
    let Some(o) = &p.outcome else { return None };
    let r = &o.report;
    let base = p.baseline.as_ref().map(|b| &b.report);
    let mut charts = None;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match p.tab {
        Tab::Summary => summary_ui(ui, r, base),
        Tab::Node => node_ui(ui, r, base, selected),
        Tab::Channels => select = channels_ui(ui, r, &mut charts),
        Tab::Trends => trends_ui(ui, r, &mut charts),
        Tab::Funnel => select = funnel_ui(ui, r, &mut charts),
        Tab::Splits => select = splits_ui(ui, r, base, &mut charts),
        Tab::Follow => follow_ui(ui, r, &mut p.follow, o.journey.setup.timezone.account.zone()),
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
    crate::format::write_atomic(path, text.as_bytes())?;
    Ok(())
}

fn interval(i: Option<Interval>) -> String {
    i.map_or_else(String::new, |i| format!(" [{:.1}–{:.1}%]", i.lo * 100.0, i.hi * 100.0))
}

fn summary_ui(ui: &mut Ui, r: &Report, base: Option<&Report>) {
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
        match &c.boost {
            Some(b) => {
                ui.label(format!("Boost: {:+.1}% [{:+.1}% to {:+.1}%]", b.percent, b.interval.lo, b.interval.hi))
            }
            None => ui.label("Boost: n/a"),
        };
        ui.add_space(4.0);
        ui.strong("Revenue");
        let v = &r.revenue;
        let bv = base.map(|b| &b.revenue);
        ui.label(money_line("Revenue (target)", v.target, bv.map(|b| b.target)));
        ui.label(money_line("Revenue (control)", v.control, bv.map(|b| b.control)));
        ui.label(format!(
            "Per entry: target {} · control {}",
            v.target_per_entry.map_or("n/a".into(), fmt_money),
            v.control_per_entry.map_or("n/a".into(), fmt_money)
        ));
        ui.label(v.boost_percent.map_or("Revenue boost: n/a".into(), |b| format!("Revenue boost: {b:+.1}%")));
        ui.label(money_line("Message cost", v.cost, bv.map(|b| b.cost)));
        ui.label(money_line("Return (revenue − cost)", v.revenue_minus_cost, bv.map(|b| b.revenue_minus_cost)));
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
        .height(200.0)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_drag(false)
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
fn channels_ui(ui: &mut Ui, r: &Report, charts: &mut Option<egui::Rect>) -> Option<NodeId> {
    egui::Grid::new("channel_totals").striped(true).show(ui, |ui| {
        for h in ["Channel", "Sent", "Cost", "Peak per hour", "Peak hour"] {
            ui.strong(h);
        }
        ui.end_row();
        for c in &r.channels {
            ui.label(format!("{:?}", c.channel));
            ui.label(fmt_count(c.sent));
            ui.label(fmt_money(c.cost));
            ui.label(fmt_count(c.peak_per_hour));
            ui.label(
                c.peak_hour_start
                    .and_then(crate::model::Timestamp::to_utc)
                    .map_or("–".into(), |t| t.format("%-d %b %H:%M UTC").to_string()),
            );
            ui.end_row();
        }
    });
    ui.label(format!("Total message cost: {}", fmt_money(r.total_cost)));
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
            ui.label(&n.label);
            for v in [
                c.sent,
                c.failed,
                c.unreachable,
                c.viewed,
                c.clicked,
                c.dnd_deferred,
                c.dnd_skipped,
                c.capped,
                c.unsubscribed,
            ] {
                ui.label(fmt_count(v));
            }
            ui.label(fmt_money(c.cost));
            ui.end_row();
        }
    });
    let series = |f: fn(&crate::sim::report::ChannelStats) -> u64| -> Vec<(NodeId, String, f64)> {
        nodes.iter().filter_map(|n| Some((n.id, n.label.clone(), f(n.channel.as_ref()?) as f64))).collect()
    };
    node_bars(
        ui,
        "channel_volumes",
        &[("Sent", series(|c| c.sent)), ("Clicked", series(|c| c.clicked)), ("Unreachable", series(|c| c.unreachable))],
        charts,
    )
}

#[allow(clippy::cast_precision_loss)]
fn trends_ui(ui: &mut Ui, r: &Report, charts: &mut Option<egui::Rect>) {
    let line = |name: &str, f: fn(&crate::sim::report::DayTrend) -> u64| {
        let pts: PlotPoints = r.trends.iter().map(|d| [f64::from(d.day), f(d) as f64]).collect();
        Line::new(name.to_owned(), pts)
    };
    let scope = ui.scope(|ui| {
        Plot::new("trends").height(220.0).legend(Legend::default()).x_axis_label("day").y_axis_label("users").show(
            ui,
            |pu| {
                pu.line(line("Entered", |d| d.entered));
                pu.line(line("Completed", |d| d.completed));
                pu.line(line("Goal met", |d| d.goal_met));
                pu.line(line("Timed out", |d| d.timed_out));
            },
        )
    });
    note_chart(ui, scope.response.rect, charts);
}

/// The main path: from the entry, at each node the port most users took.
#[must_use]
pub fn main_path(r: &Report) -> Vec<&NodeStats> {
    let mut path = Vec::new();
    let mut at = r.nodes.iter().find(|n| n.kind == "Entry").or_else(|| r.nodes.first());
    while let Some(n) = at {
        if path.iter().any(|p: &&NodeStats| p.id == n.id) {
            break;
        }
        path.push(n);
        let next = n.ports.iter().filter(|p| p.target.is_some()).max_by_key(|p| p.moved).and_then(|p| p.target);
        at = next.and_then(|id| r.nodes.iter().find(|x| x.id == id));
    }
    path
}

#[allow(clippy::cast_precision_loss)]
fn funnel_ui(ui: &mut Ui, r: &Report, charts: &mut Option<egui::Rect>) -> Option<NodeId> {
    let path = main_path(r);
    ui.label(format!(
        "Main path: {} > goal met {} ({} of entered)",
        path.iter().map(|n| n.label.as_str()).collect::<Vec<_>>().join(" > "),
        fmt_count(r.journey.goal_met),
        fmt_pct(share(r.journey.goal_met, r.journey.entered))
    ));
    let values: Vec<(NodeId, String, f64)> = path.iter().map(|n| (n.id, n.label.clone(), n.entered as f64)).collect();
    node_bars(ui, "funnel", &[("Entered", values)], charts)
}

/// Every random split: its paths' users, shares and conversions (per entry that took
/// the path), with intervals, against the baseline when one is kept; a chart of the
/// conversion rates. Returns a node to select (a clicked split name or bar).
fn splits_ui(ui: &mut Ui, r: &Report, base: Option<&Report>, charts: &mut Option<egui::Rect>) -> Option<NodeId> {
    let splits: Vec<&NodeStats> =
        r.nodes.iter().filter(|n| n.kind == crate::model::KindTag::RandomSplit.label()).collect();
    if splits.is_empty() {
        ui.weak("This journey has no random split.");
        return None;
    }
    let mut select = None;
    let mut bars = Vec::new();
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
                ui.label(fmt_count(p.users));
                ui.label(fmt_pct(share(p.users, total)));
                ui.label(fmt_count(p.conversions));
                ui.label(format!(
                    "{}{}",
                    rate_text(rate, was_rate),
                    interval(crate::sim::intervals::wilson(p.conversions, p.users))
                ));
                ui.end_row();
                #[allow(clippy::cast_precision_loss)]
                bars.push((n.id, format!("{} / {}", n.label, p.name), rate.unwrap_or(0.0) * 100.0));
            }
        });
        ui.add_space(6.0);
    }
    ui.label("Conversion rate per path (%)");
    select.or(node_bars(ui, "split_rates", &[("Conversion rate %", bars)], charts))
}

fn follow_ui(ui: &mut Ui, r: &Report, follow: &mut Option<usize>, tz: Option<chrono_tz::Tz>) {
    if r.trajectories.is_empty() {
        ui.weak("No sample users were recorded.");
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Sample user:");
        ui.selectable_value(follow, None, "none");
        for (i, t) in r.trajectories.iter().enumerate() {
            ui.selectable_value(follow, Some(i), format!("#{}", t.user));
        }
    });
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
