//! Comparing two sets of statistics with a stated tolerance: the oracle against the
//! engine (through a converter from the engine's report), or the oracle against itself.
//!
//! Tolerance: each count is compared as a difference of two independent counts, with a
//! Poisson standard error sqrt(a + b) (conservative for binomial counts) plus a relative
//! slack for deliberate modelling freedoms (rounding of delays to whole seconds):
//! `z = (a − b) / sqrt(a + b + (slack · max(a, b))²)`, and only counts of at least
//! `min_count` on either side are judged.

use std::collections::BTreeMap;

use journey_studio::model::{Journey, NodeKind, Port};

use super::queue::OracleStats;

/// The tolerance of a comparison.
#[derive(Clone, Copy, Debug)]
pub struct Tolerance {
    /// Largest |z| accepted.
    pub z_max: f64,
    /// Relative slack added to the standard error.
    pub slack: f64,
    /// Counts below this on both sides are not judged.
    pub min_count: f64,
}

/// |z| < 4.5 with 1 % slack, for counts of 30 or more.
pub const DEFAULT: Tolerance = Tolerance { z_max: 4.5, slack: 0.01, min_count: 30.0 };

/// Every comparable figure, by a readable name. Figures a side does not report are
/// left out by the caller's key filter, not set to zero.
pub fn flatten(j: &Journey, s: &OracleStats) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    let mut put = |k: String, v: u64| {
        m.insert(k, v as f64);
    };
    put("journey.qualified".into(), s.qualified);
    put("journey.entered".into(), s.entered);
    put("journey.control".into(), s.control);
    put("journey.control_journey".into(), s.control_journey);
    put("journey.target".into(), s.target);
    put("journey.completed".into(), s.completed);
    put("journey.timed_out".into(), s.timed_out);
    put("journey.exit_criteria".into(), s.exit_criteria);
    put("journey.force_exits".into(), s.force_exits);
    put("journey.conversions_target".into(), s.conv_target);
    put("journey.conversions_control".into(), s.conv_control);
    for (i, g) in s.goal_met.iter().enumerate() {
        put(format!("goal{}.met", i + 1), *g);
    }
    for (i, g) in s.conv_target_per_goal.iter().enumerate() {
        put(format!("goal{}.conversions_target", i + 1), *g);
    }
    for (n, v) in &s.node_entered {
        put(format!("{n}.entered"), *v);
    }
    for ((n, p), v) in &s.moved {
        put(format!("{n}.{p}"), *v);
    }
    for (n, v) in &s.goal_before {
        put(format!("{n}.goal_before"), *v);
    }
    for (n, v) in &s.goal_at {
        put(format!("{n}.goal_at"), *v);
    }
    for (n, v) in &s.waiting_before {
        put(format!("{n}.waiting_before"), *v);
    }
    for (n, v) in &s.waiting_at {
        put(format!("{n}.waiting_at"), *v);
    }
    for (n, c) in &s.channels {
        let ports = j.graph.nodes.get(n).map(|x| x.kind.output_ports()).unwrap_or_default();
        put(format!("{n}.sent"), c.sent);
        put(format!("{n}.failed"), c.failed);
        put(format!("{n}.unreachable"), c.unreachable);
        put(format!("{n}.dnd_deferred"), c.dnd_deferred);
        put(format!("{n}.dnd_skipped"), c.dnd_skipped);
        put(format!("{n}.capped"), c.capped);
        put(format!("{n}.unsubscribed"), c.unsubscribed);
        // Outcomes are compared only where the channel has the port (SPEC leaves open
        // whether a channel without the port records them).
        if ports.contains(&Port::Delivered) {
            put(format!("{n}.delivered"), c.delivered);
        }
        if ports.contains(&Port::Viewed) {
            put(format!("{n}.viewed"), c.viewed);
        }
        if ports.contains(&Port::Clicked) {
            put(format!("{n}.clicked"), c.clicked);
        }
    }
    // Nodes nobody reached still compare as zero.
    for (id, n) in &j.graph.nodes {
        m.entry(format!("{id}.entered")).or_insert(0.0);
        for p in n.kind.output_ports() {
            m.entry(format!("{id}.{p}")).or_insert(0.0);
        }
        if matches!(n.kind, NodeKind::Channel { .. }) {
            m.entry(format!("{id}.sent")).or_insert(0.0);
        }
    }
    m
}

/// One judged figure.
#[derive(Clone, Debug)]
pub struct Judged {
    /// Figure name.
    pub key: String,
    /// First side.
    pub a: f64,
    /// Second side.
    pub b: f64,
    /// Standardised difference.
    pub z: f64,
}

/// The figures both sides report, judged; those with |z| ≥ z_max are disagreements.
pub fn judge(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>, tol: Tolerance) -> Vec<Judged> {
    let mut out = Vec::new();
    for (k, va) in a {
        let Some(vb) = b.get(k) else { continue };
        if va.max(*vb) < tol.min_count {
            continue;
        }
        let big = va.max(*vb);
        let se = (va + vb + (tol.slack * big).powi(2)).sqrt();
        out.push(Judged { key: k.clone(), a: *va, b: *vb, z: (va - vb) / se });
    }
    out
}

/// The disagreements, as readable lines (empty when the two agree).
pub fn disagreements(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>, tol: Tolerance) -> Vec<String> {
    judge(a, b, tol)
        .into_iter()
        .filter(|j| j.z.abs() >= tol.z_max)
        .map(|j| format!("{}: {} vs {} (z = {:.1})", j.key, j.a, j.b, j.z))
        .collect()
}
