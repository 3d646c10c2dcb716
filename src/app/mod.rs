//! The eframe desktop editor (feature `gui`).
