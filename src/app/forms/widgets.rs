//! Form building blocks: labelled rows, text fields that keep invalid text with a
//! reason, durations with a unit picker, times of day, date-times, enum pickers,
//! the timezone picker, and the diagnostics: at their field, or in the form's banner.
//!
//! Invariants: a typed value is written only when its text parses; invalid text lives
//! in egui memory under the widget's persistent id (scoped by the caller's `push_id`)
//! until it is fixed or the model changes from outside (undo); every input is tied to
//! a visible label with `labelled_by` or carries its own text.

use egui::{Color32, Id, Response, RichText, Ui};

use crate::model::{Seconds, TimeOfDay, Timestamp, TzName};
use crate::validate::{Diagnostic, Field, Severity};

/// Width of a short numeric field.
pub(super) const NUMBER_WIDTH: f32 = 60.0;
/// Width of a numeric field that shares its line with several others (six characters).
pub(super) const NARROW_NUMBER_WIDTH: f32 = 48.0;
/// Width of a text field.
pub(super) const TEXT_WIDTH: f32 = 220.0;

/// A form row in a two-column grid: a label with a tooltip on the left, the widget(s)
/// on the right. `add` gets the label's id to tie its inputs to.
///
/// A typed field's reason for refusing its text goes at the end of the row, after the
/// row's other widgets (a unit, a "%", a "Now" button), so that it never pushes them
/// aside under the pointer.
pub(super) fn row(ui: &mut Ui, label: &str, tip: &str, add: impl FnOnce(&mut Ui, Id) -> bool) -> bool {
    let label_id = ui.label(label).on_hover_text(tip).id;
    let changed = ui
        .horizontal(|ui| {
            let id = Id::unique(ROW_ERRORS_ID);
            let outer: Option<Vec<String>> = ui.data_mut(|d| d.remove_temp(id));
            ui.data_mut(|d| d.insert_temp(id, Vec::<String>::new()));
            let changed = add(ui, label_id);
            let errors: Vec<String> = ui.data_mut(|d| d.remove_temp(id)).unwrap_or_default();
            for e in errors {
                error_label(ui, &e);
            }
            if let Some(outer) = outer {
                ui.data_mut(|d| d.insert_temp(id, outer));
            }
            changed
        })
        .inner;
    ui.end_row();
    changed
}

/// Where the typed fields of the [`row`] being drawn leave their errors for its end.
const ROW_ERRORS_ID: &str = "form_row_errors";

/// Shows a typed field's error: at the end of the enclosing [`row`], or right here
/// outside of one.
fn field_error_ui(ui: &mut Ui, message: String) {
    let id = Id::unique(ROW_ERRORS_ID);
    let mut message = Some(message);
    ui.data_mut(|d| {
        if let Some(mut list) = d.get_temp::<Vec<String>>(id) {
            list.extend(message.take());
            d.insert_temp(id, list);
        }
    });
    if let Some(m) = message {
        error_label(ui, &m);
    }
}

/// A two-column grid for rows, with a stable id from `salt`.
pub(super) fn grid<R>(ui: &mut Ui, salt: impl egui::AsIdSalt, add: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Grid::new(salt).num_columns(2).spacing([12.0, 6.0]).striped(false).show(ui, add).inner
}

/// A section heading.
pub(super) fn heading(ui: &mut Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).strong());
}

/// An error colour from the current visuals.
pub(super) fn error_color(ui: &Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// A red reason next to a field.
pub(super) fn error_label(ui: &mut Ui, message: &str) {
    ui.colored_label(error_color(ui), message);
}

/// A plain single-line text field tied to its name. Returns whether it changed.
pub(super) fn text_edit(ui: &mut Ui, name: impl Into<Name>, tip: &str, text: &mut String, hint: &str) -> bool {
    let response = ui.add(egui::TextEdit::singleline(text).desired_width(TEXT_WIDTH).hint_text(hint));
    named(response, name, tip).changed()
}

/// A labelled single-line text row.
pub(super) fn text_row(ui: &mut Ui, label: &str, tip: &str, text: &mut String) -> bool {
    row(ui, label, tip, |ui, id| text_edit(ui, id, tip, text, ""))
}

/// The byte range of the character at a 1-based line and column (in characters), or of
/// the last character of that line when the column is past its end; `None` for an empty line.
fn char_range(text: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let chars: Vec<(usize, char)> = text[start..end].char_indices().collect();
    let (at, c) = chars.get(column.saturating_sub(1)).or_else(|| chars.last())?;
    Some(start + at..start + at + c.len_utf8())
}

/// A text edit for a field that may hold Liquid: checked as you type, and while it does
/// not parse the character at the error's line and column is marked (the diagnostic
/// under the field says what is wrong there).
fn liquid_edit(ui: &mut Ui, text: &mut String, multiline: bool) -> Response {
    let err = error_color(ui);
    let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
        let s = buf.as_str();
        let normal = egui::TextFormat::simple(egui::TextStyle::Body.resolve(ui.style()), ui.visuals().text_color());
        let mut job = egui::text::LayoutJob::default();
        let mark = crate::personalize::has_liquid(s)
            .then(|| crate::personalize::compile(s).err())
            .flatten()
            .and_then(|e| char_range(s, e.line, e.column));
        match mark {
            Some(r) => {
                let marked = egui::TextFormat {
                    background: err.gamma_multiply(0.35),
                    underline: egui::Stroke::new(2.0, err),
                    ..normal.clone()
                };
                job.append(&s[..r.start], 0.0, normal.clone());
                job.append(&s[r.clone()], 0.0, marked);
                job.append(&s[r.end..], 0.0, normal);
            }
            None => job.append(s, 0.0, normal),
        }
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let edit =
        if multiline { egui::TextEdit::multiline(text).desired_rows(3) } else { egui::TextEdit::singleline(text) };
    ui.add(edit.desired_width(TEXT_WIDTH).layouter(&mut layouter))
}

/// A labelled single-line row for a field that may hold Liquid (see [`liquid_edit`]).
pub(super) fn liquid_text_row(ui: &mut Ui, label: &str, tip: &str, text: &mut String) -> bool {
    row(ui, label, tip, |ui, id| named(liquid_edit(ui, text, false), id, tip).changed())
}

/// A labelled multi-line row for a field that may hold Liquid (see [`liquid_edit`]).
pub(super) fn liquid_multiline_row(ui: &mut Ui, label: &str, tip: &str, text: &mut String) -> bool {
    let label_id = ui.label(label).on_hover_text(tip).id;
    let changed = named(liquid_edit(ui, text, true), label_id, tip).changed();
    ui.end_row();
    changed
}

/// How an input is named for screen readers and tests.
#[derive(Clone, Debug)]
pub(super) enum Name {
    /// By a visible label (its id).
    By(Id),
    /// By its own accessible name, when no visible label names it alone.
    Text(String),
}

impl From<Id> for Name {
    fn from(id: Id) -> Self {
        Self::By(id)
    }
}

impl From<String> for Name {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

/// Ties a response to its name and tooltip.
pub(super) fn named(response: Response, name: impl Into<Name>, tip: &str) -> Response {
    let response = match name.into() {
        Name::By(id) => response.labelled_by(id),
        Name::Text(text) => response.accessible_name(text),
    };
    response.on_hover_text(tip)
}

/// The text a parsed field is showing while it differs from the model.
#[derive(Clone)]
struct Buffer {
    /// What the user typed.
    text: String,
    /// The model's text when the buffer was last in step; a different model text means
    /// the model changed from outside (undo), and the buffer is dropped.
    model_text: String,
}

/// A text field for a typed value. The value changes only when `parse` accepts the
/// text; otherwise the text is kept and the reason shown in red beside it.
#[allow(clippy::too_many_arguments)] // each argument is one aspect of the field; a builder would only rename them
pub(super) fn parsed_edit<T: PartialEq>(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut T,
    width: f32,
    format: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> Result<T, String>,
) -> bool {
    let id = ui.make_persistent_id(("parsed", salt));
    let buf_id = id.with("buffer");
    let model_text = format(value);
    let mut buffer: Option<Buffer> = ui.data(|d| d.get_temp(buf_id));
    if buffer.as_ref().is_some_and(|b| b.model_text != model_text) {
        buffer = None;
    }
    let mut text = buffer.as_ref().map_or_else(|| model_text.clone(), |b| b.text.clone());
    let response = ui.add(egui::TextEdit::singleline(&mut text).id(id).desired_width(width));
    let response = named(response, name, tip);
    crate::app::explore::sweep_menu(&response);
    let mut changed = false;
    let parsed = parse(&text);
    if response.changed() {
        let model_text = match parsed {
            Ok(v) => {
                if v != *value {
                    *value = v;
                    changed = true;
                }
                format(value)
            }
            Err(_) => model_text,
        };
        buffer = Some(Buffer { text: text.clone(), model_text });
    }
    let error = buffer.as_ref().and_then(|b| parse(&b.text).err());
    if response.lost_focus() && error.is_none() {
        buffer = None;
    }
    ui.data_mut(|d| match buffer {
        Some(b) => {
            d.insert_temp(buf_id, b);
        }
        None => d.remove::<Buffer>(buf_id),
    });
    if let Some(e) = error {
        field_error_ui(ui, e);
    }
    changed
}

/// Formats a number without a trailing `.0` and with at most 6 decimals.
pub(super) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Parses a finite number within `[min, max]`.
pub(super) fn parse_f64(text: &str, min: f64, max: f64) -> Result<f64, String> {
    let x: f64 = text.trim().parse().map_err(|_| format!("{:?} is not a number", text.trim()))?;
    if !x.is_finite() {
        return Err("must be a finite number".to_owned());
    }
    if x < min || x > max {
        return Err(format!("must be between {} and {}", fmt_num(min), fmt_num(max)));
    }
    Ok(x)
}

/// Parses a whole number within `[min, max]`.
pub(super) fn parse_int<T: TryFrom<i128>>(text: &str, min: i128, max: i128) -> Result<T, String> {
    let x: i128 = text.trim().parse().map_err(|_| format!("{:?} is not a whole number", text.trim()))?;
    if x < min || x > max {
        return Err(format!("must be between {min} and {max}"));
    }
    T::try_from(x).map_err(|_| "out of range".to_owned())
}

/// A labelled row with a floating-point field in `[min, max]`.
pub(super) fn f64_row(ui: &mut Ui, label: &str, tip: &str, value: &mut f64, min: f64, max: f64) -> bool {
    row(ui, label, tip, |ui, id| f64_edit(ui, label, id, tip, value, min, max))
}

/// A floating-point field in `[min, max]`.
pub(super) fn f64_edit(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut f64,
    min: f64,
    max: f64,
) -> bool {
    f64_edit_sized(ui, salt, name, tip, value, (min, max), NUMBER_WIDTH)
}

/// A floating-point field in `[min, max]`, [`NARROW_NUMBER_WIDTH`] wide.
pub(super) fn narrow_f64_edit(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut f64,
    min: f64,
    max: f64,
) -> bool {
    f64_edit_sized(ui, salt, name, tip, value, (min, max), NARROW_NUMBER_WIDTH)
}

fn f64_edit_sized(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut f64,
    (min, max): (f64, f64),
    width: f32,
) -> bool {
    parsed_edit(ui, salt, name, tip, value, width, |v| fmt_num(*v), |t| parse_f64(t, min, max))
}

/// A share 0–1 edited as a percentage 0–100.
pub(super) fn percent_edit(ui: &mut Ui, salt: &str, name: impl Into<Name>, tip: &str, share: &mut f64) -> bool {
    percent_edit_sized(ui, salt, name, tip, share, NUMBER_WIDTH)
}

/// A share edited as a percentage, [`NARROW_NUMBER_WIDTH`] wide.
pub(super) fn narrow_percent_edit(ui: &mut Ui, salt: &str, name: impl Into<Name>, tip: &str, share: &mut f64) -> bool {
    percent_edit_sized(ui, salt, name, tip, share, NARROW_NUMBER_WIDTH)
}

fn percent_edit_sized(ui: &mut Ui, salt: &str, name: impl Into<Name>, tip: &str, share: &mut f64, width: f32) -> bool {
    let changed = parsed_edit(
        ui,
        salt,
        name,
        tip,
        share,
        width,
        |v| fmt_num((*v * 100.0 * 1e6).round() / 1e6),
        |t| parse_f64(t.trim().trim_end_matches('%'), 0.0, 100.0).map(|p| p / 100.0),
    );
    ui.label("%");
    changed
}

/// A labelled share row edited as a percentage.
pub(super) fn percent_row(ui: &mut Ui, label: &str, tip: &str, share: &mut f64) -> bool {
    row(ui, label, tip, |ui, id| percent_edit(ui, label, id, tip, share))
}

/// A whole-number field in `[min, max]`.
pub(super) fn int_edit<T>(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut T,
    min: i128,
    max: i128,
) -> bool
where
    T: PartialEq + Copy + Into<i128> + TryFrom<i128>,
{
    parsed_edit(ui, salt, name, tip, value, NUMBER_WIDTH, |v| (*v).into().to_string(), |t| parse_int(t, min, max))
}

/// A labelled whole-number row.
pub(super) fn int_row<T>(ui: &mut Ui, label: &str, tip: &str, value: &mut T, min: i128, max: i128) -> bool
where
    T: PartialEq + Copy + Into<i128> + TryFrom<i128>,
{
    row(ui, label, tip, |ui, id| int_edit(ui, label, id, tip, value, min, max))
}

/// Duration units offered by the unit picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unit {
    Minutes,
    Hours,
    Days,
}

impl Unit {
    const ALL: [Self; 3] = [Self::Minutes, Self::Hours, Self::Days];

    fn secs(self) -> i64 {
        match self {
            Self::Minutes => 60,
            Self::Hours => 3_600,
            Self::Days => 86_400,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }

    /// The largest unit that divides `secs` evenly (minutes for zero or odd seconds).
    fn fitting(secs: i64) -> Self {
        Self::ALL.into_iter().rev().find(|u| secs != 0 && secs % u.secs() == 0).unwrap_or(Self::Minutes)
    }
}

/// Parses a duration amount in `unit`: non-negative, a whole number of seconds.
fn parse_amount(text: &str, unit: Unit) -> Result<Seconds, String> {
    let x = parse_f64(text, 0.0, 1e9)?;
    let secs = x * unit.secs() as f64;
    if (secs - secs.round()).abs() > 1e-6 {
        return Err("must be a whole number of seconds".to_owned());
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(Seconds(secs.round() as i64))
}

/// A duration: an amount field tied to its name plus a unit picker named `"{salt} unit"`.
/// Changing the unit keeps the amount ("1 day" becomes "1 hour").
pub(super) fn duration_edit(ui: &mut Ui, salt: &str, name: impl Into<Name>, tip: &str, value: &mut Seconds) -> bool {
    let unit_id = ui.make_persistent_id(("unit", salt));
    let mut unit: Unit = ui.data(|d| d.get_temp(unit_id)).unwrap_or_else(|| Unit::fitting(value.0));
    let secs_per_unit = unit.secs();
    let mut changed = parsed_edit(
        ui,
        salt,
        name,
        tip,
        value,
        NUMBER_WIDTH,
        |v| fmt_num(v.0 as f64 / secs_per_unit as f64),
        |t| parse_amount(t, unit),
    );
    let before = unit;
    let name = format!("{salt} unit");
    egui::ComboBox::from_id_salt(unit_id)
        .selected_text(unit.label())
        .width(68.0)
        .show_ui(ui, |ui| {
            for u in Unit::ALL {
                ui.selectable_value(&mut unit, u, u.label());
            }
        })
        .response
        .accessible_name(name)
        .on_hover_text("Unit of the duration");
    if unit != before {
        let amount = value.0 as f64 / before.secs() as f64;
        #[allow(clippy::cast_possible_truncation)]
        let secs = Seconds((amount * unit.secs() as f64).round() as i64);
        if secs != *value {
            *value = secs;
            changed = true;
        }
    }
    ui.data_mut(|d| d.insert_temp(unit_id, unit));
    changed
}

/// A labelled duration row.
pub(super) fn duration_row(ui: &mut Ui, label: &str, tip: &str, value: &mut Seconds) -> bool {
    row(ui, label, tip, |ui, id| duration_edit(ui, label, id, tip, value))
}

/// An optional duration: a checkbox with the label's text, then the duration when on.
pub(super) fn optional_duration_row(
    ui: &mut Ui,
    label: &str,
    tip: &str,
    value: &mut Option<Seconds>,
    default: Seconds,
) -> bool {
    let mut on = value.is_some();
    let mut changed = ui.checkbox(&mut on, label).on_hover_text(tip).changed();
    ui.horizontal(|ui| {
        if changed {
            *value = on.then_some(value.unwrap_or(default));
        }
        if let Some(v) = value {
            let salt = format!("{label} duration");
            changed |= duration_edit(ui, &salt, salt.clone(), tip, v);
        }
    });
    ui.end_row();
    changed
}

/// A time of day field (HH:MM).
pub(super) fn time_of_day_edit(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut TimeOfDay,
) -> bool {
    parsed_edit(ui, salt, name, tip, value, 56.0, ToString::to_string, |t| {
        t.parse::<TimeOfDay>().map_err(|_| format!("{:?} is not a time: use HH:MM from 00:00 to 23:59", t.trim()))
    })
}

/// Formats an instant as `YYYY-MM-DD HH:MM` UTC (seconds only when not zero).
pub(super) fn fmt_timestamp(t: Timestamp) -> String {
    t.format_local(chrono_tz::UTC)
}

/// The current instant, to the minute (the form turns "Now" into a fixed instant).
pub(super) fn now_to_minute() -> Timestamp {
    let now = chrono::Utc::now().timestamp();
    Timestamp(now - now.rem_euclid(60))
}

/// A date-time field typed in `zone` (the account timezone) with a "Now" button named
/// `"{salt} now"`, and on a second line the zone's name and the UTC equivalent: the
/// instant the journey stores. An unknown zone name (from a file; validation reports it)
/// falls back to UTC, and says so. A wall-clock time the clocks skip or pass twice is
/// refused with the reason (see [`Timestamp::parse_local`]).
pub(super) fn timestamp_edit(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut Timestamp,
    zone: &TzName,
) -> bool {
    let tz = zone.zone();
    let shown = tz.unwrap_or(chrono_tz::UTC);
    let mut changed = false;
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            changed |= parsed_edit(
                ui,
                salt,
                name,
                tip,
                value,
                124.0,
                |t| t.format_local(shown),
                |text| Timestamp::parse_local(text, shown),
            );
            if ui
                .button("Now")
                .accessible_name(format!("{salt} now"))
                .on_hover_text("Set to the current instant (saved as a fixed date-time)")
                .clicked()
            {
                let now = now_to_minute();
                if now != *value {
                    *value = now;
                    changed = true;
                }
            }
        });
        // The zone and the stored instant on a line of their own, so the row stays narrow.
        let line = match tz {
            Some(z) if z != chrono_tz::UTC => format!("{} · = {} UTC", z.name(), fmt_timestamp(*value)),
            Some(_) => "UTC".to_owned(),
            None => format!("Unknown timezone {zone}: typed as UTC"),
        };
        ui.add(egui::Label::new(RichText::new(line).small().weak()).wrap())
            .on_hover_text("Typed in the account timezone (Setup › Timezone); the journey stores the UTC instant");
    });
    changed
}

/// A labelled date-time row, typed in `zone` (see [`timestamp_edit`]).
pub(super) fn timestamp_row(ui: &mut Ui, label: &str, tip: &str, value: &mut Timestamp, zone: &TzName) -> bool {
    row(ui, label, tip, |ui, id| timestamp_edit(ui, label, id, tip, value, zone))
}

/// A picker over a fixed list of choices, tied to its name.
pub(super) fn choice_edit<T: PartialEq + Copy>(
    ui: &mut Ui,
    salt: &str,
    name: impl Into<Name>,
    tip: &str,
    value: &mut T,
    choices: &[(T, &str)],
) -> bool {
    let before = *value;
    let selected = choices.iter().find(|(c, _)| *c == *value).map_or("", |(_, text)| *text);
    let response = egui::ComboBox::from_id_salt(ui.make_persistent_id(("choice", salt)))
        .selected_text(selected)
        .show_ui(ui, |ui| {
            for (c, text) in choices {
                ui.selectable_value(value, *c, *text);
            }
        })
        .response;
    named(response, name, tip);
    *value != before
}

/// A labelled picker row.
pub(super) fn choice_row<T: PartialEq + Copy>(
    ui: &mut Ui,
    label: &str,
    tip: &str,
    value: &mut T,
    choices: &[(T, &str)],
) -> bool {
    row(ui, label, tip, |ui, id| choice_edit(ui, label, id, tip, value, choices))
}

/// A timezone picker: a combo box with a search field over every IANA name.
/// An unknown name (from a file) is kept; validation reports it at the field.
pub(super) fn timezone_edit(ui: &mut Ui, salt: &str, name: impl Into<Name>, tip: &str, value: &mut TzName) -> bool {
    let id = ui.make_persistent_id(("tz", salt));
    let search_id = id.with("search");
    let mut changed = false;
    let response = egui::ComboBox::from_id_salt(id)
        .selected_text(value.0.as_str())
        .width(180.0)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            let mut search: String = ui.data(|d| d.get_temp(search_id)).unwrap_or_default();
            let search_label = ui.label("Search").id;
            ui.add(egui::TextEdit::singleline(&mut search).hint_text("e.g. Kolkata").desired_width(160.0))
                .labelled_by(search_label)
                .on_hover_text("Type part of an IANA timezone name");
            let needle = search.to_lowercase().replace(' ', "_");
            let mut shown = 0;
            for tz in chrono_tz::TZ_VARIANTS {
                let name = tz.name();
                if !needle.is_empty() && !name.to_lowercase().contains(&needle) {
                    continue;
                }
                shown += 1;
                if shown > 40 {
                    ui.weak("… type to narrow the list");
                    break;
                }
                if ui.selectable_label(value.0 == name, name).clicked() {
                    *value = TzName::new(name);
                    changed = true;
                    ui.close();
                }
            }
            ui.data_mut(|d| d.insert_temp(search_id, search));
        })
        .response;
    named(response, name, tip);
    changed
}

/// The diagnostics about the part of the model a form edits.
pub(super) type Diags<'a> = [&'a Diagnostic];

/// One diagnostic in its severity's colour, wrapped to the width at hand so that a long
/// message never widens the inspector.
fn diagnostic_label(ui: &mut Ui, d: &Diagnostic) {
    let (word, color) = match d.severity {
        Severity::Error => ("Error:", ui.visuals().error_fg_color),
        Severity::Warning => ("Warning:", ui.visuals().warn_fg_color),
    };
    ui.add(egui::Label::new(RichText::new(format!("{word} {}", d.message)).color(color)).wrap());
}

/// The banner at the top of a form: the diagnostics about the form's part as a whole,
/// that is those without a field or with a field the form does not show (`at_field`
/// says which fields it shows, each with [`field_diagnostics_ui`]), errors first. Like a
/// field's messages it is one reserved line (see [`message_slot_ui`]: the full text is
/// in its tooltip), so a message coming or going never moves the form under the pointer.
pub(super) fn banner_ui(ui: &mut Ui, diags: &Diags<'_>, at_field: impl Fn(&Field) -> bool) {
    let mut list: Vec<&Diagnostic> =
        diags.iter().copied().filter(|d| !d.field.as_ref().is_some_and(&at_field)).collect();
    list.sort_by_key(|d| std::cmp::Reverse(d.severity));
    message_slot_ui(ui, &list);
}

/// The events the journey uses and the scenario does not describe, each with its
/// "Describe this event" button. Called at the end of the scenario form, so that these
/// rows come and go (as event names are typed) without moving anything above them.
pub(super) fn undescribed_events_ui(ui: &mut Ui, diags: &Diags<'_>) {
    for d in diags {
        if let Some(Field::UndescribedEvent(event)) = &d.field {
            ui.horizontal_wrapped(|ui| {
                diagnostic_label(ui, d);
                crate::app::panels::problems::describe_event_button(ui, event);
            });
        }
    }
}

/// The diagnostics about `field`, shown where this is called: right under its input, in
/// a one-line slot that is there whether or not there is a message (see [`message_slot_ui`]).
pub(super) fn field_diagnostics_ui(ui: &mut Ui, diags: &Diags<'_>, field: &Field) {
    let mut list: Vec<&Diagnostic> = diags.iter().copied().filter(|d| d.field.as_ref() == Some(field)).collect();
    list.sort_by_key(|d| std::cmp::Reverse(d.severity));
    message_slot_ui(ui, &list);
}

/// The diagnostics about any field `which` accepts (for a collapsed section, under its header).
pub(super) fn fields_diagnostics_ui(ui: &mut Ui, diags: &Diags<'_>, which: impl Fn(&Field) -> bool) {
    let mut list: Vec<&Diagnostic> = diags.iter().copied().filter(|d| d.field.as_ref().is_some_and(&which)).collect();
    list.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in list {
        diagnostic_label(ui, d);
    }
}

/// Height of a message slot: one line of small text.
fn slot_height(ui: &Ui) -> f32 {
    ui.text_style_height(&egui::TextStyle::Small)
}

/// The reserved place of a field's messages: always exactly one line of small text, empty
/// when there is nothing to say, so that a message appearing or going away never moves the
/// widgets below (a click lands where the pointer was aimed). The messages, worst first,
/// share the line and are cut with "…" when they do not fit; the full text is in the
/// tooltip and in the accessible name.
pub(super) fn message_slot_ui(ui: &mut Ui, list: &[&Diagnostic]) {
    let height = slot_height(ui);
    let Some(worst) = list.first() else {
        ui.allocate_exact_size(egui::vec2(0.0, height), egui::Sense::hover());
        return;
    };
    let color = match worst.severity {
        Severity::Error => ui.visuals().error_fg_color,
        Severity::Warning => ui.visuals().warn_fg_color,
    };
    let text = list
        .iter()
        .map(|d| {
            let word = if d.severity == Severity::Error { "Error:" } else { "Warning:" };
            format!("{word} {}", d.message)
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let width = ui.available_width().clamp(1.0, TEXT_WIDTH + NUMBER_WIDTH + 80.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    // A cut label shows its full text on hover by itself.
    let label = egui::Label::new(RichText::new(text).small().color(color)).truncate();
    ui.put(rect, label);
}

/// The diagnostics about `field` as a row of a two-column grid under the field's row: a
/// one-line slot that is there whether or not there is a message (see [`message_slot_ui`]).
pub(super) fn grid_diagnostics_ui(ui: &mut Ui, diags: &Diags<'_>, field: &Field) {
    ui.allocate_exact_size(egui::vec2(0.0, slot_height(ui)), egui::Sense::hover());
    field_diagnostics_ui(ui, diags, field);
    ui.end_row();
}

/// A small button that removes a row, named for the row.
pub(super) fn remove_button(ui: &mut Ui, name: &str) -> bool {
    ui.small_button("×").accessible_name(name).on_hover_text(name).clicked()
}

/// Small buttons that move a row up or down, named for the row. Returns -1, 0 or 1.
pub(super) fn move_buttons(ui: &mut Ui, name: &str, index: usize, len: usize) -> i32 {
    let mut delta = 0;
    if ui
        .add_enabled(index > 0, egui::Button::new("Up").small())
        .accessible_name(format!("Move {name} up"))
        .on_hover_text("Move up")
        .clicked()
    {
        delta = -1;
    }
    if ui
        .add_enabled(index + 1 < len, egui::Button::new("Down").small())
        .accessible_name(format!("Move {name} down"))
        .on_hover_text("Move down")
        .clicked()
    {
        delta = 1;
    }
    delta
}

/// Moves `v[index]` by `delta` (-1 or 1) when it stays in range. Returns whether it moved.
pub(super) fn apply_move<T>(v: &mut [T], index: usize, delta: i32) -> bool {
    let target = match delta {
        -1 if index > 0 => index - 1,
        1 if index + 1 < v.len() => index + 1,
        _ => return false,
    };
    v.swap(index, target);
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn char_range_finds_the_marked_character() {
        let t = "Hello\n{% if x %}\né";
        assert_eq!(super::char_range(t, 2, 1), Some(6..7));
        assert_eq!(super::char_range(t, 3, 1), Some(17..19));
        assert_eq!(super::char_range(t, 1, 99), Some(4..5));
        assert_eq!(super::char_range(t, 9, 1), None);
        assert_eq!(super::char_range("", 1, 1), None);
    }
}
