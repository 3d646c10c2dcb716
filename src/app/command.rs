//! Every change to the journey is a [`Command`], queued while the frame is drawn and
//! applied in one place afterwards ([`Document::apply`]). That one place is where undo,
//! the unsaved marker, validation and the autosave hook live.
//!
//! Invariants:
//! - the canvas, panels and forms never mutate [`Document::journey`] directly;
//! - every applied command either changes the journey and leaves one undo step (or
//!   extends the current burst: one typing burst or one run of arrow-key nudges is one
//!   step), or is refused with a message and changes nothing;
//! - `dirty` is true exactly when the journey differs from the last saved or loaded one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{
    CanvasPos, Comment, CommentId, EntrySegment, EventFilter, Goal, GoalMode, Journey, KindTag, Link, MAX_GOALS, Node,
    NodeId, NodeKind, OutputRef, Port, Scenario, Setup, Status, Timestamp,
};
use crate::validate::{self, Diagnostic, Severity};

use super::canvas::layout;
use super::state::Item;
use crate::geometry;

/// Seconds of quiet after which the next edit of the same thing starts a new undo step.
pub const BURST_SECS: f64 = 1.0;
/// Undo steps kept.
pub const HISTORY_LIMIT: usize = 200;

/// A change to the journey.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Adds a node of this kind at `pos`, optionally linked from an output port.
    AddNode {
        /// What to add.
        kind: KindTag,
        /// Top-left corner.
        pos: CanvasPos,
        /// Link this port to the new node.
        connect_from: Option<(NodeId, Port)>,
    },
    /// Adds a goal card at `pos` (refused beyond three goals).
    AddGoal {
        /// Top-left corner.
        pos: CanvasPos,
    },
    /// Links an output port to a node, replacing the port's previous link.
    Connect {
        /// Source node.
        from: NodeId,
        /// Source port.
        port: Port,
        /// Target node.
        to: NodeId,
    },
    /// Removes the link on an output port.
    Disconnect(OutputRef),
    /// Moves items to new top-left corners.
    MoveItems {
        /// New positions.
        moves: Vec<(Item, CanvasPos)>,
        /// An arrow-key nudge (consecutive nudges are one undo step).
        nudge: bool,
    },
    /// Deletes items and a link.
    Delete {
        /// Nodes, goals and comments.
        items: Vec<Item>,
        /// A selected link.
        link: Option<OutputRef>,
    },
    /// Pastes copied items with fresh ids, the fragment's top-left at `at`.
    Paste {
        /// What was copied.
        fragment: Fragment,
        /// Where its top-left corner goes.
        at: CanvasPos,
    },
    /// Replaces a node's label and settings (its id and position are kept).
    SetNodeSettings(Node),
    /// Replaces the setup.
    SetSetup(Setup),
    /// Replaces the entry segment of the entry node `node`.
    SetEntry {
        /// The entry node.
        node: NodeId,
        /// The new segment.
        entry: EntrySegment,
    },
    /// Replaces the goals.
    SetGoals(Vec<Goal>),
    /// Describes an event the scenario leaves out, with a typical rate guessed from its
    /// name ([`Scenario::typical_event_behaviour`]) that the user then edits. One undo
    /// step of its own; refused when the scenario already describes the event.
    DescribeEvent(String),
    /// Replaces the scenario.
    SetScenario(Scenario),
    /// Adds a comment.
    AddComment {
        /// Top-left corner.
        pos: CanvasPos,
        /// The note.
        text: String,
    },
    /// Changes a comment's text.
    EditComment {
        /// Which comment.
        id: CommentId,
        /// The note.
        text: String,
    },
    /// Lays out the whole journey (`None`) or these nodes left to right.
    AutoAlign(Option<BTreeSet<NodeId>>),
    /// Sets the lifecycle status (metadata; the simulator ignores it).
    SetStatus(Status),
    /// Publishes the draft (validation first; partial edits update the latest version
    /// in place), see [`crate::versions::publish`].
    Publish {
        /// The version's name.
        name: String,
        /// What it is for, at most 120 characters.
        description: String,
        /// The publish time (the app's clock).
        now: Timestamp,
    },
    /// Makes a version the working draft again (one undo step).
    RestoreVersion(u32),
    /// Sets the chosen values derived from past results (SPEC §8), all or nothing, as one
    /// undo step of its own (it never joins a burst of scenario edits).
    Calibrate(Vec<crate::calibrate::Derived>),
}

/// Where [`post`] keeps commands until [`take_posted`] forwards them.
const POSTED_ID: &str = "posted_commands";

/// Queues a command from a panel that is not handed the frame's command queue (the
/// problems list, a form's banner); the inspector, drawn every frame, forwards it to
/// the queue with [`take_posted`], so it is applied in the one place like any other.
pub fn post(ctx: &egui::Context, command: Command) {
    ctx.data_mut(|d| d.get_temp_mut_or_default::<Vec<Command>>(egui::Id::unique(POSTED_ID)).push(command));
}

/// Takes the commands [`post`]ed since the last call, oldest first.
#[must_use]
pub fn take_posted(ctx: &egui::Context) -> Vec<Command> {
    ctx.data_mut(|d| d.remove_temp::<Vec<Command>>(egui::Id::unique(POSTED_ID))).unwrap_or_default()
}

/// What a burst of edits is about: consecutive commands with the same key within
/// [`BURST_SECS`] of each other share one undo step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BurstKey {
    /// Arrow-key nudges.
    Nudge,
    /// Edits of one node's settings.
    Node(NodeId),
    /// Setup edits.
    Setup,
    /// Entry edits.
    Entry,
    /// Goal edits.
    Goals,
    /// Scenario edits.
    Scenario,
    /// One comment's text.
    Comment(CommentId),
}

impl Command {
    /// The burst this command belongs to, if it may coalesce with its predecessor.
    #[must_use]
    pub fn burst_key(&self) -> Option<BurstKey> {
        match self {
            Self::MoveItems { nudge: true, .. } => Some(BurstKey::Nudge),
            Self::SetNodeSettings(n) => Some(BurstKey::Node(n.id)),
            Self::SetSetup(_) => Some(BurstKey::Setup),
            Self::SetEntry { .. } => Some(BurstKey::Entry),
            Self::SetGoals(_) => Some(BurstKey::Goals),
            Self::SetScenario(_) => Some(BurstKey::Scenario),
            Self::EditComment { id, .. } => Some(BurstKey::Comment(*id)),
            _ => None,
        }
    }
}

/// Copied nodes with the links between them, and comments. Serialized as RON on the
/// system clipboard so a copy survives between windows.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Fragment {
    /// Copied nodes, with their original ids.
    pub nodes: Vec<Node>,
    /// Links whose both ends are copied.
    pub links: Vec<Link>,
    /// Copied comments.
    pub comments: Vec<Comment>,
}

impl Fragment {
    /// The items of `selection` in `journey`.
    #[must_use]
    pub fn copy(journey: &Journey, selection: &BTreeSet<Item>) -> Self {
        let ids: BTreeSet<NodeId> = selection.iter().filter_map(Item::node).collect();
        let nodes: Vec<Node> = ids.iter().filter_map(|id| journey.graph.node(*id)).cloned().collect();
        let links = journey.graph.link_list().filter(|l| ids.contains(&l.from) && ids.contains(&l.to)).collect();
        let comments = journey.comments.iter().filter(|c| selection.contains(&Item::Comment(c.id))).cloned().collect();
        Self { nodes, links, comments }
    }

    /// Whether nothing was copied.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.comments.is_empty()
    }

    /// The fragment's top-left corner.
    #[must_use]
    pub fn origin(&self) -> CanvasPos {
        let xs = self.nodes.iter().map(|n| n.pos).chain(self.comments.iter().map(|c| c.pos));
        let (mut x, mut y) = (f32::INFINITY, f32::INFINITY);
        for p in xs {
            x = x.min(p.x);
            y = y.min(p.y);
        }
        if x.is_finite() { CanvasPos::new(x, y) } else { CanvasPos::default() }
    }

    /// RON text for the system clipboard.
    #[must_use]
    pub fn to_text(&self) -> String {
        ron::to_string(self).unwrap_or_default()
    }

    /// Reads clipboard text written by [`Self::to_text`].
    #[must_use]
    pub fn from_text(text: &str) -> Option<Self> {
        ron::from_str(text).ok().filter(|f: &Self| !f.is_empty())
    }
}

/// Undo and redo as model snapshots.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Journey>,
    redo: Vec<Journey>,
    last: Option<(BurstKey, f64)>,
}

impl History {
    /// Records the state before a change made at `now` (seconds).
    fn record(&mut self, before: &Journey, key: Option<BurstKey>, now: f64) {
        let coalesce = matches!((&self.last, &key), (Some((k, t)), Some(k2)) if k == k2 && now - t < BURST_SECS);
        if !coalesce {
            self.undo.push(before.clone());
            if self.undo.len() > HISTORY_LIMIT {
                self.undo.remove(0);
            }
        }
        self.redo.clear();
        self.last = key.map(|k| (k, now));
    }

    /// Whether there is something to undo.
    #[must_use]
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    #[must_use]
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Forgets everything (a new or opened journey).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The result of applying a command.
#[derive(Debug, Default)]
pub struct Applied {
    /// Items to select afterwards (new nodes, pasted items).
    pub select: Option<Vec<Item>>,
}

/// The journey being edited, its history and what follows from it.
#[derive(Debug)]
pub struct Document {
    /// The model: the truth.
    pub journey: Journey,
    /// Undo and redo.
    pub history: History,
    /// The journey as last saved or loaded (for the unsaved marker).
    pub saved: Journey,
    /// Unsaved changes.
    pub dirty: bool,
    /// Changed since the last autosave.
    pub changed_since_autosave: bool,
    /// Live validation of [`Self::journey`].
    pub diagnostics: Vec<Diagnostic>,
    /// Worst severity and messages per node, for the badges.
    pub node_problems: BTreeMap<NodeId, (Severity, Vec<String>)>,
}

impl Document {
    /// A document for a loaded or new journey (clean, no history).
    #[must_use]
    pub fn new(journey: Journey) -> Self {
        let mut doc = Self {
            saved: journey.clone(),
            journey,
            history: History::default(),
            dirty: false,
            changed_since_autosave: false,
            diagnostics: Vec::new(),
            node_problems: BTreeMap::new(),
        };
        doc.revalidate();
        doc
    }

    /// Applies one command at time `now` (seconds): the one place the model changes.
    ///
    /// # Errors
    /// A message for the user when the command is refused; the journey is then unchanged.
    pub fn apply(&mut self, command: Command, now: f64) -> Result<Applied, String> {
        let mut next = self.journey.clone();
        let key = command.burst_key();
        let applied = apply_to(&mut next, command)?;
        if next == self.journey {
            return Ok(applied);
        }
        self.history.record(&self.journey, key, now);
        self.journey = next;
        self.after_change();
        Ok(applied)
    }

    /// Steps back one undo step.
    pub fn undo(&mut self) -> bool {
        let Some(prev) = self.history.undo.pop() else { return false };
        let current = std::mem::replace(&mut self.journey, prev);
        self.history.redo.push(current);
        self.history.last = None;
        self.after_change();
        true
    }

    /// Steps forward one redo step.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.history.redo.pop() else { return false };
        let current = std::mem::replace(&mut self.journey, next);
        self.history.undo.push(current);
        self.history.last = None;
        self.after_change();
        true
    }

    /// Marks the current journey as saved.
    pub fn mark_saved(&mut self) {
        self.saved = self.journey.clone();
        self.dirty = false;
    }

    fn after_change(&mut self) {
        self.dirty = self.journey != self.saved;
        self.changed_since_autosave = true;
        self.revalidate();
    }

    /// Re-runs validation and rebuilds the per-node badges.
    pub fn revalidate(&mut self) {
        self.diagnostics = validate::validate(&self.journey);
        self.node_problems.clear();
        for d in &self.diagnostics {
            for id in d.nodes() {
                let entry = self.node_problems.entry(*id).or_insert((d.severity, Vec::new()));
                entry.0 = entry.0.max(d.severity);
                entry.1.push(d.message.clone());
            }
        }
    }
}

/// Asks the model whether a link may be made; a marketer-readable reason when not.
///
/// # Errors
/// The reason the link is refused.
pub fn check_connect(journey: &Journey, from: NodeId, port: Port, to: NodeId) -> Result<(), String> {
    validate::check_connect(journey, from, port, to)
}

fn apply_to(j: &mut Journey, command: Command) -> Result<Applied, String> {
    let mut applied = Applied::default();
    match command {
        Command::AddNode { kind, pos, connect_from } => {
            if kind == KindTag::Entry && j.graph.entries().next().is_some() {
                return Err("A journey has exactly one entry node".to_owned());
            }
            let id = j.graph.next_node_id();
            let label = kind.label().to_owned();
            // A new card never covers another: it goes to the free spot nearest the one asked.
            let mut node = Node { id, label, pos, kind: kind.default_kind() };
            let spot = geometry::free_spot(
                &geometry::occupied(j),
                geometry::card_width(&node),
                geometry::node_height(&node),
                pos.into(),
            );
            node.pos = CanvasPos::new(spot.x, spot.y);
            j.graph.nodes.insert(id, node);
            if let Some((from, port)) = connect_from {
                check_connect(j, from, port, id)?;
                j.graph.connect(from, port, id);
            }
            applied.select = Some(vec![Item::Node(id)]);
        }
        Command::AddGoal { pos } => {
            if j.goals.len() >= MAX_GOALS {
                return Err(format!("A journey has at most {MAX_GOALS} goals"));
            }
            let n = j.goals.len() + 1;
            // Goals tile in the goals area.
            let spot = geometry::new_goal_spot(j, pos.into());
            j.goals.push(Goal {
                name: format!("Goal {n}"),
                event: EventFilter::named("Charged"),
                mode: GoalMode::Live,
                value_property: None,
                pos: CanvasPos::new(spot.x, spot.y),
            });
            applied.select = Some(vec![Item::Goal(j.goals.len() - 1)]);
        }
        Command::Connect { from, port, to } => {
            check_connect(j, from, port, to)?;
            j.graph.connect(from, port, to);
        }
        Command::Disconnect(out) => {
            j.graph.links.remove(&out);
        }
        Command::MoveItems { moves, .. } => {
            for (item, pos) in moves {
                match item {
                    Item::Node(id) => {
                        if let Some(n) = j.graph.nodes.get_mut(&id) {
                            n.pos = pos;
                        }
                    }
                    Item::Goal(i) => {
                        if let Some(g) = j.goals.get_mut(i) {
                            g.pos = pos;
                        }
                    }
                    Item::Comment(id) => {
                        if let Some(c) = j.comments.iter_mut().find(|c| c.id == id) {
                            c.pos = pos;
                        }
                    }
                }
            }
        }
        Command::Delete { items, link } => {
            if let Some(out) = link {
                j.graph.links.remove(&out);
            }
            let mut goals = Vec::new();
            for item in items {
                match item {
                    Item::Node(id) => {
                        j.graph.remove_node(id);
                    }
                    Item::Goal(i) => goals.push(i),
                    Item::Comment(id) => j.comments.retain(|c| c.id != id),
                }
            }
            goals.sort_unstable();
            goals.dedup();
            for i in goals.into_iter().rev() {
                if i < j.goals.len() {
                    j.goals.remove(i);
                }
            }
            applied.select = Some(Vec::new());
        }
        Command::Paste { fragment, at } => {
            applied.select = Some(paste(j, &fragment, at)?);
        }
        Command::SetNodeSettings(node) => {
            let Some(n) = j.graph.nodes.get_mut(&node.id) else {
                return Err(format!("Node {} no longer exists", node.id));
            };
            n.label = node.label;
            n.kind = node.kind;
            // Ports that disappeared (a removed split path) lose their links.
            let ports = n.kind.output_ports();
            let id = n.id;
            j.graph.links.retain(|o, _| o.node != id || ports.contains(&o.port));
        }
        Command::SetSetup(setup) => j.setup = setup,
        Command::SetEntry { node, entry } => match j.graph.nodes.get_mut(&node) {
            Some(Node { kind: NodeKind::Entry(seg), .. }) => *seg = entry,
            _ => return Err(format!("Node {node} is not the entry node")),
        },
        Command::SetGoals(goals) => {
            if goals.len() > MAX_GOALS {
                return Err(format!("A journey has at most {MAX_GOALS} goals"));
            }
            j.goals = goals;
        }
        Command::SetScenario(scenario) => j.scenario = scenario,
        Command::DescribeEvent(event) => {
            if event.trim().is_empty() {
                return Err("An event needs a name before the scenario can describe it".to_owned());
            }
            if j.scenario.events.contains_key(&event) {
                return Err(format!("The scenario already describes the event '{event}'"));
            }
            let behaviour = Scenario::typical_event_behaviour(&event);
            j.scenario.events.insert(event, behaviour);
        }
        Command::AddComment { pos, text } => {
            let id = j.next_comment_id();
            // A note goes beside the cards, not under them (it can be dragged there).
            let mut comment = Comment { id, pos, text };
            let size = geometry::comment_rect(&comment);
            let spot = geometry::free_spot(&geometry::occupied(j), size.width, size.height, pos.into());
            comment.pos = CanvasPos::new(spot.x, spot.y);
            j.comments.push(comment);
            applied.select = Some(vec![Item::Comment(id)]);
        }
        Command::EditComment { id, text } => {
            if let Some(c) = j.comments.iter_mut().find(|c| c.id == id) {
                c.text = text;
            }
        }
        Command::AutoAlign(only) => {
            for (id, pos) in layout::auto_align(j, only.as_ref()) {
                if let Some(n) = j.graph.nodes.get_mut(&id) {
                    n.pos = pos;
                }
            }
        }
        Command::SetStatus(status) => j.status = status,
        Command::Publish { name, description, now } => {
            crate::versions::publish(j, &name, &description, now).map_err(|e| format!("Not published: {e}"))?;
        }
        Command::RestoreVersion(number) => {
            crate::versions::restore(j, number)?;
            applied.select = Some(Vec::new());
        }
        Command::Calibrate(chosen) => {
            crate::calibrate::apply(j, &chosen).map_err(|e| format!("Not calibrated: {e}"))?;
        }
    }
    Ok(applied)
}

fn paste(j: &mut Journey, fragment: &Fragment, at: CanvasPos) -> Result<Vec<Item>, String> {
    let has_entry = j.graph.entries().next().is_some();
    let origin = fragment.origin();
    let shift = |p: CanvasPos| CanvasPos::new(p.x - origin.x + at.x, p.y - origin.y + at.y);
    let mut ids = BTreeMap::new();
    let mut select = Vec::new();
    let mut skipped_entry = false;
    for node in &fragment.nodes {
        if node.kind.tag() == KindTag::Entry && (has_entry || skipped_entry) {
            skipped_entry = true;
            continue;
        }
        if node.kind.tag() == KindTag::Entry {
            skipped_entry = true;
        }
        let id = j.graph.next_node_id();
        ids.insert(node.id, id);
        j.graph.nodes.insert(id, Node { id, pos: shift(node.pos), ..node.clone() });
        select.push(Item::Node(id));
    }
    for link in &fragment.links {
        if let (Some(from), Some(to)) = (ids.get(&link.from), ids.get(&link.to)) {
            j.graph.connect(*from, link.port, *to);
        }
    }
    for c in &fragment.comments {
        let id = j.next_comment_id();
        j.comments.push(Comment { id, pos: shift(c.pos), text: c.text.clone() });
        select.push(Item::Comment(id));
    }
    if select.is_empty() {
        return Err("Nothing to paste: a journey has exactly one entry node".to_owned());
    }
    Ok(select)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::new(Journey::new("t"))
    }

    #[test]
    fn one_step_per_command_and_undo_restores() {
        let mut d = doc();
        let original = d.journey.clone();
        d.apply(Command::AddNode { kind: KindTag::Wait, pos: CanvasPos::new(300.0, 0.0), connect_from: None }, 0.0)
            .unwrap();
        d.apply(Command::Connect { from: NodeId(1), port: Port::Next, to: NodeId(2) }, 5.0).unwrap();
        assert!(d.dirty);
        assert!(d.undo());
        assert!(d.undo());
        assert_eq!(d.journey, original);
        assert!(!d.dirty);
        assert!(!d.undo());
        assert!(d.redo() && d.redo());
        assert_eq!(d.journey.graph.target(NodeId(1), Port::Next), Some(NodeId(2)));
    }

    #[test]
    fn describing_an_event_is_one_step_and_clears_its_warning() {
        let mut d = doc();
        d.apply(Command::AddGoal { pos: CanvasPos::default() }, 0.0).unwrap();
        let undescribed = |d: &Document| {
            d.diagnostics.iter().any(|x| x.field == Some(validate::Field::UndescribedEvent("Charged".into())))
        };
        assert!(undescribed(&d), "{:#?}", d.diagnostics);
        let before = d.journey.clone();
        d.apply(Command::DescribeEvent("Charged".into()), 0.5).unwrap();
        assert_eq!(d.journey.scenario.events["Charged"].rate_per_day, 0.05);
        assert!(!undescribed(&d));
        assert!(d.apply(Command::DescribeEvent("Charged".into()), 0.6).is_err());
        assert!(d.undo());
        assert_eq!(d.journey, before);
        assert!(undescribed(&d));
    }

    #[test]
    fn typing_burst_is_one_step() {
        let mut d = doc();
        let original = d.journey.clone();
        let mut node = d.journey.graph.node(NodeId(1)).unwrap().clone();
        for (i, ch) in "Welcome".chars().enumerate() {
            node.label.push(ch);
            d.apply(Command::SetNodeSettings(node.clone()), 0.2 * i as f64).unwrap();
        }
        node.label.push('!');
        d.apply(Command::SetNodeSettings(node), 10.0).unwrap();
        assert!(d.undo());
        assert!(d.journey.graph.node(NodeId(1)).unwrap().label.ends_with("Welcome"));
        assert!(d.undo());
        assert_eq!(d.journey, original);
    }

    #[test]
    fn paste_gives_new_ids_and_keeps_inner_links() {
        let mut d = doc();
        d.apply(Command::AddNode { kind: KindTag::Wait, pos: CanvasPos::new(300.0, 0.0), connect_from: None }, 0.0)
            .unwrap();
        d.apply(
            Command::AddNode {
                kind: KindTag::Channel(crate::model::Channel::Push),
                pos: CanvasPos::new(600.0, 0.0),
                connect_from: Some((NodeId(2), Port::Next)),
            },
            0.0,
        )
        .unwrap();
        let sel: BTreeSet<Item> = [Item::Node(NodeId(2)), Item::Node(NodeId(3))].into();
        let frag = Fragment::copy(&d.journey, &sel);
        assert_eq!(frag.links.len(), 1);
        let back = Fragment::from_text(&frag.to_text()).unwrap();
        assert_eq!(back, frag);
        d.apply(Command::Paste { fragment: frag, at: CanvasPos::new(0.0, 400.0) }, 0.0).unwrap();
        assert_eq!(d.journey.graph.nodes.len(), 5);
        assert_eq!(d.journey.graph.target(NodeId(4), Port::Next), Some(NodeId(5)));
        assert_eq!(d.journey.graph.node(NodeId(4)).unwrap().pos, CanvasPos::new(0.0, 400.0));
    }

    #[test]
    fn publish_status_and_restore_are_one_step_each() {
        let mut d = Document::new(crate::templates::load("abandoned-cart").unwrap());
        let now = Timestamp::from_utc(2027, 1, 4, 9, 0, 0).unwrap();
        let publish = |name: &str| Command::Publish { name: name.into(), description: String::new(), now };
        d.apply(publish("Launch"), 0.0).unwrap();
        assert_eq!(d.journey.versions.len(), 1);
        let v1 = d.journey.graph.clone();
        d.apply(Command::Delete { items: vec![Item::Node(NodeId(8))], link: None }, 1.0).unwrap();
        d.apply(Command::SetStatus(Status::Paused), 2.0).unwrap();
        d.apply(Command::RestoreVersion(1), 3.0).unwrap();
        assert_eq!((&d.journey.graph, d.journey.status), (&v1, Status::Paused));
        assert!(d.undo());
        assert!(d.journey.graph.node(NodeId(8)).is_none());
        // A refused publish (nothing changed since v1 after restoring) leaves no step.
        assert!(d.redo());
        let e = d.apply(publish("Again"), 4.0).unwrap_err();
        assert!(e.contains("nothing to publish"), "{e}");
        assert!(d.undo() && d.undo() && d.undo() && d.undo());
        assert!(d.journey.versions.is_empty());
    }

    #[test]
    fn refused_command_changes_nothing() {
        let mut d = doc();
        let before = d.journey.clone();
        let err =
            d.apply(Command::AddNode { kind: KindTag::Entry, pos: CanvasPos::default(), connect_from: None }, 0.0);
        assert!(err.is_err());
        assert_eq!(d.journey, before);
        assert!(!d.history.can_undo());
    }
}
