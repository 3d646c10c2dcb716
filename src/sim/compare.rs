//! Paired what-if comparison (SPEC §3.2): every simulated user of every replicate walks
//! through both versions with the same streams, and the per-user differences give paired
//! intervals far narrower than comparing two independent runs.
//!
//! Invariants: both plans share the population, seed, horizon and replicates (B takes
//! A's); a user's events are one fixed realisation per (seed, replicate, user, event) and
//! node streams are keyed by node id, so wherever the versions do not differ the user
//! behaves the same in both. Sums are merged in chunk order, so the thread count never
//! changes a figure. With A = B every difference is exactly 0.

use serde::{Serialize, Serializer};

use super::intervals::{self, Interval};
use super::plan::{self, Plan};
use super::report::Report;
use super::run::{check_valid, for_each_chunk, threads};
use super::tally::{Tally, finish};
use super::walk::{UserOutcome, Walker};
use super::{RunOptions, SimError, pilot};
use crate::model::Journey;

/// Whether version B is better than A on one figure, by its paired interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The paired interval lies wholly on the better side of 0.
    Better,
    /// The paired interval lies wholly on the worse side of 0.
    Worse,
    /// The paired interval contains 0.
    NoDetectableChange,
}

impl Verdict {
    /// The verdict as every output format spells it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Better => "better",
            Self::Worse => "worse",
            Self::NoDetectableChange => "no detectable change",
        }
    }

    /// The verdict of a difference B − A with its paired interval, where `higher_is_better`.
    #[must_use]
    pub fn of(paired: Interval, higher_is_better: bool) -> Self {
        let up = if higher_is_better { Self::Better } else { Self::Worse };
        let down = if higher_is_better { Self::Worse } else { Self::Better };
        if paired.lo > 0.0 {
            up
        } else if paired.hi < 0.0 {
            down
        } else {
            Self::NoDetectableChange
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The headline figures compared per user, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Goal conversions (every group).
    Conversions,
    /// Goal value of those conversions.
    GoalValue,
    /// Goal value minus message cost.
    NetReturn,
    /// Messages sent.
    Sent,
    /// Message cost.
    Cost,
}

impl Figure {
    /// Every figure, in report order.
    pub const ALL: [Self; 5] = [Self::Conversions, Self::GoalValue, Self::NetReturn, Self::Sent, Self::Cost];

    /// The figure's key in JSON and CSV.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Conversions => "conversions",
            Self::GoalValue => "goal_value",
            Self::NetReturn => "net_return",
            Self::Sent => "messages_sent",
            Self::Cost => "cost",
        }
    }

    /// The figure's name in a table.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Conversions => "Conversions",
            Self::GoalValue => "Goal value",
            Self::NetReturn => "Net return",
            Self::Sent => "Messages sent",
            Self::Cost => "Message cost",
        }
    }

    /// Whether more of it is better.
    #[must_use]
    pub fn higher_is_better(self) -> bool {
        matches!(self, Self::Conversions | Self::GoalValue | Self::NetReturn)
    }

    /// Whether it is money (shown in the journey's currency).
    #[must_use]
    pub fn is_money(self) -> bool {
        matches!(self, Self::GoalValue | Self::NetReturn | Self::Cost)
    }

    fn of(self, o: &UserOutcome) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        match self {
            Self::Conversions => o.conversions as f64,
            Self::GoalValue => o.revenue,
            Self::NetReturn => o.revenue - o.cost,
            Self::Sent => o.sent as f64,
            Self::Cost => o.cost,
        }
    }
}

/// A sum and a sum of squares.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Moments {
    sum: f64,
    sq: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.sum += x;
        self.sq += x * x;
    }

    fn add(&mut self, o: &Self) {
        self.sum += o.sum;
        self.sq += o.sq;
    }
}

/// Per-user sums of one figure: A's values, B's values and the differences B − A.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct PairMoments {
    a: Moments,
    b: Moments,
    d: Moments,
}

/// Everything a chunk of paired users adds up.
#[derive(Clone, Debug, Default)]
struct PairSums {
    users: u64,
    figures: [PairMoments; Figure::ALL.len()],
}

impl PairSums {
    fn push(&mut self, a: &UserOutcome, b: &UserOutcome) {
        self.users += 1;
        for (f, m) in Figure::ALL.iter().zip(&mut self.figures) {
            let (x, y) = (f.of(a), f.of(b));
            m.a.push(x);
            m.b.push(y);
            m.d.push(y - x);
        }
    }

    fn merge(&mut self, o: &Self) {
        self.users += o.users;
        for (m, n) in self.figures.iter_mut().zip(&o.figures) {
            m.a.add(&n.a);
            m.b.add(&n.b);
            m.d.add(&n.d);
        }
    }
}

/// One headline figure of both versions, per replicate (means over replicates).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairedFigure {
    /// The figure's key (`conversions`, `goal_value`, `net_return`, `messages_sent`, `cost`).
    pub figure: &'static str,
    /// Version A's total.
    pub a: f64,
    /// Version B's total.
    pub b: f64,
    /// B − A.
    pub difference: f64,
    /// 95% interval of the difference from the per-user paired differences.
    pub paired: Interval,
    /// 95% interval of the difference as if the two runs were independent.
    pub unpaired: Interval,
    /// `better`, `worse` or `no detectable change` for B against A (by the paired interval).
    pub verdict: Verdict,
}

/// The result of a paired comparison: both reports and the paired headline figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Pairs walked: users × replicates (every user, entrant or not, control included).
    pub pairs: u64,
    /// The headline figures, in [`Figure::ALL`] order.
    pub figures: Vec<PairedFigure>,
    /// Version A's full report.
    pub a: Report,
    /// Version B's full report (same users, seed, horizon and replicates as A).
    pub b: Report,
}

impl Comparison {
    /// The paired figure of `f`.
    #[must_use]
    pub fn figure(&self, f: Figure) -> &PairedFigure {
        &self.figures[Figure::ALL.iter().position(|x| *x == f).unwrap_or(0)]
    }
}

/// Compares journey B against A on the same synthetic users (§3.2). Run settings come
/// from `opts`, else from A's scenario; B uses A's population, seed, horizon and replicates.
///
/// # Errors
/// [`SimError::Invalid`] when either journey is invalid (messages prefixed `A:` or `B:`);
/// [`SimError::Cancelled`]; [`SimError::Threads`].
pub fn compare(
    a: &Journey,
    b: &Journey,
    opts: &RunOptions,
    progress: &dyn Fn(f64) -> bool,
) -> Result<Comparison, SimError> {
    check_valid(a).map_err(|e| side("A", e))?;
    check_valid(b).map_err(|e| side("B", e))?;
    let mut pa = plan::build(a, opts).map_err(|e| side("A", e))?;
    let b_opts = RunOptions {
        users: Some(pa.users),
        seed: Some(pa.seed),
        horizon_days: Some(pa.horizon_days),
        replicates: Some(pa.replicates),
        ..opts.clone()
    };
    let mut pb = plan::build(b, &b_opts).map_err(|e| side("B", e))?;
    pa.schedules = pilot::schedules_for(&pa);
    pb.schedules = pilot::schedules_for(&pb);
    let traj = u64::try_from(opts.trajectory_sample.min(super::MAX_TRAJECTORIES)).unwrap_or(0);
    let (ta, tb, sums) = run_pair(&pa, &pb, threads(opts), traj, progress)?;
    let reps = f64::from(pa.replicates.max(1));
    let figures = Figure::ALL
        .iter()
        .zip(&sums.figures)
        .map(|(f, m)| {
            let n = sums.users;
            let paired = intervals::total(n, m.d.sum, m.d.sq);
            #[allow(clippy::cast_precision_loss)]
            let nf = n as f64;
            let var = intervals::sample_variance(n, m.a.sum, m.a.sq) + intervals::sample_variance(n, m.b.sum, m.b.sq);
            let half = intervals::Z95 * (nf * var).sqrt();
            let diff = m.d.sum;
            let scale = |i: Interval| Interval { lo: i.lo / reps, hi: i.hi / reps };
            let paired = scale(paired);
            PairedFigure {
                figure: f.key(),
                a: m.a.sum / reps,
                b: m.b.sum / reps,
                difference: diff / reps,
                paired,
                unpaired: scale(Interval { lo: diff - half, hi: diff + half }),
                verdict: Verdict::of(paired, f.higher_is_better()),
            }
        })
        .collect();
    Ok(Comparison { pairs: sums.users, figures, a: finish(&pa, ta), b: finish(&pb, tb) })
}

/// Prefixes the messages of an invalid-journey error with the version they belong to.
fn side(name: &str, e: SimError) -> SimError {
    match e {
        SimError::Invalid(v) => SimError::Invalid(v.into_iter().map(|m| format!("{name}: {m}")).collect()),
        e => e,
    }
}

/// Walks every user through both plans, chunk by chunk, merging in chunk order; records
/// the trajectories of the first `traj` users of replicate 0 in both.
fn run_pair(
    pa: &Plan,
    pb: &Plan,
    threads: usize,
    traj: u64,
    progress: &dyn Fn(f64) -> bool,
) -> Result<(Tally, Tally, PairSums), SimError> {
    let mut acc = (Tally::new(pa), Tally::new(pb), PairSums::default());
    for_each_chunk(
        pa,
        threads,
        progress,
        |rep, from, to| {
            let mut wa = Walker::new(pa, rep, traj);
            let mut wb = Walker::new(pb, rep, traj);
            wa.tally.rep_index = rep;
            wb.tally.rep_index = rep;
            let mut sums = PairSums::default();
            for user in from..to {
                wa.walk_user(user);
                wb.walk_user(user);
                sums.push(&wa.outcome, &wb.outcome);
            }
            (wa.tally, wb.tally, sums)
        },
        |(a, b, s)| {
            acc.0.merge(a);
            acc.1.merge(b);
            acc.2.merge(&s);
        },
    )?;
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_read_the_paired_interval_by_direction() {
        let up = Interval { lo: 1.0, hi: 3.0 };
        let down = Interval { lo: -3.0, hi: -1.0 };
        let zero = Interval { lo: 0.0, hi: 0.0 };
        assert_eq!(Verdict::of(up, true), Verdict::Better);
        assert_eq!(Verdict::of(up, false), Verdict::Worse);
        assert_eq!(Verdict::of(down, true), Verdict::Worse);
        assert_eq!(Verdict::of(down, false), Verdict::Better);
        assert_eq!(Verdict::of(zero, true), Verdict::NoDetectableChange);
        assert_eq!(Verdict::of(Interval { lo: -1.0, hi: 2.0 }, false), Verdict::NoDetectableChange);
        assert_eq!(serde_json::to_string(&Verdict::NoDetectableChange).unwrap(), "\"no detectable change\"");
    }
}
