//! The chunked parallel run: walks every user of every replicate on a local pool and
//! merges the chunk tallies into the report.
//!
//! Invariants: users are cut into chunks of [`CHUNK_USERS`], walked in parallel, and
//! their tallies merged strictly in chunk order (replicate-major), so the thread count
//! never changes a figure; only a bounded batch of chunk tallies exists at once, so memory
//! does not grow with the population. This is the one module that joins the walk
//! ([`super::walk`]) to the counters ([`super::tally`]); neither imports the other's caller.

use rayon::prelude::*;

use super::plan::Plan;
use super::report::Report;
use super::tally::{Tally, finish};
use super::walk::walk_range;
use super::{CHUNK_USERS, MAX_TRAJECTORIES, RunOptions, SimError};
use crate::model::Journey;

/// Walks every user of every replicate in chunks on a local pool; merges in chunk order.
///
/// # Errors
/// [`SimError::Cancelled`] when `progress` returns false; [`SimError::Threads`].
pub fn run_plan(plan: &Plan, threads: usize, traj: usize, progress: &dyn Fn(f64) -> bool) -> Result<Tally, SimError> {
    let traj = u64::try_from(traj.min(MAX_TRAJECTORIES)).unwrap_or(0);
    let mut acc = Tally::new(plan);
    for_each_chunk(
        plan,
        threads,
        progress,
        |rep, from, to| walk_range(plan, rep, from, to, traj),
        |part| acc.merge(part),
    )?;
    Ok(acc)
}

/// Cuts the plan's users of every replicate into chunks of [`CHUNK_USERS`], runs `job` on
/// each (replicate, first user, end user) on a local pool of `threads`, and hands the
/// results to `merge` strictly in chunk order (replicate-major), a bounded batch at a time.
///
/// # Errors
/// [`SimError::Cancelled`] when `progress` returns false; [`SimError::Threads`].
pub fn for_each_chunk<T: Send>(
    plan: &Plan,
    threads: usize,
    progress: &dyn Fn(f64) -> bool,
    job: impl Fn(u32, u64, u64) -> T + Sync,
    mut merge: impl FnMut(T),
) -> Result<(), SimError> {
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("journey-sim-{i}"))
        .build()
        .map_err(|e| SimError::Threads { threads, message: e.to_string() })?;
    let per_rep = plan.chunks_per_replicate();
    let total = per_rep.saturating_mul(u64::from(plan.replicates));
    let batch = u64::try_from(threads * 4).unwrap_or(8).max(1);
    let mut done = 0u64;
    if !progress(0.0) {
        return Err(SimError::Cancelled);
    }
    while done < total {
        let upto = (done + batch).min(total);
        let jobs: Vec<u64> = (done..upto).collect();
        let parts: Vec<T> = pool.install(|| {
            jobs.par_iter()
                .map(|&j| {
                    let rep = u32::try_from(j / per_rep).unwrap_or(0);
                    let chunk = j % per_rep;
                    let from = chunk * CHUNK_USERS;
                    let to = (from + CHUNK_USERS).min(plan.users);
                    job(rep, from, to)
                })
                .collect()
        });
        for part in parts {
            merge(part);
        }
        done = upto;
        #[allow(clippy::cast_precision_loss)]
        let share = done as f64 / total.max(1) as f64;
        if !progress(share) {
            return Err(SimError::Cancelled);
        }
    }
    Ok(())
}

/// The validation errors of `j`, as the engine refuses them.
///
/// # Errors
/// [`SimError::Invalid`] with every error message.
pub fn check_valid(j: &Journey) -> Result<(), SimError> {
    let diags = crate::validate::validate(j);
    let errors: Vec<String> =
        diags.iter().filter(|d| d.severity == crate::validate::Severity::Error).map(|d| d.message.clone()).collect();
    if errors.is_empty() { Ok(()) } else { Err(SimError::Invalid(errors)) }
}

/// Runs a simulation (see [`super::simulate`]).
///
/// # Errors
/// As [`super::simulate`].
pub fn run(j: &Journey, opts: &RunOptions, progress: &dyn Fn(f64) -> bool) -> Result<Report, SimError> {
    let mut plan = super::plan::build(j, opts)?;
    plan.schedules = super::pilot::schedules_for(&plan);
    let tally = run_plan(&plan, threads(opts), opts.trajectory_sample, progress)?;
    Ok(finish(&plan, tally))
}

/// The worker threads of a run: the option, else the machine's parallelism.
#[must_use]
pub fn threads(opts: &RunOptions) -> usize {
    opts.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}
