//! The simulation preview inside the app: the run bar, a run on a named worker thread,
//! the statistics panel, the canvas animation and the baseline comparison (SPEC §3).
//!
//! Layout: this module holds the run state and the worker; [`run_bar`] draws the inputs,
//! progress and Cancel; [`stats`] the statistics panel and exports; [`timeline`] the clock
//! under the canvas; [`animation`] the canvas overlay (badges, dots, counts, a followed
//! user); [`compare`] the "(was …, +… pt)" figures against a baseline.
//!
//! Invariants: the engine runs only on the worker thread, whose pool leaves one core for
//! the UI; the UI never blocks on it (results arrive over a channel, progress through an
//! atomic); every figure shown comes from the engine's [`Report`]; a result is marked
//! stale as soon as the journey differs from the one simulated in anything the engine
//! reads (card positions, labels and comments do not count).
//!
//! Live forecast (SPEC §5): with [`Preview::live`] on, [`Preview::live_step`] runs after
//! every frame's commands; when the journey or the run bar's inputs differ from what Live
//! last ran, it cancels the run they make obsolete and starts a new one
//! [`LIVE_DEBOUNCE_SECS`] after the last edit. The shown results stay until the new ones
//! arrive, and a replaced run's result is dropped rather than shown.

pub mod animation;
pub mod run_bar;
pub mod stats;
pub mod timeline;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::model::{Journey, NodeId};
use crate::sim::{self, PairedFigure, Report, RunOptions, SimError};
use crate::validate::{Severity, has_errors, validate};

use super::state::{Action, App};

/// The worker thread's name (shows in debuggers and panics).
pub const WORKER_NAME: &str = "journey-simulation";
/// Sample users recorded for "Follow a user".
pub const TRAJECTORY_SAMPLE: usize = 12;
/// Quiet time after the last edit before Live re-runs (seconds): long enough that a typing
/// burst or a drag is one run, short enough that figures follow within a second.
pub const LIVE_DEBOUNCE_SECS: f64 = 0.3;

/// The run bar's inputs (start from the scenario).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunInputs {
    /// Population size.
    pub users: u64,
    /// Random seed.
    pub seed: u64,
    /// Days simulated.
    pub horizon_days: u32,
    /// Replicates.
    pub replicates: u32,
}

impl RunInputs {
    /// The scenario's own values.
    #[must_use]
    pub fn from_journey(j: &Journey) -> Self {
        Self {
            users: j.scenario.population.users,
            seed: j.scenario.run.seed,
            horizon_days: j.scenario.run.horizon_days,
            replicates: j.scenario.run.replicates,
        }
    }

    /// Engine options for these inputs on a pool of `threads`.
    #[must_use]
    pub fn options(self, threads: usize) -> RunOptions {
        RunOptions {
            users: Some(self.users),
            seed: Some(self.seed),
            horizon_days: Some(self.horizon_days),
            replicates: Some(self.replicates),
            threads: Some(threads),
            trajectory_sample: TRAJECTORY_SAMPLE,
        }
    }
}

/// Engine threads for a run: every core but one, which stays with the UI.
#[must_use]
pub fn engine_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    cores.saturating_sub(1).max(1)
}

/// A run in progress on the worker thread.
#[derive(Debug)]
pub struct Running {
    /// Set to stop the run at the next chunk.
    cancel: Arc<AtomicBool>,
    /// Share done, as `f64` bits.
    progress: Arc<AtomicU64>,
    /// The result, once.
    rx: Receiver<Result<(Report, Option<Paired>), SimError>>,
    /// The worker (joined when the result arrives).
    handle: Option<JoinHandle<()>>,
    /// The journey being simulated.
    journey: Journey,
    /// Its inputs.
    inputs: RunInputs,
    /// Cancel was pressed.
    pub cancelling: bool,
    /// Live cancelled it because an edit made it obsolete: its result is dropped.
    superseded: bool,
    /// When it started (wall clock, read by the app: the engine reads none), for the
    /// elapsed time and the estimate of the time left.
    pub started: Instant,
}

impl Running {
    /// Share done, 0..=1.
    #[must_use]
    pub fn progress(&self) -> f64 {
        f64::from_bits(self.progress.load(Ordering::Relaxed))
    }
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The engine's report.
    pub report: Report,
    /// The journey as simulated.
    pub journey: Journey,
    /// The inputs used.
    pub inputs: RunInputs,
    /// With a baseline kept: the paired comparison against it (SPEC §3.2).
    pub paired: Option<Paired>,
}

/// A run compared with the kept baseline on the same users (SPEC §3.2).
#[derive(Clone, Debug)]
pub struct Paired {
    /// The baseline journey re-run with this run's inputs (the comparison's A).
    pub baseline: Report,
    /// The headline figures: both values, the difference, both intervals, the verdict.
    pub figures: Vec<PairedFigure>,
}

impl Outcome {
    /// The report this run is compared with: the paired baseline run when there is one,
    /// else the kept baseline's own report.
    #[must_use]
    pub fn base<'a>(&'a self, kept: Option<&'a Outcome>) -> Option<&'a Report> {
        self.paired.as_ref().map(|p| &p.baseline).or_else(|| kept.map(|b| &b.report))
    }
}

/// The statistics panel's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// Journey summary.
    #[default]
    Summary,
    /// The selected node.
    Node,
    /// Channel volumes.
    Channels,
    /// Trends per day.
    Trends,
    /// The funnel along the main path.
    Funnel,
    /// Random splits: each path's users and conversions.
    Splits,
    /// Sample users.
    Follow,
}

/// The animation clock under the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Seconds of journey time since the run's start.
    pub secs: f64,
    /// Playing.
    pub playing: bool,
    /// Journey seconds per real second.
    pub speed: f64,
}

impl Default for Clock {
    fn default() -> Self {
        Self { secs: 0.0, playing: false, speed: timeline::SPEEDS[2].1 }
    }
}

/// Everything the preview keeps between frames.
#[derive(Debug, Default)]
pub struct Preview {
    /// The run bar's inputs (`None`: take them from the scenario).
    pub inputs: Option<RunInputs>,
    /// The scenario values the inputs were last taken from.
    seen_scenario: Option<RunInputs>,
    /// A run in progress.
    pub running: Option<Running>,
    /// The last finished run.
    pub outcome: Option<Outcome>,
    /// A run kept for comparison.
    pub baseline: Option<Outcome>,
    /// Why the last run did not start or finish.
    pub error: Option<String>,
    /// The last run was cancelled.
    pub cancelled: bool,
    /// Run requested (menu, toolbar, F5), handled after the frame.
    pub run_requested: bool,
    /// The statistics tab shown.
    pub tab: Tab,
    /// Trends per hour instead of per day.
    pub hourly_trends: bool,
    /// Badges in percent of the node's entries instead of absolute counts.
    pub percent: bool,
    /// Dots moving along links.
    pub dots: bool,
    /// The statistics panel folded to one line, giving the canvas the room.
    pub stats_collapsed: bool,
    /// The animation clock.
    pub clock: Clock,
    /// The followed sample user (index into the report's trajectories).
    pub follow: Option<usize>,
    /// Where exports go.
    pub export_path: String,
    /// The last export's message.
    pub export_message: Option<String>,
    /// The node selected last frame (a newly clicked node opens the Node tab).
    last_selected: Option<NodeId>,
    /// The visible charts of the shown tab, last frame (what PNG export saves).
    pub chart_rect: Option<egui::Rect>,
    /// The PNG export's message, set by the screenshot callback.
    pub png_message: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// Live forecast: every edit re-runs the simulation (set through [`Self::set_live`]).
    live: bool,
    /// The journey and inputs Live last ran or tried to run; a difference means an edit.
    live_seen: Option<(Journey, RunInputs)>,
    /// When the debounced live run is due (egui time, seconds).
    live_due: Option<f64>,
}

impl Preview {
    /// A fresh preview: dots on, badges absolute.
    #[must_use]
    pub fn new() -> Self {
        Self { dots: true, export_path: "report".to_owned(), ..Self::default() }
    }

    /// Whether a run is in progress.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Whether Live is on.
    #[must_use]
    pub fn live(&self) -> bool {
        self.live
    }

    /// Turns Live on or off. Turning it on takes the run in progress, or else the shown
    /// result, as what Live has seen, so stale or missing results are refreshed at once.
    pub fn set_live(&mut self, on: bool) {
        self.live = on;
        self.live_due = None;
        self.live_seen = self
            .running
            .as_ref()
            .map(|r| (r.journey.clone(), r.inputs))
            .or_else(|| self.outcome.as_ref().map(|o| (o.journey.clone(), o.inputs)));
    }

    /// Whether a live re-run is scheduled or going: the shown results are about to be
    /// replaced, so they are not reported as stale.
    #[must_use]
    pub fn live_updating(&self) -> bool {
        self.live && (self.live_due.is_some() || self.running.is_some())
    }

    /// Live's part of the frame, after the commands are applied: notices an edit (the
    /// journey or the inputs differ from what Live last saw), cancels the run it makes
    /// obsolete, and starts a run once the edits have been quiet for
    /// [`LIVE_DEBOUNCE_SECS`]. A refused run shows its message in the run bar, as F5's
    /// does, without moving the selection; Live tries again after the next edit.
    pub fn live_step(&mut self, journey: &Journey, ctx: &egui::Context) {
        if !self.live {
            return;
        }
        let now = ctx.input(|i| i.time);
        self.sync_inputs(journey);
        let inputs = self.inputs.unwrap_or_else(|| RunInputs::from_journey(journey));
        let same = |j: &Journey, i: RunInputs| i == inputs && same_simulation(j, journey);
        if !self.live_seen.as_ref().is_some_and(|(j, i)| same(j, *i)) {
            self.live_seen = Some((journey.clone(), inputs));
            if self.running.as_ref().is_some_and(|r| same(&r.journey, r.inputs)) {
                self.live_due = None;
            } else {
                self.live_due = Some(now + LIVE_DEBOUNCE_SECS);
                if let Some(r) = &mut self.running {
                    r.superseded = true;
                    r.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
        let Some(due) = self.live_due else { return };
        if now < due {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(due - now));
        } else if self.running.is_none() {
            // A refusal's location is not shown: Live must not pull the view away
            // from what is being edited.
            let _ = self.start(journey, ctx);
        } else {
            // The replaced run is stopping; it is collected on the next frames.
            ctx.request_repaint_after(std::time::Duration::from_millis(20));
        }
    }

    /// Asks the running simulation to stop.
    pub fn cancel(&mut self) {
        if let Some(r) = &mut self.running {
            r.cancel.store(true, Ordering::Relaxed);
            r.cancelling = true;
        }
    }

    /// Whether the shown result no longer matches `journey`.
    #[must_use]
    pub fn is_stale(&self, journey: &Journey) -> bool {
        self.outcome.as_ref().is_some_and(|o| !same_simulation(&o.journey, journey))
    }

    /// The inputs the run bar shows, following the scenario when it changes.
    pub fn sync_inputs(&mut self, journey: &Journey) {
        let scenario = RunInputs::from_journey(journey);
        if self.seen_scenario != Some(scenario) || self.inputs.is_none() {
            self.seen_scenario = Some(scenario);
            self.inputs = Some(scenario);
        }
    }

    /// Starts a run of `journey` on the worker thread, unless validation refuses it.
    /// Returns where the first error is (a node, or a form section), to point at.
    pub fn start(&mut self, journey: &Journey, ctx: &egui::Context) -> Option<crate::validate::Location> {
        if self.running.is_some() {
            return None;
        }
        self.error = None;
        self.cancelled = false;
        let inputs = self.inputs.unwrap_or_else(|| RunInputs::from_journey(journey));
        // Whatever starts a run (F5 or Live) satisfies a pending live re-run of this journey.
        self.live_seen = Some((journey.clone(), inputs));
        self.live_due = None;
        let diagnostics = validate(journey);
        if has_errors(&diagnostics) {
            let first = diagnostics.iter().find(|d| d.severity == Severity::Error);
            let count = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let detail = first.map_or_else(String::new, |d| format!(" {}: {}", d.place(), d.message));
            self.error = Some(format!(
                "Cannot simulate: {count} error{} in the journey.{detail}",
                if count == 1 { "" } else { "s" }
            ));
            return first.map(|d| d.location.clone());
        }
        let opts = inputs.options(engine_threads());
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(AtomicU64::new(0f64.to_bits()));
        let (tx, rx) = mpsc::channel();
        let worker_journey = journey.clone();
        // With a baseline kept, every user walks through both (a paired comparison).
        let base_journey = self.baseline.as_ref().map(|b| b.journey.clone());
        let (c, p, repaint) = (Arc::clone(&cancel), Arc::clone(&progress), ctx.clone());
        let spawned = std::thread::Builder::new().name(WORKER_NAME.to_owned()).spawn(move || {
            let report = |share: f64| {
                p.store(share.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                repaint.request_repaint();
                !c.load(Ordering::Relaxed)
            };
            let result = match &base_journey {
                Some(base) => sim::compare(base, &worker_journey, &opts, &report)
                    .map(|c| (c.b, Some(Paired { baseline: c.a, figures: c.figures }))),
                None => sim::simulate(&worker_journey, &opts, &report).map(|r| (r, None)),
            };
            // The receiver may be gone (the app closed); nothing to do then.
            let _ = tx.send(result);
            repaint.request_repaint();
        });
        match spawned {
            Ok(handle) => {
                self.running = Some(Running {
                    cancel,
                    progress,
                    rx,
                    handle: Some(handle),
                    journey: journey.clone(),
                    inputs,
                    cancelling: false,
                    superseded: false,
                    started: Instant::now(),
                });
            }
            Err(e) => self.error = Some(format!("Could not start the simulation thread: {e}")),
        }
        None
    }

    /// Collects a finished run, if any. Returns whether one arrived.
    pub fn poll(&mut self) -> bool {
        let Some(running) = &mut self.running else { return false };
        let result = match running.rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => {
                Err(SimError::Invalid(vec!["the simulation stopped unexpectedly".into()]))
            }
        };
        if let Some(h) = running.handle.take() {
            let _ = h.join();
        }
        let Some(running) = self.running.take() else { return false };
        if running.superseded {
            // An edit made this run obsolete; the results shown stay until Live's next run.
            return true;
        }
        match result {
            Ok((report, paired)) => {
                let end = horizon_secs(&report);
                self.outcome = Some(Outcome { report, journey: running.journey, inputs: running.inputs, paired });
                self.clock = Clock { secs: end, playing: false, ..self.clock };
                self.follow = None;
            }
            Err(SimError::Cancelled) => self.cancelled = true,
            Err(SimError::Invalid(msgs)) => self.error = Some(format!("Cannot simulate: {}", msgs.join("; "))),
            Err(e) => self.error = Some(format!("The simulation failed: {e}")),
        }
        true
    }

    /// Keeps the current result as the baseline; later runs are paired with it.
    pub fn keep_baseline(&mut self) {
        self.baseline.clone_from(&self.outcome);
        if let Some(b) = &mut self.baseline {
            b.paired = None;
        }
    }
}

/// Seconds from the run's start to the end of its horizon.
#[must_use]
pub fn horizon_secs(report: &Report) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let s = report.run.horizon_end.since(report.run.start).0.max(0) as f64;
    s
}

/// Whether two journeys simulate the same (positions, labels, comments, status and
/// versions are ignored).
#[must_use]
pub fn same_simulation(a: &Journey, b: &Journey) -> bool {
    a.setup == b.setup
        && a.scenario == b.scenario
        && a.graph.links == b.graph.links
        && a.graph.nodes.len() == b.graph.nodes.len()
        && a.graph.nodes.iter().zip(&b.graph.nodes).all(|((ia, na), (ib, nb))| ia == ib && na.kind == nb.kind)
        && a.goals.len() == b.goals.len()
        && a.goals.iter().zip(&b.goals).all(|(ga, gb)| {
            let mut ga = ga.clone();
            ga.pos = gb.pos;
            ga == *gb
        })
}

/// The preview's part of the frame: F5, the run bar, the statistics panel and the
/// timeline. Called by the shell before the canvas is drawn.
pub fn panels_ui(app: &mut App, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let preview = &mut app.preview;
    preview.sync_inputs(&app.doc.journey);
    if preview.poll() {
        ctx.request_repaint();
    }
    if !ctx.text_edit_focused() && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F5)) {
        preview.run_requested = true;
    }
    // Results about to be replaced by a live run are not called stale.
    let stale = preview.is_stale(&app.doc.journey) && !preview.live_updating();
    egui::Panel::top("run_bar").show(ui, |ui| run_bar::run_bar_ui(ui, preview, stale));
    if preview.outcome.is_some() {
        let selected = app.view.selection.iter().find_map(super::state::Item::node);
        if selected != preview.last_selected {
            if selected.is_some() {
                preview.tab = Tab::Node;
            }
            preview.last_selected = selected;
        }
        let mut select = None;
        if preview.stats_collapsed {
            egui::Panel::bottom("preview_stats_collapsed").resizable(false).show(ui, |ui| {
                stats::collapsed_stats_ui(ui, preview);
            });
        } else {
            egui::Panel::bottom("preview_stats").resizable(true).default_size(250.0).min_size(80.0).show(ui, |ui| {
                select = stats::stats_ui(ui, preview, selected, &app.theme);
            });
        }
        egui::Panel::bottom("timeline").show(ui, |ui| timeline::timeline_ui(ui, preview));
        if let Some(id) = select {
            // A chart bar selects its node without leaving the chart's tab.
            preview.last_selected = Some(id);
            app.actions.push(Action::FocusNode(id));
        }
    }
    if std::mem::take(&mut preview.run_requested)
        && let Some(location) = preview.start(&app.doc.journey, &ctx)
    {
        app.actions.push(Action::Show(location));
    }
    if preview.running.is_some() {
        ctx.request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// Test hooks for the preview.
impl App {
    /// The preview's state.
    #[must_use]
    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// The last finished run's report.
    #[must_use]
    pub fn report(&self) -> Option<&Report> {
        self.preview.outcome.as_ref().map(|o| &o.report)
    }

    /// Moves the animation clock to `secs` after the run's start (benchmarks, tests).
    pub fn set_preview_clock(&mut self, secs: f64) {
        self.preview.clock.secs = secs.max(0.0);
    }

    /// Whether the shown results are stale.
    #[must_use]
    pub fn results_stale(&self) -> bool {
        self.preview.is_stale(&self.doc.journey)
    }

    /// The badge lines of `node` as the canvas draws them at the animation clock.
    #[must_use]
    pub fn badge_lines_now(&self, node: NodeId) -> Option<Vec<String>> {
        let o = self.preview.outcome.as_ref()?;
        let ns = o.report.nodes.iter().find(|n| n.id == node)?;
        Some(animation::badges_at_clock(&self.preview, &o.report, ns).0)
    }

    /// (waiting, passed) at `node` at the animation clock.
    #[must_use]
    pub fn node_counts_now(&self, node: NodeId) -> Option<(u64, u64)> {
        let o = self.preview.outcome.as_ref()?;
        let b = timeline::bucket_at(&o.report, self.preview.clock.secs)?;
        animation::node_counts(&o.report, node, b)
    }
}
