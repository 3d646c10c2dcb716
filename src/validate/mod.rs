//! Validation (SPEC §1.4): rules over a model, giving diagnostics a marketer understands.
//!
//! Invariant: validation never mutates and never panics, whatever the model holds.

use crate::model::{Journey, NodeId};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth a look; does not block publish or simulation.
    Warning,
    /// Blocks publish and simulation.
    Error,
}

/// Where a problem is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// The setup form.
    Setup,
    /// The entry segment (when no single entry node can be named).
    Entry,
    /// The goal with this index (0-based; shown 1-based as "goal N").
    Goal(usize),
    /// The scenario.
    Scenario,
    /// One or more nodes (the first is the one to highlight).
    Nodes(Vec<NodeId>),
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where.
    pub location: Location,
    /// A message a marketer understands.
    pub message: String,
}

/// Runs every rule.
#[must_use]
pub fn validate(journey: &Journey) -> Vec<Diagnostic> {
    let _ = journey;
    Vec::new()
}
