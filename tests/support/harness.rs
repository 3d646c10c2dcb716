//! The one helper that builds every app harness for the kittest binaries (`ui`, `preview`):
//! a 1400×860 window, native dialogs off, autosave into `data_dir`.

use egui::vec2;
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
