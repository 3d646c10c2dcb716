//! Personalization (SPEC §4) end to end: `{% abort %}` shares in the engine, Liquid
//! profile-update values, and `validate` reporting template errors with their position.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use journey_studio::format::to_ron;
use journey_studio::model::*;
use journey_studio::sim::report::{NodeStats, Report};
use journey_studio::sim::{RunOptions, simulate};

use super::cli;

/// Live entry on `App Launched` → Push (body given) → Exit on Sent and Unreachable; everyone reachable,
/// no failures; `tier` is gold for `gold_share` of the users.
fn push_journey(users: u64, body: &str, gold_share: f64) -> (Journey, NodeId) {
    let mut j = Journey::new("liquid");
    j.setup.start = Timestamp::from_utc(2027, 1, 4, 0, 0, 0).unwrap();
    j.setup.timeout = None;
    j.scenario.population.users = users;
    j.scenario.run.horizon_days = 3;
    j.scenario.events.insert("App Launched".into(), EventBehaviour::at_rate(2.0));
    j.scenario.population.properties.insert(
        "tier".into(),
        PropertyDist::Categorical(vec![("gold".into(), gold_share), ("silver".into(), 1.0 - gold_share)]),
    );
    let r = &mut j.scenario.population.reachability;
    r.push = 1.0;
    r.unsubscribed.clear();
    j.scenario.fatigue.clear();
    let mut rates = ChannelRates::typical(Channel::Push);
    rates.failure = 0.0;
    j.scenario.channels.insert(Channel::Push, rates);
    let mut kind = KindTag::Channel(Channel::Push).default_kind();
    if let NodeKind::Channel { message, .. } = &mut kind {
        message.title = "Hello".into();
        message.body = body.into();
    }
    let push = add(&mut j, kind);
    let exit = add(&mut j, NodeKind::Exit);
    let entry = j.graph.entry().unwrap().id;
    j.graph.connect(entry, Port::Next, push);
    j.graph.connect(push, Port::Sent, exit);
    j.graph.connect(push, Port::Unreachable, exit);
    (j, push)
}

fn add(j: &mut Journey, kind: NodeKind) -> NodeId {
    let id = j.graph.next_node_id();
    j.graph.nodes.insert(id, Node { id, label: format!("node {}", id.0), pos: CanvasPos::new(0.0, 0.0), kind });
    id
}

fn run(j: &Journey) -> Report {
    simulate(j, &RunOptions { threads: Some(1), ..RunOptions::default() }, &|_| true).unwrap()
}

fn node(r: &Report, id: NodeId) -> &NodeStats {
    r.nodes.iter().find(|n| n.id == id).unwrap()
}

const GOLD_ABORTS: &str = "{% if Profile.tier == \"gold\" %}{% abort %}{% endif %}Hi {{ Profile.tier }}";

#[test]
fn abort_share_matches_the_gold_share() {
    let (j, push) = push_journey(20_000, GOLD_ABORTS, 0.3);
    let r = run(&j);
    let n = node(&r, push);
    let k = n.channel.as_ref().unwrap();
    let arrived = n.entered;
    assert!(arrived > 15_000, "{arrived}");
    // Aborted messages are routed as unreachable users, and not sent.
    assert_eq!(k.aborted + k.sent, arrived);
    let unreachable = n.ports.iter().find(|p| p.port == Port::Unreachable).map_or(0, |p| p.moved);
    assert_eq!(unreachable, k.aborted);
    let (a, m, p) = (k.aborted as f64, arrived as f64, 0.3);
    let z = (a - m * p) / (m * p * (1.0 - p)).sqrt();
    assert!(z.abs() < 4.0, "aborted {a} of {m}: z = {z}");
    // The suppression summary counts them too.
    assert_eq!(r.suppression.journey.aborted, k.aborted);
    assert!(r.suppression.journey.not_sent >= k.aborted);
}

#[test]
fn without_abort_nothing_is_aborted_and_sends_are_unchanged() {
    // The same journey with personalised text but no abort sends exactly as plain text:
    // nothing that cannot abort is rendered, and no stream moves.
    let (plain, push) = push_journey(2_000, "Hi there", 0.3);
    let (liquid, _) = push_journey(2_000, "Hi {{ Profile.tier | upcase }}", 0.3);
    let (a, b) = (run(&plain), run(&liquid));
    assert_eq!(node(&a, push), node(&b, push));
    assert_eq!(node(&b, push).channel.as_ref().unwrap().aborted, 0);
}

#[test]
fn liquid_profile_update_values_are_applied() {
    let (mut j, push) = push_journey(2_000, "Hello", 0.5);
    // Before the push: Greeting = "VIP-" + tier upcased; Score increased by a Liquid number.
    let update = add(
        &mut j,
        NodeKind::ProfileUpdate {
            rows: vec![
                ProfileUpdateRow {
                    property: "Greeting".into(),
                    op: UpdateOp::SetTo,
                    value: "VIP-{{ Profile.tier | upcase }}".into(),
                },
                ProfileUpdateRow {
                    property: "Score".into(),
                    op: UpdateOp::IncreaseBy,
                    value: "{% if Profile.tier == 'gold' %}10{% else %}1{% endif %}".into(),
                },
            ],
        },
    );
    let entry = j.graph.entry().unwrap().id;
    j.graph.connect(entry, Port::Next, update);
    j.graph.connect(update, Port::Updated, push);
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&push).map(|n| &mut n.kind) {
        message.body = "{% if Profile.Greeting == \"VIP-GOLD\" and Profile.Score > 5 %}{% abort %}{% endif %}Hi".into();
    }
    let r = run(&j);
    let n = node(&r, push);
    let k = n.channel.as_ref().unwrap();
    let (a, m) = (k.aborted as f64, n.entered as f64);
    let z = (a - m * 0.5) / (m * 0.25).sqrt();
    assert!(k.aborted > 0 && z.abs() < 4.0, "aborted {a} of {m}: z = {z}");
}

#[test]
fn event_properties_render_from_the_event_in_context() {
    let (mut j, push) = push_journey(2_000, "", 0.0);
    let mut launched = EventBehaviour::at_rate(2.0);
    launched.properties.insert("Screen".into(), PropertyDist::Categorical(vec![("home".into(), 1.0)]));
    j.scenario.events.insert("App Launched".into(), launched);
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&push).map(|n| &mut n.kind) {
        message.body = "{% if Event.Screen == 'home' %}{% abort %}{% endif %}Hi".into();
    }
    let r = run(&j);
    let n = node(&r, push);
    assert!(n.entered > 0);
    assert_eq!(n.channel.as_ref().unwrap().aborted, n.entered);
}

#[test]
fn validate_reports_template_errors_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let (mut j, push) = push_journey(100, "Hello\n{% if Profile.tier == 'gold' %}\nGold!", 0.3);
    std::fs::write(dir.path().join("bad.journey"), to_ron(&j)).unwrap();
    let out = cli::run(dir.path(), &["validate", "bad.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let want = format!("bad.journey:{push}: error: Push 'node {}': the body, line 2, column 1: ", push.0);
    assert!(out.stdout.lines().any(|l| l.starts_with(&want)), "want {want:?} in\n{}", out.stdout);
    // `include` is refused; an unknown property without a default is a warning (exit 0).
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&push).map(|n| &mut n.kind) {
        message.body = "{% include 'header' %}".into();
    }
    std::fs::write(dir.path().join("bad.journey"), to_ron(&j)).unwrap();
    let out = cli::run(dir.path(), &["validate", "bad.journey"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("is not allowed"), "{}", out.stdout);
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&push).map(|n| &mut n.kind) {
        message.body = "Hi {{ Profile.nickname }}".into();
    }
    std::fs::write(dir.path().join("warn.journey"), to_ron(&j)).unwrap();
    let out = cli::run(dir.path(), &["validate", "warn.journey"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let want =
        format!("warn.journey:{push}: warning: Push 'node {}': the body, line 1, column 7: `Profile.nickname`", push.0);
    assert!(out.stdout.lines().any(|l| l.starts_with(&want)), "want {want:?} in\n{}", out.stdout);
}
