//! Typed rows of the gifted job's input tables, read from validated tables by the one shared
//! mechanism (`crate::table::rows`: fields matched to columns by name), and what each row
//! means to the job (data-contract.md `institutions`, `stage_b_scores`, `norm_tables`).
//!
//! The rows of the other tables live beside the step that reads them: `stage_a_scores` and
//! `referrals` in [`super::screening`] ([`super::screening::StageARow`],
//! [`super::screening::ReferralRow`]), the placement tables in [`super::placement`]. The
//! `students` roster is read by its own tuned pass ([`super::roster::load`]), not row by row.
use super::identification::{StageBRow, SubtestStatus};
use super::participation::{institution_participates, Supervision};
use super::roster::Institution;
use super::Sector;
use serde::Deserialize;

/// One `institutions` row as the gifted job reads it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InstitutionRow<'a> {
    pub institution_id: &'a str,
    pub name: &'a str,
    pub authority_id: &'a str,
    pub region_id: &'a str,
    pub sector: Sector,
    pub supervision: Supervision,
    pub screening_opt_in: bool,
    pub screening_opt_out: bool,
}

impl InstitutionRow<'_> {
    /// The institution's ID and facts, with whether it takes part (gifted.md §1; 0207 §1.9,
    /// §2.1: [`institution_participates`]).
    pub fn institution(&self) -> (String, Institution) {
        (
            self.institution_id.to_string(),
            Institution {
                name: self.name.to_string(),
                authority_id: self.authority_id.to_string(),
                region_id: self.region_id.to_string(),
                sector: self.sector,
                participation: institution_participates(
                    self.supervision,
                    self.screening_opt_in,
                    self.screening_opt_out,
                ),
            },
        )
    }
}

/// `stage_b_scores.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageBStatus {
    Completed,
    Absent,
    RemovedForConduct,
}

/// One `stage_b_scores` row as read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StageBScoreRow<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    pub subtest: &'a str,
    pub status: StageBStatus,
    pub raw_score: Option<i64>,
}

impl<'a> StageBScoreRow<'a> {
    /// The row's subtest outcome (gifted.md §3; 0207 §2.5.ג). A `completed` row carries its
    /// raw score (the contract's `required_when` rejects one without, so none reaches here);
    /// were one to come without, the subtest counts as not sat — `absent`, which makes the
    /// student `incomplete` — never as a raw score of 0.
    pub fn status(&self) -> SubtestStatus {
        match (self.status, self.raw_score) {
            (StageBStatus::Completed, Some(raw_score)) => SubtestStatus::Completed { raw_score },
            (StageBStatus::RemovedForConduct, _) => SubtestStatus::RemovedForConduct,
            (StageBStatus::Completed, None) | (StageBStatus::Absent, _) => SubtestStatus::Absent,
        }
    }

    /// The row as identification reads it; `row_number` is its 1-based data row in the source
    /// (passed through to rejects).
    pub fn into_row(self, row_number: u64) -> StageBRow<'a> {
        StageBRow {
            row_number,
            student_id: self.student_id.into(),
            school_year: self.school_year,
            subtest: self.subtest.into(),
            status: self.status(),
        }
    }
}

/// One row of the optional `norm_tables` input (reference mode, gifted.md §3): the tabled
/// percentile of a raw score of a subtest in the cohort (school_year, sector, grade); its norm
/// group is named by `norms.group_by` ([`super::norm_group`]).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NormTableRow<'a> {
    pub school_year: i64,
    pub sector: Sector,
    pub grade: i64,
    pub subtest: &'a str,
    pub raw_score: i64,
    pub percentile: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::gifted::participation::NonParticipationRule;

    #[test]
    fn a_stage_b_row_gives_its_subtest_outcome() {
        let row = |status, raw_score| StageBScoreRow {
            student_id: "000000018",
            school_year: 2027,
            subtest: "math",
            status,
            raw_score,
        };
        assert_eq!(
            row(StageBStatus::Completed, Some(0)).status(),
            SubtestStatus::Completed { raw_score: 0 }
        );
        // gifted.md §3: a completed subtest without its score is not a score of 0.
        assert_eq!(
            row(StageBStatus::Completed, None).status(),
            SubtestStatus::Absent
        );
        assert_eq!(
            row(StageBStatus::Absent, Some(31)).status(),
            SubtestStatus::Absent
        );
        assert_eq!(
            row(StageBStatus::RemovedForConduct, Some(31)).status(),
            SubtestStatus::RemovedForConduct
        );
        let r = row(StageBStatus::Completed, Some(44)).into_row(7);
        assert_eq!(
            (r.row_number, &*r.student_id, &*r.subtest),
            (7, "000000018", "math")
        );
        assert_eq!(r.status, SubtestStatus::Completed { raw_score: 44 });
    }

    #[test]
    fn an_institution_row_says_whether_it_takes_part() {
        let row = |supervision, opt_in, opt_out| InstitutionRow {
            institution_id: "410001",
            name: "Ha-Alon",
            authority_id: "A1",
            region_id: "north",
            sector: Sector::Arabic,
            supervision,
            screening_opt_in: opt_in,
            screening_opt_out: opt_out,
        };
        let (id, inst) = row(Supervision::Official, false, false).institution();
        assert_eq!((id.as_str(), inst.name.as_str()), ("410001", "Ha-Alon"));
        assert_eq!(
            (inst.authority_id.as_str(), inst.region_id.as_str()),
            ("A1", "north")
        );
        assert_eq!(inst.sector, Sector::Arabic);
        assert!(inst.participation.is_ok());
        // 0207 §2.1.א.3 and §2.1.ב: the flags are read from their own columns.
        let out = |s, i, o| {
            row(s, i, o)
                .institution()
                .1
                .participation
                .err()
                .map(|e| e.rule)
        };
        assert_eq!(
            out(Supervision::Official, false, true),
            Some(NonParticipationRule::OfficialOptedOut)
        );
        assert_eq!(out(Supervision::RecognizedUnofficial, true, false), None);
        assert_eq!(
            out(Supervision::RecognizedUnofficial, false, true),
            Some(NonParticipationRule::RecognizedUnofficialNotOptedIn)
        );
    }
}
