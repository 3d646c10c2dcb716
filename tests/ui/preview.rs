//! The simulation preview driven through egui_kittest, as a user would: F5, the run bar's
//! Cancel, the timeline's scrubber, Keep as baseline. Figures shown are checked against
//! the engine's own report for the same journey and seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::harness_support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use journey_studio::app::App;
use journey_studio::app::preview::{RunInputs, animation, timeline};
use journey_studio::figures::text::{count_line, fmt_count, rate_line, share};
use journey_studio::model::{Journey, NodeId};
use journey_studio::sim::{Report, simulate};

/// Builds every harness: a 1400×860 window, no autosave, no native dialogs.
fn harness(journey: Journey, data_dir: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 1e9);
    h.run_steps(3);
    h
}

/// The bundled example with a small population, so a debug run takes a moment.
fn example(users: u64) -> Journey {
    let mut j = journey_studio::format::load(std::path::Path::new("assets/on_the_fence.journey")).expect("example");
    j.scenario.population.users = users;
    j
}

/// The engine's report for what the run bar would run.
fn engine_report(j: &Journey) -> Report {
    simulate(j, &RunInputs::from_journey(j).options(1), &|_| true).expect("engine runs")
}

/// Steps frames until `done` or the timeout.
fn step_until(h: &mut Harness<'_, App>, secs: u64, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(start.elapsed() < Duration::from_secs(secs), "timed out waiting");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

/// F5, then steps until the run's report arrives.
fn run_to_end(h: &mut Harness<'_, App>) {
    press(h, Key::F5);
    step_until(h, 120, |a| a.report().is_some());
}

fn press(h: &mut Harness<'_, App>, key: Key) {
    h.key_press_modifiers(Modifiers::NONE, key);
    h.run_steps(2);
}

fn click(h: &mut Harness<'_, App>, pos: Pos2) {
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run_steps(3);
}

#[test]
fn f5_runs_the_example_and_the_summary_shows_the_engines_figures() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    let expected = engine_report(&j);
    let mut h = harness(j, dir.path());
    assert!(h.state().report().is_none());
    run_to_end(&mut h);
    // Same figures as the engine on one thread (the app's pool size never changes them).
    let shown = h.state().report().unwrap().clone();
    assert_eq!(shown, expected);
    h.get_by_label(&count_line("Entered", expected.journey.entered, None));
    h.get_by_label(&count_line("Goal met", expected.journey.goal_met, None));
    h.get_by_label(&count_line("Qualified", expected.journey.qualified, None));
    assert!(expected.journey.entered > 0, "the example lets users in");
    assert!(!h.state().results_stale());
}

#[test]
fn the_statistics_panels_keep_the_canvas_zoom_and_a_journey_opens_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(example(3_000), dir.path());
    let width = |h: &Harness<'_, App>| h.state().node_screen_rect(NodeId(1)).unwrap().width();
    let before = width(&h);
    // Opened at the least opening zoom or more (the card is 200 units wide), from the entry end.
    let least = journey_studio::app::theme::MIN_OPEN_ZOOM;
    assert!(before >= least * 200.0 - 0.5, "cards open {before} px wide");
    let entry = h.state().node_screen_rect(NodeId(1)).unwrap();
    assert!(h.state().canvas_screen_rect().contains_rect(entry), "the entry is in view");
    run_to_end(&mut h);
    assert!(h.state().canvas_screen_rect().height() < 700.0, "the statistics panel took room");
    assert!((width(&h) - before).abs() < 0.5, "cards kept their size: {before} then {}", width(&h));
}

#[test]
fn scrubbing_the_timeline_moves_node_counts_along_the_engines_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    let report = h.state().report().unwrap().clone();
    // The busiest node over time, and the bucket where it peaks.
    let (node, peak) = report
        .animation
        .nodes
        .iter()
        .flat_map(|n| n.occupancy.iter().enumerate().map(move |(b, o)| (*o, n.node, b)))
        .max()
        .map(|(_, n, b)| (n, b))
        .unwrap();
    let slider = h.get_by_role(Role::Slider).rect();
    let mut seen = Vec::new();
    for frac in [0.0f32, 0.25, 0.5, 0.75, 1.0] {
        let x = slider.left() + 1.0 + (slider.width() - 2.0) * frac;
        click(&mut h, Pos2::new(x, slider.center().y));
        let secs = h.state().preview().clock.secs;
        let b = timeline::bucket_at(&report, secs).unwrap();
        let (waiting, passed) = h.state().node_counts_now(node).unwrap();
        let occ = report.animation.nodes.iter().find(|n| n.node == node).unwrap().occupancy[b];
        assert_eq!(waiting, u64::from(occ), "waiting at bucket {b} is the engine's occupancy");
        assert_eq!((waiting, passed), animation::node_counts(&report, node, b).unwrap());
        seen.push((b, passed));
    }
    // The scrubber moved the clock through the horizon and "passed" never goes down.
    assert_eq!(seen[0].0, 0);
    assert_eq!(seen[4].0, report.animation.buckets - 1);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{seen:?}");
    assert!(seen.iter().any(|(b, _)| *b > 0 && *b < report.animation.buckets - 1));
    let _ = peak;
}

#[test]
fn cancel_stops_a_long_run() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(80_000_000);
    let mut h = harness(j, dir.path());
    press(&mut h, Key::F5);
    assert!(h.state().preview().is_running(), "the run started");
    h.step();
    let bar = {
        use egui_kittest::kittest::NodeT;
        h.get_by_role(Role::ProgressIndicator).accesskit_node().label().unwrap_or_default()
    };
    assert!(bar.contains(" %"), "the progress bar reads {bar:?}");
    let cancel = h.get_by_role_and_label(Role::Button, "Cancel").rect().center();
    click(&mut h, cancel);
    step_until(&mut h, 60, |a| !a.preview().is_running());
    assert!(h.state().preview().cancelled);
    assert!(h.state().report().is_none());
    h.get_by_label("Run cancelled");
}

#[test]
fn baseline_comparison_shows_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    let before = engine_report(&j);
    let mut h = harness(j.clone(), dir.path());
    run_to_end(&mut h);
    let keep = h.get_by_role_and_label(Role::Button, "Keep as baseline").rect().center();
    click(&mut h, keep);
    // What-if: drop path A's email (node 11); its wait then completes users directly.
    press(&mut h, Key::F);
    let card = h.state().node_screen_rect(NodeId(11)).unwrap().center();
    click(&mut h, card);
    assert_eq!(h.state().selected_nodes(), vec![NodeId(11)]);
    press(&mut h, Key::Delete);
    assert!(!h.state().journey().graph.nodes.contains_key(&NodeId(11)));
    assert!(h.state().results_stale(), "editing marks the results stale");
    assert!(h.query_by_label_contains("Results are stale").is_some());
    let after_journey = h.state().journey().clone();
    let after = engine_report(&after_journey);
    press(&mut h, Key::F5);
    step_until(&mut h, 120, |a| a.report().is_some_and(|r| *r == after));
    assert!(!h.state().results_stale());
    // Clicking the node opened its stats; back to the summary.
    let tab = h.get_by_label("Summary").rect().center();
    click(&mut h, tab);
    let line = rate_line(
        "Goal met rate",
        share(after.journey.goal_met, after.journey.entered),
        Some(share(before.journey.goal_met, before.journey.entered)),
    );
    assert!(line.contains("(was "), "{line}");
    h.get_by_label(&line);
    let line = count_line("Goal met", after.journey.goal_met, Some(before.journey.goal_met));
    h.get_by_label(&line);
    assert_ne!(before.journey.goal_met, after.journey.goal_met, "the what-if changed the outcome");
    // The run was paired with the baseline: the summary has both values, the difference,
    // both intervals and a verdict per headline figure.
    let paired = h.state().preview().outcome.as_ref().unwrap().paired.clone().expect("a paired run");
    assert_eq!(paired.baseline.journey, before.journey, "the baseline re-ran on the same users");
    h.get_by_label("Compared with the baseline on the same users (paired)");
    for f in &paired.figures {
        assert!(["better", "worse", "no detectable change"].contains(&f.verdict.as_str()));
    }
    assert!(!h.query_all_by_label(paired.figures[0].verdict.as_str()).collect::<Vec<_>>().is_empty());
    // Every other tab opens with the comparison line and shows both values.
    for tab in ["Node", "Channels", "Trends", "Funnel", "Splits", "Follow a user"] {
        h.get_by_role_and_label(Role::Button, tab).click();
        h.run_steps(3);
        h.get_by_label("Against the baseline (same users):");
    }
    h.get_by_role_and_label(Role::Button, "Channels").click();
    h.run_steps(3);
    // Path A's push (node 9) sends as many or more once the email is gone: both values show.
    let now = after.nodes.iter().find(|n| n.id == NodeId(9)).unwrap().channel.as_ref().unwrap().sent;
    let was = before.nodes.iter().find(|n| n.id == NodeId(9)).unwrap().channel.as_ref().unwrap().sent;
    h.get_by_label(&format!("{} ({})", fmt_count(now), journey_studio::figures::text::fmt_delta(now, was)));
    h.get_by_role_and_label(Role::Button, "Funnel").click();
    h.run_steps(3);
    // The funnel has a column per path of the conditional split, each starting with it.
    let columns = h.query_all_by_label_contains("Viewed more than 10 times").count();
    assert!(columns >= 2, "{columns} funnel columns show the split");
}

#[test]
fn the_apps_export_equals_the_clis_output_for_the_same_run() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    journey_studio::format::save(&dir.path().join("fence.journey"), &j).unwrap();
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    let field = h.get_by_label("Export to");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    let base = dir.path().join("export");
    h.get_by_label("Export to").type_text(&base.display().to_string());
    h.run_steps(2);
    for format in ["csv", "json"] {
        h.get_by_role_and_label(Role::Button, &format.to_uppercase()).click();
        h.run_steps(2);
        let app = std::fs::read_to_string(base.with_extension(format)).unwrap();
        // The app records its sample users for "Follow a user"; the CLI does with --trajectories.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_journey-studio"))
            .args(["simulate", "fence.journey", "--format", format, "--trajectories"])
            .arg(journey_studio::app::preview::TRAJECTORY_SAMPLE.to_string())
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success());
        let cli = String::from_utf8(out.stdout).unwrap();
        assert!(app == cli, "the app's {format} export differs from the CLI's");
        if format == "csv" {
            assert!(cli.contains("\nnodes[2].ports[0].moved,"), "CSV paths use brackets");
            let first_animation = cli.lines().position(|l| l.starts_with("animation.")).unwrap();
            let lines: Vec<&str> = cli.lines().collect();
            let last_figure = lines.iter().rposition(|l| l.starts_with("trends_hourly")).unwrap();
            assert!(last_figure < first_animation, "figures come before the animation data");
        }
    }
}

#[test]
fn trends_switch_between_days_and_hours() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(example(3_000), dir.path());
    run_to_end(&mut h);
    h.get_by_role_and_label(Role::Button, "Trends").click();
    h.run_steps(3);
    assert!(!h.state().preview().hourly_trends);
    let daily = h.state().preview().chart_rect.expect("a chart");
    h.get_by_role_and_label(Role::Button, "hour").click();
    h.run_steps(3);
    assert!(h.state().preview().hourly_trends, "the picker switched to hours");
    let hourly = h.state().preview().chart_rect.expect("a chart");
    assert!(hourly.height() >= daily.height() - 1.0);
    let r = h.state().report().unwrap();
    assert_eq!(r.trends_hourly.len(), r.trends.len() * 24);
    h.get_by_role_and_label(Role::Button, "day").click();
    h.run_steps(3);
    assert!(!h.state().preview().hourly_trends);
}

#[test]
fn card_totals_follow_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(example(3_000), dir.path());
    run_to_end(&mut h);
    let report = h.state().report().unwrap().clone();
    let entry = NodeId(1);
    let total = report.nodes.iter().find(|n| n.id == entry).unwrap().entered;
    // At the end of the run (where a finished run leaves the clock): the totals.
    assert_eq!(h.state().badge_lines_now(entry).unwrap()[0], format!("entered {}", fmt_count(total)));
    // A third of the way through: only the users who had entered by then.
    let end = journey_studio::app::preview::horizon_secs(&report);
    h.state_mut().set_preview_clock(end / 3.0);
    h.run_steps(2);
    let b = timeline::bucket_at(&report, end / 3.0).unwrap();
    let so_far = animation::clock_counts(&report, entry, b).unwrap().entered;
    assert!(0 < so_far && so_far < total, "{so_far} of {total}");
    assert_eq!(h.state().badge_lines_now(entry).unwrap()[0], format!("entered {}", fmt_count(so_far)));
    // A channel node's sends follow too, and never exceed its entries so far.
    let push = NodeId(9);
    let c = animation::clock_counts(&report, push, b).unwrap();
    assert!(c.sent <= c.entered);
    let line = &h.state().badge_lines_now(push).unwrap()[1];
    assert!(line.starts_with(&format!("sent {}", fmt_count(c.sent))), "{line}");
    // Everyone who arrived is accounted for.
    assert_eq!(c.waiting + c.moved_on + c.goal + c.timed_out, c.entered);
}

#[test]
fn clicking_a_node_shows_its_stats_and_a_chart_saves_as_png() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    let report = h.state().report().unwrap().clone();
    // Clicking a card opens the Node tab with that node's figures.
    press(&mut h, Key::F);
    let id = NodeId(3);
    let card = h.state().node_screen_rect(id).unwrap().center();
    click(&mut h, card);
    assert_eq!(h.state().selected_nodes(), vec![id]);
    let stats = report.nodes.iter().find(|n| n.id == id).unwrap();
    h.get_by_label(&count_line("Entered", stats.entered, None));
    // The Trends chart as PNG, through the export path field and the PNG button.
    h.get_by_role_and_label(Role::Button, "Trends").click();
    h.run_steps(3);
    let field = h.get_by_label("Export to");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    let base = dir.path().join("trends");
    h.get_by_label("Export to").type_text(&base.display().to_string());
    h.run_steps(2);
    let chart = h.state().preview().chart_rect.expect("the Trends tab draws a chart");
    h.get_by_role_and_label(Role::Button, "PNG").click();
    let file = base.with_extension("png");
    step_until(&mut h, 30, |a| a.preview().export_message.as_deref().is_some_and(|m| m.starts_with("Wrote")));
    let img = image::open(&file).unwrap().to_rgba8();
    let ppp = h.ctx.pixels_per_point();
    assert!((img.width() as f32 - chart.width() * ppp).abs() <= 2.0, "{} vs {}", img.width(), chart.width());
    assert!((img.height() as f32 - chart.height() * ppp).abs() <= 2.0);
    let colours: std::collections::HashSet<_> = img.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 4, "the PNG holds a drawn chart, not a blank rectangle");
}

#[test]
fn a_run_that_cannot_start_says_why_and_points_at_the_node_or_the_form() {
    use journey_studio::model::{Channel, NodeKind};
    let dir = tempfile::tempdir().unwrap();
    // A push without a title: the run is refused and the push is selected.
    let mut j = example(3_000);
    let push = NodeId(3);
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&push).map(|n| &mut n.kind) {
        message.title.clear();
    }
    let mut h = harness(j, dir.path());
    press(&mut h, Key::F5);
    h.run_steps(3);
    assert!(!h.state().preview().is_running());
    assert!(h.state().report().is_none());
    let shown = h.state().preview().error.clone().unwrap_or_default();
    h.get_by_label_contains("Cannot simulate");
    assert!(shown.contains("title"), "{shown}");
    assert_eq!(h.state().selected_nodes(), vec![push]);

    // A scenario probability above 1: refused, nothing selected, the Scenario form open
    // with the message at its field.
    let mut j = example(3_000);
    j.scenario.channels.get_mut(&Channel::Push).unwrap().view = 1.5;
    let mut h = harness(j, dir.path());
    let card = h.state().node_screen_rect(NodeId(1)).unwrap().center();
    click(&mut h, card);
    assert_eq!(h.state().selected_nodes(), vec![NodeId(1)]);
    press(&mut h, Key::F5);
    h.run_steps(4);
    assert!(h.state().report().is_none());
    h.get_by_label_contains("Cannot simulate");
    assert!(h.state().selected_nodes().is_empty(), "the journey's forms are shown");
    let message = journey_studio::validate::validate(h.state().journey())
        .into_iter()
        .find(|d| d.message.contains("view chance"))
        .unwrap()
        .message;
    assert!(h.query_by_label("Population").is_some(), "the Scenario section is open");
    let canvas_right = h.state().canvas_screen_rect().right();
    let at_field = h.query_all_by_label_contains(&message).filter(|n| n.rect().left() > canvas_right).count();
    assert_eq!(at_field, 1, "the inspector shows the message at its field");
}

/// The badge texts drawn this frame that their clip rectangle lets through.
fn visible_texts(h: &Harness<'_, App>) -> Vec<String> {
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        let mut stack = vec![&clipped.shape];
        while let Some(shape) = stack.pop() {
            match shape {
                egui::Shape::Vec(v) => stack.extend(v.iter()),
                egui::Shape::Text(t) if clipped.clip_rect.intersects(t.visual_bounding_rect()) => {
                    out.push(t.galley.text().to_owned());
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn badges_show_on_every_card_in_view_including_above_the_canvas_origin() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(example(3_000), dir.path());
    run_to_end(&mut h);
    press(&mut h, Key::F);
    h.run_steps(2);
    let report = h.state().report().unwrap().clone();
    let texts = visible_texts(&h);
    let journey = h.state().journey().clone();
    // Path B's cards sit above the canvas origin (negative y); path A's below it.
    let above: Vec<_> = journey.graph.nodes.values().filter(|n| n.pos.y < 0.0).map(|n| n.id).collect();
    assert!(!above.is_empty());
    for n in report.nodes.iter().filter(|n| n.entered > 0) {
        let badge = format!("entered {}", journey_studio::figures::text::fmt_count(n.entered));
        assert!(texts.contains(&badge), "{} ({}) shows {badge:?}", n.label, n.id);
    }
    assert!(report.nodes.iter().any(|n| above.contains(&n.id) && n.entered > 0));
}

#[test]
fn the_splits_tab_lists_each_random_split_path_with_its_conversions() {
    use journey_studio::figures::text::{fmt_count, rate_text};
    let dir = tempfile::tempdir().unwrap();
    let mut j = journey_studio::format::load(std::path::Path::new("assets/onboarding.journey")).unwrap();
    j.scenario.population.users = 3_000;
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    let report = h.state().report().unwrap().clone();
    h.get_by_role_and_label(Role::Button, "Splits").click();
    h.run_steps(3);
    let split = report.nodes.iter().find(|n| n.kind == "Random split").expect("onboarding has a random split");
    assert!(split.paths.len() >= 2);
    for p in &split.paths {
        assert!(p.users > 0, "{} got users", p.name);
        h.get_by_label(&p.name);
        assert!(h.query_all_by_label(&fmt_count(p.users)).count() >= 1);
        let rate = rate_text(share(p.conversions, p.users), None);
        assert!(h.query_all_by_label_contains(&rate).count() >= 1, "{} shows {rate}", p.name);
    }
    // The split's name selects it on the canvas.
    h.get_by_role_and_label(Role::Link, &format!("{} ({})", split.label, split.id)).click();
    h.run_steps(3);
    assert_eq!(h.state().selected_nodes(), vec![split.id]);
}

/// Fits the view, clicks `id`'s card and deletes it with the Delete key.
fn delete_node(h: &mut Harness<'_, App>, id: NodeId) {
    press(h, Key::F);
    let card = h.state().node_screen_rect(id).unwrap().center();
    click(h, card);
    assert_eq!(h.state().selected_nodes(), vec![id]);
    press(h, Key::Delete);
    assert!(!h.state().journey().graph.nodes.contains_key(&id));
}

/// Clicks the run bar's Live checkbox.
fn toggle_live(h: &mut Harness<'_, App>) {
    h.get_by_role_and_label(Role::CheckBox, "Live").click();
    h.run_steps(2);
}

#[test]
fn live_reruns_after_an_edit_and_updates_the_figures_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(2_000);
    let before = engine_report(&j);
    let mut h = harness(j, dir.path());
    // Turning Live on with no results runs the journey as it stands.
    toggle_live(&mut h);
    assert!(h.state().preview().live());
    step_until(&mut h, 120, |a| a.report().is_some() && !a.preview().is_running());
    assert_eq!(h.state().report().unwrap(), &before);

    // The what-if of the baseline test: drop path A's email (node 11).
    delete_node(&mut h, NodeId(11));
    let after = engine_report(h.state().journey());
    assert_ne!(before.journey.goal_met, after.journey.goal_met, "the edit changes the outcome");
    // Within the debounce the old results stay shown, and are not called stale.
    assert!(h.state().preview().live_updating());
    assert_eq!(h.state().report(), Some(&before));
    assert!(h.query_by_label_contains("Results are stale").is_none());

    step_until(&mut h, 120, |a| a.report() == Some(&after) && !a.preview().is_running());
    assert!(!h.state().results_stale());
    assert!(h.query_by_label_contains("Results are stale").is_none());
    assert!(h.state().preview().error.is_none() && !h.state().preview().cancelled);
    let tab = h.get_by_label("Summary").rect().center();
    click(&mut h, tab);
    h.get_by_label(&count_line("Goal met", after.journey.goal_met, None));
    // The cards' badges follow too.
    let texts = visible_texts(&h);
    for n in after.nodes.iter().filter(|n| n.entered > 0) {
        let badge = format!("entered {}", journey_studio::figures::text::fmt_count(n.entered));
        assert!(texts.contains(&badge), "{} ({}) shows {badge:?}", n.label, n.id);
    }
}

#[test]
fn with_live_off_an_edit_marks_the_results_stale_and_does_not_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(2_000);
    let before = engine_report(&j);
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    assert!(!h.state().preview().live());
    delete_node(&mut h, NodeId(11));
    // A second of frames: well past Live's debounce.
    for _ in 0..60 {
        h.step();
        assert!(!h.state().preview().is_running(), "nothing re-runs with Live off");
    }
    assert_eq!(h.state().report(), Some(&before));
    assert!(h.state().results_stale());
    h.get_by_label_contains("Results are stale");
}

#[test]
fn live_shows_an_invalid_edits_refusal_once_and_reruns_when_valid_again() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(2_000);
    let before = engine_report(&j);
    let mut h = harness(j, dir.path());
    run_to_end(&mut h);
    // Live on with current results: nothing to re-run.
    toggle_live(&mut h);
    assert!(!h.state().preview().live_updating());

    // Without its entry node the journey cannot run.
    delete_node(&mut h, NodeId(1));
    // Within the debounce, select a card that showing the first error (as F5 does) would
    // deselect or move away from.
    use journey_studio::validate::{Location, Severity, validate};
    let first = validate(h.state().journey()).into_iter().find(|d| d.severity == Severity::Error).unwrap();
    let keep = h
        .state()
        .journey()
        .graph
        .nodes
        .keys()
        .copied()
        .find(|id| !matches!(&first.location, Location::Nodes(ids) if ids.first() == Some(id)))
        .unwrap();
    let card = h.state().node_screen_rect(keep).unwrap().center();
    click(&mut h, card);
    assert!(h.state().preview().live_updating(), "the refusal is still to come");
    for _ in 0..60 {
        h.step();
    }
    let error = h.state().preview().error.clone().unwrap_or_default();
    assert!(error.starts_with("Cannot simulate"), "{error:?}");
    assert_eq!(h.query_all_by_label_contains("Cannot simulate").count(), 1);
    assert!(!h.state().preview().is_running() && !h.state().preview().live_updating(), "no retry without an edit");
    assert_eq!(h.state().report(), Some(&before), "the last results stay shown");
    assert_eq!(h.state().selected_nodes(), vec![keep], "the refusal does not move the selection");

    // Undo: valid again, so Live runs and the refusal goes.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(h.state().journey().graph.nodes.contains_key(&NodeId(1)));
    step_until(&mut h, 120, |a| a.preview().error.is_none() && !a.preview().live_updating());
    assert_eq!(h.state().report(), Some(&before));
    assert!(!h.state().results_stale());
    assert!(h.query_by_label_contains("Cannot simulate").is_none());
}

/// Opens the File menu and returns the state of its "Export report…" entry: enabled or not.
fn export_report_enabled(h: &mut Harness<'_, App>) -> bool {
    use egui_kittest::kittest::NodeT as _;
    let menu = h.get_by_role_and_label(Role::Button, "File").rect().center();
    click(h, menu);
    let item = h.get_by_role_and_label(Role::Button, "Export report…");
    !item.accesskit_node().is_disabled()
}

#[test]
fn file_export_report_writes_the_last_run_and_the_baseline_as_html() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(3_000);
    let mut h = harness(j.clone(), dir.path());
    assert!(!export_report_enabled(&mut h), "no run yet: nothing to report");
    press(&mut h, Key::Escape);
    run_to_end(&mut h);
    let keep = h.get_by_role_and_label(Role::Button, "Keep as baseline").rect().center();
    click(&mut h, keep);
    assert!(h.state().preview().baseline.is_some());
    let report = engine_report(&j);
    assert_eq!(h.state().report(), Some(&report));

    assert!(export_report_enabled(&mut h));
    let item = h.get_by_role_and_label(Role::Button, "Export report…").rect().center();
    click(&mut h, item);
    // No native dialog in tests: the in-app path field asks where; ".html" is added.
    let file = dir.path().join("shared/forecast");
    h.get_by_label("File path").type_text(&file.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run_steps(2);
    let file = file.with_extension("html");
    assert_eq!(h.state().file_error(), None);
    assert!(
        h.state().status_message().is_some_and(|m| m.starts_with("Wrote the report")),
        "{:?}",
        h.state().status_message()
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("<h1>On-the-fence shoppers</h1>"));
    assert!(html.contains("draft, unversioned"));
    let entered = format!("data-figure=\"journey.entered\" data-value=\"{}\"", report.journey.entered);
    assert!(html.contains(&entered), "the report shows the app's run");
    assert!(html.contains("<section id=\"comparison\""), "the kept baseline is compared");
    assert!(html.contains("both simulated with the same synthetic users"));
    assert!(html.matches("<svg").count() >= 5);
    assert!(!html.contains("http://") && !html.contains("<script"));
    // The decision figures of the app's run, in its currency.
    let value = report.incremental.conversions.value.map_or_else(|| "n/a".to_owned(), |v| v.to_string());
    let inc = format!("data-figure=\"incremental.conversions.value\" data-value=\"{value}\"");
    assert!(html.contains(&inc), "the report shows the run's incremental conversions");
    assert!(html.contains(&format!("Net incremental return ({})", report.currency)));
    assert!(html.contains("<section id=\"suppression\""));

    // Run again with the baseline kept: the run is paired with it (SPEC §3.2), and the
    // report carries the paired figures and verdicts.
    press(&mut h, Key::F5);
    step_until(&mut h, 120, |a| a.preview().outcome.as_ref().is_some_and(|o| o.paired.is_some()));
    assert!(export_report_enabled(&mut h));
    let item = h.get_by_role_and_label(Role::Button, "Export report…").rect().center();
    click(&mut h, item);
    let paired = dir.path().join("shared/paired.html");
    h.get_by_label("File path").type_text(&paired.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, "Export").click();
    h.run_steps(2);
    assert_eq!(h.state().file_error(), None);
    let html = std::fs::read_to_string(&paired).unwrap();
    assert!(html.contains("Paired 95%"), "the paired figures are in the report");
    assert_eq!(html.matches("no detectable change").count(), 5, "the same journey against itself");
}

/// The statistics panel folds to one line with the headline figures, and the canvas gets
/// the room; it unfolds again from that line.
#[test]
fn the_statistics_panel_folds_to_one_line_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let j = example(300);
    let mut h = harness(j.clone(), dir.path());
    run_to_end(&mut h);
    let open_height = h.state().canvas_screen_rect().height();
    assert!(h.query_by_label("Summary").is_some(), "the statistics tabs are shown");
    h.get_by_label("Hide statistics").click();
    h.run_steps(3);
    let folded_height = h.state().canvas_screen_rect().height();
    assert!(folded_height > open_height + 120.0, "the canvas grew from {open_height} to {folded_height} px only");
    assert!(h.query_by_label("Summary").is_none(), "the tabs are folded away");
    let r = engine_report(&j);
    let line = format!("{} entered", fmt_count(r.journey.entered));
    assert!(h.query_by_label_contains(&line).is_some(), "the folded line shows {line:?}");
    h.get_by_label("Show statistics").click();
    h.run_steps(3);
    assert!(h.query_by_label("Summary").is_some(), "the tabs are back");
    assert!((h.state().canvas_screen_rect().height() - open_height).abs() < 2.0);
}
