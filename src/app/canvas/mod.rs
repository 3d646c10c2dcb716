//! The node canvas, drawn on an `egui::Scene`: cards, ports, links, goals, comments, and
//! the gestures that edit them (select, box select, move, connect, add).
//!
//! Invariants: the canvas reads the model and writes only [`Command`]s and [`Action`]s;
//! a drag in progress is view state (an offset), and becomes one `MoveItems` command when
//! released, so one drag is one undo step. Positions inside the scene are canvas units;
//! `screen_from_canvas` maps them to the screen.

pub mod geometry;

pub use crate::geometry::layout;

use std::collections::BTreeSet;

use egui::emath::TSTransform;
use egui::epaint::CubicBezierShape;
use egui::text::{LayoutJob, TextWrapping};
use egui::{
    Align2, Color32, CornerRadius, FontId, Id, Key, PointerButton, Pos2, Rect, Sense, Stroke, StrokeKind, Ui, Vec2,
    pos2, vec2,
};

use crate::geometry::card_title;
use crate::model::{CommentId, Journey, KindTag, Node, NodeId, OutputRef, Port};

use super::command::{Command, Document, check_connect};
use super::state::{Action, Item, PaletteItem};
use super::theme::{
    self, CARD_PAD, CARD_ROUNDING, GOAL_ICON, PORT_GRAB_RADIUS, PORT_RADIUS, PORT_ROW_HEIGHT, Theme, ZOOM_RANGE,
};
use geometry::{
    comment_rect, distance_to_curve, goal_rect, input_port_pos, link_curve, node_rect, output_port_pos, snap, to_canvas,
};

/// How long a refused connection's message stays (seconds).
const REFUSAL_SECS: f64 = 4.0;

/// A pointer gesture in progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Gesture {
    /// Nothing.
    #[default]
    Idle,
    /// Dragging the selection; `offset` in canvas units.
    Move {
        /// How far the selection has moved so far.
        offset: Vec2,
    },
    /// Dragging a new link from an output port.
    Connect {
        /// Source node.
        from: NodeId,
        /// Source port.
        port: Port,
    },
    /// Dragging a selection box (canvas units).
    BoxSelect {
        /// Where the drag started.
        start: Pos2,
        /// Add to the selection instead of replacing it.
        additive: bool,
    },
}

/// The searchable add-node menu.
#[derive(Clone, Debug, PartialEq)]
pub struct AddMenu {
    /// Where the new card goes.
    pub at_canvas: Pos2,
    /// Where the menu shows.
    pub at_screen: Pos2,
    /// The search text.
    pub search: String,
    /// Link this port to the new node (a link dropped on empty canvas).
    pub connect_from: Option<(NodeId, Port)>,
    /// First frame: focus the search field.
    pub fresh: bool,
}

/// A refused connection, shown where the user was looking.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// Why.
    pub message: String,
    /// Where (screen).
    pub at_screen: Pos2,
    /// When it was refused (seconds).
    pub since: f64,
}

/// Pan, zoom, selection and gestures.
#[derive(Debug)]
pub struct CanvasView {
    /// The visible part of the canvas (egui `Scene` state).
    pub scene_rect: Rect,
    /// Canvas to screen, as drawn last frame.
    pub screen_from_canvas: TSTransform,
    /// The canvas area on screen, last frame.
    pub screen_rect: Rect,
    /// Selected items.
    pub selection: BTreeSet<Item>,
    /// The selected link.
    pub selected_link: Option<OutputRef>,
    /// The link under the pointer.
    pub hovered_link: Option<OutputRef>,
    /// The gesture in progress.
    pub gesture: Gesture,
    /// The add-node menu, when open.
    pub add_menu: Option<AddMenu>,
    /// A refused connection's message.
    pub refusal: Option<Refusal>,
    /// Fit the journey into view on the next frame.
    pub fit_pending: bool,
    /// The comment being edited in place (double-click on a note).
    pub editing_comment: Option<CommentId>,
    /// Frames after opening during which the open view follows the canvas size while
    /// the side panels settle to their widths.
    pub settle_frames: u8,
    /// Snap moved and added cards to the grid.
    pub snap: bool,
    /// Last known pointer position (screen); survives the pointer leaving.
    pub last_pointer: Option<Pos2>,
    /// A palette entry being dragged onto the canvas.
    pub palette_drag: Option<PaletteItem>,
    /// The scene's layer, last frame (overlays such as the preview draw on it).
    pub scene_layer: Option<egui::LayerId>,
}

impl Default for CanvasView {
    fn default() -> Self {
        Self {
            scene_rect: Rect::ZERO,
            screen_from_canvas: TSTransform::IDENTITY,
            screen_rect: Rect::ZERO,
            settle_frames: 0,
            editing_comment: None,
            selection: BTreeSet::new(),
            selected_link: None,
            hovered_link: None,
            gesture: Gesture::Idle,
            add_menu: None,
            refusal: None,
            fit_pending: true,
            snap: true,
            last_pointer: None,
            palette_drag: None,
            scene_layer: None,
        }
    }
}

impl CanvasView {
    /// Canvas point under a screen point.
    #[must_use]
    pub fn canvas_from_screen(&self, p: Pos2) -> Pos2 {
        self.screen_from_canvas.inverse() * p
    }

    /// The centre of the visible canvas.
    #[must_use]
    pub fn centre(&self) -> Pos2 {
        self.canvas_from_screen(self.screen_rect.center())
    }

    /// Where a new card goes for a pointer at `p` (canvas): a typical card centred on it,
    /// snapped. (Adding it moves it to the nearest free spot.)
    #[must_use]
    pub fn drop_pos(&self, p: Pos2) -> Pos2 {
        let typical_height = crate::geometry::CARD_HEADER_HEIGHT + crate::geometry::PORT_ROW_HEIGHT;
        let p = p - vec2(theme::CARD_WIDTH / 2.0, typical_height / 2.0);
        if self.snap { snap(p) } else { p }
    }

    /// The zoom shown: from the visible part of the canvas asked for, so the status bar
    /// is right on the frame after a zoom key (before the scene has drawn it); else the
    /// zoom last drawn.
    #[must_use]
    pub fn zoom(&self) -> f32 {
        if self.screen_rect.is_positive() && self.scene_rect.is_positive() {
            let z = (self.screen_rect.width() / self.scene_rect.width())
                .min(self.screen_rect.height() / self.scene_rect.height());
            z.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end())
        } else {
            self.screen_from_canvas.scaling
        }
    }

    /// Zooms around the view centre by `factor`.
    pub fn zoom_by(&mut self, factor: f32) {
        let scale = self.screen_from_canvas.scaling;
        let target = (scale * factor).clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end());
        let centre = self.scene_rect.center();
        let size = self.scene_rect.size() * (scale / target);
        if size.x.is_finite() && size.x > 0.0 {
            self.scene_rect = Rect::from_center_size(centre, size);
        }
    }

    /// Back to 100 % around the view centre.
    pub fn reset_zoom(&mut self) {
        let scale = self.screen_from_canvas.scaling;
        if scale > 0.0 {
            self.zoom_by(1.0 / scale);
        }
    }

    /// Fits `bounds` (canvas) into the view, never zooming in past 100 %.
    pub fn fit(&mut self, bounds: Rect) {
        let screen = if self.screen_rect.is_positive() { self.screen_rect.size() } else { vec2(1000.0, 700.0) };
        let bounds = bounds.expand(40.0);
        let scale = (screen.x / bounds.width()).min(screen.y / bounds.height()).min(1.0);
        let scale = scale.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end());
        self.scene_rect = Rect::from_center_size(bounds.center(), screen / scale);
    }

    /// The view a journey opens at: all of it when it fits at a readable zoom
    /// ([`theme::MIN_OPEN_ZOOM`] or more); otherwise that zoom, from its left (entry) end,
    /// centred vertically.
    pub fn open_at(&mut self, bounds: Rect) {
        self.fit(bounds);
        let screen = if self.screen_rect.is_positive() { self.screen_rect.size() } else { vec2(1000.0, 700.0) };
        if screen.x / self.scene_rect.width() >= theme::MIN_OPEN_ZOOM {
            return;
        }
        let size = screen / theme::MIN_OPEN_ZOOM;
        let bounds = bounds.expand(40.0);
        let min = Pos2::new(bounds.left(), bounds.center().y - size.y / 2.0);
        self.scene_rect = Rect::from_min_size(min, size);
    }

    /// Centres the view on a canvas point at the current zoom.
    pub fn centre_on(&mut self, p: Pos2) {
        self.scene_rect = Rect::from_center_size(p, self.scene_rect.size());
    }

    /// Drops selected items that no longer exist.
    pub fn prune(&mut self, journey: &Journey) {
        self.selection.retain(|i| i.exists_in(journey));
        if let Some(l) = self.selected_link
            && !journey.graph.links.contains_key(&l)
        {
            self.selected_link = None;
        }
    }
}

/// Everything on the canvas, in canvas units.
#[must_use]
pub fn bounds(journey: &Journey) -> Option<Rect> {
    let rects = journey
        .graph
        .nodes
        .values()
        .map(|n| node_rect(n, Vec2::ZERO))
        .chain(journey.goals.iter().map(|g| goal_rect(g, Vec2::ZERO)))
        .chain(journey.comments.iter().map(|c| comment_rect(c, Vec2::ZERO)));
    rects.reduce(egui::Rect::union)
}

/// The rectangle of an item (with the drag offset when it is selected).
fn item_rect(journey: &Journey, item: Item, offset: Vec2) -> Option<Rect> {
    match item {
        Item::Node(id) => journey.graph.node(id).map(|n| node_rect(n, offset)),
        Item::Goal(i) => journey.goals.get(i).map(|g| goal_rect(g, offset)),
        Item::Comment(id) => journey.comments.iter().find(|c| c.id == id).map(|c| comment_rect(c, offset)),
    }
}

/// The canvas: draws the journey and turns gestures into commands and actions.
pub fn canvas_ui(
    ui: &mut Ui,
    view: &mut CanvasView,
    doc: &Document,
    theme: &Theme,
    commands: &mut Vec<Command>,
    actions: &mut Vec<Action>,
) {
    let outer = ui.available_rect_before_wrap();
    let before = view.screen_rect;
    let resized = before.size() != outer.size();
    view.screen_rect = outer;
    if view.settle_frames > 0 {
        view.settle_frames -= 1;
        if resized && let Some(b) = bounds(&doc.journey) {
            view.open_at(b);
        }
    } else if resized && before.is_positive() && outer.is_positive() {
        // A panel opened or closed (statistics, timeline): keep the zoom and the top-left
        // corner rather than letting the scene shrink or grow the cards.
        let scale = view.screen_from_canvas.scaling;
        if scale > 0.0 {
            let top_left = view.screen_from_canvas.inverse() * before.min;
            view.scene_rect = Rect::from_min_size(top_left, outer.size() / scale);
        }
    }
    if view.fit_pending && outer.is_positive() {
        view.fit_pending = false;
        view.settle_frames = 8;
        match bounds(&doc.journey) {
            Some(b) => view.open_at(b),
            None => view.scene_rect = Rect::from_min_size(Pos2::ZERO, outer.size()),
        }
    }
    if let Some(p) = ui.input(|i| i.pointer.latest_pos()) {
        view.last_pointer = Some(p);
    }
    ui.painter().rect_filled(outer, 0.0, theme.canvas_bg);

    let mut scene_rect = view.scene_rect;
    let mut pan = Vec2::ZERO;
    let scale_before = view.screen_from_canvas.scaling;
    egui::Scene::new()
        .zoom_range(ZOOM_RANGE)
        .sense(Sense::hover())
        .drag_pan_buttons(egui::DragPanButtons::empty())
        .show(ui, &mut scene_rect, |ui| {
            if let Some(t) = ui.ctx().layer_transform_to_global(ui.layer_id()) {
                view.screen_from_canvas = t;
            }
            view.scene_layer = Some(ui.layer_id());
            pan = scene_contents_ui(ui, view, doc, theme, commands, actions);
        });
    view.scene_rect = scene_rect.translate(-pan);
    // The status bar is drawn before the canvas: show it the new zoom on the next frame.
    if (view.screen_from_canvas.scaling - scale_before).abs() > f32::EPSILON {
        ui.ctx().request_repaint();
    }

    add_menu_ui(ui, view, doc, commands);
    refusal_ui(ui, view, theme);
}

/// The inside of the scene. Returns a pan request in canvas units.
fn scene_contents_ui(
    ui: &mut Ui,
    view: &mut CanvasView,
    doc: &Document,
    theme: &Theme,
    commands: &mut Vec<Command>,
    actions: &mut Vec<Action>,
) -> Vec2 {
    let journey = &doc.journey;
    let visible = ui.clip_rect();
    let painter = ui.painter().clone();
    let (modifiers, space_down) = ui.input(|i| (i.modifiers, i.key_down(Key::Space)));
    let additive = modifiers.shift || modifiers.command;
    let pointer = view.last_pointer.map(|p| view.canvas_from_screen(p));
    let scale = view.screen_from_canvas.scaling.max(0.01);
    let mut pan = Vec2::ZERO;

    // The background: box select, pan, click to clear, right-click for the add menu.
    let bg = ui.interact(visible, ui.scope_id().with("canvas_background"), Sense::click_and_drag());
    grid_ui(&painter, visible, scale, theme);

    let move_offset = match &view.gesture {
        Gesture::Move { offset } => *offset,
        _ => Vec2::ZERO,
    };
    let moving: BTreeSet<Item> = if move_offset == Vec2::ZERO { BTreeSet::new() } else { view.selection.clone() };
    let offset_of = |item: Item| if moving.contains(&item) { move_offset } else { Vec2::ZERO };

    goals_ui(ui, &painter, view, journey, theme, move_offset, additive);

    // Links.
    let mut hovered_link = None;
    let mut best = (PORT_GRAB_RADIUS / scale).max(6.0);
    let link_geometry: Vec<(OutputRef, [Pos2; 4], String)> = journey
        .graph
        .links
        .iter()
        .filter_map(|(out, to)| {
            let src = journey.graph.node(out.node)?;
            let dst = journey.graph.node(*to)?;
            let index = src.kind.output_ports().iter().position(|p| *p == out.port)?;
            let from = output_port_pos(src, node_rect(src, offset_of(Item::Node(src.id))), index);
            let to = input_port_pos(node_rect(dst, offset_of(Item::Node(dst.id))));
            Some((*out, link_curve(from, to), src.kind.port_label(out.port)))
        })
        .collect();
    if bg.hovered()
        && let Some(p) = pointer
    {
        for (out, curve, _) in &link_geometry {
            let bb = Rect::from_points(curve).expand(best);
            if bb.contains(p) {
                let d = distance_to_curve(curve, p);
                if d < best {
                    best = d;
                    hovered_link = Some(*out);
                }
            }
        }
    }
    view.hovered_link = hovered_link;
    if hovered_link.is_some() {
        bg.clone().on_hover_text("A link: click to select, Delete or right-click to remove");
    }

    comments_ui(ui, &painter, view, journey, theme, move_offset, additive, commands);

    // Node cards.
    let mut port_hits: Vec<(NodeId, Port, Pos2)> = Vec::new();
    let mut drop_target = None;
    for node in journey.graph.nodes.values() {
        let item = Item::Node(node.id);
        let rect = node_rect(node, offset_of(item));
        if !rect.expand(PORT_GRAB_RADIUS).intersects(visible) {
            continue;
        }
        let id = ui.scope_id().with(("node", node.id));
        let resp = ui.interact(rect, id, Sense::click_and_drag());
        let label = node.label.clone();
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Unknown, true, &label));
        let selected = view.selection.contains(&item);
        card_ui(&painter, node, rect, selected, doc, theme, scale);
        if scale < theme::COMPACT_ZOOM || title_cut(&painter, node, rect) {
            resp.clone().on_hover_text(card_tooltip(node));
        }
        if let Some((severity, messages)) = doc.node_problems.get(&node.id) {
            let badge = Rect::from_center_size(rect.right_top() + vec2(-12.0, 12.0), Vec2::splat(16.0));
            painter.circle_filled(badge.center(), 8.0, theme.severity_color(*severity));
            painter.text(badge.center(), Align2::CENTER_CENTER, "!", FontId::proportional(12.0), Color32::WHITE);
            ui.interact(badge, id.with("badge"), Sense::hover()).on_hover_text(messages.join("\n"));
        }
        item_gesture(&resp, item, view, additive, space_down);
        resp.context_menu(|ui| item_menu_ui(ui, actions));
        if matches!(view.gesture, Gesture::Connect { from, .. } if from != node.id)
            && pointer.is_some_and(|p| rect.contains(p))
        {
            drop_target = Some(node.id);
            painter.rect_stroke(rect.expand(3.0), CARD_ROUNDING, Stroke::new(2.0, theme.link_hot), StrokeKind::Outside);
        }
        for (i, port) in node.kind.output_ports().into_iter().enumerate() {
            port_hits.push((node.id, port, output_port_pos(node, rect, i)));
        }
    }

    // Links over the cards they cross, never hidden under one.
    let label_blockers: Vec<Rect> = if scale > 0.45 {
        journey
            .graph
            .nodes
            .values()
            .map(|n| node_rect(n, offset_of(Item::Node(n.id))))
            .filter(|r| r.intersects(visible))
            .collect()
    } else {
        Vec::new()
    };
    for (out, curve, label) in &link_geometry {
        if !Rect::from_points(curve).intersects(visible) {
            continue;
        }
        let hot = Some(*out) == hovered_link || Some(*out) == view.selected_link;
        let color = if hot { theme.link_hot } else { theme.link };
        let width = if Some(*out) == view.selected_link {
            3.5
        } else if hot {
            3.0
        } else {
            2.0
        };
        painter.add(CubicBezierShape::from_points_stroke(
            *curve,
            false,
            Color32::TRANSPARENT,
            Stroke::new(width, color),
        ));
        arrow_head(&painter, curve[3], color);
        if scale > 0.45 {
            let mid = geometry::bezier_at(curve, 0.5);
            let galley = painter.layout_no_wrap(label.clone(), FontId::proportional(10.5), color);
            let r = Rect::from_center_size(mid, galley.size() + vec2(6.0, 2.0));
            // A short link's label would cover a card's title: the card names its ports.
            if label_blockers.iter().any(|c| c.intersects(r)) {
                continue;
            }
            painter.rect_filled(r, 3.0, theme.canvas_bg);
            painter.galley(r.min + vec2(3.0, 1.0), galley, color);
        }
    }
    // Ports sit above cards so that a drag from a port starts a link.
    for (node, port, pos) in port_hits {
        let r = Rect::from_center_size(pos, Vec2::splat(2.0 * PORT_GRAB_RADIUS));
        let resp = ui.interact(r, ui.scope_id().with(("port", node, port)), Sense::drag());
        if resp.hovered() {
            painter.circle_stroke(pos, PORT_RADIUS + 3.0, Stroke::new(1.5, theme.link_hot));
        }
        if resp.drag_started_by(PointerButton::Primary) {
            view.gesture = Gesture::Connect { from: node, port };
        }
        if resp.drag_stopped()
            && let Gesture::Connect { from, port } = view.gesture.clone()
        {
            view.gesture = Gesture::Idle;
            finish_connect(view, journey, from, port, drop_target, pointer, commands, ui.input(|i| i.time));
        }
    }
    if let Gesture::Connect { from, port } = &view.gesture
        && let (Some(src), Some(p)) = (journey.graph.node(*from), pointer)
        && let Some(index) = src.kind.output_ports().iter().position(|q| q == port)
    {
        let start = output_port_pos(src, node_rect(src, Vec2::ZERO), index);
        let curve = link_curve(start, p);
        painter.add(CubicBezierShape::from_points_stroke(
            curve,
            false,
            Color32::TRANSPARENT,
            Stroke::new(2.5, theme.link_hot),
        ));
    }

    // Background gestures.
    if bg.drag_started_by(PointerButton::Primary)
        && !space_down
        && let Some(p) = pointer
    {
        view.gesture = Gesture::BoxSelect { start: p, additive };
    }
    if bg.dragged_by(PointerButton::Middle) || (space_down && bg.dragged_by(PointerButton::Primary)) {
        pan += bg.drag_delta();
    }
    if let Gesture::BoxSelect { start, additive } = view.gesture.clone()
        && let Some(p) = pointer
    {
        let r = Rect::from_two_pos(start, p);
        painter.rect(
            r,
            0.0,
            theme.selection.gamma_multiply(0.12),
            Stroke::new(1.0 / scale, theme.selection),
            StrokeKind::Inside,
        );
        if bg.drag_stopped() {
            if !additive {
                view.selection.clear();
            }
            view.selected_link = None;
            for item in all_items(journey) {
                if item_rect(journey, item, Vec2::ZERO).is_some_and(|ir| ir.intersects(r)) {
                    view.selection.insert(item);
                }
            }
            view.gesture = Gesture::Idle;
        }
    }
    if bg.clicked() {
        view.add_menu = None;
        if let Some(link) = hovered_link {
            view.selection.clear();
            view.selected_link = Some(link);
        } else if !additive {
            view.selection.clear();
            view.selected_link = None;
        }
    }
    if bg.secondary_clicked() {
        if let Some(link) = hovered_link {
            commands.push(Command::Disconnect(link));
        } else if let Some(p) = pointer {
            open_add_menu(view, p, None);
        }
    }
    if bg.double_clicked()
        && let Some(p) = pointer
    {
        open_add_menu(view, p, None);
    }
    if !matches!(view.gesture, Gesture::Idle | Gesture::Move { .. }) && !ui.input(|i| i.pointer.any_down()) {
        // A gesture whose release we missed (the pointer left the window).
        view.gesture = Gesture::Idle;
    }
    pan
}

/// Starts, continues or ends a drag on a selectable item; selects on click.
fn item_gesture(resp: &egui::Response, item: Item, view: &mut CanvasView, additive: bool, space_down: bool) {
    if resp.clicked() {
        view.selected_link = None;
        view.add_menu = None;
        if additive {
            if !view.selection.remove(&item) {
                view.selection.insert(item);
            }
        } else {
            view.selection = [item].into();
        }
    }
    if resp.drag_started_by(PointerButton::Primary) && !space_down {
        if !view.selection.contains(&item) {
            if !additive {
                view.selection.clear();
            }
            view.selection.insert(item);
        }
        view.selected_link = None;
        view.gesture = Gesture::Move { offset: Vec2::ZERO };
    }
    if let Gesture::Move { offset } = &mut view.gesture
        && resp.dragged()
    {
        *offset += resp.drag_delta();
    }
}

/// After the frame: a finished move becomes one command.
pub fn finish_move(ui: &Ui, view: &mut CanvasView, journey: &Journey, commands: &mut Vec<Command>) {
    let Gesture::Move { offset } = view.gesture else { return };
    if ui.input(|i| i.pointer.any_down()) {
        return;
    }
    view.gesture = Gesture::Idle;
    if offset == Vec2::ZERO {
        return;
    }
    let moves = view
        .selection
        .iter()
        .filter_map(|item| {
            let r = item_rect(journey, *item, offset)?;
            let p = if view.snap { snap(r.min) } else { r.min };
            Some((*item, to_canvas(p)))
        })
        .collect();
    commands.push(Command::MoveItems { moves, nudge: false });
}

#[allow(clippy::too_many_arguments)]
fn finish_connect(
    view: &mut CanvasView,
    journey: &Journey,
    from: NodeId,
    port: Port,
    target: Option<NodeId>,
    pointer: Option<Pos2>,
    commands: &mut Vec<Command>,
    now: f64,
) {
    match target {
        Some(to) => match check_connect(journey, from, port, to) {
            Ok(()) => commands.push(Command::Connect { from, port, to }),
            Err(message) => {
                let at_screen = pointer.map_or(view.screen_rect.center(), |p| view.screen_from_canvas * p);
                view.refusal = Some(Refusal { message, at_screen, since: now });
            }
        },
        None => {
            if let Some(p) = pointer
                && view.screen_rect.contains(view.screen_from_canvas * p)
            {
                open_add_menu(view, p, Some((from, port)));
            }
        }
    }
}

/// Opens the add-node menu at canvas point `p`.
pub fn open_add_menu(view: &mut CanvasView, p: Pos2, connect_from: Option<(NodeId, Port)>) {
    view.add_menu = Some(AddMenu {
        at_canvas: p,
        at_screen: view.screen_from_canvas * p,
        search: String::new(),
        connect_from,
        fresh: true,
    });
}

fn all_items(journey: &Journey) -> impl Iterator<Item = Item> + '_ {
    journey
        .graph
        .nodes
        .keys()
        .map(|id| Item::Node(*id))
        .chain((0..journey.goals.len()).map(Item::Goal))
        .chain(journey.comments.iter().map(|c| Item::Comment(c.id)))
}

fn item_menu_ui(ui: &mut Ui, actions: &mut Vec<Action>) {
    let entries = [
        ("Cut", "Ctrl+X", Action::Cut),
        ("Copy", "Ctrl+C", Action::Copy),
        ("Duplicate", "Ctrl+D", Action::Duplicate),
        ("Delete", "Delete", Action::Delete),
        ("Auto-align selection", "Ctrl+L", Action::AutoAlign),
    ];
    for (label, keys, action) in entries {
        if ui.add(egui::Button::new(label).shortcut_text(keys)).clicked() {
            actions.push(action);
            ui.close();
        }
    }
}

fn grid_ui(painter: &egui::Painter, visible: Rect, scale: f32, theme: &Theme) {
    let mut step = theme::GRID;
    while step * scale < 14.0 {
        step *= 4.0;
    }
    let stroke = Stroke::new(1.0 / scale, theme.grid);
    let mut x = (visible.left() / step).floor() * step;
    while x <= visible.right() {
        painter.line_segment([pos2(x, visible.top()), pos2(x, visible.bottom())], stroke);
        x += step;
    }
    let mut y = (visible.top() / step).floor() * step;
    while y <= visible.bottom() {
        painter.line_segment([pos2(visible.left(), y), pos2(visible.right(), y)], stroke);
        y += step;
    }
}

fn arrow_head(painter: &egui::Painter, tip: Pos2, color: Color32) {
    let pts = crate::geometry::arrow_head(geometry::to_point(tip)).map(geometry::from_point).to_vec();
    painter.add(egui::Shape::convex_polygon(pts, color, Stroke::NONE));
}

fn one_line(
    painter: &egui::Painter,
    text: &str,
    font: FontId,
    color: Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font, color);
    job.wrap = TextWrapping::truncate_at_width(width);
    painter.layout_job(job)
}

/// The card's hover text: its full title and summary.
fn card_tooltip(node: &Node) -> String {
    format!("{}\n{}", card_title(node), node.kind.summary())
}

/// Whether the full-size card cuts its title.
fn title_cut(painter: &egui::Painter, node: &Node, rect: Rect) -> bool {
    title_galley(painter, node, rect, Color32::WHITE).elided
}

/// The full-size card's title: wrapped at words to the card's title width on up to
/// [`crate::geometry::TITLE_MAX_LINES`] lines (the header has room for as many as
/// [`crate::geometry::title_lines`] estimates), the last cut with "…".
fn title_galley(painter: &egui::Painter, node: &Node, rect: Rect, color: Color32) -> std::sync::Arc<egui::Galley> {
    let width = rect.width() - crate::geometry::TITLE_INSET;
    let mut job = LayoutJob::simple(
        card_title(node).to_owned(),
        FontId::proportional(crate::geometry::TITLE_POINTS),
        color,
        width,
    );
    job.wrap.max_rows = crate::geometry::title_lines(node).len();
    job.wrap.break_anywhere = false;
    job.wrap.overflow_character = Some('…');
    painter.layout_job(job)
}

/// One node card: stripe, icon, label, summary, ports. Below [`theme::COMPACT_ZOOM`]
/// (`scale` is the zoom) it is drawn compact: see [`compact_card_ui`].
fn card_ui(
    painter: &egui::Painter,
    node: &Node,
    rect: Rect,
    selected: bool,
    doc: &Document,
    theme: &Theme,
    scale: f32,
) {
    let tag = node.kind.tag();
    let accent = theme.kind_color(tag);
    let stroke = if selected { Stroke::new(2.5, theme.selection) } else { theme.card_stroke };
    if scale < theme::COMPACT_ZOOM {
        compact_card_ui(painter, node, rect, stroke, doc, theme, scale);
        return;
    }
    painter.rect(rect, CARD_ROUNDING, theme.card_fill, stroke, StrokeKind::Outside);
    let stripe = Rect::from_min_size(rect.min, vec2(5.0, rect.height()));
    painter.rect_filled(stripe, CornerRadius { nw: 6, sw: 6, ne: 0, se: 0 }, accent);
    let icon = Rect::from_min_size(rect.min + vec2(12.0, 8.0), Vec2::splat(20.0));
    painter.rect_filled(icon, 4.0, accent.gamma_multiply(0.25));
    painter.text(icon.center(), Align2::CENTER_CENTER, theme::kind_icon(tag), FontId::proportional(13.0), accent);
    let g = title_galley(painter, node, rect, theme.card_text);
    painter.galley(pos2(rect.left() + 40.0, rect.top() + 7.0), g, theme.card_text);
    let summary_y = rect.top() + crate::geometry::header_height(node) - 19.0;
    let summary = node.kind.summary();
    let g = one_line(
        painter,
        &summary,
        FontId::proportional(11.5),
        theme.card_weak_text,
        rect.width() - 2.0 * CARD_PAD - 6.0,
    );
    painter.galley(pos2(rect.left() + CARD_PAD + 4.0, summary_y), g, theme.card_weak_text);
    if tag != KindTag::Entry {
        painter.circle(input_port_pos(rect), PORT_RADIUS, theme.card_fill, Stroke::new(1.5, theme.link));
    }
    for (i, port) in node.kind.output_ports().into_iter().enumerate() {
        let p = output_port_pos(node, rect, i);
        let linked = doc.journey.graph.target(node.id, port).is_some();
        let fill = if linked { accent } else { theme.card_fill };
        painter.circle(p, PORT_RADIUS, fill, Stroke::new(1.5, accent));
        let name = node.kind.port_label(port);
        let g = one_line(painter, &name, FontId::proportional(11.0), theme.card_weak_text, rect.width() - 30.0);
        let at = pos2(p.x - 10.0 - g.size().x, p.y - g.size().y / 2.0);
        painter.galley(at, g, theme.card_weak_text);
        if i > 0 {
            let y = p.y - PORT_ROW_HEIGHT / 2.0;
            painter.line_segment(
                [pos2(rect.left() + CARD_PAD, y), pos2(rect.right() - CARD_PAD, y)],
                Stroke::new(0.5, theme.grid),
            );
        }
    }
}

/// The compact card (semantic zoom): the kind's icon and the whole title, wrapped to the
/// card's width in a font that keeps [`theme::COMPACT_TITLE_POINTS`] on screen, and the
/// ports as dots without names. Where the title needs more lines than the card is tall,
/// the card's box grows downwards to hold them; its ports and links stay where they are.
fn compact_card_ui(
    painter: &egui::Painter,
    node: &Node,
    rect: Rect,
    stroke: Stroke,
    doc: &Document,
    theme: &Theme,
    scale: f32,
) {
    let tag = node.kind.tag();
    let accent = theme.kind_color(tag);
    let points = theme::COMPACT_TITLE_POINTS / scale;
    let pad = CARD_PAD + 2.0;
    let top = CARD_PAD / 2.0;
    let icon_side = points * 1.1;
    // The first line starts after the icon; the others use the card's whole width.
    let width = (rect.width() - pad - CARD_PAD).max(10.0);
    let mut job = LayoutJob::simple(card_title(node).to_owned(), FontId::proportional(points), theme.card_text, width);
    if let Some(first) = job.sections.first_mut() {
        first.leading_space = icon_side + CARD_PAD / 2.0;
    }
    job.wrap.max_rows = COMPACT_MAX_ROWS;
    job.wrap.break_anywhere = false;
    job.wrap.overflow_character = Some('…');
    let g = painter.layout_job(job);
    let body = Rect::from_min_max(rect.min, pos2(rect.right(), rect.bottom().max(rect.top() + 2.0 * top + g.size().y)));
    painter.rect(body, CARD_ROUNDING, theme.card_fill, stroke, StrokeKind::Outside);
    let stripe = Rect::from_min_size(body.min, vec2(5.0, body.height()));
    painter.rect_filled(stripe, CornerRadius { nw: 6, sw: 6, ne: 0, se: 0 }, accent);
    let icon = Rect::from_min_size(
        rect.min + vec2(pad, top + (g.rows.first().map_or(icon_side, |r| r.height()) - icon_side) / 2.0),
        Vec2::splat(icon_side),
    );
    painter.rect_filled(icon, 4.0, accent.gamma_multiply(0.25));
    painter.text(
        icon.center(),
        Align2::CENTER_CENTER,
        theme::kind_icon(tag),
        FontId::proportional(icon_side * 0.7),
        accent,
    );
    painter.galley(pos2(rect.left() + pad, rect.top() + top), g, theme.card_text);
    if tag != KindTag::Entry {
        painter.circle(input_port_pos(rect), PORT_RADIUS, theme.card_fill, Stroke::new(1.5, theme.link));
    }
    for (i, port) in node.kind.output_ports().into_iter().enumerate() {
        let linked = doc.journey.graph.target(node.id, port).is_some();
        let fill = if linked { accent } else { theme.card_fill };
        painter.circle(output_port_pos(node, rect, i), PORT_RADIUS, fill, Stroke::new(1.5, accent));
    }
}

/// The most lines a compact card's title takes before it is cut (the whole title is in
/// the card's tooltip).
const COMPACT_MAX_ROWS: usize = 5;

fn goals_ui(
    ui: &Ui,
    painter: &egui::Painter,
    view: &mut CanvasView,
    journey: &Journey,
    theme: &Theme,
    move_offset: Vec2,
    additive: bool,
) {
    if journey.goals.is_empty() {
        return;
    }
    let space_down = ui.input(|i| i.key_down(Key::Space));
    let rects: Vec<Rect> = journey
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| goal_rect(g, if view.selection.contains(&Item::Goal(i)) { move_offset } else { Vec2::ZERO }))
        .collect();
    if let Some(area) = geometry::goals_area(&rects) {
        painter.rect_filled(area, 10.0, theme.goals_area);
        painter.text(
            area.left_top() + vec2(12.0, 8.0),
            Align2::LEFT_TOP,
            "Goals",
            FontId::proportional(13.0),
            theme.goal_color(),
        );
    }
    for (i, (goal, rect)) in journey.goals.iter().zip(rects).enumerate() {
        let item = Item::Goal(i);
        let resp = ui.interact(rect, ui.scope_id().with(("goal", i)), Sense::click_and_drag());
        let name = goal.name.clone();
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Unknown, true, &name));
        let selected = view.selection.contains(&item);
        let stroke = if selected { Stroke::new(2.5, theme.selection) } else { theme.card_stroke };
        painter.rect(rect, CARD_ROUNDING, theme.card_fill, stroke, StrokeKind::Outside);
        painter.rect_filled(
            Rect::from_min_size(rect.min, vec2(5.0, rect.height())),
            CornerRadius { nw: 6, sw: 6, ne: 0, se: 0 },
            theme.goal_color(),
        );
        painter.text(
            rect.left_top() + vec2(20.0, rect.height() / 2.0),
            Align2::CENTER_CENTER,
            GOAL_ICON,
            FontId::proportional(14.0),
            theme.goal_color(),
        );
        let g = one_line(painter, &goal.name, FontId::proportional(13.5), theme.card_text, rect.width() - 44.0);
        painter.galley(rect.left_top() + vec2(34.0, 5.0), g, theme.card_text);
        let what = format!("On {}", goal.event.event);
        let g = one_line(painter, &what, FontId::proportional(11.0), theme.card_weak_text, rect.width() - 44.0);
        painter.galley(rect.left_top() + vec2(34.0, 24.0), g, theme.card_weak_text);
        item_gesture(&resp, item, view, additive, space_down);
    }
}

/// Comment boxes: click to select, drag to move, double-click to edit the text in place
/// (Escape or a click elsewhere ends the edit; typing is one undo step per burst).
#[allow(clippy::too_many_arguments)]
fn comments_ui(
    ui: &mut Ui,
    painter: &egui::Painter,
    view: &mut CanvasView,
    journey: &Journey,
    theme: &Theme,
    move_offset: Vec2,
    additive: bool,
    commands: &mut Vec<Command>,
) {
    let space_down = ui.input(|i| i.key_down(Key::Space));
    if view.editing_comment.is_some_and(|id| !journey.comments.iter().any(|c| c.id == id)) {
        view.editing_comment = None;
    }
    for c in &journey.comments {
        let item = Item::Comment(c.id);
        let rect = comment_rect(c, if view.selection.contains(&item) { move_offset } else { Vec2::ZERO });
        let resp = ui.interact(rect, ui.scope_id().with(("comment", c.id)), Sense::click_and_drag());
        let text = c.text.clone();
        resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Unknown, true, &text));
        let selected = view.selection.contains(&item);
        let stroke = if selected { Stroke::new(2.0, theme.selection) } else { Stroke::NONE };
        painter.rect(rect, 4.0, theme.comment_fill, stroke, StrokeKind::Outside);
        if resp.double_clicked() {
            view.editing_comment = Some(c.id);
            view.selection = [item].into();
        }
        if view.editing_comment == Some(c.id) {
            comment_edit_ui(ui, view, c, rect, theme, commands);
            continue;
        }
        let galley = painter.layout(
            c.text.clone(),
            FontId::proportional(12.5),
            theme.comment_text,
            rect.width() - 2.0 * CARD_PAD,
        );
        painter.with_clip_rect(rect.intersect(painter.clip_rect())).galley(
            rect.min + Vec2::splat(CARD_PAD),
            galley,
            theme.comment_text,
        );
        resp.clone().on_hover_text("A note: drag to move, double-click to edit");
        item_gesture(&resp, item, view, additive, space_down);
    }
}

/// The in-place editor of one comment's text.
fn comment_edit_ui(
    ui: &mut Ui,
    view: &mut CanvasView,
    c: &crate::model::Comment,
    rect: Rect,
    theme: &Theme,
    commands: &mut Vec<Command>,
) {
    let id = ui.scope_id().with(("comment_edit", c.id));
    let mut text = c.text.clone();
    let inner = Rect::from_min_max(rect.min + Vec2::splat(CARD_PAD - 2.0), rect.max - Vec2::splat(CARD_PAD - 2.0));
    let edit = egui::TextEdit::multiline(&mut text)
        .id(id)
        .frame(egui::Frame::NONE)
        .font(FontId::proportional(12.5))
        .text_color(theme.comment_text)
        .desired_width(inner.width())
        .desired_rows(1);
    let resp = ui.put(inner, edit).accessible_name("Note text");
    if !resp.has_focus() && !resp.lost_focus() {
        resp.request_focus();
    }
    if text != c.text {
        commands.push(Command::EditComment { id: c.id, text });
    }
    if resp.lost_focus() || ui.input(|i| i.key_pressed(Key::Escape)) {
        view.editing_comment = None;
        ui.memory_mut(|m| m.surrender_focus(id));
    }
}

/// Every palette entry, in palette order with its group heading.
#[must_use]
pub fn palette_entries() -> Vec<(&'static str, Vec<PaletteItem>)> {
    let mut groups: Vec<(&'static str, Vec<PaletteItem>)> = Vec::new();
    for kind in KindTag::all() {
        let heading = theme::group_label(kind.group());
        match groups.last_mut() {
            Some((h, items)) if *h == heading => items.push(PaletteItem::Kind(kind)),
            _ => groups.push((heading, vec![PaletteItem::Kind(kind)])),
        }
    }
    groups.push(("Goals", vec![PaletteItem::Goal]));
    groups.push(("Notes", vec![PaletteItem::Comment]));
    groups
}

/// The command that adds a palette item at `pos` (canvas).
#[must_use]
pub fn add_command(item: PaletteItem, pos: Pos2, connect_from: Option<(NodeId, Port)>) -> Command {
    let pos = to_canvas(pos);
    match item {
        PaletteItem::Kind(kind) => Command::AddNode { kind, pos, connect_from },
        PaletteItem::Goal => Command::AddGoal { pos },
        PaletteItem::Comment => Command::AddComment { pos, text: "Note".to_owned() },
    }
}

fn add_menu_ui(ui: &Ui, view: &mut CanvasView, doc: &Document, commands: &mut Vec<Command>) {
    let Some(menu) = view.add_menu.as_mut() else { return };
    let connecting = menu.connect_from.is_some();
    let has_entry = doc.journey.graph.entries().next().is_some();
    let mut pick = None;
    let mut close = false;
    let area = egui::Area::new(Id::unique("add_node_menu"))
        .order(egui::Order::Foreground)
        .fixed_pos(menu.at_screen)
        .constrain(true)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_width(220.0);
                let heading = if connecting { "Add and connect" } else { "Add" };
                let label = ui.label(heading);
                let edit =
                    ui.add(egui::TextEdit::singleline(&mut menu.search).hint_text("Search nodes").desired_width(200.0));
                let edit = edit.labelled_by(label.id).on_hover_text("Type to filter; Enter adds the first match");
                if menu.fresh {
                    edit.request_focus();
                    menu.fresh = false;
                }
                let needle = menu.search.to_lowercase();
                let mut first = None;
                egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                    for (heading, items) in palette_entries() {
                        let items: Vec<PaletteItem> = items
                            .into_iter()
                            .filter(|i| !connecting || matches!(i, PaletteItem::Kind(_)))
                            .filter(|i| !(*i == PaletteItem::Kind(KindTag::Entry) && (has_entry || connecting)))
                            .filter(|i| {
                                needle.is_empty()
                                    || i.label().to_lowercase().contains(&needle)
                                    || heading.to_lowercase().contains(&needle)
                            })
                            .collect();
                        if items.is_empty() {
                            continue;
                        }
                        ui.weak(heading);
                        for item in items {
                            first.get_or_insert(item);
                            if ui.button(item.label()).on_hover_text(format!("Add a {} here", item.label())).clicked() {
                                pick = Some(item);
                            }
                        }
                    }
                });
                if edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    pick = pick.or(first);
                }
            });
        });
    if ui.input(|i| i.key_pressed(Key::Escape)) {
        close = true;
    }
    if area.response.clicked_elsewhere() && pick.is_none() {
        close = true;
    }
    let (at_canvas, connect_from) = (menu.at_canvas, menu.connect_from);
    if let Some(item) = pick {
        let pos = view.drop_pos(at_canvas);
        commands.push(add_command(item, pos, connect_from));
        close = true;
    }
    if close {
        view.add_menu = None;
    }
}

fn refusal_ui(ui: &Ui, view: &mut CanvasView, theme: &Theme) {
    let Some(r) = &view.refusal else { return };
    let now = ui.input(|i| i.time);
    if now - r.since > REFUSAL_SECS {
        view.refusal = None;
        return;
    }
    ui.ctx().request_repaint_after(std::time::Duration::from_millis(250));
    egui::Area::new(Id::unique("connect_refusal"))
        .order(egui::Order::Tooltip)
        .fixed_pos(r.at_screen + vec2(12.0, 12.0))
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).fill(theme.refusal_bg).show(ui, |ui| {
                ui.label(egui::RichText::new(&r.message).color(theme.card_text));
            });
        });
}

/// Whether `p` (canvas) is on a card; used by drops from the palette.
#[must_use]
pub fn node_at(journey: &Journey, p: Pos2) -> Option<NodeId> {
    journey.graph.nodes.values().rev().find(|n| node_rect(n, Vec2::ZERO).contains(p)).map(|n| n.id)
}

/// Canvas position of a model position (for panels that centre the view).
#[must_use]
pub fn node_centre(journey: &Journey, id: NodeId) -> Option<Pos2> {
    journey.graph.node(id).map(|n| node_rect(n, Vec2::ZERO).center())
}

/// Moves every selected item by `delta` (arrow keys).
#[must_use]
pub fn nudge_command(view: &CanvasView, journey: &Journey, delta: Vec2) -> Option<Command> {
    let moves: Vec<_> = view
        .selection
        .iter()
        .filter_map(|item| Some((*item, to_canvas(item_rect(journey, *item, delta)?.min))))
        .collect();
    (!moves.is_empty()).then_some(Command::MoveItems { moves, nudge: true })
}
