//! Publish, versions and compare driven through egui_kittest by their labels: the
//! Journey menu's Publish… dialog (full, partial, refused), the versions panel's Open,
//! Restore (one undo step) and Clone…, and Compare with both sides simulated.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::harness_support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use journey_studio::app::App;
use journey_studio::app::preview::RunInputs;
use journey_studio::model::{Journey, NodeId, NodeKind, Port, Status, Timestamp};
use journey_studio::sim::simulate;
use journey_studio::versions;

fn harness(journey: Journey, data_dir: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 1e9);
    h.run_steps(3);
    h
}

/// The abandoned-cart example with a small population.
fn cart() -> Journey {
    let mut j = journey_studio::templates::load("abandoned-cart").unwrap();
    j.scenario.population.users = 3_000;
    j.scenario.run.replicates = 1;
    j
}

/// The cart with v1 "Launch" published.
fn published_cart() -> Journey {
    let mut j = cart();
    versions::publish(&mut j, "Launch", "First cut", Timestamp::from_utc(2027, 1, 4, 9, 0, 0).unwrap()).unwrap();
    j
}

fn set_push_body(j: &mut Journey, body: &str) {
    let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&NodeId(2)).map(|n| &mut n.kind) else {
        panic!("n2 of the cart is no longer the push")
    };
    message.body = body.to_owned();
}

fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.run();
}

fn menu(h: &mut Harness<'_, App>, item: &str) {
    h.get_by_role_and_label(Role::Button, "Journey").click();
    h.run();
    // Menu items carry their (empty) shortcut text after the label.
    h.get_all_by_role(Role::Button)
        .find(|n| n.accesskit_node().label().is_some_and(|l| l.trim() == item))
        .expect("the menu item")
        .click();
    h.run();
}

/// Opens the combo box `combo` and picks `item` in its popup.
fn pick(h: &mut Harness<'_, App>, combo: &str, item: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    h.run();
    h.get_all_by_label(item)
        .find(|n| !matches!(n.accesskit_node().role(), Role::Label | Role::ComboBox))
        .expect("the item in the popup")
        .click();
    h.run();
}

/// Focuses the text field `label`, selects its text and types `text` over it.
fn type_into(h: &mut Harness<'_, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(label).type_text(text);
    h.run();
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

#[test]
fn publish_freezes_v1_then_a_partial_edit_updates_it_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(cart(), dir.path());
    menu(&mut h, "Publish…");
    assert!(h.query_by_label_contains("freezes the draft as v1").is_some());
    type_into(&mut h, "Version description", "First cut");
    click(&mut h, "Publish");
    let j = h.state().journey();
    assert_eq!(j.versions.len(), 1);
    let v = &j.versions[0];
    assert_eq!((v.number, v.name.as_str(), v.description.as_str()), (1, "Version 1", "First cut"));
    assert_eq!((&v.graph, &v.setup), (&cart().graph, &cart().setup));
    assert!(h.state().is_dirty());

    // A message edit only: v1 is updated in place, with a change-log entry.
    let mut edited = h.state().journey().clone();
    set_push_body(&mut edited, "Your cart misses you");
    let mut h = harness(edited, dir.path());
    menu(&mut h, "Publish…");
    assert!(h.query_by_label_contains("updated in place").is_some());
    type_into(&mut h, "Version description", "Warmer copy");
    click(&mut h, "Publish");
    let j = h.state().journey();
    assert_eq!(j.versions.len(), 1);
    let log = &j.versions[0].change_log;
    assert_eq!(log.len(), 1);
    assert!(log[0].contains("Warmer copy: n2 \"Reminder push\": message.body"), "{}", log[0]);
    // Publishing again is refused: nothing changed.
    menu(&mut h, "Publish…");
    assert!(h.query_by_label_contains("Nothing to publish").is_some());
    assert!(h.query_by_role_and_label(Role::Button, "Publish").is_none());
    click(&mut h, "Close");
}

#[test]
fn publish_is_refused_with_the_problems_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = cart();
    j.graph.remove_node(NodeId(1));
    let problems = journey_studio::validate::validate(&j);
    let first = problems.iter().find(|d| d.severity == journey_studio::validate::Severity::Error).expect("an error");
    let mut h = harness(j.clone(), dir.path());
    menu(&mut h, "Publish…");
    assert!(h.query_by_label_contains("Publishing is refused").is_some());
    // Listed in the dialog, besides the problems panel.
    assert!(h.query_all_by_label_contains(&first.message).count() >= 2, "the problem is listed");
    assert!(h.query_by_role_and_label(Role::Button, "Publish").is_none());
    click(&mut h, "Close");
    assert!(h.state().journey().versions.is_empty());
}

#[test]
fn versions_panel_opens_read_only_restores_in_one_undo_step_and_clones() {
    let dir = tempfile::tempdir().unwrap();
    let mut draft = published_cart();
    let v1 = draft.versions[0].graph.clone();
    draft.graph.remove_node(NodeId(8));
    let mut h = harness(draft.clone(), dir.path());
    menu(&mut h, "Versions");
    assert!(h.query_by_label_contains("v1 · Launch").is_some());

    // Status, from the panel: shown in the title bar.
    h.get_by_role_and_label(Role::ComboBox, "Status").click();
    h.run();
    h.get_by_label("Running").click();
    h.run();
    assert_eq!(h.state().journey().status, Status::Running);
    assert!(h.state().title().contains("Running"), "{}", h.state().title());

    // Open v1 read-only: it is on the canvas, and edits are refused.
    click(&mut h, "Open");
    assert_eq!(h.state().viewing(), Some("v1 · Launch"));
    assert_eq!(h.state().shown_journey().graph, v1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.key_press(Key::Delete);
    h.run();
    assert_eq!(h.state().shown_journey().graph, v1);
    assert_eq!(h.state().journey().graph, draft.graph);
    assert!(h.state().status_message().is_some_and(|m| m.contains("read-only")));
    click(&mut h, "Back to draft");
    assert_eq!(h.state().viewing(), None);

    // Restore v1: one step, undone by one Ctrl+Z.
    click(&mut h, "Restore");
    assert_eq!(h.state().journey().graph, v1);
    assert_eq!(h.state().journey().status, Status::Running, "the status stays");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().journey().graph, draft.graph);

    // Clone v1 to a new file.
    click(&mut h, "Clone…");
    let path = dir.path().join("clone.journey");
    type_into(&mut h, "New file path", &path.display().to_string());
    click(&mut h, "Save clone");
    let clone = journey_studio::format::load(&path).expect("the clone was written");
    assert_eq!(clone.graph, v1);
    assert!(clone.versions.is_empty());
    assert!(clone.setup.name.ends_with("(copy of v1)"));
    assert_eq!(h.state().journey().graph, draft.graph, "cloning leaves the draft alone");
}

#[test]
fn compare_lists_and_highlights_the_diff_and_simulates_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let mut draft = published_cart();
    draft.graph.connect(NodeId(4), Port::Sent, NodeId(8));
    set_push_body(&mut draft, "Still thinking it over?");
    let mut h = harness(draft.clone(), dir.path());
    menu(&mut h, "Versions");
    click(&mut h, "Compare");
    let d = h.state().comparison().expect("a comparison").clone();
    assert_eq!(d.changes.len(), 2, "{d:?}");
    assert_eq!(d.changed_nodes(), [NodeId(2), NodeId(4)].into());
    assert!(h.query_by_label_contains("link Sent: n6 \"Wait 2 days\" → n8 \"End\"").is_some());
    assert!(h.query_by_label_contains("message.body").is_some());
    // The newer side is the draft: the canvas stays editable.
    assert_eq!(h.state().viewing(), None);

    click(&mut h, "Simulate both");
    step_until(&mut h, 120, |a| a.side_by_side().is_some());
    let v1 = versions::as_journey(&draft, 1).unwrap();
    let opts = RunInputs::from_journey(&draft).options(1);
    let (ra, rb) = (simulate(&v1, &opts, &|_| true).unwrap(), simulate(&draft, &opts, &|_| true).unwrap());
    let (a, b) = h.state().side_by_side().unwrap();
    assert_eq!((&a.journey, &b.journey), (&ra.journey, &rb.journey));
    assert_eq!(a.nodes, ra.nodes);
    let entered = journey_studio::figures::text::fmt_count(rb.journey.entered);
    assert!(h.query_all_by_label(&entered).next().is_some(), "the table shows {entered}");

    // Into the preview: the draft's figures against v1 as the baseline.
    click(&mut h, "Show in preview");
    assert_eq!(h.state().report().map(|r| &r.journey), Some(&rb.journey));
    assert_eq!(h.state().preview().baseline.as_ref().map(|o| &o.report.journey), Some(&ra.journey));
}

#[test]
fn compare_two_versions_shows_the_newer_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = published_cart();
    j.graph.remove_node(NodeId(5));
    versions::publish(&mut j, "Leaner", "", Timestamp::from_utc(2027, 1, 5, 9, 0, 0).unwrap()).unwrap();
    let mut h = harness(j, dir.path());
    menu(&mut h, "Versions");
    pick(&mut h, "From", "v1 · Launch");
    pick(&mut h, "To", "v2 · Leaner");
    click(&mut h, "Show diff");
    let d = h.state().comparison().expect("a comparison");
    assert_eq!(d.removed_nodes(), [NodeId(5)].into());
    assert_eq!(h.state().viewing(), Some("v2 · Leaner"));
    assert!(h.query_by_label_contains("node removed").is_some());
}

#[test]
fn compare_another_file_or_one_of_its_versions_with_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = published_cart();
    other.graph.remove_node(NodeId(5));
    let path = dir.path().join("other.journey");
    std::fs::write(&path, journey_studio::format::to_ron(&other)).unwrap();
    let mut h = harness(cart(), dir.path());
    menu(&mut h, "Versions");
    pick(&mut h, "From", "A file…");
    type_into(&mut h, "File to compare", &path.display().to_string());
    click(&mut h, "Show diff");
    // From the other file's draft (n5 removed) to this draft: n5 was added.
    let d = h.state().comparison().expect("a comparison");
    assert_eq!(d.added_nodes(), [NodeId(5)].into());
    assert_eq!(h.state().viewing(), None, "the draft stays editable");
    // FILE@v1 picks its version, which still has n5: no structural difference.
    type_into(&mut h, "File to compare", &format!("{}@v1", path.display()));
    click(&mut h, "Show diff");
    assert!(h.state().comparison().expect("a comparison").changes.is_empty());
    // A version the file does not have is reported, and nothing is compared.
    type_into(&mut h, "File to compare", &format!("{}@v7", path.display()));
    click(&mut h, "Show diff");
    assert!(h.query_by_label_contains("no version v7").is_some());
}
