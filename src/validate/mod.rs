//! Validation (SPEC §1.4): rules over a model, giving diagnostics a marketer understands.
//!
//! The rules are split by what they look at:
//! - [`structure`]: entry count, dangling links, links into the entry, reachability, loops,
//!   and [`check_connect`] for the canvas;
//! - `nodes`: every node's settings, chains of conditional splits, DND and time-of-day waits;
//! - `context`: event-property conditions (and `Event.*` in Liquid) need an event context
//!   on every path;
//! - [`content`]: Liquid in message content and profile-update values parses, uses no
//!   `include` or `render`, and reads described properties (SPEC §4);
//! - `setup`: the setup form and the goals;
//! - `scenario`: the simulation assumptions, so the engine never gets nonsense.
//!
//! Invariants: validation never mutates and never panics, whatever the model holds (NaN,
//! infinities, links to missing nodes or ports, huge graphs: no recursion on the graph);
//! the output is deterministic (models use ordered maps and the rules run in a fixed order).
//!
//! A diagnostic may also name the [`Field`] of its place it is about, so the forms can show
//! it at that input; diagnostics about a place as a whole (a loop, an unreachable node,
//! the entry count) have none.

pub mod content;
mod context;
mod graph;
pub mod limits;
mod nodes;
mod scenario;
mod setup;
pub mod structure;

pub use structure::check_connect;

use crate::model::{Channel, Journey, Node, NodeId, Weekday};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth a look; does not block publish or simulation.
    Warning,
    /// Blocks publish and simulation.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// Where a problem is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// The setup form.
    Setup,
    /// The entry segment (when no single entry node can be named).
    Entry,
    /// The goal with this index (0-based; shown 1-based as "goal N").
    Goal(usize),
    /// The scenario.
    Scenario,
    /// One or more nodes (the first is the one to highlight).
    Nodes(Vec<NodeId>),
}

/// Which rule produced a diagnostic, so tests and the UI can tell rules apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// More nodes or links than [`limits::MAX_NODES`] and [`limits::MAX_LINKS`].
    TooLarge,
    /// Not exactly one entry node.
    EntryCount,
    /// A link from a missing node or port, or to a missing node.
    DanglingLink,
    /// A link into the entry node.
    LinkIntoEntry,
    /// A node the entry cannot reach (warning).
    Unreachable,
    /// A loop without a duration Wait of at least 60 s, a time-of-day or a best-time Wait.
    CycleWithoutWait,
    /// A manual random split whose percentages do not add up to 100, or a path above 100 %.
    SplitPercentages,
    /// A random split without 2–7 paths.
    RandomSplitPaths,
    /// A conditional split without 1–6 paths (plus Others).
    ConditionalSplitPaths,
    /// Two paths of one split share an id, so their links cannot be told apart.
    DuplicatePath,
    /// More than 3 conditional splits directly linked in sequence.
    SplitChain,
    /// A random split's declared winner is not one of its paths.
    SplitWinner,
    /// An automated split's minimum share cannot be given to every path.
    AutomatedMinShare,
    /// A channel node's content variants: not 2–5 of them, percentages not summing to 100,
    /// an empty or repeated name, or a repeated id.
    ContentVariants,
    /// More than 3 goals.
    TooManyGoals,
    /// A required field is empty (names, events, properties, message content).
    RequiredField,
    /// A profile update sets the same property twice.
    DuplicateProperty,
    /// A profile update value longer than 512 characters.
    ValueTooLong,
    /// A duration, window or count that must be positive is not.
    NonPositive,
    /// An operator that does not take its value's type, or a value that is not a usable number.
    OperatorValue,
    /// A time-of-day wait releases users inside a DND window while DND skips.
    WaitInsideDnd,
    /// An event-property condition where some path from the entry has no event context.
    EventContext,
    /// A past-behaviour condition with a window under 24 hours (warning).
    ShortPastBehaviourWindow,
    /// A condition counted from arrival without a window (it could only see the arrival
    /// second), or on a kind of condition that does not count events.
    CountedFromArrival,
    /// A wait longer than the journey timeout (warning).
    WaitBeyondTimeout,
    /// A description over 120 characters.
    DescriptionTooLong,
    /// The currency is not an ISO 4217 code.
    Currency,
    /// A control group percentage out of range.
    ControlGroup,
    /// An unknown IANA timezone name.
    UnknownTimezone,
    /// The end is not after the start.
    EndBeforeStart,
    /// A scheduled journey's timeline cannot run.
    Timeline,
    /// Re-entry settings that make no sense.
    Reentry,
    /// A frequency cap of zero messages.
    FrequencyCap,
    /// A scenario value the engine cannot use.
    ScenarioValue,
    /// An event the journey uses that the scenario does not describe (warning).
    UndescribedEvent,
    /// A do-not-disturb window that starts and ends at the same time, so it covers the whole day (warning).
    DndWindow,
    /// A Liquid field that does not parse, or uses `include` or `render`.
    Liquid,
    /// A Liquid field reads a property nothing describes, without a `default` (warning).
    UnknownProperty,
}

/// One of a channel's scenario rates, for [`Field::ChannelRate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)] // each names the rate of the same name in `ChannelRates`
pub enum Rate {
    Failure,
    Delivery,
    View,
    ClickGivenView,
    CostPerMessage,
    DelayToDelivery,
    DelayToView,
    DelayToClick,
}

/// The input a diagnostic is about, within its [`Location`]: a form shows the diagnostic
/// right at that input. Indexes are 0-based; names are map keys of the scenario.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    // Setup.
    /// The journey's name.
    Name,
    /// The description.
    Description,
    /// The currency.
    Currency,
    /// The end date-time.
    End,
    /// The entry timeline.
    Timeline,
    /// The re-entry cooldown.
    ReentryCooldown,
    /// The most entries per user.
    ReentryMax,
    /// The do-not-disturb window of one weekday.
    DndWindow(Weekday),
    /// The account timezone.
    AccountTimezone,
    /// The journey control group.
    JourneyControl,
    /// The system control group.
    SystemControl,
    /// The journey timeout.
    Timeout,
    /// The frequency cap.
    FrequencyCap,
    /// One exit criterion.
    ExitCriterion(usize),
    // Goals.
    /// A goal's name.
    GoalName,
    /// A goal's event and its filters.
    GoalEvent,
    /// A goal's value property.
    GoalValue,
    // Entry rules and conditions.
    /// The event of a live-action or past-behaviour rule, with its filters.
    Event,
    /// The event an inaction rule starts from.
    DidEvent,
    /// The event an inaction rule waits for.
    NotDidEvent,
    /// The "only the nth occurrence" number.
    Occurrence,
    /// An inaction rule's time.
    Within,
    /// A past-behaviour rule's look-back days.
    LastDays,
    /// A date-time rule's property.
    DateProperty,
    /// A date-time rule's "within the next" period.
    WithinNext,
    /// A custom list's name.
    ListName,
    /// One of the entry's user filters.
    UserFilter(usize),
    /// A user-property condition's filter.
    ConditionFilter,
    /// A condition's qualifying window.
    Window,
    /// Where a live-action or inaction condition starts counting.
    CountedFrom,
    // Splits.
    /// The list of a split's paths (how many, their ids).
    Paths,
    /// One conditional path's filter.
    Path(usize),
    /// A manual random split's percentages (the total line).
    SplitTotal,
    /// An automated split's minimum share.
    MinShare,
    /// A random split's declared winner.
    Winner,
    // Messages.
    /// The title.
    Title,
    /// The email subject.
    Subject,
    /// The webhook URL.
    Url,
    /// The body or payload.
    Body,
    /// One button (its label or its link).
    Button(usize),
    /// The engagement window.
    EngagementWindow,
    /// The list of content variants (how many, their percentages, names and ids).
    Variants,
    /// One content variant's name, percentage or content (0-based).
    Variant(usize),
    // Profile updates.
    /// The list of updates.
    Updates,
    /// One update row.
    UpdateRow(usize),
    // Waits.
    /// A wait's duration.
    WaitDuration,
    /// A time-of-day wait's time.
    WaitTime,
    // Scenario.
    /// The population size.
    Population,
    /// The session event.
    SessionEvent,
    /// The custom list share.
    CustomListShare,
    /// The timezone mix as a whole.
    Timezones,
    /// One timezone of the mix.
    Timezone(usize),
    /// The share of users reachable on a channel (SMS stands for the phone number).
    Reachability(Channel),
    /// The share unsubscribed from a channel.
    Unsubscribed(Channel),
    /// A user property's distribution.
    UserProperty(String),
    /// The activity curve.
    ActivityCurve,
    /// An event's name.
    EventName(String),
    /// An event the journey names that the scenario does not describe: no input holds it,
    /// so forms show it in their banner, with a one-click "Describe this event".
    UndescribedEvent(String),
    /// An event's rate.
    EventRate(String),
    /// A property distribution of an event (event, property).
    EventProperty(String, String),
    /// An event's responses to engagement.
    EventEngagement(String),
    /// The activity shape.
    ActivityShape,
    /// An event's own activity shape.
    EventShape(String),
    /// The unsubscribe chance per message of a channel.
    Fatigue(Channel),
    /// One rate of a channel.
    ChannelRate(Channel, Rate),
    /// The event a click on a channel also counts as.
    ClickCountsAs(Channel),
    /// One entry of the content-variant multipliers (0-based).
    VariantEffect(usize),
    /// The simulated horizon.
    Horizon,
    /// The number of replicates.
    Replicates,
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where.
    pub location: Location,
    /// A message a marketer understands.
    pub message: String,
    /// The rule that found it.
    pub rule: Rule,
    /// The input it is about, when it is about one input rather than its place as a whole.
    pub field: Option<Field>,
}

impl Diagnostic {
    /// The nodes involved (empty unless the location is nodes); the first is the one to highlight.
    #[must_use]
    pub fn nodes(&self) -> &[NodeId] {
        match &self.location {
            Location::Nodes(ids) => ids,
            _ => &[],
        }
    }

    /// Where, in one word: "setup", "entry", "goal N" (1-based), "scenario" or a node id like "n3".
    #[must_use]
    pub fn place(&self) -> String {
        match &self.location {
            Location::Setup => "setup".to_owned(),
            Location::Entry => "entry".to_owned(),
            Location::Goal(i) => format!("goal {}", i.saturating_add(1)),
            Location::Scenario => "scenario".to_owned(),
            Location::Nodes(ids) => ids.first().map_or_else(|| "entry".to_owned(), ToString::to_string),
        }
    }
}

/// Whether any diagnostic is an error (errors block publish and simulation).
#[must_use]
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Runs every rule.
#[must_use]
pub fn validate(journey: &Journey) -> Vec<Diagnostic> {
    let mut out = Out::default();
    // A journey over the size limits gets only that error: the other rules, and the
    // engine, never see it.
    if size_check(journey, &mut out) {
        return out.0;
    }
    structure::check(journey, &mut out);
    nodes::check(journey, &mut out);
    context::check(journey, &mut out);
    content::check(journey, &mut out);
    setup::check(journey, &mut out);
    scenario::check(journey, &mut out);
    out.0
}

/// Adds an error when the journey has more nodes or links than [`limits`] allow, and
/// says whether it did.
fn size_check(journey: &Journey, out: &mut Out) -> bool {
    let nodes = journey.graph.nodes.len();
    let links = journey.graph.links.len();
    let mut over = false;
    if nodes > limits::MAX_NODES {
        let max = limits::MAX_NODES;
        out.error(Rule::TooLarge, Location::Entry, format!("The journey has {nodes} nodes; at most {max} are allowed"));
        over = true;
    }
    if links > limits::MAX_LINKS {
        let max = limits::MAX_LINKS;
        out.error(Rule::TooLarge, Location::Entry, format!("The journey has {links} links; at most {max} are allowed"));
        over = true;
    }
    over
}

/// Collects diagnostics.
#[derive(Default)]
pub(crate) struct Out(pub(crate) Vec<Diagnostic>);

impl Out {
    pub(crate) fn error(&mut self, rule: Rule, location: Location, message: String) {
        self.add(Severity::Error, rule, location, None, message);
    }

    pub(crate) fn warn(&mut self, rule: Rule, location: Location, message: String) {
        self.add(Severity::Warning, rule, location, None, message);
    }

    /// A diagnostic about `field` (or about its place as a whole when `None`).
    pub(crate) fn add(
        &mut self,
        severity: Severity,
        rule: Rule,
        location: Location,
        field: Option<Field>,
        message: String,
    ) {
        self.0.push(Diagnostic { severity, location, message, rule, field });
    }

    /// An error on one node.
    pub(crate) fn node_error(&mut self, rule: Rule, id: NodeId, message: String) {
        self.error(rule, Location::Nodes(vec![id]), message);
    }

    /// A warning on one node.
    pub(crate) fn node_warn(&mut self, rule: Rule, id: NodeId, message: String) {
        self.warn(rule, Location::Nodes(vec![id]), message);
    }
}

/// Problems found in a part of a node (or goal, or setup), placed by the caller; each
/// takes the field set with [`Problems::at`] around the check that found it.
#[derive(Default)]
pub(crate) struct Problems {
    list: Vec<(Rule, Option<Field>, String)>,
    field: Option<Field>,
}

impl Problems {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A problem about the current field (none outside [`Problems::at`]).
    pub(crate) fn push(&mut self, (rule, message): (Rule, String)) {
        self.list.push((rule, self.field.clone(), message));
    }

    /// Runs `check` with its problems placed at `field`.
    pub(crate) fn at(&mut self, field: Field, check: impl FnOnce(&mut Self)) {
        let outer = self.field.replace(field);
        check(self);
        self.field = outer;
    }

    /// Places every problem at `location` with this severity.
    pub(crate) fn report(self, out: &mut Out, severity: Severity, location: &Location) {
        for (rule, field, message) in self.list {
            out.add(severity, rule, location.clone(), field, message);
        }
    }
}

/// How a node is named in messages: its kind and label ("Random split 'Offer test'"),
/// or its kind and id when the label says nothing more (the entry is just "Entry").
pub(crate) fn name(node: &Node) -> String {
    let kind = node.kind.tag().label();
    let label = node.label.trim();
    if !label.is_empty() && !label.eq_ignore_ascii_case(kind) {
        format!("{kind} '{label}'")
    } else if node.kind.tag() == crate::model::KindTag::Entry {
        kind.to_owned()
    } else {
        format!("{kind} {}", node.id)
    }
}

#[cfg(test)]
pub(crate) mod testkit;

#[cfg(test)]
mod tests {
    use super::testkit::{assert_clean, valid};
    use super::*;

    #[test]
    fn the_valid_journey_is_clean() {
        assert_clean(&valid());
    }

    #[test]
    fn place_names_where_the_problem_is() {
        let d = |location| Diagnostic {
            severity: Severity::Error,
            location,
            message: String::new(),
            rule: Rule::EntryCount,
            field: None,
        };
        assert_eq!(d(Location::Setup).place(), "setup");
        assert_eq!(d(Location::Entry).place(), "entry");
        assert_eq!(d(Location::Goal(0)).place(), "goal 1");
        assert_eq!(d(Location::Scenario).place(), "scenario");
        assert_eq!(d(Location::Nodes(vec![NodeId(3), NodeId(1)])).place(), "n3");
        assert_eq!(d(Location::Nodes(vec![NodeId(3), NodeId(1)])).nodes(), &[NodeId(3), NodeId(1)]);
        assert!(d(Location::Setup).nodes().is_empty());
    }

    #[test]
    fn extreme_values_give_errors_not_panics() {
        use crate::model::{
            Channel, Dnd, DndAction, KindTag, NodeKind, Port, RandomPath, Seconds, SplitMode, TimeOfDay, TimeWindow,
            Timestamp, WaitKind,
        };
        use testkit::{add_kind, kind, link};
        let mut j = valid();
        *kind(&mut j, NodeId(2)) = NodeKind::Wait(WaitKind::Duration(Seconds(i64::MIN)));
        let paths = (0..300u32)
            .map(|i| RandomPath { id: crate::model::PathId(i % 7), name: String::new(), percent: u8::MAX })
            .collect();
        let split = add_kind(&mut j, NodeKind::RandomSplit { paths, mode: SplitMode::Manual, winner: None }, "");
        link(&mut j, NodeId(3), Port::Failed, split);
        let tod = TimeOfDay::new(23, 59).unwrap_or_default();
        let w = add_kind(&mut j, NodeKind::Wait(WaitKind::TimeOfDay { time: tod, user_timezone: true }), "");
        link(&mut j, NodeId(4), Port::Next, w);
        j.setup.dnd = Dnd::every_day(TimeWindow { start: tod, end: tod }, DndAction::Skip);
        j.setup.start = Timestamp(i64::MAX);
        j.setup.end = Some(Timestamp(i64::MIN));
        j.setup.timeout = Some(Seconds(i64::MIN));
        j.scenario.population.users = u64::MAX;
        j.scenario.run.horizon_days = u32::MAX;
        if let NodeKind::Channel { engagement_window, .. } = kind(&mut j, NodeId(3)) {
            *engagement_window = Seconds(i64::MIN);
        }
        let _ = add_kind(&mut j, KindTag::Channel(Channel::Email).default_kind(), "\u{0}");
        let d = validate(&j);
        assert!(has_errors(&d));
        for rule in [Rule::NonPositive, Rule::SplitPercentages, Rule::RandomSplitPaths, Rule::DuplicatePath] {
            assert!(d.iter().any(|x| x.rule == rule && x.nodes().first() != Some(&NodeId(0))), "{rule:?}");
        }
        // The 24-hour DND window catches the wait on every day.
        assert!(d.iter().any(|x| x.rule == Rule::WaitInsideDnd && x.nodes() == [w]));
        assert!(d.iter().any(|x| x.rule == Rule::EndBeforeStart));
        assert!(d.iter().any(|x| x.rule == Rule::ScenarioValue));
        // Random split n5 without a label is named by kind and id.
        assert!(d.iter().any(|x| x.message.starts_with("Random split n5")), "{d:#?}");
    }

    #[test]
    fn has_errors_ignores_warnings() {
        let mut d = Diagnostic {
            severity: Severity::Warning,
            location: Location::Scenario,
            message: String::new(),
            rule: Rule::UndescribedEvent,
            field: None,
        };
        assert!(!has_errors(std::slice::from_ref(&d)));
        d.severity = Severity::Error;
        assert!(has_errors(&[d]));
    }
}
