//! The problems list: live validation (one line when there is none); clicking a problem selects and centres its node,
//! or opens the inspector section (setup, entry, goals, scenario) that holds its field. A problem with a one-click
//! fix offers it beside the message ("Describe this event"), as one command.

use egui::{RichText, Ui};

use crate::app::command::Document;
use crate::app::state::Action;
use crate::app::theme::Theme;
use crate::validate::{Field, Location, Severity};

/// The problems panel's contents.
pub fn problems_ui(ui: &mut Ui, doc: &Document, theme: &Theme, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.strong("Problems");
        ui.weak(format!("{}", doc.diagnostics.len()));
        if doc.diagnostics.is_empty() {
            ui.weak("· No problems found");
        }
    });
    if doc.diagnostics.is_empty() {
        return;
    }
    // One line per problem (cut with "…", whole on hover), and only the lines in view
    // are laid out: a big journey can have hundreds of problems.
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(
        ui,
        row_height,
        doc.diagnostics.len(),
        |ui, rows| {
            for d in &doc.diagnostics[rows] {
                let (icon, word) = match d.severity {
                    Severity::Error => ("⛔", "error"),
                    Severity::Warning => ("⚠", "warning"),
                };
                let place = match &d.location {
                    Location::Setup => "setup".to_owned(),
                    Location::Entry => "entry".to_owned(),
                    Location::Goal(i) => format!("goal {}", i + 1),
                    Location::Scenario => "scenario".to_owned(),
                    Location::Nodes(ids) => ids
                        .first()
                        .and_then(|id| doc.journey.graph.node(*id).map(|n| format!("{} ({id})", n.label)))
                        .unwrap_or_else(|| "graph".to_owned()),
                };
                let line = format!("{icon} {place}: {}", d.message);
                let hover = format!("{line}\n({word}: click to show it)");
                let text = RichText::new(line).color(theme.severity_color(d.severity));
                ui.horizontal(|ui| {
                    ui.set_height(row_height);
                    if let Some(Field::UndescribedEvent(event)) = &d.field {
                        describe_event_button(ui, event);
                    }
                    let label = egui::Label::new(text).truncate().sense(egui::Sense::click());
                    let resp = ui.add(label).on_hover_text(hover);
                    if resp.clicked() {
                        actions.push(Action::Show(d.location.clone()));
                    }
                });
            }
        },
    );
}

/// "Describe this event": adds an event the scenario leaves out, with a typical rate the
/// user then edits in the scenario form (one undo step). Shared with the forms' banners.
pub fn describe_event_button(ui: &mut Ui, event: &str) {
    let button = ui.small_button("Describe this event").accessible_name(format!("Describe the event '{event}'"));
    let rate = crate::model::Scenario::typical_event_behaviour(event).rate_per_day;
    let tip =
        format!("Add '{event}' to the scenario at a typical {rate} per user per day, to edit under Scenario › Events");
    if button.on_hover_text(tip).clicked() {
        crate::app::command::post(ui.ctx(), crate::app::command::Command::DescribeEvent(event.to_owned()));
    }
}
