//! Every colour, size and spacing the editor draws with, for the dark and the light theme.
//!
//! Invariant: no other module of `app` writes a colour or a spacing literal; they ask
//! [`Theme`] so that both themes stay consistent and one edit restyles the whole editor.

use egui::{Color32, CornerRadius, Stroke, Vec2};

use crate::model::{Channel, KindTag, PaletteGroup};
use crate::validate::Severity;

/// Dark or light.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Dark background (the default).
    #[default]
    Dark,
    /// Light background.
    Light,
}

impl ThemeChoice {
    /// The egui visuals for this choice.
    #[must_use]
    pub fn visuals(self) -> egui::Visuals {
        match self {
            Self::Dark => egui::Visuals::dark(),
            Self::Light => egui::Visuals::light(),
        }
    }
}

pub use crate::geometry::{
    CARD_HEADER_HEIGHT, CARD_PAD, CARD_WIDTH, COMMENT_MIN_HEIGHT, COMMENT_WIDTH, GRID, LAYER_GAP_X, PORT_RADIUS,
    PORT_ROW_HEIGHT, ROW_GAP_Y,
};

/// Radius the pointer may be from a port to grab it.
pub const PORT_GRAB_RADIUS: f32 = 9.0;
/// Goal card size.
pub const GOAL_SIZE: Vec2 = Vec2::new(crate::geometry::GOAL_WIDTH, crate::geometry::GOAL_HEIGHT);
/// Card corner radius.
pub const CARD_ROUNDING: CornerRadius = CornerRadius::same(6);
/// Pixels an arrow key moves the selection (one grid step).
pub const NUDGE: f32 = GRID;
/// Zoom limits of the canvas.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.1..=2.0;
/// The least zoom a journey opens at (compact cards keep their titles readable); a wider journey
/// opens at its entry (left) end and F fits all of it.
pub const MIN_OPEN_ZOOM: f32 = 0.4;
/// Below this zoom, cards are drawn compact (semantic zoom): the icon and the title in a
/// font that keeps its size on screen, without summary and port names.
pub const COMPACT_ZOOM: f32 = 0.7;
/// The compact card's title size on screen, in points.
pub const COMPACT_TITLE_POINTS: f32 = 11.0;
/// Width of the side panels.
pub const SIDE_PANEL_WIDTH: f32 = 170.0;
/// Width of the inspector.
pub const INSPECTOR_WIDTH: f32 = 300.0;
/// The least width the inspector can be dragged to.
pub const INSPECTOR_MIN_WIDTH: f32 = 260.0;
/// The inspector's widest share of the window.
pub const INSPECTOR_MAX_SHARE: f32 = 0.4;

/// The widest the inspector may be in a window `window_width` wide: 40% of it, and never
/// below the least width.
#[must_use]
pub fn inspector_max_width(window_width: f32) -> f32 {
    (window_width * INSPECTOR_MAX_SHARE).max(INSPECTOR_MIN_WIDTH)
}

/// The palette of one theme.
#[derive(Clone, Debug)]
pub struct Theme {
    /// Which theme.
    pub choice: ThemeChoice,
    /// Canvas background.
    pub canvas_bg: Color32,
    /// Grid dots.
    pub grid: Color32,
    /// Card fill.
    pub card_fill: Color32,
    /// Card text.
    pub card_text: Color32,
    /// Secondary card text (summary, port names).
    pub card_weak_text: Color32,
    /// Card outline.
    pub card_stroke: Stroke,
    /// Selection outline and box.
    pub selection: Color32,
    /// Links.
    pub link: Color32,
    /// Hovered or selected link.
    pub link_hot: Color32,
    /// Error badge.
    pub error: Color32,
    /// Warning badge.
    pub warning: Color32,
    /// Comment fill.
    pub comment_fill: Color32,
    /// Comment text.
    pub comment_text: Color32,
    /// Goals area background.
    pub goals_area: Color32,
    /// A refused connection's message background.
    pub refusal_bg: Color32,
    /// Compare: a node or link the newer side added.
    pub diff_added: Color32,
    /// Compare: a node or link only the older side has.
    pub diff_removed: Color32,
    /// Compare: a node whose settings or links changed.
    pub diff_changed: Color32,
}

impl Theme {
    /// The palette for a choice.
    #[must_use]
    pub fn new(choice: ThemeChoice) -> Self {
        match choice {
            ThemeChoice::Dark => Self {
                choice,
                canvas_bg: Color32::from_rgb(24, 26, 31),
                grid: Color32::from_rgb(44, 47, 55),
                card_fill: Color32::from_rgb(38, 41, 49),
                card_text: Color32::from_rgb(230, 232, 236),
                card_weak_text: Color32::from_rgb(160, 165, 175),
                card_stroke: Stroke::new(1.0, Color32::from_rgb(70, 74, 84)),
                selection: Color32::from_rgb(255, 200, 60),
                link: Color32::from_rgb(130, 138, 156),
                link_hot: Color32::from_rgb(255, 200, 60),
                error: Color32::from_rgb(235, 80, 80),
                warning: Color32::from_rgb(235, 170, 50),
                comment_fill: Color32::from_rgb(70, 66, 40),
                comment_text: Color32::from_rgb(240, 232, 190),
                goals_area: Color32::from_rgba_unmultiplied(60, 160, 90, 28),
                refusal_bg: Color32::from_rgb(90, 30, 30),
                diff_added: Color32::from_rgb(80, 200, 120),
                diff_removed: Color32::from_rgb(240, 90, 90),
                diff_changed: Color32::from_rgb(90, 170, 255),
            },
            ThemeChoice::Light => Self {
                choice,
                canvas_bg: Color32::from_rgb(246, 247, 249),
                grid: Color32::from_rgb(214, 217, 224),
                card_fill: Color32::WHITE,
                card_text: Color32::from_rgb(30, 32, 38),
                card_weak_text: Color32::from_rgb(95, 100, 110),
                card_stroke: Stroke::new(1.0, Color32::from_rgb(190, 194, 202)),
                selection: Color32::from_rgb(230, 140, 0),
                link: Color32::from_rgb(120, 126, 140),
                link_hot: Color32::from_rgb(230, 140, 0),
                error: Color32::from_rgb(200, 40, 40),
                warning: Color32::from_rgb(200, 130, 0),
                comment_fill: Color32::from_rgb(255, 246, 196),
                comment_text: Color32::from_rgb(70, 60, 20),
                goals_area: Color32::from_rgba_unmultiplied(60, 160, 90, 36),
                refusal_bg: Color32::from_rgb(255, 225, 225),
                diff_added: Color32::from_rgb(20, 150, 70),
                diff_removed: Color32::from_rgb(210, 40, 40),
                diff_changed: Color32::from_rgb(20, 110, 220),
            },
        }
    }

    /// The accent colour of a node kind (the card's stripe and icon).
    #[must_use]
    pub fn kind_color(&self, tag: KindTag) -> Color32 {
        match tag {
            KindTag::Entry => Color32::from_rgb(76, 175, 80),
            KindTag::Wait => Color32::from_rgb(66, 133, 244),
            KindTag::Condition => Color32::from_rgb(0, 150, 170),
            KindTag::ConditionalSplit => Color32::from_rgb(126, 87, 194),
            KindTag::RandomSplit => Color32::from_rgb(171, 71, 188),
            KindTag::Channel(_) => Color32::from_rgb(239, 108, 0),
            KindTag::ProfileUpdate => Color32::from_rgb(96, 125, 139),
            KindTag::ForceExit => Color32::from_rgb(211, 47, 47),
            KindTag::Exit => Color32::from_rgb(120, 120, 120),
        }
    }

    /// The goal card accent.
    #[must_use]
    pub fn goal_color(&self) -> Color32 {
        Color32::from_rgb(46, 160, 90)
    }

    /// A severity's badge colour.
    #[must_use]
    pub fn severity_color(&self, severity: Severity) -> Color32 {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
        }
    }
}

/// A short glyph for a node kind (drawn in the card's icon square).
#[must_use]
pub fn kind_icon(tag: KindTag) -> &'static str {
    match tag {
        KindTag::Entry => "▶",
        KindTag::Wait => "⏱",
        KindTag::Condition => "❓",
        KindTag::ConditionalSplit => "⚖",
        KindTag::RandomSplit => "🔀",
        KindTag::Channel(c) => match c {
            Channel::Push => "🔔",
            Channel::Email => "✉",
            Channel::Sms => "💬",
            Channel::WhatsApp => "☎",
            Channel::WebPush => "🌐",
            Channel::InApp => "📱",
            Channel::AppInbox => "📥",
            Channel::Webhook => "⚡",
        },
        KindTag::ProfileUpdate => "✏",
        KindTag::ForceExit => "⛔",
        KindTag::Exit => "⏹",
    }
}

/// The goal card's glyph.
pub const GOAL_ICON: &str = "⭐";

/// A palette group's heading.
#[must_use]
pub fn group_label(group: PaletteGroup) -> &'static str {
    match group {
        PaletteGroup::Entry => "Entry",
        PaletteGroup::FlowControl => "Flow control",
        PaletteGroup::Engagement => "Engagement",
        PaletteGroup::Controllers => "Controllers",
    }
}
