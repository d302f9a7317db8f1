//! Parameters and input rows of the placement phase (gifted.md §4; data-contract.md
//! `gifted_tracks`, `class_requests`, `interviews`, `confidential/results`).

use chrono::NaiveDate;

use super::{Category, Sector};
use crate::rules::fraction::Ratio;
use crate::rules::text::list;

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

crate::jobs::serialize_as_str!(Gender, InterviewOutcome);

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
/// is [`crate::jobs::gifted::enrichment::EnrichmentParams`]).
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

/// One `confidential/results` row as the placement phase reads it (its `results` input when
/// the phase runs alone).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ResultRow {
    pub student_id: String,
    pub school_year: i64,
    pub category: Category,
    pub composite_num: Option<i64>,
    pub composite_den: Option<i64>,
}

impl ResultRow {
    /// The exact composite `composite_num / composite_den` (data-contract.md
    /// `confidential/results`); `None` unless both are given with a positive denominator
    /// (`incomplete` and `removed` students have none).
    pub fn composite(&self) -> Option<Ratio> {
        match (self.composite_num, self.composite_den) {
            (Some(n), Some(d)) if d > 0 => Some(Ratio::new(i128::from(n), i128::from(d))),
            _ => None,
        }
    }
}

/// `gifted_tracks.stage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackStage {
    Elementary,
    Secondary,
}

/// One `gifted_tracks` row as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct TrackRow {
    pub track_id: String,
    pub authority_id: String,
    pub institution_id: String,
    pub stage: TrackStage,
    pub grade: i64,
    pub n_classes: i64,
    pub capacity_per_class: Option<i64>,
    pub first_year: i64,
    pub registration_zones: Option<String>,
    pub grade_class_count: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    pub boarding: bool,
}

/// The tracks the elementary placement fills: `gifted_tracks` rows of stage `elementary`
/// (secondary tracks belong to `gifted-secondary`, gifted.md §5), with their
/// `registration_zones` split on `;` (blank entries dropped).
pub fn elementary_tracks(rows: Vec<TrackRow>) -> Vec<Track> {
    rows.into_iter()
        .filter(|r| r.stage == TrackStage::Elementary)
        .map(|r| Track {
            registration_zones: list(r.registration_zones.as_deref())
                .map(str::to_string)
                .collect(),
            track_id: r.track_id,
            authority_id: r.authority_id,
            institution_id: r.institution_id,
            grade: r.grade,
            n_classes: r.n_classes,
            capacity_per_class: r.capacity_per_class,
            first_year: r.first_year,
            grade_class_count: r.grade_class_count,
            continuing_boys: r.continuing_boys,
            continuing_girls: r.continuing_girls,
            boarding: r.boarding,
        })
        .collect()
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ClassRequest {
    pub student_id: String,
    pub school_year: i64,
    pub track_id: String,
    #[serde(with = "crate::rules::date")]
    pub submitted_on: NaiveDate,
    pub neighbor_approval: bool,
}

/// A `confirmed_placements` row: a final placement of an earlier run, never revoked
/// (gifted.md §4).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ConfirmedRow {
    pub student_id: String,
    pub track_id: String,
    pub class_no: i64,
    /// When given, the results' school year.
    pub school_year: Option<i64>,
}

/// A confirmed placement as the walk needs it: the student keeps track and class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmed {
    pub student_id: String,
    pub school_year: i64,
    pub track_id: String,
    pub class_no: u8,
    pub gender: Gender,
}

/// `interviews.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Interview {
    pub student_id: String,
    pub track_id: String,
    pub outcome: InterviewOutcome,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, stage: TrackStage, zones: Option<&str>) -> TrackRow {
        TrackRow {
            track_id: id.into(),
            authority_id: "A1".into(),
            institution_id: "110001".into(),
            stage,
            grade: 3,
            n_classes: 1,
            capacity_per_class: None,
            first_year: 2026,
            registration_zones: zones.map(str::to_string),
            grade_class_count: 4,
            continuing_boys: 0,
            continuing_girls: 0,
            boarding: false,
        }
    }

    #[test]
    fn only_elementary_tracks_are_placed_into_and_zones_are_split() {
        let tracks = elementary_tracks(vec![
            row("E1", TrackStage::Elementary, Some(" north; ;south ")),
            row("S1", TrackStage::Secondary, None),
            row("E2", TrackStage::Elementary, None),
        ]);
        let ids: Vec<&str> = tracks.iter().map(|t| t.track_id.as_str()).collect();
        assert_eq!(ids, ["E1", "E2"]);
        assert_eq!(tracks[0].registration_zones, ["north", "south"]);
        assert!(tracks[1].registration_zones.is_empty());
    }

    #[test]
    fn a_composite_needs_both_parts_and_a_positive_denominator() {
        let r = |num, den| ResultRow {
            student_id: "000000018".into(),
            school_year: 2027,
            category: Category::Gifted,
            composite_num: num,
            composite_den: den,
        };
        assert_eq!(r(Some(291), Some(3)).composite(), Some(Ratio::new(97, 1)));
        assert_eq!(r(Some(291), None).composite(), None);
        assert_eq!(r(None, Some(3)).composite(), None);
        assert_eq!(r(Some(1), Some(0)).composite(), None);
    }
}
