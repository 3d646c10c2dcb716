//! Numeric settings addressed by path (SPEC §7), with the file's own field names:
//! `scenario.channels.Push.click_given_view`, `scenario.events["App Launched"].rate_per_day`,
//! `scenario.events["Charged"].engagement[0].multiplier`,
//! `scenario.events["Charged"].properties["Amount"].mean` (a numeric property's mean, which
//! is where a goal's value comes from), `….properties["Amount"].sd` (its spread),
//! `scenario.events["Product Viewed"].properties["Category"].share["Fashion"]` (a category's
//! share), `scenario.events["Charged"].activity_shape` (an event's own activity shape),
//! `scenario.population.activity_curve[13]` (one hour's weight),
//! `scenario.population.reachability.unsubscribed.Push`, `scenario.fatigue.Email`,
//! `node.n4.duration` (seconds), `node.n3.paths.p2.percent`,
//! `setup.control.journey_percent` (0 means no control group), `setup.dnd.enabled` (0 or 1).
//! The sweep, the tornado, calibration and the CLI read and write settings through this one
//! scheme.
//!
//! Invariants: [`SettingPath::get`] and [`SettingPath::set`] address the same field;
//! `set` refuses a value outside the setting's range and leaves the journey unchanged;
//! setting a random split path's percentage rescales the other paths so the split still
//! sums to 100, and setting a category's share rescales the other categories so the shares
//! still sum to 1; an unknown path's error lists the valid paths nearest to it. Only
//! [`SettingPath::set_adding`] adds a setting the journey lacks (an event's own shape, a
//! property, a category), and only for scenario settings.

use std::fmt;

use super::{Channel, Journey, NodeId, NodeKind, PathId, PropertyDist, Seconds, WaitKind};

/// What a path addresses.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// A channel's rate or cost.
    Channel(Channel, ChannelField),
    /// An event's rate per day.
    EventRate(String),
    /// The shared activity shape.
    ActivityShape,
    /// A reachability share.
    Reach(ReachField),
    /// A channel's fatigue share.
    Fatigue(Channel),
    /// A channel's unsubscribed share.
    Unsubscribed(Channel),
    /// An event's engagement response multiplier (event, index in its list).
    Multiplier(String, usize),
    /// The mean of an event's numeric property (event, property): a normal's mean, or a
    /// uniform's midpoint (setting it shifts both bounds).
    PropertyMean(String, String),
    /// The spread of an event's numeric property (event, property): a normal's standard
    /// deviation, or a uniform's (its width / √12; setting it keeps the midpoint).
    PropertySd(String, String),
    /// One category's share of an event's categorical property (event, property, category):
    /// its weight over the sum of the weights.
    PropertyShare(String, String, String),
    /// An event's own activity-factor shape (set only when the event has one).
    EventShape(String),
    /// One hour's weight in the hourly activity curve (0–23).
    CurveWeight(usize),
    /// A duration Wait's seconds.
    WaitDuration(NodeId),
    /// A manual random split path's percentage.
    SplitPercent(NodeId, PathId),
    /// The journey control group's percentage (0: none).
    ControlPercent,
    /// The frequency cap's message count.
    CapMessages,
    /// DND on (1) or off (0).
    DndEnabled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChannelField {
    Failure,
    Delivery,
    View,
    ClickGivenView,
    CostPerMessage,
}

impl ChannelField {
    const ALL: [(Self, &'static str); 5] = [
        (Self::Failure, "failure"),
        (Self::Delivery, "delivery"),
        (Self::View, "view"),
        (Self::ClickGivenView, "click_given_view"),
        (Self::CostPerMessage, "cost_per_message"),
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReachField {
    Push,
    WebPush,
    Email,
    Phone,
    WhatsAppOfPhone,
}

impl ReachField {
    const ALL: [(Self, &'static str); 5] = [
        (Self::Push, "push"),
        (Self::WebPush, "web_push"),
        (Self::Email, "email"),
        (Self::Phone, "phone"),
        (Self::WhatsAppOfPhone, "whatsapp_of_phone"),
    ];
}

/// A numeric setting of a journey, by path.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingPath {
    text: String,
    target: Target,
}

/// Why a path or a value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    /// No such setting in this journey.
    #[error("unknown setting '{path}'{}", nearest_list(.nearest))]
    Unknown {
        /// The path given.
        path: String,
        /// The valid paths nearest to it.
        nearest: Vec<String>,
    },
    /// The value is outside the setting's range.
    #[error("{path} = {value} is out of range: {range}")]
    OutOfRange {
        /// The path.
        path: String,
        /// The value given.
        value: String,
        /// The allowed range, in words.
        range: String,
    },
}

fn nearest_list(v: &[String]) -> String {
    if v.is_empty() { String::new() } else { format!("; the nearest valid paths are: {}", v.join(", ")) }
}

fn channel_name(c: Channel) -> &'static str {
    match c {
        Channel::Push => "Push",
        Channel::Email => "Email",
        Channel::Sms => "Sms",
        Channel::WhatsApp => "WhatsApp",
        Channel::WebPush => "WebPush",
        Channel::InApp => "InApp",
        Channel::AppInbox => "AppInbox",
        Channel::Webhook => "Webhook",
    }
}

fn channel_by_name(s: &str) -> Option<Channel> {
    Channel::ALL.into_iter().find(|c| channel_name(*c) == s)
}

impl fmt::Display for SettingPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl SettingPath {
    /// Parses `path` and checks that `journey` has that setting.
    ///
    /// # Errors
    /// [`SettingError::Unknown`] with the nearest valid paths.
    pub fn parse(path: &str, journey: &Journey) -> Result<Self, SettingError> {
        let unknown = || SettingError::Unknown { path: path.to_owned(), nearest: nearest(path, journey) };
        let target = parse_target(path.trim()).ok_or_else(unknown)?;
        let p = Self { text: path.trim().to_owned(), target };
        // The setting must exist in this journey (a node of the right kind, a described event).
        if p.get(journey).is_none() {
            return Err(unknown());
        }
        Ok(Self { text: canonical(&p.target), ..p })
    }

    /// The setting's current value (`None` when the journey has no such setting).
    #[must_use]
    pub fn get(&self, j: &Journey) -> Option<f64> {
        let s = &j.scenario;
        Some(match &self.target {
            Target::Channel(c, field) => {
                let r = s.channels.get(c)?;
                match field {
                    ChannelField::Failure => r.failure,
                    ChannelField::Delivery => r.delivery,
                    ChannelField::View => r.view,
                    ChannelField::ClickGivenView => r.click_given_view,
                    ChannelField::CostPerMessage => r.cost_per_message,
                }
            }
            Target::EventRate(name) => s.events.get(name)?.rate_per_day,
            Target::ActivityShape => s.activity_shape,
            Target::Reach(field) => {
                let r = &s.population.reachability;
                match field {
                    ReachField::Push => r.push,
                    ReachField::WebPush => r.web_push,
                    ReachField::Email => r.email,
                    ReachField::Phone => r.phone,
                    ReachField::WhatsAppOfPhone => r.whatsapp_of_phone,
                }
            }
            Target::Fatigue(c) => s.fatigue.get(c).copied().unwrap_or(0.0),
            Target::Unsubscribed(c) => s.population.reachability.unsubscribed.get(c).copied().unwrap_or(0.0),
            Target::Multiplier(name, i) => s.events.get(name)?.engagement.get(*i)?.multiplier,
            Target::PropertyMean(name, prop) => property_mean(s.events.get(name)?.properties.get(prop)?)?,
            Target::PropertySd(name, prop) => property_sd(s.events.get(name)?.properties.get(prop)?)?,
            Target::PropertyShare(name, prop, value) => match s.events.get(name)?.properties.get(prop)? {
                PropertyDist::Categorical(cats) => {
                    let w = cats.iter().find(|(c, _)| c == value)?.1;
                    let total: f64 = cats.iter().map(|(_, w)| w).sum();
                    if total > 0.0 { w / total } else { 0.0 }
                }
                _ => return None,
            },
            Target::EventShape(name) => s.events.get(name)?.activity_shape?,
            Target::CurveWeight(h) => *s.population.activity_curve.get(*h)?,
            Target::WaitDuration(id) => match &j.graph.nodes.get(id)?.kind {
                #[allow(clippy::cast_precision_loss)]
                NodeKind::Wait(WaitKind::Duration(d)) => d.0 as f64,
                _ => return None,
            },
            Target::SplitPercent(id, path) => match &j.graph.nodes.get(id)?.kind {
                NodeKind::RandomSplit { paths, .. } => f64::from(paths.iter().find(|p| p.id == *path)?.percent),
                _ => return None,
            },
            Target::ControlPercent => f64::from(j.setup.control.journey_percent.unwrap_or(0)),
            Target::CapMessages => f64::from(j.setup.frequency_cap.as_ref()?.max_messages),
            Target::DndEnabled => {
                if j.setup.dnd.enabled {
                    1.0
                } else {
                    0.0
                }
            }
        })
    }

    /// The values the setting accepts, as (low, high) and in words.
    #[must_use]
    pub fn range(&self) -> (f64, f64, &'static str) {
        match &self.target {
            Target::Channel(_, ChannelField::CostPerMessage) => (0.0, 1.0e6, "a cost from 0 to 1,000,000"),
            Target::Channel(..) | Target::Reach(_) | Target::Fatigue(_) | Target::Unsubscribed(_) => {
                (0.0, 1.0, "a probability from 0 to 1")
            }
            Target::Multiplier(..) => (0.0, 1.0e3, "a multiplier from 0 to 1,000"),
            Target::PropertyMean(..) => (-1.0e12, 1.0e12, "a number from -10^12 to 10^12"),
            Target::PropertySd(..) => (0.0, 1.0e12, "a spread from 0 to 10^12"),
            Target::PropertyShare(..) => (0.0, 1.0, "a share from 0 to 1"),
            Target::EventRate(_) => (0.0, 1.0e4, "a rate from 0 to 10,000 a day"),
            Target::ActivityShape | Target::EventShape(_) => (0.01, 1.0e6, "a shape from 0.01 to 1,000,000"),
            Target::CurveWeight(_) => (0.0, 1.0e6, "a weight from 0 to 1,000,000"),
            Target::WaitDuration(_) => (60.0, 365.0 * 86_400.0, "whole seconds from 60 to one year"),
            Target::SplitPercent(..) => (0.0, 100.0, "a whole percentage from 0 to 100"),
            Target::ControlPercent => (0.0, 99.0, "0 (no control group) or a whole percentage from 2 to 99"),
            Target::CapMessages => (1.0, 1000.0, "whole messages from 1 to 1,000"),
            Target::DndEnabled => (0.0, 1.0, "0 (off) or 1 (on)"),
        }
    }

    /// Whether the setting takes whole numbers only.
    #[must_use]
    pub fn whole(&self) -> bool {
        matches!(
            self.target,
            Target::WaitDuration(_)
                | Target::SplitPercent(..)
                | Target::ControlPercent
                | Target::CapMessages
                | Target::DndEnabled
        )
    }

    /// Sets the setting to `value` (rounded for whole-number settings).
    ///
    /// # Errors
    /// [`SettingError::OutOfRange`] (the journey is then unchanged), or
    /// [`SettingError::Unknown`] when the journey no longer has the setting.
    pub fn set(&self, j: &mut Journey, value: f64) -> Result<(), SettingError> {
        let v = self.checked(value)?;
        if self.get(j).is_none() {
            return Err(SettingError::Unknown { path: self.text.clone(), nearest: nearest(&self.text, j) });
        }
        self.write(j, v);
        Ok(())
    }

    /// Parses `path` for [`Self::set_adding`]: the journey need not have the setting yet.
    ///
    /// # Errors
    /// [`SettingError::Unknown`] when the path is not one of the scheme's (the nearest valid
    /// paths of `journey` are listed).
    pub fn parse_adding(path: &str, journey: &Journey) -> Result<Self, SettingError> {
        let target = parse_target(path.trim())
            .ok_or_else(|| SettingError::Unknown { path: path.to_owned(), nearest: nearest(path, journey) })?;
        Ok(Self { text: canonical(&target), target })
    }

    /// As [`Self::set`], but first adds a scenario setting the journey lacks, where it can
    /// be added: a channel (with its typical rates), an event the scenario does not describe
    /// (with the default behaviour, so nothing else changes), an event's own activity shape,
    /// a numeric property (a normal with mean 0 and spread 0 until set) or a category (weight
    /// 0 until set). Calibration (SPEC §8) uses it, since past results may name what the
    /// scenario does not have yet.
    ///
    /// # Errors
    /// As [`Self::set`]; [`SettingError::Unknown`] when the setting cannot be added (a node
    /// that is not there, an hour outside 0–23, a property of another kind). The journey is
    /// unchanged on error.
    pub fn set_adding(&self, j: &mut Journey, value: f64) -> Result<(), SettingError> {
        let v = self.checked(value)?;
        if self.get(j).is_none() {
            let mut k = j.clone();
            self.add(&mut k);
            if self.get(&k).is_none() {
                return Err(SettingError::Unknown { path: self.text.clone(), nearest: nearest(&self.text, j) });
            }
            *j = k;
        }
        self.write(j, v);
        Ok(())
    }

    /// The (event, property, category) of a category-share path; `None` for other paths.
    #[must_use]
    pub fn category(&self) -> Option<(&str, &str, &str)> {
        match &self.target {
            Target::PropertyShare(e, p, c) => Some((e, p, c)),
            _ => None,
        }
    }

    /// Adds what [`Self::set_adding`] may add, where it is missing.
    fn add(&self, j: &mut Journey) {
        let s = &mut j.scenario;
        let event = |s: &mut super::Scenario, name: &str| {
            s.events.entry(name.to_owned()).or_insert_with(super::Scenario::default_event_behaviour);
        };
        match &self.target {
            Target::Channel(c, _) => {
                s.channels.entry(*c).or_insert_with(|| super::ChannelRates::typical(*c));
            }
            Target::EventRate(name) => event(s, name),
            Target::EventShape(name) => {
                event(s, name);
                if let Some(e) = s.events.get_mut(name) {
                    // A placeholder in range; the write that follows sets the value.
                    e.activity_shape.get_or_insert(1.0);
                }
            }
            Target::PropertyMean(name, prop) | Target::PropertySd(name, prop) => {
                event(s, name);
                if let Some(e) = s.events.get_mut(name) {
                    e.properties.entry(prop.clone()).or_insert(PropertyDist::Normal { mean: 0.0, std_dev: 0.0 });
                }
            }
            Target::PropertyShare(name, prop, value) => {
                event(s, name);
                if let Some(e) = s.events.get_mut(name) {
                    let d = e.properties.entry(prop.clone()).or_insert_with(|| PropertyDist::Categorical(Vec::new()));
                    if let PropertyDist::Categorical(cats) = d
                        && !cats.iter().any(|(c, _)| c == value)
                    {
                        cats.push((value.clone(), 0.0));
                    }
                }
            }
            _ => {}
        }
    }

    /// The value rounded for whole-number settings, or the range error.
    fn checked(&self, value: f64) -> Result<f64, SettingError> {
        let (lo, hi, words) = self.range();
        let v = if self.whole() { value.round() } else { value };
        let bad = !v.is_finite()
            || v < lo
            || v > hi
            || (matches!(self.target, Target::ControlPercent) && (0.5..1.5).contains(&v));
        if bad {
            return Err(SettingError::OutOfRange {
                path: self.text.clone(),
                value: value.to_string(),
                range: words.to_owned(),
            });
        }
        Ok(v)
    }

    /// Writes a checked value into a journey that has the setting.
    fn write(&self, j: &mut Journey, v: f64) {
        let unchanged = self.get(j) == Some(v);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = v as u64;
        let s = &mut j.scenario;
        match &self.target {
            Target::Channel(c, field) => {
                if let Some(r) = s.channels.get_mut(c) {
                    match field {
                        ChannelField::Failure => r.failure = v,
                        ChannelField::Delivery => r.delivery = v,
                        ChannelField::View => r.view = v,
                        ChannelField::ClickGivenView => r.click_given_view = v,
                        ChannelField::CostPerMessage => r.cost_per_message = v,
                    }
                }
            }
            Target::EventRate(name) => {
                if let Some(e) = s.events.get_mut(name) {
                    e.rate_per_day = v;
                }
            }
            Target::ActivityShape => s.activity_shape = v,
            Target::Reach(field) => {
                let r = &mut s.population.reachability;
                match field {
                    ReachField::Push => r.push = v,
                    ReachField::WebPush => r.web_push = v,
                    ReachField::Email => r.email = v,
                    ReachField::Phone => r.phone = v,
                    ReachField::WhatsAppOfPhone => r.whatsapp_of_phone = v,
                }
            }
            Target::Fatigue(c) => {
                s.fatigue.insert(*c, v);
            }
            Target::Unsubscribed(c) => {
                s.population.reachability.unsubscribed.insert(*c, v);
            }
            Target::Multiplier(name, i) => {
                if let Some(r) = s.events.get_mut(name).and_then(|e| e.engagement.get_mut(*i)) {
                    r.multiplier = v;
                }
            }
            Target::PropertyMean(name, prop) => {
                match s.events.get_mut(name).and_then(|e| e.properties.get_mut(prop)) {
                    Some(PropertyDist::Normal { mean, .. }) => *mean = v,
                    // The same midpoint leaves the bounds exactly as they were.
                    Some(PropertyDist::Uniform { min, max }) if (*min + *max) / 2.0 != v => {
                        let half = (*max - *min) / 2.0;
                        (*min, *max) = (v - half, v + half);
                    }
                    _ => {}
                }
            }
            Target::PropertySd(name, prop) => {
                match s.events.get_mut(name).and_then(|e| e.properties.get_mut(prop)) {
                    Some(PropertyDist::Normal { std_dev, .. }) => *std_dev = v,
                    // The same spread leaves the bounds exactly as they were.
                    Some(PropertyDist::Uniform { min, max }) if !unchanged => {
                        let (mid, half) = ((*min + *max) / 2.0, v * 3f64.sqrt());
                        (*min, *max) = (mid - half, mid + half);
                    }
                    _ => {}
                }
            }
            Target::PropertyShare(name, prop, value) => {
                if let Some(PropertyDist::Categorical(cats)) =
                    s.events.get_mut(name).and_then(|e| e.properties.get_mut(prop))
                    && !unchanged
                {
                    set_category_shares(cats, &[(value.as_str(), v)]);
                }
            }
            Target::EventShape(name) => {
                if let Some(e) = s.events.get_mut(name) {
                    e.activity_shape = Some(v);
                }
            }
            Target::CurveWeight(h) => {
                if let Some(w) = s.population.activity_curve.get_mut(*h) {
                    *w = v;
                }
            }
            Target::WaitDuration(id) => {
                if let Some(NodeKind::Wait(WaitKind::Duration(d))) = j.graph.nodes.get_mut(id).map(|n| &mut n.kind) {
                    *d = Seconds(i64::try_from(whole).unwrap_or(i64::MAX));
                }
            }
            Target::SplitPercent(id, path) => {
                if let Some(NodeKind::RandomSplit { paths, .. }) = j.graph.nodes.get_mut(id).map(|n| &mut n.kind) {
                    set_share(paths, *path, u8::try_from(whole).unwrap_or(100));
                }
            }
            Target::ControlPercent => {
                j.setup.control.journey_percent = (whole > 0).then(|| u8::try_from(whole).unwrap_or(99));
            }
            Target::CapMessages => {
                if let Some(cap) = &mut j.setup.frequency_cap {
                    cap.max_messages = u32::try_from(whole).unwrap_or(u32::MAX);
                }
            }
            Target::DndEnabled => j.setup.dnd.enabled = whole == 1,
        }
    }
}

/// The shares set for one categorical property: (event, property) and (category, share)s.
type ShareGroup<'a> = ((&'a str, &'a str), Vec<(&'a str, f64)>);

/// Sets several settings at once, all or nothing, adding missing scenario settings as
/// [`SettingPath::set_adding`] does. The category shares of one property are set together:
/// the named categories get exactly their shares, and the property's other categories share
/// what is left in proportion to their weights (nothing when nothing is left), so the order
/// of `values` does not matter.
///
/// # Errors
/// The first setting refused; the journey is then unchanged.
pub fn set_all_adding(j: &mut Journey, values: &[(SettingPath, f64)]) -> Result<(), SettingError> {
    let mut k = j.clone();
    let mut groups: Vec<ShareGroup<'_>> = Vec::new();
    for (p, v) in values {
        match p.category() {
            Some((e, prop, c)) => {
                // Checked and added now, placed together below.
                p.set_adding(&mut k, *v)?;
                match groups.iter_mut().find(|(key, _)| *key == (e, prop)) {
                    Some((_, g)) => g.push((c, *v)),
                    None => groups.push(((e, prop), vec![(c, *v)])),
                }
            }
            None => p.set_adding(&mut k, *v)?,
        }
    }
    for ((e, prop), shares) in groups {
        if let Some(PropertyDist::Categorical(cats)) =
            k.scenario.events.get_mut(e).and_then(|b| b.properties.get_mut(prop))
        {
            set_category_shares(cats, &shares);
        }
    }
    *j = k;
    Ok(())
}

/// Gives the named categories their shares (each 0–1) and the other categories what is
/// left in proportion to their weights (equally when they all weigh 0), as weights that sum
/// to 1. Named shares that sum past 1 are scaled down to sum to 1.
fn set_category_shares(cats: &mut [(String, f64)], shares: &[(&str, f64)]) {
    let named: f64 = shares.iter().map(|(_, v)| v).sum();
    let scale = if named > 1.0 { 1.0 / named } else { 1.0 };
    let left = (1.0 - named * scale).max(0.0);
    let is_named = |c: &str| shares.iter().any(|(n, _)| *n == c);
    let others: f64 = cats.iter().filter(|(c, _)| !is_named(c)).map(|(_, w)| w.max(0.0)).sum();
    let n_others = cats.iter().filter(|(c, _)| !is_named(c)).count();
    for (c, w) in cats.iter_mut() {
        *w = match shares.iter().find(|(n, _)| n == c) {
            Some((_, v)) => v * scale,
            None if others > 0.0 => left * w.max(0.0) / others,
            #[allow(clippy::cast_precision_loss)]
            None => left / n_others.max(1) as f64,
        };
    }
}

/// A numeric property distribution's standard deviation (a uniform's is its width / √12);
/// `None` for the others.
fn property_sd(d: &PropertyDist) -> Option<f64> {
    match d {
        PropertyDist::Normal { std_dev, .. } => Some(*std_dev),
        PropertyDist::Uniform { min, max } => Some((max - min) / 12f64.sqrt()),
        _ => None,
    }
}

/// A numeric property distribution's mean; `None` for the others.
fn property_mean(d: &PropertyDist) -> Option<f64> {
    match d {
        PropertyDist::Normal { mean, .. } => Some(*mean),
        PropertyDist::Uniform { min, max } => Some((min + max) / 2.0),
        _ => None,
    }
}

/// Sets one path's percentage and rescales the others (largest remainders) so the split
/// still sums to 100.
fn set_share(paths: &mut [super::RandomPath], path: PathId, pct: u8) {
    let rest = 100 - u32::from(pct.min(100));
    let others: u32 = paths.iter().filter(|p| p.id != path).map(|p| u32::from(p.percent)).sum();
    let n_others = u32::try_from(paths.iter().filter(|p| p.id != path).count()).unwrap_or(1).max(1);
    let mut given = 0;
    let mut shares: Vec<(usize, u32, u32)> = Vec::new();
    for (i, p) in paths.iter().enumerate().filter(|(_, p)| p.id != path) {
        let num = if others == 0 { rest } else { rest * u32::from(p.percent) };
        let den = if others == 0 { n_others } else { others };
        shares.push((i, num / den, num % den));
        given += num / den;
    }
    // Hand out what rounding down left over, largest remainders first.
    shares.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut left = rest.saturating_sub(given);
    for s in &mut shares {
        if left == 0 {
            break;
        }
        s.1 += 1;
        left -= 1;
    }
    for (i, share, _) in shares {
        paths[i].percent = u8::try_from(share).unwrap_or(100);
    }
    if let Some(p) = paths.iter_mut().find(|p| p.id == path) {
        p.percent = pct.min(100);
    }
}

fn parse_target(path: &str) -> Option<Target> {
    if let Some(rest) = path.strip_prefix("scenario.channels.") {
        let (c, field) = rest.split_once('.')?;
        let c = channel_by_name(c)?;
        let field = ChannelField::ALL.iter().find(|(_, n)| *n == field)?.0;
        return Some(Target::Channel(c, field));
    }
    if let Some(rest) = path.strip_prefix("scenario.events[") {
        let (name, tail) = rest.split_once("\"]")?;
        let name = name.trim().strip_prefix('"')?;
        if let Some(i) = tail.strip_prefix(".engagement[").and_then(|t| t.strip_suffix("].multiplier")) {
            return Some(Target::Multiplier(name.to_owned(), i.parse().ok()?));
        }
        if let Some(rest) = tail.strip_prefix(".properties[") {
            let (prop, field) = rest.trim_start().strip_prefix('"')?.split_once("\"]")?;
            let (name, prop) = (name.to_owned(), prop.to_owned());
            return match field {
                ".mean" => Some(Target::PropertyMean(name, prop)),
                ".sd" => Some(Target::PropertySd(name, prop)),
                _ => {
                    let value = field.strip_prefix(".share[")?.strip_suffix(']')?.trim();
                    let value = value.strip_prefix('"')?.strip_suffix('"')?;
                    Some(Target::PropertyShare(name, prop, value.to_owned()))
                }
            };
        }
        return match tail {
            ".rate_per_day" => Some(Target::EventRate(name.to_owned())),
            ".activity_shape" => Some(Target::EventShape(name.to_owned())),
            _ => None,
        };
    }
    if let Some(rest) = path.strip_prefix("scenario.events.") {
        let (name, field) = rest.rsplit_once('.')?;
        return (field == "rate_per_day").then(|| Target::EventRate(name.to_owned()));
    }
    if path == "scenario.activity_shape" {
        return Some(Target::ActivityShape);
    }
    if let Some(h) = path.strip_prefix("scenario.population.activity_curve[").and_then(|t| t.strip_suffix(']')) {
        return h.trim().parse().ok().filter(|h| *h < 24).map(Target::CurveWeight);
    }
    if let Some(c) = path.strip_prefix("scenario.population.reachability.unsubscribed.") {
        return Some(Target::Unsubscribed(channel_by_name(c)?));
    }
    if let Some(field) = path.strip_prefix("scenario.population.reachability.") {
        return Some(Target::Reach(ReachField::ALL.iter().find(|(_, n)| *n == field)?.0));
    }
    if let Some(c) = path.strip_prefix("scenario.fatigue.") {
        return Some(Target::Fatigue(channel_by_name(c)?));
    }
    if let Some(rest) = path.strip_prefix("node.") {
        let (id, tail) = rest.split_once('.')?;
        let id = NodeId(id.strip_prefix('n')?.parse().ok()?);
        if tail == "duration" {
            return Some(Target::WaitDuration(id));
        }
        let rest = tail.strip_prefix("paths.")?;
        let (p, field) = rest.split_once('.')?;
        let p = PathId(p.strip_prefix('p')?.parse().ok()?);
        return (field == "percent").then_some(Target::SplitPercent(id, p));
    }
    match path {
        "setup.control.journey_percent" => Some(Target::ControlPercent),
        "setup.frequency_cap.max_messages" => Some(Target::CapMessages),
        "setup.dnd.enabled" => Some(Target::DndEnabled),
        _ => None,
    }
}

fn canonical(t: &Target) -> String {
    match t {
        Target::Channel(c, f) => {
            let name = ChannelField::ALL.iter().find(|(x, _)| x == f).map_or("", |(_, n)| n);
            format!("scenario.channels.{}.{name}", channel_name(*c))
        }
        Target::EventRate(name) => format!("scenario.events[\"{name}\"].rate_per_day"),
        Target::ActivityShape => "scenario.activity_shape".to_owned(),
        Target::Reach(f) => {
            let name = ReachField::ALL.iter().find(|(x, _)| x == f).map_or("", |(_, n)| n);
            format!("scenario.population.reachability.{name}")
        }
        Target::Fatigue(c) => format!("scenario.fatigue.{}", channel_name(*c)),
        Target::Unsubscribed(c) => format!("scenario.population.reachability.unsubscribed.{}", channel_name(*c)),
        Target::Multiplier(name, i) => format!("scenario.events[\"{name}\"].engagement[{i}].multiplier"),
        Target::PropertyMean(name, prop) => format!("scenario.events[\"{name}\"].properties[\"{prop}\"].mean"),
        Target::PropertySd(name, prop) => format!("scenario.events[\"{name}\"].properties[\"{prop}\"].sd"),
        Target::PropertyShare(name, prop, value) => {
            format!("scenario.events[\"{name}\"].properties[\"{prop}\"].share[\"{value}\"]")
        }
        Target::EventShape(name) => format!("scenario.events[\"{name}\"].activity_shape"),
        Target::CurveWeight(h) => format!("scenario.population.activity_curve[{h}]"),
        Target::WaitDuration(id) => format!("node.{id}.duration"),
        Target::SplitPercent(id, p) => format!("node.{id}.paths.{p}.percent"),
        Target::ControlPercent => "setup.control.journey_percent".to_owned(),
        Target::CapMessages => "setup.frequency_cap.max_messages".to_owned(),
        Target::DndEnabled => "setup.dnd.enabled".to_owned(),
    }
}

/// Every numeric setting this journey has, as paths, in a stable order.
#[must_use]
pub fn all_paths(j: &Journey) -> Vec<SettingPath> {
    let mut targets = Vec::new();
    for c in j.scenario.channels.keys() {
        for (f, _) in ChannelField::ALL {
            targets.push(Target::Channel(*c, f));
        }
    }
    for (name, e) in &j.scenario.events {
        targets.push(Target::EventRate(name.clone()));
        if e.activity_shape.is_some() {
            targets.push(Target::EventShape(name.clone()));
        }
        targets.extend((0..e.engagement.len()).map(|i| Target::Multiplier(name.clone(), i)));
        for (prop, d) in &e.properties {
            match d {
                PropertyDist::Normal { .. } | PropertyDist::Uniform { .. } => {
                    targets.push(Target::PropertyMean(name.clone(), prop.clone()));
                    targets.push(Target::PropertySd(name.clone(), prop.clone()));
                }
                PropertyDist::Categorical(cats) => {
                    // A category listed twice is one setting (the first), as `get` reads it.
                    let mut seen = std::collections::BTreeSet::new();
                    targets.extend(
                        cats.iter()
                            .filter(|(c, _)| seen.insert(c.as_str()))
                            .map(|(c, _)| Target::PropertyShare(name.clone(), prop.clone(), c.clone())),
                    );
                }
                _ => {}
            }
        }
    }
    targets.push(Target::ActivityShape);
    targets.extend((0..j.scenario.population.activity_curve.len().min(24)).map(Target::CurveWeight));
    for (f, _) in ReachField::ALL {
        targets.push(Target::Reach(f));
    }
    for c in j.scenario.population.reachability.unsubscribed.keys() {
        targets.push(Target::Unsubscribed(*c));
    }
    for c in j.scenario.fatigue.keys() {
        targets.push(Target::Fatigue(*c));
    }
    for (id, n) in &j.graph.nodes {
        match &n.kind {
            NodeKind::Wait(WaitKind::Duration(_)) => targets.push(Target::WaitDuration(*id)),
            NodeKind::RandomSplit { paths, .. } => {
                targets.extend(paths.iter().map(|p| Target::SplitPercent(*id, p.id)));
            }
            _ => {}
        }
    }
    targets.push(Target::ControlPercent);
    if j.setup.frequency_cap.is_some() {
        targets.push(Target::CapMessages);
    }
    targets.push(Target::DndEnabled);
    targets.into_iter().map(|t| SettingPath { text: canonical(&t), target: t }).collect()
}

/// The uncertain scenario inputs the tornado varies (SPEC §7): channel rates and costs,
/// event rates, engagement multipliers, numeric event property means (goal values), the
/// activity shapes (the shared one, and an event's own where it has one), reachability,
/// unsubscribed shares and fatigue. The hourly curve, property spreads and category shares
/// are not varied: ±25% of one hour's weight or one category's share is not an assumption
/// anyone is unsure of in isolation.
#[must_use]
pub fn scenario_inputs(j: &Journey) -> Vec<SettingPath> {
    all_paths(j)
        .into_iter()
        .filter(|p| p.text.starts_with("scenario."))
        .filter(|p| !matches!(p.target, Target::CurveWeight(_) | Target::PropertySd(..) | Target::PropertyShare(..)))
        .collect()
}

/// Up to five valid paths nearest to `path` (by edit distance).
#[must_use]
pub fn nearest(path: &str, j: &Journey) -> Vec<String> {
    // A path that contains the given one's last part ("click" in `….Push.click`) comes
    // before the others, nearest first.
    let tail = path.rsplit('.').next().unwrap_or(path).trim().to_lowercase();
    let mut all: Vec<(bool, usize, String)> = all_paths(j)
        .into_iter()
        .map(|p| (tail.is_empty() || !p.text.to_lowercase().contains(&tail), distance(path, &p.text), p.text))
        .collect();
    all.sort();
    all.into_iter().take(5).map(|(_, _, p)| p).collect()
}

/// Levenshtein distance by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (k, cb) in b.iter().enumerate() {
            cur[k + 1] = (prev[k] + usize::from(ca != *cb)).min(prev[k + 1] + 1).min(cur[k] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChannelRates, EventBehaviour, KindTag, Node, RandomPath};

    fn journey() -> Journey {
        let mut j = Journey::new("t");
        j.scenario.channels.insert(Channel::Push, ChannelRates::typical(Channel::Push));
        j.scenario.events.insert("App Launched".into(), EventBehaviour::at_rate(1.5));
        let id = j.graph.next_node_id();
        let mut kind = KindTag::RandomSplit.default_kind();
        if let NodeKind::RandomSplit { paths, .. } = &mut kind {
            paths.push(RandomPath { id: PathId(3), name: "C".into(), percent: 0 });
            paths[0].percent = 60;
            paths[1].percent = 40;
        }
        j.graph.nodes.insert(id, Node { id, label: "split".into(), pos: crate::model::CanvasPos::new(0.0, 0.0), kind });
        let w = j.graph.next_node_id();
        j.graph.nodes.insert(
            w,
            Node {
                id: w,
                label: "wait".into(),
                pos: crate::model::CanvasPos::new(0.0, 0.0),
                kind: KindTag::Wait.default_kind(),
            },
        );
        j
    }

    #[test]
    fn paths_read_and_write_the_files_fields() {
        let mut j = journey();
        let p = SettingPath::parse("scenario.channels.Push.click_given_view", &j).unwrap();
        p.set(&mut j, 0.25).unwrap();
        assert_eq!(j.scenario.channels[&Channel::Push].click_given_view, 0.25);
        assert_eq!(p.get(&j), Some(0.25));
        let e = SettingPath::parse("scenario.events[\"App Launched\"].rate_per_day", &j).unwrap();
        assert_eq!(e.get(&j), Some(1.5));
        e.set(&mut j, 3.0).unwrap();
        assert_eq!(j.scenario.events["App Launched"].rate_per_day, 3.0);
        let w = SettingPath::parse("node.n3.duration", &j).unwrap();
        assert_eq!(w.get(&j), Some(86_400.0));
        w.set(&mut j, 7200.4).unwrap();
        assert_eq!(w.get(&j), Some(7200.0));
        let c = SettingPath::parse("setup.control.journey_percent", &j).unwrap();
        c.set(&mut j, 0.0).unwrap();
        assert_eq!(j.setup.control.journey_percent, None);
        c.set(&mut j, 20.0).unwrap();
        assert_eq!(j.setup.control.journey_percent, Some(20));
        let d = SettingPath::parse("setup.dnd.enabled", &j).unwrap();
        d.set(&mut j, 0.0).unwrap();
        assert!(!j.setup.dnd.enabled);
        // A goal value's distribution: a normal's mean, a uniform's midpoint.
        let mut charged = EventBehaviour::at_rate(0.1);
        charged.properties.insert("Amount".into(), PropertyDist::Uniform { min: 0.1, max: 0.7 });
        charged.properties.insert("Tip".into(), PropertyDist::Normal { mean: 5.0, std_dev: 1.0 });
        charged.properties.insert("Kind".into(), PropertyDist::Bool(0.5));
        charged.properties.insert(
            "Platform".into(),
            PropertyDist::Categorical(vec![("ios".into(), 2.0), ("android".into(), 1.0), ("ios".into(), 5.0)]),
        );
        charged.activity_shape = Some(0.7);
        j.scenario.events.insert("Charged".into(), charged);
        let m = SettingPath::parse("scenario.events[\"Charged\"].properties[\"Amount\"].mean", &j).unwrap();
        m.set(&mut j, 10.0).unwrap();
        let PropertyDist::Uniform { min, max } = j.scenario.events["Charged"].properties["Amount"] else {
            panic!("still uniform")
        };
        assert!((min - 9.7).abs() < 1e-9 && (max - 10.3).abs() < 1e-9, "{min} {max}");
        let t = SettingPath::parse("scenario.events[\"Charged\"].properties[\"Tip\"].mean", &j).unwrap();
        t.set(&mut j, 7.5).unwrap();
        assert_eq!(t.get(&j), Some(7.5));
        assert!(SettingPath::parse("scenario.events[\"Charged\"].properties[\"Kind\"].mean", &j).is_err());
        assert!(scenario_inputs(&j).contains(&t));
        // Every listed path reads a value and writes it back unchanged.
        for p in all_paths(&j) {
            let v = p.get(&j).unwrap();
            let mut k = j.clone();
            p.set(&mut k, v).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(k, j, "{p}");
            assert_eq!(SettingPath::parse(&p.to_string(), &j).unwrap(), p);
        }
    }

    #[test]
    fn shapes_hours_spreads_and_shares_have_paths() {
        let mut j = journey();
        let mut charged = EventBehaviour::at_rate(0.1);
        charged.properties.insert("Amount".into(), PropertyDist::Uniform { min: 10.0, max: 20.0 });
        charged.properties.insert("Tip".into(), PropertyDist::Normal { mean: 5.0, std_dev: 1.0 });
        charged.properties.insert(
            "Platform".into(),
            PropertyDist::Categorical(vec![("ios".into(), 2.0), ("android".into(), 1.0), ("web".into(), 1.0)]),
        );
        j.scenario.events.insert("Charged".into(), charged);
        // No own shape yet: not a setting until it is added.
        assert!(SettingPath::parse("scenario.events[\"Charged\"].activity_shape", &j).is_err());
        let shape = SettingPath::parse_adding("scenario.events[\"Charged\"].activity_shape", &j).unwrap();
        assert!(shape.set(&mut j.clone(), 1.5).is_err());
        shape.set_adding(&mut j, 1.5).unwrap();
        assert_eq!(j.scenario.events["Charged"].activity_shape, Some(1.5));
        assert_eq!(SettingPath::parse("scenario.events[\"Charged\"].activity_shape", &j).unwrap(), shape);
        assert!(shape.set(&mut j, 0.0).is_err(), "a shape is more than 0");
        assert!(scenario_inputs(&j).contains(&shape), "the tornado varies the activity shapes");

        let h = SettingPath::parse("scenario.population.activity_curve[13]", &j).unwrap();
        h.set(&mut j, 2.5).unwrap();
        assert_eq!(j.scenario.population.activity_curve[13], 2.5);
        assert!(SettingPath::parse("scenario.population.activity_curve[24]", &j).is_err());
        assert!(!scenario_inputs(&j).contains(&h), "the tornado leaves the curve alone");

        let sd = SettingPath::parse("scenario.events[\"Charged\"].properties[\"Tip\"].sd", &j).unwrap();
        sd.set(&mut j, 2.0).unwrap();
        assert_eq!(j.scenario.events["Charged"].properties["Tip"], PropertyDist::Normal { mean: 5.0, std_dev: 2.0 });
        let u = SettingPath::parse("scenario.events[\"Charged\"].properties[\"Amount\"].sd", &j).unwrap();
        assert!((u.get(&j).unwrap() - 10.0 / 12f64.sqrt()).abs() < 1e-12);
        u.set(&mut j, 3f64.sqrt()).unwrap();
        let PropertyDist::Uniform { min, max } = j.scenario.events["Charged"].properties["Amount"] else { panic!() };
        assert!((min - 12.0).abs() < 1e-9 && (max - 18.0).abs() < 1e-9, "{min} {max}");

        let ios =
            SettingPath::parse("scenario.events[\"Charged\"].properties[\"Platform\"].share[\"ios\"]", &j).unwrap();
        assert_eq!(ios.get(&j), Some(0.5));
        assert_eq!(ios.category(), Some(("Charged", "Platform", "ios")));
        ios.set(&mut j, 0.8).unwrap();
        let PropertyDist::Categorical(cats) = &j.scenario.events["Charged"].properties["Platform"] else { panic!() };
        let w: Vec<f64> = cats.iter().map(|(_, w)| *w).collect();
        assert!((w[0] - 0.8).abs() < 1e-12 && (w[1] - 0.1).abs() < 1e-12 && (w[2] - 0.1).abs() < 1e-12, "{w:?}");
        assert!(
            SettingPath::parse("scenario.events[\"Charged\"].properties[\"Platform\"].share[\"mac\"]", &j).is_err()
        );

        // Several shares at once: exactly those, the rest in proportion; all or nothing.
        // Parsing only needs a journey for the nearest paths of an error.
        let other = Journey::new("other");
        let p = |c: &str| {
            SettingPath::parse_adding(
                &format!("scenario.events[\"Charged\"].properties[\"Platform\"].share[\"{c}\"]"),
                &other,
            )
            .unwrap()
        };
        let before = j.clone();
        let too_much = [(p("ios"), 0.3), (p("web"), 1.2)];
        assert!(set_all_adding(&mut j, &too_much).is_err());
        assert_eq!(j, before);
        set_all_adding(&mut j, &[(p("mac"), 0.3), (p("ios"), 0.5)]).unwrap();
        let PropertyDist::Categorical(cats) = &j.scenario.events["Charged"].properties["Platform"] else { panic!() };
        let got: Vec<(&str, f64)> = cats.iter().map(|(c, w)| (c.as_str(), (w * 1e9).round() / 1e9)).collect();
        assert_eq!(got, vec![("ios", 0.5), ("android", 0.1), ("web", 0.1), ("mac", 0.3)]);
        // A missing event and property are added by set_adding only.
        let m = SettingPath::parse_adding("scenario.events[\"New\"].properties[\"Size\"].mean", &j).unwrap();
        assert!(m.set(&mut j, 3.0).is_err());
        m.set_adding(&mut j, 3.0).unwrap();
        assert_eq!(
            j.scenario.events["New"].rate_per_day,
            crate::model::Scenario::default_event_behaviour().rate_per_day
        );
        assert_eq!(j.scenario.events["New"].properties["Size"], PropertyDist::Normal { mean: 3.0, std_dev: 0.0 });
        // The node settings are never added.
        assert!(SettingPath::parse_adding("node.n9.duration", &j).unwrap().set_adding(&mut j, 100.0).is_err());
    }

    #[test]
    fn a_split_share_rescales_the_other_paths() {
        let mut j = journey();
        let p = SettingPath::parse("node.n2.paths.p1.percent", &j).unwrap();
        p.set(&mut j, 80.0).unwrap();
        let NodeKind::RandomSplit { paths, .. } = &j.graph.nodes[&NodeId(2)].kind else { panic!() };
        let shares: Vec<u8> = paths.iter().map(|p| p.percent).collect();
        assert_eq!(shares, vec![80, 20, 0]);
        p.set(&mut j, 100.0).unwrap();
        p.set(&mut j, 40.0).unwrap();
        let NodeKind::RandomSplit { paths, .. } = &j.graph.nodes[&NodeId(2)].kind else { panic!() };
        assert_eq!(paths.iter().map(|p| u32::from(p.percent)).sum::<u32>(), 100);
    }

    #[test]
    fn unknown_paths_and_bad_values_are_clear_errors() {
        let mut j = journey();
        let e = SettingPath::parse("scenario.channels.Push.click_given_veiw", &j).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("unknown setting") && text.contains("scenario.channels.Push.click_given_view"), "{text}");
        assert!(SettingPath::parse("node.n9.duration", &j).is_err(), "no such node");
        assert!(SettingPath::parse("node.n1.duration", &j).is_err(), "the entry is not a wait");
        let p = SettingPath::parse("scenario.channels.Push.view", &j).unwrap();
        let before = j.clone();
        let e = p.set(&mut j, 1.5).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        assert_eq!(j, before);
        let c = SettingPath::parse("setup.control.journey_percent", &j).unwrap();
        assert!(c.set(&mut j, 1.0).is_err(), "1% is not a valid control group");
        assert!(p.set(&mut j, f64::NAN).is_err());
    }
}
