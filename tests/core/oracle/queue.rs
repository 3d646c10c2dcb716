//! The test oracle: a discrete-event simulator with ONE global priority queue of
//! `(time, sequence, event)` over all users, written from SPEC §1–§2.2 directly.
//!
//! Invariants: it imports only the model (no engine code; `oracle_imports_nothing_from_the_walk`
//! checks this); the automated-split weight schedule w(t) is input data; its randomness is
//! its own (PCG-64 MCG keyed by its own hash), so agreement with the engine is statistical,
//! never bit-exact. Within one second the journey timeout comes first (SPEC §2.2: an
//! event, timer, outcome or run at exactly T sees the user already timed out), then
//! everything else in the order it was queued, then the ends of intervals that include
//! their last second (§1.3: an event, or a daily re-check, at a window's close still
//! counts; so does a B at an inaction's A + T), and scheduled entry runs last
//! (a user who exits in that second, however, may enter again at the run, as after a
//! timeout). Events at or after the horizon are never processed.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::rc::Rc;

use chrono_tz::Tz;
use journey_studio::model::{
    Channel, Condition, DelayDist, DndAction, EngagementKind, EngagementResponse, EntryRule, GoalMode, Journey, Node,
    NodeId, NodeKind, PathId, PropertyCondition, PropertyDist, SplitMode, WaitKind,
};

use super::props::{self, PVal, Props, Rand};
use super::tz;

/// The automated-split weight schedule: per split node, `(epoch start, weights in path order)`.
pub type Weights = BTreeMap<NodeId, Vec<(i64, Vec<f64>)>>;

/// Run settings (population size, seed and horizon override the scenario).
#[derive(Clone, Debug, Default)]
pub struct Opts {
    /// Users; `None` takes the scenario's.
    pub users: Option<u64>,
    /// Seed; `None` takes the scenario's.
    pub seed: Option<u64>,
    /// Horizon; `None` takes the scenario's.
    pub horizon_days: Option<u32>,
    /// Record every port move and send (for exact tests on small runs).
    pub trace: bool,
}

/// Counts per channel node.
#[derive(Clone, Debug, Default, PartialEq)]
#[allow(missing_docs)]
pub struct ChannelCounts {
    pub sent: u64,
    pub failed: u64,
    pub unreachable: u64,
    pub delivered: u64,
    pub viewed: u64,
    pub clicked: u64,
    pub dnd_deferred: u64,
    pub dnd_skipped: u64,
    pub capped: u64,
    pub unsubscribed: u64,
}

/// One traced step.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A user took a port.
    Move { user: u64, node: NodeId, port: journey_studio::model::Port, t: i64 },
    /// A message went out (after DND, cap and failure).
    Send { user: u64, node: NodeId, t: i64 },
    /// A user entered the journey.
    Enter { user: u64, t: i64, control: bool },
    /// A user (on the graph or in a control group) reached the journey timeout.
    TimedOut { user: u64, t: i64 },
    /// A user met a goal (number, 0-based).
    Goal { user: u64, goal: usize, t: i64 },
    /// A user left by an exit criterion.
    ExitCriterion { user: u64, t: i64 },
}

/// Everything the oracle counts.
#[derive(Clone, Debug, Default)]
#[allow(missing_docs)]
pub struct OracleStats {
    pub users: u64,
    pub qualified: u64,
    pub entered: u64,
    /// System + journey control entries.
    pub control: u64,
    pub control_system: u64,
    pub control_journey: u64,
    pub target: u64,
    /// Exit nodes and unlinked ports.
    pub completed: u64,
    /// Users on the graph when the journey timeout passed.
    pub timed_out: u64,
    /// Control users still in the journey when the timeout passed.
    pub control_timed_out: u64,
    pub exit_criteria: u64,
    pub force_exits: u64,
    /// Conversions per goal over all entries (target and both control groups).
    pub goal_met: Vec<u64>,
    /// Goal exits of users on the graph, per goal.
    pub goal_exits_on_graph: Vec<u64>,
    pub conv_target: u64,
    pub conv_control: u64,
    pub conv_system: u64,
    pub conv_target_per_goal: Vec<u64>,
    pub conv_control_per_goal: Vec<u64>,
    pub value_target: f64,
    pub value_control: f64,
    pub node_entered: BTreeMap<NodeId, u64>,
    pub moved: BTreeMap<(NodeId, journey_studio::model::Port), u64>,
    pub goal_before: BTreeMap<NodeId, u64>,
    pub goal_at: BTreeMap<NodeId, u64>,
    pub timed_out_at: BTreeMap<NodeId, u64>,
    pub waiting_before: BTreeMap<NodeId, u64>,
    pub waiting_at: BTreeMap<NodeId, u64>,
    pub channels: BTreeMap<NodeId, ChannelCounts>,
    /// Target conversions credited by last touch (the last clicked node).
    pub last_touch: BTreeMap<NodeId, u64>,
    /// Target conversions per random-split path taken during the entry.
    pub split_conversions: BTreeMap<(NodeId, PathId), u64>,
    /// Users who left the graph at a node without taking a port (exit nodes, a missing
    /// port, goal, timeout, exit criteria while held) or were still held there at the
    /// end: `node_entered = Σ moved + left_at` per node.
    pub left_at: BTreeMap<NodeId, u64>,
    pub trace: Vec<Step>,
}

// ---------------------------------------------------------------- the queue

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Next occurrence candidate of event `ev`; stale when `epoch` is old.
    Occ { ev: u16, epoch: u32 },
    /// A node timer; stale when the user moved since (`epoch`).
    Timer { epoch: u32, what: Tm },
    /// A message outcome; counted always, routes only when `epoch` still holds.
    Outcome { node: u16, what: Oc, epoch: u32 },
    /// Inaction entry check at A + T (A waits in the user's queue of pending As).
    Inaction,
    /// A date-time property entry.
    DateEntry,
    /// The journey timeout of entry number `entry_no`.
    Timeout { entry_no: u32 },
    /// A scheduled entry run (global).
    Run,
    /// Account midnight: past-behaviour goals (global).
    Midnight,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tm {
    WaitDone = 0,
    CondClose = 1,
    CondRelease = 2,
    CondYes = 3,
    CondMidnight = 4,
    DndRelease = 5,
    EngageClose = 6,
}

const TMS: [Tm; 7] =
    [Tm::WaitDone, Tm::CondClose, Tm::CondRelease, Tm::CondYes, Tm::CondMidnight, Tm::DndRelease, Tm::EngageClose];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Oc {
    Delivered = 1,
    Viewed = 2,
    Clicked = 4,
}

/// Epoch bits kept in a queued occurrence, timer and outcome (compared masked).
const OCC_BITS: u32 = 23;
const TIMER_BITS: u32 = 26;
const OUT_BITS: u32 = 17;

fn masked(x: u32, bits: u32) -> u32 {
    x & ((1u32 << bits) - 1)
}

/// Packs an event into 32 bits, so that a queue item is 16 bytes and the heap stays
/// cache-friendly: tag in bits 0–2, payload above.
fn encode(k: Kind) -> u32 {
    match k {
        Kind::Occ { ev, epoch } => (masked(epoch, OCC_BITS) << 9) | (u32::from(ev) & 63) << 3,
        Kind::Timer { epoch, what } => (masked(epoch, TIMER_BITS) << 6) | (what as u32) << 3 | 1,
        Kind::Outcome { node, what, epoch } => {
            (masked(epoch, OUT_BITS) << 15) | (u32::from(node) & 1023) << 5 | (what as u32 >> 1) << 3 | 2
        }
        Kind::Inaction => 3,
        Kind::Timeout { entry_no } => (entry_no << 3) | 4,
        Kind::Run => 5,
        Kind::Midnight => 6,
        Kind::DateEntry => 7,
    }
}

fn decode(c: u32) -> Kind {
    match c & 7 {
        0 => Kind::Occ { ev: ((c >> 3) & 63) as u16, epoch: c >> 9 },
        1 => Kind::Timer { epoch: c >> 6, what: TMS[((c >> 3) & 7) as usize % TMS.len()] },
        2 => Kind::Outcome {
            node: ((c >> 5) & 1023) as u16,
            what: [Oc::Delivered, Oc::Viewed, Oc::Clicked][((c >> 3) & 3) as usize % 3],
            epoch: c >> 15,
        },
        3 => Kind::Inaction,
        4 => Kind::Timeout { entry_no: c >> 3 },
        5 => Kind::Run,
        6 => Kind::Midnight,
        _ => Kind::DateEntry,
    }
}

/// Seconds of queue time above the base, the rank within the second and the sequence
/// number share one key.
const SEQ_BITS: u32 = 38;
/// The rank within a second takes the top 2 of the sequence bits.
const RANK_SHIFT: u32 = SEQ_BITS - 2;

/// Order within one second: 0 the journey timeout (SPEC §2.2, the timeout second), 1 the
/// rest, 2 the end of an interval that includes its last second (a condition window's
/// close, where an event or a re-check still counts; an inaction's A + T, where a B still
/// counts), 3 a scheduled entry run (it sees every user settled: one who left in that
/// second, by the timeout or otherwise, may enter again).
fn rank(k: Kind) -> u64 {
    match k {
        Kind::Timeout { .. } => 0,
        Kind::Timer { what: Tm::CondClose | Tm::CondYes, .. } => 2,
        Kind::Run => 3,
        _ => 1,
    }
}

#[derive(Clone, Copy)]
struct Item {
    /// `(t − base) << SEQ_BITS | rank << RANK_SHIFT | seq`: time first, then the rank
    /// within the second, then queue order.
    key: u64,
    user: u32,
    code: u32,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

/// The one global event queue, as a calendar queue: hourly buckets, the current one a
/// `BinaryHeap`. Items leave in exactly the `(time, sequence)` order of a single heap;
/// the buckets only keep each heap small enough for the cache (a 400k-item heap spent
/// most of the run on cache misses).
struct Queue {
    buckets: Vec<Vec<Item>>,
    cur: usize,
    heap: BinaryHeap<Item>,
}

const BUCKET_SECS: u64 = 3600;

impl Queue {
    fn new(span_secs: i64) -> Self {
        let n = usize::try_from(span_secs.max(0) as u64 / BUCKET_SECS + 2).unwrap_or(2);
        Self { buckets: vec![Vec::new(); n], cur: 0, heap: BinaryHeap::new() }
    }

    fn push(&mut self, item: Item) {
        let b = usize::try_from((item.key >> SEQ_BITS) / BUCKET_SECS).unwrap_or(usize::MAX);
        if b <= self.cur || b >= self.buckets.len() {
            self.heap.push(item);
        } else {
            self.buckets[b].push(item);
        }
    }

    fn pop(&mut self) -> Option<Item> {
        loop {
            if let Some(x) = self.heap.pop() {
                return Some(x);
            }
            self.cur += 1;
            let next = std::mem::take(self.buckets.get_mut(self.cur)?);
            self.heap = BinaryHeap::from(next);
        }
    }
}

// ---------------------------------------------------------------- static model

struct EvSpec {
    rate: f64,
    /// Whether anything can read this event's properties (a filter on it, a goal value,
    /// or any event-scope condition in the journey); others are not drawn.
    props_read: bool,
    /// Only the in-app session event, used by nothing else: drawn on demand while a user
    /// waits at an in-app node (a Poisson process is memoryless, so starting it at the
    /// wait is exact) instead of for every user all the time.
    lazy: bool,
    /// Used only by an nth-occurrence live entry: after the user's nth match nothing
    /// can observe it, so drawing stops there.
    nth_only: Option<u32>,
    props: BTreeMap<String, PropertyDist>,
    responses: Vec<EngagementResponse>,
    /// The event's own activity shape: its factor is drawn apart from the shared one.
    own_shape: Option<f64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Keep {
    /// Only the latest match (and its properties).
    Last,
    /// Matches in the last N seconds.
    Window(i64),
    /// Matches since the current entry.
    SinceEntry,
}

struct Matcher {
    ev: usize,
    filters: Vec<PropertyCondition>,
    keep: Keep,
}

#[derive(Clone, Default)]
struct MState {
    last: Option<(i64, Option<Rc<Props>>)>,
    log: VecDeque<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Target,
    Journey,
    System,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    Off,
    Control,
    Wait(u16),
    /// Held at a condition with a window. For inaction, `a_time` is the A that started the
    /// clock and `b_seen` whether B followed within T: the outcome is decided at A + T
    /// (SPEC §1.3), Yes or No.
    Cond {
        node: u16,
        close: i64,
        closed: bool,
        a_time: Option<i64>,
        b_seen: bool,
    },
    Dnd(u16),
    InApp(u16),
    Engage {
        node: u16,
        happened: u8,
    },
    Hold(u16),
}

/// Most events a journey may reference in the oracle (inline arrays keep a user's hot
/// state in a few adjacent cache lines).
const MAX_EVENTS: usize = 12;

/// One user. Hot fields first, in declaration order (`repr(C)`): every queued event
/// touches the head of this struct, so it should cost one cache miss, not several.
#[repr(C)]
struct User {
    ev_epoch: [u32; MAX_EVENTS],
    ev_next: [f64; MAX_EVENTS],
    rng: Rand,
    /// Per event: the user's activity factor (the shared one, or the event's own).
    factors: [f64; MAX_EVENTS],
    tz: usize,
    last_view: Option<i64>,
    last_click: Option<i64>,
    entry_time: i64,
    at: At,
    epoch: u32,
    nth: u32,
    entries: u32,
    entry_no: u32,
    tracking: bool,
    in_journey: bool,
    group: Group,
    reach: [bool; 8],
    unsub: [bool; 8],
    last_exit: Option<i64>,
    last_click_node: Option<u16>,
    /// The user's latest session event (an in-app node reached at that very instant shows at once).
    last_session: Option<i64>,
    props: Props,
    m: Vec<MState>,
    ina_last_b: Option<i64>,
    ina_pending: VecDeque<(i64, Option<Rc<Props>>)>,
    /// The properties of the A that started an inaction condition's clock: the event
    /// context if the condition ends Yes.
    cond_ctx: Option<Rc<Props>>,
    ctx: Option<Rc<Props>>,
    sends: Vec<i64>,
    split_memo: Vec<(NodeId, PathId)>,
    paths_taken: Vec<(NodeId, PathId)>,
}

fn ch_index(c: Channel) -> usize {
    Channel::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// The oracle run: model, queue, users, counters.
struct Sim<'a> {
    j: &'a Journey,
    weights: &'a Weights,
    seed: u64,
    start: i64,
    end_h: i64,
    account: Tz,
    tzs: Vec<Tz>,
    tables: Vec<tz::HourTable>,
    curve: [f64; 24],
    curve_max: f64,
    peak_hour: i64,
    events: Vec<EvSpec>,
    ev_names: Vec<Rc<str>>,
    ev_index: HashMap<String, usize>,
    matchers: Vec<Matcher>,
    by_ev: Vec<Vec<usize>>,
    nodes: Vec<&'a Node>,
    index: HashMap<NodeId, u16>,
    entry: Option<u16>,
    used_channels: Vec<Channel>,
    runs: Vec<i64>,
    heap: Queue,
    seq: u64,
    base: i64,
    users: Vec<User>,
    st: OracleStats,
    trace: bool,
    // matcher indexes per use
    m_cond: HashMap<(u16, u8), usize>,
    m_entry_pb: Option<usize>,
    m_goal: HashMap<usize, usize>,
}

/// Runs the oracle over `j` with the automated-split schedule `weights`.
pub fn run(j: &Journey, opts: &Opts, weights: &Weights) -> OracleStats {
    let mut sim = Sim::new(j, opts, weights);
    sim.go();
    sim.finish()
}

/// Whether event `name` matters other than as the in-app session event.
fn used_beyond_sessions(j: &Journey, name: &str) -> bool {
    let mut k = j.clone();
    k.graph.nodes.retain(|_, n| !matches!(n.kind, NodeKind::Channel { channel: Channel::InApp, .. }));
    k.referenced_events().contains(name)
}

/// `Some(n)` when event `name` serves only an entry on its nth occurrence.
fn nth_only(j: &Journey, name: &str) -> Option<u32> {
    let entry = j.graph.entry()?;
    let NodeKind::Entry(seg) = &entry.kind else { return None };
    let EntryRule::LiveAction(a) = &seg.rule else { return None };
    let n = a.nth_occurrence?;
    if a.event.event != name {
        return None;
    }
    let mut k = j.clone();
    k.graph.nodes.remove(&entry.id);
    (!k.referenced_events().contains(name)).then_some(n)
}

/// Whether the journey can read properties of event `name`.
fn props_read(j: &Journey, name: &str) -> bool {
    use journey_studio::model::{EventFilter, Scope};
    let on = |e: &EventFilter| e.event == name && !e.filters.is_empty();
    let mut read = j.goals.iter().any(|g| (g.event.event == name && g.value_property.is_some()) || on(&g.event))
        || j.setup.exit_criteria.iter().any(on);
    for n in j.graph.nodes.values() {
        read |= match &n.kind {
            NodeKind::Entry(seg) => {
                seg.user_filters.iter().any(|c| c.scope == Scope::Event)
                    || match &seg.rule {
                        EntryRule::LiveAction(a) => on(&a.event),
                        EntryRule::Inaction(r) => on(&r.did) || on(&r.not_did),
                        EntryRule::PastBehaviour(r) => on(&r.event),
                        _ => false,
                    }
            }
            NodeKind::Condition { condition, .. } => match condition {
                Condition::LiveAction(a) => on(&a.event),
                Condition::Inaction(r) => on(&r.did) || on(&r.not_did),
                Condition::PastBehaviour(r) => on(&r.event),
                Condition::UserProperty(f) => f.uses_event_properties(),
                Condition::DateProperty(_) => false,
            },
            NodeKind::ConditionalSplit { paths } => paths.iter().any(|p| p.filter.uses_event_properties()),
            _ => false,
        };
    }
    read
}

fn delay(rng: &mut Rand, d: &DelayDist) -> i64 {
    match d {
        DelayDist::Fixed(s) => s.0.max(0),
        DelayDist::Exponential { mean } => (rng.exp1() * mean.0.max(0) as f64).round() as i64,
    }
}

impl<'a> Sim<'a> {
    fn new(j: &'a Journey, opts: &Opts, weights: &'a Weights) -> Self {
        let sc = &j.scenario;
        let seed = opts.seed.unwrap_or(sc.run.seed);
        let n_users = opts.users.unwrap_or(sc.population.users).min(5_000_000);
        let horizon = i64::from(opts.horizon_days.unwrap_or(sc.run.horizon_days));
        let start = j.setup.start.0;
        let end_h = start + horizon * 86_400;
        let account = j.setup.timezone.account.zone().unwrap_or(chrono_tz::UTC);

        // Nodes, dense.
        let nodes: Vec<&Node> = j.graph.nodes.values().collect();
        let index: HashMap<NodeId, u16> =
            nodes.iter().enumerate().map(|(i, n)| (n.id, u16::try_from(i).unwrap_or(u16::MAX))).collect();
        let entry = j.graph.entry().and_then(|n| index.get(&n.id).copied());

        // Referenced events.
        let names: Vec<String> = j.referenced_events().into_iter().collect();
        assert!(names.len() <= MAX_EVENTS, "the oracle handles at most {MAX_EVENTS} events per journey");
        let ev_index: HashMap<String, usize> = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let events: Vec<EvSpec> = names
            .iter()
            .map(|n| {
                let b = sc.event(n);
                EvSpec {
                    rate: b.rate_per_day.max(0.0),
                    props_read: props_read(j, n),
                    lazy: *n == sc.population.session_event && !used_beyond_sessions(j, n),
                    nth_only: nth_only(j, n),
                    props: b.properties,
                    responses: b.engagement,
                    own_shape: b.activity_shape.filter(|k| *k > 0.0 && k.is_finite()),
                }
            })
            .collect();

        // Activity curve, normalised to mean 1 over the day.
        let mut curve = [1.0; 24];
        let raw: Vec<f64> = sc.population.activity_curve.iter().map(|w| w.max(0.0)).collect();
        let mean = raw.iter().sum::<f64>() / 24.0;
        if raw.len() == 24 && mean > 0.0 && mean.is_finite() {
            for (c, w) in curve.iter_mut().zip(&raw) {
                *c = w / mean;
            }
        }
        let curve_max = curve.iter().copied().fold(0.0, f64::max);
        let mut peak_hour = 0;
        if raw.len() == 24 {
            for h in 0..24 {
                if raw[h] > raw[peak_hour] {
                    peak_hour = h;
                }
            }
        }

        // Matchers and the warm-up.
        let mut sim = Self {
            j,
            weights,
            seed,
            start,
            end_h,
            account,
            tzs: Vec::new(),
            tables: Vec::new(),
            curve,
            curve_max,
            peak_hour: peak_hour as i64,
            events,
            ev_names: names.iter().map(|n| Rc::from(n.as_str())).collect(),
            ev_index,
            matchers: Vec::new(),
            by_ev: Vec::new(),
            nodes,
            index,
            entry,
            used_channels: Vec::new(),
            runs: Vec::new(),
            heap: Queue::new(0),
            seq: 0,
            base: start - 800 * 86_400,
            users: Vec::new(),
            st: OracleStats::default(),
            trace: opts.trace,
            m_cond: HashMap::new(),
            m_entry_pb: None,
            m_goal: HashMap::new(),
        };
        let mut lookback = 0i64;
        if let Some(NodeKind::Entry(seg)) = sim.entry.map(|e| &sim.nodes[e as usize].kind)
            && let EntryRule::PastBehaviour(r) = &seg.rule
        {
            let w = i64::from(r.last_days) * 86_400;
            lookback = lookback.max(w);
            sim.m_entry_pb = sim.add_matcher(&r.event.event, &r.event.filters, Keep::Window(w));
        }
        for i in 0..sim.nodes.len() {
            let node = sim.nodes[i];
            let ni = u16::try_from(i).unwrap_or(u16::MAX);
            match &node.kind {
                NodeKind::Condition { condition: Condition::LiveAction(a), .. } => {
                    if let Some(m) = sim.add_matcher(&a.event.event, &a.event.filters, Keep::Last) {
                        sim.m_cond.insert((ni, 0), m);
                    }
                }
                NodeKind::Condition { condition: Condition::Inaction(r), .. } => {
                    if let Some(m) = sim.add_matcher(&r.did.event, &r.did.filters, Keep::SinceEntry) {
                        sim.m_cond.insert((ni, 0), m);
                    }
                    if let Some(m) = sim.add_matcher(&r.not_did.event, &r.not_did.filters, Keep::SinceEntry) {
                        sim.m_cond.insert((ni, 1), m);
                    }
                }
                NodeKind::Condition { condition: Condition::PastBehaviour(r), .. } => {
                    let w = i64::from(r.last_days) * 86_400;
                    lookback = lookback.max(w);
                    if let Some(m) = sim.add_matcher(&r.event.event, &r.event.filters, Keep::Window(w)) {
                        sim.m_cond.insert((ni, 0), m);
                    }
                }
                NodeKind::Channel { channel, .. } if !sim.used_channels.contains(channel) => {
                    sim.used_channels.push(*channel);
                }
                _ => {}
            }
        }
        for (gi, g) in j.goals.iter().enumerate() {
            if g.mode == GoalMode::PastBehaviour
                && let Some(m) = sim.add_matcher(&g.event.event, &g.event.filters, Keep::Last)
            {
                sim.m_goal.insert(gi, m);
            }
        }
        sim.by_ev = vec![Vec::new(); sim.events.len()];
        for (mi, m) in sim.matchers.iter().enumerate() {
            sim.by_ev[m.ev].push(mi);
        }
        let warm = start - lookback;
        sim.base = warm - 86_400;
        sim.heap = Queue::new(end_h - sim.base);

        // Timezones.
        let mut tz_w: Vec<(Tz, f64)> = sc
            .population
            .timezones
            .iter()
            .map(|s| (s.tz.zone().unwrap_or(chrono_tz::UTC), s.weight.max(0.0)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        if tz_w.is_empty() {
            tz_w.push((chrono_tz::UTC, 1.0));
        }
        sim.tzs = tz_w.iter().map(|(t, _)| *t).collect();
        sim.tables = sim.tzs.iter().map(|t| tz::HourTable::new(*t, warm - 86_400, end_h + 86_400)).collect();
        let tz_total: f64 = tz_w.iter().map(|(_, w)| w).sum();

        sim.st.goal_met = vec![0; j.goals.len()];
        sim.st.goal_exits_on_graph = vec![0; j.goals.len()];
        sim.st.conv_target_per_goal = vec![0; j.goals.len()];
        sim.st.conv_control_per_goal = vec![0; j.goals.len()];
        sim.st.users = n_users;

        // Population.
        let reach = &sc.population.reachability;
        let shape = sc.activity_shape;
        let ctl = &j.setup.control;
        sim.users.reserve(usize::try_from(n_users).unwrap_or(0));
        for u in 0..n_users {
            let mut rng = Rand::new(&[seed, u, 0x05E7]);
            let mut x = rng.u() * tz_total;
            let mut tzi = tz_w.len() - 1;
            for (i, (_, w)) in tz_w.iter().enumerate() {
                x -= w;
                if x < 0.0 {
                    tzi = i;
                    break;
                }
            }
            let factor = if shape > 0.0 && shape.is_finite() { rng.gamma(shape) / shape } else { 1.0 };
            let phone = rng.bern(reach.phone);
            let mut has = [true; 8];
            has[ch_index(Channel::Push)] = rng.bern(reach.push);
            has[ch_index(Channel::WebPush)] = rng.bern(reach.web_push);
            has[ch_index(Channel::Email)] = rng.bern(reach.email);
            has[ch_index(Channel::Sms)] = phone;
            has[ch_index(Channel::WhatsApp)] = phone && rng.bern(reach.whatsapp_of_phone);
            let mut unsub = [false; 8];
            for c in Channel::ALL {
                let p = reach.unsubscribed.get(&c).copied().unwrap_or(0.0);
                unsub[ch_index(c)] = rng.bern(p);
            }
            let mut up = Props::new();
            for (name, dist) in &sc.population.properties {
                if let Some(v) = rng.prop(dist, start) {
                    up.insert(name.clone(), v);
                }
            }
            // Own factors come last, so journeys without them draw as before.
            let mut factors = [factor; MAX_EVENTS];
            for (i, e) in sim.events.iter().enumerate().take(MAX_EVENTS) {
                if let Some(k) = e.own_shape {
                    factors[i] = rng.gamma(k) / k;
                }
            }
            let sys = ctl.system_percent.is_some_and(|p| props::unit(&[seed, u, 0x5757]) < f64::from(p) / 100.0);
            let jc = ctl.journey_percent.is_some_and(|p| props::unit(&[seed, u, 0xC7C7]) < f64::from(p) / 100.0);
            let group = if sys {
                Group::System
            } else if jc {
                Group::Journey
            } else {
                Group::Target
            };
            sim.users.push(User {
                tz: tzi,
                factors,
                reach: has,
                unsub,
                props: up,
                rng,
                ev_epoch: [0; MAX_EVENTS],
                ev_next: [warm as f64; MAX_EVENTS],
                nth: 0,
                last_view: None,
                last_click: None,
                m: vec![MState::default(); sim.matchers.len()],
                ina_last_b: None,
                ina_pending: VecDeque::new(),
                cond_ctx: None,
                group,
                entries: 0,
                in_journey: false,
                last_exit: None,
                entry_no: 0,
                entry_time: 0,
                tracking: false,
                at: At::Off,
                epoch: 0,
                ctx: None,
                sends: Vec::new(),
                split_memo: Vec::new(),
                paths_taken: Vec::new(),
                last_click_node: None,
                last_session: None,
            });
        }

        // Initial queue: every user's first occurrence of every event.
        for u in 0..sim.users.len() {
            for ev in 0..sim.events.len() {
                if !sim.events[ev].lazy {
                    sim.schedule_occ(u, ev, warm as f64);
                }
            }
        }
        // Entry schedule.
        if let Some(NodeKind::Entry(seg)) = sim.entry.map(|e| &sim.nodes[e as usize].kind) {
            match &seg.rule {
                EntryRule::PastBehaviour(_) | EntryRule::CustomList { .. } => {
                    sim.runs = tz::runs(&j.setup, account, end_h);
                    for r in sim.runs.clone() {
                        sim.push(r, 0, Kind::Run);
                    }
                }
                EntryRule::DateProperty(r) => {
                    for u in 0..sim.users.len() {
                        if let Some(PVal::Time(d)) = sim.users[u].props.get(&r.property)
                            && *d >= start
                        {
                            let t = start.max(d - r.within_next.0);
                            sim.push(t, u, Kind::DateEntry);
                        }
                    }
                }
                _ => {}
            }
        }
        if !sim.m_goal.is_empty() {
            let m = tz::next_local(start - 1, account, 0);
            sim.push(m, 0, Kind::Midnight);
        }
        sim
    }

    fn add_matcher(&mut self, ev: &str, filters: &[PropertyCondition], keep: Keep) -> Option<usize> {
        let ev = *self.ev_index.get(ev)?;
        self.matchers.push(Matcher { ev, filters: filters.to_vec(), keep });
        Some(self.matchers.len() - 1)
    }

    fn push(&mut self, t: i64, user: usize, kind: Kind) {
        if t >= self.end_h {
            return;
        }
        self.seq += 1;
        let rel = u64::try_from(t - self.base).unwrap_or(0);
        assert!(rel < (1 << (64 - SEQ_BITS)), "the oracle's queue spans at most 776 days");
        assert!(self.seq < 1 << RANK_SHIFT, "the oracle queues at most 2^36 items");
        let key = (rel << SEQ_BITS) | (rank(kind) << RANK_SHIFT) | self.seq;
        self.heap.push(Item { key, user: u32::try_from(user).unwrap_or(u32::MAX), code: encode(kind) });
    }

    // ------------------------------------------------------------ behaviour

    /// The engagement multiplier of `ev` at `t` and when it next changes.
    fn mult(&self, u: usize, ev: usize, t: f64) -> (f64, f64) {
        let us = &self.users[u];
        let mut m = 1.0;
        let mut change = f64::INFINITY;
        for r in &self.events[ev].responses {
            let last = match r.on {
                EngagementKind::View => us.last_view,
                EngagementKind::Click => us.last_click,
            };
            if let Some(l) = last {
                let until = (l + r.duration.0) as f64;
                if (l as f64) <= t && t < until {
                    m *= r.multiplier.max(0.0);
                    change = change.min(until);
                }
            }
        }
        (m, change)
    }

    /// Draws the next occurrence of `ev` after `from` by thinning and queues it.
    fn schedule_occ(&mut self, u: usize, ev: usize, from: f64) {
        let base = self.events[ev].rate * self.users[u].factors[ev];
        if base <= 0.0 || !base.is_finite() {
            return;
        }
        let mut t = from;
        let end = self.end_h as f64;
        let tzi = self.users[u].tz;
        loop {
            if t >= end {
                return;
            }
            let (m, change) = self.mult(u, ev, t);
            let bound = base * self.curve_max * m;
            if bound <= 0.0 {
                if change.is_finite() {
                    t = change;
                    continue;
                }
                return;
            }
            let us = &mut self.users[u];
            let cand = t + us.rng.exp1() / bound * 86_400.0;
            if cand > change {
                t = change;
                continue;
            }
            if cand >= end {
                return;
            }
            let h = self.tables[tzi].hour(cand as i64);
            let accept = us.rng.u() * self.curve_max < self.curve[h];
            t = cand;
            if accept {
                us.ev_next[ev] = cand;
                let epoch = us.ev_epoch[ev];
                let ev16 = u16::try_from(ev).unwrap_or(u16::MAX);
                self.push(cand.ceil() as i64, u, Kind::Occ { ev: ev16, epoch });
                return;
            }
        }
    }

    /// After a view or click: the rates of responsive events change, so redraw them.
    /// Whether the user's occurrences of `ev` are being drawn now.
    fn live(&self, u: usize, ev: usize) -> bool {
        let e = &self.events[ev];
        (!e.lazy || matches!(self.users[u].at, At::InApp(_))) && e.nth_only.is_none_or(|n| self.users[u].nth < n)
    }

    fn engaged(&mut self, u: usize, kind: EngagementKind, t: i64) {
        match kind {
            EngagementKind::View => self.users[u].last_view = Some(t),
            EngagementKind::Click => self.users[u].last_click = Some(t),
        }
        for ev in 0..self.events.len() {
            if self.events[ev].responses.iter().any(|r| r.on == kind) && self.live(u, ev) {
                self.users[u].ev_epoch[ev] = self.users[u].ev_epoch[ev].wrapping_add(1);
                self.schedule_occ(u, ev, t as f64);
            }
        }
    }

    // ------------------------------------------------------------ main loop

    fn go(&mut self) {
        while let Some(item) = self.heap.pop() {
            let t = self.base + i64::try_from(item.key >> SEQ_BITS).unwrap_or(0);
            if t >= self.end_h {
                break;
            }
            let it = (t, item.user);
            let u = item.user as usize;
            match decode(item.code) {
                Kind::Occ { ev, epoch } => {
                    let ev = ev as usize;
                    if masked(self.users[u].ev_epoch[ev], OCC_BITS) != epoch {
                        continue;
                    }
                    self.occurrence(u, ev, it.0);
                    if self.live(u, ev) {
                        let from = self.users[u].ev_next[ev];
                        self.schedule_occ(u, ev, from);
                    }
                }
                Kind::Timer { epoch, what } => {
                    if masked(self.users[u].epoch, TIMER_BITS) == epoch {
                        self.timer(u, what, it.0);
                    }
                }
                Kind::Outcome { node, what, epoch } => self.outcome(u, node, what, epoch, it.0),
                Kind::Inaction => self.inaction_entry(u, it.0),
                Kind::DateEntry => self.qualify(u, it.0, None),
                Kind::Timeout { entry_no } => self.timeout(u, entry_no, it.0),
                Kind::Run => self.scheduled_run(it.0),
                Kind::Midnight => self.midnight(it.0),
            }
        }
    }

    fn occurrence(&mut self, u: usize, ev: usize, t: i64) {
        let ep: Option<Rc<Props>> = if self.events[ev].props.is_empty() || !self.events[ev].props_read {
            None
        } else {
            let us = &mut self.users[u];
            let mut p = Props::new();
            for (k, d) in &self.events[ev].props {
                if let Some(v) = us.rng.prop(d, self.start) {
                    p.insert(k.clone(), v);
                }
            }
            Some(Rc::new(p))
        };
        let epr = ep.as_deref();
        // Histories.
        for &mi in &self.by_ev[ev] {
            let m = &self.matchers[mi];
            let us = &mut self.users[u];
            if !props::all_hold(&m.filters, &us.props, epr, t) {
                continue;
            }
            let st = &mut us.m[mi];
            match m.keep {
                Keep::Last => st.last = Some((t, ep.clone())),
                Keep::Window(w) => {
                    while st.log.front().is_some_and(|x| *x < t - w) {
                        st.log.pop_front();
                    }
                    st.log.push_back(t);
                }
                Keep::SinceEntry => {
                    let since = us.entry_time;
                    while st.log.front().is_some_and(|x| *x < since) {
                        st.log.pop_front();
                    }
                    st.log.push_back(t);
                }
            }
        }
        if t < self.start {
            return;
        }
        let name = Rc::clone(&self.ev_names[ev]);
        let name: &str = &name;
        if name == self.j.scenario.population.session_event {
            self.users[u].last_session = Some(t);
        }
        let j = self.j;
        // 1. Live goals beat everything else.
        if self.users[u].tracking {
            for (gi, g) in j.goals.iter().enumerate() {
                if g.mode == GoalMode::Live
                    && g.event.event == name
                    && props::all_hold(&g.event.filters, &self.users[u].props, epr, t)
                {
                    self.convert(u, gi, t, epr);
                    break;
                }
            }
        }
        // 2. Exit criteria.
        let us = &self.users[u];
        if (us.tracking || us.in_journey)
            && j.setup.exit_criteria.iter().any(|e| e.event == name && props::all_hold(&e.filters, &us.props, epr, t))
        {
            if self.trace {
                self.st.trace.push(Step::ExitCriterion { user: u as u64, t });
            }
            if self.users[u].in_journey {
                self.st.exit_criteria += 1;
                self.leave_graph(u, t);
            }
            self.users[u].tracking = false;
        }
        // 3. A user held at a condition or an in-app node.
        match self.users[u].at {
            At::Cond { node, close, closed, a_time, .. } => {
                let n = self.nodes[node as usize];
                if let NodeKind::Condition { condition, .. } = &n.kind {
                    match condition {
                        Condition::LiveAction(a)
                            if !closed
                                && t <= close
                                && a.event.event == name
                                && props::all_hold(&a.event.filters, &self.users[u].props, epr, t) =>
                        {
                            self.users[u].ctx = ep.clone();
                            self.take_and_go(u, node, journey_studio::model::Port::Yes, t);
                        }
                        Condition::Inaction(r) => match a_time {
                            None if !closed
                                && t <= close
                                && r.did.event == name
                                && props::all_hold(&r.did.filters, &self.users[u].props, epr, t) =>
                            {
                                if let At::Cond { a_time, .. } = &mut self.users[u].at {
                                    *a_time = Some(t);
                                }
                                self.users[u].cond_ctx = ep.clone();
                                let epoch = self.users[u].epoch;
                                self.push(t + r.within.0, u, Kind::Timer { epoch, what: Tm::CondYes });
                            }
                            Some(a)
                                if t > a
                                    && t <= a + r.within.0
                                    && r.not_did.event == name
                                    && props::all_hold(&r.not_did.filters, &self.users[u].props, epr, t) =>
                            {
                                if let At::Cond { b_seen, .. } = &mut self.users[u].at {
                                    *b_seen = true;
                                }
                            }
                            _ => {}
                        },
                        _ => {}
                    }
                }
            }
            At::InApp(node) if name == j.scenario.population.session_event => self.send(u, node, t),
            _ => {}
        }
        // 4. Entry.
        let Some(e) = self.entry else { return };
        let NodeKind::Entry(seg) = &self.nodes[e as usize].kind else { return };
        match &seg.rule {
            EntryRule::LiveAction(a)
                if a.event.event == name && props::all_hold(&a.event.filters, &self.users[u].props, epr, t) =>
            {
                let us = &mut self.users[u];
                us.nth = us.nth.saturating_add(1);
                if a.nth_occurrence.is_none_or(|n| n == us.nth) {
                    self.qualify(u, t, ep);
                }
            }
            EntryRule::Inaction(r) => {
                if r.not_did.event == name && props::all_hold(&r.not_did.filters, &self.users[u].props, epr, t) {
                    self.users[u].ina_last_b = Some(t);
                }
                if r.did.event == name && props::all_hold(&r.did.filters, &self.users[u].props, epr, t) {
                    self.users[u].ina_pending.push_back((t, ep));
                    self.push(t + r.within.0, u, Kind::Inaction);
                }
            }
            _ => {}
        }
    }

    fn inaction_entry(&mut self, u: usize, t: i64) {
        let Some((a_time, ctx)) = self.users[u].ina_pending.pop_front() else { return };
        if self.users[u].ina_last_b.is_some_and(|b| b > a_time) {
            return;
        }
        self.qualify(u, t, ctx);
    }

    fn scheduled_run(&mut self, t: i64) {
        let Some(e) = self.entry else { return };
        let NodeKind::Entry(seg) = &self.nodes[e as usize].kind else { return };
        for u in 0..self.users.len() {
            let ok = match &seg.rule {
                EntryRule::PastBehaviour(r) => {
                    let w = i64::from(r.last_days) * 86_400;
                    let n = self
                        .m_entry_pb
                        .map_or(0, |mi| self.users[u].m[mi].log.iter().filter(|x| **x >= t - w && **x <= t).count());
                    r.count.holds(u32::try_from(n).unwrap_or(u32::MAX))
                }
                EntryRule::CustomList { .. } => {
                    props::unit(&[self.seed, u as u64, 0x1157]) < self.j.scenario.population.custom_list_share
                }
                _ => false,
            };
            if ok {
                self.qualify(u, t, None);
            }
        }
    }

    fn midnight(&mut self, t: i64) {
        for u in 0..self.users.len() {
            if !self.users[u].tracking {
                continue;
            }
            for gi in 0..self.j.goals.len() {
                let Some(&mi) = self.m_goal.get(&gi) else { continue };
                if let Some((lt, p)) = self.users[u].m[mi].last.clone()
                    && lt > self.users[u].entry_time
                    && lt <= t
                {
                    self.convert(u, gi, t, p.as_deref());
                    break;
                }
            }
        }
        let next = tz::next_local(t, self.account, 0);
        self.push(next, 0, Kind::Midnight);
    }

    // ------------------------------------------------------------ entries and exits

    fn qualify(&mut self, u: usize, t: i64, ctx: Option<Rc<Props>>) {
        let j = self.j;
        let Some(e) = self.entry else { return };
        let NodeKind::Entry(seg) = &self.nodes[e as usize].kind else { return };
        if !props::all_hold(&seg.user_filters, &self.users[u].props, ctx.as_deref(), t) {
            return;
        }
        self.st.qualified += 1;
        let us = &self.users[u];
        let re = &j.setup.reentry;
        let turned_away = us.in_journey
            || (us.entries > 0 && !re.enabled)
            || (re.enabled && re.max_entries.is_some_and(|m| us.entries >= m))
            || (re.enabled && re.cooldown.zip(us.last_exit).is_some_and(|(c, x)| t < x + c.0))
            || j.setup.end.is_some_and(|end| t >= end.0)
            || t < self.start
            || (seg.skip_unsubscribed
                && !self.used_channels.is_empty()
                && self.used_channels.iter().all(|c| us.unsub[ch_index(*c)]));
        if turned_away {
            return;
        }
        self.st.entered += 1;
        let us = &mut self.users[u];
        us.entries += 1;
        us.entry_no += 1;
        us.entry_time = t;
        us.tracking = true;
        us.in_journey = true;
        us.paths_taken.clear();
        us.ctx = ctx;
        for (st, m) in us.m.iter_mut().zip(&self.matchers) {
            if m.keep == Keep::SinceEntry {
                st.log.retain(|x| *x >= t);
            }
        }
        let entry_no = us.entry_no;
        let group = us.group;
        if let Some(to) = j.setup.timeout {
            self.push(t + to.0.max(0), u, Kind::Timeout { entry_no });
        }
        if self.trace {
            self.st.trace.push(Step::Enter { user: u as u64, t, control: group != Group::Target });
        }
        if group != Group::Target {
            let id = self.nodes[e as usize].id;
            *self.st.node_entered.entry(id).or_default() += 1;
            *self.st.left_at.entry(id).or_default() += 1;
        }
        match group {
            Group::System => {
                self.st.control += 1;
                self.st.control_system += 1;
                self.users[u].at = At::Control;
            }
            Group::Journey => {
                self.st.control += 1;
                self.st.control_journey += 1;
                self.users[u].at = At::Control;
            }
            Group::Target => {
                self.st.target += 1;
                self.arrive(u, e, t);
            }
        }
    }

    /// The user leaves the graph (and the journey) at `t`.
    fn leave_graph(&mut self, u: usize, t: i64) {
        if let Some(n) = self.held_node(u) {
            *self.st.left_at.entry(self.nodes[n as usize].id).or_default() += 1;
        }
        let us = &mut self.users[u];
        us.at = At::Off;
        us.epoch = us.epoch.wrapping_add(1);
        us.in_journey = false;
        us.last_exit = Some(t);
    }

    /// Where the user counts for "before"/"at" statistics: (node, at?).
    fn place(&self, u: usize) -> Option<(u16, bool)> {
        match self.users[u].at {
            At::Wait(n) => {
                let id = self.nodes[n as usize].id;
                match self.j.graph.target(id, journey_studio::model::Port::Next).and_then(|x| self.index.get(&x)) {
                    Some(&next) => Some((next, false)),
                    None => Some((n, true)),
                }
            }
            At::Cond { node, .. } | At::Dnd(node) | At::InApp(node) | At::Engage { node, .. } | At::Hold(node) => {
                Some((node, true))
            }
            At::Off | At::Control => None,
        }
    }

    fn held_node(&self, u: usize) -> Option<u16> {
        match self.users[u].at {
            At::Wait(n)
            | At::Cond { node: n, .. }
            | At::Dnd(n)
            | At::InApp(n)
            | At::Engage { node: n, .. }
            | At::Hold(n) => Some(n),
            At::Off | At::Control => None,
        }
    }

    fn convert(&mut self, u: usize, gi: usize, t: i64, ep: Option<&Props>) {
        let value = self.j.goals[gi]
            .value_property
            .as_ref()
            .and_then(|p| ep.and_then(|e| e.get(p)))
            .and_then(|v| if let PVal::Num(x) = v { Some(*x) } else { None })
            .unwrap_or(0.0);
        self.st.goal_met[gi] += 1;
        if self.trace {
            self.st.trace.push(Step::Goal { user: u as u64, goal: gi, t });
        }
        match self.users[u].group {
            Group::Target => {
                self.st.conv_target += 1;
                self.st.conv_target_per_goal[gi] += 1;
                self.st.value_target += value;
                if let Some(n) = self.users[u].last_click_node {
                    *self.st.last_touch.entry(self.nodes[n as usize].id).or_default() += 1;
                }
                for p in self.users[u].paths_taken.clone() {
                    *self.st.split_conversions.entry(p).or_default() += 1;
                }
            }
            Group::Journey => {
                self.st.conv_control += 1;
                self.st.conv_control_per_goal[gi] += 1;
                self.st.value_control += value;
            }
            Group::System => self.st.conv_system += 1,
        }
        self.users[u].tracking = false;
        if self.users[u].in_journey {
            if let Some((n, at)) = self.place(u) {
                let id = self.nodes[n as usize].id;
                let map = if at { &mut self.st.goal_at } else { &mut self.st.goal_before };
                *map.entry(id).or_default() += 1;
                self.st.goal_exits_on_graph[gi] += 1;
            }
            self.leave_graph(u, t);
        }
    }

    fn timeout(&mut self, u: usize, entry_no: u32, t: i64) {
        if self.users[u].entry_no != entry_no {
            return;
        }
        let was_tracking = self.users[u].tracking;
        self.users[u].tracking = false;
        if self.trace && (was_tracking || self.users[u].in_journey) {
            self.st.trace.push(Step::TimedOut { user: u as u64, t });
        }
        if !self.users[u].in_journey {
            return;
        }
        if self.users[u].at == At::Control {
            self.st.control_timed_out += 1;
        } else {
            self.st.timed_out += 1;
            if let Some(n) = self.held_node(u) {
                *self.st.timed_out_at.entry(self.nodes[n as usize].id).or_default() += 1;
            }
        }
        self.leave_graph(u, t);
    }

    // ------------------------------------------------------------ the graph

    /// Records a port move; returns the linked node or finishes the user.
    fn take(&mut self, u: usize, node: u16, port: journey_studio::model::Port, t: i64) -> Option<u16> {
        let id = self.nodes[node as usize].id;
        let linked = self.j.graph.target(id, port).and_then(|x| self.index.get(&x)).copied();
        if linked.is_none() && port == journey_studio::model::Port::Unreachable {
            // Unreachable with no link: the user stays at the node (until the timeout); it
            // is not a move forward.
            let us = &mut self.users[u];
            us.epoch = us.epoch.wrapping_add(1);
            us.at = At::Hold(node);
            return None;
        }
        *self.st.moved.entry((id, port)).or_default() += 1;
        if self.trace {
            self.st.trace.push(Step::Move { user: u as u64, node: id, port, t });
        }
        let us = &mut self.users[u];
        us.epoch = us.epoch.wrapping_add(1);
        us.at = At::Off;
        if linked.is_some() {
            return linked;
        }
        self.st.completed += 1;
        self.leave_graph(u, t);
        None
    }

    fn take_and_go(&mut self, u: usize, node: u16, port: journey_studio::model::Port, t: i64) {
        if let Some(next) = self.take(u, node, port, t) {
            self.arrive(u, next, t);
        }
    }

    /// Completes the user at a node without a port (a channel lacking the port).
    fn complete_here(&mut self, u: usize, node: u16, t: i64) {
        self.st.completed += 1;
        if self.users[u].at == At::Off {
            *self.st.left_at.entry(self.nodes[node as usize].id).or_default() += 1;
        }
        self.leave_graph(u, t);
    }

    fn route_unreachable(&mut self, u: usize, node: u16, ch: Channel, t: i64) {
        if ch.ports().contains(&journey_studio::model::Port::Unreachable) {
            self.take_and_go(u, node, journey_studio::model::Port::Unreachable, t);
        } else {
            self.complete_here(u, node, t);
        }
    }

    fn arrive(&mut self, u: usize, mut node: u16, t: i64) {
        use journey_studio::model::Port;
        let j = self.j;
        for _ in 0..10_000 {
            let n = self.nodes[node as usize];
            *self.st.node_entered.entry(n.id).or_default() += 1;
            let port = match &n.kind {
                NodeKind::Entry(_) => Port::Next,
                NodeKind::Wait(w) => {
                    let utz = self.tzs[self.users[u].tz];
                    let release = match w {
                        WaitKind::Duration(d) => t + d.0.max(0),
                        WaitKind::TimeOfDay { time, user_timezone } => {
                            let z = if *user_timezone && j.setup.timezone.per_user { utz } else { self.account };
                            tz::next_local(t, z, time.secs_of_day())
                        }
                        WaitKind::Until(ts) => ts.0.max(t),
                        WaitKind::BestTime => {
                            let z = if j.setup.timezone.per_user { utz } else { self.account };
                            tz::next_local(t, z, self.peak_hour * 3600)
                        }
                    };
                    if release <= t {
                        Port::Next
                    } else {
                        self.users[u].at = At::Wait(node);
                        let epoch = self.users[u].epoch;
                        self.push(release, u, Kind::Timer { epoch, what: Tm::WaitDone });
                        return;
                    }
                }
                NodeKind::Condition { condition, window, counted_from } => {
                    let from_arrival = *counted_from == journey_studio::model::CountedFrom::Arrival;
                    match self.condition_arrival(u, node, condition, *window, from_arrival, t) {
                        Some(p) => p,
                        None => return,
                    }
                }
                NodeKind::ConditionalSplit { paths } => {
                    let us = &self.users[u];
                    paths
                        .iter()
                        .find(|p| props::filter_holds(&p.filter, &us.props, us.ctx.as_deref(), t))
                        .map_or(Port::Others, |p| Port::Path(p.id))
                }
                NodeKind::RandomSplit { paths, mode, winner } => {
                    let Some(pid) = self.random_path(u, n.id, paths, mode, *winner, t) else {
                        self.complete_here(u, node, t);
                        return;
                    };
                    self.users[u].paths_taken.push((n.id, pid));
                    Port::Path(pid)
                }
                NodeKind::Channel { channel, exclude_from_user_timezone, .. } => {
                    self.channel_arrival(u, node, *channel, *exclude_from_user_timezone, t);
                    return;
                }
                NodeKind::ProfileUpdate { rows } => {
                    for r in rows {
                        props::apply_update(&mut self.users[u].props, &r.property, r.op, &r.value);
                    }
                    Port::Updated
                }
                NodeKind::ForceExit => {
                    self.st.force_exits += 1;
                    *self.st.left_at.entry(n.id).or_default() += 1;
                    self.leave_graph(u, t);
                    return;
                }
                NodeKind::Exit => {
                    self.complete_here(u, node, t);
                    return;
                }
            };
            match self.take(u, node, port, t) {
                Some(next) => node = next,
                None => return,
            }
        }
    }

    fn random_path(
        &mut self,
        u: usize,
        id: NodeId,
        paths: &[journey_studio::model::RandomPath],
        mode: &SplitMode,
        winner: Option<PathId>,
        t: i64,
    ) -> Option<PathId> {
        if let Some(w) = winner.filter(|w| paths.iter().any(|p| p.id == *w)) {
            return Some(w);
        }
        if let Some((_, p)) = self.users[u].split_memo.iter().find(|(n, _)| *n == id) {
            return Some(*p);
        }
        let manual: Vec<f64> = paths.iter().map(|p| f64::from(p.percent)).collect();
        let w: Vec<f64> = match mode {
            SplitMode::Manual => manual,
            SplitMode::Automated { .. } => self
                .weights
                .get(&id)
                .and_then(|s| {
                    let idx = s.partition_point(|(e, _)| *e <= t);
                    s.get(idx.saturating_sub(1)).map(|(_, w)| w.clone())
                })
                .filter(|w| w.len() == paths.len())
                .unwrap_or(manual),
        };
        let total: f64 = w.iter().map(|x| x.max(0.0)).sum();
        if total <= 0.0 {
            return None;
        }
        let mut x = props::unit(&[self.seed, u as u64, u64::from(id.0), 0x5B17]) * total;
        let mut pick = paths.last()?.id;
        for (p, wi) in paths.iter().zip(&w) {
            x -= wi.max(0.0);
            if x < 0.0 {
                pick = p.id;
                break;
            }
        }
        self.users[u].split_memo.push((id, pick));
        Some(pick)
    }

    fn condition_arrival(
        &mut self,
        u: usize,
        node: u16,
        condition: &Condition,
        window: Option<journey_studio::model::Seconds>,
        from_arrival: bool,
        t: i64,
    ) -> Option<journey_studio::model::Port> {
        use journey_studio::model::Port;
        let entry_time = self.users[u].entry_time;
        // Counted from entry: after the entry instant; from arrival: at or after it.
        let counts = |x: i64| if from_arrival { x >= t } else { x > entry_time };
        let holds = match condition {
            Condition::LiveAction(_) => match self.m_cond.get(&(node, 0)).map(|m| &self.users[u].m[*m].last) {
                Some(Some((lt, p))) if counts(*lt) => {
                    self.users[u].ctx = p.clone();
                    true
                }
                _ => false,
            },
            Condition::Inaction(r) => {
                let a_log = self.m_cond.get(&(node, 0)).map(|m| self.users[u].m[*m].log.clone()).unwrap_or_default();
                let b_log = self.m_cond.get(&(node, 1)).map(|m| self.users[u].m[*m].log.clone()).unwrap_or_default();
                a_log.iter().any(|a| {
                    counts(*a) && a + r.within.0 <= t && !b_log.iter().any(|b| *b > *a && *b <= a + r.within.0)
                })
            }
            Condition::PastBehaviour(r) => self.pb_holds(u, node, r, t),
            Condition::UserProperty(f) => {
                let us = &self.users[u];
                props::filter_holds(f, &us.props, us.ctx.as_deref(), t)
            }
            Condition::DateProperty(r) => match self.users[u].props.get(&r.property) {
                Some(PVal::Time(d)) => *d >= t && *d <= t + r.within_next.0,
                _ => false,
            },
        };
        if holds {
            return Some(Port::Yes);
        }
        let Some(w) = window else { return Some(Port::No) };
        let close = t + w.0.max(0);
        self.users[u].at = At::Cond { node, close, closed: false, a_time: None, b_seen: false };
        let epoch = self.users[u].epoch;
        self.push(close, u, Kind::Timer { epoch, what: Tm::CondClose });
        match condition {
            Condition::PastBehaviour(_) => {
                let m = tz::next_local(t, self.account, 0);
                if m <= close {
                    self.push(m, u, Kind::Timer { epoch, what: Tm::CondMidnight });
                }
            }
            Condition::DateProperty(r) => {
                if let Some(PVal::Time(d)) = self.users[u].props.get(&r.property) {
                    let yes_at = d - r.within_next.0;
                    if *d > t + r.within_next.0 && yes_at <= close {
                        self.push(yes_at, u, Kind::Timer { epoch, what: Tm::CondYes });
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn pb_holds(&self, u: usize, node: u16, r: &journey_studio::model::PastBehaviourRule, t: i64) -> bool {
        let w = i64::from(r.last_days) * 86_400;
        let n = self
            .m_cond
            .get(&(node, 0))
            .map_or(0, |m| self.users[u].m[*m].log.iter().filter(|x| **x >= t - w && **x <= t).count());
        r.count.holds(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn timer(&mut self, u: usize, what: Tm, t: i64) {
        use journey_studio::model::Port;
        match (what, self.users[u].at) {
            (Tm::WaitDone, At::Wait(node)) => self.take_and_go(u, node, Port::Next, t),
            (Tm::CondClose, At::Cond { node, close, a_time, b_seen, .. }) => {
                if a_time.is_some() {
                    return;
                }
                self.users[u].at = At::Cond { node, close, closed: true, a_time, b_seen };
                let epoch = self.users[u].epoch;
                self.push(tz::utc_hour_at_or_after(t), u, Kind::Timer { epoch, what: Tm::CondRelease });
            }
            (Tm::CondRelease, At::Cond { node, .. }) => {
                let id = self.nodes[node as usize].id;
                let port = if self.j.graph.target(id, Port::Timeout).is_some() { Port::Timeout } else { Port::No };
                self.take_and_go(u, node, port, t);
            }
            // Inaction at A + T: No when B followed A within T, else Yes with A as context.
            (Tm::CondYes, At::Cond { node, b_seen: true, .. }) => self.take_and_go(u, node, Port::No, t),
            (Tm::CondYes, At::Cond { node, a_time, .. }) => {
                if a_time.is_some() {
                    self.users[u].ctx = self.users[u].cond_ctx.take();
                }
                self.take_and_go(u, node, Port::Yes, t);
            }
            (Tm::CondMidnight, At::Cond { node, close, closed, .. }) => {
                if closed {
                    return;
                }
                let n = self.nodes[node as usize];
                if let NodeKind::Condition { condition: Condition::PastBehaviour(r), .. } = &n.kind {
                    if self.pb_holds(u, node, r, t) {
                        self.take_and_go(u, node, Port::Yes, t);
                    } else {
                        let m = tz::next_local(t, self.account, 0);
                        if m <= close {
                            let epoch = self.users[u].epoch;
                            self.push(m, u, Kind::Timer { epoch, what: Tm::CondMidnight });
                        }
                    }
                }
            }
            (Tm::DndRelease, At::Dnd(node)) => self.send(u, node, t),
            (Tm::EngageClose, At::Engage { node, happened }) => {
                let id = self.nodes[node as usize].id;
                let linked = |p: Port| self.j.graph.target(id, p).is_some();
                let port = [(Oc::Clicked, Port::Clicked), (Oc::Viewed, Port::Viewed), (Oc::Delivered, Port::Delivered)]
                    .into_iter()
                    .find(|(o, p)| happened & (*o as u8) != 0 && linked(*p))
                    .map(|(_, p)| p);
                let ch = self.channel_of(node);
                match port {
                    Some(p) => self.take_and_go(u, node, p, t),
                    None if ch.ports().contains(&Port::Sent) => self.take_and_go(u, node, Port::Sent, t),
                    None => self.complete_here(u, node, t),
                }
            }
            _ => {}
        }
    }

    fn channel_of(&self, node: u16) -> Channel {
        match &self.nodes[node as usize].kind {
            NodeKind::Channel { channel, .. } => *channel,
            _ => Channel::Webhook,
        }
    }

    fn counts(&mut self, node: u16) -> &mut ChannelCounts {
        let id = self.nodes[node as usize].id;
        self.st.channels.entry(id).or_default()
    }

    fn channel_arrival(&mut self, u: usize, node: u16, ch: Channel, exclude: bool, t: i64) {
        let ci = ch_index(ch);
        if !self.users[u].reach[ci] || self.users[u].unsub[ci] {
            self.counts(node).unreachable += 1;
            self.route_unreachable(u, node, ch, t);
            return;
        }
        let dnd = &self.j.setup.dnd;
        if ch.dnd_applies() && dnd.enabled {
            let z = if self.j.setup.timezone.per_user && !exclude { self.tzs[self.users[u].tz] } else { self.account };
            if let Some(end) = tz::dnd_end(t, z, dnd) {
                match dnd.action {
                    DndAction::Skip => {
                        self.counts(node).dnd_skipped += 1;
                        self.route_unreachable(u, node, ch, t);
                    }
                    DndAction::Defer => {
                        self.counts(node).dnd_deferred += 1;
                        self.users[u].at = At::Dnd(node);
                        let epoch = self.users[u].epoch;
                        self.push(end, u, Kind::Timer { epoch, what: Tm::DndRelease });
                    }
                }
                return;
            }
        }
        if ch == Channel::InApp {
            if self.users[u].last_session == Some(t) {
                // The user is in a session right now (it may be what brought them here).
                self.send(u, node, t);
                return;
            }
            self.users[u].at = At::InApp(node);
            let session = &self.j.scenario.population.session_event;
            if let Some(&ev) = self.ev_index.get(session)
                && self.events[ev].lazy
            {
                self.users[u].ev_epoch[ev] = self.users[u].ev_epoch[ev].wrapping_add(1);
                self.schedule_occ(u, ev, t as f64);
            }
            return;
        }
        self.send(u, node, t);
    }

    /// The actual send at `s`: frequency cap, failure, fatigue, outcomes, routing.
    fn send(&mut self, u: usize, node: u16, s: i64) {
        use journey_studio::model::Port;
        let ch = self.channel_of(node);
        let ci = ch_index(ch);
        if ch != Channel::Webhook
            && let Some(cap) = &self.j.setup.frequency_cap
        {
            let p = cap.period.length().0;
            let n = self.users[u].sends.iter().filter(|x| **x > s - p).count();
            if n >= cap.max_messages as usize {
                self.counts(node).capped += 1;
                self.route_unreachable(u, node, ch, s);
                return;
            }
        }
        let rates = self.j.scenario.channel(ch);
        let fatigue = self.j.scenario.fatigue.get(&ch).copied().unwrap_or(0.0);
        if self.users[u].rng.bern(rates.failure) {
            self.counts(node).failed += 1;
            if ch.ports().contains(&Port::Failed) {
                self.take_and_go(u, node, Port::Failed, s);
            } else {
                self.complete_here(u, node, s);
            }
            return;
        }
        self.counts(node).sent += 1;
        if self.trace {
            let id = self.nodes[node as usize].id;
            self.st.trace.push(Step::Send { user: u as u64, node: id, t: s });
        }
        if ch != Channel::Webhook {
            self.users[u].sends.push(s);
        }
        if self.users[u].rng.bern(fatigue) {
            self.users[u].unsub[ci] = true;
            self.counts(node).unsubscribed += 1;
        }
        let epoch = self.users[u].epoch;
        let has = ch.ports();
        let mut base = Some(s);
        if has.contains(&Port::Delivered) {
            base = None;
            if self.users[u].rng.bern(rates.delivery) {
                let d = s + delay(&mut self.users[u].rng, &rates.delay_to_delivery);
                self.push(d, u, Kind::Outcome { node, what: Oc::Delivered, epoch });
                base = Some(d);
            }
        }
        // A view or click exists only where the channel has that port; a channel
        // without Viewed (push) still goes through the view step to reach a click.
        if let Some(b) = base
            && self.users[u].rng.bern(rates.view)
        {
            let v = b + delay(&mut self.users[u].rng, &rates.delay_to_view);
            if has.contains(&Port::Viewed) {
                self.push(v, u, Kind::Outcome { node, what: Oc::Viewed, epoch });
            }
            if self.users[u].rng.bern(rates.click_given_view) {
                let c = v + delay(&mut self.users[u].rng, &rates.delay_to_click);
                if has.contains(&Port::Clicked) {
                    self.push(c, u, Kind::Outcome { node, what: Oc::Clicked, epoch });
                }
            }
        }
        let id = self.nodes[node as usize].id;
        let linked_engagement = [Port::Clicked, Port::Viewed, Port::Delivered]
            .into_iter()
            .any(|p| has.contains(&p) && self.j.graph.target(id, p).is_some());
        if !linked_engagement {
            if has.contains(&Port::Sent) {
                self.take_and_go(u, node, Port::Sent, s);
            } else {
                self.complete_here(u, node, s);
            }
            return;
        }
        let window = match &self.nodes[node as usize].kind {
            NodeKind::Channel { engagement_window, .. } => engagement_window.0.max(0),
            _ => 86_400,
        };
        self.users[u].at = At::Engage { node, happened: 0 };
        self.push(s + window, u, Kind::Timer { epoch, what: Tm::EngageClose });
    }

    fn outcome(&mut self, u: usize, node: u16, what: Oc, epoch: u32, t: i64) {
        use journey_studio::model::Port;
        match what {
            Oc::Delivered => self.counts(node).delivered += 1,
            Oc::Viewed => {
                self.counts(node).viewed += 1;
                self.engaged(u, EngagementKind::View, t);
            }
            Oc::Clicked => {
                self.counts(node).clicked += 1;
                self.users[u].last_click_node = Some(node);
                self.engaged(u, EngagementKind::Click, t);
                // The click is also an occurrence of the channel's click-as event.
                let as_event = self.j.scenario.channel(self.channel_of(node)).click_counts_as;
                if let Some(ev) = as_event.and_then(|name| self.ev_index.get(&name).copied()) {
                    self.occurrence(u, ev, t);
                }
            }
        }
        if masked(self.users[u].epoch, OUT_BITS) != epoch {
            return;
        }
        let At::Engage { node: n, happened } = self.users[u].at else { return };
        if n != node {
            return;
        }
        self.users[u].at = At::Engage { node, happened: happened | what as u8 };
        let id = self.nodes[node as usize].id;
        let has = self.channel_of(node).ports();
        let top = [(Oc::Clicked, Port::Clicked), (Oc::Viewed, Port::Viewed), (Oc::Delivered, Port::Delivered)]
            .into_iter()
            .find(|(_, p)| has.contains(p) && self.j.graph.target(id, *p).is_some());
        if let Some((o, p)) = top
            && o == what
        {
            self.take_and_go(u, node, p, t);
        }
    }

    fn finish(mut self) -> OracleStats {
        for u in 0..self.users.len() {
            if !self.users[u].in_journey {
                continue;
            }
            if let Some((n, at)) = self.place(u) {
                let id = self.nodes[n as usize].id;
                let map = if at { &mut self.st.waiting_at } else { &mut self.st.waiting_before };
                *map.entry(id).or_default() += 1;
            }
            if let Some(n) = self.held_node(u) {
                *self.st.left_at.entry(self.nodes[n as usize].id).or_default() += 1;
            }
        }
        self.st
    }
}
