//! Counters a chunk of users adds up, how two tallies merge, and the finished report.
//!
//! Invariants: a [`Tally`] is a sum: merging is element-wise addition of named counters,
//! and the run ([`super::run`]) merges chunk tallies strictly in chunk order
//! (replicate-major), so floating-point sums and the trajectory list come out the same
//! whatever the thread count. This module knows nothing of the walk: the walk adds into
//! these counters, and the report is built from them alone.

use std::ops::{Index, IndexMut};

use super::channel_map::ChannelMap;
use super::intervals::{self, Interval};
use super::plan::Plan;
use super::report::{
    Animation, Boost, ChannelStats, ChannelTotals, ConversionStats, DayTrend, Estimate, GoalAnimation, GoalStats,
    HourTrend, Incremental, JourneyStats, LinkAnimation, MeanSd, NodeAnimation, NodeStats, PathStats, PortStats, Rate,
    ReplicateSpread, Report, RevenueStats, RunInfo, Share, Suppression, SuppressionRow, Trajectory, TurnedAway,
    VariantDifference, VariantStats,
};
use crate::model::{Channel, KindTag, Timestamp};

/// What happened to messages at one channel node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelCounters {
    /// Sent (past the cap and not failed).
    pub sent: u64,
    /// Failed to send.
    pub failed: u64,
    /// The user was unreachable or unsubscribed on the channel.
    pub unreachable: u64,
    /// Of `unreachable`: no token or address on the channel.
    pub unreachable_no_address: u64,
    /// Of `unreachable`: unsubscribed before the journey.
    pub unreachable_unsubscribed: u64,
    /// Of `unreachable`: unsubscribed by fatigue after an earlier send.
    pub unreachable_fatigue: u64,
    /// Delivered within the horizon.
    pub delivered: u64,
    /// Viewed within the horizon.
    pub viewed: u64,
    /// Clicked within the horizon.
    pub clicked: u64,
    /// Held until the DND window ended.
    pub dnd_deferred: u64,
    /// Seconds those deferred messages waited, summed.
    pub dnd_delay_secs: u64,
    /// Skipped because of DND.
    pub dnd_skipped: u64,
    /// Refused by the frequency cap.
    pub capped: u64,
    /// Cancelled by the message's Liquid `{% abort %}` (routed as unreachable).
    pub aborted: u64,
    /// Unsubscribed from the channel by fatigue after a send.
    pub unsubscribed: u64,
    /// Conversions whose last click before the goal was on this node.
    pub conversions: u64,
}

impl ChannelCounters {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.sent += o.sent;
        self.failed += o.failed;
        self.unreachable += o.unreachable;
        self.unreachable_no_address += o.unreachable_no_address;
        self.unreachable_unsubscribed += o.unreachable_unsubscribed;
        self.unreachable_fatigue += o.unreachable_fatigue;
        self.dnd_delay_secs += o.dnd_delay_secs;
        self.delivered += o.delivered;
        self.viewed += o.viewed;
        self.clicked += o.clicked;
        self.dnd_deferred += o.dnd_deferred;
        self.dnd_skipped += o.dnd_skipped;
        self.capped += o.capped;
        self.aborted += o.aborted;
        self.unsubscribed += o.unsubscribed;
        self.conversions += o.conversions;
    }
}

/// What happened to the messages of one content variant of a channel node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VariantCounters {
    /// Sent (past the cap and not failed).
    pub sent: u64,
    /// Viewed within the horizon (channels with a Viewed output).
    pub viewed: u64,
    /// Clicked within the horizon.
    pub clicked: u64,
    /// Conversions whose last click before the goal was on this variant.
    pub conversions: u64,
}

impl VariantCounters {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.sent += o.sent;
        self.viewed += o.viewed;
        self.clicked += o.clicked;
        self.conversions += o.conversions;
    }
}

/// Why qualified users were not let in (pooled counts; the report's [`TurnedAway`] gives
/// their means over replicates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TurnedAwayCounts {
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
    /// Unsubscribed from every channel the journey uses.
    pub unsubscribed: u64,
}

impl TurnedAwayCounts {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.already_inside += o.already_inside;
        self.reentry_off += o.reentry_off;
        self.cooldown += o.cooldown;
        self.max_entries += o.max_entries;
        self.past_end += o.past_end;
        self.unsubscribed += o.unsubscribed;
    }
}

/// The group a user's entries fall in, drawn once per user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Walks the journey.
    Target,
    /// The journey control group: counted as entered, not walked; the conversion baseline.
    JourneyControl,
    /// The system control group: held out of journeys.
    SystemControl,
}

/// One `T` per [`Group`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ByGroup<T> {
    /// The target group.
    pub target: T,
    /// The journey control group.
    pub journey_control: T,
    /// The system control group.
    pub system_control: T,
}

impl<T> ByGroup<T> {
    /// Calls `f` on each group's value in `self` with the same group's value in `o`.
    pub fn zip_mut(&mut self, o: &Self, mut f: impl FnMut(&mut T, &T)) {
        f(&mut self.target, &o.target);
        f(&mut self.journey_control, &o.journey_control);
        f(&mut self.system_control, &o.system_control);
    }
}

impl<T> Index<Group> for ByGroup<T> {
    type Output = T;

    fn index(&self, g: Group) -> &T {
        match g {
            Group::Target => &self.target,
            Group::JourneyControl => &self.journey_control,
            Group::SystemControl => &self.system_control,
        }
    }
}

impl<T> IndexMut<Group> for ByGroup<T> {
    fn index_mut(&mut self, g: Group) -> &mut T {
        match g {
            Group::Target => &mut self.target,
            Group::JourneyControl => &mut self.journey_control,
            Group::SystemControl => &mut self.system_control,
        }
    }
}

/// Entries of one group and what they brought.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GroupCounters {
    /// Entries.
    pub entries: u64,
    /// Entries that met a goal.
    pub conversions: u64,
    /// Goal value (revenue) of those conversions.
    pub revenue: f64,
    /// Sum of the squared goal value per converted entry (for the revenue interval).
    pub revenue_sq: f64,
}

impl GroupCounters {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.entries += o.entries;
        self.conversions += o.conversions;
        self.revenue += o.revenue;
        self.revenue_sq += o.revenue_sq;
    }
}

/// What the animation counts per node and bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeEvent {
    /// A user arrived (entries at the entry node).
    Arrived = 0,
    /// A message was sent.
    Sent = 1,
    /// A goal was met while waiting at or before the node.
    Goal = 2,
    /// The journey timeout took a user out here.
    TimedOut = 3,
    /// A message was clicked (at the click's time).
    Clicked = 4,
    /// The user was unreachable on the channel.
    Unreachable = 5,
}

impl NodeEvent {
    /// How many kinds there are.
    pub const COUNT: usize = 6;
}

/// Entries that had a message suppressed or deferred, and how many of them converted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AffectedCounters {
    /// Entries affected.
    pub entries: u64,
    /// Of those, entries that met a goal.
    pub conversions: u64,
}

impl AffectedCounters {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.entries += o.entries;
        self.conversions += o.conversions;
    }
}

/// What happened on one day of the horizon.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayCounters {
    /// Entries.
    pub entered: u64,
    /// Completions.
    pub completed: u64,
    /// Goals met.
    pub goal_met: u64,
    /// Journey timeouts.
    pub timed_out: u64,
}

impl DayCounters {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &Self) {
        self.entered += o.entered;
        self.completed += o.completed;
        self.goal_met += o.goal_met;
        self.timed_out += o.timed_out;
    }
}

/// One arrival at an automated split during the pilot pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PilotRec {
    /// Split node index.
    pub node: usize,
    /// Path index.
    pub path: usize,
    /// Arrival time.
    pub arrive: i64,
    /// When the entry met a goal, if it did.
    pub conv: Option<i64>,
}

/// Per-node counters.
#[derive(Clone, Debug, Default)]
pub struct NodeTally {
    /// Arrivals.
    pub entered: u64,
    /// Per port.
    pub ports: Vec<u64>,
    /// Completions here.
    pub completed: u64,
    /// Waiting before at the end.
    pub wait_before: u64,
    /// Waiting at at the end.
    pub wait_at: u64,
    /// Goal met before.
    pub goal_before: u64,
    /// Goal met at.
    pub goal_at: u64,
    /// Timed out here.
    pub timed_out: u64,
    /// Message outcomes (channel nodes only).
    pub channel: ChannelCounters,
    /// Conversions per split path.
    pub path_conv: Vec<u64>,
    /// Per content variant (channel nodes with variants only).
    pub variants: Vec<VariantCounters>,
}

/// Journey figures of one replicate (for the spread).
#[derive(Clone, Copy, Debug, Default)]
pub struct RepTally {
    /// Entries.
    pub entered: u64,
    /// Goals met.
    pub goal_met: u64,
    /// Completions.
    pub completed: u64,
    /// Target conversions.
    pub conv_target: u64,
    /// Control conversions.
    pub conv_control: u64,
    /// Target revenue.
    pub revenue_target: f64,
    /// Messages sent.
    pub sent: u64,
    /// Target entries.
    pub target_entries: u64,
    /// Control entries.
    pub control_entries: u64,
}

impl RepTally {
    fn add(&mut self, o: &Self) {
        self.entered += o.entered;
        self.goal_met += o.goal_met;
        self.completed += o.completed;
        self.conv_target += o.conv_target;
        self.conv_control += o.conv_control;
        self.revenue_target += o.revenue_target;
        self.sent += o.sent;
        self.target_entries += o.target_entries;
        self.control_entries += o.control_entries;
    }
}

/// Everything a set of users adds up.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Qualified.
    pub qualified: u64,
    /// Turned away, by reason.
    pub turned_away: TurnedAwayCounts,
    /// Entered.
    pub entered: u64,
    /// Entries, conversions and revenue per group.
    pub groups: ByGroup<GroupCounters>,
    /// Goals met.
    pub goal_met: u64,
    /// Completions.
    pub completed: u64,
    /// Timeouts.
    pub timed_out: u64,
    /// Exit criteria.
    pub exit_criteria: u64,
    /// Force exits.
    pub force_exits: u64,
    /// On the graph at the end.
    pub on_graph_end: u64,
    /// Per goal, conversions per group.
    pub goal_by: Vec<ByGroup<u64>>,
    /// Per channel: entries with a message suppressed or deferred there.
    pub affected: ChannelMap<AffectedCounters>,
    /// Entries with a message suppressed or deferred on any channel.
    pub affected_any: AffectedCounters,
    /// Per node.
    pub nodes: Vec<NodeTally>,
    /// Per day of the horizon.
    pub trends: Vec<DayCounters>,
    /// Per hour of the horizon (the same counters as `trends`).
    pub hour_trends: Vec<DayCounters>,
    /// Sends per hour per used channel (hour-major).
    pub hourly: Vec<u64>,
    /// Link crossings per bucket (link-major), replicate 0.
    pub link_cross: Vec<u32>,
    /// Node occupancy difference array (node-major, buckets + 1 each), replicate 0.
    pub occ_diff: Vec<i64>,
    /// Per node and bucket (node-major), replicate 0: arrivals, sends, goals met and
    /// timeouts, indexed by [`NodeEvent`].
    pub node_events: Vec<[u32; NodeEvent::COUNT]>,
    /// Per goal and bucket (goal-major), replicate 0: goals met.
    pub goal_events: Vec<u32>,
    /// Trajectories, in user order.
    pub trajectories: Vec<Trajectory>,
    /// Pilot records (pilot pass only).
    pub pilot: Vec<PilotRec>,
    /// This tally's replicate figures.
    pub rep: RepTally,
    /// Which replicate `rep` belongs to.
    pub rep_index: u32,
    /// Random draws made (for the engine benchmark's floor).
    pub draws: super::rng::DrawCount,
    /// Merged replicate figures, by replicate.
    pub reps: Vec<RepTally>,
    /// Per channel, its column in `hourly` (for the channels the journey uses).
    hourly_slot: ChannelMap<Option<usize>>,
    /// Columns of `hourly`.
    hourly_width: usize,
    buckets: usize,
    bucket_secs: i64,
    start: i64,
}

impl Tally {
    /// An empty tally shaped for the plan.
    #[must_use]
    pub fn new(p: &Plan) -> Self {
        let mut hourly_slot = ChannelMap::default();
        for (slot, c) in p.used_channels.iter().enumerate() {
            hourly_slot[*c] = Some(slot);
        }
        let hourly_width = p.used_channels.len();
        Self {
            goal_by: vec![ByGroup::default(); p.goals.len()],
            nodes: p
                .nodes
                .iter()
                .map(|n| NodeTally {
                    ports: vec![0; n.ports.len()],
                    path_conv: vec![0; n.paths.len()],
                    variants: match &n.kind {
                        super::plan::PKind::Channel { variants, .. } => {
                            vec![VariantCounters::default(); variants.len()]
                        }
                        _ => Vec::new(),
                    },
                    ..NodeTally::default()
                })
                .collect(),
            trends: vec![DayCounters::default(); usize::try_from(p.horizon_days).unwrap_or(0)],
            hour_trends: vec![DayCounters::default(); p.hours()],
            hourly: vec![0; p.hours() * hourly_width],
            link_cross: vec![0; p.links.len() * p.buckets],
            occ_diff: vec![0; p.nodes.len() * (p.buckets + 1)],
            node_events: vec![[0; NodeEvent::COUNT]; p.nodes.len() * p.buckets],
            goal_events: vec![0; p.goals.len() * p.buckets],
            hourly_slot,
            hourly_width,
            buckets: p.buckets,
            bucket_secs: p.bucket_secs,
            start: p.start,
            ..Self::default()
        }
    }

    /// The animation bucket of an instant (clamped into range).
    #[must_use]
    pub fn bucket(&self, t: i64) -> usize {
        let b = (t - self.start).max(0) / self.bucket_secs.max(1);
        usize::try_from(b).unwrap_or(usize::MAX).min(self.buckets.saturating_sub(1))
    }

    /// Counts a user at node `n` at the end of every bucket whose end lies in [since, until).
    pub fn occupy(&mut self, n: usize, since: i64, until: i64) {
        if self.buckets == 0 {
            return;
        }
        let bs = self.bucket_secs.max(1);
        // Bucket b ends at start + (b+1)·bs; counted when since <= end_b < until.
        let first = ((since - self.start).max(0) + bs - 1) / bs - 1;
        let first = first.max(0);
        let last = if until == i64::MAX {
            i64::try_from(self.buckets).unwrap_or(i64::MAX) - 1
        } else {
            let x = until - self.start;
            if x <= 0 {
                return;
            }
            (x + bs - 1) / bs - 2
        };
        let last = last.min(i64::try_from(self.buckets).unwrap_or(i64::MAX) - 1);
        if last < first {
            return;
        }
        let (Ok(first), Ok(last)) = (usize::try_from(first), usize::try_from(last)) else { return };
        let row = n * (self.buckets + 1);
        self.occ_diff[row + first] += 1;
        self.occ_diff[row + last + 1] -= 1;
    }

    /// Counts `what` at node `n` in the animation bucket of `t` (replicate 0 only).
    pub fn node_event(&mut self, n: usize, what: NodeEvent, t: i64) {
        if self.buckets == 0 {
            return;
        }
        let b = self.bucket(t);
        if let Some(x) = self.node_events.get_mut(n * self.buckets + b) {
            x[what as usize] = x[what as usize].saturating_add(1);
        }
    }

    /// Counts goal `g` met at `t` in its animation bucket (replicate 0 only).
    pub fn goal_event(&mut self, g: usize, t: i64) {
        if self.buckets == 0 {
            return;
        }
        let b = self.bucket(t);
        if let Some(x) = self.goal_events.get_mut(g * self.buckets + b) {
            *x = x.saturating_add(1);
        }
    }

    /// Counts one trend event (`f` increments one counter) in day `day` and hour `hour`
    /// from the start; instants past the horizon count nowhere.
    pub fn count_trend(&mut self, day: usize, hour: usize, f: impl Fn(&mut DayCounters)) {
        if let Some(d) = self.trends.get_mut(day) {
            f(d);
        }
        if let Some(h) = self.hour_trends.get_mut(hour) {
            f(h);
        }
    }

    /// Counts a message sent on `channel` in hour `h` from the start.
    pub fn add_send(&mut self, channel: Channel, h: usize) {
        if let Some(slot) = self.hourly_slot[channel]
            && let Some(x) = self.hourly.get_mut(h * self.hourly_width + slot)
        {
            *x += 1;
        }
    }

    /// Adds `o` into `self` (element-wise; `o` comes after `self` in chunk order).
    pub fn merge(&mut self, mut o: Self) {
        self.draws.add(&o.draws);
        self.qualified += o.qualified;
        self.turned_away.add(&o.turned_away);
        self.entered += o.entered;
        self.groups.zip_mut(&o.groups, GroupCounters::add);
        self.goal_met += o.goal_met;
        self.completed += o.completed;
        self.timed_out += o.timed_out;
        self.exit_criteria += o.exit_criteria;
        self.force_exits += o.force_exits;
        self.on_graph_end += o.on_graph_end;
        for c in Channel::ALL {
            self.affected[c].add(&o.affected[c]);
        }
        self.affected_any.add(&o.affected_any);
        for (a, b) in self.goal_by.iter_mut().zip(&o.goal_by) {
            a.zip_mut(b, |x, y| *x += y);
        }
        for (a, b) in self.nodes.iter_mut().zip(&o.nodes) {
            a.entered += b.entered;
            for (x, y) in a.ports.iter_mut().zip(&b.ports) {
                *x += y;
            }
            a.completed += b.completed;
            a.wait_before += b.wait_before;
            a.wait_at += b.wait_at;
            a.goal_before += b.goal_before;
            a.goal_at += b.goal_at;
            a.timed_out += b.timed_out;
            a.channel.add(&b.channel);
            for (x, y) in a.path_conv.iter_mut().zip(&b.path_conv) {
                *x += y;
            }
            for (x, y) in a.variants.iter_mut().zip(&b.variants) {
                x.add(y);
            }
        }
        for (a, b) in self.hour_trends.iter_mut().zip(&o.hour_trends) {
            a.add(b);
        }
        for (a, b) in self.trends.iter_mut().zip(&o.trends) {
            a.add(b);
        }
        for (a, b) in self.hourly.iter_mut().zip(&o.hourly) {
            *a += b;
        }
        for (a, b) in self.link_cross.iter_mut().zip(&o.link_cross) {
            *a = a.saturating_add(*b);
        }
        for (a, b) in self.occ_diff.iter_mut().zip(&o.occ_diff) {
            *a += b;
        }
        for (a, b) in self.goal_events.iter_mut().zip(&o.goal_events) {
            *a = a.saturating_add(*b);
        }
        for (a, b) in self.node_events.iter_mut().zip(&o.node_events) {
            for (x, y) in a.iter_mut().zip(b) {
                *x = x.saturating_add(*y);
            }
        }
        self.trajectories.append(&mut o.trajectories);
        self.pilot.append(&mut o.pilot);
        let mut rep = o.rep;
        rep.target_entries = o.groups.target.entries;
        rep.control_entries = o.groups.journey_control.entries;
        let ri = usize::try_from(o.rep_index).unwrap_or(0);
        if self.reps.len() <= ri {
            self.reps.resize(ri + 1, RepTally::default());
        }
        self.reps[ri].add(&rep);
        for (i, r) in o.reps.iter().enumerate() {
            if self.reps.len() <= i {
                self.reps.resize(i + 1, RepTally::default());
            }
            self.reps[i].add(r);
        }
    }
}

/// A rate from pooled counts, reported with per-replicate mean counts.
fn rate(k: u64, n: u64, m: &dyn Fn(u64) -> u64) -> Rate {
    #[allow(clippy::cast_precision_loss)]
    let r = (n > 0).then(|| k as f64 / n as f64);
    Rate { entries: m(n), conversions: m(k), rate: r, interval: intervals::wilson(k, n) }
}

/// The mean over `reps` replicates of a pooled count, rounded to the nearest whole
/// number (halves up).
#[must_use]
pub fn mean_count(pooled: u64, reps: u32) -> u64 {
    let r = u64::from(reps.max(1));
    pooled / r + u64::from(pooled % r * 2 >= r)
}

#[allow(clippy::cast_precision_loss)]
fn ratio(a: f64, n: u64) -> Option<f64> {
    (n > 0).then(|| a / n as f64)
}

fn mean_sd(xs: &[f64]) -> MeanSd {
    let (mean, sd) = intervals::mean_sd(xs);
    MeanSd { mean, sd }
}

/// The decision figures (§3.1) from the pooled group counters, scaled to the mean target
/// entries per replicate.
fn incremental(g: &ByGroup<GroupCounters>, reps: u32, cost: f64) -> Incremental {
    let (tg, ct) = (&g.target, &g.journey_control);
    #[allow(clippy::cast_precision_loss)]
    let scale = tg.entries as f64 / f64::from(reps.max(1));
    let conversions =
        match (intervals::newcombe(tg.conversions, tg.entries, ct.conversions, ct.entries), tg.entries, ct.entries) {
            (Some(i), nt, nc) if nt > 0 && nc > 0 => {
                #[allow(clippy::cast_precision_loss)]
                let d = tg.conversions as f64 / nt as f64 - ct.conversions as f64 / nc as f64;
                Estimate::new(d * scale, Interval { lo: i.lo * scale, hi: i.hi * scale })
            }
            _ => Estimate::default(),
        };
    let revenue = intervals::welch(tg.entries, tg.revenue, tg.revenue_sq, ct.entries, ct.revenue, ct.revenue_sq)
        .map_or_else(Estimate::default, |(d, i)| {
            Estimate::new(d * scale, Interval { lo: i.lo * scale, hi: i.hi * scale })
        });
    let net_return = match (revenue.value, revenue.interval()) {
        (Some(v), Some(i)) => Estimate::new(v - cost, Interval { lo: i.lo - cost, hi: i.hi - cost }),
        _ => Estimate::default(),
    };
    Incremental {
        cost_per_incremental_conversion: conversions.value.filter(|c| *c > 0.0).map(|c| cost / c),
        conversions,
        revenue,
        net_return,
    }
}

/// A share `k / n` with its Wilson interval.
fn share_of(k: u64, n: u64) -> Share {
    #[allow(clippy::cast_precision_loss)]
    let rate = (n > 0).then(|| k as f64 / n as f64);
    Share { rate, interval: intervals::wilson(k, n) }
}

/// The difference of two shares `k1/n1 − k2/n2` with its Newcombe interval.
fn share_difference(k1: u64, n1: u64, k2: u64, n2: u64) -> Estimate {
    match intervals::newcombe(k1, n1, k2, n2) {
        Some(i) if n1 > 0 && n2 > 0 => {
            #[allow(clippy::cast_precision_loss)]
            let d = k1 as f64 / n1 as f64 - k2 as f64 / n2 as f64;
            Estimate::new(d, i)
        }
        _ => Estimate::default(),
    }
}

/// The figures of a channel node's content variants (§1.3): counts (means over
/// replicates), rates per message sent with Wilson intervals, and each variant's
/// differences against the first with Newcombe intervals (all from pooled counts).
fn variant_stats(kind: &super::plan::PKind, counters: &[VariantCounters], m: &dyn Fn(u64) -> u64) -> Vec<VariantStats> {
    let super::plan::PKind::Channel { variants, .. } = kind else { return Vec::new() };
    let first = counters.first().copied().unwrap_or_default();
    let total_sent: u64 = counters.iter().map(|c| c.sent).sum();
    variants
        .iter()
        .zip(counters)
        .enumerate()
        .map(|(i, (v, c))| VariantStats {
            variant: v.id,
            name: v.name.clone(),
            percent: v.percent,
            sent: m(c.sent),
            viewed: m(c.viewed),
            clicked: m(c.clicked),
            conversions: m(c.conversions),
            sent_share: share_of(c.sent, total_sent),
            view_rate: share_of(c.viewed, c.sent),
            click_rate: share_of(c.clicked, c.sent),
            conversion_rate: share_of(c.conversions, c.sent),
            vs_first: (i > 0).then(|| VariantDifference {
                view_rate: share_difference(c.viewed, c.sent, first.viewed, first.sent),
                click_rate: share_difference(c.clicked, c.sent, first.clicked, first.sent),
                conversion_rate: share_difference(c.conversions, c.sent, first.conversions, first.sent),
            }),
        })
        .collect()
}

/// One row of the suppression summary from a channel's (or the journey's) counters.
fn suppression_row(
    channel: Option<Channel>,
    k: &ChannelCounters,
    affected: AffectedCounters,
    m: &dyn Fn(u64) -> u64,
) -> SuppressionRow {
    let aborted = k.aborted;
    SuppressionRow {
        channel,
        not_sent: m(k.dnd_skipped + k.capped + k.unreachable + aborted),
        dnd_skipped: m(k.dnd_skipped),
        capped: m(k.capped),
        unreachable_no_address: m(k.unreachable_no_address),
        unreachable_unsubscribed: m(k.unreachable_unsubscribed),
        unreachable_fatigue: m(k.unreachable_fatigue),
        aborted: m(aborted),
        dnd_deferred: m(k.dnd_deferred),
        #[allow(clippy::cast_precision_loss)]
        dnd_mean_delay_secs: ratio(k.dnd_delay_secs as f64, k.dnd_deferred),
        affected_entries: m(affected.entries),
        affected_conversions: m(affected.conversions),
    }
}

/// Turns the merged tally into the report.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn finish(p: &Plan, t: Tally) -> Report {
    // Rates, intervals and shares come from the pooled counts; the counts and money
    // figures reported are means over replicates (§2 "Run settings").
    let reps = p.replicates.max(1);
    let m = |x: u64| mean_count(x, reps);
    let mf = |x: f64| x / f64::from(reps);
    let run = RunInfo {
        users: p.users,
        seed: p.seed,
        horizon_days: p.horizon_days,
        replicates: p.replicates,
        start: Timestamp(p.start),
        horizon_end: Timestamp(p.horizon_end),
    };
    let journey = JourneyStats {
        qualified: m(t.qualified),
        entered: m(t.entered),
        turned_away: TurnedAway {
            already_inside: m(t.turned_away.already_inside),
            reentry_off: m(t.turned_away.reentry_off),
            cooldown: m(t.turned_away.cooldown),
            max_entries: m(t.turned_away.max_entries),
            past_end: m(t.turned_away.past_end),
            unsubscribed: m(t.turned_away.unsubscribed),
        },
        control: m(t.groups.journey_control.entries + t.groups.system_control.entries),
        control_system: m(t.groups.system_control.entries),
        control_journey: m(t.groups.journey_control.entries),
        target: m(t.groups.target.entries),
        goal_met: m(t.goal_met),
        completed: m(t.completed),
        timed_out: m(t.timed_out),
        exit_criteria: m(t.exit_criteria),
        force_exits: m(t.force_exits),
        on_graph_at_end: m(t.on_graph_end),
    };
    let ByGroup { target: tg, journey_control: ct, system_control: sy } = t.groups;
    let target = rate(tg.conversions, tg.entries, &m);
    let control = rate(ct.conversions, ct.entries, &m);
    let difference = match (target.rate, control.rate) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let boost = intervals::boost(tg.conversions, tg.entries, ct.conversions, ct.entries)
        .map(|(percent, interval)| Boost { percent, interval });
    let conversion = ConversionStats {
        difference_interval: intervals::newcombe(tg.conversions, tg.entries, ct.conversions, ct.entries),
        target,
        control,
        system_control: rate(sy.conversions, sy.entries, &m),
        difference,
        boost,
    };

    let mut total_cost = 0.0;
    let mut nodes = Vec::new();
    let mut sent_by = ChannelMap::<u64>::default();
    let mut held_by = ChannelMap::<ChannelCounters>::default();
    for (pn, nt) in p.nodes.iter().zip(&t.nodes) {
        let channel = match pn.tag {
            KindTag::Channel(c) => {
                let k = &nt.channel;
                #[allow(clippy::cast_precision_loss)]
                let cost = mf(k.sent as f64 * p.channels[c].cost);
                total_cost += cost;
                sent_by[c] += k.sent;
                held_by[c].add(k);
                Some(ChannelStats {
                    sent: m(k.sent),
                    failed: m(k.failed),
                    unreachable: m(k.unreachable),
                    unreachable_no_address: m(k.unreachable_no_address),
                    unreachable_unsubscribed: m(k.unreachable_unsubscribed),
                    unreachable_fatigue: m(k.unreachable_fatigue),
                    #[allow(clippy::cast_precision_loss)]
                    dnd_mean_delay_secs: ratio(k.dnd_delay_secs as f64, k.dnd_deferred),
                    delivered: m(k.delivered),
                    viewed: m(k.viewed),
                    clicked: m(k.clicked),
                    dnd_deferred: m(k.dnd_deferred),
                    dnd_skipped: m(k.dnd_skipped),
                    capped: m(k.capped),
                    aborted: m(k.aborted),
                    unsubscribed: m(k.unsubscribed),
                    cost,
                    conversions: m(k.conversions),
                })
            }
            _ => None,
        };
        let ports = pn
            .ports
            .iter()
            .enumerate()
            .map(|(pi, (port, to))| PortStats {
                port: *port,
                label: pn.port_labels.get(pi).cloned().unwrap_or_default(),
                target: to.map(|x| p.nodes[x].id),
                moved: m(nt.ports.get(pi).copied().unwrap_or(0)),
            })
            .collect();
        let paths = pn
            .paths
            .iter()
            .enumerate()
            .map(|(k, (id, name))| PathStats {
                path: *id,
                name: name.clone(),
                users: m(nt.ports.get(k).copied().unwrap_or(0)),
                conversions: m(nt.path_conv.get(k).copied().unwrap_or(0)),
            })
            .collect();
        nodes.push(NodeStats {
            id: pn.id,
            label: pn.label.clone(),
            kind: pn.tag.label().to_owned(),
            entered: m(nt.entered),
            ports,
            completed: m(nt.completed),
            waiting_before: m(nt.wait_before),
            waiting_at: m(nt.wait_at),
            goal_before: m(nt.goal_before),
            goal_at: m(nt.goal_at),
            timed_out: m(nt.timed_out),
            channel,
            paths,
            variants: variant_stats(&pn.kind, &nt.variants, &m),
        });
    }

    let w = p.used_channels.len();
    let channels = p
        .used_channels
        .iter()
        .enumerate()
        .map(|(slot, c)| {
            let mut peak = 0;
            let mut peak_h = None;
            for h in 0..p.hours() {
                let x = t.hourly.get(h * w + slot).copied().unwrap_or(0);
                if x > peak {
                    peak = x;
                    peak_h = Some(h);
                }
            }
            #[allow(clippy::cast_precision_loss)]
            let cost = mf(sent_by[*c] as f64 * p.channels[*c].cost);
            ChannelTotals {
                channel: *c,
                sent: m(sent_by[*c]),
                cost,
                peak_per_hour: m(peak),
                peak_hour_start: peak_h.map(|h| Timestamp(p.start + i64::try_from(h).unwrap_or(0) * 3_600)),
            }
        })
        .collect::<Vec<_>>();

    let rev_t = tg.revenue;
    let rev_c = ct.revenue;
    let tpe = ratio(rev_t, tg.entries);
    let cpe = ratio(rev_c, ct.entries);
    let revenue = RevenueStats {
        target: mf(rev_t),
        control: mf(rev_c),
        target_per_entry: tpe,
        control_per_entry: cpe,
        boost_percent: match (tpe, cpe) {
            (Some(a), Some(b)) if b > 0.0 => Some((a - b) / b * 100.0),
            _ => None,
        },
        cost: total_cost,
        revenue_minus_cost: mf(rev_t) - total_cost,
    };
    let goals = p
        .goals
        .iter()
        .zip(&t.goal_by)
        .enumerate()
        .map(|(gi, (_, row))| GoalStats {
            name: p.goal_names.get(gi).cloned().unwrap_or_default(),
            met: m(row.target + row.journey_control + row.system_control),
            met_target: m(row.target),
            met_control: m(row.journey_control),
            #[allow(clippy::cast_precision_loss)]
            rate_target: ratio(row.target as f64, tg.entries),
            #[allow(clippy::cast_precision_loss)]
            rate_control: ratio(row.journey_control as f64, ct.entries),
        })
        .collect();
    let trends = t
        .trends
        .iter()
        .enumerate()
        .map(|(d, x)| DayTrend {
            day: u32::try_from(d).unwrap_or(u32::MAX),
            from: Timestamp(p.start + i64::try_from(d).unwrap_or(0) * 86_400),
            entered: m(x.entered),
            completed: m(x.completed),
            goal_met: m(x.goal_met),
            timed_out: m(x.timed_out),
        })
        .collect();
    let trends_hourly = t
        .hour_trends
        .iter()
        .enumerate()
        .map(|(h, x)| HourTrend {
            hour: u32::try_from(h).unwrap_or(u32::MAX),
            from: Timestamp(p.start + i64::try_from(h).unwrap_or(0) * 3_600),
            entered: m(x.entered),
            completed: m(x.completed),
            goal_met: m(x.goal_met),
            timed_out: m(x.timed_out),
        })
        .collect();

    let spread = (p.replicates > 1).then(|| {
        let f = |g: &dyn Fn(&RepTally) -> f64| -> MeanSd { mean_sd(&t.reps.iter().map(g).collect::<Vec<f64>>()) };
        #[allow(clippy::cast_precision_loss)]
        ReplicateSpread {
            entered: f(&|r| r.entered as f64),
            goal_met: f(&|r| r.goal_met as f64),
            completed: f(&|r| r.completed as f64),
            conversion_target: f(&|r| ratio(r.conv_target as f64, r.target_entries).unwrap_or(0.0)),
            conversion_control: f(&|r| ratio(r.conv_control as f64, r.control_entries).unwrap_or(0.0)),
            revenue_target: f(&|r| r.revenue_target),
            sent: f(&|r| r.sent as f64),
            target_entries: f(&|r| r.target_entries as f64),
        }
    });

    let b = p.buckets;
    let animation = Animation {
        bucket_secs: p.bucket_secs,
        buckets: b,
        links: p
            .links
            .iter()
            .enumerate()
            .map(|(li, (from, pi, to))| LinkAnimation {
                from: p.nodes[*from].id,
                port: p.nodes[*from].ports[*pi].0,
                to: p.nodes[*to].id,
                crossings: t.link_cross[li * b..(li + 1) * b].to_vec(),
            })
            .collect(),
        nodes: p
            .nodes
            .iter()
            .enumerate()
            .map(|(n, pn)| {
                let row = &t.occ_diff[n * (b + 1)..(n + 1) * (b + 1)];
                let mut acc = 0i64;
                let occupancy = row[..b]
                    .iter()
                    .map(|d| {
                        acc += d;
                        u32::try_from(acc.max(0)).unwrap_or(u32::MAX)
                    })
                    .collect();
                let events = &t.node_events[n * b..(n + 1) * b];
                let column = |e: NodeEvent| events.iter().map(|x| x[e as usize]).collect();
                NodeAnimation {
                    node: pn.id,
                    occupancy,
                    arrivals: column(NodeEvent::Arrived),
                    sent: column(NodeEvent::Sent),
                    goals: column(NodeEvent::Goal),
                    timed_out: column(NodeEvent::TimedOut),
                    clicked: column(NodeEvent::Clicked),
                    unreachable: column(NodeEvent::Unreachable),
                }
            })
            .collect(),
        goals: (0..p.goals.len())
            .map(|g| GoalAnimation {
                goal: g,
                name: p.goal_names.get(g).cloned().unwrap_or_default(),
                met: t.goal_events[g * b..(g + 1) * b].to_vec(),
            })
            .collect(),
    };
    let incremental = incremental(&t.groups, reps, total_cost);
    let suppression = Suppression {
        journey: suppression_row(
            None,
            &held_by.iter().fold(ChannelCounters::default(), |mut a, (_, k)| {
                a.add(k);
                a
            }),
            t.affected_any,
            &m,
        ),
        channels: p.used_channels.iter().map(|c| suppression_row(Some(*c), &held_by[*c], t.affected[*c], &m)).collect(),
    };
    Report {
        trends_hourly,
        currency: p.currency.clone(),
        incremental,
        suppression,
        run,
        journey,
        conversion,
        revenue,
        goals,
        nodes,
        channels,
        total_cost,
        trends,
        spread,
        animation,
        trajectories: t.trajectories,
    }
}

#[cfg(test)]
mod tests {
    use super::mean_count;

    #[test]
    fn mean_counts_round_to_the_nearest_whole_number() {
        assert_eq!(mean_count(7, 1), 7);
        assert_eq!(mean_count(7, 0), 7);
        assert_eq!(mean_count(7, 2), 4);
        assert_eq!(mean_count(10, 3), 3);
        assert_eq!(mean_count(11, 3), 4);
        assert_eq!(mean_count(0, 5), 0);
        assert_eq!(mean_count(u64::MAX, 2), u64::MAX / 2 + 1);
    }
}
