//! The yearly jobs.
pub mod gifted;
