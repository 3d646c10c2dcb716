//! The inspector: the selected node's form, or the journey's forms (setup, entry, goals,
//! scenario) when nothing is selected. The forms come from [`crate::app::forms`].
//!
//! Every form edits a clone; a change becomes one command, and the command layer
//! coalesces a typing burst into one undo step.

use std::collections::BTreeSet;

use egui::Ui;

use crate::app::command::{Command, Document};
use crate::app::forms::{
    FormContext, entry_form_ui, goal_form_ui, goals_form_ui, node_form_ui, scenario_form_ui, setup_form_ui,
};
use crate::app::state::{Item, Section};
use crate::model::NodeKind;

/// The inspector panel's contents.
/// `reveal` names a section of the journey's forms to open and scroll to (taken once
/// drawn).
pub fn inspector_ui(
    ui: &mut Ui,
    doc: &Document,
    selection: &BTreeSet<Item>,
    reveal: &mut Option<Section>,
    commands: &mut Vec<Command>,
) {
    // Commands from the problems list and the forms' banners join the queue here.
    commands.extend(crate::app::command::take_posted(ui.ctx()));
    let cx = FormContext { journey: &doc.journey, diagnostics: &doc.diagnostics };
    // The panel never widens for its contents (see the shell's clamp): text wraps to it.
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let mut items = selection.iter();
        match (items.next(), items.next()) {
            (None, _) => journey_ui(ui, &cx, reveal.take(), commands),
            (Some(item), None) => item_ui(ui, doc, &cx, *item, commands),
            (Some(_), Some(_)) => {
                ui.heading(format!("{} items selected", selection.len()));
                ui.weak("Drag to move them together; Ctrl+L aligns them");
            }
        }
    });
}

/// Nothing selected: the journey's own forms.
fn journey_ui(ui: &mut Ui, cx: &FormContext<'_>, reveal: Option<Section>, commands: &mut Vec<Command>) {
    let j = cx.journey;
    ui.heading("Journey");
    // A revealed section opens and scrolls into view.
    let header = |name: &str, section: Section| {
        egui::CollapsingHeader::new(name).open((reveal == Some(section)).then_some(true))
    };
    let shown = |r: &egui::CollapsingResponse<()>, section: Section| {
        if reveal == Some(section) {
            r.header_response.scroll_to_me(Some(egui::Align::TOP));
        }
    };
    let r = header("Setup", Section::Setup).default_open(true).show(ui, |ui| {
        let mut setup = j.setup.clone();
        if setup_form_ui(ui, &mut setup, cx).changed {
            commands.push(Command::SetSetup(setup));
        }
    });
    shown(&r, Section::Setup);
    if let Some(entry_node) = j.graph.entry() {
        let r = header("Entry", Section::Entry).show(ui, |ui| {
            if let NodeKind::Entry(seg) = &entry_node.kind {
                let mut entry = seg.clone();
                if entry_form_ui(ui, &mut entry, cx).changed {
                    commands.push(Command::SetEntry { node: entry_node.id, entry });
                }
            }
        });
        shown(&r, Section::Entry);
    }
    let r = header("Goals", Section::Goals).show(ui, |ui| {
        let mut goals = j.goals.clone();
        if goals_form_ui(ui, &mut goals, cx).changed {
            commands.push(Command::SetGoals(goals));
        }
    });
    shown(&r, Section::Goals);
    let r = header("Scenario", Section::Scenario).show(ui, |ui| {
        let mut scenario = j.scenario.clone();
        if scenario_form_ui(ui, &mut scenario, cx).changed {
            commands.push(Command::SetScenario(scenario));
        }
    });
    shown(&r, Section::Scenario);
}

fn item_ui(ui: &mut Ui, doc: &Document, cx: &FormContext<'_>, item: Item, commands: &mut Vec<Command>) {
    let j = &doc.journey;
    match item {
        Item::Node(id) => {
            let Some(node) = j.graph.node(id) else { return };
            ui.heading(node.kind.tag().label());
            let mut edited = node.clone();
            if node_form_ui(ui, &mut edited, cx).changed {
                commands.push(Command::SetNodeSettings(edited));
            }
            let ports = node.kind.output_ports();
            if !ports.is_empty() {
                ui.separator();
                ui.strong("Outputs");
                for port in ports {
                    let to = j
                        .graph
                        .target(id, port)
                        .and_then(|t| j.graph.node(t))
                        .map_or_else(|| "not linked: users complete here".to_owned(), |n| format!("to {}", n.label));
                    ui.label(format!("{}  {to}", node.kind.port_label(port)));
                }
            }
        }
        Item::Goal(i) => {
            let Some(goal) = j.goals.get(i) else { return };
            ui.heading(format!("Goal {}", i + 1));
            let mut edited = goal.clone();
            if goal_form_ui(ui, i, &mut edited, cx).changed {
                let mut goals = j.goals.clone();
                goals[i] = edited;
                commands.push(Command::SetGoals(goals));
            }
        }
        Item::Comment(id) => {
            let Some(c) = j.comments.iter().find(|c| c.id == id) else { return };
            ui.heading("Comment");
            let mut text = c.text.clone();
            let l = ui.label("Text");
            let resp = ui
                .add(egui::TextEdit::multiline(&mut text).desired_width(f32::INFINITY))
                .labelled_by(l.id)
                .on_hover_text("A note on the canvas; it never affects behaviour");
            if resp.changed() {
                commands.push(Command::EditComment { id, text });
            }
        }
    }
}
