//! Engine benchmark: simulates `assets/bench12.journey` through the same public API as
//! the CLI (load, validate, simulate) on one thread and prints users per second.
//!
//! `cargo bench --bench engine` runs 1,000,000 users; set `JOURNEY_BENCH_USERS` to change
//! that (e.g. `JOURNEY_BENCH_USERS=20000` for a quick run).
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use journey_studio::format;
use journey_studio::sim::{RunOptions, simulate};

fn main() {
    let users: u64 = std::env::var("JOURNEY_BENCH_USERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bench12.journey");
    let journey = match format::load(&path) {
        Ok(j) => j,
        Err(e) => {
            println!("cannot load {}: {e}", path.display());
            return;
        }
    };
    let opts = RunOptions { users: Some(users), threads: Some(1), ..RunOptions::default() };
    let started = Instant::now();
    match simulate(&journey, &opts, &|_| true) {
        Ok(report) => {
            let secs = started.elapsed().as_secs_f64();
            #[allow(clippy::cast_precision_loss)]
            let rate = users as f64 / secs;
            println!(
                "bench12: {users} users on 1 thread in {secs:.2} s = {rate:.0} users/s (entered {}, goal met {})",
                report.journey.entered, report.journey.goal_met
            );
        }
        Err(e) => println!("simulation failed: {e}"),
    }
}
