//! Engine benchmark: simulates every journey in `assets/` through the same public API as
//! the CLI (load, validate, simulate) on one thread and prints users per second.
//!
//! For each journey it also prints a **floor**: the same per-user keyed seeding, drawing
//! exactly as many random words and taking as many logarithms as the engine reports it
//! drew for that journey ([`sim::draw_counts`]), with no journey logic at all. The
//! engine/floor ratio says how much the journey logic costs on top of the random numbers
//! it cannot avoid.
//!
//! `cargo bench --bench engine` runs 1,000,000 users per journey; set
//! `JOURNEY_BENCH_USERS` to change that (e.g. `JOURNEY_BENCH_USERS=20000` for a quick
//! run) and `JOURNEY_BENCH_ONLY=bench12` to run one journey.
//!
//! `JOURNEY_BENCH_ONLY=sweep` runs the sensitivity sweep benchmark instead (SPEC §7): 20
//! steps of the push click probability with 10 replicates of 100,000 users each on
//! `on_the_fence`, on every core, and prints its time (`JOURNEY_BENCH_USERS` scales it).
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use journey_studio::format;
use journey_studio::sim::rng::Stream;
use journey_studio::sim::{self, DrawCount, RunOptions};

/// Draws as many streams, words and logarithms as `count` over `users` users, keyed per
/// user like the engine, and returns the seconds it took.
fn floor(count: DrawCount, users: u64, seed: u64) -> f64 {
    let started = Instant::now();
    let (mut streams, mut words, mut lns) = (0u64, 0u64, 0u64);
    let mut acc = 0.0f64;
    for user in 0..users {
        // Spread the totals evenly over the users (exactly the totals at the end).
        let want_streams = count.streams * (user + 1) / users;
        let want_words = count.words * (user + 1) / users;
        let want_lns = count.lns * (user + 1) / users;
        let n_streams = (want_streams - streams).max(1);
        let n_words = want_words - words;
        let n_lns = want_lns - lns;
        let per_stream = n_words / n_streams;
        let mut left_words = n_words;
        let mut left_lns = n_lns;
        for s in 0..n_streams {
            let mut st = Stream::from_parts(&[seed, user, s]);
            let take = if s + 1 == n_streams { left_words } else { per_stream.min(left_words) };
            for _ in 0..take {
                let u = st.uniform_open0();
                if left_lns > 0 {
                    acc += u.ln();
                    left_lns -= 1;
                } else {
                    acc += u;
                }
            }
            left_words -= take;
        }
        streams = want_streams;
        words = want_words;
        lns = want_lns;
    }
    black_box(acc);
    started.elapsed().as_secs_f64()
}

/// The 20-step × 10-replicate sweep on `on_the_fence`, timed.
fn sweep_bench(users: u64) {
    use journey_studio::model::setting::SettingPath;
    use journey_studio::sim::explore::{sweep, sweep_values};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/on_the_fence.journey");
    let journey = match format::load(&path) {
        Ok(j) => j,
        Err(e) => {
            println!("cannot load {}: {e}", path.display());
            return;
        }
    };
    let prepared = SettingPath::parse("scenario.channels.Push.click_given_view", &journey)
        .map_err(|e| e.to_string())
        .and_then(|p| sweep_values(&p, 0.01, 0.2, 20).map(|v| (p, v)).map_err(|e| e.to_string()));
    let (setting, values) = match prepared {
        Ok(x) => x,
        Err(e) => {
            println!("sweep: {e}");
            return;
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let opts = RunOptions { users: Some(users), replicates: Some(10), threads: Some(threads), ..RunOptions::default() };
    let started = Instant::now();
    match sweep(&journey, &setting, &values, &opts, &|_| true) {
        Ok(s) => {
            let secs = started.elapsed().as_secs_f64();
            #[allow(clippy::cast_precision_loss)]
            let walked = (users * 10 * s.steps.len() as u64) as f64;
            println!(
                "sweep: on_the_fence, {} steps x 10 replicates x {users} users on {threads} threads in {secs:.1} s = {:.0} users/s",
                s.steps.len(),
                walked / secs
            );
        }
        Err(e) => println!("sweep failed: {e}"),
    }
}

fn main() {
    let users: u64 = std::env::var("JOURNEY_BENCH_USERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let only = std::env::var("JOURNEY_BENCH_ONLY").ok();
    if only.as_deref() == Some("sweep") {
        sweep_bench(std::env::var("JOURNEY_BENCH_USERS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000));
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "journey"))
            .collect(),
        Err(e) => {
            println!("cannot read {}: {e}", dir.display());
            return;
        }
    };
    files.sort();
    for path in files {
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let journey = match format::load(&path) {
            Ok(j) => j,
            Err(e) => {
                println!("cannot load {}: {e}", path.display());
                continue;
            }
        };
        let opts = RunOptions { users: Some(users), threads: Some(1), ..RunOptions::default() };
        let started = Instant::now();
        let report = match sim::simulate(&journey, &opts, &|_| true) {
            Ok(r) => r,
            Err(e) => {
                println!("{name}: simulation failed: {e}");
                continue;
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let count = match sim::draw_counts(&journey, &opts) {
            Ok(c) => c,
            Err(e) => {
                println!("{name}: cannot count draws: {e}");
                continue;
            }
        };
        let floor_secs = floor(count, users, report.run.seed);
        #[allow(clippy::cast_precision_loss)]
        let (rate, floor_rate, per_user) = (
            users as f64 / secs,
            users as f64 / floor_secs,
            (count.streams as f64 / users as f64, count.words as f64 / users as f64, count.lns as f64 / users as f64),
        );
        println!(
            "{name}: {users} users on 1 thread in {secs:.2} s = {rate:.0} users/s (entered {}, goal met {})",
            report.journey.entered, report.journey.goal_met
        );
        println!(
            "{name}: floor {floor_rate:.0} users/s ({:.1} streams, {:.1} words, {:.1} logarithms per user); engine/floor = {:.2}",
            per_user.0,
            per_user.1,
            per_user.2,
            secs / floor_secs
        );
    }
}
