//! Planning and sensitivity (SPEC §7): the sensitivity sweep, the tornado and the
//! experiment planner's sample sizes.
//!
//! Invariants: every run of a sweep or a tornado uses the same seed and replicates
//! (common random numbers), so a step differs from the next only by the setting; steps run
//! one after the other, each on the options' threads, so the output never depends on the
//! thread count; an input no node reads gives exactly the same figures at low and high
//! (each event and node has its own keyed stream), so its swing is exactly 0.

use serde::Serialize;

use super::intervals::Z95;
use super::report::{MeanSd, Report};
use super::{RunOptions, SimError, simulate};
use crate::model::Journey;
use crate::model::setting::{SettingError, SettingPath};

/// A figure a sweep or a tornado reads from each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// Entries into the journey.
    Entered,
    /// Target entries (not in a control group).
    TargetEntries,
    /// Entries that met a goal.
    GoalMet,
    /// Target conversion rate.
    ConversionTarget,
    /// Gross target revenue.
    RevenueTarget,
    /// Messages sent.
    Sent,
    /// Incremental conversions over the journey control group.
    IncrementalConversions,
    /// Incremental revenue over the journey control group.
    IncrementalRevenue,
    /// Net incremental return: incremental revenue minus the journey's cost.
    NetReturn,
    /// Boost of the target conversion over the control group's, in percent.
    Boost,
    /// What the messages cost (per replicate).
    Cost,
}

impl Output {
    /// Every output, in the order tables show them.
    pub const ALL: [Self; 11] = [
        Self::Entered,
        Self::TargetEntries,
        Self::GoalMet,
        Self::ConversionTarget,
        Self::RevenueTarget,
        Self::Sent,
        Self::IncrementalConversions,
        Self::IncrementalRevenue,
        Self::NetReturn,
        Self::Boost,
        Self::Cost,
    ];

    /// The name used on the command line and in JSON and CSV.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Entered => "entered",
            Self::TargetEntries => "target_entries",
            Self::GoalMet => "goal_met",
            Self::ConversionTarget => "conversion_target",
            Self::RevenueTarget => "revenue_target",
            Self::Sent => "sent",
            Self::IncrementalConversions => "incremental_conversions",
            Self::IncrementalRevenue => "incremental_revenue",
            Self::NetReturn => "net_return",
            Self::Boost => "boost_percent",
            Self::Cost => "cost",
        }
    }

    /// Parses a key.
    #[must_use]
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.key() == s)
    }

    /// The figure with its 95% band from one run: the mean over replicates ± z·sd/√R, or
    /// with one replicate the report's own interval where it has one.
    #[must_use]
    pub fn read(self, r: &Report) -> Band {
        let reps = f64::from(r.run.replicates.max(1));
        let spread = |m: &MeanSd| Band {
            value: m.mean,
            low: m.mean - Z95 * m.sd / reps.sqrt(),
            high: m.mean + Z95 * m.sd / reps.sqrt(),
        };
        #[allow(clippy::cast_precision_loss)]
        let exact = |x: u64| Band { value: x as f64, low: x as f64, high: x as f64 };
        let s = r.spread.as_ref();
        match self {
            Self::Entered => s.map_or_else(|| exact(r.journey.entered), |s| spread(&s.entered)),
            Self::TargetEntries => s.map_or_else(|| exact(r.journey.target), |s| spread(&s.target_entries)),
            Self::GoalMet => s.map_or_else(|| exact(r.journey.goal_met), |s| spread(&s.goal_met)),
            Self::ConversionTarget => s.map_or_else(
                || {
                    let t = &r.conversion.target;
                    let v = t.rate.unwrap_or(0.0);
                    t.interval.map_or(Band { value: v, low: v, high: v }, |i| Band { value: v, low: i.lo, high: i.hi })
                },
                |s| spread(&s.conversion_target),
            ),
            Self::RevenueTarget => s.map_or_else(
                || Band { value: r.revenue.target, low: r.revenue.target, high: r.revenue.target },
                |s| spread(&s.revenue_target),
            ),
            Self::Sent => s.map_or_else(
                || {
                    let sent: u64 = r.channels.iter().map(|c| c.sent).sum();
                    exact(sent)
                },
                |s| spread(&s.sent),
            ),
            Self::IncrementalConversions => estimate(&r.incremental.conversions),
            Self::IncrementalRevenue => estimate(&r.incremental.revenue),
            Self::NetReturn => estimate(&r.incremental.net_return),
            Self::Boost => r.conversion.boost.as_ref().map_or(Band { value: 0.0, low: 0.0, high: 0.0 }, |b| Band {
                value: b.percent,
                low: b.interval.lo,
                high: b.interval.hi,
            }),
            Self::Cost => {
                let c = r.total_cost / reps;
                Band { value: c, low: c, high: c }
            }
        }
    }
}

fn estimate(e: &super::report::Estimate) -> Band {
    let v = e.value.unwrap_or(0.0);
    Band { value: v, low: e.low.unwrap_or(v), high: e.high.unwrap_or(v) }
}

/// A value with its 95% band.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Band {
    /// The figure.
    pub value: f64,
    /// Lower end of the 95% band.
    pub low: f64,
    /// Upper end of the 95% band.
    pub high: f64,
}

/// Why an exploration did not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExploreError {
    /// A bad path or value.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// A run failed or was cancelled.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// Bad sweep bounds.
    #[error("{0}")]
    Bounds(String),
}

/// One step of a sweep: the setting's value and every output with its band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepStep {
    /// The value the setting was set to.
    pub value: f64,
    /// Every output, in [`Output::ALL`] order.
    pub outputs: Vec<(Output, Band)>,
}

/// A sensitivity sweep's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    /// The setting swept.
    pub setting: String,
    /// Its value in the journey.
    pub current: f64,
    /// The steps, in value order.
    pub steps: Vec<SweepStep>,
}

/// The values of a sweep from `from` to `to` in `steps` steps (rounded for whole-number
/// settings, repeats dropped).
///
/// # Errors
/// [`ExploreError::Bounds`] for fewer than 2 steps, more than 50, or a non-finite bound.
pub fn sweep_values(path: &SettingPath, from: f64, to: f64, steps: u32) -> Result<Vec<f64>, ExploreError> {
    if !(2..=50).contains(&steps) {
        return Err(ExploreError::Bounds(format!("--steps {steps}: a sweep takes 2 to 50 steps")));
    }
    if !from.is_finite() || !to.is_finite() {
        return Err(ExploreError::Bounds("the range must be two numbers".to_owned()));
    }
    let mut out: Vec<f64> = Vec::new();
    for i in 0..steps {
        let t = f64::from(i) / f64::from(steps - 1);
        let mut v = from + (to - from) * t;
        if path.whole() {
            v = v.round();
        }
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// Runs the journey once per value of `path`, with the same seed and replicates.
/// `progress` gets the share done over the whole sweep.
///
/// # Errors
/// A bad value ([`SettingError::OutOfRange`]) before anything runs; a failed or cancelled run.
pub fn sweep(
    j: &Journey,
    path: &SettingPath,
    values: &[f64],
    opts: &RunOptions,
    progress: &dyn Fn(f64) -> bool,
) -> Result<Sweep, ExploreError> {
    // Every value is checked before the first run.
    let journeys = values
        .iter()
        .map(|v| {
            let mut k = j.clone();
            path.set(&mut k, *v).map(|()| k)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n = journeys.len();
    let mut steps = Vec::with_capacity(n);
    for (i, (k, v)) in journeys.iter().zip(values).enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let part = |share: f64| progress((i as f64 + share) / n as f64);
        let r = simulate(k, opts, &part)?;
        steps.push(SweepStep { value: *v, outputs: Output::ALL.iter().map(|o| (*o, o.read(&r))).collect() });
    }
    Ok(Sweep { setting: path.to_string(), current: path.get(j).unwrap_or(f64::NAN), steps })
}

/// One bar of a tornado: an input set low and high, and the output at each.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TornadoBar {
    /// The input's path.
    pub setting: String,
    /// Its value in the journey.
    pub current: f64,
    /// The low value tried.
    pub low_value: f64,
    /// The high value tried.
    pub high_value: f64,
    /// The output with the input low.
    pub at_low: f64,
    /// The output with the input high.
    pub at_high: f64,
    /// |at_high − at_low|.
    pub swing: f64,
}

/// A tornado: the output at the journey's own values, and every input's bar, largest
/// swing first (ties in path order).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tornado {
    /// The output read.
    pub output: Output,
    /// How far each input was moved, as a share of its value (0.25 = ±25%).
    pub spread: f64,
    /// The output at the journey's own values.
    pub base: f64,
    /// The bars, ranked.
    pub bars: Vec<TornadoBar>,
}

/// Sets every input low and high (± `spread` of its value, kept in its range) and ranks
/// the inputs by the swing they cause in `output`.
///
/// # Errors
/// [`ExploreError::Bounds`] for a spread outside (0, 1]; a failed or cancelled run.
pub fn tornado(
    j: &Journey,
    inputs: &[SettingPath],
    output: Output,
    spread: f64,
    opts: &RunOptions,
    progress: &dyn Fn(f64) -> bool,
) -> Result<Tornado, ExploreError> {
    if !(spread > 0.0 && spread <= 1.0) {
        return Err(ExploreError::Bounds(format!("--spread {spread}: it must be above 0 and at most 1 (100%)")));
    }
    let total = 1 + 2 * inputs.len();
    #[allow(clippy::cast_precision_loss)]
    let at = |k: usize| move |share: f64| (k as f64 + share) / total as f64;
    let base_report = simulate(j, opts, &|s| progress(at(0)(s)))?;
    let base = output.read(&base_report).value;
    let mut bars = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        let current = p.get(j).unwrap_or(0.0);
        let (lo, hi, _) = p.range();
        let mut low_value = (current * (1.0 - spread)).clamp(lo, hi);
        let mut high_value = (current * (1.0 + spread)).clamp(lo, hi);
        if p.whole() {
            low_value = low_value.round();
            high_value = high_value.round();
        }
        let run = |v: f64, k: usize| -> Result<f64, ExploreError> {
            let mut m = j.clone();
            p.set(&mut m, v)?;
            let r = simulate(&m, opts, &|s| progress(at(k)(s)))?;
            Ok(output.read(&r).value)
        };
        let at_low = run(low_value, 1 + 2 * i)?;
        let at_high = run(high_value, 2 + 2 * i)?;
        bars.push(TornadoBar {
            setting: p.to_string(),
            current,
            low_value,
            high_value,
            at_low,
            at_high,
            swing: (at_high - at_low).abs(),
        });
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(Tornado { output, spread, base, bars })
}

/// The one-sided normal quantile for `p` in (0, 1) (Acklam's rational approximation,
/// refined by one Halley step; about 1e-15 relative).
#[must_use]
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let x = if p < 0.024_25 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - 0.024_25 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on Φ(x) − p.
    let e = 0.5 * erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The standard normal distribution function Φ(x).
#[must_use]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function (W. J. Cody's rational approximations, via the
/// Numerical Recipes `erfcc` form, about 1.2e-7 relative; refined enough for planning).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Entries needed in arm 1 to detect p1 → p2 with a two-sided test at `alpha` with
/// `power`, when arm 2 gets `ratio` times as many entries (two-proportion z test, pooled
/// variance under the null: Fleiss' formula without continuity correction). Arm 2 needs
/// `ratio ×` that. `None` when p1 = p2 or a rate is outside (0, 1).
#[must_use]
pub fn entries_per_arm(p1: f64, p2: f64, alpha: f64, power: f64, ratio: f64) -> Option<f64> {
    if !(p1 > 0.0 && p1 < 1.0 && p2 > 0.0 && p2 < 1.0) || (p1 - p2).abs() < 1e-15 || ratio <= 0.0 {
        return None;
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let pbar = (p1 + ratio * p2) / (1.0 + ratio);
    let a = za * (pbar * (1.0 - pbar) * (1.0 + 1.0 / ratio)).sqrt();
    let b = zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2) / ratio).sqrt();
    Some((a + b).powi(2) / (p1 - p2).powi(2))
}

/// The power of the two-sided test of p1 against p2 with `n1` and `n2` entries.
#[must_use]
pub fn power_at(p1: f64, p2: f64, n1: f64, n2: f64, alpha: f64) -> f64 {
    if n1 <= 0.0 || n2 <= 0.0 {
        return 0.0;
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let pbar = (p1 * n1 + p2 * n2) / (n1 + n2);
    let se0 = (pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let se1 = (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
    if se1 <= 0.0 {
        return 1.0;
    }
    normal_cdf(((p2 - p1).abs() - za * se0) / se1)
}

/// The smallest absolute lift p2 − p1 > 0 detectable with `n1` and `n2` entries (by
/// bisection on [`power_at`]); `None` when even p2 → 1 is not detectable.
#[must_use]
pub fn smallest_detectable(p1: f64, n1: f64, n2: f64, alpha: f64, power: f64) -> Option<f64> {
    let top = 1.0 - 1e-9;
    if power_at(p1, top, n1, n2, alpha) < power {
        return None;
    }
    let (mut lo, mut hi) = (p1, top);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if power_at(p1, mid, n1, n2, alpha) >= power {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi - p1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_gives_the_textbook_sample_size() {
        // 10% → 12% (a 20% relative lift), α = 0.05, power 0.8: 3,841 per arm.
        let n = entries_per_arm(0.10, 0.12, 0.05, 0.80, 1.0).unwrap();
        assert_eq!(n.ceil(), 3841.0, "{n}");
        assert!((normal_quantile(0.975) - Z95).abs() < 1e-6);
        assert!((normal_quantile(0.8) - 0.841_621_233_572_914).abs() < 1e-6);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-7);
        // Unequal arms need more in total.
        let k = entries_per_arm(0.10, 0.12, 0.05, 0.80, 9.0).unwrap();
        assert!(k * 10.0 > 2.0 * n);
        // The power at the planned size is 0.8, and the detectable lift there is 2 pt.
        assert!((power_at(0.10, 0.12, n, n, 0.05) - 0.8).abs() < 0.002);
        let d = smallest_detectable(0.10, n, n, 0.05, 0.8).unwrap();
        assert!((d - 0.02).abs() < 2e-4, "{d}");
        assert!(entries_per_arm(0.1, 0.1, 0.05, 0.8, 1.0).is_none());
    }
}
