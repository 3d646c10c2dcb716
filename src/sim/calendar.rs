//! Calendar arithmetic for the engine: local times in IANA timezones (chrono-tz), the
//! local-time rule of SPEC §2.2, time-of-day and best-time waits, DND windows and the
//! scheduled entry runs.
//!
//! Invariants:
//! - One local-time rule everywhere: a local time that does not exist (spring forward)
//!   becomes the next valid instant (the end of the gap); an ambiguous one (fall back)
//!   takes the later instant.
//! - "Next" functions return an instant strictly after their argument.
//! - Pure and total: no function panics on any input. Instants are clamped to the
//!   supported calendar range [`CALENDAR_MIN`, `CALENDAR_MAX`] (years 1 to 9999) before
//!   any calendar work; a "next" instant for an argument at or beyond `CALENDAR_MAX` is
//!   `Timestamp(i64::MAX)`, read as "never".

use chrono::{DateTime, Datelike as _, Days, LocalResult, NaiveDate, NaiveDateTime, Offset as _, TimeZone as _};
use chrono_tz::Tz;

use crate::model::{Dnd, Recurrence, Setup, TimeOfDay, Timeline, Timestamp, Weekday};

/// Earliest instant the calendar functions work with: 0001-01-01T00:00:00Z.
pub const CALENDAR_MIN: Timestamp = Timestamp(-62_135_596_800);
/// Latest instant the calendar functions work with: 9999-12-31T23:59:59Z.
pub const CALENDAR_MAX: Timestamp = Timestamp(253_402_300_799);

/// Most runs [`scheduled_runs`] returns.
pub const MAX_SCHEDULED_RUNS: usize = 5_000;

/// Most back-to-back DND windows [`dnd_release`] follows before giving up and releasing.
pub const MAX_CHAINED_DND_WINDOWS: usize = 16;

const DAY_SECS: i64 = 86_400;

/// "Never": the answer of a "next" function past the calendar's end.
const NEVER: Timestamp = Timestamp(i64::MAX);

fn clamp(t: Timestamp) -> Timestamp {
    Timestamp(t.0.clamp(CALENDAR_MIN.0, CALENDAR_MAX.0))
}

fn utc_naive(t: Timestamp) -> NaiveDateTime {
    DateTime::from_timestamp(clamp(t).0, 0).unwrap_or_default().naive_utc()
}

/// The UTC offset of `tz` at instant `t`, in seconds.
fn offset_secs(tz: Tz, t: Timestamp) -> i64 {
    i64::from(tz.offset_from_utc_datetime(&utc_naive(t)).fix().local_minus_utc())
}

/// The local wall-clock date-time of `t` in `tz`.
fn local_naive(t: Timestamp, tz: Tz) -> NaiveDateTime {
    let u = utc_naive(t);
    let off = i64::from(tz.offset_from_utc_datetime(&u).fix().local_minus_utc());
    u.checked_add_signed(chrono::TimeDelta::seconds(off)).unwrap_or(u)
}

/// The local date, seconds after local midnight, and weekday of `t` in `tz`
/// (`t` clamped to the calendar range).
#[must_use]
pub fn local_date_time(t: Timestamp, tz: Tz) -> (NaiveDate, i64, Weekday) {
    let l = local_naive(t, tz);
    let secs = l.signed_duration_since(l.date().and_hms_opt(0, 0, 0).unwrap_or(l)).num_seconds();
    (l.date(), secs, Weekday::from_chrono(l.weekday()))
}

/// Adds whole days to a date, saturating at chrono's range.
fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let r = if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    r.unwrap_or(if n >= 0 { NaiveDate::MAX } else { NaiveDate::MIN })
}

/// The instant of local `date` + `secs_of_day` in `tz` (SPEC §2.2 rule: nonexistent ->
/// next valid instant; ambiguous -> the later). `secs_of_day` outside 0..86,400 rolls
/// into neighbouring days; results are clamped to the calendar range.
#[must_use]
pub fn local_to_utc(tz: Tz, date: NaiveDate, secs_of_day: i64) -> Timestamp {
    let date = add_days(date, secs_of_day.div_euclid(DAY_SECS));
    let secs = secs_of_day.rem_euclid(DAY_SECS);
    let Some(midnight) = date.and_hms_opt(0, 0, 0) else {
        return CALENDAR_MIN;
    };
    let local = midnight + chrono::TimeDelta::seconds(secs);
    // The local wall time read as if it were UTC: local = utc + offset.
    let as_utc = local.and_utc().timestamp();
    if as_utc < CALENDAR_MIN.0 {
        return CALENDAR_MIN;
    }
    if as_utc > CALENDAR_MAX.0 {
        return CALENDAR_MAX;
    }
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => clamp(Timestamp(t.timestamp())),
        LocalResult::Ambiguous(a, b) => clamp(Timestamp(a.timestamp().max(b.timestamp()))),
        LocalResult::None => clamp(first_instant_at_or_after_local(tz, as_utc)),
    }
}

/// The first instant whose local wall time (as seconds, "local read as UTC") is at or
/// after `local_secs`: the end of the gap for a nonexistent local time. Offsets lie
/// within ±26 h, so the answer is in `[local − 27 h, local + 27 h]`; local time only
/// moves forward across a gap, so a binary search finds it.
fn first_instant_at_or_after_local(tz: Tz, local_secs: i64) -> Timestamp {
    let window = 27 * 3_600;
    let (mut lo, mut hi) = (local_secs.saturating_sub(window), local_secs.saturating_add(window));
    let local_of = |t: i64| t.saturating_add(offset_secs(tz, Timestamp(t)));
    if local_of(hi) < local_secs {
        return Timestamp(hi);
    }
    // Invariant: local_of(hi) >= local_secs; answer in (lo, hi].
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_of(mid) >= local_secs {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Timestamp(hi)
}

/// The first instant strictly after `t` whose local time in `tz` is `time` (by the
/// §2.2 rule), so arriving at 09:00:00 for 09:00 waits a full day.
#[must_use]
pub fn next_time_of_day(t: Timestamp, tz: Tz, time: TimeOfDay) -> Timestamp {
    next_local_secs(t, tz, time.secs_of_day())
}

/// First instant strictly after `t` at local seconds-of-day `secs` (0..86,400).
fn next_local_secs(t: Timestamp, tz: Tz, secs: i64) -> Timestamp {
    if t >= CALENDAR_MAX {
        return NEVER;
    }
    let t = Timestamp(t.0.max(CALENDAR_MIN.0 - 1));
    let (d, _, _) = local_date_time(t, tz);
    // A day holds at least one candidate unless a whole local day is skipped (Samoa 2011),
    // so a few days always suffice.
    for k in -1..=3 {
        let c = local_to_utc(tz, add_days(d, k), secs);
        if c > t {
            return c;
        }
    }
    NEVER
}

/// The first local 00:00 strictly after `t` (the §2.2 rule applies where midnight is skipped).
#[must_use]
pub fn next_local_midnight(t: Timestamp, tz: Tz) -> Timestamp {
    next_local_secs(t, tz, 0)
}

/// The first whole UTC hour at or after `t` (15:30 -> 16:00; 16:00 -> 16:00): when the
/// hourly timeout processing releases a user whose condition window closed.
#[must_use]
pub fn next_utc_hour_at_or_after(t: Timestamp) -> Timestamp {
    let r = t.0.rem_euclid(3_600);
    if r == 0 { t } else { Timestamp(t.0.saturating_add(3_600 - r)) }
}

/// The peak hour (0..24) of an activity curve: the earliest hour of the largest finite
/// weight; hour 0 when the curve has no finite weight. Entries past 24 are ignored.
#[must_use]
pub fn peak_hour(curve: &[f64]) -> u8 {
    let mut best: Option<(usize, f64)> = None;
    for (h, &w) in curve.iter().take(24).enumerate() {
        if w.is_finite() && best.is_none_or(|(_, b)| w > b) {
            best = Some((h, w));
        }
    }
    best.and_then(|(h, _)| u8::try_from(h).ok()).unwrap_or(0)
}

/// Best time: the first local start of the curve's peak hour (earliest on ties) strictly
/// after `t`.
#[must_use]
pub fn best_time(t: Timestamp, tz: Tz, curve: &[f64]) -> Timestamp {
    next_local_secs(t, tz, i64::from(peak_hour(curve)) * 3_600)
}

/// The UTC span [start, end) of the DND window that starts on local `date`, if that
/// weekday has one. An overnight window (end at or before start) ends on the next day.
/// [`super::dnd::DndTable`] takes its step instants from here, so both agree on every window.
pub(crate) fn window_on(tz: Tz, dnd: &Dnd, date: NaiveDate) -> Option<(Timestamp, Timestamp)> {
    let w = dnd.windows.get(&Weekday::from_chrono(date.weekday()))?;
    let start = local_to_utc(tz, date, w.start.secs_of_day());
    let end_date = if w.is_overnight() { add_days(date, 1) } else { date };
    let end = local_to_utc(tz, end_date, w.end.secs_of_day());
    Some((start, end))
}

/// The end of the latest-ending window containing `t`, if any.
fn containing_window_end(t: Timestamp, tz: Tz, dnd: &Dnd) -> Option<Timestamp> {
    let (d, _, _) = local_date_time(t, tz);
    // Only the window starting on the previous local day (overnight) and today's can hold
    // `t`: a window starting tomorrow starts after `t`, one from two days ago has ended.
    (-1..=0).filter_map(|k| window_on(tz, dnd, add_days(d, k))).filter(|&(s, e)| s <= t && t < e).map(|(_, e)| e).max()
}

/// When a message at `t` may go out under DND: `None` if DND is off or `t` is outside
/// every window; otherwise the end of the window containing `t`. Overnight windows belong
/// to the weekday they start on. If that end falls inside another window, the release
/// moves on to that window's end (at most [`MAX_CHAINED_DND_WINDOWS`] times; a DND that
/// covers every hour releases after that many windows rather than never).
#[must_use]
pub fn dnd_release(t: Timestamp, tz: Tz, dnd: &Dnd) -> Option<Timestamp> {
    if !dnd.enabled || dnd.windows.is_empty() {
        return None;
    }
    let mut end = containing_window_end(clamp(t), tz, dnd)?;
    for _ in 0..MAX_CHAINED_DND_WINDOWS {
        match containing_window_end(end, tz, dnd) {
            Some(next) if next > end => end = next,
            _ => break,
        }
    }
    Some(end)
}

/// Whether `t` lies inside a DND window (DND enabled).
#[must_use]
pub fn in_dnd(t: Timestamp, tz: Tz, dnd: &Dnd) -> bool {
    dnd_release(t, tz, dnd).is_some()
}

/// The scheduled entry runs of a past-behaviour journey, sorted and without duplicates,
/// within `[start, min(end, until)]` (bounds included), at most [`MAX_SCHEDULED_RUNS`]:
/// - `Once`: the start;
/// - `SpecificDates`: the listed instants in that range;
/// - `Recurring`: the start, then every N days / each chosen weekday / the chosen day of
///   each month (months without that day are skipped), at the start's local time of day
///   in the account timezone (an unknown timezone name counts as UTC). `EveryDays(0)`
///   counts as every day; a month day outside 1..=31 or no weekdays gives the start alone.
#[must_use]
pub fn scheduled_runs(setup: &Setup, until: Timestamp) -> Vec<Timestamp> {
    let start = setup.start;
    let limit = setup.end.map_or(until, |e| e.min(until));
    if start > limit {
        return Vec::new();
    }
    let mut runs = match &setup.timeline {
        Timeline::Once => vec![start],
        Timeline::SpecificDates(dates) => dates.iter().copied().filter(|&d| start <= d && d <= limit).collect(),
        Timeline::Recurring(rec) => {
            let tz = setup.timezone.account.zone().unwrap_or(Tz::UTC);
            recurring_runs(start, clamp(limit), tz, rec)
        }
    };
    runs.sort_unstable();
    runs.dedup();
    runs.truncate(MAX_SCHEDULED_RUNS);
    runs
}

fn recurring_runs(start: Timestamp, limit: Timestamp, tz: Tz, rec: &Recurrence) -> Vec<Timestamp> {
    let mut runs = vec![start];
    let (d0, secs, _) = local_date_time(start, tz);
    let (limit_date, _, _) = local_date_time(limit, tz);
    let push = |date: NaiveDate, runs: &mut Vec<Timestamp>| -> bool {
        let r = local_to_utc(tz, date, secs);
        if r > limit || runs.len() >= MAX_SCHEDULED_RUNS {
            return false;
        }
        if r > start {
            runs.push(r);
        }
        true
    };
    match rec {
        Recurrence::EveryDays(n) => {
            let step = i64::from((*n).max(1));
            let mut d = d0;
            loop {
                let next = add_days(d, step);
                if next <= d || next > add_days(limit_date, 1) || !push(next, &mut runs) {
                    break;
                }
                d = next;
            }
        }
        Recurrence::Weekly(days) => {
            if !days.is_empty() {
                let mut d = add_days(d0, 1);
                while d <= add_days(limit_date, 1) {
                    if days.contains(&Weekday::from_chrono(d.weekday())) && !push(d, &mut runs) {
                        break;
                    }
                    let next = add_days(d, 1);
                    if next <= d {
                        break;
                    }
                    d = next;
                }
            }
        }
        Recurrence::Monthly(day) => {
            if (1..=31).contains(day) {
                let (mut y, mut m) = (d0.year(), d0.month());
                loop {
                    if let Some(d) = NaiveDate::from_ymd_opt(y, m, u32::from(*day))
                        && d > d0
                        && !push(d, &mut runs)
                    {
                        break;
                    }
                    if m == 12 {
                        y += 1;
                        m = 1;
                    } else {
                        m += 1;
                    }
                    if y > limit_date.year() + 1 {
                        break;
                    }
                }
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{DndAction, Seconds, TimeWindow, TzName};

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    fn hm(h: u8, m: u8) -> TimeOfDay {
        TimeOfDay::new(h, m).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        Timestamp::from_utc(y, mo, d, h, mi, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Local wall time in `tz` as an instant.
    fn local(z: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
        local_to_utc(z, date(y, mo, d), i64::from(h * 3600 + mi * 60))
    }

    fn every_day(start: (u8, u8), end: (u8, u8)) -> Dnd {
        Dnd::every_day(TimeWindow { start: hm(start.0, start.1), end: hm(end.0, end.1) }, DndAction::Defer)
    }

    #[test]
    fn one_day_wait_adds_86400_seconds() {
        let t = utc(2027, 3, 13, 12, 0);
        assert_eq!(t.plus(Seconds::days(1)).0 - t.0, 86_400);
        // Across the New York spring-forward night, a duration is still exact seconds.
        assert_eq!(t.plus(Seconds::DAY), utc(2027, 3, 14, 12, 0));
    }

    #[test]
    fn local_time_rule_on_new_york_dst_days() {
        let ny = tz("America/New_York");
        // Spring forward 2027-03-14: 02:00 EST -> 03:00 EDT; 02:30 does not exist -> 03:00 EDT = 07:00Z.
        assert_eq!(local(ny, 2027, 3, 14, 2, 30), utc(2027, 3, 14, 7, 0));
        assert_eq!(local(ny, 2027, 3, 14, 2, 0), utc(2027, 3, 14, 7, 0));
        assert_eq!(local(ny, 2027, 3, 14, 3, 0), utc(2027, 3, 14, 7, 0));
        assert_eq!(local(ny, 2027, 3, 14, 1, 59), utc(2027, 3, 14, 6, 59));
        // Fall back 2027-11-07: 01:30 happens twice; the later is 01:30 EST = 06:30Z.
        assert_eq!(local(ny, 2027, 11, 7, 1, 30), utc(2027, 11, 7, 6, 30));
        assert_eq!(local(ny, 2027, 11, 7, 0, 59), utc(2027, 11, 7, 4, 59));
        assert_eq!(local(ny, 2027, 11, 7, 2, 0), utc(2027, 11, 7, 7, 0));
    }

    #[test]
    fn local_date_time_reads_the_wall_clock() {
        let kol = tz("Asia/Kolkata");
        let (d, s, w) = local_date_time(utc(2027, 1, 1, 18, 45), kol);
        assert_eq!((d, s, w), (date(2027, 1, 2), 15 * 60, Weekday::Sat));
        let (d, s, _) = local_date_time(Timestamp(i64::MIN), kol);
        assert!(d.year() <= 1 && (0..86_400).contains(&s));
        let (d, _, _) = local_date_time(Timestamp(i64::MAX), kol);
        assert!(d.year() >= 9999);
    }

    #[test]
    fn dnd_defer_at_23_releases_at_08_next_day() {
        for name in ["Europe/Berlin", "Asia/Kolkata", "America/New_York", "UTC"] {
            let z = tz(name);
            let dnd = every_day((22, 0), (8, 0));
            let push = local(z, 2027, 6, 10, 23, 0);
            assert_eq!(dnd_release(push, z, &dnd), Some(local(z, 2027, 6, 11, 8, 0)), "{name}");
            // Early morning belongs to the previous evening's window.
            let early = local(z, 2027, 6, 11, 3, 0);
            assert_eq!(dnd_release(early, z, &dnd), Some(local(z, 2027, 6, 11, 8, 0)), "{name}");
            // Window end and start bounds: [22:00, 08:00).
            assert_eq!(dnd_release(local(z, 2027, 6, 11, 8, 0), z, &dnd), None, "{name}");
            assert!(dnd_release(local(z, 2027, 6, 10, 22, 0), z, &dnd).is_some(), "{name}");
            assert_eq!(dnd_release(local(z, 2027, 6, 10, 21, 59), z, &dnd), None, "{name}");
        }
        // Kolkata is UTC+05:30: 23:00 IST = 17:30Z, released 08:00 IST = 02:30Z.
        let kol = tz("Asia/Kolkata");
        let dnd = every_day((22, 0), (8, 0));
        assert_eq!(dnd_release(utc(2027, 6, 10, 17, 30), kol, &dnd), Some(utc(2027, 6, 11, 2, 30)));
        // Berlin in summer is UTC+2: 23:00 CEST = 21:00Z, released 06:00Z.
        let ber = tz("Europe/Berlin");
        assert_eq!(dnd_release(utc(2027, 6, 10, 21, 0), ber, &dnd), Some(utc(2027, 6, 11, 6, 0)));
    }

    #[test]
    fn dnd_off_or_disabled() {
        let z = tz("Europe/Berlin");
        let mut dnd = every_day((22, 0), (8, 0));
        dnd.enabled = false;
        assert_eq!(dnd_release(local(z, 2027, 6, 10, 23, 0), z, &dnd), None);
        let empty = Dnd { enabled: true, windows: BTreeMap::new(), action: DndAction::Skip };
        assert_eq!(dnd_release(local(z, 2027, 6, 10, 23, 0), z, &empty), None);
    }

    #[test]
    fn dnd_end_across_new_york_dst() {
        let ny = tz("America/New_York");
        // Window 01:30-02:30 every day. Spring forward: 02:30 does not exist -> 03:00 EDT (07:00Z).
        let dnd = every_day((1, 30), (2, 30));
        let inside = utc(2027, 3, 14, 6, 45); // 01:45 EST
        assert_eq!(dnd_release(inside, ny, &dnd), Some(utc(2027, 3, 14, 7, 0)));
        // Fall back: window 00:30-01:30; 01:30 is ambiguous -> the later, 01:30 EST = 06:30Z.
        let dnd = every_day((0, 30), (1, 30));
        let inside = utc(2027, 11, 7, 5, 15); // 01:15 EDT, first pass
        assert_eq!(dnd_release(inside, ny, &dnd), Some(utc(2027, 11, 7, 6, 30)));
        // An overnight window 22:00-08:00 across each change: the local 08:00 is what counts.
        let dnd = every_day((22, 0), (8, 0));
        assert_eq!(dnd_release(utc(2027, 3, 14, 4, 0), ny, &dnd), Some(utc(2027, 3, 14, 12, 0))); // 08:00 EDT
        assert_eq!(dnd_release(utc(2027, 11, 7, 4, 0), ny, &dnd), Some(utc(2027, 11, 7, 13, 0))); // 08:00 EST
    }

    #[test]
    fn overnight_window_belongs_to_its_start_day() {
        let z = tz("UTC");
        // 2027-06-11 is a Friday.
        assert_eq!(date(2027, 6, 11).weekday(), chrono::Weekday::Fri);
        let mut windows = BTreeMap::new();
        windows.insert(Weekday::Fri, TimeWindow { start: hm(22, 0), end: hm(8, 0) });
        let dnd = Dnd { enabled: true, windows, action: DndAction::Defer };
        assert_eq!(dnd_release(utc(2027, 6, 12, 3, 0), z, &dnd), Some(utc(2027, 6, 12, 8, 0)), "Saturday 03:00");
        assert_eq!(dnd_release(utc(2027, 6, 11, 3, 0), z, &dnd), None, "Friday 03:00");
        assert_eq!(dnd_release(utc(2027, 6, 11, 23, 0), z, &dnd), Some(utc(2027, 6, 12, 8, 0)));
        assert_eq!(dnd_release(utc(2027, 6, 12, 23, 0), z, &dnd), None, "Saturday 23:00");
    }

    #[test]
    fn dnd_on_some_weekdays_only() {
        let z = tz("Europe/Berlin");
        let mut windows = BTreeMap::new();
        windows.insert(Weekday::Sat, TimeWindow { start: hm(9, 0), end: hm(17, 0) });
        windows.insert(Weekday::Sun, TimeWindow { start: hm(10, 0), end: hm(12, 0) });
        let dnd = Dnd { enabled: true, windows, action: DndAction::Skip };
        // 2027-06-12 Saturday, 2027-06-13 Sunday, 2027-06-14 Monday.
        assert_eq!(dnd_release(local(z, 2027, 6, 12, 12, 0), z, &dnd), Some(local(z, 2027, 6, 12, 17, 0)));
        assert_eq!(dnd_release(local(z, 2027, 6, 13, 12, 0), z, &dnd), None, "Sunday noon: window ended");
        assert_eq!(dnd_release(local(z, 2027, 6, 13, 11, 0), z, &dnd), Some(local(z, 2027, 6, 13, 12, 0)));
        assert_eq!(dnd_release(local(z, 2027, 6, 14, 12, 0), z, &dnd), None, "Monday");
    }

    #[test]
    fn chained_windows_release_at_the_last_end() {
        let z = tz("UTC");
        let mut windows = BTreeMap::new();
        // Friday 22:00-08:00 then Saturday 08:00-10:00 back to back.
        windows.insert(Weekday::Fri, TimeWindow { start: hm(22, 0), end: hm(8, 0) });
        windows.insert(Weekday::Sat, TimeWindow { start: hm(8, 0), end: hm(10, 0) });
        let dnd = Dnd { enabled: true, windows, action: DndAction::Defer };
        assert_eq!(dnd_release(utc(2027, 6, 11, 23, 0), z, &dnd), Some(utc(2027, 6, 12, 10, 0)));
        // A DND covering every hour still releases (bounded), never loops.
        let always = every_day((0, 0), (0, 0));
        let r = dnd_release(utc(2027, 6, 11, 23, 0), z, &always).unwrap();
        assert!(r > utc(2027, 6, 11, 23, 0));
    }

    #[test]
    fn condition_window_release_on_the_utc_hour() {
        assert_eq!(next_utc_hour_at_or_after(utc(2027, 1, 5, 15, 30)), utc(2027, 1, 5, 16, 0));
        assert_eq!(next_utc_hour_at_or_after(utc(2027, 1, 5, 16, 0)), utc(2027, 1, 5, 16, 0));
        assert_eq!(next_utc_hour_at_or_after(Timestamp(-1)), Timestamp(0));
        assert_eq!(next_utc_hour_at_or_after(Timestamp(i64::MAX)), Timestamp(i64::MAX));
    }

    #[test]
    fn time_of_day_is_strictly_after() {
        let z = tz("Europe/Berlin");
        let at_nine = local(z, 2027, 1, 5, 9, 0);
        assert_eq!(next_time_of_day(at_nine, z, hm(9, 0)), local(z, 2027, 1, 6, 9, 0));
        assert_eq!(next_time_of_day(at_nine.plus(Seconds(-1)), z, hm(9, 0)), at_nine);
        assert_eq!(next_time_of_day(at_nine.plus(Seconds(1)), z, hm(9, 0)), local(z, 2027, 1, 6, 9, 0));
        // Nonexistent target on the spring-forward day moves to the end of the gap.
        let ny = tz("America/New_York");
        assert_eq!(next_time_of_day(utc(2027, 3, 14, 5, 0), ny, hm(2, 30)), utc(2027, 3, 14, 7, 0));
        // Ambiguous target on the fall-back day takes the later instant.
        assert_eq!(next_time_of_day(utc(2027, 11, 7, 4, 0), ny, hm(1, 30)), utc(2027, 11, 7, 6, 30));
    }

    #[test]
    fn midnights() {
        let z = tz("Asia/Kolkata");
        let t = utc(2027, 1, 5, 18, 29); // 23:59 IST
        assert_eq!(next_local_midnight(t, z), utc(2027, 1, 5, 18, 30));
        assert_eq!(next_local_midnight(utc(2027, 1, 5, 18, 30), z), utc(2027, 1, 6, 18, 30));
        // Days are 23 h and 25 h long across New York's changes.
        let ny = tz("America/New_York");
        let m1 = next_local_midnight(utc(2027, 3, 13, 12, 0), ny);
        let m2 = next_local_midnight(m1, ny);
        assert_eq!(m2.0 - m1.0, 23 * 3600);
        let m1 = next_local_midnight(utc(2027, 11, 6, 12, 0), ny);
        let m2 = next_local_midnight(m1, ny);
        assert_eq!(m2.0 - m1.0, 25 * 3600);
    }

    #[test]
    fn best_time_picks_the_earliest_peak() {
        let mut curve = vec![1.0; 24];
        curve[19] = 5.0;
        curve[8] = 5.0;
        assert_eq!(peak_hour(&curve), 8);
        let z = tz("Europe/Berlin");
        assert_eq!(best_time(local(z, 2027, 1, 5, 7, 0), z, &curve), local(z, 2027, 1, 5, 8, 0));
        assert_eq!(best_time(local(z, 2027, 1, 5, 8, 0), z, &curve), local(z, 2027, 1, 6, 8, 0));
        assert_eq!(peak_hour(&[]), 0);
        assert_eq!(peak_hour(&[f64::NAN, 1.0, f64::INFINITY, 2.0]), 3);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let z = tz("Pacific/Apia");
        let dnd = every_day((22, 0), (8, 0));
        for t in [i64::MIN, i64::MIN + 1, -1, 0, CALENDAR_MIN.0, CALENDAR_MAX.0, i64::MAX - 1, i64::MAX] {
            let t = Timestamp(t);
            let n = next_time_of_day(t, z, hm(9, 0));
            assert!(n > t || n == Timestamp(i64::MAX));
            assert!(next_local_midnight(t, z) > t || t.0 == i64::MAX);
            let _ = best_time(t, z, &[1.0; 24]);
            let _ = dnd_release(t, z, &dnd);
            let _ = local_date_time(t, z);
            let _ = next_utc_hour_at_or_after(t);
        }
        let _ = local_to_utc(z, NaiveDate::MAX, i64::MAX);
        let _ = local_to_utc(z, NaiveDate::MIN, i64::MIN);
        // Samoa skipped 2011-12-30 entirely; the next 09:00 after 2011-12-29 10:00 local is on the 31st.
        let t = local(z, 2011, 12, 29, 10, 0);
        let n = next_time_of_day(t, z, hm(9, 0));
        assert_eq!(local_date_time(n, z).0, date(2011, 12, 31));
    }

    fn setup(timeline: Timeline, tzname: &str, start: Timestamp, end: Option<Timestamp>) -> Setup {
        let mut s = Setup { timeline, start, end, ..Setup::default() };
        s.timezone.account = TzName::new(tzname);
        s
    }

    #[test]
    fn scheduled_once_and_specific_dates() {
        let start = utc(2027, 1, 4, 9, 0);
        let s = setup(Timeline::Once, "UTC", start, None);
        assert_eq!(scheduled_runs(&s, utc(2027, 2, 1, 0, 0)), vec![start]);
        assert_eq!(scheduled_runs(&s, utc(2027, 1, 1, 0, 0)), Vec::<Timestamp>::new());
        let dates = vec![
            utc(2027, 1, 10, 9, 0),
            utc(2027, 1, 3, 9, 0),
            utc(2027, 1, 6, 9, 0),
            utc(2027, 1, 6, 9, 0),
            utc(2027, 3, 1, 0, 0),
        ];
        let s = setup(Timeline::SpecificDates(dates), "UTC", start, Some(utc(2027, 2, 1, 0, 0)));
        assert_eq!(scheduled_runs(&s, utc(2027, 6, 1, 0, 0)), vec![utc(2027, 1, 6, 9, 0), utc(2027, 1, 10, 9, 0)]);
        assert_eq!(scheduled_runs(&s, utc(2027, 1, 8, 0, 0)), vec![utc(2027, 1, 6, 9, 0)]);
    }

    #[test]
    fn scheduled_every_n_days_keeps_local_time_across_dst() {
        let ny = tz("America/New_York");
        let start = local(ny, 2027, 3, 12, 9, 0);
        let s = setup(Timeline::Recurring(Recurrence::EveryDays(1)), "America/New_York", start, None);
        let runs = scheduled_runs(&s, local(ny, 2027, 3, 16, 9, 0));
        let want: Vec<_> = (12..=16).map(|d| local(ny, 2027, 3, d, 9, 0)).collect();
        assert_eq!(runs, want);
        assert_eq!(runs[2].0 - runs[1].0, 23 * 3600, "09:00 to 09:00 across spring forward");
        let s = setup(
            Timeline::Recurring(Recurrence::EveryDays(3)),
            "UTC",
            utc(2027, 1, 1, 6, 0),
            Some(utc(2027, 1, 10, 6, 0)),
        );
        assert_eq!(
            scheduled_runs(&s, Timestamp(i64::MAX)),
            vec![utc(2027, 1, 1, 6, 0), utc(2027, 1, 4, 6, 0), utc(2027, 1, 7, 6, 0), utc(2027, 1, 10, 6, 0)]
        );
        let s = setup(Timeline::Recurring(Recurrence::EveryDays(0)), "UTC", utc(2027, 1, 1, 6, 0), None);
        assert_eq!(scheduled_runs(&s, utc(2027, 1, 3, 6, 0)).len(), 3);
    }

    #[test]
    fn scheduled_weekly() {
        // 2027-01-04 is a Monday.
        let start = utc(2027, 1, 4, 10, 0);
        let s = setup(
            Timeline::Recurring(Recurrence::Weekly(vec![Weekday::Wed, Weekday::Fri])),
            "Asia/Kolkata",
            start,
            None,
        );
        let runs = scheduled_runs(&s, utc(2027, 1, 15, 23, 0));
        assert_eq!(
            runs,
            vec![
                start,
                utc(2027, 1, 6, 10, 0),
                utc(2027, 1, 8, 10, 0),
                utc(2027, 1, 13, 10, 0),
                utc(2027, 1, 15, 10, 0)
            ]
        );
        let s = setup(Timeline::Recurring(Recurrence::Weekly(vec![])), "UTC", start, None);
        assert_eq!(scheduled_runs(&s, utc(2027, 3, 1, 0, 0)), vec![start]);
    }

    #[test]
    fn scheduled_monthly_day_31_skips_short_months() {
        let start = utc(2027, 1, 2, 8, 0);
        let s = setup(Timeline::Recurring(Recurrence::Monthly(31)), "UTC", start, None);
        let runs = scheduled_runs(&s, utc(2027, 9, 1, 0, 0));
        assert_eq!(
            runs,
            vec![
                start,
                utc(2027, 1, 31, 8, 0),
                utc(2027, 3, 31, 8, 0),
                utc(2027, 5, 31, 8, 0),
                utc(2027, 7, 31, 8, 0),
                utc(2027, 8, 31, 8, 0)
            ]
        );
        let s = setup(Timeline::Recurring(Recurrence::Monthly(15)), "Europe/Berlin", utc(2027, 1, 15, 8, 0), None);
        let runs = scheduled_runs(&s, utc(2027, 4, 30, 0, 0));
        // 09:00 CET; from April it is 09:00 CEST = 07:00Z.
        assert_eq!(
            runs,
            vec![utc(2027, 1, 15, 8, 0), utc(2027, 2, 15, 8, 0), utc(2027, 3, 15, 8, 0), utc(2027, 4, 15, 7, 0)]
        );
        let s = setup(Timeline::Recurring(Recurrence::Monthly(0)), "UTC", start, None);
        assert_eq!(scheduled_runs(&s, utc(2028, 1, 1, 0, 0)), vec![start]);
    }

    #[test]
    fn scheduled_runs_are_bounded() {
        let s = setup(Timeline::Recurring(Recurrence::EveryDays(1)), "Nowhere/Unknown", utc(2027, 1, 1, 0, 0), None);
        let runs = scheduled_runs(&s, Timestamp(i64::MAX));
        assert_eq!(runs.len(), MAX_SCHEDULED_RUNS);
        let s = setup(
            Timeline::Recurring(Recurrence::Weekly(vec![Weekday::Mon])),
            "UTC",
            Timestamp(CALENDAR_MAX.0 - 86_400 * 30),
            None,
        );
        assert!(scheduled_runs(&s, Timestamp(i64::MAX)).len() <= 6);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        const ZONES: [&str; 9] = [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "America/Sao_Paulo",
            "Asia/Tehran",
            "Pacific/Apia",
            "Pacific/Chatham",
        ];

        /// 1950..2100, where the zones above have their odd transitions.
        fn instant() -> impl Strategy<Value = Timestamp> {
            (-631_152_000_i64..4_102_444_800).prop_map(Timestamp)
        }

        fn zone() -> impl Strategy<Value = Tz> {
            (0..ZONES.len()).prop_map(|i| ZONES[i].parse().unwrap())
        }

        /// The first offset change after `t` within two years, if any.
        fn next_transition(z: Tz, t: Timestamp) -> Option<Timestamp> {
            let off = offset_secs(z, t);
            let mut lo = t.0;
            let step = 6 * 3_600;
            let hi = (1..=2 * 365 * 4).map(|k| t.0 + k * step).find(|&h| offset_secs(z, Timestamp(h)) != off)?;
            lo = lo.max(hi - step);
            let mut hi = hi;
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_secs(z, Timestamp(mid)) == off { lo = mid } else { hi = mid }
            }
            Some(Timestamp(hi))
        }

        /// Instants often within a few hours of a DST transition, else anywhere.
        fn near_transition() -> impl Strategy<Value = (Tz, Timestamp)> {
            (zone(), instant(), -4 * 3_600_i64..4 * 3_600).prop_map(|(z, t, d)| {
                let base = next_transition(z, t).unwrap_or(t);
                (z, Timestamp(base.0 + d))
            })
        }

        fn local_secs(t: Timestamp, z: Tz) -> i64 {
            t.0 + offset_secs(z, t)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            #[test]
            fn local_to_utc_follows_the_rule((z, t) in near_transition(), shift in -3 * 3_600_i64..3 * 3_600) {
                // A local wall time near the transition, by date and seconds of day.
                let (d, secs0, _) = local_date_time(t, z);
                let secs = secs0 + shift;
                let target = d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() + secs;
                let r = local_to_utc(z, d, secs);
                let got = local_secs(r, z);
                if got == target {
                    // Ambiguous: the later one, so no later instant within 3 h shows it again.
                    for later in 1..=10_800 / 900 {
                        prop_assert_ne!(local_secs(Timestamp(r.0 + later * 900), z), target);
                    }
                } else {
                    // Nonexistent: the first instant past the gap.
                    prop_assert!(got > target, "{} {}", got, target);
                    prop_assert!(local_secs(Timestamp(r.0 - 1), z) < target);
                }
            }

            #[test]
            fn next_time_of_day_is_the_next_match((z, t) in near_transition(), h in 0_u8..24, m in 0_u8..60) {
                let tod = hm(h, m);
                let n = next_time_of_day(t, z, tod);
                prop_assert!(n > t);
                prop_assert!(n.0 - t.0 <= 2 * 86_400 + 3_600, "{} after {}", n, t);
                let (_, secs, _) = local_date_time(n, z);
                if secs != tod.secs_of_day() {
                    prop_assert_ne!(offset_secs(z, Timestamp(n.0 - 1)), offset_secs(z, n), "not a transition");
                }
                // No earlier whole minute after t shows that local time, except the earlier
                // pass of an ambiguous time whose later pass is n.
                let mut s = (t.0 + 60).div_euclid(60) * 60;
                while s < n.0 {
                    if local_secs(Timestamp(s), z).rem_euclid(86_400) == tod.secs_of_day() {
                        prop_assert_eq!(local_secs(n, z), local_secs(Timestamp(s), z), "earlier match at {}", s);
                    }
                    s += 60;
                }
            }

            #[test]
            fn dnd_release_lands_at_the_window_end((z, t) in near_transition()) {
                let dnd = every_day((22, 0), (8, 0));
                let (_, secs, _) = local_date_time(t, z);
                let r = dnd_release(t, z, &dnd);
                if (8 * 3_600..22 * 3_600).contains(&secs) {
                    prop_assert_eq!(r, None);
                } else {
                    let r = r.unwrap();
                    prop_assert!(r > t && r.0 - t.0 <= 11 * 3_600, "{} -> {}", t, r);
                    prop_assert_eq!(local_date_time(r, z).1, 8 * 3_600);
                    prop_assert_eq!(dnd_release(r, z, &dnd), None);
                }
            }

            #[test]
            fn nothing_panics_on_any_instant(z in zone(), t in any::<i64>(), secs in any::<i64>(), curve in proptest::collection::vec(any::<f64>(), 0..30)) {
                let t = Timestamp(t);
                let _ = local_to_utc(z, local_date_time(t, z).0, secs);
                let n = next_local_midnight(t, z);
                prop_assert!(n > t || t.0 == i64::MAX);
                let _ = best_time(t, z, &curve);
                let _ = dnd_release(t, z, &every_day((23, 0), (23, 0)));
            }
        }
    }
}
