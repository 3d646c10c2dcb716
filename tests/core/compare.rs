//! Decision figures (SPEC §3.1) and the paired comparison (§3.2): the engine's figures,
//! the `compare` command's formats, and the coverage of the incremental revenue interval.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)]

use std::path::Path;
use std::process::{Command, Stdio};

use journey_studio::format::{load, save};
use journey_studio::model::*;
use journey_studio::sim::{Comparison, Figure, RunOptions, Verdict, compare, simulate};

fn asset(name: &str) -> Journey {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name)).unwrap()
}

fn opts(users: u64) -> RunOptions {
    RunOptions { users: Some(users), threads: Some(1), ..RunOptions::default() }
}

fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_journey-studio"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn width(lo: f64, hi: f64) -> f64 {
    hi - lo
}

#[test]
fn a_journey_compared_with_itself_differs_by_nothing() {
    let j = asset("on_the_fence.journey");
    let c = compare(&j, &j, &opts(5_000), &|_| true).unwrap();
    assert_eq!(c.pairs, 5_000);
    for p in &c.figures {
        assert_eq!(p.difference, 0.0, "{}", p.figure);
        assert_eq!((p.paired.lo, p.paired.hi), (0.0, 0.0), "{}", p.figure);
        assert_eq!(p.verdict, Verdict::NoDetectableChange, "{}", p.figure);
    }
    // Each side is exactly the plain run of that journey.
    let r = simulate(&j, &opts(5_000), &|_| true).unwrap();
    assert_eq!(c.a, r);
    assert_eq!(c.b, r);
    assert!(c.figure(Figure::Conversions).unpaired.hi > 0.0, "the unpaired interval has width");
}

/// on_the_fence with the push click probability given a view doubled.
fn doubled_push_clicks(j: &Journey) -> Journey {
    let mut b = j.clone();
    let push = b.scenario.channels.get_mut(&Channel::Push).unwrap();
    push.click_given_view = (push.click_given_view * 2.0).min(1.0);
    b
}

#[test]
fn doubling_push_clicks_is_better_and_the_paired_interval_is_far_narrower() {
    let a = asset("on_the_fence.journey");
    let b = doubled_push_clicks(&a);
    let c: Comparison = compare(&a, &b, &opts(40_000), &|_| true).unwrap();
    let conv = c.figure(Figure::Conversions);
    assert_eq!(conv.verdict, Verdict::Better, "{conv:?}");
    let (p, u) = (width(conv.paired.lo, conv.paired.hi), width(conv.unpaired.lo, conv.unpaired.hi));
    assert!(p * 3.0 <= u, "paired {p} vs unpaired {u}");
    // The same sends (clicks do not change who is messaged before the goal) or more:
    // either way the verdict reads the paired interval.
    let sent = c.figure(Figure::Sent);
    assert!(sent.paired.lo <= sent.difference && sent.difference <= sent.paired.hi);
    // Thread count never changes a figure.
    let two = compare(&a, &b, &RunOptions { threads: Some(2), ..opts(40_000) }, &|_| true).unwrap();
    assert_eq!(two, c);
}

#[test]
fn a_scenario_only_change_compares_the_same_way() {
    let a = asset("abandoned_cart.journey");
    let mut b = a.clone();
    for rates in b.scenario.channels.values_mut() {
        rates.cost_per_message *= 2.0;
    }
    let c = compare(&a, &b, &opts(5_000), &|_| true).unwrap();
    let cost = c.figure(Figure::Cost);
    assert!(cost.a > 0.0);
    assert!((cost.b - 2.0 * cost.a).abs() < 1e-6 * cost.a.max(1.0), "{cost:?}");
    assert_eq!(cost.verdict, Verdict::Worse);
    assert_eq!(c.figure(Figure::Conversions).verdict, Verdict::NoDetectableChange);
    assert_eq!(c.figure(Figure::Conversions).difference, 0.0);
}

/// Everyone enters once at their first App Launched (10 a day, no heterogeneity); half go
/// to the journey control group. Targets get a push that half of them click at once, which
/// triples the Charged rate (0.2 a day) for a day. A purchase is worth Uniform(10, 30).
/// Tracking lasts 2 days, so per entry:
/// control P = 1 − e^(−0.4); target P = ½(1 − e^(−0.2·(3·1 + 1))) + ½(1 − e^(−0.4)).
fn closed_form_journey(seed: u64) -> (Journey, f64, f64) {
    let mut j = Journey::new("closed form");
    j.setup.start = Timestamp::from_utc(2027, 1, 4, 0, 0, 0).unwrap();
    j.setup.timeout = Some(Seconds::days(2));
    j.setup.control = ControlGroups { journey_percent: Some(50), system_percent: None };
    j.setup.dnd.enabled = false;
    j.scenario.population.users = 2_000;
    j.scenario.population.activity_curve = vec![1.0; 24];
    j.scenario.activity_shape = 1.0e6;
    j.scenario.run.horizon_days = 10;
    j.scenario.run.seed = seed;
    j.scenario.events.insert("App Launched".into(), EventBehaviour::at_rate(10.0));
    let mut charged = EventBehaviour::at_rate(0.2);
    charged.properties.insert("Amount".into(), PropertyDist::Uniform { min: 10.0, max: 30.0 });
    charged.engagement.push(EngagementResponse { on: EngagementKind::Click, multiplier: 3.0, duration: Seconds::DAY });
    j.scenario.events.insert("Charged".into(), charged);
    let r = &mut j.scenario.population.reachability;
    r.push = 1.0;
    r.unsubscribed.clear();
    j.scenario.fatigue.clear();
    let mut push = ChannelRates::typical(Channel::Push);
    push.failure = 0.0;
    push.view = 1.0;
    push.click_given_view = 0.5;
    push.delay_to_view = DelayDist::Fixed(Seconds(0));
    push.delay_to_click = DelayDist::Fixed(Seconds(0));
    j.scenario.channels.insert(Channel::Push, push);
    j.goals.push(Goal {
        name: "Buy".into(),
        event: EventFilter::named("Charged"),
        mode: GoalMode::Live,
        value_property: Some("Amount".into()),
        pos: CanvasPos::new(0.0, 0.0),
    });
    let e = j.graph.entry().unwrap().id;
    let id = j.graph.next_node_id();
    let mut kind = KindTag::Channel(Channel::Push).default_kind();
    if let NodeKind::Channel { message, .. } = &mut kind {
        message.title = "Come back".into();
    }
    j.graph.nodes.insert(id, Node { id, label: "Push".into(), pos: CanvasPos::new(200.0, 0.0), kind });
    j.graph.connect(e, Port::Next, id);
    let p_c = 1.0 - (-0.4f64).exp();
    let p_t = 0.5 * (1.0 - (-0.8f64).exp()) + 0.5 * p_c;
    (j, p_t, p_c)
}

#[test]
fn the_incremental_revenue_interval_covers_the_closed_form_value() {
    let mut covered = 0;
    let seeds = 200;
    for seed in 0..seeds {
        let (j, p_t, p_c) = closed_form_journey(seed);
        let r = simulate(&j, &RunOptions { threads: Some(1), ..RunOptions::default() }, &|_| true).unwrap();
        let n_t = r.conversion.target.entries as f64;
        assert!(n_t > 800.0, "most users enter: {n_t}");
        let truth = (p_t - p_c) * 20.0 * n_t;
        let i = r.incremental.revenue.interval().expect("a control group with entries");
        if i.contains(truth) {
            covered += 1;
        }
        if seed == 0 {
            // The conversions interval is about the same lift, counted.
            let ci = r.incremental.conversions.interval().unwrap();
            assert!(ci.contains((p_t - p_c) * n_t), "{ci:?} vs {}", (p_t - p_c) * n_t);
            let net = r.incremental.net_return;
            assert!((net.value.unwrap() - (r.incremental.revenue.value.unwrap() - r.revenue.cost)).abs() < 1e-6);
        }
    }
    assert!(covered >= 180, "the 95% interval covered the true value in {covered} of {seeds} seeds");
}

#[test]
fn the_json_report_has_the_decision_figures_currency_and_suppression() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = asset("on_the_fence.journey");
    j.setup.currency = "EUR".into();
    save(&dir.path().join("a.journey"), &j).unwrap();
    let (code, out, err) = cli(dir.path(), &["simulate", "a.journey", "--users", "20000", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["currency"], "EUR");
    for k in ["conversions", "revenue", "net_return"] {
        for f in ["value", "low", "high"] {
            assert!(v["incremental"][k][f].is_number(), "incremental.{k}.{f}: {}", v["incremental"][k]);
        }
        let (lo, x, hi) = (
            v["incremental"][k]["low"].as_f64().unwrap(),
            v["incremental"][k]["value"].as_f64().unwrap(),
            v["incremental"][k]["high"].as_f64().unwrap(),
        );
        assert!(lo <= x && x <= hi, "{k}: {lo} {x} {hi}");
    }
    let s = &v["suppression"];
    assert!(s["journey"]["not_sent"].as_u64().unwrap() > 0);
    let per_channel: u64 = s["channels"].as_array().unwrap().iter().map(|c| c["not_sent"].as_u64().unwrap()).sum();
    let journey = s["journey"]["not_sent"].as_u64().unwrap();
    assert!(per_channel.abs_diff(journey) <= 3, "channels {per_channel} vs journey {journey}");
    // Existing keys keep their place and type.
    assert!(v["revenue"]["revenue_minus_cost"].is_number());
    assert!(v["trends"].as_array().unwrap().len() == 30);
    // The table shows the money in the currency and the gross revenue as gross.
    let (code, table, _) = cli(dir.path(), &["simulate", "a.journey", "--users", "20000"]);
    assert_eq!(code, 0);
    assert!(table.contains("gross revenue") && table.contains("EUR") && table.contains("net return"), "{table}");
    assert!(table.contains("suppressed"), "{table}");
}

#[test]
fn compare_prints_a_table_json_and_csv_with_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let a = asset("on_the_fence.journey");
    save(&dir.path().join("a.journey"), &a).unwrap();
    save(&dir.path().join("b.journey"), &doubled_push_clicks(&a)).unwrap();
    let base = ["compare", "a.journey", "b.journey", "--users", "20000", "--threads", "1"];
    let (code, table, err) = cli(dir.path(), &base);
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("paired 95%") && table.contains("unpaired 95%"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("Conversions") && l.ends_with("better")), "{table}");
    let (code, json, _) = cli(dir.path(), &[&base[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["figures"][0]["figure"], "conversions");
    assert_eq!(v["figures"][0]["verdict"], "better");
    assert!(v["a"]["journey"]["entered"].is_number() && v["b"]["incremental"]["revenue"].is_object());
    let out = dir.path().join("c.csv");
    let (code, stdout, _) =
        cli(dir.path(), &[&base[..], &["--format", "csv", "--out", out.to_str().unwrap()]].concat());
    assert_eq!((code, stdout.as_str()), (0, ""));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with(
            "section,key,figure,a,b,difference,paired_low,paired_high,unpaired_low,unpaired_high,verdict\n"
        )
    );
    assert!(csv.contains("headline,,conversions,") && csv.contains(",better\n"), "{csv}");
    assert!(
        csv.contains("\nnode,n3,sent,") && csv.contains("\nchannel,Push,sent,") && csv.contains("\nday,0,entered,")
    );
    // The same file twice: no detectable change anywhere, exit 0.
    let (code, same, _) = cli(dir.path(), &["compare", "a.journey", "a.journey", "--users", "5000", "--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(same.lines().filter(|l| l.starts_with("headline,")).count(), 5);
    assert!(
        same.lines().filter(|l| l.starts_with("headline,")).all(|l| l.ends_with(",no detectable change")),
        "{same}"
    );
    // A missing file is an I/O error (2); an invalid journey exits 1.
    let (code, _, err) = cli(dir.path(), &["compare", "a.journey", "missing.journey"]);
    assert_eq!(code, 2, "{err}");
    let mut bad = a.clone();
    bad.setup.name = String::new();
    save(&dir.path().join("bad.journey"), &bad).unwrap();
    let (code, _, err) = cli(dir.path(), &["compare", "a.journey", "bad.journey"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad.journey"), "{err}");
}

#[test]
fn hourly_trends_add_up_to_the_daily_ones() {
    let j = asset("on_the_fence.journey");
    let r = simulate(&j, &opts(5_000), &|_| true).unwrap();
    assert_eq!(r.trends_hourly.len(), r.trends.len() * 24);
    for d in &r.trends {
        let hours = &r.trends_hourly[d.day as usize * 24..(d.day as usize + 1) * 24];
        assert_eq!(hours[0].from, d.from);
        assert_eq!(hours.iter().map(|h| h.entered).sum::<u64>(), d.entered, "day {}", d.day);
        assert_eq!(hours.iter().map(|h| h.goal_met).sum::<u64>(), d.goal_met);
        assert_eq!(hours.iter().map(|h| h.completed).sum::<u64>(), d.completed);
        assert_eq!(hours.iter().map(|h| h.timed_out).sum::<u64>(), d.timed_out);
    }
    assert!(r.trends_hourly.iter().any(|h| h.entered > 0));
}

#[test]
fn per_bucket_node_counts_add_up_to_the_totals() {
    for name in ["on_the_fence.journey", "abandoned_cart.journey", "onboarding.journey"] {
        let j = asset(name);
        let r = simulate(&j, &opts(3_000), &|_| true).unwrap();
        for n in &r.nodes {
            let a = r.animation.nodes.iter().find(|x| x.node == n.id).unwrap();
            let sum = |v: &[u32]| v.iter().map(|x| u64::from(*x)).sum::<u64>();
            assert_eq!(a.arrivals.len(), r.animation.buckets);
            assert_eq!(sum(&a.arrivals), n.entered, "{name} {}", n.id);
            assert_eq!(sum(&a.sent), n.channel.as_ref().map_or(0, |c| c.sent), "{name} {}", n.id);
            assert_eq!(sum(&a.timed_out), n.timed_out, "{name} {}", n.id);
            assert_eq!(sum(&a.clicked), n.channel.as_ref().map_or(0, |c| c.clicked), "{name} {}", n.id);
            assert_eq!(sum(&a.unreachable), n.channel.as_ref().map_or(0, |c| c.unreachable), "{name} {}", n.id);
            // Everyone who arrived is still there, met a goal there, timed out there, or left.
            assert!(sum(&a.goals) + sum(&a.timed_out) <= n.entered, "{name} {}", n.id);
        }
        let node_goals: u64 = r.animation.nodes.iter().flat_map(|a| &a.goals).map(|x| u64::from(*x)).sum();
        let attributed: u64 = r.nodes.iter().map(|n| n.goal_before + n.goal_at).sum();
        assert_eq!(node_goals, attributed, "{name}");
        for (g, a) in r.goals.iter().zip(&r.animation.goals) {
            assert_eq!(a.name, g.name);
            assert_eq!(a.met.iter().map(|x| u64::from(*x)).sum::<u64>(), g.met, "{name} {}", g.name);
        }
    }
}
