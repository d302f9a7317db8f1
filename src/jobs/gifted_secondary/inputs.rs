//! The typed input rows of `gifted-secondary` (data-contract.md "Gifted secondary") and the
//! rules of the contract that the schemas cannot state: a track's capacity above
//! `class_capacity` (`capacity_over_limit`) and continuing students per class that do not add
//! up (`continuing_mismatch`) are rejects; a row of a current-year table whose `school_year`
//! is not its student's roster year is an exclusion (`other_school_year`, gifted.md §5.1).
use super::Params;
use crate::jobs::gifted::exclusions::ExclusionReason;
use crate::jobs::gifted::Sector;
use crate::rules::text::list;
use crate::table::Reject;
use serde::Deserialize;

/// One `secondary_tracks` row as read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TrackRow {
    pub track_id: String,
    pub institution_id: String,
    pub authority_id: String,
    pub grade: i64,
    pub n_classes: i64,
    pub capacity_per_class: Option<i64>,
    pub first_year: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    pub continuing_class1: Option<i64>,
    pub continuing_class2: Option<i64>,
    pub boarding: bool,
    pub registration_zones: Option<String>,
}

/// A secondary track as the job uses it: capacity resolved, continuing students per class,
/// registration zones split, the sector of its institution (its language of instruction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    pub track_id: String,
    pub institution_id: String,
    pub authority_id: String,
    pub sector: Sector,
    /// The grade new students enter.
    pub grade: i64,
    pub n_classes: i64,
    /// `capacity_per_class`, or the pipeline's `class_capacity`.
    pub capacity: i64,
    pub first_year: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    /// Continuing students of class 1 and class 2 (class 2 is 0 in a one-class track).
    pub continuing: [i64; 2],
    pub boarding: bool,
    pub registration_zones: Vec<String>,
}

/// Why a `secondary_tracks` row is rejected (data-contract.md `secondary_tracks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackRule {
    /// capacity_per_class above `class_capacity` (0207 §4.1).
    CapacityOverLimit,
    /// continuing_class1 + continuing_class2 ≠ continuing_boys + continuing_girls, or a
    /// one-class track with continuing students in class 2.
    ContinuingMismatch,
}

impl TrackRule {
    pub fn as_str(self) -> &'static str {
        match self {
            TrackRule::CapacityOverLimit => "capacity_over_limit",
            TrackRule::ContinuingMismatch => "continuing_mismatch",
        }
    }
}

/// gifted.md §5.7 "Seats": the continuing students of each class — as given, or, when both
/// are empty, continuing_boys + continuing_girls split as evenly as possible with class 1
/// taking the extra one (all in class 1 for a one-class track). `None` when the given counts
/// do not add up (`continuing_mismatch`).
pub fn continuing_per_class(
    n_classes: i64,
    boys: i64,
    girls: i64,
    class1: Option<i64>,
    class2: Option<i64>,
) -> Option<[i64; 2]> {
    let total = boys + girls;
    match (class1, class2) {
        (None, None) if n_classes >= 2 => Some([total - total / 2, total / 2]),
        (None, None) => Some([total, 0]),
        (c1, c2) => {
            let (c1, c2) = (c1.unwrap_or(0), c2.unwrap_or(0));
            (c1 + c2 == total && (n_classes >= 2 || c2 == 0)).then_some([c1, c2])
        }
    }
}

impl TrackRow {
    /// The track, or the rule its row breaks. `sector` is its institution's.
    pub fn track(self, params: &Params, sector: Sector) -> Result<Track, TrackRule> {
        let capacity = self.capacity_per_class.unwrap_or(params.class_capacity);
        if capacity > params.class_capacity {
            return Err(TrackRule::CapacityOverLimit);
        }
        let continuing = continuing_per_class(
            self.n_classes,
            self.continuing_boys,
            self.continuing_girls,
            self.continuing_class1,
            self.continuing_class2,
        )
        .ok_or(TrackRule::ContinuingMismatch)?;
        Ok(Track {
            registration_zones: list(self.registration_zones.as_deref())
                .map(str::to_string)
                .collect(),
            track_id: self.track_id,
            institution_id: self.institution_id,
            authority_id: self.authority_id,
            sector,
            grade: self.grade,
            n_classes: self.n_classes,
            capacity,
            first_year: self.first_year,
            continuing_boys: self.continuing_boys,
            continuing_girls: self.continuing_girls,
            continuing,
            boarding: self.boarding,
        })
    }
}

/// One `secondary_applications` row.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApplicationRow {
    pub student_id: String,
    pub school_year: i64,
    pub requested_track_id: Option<String>,
    pub identified_school_year: Option<i64>,
}

/// `gifted_program_history.program`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Program {
    GiftedClass,
    EnrichmentGifted,
    EnrichmentExcellent,
    SecondaryClass,
}

/// One `gifted_program_history` row.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct HistoryRow {
    pub student_id: String,
    pub school_year: i64,
    pub grade: i64,
    pub program: Program,
}

/// One `graduate_assessments` row (0207 §2.10.ב).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AssessmentRow {
    pub student_id: String,
    pub school_year: i64,
    pub academic: i64,
    pub behavioral: i64,
    pub social: i64,
}

/// One `secondary_interviews` row.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InterviewRow {
    pub student_id: String,
    pub track_id: String,
    pub school_year: i64,
    pub outcome: crate::jobs::gifted::placement::InterviewOutcome,
}

/// One `norm_tables` row as this job reads it: `sector` may be empty when `group_by` pools
/// the sectors (gifted.md §5.2).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NormTableRow {
    pub school_year: i64,
    pub sector: Option<Sector>,
    pub grade: i64,
    pub subtest: String,
    pub raw_score: i64,
    pub percentile: f64,
}

/// gifted.md §5.1: a current-year row (`secondary_applications`, `secondary_interviews`,
/// `graduate_assessments`, `confirmed_placements`) of another school year than its student's
/// roster year is an exclusion.
pub fn year_exclusion(row_year: i64, roster_year: i64) -> Option<ExclusionReason> {
    (row_year != roster_year).then_some(ExclusionReason::OtherSchoolYear)
}

/// A reject of row `row_number` of `table` in `column`.
pub fn reject(
    table: &str,
    row_number: u64,
    column: &str,
    value: String,
    rule: &str,
    message: String,
) -> Reject {
    Reject {
        table: table.into(),
        row_number,
        column: column.into(),
        value,
        rule: rule.into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuing_students_split_evenly_with_class_one_taking_the_extra() {
        // gifted.md §5.7: 29 + 23 = 52 continuing in a two-class track → 26 and 26; 53 → 27, 26.
        assert_eq!(continuing_per_class(2, 29, 23, None, None), Some([26, 26]));
        assert_eq!(continuing_per_class(2, 30, 23, None, None), Some([27, 26]));
        assert_eq!(continuing_per_class(1, 10, 5, None, None), Some([15, 0]));
        // Given counts must add up; an empty one counts 0.
        assert_eq!(
            continuing_per_class(2, 29, 23, Some(29), Some(23)),
            Some([29, 23])
        );
        assert_eq!(continuing_per_class(2, 29, 23, Some(29), Some(22)), None);
        assert_eq!(continuing_per_class(2, 3, 2, Some(5), None), Some([5, 0]));
        // A one-class track has nobody in class 2.
        assert_eq!(continuing_per_class(1, 3, 2, Some(4), Some(1)), None);
        assert_eq!(
            continuing_per_class(1, 3, 2, Some(5), Some(0)),
            Some([5, 0])
        );
    }

    fn row(capacity: Option<i64>) -> TrackRow {
        TrackRow {
            track_id: "T1".into(),
            institution_id: "100001".into(),
            authority_id: "A1".into(),
            grade: 7,
            n_classes: 1,
            capacity_per_class: capacity,
            first_year: 2020,
            continuing_boys: 0,
            continuing_girls: 0,
            continuing_class1: None,
            continuing_class2: None,
            boarding: false,
            registration_zones: Some("north; south;".into()),
        }
    }

    #[test]
    fn capacity_above_the_class_capacity_is_rejected() {
        // 0207 §4.1: at most 30 in a class; exactly 30 is fine, 31 is not.
        let p = Params::default();
        let t = row(Some(30)).track(&p, Sector::Hebrew).unwrap();
        assert_eq!(t.capacity, 30);
        assert_eq!(t.registration_zones, vec!["north", "south"]);
        assert_eq!(
            row(Some(31)).track(&p, Sector::Hebrew),
            Err(TrackRule::CapacityOverLimit)
        );
        assert_eq!(row(None).track(&p, Sector::Hebrew).unwrap().capacity, 30);
    }
}
