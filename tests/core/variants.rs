//! Content variants (§1.3): old files load unchanged, validation, the sticky keyed
//! assignment and its shares, the scenario's multipliers, the report's new keys and the
//! CLI table lines.
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

use std::path::Path;

use journey_studio::format;
use journey_studio::model::*;
use journey_studio::sim::report::{Report, VariantStats};
use journey_studio::sim::{RunOptions, simulate};
use journey_studio::validate::{Field, Rule, Severity, validate};

const FIXTURE: &str = "tests/fixtures/v1_before_variants.journey";

/// Entry on `App Launched` (once per user), a push node, an exit; everyone reachable,
/// nothing fails. Returns the journey and the push node's id.
fn push_journey(users: u64) -> (Journey, NodeId) {
    let mut j = Journey::new("variants");
    j.setup.start = Timestamp::from_utc(2027, 1, 4, 0, 0, 0).unwrap();
    j.setup.timeout = None;
    j.scenario.population.users = users;
    j.scenario.run.horizon_days = 5;
    j.scenario.events.insert("App Launched".into(), EventBehaviour::at_rate(2.0));
    let r = &mut j.scenario.population.reachability;
    r.push = 1.0;
    r.unsubscribed.clear();
    j.scenario.fatigue.clear();
    let mut rates = ChannelRates::typical(Channel::Push);
    rates.failure = 0.0;
    rates.click_given_view = 0.1;
    j.scenario.channels.insert(Channel::Push, rates);
    let entry = j.graph.entry().unwrap().id;
    let push = add(&mut j, KindTag::Channel(Channel::Push).default_kind());
    let exit = add(&mut j, NodeKind::Exit);
    if let NodeKind::Channel { message, .. } = &mut j.graph.nodes.get_mut(&push).unwrap().kind {
        message.title = "Title".into();
    }
    j.graph.connect(entry, Port::Next, push);
    j.graph.connect(push, Port::Sent, exit);
    (j, push)
}

fn add(j: &mut Journey, kind: NodeKind) -> NodeId {
    let id = j.graph.next_node_id();
    j.graph.nodes.insert(id, Node { id, label: format!("node {}", id.0), pos: CanvasPos::new(0.0, 0.0), kind });
    id
}

fn variant(id: u32, name: &str, percent: u8) -> ContentVariant {
    ContentVariant {
        id: VariantId(id),
        name: name.into(),
        percent,
        message: Message { title: format!("Title {name}"), body: format!("Body {name}"), ..Message::default() },
    }
}

fn set_variants(j: &mut Journey, node: NodeId, vs: Vec<ContentVariant>) {
    if let NodeKind::Channel { variants, .. } = &mut j.graph.nodes.get_mut(&node).unwrap().kind {
        *variants = vs;
    }
}

fn run(j: &Journey, threads: usize) -> Report {
    simulate(j, &RunOptions { threads: Some(threads), ..RunOptions::default() }, &|_| true).unwrap()
}

fn variants(r: &Report, node: NodeId) -> &[VariantStats] {
    &r.nodes.iter().find(|n| n.id == node).unwrap().variants
}

fn errors_of(j: &Journey, rule: Rule) -> Vec<String> {
    validate(j).into_iter().filter(|d| d.rule == rule && d.severity == Severity::Error).map(|d| d.message).collect()
}

#[test]
fn a_file_saved_before_variants_loads_and_saves_unchanged() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("variant"), "the fixture predates variants");
    let j = format::load(&path).unwrap();
    let channels: Vec<&Node> = j.graph.nodes.values().filter(|n| matches!(n.kind, NodeKind::Channel { .. })).collect();
    assert!(!channels.is_empty());
    assert!(channels.iter().all(|n| n.kind.variants().is_empty()));
    assert!(j.scenario.variant_effects.is_empty());
    assert_eq!(format::to_ron(&j), text, "saving an unchanged old file gives identical bytes");
    assert!(validate(&j).iter().all(|d| d.severity != Severity::Error));
    let r = run(&j, 1);
    assert!(r.nodes.iter().all(|n| n.variants.is_empty()));
    let json = journey_studio::figures::export::json(&r).unwrap();
    assert!(!json.contains("\"variants\""), "no new key for journeys without variants");
}

#[test]
fn variants_and_multipliers_round_trip() {
    let (mut j, push) = push_journey(10);
    set_variants(&mut j, push, vec![variant(1, "A", 40), variant(2, "B", 60)]);
    j.scenario.variant_effects.push(VariantEffect { node: push, variant: VariantId(2), view: 1.2, click: 2.0 });
    let text = format::to_ron(&j);
    assert!(text.contains("variants: ["), "{text}");
    assert!(text.contains("variant_effects: ["), "{text}");
    let back = format::from_ron(&text).unwrap();
    assert_eq!(back, j);
    assert_eq!(format::to_ron(&back), text);
}

#[test]
fn validation_checks_count_total_and_names() {
    let (mut j, push) = push_journey(10);
    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(2, "B", 50)]);
    assert!(errors_of(&j, Rule::ContentVariants).is_empty(), "{:?}", validate(&j));

    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(2, "B", 40)]);
    let e = errors_of(&j, Rule::ContentVariants);
    assert!(e.iter().any(|m| m.contains("add up to 90%")), "{e:?}");

    set_variants(&mut j, push, vec![variant(1, "A", 100)]);
    let e = errors_of(&j, Rule::ContentVariants);
    assert!(e.iter().any(|m| m.contains("has 1 content variants") && m.contains("2 to 5")), "{e:?}");

    let six: Vec<ContentVariant> =
        (0..6).map(|i| variant(i + 1, &ContentVariant::letter(i as usize), if i < 4 { 16 } else { 18 })).collect();
    set_variants(&mut j, push, six);
    let e = errors_of(&j, Rule::ContentVariants);
    assert!(e.iter().any(|m| m.contains("has 6 content variants")), "{e:?}");

    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(2, " a ", 50)]);
    let e = errors_of(&j, Rule::ContentVariants);
    assert!(e.iter().any(|m| m.contains("two content variants are named")), "{e:?}");

    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(1, "B", 50)]);
    assert!(errors_of(&j, Rule::ContentVariants).iter().any(|m| m.contains("share an id")));

    let mut empty = variant(2, "B", 50);
    empty.message.body.clear();
    set_variants(&mut j, push, vec![variant(1, "A", 50), empty]);
    let d: Vec<_> = validate(&j).into_iter().filter(|d| d.rule == Rule::RequiredField).collect();
    assert!(d.iter().any(|d| d.field == Some(Field::Variant(1)) && d.message.contains("variant 'B'")), "{d:?}");
}

#[test]
fn liquid_is_checked_in_every_variant() {
    let (mut j, push) = push_journey(10);
    let mut b = variant(2, "B", 50);
    b.message.body = "Hi {{ Profile.name | default: 'you' ".into();
    set_variants(&mut j, push, vec![variant(1, "A", 50), b]);
    let d: Vec<_> = validate(&j).into_iter().filter(|d| d.rule == Rule::Liquid).collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, Some(Field::Variant(1)));
    assert!(d[0].message.contains("variant 'B' body"), "{}", d[0].message);
}

#[test]
fn multipliers_are_validated() {
    let (mut j, push) = push_journey(10);
    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(2, "B", 50)]);
    j.scenario.variant_effects.push(VariantEffect { node: push, variant: VariantId(2), view: f64::NAN, click: -1.0 });
    let d: Vec<_> = validate(&j).into_iter().filter(|d| d.field == Some(Field::VariantEffect(0))).collect();
    assert_eq!(d.iter().filter(|d| d.severity == Severity::Error).count(), 2, "{d:?}");
    j.scenario.variant_effects[0] = VariantEffect { node: push, variant: VariantId(9), view: 1.0, click: 1.0 };
    let d: Vec<_> = validate(&j).into_iter().filter(|d| d.field == Some(Field::VariantEffect(0))).collect();
    assert!(d.iter().all(|d| d.severity == Severity::Warning) && d.len() == 1, "{d:?}");
}

#[test]
fn variant_shares_follow_their_percentages() {
    let (mut j, push) = push_journey(30_000);
    set_variants(&mut j, push, vec![variant(1, "A", 20), variant(2, "B", 30), variant(3, "C", 50)]);
    let r = run(&j, 2);
    let vs = variants(&r, push);
    assert_eq!(vs.len(), 3);
    let total: u64 = vs.iter().map(|v| v.sent).sum();
    assert_eq!(total, r.nodes.iter().find(|n| n.id == push).unwrap().channel.as_ref().unwrap().sent);
    assert!(total > 20_000, "{total}");
    for v in vs {
        let p = f64::from(v.percent) / 100.0;
        let n = total as f64;
        let z = (v.sent as f64 - n * p) / (n * p * (1.0 - p)).sqrt();
        assert!(z.abs() < 4.0, "variant {} sent {} of {total}, z = {z}", v.name, v.sent);
        let share = v.sent_share.rate.unwrap();
        assert!((share - v.sent as f64 / n).abs() < 1e-12);
    }
    assert!(vs[0].vs_first.is_none() && vs[1].vs_first.is_some());
}

#[test]
fn a_click_multiplier_of_two_doubles_the_clicks() {
    let (mut j, push) = push_journey(40_000);
    set_variants(&mut j, push, vec![variant(1, "A", 50), variant(2, "B", 50)]);
    j.scenario.variant_effects.push(VariantEffect { node: push, variant: VariantId(2), view: 1.0, click: 2.0 });
    let r = run(&j, 1);
    let vs = variants(&r, push);
    let (a, b) = (&vs[0], &vs[1]);
    let (pa, pb) = (a.clicked as f64 / a.sent as f64, b.clicked as f64 / b.sent as f64);
    // B's click rate against twice A's: the difference's standard error.
    let se = (pb * (1.0 - pb) / b.sent as f64 + 4.0 * pa * (1.0 - pa) / a.sent as f64).sqrt();
    let z = (pb - 2.0 * pa) / se;
    assert!(z.abs() < 4.0, "A {pa:.4} of {}, B {pb:.4} of {}, z = {z}", a.sent, b.sent);
    assert!(pa > 0.05 && pa < 0.15, "A clicks at about the scenario's 10%: {pa}");
    let d = b.vs_first.unwrap().click_rate;
    assert!(d.low.unwrap() > 0.0 && d.value.unwrap() > 0.0, "{d:?}");
}

#[test]
fn variant_runs_are_the_same_on_any_thread_count() {
    let (mut j, push) = push_journey(5_000);
    set_variants(&mut j, push, vec![variant(1, "A", 34), variant(2, "B", 33), variant(3, "C", 33)]);
    j.scenario.variant_effects.push(VariantEffect { node: push, variant: VariantId(3), view: 1.0, click: 1.5 });
    let one = journey_studio::figures::export::json(&run(&j, 1)).unwrap();
    let two = journey_studio::figures::export::json(&run(&j, 2)).unwrap();
    assert_eq!(one, two);
}

#[test]
fn variants_do_not_change_what_the_rest_of_the_journey_draws() {
    // The variant draw has a stream of its own: with equal content and no multipliers,
    // every figure but the new `variants` key is as without variants.
    let (j, push) = push_journey(3_000);
    let mut with = j.clone();
    set_variants(&mut with, push, vec![variant(1, "A", 50), variant(2, "B", 50)]);
    let (plain, mut split) = (run(&j, 1), run(&with, 1));
    for n in &mut split.nodes {
        n.variants.clear();
    }
    assert_eq!(plain, split);
}

#[test]
fn the_json_and_the_table_show_each_variant() {
    let (mut j, push) = push_journey(2_000);
    set_variants(&mut j, push, vec![variant(1, "Control copy", 50), variant(2, "Urgent", 50)]);
    let r = run(&j, 1);
    let json: serde_json::Value = serde_json::from_str(&journey_studio::figures::export::json(&r).unwrap()).unwrap();
    let node = json["nodes"].as_array().unwrap().iter().find(|n| n["id"] == push.0).unwrap();
    let v = node["variants"].as_array().unwrap();
    assert_eq!(v.len(), 2);
    for key in ["variant", "name", "percent", "sent", "viewed", "clicked", "conversions", "click_rate", "vs_first"] {
        assert!(v[1].get(key).is_some(), "missing {key}");
    }
    assert!(v[0]["vs_first"].is_null());
    assert!(v[1]["vs_first"]["click_rate"]["low"].is_number());
    let table = journey_studio::figures::export::table("variants", &r);
    assert!(table.contains("variants of n"), "{table}");
    assert!(table.contains("Urgent vs Control copy: view"), "{table}");
}

#[test]
fn the_planner_plans_a_content_variant_test() {
    use journey_studio::sim::planner::{Effect, PlanInputs, TestKind, plan, test_for_node};
    let (mut j, push) = push_journey(2_000);
    let inputs = |test| PlanInputs {
        test,
        baseline_rate: Some(0.1),
        mde: Effect::Relative(0.2),
        alpha: 0.05,
        power: 0.8,
        test_days: None,
        simulate: None,
    };
    let opts = RunOptions { threads: Some(1), ..RunOptions::default() };
    let err = plan(&j, &inputs(TestKind::Variants(push)), &opts, &|_| true).unwrap_err();
    assert!(err.to_string().contains("no content variants"), "{err}");
    set_variants(&mut j, push, vec![variant(1, "A", 25), variant(2, "B", 75)]);
    assert_eq!(test_for_node(&j, push), TestKind::Variants(push));
    let p = plan(&j, &inputs(TestKind::Variants(push)), &opts, &|_| true).unwrap();
    assert_eq!(p.per_arm_equal, 3841, "the same z-test as for any two arms");
    let arms: Vec<(&str, f64)> = p.arms.iter().map(|a| (a.name.as_str(), a.share)).collect();
    assert_eq!(arms, [("A", 0.25), ("B", 0.75)]);
    assert!(p.entries_per_day > 0.0, "messages sent per day come from the forecast");
    assert!(p.test.contains("content variants"));
}
