//! Letters to parents (standing order 0207 §1.4, §1.5, §2.3.ד, §2.4.ד, §2.5.ד, §2.6.ב, §2.6.ה,
//! §2.12.ג; gifted.md §7).
//!
//! Parents learn the outcome of the identification process only by letter. This module turns
//! "student S gets letter kind K" requests into one rendered letter per (student, recipient):
//!
//! 1. [`recipients`] — who gets the letter: every legal guardian; guardians at the same
//!    (normalized) postal address share one letter addressed to both; guardians who live apart
//!    get one each; a guardian without a postal address but with an email gets an email letter;
//!    a student with no reachable legal guardian is `undeliverable`.
//! 2. [`templates`] — one minijinja template per kind and language (`he` for the hebrew sector,
//!    `ar` for the arabic sector), embedded in the binary and overridable from a directory
//!    ([`sources`]). The template context ([`context`]) is a closed struct with no field that
//!    could carry a score, percentile, rank or lottery number; templates that refer to anything
//!    else are rejected when loaded. Dates and school years are written out by [`words`].
//! 3. [`render`] — renders every letter (each template compiled once, letters in parallel), a
//!    batch of whole schools at a time so that a run never holds every letter's text; output
//!    sorted and identical for any thread count or input order.
//! 4. [`bundle`] — one print-ready HTML file per institution, one letter per A4 page.
//!
//! Everything here is a pure function of its arguments: no clock (dates come from
//! [`LetterParams`]), no file I/O except reading an override template directory
//! ([`sources`]). Errors are [`LettersError`]s, which the app maps to its exit codes.
pub mod bundle;
pub mod context;
pub mod error;
pub mod inputs;
pub mod recipients;
pub mod render;
pub mod sources;
pub mod templates;
pub mod words;

#[cfg(test)]
mod gender_tests;
#[cfg(test)]
mod tests;

pub use bundle::{build_bundles, Bundle};
pub use context::{LetterContext, LetterParams};
pub use error::LettersError;
pub use inputs::{ContactColumns, DetailColumns, GuardianRows};
pub use recipients::{
    resolve_recipients, Contact, ContactDetails, Recipient, Recipients, Relation, Student,
    UndeliverableReason, UnreachedGuardian,
};
pub use render::{
    render_letters, render_letters_in_batches, Extra, GuardianSlices, Guardians, Institution,
    LetterExtra, LetterRequest, LetterRow, LettersBatch, LettersOutput, LettersRest, Undeliverable,
};
pub use templates::Templates;

/// The language of instruction of a school (`institutions.sector`), shared with the gifted job.
pub use crate::jobs::gifted::Sector;

/// A student's gender (`students.gender`, `m` or `f`), shared with the gifted job: the letters
/// use it for the grammatical gender of the words about the child.
pub use crate::jobs::gifted::placement::Gender;

impl Sector {
    /// Hebrew letters for the hebrew sector, Arabic letters for the arabic sector (gifted.md §7).
    pub fn language(self) -> Language {
        match self {
            Sector::Hebrew => Language::He,
            Sector::Arabic => Language::Ar,
        }
    }
}

/// The language a letter is written in (`letters.language`). Both are right-to-left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    He,
    Ar,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::He, Language::Ar];

    /// `he` or `ar`: the `letters.language` value, the HTML `lang` and the template subdirectory.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::He => "he",
            Language::Ar => "ar",
        }
    }

    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "he" => Some(Language::He),
            "ar" => Some(Language::Ar),
            _ => None,
        }
    }
}

/// How a letter reaches its recipient (`letters.channel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// Printed and mailed to the postal address.
    Post,
    /// Sent to the email address (the guardian has no postal address).
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Post => "post",
            Channel::Email => "email",
        }
    }
}

/// The letter kinds of gifted.md §2–§4 and §5.11. Each has one template per language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LetterKind {
    /// Stage A: referred to stage B (§2.4.ד).
    StageAReferred,
    /// Stage A: tested, not referred (§2.4.ד).
    StageANotReferred,
    /// Stage A: absent from the school test (gifted.md §2.1).
    StageAAbsent,
    /// Stage B: reached the threshold of the programs for the gifted (§2.6.ב).
    StageBGifted,
    /// Stage B: reached the threshold of the programs for excellent students (§1.10, §2.6.א).
    StageBExcellent,
    /// Stage B: did not reach a program's threshold (§2.6.ב).
    StageBNotEligible,
    /// Stage B: missed a part of the test; points to the absence procedure (§5.2).
    StageBIncomplete,
    /// Invitation to the admission interview for a gifted class (§2.7, §2.8.ד.2).
    InterviewInvitation,
    /// Placement in a gifted class (§2.2).
    PlacementClass,
    /// Placement in the gifted program of an enrichment center (§2.8.ב, §2.8.ד.3).
    PlacementEnrichmentGifted,
    /// Placement in the excellent program of an enrichment center (§1.10).
    PlacementEnrichmentExcellent,
    /// Not placed in a gifted class this round; on the waitlist (§2.8.ד.3).
    NotPlacedWaitlist,
    /// A class request that made no candidate, with the reason in words (gifted.md §4
    /// `request_outcomes`; 0207 §2.8.ג.3–4, §2.2.א).
    PlacementRequestNotCandidate,
    /// A retest request's pre-screen decision, with its rule in words (gifted.md §6.1,
    /// `retest_decisions`; 0207 §5.1).
    RetestDecision,
    /// An absence notice's decision, with its rule in words and, for a make-up, what happens
    /// next (gifted.md §6.1 "Absence", `absence_decisions`; 0207 §5.2).
    AbsenceDecision,
    /// An accommodations request's outcome: adapted session, regular session or next year's
    /// cycle (gifted.md §6.2, `accommodation_outcomes`; 0207 §6.1).
    AccommodationOutcome,
    /// A language-adapted test request's decision, with its ground in words (gifted.md §6.2,
    /// `language_decisions`; 0207 §6.2, §1.7).
    LanguageDecision,
    /// Secondary admission test: reached the threshold of the programs for the gifted (§2.12.א).
    SecondaryThresholdReached,
    /// Secondary admission test: did not reach the threshold (§2.12.א).
    SecondaryThresholdNotReached,
    /// Secondary admission test: a part missing; points to the absence procedure (§5.2).
    SecondaryIncomplete,
    /// Secondary admission test: removed for conduct; points to the retest procedure (§2.11.ו, §5).
    SecondaryRemoved,
    /// Invitation to the interview for a secondary gifted class (§3, §4.4, §4.6).
    SecondaryInterviewInvitation,
    /// Final placement in a secondary gifted class (§2.9).
    SecondaryPlacement,
    /// Final placement of a student exempt from the test and the interview (§2.10.א).
    SecondaryExemptPlacement,
    /// A secondary candidate on the waitlist (gifted.md §5.7).
    SecondaryWaitlist,
}

impl LetterKind {
    pub const ALL: [LetterKind; 25] = [
        LetterKind::StageAReferred,
        LetterKind::StageANotReferred,
        LetterKind::StageAAbsent,
        LetterKind::StageBGifted,
        LetterKind::StageBExcellent,
        LetterKind::StageBNotEligible,
        LetterKind::StageBIncomplete,
        LetterKind::InterviewInvitation,
        LetterKind::PlacementClass,
        LetterKind::PlacementEnrichmentGifted,
        LetterKind::PlacementEnrichmentExcellent,
        LetterKind::NotPlacedWaitlist,
        LetterKind::PlacementRequestNotCandidate,
        LetterKind::RetestDecision,
        LetterKind::AbsenceDecision,
        LetterKind::AccommodationOutcome,
        LetterKind::LanguageDecision,
        LetterKind::SecondaryThresholdReached,
        LetterKind::SecondaryThresholdNotReached,
        LetterKind::SecondaryIncomplete,
        LetterKind::SecondaryRemoved,
        LetterKind::SecondaryInterviewInvitation,
        LetterKind::SecondaryPlacement,
        LetterKind::SecondaryExemptPlacement,
        LetterKind::SecondaryWaitlist,
    ];

    /// The `letters.kind` value and the template file stem.
    pub fn as_str(self) -> &'static str {
        match self {
            LetterKind::StageAReferred => "stage_a_referred",
            LetterKind::StageANotReferred => "stage_a_not_referred",
            LetterKind::StageAAbsent => "stage_a_absent",
            LetterKind::StageBGifted => "stage_b_gifted",
            LetterKind::StageBExcellent => "stage_b_excellent",
            LetterKind::StageBNotEligible => "stage_b_not_eligible",
            LetterKind::StageBIncomplete => "stage_b_incomplete",
            LetterKind::InterviewInvitation => "interview_invitation",
            LetterKind::PlacementClass => "placement_class",
            LetterKind::PlacementEnrichmentGifted => "placement_enrichment_gifted",
            LetterKind::PlacementEnrichmentExcellent => "placement_enrichment_excellent",
            LetterKind::NotPlacedWaitlist => "not_placed_waitlist",
            LetterKind::PlacementRequestNotCandidate => "placement_request_not_candidate",
            LetterKind::RetestDecision => "retest_decision",
            LetterKind::AbsenceDecision => "absence_decision",
            LetterKind::AccommodationOutcome => "accommodation_outcome",
            LetterKind::LanguageDecision => "language_decision",
            LetterKind::SecondaryThresholdReached => "secondary_threshold_reached",
            LetterKind::SecondaryThresholdNotReached => "secondary_threshold_not_reached",
            LetterKind::SecondaryIncomplete => "secondary_incomplete",
            LetterKind::SecondaryRemoved => "secondary_removed",
            LetterKind::SecondaryInterviewInvitation => "secondary_interview_invitation",
            LetterKind::SecondaryPlacement => "secondary_placement",
            LetterKind::SecondaryExemptPlacement => "secondary_exempt_placement",
            LetterKind::SecondaryWaitlist => "secondary_waitlist",
        }
    }

    /// Parses a `letters.kind` value (the strings the gifted job's stages produce).
    pub fn parse(s: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The letter of an outcome of the gifted job, from the kind the outcome names (gifted.md
    /// §7; stage A: `LetterOutcome::letter_kind`, 0207 §2.4.ד; stage B: `Category::letter_kind`,
    /// §2.6.ב). Every outcome names a kind with a template in each language; a name that is
    /// none is an error, so no student's letter is ever dropped silently.
    pub fn of_outcome(name: &str) -> Result<LetterKind, UnknownLetterKind> {
        LetterKind::parse(name).ok_or_else(|| UnknownLetterKind(name.to_string()))
    }

    /// The [`LetterExtra`] field this kind cannot be written without, if any.
    pub fn required_extra(self) -> Option<&'static str> {
        match self {
            LetterKind::InterviewInvitation
            | LetterKind::PlacementClass
            | LetterKind::SecondaryInterviewInvitation
            | LetterKind::SecondaryPlacement
            | LetterKind::SecondaryExemptPlacement => Some("class_school_name"),
            LetterKind::PlacementEnrichmentGifted | LetterKind::PlacementEnrichmentExcellent => {
                Some("center_name")
            }
            // The decision letters of gifted.md §6 say their rule in words: without it there
            // is no letter to write.
            LetterKind::PlacementRequestNotCandidate
            | LetterKind::RetestDecision
            | LetterKind::AbsenceDecision
            | LetterKind::AccommodationOutcome
            | LetterKind::LanguageDecision => Some("request_reason"),
            _ => None,
        }
    }
}

impl std::fmt::Display for LetterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An outcome names a letter kind that has no template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLetterKind(pub String);

impl std::fmt::Display for UnknownLetterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown letter kind `{}`", self.0)
    }
}

impl std::error::Error for UnknownLetterKind {}

#[cfg(test)]
mod kind_tests {
    use super::LetterKind::{self, *};
    use crate::jobs::gifted::screening::LetterOutcome;
    use crate::jobs::gifted::Category;

    /// gifted.md §7, 0207 §2.4.ד and §2.6.ב: each stage A outcome and each stage B category
    /// gets its own letter; a removed student gets none.
    #[test]
    fn each_outcome_has_its_letter_kind() {
        for (outcome, kind) in [
            (LetterOutcome::Referred, StageAReferred),
            (LetterOutcome::NotReferred, StageANotReferred),
            (LetterOutcome::Absent, StageAAbsent),
        ] {
            assert_eq!(LetterKind::of_outcome(outcome.letter_kind()), Ok(kind));
        }
        for (category, kind) in [
            (Category::Gifted, Some(StageBGifted)),
            (Category::Excellent, Some(StageBExcellent)),
            (Category::NotEligible, Some(StageBNotEligible)),
            (Category::Incomplete, Some(StageBIncomplete)),
            (Category::Removed, None),
        ] {
            let got = category.letter_kind().map(LetterKind::of_outcome);
            assert_eq!(got, kind.map(Ok), "{category:?}");
        }
        let e = LetterKind::of_outcome("stage_c_gifted").unwrap_err();
        assert_eq!(e.to_string(), "unknown letter kind `stage_c_gifted`");
    }
}

crate::jobs::serialize_as_str!(
    Language,
    Channel,
    LetterKind,
    recipients::UndeliverableReason
);
