//! The one helper that builds every app harness for the kittest modules (`editor`,
//! `preview`, `forms_build`): a 1400×860 window, native dialogs off, autosave into
//! `data_dir`; and the pointer drag they share.

use egui::{Pos2, vec2};
use egui_kittest::Harness;
use journey_studio::app::{App, AppConfig};
use journey_studio::model::Journey;

/// The app on `journey`, autosaving every `autosave_interval_secs` into `data_dir`; not stepped yet.
pub fn build(journey: Journey, data_dir: &std::path::Path, autosave_interval_secs: f64) -> Harness<'static, App> {
    let config = AppConfig {
        journey: Some(journey),
        data_dir: Some(data_dir.to_owned()),
        autosave_interval_secs,
        native_dialogs: false,
        ..AppConfig::default()
    };
    Harness::builder()
        .with_size(vec2(1400.0, 860.0))
        .with_step_dt(1.0 / 60.0)
        .with_max_steps(60)
        .build_eframe(move |cc| App::new(cc, &config))
}

/// A pointer drag from `from` to `to` in a few moves.
#[allow(dead_code)] // not every binary drags
pub fn drag(h: &mut Harness<'_, App>, from: Pos2, to: Pos2) {
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

/// With `JOURNEY_SCREENSHOTS=DIR`, saves the app as rendered through wgpu to `DIR/NAME`
/// (the README's pictures); without it, does nothing.
#[allow(dead_code)] // not every test takes pictures
#[allow(clippy::expect_used)] // a test helper: a failure is the test's failure
pub fn screenshot(h: &mut Harness<'_, App>, name: &str) {
    let Some(dir) = std::env::var_os("JOURNEY_SCREENSHOTS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    h.render().expect("render").save(dir.join(name)).expect("the screenshot");
}

/// A plain left click at a screen point (hover, press, release).
#[allow(dead_code)] // not every binary clicks this way
pub fn click_at(h: &mut Harness<'_, App>, pos: Pos2) {
    h.hover_at(pos);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run();
}
