//! Graph helpers shared by the rules: the usable links, which nodes break loops and which
//! links supply an event context, and breadth-first reachability.
//!
//! Invariant: everything here is iterative (no recursion), so a huge graph cannot overflow
//! the stack; links from missing nodes or ports, or to missing nodes, are never followed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::model::{Condition, Graph, Link, NodeId, NodeKind, Port, Seconds, WaitKind};

/// The links a user can actually travel: from an existing node, on a port it has, to an
/// existing node.
pub(crate) fn usable_links(g: &Graph) -> Vec<Link> {
    g.link_list()
        .filter(|l| g.nodes.get(&l.from).is_some_and(|n| n.kind.has_port(l.port)) && g.nodes.contains_key(&l.to))
        .collect()
}

/// Outgoing usable links per node, in link order.
pub(crate) fn successors(links: &[Link]) -> BTreeMap<NodeId, Vec<Link>> {
    let mut out: BTreeMap<NodeId, Vec<Link>> = BTreeMap::new();
    for l in links {
        out.entry(l.from).or_default().push(*l);
    }
    out
}

/// Whether a node makes a loop through it safe: a duration Wait of at least 60 s, or a
/// time-of-day or best-time Wait (SPEC §2.2 "Cycles").
pub(crate) fn breaks_cycles(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Wait(WaitKind::Duration(d)) => *d >= Seconds::MINUTE,
        NodeKind::Wait(WaitKind::TimeOfDay { .. } | WaitKind::BestTime) => true,
        _ => false,
    }
}

/// Whether leaving `kind` by `port` gives the user an event context: the Yes port of a
/// live-action or inaction condition.
pub(crate) fn supplies_event(kind: &NodeKind, port: Port) -> bool {
    port == Port::Yes
        && matches!(kind, NodeKind::Condition { condition: Condition::LiveAction(_) | Condition::Inaction(_), .. })
}

/// The nodes reachable from `start` (itself included) along links that `follow` accepts.
pub(crate) fn reachable(
    succ: &BTreeMap<NodeId, Vec<Link>>,
    start: NodeId,
    mut follow: impl FnMut(&Link) -> bool,
) -> BTreeSet<NodeId> {
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for l in succ.get(&n).into_iter().flatten() {
            if follow(l) && seen.insert(l.to) {
                queue.push_back(l.to);
            }
        }
    }
    seen
}

/// A shortest path from `from` to `to` along accepted links (node list, both ends
/// included), if any.
pub(crate) fn path(
    succ: &BTreeMap<NodeId, Vec<Link>>,
    from: NodeId,
    to: NodeId,
    mut follow: impl FnMut(&Link) -> bool,
) -> Option<Vec<NodeId>> {
    let mut parent: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    let mut seen = BTreeSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            let mut out = vec![to];
            let mut cur = to;
            while let Some(p) = parent.get(&cur) {
                out.push(*p);
                cur = *p;
            }
            out.reverse();
            return Some(out);
        }
        for l in succ.get(&n).into_iter().flatten() {
            if follow(l) && seen.insert(l.to) {
                parent.insert(l.to, n);
                queue.push_back(l.to);
            }
        }
    }
    None
}

/// Strongly connected components (Tarjan, iterative) of the nodes `keep` accepts, along
/// links between kept nodes. Every component is returned, sorted by id.
pub(crate) fn components(
    nodes: &BTreeSet<NodeId>,
    succ: &BTreeMap<NodeId, Vec<Link>>,
    keep: impl Fn(NodeId) -> bool,
) -> Vec<Vec<NodeId>> {
    let mut index: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut low: BTreeMap<NodeId, usize> = BTreeMap::new();
    let mut on_stack: BTreeSet<NodeId> = BTreeSet::new();
    let mut stack: Vec<NodeId> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0usize;
    let empty: Vec<Link> = Vec::new();
    let kids = |n: NodeId| -> Vec<NodeId> {
        succ.get(&n).unwrap_or(&empty).iter().map(|l| l.to).filter(|t| keep(*t)).collect()
    };
    for &root in nodes.iter().filter(|n| keep(**n)) {
        if index.contains_key(&root) {
            continue;
        }
        // Each frame: the node, its kept successors and how many were visited.
        let mut frames: Vec<(NodeId, Vec<NodeId>, usize)> = Vec::new();
        index.insert(root, next);
        low.insert(root, next);
        next += 1;
        stack.push(root);
        on_stack.insert(root);
        frames.push((root, kids(root), 0));
        while let Some(frame) = frames.last_mut() {
            let v = frame.0;
            if let Some(&w) = frame.1.get(frame.2) {
                frame.2 += 1;
                if let Some(&wi) = index.get(&w) {
                    if on_stack.contains(&w) {
                        let lv = low.get(&v).copied().unwrap_or(wi).min(wi);
                        low.insert(v, lv);
                    }
                } else {
                    index.insert(w, next);
                    low.insert(w, next);
                    next += 1;
                    stack.push(w);
                    on_stack.insert(w);
                    frames.push((w, kids(w), 0));
                }
                continue;
            }
            frames.pop();
            let lv = low.get(&v).copied().unwrap_or(0);
            if let Some(parent) = frames.last() {
                let p = parent.0;
                let lp = low.get(&p).copied().unwrap_or(lv).min(lv);
                low.insert(p, lp);
            }
            if index.get(&v) == Some(&lv) {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack.remove(&w);
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comp.sort_unstable();
                out.push(comp);
            }
        }
    }
    out
}
