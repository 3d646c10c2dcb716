//! Scenario rules: every number the engine reads is in range and finite, so the engine
//! never gets nonsense; events the journey names but the scenario does not describe get a
//! warning (they use the default behaviour).
//!
//! Invariant: every check is written so that NaN fails it (`in_unit(NaN)` is false,
//! `non_negative(NaN)` is false), so a NaN or an infinity anywhere gives an error.

use super::{Field, Location, Out, Rate, Rule, Severity};
use crate::model::{Channel, ChannelRates, DelayDist, Journey, PropertyDist, Scenario};

use super::limits::{
    MAX_COST_PER_MESSAGE, MAX_DATE_OFFSET_DAYS, MAX_HORIZON_DAYS, MAX_MULTIPLIER, MAX_RATE_PER_DAY, MAX_REPLICATES,
    MAX_USERS, horizon_problem,
};

fn in_unit(x: f64) -> bool {
    x.is_finite() && (0.0..=1.0).contains(&x)
}

fn non_negative(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

/// Scenario problems, each at the field it is about.
type Problems = Vec<(Field, String)>;

/// Runs the scenario rules.
pub(crate) fn check(j: &Journey, out: &mut Out) {
    let mut p = Problems::new();
    values(&j.scenario, &mut p);
    if let Some(msg) = horizon_problem(j.setup.start, j.scenario.run.horizon_days) {
        p.push((Field::Horizon, msg));
    }
    for (field, msg) in p {
        out.add(Severity::Error, Rule::ScenarioValue, Location::Scenario, Some(field), msg);
    }
    variant_effects(j, out);
    for event in j.referenced_events() {
        if !j.scenario.events.contains_key(&event) {
            let rate = Scenario::default_event_behaviour().rate_per_day;
            out.add(
                Severity::Warning,
                Rule::UndescribedEvent,
                Location::Scenario,
                Some(Field::UndescribedEvent(event.clone())),
                format!(
                    "The scenario does not describe the event '{event}': it uses the default behaviour of {rate} per \
                     user per day"
                ),
            );
        }
    }
}

/// The content-variant multipliers: finite, 0 to [`MAX_MULTIPLIER`], once per variant; an
/// entry for a variant the journey no longer has is a warning (it changes nothing).
fn variant_effects(j: &Journey, out: &mut Out) {
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in j.scenario.variant_effects.iter().enumerate() {
        let node = j.graph.nodes.get(&e.node);
        let variant = node.and_then(|n| n.kind.variants().iter().find(|v| v.id == e.variant));
        let who = match (node, variant) {
            (Some(n), Some(v)) => format!("The variant '{}' of {}", v.name.trim(), super::name(n)),
            _ => format!("The variant multipliers for {} {}", e.node, e.variant),
        };
        let field = Field::VariantEffect(i);
        for (what, x) in [("view", e.view), ("click", e.click)] {
            if !(non_negative(x) && x <= MAX_MULTIPLIER) {
                out.add(
                    Severity::Error,
                    Rule::ScenarioValue,
                    Location::Scenario,
                    Some(field.clone()),
                    format!("{who} has a {what} multiplier of {x}; use 0 to {MAX_MULTIPLIER}"),
                );
            }
        }
        if !seen.insert((e.node, e.variant)) {
            out.add(
                Severity::Error,
                Rule::ScenarioValue,
                Location::Scenario,
                Some(field.clone()),
                format!("{who} has multipliers twice; keep one"),
            );
        }
        if variant.is_none() {
            out.add(
                Severity::Warning,
                Rule::ScenarioValue,
                Location::Scenario,
                Some(field),
                format!("{who} name a variant the journey does not have; they change nothing"),
            );
        }
    }
}

fn values(s: &Scenario, p: &mut Problems) {
    let pop = &s.population;
    if !(1..=MAX_USERS).contains(&pop.users) {
        p.push((Field::Population, format!("The population has {} users; use 1 to {MAX_USERS}", pop.users)));
    }
    if pop.timezones.is_empty() {
        p.push((Field::Timezones, "The timezone mix is empty: add at least one timezone".to_owned()));
    }
    for (i, tz) in pop.timezones.iter().enumerate() {
        if tz.tz.zone().is_none() {
            p.push((
                Field::Timezone(i),
                format!("The timezone mix names '{}', which is not a known timezone name", tz.tz),
            ));
        }
        if !non_negative(tz.weight) {
            p.push((
                Field::Timezone(i),
                format!("The timezone '{}' has the weight {}; weights must be 0 or more", tz.tz, tz.weight),
            ));
        }
    }
    if !pop.timezones.is_empty() && pop.timezones.iter().all(|t| t.weight == 0.0) {
        p.push((Field::Timezones, "Every timezone in the mix has weight 0: give at least one a weight".to_owned()));
    }
    let r = &pop.reachability;
    for (field, what, x) in [
        (Field::Reachability(Channel::Push), "with a push token", r.push),
        (Field::Reachability(Channel::WebPush), "with a web-push subscription", r.web_push),
        (Field::Reachability(Channel::Email), "with an email address", r.email),
        (Field::Reachability(Channel::Sms), "with a phone number", r.phone),
        (Field::Reachability(Channel::WhatsApp), "with WhatsApp (of those with a phone)", r.whatsapp_of_phone),
        (Field::CustomListShare, "on the custom list", pop.custom_list_share),
    ] {
        if !in_unit(x) {
            p.push((field, format!("The share of users {what} is {x}; it must be between 0 and 1")));
        }
    }
    for (ch, x) in &r.unsubscribed {
        if !in_unit(*x) {
            p.push((
                Field::Unsubscribed(*ch),
                format!("The share unsubscribed from {} is {x}; it must be between 0 and 1", ch.label()),
            ));
        }
    }
    for (prop, d) in &pop.properties {
        dist(&format!("The user property '{prop}'"), d, &Field::UserProperty(prop.clone()), p);
    }
    let curve = &pop.activity_curve;
    if curve.len() != 24 {
        p.push((
            Field::ActivityCurve,
            format!("The activity curve has {} hourly weights; it needs exactly 24", curve.len()),
        ));
    }
    if curve.iter().any(|x| !non_negative(*x)) {
        p.push((Field::ActivityCurve, "The activity curve has a weight that is negative or not a number".to_owned()));
    } else if !curve.is_empty() && curve.iter().all(|x| *x == 0.0) {
        p.push((
            Field::ActivityCurve,
            "Every hour of the activity curve has weight 0: users would never act".to_owned(),
        ));
    }
    if pop.session_event.trim().is_empty() {
        p.push((Field::SessionEvent, "The session event (what in-app messages wait for) is empty".to_owned()));
    }
    for (name, e) in &s.events {
        let who = format!("The event '{name}'");
        if name.trim().is_empty() {
            p.push((Field::EventName(name.clone()), "The scenario describes an event with no name".to_owned()));
        }
        if !(non_negative(e.rate_per_day) && e.rate_per_day <= MAX_RATE_PER_DAY) {
            p.push((
                Field::EventRate(name.clone()),
                format!("{who} happens {} times per user per day; use 0 to {MAX_RATE_PER_DAY}", e.rate_per_day),
            ));
        }
        for (prop, d) in &e.properties {
            dist(&format!("{who}, property '{prop}'"), d, &Field::EventProperty(name.clone(), prop.clone()), p);
        }
        if let Some(shape) = e.activity_shape
            && !(shape.is_finite() && shape > 0.0)
        {
            p.push((
                Field::EventShape(name.clone()),
                format!("{who} has its own activity shape {shape}; it must be more than 0"),
            ));
        }
        for resp in &e.engagement {
            if !(non_negative(resp.multiplier) && resp.multiplier <= MAX_MULTIPLIER) {
                p.push((
                    Field::EventEngagement(name.clone()),
                    format!("{who}: the engagement multiplier is {}; use 0 to {MAX_MULTIPLIER}", resp.multiplier),
                ));
            }
            if resp.duration.0 <= 0 {
                p.push((
                    Field::EventEngagement(name.clone()),
                    format!("{who}: the engagement lift must last longer than 0"),
                ));
            }
        }
    }
    if !(s.activity_shape.is_finite() && s.activity_shape > 0.0) {
        p.push((
            Field::ActivityShape,
            format!("The activity spread (shape) is {}; it must be more than 0", s.activity_shape),
        ));
    }
    for (ch, x) in &s.fatigue {
        if !in_unit(*x) {
            p.push((
                Field::Fatigue(*ch),
                format!("The unsubscribe chance per {} message is {x}; it must be between 0 and 1", ch.label()),
            ));
        }
    }
    for (ch, rates) in &s.channels {
        channel(*ch, rates, p);
    }
    let run = &s.run;
    if !(1..=MAX_HORIZON_DAYS).contains(&run.horizon_days) {
        p.push((Field::Horizon, format!("The horizon is {} days; use 1 to {MAX_HORIZON_DAYS}", run.horizon_days)));
    }
    if !(1..=MAX_REPLICATES).contains(&run.replicates) {
        p.push((
            Field::Replicates,
            format!("The run asks for {} replicates; use 1 to {MAX_REPLICATES}", run.replicates),
        ));
    }
}

fn dist(who: &str, d: &PropertyDist, field: &Field, p: &mut Problems) {
    let mut push = |msg: String| p.push((field.clone(), msg));
    match d {
        PropertyDist::Categorical(cats) => {
            if cats.is_empty() {
                push(format!("{who} has no categories"));
            } else if cats.iter().any(|(_, w)| !non_negative(*w)) {
                push(format!("{who} has a category weight that is negative or not a number"));
            } else if cats.iter().all(|(_, w)| *w == 0.0) {
                push(format!("{who}: every category has weight 0"));
            }
        }
        PropertyDist::Uniform { min, max } => {
            if !(min.is_finite() && max.is_finite() && min <= max) {
                push(format!(
                    "{who}: the range {min} to {max} is not usable (the minimum must not exceed the maximum)"
                ));
            }
        }
        PropertyDist::Normal { mean, std_dev } => {
            if !(mean.is_finite() && non_negative(*std_dev)) {
                push(format!("{who}: mean {mean} and spread {std_dev} are not usable (the spread must be 0 or more)"));
            }
        }
        PropertyDist::Bool(x) => {
            if !in_unit(*x) {
                push(format!("{who} is true with chance {x}; it must be between 0 and 1"));
            }
        }
        PropertyDist::DateOffset { min_days, max_days } => {
            let within = |d: f64| d.is_finite() && d.abs() <= MAX_DATE_OFFSET_DAYS;
            if !(within(*min_days) && within(*max_days) && min_days <= max_days) {
                push(format!(
                    "{who}: the offset {min_days} to {max_days} days is not usable (use -{MAX_DATE_OFFSET_DAYS} to \
                     {MAX_DATE_OFFSET_DAYS}, the minimum first)"
                ));
            }
        }
    }
}

fn channel(ch: Channel, c: &ChannelRates, p: &mut Problems) {
    let label = ch.label();
    for (rate, what, x) in [
        (Rate::Failure, "failure rate", c.failure),
        (Rate::Delivery, "delivery chance", c.delivery),
        (Rate::View, "view chance", c.view),
        (Rate::ClickGivenView, "click chance after a view", c.click_given_view),
    ] {
        if !in_unit(x) {
            p.push((Field::ChannelRate(ch, rate), format!("{label}: the {what} is {x}; it must be between 0 and 1")));
        }
    }
    if !(non_negative(c.cost_per_message) && c.cost_per_message <= MAX_COST_PER_MESSAGE) {
        p.push((
            Field::ChannelRate(ch, Rate::CostPerMessage),
            format!("{label}: the cost per message is {}; use 0 to {MAX_COST_PER_MESSAGE}", c.cost_per_message),
        ));
    }
    if c.click_counts_as.as_ref().is_some_and(|e| e.trim().is_empty()) {
        p.push((
            Field::ClickCountsAs(ch),
            format!("{label}: a click is set to count as an event, but the event has no name"),
        ));
    }
    for (rate, what, d) in [
        (Rate::DelayToDelivery, "delivery", &c.delay_to_delivery),
        (Rate::DelayToView, "view", &c.delay_to_view),
        (Rate::DelayToClick, "click", &c.delay_to_click),
    ] {
        let secs = match d {
            DelayDist::Fixed(s) | DelayDist::Exponential { mean: s } => *s,
        };
        if secs.0 < 0 {
            p.push((Field::ChannelRate(ch, rate), format!("{label}: the delay to {what} cannot be negative")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, EngagementKind, EngagementResponse, EventBehaviour, Seconds, TimezoneShare, TzName};
    use crate::validate::testkit::{assert_clean, of, one, valid};
    use crate::validate::{Diagnostic, Severity, validate};

    /// Exactly one scenario error, containing `needle`.
    fn bad(change: impl FnOnce(&mut Scenario), needle: &str) -> Diagnostic {
        let mut j = valid();
        change(&mut j.scenario);
        let d = one(&j, Rule::ScenarioValue, Severity::Error);
        assert_eq!(d.location, Location::Scenario);
        assert!(d.message.contains(needle), "{} lacks {needle}", d.message);
        d
    }

    #[test]
    fn population_values() {
        bad(|s| s.population.users = 0, "users");
        bad(|s| s.population.users = MAX_USERS + 1, "users");
        bad(|s| s.population.timezones.clear(), "timezone mix is empty");
        bad(|s| s.population.timezones[0].tz = TzName::new("Nowhere/Land"), "Nowhere/Land");
        bad(|s| s.population.timezones[0].weight = 0.0, "weight 0");
        bad(|s| s.population.timezones[0].weight = f64::NAN, "weight");
        bad(
            |s| s.population.timezones.push(TimezoneShare { tz: TzName::new("Europe/Paris"), weight: -1.0 }),
            "Europe/Paris",
        );
        bad(|s| s.population.reachability.push = 1.5, "push token");
        bad(|s| s.population.reachability.whatsapp_of_phone = f64::NAN, "WhatsApp");
        bad(|s| s.population.custom_list_share = -0.1, "custom list");
        bad(
            |s| {
                s.population.reachability.unsubscribed.insert(Channel::Email, 2.0);
            },
            "unsubscribed from Email",
        );
        bad(|s| s.population.activity_curve.pop().map_or((), |_| ()), "24");
        bad(|s| s.population.activity_curve[3] = f64::INFINITY, "activity curve");
        bad(|s| s.population.activity_curve = vec![0.0; 24], "weight 0");
        bad(|s| s.population.session_event.clear(), "session event");
    }

    #[test]
    fn property_distributions() {
        let with = |d: PropertyDist| {
            move |s: &mut Scenario| {
                s.population.properties.insert("Tier".into(), d);
            }
        };
        let mut j = valid();
        j.scenario.population.properties.insert("Tier".into(), PropertyDist::Categorical(vec![("Gold".into(), 1.0)]));
        j.scenario.population.properties.insert("Age".into(), PropertyDist::Normal { mean: 30.0, std_dev: 0.0 });
        assert_clean(&j);
        bad(with(PropertyDist::Categorical(vec![])), "no categories");
        bad(with(PropertyDist::Categorical(vec![("a".into(), 0.0)])), "weight 0");
        bad(with(PropertyDist::Categorical(vec![("a".into(), -1.0)])), "negative");
        bad(with(PropertyDist::Uniform { min: 2.0, max: 1.0 }), "range");
        bad(with(PropertyDist::Uniform { min: f64::NAN, max: 1.0 }), "range");
        bad(with(PropertyDist::Normal { mean: 0.0, std_dev: -1.0 }), "spread");
        bad(with(PropertyDist::Bool(1.1)), "chance");
        bad(with(PropertyDist::DateOffset { min_days: 3.0, max_days: f64::NEG_INFINITY }), "offset");
    }

    #[test]
    fn event_behaviour() {
        bad(|s| s.events.get_mut("Charged").unwrap().rate_per_day = -1.0, "Charged");
        bad(|s| s.events.get_mut("Charged").unwrap().rate_per_day = f64::NAN, "Charged");
        let lift =
            |multiplier, secs| EngagementResponse { on: EngagementKind::Click, multiplier, duration: Seconds(secs) };
        bad(|s| s.events.get_mut("Charged").unwrap().engagement.push(lift(-2.0, 60)), "multiplier");
        bad(|s| s.events.get_mut("Charged").unwrap().engagement.push(lift(2.0, 0)), "last longer");
        bad(
            |s| {
                s.events.get_mut("Charged").unwrap().properties.insert("Amount".into(), PropertyDist::Bool(2.0));
            },
            "Amount",
        );
        bad(|s| s.activity_shape = 0.0, "shape");
        let own =
            |shape: f64| move |s: &mut Scenario| s.events.get_mut("Charged").unwrap().activity_shape = Some(shape);
        let d = bad(own(0.0), "own activity shape");
        assert_eq!(d.field, Some(Field::EventShape("Charged".into())));
        bad(own(-1.0), "own activity shape");
        bad(own(f64::NAN), "own activity shape");
        bad(own(f64::INFINITY), "own activity shape");
        let mut j = valid();
        j.scenario.events.get_mut("Charged").unwrap().activity_shape = Some(0.5);
        assert_clean(&j);
        bad(|s| s.activity_shape = f64::NAN, "shape");
        bad(
            |s| {
                s.fatigue.insert(Channel::Push, 1.5);
            },
            "unsubscribe chance",
        );
    }

    #[test]
    fn channel_rates() {
        let ch = |f: fn(&mut ChannelRates)| move |s: &mut Scenario| f(s.channels.get_mut(&Channel::Email).unwrap());
        bad(ch(|c| c.failure = 1.2), "failure");
        bad(ch(|c| c.delivery = -0.1), "delivery");
        let d = bad(ch(|c| c.view = f64::NAN), "view");
        assert_eq!(d.field, Some(Field::ChannelRate(Channel::Email, Rate::View)));
        bad(ch(|c| c.click_given_view = 7.0), "click");
        bad(ch(|c| c.cost_per_message = -0.01), "cost");
        bad(ch(|c| c.delay_to_view = DelayDist::Fixed(Seconds(-1))), "delay to view");
        bad(ch(|c| c.delay_to_click = DelayDist::Exponential { mean: Seconds(-60) }), "delay to click");
        let d = bad(ch(|c| c.click_counts_as = Some(" ".into())), "no name");
        assert_eq!(d.field, Some(Field::ClickCountsAs(Channel::Email)));
        let mut j = valid();
        j.scenario.channels.get_mut(&Channel::Email).unwrap().click_counts_as = Some("App Launched".into());
        assert_clean(&j);
    }

    #[test]
    fn run_settings() {
        bad(|s| s.run.horizon_days = 0, "horizon");
        bad(|s| s.run.horizon_days = MAX_HORIZON_DAYS + 1, "horizon");
        bad(|s| s.run.replicates = 0, "replicates");
        assert_eq!(bad(|s| s.run.replicates = 101, "replicates").field, Some(Field::Replicates));
        let mut j = valid();
        j.scenario.run.horizon_days = MAX_HORIZON_DAYS;
        j.scenario.run.replicates = MAX_REPLICATES;
        assert_clean(&j);
    }

    #[test]
    fn undescribed_event_is_a_warning() {
        let mut j = valid();
        j.scenario.events.remove("Charged");
        let d = one(&j, Rule::UndescribedEvent, Severity::Warning);
        assert!(d.message.contains("'Charged'") && d.message.contains("0.1 per user per day"), "{}", d.message);
        j.scenario.events.insert("Charged".into(), EventBehaviour::at_rate(0.0));
        assert!(of(&j, Rule::UndescribedEvent).is_empty());
        assert!(validate(&j).is_empty());
    }
}
