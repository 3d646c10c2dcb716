//! The eframe desktop editor (feature `gui`).

pub mod forms;
