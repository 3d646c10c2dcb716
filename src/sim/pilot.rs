//! The automated random split's pilot pass (SPEC §2.1): the one coupling between users,
//! resolved before the main walk into a weight schedule w(t) per automated split.
//!
//! A fixed, hash-chosen sample of min(N, 10,000) users (replicate 0) is walked with a
//! schedule; for each 5-minute epoch, each path's weight is the Beta(1, 1)-posterior mean
//! of goal conversion per arrival, counting only arrivals and conversions observed before
//! the epoch starts, floored at the minimum share and renormalised. Because epoch e's
//! weights depend only on what happened before e, iterating "walk with w, recompute w"
//! settles the schedule epoch by epoch; the pass stops when the schedule no longer
//! changes or after [`PILOT_ITERATIONS`] rounds.
//!
//! Invariants: deterministic (single-threaded, fixed sample, fixed iteration count);
//! the schedule is plain data, so the test oracle can take it as input.

use std::collections::BTreeMap;

use serde::Serialize;

use super::plan::{PKind, Plan};
use super::rng::hash_unit;
use super::walk::Walker;
use super::{RunOptions, SimError};
use crate::model::{Journey, NodeId, PathId, Timestamp};

/// Epoch length of the bandit, seconds (5 minutes of journey time).
pub const EPOCH_SECS: i64 = 300;
/// Pilot sample size (at most).
pub const PILOT_USERS: u64 = 10_000;
/// Most walk-and-reweight rounds.
pub const PILOT_ITERATIONS: usize = 4;

const TAG_PILOT: u64 = 0x7069_6c6f_7473_616d; // "pilotsam"

/// Weights of an automated split's paths over time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightSchedule {
    /// The paths, in the split's order.
    pub paths: Vec<PathId>,
    /// Epoch length, seconds.
    pub epoch_secs: i64,
    /// Start of each epoch (the first is the journey start).
    pub epoch_starts: Vec<Timestamp>,
    /// Weights per epoch, one per path, summing to 1.
    pub weights: Vec<Vec<f64>>,
}

impl WeightSchedule {
    /// The weights in force at `t` (the first epoch before the start, the last after the end).
    #[must_use]
    pub fn weights_at(&self, t: Timestamp) -> &[f64] {
        let Some(first) = self.epoch_starts.first() else { return &[] };
        let e = (t.0 - first.0).max(0) / self.epoch_secs.max(1);
        let e = usize::try_from(e).unwrap_or(usize::MAX).min(self.weights.len().saturating_sub(1));
        self.weights.get(e).map_or(&[], Vec::as_slice)
    }
}

/// The pilot sample: everyone when N ≤ 10,000, else one hash-chosen user per stratum of N / 10,000.
#[must_use]
pub fn pilot_sample(seed: u64, users: u64) -> Vec<u64> {
    if users <= PILOT_USERS {
        return (0..users).collect();
    }
    (0..PILOT_USERS)
        .map(|k| {
            #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let u = ((k as f64 + hash_unit(&[TAG_PILOT, seed, k])) * users as f64 / PILOT_USERS as f64) as u64;
            u.min(users - 1)
        })
        .collect()
}

/// The weight schedules of every automated split without a declared winner, by node id.
/// A journey the engine refuses gives an empty map.
#[must_use]
pub fn pilot_weights(j: &Journey, opts: &RunOptions) -> BTreeMap<NodeId, WeightSchedule> {
    let plan: Result<Plan, SimError> = super::plan::build(j, opts);
    match plan {
        Ok(plan) => schedules_for(&plan).into_iter().map(|(n, s)| (plan.nodes[n].id, s)).collect(),
        Err(_) => BTreeMap::new(),
    }
}

/// The schedules by node index (the main run's input).
#[must_use]
pub fn schedules_for(plan: &Plan) -> BTreeMap<usize, WeightSchedule> {
    let auto: Vec<(usize, usize, f64)> = plan
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match &n.kind {
            PKind::RandSplit { weights, automated: true, winner: None, min_share } => {
                Some((i, weights.len(), *min_share))
            }
            _ => None,
        })
        .collect();
    if auto.is_empty() || plan.users == 0 {
        return BTreeMap::new();
    }
    let epochs =
        usize::try_from(((plan.horizon_end - plan.start).max(1) + EPOCH_SECS - 1) / EPOCH_SECS).unwrap_or(1).max(1);
    let epoch_starts: Vec<Timestamp> =
        (0..epochs).map(|e| Timestamp(plan.start + i64::try_from(e).unwrap_or(0) * EPOCH_SECS)).collect();
    let mut schedules: BTreeMap<usize, WeightSchedule> = auto
        .iter()
        .map(|&(n, k, _)| {
            #[allow(clippy::cast_precision_loss)]
            let eq = vec![1.0 / k.max(1) as f64; k];
            let paths = plan.nodes[n].paths.iter().map(|(id, _)| *id).collect();
            (
                n,
                WeightSchedule {
                    paths,
                    epoch_secs: EPOCH_SECS,
                    epoch_starts: epoch_starts.clone(),
                    weights: vec![eq; 1],
                },
            )
        })
        .collect();
    let sample = pilot_sample(plan.seed, plan.users);
    for _ in 0..PILOT_ITERATIONS {
        let mut pp = plan.clone();
        pp.schedules = schedules.clone();
        pp.pilot_mode = true;
        let mut w = Walker::new(&pp, 0, 0);
        for &u in &sample {
            w.walk_user(u);
        }
        let recs = std::mem::take(&mut w.tally.pilot);
        let mut next = BTreeMap::new();
        for &(n, k, min_share) in &auto {
            // Arrivals and conversions per path per epoch.
            let mut arr = vec![vec![0u64; epochs]; k];
            let mut conv = vec![vec![0u64; epochs]; k];
            let epoch_of = |t: i64| usize::try_from((t - plan.start).max(0) / EPOCH_SECS).ok().filter(|e| *e < epochs);
            for r in recs.iter().filter(|r| r.node == n && r.path < k) {
                if let Some(e) = epoch_of(r.arrive) {
                    arr[r.path][e] += 1;
                }
                if let Some(e) = r.conv.and_then(epoch_of) {
                    conv[r.path][e] += 1;
                }
            }
            let mut weights = Vec::with_capacity(epochs);
            let mut n_seen = vec![0u64; k];
            let mut k_seen = vec![0u64; k];
            for e in 0..epochs {
                #[allow(clippy::cast_precision_loss)]
                let means: Vec<f64> = (0..k).map(|p| (1.0 + k_seen[p] as f64) / (2.0 + n_seen[p] as f64)).collect();
                weights.push(floor_and_normalise(&means, min_share));
                for p in 0..k {
                    n_seen[p] += arr[p][e];
                    k_seen[p] += conv[p][e];
                }
            }
            let mut s = schedules[&n].clone();
            s.weights = weights;
            next.insert(n, s);
        }
        let settled = next == schedules;
        schedules = next;
        if settled {
            break;
        }
    }
    schedules
}

/// Proportional weights, each floored at `min_share`, renormalised to sum 1.
#[must_use]
pub fn floor_and_normalise(means: &[f64], min_share: f64) -> Vec<f64> {
    let total: f64 = means.iter().sum();
    if means.is_empty() || total <= 0.0 {
        return means.to_vec();
    }
    let floored: Vec<f64> = means.iter().map(|m| (m / total).max(min_share)).collect();
    let t2: f64 = floored.iter().sum();
    floored.iter().map(|w| w / t2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_and_renormalises() {
        let w = floor_and_normalise(&[0.9, 0.1], 0.2);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(w[1] > 0.1);
        assert_eq!(floor_and_normalise(&[1.0, 1.0], 0.1), vec![0.5, 0.5]);
    }

    #[test]
    fn sample_is_bounded_and_in_range() {
        assert_eq!(pilot_sample(1, 5), vec![0, 1, 2, 3, 4]);
        let s = pilot_sample(1, 1_000_000);
        assert_eq!(s.len(), 10_000);
        assert!(s.iter().all(|u| *u < 1_000_000));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
    }
}
