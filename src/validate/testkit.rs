//! Test helpers: a small valid journey and assertions on diagnostics.

use crate::model::{
    CanvasPos, Channel, EventBehaviour, EventFilter, Goal, GoalMode, Journey, KindTag, Node, NodeId, NodeKind, Port,
};
use crate::validate::{Diagnostic, Rule, Severity, validate};

/// Adds a node of a default kind with a label.
pub fn add(j: &mut Journey, tag: KindTag, label: &str) -> NodeId {
    add_kind(j, tag.default_kind(), label)
}

/// Adds a node with these settings.
pub fn add_kind(j: &mut Journey, kind: NodeKind, label: &str) -> NodeId {
    let id = j.graph.next_node_id();
    j.graph.nodes.insert(id, Node { id, label: label.to_owned(), pos: CanvasPos::new(0.0, 0.0), kind });
    id
}

/// Links `from.port` to `to`.
pub fn link(j: &mut Journey, from: NodeId, port: Port, to: NodeId) {
    j.graph.connect(from, port, to);
}

/// The node's settings, to change them.
pub fn kind(j: &mut Journey, id: NodeId) -> &mut NodeKind {
    &mut j.graph.nodes.get_mut(&id).unwrap().kind
}

/// Entry (n1, live "App Launched") → Wait 1 day (n2) → Push (n3) → Exit (n4) on Clicked;
/// one goal "Purchase" on `Charged`; the scenario describes every event.
pub fn valid() -> Journey {
    let mut j = Journey::new("Welcome");
    let entry = NodeId(1);
    let wait = add(&mut j, KindTag::Wait, "Pause");
    let push = add(&mut j, KindTag::Channel(Channel::Push), "Hello");
    if let NodeKind::Channel { message, .. } = kind(&mut j, push) {
        message.title = "Hi".to_owned();
    }
    let exit = add(&mut j, KindTag::Exit, "Done");
    link(&mut j, entry, Port::Next, wait);
    link(&mut j, wait, Port::Next, push);
    link(&mut j, push, Port::Clicked, exit);
    j.goals.push(Goal {
        name: "Purchase".to_owned(),
        event: EventFilter::named("Charged"),
        mode: GoalMode::Live,
        value_property: None,
        pos: CanvasPos::new(0.0, 0.0),
    });
    j.scenario.events.insert("Charged".to_owned(), EventBehaviour::at_rate(0.05));
    j
}

/// The diagnostics of one rule.
pub fn of(j: &Journey, rule: Rule) -> Vec<Diagnostic> {
    validate(j).into_iter().filter(|d| d.rule == rule).collect()
}

/// Exactly one diagnostic of `rule`, with this severity; returns it.
pub fn one(j: &Journey, rule: Rule, severity: Severity) -> Diagnostic {
    let found = of(j, rule);
    assert_eq!(found.len(), 1, "expected one {rule:?}, got {found:#?}\nall: {:#?}", validate(j));
    let d = found.into_iter().next().unwrap();
    assert_eq!(d.severity, severity, "{d:?}");
    d
}

/// No diagnostic at all.
pub fn assert_clean(j: &Journey) {
    let d = validate(j);
    assert!(d.is_empty(), "expected no diagnostics, got {d:#?}");
}
