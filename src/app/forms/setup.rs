//! The setup form (§1.1): name and description, start and end, entry timeline,
//! re-entry, do not disturb, timezone, control groups, timeout, frequency cap and
//! exit criteria.
//!
//! Invariant: "Now" becomes a fixed instant when chosen, so a saved journey always
//! simulates the same way; limits (120 characters, 2–99 %) are shown, not enforced by
//! truncation or clamping.
//!
//! Every setup diagnostic that names a field is shown under that field's row (see
//! [`at_field`]); the banner keeps the rest.

use egui::Ui;

use super::filter::event_filter_ui;
use super::widgets::{
    Diags, banner_ui, choice_edit, error_color, field_diagnostics_ui, grid, grid_diagnostics_ui, heading, int_edit,
    int_row, named, optional_duration_row, remove_button, row, text_row, time_of_day_edit, timestamp_edit,
    timestamp_row, timezone_edit,
};
use super::{FormContext, FormResponse};
use crate::model::{
    CapPeriod, DndAction, EventFilter, FrequencyCap, Recurrence, Seconds, Setup, TimeOfDay, TimeWindow, Timeline,
    Weekday,
};
use crate::validate::{Diagnostic, Field, Location};

/// Longest description when published.
const DESCRIPTION_MAX: usize = 120;

/// Edits the setup in place.
pub fn setup_form_ui(ui: &mut Ui, setup: &mut Setup, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    let diags: Vec<&Diagnostic> = cx.diagnostics.iter().filter(|d| d.location == Location::Setup).collect();
    let d = diags.as_slice();
    banner_ui(ui, d, at_field);
    ui.push_id("setup_form", |ui| {
        out |= basics_ui(ui, setup, d);
        out |= timeline_ui(ui, setup, cx.journey.is_live(), d);
        out |= reentry_ui(ui, setup, d);
        out |= dnd_ui(ui, setup, d);
        out |= timezone_ui(ui, setup, d);
        out |= control_ui(ui, setup, d);
        out |= limits_ui(ui, setup, d);
        out |= exit_ui(ui, &mut setup.exit_criteria, d);
    });
    out
}

/// The setup fields shown with their diagnostics. Each is drawn whenever validation can
/// report it (re-entry fields while re-entry is on, a weekday's DND row while DND is on
/// and the day has a window, the end while there is one…), so nothing is lost.
fn at_field(field: &Field) -> bool {
    matches!(
        field,
        Field::Name
            | Field::Description
            | Field::Currency
            | Field::End
            | Field::Timeline
            | Field::ReentryCooldown
            | Field::ReentryMax
            | Field::DndWindow(_)
            | Field::AccountTimezone
            | Field::JourneyControl
            | Field::SystemControl
            | Field::Timeout
            | Field::FrequencyCap
            | Field::ExitCriterion(_)
    )
}

fn basics_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "setup_basics", |ui| {
        changed |= text_row(ui, "Name", "The journey's name (required)", &mut setup.name);
        grid_diagnostics_ui(ui, d, &Field::Name);
        // The field and its counter stack in the cell, so the row stays narrow.
        let tip = "What the journey is for (at most 120 characters when published)";
        let label_id = ui.label("Description").on_hover_text(tip).id;
        changed |= ui
            .vertical(|ui| {
                let response =
                    ui.add(egui::TextEdit::multiline(&mut setup.description).desired_rows(2).desired_width(200.0));
                let c = named(response, label_id, "What the journey is for").changed();
                let n = setup.description.chars().count();
                let counter = format!("{n}/{DESCRIPTION_MAX}");
                if n > DESCRIPTION_MAX {
                    ui.colored_label(error_color(ui), format!("{counter}: too long to publish"));
                } else {
                    ui.weak(counter);
                }
                field_diagnostics_ui(ui, d, &Field::Description);
                c
            })
            .inner;
        ui.end_row();
        let tip = "The ISO 4217 code of goal values and message costs, such as USD, EUR or INR";
        if text_row(ui, "Currency", tip, &mut setup.currency) {
            setup.currency = setup.currency.trim().to_ascii_uppercase();
            changed = true;
        }
        grid_diagnostics_ui(ui, d, &Field::Currency);
        let zone = setup.timezone.account.clone();
        let tip = "When the journey starts, in the account timezone";
        changed |= timestamp_row(ui, "Start", tip, &mut setup.start, &zone);
        let mut has_end = setup.end.is_some();
        if ui.checkbox(&mut has_end, "End").on_hover_text("Stop new entries at a date-time").changed() {
            setup.end = has_end.then(|| setup.end.unwrap_or(setup.start.plus(Seconds::days(30))));
            changed = true;
        }
        ui.horizontal(|ui| {
            if let Some(end) = &mut setup.end {
                let tip = "When new entries stop, in the account timezone";
                changed |= timestamp_edit(ui, "End date-time", "End date-time", tip, end, &zone);
            }
        });
        ui.end_row();
        grid_diagnostics_ui(ui, d, &Field::End);
    });
    changed
}

/// Which timeline, without its settings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimelineKind {
    Once,
    Dates,
    EveryDays,
    Weekly,
    Monthly,
}

fn timeline_ui(ui: &mut Ui, setup: &mut Setup, live: Option<bool>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Entry timeline");
    if live == Some(true) {
        ui.weak("Used by scheduled entry rules only (the entry rule is live)");
    }
    let before = match &setup.timeline {
        Timeline::Once => TimelineKind::Once,
        Timeline::SpecificDates(_) => TimelineKind::Dates,
        Timeline::Recurring(Recurrence::EveryDays(_)) => TimelineKind::EveryDays,
        Timeline::Recurring(Recurrence::Weekly(_)) => TimelineKind::Weekly,
        Timeline::Recurring(Recurrence::Monthly(_)) => TimelineKind::Monthly,
    };
    let mut kind = before;
    grid(ui, "timeline", |ui| {
        changed |= row(ui, "Runs", "When scheduled entry runs happen", |ui, id| {
            choice_edit(
                ui,
                "timeline",
                id,
                "Once, on specific dates, or recurring",
                &mut kind,
                &[
                    (TimelineKind::Once, "Enter once (at the start)"),
                    (TimelineKind::Dates, "On specific dates"),
                    (TimelineKind::EveryDays, "Every N days"),
                    (TimelineKind::Weekly, "Weekly"),
                    (TimelineKind::Monthly, "Monthly"),
                ],
            )
        });
        if kind != before {
            setup.timeline = match kind {
                TimelineKind::Once => Timeline::Once,
                TimelineKind::Dates => Timeline::SpecificDates(vec![setup.start]),
                TimelineKind::EveryDays => Timeline::Recurring(Recurrence::EveryDays(1)),
                TimelineKind::Weekly => Timeline::Recurring(Recurrence::Weekly(vec![Weekday::Mon])),
                TimelineKind::Monthly => Timeline::Recurring(Recurrence::Monthly(1)),
            };
        }
        match &mut setup.timeline {
            Timeline::Once | Timeline::SpecificDates(_) => {}
            Timeline::Recurring(Recurrence::EveryDays(n)) => {
                changed |= int_row(ui, "Every days", "Days between runs", n, 1, 365);
            }
            Timeline::Recurring(Recurrence::Weekly(days)) => {
                changed |= row(ui, "On weekdays", "The weekdays with a run", |ui, _| {
                    let mut c = false;
                    for d in Weekday::ALL {
                        let mut on = days.contains(&d);
                        let check = ui.checkbox(&mut on, d.short_name());
                        if named(check, format!("Run on {}", d.short_name()), "Run on this weekday").changed() {
                            if on {
                                days.push(d);
                                days.sort();
                            } else {
                                days.retain(|x| *x != d);
                            }
                            c = true;
                        }
                    }
                    c
                });
            }
            Timeline::Recurring(Recurrence::Monthly(day)) => {
                changed |= int_row(ui, "Day of month", "1–28 fits every month; 29–31 skip short months", day, 1, 31);
            }
        }
        grid_diagnostics_ui(ui, d, &Field::Timeline);
    });
    changed |= kind != before;
    let zone = setup.timezone.account.clone();
    if let Timeline::SpecificDates(dates) = &mut setup.timeline {
        let mut remove = None;
        for (i, t) in dates.iter_mut().enumerate() {
            let n = i + 1;
            ui.push_id(("run_date", i), |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label(format!("Run {n}")).id;
                    let salt = format!("Run {n}");
                    changed |= timestamp_edit(ui, &salt, l, "A scheduled run, in the account timezone", t, &zone);
                    if remove_button(ui, &format!("Remove run {n}")) {
                        remove = Some(i);
                    }
                });
            });
        }
        if let Some(i) = remove {
            dates.remove(i);
            changed = true;
        }
        if ui.button("Add run date").on_hover_text("Add a scheduled run").clicked() {
            let next = dates.last().copied().unwrap_or(setup.start).plus(Seconds::DAY);
            dates.push(next);
            changed = true;
        }
    }
    changed
}

fn reentry_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Re-entry");
    let r = &mut setup.reentry;
    changed |= ui
        .checkbox(&mut r.enabled, "Allow re-entry")
        .on_hover_text("Let a user qualify again after exiting the journey")
        .changed();
    if r.enabled {
        grid(ui, "reentry", |ui| {
            changed |= optional_duration_row(
                ui,
                "Cooldown",
                "Time after exit before a user may enter again",
                &mut r.cooldown,
                Seconds::DAY,
            );
            grid_diagnostics_ui(ui, d, &Field::ReentryCooldown);
            let mut has_max = r.max_entries.is_some();
            if ui.checkbox(&mut has_max, "Limit entries").on_hover_text("Most entries per user").changed() {
                r.max_entries = has_max.then_some(r.max_entries.unwrap_or(3));
                changed = true;
            }
            ui.horizontal(|ui| {
                if let Some(m) = &mut r.max_entries {
                    changed |= int_edit(ui, "max_entries", "Maximum entries", "Most entries per user", m, 1, 1_000_000);
                }
            });
            ui.end_row();
            grid_diagnostics_ui(ui, d, &Field::ReentryMax);
        });
    }
    changed
}

fn dnd_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Do not disturb");
    let dnd = &mut setup.dnd;
    changed |= ui
        .checkbox(&mut dnd.enabled, "Enable do not disturb")
        .on_hover_text("Hold or skip push, SMS, email, WhatsApp and web push inside quiet hours")
        .changed();
    if !dnd.enabled {
        return changed;
    }
    grid(ui, "dnd", |ui| {
        changed |= row(ui, "In quiet hours", "What happens to a message inside a window", |ui, _| {
            let mut c = ui
                .radio_value(&mut dnd.action, DndAction::Defer, "Defer")
                .on_hover_text("Send when the window ends")
                .changed();
            c |= ui
                .radio_value(&mut dnd.action, DndAction::Skip, "Skip")
                .on_hover_text("The user takes the Unreachable output")
                .changed();
            c
        });
        let default_window = TimeWindow {
            start: TimeOfDay::new(22, 0).unwrap_or_default(),
            end: TimeOfDay::new(8, 0).unwrap_or_default(),
        };
        for day in Weekday::ALL {
            let name = day.short_name();
            let mut on = dnd.windows.contains_key(&day);
            let check = ui.checkbox(&mut on, name);
            let tip = "Quiet hours on this weekday (overnight windows belong to the day they start)";
            if named(check, format!("{name} quiet hours"), tip).changed() {
                if on {
                    dnd.windows.insert(day, default_window);
                } else {
                    dnd.windows.remove(&day);
                }
                changed = true;
            }
            ui.horizontal(|ui| {
                if let Some(w) = dnd.windows.get_mut(&day) {
                    let from = format!("{name} from");
                    let to = format!("{name} to");
                    changed |=
                        time_of_day_edit(ui, &from, from.clone(), "Start of quiet hours, HH:MM local", &mut w.start);
                    ui.label("to");
                    changed |= time_of_day_edit(ui, &to, to.clone(), "End of quiet hours, HH:MM local", &mut w.end);
                    if w.is_overnight() {
                        ui.weak("(overnight)");
                    }
                }
            });
            ui.end_row();
            grid_diagnostics_ui(ui, d, &Field::DndWindow(day));
        }
    });
    // On its own line: beside a weekday's times it widened the inspector.
    if let Some((first, copy)) = dnd.windows.iter().next().map(|(day, w)| (*day, *w)) {
        let name = first.short_name();
        let button = ui.button(format!("Apply {name} to all days"));
        if named(button, format!("Apply {name} to all days"), "Use this weekday's window on every day").clicked() {
            for day in Weekday::ALL {
                dnd.windows.insert(day, copy);
            }
            changed = true;
        }
    }
    changed
}

fn timezone_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Timezone");
    let tz = &mut setup.timezone;
    grid(ui, "timezone", |ui| {
        let tip = "Used for scheduled runs, daily checks and midnights";
        changed |= row(ui, "Account timezone", tip, |ui, id| timezone_edit(ui, "account", id, tip, &mut tz.account));
        grid_diagnostics_ui(ui, d, &Field::AccountTimezone);
    });
    changed |= ui
        .checkbox(&mut tz.per_user, "Deliver in each user's timezone")
        .on_hover_text("DND, time-of-day and best-time waits use the user's own timezone")
        .changed();
    changed
}

fn control_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Control groups");
    let c = &mut setup.control;
    grid(ui, "control", |ui| {
        changed |= crate::app::explore::sweepable(ui, "setup.control.journey_percent".to_owned(), |ui| {
            optional_percent_row(
                ui,
                "Journey control group",
                "Share of entrants sent nothing, to measure boost (2–99 %)",
                &mut c.journey_percent,
                10,
                (2, 99),
            )
        });
        grid_diagnostics_ui(ui, d, &Field::JourneyControl);
        changed |= optional_percent_row(
            ui,
            "System control group",
            "A fixed share held out of every journey (2–5 %)",
            &mut c.system_percent,
            5,
            (2, 5),
        );
        grid_diagnostics_ui(ui, d, &Field::SystemControl);
    });
    if setup.control.journey_percent.is_some()
        && ui
            .button("Plan test…")
            .on_hover_text("How many entries and days the control group needs to show the journey's effect")
            .clicked()
    {
        crate::app::explore::request(
            ui.ctx(),
            crate::app::explore::Request::Plan(crate::sim::planner::TestKind::Control),
        );
    }
    changed
}

/// A checkbox plus a whole percentage; a value outside the range (say, from a file) is
/// kept, and validation reports it under the row.
fn optional_percent_row(
    ui: &mut Ui,
    label: &str,
    tip: &str,
    value: &mut Option<u8>,
    default: u8,
    (lo, hi): (u8, u8),
) -> bool {
    let mut on = value.is_some();
    let mut changed = ui.checkbox(&mut on, label).on_hover_text(tip).changed();
    if changed {
        *value = on.then_some(value.unwrap_or(default));
    }
    ui.horizontal(|ui| {
        if let Some(p) = value {
            let name = format!("{label} %");
            changed |= int_edit(ui, &name, name.clone(), tip, p, i128::from(lo), i128::from(hi));
            ui.label("%");
        }
    });
    ui.end_row();
    changed
}

fn limits_ui(ui: &mut Ui, setup: &mut Setup, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Limits");
    grid(ui, "limits", |ui| {
        changed |= optional_duration_row(
            ui,
            "Journey timeout",
            "The longest time a user may stay in the journey",
            &mut setup.timeout,
            Seconds::days(14),
        );
        grid_diagnostics_ui(ui, d, &Field::Timeout);
        let mut on = setup.frequency_cap.is_some();
        if ui
            .checkbox(&mut on, "Frequency cap")
            .on_hover_text("At most N messages per user in a rolling period")
            .changed()
        {
            setup.frequency_cap = on.then(|| {
                setup.frequency_cap.clone().unwrap_or(FrequencyCap { max_messages: 3, period: CapPeriod::Day })
            });
            changed = true;
        }
        // Two short lines rather than one long one, so the inspector keeps its width.
        ui.vertical(|ui| {
            if let Some(cap) = &mut setup.frequency_cap {
                ui.horizontal(|ui| {
                    changed |= int_edit(
                        ui,
                        "cap_max",
                        "Most messages",
                        "Most messages per user in the period",
                        &mut cap.max_messages,
                        1,
                        10_000,
                    );
                    ui.label("messages");
                });
                ui.horizontal(|ui| {
                    ui.label("per");
                    changed |= choice_edit(
                        ui,
                        "cap_period",
                        "Cap period",
                        "The rolling period",
                        &mut cap.period,
                        &[(CapPeriod::Day, "day"), (CapPeriod::Week, "week")],
                    );
                });
            }
        });
        ui.end_row();
        grid_diagnostics_ui(ui, d, &Field::FrequencyCap);
    });
    changed
}

fn exit_ui(ui: &mut Ui, exits: &mut Vec<EventFilter>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    heading(ui, "Exit criteria");
    ui.weak("Events that take a user out at once, without counting as a conversion");
    let mut remove = None;
    for (i, e) in exits.iter_mut().enumerate() {
        let name = format!("Exit event {}", i + 1);
        ui.push_id(("exit", i), |ui| {
            // The remove button goes under the event: beside it, it widened the inspector.
            let field = Field::ExitCriterion(i);
            changed |= event_filter_ui(ui, &name, "An event that takes the user out", e, d, &field);
            if remove_button(ui, &format!("Remove {}", name.to_lowercase())) {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        exits.remove(i);
        changed = true;
    }
    if ui.button("Add exit event").on_hover_text("Add an event that ends the journey for a user").clicked() {
        exits.push(EventFilter::named(""));
        changed = true;
    }
    changed
}
