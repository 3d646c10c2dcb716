//! CPU time of one editor frame on a 300-node journey (goal: under 8 ms in release).
//!
//! Runs the real editor frame (`App::frame_ui`: panels, canvas, validation of queued
//! changes) plus tessellation, with no GPU, and prints the mean milliseconds per frame:
//! `cargo bench --bench editor`.
#![allow(clippy::print_stdout, missing_docs)]

use std::time::Instant;

use egui::{Event, Pos2, RawInput, Rect, vec2};
use journey_studio::app::{App, AppConfig};
use journey_studio::model::{CanvasPos, Channel, Journey, KindTag, Node, NodeId, Port};

/// A 300-node journey: the entry, then 299 nodes of every kind in a grid, each linked to the next.
fn big_journey() -> Journey {
    let mut j = Journey::new("Bench");
    let kinds: Vec<KindTag> = KindTag::all().into_iter().filter(|k| *k != KindTag::Entry).collect();
    for i in 2..=300u32 {
        let kind = kinds[(i as usize) % kinds.len()];
        let kind =
            if matches!(kind, KindTag::ForceExit | KindTag::Exit) { KindTag::Channel(Channel::Push) } else { kind };
        let (col, row) = ((i - 1) % 20, (i - 1) / 20);
        let id = NodeId(i);
        let pos = CanvasPos::new(col as f32 * 260.0, row as f32 * 200.0);
        j.graph.nodes.insert(id, Node { id, label: format!("{} {i}", kind.label()), pos, kind: kind.default_kind() });
    }
    for i in 1..300u32 {
        let from = NodeId(i);
        if let Some(port) = j.graph.node(from).and_then(|n| n.kind.output_ports().first().copied()) {
            j.graph.connect(from, port, NodeId(i + 1));
        }
    }
    j.graph.connect(NodeId(3), Port::No, NodeId(40));
    j
}

/// Nanoseconds this thread has spent on a CPU (Linux), or `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn measure(label: &str, app: &mut App, ctx: &egui::Context, frames: u32, zoom_key: Option<egui::Key>) {
    let screen = Rect::from_min_size(Pos2::ZERO, vec2(1600.0, 1000.0));
    let mut time = 0.0;
    let frame = |events: Vec<Event>, time: f64, app: &mut App| {
        let input = RawInput { screen_rect: Some(screen), time: Some(time), events, ..RawInput::default() };
        let out = ctx.run_ui(input, |ui| app.frame_ui(ui));
        ctx.tessellate(out.shapes, out.pixels_per_point)
    };
    // Warm up (fonts, galley caches, the first fit), then set the zoom.
    for _ in 0..5 {
        time += 0.016;
        frame(Vec::new(), time, app);
    }
    if let Some(key) = zoom_key {
        time += 0.016;
        let press = Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers: Default::default() };
        frame(vec![press], time, app);
    }
    let wall = Instant::now();
    let cpu0 = thread_cpu_ns();
    let mut prims = 0;
    for i in 0..frames {
        time += 0.016;
        // The pointer moves over the canvas every frame, so hover and link hit tests run.
        let p = Pos2::new(600.0 + (i % 50) as f32 * 8.0, 400.0 + (i % 30) as f32 * 6.0);
        prims += frame(vec![Event::PointerMoved(p)], time, app).len();
    }
    let wall_ms = wall.elapsed().as_secs_f64() * 1e3 / f64::from(frames);
    let cpu_ms = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) => format!("{:.2}", (b - a) as f64 / 1e6 / f64::from(frames)),
        _ => "n/a".to_owned(),
    };
    println!(
        "editor frame, 300 nodes, {label}: {cpu_ms} ms CPU/frame ({wall_ms:.2} ms wall), {} primitives/frame",
        prims / frames as usize
    );
}

fn main() {
    let ctx = egui::Context::default();
    let config =
        AppConfig { journey: Some(big_journey()), data_dir: None, native_dialogs: false, ..AppConfig::default() };
    let mut app = App::with_context(&ctx, None, &config);
    let frames = std::env::var("BENCH_FRAMES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    measure("whole journey in view", &mut app, &ctx, frames, None);
    measure("100 % zoom", &mut app, &ctx, frames, Some(egui::Key::Num0));
}
