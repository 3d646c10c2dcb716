//! The scenario form (§2): population, behaviour, channels, run settings.

use egui::Ui;

use super::widgets::{diagnostics_ui, grid, int_row};
use super::{FormContext, FormResponse};
use crate::model::Scenario;
use crate::validate::Location;

/// Edits the scenario in place.
pub fn scenario_form_ui(ui: &mut Ui, scenario: &mut Scenario, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    diagnostics_ui(ui, cx.diagnostics.iter().filter(|d| d.location == Location::Scenario));
    ui.push_id("scenario_form", |ui| {
        grid(ui, "scenario_population", |ui| {
            out |= int_row(
                ui,
                "Population size",
                "Number of simulated users",
                &mut scenario.population.users,
                1,
                100_000_000,
            );
        });
    });
    out
}
