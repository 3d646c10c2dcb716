//! Figures as people read them, below the CLI and the app so both say the same thing:
//! - [`text`]: counts, shares, money and durations as text, with an optional baseline;
//! - [`export`]: the table, JSON and CSV writers of a run;
//! - [`compare`]: the table, JSON and CSV writers of a paired comparison;
//! - [`explore`]: the writers of the planner, the sensitivity sweep and the tornado.
//!
//! Nothing here runs the engine or touches files: writers return strings.

pub mod compare;
pub mod explore;
pub mod export;
pub mod text;
