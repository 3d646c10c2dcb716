//! The editor's state: the document (model, history, validation), the canvas view, the
//! files, preferences, and the queues of commands and actions the frame fills.
//!
//! Invariants: view state (selection, pan, zoom, open menus) never enters the model;
//! the queues are drained once per frame, after everything is drawn.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{Pos2, Rect, Vec2};
use serde::{Deserialize, Serialize};

use crate::model::{CommentId, Journey, KindTag, NodeId, Port};

use super::canvas::{CanvasView, geometry};
use super::command::{Document, Fragment};
use super::files::Files;
use super::theme::{Theme, ThemeChoice};

/// Something on the canvas that can be selected and moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// A graph node.
    Node(NodeId),
    /// A goal card (index into the journey's goals).
    Goal(usize),
    /// A comment.
    Comment(CommentId),
}

impl Item {
    /// The node id, for a node.
    #[must_use]
    pub fn node(&self) -> Option<NodeId> {
        match self {
            Self::Node(id) => Some(*id),
            _ => None,
        }
    }

    /// Whether the item exists in `journey`.
    #[must_use]
    pub fn exists_in(&self, journey: &Journey) -> bool {
        match self {
            Self::Node(id) => journey.graph.nodes.contains_key(id),
            Self::Goal(i) => *i < journey.goals.len(),
            Self::Comment(id) => journey.comments.iter().any(|c| c.id == *id),
        }
    }
}

/// What the palette and the add-node menu can add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaletteItem {
    /// A node kind.
    Kind(KindTag),
    /// A goal card.
    Goal,
    /// A comment.
    Comment,
}

impl PaletteItem {
    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Kind(k) => k.label(),
            Self::Goal => "Goal",
            Self::Comment => "Comment",
        }
    }
}

/// Requests that are not model changes (files, clipboard, view), queued by menus,
/// shortcuts and the canvas and handled after the frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// File › New.
    New,
    /// File › New from template…: show the template window.
    ShowTemplates,
    /// A new, unsaved journey from this template (its `templates` name).
    NewFromTemplate(&'static str),
    /// File › Open….
    Open,
    /// Open this file (Open Recent, or the in-app path field).
    OpenPath(PathBuf),
    /// File › Save.
    Save,
    /// File › Save as….
    SaveAs,
    /// File › Revert.
    Revert,
    /// File › Quit or the window's close button.
    Quit,
    /// Edit › Undo.
    Undo,
    /// Edit › Redo.
    Redo,
    /// Edit › Cut.
    Cut,
    /// Edit › Copy.
    Copy,
    /// Edit › Paste (the app's clipboard, or this text from the system clipboard).
    Paste(Option<String>),
    /// Edit › Duplicate.
    Duplicate,
    /// Edit › Delete.
    Delete,
    /// Edit › Select all.
    SelectAll,
    /// Move the selection by this many canvas units.
    Nudge(Vec2),
    /// Edit › Add comment.
    AddComment,
    /// Edit › Auto-align.
    AutoAlign,
    /// Open the add-node menu at the pointer.
    OpenAddMenu,
    /// Add this at the centre of the view (palette double-click).
    AddAtCentre(PaletteItem),
    /// View › Zoom in.
    ZoomIn,
    /// View › Zoom out.
    ZoomOut,
    /// View › Zoom to fit.
    Fit,
    /// View › Reset zoom.
    ResetZoom,
    /// Select a node and centre the view on it (problems panel).
    FocusNode(NodeId),
    /// Show what a diagnostic is about: its node on the canvas, or with nothing selected
    /// the inspector section (setup, entry, goals, scenario) that holds its field.
    Show(crate::validate::Location),
    /// View › Dark / light theme.
    ToggleTheme,
    /// Help › Keyboard shortcuts.
    ShowShortcuts,
    /// Simulate › Run simulation (F5).
    RunSimulation,
    /// Simulate › Cancel simulation.
    CancelSimulation,
    /// Simulate › Keep as baseline.
    KeepBaseline,
    /// Journey › Publish….
    Publish,
    /// Journey › Versions: show or hide the versions panel.
    ToggleVersions,
    /// File › Export report…: the last run as a self-contained HTML file.
    ExportReport,
    /// Simulate › Plan test… / Sweep… / Tornado…: open the plan and explore window.
    Explore(super::explore::Request),
    /// Simulate › Calibrate from results…: pick a CSV and show what it derives.
    Calibrate,
}

/// What is remembered between runs (eframe persistence).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Dark or light.
    pub theme: ThemeChoice,
    /// Recently opened or saved files, newest first.
    pub recent: Vec<PathBuf>,
    /// Snap moved cards to the grid.
    pub snap_off: bool,
}

/// Most recent files remembered.
pub const RECENT_LIMIT: usize = 10;

impl Prefs {
    /// Puts `path` first in the recent list.
    pub fn remember(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_LIMIT);
    }
}

/// A section of the journey's forms in the inspector (nothing selected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Setup.
    Setup,
    /// Entry segment.
    Entry,
    /// Goals.
    Goals,
    /// Scenario.
    Scenario,
}

/// The whole editor.
pub struct App {
    /// The model, its history and validation.
    pub(crate) doc: Document,
    /// Pan, zoom, selection, gestures.
    pub(crate) view: CanvasView,
    /// Current file, dialogs, prompts, autosave.
    pub(crate) files: Files,
    /// Remembered preferences.
    pub(crate) prefs: Prefs,
    /// Colours for the current theme.
    pub(crate) theme: Theme,
    /// Model changes queued this frame.
    pub(crate) commands: Vec<super::command::Command>,
    /// Other requests queued this frame.
    pub(crate) actions: Vec<Action>,
    /// The app's own clipboard (also mirrored as text on the system clipboard).
    pub(crate) clipboard: Option<Fragment>,
    /// The last status message and when it was set (seconds).
    pub(crate) status: Option<(String, f64)>,
    /// The keyboard-shortcut sheet is open.
    pub(crate) show_shortcuts: bool,
    /// The About window is open.
    pub(crate) show_about: bool,
    /// File › New from template…'s window.
    pub(crate) gallery: super::gallery::Gallery,
    /// The inspector's rectangle on screen (last frame).
    pub(crate) inspector_rect: egui::Rect,
    /// The window title last sent.
    pub(crate) title_sent: String,
    /// The simulation preview: runs, results, animation, baseline.
    pub(crate) preview: super::preview::Preview,
    /// An inspector section to open and scroll to on the next frame.
    pub(crate) reveal: Option<Section>,
    /// Publish dialog, versions panel, read-only view and comparison.
    pub(crate) versions: super::versions::VersionsUi,
    /// The plan and explore window: planner, sweep, tornado.
    pub(crate) explore: super::explore::ExploreUi,
    /// The "Calibrate from results" window.
    pub(crate) calibration: super::calibration::CalibrationUi,
}

/// Test hooks: read-only views of the state, and where things are on screen so tests
/// can aim pointer events.
impl App {
    /// The journey being edited.
    #[must_use]
    pub fn journey(&self) -> &Journey {
        &self.doc.journey
    }

    /// Whether there are unsaved changes.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.doc.dirty
    }

    /// The window title (file name, unsaved marker and lifecycle status).
    #[must_use]
    pub fn title(&self) -> String {
        self.files.title(self.doc.dirty, Some(self.doc.journey.status))
    }

    /// The current file.
    #[must_use]
    pub fn path(&self) -> Option<&std::path::Path> {
        self.files.path.as_deref()
    }

    /// The selected nodes.
    #[must_use]
    pub fn selected_nodes(&self) -> Vec<NodeId> {
        self.view.selection.iter().filter_map(Item::node).collect()
    }

    /// The error shown for a file that failed to open or save, if any.
    #[must_use]
    pub fn file_error(&self) -> Option<&str> {
        self.files.error.as_deref()
    }

    /// This instance's autosave of the current document, once written.
    #[must_use]
    pub fn autosave_file(&self) -> Option<&std::path::Path> {
        self.files.own_autosave()
    }

    /// Whether the start-up recovery offer is showing.
    #[must_use]
    pub fn recovery_offered(&self) -> bool {
        !self.files.recovery.is_empty()
    }

    /// A refused connection's message, while it shows.
    #[must_use]
    pub fn refusal(&self) -> Option<&str> {
        self.view.refusal.as_ref().map(|r| r.message.as_str())
    }

    /// The last status-bar message.
    #[must_use]
    pub fn status_message(&self) -> Option<&str> {
        self.status.as_ref().map(|(s, _)| s.as_str())
    }

    /// The canvas area on screen (last frame).
    #[must_use]
    pub fn canvas_screen_rect(&self) -> Rect {
        self.view.screen_rect
    }

    /// A canvas point on screen (last frame's pan and zoom).
    #[must_use]
    pub fn screen_from_canvas(&self, p: Pos2) -> Pos2 {
        self.view.screen_from_canvas * p
    }

    /// A node's card on screen.
    #[must_use]
    pub fn node_screen_rect(&self, id: NodeId) -> Option<Rect> {
        let node = self.doc.journey.graph.node(id)?;
        Some(self.view.screen_from_canvas * geometry::node_rect(node, Vec2::ZERO))
    }

    /// An output port's centre on screen.
    #[must_use]
    pub fn output_port_screen_pos(&self, id: NodeId, port: Port) -> Option<Pos2> {
        let node = self.doc.journey.graph.node(id)?;
        let index = node.kind.output_ports().iter().position(|p| *p == port)?;
        let card = geometry::node_rect(node, Vec2::ZERO);
        Some(self.view.screen_from_canvas * geometry::output_port_pos(node, card, index))
    }

    /// Whether an undo step is available.
    #[must_use]
    pub fn can_undo(&self) -> bool {
        self.doc.history.can_undo()
    }

    /// The inspector panel's rectangle on screen (last frame).
    #[must_use]
    pub fn inspector_rect(&self) -> Rect {
        self.inspector_rect
    }

    /// Whether the keyboard-shortcut sheet is open.
    #[must_use]
    pub fn shortcuts_open(&self) -> bool {
        self.show_shortcuts
    }

    /// Selected items (any kind).
    #[must_use]
    pub fn selection(&self) -> &BTreeSet<Item> {
        &self.view.selection
    }

    /// The "Calibrate from results" window.
    #[must_use]
    pub fn calibration(&self) -> &super::calibration::CalibrationUi {
        &self.calibration
    }
}
