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
//! An event property filter *inside* an event filter (the entry's event, a condition's
//! event, a goal's event) reads that event itself and needs no context.

use super::graph::{reachable, successors, supplies_event, usable_links};
use super::{Out, Rule, name};
use crate::model::{Condition, Journey, NodeKind};

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
    }
}
