//! The items an applicant is considered for and the names of the rules that refuse them
//! (teacher-loans.md §2–§4): every failing check of an item is a reason, and
//! `budget_exhausted` goes only to an applicant who passed every check.

/// What an applicant is considered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    PreferredLoan,
    RegularLoan,
    Scholarship,
}

impl Item {
    pub fn as_str(self) -> &'static str {
        match self {
            Item::PreferredLoan => "preferred_loan",
            Item::RegularLoan => "regular_loan",
            Item::Scholarship => "scholarship",
        }
    }
}

/// A rule that refuses an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    // Every loan (§A.1–§A.6, §6.1).
    LateApplication,
    CollegeNotEligible,
    SoldierFunded,
    MaxLoansReached,
    // Preferred loans (§A.7–§A.11).
    NewStudentsOnly,
    ContinuingStudentsOnly,
    StudyYearAbove3,
    NotOnRagavList,
    NotRequiredSubject,
    ScoreBelowMinimum,
    HoursBelowMinimum,
    MteachSubject,
    CompletionStudies,
    DegreeAverageBelowMinimum,
    SectorExcluded,
    // Regular loans (§6.1–§6.2).
    NotRegularStudent,
    SplitStudies,
    InServiceTeacher,
    NoBagrut,
    NotCitizen,
    TuitionGovernmentFunded,
    ChangedTrack,
    StudyYearNotEligible,
    // Pais (§B).
    NoConditionalLoan,
    OtherPaisScholarship,
    ProgramWithoutScholarship,
    PaisSubject,
    PaisTrack,
    PaisConditions,
    // Every item: passed every check, but the budget did not reach.
    BudgetExhausted,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        use Reason::*;
        match self {
            LateApplication => "late_application",
            CollegeNotEligible => "college_not_eligible",
            SoldierFunded => "soldier_funded",
            MaxLoansReached => "max_loans_reached",
            NewStudentsOnly => "new_students_only",
            ContinuingStudentsOnly => "continuing_students_only",
            StudyYearAbove3 => "study_year_above_3",
            NotOnRagavList => "not_on_ragav_list",
            NotRequiredSubject => "not_required_subject",
            ScoreBelowMinimum => "score_below_minimum",
            HoursBelowMinimum => "hours_below_minimum",
            MteachSubject => "mteach_subject",
            CompletionStudies => "completion_studies",
            DegreeAverageBelowMinimum => "degree_average_below_minimum",
            SectorExcluded => "sector_excluded",
            NotRegularStudent => "not_regular_student",
            SplitStudies => "split_studies",
            InServiceTeacher => "in_service_teacher",
            NoBagrut => "no_bagrut",
            NotCitizen => "not_citizen",
            TuitionGovernmentFunded => "tuition_government_funded",
            ChangedTrack => "changed_track",
            StudyYearNotEligible => "study_year_not_eligible",
            NoConditionalLoan => "no_conditional_loan",
            OtherPaisScholarship => "other_pais_scholarship",
            ProgramWithoutScholarship => "program_without_scholarship",
            PaisSubject => "pais_subject",
            PaisTrack => "pais_track",
            PaisConditions => "pais_conditions",
            BudgetExhausted => "budget_exhausted",
        }
    }
}

/// The failing checks of an item, gathered in the order they are evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failures(Vec<Reason>);

impl Failures {
    /// Adds `reason` when `failed`.
    pub fn check(&mut self, failed: bool, reason: Reason) {
        if failed {
            self.0.push(reason);
        }
    }

    pub fn passed(&self) -> bool {
        self.0.is_empty()
    }

    pub fn reasons(&self) -> &[Reason] {
        &self.0
    }

    /// `;`-joined, sorted by name (the `reasons` column).
    pub fn joined(&self) -> String {
        let mut names: Vec<&str> = self.0.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.join(";")
    }
}

impl From<Vec<Reason>> for Failures {
    fn from(v: Vec<Reason>) -> Self {
        Failures(v)
    }
}
