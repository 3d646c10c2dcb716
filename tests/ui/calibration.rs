//! Simulate › Calibrate from results… driven as a user would, through the window's path
//! field (the harness has no native dialogs): the table of derived values, a value
//! unchecked, Apply as one undoable change; and a bad CSV that shows its line and column
//! and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use journey_studio::app::App;
use journey_studio::model::Journey;
use journey_studio::model::setting::SettingPath;

use crate::harness_support;

/// The example CSV shipped in `assets/`.
const EXAMPLE_CSV: &str = "assets/calibration_example.csv";

fn example() -> Journey {
    journey_studio::format::load(std::path::Path::new("assets/abandoned_cart.journey")).expect("example")
}

fn harness(journey: Journey, data_dir: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 1e9);
    h.run_steps(3);
    h
}

fn pointer(h: &mut Harness<'_, App>, pos: Pos2) {
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

/// Opens a menu of the menu bar and clicks one of its items.
fn menu(h: &mut Harness<'_, App>, top: &str, item: &str) {
    // The menu bar's, above the run bar's button of the same name.
    let at = h.query_all_by_label(top).map(|n| n.rect()).min_by(|a, b| a.top().total_cmp(&b.top())).unwrap().center();
    pointer(h, at);
    // Menu items carry their (empty) shortcut text after the label.
    h.get_all_by_role(Role::Button)
        .find(|n| n.accesskit_node().label().is_some_and(|l| l.trim() == item))
        .expect("the menu item")
        .click();
    h.run_steps(3);
}

/// Simulate › Calibrate from results…, then the CSV's path typed into the window's field and Load.
fn load(h: &mut Harness<'_, App>, csv: &std::path::Path) {
    if !h.state().calibration().open {
        menu(h, "Simulate", "Calibrate from results…");
    }
    assert!(h.state().calibration().open, "the window opens");
    h.get_by_label("Results CSV").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Results CSV").type_text(&csv.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, "Load").click();
    h.run_steps(3);
}

/// The value of a setting path in a journey.
fn value(j: &Journey, path: &str) -> Option<f64> {
    SettingPath::parse(path, j).ok().and_then(|p| p.get(j))
}

#[test]
fn calibrating_applies_the_checked_values_as_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let original = example();
    let mut h = harness(original.clone(), dir.path());
    load(&mut h, std::path::Path::new(EXAMPLE_CSV));
    assert_eq!(h.state().calibration().error(), None);
    let derived = h.state().calibration().derived().expect("the derived values").to_vec();
    assert!(derived.len() > 10, "{} values", derived.len());
    // The table: a checkbox per value, with before and after.
    for d in &derived {
        let row = h.query_all_by_label(&d.label).find(|n| n.accesskit_node().role() == Role::CheckBox);
        assert!(row.is_some(), "a checkbox for {}", d.label);
    }
    assert!(h.query_by_label("After").is_some(), "before and after are shown");
    harness_support::screenshot(&mut h, "calibration_dialog.png");
    // One value that changes something is left out.
    let left_out = derived
        .iter()
        .find(|d| d.before.is_some_and(|b| (b - d.after).abs() > 1e-9) && d.path.starts_with("scenario.channels"))
        .expect("a channel value that changes")
        .clone();
    let checkbox = h
        .query_all_by_label(&left_out.label)
        .find(|n| n.accesskit_node().role() == Role::CheckBox)
        .expect("its checkbox");
    checkbox.scroll_to_me();
    h.run();
    h.query_all_by_label(&left_out.label).find(|n| n.accesskit_node().role() == Role::CheckBox).unwrap().click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(&format!("{} of {} checked", derived.len() - 1, derived.len())).is_some());
    assert!(!h.state().can_undo(), "nothing applied yet");
    assert_eq!(h.state().journey(), &original);
    h.get_by_role_and_label(Role::Button, "Apply").click();
    h.run_steps(3);
    assert!(!h.state().calibration().open, "Apply closes the window");
    // The journey has every checked value, and not the unchecked one.
    let chosen: Vec<_> = derived.iter().filter(|d| d.path != left_out.path).cloned().collect();
    let mut expected = original.clone();
    journey_studio::calibrate::apply(&mut expected, &chosen).unwrap();
    let j = h.state().journey();
    assert_eq!(j, &expected);
    assert_ne!(j, &original);
    assert_eq!(value(j, &left_out.path), left_out.before, "the unchecked value is unchanged");
    for d in &chosen {
        if let Some(now) = value(j, &d.path) {
            assert!((now - d.after).abs() < 1e-9 * d.after.abs().max(1.0), "{}: {now} != {}", d.path, d.after);
        }
    }
    assert!(h.state().is_dirty());
    // One undo step reverts every value.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().journey(), &original);
    assert!(!h.state().can_undo(), "it was one step");
    assert!(!h.state().is_dirty());
}

#[test]
fn select_none_then_all_and_apply_is_refused_when_nothing_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let original = example();
    let mut h = harness(original.clone(), dir.path());
    load(&mut h, std::path::Path::new(EXAMPLE_CSV));
    let n = h.state().calibration().derived().unwrap().len();
    h.get_by_role_and_label(Role::Button, "Select none").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(&format!("0 of {n} checked")).is_some());
    h.get_by_role_and_label(Role::Button, "Apply").click();
    h.run_steps(2);
    assert_eq!(h.state().journey(), &original, "nothing to apply");
    assert!(h.state().calibration().open);
    h.get_by_role_and_label(Role::Button, "Select all").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(&format!("{n} of {n} checked")).is_some());
}

#[test]
fn a_bad_csv_shows_its_line_and_column_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let original = example();
    let mut h = harness(original.clone(), dir.path());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "kind,name,metric,value\nchannel,push,sent,182400\nchannel,push,clicked,lots\n").unwrap();
    load(&mut h, &bad);
    let error = h.state().calibration().error().expect("an error").to_owned();
    assert!(error.contains("line 3, column 4"), "{error}");
    assert!(h.query_by_label_contains("line 3, column 4").is_some(), "shown in the window");
    assert!(h.state().calibration().derived().is_none());
    assert!(h.query_by_role_and_label(Role::Button, "Apply").is_none(), "nothing to apply");
    harness_support::screenshot(&mut h, "calibration_bad_csv.png");
    // A good file, then the bad one again: its table goes, and nothing is applied.
    load(&mut h, std::path::Path::new(EXAMPLE_CSV));
    assert!(h.state().calibration().derived().is_some());
    assert!(h.state().calibration().error().is_none());
    load(&mut h, &bad);
    assert!(h.state().calibration().derived().is_none());
    assert!(h.query_by_role_and_label(Role::Button, "Apply").is_none());
    // A file that is not there says so.
    load(&mut h, &dir.path().join("missing.csv"));
    assert!(h.state().calibration().error().is_some_and(|e| e.contains("missing.csv")));
    assert_eq!(h.state().journey(), &original);
    assert!(!h.state().can_undo());
}
