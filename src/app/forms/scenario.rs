//! The scenario form (§2): population (size, timezone mix, reachability, user
//! properties, activity curve, session event), behaviour (event rates with property
//! distributions, engagement responses and an optional own activity shape; the shared
//! activity shape; fatigue), channel rates and costs with the event a click also counts
//! as, and run settings.
//!
//! Invariants: shares are edited as percentages and stored as 0–1; a map key (event or
//! property name) is renamed only to a non-empty name not already used, otherwise the
//! typed name stays in the field with the reason; the activity curve always keeps its
//! 24 hourly weights. Every scenario diagnostic shows under the field it names (under
//! its section's header while the section is collapsed); the banner keeps only those
//! about the scenario as a whole (events it does not describe). Every row fits an
//! inspector about 340 px wide, so the form never widens it: secondary inputs
//! (parameters, weights, durations, remove buttons) go on an indented line under their
//! row, and the channel-rate labels leave out the channel its header names.

use std::collections::BTreeMap;

use egui::{Color32, Sense, Ui, Vec2};

use super::widgets::{
    Diags, TEXT_WIDTH, banner_ui, choice_edit, duration_edit, f64_edit, f64_row, field_diagnostics_ui,
    fields_diagnostics_ui, fmt_num, grid, grid_diagnostics_ui, heading, int_row, named, narrow_f64_edit,
    narrow_percent_edit, parsed_edit, percent_edit, percent_row, remove_button, row, text_row, timezone_edit,
    undescribed_events_ui,
};
use super::{FormContext, FormResponse};
use crate::model::{
    Channel, ChannelRates, DelayDist, EngagementKind, EngagementResponse, EventBehaviour, Journey, Population,
    PropertyDist, Reachability, RunSettings, Scenario, Seconds, TimezoneShare, TzName, VariantEffect,
};
use crate::validate::limits::MAX_MULTIPLIER;
use crate::validate::{Diagnostic, Field, Location, Rate};

/// Hours in the activity curve.
const HOURS: usize = 24;
/// How far a row's second line (parameters, weights, remove buttons) is indented.
const SUB_INDENT: f32 = 12.0;
/// Width of a share's slider (egui's default is 100).
const SLIDER_WIDTH: f32 = 60.0;

/// A row's second line, indented under its first. The form's rows are split this way
/// so that each fits the inspector's width (about 340 px) and never widens it.
fn sub_line<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.horizontal(|ui| {
        ui.add_space(SUB_INDENT);
        add(ui)
    })
    .inner
}

/// Edits the scenario in place.
pub fn scenario_form_ui(ui: &mut Ui, scenario: &mut Scenario, cx: &FormContext<'_>) -> FormResponse {
    let mut out = FormResponse::default();
    let diags: Vec<&Diagnostic> = cx.diagnostics.iter().filter(|d| d.location == Location::Scenario).collect();
    let d = diags.as_slice();
    banner_ui(ui, d, |f| section_of(f).is_some());
    ui.push_id("scenario_form", |ui| {
        section(ui, Section::Population, d, |ui| out |= population_ui(ui, &mut scenario.population, d));
        section(ui, Section::Timezones, d, |ui| out |= timezones_ui(ui, &mut scenario.population.timezones, d));
        section(ui, Section::Reachability, d, |ui| {
            out |= reachability_ui(ui, &mut scenario.population.reachability, d);
        });
        section(ui, Section::UserProperties, d, |ui| {
            let field_of = |key: &str| Field::UserProperty(key.to_owned());
            out |= dists_ui(ui, "User property", &mut scenario.population.properties, d, &field_of);
        });
        section(ui, Section::Curve, d, |ui| out |= curve_ui(ui, &mut scenario.population.activity_curve, d));
        section(ui, Section::Events, d, |ui| {
            out |= events_ui(ui, &mut scenario.events, scenario.activity_shape, d);
            grid(ui, "shape", |ui| {
                out |= f64_row(
                    ui,
                    "Activity shape",
                    "Shape of the per-user activity factor (mean 1) that events without their own shape share; \
                     lower makes users more uneven",
                    &mut scenario.activity_shape,
                    0.01,
                    1_000.0,
                );
                grid_diagnostics_ui(ui, d, &Field::ActivityShape);
            });
        });
        section(ui, Section::Fatigue, d, |ui| out |= fatigue_ui(ui, &mut scenario.fatigue, d));
        let events: Vec<String> = scenario.events.keys().cloned().collect();
        let session = scenario.population.session_event.clone();
        section(ui, Section::Channels, d, |ui| {
            out |= channels_ui(ui, &mut scenario.channels, Events { names: &events, session: &session }, d);
        });
        if !scenario.variant_effects.is_empty()
            || cx.journey.graph.nodes.values().any(|n| !n.kind.variants().is_empty())
        {
            section(ui, Section::Variants, d, |ui| {
                out |= variant_effects_ui(ui, &mut scenario.variant_effects, cx.journey, d);
            });
        }
        section(ui, Section::Run, d, |ui| out |= run_ui(ui, &mut scenario.run, d));
        undescribed_events_ui(ui, d);
    });
    out
}

/// The form's collapsible sections.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Population,
    Timezones,
    Reachability,
    UserProperties,
    Curve,
    Events,
    Fatigue,
    Channels,
    Variants,
    Run,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Self::Population => "Population",
            Self::Timezones => "Timezone mix",
            Self::Reachability => "Reachability",
            Self::UserProperties => "User properties",
            Self::Curve => "Activity curve",
            Self::Events => "Events",
            Self::Fatigue => "Fatigue",
            Self::Channels => "Channel rates and costs",
            Self::Variants => "Content variants",
            Self::Run => "Run settings",
        }
    }
}

/// The section whose fields show the diagnostics about `field`; `None` for a field the
/// scenario form does not have (its diagnostics go to the banner).
fn section_of(field: &Field) -> Option<Section> {
    Some(match field {
        Field::Population | Field::SessionEvent | Field::CustomListShare => Section::Population,
        Field::Timezones | Field::Timezone(_) => Section::Timezones,
        Field::Reachability(_) | Field::Unsubscribed(_) => Section::Reachability,
        Field::UserProperty(_) => Section::UserProperties,
        Field::ActivityCurve => Section::Curve,
        Field::EventName(_)
        | Field::EventRate(_)
        | Field::EventProperty(..)
        | Field::EventEngagement(_)
        | Field::EventShape(_)
        | Field::ActivityShape => Section::Events,
        Field::Fatigue(_) => Section::Fatigue,
        Field::ChannelRate(..) | Field::ClickCountsAs(_) => Section::Channels,
        Field::VariantEffect(_) => Section::Variants,
        Field::Horizon | Field::Replicates => Section::Run,
        _ => return None,
    })
}

/// A collapsible section, open at first. While it is collapsed, the diagnostics about
/// its fields show under its header, so none is hidden.
fn section(ui: &mut Ui, which: Section, d: &Diags<'_>, add: impl FnOnce(&mut Ui)) {
    let shown = egui::CollapsingHeader::new(which.title()).default_open(true).show(ui, add).body_returned.is_some();
    if !shown {
        fields_diagnostics_ui(ui, d, |f| section_of(f) == Some(which));
    }
}

fn population_ui(ui: &mut Ui, p: &mut Population, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "population", |ui| {
        changed |= int_row(
            ui,
            "Population size",
            "Number of simulated users (1 to 100 million)",
            &mut p.users,
            1,
            100_000_000,
        );
        grid_diagnostics_ui(ui, d, &Field::Population);
        changed |= text_row(ui, "Session event", "The event in-app messages wait for", &mut p.session_event);
        grid_diagnostics_ui(ui, d, &Field::SessionEvent);
        changed |= percent_row(
            ui,
            "Custom list share",
            "Share of users on a custom entry list (chosen by a hash of the user id)",
            &mut p.custom_list_share,
        );
        grid_diagnostics_ui(ui, d, &Field::CustomListShare);
    });
    changed
}

fn timezones_ui(ui: &mut Ui, zones: &mut Vec<TimezoneShare>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    let total: f64 = zones.iter().map(|z| z.weight).sum();
    let mut remove = None;
    for (i, z) in zones.iter_mut().enumerate() {
        let n = i + 1;
        ui.push_id(("tz", i), |ui| {
            ui.horizontal(|ui| {
                let l = ui.label(format!("Timezone {n}")).id;
                changed |= timezone_edit(ui, "zone", l, "An IANA timezone", &mut z.tz);
            });
            // The weight, its share and the remove button go under the zone: on one
            // line they widened the inspector.
            sub_line(ui, |ui| {
                ui.label("weight");
                let w = format!("Timezone {n} weight");
                changed |= f64_edit(ui, "weight", w, "Relative weight in the mix", &mut z.weight, 0.0, 1e9);
                if total > 0.0 {
                    ui.weak(format!("{}%", fmt_num((z.weight / total * 1000.0).round() / 10.0)));
                }
                if remove_button(ui, &format!("Remove timezone {n}")) {
                    remove = Some(i);
                }
            });
            field_diagnostics_ui(ui, d, &Field::Timezone(i));
        });
    }
    field_diagnostics_ui(ui, d, &Field::Timezones);
    if let Some(i) = remove {
        zones.remove(i);
        changed = true;
    }
    if ui.button("Add timezone").on_hover_text("Add a timezone to the mix").clicked() {
        zones.push(TimezoneShare { tz: TzName::new("UTC"), weight: 1.0 });
        changed = true;
    }
    changed
}

/// A percentage field with a slider beside it, both editing one share. Both are narrow
/// so that the row fits beside the longest label ("Web-push subscription").
fn share_with_slider_row(ui: &mut Ui, label: &str, tip: &str, share: &mut f64) -> bool {
    row(ui, label, tip, |ui, id| {
        let mut c = narrow_percent_edit(ui, label, id, tip, share);
        let mut pct = *share * 100.0;
        ui.spacing_mut().slider_width = SLIDER_WIDTH;
        let slider = ui.add(egui::Slider::new(&mut pct, 0.0..=100.0).show_value(false));
        if named(slider, format!("{label} slider"), tip).changed() {
            *share = (pct * 10.0).round() / 1000.0;
            c = true;
        }
        c
    })
}

fn reachability_ui(ui: &mut Ui, r: &mut Reachability, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "reach", |ui| {
        for (channel, label, tip, share) in [
            (Channel::Push, "Push token", "Share of users with a push token", &mut r.push),
            (Channel::WebPush, "Web-push subscription", "Share of users subscribed to web push", &mut r.web_push),
            (Channel::Email, "Email address", "Share of users with an email address", &mut r.email),
            (Channel::Sms, "Phone number", "Share of users with a phone number (SMS)", &mut r.phone),
            (
                Channel::WhatsApp,
                "WhatsApp opt-in",
                "Share of users with a phone who opted in to WhatsApp",
                &mut r.whatsapp_of_phone,
            ),
        ] {
            changed |= share_with_slider_row(ui, label, tip, share);
            grid_diagnostics_ui(ui, d, &Field::Reachability(channel));
        }
    });
    heading(ui, "Unsubscribed per channel");
    changed |= per_channel_shares_ui(
        ui,
        "unsubscribed",
        &mut r.unsubscribed,
        ("unsubscribed", "Share of reachable users who opted out"),
        d,
        Field::Unsubscribed,
    );
    changed
}

/// A share per channel; a channel missing from the map reads as 0 and is added when edited.
/// Rows are labelled "{channel} {suffix}"; a row's diagnostics (`field(channel)`) show under it.
fn per_channel_shares_ui(
    ui: &mut Ui,
    salt: &str,
    map: &mut BTreeMap<Channel, f64>,
    (suffix, tip): (&str, &str),
    d: &Diags<'_>,
    field: fn(Channel) -> Field,
) -> bool {
    let mut changed = false;
    grid(ui, salt, |ui| {
        for c in Channel::ALL {
            let mut v = map.get(&c).copied().unwrap_or(0.0);
            let label = format!("{} {suffix}", c.label());
            if row(ui, &label, tip, |ui, id| percent_edit(ui, &label, id, tip, &mut v)) {
                map.insert(c, v);
                changed = true;
            }
            grid_diagnostics_ui(ui, d, &field(c));
        }
    });
    changed
}

/// Checks a new map key: not empty and not used by another entry.
fn parse_key<'a>(text: &str, others: impl Iterator<Item = &'a String>) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("needs a name".to_owned());
    }
    let mut others = others;
    if others.any(|o| o == name) {
        return Err(format!("{name:?} is already used"));
    }
    Ok(name.to_owned())
}

/// A fresh key "base", "base 2", … not in the map.
fn fresh_key<V>(map: &BTreeMap<String, V>, base: &str) -> String {
    (1..)
        .map(|i| if i == 1 { base.to_owned() } else { format!("{base} {i}") })
        .find(|k| !map.contains_key(k))
        .unwrap_or_else(|| base.to_owned())
}

/// Which distribution, without parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DistKind {
    Categorical,
    Uniform,
    Normal,
    Bool,
    DateOffset,
}

fn default_dist(kind: DistKind) -> PropertyDist {
    match kind {
        DistKind::Categorical => PropertyDist::Categorical(vec![("A".to_owned(), 1.0), ("B".to_owned(), 1.0)]),
        DistKind::Uniform => PropertyDist::Uniform { min: 0.0, max: 100.0 },
        DistKind::Normal => PropertyDist::Normal { mean: 50.0, std_dev: 10.0 },
        DistKind::Bool => PropertyDist::Bool(0.5),
        DistKind::DateOffset => PropertyDist::DateOffset { min_days: 0.0, max_days: 30.0 },
    }
}

/// Property distributions keyed by name. Rows are named `"{prefix} {k} …"`; the
/// diagnostics about a property (`field_of(name)`) show under its row.
fn dists_ui(
    ui: &mut Ui,
    prefix: &str,
    map: &mut BTreeMap<String, PropertyDist>,
    d: &Diags<'_>,
    field_of: &dyn Fn(&str) -> Field,
) -> bool {
    let mut changed = false;
    let keys: Vec<String> = map.keys().cloned().collect();
    let mut rename = None;
    let mut remove = None;
    for (i, key) in keys.iter().enumerate() {
        let n = i + 1;
        let row_name = format!("{prefix} {n}");
        let Some(dist) = map.get_mut(key) else { continue };
        ui.push_id((prefix, key), |ui| {
            let mut kind_changed = false;
            ui.horizontal(|ui| {
                let mut new_key = key.clone();
                let others = keys.iter().filter(|k| *k != key);
                let name = format!("{row_name} name");
                if parsed_edit(ui, "key", name, "The property's name", &mut new_key, 120.0, Clone::clone, |t| {
                    parse_key(t, others.clone())
                }) {
                    rename = Some((key.clone(), new_key));
                }
                kind_changed = dist_kind_ui(ui, &row_name, dist);
            });
            // Parameters go under the name and kind, and the property's remove button
            // ends their last line: on one line they widened the inspector.
            let remove_name = format!("Remove {}", row_name.to_lowercase());
            let (c, removed) = dist_params_ui(ui, &row_name, dist, &remove_name);
            changed |= kind_changed | c;
            if removed {
                remove = Some(key.clone());
            }
            field_diagnostics_ui(ui, d, &field_of(key));
        });
    }
    if let Some((old, new)) = rename
        && let Some(d) = map.remove(&old)
    {
        map.insert(new, d);
        changed = true;
    }
    if let Some(k) = remove {
        map.remove(&k);
        changed = true;
    }
    let add = ui.button("Add property");
    if named(add, format!("Add {}", prefix.to_lowercase()), "Add a property with a distribution").clicked() {
        let key = fresh_key(map, "Property");
        map.insert(key, default_dist(DistKind::Uniform));
        changed = true;
    }
    changed
}

/// A distribution's kind picker, named `"{name} distribution"`; choosing another kind
/// resets the parameters to that kind's defaults.
fn dist_kind_ui(ui: &mut Ui, name: &str, dist: &mut PropertyDist) -> bool {
    let before = match dist {
        PropertyDist::Categorical(_) => DistKind::Categorical,
        PropertyDist::Uniform { .. } => DistKind::Uniform,
        PropertyDist::Normal { .. } => DistKind::Normal,
        PropertyDist::Bool(_) => DistKind::Bool,
        PropertyDist::DateOffset { .. } => DistKind::DateOffset,
    };
    let mut kind = before;
    choice_edit(
        ui,
        "dist",
        format!("{name} distribution"),
        "How values are drawn",
        &mut kind,
        &[
            (DistKind::Categorical, "categories"),
            (DistKind::Uniform, "uniform number"),
            (DistKind::Normal, "normal number"),
            (DistKind::Bool, "true/false"),
            (DistKind::DateOffset, "date offset"),
        ],
    );
    if kind == before {
        return false;
    }
    *dist = default_dist(kind);
    true
}

/// A distribution's parameters, named `"{name} …"`, on indented lines; the last line
/// ends with the row's remove button, named `remove_name`. Returns (changed, remove clicked).
fn dist_params_ui(ui: &mut Ui, name: &str, dist: &mut PropertyDist, remove_name: &str) -> (bool, bool) {
    let mut changed = false;
    let mut removed = false;
    let num = |ui: &mut Ui, what: &str, tip: &str, v: &mut f64, lo: f64, hi: f64| {
        ui.label(what);
        narrow_f64_edit(ui, what, format!("{name} {what}"), tip, v, lo, hi)
    };
    if let PropertyDist::Categorical(cats) = dist {
        let mut remove = None;
        for (i, (cat, w)) in cats.iter_mut().enumerate() {
            let c = format!("{name} category {}", i + 1);
            ui.push_id(("cat", i), |ui| {
                sub_line(ui, |ui| {
                    let response = ui.add(egui::TextEdit::singleline(cat).desired_width(100.0));
                    changed |= named(response, c.clone(), "Category value").changed();
                    changed |= narrow_f64_edit(ui, "w", format!("{c} weight"), "Relative weight", w, 0.0, 1e9);
                    if remove_button(ui, &format!("Remove {c}")) {
                        remove = Some(i);
                    }
                });
            });
        }
        if let Some(i) = remove {
            cats.remove(i);
            changed = true;
        }
        sub_line(ui, |ui| {
            let add = ui.button("Add category");
            if named(add, format!("{name} add category"), "Add a category").clicked() {
                cats.push((format!("Value {}", cats.len() + 1), 1.0));
                changed = true;
            }
            removed = remove_button(ui, remove_name);
        });
        return (changed, removed);
    }
    sub_line(ui, |ui| {
        match dist {
            PropertyDist::Uniform { min, max } => {
                changed |= num(ui, "min", "Lower bound", min, f64::MIN, f64::MAX);
                changed |= num(ui, "max", "Upper bound", max, f64::MIN, f64::MAX);
            }
            PropertyDist::Normal { mean, std_dev } => {
                changed |= num(ui, "mean", "Mean", mean, f64::MIN, f64::MAX);
                changed |= num(ui, "sd", "Standard deviation", std_dev, 0.0, f64::MAX);
            }
            PropertyDist::Bool(p) => {
                ui.label("p");
                changed |= narrow_percent_edit(ui, "p", format!("{name} p"), "Chance of true", p);
            }
            PropertyDist::DateOffset { min_days, max_days } => {
                changed |=
                    num(ui, "from days", "Earliest offset from the journey start, days", min_days, -36_500.0, 36_500.0);
                changed |=
                    num(ui, "to days", "Latest offset from the journey start, days", max_days, -36_500.0, 36_500.0);
            }
            PropertyDist::Categorical(_) => {}
        }
        removed = remove_button(ui, remove_name);
    });
    (changed, removed)
}

/// The 24-hour activity curve: a bar chart to drag plus a numeric field per hour.
fn curve_ui(ui: &mut Ui, curve: &mut Vec<f64>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    field_diagnostics_ui(ui, d, &Field::ActivityCurve);
    if curve.len() != HOURS {
        if ui.button("Reset to 24 hours").on_hover_text("Pad or trim the curve to 24 weights").clicked() {
            curve.resize(HOURS, 1.0);
            changed = true;
        }
        return changed;
    }
    ui.weak("Drag a bar to set when users tend to act (local time)");
    changed |= curve_chart_ui(ui, curve);
    // Six hours a line keeps the fields within the inspector's width.
    egui::Grid::new("curve_fields").num_columns(6).spacing([4.0, 4.0]).show(ui, |ui| {
        for (h, w) in curve.iter_mut().enumerate() {
            ui.vertical(|ui| {
                let name = format!("Hour {h:02}");
                ui.weak(format!("{h:02}"));
                changed |= parsed_edit(
                    ui,
                    &name,
                    name.clone(),
                    "Relative activity in this hour",
                    w,
                    40.0,
                    |v| fmt_num(*v),
                    |t| super::widgets::parse_f64(t, 0.0, 1e6),
                );
            });
            if h % 6 == 5 {
                ui.end_row();
            }
        }
    });
    changed
}

/// The bar chart. The scale is fixed while a drag lasts, so dragging one bar never
/// rescales the others under the pointer.
fn curve_chart_ui(ui: &mut Ui, curve: &mut [f64]) -> bool {
    // The bars share the width at hand (at most 16 px each), so the chart never widens the inspector.
    let bar_w = (ui.available_width() / HOURS as f32).clamp(8.0, 16.0);
    let height = 110.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(bar_w * HOURS as f32, height), Sense::click_and_drag());
    let response = response.on_hover_text("Drag a bar up or down to set that hour's weight");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Activity curve chart"));
    let scale_id = response.id.with("scale");
    let max = curve.iter().copied().fold(0.0_f64, f64::max);
    let fresh_scale = (max.max(1.0) * 1.25 * 10.0).ceil() / 10.0;
    let scale: f64 = if response.dragged() || response.clicked() {
        ui.data(|d| d.get_temp(scale_id)).unwrap_or(fresh_scale)
    } else {
        fresh_scale
    };
    if response.drag_started() || response.is_pointer_button_down_on() {
        ui.data_mut(|d| d.get_temp_mut_or(scale_id, scale).clone_from(&scale));
    }
    let mut changed = false;
    if (response.dragged() || response.clicked())
        && let Some(pos) = response.interact_pointer_pos()
    {
        let hour = ((pos.x - rect.left()) / bar_w).floor();
        if (0.0..HOURS as f32).contains(&hour) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let h = hour as usize;
            let frac = f64::from(((rect.bottom() - pos.y) / height).clamp(0.0, 1.0));
            let w = (frac * scale * 10.0).round() / 10.0;
            if curve[h] != w {
                curve[h] = w;
                changed = true;
            }
        }
    }
    if !response.dragged() && !response.is_pointer_button_down_on() {
        ui.data_mut(|d| d.remove::<f64>(scale_id));
    }
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 2.0, visuals.extreme_bg_color);
    let peak = curve.iter().enumerate().fold((0, f64::MIN), |best, (i, w)| if *w > best.1 { (i, *w) } else { best }).0;
    for (h, w) in curve.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation)]
        let frac = (w / scale).clamp(0.0, 1.0) as f32;
        let x = rect.left() + h as f32 * bar_w;
        let bar = egui::Rect::from_min_max(
            egui::pos2(x + 1.0, rect.bottom() - frac * height),
            egui::pos2(x + bar_w - 1.0, rect.bottom()),
        );
        let color = if h == peak { visuals.selection.bg_fill } else { visuals.widgets.inactive.fg_stroke.color };
        painter.rect_filled(bar, 1.0, color.gamma_multiply(if h == peak { 1.0 } else { 0.6 }));
        if h % 6 == 0 {
            painter.text(
                egui::pos2(x + 1.0, rect.top() + 1.0),
                egui::Align2::LEFT_TOP,
                format!("{h:02}"),
                egui::FontId::proportional(9.0),
                Color32::GRAY,
            );
        }
    }
    ui.weak(format!("Best time (peak hour): {peak:02}:00"));
    changed
}

/// `shared_shape` is the scenario's activity shape, where an event's own shape starts.
fn events_ui(ui: &mut Ui, events: &mut BTreeMap<String, EventBehaviour>, shared_shape: f64, d: &Diags<'_>) -> bool {
    let mut changed = false;
    let keys: Vec<String> = events.keys().cloned().collect();
    let mut rename = None;
    let mut remove = None;
    for (i, key) in keys.iter().enumerate() {
        let n = i + 1;
        let Some(b) = events.get_mut(key) else { continue };
        ui.push_id(("event", key), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                let ev = format!("Event {n}");
                grid(ui, "event_main", |ui| {
                    let others = keys.iter().filter(|k| *k != key);
                    let mut new_key = key.clone();
                    let tip = "The event's name as the journey uses it";
                    if row(ui, &format!("{ev} name"), tip, |ui, id| {
                        parsed_edit(ui, "key", id, tip, &mut new_key, TEXT_WIDTH, Clone::clone, |t| {
                            parse_key(t, others.clone())
                        })
                    }) {
                        rename = Some((key.clone(), new_key));
                    }
                    grid_diagnostics_ui(ui, d, &Field::EventName(key.clone()));
                    changed |=
                        crate::app::explore::sweepable(ui, format!("scenario.events[{key:?}].rate_per_day"), |ui| {
                            f64_row(
                                ui,
                                &format!("{ev} rate per day"),
                                "Mean occurrences per user per day",
                                &mut b.rate_per_day,
                                0.0,
                                1e6,
                            )
                        });
                    grid_diagnostics_ui(ui, d, &Field::EventRate(key.clone()));
                    changed |= own_shape_row(ui, &ev, &mut b.activity_shape, shared_shape);
                    grid_diagnostics_ui(ui, d, &Field::EventShape(key.clone()));
                });
                ui.label("Properties");
                let field_of = |prop: &str| Field::EventProperty(key.clone(), prop.to_owned());
                changed |= dists_ui(ui, &format!("{ev} property"), &mut b.properties, d, &field_of);
                ui.label("Response to engagement");
                changed |= engagement_ui(ui, &ev, &mut b.engagement);
                field_diagnostics_ui(ui, d, &Field::EventEngagement(key.clone()));
                let button = ui.button("Remove event");
                if named(button, format!("Remove {}", ev.to_lowercase()), "Remove this event's behaviour").clicked() {
                    remove = Some(key.clone());
                }
            });
        });
    }
    if let Some((old, new)) = rename
        && let Some(b) = events.remove(&old)
    {
        events.insert(new, b);
        changed = true;
    }
    if let Some(k) = remove {
        events.remove(&k);
        changed = true;
    }
    if ui.button("Add event").on_hover_text("Describe another event's behaviour").clicked() {
        let key = fresh_key(events, "New event");
        events.insert(key, EventBehaviour::at_rate(0.1));
        changed = true;
    }
    changed
}

/// An event's own activity shape: a checkbox, then the shape when on. The checkbox is
/// named `"{ev} own activity shape"` and the number `"{ev} own activity shape value"`; the
/// right-hand column says what the event shares while it is off, so the row keeps its
/// height either way.
fn own_shape_row(ui: &mut Ui, ev: &str, shape: &mut Option<f64>, shared_shape: f64) -> bool {
    let tip = "Give this event an activity factor of its own, drawn independently of the shared one (for users \
               whose browsing and buying are unrelated); lower makes users more uneven. Off, the event shares the \
               scenario's factor";
    let name = format!("{ev} own activity shape");
    let mut on = shape.is_some();
    // Short words: the grid's first column sets the inspector's width.
    let mut changed = ui.checkbox(&mut on, "Own shape").accessible_name(&name).on_hover_text(tip).changed();
    if changed {
        *shape = on.then_some(shape.unwrap_or(shared_shape));
    }
    ui.horizontal(|ui| match shape {
        Some(k) => {
            let value = format!("{name} value");
            changed |= f64_edit(ui, &value, value.clone(), tip, k, 0.01, 1_000.0);
            ui.weak("independent");
        }
        None => {
            ui.weak("shared factor").on_hover_text(tip);
        }
    });
    ui.end_row();
    changed
}

fn engagement_ui(ui: &mut Ui, ev: &str, list: &mut Vec<EngagementResponse>) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (i, r) in list.iter_mut().enumerate() {
        let name = format!("{ev} response {}", i + 1);
        ui.push_id(("eng", i), |ui| {
            // Two lines, the remove button ending the second: on one line the response
            // widened the inspector.
            ui.horizontal(|ui| {
                ui.label("after a");
                changed |= choice_edit(
                    ui,
                    "on",
                    format!("{name} on"),
                    "View or click",
                    &mut r.on,
                    &[(EngagementKind::View, "view"), (EngagementKind::Click, "click")],
                );
                ui.label("× ");
                changed |= f64_edit(
                    ui,
                    "mult",
                    format!("{name} multiplier"),
                    "Multiplier on the rate",
                    &mut r.multiplier,
                    0.0,
                    1e6,
                );
            });
            sub_line(ui, |ui| {
                ui.label("for");
                let d = format!("{name} duration");
                changed |= duration_edit(ui, &d, d.clone(), "How long the lift lasts", &mut r.duration);
                if remove_button(ui, &format!("Remove {name}")) {
                    remove = Some(i);
                }
            });
        });
    }
    if let Some(i) = remove {
        list.remove(i);
        changed = true;
    }
    let add = ui.button("Add response");
    if named(add, format!("{ev} add response"), "Lift the event's rate after a view or click").clicked() {
        list.push(EngagementResponse { on: EngagementKind::Click, multiplier: 2.0, duration: Seconds::hours(24) });
        changed = true;
    }
    changed
}

fn fatigue_ui(ui: &mut Ui, fatigue: &mut BTreeMap<Channel, f64>, d: &Diags<'_>) -> bool {
    ui.weak("Chance per message that the user unsubscribes from the channel (and, for push, uninstalls)");
    per_channel_shares_ui(ui, "fatigue", fatigue, ("fatigue", "Chance per message of unsubscribing"), d, Field::Fatigue)
}

/// Per content variant of every channel node: multipliers on its channel's view and click
/// probabilities. An entry is kept only while a multiplier differs from 1, sorted by
/// (node, variant); entries for variants the journey no longer has can be removed.
fn variant_effects_ui(ui: &mut Ui, effects: &mut Vec<VariantEffect>, j: &Journey, d: &Diags<'_>) -> bool {
    let mut changed = false;
    ui.weak("Multipliers on the channel's view and click probabilities for each variant (1 changes nothing)");
    grid(ui, "variant_effects", |ui| {
        for node in j.graph.nodes.values() {
            for v in node.kind.variants() {
                let (mut view, mut click) = effects
                    .iter()
                    .find(|e| e.node == node.id && e.variant == v.id)
                    .map_or((1.0, 1.0), |e| (e.view, e.click));
                let who = format!("{} {}", node.id, v.name.trim());
                let tip = "Multiplier on the view probability (the product is capped at 1)";
                let mut c = f64_row(ui, &format!("{who} view multiplier"), tip, &mut view, 0.0, MAX_MULTIPLIER);
                let tip = "Multiplier on the click-given-view probability (the product is capped at 1)";
                c |= f64_row(ui, &format!("{who} click multiplier"), tip, &mut click, 0.0, MAX_MULTIPLIER);
                if c {
                    effects.retain(|e| !(e.node == node.id && e.variant == v.id));
                    if view != 1.0 || click != 1.0 {
                        effects.push(VariantEffect { node: node.id, variant: v.id, view, click });
                        effects.sort_by_key(|e| (e.node, e.variant));
                    }
                    changed = true;
                }
            }
        }
    });
    for i in 0..effects.len() {
        field_diagnostics_ui(ui, d, &Field::VariantEffect(i));
    }
    let stale = |e: &VariantEffect| {
        !j.graph.nodes.get(&e.node).is_some_and(|n| n.kind.variants().iter().any(|v| v.id == e.variant))
    };
    if effects.iter().any(stale)
        && ui
            .button("Remove multipliers of removed variants")
            .on_hover_text("Drop the entries for variants the journey no longer has")
            .clicked()
    {
        effects.retain(|e| !stale(e));
        changed = true;
    }
    changed
}

/// The scenario's events, for "Click also counts as".
#[derive(Clone, Copy)]
struct Events<'a> {
    /// The events the scenario describes.
    names: &'a [String],
    /// The session event: what a click counts as when first switched on (a push click
    /// opens the app).
    session: &'a str,
}

/// One collapsed header per channel; a channel with diagnostics shows them under its
/// header while it is collapsed, and under each rate once open.
fn channels_ui(ui: &mut Ui, channels: &mut BTreeMap<Channel, ChannelRates>, events: Events<'_>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    for c in Channel::ALL {
        let name = c.label();
        let shown = egui::CollapsingHeader::new(format!("{name} rates"))
            .default_open(false)
            .show(ui, |ui| {
                let mut rates = channels.get(&c).cloned().unwrap_or_else(|| ChannelRates::typical(c));
                if channel_rates_ui(ui, c, &mut rates, events, d) {
                    channels.insert(c, rates);
                    changed = true;
                }
            })
            .body_returned
            .is_some();
        if !shown {
            fields_diagnostics_ui(
                ui,
                d,
                |f| matches!(f, Field::ChannelRate(ch, _) | Field::ClickCountsAs(ch) if *ch == c),
            );
        }
    }
    changed
}

/// "Click also counts as": a checkbox, then the event's name when on, typed or picked
/// from the scenario's events. The checkbox is named `"{Channel} click also counts as"`,
/// the name field `"{Channel} click also counts as event"` and the picker
/// `"{Channel} click also counts as: pick an event"`; while off, the right-hand column
/// says a click is only a click, so the row keeps its height either way.
fn click_counts_as_row(ui: &mut Ui, c: Channel, counts_as: &mut Option<String>, events: Events<'_>) -> bool {
    let tip = "An event that a click on this channel also counts as (a push click opens the app, so it is also an \
               App Launched): conditions, goals and entries see it like any occurrence of that event";
    let name = format!("{} click also counts as", c.label());
    let mut on = counts_as.is_some();
    let mut changed = ui.checkbox(&mut on, "click also counts as").accessible_name(&name).on_hover_text(tip).changed();
    if changed {
        *counts_as = on.then(|| counts_as.clone().unwrap_or_else(|| events.session.to_owned()));
    }
    ui.horizontal(|ui| match counts_as {
        Some(event) => {
            let field = format!("{name} event");
            let response =
                ui.add(egui::TextEdit::singleline(event).desired_width(TEXT_WIDTH * 0.45).hint_text("event"));
            changed |= named(response, field, tip).changed();
            // The UI font has no ▾: the menu button is a word.
            let pick = ui.menu_button("Events…", |ui| {
                for e in events.names {
                    if ui
                        .selectable_label(event == e, e.as_str())
                        .on_hover_text("Count a click as this event")
                        .clicked()
                    {
                        if event != e {
                            event.clone_from(e);
                            changed = true;
                        }
                        ui.close();
                    }
                }
                if events.names.is_empty() {
                    ui.weak("The scenario describes no events yet");
                }
            });
            let _ = named(pick.response, format!("{name}: pick an event"), "Pick one of the scenario's events");
        }
        None => {
            ui.weak("only a click").on_hover_text(tip);
        }
    });
    ui.end_row();
    changed
}

/// A channel's rates. The labels leave out the channel, which the header names, so the
/// label column stays narrow; each input keeps the full name ("Email view").
fn channel_rates_ui(ui: &mut Ui, c: Channel, r: &mut ChannelRates, events: Events<'_>, d: &Diags<'_>) -> bool {
    let mut changed = false;
    let name = c.label();
    let under = |ui: &mut Ui, rate| grid_diagnostics_ui(ui, d, &Field::ChannelRate(c, rate));
    grid(ui, ("rates", name), |ui| {
        for (what, tip, share, rate) in [
            ("failure rate", "Share of sends that fail", &mut r.failure, Rate::Failure),
            ("delivery", "Probability of Delivered (WhatsApp)", &mut r.delivery, Rate::Delivery),
            ("view", "Probability a sent message is viewed", &mut r.view, Rate::View),
            ("click given view", "Probability of a click after a view", &mut r.click_given_view, Rate::ClickGivenView),
        ] {
            let full = format!("{name} {what}");
            let path = format!("scenario.channels.{c:?}.{}", rate_key(rate));
            changed |= crate::app::explore::sweepable(ui, path, |ui| {
                rate_row(ui, what, tip, |ui| percent_edit(ui, &full, full.clone(), tip, share))
            });
            under(ui, rate);
        }
        for (what, delay, rate) in [
            ("delay to delivery", &mut r.delay_to_delivery, Rate::DelayToDelivery),
            ("delay to view", &mut r.delay_to_view, Rate::DelayToView),
            ("delay to click", &mut r.delay_to_click, Rate::DelayToClick),
        ] {
            changed |= delay_row(ui, what, &format!("{name} {what}"), delay);
            under(ui, rate);
        }
        let full = format!("{name} cost per message");
        let tip = "Cost per message sent, account currency";
        changed |= crate::app::explore::sweepable(ui, format!("scenario.channels.{c:?}.cost_per_message"), |ui| {
            rate_row(ui, "cost per message", tip, |ui| {
                f64_edit(ui, &full, full.clone(), tip, &mut r.cost_per_message, 0.0, 1e6)
            })
        });
        under(ui, Rate::CostPerMessage);
        changed |= click_counts_as_row(ui, c, &mut r.click_counts_as, events);
        grid_diagnostics_ui(ui, d, &Field::ClickCountsAs(c));
    });
    changed
}

/// The setting-path name of a channel rate (the file's field name).
fn rate_key(rate: Rate) -> &'static str {
    match rate {
        Rate::Failure => "failure",
        Rate::Delivery => "delivery",
        Rate::View => "view",
        Rate::ClickGivenView => "click_given_view",
        _ => "cost_per_message",
    }
}

/// A grid row whose label (`what`) is shorter than its input's own name, which `add` sets.
fn rate_row(ui: &mut Ui, what: &str, tip: &str, add: impl FnOnce(&mut Ui) -> bool) -> bool {
    ui.label(what).on_hover_text(tip);
    let changed = ui.horizontal(add).inner;
    ui.end_row();
    changed
}

/// A delay row labelled `what`: the kind on one line, the duration under it; the
/// inputs are named `"{full} kind"`, `full` and `"{full} unit"`.
fn delay_row(ui: &mut Ui, what: &str, full: &str, d: &mut DelayDist) -> bool {
    let tip = "A fixed delay, or exponential with a mean";
    ui.label(what).on_hover_text(tip);
    let changed = ui
        .vertical(|ui| {
            let exponential = matches!(d, DelayDist::Exponential { .. });
            let mut exp_now = exponential;
            let mut c = choice_edit(
                ui,
                &format!("{full} kind"),
                format!("{full} kind"),
                tip,
                &mut exp_now,
                &[(false, "fixed"), (true, "exponential, mean")],
            );
            if exp_now != exponential {
                *d = match *d {
                    DelayDist::Fixed(s) => DelayDist::Exponential { mean: s },
                    DelayDist::Exponential { mean } => DelayDist::Fixed(mean),
                };
                c = true;
            }
            let secs = match d {
                DelayDist::Fixed(s) | DelayDist::Exponential { mean: s } => s,
            };
            c | ui.horizontal(|ui| duration_edit(ui, full, full.to_owned(), "The delay (or its mean)", secs)).inner
        })
        .inner;
    ui.end_row();
    changed
}

fn run_ui(ui: &mut Ui, run: &mut RunSettings, d: &Diags<'_>) -> bool {
    let mut changed = false;
    grid(ui, "run", |ui| {
        changed |= int_row(
            ui,
            "Seed",
            "Random seed: the same seed gives the same results",
            &mut run.seed,
            0,
            i128::from(u64::MAX),
        );
        changed |= int_row(
            ui,
            "Horizon days",
            "Days of calendar time simulated from the journey's start",
            &mut run.horizon_days,
            1,
            3_650,
        );
        grid_diagnostics_ui(ui, d, &Field::Horizon);
        changed |= int_row(
            ui,
            "Replicates",
            "Independent runs; figures are means over replicates",
            &mut run.replicates,
            1,
            1_000,
        );
        grid_diagnostics_ui(ui, d, &Field::Replicates);
    });
    changed
}
