//! Journey Studio: design customer journeys offline and preview how they would perform.
//!
//! The layers point one way, from the bottom up:
//!
//! - [`model`]: the journey (setup, graph, goals, scenario, versions): plain data, and
//!   the structural diff of two journeys ([`model::diff`]).
//! - [`format`]: `.journey` RON files: format version, migrations, atomic save, errors with line and column.
//! - [`personalize`]: Liquid in message content and profile-update values (SPEC §4):
//!   checking with line and column, compiling once, rendering per user.
//! - [`validate`]: the rules of SPEC §1.4 over a model, as diagnostics.
//! - [`geometry`]: where cards, ports and links sit on the canvas, in plain numbers, for
//!   the editor's canvas and the report's SVG drawing alike.
//! - [`versions`]: publish (validate first), restore and clone versions; comparison sides.
//! - [`sim`]: the simulation engine; no I/O, no wall clock.
//! - [`calibrate`]: scenario values from past results (SPEC §8): the CSV, the derivations
//!   with their intervals, and applying them through the setting paths (headless).
//! - [`figures`]: figures as text, and the table, JSON and CSV writers the CLI and the app share.
//! - [`report`]: the self-contained HTML report of a run (SPEC §9).
//! - [`cli`]: the headless command line.
//! - `app` (feature `gui`): the eframe desktop editor.
//!
//! Nothing below `app` imports egui, eframe or rfd; `cargo build --no-default-features`
//! builds the engine and CLI alone.

pub mod calibrate;
pub mod cli;
pub mod figures;
pub mod format;
pub mod geometry;
pub mod model;
pub mod personalize;
pub mod report;
pub mod sim;
pub mod templates;
pub mod validate;
pub mod versions;

#[cfg(feature = "gui")]
pub mod app;
