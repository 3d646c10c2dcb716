//! The structural diff of two journeys, or of two versions of one (SPEC §1.5), used by
//! the CLI's `diff` and by the app's compare view and canvas highlight.
//!
//! Nodes are matched by id. A change is a node added or removed, a link added, removed or
//! moved (keyed by its source port), or a setting changed, field by field, in a node, the
//! setup or a goal. Card positions, goal-card positions, comments, the status and the
//! published versions are not structural and never show. Scenario changes are listed in a
//! section of their own, since they change the preview but not the journey.
//!
//! Invariants: the diff of a journey with itself is empty; changes come in a stable
//! order (setup, then nodes by id, each node's links after its settings, then goals, and
//! the scenario section last); every change names its place (`n4`, `setup`, `goal 2`,
//! `scenario`) and, for settings, the field with its old and new value; the diff reads
//! the model only (no I/O), so the CLI and the app show the same lines.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::{Goal, Graph, Journey, NodeId, NodeKind, OutputRef, Scenario, Setup, SplitMode};

/// One side of a comparison: the parts of a journey the diff reads.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The setup form.
    pub setup: &'a Setup,
    /// Nodes and links.
    pub graph: &'a Graph,
    /// Goals.
    pub goals: &'a [Goal],
    /// The scenario; `None` leaves the scenario out of the comparison.
    pub scenario: Option<&'a Scenario>,
}

impl<'a> Side<'a> {
    /// A whole journey (its working draft and scenario).
    #[must_use]
    pub fn journey(j: &'a Journey) -> Self {
        Self { setup: &j.setup, graph: &j.graph, goals: &j.goals, scenario: Some(&j.scenario) }
    }
}

/// What kind of change a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A node only the newer side has.
    NodeAdded,
    /// A node only the older side has.
    NodeRemoved,
    /// An output port's link was added, removed or now leads elsewhere.
    Link,
    /// A setting of a node, the setup, a goal or the scenario.
    Setting,
    /// A goal only the newer side has.
    GoalAdded,
    /// A goal only the older side has.
    GoalRemoved,
}

/// One change, one line of the CLI's output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// Where: `n4`, `setup`, `goal 2`, `scenario`.
    pub place: String,
    /// The node, for a change about one (to highlight it on the canvas).
    pub node: Option<NodeId>,
    /// The node's label or the goal's name (the newer side's when both have it).
    pub label: Option<String>,
    /// The field: `message.body`, `paths[0].percent`, `label`, `link Yes`; empty for a
    /// node or goal added or removed.
    pub field: String,
    /// The old value (`None`: absent).
    pub old: Option<String>,
    /// The new value (`None`: absent).
    pub new: Option<String>,
    /// A partial edit of SPEC §1.5 (message content, provider, manual split
    /// percentages, the journey's name or description): publishing such changes updates
    /// the latest version in place.
    pub partial: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.place)?;
        if let Some(label) = &self.label {
            write!(f, " {label:?}")?;
        }
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
        match self.kind {
            ChangeKind::NodeAdded => write!(f, ": node added ({})", value(&self.new)),
            ChangeKind::NodeRemoved => write!(f, ": node removed ({})", value(&self.old)),
            ChangeKind::GoalAdded => write!(f, ": goal added ({})", value(&self.new)),
            ChangeKind::GoalRemoved => write!(f, ": goal removed ({})", value(&self.old)),
            ChangeKind::Link | ChangeKind::Setting => {
                write!(f, ": {}: {} → {}", self.field, value(&self.old), value(&self.new))
            }
        }
    }
}

/// Every change between two sides.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diff {
    /// Structural changes: setup, nodes, links, goals.
    pub changes: Vec<Change>,
    /// Scenario changes (simulation assumptions), reported apart.
    pub scenario: Vec<Change>,
}

impl Diff {
    /// Whether the two sides are the same (structure and scenario).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.scenario.is_empty()
    }

    /// Whether every structural change is a partial edit (and there is at least one).
    #[must_use]
    pub fn only_partial(&self) -> bool {
        !self.changes.is_empty() && self.changes.iter().all(|c| c.partial)
    }

    /// Nodes added on the newer side.
    #[must_use]
    pub fn added_nodes(&self) -> BTreeSet<NodeId> {
        self.nodes_where(|c| c.kind == ChangeKind::NodeAdded)
    }

    /// Nodes only the older side has.
    #[must_use]
    pub fn removed_nodes(&self) -> BTreeSet<NodeId> {
        self.nodes_where(|c| c.kind == ChangeKind::NodeRemoved)
    }

    /// Nodes on both sides whose settings or outgoing links changed.
    #[must_use]
    pub fn changed_nodes(&self) -> BTreeSet<NodeId> {
        self.nodes_where(|c| matches!(c.kind, ChangeKind::Setting | ChangeKind::Link))
            .difference(&self.added_nodes().union(&self.removed_nodes()).copied().collect())
            .copied()
            .collect()
    }

    fn nodes_where(&self, pred: impl Fn(&Change) -> bool) -> BTreeSet<NodeId> {
        self.changes.iter().filter(|c| pred(c)).filter_map(|c| c.node).collect()
    }

    /// The text the CLI prints: one change a line, the scenario section after a
    /// `Scenario` heading; empty when nothing differs.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            out.push_str(&c.to_string());
            out.push('\n');
        }
        if !self.scenario.is_empty() {
            if !self.changes.is_empty() {
                out.push('\n');
            }
            out.push_str("Scenario (simulation assumptions, not the journey)\n");
            for c in &self.scenario {
                out.push_str(&c.to_string());
                out.push('\n');
            }
        }
        out
    }
}

/// The changes from `old` to `new`.
#[must_use]
pub fn diff(old: Side<'_>, new: Side<'_>) -> Diff {
    let mut changes = Vec::new();
    setup_changes(old.setup, new.setup, &mut changes);
    node_changes(old.graph, new.graph, &mut changes);
    goal_changes(old.goals, new.goals, &mut changes);
    let mut scenario = Vec::new();
    if let (Some(a), Some(b)) = (old.scenario, new.scenario) {
        for (field, o, n) in value_changes(&to_value(a), &to_value(b)) {
            scenario.push(Change {
                kind: ChangeKind::Setting,
                place: "scenario".to_owned(),
                node: None,
                label: None,
                field,
                old: o,
                new: n,
                partial: false,
            });
        }
    }
    Diff { changes, scenario }
}

/// The changes from journey `old` to journey `new` (drafts and scenarios).
#[must_use]
pub fn diff_journeys(old: &Journey, new: &Journey) -> Diff {
    diff(Side::journey(old), Side::journey(new))
}

fn setup_changes(old: &Setup, new: &Setup, out: &mut Vec<Change>) {
    for (field, o, n) in value_changes(&to_value(old), &to_value(new)) {
        // The journey's name and description change no behaviour.
        let partial = field == "name" || field == "description";
        out.push(Change {
            kind: ChangeKind::Setting,
            place: "setup".to_owned(),
            node: None,
            label: None,
            field,
            old: o,
            new: n,
            partial,
        });
    }
}

fn node_changes(old: &Graph, new: &Graph, out: &mut Vec<Change>) {
    let ids: BTreeSet<NodeId> = old.nodes.keys().chain(new.nodes.keys()).copied().collect();
    for id in ids {
        let (a, b) = (old.node(id), new.node(id));
        let label = b.or(a).map(|n| n.label.clone());
        let change = |kind, field: String, o: Option<String>, n: Option<String>, partial| Change {
            kind,
            place: id.to_string(),
            node: Some(id),
            label: label.clone(),
            field,
            old: o,
            new: n,
            partial,
        };
        match (a, b) {
            (Some(a), None) => {
                out.push(change(ChangeKind::NodeRemoved, String::new(), Some(a.kind.summary()), None, false));
            }
            (None, Some(b)) => {
                out.push(change(ChangeKind::NodeAdded, String::new(), None, Some(b.kind.summary()), false));
            }
            (Some(a), Some(b)) => {
                if a.label != b.label {
                    out.push(change(
                        ChangeKind::Setting,
                        "label".to_owned(),
                        Some(quote(&a.label)),
                        Some(quote(&b.label)),
                        false,
                    ));
                }
                if a.kind.tag() == b.kind.tag() {
                    for (field, o, n) in value_changes(&variant_body(&a.kind), &variant_body(&b.kind)) {
                        let partial = is_partial(&a.kind, &b.kind, &field);
                        out.push(change(ChangeKind::Setting, field, o, n, partial));
                    }
                } else {
                    let kind = |k: &NodeKind| format!("{}: {}", k.tag().label(), k.summary());
                    out.push(change(
                        ChangeKind::Setting,
                        "kind".to_owned(),
                        Some(kind(&a.kind)),
                        Some(kind(&b.kind)),
                        false,
                    ));
                }
            }
            (None, None) => {}
        }
        // Links leaving this node, by port.
        let ports: BTreeSet<OutputRef> =
            old.links.keys().chain(new.links.keys()).filter(|o| o.node == id).copied().collect();
        for port in ports {
            let (to_a, to_b) = (old.links.get(&port), new.links.get(&port));
            if to_a == to_b {
                continue;
            }
            let port_name = b.or(a).map_or_else(|| port.port.to_string(), |n| n.kind.port_label(port.port));
            let end = |g: &Graph, to: Option<&NodeId>| {
                to.map(|t| match g.node(*t) {
                    Some(n) => format!("{t} {:?}", n.label),
                    None => t.to_string(),
                })
            };
            out.push(change(ChangeKind::Link, format!("link {port_name}"), end(old, to_a), end(new, to_b), false));
        }
    }
}

fn goal_changes(old: &[Goal], new: &[Goal], out: &mut Vec<Change>) {
    for i in 0..old.len().max(new.len()) {
        let (a, b) = (old.get(i), new.get(i));
        let label = b.or(a).map(|g| g.name.clone());
        let summary = |g: &Goal| format!("on {}", g.event.event);
        let change = |kind, field: String, o, n| Change {
            kind,
            place: format!("goal {}", i + 1),
            node: None,
            label: label.clone(),
            field,
            old: o,
            new: n,
            partial: false,
        };
        match (a, b) {
            (Some(a), None) => out.push(change(ChangeKind::GoalRemoved, String::new(), Some(summary(a)), None)),
            (None, Some(b)) => out.push(change(ChangeKind::GoalAdded, String::new(), None, Some(summary(b)))),
            (Some(a), Some(b)) => {
                // The card's position is layout, not behaviour.
                let without_pos = |g: &Goal| {
                    let mut v = to_value(g);
                    if let Value::Object(m) = &mut v {
                        m.remove("pos");
                    }
                    v
                };
                for (field, o, n) in value_changes(&without_pos(a), &without_pos(b)) {
                    out.push(change(ChangeKind::Setting, field, o, n));
                }
            }
            (None, None) => {}
        }
    }
}

/// Whether a change of `field` between two nodes of the same kind is a partial edit:
/// message content and provider (a content variant's too, and the variants' percentages
/// while the variants stay the same ones), or a manual split's percentages.
fn is_partial(a: &NodeKind, b: &NodeKind, field: &str) -> bool {
    match (a, b) {
        (NodeKind::Channel { variants: va, .. }, NodeKind::Channel { variants: vb, .. }) => {
            if field == "message" || field.starts_with("message.") {
                return true;
            }
            let same_variants =
                va.len() == vb.len() && va.iter().zip(vb).all(|(x, y)| x.id == y.id && x.name == y.name);
            same_variants
                && field.strip_prefix("variants[").and_then(|r| r.split_once(']')).is_some_and(|(i, rest)| {
                    i.parse::<usize>().is_ok()
                        && (rest == ".percent" || rest == ".message" || rest.starts_with(".message."))
                })
        }
        (
            NodeKind::RandomSplit { mode: SplitMode::Manual, paths: pa, .. },
            NodeKind::RandomSplit { mode: SplitMode::Manual, paths: pb, .. },
        ) => {
            // Same paths (ids and names), only the shares differ.
            let same_paths = pa.len() == pb.len() && pa.iter().zip(pb).all(|(x, y)| x.id == y.id && x.name == y.name);
            same_paths
                && field
                    .strip_prefix("paths[")
                    .and_then(|r| r.split_once("].percent"))
                    .is_some_and(|(i, rest)| rest.is_empty() && i.parse::<usize>().is_ok())
        }
        _ => false,
    }
}

/// A node kind's settings without the outer variant (the kinds are already equal).
fn variant_body(kind: &NodeKind) -> Value {
    match to_value(kind) {
        Value::Object(m) if m.len() == 1 => m.into_iter().next().map_or(Value::Null, |(_, v)| v),
        // A kind without settings (Exit, Force exit) serializes as its bare name.
        Value::String(_) => Value::Null,
        other => other,
    }
}

/// The value as JSON, to compare field by field. Every model type serializes (maps have
/// string or unit-variant keys); should one ever fail, its RON text stands in, so a
/// difference still shows.
fn to_value<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or_else(|_| Value::String(ron::to_string(x).unwrap_or_default()))
}

/// Leaf differences between two values: (field path, old, new).
fn value_changes(a: &Value, b: &Value) -> Vec<(String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    walk(a, b, String::new(), &mut out);
    out
}

fn walk(a: &Value, b: &Value, path: String, out: &mut Vec<(String, Option<String>, Option<String>)>) {
    if a == b {
        return;
    }
    match (a, b) {
        // Objects with the same keys, or a struct gaining an optional field: field by field.
        // Two single-key objects with different keys are an enum's variant changing, which
        // reads better as one change.
        (Value::Object(ma), Value::Object(mb)) if !(ma.len() == 1 && mb.len() == 1 && ma.keys().ne(mb.keys())) => {
            let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
            for k in keys {
                let sub = join(&path, k);
                match (ma.get(k), mb.get(k)) {
                    (Some(x), Some(y)) => walk(x, y, sub, out),
                    (x, y) => out.push((sub, x.map(show), y.map(show))),
                }
            }
        }
        // Lists of the same length: element by element; otherwise the whole list.
        (Value::Array(la), Value::Array(lb)) if la.len() == lb.len() => {
            for (i, (x, y)) in la.iter().zip(lb).enumerate() {
                walk(x, y, format!("{path}[{i}]"), out);
            }
        }
        _ => out.push((if path.is_empty() { "settings".to_owned() } else { path }, Some(show(a)), Some(show(b)))),
    }
}

/// `a.b`, or `a["Key with spaces"]` for keys that are not plain names (event names).
fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// A value for a change line: strings quoted, `none` for null, lists and groups compact.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".to_owned(),
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CanvasPos, Channel, KindTag, Port};

    fn journey() -> Journey {
        let mut j = Journey::new("t");
        for (id, kind) in [(2, KindTag::Wait), (3, KindTag::Channel(Channel::Push)), (4, KindTag::RandomSplit)] {
            let id = NodeId(id);
            j.graph.nodes.insert(
                id,
                crate::model::Node {
                    id,
                    label: kind.label().to_owned(),
                    pos: CanvasPos::default(),
                    kind: kind.default_kind(),
                },
            );
        }
        j.graph.connect(NodeId(1), Port::Next, NodeId(2));
        j.graph.connect(NodeId(2), Port::Next, NodeId(3));
        j
    }

    #[test]
    fn a_journey_has_no_diff_with_itself() {
        let j = journey();
        assert!(diff_journeys(&j, &j).is_empty());
        assert_eq!(diff_journeys(&j, &j).to_text(), "");
    }

    #[test]
    fn moves_and_comments_are_not_structural() {
        let a = journey();
        let mut b = a.clone();
        b.graph.nodes.get_mut(&NodeId(2)).unwrap().pos = CanvasPos::new(500.0, 80.0);
        b.comments.push(crate::model::Comment {
            id: b.next_comment_id(),
            pos: CanvasPos::default(),
            text: "hi".into(),
        });
        b.status = crate::model::Status::Running;
        assert!(diff_journeys(&a, &b).is_empty());
    }

    #[test]
    fn a_message_edit_names_node_field_and_values() {
        let a = journey();
        let mut b = a.clone();
        if let NodeKind::Channel { message, .. } = &mut b.graph.nodes.get_mut(&NodeId(3)).unwrap().kind {
            message.body = "Come back".into();
        }
        let d = diff_journeys(&a, &b);
        assert_eq!(d.changes.len(), 1, "{d:?}");
        assert_eq!(d.to_text(), "n3 \"Push\": message.body: \"Your Push message\" → \"Come back\"\n");
        assert!(d.only_partial());
        assert_eq!(d.changed_nodes(), [NodeId(3)].into());
    }

    #[test]
    fn split_shares_are_partial_but_a_new_path_is_not() {
        let a = journey();
        let mut b = a.clone();
        if let NodeKind::RandomSplit { paths, .. } = &mut b.graph.nodes.get_mut(&NodeId(4)).unwrap().kind {
            paths[0].percent = 70;
            paths[1].percent = 30;
        }
        let d = diff_journeys(&a, &b);
        assert_eq!(d.changes.len(), 2);
        assert!(d.only_partial());
        assert_eq!(d.changes[0].field, "paths[0].percent");
        assert_eq!((d.changes[0].old.as_deref(), d.changes[0].new.as_deref()), (Some("50"), Some("70")));
        if let NodeKind::RandomSplit { paths, .. } = &mut b.graph.nodes.get_mut(&NodeId(4)).unwrap().kind {
            paths.push(crate::model::RandomPath { id: crate::model::PathId(3), name: "C".into(), percent: 0 });
        }
        assert!(!diff_journeys(&a, &b).only_partial());
    }

    #[test]
    fn nodes_and_links_added_removed_and_moved() {
        let a = journey();
        let mut b = a.clone();
        b.graph.remove_node(NodeId(4));
        let id = NodeId(5);
        b.graph.nodes.insert(
            id,
            crate::model::Node { id, label: "Bye".into(), pos: CanvasPos::default(), kind: NodeKind::Exit },
        );
        b.graph.connect(NodeId(2), Port::Next, NodeId(5));
        let d = diff_journeys(&a, &b);
        let lines: Vec<String> = d.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "n2 \"Wait\": link Next: n3 \"Push\" → n5 \"Bye\"",
                "n4 \"Random split\": node removed (Split 50 / 50)",
                "n5 \"Bye\": node added (End of path)",
            ]
        );
        assert_eq!(d.added_nodes(), [NodeId(5)].into());
        assert_eq!(d.removed_nodes(), [NodeId(4)].into());
        assert_eq!(d.changed_nodes(), [NodeId(2)].into());
    }

    #[test]
    fn scenario_changes_have_their_own_section() {
        let a = journey();
        let mut b = a.clone();
        b.scenario.population.users = a.scenario.population.users + 1;
        let d = diff_journeys(&a, &b);
        assert!(d.changes.is_empty());
        assert_eq!(d.scenario.len(), 1);
        assert_eq!(d.scenario[0].field, "population.users");
        assert!(d.to_text().starts_with("Scenario"), "{}", d.to_text());
    }

    #[test]
    fn a_kind_change_and_setup_fields() {
        let a = journey();
        let mut b = a.clone();
        b.graph.nodes.get_mut(&NodeId(2)).unwrap().kind = NodeKind::Wait(crate::model::WaitKind::BestTime);
        b.setup.reentry.enabled = true;
        b.setup.name = "Renamed".into();
        let d = diff_journeys(&a, &b);
        let lines: Vec<String> = d.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "setup: name: \"t\" → \"Renamed\"",
                "setup: reentry.enabled: false → true",
                "n2 \"Wait\": settings: {\"Duration\":86400} → \"BestTime\"",
            ]
        );
        assert!(d.changes[0].partial && !d.changes[1].partial);
    }

    #[test]
    fn keys_that_are_not_names_are_bracketed() {
        assert_eq!(join("events", "App Launched"), "events[\"App Launched\"]");
        assert_eq!(join("", "population"), "population");
    }
}
