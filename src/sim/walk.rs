//! One user's whole life in the journey, walked directly in time order (SPEC §2.1).
//!
//! Each user has their own keyed streams: one per event type (a thinned Poisson process:
//! candidates at the user's peak rate, each accepted with the ratio of the rate at that
//! instant — activity factor × hourly curve × engagement multipliers — to the peak),
//! one per (entry, node) for node outcomes, and sticky hashes for the split, control and
//! list assignments. The walk merges the user's next candidate event with their next
//! timer (a wait ending, a window closing, a scheduled run, the journey timeout…) and
//! handles whichever comes first; at equal times events go first.
//!
//! Invariants: every candidate is decided when the walk's clock reaches it, so an
//! engagement registered at a send changes exactly the later candidates; a user is on the
//! graph only while inside the journey and tracked; the walk never loops without time
//! advancing more than [`MAX_STEPS_PER_INSTANT`] steps.

use std::collections::VecDeque;
use std::sync::Arc;

use super::calendar;
use super::channel_map::ChannelMap;
use super::events::{BLOCK_SECS, BlockSpec, Occ, US};
use super::plan::{CCond, CEntry, CEvent, CFilter, CTemplate, PCond, PKind, PVal, PVariant, PWait, Plan, UpdateValue};
use super::report::{Step, StepKind, Trajectory};
use super::rng::{DrawCount, Stream, behaviour_prefix, hash_unit, key_push, name_hash};
use super::samples::liquid_value;
use super::tally::{ChannelCounters, Group, NodeEvent, PilotRec, Tally, VariantCounters};
use crate::model::{
    Channel, DelayDist, DndAction, EngagementKind, Operator, Port, PropertyDist, Scope, Timestamp, UpdateOp, Value,
};
use crate::personalize::Rendered;

/// The most node visits in a row without the clock moving (a cycle validation missed).
pub const MAX_STEPS_PER_INSTANT: u32 = 10_000;
/// The most pending inaction checks a user carries.
const MAX_PENDING: usize = 10_000;

const TAG_POPULATION: u64 = 0x706f_7075_6c61_7469; // "populati"
const TAG_EVPROP: u64 = 0x6576_7072_6f70_6572; // "evproper"
const TAG_LIST: u64 = 0x6375_7374_6f6d_6c69; // "customli"
/// Key word of an event's own activity factor, after (…, user, event).
const TAG_OWN_FACTOR: u64 = 0x6f77_6e66_6163_746f; // "ownfacto"
/// The id bit of an occurrence that a click counts as (never set in a block's ids).
const CLICK_ID: u64 = 1 << 62;

/// Whether a user is on the custom entry list (a hash of the user id).
#[must_use]
pub fn in_custom_list(user: u64, share: f64) -> bool {
    hash_unit(&[TAG_LIST, user]) < share
}

/// Control group of a user (the system control share is drawn first).
#[must_use]
pub fn control_group(seed: u64, user: u64, system: f64, journey: f64) -> Group {
    let mut st = Stream::control(seed, user);
    let u1 = st.uniform();
    let u2 = st.uniform();
    if u1 < system {
        Group::SystemControl
    } else if u2 < journey {
        Group::JourneyControl
    } else {
        Group::Target
    }
}

/// Samples a distribution from two uniforms (fixed consumption, so streams stay aligned).
#[must_use]
pub fn sample_dist(d: &PropertyDist, cats: Option<&[(Arc<str>, f64)]>, u1: f64, u2: f64, start: i64) -> Option<PVal> {
    Some(match d {
        PropertyDist::Categorical(v) => {
            let total: f64 = v.iter().map(|(_, w)| w.max(0.0)).sum();
            if total <= 0.0 || v.is_empty() {
                return None;
            }
            let target = u1 * total;
            let mut acc = 0.0;
            let mut pick = v.len() - 1;
            for (i, (_, w)) in v.iter().enumerate() {
                acc += w.max(0.0);
                if target < acc {
                    pick = i;
                    break;
                }
            }
            match cats.and_then(|c| c.get(pick)) {
                Some((s, _)) => PVal::Text(Arc::clone(s)),
                None => PVal::Text(Arc::from(v[pick].0.as_str())),
            }
        }
        PropertyDist::Uniform { min, max } => PVal::Num(min + u1 * (max - min)),
        PropertyDist::Normal { mean, std_dev } => {
            let r = (-2.0 * (1.0 - u1).ln()).sqrt();
            PVal::Num(mean + std_dev * r * (std::f64::consts::TAU * u2).cos())
        }
        PropertyDist::Bool(p) => PVal::Bool(u1 < *p),
        PropertyDist::DateOffset { min_days, max_days } => {
            let days = min_days + u1 * (max_days - min_days);
            #[allow(clippy::cast_possible_truncation)]
            let secs = (days * 86_400.0).round() as i64;
            PVal::Time(start.saturating_add(secs))
        }
    })
}

fn num_of(v: &PVal) -> Option<f64> {
    match v {
        PVal::Num(x) => Some(*x),
        #[allow(clippy::cast_precision_loss)]
        PVal::Time(t) => Some(*t as f64),
        PVal::Bool(b) => Some(f64::from(u8::from(*b))),
        PVal::Text(s) => s.trim().parse().ok(),
        PVal::List(_) => None,
    }
}

/// Compares a property value (or its absence) with a condition's value at `now`.
#[must_use]
pub fn compare(lhs: Option<&PVal>, op: Operator, rhs: &Value, now: i64) -> bool {
    let Some(l) = lhs else {
        return op == Operator::NotEquals;
    };
    let eq = || match (l, rhs) {
        (PVal::Text(a), Value::Text(b)) => Some(a.as_ref() == b.as_str()),
        (PVal::List(a), Value::Text(b)) => Some(a.iter().any(|x| x.as_ref() == b.as_str())),
        (PVal::Bool(a), Value::Bool(b)) => Some(a == b),
        (PVal::Time(a), Value::DateTime(b)) => Some(*a == b.0),
        (PVal::Text(a), Value::Bool(b)) => Some(a.eq_ignore_ascii_case(if *b { "true" } else { "false" })),
        (_, Value::Number(b)) => num_of(l).map(|a| (a - b).abs() < 1e-9),
        (PVal::Num(a), Value::Text(b)) => b.trim().parse::<f64>().ok().map(|b| (a - b).abs() < 1e-9),
        _ => None,
    };
    let rhs_num = || match rhs {
        Value::Number(x) => Some(*x),
        #[allow(clippy::cast_precision_loss)]
        Value::DateTime(t) => Some(t.0 as f64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    };
    match op {
        Operator::Equals => eq().unwrap_or(false),
        Operator::NotEquals => !eq().unwrap_or(false),
        Operator::GreaterThan => matches!((num_of(l), rhs_num()), (Some(a), Some(b)) if a > b),
        Operator::LessThan => matches!((num_of(l), rhs_num()), (Some(a), Some(b)) if a < b),
        Operator::Contains => match (l, rhs) {
            (PVal::Text(a), Value::Text(b)) => a.contains(b.as_str()),
            (PVal::List(a), Value::Text(b)) => a.iter().any(|x| x.as_ref() == b.as_str()),
            _ => false,
        },
        Operator::Exists => true,
        Operator::WithinLast | Operator::WithinNext => {
            let (PVal::Time(t), Value::Duration(d)) = (l, rhs) else { return false };
            if op == Operator::WithinLast {
                *t <= now && *t >= now.saturating_sub(d.0)
            } else {
                *t >= now && *t <= now.saturating_add(d.0)
            }
        }
    }
}

/// A forward reading of one event's fixed realisation (see [`super::events`]).
#[derive(Default)]
struct Cursor {
    /// Read forward now (a node, the entry, a goal or an exit criterion waits for it).
    active: bool,
    /// The block in `pts`, or `i64::MIN`.
    block: i64,
    /// Whether `pts` holds the engagement layers.
    layered: bool,
    /// The block's occurrences, by instant.
    pts: Vec<Occ>,
    /// The next unread occurrence in `pts`.
    i: usize,
    /// Its instant (µs), `i64::MAX` when none comes before the horizon; or, with
    /// `frontier`, the start of the next block, not drawn yet.
    next: i64,
    /// `next` is a block boundary: later blocks are drawn only when the walk gets there,
    /// so a rare event read for a week draws a week, not everything up to the horizon.
    frontier: bool,
}

/// A user's drawn blocks without engagement layers: per (event, block) a span of `pts`.
/// Slots of an earlier user (an older generation) are stale, so a reset costs nothing.
struct Memo {
    generation: u32,
    /// Per event: the block holding the first covered day.
    first_block: Vec<i64>,
    days: usize,
    /// (generation, start, length) per event × block.
    slots: Vec<(u32, u32, u32)>,
    pts: Vec<Occ>,
    /// Per event: the generation of `prefix`, and the base occurrences of the blocks
    /// before each block from the first one covered, so that a past-behaviour count
    /// re-run every day adds its whole blocks in one subtraction.
    prefix: Vec<(u32, i64, Vec<u64>)>,
}

impl Memo {
    /// Most occurrences kept for one user before the memo starts over.
    const MAX_POINTS: usize = 1 << 18;

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.iter_mut().for_each(|s| *s = (0, 0, 0));
            self.generation = 1;
        }
        self.pts.clear();
    }

    /// The slot of block `b` of an event with blocks of `days` days.
    fn slot(&self, k: usize, b: i64) -> Option<usize> {
        let i = usize::try_from(b - self.first_block[k]).ok().filter(|i| *i < self.days)?;
        Some(k * self.days + i)
    }
}

/// What holds a user at a node.
#[derive(Clone, Copy, Debug)]
enum Hold {
    /// Moving (transient).
    None,
    /// A Wait node: Next at `wake`.
    Wait { wake: i64 },
    /// A decided outcome at `wake` (engagement routing, timed condition outcomes).
    Timer { wake: i64, port: Port },
    /// DND deferral: send at `until`.
    Deferred { until: i64 },
    /// In-app: waiting for the next session event.
    InApp,
    /// Unreachable with no link: waits until timeout or horizon.
    Unreachable,
    /// Live-action window.
    Live { close: i64, release: i64, have: u32 },
    /// Inaction window.
    Inaction { close: i64, release: i64, a: Option<(i64, u64)>, b_seen: bool },
    /// Past-behaviour window with daily re-checks.
    Past { close: i64, release: i64, next_mid: i64 },
}

#[derive(Clone, Copy, Debug)]
struct Pos {
    node: usize,
    since: i64,
    hold: Hold,
}

/// The event in context: event index, candidate index.
#[derive(Clone, Copy, Debug)]
struct Ctx {
    ev: usize,
    idx: u64,
}

struct Track {
    group: Group,
    entry: i64,
    end: i64,
    splits: Vec<(usize, usize)>,
    pilot: Vec<usize>,
    /// Channels on which a message of this entry was suppressed or deferred.
    affected: ChannelMap<bool>,
}

/// What one user added to the headline figures (the unit of a paired comparison, §3.2).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UserOutcome {
    /// Goal conversions, every group.
    pub conversions: u64,
    /// Goal value of those conversions.
    pub revenue: f64,
    /// Messages sent.
    pub sent: u64,
    /// Cost of those messages.
    pub cost: f64,
}

/// Walks users of one replicate, reusing its buffers between users.
pub struct Walker<'p> {
    plan: &'p Plan,
    rep: u32,
    traj_sample: u64,
    /// The counters of the users walked so far.
    pub tally: Tally,
    user: u64,
    tz: usize,
    /// Per channel: the user can be reached on it (drawn per user).
    reach: ChannelMap<bool>,
    /// Per channel: the user is unsubscribed (drawn per user, or by fatigue).
    unsub: ChannelMap<bool>,
    /// Per channel: the unsubscription came from fatigue within the journey.
    fatigued: ChannelMap<bool>,
    /// What the current user added so far.
    pub outcome: UserOutcome,
    props: Vec<Option<PVal>>,
    /// Per event: the forward reading.
    cursors: Vec<Cursor>,
    /// Per event: the key chain up to (…, user, event).
    ev_prefix: Vec<u64>,
    /// Per event: the user's rate per curve-weighted second (rate × activity factor).
    lam: Vec<f64>,
    /// Per event: e^−(a regular day's mean count).
    e_neg: Vec<f64>,
    /// Per event: read forward now (recomputed after every step).
    want: Vec<bool>,
    /// Everything at or before this instant (µs) has happened: occurrences up to it
    /// were handed to the walk, later ones were not.
    clock: i64,
    /// Occurrences of a look back (reused).
    scratch: Vec<Occ>,
    /// This user's drawn blocks, so that a block read twice is drawn once.
    memo: Memo,
    /// What this walker drew (the benchmark's floor draws as many).
    pub draws: DrawCount,
    engagements: Vec<(EngagementKind, i64)>,
    clicks: Vec<(i64, usize, Option<usize>)>,
    /// Occurrences that clicks count as (SPEC §2): (instant µs, event, id), by instant.
    /// They are not in the blocks: the walk reads them beside the cursors, and look
    /// backs and counts add them.
    extras: Vec<(i64, usize, u64)>,
    /// The next extra occurrence not handed to the walk yet.
    extra_i: usize,
    sends: Vec<i64>,
    entries: u32,
    inside: bool,
    last_exit: Option<i64>,
    live_count: u32,
    pending: VecDeque<(i64, u64)>,
    next_run: usize,
    date_entry: Option<i64>,
    group: Option<Group>,
    split_assign: Vec<(usize, usize)>,
    track: Option<Track>,
    pb_goal: Option<(i64, usize, f64)>,
    pos: Option<Pos>,
    ctx: Option<Ctx>,
    node_rng: Vec<Option<Stream>>,
    traj: Option<Vec<Step>>,
    steps_at: (i64, u32),
}

/// A probability scaled by a content variant's multiplier, capped at 1. A multiplier of 1
/// returns the probability untouched, so journeys without variant effects draw as before.
fn scaled(prob: f64, mult: f64) -> f64 {
    if mult == 1.0 { prob } else { (prob * mult).clamp(0.0, 1.0) }
}

fn delay(st: &mut Stream, d: &DelayDist) -> i64 {
    let u = st.uniform_open0();
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    match d {
        DelayDist::Fixed(s) => s.0.max(0),
        DelayDist::Exponential { mean } => {
            if mean.0 <= 0 {
                0
            } else {
                st.count_ln();
                (-(mean.0 as f64) * u.ln()).min(1e12) as i64
            }
        }
    }
}

impl<'p> Walker<'p> {
    /// A walker for replicate `rep`; trajectories for users below `traj_sample` (replicate 0).
    #[must_use]
    pub fn new(plan: &'p Plan, rep: u32, traj_sample: u64) -> Self {
        Self {
            plan,
            rep,
            traj_sample: if rep == 0 { traj_sample } else { 0 },
            tally: Tally::new(plan),
            user: 0,
            tz: 0,
            reach: ChannelMap::from_fn(|_| true),
            unsub: ChannelMap::default(),
            fatigued: ChannelMap::default(),
            outcome: UserOutcome::default(),
            props: Vec::new(),
            cursors: plan.events.iter().map(|_| Cursor::default()).collect(),
            ev_prefix: vec![0; plan.events.len()],
            lam: vec![0.0; plan.events.len()],
            e_neg: vec![1.0; plan.events.len()],
            want: vec![false; plan.events.len()],
            clock: i64::MIN,
            scratch: Vec::new(),
            memo: Memo {
                generation: 0,
                first_block: plan
                    .events
                    .iter()
                    .map(|ev| plan.shapes.first_day.div_euclid(i64::from(ev.block_days)))
                    .collect(),
                days: plan.shapes.days,
                slots: vec![(0, 0, 0); plan.events.len() * plan.shapes.days],
                prefix: vec![(0, 0, Vec::new()); plan.events.len()],
                pts: Vec::new(),
            },
            draws: DrawCount::default(),
            engagements: Vec::new(),
            clicks: Vec::new(),
            extras: Vec::new(),
            extra_i: 0,
            sends: Vec::new(),
            entries: 0,
            inside: false,
            last_exit: None,
            live_count: 0,
            pending: VecDeque::new(),
            next_run: 0,
            date_entry: None,
            group: None,
            split_assign: Vec::new(),
            track: None,
            pb_goal: None,
            pos: None,
            ctx: None,
            node_rng: vec![None; plan.nodes.len()],
            traj: None,
            steps_at: (i64::MIN, 0),
        }
    }

    fn reset(&mut self, user: u64) {
        let p = self.plan;
        self.user = user;
        let mut st = Stream::behaviour(p.seed, self.rep, user, TAG_POPULATION);
        let u = st.uniform();
        self.tz = p.tzs.iter().position(|z| u < z.cum).unwrap_or(p.tzs.len().saturating_sub(1));
        let factor = st.activity_factor(p.activity_shape);
        let r: Vec<f64> = (0..5).map(|_| st.uniform()).collect();
        let shares = &p.reach;
        let phone = r[3] < shares.phone;
        self.reach = ChannelMap::from_fn(|c| match c {
            Channel::Push => r[0] < shares.push,
            Channel::WebPush => r[1] < shares.web_push,
            Channel::Email => r[2] < shares.email,
            Channel::Sms => phone,
            Channel::WhatsApp => phone && r[4] < shares.whatsapp_of_phone,
            Channel::InApp | Channel::AppInbox | Channel::Webhook => true,
        });
        // One draw per channel, in palette order.
        self.unsub = ChannelMap::from_fn(|c| st.uniform() < p.channels[c].unsubscribed);
        self.fatigued = ChannelMap::default();
        self.outcome = UserOutcome::default();
        self.props.clear();
        for spec in &p.props {
            let u1 = st.uniform();
            let u2 = st.uniform();
            self.props.push(spec.dist.as_ref().and_then(|d| sample_dist(d, Some(&spec.categories), u1, u2, p.start)));
        }
        self.draws.add_stream(&st);
        let prefix = behaviour_prefix(p.seed, self.rep, user);
        for (k, ev) in p.events.iter().enumerate() {
            self.ev_prefix[k] = key_push(prefix, ev.hash);
            // An event with its own shape draws its own factor from its own key, so the
            // shared factor and every other draw stay as they were.
            let factor = match ev.own_shape {
                Some(shape) => {
                    let mut own = Stream::from_key(key_push(self.ev_prefix[k], TAG_OWN_FACTOR));
                    let f = own.activity_factor(shape);
                    self.draws.add_stream(&own);
                    f
                }
                None => factor,
            };
            let lam = ev.rate_per_sec * factor;
            self.lam[k] = if lam.is_finite() && lam > 0.0 { lam } else { 0.0 };
            self.e_neg[k] = (-self.lam[k] * 86_400.0 * f64::from(ev.block_days)).exp();
            let c = &mut self.cursors[k];
            c.active = false;
            c.block = i64::MIN;
            c.pts.clear();
            c.i = 0;
            c.next = i64::MAX;
        }
        self.clock = p.start.saturating_mul(US) - 1;
        self.memo.reset();
        self.engagements.clear();
        self.clicks.clear();
        self.extras.clear();
        self.extra_i = 0;
        self.sends.clear();
        self.entries = 0;
        self.inside = false;
        self.last_exit = None;
        self.live_count = 0;
        self.pending.clear();
        self.next_run = 0;
        self.date_entry = None;
        if let CEntry::Date { prop, lead } = p.entry
            && let Some(Some(PVal::Time(d))) = self.props.get(prop)
            && *d >= p.start
        {
            self.date_entry = Some(p.start.max(d.saturating_sub(lead)));
        }
        self.group = None;
        self.split_assign.clear();
        self.track = None;
        self.pb_goal = None;
        self.pos = None;
        self.ctx = None;
        self.flush_node_streams();
        self.traj = (user < self.traj_sample).then(Vec::new);
        self.steps_at = (i64::MIN, 0);
    }

    /// Walks one user from the journey start to the horizon.
    pub fn walk_user(&mut self, user: u64) {
        self.reset(user);
        let end = self.plan.horizon_end;
        let mut dirty = true;
        loop {
            // What the walk reads changes only when something happened to the user.
            if dirty {
                self.sync_wants();
            }
            dirty = true;
            let mut best: Option<(usize, i64)> = None;
            for (k, c) in self.cursors.iter().enumerate() {
                if c.active && best.is_none_or(|(_, n)| c.next < n) {
                    best = Some((k, c.next));
                }
            }
            // An occurrence that a click counts as comes before a cursor's at the same instant
            // only when strictly earlier.
            let extra = self.extras.get(self.extra_i).map(|e| e.0).filter(|x| best.is_none_or(|(_, n)| *x < n));
            if best.is_none() && extra.is_none() && self.between_runs() {
                // Nothing is read forward: fire the scheduled runs back to back until one
                // lets the user in (or none is left).
                if self.fire_runs(end) {
                    continue;
                }
                break;
            }
            let cand_us = extra.or(best.map(|(_, n)| n)).unwrap_or(i64::MAX);
            let cand_t = if cand_us == i64::MAX { i64::MAX } else { cand_us.div_euclid(US) };
            let timer_t = self.next_timer();
            if cand_t.min(timer_t) >= end || self.finished() {
                break;
            }
            if let Some((k, _)) = best
                && extra.is_none()
                && self.cursors[k].frontier
                && cand_t <= timer_t
            {
                // The walk reached a block that is not drawn yet.
                let b = self.cursors[k].block.saturating_add(1);
                let b = self.skip_before_nth(k, b, timer_t);
                self.load(k, b);
                self.refill(k);
                dirty = false;
                continue;
            }
            // At the journey-timeout second the timeout comes first (SPEC §2.2): the
            // occurrences of that second then find the user out of the journey.
            let timeout_first = timer_t == cand_t && self.track.as_ref().is_some_and(|tr| tr.end == timer_t);
            match best {
                _ if extra.is_some() && cand_t <= timer_t && !timeout_first => self.pop_extra(),
                Some((k, _)) if cand_t <= timer_t && !timeout_first => self.pop(k),
                _ => {
                    let settled = if timeout_first { timer_t * US - 1 } else { timer_t * US + (US - 1) };
                    self.clock = self.clock.max(settled);
                    self.fire_timer(timer_t);
                }
            }
        }
        self.finish();
    }

    /// A scheduled-entry user outside the journey, with no goal pending: only the next
    /// run can change anything, and nothing is read forward.
    fn between_runs(&self) -> bool {
        matches!(self.plan.entry, CEntry::Past { .. } | CEntry::List { .. })
            && !self.inside
            && self.track.is_none()
            && self.pos.is_none()
            && self.pb_goal.is_none()
    }

    /// Fires the scheduled runs while the user stays [`Self::between_runs`], exactly as
    /// the walk's loop would one step at a time; false when no run is left before `end`.
    fn fire_runs(&mut self, end: i64) -> bool {
        while self.between_runs() {
            let Some(&t) = self.plan.runs.get(self.next_run) else { return false };
            if t >= end {
                return false;
            }
            self.clock = self.clock.max(t * US + (US - 1));
            self.fire_timer(t);
        }
        true
    }

    /// Nothing more can happen to this user: no entry can come and they are not inside.
    fn finished(&mut self) -> bool {
        if self.inside || self.track.is_some() || self.pos.is_some() || self.pb_goal.is_some() {
            return false;
        }
        let p = self.plan;
        match &p.entry {
            CEntry::Live { nth: Some(n), .. } => self.live_count >= *n,
            CEntry::Live { ev, nth: None } => {
                // Past the journey's end every occurrence is only counted as turned away.
                if self.clock.div_euclid(US) < p.entry_end {
                    return false;
                }
                self.count_past_end(ev);
                true
            }
            CEntry::Inaction { .. } => false,
            CEntry::Date { .. } => self.date_entry.is_none(),
            CEntry::Past { .. } | CEntry::List { .. } => self.next_run >= self.plan.runs.len(),
        }
    }

    /// Counts the entry occurrences from the clock to the horizon as qualified and turned
    /// away past the end, without walking them one by one.
    fn count_past_end(&mut self, ev: &CEvent) {
        let p = self.plan;
        let k = ev.ev;
        let mut n = 0u64;
        for b in self.block_at(k, self.clock.div_euclid(US))..=self.block_at(k, p.horizon_end - 1) {
            let (start, len) = self.block(k, b);
            for o in &self.memo.pts[start..start + len] {
                let t = o.secs();
                if o.us > self.clock
                    && t < p.horizon_end
                    && self.accepted(k, o)
                    && self.event_matches(ev, o.id, t)
                    && p.entry_filters.iter().all(|c| self.cond_holds(c, Some((k, o.id)), t))
                {
                    n += 1;
                }
            }
        }
        let (lo, hi) = (self.clock.saturating_add(1), p.horizon_end.saturating_mul(US).saturating_sub(1));
        n += self
            .extras_between(k, lo, hi)
            .filter(|x| {
                let t = x.0.div_euclid(US);
                self.event_matches(ev, x.2, t) && p.entry_filters.iter().all(|c| self.cond_holds(c, Some((k, x.2)), t))
            })
            .count() as u64;
        self.extra_i = self.extras.len();
        self.tally.qualified += n;
        self.tally.turned_away.past_end += n;
    }

    // ----- reading the event realisation -----

    /// Which events the walk reads forward now: the entry's, the goals' while an entry is
    /// tracked, the exit criteria while inside, and what the node holding the user waits for.
    fn sync_wants(&mut self) {
        let p = self.plan;
        self.want.fill(false);
        match &p.entry {
            CEntry::Live { ev, nth } => {
                if nth.is_none_or(|n| self.live_count < n) {
                    self.want[ev.ev] = true;
                }
            }
            CEntry::Inaction { did, not_did, .. } => {
                self.want[did.ev] = true;
                self.want[not_did.ev] = true;
            }
            CEntry::Date { .. } | CEntry::Past { .. } | CEntry::List { .. } => {}
        }
        if self.track.is_some() {
            for g in &p.goals {
                self.want[g.ev.ev] = true;
            }
        }
        if self.inside || self.track.is_some() {
            for e in &p.exits {
                self.want[e.ev] = true;
            }
        }
        if let Some(pos) = self.pos {
            match (pos.hold, &p.nodes[pos.node].kind) {
                (Hold::Live { .. }, PKind::Condition { cond: PCond::Live { ev, .. }, .. }) => self.want[ev.ev] = true,
                (Hold::Inaction { a, .. }, PKind::Condition { cond: PCond::Inaction { did, not_did, .. }, .. }) => {
                    self.want[if a.is_some() { not_did.ev } else { did.ev }] = true;
                }
                (Hold::InApp, _) => {
                    if let Some(k) = p.session_event {
                        self.want[k] = true;
                    }
                }
                _ => {}
            }
        }
        for k in 0..self.want.len() {
            match (self.want[k], self.cursors[k].active) {
                (true, false) => self.seek(k),
                (false, true) => self.cursors[k].active = false,
                _ => {}
            }
        }
    }

    /// Before the nth occurrence of a live entry event nothing but the entry reads it, and
    /// an occurrence only adds to the user's count. So whole blocks from `b` on that cannot
    /// hold the nth are counted from their first draw alone (the same numbers as drawing
    /// them); returns the block to draw and read occurrence by occurrence.
    fn skip_before_nth(&mut self, k: usize, mut b: i64, timer_t: i64) -> i64 {
        let p = self.plan;
        let CEntry::Live { ev, nth: Some(nth) } = &p.entry else { return b };
        let alone = ev.ev == k
            && ev.filters.is_empty()
            && self.engagements.is_empty()
            && !self.inside
            && self.track.is_none()
            && self.pos.is_none()
            && self.pb_goal.is_none()
            && self.cursors.iter().enumerate().all(|(j, c)| j == k || !c.active);
        if !alone {
            return b;
        }
        let bs = self.block_secs(k);
        loop {
            let (from, to) = (b.saturating_mul(bs), b.saturating_add(1).saturating_mul(bs));
            // Occurrences before the start are ignored and those past the horizon unread:
            // such blocks are read one by one.
            if from < p.start || to > p.horizon_end || to > timer_t {
                return b;
            }
            let m = self.base_count(k, b);
            let have = u64::from(self.live_count) + m;
            if have >= u64::from(*nth) {
                return b;
            }
            self.live_count = u32::try_from(have).unwrap_or(u32::MAX);
            b += 1;
        }
    }

    /// Seconds per block of event `k`.
    fn block_secs(&self, k: usize) -> i64 {
        BLOCK_SECS * i64::from(self.plan.events[k].block_days)
    }

    /// The block of event `k` holding second `t`.
    fn block_at(&self, k: usize, t: i64) -> i64 {
        t.div_euclid(self.block_secs(k))
    }

    /// The extra engagement layers block `b` of event `k` needs: all of them when an
    /// engagement that raises the event's rate overlaps the block, else none.
    fn layers_for(&self, k: usize, b: i64) -> u32 {
        let spec = &self.plan.events[k];
        if spec.max_layers == 0 {
            return 0;
        }
        let bs = self.block_secs(k);
        let (from, to) = (b.saturating_mul(bs), b.saturating_add(1).saturating_mul(bs));
        let hit = spec.responses.iter().any(|&(on, mult, dur)| {
            mult > 1.0 && self.engagements.iter().any(|&(kind, e)| kind == on && e < to && e.saturating_add(dur) > from)
        });
        if hit { spec.max_layers } else { 0 }
    }

    /// Appends block `b` of event `k` (with the layers it needs) to `out`.
    fn draw_block(&mut self, k: usize, b: i64, layers: u32, out: &mut Vec<Occ>) {
        let p = self.plan;
        let spec = BlockSpec {
            prefix: self.ev_prefix[k],
            block: b,
            days: p.events[k].block_days,
            lam: self.lam[k],
            shapes: &p.shapes,
            zone: self.tz,
            e_neg_regular: self.e_neg[k],
            heights: p.events[k].heights,
            layers,
        };
        spec.draw(out, &mut self.draws);
    }

    /// Block `b` of event `k`, with the layers it needs now, as a span of `memo.pts`
    /// (valid until the next call). A block without layers is drawn once per user.
    fn block(&mut self, k: usize, b: i64) -> (usize, usize) {
        self.block_layered(k, b).0
    }

    /// [`Self::block`], and whether the block holds engagement layers.
    fn block_layered(&mut self, k: usize, b: i64) -> ((usize, usize), bool) {
        let layers = self.layers_for(k, b);
        if layers == 0 {
            return (self.base_block(k, b), false);
        }
        if self.memo.pts.len() > Memo::MAX_POINTS {
            self.memo.reset();
        }
        let mut pts = std::mem::take(&mut self.memo.pts);
        let start = pts.len();
        self.draw_block(k, b, layers, &mut pts);
        let len = pts.len() - start;
        self.memo.pts = pts;
        ((start, len), true)
    }

    /// Block `b` of event `k` without engagement layers, whatever the engagements, as a
    /// span of `memo.pts` (valid until the next call); drawn once per user. Its
    /// occurrences are the base ones of the layered block (layers only add).
    fn base_block(&mut self, k: usize, b: i64) -> (usize, usize) {
        if self.memo.pts.len() > Memo::MAX_POINTS {
            self.memo.reset();
        }
        let slot = self.memo.slot(k, b);
        if let Some(i) = slot {
            let (g, start, len) = self.memo.slots[i];
            if g == self.memo.generation {
                return (start as usize, len as usize);
            }
        }
        let mut pts = std::mem::take(&mut self.memo.pts);
        let start = pts.len();
        self.draw_block(k, b, 0, &mut pts);
        let len = pts.len() - start;
        self.memo.pts = pts;
        if let Some(i) = slot
            && let (Ok(s32), Ok(l32)) = (u32::try_from(start), u32::try_from(len))
        {
            self.memo.slots[i] = (self.memo.generation, s32, l32);
        }
        (start, len)
    }

    /// The number of base occurrences in block `b` of event `k`: the memoised block's
    /// length when it is drawn already, else the first draw of its stream alone.
    fn base_count(&mut self, k: usize, b: i64) -> u64 {
        if let Some(i) = self.memo.slot(k, b) {
            let (g, _, len) = self.memo.slots[i];
            if g == self.memo.generation {
                return u64::from(len);
            }
        }
        let p = self.plan;
        let spec = BlockSpec {
            prefix: self.ev_prefix[k],
            block: b,
            days: p.events[k].block_days,
            lam: self.lam[k],
            shapes: &p.shapes,
            zone: self.tz,
            e_neg_regular: self.e_neg[k],
            heights: false,
            layers: 0,
        };
        spec.count(&mut self.draws)
    }

    /// Loads block `b` into event `k`'s cursor.
    fn load(&mut self, k: usize, b: i64) {
        let ((start, len), layered) = self.block_layered(k, b);
        let c = &mut self.cursors[k];
        c.pts.clear();
        c.pts.extend_from_slice(&self.memo.pts[start..start + len]);
        c.block = b;
        c.layered = layered;
        c.i = 0;
    }

    /// Starts reading event `k` forward from the clock.
    fn seek(&mut self, k: usize) {
        let b = self.block_at(k, self.clock.div_euclid(US));
        let c = &self.cursors[k];
        if c.block != b || c.layered != (self.layers_for(k, b) > 0) {
            self.load(k, b);
        }
        let clock = self.clock;
        let c = &mut self.cursors[k];
        c.active = true;
        c.i = c.pts.partition_point(|o| o.us <= clock);
        self.refill(k);
    }

    /// Sets the cursor's next instant: its next occurrence in the loaded block, else the
    /// next block's start (a frontier), else nothing before the horizon.
    fn refill(&mut self, k: usize) {
        let end = self.plan.horizon_end;
        let bs = self.block_secs(k);
        let c = &mut self.cursors[k];
        if let Some(o) = c.pts.get(c.i) {
            c.frontier = false;
            c.next = if o.secs() < end { o.us } else { i64::MAX };
            return;
        }
        let b = c.block.saturating_add(1).saturating_mul(bs);
        c.frontier = b < end;
        c.next = if b < end { b.saturating_mul(US) } else { i64::MAX };
    }

    /// Hands the cursor's next occurrence of event `k` to the walk.
    fn pop(&mut self, k: usize) {
        let c = &mut self.cursors[k];
        let Some(&o) = c.pts.get(c.i) else { return };
        c.i += 1;
        self.clock = self.clock.max(o.us);
        let accepted = self.accepted(k, &o);
        self.refill(k);
        if accepted {
            self.on_event(k, o.secs(), o.id);
        }
    }

    /// Hands the next occurrence that a click counts as to the walk (to the event's
    /// readers, when something reads that event now).
    fn pop_extra(&mut self) {
        let Some(&(us, k, id)) = self.extras.get(self.extra_i) else { return };
        self.extra_i += 1;
        self.clock = self.clock.max(us);
        if self.want[k] {
            self.on_event(k, us.div_euclid(US), id);
        }
    }

    /// Records that a click at `c` (seconds) also counts as an occurrence of event `k`.
    fn add_extra(&mut self, c: i64, k: usize) {
        let us = c.saturating_mul(US);
        let id = CLICK_ID | u64::try_from(self.extras.len()).unwrap_or(0);
        // Clicks are drawn at their sends, not in time order: keep the list by instant
        // (a new one never goes before one already handed to the walk, since c >= now).
        let at = self.extras.partition_point(|e| e.0 <= us).max(self.extra_i);
        self.extras.insert(at, (us, k, id));
    }

    /// The occurrences that clicks count as, of event `k`, with instants in [lo, hi] µs.
    fn extras_between(&self, k: usize, lo: i64, hi: i64) -> impl Iterator<Item = &(i64, usize, u64)> {
        self.extras.iter().filter(move |e| e.1 == k && e.0 >= lo && e.0 <= hi)
    }

    /// Whether an occurrence counts: its height is below the engagement multiplier then.
    fn accepted(&self, k: usize, o: &Occ) -> bool {
        if self.plan.events[k].responses.is_empty() {
            return true;
        }
        o.height < self.multiplier(k, o.secs())
    }

    /// The occurrences of event `k` that counted, from `from` (seconds) up to the clock.
    /// The vector is `self.scratch`: hand it back with [`Self::give_back`].
    fn look_back(&mut self, k: usize, from: i64) -> Vec<Occ> {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let (lo, to) = (from.saturating_mul(US), self.clock);
        if to < lo {
            return out;
        }
        for b in self.block_at(k, from)..=self.block_at(k, to.div_euclid(US)) {
            let (start, len) = self.block(k, b);
            out.extend(
                self.memo.pts[start..start + len].iter().filter(|o| o.us >= lo && o.us <= to && self.accepted(k, o)),
            );
        }
        if !self.extras.is_empty() {
            let before = out.len();
            out.extend(self.extras_between(k, lo, to).map(|e| Occ { us: e.0, id: e.2, height: 0.0 }));
            if out.len() > before {
                out.sort_by_key(|o| (o.us, o.id));
            }
        }
        out
    }

    fn give_back(&mut self, pts: Vec<Occ>) {
        self.scratch = pts;
    }

    /// Registers a view or click at `e`. A cursor that already looked ahead past the
    /// engagement's start reads again from the clock, so that the blocks whose rates it
    /// raises get their layers.
    fn engage(&mut self, kind: EngagementKind, e: i64) {
        self.engagements.push((kind, e));
        for k in 0..self.cursors.len() {
            let raises = self.plan.events[k].responses.iter().any(|&(on, mult, _)| on == kind && mult > 1.0);
            let c = &mut self.cursors[k];
            if raises && c.active && (c.next == i64::MAX || e <= c.next.div_euclid(US)) {
                c.block = i64::MIN;
                c.active = false;
                self.seek(k);
            }
        }
    }

    fn multiplier(&self, k: usize, t: i64) -> f64 {
        let mut m = 1.0;
        for &(on, mult, dur) in &self.plan.events[k].responses {
            if self.engagements.iter().any(|&(kind, e)| kind == on && e <= t && t < e.saturating_add(dur)) {
                m *= mult;
            }
        }
        m
    }

    fn next_timer(&self) -> i64 {
        let p = self.plan;
        let mut t = i64::MAX;
        if let Some((g, _, _)) = self.pb_goal {
            t = t.min(g);
        }
        if let Some(tr) = &self.track {
            t = t.min(tr.end);
        }
        if let Some(pos) = &self.pos
            && let Some(w) = self.hold_wake(pos)
        {
            t = t.min(w);
        }
        match &p.entry {
            CEntry::Past { .. } | CEntry::List { .. } => {
                if let Some(r) = p.runs.get(self.next_run) {
                    t = t.min(*r);
                }
            }
            CEntry::Inaction { within, .. } => {
                if let Some((a, _)) = self.pending.front() {
                    t = t.min(a.saturating_add(*within));
                }
            }
            CEntry::Date { .. } => {
                if let Some(d) = self.date_entry {
                    t = t.min(d);
                }
            }
            CEntry::Live { .. } => {}
        }
        t
    }

    fn hold_wake(&self, pos: &Pos) -> Option<i64> {
        match pos.hold {
            Hold::None | Hold::InApp | Hold::Unreachable => None,
            Hold::Wait { wake } | Hold::Timer { wake, .. } => Some(wake),
            Hold::Deferred { until } => Some(until),
            Hold::Live { release, .. } => Some(release),
            Hold::Inaction { release, a, .. } => match (a, &self.plan.nodes[pos.node].kind) {
                (Some((at, _)), PKind::Condition { cond: PCond::Inaction { within, .. }, .. }) => {
                    Some(at.saturating_add(*within))
                }
                _ => Some(release),
            },
            Hold::Past { close, release, next_mid } => Some(if next_mid <= close { next_mid } else { release }),
        }
    }

    fn fire_timer(&mut self, t: i64) {
        // The timeout comes first in its second, before a daily goal check (SPEC §2.2).
        if self.track.as_ref().is_some_and(|tr| tr.end == t) {
            self.timeout(t);
            return;
        }
        if let Some((g, gi, value)) = self.pb_goal
            && g == t
        {
            self.pb_goal = None;
            self.convert(t, gi, value);
            return;
        }
        if let Some(pos) = self.pos
            && self.hold_wake(&pos) == Some(t)
        {
            self.hold_timer(pos, t);
            return;
        }
        let p = self.plan;
        match &p.entry {
            CEntry::Past { ev, cmp, lookback } => {
                if p.runs.get(self.next_run) == Some(&t) {
                    self.next_run += 1;
                    let n = self.count(ev, t.saturating_sub(*lookback), t, t);
                    if cmp.holds(n) {
                        self.qualify(t, None);
                    }
                }
            }
            CEntry::List { share } => {
                if p.runs.get(self.next_run) == Some(&t) {
                    self.next_run += 1;
                    if in_custom_list(self.user, *share) {
                        self.qualify(t, None);
                    }
                }
            }
            CEntry::Inaction { did, within, .. } => {
                if let Some(&(a, idx)) = self.pending.front()
                    && a.saturating_add(*within) == t
                {
                    self.pending.pop_front();
                    self.qualify(t, Some(Ctx { ev: did.ev, idx }));
                }
            }
            CEntry::Date { .. } => {
                if self.date_entry == Some(t) {
                    self.date_entry = None;
                    self.qualify(t, None);
                }
            }
            CEntry::Live { .. } => {}
        }
    }

    // ----- events -----

    fn on_event(&mut self, k: usize, t: i64, idx: u64) {
        let p = self.plan;
        if t < p.start {
            return;
        }
        // Goals first: a goal beats a condition on the same event.
        if self.track.as_ref().is_some_and(|tr| t < tr.end) {
            for (gi, g) in p.goals.iter().enumerate() {
                if g.ev.ev == k && self.event_matches(&g.ev, idx, t) {
                    let value = g.value_prop.as_ref().map_or(0.0, |name| {
                        self.event_prop(k, idx, name).as_ref().and_then(num_of).filter(|x| x.is_finite()).unwrap_or(0.0)
                    });
                    if g.live {
                        self.convert(t, gi, value);
                    } else if self.pb_goal.is_none() {
                        let m = calendar::next_local_midnight(Timestamp(t), p.account_tz).0;
                        self.pb_goal = Some((m, gi, value));
                    }
                    break;
                }
            }
        }
        if (self.inside || self.track.is_some()) && p.exits.iter().any(|e| e.ev == k && self.event_matches(e, idx, t)) {
            self.exit_criterion(t);
        }
        if let Some(pos) = self.pos {
            self.hold_event(pos, k, t, idx);
        }
        match &p.entry {
            CEntry::Live { ev, nth } if ev.ev == k && self.event_matches(ev, idx, t) => {
                self.live_count = self.live_count.saturating_add(1);
                if nth.is_none_or(|n| self.live_count == n) {
                    self.qualify(t, Some(Ctx { ev: k, idx }));
                }
            }
            CEntry::Inaction { did, not_did, .. } => {
                if not_did.ev == k && self.event_matches(not_did, idx, t) {
                    self.pending.retain(|(a, _)| *a >= t);
                }
                if did.ev == k && self.event_matches(did, idx, t) && self.pending.len() < MAX_PENDING {
                    self.pending.push_back((t, idx));
                }
            }
            _ => {}
        }
    }

    fn hold_event(&mut self, pos: Pos, k: usize, t: i64, idx: u64) {
        let p = self.plan;
        let node = &p.nodes[pos.node];
        match (pos.hold, &node.kind) {
            (Hold::Live { close, release, have }, PKind::Condition { cond: PCond::Live { ev, need }, .. })
                if ev.ev == k && t <= close && self.event_matches(ev, idx, t) =>
            {
                let have = have.saturating_add(1);
                if have >= *need {
                    self.ctx = Some(Ctx { ev: k, idx });
                    self.go(pos.node, Port::Yes, t);
                } else if let Some(ps) = &mut self.pos {
                    ps.hold = Hold::Live { close, release, have };
                }
            }
            (
                Hold::Inaction { close, release, a, b_seen },
                PKind::Condition { cond: PCond::Inaction { did, not_did, within }, .. },
            ) => {
                let mut a2 = a;
                let mut b2 = b_seen;
                match a {
                    None => {
                        if did.ev == k && t <= close && self.event_matches(did, idx, t) {
                            a2 = Some((t, idx));
                        }
                    }
                    Some((at, _)) => {
                        if not_did.ev == k
                            && t > at
                            && t <= at.saturating_add(*within)
                            && self.event_matches(not_did, idx, t)
                        {
                            b2 = true;
                        }
                    }
                }
                if let Some(ps) = &mut self.pos {
                    ps.hold = Hold::Inaction { close, release, a: a2, b_seen: b2 };
                }
            }
            (Hold::InApp, _) if p.session_event == Some(k) => self.send_and_continue(pos.node, t),
            _ => {}
        }
    }

    fn event_prop(&self, k: usize, idx: u64, name: &str) -> Option<PVal> {
        let p = self.plan;
        let spec = &p.events[k];
        let (_, d) = spec.props.iter().find(|(n, _)| n == name)?;
        let h = name_hash(name);
        let base = [TAG_EVPROP, p.seed, u64::from(self.rep), self.user, spec.hash, idx, h];
        let u1 = hash_unit(&base);
        let mut b2 = base;
        b2[6] = h.wrapping_add(1);
        let u2 = hash_unit(&b2);
        sample_dist(d, None, u1, u2, p.start)
    }

    fn cond_holds(&self, c: &CCond, ev: Option<(usize, u64)>, now: i64) -> bool {
        match c.scope {
            Scope::User => compare(self.props.get(c.prop).and_then(Option::as_ref), c.op, &c.value, now),
            Scope::Event => {
                let v = ev.and_then(|(k, idx)| self.event_prop(k, idx, &c.name));
                compare(v.as_ref(), c.op, &c.value, now)
            }
        }
    }

    fn event_matches(&self, e: &CEvent, idx: u64, now: i64) -> bool {
        e.filters.iter().all(|c| self.cond_holds(c, Some((e.ev, idx)), now))
    }

    fn filter_holds(&self, f: &CFilter, now: i64) -> bool {
        match f {
            CFilter::All(v) => v.iter().all(|x| self.filter_holds(x, now)),
            CFilter::Any(v) => v.iter().any(|x| self.filter_holds(x, now)),
            CFilter::Cond(c) => self.cond_holds(c, self.ctx.map(|x| (x.ev, x.idx)), now),
        }
    }

    /// Matching occurrences of `e` with time in [from, to), all of them already past
    /// (`to` is at most the clock's second). Whole blocks without filters or engagement
    /// are counted from their first draw alone.
    fn count(&mut self, e: &CEvent, from: i64, to: i64, now: i64) -> u32 {
        let k = e.ev;
        if to <= from {
            return 0;
        }
        // Occurrences that clicks counted as, already past.
        let (lo, hi) = (from.saturating_mul(US), to.saturating_mul(US).saturating_sub(1).min(self.clock));
        let mut n = self.extras_between(k, lo, hi).filter(|x| self.event_matches(e, x.2, now)).count() as u64;
        let len_secs = self.block_secs(k);
        let (b_lo, b_hi) = (self.block_at(k, from), self.block_at(k, to - 1));
        // Without filters or engagement, the whole blocks inside come from the prefix
        // counts and only the two ends are read occurrence by occurrence.
        // No engagement changes the rate anywhere in these blocks, so every base
        // occurrence counts (its height is below 1) and no block needs layers.
        if e.filters.is_empty() && b_hi - b_lo >= 2 && !self.engaged_between(k, b_lo * len_secs, (b_hi + 1) * len_secs)
        {
            let first_whole = if b_lo * len_secs >= from { b_lo } else { b_lo + 1 };
            let end_whole = if (b_hi + 1) * len_secs <= to { b_hi + 1 } else { b_hi };
            if let Some(whole) = self.whole_blocks(k, first_whole, end_whole) {
                // At most one partial block at each end.
                let (lo_us, hi_us) = (from.saturating_mul(US), to.saturating_mul(US));
                if first_whole > b_lo {
                    n += self.base_count_between(k, b_lo, lo_us, hi_us);
                }
                if end_whole <= b_hi {
                    n += self.base_count_between(k, b_hi, lo_us, hi_us);
                }
                return u32::try_from(n + whole).unwrap_or(u32::MAX);
            }
        }
        for b in b_lo..=b_hi {
            let (bs, be) = (b * len_secs, (b + 1) * len_secs);
            let whole = bs >= from && be <= to && e.filters.is_empty() && !self.engaged(k, b);
            let (start, len) = self.block(k, b);
            let pts = &self.memo.pts[start..start + len];
            if whole {
                n += len as u64;
                continue;
            }
            for o in pts {
                let t = o.secs();
                if t >= from && t < to && self.accepted(k, o) && self.event_matches(e, o.id, now) {
                    n += 1;
                }
            }
        }
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The base occurrences of block `b` of event `k` with instants in [lo_us, hi_us).
    fn base_count_between(&mut self, k: usize, b: i64, lo_us: i64, hi_us: i64) -> u64 {
        let (start, len) = self.base_block(k, b);
        self.memo.pts[start..start + len].iter().filter(|o| o.us >= lo_us && o.us < hi_us).count() as u64
    }

    /// Whether an engagement that changes event `k`'s rate overlaps block `b`.
    fn engaged(&self, k: usize, b: i64) -> bool {
        let bs = self.block_secs(k);
        self.engaged_between(k, b * bs, (b + 1) * bs)
    }

    /// Whether an engagement that changes event `k`'s rate overlaps [from, to).
    fn engaged_between(&self, k: usize, from: i64, to: i64) -> bool {
        self.plan.events[k].responses.iter().any(|&(on, _, dur)| {
            self.engagements.iter().any(|&(kind, e)| kind == on && e < to && e.saturating_add(dur) > from)
        })
    }

    /// The base occurrences of event `k` in blocks `lo..hi`, from the prefix counts
    /// (each block's count drawn once per user); `None` outside the covered days.
    fn whole_blocks(&mut self, k: usize, lo: i64, hi: i64) -> Option<u64> {
        if hi <= lo {
            return Some(0);
        }
        let generation = self.memo.generation;
        let max_blocks = self.memo.days;
        let (g, base, prefix) = &mut self.memo.prefix[k];
        if *g != generation {
            // The first count of this user starts the prefix at its first block.
            *g = generation;
            *base = lo;
            prefix.clear();
            prefix.push(0);
        }
        let first = *base;
        let (i_lo, i_hi) = (usize::try_from(lo - first).ok()?, usize::try_from(hi - first).ok()?);
        if i_hi > max_blocks {
            return None;
        }
        while self.memo.prefix[k].2.len() <= i_hi {
            let prefix = &self.memo.prefix[k].2;
            let b = first + i64::try_from(prefix.len() - 1).ok()?;
            let last = prefix.last().copied().unwrap_or(0);
            let m = self.base_count(k, b);
            self.memo.prefix[k].2.push(last + m);
        }
        let prefix = &self.memo.prefix[k].2;
        Some(prefix[i_hi] - prefix[i_lo])
    }

    // ----- entry -----

    fn qualify(&mut self, t: i64, ctx: Option<Ctx>) {
        let p = self.plan;
        if t < p.start || t >= p.horizon_end {
            return;
        }
        if !p.entry_filters.iter().all(|c| self.cond_holds(c, ctx.map(|x| (x.ev, x.idx)), t)) {
            return;
        }
        let tl = &mut self.tally;
        tl.qualified += 1;
        if t >= p.entry_end {
            tl.turned_away.past_end += 1;
        } else if self.inside {
            tl.turned_away.already_inside += 1;
        } else if self.entries > 0 && !p.reentry {
            tl.turned_away.reentry_off += 1;
        } else if p.max_entries.is_some_and(|m| self.entries >= m) {
            tl.turned_away.max_entries += 1;
        } else if self.last_exit.is_some_and(|x| x.saturating_add(p.cooldown) > t) {
            tl.turned_away.cooldown += 1;
        } else if p.skip_unsubscribed && !p.used_channels.is_empty() && p.used_channels.iter().all(|c| self.unsub[*c]) {
            tl.turned_away.unsubscribed += 1;
        } else {
            self.enter(t, ctx);
        }
    }

    fn enter(&mut self, t: i64, ctx: Option<Ctx>) {
        let p = self.plan;
        if self.group.is_none() {
            self.group = Some(control_group(p.seed, self.user, p.control_system, p.control_journey));
            self.draws.streams += 1;
            self.draws.words += 2;
        }
        let group = self.group.unwrap_or(Group::Target);
        self.entries = self.entries.saturating_add(1);
        self.pb_goal = None;
        let end = p.timeout.map_or(i64::MAX, |d| t.saturating_add(d));
        self.track = Some(Track {
            group,
            entry: t,
            end,
            splits: Vec::new(),
            pilot: Vec::new(),
            affected: ChannelMap::default(),
        });
        self.inside = true;
        self.ctx = ctx;
        self.flush_node_streams();
        self.clicks.clear();
        let (day, hour) = (p.day_of(t), p.hour_of(t));
        let tl = &mut self.tally;
        tl.entered += 1;
        tl.rep.entered += 1;
        tl.groups[group].entries += 1;
        tl.count_trend(day, hour, |d| d.entered += 1);
        tl.nodes[p.entry_node].entered += 1;
        if self.rep == 0 {
            self.tally.node_event(p.entry_node, NodeEvent::Arrived, t);
        }
        self.step(t, None, StepKind::Entered { control: group != Group::Target });
        if group == Group::Target {
            // The entry node passes users straight on.
            let entry = p.entry_node;
            self.pos = Some(Pos { node: entry, since: t, hold: Hold::None });
            self.step(t, Some(entry), StepKind::Arrived);
            self.go(entry, Port::Next, t);
        }
    }

    // ----- moving -----

    fn step(&mut self, t: i64, node: Option<usize>, kind: StepKind) {
        if let Some(tr) = &mut self.traj {
            tr.push(Step { time: Timestamp(t), node: node.map(|n| self.plan.nodes[n].id), kind });
        }
    }

    /// Leaves `n` through `port` at `t` and walks on until the user is held or leaves.
    fn go(&mut self, n: usize, port: Port, t: i64) {
        let next = self.take(n, port, t);
        self.run_from(next, t);
    }

    /// Visits nodes from `next` on at `t` until the user is held or leaves.
    fn run_from(&mut self, mut next: Option<usize>, t: i64) {
        while let Some(to) = next {
            if self.steps_at.0 == t {
                self.steps_at.1 += 1;
            } else {
                self.steps_at = (t, 1);
            }
            if self.steps_at.1 > MAX_STEPS_PER_INSTANT {
                // A cycle without delay (validation refuses these): stop the user here.
                self.pos = Some(Pos { node: to, since: t, hold: Hold::None });
                self.complete(to, t);
                return;
            }
            next = self.visit(to, t);
        }
    }

    /// Takes `port` of node `n`: counts it, and returns the next node when linked; an
    /// unlinked port (or one the node lacks) completes the user.
    fn take(&mut self, n: usize, port: Port, t: i64) -> Option<usize> {
        let node = &self.plan.nodes[n];
        let Some(pi) = node.port_index(port) else {
            self.complete(n, t);
            return None;
        };
        self.tally.nodes[n].ports[pi] += 1;
        self.step(t, Some(n), StepKind::Left(port));
        match node.ports[pi].1 {
            Some(to) => {
                if let Some(pos) = self.pos.take() {
                    self.occupy(pos.node, pos.since, t);
                }
                if self.rep == 0
                    && self.plan.buckets > 0
                    && let Some(li) = node.port_link[pi]
                {
                    let b = self.tally.bucket(t);
                    self.tally.link_cross[li * self.plan.buckets + b] += 1;
                }
                Some(to)
            }
            None => {
                self.complete(n, t);
                None
            }
        }
    }

    fn occupy(&mut self, n: usize, since: i64, until: i64) {
        if self.rep == 0 {
            self.tally.occupy(n, since, until);
        }
    }

    fn leave_graph(&mut self, t: i64) {
        if let Some(pos) = self.pos.take() {
            self.occupy(pos.node, pos.since, t);
        }
        self.inside = false;
        self.last_exit = Some(t);
    }

    fn complete(&mut self, n: usize, t: i64) {
        let (day, hour) = (self.plan.day_of(t), self.plan.hour_of(t));
        let tl = &mut self.tally;
        tl.completed += 1;
        tl.rep.completed += 1;
        tl.nodes[n].completed += 1;
        tl.count_trend(day, hour, |d| d.completed += 1);
        self.step(t, Some(n), StepKind::Completed);
        self.leave_graph(t);
    }

    fn hold(&mut self, n: usize, t: i64, hold: Hold) {
        self.pos = Some(Pos { node: n, since: self.pos.map_or(t, |p| p.since), hold });
    }

    /// Arrives at node `n` at `t`; returns the next node when the user passes straight on.
    fn visit(&mut self, n: usize, t: i64) -> Option<usize> {
        let p = self.plan;
        self.tally.nodes[n].entered += 1;
        if self.rep == 0 {
            self.tally.node_event(n, NodeEvent::Arrived, t);
        }
        self.pos = Some(Pos { node: n, since: t, hold: Hold::None });
        self.step(t, Some(n), StepKind::Arrived);
        let node = &p.nodes[n];
        match &node.kind {
            PKind::Entry => self.take(n, Port::Next, t),
            PKind::Wait(w) => {
                let tz = |user: bool| if user { p.tzs[self.tz].tz } else { p.account_tz };
                let wake = match w {
                    PWait::Duration(d) => t.saturating_add(*d),
                    PWait::TimeOfDay { time, user_tz } => {
                        calendar::next_time_of_day(Timestamp(t), tz(*user_tz), *time).0
                    }
                    PWait::Until(u) => (*u).max(t),
                    PWait::BestTime => calendar::best_time(Timestamp(t), tz(p.per_user_tz), &p.curve_raw).0,
                };
                if wake <= t {
                    self.take(n, Port::Next, t)
                } else {
                    self.hold(n, t, Hold::Wait { wake });
                    None
                }
            }
            PKind::Condition { cond, window, from_arrival } => self.cond_arrive(n, cond, *window, *from_arrival, t),
            PKind::CondSplit { filters } => {
                let pick = filters.iter().position(|f| self.filter_holds(f, t));
                let port = match pick {
                    Some(i) => node.ports[i].0,
                    None => Port::Others,
                };
                self.take(n, port, t)
            }
            PKind::RandSplit { weights, automated, winner, .. } => {
                let path = self.split_path(n, weights, *automated, *winner, t);
                if let Some(tr) = &mut self.track
                    && !tr.splits.contains(&(n, path))
                {
                    tr.splits.push((n, path));
                }
                if p.pilot_mode && *automated && winner.is_none() {
                    let rec = self.tally.pilot.len();
                    self.tally.pilot.push(PilotRec { node: n, path, arrive: t, conv: None });
                    if let Some(tr) = &mut self.track {
                        tr.pilot.push(rec);
                    }
                }
                match node.ports.get(path) {
                    Some((port, _)) => self.take(n, *port, t),
                    None => {
                        self.complete(n, t);
                        None
                    }
                }
            }
            PKind::Channel { channel, exclude_tz, .. } => self.channel_arrive(n, *channel, *exclude_tz, t),
            PKind::Profile(rows) => {
                for (prop, op, val) in rows {
                    match val {
                        UpdateValue::Literal(v) => self.apply_update(*prop, *op, v),
                        UpdateValue::Liquid { template, kind } => {
                            // A render that fails leaves the property as it was.
                            if let Rendered::Text(text) = self.render(template) {
                                let v = super::plan::parse_literal(&text, *kind);
                                self.apply_update(*prop, *op, &v);
                            }
                        }
                    }
                }
                self.take(n, Port::Updated, t)
            }
            PKind::ForceExit => {
                self.tally.force_exits += 1;
                self.step(t, Some(n), StepKind::ForceExit);
                self.leave_graph(t);
                None
            }
            PKind::Exit => {
                self.complete(n, t);
                None
            }
        }
    }

    /// Renders a template for the current user, with their profile now and the event in
    /// context (if any).
    fn render(&self, t: &CTemplate) -> Rendered {
        let props = &self.props;
        let names = &t.template.profile;
        let mut profile = |name: &str| {
            let i = names.binary_search_by(|n| n.as_str().cmp(name)).ok()?;
            props.get(*t.props.get(i)?)?.as_ref().map(liquid_value)
        };
        match &self.ctx {
            Some(c) => {
                let (ev, idx) = (c.ev, c.idx);
                let mut event = |name: &str| self.event_prop(ev, idx, name).as_ref().map(liquid_value);
                t.template.render(&mut profile, Some(&mut event))
            }
            None => t.template.render(&mut profile, None),
        }
    }

    fn apply_update(&mut self, prop: usize, op: UpdateOp, val: &PVal) {
        let Some(slot) = self.props.get_mut(prop) else { return };
        match op {
            UpdateOp::SetTo => *slot = Some(val.clone()),
            UpdateOp::IncreaseBy | UpdateOp::DecreaseBy => {
                if let Some(x) = num_of(val) {
                    let cur = slot.as_ref().and_then(num_of).unwrap_or(0.0);
                    let x = if op == UpdateOp::IncreaseBy { x } else { -x };
                    *slot = Some(PVal::Num(cur + x));
                }
            }
            UpdateOp::AddToArray | UpdateOp::RemoveFromArray => {
                let item: Arc<str> = match val {
                    PVal::Text(s) => Arc::clone(s),
                    other => Arc::from(format!("{other:?}").as_str()),
                };
                let mut list = match slot.take() {
                    Some(PVal::List(l)) => l,
                    Some(PVal::Text(s)) => vec![s],
                    _ => Vec::new(),
                };
                if op == UpdateOp::AddToArray {
                    if !list.contains(&item) && list.len() < 1_000 {
                        list.push(item);
                    }
                } else {
                    list.retain(|x| *x != item);
                }
                *slot = Some(PVal::List(list));
            }
        }
    }

    fn split_path(&mut self, n: usize, weights: &[f64], automated: bool, winner: Option<usize>, t: i64) -> usize {
        if let Some(w) = winner {
            return w;
        }
        if let Some(&(_, path)) = self.split_assign.iter().find(|(node, _)| *node == n) {
            return path;
        }
        let p = self.plan;
        let mut st = Stream::split(p.seed, self.user, p.nodes[n].id);
        let u = st.uniform();
        self.draws.add_stream(&st);
        let auto_w;
        let w: &[f64] = if automated {
            auto_w = p.schedules.get(&n).map(|s| s.weights_at(Timestamp(t)).to_vec());
            auto_w.as_deref().unwrap_or(weights)
        } else {
            weights
        };
        let uniform = vec![1.0; weights.len()];
        let total: f64 = w.iter().map(|x| x.max(0.0)).sum();
        let (w, total) = if total > 0.0 { (w, total) } else { (&uniform[..], uniform.len() as f64) };
        let target = u * total;
        let mut acc = 0.0;
        let mut pick = w.len().saturating_sub(1);
        for (i, x) in w.iter().enumerate() {
            acc += x.max(0.0);
            if target < acc {
                pick = i;
                break;
            }
        }
        self.split_assign.push((n, pick));
        pick
    }

    fn timeout_port(&self, n: usize) -> Port {
        if self.plan.nodes[n].linked(Port::Timeout) { Port::Timeout } else { Port::No }
    }

    fn cond_arrive(
        &mut self,
        n: usize,
        cond: &PCond,
        window: Option<i64>,
        from_arrival: bool,
        t: i64,
    ) -> Option<usize> {
        let p = self.plan;
        // Live action and inaction count from the entry, or from this arrival (SPEC §1.3).
        let entry = if from_arrival { t } else { self.track.as_ref().map_or(p.start, |tr| tr.entry) };
        let close = window.map(|w| t.saturating_add(w));
        let release = close.map(|c| calendar::next_utc_hour_at_or_after(Timestamp(c)).0);
        let hold_or_no = |this: &mut Self, hold: Hold| -> Option<usize> {
            if window.is_some() {
                this.hold(n, t, hold);
                None
            } else {
                this.take(n, Port::No, t)
            }
        };
        match cond {
            PCond::Live { ev, need } => {
                let mut have = 0u32;
                let mut last = None;
                let pts = self.look_back(ev.ev, entry);
                for o in &pts {
                    if o.secs() <= t && self.event_matches(ev, o.id, t) {
                        have = have.saturating_add(1);
                        last = Some(o.id);
                    }
                }
                self.give_back(pts);
                if have >= *need {
                    if let Some(idx) = last {
                        self.ctx = Some(Ctx { ev: ev.ev, idx });
                    }
                    return self.take(n, Port::Yes, t);
                }
                let (c, r) = (close.unwrap_or(t), release.unwrap_or(t));
                hold_or_no(self, Hold::Live { close: c, release: r, have })
            }
            PCond::Inaction { did, not_did, within } => {
                // Checked on arrival, window or not: an A since entry whose A + T has
                // passed without B gives Yes at once (SPEC §1.3).
                {
                    let pts = self.look_back(not_did.ev, entry);
                    let b_times: Vec<i64> =
                        pts.iter().filter(|o| self.event_matches(not_did, o.id, t)).map(Occ::secs).collect();
                    self.give_back(pts);
                    let pts = self.look_back(did.ev, entry);
                    let found = pts
                        .iter()
                        .find(|o| {
                            let at = o.secs();
                            at.saturating_add(*within) <= t
                                && self.event_matches(did, o.id, t)
                                && !b_times.iter().any(|b| *b > at && *b <= at.saturating_add(*within))
                        })
                        .map(|o| o.id);
                    self.give_back(pts);
                    if let Some(idx) = found {
                        self.ctx = Some(Ctx { ev: did.ev, idx });
                        return self.take(n, Port::Yes, t);
                    }
                    if window.is_none() {
                        return self.take(n, Port::No, t);
                    }
                }
                let (c, r) = (close.unwrap_or(t), release.unwrap_or(t));
                hold_or_no(self, Hold::Inaction { close: c, release: r, a: None, b_seen: false })
            }
            PCond::Past { ev, cmp, lookback } => {
                if cmp.holds(self.count(ev, t.saturating_sub(*lookback), t, t)) {
                    return self.take(n, Port::Yes, t);
                }
                let (Some(c), Some(r)) = (close, release) else { return self.take(n, Port::No, t) };
                let next_mid = calendar::next_local_midnight(Timestamp(t), p.account_tz).0;
                hold_or_no(self, Hold::Past { close: c, release: r, next_mid })
            }
            PCond::User(f) => {
                if self.filter_holds(f, t) {
                    return self.take(n, Port::Yes, t);
                }
                let port = self.timeout_port(n);
                hold_or_no(self, Hold::Timer { wake: release.unwrap_or(t), port })
            }
            PCond::Date { prop, within } => {
                let d = match self.props.get(*prop) {
                    Some(Some(PVal::Time(d))) => Some(*d),
                    _ => None,
                };
                if let Some(d) = d
                    && d >= t
                    && d <= t.saturating_add(*within)
                {
                    return self.take(n, Port::Yes, t);
                }
                if let (Some(d), Some(c)) = (d, close) {
                    let x = d.saturating_sub(*within);
                    if x > t && x <= c {
                        return hold_or_no(self, Hold::Timer { wake: x, port: Port::Yes });
                    }
                }
                let port = self.timeout_port(n);
                hold_or_no(self, Hold::Timer { wake: release.unwrap_or(t), port })
            }
        }
    }

    fn hold_timer(&mut self, pos: Pos, t: i64) {
        let n = pos.node;
        match pos.hold {
            Hold::None | Hold::InApp | Hold::Unreachable => {}
            Hold::Wait { .. } => self.go(n, Port::Next, t),
            Hold::Timer { port, .. } => self.go(n, port, t),
            Hold::Deferred { .. } => self.send_and_continue(n, t),
            Hold::Live { .. } => {
                let port = self.timeout_port(n);
                self.go(n, port, t);
            }
            Hold::Inaction { a, b_seen, .. } => match a {
                Some((_, idx)) if !b_seen => {
                    if let PKind::Condition { cond: PCond::Inaction { did, .. }, .. } = &self.plan.nodes[n].kind {
                        self.ctx = Some(Ctx { ev: did.ev, idx });
                    }
                    self.go(n, Port::Yes, t);
                }
                Some(_) => self.go(n, Port::No, t),
                None => {
                    let port = self.timeout_port(n);
                    self.go(n, port, t);
                }
            },
            Hold::Past { close, release, next_mid } => {
                if next_mid <= close && next_mid == t {
                    let holds = match &self.plan.nodes[n].kind {
                        PKind::Condition { cond: PCond::Past { ev, cmp, lookback }, .. } => {
                            cmp.holds(self.count(ev, t.saturating_sub(*lookback), t, t))
                        }
                        _ => false,
                    };
                    if holds {
                        self.go(n, Port::Yes, t);
                    } else {
                        let m = calendar::next_local_midnight(Timestamp(t), self.plan.account_tz).0;
                        self.hold(n, t, Hold::Past { close, release, next_mid: m });
                    }
                } else {
                    let port = self.timeout_port(n);
                    self.go(n, port, t);
                }
            }
        }
    }

    // ----- channels -----

    fn chan(&mut self, n: usize) -> &mut ChannelCounters {
        &mut self.tally.nodes[n].channel
    }

    /// The counters of content variant `v` at node `n` (none without a variant).
    fn var(&mut self, n: usize, v: Option<usize>) -> Option<&mut VariantCounters> {
        v.and_then(|v| self.tally.nodes[n].variants.get_mut(v))
    }

    /// The user's content variant at channel node `n`: sticky per (seed, user, node), drawn
    /// from its own stream so that nodes without variants draw nothing more.
    fn variant_of(&mut self, n: usize, variants: &[PVariant]) -> usize {
        let p = self.plan;
        let mut st = Stream::variant(p.seed, self.user, p.nodes[n].id);
        let u = st.uniform();
        self.draws.add_stream(&st);
        variants.iter().position(|v| u < v.upto).unwrap_or(variants.len().saturating_sub(1))
    }

    /// Counts the tracked entry as affected by a suppression on `channel` (once per channel).
    fn mark_affected(&mut self, channel: Channel) {
        let Some(tr) = self.track.as_mut() else { return };
        if tr.affected[channel] {
            return;
        }
        if !tr.affected.iter().any(|(_, hit)| *hit) {
            self.tally.affected_any.entries += 1;
        }
        tr.affected[channel] = true;
        self.tally.affected[channel].entries += 1;
    }

    fn route_unreachable(&mut self, n: usize, t: i64) -> Option<usize> {
        let node = &self.plan.nodes[n];
        if node.port_index(Port::Unreachable).is_some() && !node.linked(Port::Unreachable) {
            self.hold(n, t, Hold::Unreachable);
            return None;
        }
        self.take(n, Port::Unreachable, t)
    }

    fn channel_arrive(&mut self, n: usize, channel: Channel, exclude_tz: bool, t: i64) -> Option<usize> {
        let p = self.plan;
        if !self.reach[channel] || self.unsub[channel] {
            let (no_address, fatigued) = (!self.reach[channel], self.fatigued[channel]);
            if self.rep == 0 {
                self.tally.node_event(n, NodeEvent::Unreachable, t);
            }
            let k = self.chan(n);
            k.unreachable += 1;
            if no_address {
                k.unreachable_no_address += 1;
            } else if fatigued {
                k.unreachable_fatigue += 1;
            } else {
                k.unreachable_unsubscribed += 1;
            }
            self.mark_affected(channel);
            return self.route_unreachable(n, t);
        }
        if channel.dnd_applies() && p.dnd.enabled {
            let zone = if p.per_user_tz && !exclude_tz { self.tz } else { p.tzs.len() };
            let release = match p.dnd_tables.get(zone) {
                Some(table) => table.release(t),
                None => {
                    let tz = p.tzs.get(zone).map_or(p.account_tz, |z| z.tz);
                    calendar::dnd_release(Timestamp(t), tz, &p.dnd).map(|r| r.0)
                }
            };
            if let Some(r) = release {
                self.mark_affected(channel);
                if p.dnd.action == DndAction::Skip {
                    self.chan(n).dnd_skipped += 1;
                    return self.route_unreachable(n, t);
                }
                let until = r.max(t);
                let k = self.chan(n);
                k.dnd_deferred += 1;
                k.dnd_delay_secs += u64::try_from(until - t).unwrap_or(0);
                self.hold(n, t, Hold::Deferred { until });
                return None;
            }
        }
        if channel == Channel::InApp {
            let session_now = match p.session_event {
                Some(k) => {
                    let pts = self.look_back(k, t);
                    let now = pts.iter().any(|o| o.secs() == t);
                    self.give_back(pts);
                    now
                }
                None => false,
            };
            if !session_now {
                self.hold(n, t, Hold::InApp);
                return None;
            }
        }
        self.send(n, t)
    }

    fn send_and_continue(&mut self, n: usize, t: i64) {
        let next = self.send(n, t);
        self.run_from(next, t);
    }

    fn node_stream(&mut self, n: usize) -> &mut Stream {
        let p = self.plan;
        let (user, rep, entry) = (self.user, self.rep, self.entries.saturating_sub(1));
        self.node_rng[n].get_or_insert_with(|| Stream::node(p.seed, rep, user, entry, p.nodes[n].id))
    }

    /// The actual send at `s` (after reachability and DND): cap, failure, engagement routing.
    fn send(&mut self, n: usize, s: i64) -> Option<usize> {
        let p = self.plan;
        let PKind::Channel { channel, window, ref aborts, ref variants, .. } = p.nodes[n].kind else { return None };
        // The user's content variant (sticky, from its own stream), and its multipliers.
        let variant = (!variants.is_empty()).then(|| self.variant_of(n, variants));
        let chosen = variant.and_then(|v| variants.get(v));
        let (view_mult, click_mult) = chosen.map_or((1.0, 1.0), |v| (v.view_mult, v.click_mult));
        let aborts = chosen.map_or(aborts, |v| &v.aborts);
        // The content is rendered at the actual send, with the profile as it is then; only
        // fields that can abort are rendered at all.
        if aborts.iter().any(|t| self.render(t).is_aborted()) {
            self.chan(n).aborted += 1;
            self.mark_affected(channel);
            return self.route_unreachable(n, s);
        }
        if let Some((max, period)) = p.cap {
            let from = s.saturating_sub(period);
            self.sends.retain(|x| *x > from);
            let recent = self.sends.iter().filter(|x| **x <= s).count();
            if recent >= usize::try_from(max).unwrap_or(usize::MAX) {
                self.chan(n).capped += 1;
                self.mark_affected(channel);
                return self.route_unreachable(n, s);
            }
        }
        let cp = &p.channels[channel];
        let st = self.node_stream(n);
        let u_fail = st.uniform();
        let u_fat = st.uniform();
        let u_del = st.uniform();
        let d_del = delay(st, &cp.delay_delivery);
        let u_view = st.uniform();
        let d_view = delay(st, &cp.delay_view);
        let u_click = st.uniform();
        let d_click = delay(st, &cp.delay_click);
        if u_fail < cp.failure {
            self.chan(n).failed += 1;
            return self.take(n, Port::Failed, s);
        }
        self.chan(n).sent += 1;
        if let Some(k) = self.var(n, variant) {
            k.sent += 1;
        }
        if self.rep == 0 {
            self.tally.node_event(n, NodeEvent::Sent, s);
        }
        self.tally.rep.sent += 1;
        self.outcome.sent += 1;
        self.outcome.cost += cp.cost;
        self.tally.add_send(channel, p.hour_of(s));
        if p.cap.is_some() {
            self.sends.push(s);
        }
        self.step(s, Some(n), StepKind::Sent);
        if u_fat < cp.fatigue {
            self.unsub[channel] = true;
            self.fatigued[channel] = true;
            self.chan(n).unsubscribed += 1;
        }
        let node = &p.nodes[n];
        let has = |port: Port| node.port_index(port).is_some();
        let delivered = (has(Port::Delivered) && u_del < cp.delivery).then(|| s.saturating_add(d_del));
        let viewed = (has(Port::Viewed) || has(Port::Clicked))
            .then_some(())
            .filter(|()| u_view < scaled(cp.view, view_mult))
            .map(|()| delivered.unwrap_or(s).saturating_add(d_view));
        let clicked = viewed
            .filter(|_| has(Port::Clicked) && u_click < scaled(cp.click, click_mult))
            .map(|v| v.saturating_add(d_click));
        let end = p.horizon_end;
        if delivered.is_some_and(|x| x < end) {
            self.chan(n).delivered += 1;
        }
        if let Some(v) = viewed
            && has(Port::Viewed)
        {
            if v < end {
                self.chan(n).viewed += 1;
                if let Some(k) = self.var(n, variant) {
                    k.viewed += 1;
                }
            }
            self.engage(EngagementKind::View, v);
        }
        if let Some(c) = clicked {
            if c < end {
                self.chan(n).clicked += 1;
                if let Some(k) = self.var(n, variant) {
                    k.clicked += 1;
                }
                if self.rep == 0 {
                    self.tally.node_event(n, NodeEvent::Clicked, c);
                }
            }
            self.engage(EngagementKind::Click, c);
            self.clicks.push((c, n, variant));
            if let Some(k) = cp.click_as {
                self.add_extra(c, k);
            }
        }
        // Engagement routing (§1.3).
        let ranked = [(Port::Clicked, clicked), (Port::Viewed, viewed), (Port::Delivered, delivered)];
        let linked: Vec<(Port, Option<i64>)> = ranked.iter().copied().filter(|(port, _)| node.linked(*port)).collect();
        let Some(&(top, top_t)) = linked.first() else {
            return self.take(n, Port::Sent, s);
        };
        let wend = s.saturating_add(window);
        let (wake, port) = match top_t {
            Some(x) if x <= wend => (x, top),
            _ => {
                let port = linked.iter().find(|(_, x)| x.is_some_and(|x| x <= wend)).map_or(Port::Sent, |(p, _)| *p);
                (wend, port)
            }
        };
        if wake <= s {
            return self.take(n, port, s);
        }
        self.hold(n, s, Hold::Timer { wake, port });
        None
    }

    // ----- leaving the journey -----

    fn attribution(&self, pos: &Pos) -> (usize, bool) {
        let node = &self.plan.nodes[pos.node];
        if let Hold::Wait { .. } = pos.hold
            && let Some((_, Some(to))) = node.ports.first()
        {
            return (*to, true);
        }
        (pos.node, false)
    }

    fn convert(&mut self, t: i64, gi: usize, value: f64) {
        let Some(tr) = self.track.take() else { return };
        self.pb_goal = None;
        let p = self.plan;
        let g = tr.group;
        let (day, hour) = (p.day_of(t), p.hour_of(t));
        if self.rep == 0 {
            self.tally.goal_event(gi, t);
        }
        let tl = &mut self.tally;
        tl.groups[g].conversions += 1;
        tl.groups[g].revenue += value;
        tl.groups[g].revenue_sq += value * value;
        self.outcome.conversions += 1;
        self.outcome.revenue += value;
        let mut any = false;
        for (c, hit) in tr.affected.iter() {
            if *hit {
                tl.affected[c].conversions += 1;
                any = true;
            }
        }
        if any {
            tl.affected_any.conversions += 1;
        }
        tl.goal_met += 1;
        tl.rep.goal_met += 1;
        match g {
            Group::Target => {
                tl.rep.conv_target += 1;
                tl.rep.revenue_target += value;
            }
            Group::JourneyControl => tl.rep.conv_control += 1,
            Group::SystemControl => {}
        }
        if let Some(row) = tl.goal_by.get_mut(gi) {
            row[g] += 1;
        }
        tl.count_trend(day, hour, |d| d.goal_met += 1);
        for (node, path) in &tr.splits {
            if let Some(c) = tl.nodes[*node].path_conv.get_mut(*path) {
                *c += 1;
            }
        }
        for rec in &tr.pilot {
            if let Some(r) = tl.pilot.get_mut(*rec) {
                r.conv = Some(t);
            }
        }
        if let Some(&(_, node, variant)) = self.clicks.iter().filter(|(c, ..)| *c <= t).max_by_key(|(c, ..)| *c) {
            self.tally.nodes[node].channel.conversions += 1;
            if let Some(k) = variant.and_then(|v| self.tally.nodes[node].variants.get_mut(v)) {
                k.conversions += 1;
            }
        }
        if let Some(pos) = self.pos {
            let (node, before) = self.attribution(&pos);
            let ns = &mut self.tally.nodes[node];
            if before {
                ns.goal_before += 1;
            } else {
                ns.goal_at += 1;
            }
            if self.rep == 0 {
                self.tally.node_event(pos.node, NodeEvent::Goal, t);
            }
            self.step(t, Some(pos.node), StepKind::Goal(gi));
        } else {
            self.step(t, None, StepKind::Goal(gi));
        }
        if self.inside {
            self.leave_graph(t);
        }
    }

    fn timeout(&mut self, t: i64) {
        self.track = None;
        self.pb_goal = None;
        if let Some(pos) = self.pos {
            let (day, hour) = (self.plan.day_of(t), self.plan.hour_of(t));
            let tl = &mut self.tally;
            tl.timed_out += 1;
            tl.nodes[pos.node].timed_out += 1;
            if self.rep == 0 {
                tl.node_event(pos.node, NodeEvent::TimedOut, t);
            }
            tl.count_trend(day, hour, |d| d.timed_out += 1);
            self.step(t, Some(pos.node), StepKind::TimedOut);
        }
        if self.inside {
            self.leave_graph(t);
        }
    }

    fn exit_criterion(&mut self, t: i64) {
        if self.inside {
            self.tally.exit_criteria += 1;
            let node = self.pos.map(|p| p.node);
            self.step(t, node, StepKind::ExitCriterion);
            self.leave_graph(t);
        }
        self.track = None;
        self.pb_goal = None;
    }

    /// Counts the node streams of the last entry and forgets them.
    fn flush_node_streams(&mut self) {
        for st in &mut self.node_rng {
            if let Some(st) = st.take() {
                self.draws.add_stream(&st);
            }
        }
    }

    fn finish(&mut self) {
        self.flush_node_streams();
        if let Some(pos) = self.pos.take() {
            let (node, before) = self.attribution(&pos);
            self.tally.on_graph_end += 1;
            let ns = &mut self.tally.nodes[node];
            if before {
                ns.wait_before += 1;
            } else {
                ns.wait_at += 1;
            }
            self.occupy(pos.node, pos.since, i64::MAX);
        }
        if let Some(steps) = self.traj.take() {
            self.tally.trajectories.push(Trajectory { user: self.user, steps });
        }
    }
}

/// Walks users `from..to` of replicate `rep` into a fresh tally.
#[must_use]
pub fn walk_range(plan: &Plan, rep: u32, from: u64, to: u64, traj_sample: u64) -> Tally {
    let mut w = Walker::new(plan, rep, traj_sample);
    w.tally.rep_index = rep;
    for user in from..to {
        w.walk_user(user);
    }
    w.tally.draws = w.draws;
    w.tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_handles_types_and_absence() {
        let now = 1_000_000;
        assert!(compare(Some(&PVal::Num(5.0)), Operator::GreaterThan, &Value::Number(3.0), now));
        assert!(!compare(None, Operator::Equals, &Value::Number(3.0), now));
        assert!(compare(None, Operator::NotEquals, &Value::Number(3.0), now));
        assert!(compare(Some(&PVal::Text(Arc::from("Paris"))), Operator::Equals, &Value::Text("Paris".into()), now));
        assert!(compare(
            Some(&PVal::Time(now + 10)),
            Operator::WithinNext,
            &Value::Duration(crate::model::Seconds(60)),
            now
        ));
        assert!(!compare(
            Some(&PVal::Time(now - 10)),
            Operator::WithinNext,
            &Value::Duration(crate::model::Seconds(60)),
            now
        ));
    }

    #[test]
    fn sampling_respects_ranges() {
        let d = PropertyDist::Uniform { min: 2.0, max: 4.0 };
        assert_eq!(sample_dist(&d, None, 0.5, 0.0, 0), Some(PVal::Num(3.0)));
        let c = PropertyDist::Categorical(vec![("a".into(), 1.0), ("b".into(), 3.0)]);
        assert_eq!(sample_dist(&c, None, 0.2, 0.0, 0), Some(PVal::Text(Arc::from("a"))));
        assert_eq!(sample_dist(&c, None, 0.3, 0.0, 0), Some(PVal::Text(Arc::from("b"))));
    }
}
