//! The node catalogue of §1.3: every kind, its settings and its fixed, named output ports.
//!
//! Invariant: [`NodeKind::output_ports`] is the single source of truth for which ports a
//! node has; the canvas draws them, the format checks links against them, the engine
//! routes through them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::condition::{ActionRule, DatePropertyRule, Filter, InactionRule, PastBehaviourRule, PropertyCondition};
use super::ids::{NodeId, PathId, VariantId};
use super::time::{Seconds, TimeOfDay, Timestamp};

/// A position on the canvas, in canvas units (layout only; never affects behaviour).
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanvasPos {
    /// Left to right.
    pub x: f32,
    /// Top to bottom.
    pub y: f32,
}

impl CanvasPos {
    /// A position.
    #[must_use]
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// One node of the journey graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Stable id.
    pub id: NodeId,
    /// User-editable label shown on the card.
    pub label: String,
    /// Where the card sits on the canvas.
    pub pos: CanvasPos,
    /// Kind and settings.
    pub kind: NodeKind,
}

/// A named output port. Split paths are addressed by their stable [`PathId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Port {
    Next,
    Yes,
    No,
    Timeout,
    Sent,
    Failed,
    Delivered,
    Viewed,
    Clicked,
    Unreachable,
    Updated,
    /// A split path.
    Path(PathId),
    /// A conditional split's catch-all path, always last.
    Others,
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(p) => write!(f, "Path {}", p.0),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The messaging channels of §1.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Channel {
    Push,
    Email,
    Sms,
    WhatsApp,
    WebPush,
    InApp,
    AppInbox,
    Webhook,
}

impl Channel {
    /// Every channel, in palette order.
    pub const ALL: [Self; 8] =
        [Self::Push, Self::Email, Self::Sms, Self::WhatsApp, Self::WebPush, Self::InApp, Self::AppInbox, Self::Webhook];

    /// Output ports exactly as the §1.3 table gives them.
    #[must_use]
    pub fn ports(self) -> &'static [Port] {
        use Port::{Clicked, Delivered, Failed, Sent, Unreachable, Viewed};
        match self {
            Self::Push => &[Sent, Failed, Clicked, Unreachable],
            Self::Email | Self::WebPush => &[Sent, Failed, Viewed, Clicked, Unreachable],
            Self::Sms => &[Sent, Failed, Unreachable],
            Self::WhatsApp => &[Sent, Failed, Delivered, Unreachable],
            Self::InApp => &[Viewed, Clicked],
            Self::AppInbox => &[Sent, Viewed, Clicked],
            Self::Webhook => &[Sent],
        }
    }

    /// Whether DND applies (push, SMS, email, WhatsApp and web push).
    #[must_use]
    pub fn dnd_applies(self) -> bool {
        matches!(self, Self::Push | Self::Sms | Self::Email | Self::WhatsApp | Self::WebPush)
    }

    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Push => "Push",
            Self::Email => "Email",
            Self::Sms => "SMS",
            Self::WhatsApp => "WhatsApp",
            Self::WebPush => "Web push",
            Self::InApp => "In-app",
            Self::AppInbox => "App inbox",
            Self::Webhook => "Webhook",
        }
    }

    /// Which message fields the channel uses (the rest are ignored and hidden).
    #[must_use]
    pub fn fields(self) -> MessageFields {
        let f = |title, subject, buttons, url| MessageFields { title, subject, buttons, url };
        match self {
            Self::Push | Self::WebPush | Self::InApp | Self::AppInbox => f(true, false, true, false),
            Self::Email => f(false, true, false, false),
            Self::Sms => f(false, false, false, false),
            Self::WhatsApp => f(false, false, true, false),
            Self::Webhook => f(false, false, false, true),
        }
    }
}

/// The message fields a channel uses besides the body, which every channel has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct MessageFields {
    pub title: bool,
    pub subject: bool,
    pub buttons: bool,
    pub url: bool,
}

/// A call-to-action button or link.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageButton {
    /// Button text.
    pub label: String,
    /// Deep link or URL.
    pub url: String,
}

/// Message content. Texts may hold Liquid (§4), checked when personalization arrives.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Title (push, web push, in-app, app inbox).
    pub title: String,
    /// Subject line (email).
    pub subject: String,
    /// Body text; for a webhook, the payload.
    pub body: String,
    /// Buttons or links.
    pub buttons: Vec<MessageButton>,
    /// Endpoint URL (webhook).
    pub url: String,
    /// Sending provider, informational.
    pub provider: String,
}

/// One content variant of a channel node (§1.3 "Content variants"): an A/B test inside
/// one message. The first variant is the baseline the statistics compare against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentVariant {
    /// Stable id: the scenario's multipliers name it, so renaming or reordering keeps them.
    pub id: VariantId,
    /// Its name, unique within the node ("A", "Short subject").
    pub name: String,
    /// Whole percentage of users who get it; a node's variants sum to 100.
    pub percent: u8,
    /// Its content (the same fields as the node's message).
    pub message: Message,
}

impl ContentVariant {
    /// The default name of the variant at position `index` ("A", "B", …).
    #[must_use]
    pub fn letter(index: usize) -> String {
        let letters = ["A", "B", "C", "D", "E", "F", "G", "H"];
        letters.get(index).map_or_else(|| format!("V{}", index + 1), |l| (*l).to_owned())
    }
}

/// How long a Wait node holds a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WaitKind {
    /// A fixed duration.
    Duration(Seconds),
    /// Until the next local HH:MM strictly after arrival.
    TimeOfDay {
        /// The local time.
        time: TimeOfDay,
        /// In the user's timezone (when the journey delivers in user timezones) or the account's.
        user_timezone: bool,
    },
    /// Until an absolute date-time (users arriving later pass at once).
    Until(Timestamp),
    /// Until the peak hour of the scenario's activity curve, local time.
    BestTime,
}

/// A condition checked by a wait-for-event / segment-check node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// Did the event (since entering, or within the window).
    LiveAction(ActionRule),
    /// Did A and not B within T.
    Inaction(InactionRule),
    /// Did an event a number of times in a look-back period.
    PastBehaviour(PastBehaviourRule),
    /// User property conditions.
    UserProperty(Filter),
    /// A date property within the next N.
    DateProperty(DatePropertyRule),
}

/// Where a live-action or inaction condition starts counting events (SPEC §1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CountedFrom {
    /// From the user's entry into the journey (the default, as in CleverTap).
    #[default]
    Entry,
    /// Only events at or after the user's arrival at this node ("the next App Launched",
    /// as in Braze's Action Paths). It needs a window.
    Arrival,
}

impl CountedFrom {
    /// Whether this is the default, [`Self::Entry`] (left out of the file).
    #[must_use]
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
    pub fn is_entry(&self) -> bool {
        *self == Self::Entry
    }

    /// Words for the form.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Entry => "entry",
            Self::Arrival => "arrival here",
        }
    }
}

/// A conditional split path: first match wins; Others catches the rest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalPath {
    /// Stable id (the port is `Port::Path(id)`).
    pub id: PathId,
    /// Path name.
    pub name: String,
    /// The condition on user or event properties.
    pub filter: Filter,
}

/// A random split path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomPath {
    /// Stable id (the port is `Port::Path(id)`).
    pub id: PathId,
    /// Path name ("Variant A").
    pub name: String,
    /// Whole percentage; manual percentages sum to 100.
    pub percent: u8,
}

/// How a random split chooses weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum SplitMode {
    /// Fixed percentages.
    Manual,
    /// Bandit reweighting toward the best goal conversion every 5 minutes.
    Automated {
        /// The least share a losing path keeps, in whole percent.
        min_share_percent: u8,
    },
}

/// One row of a profile update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdateRow {
    /// The user property.
    pub property: String,
    /// What to do.
    pub op: UpdateOp,
    /// The value (literal now; Liquid up to 512 characters with personalization).
    pub value: String,
}

/// Profile update operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum UpdateOp {
    SetTo,
    IncreaseBy,
    DecreaseBy,
    AddToArray,
    RemoveFromArray,
}

impl UpdateOp {
    /// Every operator.
    pub const ALL: [Self; 5] =
        [Self::SetTo, Self::IncreaseBy, Self::DecreaseBy, Self::AddToArray, Self::RemoveFromArray];
    /// Words for the form.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::SetTo => "set to",
            Self::IncreaseBy => "increase by",
            Self::DecreaseBy => "decrease by",
            Self::AddToArray => "add to array",
            Self::RemoveFromArray => "remove from array",
        }
    }
}

/// The entry rule of §1.2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum EntryRule {
    /// Live: at each qualifying occurrence.
    LiveAction(ActionRule),
    /// Live: at A + T when B did not happen.
    Inaction(InactionRule),
    /// Live: at max(start, date − lead).
    DateProperty(DatePropertyRule),
    /// Scheduled: evaluated at each run of the entry timeline.
    PastBehaviour(PastBehaviourRule),
    /// Scheduled: an explicit list of users (the scenario states its share).
    CustomList {
        /// The list's name.
        name: String,
    },
}

impl EntryRule {
    /// Live entry (users enter the moment they qualify) or scheduled runs.
    #[must_use]
    pub fn is_live(&self) -> bool {
        matches!(self, Self::LiveAction(_) | Self::Inaction(_) | Self::DateProperty(_))
    }
    /// Whether the entry supplies an event context (live action, inaction, date-time).
    #[must_use]
    pub fn supplies_event(&self) -> bool {
        self.is_live()
    }
}

/// The entry segment: who qualifies, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySegment {
    /// The rule.
    pub rule: EntryRule,
    /// User-property filters, combined with AND.
    pub user_filters: Vec<PropertyCondition>,
    /// "Do not send to unsubscribed users": turn away users unsubscribed from every channel the journey uses.
    pub skip_unsubscribed: bool,
}

/// A node's kind and settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum NodeKind {
    /// The first node: the entry segment.
    Entry(EntrySegment),
    /// A delay.
    Wait(WaitKind),
    /// Wait for event / segment check.
    Condition {
        /// What is checked.
        condition: Condition,
        /// Qualifying window; `None` decides at arrival.
        window: Option<Seconds>,
        /// Where a live-action or inaction condition starts counting (ignored by the
        /// other conditions). Left out of the file when it is the default, so files saved
        /// before this field load unchanged.
        #[serde(default, skip_serializing_if = "CountedFrom::is_entry")]
        counted_from: CountedFrom,
    },
    /// First-match split on properties, plus Others.
    ConditionalSplit {
        /// 1–6 ordered paths.
        paths: Vec<ConditionalPath>,
    },
    /// A/B split.
    RandomSplit {
        /// 2–7 paths.
        paths: Vec<RandomPath>,
        /// Manual or automated.
        mode: SplitMode,
        /// Everyone goes down this path when set.
        winner: Option<PathId>,
    },
    /// A message on a channel.
    Channel {
        /// Which channel.
        channel: Channel,
        /// The content.
        message: Message,
        /// How long the node waits for engagement (default 1 day).
        engagement_window: Seconds,
        /// Use the account timezone for DND even when delivering in user timezones.
        exclude_from_user_timezone: bool,
        /// Content variants (2–5, percentages summing to 100). When there are any, each
        /// user gets one of them instead of `message`; empty (the default, and every file
        /// saved before variants existed) means everyone gets `message`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        variants: Vec<ContentVariant>,
    },
    /// Sets user properties.
    ProfileUpdate {
        /// The rows, each property once.
        rows: Vec<ProfileUpdateRow>,
    },
    /// Takes the user out of the journey.
    ForceExit,
    /// An intended end of a path, counted as completed.
    Exit,
}

/// The kind without settings: palette entries, icons, colours, coverage matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum KindTag {
    Entry,
    Wait,
    Condition,
    ConditionalSplit,
    RandomSplit,
    Channel(Channel),
    ProfileUpdate,
    ForceExit,
    Exit,
}

/// Palette groups (§5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum PaletteGroup {
    Entry,
    FlowControl,
    Engagement,
    Controllers,
}

impl KindTag {
    /// Every node kind a user can add, palette order.
    #[must_use]
    pub fn all() -> Vec<Self> {
        let mut v = vec![Self::Entry, Self::Wait, Self::Condition, Self::ConditionalSplit, Self::RandomSplit];
        v.extend(Channel::ALL.map(Self::Channel));
        v.extend([Self::ProfileUpdate, Self::ForceExit, Self::Exit]);
        v
    }

    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Entry => "Entry",
            Self::Wait => "Wait",
            Self::Condition => "Wait for event / check",
            Self::ConditionalSplit => "Conditional split",
            Self::RandomSplit => "Random split",
            Self::Channel(c) => c.label(),
            Self::ProfileUpdate => "Profile update",
            Self::ForceExit => "Force exit",
            Self::Exit => "Exit",
        }
    }

    /// Palette group.
    #[must_use]
    pub fn group(self) -> PaletteGroup {
        match self {
            Self::Entry => PaletteGroup::Entry,
            Self::Wait | Self::Condition | Self::ConditionalSplit | Self::RandomSplit => PaletteGroup::FlowControl,
            Self::Channel(_) => PaletteGroup::Engagement,
            Self::ProfileUpdate | Self::ForceExit | Self::Exit => PaletteGroup::Controllers,
        }
    }

    /// A new node of this kind with sensible defaults (what the palette drops).
    #[must_use]
    pub fn default_kind(self) -> NodeKind {
        match self {
            Self::Entry => NodeKind::Entry(EntrySegment {
                rule: EntryRule::LiveAction(ActionRule {
                    event: super::condition::EventFilter::named("App Launched"),
                    nth_occurrence: None,
                }),
                user_filters: Vec::new(),
                skip_unsubscribed: false,
            }),
            Self::Wait => NodeKind::Wait(WaitKind::Duration(Seconds::DAY)),
            Self::Condition => NodeKind::Condition {
                condition: Condition::LiveAction(ActionRule {
                    event: super::condition::EventFilter::named("Charged"),
                    nth_occurrence: None,
                }),
                window: Some(Seconds::DAY),
                counted_from: CountedFrom::Entry,
            },
            Self::ConditionalSplit => NodeKind::ConditionalSplit {
                paths: vec![ConditionalPath { id: PathId(1), name: "Path 1".into(), filter: Filter::default() }],
            },
            Self::RandomSplit => NodeKind::RandomSplit {
                paths: vec![
                    RandomPath { id: PathId(1), name: "Variant A".into(), percent: 50 },
                    RandomPath { id: PathId(2), name: "Variant B".into(), percent: 50 },
                ],
                mode: SplitMode::Manual,
                winner: None,
            },
            Self::Channel(channel) => NodeKind::Channel {
                channel,
                message: Message { body: format!("Your {} message", channel.label()), ..Message::default() },
                engagement_window: Seconds::DAY,
                exclude_from_user_timezone: false,
                variants: Vec::new(),
            },
            Self::ProfileUpdate => NodeKind::ProfileUpdate { rows: Vec::new() },
            Self::ForceExit => NodeKind::ForceExit,
            Self::Exit => NodeKind::Exit,
        }
    }
}

impl NodeKind {
    /// The settings-free tag.
    #[must_use]
    pub fn tag(&self) -> KindTag {
        match self {
            Self::Entry(_) => KindTag::Entry,
            Self::Wait(_) => KindTag::Wait,
            Self::Condition { .. } => KindTag::Condition,
            Self::ConditionalSplit { .. } => KindTag::ConditionalSplit,
            Self::RandomSplit { .. } => KindTag::RandomSplit,
            Self::Channel { channel, .. } => KindTag::Channel(*channel),
            Self::ProfileUpdate { .. } => KindTag::ProfileUpdate,
            Self::ForceExit => KindTag::ForceExit,
            Self::Exit => KindTag::Exit,
        }
    }

    /// The node's output ports, in display order.
    #[must_use]
    pub fn output_ports(&self) -> Vec<Port> {
        match self {
            Self::Entry(_) | Self::Wait(_) => vec![Port::Next],
            Self::Condition { .. } => vec![Port::Yes, Port::No, Port::Timeout],
            Self::ConditionalSplit { paths } => {
                let mut v: Vec<Port> = paths.iter().map(|p| Port::Path(p.id)).collect();
                v.push(Port::Others);
                v
            }
            Self::RandomSplit { paths, .. } => paths.iter().map(|p| Port::Path(p.id)).collect(),
            Self::Channel { channel, .. } => channel.ports().to_vec(),
            Self::ProfileUpdate { .. } => vec![Port::Updated],
            Self::ForceExit | Self::Exit => Vec::new(),
        }
    }

    /// The message contents a channel node can send: each variant's, or its one message
    /// when it has no variants. Other kinds have none.
    #[must_use]
    pub fn contents(&self) -> Vec<&Message> {
        match self {
            Self::Channel { variants, .. } if !variants.is_empty() => variants.iter().map(|v| &v.message).collect(),
            Self::Channel { message, .. } => vec![message],
            _ => Vec::new(),
        }
    }

    /// A channel node's content variants (empty for other kinds and for one message).
    #[must_use]
    pub fn variants(&self) -> &[ContentVariant] {
        match self {
            Self::Channel { variants, .. } => variants,
            _ => &[],
        }
    }

    /// Whether the node has this output port.
    #[must_use]
    pub fn has_port(&self, port: Port) -> bool {
        self.output_ports().contains(&port)
    }

    /// A port's display name (split paths by their name). A random split's path says how
    /// users are shared out: its percentage when manual, "auto" when the split reweights
    /// itself, and "winner" or "off" once a winner is declared (everyone takes the winner).
    #[must_use]
    pub fn port_label(&self, port: Port) -> String {
        let path_name = match (self, port) {
            (Self::ConditionalSplit { paths }, Port::Path(id)) => {
                paths.iter().find(|p| p.id == id).map(|p| p.name.clone())
            }
            (Self::RandomSplit { paths, mode, winner }, Port::Path(id)) => {
                let declared = winner.filter(|w| paths.iter().any(|p| p.id == *w));
                paths.iter().find(|p| p.id == id).map(|p| match (declared, mode) {
                    (Some(w), _) if w == id => format!("{} winner", p.name),
                    (Some(_), _) => format!("{} off", p.name),
                    (None, SplitMode::Automated { .. }) => format!("{} auto", p.name),
                    (None, SplitMode::Manual) => format!("{} {}%", p.name, p.percent),
                })
            }
            _ => None,
        };
        path_name.unwrap_or_else(|| port.to_string())
    }

    /// One line for the card ("Wait 1 day", "Push: Flash sale", "Split 50 / 50").
    #[must_use]
    pub fn summary(&self) -> String {
        match self {
            Self::Entry(seg) => match &seg.rule {
                EntryRule::LiveAction(a) => match a.nth_occurrence {
                    Some(n) => format!("On {} (occurrence {n})", a.event.event),
                    None => format!("On {}", a.event.event),
                },
                EntryRule::Inaction(r) => format!("{} without {} in {}", r.did.event, r.not_did.event, r.within),
                EntryRule::DateProperty(r) => format!("{} within the next {}", r.property, r.within_next),
                EntryRule::PastBehaviour(r) => {
                    format!("Did {} {} in {} days", r.event.event, r.count, r.last_days)
                }
                EntryRule::CustomList { name } => format!("List {name}"),
            },
            Self::Wait(w) => match w {
                WaitKind::Duration(d) => format!("Wait {d}"),
                WaitKind::TimeOfDay { time, user_timezone } => {
                    format!("Until {time}{}", if *user_timezone { " user time" } else { "" })
                }
                WaitKind::Until(t) => format!("Until {t}"),
                WaitKind::BestTime => "Until best time".to_owned(),
            },
            Self::Condition { condition, window, counted_from } => {
                let next = *counted_from == CountedFrom::Arrival;
                let what = match condition {
                    Condition::LiveAction(a) if next => format!("Next {}", a.event.event),
                    Condition::LiveAction(a) => format!("Did {}?", a.event.event),
                    Condition::Inaction(r) if next => format!("Next {} without {}", r.did.event, r.not_did.event),
                    Condition::Inaction(r) => format!("{} without {}?", r.did.event, r.not_did.event),
                    Condition::PastBehaviour(r) => format!("{} {} in {} days?", r.event.event, r.count, r.last_days),
                    Condition::UserProperty(f) => format!("{} user conditions?", f.conditions().len()),
                    Condition::DateProperty(r) => format!("{} within {}?", r.property, r.within_next),
                };
                match window {
                    Some(w) => format!("{what} within {w}"),
                    None => what,
                }
            }
            Self::ConditionalSplit { paths } => format!("{} paths + Others", paths.len()),
            Self::RandomSplit { paths, mode, winner } => {
                if let Some(w) = winner.and_then(|w| paths.iter().find(|p| p.id == w)) {
                    return format!("Winner: {}", w.name);
                }
                match mode {
                    SplitMode::Manual => {
                        let shares: Vec<String> = paths.iter().map(|p| p.percent.to_string()).collect();
                        format!("Split {}", shares.join(" / "))
                    }
                    SplitMode::Automated { .. } => format!("Auto split, {} paths", paths.len()),
                }
            }
            Self::Channel { channel, variants, .. } if !variants.is_empty() => {
                let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
                format!("{}: {} variants ({})", channel.label(), variants.len(), names.join(" / "))
            }
            Self::Channel { channel, message, .. } => {
                let headline = [&message.title, &message.subject, &message.body]
                    .into_iter()
                    .find(|s| !s.trim().is_empty())
                    .map(|s| s.lines().next().unwrap_or_default().chars().take(32).collect::<String>())
                    .unwrap_or_default();
                format!("{}: {headline}", channel.label())
            }
            Self::ProfileUpdate { rows } => match rows.first() {
                Some(r) if rows.len() == 1 => format!("{} {} {}", r.property, r.op.label(), r.value),
                _ => format!("Update {} properties", rows.len()),
            },
            Self::ForceExit => "Leave the journey".to_owned(),
            Self::Exit => "End of path".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_ports_follow_the_table() {
        assert_eq!(Channel::Push.ports(), &[Port::Sent, Port::Failed, Port::Clicked, Port::Unreachable]);
        assert_eq!(Channel::InApp.ports(), &[Port::Viewed, Port::Clicked]);
        assert_eq!(Channel::Webhook.ports(), &[Port::Sent]);
        assert!(Channel::WhatsApp.ports().contains(&Port::Delivered));
    }

    #[test]
    fn summaries_read_well() {
        assert_eq!(NodeKind::Wait(WaitKind::Duration(Seconds::DAY)).summary(), "Wait 1 day");
        assert_eq!(KindTag::RandomSplit.default_kind().summary(), "Split 50 / 50");
        let kind = KindTag::ConditionalSplit.default_kind();
        assert_eq!(kind.output_ports(), vec![Port::Path(PathId(1)), Port::Others]);
        // The card says where a condition counts from.
        let launch = |counted_from| NodeKind::Condition {
            condition: Condition::LiveAction(ActionRule {
                event: super::super::condition::EventFilter::named("App Launched"),
                nth_occurrence: None,
            }),
            window: Some(Seconds::days(2)),
            counted_from,
        };
        assert_eq!(launch(CountedFrom::Entry).summary(), "Did App Launched? within 2 days");
        assert_eq!(launch(CountedFrom::Arrival).summary(), "Next App Launched within 2 days");
    }

    #[test]
    fn split_ports_are_labelled_by_mode() {
        let NodeKind::RandomSplit { paths, .. } = KindTag::RandomSplit.default_kind() else { unreachable!() };
        let (a, b) = (paths[0].id, paths[1].id);
        let split =
            |mode: SplitMode, winner: Option<PathId>| NodeKind::RandomSplit { paths: paths.clone(), mode, winner };
        let labels = |k: &NodeKind| [k.port_label(Port::Path(a)), k.port_label(Port::Path(b))];
        let (name_a, name_b) = (&paths[0].name, &paths[1].name);
        assert_eq!(labels(&split(SplitMode::Manual, None)), [format!("{name_a} 50%"), format!("{name_b} 50%")]);
        let auto = SplitMode::Automated { min_share_percent: 10 };
        assert_eq!(labels(&split(auto.clone(), None)), [format!("{name_a} auto"), format!("{name_b} auto")]);
        assert_eq!(labels(&split(auto, Some(b))), [format!("{name_a} off"), format!("{name_b} winner")]);
        assert_eq!(labels(&split(SplitMode::Manual, Some(a))), [format!("{name_a} winner"), format!("{name_b} off")]);
        // A winner that names no path (a hand-edited file) changes nothing.
        assert_eq!(labels(&split(SplitMode::Manual, Some(PathId(99))))[0], format!("{name_a} 50%"));
    }
}
