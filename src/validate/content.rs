//! The personalization rules (SPEC §1.4, §4): every field that may hold Liquid — message
//! content and profile-update values — parses, uses no `include` or `render`, and reads
//! only properties the scenario (or a profile update) describes unless it gives a
//! `default`. Errors name the field and the line and column inside it.
//!
//! The event-context rule for `Event.*` lives with the other event-context checks in
//! `context`; it reads the same [`template_fields`].
//!
//! Invariant: plain text (no `{{` or `{%`) is never parsed, so a journey without Liquid
//! costs nothing here; nothing here panics on any text.

use std::collections::BTreeSet;

use super::{Field, Out, Rule, name};
use crate::model::{Condition, EntryRule, Journey, NodeKind};
use crate::personalize::{self, Root};

/// One field of a node that may hold Liquid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateField<'a> {
    /// The input it is.
    pub field: Field,
    /// How a message names it ("body", "title", "value of 'Tier'").
    pub label: String,
    /// Its text.
    pub text: &'a str,
}

/// The fields of a node's settings that may hold Liquid, in form order: the message
/// fields its channel uses (title, subject, URL, body, buttons), or the profile-update
/// values. Other kinds have none.
#[must_use]
pub fn template_fields(kind: &NodeKind) -> Vec<TemplateField<'_>> {
    let mut out = Vec::new();
    match kind {
        NodeKind::Channel { channel, message, variants, .. } => {
            if variants.is_empty() {
                out = message_fields(*channel, message, None);
            } else {
                for (i, v) in variants.iter().enumerate() {
                    out.extend(message_fields(*channel, &v.message, Some((i, v.name.trim()))));
                }
            }
        }
        NodeKind::ProfileUpdate { rows } => {
            for (i, r) in rows.iter().enumerate() {
                let label = format!("value of '{}'", r.property.trim());
                out.push(TemplateField { field: Field::UpdateRow(i), label, text: r.value.as_str() });
            }
        }
        _ => {}
    }
    out
}

/// The fields of one message content that may hold Liquid, in form order: the message
/// fields its channel uses (title, subject, URL, body, buttons). For a content variant
/// (`variant` = its index and name) every field sits at [`Field::Variant`] and its label
/// names the variant ("variant 'B' body").
#[must_use]
pub fn message_fields<'a>(
    channel: crate::model::Channel,
    message: &'a crate::model::Message,
    variant: Option<(usize, &str)>,
) -> Vec<TemplateField<'a>> {
    let f = |field: Field, label: &str, text| match variant {
        Some((i, name)) => TemplateField { field: Field::Variant(i), label: format!("variant '{name}' {label}"), text },
        None => TemplateField { field, label: label.to_owned(), text },
    };
    let mut out = Vec::new();
    let fields = channel.fields();
    if fields.title {
        out.push(f(Field::Title, "title", message.title.as_str()));
    }
    if fields.subject {
        out.push(f(Field::Subject, "subject line", message.subject.as_str()));
    }
    if fields.url {
        out.push(f(Field::Url, "webhook URL", message.url.as_str()));
    }
    let body = if channel == crate::model::Channel::Webhook { "payload" } else { "body" };
    out.push(f(Field::Body, body, message.body.as_str()));
    if fields.buttons {
        for (i, b) in message.buttons.iter().enumerate() {
            out.push(f(Field::Button(i), &format!("button {} label", i + 1), b.label.as_str()));
            out.push(f(Field::Button(i), &format!("button {} link", i + 1), b.url.as_str()));
        }
    }
    out
}

/// The user properties a template may read without a `default`: those the scenario
/// describes and those a profile update sets.
#[must_use]
pub fn known_profile_properties(j: &Journey) -> BTreeSet<String> {
    let mut known: BTreeSet<String> = j.scenario.population.properties.keys().cloned().collect();
    for node in j.graph.nodes.values() {
        if let NodeKind::ProfileUpdate { rows } = &node.kind {
            known.extend(rows.iter().map(|r| r.property.trim().to_owned()));
        }
    }
    known
}

/// The event properties a template may read without a `default`: the properties the
/// scenario describes (or the journey filters on) for every event that can be in context
/// (the entry's event, and the events of live-action and inaction conditions).
#[must_use]
pub fn known_event_properties(j: &Journey) -> BTreeSet<String> {
    let mut events = Vec::new();
    for node in j.graph.nodes.values() {
        match &node.kind {
            NodeKind::Entry(seg) => match &seg.rule {
                EntryRule::LiveAction(a) => events.push(&a.event),
                EntryRule::Inaction(r) => events.push(&r.did),
                _ => {}
            },
            NodeKind::Condition { condition: Condition::LiveAction(a), .. } => events.push(&a.event),
            NodeKind::Condition { condition: Condition::Inaction(r), .. } => events.push(&r.did),
            _ => {}
        }
    }
    let mut known = BTreeSet::new();
    for e in events {
        known.extend(e.filters.iter().map(|c| c.property.clone()));
        if let Some(b) = j.scenario.events.get(&e.event) {
            known.extend(b.properties.keys().cloned());
        }
    }
    known
}

/// How a reference reads in messages: `Profile.name`, or `Event["Product Name"]` when the
/// name is not a plain word.
#[must_use]
pub fn reference_text(root: Root, name: &str) -> String {
    let obj = match root {
        Root::Profile => "Profile",
        Root::Event => "Event",
    };
    if name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
        format!("{obj}.{name}")
    } else {
        format!("{obj}[\"{name}\"]")
    }
}

/// Runs the personalization rules on every node.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    let mut known: Option<(BTreeSet<String>, BTreeSet<String>)> = None;
    for node in j.graph.nodes.values() {
        let who = name(node);
        for tf in template_fields(&node.kind) {
            if !personalize::has_liquid(tf.text) {
                continue;
            }
            let at = super::Location::Nodes(vec![node.id]);
            match personalize::check(tf.text) {
                Err(e) => out.add(
                    super::Severity::Error,
                    Rule::Liquid,
                    at,
                    Some(tf.field.clone()),
                    format!("{who}: the {}, line {}, column {}: {}", tf.label, e.line, e.column, e.message),
                ),
                Ok(refs) => {
                    let (profile, event) =
                        known.get_or_insert_with(|| (known_profile_properties(j), known_event_properties(j)));
                    let mut warned = BTreeSet::new();
                    for r in refs.iter().filter(|r| !r.guarded) {
                        let set = if r.root == Root::Profile { &*profile } else { &*event };
                        if set.contains(&r.name) || !warned.insert((r.root, r.name.clone())) {
                            continue;
                        }
                        let what = if r.root == Root::Profile {
                            "the scenario does not describe it and no profile update sets it"
                        } else {
                            "the scenario describes no such property for the events in context"
                        };
                        out.add(
                            super::Severity::Warning,
                            Rule::UnknownProperty,
                            at.clone(),
                            Some(tf.field.clone()),
                            format!(
                                "{who}: the {}, line {}, column {}: `{}` is unknown ({what}); it renders empty \
                                 unless you add `| default: \"…\"`",
                                tf.label,
                                r.line,
                                r.column,
                                reference_text(r.root, &r.name)
                            ),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        EntryRule, EventBehaviour, KindTag, MessageButton, NodeId, PastBehaviourRule, Port, ProfileUpdateRow,
        PropertyDist, UpdateOp,
    };
    use crate::validate::testkit::{add_kind, assert_clean, kind, link, of, one, valid};
    use crate::validate::{Severity, validate};

    const PUSH: NodeId = NodeId(3);

    fn body(j: &mut Journey, text: &str) {
        if let NodeKind::Channel { message, .. } = kind(j, PUSH) {
            message.body = text.to_owned();
        }
    }

    fn described() -> Journey {
        let mut j = valid();
        j.scenario.population.properties.insert("name".into(), PropertyDist::Categorical(vec![("Ada".into(), 1.0)]));
        let mut opened = EventBehaviour::at_rate(1.0);
        opened.properties.insert("Product Name".into(), PropertyDist::Categorical(vec![("Shoes".into(), 1.0)]));
        j.scenario.events.insert("App Launched".into(), opened);
        j
    }

    #[test]
    fn good_liquid_is_clean() {
        let mut j = described();
        body(&mut j, "Hi {{ Profile.name }}, {{ Event[\"Product Name\"] }}{% if Profile.vip %}!{% endif %}");
        assert_clean(&j);
    }

    #[test]
    fn a_syntax_error_names_the_field_line_and_column() {
        let mut j = described();
        body(&mut j, "Hello\n{% if Profile.name %}\nVIP");
        let d = one(&j, Rule::Liquid, Severity::Error);
        assert_eq!(d.nodes(), &[PUSH]);
        assert_eq!(d.field, Some(Field::Body));
        assert!(d.message.starts_with("Push 'Hello': the body, line 2, column 1: "), "{}", d.message);
        if let NodeKind::Channel { message, .. } = kind(&mut j, PUSH) {
            message.body = "ok".into();
            message.title = "Hi {{ Profile.name | }}".into();
        }
        let d = one(&j, Rule::Liquid, Severity::Error);
        assert_eq!(d.field, Some(Field::Title));
        assert!(d.message.contains("the title, line 1, column"), "{}", d.message);
    }

    #[test]
    fn include_and_render_are_refused() {
        let mut j = described();
        body(&mut j, "{% include 'header' %}");
        assert!(one(&j, Rule::Liquid, Severity::Error).message.contains("not allowed"));
        body(&mut j, "x\n{% render 'x' %}");
        let d = one(&j, Rule::Liquid, Severity::Error);
        assert!(d.message.contains("line 2, column 1"), "{}", d.message);
    }

    #[test]
    fn unknown_properties_without_default_warn() {
        let mut j = described();
        body(&mut j, "Hi {{ Profile.nickname }} {{ Profile.nickname }} {{ Event.colour }}");
        let w = of(&j, Rule::UnknownProperty);
        assert_eq!(w.len(), 2, "{w:#?}");
        assert!(w.iter().all(|d| d.severity == Severity::Warning && d.field == Some(Field::Body)));
        assert!(w[0].message.contains("`Profile.nickname` is unknown"), "{}", w[0].message);
        assert!(w[0].message.contains("line 1, column 7"), "{}", w[0].message);
        assert!(w[1].message.contains("`Event.colour`"), "{}", w[1].message);
        // A default, a condition, or a profile update setting it makes it fine.
        body(&mut j, "Hi {{ Profile.nickname | default: 'there' }}{% if Profile.vip %}!{% endif %}");
        assert!(of(&j, Rule::UnknownProperty).is_empty());
        body(&mut j, "Hi {{ Profile.nickname }}");
        let tag = add_kind(
            &mut j,
            NodeKind::ProfileUpdate {
                rows: vec![ProfileUpdateRow { property: "nickname".into(), op: UpdateOp::SetTo, value: "Ace".into() }],
            },
            "Tag",
        );
        link(&mut j, PUSH, Port::Failed, tag);
        assert!(of(&j, Rule::UnknownProperty).is_empty());
    }

    #[test]
    fn profile_update_values_and_buttons_are_checked() {
        let mut j = described();
        let tag = add_kind(
            &mut j,
            NodeKind::ProfileUpdate {
                rows: vec![ProfileUpdateRow {
                    property: "Greeting".into(),
                    op: UpdateOp::SetTo,
                    value: "{{ Profile.name | upcase }".into(),
                }],
            },
            "Tag",
        );
        link(&mut j, PUSH, Port::Failed, tag);
        let d = one(&j, Rule::Liquid, Severity::Error);
        assert_eq!((d.nodes(), d.field.clone()), (&[tag][..], Some(Field::UpdateRow(0))));
        assert!(d.message.contains("the value of 'Greeting'"), "{}", d.message);
        if let NodeKind::ProfileUpdate { rows } = kind(&mut j, tag) {
            rows[0].value = "{{ Profile.name | upcase }}".into();
        }
        if let NodeKind::Channel { message, .. } = kind(&mut j, PUSH) {
            message.buttons.push(MessageButton { label: "Buy".into(), url: "app://p/{{ Event.id ".into() });
        }
        let d = one(&j, Rule::Liquid, Severity::Error);
        assert_eq!(d.field, Some(Field::Button(0)));
        assert!(d.message.contains("button 1 link"), "{}", d.message);
    }

    #[test]
    fn event_in_content_needs_an_event_context() {
        let mut j = described();
        body(&mut j, "{{ Event[\"Product Name\"] }}");
        assert!(of(&j, Rule::EventContext).is_empty());
        if let NodeKind::Entry(seg) = kind(&mut j, NodeId(1)) {
            seg.rule = EntryRule::PastBehaviour(PastBehaviourRule {
                event: crate::model::EventFilter::named("App Launched"),
                count: crate::model::CountCmp::AtLeast(1),
                last_days: 7,
            });
        }
        let d = one(&j, Rule::EventContext, Severity::Error);
        assert_eq!((d.nodes(), d.field.clone()), (&[PUSH][..], Some(Field::Body)));
        assert!(d.message.contains("Event[\"Product Name\"]"), "{}", d.message);
        // Plain text mentioning the word is not a read.
        body(&mut j, "Event.price is {{ 'Event.price' }}");
        assert!(of(&j, Rule::EventContext).is_empty());
    }

    #[test]
    fn plain_text_is_never_parsed_and_every_channel_default_is_clean() {
        for tag in KindTag::all() {
            let k = tag.default_kind();
            for tf in template_fields(&k) {
                assert!(!personalize::has_liquid(tf.text), "{tag:?}");
            }
        }
        let j = described();
        assert!(validate(&j).is_empty());
    }
}
