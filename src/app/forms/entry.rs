//! The entry segment form (§1.2): rule kind and its fields, user-property filters,
//! "do not send to unsubscribed users".

use egui::Ui;

use super::widgets::diagnostics_ui;
use super::{FormContext, FormResponse};
use crate::model::EntrySegment;
use crate::validate::Location;

/// Edits the entry segment in place.
pub fn entry_form_ui(ui: &mut Ui, entry: &mut EntrySegment, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    let entry_id = cx.journey.graph.entry().map(|n| n.id);
    diagnostics_ui(
        ui,
        cx.diagnostics.iter().filter(|d| match &d.location {
            Location::Entry => true,
            Location::Nodes(ids) => entry_id.is_some_and(|id| ids.contains(&id)),
            _ => false,
        }),
    );
    out |= ui.checkbox(&mut entry.skip_unsubscribed, "Do not send to unsubscribed users").changed();
    out
}
