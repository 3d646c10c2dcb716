//! The run bar: users, seed, horizon and replicates, the Live toggle, the Run button
//! (F5), a progress bar with the time taken and left and Cancel during a run, and what
//! happened to the last run (stale, cancelled, refused).
//!
//! Invariant: the bar only edits [`Preview`] state; runs start after the frame.

use std::time::Duration;

use egui::{Color32, RichText, Ui};

use super::{Preview, RunInputs};
use crate::sim::{MAX_HORIZON_DAYS, MAX_REPLICATES, MAX_USERS};

/// Colour of warnings in the bar (stale results, refusals).
const WARN: Color32 = Color32::from_rgb(230, 160, 40);
/// Below this much time a run is quick enough that only the percentage is shown.
const SHOW_TIMES_AFTER_SECS: f64 = 0.5;
/// Below this share done the estimate of the time left is too rough to show.
const ESTIMATE_FROM_SHARE: f64 = 0.02;

/// The progress bar's text: "42 % · 3.1 s elapsed · about 4 s left". Big runs only get
/// the times; the estimate assumes the rest goes at the pace so far.
#[must_use]
pub fn progress_text(share: f64, elapsed: Duration) -> String {
    let share = share.clamp(0.0, 1.0);
    // Floored, so 100 % means done; the epsilon keeps 0.29 from showing as 28 %.
    let percent = format!("{:.0} %", (share * 100.0 + 1e-9).floor());
    let secs = elapsed.as_secs_f64();
    if secs < SHOW_TIMES_AFTER_SECS {
        return percent;
    }
    let mut text = format!("{percent} · {} elapsed", fmt_elapsed(secs));
    if (ESTIMATE_FROM_SHARE..1.0).contains(&share) {
        let left = secs * (1.0 - share) / share;
        text.push_str(&format!(" · about {} left", fmt_left(left)));
    }
    text
}

/// "3.1 s", or "2 min 05 s" from a minute on.
fn fmt_elapsed(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "positive, under u64::MAX")]
        let whole = secs.floor() as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

/// A rounded estimate: "4 s", or "3 min" from a minute and a half on.
fn fmt_left(secs: f64) -> String {
    if secs < 90.0 { format!("{:.0} s", secs.round().max(1.0)) } else { format!("{:.0} min", (secs / 60.0).round()) }
}

/// Draws the run bar.
pub fn run_bar_ui(ui: &mut Ui, p: &mut Preview, stale: bool) {
    ui.horizontal_wrapped(|ui| {
        let running = p.running.is_some();
        let mut inputs = p.inputs.unwrap_or(RunInputs { users: 1, seed: 0, horizon_days: 1, replicates: 1 });
        // With Live on a change of the inputs is an edit like any other: it replaces the run.
        ui.add_enabled_ui(!running || p.live(), |ui| {
            let l = ui.label("Users");
            ui.add(egui::DragValue::new(&mut inputs.users).range(1..=MAX_USERS).speed(100.0))
                .labelled_by(l.id)
                .on_hover_text("Population size for this run");
            let l = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut inputs.seed)).labelled_by(l.id).on_hover_text("Random seed");
            let l = ui.label("Days");
            ui.add(egui::DragValue::new(&mut inputs.horizon_days).range(1..=MAX_HORIZON_DAYS))
                .labelled_by(l.id)
                .on_hover_text("Days of journey time to simulate");
            let l = ui.label("Replicates");
            ui.add(egui::DragValue::new(&mut inputs.replicates).range(1..=MAX_REPLICATES))
                .labelled_by(l.id)
                .on_hover_text("Independent runs; counts are means over replicates, spreads shown");
        });
        if p.inputs.is_some() {
            p.inputs = Some(inputs);
        }
        ui.separator();
        let mut live = p.live();
        let toggle = ui
            .checkbox(&mut live, "Live")
            .on_hover_text("Re-run after every edit, at these settings, and update the figures in place");
        if toggle.changed() {
            p.set_live(live);
        }
        if let Some(r) = &p.running {
            let share = r.progress();
            let text = progress_text(share, r.started.elapsed());
            // Not `animate`: its spinner sits at the fill's end, over the percentage early in
            // a run, and repaints every frame; the ticking elapsed time shows the run is alive.
            #[allow(clippy::cast_possible_truncation)]
            let bar = egui::ProgressBar::new(share as f32).desired_width(300.0).text(text);
            ui.add(bar).on_hover_text("Simulating on a background thread; the canvas stays usable");
            let cancel = ui.add_enabled(!r.cancelling, egui::Button::new("Cancel"));
            if cancel.on_hover_text("Stop the run").clicked() {
                p.cancel();
            }
        } else {
            let run = ui.button(RichText::new("Simulate").strong()).on_hover_text("Run the simulation (F5)");
            if run.clicked() {
                p.run_requested = true;
            }
            if p.outcome.is_some() {
                let keep = ui.button("Keep as baseline").on_hover_text("Compare later runs with this one");
                if keep.clicked() {
                    p.keep_baseline();
                }
            }
            if p.baseline.is_some() && ui.button("Clear baseline").on_hover_text("Stop comparing").clicked() {
                p.baseline = None;
            }
        }
        if p.live_updating() && p.running.is_none() {
            ui.weak("Updating after the edit…");
        }
        if stale && p.running.is_none() {
            ui.label(RichText::new("Results are stale: the journey changed. Press F5 to re-run.").color(WARN));
        }
        if p.cancelled {
            ui.label(RichText::new("Run cancelled").color(WARN));
        }
        if let Some(e) = &p.error {
            ui.label(RichText::new(e).color(Color32::from_rgb(230, 80, 70)));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_runs_show_the_percentage_only() {
        assert_eq!(progress_text(0.426, Duration::from_millis(200)), "42 %");
    }

    #[test]
    fn big_runs_show_the_time_elapsed_and_left() {
        // 42 % in 3.1 s: the rest at that pace takes 4.28 s.
        assert_eq!(progress_text(0.42, Duration::from_millis(3100)), "42 % · 3.1 s elapsed · about 4 s left");
        assert_eq!(progress_text(0.29, Duration::from_secs(1)), "29 % · 1.0 s elapsed · about 2 s left");
        assert_eq!(progress_text(0.99, Duration::from_secs(1)), "99 % · 1.0 s elapsed · about 1 s left");
        assert_eq!(progress_text(0.5, Duration::from_secs(150)), "50 % · 2 min 30 s elapsed · about 3 min left");
    }

    #[test]
    fn no_estimate_before_there_is_a_pace_or_once_done() {
        assert_eq!(progress_text(0.0, Duration::from_secs(2)), "0 % · 2.0 s elapsed");
        assert_eq!(progress_text(0.01, Duration::from_secs(2)), "1 % · 2.0 s elapsed");
        assert_eq!(progress_text(1.0, Duration::from_secs(2)), "100 % · 2.0 s elapsed");
    }
}
