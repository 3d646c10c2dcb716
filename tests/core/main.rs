//! The headless integration tests, in one binary so that CI links the stack once:
//! calibration from past results, the CLI, the bundled examples, planning and sensitivity,
//! the file format, the oracle, the engine, validation, versions with `diff`, and Liquid
//! personalization.

mod calibrate;
mod cli;
mod compare;
mod examples;
mod explore;
mod fault;
mod format;
mod liquid;
mod oracle;
mod report;
mod safety;
mod sim;
mod validate;
mod variants;
mod versions;
