//! Node-settings rules: split paths and percentages, chains of conditional splits,
//! required fields and message content, profile-update rows, positive durations,
//! operators and their values, time-of-day waits inside a DND skip window, short
//! past-behaviour windows and waits beyond the journey timeout.
//!
//! Invariant: every rule reads one node (or, for split chains, the usable links between
//! conditional splits) and reports at that node; nothing here panics on any value.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{successors, usable_links};
use super::limits::VARIANTS;
use super::{Field, Location, Out, Problems, Rule, Severity, name};
use crate::model::{Channel, ContentVariant, DndAction, Message, TimeOfDay};
use crate::model::{
    Condition, CountedFrom, EntryRule, EntrySegment, EventFilter, Filter, Journey, Node, NodeId, NodeKind, Operator,
    PathId, PropertyCondition, Seconds, SplitMode, Value, ValueKind, WaitKind, Weekday,
};

/// Most paths of a conditional split (plus Others).
pub const MAX_CONDITIONAL_PATHS: usize = 6;
/// Fewest and most paths of a random split.
pub const RANDOM_PATHS: std::ops::RangeInclusive<usize> = 2..=7;
/// Most conditional splits directly linked in sequence.
pub const MAX_SPLIT_CHAIN: usize = 3;
/// Longest profile-update value, in characters.
pub const MAX_VALUE_CHARS: usize = 512;

/// Runs the node rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    for node in j.graph.nodes.values() {
        let mut p = Problems::new();
        let mut warnings = Problems::new();
        node_rules(j, node, &mut p, &mut warnings);
        let at = Location::Nodes(vec![node.id]);
        p.report(out, Severity::Error, &at);
        warnings.report(out, Severity::Warning, &at);
    }
    split_chains(j, out);
}

fn node_rules(j: &Journey, node: &Node, p: &mut Problems, w: &mut Problems) {
    let who = name(node);
    match &node.kind {
        NodeKind::Entry(seg) => entry(seg, &who, p),
        NodeKind::Wait(kind) => wait(j, kind, &who, p, w),
        NodeKind::Condition { condition, window, counted_from } => {
            condition_rules(condition, &who, p);
            if *counted_from == CountedFrom::Arrival {
                p.at(Field::CountedFrom, |p| {
                    if !matches!(condition, Condition::LiveAction(_) | Condition::Inaction(_)) {
                        p.push((
                            Rule::CountedFromArrival,
                            format!(
                                "{who}: only a live-action or inaction condition can count from arrival at the node"
                            ),
                        ));
                    } else if window.is_none() {
                        p.push((
                            Rule::CountedFromArrival,
                            format!(
                                "{who} counts from arrival at the node, so it needs a window: without one it could \
                                 only see events in the arrival second"
                            ),
                        ));
                    }
                });
            }
            if let Some(win) = window {
                if win.0 <= 0 {
                    p.at(Field::Window, |p| {
                        p.push((Rule::NonPositive, format!("{who}: the waiting window must be longer than 0")));
                    });
                } else if matches!(condition, Condition::PastBehaviour(_)) && *win < Seconds::DAY {
                    w.at(Field::Window, |w| {
                        w.push((
                            Rule::ShortPastBehaviourWindow,
                            format!(
                                "{who}: the window of {win} is shorter than 24 hours; past behaviour is checked once a \
                             day, so most users will time out"
                            ),
                        ));
                    });
                }
            }
        }
        NodeKind::ConditionalSplit { paths } => {
            p.at(Field::Paths, |p| {
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
            });
            for (i, path) in paths.iter().enumerate() {
                p.at(Field::Path(i), |p| filter(&path.filter, &format!("{who}, path '{}'", path.name), p));
            }
        }
        NodeKind::RandomSplit { paths, mode, winner } => {
            p.at(Field::Paths, |p| {
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
            });
            p.at(Field::SplitTotal, |p| {
                for path in paths.iter().filter(|x| x.percent > 100) {
                    p.push((
                        Rule::SplitPercentages,
                        format!("{who}: path '{}' has {}%, more than 100%", path.name, path.percent),
                    ));
                }
            });
            match mode {
                SplitMode::Manual => {
                    let sum = paths.iter().fold(0u32, |acc, x| acc.saturating_add(u32::from(x.percent)));
                    if sum != 100 {
                        p.at(Field::SplitTotal, |p| {
                            p.push((
                                Rule::SplitPercentages,
                                format!("{who}: the percentages add up to {sum}%, they must add up to 100%"),
                            ));
                        });
                    }
                }
                SplitMode::Automated { min_share_percent } => {
                    let total = usize::from(*min_share_percent).saturating_mul(paths.len());
                    if *min_share_percent > 100 || total > 100 {
                        p.at(Field::MinShare, |p| {
                            p.push((
                                Rule::AutomatedMinShare,
                                format!(
                                    "{who}: a minimum share of {min_share_percent}% for each of {} paths adds up \
                                     to more than 100%",
                                    paths.len()
                                ),
                            ));
                        });
                    }
                }
            }
            if let Some(win) = winner
                && !paths.iter().any(|x| x.id == *win)
            {
                p.at(Field::Winner, |p| {
                    p.push((Rule::SplitWinner, format!("{who}: the declared winner is not one of its paths any more")));
                });
            }
        }
        NodeKind::Channel { channel, message, engagement_window, variants, .. } => {
            if variants.is_empty() {
                message_rules(*channel, message, &who, p);
            } else {
                variant_rules(*channel, variants, &who, p);
            }
            if engagement_window.0 <= 0 {
                p.at(Field::EngagementWindow, |p| {
                    p.push((Rule::NonPositive, format!("{who}: the engagement window must be longer than 0")));
                });
            }
        }
        NodeKind::ProfileUpdate { rows } => {
            if rows.is_empty() {
                p.at(Field::Updates, |p| {
                    p.push((Rule::RequiredField, format!("{who} updates nothing: add at least one property")));
                });
            }
            let mut seen = BTreeSet::new();
            for (i, row) in rows.iter().enumerate() {
                p.at(Field::UpdateRow(i), |p| {
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
                                "{who}: the value for '{property}' has {chars} characters, at most \
                                 {MAX_VALUE_CHARS} are allowed"
                            ),
                        ));
                    }
                });
            }
        }
        NodeKind::ForceExit | NodeKind::Exit => {}
    }
}

fn duplicate_paths(ids: impl Iterator<Item = PathId>, who: &str, p: &mut Problems) {
    let mut seen = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) && reported.insert(id) {
            p.push((
                Rule::DuplicatePath,
                format!("{who}: two paths share the id {id}, so their links cannot be told apart"),
            ));
        }
    }
}

fn entry(seg: &EntrySegment, who: &str, p: &mut Problems) {
    match &seg.rule {
        EntryRule::LiveAction(a) => action(&a.event, a.nth_occurrence, who, p),
        EntryRule::Inaction(r) => inaction(&r.did, &r.not_did, r.within, who, p),
        EntryRule::DateProperty(r) => date_property(&r.property, r.within_next, who, p),
        EntryRule::PastBehaviour(r) => past(&r.event, r.last_days, who, p),
        EntryRule::CustomList { name } => {
            p.at(Field::ListName, |p| required(name, &format!("{who}: the list name"), p));
        }
    }
    for (i, c) in seg.user_filters.iter().enumerate() {
        p.at(Field::UserFilter(i), |p| condition(c, &format!("{who}, user filter"), p));
    }
}

fn condition_rules(c: &Condition, who: &str, p: &mut Problems) {
    match c {
        Condition::LiveAction(a) => action(&a.event, a.nth_occurrence, who, p),
        Condition::Inaction(r) => inaction(&r.did, &r.not_did, r.within, who, p),
        Condition::PastBehaviour(r) => past(&r.event, r.last_days, who, p),
        Condition::UserProperty(f) => p.at(Field::ConditionFilter, |p| filter(f, who, p)),
        Condition::DateProperty(r) => date_property(&r.property, r.within_next, who, p),
    }
}

/// A live-action rule (entry or condition).
fn action(event: &EventFilter, nth_occurrence: Option<u32>, who: &str, p: &mut Problems) {
    p.at(Field::Event, |p| event_filter(event, who, p));
    if nth_occurrence == Some(0) {
        p.at(Field::Occurrence, |p| {
            p.push((Rule::NonPositive, format!("{who}: the occurrence to count must be 1 or more")));
        });
    }
}

/// An inaction rule (entry or condition).
fn inaction(did: &EventFilter, not_did: &EventFilter, within: Seconds, who: &str, p: &mut Problems) {
    p.at(Field::DidEvent, |p| event_filter(did, who, p));
    p.at(Field::NotDidEvent, |p| event_filter(not_did, who, p));
    p.at(Field::Within, |p| positive(within, &format!("{who}: the inaction time"), p));
}

/// A date-time property rule (entry or condition).
fn date_property(property: &str, within_next: Seconds, who: &str, p: &mut Problems) {
    p.at(Field::DateProperty, |p| required(property, &format!("{who}: the date property"), p));
    p.at(Field::WithinNext, |p| positive(within_next, &format!("{who}: the \"within the next\" period"), p));
}

/// A past-behaviour rule (entry or condition).
fn past(event: &EventFilter, last_days: u32, who: &str, p: &mut Problems) {
    p.at(Field::Event, |p| event_filter(event, who, p));
    if last_days == 0 {
        p.at(Field::LastDays, |p| {
            p.push((Rule::NonPositive, format!("{who}: the look-back period must be at least 1 day")));
        });
    }
    let max = super::limits::MAX_LOOKBACK_DAYS;
    if last_days > max {
        p.at(Field::LastDays, |p| {
            p.push((
                Rule::NonPositive,
                format!("{who}: the look-back period is {last_days} days; use 1 to {max} days"),
            ));
        });
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

/// A channel node's content variants (§1.3): 2–5 of them, whole percentages summing to
/// 100, unique non-empty names and ids, and every variant's content filled in.
fn variant_rules(channel: Channel, variants: &[ContentVariant], who: &str, p: &mut Problems) {
    p.at(Field::Variants, |p| {
        if !VARIANTS.contains(&variants.len()) {
            p.push((
                Rule::ContentVariants,
                format!(
                    "{who} has {} content variants; a message needs {} to {} variants (or none)",
                    variants.len(),
                    VARIANTS.start(),
                    VARIANTS.end()
                ),
            ));
        }
        let sum = variants.iter().fold(0u32, |acc, v| acc.saturating_add(u32::from(v.percent)));
        if sum != 100 {
            p.push((
                Rule::ContentVariants,
                format!("{who}: the variant percentages add up to {sum}%, they must add up to 100%"),
            ));
        }
        let mut ids = BTreeSet::new();
        if variants.iter().any(|v| !ids.insert(v.id)) {
            p.push((
                Rule::ContentVariants,
                format!("{who}: two content variants share an id, so the scenario cannot tell them apart"),
            ));
        }
    });
    let mut names = BTreeSet::new();
    for (i, v) in variants.iter().enumerate() {
        p.at(Field::Variant(i), |p| {
            let name = v.name.trim();
            if name.is_empty() {
                p.push((Rule::ContentVariants, format!("{who}: variant {} has no name", i + 1)));
            } else if !names.insert(name.to_lowercase()) {
                p.push((
                    Rule::ContentVariants,
                    format!("{who}: two content variants are named '{name}'; each needs its own name"),
                ));
            }
            if v.percent == 0 || v.percent > 100 {
                p.push((
                    Rule::ContentVariants,
                    format!("{who}: variant '{name}' has {}%, it needs 1% to 100%", v.percent),
                ));
            }
            message_rules_at(channel, &v.message, &format!("{who}, variant '{name}'"), p, Some(&Field::Variant(i)));
        });
    }
}

fn message_rules(channel: Channel, m: &Message, who: &str, p: &mut Problems) {
    message_rules_at(channel, m, who, p, None);
}

/// The required message fields; `at` places every problem at one field (a variant's)
/// instead of at each input.
fn message_rules_at(channel: Channel, m: &Message, who: &str, p: &mut Problems, at: Option<&Field>) {
    let field = |f: Field| at.cloned().unwrap_or(f);
    let what = if channel == Channel::Webhook { "payload" } else { "message body" };
    p.at(field(Field::Body), |p| required(&m.body, &format!("{who}: the {what}"), p));
    if matches!(channel, Channel::Push | Channel::WebPush) {
        p.at(field(Field::Title), |p| required(&m.title, &format!("{who}: the title"), p));
    }
    if channel.fields().subject {
        p.at(field(Field::Subject), |p| required(&m.subject, &format!("{who}: the subject line"), p));
    }
    if channel.fields().url {
        p.at(field(Field::Url), |p| required(&m.url, &format!("{who}: the webhook URL"), p));
    }
}

fn wait(j: &Journey, kind: &WaitKind, who: &str, p: &mut Problems, w: &mut Problems) {
    match kind {
        WaitKind::Duration(d) => {
            p.at(Field::WaitDuration, |p| positive(*d, &format!("{who}: the wait"), p));
            if let Some(timeout) = j.setup.timeout
                && *d > timeout
            {
                w.at(Field::WaitDuration, |w| {
                    w.push((
                        Rule::WaitBeyondTimeout,
                        format!(
                            "{who} waits {d}, longer than the journey timeout of {timeout}: users behind it can never \
                         continue"
                        ),
                    ));
                });
            }
        }
        WaitKind::TimeOfDay { time, user_timezone } => {
            let days = inside_dnd_skip(j, *time, *user_timezone);
            if !days.is_empty() {
                let names: Vec<&str> = days.iter().map(|d| d.short_name()).collect();
                p.at(Field::WaitTime, |p| {
                    p.push((
                        Rule::WaitInsideDnd,
                        format!(
                            "{who} releases users at {time}, inside the do-not-disturb window on {}; DND is set to \
                         skip, so the messages after it would be skipped: pick a time outside the window",
                            names.join(", ")
                        ),
                    ));
                });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ActionRule, ConditionalPath, Dnd, KindTag, PastBehaviourRule, Port, ProfileUpdateRow, RandomPath, Scope,
        TimeWindow, UpdateOp,
    };
    use crate::validate::Severity;
    use crate::validate::testkit::{add, add_kind, assert_clean, kind, link, of, one, valid};

    const ENTRY: NodeId = NodeId(1);
    const WAIT: NodeId = NodeId(2);
    const PUSH: NodeId = NodeId(3);
    const EXIT: NodeId = NodeId(4);

    /// The valid journey with a node inserted on push.Failed, linked on to Exit by `port`.
    fn with(kind_: NodeKind, label: &str, ports: &[Port]) -> (Journey, NodeId) {
        let mut j = valid();
        let id = add_kind(&mut j, kind_, label);
        link(&mut j, PUSH, Port::Failed, id);
        for p in ports {
            link(&mut j, id, *p, EXIT);
        }
        (j, id)
    }

    fn random(percents: &[u8]) -> NodeKind {
        NodeKind::RandomSplit {
            paths: percents
                .iter()
                .enumerate()
                .map(|(i, p)| RandomPath { id: PathId(i as u32 + 1), name: format!("V{i}"), percent: *p })
                .collect(),
            mode: SplitMode::Manual,
            winner: None,
        }
    }

    fn cond_paths(n: usize, f: &Filter) -> NodeKind {
        NodeKind::ConditionalSplit {
            paths: (0..n)
                .map(|i| ConditionalPath { id: PathId(i as u32 + 1), name: format!("P{i}"), filter: f.clone() })
                .collect(),
        }
    }

    fn user_cond(property: &str, op: Operator, value: Value) -> Filter {
        Filter::Cond(PropertyCondition { scope: Scope::User, property: property.to_owned(), op, value })
    }

    #[test]
    fn manual_percentages_must_sum_to_100() {
        let (j, id) = with(random(&[50, 50]), "Offer test", &[]);
        assert!(of(&j, Rule::SplitPercentages).is_empty());
        let (j, id2) = with(random(&[50, 40]), "Offer test", &[]);
        assert_eq!(id, id2);
        let d = one(&j, Rule::SplitPercentages, Severity::Error);
        assert_eq!(d.nodes(), &[id]);
        assert_eq!(d.message, "Random split 'Offer test': the percentages add up to 90%, they must add up to 100%");
        let (j, _) = with(random(&[150, 106]), "Big", &[]);
        assert_eq!(of(&j, Rule::SplitPercentages).len(), 3);
    }

    #[test]
    fn random_split_needs_2_to_7_paths() {
        let (j, id) = with(random(&[100]), "One", &[]);
        assert_eq!(one(&j, Rule::RandomSplitPaths, Severity::Error).nodes(), &[id]);
        let (j, _) = with(random(&[10, 10, 10, 10, 10, 10, 40]), "Seven", &[]);
        assert!(of(&j, Rule::RandomSplitPaths).is_empty());
        let (j, _) = with(random(&[10, 10, 10, 10, 10, 10, 20, 20]), "Eight", &[]);
        assert_eq!(of(&j, Rule::RandomSplitPaths).len(), 1);
    }

    #[test]
    fn conditional_split_needs_1_to_6_paths() {
        let f = Filter::default();
        let (j, id) = with(cond_paths(0, &f), "Empty", &[Port::Others]);
        assert_eq!(one(&j, Rule::ConditionalSplitPaths, Severity::Error).nodes(), &[id]);
        let (j, _) = with(cond_paths(6, &f), "Six", &[Port::Others]);
        assert!(of(&j, Rule::ConditionalSplitPaths).is_empty());
        let (j, _) = with(cond_paths(7, &f), "Seven", &[Port::Others]);
        assert_eq!(of(&j, Rule::ConditionalSplitPaths).len(), 1);
    }

    #[test]
    fn split_paths_need_distinct_ids() {
        let mut k = random(&[50, 50]);
        if let NodeKind::RandomSplit { paths, .. } = &mut k {
            paths[1].id = paths[0].id;
        }
        let (j, id) = with(k, "Twins", &[]);
        assert_eq!(one(&j, Rule::DuplicatePath, Severity::Error).nodes(), &[id]);
    }

    #[test]
    fn at_most_3_conditional_splits_in_a_row() {
        let mut j = valid();
        let splits: Vec<NodeId> =
            (0..4).map(|i| add_kind(&mut j, cond_paths(1, &Filter::default()), &format!("S{i}"))).collect();
        link(&mut j, PUSH, Port::Failed, splits[0]);
        link(&mut j, splits[0], Port::Others, splits[1]);
        link(&mut j, splits[1], Port::Path(PathId(1)), splits[2]);
        assert!(of(&j, Rule::SplitChain).is_empty());
        link(&mut j, splits[2], Port::Others, splits[3]);
        let d = one(&j, Rule::SplitChain, Severity::Error);
        assert_eq!(d.nodes(), &[splits[3], splits[2], splits[1], splits[0]]);
        // A step between two of them breaks the chain.
        let w = add(&mut j, KindTag::Wait, "Breather");
        link(&mut j, splits[1], Port::Path(PathId(1)), w);
        link(&mut j, w, Port::Next, splits[2]);
        assert!(of(&j, Rule::SplitChain).is_empty());
    }

    #[test]
    fn winner_must_be_a_path() {
        let mut k = random(&[50, 50]);
        if let NodeKind::RandomSplit { winner, .. } = &mut k {
            *winner = Some(PathId(2));
        }
        let (mut j, id) = with(k, "Won", &[]);
        assert!(of(&j, Rule::SplitWinner).is_empty());
        if let NodeKind::RandomSplit { winner, .. } = kind(&mut j, id) {
            *winner = Some(PathId(9));
        }
        assert_eq!(one(&j, Rule::SplitWinner, Severity::Error).nodes(), &[id]);
    }

    #[test]
    fn automated_min_share_must_fit() {
        let mut k = random(&[34, 33, 33]);
        if let NodeKind::RandomSplit { mode, .. } = &mut k {
            *mode = SplitMode::Automated { min_share_percent: 33 };
        }
        let (mut j, id) = with(k, "Bandit", &[]);
        assert!(of(&j, Rule::AutomatedMinShare).is_empty());
        if let NodeKind::RandomSplit { mode, .. } = kind(&mut j, id) {
            *mode = SplitMode::Automated { min_share_percent: 34 };
        }
        assert_eq!(one(&j, Rule::AutomatedMinShare, Severity::Error).nodes(), &[id]);
    }

    #[test]
    fn message_content_is_required_per_channel() {
        let mut j = valid();
        if let NodeKind::Channel { message, .. } = kind(&mut j, PUSH) {
            message.title.clear();
        }
        assert!(one(&j, Rule::RequiredField, Severity::Error).message.contains("title"));
        if let NodeKind::Channel { message, .. } = kind(&mut j, PUSH) {
            message.title = "Hi".into();
            message.body = "  ".into();
        }
        assert!(one(&j, Rule::RequiredField, Severity::Error).message.contains("body"));
        let (j, id) = with(KindTag::Channel(Channel::Email).default_kind(), "Mail", &[]);
        let d = one(&j, Rule::RequiredField, Severity::Error);
        assert_eq!(d.nodes(), &[id]);
        assert!(d.message.contains("subject"));
        let (j, _) = with(KindTag::Channel(Channel::Webhook).default_kind(), "Hook", &[]);
        assert!(one(&j, Rule::RequiredField, Severity::Error).message.contains("URL"));
        let (j, _) = with(KindTag::Channel(Channel::Sms).default_kind(), "Text", &[]);
        assert_clean(&j);
    }

    #[test]
    fn event_and_property_names_are_required() {
        let mut j = valid();
        if let NodeKind::Entry(seg) = kind(&mut j, ENTRY) {
            seg.rule = EntryRule::LiveAction(ActionRule::default());
        }
        let d = one(&j, Rule::RequiredField, Severity::Error);
        assert_eq!(d.nodes(), &[ENTRY]);
        assert!(d.message.contains("event name"));
        let (j, id) = with(
            NodeKind::Condition {
                condition: Condition::UserProperty(user_cond(" ", Operator::Exists, Value::Bool(true))),
                window: None,
                counted_from: crate::model::CountedFrom::Entry,
            },
            "Check",
            &[],
        );
        assert_eq!(one(&j, Rule::RequiredField, Severity::Error).nodes(), &[id]);
    }

    #[test]
    fn profile_update_rows_are_checked() {
        let row = |p: &str, v: &str| ProfileUpdateRow { property: p.into(), op: UpdateOp::SetTo, value: v.into() };
        let (j, id) = with(NodeKind::ProfileUpdate { rows: vec![row("Tier", "Gold")] }, "Tag", &[Port::Updated]);
        assert_clean(&j);
        let (j, _) = with(NodeKind::ProfileUpdate { rows: vec![] }, "Tag", &[Port::Updated]);
        assert_eq!(one(&j, Rule::RequiredField, Severity::Error).nodes(), &[id]);
        let (j, _) = with(NodeKind::ProfileUpdate { rows: vec![row("", "x")] }, "Tag", &[Port::Updated]);
        assert_eq!(one(&j, Rule::RequiredField, Severity::Error).nodes(), &[id]);
        let (j, _) =
            with(NodeKind::ProfileUpdate { rows: vec![row("Tier", "a"), row("Tier", "b")] }, "Tag", &[Port::Updated]);
        assert_eq!(one(&j, Rule::DuplicateProperty, Severity::Error).nodes(), &[id]);
        let long = "é".repeat(513);
        let (j, _) = with(NodeKind::ProfileUpdate { rows: vec![row("Tier", &long)] }, "Tag", &[Port::Updated]);
        assert_eq!(one(&j, Rule::ValueTooLong, Severity::Error).nodes(), &[id]);
        let (j, _) = with(NodeKind::ProfileUpdate { rows: vec![row("Tier", &long[..1024])] }, "Tag", &[Port::Updated]);
        assert!(of(&j, Rule::ValueTooLong).is_empty());
    }

    #[test]
    fn durations_and_windows_must_be_positive() {
        let mut j = valid();
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::Duration(Seconds(0)));
        assert_eq!(one(&j, Rule::NonPositive, Severity::Error).nodes(), &[WAIT]);
        let mut j = valid();
        if let NodeKind::Channel { engagement_window, .. } = kind(&mut j, PUSH) {
            *engagement_window = Seconds(-5);
        }
        assert_eq!(one(&j, Rule::NonPositive, Severity::Error).nodes(), &[PUSH]);
        let mut cond = KindTag::Condition.default_kind();
        if let NodeKind::Condition { window, .. } = &mut cond {
            *window = Some(Seconds(0));
        }
        let (j, id) = with(cond, "Bought?", &[]);
        assert_eq!(one(&j, Rule::NonPositive, Severity::Error).nodes(), &[id]);
    }

    #[test]
    fn operator_must_take_the_value_type() {
        let ok = user_cond("City", Operator::Contains, Value::Text("Par".into()));
        let (j, _) = with(
            NodeKind::Condition {
                condition: Condition::UserProperty(ok),
                window: None,
                counted_from: crate::model::CountedFrom::Entry,
            },
            "City?",
            &[],
        );
        assert_clean(&j);
        let bad = user_cond("City", Operator::Contains, Value::Number(3.0));
        let (j, id) = with(
            NodeKind::Condition {
                condition: Condition::UserProperty(bad),
                window: None,
                counted_from: crate::model::CountedFrom::Entry,
            },
            "City?",
            &[],
        );
        let d = one(&j, Rule::OperatorValue, Severity::Error);
        assert_eq!(d.nodes(), &[id]);
        assert!(d.message.contains("contains"), "{}", d.message);
        let nan = user_cond("Age", Operator::GreaterThan, Value::Number(f64::NAN));
        let (j, _) = with(cond_paths(1, &nan), "Age", &[Port::Others]);
        assert_eq!(one(&j, Rule::OperatorValue, Severity::Error).nodes(), &[id]);
    }

    fn dnd_journey(at: (u8, u8), dnd: Dnd) -> (Journey, NodeId) {
        let mut j = valid();
        j.setup.dnd = dnd;
        *kind(&mut j, WAIT) =
            NodeKind::Wait(WaitKind::TimeOfDay { time: TimeOfDay::new(at.0, at.1).unwrap(), user_timezone: false });
        (j, WAIT)
    }

    fn window(a: (u8, u8), b: (u8, u8)) -> TimeWindow {
        TimeWindow { start: TimeOfDay::new(a.0, a.1).unwrap(), end: TimeOfDay::new(b.0, b.1).unwrap() }
    }

    #[test]
    fn time_of_day_wait_must_not_land_in_a_dnd_skip_window() {
        let night = Dnd::every_day(window((22, 0), (8, 0)), DndAction::Skip);
        for (at, bad) in [((23, 0), true), ((7, 59), true), ((22, 0), true), ((8, 0), false), ((12, 0), false)] {
            let (j, id) = dnd_journey(at, night.clone());
            if bad {
                assert_eq!(one(&j, Rule::WaitInsideDnd, Severity::Error).nodes(), &[id], "{at:?}");
            } else {
                assert!(of(&j, Rule::WaitInsideDnd).is_empty(), "{at:?}");
            }
        }
        // Defer is fine.
        let (j, _) = dnd_journey((23, 0), Dnd::every_day(window((22, 0), (8, 0)), DndAction::Defer));
        assert!(of(&j, Rule::WaitInsideDnd).is_empty());
        // A window on Friday night only: 01:00 lands in it on Saturday.
        let mut fri = Dnd { enabled: true, windows: BTreeMap::new(), action: DndAction::Skip };
        fri.windows.insert(Weekday::Fri, window((22, 0), (2, 0)));
        let (j, _) = dnd_journey((1, 0), fri.clone());
        assert!(one(&j, Rule::WaitInsideDnd, Severity::Error).message.contains("Sat"));
        // A daytime window on Monday only.
        let mut mon = Dnd { enabled: true, windows: BTreeMap::new(), action: DndAction::Skip };
        mon.windows.insert(Weekday::Mon, window((12, 0), (14, 0)));
        let (j, _) = dnd_journey((13, 0), mon.clone());
        assert!(one(&j, Rule::WaitInsideDnd, Severity::Error).message.contains("Mon"));
        let (j, _) = dnd_journey((14, 0), mon);
        assert!(of(&j, Rule::WaitInsideDnd).is_empty());
    }

    #[test]
    fn short_past_behaviour_window_is_a_warning() {
        let cond = |w| NodeKind::Condition {
            condition: Condition::PastBehaviour(PastBehaviourRule {
                event: EventFilter::named("Charged"),
                count: crate::model::CountCmp::AtLeast(1),
                last_days: 7,
            }),
            window: Some(w),
            counted_from: crate::model::CountedFrom::Entry,
        };
        let (j, _) = with(cond(Seconds::DAY), "Buyer?", &[]);
        assert_clean(&j);
        let (j, id) = with(cond(Seconds::hours(23)), "Buyer?", &[]);
        assert_eq!(one(&j, Rule::ShortPastBehaviourWindow, Severity::Warning).nodes(), &[id]);
    }

    #[test]
    fn counted_from_arrival_needs_a_window_and_an_event_condition() {
        let launch = |window, counted_from| NodeKind::Condition {
            condition: Condition::LiveAction(crate::model::ActionRule {
                event: EventFilter::named("App Launched"),
                nth_occurrence: None,
            }),
            window,
            counted_from,
        };
        let ports = [Port::Yes, Port::No, Port::Timeout];
        let (j, _) = with(launch(Some(Seconds::days(2)), CountedFrom::Arrival), "Next launch", &ports);
        assert_clean(&j);
        let (j, id) = with(launch(None, CountedFrom::Arrival), "Next launch", &ports);
        let d = one(&j, Rule::CountedFromArrival, Severity::Error);
        assert_eq!(d.nodes(), &[id]);
        assert_eq!(d.field, Some(Field::CountedFrom));
        assert!(d.message.contains("needs a window"), "{}", d.message);
        let (j, _) = with(launch(None, CountedFrom::Entry), "Launched?", &ports);
        assert_clean(&j);
        let past = NodeKind::Condition {
            condition: Condition::PastBehaviour(PastBehaviourRule {
                event: EventFilter::named("Charged"),
                count: crate::model::CountCmp::AtLeast(1),
                last_days: 7,
            }),
            window: Some(Seconds::DAY),
            counted_from: CountedFrom::Arrival,
        };
        let (j, _) = with(past, "Buyer?", &ports);
        assert!(one(&j, Rule::CountedFromArrival, Severity::Error).message.contains("only a live-action or inaction"));
    }

    #[test]
    fn wait_longer_than_the_timeout_is_a_warning() {
        let mut j = valid();
        j.setup.timeout = Some(Seconds::DAY);
        assert_clean(&j);
        *kind(&mut j, WAIT) = NodeKind::Wait(WaitKind::Duration(Seconds::days(2)));
        assert_eq!(one(&j, Rule::WaitBeyondTimeout, Severity::Warning).nodes(), &[WAIT]);
        j.setup.timeout = None;
        assert_clean(&j);
    }
}
