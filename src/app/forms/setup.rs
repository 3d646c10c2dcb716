//! The setup form (§1.1).

use egui::Ui;

use super::widgets::{diagnostics_ui, grid, text_row};
use super::{FormContext, FormResponse};
use crate::model::Setup;
use crate::validate::Location;

/// Edits the setup in place.
pub fn setup_form_ui(ui: &mut Ui, setup: &mut Setup, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    diagnostics_ui(ui, cx.diagnostics.iter().filter(|d| d.location == Location::Setup));
    ui.push_id("setup_form", |ui| {
        grid(ui, "setup_basics", |ui| {
            out |= text_row(ui, "Name", "The journey's name (required)", &mut setup.name);
        });
    });
    out
}
