//! Inspector forms driven through their accessible labels (egui_kittest): every
//! setting of every node kind, setup, entry, goals and scenario. Each test types,
//! clicks and picks the way a user would and checks the model, then relies on the
//! harness's accessibility check (run after every frame batch) for unnamed inputs.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns build fixtures from literals

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use journey_studio::app::forms::{
    FormContext, FormResponse, entry_form_ui, goals_form_ui, node_form_ui, scenario_form_ui, setup_form_ui,
};
use journey_studio::model::{
    ActionRule, CanvasPos, CapPeriod, Channel, Condition, CountCmp, CountedFrom, DelayDist, DndAction, EngagementKind,
    EntryRule, EntrySegment, Filter, GoalMode, Journey, KindTag, Node, NodeId, NodeKind, Operator, PathId,
    PropertyDist, Recurrence, Scenario, Scope, Seconds, Setup, SplitMode, TimeOfDay, Timeline, Timestamp, TzName,
    UpdateOp, Value, WaitKind, Weekday,
};

/// What a form harness edits.
struct State<T> {
    journey: Journey,
    value: T,
    changes: usize,
    /// The diagnostics the form is given each frame, from the edited value.
    diagnose: fn(&T) -> Vec<journey_studio::validate::Diagnostic>,
}

type FormFn<T> = fn(&mut egui::Ui, &mut T, &FormContext<'_>) -> FormResponse;

/// The one helper that builds every harness: a form over `value`, counting reported changes.
fn harness<T: 'static>(value: T, form: FormFn<T>) -> Harness<'static, State<T>> {
    diagnosed_harness(value, form, |_| Vec::new())
}

/// A form harness whose form is given `diagnose(value)` as its diagnostics.
fn diagnosed_harness<T: 'static>(
    value: T,
    form: FormFn<T>,
    diagnose: fn(&T) -> Vec<journey_studio::validate::Diagnostic>,
) -> Harness<'static, State<T>> {
    let state = State { journey: Journey::new("Test"), value, changes: 0, diagnose };
    let mut h = Harness::builder().with_size([1400.0, 6000.0]).build_ui_state(
        move |ui, s: &mut State<T>| {
            let diagnostics = (s.diagnose)(&s.value);
            let cx = FormContext { journey: &s.journey, diagnostics: &diagnostics };
            if form(ui, &mut s.value, &cx).changed {
                s.changes += 1;
            }
        },
        state,
    );
    h.run();
    h
}

fn node(kind: KindTag) -> Node {
    Node { id: NodeId(7), label: kind.label().to_owned(), pos: CanvasPos::new(0.0, 0.0), kind: kind.default_kind() }
}

/// A node form given the diagnostics of a journey holding the node (so validation
/// messages show at their fields).
fn node_harness(kind: KindTag) -> Harness<'static, State<Node>> {
    diagnosed_harness(node(kind), node_form_ui, |n| {
        let mut j = Journey::new("Test");
        j.graph.nodes.insert(n.id, n.clone());
        journey_studio::validate::validate(&j)
    })
}

/// Replaces the text of the field named `label` the way a user would: click, select all, type, Tab.
fn set_text<S>(h: &mut Harness<'_, S>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
    h.key_press(Key::Tab);
    h.run();
}

/// Clicks the widget named `label`.
fn click<S>(h: &mut Harness<'_, S>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

/// Opens the picker named `label` and chooses `option`.
fn choose<S>(h: &mut Harness<'_, S>, label: &str, option: &str) {
    click(h, label);
    click(h, option);
}

fn kind<'a>(h: &'a Harness<'_, State<Node>>) -> &'a NodeKind {
    &h.state().value.kind
}

fn tod(h: u8, m: u8) -> TimeOfDay {
    TimeOfDay::new(h, m).unwrap()
}

fn utc(y: i32, mo: u32, d: u32, hh: u32, mm: u32) -> Timestamp {
    Timestamp::from_utc(y, mo, d, hh, mm, 0).unwrap()
}

fn has_error<S>(h: &Harness<'_, S>, text: &str) -> bool {
    // A message may show twice: in its slot and in a form's banner.
    h.query_all_by_label_contains(text).next().is_some()
}

// ---------------------------------------------------------------- nodes

#[test]
fn wait_node_every_mode() {
    let mut h = node_harness(KindTag::Wait);
    set_text(&mut h, "Label", "Cool down");
    assert_eq!(h.state().value.label, "Cool down");
    set_text(&mut h, "Wait duration", "3");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::Duration(Seconds::days(3))));
    choose(&mut h, "Wait duration unit", "hours");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::Duration(Seconds::hours(3))));
    set_text(&mut h, "Wait duration", "-2");
    assert!(has_error(&h, "must be between"), "a negative duration is refused inline");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::Duration(Seconds::hours(3))));

    choose(&mut h, "Wait mode", "Until a time of day");
    set_text(&mut h, "Wait until time", "25:00");
    assert!(has_error(&h, "\"25:00\" is not a time"), "inline error shown");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::TimeOfDay { time: tod(9, 0), user_timezone: false }));
    set_text(&mut h, "Wait until time", "21:30");
    assert!(!has_error(&h, "is not a time"));
    click(&mut h, "User timezone");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::TimeOfDay { time: tod(21, 30), user_timezone: true }));

    choose(&mut h, "Wait mode", "Until a date-time");
    set_text(&mut h, "Wait until", "2027-03-01 10:15");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::Until(utc(2027, 3, 1, 10, 15))));
    set_text(&mut h, "Wait until", "tomorrow");
    assert!(has_error(&h, "is not a date-time"));
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::Until(utc(2027, 3, 1, 10, 15))));
    click(&mut h, "Wait until now");
    let now = chrono::Utc::now().timestamp();
    match kind(&h) {
        NodeKind::Wait(WaitKind::Until(t)) => assert!((now - t.0).abs() < 120, "Now fixes the current instant"),
        other => panic!("unexpected {other:?}"),
    }

    choose(&mut h, "Wait mode", "Until the best time");
    assert_eq!(kind(&h), &NodeKind::Wait(WaitKind::BestTime));
    assert!(h.state().changes >= 8);
}

#[test]
fn condition_node_live_action_with_filters_nth_and_window() {
    let mut h = node_harness(KindTag::Condition);
    set_text(&mut h, "Event", "Product Viewed");
    click(&mut h, "Event filter add");
    set_text(&mut h, "Event filter 1 property", "Category");
    set_text(&mut h, "Event filter 1 value", "Shoes");
    click(&mut h, "Only the nth occurrence");
    set_text(&mut h, "Occurrence number", "6");
    set_text(&mut h, "Qualifying window duration", "2");
    choose(&mut h, "Qualifying window duration unit", "hours");
    let NodeKind::Condition { condition: Condition::LiveAction(rule), window, .. } = kind(&h) else { panic!() };
    assert_eq!(rule.event.event, "Product Viewed");
    assert_eq!(rule.event.filters.len(), 1);
    let f = &rule.event.filters[0];
    assert_eq!((f.scope, f.property.as_str(), f.op), (Scope::Event, "Category", Operator::Equals));
    assert_eq!(f.value, Value::Text("Shoes".into()));
    assert_eq!(rule.nth_occurrence, Some(6));
    assert_eq!(*window, Some(Seconds::hours(2)));

    // Operators switch the value type; numbers are parsed.
    choose(&mut h, "Event filter 1 operator", "is greater than");
    set_text(&mut h, "Event filter 1 value", "abc");
    assert!(has_error(&h, "is not a number"));
    set_text(&mut h, "Event filter 1 value", "42.5");
    let NodeKind::Condition { condition: Condition::LiveAction(rule), .. } = kind(&h) else { panic!() };
    assert_eq!(rule.event.filters[0].op, Operator::GreaterThan);
    assert_eq!(rule.event.filters[0].value, Value::Number(42.5));
    click(&mut h, "Remove Event filter 1");
    click(&mut h, "Qualifying window");
    let NodeKind::Condition { condition: Condition::LiveAction(rule), window, .. } = kind(&h) else { panic!() };
    assert!(rule.event.filters.is_empty());
    assert_eq!(*window, None);
}

#[test]
fn condition_node_inaction_past_behaviour_and_date_property() {
    let mut h = node_harness(KindTag::Condition);
    choose(&mut h, "Condition", "Inaction");
    set_text(&mut h, "Did event", "Added To Cart");
    set_text(&mut h, "Did not do event", "Charged");
    set_text(&mut h, "Within", "30");
    choose(&mut h, "Within unit", "minutes");
    let NodeKind::Condition { condition: Condition::Inaction(r), .. } = kind(&h) else { panic!() };
    assert_eq!((r.did.event.as_str(), r.not_did.event.as_str()), ("Added To Cart", "Charged"));
    assert_eq!(r.within, Seconds::minutes(30));

    choose(&mut h, "Condition", "Past behaviour");
    set_text(&mut h, "Event", "App Launched");
    choose(&mut h, "Count comparison", "more than");
    set_text(&mut h, "Count", "10");
    set_text(&mut h, "In the last days", "14");
    let NodeKind::Condition { condition: Condition::PastBehaviour(r), .. } = kind(&h) else { panic!() };
    assert_eq!(r.event.event, "App Launched");
    assert_eq!(r.count, CountCmp::MoreThan(10));
    assert_eq!(r.last_days, 14);

    choose(&mut h, "Condition", "Date-time property");
    set_text(&mut h, "Date property", "Flight time");
    set_text(&mut h, "Within the next", "3");
    choose(&mut h, "Within the next unit", "days");
    let NodeKind::Condition { condition: Condition::DateProperty(r), .. } = kind(&h) else { panic!() };
    assert_eq!(r.property, "Flight time");
    assert_eq!(r.within_next, Seconds::days(3));
}

/// The counted-from setting of a condition node (if it is one).
fn counted_from(h: &Harness<'_, State<Node>>) -> Option<CountedFrom> {
    match kind(h) {
        NodeKind::Condition { counted_from, .. } => Some(*counted_from),
        _ => None,
    }
}

#[test]
fn condition_node_counted_from_arrival_needs_a_window() {
    let mut h = node_harness(KindTag::Condition);
    assert_eq!(counted_from(&h), Some(CountedFrom::Entry), "from entry by default");
    choose(&mut h, "Counted from", "arrival here");
    assert_eq!(counted_from(&h), Some(CountedFrom::Arrival));
    assert!(matches!(kind(&h), NodeKind::Condition { window: Some(_), .. }));
    assert!(!has_error(&h, "needs a window"));
    // Without a window validation refuses it, under the field, and nothing below moves.
    let choice = h.get_by_label("Counted from").rect();
    let window_box = h.get_by_label("Qualifying window").rect();
    click(&mut h, "Qualifying window");
    assert!(matches!(kind(&h), NodeKind::Condition { window: None, .. }));
    let message = h.get_by_label_contains("needs a window").rect();
    assert!(
        message.top() >= choice.bottom() && message.top() - choice.bottom() < 20.0,
        "the message is in the field's slot: {message:?} under {choice:?}"
    );
    assert_eq!(h.get_by_label("Counted from").rect(), choice, "the choice stays put");
    assert_eq!(h.get_by_label("Qualifying window").rect(), window_box, "the window's box stays put");
    click(&mut h, "Qualifying window");
    assert!(!has_error(&h, "needs a window"));
    // Inaction counts events too, and keeps the setting.
    choose(&mut h, "Condition", "Inaction");
    assert_eq!(counted_from(&h), Some(CountedFrom::Arrival));
    choose(&mut h, "Counted from", "entry");
    assert_eq!(counted_from(&h), Some(CountedFrom::Entry));
    choose(&mut h, "Counted from", "arrival here");
    // A condition that counts no events has no such setting: it goes back to entry.
    choose(&mut h, "Condition", "Past behaviour");
    assert_eq!(counted_from(&h), Some(CountedFrom::Entry));
    assert!(h.query_by_label("Counted from").is_none(), "not shown for past behaviour");
}

#[test]
fn condition_node_counted_from_arrival_on_a_property_check_shows_its_error() {
    // A file may set "from arrival" on a condition that counts no events: the setting is
    // shown with validation's reason, so that it can be fixed.
    let mut n = node(KindTag::Condition);
    n.kind = NodeKind::Condition {
        condition: Condition::UserProperty(Filter::default()),
        window: None,
        counted_from: CountedFrom::Arrival,
    };
    let mut h = diagnosed_harness(n, node_form_ui, |n| {
        let mut j = Journey::new("Test");
        j.graph.nodes.insert(n.id, n.clone());
        journey_studio::validate::validate(&j)
    });
    assert!(has_error(&h, "only a live-action or inaction condition can count from arrival"));
    choose(&mut h, "Counted from", "entry");
    assert_eq!(counted_from(&h), Some(CountedFrom::Entry));
    assert!(!has_error(&h, "can count from arrival"));
}

#[test]
fn condition_node_user_property_builder_with_typed_values() {
    let mut h = node_harness(KindTag::Condition);
    choose(&mut h, "Condition", "User property");
    set_text(&mut h, "User property condition 1 property", "Premium");
    choose(&mut h, "User property condition 1 type", "true/false");
    choose(&mut h, "User property condition 1 value", "false");
    click(&mut h, "User property add condition");
    set_text(&mut h, "User property condition 2 property", "Last seen");
    choose(&mut h, "User property condition 2 operator", "is within the last");
    set_text(&mut h, "User property condition 2 value", "5");
    choose(&mut h, "User property condition 2 value unit", "days");
    click(&mut h, "User property add condition");
    set_text(&mut h, "User property condition 3 property", "Signed up");
    choose(&mut h, "User property condition 3 operator", "is less than");
    choose(&mut h, "User property condition 3 type", "date-time");
    set_text(&mut h, "User property condition 3 value", "2026-06-01 00:00");
    choose(&mut h, "User property match", "any (OR)");
    let NodeKind::Condition { condition: Condition::UserProperty(Filter::Any(members)), .. } = kind(&h) else {
        panic!("{:?}", kind(&h))
    };
    let conds: Vec<_> = members
        .iter()
        .map(|m| match m {
            Filter::Cond(c) => (c.property.clone(), c.op, c.value.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        conds,
        vec![
            ("Premium".to_owned(), Operator::Equals, Value::Bool(false)),
            ("Last seen".to_owned(), Operator::WithinLast, Value::Duration(Seconds::days(5))),
            ("Signed up".to_owned(), Operator::LessThan, Value::DateTime(utc(2026, 6, 1, 0, 0))),
        ]
    );
}

#[test]
fn conditional_split_paths_groups_and_order() {
    let mut h = node_harness(KindTag::ConditionalSplit);
    set_text(&mut h, "Path 1 name", "Big spenders");
    click(&mut h, "Path 1 add condition");
    choose(&mut h, "Path 1 condition 1 scope", "Event");
    set_text(&mut h, "Path 1 condition 1 property", "Amount");
    choose(&mut h, "Path 1 condition 1 operator", "is greater than");
    set_text(&mut h, "Path 1 condition 1 value", "100");
    click(&mut h, "Path 1 add group");
    set_text(&mut h, "Path 1 condition 2 condition 1 property", "City");
    choose(&mut h, "Path 1 condition 2 condition 1 operator", "contains");
    set_text(&mut h, "Path 1 condition 2 condition 1 value", "York");
    click(&mut h, "Path 1 condition 2 add condition");
    set_text(&mut h, "Path 1 condition 2 condition 2 property", "Country");
    choose(&mut h, "Path 1 condition 2 match", "all (AND)");
    click(&mut h, "Add path");
    set_text(&mut h, "Path 2 name", "Everyone in Paris");
    click(&mut h, "Move path 2 up");
    let NodeKind::ConditionalSplit { paths } = kind(&h) else { panic!() };
    assert_eq!(paths.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Everyone in Paris", "Big spenders"]);
    assert_eq!(paths[1].id, PathId(1), "reordering keeps path ids (and so links)");
    let Filter::All(members) = &paths[1].filter else { panic!() };
    let Filter::Cond(c) = &members[0] else { panic!() };
    assert_eq!(
        (c.scope, c.property.as_str(), c.op, &c.value),
        (Scope::Event, "Amount", Operator::GreaterThan, &Value::Number(100.0))
    );
    let Filter::All(group) = &members[1] else { panic!("{:?}", members[1]) };
    assert_eq!(group.len(), 2);
    assert!(h.query_by_label_contains("Others").is_some(), "Others is shown as the fixed last path");
    click(&mut h, "Remove path 1");
    let NodeKind::ConditionalSplit { paths } = kind(&h) else { panic!() };
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].name, "Big spenders");
}

#[test]
fn random_split_percentages_mode_and_winner() {
    let mut h = node_harness(KindTag::RandomSplit);
    set_text(&mut h, "Path 1 name", "Control copy");
    set_text(&mut h, "Path 1 %", "40");
    assert!(has_error(&h, "Total 90%"), "live sum");
    assert!(has_error(&h, "the percentages add up to 90%, they must add up to 100%"), "the reason under the sum");
    click(&mut h, "Add path");
    set_text(&mut h, "Path 3 %", "10");
    assert!(h.query_by_label("Total 100%").is_some());
    for _ in 0..4 {
        click(&mut h, "Add path");
    }
    let NodeKind::RandomSplit { paths, .. } = kind(&h) else { panic!() };
    assert_eq!(paths.len(), 7);
    assert!(h.query_by_label("Add path").is_some_and(|b| b.accesskit_node().is_disabled()), "at most 7 paths");
    for n in (3..=7).rev() {
        click(&mut h, &format!("Remove path {n}"));
    }
    assert!(h.query_by_label("Remove path 2").is_none(), "no fewer than 2 paths");
    click(&mut h, "Move path 1 down");
    click(&mut h, "Automated");
    set_text(&mut h, "Minimum share %", "15");
    choose(&mut h, "Declared winner", "Control copy");
    let NodeKind::RandomSplit { paths, mode, winner } = kind(&h) else { panic!() };
    assert_eq!(
        paths.iter().map(|p| (p.name.as_str(), p.percent)).collect::<Vec<_>>(),
        [("Variant B", 50), ("Control copy", 40)]
    );
    assert_eq!(*mode, SplitMode::Automated { min_share_percent: 15 });
    assert_eq!(*winner, Some(PathId(1)));
    click(&mut h, "Manual");
    let NodeKind::RandomSplit { mode, .. } = kind(&h) else { panic!() };
    assert_eq!(*mode, SplitMode::Manual);
}

/// The (name, percent, title) of each content variant of the harness's channel node.
fn variant_rows(h: &Harness<'_, State<Node>>) -> Vec<(String, u8, String)> {
    kind(h).variants().iter().map(|v| (v.name.clone(), v.percent, v.message.title.clone())).collect()
}

#[test]
fn content_variants_add_rename_reorder_and_remove() {
    let mut h = node_harness(KindTag::Channel(Channel::Push));
    set_text(&mut h, "Title", "Flash sale");
    assert!(h.query_by_label("Variant 1 name").is_none());
    click(&mut h, "Add content variants");
    let row = |name: &str, percent: u8, title: &str| (name.to_owned(), percent, title.to_owned());
    assert_eq!(variant_rows(&h), [row("A", 50, "Flash sale"), row("B", 50, "Flash sale")]);
    let NodeKind::Channel { message, .. } = kind(&h) else { panic!() };
    assert_eq!(message.title, "", "the one message moved into the variants");
    assert!(h.query_by_label("Title").is_none(), "each variant has its own title");

    // Rename and edit a variant's own content.
    set_text(&mut h, "Variant 2 name", "Urgent");
    set_text(&mut h, "Variant 2 title", "Last chance");
    assert_eq!(variant_rows(&h), [row("A", 50, "Flash sale"), row("Urgent", 50, "Last chance")]);

    // Add a third, fix the percentages through the form.
    click(&mut h, "Add variant");
    set_text(&mut h, "Variant 3 %", "20");
    assert!(h.query_by_label("Variants total 120%").is_some(), "live sum");
    assert!(has_error(&h, "the variant percentages add up to 120%"), "the reason under the sum");
    set_text(&mut h, "Variant 1 %", "30");
    assert!(h.query_by_label("Variants total 100%").is_some());
    set_text(&mut h, "Variant 3 name", "a");
    assert!(has_error(&h, "two content variants are named 'a'"));
    set_text(&mut h, "Variant 3 name", "Short");
    assert!(kind(&h).summary().contains("3 variants"), "the card shows the variants: {}", kind(&h).summary());

    // Reorder: the third moves up to second.
    click(&mut h, "Move variant 3 up");
    assert_eq!(
        variant_rows(&h),
        [row("A", 30, "Flash sale"), row("Short", 20, "Flash sale"), row("Urgent", 50, "Last chance")]
    );
    let ids: Vec<u32> = kind(&h).variants().iter().map(|v| v.id.0).collect();
    assert_eq!(ids, [1, 3, 2], "ids stay with their variants");

    // At most 5.
    click(&mut h, "Add variant");
    click(&mut h, "Add variant");
    assert_eq!(kind(&h).variants().len(), 5);
    assert!(h.query_by_label("Add variant").is_some_and(|b| b.accesskit_node().is_disabled()), "at most 5 variants");

    // Remove down to one: the node is one message again, the remaining variant's.
    for n in [5, 4, 1] {
        click(&mut h, &format!("Remove variant {n}"));
    }
    assert_eq!(variant_rows(&h), [row("Short", 20, "Flash sale"), row("Urgent", 50, "Last chance")]);
    click(&mut h, "Remove variant 1");
    let NodeKind::Channel { message, variants, .. } = kind(&h) else { panic!() };
    assert!(variants.is_empty());
    assert_eq!(message.title, "Last chance");
    assert!(h.query_by_label("Title").is_some());
    assert!(h.state().changes > 0);
}

#[test]
fn channel_nodes_message_fields_follow_the_channel() {
    for channel in Channel::ALL {
        let mut h = node_harness(KindTag::Channel(channel));
        let fields = channel.fields();
        if fields.title {
            set_text(&mut h, "Title", "Flash sale");
        } else {
            assert!(h.query_by_label("Title").is_none(), "{channel:?} has no title");
        }
        if fields.subject {
            set_text(&mut h, "Subject", "Only today");
        }
        if fields.url {
            set_text(&mut h, "Webhook URL", "https://example.com/hook");
        }
        let body = if channel == Channel::Webhook { "Payload" } else { "Body" };
        set_text(&mut h, body, "Hello {{ Profile.name }}");
        set_text(&mut h, "Provider", "Acme");
        if fields.buttons {
            click(&mut h, "Add button");
            set_text(&mut h, "Button 1 label", "Shop");
            set_text(&mut h, "Button 1 link", "app://shop");
        } else {
            assert!(h.query_by_label("Add button").is_none());
        }
        set_text(&mut h, "Engagement window", "12");
        choose(&mut h, "Engagement window unit", "hours");
        click(&mut h, "Exclude this node from user timezone");
        let NodeKind::Channel { channel: c, message, engagement_window, exclude_from_user_timezone, .. } = kind(&h)
        else {
            panic!()
        };
        assert_eq!(*c, channel);
        assert_eq!(message.body, "Hello {{ Profile.name }}");
        assert_eq!(message.provider, "Acme");
        assert_eq!(message.title, if fields.title { "Flash sale" } else { "" });
        assert_eq!(message.subject, if fields.subject { "Only today" } else { "" });
        assert_eq!(message.url, if fields.url { "https://example.com/hook" } else { "" });
        if fields.buttons {
            assert_eq!((message.buttons[0].label.as_str(), message.buttons[0].url.as_str()), ("Shop", "app://shop"));
        }
        assert_eq!(*engagement_window, Seconds::hours(12));
        assert!(*exclude_from_user_timezone);
    }
}

#[test]
fn profile_update_rows() {
    let mut h = node_harness(KindTag::ProfileUpdate);
    click(&mut h, "Add update");
    set_text(&mut h, "Property 1", "Points");
    choose(&mut h, "Operation 1", "increase by");
    set_text(&mut h, "Value 1", "10");
    click(&mut h, "Add update");
    set_text(&mut h, "Property 2", "Points");
    assert!(has_error(&h, "each property may appear once"));
    set_text(&mut h, "Property 2", "Tags");
    choose(&mut h, "Operation 2", "add to array");
    set_text(&mut h, "Value 2", "vip");
    let NodeKind::ProfileUpdate { rows } = kind(&h) else { panic!() };
    let got: Vec<_> = rows.iter().map(|r| (r.property.as_str(), r.op, r.value.as_str())).collect();
    assert_eq!(got, [("Points", UpdateOp::IncreaseBy, "10"), ("Tags", UpdateOp::AddToArray, "vip")]);
    click(&mut h, "Remove update 1");
    let NodeKind::ProfileUpdate { rows } = kind(&h) else { panic!() };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].property, "Tags");
}

#[test]
fn exit_nodes_have_only_a_label() {
    for tag in [KindTag::Exit, KindTag::ForceExit] {
        let mut h = node_harness(tag);
        set_text(&mut h, "Label", "Done");
        assert_eq!(h.state().value.label, "Done");
        assert_eq!(h.state().value.kind, tag.default_kind());
    }
}

// ---------------------------------------------------------------- entry

fn entry_segment() -> EntrySegment {
    let NodeKind::Entry(seg) = KindTag::Entry.default_kind() else { panic!() };
    seg
}

#[test]
fn entry_live_action_user_filters_and_unsubscribed() {
    let mut h = harness(entry_segment(), entry_form_ui);
    set_text(&mut h, "Event", "Product Viewed");
    click(&mut h, "Only the nth occurrence");
    set_text(&mut h, "Occurrence number", "3");
    click(&mut h, "User filter add");
    set_text(&mut h, "User filter 1 property", "Age");
    choose(&mut h, "User filter 1 operator", "is greater than");
    set_text(&mut h, "User filter 1 value", "18");
    click(&mut h, "Do not send to unsubscribed users");
    let seg = &h.state().value;
    assert_eq!(
        seg.rule,
        EntryRule::LiveAction(ActionRule {
            event: journey_studio::model::EventFilter::named("Product Viewed"),
            nth_occurrence: Some(3)
        })
    );
    assert_eq!(seg.user_filters.len(), 1);
    assert_eq!(seg.user_filters[0].scope, Scope::User);
    assert_eq!(seg.user_filters[0].value, Value::Number(18.0));
    assert!(seg.skip_unsubscribed);
}

#[test]
fn entry_every_rule_kind() {
    let mut h = harness(entry_segment(), entry_form_ui);
    choose(&mut h, "Entry rule", "Inaction");
    set_text(&mut h, "Did event", "Added To Cart");
    set_text(&mut h, "Did not do event", "Charged");
    set_text(&mut h, "Within", "2");
    let EntryRule::Inaction(r) = &h.state().value.rule else { panic!() };
    assert_eq!(
        (r.did.event.as_str(), r.not_did.event.as_str(), r.within),
        ("Added To Cart", "Charged", Seconds::days(2))
    );

    choose(&mut h, "Entry rule", "Date-time property");
    set_text(&mut h, "Date property", "Due date");
    set_text(&mut h, "Within the next", "10");
    let EntryRule::DateProperty(r) = &h.state().value.rule else { panic!() };
    assert_eq!((r.property.as_str(), r.within_next), ("Due date", Seconds::days(10)));

    choose(&mut h, "Entry rule", "Past behaviour");
    set_text(&mut h, "Event", "Charged");
    choose(&mut h, "Count comparison", "fewer than");
    set_text(&mut h, "Count", "2");
    set_text(&mut h, "In the last days", "30");
    let EntryRule::PastBehaviour(r) = &h.state().value.rule else { panic!() };
    assert_eq!((r.event.event.as_str(), r.count, r.last_days), ("Charged", CountCmp::FewerThan(2), 30));
    assert!(h.query_by_label_contains("Scheduled entry").is_some());

    choose(&mut h, "Entry rule", "Custom list");
    set_text(&mut h, "List name", "VIPs");
    assert_eq!(h.state().value.rule, EntryRule::CustomList { name: "VIPs".into() });
}

// ---------------------------------------------------------------- setup

#[test]
fn setup_basics_dates_and_description_counter() {
    let mut h = harness(Setup::default(), setup_form_ui);
    set_text(&mut h, "Name", "Win back");
    set_text(&mut h, "Description", "Bring them back");
    assert!(h.query_by_label("15/120").is_some(), "live counter");
    set_text(&mut h, "Description", &"x".repeat(121));
    assert!(has_error(&h, "121/120: too long to publish"));
    assert_eq!(h.state().value.description.len(), 121, "long text is kept, not truncated");
    set_text(&mut h, "Start", "2027-02-01 09:00");
    assert_eq!(h.state().value.start, utc(2027, 2, 1, 9, 0));
    set_text(&mut h, "Start", "2027-02-30 09:00");
    assert!(has_error(&h, "is not a date-time"));
    assert_eq!(h.state().value.start, utc(2027, 2, 1, 9, 0), "invalid text leaves the model unchanged");
    click(&mut h, "End");
    set_text(&mut h, "End date-time", "2027-03-01 00:00");
    assert_eq!(h.state().value.end, Some(utc(2027, 3, 1, 0, 0)));
    click(&mut h, "Start now");
    let now = chrono::Utc::now().timestamp();
    assert!((h.state().value.start.0 - now).abs() < 120);
    assert_eq!(h.state().value.start.0 % 60, 0, "Now is a fixed instant to the minute");
    click(&mut h, "End");
    assert_eq!(h.state().value.end, None);
    assert_eq!(h.state().value.name, "Win back");
}

#[test]
fn setup_timeline_every_kind() {
    let mut h = harness(Setup::default(), setup_form_ui);
    choose(&mut h, "Runs", "On specific dates");
    click(&mut h, "Add run date");
    set_text(&mut h, "Run 2", "2027-01-20 10:00");
    let start = h.state().value.start;
    assert_eq!(h.state().value.timeline, Timeline::SpecificDates(vec![start, utc(2027, 1, 20, 10, 0)]));
    click(&mut h, "Remove run 1");
    assert_eq!(h.state().value.timeline, Timeline::SpecificDates(vec![utc(2027, 1, 20, 10, 0)]));
    choose(&mut h, "Runs", "Every N days");
    set_text(&mut h, "Every days", "3");
    assert_eq!(h.state().value.timeline, Timeline::Recurring(Recurrence::EveryDays(3)));
    choose(&mut h, "Runs", "Weekly");
    click(&mut h, "Run on Wed");
    click(&mut h, "Run on Fri");
    assert_eq!(
        h.state().value.timeline,
        Timeline::Recurring(Recurrence::Weekly(vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]))
    );
    choose(&mut h, "Runs", "Monthly");
    set_text(&mut h, "Day of month", "15");
    set_text(&mut h, "Day of month", "32");
    assert!(has_error(&h, "must be between 1 and 31"));
    assert_eq!(h.state().value.timeline, Timeline::Recurring(Recurrence::Monthly(15)));
    choose(&mut h, "Runs", "Enter once (at the start)");
    assert_eq!(h.state().value.timeline, Timeline::Once);
}

#[test]
fn setup_reentry_dnd_and_timezone() {
    let mut h = harness(Setup::default(), setup_form_ui);
    click(&mut h, "Allow re-entry");
    click(&mut h, "Cooldown");
    set_text(&mut h, "Cooldown duration", "7");
    click(&mut h, "Limit entries");
    set_text(&mut h, "Maximum entries", "4");
    let r = &h.state().value.reentry;
    assert!(r.enabled);
    assert_eq!((r.cooldown, r.max_entries), (Some(Seconds::days(7)), Some(4)));

    click(&mut h, "Enable do not disturb");
    click(&mut h, "Mon quiet hours");
    set_text(&mut h, "Mon from", "21:00");
    set_text(&mut h, "Mon to", "07:30");
    set_text(&mut h, "Mon to", "7h");
    assert!(has_error(&h, "\"7h\" is not a time"));
    click(&mut h, "Apply Mon to all days");
    click(&mut h, "Skip");
    set_text(&mut h, "Sun from", "23:00");
    let dnd = &h.state().value.dnd;
    assert!(dnd.enabled);
    assert_eq!(dnd.action, DndAction::Skip);
    assert_eq!(dnd.windows.len(), 7);
    assert_eq!((dnd.windows[&Weekday::Thu].start, dnd.windows[&Weekday::Thu].end), (tod(21, 0), tod(7, 30)));
    assert_eq!(dnd.windows[&Weekday::Sun].start, tod(23, 0));
    click(&mut h, "Tue quiet hours");
    assert!(!h.state().value.dnd.windows.contains_key(&Weekday::Tue));

    click(&mut h, "Account timezone");
    set_text(&mut h, "Search", "kolk");
    click(&mut h, "Asia/Kolkata");
    click(&mut h, "Deliver in each user's timezone");
    let tz = &h.state().value.timezone;
    assert_eq!(tz.account, TzName::new("Asia/Kolkata"));
    assert!(tz.per_user);
}

#[test]
fn setup_control_timeout_cap_and_exit_criteria() {
    let mut h = harness(Setup::default(), setup_form_ui);
    click(&mut h, "Journey control group");
    set_text(&mut h, "Journey control group %", "20");
    set_text(&mut h, "Journey control group %", "1");
    assert!(has_error(&h, "must be between 2 and 99"));
    click(&mut h, "System control group");
    set_text(&mut h, "System control group %", "3");
    let c = &h.state().value.control;
    assert_eq!((c.journey_percent, c.system_percent), (Some(20), Some(3)));

    set_text(&mut h, "Journey timeout duration", "21");
    assert_eq!(h.state().value.timeout, Some(Seconds::days(21)));
    click(&mut h, "Journey timeout");
    assert_eq!(h.state().value.timeout, None);

    click(&mut h, "Frequency cap");
    set_text(&mut h, "Most messages", "5");
    choose(&mut h, "Cap period", "week");
    let cap = h.state().value.frequency_cap.clone().unwrap();
    assert_eq!((cap.max_messages, cap.period), (5, CapPeriod::Week));

    click(&mut h, "Add exit event");
    set_text(&mut h, "Exit event 1", "Uninstalled");
    click(&mut h, "Add exit event");
    set_text(&mut h, "Exit event 2", "Unsubscribed");
    click(&mut h, "Exit event 2 filter add");
    set_text(&mut h, "Exit event 2 filter 1 property", "Channel");
    set_text(&mut h, "Exit event 2 filter 1 value", "email");
    click(&mut h, "Remove exit event 1");
    let exits = &h.state().value.exit_criteria;
    assert_eq!(exits.len(), 1);
    assert_eq!(exits[0].event, "Unsubscribed");
    assert_eq!(exits[0].filters[0].value, Value::Text("email".into()));
}

// ---------------------------------------------------------------- goals

#[test]
fn goals_add_edit_value_and_limit() {
    let mut h = harness(Vec::new(), goals_form_ui);
    click(&mut h, "Add goal");
    set_text(&mut h, "Goal 1 name", "Purchase");
    set_text(&mut h, "Goal 1 event", "Charged");
    click(&mut h, "Goal 1 event filter add");
    set_text(&mut h, "Goal 1 event filter 1 property", "Amount");
    choose(&mut h, "Goal 1 event filter 1 operator", "is greater than");
    set_text(&mut h, "Goal 1 event filter 1 value", "20");
    click(&mut h, "Goal 1 value");
    set_text(&mut h, "Goal 1 value property", "Revenue");
    click(&mut h, "Add goal");
    click(&mut h, "Add goal");
    assert_eq!(h.state().value.len(), 3);
    assert!(h.get_by_label("Add goal").accesskit_node().is_disabled(), "at most 3 goals");
    h.get_all_by_label("Past behaviour").nth(1).unwrap().click();
    h.run();
    set_text(&mut h, "Goal 3 name", "Third");
    click(&mut h, "Remove goal 3");
    let goals = &h.state().value;
    assert_eq!(goals.len(), 2);
    assert_eq!(goals[0].name, "Purchase");
    assert_eq!(goals[0].event.event, "Charged");
    assert_eq!(goals[0].event.filters[0].value, Value::Number(20.0));
    assert_eq!(goals[0].value_property.as_deref(), Some("Revenue"));
    assert_eq!(goals[0].mode, GoalMode::Live);
    assert_eq!(goals[1].mode, GoalMode::PastBehaviour);
}

// ---------------------------------------------------------------- scenario

#[test]
fn scenario_population_timezones_and_reachability() {
    let mut h = harness(Scenario::default(), scenario_form_ui);
    set_text(&mut h, "Population size", "250000");
    set_text(&mut h, "Population size", "0");
    assert!(has_error(&h, "must be between 1 and 100000000"));
    set_text(&mut h, "Session event", "Session Started");
    set_text(&mut h, "Custom list share", "25");
    click(&mut h, "Add timezone");
    click(&mut h, "Timezone 2");
    set_text(&mut h, "Search", "new_york");
    click(&mut h, "America/New_York");
    set_text(&mut h, "Timezone 2 weight", "3");
    set_text(&mut h, "Push token", "80");
    set_text(&mut h, "Web-push subscription", "5");
    set_text(&mut h, "Email address", "90");
    set_text(&mut h, "Phone number", "40");
    set_text(&mut h, "WhatsApp opt-in", "50");
    set_text(&mut h, "SMS unsubscribed", "7");
    let p = &h.state().value.population;
    assert_eq!(p.users, 250_000);
    assert_eq!(p.session_event, "Session Started");
    assert!((p.custom_list_share - 0.25).abs() < 1e-12);
    assert_eq!(p.timezones[1].tz, TzName::new("America/New_York"));
    assert_eq!(p.timezones[1].weight, 3.0);
    let r = &p.reachability;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(r.push, 0.8) && close(r.web_push, 0.05) && close(r.email, 0.9) && close(r.phone, 0.4));
    assert!(close(r.whatsapp_of_phone, 0.5));
    assert!(close(r.unsubscribed[&Channel::Sms], 0.07));
    click(&mut h, "Remove timezone 1");
    assert_eq!(h.state().value.population.timezones.len(), 1);
}

#[test]
fn scenario_user_property_distributions() {
    let mut h = harness(Scenario::default(), scenario_form_ui);
    click(&mut h, "Add user property");
    set_text(&mut h, "User property 1 name", "Age");
    set_text(&mut h, "User property 1 min", "18");
    set_text(&mut h, "User property 1 max", "70");
    click(&mut h, "Add user property");
    // Keys are sorted: "Age" then "Property".
    set_text(&mut h, "User property 2 name", "Age");
    assert!(has_error(&h, "\"Age\" is already used"));
    set_text(&mut h, "User property 2 name", "Plan");
    choose(&mut h, "User property 2 distribution", "categories");
    set_text(&mut h, "User property 2 category 1", "Free");
    set_text(&mut h, "User property 2 category 1 weight", "8");
    set_text(&mut h, "User property 2 category 2", "Pro");
    click(&mut h, "User property 2 add category");
    click(&mut h, "Remove User property 2 category 3");
    let props = &h.state().value.population.properties;
    assert_eq!(props["Age"], PropertyDist::Uniform { min: 18.0, max: 70.0 });
    assert_eq!(props["Plan"], PropertyDist::Categorical(vec![("Free".into(), 8.0), ("Pro".into(), 1.0)]));
    choose(&mut h, "User property 1 distribution", "normal number");
    set_text(&mut h, "User property 1 mean", "35");
    set_text(&mut h, "User property 1 sd", "9");
    click(&mut h, "Add user property");
    choose(&mut h, "User property 3 distribution", "true/false");
    set_text(&mut h, "User property 3 p", "30");
    click(&mut h, "Add user property");
    set_text(&mut h, "User property 4 name", "Trip");
    choose(&mut h, "User property 4 distribution", "date offset");
    set_text(&mut h, "User property 4 from days", "-2");
    set_text(&mut h, "User property 4 to days", "12");
    let props = &h.state().value.population.properties;
    assert_eq!(props["Age"], PropertyDist::Normal { mean: 35.0, std_dev: 9.0 });
    assert_eq!(props["Property"], PropertyDist::Bool(0.3));
    assert_eq!(props["Trip"], PropertyDist::DateOffset { min_days: -2.0, max_days: 12.0 });
    click(&mut h, "Remove user property 1");
    assert!(!h.state().value.population.properties.contains_key("Age"));
}

#[test]
fn scenario_activity_curve_fields_and_chart_drag() {
    let mut h = harness(Scenario::default(), scenario_form_ui);
    set_text(&mut h, "Hour 03", "2.5");
    assert_eq!(h.state().value.population.activity_curve[3], 2.5);
    set_text(&mut h, "Hour 04", "lots");
    assert!(has_error(&h, "is not a number"));
    assert_eq!(h.state().value.population.activity_curve[4], 0.1);
    // Drag bar 20 to the top of the chart: its weight becomes the chart's full scale.
    let chart = h.get_by_label("Activity curve chart").rect();
    let bar_20 = egui::pos2(chart.left() + 20.5 * chart.width() / 24.0, chart.bottom() - 5.0);
    let top = egui::pos2(bar_20.x, chart.top() + 1.0);
    h.drag_at(bar_20);
    h.run();
    h.hover_at(top);
    h.run();
    h.drop_at(top);
    h.run();
    let curve = &h.state().value.population.activity_curve;
    assert_eq!(curve.len(), 24);
    assert!(curve[20] > 2.5, "dragging up raised hour 20 to {}", curve[20]);
    assert_eq!(curve[3], 2.5, "other hours unchanged");
}

#[test]
fn scenario_events_engagement_and_shape() {
    let mut h = harness(Scenario::default(), scenario_form_ui);
    click(&mut h, "Add event");
    // Sorted keys: "App Launched", "New event".
    set_text(&mut h, "Event 2 name", "Charged");
    set_text(&mut h, "Event 2 rate per day", "0.05");
    click(&mut h, "Add event 2 property");
    set_text(&mut h, "Event 2 property 1 name", "Amount");
    set_text(&mut h, "Event 2 property 1 max", "200");
    click(&mut h, "Event 2 add response");
    choose(&mut h, "Event 2 response 1 on", "view");
    set_text(&mut h, "Event 2 response 1 multiplier", "3");
    set_text(&mut h, "Event 2 response 1 duration", "6");
    choose(&mut h, "Event 2 response 1 duration unit", "hours");
    set_text(&mut h, "Activity shape", "1.5");
    set_text(&mut h, "Push fatigue", "0.5");
    let s = &h.state().value;
    let ev = &s.events["Charged"];
    assert_eq!(ev.rate_per_day, 0.05);
    assert_eq!(ev.properties["Amount"], PropertyDist::Uniform { min: 0.0, max: 200.0 });
    assert_eq!(ev.engagement[0].on, EngagementKind::View);
    assert_eq!(ev.engagement[0].multiplier, 3.0);
    assert_eq!(ev.engagement[0].duration, Seconds::hours(6));
    assert_eq!(s.activity_shape, 1.5);
    assert!((s.fatigue[&Channel::Push] - 0.005).abs() < 1e-12);
    click(&mut h, "Remove Event 2 response 1");
    click(&mut h, "Remove event 1");
    let s = &h.state().value;
    assert!(s.events["Charged"].engagement.is_empty());
    assert!(!s.events.contains_key("App Launched"));
}

/// A scenario form given the diagnostics of a journey with that scenario.
fn scenario_harness(scenario: Scenario) -> Harness<'static, State<Scenario>> {
    diagnosed_harness(scenario, scenario_form_ui, |s| {
        let mut j = Journey::new("Test");
        j.scenario = s.clone();
        journey_studio::validate::validate(&j)
    })
}

#[test]
fn scenario_event_own_activity_shape() {
    let mut h = scenario_harness(Scenario::default());
    let shape = |h: &Harness<'_, State<Scenario>>| h.state().value.events["App Launched"].activity_shape;
    assert_eq!(shape(&h), None, "shares the scenario's factor by default");
    assert!(h.query_by_label("Event 1 own activity shape value").is_none());
    click(&mut h, "Event 1 own activity shape");
    assert_eq!(shape(&h), Some(h.state().value.activity_shape), "starts at the shared shape");
    set_text(&mut h, "Event 1 own activity shape value", "0.4");
    assert_eq!(shape(&h), Some(0.4));
    set_text(&mut h, "Event 1 own activity shape value", "0");
    assert!(has_error(&h, "must be between 0.01 and 1000"), "refused inline");
    assert_eq!(shape(&h), Some(0.4));
    set_text(&mut h, "Event 1 own activity shape value", "3");
    assert_eq!(shape(&h), Some(3.0));
    assert_eq!(h.state().value.activity_shape, 2.0, "the shared shape is untouched");
    click(&mut h, "Event 1 own activity shape");
    assert_eq!(shape(&h), None);

    // A shape validation refuses (say, from a file) shows under the event's row.
    let mut s = Scenario::default();
    s.events.get_mut("App Launched").unwrap().activity_shape = Some(-1.0);
    let mut h = scenario_harness(s);
    let row = h.get_by_label("Event 1 own activity shape value").rect();
    let message = h.get_by_label_contains("has its own activity shape -1").rect();
    assert!(message.top() >= row.bottom() && message.top() - row.bottom() < 20.0, "{message:?} under {row:?}");
    set_text(&mut h, "Event 1 own activity shape value", "1.5");
    assert!(!has_error(&h, "has its own activity shape"));
    assert_eq!(h.state().value.events["App Launched"].activity_shape, Some(1.5));
}

#[test]
fn scenario_channel_click_also_counts_as() {
    let mut s = Scenario::default();
    s.events.insert("Notification Opened".into(), journey_studio::model::EventBehaviour::at_rate(0.1));
    let mut h = scenario_harness(s);
    let counts_as = |h: &Harness<'_, State<Scenario>>| h.state().value.channels[&Channel::Push].click_counts_as.clone();
    click(&mut h, "Push rates");
    assert_eq!(counts_as(&h), None, "a click is only a click by default");
    click(&mut h, "Push click also counts as");
    assert_eq!(counts_as(&h).as_deref(), Some("App Launched"), "the session event first");
    // Picked from the scenario's events…
    click(&mut h, "Push click also counts as: pick an event");
    click(&mut h, "Notification Opened");
    assert_eq!(counts_as(&h).as_deref(), Some("Notification Opened"));
    // … or typed.
    set_text(&mut h, "Push click also counts as event", "Deep Link Opened");
    assert_eq!(counts_as(&h).as_deref(), Some("Deep Link Opened"));
    // An empty name: validation's reason under the field, and nothing below moves.
    let field = h.get_by_label("Push click also counts as event").rect();
    let before = widget_rects(&h);
    click(&mut h, "Push click also counts as event");
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.key_press(Key::Backspace);
    h.run();
    assert_eq!(counts_as(&h).as_deref(), Some(""));
    let message = h.get_by_label_contains("the event has no name").rect();
    assert!(message.top() >= field.bottom() && message.top() - field.bottom() < 20.0, "{message:?} under {field:?}");
    assert_none_moved_below(&h, &before, field.bottom());
    click(&mut h, "Push click also counts as");
    assert_eq!(counts_as(&h), None);
    assert!(!has_error(&h, "has no name"));
    assert_eq!(h.state().value.channels[&Channel::Email].click_counts_as, None, "other channels untouched");
}

#[test]
fn scenario_channel_rates_and_run_settings() {
    let mut h = harness(Scenario::default(), scenario_form_ui);
    click(&mut h, "Email rates");
    set_text(&mut h, "Email failure rate", "2");
    set_text(&mut h, "Email delivery", "50");
    set_text(&mut h, "Email view", "30");
    set_text(&mut h, "Email click given view", "10");
    choose(&mut h, "Email delay to view kind", "fixed");
    set_text(&mut h, "Email delay to view", "2");
    choose(&mut h, "Email delay to view unit", "hours");
    set_text(&mut h, "Email delay to click", "4");
    set_text(&mut h, "Email delay to delivery", "1");
    set_text(&mut h, "Email cost per message", "0.002");
    set_text(&mut h, "Email view", "130");
    assert!(has_error(&h, "must be between 0 and 100"));
    set_text(&mut h, "Seed", "7");
    set_text(&mut h, "Horizon days", "60");
    set_text(&mut h, "Replicates", "5");
    let s = &h.state().value;
    let e = &s.channels[&Channel::Email];
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(e.failure, 0.02) && close(e.delivery, 0.5) && close(e.view, 0.3) && close(e.click_given_view, 0.1));
    assert_eq!(e.delay_to_view, DelayDist::Fixed(Seconds::hours(2)));
    assert_eq!(e.delay_to_click, DelayDist::Exponential { mean: Seconds::minutes(4) });
    assert_eq!(e.delay_to_delivery, DelayDist::Exponential { mean: Seconds::minutes(1) });
    assert_eq!(e.cost_per_message, 0.002);
    assert_eq!((s.run.seed, s.run.horizon_days, s.run.replicates), (7, 60, 5));
}

// ---------------------------------------------------------------- diagnostics and buffers

#[test]
fn invalid_text_survives_frames_and_undo_drops_it() {
    let mut h = node_harness(KindTag::Wait);
    set_text(&mut h, "Wait duration", "soon");
    assert!(has_error(&h, "\"soon\" is not a number"));
    h.run();
    assert_eq!(h.get_by_label("Wait duration").value().as_deref(), Some("soon"), "the typed text is kept");
    // An outside change (undo) replaces the stale text with the model's value.
    h.state_mut().value.kind = NodeKind::Wait(WaitKind::Duration(Seconds::days(2)));
    h.run();
    assert!(!has_error(&h, "is not a number"));
    assert_eq!(h.get_by_label("Wait duration").value().as_deref(), Some("2"));
}

#[test]
fn node_form_shows_its_diagnostics() {
    use journey_studio::validate::{Diagnostic, Location, Rule, Severity};
    let diagnostics = vec![
        Diagnostic {
            severity: Severity::Error,
            location: Location::Nodes(vec![NodeId(7)]),
            message: "The percentages sum to 90, not 100".into(),
            rule: Rule::SplitPercentages,
            field: None,
        },
        Diagnostic {
            severity: Severity::Error,
            location: Location::Nodes(vec![NodeId(8)]),
            message: "Another node's problem".into(),
            rule: Rule::SplitPercentages,
            field: None,
        },
    ];
    let journey = Journey::new("Test");
    let mut n = node(KindTag::RandomSplit);
    let mut h = Harness::builder().with_size([1000.0, 800.0]).build_ui(move |ui| {
        let cx = FormContext { journey: &journey, diagnostics: &diagnostics };
        let _ = node_form_ui(ui, &mut n, &cx);
    });
    h.run();
    assert!(h.query_by_label_contains("sum to 90, not 100").is_some());
    assert!(h.query_by_label_contains("Another node's problem").is_none());
}

#[test]
fn single_goal_form_and_operator_value_mismatch() {
    use journey_studio::app::forms::goal_form_ui;
    use journey_studio::model::{EventFilter, Goal, PropertyCondition};
    // A file may hold an operator with a value it does not take: kept, and shown in red.
    let mut event = EventFilter::named("Charged");
    event.filters.push(PropertyCondition {
        scope: Scope::Event,
        property: "Amount".into(),
        op: Operator::Contains,
        value: Value::Number(3.0),
    });
    let goal =
        Goal { name: "Buy".into(), event, mode: GoalMode::Live, value_property: None, pos: CanvasPos::new(0.0, 0.0) };
    let mut h = harness(goal, |ui, g, cx| goal_form_ui(ui, 1, g, cx));
    assert!(has_error(&h, "\"contains\" does not take a number value"));
    set_text(&mut h, "Goal 2 name", "Purchase");
    click(&mut h, "Past behaviour");
    choose(&mut h, "Goal 2 event filter 1 operator", "equals");
    let g = &h.state().value;
    assert_eq!((g.name.as_str(), g.mode), ("Purchase", GoalMode::PastBehaviour));
    assert_eq!((g.event.filters[0].op, &g.event.filters[0].value), (Operator::Equals, &Value::Number(3.0)));
    assert!(!has_error(&h, "does not take"));
}

// ---------------------------------------------------------------- one-click fixes

/// The app on a journey whose goal event the scenario does not describe.
fn app_with_undescribed_goal(dir: &std::path::Path) -> Harness<'static, journey_studio::app::App> {
    use journey_studio::model::{EventFilter, Goal};
    let mut j = Journey::new("Test");
    j.goals.push(Goal {
        name: "Purchase".into(),
        event: EventFilter::named("Charged"),
        mode: GoalMode::Live,
        value_property: None,
        pos: CanvasPos::new(0.0, 300.0),
    });
    let mut h = crate::harness_support::build(j, dir, 1e9);
    h.run();
    h
}

#[test]
fn describe_this_event_from_the_problems_list_is_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_with_undescribed_goal(dir.path());
    assert!(!h.state().journey().scenario.events.contains_key("Charged"));
    assert!(h.query_by_label_contains("does not describe the event 'Charged'").is_some());
    // The problems list and the scenario form both offer it: the first is the list's.
    h.query_all_by_label("Describe the event 'Charged'").next().unwrap().click();
    h.run();
    let rate = h.state().journey().scenario.events.get("Charged").map(|e| e.rate_per_day);
    assert_eq!(rate, Some(Scenario::typical_event_behaviour("Charged").rate_per_day), "added at a typical rate");
    assert!(h.query_by_label_contains("does not describe the event 'Charged'").is_none(), "the warning is gone");
    assert!(h.query_by_label("Describe the event 'Charged'").is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(!h.state().journey().scenario.events.contains_key("Charged"), "one undo step removes it");
    assert!(h.query_by_label_contains("does not describe the event 'Charged'").is_some());
}

#[test]
fn describe_this_event_from_the_scenario_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_with_undescribed_goal(dir.path());
    // Clicking the problem opens the scenario form, which lists the event at its end with
    // the same fix.
    h.get_by_label_contains("scenario: The scenario does not describe the event 'Charged'").click();
    h.run();
    let buttons: Vec<_> = h.query_all_by_label("Describe the event 'Charged'").collect();
    assert_eq!(buttons.len(), 2, "in the problems list and at the end of the scenario form");
    let banner = buttons.into_iter().max_by(|a, b| a.rect().left().total_cmp(&b.rect().left())).unwrap();
    banner.scroll_to_me();
    h.run();
    let banner = h
        .query_all_by_label("Describe the event 'Charged'")
        .max_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .unwrap();
    banner.click();
    h.run();
    assert!(h.state().journey().scenario.events.contains_key("Charged"));
    assert!(h.query_by_label_contains("does not describe the event 'Charged'").is_none());
}

// ---------------------------------------------------------------- forms that hold still

/// Every widget that has a rect, by its accessibility id: (role, name) and rect.
fn widget_rects<S>(h: &Harness<'_, S>) -> std::collections::BTreeMap<String, egui::Rect> {
    let mut out = std::collections::BTreeMap::new();
    for n in h.query_all_by(|_| true) {
        let a = n.accesskit_node();
        if a.bounding_box().is_none() {
            continue;
        }
        out.insert(format!("{:?} {:?} {:?}", a.id(), a.role(), a.label()), n.rect());
    }
    out
}

/// Asserts that no widget below `below_y` moved between `before` and the harness's frame.
fn assert_none_moved_below<S>(
    h: &Harness<'_, S>,
    before: &std::collections::BTreeMap<String, egui::Rect>,
    below_y: f32,
) {
    let checked = assert_unmoved(before, &widget_rects(h), |_, r| r.top() >= below_y);
    assert!(checked > 10, "only {checked} widgets below y = {below_y}");
}

/// Asserts that every widget of `before` that `which` picks and `after` still has is where
/// it was; returns how many were compared.
fn assert_unmoved(
    before: &std::collections::BTreeMap<String, egui::Rect>,
    after: &std::collections::BTreeMap<String, egui::Rect>,
    which: impl Fn(&str, &egui::Rect) -> bool,
) -> usize {
    let mut checked = 0;
    for (key, rect) in before.iter().filter(|(k, r)| which(k, r)) {
        if let Some(now) = after.get(key) {
            assert_eq!(now, rect, "{key} moved");
            checked += 1;
        }
    }
    checked
}

#[test]
fn validation_messages_do_not_move_the_form() {
    let mut h = diagnosed_harness(Setup::default(), setup_form_ui, |s| {
        let mut j = Journey::new("Test");
        j.setup = s.clone();
        journey_studio::validate::validate(&j)
    });
    h.run();
    // A validation message (the empty name) appears under its field and goes again.
    let name = h.get_by_label("Name").rect();
    let before = widget_rects(&h);
    click(&mut h, "Name");
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.key_press(Key::Backspace);
    h.run();
    assert_eq!(h.state().value.name, "");
    assert!(has_error(&h, "The journey needs a name"), "the message is shown");
    assert_none_moved_below(&h, &before, name.bottom());
    set_text(&mut h, "Name", "Back again");
    assert!(!has_error(&h, "The journey needs a name"));
    assert_none_moved_below(&h, &before, name.bottom());
    // A refused text: its reason goes at the end of the row, so nothing moves, not even
    // the row's own "Now" button.
    let start = h.get_by_label("Start").rect();
    let before = widget_rects(&h);
    set_text(&mut h, "Start", "2027-02-30 09:00");
    assert!(has_error(&h, "is not a date-time"), "the reason is shown");
    assert_none_moved_below(&h, &before, start.top());
    // A value validation refuses (an end before the start): its message under the end.
    click(&mut h, "End");
    let end = h.get_by_label("End date-time").rect();
    let before = widget_rects(&h);
    set_text(&mut h, "End date-time", "2020-01-01 00:00");
    assert!(has_error(&h, "before it starts"), "{:?}", h.state().value.end);
    assert_none_moved_below(&h, &before, end.bottom());
}

/// A form's banner (messages about the form's part as a whole) is one reserved line too:
/// the scenario form's warning going away moves none of its widgets.
#[test]
fn a_form_banner_message_going_away_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_with_undescribed_goal(dir.path());
    h.get_by_label_contains("scenario: The scenario does not describe the event 'Charged'").click();
    h.run();
    let canvas_right = h.state().canvas_screen_rect().right();
    let inspector = |rects: std::collections::BTreeMap<String, egui::Rect>| -> std::collections::BTreeMap<_, _> {
        rects.into_iter().filter(|(_, r)| r.left() > canvas_right).collect()
    };
    let before = inspector(widget_rects(&h));
    let banner_has = |h: &Harness<'_, journey_studio::app::App>| {
        h.query_all_by_label_contains("does not describe the event 'Charged'").any(|n| n.rect().left() > canvas_right)
    };
    assert!(banner_has(&h), "the scenario form shows the warning");
    // Fixed from the problems list (left of the inspector): the warning leaves the form.
    h.query_all_by_label("Describe the event 'Charged'")
        .min_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .unwrap()
        .click();
    h.run();
    assert!(h.state().journey().scenario.events.contains_key("Charged"));
    assert!(!banner_has(&h), "the warning is gone");
    let after = inspector(widget_rects(&h));
    // The event's new row in the Events section moves what is below it, as any new row
    // does: compare what is above that section.
    let events = h
        .query_all_by_label("Events")
        .find(|n| n.rect().left() > canvas_right)
        .map_or(f32::INFINITY, |n| n.rect().top());
    // (The scroll bar's handle follows the form's length.)
    let checked = assert_unmoved(&before, &after, |k, r| r.bottom() <= events && !k.contains("ScrollBar"));
    assert!(checked > 4, "only {checked} inspector widgets compared above y = {events}");
}

#[test]
fn setup_dates_are_typed_in_the_account_timezone_with_utc_beside() {
    let mut setup = Setup::default();
    setup.timezone.account = TzName::new("Asia/Kolkata");
    let mut h = harness(setup, setup_form_ui);
    set_text(&mut h, "Start", "2027-02-01 09:00");
    assert_eq!(h.state().value.start, utc(2027, 2, 1, 3, 30), "09:00 in Kolkata is 03:30 UTC");
    let under = "Asia/Kolkata · = 2027-02-01 03:30 UTC";
    assert!(h.query_by_label(under).is_some(), "the zone and the UTC equivalent are shown under the field");
    click(&mut h, "End");
    set_text(&mut h, "End date-time", "2027-03-01 00:00");
    assert_eq!(h.state().value.end, Some(utc(2027, 2, 28, 18, 30)));
    // A time the clocks skip is refused with the reason, and the model keeps its value.
    h.state_mut().value.timezone.account = TzName::new("Europe/London");
    h.run();
    assert_eq!(h.get_by_label("Start").value().as_deref(), Some("2027-02-01 03:30"), "shown in the new zone");
    set_text(&mut h, "Start", "2027-03-28 01:30");
    assert!(has_error(&h, "does not exist in Europe/London"));
    assert_eq!(h.state().value.start, utc(2027, 2, 1, 3, 30));
    set_text(&mut h, "Start", "2027-10-31 01:30");
    assert!(has_error(&h, "happens twice in Europe/London"));
    set_text(&mut h, "Start", "2027-10-31 01:30 +00:00");
    assert_eq!(h.state().value.start, utc(2027, 10, 31, 1, 30), "the offset picks the second 01:30");
}

/// Issue 16: "Body" and "Provider" overlapped for a frame. egui's grid places a row with
/// the previous frame's height of the row at the same index, so a message row that came
/// and went shifted every row below it for a frame. The message rows are now always there:
/// frame by frame, as a Liquid error appears under the body, nothing overlaps or moves.
#[test]
fn message_form_rows_hold_still_frame_by_frame() {
    let mut h = node_harness(KindTag::Channel(Channel::Push));
    let rects = |h: &Harness<'_, State<Node>>| (h.get_by_label("Body").rect(), h.get_by_label("Provider").rect());
    let (body, provider) = rects(&h);
    assert!(body.bottom() < provider.top(), "{body:?} {provider:?}");
    h.get_by_label("Body").click();
    h.run();
    h.get_by_label("Body").type_text(" {% if ");
    for _ in 0..4 {
        h.step();
        assert_eq!(rects(&h), (body, provider), "the body and provider fields stay put");
    }
    h.run();
    assert!(h.query_all_by_label_contains("Error:").next().is_some(), "the Liquid error is shown");
    assert_eq!(rects(&h), (body, provider));
}

/// A condition counted from arrival without a window, in the whole app: its error shows in
/// the inspector (and `JOURNEY_SCREENSHOTS` saves a look at it). The scenario's own shape
/// and click-as fields have their own form tests.
#[test]
fn counted_from_arrival_without_a_window_shows_its_error_in_the_inspector() {
    use journey_studio::model::EventFilter;
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journey::new("Test");
    let id = NodeId(2);
    let kind = NodeKind::Condition {
        condition: Condition::LiveAction(ActionRule {
            event: EventFilter::named("App Launched"),
            nth_occurrence: None,
        }),
        window: None,
        counted_from: CountedFrom::Arrival,
    };
    j.graph.nodes.insert(id, Node { id, label: "Next launch".into(), pos: CanvasPos::new(300.0, 0.0), kind });
    j.scenario.events.get_mut("App Launched").unwrap().activity_shape = Some(0.5);
    j.scenario.channels.get_mut(&Channel::Push).unwrap().click_counts_as = Some("App Launched".into());
    let mut h = crate::harness_support::build(j, dir.path(), 1e9);
    h.run_steps(3);
    let card = h.state().node_screen_rect(id).unwrap();
    crate::harness_support::click_at(&mut h, card.center());
    assert_eq!(h.state().selected_nodes(), vec![id]);
    let inspector = h.state().inspector_rect();
    // The message shows in the problems list too; one of them is in the inspector.
    let shown: Vec<egui::Rect> = h.query_all_by_label_contains("needs a window").map(|n| n.rect()).collect();
    assert!(shown.iter().any(|r| inspector.contains(r.left_top())), "the error is in the inspector: {shown:?}");
    crate::harness_support::screenshot(&mut h, "form_counted_from.png");
}
