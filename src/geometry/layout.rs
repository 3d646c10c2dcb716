//! Auto-align: a layered left-to-right layout of the whole journey or of a selection.
//!
//! Invariants: pure (reads the journey, returns positions); deterministic (nodes are
//! visited in id and port order); cycles are broken at back links, so every node gets
//! one layer; positions land on the snap grid.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{CanvasPos, Journey, KindTag, NodeId};

use super::{CARD_WIDTH, GRID, LAYER_GAP_X, ROW_GAP_Y, card_width, node_height};

/// New top-left corners for the nodes in `only` (every node when `None`).
#[must_use]
pub fn auto_align(journey: &Journey, only: Option<&BTreeSet<NodeId>>) -> Vec<(NodeId, CanvasPos)> {
    let g = &journey.graph;
    let included: BTreeSet<NodeId> = match only {
        Some(set) => set.iter().copied().filter(|id| g.nodes.contains_key(id)).collect(),
        None => g.nodes.keys().copied().collect(),
    };
    if included.is_empty() {
        return Vec::new();
    }
    // Children in port order, restricted to included nodes.
    let children = |id: NodeId| -> Vec<NodeId> {
        let Some(node) = g.node(id) else { return Vec::new() };
        node.kind
            .output_ports()
            .into_iter()
            .filter_map(|p| g.target(id, p))
            .filter(|t| included.contains(t) && *t != id)
            .collect()
    };
    let mut has_parent = BTreeSet::new();
    for id in &included {
        has_parent.extend(children(*id));
    }
    // Roots: the entry first, then nodes nothing links into, then whatever is left (cycles).
    let mut roots: Vec<NodeId> = included.iter().copied().filter(|id| !has_parent.contains(id)).collect();
    roots.sort_by_key(|id| (g.node(*id).map(|n| n.kind.tag()) != Some(KindTag::Entry), *id));

    // Depth-first order from the roots; back links (to a node on the stack) are ignored.
    let mut order = Vec::new();
    let mut state: BTreeMap<NodeId, bool> = BTreeMap::new(); // false = on stack, true = done
    let mut forward: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    let mut visit_from = |root: NodeId, order: &mut Vec<NodeId>, state: &mut BTreeMap<NodeId, bool>| {
        if state.contains_key(&root) {
            return;
        }
        let mut stack = vec![(root, children(root), 0usize)];
        state.insert(root, false);
        order.push(root);
        while let Some((id, kids, i)) = stack.last_mut() {
            if *i >= kids.len() {
                state.insert(*id, true);
                stack.pop();
                continue;
            }
            let kid = kids[*i];
            *i += 1;
            let id = *id;
            match state.get(&kid) {
                Some(false) => {} // a back link: closes a cycle
                Some(true) => forward.entry(id).or_default().push(kid),
                None => {
                    forward.entry(id).or_default().push(kid);
                    state.insert(kid, false);
                    order.push(kid);
                    let grand = children(kid);
                    stack.push((kid, grand, 0));
                }
            }
        }
    };
    for root in roots {
        visit_from(root, &mut order, &mut state);
    }
    for id in &included {
        visit_from(*id, &mut order, &mut state);
    }

    // Longest-path layers over forward links, in a topological order of the DAG.
    let mut layer: BTreeMap<NodeId, usize> = BTreeMap::new();
    for id in topological(&order, &forward) {
        let l = *layer.entry(id).or_insert(0);
        for kid in forward.get(&id).map(Vec::as_slice).unwrap_or_default() {
            let e = layer.entry(*kid).or_insert(0);
            *e = (*e).max(l + 1);
        }
    }
    let mut layers: BTreeMap<usize, Vec<NodeId>> = BTreeMap::new();
    for id in &order {
        layers.entry(layer.get(id).copied().unwrap_or(0)).or_default().push(*id);
    }

    // Anchor at the included nodes' current top-left corner.
    let (mut x0, mut y0) = (f32::INFINITY, f32::INFINITY);
    for id in &included {
        if let Some(n) = g.node(*id) {
            x0 = x0.min(n.pos.x);
            y0 = y0.min(n.pos.y);
        }
    }
    let height = |id: &NodeId| g.node(*id).map_or(0.0, node_height);
    let snap = |v: f32| (v / GRID).round() * GRID;
    // A layer starts a gap after the widest card of the one before it (the gap between
    // two narrowest cards is `LAYER_GAP_X - CARD_WIDTH`).
    let width = |id: &NodeId| g.node(*id).map_or(CARD_WIDTH, card_width);
    let last = layers.keys().next_back().copied().unwrap_or(0);
    let mut layer_x = Vec::with_capacity(last + 1);
    let mut x = x0;
    for l in 0..=last {
        layer_x.push(x);
        let widest = layers.get(&l).map_or(CARD_WIDTH, |ids| ids.iter().map(width).fold(CARD_WIDTH, f32::max));
        x += widest + LAYER_GAP_X - CARD_WIDTH;
    }
    let mut out = Vec::new();
    for (l, ids) in &layers {
        let x = layer_x[*l];
        // Tops aligned: a chain reads as one row.
        let mut y = y0;
        for id in ids {
            out.push((*id, CanvasPos::new(snap(x), snap(y))));
            y += height(id) + ROW_GAP_Y;
        }
    }
    out
}

/// Kahn's algorithm, ties broken by first-visit order.
fn topological(order: &[NodeId], forward: &BTreeMap<NodeId, Vec<NodeId>>) -> Vec<NodeId> {
    let rank: BTreeMap<NodeId, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut indeg: BTreeMap<NodeId, usize> = order.iter().map(|id| (*id, 0)).collect();
    for kids in forward.values() {
        for k in kids {
            *indeg.entry(*k).or_insert(0) += 1;
        }
    }
    let mut ready: BTreeSet<(usize, NodeId)> =
        indeg.iter().filter(|(_, d)| **d == 0).map(|(id, _)| (rank.get(id).copied().unwrap_or(0), *id)).collect();
    let mut out = Vec::new();
    while let Some(first) = ready.pop_first() {
        let id = first.1;
        out.push(id);
        for k in forward.get(&id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(d) = indeg.get_mut(k) {
                *d -= 1;
                if *d == 0 {
                    ready.insert((rank.get(k).copied().unwrap_or(0), *k));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Port, WaitKind};

    #[test]
    fn chain_goes_left_to_right_and_cycles_terminate() {
        let mut j = Journey::new("t");
        for i in 2..=4 {
            let id = NodeId(i);
            j.graph.nodes.insert(
                id,
                crate::model::Node {
                    id,
                    label: format!("w{i}"),
                    pos: CanvasPos::new(0.0, 0.0),
                    kind: crate::model::NodeKind::Wait(WaitKind::BestTime),
                },
            );
        }
        j.graph.connect(NodeId(1), Port::Next, NodeId(2));
        j.graph.connect(NodeId(2), Port::Next, NodeId(3));
        j.graph.connect(NodeId(3), Port::Next, NodeId(4));
        j.graph.connect(NodeId(4), Port::Next, NodeId(2)); // a loop back
        let pos: BTreeMap<NodeId, CanvasPos> = auto_align(&j, None).into_iter().collect();
        assert_eq!(pos.len(), 4);
        assert!(pos[&NodeId(1)].x < pos[&NodeId(2)].x);
        assert!(pos[&NodeId(2)].x < pos[&NodeId(3)].x);
        assert!(pos[&NodeId(3)].x < pos[&NodeId(4)].x);

        // A wide card pushes the next layer right, keeping the gap between narrow cards.
        j.graph.nodes.get_mut(&NodeId(2)).unwrap().label = "Viewed more than 10 times in the last 7 days?".into();
        let pos: BTreeMap<NodeId, CanvasPos> = auto_align(&j, None).into_iter().collect();
        let wide = super::super::card_width(&j.graph.nodes[&NodeId(2)]);
        assert!(wide > CARD_WIDTH);
        assert!(pos[&NodeId(3)].x - pos[&NodeId(2)].x >= wide + LAYER_GAP_X - CARD_WIDTH - GRID / 2.0);
        assert_eq!(pos[&NodeId(4)].x - pos[&NodeId(3)].x, LAYER_GAP_X);
    }
}
