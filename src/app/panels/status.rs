//! The status bar: counts, problems, zoom, file, and the last message.

use egui::Ui;

use crate::app::canvas::CanvasView;
use crate::app::command::Document;
use crate::validate::Severity;

/// The status bar's contents.
pub fn status_bar_ui(ui: &mut Ui, doc: &Document, view: &CanvasView, file: &str, message: Option<&str>) {
    ui.horizontal(|ui| {
        let j = &doc.journey;
        ui.label(format!("{} nodes, {} links", j.graph.nodes.len(), j.graph.links.len()))
            .on_hover_text("Size of the journey");
        ui.separator();
        let errors = doc.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = doc.diagnostics.len() - errors;
        ui.label(format!("{errors} errors, {warnings} warnings")).on_hover_text("Live validation; see Problems");
        ui.separator();
        ui.label(format!("{:.0} %", view.zoom() * 100.0)).on_hover_text("Zoom: Ctrl+scroll, + and -, F fits, 0 resets");
        ui.separator();
        ui.label(file).on_hover_text("The current file");
        if let Some(m) = message {
            ui.separator();
            ui.label(m).on_hover_text("The last message");
        }
    });
}
