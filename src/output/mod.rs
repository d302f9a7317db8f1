//! Outputs: the atomic output directory, Parquet/CSV writers and the run manifest.
pub mod atomic;
pub mod dictionary;
pub mod export_dir;
pub mod guard;
pub mod lock;
pub mod manifest;
pub mod parquet;
pub mod partitions;
pub mod rejects;
pub mod rows;
pub mod stop;
pub mod stream;
pub mod table;
pub mod write;
pub mod xlsx;

pub use atomic::{OutputDir, OutputFile};
pub use manifest::Manifest;
