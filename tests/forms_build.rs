//! Issue 5's end-to-end check: the on-the-fence shoppers journey built from File › New
//! with only the palette, the canvas and the inspector forms, by pointer, key and text
//! events (egui_kittest). The result must validate and have the graph, setup, entry and
//! goals of `assets/on_the_fence.journey`, ids, positions and comments aside.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

#[path = "support/harness.rs"]
mod harness_support;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use journey_studio::app::App;
use journey_studio::model::{CanvasPos, Goal, Journey, NodeId, NodeKind, Port};
use journey_studio::validate::{Severity, validate};

fn asset(name: &str) -> Journey {
    journey_studio::format::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name)).expect("asset loads")
}

// ---------------------------------------------------------------- gestures

/// A pointer drag from `from` to `to` in a few moves.
fn drag(h: &mut Harness<'_, App>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.run();
    h.drag_at(from);
    h.run();
    for t in [0.2, 0.5, 1.0] {
        h.hover_at(from + (to - from) * t);
        h.run();
    }
    h.drop_at(to);
    h.run();
}

/// A plain click at a screen point.
fn click_at(h: &mut Harness<'_, App>, pos: Pos2) {
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
}

/// Scrolls the widget named `label` into view (the inspector is a scroll area) and clicks it.
fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Replaces the text of the field named `label` the way a user would: click, select all, type, Tab.
fn set_text(h: &mut Harness<'_, App>, label: &str, text: &str) {
    click(h, label);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
    h.key_press(Key::Tab);
    h.run();
}

/// Opens the picker named `label` and chooses `option`.
fn choose(h: &mut Harness<'_, App>, label: &str, option: &str) {
    click(h, label);
    h.get_by_label(option).click();
    h.run();
}

/// The collapsing header named `title` in the inspector (the palette has a heading and
/// a button of the same name further left).
fn section_header<'a>(h: &'a Harness<'_, App>, title: &'a str) -> egui_kittest::Node<'a> {
    let canvas_right = h.state().canvas_screen_rect().right();
    h.get_all_by_label(title)
        .find(|n| n.accesskit_node().role() != Role::Label && n.rect().left() > canvas_right)
        .unwrap_or_else(|| panic!("no {title} section in the inspector"))
}

/// Opens a collapsed section of the journey's forms.
fn open_section(h: &mut Harness<'_, App>, title: &str) {
    section_header(h, title).scroll_to_me();
    h.run();
    section_header(h, title).click();
    h.run();
}

/// Drags a palette entry onto the canvas at `to`; returns the new node (the app selects it).
fn add_from_palette(h: &mut Harness<'_, App>, label: &str, to: Pos2) -> NodeId {
    let before = h.state().journey().graph.nodes.len();
    let from = h.get_by_role_and_label(Role::Button, label).rect().center();
    drag(h, from, to);
    assert_eq!(
        h.state().journey().graph.nodes.len(),
        before + 1,
        "{label} added from the palette at {to:?} (from {from:?}, canvas {:?}, status {:?})",
        h.state().canvas_screen_rect(),
        h.state().status_message()
    );
    let selected = h.state().selected_nodes();
    assert_eq!(selected.len(), 1, "the new {label} is selected");
    selected[0]
}

/// Drags from an output port to the middle of another card.
fn connect(h: &mut Harness<'_, App>, from: NodeId, port: Port, to: NodeId) {
    let start = h.state().output_port_screen_pos(from, port).expect("port on screen");
    let end = h.state().node_screen_rect(to).expect("card on screen").center();
    drag(h, start, end);
    assert_eq!(h.state().journey().graph.target(from, port), Some(to), "{from} {port} linked");
}

/// Clicks a card to show its form in the inspector.
fn select(h: &mut Harness<'_, App>, id: NodeId) {
    let c = h.state().node_screen_rect(id).expect("card on screen").center();
    click_at(h, c);
    assert_eq!(h.state().selected_nodes(), vec![id]);
}

/// Clicks empty canvas so that the inspector shows the journey's forms.
fn deselect(h: &mut Harness<'_, App>) {
    h.key_press(Key::Escape);
    h.run();
    let r = h.state().canvas_screen_rect();
    click_at(h, pos2(r.center().x, r.bottom() - 20.0));
    assert!(h.state().selection().is_empty(), "nothing selected");
}

// ---------------------------------------------------------------- forms

/// Fills a channel node's form: label, title or subject, body, one optional button,
/// engagement window in days.
struct Message<'a> {
    label: &'a str,
    title: Option<&'a str>,
    subject: Option<&'a str>,
    body: &'a str,
    button: Option<(&'a str, &'a str)>,
    window_days: Option<&'a str>,
}

fn fill_message(h: &mut Harness<'_, App>, m: &Message<'_>) {
    set_text(h, "Label", m.label);
    if let Some(t) = m.title {
        set_text(h, "Title", t);
    }
    if let Some(s) = m.subject {
        set_text(h, "Subject", s);
    }
    set_text(h, "Body", m.body);
    if let Some((label, url)) = m.button {
        click(h, "Add button");
        set_text(h, "Button 1 label", label);
        set_text(h, "Button 1 link", url);
    }
    if let Some(days) = m.window_days {
        set_text(h, "Engagement window", days);
    }
}

// ---------------------------------------------------------------- comparison

/// A graph with ids and positions replaced by the order in which a breadth-first walk
/// from the entry meets the nodes (ports in display order): `(label, kind)` per node
/// and `(from, port, to)` per link, in that order.
type Canonical = (Vec<(String, NodeKind)>, Vec<(usize, Port, usize)>);

fn canonical(j: &Journey) -> Canonical {
    let g = &j.graph;
    let entry = g.entry().expect("one entry").id;
    let mut order: BTreeMap<NodeId, usize> = BTreeMap::from([(entry, 0)]);
    let mut nodes = Vec::new();
    let mut queue = VecDeque::from([entry]);
    while let Some(id) = queue.pop_front() {
        let node = g.node(id).unwrap();
        nodes.push((node.label.clone(), node.kind.clone()));
        for port in node.kind.output_ports() {
            if let Some(to) = g.target(id, port)
                && !order.contains_key(&to)
            {
                order.insert(to, order.len());
                queue.push_back(to);
            }
        }
    }
    assert_eq!(order.len(), g.nodes.len(), "every node is reachable from the entry");
    let mut links: Vec<_> = g.link_list().map(|l| (order[&l.from], l.port, order[&l.to])).collect();
    links.sort();
    (nodes, links)
}

fn goals_without_positions(goals: &[Goal]) -> Vec<Goal> {
    goals.iter().map(|g| Goal { pos: CanvasPos::default(), ..g.clone() }).collect()
}

// ---------------------------------------------------------------- the test

#[test]
fn on_the_fence_journey_is_built_from_new_with_palette_canvas_and_forms() {
    let dir = tempfile::tempdir().unwrap();
    // Start on another example, as after opening a file, then File › New.
    let mut h = harness_support::build(asset("abandoned_cart.journey"), dir.path(), 3600.0);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "New Ctrl+N").click();
    h.run();
    assert_eq!(h.state().journey().graph.nodes.len(), 1, "a new journey holds only its entry");
    // An empty canvas: delete the default entry; the palette gives it back.
    let default_entry = h.state().journey().graph.entry().unwrap().id;
    select(&mut h, default_entry);
    h.key_press(Key::Delete);
    h.run();
    assert!(h.state().journey().graph.nodes.is_empty());
    // Zoom out so that twelve cards fit in the view.
    for _ in 0..2 {
        h.key_press(Key::Minus);
        h.run();
    }

    // Four columns, three rows of cards.
    let canvas = h.state().canvas_screen_rect();
    let slot = |col: usize, row: usize| {
        pos2(
            canvas.left() + canvas.width() * (col as f32 * 0.24 + 0.12),
            canvas.top() + canvas.height() * (row as f32 * 0.3 + 0.08),
        )
    };

    // Nodes, each filled in through its form right after it lands (the app selects it).
    let entry = add_from_palette(&mut h, "Entry", slot(0, 0));
    set_text(&mut h, "Label", "Viewed a product more than 5 times");

    let check = add_from_palette(&mut h, "Wait for event / check", slot(1, 0));
    set_text(&mut h, "Label", "Viewed more than 10 times in the last 7 days?");
    choose(&mut h, "Condition", "Past behaviour");
    set_text(&mut h, "Event", "Product Viewed");
    choose(&mut h, "Count comparison", "more than");
    set_text(&mut h, "Count", "10");
    set_text(&mut h, "In the last days", "7");
    click(&mut h, "Qualifying window");

    let push_b = add_from_palette(&mut h, "Push", slot(2, 0));
    fill_message(
        &mut h,
        &Message {
            label: "Path B: 20% off push",
            title: Some("20% off, just for you"),
            subject: None,
            body: "{{ Profile.name | default: \"Hey\" }}, the item you keep coming back to is 20% off until midnight",
            button: Some(("Shop now", "shop://cart")),
            window_days: None,
        },
    );

    let wait_4h = add_from_palette(&mut h, "Wait", slot(3, 0));
    set_text(&mut h, "Label", "Wait 4 hours");
    choose(&mut h, "Wait duration unit", "hours");
    set_text(&mut h, "Wait duration", "4");

    let banner = add_from_palette(&mut h, "In-app", slot(0, 1));
    fill_message(
        &mut h,
        &Message {
            label: "Path B: 20% off banner",
            title: Some("Your 20% off is waiting"),
            subject: None,
            body: "Free delivery too, today only",
            button: Some(("Claim offer", "shop://offers/20")),
            window_days: Some("2"),
        },
    );

    let wait_b = add_from_palette(&mut h, "Wait", slot(1, 1));
    set_text(&mut h, "Label", "Wait 1 day");

    let email_b = add_from_palette(&mut h, "Email", slot(2, 1));
    fill_message(
        &mut h,
        &Message {
            label: "Path B: last-chance email",
            title: None,
            subject: Some("Last chance: 20% off and free delivery"),
            body: "Hi {{ Profile.name | default: \"there\" }}, your exclusive offer ends tonight. Complete your \
                   purchase with code STAY20.",
            button: None,
            window_days: None,
        },
    );

    let exit_b = add_from_palette(&mut h, "Exit", slot(3, 1));
    set_text(&mut h, "Label", "End of path B");

    let push_a = add_from_palette(&mut h, "Push", slot(0, 2));
    fill_message(
        &mut h,
        &Message {
            label: "Path A: 10% off push",
            title: Some("Still thinking it over?"),
            subject: None,
            body: "Take 10% off your favourite picks today",
            button: Some(("See offer", "shop://offers/10")),
            window_days: None,
        },
    );

    let wait_a = add_from_palette(&mut h, "Wait", slot(1, 2));
    set_text(&mut h, "Label", "Wait 1 day");

    let email_a = add_from_palette(&mut h, "Email", slot(2, 2));
    fill_message(
        &mut h,
        &Message {
            label: "Path A: 10% off email",
            title: None,
            subject: Some("10% off the things you have been eyeing"),
            body: "Hi {{ Profile.name | default: \"there\" }}, use code FENCE10 at checkout for 10% off this week.",
            button: None,
            window_days: None,
        },
    );

    let exit_a = add_from_palette(&mut h, "Exit", slot(3, 2));
    set_text(&mut h, "Label", "End of path A");

    // The slots above stay on the canvas only while no form widens the inspector.
    assert_eq!(h.state().canvas_screen_rect(), canvas, "the node forms keep the inspector's width");

    // Links, dragged from output ports onto cards.
    for (from, port, to) in [
        (entry, Port::Next, check),
        (check, Port::Yes, push_b),
        (check, Port::No, push_a),
        (push_b, Port::Sent, wait_4h),
        (push_b, Port::Unreachable, email_b),
        (wait_4h, Port::Next, banner),
        (banner, Port::Viewed, wait_b),
        (banner, Port::Clicked, wait_b),
        (wait_b, Port::Next, email_b),
        (email_b, Port::Sent, exit_b),
        (push_a, Port::Sent, wait_a),
        (push_a, Port::Unreachable, email_a),
        (wait_a, Port::Next, email_a),
        (email_a, Port::Sent, exit_a),
    ] {
        connect(&mut h, from, port, to);
    }

    // With nothing selected, the journey's own forms: setup, entry and goals.
    deselect(&mut h);
    set_text(&mut h, "Name", "On-the-fence shoppers");
    set_text(&mut h, "Description", "Real-time offers for shoppers who keep viewing a product but do not buy it");
    set_text(&mut h, "Start", "2027-01-04 04:30");
    click(&mut h, "End");
    set_text(&mut h, "End date-time", "2027-02-01 04:30");
    choose(&mut h, "Runs", "Every N days");
    set_text(&mut h, "Every days", "1");
    click(&mut h, "Allow re-entry");
    click(&mut h, "Cooldown");
    set_text(&mut h, "Cooldown duration", "7");
    click(&mut h, "Limit entries");
    set_text(&mut h, "Maximum entries", "2");
    click(&mut h, "Enable do not disturb");
    click(&mut h, "Defer");
    click(&mut h, "Mon quiet hours");
    set_text(&mut h, "Mon from", "22:00");
    set_text(&mut h, "Mon to", "08:00");
    click(&mut h, "Apply Mon to all days");
    click(&mut h, "Account timezone");
    set_text(&mut h, "Search", "kolk");
    h.get_by_label("Asia/Kolkata").click();
    h.run();
    click(&mut h, "Deliver in each user's timezone");
    click(&mut h, "Journey control group");
    set_text(&mut h, "Journey control group %", "10");
    set_text(&mut h, "Journey timeout duration", "7");
    click(&mut h, "Frequency cap");
    set_text(&mut h, "Most messages", "3");
    choose(&mut h, "Cap period", "day");
    click(&mut h, "Add exit event");
    set_text(&mut h, "Exit event 1", "App Uninstalled");

    open_section(&mut h, "Entry");
    choose(&mut h, "Entry rule", "Past behaviour");
    set_text(&mut h, "Event", "Product Viewed");
    choose(&mut h, "Count comparison", "more than");
    set_text(&mut h, "Count", "5");
    set_text(&mut h, "In the last days", "7");
    click(&mut h, "Do not send to unsubscribed users");

    open_section(&mut h, "Goals");
    click(&mut h, "Add goal");
    set_text(&mut h, "Goal 1 name", "Purchase");
    set_text(&mut h, "Goal 1 event", "Charged");
    click(&mut h, "Goal 1 value");
    set_text(&mut h, "Goal 1 value property", "Amount");

    // It validates, and matches the example, ids, positions and comments aside.
    let built = h.state().journey().clone();
    let errors: Vec<_> = validate(&built).into_iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "the built journey has validation errors: {errors:#?}");
    let want = asset("on_the_fence.journey");
    assert_eq!(built.setup, want.setup, "setup");
    assert_eq!(built.entry(), want.entry(), "entry segment");
    assert_eq!(goals_without_positions(&built.goals), goals_without_positions(&want.goals), "goals");
    let (built_nodes, built_links) = canonical(&built);
    let (want_nodes, want_links) = canonical(&want);
    assert_eq!(built_nodes, want_nodes, "nodes: labels, kinds and settings");
    assert_eq!(built_links, want_links, "links by port");
}
