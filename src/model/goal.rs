//! Goals (§1.3): a list, not graph nodes; each is drawn as a goal card in the goals area.

use serde::{Deserialize, Serialize};

use super::condition::EventFilter;
use super::node::CanvasPos;

/// When a goal is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GoalMode {
    /// The moment the event happens.
    #[default]
    Live,
    /// Daily at 00:00 in the account timezone.
    PastBehaviour,
}

/// A conversion goal; meeting any goal exits the user at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Name shown in stats.
    pub name: String,
    /// The goal event and its property filters.
    pub event: EventFilter,
    /// Live or past behaviour.
    pub mode: GoalMode,
    /// Event property giving the goal's value (`Amount` of `Charged`), for revenue.
    pub value_property: Option<String>,
    /// Where the goal card sits in the goals area.
    pub pos: CanvasPos,
}
