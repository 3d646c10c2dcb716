//! Counters a chunk of users adds up, the chunked parallel run, and the finished report.
//!
//! Invariants: a [`Tally`] is a sum: merging is element-wise addition, and the run merges
//! chunk tallies strictly in chunk order (replicate-major), so floating-point sums and the
//! trajectory list come out the same whatever the thread count. Only a bounded batch of
//! chunk tallies exists at once, so memory does not grow with the population.

use rayon::prelude::*;

use super::intervals;
use super::plan::{Plan, channel_index};
use super::report::{
    Animation, Boost, ChannelStats, ChannelTotals, ConversionStats, DayTrend, GoalStats, JourneyStats, LinkAnimation,
    MeanSd, NodeAnimation, NodeStats, PathStats, PortStats, Rate, ReplicateSpread, Report, RevenueStats, RunInfo,
    Trajectory, TurnedAway,
};
use super::walk::walk_range;
use super::{CHUNK_USERS, MAX_TRAJECTORIES, RunOptions, SimError};
use crate::model::{Channel, Journey, KindTag, Timestamp};

/// Channel counter slots.
pub const CH_SENT: usize = 0;
/// Failed.
pub const CH_FAILED: usize = 1;
/// Unreachable.
pub const CH_UNREACHABLE: usize = 2;
/// Delivered.
pub const CH_DELIVERED: usize = 3;
/// Viewed.
pub const CH_VIEWED: usize = 4;
/// Clicked.
pub const CH_CLICKED: usize = 5;
/// DND deferred.
pub const CH_DND_DEFERRED: usize = 6;
/// DND skipped.
pub const CH_DND_SKIPPED: usize = 7;
/// Capped.
pub const CH_CAPPED: usize = 8;
/// Unsubscribed by fatigue.
pub const CH_UNSUB: usize = 9;
/// Conversions by last touch.
pub const CH_CONV: usize = 10;
/// Number of channel counters.
pub const CH_COUNTERS: usize = 11;

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
    /// Channel counters.
    pub ch: [u64; CH_COUNTERS],
    /// Conversions per split path.
    pub path_conv: Vec<u64>,
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
    /// Turned away: inside, re-entry off, cooldown, max entries, past end, unsubscribed.
    pub turned: [u64; 6],
    /// Entered.
    pub entered: u64,
    /// Target entries.
    pub target: u64,
    /// Journey control entries.
    pub control_journey: u64,
    /// System control entries.
    pub control_system: u64,
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
    /// Per group (target, journey control, system control): entries, conversions.
    pub conv: [[u64; 2]; 3],
    /// Per group revenue.
    pub revenue: [f64; 3],
    /// Per goal, per group.
    pub goal_by: Vec<[u64; 3]>,
    /// Per node.
    pub nodes: Vec<NodeTally>,
    /// Per day: entered, completed, goal met, timed out.
    pub trends: Vec<[u64; 4]>,
    /// Sends per hour per used channel (hour-major).
    pub hourly: Vec<u64>,
    /// Link crossings per bucket (link-major), replicate 0.
    pub link_cross: Vec<u32>,
    /// Node occupancy difference array (node-major, buckets + 1 each), replicate 0.
    pub occ_diff: Vec<i64>,
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
    used: Vec<usize>,
    buckets: usize,
    bucket_secs: i64,
    start: i64,
}

impl Tally {
    /// An empty tally shaped for the plan.
    #[must_use]
    pub fn new(p: &Plan) -> Self {
        let used: Vec<usize> = p.used_channels.iter().map(|c| channel_index(*c)).collect();
        Self {
            goal_by: vec![[0; 3]; p.goals.len()],
            nodes: p
                .nodes
                .iter()
                .map(|n| NodeTally {
                    ports: vec![0; n.ports.len()],
                    path_conv: vec![0; n.paths.len()],
                    ..NodeTally::default()
                })
                .collect(),
            trends: vec![[0; 4]; usize::try_from(p.horizon_days).unwrap_or(0)],
            hourly: vec![0; p.hours() * used.len()],
            link_cross: vec![0; p.links.len() * p.buckets],
            occ_diff: vec![0; p.nodes.len() * (p.buckets + 1)],
            used,
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

    /// Counts a message sent on channel index `ci` in hour `h`.
    pub fn add_send(&mut self, ci: usize, h: usize) {
        if let Some(slot) = self.used.iter().position(|c| *c == ci) {
            let w = self.used.len();
            if let Some(x) = self.hourly.get_mut(h * w + slot) {
                *x += 1;
            }
        }
    }

    /// Adds `o` into `self` (element-wise; `o` comes after `self` in chunk order).
    pub fn merge(&mut self, mut o: Self) {
        self.draws.add(&o.draws);
        self.qualified += o.qualified;
        for (a, b) in self.turned.iter_mut().zip(o.turned) {
            *a += b;
        }
        self.entered += o.entered;
        self.target += o.target;
        self.control_journey += o.control_journey;
        self.control_system += o.control_system;
        self.goal_met += o.goal_met;
        self.completed += o.completed;
        self.timed_out += o.timed_out;
        self.exit_criteria += o.exit_criteria;
        self.force_exits += o.force_exits;
        self.on_graph_end += o.on_graph_end;
        for g in 0..3 {
            self.conv[g][0] += o.conv[g][0];
            self.conv[g][1] += o.conv[g][1];
            self.revenue[g] += o.revenue[g];
        }
        for (a, b) in self.goal_by.iter_mut().zip(&o.goal_by) {
            for g in 0..3 {
                a[g] += b[g];
            }
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
            for (x, y) in a.ch.iter_mut().zip(b.ch) {
                *x += y;
            }
            for (x, y) in a.path_conv.iter_mut().zip(&b.path_conv) {
                *x += y;
            }
        }
        for (a, b) in self.trends.iter_mut().zip(&o.trends) {
            for i in 0..4 {
                a[i] += b[i];
            }
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
        self.trajectories.append(&mut o.trajectories);
        self.pilot.append(&mut o.pilot);
        let mut rep = o.rep;
        rep.target_entries = o.conv[0][0];
        rep.control_entries = o.conv[1][0];
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

/// Walks every user of every replicate in chunks on a local pool; merges in chunk order.
///
/// # Errors
/// [`SimError::Cancelled`] when `progress` returns false; [`SimError::Threads`].
pub fn run_plan(plan: &Plan, threads: usize, traj: usize, progress: &dyn Fn(f64) -> bool) -> Result<Tally, SimError> {
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("journey-sim-{i}"))
        .build()
        .map_err(|e| SimError::Threads { threads, message: e.to_string() })?;
    let per_rep = plan.chunks_per_replicate();
    let total = per_rep.saturating_mul(u64::from(plan.replicates));
    let traj = u64::try_from(traj.min(MAX_TRAJECTORIES)).unwrap_or(0);
    let mut acc = Tally::new(plan);
    let batch = u64::try_from(threads * 4).unwrap_or(8).max(1);
    let mut done = 0u64;
    if !progress(0.0) {
        return Err(SimError::Cancelled);
    }
    while done < total {
        let upto = (done + batch).min(total);
        let jobs: Vec<u64> = (done..upto).collect();
        let parts: Vec<Tally> = pool.install(|| {
            jobs.par_iter()
                .map(|&job| {
                    let rep = u32::try_from(job / per_rep).unwrap_or(0);
                    let chunk = job % per_rep;
                    let from = chunk * CHUNK_USERS;
                    let to = (from + CHUNK_USERS).min(plan.users);
                    walk_range(plan, rep, from, to, traj)
                })
                .collect()
        });
        for part in parts {
            acc.merge(part);
        }
        done = upto;
        #[allow(clippy::cast_precision_loss)]
        let share = done as f64 / total.max(1) as f64;
        if !progress(share) {
            return Err(SimError::Cancelled);
        }
    }
    Ok(acc)
}

/// Runs a simulation (see [`super::simulate`]).
///
/// # Errors
/// As [`super::simulate`].
pub fn run(j: &Journey, opts: &RunOptions, progress: &dyn Fn(f64) -> bool) -> Result<Report, SimError> {
    let diags = crate::validate::validate(j);
    let errors: Vec<String> =
        diags.iter().filter(|d| d.severity == crate::validate::Severity::Error).map(|d| d.message.clone()).collect();
    if !errors.is_empty() {
        return Err(SimError::Invalid(errors));
    }
    let mut plan = super::plan::build(j, opts)?;
    plan.schedules = super::pilot::schedules_for(&plan);
    let threads = opts.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let tally = run_plan(&plan, threads, opts.trajectory_sample, progress)?;
    Ok(finish(&plan, tally))
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
            already_inside: m(t.turned[0]),
            reentry_off: m(t.turned[1]),
            cooldown: m(t.turned[2]),
            max_entries: m(t.turned[3]),
            past_end: m(t.turned[4]),
            unsubscribed: m(t.turned[5]),
        },
        control: m(t.control_journey + t.control_system),
        control_system: m(t.control_system),
        control_journey: m(t.control_journey),
        target: m(t.target),
        goal_met: m(t.goal_met),
        completed: m(t.completed),
        timed_out: m(t.timed_out),
        exit_criteria: m(t.exit_criteria),
        force_exits: m(t.force_exits),
        on_graph_at_end: m(t.on_graph_end),
    };
    let [tg, ct, sy] = t.conv;
    let target = rate(tg[1], tg[0], &m);
    let control = rate(ct[1], ct[0], &m);
    let difference = match (target.rate, control.rate) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let boost = intervals::boost(tg[1], tg[0], ct[1], ct[0]).map(|(percent, interval)| Boost { percent, interval });
    let conversion = ConversionStats {
        difference_interval: intervals::newcombe(tg[1], tg[0], ct[1], ct[0]),
        target,
        control,
        system_control: rate(sy[1], sy[0], &m),
        difference,
        boost,
    };

    let mut total_cost = 0.0;
    let mut nodes = Vec::new();
    let mut sent_by = [0u64; 8];
    for (i, (pn, nt)) in p.nodes.iter().zip(&t.nodes).enumerate() {
        let channel = match pn.tag {
            KindTag::Channel(c) => {
                let ci = channel_index(c);
                #[allow(clippy::cast_precision_loss)]
                let cost = mf(nt.ch[CH_SENT] as f64 * p.channels[ci].cost);
                total_cost += cost;
                sent_by[ci] += nt.ch[CH_SENT];
                Some(ChannelStats {
                    sent: m(nt.ch[CH_SENT]),
                    failed: m(nt.ch[CH_FAILED]),
                    unreachable: m(nt.ch[CH_UNREACHABLE]),
                    delivered: m(nt.ch[CH_DELIVERED]),
                    viewed: m(nt.ch[CH_VIEWED]),
                    clicked: m(nt.ch[CH_CLICKED]),
                    dnd_deferred: m(nt.ch[CH_DND_DEFERRED]),
                    dnd_skipped: m(nt.ch[CH_DND_SKIPPED]),
                    capped: m(nt.ch[CH_CAPPED]),
                    aborted: 0,
                    unsubscribed: m(nt.ch[CH_UNSUB]),
                    cost,
                    conversions: m(nt.ch[CH_CONV]),
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
        let _ = i;
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
        });
    }

    let w = p.used_channels.len();
    let channels = p
        .used_channels
        .iter()
        .enumerate()
        .map(|(slot, c)| {
            let ci = channel_index(*c);
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
            let cost = mf(sent_by[ci] as f64 * p.channels[ci].cost);
            ChannelTotals {
                channel: *c,
                sent: m(sent_by[ci]),
                cost,
                peak_per_hour: m(peak),
                peak_hour_start: peak_h.map(|h| Timestamp(p.start + i64::try_from(h).unwrap_or(0) * 3_600)),
            }
        })
        .collect::<Vec<_>>();
    let _ = Channel::ALL;

    let rev_t = t.revenue[0];
    let rev_c = t.revenue[1];
    let tpe = ratio(rev_t, tg[0]);
    let cpe = ratio(rev_c, ct[0]);
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
            met: m(row[0] + row[1] + row[2]),
            met_target: m(row[0]),
            met_control: m(row[1]),
            #[allow(clippy::cast_precision_loss)]
            rate_target: ratio(row[0] as f64, tg[0]),
            #[allow(clippy::cast_precision_loss)]
            rate_control: ratio(row[1] as f64, ct[0]),
        })
        .collect();
    let trends = t
        .trends
        .iter()
        .enumerate()
        .map(|(d, x)| DayTrend {
            day: u32::try_from(d).unwrap_or(u32::MAX),
            from: Timestamp(p.start + i64::try_from(d).unwrap_or(0) * 86_400),
            entered: m(x[0]),
            completed: m(x[1]),
            goal_met: m(x[2]),
            timed_out: m(x[3]),
        })
        .collect();

    let spread = (p.replicates > 1).then(|| {
        let f = |g: &dyn Fn(&super::tally::RepTally) -> f64| -> MeanSd {
            mean_sd(&t.reps.iter().map(g).collect::<Vec<f64>>())
        };
        #[allow(clippy::cast_precision_loss)]
        ReplicateSpread {
            entered: f(&|r| r.entered as f64),
            goal_met: f(&|r| r.goal_met as f64),
            completed: f(&|r| r.completed as f64),
            conversion_target: f(&|r| ratio(r.conv_target as f64, r.target_entries).unwrap_or(0.0)),
            conversion_control: f(&|r| ratio(r.conv_control as f64, r.control_entries).unwrap_or(0.0)),
            revenue_target: f(&|r| r.revenue_target),
            sent: f(&|r| r.sent as f64),
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
                NodeAnimation { node: pn.id, occupancy }
            })
            .collect(),
    };
    Report {
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
