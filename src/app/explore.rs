//! The "Plan and explore" window (SPEC §7): the experiment planner with its power curve,
//! the sensitivity sweep with 95% bands, and the tornado, each run on a worker thread
//! with progress and Cancel, like a simulation.
//!
//! Ways in: Simulate › Plan test… / Sweep… / Tornado…; "Plan test…" on a random split's
//! form and under the control group setting; right-click a numeric field to "Sweep this
//! value…" (forms mark their fields with [`sweepable`]); a tornado bar's click opens
//! that input's sweep. Forms, which only see the journey, ask through [`request`], and
//! the window picks the request up on its next frame.
//!
//! Invariants: every figure comes from `sim::planner` / `sim::explore`, which the CLI
//! uses too; the engine runs only on the worker thread; the run options are the run
//! bar's (users, seed, days, replicates); the results stay until the next run of the
//! same tool, and say when the journey changed since.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;

use egui::{Id, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints, Points, Polygon};

use super::preview::{RunInputs, engine_threads, same_simulation};
use crate::figures::explore::{num, sweep_csv, tornado_csv};
use crate::model::setting::{SettingPath, all_paths, scenario_inputs};
use crate::model::{Journey, NodeId, NodeKind};
use crate::sim::explore::{Output, Sweep, Tornado, sweep, sweep_values, tornado};
use crate::sim::planner::{Effect, Plan, PlanInputs, TestKind, plan};

/// Where a form's request waits for the window.
const REQUEST_ID: &str = "explore_request";
/// Where a form marks the setting path of the fields it is about to draw.
const SWEEP_TARGET_ID: &str = "explore_sweep_target";

/// What a form or a menu asks the window to open.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// The planner for this test.
    Plan(TestKind),
    /// The sweep of this setting path.
    Sweep(String),
    /// The tornado.
    Tornado,
}

/// Asks the window to open (from a form, a menu or a chart).
pub fn request(ctx: &egui::Context, r: Request) {
    ctx.data_mut(|d| d.insert_temp(Id::unique(REQUEST_ID), r));
}

/// Draws `add` with its numeric fields offering "Sweep this value…" for `path` on a
/// right-click.
pub fn sweepable<R>(ui: &mut Ui, path: String, add: impl FnOnce(&mut Ui) -> R) -> R {
    let id = Id::unique(SWEEP_TARGET_ID);
    ui.data_mut(|d| d.insert_temp(id, path));
    let r = add(ui);
    ui.data_mut(|d| d.remove::<String>(id));
    r
}

/// Gives a numeric field's response the "Sweep this value…" context menu when a
/// [`sweepable`] scope is open.
pub fn sweep_menu(response: &egui::Response) {
    let Some(path) = response.ctx.data(|d| d.get_temp::<String>(Id::unique(SWEEP_TARGET_ID))) else { return };
    response.context_menu(|ui| {
        if ui.button("Sweep this value…").on_hover_text(format!("Run the journey over a range of {path}")).clicked() {
            request(ui.ctx(), Request::Sweep(path.clone()));
            ui.close();
        }
    });
}

/// The window's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    /// The experiment planner.
    #[default]
    Plan,
    /// The sensitivity sweep.
    Sweep,
    /// The tornado.
    Tornado,
}

enum Finished {
    Plan(Result<Box<Plan>, String>),
    Sweep(Result<Sweep, String>),
    Tornado(Result<Tornado, String>),
}

/// What a worker runs: the tool's call, given the progress callback.
type Work = Box<dyn FnOnce(&dyn Fn(f64) -> bool) -> Finished + Send>;

struct Job {
    tool: Tool,
    /// The journey it runs on.
    journey: Journey,
    cancel: Arc<AtomicBool>,
    progress: Arc<AtomicU64>,
    rx: Receiver<Finished>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("tool", &self.tool).finish_non_exhaustive()
    }
}

/// The window's state.
#[derive(Debug)]
pub struct ExploreUi {
    /// Shown.
    pub open: bool,
    /// The tab shown.
    pub tool: Tool,
    /// Planner: the test.
    pub test: TestKind,
    /// Planner: the baseline conversion in percent (empty: the forecast's).
    pub baseline: String,
    /// Planner: the minimum detectable effect, `20%` or `2pt`.
    pub mde: String,
    /// Planner: the test's duration in days (empty: the days needed).
    pub test_days: String,
    /// Planner: replicates of the simulated power (0: none).
    pub simulate: u32,
    /// Planner: the power curve against days (else against the effect).
    pub curve_by_days: bool,
    /// Sweep: the setting's path.
    pub path: String,
    /// Sweep: first value.
    pub from: String,
    /// Sweep: last value.
    pub to: String,
    /// Sweep: steps.
    pub steps: u32,
    /// Sweep: the output plotted.
    pub output: Output,
    /// Tornado: the output ranked by.
    pub tornado_output: Output,
    /// Tornado: how far each input moves, in percent.
    pub by_percent: f64,
    /// Replicates per run for the sweep and the tornado.
    pub replicates: u32,
    job: Option<Job>,
    /// The last results, with the journey they ran on.
    plan: Option<(Result<Plan, String>, Journey)>,
    sweep: Option<(Result<Sweep, String>, Journey)>,
    tornado: Option<(Result<Tornado, String>, Journey)>,
    /// What the last export did.
    pub message: Option<String>,
    /// Where exports go (without extension).
    pub export_path: String,
    /// The chart's rect last frame (what PNG export saves).
    chart_rect: Option<egui::Rect>,
    png_message: Arc<std::sync::Mutex<Option<String>>>,
}

impl Default for ExploreUi {
    fn default() -> Self {
        Self {
            open: false,
            tool: Tool::Plan,
            test: TestKind::Control,
            baseline: String::new(),
            mde: "20%".to_owned(),
            test_days: String::new(),
            simulate: 0,
            curve_by_days: true,
            path: "scenario.channels.Push.click_given_view".to_owned(),
            from: String::new(),
            to: String::new(),
            steps: 10,
            output: Output::GoalMet,
            tornado_output: Output::IncrementalRevenue,
            by_percent: 25.0,
            replicates: 3,
            job: None,
            plan: None,
            sweep: None,
            tornado: None,
            message: None,
            export_path: "sweep".to_owned(),
            chart_rect: None,
            png_message: Arc::default(),
        }
    }
}

impl ExploreUi {
    /// Whether a run is going.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The last plan, if it succeeded.
    #[must_use]
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref().and_then(|(r, _)| r.as_ref().ok())
    }

    /// The last sweep, if it succeeded.
    #[must_use]
    pub fn sweep(&self) -> Option<&Sweep> {
        self.sweep.as_ref().and_then(|(r, _)| r.as_ref().ok())
    }

    /// The last tornado, if it succeeded.
    #[must_use]
    pub fn tornado(&self) -> Option<&Tornado> {
        self.tornado.as_ref().and_then(|(r, _)| r.as_ref().ok())
    }

    /// The error of the shown tool's last run.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        match self.tool {
            Tool::Plan => self.plan.as_ref().and_then(|(r, _)| r.as_ref().err()),
            Tool::Sweep => self.sweep.as_ref().and_then(|(r, _)| r.as_ref().err()),
            Tool::Tornado => self.tornado.as_ref().and_then(|(r, _)| r.as_ref().err()),
        }
        .map(String::as_str)
    }

    /// Opens the window as `r` asks.
    pub fn open_for(&mut self, r: Request, j: &Journey) {
        self.open = true;
        match r {
            Request::Plan(test) => {
                self.tool = Tool::Plan;
                self.test = test;
            }
            Request::Sweep(path) => {
                self.tool = Tool::Sweep;
                if let Ok(p) = SettingPath::parse(&path, j) {
                    let (lo, hi) = default_range(&p, j);
                    self.from = num_field(lo);
                    self.to = num_field(hi);
                    self.path = p.to_string();
                } else {
                    self.path = path;
                }
            }
            Request::Tornado => self.tool = Tool::Tornado,
        }
    }

    fn collect(&mut self) -> bool {
        let Some(job) = &mut self.job else { return false };
        let finished = match job.rx.try_recv() {
            Ok(f) => f,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => {
                let e = "the run stopped unexpectedly".to_owned();
                match job.tool {
                    Tool::Plan => Finished::Plan(Err(e)),
                    Tool::Sweep => Finished::Sweep(Err(e)),
                    Tool::Tornado => Finished::Tornado(Err(e)),
                }
            }
        };
        if let Some(h) = job.handle.take() {
            let _ = h.join();
        }
        let Some(job) = self.job.take() else { return false };
        let j = job.journey;
        match finished {
            Finished::Plan(r) => self.plan = Some((r.map(|p| *p), j)),
            Finished::Sweep(r) => self.sweep = Some((r, j)),
            Finished::Tornado(r) => self.tornado = Some((r, j)),
        }
        true
    }

    /// Starts the shown tool on a worker thread with the run bar's inputs.
    fn start(&mut self, j: &Journey, inputs: RunInputs, ctx: &egui::Context) {
        if self.job.is_some() {
            return;
        }
        let mut opts = inputs.options(engine_threads());
        opts.trajectory_sample = 0;
        let tool = self.tool;
        // Everything is checked here, before a thread starts.
        let work: Work = match tool {
            Tool::Plan => {
                let asked = match self.plan_inputs() {
                    Ok(a) => a,
                    Err(e) => {
                        self.plan = Some((Err(e), j.clone()));
                        return;
                    }
                };
                let j = j.clone();
                Box::new(move |p| Finished::Plan(plan(&j, &asked, &opts, p).map(Box::new).map_err(|e| e.to_string())))
            }
            Tool::Sweep => {
                let prepared = SettingPath::parse(&self.path, j).map_err(|e| e.to_string()).and_then(|path| {
                    let from = parse_num(&self.from, "From")?;
                    let to = parse_num(&self.to, "To")?;
                    let values = sweep_values(&path, from, to, self.steps).map_err(|e| e.to_string())?;
                    Ok((path, values))
                });
                let (path, values) = match prepared {
                    Ok(p) => p,
                    Err(e) => {
                        self.sweep = Some((Err(e), j.clone()));
                        return;
                    }
                };
                opts.replicates = Some(self.replicates.max(1));
                let j = j.clone();
                Box::new(move |p| Finished::Sweep(sweep(&j, &path, &values, &opts, p).map_err(|e| e.to_string())))
            }
            Tool::Tornado => {
                opts.replicates = Some(self.replicates.max(1));
                let (output, by) = (self.tornado_output, self.by_percent / 100.0);
                let j = j.clone();
                Box::new(move |p| {
                    let inputs = scenario_inputs(&j);
                    Finished::Tornado(tornado(&j, &inputs, output, by, &opts, p).map_err(|e| e.to_string()))
                })
            }
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(AtomicU64::new(0f64.to_bits()));
        let (tx, rx) = mpsc::channel();
        let (c, pr, repaint) = (Arc::clone(&cancel), Arc::clone(&progress), ctx.clone());
        let spawned = std::thread::Builder::new().name("journey-explore".to_owned()).spawn(move || {
            let report = |share: f64| {
                pr.store(share.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                repaint.request_repaint();
                !c.load(Ordering::Relaxed)
            };
            let _ = tx.send(work(&report));
            repaint.request_repaint();
        });
        match spawned {
            Ok(handle) => {
                self.job = Some(Job { tool, journey: j.clone(), cancel, progress, rx, handle: Some(handle) });
            }
            Err(e) => self.message = Some(format!("Could not start the worker thread: {e}")),
        }
    }

    fn plan_inputs(&self) -> Result<PlanInputs, String> {
        let mde = Effect::parse(&self.mde)?;
        let baseline_rate = match self.baseline.trim() {
            "" => None,
            t => {
                let v = parse_num(t.trim_end_matches('%'), "Baseline conversion")?;
                if !(v > 0.0 && v < 100.0) {
                    return Err(
                        "Baseline conversion: give a percentage above 0 and below 100, or leave it empty".to_owned()
                    );
                }
                Some(v / 100.0)
            }
        };
        let test_days = match self.test_days.trim() {
            "" => None,
            t => Some(t.parse::<u32>().map_err(|_| format!("Test days: {t:?} is not a whole number of days"))?),
        };
        Ok(PlanInputs {
            test: self.test,
            baseline_rate,
            mde,
            alpha: 0.05,
            power: 0.8,
            test_days,
            simulate: (self.simulate > 0).then_some(self.simulate),
        })
    }
}

fn parse_num(t: &str, what: &str) -> Result<f64, String> {
    t.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{what}: {:?} is not a number", t.trim()))
}

fn num_field(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A sensible range around a setting's value: from a fifth to twice the value, within
/// its range (0 and 1 for DND, 0–50% for the control group).
fn default_range(p: &SettingPath, j: &Journey) -> (f64, f64) {
    let (lo, hi, _) = p.range();
    let v = p.get(j).unwrap_or(lo);
    let text = p.to_string();
    if text == "setup.dnd.enabled" {
        return (0.0, 1.0);
    }
    if text == "setup.control.journey_percent" {
        return (0.0, 50.0);
    }
    if v <= 0.0 {
        return (lo, hi.min(lo + 1.0));
    }
    let (a, b) = ((v * 0.2).clamp(lo, hi), (v * 2.0).clamp(lo, hi));
    if p.whole() { (a.round(), b.round()) } else { (a, b) }
}

/// The random splits of a journey: (id, label).
fn splits(j: &Journey) -> Vec<(NodeId, String)> {
    j.graph
        .nodes
        .values()
        .filter(|n| matches!(n.kind, NodeKind::RandomSplit { .. }))
        .map(|n| (n.id, format!("{} · {}", n.id, n.label)))
        .collect()
}

/// The channel nodes with content variants, for the planner's test choice.
fn variant_nodes(j: &Journey) -> Vec<(NodeId, String)> {
    j.graph
        .nodes
        .values()
        .filter(|n| !n.kind.variants().is_empty())
        .map(|n| (n.id, format!("{} · {} variants", n.id, n.label)))
        .collect()
}

/// Test hook: the plan and explore window's state.
impl super::App {
    /// The plan and explore window.
    #[must_use]
    pub fn explore(&self) -> &ExploreUi {
        &self.explore
    }
}

/// The window, once per frame: picks up requests, collects a finished run, draws.
pub fn explore_ui(ctx: &egui::Context, ex: &mut ExploreUi, j: &Journey, inputs: RunInputs) {
    let asked = ctx.data_mut(|d| {
        let id = Id::unique(REQUEST_ID);
        let r = d.get_temp::<Request>(id);
        d.remove::<Request>(id);
        r
    });
    if let Some(r) = asked {
        ex.open_for(r, j);
    }
    if ex.collect() {
        ctx.request_repaint();
    }
    if let Some(m) = ex.png_message.lock().ok().and_then(|mut m| m.take()) {
        ex.message = Some(m);
    }
    if !ex.open {
        return;
    }
    let mut open = ex.open;
    egui::Window::new("Plan and explore").open(&mut open).default_size([680.0, 780.0]).resizable(true).show(
        ctx,
        |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut ex.tool, Tool::Plan, "Plan test")
                    .on_hover_text("Entries, days and power of an A/B test");
                ui.selectable_value(&mut ex.tool, Tool::Sweep, "Sweep")
                    .on_hover_text("Run the journey over a range of one setting");
                ui.selectable_value(&mut ex.tool, Tool::Tornado, "Tornado")
                    .on_hover_text("Rank the scenario's assumptions by how much they move one output");
            });
            ui.separator();
            ui.weak(format!(
                "Runs with the run bar's settings: {} users, seed {}, {} days.",
                crate::figures::text::fmt_count(inputs.users),
                inputs.seed,
                inputs.horizon_days
            ));
            match ex.tool {
                Tool::Plan => plan_inputs_ui(ui, ex, j),
                Tool::Sweep => sweep_inputs_ui(ui, ex, j),
                Tool::Tornado => tornado_inputs_ui(ui, ex),
            }
            ui.horizontal(|ui| {
                let running = ex.job.is_some();
                if ui
                    .add_enabled(!running, egui::Button::new("Run"))
                    .on_hover_text("Run it on a worker thread")
                    .clicked()
                {
                    ex.start(j, inputs, ui.ctx());
                }
                if let Some(job) = &ex.job {
                    let share = f64::from_bits(job.progress.load(Ordering::Relaxed));
                    #[allow(clippy::cast_possible_truncation)]
                    ui.add(egui::ProgressBar::new(share as f32).desired_width(200.0).show_percentage());
                    if ui.button("Cancel").on_hover_text("Stop the run").clicked() {
                        job.cancel.store(true, Ordering::Relaxed);
                    }
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                }
            });
            if let Some(e) = ex.error() {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            let ran_on = match ex.tool {
                Tool::Plan => ex.plan.as_ref().map(|(_, j)| j),
                Tool::Sweep => ex.sweep.as_ref().map(|(_, j)| j),
                Tool::Tornado => ex.tornado.as_ref().map(|(_, j)| j),
            };
            if ran_on.is_some_and(|r| !same_simulation(r, j)) {
                ui.weak("The journey changed since this ran: Run again to update it.");
            }
            ui.separator();
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| match ex.tool {
                Tool::Plan => plan_result_ui(ui, ex),
                Tool::Sweep => sweep_result_ui(ui, ex),
                Tool::Tornado => {
                    if let Some(path) = tornado_result_ui(ui, ex) {
                        ex.open_for(Request::Sweep(path), j);
                    }
                }
            });
        },
    );
    ex.open = open;
}

fn plan_inputs_ui(ui: &mut Ui, ex: &mut ExploreUi, j: &Journey) {
    egui::Grid::new("plan_inputs").num_columns(2).show(ui, |ui| {
        let l = ui.label("Test");
        let current = match ex.test {
            TestKind::Control => "Control group".to_owned(),
            TestKind::Split(id) => format!("Split {id}"),
            TestKind::Variants(id) => format!("Variants {id}"),
        };
        let _ = egui::ComboBox::from_id_salt("plan_test")
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut ex.test, TestKind::Control, "Control group");
                for (id, label) in splits(j) {
                    ui.selectable_value(&mut ex.test, TestKind::Split(id), label);
                }
                for (id, label) in variant_nodes(j) {
                    ui.selectable_value(&mut ex.test, TestKind::Variants(id), label);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        text_row(ui, "Minimum detectable effect", "20% (relative) or 2pt (absolute points)", &mut ex.mde);
        text_row(ui, "Baseline conversion %", "Empty: the forecast's conversion in the baseline arm", &mut ex.baseline);
        text_row(
            ui,
            "Test days",
            "Empty: the days needed; else the smallest effect detectable within them",
            &mut ex.test_days,
        );
        let l = ui.label("Simulated power replicates");
        ui.add(egui::DragValue::new(&mut ex.simulate).range(0..=2000))
            .labelled_by(l.id)
            .on_hover_text("0: none; else R replicates of the test, counting significant ones");
        ui.end_row();
    });
}

fn text_row(ui: &mut Ui, label: &str, tip: &str, value: &mut String) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(120.0)).labelled_by(l.id).on_hover_text(tip);
    ui.end_row();
}

fn plan_result_ui(ui: &mut Ui, ex: &mut ExploreUi) {
    let Some(p) = ex.plan().cloned() else {
        ui.weak("Choose the test and the effect to detect, then Run.");
        return;
    };
    let p = &p;
    ui.strong(format!("per arm (equal allocation): {}", crate::figures::text::fmt_count(p.per_arm_equal)));
    egui::Grid::new("plan_arms").striped(true).show(ui, |ui| {
        ui.strong("Arm");
        ui.strong("Share");
        ui.strong("Entries needed");
        ui.strong("Forecast conversion");
        ui.end_row();
        for a in &p.arms {
            ui.label(&a.name);
            ui.label(format!("{}%", num(a.share * 100.0)));
            ui.label(crate::figures::text::fmt_count(a.entries_needed));
            ui.label(
                a.forecast_rate
                    .map_or_else(|| "n/a".to_owned(), |r| format!("{}%", num((r * 10_000.0).round() / 100.0))),
            );
            ui.end_row();
        }
    });
    ui.label(format!(
        "Baseline {}% ({}) to {}% with the effect; {} entries in all at {} a day: {}.",
        num((p.baseline_rate * 10_000.0).round() / 100.0),
        if p.baseline_from_forecast { "the forecast's" } else { "given" },
        num((p.target_rate * 10_000.0).round() / 100.0),
        crate::figures::text::fmt_count(p.total_needed),
        num((p.entries_per_day * 10.0).round() / 10.0),
        p.days_needed.map_or_else(|| "never".to_owned(), |d| format!("{} days needed", num(d.ceil())))
    ));
    if let (Some(d), Some(e)) = (p.test_days, p.detectable_within) {
        ui.label(format!("Smallest detectable effect within {d} days: +{} pt.", num((e * 10_000.0).round() / 100.0)));
    }
    if let Some(s) = &p.simulated {
        let iv = s.interval.map_or_else(String::new, |i| format!(" [{}, {}]", num(i.lo), num(i.hi)));
        ui.label(format!(
            "Simulated power {}{iv}: {} of {} replicates significant over {} days with the planned effect applied \
             (the journey's own effect was {} pt; the formula says {}).",
            num(s.power),
            s.significant,
            s.replicates,
            s.days,
            num((s.mean_effect * 10_000.0).round() / 100.0),
            num(s.formula_power)
        ));
    }
    ui.horizontal(|ui| {
        ui.label("Power curve against");
        ui.radio_value(&mut ex.curve_by_days, true, "days");
        ui.radio_value(&mut ex.curve_by_days, false, "effect size");
    });
    let (pts, x_label): (Vec<[f64; 2]>, &str) = if ex.curve_by_days {
        (p.power_by_days.iter().map(|(d, w)| [*d, *w]).collect(), "test days")
    } else {
        (p.power_by_effect.iter().map(|(e, w)| [e * 100.0, *w]).collect(), "effect (points)")
    };
    let sim = p.simulated.as_ref().map(|s| {
        let planned = (s.applied_rates[1] - s.applied_rates[0]) * 100.0;
        if ex.curve_by_days { [f64::from(s.days), s.power] } else { [planned, s.power] }
    });
    let power = p.power;
    let r = Plot::new("power_curve")
        .height(220.0)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label("power")
        .include_y(0.0)
        .include_y(1.0)
        .show(ui, |pu| {
            pu.line(Line::new("power (formula)", PlotPoints::from(pts)));
            pu.hline(egui_plot::HLine::new(format!("target {power}"), power));
            if let Some(s) = sim {
                pu.points(Points::new("simulated", vec![s]).radius(5.0));
            }
        });
    ex.chart_rect = Some(r.response.rect);
}

fn sweep_inputs_ui(ui: &mut Ui, ex: &mut ExploreUi, j: &Journey) {
    egui::Grid::new("sweep_inputs").num_columns(2).show(ui, |ui| {
        let l = ui.label("Setting");
        let _ = egui::ComboBox::from_id_salt("sweep_setting")
            .selected_text(ex.path.clone())
            .width(360.0)
            .show_ui(ui, |ui| {
                for p in all_paths(j) {
                    let text = p.to_string();
                    if ui.selectable_label(ex.path == text, &text).clicked() {
                        let (lo, hi) = default_range(&p, j);
                        ex.from = num_field(lo);
                        ex.to = num_field(hi);
                        ex.path = text;
                    }
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        text_row(ui, "From", "The first value", &mut ex.from);
        text_row(ui, "To", "The last value", &mut ex.to);
        let l = ui.label("Steps");
        ui.add(egui::DragValue::new(&mut ex.steps).range(2..=50))
            .labelled_by(l.id)
            .on_hover_text("2–50 steps, both ends included");
        ui.end_row();
        let l = ui.label("Replicates per step");
        ui.add(egui::DragValue::new(&mut ex.replicates).range(1..=100))
            .labelled_by(l.id)
            .on_hover_text("More replicates, narrower bands");
        ui.end_row();
        let l = ui.label("Output");
        output_picker(ui, "sweep_output", &mut ex.output, l.id);
        ui.end_row();
    });
}

fn output_picker(ui: &mut Ui, salt: &str, out: &mut Output, label: egui::Id) {
    let _ = egui::ComboBox::from_id_salt(salt)
        .selected_text(out.key())
        .show_ui(ui, |ui| {
            for o in Output::ALL {
                ui.selectable_value(out, o, o.key());
            }
        })
        .response
        .labelled_by(label);
}

fn sweep_result_ui(ui: &mut Ui, ex: &mut ExploreUi) {
    let Some(s) = ex.sweep.as_ref().and_then(|(r, _)| r.as_ref().ok()).cloned() else {
        ui.weak("Pick a setting and a range, then Run. Right-click a number in the forms for \"Sweep this value…\".");
        return;
    };
    let o = ex.output;
    let band = |f: fn(&crate::sim::explore::Band) -> f64| -> Vec<[f64; 2]> {
        s.steps
            .iter()
            .filter_map(|st| st.outputs.iter().find(|(k, _)| *k == o).map(|(_, b)| [st.value, f(b)]))
            .collect()
    };
    let (mid, lo, hi) = (band(|b| b.value), band(|b| b.low), band(|b| b.high));
    let mut poly = lo.clone();
    poly.extend(hi.iter().rev());
    let current = s.current;
    let r = Plot::new("sweep_chart")
        .height(240.0)
        .legend(Legend::default())
        .x_axis_label(s.setting.clone())
        .y_axis_label(o.key())
        .show(ui, |pu| {
            pu.polygon(
                Polygon::new("95% band", PlotPoints::from(poly))
                    .fill_color(egui::Color32::from_rgba_unmultiplied(90, 140, 220, 50)),
            );
            pu.line(Line::new(o.key(), PlotPoints::from(mid.clone())));
            pu.points(Points::new("steps", mid).radius(3.0));
            pu.vline(egui_plot::VLine::new("journey's value", current));
        });
    ex.chart_rect = Some(r.response.rect);
    egui::Grid::new("sweep_table").striped(true).show(ui, |ui| {
        ui.strong("value");
        ui.strong(o.key());
        ui.strong("95% band");
        ui.end_row();
        for st in &s.steps {
            if let Some((_, b)) = st.outputs.iter().find(|(k, _)| *k == o) {
                ui.label(num(st.value));
                ui.label(num((b.value * 10_000.0).round() / 10_000.0));
                ui.label(format!(
                    "[{}, {}]",
                    num((b.low * 10_000.0).round() / 10_000.0),
                    num((b.high * 10_000.0).round() / 10_000.0)
                ));
                ui.end_row();
            }
        }
    });
    export_ui(ui, ex, |ex| ex.sweep().map(sweep_csv));
}

fn tornado_inputs_ui(ui: &mut Ui, ex: &mut ExploreUi) {
    egui::Grid::new("tornado_inputs").num_columns(2).show(ui, |ui| {
        let l = ui.label("Output");
        output_picker(ui, "tornado_output", &mut ex.tornado_output, l.id);
        ui.end_row();
        let l = ui.label("Move each input by ±%");
        ui.add(egui::DragValue::new(&mut ex.by_percent).range(1.0..=100.0))
            .labelled_by(l.id)
            .on_hover_text("Low and high, clamped to the input's range");
        ui.end_row();
        let l = ui.label("Replicates per run");
        ui.add(egui::DragValue::new(&mut ex.replicates).range(1..=100)).labelled_by(l.id);
        ui.end_row();
    });
}

/// How many inputs the tornado chart draws (largest swings first).
const TORNADO_CHART_ROWS: usize = 15;

/// Draws the tornado; returns the input whose bar was clicked.
fn tornado_result_ui(ui: &mut Ui, ex: &mut ExploreUi) -> Option<String> {
    let Some(t) = ex.tornado().cloned() else {
        ui.weak("Run to rank the scenario's inputs by the swing they cause.");
        return None;
    };
    ui.label(format!(
        "{} at the journey's values: {}. Click a bar to sweep that input.",
        t.output.key(),
        num((t.base * 100.0).round() / 100.0)
    ));
    // The chart shows the inputs that matter most, one readable row each; the table below
    // lists them all.
    let shown = &t.bars[..t.bars.len().min(TORNADO_CHART_ROWS)];
    if shown.len() < t.bars.len() {
        ui.weak(format!(
            "The chart shows the {} largest swings of {}; the table lists every input.",
            shown.len(),
            t.bars.len()
        ));
    }
    let n = shown.len();
    let names: Vec<String> = shown.iter().map(|b| b.setting.clone()).collect();
    let names_for_axis = names.clone();
    #[allow(clippy::cast_precision_loss)]
    let y = |i: usize| (n - 1 - i) as f64;
    let low: Vec<Bar> =
        shown.iter().enumerate().map(|(i, b)| Bar::new(y(i), b.at_low - t.base).width(0.7).name(&b.setting)).collect();
    let high: Vec<Bar> =
        shown.iter().enumerate().map(|(i, b)| Bar::new(y(i), b.at_high - t.base).width(0.7).name(&b.setting)).collect();
    #[allow(clippy::cast_precision_loss)]
    let height = (n as f32 * 26.0 + 60.0).max(160.0);
    #[allow(clippy::cast_precision_loss)]
    let top = n as f64 - 0.5;
    let r = Plot::new("tornado_chart")
        .height(height)
        .default_y_bounds(-0.5, top)
        // One grid line, and so one label, per input.
        .y_grid_spacer(move |_| {
            #[allow(clippy::cast_precision_loss)]
            (0..n).map(|i| egui_plot::GridMark { value: i as f64, step_size: 1.0 }).collect()
        })
        .legend(Legend::default())
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label(format!("{} - value at the journey's settings", t.output.key()))
        .y_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let k = i as usize;
            if k < n { names_for_axis.get(n - 1 - k).cloned().unwrap_or_default() } else { String::new() }
        })
        .show(ui, |pu| {
            pu.bar_chart(BarChart::new("input low", low).horizontal().color(egui::Color32::from_rgb(90, 140, 220)));
            pu.bar_chart(BarChart::new("input high", high).horizontal().color(egui::Color32::from_rgb(230, 140, 60)));
        });
    ex.chart_rect = Some(r.response.rect);
    let mut clicked = None;
    if r.response.clicked()
        && let Some(pos) = r.response.interact_pointer_pos()
    {
        let v = r.transform.value_from_position(pos).y.round();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        if v >= 0.0 && (v as usize) < n {
            clicked = names.get(n - 1 - v as usize).cloned();
        }
    }
    egui::Grid::new("tornado_table").striped(true).show(ui, |ui| {
        ui.strong("input");
        ui.strong("low to high");
        ui.strong("swing");
        ui.end_row();
        for b in &t.bars {
            if ui.link(&b.setting).on_hover_text("Sweep this input").clicked() {
                clicked = Some(b.setting.clone());
            }
            ui.label(format!(
                "{} to {}",
                num((b.at_low * 100.0).round() / 100.0),
                num((b.at_high * 100.0).round() / 100.0)
            ));
            ui.label(num((b.swing * 100.0).round() / 100.0));
            ui.end_row();
        }
    });
    export_ui(ui, ex, |ex| ex.tornado().map(tornado_csv));
    clicked
}

/// The CSV and PNG export row of a result.
fn export_ui(ui: &mut Ui, ex: &mut ExploreUi, csv: impl Fn(&ExploreUi) -> Option<String>) {
    ui.horizontal(|ui| {
        let l = ui.label("Export to");
        ui.add(egui::TextEdit::singleline(&mut ex.export_path).desired_width(180.0))
            .labelled_by(l.id)
            .on_hover_text("File path without extension; .csv or .png is added");
        if ui.button("CSV").on_hover_text("One row per step or input").clicked()
            && let Some(text) = csv(ex)
        {
            let path = std::path::Path::new(&ex.export_path).with_extension("csv");
            ex.message = Some(match crate::format::write_atomic(&path, text.as_bytes()) {
                Ok(()) => format!("Wrote {}", path.display()),
                Err(e) => format!("Could not write {}: {e}", path.display()),
            });
        }
        if ui.button("PNG").on_hover_text("Save the chart as a PNG image").clicked()
            && let Some(rect) = ex.chart_rect
        {
            let path = std::path::Path::new(&ex.export_path).with_extension("png");
            let slot = Arc::clone(&ex.png_message);
            let ctx = ui.ctx().clone();
            let ppp = ctx.pixels_per_point();
            ex.message = Some(format!("Saving {}…", path.display()));
            ui.ctx().request_screenshot(move |image| {
                let message = match super::preview::stats::save_png(&image, rect, ppp, &path) {
                    Ok(()) => format!("Wrote {}", path.display()),
                    Err(e) => format!("Could not write {}: {e}", path.display()),
                };
                if let Ok(mut m) = slot.lock() {
                    *m = Some(message);
                }
                ctx.request_repaint();
            });
        }
    });
    if let Some(m) = &ex.message {
        ui.weak(m);
    }
}
