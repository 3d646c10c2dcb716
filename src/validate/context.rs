//! The event-context rule (SPEC §1.4): a condition on event properties (scope
//! [`Scope::Event`](crate::model::Scope::Event) in a conditional split's paths, a
//! condition node's property filter or the entry's user filters) needs an event in
//! context on every path from the entry. Events are supplied by a live-action, inaction
//! or date-time entry, and by the Yes port of a live-action or inaction condition.
//!
//! Invariant: "every path from the entry to X passes a supplying link" is the same as "X
//! cannot be reached from the entry without following a supplying link"; so one
//! breadth-first search that never follows a supplying link finds every node lacking a
//! context, whatever the loops. Unreachable nodes are never reported here.
//!
//! `Event.*` read by Liquid in message content or a profile-update value (SPEC §4) needs
//! the same context; it is reported at the field, with its line and column.
//!
//! An event property filter *inside* an event filter (the entry's event, a condition's
//! event, a goal's event) reads that event itself and needs no context.

use super::content::{reference_text, template_fields};
use super::graph::{reachable, successors, supplies_event, usable_links};
use super::{Location, Out, Rule, Severity, name};
use crate::model::{Condition, Journey, NodeKind};
use crate::personalize::{Root, references};

/// Runs the event-context rule.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    let g = &j.graph;
    let Some(entry) = g.entry() else { return };
    let NodeKind::Entry(seg) = &entry.kind else { return };
    if seg.rule.supplies_event() {
        return;
    }
    if seg.user_filters.iter().any(|c| c.scope == crate::model::Scope::Event) {
        out.node_error(
            Rule::EventContext,
            entry.id,
            format!(
                "{}: a user filter reads an event property, but a scheduled entry has no event; filter on user \
                 properties instead",
                name(entry)
            ),
        );
    }
    let succ = successors(&usable_links(g));
    let without_context =
        reachable(&succ, entry.id, |l| g.node(l.from).is_none_or(|n| !supplies_event(&n.kind, l.port)));
    for id in without_context {
        let Some(node) = g.node(id) else { continue };
        let uses_event = match &node.kind {
            NodeKind::ConditionalSplit { paths } => paths.iter().any(|p| p.filter.uses_event_properties()),
            NodeKind::Condition { condition: Condition::UserProperty(f), .. } => f.uses_event_properties(),
            _ => false,
        };
        if uses_event {
            out.node_error(
                Rule::EventContext,
                id,
                format!(
                    "{} reads an event property, but some users reach it with no event in context (the entry is \
                     scheduled); put it after the Yes of a wait for an event, or use user properties",
                    name(node)
                ),
            );
        }
        liquid_event_reads(node, out);
    }
}

/// `Event.*` read by a Liquid field of a node that some users reach without an event in
/// context: one error per field, at the first read.
fn liquid_event_reads(node: &crate::model::Node, out: &mut Out) {
    for tf in template_fields(&node.kind) {
        if !crate::personalize::has_liquid(tf.text) {
            continue;
        }
        let Some(r) = references(tf.text).into_iter().find(|r| r.root == Root::Event) else { continue };
        out.add(
            Severity::Error,
            Rule::EventContext,
            Location::Nodes(vec![node.id]),
            Some(tf.field.clone()),
            format!(
                "{}: the {}, line {}, column {}: reads `{}`, but some users reach it with no event in context (the \
                 entry is scheduled); put it after the Yes of a wait for an event, or use `Profile.*`",
                name(node),
                tf.label,
                r.line,
                r.column,
                reference_text(r.root, &r.name)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ActionRule, ConditionalPath, EntryRule, EventFilter, Filter, NodeId, Operator, PastBehaviourRule, PathId, Port,
        PropertyCondition, Scope, Value,
    };
    use crate::validate::Severity;
    use crate::validate::testkit::{add_kind, assert_clean, kind, link, of, one, valid};

    const ENTRY: NodeId = NodeId(1);
    const PUSH: NodeId = NodeId(3);
    const EXIT: NodeId = NodeId(4);

    fn event_cond(scope: Scope) -> PropertyCondition {
        PropertyCondition { scope, property: "Amount".into(), op: Operator::GreaterThan, value: Value::Number(50.0) }
    }

    fn event_split() -> NodeKind {
        NodeKind::ConditionalSplit {
            paths: vec![ConditionalPath {
                id: PathId(1),
                name: "Big spenders".into(),
                filter: Filter::All(vec![Filter::Cond(event_cond(Scope::Event))]),
            }],
        }
    }

    fn scheduled(j: &mut Journey) {
        if let NodeKind::Entry(seg) = kind(j, ENTRY) {
            seg.rule = EntryRule::PastBehaviour(PastBehaviourRule {
                event: EventFilter::named("App Launched"),
                count: crate::model::CountCmp::AtLeast(1),
                last_days: 7,
            });
        }
    }

    fn charged() -> NodeKind {
        NodeKind::Condition {
            condition: Condition::LiveAction(ActionRule { event: EventFilter::named("Charged"), nth_occurrence: None }),
            window: Some(crate::model::Seconds::DAY),
            counted_from: crate::model::CountedFrom::Entry,
        }
    }

    #[test]
    fn live_entry_supplies_the_event() {
        let mut j = valid();
        let split = add_kind(&mut j, event_split(), "By amount");
        link(&mut j, PUSH, Port::Failed, split);
        link(&mut j, split, Port::Others, EXIT);
        assert_clean(&j);
        scheduled(&mut j);
        let d = one(&j, Rule::EventContext, Severity::Error);
        assert_eq!(d.nodes(), &[split]);
    }

    #[test]
    fn yes_of_a_wait_for_event_supplies_the_event_on_every_path() {
        let mut j = valid();
        scheduled(&mut j);
        let bought = add_kind(&mut j, charged(), "Bought?");
        let split = add_kind(&mut j, event_split(), "By amount");
        link(&mut j, PUSH, Port::Failed, bought);
        link(&mut j, bought, Port::Yes, split);
        link(&mut j, split, Port::Others, EXIT);
        assert!(of(&j, Rule::EventContext).is_empty());
        // A second way in through No has no event.
        link(&mut j, bought, Port::No, split);
        assert_eq!(one(&j, Rule::EventContext, Severity::Error).nodes(), &[split]);
        // A user-property condition is fine anywhere.
        if let NodeKind::ConditionalSplit { paths } = kind(&mut j, split) {
            paths[0].filter = Filter::Cond(event_cond(Scope::User));
        }
        assert!(of(&j, Rule::EventContext).is_empty());
    }

    #[test]
    fn condition_node_property_filter_needs_context() {
        let mut j = valid();
        scheduled(&mut j);
        let check = add_kind(
            &mut j,
            NodeKind::Condition {
                condition: Condition::UserProperty(Filter::Cond(event_cond(Scope::Event))),
                window: None,
                counted_from: crate::model::CountedFrom::Entry,
            },
            "Amount?",
        );
        link(&mut j, PUSH, Port::Failed, check);
        assert_eq!(one(&j, Rule::EventContext, Severity::Error).nodes(), &[check]);
    }

    #[test]
    fn scheduled_entry_cannot_filter_on_event_properties() {
        let mut j = valid();
        scheduled(&mut j);
        assert!(of(&j, Rule::EventContext).is_empty());
        if let NodeKind::Entry(seg) = kind(&mut j, ENTRY) {
            seg.user_filters.push(event_cond(Scope::Event));
        }
        assert_eq!(one(&j, Rule::EventContext, Severity::Error).nodes(), &[ENTRY]);
    }
}
