//! The scenario of §2: the simulation assumptions saved with the journey, so that anyone
//! can reproduce a preview. A new journey gets [`Scenario::default`], so a first
//! simulation needs no setup.
//!
//! Rates and probabilities are plain `f64` here (they are not time); validation checks
//! their ranges and the engine never trusts them unchecked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{NodeId, VariantId};
use super::node::Channel;
use super::time::{Seconds, TzName};

/// Simulation assumptions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Who the users are.
    pub population: Population,
    /// Per event name: how often users do it and how it responds to engagement.
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub events: BTreeMap<String, EventBehaviour>,
    /// Shape of the gamma-distributed per-user activity factor (mean 1); lower is more uneven.
    pub activity_shape: f64,
    /// Per channel: chance per message that the user unsubscribes (and, for push, uninstalls).
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub fatigue: BTreeMap<Channel, f64>,
    /// Per channel: delivery, engagement and cost.
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub channels: BTreeMap<Channel, ChannelRates>,
    /// Seed, horizon, replicates.
    pub run: RunSettings,
    /// Multipliers on the view and click probabilities of content variants, sorted by
    /// (node, variant). A variant without an entry has multipliers of 1. Left out of the
    /// file when empty, so journeys without variant effects save as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variant_effects: Vec<VariantEffect>,
}

/// How one content variant changes its channel's engagement ("variant B's subject line is
/// opened 20% more" is `view: 1.2`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantEffect {
    /// The channel node.
    pub node: NodeId,
    /// The variant (by its stable id).
    pub variant: VariantId,
    /// Multiplier on the channel's view probability (the product is capped at 1).
    pub view: f64,
    /// Multiplier on the channel's click-given-view probability (the product is capped at 1).
    pub click: f64,
}

impl Scenario {
    /// The (view, click) multipliers of a variant: (1, 1) when the scenario gives none.
    #[must_use]
    pub fn variant_multipliers(&self, node: NodeId, variant: VariantId) -> (f64, f64) {
        self.variant_effects
            .iter()
            .find(|e| e.node == node && e.variant == variant)
            .map_or((1.0, 1.0), |e| (e.view, e.click))
    }
}

/// The synthetic population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Number of users, 1 to 100 million.
    pub users: u64,
    /// Timezone mix: IANA names with weights.
    pub timezones: Vec<TimezoneShare>,
    /// Who can be reached on each channel.
    pub reachability: Reachability,
    /// User properties and their distributions.
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub properties: BTreeMap<String, PropertyDist>,
    /// 24 hourly weights, local time: when users tend to act.
    pub activity_curve: Vec<f64>,
    /// The event in-app messages wait for.
    pub session_event: String,
    /// Share of users on a custom entry list, 0–1 (chosen by a hash of the user id).
    pub custom_list_share: f64,
}

/// One timezone of the mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimezoneShare {
    /// IANA name.
    pub tz: TzName,
    /// Relative weight (normalised over the mix).
    pub weight: f64,
}

/// Shares of the population reachable per channel, each 0–1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reachability {
    /// Has a push token.
    pub push: f64,
    /// Has a web-push subscription.
    pub web_push: f64,
    /// Has an email address.
    pub email: f64,
    /// Has a phone number (SMS).
    pub phone: f64,
    /// WhatsApp opt-in, as a share of those with a phone.
    pub whatsapp_of_phone: f64,
    /// Share unsubscribed per channel (reachable but opted out).
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub unsubscribed: BTreeMap<Channel, f64>,
}

/// A user property distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum PropertyDist {
    /// Categories with weights.
    Categorical(Vec<(String, f64)>),
    /// Uniform number in [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal number.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std_dev: f64,
    },
    /// True with probability p.
    Bool(f64),
    /// A date-time at the journey start plus a uniform offset in days (for date-time entries).
    DateOffset {
        /// Earliest offset, days (may be negative).
        min_days: f64,
        /// Latest offset, days.
        max_days: f64,
    },
}

/// How an event happens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBehaviour {
    /// Mean occurrences per user per day (before the activity factor and the curve).
    pub rate_per_day: f64,
    /// Property distributions of the event (`Amount` of `Charged`).
    #[serde(deserialize_with = "super::unique_map::deserialize")]
    pub properties: BTreeMap<String, PropertyDist>,
    /// Rate multipliers after a view or click.
    pub engagement: Vec<EngagementResponse>,
    /// This event's own activity-factor shape (SPEC §2): its factor is then drawn
    /// independently of the shared one, for users whose browsing and buying are
    /// unrelated. `None` (the default, and every file saved before this field) shares the
    /// scenario's factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_shape: Option<f64>,
}

impl EventBehaviour {
    /// An event at a rate, with no properties and no response to engagement.
    #[must_use]
    pub fn at_rate(rate_per_day: f64) -> Self {
        Self { rate_per_day, properties: BTreeMap::new(), engagement: Vec::new(), activity_shape: None }
    }
}

/// What kind of engagement lifts an event's rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EngagementKind {
    /// A message was viewed.
    View,
    /// A message was clicked.
    Click,
}

/// The rate multiplier for some time after an engagement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngagementResponse {
    /// View or click.
    pub on: EngagementKind,
    /// Multiplier on the event rate (3.0 triples it).
    pub multiplier: f64,
    /// How long the lift lasts.
    pub duration: Seconds,
}

/// A delay distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum DelayDist {
    /// Always this delay.
    Fixed(Seconds),
    /// Exponential with this mean.
    Exponential {
        /// Mean delay.
        mean: Seconds,
    },
}

/// Per-channel rates and costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRates {
    /// Share of sends that fail.
    pub failure: f64,
    /// Probability of Delivered (WhatsApp).
    pub delivery: f64,
    /// Probability a sent message is viewed.
    pub view: f64,
    /// Probability of a click given a view.
    pub click_given_view: f64,
    /// Delay from send to delivery.
    pub delay_to_delivery: DelayDist,
    /// Delay from send (or delivery) to view.
    pub delay_to_view: DelayDist,
    /// Delay from view to click.
    pub delay_to_click: DelayDist,
    /// Cost per message sent, in the account currency.
    pub cost_per_message: f64,
    /// An event that a click on this channel also counts as (SPEC §2: a push click opens
    /// the app, so it is also an `App Launched`). Conditions, goals and entries see it like
    /// any occurrence of that event. `None` (the default, and every file saved before this
    /// field): a click is only a click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_counts_as: Option<String>,
}

/// Run settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Random seed.
    pub seed: u64,
    /// Days of calendar time simulated from the journey's start.
    pub horizon_days: u32,
    /// Independent replicates (default 1).
    pub replicates: u32,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self { seed: 42, horizon_days: 30, replicates: 1 }
    }
}

impl ChannelRates {
    /// Typical industry rates for a channel.
    #[must_use]
    pub fn typical(channel: Channel) -> Self {
        let exp = |mins: i64| DelayDist::Exponential { mean: Seconds::minutes(mins) };
        let (failure, delivery, view, click, cost) = match channel {
            Channel::Push => (0.02, 0.0, 0.0, 0.0, 0.0005),
            Channel::Email => (0.01, 0.0, 0.25, 0.12, 0.001),
            Channel::Sms => (0.02, 0.0, 0.0, 0.0, 0.01),
            Channel::WhatsApp => (0.02, 0.92, 0.0, 0.0, 0.008),
            Channel::WebPush => (0.03, 0.0, 0.5, 0.05, 0.0002),
            Channel::InApp => (0.0, 0.0, 0.8, 0.15, 0.0),
            Channel::AppInbox => (0.0, 0.0, 0.3, 0.1, 0.0),
            Channel::Webhook => (0.01, 0.0, 0.0, 0.0, 0.0),
        };
        // Push has no Viewed port: its click probability is per sent message (view = 1).
        let (view, click) = match channel {
            Channel::Push => (1.0, 0.06),
            _ => (view, click),
        };
        Self {
            failure,
            delivery,
            view,
            click_given_view: click,
            delay_to_delivery: exp(2),
            delay_to_view: exp(90),
            delay_to_click: exp(5),
            cost_per_message: cost,
            click_counts_as: None,
        }
    }
}

impl Default for Population {
    fn default() -> Self {
        Self {
            users: 100_000,
            timezones: vec![TimezoneShare { tz: TzName::new("UTC"), weight: 1.0 }],
            reachability: Reachability {
                push: 0.6,
                web_push: 0.1,
                email: 0.7,
                phone: 0.5,
                whatsapp_of_phone: 0.4,
                unsubscribed: Channel::ALL
                    .iter()
                    .filter(|c| !matches!(c, Channel::InApp | Channel::AppInbox | Channel::Webhook))
                    .map(|c| (*c, 0.03))
                    .collect(),
            },
            properties: BTreeMap::new(),
            activity_curve: vec![
                0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.1, 1.1, 1.2, 1.4, 1.2, 1.1, 1.1, 1.2, 1.4, 1.6, 1.9,
                2.1, 1.8, 1.1, 0.5,
            ],
            session_event: "App Launched".to_owned(),
            custom_list_share: 0.1,
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        let mut events = BTreeMap::new();
        events.insert("App Launched".to_owned(), EventBehaviour::at_rate(1.5));
        Self {
            population: Population::default(),
            events,
            activity_shape: 2.0,
            fatigue: Channel::ALL
                .iter()
                .filter(|c| !matches!(c, Channel::InApp | Channel::AppInbox | Channel::Webhook))
                .map(|c| (*c, 0.002))
                .collect(),
            channels: Channel::ALL.iter().map(|c| (*c, ChannelRates::typical(*c))).collect(),
            run: RunSettings::default(),
            variant_effects: Vec::new(),
        }
    }
}

impl Scenario {
    /// The behaviour of an event; an event the scenario does not describe gets
    /// [`Self::default_event_behaviour`] (and validation warns).
    #[must_use]
    pub fn event(&self, name: &str) -> EventBehaviour {
        self.events.get(name).cloned().unwrap_or_else(Self::default_event_behaviour)
    }

    /// What an undescribed event does: 0.1 times per user per day, no properties.
    #[must_use]
    pub fn default_event_behaviour() -> EventBehaviour {
        EventBehaviour::at_rate(0.1)
    }

    /// A starting point for describing an event the scenario leaves out ("Describe this
    /// event"): a typical rate per user per day guessed from the event's name, so that
    /// "Charged" starts rarer than "App Launched". The user edits it afterwards; unknown
    /// names get [`Self::default_event_behaviour`], which changes nothing in a run.
    #[must_use]
    pub fn typical_event_behaviour(name: &str) -> EventBehaviour {
        let n = name.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        // Most specific first: "uninstall" before "install", "unsubscribe" before "subscribe".
        let rate = if has(&["uninstall", "unsubscri", "churn", "deleted account", "opt out", "opted out"]) {
            0.005
        } else if has(&["install", "sign up", "signup", "signed up", "register", "first"]) {
            0.01
        } else if has(&[
            "charged",
            "purchase",
            "order",
            "checkout",
            "check out",
            "paid",
            "payment",
            "bought",
            "subscri",
        ]) {
            0.05
        } else if has(&["cart", "wishlist", "favourite", "favorite", "shared", "rated", "review"]) {
            0.2
        } else if has(&["viewed", "browse", "search", "visited"]) {
            1.0
        } else if has(&["launch", "session", "opened", "login", "logged in", "active"]) {
            1.5
        } else {
            return Self::default_event_behaviour();
        };
        EventBehaviour::at_rate(rate)
    }

    /// The rates of a channel (typical ones when the scenario leaves it out).
    #[must_use]
    pub fn channel(&self, channel: Channel) -> ChannelRates {
        self.channels.get(&channel).cloned().unwrap_or_else(|| ChannelRates::typical(channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_rates_follow_the_event_name() {
        let rate = |name: &str| Scenario::typical_event_behaviour(name).rate_per_day;
        assert_eq!(rate("Charged"), 0.05);
        assert_eq!(rate("App Launched"), 1.5);
        assert_eq!(rate("Product Viewed"), 1.0);
        assert_eq!(rate("Added to Cart"), 0.2);
        assert_eq!(rate("App Uninstalled"), 0.005);
        assert_eq!(rate("App Installed"), 0.01);
        assert_eq!(rate("Unsubscribed"), 0.005);
        assert_eq!(rate("Something else"), Scenario::default_event_behaviour().rate_per_day);
    }
}
