//! The GUI integration tests (egui_kittest), in one binary so that CI links the stack
//! once: the editor, the forms, building journeys by hand, the simulation preview, plan
//! and explore, calibration from past results, autosave and recovery, publish, versions
//! and compare, the message preview with Liquid checking, and a canvas and inspector
//! that stay readable.
#![cfg(feature = "gui")]

mod calibration;
mod editor;
mod explore;
#[path = "../core/fault.rs"]
mod fault;
mod forms;
mod forms_build;
mod harness_support;
mod liquid;
mod preview;
mod readable;
mod recovery;
mod versions;
