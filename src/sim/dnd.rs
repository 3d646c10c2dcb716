//! DND releases and local hours from per-timezone tables built once per run (issue 10).
//!
//! [`calendar::dnd_release`] converts local times with chrono-tz at every call, and a run
//! asks it the same question millions of times about a few zones over a bounded range.
//! This module answers from tables instead:
//! - [`DndTable`]: the DND release as a step function of the instant, looked up through
//!   an index by UTC hour: two array reads and a compare or two, no chrono;
//! - [`OffsetTable`]: the UTC offset at the start of each UTC hour, for local hours.
//!
//! Invariants:
//! - `DndTable::release(t)` equals `calendar::dnd_release(Timestamp(t), tz, dnd)` for
//!   every `t`, daylight-saving changes included. The table holds `dnd_release`'s own
//!   answers, taken at every instant where that answer can change, so the two share one
//!   set of rules (SPEC §2.2) rather than two copies of them. Outside the table's range
//!   it calls `dnd_release`.
//! - Building a table never panics, whatever the range; a range longer than
//!   [`MAX_TABLE_HOURS`] is cut short, and instants past the cut use the slow path.

use chrono::{DateTime, Offset as _, TimeZone as _};
use chrono_tz::Tz;

use super::calendar::{self, CALENDAR_MAX, CALENDAR_MIN};
use crate::model::{Dnd, Timestamp};

/// The most UTC hours a table covers (about 22.8 years: the longest horizon plus years of
/// warm-up). Memory is 4 bytes an hour for a [`DndTable`] or an [`OffsetTable`].
pub const MAX_TABLE_HOURS: usize = 200_000;

const HOUR_SECS: i64 = 3_600;
const DAY_SECS: i64 = 86_400;

/// The release value stored for "not in a window" (`dnd_release` never returns it: its
/// answers are clamped to the calendar range).
const NO_RELEASE: i64 = i64::MIN;

/// The UTC offset of `tz` at instant `t`, in seconds; 0 outside chrono's range.
#[must_use]
pub fn offset_at(tz: Tz, t: i64) -> i32 {
    DateTime::from_timestamp(t, 0).map_or(0, |dt| tz.offset_from_utc_datetime(&dt.naive_utc()).fix().local_minus_utc())
}

/// The start of the UTC hour holding `t`.
fn hour_start(t: i64) -> i64 {
    t.saturating_sub(t.rem_euclid(HOUR_SECS))
}

/// The UTC hours from the hour holding `from` to the one holding `to - 1`, at most
/// [`MAX_TABLE_HOURS`].
fn hours_between(from: i64, to: i64) -> usize {
    let span = to.saturating_sub(hour_start(from)).max(0);
    usize::try_from(span.div_euclid(HOUR_SECS) + i64::from(span.rem_euclid(HOUR_SECS) != 0))
        .unwrap_or(MAX_TABLE_HOURS)
        .min(MAX_TABLE_HOURS)
}

/// `calendar::dnd_release` for one timezone and one DND setting, from a table over an
/// instant range `[from, to)`.
///
/// Why a step function is exact: `dnd_release(t)` depends on `t` only through `t`'s local
/// date and through which of the windows starting on that date and the day before hold
/// `t`. The first changes only at local midnights and offset changes, the second only at
/// window starts and ends; between two such instants the answer is constant. The table
/// evaluates `dnd_release` once at each of them (equal neighbours merged), so chained
/// windows, overlaps, skipped and repeated local hours all come out as `dnd_release` says.
///
/// Cost, measured in release: building takes about 1 ms per year of range (a few
/// `dnd_release` calls a day); a lookup about 18 ns at random instants over ten years,
/// against about 570 ns for `dnd_release`.
#[derive(Clone, Debug)]
pub struct DndTable {
    /// The zone, for instants outside the range.
    tz: Tz,
    /// The setting, for instants outside the range.
    dnd: Dnd,
    /// Whether DND can hold anything (enabled, with windows); if not, every answer is `None`.
    active: bool,
    /// First instant covered.
    from: i64,
    /// First instant past the range (at most [`MAX_TABLE_HOURS`] after `from`'s hour).
    to: i64,
    /// `from`'s UTC hour: `hour_first[h]` is about the hour starting `base + h·3600`.
    base: i64,
    /// Steps sorted by instant, the first at `from`: `(at, release)` says that from `at`
    /// until the next step the answer is `release` ([`NO_RELEASE`] for `None`).
    steps: Vec<(i64, i64)>,
    /// For each UTC hour of the range, the last step at or before the later of the hour's
    /// start and `from`, so a lookup scans only the steps inside one hour.
    hour_first: Vec<u32>,
}

impl DndTable {
    /// The table for `dnd` in `tz` over the instants `[from, to)`. Give `to` some days of
    /// margin past the horizon: a deferral's release may fall after it, and sends there
    /// would take the slow path.
    #[must_use]
    pub fn new(tz: Tz, dnd: &Dnd, from: i64, to: i64) -> Self {
        let from = from.clamp(CALENDAR_MIN.0, CALENDAR_MAX.0);
        let base = hour_start(from);
        let to = to.clamp(from, CALENDAR_MAX.0);
        let hours = hours_between(from, to);
        let to = to.min(base.saturating_add(i64::try_from(hours).unwrap_or(0) * HOUR_SECS));
        let active = dnd.enabled && !dnd.windows.is_empty();
        let mut table =
            Self { tz, dnd: dnd.clone(), active, from, to, base, steps: Vec::new(), hour_first: Vec::new() };
        if !active || from >= to {
            return table;
        }
        table.steps = steps(tz, dnd, from, to);
        table.hour_first = hour_index(&table.steps, base, hours, from);
        table
    }

    /// When a message at `t` may go out: exactly `calendar::dnd_release(Timestamp(t), tz,
    /// dnd)`, as seconds. `None` when DND is off or `t` is outside every window.
    #[must_use]
    #[inline]
    pub fn release(&self, t: i64) -> Option<i64> {
        if !self.active {
            return None;
        }
        if let Some(r) = self.lookup(t) {
            return (r != NO_RELEASE).then_some(r);
        }
        calendar::dnd_release(Timestamp(t), self.tz, &self.dnd).map(|r| r.0)
    }

    /// The stored release at `t`, or `None` when `t` is outside the table.
    #[inline]
    fn lookup(&self, t: i64) -> Option<i64> {
        if t < self.from || t >= self.to {
            return None;
        }
        let h = usize::try_from((t - self.base) / HOUR_SECS).ok()?;
        let mut i = usize::try_from(*self.hour_first.get(h)?).ok()?;
        let mut release = self.steps.get(i)?.1;
        while let Some(&(at, r)) = self.steps.get(i + 1) {
            if at > t {
                break;
            }
            release = r;
            i += 1;
        }
        Some(release)
    }

    /// The instants covered by the table; others take the slow path.
    #[must_use]
    pub fn range(&self) -> std::ops::Range<i64> {
        self.from..self.to
    }
}

/// The instants in `[from, to)` where `dnd_release`'s answer can change, with the answer
/// from each, equal neighbours merged; the first is at `from`.
fn steps(tz: Tz, dnd: &Dnd, from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut at = vec![from];
    // Window starts and ends. A `t` in range has a local date within a day or so of its UTC
    // date (offsets lie within ±26 h), and the windows that can hold it start on that date
    // or the one before; three days either side covers them all.
    let day = |t: i64| DateTime::from_timestamp(t, 0).map(|d| d.date_naive());
    let margin = chrono::Days::new(3);
    let first = day(from).and_then(|d| d.checked_sub_days(margin));
    let last = day(to).and_then(|d| d.checked_add_days(margin));
    if let (Some(mut d), Some(last)) = (first, last) {
        while d <= last {
            if let Some((s, e)) = calendar::window_on(tz, dnd, d) {
                at.extend([s.0, e.0]);
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
    }
    // Local date changes: every offset change, and each local midnight between them.
    let changes = offset_changes(tz, from, to);
    for (k, &(start, off)) in changes.iter().enumerate() {
        let end = changes.get(k + 1).map_or(to, |c| c.0);
        at.push(start);
        let off = i64::from(off);
        let mut midnight = (start + off).div_euclid(DAY_SECS) * DAY_SECS + DAY_SECS - off;
        while midnight < end {
            at.push(midnight);
            midnight += DAY_SECS;
        }
    }
    at.retain(|&t| from <= t && t < to);
    at.sort_unstable();
    at.dedup();
    let mut steps: Vec<(i64, i64)> = Vec::with_capacity(at.len());
    for t in at {
        let release = calendar::dnd_release(Timestamp(t), tz, dnd).map_or(NO_RELEASE, |r| r.0);
        if steps.last().is_none_or(|&(_, r)| r != release) {
            steps.push((t, release));
        }
    }
    steps
}

/// The UTC offset over `[from, to)` as `(instant, offset from then on)`, first at `from`.
/// Offsets are sampled hourly and each change is bisected to the second, so two changes
/// less than an hour apart that undo each other would be missed; tzdata has none.
fn offset_changes(tz: Tz, from: i64, to: i64) -> Vec<(i64, i32)> {
    let mut changes = vec![(from, offset_at(tz, from))];
    let mut t = from;
    while t < to {
        let next = t.saturating_add(HOUR_SECS).min(to);
        let next_off = offset_at(tz, next);
        // More than one change inside the hour: find each in turn.
        while let Some(&(_, cur)) = changes.last()
            && cur != next_off
        {
            let (mut lo, mut hi) = (t, next); // offset(lo) == cur, offset(hi) != cur
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == cur {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            changes.push((hi, offset_at(tz, hi)));
            t = hi;
        }
        t = next;
    }
    changes
}

/// For each of `hours` UTC hours from `base`, the index of the last step at or before the
/// hour's start (or `from`, for the first hour).
fn hour_index(steps: &[(i64, i64)], base: i64, hours: usize, from: i64) -> Vec<u32> {
    let mut index = Vec::with_capacity(hours);
    let mut i = 0_usize;
    let mut start = base.max(from);
    for _ in 0..hours {
        while steps.get(i + 1).is_some_and(|&(at, _)| at <= start) {
            i += 1;
        }
        index.push(u32::try_from(i).unwrap_or(u32::MAX));
        start = hour_start(start) + HOUR_SECS;
    }
    index
}

/// A timezone's UTC offset at the start of each UTC hour over a range: fast local hours.
///
/// The offset read for an instant is the one at the start of its UTC hour (as the engine's
/// activity curve has always used it), both inside the range and, from chrono-tz, outside
/// it; so for a zone changing offset off the hour (Lord Howe, at :30 UTC) the half hour
/// after the change still reads the old offset.
#[derive(Clone, Debug)]
pub struct OffsetTable {
    /// The zone, for instants outside the range.
    tz: Tz,
    /// Start of the first UTC hour covered.
    base: i64,
    /// Offset in seconds at `base + h·3600`.
    offsets: Vec<i32>,
}

impl OffsetTable {
    /// The table for `tz` over the UTC hours holding the instants `[from, to)`, at most
    /// [`MAX_TABLE_HOURS`] of them.
    #[must_use]
    pub fn new(tz: Tz, from: i64, to: i64) -> Self {
        let from = from.clamp(CALENDAR_MIN.0, CALENDAR_MAX.0);
        let base = hour_start(from);
        let hours = hours_between(from, to.min(CALENDAR_MAX.0));
        let mut offsets = Vec::with_capacity(hours);
        let mut t = base;
        for _ in 0..hours {
            offsets.push(offset_at(tz, t));
            t += HOUR_SECS;
        }
        Self { tz, base, offsets }
    }

    /// The zone.
    #[must_use]
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The UTC offset in seconds at the start of `t`'s UTC hour.
    #[must_use]
    #[inline]
    pub fn utc_offset(&self, t: i64) -> i32 {
        let start = hour_start(t);
        start
            .checked_sub(self.base)
            .and_then(|since| usize::try_from(since / HOUR_SECS).ok())
            .and_then(|h| self.offsets.get(h).copied())
            .unwrap_or_else(|| offset_at(self.tz, start))
    }

    /// The local hour (0..24) at `t`, with [`Self::utc_offset`].
    #[must_use]
    #[inline]
    pub fn local_hour(&self, t: i64) -> u8 {
        let local = t.saturating_add(i64::from(self.utc_offset(t)));
        u8::try_from(local.rem_euclid(DAY_SECS) / HOUR_SECS).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{DndAction, TimeOfDay, TimeWindow, Weekday};

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    /// The local date for `t` seen through a table's offsets.
    fn local_date_with(table: &OffsetTable, t: i64) -> Option<chrono::NaiveDate> {
        DateTime::from_timestamp(t + i64::from(table.utc_offset(t)), 0).map(|d| d.date_naive())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Timestamp::from_utc(y, mo, d, h, mi, 0).unwrap().0
    }

    fn win(start: (u8, u8), end: (u8, u8)) -> TimeWindow {
        TimeWindow { start: TimeOfDay::new(start.0, start.1).unwrap(), end: TimeOfDay::new(end.0, end.1).unwrap() }
    }

    fn every_day(start: (u8, u8), end: (u8, u8)) -> Dnd {
        Dnd::every_day(win(start, end), DndAction::Defer)
    }

    fn by_day(days: &[(Weekday, TimeWindow)]) -> Dnd {
        let windows: BTreeMap<_, _> = days.iter().copied().collect();
        Dnd { enabled: true, windows, action: DndAction::Defer }
    }

    /// The DND settings every zone is checked with: named for the failure messages.
    fn settings() -> Vec<(&'static str, Dnd)> {
        use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
        vec![
            ("22-08 daily", every_day((22, 0), (8, 0))),
            ("01:30-02:30 daily", every_day((1, 30), (2, 30))),
            ("02:00-03:00 daily", every_day((2, 0), (3, 0))),
            ("00:30-01:30 daily", every_day((0, 30), (1, 30))),
            ("all day", every_day((0, 0), (0, 0))),
            ("02:30 all day", every_day((2, 30), (2, 30))),
            (
                "per weekday, chained and overlapping",
                by_day(&[
                    (Mon, win((22, 0), (8, 0))),
                    (Tue, win((8, 0), (10, 0))),
                    (Wed, win((21, 0), (7, 0))),
                    (Thu, win((6, 0), (9, 30))),
                    (Fri, win((23, 30), (1, 45))),
                    (Sat, win((23, 0), (2, 30))),
                    (Sun, win((1, 0), (2, 15))),
                ]),
            ),
            (
                "some weekdays only",
                by_day(&[(Tue, win((12, 0), (13, 0))), (Sat, win((22, 0), (8, 0))), (Sun, win((2, 0), (2, 0)))]),
            ),
            ("Sunday 01:59-03:01", by_day(&[(Sun, win((1, 59), (3, 1)))])),
        ]
    }

    /// What a comparison saw: instants checked, how many were in a window, the first few
    /// disagreements.
    #[derive(Debug, Default)]
    struct Agreement {
        checked: usize,
        held: usize,
        wrong: Vec<(i64, Option<i64>, Option<i64>)>,
    }

    fn compare(table: &DndTable, tz: Tz, dnd: &Dnd, instants: impl IntoIterator<Item = i64>) -> Agreement {
        let mut a = Agreement::default();
        for t in instants {
            let want = calendar::dnd_release(Timestamp(t), tz, dnd).map(|r| r.0);
            let got = table.release(t);
            a.checked += 1;
            a.held += usize::from(want.is_some());
            if got != want && a.wrong.len() < 5 {
                a.wrong.push((t, got, want));
            }
        }
        a
    }

    /// A small deterministic generator (splitmix64) for random seconds.
    fn random_seconds(seed: u64, lo: i64, hi: i64, n: usize) -> Vec<i64> {
        let mut x = seed;
        let span = u64::try_from(hi - lo).unwrap();
        (0..n)
            .map(|_| {
                x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                lo + i64::try_from(z % span).unwrap()
            })
            .collect()
    }

    /// Every minute of each range, random seconds, and each step of the table with the
    /// second before it: all must agree with `dnd_release`, and enough of them must be
    /// inside a window (and outside, for a DND that is not all day) to mean something.
    fn check_zone(name: &str, ranges: &[(i64, i64)]) {
        let z = tz(name);
        let from = ranges.iter().map(|r| r.0).min().unwrap();
        let to = ranges.iter().map(|r| r.1).max().unwrap();
        for (label, dnd) in settings() {
            let table = DndTable::new(z, &dnd, from, to + 4 * DAY_SECS);
            let minutes = ranges.iter().flat_map(|&(f, t)| (f..t).step_by(60));
            let random = (0_u64..).zip(ranges).flat_map(|(k, &(f, t))| random_seconds(k, f, t, 10_000));
            let edges: Vec<i64> = table.steps.iter().flat_map(|&(at, _)| [at - 1, at]).collect();
            let a = compare(&table, z, &dnd, minutes.chain(random).chain(edges));
            assert!(a.wrong.is_empty(), "{name}, {label}: (t, table, dnd_release) {:?}", a.wrong);
            assert!(a.held >= 100, "{name}, {label}: only {} of {} in a window", a.held, a.checked);
            assert!(a.held < a.checked || label.contains("all day"), "{name}, {label}: always in a window");
        }
    }

    #[test]
    fn new_york_every_minute_across_both_2027_changes() {
        // 2027-03-14 spring forward and 2027-11-07 fall back, both Sundays at 02:00 local.
        check_zone("America/New_York", &[(utc(2027, 3, 6, 0, 0), utc(2027, 11, 15, 0, 0))]);
    }

    #[test]
    fn kolkata_half_hour_offset() {
        check_zone("Asia/Kolkata", &[(utc(2027, 1, 1, 0, 0), utc(2027, 1, 22, 0, 0))]);
    }

    #[test]
    fn sydney_southern_hemisphere_changes() {
        // 2027-04-04 03:00 AEDT -> 02:00 AEST; 2027-10-03 02:00 AEST -> 03:00 AEDT.
        check_zone(
            "Australia/Sydney",
            &[(utc(2027, 3, 30, 0, 0), utc(2027, 4, 9, 0, 0)), (utc(2027, 9, 28, 0, 0), utc(2027, 10, 8, 0, 0))],
        );
    }

    #[test]
    fn london_changes_at_01_00_utc() {
        // 2027-03-28 01:00 GMT -> 02:00 BST; 2027-10-31 02:00 BST -> 01:00 GMT.
        check_zone(
            "Europe/London",
            &[(utc(2027, 3, 24, 0, 0), utc(2027, 4, 2, 0, 0)), (utc(2027, 10, 27, 0, 0), utc(2027, 11, 5, 0, 0))],
        );
    }

    #[test]
    fn lord_howe_and_chatham_change_off_the_hour() {
        // Lord Howe moves by 30 minutes at 15:00 or 15:30 UTC; Chatham is UTC+12:45/13:45.
        check_zone("Australia/Lord_Howe", &[(utc(2027, 4, 1, 0, 0), utc(2027, 4, 7, 0, 0))]);
        check_zone("Pacific/Chatham", &[(utc(2027, 9, 22, 0, 0), utc(2027, 10, 6, 0, 0))]);
    }

    #[test]
    fn known_answers_across_new_york_changes() {
        let ny = tz("America/New_York");
        let from = utc(2027, 3, 1, 0, 0);
        let to = utc(2027, 12, 1, 0, 0);
        // 01:30-02:30 on the spring-forward night: 02:30 does not exist, so 03:00 EDT = 07:00Z.
        let t = DndTable::new(ny, &every_day((1, 30), (2, 30)), from, to);
        assert_eq!(t.release(utc(2027, 3, 14, 6, 45)), Some(utc(2027, 3, 14, 7, 0)));
        // 00:30-01:30 on the fall-back night: 01:30 is ambiguous, the later is 06:30Z.
        let t = DndTable::new(ny, &every_day((0, 30), (1, 30)), from, to);
        assert_eq!(t.release(utc(2027, 11, 7, 5, 15)), Some(utc(2027, 11, 7, 6, 30)));
        // 22:00-08:00 ends at local 08:00 across each change.
        let t = DndTable::new(ny, &every_day((22, 0), (8, 0)), from, to);
        assert_eq!(t.release(utc(2027, 3, 14, 4, 0)), Some(utc(2027, 3, 14, 12, 0)));
        assert_eq!(t.release(utc(2027, 11, 7, 4, 0)), Some(utc(2027, 11, 7, 13, 0)));
        assert_eq!(t.release(utc(2027, 11, 7, 13, 0)), None);
        assert_eq!(t.release(utc(2027, 11, 7, 12, 59)), Some(utc(2027, 11, 7, 13, 0)));
        // Monday 22:00-08:00 then Tuesday 08:00-10:00: the release follows the chain.
        use Weekday::{Mon, Tue};
        let dnd = by_day(&[(Mon, win((22, 0), (8, 0))), (Tue, win((8, 0), (10, 0)))]);
        let t = DndTable::new(ny, &dnd, from, to);
        // 2027-06-07 is a Monday; 23:00 EDT = 03:00Z on Tuesday.
        assert_eq!(t.release(utc(2027, 6, 8, 3, 0)), Some(utc(2027, 6, 8, 14, 0)));
    }

    #[test]
    fn off_or_empty_never_holds() {
        let z = tz("Europe/Berlin");
        let mut off = every_day((0, 0), (0, 0));
        off.enabled = false;
        let empty = Dnd { enabled: true, windows: BTreeMap::new(), action: DndAction::Skip };
        for dnd in [off, empty] {
            let table = DndTable::new(z, &dnd, utc(2027, 1, 1, 0, 0), utc(2027, 2, 1, 0, 0));
            assert!(table.steps.is_empty() && table.hour_first.is_empty());
            for t in [utc(2027, 1, 5, 23, 0), utc(2026, 1, 1, 3, 0), i64::MIN, i64::MAX] {
                assert_eq!(table.release(t), None);
            }
        }
    }

    #[test]
    fn outside_the_range_takes_the_slow_path() {
        let z = tz("America/New_York");
        let dnd = every_day((22, 0), (8, 0));
        let (from, to) = (utc(2027, 3, 10, 12, 30), utc(2027, 3, 20, 0, 0));
        let table = DndTable::new(z, &dnd, from, to);
        assert_eq!(table.range(), from..to);
        let around = (from - 2 * DAY_SECS..to + 2 * DAY_SECS).step_by(300);
        let extremes = [i64::MIN, i64::MIN + 1, CALENDAR_MIN.0, CALENDAR_MAX.0, i64::MAX];
        let a = compare(&table, z, &dnd, around.chain(extremes));
        assert!(a.wrong.is_empty(), "{:?}", a.wrong);
        assert!(a.held > 1_000);
        // Degenerate and huge ranges build without panicking and still answer exactly.
        for (f, t) in [(to, from), (i64::MIN, i64::MIN), (i64::MAX, i64::MAX), (i64::MIN, i64::MAX)] {
            let table = DndTable::new(z, &dnd, f, t);
            assert!(table.hour_first.len() <= MAX_TABLE_HOURS);
            let a = compare(&table, z, &dnd, [from, utc(2027, 3, 14, 6, 0), to, 0]);
            assert!(a.wrong.is_empty(), "{f}..{t}: {:?}", a.wrong);
        }
    }

    #[test]
    fn a_wrong_table_is_caught() {
        // The comparison used above must notice a table that is off in one place only.
        let z = tz("America/New_York");
        let dnd = every_day((1, 30), (2, 30));
        let (from, to) = (utc(2027, 3, 6, 0, 0), utc(2027, 3, 22, 0, 0));
        let good = DndTable::new(z, &dnd, from, to);
        let near_change = |table: &DndTable| {
            table.steps.iter().rposition(|&(at, r)| at <= utc(2027, 3, 14, 6, 45) && r != NO_RELEASE).unwrap()
        };
        let mut late = good.clone();
        let i = near_change(&late);
        late.steps[i].1 += HOUR_SECS;
        let mut missing = good.clone();
        let i = near_change(&missing);
        missing.steps.remove(i);
        missing.hour_first = hour_index(&missing.steps, missing.base, missing.hour_first.len(), from);
        for bad in [late, missing] {
            let a = compare(&bad, z, &dnd, (from..to).step_by(60));
            assert!(!a.wrong.is_empty());
        }
        assert!(compare(&good, z, &dnd, (from..to).step_by(60)).wrong.is_empty());
    }

    #[test]
    fn steps_are_few_and_sorted() {
        let z = tz("America/New_York");
        let (from, to) = (utc(2027, 1, 1, 0, 0), utc(2037, 1, 1, 0, 0));
        let table = DndTable::new(z, &every_day((22, 0), (8, 0)), from, to);
        let days = usize::try_from((to - from) / DAY_SECS).unwrap();
        // Into and out of the window each day, nothing else after merging.
        assert!((2 * days..=2 * days + 2).contains(&table.steps.len()), "{}", table.steps.len());
        assert!(table.steps.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 != w[1].1));
        assert_eq!(table.steps[0].0, from);
        assert_eq!(table.hour_first.len(), usize::try_from((to - from) / HOUR_SECS).unwrap());
    }

    #[test]
    fn offset_changes_are_found_to_the_second() {
        let ny = tz("America/New_York");
        let changes = offset_changes(ny, utc(2027, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0));
        assert_eq!(
            changes,
            vec![
                (utc(2027, 1, 1, 0, 0), -5 * 3_600),
                (utc(2027, 3, 14, 7, 0), -4 * 3_600),
                (utc(2027, 11, 7, 6, 0), -5 * 3_600)
            ]
        );
        let lh = tz("Australia/Lord_Howe");
        let changes = offset_changes(lh, utc(2027, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0));
        // 2027-04-04 02:00 LHDT (+11) -> 01:30 LHST: 15:00Z; 2027-10-03 02:00 LHST (+10:30) -> 02:30: 15:30Z.
        assert_eq!(changes[1..], [(utc(2027, 4, 3, 15, 0), 37_800), (utc(2027, 10, 2, 15, 30), 39_600)]);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        const ZONES: [&str; 8] = [
            "UTC",
            "America/New_York",
            "Europe/London",
            "Asia/Kolkata",
            "Australia/Sydney",
            "Australia/Lord_Howe",
            "America/Sao_Paulo",
            "Pacific/Apia",
        ];

        fn time() -> impl Strategy<Value = (u8, u8)> {
            (0_u8..24, prop_oneof![Just(0_u8), Just(30), Just(59), 0_u8..60])
        }

        fn dnd() -> impl Strategy<Value = Dnd> {
            proptest::collection::vec(proptest::option::of((time(), time())), 7).prop_map(|days| {
                let windows =
                    Weekday::ALL.into_iter().zip(days).filter_map(|(d, w)| w.map(|(s, e)| (d, win(s, e)))).collect();
                Dnd { enabled: true, windows, action: DndAction::Defer }
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn table_agrees_with_dnd_release(
                zone in 0..ZONES.len(),
                dnd in dnd(),
                // 2026-01-01 .. 2030-01-01, so most draws see a change within the 12 days.
                from in 1_767_225_600_i64..1_893_456_000,
                offsets in proptest::collection::vec(0_i64..12 * DAY_SECS, 300),
            ) {
                let z = tz(ZONES[zone]);
                let to = from + 12 * DAY_SECS;
                let table = DndTable::new(z, &dnd, from, to);
                let edges: Vec<i64> = table.steps.iter().flat_map(|&(at, _)| [at - 1, at, at + 59]).collect();
                let a = compare(&table, z, &dnd, offsets.iter().map(|o| from + o).chain(edges));
                prop_assert!(a.wrong.is_empty(), "{}: {:?}", ZONES[zone], a.wrong);
            }
        }
    }

    #[test]
    fn local_hours_match_the_calendar() {
        let (from, to) = (utc(2027, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0));
        // New York and Kolkata change offset (if at all) on a UTC hour: every minute is exact.
        for name in ["America/New_York", "Asia/Kolkata", "Europe/London", "Australia/Sydney"] {
            let z = tz(name);
            let table = OffsetTable::new(z, from, to);
            assert_eq!(table.tz(), z);
            for t in (from - 3 * DAY_SECS..to + 3 * DAY_SECS).step_by(60) {
                let (date, secs, _) = calendar::local_date_time(Timestamp(t), z);
                assert_eq!(i64::from(table.local_hour(t)), secs / 3_600, "{name} at {t}");
                assert_eq!(local_date_with(&table, t), Some(date), "{name} at {t}");
            }
        }
        let ny = OffsetTable::new(tz("America/New_York"), from, to);
        assert_eq!(ny.local_hour(utc(2027, 3, 14, 6, 59)), 1);
        assert_eq!(ny.local_hour(utc(2027, 3, 14, 7, 0)), 3);
        assert_eq!(ny.local_hour(utc(2027, 11, 7, 5, 59)), 1);
        assert_eq!(ny.local_hour(utc(2027, 11, 7, 6, 0)), 1, "01:00 EST, the second pass");
        assert_eq!(ny.utc_offset(utc(2027, 11, 7, 6, 0)), -5 * 3_600);
        let kol = OffsetTable::new(tz("Asia/Kolkata"), from, to);
        assert_eq!(kol.local_hour(utc(2027, 1, 5, 18, 29)), 23);
        assert_eq!(kol.local_hour(utc(2027, 1, 5, 18, 30)), 0);
        assert_eq!(kol.utc_offset(utc(2027, 1, 5, 18, 30)), 19_800);
    }

    #[test]
    fn offsets_are_read_at_the_hour_start() {
        // Lord Howe's 2027-10-03 change is at 15:30Z: the half hour after reads the old offset.
        let z = tz("Australia/Lord_Howe");
        let (from, to) = (utc(2027, 9, 1, 0, 0), utc(2027, 11, 1, 0, 0));
        let table = OffsetTable::new(z, from, to);
        assert_eq!(table.utc_offset(utc(2027, 10, 2, 15, 45)), 37_800);
        assert_eq!(table.utc_offset(utc(2027, 10, 2, 16, 0)), 39_600);
        // Inside or outside the range, always the offset at the start of the UTC hour.
        for t in (from - 5 * DAY_SECS..to + 5 * DAY_SECS).step_by(1_800) {
            assert_eq!(table.utc_offset(t), offset_at(z, hour_start(t)), "at {t}");
        }
        for t in [i64::MIN, -1, 0, i64::MAX] {
            let _ = table.local_hour(t);
        }
        let empty = OffsetTable::new(z, to, from);
        assert_eq!(empty.utc_offset(utc(2027, 10, 2, 16, 0)), 39_600);
    }

    /// Rough cost of a lookup against `dnd_release`: run with `--release -- --ignored`.
    #[test]
    #[ignore = "timing, not a check; run in release"]
    fn release_cost() {
        use std::hint::black_box;
        use std::time::Instant;
        let z = tz("America/New_York");
        let dnd = every_day((22, 0), (8, 0));
        let (from, to) = (utc(2027, 1, 1, 0, 0), utc(2037, 1, 1, 0, 0));
        let built = Instant::now();
        let table = DndTable::new(z, &dnd, from, to);
        let build = built.elapsed();
        let ts = random_seconds(11, from, to, 1_000_000);
        let started = Instant::now();
        let fast: Vec<_> = ts.iter().map(|&t| black_box(&table).release(black_box(t))).collect();
        let fast_ns = started.elapsed().as_secs_f64() * 1e9 / 1e6;
        let started = Instant::now();
        let slow: Vec<_> =
            ts.iter().map(|&t| calendar::dnd_release(Timestamp(black_box(t)), z, &dnd).map(|r| r.0)).collect();
        let slow_ns = started.elapsed().as_secs_f64() * 1e9 / 1e6;
        assert_eq!(fast, slow);
        eprintln!("10-year table: {build:?} to build; release {fast_ns:.1} ns, dnd_release {slow_ns:.1} ns a call");
    }
}
