//! Personalization in the editor (egui_kittest): the message preview steps through sample
//! users and shows aborts and lengths; a Liquid syntax error shows at its line and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::harness_support;

use egui::{Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use journey_studio::app::App;
use journey_studio::app::forms::PREVIEW_SAMPLES;
use journey_studio::model::{CanvasPos, Channel, Journey, KindTag, Node, NodeId, NodeKind, Port, PropertyDist};

/// Entry → Push (n2) with this title and body; half the users are gold, every one is Ada.
fn journey(body: &str) -> Journey {
    let mut j = Journey::new("Liquid");
    let props = &mut j.scenario.population.properties;
    props.insert("tier".into(), PropertyDist::Categorical(vec![("gold".into(), 0.5), ("silver".into(), 0.5)]));
    props.insert("name".into(), PropertyDist::Categorical(vec![("Ada".into(), 1.0)]));
    let mut kind = KindTag::Channel(Channel::Push).default_kind();
    if let NodeKind::Channel { message, .. } = &mut kind {
        message.title = "Hello {{ Profile.name }}".into();
        message.body = body.into();
    }
    let id = j.graph.next_node_id();
    j.graph.nodes.insert(id, Node { id, label: "Offer".into(), pos: CanvasPos::new(300.0, 0.0), kind });
    j.graph.connect(NodeId(1), Port::Next, id);
    j
}

/// The app on `journey` with the Push selected.
fn with_push_selected(journey: Journey, dir: &std::path::Path) -> Harness<'static, App> {
    with_node_selected(journey, NodeId(2), dir)
}

/// The app on `journey` with node `id` selected by a click on its card.
fn with_node_selected(journey: Journey, id: NodeId, dir: &std::path::Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, dir, 1e9);
    h.run_steps(3);
    let pos: Pos2 = h.state().node_screen_rect(id).expect("the node on screen").center();
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
    h.run_steps(2);
    assert_eq!(h.state().selected_nodes(), vec![id]);
    h
}

/// The example's 20%-off push previews with the sample user's name or the default, and the
/// VIP line only for VIPs. With `JOURNEY_SCREENSHOTS=DIR` it also saves the window, as
/// rendered through wgpu, to `DIR/message_preview.png` (the README's screenshot).
#[test]
fn the_examples_push_previews_for_sample_users() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = journey_studio::format::load(std::path::Path::new("assets/on_the_fence.journey")).unwrap();
    if let Some(NodeKind::Channel { message, .. }) = j.graph.nodes.get_mut(&NodeId(3)).map(|n| &mut n.kind) {
        message.body.push_str(
            "{% if Profile[\"Customer Tier\"] == \"VIP\" %}, with free delivery for VIPs{% endif %}. \
             You have {{ Profile.points }} points.",
        );
    }
    let mut h = with_node_selected(j, NodeId(3), dir.path());
    assert!(h.query_by_label("Sample 1 of 20").is_some());
    assert!(h.query_by_label("Body as sent").is_some());
    let (mut vip, mut other) = (0, 0);
    for _ in 0..PREVIEW_SAMPLES {
        let text = |h: &Harness<'_, App>| h.query_by_label_contains("the item you keep coming back to").is_some();
        assert!(text(&h), "the body renders for every sample");
        if h.query_by_label_contains("with free delivery for VIPs").is_some() {
            vip += 1;
        } else {
            other += 1;
        }
        if vip > 0 && other > 0 {
            break;
        }
        h.get_by_label("Next sample").click_accesskit();
        h.run();
    }
    assert!(vip > 0 && other > 0, "{vip} VIP and {other} other samples");
    // The unknown property is a warning in the problems list, and renders empty.
    assert!(h.query_all_by_label_contains("`Profile.points` is unknown").next().is_some());
    assert!(h.query_by_label_contains("You have  points.").is_some());
    if std::env::var_os("JOURNEY_SCREENSHOTS").is_some() {
        h.query_all_by_label_contains("characters").last().expect("the length note").scroll_to_me();
        h.run();
        harness_support::screenshot(&mut h, "message_preview.png");
    }
}

#[test]
fn the_preview_steps_through_samples_and_shows_aborts_and_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        "{% if Profile.tier == \"gold\" %}{% abort %}{% endif %}Hi {{ Profile.name }}, {{ Profile.tier }} member";
    let mut h = with_push_selected(journey(body), dir.path());
    assert!(h.query_by_label("Sample 1 of 20").is_some());
    let (mut aborted, mut sent) = (0, 0);
    for i in 0..PREVIEW_SAMPLES {
        assert!(h.query_by_label(&format!("Sample {} of {PREVIEW_SAMPLES}", i + 1)).is_some(), "sample {i}");
        if h.query_by_label_contains("Aborted: {% abort %} in the body").is_some() {
            aborted += 1;
            assert!(h.query_by_label_contains("takes Unreachable").is_some());
            assert!(h.query_by_label("Hi Ada, gold member").is_none());
        } else {
            assert!(h.query_by_label("Hi Ada, silver member").is_some(), "sample {i}: a silver user gets the text");
            assert!(h.query_by_label("Hello Ada").is_some());
            assert!(h.query_by_label("Title 9 / 65 characters").is_some());
            assert!(h.query_by_label("Body 21 / 240 characters").is_some());
            sent += 1;
        }
        h.get_by_label("Next sample").click_accesskit();
        h.run();
    }
    assert!(aborted > 0 && sent > 0, "{aborted} aborted, {sent} sent");
    // Twenty steps come back to the first sample; Previous goes round to the last.
    assert!(h.query_by_label("Sample 1 of 20").is_some());
    h.get_by_label("Previous sample").click_accesskit();
    h.run();
    assert!(h.query_by_label("Sample 20 of 20").is_some());
    // The preview is view state: the journey did not change.
    assert!(!h.state().is_dirty());
}

#[test]
fn a_syntax_error_shows_its_line_and_column_and_stops_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let h = with_push_selected(journey("Hello\n{% if Profile.tier == \"gold\" %}\nGold"), dir.path());
    assert!(
        h.query_all_by_label_contains("Push 'Offer': the body, line 2, column 1:").next().is_some(),
        "the validation message under the body names the line and column"
    );
    assert!(h.query_by_label_contains("does not parse").is_some());
    assert!(h.query_by_label_contains("Sample 1 of 20").is_some());
}

/// A push with three content variants: the card names them, the form shows a row per
/// variant with its own content and the percentages' total. With `JOURNEY_SCREENSHOTS=DIR`
/// the window is saved to `DIR/content_variants.png`.
#[test]
fn a_push_with_content_variants_shows_them_on_its_card_and_form() {
    use journey_studio::model::{ContentVariant, VariantId};
    let dir = tempfile::tempdir().unwrap();
    let mut j = journey_studio::format::load(std::path::Path::new("assets/on_the_fence.journey")).unwrap();
    if let Some(NodeKind::Channel { message, variants, .. }) = j.graph.nodes.get_mut(&NodeId(3)).map(|n| &mut n.kind) {
        let titles =
            [("A", 40, "20% off, just for you"), ("Urgent", 30, "Last chance: 20% off"), ("Short", 30, "20% off")];
        *variants = titles
            .iter()
            .enumerate()
            .map(|(i, (name, percent, title))| ContentVariant {
                id: VariantId(u32::try_from(i).unwrap() + 1),
                name: (*name).to_owned(),
                percent: *percent,
                message: journey_studio::model::Message { title: (*title).to_owned(), ..message.clone() },
            })
            .collect();
        *message = journey_studio::model::Message::default();
    }
    // The card's second line (painted, so read from the model the card draws).
    assert_eq!(j.graph.nodes[&NodeId(3)].kind.summary(), "Push: 3 variants (A / Urgent / Short)");
    let mut h = with_node_selected(j, NodeId(3), dir.path());
    assert!(h.query_by_label("Variants total 100%").is_some());
    assert!(h.query_by_label("Variant 2 name").is_some() && h.query_by_label("Variant 3 title").is_some());
    h.get_by_label("Variants total 100%").scroll_to_me();
    h.run();
    harness_support::screenshot(&mut h, "content_variants.png");
}
