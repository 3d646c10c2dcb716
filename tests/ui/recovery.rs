//! Crash recovery and the app's writers (issue 15): work survives a crash right after
//! Recover, two instances never delete each other's recovery data, a recovered journey
//! saves to its own file whatever folder the app starts in (a real process killed with
//! SIGKILL), and saves, autosaves and exports on a full disk keep the old file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns
#![allow(clippy::print_stdout, reason = "a re-run child tells its parent where it is on stdout")]

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use egui::accesskit::Role;
use egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use journey_studio::app::{App, AppConfig};
use journey_studio::model::{CanvasPos, Channel, Journey, KindTag, Node, NodeId};

use crate::fault::{self, names};
use crate::harness_support;

/// The environment variable a re-run test reads its role from, and the folders.
const ROLE_ENV: &str = "JOURNEY_STUDIO_TEST_ROLE";
const DATA_ENV: &str = "JOURNEY_STUDIO_TEST_DATA";

/// A journey: the entry, a Wait and a Push, in a row.
fn three_nodes() -> Journey {
    let mut j = Journey::new("Crash test");
    for (i, kind) in [(2, KindTag::Wait), (3, KindTag::Channel(Channel::Push))] {
        let id = NodeId(i);
        j.graph.nodes.insert(
            id,
            Node {
                id,
                label: kind.label().into(),
                pos: CanvasPos::new(300.0 * (i - 1) as f32, 0.0),
                kind: kind.default_kind(),
            },
        );
    }
    j
}

/// The app on `config` with the shared window size, stepped once.
fn app(config: AppConfig) -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 860.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(60)
        .build_eframe(move |cc| App::new(cc, &config));
    h.run();
    h
}

/// The app on `journey`, autosaving every `interval` seconds into `data`, stepped once.
fn harness(journey: Journey, data: &Path, interval: f64) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data, interval);
    h.run();
    h
}

fn press(h: &mut Harness<'_, App>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

/// An edit: node 2 selected and nudged right.
fn nudge(h: &mut Harness<'_, App>) {
    let pos = h.state().node_screen_rect(NodeId(2)).expect("node 2 on screen").center();
    h.hover_at(pos);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    let before = h.state().journey().clone();
    press(h, Modifiers::NONE, Key::ArrowRight);
    assert_ne!(h.state().journey(), &before, "the nudge changed the journey");
}

fn recover(h: &mut Harness<'_, App>) {
    assert!(h.state().recovery_offered(), "recovery is offered");
    h.get_by_role_and_label(Role::Button, "Recover").click();
    h.run();
}

#[test]
fn recover_then_crash_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let edited = {
        let mut h = harness(three_nodes(), data.path(), 0.0);
        nudge(&mut h);
        assert!(h.state().autosave_file().is_some_and(Path::exists));
        h.state().journey().clone()
        // Dropped without a clean exit, as in a crash.
    };
    {
        // A 30 s autosave interval: no autosave tick comes before this crash.
        let mut h = harness(Journey::new("Second start"), data.path(), 30.0);
        recover(&mut h);
        assert_eq!(h.state().journey(), &edited);
        assert!(h.state().autosave_file().is_some_and(Path::exists), "Recover autosaves at once");
    }
    let mut h = harness(Journey::new("Third start"), data.path(), 30.0);
    recover(&mut h);
    assert_eq!(h.state().journey(), &edited);
    assert!(h.state().is_dirty());
}

#[test]
fn two_instances_never_delete_each_other_s_recovery_data() {
    let data = tempfile::tempdir().unwrap();
    let mut a = harness(three_nodes(), data.path(), 0.0);
    let mut b = harness(three_nodes(), data.path(), 0.0);
    nudge(&mut a);
    nudge(&mut b);
    nudge(&mut b);
    let b_work = b.state().journey().clone();
    assert_ne!(a.state().autosave_file(), b.state().autosave_file(), "one autosave each");
    // A third instance while both run: nothing of theirs is offered.
    assert!(!harness(Journey::new("Third"), data.path(), 0.0).state().recovery_offered());
    // a quits cleanly, discarding its changes.
    press(&mut a, Modifiers::COMMAND, Key::Q);
    a.get_by_role_and_label(Role::Button, "Discard").click();
    a.run();
    drop(a);
    assert!(b.state().autosave_file().is_some_and(Path::exists), "a's clean quit kept b's autosave");
    // b crashes.
    drop(b);
    let mut c = harness(Journey::new("Fourth"), data.path(), 0.0);
    recover(&mut c);
    assert_eq!(c.state().journey(), &b_work);
}

/// The role of this process when a test re-runs itself.
fn role() -> Option<String> {
    std::env::var(ROLE_ENV).ok()
}

/// Re-runs the test `name` in a child process in `cwd` with `role`; the child.
fn child(name: &str, cwd: &Path, data: &Path, role: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([name, "--exact", "--test-threads=1", "--nocapture"])
        .current_dir(cwd)
        .env(ROLE_ENV, role)
        .env(DATA_ENV, data)
        .stdin(Stdio::null());
    c
}

#[test]
fn killed_after_starting_from_another_folder_recover_saves_to_the_original_file() {
    let name = "recovery::killed_after_starting_from_another_folder_recover_saves_to_the_original_file";
    let data = || PathBuf::from(std::env::var_os(DATA_ENV).unwrap());
    match role().as_deref() {
        Some("edit") => {
            // Started in folder A on the relative path `x.journey`; edits; autosaves.
            let mut h = app(AppConfig {
                file: Some(PathBuf::from("x.journey")),
                data_dir: Some(data()),
                autosave_interval_secs: 0.0,
                native_dialogs: false,
                ..AppConfig::default()
            });
            nudge(&mut h);
            assert!(h.state().autosave_file().is_some_and(Path::exists));
            println!("AUTOSAVED");
            // Wait to be killed (SIGKILL: no clean exit, no destructor).
            std::thread::sleep(std::time::Duration::from_secs(120));
            panic!("not killed");
        }
        Some("recover") => {
            // Started in folder B, which has an unrelated `x.journey`: Recover, then save.
            let mut h = harness(Journey::new("Fresh start"), &data(), 30.0);
            recover(&mut h);
            let path = h.state().path().unwrap().to_owned();
            assert!(path.is_absolute(), "{}", path.display());
            press(&mut h, Modifiers::COMMAND, Key::S);
            assert!(h.state().file_error().is_none(), "{:?}", h.state().file_error());
            assert!(!h.state().is_dirty());
            assert_eq!(&journey_studio::format::load(&path).unwrap(), h.state().journey());
            println!("SAVED {}", path.display());
            return;
        }
        _ => {}
    }
    let root = tempfile::tempdir().unwrap();
    let (a, b, data_dir) = (root.path().join("a"), root.path().join("b"), root.path().join("data"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    journey_studio::format::save(&a.join("x.journey"), &three_nodes()).unwrap();
    let original = fs::read(a.join("x.journey")).unwrap();
    fs::write(b.join("x.journey"), b"an unrelated file").unwrap();

    let mut editing = child(name, &a, &data_dir, "edit").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(editing.stdout.take().unwrap()).lines();
    let ready = lines.by_ref().map_while(Result::ok).any(|l| l.contains("AUTOSAVED"));
    editing.kill().unwrap();
    let _ = editing.wait();
    assert!(ready, "the editing child autosaved");

    let out = child(name, &b, &data_dir, "recover").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("1 passed"), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(fs::read(b.join("x.journey")).unwrap(), b"an unrelated file", "the unrelated file is untouched");
    let saved = fs::read(a.join("x.journey")).unwrap();
    assert_ne!(saved, original, "the recovered edit went to the original file");
    assert!(
        stdout.contains(&format!("SAVED {}", fs::canonicalize(a.join("x.journey")).unwrap().display())),
        "{stdout}"
    );
}

// ----- the app's writers on a full disk -----

#[test]
fn a_save_on_a_full_disk_keeps_the_old_file() {
    let name = "recovery::a_save_on_a_full_disk_keeps_the_old_file";
    if let Some(dir) = fault::child_dir() {
        let big = journey_studio::templates::load("onboarding").unwrap();
        let mut h = harness(big, &dir.join("data"), 30.0);
        // No file yet: Save asks for a path.
        press(&mut h, Modifiers::COMMAND, Key::S);
        h.get_by_label("File path").type_text(&dir.join("docs/old.journey").display().to_string());
        h.run();
        h.get_by_role_and_label(Role::Button, "Save").click();
        h.run();
        let error = h.state().file_error().expect("the failed save is shown").to_owned();
        assert!(error.contains("Could not save"), "{error}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("docs")).unwrap();
    let old = dir.path().join("docs/old.journey");
    fs::write(&old, b"the old journey").unwrap();
    fault::rerun_on_full_disk(name, dir.path());
    assert_eq!(fs::read(&old).unwrap(), b"the old journey");
    assert_eq!(names(&dir.path().join("docs")), ["old.journey"], "no temporary file");
}

/// Room for the autosave of [`three_nodes`], not for one with a big journey pasted in.
const AUTOSAVE_LIMIT: u64 = 8 * 1024;

#[test]
fn an_autosave_on_a_full_disk_keeps_the_previous_autosave() {
    let name = "recovery::an_autosave_on_a_full_disk_keeps_the_previous_autosave";
    if let Some(dir) = fault::child_dir() {
        let mut h = harness(three_nodes(), &dir, 0.0);
        nudge(&mut h);
        let file = h.state().autosave_file().unwrap().to_owned();
        let before = fs::read(&file).unwrap();
        assert!((before.len() as u64) < AUTOSAVE_LIMIT);
        // Paste a big journey's nodes: the next autosave is larger than a file may grow.
        let big = journey_studio::templates::load("onboarding").unwrap();
        let all = big.graph.nodes.keys().map(|id| journey_studio::app::state::Item::Node(*id)).collect();
        let text = journey_studio::app::command::Fragment::copy(&big, &all).to_text();
        assert!((before.len() + text.len()) as u64 > AUTOSAVE_LIMIT, "{} {}", before.len(), text.len());
        h.event(egui::Event::Paste(text));
        h.run();
        h.run();
        assert!(
            h.state().status_message().is_some_and(|m| m.contains("Autosave failed")),
            "{:?}",
            h.state().status_message()
        );
        assert_eq!(fs::read(&file).unwrap(), before, "the previous autosave is byte-identical");
        let folder = file.parent().unwrap();
        assert!(names(folder).iter().all(|n| !n.ends_with(".tmp")), "{:?}", names(folder));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fault::rerun_on_full_disk_of(name, dir.path(), AUTOSAVE_LIMIT);
}

#[test]
fn an_export_on_a_full_disk_keeps_the_old_export() {
    let name = "recovery::an_export_on_a_full_disk_keeps_the_old_export";
    if let Some(dir) = fault::child_dir() {
        let mut j = journey_studio::templates::load("abandoned-cart").unwrap();
        j.scenario.population.users = 200;
        j.scenario.run.horizon_days = 3;
        let report = journey_studio::sim::simulate(&j, &journey_studio::sim::RunOptions::default(), &|_| true).unwrap();
        for file in ["report.json", "report.csv"] {
            let e = journey_studio::app::preview::stats::export(&report, &dir.join(file));
            assert!(e.is_err(), "{file}");
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("report.json"), b"old json").unwrap();
    fs::write(dir.path().join("report.csv"), b"old csv").unwrap();
    fault::rerun_on_full_disk(name, dir.path());
    assert_eq!(fs::read(dir.path().join("report.json")).unwrap(), b"old json");
    assert_eq!(fs::read(dir.path().join("report.csv")).unwrap(), b"old csv");
    assert_eq!(names(dir.path()), ["report.csv", "report.json"]);
}

#[cfg(unix)]
#[test]
fn saving_a_journey_opened_through_a_symlink_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.journey");
    journey_studio::format::save(&real, &three_nodes()).unwrap();
    std::os::unix::fs::symlink("real.journey", dir.path().join("link.journey")).unwrap();
    let mut h = app(AppConfig {
        file: Some(dir.path().join("link.journey")),
        data_dir: Some(dir.path().join("data")),
        native_dialogs: false,
        ..AppConfig::default()
    });
    nudge(&mut h);
    press(&mut h, Modifiers::COMMAND, Key::S);
    assert!(h.state().file_error().is_none(), "{:?}", h.state().file_error());
    assert!(fs::symlink_metadata(dir.path().join("link.journey")).unwrap().file_type().is_symlink());
    assert_eq!(&journey_studio::format::load(&real).unwrap(), h.state().journey());
    assert_eq!(names(dir.path()), ["data", "link.journey", "real.journey"]);
}

#[test]
fn the_recovery_dialog_wraps_its_text_inside_the_window() {
    let data = tempfile::tempdir().unwrap();
    {
        let mut h = harness(three_nodes(), data.path(), 0.0);
        nudge(&mut h);
        // Dropped without a clean exit, as in a crash.
    }
    let mut h = harness(Journey::new("Second start"), data.path(), 30.0);
    assert!(h.state().recovery_offered());
    let recover = h.get_by_role_and_label(Role::Button, "Recover").rect();
    let later = h.get_by_role_and_label(Role::Button, "Decide later").rect();
    for text in ["did not close cleanly", "autosaved"] {
        let rect = h.get_by_label_contains(text).rect();
        assert!(rect.right() <= 1400.0 && rect.width() <= 560.0, "{text}: {rect:?}");
        assert!(rect.left() >= later.left() - 1.0, "{text} starts inside the dialog");
    }
    assert!(recover.right() <= 1400.0);
    h.get_by_role_and_label(Role::Button, "Decide later").click();
    h.run();
    assert!(!h.state().recovery_offered());
}
