//! File › New from template…: the example journeys (`crate::templates`), each shown with
//! its description, what it holds and a miniature of its canvas. Create starts a new,
//! unsaved journey from the chosen one (asking about unsaved changes first, as File › New).

use egui::epaint::CubicBezierShape;
use egui::{Align2, Color32, FontId, Key, Modifiers, Sense, Stroke, StrokeKind, Ui, Vec2, pos2, vec2};

use super::state::Action;
use super::theme::Theme;
use crate::geometry::{self, Point};
use crate::model::Journey;
use crate::templates::TEMPLATES;

/// The template window's state.
#[derive(Debug, Default)]
pub struct Gallery {
    /// The window is shown.
    pub open: bool,
    /// The template chosen (an index into [`TEMPLATES`]).
    pub chosen: usize,
}

/// The miniature's size on screen.
const MINIATURE: Vec2 = vec2(440.0, 230.0);

/// The "New from template" window, when open. Create queues
/// [`Action::NewFromTemplate`].
pub fn gallery_ui(ctx: &egui::Context, gallery: &mut Gallery, theme: &Theme, actions: &mut Vec<Action>) {
    if !gallery.open {
        return;
    }
    if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        gallery.open = false;
        return;
    }
    let mut open = true;
    egui::Window::new("New from template")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, Vec2::ZERO)
        .show(ctx, |ui| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(180.0);
                    ui.weak("Example journeys");
                    for (i, t) in TEMPLATES.iter().enumerate() {
                        ui.selectable_value(&mut gallery.chosen, i, t.title);
                    }
                });
                ui.add_space(12.0);
                ui.vertical(|ui| {
                    let Some(t) = TEMPLATES.get(gallery.chosen) else { return };
                    match t.journey() {
                        Ok(journey) => {
                            ui.heading(t.title);
                            ui.set_max_width(MINIATURE.x);
                            if !journey.setup.description.trim().is_empty() {
                                ui.label(&journey.setup.description);
                            }
                            ui.weak(contents_line(&journey));
                            miniature_ui(ui, &journey, theme);
                        }
                        Err(e) => {
                            ui.colored_label(theme.error, format!("This template does not load: {e}"));
                        }
                    }
                });
            });
            ui.separator();
            ui.horizontal(|ui| {
                let title = TEMPLATES.get(gallery.chosen).map_or("", |t| t.title);
                if ui.button("Create").on_hover_text(format!("Start a new, unsaved journey from “{title}”")).clicked()
                    && let Some(t) = TEMPLATES.get(gallery.chosen)
                {
                    actions.push(Action::NewFromTemplate(t.name));
                    gallery.open = false;
                }
                if ui.button("Cancel").clicked() {
                    gallery.open = false;
                }
            });
        });
    gallery.open &= open;
}

/// What a journey holds, in one line: cards, links, goals.
fn contents_line(journey: &Journey) -> String {
    let goals: Vec<&str> = journey.goals.iter().map(|g| g.name.as_str()).collect();
    let goals = if goals.is_empty() { "no goal".to_owned() } else { format!("goals: {}", goals.join(", ")) };
    format!("{} cards · {} links · {goals}", journey.graph.nodes.len(), journey.graph.links.len())
}

/// The journey's canvas drawn small: the goals area, cards with their colour stripe, and
/// links, from the same geometry as the canvas.
fn miniature_ui(ui: &mut Ui, journey: &Journey, theme: &Theme) {
    let (rect, _) = ui.allocate_exact_size(MINIATURE, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, theme.canvas_bg);
    let Some(bounds) = geometry::drawing_bounds(journey) else {
        painter.text(rect.center(), Align2::CENTER_CENTER, "An empty canvas", FontId::proportional(13.0), theme.link);
        return;
    };
    let bounds = bounds.expand(geometry::GRID, geometry::GRID);
    let scale = (rect.width() / bounds.width).min(rect.height() / bounds.height);
    let centre = pos2(bounds.x + bounds.width / 2.0, bounds.y + bounds.height / 2.0);
    let at = |p: Point| rect.center() + (pos2(p.x, p.y) - centre) * scale;
    let screen = |r: geometry::Rect| egui::Rect::from_two_pos(at(r.min()), at(Point::new(r.right(), r.bottom())));
    let goals: Vec<geometry::Rect> = journey.goals.iter().map(geometry::goal_rect).collect();
    if let Some(area) = geometry::goals_area(goals.iter().copied()) {
        painter.rect_filled(screen(area), 3.0, theme.goals_area);
    }
    for g in &goals {
        painter.rect(screen(*g), 2.0, theme.card_fill, theme.card_stroke, StrokeKind::Inside);
    }
    for (from, to) in &journey.graph.links {
        let (Some(src), Some(dst)) = (journey.graph.node(from.node), journey.graph.node(*to)) else { continue };
        let Some(index) = src.kind.output_ports().iter().position(|p| *p == from.port) else { continue };
        let start = geometry::output_port_pos(src, geometry::node_rect(src), index);
        let end = geometry::input_port_pos(geometry::node_rect(dst));
        let curve = geometry::link_curve(start, end).map(at);
        painter.add(CubicBezierShape::from_points_stroke(
            curve,
            false,
            Color32::TRANSPARENT,
            Stroke::new(1.0, theme.link),
        ));
    }
    for node in journey.graph.nodes.values() {
        let r = screen(geometry::node_rect(node));
        painter.rect(r, 2.0, theme.card_fill, theme.card_stroke, StrokeKind::Inside);
        let stripe = egui::Rect::from_min_size(r.min, vec2((geometry::CARD_STRIPE_WIDTH * scale).max(2.0), r.height()));
        painter.rect_filled(stripe, 1.0, theme.kind_color(node.kind.tag()));
    }
}
