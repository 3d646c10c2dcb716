//! The run bar: users, seed, horizon and replicates, the Run button (F5), a progress bar
//! with Cancel during a run, and what happened to the last run (stale, cancelled, refused).
//!
//! Invariant: the bar only edits [`Preview`] state; runs start after the frame.

use egui::{Color32, RichText, Ui};

use super::{Preview, RunInputs};
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_USERS};

/// Colour of warnings in the bar (stale results, refusals).
const WARN: Color32 = Color32::from_rgb(230, 160, 40);

/// Draws the run bar.
pub fn run_bar_ui(ui: &mut Ui, p: &mut Preview, stale: bool) {
    ui.horizontal_wrapped(|ui| {
        let running = p.running.is_some();
        let mut inputs = p.inputs.unwrap_or(RunInputs { users: 1, seed: 0, horizon_days: 1, replicates: 1 });
        ui.add_enabled_ui(!running, |ui| {
            let l = ui.label("Users");
            ui.add(egui::DragValue::new(&mut inputs.users).range(1..=MAX_USERS).speed(100.0))
                .labelled_by(l.id)
                .on_hover_text("Population size for this run");
            let l = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut inputs.seed)).labelled_by(l.id).on_hover_text("Random seed");
            let l = ui.label("Days");
            ui.add(egui::DragValue::new(&mut inputs.horizon_days).range(1..=MAX_HORIZON_DAYS))
                .labelled_by(l.id)
                .on_hover_text("Days of journey time to simulate");
            let l = ui.label("Replicates");
            ui.add(egui::DragValue::new(&mut inputs.replicates).range(1..=MAX_REPLICATES))
                .labelled_by(l.id)
                .on_hover_text("Independent runs; counts are means over replicates, spreads shown");
        });
        if p.inputs.is_some() {
            p.inputs = Some(inputs);
        }
        ui.separator();
        if let Some(r) = &p.running {
            let share = r.progress();
            #[allow(clippy::cast_possible_truncation)]
            let bar = egui::ProgressBar::new(share as f32).desired_width(220.0).show_percentage().animate(true);
            ui.add(bar).on_hover_text("Simulating on a background thread; the canvas stays usable");
            let cancel = ui.add_enabled(!r.cancelling, egui::Button::new("Cancel"));
            if cancel.on_hover_text("Stop the run").clicked() {
                p.cancel();
            }
        } else {
            let run = ui.button(RichText::new("Simulate").strong()).on_hover_text("Run the simulation (F5)");
            if run.clicked() {
                p.run_requested = true;
            }
            if p.outcome.is_some() {
                let keep = ui.button("Keep as baseline").on_hover_text("Compare later runs with this one");
                if keep.clicked() {
                    p.keep_baseline();
                }
            }
            if p.baseline.is_some() && ui.button("Clear baseline").on_hover_text("Stop comparing").clicked() {
                p.baseline = None;
            }
        }
        if stale && p.running.is_none() {
            ui.label(RichText::new("Results are stale: the journey changed. Press F5 to re-run.").color(WARN));
        }
        if p.cancelled {
            ui.label(RichText::new("Run cancelled").color(WARN));
        }
        if let Some(e) = &p.error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 80, 70)));
        }
    });
}
