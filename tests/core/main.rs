//! The headless integration tests, in one binary so that CI links the stack once:
//! the CLI, the bundled examples, the file format, the oracle, the engine and validation.

mod cli;
mod examples;
mod fault;
mod format;
mod oracle;
mod safety;
mod sim;
mod validate;
