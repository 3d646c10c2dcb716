//! Setup and goal rules: name, description, control groups, account timezone, start and
//! end, a usable timeline for scheduled journeys, re-entry, frequency cap, exit criteria,
//! timeout; at most 3 goals, each with a name and an event.
//!
//! Invariant: setup problems are placed at [`Location::Setup`], goal problems at
//! [`Location::Goal`] with the goal's index.

use super::nodes::{Problems, event_filter};
use super::{Location, Out, Rule};
use crate::model::{EntryRule, Journey, MAX_GOALS, Recurrence, Timeline};

/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 120;

/// Runs the setup and goal rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    for (rule, msg) in setup(j) {
        out.error(rule, Location::Setup, msg);
    }
    goals(j, out);
}

fn setup(j: &Journey) -> Problems {
    let s = &j.setup;
    let mut p = Problems::new();
    if s.name.trim().is_empty() {
        p.push((Rule::RequiredField, "The journey needs a name".to_owned()));
    }
    let chars = s.description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        p.push((
            Rule::DescriptionTooLong,
            format!("The description has {chars} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"),
        ));
    }
    if let Some(pc) = s.control.journey_percent
        && !(2..=99).contains(&pc)
    {
        p.push((Rule::ControlGroup, format!("The journey control group is {pc}%; it must be between 2% and 99%")));
    }
    if let Some(pc) = s.control.system_percent
        && !(2..=5).contains(&pc)
    {
        p.push((Rule::ControlGroup, format!("The system control group is {pc}%; it must be between 2% and 5%")));
    }
    if s.timezone.account.zone().is_none() {
        p.push((
            Rule::UnknownTimezone,
            format!(
                "The account timezone '{}' is not a known timezone name (such as Asia/Kolkata)",
                s.timezone.account
            ),
        ));
    }
    if let Some(end) = s.end
        && end <= s.start
    {
        p.push((Rule::EndBeforeStart, format!("The journey ends ({end}) before it starts ({})", s.start)));
    }
    if let Some(t) = s.timeout
        && t.0 <= 0
    {
        p.push((Rule::NonPositive, "The journey timeout must be longer than 0".to_owned()));
    }
    let scheduled =
        j.entry().is_some_and(|e| matches!(e.rule, EntryRule::PastBehaviour(_) | EntryRule::CustomList { .. }));
    if scheduled {
        timeline(j, &mut p);
    }
    if s.reentry.enabled {
        if let Some(c) = s.reentry.cooldown
            && c.0 < 0
        {
            p.push((Rule::Reentry, "The re-entry cooldown cannot be negative".to_owned()));
        }
        if s.reentry.max_entries == Some(0) {
            p.push((Rule::Reentry, "The most entries per user must be at least 1".to_owned()));
        }
    }
    if let Some(cap) = &s.frequency_cap
        && cap.max_messages == 0
    {
        p.push((Rule::FrequencyCap, "The frequency cap must allow at least 1 message".to_owned()));
    }
    for (i, e) in s.exit_criteria.iter().enumerate() {
        event_filter(e, &format!("Exit criterion {}", i + 1), &mut p);
    }
    p
}

fn timeline(j: &Journey, p: &mut Problems) {
    let s = &j.setup;
    match &s.timeline {
        Timeline::Once => {}
        Timeline::SpecificDates(dates) => {
            if dates.is_empty() {
                p.push((Rule::Timeline, "The entry timeline has no dates: add at least one".to_owned()));
            } else if !dates.iter().any(|d| *d >= s.start && s.end.is_none_or(|e| *d <= e)) {
                p.push((
                    Rule::Timeline,
                    "None of the timeline's dates lies between the journey's start and end, so no one would enter"
                        .to_owned(),
                ));
            }
        }
        Timeline::Recurring(r) => match r {
            Recurrence::EveryDays(0) => {
                p.push((Rule::Timeline, "The entry timeline repeats every 0 days; use 1 or more".to_owned()));
            }
            Recurrence::Weekly(days) if days.is_empty() => {
                p.push((Rule::Timeline, "The weekly entry timeline has no weekdays: pick at least one".to_owned()));
            }
            Recurrence::Monthly(d) if !(1..=31).contains(d) => {
                p.push((Rule::Timeline, format!("The monthly entry timeline runs on day {d}; use a day from 1 to 31")));
            }
            _ => {}
        },
    }
}

fn goals(j: &Journey, out: &mut Out) {
    if j.goals.len() > MAX_GOALS {
        out.error(
            Rule::TooManyGoals,
            Location::Goal(MAX_GOALS),
            format!("The journey has {} goals; at most {MAX_GOALS} are allowed", j.goals.len()),
        );
    }
    for (i, g) in j.goals.iter().enumerate() {
        let who = format!("Goal {}", i + 1);
        let mut p = Problems::new();
        if g.name.trim().is_empty() {
            p.push((Rule::RequiredField, format!("{who} needs a name")));
        }
        event_filter(&g.event, &who, &mut p);
        if g.value_property.as_ref().is_some_and(|v| v.trim().is_empty()) {
            p.push((Rule::RequiredField, format!("{who}: the value property is empty; name it or turn the value off")));
        }
        for (rule, msg) in p {
            out.error(rule, Location::Goal(i), msg);
        }
    }
}
