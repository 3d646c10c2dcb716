//! The panels around the canvas: the palette, the inspector, the problems list and the
//! status bar. Each reads the state and writes commands or actions; none mutates the
//! model.

pub mod inspector;
pub mod palette;
pub mod problems;
pub mod status;
