//! Structure rules: exactly one entry, no dangling link, nothing links into the entry,
//! every node reachable (warning), every loop holds a pause; and [`check_connect`], which
//! the canvas asks before it adds a link.
//!
//! Invariant: a loop is safe exactly when it passes a node for which
//! `graph::breaks_cycles` holds, so the graph minus those nodes must have no cycle; the
//! rule and [`check_connect`] use the same definition and the same usable links.

use std::collections::BTreeSet;

use super::graph::{breaks_cycles, components, path, reachable, successors, usable_links};
use super::{Location, Out, Rule, name};
use crate::model::{Graph, Journey, KindTag, NodeId, Port};

const PAUSE_ADVICE: &str = "put a Wait of at least 1 minute (or until a time of day, or until the best time) in the loop, \
     or users would go round it forever";

/// Runs the structure rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    let g = &j.graph;
    entry_count(g, out);
    links(g, out);
    unreachable(g, out);
    cycles(g, out);
}

fn entry_count(g: &Graph, out: &mut Out) {
    let entries: Vec<NodeId> = g.entries().map(|n| n.id).collect();
    match entries.len() {
        0 => out.error(
            Rule::EntryCount,
            Location::Entry,
            "The journey has no entry node: add one to say who enters and when".to_owned(),
        ),
        1 => {}
        n => out.error(
            Rule::EntryCount,
            Location::Nodes(entries),
            format!("The journey has {n} entry nodes: keep exactly one"),
        ),
    }
}

fn links(g: &Graph, out: &mut Out) {
    for l in g.link_list() {
        let to = g.node(l.to);
        let Some(from) = g.node(l.from) else {
            let nodes = if to.is_some() { vec![l.to, l.from] } else { vec![l.from, l.to] };
            out.error(
                Rule::DanglingLink,
                Location::Nodes(nodes),
                format!("A link comes from node {}, which no longer exists: delete the link", l.from),
            );
            continue;
        };
        if !from.kind.has_port(l.port) {
            out.node_error(
                Rule::DanglingLink,
                l.from,
                format!(
                    "{} has a link from an output '{}' it no longer has (a removed path?): delete the link",
                    name(from),
                    l.port
                ),
            );
            continue;
        }
        match to {
            None => out.node_error(
                Rule::DanglingLink,
                l.from,
                format!(
                    "{}: the output '{}' links to node {}, which no longer exists: link it again or delete the link",
                    name(from),
                    from.kind.port_label(l.port),
                    l.to
                ),
            ),
            Some(t) if t.kind.tag() == KindTag::Entry => out.error(
                Rule::LinkIntoEntry,
                Location::Nodes(vec![l.from, l.to]),
                format!(
                    "{}: the output '{}' links back into the entry node; users enter only through the entry rule",
                    name(from),
                    from.kind.port_label(l.port)
                ),
            ),
            Some(_) => {}
        }
    }
}

fn unreachable(g: &Graph, out: &mut Out) {
    let Some(entry) = g.entry() else { return };
    let succ = successors(&usable_links(g));
    let seen = reachable(&succ, entry.id, |_| true);
    for node in g.nodes.values().filter(|n| !seen.contains(&n.id)) {
        out.node_warn(
            Rule::Unreachable,
            node.id,
            format!("{} cannot be reached from the entry: no user will ever get there", name(node)),
        );
    }
}

fn cycles(g: &Graph, out: &mut Out) {
    let links = usable_links(g);
    let succ = successors(&links);
    let unsafe_node = |id: NodeId| g.node(id).is_some_and(|n| !breaks_cycles(&n.kind));
    let ids: BTreeSet<NodeId> = g.nodes.keys().copied().collect();
    for comp in components(&ids, &succ, unsafe_node) {
        let Some(&first) = comp.first() else { continue };
        let members: BTreeSet<NodeId> = comp.iter().copied().collect();
        let inside = |id: NodeId| members.contains(&id);
        // A witness: a link from `first` to a member, then a path back to `first`.
        let witness =
            succ.get(&first).into_iter().flatten().filter(|l| inside(l.to)).find_map(|l| {
                if l.to == first { Some(vec![first]) } else { path(&succ, l.to, first, |m| inside(m.to)) }
            });
        let Some(rest) = witness else { continue };
        let mut cycle = vec![first];
        if rest.len() > 1 {
            cycle.extend(rest.iter().take(rest.len() - 1));
        }
        let names: Vec<String> = cycle.iter().chain(std::iter::once(&first)).map(|id| node_name(g, *id)).collect();
        out.error(
            Rule::CycleWithoutWait,
            Location::Nodes(cycle),
            format!("These steps loop with no pause ({}): {PAUSE_ADVICE}", names.join(" → ")),
        );
    }
}

fn node_name(g: &Graph, id: NodeId) -> String {
    g.node(id).map_or_else(|| id.to_string(), name)
}

/// Whether the canvas may link `from`'s output `port` to `to`; `Err` holds a reason a
/// marketer understands. Replacing the link already on that port is allowed (the caller
/// replaces it), so the old link is ignored.
///
/// # Errors
/// When either node is missing, `from` has no such output, `to` is the entry node, or
/// the link would close a loop without a pause (SPEC §1.4).
pub fn check_connect(j: &Journey, from: NodeId, port: Port, to: NodeId) -> Result<(), String> {
    let g = &j.graph;
    let src = g.node(from).ok_or_else(|| format!("Node {from} no longer exists"))?;
    if !src.kind.has_port(port) {
        return Err(format!("{} has no output '{port}'", name(src)));
    }
    let dst = g.node(to).ok_or_else(|| format!("Node {to} no longer exists"))?;
    if dst.kind.tag() == KindTag::Entry {
        return Err("Nothing can link into the entry node: users enter only through the entry rule".to_owned());
    }
    if breaks_cycles(&src.kind) || breaks_cycles(&dst.kind) {
        return Ok(());
    }
    if from == to {
        return Err(format!("Linking {} to itself makes a loop with no pause: {PAUSE_ADVICE}", name(src)));
    }
    let links: Vec<_> = usable_links(g).into_iter().filter(|l| !(l.from == from && l.port == port)).collect();
    let succ = successors(&links);
    let unsafe_node = |id: NodeId| g.node(id).is_some_and(|n| !breaks_cycles(&n.kind));
    if let Some(back) = path(&succ, to, from, |l| unsafe_node(l.to)) {
        let names: Vec<String> = std::iter::once(from).chain(back.iter().copied()).map(|id| node_name(g, id)).collect();
        return Err(format!("This link would close a loop with no pause ({}): {PAUSE_ADVICE}", names.join(" → ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, NodeKind};
    use crate::model::{OutputRef, PathId, Seconds, TimeOfDay, WaitKind};
    use crate::validate::testkit::{add, add_kind, assert_clean, kind, link, of, one, valid};
    use crate::validate::{Severity, validate};

    const ENTRY: NodeId = NodeId(1);
    const WAIT: NodeId = NodeId(2);
    const PUSH: NodeId = NodeId(3);

    #[test]
    fn no_entry_node_is_an_error_at_the_entry() {
        let mut j = valid();
        j.graph.remove_node(ENTRY);
        let d = one(&j, Rule::EntryCount, Severity::Error);
        assert_eq!(d.location, Location::Entry);
    }

    #[test]
    fn two_entry_nodes_are_an_error_naming_both() {
        let mut j = valid();
        let second = add(&mut j, KindTag::Entry, "Second");
        let d = one(&j, Rule::EntryCount, Severity::Error);
        assert_eq!(d.nodes(), &[ENTRY, second]);
    }

    #[test]
    fn link_to_a_missing_node_is_dangling() {
        let mut j = valid();
        link(&mut j, PUSH, Port::Failed, NodeId(99));
        let d = one(&j, Rule::DanglingLink, Severity::Error);
        assert_eq!(d.nodes(), &[PUSH]);
        assert!(d.message.contains("n99"), "{}", d.message);
    }

    #[test]
    fn link_from_a_missing_node_is_dangling() {
        let mut j = valid();
        j.graph.links.insert(OutputRef { node: NodeId(42), port: Port::Next }, PUSH);
        let d = one(&j, Rule::DanglingLink, Severity::Error);
        assert_eq!(d.nodes(), &[PUSH, NodeId(42)]);
    }

    #[test]
    fn link_from_a_removed_split_path_is_dangling() {
        let mut j = valid();
        let split = add(&mut j, KindTag::RandomSplit, "Offer test");
        link(&mut j, PUSH, Port::Failed, split);
        link(&mut j, split, Port::Path(PathId(1)), NodeId(4));
        link(&mut j, split, Port::Path(PathId(2)), NodeId(4));
        assert!(of(&j, Rule::DanglingLink).is_empty());
        link(&mut j, split, Port::Path(PathId(3)), NodeId(4));
        let d = one(&j, Rule::DanglingLink, Severity::Error);
        assert_eq!(d.nodes(), &[split]);
        // A port the kind never has.
        j.graph.links.remove(&OutputRef { node: split, port: Port::Path(PathId(3)) });
        link(&mut j, WAIT, Port::Yes, PUSH);
        assert_eq!(one(&j, Rule::DanglingLink, Severity::Error).nodes(), &[WAIT]);
    }

    #[test]
    fn link_into_the_entry_is_an_error() {
        let mut j = valid();
        link(&mut j, PUSH, Port::Failed, ENTRY);
        let d = one(&j, Rule::LinkIntoEntry, Severity::Error);
        assert_eq!(d.nodes(), &[PUSH, ENTRY]);
    }

    #[test]
    fn unreachable_node_is_a_warning() {
        let mut j = valid();
        let lone = add(&mut j, KindTag::Exit, "Lonely");
        let d = one(&j, Rule::Unreachable, Severity::Warning);
        assert_eq!(d.nodes(), &[lone]);
        link(&mut j, PUSH, Port::Failed, lone);
        assert_clean(&j);
    }

    #[test]
    fn loop_needs_a_pause() {
        let mut j = valid();
        link(&mut j, PUSH, Port::Failed, WAIT);
        assert_clean(&j); // the 1-day wait is in the loop
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::Duration(Seconds(59)));
        let d = one(&j, Rule::CycleWithoutWait, Severity::Error);
        assert_eq!(d.nodes(), &[WAIT, PUSH]);
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::Duration(Seconds::MINUTE));
        assert!(of(&j, Rule::CycleWithoutWait).is_empty());
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::Until(j.setup.start));
        assert_eq!(of(&j, Rule::CycleWithoutWait).len(), 1);
        *kind(&mut j, WAIT) =
            NodeKind::Wait(WaitKind::TimeOfDay { time: TimeOfDay::new(9, 0).unwrap(), user_timezone: false });
        assert!(of(&j, Rule::CycleWithoutWait).is_empty());
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::BestTime);
        assert!(of(&j, Rule::CycleWithoutWait).is_empty());
    }

    #[test]
    fn self_loop_needs_a_pause() {
        let mut j = valid();
        let update = add_kind(&mut j, NodeKind::ProfileUpdate { rows: Vec::new() }, "Loop");
        link(&mut j, PUSH, Port::Failed, update);
        link(&mut j, update, Port::Updated, update);
        let d = one(&j, Rule::CycleWithoutWait, Severity::Error);
        assert_eq!(d.nodes(), &[update]);
    }

    #[test]
    fn connect_refuses_what_validation_would_reject() {
        let j = valid();
        assert!(check_connect(&j, PUSH, Port::Failed, ENTRY).unwrap_err().contains("entry"));
        assert!(check_connect(&j, PUSH, Port::Yes, NodeId(4)).is_err());
        assert!(check_connect(&j, PUSH, Port::Failed, NodeId(77)).is_err());
        assert!(check_connect(&j, NodeId(77), Port::Next, PUSH).is_err());
        assert!(check_connect(&j, PUSH, Port::Failed, NodeId(4)).is_ok());
        // Back to the 1-day wait: the loop has a pause.
        assert!(check_connect(&j, PUSH, Port::Failed, WAIT).is_ok());
        // A loop push -> sms -> push has none.
        let mut j = valid();
        let sms = add(&mut j, KindTag::Channel(Channel::Sms), "Text");
        link(&mut j, PUSH, Port::Failed, sms);
        let err = check_connect(&j, sms, Port::Sent, PUSH).unwrap_err();
        assert!(err.contains("loop"), "{err}");
        assert!(check_connect(&j, sms, Port::Sent, sms).is_err());
        // Replacing the link on push.Failed (the only way back) is allowed.
        assert!(check_connect(&j, PUSH, Port::Failed, PUSH).is_err());
        assert!(check_connect(&j, PUSH, Port::Failed, WAIT).is_ok());
        // The accepted link validates.
        link(&mut j, sms, Port::Sent, WAIT);
        assert!(validate(&j).iter().all(|d| d.rule != Rule::CycleWithoutWait));
    }
}
