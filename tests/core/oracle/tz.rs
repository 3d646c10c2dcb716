//! The oracle's own calendar: local times, time-of-day targets, DND windows and
//! scheduled runs, written from SPEC §1.1 and §2.2 directly on chrono-tz.
//!
//! Invariant: shares no code with the engine's calendar; only
//! the model's plain types are used. Every local time follows the one rule of §2.2: a
//! local time that does not exist (spring forward) moves to the next valid instant, an
//! ambiguous one (fall back) takes the later instant.

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use journey_studio::model::{Dnd, Recurrence, Setup, Timeline, Weekday};

/// Local calendar date, seconds after local midnight and weekday of instant `t`.
pub fn local(t: i64, tz: Tz) -> (NaiveDate, i64, Weekday) {
    let utc = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
    let l = utc.with_timezone(&tz);
    let n = l.naive_local();
    (n.date(), i64::from(n.num_seconds_from_midnight()), Weekday::from_chrono(n.weekday()))
}

/// The UTC instant of local `date` + `secs` (§2.2 rule for gaps and overlaps).
pub fn to_utc(tz: Tz, date: NaiveDate, secs: i64) -> i64 {
    let ndt = date.and_time(NaiveTime::MIN) + Duration::seconds(secs);
    match tz.from_local_datetime(&ndt) {
        LocalResult::Single(x) => x.timestamp(),
        LocalResult::Ambiguous(a, b) => a.timestamp().max(b.timestamp()),
        LocalResult::None => {
            // In a gap: the next valid instant is the first local second that exists.
            let mut probe: NaiveDateTime = ndt;
            for _ in 0..(4 * 3600) {
                probe += Duration::seconds(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(x) => return x.timestamp(),
                    LocalResult::Ambiguous(a, b) => return a.timestamp().min(b.timestamp()),
                    LocalResult::None => {}
                }
            }
            ndt.and_utc().timestamp()
        }
    }
}

/// First instant strictly after `t` whose local time of day is `secs`.
pub fn next_local(t: i64, tz: Tz, secs: i64) -> i64 {
    let (date, _, _) = local(t, tz);
    let mut d = date - Duration::days(1);
    for _ in 0..5 {
        let c = to_utc(tz, d, secs);
        if c > t {
            return c;
        }
        d += Duration::days(1);
    }
    t + 86_400
}

/// First whole UTC hour at or after `t`.
pub fn utc_hour_at_or_after(t: i64) -> i64 {
    t.div_euclid(3600) * 3600 + if t.rem_euclid(3600) == 0 { 0 } else { 3600 }
}

/// When DND applies at `t`: the instant the window holding `t` ends (following into
/// any window that the end falls in); `None` outside every window or when disabled.
pub fn dnd_end(t: i64, tz: Tz, dnd: &Dnd) -> Option<i64> {
    if !dnd.enabled {
        return None;
    }
    let mut cur = t;
    let mut found = None;
    for _ in 0..16 {
        match window_end(cur, tz, dnd) {
            Some(e) if e > cur => {
                found = Some(e);
                cur = e;
            }
            _ => break,
        }
    }
    found
}

/// The end of the window that contains `t`, checking today's window and yesterday's
/// overnight window (an overnight window belongs to the weekday it starts on).
fn window_end(t: i64, tz: Tz, dnd: &Dnd) -> Option<i64> {
    let (date, secs, wd) = local(t, tz);
    let mut best: Option<i64> = None;
    if let Some(w) = dnd.windows.get(&wd) {
        let (s, e) = (w.start.secs_of_day(), w.end.secs_of_day());
        if w.is_overnight() {
            if secs >= s {
                best = Some(to_utc(tz, date + Duration::days(1), e));
            }
        } else if secs >= s && secs < e {
            best = Some(to_utc(tz, date, e));
        }
    }
    let yday = date - Duration::days(1);
    let ywd = Weekday::from_chrono(yday.weekday());
    if let Some(w) = dnd.windows.get(&ywd)
        && w.is_overnight()
        && secs < w.end.secs_of_day()
    {
        let e = to_utc(tz, date, w.end.secs_of_day());
        best = Some(best.map_or(e, |b| b.max(e)));
    }
    best.filter(|e| *e > t)
}

/// The scheduled entry runs in `[start, min(end, until))`, in the account timezone,
/// at most 5,000 of them.
pub fn runs(setup: &Setup, tz: Tz, until: i64) -> Vec<i64> {
    let start = setup.start.0;
    let last = setup.end.map_or(until - 1, |e| e.0.min(until - 1));
    let mut out = Vec::new();
    if start > last {
        return out;
    }
    match &setup.timeline {
        Timeline::Once => out.push(start),
        Timeline::SpecificDates(ds) => {
            out.extend(ds.iter().map(|d| d.0).filter(|d| *d >= start && *d <= last));
            out.sort_unstable();
            out.dedup();
        }
        Timeline::Recurring(rec) => {
            out.push(start);
            let (d0, secs, _) = local(start, tz);
            let mut d = d0;
            for _ in 0..20_000 {
                d += Duration::days(1);
                let hit = match rec {
                    Recurrence::EveryDays(n) => {
                        let n = i64::from((*n).max(1));
                        (d - d0).num_days() % n == 0
                    }
                    Recurrence::Weekly(days) => days.contains(&Weekday::from_chrono(d.weekday())),
                    Recurrence::Monthly(day) => d.day() == u32::from(*day),
                };
                if !hit {
                    continue;
                }
                let t = to_utc(tz, d, secs);
                if t > last || out.len() >= 5_000 {
                    break;
                }
                if t > start {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// UTC offset in seconds at instant `t`.
pub fn offset_at(t: i64, tz: Tz) -> i64 {
    let utc = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default();
    i64::from(tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc())
}

/// A fast local-hour lookup for one zone over a time range: the UTC offset per
/// 15-minute slot (every IANA transition in use falls on a quarter hour).
pub struct HourTable {
    from: i64,
    offsets: Vec<i32>,
}

impl HourTable {
    /// The table for `tz` over `[from, to]`.
    pub fn new(tz: Tz, from: i64, to: i64) -> Self {
        let from = from.div_euclid(900) * 900;
        let n = usize::try_from((to - from).max(0) / 900 + 2).unwrap_or(0);
        let offsets = (0..n).map(|i| i32::try_from(offset_at(from + 900 * i as i64, tz)).unwrap_or(0)).collect();
        Self { from, offsets }
    }

    /// The local hour 0..24 at instant `t`.
    pub fn hour(&self, t: i64) -> usize {
        let idx =
            usize::try_from((t - self.from).div_euclid(900)).unwrap_or(0).min(self.offsets.len().saturating_sub(1));
        let off = i64::from(self.offsets.get(idx).copied().unwrap_or(0));
        usize::try_from((t + off).div_euclid(3600).rem_euclid(24)).unwrap_or(0)
    }
}
