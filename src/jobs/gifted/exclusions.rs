//! Valid rows that the regulation leaves out of the run (gifted.md §1; data-contract.md "Row
//! validation and rejects"): a row about a student of an institution that does not take part
//! (0207 §1.9, §2.1), a row of another school year than the student's roster `school_year`,
//! and a score of a grade that is not tested (0207 §2.4.א, §2.5.א). They are not rejects —
//! the data is fine, the rules leave it out — so they never count toward `max_reject_share`;
//! each is listed in `exclusions` with its reason, and rows read = accepted + excluded +
//! rejected.
use crate::table::Exclusion;

/// Why a valid row is left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExclusionReason {
    /// gifted.md §1: the student's institution does not take part. Decided first: such a
    /// student is outside the program whatever else the row says.
    InstitutionNotParticipating,
    /// gifted.md §1: the row's `school_year` is not the student's roster `school_year`.
    OtherSchoolYear,
    /// gifted.md §2–§3: the student's grade is not a tested grade of their sector.
    GradeNotTested,
}

impl ExclusionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionReason::InstitutionNotParticipating => "institution_not_participating",
            ExclusionReason::OtherSchoolYear => "other_school_year",
            ExclusionReason::GradeNotTested => "grade_not_tested",
        }
    }

    /// The `exclusions` row of row `row_number` of `table`.
    pub fn of_row(self, table: &str, row_number: u64, student_id: &str) -> Exclusion {
        Exclusion {
            table: table.to_string(),
            row_number,
            student_id: student_id.to_string(),
            reason: self.as_str().to_string(),
        }
    }
}

/// Whether a row of `row_year` about a student enrolled in `enrolled_year` is left out, and
/// why (gifted.md §1): the institution's participation first, then the school year.
pub fn row_exclusion(
    participating: bool,
    row_year: i64,
    enrolled_year: i64,
) -> Option<ExclusionReason> {
    if !participating {
        Some(ExclusionReason::InstitutionNotParticipating)
    } else if row_year != enrolled_year {
        Some(ExclusionReason::OtherSchoolYear)
    } else {
        None
    }
}

/// A roster student as the choice of their stage A row sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enrolled {
    pub school_year: i64,
    pub participating: bool,
    /// The last `stage_a_scores` row naming the student, when one does (the roster's
    /// `Student::stage_a_row`; `None` or a value past the rows for none).
    pub last_row: Option<u32>,
}

/// What [`stage_a_rows_of_year`] decides of the `stage_a_scores` rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageARows {
    /// Per roster student, the row they are screened with.
    pub row_of: Vec<Option<u32>>,
    /// Every other row whose student is in the roster, with the reason it is left out.
    pub excluded: Vec<(u32, ExclusionReason)>,
    /// Rows whose student is not in the roster.
    pub orphans: Vec<u32>,
}

/// The stage A rows of this year's screening (gifted.md §1–§2): for each roster student, the
/// `stage_a_scores` row they are screened with — the row of their roster school year (the
/// table's key is (student_id, school_year), so there is at most one), when their
/// institution takes part — and every other row with the reason it is left out.
///
/// `row_years[k]` is row k's school year. The roster already knows each student's last row;
/// `student_of(k)` finds the roster position of row k's student and is called only for the
/// rows that are no student's last row (a student with rows of several years: rare). A row
/// whose student is not in the roster is returned in the third list (validation's reference
/// to `students` rejects such rows first, so there should be none).
pub fn stage_a_rows_of_year(
    students: &[Enrolled],
    row_years: &[i64],
    student_of: impl Fn(usize) -> Option<usize>,
) -> StageARows {
    let n = row_years.len();
    let mut row_of: Vec<Option<u32>> = students
        .iter()
        .map(|s| s.last_row.filter(|&r| (r as usize) < n))
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    for (i, r) in row_of.iter().enumerate() {
        if let Some(r) = r {
            owner[*r as usize] = Some(i);
        }
    }
    // A student's earlier rows: one of them may be of the roster year, hidden by a later
    // row of another year.
    let earlier: Vec<usize> = (0..n).filter(|&k| owner[k].is_none()).collect();
    for k in earlier {
        if let Some(i) = student_of(k) {
            owner[k] = Some(i);
            if row_years[k] == students[i].school_year {
                row_of[i] = Some(k as u32);
            }
        }
    }
    let mut excluded = Vec::new();
    let mut orphans = Vec::new();
    for (k, owner) in owner.iter().enumerate() {
        let Some(i) = *owner else {
            orphans.push(k as u32);
            continue;
        };
        let s = &students[i];
        let why = row_exclusion(s.participating, row_years[k], s.school_year)
            // Another row of the student is of the roster year: this one is not theirs.
            .or((row_of[i] != Some(k as u32)).then_some(ExclusionReason::OtherSchoolYear));
        if let Some(why) = why {
            excluded.push((k as u32, why));
        }
    }
    for (r, s) in row_of.iter_mut().zip(students) {
        if r.is_some_and(|k| {
            row_exclusion(s.participating, row_years[k as usize], s.school_year).is_some()
        }) {
            *r = None;
        }
    }
    StageARows {
        row_of,
        excluded,
        orphans,
    }
}

#[cfg(test)]
mod tests {
    use super::ExclusionReason::*;
    use super::*;

    fn enrolled(school_year: i64, participating: bool, last_row: Option<u32>) -> Enrolled {
        Enrolled {
            school_year,
            participating,
            last_row,
        }
    }

    /// gifted.md §1: participation is decided before the year; a row of the roster year of a
    /// participating student is kept.
    #[test]
    fn participation_first_then_the_school_year() {
        assert_eq!(row_exclusion(true, 2027, 2027), None);
        assert_eq!(row_exclusion(true, 2026, 2027), Some(OtherSchoolYear));
        assert_eq!(row_exclusion(true, 2028, 2027), Some(OtherSchoolYear));
        assert_eq!(
            row_exclusion(false, 2027, 2027),
            Some(InstitutionNotParticipating)
        );
        assert_eq!(
            row_exclusion(false, 2026, 2027),
            Some(InstitutionNotParticipating)
        );
    }

    /// Rows: 0 = s0 2027; 1 = s1 2027; 2 = s1 2026 (s1's last row, of another year: it must
    /// not hide row 1); 3 = s2 2027 (s2's institution does not take part); 4 = s3 2026 (s3's
    /// only row, of another year); 5 = a student the roster does not hold.
    #[test]
    fn each_student_is_screened_with_the_row_of_their_roster_year() {
        let students = [
            enrolled(2027, true, Some(0)),
            enrolled(2027, true, Some(2)),
            enrolled(2027, false, Some(3)),
            enrolled(2027, true, Some(4)),
            enrolled(2027, true, None),
        ];
        let years = [2027, 2027, 2026, 2027, 2026, 2027];
        let owners = [Some(0), Some(1), Some(1), Some(2), Some(3), None];
        let looked_up = std::cell::RefCell::new(Vec::new());
        let StageARows {
            row_of,
            excluded,
            orphans,
        } = stage_a_rows_of_year(&students, &years, |k| {
            looked_up.borrow_mut().push(k);
            owners[k]
        });
        assert_eq!(row_of, vec![Some(0), Some(1), None, None, None]);
        assert_eq!(
            excluded,
            vec![
                (2, OtherSchoolYear),
                (3, InstitutionNotParticipating),
                (4, OtherSchoolYear)
            ]
        );
        assert_eq!(orphans, vec![5]);
        // Only the rows that are no student's last row are looked up.
        assert_eq!(looked_up.into_inner(), vec![1, 5]);
    }

    /// The same rows in the other order: the roster year's row is last, and still the one.
    #[test]
    fn the_order_of_a_students_rows_does_not_matter() {
        let students = [enrolled(2027, true, Some(1))];
        let StageARows {
            row_of,
            excluded,
            orphans,
        } = stage_a_rows_of_year(&students, &[2026, 2027], |_| Some(0));
        assert_eq!(row_of, vec![Some(1)]);
        assert_eq!(excluded, vec![(0, OtherSchoolYear)]);
        assert!(orphans.is_empty());
    }
}
