//! The oracle's property values and condition evaluation (SPEC §1.2 operators), and
//! its own random numbers.
//!
//! Invariant: independent of the engine; a missing property fails every comparison
//! (including "does not equal"); arrays exist only through profile updates.

use std::collections::BTreeMap;

use journey_studio::model::{Filter, Operator, PropertyCondition, PropertyDist, Scope, UpdateOp, Value};
use rand::Rng as _;
use rand_pcg::Pcg64Mcg;

/// A property value held by a user or an event.
#[derive(Clone, Debug, PartialEq)]
pub enum PVal {
    /// Text.
    Text(String),
    /// Number.
    Num(f64),
    /// Boolean.
    Bool(bool),
    /// Instant, seconds.
    Time(i64),
    /// An array built by profile updates.
    List(Vec<String>),
}

/// Properties by name.
pub type Props = BTreeMap<String, PVal>;

/// The oracle's random stream: PCG-64 MCG seeded from the oracle's own mixing hash.
pub struct Rand(Pcg64Mcg);

/// SplitMix64 finaliser: the oracle's own hash.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key from several parts.
pub fn key(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5EED_0EAC_u64, |h, p| mix(h ^ mix(*p)))
}

/// A number in [0, 1) from a key (sticky assignments).
pub fn unit(parts: &[u64]) -> f64 {
    (key(parts) >> 11) as f64 / (1u64 << 53) as f64
}

impl Rand {
    /// A stream for these key parts.
    pub fn new(parts: &[u64]) -> Self {
        let k = key(parts);
        let state = (u128::from(k) << 64) | u128::from(mix(k ^ 0xA5A5)) | 1;
        Self(Pcg64Mcg::new(state))
    }

    /// Uniform in [0, 1).
    pub fn u(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in (0, 1].
    fn u_open(&mut self) -> f64 {
        1.0 - self.u()
    }

    /// True with probability p.
    pub fn bern(&mut self, p: f64) -> bool {
        self.u() < p
    }

    /// A standard exponential.
    pub fn exp1(&mut self) -> f64 {
        -self.u_open().ln()
    }

    /// A standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (a, b) = (self.u_open(), self.u());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang (with the boost for shape < 1).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0);
            return g * self.u_open().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.u_open();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// A draw from a property distribution; `start` anchors date offsets.
    pub fn prop(&mut self, dist: &PropertyDist, start: i64) -> Option<PVal> {
        Some(match dist {
            PropertyDist::Categorical(cats) => {
                let total: f64 = cats.iter().map(|(_, w)| w.max(0.0)).sum();
                if total <= 0.0 {
                    return None;
                }
                let mut x = self.u() * total;
                let mut pick = cats.last()?.0.clone();
                for (name, w) in cats {
                    x -= w.max(0.0);
                    if x < 0.0 {
                        pick = name.clone();
                        break;
                    }
                }
                PVal::Text(pick)
            }
            PropertyDist::Uniform { min, max } => PVal::Num(min + (max - min) * self.u()),
            PropertyDist::Normal { mean, std_dev } => PVal::Num(mean + std_dev * self.normal()),
            PropertyDist::Bool(p) => PVal::Bool(self.bern(*p)),
            PropertyDist::DateOffset { min_days, max_days } => {
                let days = min_days + (max_days - min_days) * self.u();
                PVal::Time(start + (days * 86_400.0).round() as i64)
            }
        })
    }
}

/// Whether a filter holds (an empty All holds, an empty Any does not).
pub fn filter_holds(f: &Filter, user: &Props, event: Option<&Props>, now: i64) -> bool {
    match f {
        Filter::All(v) => v.iter().all(|x| filter_holds(x, user, event, now)),
        Filter::Any(v) => v.iter().any(|x| filter_holds(x, user, event, now)),
        Filter::Cond(c) => cond_holds(c, user, event, now),
    }
}

/// Whether every condition holds (AND).
pub fn all_hold(cs: &[PropertyCondition], user: &Props, event: Option<&Props>, now: i64) -> bool {
    cs.iter().all(|c| cond_holds(c, user, event, now))
}

/// One comparison.
pub fn cond_holds(c: &PropertyCondition, user: &Props, event: Option<&Props>, now: i64) -> bool {
    let src = match c.scope {
        Scope::User => Some(user),
        Scope::Event => event,
    };
    let Some(v) = src.and_then(|p| p.get(&c.property)) else {
        return false;
    };
    match c.op {
        Operator::Exists => true,
        Operator::Equals => equals(v, &c.value),
        Operator::NotEquals => !equals(v, &c.value),
        Operator::GreaterThan => order(v, &c.value).is_some_and(std::cmp::Ordering::is_gt),
        Operator::LessThan => order(v, &c.value).is_some_and(std::cmp::Ordering::is_lt),
        Operator::Contains => match (v, &c.value) {
            (PVal::Text(s), Value::Text(x)) => s.contains(x.as_str()),
            (PVal::List(l), Value::Text(x)) => l.iter().any(|e| e == x),
            _ => false,
        },
        Operator::WithinLast => match (v, &c.value) {
            (PVal::Time(t), Value::Duration(d)) => *t <= now && *t >= now - d.0,
            _ => false,
        },
        Operator::WithinNext => match (v, &c.value) {
            (PVal::Time(t), Value::Duration(d)) => *t >= now && *t <= now + d.0,
            _ => false,
        },
    }
}

fn equals(v: &PVal, x: &Value) -> bool {
    match (v, x) {
        (PVal::Text(a), Value::Text(b)) => a == b,
        (PVal::Num(a), Value::Number(b)) => a == b,
        (PVal::Bool(a), Value::Bool(b)) => a == b,
        (PVal::Time(a), Value::DateTime(b)) => *a == b.0,
        (PVal::List(l), Value::Text(b)) => l.len() == 1 && l[0] == *b,
        _ => false,
    }
}

fn order(v: &PVal, x: &Value) -> Option<std::cmp::Ordering> {
    match (v, x) {
        (PVal::Num(a), Value::Number(b)) => a.partial_cmp(b),
        (PVal::Time(a), Value::DateTime(b)) => Some(a.cmp(&b.0)),
        _ => None,
    }
}

/// A literal profile-update value: number, boolean, or text.
fn literal(s: &str) -> PVal {
    let t = s.trim();
    if let Ok(n) = t.parse::<f64>() {
        return PVal::Num(n);
    }
    match t {
        "true" => PVal::Bool(true),
        "false" => PVal::Bool(false),
        _ => match t.parse::<journey_studio::model::Timestamp>() {
            Ok(ts) => PVal::Time(ts.0),
            Err(_) => PVal::Text(t.to_owned()),
        },
    }
}

/// Applies one profile-update row.
pub fn apply_update(props: &mut Props, property: &str, op: UpdateOp, value: &str) {
    let lit = literal(value);
    match op {
        UpdateOp::SetTo => {
            props.insert(property.to_owned(), lit);
        }
        UpdateOp::IncreaseBy | UpdateOp::DecreaseBy => {
            let PVal::Num(d) = lit else { return };
            let d = if op == UpdateOp::DecreaseBy { -d } else { d };
            match props.get_mut(property) {
                Some(PVal::Num(n)) => *n += d,
                None => {
                    props.insert(property.to_owned(), PVal::Num(d));
                }
                Some(_) => {}
            }
        }
        UpdateOp::AddToArray => {
            let item = value.trim().to_owned();
            match props.get_mut(property) {
                Some(PVal::List(l)) => {
                    if !l.contains(&item) {
                        l.push(item);
                    }
                }
                Some(PVal::Text(s)) => {
                    let old = std::mem::take(s);
                    props.insert(property.to_owned(), PVal::List(vec![old, item]));
                }
                None => {
                    props.insert(property.to_owned(), PVal::List(vec![item]));
                }
                Some(_) => {}
            }
        }
        UpdateOp::RemoveFromArray => {
            let item = value.trim();
            if let Some(PVal::List(l)) = props.get_mut(property) {
                l.retain(|e| e != item);
            }
        }
    }
}
