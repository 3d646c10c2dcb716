//! Validation checked against brute force on random small graphs (≤ 8 nodes):
//! - the loop rule, against every simple cycle enumerated by depth-first search;
//! - `check_connect`, against the simple cycles of the graph with the link added;
//! - the event-context rule, against every simple path from the entry.

// Strategy closures are test code too (clippy only exempts `#[test]` functions).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use journey_studio::model::{
    ActionRule, CanvasPos, Channel, Condition, ConditionalPath, CountCmp, EntryRule, EntrySegment, EventFilter, Filter,
    InactionRule, Journey, Link, Node, NodeId, NodeKind, Operator, PastBehaviourRule, PathId, Port, PropertyCondition,
    RandomPath, Scope, Seconds, SplitMode, TimeOfDay, Timestamp, Value, WaitKind,
};
use journey_studio::validate::{Rule, check_connect, validate};
use proptest::prelude::*;

fn event(name: &str) -> EventFilter {
    EventFilter::named(name)
}

fn amount(scope: Scope) -> Filter {
    Filter::Cond(PropertyCondition {
        scope,
        property: "Amount".into(),
        op: Operator::GreaterThan,
        value: Value::Number(10.0),
    })
}

/// A node kind from a selector and a parameter.
fn kind(sel: u8, param: u8) -> NodeKind {
    let scope = if param.is_multiple_of(2) { Scope::Event } else { Scope::User };
    match sel {
        0 => NodeKind::Wait(WaitKind::Duration(Seconds([30, 59, 60, 3600][usize::from(param % 4)]))),
        1 => NodeKind::Wait(WaitKind::TimeOfDay { time: TimeOfDay::new(9, 0).unwrap(), user_timezone: false }),
        2 => NodeKind::Wait(WaitKind::BestTime),
        3 => NodeKind::Wait(WaitKind::Until(Timestamp(1_800_000_000))),
        4 => NodeKind::Condition {
            condition: Condition::LiveAction(ActionRule { event: event("Charged"), nth_occurrence: None }),
            window: Some(Seconds::DAY),
            counted_from: journey_studio::model::CountedFrom::Entry,
        },
        5 => NodeKind::Condition {
            condition: Condition::Inaction(InactionRule {
                did: event("Added To Cart"),
                not_did: event("Charged"),
                within: Seconds::HOUR,
            }),
            window: None,
            counted_from: journey_studio::model::CountedFrom::Entry,
        },
        6 => NodeKind::Condition {
            condition: Condition::PastBehaviour(PastBehaviourRule {
                event: event("Charged"),
                count: CountCmp::AtLeast(1),
                last_days: 7,
            }),
            window: None,
            counted_from: journey_studio::model::CountedFrom::Entry,
        },
        7 => NodeKind::Condition {
            condition: Condition::UserProperty(amount(scope)),
            window: None,
            counted_from: journey_studio::model::CountedFrom::Entry,
        },
        8 => NodeKind::ConditionalSplit {
            paths: (1..=1 + u32::from(param % 2))
                .map(|i| ConditionalPath { id: PathId(i), name: format!("P{i}"), filter: amount(scope) })
                .collect(),
        },
        9 => NodeKind::RandomSplit {
            paths: vec![
                RandomPath { id: PathId(1), name: "A".into(), percent: 50 },
                RandomPath { id: PathId(2), name: "B".into(), percent: 50 },
            ],
            mode: SplitMode::Manual,
            winner: None,
        },
        10 => NodeKind::Channel {
            channel: Channel::Push,
            message: journey_studio::model::Message { title: "t".into(), body: "b".into(), ..Default::default() },
            engagement_window: Seconds::DAY,
            exclude_from_user_timezone: false,
            variants: Vec::new(),
        },
        11 => NodeKind::ProfileUpdate { rows: Vec::new() },
        13 => NodeKind::Wait(WaitKind::Duration(Seconds::HOUR)),
        14 => kind(4, param),
        15 => kind(8, 0),
        _ => NodeKind::Exit,
    }
}

/// A random journey: node n1 is the entry (live or scheduled), the others are random
/// kinds; each output port links to a random node or nowhere.
fn journey() -> impl Strategy<Value = Journey> {
    (
        any::<bool>(),
        prop::collection::vec(
            (
                0u8..17,
                any::<u8>(),
                prop::collection::vec(prop::option::weighted(0.5, (prop::bool::weighted(0.25), 0usize..8)), 6),
            ),
            1..8,
        ),
    )
        .prop_map(|(live, specs)| {
            let mut j = Journey::new("Random");
            let entry = NodeId(1);
            let rule = if live {
                EntryRule::LiveAction(ActionRule { event: event("App Launched"), nth_occurrence: None })
            } else {
                EntryRule::PastBehaviour(PastBehaviourRule {
                    event: event("App Launched"),
                    count: CountCmp::AtLeast(1),
                    last_days: 7,
                })
            };
            j.graph.nodes.get_mut(&entry).unwrap().kind =
                NodeKind::Entry(EntrySegment { rule, user_filters: Vec::new(), skip_unsubscribed: false });
            for (i, (sel, param, _)) in specs.iter().enumerate() {
                let id = NodeId(u32::try_from(i).unwrap() + 2);
                j.graph.nodes.insert(
                    id,
                    Node { id, label: format!("N{}", id.0), pos: CanvasPos::new(0.0, 0.0), kind: kind(*sel, *param) },
                );
            }
            let n = specs.len() + 1;
            // The entry links to the first other node; every node's ports get the targets.
            let mut targets = vec![vec![Some((false, 0))]];
            targets.extend(specs.iter().map(|s| s.2.clone()));
            for (i, ts) in targets.iter().enumerate() {
                let from = NodeId(u32::try_from(i).unwrap() + 1);
                let ports = j.graph.nodes[&from].kind.output_ports();
                for (port, t) in ports.iter().zip(ts) {
                    // Mostly forward links (to a later node), some back links anywhere.
                    if let Some((back, t)) = t {
                        let index = if *back { t % n } else { i + 1 + t % (n - i).max(1) };
                        if index >= n {
                            continue;
                        }
                        let to = NodeId(u32::try_from(index).unwrap() + 1);
                        j.graph.connect(from, *port, to);
                    }
                }
            }
            j
        })
}

/// Links a user can travel, straight from the model's public API.
fn links(j: &Journey) -> Vec<Link> {
    j.graph
        .link_list()
        .filter(|l| {
            j.graph.nodes.get(&l.from).is_some_and(|n| n.kind.has_port(l.port)) && j.graph.nodes.contains_key(&l.to)
        })
        .collect()
}

fn pauses(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::Wait(WaitKind::Duration(d)) => d.0 >= 60,
        NodeKind::Wait(WaitKind::TimeOfDay { .. } | WaitKind::BestTime) => true,
        _ => false,
    }
}

/// Every simple cycle (as a node list, smallest id first), by DFS from each start node
/// through larger ids only.
fn simple_cycles(j: &Journey) -> Vec<Vec<NodeId>> {
    let ls = links(j);
    let mut out = Vec::new();
    for &start in j.graph.nodes.keys() {
        let mut stack = vec![(start, vec![start])];
        while let Some((at, path)) = stack.pop() {
            for l in ls.iter().filter(|l| l.from == at) {
                if l.to == start {
                    out.push(path.clone());
                } else if l.to > start && !path.contains(&l.to) {
                    let mut p = path.clone();
                    p.push(l.to);
                    stack.push((l.to, p));
                }
            }
        }
    }
    out
}

fn has_bad_cycle(j: &Journey) -> bool {
    simple_cycles(j).iter().any(|c| c.iter().all(|id| !pauses(&j.graph.nodes[id].kind)))
}

fn supplies(j: &Journey, l: &Link) -> bool {
    l.port == Port::Yes
        && matches!(
            j.graph.nodes[&l.from].kind,
            NodeKind::Condition { condition: Condition::LiveAction(_) | Condition::Inaction(_), .. }
        )
}

/// Whether some simple path (a list of links) from the entry to `target` has no
/// event-supplying link.
fn path_without_event(j: &Journey, target: NodeId) -> bool {
    let ls = links(j);
    let entry = NodeId(1);
    // (node, nodes visited, whether an event was supplied on the way)
    let mut stack = vec![(entry, vec![entry], false)];
    while let Some((at, seen, supplied)) = stack.pop() {
        if at == target {
            if !supplied {
                return true;
            }
            continue;
        }
        for l in ls.iter().filter(|l| l.from == at && !seen.contains(&l.to)) {
            let mut s = seen.clone();
            s.push(l.to);
            stack.push((l.to, s, supplied || supplies(j, l)));
        }
    }
    false
}

fn uses_event_properties(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::ConditionalSplit { paths } => paths.iter().any(|p| p.filter.uses_event_properties()),
        NodeKind::Condition { condition: Condition::UserProperty(f), .. } => f.uses_event_properties(),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn loop_rule_matches_brute_force(j in journey()) {
        let diags: Vec<_> = validate(&j).into_iter().filter(|d| d.rule == Rule::CycleWithoutWait).collect();
        prop_assert_eq!(!diags.is_empty(), has_bad_cycle(&j));
        // Each reported loop is a real loop with no pause.
        let ls = links(&j);
        for d in &diags {
            let nodes = d.nodes();
            prop_assert!(!nodes.is_empty());
            prop_assert!(nodes.iter().all(|id| !pauses(&j.graph.nodes[id].kind)));
            for (i, a) in nodes.iter().enumerate() {
                let b = nodes[(i + 1) % nodes.len()];
                prop_assert!(ls.iter().any(|l| l.from == *a && l.to == b), "{:?} -> {:?} not linked", a, b);
            }
        }
        // Distinct reports are distinct loops (their node sets do not overlap).
        let mut all = BTreeSet::new();
        for d in &diags {
            for id in d.nodes() {
                prop_assert!(all.insert(*id));
            }
        }
    }

    #[test]
    fn check_connect_matches_brute_force(j in journey(), from in 1u32..9, to in 1u32..9, port_pick in 0usize..6) {
        let (from, to) = (NodeId(from), NodeId(to));
        let Some(node) = j.graph.nodes.get(&from) else { return Ok(()) };
        let ports = node.kind.output_ports();
        let Some(&port) = ports.get(port_pick % ports.len().max(1)) else { return Ok(()) };
        let verdict = check_connect(&j, from, port, to);
        match j.graph.nodes.get(&to) {
            None => prop_assert!(verdict.is_err()),
            Some(_) if to == NodeId(1) => prop_assert!(verdict.is_err()),
            Some(_) => {
                let mut after = j.clone();
                after.graph.connect(from, port, to);
                // Refused exactly when the new link closes a loop with no pause.
                let closes = simple_cycles(&after).iter().any(|c| {
                    c.iter().all(|id| !pauses(&after.graph.nodes[id].kind))
                        && (0..c.len()).any(|i| c[i] == from && c[(i + 1) % c.len()] == to)
                });
                prop_assert_eq!(verdict.is_ok(), !closes, "{:?}", verdict);
                if !has_bad_cycle(&j) {
                    prop_assert_eq!(verdict.is_ok(), !has_bad_cycle(&after));
                }
            }
        }
    }

}

proptest! {
    // Paths that get their event only through a Yes are rarer in random graphs: more cases.
    #![proptest_config(ProptestConfig { cases: 6000, ..ProptestConfig::default() })]

    #[test]
    fn event_context_rule_matches_brute_force(j in journey()) {
        let flagged: BTreeSet<NodeId> = validate(&j)
            .into_iter()
            .filter(|d| d.rule == Rule::EventContext)
            .map(|d| { assert_eq!(d.nodes().len(), 1); d.nodes()[0] })
            .collect();
        let live = j.entry().is_some_and(|e| e.rule.supplies_event());
        let expected: BTreeSet<NodeId> = j
            .graph
            .nodes
            .values()
            .filter(|n| uses_event_properties(&n.kind) && !live && path_without_event(&j, n.id))
            .map(|n| n.id)
            .collect();
        prop_assert_eq!(flagged, expected);
    }
}

#[test]
fn generator_makes_interesting_graphs() {
    // Guard against a generator that never produces the cases the properties are about.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut bad_cycles, mut good_graphs, mut no_context, mut with_context) = (0, 0, 0, 0);
    for _ in 0..2000 {
        let j = journey().new_tree(&mut runner).unwrap().current();
        if has_bad_cycle(&j) {
            bad_cycles += 1;
        } else if !simple_cycles(&j).is_empty() {
            good_graphs += 1;
        }
        for n in j.graph.nodes.values().filter(|n| uses_event_properties(&n.kind)) {
            if j.entry().is_some_and(|e| !e.rule.supplies_event()) {
                if path_without_event(&j, n.id) {
                    no_context += 1;
                } else if simple_paths_exist(&j, n.id) {
                    with_context += 1;
                }
            }
        }
    }
    assert!(bad_cycles > 20 && good_graphs > 20, "bad {bad_cycles}, safe loops {good_graphs}");
    assert!(no_context > 20 && with_context > 5, "without {no_context}, with {with_context}");
}

fn simple_paths_exist(j: &Journey, target: NodeId) -> bool {
    let ls = links(j);
    let mut seen = BTreeSet::from([NodeId(1)]);
    let mut stack = vec![NodeId(1)];
    while let Some(n) = stack.pop() {
        if n == target {
            return true;
        }
        for l in ls.iter().filter(|l| l.from == n) {
            if seen.insert(l.to) {
                stack.push(l.to);
            }
        }
    }
    false
}

/// Numbers for the engine: ordinary ones and the ones that break naive code.
fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..1.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-1.0),
        1 => any::<f64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any non-finite number in the scenario is an error, and validation never panics.
    #[test]
    fn scenario_numbers_never_slip_through(j in journey(), xs in prop::collection::vec(wild(), 8), secs in any::<i64>()) {
        let mut j = j;
        let s = &mut j.scenario;
        s.population.reachability.push = xs[0];
        s.population.activity_curve[5] = xs[1];
        s.activity_shape = xs[2] + 1.0;
        s.population.timezones[0].weight = xs[3];
        s.fatigue.insert(Channel::Sms, xs[4]);
        if let Some(c) = s.channels.get_mut(&Channel::Push) {
            c.cost_per_message = xs[5];
            c.view = xs[6];
        }
        s.events.insert("Charged".into(), journey_studio::model::EventBehaviour::at_rate(xs[7]));
        j.setup.timeout = Some(Seconds(secs));
        let diags = validate(&j);
        if xs.iter().any(|x| !x.is_finite()) {
            prop_assert!(diags.iter().any(|d| d.rule == Rule::ScenarioValue));
        }
        for d in &diags {
            prop_assert!(!d.message.is_empty());
            let _ = d.place();
        }
    }
}
