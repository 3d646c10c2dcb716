//! The inspector: the selected node's form, or the journey's when nothing is selected.
//!
//! Every edit is made on a clone and sent as one command; the command layer coalesces a
//! typing burst into one undo step.

use egui::Ui;

use crate::app::command::{Command, Document};
use crate::app::state::Item;
use crate::model::Journey;

/// A single-line text field tied to its visible label (so screen readers and tests find it).
fn labelled_text(ui: &mut Ui, label: &str, value: &mut String, hint: &str) -> bool {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
            .labelled_by(l.id)
            .on_hover_text(hint)
            .changed()
    })
    .inner
}

/// The inspector panel's contents.
pub fn inspector_ui(
    ui: &mut Ui,
    doc: &Document,
    selection: &std::collections::BTreeSet<Item>,
    commands: &mut Vec<Command>,
) {
    let j = &doc.journey;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let mut items = selection.iter();
        match (items.next(), items.next()) {
            (None, _) => journey_ui(ui, j, commands),
            (Some(item), None) => item_ui(ui, doc, *item, commands),
            (Some(_), Some(_)) => {
                ui.heading(format!("{} items selected", selection.len()));
                ui.weak("Drag to move them together; Ctrl+L aligns them");
            }
        }
    });
}

fn journey_ui(ui: &mut Ui, j: &Journey, commands: &mut Vec<Command>) {
    ui.heading("Journey");
    let mut setup = j.setup.clone();
    let mut changed = labelled_text(ui, "Name", &mut setup.name, "The journey's name (required)");
    changed |= labelled_text(ui, "Description", &mut setup.description, "At most 120 characters when published");
    if changed {
        commands.push(Command::SetSetup(setup));
    }
    ui.separator();
    ui.label(format!("Starts {}", j.setup.start));
    ui.label(format!("Account timezone {}", j.setup.timezone.account));
    ui.label(format!("{} goals, {} nodes", j.goals.len(), j.graph.nodes.len()));
}

fn item_ui(ui: &mut Ui, doc: &Document, item: Item, commands: &mut Vec<Command>) {
    let j = &doc.journey;
    match item {
        Item::Node(id) => {
            let Some(node) = j.graph.node(id) else { return };
            ui.heading(node.kind.tag().label());
            ui.weak(format!("Node {id}"));
            let mut edited = node.clone();
            if labelled_text(ui, "Label", &mut edited.label, "The name shown on the card") {
                commands.push(Command::SetNodeSettings(edited));
            }
            ui.label(node.kind.summary());
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
            if let Some((_, messages)) = doc.node_problems.get(&id) {
                ui.separator();
                for m in messages {
                    ui.colored_label(ui.visuals().warn_fg_color, m);
                }
            }
        }
        Item::Goal(i) => {
            let Some(goal) = j.goals.get(i) else { return };
            ui.heading(format!("Goal {}", i + 1));
            let mut goals = j.goals.clone();
            let mut changed = false;
            if let Some(g) = goals.get_mut(i) {
                changed |= labelled_text(ui, "Name", &mut g.name, "Shown in the statistics");
                changed |= labelled_text(ui, "Event", &mut g.event.event, "Meeting this event converts the user");
            }
            if changed {
                commands.push(Command::SetGoals(goals));
            }
            ui.weak(format!("{:?} goal", goal.mode));
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
