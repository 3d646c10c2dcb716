//! Setup and goal rules: name, description, control groups, account timezone, start and
//! end, a usable timeline for scheduled journeys, re-entry, whole-day DND windows,
//! frequency cap, exit criteria, timeout; at most 3 goals, each with a name and an event.
//!
//! Invariant: setup problems are placed at [`Location::Setup`], goal problems at
//! [`Location::Goal`] with the goal's index.

use super::nodes::event_filter;
use super::{Field, Location, Out, Problems, Rule, Severity};
use crate::model::{DndAction, EntryRule, Journey, MAX_GOALS, Recurrence, Timeline};

/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 120;

/// Runs the setup and goal rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    setup(j).report(out, Severity::Error, &Location::Setup);
    dnd(j).report(out, Severity::Warning, &Location::Setup);
    goals(j, out);
}

/// Whether `code` has the shape of an ISO 4217 currency code (three capital ASCII letters).
#[must_use]
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn setup(j: &Journey) -> Problems {
    let s = &j.setup;
    let mut p = Problems::new();
    if s.name.trim().is_empty() {
        p.at(Field::Name, |p| p.push((Rule::RequiredField, "The journey needs a name".to_owned())));
    }
    let chars = s.description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        p.at(Field::Description, |p| {
            p.push((
                Rule::DescriptionTooLong,
                format!("The description has {chars} characters; at most {MAX_DESCRIPTION_CHARS} are allowed"),
            ));
        });
    }
    if !is_currency_code(&s.currency) {
        p.at(Field::Currency, |p| {
            p.push((
                Rule::Currency,
                format!(
                    "The currency '{}' is not an ISO 4217 code: three capital letters, such as USD, EUR or INR",
                    s.currency
                ),
            ));
        });
    }
    if let Some(pc) = s.control.journey_percent
        && !(2..=99).contains(&pc)
    {
        p.at(Field::JourneyControl, |p| {
            p.push((Rule::ControlGroup, format!("The journey control group is {pc}%; it must be between 2% and 99%")));
        });
    }
    if let Some(pc) = s.control.system_percent
        && !(2..=5).contains(&pc)
    {
        p.at(Field::SystemControl, |p| {
            p.push((Rule::ControlGroup, format!("The system control group is {pc}%; it must be between 2% and 5%")));
        });
    }
    if s.timezone.account.zone().is_none() {
        p.at(Field::AccountTimezone, |p| {
            p.push((
                Rule::UnknownTimezone,
                format!(
                    "The account timezone '{}' is not a known timezone name (such as Asia/Kolkata)",
                    s.timezone.account
                ),
            ));
        });
    }
    if let Some(end) = s.end
        && end <= s.start
    {
        p.at(Field::End, |p| {
            p.push((Rule::EndBeforeStart, format!("The journey ends ({end}) before it starts ({})", s.start)));
        });
    }
    if let Some(t) = s.timeout
        && t.0 <= 0
    {
        p.at(Field::Timeout, |p| p.push((Rule::NonPositive, "The journey timeout must be longer than 0".to_owned())));
    }
    let scheduled =
        j.entry().is_some_and(|e| matches!(e.rule, EntryRule::PastBehaviour(_) | EntryRule::CustomList { .. }));
    if scheduled {
        p.at(Field::Timeline, |p| timeline(j, p));
    }
    if s.reentry.enabled {
        if let Some(c) = s.reentry.cooldown
            && c.0 < 0
        {
            p.at(Field::ReentryCooldown, |p| {
                p.push((Rule::Reentry, "The re-entry cooldown cannot be negative".to_owned()));
            });
        }
        if s.reentry.max_entries == Some(0) {
            p.at(Field::ReentryMax, |p| {
                p.push((Rule::Reentry, "The most entries per user must be at least 1".to_owned()));
            });
        }
    }
    if let Some(cap) = &s.frequency_cap
        && cap.max_messages == 0
    {
        p.at(Field::FrequencyCap, |p| {
            p.push((Rule::FrequencyCap, "The frequency cap must allow at least 1 message".to_owned()));
        });
    }
    for (i, e) in s.exit_criteria.iter().enumerate() {
        p.at(Field::ExitCriterion(i), |p| event_filter(e, &format!("Exit criterion {}", i + 1), p));
    }
    p
}

/// Warnings about DND windows: a window that starts and ends at the same time covers the
/// whole day (the engine reads it so), which is rarely what was meant.
fn dnd(j: &Journey) -> Problems {
    let dnd = &j.setup.dnd;
    let mut p = Problems::new();
    if !dnd.enabled {
        return p;
    }
    let effect = match dnd.action {
        DndAction::Skip => "every message due that day is skipped",
        DndAction::Defer => "every message due that day waits until the same time the next day",
    };
    for (day, w) in &dnd.windows {
        if w.start == w.end {
            let d = day.short_name();
            p.at(Field::DndWindow(*day), |p| {
                p.push((
                    Rule::DndWindow,
                    format!(
                        "Quiet hours on {d} start and end at {}, so they last the whole day: {effect}; set an end \
                         different from the start",
                        w.start
                    ),
                ));
            });
        }
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
            p.at(Field::GoalName, |p| p.push((Rule::RequiredField, format!("{who} needs a name"))));
        }
        p.at(Field::GoalEvent, |p| event_filter(&g.event, &who, p));
        if g.value_property.as_ref().is_some_and(|v| v.trim().is_empty()) {
            p.at(Field::GoalValue, |p| {
                p.push((
                    Rule::RequiredField,
                    format!("{who}: the value property is empty; name it or turn the value off"),
                ));
            });
        }
        p.report(out, Severity::Error, &Location::Goal(i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CapPeriod, EventFilter, FrequencyCap, NodeId, NodeKind, PastBehaviourRule, Seconds, Timestamp, TzName,
    };
    use crate::validate::testkit::{assert_clean, kind, of, one, valid};
    use crate::validate::{Diagnostic, Severity};

    fn setup_error(j: &Journey, rule: Rule) -> Diagnostic {
        let d = one(j, rule, Severity::Error);
        assert_eq!(d.location, Location::Setup);
        d
    }

    fn scheduled() -> Journey {
        let mut j = valid();
        if let NodeKind::Entry(seg) = kind(&mut j, NodeId(1)) {
            seg.rule = EntryRule::PastBehaviour(PastBehaviourRule {
                event: EventFilter::named("App Launched"),
                last_days: 7,
                ..PastBehaviourRule::default()
            });
        }
        j
    }

    #[test]
    fn name_is_required() {
        let mut j = valid();
        j.setup.name = " ".into();
        assert!(setup_error(&j, Rule::RequiredField).message.contains("name"));
    }

    #[test]
    fn description_at_most_120_characters() {
        let mut j = valid();
        j.setup.description = "ü".repeat(120);
        assert_clean(&j);
        j.setup.description.push('!');
        setup_error(&j, Rule::DescriptionTooLong);
    }

    #[test]
    fn currency_is_an_iso_code() {
        let mut j = valid();
        assert_eq!(j.setup.currency, "USD");
        j.setup.currency = "INR".into();
        assert_clean(&j);
        for bad in ["", "usd", "US", "EURO", "€"] {
            j.setup.currency = bad.into();
            assert!(setup_error(&j, Rule::Currency).message.contains("ISO 4217"), "{bad:?}");
        }
    }

    #[test]
    fn control_groups_in_range() {
        let mut j = valid();
        j.setup.control.journey_percent = Some(2);
        j.setup.control.system_percent = Some(5);
        assert_clean(&j);
        j.setup.control.journey_percent = Some(1);
        setup_error(&j, Rule::ControlGroup);
        j.setup.control.journey_percent = Some(100);
        setup_error(&j, Rule::ControlGroup);
        j.setup.control.journey_percent = Some(99);
        j.setup.control.system_percent = Some(6);
        setup_error(&j, Rule::ControlGroup);
    }

    #[test]
    fn account_timezone_must_be_known() {
        let mut j = valid();
        j.setup.timezone.account = TzName::new("Asia/Kolkata");
        assert_clean(&j);
        j.setup.timezone.account = TzName::new("Mars/Olympus");
        assert!(setup_error(&j, Rule::UnknownTimezone).message.contains("Mars/Olympus"));
    }

    #[test]
    fn end_after_start() {
        let mut j = valid();
        j.setup.end = Some(j.setup.start.plus(Seconds::DAY));
        assert_clean(&j);
        j.setup.end = Some(j.setup.start);
        setup_error(&j, Rule::EndBeforeStart);
    }

    #[test]
    fn timeout_must_be_positive() {
        let mut j = valid();
        j.setup.timeout = Some(Seconds(0));
        setup_error(&j, Rule::NonPositive);
    }

    #[test]
    fn scheduled_timeline_must_be_usable() {
        let mut j = scheduled();
        assert_clean(&j);
        let start = j.setup.start;
        j.setup.timeline = Timeline::SpecificDates(vec![]);
        setup_error(&j, Rule::Timeline);
        j.setup.timeline = Timeline::SpecificDates(vec![Timestamp(start.0 - 10)]);
        setup_error(&j, Rule::Timeline);
        j.setup.timeline = Timeline::SpecificDates(vec![start.plus(Seconds::DAY)]);
        assert_clean(&j);
        for bad in
            [Recurrence::EveryDays(0), Recurrence::Weekly(vec![]), Recurrence::Monthly(0), Recurrence::Monthly(32)]
        {
            j.setup.timeline = Timeline::Recurring(bad);
            setup_error(&j, Rule::Timeline);
        }
        j.setup.timeline = Timeline::Recurring(Recurrence::Monthly(31));
        assert_clean(&j);
        // A live journey ignores the timeline.
        let mut j = valid();
        j.setup.timeline = Timeline::SpecificDates(vec![]);
        assert_clean(&j);
    }

    #[test]
    fn reentry_settings_sane() {
        let mut j = valid();
        j.setup.reentry.enabled = true;
        j.setup.reentry.max_entries = Some(0);
        setup_error(&j, Rule::Reentry);
        j.setup.reentry.max_entries = Some(3);
        j.setup.reentry.cooldown = Some(Seconds(-1));
        setup_error(&j, Rule::Reentry);
        j.setup.reentry.cooldown = Some(Seconds::DAY);
        assert_clean(&j);
    }

    #[test]
    fn whole_day_dnd_window_is_a_warning_at_its_weekday() {
        use crate::model::{Dnd, TimeOfDay, TimeWindow, Weekday};
        let mut j = valid();
        let at = |h| TimeOfDay::new(h, 0).unwrap();
        j.setup.dnd = Dnd::every_day(TimeWindow { start: at(22), end: at(8) }, DndAction::Skip);
        assert_clean(&j);
        j.setup.dnd.windows.insert(Weekday::Wed, TimeWindow { start: at(22), end: at(22) });
        let d = one(&j, Rule::DndWindow, Severity::Warning);
        assert_eq!((d.location, d.field), (Location::Setup, Some(Field::DndWindow(Weekday::Wed))));
        assert!(d.message.starts_with("Quiet hours on Wed start and end at 22:00"), "{}", d.message);
        j.setup.dnd.enabled = false;
        assert_clean(&j);
    }

    #[test]
    fn setup_problems_name_their_field() {
        let mut j = valid();
        j.setup.name.clear();
        j.setup.control.journey_percent = Some(1);
        j.setup.exit_criteria = vec![EventFilter::named("Uninstalled"), EventFilter::named("")];
        let fields: Vec<_> = crate::validate::validate(&j)
            .into_iter()
            .filter(|d| d.location == Location::Setup)
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, [Some(Field::Name), Some(Field::JourneyControl), Some(Field::ExitCriterion(1))]);
    }

    #[test]
    fn frequency_cap_allows_a_message() {
        let mut j = valid();
        j.setup.frequency_cap = Some(FrequencyCap { max_messages: 0, period: CapPeriod::Day });
        setup_error(&j, Rule::FrequencyCap);
    }

    #[test]
    fn exit_criteria_need_event_names() {
        let mut j = valid();
        j.setup.exit_criteria.push(EventFilter::named(""));
        setup_error(&j, Rule::RequiredField);
    }

    #[test]
    fn at_most_3_goals() {
        let mut j = valid();
        for _ in 0..2 {
            let g = j.goals[0].clone();
            j.goals.push(g);
        }
        assert_clean(&j);
        let g = j.goals[0].clone();
        j.goals.push(g);
        assert_eq!(one(&j, Rule::TooManyGoals, Severity::Error).location, Location::Goal(3));
    }

    #[test]
    fn goal_needs_a_name_and_an_event() {
        let mut j = valid();
        j.goals[0].name.clear();
        assert_eq!(one(&j, Rule::RequiredField, Severity::Error).location, Location::Goal(0));
        let mut j = valid();
        j.goals[0].event.event.clear();
        assert_eq!(one(&j, Rule::RequiredField, Severity::Error).place(), "goal 1");
        let mut j = valid();
        j.goals[0].value_property = Some(String::new());
        assert_eq!(of(&j, Rule::RequiredField).len(), 1);
        assert_eq!(of(&j, Rule::RequiredField)[0].field, Some(Field::GoalValue));
        j.goals[0].event.event.clear();
        assert_eq!(of(&j, Rule::RequiredField)[0].field, Some(Field::GoalEvent));
    }
}
