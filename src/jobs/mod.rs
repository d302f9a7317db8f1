//! The yearly jobs.
pub mod gifted;
pub mod letters;
