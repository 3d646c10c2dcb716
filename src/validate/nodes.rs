//! Node-settings rules: split paths and percentages, chains of conditional splits,
//! required fields and message content, profile-update rows, positive durations,
//! operators and their values, time-of-day waits inside a DND skip window, short
//! past-behaviour windows and waits beyond the journey timeout.
//!
//! Invariant: every rule reads one node (or, for split chains, the usable links between
//! conditional splits) and reports at that node; nothing here panics on any value.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{successors, usable_links};
use super::{Out, Rule, name};
use crate::model::{Channel, DndAction, Message, TimeOfDay};
use crate::model::{
    Condition, EntryRule, EntrySegment, EventFilter, Filter, Journey, Node, NodeId, NodeKind, Operator, PathId,
    PropertyCondition, Seconds, SplitMode, Value, ValueKind, WaitKind, Weekday,
};

/// Most paths of a conditional split (plus Others).
pub const MAX_CONDITIONAL_PATHS: usize = 6;
/// Fewest and most paths of a random split.
pub const RANDOM_PATHS: std::ops::RangeInclusive<usize> = 2..=7;
/// Most conditional splits directly linked in sequence.
pub const MAX_SPLIT_CHAIN: usize = 3;
/// Longest profile-update value, in characters.
pub const MAX_VALUE_CHARS: usize = 512;

/// A problem found in a part of a node (or goal, or setup), placed by the caller.
pub(crate) type Problems = Vec<(Rule, String)>;

/// Runs the node rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    for node in j.graph.nodes.values() {
        let mut p = Problems::new();
        let mut warnings = Problems::new();
        node_rules(j, node, &mut p, &mut warnings);
        for (rule, msg) in p {
            out.node_error(rule, node.id, msg);
        }
        for (rule, msg) in warnings {
            out.node_warn(rule, node.id, msg);
        }
    }
    split_chains(j, out);
}

fn node_rules(j: &Journey, node: &Node, p: &mut Problems, w: &mut Problems) {
    let who = name(node);
    match &node.kind {
        NodeKind::Entry(seg) => entry(seg, &who, p),
        NodeKind::Wait(kind) => wait(j, kind, &who, p, w),
        NodeKind::Condition { condition, window } => {
            condition_rules(condition, &who, p);
            if let Some(win) = window {
                if win.0 <= 0 {
                    p.push((Rule::NonPositive, format!("{who}: the waiting window must be longer than 0")));
                } else if matches!(condition, Condition::PastBehaviour(_)) && *win < Seconds::DAY {
                    w.push((
                        Rule::ShortPastBehaviourWindow,
                        format!(
                            "{who}: the window of {win} is shorter than 24 hours; past behaviour is checked once a \
                             day, so most users will time out"
                        ),
                    ));
                }
            }
        }
        NodeKind::ConditionalSplit { paths } => {
            if paths.is_empty() || paths.len() > MAX_CONDITIONAL_PATHS {
                p.push((
                    Rule::ConditionalSplitPaths,
                    format!(
                        "{who} has {} paths; a conditional split needs 1 to {MAX_CONDITIONAL_PATHS} paths \
                         (Others comes on top)",
                        paths.len()
                    ),
                ));
            }
            duplicate_paths(paths.iter().map(|x| x.id), &who, p);
            for path in paths {
                filter(&path.filter, &format!("{who}, path '{}'", path.name), p);
            }
        }
        NodeKind::RandomSplit { paths, mode, winner } => {
            if !RANDOM_PATHS.contains(&paths.len()) {
                p.push((
                    Rule::RandomSplitPaths,
                    format!(
                        "{who} has {} paths; a random split needs {} to {} paths",
                        paths.len(),
                        RANDOM_PATHS.start(),
                        RANDOM_PATHS.end()
                    ),
                ));
            }
            duplicate_paths(paths.iter().map(|x| x.id), &who, p);
            for path in paths.iter().filter(|x| x.percent > 100) {
                p.push((
                    Rule::SplitPercentages,
                    format!("{who}: path '{}' has {}%, more than 100%", path.name, path.percent),
                ));
            }
            match mode {
                SplitMode::Manual => {
                    let sum: u32 = paths.iter().map(|x| u32::from(x.percent)).sum();
                    if sum != 100 {
                        p.push((
                            Rule::SplitPercentages,
                            format!("{who}: the percentages add up to {sum}%, they must add up to 100%"),
                        ));
                    }
                }
                SplitMode::Automated { min_share_percent } => {
                    let total = usize::from(*min_share_percent).saturating_mul(paths.len());
                    if *min_share_percent > 100 || total > 100 {
                        p.push((
                            Rule::AutomatedMinShare,
                            format!(
                                "{who}: a minimum share of {min_share_percent}% for each of {} paths adds up to \
                                 more than 100%",
                                paths.len()
                            ),
                        ));
                    }
                }
            }
            if let Some(win) = winner
                && !paths.iter().any(|x| x.id == *win)
            {
                p.push((Rule::SplitWinner, format!("{who}: the declared winner is not one of its paths any more")));
            }
        }
        NodeKind::Channel { channel, message, engagement_window, .. } => {
            message_rules(*channel, message, &who, p);
            if engagement_window.0 <= 0 {
                p.push((Rule::NonPositive, format!("{who}: the engagement window must be longer than 0")));
            }
        }
        NodeKind::ProfileUpdate { rows } => {
            if rows.is_empty() {
                p.push((Rule::RequiredField, format!("{who} updates nothing: add at least one property")));
            }
            let mut seen = BTreeSet::new();
            for (i, row) in rows.iter().enumerate() {
                let property = row.property.trim();
                if property.is_empty() {
                    p.push((Rule::RequiredField, format!("{who}: row {} has no property name", i + 1)));
                } else if !seen.insert(property) {
                    p.push((
                        Rule::DuplicateProperty,
                        format!("{who} updates '{property}' more than once; each property may appear once"),
                    ));
                }
                let chars = row.value.chars().count();
                if chars > MAX_VALUE_CHARS {
                    p.push((
                        Rule::ValueTooLong,
                        format!(
                            "{who}: the value for '{property}' has {chars} characters, at most {MAX_VALUE_CHARS} \
                             are allowed"
                        ),
                    ));
                }
            }
        }
        NodeKind::ForceExit | NodeKind::Exit => {}
    }
}

fn duplicate_paths(ids: impl Iterator<Item = PathId>, who: &str, p: &mut Problems) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            p.push((
                Rule::DuplicatePath,
                format!("{who}: two paths share the id {id}, so their links cannot be told apart"),
            ));
        }
    }
}

fn entry(seg: &EntrySegment, who: &str, p: &mut Problems) {
    match &seg.rule {
        EntryRule::LiveAction(a) => {
            event_filter(&a.event, who, p);
            nth(a.nth_occurrence, who, p);
        }
        EntryRule::Inaction(r) => {
            event_filter(&r.did, who, p);
            event_filter(&r.not_did, who, p);
            positive(r.within, &format!("{who}: the inaction time"), p);
        }
        EntryRule::DateProperty(r) => {
            required(&r.property, &format!("{who}: the date property"), p);
            positive(r.within_next, &format!("{who}: the \"within the next\" period"), p);
        }
        EntryRule::PastBehaviour(r) => {
            event_filter(&r.event, who, p);
            days(r.last_days, who, p);
        }
        EntryRule::CustomList { name } => required(name, &format!("{who}: the list name"), p),
    }
    for c in &seg.user_filters {
        condition(c, &format!("{who}, user filter"), p);
    }
}

fn condition_rules(c: &Condition, who: &str, p: &mut Problems) {
    match c {
        Condition::LiveAction(a) => {
            event_filter(&a.event, who, p);
            nth(a.nth_occurrence, who, p);
        }
        Condition::Inaction(r) => {
            event_filter(&r.did, who, p);
            event_filter(&r.not_did, who, p);
            positive(r.within, &format!("{who}: the inaction time"), p);
        }
        Condition::PastBehaviour(r) => {
            event_filter(&r.event, who, p);
            days(r.last_days, who, p);
        }
        Condition::UserProperty(f) => filter(f, who, p),
        Condition::DateProperty(r) => {
            required(&r.property, &format!("{who}: the date property"), p);
            positive(r.within_next, &format!("{who}: the \"within the next\" period"), p);
        }
    }
}

fn nth(n: Option<u32>, who: &str, p: &mut Problems) {
    if n == Some(0) {
        p.push((Rule::NonPositive, format!("{who}: the occurrence to count must be 1 or more")));
    }
}

fn days(n: u32, who: &str, p: &mut Problems) {
    if n == 0 {
        p.push((Rule::NonPositive, format!("{who}: the look-back period must be at least 1 day")));
    }
}

fn positive(d: Seconds, what: &str, p: &mut Problems) {
    if d.0 <= 0 {
        p.push((Rule::NonPositive, format!("{what} must be longer than 0")));
    }
}

fn required(text: &str, what: &str, p: &mut Problems) {
    if text.trim().is_empty() {
        p.push((Rule::RequiredField, format!("{what} is empty")));
    }
}

/// An event with its property filters: the name is required, every filter is checked.
pub(crate) fn event_filter(e: &EventFilter, who: &str, p: &mut Problems) {
    required(&e.event, &format!("{who}: the event name"), p);
    for c in &e.filters {
        condition(c, &format!("{who}, filter on {}", if e.event.is_empty() { "the event" } else { &e.event }), p);
    }
}

/// Every leaf of an AND/OR group.
pub(crate) fn filter(f: &Filter, who: &str, p: &mut Problems) {
    for c in f.conditions() {
        condition(c, who, p);
    }
}

fn kind_words(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "a text",
        ValueKind::Number => "a number",
        ValueKind::Bool => "a true/false",
        ValueKind::DateTime => "a date-time",
        ValueKind::Duration => "a duration",
    }
}

/// One comparison: a property name, an operator that takes the value's type, a usable value.
pub(crate) fn condition(c: &PropertyCondition, who: &str, p: &mut Problems) {
    let property = c.property.trim();
    if property.is_empty() {
        p.push((Rule::RequiredField, format!("{who}: a condition has no property name")));
    }
    if !c.op.accepts(c.value.kind()) {
        p.push((
            Rule::OperatorValue,
            format!(
                "{who}: the condition on '{property}' uses \"{}\", which cannot take {} value ({})",
                c.op.label(),
                kind_words(c.value.kind()),
                c.value
            ),
        ));
    }
    match &c.value {
        Value::Number(x) if !x.is_finite() => {
            p.push((
                Rule::OperatorValue,
                format!("{who}: the condition on '{property}' has a value that is not a number"),
            ));
        }
        Value::Duration(d) if d.0 <= 0 && matches!(c.op, Operator::WithinLast | Operator::WithinNext) => {
            p.push((
                Rule::NonPositive,
                format!("{who}: the period of the condition on '{property}' must be longer than 0"),
            ));
        }
        _ => {}
    }
}

fn message_rules(channel: Channel, m: &Message, who: &str, p: &mut Problems) {
    let what = if channel == Channel::Webhook { "payload" } else { "message body" };
    required(&m.body, &format!("{who}: the {what}"), p);
    if matches!(channel, Channel::Push | Channel::WebPush) {
        required(&m.title, &format!("{who}: the title"), p);
    }
    if channel.fields().subject {
        required(&m.subject, &format!("{who}: the subject line"), p);
    }
    if channel.fields().url {
        required(&m.url, &format!("{who}: the webhook URL"), p);
    }
}

fn wait(j: &Journey, kind: &WaitKind, who: &str, p: &mut Problems, w: &mut Problems) {
    match kind {
        WaitKind::Duration(d) => {
            positive(*d, &format!("{who}: the wait"), p);
            if let Some(timeout) = j.setup.timeout
                && *d > timeout
            {
                w.push((
                    Rule::WaitBeyondTimeout,
                    format!(
                        "{who} waits {d}, longer than the journey timeout of {timeout}: users behind it can never \
                         continue"
                    ),
                ));
            }
        }
        WaitKind::TimeOfDay { time, user_timezone } => {
            let days = inside_dnd_skip(j, *time, *user_timezone);
            if !days.is_empty() {
                let names: Vec<&str> = days.iter().map(|d| d.short_name()).collect();
                p.push((
                    Rule::WaitInsideDnd,
                    format!(
                        "{who} releases users at {time}, inside the do-not-disturb window on {}; DND is set to \
                         skip, so the messages after it would be skipped: pick a time outside the window",
                        names.join(", ")
                    ),
                ));
            }
        }
        WaitKind::Until(_) | WaitKind::BestTime => {}
    }
}

/// The weekdays on which a wait releasing at local `time` lands inside a DND window while
/// DND skips. An overnight window belongs to the day it starts on, so its early-morning
/// part lands on the next weekday.
///
/// The wait and DND are compared in local time when they use the same clock (both the
/// account timezone, or both each user's own); when the journey delivers in user
/// timezones but the wait runs on the account clock, the local offset differs per user
/// and no static answer exists, so nothing is reported.
fn inside_dnd_skip(j: &Journey, time: TimeOfDay, user_timezone: bool) -> Vec<Weekday> {
    let dnd = &j.setup.dnd;
    if !dnd.enabled || dnd.action != DndAction::Skip {
        return Vec::new();
    }
    let per_user = j.setup.timezone.per_user;
    if (user_timezone && per_user) != per_user {
        return Vec::new();
    }
    let t = time.minutes_of_day();
    let mut days = BTreeSet::new();
    for (day, win) in &dnd.windows {
        let (start, end) = (win.start.minutes_of_day(), win.end.minutes_of_day());
        if win.is_overnight() {
            if t >= start {
                days.insert(*day);
            }
            if t < end {
                days.insert(next_day(*day));
            }
        } else if (start..end).contains(&t) {
            days.insert(*day);
        }
    }
    days.into_iter().collect()
}

fn next_day(d: Weekday) -> Weekday {
    Weekday::ALL[(d as usize + 1) % 7]
}

/// At most [`MAX_SPLIT_CHAIN`] conditional splits directly linked in sequence: every
/// conditional split that comes after that many others in a row is reported, with the
/// chain that leads to it.
fn split_chains(j: &Journey, out: &mut Out) {
    let g = &j.graph;
    let is_split = |id: NodeId| g.node(id).is_some_and(|n| matches!(n.kind, NodeKind::ConditionalSplit { .. }));
    let links: Vec<_> = usable_links(g).into_iter().filter(|l| is_split(l.from) && is_split(l.to)).collect();
    if links.is_empty() {
        return;
    }
    let cap = MAX_SPLIT_CHAIN + 1;
    // depth[v] = min(cap, length of the longest chain of splits ending at v); after
    // cap - 1 rounds of relaxation every chain of up to cap splits has been seen.
    let mut depth: BTreeMap<NodeId, usize> = g.nodes.keys().filter(|id| is_split(**id)).map(|id| (*id, 1)).collect();
    for _ in 1..cap {
        for l in &links {
            let d = depth.get(&l.from).copied().unwrap_or(1).saturating_add(1).min(cap);
            if let Some(slot) = depth.get_mut(&l.to) {
                *slot = (*slot).max(d);
            }
        }
    }
    let preds = successors(
        &links.iter().map(|l| crate::model::Link { from: l.to, port: l.port, to: l.from }).collect::<Vec<_>>(),
    );
    for (&v, &d) in &depth {
        if d < cap {
            continue;
        }
        // Walk back along predecessors deep enough to give a chain of `cap` splits.
        let mut chain = vec![v];
        let mut cur = v;
        for need in (1..cap).rev() {
            let Some(prev) = preds
                .get(&cur)
                .into_iter()
                .flatten()
                .map(|l| l.to)
                .find(|u| depth.get(u).is_some_and(|du| *du >= need))
            else {
                break;
            };
            chain.push(prev);
            cur = prev;
        }
        let names: Vec<String> =
            chain.iter().rev().map(|id| g.node(*id).map_or_else(|| id.to_string(), name)).collect();
        let who = g.node(v).map_or_else(|| v.to_string(), name);
        out.error(
            Rule::SplitChain,
            super::Location::Nodes(chain),
            format!(
                "{who} comes after {MAX_SPLIT_CHAIN} other conditional splits in a row ({}); at most \
                 {MAX_SPLIT_CHAIN} may be linked directly: merge them or put another step between them",
                names.join(" → ")
            ),
        );
    }
}
