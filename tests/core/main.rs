//! The headless integration tests, in one binary so that CI links the stack once:
//! the CLI, the bundled examples, planning and sensitivity, the file format, the oracle, the engine, validation,
//! and versions with `diff`.

mod cli;
mod compare;
mod examples;
mod explore;
mod fault;
mod format;
mod oracle;
mod report;
mod safety;
mod sim;
mod validate;
mod versions;
