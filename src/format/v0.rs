//! Format version 0: the prototype layout, frozen, and its migration to the current model.
//!
//! A version 0 file has `version: 0` and the setup fields flat at the top level, nodes
//! with `x`/`y` instead of `pos`, durations in whole minutes, six node kinds (trigger,
//! delay, check, split, message, end), random-split ports numbered from 0, goals as bare
//! event names, one quiet-hours window for every day, and no scenario.
//!
//! ```text
//! (
//!     version: 0,
//!     name: "Welcome", description: "", start: "2026-03-02T09:00:00Z",
//!     timezone: "Europe/Berlin", quiet_hours: Some((from: "22:00", to: "08:00")),
//!     control_percent: Some(10), timeout_minutes: Some(20160),
//!     nodes: [(id: 1, label: "Installed", x: 0.0, y: 0.0, kind: Trigger(event: "App Installed"))],
//!     links: [(from: 1, port: Next, to: 2)],
//!     goals: [(name: "Purchase", event: "Charged", value_property: Some("Amount"))],
//! )
//! ```
//!
//! Invariants: these types never change (a new layout gets a new version and module);
//! migration loses nothing the prototype could express; it never panics, and arithmetic
//! on user numbers saturates. Duplicate node ids and a second link on one output fail
//! the load at their line, as in the current format; links to missing nodes load.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{
    ActionRule, CanvasPos, Channel, Condition, ControlGroups, Dnd, DndAction, EntryRule, EntrySegment, EventFilter,
    Goal, GoalMode, Graph, Journey, Message, Node, NodeId, NodeKind, OutputRef, PathId, Port, RandomPath, Scenario,
    Seconds, Setup, SplitMode, TimeOfDay, TimeWindow, Timeline, Timestamp, TimezoneSetting, TzName, WaitKind,
};

/// The whole version 0 file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct V0File {
    /// Always 0.
    #[allow(dead_code)]
    version: u32,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(deserialize_with = "timestamp")]
    start: Timestamp,
    /// IANA name of the account timezone.
    timezone: String,
    /// One do-not-disturb window, every day, deferring messages.
    #[serde(default)]
    quiet_hours: Option<V0QuietHours>,
    /// Journey control group.
    #[serde(default)]
    control_percent: Option<u8>,
    /// Longest stay, minutes.
    #[serde(default)]
    timeout_minutes: Option<i64>,
    nodes: V0Nodes,
    links: V0Links,
    #[serde(default)]
    goals: Vec<V0Goal>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V0QuietHours {
    #[serde(deserialize_with = "time_of_day")]
    from: TimeOfDay,
    #[serde(deserialize_with = "time_of_day")]
    to: TimeOfDay,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V0Node {
    id: u32,
    label: String,
    x: f32,
    y: f32,
    kind: V0Kind,
}

#[derive(Debug, Deserialize)]
enum V0Kind {
    /// Live entry on an event.
    Trigger { event: String },
    /// A fixed wait.
    Delay { minutes: i64 },
    /// Did the user do the event (within a window)?
    Check { event: String, within_minutes: Option<i64> },
    /// A random split by whole percentages.
    Split { percents: Vec<u8> },
    /// A message.
    Message { channel: V0Channel, title: String, body: String },
    /// The end of a path.
    End,
}

#[derive(Debug, Clone, Copy, Deserialize)]
enum V0Channel {
    Push,
    Email,
    Sms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
enum V0Port {
    Next,
    Yes,
    No,
    Timeout,
    Sent,
    Failed,
    Clicked,
    /// A split variant, numbered from 0.
    Variant(u8),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V0Link {
    from: u32,
    port: V0Port,
    to: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct V0Goal {
    name: String,
    event: String,
    #[serde(default)]
    value_property: Option<String>,
}

fn timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
}

fn time_of_day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TimeOfDay, D::Error> {
    String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
}

/// Nodes, checked for duplicate ids while reading so the error points at the duplicate.
#[derive(Debug)]
struct V0Nodes(Vec<V0Node>);

impl<'de> Deserialize<'de> for V0Nodes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = V0Nodes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of nodes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<V0Nodes, A::Error> {
                let mut nodes: Vec<V0Node> = Vec::new();
                while let Some(node) = seq.next_element::<V0Node>()? {
                    if nodes.iter().any(|n| n.id == node.id) {
                        return Err(serde::de::Error::custom(format!("duplicate node id {}", NodeId(node.id))));
                    }
                    nodes.push(node);
                }
                Ok(V0Nodes(nodes))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Links, checked for a second link on one output while reading.
#[derive(Debug)]
struct V0Links(Vec<V0Link>);

impl<'de> Deserialize<'de> for V0Links {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = V0Links;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of links")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<V0Links, A::Error> {
                let mut links: Vec<V0Link> = Vec::new();
                while let Some(link) = seq.next_element::<V0Link>()? {
                    if links.iter().any(|l| l.from == link.from && l.port == link.port) {
                        return Err(serde::de::Error::custom(format!(
                            "a second link on output {} of node {}: an output port holds at most one link",
                            port(link.port),
                            NodeId(link.from)
                        )));
                    }
                    links.push(link);
                }
                Ok(V0Links(links))
            }
        }
        d.deserialize_seq(V)
    }
}

/// Whole minutes as seconds, saturating.
fn minutes(m: i64) -> Seconds {
    Seconds(m.saturating_mul(60))
}

fn port(p: V0Port) -> Port {
    match p {
        V0Port::Next => Port::Next,
        V0Port::Yes => Port::Yes,
        V0Port::No => Port::No,
        V0Port::Timeout => Port::Timeout,
        V0Port::Sent => Port::Sent,
        V0Port::Failed => Port::Failed,
        V0Port::Clicked => Port::Clicked,
        V0Port::Variant(i) => Port::Path(variant_path(usize::from(i))),
    }
}

/// Split variant `i` (from 0) becomes path id `i + 1`.
fn variant_path(i: usize) -> PathId {
    PathId(u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1))
}

/// "Variant A" … "Variant Z", then "Variant 27" ….
fn variant_name(i: usize) -> String {
    match u8::try_from(i).ok().filter(|i| *i < 26) {
        Some(i) => format!("Variant {}", char::from(b'A' + i)),
        None => format!("Variant {}", i + 1),
    }
}

fn kind(k: V0Kind) -> NodeKind {
    match k {
        V0Kind::Trigger { event } => NodeKind::Entry(EntrySegment {
            rule: EntryRule::LiveAction(ActionRule { event: EventFilter::named(&event), nth_occurrence: None }),
            user_filters: Vec::new(),
            skip_unsubscribed: false,
        }),
        V0Kind::Delay { minutes: m } => NodeKind::Wait(WaitKind::Duration(minutes(m))),
        V0Kind::Check { event, within_minutes } => NodeKind::Condition {
            condition: Condition::LiveAction(ActionRule { event: EventFilter::named(&event), nth_occurrence: None }),
            window: within_minutes.map(minutes),
            counted_from: crate::model::CountedFrom::Entry,
        },
        V0Kind::Split { percents } => NodeKind::RandomSplit {
            paths: percents
                .into_iter()
                .enumerate()
                .map(|(i, percent)| RandomPath { id: variant_path(i), name: variant_name(i), percent })
                .collect(),
            mode: SplitMode::Manual,
            winner: None,
        },
        V0Kind::Message { channel, title, body } => {
            let message = match channel {
                V0Channel::Push => Message { title, body, ..Message::default() },
                V0Channel::Email => Message { subject: title, body, ..Message::default() },
                // SMS has no title: keep the prototype's title as the first line.
                V0Channel::Sms if !title.is_empty() => {
                    Message { body: format!("{title}\n{body}"), ..Message::default() }
                }
                V0Channel::Sms => Message { body, ..Message::default() },
            };
            let channel = match channel {
                V0Channel::Push => Channel::Push,
                V0Channel::Email => Channel::Email,
                V0Channel::Sms => Channel::Sms,
            };
            NodeKind::Channel {
                channel,
                message,
                engagement_window: Seconds::DAY,
                exclude_from_user_timezone: false,
                variants: Vec::new(),
            }
        }
        V0Kind::End => NodeKind::Exit,
    }
}

/// Goal cards sit in a row above the canvas, 240 units apart.
fn goal_pos(i: usize) -> CanvasPos {
    #[allow(clippy::cast_precision_loss)]
    let x = i as f32 * 240.0;
    CanvasPos::new(x, -200.0)
}

/// The version 0 file as a current journey.
pub(super) fn migrate(file: V0File) -> Journey {
    let setup = Setup {
        name: file.name,
        description: file.description,
        start: file.start,
        end: None,
        timeline: Timeline::Once,
        reentry: Default::default(),
        dnd: file
            .quiet_hours
            .map(|q| Dnd::every_day(TimeWindow { start: q.from, end: q.to }, DndAction::Defer))
            .unwrap_or_default(),
        timezone: TimezoneSetting { account: TzName(file.timezone), per_user: false },
        control: ControlGroups { journey_percent: file.control_percent, system_percent: None },
        timeout: file.timeout_minutes.map(minutes),
        frequency_cap: None,
        exit_criteria: Vec::new(),
        currency: crate::model::DEFAULT_CURRENCY.to_owned(),
    };
    let nodes: BTreeMap<NodeId, Node> = file
        .nodes
        .0
        .into_iter()
        .map(|n| {
            let id = NodeId(n.id);
            (id, Node { id, label: n.label, pos: CanvasPos::new(n.x, n.y), kind: kind(n.kind) })
        })
        .collect();
    let links: BTreeMap<OutputRef, NodeId> = file
        .links
        .0
        .into_iter()
        .map(|l| (OutputRef { node: NodeId(l.from), port: port(l.port) }, NodeId(l.to)))
        .collect();
    let goals = file
        .goals
        .into_iter()
        .enumerate()
        .map(|(i, g)| Goal {
            name: g.name,
            event: EventFilter::named(&g.event),
            mode: GoalMode::Live,
            value_property: g.value_property,
            pos: goal_pos(i),
        })
        .collect();
    Journey {
        setup,
        graph: Graph { nodes, links },
        goals,
        comments: Vec::new(),
        scenario: Scenario::default(),
        status: Default::default(),
        versions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_named_and_numbered_from_one() {
        assert_eq!(variant_name(0), "Variant A");
        assert_eq!(variant_name(25), "Variant Z");
        assert_eq!(variant_name(26), "Variant 27");
        assert_eq!(port(V0Port::Variant(0)), Port::Path(PathId(1)));
        assert_eq!(port(V0Port::Variant(255)), Port::Path(PathId(256)));
    }

    #[test]
    fn minutes_saturate() {
        assert_eq!(minutes(90), Seconds(5400));
        assert_eq!(minutes(i64::MAX), Seconds(i64::MAX));
        assert_eq!(minutes(i64::MIN), Seconds(i64::MIN));
    }
}
