//! The experiment planner (SPEC §7): how many entries and days a control-group, split or
//! content-variant test needs to detect an effect, the smallest effect it can detect within D days, and
//! the simulated power.
//!
//! The formula is the two-proportion z-test with pooled variance under the null (see
//! [`super::explore::entries_per_arm`]). The simulated power runs R independent
//! replicates of the journey as built, each over the test's duration, with the planned
//! effect applied to the tested arm, and counts the replicates in which the tested arm's
//! conversion differs significantly from the baseline arm's. Entries per arm, skewed
//! traffic, re-entry and DND come from the simulation; where it disagrees with the
//! formula, the simulation is the one to trust.
//!
//! **Applying the effect.** Each arm converts at its own natural rate in the journey
//! (`p`, pooled over all R replicates, so one replicate's noise barely moves it). A
//! replicate's arm with `n` entries and `k` conversions is moved to the wanted rate `w`
//! (the baseline for the baseline arm, the baseline with the effect for the tested arm)
//! by a keyed binomial draw: thinning, `k' ~ Bin(k, w/p)`, when `w ≤ p`, else boosting,
//! `k' = k + Bin(n − k, (w − p)/(1 − p))`. If `k ~ Bin(n, p)` then `k' ~ Bin(n, w)`
//! exactly; where entries are not independent (one user's entries alike under re-entry),
//! the extra spread of `k` carries into `k'`, which is what the formula misses.
//!
//! Invariants: nothing here reads the clock or a global random source; replicate `r` runs
//! with seed `seed + r`, so the same inputs give the same plan for any thread count.

use serde::Serialize;

use super::explore::{entries_per_arm, normal_quantile, power_at, smallest_detectable};
use super::intervals::{Interval, wilson};
use super::report::Report;
use super::rng::Stream;
use super::{RunOptions, SimError, simulate};
use crate::model::{Journey, NodeId, NodeKind};

/// Which test is planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestKind {
    /// The journey control group against the journey's target entries.
    Control,
    /// A manual random split: its first path is the baseline, its second the tested arm.
    Split(NodeId),
    /// A channel node's content variants: the first variant is the baseline, the second
    /// the tested arm. Their units are messages sent, and a conversion is one credited
    /// to the variant by last touch.
    Variants(NodeId),
}

/// The minimum detectable effect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Effect {
    /// Relative to the baseline (0.2 = +20%).
    Relative(f64),
    /// Absolute, as a share (0.02 = +2 points).
    Absolute(f64),
}

impl Effect {
    /// The tested arm's conversion rate for `baseline`.
    #[must_use]
    pub fn target_rate(self, baseline: f64) -> f64 {
        match self {
            Self::Relative(r) => baseline * (1.0 + r),
            Self::Absolute(a) => baseline + a,
        }
    }

    /// Parses `20%` (relative) or `2pt` (absolute points).
    ///
    /// # Errors
    /// A message naming the accepted forms.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let bad = || format!("--mde {s}: give a relative effect like 20% or an absolute one like 2pt");
        if let Some(n) = t.strip_suffix('%') {
            let v: f64 = n.trim().parse().map_err(|_| bad())?;
            if !(v.is_finite() && v != 0.0 && v > -100.0) {
                return Err(bad());
            }
            Ok(Self::Relative(v / 100.0))
        } else if let Some(n) = t.strip_suffix("pt") {
            let v: f64 = n.trim().parse().map_err(|_| bad())?;
            if !(v.is_finite() && v != 0.0 && v.abs() < 100.0) {
                return Err(bad());
            }
            Ok(Self::Absolute(v / 100.0))
        } else {
            Err(bad())
        }
    }
}

/// What the planner is asked.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInputs {
    /// The test.
    pub test: TestKind,
    /// The baseline arm's conversion rate; `None` takes the forecast's.
    pub baseline_rate: Option<f64>,
    /// The minimum detectable effect.
    pub mde: Effect,
    /// Two-sided significance level.
    pub alpha: f64,
    /// Power wanted.
    pub power: f64,
    /// The test's duration in days (for the smallest detectable effect and the simulation).
    pub test_days: Option<u32>,
    /// Replicates of the simulated power; `None` runs none.
    pub simulate: Option<u32>,
}

/// One arm of the test.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArmPlan {
    /// The arm's name ("Control", "Journey", or the path's name).
    pub name: String,
    /// Its share of the test's entries.
    pub share: f64,
    /// Entries it needs at that share.
    pub entries_needed: u64,
    /// Its conversion rate in the forecast.
    pub forecast_rate: Option<f64>,
}

/// The simulated power.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulatedPower {
    /// Replicates run.
    pub replicates: u32,
    /// Days each replicate ran.
    pub days: u32,
    /// Replicates in which the difference was significant.
    pub significant: u32,
    /// significant / replicates.
    pub power: f64,
    /// Its 95% Wilson interval.
    pub interval: Option<Interval>,
    /// The formula's power for the mean entries per arm the replicates saw, at the
    /// planned effect.
    pub formula_power: f64,
    /// The mean entries per replicate in the baseline and the tested arm.
    pub mean_entries: [f64; 2],
    /// The mean difference in conversion rate (tested − baseline) the replicates saw
    /// before the planned effect was applied: the journey's own effect.
    pub mean_effect: f64,
    /// Each arm's natural conversion rate in the journey, pooled over the replicates
    /// (baseline arm, tested arm); `None` for an arm with no entries.
    pub natural_rates: [Option<f64>; 2],
    /// The rates the arms were moved to: the baseline, and the baseline with the planned effect.
    pub applied_rates: [f64; 2],
}

/// The planner's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The test, in words ("control group", "split n3").
    pub test: String,
    /// The baseline conversion rate used.
    pub baseline_rate: f64,
    /// Whether it came from the forecast (else it was given).
    pub baseline_from_forecast: bool,
    /// The tested arm's rate at the minimum detectable effect.
    pub target_rate: f64,
    /// Significance level.
    pub alpha: f64,
    /// Power wanted.
    pub power: f64,
    /// Entries per arm with equal allocation (rounded up).
    pub per_arm_equal: u64,
    /// The arms at their actual shares; the first is the baseline, the second the tested arm.
    pub arms: Vec<ArmPlan>,
    /// Entries the test needs in all at the actual shares.
    pub total_needed: u64,
    /// The forecast's entries into the test per day.
    pub entries_per_day: f64,
    /// Days to reach `total_needed` at that rate (`None` when nothing enters).
    pub days_needed: Option<f64>,
    /// The test's duration asked about.
    pub test_days: Option<u32>,
    /// The smallest absolute lift detectable within `test_days`.
    pub detectable_within: Option<f64>,
    /// Power against the test's duration at the planned effect: (days, power).
    pub power_by_days: Vec<(f64, f64)>,
    /// Power against the absolute effect at the planned duration: (effect, power).
    pub power_by_effect: Vec<(f64, f64)>,
    /// The simulated power, when asked for.
    pub simulated: Option<SimulatedPower>,
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// Inputs that do not make a test.
    #[error("{0}")]
    Input(String),
    /// A run failed or was cancelled.
    #[error(transparent)]
    Sim(#[from] SimError),
}

/// The arms of a test: (name, configured share), baseline first, tested second.
fn arms(j: &Journey, test: TestKind) -> Result<Vec<(String, f64)>, PlanError> {
    match test {
        TestKind::Control => {
            let Some(c) = j.setup.control.journey_percent.filter(|c| *c > 0) else {
                return Err(PlanError::Input(
                    "this journey has no control group: set setup.control.journey_percent, or plan a split test with --test NODE"
                        .to_owned(),
                ));
            };
            let c = f64::from(c) / 100.0;
            Ok(vec![("Control".to_owned(), c), ("Journey".to_owned(), 1.0 - c)])
        }
        TestKind::Split(id) => {
            let node = j.graph.nodes.get(&id).ok_or_else(|| {
                PlanError::Input(format!("--test {id}: no such node; give a random split's id or 'control'"))
            })?;
            let NodeKind::RandomSplit { paths, .. } = &node.kind else {
                return Err(PlanError::Input(format!(
                    "--test {id}: that node is not a random split; give a random split's id or 'control'"
                )));
            };
            if paths.len() < 2 {
                return Err(PlanError::Input(format!("--test {id}: a split test needs two paths")));
            }
            Ok(paths.iter().map(|p| (p.name.clone(), f64::from(p.percent) / 100.0)).collect())
        }
        TestKind::Variants(id) => {
            let node = j.graph.nodes.get(&id).ok_or_else(|| {
                PlanError::Input(format!("--test {id}: no such node; give a channel node with content variants"))
            })?;
            let variants = node.kind.variants();
            if variants.len() < 2 {
                return Err(PlanError::Input(format!(
                    "--test {id}: that node has no content variants; add at least two to plan a variant test"
                )));
            }
            Ok(variants.iter().map(|v| (v.name.clone(), f64::from(v.percent) / 100.0)).collect())
        }
    }
}

/// The test a node id names: its content variants for a channel node that has them, else
/// a random split (whose own checks give the message for any other node).
#[must_use]
pub fn test_for_node(j: &Journey, id: NodeId) -> TestKind {
    match j.graph.nodes.get(&id) {
        Some(n) if !n.kind.variants().is_empty() => TestKind::Variants(id),
        _ => TestKind::Split(id),
    }
}

/// (entries, conversions) per arm in one report, baseline first, tested second.
fn arm_counts(r: &Report, test: TestKind) -> Vec<(u64, u64)> {
    match test {
        TestKind::Control => vec![
            (r.conversion.control.entries, r.conversion.control.conversions),
            (r.conversion.target.entries, r.conversion.target.conversions),
        ],
        TestKind::Split(id) => r
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.paths.iter().map(|p| (p.users, p.conversions)).collect())
            .unwrap_or_default(),
        TestKind::Variants(id) => r
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.variants.iter().map(|v| (v.sent, v.conversions)).collect())
            .unwrap_or_default(),
    }
}

/// Entries into the test in one report (the journey's entries, or the split's users).
fn test_entries(r: &Report, test: TestKind) -> u64 {
    match test {
        TestKind::Control => r.conversion.control.entries + r.conversion.target.entries,
        TestKind::Split(id) => r.nodes.iter().find(|n| n.id == id).map_or(0, |n| n.paths.iter().map(|p| p.users).sum()),
        TestKind::Variants(id) => {
            r.nodes.iter().find(|n| n.id == id).map_or(0, |n| n.variants.iter().map(|v| v.sent).sum())
        }
    }
}

#[allow(clippy::cast_precision_loss)]
fn rate(k: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

/// Whether the two-proportion z-test (pooled) finds a difference at `alpha`.
#[allow(clippy::cast_precision_loss)]
fn significant(base: (u64, u64), tested: (u64, u64), alpha: f64) -> bool {
    let (n1, k1, n2, k2) = (base.0 as f64, base.1 as f64, tested.0 as f64, tested.1 as f64);
    if n1 <= 0.0 || n2 <= 0.0 {
        return false;
    }
    let pbar = (k1 + k2) / (n1 + n2);
    let se = (pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se <= 0.0 {
        return false;
    }
    ((k2 / n2 - k1 / n1) / se).abs() > normal_quantile(1.0 - alpha / 2.0)
}

/// Moves an arm's `k` conversions of `n` entries from its natural rate `natural` to
/// `wanted` with binomial thinning or boosting (see the module notes).
fn apply_rate(n: u64, k: u64, natural: f64, wanted: f64, st: &mut Stream) -> u64 {
    let k = k.min(n);
    if wanted <= natural {
        if natural <= 0.0 { 0 } else { st.binomial(k, wanted / natural) }
    } else if natural >= 1.0 {
        k
    } else {
        k + st.binomial(n - k, (wanted - natural) / (1.0 - natural))
    }
}

/// The simulated power from each replicate's (entries, conversions) in the baseline and
/// the tested arm, moved to `wanted` = [baseline, baseline with the effect]. Replicate `i`
/// ran with seed `seed + i`; its draws are keyed by that seed.
#[allow(clippy::cast_precision_loss)]
fn simulated_power(runs: &[[(u64, u64); 2]], seed: u64, days: u32, wanted: [f64; 2], alpha: f64) -> SimulatedPower {
    let total = |a: usize| runs.iter().fold((0u64, 0u64), |(n, k), r| (n + r[a].0, k + r[a].1));
    let natural = [total(0), total(1)].map(|(n, k)| rate(k, n));
    let mut hits = 0u32;
    let (mut sum_n, mut sum_effect) = ([0.0f64; 2], 0.0f64);
    for (i, arms) in (0u64..).zip(runs) {
        let mut st = Stream::planner(seed.wrapping_add(i));
        let moved: Vec<(u64, u64)> = (0..2)
            .map(|a| {
                let (n, k) = arms[a];
                (n, apply_rate(n, k, natural[a].unwrap_or(0.0), wanted[a], &mut st))
            })
            .collect();
        if significant(moved[0], moved[1], alpha) {
            hits += 1;
        }
        sum_n[0] += arms[0].0 as f64;
        sum_n[1] += arms[1].0 as f64;
        sum_effect += rate(arms[1].1, arms[1].0).unwrap_or(0.0) - rate(arms[0].1, arms[0].0).unwrap_or(0.0);
    }
    let r = runs.len().max(1) as f64;
    let replicates = u32::try_from(runs.len()).unwrap_or(u32::MAX);
    let mean_entries = [sum_n[0] / r, sum_n[1] / r];
    SimulatedPower {
        replicates,
        days,
        significant: hits,
        power: f64::from(hits) / r,
        interval: wilson(u64::from(hits), u64::from(replicates)),
        formula_power: power_at(wanted[0], wanted[1], mean_entries[0], mean_entries[1], alpha),
        mean_entries,
        mean_effect: sum_effect / r,
        natural_rates: natural,
        applied_rates: wanted,
    }
}

/// Plans the test. `progress` gets the share done (the forecast, then the replicates);
/// returning `false` cancels.
///
/// # Errors
/// [`PlanError::Input`] for inputs that make no test (no control group, not a split, a
/// rate outside (0, 1), no baseline in the forecast); a failed or cancelled run.
#[allow(clippy::too_many_lines, clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn plan(
    j: &Journey,
    inputs: &PlanInputs,
    opts: &RunOptions,
    progress: &dyn Fn(f64) -> bool,
) -> Result<Plan, PlanError> {
    if !(inputs.alpha > 0.0 && inputs.alpha < 0.5) {
        return Err(PlanError::Input(format!("--alpha {}: it must be above 0 and below 0.5", inputs.alpha)));
    }
    if !(inputs.power >= 0.5 && inputs.power < 1.0) {
        return Err(PlanError::Input(format!("--power {}: it must be at least 0.5 and below 1", inputs.power)));
    }
    if let Some(r) = inputs.simulate
        && !(1..=10_000).contains(&r)
    {
        return Err(PlanError::Input(format!("--simulate {r}: give 1 to 10000 replicates")));
    }
    if inputs.test_days == Some(0) {
        return Err(PlanError::Input("--test-days 0: a test runs at least one day".to_owned()));
    }
    let arm_list = arms(j, inputs.test)?;
    let sim_share = if inputs.simulate.is_some() { 0.2 } else { 1.0 };
    let forecast = simulate(j, opts, &|s| progress(s * sim_share))?;
    let reps = f64::from(forecast.run.replicates.max(1));
    let counts = arm_counts(&forecast, inputs.test);
    let forecast_rates: Vec<Option<f64>> = counts.iter().map(|(n, k)| rate(*k, *n)).collect();
    let (baseline_rate, from_forecast) = match inputs.baseline_rate {
        Some(b) => (b, false),
        None => match forecast_rates.first().copied().flatten() {
            Some(b) => (b, true),
            None => {
                return Err(PlanError::Input(
                    "the forecast has no entries in the baseline arm to take its conversion from: give --baseline-rate"
                        .to_owned(),
                ));
            }
        },
    };
    if !(baseline_rate > 0.0 && baseline_rate < 1.0) {
        return Err(PlanError::Input(format!(
            "baseline conversion {:.2}% is not between 0 and 100%: give --baseline-rate{}",
            baseline_rate * 100.0,
            if from_forecast { " (the forecast's is at an edge)" } else { "" }
        )));
    }
    let target_rate = inputs.mde.target_rate(baseline_rate);
    if !(target_rate > 0.0 && target_rate < 1.0) {
        return Err(PlanError::Input(format!(
            "the effect takes the conversion from {:.2}% to {:.2}%, outside 0–100%",
            baseline_rate * 100.0,
            target_rate * 100.0
        )));
    }
    let equal = entries_per_arm(baseline_rate, target_rate, inputs.alpha, inputs.power, 1.0)
        .ok_or_else(|| PlanError::Input("the effect is zero".to_owned()))?;
    let (base_share, tested_share) = (arm_list[0].1, arm_list[1].1);
    if base_share <= 0.0 || tested_share <= 0.0 {
        return Err(PlanError::Input("both arms need a share above 0%".to_owned()));
    }
    let ratio = tested_share / base_share;
    let base_needed = entries_per_arm(baseline_rate, target_rate, inputs.alpha, inputs.power, ratio)
        .ok_or_else(|| PlanError::Input("the effect is zero".to_owned()))?
        .ceil();
    let total_needed = (base_needed / base_share).ceil();
    let arms_out: Vec<ArmPlan> = arm_list
        .iter()
        .enumerate()
        .map(|(i, (name, share))| ArmPlan {
            name: name.clone(),
            share: *share,
            entries_needed: (total_needed * share).ceil() as u64,
            forecast_rate: forecast_rates.get(i).copied().flatten(),
        })
        .collect();
    let horizon = f64::from(forecast.run.horizon_days.max(1));
    let entries_per_day = test_entries(&forecast, inputs.test) as f64 / reps / horizon;
    let days_needed = (entries_per_day > 0.0).then(|| total_needed / entries_per_day);
    let arms_at = |days: f64| (entries_per_day * days * base_share, entries_per_day * days * tested_share);
    let detectable_within = inputs.test_days.and_then(|d| {
        let (n1, n2) = arms_at(f64::from(d));
        smallest_detectable(baseline_rate, n1, n2, inputs.alpha, inputs.power)
    });
    let span = inputs.test_days.map(f64::from).or(days_needed).unwrap_or(horizon).max(1.0);
    let power_by_days = (0..=40)
        .map(|i| {
            let d = 2.0 * span * f64::from(i) / 40.0;
            let (n1, n2) = arms_at(d);
            (d, power_at(baseline_rate, target_rate, n1, n2, inputs.alpha))
        })
        .collect();
    let (n1, n2) = arms_at(span);
    let lift = target_rate - baseline_rate;
    let power_by_effect = (0..=40)
        .map(|i| {
            let e = 2.0 * lift * f64::from(i) / 40.0;
            let p2 = (baseline_rate + e).clamp(1e-9, 1.0 - 1e-9);
            (e, power_at(baseline_rate, p2, n1, n2, inputs.alpha))
        })
        .collect();
    let simulated = match inputs.simulate {
        None => None,
        Some(r) => {
            let days = match (inputs.test_days, days_needed) {
                (Some(d), _) => d,
                (None, Some(d)) if d.is_finite() && d <= 3650.0 => (d.ceil() as u32).max(1),
                _ => {
                    return Err(PlanError::Input(
                        "the test would take more than ten years at the forecast's entries per day: give --test-days"
                            .to_owned(),
                    ));
                }
            };
            let seed = forecast.run.seed;
            let mut runs: Vec<[(u64, u64); 2]> = Vec::with_capacity(r as usize);
            for i in 0..r {
                let o = RunOptions {
                    seed: Some(seed.wrapping_add(u64::from(i))),
                    horizon_days: Some(days),
                    replicates: Some(1),
                    trajectory_sample: 0,
                    ..opts.clone()
                };
                let at = |s: f64| progress(sim_share + (1.0 - sim_share) * (f64::from(i) + s) / f64::from(r));
                let rep = simulate(j, &o, &at)?;
                let c = arm_counts(&rep, inputs.test);
                runs.push([c.first().copied().unwrap_or((0, 0)), c.get(1).copied().unwrap_or((0, 0))]);
            }
            Some(simulated_power(&runs, seed, days, [baseline_rate, target_rate], inputs.alpha))
        }
    };
    let test = match inputs.test {
        TestKind::Control => "control group".to_owned(),
        TestKind::Split(id) => format!("split {id}"),
        TestKind::Variants(id) => format!("content variants {id}"),
    };
    Ok(Plan {
        test,
        baseline_rate,
        baseline_from_forecast: from_forecast,
        target_rate,
        alpha: inputs.alpha,
        power: inputs.power,
        per_arm_equal: equal.ceil() as u64,
        arms: arms_out,
        total_needed: total_needed as u64,
        entries_per_day,
        days_needed,
        test_days: inputs.test_days,
        detectable_within,
        power_by_days,
        power_by_effect,
        simulated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_parse_as_relative_or_absolute() {
        assert_eq!(Effect::parse("20%"), Ok(Effect::Relative(0.2)));
        assert_eq!(Effect::parse("2pt"), Ok(Effect::Absolute(0.02)));
        assert!(Effect::parse("20").is_err());
        assert!(Effect::parse("0%").is_err());
        assert!(Effect::parse("abc%").is_err());
        assert!((Effect::Relative(0.2).target_rate(0.1) - 0.12).abs() < 1e-12);
        assert!((Effect::Absolute(0.02).target_rate(0.1) - 0.12).abs() < 1e-12);
    }

    #[test]
    fn significance_follows_the_pooled_z_test() {
        // 10% vs 12% on 3,841 each: z ≈ 2.77, significant at 0.05.
        assert!(significant((3841, 384), (3841, 461), 0.05));
        assert!(!significant((3841, 384), (3841, 390), 0.05));
        assert!(!significant((0, 0), (10, 1), 0.05));
    }

    #[test]
    fn thinning_and_boosting_reach_the_wanted_rate() {
        let mut draw = Stream::from_parts(&[1]);
        let mut st = Stream::from_parts(&[2]);
        for (natural, wanted) in [(0.3, 0.1), (0.1, 0.3), (0.2, 0.2), (0.0, 0.05), (1.0, 0.5)] {
            let (n, reps) = (1_000u64, 2_000u32);
            let (mut sum, mut sum_sq) = (0.0, 0.0);
            for _ in 0..reps {
                let k = draw.binomial(n, natural);
                let moved = apply_rate(n, k, natural, wanted, &mut st) as f64;
                sum += moved;
                sum_sq += moved * moved;
            }
            let mean = sum / f64::from(reps);
            let var = sum_sq / f64::from(reps) - mean * mean;
            let (m, v) = (n as f64 * wanted, n as f64 * wanted * (1.0 - wanted));
            // Bin(n, wanted): the mean within 4 standard errors, the variance within 15%.
            assert!((mean - m).abs() < 4.0 * (v / f64::from(reps)).sqrt(), "{natural}→{wanted}: mean {mean} vs {m}");
            assert!((var - v).abs() < 0.15 * v, "{natural}→{wanted}: variance {var} vs {v}");
        }
    }

    #[test]
    fn the_planned_effect_is_applied_even_where_the_journey_has_none() {
        // Both arms convert at 25% naturally; the plan asks 10% against 12%, 3,841 each.
        let mut st = Stream::from_parts(&[3]);
        let runs: Vec<[(u64, u64); 2]> =
            (0..1_000).map(|_| [(3_841, st.binomial(3_841, 0.25)), (3_841, st.binomial(3_841, 0.25))]).collect();
        let sim = simulated_power(&runs, 7, 10, [0.1, 0.12], 0.05);
        let iv = sim.interval.unwrap();
        assert!(iv.contains(0.80), "power {} [{}, {}]", sim.power, iv.lo, iv.hi);
        assert!((sim.formula_power - 0.8).abs() < 0.001, "{}", sim.formula_power);
        assert!(sim.mean_effect.abs() < 0.002, "{}", sim.mean_effect);
        assert_eq!(sim.applied_rates, [0.1, 0.12]);
        let natural = sim.natural_rates.map(Option::unwrap);
        assert!(natural.iter().all(|p| (p - 0.25).abs() < 0.002), "{natural:?}");
        // The same runs and seed give the same answer.
        assert_eq!(simulated_power(&runs, 7, 10, [0.1, 0.12], 0.05), sim);
    }
}
