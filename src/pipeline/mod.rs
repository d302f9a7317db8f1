//! Pipeline files (`pipelines/<job>.toml`): every regulation parameter, merged with `--set`
//! overrides and checked into typed settings before any data is read.
pub mod gifted;
pub mod roster_export;
pub mod source;

pub use source::{PipelineSource, JOBS};
