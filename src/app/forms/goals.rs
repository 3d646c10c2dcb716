//! The goals form (§1.3): up to three goals, each with a name, an event and its
//! property filters, live or past-behaviour evaluation, and an optional value property.
//!
//! Invariant: the form never offers a fourth goal; a file with more keeps them all
//! (validation reports it) so nothing is lost. A goal's diagnostics show under its name,
//! event or value; the rest (too many goals) in the goal's banner.

use egui::Ui;

use super::filter::event_filter_ui;
use super::widgets::{
    Diags, banner_ui, error_label, grid, grid_diagnostics_ui, heading, named, remove_button, row, text_edit, text_row,
};
use super::{FormContext, FormResponse};
use crate::model::{CanvasPos, EventFilter, Goal, GoalMode, MAX_GOALS};
use crate::validate::{Diagnostic, Field, Location};

/// Edits the goal list in place.
pub fn goals_form_ui(ui: &mut Ui, goals: &mut Vec<Goal>, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    ui.push_id("goals_form", |ui| {
        if goals.is_empty() {
            ui.weak("No goals yet: add one to measure conversions and boost");
        }
        if goals.len() > MAX_GOALS {
            error_label(ui, &format!("A journey has at most {MAX_GOALS} goals; remove {}", goals.len() - MAX_GOALS));
        }
        let mut remove = None;
        for (i, g) in goals.iter_mut().enumerate() {
            let n = i + 1;
            ui.push_id(("goal", i), |ui| {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        heading(ui, &format!("Goal {n}"));
                        if remove_button(ui, &format!("Remove goal {n}")) {
                            remove = Some(i);
                        }
                    });
                    let diags = of_goal(cx, i);
                    banner_ui(ui, &diags, at_field);
                    out |= goal_ui(ui, n, g, &diags);
                });
            });
        }
        if let Some(i) = remove {
            goals.remove(i);
            out |= true;
        }
        let add = ui.add_enabled(goals.len() < MAX_GOALS, egui::Button::new("Add goal"));
        if named(add, "Add goal", "Add a conversion goal (at most 3)").clicked() {
            let pos = goals.last().map_or(CanvasPos::new(0.0, -240.0), |g| CanvasPos::new(g.pos.x + 240.0, g.pos.y));
            goals.push(Goal {
                name: format!("Goal {}", goals.len() + 1),
                event: EventFilter::named("Charged"),
                mode: GoalMode::Live,
                value_property: None,
                pos,
            });
            out |= true;
        }
    });
    out
}

/// Edits one goal in place (`index` is 0-based), for an inspector that selects a
/// single goal card; shows the diagnostics about that goal.
pub fn goal_form_ui(ui: &mut Ui, index: usize, goal: &mut Goal, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    ui.push_id(("goal_form", index), |ui| {
        let diags = of_goal(cx, index);
        banner_ui(ui, &diags, at_field);
        out |= goal_ui(ui, index + 1, goal, &diags);
    });
    out
}

/// The diagnostics about the goal at `index`.
fn of_goal<'a>(cx: &FormContext<'a>, index: usize) -> Vec<&'a Diagnostic> {
    cx.diagnostics.iter().filter(|d| d.location == Location::Goal(index)).collect()
}

/// The goal fields shown with their diagnostics (all three are always drawn).
fn at_field(field: &Field) -> bool {
    matches!(field, Field::GoalName | Field::GoalEvent | Field::GoalValue)
}

fn goal_ui(ui: &mut Ui, n: usize, g: &mut Goal, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "goal_main", |ui| {
        changed |= text_row(ui, &format!("Goal {n} name"), "The name shown in statistics", &mut g.name);
        grid_diagnostics_ui(ui, d, &Field::GoalName);
        changed |= row(ui, &format!("Goal {n} evaluation"), "When the goal is checked", |ui, _| {
            let mut c = ui
                .radio_value(&mut g.mode, GoalMode::Live, "Live")
                .on_hover_text("The moment the event happens")
                .changed();
            c |= ui
                .radio_value(&mut g.mode, GoalMode::PastBehaviour, "Past behaviour")
                .on_hover_text("Daily at 00:00 in the account timezone")
                .changed();
            c
        });
    });
    let tip = "The event that counts as a conversion";
    changed |= event_filter_ui(ui, &format!("Goal {n} event"), tip, &mut g.event, d, &Field::GoalEvent);
    grid(ui, "goal_value", |ui| {
        let label = format!("Goal {n} value");
        let mut on = g.value_property.is_some();
        let check = ui.checkbox(&mut on, &label);
        if named(check, label.clone(), "Project revenue from an event property").changed() {
            g.value_property = on.then(|| g.value_property.clone().unwrap_or_else(|| "Amount".to_owned()));
            changed = true;
        }
        ui.horizontal(|ui| {
            if let Some(p) = &mut g.value_property {
                let tip = "The event property giving the value (for example Amount of Charged)";
                changed |= text_edit(ui, format!("Goal {n} value property"), tip, p, "property");
            }
        });
        ui.end_row();
        grid_diagnostics_ui(ui, d, &Field::GoalValue);
    });
    changed
}
