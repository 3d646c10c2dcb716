//! Where things are on the canvas, in canvas units: card sizes, port positions, link
//! curves, goal and comment boxes, and the auto-align layout. Plain numbers, no UI types:
//! the editor's canvas (`app::canvas`) and the HTML report's SVG drawing (`report`) both
//! ask this module, so the report draws the journey exactly where the editor does.
//!
//! Invariants: pure functions of the model; every size and offset of a card lives here
//! once (the editor's theme re-exports the constants); positions are top-left corners in
//! canvas units, y growing downwards, as in [`CanvasPos`].

pub mod layout;

use crate::model::{CanvasPos, Comment, Goal, Node};

/// A card's narrowest width in canvas units: a card with a short title.
pub const CARD_WIDTH: f32 = 200.0;
/// A card's widest width: a longer title wraps to a second line, then is cut.
pub const CARD_MAX_WIDTH: f32 = 220.0;
/// Height of the card's title and summary block, for a one-line title.
pub const CARD_HEADER_HEIGHT: f32 = 48.0;
/// A card title's font size, in points at 100% zoom.
pub const TITLE_POINTS: f32 = 14.0;
/// Height of one line of a card's title; a two-line title makes the header this much taller.
pub const TITLE_LINE_HEIGHT: f32 = 17.0;
/// The most lines a card's title takes before it is cut with "…".
pub const TITLE_MAX_LINES: usize = 2;
/// Room in a card's header that is not the title's: the icon on the left, the problem
/// badge on the right.
pub const TITLE_INSET: f32 = 64.0;
/// Vertical room for each output port row.
pub const PORT_ROW_HEIGHT: f32 = 18.0;
/// Radius of a port circle.
pub const PORT_RADIUS: f32 = 5.0;
/// Small padding inside cards.
pub const CARD_PAD: f32 = 8.0;
/// Width of the coloured stripe on a card's left edge.
pub const CARD_STRIPE_WIDTH: f32 = 5.0;
/// Goal card width.
pub const GOAL_WIDTH: f32 = 180.0;
/// Goal card height.
pub const GOAL_HEIGHT: f32 = 44.0;
/// Room around the goal cards in the goals area, left, right and below.
pub const GOALS_AREA_MARGIN: f32 = 16.0;
/// Room above the goal cards in the goals area, for its "Goals" heading.
pub const GOALS_AREA_HEADING: f32 = 34.0;
/// Comment card width.
pub const COMMENT_WIDTH: f32 = 180.0;
/// Comment card minimum height.
pub const COMMENT_MIN_HEIGHT: f32 = 40.0;
/// Height of one line of a comment's text.
pub const COMMENT_LINE_HEIGHT: f32 = 16.0;
/// Characters per line a comment's text is assumed to wrap at.
pub const COMMENT_LINE_CHARS: usize = 23;
/// The snap grid step in canvas units.
pub const GRID: f32 = 20.0;
/// Horizontal distance between layers in auto-align.
pub const LAYER_GAP_X: f32 = 280.0;
/// Vertical gap between cards in one auto-align layer.
pub const ROW_GAP_Y: f32 = 40.0;
/// Length of a link's arrow head, along the link.
pub const ARROW_LENGTH: f32 = 8.0;
/// Half the width of a link's arrow head.
pub const ARROW_HALF_WIDTH: f32 = 4.5;

/// A point in canvas units.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    /// Left to right.
    pub x: f32,
    /// Top to bottom.
    pub y: f32,
}

impl Point {
    /// A point.
    #[must_use]
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    /// This point moved by `(dx, dy)`.
    #[must_use]
    pub fn offset(self, dx: f32, dy: f32) -> Self {
        Self::new(self.x + dx, self.y + dy)
    }

    /// Straight-line distance to `other`.
    #[must_use]
    pub fn distance(self, other: Self) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

impl From<CanvasPos> for Point {
    fn from(p: CanvasPos) -> Self {
        Self::new(p.x, p.y)
    }
}

/// An axis-aligned rectangle in canvas units: its top-left corner and its size.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (not negative).
    pub width: f32,
    /// Height (not negative).
    pub height: f32,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    #[must_use]
    pub const fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self { x, y, width, height }
    }

    /// The top-left corner.
    #[must_use]
    pub const fn min(&self) -> Point {
        Point::new(self.x, self.y)
    }

    /// Right edge.
    #[must_use]
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    /// Bottom edge.
    #[must_use]
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }

    /// The smallest rectangle holding both.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Self::new(x, y, self.right().max(other.right()) - x, self.bottom().max(other.bottom()) - y)
    }

    /// Grown by `dx` on the left and right and `dy` above and below.
    #[must_use]
    pub fn expand(self, dx: f32, dy: f32) -> Self {
        Self::new(self.x - dx, self.y - dy, self.width + 2.0 * dx, self.height + 2.0 * dy)
    }
}

/// Rounds to the snap grid.
#[must_use]
pub fn snap(p: Point) -> Point {
    Point::new((p.x / GRID).round() * GRID, (p.y / GRID).round() * GRID)
}

/// A card's title: its label, or its kind's name when the label is blank.
#[must_use]
pub fn card_title(node: &Node) -> &str {
    if node.label.trim().is_empty() { node.kind.tag().label() } else { node.label.as_str() }
}

/// An estimate of `text`'s width in a proportional font of `points`, erring wide: the
/// editor's font (measured in a test) and the report's sans-serif fonts draw it no wider.
#[must_use]
pub fn text_width(text: &str, points: f32) -> f32 {
    let ems: f32 = text
        .chars()
        .map(|c| match c {
            ' ' | 'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '(' | ')' => 0.3,
            'f' | 't' | 'r' | 'I' | '-' | '/' => 0.4,
            'm' | 'w' | '%' | '@' => 0.85,
            'M' | 'W' => 0.9,
            'A'..='Z' | '0'..='9' | '?' | '&' | '#' | '$' => 0.66,
            c if c.is_ascii() => 0.56,
            _ => 1.0,
        })
        .sum();
    ems * points
}

/// A card's width: enough for its title on one line, from [`CARD_WIDTH`] up to
/// [`CARD_MAX_WIDTH`], in grid steps.
#[must_use]
pub fn card_width(node: &Node) -> f32 {
    width_for_title(text_width(card_title(node), TITLE_POINTS))
}

/// The card width for a title `title_width` wide.
fn width_for_title(title_width: f32) -> f32 {
    (((title_width + TITLE_INSET) / GRID).ceil() * GRID).clamp(CARD_WIDTH, CARD_MAX_WIDTH)
}

/// A card's title as it is drawn at full size: greedily wrapped at the card's width by
/// [`text_width`], on at most [`TITLE_MAX_LINES`] lines, the last cut with "…" when the
/// title is longer.
#[must_use]
pub fn title_lines(node: &Node) -> Vec<String> {
    wrap_to_width(card_title(node), card_width(node) - TITLE_INSET, TITLE_POINTS, TITLE_MAX_LINES)
}

/// `text` wrapped at words to `width` (by [`text_width`] at `points`), on at most
/// `max_lines` lines; a word wider than a line is broken, and a cut text ends in "…".
#[must_use]
pub fn wrap_to_width(text: &str, width: f32, points: f32, max_lines: usize) -> Vec<String> {
    let fits = |s: &str| text_width(s, points) <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let joined = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if fits(&joined) {
            current = joined;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word wider than a line is broken where it overflows.
        for c in word.chars() {
            current.push(c);
            if !fits(&current) && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::take(&mut current));
                current.push(c);
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && !fits(&format!("{last}…")) {
                last.pop();
            }
            *last = format!("{}…", last.trim_end());
        }
    }
    lines
}

/// Height of a card's title and summary block: one [`TITLE_LINE_HEIGHT`] more for each
/// title line after the first.
#[must_use]
pub fn header_height(node: &Node) -> f32 {
    // Cards are measured many times a frame: a title that fits on one line (most do) is
    // not wrapped to find that out.
    let title_width = text_width(card_title(node), TITLE_POINTS);
    if title_width <= width_for_title(title_width) - TITLE_INSET {
        return CARD_HEADER_HEIGHT;
    }
    #[allow(clippy::cast_precision_loss, reason = "at most two lines")]
    let extra = title_lines(node).len().saturating_sub(1) as f32;
    CARD_HEADER_HEIGHT + extra * TITLE_LINE_HEIGHT
}

/// A card's height: the header plus one row per output port.
#[must_use]
pub fn node_height(node: &Node) -> f32 {
    let rows = node.kind.output_ports().len();
    header_height(node) + rows as f32 * PORT_ROW_HEIGHT + CARD_PAD / 2.0
}

/// A card's rectangle.
#[must_use]
pub fn node_rect(node: &Node) -> Rect {
    Rect::new(node.pos.x, node.pos.y, card_width(node), node_height(node))
}

/// Centre of output port `index` of a card drawn at `card` (its [`node_rect`], maybe moved):
/// port rows fill the card's bottom, one [`PORT_ROW_HEIGHT`] each.
#[must_use]
pub fn output_port_pos(node: &Node, card: Rect, index: usize) -> Point {
    let rows = node.kind.output_ports().len();
    #[allow(clippy::cast_precision_loss, reason = "a port count is small")]
    let below = (rows as f32 - index as f32 - 0.5) * PORT_ROW_HEIGHT + CARD_PAD / 2.0;
    Point::new(card.right(), card.bottom() - below)
}

/// Centre of a card's input port.
#[must_use]
pub fn input_port_pos(card: Rect) -> Point {
    Point::new(card.x, card.y + CARD_HEADER_HEIGHT / 2.0)
}

/// A goal card's rectangle.
#[must_use]
pub fn goal_rect(goal: &Goal) -> Rect {
    Rect::new(goal.pos.x, goal.pos.y, GOAL_WIDTH, GOAL_HEIGHT)
}

/// The shaded area behind the goal cards (`None` without goals), given their rectangles.
#[must_use]
pub fn goals_area(goal_rects: impl IntoIterator<Item = Rect>) -> Option<Rect> {
    let cards = goal_rects.into_iter().reduce(Rect::union)?;
    let area = cards.expand(GOALS_AREA_MARGIN, GOALS_AREA_MARGIN);
    let top = cards.y - GOALS_AREA_HEADING;
    Some(Rect::new(area.x, top, area.width, area.bottom() - top))
}

/// A comment's rectangle (grows with its lines).
#[must_use]
pub fn comment_rect(comment: &Comment) -> Rect {
    // Without a font at hand, wrap at a conservative character count for the note's
    // 12.5 pt text, so the box holds every wrapped line.
    #[allow(clippy::cast_precision_loss, reason = "a line count is far below 2^24")]
    let lines = wrapped_lines(&comment.text, COMMENT_LINE_CHARS).max(1) as f32;
    let h = (lines * COMMENT_LINE_HEIGHT + 2.0 * CARD_PAD).max(COMMENT_MIN_HEIGHT);
    Rect::new(comment.pos.x, comment.pos.y, COMMENT_WIDTH, h)
}

/// How many lines `text` takes when words wrap greedily at `width` characters (a word
/// longer than a line is broken).
#[must_use]
pub fn wrapped_lines(text: &str, width: usize) -> usize {
    wrap(text, width).len()
}

/// `text` wrapped greedily at `width` characters, one string per line: words wrap, a word
/// longer than a line is broken, and every `\n` starts a line. [`wrapped_lines`] counts
/// these lines.
#[must_use]
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in text.split('\n') {
        let mut current = String::new();
        let mut used = 0;
        for word in line.split_whitespace() {
            let mut chars: Vec<char> = word.chars().collect();
            if used > 0 && used + 1 + chars.len() <= width {
                current.push(' ');
                current.extend(&chars);
                used += 1 + chars.len();
                continue;
            }
            if used > 0 {
                out.push(std::mem::take(&mut current));
            }
            while chars.len() > width {
                out.push(chars.drain(..width).collect());
            }
            used = chars.len();
            current.extend(chars);
        }
        out.push(current);
    }
    out
}

/// The four control points of a link's curve from an output port to an input port.
#[must_use]
pub fn link_curve(from: Point, to: Point) -> [Point; 4] {
    let dx = ((to.x - from.x).abs() * 0.5).max(60.0);
    [from, from.offset(dx, 0.0), to.offset(-dx, 0.0), to]
}

/// The arrow head at the end of a link: its tip, then its two back corners.
#[must_use]
pub fn arrow_head(tip: Point) -> [Point; 3] {
    [tip, tip.offset(-ARROW_LENGTH, -ARROW_HALF_WIDTH), tip.offset(-ARROW_LENGTH, ARROW_HALF_WIDTH)]
}

/// A point on a cubic curve.
#[must_use]
pub fn bezier_at(c: &[Point; 4], t: f32) -> Point {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    let (mut x, mut y) = (0.0, 0.0);
    for (pt, w) in c.iter().zip(w) {
        x += pt.x * w;
        y += pt.y * w;
    }
    Point::new(x, y)
}

/// Distance from `p` to the curve (sampled).
#[must_use]
pub fn distance_to_curve(c: &[Point; 4], p: Point) -> f32 {
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

fn distance_to_segment(a: Point, b: Point, p: Point) -> f32 {
    let (abx, aby) = (b.x - a.x, b.y - a.y);
    let len2 = abx * abx + aby * aby;
    let t = if len2 > 0.0 { (((p.x - a.x) * abx + (p.y - a.y) * aby) / len2).clamp(0.0, 1.0) } else { 0.0 };
    Point::new(a.x + abx * t, a.y + aby * t).distance(p)
}

/// What a drawing of the whole journey must hold: every card, comment and the goals
/// area with its heading (`None` when there is nothing).
#[must_use]
pub fn drawing_bounds(journey: &crate::model::Journey) -> Option<Rect> {
    occupied(journey).into_iter().reduce(Rect::union)
}

/// Whether two rectangles overlap (touching edges do not).
#[must_use]
pub fn overlaps(a: Rect, b: Rect) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

/// What a new card must not cover: every node card, the goals area (with its heading)
/// and every comment.
#[must_use]
pub fn occupied(journey: &crate::model::Journey) -> Vec<Rect> {
    let goals: Vec<Rect> = journey.goals.iter().map(goal_rect).collect();
    journey
        .graph
        .nodes
        .values()
        .map(node_rect)
        .chain(goals_area(goals))
        .chain(journey.comments.iter().map(comment_rect))
        .collect()
}

/// How far, in grid steps each way, [`free_spot`] looks for room.
const FREE_SPOT_REACH: i32 = 30;

/// The top-left corner nearest to `wanted`, on the grid steps around it, where a card of
/// `width` × `height` keeps a grid step clear of every rectangle in `occupied`; `wanted`
/// itself when nothing within reach is free.
#[must_use]
pub fn free_spot(occupied: &[Rect], width: f32, height: f32, wanted: Point) -> Point {
    let clear = |p: Point| {
        let r = Rect::new(p.x, p.y, width, height).expand(GRID, GRID);
        !occupied.iter().any(|o| overlaps(r, *o))
    };
    if clear(wanted) {
        return wanted;
    }
    let mut steps: Vec<(i32, i32)> = (-FREE_SPOT_REACH..=FREE_SPOT_REACH)
        .flat_map(|i| (-FREE_SPOT_REACH..=FREE_SPOT_REACH).map(move |j| (i, j)))
        .collect();
    // Nearest first; ties go right before left and down before up, so the answer is stable.
    steps.sort_by_key(|&(i, j)| (i * i + j * j, -i, -j));
    #[allow(clippy::cast_precision_loss, reason = "grid steps are small integers")]
    steps
        .into_iter()
        .map(|(i, j)| wanted.offset(i as f32 * GRID, j as f32 * GRID))
        .find(|p| clear(*p))
        .unwrap_or(wanted)
}

/// Goals tile in rows of this many in the goals area.
pub const GOALS_PER_ROW: usize = 3;

/// Where a new goal goes: the first free tile of the goals area, counted from the first
/// goal (rows of [`GOALS_PER_ROW`]); without goals, the free spot nearest `wanted`.
#[must_use]
pub fn new_goal_spot(journey: &crate::model::Journey, wanted: Point) -> Point {
    let mut others: Vec<Rect> = journey.graph.nodes.values().map(node_rect).collect();
    others.extend(journey.comments.iter().map(comment_rect));
    let goals: Vec<Rect> = journey.goals.iter().map(goal_rect).collect();
    // The goals area reaches past its cards: keep that room around the others too.
    let grown: Vec<Rect> = others.iter().map(|o| o.expand(GOALS_AREA_MARGIN, GOALS_AREA_HEADING)).collect();
    let Some(first) = goals.first() else {
        return free_spot(&grown, GOAL_WIDTH, GOAL_HEIGHT, wanted);
    };
    #[allow(clippy::cast_precision_loss, reason = "a goal count is small")]
    (0..)
        .map(|k: usize| {
            let (col, row) = ((k % GOALS_PER_ROW) as f32, (k / GOALS_PER_ROW) as f32);
            Point::new(first.x + col * (GOAL_WIDTH + GRID), first.y + row * (GOAL_HEIGHT + GRID))
        })
        .take(64)
        .find(|p| {
            let tile = Rect::new(p.x, p.y, GOAL_WIDTH, GOAL_HEIGHT);
            !goals.iter().any(|g| overlaps(tile, g.expand(GRID / 2.0, GRID / 2.0)))
                && !grown.iter().any(|o| overlaps(tile.expand(GRID, GRID), *o))
        })
        .unwrap_or_else(|| {
            let mut all = grown.clone();
            all.extend(goals.iter().copied());
            free_spot(&all, GOAL_WIDTH, GOAL_HEIGHT, wanted)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CommentId, Journey};

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
        assert_eq!(wrap("x abcdefghijklmnopqrstu", 10), ["x", "abcdefghij", "klmnopqrst", "u"]);
        assert_eq!(wrap("one two six", 10), ["one two", "six"]);
        let note = Comment { id: CommentId(1), pos: CanvasPos::new(0.0, 0.0), text: "word ".repeat(40) };
        let one = Comment { text: "word".into(), ..note.clone() };
        assert!(comment_rect(&note).height > 4.0 * comment_rect(&one).height);
    }

    #[test]
    fn curve_ends_at_ports_and_distance_is_zero_there() {
        let c = link_curve(Point::new(0.0, 0.0), Point::new(300.0, 100.0));
        assert_eq!(bezier_at(&c, 0.0), Point::new(0.0, 0.0));
        assert!(bezier_at(&c, 1.0).distance(Point::new(300.0, 100.0)) < 1e-3);
        assert!(distance_to_curve(&c, Point::new(150.0, 50.0)) < 2.0);
        assert!(distance_to_curve(&c, Point::new(150.0, 300.0)) > 100.0);
    }

    #[test]
    fn snapping_rounds_to_grid() {
        assert_eq!(snap(Point::new(29.0, -11.0)), Point::new(20.0, -20.0));
    }

    #[test]
    fn ports_sit_on_the_card_edges_one_row_each() {
        let j = Journey::new("t");
        let entry = j.graph.nodes.values().next().unwrap();
        let card = node_rect(entry);
        assert_eq!(card.width, CARD_WIDTH);
        let rows = entry.kind.output_ports().len();
        assert_eq!(card.height, CARD_HEADER_HEIGHT + rows as f32 * PORT_ROW_HEIGHT + CARD_PAD / 2.0);
        assert_eq!(input_port_pos(card), Point::new(card.x, card.y + CARD_HEADER_HEIGHT / 2.0));
        let first = output_port_pos(entry, card, 0);
        assert_eq!(first.x, card.right());
        assert_eq!(first.y, card.y + CARD_HEADER_HEIGHT + PORT_ROW_HEIGHT / 2.0);
    }

    #[test]
    fn the_goals_area_holds_every_goal_and_its_heading() {
        let a = Rect::new(0.0, 100.0, GOAL_WIDTH, GOAL_HEIGHT);
        let b = Rect::new(0.0, 160.0, GOAL_WIDTH, GOAL_HEIGHT);
        let area = goals_area([a, b]).unwrap();
        assert_eq!(area.y, 100.0 - GOALS_AREA_HEADING);
        assert_eq!(area.bottom(), 160.0 + GOAL_HEIGHT + GOALS_AREA_MARGIN);
        assert_eq!(area.x, -GOALS_AREA_MARGIN);
        assert!(goals_area([]).is_none());
    }

    #[test]
    fn a_new_card_goes_to_the_nearest_free_spot() {
        let taken = [Rect::new(0.0, 0.0, CARD_WIDTH, 100.0), Rect::new(300.0, 0.0, CARD_WIDTH, 100.0)];
        // Free already: unchanged.
        assert_eq!(free_spot(&taken, CARD_WIDTH, 80.0, Point::new(0.0, 300.0)), Point::new(0.0, 300.0));
        // On top of the first card: moved off it, and not onto the second.
        let p = free_spot(&taken, CARD_WIDTH, 80.0, Point::new(20.0, 20.0));
        let r = Rect::new(p.x, p.y, CARD_WIDTH, 80.0);
        assert!(taken.iter().all(|t| !overlaps(r.expand(GRID, GRID), *t)), "{p:?}");
        assert!(p.distance(Point::new(20.0, 20.0)) < 200.0, "{p:?}");
        // The same question gives the same answer.
        assert_eq!(free_spot(&taken, CARD_WIDTH, 80.0, Point::new(20.0, 20.0)), p);
    }

    #[test]
    fn new_goals_tile_in_rows_without_overlapping() {
        let mut j = Journey::new("t");
        let wanted = Point::new(0.0, 400.0);
        for _ in 0..7 {
            let p = new_goal_spot(&j, wanted);
            j.goals.push(crate::model::Goal {
                name: "g".into(),
                event: crate::model::EventFilter::named("Charged"),
                mode: crate::model::GoalMode::Live,
                value_property: None,
                pos: CanvasPos::new(p.x, p.y),
            });
        }
        let rects: Vec<Rect> = j.goals.iter().map(goal_rect).collect();
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!overlaps(*a, *b), "{a:?} {b:?}");
            }
        }
        // Three to a row, the fourth under the first.
        assert_eq!(rects[3].x, rects[0].x);
        assert_eq!(rects[1].y, rects[0].y);
        assert!(rects[3].y > rects[0].y);
    }

    fn card(label: &str) -> Node {
        let j = Journey::new("t");
        let mut node = j.graph.nodes.values().next().unwrap().clone();
        node.label = label.to_owned();
        node
    }

    #[test]
    fn a_card_widens_for_its_title_then_wraps_it_to_two_lines_then_cuts_it() {
        let short = card("Push");
        assert_eq!(card_width(&short), CARD_WIDTH);
        assert_eq!(title_lines(&short), ["Push"]);
        assert_eq!(header_height(&short), CARD_HEADER_HEIGHT);

        let medium = card("Viewed a product more than 5 times");
        assert!(card_width(&medium) > CARD_WIDTH && card_width(&medium) <= CARD_MAX_WIDTH);
        let lines = title_lines(&medium);
        assert_eq!(lines.join(" "), "Viewed a product more than 5 times", "{lines:?}");

        let long = card("Viewed more than 10 times in the last 7 days?");
        assert_eq!(card_width(&long), CARD_MAX_WIDTH);
        let lines = title_lines(&long);
        assert_eq!(lines.len(), 2);
        // By the (wide) estimate it does not quite fit: cut, its start kept.
        let shown = lines.join(" ");
        assert!(
            shown.ends_with('…')
                && "Viewed more than 10 times in the last 7 days?".starts_with(shown.trim_end_matches('…'))
        );
        assert_eq!(header_height(&long), CARD_HEADER_HEIGHT + TITLE_LINE_HEIGHT);
        // The ports move down with the header; the card's last port row stays at its bottom.
        let r = node_rect(&long);
        assert_eq!(r.height, node_height(&short) + TITLE_LINE_HEIGHT);
        assert_eq!(output_port_pos(&long, r, 0).y, r.y + header_height(&long) + PORT_ROW_HEIGHT / 2.0);

        let endless = card(&"word ".repeat(30));
        let lines = title_lines(&endless);
        assert_eq!(lines.len(), TITLE_MAX_LINES);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        let width = card_width(&endless) - TITLE_INSET;
        assert!(lines.iter().all(|l| text_width(l, TITLE_POINTS) <= width), "{lines:?}");
        // A word wider than a line is broken, not lost.
        let lines = wrap_to_width(&"x".repeat(60), 100.0, TITLE_POINTS, 9);
        assert_eq!(lines.concat(), "x".repeat(60));
        assert_eq!(wrap_to_width("", 100.0, TITLE_POINTS, 2), [""]);
    }
}
