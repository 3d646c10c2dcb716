//! Conditions: property filters with typed values, AND/OR groups, and the behaviour
//! rules shared by the entry segment (§1.2), condition nodes and goals (§1.3).
//!
//! Invariant: a rule is plain data; what it means over time is the engine's business
//! and what makes it complete is validation's.

use serde::{Deserialize, Serialize};

use super::time::{Seconds, Timestamp};

/// A typed value in a property condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// True or false.
    Bool(bool),
    /// An absolute instant.
    DateTime(Timestamp),
    /// A duration, for "within the last/next N".
    Duration(Seconds),
}

impl Value {
    /// The value's type, for operator checks and the form's type picker.
    #[must_use]
    pub fn kind(&self) -> ValueKind {
        match self {
            Self::Text(_) => ValueKind::Text,
            Self::Number(_) => ValueKind::Number,
            Self::Bool(_) => ValueKind::Bool,
            Self::DateTime(_) => ValueKind::DateTime,
            Self::Duration(_) => ValueKind::Duration,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Text(s) => write!(f, "{s:?}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::DateTime(t) => write!(f, "{t}"),
            Self::Duration(d) => write!(f, "{d}"),
        }
    }
}

/// The type of a [`Value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ValueKind {
    Text,
    Number,
    Bool,
    DateTime,
    Duration,
}

/// How a property is compared with a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operator {
    /// Equal (text, number, boolean, date-time).
    Equals,
    /// Not equal.
    NotEquals,
    /// Greater than (number, date-time).
    GreaterThan,
    /// Less than (number, date-time).
    LessThan,
    /// Text contains the value.
    Contains,
    /// The property is set (the value is ignored).
    Exists,
    /// A date-time property lies within the last N (value: a duration).
    WithinLast,
    /// A date-time property lies within the next N (value: a duration).
    WithinNext,
}

impl Operator {
    /// Every operator, in menu order.
    pub const ALL: [Self; 8] = [
        Self::Equals,
        Self::NotEquals,
        Self::GreaterThan,
        Self::LessThan,
        Self::Contains,
        Self::Exists,
        Self::WithinLast,
        Self::WithinNext,
    ];

    /// Whether this operator accepts a value of `kind`.
    #[must_use]
    pub fn accepts(self, kind: ValueKind) -> bool {
        use ValueKind as K;
        match self {
            Self::Equals | Self::NotEquals => matches!(kind, K::Text | K::Number | K::Bool | K::DateTime),
            Self::GreaterThan | Self::LessThan => matches!(kind, K::Number | K::DateTime),
            Self::Contains => kind == K::Text,
            Self::Exists => true,
            Self::WithinLast | Self::WithinNext => kind == K::Duration,
        }
    }

    /// Words for the form and summaries.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Equals => "equals",
            Self::NotEquals => "does not equal",
            Self::GreaterThan => "is greater than",
            Self::LessThan => "is less than",
            Self::Contains => "contains",
            Self::Exists => "exists",
            Self::WithinLast => "is within the last",
            Self::WithinNext => "is within the next",
        }
    }
}

/// Whose property a condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// A user profile property.
    User,
    /// A property of the event in context (§1.4: needs an event-supplying node upstream).
    Event,
}

/// One comparison: `scope.property op value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyCondition {
    /// User profile or event in context.
    pub scope: Scope,
    /// Property name, e.g. `City` or `Amount`.
    pub property: String,
    /// Comparison.
    pub op: Operator,
    /// Right-hand side (ignored by `Exists`).
    pub value: Value,
}

/// A nested AND/OR group of property conditions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Filter {
    /// Every member holds (an empty group holds).
    All(Vec<Filter>),
    /// At least one member holds (an empty group does not).
    Any(Vec<Filter>),
    /// A single comparison.
    Cond(PropertyCondition),
}

impl Default for Filter {
    fn default() -> Self {
        Self::All(Vec::new())
    }
}

impl Filter {
    /// Every leaf comparison, depth first.
    #[must_use]
    pub fn conditions(&self) -> Vec<&PropertyCondition> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a PropertyCondition>) {
        match self {
            Self::All(v) | Self::Any(v) => v.iter().for_each(|f| f.collect(out)),
            Self::Cond(c) => out.push(c),
        }
    }

    /// Whether any leaf reads an event property.
    #[must_use]
    pub fn uses_event_properties(&self) -> bool {
        self.conditions().iter().any(|c| c.scope == Scope::Event)
    }
}

/// An event with optional property filters on that event ("Product Viewed where Category = Shoes").
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFilter {
    /// Event name.
    pub event: String,
    /// Conditions on the event's own properties, combined with AND.
    pub filters: Vec<PropertyCondition>,
}

impl EventFilter {
    /// An event with no property filters.
    #[must_use]
    pub fn named(event: &str) -> Self {
        Self { event: event.to_owned(), filters: Vec::new() }
    }
}

/// A count comparison for past behaviour ("more than 5 times").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CountCmp {
    /// More than N.
    MoreThan(u32),
    /// Fewer than N.
    FewerThan(u32),
    /// Exactly N (`Exactly(0)` is "did not do").
    Exactly(u32),
    /// At least N.
    AtLeast(u32),
}

impl CountCmp {
    /// Whether `count` satisfies the comparison.
    #[must_use]
    pub fn holds(self, count: u32) -> bool {
        match self {
            Self::MoreThan(n) => count > n,
            Self::FewerThan(n) => count < n,
            Self::Exactly(n) => count == n,
            Self::AtLeast(n) => count >= n,
        }
    }
}

impl std::fmt::Display for CountCmp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MoreThan(n) => write!(f, "more than {n} times"),
            Self::FewerThan(n) => write!(f, "fewer than {n} times"),
            Self::Exactly(0) => write!(f, "never"),
            Self::Exactly(n) => write!(f, "exactly {n} times"),
            Self::AtLeast(n) => write!(f, "at least {n} times"),
        }
    }
}

/// Live action: performs an event, optionally only on the user's nth occurrence.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRule {
    /// The event and its property filters.
    pub event: EventFilter,
    /// Only the nth occurrence counts (1-based; the 6th view), `None` for every occurrence.
    pub nth_occurrence: Option<u32>,
}

/// Inaction: did A but not B within a time.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InactionRule {
    /// The action A that starts the clock.
    pub did: EventFilter,
    /// The action B that must not follow.
    pub not_did: EventFilter,
    /// How long after A the user has to do B.
    pub within: Seconds,
}

/// Past behaviour: did an event a number of times in the last N days.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PastBehaviourRule {
    /// The event and its property filters.
    pub event: EventFilter,
    /// How many times.
    pub count: CountCmp,
    /// Look-back period in days.
    pub last_days: u32,
}

impl Default for CountCmp {
    fn default() -> Self {
        Self::AtLeast(1)
    }
}

/// Date-time property: a user's date property falls within the next N.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatePropertyRule {
    /// The user property holding a date-time (due date, flight time).
    pub property: String,
    /// How far ahead of the date the user qualifies (entry at max(start, date − lead)).
    pub within_next: Seconds,
}
