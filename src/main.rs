//! The `journey-studio` binary: a subcommand runs headless; none opens the editor.

fn main() {}
