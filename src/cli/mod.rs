//! The headless command line: `validate`, `new`, `simulate`.
