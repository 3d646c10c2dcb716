//! The editor driven through egui_kittest with pointer and key events, as a user would.
//! Assertions are on the model first. One helper, [`harness`], builds every harness.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use crate::harness_support;

use harness_support::drag;

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use journey_studio::app::App;
use journey_studio::model::{CanvasPos, Channel, Journey, KindTag, Node, NodeId, Port};

/// Builds every harness: a 1400×860 window, autosave into `data_dir` at once, no native dialogs.
fn harness(journey: Journey, data_dir: &Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 0.0);
    h.run();
    h
}

/// A journey: the entry, a Wait and a Push, unlinked, in a row.
fn three_nodes() -> Journey {
    let mut j = Journey::new("Test");
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

/// A click at a screen point, with modifiers held.
fn click_at(h: &mut Harness<'_, App>, pos: Pos2, modifiers: Modifiers) {
    h.hover_at(pos);
    h.run();
    h.event(egui::Event::ModifiersChanged(modifiers));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton { pos, button: egui::PointerButton::Primary, pressed, modifiers });
    }
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.run();
}

fn press(h: &mut Harness<'_, App>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

/// A point on empty canvas: below the cards, inside the canvas.
fn empty_spot(h: &Harness<'_, App>) -> Pos2 {
    let r = h.state().canvas_screen_rect();
    pos2(r.center().x, r.bottom() - 40.0)
}

fn node_centre(h: &Harness<'_, App>, id: NodeId) -> Pos2 {
    h.state().node_screen_rect(id).expect("node on screen").center()
}

fn palette_button(h: &Harness<'_, App>, label: &str) -> Pos2 {
    h.get_by_role_and_label(Role::Button, label).rect().center()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn every_node_kind_can_be_added_from_the_palette() {
    let dir = tmp();
    let mut h = harness(Journey::new("Palette"), dir.path());
    let target = h.state().canvas_screen_rect().center();
    let kinds: Vec<KindTag> = KindTag::all().into_iter().filter(|k| *k != KindTag::Entry).collect();
    for (i, kind) in kinds.iter().enumerate() {
        let from = palette_button(&h, kind.label());
        let to = target + vec2((i % 4) as f32 * 30.0 - 60.0, (i / 4) as f32 * 30.0 - 60.0);
        drag(&mut h, from, to);
        let j = h.state().journey();
        assert_eq!(j.graph.nodes.len(), i + 2, "adding {kind:?}");
        assert!(j.graph.nodes.values().any(|n| n.kind.tag() == *kind), "{kind:?} added");
    }
    // A second entry is refused; a goal and a comment come from the palette too.
    let (p0, p1) = (palette_button(&h, "Entry"), target);
    drag(&mut h, p0, p1);
    assert_eq!(h.state().journey().graph.entries().count(), 1);
    assert!(h.state().status_message().is_some_and(|m| m.contains("entry")));
    let (p0, p1) = (palette_button(&h, "Goal"), target + vec2(0.0, 200.0));
    drag(&mut h, p0, p1);
    assert_eq!(h.state().journey().goals.len(), 1);
    // Double-click adds in the middle of the view.
    let before = h.state().journey().comments.len();
    h.get_by_role_and_label(Role::Button, "Comment").click();
    h.step();
    h.get_by_role_and_label(Role::Button, "Comment").click();
    h.run();
    assert_eq!(h.state().journey().comments.len(), before + 1);
}

#[test]
fn dragging_from_a_port_connects_and_forbidden_links_are_refused() {
    let dir = tmp();
    let mut h = harness(three_nodes(), dir.path());
    let port = h.state().output_port_screen_pos(NodeId(1), Port::Next).expect("entry port");
    let (p0, p1) = (port, node_centre(&h, NodeId(2)));
    drag(&mut h, p0, p1);
    assert_eq!(h.state().journey().graph.target(NodeId(1), Port::Next), Some(NodeId(2)));

    // Into the entry: refused, nothing changes, a message shows.
    let before = h.state().journey().clone();
    let port = h.state().output_port_screen_pos(NodeId(3), Port::Sent).expect("push port");
    let (p0, p1) = (port, node_centre(&h, NodeId(1)));
    drag(&mut h, p0, p1);
    assert_eq!(h.state().journey(), &before);
    assert!(h.state().refusal().is_some_and(|m| m.contains("entry")));

    // Dropped on empty canvas: the add-node menu opens; picking adds and connects.
    let port = h.state().output_port_screen_pos(NodeId(2), Port::Next).expect("wait port");
    let (p0, p1) = (port, empty_spot(&h));
    drag(&mut h, p0, p1);
    // The add-node menu's Email (the palette has one too, further left).
    let menu_email = h
        .get_all_by_role_and_label(Role::Button, "Email")
        .max_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .expect("an Email button");
    menu_email.click();
    h.run();
    let j = h.state().journey();
    let email = j.graph.nodes.values().find(|n| n.kind.tag() == KindTag::Channel(Channel::Email)).expect("email added");
    assert_eq!(j.graph.target(NodeId(2), Port::Next), Some(email.id));
}

#[test]
fn box_select_then_delete_removes_the_nodes_and_their_links() {
    let dir = tmp();
    let mut j = three_nodes();
    j.graph.connect(NodeId(1), Port::Next, NodeId(2));
    j.graph.connect(NodeId(2), Port::Next, NodeId(3));
    let mut h = harness(j, dir.path());
    let a = h.state().node_screen_rect(NodeId(2)).unwrap();
    let b = h.state().node_screen_rect(NodeId(3)).unwrap();
    drag(&mut h, a.left_top() + vec2(-20.0, -25.0), b.right_bottom() + vec2(20.0, 25.0));
    assert_eq!(h.state().selected_nodes(), vec![NodeId(2), NodeId(3)]);
    press(&mut h, Modifiers::NONE, Key::Delete);
    let j = h.state().journey();
    assert_eq!(j.graph.nodes.keys().copied().collect::<Vec<_>>(), vec![NodeId(1)]);
    assert!(j.graph.links.is_empty());
}

#[test]
fn copy_paste_gives_new_ids_and_keeps_inner_links() {
    let dir = tmp();
    let mut j = three_nodes();
    j.graph.connect(NodeId(2), Port::Next, NodeId(3));
    let mut h = harness(j, dir.path());
    let (p0, p1) = (node_centre(&h, NodeId(2)), Modifiers::NONE);
    click_at(&mut h, p0, p1);
    let c = node_centre(&h, NodeId(3));
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: c,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::SHIFT,
        },
        Modifiers::SHIFT,
    );
    h.event_modifiers(
        egui::Event::PointerButton {
            pos: c,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::SHIFT,
        },
        Modifiers::SHIFT,
    );
    h.run();
    assert_eq!(h.state().selected_nodes(), vec![NodeId(2), NodeId(3)]);
    press(&mut h, Modifiers::COMMAND, Key::C);
    h.hover_at(empty_spot(&h));
    h.run();
    press(&mut h, Modifiers::COMMAND, Key::V);
    let j = h.state().journey();
    assert_eq!(j.graph.nodes.len(), 5);
    assert_eq!(j.graph.target(NodeId(4), Port::Next), Some(NodeId(5)), "the link inside the copy is kept");
    assert_eq!(h.state().selected_nodes(), vec![NodeId(4), NodeId(5)]);
    // Duplicate copies the pasted pair again.
    press(&mut h, Modifiers::COMMAND, Key::D);
    assert_eq!(h.state().journey().graph.nodes.len(), 7);
}

#[test]
fn undo_returns_to_the_original_model_and_redo_replays() {
    let dir = tmp();
    let original = three_nodes();
    let mut h = harness(original.clone(), dir.path());
    // 1: connect; 2: move a card by dragging; 3: add from the palette; 4: type a label.
    let port = h.state().output_port_screen_pos(NodeId(1), Port::Next).unwrap();
    let (p0, p1) = (port, node_centre(&h, NodeId(2)));
    drag(&mut h, p0, p1);
    let c = node_centre(&h, NodeId(3));
    drag(&mut h, c, c + vec2(0.0, 120.0));
    assert_ne!(h.state().journey().graph.node(NodeId(3)).unwrap().pos, original.graph.node(NodeId(3)).unwrap().pos);
    let (p0, p1) = (palette_button(&h, "Exit"), empty_spot(&h));
    drag(&mut h, p0, p1);
    let label = h.get_by_label("Label");
    label.focus();
    h.run();
    h.get_by_label("Label").type_text(" here");
    h.run();
    let edited = h.state().journey().clone();
    assert!(edited.graph.nodes.values().any(|n| n.label.contains("here")));
    assert!(h.state().is_dirty());
    h.remove_cursor();
    h.run();
    // Leave the text field, then undo four steps.
    h.key_press(Key::Escape);
    h.run();
    for _ in 0..4 {
        press(&mut h, Modifiers::COMMAND, Key::Z);
    }
    assert_eq!(h.state().journey(), &original);
    assert!(!h.state().is_dirty());
    for _ in 0..4 {
        press(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    }
    assert_eq!(h.state().journey(), &edited);
}

/// Types a path into the in-app path field and confirms.
fn answer_path(h: &mut Harness<'_, App>, path: &Path, verb: &str) {
    h.get_by_label("File path").type_text(&path.display().to_string());
    h.run();
    h.get_by_role_and_label(Role::Button, verb).click();
    h.run();
}

#[test]
fn save_and_reopen_a_file() {
    let dir = tmp();
    let file: PathBuf = dir.path().join("saved.journey");
    let mut h = harness(three_nodes(), dir.path());
    let port = h.state().output_port_screen_pos(NodeId(1), Port::Next).unwrap();
    let (p0, p1) = (port, node_centre(&h, NodeId(2)));
    drag(&mut h, p0, p1);
    assert!(h.state().title().starts_with('●'));
    press(&mut h, Modifiers::COMMAND, Key::S);
    answer_path(&mut h, &file, "Save");
    assert!(file.exists());
    assert!(!h.state().is_dirty());
    assert_eq!(h.state().title(), "saved.journey · Draft — Journey Studio");
    let saved = h.state().journey().clone();

    // Change it, then open the file again: asked to save first; discard.
    press(&mut h, Modifiers::NONE, Key::ArrowDown); // nothing selected: no change
    let (p0, p1) = (node_centre(&h, NodeId(2)), Modifiers::NONE);
    click_at(&mut h, p0, p1);
    press(&mut h, Modifiers::NONE, Key::Delete);
    assert!(h.state().is_dirty());
    press(&mut h, Modifiers::COMMAND, Key::O);
    h.get_by_role_and_label(Role::Button, "Discard").click();
    h.run();
    answer_path(&mut h, &file, "Open");
    assert_eq!(h.state().journey(), &saved);
    assert_eq!(h.state().path(), Some(file.as_path()));
    assert!(!h.state().is_dirty());
}

#[test]
fn a_corrupt_file_shows_the_error_and_keeps_the_journey() {
    let dir = tmp();
    let bad = dir.path().join("bad.journey");
    std::fs::write(&bad, "(format_version: 1, journey: (setup: oops").unwrap();
    let mut h = harness(three_nodes(), dir.path());
    let before = h.state().journey().clone();
    press(&mut h, Modifiers::COMMAND, Key::O);
    answer_path(&mut h, &bad, "Open");
    let error = h.state().file_error().expect("error shown").to_owned();
    assert!(error.contains("line"), "{error}");
    assert!(h.query_by_label_contains("bad.journey").is_some(), "the message names the file");
    assert_eq!(h.state().journey(), &before);
    h.get_by_role_and_label(Role::Button, "OK").click();
    h.run();
    assert!(h.state().file_error().is_none());
}

#[test]
fn unsaved_work_is_offered_for_recovery_after_a_crash() {
    let dir = tmp();
    let edited = {
        let mut h = harness(three_nodes(), dir.path());
        let port = h.state().output_port_screen_pos(NodeId(2), Port::Next).unwrap();
        let (p0, p1) = (port, node_centre(&h, NodeId(3)));
        drag(&mut h, p0, p1);
        assert!(h.state().autosave_file().is_some_and(Path::exists), "autosaved");
        h.state().journey().clone()
        // Dropped here without a clean exit, as in a crash.
    };
    let mut h = harness(Journey::new("Fresh start"), dir.path());
    assert!(h.state().recovery_offered());
    h.get_by_role_and_label(Role::Button, "Recover").click();
    h.run();
    assert_eq!(h.state().journey(), &edited);
    assert!(h.state().is_dirty());
}

#[test]
fn keyboard_moves_selection_and_fit_keeps_cards_visible() {
    let dir = tmp();
    let mut h = harness(three_nodes(), dir.path());
    let (p0, p1) = (node_centre(&h, NodeId(2)), Modifiers::NONE);
    click_at(&mut h, p0, p1);
    let before = h.state().journey().graph.node(NodeId(2)).unwrap().pos;
    press(&mut h, Modifiers::NONE, Key::ArrowRight);
    press(&mut h, Modifiers::NONE, Key::ArrowRight);
    let after = h.state().journey().graph.node(NodeId(2)).unwrap().pos;
    assert_eq!(after.x - before.x, 40.0);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().journey().graph.node(NodeId(2)).unwrap().pos, before, "two nudges are one step");
    press(&mut h, Modifiers::NONE, Key::Minus);
    press(&mut h, Modifiers::NONE, Key::F);
    let canvas = h.state().canvas_screen_rect();
    for id in [NodeId(1), NodeId(2), NodeId(3)] {
        assert!(canvas.contains_rect(h.state().node_screen_rect(id).unwrap()), "{id} visible after fit");
    }
}

#[test]
fn problems_list_selects_the_node_and_auto_align_lays_out_left_to_right() {
    let dir = tmp();
    let mut j = three_nodes();
    // Scrambled positions; the Push is linked from the Wait, the Wait from nothing (unreachable).
    j.graph.nodes.get_mut(&NodeId(2)).unwrap().pos = CanvasPos::new(40.0, 300.0);
    j.graph.nodes.get_mut(&NodeId(3)).unwrap().pos = CanvasPos::new(-200.0, 120.0);
    j.graph.connect(NodeId(2), Port::Next, NodeId(3));
    let mut h = harness(j, dir.path());
    let problem = h.query_all_by_label_contains("Wait (n2)").next().expect("a problem about the unreachable Wait");
    problem.click();
    h.run();
    assert_eq!(h.state().selected_nodes(), vec![NodeId(2)]);
    let canvas = h.state().canvas_screen_rect();
    assert!(canvas.contains(node_centre(&h, NodeId(2))), "the node is centred in view");

    // Link the entry, clear the selection, then auto-align everything.
    let (port, to) = (h.state().output_port_screen_pos(NodeId(1), Port::Next).unwrap(), node_centre(&h, NodeId(2)));
    drag(&mut h, port, to);
    press(&mut h, Modifiers::NONE, Key::Escape);
    let spot = empty_spot(&h);
    click_at(&mut h, spot, Modifiers::NONE);
    press(&mut h, Modifiers::COMMAND, Key::L);
    let g = &h.state().journey().graph;
    let x = |id| g.node(NodeId(id)).unwrap().pos.x;
    let y = |id| g.node(NodeId(id)).unwrap().pos.y;
    assert!(x(1) < x(2) && x(2) < x(3), "left to right");
    assert_eq!((y(1), y(2)), (y(2), y(3)), "one row for a chain");
}

#[test]
fn double_click_a_comment_to_edit_it_on_the_canvas() {
    use journey_studio::model::{Comment, CommentId};
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_nodes();
    j.comments.push(Comment { id: CommentId(1), pos: CanvasPos::new(0.0, 200.0), text: "Note".into() });
    let original = j.clone();
    let mut h = harness(j, dir.path());
    let at = h.state().screen_from_canvas(pos2(20.0, 215.0));
    h.hover_at(at);
    h.run();
    for _ in 0..2 {
        for pressed in [true, false] {
            h.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Modifiers::NONE,
            });
        }
        h.step();
    }
    h.run();
    let field = h.get_by_label("Note text");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Note text").type_text("Call out the 10% control group");
    h.run();
    assert_eq!(h.state().journey().comments[0].text, "Call out the 10% control group");
    // Escape ends the edit.
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.query_by_label("Note text").is_none(), "the editor closed");
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().journey(), &original, "the typing was one undo step");
}

/// File › New from template… lists the three examples, each previewed with its
/// description; Create starts an unsaved journey from the chosen one, after the
/// unsaved-changes question.
#[test]
fn new_from_template_previews_each_example_and_creates_an_unsaved_copy() {
    let dir = tmp();
    let mut h = harness(three_nodes(), dir.path());
    // An unsaved change, so Create must ask first.
    let wait = node_centre(&h, NodeId(2));
    click_at(&mut h, wait, Modifiers::NONE);
    press(&mut h, Modifiers::NONE, Key::Delete);
    assert!(h.state().is_dirty());
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("New from template").click();
    h.run();
    for t in journey_studio::templates::TEMPLATES {
        h.get_all_by_label(t.title).next().unwrap().click();
        h.run();
        let j = t.journey().unwrap();
        let line = format!("{} cards · {} links", j.graph.nodes.len(), j.graph.links.len());
        assert!(h.query_by_label_contains(&line).is_some(), "{}: {line:?} shown", t.name);
        let first_words: String = j.setup.description.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        assert!(h.query_by_label_contains(&first_words).is_some(), "{}: its description is shown", t.name);
    }
    harness_support::screenshot(&mut h, "new_from_template.png");
    h.get_all_by_label("Abandoned cart").next().unwrap().click();
    h.run();
    h.get_by_label("Create").click();
    h.run();
    // The unsaved change is asked about first; dropping it creates the journey.
    h.get_by_label("Discard").click();
    h.run();
    let want = journey_studio::templates::find("abandoned-cart").unwrap().journey().unwrap();
    assert_eq!(h.state().journey().graph, want.graph);
    assert_eq!(h.state().journey().setup.name, want.setup.name);
    assert!(h.state().path().is_none(), "the copy has no file yet");
    assert!(h.query_by_label("Create").is_none(), "the window closed");
}
