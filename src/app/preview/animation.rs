//! The canvas overlay after a run: per-node badges (entered and the main outcomes,
//! absolute or percent) and goal-card badges that follow the timeline clock, users
//! waiting, moved on, converted and timed out at the clock time, dots moving along each
//! link in proportion to its flow in the current bucket, and a followed sample user's
//! path with the time of each step.
//!
//! Invariants: drawn in canvas units on the canvas's own scene layer, above the cards;
//! every number comes from the report (replicate 0 buckets up to the clock; the run's
//! totals once the clock is at the horizon's end); nodes, goals or links missing from the
//! current journey are skipped.

use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Stroke, Vec2, pos2, vec2};

use super::timeline::{bucket_at, bucket_phase, date_time};
use super::{Outcome, Preview};
use crate::app::canvas::CanvasView;
use crate::app::canvas::geometry::{bezier_at, goal_rect, input_port_pos, link_curve, node_rect, output_port_pos};
use crate::figures::text::{fmt_count, fmt_pct, share};
use crate::model::{Journey, NodeId, OutputRef};
use crate::sim::Report;
use crate::sim::report::{NodeStats, StepKind};

/// The most dots on one link at a time.
pub const MAX_DOTS: usize = 12;
/// Dot radius, canvas units.
const DOT_RADIUS: f32 = 3.5;
/// Badge colours.
const BADGE_BG: Color32 = Color32::from_rgb(32, 56, 92);
const BADGE_TEXT: Color32 = Color32::from_rgb(235, 242, 255);
const COUNT_BG: Color32 = Color32::from_rgb(40, 90, 60);
const DOT: Color32 = Color32::from_rgb(255, 196, 60);
const FOLLOW: Color32 = Color32::from_rgb(236, 72, 153);
/// Badges are hidden below this zoom.
const MIN_BADGE_SCALE: f32 = 0.3;

/// (waiting, passed) at `node` at the end of bucket `b`: waiting is the engine's
/// occupancy; passed is everyone who arrived so far and is no longer there.
#[must_use]
pub fn node_counts(report: &Report, node: NodeId, b: usize) -> Option<(u64, u64)> {
    let c = clock_counts(report, node, b)?;
    Some((c.waiting, c.moved_on + c.goal + c.timed_out))
}

/// A node's figures up to the end of one animation bucket (replicate 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockCounts {
    /// Arrivals so far (entries at the entry node).
    pub entered: u64,
    /// Messages sent so far.
    pub sent: u64,
    /// Messages clicked so far.
    pub clicked: u64,
    /// Users unreachable so far.
    pub unreachable: u64,
    /// Users at the node at the bucket's end.
    pub waiting: u64,
    /// Users who arrived and went on (or completed, or left by an exit criterion).
    pub moved_on: u64,
    /// Users who met a goal while held here.
    pub goal: u64,
    /// Users the journey timeout took out here.
    pub timed_out: u64,
}

/// `node`'s figures up to the end of bucket `b`.
#[must_use]
pub fn clock_counts(report: &Report, node: NodeId, b: usize) -> Option<ClockCounts> {
    let a = &report.animation;
    let n = a.nodes.iter().find(|n| n.node == node)?;
    let waiting = u64::from(*n.occupancy.get(b)?);
    let upto = (b + 1).min(a.buckets);
    let sum = |c: &[u32]| c[..upto.min(c.len())].iter().map(|x| u64::from(*x)).sum::<u64>();
    let entered = sum(&n.arrivals);
    let (goal, timed_out) = (sum(&n.goals), sum(&n.timed_out));
    Some(ClockCounts {
        entered,
        sent: sum(&n.sent),
        clicked: sum(&n.clicked),
        unreachable: sum(&n.unreachable),
        waiting,
        moved_on: entered.saturating_sub(waiting + goal + timed_out),
        goal,
        timed_out,
    })
}

/// A goal's conversions up to the end of bucket `b` (replicate 0).
#[must_use]
pub fn goal_met_by(report: &Report, goal: usize, b: usize) -> Option<u64> {
    let a = &report.animation;
    let g = a.goals.iter().find(|g| g.goal == goal)?;
    let upto = (b + 1).min(a.buckets).min(g.met.len());
    Some(g.met[..upto].iter().map(|x| u64::from(*x)).sum())
}

/// The badge lines of one node: entries, then its main outcomes. With `clock`, the
/// figures so far at the animation clock; without, the run's totals. In percent mode,
/// entries are a share of the journey's entries, sends of the node's entries, and clicks
/// a click-through rate (of delivered messages where delivery is tracked, else of sent).
#[must_use]
pub fn badge_lines(n: &NodeStats, clock: Option<&ClockCounts>, journey_entered: u64, percent: bool) -> Vec<String> {
    let fmt = |part: u64, whole: u64| if percent { fmt_pct(share(part, whole)) } else { fmt_count(part) };
    let entered = clock.map_or(n.entered, |c| c.entered);
    let mut lines = vec![format!("entered {}", fmt(entered, journey_entered))];
    if let Some(c) = &n.channel {
        let (sent, clicked, unreachable) =
            clock.map_or((c.sent, c.clicked, c.unreachable), |k| (k.sent, k.clicked, k.unreachable));
        let clicks = if percent {
            let base = if c.delivered > 0 { c.delivered } else { sent };
            format!("click-through {}", fmt_pct(share(clicked, base)))
        } else {
            format!("clicked {}", fmt_count(clicked))
        };
        lines.push(format!("sent {} · {clicks} · unreachable {}", fmt(sent, entered), fmt(unreachable, entered)));
    }
    if !n.paths.is_empty() && clock.is_none() {
        let total: u64 = n.paths.iter().map(|p| p.users).sum();
        let parts: Vec<String> = n
            .paths
            .iter()
            .map(|p| {
                let v = if percent { fmt_pct(share(p.users, total)) } else { fmt_count(p.users) };
                format!("{} {v}", p.name)
            })
            .collect();
        lines.push(parts.join(" · "));
    }
    lines
}

/// A node's badge lines at the preview's clock, and its flow counts there. Before the
/// end of the horizon the badges follow the clock (replicate 0); at the end they are the
/// run's totals (means over replicates).
#[must_use]
pub fn badges_at_clock(preview: &Preview, report: &Report, ns: &NodeStats) -> (Vec<String>, Option<ClockCounts>) {
    let counts = bucket_at(report, preview.clock.secs).and_then(|b| clock_counts(report, ns.id, b));
    let at_end = preview.clock.secs >= super::horizon_secs(report);
    let so_far = counts.filter(|_| !at_end);
    (badge_lines(ns, so_far.as_ref(), report.journey.entered, preview.percent), counts)
}

/// The line under a card at the clock: who is there, and where the others went (goal and
/// timed out only when there are some).
#[must_use]
pub fn flow_line(c: &ClockCounts) -> String {
    let mut parts = vec![format!("{} waiting", fmt_count(c.waiting)), format!("{} moved on", fmt_count(c.moved_on))];
    if c.goal > 0 {
        parts.push(format!("{} goal", fmt_count(c.goal)));
    }
    if c.timed_out > 0 {
        parts.push(format!("{} timed out", fmt_count(c.timed_out)));
    }
    parts.join(" · ")
}

/// How many dots a link with `crossings` shows when the busiest link has `busiest`.
#[must_use]
pub fn dot_count(crossings: u32, busiest: u32) -> usize {
    if crossings == 0 || busiest == 0 {
        return 0;
    }
    let n = (f64::from(crossings) / f64::from(busiest) * MAX_DOTS as f64).round();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = n as usize;
    n.clamp(1, MAX_DOTS)
}

fn link_geometry(journey: &Journey, from: NodeId, port: crate::model::Port, to: NodeId) -> Option<[Pos2; 4]> {
    let src = journey.graph.node(from)?;
    let dst = journey.graph.node(to)?;
    let index = src.kind.output_ports().iter().position(|p| *p == port)?;
    Some(link_curve(
        output_port_pos(src, node_rect(src, Vec2::ZERO), index),
        input_port_pos(node_rect(dst, Vec2::ZERO)),
    ))
}

/// A badge: `text` on a rounded pill. `grow` scales it up in canvas units (1 at 100 %
/// and above, 1 / zoom below), so a badge keeps its size on screen when zoomed out and
/// stays readable at fit.
fn pill(painter: &Painter, anchor: Pos2, align: Align2, text: &str, bg: Color32, grow: f32) -> Rect {
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(11.0 * grow), BADGE_TEXT);
    let size = galley.size() + vec2(10.0, 4.0) * grow;
    let rect = align.anchor_size(anchor, size);
    painter.rect_filled(rect, 4.0 * grow, bg);
    painter.galley(rect.min + vec2(5.0, 2.0) * grow, galley, BADGE_TEXT);
    rect
}

/// Draws the overlay on the canvas's scene layer, above the cards (after a run).
pub fn canvas_overlay(ctx: &egui::Context, view: &CanvasView, preview: &Preview, journey: &Journey) {
    let (Some(o), Some(layer)) = (&preview.outcome, view.scene_layer) else { return };
    let inverse = view.screen_from_canvas.inverse();
    let visible = Rect::from_min_max(inverse * view.screen_rect.min, inverse * view.screen_rect.max);
    // The scene layer is drawn through the canvas transform, so its clip rectangle is in
    // canvas units: set it to the visible canvas (intersecting with the layer painter's
    // default, the screen rectangle read as canvas units, would hide every part of the
    // journey above or left of the canvas origin).
    let mut painter = ctx.layer_painter(layer);
    painter.set_clip_rect(visible);
    draw(&painter, visible, view.screen_from_canvas.scaling, preview, o, journey);
}

/// Everything of the overlay, on `painter` (canvas units).
pub fn draw(painter: &Painter, visible: Rect, scale: f32, preview: &Preview, o: &Outcome, journey: &Journey) {
    let grow = 1.0 / scale.clamp(MIN_BADGE_SCALE, 1.0);
    let report = &o.report;
    let bucket = bucket_at(report, preview.clock.secs);
    let at_end = preview.clock.secs >= super::horizon_secs(report);
    if preview.dots
        && let Some(b) = bucket
    {
        let phase = bucket_phase(report, preview.clock.secs);
        let busiest = report.animation.links.iter().filter_map(|l| l.crossings.get(b)).copied().max().unwrap_or(0);
        for l in &report.animation.links {
            let c = l.crossings.get(b).copied().unwrap_or(0);
            let n = dot_count(c, busiest);
            if n == 0 {
                continue;
            }
            let Some(curve) = link_geometry(journey, l.from, l.port, l.to) else { continue };
            if !Rect::from_points(&curve).intersects(visible) {
                continue;
            }
            #[allow(clippy::cast_precision_loss)]
            for i in 0..n {
                let t = (i as f32 / n as f32 + phase).fract();
                painter.circle_filled(bezier_at(&curve, t), DOT_RADIUS, DOT);
            }
        }
    }
    if let Some(t) = preview.follow.and_then(|i| report.trajectories.get(i)) {
        let tz = o.journey.setup.timezone.account.zone();
        let mut visit = 0;
        for (i, step) in t.steps.iter().enumerate() {
            let Some(node) = step.node else { continue };
            match step.kind {
                StepKind::Left(port) => {
                    let out = OutputRef { node, port };
                    if let Some(to) = journey.graph.links.get(&out)
                        && let Some(curve) = link_geometry(journey, node, port, *to)
                    {
                        painter.add(CubicBezierShape::from_points_stroke(
                            curve,
                            false,
                            Color32::TRANSPARENT,
                            Stroke::new(5.0, FOLLOW.gamma_multiply(0.8)),
                        ));
                    }
                }
                StepKind::Arrived | StepKind::Entered { .. } => {
                    let Some(n) = journey.graph.node(node) else { continue };
                    visit += 1;
                    let r = node_rect(n, Vec2::ZERO);
                    painter.rect_stroke(r.expand(4.0), 8.0, Stroke::new(3.0, FOLLOW), egui::StrokeKind::Outside);
                    #[allow(clippy::cast_precision_loss)]
                    let secs = step.time.since(report.run.start).0 as f64;
                    let text = format!("{visit}. {}", date_time(report, tz, secs));
                    let y = r.bottom() + 4.0 + 16.0 * (i % 2) as f32;
                    pill(painter, pos2(r.left(), y), Align2::LEFT_TOP, &text, FOLLOW, grow);
                }
                _ => {}
            }
        }
    }
    if scale < MIN_BADGE_SCALE {
        return;
    }
    for ns in &report.nodes {
        let Some(node) = journey.graph.node(ns.id) else { continue };
        let r = node_rect(node, Vec2::ZERO);
        if !r.expand(60.0).intersects(visible) {
            continue;
        }
        let (lines, counts) = badges_at_clock(preview, report, ns);
        let mut y = r.top() - 3.0;
        for line in lines.iter().rev() {
            let p = pill(painter, pos2(r.left(), y), Align2::LEFT_BOTTOM, line, BADGE_BG, grow);
            y = p.top() - 2.0;
        }
        if let Some(c) = &counts {
            pill(painter, pos2(r.right(), r.bottom() + 4.0), Align2::RIGHT_TOP, &flow_line(c), COUNT_BG, grow);
        }
    }
    for (gi, goal) in journey.goals.iter().enumerate() {
        let Some(gs) = report.goals.get(gi) else { continue };
        let r = goal_rect(goal, Vec2::ZERO);
        if !r.expand(60.0).intersects(visible) {
            continue;
        }
        let met = if at_end { Some(gs.met) } else { bucket.and_then(|b| goal_met_by(report, gi, b)) };
        let Some(met) = met else { continue };
        let text = if preview.percent {
            format!("met {}", fmt_pct(share(met, report.journey.entered)))
        } else {
            format!("met {} · {} of entries", fmt_count(met), fmt_pct(share(met, report.journey.entered)))
        };
        pill(painter, pos2(r.left(), r.top() - 3.0), Align2::LEFT_BOTTOM, &text, BADGE_BG, grow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_follow_the_flow_ratio() {
        assert_eq!(dot_count(90, 90), MAX_DOTS);
        assert_eq!(dot_count(10, 90), 1);
        assert_eq!(dot_count(45, 90), MAX_DOTS / 2);
        assert_eq!(dot_count(0, 90), 0);
        assert_eq!(dot_count(1, 100_000), 1);
    }
}
