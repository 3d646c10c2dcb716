//! The setup form of §1.1. The entry type is not stored here: it follows from the entry
//! node's rule ([`super::EntryRule::is_live`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition::EventFilter;
use super::time::{Seconds, TimeOfDay, Timestamp, TzName, Weekday};

/// Journey setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Journey name (required).
    pub name: String,
    /// Description (at most 120 characters).
    pub description: String,
    /// When the journey starts: a fixed instant, so a saved journey always simulates the same way.
    pub start: Timestamp,
    /// When new entries stop; users inside carry on.
    pub end: Option<Timestamp>,
    /// Scheduled runs (used only by scheduled entry rules).
    pub timeline: Timeline,
    /// Whether and how users may enter again.
    pub reentry: Reentry,
    /// Do-not-disturb windows.
    pub dnd: Dnd,
    /// Account timezone and per-user delivery.
    pub timezone: TimezoneSetting,
    /// Control groups.
    pub control: ControlGroups,
    /// Longest stay in the journey; `None` means until the horizon.
    pub timeout: Option<Seconds>,
    /// Optional frequency cap.
    pub frequency_cap: Option<FrequencyCap>,
    /// Events that take a user out at once, without converting.
    pub exit_criteria: Vec<EventFilter>,
    /// The ISO 4217 code every money figure is shown in (goal values and message costs).
    /// Files saved before it existed load with USD.
    #[serde(default = "default_currency")]
    pub currency: String,
}

/// The currency of a journey that names none.
pub const DEFAULT_CURRENCY: &str = "USD";

fn default_currency() -> String {
    DEFAULT_CURRENCY.to_owned()
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            name: "Untitled journey".to_owned(),
            description: String::new(),
            start: Timestamp::from_utc(2027, 1, 4, 0, 0, 0).unwrap_or_default(),
            end: None,
            timeline: Timeline::Once,
            reentry: Reentry::default(),
            dnd: Dnd::default(),
            timezone: TimezoneSetting::default(),
            control: ControlGroups::default(),
            timeout: Some(Seconds::days(14)),
            frequency_cap: None,
            exit_criteria: Vec::new(),
            currency: default_currency(),
        }
    }
}

/// When scheduled journeys evaluate their entry rule.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub enum Timeline {
    /// One qualification run at the start.
    #[default]
    Once,
    /// Runs at these instants (before the end).
    SpecificDates(Vec<Timestamp>),
    /// First run at the start, then repeating until the end.
    Recurring(Recurrence),
}

/// How a recurring timeline repeats; each run is at the start's local time of day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Recurrence {
    /// Every N days.
    EveryDays(u32),
    /// Weekly on the chosen weekdays.
    Weekly(Vec<Weekday>),
    /// Monthly on a day of the month (1–28 fits every month; 29–31 skip short months).
    Monthly(u8),
}

/// Re-entry rules.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reentry {
    /// Off by default: one entry per user.
    pub enabled: bool,
    /// Time after exit before a user may enter again.
    pub cooldown: Option<Seconds>,
    /// Most entries per user.
    pub max_entries: Option<u32>,
}

/// What DND does to a message inside a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DndAction {
    /// The user takes the Unreachable output (counted as DND skipped).
    Skip,
    /// The message goes out when the window ends.
    #[default]
    Defer,
}

/// A local time window; an end at or before the start runs overnight into the next day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// Local start.
    pub start: TimeOfDay,
    /// Local end.
    pub end: TimeOfDay,
}

impl TimeWindow {
    /// Whether the window runs past midnight.
    #[must_use]
    pub fn is_overnight(self) -> bool {
        self.end <= self.start
    }
}

/// Do-not-disturb settings.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dnd {
    /// Whether DND applies at all.
    pub enabled: bool,
    /// One window per weekday at most; an overnight window belongs to the day it starts on.
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub windows: BTreeMap<Weekday, TimeWindow>,
    /// Skip or defer.
    pub action: DndAction,
}

impl Dnd {
    /// The same window on every day ("apply to all days").
    #[must_use]
    pub fn every_day(window: TimeWindow, action: DndAction) -> Self {
        Self { enabled: true, windows: Weekday::ALL.iter().map(|d| (*d, window)).collect(), action }
    }
}

/// Account timezone and "deliver in each user's timezone".
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimezoneSetting {
    /// The account timezone: scheduled runs, daily checks, midnights.
    pub account: TzName,
    /// DND, time-of-day and best-time waits use each user's own timezone.
    pub per_user: bool,
}

/// Control groups (§1.1, §2.2).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlGroups {
    /// Journey control group, 2–99 % of entrants outside the system group; `None` is off.
    pub journey_percent: Option<u8>,
    /// System control group, 2–5 %; `None` is off.
    pub system_percent: Option<u8>,
}

/// At most N messages per user in a rolling period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyCap {
    /// Most messages in the period.
    pub max_messages: u32,
    /// The rolling period.
    pub period: CapPeriod,
}

/// Frequency-cap periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CapPeriod {
    /// 86,400 s.
    Day,
    /// 7 × 86,400 s.
    Week,
}

impl CapPeriod {
    /// The period's length.
    #[must_use]
    pub fn length(self) -> Seconds {
        match self {
            Self::Day => Seconds::DAY,
            Self::Week => Seconds::WEEK,
        }
    }
}
