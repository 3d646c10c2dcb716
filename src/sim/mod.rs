//! The simulation engine (SPEC §2): a per-user walk over the journey graph.
//!
//! Invariants: same file and seed give byte-identical statistics whatever the thread
//! count; no file or terminal I/O and no wall clock inside the engine; memory stays flat
//! in the population size for a counters-only run (users are generated, walked and
//! dropped one at a time, in fixed-size chunks whose tallies are added in chunk order).
//!
//! Layout:
//! - [`plan`]: the journey compiled into dense, engine-friendly tables (once per run);
//! - [`channel_map`]: one value per messaging channel, indexed by the channel itself;
//! - [`run`]: the chunked parallel run that walks every user and merges their tallies;
//! - [`compare`]: the paired what-if comparison, every user walked through two versions;
//! - [`explore`]: the sensitivity sweep, the tornado and the planner's sample sizes (§7);
//! - [`planner`]: the experiment planner: entries, days, detectable effect, simulated power (§7);
//! - [`walk`]: one user's whole life in the journey, in time order, from their own streams;
//! - [`events`]: the fixed realisation of each user's events, drawn by day blocks, read lazily;
//! - [`tally`]: the named counters a chunk of users adds up, their merge, and the finished
//!   [`Report`];
//! - [`dnd`]: DND releases and local hours from per-timezone tables (once per run);
//! - [`pilot`]: the automated random split's weight schedule w(t) (§2.1);
//! - [`report`]: the plain-data report shared by the CLI and the app;
//! - [`samples`]: sample users and the event in context, for the message preview;
//! - `calendar`, `rng`, `intervals`: local time, random streams and 95% intervals.
//!
//! Dependencies point one way: `run` → `walk` → `tally` → `plan`; the walk adds into the
//! tally's counters, and the tally never calls the walk.

pub mod calendar;
pub mod channel_map;
pub mod compare;
pub mod dnd;
pub mod events;
pub mod explore;
pub mod intervals;
pub mod pilot;
pub mod plan;
pub mod planner;
pub mod report;
pub mod rng;
pub mod run;
pub mod samples;
pub mod tally;
pub mod walk;

use crate::model::Journey;

pub use compare::{Comparison, Figure, PairedFigure, Verdict, compare};
pub use pilot::{WeightSchedule, pilot_weights};
pub use report::Report;
pub use rng::DrawCount;

/// Users per chunk: the unit of parallel work. Chunk results are added in chunk order,
/// so the thread count never changes a figure.
pub const CHUNK_USERS: u64 = 4_096;
// The limits live with the rules, in `validate`; the engine checks its overrides
// against the same constants.
pub use crate::validate::limits::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_TRAJECTORIES, MAX_USERS};

/// Overrides for one run; `None` takes the value from the scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Population size.
    pub users: Option<u64>,
    /// Random seed.
    pub seed: Option<u64>,
    /// Days of calendar time from the journey's start.
    pub horizon_days: Option<u32>,
    /// Independent replicates.
    pub replicates: Option<u32>,
    /// Worker threads (a local pool; `None` uses the machine's parallelism).
    pub threads: Option<usize>,
    /// Record compact trajectories for the first this-many users of replicate 0.
    pub trajectory_sample: usize,
}

/// Why a simulation did not produce a report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The journey or scenario has validation errors (the messages of `validate`'s
    /// errors), or a run-time override is out of range (more than [`MAX_USERS`] users,
    /// 0 replicates, …).
    #[error("invalid journey or scenario: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// The progress callback asked to stop.
    #[error("simulation cancelled")]
    Cancelled,
    /// The local thread pool could not be created.
    #[error("could not start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The reason.
        message: String,
    },
}

/// Simulates the journey's scenario and returns every statistic of SPEC §3.
///
/// `progress` receives the share done (0..=1) between chunks of users; returning `false`
/// cancels the run with [`SimError::Cancelled`].
///
/// # Errors
/// [`SimError::Invalid`] for a journey with validation errors or a scenario the engine
/// refuses; [`SimError::Cancelled`]; [`SimError::Threads`].
pub fn simulate(j: &Journey, opts: &RunOptions, progress: &dyn Fn(f64) -> bool) -> Result<Report, SimError> {
    run::run(j, opts, progress)
}

/// Runs the simulation and returns what it drew instead of its report: the engine
/// benchmark's floor draws exactly as many random numbers, with no journey logic.
///
/// # Errors
/// As [`simulate`].
pub fn draw_counts(j: &Journey, opts: &RunOptions) -> Result<DrawCount, SimError> {
    let mut plan = plan::build(j, opts)?;
    plan.schedules = pilot::schedules_for(&plan);
    let tally = run::run_plan(&plan, opts.threads.unwrap_or(1), 0, &|_| true)?;
    Ok(tally.draws)
}
