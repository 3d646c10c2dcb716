//! The simulation report (SPEC §3): plain data, shared by the CLI (table, JSON, CSV) and
//! the app (charts, animation). Serialized with serde; JSON carries every figure.
//!
//! Invariants: every list is in a stable order (nodes by id, ports in the node's port
//! order, channels in palette order, days and buckets in time order), so the same run
//! serializes to the same bytes. With replicates, counts and money are means over
//! replicates (counts rounded to the nearest whole number), while rates, shares and
//! intervals come from the counts pooled over every replicate; `spread` gives the exact
//! mean and standard deviation of the main journey figures across replicates.

use serde::Serialize;

use super::intervals::Interval;
use crate::model::{Channel, NodeId, PathId, Port, Timestamp, VariantId};

/// Everything one run reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// What was simulated.
    pub run: RunInfo,
    /// Journey-level counts.
    pub journey: JourneyStats,
    /// Conversion per entry, target against the journey control group.
    pub conversion: ConversionStats,
    /// Goal value (revenue).
    pub revenue: RevenueStats,
    /// Per goal, in the journey's goal order.
    pub goals: Vec<GoalStats>,
    /// Per node, by node id.
    pub nodes: Vec<NodeStats>,
    /// Per channel used by the journey, in palette order.
    pub channels: Vec<ChannelTotals>,
    /// Projected message cost over every channel.
    pub total_cost: f64,
    /// Per day of the horizon.
    pub trends: Vec<DayTrend>,
    /// Means and spread across replicates (`None` with a single replicate).
    pub spread: Option<ReplicateSpread>,
    /// Time-bucketed link crossings and node occupancy (replicate 0).
    pub animation: Animation,
    /// Opt-in compact paths of the first users of replicate 0.
    pub trajectories: Vec<Trajectory>,
    /// The ISO 4217 code of every money figure (the setup's currency).
    pub currency: String,
    /// What the journey adds over its journey control group (§3.1).
    pub incremental: Incremental,
    /// Messages not sent or deferred, and why (§3.1).
    pub suppression: Suppression,
    /// Per hour of the horizon (`trends` stays per day).
    pub trends_hourly: Vec<HourTrend>,
}

/// An estimate with its 95% interval; all `None` when it cannot be estimated (no journey
/// control group, or no entries in a group).
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize)]
pub struct Estimate {
    /// The estimate.
    pub value: Option<f64>,
    /// Lower bound of its 95% interval.
    pub low: Option<f64>,
    /// Upper bound of its 95% interval.
    pub high: Option<f64>,
}

impl Estimate {
    /// An estimate with its interval.
    #[must_use]
    pub fn new(value: f64, interval: Interval) -> Self {
        Self { value: Some(value), low: Some(interval.lo), high: Some(interval.hi) }
    }

    /// The interval, when there is one.
    #[must_use]
    pub fn interval(&self) -> Option<Interval> {
        Some(Interval { lo: self.low?, hi: self.high? })
    }
}

/// The decision figures (§3.1): what the journey adds against its journey control group,
/// scaled to the target entries (means over replicates).
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct Incremental {
    /// (target rate − control rate) × target entries, with Newcombe's interval scaled.
    pub conversions: Estimate,
    /// (target − control revenue per entry) × target entries, with Welch's interval scaled.
    pub revenue: Estimate,
    /// Incremental revenue − message cost (the revenue interval shifted by the cost).
    pub net_return: Estimate,
    /// Message cost / incremental conversions (`None` when those are not above 0).
    pub cost_per_incremental_conversion: Option<f64>,
}

/// Messages not sent, and why; messages deferred by DND (§3.1). Counts are means over
/// replicates.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct SuppressionRow {
    /// The channel (`None` for the whole journey).
    pub channel: Option<Channel>,
    /// Messages not sent: DND skipped + capped + unreachable + aborted.
    pub not_sent: u64,
    /// Skipped by DND.
    pub dnd_skipped: u64,
    /// Refused by the frequency cap.
    pub capped: u64,
    /// No token, address or phone number.
    pub unreachable_no_address: u64,
    /// Unsubscribed before the journey.
    pub unreachable_unsubscribed: u64,
    /// Unsubscribed by fatigue after an earlier message.
    pub unreachable_fatigue: u64,
    /// Aborted by the message's Liquid (`{% abort %}`).
    pub aborted: u64,
    /// Deferred by DND and sent later.
    pub dnd_deferred: u64,
    /// Mean delay of a deferred message, in seconds (`None` when none was deferred).
    pub dnd_mean_delay_secs: Option<f64>,
    /// Entries that had at least one message suppressed or deferred here.
    pub affected_entries: u64,
    /// Of those, entries that met a goal.
    pub affected_conversions: u64,
}

/// The suppression summary: per channel the journey uses, and for the whole journey.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct Suppression {
    /// Every channel together (an entry affected on two channels counts once).
    pub journey: SuppressionRow,
    /// Per channel used by the journey, in palette order.
    pub channels: Vec<SuppressionRow>,
}

/// What was simulated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunInfo {
    /// Population size per replicate.
    pub users: u64,
    /// Random seed.
    pub seed: u64,
    /// Days simulated from the journey's start.
    pub horizon_days: u32,
    /// Replicates (counts below are means over them).
    pub replicates: u32,
    /// The journey's start (time zero of the run).
    pub start: Timestamp,
    /// The end of the horizon (exclusive).
    pub horizon_end: Timestamp,
}

/// Why qualified users were not let in (§2.2).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct TurnedAway {
    /// Already inside the journey.
    pub already_inside: u64,
    /// Re-entry is off and the user had entered before.
    pub reentry_off: u64,
    /// Within the re-entry cooldown after their last exit.
    pub cooldown: u64,
    /// The maximum number of entries was reached.
    pub max_entries: u64,
    /// Qualified at or after the journey's end.
    pub past_end: u64,
    /// Unsubscribed from every channel the journey uses ("do not send to unsubscribed").
    pub unsubscribed: u64,
}

/// Journey-level counts (§3 "Per journey").
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct JourneyStats {
    /// Occurrences that met the entry rule (including its user filters).
    pub qualified: u64,
    /// Qualified minus turned away.
    pub entered: u64,
    /// Why the others were turned away.
    pub turned_away: TurnedAway,
    /// Entries in a control group (system + journey).
    pub control: u64,
    /// Entries in the system control group.
    pub control_system: u64,
    /// Entries in the journey control group.
    pub control_journey: u64,
    /// Entries sent into the graph (entered − control).
    pub target: u64,
    /// Entries that met a goal (target and control).
    pub goal_met: u64,
    /// Target users who completed a path (an unlinked output or an Exit node).
    pub completed: u64,
    /// Target users taken out by the journey timeout while on the graph.
    pub timed_out: u64,
    /// Users taken out by an exit criterion while inside.
    pub exit_criteria: u64,
    /// Target users who reached a Force exit node.
    pub force_exits: u64,
    /// Target users still on the graph at the end of the horizon.
    pub on_graph_at_end: u64,
}

/// A conversion proportion with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rate {
    /// Entries (the denominator).
    pub entries: u64,
    /// Entries that met a goal.
    pub conversions: u64,
    /// conversions / entries (`None` without entries).
    pub rate: Option<f64>,
    /// Wilson 95% interval.
    pub interval: Option<Interval>,
}

/// Boost = (target% − control%) / control% × 100 with a delta-method 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Boost {
    /// The boost in percent.
    pub percent: f64,
    /// Its 95% interval, in percent.
    pub interval: Interval,
}

/// Conversion per entry (§2.2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConversionStats {
    /// Target entries (not in a control group).
    pub target: Rate,
    /// Journey control group entries.
    pub control: Rate,
    /// System control group entries (reported, not used for boost).
    pub system_control: Rate,
    /// Target rate − control rate.
    pub difference: Option<f64>,
    /// Newcombe 95% interval of the difference.
    pub difference_interval: Option<Interval>,
    /// `None` reads "n/a" (no control entries or control conversion 0).
    pub boost: Option<Boost>,
}

/// Goal value (revenue) and cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RevenueStats {
    /// Sum of goal values over target entries.
    pub target: f64,
    /// Sum of goal values over journey control entries.
    pub control: f64,
    /// Target revenue per target entry.
    pub target_per_entry: Option<f64>,
    /// Control revenue per control entry.
    pub control_per_entry: Option<f64>,
    /// Boost of revenue per entry, percent (`None` reads "n/a").
    pub boost_percent: Option<f64>,
    /// Projected message cost.
    pub cost: f64,
    /// Target revenue minus message cost.
    pub revenue_minus_cost: f64,
}

/// One goal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalStats {
    /// The goal's name.
    pub name: String,
    /// Entries that met this goal first (all groups).
    pub met: u64,
    /// Target entries that met it.
    pub met_target: u64,
    /// Journey control entries that met it.
    pub met_control: u64,
    /// met_target / target entries.
    pub rate_target: Option<f64>,
    /// met_control / control entries.
    pub rate_control: Option<f64>,
}

/// Users moved forward through one output port.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PortStats {
    /// The port.
    pub port: Port,
    /// Its display name (split paths by name).
    pub label: String,
    /// Where it leads (`None`: unlinked, users complete there).
    pub target: Option<NodeId>,
    /// Users who took it.
    pub moved: u64,
}

/// Channel counters of one node.
#[derive(Clone, Debug, PartialEq, Default, Serialize)]
pub struct ChannelStats {
    /// Messages that went out.
    pub sent: u64,
    /// Sends that errored.
    pub failed: u64,
    /// No address, token or phone, or unsubscribed.
    pub unreachable: u64,
    /// Of `unreachable`: no address, token or phone.
    pub unreachable_no_address: u64,
    /// Of `unreachable`: unsubscribed before the journey.
    pub unreachable_unsubscribed: u64,
    /// Of `unreachable`: unsubscribed by fatigue after an earlier message.
    pub unreachable_fatigue: u64,
    /// Mean delay of the messages DND deferred, in seconds (`None` when none was).
    pub dnd_mean_delay_secs: Option<f64>,
    /// Delivered (WhatsApp).
    pub delivered: u64,
    /// Viewed (channels with a Viewed output), before the horizon ends.
    pub viewed: u64,
    /// Clicked, before the horizon ends.
    pub clicked: u64,
    /// Deferred by DND.
    pub dnd_deferred: u64,
    /// Skipped by DND (taken down Unreachable, not counted as unreachable).
    pub dnd_skipped: u64,
    /// Over the frequency cap (routed as unreachable).
    pub capped: u64,
    /// Cancelled by the message's Liquid `{% abort %}` (routed as unreachable).
    pub aborted: u64,
    /// Unsubscribed by fatigue after this node's message.
    pub unsubscribed: u64,
    /// sent × cost per message.
    pub cost: f64,
    /// Conversions credited to this node by last touch (the last clicked message).
    pub conversions: u64,
}

/// One random or conditional split path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathStats {
    /// The path.
    pub path: PathId,
    /// Its name.
    pub name: String,
    /// Users sent down it.
    pub users: u64,
    /// Entries that took it and then met a goal (random splits; 0 for conditional splits).
    pub conversions: u64,
}

/// One node (§3 "Per node").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeStats {
    /// The node.
    pub id: NodeId,
    /// Its label.
    pub label: String,
    /// Its kind.
    pub kind: String,
    /// Arrivals.
    pub entered: u64,
    /// Per output port, in the node's port order.
    pub ports: Vec<PortStats>,
    /// Users who completed here (unlinked output or Exit).
    pub completed: u64,
    /// At the end of the run: in a Wait leading here.
    pub waiting_before: u64,
    /// At the end of the run: held at this node.
    pub waiting_at: u64,
    /// Goals met while in a Wait leading here.
    pub goal_before: u64,
    /// Goals met while held here.
    pub goal_at: u64,
    /// Taken out here by the journey timeout.
    pub timed_out: u64,
    /// Channel counters (channel nodes only).
    pub channel: Option<ChannelStats>,
    /// Split paths (split nodes only).
    pub paths: Vec<PathStats>,
    /// Content variants, in the node's order (channel nodes with variants only; the key
    /// is left out of JSON when there are none, so reports without variants read as before).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantStats>,
}

/// A share with its Wilson 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize)]
pub struct Share {
    /// The share (`None` without a denominator).
    pub rate: Option<f64>,
    /// Its Wilson 95% interval.
    pub interval: Option<Interval>,
}

/// One content variant of a channel node (§1.3): counts are means over replicates; rates
/// are per message sent, from pooled counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VariantStats {
    /// The variant's stable id.
    pub variant: VariantId,
    /// Its name.
    pub name: String,
    /// Its planned percentage.
    pub percent: u8,
    /// Messages of this variant sent.
    pub sent: u64,
    /// Viewed, before the horizon ends.
    pub viewed: u64,
    /// Clicked, before the horizon ends.
    pub clicked: u64,
    /// Conversions credited to this variant by last touch (the last clicked message).
    pub conversions: u64,
    /// Its share of the node's sent messages.
    pub sent_share: Share,
    /// viewed / sent.
    pub view_rate: Share,
    /// clicked / sent.
    pub click_rate: Share,
    /// conversions / sent.
    pub conversion_rate: Share,
    /// The rates minus the first variant's, with Newcombe 95% intervals (`None` for the
    /// first variant itself).
    pub vs_first: Option<VariantDifference>,
}

/// A variant's rates minus the first variant's (each `{value, low, high}`).
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize)]
pub struct VariantDifference {
    /// Difference of view rates.
    pub view_rate: Estimate,
    /// Difference of click rates.
    pub click_rate: Estimate,
    /// Difference of conversion rates.
    pub conversion_rate: Estimate,
}

/// Per channel, over every node of that channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelTotals {
    /// The channel.
    pub channel: Channel,
    /// Messages sent.
    pub sent: u64,
    /// Their cost.
    pub cost: f64,
    /// The most messages sent in one clock hour of the horizon.
    pub peak_per_hour: u64,
    /// The start of that hour (the earliest on ties).
    pub peak_hour_start: Option<Timestamp>,
}

/// One day of the horizon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayTrend {
    /// Day index from the start, 0-based.
    pub day: u32,
    /// The day's start (start + day × 86,400 s).
    pub from: Timestamp,
    /// Entries.
    pub entered: u64,
    /// Completions.
    pub completed: u64,
    /// Goals met.
    pub goal_met: u64,
    /// Timeouts.
    pub timed_out: u64,
}

/// One hour of the horizon: the same counters as [`DayTrend`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HourTrend {
    /// Hour index from the start, 0-based.
    pub hour: u32,
    /// The hour's start (start + hour × 3,600 s).
    pub from: Timestamp,
    /// Entries.
    pub entered: u64,
    /// Completions.
    pub completed: u64,
    /// Goals met.
    pub goal_met: u64,
    /// Timeouts.
    pub timed_out: u64,
}

/// A mean and a standard deviation across replicates.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanSd {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 with one replicate).
    pub sd: f64,
}

/// Journey figures across replicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicateSpread {
    /// Entries.
    pub entered: MeanSd,
    /// Goals met.
    pub goal_met: MeanSd,
    /// Completions.
    pub completed: MeanSd,
    /// Target conversion rate.
    pub conversion_target: MeanSd,
    /// Control conversion rate.
    pub conversion_control: MeanSd,
    /// Target revenue.
    pub revenue_target: MeanSd,
    /// Messages sent.
    pub sent: MeanSd,
    /// Target entries (not in a control group).
    pub target_entries: MeanSd,
}

/// Users crossing one link per bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkAnimation {
    /// Source node.
    pub from: NodeId,
    /// Source port.
    pub port: Port,
    /// Target node.
    pub to: NodeId,
    /// Crossings in each bucket.
    pub crossings: Vec<u32>,
}

/// Users at one node at the end of each bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeAnimation {
    /// The node.
    pub node: NodeId,
    /// Users there at each bucket's end.
    pub occupancy: Vec<u32>,
    /// Arrivals in each bucket (entries, at the entry node).
    pub arrivals: Vec<u32>,
    /// Messages sent in each bucket (channel nodes).
    pub sent: Vec<u32>,
    /// Goals met in each bucket by users waiting at or before the node.
    pub goals: Vec<u32>,
    /// Users the journey timeout took out here in each bucket.
    pub timed_out: Vec<u32>,
    /// Messages clicked in each bucket (at the click's time).
    pub clicked: Vec<u32>,
    /// Users unreachable on the channel in each bucket.
    pub unreachable: Vec<u32>,
}

/// One goal's conversions per bucket, replicate 0.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalAnimation {
    /// The goal's index in the journey's goal order.
    pub goal: usize,
    /// Its name.
    pub name: String,
    /// Conversions in each bucket.
    pub met: Vec<u32>,
}

/// Time-bucketed counts for the canvas animation (§2.1), replicate 0.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Animation {
    /// Bucket length.
    pub bucket_secs: i64,
    /// Number of buckets; bucket b covers [start + b × bucket_secs, start + (b+1) × bucket_secs).
    pub buckets: usize,
    /// Per link, by source port.
    pub links: Vec<LinkAnimation>,
    /// Per node, by id.
    pub nodes: Vec<NodeAnimation>,
    /// Per goal, in goal order.
    pub goals: Vec<GoalAnimation>,
}

/// What happened at a trajectory step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum StepKind {
    /// Entered the journey (control users stop here).
    Entered {
        /// In a control group.
        control: bool,
    },
    /// Arrived at the node.
    Arrived,
    /// Left the node through this port.
    Left(Port),
    /// A message went out from the node.
    Sent,
    /// Met goal number (0-based).
    Goal(usize),
    /// Completed at the node.
    Completed,
    /// Force exit.
    ForceExit,
    /// Journey timeout.
    TimedOut,
    /// Exit criterion.
    ExitCriterion,
}

/// One step of a trajectory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When.
    pub time: Timestamp,
    /// Where (`None` off the graph).
    pub node: Option<NodeId>,
    /// What.
    pub kind: StepKind,
}

/// One user's compact path through the journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trajectory {
    /// User index in the population.
    pub user: u64,
    /// Steps in time order.
    pub steps: Vec<Step>,
}
