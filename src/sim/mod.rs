//! The simulation engine (SPEC §2): a per-user walk over the journey graph.
//!
//! Invariants: same file and seed give byte-identical statistics whatever the thread
//! count; no file or terminal I/O and no wall clock inside the engine.

pub mod calendar;
pub mod intervals;
pub mod rng;
