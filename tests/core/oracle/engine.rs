//! The bridge to the engine: its report converted to the oracle's plain statistics, and
//! its pilot-pass weight schedule converted to the oracle's input data.
//!
//! Invariant: this bridge uses only the engine's public entry points and report types
//! (`simulate`, `RunOptions`, `Report` and its field types, `pilot_weights`,
//! `WeightSchedule`); `oracle_imports_nothing_from_the_walk` checks that it names none of
//! the walk's modules. The oracle itself never sees this file.

use std::collections::BTreeMap;

use journey_studio::model::{Journey, NodeKind};
use journey_studio::sim::{Report, RunOptions, WeightSchedule, pilot_weights, simulate};

use super::queue::{ChannelCounts, OracleStats, Weights};

/// The engine's report as oracle statistics (only the figures both sides define).
pub fn to_stats(r: &Report) -> OracleStats {
    let mut s = OracleStats {
        users: r.run.users,
        qualified: r.journey.qualified,
        entered: r.journey.entered,
        control: r.journey.control,
        control_system: r.journey.control_system,
        control_journey: r.journey.control_journey,
        target: r.journey.target,
        completed: r.journey.completed,
        timed_out: r.journey.timed_out,
        exit_criteria: r.journey.exit_criteria,
        force_exits: r.journey.force_exits,
        conv_target: r.conversion.target.conversions,
        conv_control: r.conversion.control.conversions,
        conv_system: r.conversion.system_control.conversions,
        value_target: r.revenue.target,
        value_control: r.revenue.control,
        ..OracleStats::default()
    };
    for g in &r.goals {
        s.goal_met.push(g.met);
        s.conv_target_per_goal.push(g.met_target);
        s.conv_control_per_goal.push(g.met_control);
    }
    for n in &r.nodes {
        s.node_entered.insert(n.id, n.entered);
        for p in &n.ports {
            s.moved.insert((n.id, p.port), p.moved);
        }
        let put = |m: &mut BTreeMap<_, u64>, v: u64| {
            if v > 0 {
                m.insert(n.id, v);
            }
        };
        put(&mut s.goal_before, n.goal_before);
        put(&mut s.goal_at, n.goal_at);
        put(&mut s.waiting_before, n.waiting_before);
        put(&mut s.waiting_at, n.waiting_at);
        put(&mut s.timed_out_at, n.timed_out);
        if let Some(c) = &n.channel {
            s.channels.insert(
                n.id,
                ChannelCounts {
                    sent: c.sent,
                    failed: c.failed,
                    unreachable: c.unreachable,
                    delivered: c.delivered,
                    viewed: c.viewed,
                    clicked: c.clicked,
                    dnd_deferred: c.dnd_deferred,
                    dnd_skipped: c.dnd_skipped,
                    capped: c.capped,
                    unsubscribed: c.unsubscribed,
                },
            );
        }
    }
    s
}

/// The engine's pilot schedule as the oracle's input: weights in each node's path order.
pub fn weights(j: &Journey, schedules: &BTreeMap<journey_studio::model::NodeId, WeightSchedule>) -> Weights {
    let mut out = Weights::new();
    for (id, sch) in schedules {
        let Some(NodeKind::RandomSplit { paths, .. }) = j.graph.nodes.get(id).map(|n| &n.kind) else { continue };
        let order: Vec<Option<usize>> = paths.iter().map(|p| sch.paths.iter().position(|q| *q == p.id)).collect();
        let epochs = sch
            .epoch_starts
            .iter()
            .zip(&sch.weights)
            .map(|(t, w)| (t.0, order.iter().map(|i| i.and_then(|i| w.get(i).copied()).unwrap_or(0.0)).collect()))
            .collect();
        out.insert(*id, epochs);
    }
    out
}

/// Runs both sides on `j` with `users` users; returns (engine, oracle) statistics.
pub fn both(j: &Journey, users: u64) -> (OracleStats, OracleStats) {
    let opts = RunOptions { users: Some(users), threads: Some(2), ..RunOptions::default() };
    let report = simulate(j, &opts, &|_| true).unwrap_or_else(|e| panic!("engine failed: {e}"));
    let w = weights(j, &pilot_weights(j, &opts));
    let oracle = super::queue::run(j, &super::queue::Opts { users: Some(users), ..Default::default() }, &w);
    (to_stats(&report), oracle)
}
