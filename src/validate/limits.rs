//! Every limit of a journey and its scenario, in one place: `validate` checks a journey
//! against them, the engine checks its run-time overrides against them, and the CLI
//! flags and the app's inputs take their ranges from them. So a journey `validate`
//! accepts is one `simulate` runs, and a flag can ask for nothing the file could not.

use crate::model::Timestamp;

/// Most users in a simulated population (SPEC §2: 1 to 100 million).
pub const MAX_USERS: u64 = 100_000_000;
/// Longest simulated horizon, in days (ten years).
pub const MAX_HORIZON_DAYS: u32 = 3650;
/// Most replicates.
pub const MAX_REPLICATES: u32 = 100;
/// Most trajectories a run records.
pub const MAX_TRAJECTORIES: usize = 10_000;
/// Most nodes in a journey: far above any real one, and low enough that the engine's
/// per-node tables stay small whatever the population.
pub const MAX_NODES: usize = 5_000;
/// Most links in a journey.
pub const MAX_LINKS: usize = 20_000;
/// Longest past-behaviour look-back, in days.
pub const MAX_LOOKBACK_DAYS: u32 = 3_660;
/// Highest event rate, per user per day.
pub const MAX_RATE_PER_DAY: f64 = 10_000.0;
/// Fewest and most content variants of a channel node that has any (§1.3).
pub const VARIANTS: std::ops::RangeInclusive<usize> = 2..=5;
/// Largest engagement multiplier of an event rate (and of a content variant's view or
/// click probability).
pub const MAX_MULTIPLIER: f64 = 1_000.0;
/// Highest cost of one message: sums over 100 million users and 100 replicates stay
/// finite and exact to the cent.
pub const MAX_COST_PER_MESSAGE: f64 = 1_000_000.0;
/// Widest date-offset property, in days either side of the run (a century).
pub const MAX_DATE_OFFSET_DAYS: f64 = 36_600.0;
/// The last instant a run may reach, 9999-12-31T23:59:59Z: dates are written with four
/// digit years.
pub const LAST_INSTANT: Timestamp = Timestamp(253_402_300_799);

/// Why a run of `horizon_days` from `start` cannot be simulated, if it cannot: it would
/// end after [`LAST_INSTANT`].
#[must_use]
pub fn horizon_problem(start: Timestamp, horizon_days: u32) -> Option<String> {
    let end = start.0.saturating_add(i64::from(horizon_days).saturating_mul(86_400));
    (end > LAST_INSTANT.0).then(|| {
        format!(
            "A run of {horizon_days} days from {start} would end after the year 9999; start earlier or shorten the \
             horizon"
        )
    })
}
