//! Files: New, Open…, Open Recent, Save, Save as…, Revert, Export report…, the unsaved-changes prompt,
//! native dialogs on a worker thread with an in-app path field as fallback, autosave and
//! crash recovery.
//!
//! Invariants:
//! - the UI thread never blocks on a dialog: `rfd` runs on a named worker and the frame
//!   polls a channel;
//! - a file that fails to load leaves the current journey untouched and shows why;
//! - nothing that discards unsaved work happens without Save / Discard / Cancel;
//! - an autosave exists only while there is unsaved work (a clean exit, a save or a
//!   discard removes it), so finding one of an ended instance at start means that
//!   instance did not end cleanly; the files themselves, their keys and owners, are the
//!   `autosave` module's;
//! - the current file's path is absolute, so a save never lands relative to whatever
//!   the working folder is.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui::{Key, ViewportCommand};

use crate::format;
use crate::model::Journey;

use super::AppConfig;
use super::autosave::{self, Store};
use super::command::Document;
use super::state::{Action, App};

pub use super::autosave::Recovery;

/// Environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "JOURNEY_STUDIO_DATA_DIR";
/// A dialog that answers faster than this had no native dialog to show.
const NO_DIALOG_SECS: f64 = 0.4;

/// What a file dialog or path field is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Choose a file to open.
    Open,
    /// Choose where to save.
    SaveAs,
    /// Choose where to write the HTML report.
    ExportReport,
}

/// The in-app path field (when no native dialog is available, or in tests).
#[derive(Clone, Debug)]
pub struct PathPrompt {
    /// Open or save.
    pub purpose: Purpose,
    /// The typed path.
    pub text: String,
    /// Focus the field on its first frame.
    fresh: bool,
}

struct DialogJob {
    purpose: Purpose,
    rx: mpsc::Receiver<Option<PathBuf>>,
    started: Instant,
}

/// File state of the editor.
pub struct Files {
    /// The current file; `None` for a journey never saved.
    pub path: Option<PathBuf>,
    /// A load or save error to show.
    pub error: Option<String>,
    /// The in-app path field.
    pub prompt: Option<PathPrompt>,
    /// An action waiting for the unsaved-changes answer.
    pub pending: Option<Action>,
    /// An action to run after the Save As that the unsaved-changes prompt started.
    after_save: Option<Action>,
    /// Work of ended instances to offer for recovery, newest first.
    pub recovery: Vec<Recovery>,
    /// Where autosaves go; `None` disables autosave.
    pub data_dir: Option<PathBuf>,
    /// This instance's autosaves (`None` when autosave is off).
    store: Option<Store>,
    /// The current document's autosave key: its canonical path, or `untitled:ID`.
    doc_key: String,
    /// This instance's autosave of the current document, once written.
    own_autosave: Option<PathBuf>,
    dialog: Option<DialogJob>,
    native_dialogs: bool,
    autosave_interval_secs: f64,
    last_autosave: f64,
    autosave_written: bool,
    /// The window may close (the user answered the prompt, or nothing was unsaved).
    pub allow_close: bool,
}

impl Files {
    /// File state for a start with `config`; looks for work to recover.
    #[must_use]
    pub fn new(config: &AppConfig) -> Self {
        let data_dir = config
            .data_dir
            .clone()
            .or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from))
            .or_else(|| eframe::storage_dir(super::APP_ID));
        let (store, error) = match data_dir.as_deref().map(Store::open) {
            Some(Ok(store)) => (Some(store), None),
            Some(Err(e)) => (None, Some(format!("Autosave is off: the data folder cannot be used: {e}"))),
            None => (None, None),
        };
        let recovery = store.as_ref().map(Store::recoverable).unwrap_or_default();
        Self {
            path: None,
            error,
            prompt: None,
            pending: None,
            after_save: None,
            recovery,
            data_dir,
            store,
            doc_key: untitled_key(),
            own_autosave: None,
            dialog: None,
            native_dialogs: config.native_dialogs,
            autosave_interval_secs: config.autosave_interval_secs,
            last_autosave: 0.0,
            autosave_written: false,
            allow_close: false,
        }
    }

    /// The window title: file name, unsaved marker and, when given, the journey's
    /// lifecycle status.
    #[must_use]
    pub fn title(&self, dirty: bool, status: Option<crate::model::Status>) -> String {
        let name = self
            .path
            .as_deref()
            .and_then(Path::file_name)
            .map_or_else(|| "Untitled".to_owned(), |n| n.to_string_lossy().into_owned());
        let status = status.map_or_else(String::new, |s| format!(" · {}", s.label()));
        format!("{}{name}{status} — Journey Studio", if dirty { "● " } else { "" })
    }

    /// Removes this instance's autosave of the current document (clean exit, save,
    /// discard). Other instances' autosaves are never touched.
    pub fn clear_autosave(&mut self) {
        if let (Some(store), Some(file)) = (&self.store, self.own_autosave.take()) {
            store.remove_own(&file);
        }
        self.autosave_written = false;
    }

    /// Sets the current file (made absolute) and the autosave key that goes with it.
    pub fn set_path(&mut self, path: Option<PathBuf>) {
        self.path = path.map(|p| autosave::absolute(&p));
        self.doc_key = self.path.as_deref().map_or_else(untitled_key, autosave::path_key);
    }

    /// Whether native file dialogs are tried (otherwise the in-app path fields are used).
    #[must_use]
    pub fn native_dialogs(&self) -> bool {
        self.native_dialogs
    }

    /// This instance's autosave of the current document, if written.
    #[must_use]
    pub fn own_autosave(&self) -> Option<&Path> {
        self.own_autosave.as_deref()
    }
}

/// A fresh key for a journey never saved.
fn untitled_key() -> String {
    format!("untitled:{}", autosave::random_id())
}

/// Saves a journey file (atomically, through the format layer).
fn save_journey(path: &Path, journey: &Journey) -> anyhow::Result<()> {
    format::save(path, journey)?;
    Ok(())
}

impl App {
    /// Runs a file action, asking about unsaved changes first when it would discard them.
    pub(crate) fn file_action(&mut self, ctx: &egui::Context, action: Action) {
        let discards = matches!(
            action,
            Action::New
                | Action::NewFromTemplate(_)
                | Action::Open
                | Action::OpenPath(_)
                | Action::Revert
                | Action::Quit
        );
        if discards && self.doc.dirty {
            self.files.pending = Some(action);
            return;
        }
        self.perform(ctx, action);
    }

    /// Runs a file action without asking.
    fn perform(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::New => {
                self.replace_journey(Journey::new("Untitled journey"), None);
                self.set_status(ctx, "New journey".to_owned());
            }
            Action::NewFromTemplate(name) => {
                match crate::templates::find(name).map(crate::templates::Template::journey) {
                    Some(Ok(journey)) => {
                        let title = crate::templates::find(name).map_or(name, |t| t.title);
                        self.replace_journey(journey, None);
                        self.set_status(ctx, format!("New journey from the template “{title}”: not saved yet"));
                    }
                    Some(Err(e)) => self.set_status(ctx, format!("The template {name} does not load: {e}")),
                    None => self.set_status(ctx, format!("There is no template {name}")),
                }
            }
            Action::Open => self.choose_path(ctx, Purpose::Open),
            Action::OpenPath(path) => self.open_path(ctx, &path),
            Action::Save => match self.files.path.clone() {
                Some(path) => {
                    self.save_to(ctx, &path);
                }
                None => self.choose_path(ctx, Purpose::SaveAs),
            },
            Action::SaveAs => self.choose_path(ctx, Purpose::SaveAs),
            Action::ExportReport => {
                if self.preview.outcome.is_some() {
                    self.choose_path(ctx, Purpose::ExportReport);
                } else {
                    self.set_status(ctx, "Run a simulation first: the report shows the last run".to_owned());
                }
            }
            Action::Revert => {
                if let Some(path) = self.files.path.clone() {
                    self.open_path(ctx, &path);
                }
            }
            Action::Quit => {
                self.files.allow_close = true;
                self.files.clear_autosave();
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            _ => {}
        }
    }

    /// Replaces the journey (new, opened, recovered): fresh history, view fitted.
    pub(crate) fn replace_journey(&mut self, journey: Journey, path: Option<PathBuf>) {
        self.doc = Document::new(journey);
        self.files.clear_autosave();
        self.files.set_path(path);
        self.versions.reset();
        self.view.selection.clear();
        self.view.selected_link = None;
        self.view.fit_pending = true;
    }

    fn open_path(&mut self, ctx: &egui::Context, path: &Path) {
        match format::load(path) {
            Ok(journey) => {
                self.replace_journey(journey, Some(path.to_owned()));
                self.prefs.remember(autosave::absolute(path));
                self.files.error = None;
                self.set_status(ctx, format!("Opened {}", path.display()));
            }
            Err(e) => {
                let message = match e {
                    format::FormatError::Io { .. } => format!("Could not open the file: {e}"),
                    _ => format!("Could not open the file: {e}: {}", path.display()),
                };
                self.files.error = Some(message);
            }
        }
    }

    fn save_to(&mut self, ctx: &egui::Context, path: &Path) -> bool {
        match save_journey(path, &self.doc.journey) {
            Ok(()) => {
                self.doc.mark_saved();
                self.files.clear_autosave();
                self.files.set_path(Some(path.to_owned()));
                self.prefs.remember(autosave::absolute(path));
                self.set_status(ctx, format!("Saved {}", path.display()));
                if let Some(next) = self.files.after_save.take() {
                    self.perform(ctx, next);
                }
                true
            }
            Err(e) => {
                self.files.error = Some(format!("Could not save: {e:#}"));
                self.files.after_save = None;
                false
            }
        }
    }

    /// Asks for a path: a native dialog on a worker, or the in-app field.
    fn choose_path(&mut self, ctx: &egui::Context, purpose: Purpose) {
        if !self.files.native_dialogs || self.files.dialog.is_some() {
            self.open_prompt(purpose);
            return;
        }
        let (tx, rx) = mpsc::channel();
        let repaint = ctx.clone();
        let dir = self.files.path.as_deref().and_then(Path::parent).map(Path::to_owned);
        let name = match purpose {
            Purpose::ExportReport => self.report_file_name(),
            Purpose::Open | Purpose::SaveAs => self
                .files
                .path
                .as_deref()
                .and_then(Path::file_name)
                .map_or_else(|| "journey.journey".to_owned(), |n| n.to_string_lossy().into_owned()),
        };
        let spawned = std::thread::Builder::new().name("file-dialog".to_owned()).spawn(move || {
            let mut dialog = match purpose {
                Purpose::ExportReport => rfd::FileDialog::new().add_filter("HTML report", &["html"]),
                Purpose::Open | Purpose::SaveAs => rfd::FileDialog::new().add_filter("Journey", &["journey"]),
            };
            if let Some(dir) = dir {
                dialog = dialog.set_directory(dir);
            }
            let picked = match purpose {
                Purpose::Open => dialog.pick_file(),
                Purpose::SaveAs | Purpose::ExportReport => dialog.set_file_name(name).save_file(),
            };
            let _ = tx.send(picked);
            repaint.request_repaint();
        });
        match spawned {
            Ok(_) => self.files.dialog = Some(DialogJob { purpose, rx, started: Instant::now() }),
            Err(_) => self.open_prompt(purpose),
        }
    }

    fn open_prompt(&mut self, purpose: Purpose) {
        // Save as starts from the current file's path; Open starts empty.
        let text = match purpose {
            Purpose::SaveAs => self.files.path.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
            Purpose::Open => String::new(),
            // Beside the journey's file, when it has one.
            Purpose::ExportReport => self
                .files
                .path
                .as_deref()
                .and_then(Path::parent)
                .map_or_else(String::new, |dir| dir.join(self.report_file_name()).display().to_string()),
        };
        self.files.prompt = Some(PathPrompt { purpose, text, fresh: true });
    }

    /// Picks up a finished native dialog.
    pub(crate) fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.files.dialog else { return };
        let answer = match job.rx.try_recv() {
            Ok(answer) => answer,
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(Duration::from_millis(100));
                return;
            }
            Err(mpsc::TryRecvError::Disconnected) => None,
        };
        let purpose = job.purpose;
        let quick = job.started.elapsed().as_secs_f64() < NO_DIALOG_SECS;
        self.files.dialog = None;
        match (answer, purpose) {
            (Some(path), Purpose::Open) => self.file_action(ctx, Action::OpenPath(path)),
            (Some(path), Purpose::SaveAs) => {
                self.save_to(ctx, &path);
            }
            (Some(path), Purpose::ExportReport) => self.export_report(ctx, &path),
            // No dialog could be shown: offer the in-app field instead.
            (None, _) if quick => self.open_prompt(purpose),
            (None, _) => self.files.after_save = None,
        }
    }

    /// The window's close button: ask first when there is unsaved work.
    pub(crate) fn handle_close_request(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || self.files.allow_close {
            return;
        }
        if self.doc.dirty {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.files.pending = Some(Action::Quit);
        } else {
            self.files.allow_close = true;
            self.files.clear_autosave();
        }
    }

    /// Writes the autosave when there is unsaved work that changed since the last one.
    pub(crate) fn autosave_tick(&mut self, ctx: &egui::Context, now: f64) {
        if self.files.store.is_none() {
            return;
        }
        if !self.doc.dirty {
            if self.files.autosave_written {
                self.files.clear_autosave();
            }
            return;
        }
        if !self.files.recovery.is_empty() || !self.doc.changed_since_autosave {
            return;
        }
        let due = now - self.files.last_autosave >= self.files.autosave_interval_secs;
        if !due {
            ctx.request_repaint_after(Duration::from_secs_f64(
                (self.files.autosave_interval_secs - (now - self.files.last_autosave)).max(0.1),
            ));
            return;
        }
        self.files.last_autosave = now;
        self.write_autosave(ctx);
    }

    /// Writes this instance's autosave of the current document now.
    fn write_autosave(&mut self, ctx: &egui::Context) {
        let Some(store) = &self.files.store else { return };
        match store.write(&self.files.doc_key, self.files.path.as_deref(), &self.doc.journey) {
            Ok(file) => {
                // The document changed key (Save as… elsewhere): the old file goes.
                if let Some(old) = self.files.own_autosave.replace(file.clone())
                    && old != file
                {
                    store.remove_own(&old);
                }
                self.doc.changed_since_autosave = false;
                self.files.autosave_written = true;
            }
            Err(e) => self.set_status(ctx, format!("Autosave failed: {e}")),
        }
    }

    /// The file windows: unsaved-changes prompt, path field, errors, recovery.
    pub(crate) fn file_windows_ui(&mut self, ctx: &egui::Context) {
        self.unsaved_prompt_ui(ctx);
        self.path_prompt_ui(ctx);
        self.recovery_ui(ctx);
        if let Some(error) = self.files.error.clone() {
            let mut open = true;
            egui::Modal::new(egui::Id::unique("file_error")).show(ctx, |ui| {
                ui.heading("The file could not be used");
                ui.label(&error);
                ui.weak("The journey you were editing is unchanged");
                if ui.button("OK").on_hover_text("Close this message").clicked() {
                    open = false;
                }
            });
            if !open {
                self.files.error = None;
            }
        }
    }

    fn unsaved_prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(pending) = self.files.pending.clone() else { return };
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui| {
            ui.heading("Save changes?");
            ui.label(format!("{} has unsaved changes", self.files.title(false, None).replace(" — Journey Studio", "")));
            ui.horizontal(|ui| {
                if ui.button("Save").on_hover_text("Save, then continue").clicked() {
                    answer = Some(0);
                }
                if ui.button("Discard").on_hover_text("Continue without saving").clicked() {
                    answer = Some(1);
                }
                if ui.button("Cancel").on_hover_text("Keep editing").clicked() {
                    answer = Some(2);
                }
            });
        });
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            answer = Some(2);
        }
        match answer {
            Some(0) => {
                self.files.pending = None;
                match self.files.path.clone() {
                    Some(path) => {
                        if self.save_to(ctx, &path) {
                            self.perform(ctx, pending);
                        }
                    }
                    None => {
                        self.files.after_save = Some(pending);
                        self.choose_path(ctx, Purpose::SaveAs);
                    }
                }
            }
            Some(1) => {
                self.files.pending = None;
                if pending != Action::Quit {
                    self.doc.dirty = false;
                }
                self.perform(ctx, pending);
            }
            Some(_) => self.files.pending = None,
            None => {}
        }
    }

    fn path_prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(prompt) = self.files.prompt.as_mut() else { return };
        let (title, verb, hint, what) = match prompt.purpose {
            Purpose::Open => ("Open a journey", "Open", "/path/to/file.journey", "A .journey file"),
            Purpose::SaveAs => ("Save the journey as", "Save", "/path/to/file.journey", "A .journey file"),
            Purpose::ExportReport => {
                ("Export the report as", "Export", "/path/to/report.html", "An .html file, written whole")
            }
        };
        let mut go = false;
        let mut cancel = false;
        egui::Modal::new(egui::Id::unique("path_prompt")).show(ctx, |ui| {
            ui.heading(title);
            ui.weak("No file dialog is available here: type the file's path");
            let label = ui.label("File path");
            let edit = ui
                .add(egui::TextEdit::singleline(&mut prompt.text).desired_width(420.0).hint_text(hint))
                .labelled_by(label.id)
                .on_hover_text(what);
            if prompt.fresh {
                edit.request_focus();
                prompt.fresh = false;
            }
            if edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                go = true;
            }
            ui.horizontal(|ui| {
                if ui.button(verb).on_hover_text(format!("{verb} this file")).clicked() {
                    go = true;
                }
                if ui.button("Cancel").on_hover_text("Close without choosing").clicked() {
                    cancel = true;
                }
            });
        });
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            cancel = true;
        }
        let text = prompt.text.trim().to_owned();
        let purpose = prompt.purpose;
        if cancel {
            self.files.prompt = None;
            self.files.after_save = None;
        } else if go && !text.is_empty() {
            self.files.prompt = None;
            let mut path = PathBuf::from(text);
            if path.extension().is_none() {
                match purpose {
                    Purpose::SaveAs => path.set_extension("journey"),
                    Purpose::ExportReport => path.set_extension("html"),
                    Purpose::Open => false,
                };
            }
            match purpose {
                Purpose::Open => self.file_action(ctx, Action::OpenPath(path)),
                Purpose::SaveAs => {
                    self.save_to(ctx, &path);
                }
                Purpose::ExportReport => self.export_report(ctx, &path),
            }
        }
    }

    /// Lists every recoverable document with its path and time: Recover one, Discard
    /// any, or decide later (the files stay for the next start).
    fn recovery_ui(&mut self, ctx: &egui::Context) {
        if self.files.recovery.is_empty() {
            return;
        }
        let mut answer = None;
        // A width that fits the window, with every text wrapped to it: a long path or
        // sentence never runs past the dialog's right edge.
        let width = (ctx.content_rect().width() - 80.0).clamp(240.0, 560.0);
        egui::Modal::new(egui::Id::unique("recovery")).show(ctx, |ui| {
            ui.set_width(width);
            ui.heading("Recover unsaved work?");
            ui.add(egui::Label::new("Journey Studio did not close cleanly. This unsaved work was kept").wrap());
            for (i, r) in self.files.recovery.iter().enumerate() {
                ui.separator();
                let of = r.path.as_deref().map_or_else(|| "A new journey".to_owned(), |p| p.display().to_string());
                let at = r
                    .saved_at
                    .to_utc()
                    .map_or_else(|| r.saved_at.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
                let text = format!("{of} · {} nodes · autosaved {at}", r.journey.graph.nodes.len());
                ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Wrap));
                ui.horizontal(|ui| {
                    if ui.button("Recover").on_hover_text("Continue with this unsaved work").clicked() {
                        answer = Some((i, true));
                    }
                    if ui.button("Discard").on_hover_text("Throw this unsaved work away").clicked() {
                        answer = Some((i, false));
                    }
                });
            }
            ui.separator();
            if ui.button("Decide later").on_hover_text("Keep the unsaved work for the next start").clicked() {
                answer = Some((usize::MAX, false));
            }
        });
        match answer {
            Some((i, true)) if i < self.files.recovery.len() => {
                let r = self.files.recovery.remove(i);
                self.recover(ctx, &r);
                // One document at a time: the rest stay on disk for the next start.
                self.files.recovery.clear();
            }
            Some((i, false)) if i < self.files.recovery.len() => {
                let r = self.files.recovery.remove(i);
                if let Some(store) = &self.files.store {
                    store.forget(&r);
                }
            }
            Some(_) => self.files.recovery.clear(),
            None => {}
        }
    }

    /// Continues with recovered work, and autosaves it at once as this instance's own
    /// before the ended instance's file goes, so a crash right after loses nothing.
    fn recover(&mut self, ctx: &egui::Context, r: &Recovery) {
        let saved = r.path.as_deref().and_then(|p| format::load(p).ok()).unwrap_or_default();
        self.replace_journey(r.journey.clone(), r.path.clone());
        self.files.doc_key.clone_from(&r.key);
        self.doc.saved = saved;
        self.doc.dirty = self.doc.journey != self.doc.saved;
        self.doc.changed_since_autosave = true;
        let Some(store) = &self.files.store else { return };
        match store.adopt(r, &self.doc.journey) {
            Ok(file) => {
                self.files.own_autosave = Some(file);
                self.files.autosave_written = true;
                self.doc.changed_since_autosave = false;
                self.set_status(ctx, "Recovered unsaved work".to_owned());
            }
            Err(e) => self.set_status(ctx, format!("Recovered, but the autosave failed (the old copy is kept): {e}")),
        }
    }

    /// The report's default file name: the journey file's stem, or the journey's name,
    /// then `-report.html`.
    fn report_file_name(&self) -> String {
        let stem = self.files.path.as_deref().and_then(Path::file_stem).map(|s| s.to_string_lossy().into_owned());
        let stem = stem.unwrap_or_else(|| {
            let name: String =
                self.doc.journey.setup.name.chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
            let name = name.trim().replace(' ', "-").to_lowercase();
            if name.is_empty() { "journey".to_owned() } else { name }
        });
        format!("{stem}-report.html")
    }

    /// Writes the HTML report of the last run (and the kept baseline) to `path` through
    /// the safe write; says where in the status bar, or why not in the file error window.
    pub(crate) fn export_report(&mut self, ctx: &egui::Context, path: &Path) {
        let Some(outcome) = &self.preview.outcome else {
            self.files.error = Some("There is no run to report: run a simulation first (F5)".to_owned());
            return;
        };
        let file = self.files.path.as_deref().map(|p| p.display().to_string());
        let input = crate::report::ReportInput {
            current: crate::report::Run { journey: &outcome.journey, report: &outcome.report, file: file.as_deref() },
            // The baseline as re-run on this run's users when paired, else as it was kept.
            baseline: self.preview.baseline.as_ref().map(|b| crate::report::Run {
                journey: &b.journey,
                report: outcome.base(Some(b)).unwrap_or(&b.report),
                file: None,
            }),
            paired: self.preview.baseline.as_ref().and(outcome.paired.as_ref()).map(|p| p.figures.as_slice()),
            app_version: env!("CARGO_PKG_VERSION"),
        };
        let html = crate::report::html(&input);
        // A new folder for the report is made; then the one safe write: a failed export
        // keeps an older report byte-identical.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let written =
            dir.map_or(Ok(()), std::fs::create_dir_all).and_then(|()| format::write_atomic(path, html.as_bytes()));
        match written {
            Ok(()) => self.set_status(ctx, format!("Wrote the report {}", path.display())),
            Err(e) => self.files.error = Some(format!("Could not write the report: {e}: {}", path.display())),
        }
    }

    /// Shows a status-bar message.
    pub(crate) fn set_status(&mut self, ctx: &egui::Context, message: String) {
        self.status = Some((message, ctx.input(|i| i.time)));
    }
}
