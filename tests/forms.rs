//! Inspector forms driven through their accessible labels (egui_kittest): every
//! setting of every node kind, setup, entry, goals and scenario.
#![cfg(feature = "gui")]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use journey_studio::app::forms::{FormContext, node_form_ui};
use journey_studio::model::{CanvasPos, Journey, KindTag, Node, NodeId, NodeKind, Seconds, TimeOfDay, WaitKind};

/// The state a node-form harness edits.
struct NodeState {
    journey: Journey,
    node: Node,
    changes: usize,
}

fn node_harness(kind: KindTag) -> Harness<'static, NodeState> {
    let node = Node {
        id: NodeId(7),
        label: kind.label().to_owned(),
        pos: CanvasPos::new(0.0, 0.0),
        kind: kind.default_kind(),
    };
    let state = NodeState { journey: Journey::new("Test"), node, changes: 0 };
    Harness::builder().with_size([1000.0, 1400.0]).build_ui_state(
        |ui, s: &mut NodeState| {
            let cx = FormContext { journey: &s.journey, diagnostics: &[] };
            if node_form_ui(ui, &mut s.node, &cx).changed {
                s.changes += 1;
            }
        },
        state,
    )
}

/// Replaces the text of the field named `label` the way a user would: click, select all, type, Tab.
fn set_text<S>(h: &mut Harness<'_, S>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
    h.key_press(Key::Tab);
    h.run();
}

/// Opens the picker named `label` and chooses `option`.
fn choose<S>(h: &mut Harness<'_, S>, label: &str, option: &str) {
    h.get_by_label(label).click();
    h.run();
    h.get_by_label(option).click();
    h.run();
}

#[test]
fn wait_node_every_mode() {
    let mut h = node_harness(KindTag::Wait);
    h.run();
    set_text(&mut h, "Label", "Cool down");
    assert_eq!(h.state().node.label, "Cool down");
    set_text(&mut h, "Wait duration", "3");
    assert_eq!(h.state().node.kind, NodeKind::Wait(WaitKind::Duration(Seconds::days(3))));
    choose(&mut h, "Wait duration unit", "hours");
    assert_eq!(h.state().node.kind, NodeKind::Wait(WaitKind::Duration(Seconds::hours(3))));
    choose(&mut h, "Wait mode", "Until a time of day");
    set_text(&mut h, "Wait until time", "25:00");
    assert!(h.query_by_label_contains("is not a time").is_some(), "inline error shown");
    assert_eq!(
        h.state().node.kind,
        NodeKind::Wait(WaitKind::TimeOfDay { time: TimeOfDay::new(9, 0).unwrap(), user_timezone: false })
    );
    set_text(&mut h, "Wait until time", "21:30");
    assert!(h.query_by_label_contains("is not a time").is_none());
    h.get_by_label("User timezone").click();
    h.run();
    assert_eq!(
        h.state().node.kind,
        NodeKind::Wait(WaitKind::TimeOfDay { time: TimeOfDay::new(21, 30).unwrap(), user_timezone: true })
    );
}
