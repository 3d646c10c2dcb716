//! The palette: every node kind, grouped (entry, flow control, engagement, controllers,
//! goals), added by dragging onto the canvas or by double-click (centre of the view).

use egui::{Button, RichText, Sense, Ui, vec2};

use crate::app::canvas::{CanvasView, add_command, palette_entries};
use crate::app::command::Command;
use crate::app::state::{Action, PaletteItem};
use crate::app::theme::{self, Theme};

/// The palette panel's contents.
pub fn palette_ui(
    ui: &mut Ui,
    view: &mut CanvasView,
    theme: &Theme,
    commands: &mut Vec<Command>,
    actions: &mut Vec<Action>,
) {
    ui.add_space(4.0);
    ui.heading("Palette");
    ui.weak("Drag onto the canvas, or double-click");
    ui.add_space(4.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (heading, items) in palette_entries() {
            ui.add_space(6.0);
            ui.label(RichText::new(heading).strong());
            for item in items {
                ui.horizontal(|ui| {
                    let (icon, color) = match item {
                        PaletteItem::Kind(k) => (theme::kind_icon(k), theme.kind_color(k)),
                        PaletteItem::Goal => (theme::GOAL_ICON, theme.goal_color()),
                        PaletteItem::Comment => ("📝", theme.comment_text),
                    };
                    ui.add_sized(
                        vec2(18.0, 18.0),
                        egui::Label::new(RichText::new(icon).color(color)).selectable(false),
                    );
                    let resp = ui
                        .add(
                            Button::new(item.label())
                                .sense(Sense::click_and_drag())
                                .min_size(vec2(ui.available_width(), 0.0)),
                        )
                        .on_hover_text(format!(
                            "{}: drag onto the canvas, or double-click to add it in the middle of the view",
                            item.label()
                        ));
                    palette_item_gesture(ui, &resp, item, view, commands, actions);
                });
            }
        }
    });
}

fn palette_item_gesture(
    ui: &Ui,
    resp: &egui::Response,
    item: PaletteItem,
    view: &mut CanvasView,
    commands: &mut Vec<Command>,
    actions: &mut Vec<Action>,
) {
    if resp.double_clicked() {
        actions.push(Action::AddAtCentre(item));
    }
    if resp.drag_started() {
        view.palette_drag = Some(item);
    }
    if resp.dragged()
        && let Some(p) = view.last_pointer
    {
        egui::Area::new(egui::Id::unique("palette_ghost"))
            .order(egui::Order::Tooltip)
            .fixed_pos(p + vec2(8.0, 8.0))
            .interactable(false)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(item.label());
                });
            });
    }
    if resp.drag_stopped() {
        view.palette_drag = None;
        if let Some(p) = view.last_pointer
            && view.screen_rect.contains(p)
        {
            let pos = view.drop_pos(view.canvas_from_screen(p));
            commands.push(add_command(item, pos, None));
        }
    }
}
