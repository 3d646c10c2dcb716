//! The message preview in a channel node's form (SPEC §4): the message rendered for
//! sample users drawn from the scenario, with their profile and the event that brought
//! them to the node; whether it would be aborted; and the rendered length against the
//! channel's limits (SMS segments, push title and body).
//!
//! Invariants: the preview reads the model and never changes it; the sample shown is
//! view state (egui memory keyed by the node id), never saved; rendering is local and
//! has no file or network access.

use egui::{RichText, Ui};

use super::widgets::{error_color, heading};
use crate::model::{Channel, Journey, Node, NodeKind};
use crate::personalize::{self, Rendered, limits};
use crate::sim::samples::{sample_user, value_text};
use crate::validate::content::template_fields;

/// How many samples the preview steps through before it starts again.
pub const PREVIEW_SAMPLES: u64 = 20;

/// The preview section of a channel node's form.
pub(super) fn message_preview_ui(ui: &mut Ui, node: &Node, journey: &Journey) {
    let NodeKind::Channel { channel, .. } = &node.kind else { return };
    heading(ui, "Preview");
    let id = egui::Id::unique(("message_preview", node.id.0));
    let mut index: u64 = ui.data(|d| d.get_temp(id)).unwrap_or(0) % PREVIEW_SAMPLES;
    ui.horizontal(|ui| {
        if ui.small_button("Previous sample").on_hover_text("Show the previous sample user").clicked() {
            index = (index + PREVIEW_SAMPLES - 1) % PREVIEW_SAMPLES;
        }
        ui.label(format!("Sample {} of {PREVIEW_SAMPLES}", index + 1));
        if ui.small_button("Next sample").on_hover_text("Show the next sample user").clicked() {
            index = (index + 1) % PREVIEW_SAMPLES;
        }
    });
    ui.data_mut(|d| d.insert_temp(id, index));
    let user = sample_user(journey, node.id, index);
    let profile: Vec<String> = user.profile.iter().map(|(k, v)| format!("{k} = {}", value_text(v))).collect();
    let profile = if profile.is_empty() { "no properties in the scenario".to_owned() } else { profile.join(", ") };
    ui.label(RichText::new(format!("Profile  {profile}")).weak());
    let event = match &user.event {
        Some((name, props)) if props.is_empty() => name.clone(),
        Some((name, props)) => {
            let p: Vec<String> = props.iter().map(|(k, v)| format!("{k} = {}", value_text(v))).collect();
            format!("{name} ({})", p.join(", "))
        }
        None => "none in context".to_owned(),
    };
    ui.label(RichText::new(format!("Event  {event}")).weak());

    let mut rendered: Vec<(String, String)> = Vec::new();
    for f in template_fields(&node.kind) {
        if f.text.trim().is_empty() {
            continue;
        }
        let template = match personalize::compile(f.text) {
            Ok(t) => t,
            Err(e) => {
                ui.colored_label(error_color(ui), format!("The {} does not parse ({e}); fix it to preview", f.label));
                return;
            }
        };
        match user.render(&template) {
            Rendered::Text(s) => rendered.push((f.label, s)),
            Rendered::Aborted => {
                ui.colored_label(
                    error_color(ui),
                    format!("Aborted: {{% abort %}} in the {} cancels this user's message", f.label),
                );
                ui.label(RichText::new(unsent_route(*channel)).weak());
                return;
            }
            Rendered::Failed(e) => {
                ui.colored_label(error_color(ui), format!("The {} could not be rendered: {e}", f.label));
                return;
            }
        }
    }
    egui::Frame::group(ui.style()).show(ui, |ui| {
        for (label, text) in &rendered {
            ui.label(RichText::new(format!("{} as sent", capitalised(label))).small().weak());
            ui.label(text);
        }
    });
    let get = |what: &str| rendered.iter().find(|(l, _)| l == what).map_or("", |(_, t)| t.as_str());
    for note in limits::length_notes(*channel, get("title"), get("body")) {
        if note.over {
            ui.colored_label(error_color(ui), note.text);
        } else {
            ui.label(note.text);
        }
    }
}

/// Where an aborted user goes on this channel.
fn unsent_route(channel: Channel) -> &'static str {
    if crate::model::KindTag::Channel(channel).default_kind().has_port(crate::model::Port::Unreachable) {
        "The user takes Unreachable, as an unreachable user would"
    } else {
        "The user completes the journey here (the channel has no Unreachable output)"
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
