//! A canvas you can read and forms that hold still: the inspector keeps within its clamp,
//! new cards, goals and notes never land on what is there, the problems panel gives the
//! canvas its room when it is empty, and Escape closes the shortcut sheet.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use crate::harness_support;

use std::path::Path;

use egui::accesskit::Role;
use egui::{Key, Modifiers, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use journey_studio::app::App;
use journey_studio::format;
use journey_studio::geometry::{self, overlaps};
use journey_studio::model::{CanvasPos, Journey, KindTag, Node, NodeId, NodeKind, PathId, RandomPath};

fn harness(journey: Journey, data_dir: &Path) -> Harness<'static, App> {
    let mut h = harness_support::build(journey, data_dir, 0.0);
    h.run();
    h
}

fn asset(name: &str) -> Journey {
    format::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join(name).as_path()).unwrap()
}

/// A journey with a seven-path random split whose paths have long names.
fn seven_paths() -> Journey {
    let mut j = Journey::new("Seven paths");
    let id = NodeId(2);
    let paths = (1..=7u8)
        .map(|i| RandomPath {
            id: PathId(u32::from(i)),
            name: format!("A rather long path name for variant number {i} of the test"),
            percent: if i == 1 { 16 } else { 14 },
        })
        .collect();
    let mut kind = KindTag::RandomSplit.default_kind();
    if let NodeKind::RandomSplit { paths: p, .. } = &mut kind {
        *p = paths;
    }
    j.graph.nodes.insert(id, Node { id, label: "Seven".into(), pos: CanvasPos::new(300.0, 0.0), kind });
    j
}

fn assert_within_clamp(h: &Harness<'_, App>, when: &str) {
    let width = h.state().inspector_rect().width();
    let max = journey_studio::app::theme::inspector_max_width(1400.0);
    assert!(width <= max + 1.0, "{when}: the inspector is {width} px, more than {max}");
    assert!(width >= journey_studio::app::theme::INSPECTOR_MIN_WIDTH - 1.0, "{when}: {width} px");
}

/// A section's header in the inspector (right of the canvas), not a label elsewhere.
fn section_header<'a>(h: &'a Harness<'_, App>, title: &'a str) -> egui_kittest::Node<'a> {
    let canvas_right = h.state().canvas_screen_rect().right();
    h.get_all_by_label(title)
        .find(|n| n.accesskit_node().role() != Role::Label && n.rect().right() > canvas_right)
        .unwrap_or_else(|| panic!("no {title} section in the inspector"))
}

#[test]
fn the_inspector_stays_within_its_clamp() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(seven_paths(), dir.path());
    assert_within_clamp(&h, "at start");
    // Select the seven-path split.
    let at = h.state().node_screen_rect(NodeId(2)).unwrap().center();
    harness_support::click_at(&mut h, at);
    assert_eq!(h.state().selected_nodes(), vec![NodeId(2)]);
    assert_within_clamp(&h, "with the split's form");
    // An invalid value: the total no longer makes 100%, and messages appear.
    h.get_by_label("Path 1 %").scroll_to_me();
    h.run();
    h.get_by_label("Path 1 %").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label("Path 1 %").type_text("95");
    h.run();
    h.key_press(Key::Tab);
    h.run();
    let NodeKind::RandomSplit { paths, .. } = &h.state().journey().graph.node(NodeId(2)).unwrap().kind else {
        panic!("the split")
    };
    assert_eq!(paths[0].percent, 95);
    assert!(h.query_all_by_label_contains("they must add up to 100%").next().is_some(), "the message shows");
    assert_within_clamp(&h, "with a validation message");
    // Nothing selected: the journey's forms, every section opened.
    h.key_press(Key::Escape);
    h.run();
    let empty = h.state().canvas_screen_rect().left_bottom() + egui::vec2(40.0, -40.0);
    harness_support::click_at(&mut h, empty);
    assert!(h.state().selected_nodes().is_empty());
    for section in ["Entry", "Goals", "Scenario"] {
        section_header(&h, section).scroll_to_me();
        h.run();
        section_header(&h, section).click();
        h.run();
        assert_within_clamp(&h, &format!("with {section} open"));
    }
}

/// Every pair of rectangles apart.
fn assert_apart(rects: &[(String, geometry::Rect)]) {
    for (i, (a_name, a)) in rects.iter().enumerate() {
        for (b_name, b) in &rects[i + 1..] {
            assert!(!overlaps(*a, *b), "{a_name} {a:?} overlaps {b_name} {b:?}");
        }
    }
}

#[test]
fn new_cards_goals_and_notes_never_land_on_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(seven_paths(), dir.path());
    // Double-clicks in the palette add at the view's centre, or beside the selected
    // card; a drag drops on top of the split.
    for label in ["Wait", "Wait", "Wait", "Exit", "Goal", "Goal", "Goal", "Comment", "Comment"] {
        h.get_by_role_and_label(Role::Button, label).click();
        h.step();
        h.get_by_role_and_label(Role::Button, label).click();
        h.run();
        // Apart in time, so the next two clicks are a double-click of their own.
        for _ in 0..30 {
            h.step();
        }
    }
    let split = h.state().node_screen_rect(NodeId(2)).unwrap().center();
    let from = h.get_by_role_and_label(Role::Button, "Wait").rect().center();
    harness_support::drag(&mut h, from, split);
    h.key_press_modifiers(Modifiers::COMMAND, Key::M);
    h.run();
    let j = h.state().journey();
    assert_eq!(j.graph.nodes.len(), 7, "entry, split, four waits and an exit");
    assert_eq!(j.goals.len(), journey_studio::model::MAX_GOALS);
    assert_eq!(j.comments.len(), 3);
    let mut cards: Vec<(String, geometry::Rect)> =
        j.graph.nodes.values().map(|n| (format!("node {}", n.id), geometry::node_rect(n))).collect();
    cards.extend(j.comments.iter().map(|c| (format!("comment {}", c.id.0), geometry::comment_rect(c))));
    let goals: Vec<geometry::Rect> = j.goals.iter().map(geometry::goal_rect).collect();
    cards.push(("goals area".into(), geometry::goals_area(goals.iter().copied()).unwrap()));
    assert_apart(&cards);
    let goals: Vec<(String, geometry::Rect)> =
        goals.into_iter().enumerate().map(|(i, g)| (format!("goal {i}"), g)).collect();
    assert_apart(&goals);
}

#[test]
fn an_empty_problems_panel_is_one_line_and_escape_closes_the_shortcut_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let clean = asset("on_the_fence.journey");
    assert!(journey_studio::validate::validate(&clean).is_empty(), "the example has no problems");
    let mut h = harness(clean.clone(), dir.path());
    h.run();
    let roomy: Rect = h.state().canvas_screen_rect();
    assert!(h.query_by_label_contains("No problems found").is_some());
    // The same journey with a problem: the panel opens and the canvas gives room.
    let mut broken = clean;
    broken.setup.name.clear();
    let dir2 = tempfile::tempdir().unwrap();
    let mut h2 = harness(broken, dir2.path());
    h2.run();
    let tight = h2.state().canvas_screen_rect();
    assert!(roomy.height() >= tight.height() + 40.0, "{} against {}", roomy.height(), tight.height());
    // F1 opens the shortcut sheet; Escape closes it.
    h.key_press(Key::F1);
    h.run();
    assert!(h.state().shortcuts_open());
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().shortcuts_open());
}

#[test]
fn opening_an_example_fits_it_in_view_down_to_the_least_opening_zoom() {
    // on_the_fence and abandoned_cart fit at 40% or more; onboarding is wider, so it
    // opens at 40% from its entry end (F fits all of it).
    for (name, fits) in
        [("on_the_fence.journey", true), ("abandoned_cart.journey", true), ("onboarding.journey", false)]
    {
        let dir = tempfile::tempdir().unwrap();
        let j = asset(name);
        let mut h = harness(j.clone(), dir.path());
        h.run();
        let canvas = h.state().canvas_screen_rect();
        let zoom = h.state().node_screen_rect(NodeId(1)).unwrap().width() / geometry::CARD_WIDTH;
        assert!(zoom >= journey_studio::app::theme::MIN_OPEN_ZOOM - 0.005, "{name}: opened at {zoom}");
        let shown = |id: &NodeId| canvas.contains_rect(h.state().node_screen_rect(*id).unwrap());
        assert!(shown(&NodeId(1)), "{name}: the entry is in view");
        assert_eq!(j.graph.nodes.keys().all(shown), fits, "{name}: every card in view");
        harness_support::screenshot(&mut h, &format!("open_{}.png", name.trim_end_matches(".journey")));
    }
}

/// Lowercase letters and digits only: how OCR output and a title are compared, whatever
/// the spaces, line breaks and punctuation.
fn letters_and_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The screen the OCR check renders for.
const PIXELS_PER_POINT: f32 = 2.0;
/// How much the OCR check enlarges the canvas's picture before reading it.
const OCR_UPSCALE: u32 = 2;

/// The on-the-fence journey as it opens in a 1400×900 window, rendered through wgpu and
/// read back by OCR (tesseract, installed by `scripts/install-test-deps.sh`): every
/// card's title reads in full.
#[test]
fn every_card_title_of_on_the_fence_reads_by_ocr_at_the_opening_view() {
    let dir = tempfile::tempdir().unwrap();
    let journey = asset("on_the_fence.journey");
    let config = journey_studio::app::AppConfig {
        journey: Some(journey.clone()),
        data_dir: Some(dir.path().to_owned()),
        autosave_interval_secs: 1e9,
        native_dialogs: false,
        ..journey_studio::app::AppConfig::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_pixels_per_point(PIXELS_PER_POINT)
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(60)
        .build_eframe(move |cc| App::new(cc, &config));
    h.run();
    let image = h.render().expect("render");
    harness_support::screenshot(&mut h, "ocr_opening_view.png");
    // The canvas only, grey, dark text on white and three times larger, as OCR reads best.
    let canvas = h.state().canvas_screen_rect();
    let ppp = PIXELS_PER_POINT;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "screen pixels")]
    let (x0, y0, w, h_px) = (
        (canvas.left() * ppp) as u32,
        (canvas.top() * ppp) as u32,
        (canvas.width() * ppp) as u32,
        (canvas.height() * ppp) as u32,
    );
    // Light text on dark cards: levels stretched so the text is black and the cards,
    // grid and links fade to white.
    let grey = |x: u32, y: u32| -> f32 {
        let [r, g, b, _] = image.get_pixel((x0 + x).min(image.width() - 1), (y0 + y).min(image.height() - 1)).0;
        let lum = (f32::from(r) * 3.0 + f32::from(g) * 6.0 + f32::from(b)) / 10.0;
        255.0 - ((lum - 90.0) * 255.0 / 125.0).clamp(0.0, 255.0)
    };
    let k = OCR_UPSCALE;
    let mut pgm = format!("P5\n{} {}\n255\n", w * k, h_px * k).into_bytes();
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "pixels")]
    for y in 0..h_px * k {
        for x in 0..w * k {
            // Bilinear: smooth edges read better than blocky ones.
            let (fx, fy) = (((x as f32 + 0.5) / k as f32 - 0.5).max(0.0), ((y as f32 + 0.5) / k as f32 - 0.5).max(0.0));
            let (ix, iy) = (fx as u32, fy as u32);
            let (tx, ty) = (fx.fract(), fy.fract());
            let top = grey(ix, iy) * (1.0 - tx) + grey(ix + 1, iy) * tx;
            let bottom = grey(ix, iy + 1) * (1.0 - tx) + grey(ix + 1, iy + 1) * tx;
            pgm.push((top * (1.0 - ty) + bottom * ty) as u8);
        }
    }
    let file = dir.path().join("canvas.pgm");
    std::fs::write(&file, pgm).unwrap();
    if let Some(out) = std::env::var_os("JOURNEY_SCREENSHOTS") {
        std::fs::copy(&file, std::path::Path::new(&out).join("ocr_canvas.pgm")).unwrap();
    }
    let out = std::process::Command::new("tesseract")
        .arg(&file)
        .arg("stdout")
        .args(["--psm", "11"])
        .output()
        .unwrap_or_else(|e| panic!("tesseract runs this test: scripts/install-test-deps.sh installs it ({e})"));
    assert!(out.status.success(), "tesseract: {}", String::from_utf8_lossy(&out.stderr));
    let read = String::from_utf8_lossy(&out.stdout);
    let found = letters_and_digits(&read);
    // A title on two or three lines reads as its words in order, whatever OCR reads from
    // the cards beside it in between.
    let reads_in_full = |title: &str| {
        let mut from = 0;
        title
            .split_whitespace()
            .map(letters_and_digits)
            .filter(|w| !w.is_empty())
            .all(|word| found[from..].find(&word).map(|i| from += i + word.len()).is_some())
    };
    let missing: Vec<&str> =
        journey.graph.nodes.values().map(geometry::card_title).filter(|t| !reads_in_full(t)).collect();
    assert!(missing.is_empty(), "not read in full: {missing:?}\nOCR read:\n{read}");
}
