//! The entry segment form (§1.2): rule kind and its fields, user-property filters,
//! "do not send to unsubscribed users".
//!
//! Invariant: switching the rule kind replaces the rule with that kind's defaults;
//! the entry type (live or scheduled) follows from the kind and is shown, not stored.
//! Diagnostics about a rule field or a user filter show under it; the rest (such as an
//! event-property filter on a scheduled entry, found on the graph) in the banner.

use egui::Ui;

use super::filter::{action_rule_ui, conditions_list_ui, date_rule_ui, inaction_rule_ui, past_rule_ui};
use super::widgets::{Diags, banner_ui, choice_row, grid, grid_diagnostics_ui, heading, text_row};
use super::{FormContext, FormResponse};
use crate::model::{
    ActionRule, DatePropertyRule, EntryRule, EntrySegment, EventFilter, InactionRule, PastBehaviourRule, Scope, Seconds,
};
use crate::validate::{Diagnostic, Field, Location};

/// Which entry rule, without its settings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    LiveAction,
    Inaction,
    DateProperty,
    PastBehaviour,
    CustomList,
}

/// Edits the entry segment in place.
pub fn entry_form_ui(ui: &mut Ui, entry: &mut EntrySegment, cx: &FormContext<'_>) -> FormResponse {
    let entry_id = cx.journey.graph.entry().map(|n| n.id);
    let diags: Vec<&Diagnostic> = cx
        .diagnostics
        .iter()
        .filter(|d| match &d.location {
            Location::Entry => true,
            Location::Nodes(ids) => entry_id.is_some_and(|id| ids.first() == Some(&id)),
            _ => false,
        })
        .collect();
    banner_ui(ui, &diags, at_field);
    entry_fields_ui(ui, entry, &diags)
}

/// The entry fields shown with their diagnostics: those of the current rule kind (the
/// only ones validation checks) and every user filter.
pub(super) fn at_field(field: &Field) -> bool {
    rule_field(field) || matches!(field, Field::ListName | Field::UserFilter(_))
}

/// The fields of an event rule, shared by the entry and Wait-for-event conditions.
pub(super) fn rule_field(field: &Field) -> bool {
    matches!(
        field,
        Field::Event
            | Field::DidEvent
            | Field::NotDidEvent
            | Field::Occurrence
            | Field::Within
            | Field::LastDays
            | Field::DateProperty
            | Field::WithinNext
    )
}

/// The entry segment's fields, each with its diagnostics from `d` (the caller shows the banner).
pub(super) fn entry_fields_ui(ui: &mut Ui, entry: &mut EntrySegment, d: &Diags<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    ui.push_id("entry_form", |ui| {
        let before = match entry.rule {
            EntryRule::LiveAction(_) => RuleKind::LiveAction,
            EntryRule::Inaction(_) => RuleKind::Inaction,
            EntryRule::DateProperty(_) => RuleKind::DateProperty,
            EntryRule::PastBehaviour(_) => RuleKind::PastBehaviour,
            EntryRule::CustomList { .. } => RuleKind::CustomList,
        };
        let mut kind = before;
        grid(ui, "entry_kind", |ui| {
            choice_row(
                ui,
                "Entry rule",
                "Who qualifies to enter, and when",
                &mut kind,
                &[
                    (RuleKind::LiveAction, "Live action"),
                    (RuleKind::Inaction, "Inaction"),
                    (RuleKind::DateProperty, "Date-time property"),
                    (RuleKind::PastBehaviour, "Past behaviour"),
                    (RuleKind::CustomList, "Custom list"),
                ],
            );
        });
        if kind != before {
            entry.rule = match kind {
                RuleKind::LiveAction => EntryRule::LiveAction(ActionRule {
                    event: EventFilter::named("App Launched"),
                    nth_occurrence: None,
                }),
                RuleKind::Inaction => {
                    EntryRule::Inaction(InactionRule { within: Seconds::DAY, ..InactionRule::default() })
                }
                RuleKind::DateProperty => {
                    EntryRule::DateProperty(DatePropertyRule { property: String::new(), within_next: Seconds::days(7) })
                }
                RuleKind::PastBehaviour => {
                    EntryRule::PastBehaviour(PastBehaviourRule { last_days: 7, ..PastBehaviourRule::default() })
                }
                RuleKind::CustomList => EntryRule::CustomList { name: String::new() },
            };
            out |= true;
        }
        ui.weak(if entry.rule.is_live() {
            "Live entry: users enter the moment they qualify, from the start until the end"
        } else {
            "Scheduled entry: users are evaluated at each run of the entry timeline (Setup)"
        });
        out |= match &mut entry.rule {
            EntryRule::LiveAction(r) => action_rule_ui(ui, r, d),
            EntryRule::Inaction(r) => inaction_rule_ui(ui, r, d),
            EntryRule::DateProperty(r) => date_rule_ui(ui, r, d),
            EntryRule::PastBehaviour(r) => past_rule_ui(ui, r, d),
            EntryRule::CustomList { name } => grid(ui, "custom_list", |ui| {
                let c = text_row(ui, "List name", "The name of the uploaded user list", name);
                grid_diagnostics_ui(ui, d, &Field::ListName);
                c
            }),
        };
        heading(ui, "User properties (all must hold)");
        let filters = &mut entry.user_filters;
        out |= conditions_list_ui(ui, "User filter", filters, Some(Scope::User), d, |i| Some(Field::UserFilter(i)));
        out |= ui
            .checkbox(&mut entry.skip_unsubscribed, "Do not send to unsubscribed users")
            .on_hover_text("Turn away users unsubscribed from every channel the journey uses")
            .changed();
    });
    out
}
