//! The timeline under the canvas: play, pause, speed (1 hour to 1 week of journey time
//! per second), a scrubber showing the calendar date and time, jump to start and end.
//!
//! Invariant: the clock stays within [0, horizon]; playing stops at the end.

use egui::Ui;

use super::{Preview, horizon_secs};
use crate::model::Timestamp;
use crate::sim::Report;

/// Speeds offered: label and journey seconds per real second.
pub const SPEEDS: [(&str, f64); 5] = [
    ("1 hour/s", 3_600.0),
    ("6 hours/s", 21_600.0),
    ("1 day/s", 86_400.0),
    ("3 days/s", 259_200.0),
    ("1 week/s", 604_800.0),
];

/// The animation bucket shown at `secs` after the start (`None` without buckets).
#[must_use]
pub fn bucket_at(report: &Report, secs: f64) -> Option<usize> {
    let a = &report.animation;
    if a.buckets == 0 || a.bucket_secs <= 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let b = (secs.max(0.0) / a.bucket_secs as f64).floor() as usize;
    Some(b.min(a.buckets - 1))
}

/// How far the clock is through its bucket, 0..1.
#[must_use]
pub fn bucket_phase(report: &Report, secs: f64) -> f32 {
    let bs = report.animation.bucket_secs.max(1);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let phase = ((secs.max(0.0) % bs as f64) / bs as f64) as f32;
    phase
}

/// The calendar date and time `secs` after the run's start, in the account timezone.
#[must_use]
pub fn date_time(report: &Report, tz: Option<chrono_tz::Tz>, secs: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let t = Timestamp(report.run.start.0.saturating_add(secs as i64));
    match (t.to_utc(), tz) {
        (Some(utc), Some(tz)) => utc.with_timezone(&tz).format("%a %-d %b %Y %H:%M %Z").to_string(),
        (Some(utc), None) => utc.format("%a %-d %b %Y %H:%M UTC").to_string(),
        _ => format!("{secs:.0} s"),
    }
}

/// Draws the timeline and advances the clock while playing.
pub fn timeline_ui(ui: &mut Ui, p: &mut Preview) {
    let Some(o) = &p.outcome else { return };
    let end = horizon_secs(&o.report);
    let tz = o.journey.setup.timezone.account.zone();
    let clock = &mut p.clock;
    if clock.playing {
        let dt = f64::from(ui.input(|i| i.stable_dt).min(0.1));
        clock.secs += dt * clock.speed;
        if clock.secs >= end {
            clock.secs = end;
            clock.playing = false;
        }
        ui.ctx().request_repaint();
    }
    ui.horizontal(|ui| {
        if ui.button("|< Start").on_hover_text("Jump to start").clicked() {
            clock.secs = 0.0;
        }
        let (label, hint) = if clock.playing { ("Pause", "Pause") } else { ("Play", "Play the run over time") };
        if ui.button(label).on_hover_text(hint).clicked() {
            if !clock.playing && clock.secs >= end {
                clock.secs = 0.0;
            }
            clock.playing = !clock.playing;
        }
        if ui.button("End >|").on_hover_text("Jump to end").clicked() {
            clock.secs = end;
            clock.playing = false;
        }
        let current = SPEEDS.iter().find(|(_, s)| (*s - clock.speed).abs() < 1.0).map_or("speed", |(l, _)| *l);
        egui::ComboBox::from_id_salt("timeline_speed")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (l, s) in SPEEDS {
                    ui.selectable_value(&mut clock.speed, s, l);
                }
            })
            .response
            .accessible_name("Playback speed")
            .on_hover_text("Journey time per second of playback");
        ui.label(date_time(&o.report, tz, clock.secs));
        ui.checkbox(&mut p.dots, "Dots").on_hover_text("Dots moving along links with the flow");
        ui.checkbox(&mut p.percent, "Percent").on_hover_text("Badges in percent of the node's entries");
        let width = ui.available_width().max(120.0);
        ui.spacing_mut().slider_width = width - 20.0;
        let slider = egui::Slider::new(&mut clock.secs, 0.0..=end.max(1.0)).show_value(false);
        ui.add(slider).on_hover_text("Scrub through the run");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_span_an_hour_to_a_week() {
        assert!((SPEEDS[0].1 - 3_600.0).abs() < 1e-9);
        assert!((SPEEDS[4].1 - 7.0 * 86_400.0).abs() < 1e-9);
    }
}
