//! Every file in `assets/` loads, validates without errors and round-trips
//! byte-identically; the compiled-in templates are exactly those files.
//!
//! When the file format's output changes on purpose, regenerate the files with
//! `JOURNEY_STUDIO_UPDATE_ASSETS=1 cargo test --test examples` and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers, not only #[test] fns

use std::path::{Path, PathBuf};

use journey_studio::format::{from_ron, load, to_ron};
use journey_studio::templates::{self, TEMPLATES};
use journey_studio::validate::{Severity, validate};

fn assets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

fn journey_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(assets_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "journey"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_asset_loads_validates_and_round_trips() {
    let files = journey_files();
    assert!(files.len() >= 3, "expected at least 3 example journeys in assets/, found {files:?}");
    let update = std::env::var_os("JOURNEY_STUDIO_UPDATE_ASSETS").is_some();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let journey = load(&path).unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()));
        let errors: Vec<_> = validate(&journey).into_iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{} has validation errors: {errors:#?}", path.display());
        let again = to_ron(&journey);
        if update && again != text {
            std::fs::write(&path, &again).unwrap();
            continue;
        }
        assert!(again == text, "{} does not round-trip byte-identically", path.display());
        assert_eq!(from_ron(&again).unwrap(), journey);
    }
}

#[test]
fn templates_are_the_asset_files() {
    assert!(TEMPLATES.len() >= 3);
    for t in TEMPLATES {
        let path = assets_dir().join(t.file_name());
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(on_disk == t.text, "template {} differs from {}", t.name, path.display());
        assert_eq!(templates::load(t.name).unwrap(), load(&path).unwrap());
    }
    for name in ["on-the-fence", "abandoned-cart", "onboarding"] {
        assert!(templates::find(name).is_some(), "no template {name}");
    }
}

/// The scenario describes every event the journey uses, so no default behaviour kicks in.
#[test]
fn template_scenarios_describe_every_event() {
    for t in TEMPLATES {
        let j = t.journey().unwrap();
        for event in j.referenced_events() {
            assert!(j.scenario.events.contains_key(&event), "template {}: scenario lacks {event:?}", t.name);
        }
        assert!(j.goals.iter().all(|g| g.value_property.is_some()), "template {}: goal without value", t.name);
    }
}

/// Cards, the goals area and comments do not sit on top of each other, at the cards'
/// drawn sizes (a long title widens its card).
#[test]
fn template_canvases_do_not_overlap() {
    for t in TEMPLATES {
        let rects = journey_studio::geometry::occupied(&t.journey().unwrap());
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!journey_studio::geometry::overlaps(*a, *b), "template {}: {a:?} and {b:?} overlap", t.name);
            }
        }
        // Left to right: every link goes rightwards.
        let j = t.journey().unwrap();
        for l in j.graph.link_list() {
            let (from, to) = (&j.graph.nodes[&l.from], &j.graph.nodes[&l.to]);
            assert!(to.pos.x > from.pos.x, "template {}: link {} -> {} goes leftwards", t.name, l.from, l.to);
        }
    }
}
