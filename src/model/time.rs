//! Typed time for the model and the engine.
//!
//! Invariants: an instant is a whole number of seconds since the Unix epoch in UTC
//! ([`Timestamp`]); a duration is a whole number of seconds ([`Seconds`]). Neither is
//! ever a bare `f64`. Local wall-clock values ([`TimeOfDay`], [`Weekday`]) only gain a
//! meaning together with an IANA timezone ([`TzName`]).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An absolute instant: seconds since 1970-01-01T00:00:00Z.
///
/// Saved as an RFC 3339 UTC string (`"2026-12-01T09:00:00Z"`) so that files stay readable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The instant `secs` seconds after this one (saturating, so user data never overflows).
    #[must_use]
    pub fn plus(self, secs: Seconds) -> Self {
        Self(self.0.saturating_add(secs.0))
    }

    /// Seconds from `earlier` to `self` (negative when `earlier` is later).
    #[must_use]
    pub fn since(self, earlier: Self) -> Seconds {
        Seconds(self.0.saturating_sub(earlier.0))
    }

    /// Builds an instant from a UTC calendar date and time; `None` when the fields are invalid.
    #[must_use]
    pub fn from_utc(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Self> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, second).single().map(|t| Self(t.timestamp()))
    }

    /// The instant as a chrono UTC date-time, `None` outside chrono's range.
    #[must_use]
    pub fn to_utc(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.0, 0)
    }
}

impl Timestamp {
    /// The instant a wall-clock date-time names in `zone`.
    ///
    /// # Errors
    /// When the clocks skip that time (a daylight-saving gap), or pass it twice (when
    /// daylight saving ends): the error says which, and for the second names both instants.
    pub fn from_local(local: NaiveDateTime, zone: chrono_tz::Tz) -> Result<Self, LocalTimeError> {
        match zone.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => Ok(Self(t.timestamp())),
            chrono::LocalResult::Ambiguous(a, b) => {
                let (first, second) = if a <= b { (a, b) } else { (b, a) };
                Err(LocalTimeError::Ambiguous {
                    local: fmt_local(local),
                    zone: zone.name().to_owned(),
                    first: fmt_with_offset(&first),
                    second: fmt_with_offset(&second),
                })
            }
            chrono::LocalResult::None => {
                Err(LocalTimeError::Skipped { local: fmt_local(local), zone: zone.name().to_owned() })
            }
        }
    }

    /// The wall-clock date-time of this instant in `zone`, `None` outside chrono's range.
    #[must_use]
    pub fn to_local(self, zone: chrono_tz::Tz) -> Option<NaiveDateTime> {
        self.to_utc().map(|t| t.with_timezone(&zone).naive_local())
    }

    /// This instant as `YYYY-MM-DD HH:MM` (with `:SS` when the seconds are not zero) in
    /// `zone`. A time the clocks pass twice gets its UTC offset (`2027-10-31 01:30 +01:00`),
    /// so that [`Self::parse_local`] reads the text back to the same instant.
    #[must_use]
    pub fn format_local(self, zone: chrono_tz::Tz) -> String {
        let Some(t) = self.to_utc().map(|t| t.with_timezone(&zone)) else { return self.to_string() };
        if Self::from_local(t.naive_local(), zone).is_ok() { fmt_local(t.naive_local()) } else { fmt_with_offset(&t) }
    }

    /// Reads a date-time typed in `zone`: `YYYY-MM-DD HH:MM` (or with `:SS`, or a `T`)
    /// is wall-clock time there; a text with an offset or `Z` (`2027-10-31 01:30 +01:00`,
    /// `2027-01-04T09:00:00Z`) or `@SECONDS` names its instant whatever the zone.
    ///
    /// # Errors
    /// A message a marketer understands: the expected form, or why the wall-clock time
    /// names no single instant in `zone` ([`LocalTimeError`]).
    pub fn parse_local(text: &str, zone: chrono_tz::Tz) -> Result<Self, String> {
        let t = text.trim();
        if let Some(secs) = t.strip_prefix('@').and_then(|n| n.parse().ok()) {
            return Ok(Self(secs));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self(dt.timestamp()));
        }
        for fmt in ["%Y-%m-%d %H:%M %:z", "%Y-%m-%d %H:%M%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M:%S %:z"] {
            if let Ok(dt) = DateTime::parse_from_str(t, fmt) {
                return Ok(Self(dt.timestamp()));
            }
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
                return Self::from_local(n, zone).map_err(|e| e.to_string());
            }
        }
        Err(format!("{t:?} is not a date-time: use YYYY-MM-DD HH:MM ({})", zone.name()))
    }
}

/// `YYYY-MM-DD HH:MM`, with `:SS` when the seconds are not zero.
fn fmt_local(t: NaiveDateTime) -> String {
    if chrono::Timelike::second(&t) == 0 {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A zoned date-time with its UTC offset, as [`Timestamp::parse_local`] reads it.
fn fmt_with_offset<Z: chrono::TimeZone>(t: &DateTime<Z>) -> String
where
    Z::Offset: fmt::Display,
{
    let offset = t.format("%:z");
    format!("{} {offset}", fmt_local(t.naive_local()))
}

/// Why a wall-clock date-time names no single instant in a timezone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// The clocks jump over it (the start of daylight saving).
    #[error("{local} does not exist in {zone}: the clocks go forward over it; choose a time outside the gap")]
    Skipped {
        /// The typed wall-clock time.
        local: String,
        /// The IANA zone.
        zone: String,
    },
    /// The clocks pass it twice (the end of daylight saving).
    #[error(
        "{local} happens twice in {zone} (the clocks go back): type {first} for the first or {second} for the second"
    )]
    Ambiguous {
        /// The typed wall-clock time.
        local: String,
        /// The IANA zone.
        zone: String,
        /// The earlier instant, with its offset.
        first: String,
        /// The later instant, with its offset.
        second: String,
    },
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // RFC 3339 has four-digit years; other instants are written `@SECONDS`, which
        // `from_str` reads back, so every instant survives a save.
        match self.to_utc().filter(|t| (0..=9999).contains(&chrono::Datelike::year(t))) {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
            None => write!(f, "@{}", self.0),
        }
    }
}

/// Why a text is not an instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a UTC date-time such as 2026-12-01T09:00:00Z, found {0:?}")]
pub struct ParseTimestampError(pub String);

impl FromStr for Timestamp {
    type Err = ParseTimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(secs) = t.strip_prefix('@').and_then(|n| n.parse().ok()) {
            return Ok(Self(secs));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self(dt.timestamp()));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
                return Ok(Self(n.and_utc().timestamp()));
            }
        }
        Err(ParseTimestampError(s.to_owned()))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A span of time in whole seconds (1 day = 86,400 s exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seconds(pub i64);

impl Seconds {
    /// One minute.
    pub const MINUTE: Self = Self(60);
    /// One hour.
    pub const HOUR: Self = Self(3_600);
    /// One day of 86,400 s.
    pub const DAY: Self = Self(86_400);
    /// One week.
    pub const WEEK: Self = Self(604_800);

    /// `n` minutes.
    #[must_use]
    pub const fn minutes(n: i64) -> Self {
        Self(n * 60)
    }
    /// `n` hours.
    #[must_use]
    pub const fn hours(n: i64) -> Self {
        Self(n * 3_600)
    }
    /// `n` days of 86,400 s.
    #[must_use]
    pub const fn days(n: i64) -> Self {
        Self(n * 86_400)
    }
}

impl fmt::Display for Seconds {
    /// Reads as a marketer would say it: "1 day", "90 minutes", "2 hours".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
        let text = if s != 0 && s % 604_800 == 0 {
            plural(s / 604_800, "week")
        } else if s != 0 && s % 86_400 == 0 {
            plural(s / 86_400, "day")
        } else if s != 0 && s % 3_600 == 0 {
            plural(s / 3_600, "hour")
        } else if s != 0 && s % 60 == 0 {
            plural(s / 60, "minute")
        } else {
            plural(s, "second")
        };
        f.write_str(&text)
    }
}

/// A wall-clock time of day, minute precision, saved as `"HH:MM"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeOfDay {
    /// Minutes after local midnight, 0..1440.
    minutes: u16,
}

impl TimeOfDay {
    /// `hour:minute`; `None` unless hour < 24 and minute < 60.
    #[must_use]
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| Self { minutes: u16::from(hour) * 60 + u16::from(minute) })
    }
    /// The hour, 0..24.
    #[must_use]
    pub fn hour(self) -> u8 {
        u8::try_from(self.minutes / 60).unwrap_or(0)
    }
    /// The minute, 0..60.
    #[must_use]
    pub fn minute(self) -> u8 {
        u8::try_from(self.minutes % 60).unwrap_or(0)
    }
    /// Minutes after midnight.
    #[must_use]
    pub fn minutes_of_day(self) -> u16 {
        self.minutes
    }
    /// Seconds after midnight.
    #[must_use]
    pub fn secs_of_day(self) -> i64 {
        i64::from(self.minutes) * 60
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

/// Why a text is not a time of day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a time of day HH:MM between 00:00 and 23:59, found {0:?}")]
pub struct ParseTimeOfDayError(pub String);

impl FromStr for TimeOfDay {
    type Err = ParseTimeOfDayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseTimeOfDayError(s.to_owned());
        let (h, m) = s.trim().split_once(':').ok_or_else(err)?;
        let h: u8 = h.parse().map_err(|_| err())?;
        let m: u8 = m.parse().map_err(|_| err())?;
        Self::new(h, m).ok_or_else(err)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A day of the week, Monday first (ordered, so it can key a `BTreeMap`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// All seven days, Monday first.
    pub const ALL: [Self; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    /// The chrono weekday.
    #[must_use]
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Self::Mon => chrono::Weekday::Mon,
            Self::Tue => chrono::Weekday::Tue,
            Self::Wed => chrono::Weekday::Wed,
            Self::Thu => chrono::Weekday::Thu,
            Self::Fri => chrono::Weekday::Fri,
            Self::Sat => chrono::Weekday::Sat,
            Self::Sun => chrono::Weekday::Sun,
        }
    }

    /// From a chrono weekday.
    #[must_use]
    pub fn from_chrono(d: chrono::Weekday) -> Self {
        Self::ALL[d.num_days_from_monday() as usize]
    }

    /// Short English name ("Mon").
    #[must_use]
    pub fn short_name(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self as usize]
    }
}

/// An IANA timezone name such as `Asia/Kolkata`, kept as text so that a file with a
/// name this build does not know still loads; validation reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TzName(pub String);

impl TzName {
    /// A name from a literal.
    #[must_use]
    pub fn new(name: &str) -> Self {
        Self(name.to_owned())
    }
    /// The chrono-tz zone, `None` when the name is not a known IANA name.
    #[must_use]
    pub fn zone(&self) -> Option<chrono_tz::Tz> {
        self.0.parse().ok()
    }
}

impl Default for TzName {
    fn default() -> Self {
        Self::new("UTC")
    }
}

impl fmt::Display for TzName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_text_round_trips() {
        let t = Timestamp::from_utc(2026, 12, 1, 9, 30, 0).unwrap();
        assert_eq!(t.to_string(), "2026-12-01T09:30:00Z");
        assert_eq!("2026-12-01T09:30:00Z".parse::<Timestamp>().unwrap(), t);
        assert!("yesterday".parse::<Timestamp>().is_err());
        for secs in [i64::MIN, -62_167_219_201, -62_167_219_200, 253_402_300_799, 253_402_300_800, i64::MAX] {
            let text = Timestamp(secs).to_string();
            assert_eq!(text.parse::<Timestamp>(), Ok(Timestamp(secs)), "{text}");
        }
    }

    #[test]
    fn local_times_convert_through_the_zone() {
        let kolkata: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
        let t = Timestamp::parse_local("2027-01-04 09:00", kolkata).unwrap();
        assert_eq!(t, Timestamp::from_utc(2027, 1, 4, 3, 30, 0).unwrap(), "09:00 IST is 03:30 UTC");
        assert_eq!(t.format_local(kolkata), "2027-01-04 09:00");
        assert_eq!(t.format_local(chrono_tz::UTC), "2027-01-04 03:30");
        // An explicit offset or Z names the instant whatever the zone.
        assert_eq!(Timestamp::parse_local("2027-01-04T03:30:00Z", kolkata), Ok(t));
        assert_eq!(Timestamp::parse_local("2027-01-04 09:00 +05:30", chrono_tz::UTC), Ok(t));
        assert!(Timestamp::parse_local("2027-02-30 09:00", kolkata).unwrap_err().contains("Asia/Kolkata"));
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_are_refused_clearly() {
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        // 2027-03-28 01:00 GMT the clocks go to 02:00 BST: 01:30 does not exist.
        let gap = Timestamp::parse_local("2027-03-28 01:30", london).unwrap_err();
        assert!(gap.contains("does not exist in Europe/London"), "{gap}");
        // 2027-10-31 02:00 BST the clocks go back to 01:00 GMT: 01:30 happens twice.
        let twice = Timestamp::parse_local("2027-10-31 01:30", london).unwrap_err();
        assert!(twice.contains("happens twice") && twice.contains("+01:00") && twice.contains("+00:00"), "{twice}");
        // Either instant, typed with its offset, is read back and shown with it.
        let first = Timestamp::parse_local("2027-10-31 01:30 +01:00", london).unwrap();
        let second = Timestamp::parse_local("2027-10-31 01:30 +00:00", london).unwrap();
        assert_eq!(second.0 - first.0, 3_600);
        for t in [first, second] {
            assert_eq!(Timestamp::parse_local(&t.format_local(london), london), Ok(t));
        }
        // Far instants never panic.
        for t in [Timestamp(i64::MIN), Timestamp(i64::MAX)] {
            assert_eq!(Timestamp::parse_local(&t.format_local(london), london), Ok(t));
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(Seconds::DAY.to_string(), "1 day");
        assert_eq!(Seconds::minutes(90).to_string(), "90 minutes");
        assert_eq!(Seconds::hours(2).to_string(), "2 hours");
        assert_eq!(Seconds(45).to_string(), "45 seconds");
    }

    #[test]
    fn time_of_day_parses_and_rejects() {
        assert_eq!("22:00".parse::<TimeOfDay>().unwrap(), TimeOfDay::new(22, 0).unwrap());
        assert!("24:00".parse::<TimeOfDay>().is_err());
        assert!("7".parse::<TimeOfDay>().is_err());
    }
}
