//! Versions and diff from the outside: a file saved before versions had names loads
//! unchanged, and `journey-studio diff` on hand-made pairs prints one change a line and
//! exits like diff(1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use journey_studio::format::{load, to_ron};
use journey_studio::model::{CanvasPos, Journey, Node, NodeId, NodeKind, Port, Status};
use journey_studio::templates;
use journey_studio::versions::{self, Plan};

use crate::cli::run;

const FIXTURE: &str = "tests/fixtures/v1_versions_before_names.journey";

fn cart() -> Journey {
    templates::load("abandoned-cart").unwrap()
}

fn write(dir: &Path, file: &str, j: &Journey) {
    std::fs::write(dir.join(file), to_ron(j)).unwrap();
}

/// A, and B made from A by `edit`, written as a.journey and b.journey.
fn pair(edit: impl FnOnce(&mut Journey)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let a = cart();
    let mut b = a.clone();
    edit(&mut b);
    write(dir.path(), "a.journey", &a);
    write(dir.path(), "b.journey", &b);
    dir
}

#[test]
fn a_file_saved_before_version_names_loads_unchanged() {
    let j = load(Path::new(FIXTURE)).unwrap();
    assert_eq!(j.status, Status::Running);
    assert_eq!(j.versions.iter().map(|v| v.number).collect::<Vec<_>>(), [1, 2]);
    assert!(j.versions.iter().all(|v| v.name.is_empty() && v.description.is_empty()));
    assert_eq!(j.versions[1].change_log.len(), 1);
    // The draft is the bundled example's, and v2 froze it.
    let cart = cart();
    assert_eq!((&j.setup, &j.graph, &j.goals), (&cart.setup, &cart.graph, &cart.goals));
    assert_eq!(j.versions[1].graph, cart.graph);
    assert_eq!(versions::plan(&j), Plan::Unchanged(2));
    // Saved again, it reads back the same, now with (empty) names.
    let back = journey_studio::format::from_ron(&to_ron(&j)).unwrap();
    assert_eq!(back, j);
}

#[test]
fn diff_of_a_file_with_itself_is_silent_and_exits_0() {
    let dir = pair(|_| {});
    let out = run(dir.path(), &["diff", "a.journey", "a.journey"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
}

#[test]
fn diff_of_one_setting_is_one_line_with_id_label_field_and_values() {
    let dir = pair(|b| {
        let NodeKind::Wait(journey_studio::model::WaitKind::Duration(d)) =
            &mut b.graph.nodes.get_mut(&NodeId(3)).unwrap().kind
        else {
            panic!("n3 of the cart is no longer a duration wait")
        };
        *d = journey_studio::model::Seconds::days(2);
    });
    let out = run(dir.path(), &["diff", "a.journey", "b.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "n3 \"Wait 1 day\": Duration: 86400 → 172800\n");
}

#[test]
fn diff_of_one_node_added() {
    let dir = pair(|b| {
        let id = b.graph.next_node_id();
        b.graph
            .nodes
            .insert(id, Node { id, label: "Thanks".into(), pos: CanvasPos::new(900.0, 300.0), kind: NodeKind::Exit });
    });
    let out = run(dir.path(), &["diff", "a.journey", "b.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "n9 \"Thanks\": node added (End of path)\n");
}

#[test]
fn diff_of_one_link_moved() {
    // The email's Sent output went to the 2-day wait; now it ends the journey.
    let dir = pair(|b| {
        b.graph.connect(NodeId(4), Port::Sent, NodeId(8));
    });
    let out = run(dir.path(), &["diff", "a.journey", "b.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "n4 \"Reminder email\": link Sent: n6 \"Wait 2 days\" → n8 \"End\"\n");
}

#[test]
fn diff_of_a_moved_card_and_a_comment_is_no_change() {
    let dir = pair(|b| {
        b.graph.nodes.get_mut(&NodeId(5)).unwrap().pos = CanvasPos::new(-300.0, 900.0);
        b.comments[0].text = "Reworded".into();
        b.goals[0].pos = CanvasPos::new(40.0, 40.0);
    });
    let out = run(dir.path(), &["diff", "a.journey", "b.journey"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
}

#[test]
fn diff_reports_a_scenario_only_change_in_its_own_section() {
    let dir = pair(|b| b.scenario.population.users += 500);
    let out = run(dir.path(), &["diff", "a.journey", "b.journey"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("Scenario"), "{}", out.stdout);
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(lines[1].starts_with("scenario: population.users: "), "{}", out.stdout);
}

#[test]
fn diff_between_versions_of_one_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FIXTURE, dir.path().join("cart.journey")).unwrap();
    let out = run(dir.path(), &["diff", "cart.journey@v1", "cart.journey@v2"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "n2 \"Reminder push\": link Unreachable: none → n4 \"Reminder email\"\n");
    // v2 froze the draft: no difference.
    let out = run(dir.path(), &["diff", "cart.journey@v2", "cart.journey"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    // A missing version is an error, naming what the file has.
    let out = run(dir.path(), &["diff", "cart.journey@v9", "cart.journey"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no version v9") && out.stderr.contains("v1, v2"), "{}", out.stderr);
    let out = run(dir.path(), &["diff", "missing.journey", "cart.journey"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("missing.journey: error: "), "{}", out.stderr);
}

#[test]
fn diff_as_json() {
    let dir = pair(|b| {
        if let NodeKind::Channel { message, .. } = &mut b.graph.nodes.get_mut(&NodeId(2)).unwrap().kind {
            message.title = "Still thinking?".into();
        }
    });
    let out = run(dir.path(), &["diff", "a.journey", "b.journey", "--format", "json"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["identical"], false);
    let c = &v["changes"][0];
    assert_eq!(
        (c["place"].as_str(), c["node"].as_u64(), c["field"].as_str()),
        (Some("n2"), Some(2), Some("message.title"))
    );
    assert_eq!(c["new"], "\"Still thinking?\"");
    assert_eq!(c["partial"], true);
    assert_eq!(v["scenario_changes"].as_array().map(Vec::len), Some(0));
    let out = run(dir.path(), &["diff", "a.journey", "a.journey", "--format", "json"]);
    assert_eq!(out.code, 0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["identical"], true);
}
