//! Parameters and input rows of the placement phase (gifted.md §4; data-contract.md
//! `gifted_tracks`, `class_requests`, `interviews`, `confidential/results`).

use chrono::NaiveDate;

use super::{Category, Sector};
use crate::rules::fraction::Ratio;

/// `students.gender`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "m" => Some(Gender::Male),
            "f" => Some(Gender::Female),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "m",
            Gender::Female => "f",
        }
    }
}

/// Pipeline key `gender_policy` (gifted.md §4; 0207 §2.8.ד.2).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GenderPolicy {
    /// Separate girls' and boys' lists, leftovers to a merged list.
    Balanced,
    /// One merged list takes all seats.
    None,
}

impl GenderPolicy {
    pub fn parse(s: &str) -> Option<GenderPolicy> {
        match s {
            "balanced" => Some(GenderPolicy::Balanced),
            "none" => Some(GenderPolicy::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GenderPolicy::Balanced => "balanced",
            GenderPolicy::None => "none",
        }
    }
}

/// Parameters of gifted.md §4 (pipeline keys of the same names; `enrichment_group_capacity`
/// is [`super::enrichment::EnrichmentParams`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementParams {
    /// Seats per class when a track has no `capacity_per_class` (0207 §2.8.א.1).
    pub class_capacity: i64,
    /// Classes an authority may open per grade across its tracks (0207 §2.8.ג.1).
    pub max_classes_per_authority: i64,
    /// Share of a grade's classes when all of an authority's classes are in one school
    /// (0207 §2.8.ג.2), exact.
    pub max_share_of_grade: Ratio,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
}

impl Default for PlacementParams {
    fn default() -> Self {
        PlacementParams {
            class_capacity: 26,
            max_classes_per_authority: 2,
            max_share_of_grade: Ratio::new(1, 2),
            gender_policy: GenderPolicy::Balanced,
            lottery_seed: "itur".to_string(),
        }
    }
}

/// One `confidential/results` row joined with the student's roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Student {
    pub student_id: String,
    /// The results' school year (a track's "second year or later" is judged against it).
    pub school_year: i64,
    /// Grade in the results' school year; candidates of a track are in its grade − 1.
    pub grade: i64,
    pub gender: Gender,
    pub residence_authority_id: String,
    pub registration_zone: Option<String>,
    pub institution_id: String,
    /// Sector of the student's institution; chooses between centers serving one authority
    /// (enrichment only).
    pub sector: Option<Sector>,
    pub category: Category,
    /// `composite_num / composite_den`; `None` for `incomplete` / `removed`.
    pub composite: Option<Ratio>,
}

/// One `gifted_tracks` row (the caller passes the `elementary` ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    pub track_id: String,
    pub authority_id: String,
    pub institution_id: String,
    /// The grade new students enter.
    pub grade: i64,
    pub n_classes: i64,
    /// `None`: `PlacementParams::class_capacity`.
    pub capacity_per_class: Option<i64>,
    pub first_year: i64,
    pub registration_zones: Vec<String>,
    pub grade_class_count: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    /// Read but not used by the elementary rules (0207 §2.12.ד is secondary).
    pub boarding: bool,
}

impl Track {
    pub fn capacity(&self, params: &PlacementParams) -> i64 {
        self.capacity_per_class.unwrap_or(params.class_capacity)
    }

    /// gifted.md §4 "Seats": n_classes · capacity − continuing boys − continuing girls, never
    /// negative.
    pub fn seats(&self, params: &PlacementParams) -> i64 {
        (self.n_classes * self.capacity(params) - self.continuing_boys - self.continuing_girls)
            .max(0)
    }
}

/// One `class_requests` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassRequest {
    pub student_id: String,
    pub school_year: i64,
    pub track_id: String,
    pub submitted_on: NaiveDate,
    pub neighbor_approval: bool,
}

/// `interviews.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InterviewOutcome {
    Passed,
    Failed,
    NoShow,
}

impl InterviewOutcome {
    pub fn parse(s: &str) -> Option<InterviewOutcome> {
        match s {
            "passed" => Some(InterviewOutcome::Passed),
            "failed" => Some(InterviewOutcome::Failed),
            "no_show" => Some(InterviewOutcome::NoShow),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InterviewOutcome::Passed => "passed",
            InterviewOutcome::Failed => "failed",
            InterviewOutcome::NoShow => "no_show",
        }
    }
}

/// One `interviews` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interview {
    pub student_id: String,
    pub track_id: String,
    pub outcome: InterviewOutcome,
}
