//! Calibration from past results (SPEC §8): a `kind,name,metric,value` CSV of what
//! campaigns and events really did sets the scenario's values, each shown before → after
//! with its 95% interval. Headless; the CLI's `calibrate` and the app's "Calibrate from
//! results…" share it.
//!
//! Three steps: [`parse`] reads and checks the CSV (every refusal names `line N, column M`);
//! [`derive`] turns the figures into setting values ([`Derived`], addressed by the setting
//! paths of [`crate::model::setting`] that sweep and tornado use); [`apply`] writes the
//! chosen ones, all or nothing.
//!
//! Derivations (`sent` counts successful sends):
//! - channel: failure = failed / (sent + failed); delivery = delivered / sent (channels with
//!   a Delivered step); view = viewed / sent (channels with a Viewed step); click given view =
//!   clicked / viewed, or clicked / sent for push, which has no Viewed step (its view is 1);
//!   fatigue = unsubscribed / sent; cost per message = cost / sent. Wilson 95% intervals;
//!   cost has none.
//! - event: with M = count / users the per-user mean over the days, the rate per user per day
//!   is M / days; with `count_sq` the per-user sample variance is var = (count_sq − count² /
//!   users) / (users − 1), and the event's own activity shape is k = M² / (var − M), since
//!   a Poisson count whose mean is M times a gamma factor of shape k and mean 1 has variance
//!   M + M²/k. Where var ≤ M the counts show no overdispersion and k is 1000 (with a note);
//!   k is kept within 0.01–1000. The rate's interval is the negative-binomial normal one,
//!   (M ± 1.96·√(v / users)) / days with v = max(var, M), or v = M + M²/k with the journey's
//!   current shape when there is no `count_sq`. The shape has no interval.
//! - hour: the 24 counts become the hourly curve, scaled to the old curve's total weight (so
//!   a partly applied curve stays comparable); Wilson intervals of each hour's share, scaled
//!   alike. All 24 hours are required.
//! - property: mean and sd set a numeric property (a normal's mean and standard deviation, or
//!   a uniform's midpoint and width); `share:VALUE` rows set a categorical one (shares,
//!   normalised to sum to 1; categories of the journey that the results lack get 0). With the
//!   event's `count` as the number of values: mean ± 1.96·sd/√n, sd ± 1.96·sd/√(2(n − 1)),
//!   Wilson for shares; without it, no interval.
//!
//! A value that cannot be derived is an error naming the row, never silently skipped: `sent`
//! of 0 for a ratio over sent, `viewed` of 0 for clicks given views, a property whose kind in
//! the journey differs from the rows. The one exception is the activity shape of an event
//! seen over a single user, which is left out (one user has no spread to measure).
//!
//! Invariants: [`apply`] changes the journey only if every chosen value is in its setting's
//! range and the calibrated journey has no validation error that it did not have before.

mod parse;

use std::collections::BTreeSet;

use crate::model::setting::{SettingError, SettingPath, set_all_adding};
use crate::model::{Channel, Journey, Port, PropertyDist};
use crate::sim::intervals::{Z95, sample_variance, wilson};
use crate::validate::{Severity, validate};

use parse::{Cell, ChannelFigures, EventFigures, NAME_COL, PropertyFigures, VALUE_COL, channel_csv_name};
pub use parse::{Results, parse};

/// The shape given to counts with no overdispersion (SPEC §8), and the largest derived.
pub const SHAPE_NO_OVERDISPERSION: f64 = 1000.0;
/// The smallest shape derived (the setting's own minimum).
const SHAPE_MIN: f64 = 0.01;

/// Why calibration refused.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A row of the CSV is unknown, malformed or contradicts another row or the journey;
    /// nothing is applied.
    #[error("line {line}, column {column}: {message}")]
    Row {
        /// The CSV line (1-based) the row starts on.
        line: u64,
        /// The column (1-based) of the offending field: 1 kind, 2 name, 3 metric, 4 value.
        column: usize,
        /// What is wrong, in words.
        message: String,
    },
    /// A chosen value is out of its setting's range, or its path is not a setting.
    #[error("{0}")]
    Setting(#[from] SettingError),
    /// The calibrated journey would have validation errors it did not have before.
    #[error("the calibrated journey would not be valid: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// One derived value: a setting, its current and derived value, and the evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// The setting path text (parseable by [`SettingPath::parse`] where the value exists, and
    /// always by [`SettingPath::parse_adding`]).
    pub path: String,
    /// Human words, such as "Push: click probability".
    pub label: String,
    /// The current value in the journey; `None` when unset (an event without its own shape,
    /// or an event, property, category or channel the scenario does not have yet).
    pub before: Option<f64>,
    /// The derived value.
    pub after: f64,
    /// The 95% interval; `None` for the shape and the cost, and where the results do not
    /// say how many values a figure rests on.
    pub interval: Option<(f64, f64)>,
    /// Something worth knowing about the value, such as why a shape is 1000.
    pub note: Option<String>,
}

/// Derives every value the results give, in the order channels, events, hours, properties.
///
/// # Errors
/// [`CalibrateError::Row`] for a value that cannot be derived (a ratio over 0, a property
/// whose kind in the journey does not match its rows).
pub fn derive(journey: &Journey, results: &Results) -> Result<Vec<Derived>, CalibrateError> {
    let mut out = Vec::new();
    for (c, f) in &results.channels {
        channel(journey, *c, f, &mut out)?;
    }
    for e in &results.events {
        event(journey, e, &mut out);
    }
    if let Some((cells, _)) = &results.hours {
        hours(journey, cells, &mut out);
    }
    for p in &results.properties {
        let n = results.events.iter().find(|e| e.name == p.event).map(|e| to_count(e.count.value));
        property(journey, p, n, &mut out)?;
    }
    Ok(out)
}

/// Applies the chosen values; all or nothing (on error the journey is unchanged). Settings
/// the scenario lacks are added (an event's own shape, an event, a property, a category, a
/// channel's rates); category shares of one property are set together (see
/// [`set_all_adding`]).
///
/// # Errors
/// [`CalibrateError::Setting`] for a path that is not a setting or a value out of its
/// range; [`CalibrateError::Invalid`] when the result would have new validation errors.
pub fn apply(journey: &mut Journey, chosen: &[Derived]) -> Result<(), CalibrateError> {
    let values = chosen
        .iter()
        .map(|d| Ok((SettingPath::parse_adding(&d.path, journey)?, d.after)))
        .collect::<Result<Vec<_>, SettingError>>()?;
    let mut calibrated = journey.clone();
    set_all_adding(&mut calibrated, &values)?;
    let was = errors(journey);
    let new: Vec<String> = errors(&calibrated).into_iter().filter(|e| !was.contains(e)).collect();
    if !new.is_empty() {
        return Err(CalibrateError::Invalid(new));
    }
    *journey = calibrated;
    Ok(())
}

/// The journey's validation errors, as messages.
fn errors(j: &Journey) -> BTreeSet<String> {
    validate(j).into_iter().filter(|d| d.severity == Severity::Error).map(|d| d.message).collect()
}

fn bad(line: u64, column: usize, message: impl Into<String>) -> CalibrateError {
    CalibrateError::Row { line, column, message: message.into() }
}

/// A whole count as an integer (the parser refuses fractions and anything past 9·10^15).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a checked whole count below 2^53")]
fn to_count(x: f64) -> u64 {
    x.max(0.0).round() as u64
}

/// The current value of a path in the journey.
fn current(j: &Journey, path: &str) -> Option<f64> {
    SettingPath::parse_adding(path, j).ok()?.get(j)
}

/// A Wilson interval as a pair.
fn wilson_pair(k: f64, n: f64) -> Option<(f64, f64)> {
    wilson(to_count(k), to_count(n)).map(|i| (i.lo, i.hi))
}

fn channel(j: &Journey, c: Channel, f: &ChannelFigures, out: &mut Vec<Derived>) -> Result<(), CalibrateError> {
    let Some(sent) = f.sent else { return Ok(()) };
    let name = c.label();
    let key = channel_key(c);
    let mut push = |field: &str, label: String, after: f64, interval: Option<(f64, f64)>| {
        let path = format!("scenario.channels.{key}.{field}");
        out.push(Derived { before: current(j, &path), path, label, after, interval, note: None });
    };
    // A ratio over `sent`, which must not be 0.
    let over_sent = |part: Cell, what: &str| -> Result<f64, CalibrateError> {
        if sent.value == 0.0 {
            return Err(bad(
                sent.line,
                VALUE_COL,
                format!("{} sent is 0, so {what} cannot be derived from it", channel_csv_name(c)),
            ));
        }
        Ok(part.value / sent.value)
    };
    if let Some(failed) = f.failed {
        let n = sent.value + failed.value;
        if n == 0.0 {
            return Err(bad(
                failed.line,
                VALUE_COL,
                format!("{} has 0 sent and 0 failed, so its failure rate cannot be derived", channel_csv_name(c)),
            ));
        }
        push("failure", format!("{name}: failure rate"), failed.value / n, wilson_pair(failed.value, n));
    }
    if let Some(d) = f.delivered {
        let p = over_sent(d, "the delivery probability")?;
        push("delivery", format!("{name}: delivery probability"), p, wilson_pair(d.value, sent.value));
    }
    if let Some(v) = f.viewed {
        let p = over_sent(v, "the view probability")?;
        push("view", format!("{name}: view probability"), p, wilson_pair(v.value, sent.value));
    }
    if let Some(k) = f.clicked {
        if c.ports().contains(&Port::Viewed) {
            let Some(v) = f.viewed else {
                return Err(bad(
                    k.line,
                    3,
                    format!(
                        "{} tracks views, so 'clicked' needs a 'viewed' row (click given view = clicked / viewed)",
                        channel_csv_name(c)
                    ),
                ));
            };
            if v.value == 0.0 {
                return Err(bad(
                    v.line,
                    VALUE_COL,
                    format!(
                        "{} viewed is 0, so the click probability given a view cannot be derived",
                        channel_csv_name(c)
                    ),
                ));
            }
            let p = k.value / v.value;
            push(
                "click_given_view",
                format!("{name}: click probability given a view"),
                p,
                wilson_pair(k.value, v.value),
            );
        } else {
            // No Viewed step (push): its view is 1, so clicks are per message sent.
            let p = over_sent(k, "the click probability")?;
            push("click_given_view", format!("{name}: click probability"), p, wilson_pair(k.value, sent.value));
        }
    }
    if let Some(u) = f.unsubscribed {
        let p = over_sent(u, "the unsubscribe chance")?;
        let path = format!("scenario.fatigue.{key}");
        out.push(Derived {
            before: current(j, &path),
            path,
            label: format!("{name}: unsubscribe chance per message (fatigue)"),
            after: p,
            interval: wilson_pair(u.value, sent.value),
            note: None,
        });
    }
    if let Some(cost) = f.cost {
        let per = over_sent(cost, "the cost per message")?;
        let path = format!("scenario.channels.{key}.cost_per_message");
        out.push(Derived {
            before: current(j, &path),
            path,
            label: format!("{name}: cost per message"),
            after: per,
            interval: None,
            note: None,
        });
    }
    Ok(())
}

/// A channel's name in setting paths (the file's own: `Push`, `WebPush`).
fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Push => "Push",
        Channel::Email => "Email",
        Channel::Sms => "Sms",
        Channel::WhatsApp => "WhatsApp",
        Channel::WebPush => "WebPush",
        Channel::InApp => "InApp",
        Channel::AppInbox => "AppInbox",
        Channel::Webhook => "Webhook",
    }
}

/// A string as a quoted path key.
fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn event(j: &Journey, e: &EventFigures, out: &mut Vec<Derived>) {
    let (users, days, count) = (e.users.value, e.days.value, e.count.value);
    let per_user = count / users;
    let rate = per_user / days;
    let known = j.scenario.events.get(&e.name);
    let new_note = known.is_none().then(|| "new in the scenario".to_owned());
    let var = e.count_sq.map(|sq| sample_variance(to_count(users), count, sq.value));
    // The per-user variance for the rate's interval: measured, or from the journey's shape.
    let v = match var {
        Some(var) => var.max(per_user),
        None => {
            let k = known.and_then(|b| b.activity_shape).unwrap_or(j.scenario.activity_shape);
            if k.is_finite() && k > 0.0 { per_user + per_user * per_user / k } else { per_user }
        }
    };
    let half = Z95 * (v / users).sqrt() / days;
    let rate_note = match (var.is_none(), &new_note) {
        (true, Some(n)) => Some(format!("{n}; interval assumes the scenario's activity shape (no count_sq)")),
        (true, None) => Some("interval assumes the journey's activity shape (no count_sq)".to_owned()),
        (false, n) => n.clone(),
    };
    let key = quoted(&e.name);
    let path = format!("scenario.events[{key}].rate_per_day");
    out.push(Derived {
        before: current(j, &path),
        path,
        label: format!("{}: rate per user per day", e.name),
        after: rate,
        interval: Some(((rate - half).max(0.0), rate + half)),
        note: rate_note,
    });
    let Some(var) = var else { return };
    if users < 2.0 {
        return;
    }
    let (shape, note) = if var <= per_user {
        (
            SHAPE_NO_OVERDISPERSION,
            Some(format!(
                "no overdispersion (var {} ≤ mean {}): shape set to {SHAPE_NO_OVERDISPERSION}",
                short(var),
                short(per_user)
            )),
        )
    } else {
        let k = per_user * per_user / (var - per_user);
        if k > SHAPE_NO_OVERDISPERSION {
            (SHAPE_NO_OVERDISPERSION, Some(format!("little overdispersion: shape {} kept at 1000", short(k))))
        } else if k < SHAPE_MIN {
            (SHAPE_MIN, Some(format!("extreme overdispersion: shape {k:.2e} raised to {SHAPE_MIN}")))
        } else {
            (k, None)
        }
    };
    let path = format!("scenario.events[{key}].activity_shape");
    let before = current(j, &path);
    let note = match (note, before) {
        (Some(n), _) => Some(n),
        (None, None) => Some(format!(
            "the event gets its own activity factor (it shared the scenario's, shape {})",
            short(j.scenario.activity_shape)
        )),
        (None, Some(_)) => None,
    };
    out.push(Derived {
        path,
        label: format!("{}: own activity shape", e.name),
        before,
        after: shape,
        interval: None,
        note,
    });
}

fn hours(j: &Journey, cells: &[Cell; 24], out: &mut Vec<Derived>) {
    let curve = &j.scenario.population.activity_curve;
    let sum: f64 = curve.iter().sum();
    let scale =
        if curve.len() == 24 && curve.iter().all(|w| w.is_finite() && *w >= 0.0) && sum > 0.0 { sum } else { 24.0 };
    let total: f64 = cells.iter().map(|c| c.value).sum();
    for (h, c) in cells.iter().enumerate() {
        let path = format!("scenario.population.activity_curve[{h}]");
        out.push(Derived {
            before: current(j, &path),
            path,
            label: format!("Activity curve: {h:02}:00–{:02}:00", (h + 1) % 24),
            after: c.value / total * scale,
            interval: wilson_pair(c.value, total).map(|(lo, hi)| (lo * scale, hi * scale)),
            note: None,
        });
    }
}

fn property(j: &Journey, p: &PropertyFigures, n: Option<u64>, out: &mut Vec<Derived>) -> Result<(), CalibrateError> {
    let who = format!("{}.{}", p.event, p.property);
    let existing = j.scenario.events.get(&p.event).and_then(|e| e.properties.get(&p.property));
    let numeric_rows = p.shares.is_empty();
    let kind_error = |kind: &str, want: &str| bad(p.line, NAME_COL, format!("{who} is {kind} in the journey; {want}"));
    match existing {
        Some(PropertyDist::Categorical(_)) if numeric_rows => {
            return Err(kind_error("categorical", "give share:VALUE rows for it, not mean and sd"));
        }
        Some(PropertyDist::Normal { .. } | PropertyDist::Uniform { .. }) if !numeric_rows => {
            return Err(kind_error("numeric", "give mean and sd rows for it, not shares"));
        }
        Some(PropertyDist::Bool(_)) => {
            return Err(kind_error("a yes/no property", "calibration sets numeric and categorical properties only"));
        }
        Some(PropertyDist::DateOffset { .. }) => {
            return Err(kind_error("a date", "calibration sets numeric and categorical properties only"));
        }
        _ => {}
    }
    let base = format!("scenario.events[{}].properties[{}]", quoted(&p.event), quoted(&p.property));
    #[allow(clippy::cast_precision_loss, reason = "counts below 2^53")]
    let nf = n.map(|n| n as f64);
    let no_count = || format!("no interval: the results give no count for {}", p.event);
    if numeric_rows {
        if let Some(mean) = p.mean {
            let path = format!("{base}.mean");
            let half = match (p.sd, nf) {
                (Some(sd), Some(n)) if n > 0.0 => Some(Z95 * sd.value / n.sqrt()),
                _ => None,
            };
            let note = match (half, nf) {
                (None, None) => Some(no_count()),
                (None, Some(_)) => Some("no interval: the results give no sd".to_owned()),
                _ => None,
            };
            out.push(Derived {
                before: current(j, &path),
                path,
                label: format!("{who}: mean"),
                after: mean.value,
                interval: half.map(|h| (mean.value - h, mean.value + h)),
                note,
            });
        }
        if let Some(sd) = p.sd {
            let path = format!("{base}.sd");
            let half = nf.filter(|n| *n >= 2.0).map(|n| Z95 * sd.value / (2.0 * (n - 1.0)).sqrt());
            out.push(Derived {
                before: current(j, &path),
                path,
                label: format!("{who}: spread (sd)"),
                after: sd.value,
                interval: half.map(|h| ((sd.value - h).max(0.0), sd.value + h)),
                note: half.is_none().then(no_count),
            });
        }
        return Ok(());
    }
    let total: f64 = p.shares.iter().map(|(_, c)| c.value).sum();
    if total <= 0.0 {
        return Err(bad(p.line, VALUE_COL, format!("every share of {who} is 0")));
    }
    let share_path = |c: &str| format!("{base}.share[{}]", quoted(c));
    for (category, cell) in &p.shares {
        let share = cell.value / total;
        let path = share_path(category);
        out.push(Derived {
            before: current(j, &path),
            path,
            label: format!("{who}: share of {category}"),
            after: share,
            interval: nf.and_then(|n| wilson_pair((share * n).round(), n)),
            note: nf.is_none().then(no_count),
        });
    }
    if let Some(PropertyDist::Categorical(cats)) = existing {
        let mut seen = BTreeSet::new();
        for (category, _) in cats {
            if p.shares.iter().any(|(c, _)| c == category) || !seen.insert(category) {
                continue;
            }
            let path = share_path(category);
            out.push(Derived {
                before: current(j, &path),
                path,
                label: format!("{who}: share of {category}"),
                after: 0.0,
                interval: None,
                note: Some("not in the results".to_owned()),
            });
        }
    }
    Ok(())
}

/// A number with about four significant digits, for notes.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12);
    #[allow(clippy::cast_sign_loss, reason = "clamped to 0..=12")]
    let s = format!("{x:.*}", digits as usize);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

#[cfg(test)]
mod tests;

/// A value with four significant digits (no exponent between 10^-4 and 10^12), as the
/// CLI and the app show derived values.
#[must_use]
pub fn number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    if !x.is_finite() || x.abs() < 1e-4 || x.abs() >= 1e12 {
        return format!("{x:.3e}");
    }
    #[allow(clippy::cast_possible_truncation, reason = "the exponent of a finite f64 fits")]
    let magnitude = x.abs().log10().floor() as i32;
    let digits = usize::try_from((3 - magnitude).max(0)).unwrap_or(0);
    let s = format!("{x:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}
