//! The journey's canvas as an SVG drawing: cards, ports, links, comments and goals, with
//! the run's counts on the cards, drawn from the model at the positions
//! [`crate::geometry`] gives, the same numbers the editor's canvas draws from.
//!
//! Invariants: a real vector drawing (shapes and text, never an image); every user text
//! is escaped; text that does not fit is cut with "…" and kept whole in a `<title>` (the
//! hover text); the drawing scales to the page width through its `viewBox`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::geometry::{self, Point, Rect};
use crate::model::{Journey, KindTag, NodeId};
use crate::sim::report::{NodeStats, Report};

use super::html::{count, escape, truncate};

/// The accent of each node kind, as the editor draws it (`app::theme::Theme::kind_color`).
#[must_use]
pub fn kind_rgb(tag: KindTag) -> (u8, u8, u8) {
    match tag {
        KindTag::Entry => (76, 175, 80),
        KindTag::Wait => (66, 133, 244),
        KindTag::Condition => (0, 150, 170),
        KindTag::ConditionalSplit => (126, 87, 194),
        KindTag::RandomSplit => (171, 71, 188),
        KindTag::Channel(_) => (239, 108, 0),
        KindTag::ProfileUpdate => (96, 125, 139),
        KindTag::ForceExit => (211, 47, 47),
        KindTag::Exit => (120, 120, 120),
    }
}

/// The goal cards' accent (`app::theme::Theme::goal_color`).
pub const GOAL_RGB: (u8, u8, u8) = (46, 160, 90);

/// Room around the drawing, canvas units; more above the cards for the count pills.
const MARGIN: f32 = 24.0;
const MARGIN_TOP: f32 = 64.0;
/// Height of one count pill above a card.
const PILL_HEIGHT: f32 = 17.0;
/// Average width of a character of 11-unit text, for pill widths and cuts.
const CHAR_WIDTH_11: f32 = 6.2;

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A short mark for the card's icon square (the editor's emoji need a colour emoji font,
/// which a printer or a bare browser may not have).
fn kind_mark(tag: KindTag) -> &'static str {
    match tag {
        KindTag::Entry => "▶",
        KindTag::Wait => "W",
        KindTag::Condition => "?",
        KindTag::ConditionalSplit => "C",
        KindTag::RandomSplit => "R",
        KindTag::Channel(_) => "✉",
        KindTag::ProfileUpdate => "P",
        KindTag::ForceExit => "×",
        KindTag::Exit => "■",
    }
}

/// Text in a `<text>` element, cut to `max` characters, with the whole text as its title.
fn text_el(out: &mut String, x: f32, y: f32, class: &str, text: &str, max: usize) {
    let shown = truncate(text, max);
    let _ = write!(out, r#"<text x="{x:.1}" y="{y:.1}" class="{class}">"#);
    if shown != text {
        let _ = write!(out, "<title>{}</title>", escape(text));
    }
    let _ = write!(out, "{}</text>", escape(&shown));
}

/// The pill lines above a card: entries, then the channel's or the split's main figures
/// (as the editor's badges after a run).
fn badge_lines(n: &NodeStats) -> Vec<String> {
    let mut lines = vec![format!("entered {}", count(n.entered))];
    if let Some(c) = &n.channel {
        lines.push(format!(
            "sent {} · clicked {} · unreachable {}",
            count(c.sent),
            count(c.clicked),
            count(c.unreachable)
        ));
    }
    if !n.paths.is_empty() {
        let parts: Vec<String> = n.paths.iter().map(|p| format!("{} {}", p.name, count(p.users))).collect();
        lines.push(parts.join(" · "));
    }
    lines
}

fn pill(out: &mut String, x: f32, bottom: f32, text: &str) -> f32 {
    let shown = truncate(text, 48);
    #[allow(clippy::cast_precision_loss, reason = "a short text's length")]
    let w = shown.chars().count() as f32 * CHAR_WIDTH_11 + 10.0;
    let top = bottom - PILL_HEIGHT;
    let _ = write!(
        out,
        r#"<rect x="{x:.1}" y="{top:.1}" width="{w:.1}" height="{PILL_HEIGHT}" rx="4" class="pill"/><text x="{:.1}" y="{:.1}" class="pill-text">{}</text>"#,
        x + 5.0,
        bottom - 5.0,
        escape(&shown)
    );
    top
}

/// The journey's canvas as one `<svg>` element; with a report, the run's counts on the
/// cards, their ports and links.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one drawing, layer by layer, in drawing order")]
pub fn canvas_svg(journey: &Journey, report: Option<&Report>) -> String {
    let stats: BTreeMap<NodeId, &NodeStats> =
        report.map(|r| r.nodes.iter().map(|n| (n.id, n)).collect()).unwrap_or_default();
    let Some(bounds) = geometry::drawing_bounds(journey) else {
        return r#"<svg class="canvas" viewBox="0 0 400 60" role="img" aria-label="An empty canvas"><text x="20" y="35" class="weak">This journey has no cards</text></svg>"#.to_owned();
    };
    let top = if stats.is_empty() { MARGIN } else { MARGIN_TOP };
    let view = Rect::new(bounds.x - MARGIN, bounds.y - top, bounds.width + 2.0 * MARGIN, bounds.height + top + MARGIN);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="canvas" viewBox="{:.1} {:.1} {:.1} {:.1}" role="img" aria-labelledby="canvas-title"><title id="canvas-title">The journey's canvas: {} cards, {} links</title>"#,
        view.x,
        view.y,
        view.width,
        view.height,
        journey.graph.nodes.len(),
        journey.graph.links.len()
    );

    // Goals: the shaded area, its heading, and the goal cards.
    let goal_rects: Vec<Rect> = journey.goals.iter().map(geometry::goal_rect).collect();
    if let Some(area) = geometry::goals_area(goal_rects.iter().copied()) {
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" class="goals-area"/><text x="{:.1}" y="{:.1}" class="goals-heading">Goals</text>"#,
            area.x,
            area.y,
            area.width,
            area.height,
            area.x + 12.0,
            area.y + 21.0
        );
    }
    for (i, (goal, r)) in journey.goals.iter().zip(&goal_rects).enumerate() {
        let met = report.and_then(|rep| rep.goals.get(i)).map(|g| g.met);
        let _ = write!(
            out,
            r#"<g class="goal"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" class="card"/><rect x="{:.1}" y="{:.1}" width="{}" height="{:.1}" rx="2.5" fill="{}"/><text x="{:.1}" y="{:.1}" class="goal-mark">★</text>"#,
            r.x,
            r.y,
            r.width,
            r.height,
            r.x,
            r.y,
            geometry::CARD_STRIPE_WIDTH,
            r.height,
            hex(GOAL_RGB),
            r.x + 13.0,
            r.y + r.height / 2.0 + 5.0
        );
        text_el(&mut out, r.x + 34.0, r.y + 19.0, "label", &goal.name, 19);
        let what = match met {
            Some(m) => format!("On {} · met {}", goal.event.event, count(m)),
            None => format!("On {}", goal.event.event),
        };
        text_el(&mut out, r.x + 34.0, r.y + 36.0, "weak", &what, 24);
        out.push_str("</g>");
    }

    // Comments, wrapped as the editor sizes them.
    for note in &journey.comments {
        let r = geometry::comment_rect(note);
        let _ = write!(
            out,
            r#"<g class="comment"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="4" class="note"/>"#,
            r.x, r.y, r.width, r.height
        );
        for (i, line) in geometry::wrap(&note.text, geometry::COMMENT_LINE_CHARS).iter().enumerate() {
            #[allow(clippy::cast_precision_loss, reason = "a line index")]
            let y = r.y + geometry::CARD_PAD + 12.0 + i as f32 * geometry::COMMENT_LINE_HEIGHT;
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{y:.1}" class="note-text">{}</text>"#,
                r.x + geometry::CARD_PAD,
                escape(line)
            );
        }
        out.push_str("</g>");
    }

    // Cards.
    for node in journey.graph.nodes.values() {
        let r = geometry::node_rect(node);
        let tag = node.kind.tag();
        let accent = hex(kind_rgb(tag));
        let _ = write!(
            out,
            r#"<g class="node"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" class="card"/><rect x="{:.1}" y="{:.1}" width="{}" height="{:.1}" rx="2.5" fill="{accent}"/><rect x="{:.1}" y="{:.1}" width="20" height="20" rx="4" fill="{accent}" fill-opacity="0.22"/><text x="{:.1}" y="{:.1}" class="mark" fill="{accent}">{}</text>"#,
            r.x,
            r.y,
            r.width,
            r.height,
            r.x,
            r.y,
            geometry::CARD_STRIPE_WIDTH,
            r.height,
            r.x + 12.0,
            r.y + 8.0,
            r.x + 22.0,
            r.y + 22.5,
            kind_mark(tag)
        );
        // The title on the lines the editor gives it, whole in a tooltip when cut.
        let title = geometry::card_title(node);
        let lines = geometry::title_lines(node);
        for (i, line) in lines.iter().enumerate() {
            #[allow(clippy::cast_precision_loss, reason = "at most two lines")]
            let y = r.y + 21.0 + i as f32 * geometry::TITLE_LINE_HEIGHT;
            let _ = write!(out, r#"<text x="{:.1}" y="{y:.1}" class="label">"#, r.x + 40.0);
            if line.ends_with('…') {
                let _ = write!(out, "<title>{}</title>", escape(title));
            }
            let _ = write!(out, "{}</text>", escape(line));
        }
        #[allow(clippy::cast_precision_loss, reason = "a summary fits a card's width in characters")]
        let summary_chars = ((r.width - 2.0 * geometry::CARD_PAD) / 6.2) as usize;
        let summary_y = r.y + geometry::header_height(node) - 8.0;
        text_el(&mut out, r.x + geometry::CARD_PAD + 4.0, summary_y, "weak", &node.kind.summary(), summary_chars);
        if tag != KindTag::Entry {
            let p = geometry::input_port_pos(r);
            port(&mut out, p, None);
        }
        let ns = stats.get(&node.id);
        for (i, port_id) in node.kind.output_ports().into_iter().enumerate() {
            let p = geometry::output_port_pos(node, r, i);
            let linked = journey.graph.target(node.id, port_id).is_some();
            port(&mut out, p, Some((linked, &accent)));
            let moved = ns.and_then(|s| s.ports.iter().find(|x| x.port == port_id)).map(|x| x.moved);
            let name = node.kind.port_label(port_id);
            let text = match moved {
                Some(m) => format!("{name} · {}", count(m)),
                None => name,
            };
            let shown = truncate(&text, 28);
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" class="port-label">{}</text>"#,
                p.x - 10.0,
                p.y + 4.0,
                escape(&shown)
            );
            if i > 0 {
                let y = p.y - geometry::PORT_ROW_HEIGHT / 2.0;
                let _ = write!(
                    out,
                    r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="rule"/>"#,
                    r.x + geometry::CARD_PAD,
                    r.right() - geometry::CARD_PAD
                );
            }
        }
        if let Some(s) = ns {
            let mut bottom = r.y - 3.0;
            for line in badge_lines(s).iter().rev() {
                bottom = pill(&mut out, r.x, bottom, line) - 2.0;
            }
        }
        out.push_str("</g>");
    }

    // Links, over the cards they cross (as in the editor): the curve, its arrow head and its port label with the count.
    for (from, to) in &journey.graph.links {
        let (Some(src), Some(dst)) = (journey.graph.node(from.node), journey.graph.node(*to)) else { continue };
        let Some(index) = src.kind.output_ports().iter().position(|p| *p == from.port) else { continue };
        let start = geometry::output_port_pos(src, geometry::node_rect(src), index);
        let end = geometry::input_port_pos(geometry::node_rect(dst));
        let c = geometry::link_curve(start, end);
        let _ = write!(
            out,
            r#"<path d="M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" class="link"/>"#,
            c[0].x, c[0].y, c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y
        );
        let [a, b, d] = geometry::arrow_head(end);
        let _ = write!(
            out,
            r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" class="arrow"/>"#,
            a.x, a.y, b.x, b.y, d.x, d.y
        );
        let moved = stats.get(&src.id).and_then(|s| s.ports.iter().find(|p| p.port == from.port)).map(|p| p.moved);
        let label = match moved {
            Some(m) => format!("{} · {}", src.kind.port_label(from.port), count(m)),
            None => src.kind.port_label(from.port),
        };
        link_label(&mut out, geometry::bezier_at(&c, 0.5), &label);
    }

    out.push_str("</svg>");
    out
}

fn port(out: &mut String, p: Point, output: Option<(bool, &str)>) {
    let r = geometry::PORT_RADIUS;
    match output {
        None => {
            let _ = write!(out, r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" class="port-in"/>"#, p.x, p.y);
        }
        Some((linked, accent)) => {
            let fill = if linked { accent } else { "#ffffff" };
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}" stroke="{accent}" stroke-width="1.5"/>"#,
                p.x, p.y
            );
        }
    }
}

fn link_label(out: &mut String, mid: Point, label: &str) {
    let shown = truncate(label, 32);
    #[allow(clippy::cast_precision_loss, reason = "a short text's length")]
    let w = shown.chars().count() as f32 * 5.8 + 6.0;
    let _ = write!(
        out,
        r#"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="14" rx="3" class="link-label-bg"/><text x="{:.1}" y="{:.1}" class="link-label">{}</text>"#,
        mid.x - w / 2.0,
        mid.y - 7.0,
        mid.x,
        mid.y + 4.0,
        escape(&shown)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_sit_where_the_geometry_puts_them() {
        let mut j = Journey::new("t");
        j.graph.nodes.values_mut().for_each(|n| n.pos = crate::model::CanvasPos::new(120.0, 40.0));
        let svg = canvas_svg(&j, None);
        let card = geometry::node_rect(j.graph.nodes.values().next().unwrap());
        let rect = format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" class="card"/>"#,
            card.x, card.y, card.width, card.height
        );
        assert!(svg.contains(&rect), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn an_empty_journey_says_so() {
        let mut j = Journey::new("t");
        j.graph.nodes.clear();
        assert!(canvas_svg(&j, None).contains("no cards"));
    }

    #[cfg(feature = "gui")]
    #[test]
    fn accents_match_the_editor() {
        let theme = crate::app::theme::Theme::new(crate::app::theme::ThemeChoice::Light);
        for tag in KindTag::all() {
            let c = theme.kind_color(tag);
            assert_eq!(kind_rgb(tag), (c.r(), c.g(), c.b()), "{tag:?}");
        }
        let g = theme.goal_color();
        assert_eq!(GOAL_RGB, (g.r(), g.g(), g.b()));
    }
}
