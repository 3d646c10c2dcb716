//! CPU time of one editor frame with the simulation preview animating (goal: under 8 ms
//! in release): a 301-node journey with 300 links, all carrying flow, simulated by the real engine (F5 on
//! the worker thread), then frames with dots on, badges and node counts while the clock
//! sweeps the horizon. Prints the mean CPU milliseconds per frame:
//! `cargo bench --bench preview`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use egui::{Event, Key, Pos2, RawInput, Rect, vec2};
use journey_studio::app::{App, AppConfig};
use journey_studio::model::{CanvasPos, Journey, Node, NodeId, NodeKind, Port, Seconds, WaitKind};

/// The bench12 example's live entry, setup, goals and scenario, then a chain of 300
/// half-hour waits in a grid: 300 links. Users enter all the time and take 150 hours to
/// walk the chain, so after the first week every link carries flow in every bucket.
fn big_journey() -> Journey {
    let mut j = journey_studio::format::load(std::path::Path::new("assets/bench12.journey")).expect("example");
    let entry = j.graph.entry().map(|n| n.id).expect("entry");
    j.graph.nodes.retain(|id, _| *id == entry);
    j.graph.links.clear();
    j.comments.clear();
    j.scenario.population.users = 20_000;
    let mut prev = entry;
    for i in 0..300u32 {
        let id = NodeId(1000 + i);
        let (col, row) = (i % 20 + 1, i / 20);
        let pos = CanvasPos::new(col as f32 * 260.0, row as f32 * 160.0);
        let kind = NodeKind::Wait(WaitKind::Duration(Seconds(1_800)));
        j.graph.nodes.insert(id, Node { id, label: format!("Wait {i}"), pos, kind });
        let port = j.graph.node(prev).and_then(|n| n.kind.output_ports().first().copied()).unwrap_or(Port::Next);
        j.graph.connect(prev, port, id);
        prev = id;
    }
    j
}

/// Nanoseconds this thread has spent on a CPU (Linux), or `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let ctx = egui::Context::default();
    let config =
        AppConfig { journey: Some(big_journey()), data_dir: None, native_dialogs: false, ..AppConfig::default() };
    let mut app = App::with_context(&ctx, None, &config);
    let screen = Rect::from_min_size(Pos2::ZERO, vec2(1600.0, 1000.0));
    let mut time = 0.0;
    let mut frame = |events: Vec<Event>, app: &mut App| {
        time += 0.016;
        let input = RawInput { screen_rect: Some(screen), time: Some(time), events, ..RawInput::default() };
        let out = ctx.run_ui(input, |ui| app.frame_ui(ui));
        ctx.tessellate(out.shapes, out.pixels_per_point).len()
    };
    for _ in 0..3 {
        frame(Vec::new(), &mut app);
    }
    let f5 =
        Event::Key { key: Key::F5, physical_key: None, pressed: true, repeat: false, modifiers: Default::default() };
    frame(vec![f5], &mut app);
    let started = Instant::now();
    while app.report().is_none() {
        assert!(app.preview().error.is_none(), "run refused: {:?}", app.preview().error);
        assert!(started.elapsed() < Duration::from_secs(600), "simulation too slow");
        std::thread::sleep(Duration::from_millis(20));
        frame(Vec::new(), &mut app);
    }
    let report = app.report().expect("report").clone();
    assert_eq!(report.animation.links.len(), 300, "300 animated links");
    let end = journey_studio::app::preview::horizon_secs(&report);
    let frames: u32 = std::env::var("BENCH_FRAMES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    for _ in 0..5 {
        frame(Vec::new(), &mut app);
    }
    let cpu0 = thread_cpu_ns();
    let wall = Instant::now();
    let mut prims = 0;
    let mut dots = 0;
    for i in 0..frames {
        // The clock sweeps the part of the horizon where the whole chain is busy.
        let secs = end * (0.4 + 0.5 * f64::from(i) / f64::from(frames));
        app.set_preview_clock(secs);
        let b = journey_studio::app::preview::timeline::bucket_at(&report, secs).unwrap_or(0);
        dots += report.animation.links.iter().filter(|l| l.crossings.get(b).copied().unwrap_or(0) > 0).count();
        prims += frame(vec![Event::PointerMoved(Pos2::new(700.0, 400.0))], &mut app);
    }
    let wall_ms = wall.elapsed().as_secs_f64() * 1e3 / f64::from(frames);
    let cpu_ms = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) => format!("{:.2}", (b - a) as f64 / 1e6 / f64::from(frames)),
        _ => "n/a".to_owned(),
    };
    println!(
        "preview frame, 300 links, dots on: {cpu_ms} ms CPU/frame ({wall_ms:.2} ms wall), {} primitives/frame, {:.0} links with dots/frame",
        prims / frames as usize,
        dots as f64 / f64::from(frames)
    );
}
