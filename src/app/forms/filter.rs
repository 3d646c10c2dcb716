//! Property condition builders: single comparisons with typed values, nested AND/OR
//! groups, event filters (an event name plus AND-ed event-property conditions), and
//! the behaviour rules shared by the entry segment and condition nodes.
//!
//! Invariants: the operator picker never leaves a comparison whose value type the
//! operator rejects (changing the operator switches the value to an accepted type);
//! inputs in repeated rows carry an accessible name with their place ("Path 1
//! condition 2 property") so every row can be told apart.

use egui::Ui;

use super::widgets::{
    Diags, choice_edit, choice_row, duration_edit, duration_row, f64_edit, field_diagnostics_ui, grid,
    grid_diagnostics_ui, int_edit, int_row, named, remove_button, row, text_edit, text_row, timestamp_edit,
};
use crate::model::{
    ActionRule, Condition, CountCmp, DatePropertyRule, EventFilter, Filter, InactionRule, Operator, PastBehaviourRule,
    PropertyCondition, Scope, Seconds, Timestamp, Value, ValueKind,
};
use crate::validate::Field;

/// Nesting depth beyond which "Add group" is not offered (keeps the form readable).
const MAX_DEPTH: usize = 4;

/// The default value of a kind.
fn default_value(kind: ValueKind) -> Value {
    match kind {
        ValueKind::Text => Value::Text(String::new()),
        ValueKind::Number => Value::Number(0.0),
        ValueKind::Bool => Value::Bool(true),
        ValueKind::DateTime => Value::DateTime(Timestamp::from_utc(2027, 1, 1, 0, 0, 0).unwrap_or_default()),
        ValueKind::Duration => Value::Duration(Seconds::days(7)),
    }
}

fn kind_label(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "text",
        ValueKind::Number => "number",
        ValueKind::Bool => "true/false",
        ValueKind::DateTime => "date-time",
        ValueKind::Duration => "duration",
    }
}

const KINDS: [ValueKind; 5] =
    [ValueKind::Text, ValueKind::Number, ValueKind::Bool, ValueKind::DateTime, ValueKind::Duration];

/// A new, empty comparison.
pub(super) fn new_condition(scope: Scope) -> PropertyCondition {
    PropertyCondition { scope, property: String::new(), op: Operator::Equals, value: Value::Text(String::new()) }
}

/// One comparison on a line: scope (when `with_scope`), property, operator, value type
/// and value. Inputs are named `"{name} scope"`, `"{name} property"`, and so on.
pub(super) fn property_condition_ui(ui: &mut Ui, name: &str, c: &mut PropertyCondition, with_scope: bool) -> bool {
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        if with_scope {
            changed |= choice_edit(
                ui,
                "scope",
                format!("{name} scope"),
                "Whose property: the user's profile or the event in context",
                &mut c.scope,
                &[(Scope::User, "User"), (Scope::Event, "Event")],
            );
        }
        changed |= text_edit(ui, format!("{name} property"), "Property name", &mut c.property, "property");
        let ops: Vec<(Operator, &str)> = Operator::ALL.iter().map(|o| (*o, o.label())).collect();
        let op_before = c.op;
        choice_edit(ui, "operator", format!("{name} operator"), "How the property is compared", &mut c.op, &ops);
        if c.op != op_before {
            changed = true;
            if !c.op.accepts(c.value.kind()) {
                let kind = KINDS.into_iter().find(|k| c.op.accepts(*k)).unwrap_or(ValueKind::Text);
                c.value = default_value(kind);
            }
        }
        if c.op != Operator::Exists {
            let kinds: Vec<(ValueKind, &str)> =
                KINDS.into_iter().filter(|k| c.op.accepts(*k)).map(|k| (k, kind_label(k))).collect();
            let before = c.value.kind();
            let mut kind = before;
            if kinds.len() > 1 {
                choice_edit(ui, "kind", format!("{name} type"), "The value's type", &mut kind, &kinds);
            }
            if kind != before {
                c.value = default_value(kind);
                changed = true;
            }
            changed |= value_edit(ui, name, &mut c.value);
            if !c.op.accepts(c.value.kind()) {
                let reason = format!("\"{}\" does not take a {} value", c.op.label(), kind_label(c.value.kind()));
                super::widgets::error_label(ui, &reason);
            }
        }
    });
    changed
}

/// The value editor for a typed value, named `"{name} value"`.
fn value_edit(ui: &mut Ui, name: &str, value: &mut Value) -> bool {
    let value_name = format!("{name} value");
    let tip = "The value to compare with";
    match value {
        Value::Text(s) => text_edit(ui, value_name, tip, s, "value"),
        Value::Number(x) => f64_edit(ui, "number", value_name, tip, x, f64::MIN, f64::MAX),
        Value::Bool(b) => choice_edit(ui, "bool", value_name, tip, b, &[(true, "true"), (false, "false")]),
        // A property value is compared as an instant; it is typed in UTC, as the data holds it.
        Value::DateTime(t) => {
            timestamp_edit(ui, &value_name, value_name.clone(), tip, t, &crate::model::TzName::default())
        }
        Value::Duration(d) => duration_edit(ui, &value_name, value_name.clone(), "N for within the last/next N", d),
    }
}

/// A list of comparisons combined with AND, with add and remove. Rows are named
/// `"{name} {k}"` (1-based); the add button is named `"{name} add"`. The diagnostics
/// about row `i`'s field (`row_field(i)`, when rows have one) show under that row.
pub(super) fn conditions_list_ui(
    ui: &mut Ui,
    name: &str,
    list: &mut Vec<PropertyCondition>,
    scope: Option<Scope>,
    d: &Diags<'_>,
    row_field: fn(usize) -> Option<Field>,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (i, c) in list.iter_mut().enumerate() {
        let row_name = format!("{name} {}", i + 1);
        ui.push_id(("cond", i), |ui| {
            ui.horizontal(|ui| {
                changed |= property_condition_ui(ui, &row_name, c, scope.is_none());
                if remove_button(ui, &format!("Remove {row_name}")) {
                    remove = Some(i);
                }
            });
            if let Some(field) = row_field(i) {
                field_diagnostics_ui(ui, d, &field);
            }
        });
    }
    if let Some(i) = remove {
        list.remove(i);
        changed = true;
    }
    let add = ui.button("Add filter");
    if named(add, format!("{name} add"), "Add a property condition (all must hold)").clicked() {
        list.push(new_condition(scope.unwrap_or(Scope::User)));
        changed = true;
    }
    changed
}

/// A nested AND/OR group builder. Inputs are named from `name` ("Path 1 condition 2.1
/// property"); group controls are `"{name} match"`, `"{name} add condition"`,
/// `"{name} add group"`.
pub(super) fn filter_ui(ui: &mut Ui, name: &str, filter: &mut Filter) -> bool {
    filter_node_ui(ui, name, filter, 0)
}

fn filter_node_ui(ui: &mut Ui, name: &str, filter: &mut Filter, depth: usize) -> bool {
    let mut changed = false;
    let all = matches!(filter, Filter::All(_));
    match filter {
        Filter::Cond(c) => {
            changed |= property_condition_ui(ui, &format!("{name} condition"), c, true);
            if depth == 0 {
                let add = ui.button("Add condition");
                if named(add, format!("{name} add condition"), "Turn this into a group and add a condition").clicked() {
                    let single = std::mem::take(filter);
                    *filter = Filter::All(vec![single, Filter::Cond(new_condition(Scope::User))]);
                    changed = true;
                }
            }
        }
        Filter::All(members_ref) | Filter::Any(members_ref) => {
            let mut all_now = all;
            ui.horizontal(|ui| {
                ui.label(if depth == 0 { "Match" } else { "Group: match" });
                choice_edit(
                    ui,
                    "match",
                    format!("{name} match"),
                    "All conditions must hold (AND) or any one (OR)",
                    &mut all_now,
                    &[(true, "all (AND)"), (false, "any (OR)")],
                );
            });
            let mut remove = None;
            let indent = if depth == 0 { 0.0 } else { 16.0 };
            ui.horizontal(|ui| {
                ui.add_space(indent);
                ui.vertical(|ui| {
                    for (i, m) in members_ref.iter_mut().enumerate() {
                        let child = format!("{name} condition {}", i + 1);
                        ui.push_id(("member", i), |ui| {
                            ui.horizontal(|ui| {
                                ui.vertical(|ui| {
                                    changed |= match m {
                                        Filter::Cond(c) => property_condition_ui(ui, &child, c, true),
                                        group => filter_node_ui(ui, &child, group, depth + 1),
                                    };
                                });
                                if remove_button(ui, &format!("Remove {child}")) {
                                    remove = Some(i);
                                }
                            });
                        });
                    }
                    if members_ref.is_empty() {
                        ui.weak(if all { "No conditions: everyone matches" } else { "No conditions: nobody matches" });
                    }
                    ui.horizontal(|ui| {
                        let add = ui.button("Add condition");
                        if named(add, format!("{name} add condition"), "Add a property condition").clicked() {
                            members_ref.push(Filter::Cond(new_condition(Scope::User)));
                            changed = true;
                        }
                        if depth < MAX_DEPTH {
                            let add = ui.button("Add group");
                            if named(add, format!("{name} add group"), "Add a nested AND/OR group").clicked() {
                                members_ref.push(Filter::Any(vec![Filter::Cond(new_condition(Scope::User))]));
                                changed = true;
                            }
                        }
                    });
                });
            });
            if let Some(i) = remove {
                members_ref.remove(i);
                changed = true;
            }
            if all_now != all {
                let taken = std::mem::take(members_ref);
                *filter = if all_now { Filter::All(taken) } else { Filter::Any(taken) };
                changed = true;
            }
        }
    }
    changed
}

/// An event name plus its own property filters. Named `"{name}"` (the event field) and
/// `"{name} filter {k} …"` for the filter rows. The diagnostics about `field` (the name
/// or a filter) show under the name.
pub(super) fn event_filter_ui(
    ui: &mut Ui,
    name: &str,
    tip: &str,
    ef: &mut EventFilter,
    d: &Diags<'_>,
    field: &Field,
) -> bool {
    let mut changed = false;
    grid(ui, ("event", name), |ui| {
        changed |= text_row(ui, name, tip, &mut ef.event);
        grid_diagnostics_ui(ui, d, field);
    });
    ui.indent(("event_filters", name), |ui| {
        changed |= conditions_list_ui(ui, &format!("{name} filter"), &mut ef.filters, Some(Scope::Event), d, |_| None);
    });
    changed
}

/// Live action: the event, its filters and the optional nth occurrence.
pub(super) fn action_rule_ui(ui: &mut Ui, rule: &mut ActionRule, d: &Diags<'_>) -> bool {
    let mut changed = event_filter_ui(ui, "Event", "The event the user performs", &mut rule.event, d, &Field::Event);
    grid(ui, "action_nth", |ui| {
        let mut on = rule.nth_occurrence.is_some();
        if ui
            .checkbox(&mut on, "Only the nth occurrence")
            .on_hover_text("Count only the user's nth time doing the event (for example the 6th view)")
            .changed()
        {
            rule.nth_occurrence = on.then_some(rule.nth_occurrence.unwrap_or(2));
            changed = true;
        }
        ui.horizontal(|ui| {
            if let Some(n) = &mut rule.nth_occurrence {
                changed |= int_edit(
                    ui,
                    "nth",
                    "Occurrence number",
                    "Which occurrence counts (1 is the first)",
                    n,
                    1,
                    1_000_000,
                );
            }
        });
        ui.end_row();
        grid_diagnostics_ui(ui, d, &Field::Occurrence);
    });
    changed
}

/// Inaction: did A, not B within T.
pub(super) fn inaction_rule_ui(ui: &mut Ui, rule: &mut InactionRule, d: &Diags<'_>) -> bool {
    let tip = "The action A that starts the clock";
    let mut changed = event_filter_ui(ui, "Did event", tip, &mut rule.did, d, &Field::DidEvent);
    let tip = "The action B that must not follow";
    changed |= event_filter_ui(ui, "Did not do event", tip, &mut rule.not_did, d, &Field::NotDidEvent);
    grid(ui, "inaction_within", |ui| {
        changed |= duration_row(ui, "Within", "How long after A the user has to do B", &mut rule.within);
        grid_diagnostics_ui(ui, d, &Field::Within);
    });
    changed
}

/// Which count comparison, without its number.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmp {
    MoreThan,
    FewerThan,
    Exactly,
    AtLeast,
}

/// Past behaviour: event, count comparison, last N days.
pub(super) fn past_rule_ui(ui: &mut Ui, rule: &mut PastBehaviourRule, d: &Diags<'_>) -> bool {
    let tip = "The event counted over the look-back period";
    let mut changed = event_filter_ui(ui, "Event", tip, &mut rule.event, d, &Field::Event);
    grid(ui, "past_count", |ui| {
        let (cmp, n) = match rule.count {
            CountCmp::MoreThan(n) => (Cmp::MoreThan, n),
            CountCmp::FewerThan(n) => (Cmp::FewerThan, n),
            CountCmp::Exactly(n) => (Cmp::Exactly, n),
            CountCmp::AtLeast(n) => (Cmp::AtLeast, n),
        };
        let (mut cmp2, mut n2) = (cmp, n);
        changed |= row(ui, "Count", "How many times the user did the event", |ui, id| {
            let mut c = choice_edit(
                ui,
                "cmp",
                "Count comparison",
                "More than, fewer than, exactly or at least",
                &mut cmp2,
                &[
                    (Cmp::MoreThan, "more than"),
                    (Cmp::FewerThan, "fewer than"),
                    (Cmp::Exactly, "exactly"),
                    (Cmp::AtLeast, "at least"),
                ],
            );
            c |= int_edit(ui, "count", id, "Number of times (exactly 0 means never)", &mut n2, 0, 1_000_000);
            ui.label("times");
            c
        });
        if (cmp2, n2) != (cmp, n) {
            rule.count = match cmp2 {
                Cmp::MoreThan => CountCmp::MoreThan(n2),
                Cmp::FewerThan => CountCmp::FewerThan(n2),
                Cmp::Exactly => CountCmp::Exactly(n2),
                Cmp::AtLeast => CountCmp::AtLeast(n2),
            };
            changed = true;
        }
        changed |= int_row(ui, "In the last days", "Look-back period in days", &mut rule.last_days, 1, 3_650);
        grid_diagnostics_ui(ui, d, &Field::LastDays);
    });
    changed
}

/// Date-time property within the next N.
pub(super) fn date_rule_ui(ui: &mut Ui, rule: &mut DatePropertyRule, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "date_rule", |ui| {
        changed |= text_row(ui, "Date property", "The user property holding a date-time", &mut rule.property);
        grid_diagnostics_ui(ui, d, &Field::DateProperty);
        changed |=
            duration_row(ui, "Within the next", "How far ahead of the date the user qualifies", &mut rule.within_next);
        grid_diagnostics_ui(ui, d, &Field::WithinNext);
    });
    changed
}

/// Which condition kind, without its settings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CondKind {
    LiveAction,
    Inaction,
    PastBehaviour,
    UserProperty,
    DateProperty,
}

/// A condition node's condition: kind picker and the kind's fields, each with its diagnostics.
pub(super) fn condition_ui(ui: &mut Ui, salt: &str, condition: &mut Condition, d: &Diags<'_>) -> bool {
    let mut changed = false;
    let before = match condition {
        Condition::LiveAction(_) => CondKind::LiveAction,
        Condition::Inaction(_) => CondKind::Inaction,
        Condition::PastBehaviour(_) => CondKind::PastBehaviour,
        Condition::UserProperty(_) => CondKind::UserProperty,
        Condition::DateProperty(_) => CondKind::DateProperty,
    };
    let mut kind = before;
    grid(ui, (salt, "kind"), |ui| {
        choice_row(
            ui,
            "Condition",
            "What the node checks",
            &mut kind,
            &[
                (CondKind::LiveAction, "Live action"),
                (CondKind::Inaction, "Inaction"),
                (CondKind::PastBehaviour, "Past behaviour"),
                (CondKind::UserProperty, "User property"),
                (CondKind::DateProperty, "Date-time property"),
            ],
        );
    });
    if kind != before {
        *condition = match kind {
            CondKind::LiveAction => Condition::LiveAction(ActionRule::default()),
            CondKind::Inaction => Condition::Inaction(InactionRule { within: Seconds::DAY, ..InactionRule::default() }),
            CondKind::PastBehaviour => {
                Condition::PastBehaviour(PastBehaviourRule { last_days: 7, ..PastBehaviourRule::default() })
            }
            CondKind::UserProperty => {
                Condition::UserProperty(Filter::All(vec![Filter::Cond(new_condition(Scope::User))]))
            }
            CondKind::DateProperty => {
                Condition::DateProperty(DatePropertyRule { property: String::new(), within_next: Seconds::days(7) })
            }
        };
        changed = true;
    }
    changed |= match condition {
        Condition::LiveAction(r) => action_rule_ui(ui, r, d),
        Condition::Inaction(r) => inaction_rule_ui(ui, r, d),
        Condition::PastBehaviour(r) => past_rule_ui(ui, r, d),
        Condition::UserProperty(f) => {
            let c = filter_ui(ui, "User property", f);
            field_diagnostics_ui(ui, d, &Field::ConditionFilter);
            c
        }
        Condition::DateProperty(r) => date_rule_ui(ui, r, d),
    };
    changed
}
