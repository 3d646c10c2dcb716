//! Calibration from past results (SPEC §8): a round trip through a sampled rate process,
//! the bundled example, and `journey-studio calibrate` on files in a temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::fmt::Write as _;

use journey_studio::calibrate::{Derived, apply, derive, parse};
use journey_studio::format::{load, to_ron};
use journey_studio::model::setting::SettingPath;
use journey_studio::model::{Channel, Journey, Port, PropertyDist};
use journey_studio::templates;
use journey_studio::validate::{has_errors, validate};
use rand::SeedableRng as _;
use rand_distr::{Binomial, Distribution as _, Gamma, Normal, Poisson};
use rand_pcg::Pcg64Mcg;

use crate::cli::run;

const EXAMPLE_CSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/calibration_example.csv");

fn binomial(rng: &mut Pcg64Mcg, n: u64, p: f64) -> u64 {
    Binomial::new(n, p.clamp(0.0, 1.0)).unwrap().sample(rng)
}

/// Splits `n` over weights multinomially, by successive binomials.
fn multinomial(rng: &mut Pcg64Mcg, n: u64, weights: &[f64]) -> Vec<u64> {
    let mut left = n;
    let mut mass: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| {
            let k = if mass > 0.0 { binomial(rng, left, (w / mass).min(1.0)) } else { 0 };
            left -= k;
            mass -= w;
            k
        })
        .collect()
}

/// The shape an event's counts follow: its own, else the scenario's shared one.
fn true_shape(j: &Journey, event: &str) -> f64 {
    j.scenario.events[event].activity_shape.unwrap_or(j.scenario.activity_shape)
}

/// Samples the scenario's rate process directly (no engine) for `users` users over `days`
/// days and writes the true figures as a calibration CSV: per user and event a gamma
/// activity factor (mean 1, the event's shape) and a Poisson count; the counts' hourly
/// split from the curve; `messages` sends per channel with binomial outcomes from its
/// rates; every event property sampled once per occurrence.
fn sample_results(j: &Journey, users: u64, days: u32, messages: u64, seed: u64) -> String {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut csv = String::from("kind,name,metric,value\n");
    let s = &j.scenario;
    for (c, r) in &s.channels {
        let name = match c {
            Channel::Push => "push",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::WhatsApp => "whatsapp",
            Channel::WebPush => "web_push",
            Channel::InApp => "in_app",
            Channel::AppInbox => "app_inbox",
            Channel::Webhook => "webhook",
        };
        let failed = binomial(&mut rng, messages, r.failure);
        let sent = messages - failed;
        let mut row = |metric: &str, v: f64| writeln!(csv, "channel,{name},{metric},{v}").unwrap();
        row("sent", sent as f64);
        row("failed", failed as f64);
        let ports = c.ports();
        if ports.contains(&Port::Delivered) {
            row("delivered", binomial(&mut rng, sent, r.delivery) as f64);
        }
        if ports.contains(&Port::Viewed) {
            let viewed = binomial(&mut rng, sent, r.view);
            row("viewed", viewed as f64);
            if ports.contains(&Port::Clicked) {
                row("clicked", binomial(&mut rng, viewed, r.click_given_view) as f64);
            }
        } else if ports.contains(&Port::Clicked) {
            // Push: no Viewed step, view 1.
            row("clicked", binomial(&mut rng, sent, r.view * r.click_given_view) as f64);
        }
        if let Some(f) = s.fatigue.get(c) {
            row("unsubscribed", binomial(&mut rng, sent, *f) as f64);
        }
        row("cost", sent as f64 * r.cost_per_message);
    }
    let mut all_events = 0;
    for (name, e) in &s.events {
        let k = true_shape(j, name);
        let gamma = Gamma::new(k, 1.0 / k).unwrap();
        let (mut count, mut count_sq) = (0u64, 0u64);
        for _ in 0..users {
            let lambda = e.rate_per_day * f64::from(days) * gamma.sample(&mut rng);
            let n = if lambda > 0.0 {
                let x: f64 = Poisson::new(lambda).unwrap().sample(&mut rng);
                x as u64
            } else {
                0
            };
            count += n;
            count_sq += n * n;
        }
        all_events += count;
        for (metric, v) in [("users", users), ("days", u64::from(days)), ("count", count), ("count_sq", count_sq)] {
            writeln!(csv, "event,{name},{metric},{v}").unwrap();
        }
        for (prop, d) in &e.properties {
            match d {
                PropertyDist::Normal { mean, std_dev } => {
                    let normal = Normal::new(*mean, *std_dev).unwrap();
                    let (mut sum, mut sq) = (0.0, 0.0);
                    for _ in 0..count {
                        let x: f64 = normal.sample(&mut rng);
                        sum += x;
                        sq += x * x;
                    }
                    let n = count as f64;
                    let m = sum / n;
                    let sd = ((sq - sum * sum / n) / (n - 1.0)).sqrt();
                    writeln!(csv, "property,{name}.{prop},mean,{m}\nproperty,{name}.{prop},sd,{sd}").unwrap();
                }
                PropertyDist::Categorical(cats) => {
                    let w: Vec<f64> = cats.iter().map(|(_, w)| *w).collect();
                    let split = multinomial(&mut rng, count, &w);
                    for ((c, _), k) in cats.iter().zip(split) {
                        writeln!(csv, "property,{name}.{prop},share:{c},{}", k as f64 / count as f64).unwrap();
                    }
                }
                _ => panic!("the round trip samples numeric and categorical properties only"),
            }
        }
    }
    for (h, c) in multinomial(&mut rng, all_events, &s.population.activity_curve).into_iter().enumerate() {
        writeln!(csv, "hour,{h},count,{c}").unwrap();
    }
    csv
}

/// The true value behind a derived one, read from the journey the figures were sampled from.
fn truth(j: &Journey, d: &Derived) -> f64 {
    if let Some(event) = d.path.strip_prefix("scenario.events[\"").and_then(|p| p.strip_suffix("\"].activity_shape")) {
        return true_shape(j, event);
    }
    SettingPath::parse_adding(&d.path, j).unwrap().get(j).unwrap_or_else(|| panic!("{} has no true value", d.path))
}

/// Every value of the scenario moved well away from the truth.
fn scramble(j: &Journey) -> Journey {
    let mut k = j.clone();
    let s = &mut k.scenario;
    for r in s.channels.values_mut() {
        r.failure = (r.failure * 3.0 + 0.05).min(1.0);
        r.delivery *= 0.5;
        r.view = if r.view == 1.0 { 1.0 } else { r.view * 0.5 + 0.1 };
        r.click_given_view = r.click_given_view * 0.5 + 0.1;
        r.cost_per_message = r.cost_per_message * 4.0 + 0.001;
    }
    for f in s.fatigue.values_mut() {
        *f = *f * 5.0 + 0.01;
    }
    for e in s.events.values_mut() {
        e.rate_per_day *= 2.0;
        e.activity_shape = None;
        for d in e.properties.values_mut() {
            match d {
                PropertyDist::Normal { mean, std_dev } => (*mean, *std_dev) = (*mean * 1.5, *std_dev * 2.0),
                PropertyDist::Categorical(cats) => {
                    let w: Vec<f64> = cats.iter().rev().map(|(_, w)| *w).collect();
                    for ((_, x), w) in cats.iter_mut().zip(w) {
                        *x = w;
                    }
                }
                _ => {}
            }
        }
    }
    // The same total weight, so the derived curve is on the true curve's scale.
    s.population.activity_curve.reverse();
    s.activity_shape = 7.0;
    k
}

#[test]
fn a_sampled_history_calibrates_a_scrambled_scenario_back_to_the_truth() {
    let mut truth_j = templates::load("on-the-fence").unwrap();
    // Buying varies from user to user more than launching does; browsing and uninstalling
    // share the scenario's factor (shape 2).
    truth_j.scenario.events.get_mut("Charged").unwrap().activity_shape = Some(0.6);
    truth_j.scenario.events.get_mut("App Launched").unwrap().activity_shape = Some(1.6);
    // 400,000 users over 30 days: the rarest event (App Uninstalled, 0.09 a user) still
    // shows its overdispersion (M²/k ≈ 0.004 over M ≈ 0.09) clearly enough for 15%.
    let csv = sample_results(&truth_j, 400_000, 30, 50_000, 17);
    let results = parse(&csv).unwrap();
    let scrambled = scramble(&truth_j);
    let derived = derive(&scrambled, &results).unwrap();

    // Every value in the scenario that the figures speak to is derived.
    let n_channels: usize = truth_j.scenario.channels.len();
    let n_events = truth_j.scenario.events.len();
    assert!(derived.len() > 3 * n_channels + 2 * n_events + 24, "{}", derived.len());
    for name in truth_j.scenario.events.keys() {
        assert!(derived.iter().any(|d| d.path == format!("scenario.events[\"{name}\"].activity_shape")), "{name}");
    }

    // Each value against the truth: within its 95% interval at 4 standard errors rather
    // than 1.96, so that the test is stable (with about 60 intervals at 95%, some three
    // would miss at 1.96 by chance); and at least 90% of them within the 95% interval
    // itself, so the intervals are not too narrow. The shape has no interval: within 15%.
    let widen = 4.0 / 1.959_963_984_540_054;
    let (mut with_interval, mut inside, mut moved) = (0, 0, 0);
    let mut report = String::new();
    for d in &derived {
        let t = truth(&truth_j, d);
        let before_far = match d.interval {
            Some((lo, hi)) => {
                with_interval += 1;
                assert!((lo..=hi).contains(&d.after), "{d:?}");
                let (wlo, whi) = (d.after - (d.after - lo) * widen, d.after + (hi - d.after) * widen);
                let tol = 1e-12 * t.abs().max(1.0);
                assert!(
                    (wlo - tol..=whi + tol).contains(&t),
                    "{}: true {t}, derived {} in [{lo}, {hi}]",
                    d.label,
                    d.after
                );
                if (lo - tol..=hi + tol).contains(&t) {
                    inside += 1;
                } else {
                    writeln!(report, "outside its 95% interval: {} true {t} derived {} [{lo}, {hi}]", d.label, d.after)
                        .unwrap();
                }
                d.before.is_none_or(|b| b < wlo || b > whi)
            }
            None if d.path.ends_with("activity_shape") => {
                assert!((d.after - t).abs() <= 0.15 * t, "{}: true {t}, derived {}", d.label, d.after);
                d.before.is_none_or(|b| (b - t).abs() > 0.15 * t)
            }
            None => {
                // The cost per message: sent × cost / sent.
                assert!((d.after - t).abs() <= 1e-9 * t.max(1e-9), "{}: true {t}, derived {}", d.label, d.after);
                d.before.is_none_or(|b| (b - t).abs() > 1e-9)
            }
        };
        moved += usize::from(before_far);
    }
    assert!(with_interval > 50, "{with_interval}");
    assert!(inside * 10 >= with_interval * 9, "{inside} of {with_interval} inside\n{report}");
    // The scrambling mattered: most scrambled values were outside what the data allow.
    assert!(moved * 10 >= derived.len() * 8, "{moved} of {}", derived.len());

    // Applying them all gives a valid journey that reads back every derived value.
    let mut calibrated = scrambled.clone();
    apply(&mut calibrated, &derived).unwrap();
    assert!(!has_errors(&validate(&calibrated)), "{:?}", validate(&calibrated));
    for d in &derived {
        let got = SettingPath::parse(&d.path, &calibrated).unwrap().get(&calibrated).unwrap();
        assert!((got - d.after).abs() <= 1e-12 * d.after.abs().max(1.0), "{}: {got} vs {}", d.path, d.after);
    }
}

#[test]
fn the_example_csv_calibrates_on_the_fence() {
    let text = std::fs::read_to_string(EXAMPLE_CSV).unwrap();
    let results = parse(&text).unwrap();
    let j = load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/on_the_fence.journey"))).unwrap();
    let derived = derive(&j, &results).unwrap();
    // Every row kind is covered.
    for part in [
        "scenario.channels.",
        "scenario.fatigue.",
        "rate_per_day",
        "activity_shape",
        "activity_curve[",
        ".mean",
        ".sd",
        ".share[",
    ] {
        assert!(derived.iter().any(|d| d.path.contains(part)), "no {part}");
    }
    assert!(derived.iter().any(|d| d.note.as_deref().is_some_and(|n| n.contains("no overdispersion"))));
    let mut k = j.clone();
    apply(&mut k, &derived).unwrap();
    assert!(!has_errors(&validate(&k)));
    assert_ne!(k, j);
}

fn write_journey(dir: &std::path::Path) -> Journey {
    let j = templates::load("on-the-fence").unwrap();
    std::fs::write(dir.join("fence.journey"), to_ron(&j)).unwrap();
    std::fs::copy(EXAMPLE_CSV, dir.join("results.csv")).unwrap();
    j
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn the_cli_prints_before_and_after_and_writes_only_with_out() {
    let dir = tempfile::tempdir().unwrap();
    let j = write_journey(dir.path());
    let before = files(dir.path());
    let journey_bytes = std::fs::read(dir.path().join("fence.journey")).unwrap();
    let out = run(dir.path(), &["calibrate", "fence.journey", "--from", "results.csv"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Push: click probability"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    // 11,870 clicks of 182,400 pushes sent.
    assert!(line.contains("0.06 → 0.06508  [0.06395, 0.06622]"), "{line}");
    let shape = out.stdout.lines().find(|l| l.starts_with("App Uninstalled: own activity shape")).unwrap();
    assert!(shape.contains("unset → 1000") && shape.contains("no overdispersion"), "{shape}");
    assert_eq!(files(dir.path()), before, "without --out nothing is written");
    assert_eq!(std::fs::read(dir.path().join("fence.journey")).unwrap(), journey_bytes);

    let out = run(dir.path(), &["calibrate", "fence.journey", "--from", "results.csv", "--out", "new.journey"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("wrote the calibrated journey: new.journey"), "{}", out.stdout);
    let k = load(&dir.path().join("new.journey")).unwrap();
    assert!(!has_errors(&validate(&k)));
    let push = &k.scenario.channels[&Channel::Push];
    assert!((push.click_given_view - 11_870.0 / 182_400.0).abs() < 1e-12);
    assert_eq!(k.scenario.events["App Uninstalled"].activity_shape, Some(1000.0));
    assert_eq!(
        k.scenario.events["Charged"].properties["Amount"],
        PropertyDist::Normal { mean: 2310.0, std_dev: 760.0 }
    );
    // Everything else is as it was.
    assert_eq!(k.graph, j.graph);
    assert_eq!(k.setup, j.setup);
    assert_eq!(std::fs::read(dir.path().join("fence.journey")).unwrap(), journey_bytes);
}

#[test]
fn a_bad_row_names_its_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write_journey(dir.path());
    let text = std::fs::read_to_string(dir.path().join("results.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[6] = "channel,push,clicked,lots";
    std::fs::write(dir.path().join("bad.csv"), lines.join("\n")).unwrap();
    std::fs::write(dir.path().join("old.journey"), "keep me").unwrap();
    let out = run(dir.path(), &["calibrate", "fence.journey", "--from", "bad.csv", "--out", "old.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("line 7, column 4: 'lots' is not a number"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(std::fs::read_to_string(dir.path().join("old.journey")).unwrap(), "keep me");
    let out = run(dir.path(), &["calibrate", "fence.journey", "--from", "bad.csv", "--out", "new.journey"]);
    assert_eq!(out.code, 1);
    assert!(!dir.path().join("new.journey").exists());
    // A missing results file is an I/O error.
    let out = run(dir.path(), &["calibrate", "fence.journey", "--from", "nothing.csv"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
