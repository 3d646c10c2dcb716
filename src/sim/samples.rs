//! Sample users for the message preview (SPEC §4): profiles drawn from the scenario's
//! user-property distributions, and the event that brought them to a node, with its
//! properties drawn from the scenario, so that a template can be rendered for them.
//!
//! Invariants: the same journey, node and sample index give the same sample (keyed
//! hashes, no shared stream); nothing here runs the engine or reads the clock, so a
//! form can call it every frame.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::plan::PVal;
use super::rng::{hash_unit, name_hash};
use super::walk::sample_dist;
use crate::model::{Condition, EntryRule, Journey, NodeId, NodeKind, Port};
use crate::personalize::{self, Rendered, Template};

const TAG_SAMPLE: u64 = 0x7361_6d70_6c65_7573; // "sampleus"

/// One sample user at a node.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleUser {
    /// Which sample (0-based).
    pub index: u64,
    /// Their properties, by name (absent when the scenario's distribution gives none).
    pub profile: BTreeMap<String, PVal>,
    /// The event in context at the node, if any: its name and properties.
    pub event: Option<(String, BTreeMap<String, PVal>)>,
}

impl SampleUser {
    /// Renders a template for this user.
    #[must_use]
    pub fn render(&self, t: &Template) -> Rendered {
        let mut profile = |name: &str| self.profile.get(name).map(liquid_value);
        match &self.event {
            Some((_, props)) => {
                let mut event = |name: &str| props.get(name).map(liquid_value);
                t.render(&mut profile, Some(&mut event))
            }
            None => t.render(&mut profile, None),
        }
    }
}

/// A property value as Liquid sees it.
#[must_use]
pub fn liquid_value(v: &PVal) -> liquid::model::Value {
    match v {
        PVal::Num(x) => personalize::number(*x),
        PVal::Text(s) => personalize::text(s),
        PVal::Bool(b) => liquid::model::Value::scalar(*b),
        PVal::Time(t) => personalize::instant(*t),
        PVal::List(l) => personalize::list(l.iter().map(AsRef::as_ref)),
    }
}

/// A property value as a short text for the preview ("36", "gold", "2027-01-04 09:00 UTC").
#[must_use]
pub fn value_text(v: &PVal) -> String {
    match v {
        PVal::Num(x) => {
            if x.fract() == 0.0 && x.abs() < 1e15 {
                format!("{x:.0}")
            } else {
                format!("{x:.2}")
            }
        }
        PVal::Text(s) => s.to_string(),
        PVal::Bool(b) => b.to_string(),
        PVal::Time(t) => chrono::DateTime::from_timestamp(*t, 0)
            .map_or_else(|| t.to_string(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
        PVal::List(l) => l.iter().map(AsRef::as_ref).collect::<Vec<&str>>().join(", "),
    }
}

/// The event most likely in context at `node`: the nearest event supplier going back
/// along the links (the Yes of a live-action or inaction condition), or the entry's
/// event for a live-action or inaction entry. `None` when no event reaches the node.
#[must_use]
pub fn context_event(j: &Journey, node: NodeId) -> Option<String> {
    let g = &j.graph;
    let mut preds: BTreeMap<NodeId, Vec<(NodeId, Port)>> = BTreeMap::new();
    for l in g.link_list() {
        preds.entry(l.to).or_default().push((l.from, l.port));
    }
    let mut seen = BTreeSet::from([node]);
    let mut queue = VecDeque::from([node]);
    while let Some(n) = queue.pop_front() {
        if let Some(NodeKind::Entry(seg)) = g.node(n).map(|x| &x.kind) {
            match &seg.rule {
                EntryRule::LiveAction(a) => return Some(a.event.event.clone()),
                EntryRule::Inaction(r) => return Some(r.did.event.clone()),
                _ => {}
            }
        }
        for (from, port) in preds.get(&n).into_iter().flatten() {
            let supplied = match g.node(*from).map(|x| &x.kind) {
                Some(NodeKind::Condition { condition: Condition::LiveAction(a), .. }) if *port == Port::Yes => {
                    Some(a.event.event.clone())
                }
                Some(NodeKind::Condition { condition: Condition::Inaction(r), .. }) if *port == Port::Yes => {
                    Some(r.did.event.clone())
                }
                _ => None,
            };
            if supplied.is_some() {
                return supplied;
            }
            if seen.insert(*from) {
                queue.push_back(*from);
            }
        }
    }
    None
}

/// Sample user number `index` at `node`: a profile from the scenario's distributions,
/// and the event in context with its properties.
#[must_use]
pub fn sample_user(j: &Journey, node: NodeId, index: u64) -> SampleUser {
    let seed = j.scenario.run.seed;
    let start = j.setup.start.0;
    let draw = |what: u64, name: &str, d| {
        let h = name_hash(name);
        let u1 = hash_unit(&[TAG_SAMPLE, seed, index, what, h]);
        let u2 = hash_unit(&[TAG_SAMPLE, seed, index, what, h.wrapping_add(1)]);
        sample_dist(d, None, u1, u2, start)
    };
    let profile = j
        .scenario
        .population
        .properties
        .iter()
        .filter_map(|(name, d)| Some((name.clone(), draw(0, name, d)?)))
        .collect();
    let event = context_event(j, node).map(|ev| {
        let props = j
            .scenario
            .events
            .get(&ev)
            .map(|b| b.properties.iter().filter_map(|(name, d)| Some((name.clone(), draw(1, name, d)?))).collect())
            .unwrap_or_default();
        (ev, props)
    });
    SampleUser { index, profile, event }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ActionRule, CanvasPos, EventBehaviour, EventFilter, KindTag, Node, PastBehaviourRule, PropertyDist,
    };

    fn journey() -> (Journey, NodeId) {
        let mut j = Journey::new("t");
        j.scenario
            .population
            .properties
            .insert("tier".into(), PropertyDist::Categorical(vec![("gold".into(), 0.3), ("silver".into(), 0.7)]));
        let mut viewed = EventBehaviour::at_rate(1.0);
        viewed.properties.insert("price".into(), PropertyDist::Uniform { min: 10.0, max: 20.0 });
        j.scenario.events.insert("Viewed".into(), viewed);
        if let Some(Node { kind: NodeKind::Entry(seg), .. }) = j.graph.nodes.get_mut(&NodeId(1)) {
            seg.rule = EntryRule::LiveAction(ActionRule { event: EventFilter::named("Viewed"), nth_occurrence: None });
        }
        let push = j.graph.next_node_id();
        let kind = KindTag::Channel(crate::model::Channel::Push).default_kind();
        j.graph.nodes.insert(push, Node { id: push, label: String::new(), pos: CanvasPos::new(0.0, 0.0), kind });
        j.graph.connect(NodeId(1), Port::Next, push);
        (j, push)
    }

    #[test]
    fn samples_follow_the_scenario_and_are_stable() {
        let (j, push) = journey();
        let users: Vec<SampleUser> = (0..400).map(|i| sample_user(&j, push, i)).collect();
        assert_eq!(users[7], sample_user(&j, push, 7));
        let gold =
            users.iter().filter(|u| matches!(u.profile.get("tier"), Some(PVal::Text(t)) if &**t == "gold")).count();
        assert!((80..160).contains(&gold), "{gold} gold of 400");
        for u in &users {
            let (name, props) = u.event.as_ref().unwrap();
            assert_eq!(name, "Viewed");
            assert!(matches!(props.get("price"), Some(PVal::Num(x)) if (10.0..=20.0).contains(x)));
        }
        let t = personalize::compile("{{ Profile.tier }} {{ Event.price | floor }}").unwrap();
        let Rendered::Text(s) = users[0].render(&t) else { panic!() };
        assert!(s.starts_with("gold ") || s.starts_with("silver "), "{s}");
    }

    #[test]
    fn the_event_in_context_follows_the_links() {
        let (mut j, push) = journey();
        if let Some(Node { kind: NodeKind::Entry(seg), .. }) = j.graph.nodes.get_mut(&NodeId(1)) {
            seg.rule = EntryRule::PastBehaviour(PastBehaviourRule {
                event: EventFilter::named("Viewed"),
                count: crate::model::CountCmp::AtLeast(1),
                last_days: 7,
            });
        }
        assert_eq!(context_event(&j, push), None);
        assert_eq!(sample_user(&j, push, 0).event, None);
        // Behind the Yes of a wait for "Charged", Charged is in context.
        let cond = j.graph.next_node_id();
        let kind = NodeKind::Condition {
            condition: Condition::LiveAction(ActionRule { event: EventFilter::named("Charged"), nth_occurrence: None }),
            window: None,
            counted_from: crate::model::CountedFrom::Entry,
        };
        j.graph.nodes.insert(cond, Node { id: cond, label: String::new(), pos: CanvasPos::new(0.0, 0.0), kind });
        j.graph.connect(NodeId(1), Port::Next, cond);
        j.graph.connect(cond, Port::Yes, push);
        assert_eq!(context_event(&j, push).as_deref(), Some("Charged"));
    }
}
