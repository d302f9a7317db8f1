//! itur (איתור): the batch pipeline of the Israeli Ministry of Education's yearly placement jobs.
//!
//! The flow: input directory → read (Parquet/CSV) → validate against `schemas/` (rejects) →
//! typed tables → job stages (pure functions) → outputs (atomic directory) → manifest.
pub mod app;
pub mod cli;
pub mod diff;
pub mod error;
pub mod jobs;
pub mod memory;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod steps;
pub mod synth;
pub mod table;
