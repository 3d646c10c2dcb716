//! The entry segment form (§1.2): rule kind and its fields, user-property filters,
//! "do not send to unsubscribed users".
//!
//! Invariant: switching the rule kind replaces the rule with that kind's defaults;
//! the entry type (live or scheduled) follows from the kind and is shown, not stored.

use egui::Ui;

use super::filter::{action_rule_ui, conditions_list_ui, date_rule_ui, inaction_rule_ui, past_rule_ui};
use super::widgets::{choice_row, diagnostics_ui, grid, heading, text_row};
use super::{FormContext, FormResponse};
use crate::model::{
    ActionRule, DatePropertyRule, EntryRule, EntrySegment, EventFilter, InactionRule, PastBehaviourRule, Scope, Seconds,
};
use crate::validate::Location;

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
    let mut out = FormResponse::default();
    let entry_id = cx.journey.graph.entry().map(|n| n.id);
    diagnostics_ui(
        ui,
        cx.diagnostics.iter().filter(|d| match &d.location {
            Location::Entry => true,
            Location::Nodes(ids) => entry_id.is_some_and(|id| ids.first() == Some(&id)),
            _ => false,
        }),
    );
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
            EntryRule::LiveAction(r) => action_rule_ui(ui, r),
            EntryRule::Inaction(r) => inaction_rule_ui(ui, r),
            EntryRule::DateProperty(r) => date_rule_ui(ui, r),
            EntryRule::PastBehaviour(r) => past_rule_ui(ui, r),
            EntryRule::CustomList { name } => {
                grid(ui, "custom_list", |ui| text_row(ui, "List name", "The name of the uploaded user list", name))
            }
        };
        heading(ui, "User properties (all must hold)");
        out |= conditions_list_ui(ui, "User filter", &mut entry.user_filters, Some(Scope::User));
        out |= ui
            .checkbox(&mut entry.skip_unsubscribed, "Do not send to unsubscribed users")
            .on_hover_text("Turn away users unsubscribed from every channel the journey uses")
            .changed();
    });
    out
}
