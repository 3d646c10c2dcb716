//! Node forms (§1.3): the label and every setting of every node kind.
//!
//! A node's diagnostics that name a field show under that field ([`at_field`] lists
//! which, per kind); those about the node as a whole (reachability, loops, links, split
//! chains, event context) stay in the banner at the top.

use egui::Ui;

use super::entry::entry_fields_ui;
use super::filter::{condition_ui, filter_ui};
use super::message::message_preview_ui;
use super::widgets::{
    Diags, apply_move, banner_ui, choice_row, duration_row, error_color, field_diagnostics_ui, grid,
    grid_diagnostics_ui, heading, int_edit, liquid_multiline_row, liquid_text_row, move_buttons, optional_duration_row,
    remove_button, row, text_edit, text_row, time_of_day_edit, timestamp_row,
};
use super::{FormContext, FormResponse};
use crate::app::explore::{Request, request, sweepable};
use crate::model::{
    Channel, Condition, ConditionalPath, ContentVariant, CountedFrom, Filter, Message, MessageButton, Node, NodeKind,
    PathId, ProfileUpdateRow, RandomPath, Seconds, SplitMode, TimeOfDay, Timestamp, TzName, UpdateOp, VariantId,
    WaitKind,
};
use crate::validate::limits::VARIANTS;
use crate::validate::{Diagnostic, Field, Location};

/// Most paths of a random split.
const MAX_RANDOM_PATHS: usize = 7;
/// Fewest paths of a random split.
const MIN_RANDOM_PATHS: usize = 2;
/// Most paths of a conditional split (plus Others).
const MAX_CONDITIONAL_PATHS: usize = 6;

/// Edits a node's label and settings in place.
pub fn node_form_ui(ui: &mut Ui, node: &mut Node, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    let id = node.id;
    ui.push_id(("node_form", id.0), |ui| {
        ui.label(egui::RichText::new(format!("{} · {}", node.kind.tag().label(), id)).weak());
        let diags: Vec<&Diagnostic> = cx
            .diagnostics
            .iter()
            .filter(|d| matches!(&d.location, Location::Nodes(ids) if ids.contains(&id)))
            .collect();
        let d = diags.as_slice();
        banner_ui(ui, d, |f| at_field(&node.kind, f));
        grid(ui, "node_label", |ui| {
            out |= text_row(ui, "Label", "The name shown on the node's card", &mut node.label);
        });
        ui.separator();
        match &mut node.kind {
            NodeKind::Entry(seg) => out |= entry_fields_ui(ui, seg, d),
            NodeKind::Wait(wait) => out |= wait_ui(ui, id, wait, &cx.journey.setup.timezone.account, d),
            NodeKind::Condition { condition, window, counted_from } => {
                let counted_before = counts_events(condition);
                out |= condition_ui(ui, "condition", condition, d);
                // A condition that stops counting events (its kind changed) drops "from
                // arrival", which would mean nothing for it.
                if counted_before && !counts_events(condition) {
                    *counted_from = CountedFrom::Entry;
                }
                grid(ui, "condition_window", |ui| {
                    out |= optional_duration_row(
                        ui,
                        "Qualifying window",
                        "Wait up to this long for the condition; without a window the check on arrival decides",
                        window,
                        Seconds::DAY,
                    );
                    grid_diagnostics_ui(ui, d, &Field::Window);
                    // Shown for the conditions that count events, and for any other that a
                    // file set to count from arrival (so that its error has a place).
                    if counts_events(condition) || *counted_from != CountedFrom::Entry {
                        out |= counted_from_row(ui, counted_from);
                        grid_diagnostics_ui(ui, d, &Field::CountedFrom);
                    }
                });
            }
            NodeKind::ConditionalSplit { paths } => out |= conditional_paths_ui(ui, paths, d),
            NodeKind::RandomSplit { paths, mode, winner } => out |= random_split_ui(ui, id, paths, mode, winner, d),
            NodeKind::Channel { channel, message, engagement_window, exclude_from_user_timezone, variants } => {
                let content = Content { message, variants };
                out |= channel_ui(ui, id, *channel, content, engagement_window, exclude_from_user_timezone, d);
            }
            NodeKind::ProfileUpdate { rows } => out |= profile_update_ui(ui, rows, d),
            NodeKind::ForceExit => {
                ui.label("Takes the user out of the journey at once. No settings");
            }
            NodeKind::Exit => {
                ui.label("Marks an intended end of a path, counted as completed. No settings");
            }
        }
        if matches!(node.kind, NodeKind::Channel { .. }) {
            ui.separator();
            message_preview_ui(ui, node, cx.journey);
        }
    });
    out
}

/// The fields of a node of this kind that show their diagnostics. Each is drawn whenever
/// validation can report it for the kind (a title only on channels that have one, the
/// split total whatever the mode), so nothing is lost.
fn at_field(kind: &NodeKind, field: &Field) -> bool {
    match kind {
        NodeKind::Entry(_) => super::entry::at_field(field),
        NodeKind::Wait(WaitKind::Duration(_)) => *field == Field::WaitDuration,
        NodeKind::Wait(WaitKind::TimeOfDay { .. }) => *field == Field::WaitTime,
        NodeKind::Wait(_) | NodeKind::ForceExit | NodeKind::Exit => false,
        NodeKind::Condition { .. } => {
            super::entry::rule_field(field)
                || matches!(field, Field::ConditionFilter | Field::Window | Field::CountedFrom)
        }
        NodeKind::ConditionalSplit { .. } => matches!(field, Field::Paths | Field::Path(_)),
        NodeKind::RandomSplit { .. } => {
            matches!(field, Field::Paths | Field::SplitTotal | Field::MinShare | Field::Winner)
        }
        NodeKind::Channel { channel, .. } => {
            let f = channel.fields();
            match field {
                Field::Title => f.title,
                Field::Subject => f.subject,
                Field::Url => f.url,
                Field::Button(_) => f.buttons,
                Field::Body | Field::EngagementWindow | Field::Variants | Field::Variant(_) => true,
                _ => false,
            }
        }
        NodeKind::ProfileUpdate { .. } => matches!(field, Field::Updates | Field::UpdateRow(_)),
    }
}

/// Whether a condition counts events, so that where it starts counting matters (SPEC §1.3).
fn counts_events(condition: &Condition) -> bool {
    matches!(condition, Condition::LiveAction(_) | Condition::Inaction(_))
}

/// Where a live-action or inaction condition starts counting events.
fn counted_from_row(ui: &mut Ui, counted_from: &mut CountedFrom) -> bool {
    let choices = [CountedFrom::Entry, CountedFrom::Arrival].map(|c| (c, c.label()));
    choice_row(
        ui,
        "Counted from",
        "Which events the condition sees: all since the user entered the journey (the default), or only those at \
         or after the user's arrival at this node. \"Wait for the next App Launched\" is from arrival, and needs a \
         qualifying window",
        counted_from,
        &choices,
    )
}

/// Which kind of wait, without its settings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WaitMode {
    Duration,
    TimeOfDay,
    Until,
    BestTime,
}

/// `zone` is the account timezone, in which "Wait until" is typed.
fn wait_ui(ui: &mut Ui, id: crate::model::NodeId, wait: &mut WaitKind, zone: &TzName, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "wait", |ui| {
        let before = match wait {
            WaitKind::Duration(_) => WaitMode::Duration,
            WaitKind::TimeOfDay { .. } => WaitMode::TimeOfDay,
            WaitKind::Until(_) => WaitMode::Until,
            WaitKind::BestTime => WaitMode::BestTime,
        };
        let mut mode = before;
        choice_row(
            ui,
            "Wait mode",
            "How long the user waits here",
            &mut mode,
            &[
                (WaitMode::Duration, "For a duration"),
                (WaitMode::TimeOfDay, "Until a time of day"),
                (WaitMode::Until, "Until a date-time"),
                (WaitMode::BestTime, "Until the best time"),
            ],
        );
        if mode != before {
            *wait = match mode {
                WaitMode::Duration => WaitKind::Duration(Seconds::DAY),
                WaitMode::TimeOfDay => {
                    WaitKind::TimeOfDay { time: TimeOfDay::new(9, 0).unwrap_or_default(), user_timezone: false }
                }
                WaitMode::Until => WaitKind::Until(Timestamp::from_utc(2027, 1, 11, 9, 0, 0).unwrap_or_default()),
                WaitMode::BestTime => WaitKind::BestTime,
            };
            changed = true;
        }
        match wait {
            WaitKind::Duration(secs) => {
                changed |= sweepable(ui, format!("node.{id}.duration"), |ui| {
                    duration_row(ui, "Wait duration", "How long to wait (1 day = 86,400 s)", secs)
                });
                grid_diagnostics_ui(ui, d, &Field::WaitDuration);
            }
            WaitKind::TimeOfDay { time, user_timezone } => {
                let tip = "Local time HH:MM; arriving exactly at that time waits a day";
                changed |=
                    row(ui, "Wait until time", tip, |ui, id| time_of_day_edit(ui, "Wait until time", id, tip, time));
                grid_diagnostics_ui(ui, d, &Field::WaitTime);
                changed |= row(ui, "Timezone", "Whose local time the wait uses", |ui, _| {
                    let mut c = ui
                        .radio_value(user_timezone, false, "Account timezone")
                        .on_hover_text("Use the journey's account timezone")
                        .changed();
                    c |= ui
                        .radio_value(user_timezone, true, "User timezone")
                        .on_hover_text("Use each user's timezone (when the journey delivers in user timezones)")
                        .changed();
                    c
                });
            }
            WaitKind::Until(t) => {
                changed |= timestamp_row(ui, "Wait until", "Users arriving later pass at once", t, zone);
            }
            WaitKind::BestTime => {
                ui.label("Best time");
                ui.label("The peak hour of the scenario's activity curve, in local time");
                ui.end_row();
            }
        }
    });
    changed
}

/// A channel node's content: its one message, or its content variants.
struct Content<'a> {
    message: &'a mut Message,
    variants: &'a mut Vec<ContentVariant>,
}

fn channel_ui(
    ui: &mut Ui,
    id: crate::model::NodeId,
    channel: Channel,
    content: Content<'_>,
    window: &mut Seconds,
    exclude: &mut bool,
    d: &Diags<'_>,
) -> bool {
    let mut changed = false;
    heading(ui, &format!("{} message", channel.label()));
    let Content { message, variants } = content;
    if variants.is_empty() {
        changed |= message_ui(ui, channel, message, "", d, None);
        if ui
            .button("Add content variants")
            .on_hover_text("Test 2 to 5 versions of this message, each sent to a share of users")
            .clicked()
        {
            let first = std::mem::take(message);
            let v = |i: u32, message: Message| ContentVariant {
                id: VariantId(i),
                name: ContentVariant::letter(usize::try_from(i - 1).unwrap_or(0)),
                percent: 50,
                message,
            };
            *variants = vec![v(1, first.clone()), v(2, first)];
            changed = true;
        }
    } else {
        changed |= variants_ui(ui, id, channel, message, variants, d);
    }
    heading(ui, "Delivery");
    grid(ui, "channel_delivery", |ui| {
        changed |= duration_row(
            ui,
            "Engagement window",
            "How long the node waits for a view or click when those outputs are linked",
            window,
        );
        grid_diagnostics_ui(ui, d, &Field::EngagementWindow);
    });
    changed |= ui
        .checkbox(exclude, "Exclude this node from user timezone")
        .on_hover_text("Use the account timezone for DND here even when delivering in user timezones")
        .changed();
    changed
}

/// A form label: `name` capitalised on its own, or after a variant's prefix ("Variant 2 body").
fn field_label(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        let mut c = name.chars();
        c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
    } else {
        format!("{prefix} {name}")
    }
}

/// The fields of one message content. `prefix` names a variant's inputs ("Variant 2"),
/// and `at` is the field its diagnostics sit at (a variant's are all at one field).
fn message_ui(
    ui: &mut Ui,
    channel: Channel,
    message: &mut Message,
    prefix: &str,
    d: &Diags<'_>,
    at: Option<&Field>,
) -> bool {
    let mut changed = false;
    let fields = channel.fields();
    let diag = |ui: &mut Ui, f: Field| {
        if at.is_none() {
            grid_diagnostics_ui(ui, d, &f);
        }
    };
    grid(ui, format!("channel{prefix}"), |ui| {
        if fields.title {
            let l = field_label(prefix, "title");
            changed |= liquid_text_row(ui, &l, "The message title; may use Liquid", &mut message.title);
            diag(ui, Field::Title);
        }
        if fields.subject {
            let l = field_label(prefix, "subject");
            changed |= liquid_text_row(ui, &l, "The email subject line; may use Liquid", &mut message.subject);
            diag(ui, Field::Subject);
        }
        if fields.url {
            let l = field_label(prefix, "webhook URL");
            changed |= liquid_text_row(ui, &l, "The endpoint the webhook calls", &mut message.url);
            diag(ui, Field::Url);
        }
        let body = field_label(prefix, if channel == Channel::Webhook { "payload" } else { "body" });
        changed |=
            liquid_multiline_row(ui, &body, "The message text; may use Liquid personalization", &mut message.body);
        diag(ui, Field::Body);
        let l = field_label(prefix, "provider");
        changed |= text_row(ui, &l, "The sending provider (informational)", &mut message.provider);
    });
    if fields.buttons {
        changed |= buttons_ui(ui, &mut message.buttons, prefix, d);
    }
    if let Some(f) = at {
        field_diagnostics_ui(ui, d, f);
    }
    changed
}

/// The content variants of a channel node: name, percentage, order and content of each;
/// add up to 5; removing the second-to-last turns the node back into one message.
fn variants_ui(
    ui: &mut Ui,
    id: crate::model::NodeId,
    channel: Channel,
    message: &mut Message,
    variants: &mut Vec<ContentVariant>,
    d: &Diags<'_>,
) -> bool {
    let mut changed = false;
    heading(ui, "Content variants");
    let len = variants.len();
    let mut remove = None;
    let mut moved = None;
    for (i, v) in variants.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("variant", v.id.0), |ui| {
            ui.separator();
            ui.horizontal(|ui| {
                let l = ui.label(format!("Variant {n} name")).id;
                changed |= text_edit(ui, l, "The variant's name, unique within this message", &mut v.name, "");
                let tip = "Whole percentage of users who get this variant";
                let l = ui.label(format!("Variant {n} %")).id;
                changed |= int_edit(ui, "variant percent", l, tip, &mut v.percent, 0, 100);
                let delta = move_buttons(ui, &format!("variant {n}"), i, len);
                if delta != 0 {
                    moved = Some((i, delta));
                }
                if remove_button(ui, &format!("Remove variant {n}")) {
                    remove = Some(i);
                }
            });
            changed |= message_ui(ui, channel, &mut v.message, &format!("Variant {n}"), d, Some(&Field::Variant(i)));
        });
    }
    ui.separator();
    let sum: u32 = variants.iter().map(|v| u32::from(v.percent)).sum();
    let text = format!("Variants total {sum}%");
    if sum == 100 {
        ui.label(text);
    } else {
        ui.colored_label(error_color(ui), text);
    }
    field_diagnostics_ui(ui, d, &Field::Variants);
    if let Some((i, delta)) = moved {
        changed |= apply_move(variants, i, delta);
    }
    if let Some(i) = remove {
        variants.remove(i);
        if variants.len() < 2 {
            // One variant left is one message again.
            if let Some(last) = variants.pop() {
                *message = last.message;
            }
        }
        changed = true;
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(variants.len() < *VARIANTS.end(), egui::Button::new("Add variant"))
            .on_hover_text("Add a content variant (at most 5), starting from a copy of the first")
            .clicked()
        {
            let next = VariantId(variants.iter().map(|v| v.id.0).max().map_or(1, |m| m.saturating_add(1)));
            let name = (0..)
                .map(ContentVariant::letter)
                .find(|l| !variants.iter().any(|v| v.name.trim().eq_ignore_ascii_case(l)))
                .unwrap_or_default();
            let copy = variants.first().map(|v| v.message.clone()).unwrap_or_default();
            variants.push(ContentVariant { id: next, name, percent: 0, message: copy });
            changed = true;
        }
        if !variants.is_empty()
            && ui
                .button("Plan variant test…")
                .on_hover_text("How many messages and days this variant test needs to detect an effect")
                .clicked()
        {
            request(ui.ctx(), Request::Plan(crate::sim::planner::TestKind::Variants(id)));
        }
    });
    changed
}

fn buttons_ui(ui: &mut Ui, buttons: &mut Vec<MessageButton>, prefix: &str, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, &field_label(prefix, "buttons"));
    let mut remove = None;
    for (i, b) in buttons.iter_mut().enumerate() {
        let n = i + 1;
        // One row per field, as in the other forms: side by side, the two fields would
        // widen the inspector past its default width and squeeze the canvas.
        ui.push_id(("button", i), |ui| {
            grid(ui, "button", |ui| {
                let label = field_label(prefix, &format!("button {n} label"));
                changed |= text_row(ui, &label, "The button's text", &mut b.label);
                let tip = "Deep link or URL the button opens";
                let link = field_label(prefix, &format!("button {n} link"));
                changed |= row(ui, &link, tip, |ui, id| text_edit(ui, id, tip, &mut b.url, "https://"));
            });
            if prefix.is_empty() {
                field_diagnostics_ui(ui, d, &Field::Button(i));
            }
            if remove_button(ui, &field_label(prefix, &format!("remove button {n}"))) {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        buttons.remove(i);
        changed = true;
    }
    if ui.button(field_label(prefix, "add button")).on_hover_text("Add a call-to-action button or link").clicked() {
        buttons.push(MessageButton::default());
        changed = true;
    }
    changed
}

fn profile_update_ui(ui: &mut Ui, rows: &mut Vec<ProfileUpdateRow>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Updates");
    let ops: Vec<(UpdateOp, &str)> = UpdateOp::ALL.iter().map(|o| (*o, o.label())).collect();
    let mut remove = None;
    for (i, r) in rows.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("update_row", i), |ui| {
            grid(ui, "row", |ui| {
                changed |= text_row(ui, &format!("Property {n}"), "The user property to update", &mut r.property);
                changed |= choice_row(ui, &format!("Operation {n}"), "What to do with the property", &mut r.op, &ops);
                changed |= liquid_text_row(
                    ui,
                    &format!("Value {n}"),
                    "The value (a Liquid expression is allowed)",
                    &mut r.value,
                );
            });
            field_diagnostics_ui(ui, d, &Field::UpdateRow(i));
            if remove_button(ui, &format!("Remove update {n}")) {
                remove = Some(i);
            }
        });
        ui.separator();
    }
    if let Some(i) = remove {
        rows.remove(i);
        changed = true;
    }
    field_diagnostics_ui(ui, d, &Field::Updates);
    if ui.button("Add update").on_hover_text("Add a property update row").clicked() {
        rows.push(ProfileUpdateRow { property: String::new(), op: UpdateOp::SetTo, value: String::new() });
        changed = true;
    }
    changed
}

/// A path id not used by any of `ids`.
fn fresh_path_id(ids: impl Iterator<Item = PathId>) -> PathId {
    PathId(ids.map(|p| p.0).max().map_or(1, |m| m.saturating_add(1)))
}

fn conditional_paths_ui(ui: &mut Ui, paths: &mut Vec<ConditionalPath>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Paths (the first match wins)");
    let len = paths.len();
    let mut remove = None;
    let mut moved = None;
    for (i, p) in paths.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("cpath", p.id.0), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label(format!("Path {n} name")).id;
                    changed |= text_edit(ui, l, "The path's name, shown on its output port", &mut p.name, "");
                    let d = move_buttons(ui, &format!("path {n}"), i, len);
                    if d != 0 {
                        moved = Some((i, d));
                    }
                    if len > 1 && remove_button(ui, &format!("Remove path {n}")) {
                        remove = Some(i);
                    }
                });
                changed |= filter_ui(ui, &format!("Path {n}"), &mut p.filter);
                field_diagnostics_ui(ui, d, &Field::Path(i));
            });
        });
    }
    ui.label(egui::RichText::new("Others: everyone who matches no path above (always last)").italics());
    field_diagnostics_ui(ui, d, &Field::Paths);
    if let Some((i, d)) = moved {
        changed |= apply_move(paths, i, d);
    }
    if let Some(i) = remove {
        paths.remove(i);
        changed = true;
    }
    if ui
        .add_enabled(paths.len() < MAX_CONDITIONAL_PATHS, egui::Button::new("Add path"))
        .on_hover_text("Add a path (at most 6 plus Others)")
        .clicked()
    {
        let id = fresh_path_id(paths.iter().map(|p| p.id));
        paths.push(ConditionalPath { id, name: format!("Path {}", paths.len() + 1), filter: Filter::default() });
        changed = true;
    }
    changed
}

fn random_split_ui(
    ui: &mut Ui,
    id: crate::model::NodeId,
    paths: &mut Vec<RandomPath>,
    mode: &mut SplitMode,
    winner: &mut Option<PathId>,
    d: &Diags<'_>,
) -> bool {
    let mut changed = false;
    grid(ui, "random_mode", |ui| {
        changed |= row(ui, "Split mode", "Fixed percentages, or a bandit that favours the best path", |ui, _| {
            let manual = matches!(mode, SplitMode::Manual);
            let mut c = false;
            if ui.radio(manual, "Manual").on_hover_text("Fixed percentages summing to 100").clicked() && !manual {
                *mode = SplitMode::Manual;
                c = true;
            }
            if ui
                .radio(!manual, "Automated")
                .on_hover_text("Reweight toward the best goal conversion every 5 minutes")
                .clicked()
                && manual
            {
                *mode = SplitMode::Automated { min_share_percent: 10 };
                c = true;
            }
            c
        });
        if let SplitMode::Automated { min_share_percent } = mode {
            let tip = "The least share a losing path keeps";
            changed |= row(ui, "Minimum share %", tip, |ui, id| {
                int_edit(ui, "Minimum share %", id, tip, min_share_percent, 0, 50)
            });
            grid_diagnostics_ui(ui, d, &Field::MinShare);
        }
    });
    heading(ui, "Paths");
    let len = paths.len();
    let manual = matches!(mode, SplitMode::Manual);
    let mut remove = None;
    let mut moved = None;
    for (i, p) in paths.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("rpath", p.id.0), |ui| {
            ui.horizontal(|ui| {
                let l = ui.label(format!("Path {n} name")).id;
                changed |= text_edit(ui, l, "The path's name, shown on its output port", &mut p.name, "");
                if manual {
                    let tip = "Whole percentage of users sent down this path";
                    let l = ui.label(format!("Path {n} %")).id;
                    changed |= sweepable(ui, format!("node.{id}.paths.{}.percent", p.id), |ui| {
                        int_edit(ui, "percent", l, tip, &mut p.percent, 0, 100)
                    });
                }
                let d = move_buttons(ui, &format!("path {n}"), i, len);
                if d != 0 {
                    moved = Some((i, d));
                }
                if len > MIN_RANDOM_PATHS && remove_button(ui, &format!("Remove path {n}")) {
                    remove = Some(i);
                }
            });
        });
    }
    if manual {
        let sum: u32 = paths.iter().map(|p| u32::from(p.percent)).sum();
        let text = format!("Total {sum}%");
        if sum == 100 {
            ui.label(text);
        } else {
            ui.colored_label(error_color(ui), text);
        }
        if ui
            .button("Plan test…")
            .on_hover_text("How many entries and days this split needs to detect an effect")
            .clicked()
        {
            request(ui.ctx(), Request::Plan(crate::sim::planner::TestKind::Split(id)));
        }
    }
    // Under the total (or where it would be in automated mode: a path above 100 % is
    // reported whatever the mode).
    field_diagnostics_ui(ui, d, &Field::SplitTotal);
    field_diagnostics_ui(ui, d, &Field::Paths);
    if let Some((i, d)) = moved {
        changed |= apply_move(paths, i, d);
    }
    if let Some(i) = remove {
        let gone = paths.remove(i);
        if *winner == Some(gone.id) {
            *winner = None;
        }
        changed = true;
    }
    if ui
        .add_enabled(paths.len() < MAX_RANDOM_PATHS, egui::Button::new("Add path"))
        .on_hover_text("Add a path (at most 7)")
        .clicked()
    {
        let id = fresh_path_id(paths.iter().map(|p| p.id));
        let name = format!("Variant {}", char::from(b'A' + u8::try_from(paths.len()).unwrap_or(0)));
        paths.push(RandomPath { id, name, percent: 0 });
        changed = true;
    }
    grid(ui, "random_winner", |ui| {
        let mut choices: Vec<(Option<PathId>, &str)> = vec![(None, "None")];
        choices.extend(paths.iter().map(|p| (Some(p.id), p.name.as_str())));
        changed |= choice_row(ui, "Declared winner", "Send everyone down one path", winner, &choices);
        grid_diagnostics_ui(ui, d, &Field::Winner);
    });
    changed
}
