//! 95% intervals for the report (SPEC §2.2): Wilson score interval for a proportion,
//! Newcombe's hybrid score interval (his method 10) for a difference of two
//! proportions, and a delta-method interval for the boost ratio.
//!
//! Invariants: pure functions of counts; never NaN or infinite out (a case with no
//! answer is `None`); every interval has `lo <= hi`; proportion intervals lie in [0, 1].

use serde::Serialize;

/// The two-sided 95% normal quantile z(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;

/// A closed interval [lo, hi].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl Interval {
    /// Whether `x` lies in the interval (bounds included).
    #[must_use]
    pub fn contains(self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// Counts as floats (exact below 2^53, which every count here is).
#[allow(clippy::cast_precision_loss)]
fn f(x: u64) -> f64 {
    x as f64
}

/// Wilson score 95% interval for k successes out of n. `None` when n = 0; k above n is
/// clamped to n.
#[must_use]
pub fn wilson(k: u64, n: u64) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let k = k.min(n);
    let (kf, nf) = (f(k), f(n));
    let p = kf / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // Exact bounds at the edges (the formula gives them up to rounding).
    let lo = if k == 0 { 0.0 } else { (centre - half).clamp(0.0, 1.0) };
    let hi = if k == n { 1.0 } else { (centre + half).clamp(0.0, 1.0) };
    Some(Interval { lo, hi })
}

/// The sample variance of `n` values from their sum and sum of squares (0 below 2 values;
/// never negative, whatever the rounding).
#[must_use]
pub fn sample_variance(n: u64, sum: f64, sum_sq: f64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let nf = f(n);
    ((sum_sq - sum * sum / nf) / (nf - 1.0)).max(0.0)
}

/// The difference of two means, mean₁ − mean₂, with Welch's 95% interval (normal
/// approximation), from each group's count, sum and sum of squares. `None` when either
/// group is empty.
#[must_use]
pub fn welch(n1: u64, sum1: f64, sq1: f64, n2: u64, sum2: f64, sq2: f64) -> Option<(f64, Interval)> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let d = sum1 / f(n1) - sum2 / f(n2);
    let se = (sample_variance(n1, sum1, sq1) / f(n1) + sample_variance(n2, sum2, sq2) / f(n2)).sqrt();
    Some((d, Interval { lo: d - Z95 * se, hi: d + Z95 * se }))
}

/// The 95% interval of a total Σx over `n` independent values, from their sum and sum of
/// squares: `Σx ± z·√(n·s²)`. Zero width when every value is the same.
#[must_use]
pub fn total(n: u64, sum: f64, sum_sq: f64) -> Interval {
    let half = Z95 * (f(n) * sample_variance(n, sum, sum_sq)).sqrt();
    Interval { lo: sum - half, hi: sum + half }
}

/// Newcombe's hybrid score 95% interval for p1 − p2 (Newcombe 1998, method 10):
/// `(d − sqrt((p1 − l1)² + (u2 − p2)²), d + sqrt((u1 − p1)² + (p2 − l2)²))` with the
/// Wilson intervals (l, u) of each proportion. `None` when either n is 0.
#[must_use]
pub fn newcombe(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<Interval> {
    let w1 = wilson(k1, n1)?;
    let w2 = wilson(k2, n2)?;
    let p1 = f(k1.min(n1)) / f(n1);
    let p2 = f(k2.min(n2)) / f(n2);
    let d = p1 - p2;
    let lo = d - ((p1 - w1.lo).powi(2) + (w2.hi - p2).powi(2)).sqrt();
    let hi = d + ((w1.hi - p1).powi(2) + (p2 - w2.lo).powi(2)).sqrt();
    Some(Interval { lo: lo.clamp(-1.0, 1.0), hi: hi.clamp(-1.0, 1.0) })
}

/// Boost in percent, `(pt − pc) / pc × 100`, with a 95% interval.
///
/// The interval is the delta-method interval on the **log** of the ratio
/// R = pt / pc (Katz et al. 1978): `se(ln R) = sqrt((1 − pt)/(n_t pt) + (1 − pc)/(n_c pc))`,
/// then `(R · exp(∓ z se) − 1) × 100`. Working on the log scale keeps the lower bound above
/// −100 % and the interval asymmetric as a ratio's should be. When the target has no
/// conversions (pt = 0, ratio 0, log undefined) a 0.5 continuity correction is applied to
/// the target count for the interval only. `None` when either n is 0 or pc = 0 (the
/// report shows "n/a").
#[must_use]
pub fn boost(k_t: u64, n_t: u64, k_c: u64, n_c: u64) -> Option<(f64, Interval)> {
    if n_t == 0 || n_c == 0 || k_c == 0 {
        return None;
    }
    let (k_t, k_c) = (k_t.min(n_t), k_c.min(n_c));
    let pt = f(k_t) / f(n_t);
    let pc = f(k_c) / f(n_c);
    let value = (pt - pc) / pc * 100.0;
    // Continuity correction only when the log is undefined.
    let kt_adj = if k_t == 0 { 0.5 } else { f(k_t) };
    let pt_adj = kt_adj / f(n_t);
    let var = (1.0 - pt_adj) / kt_adj + (1.0 - pc) / f(k_c);
    let se = var.max(0.0).sqrt();
    let ratio_adj = pt_adj / pc;
    let lo = (ratio_adj * (-Z95 * se).exp() - 1.0) * 100.0;
    let hi = (ratio_adj * (Z95 * se).exp() - 1.0) * 100.0;
    if !(value.is_finite() && lo.is_finite() && hi.is_finite()) {
        return None;
    }
    // With the correction the interval is built around a slightly different ratio; keep
    // the point estimate inside it.
    Some((value, Interval { lo: lo.min(value), hi: hi.max(value) }))
}

/// Mean and sample standard deviation (n − 1 denominator) of the finite values; `(0, 0)`
/// for no values and sd 0 for one. Used for the spread across replicates.
#[must_use]
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let vals = xs.iter().copied().filter(|x| x.is_finite());
    let (mut n, mut mean, mut m2) = (0.0_f64, 0.0_f64, 0.0_f64);
    // Welford's update: stable for large values.
    for x in vals {
        n += 1.0;
        let delta = x - mean;
        mean += delta / n;
        m2 += delta * (x - mean);
    }
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let sd = if n > 1.0 { (m2 / (n - 1.0)).max(0.0).sqrt() } else { 0.0 };
    if mean.is_finite() && sd.is_finite() { (mean, sd) } else { (0.0, 0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_matches_textbook() {
        // Newcombe (1998a) example: 81/263 -> 0.2553 to 0.3662.
        let w = wilson(81, 263).unwrap();
        assert!(close(w.lo, 0.2553, 5e-5) && close(w.hi, 0.3662, 5e-5), "{w:?}");
        // 15/148 -> 0.0624 to 0.1605 (Newcombe 1998a, table II).
        let w = wilson(15, 148).unwrap();
        assert!(close(w.lo, 0.0624, 5e-5) && close(w.hi, 0.1605, 5e-5), "{w:?}");
        // 0/10 -> 0 to 0.2775; 10/10 -> 0.7225 to 1.
        let w = wilson(0, 10).unwrap();
        assert!(w.lo == 0.0 && close(w.hi, 0.2775, 5e-5), "{w:?}");
        let w = wilson(10, 10).unwrap();
        assert!(close(w.lo, 0.7225, 5e-5) && w.hi == 1.0, "{w:?}");
    }

    #[test]
    fn wilson_edges() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(5, 0), None);
        let w = wilson(7, 3).unwrap();
        assert_eq!(w, wilson(3, 3).unwrap());
        let w = wilson(u64::MAX / 2, u64::MAX).unwrap();
        assert!(w.lo.is_finite() && w.hi.is_finite() && w.lo <= w.hi);
    }

    #[test]
    fn newcombe_matches_textbook() {
        // Newcombe (1998b) example (a): 56/70 vs 48/80, d = 0.2, 0.0524 to 0.3339.
        let i = newcombe(56, 70, 48, 80).unwrap();
        assert!(close(i.lo, 0.0524, 5e-5) && close(i.hi, 0.3339, 5e-5), "{i:?}");
        // Example (g): 0/10 vs 0/20 -> -0.1611 to 0.2775.
        let i = newcombe(0, 10, 0, 20).unwrap();
        assert!(close(i.lo, -0.1611, 5e-5) && close(i.hi, 0.2775, 5e-5), "{i:?}");
        // Example (b): 9/10 vs 3/10 -> 0.1705 to 0.8090.
        let i = newcombe(9, 10, 3, 10).unwrap();
        assert!(close(i.lo, 0.1705, 5e-5) && close(i.hi, 0.8090, 5e-5), "{i:?}");
    }

    #[test]
    fn newcombe_edges() {
        assert_eq!(newcombe(1, 0, 1, 5), None);
        assert_eq!(newcombe(1, 5, 1, 0), None);
        let i = newcombe(10, 10, 0, 10).unwrap();
        assert!(i.lo > 0.0 && i.hi <= 1.0, "{i:?}");
    }

    #[test]
    fn boost_value_and_log_ratio_interval() {
        // 120/1000 vs 100/1000: boost 20 %; ratio 1.2, se(ln R) = sqrt(0.88/120 + 0.9/100).
        let (b, i) = boost(120, 1000, 100, 1000).unwrap();
        assert!(close(b, 20.0, 1e-9));
        let se = (0.88_f64 / 120.0 + 0.9 / 100.0).sqrt();
        assert!(close(i.lo, (1.2 * (-Z95 * se).exp() - 1.0) * 100.0, 1e-9));
        assert!(close(i.hi, (1.2 * (Z95 * se).exp() - 1.0) * 100.0, 1e-9));
        // Worked by hand: z·se = 0.25049, ratio interval 0.93408 to 1.54159.
        assert!(close(i.lo, -6.59, 0.01) && close(i.hi, 54.16, 0.01), "{i:?}");
        assert!(i.lo > -100.0);
    }

    #[test]
    fn boost_edges() {
        assert_eq!(boost(5, 10, 0, 10), None, "control at 0 is n/a");
        assert_eq!(boost(5, 0, 1, 10), None);
        assert_eq!(boost(5, 10, 1, 0), None);
        let (b, i) = boost(0, 100, 10, 100).unwrap();
        assert!(close(b, -100.0, 1e-9));
        assert!(i.lo <= b && b <= i.hi && i.lo.is_finite() && i.hi.is_finite(), "{i:?}");
        let (b, i) = boost(100, 100, 100, 100).unwrap();
        assert!(close(b, 0.0, 1e-9) && close(i.lo, 0.0, 1e-9) && close(i.hi, 0.0, 1e-9), "{i:?}");
    }

    #[test]
    fn mean_sd_across_replicates() {
        assert_eq!(mean_sd(&[]), (0.0, 0.0));
        assert_eq!(mean_sd(&[3.0]), (3.0, 0.0));
        let (m, s) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert!(close(m, 5.0, 1e-12));
        assert!(close(s, (32.0_f64 / 7.0).sqrt(), 1e-12));
        let (m, s) = mean_sd(&[1.0, f64::NAN, 3.0, f64::INFINITY]);
        assert!(close(m, 2.0, 1e-12) && close(s, 2.0_f64.sqrt(), 1e-12));
    }

    #[test]
    fn intervals_hold_their_estimate_and_never_nan() {
        let counts = [0_u64, 1, 2, 3, 5, 9, 17, 30];
        for &n1 in &counts[1..] {
            for k1 in 0..=n1 {
                let p1 = k1 as f64 / n1 as f64;
                let w = wilson(k1, n1).unwrap();
                assert!(
                    w.lo.is_finite() && w.hi.is_finite() && 0.0 <= w.lo && w.hi <= 1.0 && w.contains(p1),
                    "{k1}/{n1}: {w:?}"
                );
                for &n2 in &counts[1..] {
                    for k2 in [0, n2 / 2, n2] {
                        let p2 = k2 as f64 / n2 as f64;
                        let d = newcombe(k1, n1, k2, n2).unwrap();
                        assert!(
                            d.lo.is_finite() && d.hi.is_finite() && d.contains(p1 - p2),
                            "{k1}/{n1} - {k2}/{n2}: {d:?}"
                        );
                        match boost(k1, n1, k2, n2) {
                            None => assert_eq!(k2, 0),
                            Some((b, i)) => {
                                assert!(
                                    b.is_finite() && i.lo.is_finite() && i.hi.is_finite() && i.contains(b),
                                    "{b} {i:?}"
                                );
                                assert!(i.lo >= -100.0, "{i:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn welch_and_total_intervals() {
        // Group 1: 0, 0, 10, 10 (mean 5, s² = 100/3); group 2: 0, 0, 0, 4 (mean 1, s² = 4).
        let (d, i) = welch(4, 20.0, 200.0, 4, 4.0, 16.0).unwrap();
        assert!(close(d, 4.0, 1e-12));
        let se = (100.0 / 3.0 / 4.0 + 4.0 / 4.0_f64).sqrt();
        assert!(close(i.hi - d, Z95 * se, 1e-12) && close(d - i.lo, Z95 * se, 1e-12));
        assert!(welch(0, 0.0, 0.0, 3, 1.0, 1.0).is_none());
        // Identical values: a zero-width total interval.
        let t = total(5, 10.0, 20.0);
        assert!(close(t.lo, 10.0, 1e-12) && close(t.hi, 10.0, 1e-12));
        // 0, 1, 1, 0: s² = 1/3, half width z·√(4/3).
        let t = total(4, 2.0, 2.0);
        assert!(close(t.hi - 2.0, Z95 * (4.0_f64 / 3.0).sqrt(), 1e-12));
        assert_eq!(sample_variance(1, 3.0, 9.0), 0.0);
    }
}
