//! The yearly jobs.
pub mod gifted;
pub mod letters;
pub mod roster_export;
