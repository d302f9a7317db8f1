//! Pipeline files (`pipelines/<job>.toml`): every regulation parameter, merged with `--set`
//! overrides and checked into typed settings before any data is read. The raw TOML and the
//! overrides (`source`) become one typed value per job (`gifted`, `roster_export`) whose
//! types check each value as it is read (`values`: exact percentiles and shares; dates through
//! `rules::date`); the jobs' parameter structs are built from it and cannot fail.
pub mod gifted;
pub mod gifted_secondary;
pub mod request_letters;
pub mod research_export;
pub mod retest_review;
pub mod roster_export;
pub mod source;
mod spans;
pub mod special_ed;
pub mod special_sessions;
pub mod teacher_loans;
pub mod values;

pub use source::{PipelineSource, JOBS};
