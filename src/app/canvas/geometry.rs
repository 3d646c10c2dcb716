//! The canvas's view of [`crate::geometry`] in egui types: card sizes, port positions and
//! link curves come from there, so the editor and the HTML report draw a journey from the
//! same numbers. The drawing code, the hit tests and the test hooks all ask this module,
//! so what is drawn is what is clicked.

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use crate::geometry::{self as geom, Point};
use crate::model::{CanvasPos, Comment, Goal, Node};

/// A model position as an egui point.
#[must_use]
pub fn to_pos(p: CanvasPos) -> Pos2 {
    pos2(p.x, p.y)
}

/// An egui point as a model position.
#[must_use]
pub fn to_canvas(p: Pos2) -> CanvasPos {
    CanvasPos::new(p.x, p.y)
}

/// A geometry point as an egui point.
#[must_use]
pub fn from_point(p: Point) -> Pos2 {
    pos2(p.x, p.y)
}

/// An egui point as a geometry point.
#[must_use]
pub fn to_point(p: Pos2) -> Point {
    Point::new(p.x, p.y)
}

/// A geometry rectangle as an egui one, shifted by `offset` (a drag in progress).
#[must_use]
pub fn from_rect(r: geom::Rect, offset: Vec2) -> Rect {
    Rect::from_min_size(pos2(r.x, r.y) + offset, vec2(r.width, r.height))
}

/// An egui rectangle as a geometry one.
#[must_use]
pub fn to_rect(r: Rect) -> geom::Rect {
    geom::Rect::new(r.left(), r.top(), r.width(), r.height())
}

/// Rounds to the snap grid.
#[must_use]
pub fn snap(p: Pos2) -> Pos2 {
    from_point(geom::snap(to_point(p)))
}

/// A card's size: the header plus one row per output port.
#[must_use]
pub fn node_size(node: &Node) -> Vec2 {
    vec2(geom::card_width(node), geom::node_height(node))
}

/// A card's rectangle, shifted by `offset` (a drag in progress).
#[must_use]
pub fn node_rect(node: &Node, offset: Vec2) -> Rect {
    from_rect(geom::node_rect(node), offset)
}

/// Centre of output port `index` of a card.
#[must_use]
pub fn output_port_pos(node: &Node, card: Rect, index: usize) -> Pos2 {
    from_point(geom::output_port_pos(node, to_rect(card), index))
}

/// Centre of a card's input port.
#[must_use]
pub fn input_port_pos(card: Rect) -> Pos2 {
    from_point(geom::input_port_pos(to_rect(card)))
}

/// A goal card's rectangle.
#[must_use]
pub fn goal_rect(goal: &Goal, offset: Vec2) -> Rect {
    from_rect(geom::goal_rect(goal), offset)
}

/// The shaded area behind the goal cards, given their (possibly dragged) rectangles.
#[must_use]
pub fn goals_area(goal_rects: &[Rect]) -> Option<Rect> {
    geom::goals_area(goal_rects.iter().map(|r| to_rect(*r))).map(|r| from_rect(r, Vec2::ZERO))
}

/// A comment's rectangle (grows with its lines).
#[must_use]
pub fn comment_rect(comment: &Comment, offset: Vec2) -> Rect {
    from_rect(geom::comment_rect(comment), offset)
}

/// The four control points of a link's curve from an output port to an input port.
#[must_use]
pub fn link_curve(from: Pos2, to: Pos2) -> [Pos2; 4] {
    geom::link_curve(to_point(from), to_point(to)).map(from_point)
}

/// A point on a cubic curve.
#[must_use]
pub fn bezier_at(c: &[Pos2; 4], t: f32) -> Pos2 {
    from_point(geom::bezier_at(&c.map(to_point), t))
}

/// Distance from `p` to the curve (sampled).
#[must_use]
pub fn distance_to_curve(c: &[Pos2; 4], p: Pos2) -> f32 {
    geom::distance_to_curve(&c.map(to_point), to_point(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egui_shapes_match_the_plain_geometry() {
        let j = crate::model::Journey::new("t");
        let entry = j.graph.nodes.values().next().unwrap();
        let plain = geom::node_rect(entry);
        let card = node_rect(entry, vec2(10.0, -4.0));
        assert_eq!(card.min, pos2(plain.x + 10.0, plain.y - 4.0));
        assert_eq!(card.size(), vec2(plain.width, plain.height));
        let port = output_port_pos(entry, node_rect(entry, Vec2::ZERO), 0);
        assert_eq!(to_point(port), geom::output_port_pos(entry, plain, 0));
        let c = link_curve(pos2(0.0, 0.0), pos2(300.0, 100.0));
        assert!(distance_to_curve(&c, bezier_at(&c, 0.3)) < 0.5);
        assert_eq!(snap(pos2(29.0, -11.0)), pos2(20.0, -20.0));
    }

    #[test]
    fn the_title_width_estimate_errs_wide_of_the_editor_font() {
        let samples = [
            "abcdefghijklmnopqrstuvwxyz",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "0123456789 %?&#$@!.,:;'()-/",
            "WWWWWWWWWW mmmmmmmmmm iiiiiiiiii",
            "Viewed more than 10 times in the last 7 days?",
            "Path B: 20% off banner",
            "Added to cart within 24 h?",
            "Müller, café, naïve — ½ · €",
        ];
        let ctx = egui::Context::default();
        let mut measured = Vec::new();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let painter = ui.painter();
            for text in samples {
                let font = egui::FontId::proportional(geom::TITLE_POINTS);
                measured.push(painter.layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE).size().x);
            }
        });
        output.textures_delta.clear();
        for (text, real) in samples.iter().zip(measured) {
            let estimate = geom::text_width(text, geom::TITLE_POINTS);
            assert!(estimate >= real, "{text:?}: estimated {estimate}, drawn {real}");
            // Wide, but not so wide that short titles wrap for nothing.
            assert!(estimate <= real * 1.35, "{text:?}: estimated {estimate}, drawn {real}");
        }
    }
}
