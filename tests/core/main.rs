//! The headless integration tests, in one binary so that CI links the stack once:
//! the CLI, the bundled examples, the file format, the oracle, the engine and validation.

mod cli;
mod compare;
mod examples;
mod format;
mod oracle;
mod sim;
mod validate;
