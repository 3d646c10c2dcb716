//! Publish, versions and compare in the editor (SPEC §1.5): the Publish dialog, the
//! versions panel (status, versions, open read-only, restore, clone, compare), the
//! read-only view, the compare window with both sides' simulated figures side by side,
//! and the diff highlighted on the canvas.
//!
//! Invariants: the journey changes only through commands (`Publish`, `SetStatus`,
//! `RestoreVersion`), so each is one undo step and marks the file unsaved; a version or
//! file shown read-only lives in its own [`Document`] and edits aimed at it are dropped
//! with a message; the diff shown is [`crate::model::diff`]'s, the same as the CLI's; the
//! side-by-side figures come from [`sim::compare`] (every user walked through both sides,
//! paired) on a named worker thread, never the UI thread, with the same run inputs.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;

use egui::{Align2, Color32, FontId, Rect, RichText, Shape, Stroke, StrokeKind, Ui, Vec2, vec2};

use crate::model::diff::{ChangeKind, Diff, diff_journeys};
use crate::model::{Journey, NodeId, Status, Timestamp};
use crate::sim::{self, PairedFigure, Report, SimError};
use crate::validate::{Severity, validate};
use crate::versions::{self, MAX_DESCRIPTION_CHARS, MAX_VERSIONS, Plan, SideSpec};

use super::canvas::CanvasView;
use super::canvas::geometry::{bezier_at, input_port_pos, link_curve, node_rect, output_port_pos};
use super::command::{Command, Document};
use super::preview::{Outcome, Paired, RunInputs, engine_threads, horizon_secs};
use super::state::{Action, App};
use super::theme::{CARD_ROUNDING, Theme};
use crate::figures::text::{fmt_count, fmt_delta, fmt_money, fmt_pct};

/// The compare worker thread's name.
pub const COMPARE_WORKER_NAME: &str = "journey-compare";

/// A side of a comparison, as picked in the versions panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// The working draft.
    #[default]
    Draft,
    /// A published version.
    Version(u32),
    /// The file (or `FILE@vN`) typed in the path field.
    File,
}

/// A journey shown read-only on the canvas: a version, or a compared file.
#[derive(Debug)]
pub struct Viewing {
    /// What is shown ("v2 · Launch").
    pub title: String,
    /// The version's number, when it is one of this file's.
    pub number: Option<u32>,
    /// Its own document (validation, badges), never edited.
    pub doc: Document,
}

/// The side-by-side simulation of a comparison.
#[derive(Debug, Default)]
pub enum Results {
    /// Not run yet.
    #[default]
    NotRun,
    /// Running on the worker.
    Running(SideRun),
    /// Both reports.
    Done {
        /// The older side's.
        a: Box<Report>,
        /// The newer side's.
        b: Box<Report>,
        /// The inputs both ran with.
        inputs: RunInputs,
        /// The headline figures paired user by user (SPEC §3.2), with verdicts.
        paired: Vec<PairedFigure>,
    },
    /// Why it did not finish.
    Failed(String),
}

/// A side-by-side run in progress.
#[derive(Debug)]
pub struct SideRun {
    cancel: Arc<AtomicBool>,
    rx: Receiver<Result<sim::Comparison, SimError>>,
    handle: Option<JoinHandle<()>>,
    inputs: RunInputs,
}

/// Two sides compared: their journeys, the diff and the simulated figures.
#[derive(Debug)]
pub struct Comparison {
    /// The older side's name.
    pub a_title: String,
    /// The newer side's name.
    pub b_title: String,
    /// The older side.
    pub a: Journey,
    /// The newer side (the one on the canvas).
    pub b: Journey,
    /// Whether the newer side is the working draft (then the canvas stays editable).
    pub b_is_draft: bool,
    /// The structural diff from `a` to `b`.
    pub diff: Diff,
    /// The side-by-side simulation.
    pub results: Results,
}

/// The Publish dialog's fields.
#[derive(Clone, Debug, Default)]
pub struct PublishForm {
    /// The version's name.
    pub name: String,
    /// What the version is for.
    pub description: String,
}

/// Everything the versions UI keeps between frames.
#[derive(Debug, Default)]
pub struct VersionsUi {
    /// The versions panel is shown.
    pub open: bool,
    /// The Publish dialog, when open.
    pub publish: Option<PublishForm>,
    /// A version or file shown read-only.
    pub viewing: Option<Viewing>,
    /// The comparison shown.
    pub compare: Option<Comparison>,
    /// The older side picked for Compare.
    pub from: Pick,
    /// The newer side picked for Compare.
    pub to: Pick,
    /// The path for a [`Pick::File`] side (`FILE` or `FILE@vN`).
    pub file_path: String,
    /// The version being cloned, and the new file's path.
    pub clone: Option<(u32, String)>,
    /// The panel's last message (compare or clone errors, clone done).
    pub message: Option<String>,
    /// The draft's changes since the latest version, as shown, and the journey they were
    /// computed for (recomputed only after an edit, not every frame).
    draft_note: Option<(Journey, String)>,
}

impl VersionsUi {
    /// Forgets views and comparisons of the previous journey (New, Open, Revert).
    pub fn reset(&mut self) {
        *self = Self { open: self.open, ..Self::default() };
    }
}

/// Whether a command may run while a version is shown read-only: those about the
/// versions themselves, which act on the file, not on what is shown.
#[must_use]
pub fn allowed_while_viewing(c: &Command) -> bool {
    matches!(c, Command::SetStatus(_) | Command::Publish { .. } | Command::RestoreVersion(_))
}

/// The app's clock as a model instant (publish times).
#[must_use]
pub fn now() -> Timestamp {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// A version's name for lists: "v2 · Launch" (or "v2" without a name).
fn version_title(number: u32, name: &str) -> String {
    if name.trim().is_empty() { format!("v{number}") } else { format!("v{number} · {name}") }
}

/// A version's publish time for people: "2027-01-05 09:00 UTC".
fn when(t: Timestamp) -> String {
    t.to_utc().map_or_else(|| t.to_string(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string())
}

impl App {
    /// Opens the Publish dialog, its name proposed from the plan.
    pub(crate) fn open_publish(&mut self) {
        let j = &self.doc.journey;
        let name = match versions::plan(j) {
            Plan::InPlace { number, .. } | Plan::Unchanged(number) => {
                versions::find(j, number).map(|v| v.name.clone()).unwrap_or_default()
            }
            Plan::New(n) => format!("Version {n}"),
            Plan::LimitReached => String::new(),
        };
        self.versions.publish = Some(PublishForm { name, description: String::new() });
    }

    /// Shows version `number` read-only on the canvas.
    pub(crate) fn view_version(&mut self, number: u32) {
        let j = &self.doc.journey;
        if let (Some(v), Some(journey)) = (versions::find(j, number), versions::as_journey(j, number)) {
            let title = version_title(v.number, &v.name);
            self.versions.viewing = Some(Viewing { title, number: Some(number), doc: Document::new(journey) });
        }
    }

    /// Back to editing the draft (the comparison stays when its newer side is the draft).
    pub(crate) fn back_to_draft(&mut self) {
        self.versions.viewing = None;
        if self.versions.compare.as_ref().is_some_and(|c| !c.b_is_draft) {
            self.versions.compare = None;
        }
    }

    fn side(&self, pick: Pick) -> Result<(Journey, String), String> {
        let j = &self.doc.journey;
        match pick {
            Pick::Draft => Ok((j.clone(), "Draft".to_owned())),
            Pick::Version(n) => {
                let v = versions::find(j, n).ok_or_else(|| format!("There is no version v{n}"))?;
                let side = versions::as_journey(j, n).ok_or_else(|| format!("There is no version v{n}"))?;
                Ok((side, version_title(n, &v.name)))
            }
            Pick::File => {
                let text = self.versions.file_path.trim();
                if text.is_empty() {
                    return Err("Type the path of a .journey file to compare with".to_owned());
                }
                let spec = SideSpec::parse(text);
                let file = crate::format::load(&spec.path).map_err(|e| format!("Could not open the file: {e}"))?;
                let side = spec.pick(&file).map_err(|e| format!("{e}: {}", spec.path.display()))?;
                let name = spec.path.file_name().map_or_else(|| text.to_owned(), |n| n.to_string_lossy().into_owned());
                let title = spec.version.map_or(name.clone(), |n| format!("{name} @ v{n}"));
                Ok((side, title))
            }
        }
    }

    /// Compares two sides: the diff, the newer side on the canvas (read-only unless it is
    /// the draft) with the changes highlighted.
    pub(crate) fn compare(&mut self, from: Pick, to: Pick) {
        let sides = self.side(from).and_then(|a| self.side(to).map(|b| (a, b)));
        let ((a, a_title), (b, b_title)) = match sides {
            Ok(s) => s,
            Err(e) => {
                self.versions.message = Some(e);
                return;
            }
        };
        self.versions.message = None;
        let diff = diff_journeys(&a, &b);
        let b_is_draft = to == Pick::Draft;
        self.versions.viewing = (!b_is_draft).then(|| Viewing {
            title: b_title.clone(),
            number: match to {
                Pick::Version(n) => Some(n),
                _ => None,
            },
            doc: Document::new(b.clone()),
        });
        self.versions.compare = Some(Comparison { a_title, b_title, a, b, b_is_draft, diff, results: Results::NotRun });
    }

    /// Saves version `number` as a new journey file.
    fn clone_to(&mut self, ctx: &egui::Context, number: u32, path: &str) {
        let mut path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            self.versions.message = Some("Type the new file's path".to_owned());
            return;
        }
        if path.extension().is_none() {
            path.set_extension(crate::format::EXTENSION);
        }
        if path.exists() {
            self.versions.message = Some(format!("A file is already there; choose another name: {}", path.display()));
            return;
        }
        let Some(journey) = versions::clone_version(&self.doc.journey, number) else { return };
        // Never over a file that appeared since the check above.
        match crate::format::save_new(&path, &journey) {
            Ok(()) => {
                self.versions.clone = None;
                self.versions.message = Some(format!("Cloned v{number} to {}", path.display()));
                self.set_status(ctx, format!("Cloned v{number} to {}", path.display()));
            }
            Err(e) => self.versions.message = Some(format!("Could not save the clone: {e}")),
        }
    }

    /// Starts both sides' simulations on the worker thread, with the run bar's inputs.
    pub(crate) fn simulate_both(&mut self, ctx: &egui::Context) {
        let Some(cmp) = &mut self.versions.compare else { return };
        if matches!(cmp.results, Results::Running(_)) {
            return;
        }
        for (side, j) in [(&cmp.a_title, &cmp.a), (&cmp.b_title, &cmp.b)] {
            if let Some(d) = validate(j).into_iter().find(|d| d.severity == Severity::Error) {
                cmp.results = Results::Failed(format!("Cannot simulate {side}: {}: {}", d.place(), d.message));
                return;
            }
        }
        let inputs = self.preview.inputs.unwrap_or_else(|| RunInputs::from_journey(&cmp.b));
        let opts = inputs.options(engine_threads());
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let (a, b, c, repaint) = (cmp.a.clone(), cmp.b.clone(), Arc::clone(&cancel), ctx.clone());
        let spawned = std::thread::Builder::new().name(COMPARE_WORKER_NAME.to_owned()).spawn(move || {
            let go = |_: f64| !c.load(Ordering::Relaxed);
            // Every user walks through both sides with the same streams (paired, §3.2).
            let result = sim::compare(&a, &b, &opts, &go);
            let _ = tx.send(result);
            repaint.request_repaint();
        });
        cmp.results = match spawned {
            Ok(handle) => Results::Running(SideRun { cancel, rx, handle: Some(handle), inputs }),
            Err(e) => Results::Failed(format!("Could not start the simulation thread: {e}")),
        };
    }

    /// Picks up finished side-by-side runs.
    fn poll_compare(&mut self, ctx: &egui::Context) {
        let Some(cmp) = &mut self.versions.compare else { return };
        let Results::Running(run) = &mut cmp.results else { return };
        let result = match run.rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                return;
            }
            Err(TryRecvError::Disconnected) => {
                Err(SimError::Invalid(vec!["the simulation stopped unexpectedly".into()]))
            }
        };
        if let Some(h) = run.handle.take() {
            let _ = h.join();
        }
        let inputs = run.inputs;
        cmp.results = match result {
            Ok(c) => Results::Done { a: Box::new(c.a), b: Box::new(c.b), inputs, paired: c.figures },
            Err(SimError::Cancelled) => Results::NotRun,
            Err(e) => Results::Failed(format!("The simulation failed: {e}")),
        };
    }

    /// Keeps a comparison whose newer side is the draft in step with the edits: the diff
    /// and the highlight follow, and figures simulated before a change in behaviour are
    /// dropped rather than shown for a journey that no longer exists.
    fn follow_draft(&mut self) {
        let Some(cmp) = &mut self.versions.compare else { return };
        if !cmp.b_is_draft || cmp.b == self.doc.journey {
            return;
        }
        if !super::preview::same_simulation(&cmp.b, &self.doc.journey) {
            if let Results::Running(r) = &cmp.results {
                r.cancel.store(true, Ordering::Relaxed);
            }
            cmp.results = Results::NotRun;
        }
        cmp.b = self.doc.journey.clone();
        cmp.diff = diff_journeys(&cmp.a, &cmp.b);
    }

    /// Puts the two reports in the preview: the older side as the baseline, so every
    /// figure of the statistics panel reads "(was …)".
    fn show_in_preview(&mut self) {
        let Some(Comparison { results: Results::Done { a, b, inputs, paired }, a: ja, b: jb, .. }) =
            &self.versions.compare
        else {
            return;
        };
        self.preview.baseline =
            Some(Outcome { report: (**a).clone(), journey: ja.clone(), inputs: *inputs, paired: None });
        self.preview.outcome = Some(Outcome {
            report: (**b).clone(),
            journey: jb.clone(),
            inputs: *inputs,
            paired: Some(Paired { baseline: (**a).clone(), figures: paired.clone() }),
        });
        self.preview.clock.secs = horizon_secs(b);
    }
}

/// The versions part of the frame: the panel, the read-only banner, the Publish dialog
/// and the compare window. Called by the shell before the canvas is drawn.
pub fn versions_ui(app: &mut App, ui: &mut Ui) {
    let ctx = ui.ctx().clone();
    app.poll_compare(&ctx);
    app.follow_draft();
    if let Some(v) = &app.versions.viewing {
        let (title, number) = (v.title.clone(), v.number);
        egui::Panel::top("viewing_banner").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Viewing {title}, read-only")).strong());
                if ui.button("Back to draft").on_hover_text("Edit the working draft again").clicked() {
                    app.back_to_draft();
                }
                if let Some(n) = number
                    && ui.button("Restore as draft").on_hover_text("Make this version the working draft").clicked()
                {
                    app.commands.push(Command::RestoreVersion(n));
                    app.back_to_draft();
                }
            });
        });
    }
    if app.versions.open {
        egui::Panel::right("versions")
            .resizable(true)
            .default_size(super::theme::INSPECTOR_WIDTH)
            .size_range(
                super::theme::INSPECTOR_MIN_WIDTH..=super::theme::inspector_max_width(ctx.content_rect().width()),
            )
            .show(ui, |ui| panel_ui(app, ui, &ctx));
    }
    publish_window_ui(app, &ctx);
    compare_window_ui(app, &ctx);
}

fn panel_ui(app: &mut App, ui: &mut Ui, ctx: &egui::Context) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Versions");
        let j = &app.doc.journey;
        let mut status = j.status;
        ui.horizontal(|ui| {
            let label = ui.label("Status");
            egui::ComboBox::from_id_salt("journey_status")
                .selected_text(status.label())
                .show_ui(ui, |ui| {
                    for s in Status::ALL {
                        ui.selectable_value(&mut status, s, s.label());
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("Lifecycle status: metadata you set; the preview always simulates the journey running");
        });
        if status != j.status {
            app.commands.push(Command::SetStatus(status));
        }
        if ui.button("Publish…").on_hover_text("Validate, then freeze the draft as a version").clicked() {
            app.actions.push(Action::Publish);
        }
        ui.separator();
        let j = &app.doc.journey;
        let draft_note = match &app.versions.draft_note {
            Some((seen, note)) if seen == j => note.clone(),
            _ => {
                let note = draft_note(j);
                app.versions.draft_note = Some((j.clone(), note.clone()));
                note
            }
        };
        let j = &app.doc.journey;
        ui.horizontal(|ui| {
            ui.strong("Draft");
            ui.weak(draft_note);
        });
        let mut list: Vec<_> = j.versions.iter().collect();
        list.sort_by_key(|v| std::cmp::Reverse(v.number));
        if list.is_empty() {
            ui.weak("Publish to freeze the draft as v1");
        }
        let mut todo: Option<(&'static str, u32)> = None;
        for v in list {
            ui.group(|ui| {
                ui.horizontal(|ui| {
                    ui.strong(version_title(v.number, &v.name));
                    ui.weak(when(v.published_at));
                });
                if !v.description.is_empty() {
                    ui.label(&v.description);
                }
                if !v.change_log.is_empty() {
                    egui::CollapsingHeader::new(format!("Change log ({})", v.change_log.len()))
                        .id_salt(("change_log", v.number))
                        .show(ui, |ui| {
                            for entry in &v.change_log {
                                ui.label(RichText::new(entry).weak().monospace());
                            }
                        });
                }
                ui.horizontal_wrapped(|ui| {
                    let n = v.number;
                    if ui.small_button("Open").on_hover_text(format!("Show v{n} read-only")).clicked() {
                        todo = Some(("open", n));
                    }
                    if ui
                        .small_button("Restore")
                        .on_hover_text(format!("Make v{n} the draft (undo with Ctrl+Z)"))
                        .clicked()
                    {
                        todo = Some(("restore", n));
                    }
                    if ui.small_button("Clone…").on_hover_text(format!("Save v{n} as a new journey file")).clicked() {
                        todo = Some(("clone", n));
                    }
                    if ui
                        .small_button("Compare")
                        .on_hover_text(format!("What changed from v{n} to the draft"))
                        .clicked()
                    {
                        todo = Some(("compare", n));
                    }
                });
            });
        }
        match todo {
            Some(("open", n)) => {
                app.versions.compare = None;
                app.view_version(n);
            }
            Some(("restore", n)) => {
                app.back_to_draft();
                app.commands.push(Command::RestoreVersion(n));
            }
            Some(("clone", n)) => {
                let stem =
                    app.path().and_then(|p| p.file_stem()).map_or_else(|| "journey".into(), |s| s.to_string_lossy());
                let dir = app.path().and_then(|p| p.parent()).map(|d| d.display().to_string()).unwrap_or_default();
                let file = format!("{stem}-v{n}.journey");
                let path = if dir.is_empty() { file } else { format!("{dir}/{file}") };
                app.versions.clone = Some((n, path));
            }
            Some(("compare", n)) => app.compare(Pick::Version(n), Pick::Draft),
            _ => {}
        }
        if let Some((n, mut path)) = app.versions.clone.clone() {
            ui.separator();
            ui.strong(format!("Clone v{n} to a new file"));
            let label = ui.label("New file path");
            ui.add(egui::TextEdit::singleline(&mut path).desired_width(f32::INFINITY))
                .labelled_by(label.id)
                .on_hover_text("Where the new .journey file goes");
            let (mut go, mut cancel) = (false, false);
            ui.horizontal(|ui| {
                go = ui.button("Save clone").on_hover_text("Write the new journey file").clicked();
                cancel = ui.button("Cancel").on_hover_text("Do not clone").clicked();
            });
            app.versions.clone = Some((n, path.clone()));
            if cancel {
                app.versions.clone = None;
            } else if go {
                app.clone_to(ctx, n, &path);
            }
        }
        ui.separator();
        compare_picker_ui(app, ui);
        if let Some(m) = &app.versions.message {
            ui.separator();
            ui.label(m);
        }
    });
}

/// "3 changes since the latest version (partial edits)", or why there are none.
fn draft_note(j: &Journey) -> String {
    match versions::draft_changes(j) {
        None => "Not published yet".to_owned(),
        Some(d) if d.changes.is_empty() => "No changes since the latest version".to_owned(),
        Some(d) => format!(
            "{} change{} since the latest version{}",
            d.changes.len(),
            if d.changes.len() == 1 { "" } else { "s" },
            if d.only_partial() { " (partial edits)" } else { "" }
        ),
    }
}

fn compare_picker_ui(app: &mut App, ui: &mut Ui) {
    ui.strong("Compare");
    let numbers: Vec<(u32, String)> =
        app.doc.journey.versions.iter().map(|v| (v.number, version_title(v.number, &v.name))).collect();
    let name = |p: Pick| match p {
        Pick::Draft => "Draft".to_owned(),
        Pick::Version(n) => numbers.iter().find(|(m, _)| *m == n).map_or_else(|| format!("v{n}"), |(_, t)| t.clone()),
        Pick::File => "A file…".to_owned(),
    };
    for (which, pick) in [("From", &mut app.versions.from), ("To", &mut app.versions.to)] {
        ui.horizontal(|ui| {
            let label = ui.label(which);
            egui::ComboBox::from_id_salt(("compare_side", which))
                .selected_text(name(*pick))
                .show_ui(ui, |ui| {
                    ui.selectable_value(pick, Pick::Draft, "Draft");
                    for (n, t) in &numbers {
                        ui.selectable_value(pick, Pick::Version(*n), t);
                    }
                    ui.selectable_value(pick, Pick::File, "A file…");
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("The draft, a version, or another file");
        });
    }
    if app.versions.from == Pick::File || app.versions.to == Pick::File {
        let label = ui.label("File to compare");
        ui.add(
            egui::TextEdit::singleline(&mut app.versions.file_path)
                .hint_text("other.journey or other.journey@v2")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id)
        .on_hover_text("A .journey file (its draft), or FILE@vN for one of its versions");
    }
    if ui.button("Show diff").on_hover_text("List the changes and highlight them on the canvas").clicked() {
        let (from, to) = (app.versions.from, app.versions.to);
        app.compare(from, to);
    }
}

fn publish_window_ui(app: &mut App, ctx: &egui::Context) {
    let Some(form) = &mut app.versions.publish else { return };
    let j = &app.doc.journey;
    let diagnostics = validate(j);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let plan = versions::plan(j);
    let (mut publish, mut close) = (false, false);
    egui::Modal::new(egui::Id::unique("publish_dialog")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.heading("Publish");
        if !errors.is_empty() {
            ui.label(format!(
                "Publishing is refused: the journey has {} error{}. Fix them first",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
            egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
                for d in &errors {
                    ui.label(RichText::new(format!("{}: {}", d.place(), d.message)).color(app.theme.error));
                }
            });
            close = ui.button("Close").on_hover_text("Back to the journey").clicked();
            return;
        }
        let can = match &plan {
            Plan::New(n) => {
                ui.label(format!("This freezes the draft as v{n}; you keep editing the draft"));
                true
            }
            Plan::InPlace { number, diff } => {
                ui.label(format!(
                    "Only partial edits since v{number} ({} change{}): v{number} is updated in place, with an entry in its change log",
                    diff.changes.len(),
                    if diff.changes.len() == 1 { "" } else { "s" }
                ));
                true
            }
            Plan::Unchanged(n) => {
                ui.label(format!("Nothing to publish: the journey has not changed since v{n}"));
                false
            }
            Plan::LimitReached => {
                ui.label(format!(
                    "v{MAX_VERSIONS} is the last version a journey can have: clone it to a new file (Versions › Clone…) to publish further changes"
                ));
                false
            }
        };
        if can {
            let label = ui.label("Version name");
            ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(f32::INFINITY))
                .labelled_by(label.id)
                .on_hover_text("A short name, such as \"Spring launch\"");
            let label = ui.label("Version description");
            ui.add(egui::TextEdit::multiline(&mut form.description).desired_rows(2).desired_width(f32::INFINITY))
                .labelled_by(label.id)
                .on_hover_text("What this version changes (the journey's own description is not touched)");
            let chars = form.description.trim().chars().count();
            let over = chars > MAX_DESCRIPTION_CHARS;
            let count = RichText::new(format!("{chars} / {MAX_DESCRIPTION_CHARS} characters"));
            ui.label(if over { count.color(app.theme.error) } else { count.weak() });
            let ok = !over && !form.name.trim().is_empty();
            ui.horizontal(|ui| {
                publish = ui
                    .add_enabled(ok, egui::Button::new("Publish"))
                    .on_hover_text("Publish this version")
                    .on_disabled_hover_text("Give the version a name, and at most 120 characters of description")
                    .clicked();
                close = ui.button("Cancel").on_hover_text("Do not publish").clicked();
            });
        } else {
            close = ui.button("Close").on_hover_text("Back to the journey").clicked();
        }
    });
    if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        close = true;
    }
    if publish {
        let form = app.versions.publish.take().unwrap_or_default();
        app.commands.push(Command::Publish { name: form.name, description: form.description, now: now() });
    } else if close {
        app.versions.publish = None;
    }
}

/// One row of the side-by-side table: label, older, newer, difference.
fn figure_rows(a: &Report, b: &Report) -> Vec<[String; 4]> {
    let count = |label: &str, x: u64, y: u64| [label.to_owned(), fmt_count(x), fmt_count(y), fmt_delta(y, x)];
    let sent = |r: &Report| r.channels.iter().map(|c| c.sent).sum::<u64>();
    let (ra, rb) = (a.conversion.target.rate, b.conversion.target.rate);
    let pt = match (ra, rb) {
        (Some(x), Some(y)) => format!("{:+.1} pt", (y - x) * 100.0),
        _ => "n/a".to_owned(),
    };
    let money = |label: &str, x: f64, y: f64| {
        let d = y - x;
        let sign = if d < 0.0 { "-" } else { "+" };
        [label.to_owned(), fmt_money(x), fmt_money(y), format!("{sign}{}", fmt_money(d.abs()))]
    };
    vec![
        count("Entered", a.journey.entered, b.journey.entered),
        count("Goal met", a.journey.goal_met, b.journey.goal_met),
        ["Conversion (target)".to_owned(), fmt_pct(ra), fmt_pct(rb), pt],
        count("Completed", a.journey.completed, b.journey.completed),
        count("Messages sent", sent(a), sent(b)),
        money("Message cost", a.total_cost, b.total_cost),
        money("Revenue (target)", a.revenue.target, b.revenue.target),
    ]
}

fn compare_window_ui(app: &mut App, ctx: &egui::Context) {
    let Some(cmp) = &app.versions.compare else { return };
    let mut open = true;
    let (mut run, mut cancel, mut preview) = (false, false, false);
    let mut focus = None;
    egui::Window::new("Compare")
        .open(&mut open)
        .default_width(460.0)
        .default_pos(ctx.content_rect().left_top() + vec2(200.0, 120.0))
        .show(ctx, |ui| {
            // Monospace: the proportional font has no arrow.
            ui.label(RichText::new(format!("{} → {}", cmp.a_title, cmp.b_title)).strong().monospace());
            let d = &cmp.diff;
            if d.is_empty() {
                ui.label("No differences");
            } else {
                ui.horizontal(|ui| {
                    legend(ui, app.theme.diff_added, &format!("{} added", d.added_nodes().len()));
                    legend(ui, app.theme.diff_changed, &format!("{} changed", d.changed_nodes().len()));
                    legend(ui, app.theme.diff_removed, &format!("{} removed", d.removed_nodes().len()));
                });
            }
            egui::ScrollArea::vertical().max_height(220.0).id_salt("diff_lines").show(ui, |ui| {
                for c in &d.changes {
                    let color = match c.kind {
                        ChangeKind::NodeAdded | ChangeKind::GoalAdded => app.theme.diff_added,
                        ChangeKind::NodeRemoved | ChangeKind::GoalRemoved => app.theme.diff_removed,
                        ChangeKind::Link | ChangeKind::Setting => app.theme.diff_changed,
                    };
                    let text = RichText::new(c.to_string()).color(color).monospace();
                    let resp = ui.add(egui::Label::new(text).sense(egui::Sense::click()));
                    if let Some(id) = c.node.filter(|id| cmp.b.graph.node(*id).is_some())
                        && resp.on_hover_text("Show this node").clicked()
                    {
                        focus = Some(id);
                    }
                }
                if !d.scenario.is_empty() {
                    ui.separator();
                    ui.strong("Scenario (simulation assumptions, not the journey)");
                    for c in &d.scenario {
                        ui.label(RichText::new(c.to_string()).monospace());
                    }
                }
            });
            ui.separator();
            ui.strong("Simulated results side by side");
            match &cmp.results {
                Results::NotRun => {
                    ui.weak("Both sides run with the run bar's users, seed, days and replicates");
                    run = ui.button("Simulate both").on_hover_text("Run the engine on both sides").clicked();
                }
                Results::Running(_) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Simulating both sides…");
                        cancel = ui.button("Cancel").on_hover_text("Stop the runs").clicked();
                    });
                }
                Results::Failed(m) => {
                    ui.label(RichText::new(m).color(app.theme.error));
                    run = ui.button("Simulate both").on_hover_text("Try again").clicked();
                }
                Results::Done { a, b, inputs, paired } => {
                    ui.weak(format!(
                        "{} users, seed {}, {} days, {} replicate{}",
                        fmt_count(inputs.users),
                        inputs.seed,
                        inputs.horizon_days,
                        inputs.replicates,
                        if inputs.replicates == 1 { "" } else { "s" }
                    ));
                    egui::Grid::new("side_by_side").striped(true).num_columns(4).show(ui, |ui| {
                        ui.strong("Figure");
                        ui.strong(&cmp.a_title);
                        ui.strong(&cmp.b_title);
                        ui.strong("Change");
                        ui.end_row();
                        for row in figure_rows(a, b) {
                            for cell in row {
                                ui.label(cell);
                            }
                            ui.end_row();
                        }
                    });
                    ui.add_space(6.0);
                    super::preview::stats::comparison_grid(ui, paired, &b.currency);
                    ui.horizontal(|ui| {
                        preview = ui
                            .button("Show in preview")
                            .on_hover_text(format!(
                                "The statistics panel shows {} with {} as the baseline",
                                cmp.b_title, cmp.a_title
                            ))
                            .clicked();
                        run = ui.button("Run again").on_hover_text("Re-run with the run bar's inputs").clicked();
                    });
                }
            }
        });
    if let Some(id) = focus {
        app.actions.push(Action::FocusNode(id));
    }
    if cancel && let Some(Comparison { results: Results::Running(r), .. }) = &app.versions.compare {
        r.cancel.store(true, Ordering::Relaxed);
    }
    if run {
        if let Some(c) = &mut app.versions.compare {
            c.results = Results::NotRun;
        }
        app.simulate_both(ctx);
    }
    if preview {
        app.show_in_preview();
    }
    if !open {
        if let Some(Comparison { results: Results::Running(r), .. }) = &app.versions.compare {
            r.cancel.store(true, Ordering::Relaxed);
        }
        let viewing_b = app.versions.compare.as_ref().is_some_and(|c| !c.b_is_draft);
        app.versions.compare = None;
        if viewing_b {
            app.versions.viewing = None;
        }
    }
}

fn legend(ui: &mut Ui, color: Color32, text: &str) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
    ui.label(text);
}

/// Draws the comparison on the canvas, over the newer side: added cards and links in
/// the "added" colour, changed cards outlined, removed cards and links dashed where the
/// older side had them.
pub fn diff_overlay(ctx: &egui::Context, view: &CanvasView, cmp: &Comparison, theme: &Theme) {
    let Some(layer) = view.scene_layer else { return };
    let inverse = view.screen_from_canvas.inverse();
    let visible = Rect::from_min_max(inverse * view.screen_rect.min, inverse * view.screen_rect.max);
    let mut painter = ctx.layer_painter(layer);
    painter.set_clip_rect(visible);
    let (a, b, d) = (&cmp.a, &cmp.b, &cmp.diff);
    let tag = |rect: Rect, text: &str, color: Color32| {
        let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(12.0), Color32::WHITE);
        let r =
            Rect::from_min_size(rect.left_top() - vec2(0.0, galley.size().y + 8.0), galley.size() + vec2(10.0, 4.0));
        painter.rect_filled(r, 3.0, color);
        painter.galley(r.min + vec2(5.0, 2.0), galley, Color32::WHITE);
    };
    let changes_at = |id: NodeId| d.changes.iter().filter(|c| c.node == Some(id)).count();
    for id in d.added_nodes() {
        if let Some(n) = b.graph.node(id) {
            let r = node_rect(n, Vec2::ZERO).expand(5.0);
            painter.rect_stroke(r, CARD_ROUNDING, Stroke::new(3.0, theme.diff_added), StrokeKind::Outside);
            tag(r, "added", theme.diff_added);
        }
    }
    for id in d.changed_nodes() {
        if let Some(n) = b.graph.node(id) {
            let r = node_rect(n, Vec2::ZERO).expand(5.0);
            painter.rect_stroke(r, CARD_ROUNDING, Stroke::new(3.0, theme.diff_changed), StrokeKind::Outside);
            let k = changes_at(id);
            tag(r, &format!("{k} change{}", if k == 1 { "" } else { "s" }), theme.diff_changed);
        }
    }
    let dashed = Stroke::new(2.5, theme.diff_removed);
    for id in d.removed_nodes() {
        if let Some(n) = a.graph.node(id) {
            let r = node_rect(n, Vec2::ZERO);
            let corners = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom(), r.left_top()];
            painter.extend(Shape::dashed_line(&corners, dashed, 8.0, 5.0));
            painter.text(
                r.center(),
                Align2::CENTER_CENTER,
                format!("removed: {}", n.label),
                FontId::proportional(13.0),
                theme.diff_removed,
            );
        }
    }
    // Links: the newer side's in the "added" colour, the older side's dashed.
    let curve = |g: &crate::model::Graph, from: NodeId, port, to: NodeId| {
        let src = g.node(from)?;
        let dst = g.node(to)?;
        let index = src.kind.output_ports().iter().position(|p| *p == port)?;
        Some(link_curve(
            output_port_pos(src, node_rect(src, Vec2::ZERO), index),
            input_port_pos(node_rect(dst, Vec2::ZERO)),
        ))
    };
    let outs: BTreeSet<_> = a.graph.links.keys().chain(b.graph.links.keys()).copied().collect();
    for out in outs {
        let (ta, tb) = (a.graph.links.get(&out), b.graph.links.get(&out));
        if ta == tb {
            continue;
        }
        if let Some(c) = ta.and_then(|t| curve(&a.graph, out.node, out.port, *t)) {
            let points: Vec<_> = (0..=24).map(|i| bezier_at(&c, i as f32 / 24.0)).collect();
            painter.extend(Shape::dashed_line(&points, dashed, 7.0, 5.0));
        }
        if let Some(c) = tb.and_then(|t| curve(&b.graph, out.node, out.port, *t)) {
            painter.add(egui::epaint::CubicBezierShape::from_points_stroke(
                c,
                false,
                Color32::TRANSPARENT,
                Stroke::new(4.0, theme.diff_added),
            ));
        }
    }
}

/// Test hooks for publish, versions and compare.
impl App {
    /// The versions UI state.
    #[must_use]
    pub fn versions_ui(&self) -> &VersionsUi {
        &self.versions
    }

    /// The comparison's diff, when one is shown.
    #[must_use]
    pub fn comparison(&self) -> Option<&Diff> {
        self.versions.compare.as_ref().map(|c| &c.diff)
    }

    /// What is shown read-only, if anything ("v2 · Launch").
    #[must_use]
    pub fn viewing(&self) -> Option<&str> {
        self.versions.viewing.as_ref().map(|v| v.title.as_str())
    }

    /// The journey on the canvas: the one viewed read-only, or the draft.
    #[must_use]
    pub fn shown_journey(&self) -> &Journey {
        self.versions.viewing.as_ref().map_or(&self.doc.journey, |v| &v.doc.journey)
    }

    /// Both sides' reports, once the side-by-side run is done.
    #[must_use]
    pub fn side_by_side(&self) -> Option<(&Report, &Report)> {
        match &self.versions.compare.as_ref()?.results {
            Results::Done { a, b, .. } => Some((a, b)),
            _ => None,
        }
    }

    /// Shows the versions panel (tests; the menu does the same).
    pub fn show_versions_panel(&mut self) {
        self.versions.open = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_titles_and_times() {
        assert_eq!(version_title(2, "Launch"), "v2 · Launch");
        assert_eq!(version_title(3, " "), "v3");
        assert_eq!(when(Timestamp::from_utc(2027, 1, 5, 9, 30, 0).unwrap_or_default()), "2027-01-05 09:30 UTC");
    }

    #[test]
    fn only_version_commands_pass_a_read_only_view() {
        assert!(allowed_while_viewing(&Command::RestoreVersion(1)));
        assert!(allowed_while_viewing(&Command::SetStatus(Status::Paused)));
        assert!(!allowed_while_viewing(&Command::AutoAlign(None)));
    }
}
