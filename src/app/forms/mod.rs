//! Inspector forms: one egui form per part of the model (a node's settings, setup,
//! entry segment, goals, scenario), covering every field of SPEC §1 and §2.
//!
//! Invariants:
//! - A form edits the value it is given in place and reports [`FormResponse::changed`];
//!   the editor calls it on a clone and turns a change into one command.
//! - A typed value changes only when its text is valid. Unparseable text stays in a
//!   per-widget buffer (egui memory keyed by the widget id) with a red reason next to
//!   the field until it is fixed; nothing is silently clamped or lost.
//! - Every input has an accessible name (a visible label tied with `labelled_by`, or
//!   the widget's own text), so screen readers and kittest can reach it.

mod entry;
mod filter;
mod goals;
mod message;
mod node;
mod scenario;
mod setup;
mod widgets;

use std::ops::BitOrAssign;

use crate::model::Journey;
use crate::validate::Diagnostic;

pub use entry::entry_form_ui;
pub use goals::{goal_form_ui, goals_form_ui};
pub use message::PREVIEW_SAMPLES;
pub use node::node_form_ui;
pub use scenario::scenario_form_ui;
pub use setup::setup_form_ui;

/// What a form reads besides the value it edits.
#[derive(Clone, Copy)]
pub struct FormContext<'a> {
    /// The whole journey (for pickers that list events, paths, the entry node id…).
    pub journey: &'a Journey,
    /// Current validation diagnostics; a form shows those about its part.
    pub diagnostics: &'a [Diagnostic],
}

/// What a form did this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct FormResponse {
    /// The edited value changed.
    pub changed: bool,
}

impl FormResponse {
    /// A response with `changed` set as given.
    pub fn new(changed: bool) -> Self {
        Self { changed }
    }
}

impl BitOrAssign for FormResponse {
    fn bitor_assign(&mut self, rhs: Self) {
        self.changed |= rhs.changed;
    }
}

impl BitOrAssign<bool> for FormResponse {
    fn bitor_assign(&mut self, rhs: bool) {
        self.changed |= rhs;
    }
}
