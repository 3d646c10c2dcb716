//! Where things are on the canvas, in canvas units: card sizes, port positions, link
//! curves. The drawing code, the hit tests and the test hooks all ask this module, so
//! what is drawn is what is clicked.

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use crate::app::theme::{
    CARD_HEADER_HEIGHT, CARD_PAD, CARD_WIDTH, COMMENT_MIN_HEIGHT, COMMENT_WIDTH, GOAL_SIZE, GRID, PORT_ROW_HEIGHT,
};
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

/// Rounds to the snap grid.
#[must_use]
pub fn snap(p: Pos2) -> Pos2 {
    pos2((p.x / GRID).round() * GRID, (p.y / GRID).round() * GRID)
}

/// A card's size: the header plus one row per output port.
#[must_use]
pub fn node_size(node: &Node) -> Vec2 {
    let rows = node.kind.output_ports().len();
    vec2(CARD_WIDTH, CARD_HEADER_HEIGHT + rows as f32 * PORT_ROW_HEIGHT + CARD_PAD / 2.0)
}

/// A card's rectangle, shifted by `offset` (a drag in progress).
#[must_use]
pub fn node_rect(node: &Node, offset: Vec2) -> Rect {
    Rect::from_min_size(to_pos(node.pos) + offset, node_size(node))
}

/// Centre of output port `index` of a card.
#[must_use]
pub fn output_port_pos(card: Rect, index: usize) -> Pos2 {
    pos2(card.right(), card.top() + CARD_HEADER_HEIGHT + (index as f32 + 0.5) * PORT_ROW_HEIGHT)
}

/// Centre of a card's input port.
#[must_use]
pub fn input_port_pos(card: Rect) -> Pos2 {
    pos2(card.left(), card.top() + CARD_HEADER_HEIGHT / 2.0)
}

/// A goal card's rectangle.
#[must_use]
pub fn goal_rect(goal: &Goal, offset: Vec2) -> Rect {
    Rect::from_min_size(to_pos(goal.pos) + offset, GOAL_SIZE)
}

/// A comment's rectangle (grows with its lines).
#[must_use]
pub fn comment_rect(comment: &Comment, offset: Vec2) -> Rect {
    // Without a font at hand, wrap at a conservative character count for the note's
    // 12.5 pt text, so the box holds every wrapped line.
    #[allow(clippy::cast_precision_loss)]
    let lines = wrapped_lines(&comment.text, COMMENT_LINE_CHARS).max(1) as f32;
    let h = (lines * 16.0 + 2.0 * CARD_PAD).max(COMMENT_MIN_HEIGHT);
    Rect::from_min_size(to_pos(comment.pos) + offset, vec2(COMMENT_WIDTH, h))
}

/// Characters per line a comment's text is assumed to wrap at.
const COMMENT_LINE_CHARS: usize = 23;

/// How many lines `text` takes when words wrap greedily at `width` characters (a word
/// longer than a line is broken).
#[must_use]
pub fn wrapped_lines(text: &str, width: usize) -> usize {
    let width = width.max(1);
    text.split('\n')
        .map(|line| {
            let mut lines = 1;
            let mut used = 0;
            for word in line.split_whitespace() {
                let len = word.chars().count();
                let need = if used == 0 { len } else { used + 1 + len };
                if need <= width {
                    used = need;
                } else if used == 0 {
                    lines += (len - 1) / width;
                    used = (len - 1) % width + 1;
                } else {
                    lines += 1 + (len.max(1) - 1) / width;
                    used = (len.max(1) - 1) % width + 1;
                }
            }
            lines
        })
        .sum()
}

/// The four control points of a link's curve from an output port to an input port.
#[must_use]
pub fn link_curve(from: Pos2, to: Pos2) -> [Pos2; 4] {
    let dx = ((to.x - from.x).abs() * 0.5).max(60.0);
    [from, from + vec2(dx, 0.0), to - vec2(dx, 0.0), to]
}

/// A point on a cubic curve.
#[must_use]
pub fn bezier_at(c: &[Pos2; 4], t: f32) -> Pos2 {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    let mut p = Vec2::ZERO;
    for (pt, w) in c.iter().zip(w) {
        p += pt.to_vec2() * w;
    }
    p.to_pos2()
}

/// Distance from `p` to the curve (sampled).
#[must_use]
pub fn distance_to_curve(c: &[Pos2; 4], p: Pos2) -> f32 {
    const STEPS: usize = 24;
    let mut best = f32::INFINITY;
    let mut prev = c[0];
    for i in 1..=STEPS {
        let next = bezier_at(c, i as f32 / STEPS as f32);
        best = best.min(distance_to_segment(prev, next, p));
        prev = next;
    }
    best
}

fn distance_to_segment(a: Pos2, b: Pos2, p: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    let t = if len2 > 0.0 { ((p - a).dot(ab) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (a + ab * t).distance(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_text_wraps_at_words_and_breaks_long_words() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("short", 10), 1);
        assert_eq!(wrapped_lines("two words", 10), 1);
        assert_eq!(wrapped_lines("three short words", 10), 3);
        assert_eq!(wrapped_lines("one two six", 10), 2);
        assert_eq!(wrapped_lines("a\nb\nc", 10), 3);
        assert_eq!(wrapped_lines("abcdefghijklmnopqrstu", 10), 3);
        assert_eq!(wrapped_lines("x abcdefghijklmnopqrstu", 10), 4);
        let note = Comment {
            id: crate::model::CommentId(1),
            pos: crate::model::CanvasPos::new(0.0, 0.0),
            text: "word ".repeat(40),
        };
        let one = Comment { text: "word".into(), ..note.clone() };
        assert!(comment_rect(&note, Vec2::ZERO).height() > 4.0 * comment_rect(&one, Vec2::ZERO).height());
    }

    #[test]
    fn curve_ends_at_ports_and_distance_is_zero_there() {
        let c = link_curve(pos2(0.0, 0.0), pos2(300.0, 100.0));
        assert_eq!(bezier_at(&c, 0.0), pos2(0.0, 0.0));
        assert!(bezier_at(&c, 1.0).distance(pos2(300.0, 100.0)) < 1e-3);
        assert!(distance_to_curve(&c, pos2(150.0, 50.0)) < 2.0);
        assert!(distance_to_curve(&c, pos2(150.0, 300.0)) > 100.0);
    }

    #[test]
    fn snapping_rounds_to_grid() {
        assert_eq!(snap(pos2(29.0, -11.0)), pos2(20.0, -20.0));
    }
}
