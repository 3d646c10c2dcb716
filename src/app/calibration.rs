//! Simulate › Calibrate from results… (SPEC §8): pick a CSV of past results (a native
//! dialog on a worker, or the window's own path field where no dialog is available), see
//! every value it derives (before → after, 95% interval, note) with a checkbox each, and
//! apply the checked ones as one undoable change ([`Command::Calibrate`]).
//!
//! Invariants:
//! - the figures come from [`crate::calibrate`], which the CLI's `calibrate` uses too;
//! - a CSV that does not parse, or values that cannot be derived, show the reason (with
//!   its `line N, column M`) in the window and leave nothing to apply;
//! - the table is derived from the journey as it is now: an edit made while the window is
//!   open derives it again (the choices are kept by setting path);
//! - the window never changes the journey itself: Apply queues one command, applied in the
//!   one place with the others, so a single undo step reverts every value.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};

use crate::calibrate::{Derived, Results, number};
use crate::model::Journey;

use super::command::Command;

/// A dialog that answers faster than this had no native dialog to show.
const NO_DIALOG_SECS: f64 = 0.4;
/// Width of the path field.
const PATH_WIDTH: f32 = 360.0;
/// Width of the window's text (notes and errors wrap to it).
const WINDOW_WIDTH: f32 = 640.0;
/// Height of the table before it scrolls.
const TABLE_HEIGHT: f32 = 320.0;

/// A native file dialog running on its worker.
struct DialogJob {
    rx: mpsc::Receiver<Option<PathBuf>>,
    started: Instant,
}

/// Results read from a file, and the values derived from them.
struct Loaded {
    /// The file they came from.
    file: PathBuf,
    /// The parsed results.
    results: Results,
    /// The journey [`Self::derived`] was derived from.
    derived_for: Journey,
    /// The derived values, or why they could not be derived.
    derived: Result<Vec<Derived>, String>,
}

/// The window's state.
#[derive(Default)]
pub struct CalibrationUi {
    /// Shown.
    pub open: bool,
    /// The path field's text.
    pub path: String,
    /// Focus the path field on the next frame.
    focus_path: bool,
    /// A native dialog in progress.
    dialog: Option<DialogJob>,
    /// The last file read.
    loaded: Option<Loaded>,
    /// Why the last file could not be used (the reason, then the path).
    error: Option<String>,
    /// Setting paths the user unchecked (every value starts checked).
    unchecked: BTreeSet<String>,
}

impl std::fmt::Debug for CalibrationUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalibrationUi")
            .field("open", &self.open)
            .field("path", &self.path)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl CalibrationUi {
    /// Opens the window; with `native_dialogs`, also a file dialog on a worker thread
    /// (the window's path field stays there as the fallback).
    pub fn start(&mut self, ctx: &egui::Context, native_dialogs: bool, dir: Option<PathBuf>) {
        self.open = true;
        self.focus_path = true;
        if !native_dialogs || self.dialog.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        let spawned = std::thread::Builder::new().name("calibration-dialog".to_owned()).spawn(move || {
            let mut dialog = rfd::FileDialog::new().add_filter("Results CSV", &["csv"]);
            if let Some(dir) = dir {
                dialog = dialog.set_directory(dir);
            }
            let _ = tx.send(dialog.pick_file());
            repaint.request_repaint();
        });
        if spawned.is_ok() {
            self.focus_path = false;
            self.dialog = Some(DialogJob { rx, started: Instant::now() });
        }
    }

    /// The values derived from the loaded file, if any could be.
    #[must_use]
    pub fn derived(&self) -> Option<&[Derived]> {
        self.loaded.as_ref().and_then(|l| l.derived.as_deref().ok())
    }

    /// Why the last file could not be used, if it could not.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.error
            .as_deref()
            .or_else(|| self.loaded.as_ref().and_then(|l| l.derived.as_ref().err()).map(String::as_str))
    }

    /// The derived values that are checked.
    fn chosen(&self) -> Vec<Derived> {
        self.derived().unwrap_or_default().iter().filter(|d| !self.unchecked.contains(&d.path)).cloned().collect()
    }

    /// Reads, parses and derives `path` against `journey`. A failure keeps nothing loaded,
    /// so nothing can be applied from it.
    fn load(&mut self, path: &Path, journey: &Journey) {
        self.path = path.display().to_string();
        self.loaded = None;
        self.error = None;
        self.unchecked.clear();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                self.error = Some(format!("Could not read the results: {e}: {}", path.display()));
                return;
            }
        };
        match crate::calibrate::parse(&text) {
            Ok(results) => {
                let derived = derive(journey, &results, path);
                self.loaded = Some(Loaded { file: path.to_owned(), results, derived_for: journey.clone(), derived });
            }
            Err(e) => self.error = Some(format!("Not calibrated: {e}: {}", path.display())),
        }
    }

    /// Picks up a finished native dialog.
    fn poll_dialog(&mut self, ctx: &egui::Context, journey: &Journey) {
        let Some(job) = &self.dialog else { return };
        let answer = match job.rx.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(Duration::from_millis(100));
                return;
            }
            Err(mpsc::TryRecvError::Disconnected) => None,
        };
        let quick = job.started.elapsed().as_secs_f64() < NO_DIALOG_SECS;
        self.dialog = None;
        match answer {
            Some(path) => self.load(&path, journey),
            // No dialog could be shown: the path field is the way in.
            None if quick => self.focus_path = true,
            // Cancelled before anything was loaded: nothing to show.
            None if self.loaded.is_none() && self.error.is_none() => self.open = false,
            None => {}
        }
    }
}

/// The derived values, or the reason they could not be derived (then the path).
fn derive(journey: &Journey, results: &Results, path: &Path) -> Result<Vec<Derived>, String> {
    crate::calibrate::derive(journey, results).map_err(|e| format!("Not calibrated: {e}: {}", path.display()))
}

/// The window. `commands` gets the one [`Command::Calibrate`] when Apply is clicked;
/// `native_dialogs` offers Browse….
pub fn calibration_ui(
    ctx: &egui::Context,
    state: &mut CalibrationUi,
    journey: &Journey,
    native_dialogs: bool,
    commands: &mut Vec<Command>,
) {
    state.poll_dialog(ctx, journey);
    if !state.open {
        return;
    }
    // The journey changed since the table was derived (an edit, an undo): derive again.
    if let Some(l) = &mut state.loaded
        && l.derived_for != *journey
    {
        l.derived = derive(journey, &l.results, &l.file);
        l.derived_for = journey.clone();
    }
    let mut open = true;
    let mut apply = false;
    egui::Window::new("Calibrate from results")
        .open(&mut open)
        .collapsible(false)
        .resizable(true)
        .default_width(WINDOW_WIDTH)
        .show(ctx, |ui| {
            ui.set_max_width(WINDOW_WIDTH);
            ui.add(
                egui::Label::new(
                    "Set the scenario's values from a CSV of past results (header kind,name,metric,value); \
                     check the values to apply",
                )
                .wrap(),
            );
            file_row_ui(ui, state, journey, native_dialogs);
            if let Some(e) = state.error() {
                ui.add(egui::Label::new(RichText::new(e).color(ui.visuals().error_fg_color)).wrap());
                ui.weak("Nothing was applied: the journey is unchanged");
            }
            if state.derived().is_some() {
                ui.separator();
                apply = table_ui(ui, state);
            }
        });
    if !open || ctx.input(|i| i.key_pressed(Key::Escape)) {
        state.open = false;
    }
    if apply {
        let chosen = state.chosen();
        if !chosen.is_empty() {
            commands.push(Command::Calibrate(chosen));
            state.open = false;
        }
    }
}

/// The path field with Browse… and Load.
fn file_row_ui(ui: &mut Ui, state: &mut CalibrationUi, journey: &Journey, native_dialogs: bool) {
    ui.horizontal(|ui| {
        let label = ui.label("Results CSV");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut state.path).desired_width(PATH_WIDTH).hint_text("/path/to/results.csv"),
            )
            .labelled_by(label.id)
            .on_hover_text("The CSV file of past results");
        if state.focus_path {
            edit.request_focus();
            state.focus_path = false;
        }
        let mut go = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        if native_dialogs
            && ui
                .add_enabled(state.dialog.is_none(), egui::Button::new("Browse…"))
                .on_hover_text("Choose the CSV file")
                .clicked()
        {
            let dir = Path::new(state.path.trim()).parent().map(Path::to_owned);
            state.start(ui.ctx(), true, dir);
        }
        go |= ui.button("Load").on_hover_text("Read the CSV and derive the values").clicked();
        let text = state.path.trim().to_owned();
        if go && !text.is_empty() {
            state.load(Path::new(&text), journey);
        }
    });
}

/// The table of derived values with their checkboxes, Select all / none and Apply.
/// Returns whether Apply was clicked.
fn table_ui(ui: &mut Ui, state: &mut CalibrationUi) -> bool {
    let Some(derived) = state.loaded.as_ref().and_then(|l| l.derived.as_ref().ok()) else { return false };
    let file = state.loaded.as_ref().map(|l| l.file.display().to_string()).unwrap_or_default();
    let total = derived.len();
    let checked = derived.iter().filter(|d| !state.unchecked.contains(&d.path)).count();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{total} values from {file}"));
    });
    let mut all = None;
    ui.horizontal(|ui| {
        if ui.button("Select all").on_hover_text("Check every value").clicked() {
            all = Some(true);
        }
        if ui.button("Select none").on_hover_text("Uncheck every value").clicked() {
            all = Some(false);
        }
    });
    let mut toggled = Vec::new();
    egui::ScrollArea::vertical().max_height(TABLE_HEIGHT).auto_shrink([false, true]).show(ui, |ui| {
        egui::Grid::new("calibration_table").striped(true).num_columns(5).spacing([16.0, 4.0]).show(ui, |ui| {
            // The UI font has no arrow: before and after are two columns.
            for head in ["Value", "Before", "After", "95% interval", "Note"] {
                ui.strong(head);
            }
            ui.end_row();
            for d in derived {
                let mut on = !state.unchecked.contains(&d.path);
                if ui.checkbox(&mut on, &d.label).on_hover_text(format!("Setting {}", d.path)).changed() {
                    toggled.push((d.path.clone(), on));
                }
                let before = d.before.map_or_else(|| "unset".to_owned(), number);
                ui.label(before);
                ui.label(number(d.after));
                match d.interval {
                    Some((lo, hi)) => ui.label(format!("{} – {}", number(lo), number(hi))),
                    None => ui.weak("—"),
                };
                match &d.note {
                    Some(note) => ui.add(egui::Label::new(note.as_str()).wrap()),
                    None => ui.label(""),
                };
                ui.end_row();
            }
        });
    });
    let paths: Vec<String> = derived.iter().map(|d| d.path.clone()).collect();
    match all {
        Some(true) => state.unchecked.clear(),
        Some(false) => state.unchecked.extend(paths),
        None => {}
    }
    for (path, on) in toggled {
        if on {
            state.unchecked.remove(&path);
        } else {
            state.unchecked.insert(path);
        }
    }
    ui.separator();
    let mut apply = false;
    ui.horizontal(|ui| {
        let hint = format!("Apply the {checked} checked of {total} values as one change (Undo reverts them all)");
        apply = ui
            .add_enabled(checked > 0, egui::Button::new("Apply"))
            .on_hover_text(&hint)
            .on_disabled_hover_text("Check at least one value")
            .clicked();
        ui.weak(format!("{checked} of {total} checked"));
    });
    apply
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_have_four_significant_digits() {
        assert_eq!(super::number(0.061_234), "0.06123");
        assert_eq!(super::number(2400.4), "2400");
        assert_eq!(super::number(1.5), "1.5");
        assert_eq!(super::number(0.0), "0");
        assert_eq!(super::number(0.000_01), "1.000e-5");
    }
}
