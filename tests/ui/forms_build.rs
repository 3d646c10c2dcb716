//! Issue 5's end-to-end check: the on-the-fence shoppers journey built from File › New
//! with only the palette, the canvas and the inspector forms, by pointer, key and text
//! events (egui_kittest). The result must validate and have the graph, setup, entry and
//! goals of `assets/on_the_fence.journey`, ids, positions and comments aside.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use crate::harness_support;

use harness_support::drag;

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

/// Empties the field named `label`: click, select all, delete, Tab.
fn clear_text(h: &mut Harness<'_, App>, label: &str) {
    click(h, label);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.key_press(Key::Backspace);
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

// ---------------------------------------------------------------- diagnostics at their field, widths

/// The inspector's width: the window's right edge less the canvas's (no preview panel is open).
fn inspector_width(h: &Harness<'_, App>) -> f32 {
    1400.0 - h.state().canvas_screen_rect().right()
}

/// The inspector nodes named `label` exactly.
fn in_inspector<'a>(h: &'a Harness<'_, App>, label: &'a str) -> Vec<egui_kittest::Node<'a>> {
    let canvas_right = h.state().canvas_screen_rect().right();
    h.get_all_by_label(label).filter(|n| n.rect().left() > canvas_right).collect()
}

/// Asserts that `message` is shown exactly once in the inspector, below the widget(s)
/// named `above` and above those named `below` (or, when nothing follows, within a row of
/// `above`), so at the field and not in the banner; and exactly once in the problems panel.
fn assert_at_field(h: &Harness<'_, App>, message: &str, above: &str, below: Option<&str>) {
    let canvas = h.state().canvas_screen_rect();
    let shown: Vec<_> = h.query_all_by_label_contains(message).filter(|n| n.rect().left() > canvas.right()).collect();
    assert_eq!(shown.len(), 1, "{message:?} is shown once in the inspector");
    let at = shown[0].rect();
    let above_bottom = in_inspector(h, above).iter().map(|n| n.rect().bottom()).fold(f32::MIN, f32::max);
    let below_top = below
        .map_or(above_bottom + 40.0, |b| in_inspector(h, b).iter().map(|n| n.rect().top()).fold(f32::MAX, f32::min));
    assert!(above_bottom > f32::MIN && below_top < f32::MAX, "{above:?} and {below:?} are in the inspector");
    assert!(
        at.top() >= above_bottom - 1.0 && at.bottom() <= below_top + 1.0,
        "{message:?} at {at:?} lies between {above:?} (bottom {above_bottom}) and {below:?} (top {below_top})"
    );
    let in_panel = |n: &egui_kittest::Node<'_>| n.rect().top() > canvas.bottom() && n.rect().left() < canvas.right();
    let listed = h.query_all_by_label_contains(message).filter(in_panel).count();
    assert_eq!(listed, 1, "the problems panel lists {message:?}");
}

/// The message of the one diagnostic of `rule` in the current journey.
fn message_of(h: &Harness<'_, App>, rule: journey_studio::validate::Rule) -> String {
    let found: Vec<_> = validate(h.state().journey()).into_iter().filter(|d| d.rule == rule).collect();
    assert_eq!(found.len(), 1, "one {rule:?}: {found:#?}");
    found[0].message.clone()
}

/// Entry → random split 50/50 → push (path 1) or exit (path 2); push → exit; DND on
/// Mondays 22:00–08:00 (skip); one goal; the scenario's push view chance is 150 %, as a
/// file might hold (the form refuses to type it).
fn small_journey() -> Journey {
    use journey_studio::model::{
        Channel, Dnd, DndAction, EventFilter, GoalMode, KindTag, Node, PathId, RandomPath, SplitMode, TimeOfDay,
        TimeWindow, Weekday,
    };
    let mut j = Journey::new("Diagnostics");
    let entry = j.graph.entry().unwrap().id;
    let add = |j: &mut Journey, x: f32, kind: NodeKind, label: &str| {
        let id = j.graph.next_node_id();
        j.graph.nodes.insert(id, Node { id, label: label.into(), pos: CanvasPos::new(x, 0.0), kind });
        id
    };
    let paths = vec![
        RandomPath { id: PathId(1), name: "A".into(), percent: 50 },
        RandomPath { id: PathId(2), name: "B".into(), percent: 50 },
    ];
    let split = add(&mut j, 260.0, NodeKind::RandomSplit { paths, mode: SplitMode::Manual, winner: None }, "Test");
    let mut push_kind = KindTag::Channel(Channel::Push).default_kind();
    if let NodeKind::Channel { message, .. } = &mut push_kind {
        message.title = "Hi".into();
        message.body = "Hello".into();
    }
    let push = add(&mut j, 520.0, push_kind, "Hello");
    let exit = add(&mut j, 780.0, KindTag::Exit.default_kind(), "Done");
    j.graph.connect(entry, Port::Next, split);
    j.graph.connect(split, Port::Path(PathId(1)), push);
    j.graph.connect(split, Port::Path(PathId(2)), exit);
    j.graph.connect(push, Port::Sent, exit);
    let at = |h| TimeOfDay::new(h, 0).unwrap();
    let mut dnd = Dnd { enabled: true, action: DndAction::Skip, ..Dnd::default() };
    dnd.windows.insert(Weekday::Mon, TimeWindow { start: at(22), end: at(8) });
    j.setup.dnd = dnd;
    j.goals.push(Goal {
        name: "Purchase".into(),
        event: EventFilter::named("Charged"),
        mode: GoalMode::Live,
        value_property: None,
        pos: CanvasPos::new(520.0, -240.0),
    });
    j.scenario.channels.get_mut(&Channel::Push).unwrap().view = 1.5;
    j
}

#[test]
fn diagnostics_show_at_their_field_and_in_the_problems_panel() {
    use journey_studio::validate::Rule;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_support::build(small_journey(), dir.path(), 3600.0);
    h.run();
    let split = NodeId(2);
    let push = NodeId(3);

    // Split percentages: under the total line, above "Add path".
    select(&mut h, split);
    set_text(&mut h, "Path 1 %", "40");
    let m = message_of(&h, Rule::SplitPercentages);
    assert!(m.contains("add up to 90%"), "{m}");
    assert_at_field(&h, &m, "Total 90%", Some("Add path"));

    // A missing push title: under the title, above the body.
    select(&mut h, push);
    clear_text(&mut h, "Title");
    let m = message_of(&h, Rule::RequiredField);
    assert!(m.contains("the title is empty"), "{m}");
    assert_at_field(&h, &m, "Title", Some("Body"));
    set_text(&mut h, "Title", "Hi");
    assert!(h.query_by_label_contains(&m).is_none(), "fixed, the message is gone from the form and the panel");

    // A whole-day DND window: under Monday's row, above Tuesday's.
    deselect(&mut h);
    set_text(&mut h, "Mon to", "22:00");
    let m = message_of(&h, Rule::DndWindow);
    assert!(m.starts_with("Quiet hours on Mon"), "{m}");
    assert_at_field(&h, &m, "Mon to", Some("Tue quiet hours"));

    // A goal without an event: under the event, above its filters' add button.
    open_section(&mut h, "Goals");
    clear_text(&mut h, "Goal 1 event");
    let m = message_of(&h, Rule::RequiredField);
    assert!(m.starts_with("Goal 1: the event name is empty"), "{m}");
    assert_at_field(&h, &m, "Goal 1 event", Some("Goal 1 event filter add"));

    // Scenario: a probability above 1 (from the file) shows under its channel's
    // collapsed header, then under its row once open; typing one is refused inline.
    open_section(&mut h, "Scenario");
    let m =
        validate(h.state().journey()).into_iter().find(|d| d.rule == Rule::ScenarioValue).map(|d| d.message).unwrap();
    assert!(m.starts_with("Push: the view chance is 1.5"), "{m}");
    assert_at_field(&h, &m, "Push rates", Some("Email rates"));
    click(&mut h, "Push rates");
    assert_at_field(&h, &m, "Push view", Some("Push click given view"));
    set_text(&mut h, "Push view", "150");
    assert!(h.query_by_label_contains("must be between 0 and 100").is_some(), "refused inline");
    set_text(&mut h, "Push view", "30");
    assert!(validate(h.state().journey()).iter().all(|d| d.rule != Rule::ScenarioValue));
}

/// Opens every collapsed section in the inspector, one at a time (each opening may
/// reveal more); returns the titles of all the sections then open.
fn open_all_headers(h: &mut Harness<'_, App>) -> Vec<String> {
    let collapsed = |h: &Harness<'_, App>| {
        let canvas_right = h.state().canvas_screen_rect().right();
        h.get_all_by_role(Role::DisclosureTriangle)
            .filter(|n| n.rect().left() > canvas_right && n.accesskit_node().data().is_expanded() == Some(false))
            .find_map(|n| n.accesskit_node().label())
    };
    for _ in 0..100 {
        let Some(title) = collapsed(h) else { break };
        open_section(h, &title);
    }
    assert_eq!(collapsed(h), None, "every section opens");
    let canvas_right = h.state().canvas_screen_rect().right();
    h.get_all_by_role(Role::DisclosureTriangle)
        .filter(|n| n.rect().left() > canvas_right && n.accesskit_node().data().is_expanded() == Some(true))
        .filter_map(|n| n.accesskit_node().label())
        .collect()
}

#[test]
fn journey_and_node_forms_keep_the_inspector_narrow() {
    use journey_studio::model::{Channel, PropertyDist};
    let dir = tempfile::tempdir().unwrap();
    let mut journey = asset("on_the_fence.journey");
    // The asset's scenario has categorical and normal properties; add the other kinds,
    // whose parameter rows differ, so that every row of the Scenario form is measured.
    let properties = &mut journey.scenario.population.properties;
    properties.insert("Age".into(), PropertyDist::Uniform { min: 18.0, max: 70.0 });
    properties.insert("Opted in".into(), PropertyDist::Bool(0.3));
    properties.insert("Trip".into(), PropertyDist::DateOffset { min_days: -2.0, max_days: 12.0 });
    let ids: Vec<NodeId> = journey.graph.nodes.keys().copied().collect();
    let mut h = harness_support::build(journey, dir.path(), 3600.0);
    h.run();
    let default_width = inspector_width(&h);
    assert!(default_width < 360.0, "setup: the inspector is {default_width} px wide");
    for section in ["Entry", "Goals", "Scenario"] {
        open_section(&mut h, section);
        let w = inspector_width(&h);
        assert!(w < 360.0, "with {section} open the inspector is {w} px wide");
    }
    // The Scenario form at its widest: every collapsible section in it opened (its
    // sections start open, each channel's rates closed).
    let opened = open_all_headers(&mut h);
    let sections = [
        "Population",
        "Timezone mix",
        "Reachability",
        "User properties",
        "Activity curve",
        "Events",
        "Fatigue",
        "Channel rates and costs",
        "Run settings",
    ];
    let rates = Channel::ALL.map(|c| format!("{} rates", c.label()));
    for title in sections.iter().copied().chain(rates.iter().map(String::as_str)) {
        assert!(opened.iter().any(|t| t == title), "{title} is open: {opened:?}");
    }
    let w = inspector_width(&h);
    assert!(w < 360.0, "with every Scenario section open the inspector is {w} px wide");
    // Every node whose card can be clicked in this view (cards may overlap at this zoom).
    let canvas = h.state().canvas_screen_rect();
    let mut checked = 0;
    for id in ids {
        let Some(card) = h.state().node_screen_rect(id) else { continue };
        if !canvas.contains(card.center()) {
            continue;
        }
        click_at(&mut h, card.center());
        if h.state().selected_nodes() != vec![id] {
            continue;
        }
        checked += 1;
        let w = inspector_width(&h);
        assert!(w < 360.0, "node {id}'s form makes the inspector {w} px wide");
    }
    assert!(checked >= 5, "only {checked} node forms were checked");
}
