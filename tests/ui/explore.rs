//! The plan and explore window driven as a user would: Simulate › Plan test…, a split's
//! "Plan test…", right-click a field → "Sweep this value…", Simulate › Tornado… and a
//! click on a tornado row. Each tool runs on its worker, draws its chart, and shows the
//! figures the engine gives for the same inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use journey_studio::app::App;
use journey_studio::app::explore::Tool;
use journey_studio::app::preview::RunInputs;
use journey_studio::model::setting::SettingPath;
use journey_studio::model::{Journey, NodeId};
use journey_studio::sim::explore::{sweep, sweep_values};
use journey_studio::sim::planner::TestKind;

use crate::harness_support;

fn harness(journey: Journey, data_dir: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 1e9);
    h.run_steps(3);
    h
}

fn example(name: &str, users: u64) -> Journey {
    let mut j = journey_studio::format::load(&std::path::Path::new("assets").join(name)).expect("example");
    j.scenario.population.users = users;
    j.scenario.run.replicates = 1;
    j
}

fn step_until(h: &mut Harness<'_, App>, secs: u64, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < Duration::from_secs(secs), "timed out waiting");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

fn menu(h: &mut Harness<'_, App>, top: &str, item: &str) {
    // The menu bar's, above the run bar's button of the same name.
    let at = h.query_all_by_label(top).map(|n| n.rect()).min_by(|a, b| a.top().total_cmp(&b.top())).unwrap().center();
    pointer(h, at, egui::PointerButton::Primary);
    // Menu items carry their (empty) shortcut text after the label.
    h.get_all_by_role(Role::Button)
        .find(|n| n.accesskit_node().label().is_some_and(|l| l.trim() == item))
        .expect("the menu item")
        .click();
    h.run_steps(3);
}

fn pointer(h: &mut Harness<'_, App>, pos: Pos2, button: egui::PointerButton) {
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton { pos, button, pressed, modifiers: Modifiers::NONE });
    }
    h.run_steps(3);
}

fn run_tool(h: &mut Harness<'_, App>) {
    h.get_by_role_and_label(Role::Button, "Run").click();
    h.run_steps(2);
    step_until(h, 300, |a| !a.explore().is_running());
}

#[test]
fn the_planner_runs_from_the_menu_and_draws_its_power_curve() {
    let dir = tempfile::tempdir().unwrap();
    let j = example("on_the_fence.journey", 2_000);
    let mut h = harness(j, dir.path());
    menu(&mut h, "Simulate", "Plan test…");
    assert!(h.state().explore().open);
    assert_eq!(h.state().explore().tool, Tool::Plan);
    let field = h.get_by_label("Baseline conversion %");
    field.focus();
    h.run();
    h.get_by_label("Baseline conversion %").type_text("10");
    h.run_steps(2);
    run_tool(&mut h);
    let plan = h.state().explore().plan().cloned().expect("a plan");
    assert_eq!(plan.per_arm_equal, 3841);
    h.get_by_label("per arm (equal allocation): 3,841");
    assert!(plan.days_needed.is_some());
    // The power curve is drawn, against days, crossing the target power.
    assert!(plan.power_by_days.first().unwrap().1 < 0.8 && plan.power_by_days.last().unwrap().1 > 0.8);
    assert!(h.query_by_label_contains("Power curve against").is_some());
    harness_support::screenshot(&mut h, "plan_test.png");
    // An impossible effect is a clear message, not a run.
    h.get_by_label("Minimum detectable effect").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Minimum detectable effect").type_text("twenty");
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Run").click();
    h.run_steps(3);
    assert!(h.state().explore().error().unwrap().contains("2pt"));
}

#[test]
fn a_splits_plan_test_button_and_a_fields_sweep_menu_open_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let j = example("onboarding.journey", 1_000);
    let split =
        j.graph.nodes.values().find(|n| n.kind.tag() == journey_studio::model::KindTag::RandomSplit).unwrap().id;
    let mut h = harness(j, dir.path());
    h.key_press_modifiers(Modifiers::NONE, Key::F);
    h.run_steps(2);
    let card = h.state().node_screen_rect(split).unwrap().center();
    pointer(&mut h, card, egui::PointerButton::Primary);
    assert_eq!(h.state().selected_nodes(), vec![split]);
    h.get_by_role_and_label(Role::Button, "Plan test…").click_accesskit();
    h.run_steps(3);
    assert!(h.state().explore().open);
    assert_eq!(h.state().explore().test, TestKind::Split(split));
    // Right-click the first path's percentage: "Sweep this value…".
    h.get_by_role_and_label(Role::TextInput, "Path 1 %").click_secondary();
    h.run_steps(3);
    h.get_by_label("Sweep this value…").click();
    h.run_steps(3);
    assert_eq!(h.state().explore().tool, Tool::Sweep);
    assert_eq!(h.state().explore().path, format!("node.{split}.paths.p1.percent"));
}

#[test]
fn a_sweep_runs_and_shows_the_engines_figures_and_the_tornado_opens_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let j = example("on_the_fence.journey", 600);
    let mut h = harness(j.clone(), dir.path());
    menu(&mut h, "Simulate", "Sweep…");
    assert_eq!(h.state().explore().tool, Tool::Sweep);
    assert_eq!(h.state().explore().path, "scenario.channels.Push.click_given_view");
    run_tool(&mut h);
    let shown = h.state().explore().sweep().cloned().expect("a sweep");
    // The same sweep straight from the engine, with the run bar's inputs.
    let ex = h.state().explore();
    let path = SettingPath::parse(&ex.path, &j).unwrap();
    let values = sweep_values(&path, ex.from.parse().unwrap(), ex.to.parse().unwrap(), ex.steps).unwrap();
    let mut opts = RunInputs::from_journey(&j).options(1);
    opts.trajectory_sample = 0;
    opts.replicates = Some(ex.replicates);
    let engine = sweep(&j, &path, &values, &opts, &|_| true).unwrap();
    assert_eq!(shown, engine);
    assert!(h.query_all_by_label_contains("95% band").next().is_some(), "the sweep's table and chart show");
    harness_support::screenshot(&mut h, "sweep.png");
    // The tornado, then a click on its top row opens that input's sweep.
    let mut j2 = j;
    j2.scenario.population.users = 150;
    drop(h);
    let mut h = harness(j2, dir.path());
    menu(&mut h, "Simulate", "Tornado…");
    assert_eq!(h.state().explore().tool, Tool::Tornado);
    run_tool(&mut h);
    let t = h.state().explore().tornado().cloned().expect("a tornado");
    assert!(t.bars.windows(2).all(|w| w[0].swing >= w[1].swing));
    harness_support::screenshot(&mut h, "tornado.png");
    let top = t.bars[0].setting.clone();
    h.get_by_label(&top).click_accesskit();
    h.run_steps(3);
    assert_eq!(h.state().explore().tool, Tool::Sweep);
    assert_eq!(h.state().explore().path, top);
    let _ = NodeId(0);
}
