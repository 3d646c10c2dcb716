//! The journey model: everything a `.journey` file saves (SPEC §1, §2).
//!
//! Invariants: the model is plain data with no UI or engine state; ids are stable
//! newtypes; every map is ordered (`BTreeMap` or a sorted list), so saving an unchanged
//! journey gives identical bytes; instants and durations are typed integers.

mod condition;
pub mod diff;
mod goal;
mod graph;
mod ids;
mod node;
mod scenario;
pub mod setting;
mod setup;
mod time;
pub mod unique_map;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use condition::{
    ActionRule, CountCmp, DatePropertyRule, EventFilter, Filter, InactionRule, Operator, PastBehaviourRule,
    PropertyCondition, Scope, Value, ValueKind,
};
pub use goal::{Goal, GoalMode};
pub use graph::{Graph, Link, OutputRef};
pub use ids::{CommentId, NodeId, PathId, VariantId};
pub use node::{
    CanvasPos, Channel, Condition, ConditionalPath, ContentVariant, CountedFrom, EntryRule, EntrySegment, KindTag,
    Message, MessageButton, MessageFields, Node, NodeKind, PaletteGroup, Port, ProfileUpdateRow, RandomPath, SplitMode,
    UpdateOp, WaitKind,
};
pub use scenario::{
    ChannelRates, DelayDist, EngagementKind, EngagementResponse, EventBehaviour, Population, PropertyDist,
    Reachability, RunSettings, Scenario, TimezoneShare, VariantEffect,
};
pub use setup::{
    CapPeriod, ControlGroups, DEFAULT_CURRENCY, Dnd, DndAction, FrequencyCap, Recurrence, Reentry, Setup, TimeWindow,
    Timeline, TimezoneSetting,
};
pub use time::{
    LocalTimeError, ParseTimeOfDayError, ParseTimestampError, Seconds, TimeOfDay, Timestamp, TzName, Weekday,
};

/// Most goals a journey may have.
pub const MAX_GOALS: usize = 3;

/// A whole journey: the working draft, its published versions and its scenario.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journey {
    /// The setup form.
    pub setup: Setup,
    /// Nodes (the entry segment is the entry node) and links.
    pub graph: Graph,
    /// Conversion goals, 0–3.
    pub goals: Vec<Goal>,
    /// Free-text notes on the canvas.
    pub comments: Vec<Comment>,
    /// Simulation assumptions.
    pub scenario: Scenario,
    /// Lifecycle metadata the user sets (the simulator ignores it).
    pub status: Status,
    /// Published snapshots v1…v10, oldest first.
    pub versions: Vec<Version>,
}

/// A note on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Stable id.
    pub id: CommentId,
    /// Top-left corner.
    pub pos: CanvasPos,
    /// The note.
    pub text: String,
}

/// Lifecycle status (§1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Status {
    #[default]
    Draft,
    Scheduled,
    Running,
    Paused,
    Completed,
    Stopped,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 6] =
        [Self::Draft, Self::Scheduled, Self::Running, Self::Paused, Self::Completed, Self::Stopped];

    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Running => "Running",
            Self::Paused => "Paused",
            Self::Completed => "Completed",
            Self::Stopped => "Stopped",
        }
    }
}

/// A published, frozen snapshot of the journey's behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// v1…v10.
    pub number: u32,
    /// When it was published.
    pub published_at: Timestamp,
    /// The name given at publish time (files saved before names existed load with "").
    #[serde(default)]
    pub name: String,
    /// What this version is for, at most `crate::versions::MAX_DESCRIPTION_CHARS` characters;
    /// separate from the journey's own description.
    #[serde(default)]
    pub description: String,
    /// Partial edits applied in place, newest last.
    pub change_log: Vec<String>,
    /// The setup at publish time.
    pub setup: Setup,
    /// The graph at publish time.
    pub graph: Graph,
    /// The goals at publish time.
    pub goals: Vec<Goal>,
}

impl Journey {
    /// A new journey: default setup and scenario and a single live entry node.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let mut j = Self { setup: Setup { name: name.to_owned(), ..Setup::default() }, ..Self::default() };
        let id = j.graph.next_node_id();
        j.graph.nodes.insert(
            id,
            Node { id, label: "Entry".to_owned(), pos: CanvasPos::new(0.0, 0.0), kind: KindTag::Entry.default_kind() },
        );
        j
    }

    /// The entry segment, when there is exactly one entry node.
    #[must_use]
    pub fn entry(&self) -> Option<&EntrySegment> {
        match &self.graph.entry()?.kind {
            NodeKind::Entry(seg) => Some(seg),
            _ => None,
        }
    }

    /// Live or scheduled, derived from the entry node (`None` without a single entry).
    #[must_use]
    pub fn is_live(&self) -> Option<bool> {
        self.entry().map(|e| e.rule.is_live())
    }

    /// A fresh comment id.
    #[must_use]
    pub fn next_comment_id(&self) -> CommentId {
        CommentId(self.comments.iter().map(|c| c.id.0).max().map_or(1, |m| m.saturating_add(1)))
    }

    /// Every event name the journey uses (entry, conditions, goals, exit criteria,
    /// and the session event when there is an in-app node), sorted.
    #[must_use]
    pub fn referenced_events(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut add = |e: &EventFilter| {
            if !e.event.is_empty() {
                out.insert(e.event.clone());
            }
        };
        for node in self.graph.nodes.values() {
            match &node.kind {
                NodeKind::Entry(seg) => match &seg.rule {
                    EntryRule::LiveAction(a) => add(&a.event),
                    EntryRule::Inaction(r) => {
                        add(&r.did);
                        add(&r.not_did);
                    }
                    EntryRule::PastBehaviour(r) => add(&r.event),
                    EntryRule::DateProperty(_) | EntryRule::CustomList { .. } => {}
                },
                NodeKind::Condition { condition, .. } => match condition {
                    Condition::LiveAction(a) => add(&a.event),
                    Condition::Inaction(r) => {
                        add(&r.did);
                        add(&r.not_did);
                    }
                    Condition::PastBehaviour(r) => add(&r.event),
                    Condition::UserProperty(_) | Condition::DateProperty(_) => {}
                },
                _ => {}
            }
        }
        for g in &self.goals {
            add(&g.event);
        }
        for e in &self.setup.exit_criteria {
            add(e);
        }
        let has_in_app =
            self.graph.nodes.values().any(|n| matches!(n.kind, NodeKind::Channel { channel: Channel::InApp, .. }));
        if has_in_app && !self.scenario.population.session_event.is_empty() {
            out.insert(self.scenario.population.session_event.clone());
        }
        out
    }
}
