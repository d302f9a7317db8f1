//! The yearly jobs.

/// Implements `serde::Serialize` for enums as their `as_str()` text, so an output row
/// (`output::rows`) writes an enum exactly as the job names it everywhere else.
macro_rules! serialize_as_str {
    ($($t:ty),+ $(,)?) => {
        $(impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        })+
    };
}
pub(crate) use serialize_as_str;

pub mod gifted;
pub mod gifted_requests;
pub mod gifted_secondary;
pub mod letters;
pub mod report;
pub mod research_export;
pub mod retest_review;
pub mod roster_export;
pub mod special_ed;
pub mod special_sessions;
pub mod teacher_loans;

pub use report::JobReport;
