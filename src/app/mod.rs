//! The eframe desktop editor (feature `gui`): a node canvas, panels, files.
//!
//! Layout: [`state`] (the editor's state and test hooks), [`command`] (every model
//! change, undo/redo, dirty flag), [`canvas`] (the node canvas on `egui::Scene`),
//! [`panels`] (palette, inspector, problems, status bar), [`files`] (open, save,
//! autosave, recovery), [`gallery`] (File › New from template), [`theme`] (every colour and spacing), [`versions`] (publish, the
//! versions panel, compare and the diff on the canvas), [`calibration`] (Simulate ›
//! Calibrate from results…), and `shell` (the frame:
//! menus, shortcuts, and the one place where queued commands are applied).
//!
//! Invariant: the model is the truth; the UI sends commands, applied once per frame after
//! drawing, so undo, the unsaved marker and autosave see every change.

pub mod autosave;
pub mod calibration;
pub mod canvas;
pub mod command;
pub mod explore;
pub mod files;
pub mod forms;
pub mod gallery;
pub mod panels;
pub mod preview;
mod shell;
pub mod state;
pub mod theme;
pub mod versions;

use std::path::PathBuf;

use crate::model::Journey;

pub use shell::SHORTCUTS;
pub use state::App;

/// The app id: names the window class and the data folder.
pub const APP_ID: &str = "journey-studio";

/// How the editor starts.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Open this file.
    pub file: Option<PathBuf>,
    /// Otherwise start with this journey (a new one when `None`).
    pub journey: Option<Journey>,
    /// Autosave folder; `None` takes `JOURNEY_STUDIO_DATA_DIR` or the platform's data folder.
    pub data_dir: Option<PathBuf>,
    /// Seconds between autosaves of unsaved work.
    pub autosave_interval_secs: f64,
    /// Use native file dialogs (falls back to the in-app path field when none is available).
    pub native_dialogs: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self { file: None, journey: None, data_dir: None, autosave_interval_secs: 30.0, native_dialogs: true }
    }
}

/// Opens the editor window on `file`, or on the bundled example when `None`.
///
/// # Errors
/// When the window cannot be created (no display, no graphics).
pub fn run(file: Option<PathBuf>) -> anyhow::Result<()> {
    let config = AppConfig { journey: file.is_none().then(start_journey), file, ..AppConfig::default() };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_app_id(APP_ID)
            .with_title("Journey Studio")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([800.0, 500.0]),
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(APP_ID, options, Box::new(|cc| Ok(Box::new(App::new(cc, &config)))))
        .map_err(|e| anyhow::anyhow!("could not open the editor window: {e}"))
}

/// The journey shown when no file is given.
fn start_journey() -> Journey {
    crate::templates::TEMPLATES
        .first()
        .and_then(|t| t.journey().ok())
        .unwrap_or_else(|| Journey::new("Untitled journey"))
}
