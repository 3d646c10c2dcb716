//! The frame: menu bar, panels, canvas, windows; then, after everything is drawn, the
//! queued actions and commands are handled in one place.
//!
//! Invariant: per frame, the model changes only in [`App::apply_commands`], after the UI
//! has been drawn from one consistent state.

use egui::{Key, KeyboardShortcut, Modifiers, Panel, Ui, ViewportCommand, vec2};

use crate::model::Journey;

use super::AppConfig;
use super::canvas::{self, CanvasView};
use super::command::{Command, Document, Fragment};
use super::files::Files;
use super::panels::{inspector, palette, problems, status};
use super::state::{Action, App, Item, PaletteItem, Prefs, Section};
use super::theme::{self, Theme};
use crate::validate::Location;

/// Key under which preferences are persisted.
const PREFS_KEY: &str = "journey_studio_prefs";
/// Where a paste lands relative to the copied items when not at the pointer.
const PASTE_OFFSET: f32 = 40.0;
/// How long a status message stays (seconds).
const STATUS_SECS: f64 = 8.0;

/// Every shortcut, for the menus and the shortcut sheet.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("New", "Ctrl+N"),
    ("Open…", "Ctrl+O"),
    ("Save", "Ctrl+S"),
    ("Save as…", "Ctrl+Shift+S"),
    ("Quit", "Ctrl+Q"),
    ("Undo", "Ctrl+Z"),
    ("Redo", "Ctrl+Shift+Z or Ctrl+Y"),
    ("Cut", "Ctrl+X"),
    ("Copy", "Ctrl+C"),
    ("Paste", "Ctrl+V"),
    ("Duplicate", "Ctrl+D"),
    ("Delete", "Delete or Backspace"),
    ("Select all", "Ctrl+A"),
    ("Add node menu", "Tab or right-click"),
    ("Add comment", "Ctrl+M"),
    ("Auto-align", "Ctrl+L"),
    ("Move selection", "Arrow keys"),
    ("Zoom in", "+"),
    ("Zoom out", "-"),
    ("Zoom to fit", "F"),
    ("Reset zoom", "0"),
    ("Pan", "Scroll, middle-drag or Space+drag"),
    ("Zoom", "Ctrl+scroll or pinch"),
    ("Keyboard shortcuts", "F1"),
    ("Run simulation", "F5"),
];

fn shortcut(label: &str) -> &'static str {
    SHORTCUTS.iter().find(|(l, _)| *l == label).map_or("", |(_, s)| s)
}

impl App {
    /// The editor for `config`. Reads persisted preferences from `cc`.
    #[must_use]
    pub fn new(cc: &eframe::CreationContext<'_>, config: &AppConfig) -> Self {
        Self::with_context(&cc.egui_ctx, cc.storage, config)
    }

    /// The editor on an egui context, with persisted preferences from `storage` if any
    /// (benchmarks drive it without a window).
    #[must_use]
    pub fn with_context(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>, config: &AppConfig) -> Self {
        let prefs: Prefs = storage.and_then(|s| eframe::get_value(s, PREFS_KEY)).unwrap_or_default();
        ctx.set_visuals(prefs.theme.visuals());
        let mut files = Files::new(config);
        let mut error = None;
        let journey = match &config.file {
            Some(path) => match crate::format::load(path) {
                Ok(j) => {
                    files.set_path(Some(path.clone()));
                    j
                }
                Err(e) => {
                    error = Some(format!("Could not open the file: {e}: {}", path.display()));
                    config.journey.clone().unwrap_or_else(|| Journey::new("Untitled journey"))
                }
            },
            None => config.journey.clone().unwrap_or_else(|| Journey::new("Untitled journey")),
        };
        if error.is_some() {
            files.error = error;
        }
        let view = CanvasView { snap: !prefs.snap_off, ..CanvasView::default() };
        Self {
            doc: Document::new(journey),
            view,
            files,
            theme: Theme::new(prefs.theme),
            prefs,
            commands: Vec::new(),
            actions: Vec::new(),
            clipboard: None,
            status: None,
            show_shortcuts: false,
            gallery: super::gallery::Gallery::default(),
            reveal: None,
            show_about: false,
            inspector_rect: egui::Rect::ZERO,
            title_sent: String::new(),
            preview: super::preview::Preview::new(),
            versions: super::versions::VersionsUi::default(),
            explore: super::explore::ExploreUi::default(),
            calibration: super::calibration::CalibrationUi::default(),
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        let cmd = Modifiers::COMMAND;
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let push = |a: &mut Vec<Action>, m: Modifiers, k: Key, action: Action| {
            if ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k))) {
                a.push(action);
            }
        };
        let a = &mut self.actions;
        // File shortcuts work while typing too.
        push(a, cmd_shift, Key::S, Action::SaveAs);
        push(a, cmd, Key::S, Action::Save);
        push(a, cmd, Key::O, Action::Open);
        push(a, cmd, Key::N, Action::New);
        push(a, cmd, Key::Q, Action::Quit);
        push(a, Modifiers::NONE, Key::F1, Action::ShowShortcuts);
        if typing || self.files.prompt.is_some() || self.files.pending.is_some() || !self.files.recovery.is_empty() {
            return;
        }
        push(a, cmd_shift, Key::Z, Action::Redo);
        push(a, cmd, Key::Z, Action::Undo);
        push(a, cmd, Key::Y, Action::Redo);
        push(a, cmd, Key::X, Action::Cut);
        push(a, cmd, Key::C, Action::Copy);
        push(a, cmd, Key::V, Action::Paste(None));
        push(a, cmd, Key::D, Action::Duplicate);
        push(a, cmd, Key::A, Action::SelectAll);
        push(a, cmd, Key::L, Action::AutoAlign);
        push(a, cmd, Key::M, Action::AddComment);
        push(a, Modifiers::NONE, Key::Delete, Action::Delete);
        push(a, Modifiers::NONE, Key::Backspace, Action::Delete);
        push(a, Modifiers::NONE, Key::F, Action::Fit);
        push(a, Modifiers::NONE, Key::Num0, Action::ResetZoom);
        push(a, Modifiers::NONE, Key::Plus, Action::ZoomIn);
        push(a, Modifiers::NONE, Key::Equals, Action::ZoomIn);
        push(a, Modifiers::NONE, Key::Minus, Action::ZoomOut);
        push(a, Modifiers::NONE, Key::Tab, Action::OpenAddMenu);
        let step = theme::NUDGE;
        push(a, Modifiers::NONE, Key::ArrowLeft, Action::Nudge(vec2(-step, 0.0)));
        push(a, Modifiers::NONE, Key::ArrowRight, Action::Nudge(vec2(step, 0.0)));
        push(a, Modifiers::NONE, Key::ArrowUp, Action::Nudge(vec2(0.0, -step)));
        push(a, Modifiers::NONE, Key::ArrowDown, Action::Nudge(vec2(0.0, step)));
        // The platform's clipboard events (Ctrl+C/X/V arrive this way in a real window).
        let events = ctx.input(|i| i.events.clone());
        for e in events {
            match e {
                egui::Event::Copy => a.push(Action::Copy),
                egui::Event::Cut => a.push(Action::Cut),
                egui::Event::Paste(text) => a.push(Action::Paste(Some(text))),
                _ => {}
            }
        }
    }

    fn menu_bar_ui(&mut self, ui: &mut Ui) {
        let a = &mut self.actions;
        let item = |ui: &mut Ui, a: &mut Vec<Action>, label: &str, enabled: bool, hint: &str, action: Action| {
            let resp = ui
                .add_enabled(enabled, egui::Button::new(label).shortcut_text(shortcut(label)))
                .on_hover_text(hint)
                .on_disabled_hover_text(hint);
            if resp.clicked() {
                a.push(action);
                ui.close();
            }
        };
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                item(ui, a, "New", true, "Start a new journey", Action::New);
                item(
                    ui,
                    a,
                    "New from template…",
                    true,
                    "Start from one of the example journeys, each previewed",
                    Action::ShowTemplates,
                );
                item(ui, a, "Open…", true, "Open a .journey file", Action::Open);
                ui.menu_button("Open Recent", |ui| {
                    if self.prefs.recent.is_empty() {
                        ui.weak("No recent files");
                    }
                    for p in &self.prefs.recent {
                        if ui.button(p.display().to_string()).on_hover_text("Open this file").clicked() {
                            a.push(Action::OpenPath(p.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                item(ui, a, "Save", true, "Save to the current file", Action::Save);
                item(ui, a, "Save as…", true, "Save to a new file", Action::SaveAs);
                let can_revert = self.files.path.is_some() && self.doc.dirty;
                item(ui, a, "Revert", can_revert, "Reload the file, dropping unsaved changes", Action::Revert);
                ui.separator();
                let report = ui
                    .add_enabled(self.preview.outcome.is_some(), egui::Button::new("Export report…"))
                    .on_hover_text("Write the last run, its journey and its assumptions as one HTML file to share")
                    .on_disabled_hover_text("Run a simulation first (F5): the report shows the last run");
                if report.clicked() {
                    a.push(Action::ExportReport);
                    ui.close();
                }
                ui.separator();
                item(ui, a, "Quit", true, "Close Journey Studio", Action::Quit);
            });
            ui.menu_button("Edit", |ui| {
                item(ui, a, "Undo", self.doc.history.can_undo(), "Undo the last change", Action::Undo);
                item(ui, a, "Redo", self.doc.history.can_redo(), "Redo the change undone", Action::Redo);
                ui.separator();
                let any = !self.view.selection.is_empty();
                item(ui, a, "Cut", any, "Copy the selection and delete it", Action::Cut);
                item(ui, a, "Copy", any, "Copy the selection", Action::Copy);
                item(ui, a, "Paste", self.clipboard.is_some(), "Paste copied items with new ids", Action::Paste(None));
                item(ui, a, "Duplicate", any, "Copy and paste in one step", Action::Duplicate);
                let deletable = any || self.view.selected_link.is_some();
                item(ui, a, "Delete", deletable, "Delete the selection or the selected link", Action::Delete);
                item(ui, a, "Select all", true, "Select every card", Action::SelectAll);
                ui.separator();
                item(ui, a, "Add node menu", true, "Search for a node kind to add", Action::OpenAddMenu);
                item(ui, a, "Add comment", true, "Add a note in the middle of the view", Action::AddComment);
                item(
                    ui,
                    a,
                    "Auto-align",
                    true,
                    "Lay out the selection, or everything, left to right",
                    Action::AutoAlign,
                );
            });
            ui.menu_button("Journey", |ui| {
                item(ui, a, "Publish…", true, "Validate, then freeze the draft as a version", Action::Publish);
                let versions = if self.versions.open { "Hide versions" } else { "Versions" };
                item(ui, a, versions, true, "Status, versions, restore, clone and compare", Action::ToggleVersions);
                ui.menu_button("Status", |ui| {
                    for s in crate::model::Status::ALL {
                        let current = self.doc.journey.status == s;
                        if ui.radio(current, s.label()).on_hover_text("Set the lifecycle status").clicked() {
                            self.commands.push(Command::SetStatus(s));
                            ui.close();
                        }
                    }
                });
            });
            ui.menu_button("View", |ui| {
                item(ui, a, "Zoom in", true, "Zoom in around the centre", Action::ZoomIn);
                item(ui, a, "Zoom out", true, "Zoom out around the centre", Action::ZoomOut);
                item(ui, a, "Zoom to fit", true, "Show the whole journey", Action::Fit);
                item(ui, a, "Reset zoom", true, "Back to 100 %", Action::ResetZoom);
                ui.separator();
                let mut snap = self.view.snap;
                if ui
                    .checkbox(&mut snap, "Snap to grid")
                    .on_hover_text("Moved and added cards land on the grid")
                    .changed()
                {
                    self.view.snap = snap;
                    self.prefs.snap_off = !snap;
                }
                let other = match self.prefs.theme {
                    theme::ThemeChoice::Dark => "Light theme",
                    theme::ThemeChoice::Light => "Dark theme",
                };
                item(ui, a, other, true, "Switch between the dark and the light theme", Action::ToggleTheme);
            });
            ui.menu_button("Simulate", |ui| {
                let running = self.preview.is_running();
                item(ui, a, "Run simulation", !running, "Simulate the journey's scenario", Action::RunSimulation);
                item(ui, a, "Cancel simulation", running, "Stop the run in progress", Action::CancelSimulation);
                let has = self.preview.outcome.is_some();
                item(ui, a, "Keep as baseline", has, "Compare later runs with this one", Action::KeepBaseline);
                ui.separator();
                let plan = super::explore::Request::Plan(crate::sim::planner::TestKind::Control);
                item(
                    ui,
                    a,
                    "Plan test…",
                    true,
                    "Entries, days and power of a control-group or split test",
                    Action::Explore(plan),
                );
                let sweep = super::explore::Request::Sweep(self.explore.path.clone());
                item(ui, a, "Sweep…", true, "Run the journey over a range of one setting", Action::Explore(sweep));
                let tornado = super::explore::Request::Tornado;
                item(
                    ui,
                    a,
                    "Tornado…",
                    true,
                    "Rank the scenario's assumptions by their effect",
                    Action::Explore(tornado),
                );
                ui.separator();
                item(
                    ui,
                    a,
                    "Calibrate from results…",
                    true,
                    "Set the scenario's values from a CSV of past campaign and event results",
                    Action::Calibrate,
                );
            });
            ui.menu_button("Help", |ui| {
                item(ui, a, "Keyboard shortcuts", true, "Every shortcut on one sheet", Action::ShowShortcuts);
                if ui.button("About Journey Studio").on_hover_text("Version and licence").clicked() {
                    self.show_about = true;
                    ui.close();
                }
            });
        });
    }

    fn windows_ui(&mut self, ctx: &egui::Context) {
        // Escape closes the shortcut sheet and the about box, like any dialog.
        if (self.show_shortcuts || self.show_about) && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.show_shortcuts = false;
            self.show_about = false;
        }
        let mut open = self.show_shortcuts;
        egui::Window::new("Keyboard shortcuts").open(&mut open).resizable(false).collapsible(false).show(ctx, |ui| {
            egui::Grid::new("shortcut_sheet").striped(true).show(ui, |ui| {
                for (what, keys) in SHORTCUTS {
                    ui.label(*what);
                    ui.monospace(*keys);
                    ui.end_row();
                }
            });
        });
        self.show_shortcuts = open;
        let mut open = self.show_about;
        egui::Window::new("About Journey Studio").open(&mut open).collapsible(false).show(ctx, |ui| {
            ui.label(format!("Journey Studio {}", env!("CARGO_PKG_VERSION")));
            ui.label("Design customer journeys offline and preview how they would perform");
        });
        self.show_about = open;
        super::gallery::gallery_ui(ctx, &mut self.gallery, &self.theme, &mut self.actions);
        let inputs = self.preview.inputs.unwrap_or_else(|| super::preview::RunInputs::from_journey(&self.doc.journey));
        super::explore::explore_ui(ctx, &mut self.explore, &self.doc.journey, inputs);
        let native = self.files.native_dialogs();
        super::calibration::calibration_ui(ctx, &mut self.calibration, &self.doc.journey, native, &mut self.commands);
        self.file_windows_ui(ctx);
    }

    /// Turns the queued actions into commands, file operations and view changes.
    /// Selects a node and centres the view on it.
    fn focus_node(&mut self, id: crate::model::NodeId) {
        let shown = self.versions.viewing.as_ref().map_or(&self.doc.journey, |v| &v.doc.journey);
        if let Some(c) = canvas::node_centre(shown, id) {
            self.view.selection = [Item::Node(id)].into();
            self.view.centre_on(c);
        }
    }

    fn process_actions(&mut self, ctx: &egui::Context) {
        let actions = std::mem::take(&mut self.actions);
        let centre = self.view.centre();
        for action in actions {
            match action {
                Action::ShowTemplates => self.gallery.open = true,
                Action::New
                | Action::NewFromTemplate(_)
                | Action::Open
                | Action::OpenPath(_)
                | Action::Save
                | Action::SaveAs
                | Action::Revert
                | Action::ExportReport
                | Action::Quit => self.file_action(ctx, action),
                Action::Undo => {
                    if self.doc.undo() {
                        self.view.prune(&self.doc.journey);
                    }
                }
                Action::Redo => {
                    if self.doc.redo() {
                        self.view.prune(&self.doc.journey);
                    }
                }
                Action::Copy | Action::Cut => {
                    let fragment = Fragment::copy(&self.doc.journey, &self.view.selection);
                    if fragment.is_empty() {
                        continue;
                    }
                    ctx.copy_text(fragment.to_text());
                    self.clipboard = Some(fragment);
                    if action == Action::Cut {
                        self.commands.push(self.delete_command());
                    }
                }
                Action::Paste(text) => {
                    let fragment = text.as_deref().and_then(Fragment::from_text).or_else(|| self.clipboard.clone());
                    if let Some(fragment) = fragment {
                        let at = self.paste_position(&fragment);
                        self.commands.push(Command::Paste { fragment, at });
                    }
                }
                Action::Duplicate => {
                    let fragment = Fragment::copy(&self.doc.journey, &self.view.selection);
                    if !fragment.is_empty() {
                        let o = fragment.origin();
                        let at = crate::model::CanvasPos::new(o.x + PASTE_OFFSET, o.y + PASTE_OFFSET);
                        self.commands.push(Command::Paste { fragment, at });
                    }
                }
                Action::Delete => {
                    if !self.view.selection.is_empty() || self.view.selected_link.is_some() {
                        self.commands.push(self.delete_command());
                    }
                }
                Action::SelectAll => {
                    let j = &self.doc.journey;
                    self.view.selection = j
                        .graph
                        .nodes
                        .keys()
                        .map(|id| Item::Node(*id))
                        .chain((0..j.goals.len()).map(Item::Goal))
                        .chain(j.comments.iter().map(|c| Item::Comment(c.id)))
                        .collect();
                }
                Action::Nudge(delta) => {
                    if let Some(c) = canvas::nudge_command(&self.view, &self.doc.journey, delta) {
                        self.commands.push(c);
                    }
                }
                Action::AddComment => {
                    let pos = self.view.drop_pos(centre);
                    self.commands
                        .push(Command::AddComment { pos: canvas::geometry::to_canvas(pos), text: "Note".into() });
                }
                Action::AutoAlign => {
                    let nodes: std::collections::BTreeSet<_> =
                        self.view.selection.iter().filter_map(Item::node).collect();
                    self.commands.push(Command::AutoAlign((nodes.len() > 1).then_some(nodes)));
                }
                Action::OpenAddMenu => {
                    let p = self
                        .view
                        .last_pointer
                        .filter(|p| self.view.screen_rect.contains(*p))
                        .map_or(centre, |p| self.view.canvas_from_screen(p));
                    canvas::open_add_menu(&mut self.view, p, None);
                }
                Action::AddAtCentre(item) => {
                    // Next to the one selected node (a layer to its right), else the view's centre.
                    let beside = self.view.selection.iter().filter_map(Item::node).collect::<Vec<_>>();
                    let pos = match beside.as_slice() {
                        [one] if matches!(item, PaletteItem::Kind(_)) => self.doc.journey.graph.node(*one).map_or_else(
                            || self.view.drop_pos(centre),
                            |n| {
                                use crate::geometry::{CARD_WIDTH, LAYER_GAP_X, card_width};
                                egui::pos2(n.pos.x + card_width(n) + LAYER_GAP_X - CARD_WIDTH, n.pos.y)
                            },
                        ),
                        _ => self.view.drop_pos(centre),
                    };
                    self.commands.push(canvas::add_command(item, pos, None));
                }
                Action::ZoomIn => {
                    self.view.zoom_by(1.25);
                    ctx.request_repaint();
                }
                Action::ZoomOut => {
                    self.view.zoom_by(0.8);
                    ctx.request_repaint();
                }
                Action::ResetZoom => {
                    self.view.reset_zoom();
                    ctx.request_repaint();
                }
                Action::Fit => {
                    if let Some(b) = canvas::bounds(&self.doc.journey) {
                        self.view.fit(b);
                    }
                }
                Action::FocusNode(id) => self.focus_node(id),
                Action::Show(location) => {
                    let section = match location {
                        Location::Nodes(ids) => {
                            if let Some(id) = ids.first() {
                                self.focus_node(*id);
                            }
                            None
                        }
                        Location::Setup => Some(Section::Setup),
                        Location::Entry => Some(Section::Entry),
                        Location::Goal(_) => Some(Section::Goals),
                        Location::Scenario => Some(Section::Scenario),
                    };
                    if section.is_some() {
                        self.view.selection.clear();
                        self.view.selected_link = None;
                        self.reveal = section;
                    }
                }
                Action::ToggleTheme => {
                    self.prefs.theme = match self.prefs.theme {
                        theme::ThemeChoice::Dark => theme::ThemeChoice::Light,
                        theme::ThemeChoice::Light => theme::ThemeChoice::Dark,
                    };
                    self.theme = Theme::new(self.prefs.theme);
                    ctx.set_visuals(self.prefs.theme.visuals());
                }
                Action::ShowShortcuts => self.show_shortcuts = true,
                Action::RunSimulation => self.preview.run_requested = true,
                Action::CancelSimulation => self.preview.cancel(),
                Action::KeepBaseline => self.preview.keep_baseline(),
                Action::Publish => self.open_publish(),
                Action::ToggleVersions => self.versions.open = !self.versions.open,
                Action::Explore(r) => self.explore.open_for(r, &self.doc.journey),
                Action::Calibrate => {
                    let dir = self.files.path.as_deref().and_then(std::path::Path::parent).map(ToOwned::to_owned);
                    self.calibration.start(ctx, self.files.native_dialogs(), dir);
                }
            }
        }
    }

    fn delete_command(&self) -> Command {
        Command::Delete { items: self.view.selection.iter().copied().collect(), link: self.view.selected_link }
    }

    /// At the pointer when it is over the canvas, otherwise next to the copied items.
    fn paste_position(&self, fragment: &Fragment) -> crate::model::CanvasPos {
        match self.view.last_pointer.filter(|p| self.view.screen_rect.contains(*p)) {
            Some(p) => canvas::geometry::to_canvas(self.view.drop_pos(self.view.canvas_from_screen(p))),
            None => {
                let o = fragment.origin();
                crate::model::CanvasPos::new(o.x + PASTE_OFFSET, o.y + PASTE_OFFSET)
            }
        }
    }

    /// The one place where the model changes.
    fn apply_commands(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let mut commands = std::mem::take(&mut self.commands);
        if self.versions.viewing.is_some() {
            let before = commands.len();
            commands.retain(super::versions::allowed_while_viewing);
            if commands.len() < before {
                self.set_status(ctx, "This is read-only: Restore as draft to edit it, or go Back to draft".to_owned());
            }
        }
        for command in commands {
            match self.doc.apply(command, now) {
                Ok(applied) => {
                    if let Some(select) = applied.select {
                        self.view.selection = select.into_iter().collect();
                        self.view.selected_link = None;
                    }
                }
                Err(message) => self.set_status(ctx, message),
            }
        }
        let shown = self.versions.viewing.as_ref().map_or(&self.doc.journey, |v| &v.doc.journey);
        self.view.prune(shown);
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = self.title();
        if title != self.title_sent {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title_sent = title;
        }
    }

    /// Draws one frame and handles what it asked for.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let now = ctx.input(|i| i.time);
        if let Some(p) = ctx.input(|i| i.pointer.latest_pos()) {
            self.view.last_pointer = Some(p);
        }
        self.poll_dialog(&ctx);
        self.handle_close_request(&ctx);
        self.shortcuts(&ctx);

        Panel::top("menu_bar").show(ui, |ui| self.menu_bar_ui(ui));
        let message = self.status.as_ref().filter(|(_, t)| now - t < STATUS_SECS).map(|(m, _)| m.clone());
        let file = self.files.path.as_deref().map_or_else(|| "Not saved yet".to_owned(), |p| p.display().to_string());
        Panel::bottom("status_bar").show(ui, |ui| {
            status::status_bar_ui(ui, &self.doc, &self.view, &file, message.as_deref());
        });
        // Without problems the panel is one line, so the canvas gets the room.
        if self.doc.diagnostics.is_empty() {
            Panel::bottom("problems_none").resizable(false).show(ui, |ui| {
                problems::problems_ui(ui, &self.doc, &self.theme, &mut self.actions);
            });
        } else {
            Panel::bottom("problems").resizable(true).default_size(90.0).min_size(60.0).show(ui, |ui| {
                problems::problems_ui(ui, &self.doc, &self.theme, &mut self.actions);
            });
        }
        super::preview::panels_ui(self, ui);
        super::versions::versions_ui(self, ui);
        Panel::left("palette").resizable(true).default_size(theme::SIDE_PANEL_WIDTH).show(ui, |ui| {
            palette::palette_ui(ui, &mut self.view, &self.theme, &mut self.commands, &mut self.actions);
        });
        // A width the user drags, never wider than 40% of the window: forms wrap or scroll
        // inside it instead of widening it.
        let inspector_max = theme::inspector_max_width(ctx.content_rect().width());
        self.inspector_rect = Panel::right("inspector")
            .resizable(true)
            .default_size(theme::INSPECTOR_WIDTH)
            .size_range(theme::INSPECTOR_MIN_WIDTH..=inspector_max)
            .show(ui, |ui| {
                ui.add_space(4.0);
                let (doc, editable) = match &self.versions.viewing {
                    Some(v) => (&v.doc, false),
                    None => (&self.doc, true),
                };
                ui.add_enabled_ui(editable, |ui| {
                    inspector::inspector_ui(ui, doc, &self.view.selection, &mut self.reveal, &mut self.commands);
                });
            })
            .response
            .rect;
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let doc = self.versions.viewing.as_ref().map_or(&self.doc, |v| &v.doc);
            canvas::canvas_ui(ui, &mut self.view, doc, &self.theme, &mut self.commands, &mut self.actions);
            if self.versions.viewing.is_none() {
                super::preview::animation::canvas_overlay(ui.ctx(), &self.view, &self.preview, &self.doc.journey);
            }
            if let Some(cmp) = &self.versions.compare {
                super::versions::diff_overlay(ui.ctx(), &self.view, cmp, &self.theme);
            }
        });
        let shown = self.versions.viewing.as_ref().map_or(&self.doc.journey, |v| &v.doc.journey);
        canvas::finish_move(ui, &mut self.view, shown, &mut self.commands);
        self.windows_ui(&ctx);

        self.process_actions(&ctx);
        self.apply_commands(&ctx);
        // Right after the edits, like the unsaved marker and autosave.
        self.preview.live_step(&self.doc.journey, &ctx);
        self.autosave_tick(&ctx, now);
        self.update_title(&ctx);
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }

    fn on_exit(&mut self) {
        if self.files.allow_close || !self.doc.dirty {
            self.files.clear_autosave();
        }
    }
}
