//! The journey compiled for the walk: dense node indexes, port tables, events the journey
//! uses, user properties by index, parsed timezones and precomputed UTC offsets.
//!
//! Invariants: a [`Plan`] is immutable and shared by every worker; building one runs
//! `validate` first and refuses a journey with errors, so the walk never meets NaN, a
//! negative rate or an unbounded loop. The rules live in `validate` alone: the builder
//! trusts a validated journey and checks only the run-time overrides, against the same
//! constants (`validate::limits`). Nothing here depends on the thread count.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Offset as _, TimeZone as _};
use chrono_tz::Tz;

use super::channel_map::ChannelMap;
use super::dnd::DndTable;
use super::events::{Shapes, block_of};
use super::pilot::WeightSchedule;
use super::rng::name_hash;
use super::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_TRAJECTORIES, MAX_USERS, RunOptions, SimError};
use crate::model::{
    Channel, Condition, CountCmp, CountedFrom, DelayDist, Dnd, EngagementKind, EntryRule, EventFilter, Filter, Journey,
    KindTag, Node, NodeId, NodeKind, Operator, PathId, Population, Port, ProfileUpdateRow, PropertyCondition,
    PropertyDist, Reachability, Scenario, Scope, Setup, SplitMode, TimeOfDay, UpdateOp, Value, ValueKind, VariantId,
    WaitKind,
};
use crate::personalize::{self, Template};
pub use crate::validate::limits::{MAX_LOOKBACK_DAYS, MAX_MULTIPLIER, MAX_RATE_PER_DAY};

/// Target number of animation buckets over the horizon.
pub const ANIMATION_BUCKETS: i64 = 300;

/// A user property value while a user is walked.
#[derive(Clone, Debug, PartialEq)]
pub enum PVal {
    /// A number.
    Num(f64),
    /// Text.
    Text(Arc<str>),
    /// True or false.
    Bool(bool),
    /// An instant, seconds since the epoch.
    Time(i64),
    /// An array of texts (profile updates "add to array").
    List(Vec<Arc<str>>),
}

/// One content variant of a channel node, compiled.
#[derive(Clone, Debug)]
pub struct PVariant {
    /// Its stable id.
    pub id: VariantId,
    /// Its name.
    pub name: String,
    /// Its whole percentage.
    pub percent: u8,
    /// The cumulative share of this and the earlier variants, in [0, 1] (the last is 1).
    pub upto: f64,
    /// The scenario's multiplier on the view probability (≥ 0).
    pub view_mult: f64,
    /// The scenario's multiplier on the click-given-view probability (≥ 0).
    pub click_mult: f64,
    /// Its fields whose Liquid can `{% abort %}`, compiled once.
    pub aborts: Vec<Arc<CTemplate>>,
}

/// A compiled property comparison.
#[derive(Clone, Debug)]
pub struct CCond {
    /// User profile or event in context.
    pub scope: Scope,
    /// User property index (for `Scope::User`).
    pub prop: usize,
    /// Property name (for event properties).
    pub name: String,
    /// Comparison.
    pub op: Operator,
    /// Right-hand side.
    pub value: Value,
}

/// A compiled AND/OR filter.
#[derive(Clone, Debug)]
pub enum CFilter {
    /// Every member holds.
    All(Vec<CFilter>),
    /// At least one holds.
    Any(Vec<CFilter>),
    /// One comparison.
    Cond(CCond),
}

/// An event with property filters, by event index.
#[derive(Clone, Debug)]
pub struct CEvent {
    /// Index into [`Plan::events`].
    pub ev: usize,
    /// Conditions on the event (and, for user scope, the user), AND.
    pub filters: Vec<CCond>,
}

/// A compiled condition of a condition node.
#[derive(Clone, Debug)]
pub enum PCond {
    /// Did the event (`need` times) since entering / within the window.
    Live {
        /// The event.
        ev: CEvent,
        /// How many matching occurrences make it true (nth occurrence, default 1).
        need: u32,
    },
    /// Did A and not B within T.
    Inaction {
        /// A.
        did: CEvent,
        /// B.
        not_did: CEvent,
        /// T, seconds.
        within: i64,
    },
    /// A count in a look-back period.
    Past {
        /// The event.
        ev: CEvent,
        /// The comparison.
        cmp: CountCmp,
        /// Look-back, seconds.
        lookback: i64,
    },
    /// User properties.
    User(CFilter),
    /// A date property within the next N.
    Date {
        /// User property index.
        prop: usize,
        /// N, seconds.
        within: i64,
    },
}

/// A compiled wait.
#[derive(Clone, Debug)]
pub enum PWait {
    /// Exactly this many seconds.
    Duration(i64),
    /// The next local time of day.
    TimeOfDay {
        /// The time.
        time: TimeOfDay,
        /// In the user's timezone (journey delivers in user timezones and the wait asks for it).
        user_tz: bool,
    },
    /// Until an instant.
    Until(i64),
    /// The activity curve's peak hour.
    BestTime,
}

/// A compiled node kind.
#[derive(Clone, Debug)]
pub enum PKind {
    /// The entry node.
    Entry,
    /// A wait.
    Wait(PWait),
    /// A condition node.
    Condition {
        /// What is checked.
        cond: PCond,
        /// The window, seconds.
        window: Option<i64>,
        /// A live-action or inaction condition counts only events at or after the
        /// arrival (else from the entry).
        from_arrival: bool,
    },
    /// First-match split; path `i` is port `i`, Others the last port.
    CondSplit {
        /// Path filters in order.
        filters: Vec<CFilter>,
    },
    /// Random split; path `i` is port `i`.
    RandSplit {
        /// Manual weights (percent), normalised at use.
        weights: Vec<f64>,
        /// Automated (weights from the pilot schedule).
        automated: bool,
        /// Declared winner path index.
        winner: Option<usize>,
        /// Least share a losing path keeps (automated), 0–1.
        min_share: f64,
    },
    /// A message.
    Channel {
        /// Which channel.
        channel: Channel,
        /// Engagement window, seconds (≥ 0).
        window: i64,
        /// DND in the account timezone even when delivering in user timezones.
        exclude_tz: bool,
        /// The message fields whose Liquid can `{% abort %}`, compiled once: the only
        /// content rendered during a run (the text itself changes no outcome). Without
        /// content variants only; each variant has its own.
        aborts: Vec<Arc<CTemplate>>,
        /// Content variants, in the node's order (empty: one message for everyone).
        variants: Vec<PVariant>,
    },
    /// Profile update rows: property index, operator, value.
    Profile(Vec<(usize, UpdateOp, UpdateValue)>),
    /// Force exit.
    ForceExit,
    /// Exit (completed).
    Exit,
}

/// A Liquid template compiled once per run, with the user property indexes it reads.
#[derive(Debug)]
pub struct CTemplate {
    /// The template.
    pub template: Template,
    /// For each name of `template.profile` (same order), the user property index.
    pub props: Vec<usize>,
}

/// A profile-update value.
#[derive(Clone, Debug)]
pub enum UpdateValue {
    /// A literal, parsed once into the property's type.
    Literal(PVal),
    /// Liquid, rendered per user and then parsed like a literal of this type.
    Liquid {
        /// The template.
        template: Arc<CTemplate>,
        /// The type to parse the rendered text into (`None`: inferred from the text).
        kind: Option<ValueKind>,
    },
}

/// A compiled node.
#[derive(Clone, Debug)]
pub struct PNode {
    /// The model id.
    pub id: NodeId,
    /// The label.
    pub label: String,
    /// The settings-free kind.
    pub tag: KindTag,
    /// The kind.
    pub kind: PKind,
    /// Output ports in display order, with their targets (dense indexes).
    pub ports: Vec<(Port, Option<usize>)>,
    /// For each port, the index into [`Plan::links`] when linked.
    pub port_link: Vec<Option<usize>>,
    /// Port display names.
    pub port_labels: Vec<String>,
    /// Split path ids and names (splits only).
    pub paths: Vec<(PathId, String)>,
}

impl PNode {
    /// The index of a port, if the node has it.
    #[must_use]
    pub fn port_index(&self, port: Port) -> Option<usize> {
        self.ports.iter().position(|(p, _)| *p == port)
    }

    /// Whether the node has this port and it is linked.
    #[must_use]
    pub fn linked(&self, port: Port) -> bool {
        self.ports.iter().any(|(p, t)| *p == port && t.is_some())
    }
}

/// One event type the journey uses.
#[derive(Clone, Debug)]
pub struct EvSpec {
    /// Its name.
    pub name: String,
    /// `name_hash(name)`, the stream key part.
    pub hash: u64,
    /// Mean rate per user per second (before the activity factor, curve and engagement).
    pub rate_per_sec: f64,
    /// Event property distributions, sorted by name.
    pub props: Vec<(String, PropertyDist)>,
    /// Engagement responses: kind, multiplier, duration (seconds).
    pub responses: Vec<(EngagementKind, f64, i64)>,
    /// Extra unit layers of occurrences the largest combined engagement multiplier
    /// reaches (⌈∏ multipliers above 1⌉ − 1; see [`super::events`]).
    pub max_layers: u32,
    /// Whether some multiplier is below 1 (occurrences then carry heights).
    pub heights: bool,
    /// Days per block of its realisation ([`super::events::block_days`]).
    pub block_days: u32,
    /// The event's own activity-factor shape: its factor is then drawn apart from the
    /// shared one (SPEC §2); `None` shares the user's factor.
    pub own_shape: Option<f64>,
}

/// A compiled goal.
#[derive(Clone, Debug)]
pub struct CGoal {
    /// The goal event.
    pub ev: CEvent,
    /// Live (else past behaviour: met at the next account midnight).
    pub live: bool,
    /// Event property giving the value.
    pub value_prop: Option<String>,
}

/// A compiled entry rule.
#[derive(Clone, Debug)]
pub enum CEntry {
    /// Each (or the nth) occurrence.
    Live {
        /// The event.
        ev: CEvent,
        /// Only this occurrence (1-based), counted from the journey start.
        nth: Option<u32>,
    },
    /// At A + T when B did not follow.
    Inaction {
        /// A.
        did: CEvent,
        /// B.
        not_did: CEvent,
        /// T, seconds.
        within: i64,
    },
    /// At max(start, date − lead).
    Date {
        /// User property index.
        prop: usize,
        /// Lead, seconds.
        lead: i64,
    },
    /// At each scheduled run, when the count holds.
    Past {
        /// The event.
        ev: CEvent,
        /// The comparison.
        cmp: CountCmp,
        /// Look-back, seconds.
        lookback: i64,
    },
    /// At each scheduled run, for users on the list.
    List {
        /// Share of the population on the list.
        share: f64,
    },
}

/// A user property.
#[derive(Clone, Debug)]
pub struct PropSpec {
    /// Its name.
    pub name: String,
    /// Its distribution, when the scenario gives one.
    pub dist: Option<PropertyDist>,
    /// Categorical values, shared (not reallocated per user).
    pub categories: Vec<(Arc<str>, f64)>,
}

/// Per channel: rates, fatigue, reachability share and unsubscribed share.
#[derive(Clone, Debug)]
pub struct ChannelPlan {
    /// Failure probability.
    pub failure: f64,
    /// Delivered probability.
    pub delivery: f64,
    /// View probability.
    pub view: f64,
    /// Click given view.
    pub click: f64,
    /// Delay to delivery.
    pub delay_delivery: DelayDist,
    /// Delay to view.
    pub delay_view: DelayDist,
    /// Delay to click.
    pub delay_click: DelayDist,
    /// Cost per sent message.
    pub cost: f64,
    /// Fatigue probability per message.
    pub fatigue: f64,
    /// Share unsubscribed.
    pub unsubscribed: f64,
    /// The event (index) a click also counts as, when the journey reads that event.
    pub click_as: Option<usize>,
}

/// Reachability shares of the population (SPEC §2.2), drawn once per user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReachShares {
    /// Share reachable by mobile push.
    pub push: f64,
    /// Share reachable by web push.
    pub web_push: f64,
    /// Share with an email address.
    pub email: f64,
    /// Share with a phone number (SMS).
    pub phone: f64,
    /// Share of those with a phone who opted in to WhatsApp.
    pub whatsapp_of_phone: f64,
}

/// A timezone with its UTC offsets per hour over the run (fast local hours).
#[derive(Clone, Debug)]
pub struct TzPlan {
    /// The zone.
    pub tz: Tz,
    /// Cumulative normalised weight (for sampling).
    pub cum: f64,
    /// UTC offset in seconds for each UTC hour from [`Plan::table_start`].
    pub offsets: Vec<i32>,
}

/// The compiled journey and scenario.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Seed.
    pub seed: u64,
    /// Users per replicate.
    pub users: u64,
    /// Replicates.
    pub replicates: u32,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Journey start, seconds.
    pub start: i64,
    /// New entries stop here (journey end), seconds.
    pub entry_end: i64,
    /// Horizon end (exclusive), seconds.
    pub horizon_end: i64,
    /// Warm-up start (start − longest look-back).
    pub warmup_start: i64,
    /// Offset tables start here (an hour boundary).
    pub table_start: i64,
    /// Account timezone.
    pub account_tz: Tz,
    /// Deliver in each user's timezone.
    pub per_user_tz: bool,
    /// Timezone mix.
    pub tzs: Vec<TzPlan>,
    /// The activity curve over every block of the run, per zone of `tzs`.
    pub shapes: Shapes,
    /// Activity curve normalised to mean 1 (24 values).
    pub curve: [f64; 24],
    /// Its maximum.
    pub curve_max: f64,
    /// The raw curve (for best time).
    pub curve_raw: Vec<f64>,
    /// Activity shape.
    pub activity_shape: f64,
    /// Events the journey uses.
    pub events: Vec<EvSpec>,
    /// User properties.
    pub props: Vec<PropSpec>,
    /// Nodes, dense.
    pub nodes: Vec<PNode>,
    /// Node id to index.
    pub index: BTreeMap<NodeId, usize>,
    /// Entry node index.
    pub entry_node: usize,
    /// Entry rule.
    pub entry: CEntry,
    /// Entry user filters (AND).
    pub entry_filters: Vec<CCond>,
    /// Do not send to users unsubscribed from every channel the journey uses.
    pub skip_unsubscribed: bool,
    /// Channels the journey uses.
    pub used_channels: Vec<Channel>,
    /// Scheduled runs (scheduled entries), seconds.
    pub runs: Vec<i64>,
    /// Goals.
    pub goals: Vec<CGoal>,
    /// Exit criteria.
    pub exits: Vec<CEvent>,
    /// Journey timeout, seconds.
    pub timeout: Option<i64>,
    /// Re-entry allowed.
    pub reentry: bool,
    /// Re-entry cooldown, seconds.
    pub cooldown: i64,
    /// Most entries per user.
    pub max_entries: Option<u32>,
    /// Frequency cap: max messages, period seconds.
    pub cap: Option<(u32, i64)>,
    /// System control share, 0–1.
    pub control_system: f64,
    /// Journey control share, 0–1.
    pub control_journey: f64,
    /// DND settings.
    pub dnd: Dnd,
    /// DND releases per zone of `tzs` (delivering in user time zones), then one for the
    /// account zone, from tables built once per run.
    pub dnd_tables: Vec<DndTable>,
    /// Per channel: rates, delays, cost, fatigue and unsubscribed share.
    pub channels: ChannelMap<ChannelPlan>,
    /// Reachability shares.
    pub reach: ReachShares,
    /// Session event index (in-app), if any.
    pub session_event: Option<usize>,
    /// Links (from node index, port index, to node index), in source order.
    pub links: Vec<(usize, usize, usize)>,
    /// Animation bucket length.
    pub bucket_secs: i64,
    /// Number of animation buckets.
    pub buckets: usize,
    /// Automated split schedules by node index.
    pub schedules: BTreeMap<usize, WeightSchedule>,
    /// Record automated-split arrivals (the pilot pass).
    pub pilot_mode: bool,
    /// Goal names, in goal order.
    pub goal_names: Vec<String>,
    /// The currency of money figures (ISO 4217).
    pub currency: String,
}

struct Builder {
    props: Vec<PropSpec>,
    events: BTreeMap<String, usize>,
    errors: Vec<String>,
}

impl Builder {
    fn prop(&mut self, name: &str) -> usize {
        if let Some(i) = self.props.iter().position(|p| p.name == name) {
            return i;
        }
        self.props.push(PropSpec { name: name.to_owned(), dist: None, categories: Vec::new() });
        self.props.len() - 1
    }

    fn event(&mut self, name: &str) -> usize {
        let n = self.events.len();
        *self.events.entry(name.to_owned()).or_insert(n)
    }

    fn cond(&mut self, c: &PropertyCondition) -> CCond {
        let prop = if c.scope == Scope::User { self.prop(&c.property) } else { usize::MAX };
        CCond { scope: c.scope, prop, name: c.property.clone(), op: c.op, value: c.value.clone() }
    }

    fn filter(&mut self, f: &Filter) -> CFilter {
        match f {
            Filter::All(v) => CFilter::All(v.iter().map(|x| self.filter(x)).collect()),
            Filter::Any(v) => CFilter::Any(v.iter().map(|x| self.filter(x)).collect()),
            Filter::Cond(c) => CFilter::Cond(self.cond(c)),
        }
    }

    fn cevent(&mut self, e: &EventFilter) -> CEvent {
        let ev = self.event(&e.event);
        let filters = e.filters.iter().map(|c| self.cond(c)).collect();
        CEvent { ev, filters }
    }

    /// Compiles a Liquid field once, resolving the user properties it reads; a field that
    /// does not parse is refused (validation reports it first).
    fn template(&mut self, text: &str, what: &str) -> Option<Arc<CTemplate>> {
        match personalize::compile(text) {
            Ok(template) => {
                let props = template.profile.iter().map(|n| self.prop(n)).collect();
                Some(Arc::new(CTemplate { template, props }))
            }
            Err(e) => {
                self.errors.push(format!("{what}: the Liquid does not parse ({e})"));
                None
            }
        }
    }

    /// A look-back in seconds (validated: at most [`MAX_LOOKBACK_DAYS`]).
    fn days(days: u32) -> i64 {
        i64::from(days.min(MAX_LOOKBACK_DAYS)) * 86_400
    }

    /// A duration in seconds (validated: positive), capped far beyond any horizon.
    fn secs(s: i64) -> i64 {
        s.clamp(0, i64::from(MAX_HORIZON_DAYS) * 86_400 * 10)
    }
}

/// Parses a profile-update literal (or a rendered Liquid value) into the property's type
/// (number, bool, date-time or text); an unknown type is inferred from the text.
pub(crate) fn parse_literal(text: &str, kind: Option<ValueKind>) -> PVal {
    let t = text.trim();
    let as_num = || t.parse::<f64>().ok().filter(|x| x.is_finite());
    let as_bool = || match t.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    match kind {
        Some(ValueKind::Number) => as_num().map_or_else(|| PVal::Text(Arc::from(t)), PVal::Num),
        Some(ValueKind::Bool) => as_bool().map_or_else(|| PVal::Text(Arc::from(t)), PVal::Bool),
        Some(ValueKind::DateTime) => {
            t.parse::<crate::model::Timestamp>().map_or_else(|_| PVal::Text(Arc::from(t)), |ts| PVal::Time(ts.0))
        }
        Some(ValueKind::Text | ValueKind::Duration) => PVal::Text(Arc::from(t)),
        None => {
            if let Some(x) = as_num() {
                PVal::Num(x)
            } else if let Some(b) = as_bool() {
                PVal::Bool(b)
            } else {
                PVal::Text(Arc::from(t))
            }
        }
    }
}

fn dist_kind(d: &PropertyDist) -> ValueKind {
    match d {
        PropertyDist::Categorical(_) => ValueKind::Text,
        PropertyDist::Uniform { .. } | PropertyDist::Normal { .. } => ValueKind::Number,
        PropertyDist::Bool(_) => ValueKind::Bool,
        PropertyDist::DateOffset { .. } => ValueKind::DateTime,
    }
}

/// Builds the plan for a run (without automated-split schedules; see [`super::pilot`]).
///
/// Each section below compiles one part of the journey or scenario and records what it
/// refuses in the builder; the order of the sections fixes the event and property
/// indexes, so it must not change.
///
/// # Errors
/// [`SimError::Invalid`] listing every value the engine refuses.
pub fn build(j: &Journey, opts: &RunOptions) -> Result<Plan, SimError> {
    // The overrides first: they are cheap, and a journey over the size limits is refused
    // by validation before anything is allocated for it.
    let mut b = Builder { props: Vec::new(), events: BTreeMap::new(), errors: Vec::new() };
    let run = b.run_numbers(j, opts);
    let errors: Vec<String> = crate::validate::validate(j)
        .into_iter()
        .filter(|d| d.severity == crate::validate::Severity::Error)
        .map(|d| d.message)
        .chain(std::mem::take(&mut b.errors))
        .collect();
    if !errors.is_empty() {
        return Err(SimError::Invalid(errors));
    }
    let sc = &j.scenario;
    let pop = &sc.population;
    let mut channels = b.channel_plans(sc);
    let curve = b.activity_curve(sc);
    let zones = b.time_zones(j);
    b.user_properties(pop);
    let entry = b.entry(j)?;
    let mut lookback = entry.lookback;
    let index: BTreeMap<NodeId, usize> = j.graph.nodes.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let (nodes, links) = b.nodes(j, &index, entry.node, &mut lookback);
    let (goals, exits) = b.goals_and_exits(j);
    let has_in_app = nodes.iter().any(|n| matches!(n.kind, PKind::Channel { channel: Channel::InApp, .. }));
    let session_event = has_in_app.then(|| b.event(&pop.session_event));
    // A click counts as an event only where the journey reads that event.
    for c in Channel::ALL {
        channels[c].click_as = sc.channel(c).click_counts_as.as_ref().and_then(|name| b.events.get(name).copied());
    }
    let events = b.event_specs(sc);

    let s = &j.setup;
    let time = Timing::new(s, run.horizon_days, lookback);
    let used_channels = used_channels(&nodes);
    let (tzs, shapes) = zone_tables(zones.mix, &time, &curve.normalised);
    let dnd_tables = dnd_tables(s, &used_channels, &tzs, zones.account, &time);
    let (bucket_secs, buckets) = animation_buckets(time.start, time.horizon_end);
    let pct = |p: Option<u8>| p.map_or(0.0, |p| f64::from(p.min(100)) / 100.0);
    if !b.errors.is_empty() {
        return Err(SimError::Invalid(b.errors));
    }
    Ok(Plan {
        seed: run.seed,
        users: run.users,
        replicates: run.replicates,
        horizon_days: run.horizon_days,
        start: time.start,
        entry_end: time.entry_end,
        horizon_end: time.horizon_end,
        warmup_start: time.warmup_start,
        table_start: time.table_start,
        account_tz: zones.account,
        per_user_tz: s.timezone.per_user,
        tzs,
        shapes,
        curve: curve.normalised,
        curve_max: curve.max,
        curve_raw: curve.raw,
        activity_shape: sc.activity_shape,
        events,
        props: b.props,
        entry_node: index.get(&entry.node).copied().unwrap_or(0),
        nodes,
        index,
        entry: entry.rule,
        entry_filters: entry.filters,
        skip_unsubscribed: entry.skip_unsubscribed,
        used_channels,
        runs: if entry.live { Vec::new() } else { scheduled_runs(s, time.horizon_end) },
        goals,
        exits,
        timeout: s.timeout.map(|t| t.0.max(0)),
        reentry: s.reentry.enabled,
        cooldown: s.reentry.cooldown.map_or(0, |c| c.0.max(0)),
        max_entries: s.reentry.max_entries,
        cap: s.frequency_cap.as_ref().map(|c| (c.max_messages, c.period.length().0)),
        control_system: pct(s.control.system_percent),
        control_journey: pct(s.control.journey_percent),
        dnd: s.dnd.clone(),
        dnd_tables,
        channels,
        reach: ReachShares::from(&pop.reachability),
        session_event,
        links,
        bucket_secs,
        buckets,
        schedules: BTreeMap::new(),
        pilot_mode: false,
        goal_names: j.goals.iter().map(|g| g.name.clone()).collect(),
        currency: j.setup.currency.clone(),
    })
}

/// Population, seed, horizon and replicates after the run's overrides.
struct RunNumbers {
    users: u64,
    seed: u64,
    horizon_days: u32,
    replicates: u32,
}

/// The activity curve, checked.
struct Curve {
    /// Normalised to mean 1 (all ones when the scenario's curve is refused).
    normalised: [f64; 24],
    /// The largest normalised weight (positive).
    max: f64,
    /// The scenario's weights as given (all ones when refused).
    raw: Vec<f64>,
}

/// The account zone and the population's zone mix.
struct Zones {
    account: Tz,
    /// Zones with their weights normalised to sum 1 (the account zone alone when the
    /// scenario gives no usable mix).
    mix: Vec<(Tz, f64)>,
}

/// The compiled entry node.
struct Entry {
    node: NodeId,
    rule: CEntry,
    filters: Vec<CCond>,
    skip_unsubscribed: bool,
    /// A live entry rule (no scheduled runs).
    live: bool,
    /// The entry rule's look-back, seconds (0 when it has none).
    lookback: i64,
}

impl Builder {
    // ----- run settings -----

    /// The run's numbers after the overrides, each override checked against the limits
    /// `validate` holds the scenario to.
    fn run_numbers(&mut self, j: &Journey, opts: &RunOptions) -> RunNumbers {
        let sc = &j.scenario;
        let users = opts.users.unwrap_or(sc.population.users);
        let seed = opts.seed.unwrap_or(sc.run.seed);
        let horizon_days = opts.horizon_days.unwrap_or(sc.run.horizon_days);
        let replicates = opts.replicates.unwrap_or(sc.run.replicates);
        if let Some(users) = opts.users
            && !(1..=MAX_USERS).contains(&users)
        {
            self.errors.push(format!("The run asks for {users} users; use 1 to {MAX_USERS}"));
        }
        if let Some(days) = opts.horizon_days {
            if !(1..=MAX_HORIZON_DAYS).contains(&days) {
                self.errors.push(format!("The run asks for a horizon of {days} days; use 1 to {MAX_HORIZON_DAYS}"));
            } else if let Some(msg) = crate::validate::limits::horizon_problem(j.setup.start, days) {
                self.errors.push(msg);
            }
        }
        if let Some(replicates) = opts.replicates
            && !(1..=MAX_REPLICATES).contains(&replicates)
        {
            self.errors.push(format!("The run asks for {replicates} replicates; use 1 to {MAX_REPLICATES}"));
        }
        if opts.trajectory_sample > MAX_TRAJECTORIES {
            self.errors
                .push(format!("The run asks for {} trajectories; use 0 to {MAX_TRAJECTORIES}", opts.trajectory_sample));
        }
        RunNumbers { users, seed, horizon_days, replicates: replicates.max(1) }
    }

    // ----- scenario numbers -----

    fn channel_plans(&mut self, sc: &Scenario) -> ChannelMap<ChannelPlan> {
        let unsubscribed = &sc.population.reachability.unsubscribed;
        ChannelMap::from_fn(|c| {
            let cr = sc.channel(c);
            ChannelPlan {
                failure: cr.failure,
                delivery: cr.delivery,
                view: cr.view,
                click: cr.click_given_view,
                delay_delivery: cr.delay_to_delivery.clone(),
                delay_view: cr.delay_to_view.clone(),
                delay_click: cr.delay_to_click.clone(),
                cost: cr.cost_per_message,
                fatigue: sc.fatigue.get(&c).copied().unwrap_or(0.0),
                unsubscribed: unsubscribed.get(&c).copied().unwrap_or(0.0),
                // Set once every event the journey reads is known.
                click_as: None,
            }
        })
    }

    /// The activity shape and the hourly curve.
    fn activity_curve(&mut self, sc: &Scenario) -> Curve {
        let weights = &sc.population.activity_curve;
        // Validated; the fallback keeps the walk sane should it ever not be.
        let ok = weights.len() == 24
            && weights.iter().all(|w| w.is_finite() && *w >= 0.0)
            && weights.iter().sum::<f64>() > 0.0;
        let mut normalised = [1.0; 24];
        if ok {
            let sum: f64 = weights.iter().sum();
            for (h, w) in weights.iter().enumerate() {
                normalised[h] = w * 24.0 / sum;
            }
        }
        let max = normalised.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        Curve { normalised, max, raw: if ok { weights.clone() } else { vec![1.0; 24] } }
    }

    // ----- time zones and user properties -----

    fn time_zones(&mut self, j: &Journey) -> Zones {
        // Validated: every zone is known and every weight finite and 0 or more.
        let account = j.setup.timezone.account.zone().unwrap_or(Tz::UTC);
        let mut mix = Vec::new();
        let mut total_w = 0.0;
        for share in &j.scenario.population.timezones {
            let Some(tz) = share.tz.zone() else { continue };
            if !(share.weight.is_finite() && share.weight >= 0.0) {
                continue;
            }
            total_w += share.weight;
            mix.push((tz, share.weight));
        }
        if mix.is_empty() || total_w <= 0.0 {
            mix = vec![(account, 1.0)];
            total_w = 1.0;
        }
        for (_, w) in &mut mix {
            *w /= total_w;
        }
        Zones { account, mix }
    }

    /// The scenario's user properties, first in property index order.
    fn user_properties(&mut self, pop: &Population) {
        for (name, d) in &pop.properties {
            let categories = match d {
                PropertyDist::Categorical(v) => v.iter().map(|(s, w)| (Arc::from(s.as_str()), *w)).collect(),
                _ => Vec::new(),
            };
            self.props.push(PropSpec { name: name.clone(), dist: Some(d.clone()), categories });
        }
    }

    // ----- entry -----

    fn entry(&mut self, j: &Journey) -> Result<Entry, SimError> {
        let Some(node) = j.graph.entry() else {
            self.errors.push("the journey needs exactly one entry node".to_owned());
            return Err(SimError::Invalid(std::mem::take(&mut self.errors)));
        };
        let NodeKind::Entry(seg) = &node.kind else {
            return Err(SimError::Invalid(vec!["the entry node is not an entry".to_owned()]));
        };
        let filters = seg.user_filters.iter().map(|c| self.cond(c)).collect();
        let mut lookback = 0;
        let rule = match &seg.rule {
            EntryRule::LiveAction(a) => {
                CEntry::Live { ev: self.cevent(&a.event), nth: a.nth_occurrence.filter(|n| *n > 0) }
            }
            EntryRule::Inaction(r) => CEntry::Inaction {
                did: self.cevent(&r.did),
                not_did: self.cevent(&r.not_did),
                within: Self::secs(r.within.0),
            },
            EntryRule::DateProperty(r) => {
                CEntry::Date { prop: self.prop(&r.property), lead: Self::secs(r.within_next.0) }
            }
            EntryRule::PastBehaviour(r) => {
                lookback = Self::days(r.last_days);
                CEntry::Past { ev: self.cevent(&r.event), cmp: r.count, lookback }
            }
            EntryRule::CustomList { .. } => CEntry::List { share: j.scenario.population.custom_list_share },
        };
        Ok(Entry {
            node: node.id,
            rule,
            filters,
            skip_unsubscribed: seg.skip_unsubscribed,
            live: seg.rule.is_live(),
            lookback,
        })
    }

    // ----- nodes -----

    /// Every node in id order, and the links between them in source order; `lookback`
    /// grows to the longest look-back of a condition.
    fn nodes(
        &mut self,
        j: &Journey,
        index: &BTreeMap<NodeId, usize>,
        entry: NodeId,
        lookback: &mut i64,
    ) -> (Vec<PNode>, Vec<(usize, usize, usize)>) {
        let entry_index = index.get(&entry).copied().unwrap_or(usize::MAX);
        let mut nodes = Vec::new();
        let mut links = Vec::new();
        for node in j.graph.nodes.values() {
            let kind = self.node_kind(j, node, lookback);
            let ports: Vec<(Port, Option<usize>)> = node
                .kind
                .output_ports()
                .into_iter()
                .map(|p| {
                    let to = j.graph.target(node.id, p).and_then(|t| index.get(&t).copied());
                    // A link into the entry node is invalid; the walk treats it as unlinked.
                    (p, to.filter(|t| *t != entry_index))
                })
                .collect();
            let from = nodes.len();
            let mut port_link = Vec::new();
            for (pi, (_, to)) in ports.iter().enumerate() {
                port_link.push(to.map(|t| {
                    links.push((from, pi, t));
                    links.len() - 1
                }));
            }
            let port_labels = ports.iter().map(|(p, _)| node.kind.port_label(*p)).collect();
            let paths = match &node.kind {
                NodeKind::ConditionalSplit { paths } => paths.iter().map(|p| (p.id, p.name.clone())).collect(),
                NodeKind::RandomSplit { paths, .. } => paths.iter().map(|p| (p.id, p.name.clone())).collect(),
                _ => Vec::new(),
            };
            nodes.push(PNode {
                id: node.id,
                label: node.label.clone(),
                tag: node.kind.tag(),
                kind,
                ports,
                port_link,
                port_labels,
                paths,
            });
        }
        (nodes, links)
    }

    fn node_kind(&mut self, j: &Journey, node: &Node, lookback: &mut i64) -> PKind {
        match &node.kind {
            NodeKind::Entry(_) => PKind::Entry,
            NodeKind::Wait(w) => PKind::Wait(match w {
                WaitKind::Duration(d) => PWait::Duration(Self::secs(d.0)),
                WaitKind::TimeOfDay { time, user_timezone } => {
                    PWait::TimeOfDay { time: *time, user_tz: *user_timezone && j.setup.timezone.per_user }
                }
                WaitKind::Until(t) => PWait::Until(t.0),
                WaitKind::BestTime => PWait::BestTime,
            }),
            NodeKind::Condition { condition, window, counted_from } => {
                let cond = self.condition(condition, lookback);
                PKind::Condition {
                    cond,
                    window: window.map(|w| Self::secs(w.0)),
                    from_arrival: *counted_from == CountedFrom::Arrival,
                }
            }
            NodeKind::ConditionalSplit { paths } => {
                PKind::CondSplit { filters: paths.iter().map(|p| self.filter(&p.filter)).collect() }
            }
            NodeKind::RandomSplit { paths, mode, winner } => PKind::RandSplit {
                weights: paths.iter().map(|p| f64::from(p.percent)).collect(),
                automated: matches!(mode, SplitMode::Automated { .. }),
                winner: winner.and_then(|w| paths.iter().position(|p| p.id == w)),
                min_share: match mode {
                    SplitMode::Automated { min_share_percent } => f64::from((*min_share_percent).min(100)) / 100.0,
                    SplitMode::Manual => 0.0,
                },
            },
            NodeKind::Channel { channel, engagement_window, exclude_from_user_timezone, variants, message } => {
                let what = format!("node {}", node.id);
                let mut aborts_of = |fields: Vec<crate::validate::content::TemplateField<'_>>| -> Vec<_> {
                    fields
                        .into_iter()
                        .filter(|f| personalize::can_abort(f.text))
                        .filter_map(|f| self.template(f.text, &format!("{what} {}", f.label)))
                        .collect()
                };
                let aborts = if variants.is_empty() {
                    aborts_of(crate::validate::content::message_fields(*channel, message, None))
                } else {
                    Vec::new()
                };
                let mut acc = 0u32;
                let mut compiled = Vec::with_capacity(variants.len());
                for (i, v) in variants.iter().enumerate() {
                    acc = acc.saturating_add(u32::from(v.percent));
                    let (view_mult, click_mult) = j.scenario.variant_multipliers(node.id, v.id);
                    let last = i + 1 == variants.len();
                    compiled.push(PVariant {
                        id: v.id,
                        name: v.name.clone(),
                        percent: v.percent,
                        upto: if last { 1.0 } else { f64::from(acc.min(100)) / 100.0 },
                        view_mult: if view_mult.is_finite() { view_mult.max(0.0) } else { 1.0 },
                        click_mult: if click_mult.is_finite() { click_mult.max(0.0) } else { 1.0 },
                        aborts: aborts_of(crate::validate::content::message_fields(
                            *channel,
                            &v.message,
                            Some((i, v.name.trim())),
                        )),
                    });
                }
                PKind::Channel {
                    channel: *channel,
                    window: engagement_window.0.max(0),
                    exclude_tz: *exclude_from_user_timezone,
                    aborts,
                    variants: compiled,
                }
            }
            NodeKind::ProfileUpdate { rows } => PKind::Profile(self.profile_rows(node.id, rows)),
            NodeKind::ForceExit => PKind::ForceExit,
            NodeKind::Exit => PKind::Exit,
        }
    }

    fn condition(&mut self, condition: &Condition, lookback: &mut i64) -> PCond {
        match condition {
            Condition::LiveAction(a) => {
                PCond::Live { ev: self.cevent(&a.event), need: a.nth_occurrence.unwrap_or(1).max(1) }
            }
            Condition::Inaction(r) => PCond::Inaction {
                did: self.cevent(&r.did),
                not_did: self.cevent(&r.not_did),
                within: Self::secs(r.within.0),
            },
            Condition::PastBehaviour(r) => {
                let lb = Self::days(r.last_days);
                *lookback = (*lookback).max(lb);
                PCond::Past { ev: self.cevent(&r.event), cmp: r.count, lookback: lb }
            }
            Condition::UserProperty(f) => PCond::User(self.filter(f)),
            Condition::DateProperty(r) => {
                PCond::Date { prop: self.prop(&r.property), within: Self::secs(r.within_next.0) }
            }
        }
    }

    /// Profile update rows, each literal value parsed into its property's type once, each
    /// Liquid value compiled once.
    fn profile_rows(&mut self, id: NodeId, rows: &[ProfileUpdateRow]) -> Vec<(usize, UpdateOp, UpdateValue)> {
        rows.iter()
            .map(|r| {
                let p = self.prop(&r.property);
                let kind = self.props[p].dist.as_ref().map(dist_kind);
                let kind = match r.op {
                    UpdateOp::IncreaseBy | UpdateOp::DecreaseBy => Some(ValueKind::Number),
                    UpdateOp::AddToArray | UpdateOp::RemoveFromArray => Some(ValueKind::Text),
                    UpdateOp::SetTo => kind,
                };
                let value = if personalize::has_liquid(&r.value) {
                    let what = format!("node {id} value of '{}'", r.property);
                    match self.template(&r.value, &what) {
                        Some(template) => UpdateValue::Liquid { template, kind },
                        None => UpdateValue::Literal(PVal::Text(Arc::from(""))),
                    }
                } else {
                    UpdateValue::Literal(parse_literal(&r.value, kind))
                };
                (p, r.op, value)
            })
            .collect()
    }

    // ----- goals and exit criteria -----

    fn goals_and_exits(&mut self, j: &Journey) -> (Vec<CGoal>, Vec<CEvent>) {
        let goals = j
            .goals
            .iter()
            .map(|g| CGoal {
                ev: self.cevent(&g.event),
                live: g.mode == crate::model::GoalMode::Live,
                value_prop: g.value_property.clone().filter(|s| !s.is_empty()),
            })
            .collect();
        let exits = j.setup.exit_criteria.iter().map(|e| self.cevent(e)).collect();
        (goals, exits)
    }

    // ----- events -----

    /// Every event the journey named so far, in event index order, with its behaviour.
    fn event_specs(&mut self, sc: &Scenario) -> Vec<EvSpec> {
        let mut events: Vec<(usize, EvSpec)> = Vec::new();
        for (name, &i) in &self.events {
            let beh = sc.event(name);
            let mut responses = Vec::new();
            let mut max_mult = 1.0f64;
            let mut min_mult = 1.0f64;
            for r in &beh.engagement {
                // Validated; skipped rather than trusted should it ever not be.
                if !(r.multiplier.is_finite() && (0.0..=MAX_MULTIPLIER).contains(&r.multiplier)) || r.duration.0 < 0 {
                    continue;
                }
                max_mult *= r.multiplier.max(1.0);
                min_mult *= r.multiplier.min(1.0);
                responses.push((r.on, r.multiplier, r.duration.0));
            }
            let rate = if beh.rate_per_day.is_finite() { beh.rate_per_day.clamp(0.0, MAX_RATE_PER_DAY) } else { 0.0 };
            events.push((
                i,
                EvSpec {
                    name: name.clone(),
                    hash: name_hash(name),
                    rate_per_sec: rate / 86_400.0,
                    props: beh.properties.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    responses,
                    max_layers: layers_for(max_mult),
                    heights: min_mult < 1.0,
                    block_days: super::events::block_days(rate),
                    own_shape: beh.activity_shape.filter(|k| k.is_finite() && *k > 0.0),
                },
            ));
        }
        events.sort_by_key(|(i, _)| *i);
        events.into_iter().map(|(_, e)| e).collect()
    }
}

// ----- setup and timing -----

/// The run's instants, seconds since the epoch.
struct Timing {
    start: i64,
    entry_end: i64,
    horizon_end: i64,
    warmup_start: i64,
    table_start: i64,
}

impl Timing {
    fn new(s: &Setup, horizon_days: u32, lookback: i64) -> Self {
        let start = s.start.0;
        let warmup_start = start.saturating_sub(lookback);
        Self {
            start,
            entry_end: s.end.map_or(i64::MAX, |e| e.0),
            horizon_end: start.saturating_add(i64::from(horizon_days.min(MAX_HORIZON_DAYS)) * 86_400),
            warmup_start,
            table_start: warmup_start.div_euclid(3_600) * 3_600,
        }
    }
}

impl From<&Reachability> for ReachShares {
    fn from(r: &Reachability) -> Self {
        Self {
            push: r.push,
            web_push: r.web_push,
            email: r.email,
            phone: r.phone,
            whatsapp_of_phone: r.whatsapp_of_phone,
        }
    }
}

/// The channels some node sends on, in palette order.
fn used_channels(nodes: &[PNode]) -> Vec<Channel> {
    Channel::ALL
        .into_iter()
        .filter(|c| nodes.iter().any(|n| matches!(n.kind, PKind::Channel { channel, .. } if channel == *c)))
        .collect()
}

/// The scheduled runs (entries that are not live) before the horizon's end.
fn scheduled_runs(s: &Setup, horizon_end: i64) -> Vec<i64> {
    super::calendar::scheduled_runs(s, crate::model::Timestamp(horizon_end))
        .into_iter()
        .map(|t| t.0)
        .filter(|t| *t < horizon_end)
        .collect()
}

/// Per zone of the mix, its UTC offsets per hour over the run, and the activity curve
/// over every block of the run.
fn zone_tables(mix: Vec<(Tz, f64)>, time: &Timing, curve: &[f64; 24]) -> (Vec<TzPlan>, Shapes) {
    let hours = usize::try_from((time.horizon_end - time.table_start).max(0) / 3_600 + 2).unwrap_or(0).min(200_000);
    let mut cum = 0.0;
    let tzs = mix
        .into_iter()
        .map(|(tz, share)| {
            cum += share;
            let offsets = (0..hours)
                .map(|h| {
                    let t = time.table_start + i64::try_from(h).unwrap_or(0) * 3_600;
                    offset_at(tz, t)
                })
                .collect();
            TzPlan { tz, cum, offsets }
        })
        .collect::<Vec<_>>();
    // Every day a block of up to 64 days around the run can touch.
    let shapes =
        Shapes::build(tzs.len(), block_of(time.warmup_start) - 66, block_of(time.horizon_end) + 66, curve, &|z, t| {
            tzs.get(z).map_or(0, |zone: &TzPlan| offset_at(zone.tz, t))
        });
    (tzs, shapes)
}

/// DND tables over the run, with room for windows that end after the horizon: one per
/// zone of `tzs`, then one for the account zone (none when DND cannot apply).
fn dnd_tables(s: &Setup, used_channels: &[Channel], tzs: &[TzPlan], account_tz: Tz, time: &Timing) -> Vec<DndTable> {
    if s.dnd.enabled && used_channels.iter().any(|c| c.dnd_applies()) {
        let (from, to) = (time.start.saturating_sub(86_400), time.horizon_end.saturating_add(8 * 86_400));
        tzs.iter().map(|z| z.tz).chain([account_tz]).map(|tz| DndTable::new(tz, &s.dnd, from, to)).collect()
    } else {
        Vec::new()
    }
}

/// Animation bucket length and count: about [`ANIMATION_BUCKETS`] over the horizon, at
/// least a minute each.
fn animation_buckets(start: i64, horizon_end: i64) -> (i64, usize) {
    let horizon_secs = horizon_end - start;
    let bucket_secs = ((horizon_secs + ANIMATION_BUCKETS - 1) / ANIMATION_BUCKETS).max(60);
    let buckets = usize::try_from((horizon_secs + bucket_secs - 1) / bucket_secs).unwrap_or(0);
    (bucket_secs, buckets)
}

/// The extra unit layers (see [`super::events`]) a combined multiplier reaches.
fn layers_for(max_mult: f64) -> u32 {
    if !(max_mult.is_finite() && max_mult > 1.0) {
        return 0;
    }
    // At most MAX_MULTIPLIER^k, capped below; the cast of a small positive number is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = (max_mult.ceil() as u64).saturating_sub(1).min(u64::from(super::events::MAX_LAYERS)) as u32;
    n
}

/// The UTC offset of `tz` at instant `t`, seconds.
#[must_use]
pub fn offset_at(tz: Tz, t: i64) -> i32 {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(dt) => tz.offset_from_utc_datetime(&dt.naive_utc()).fix().local_minus_utc(),
        None => 0,
    }
}

impl Plan {
    /// The local hour (0..24) at `t` in timezone number `tz`.
    #[must_use]
    pub fn local_hour(&self, tz: usize, t: i64) -> usize {
        let Some(zone) = self.tzs.get(tz) else { return 0 };
        let off = usize::try_from((t - self.table_start).div_euclid(3_600))
            .ok()
            .and_then(|h| zone.offsets.get(h).copied())
            .unwrap_or_else(|| offset_at(zone.tz, t));
        usize::try_from((t + i64::from(off)).rem_euclid(86_400) / 3_600).unwrap_or(0)
    }

    /// The node index of a node id.
    #[must_use]
    pub fn node_index(&self, id: NodeId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// The largest number of chunks of users per replicate.
    #[must_use]
    pub fn chunks_per_replicate(&self) -> u64 {
        self.users.div_ceil(super::CHUNK_USERS)
    }

    /// Day index of an instant from the start.
    #[must_use]
    pub fn day_of(&self, t: i64) -> usize {
        usize::try_from((t - self.start).max(0) / 86_400).unwrap_or(0)
    }

    /// Hour index of an instant from the start.
    #[must_use]
    pub fn hour_of(&self, t: i64) -> usize {
        usize::try_from((t - self.start).max(0) / 3_600).unwrap_or(0)
    }

    /// Number of hours in the horizon.
    #[must_use]
    pub fn hours(&self) -> usize {
        usize::try_from(((self.horizon_end - self.start).max(0) + 3_599) / 3_600).unwrap_or(0)
    }
}
