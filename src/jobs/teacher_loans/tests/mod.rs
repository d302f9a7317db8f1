//! Hand-worked tests of the rules of `teacher-loans`, each at the boundary the issue lists,
//! citing the section (teacher-loans.md; circular 004).
mod decide_tests;
mod props;
mod rules_tests;

use super::inputs::*;
use super::params::Params;
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;

/// The parameters of the bundled pipeline file (the spec's defaults), with `overrides`.
pub(super) fn params_with(overrides: &[&str]) -> Params {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let src = crate::pipeline::source::load("teacher-loans", None, &o).expect("pipeline");
    crate::pipeline::teacher_loans::TeacherLoans::from_source(&src)
        .expect("settings")
        .params()
}

pub(super) fn params() -> Params {
    params_with(&[])
}

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// An applicant who passes every check of a regular loan and of a required-subjects
/// preferred loan: a new, single, 22-year-old general-sector student of elementary teaching,
/// score 600, 26 weekly hours, mathematics (Table A code 87), submitted in time.
pub(super) fn applicant(id: &str) -> Applicant {
    Applicant {
        applicant_id: id.into(),
        college_id: "C1".into(),
        program: "required_subjects".into(),
        mteach_subject: None,
        teaching_track: Track::Elementary,
        sector: Sector::General,
        student_status: Status::Regular,
        service_kind: Service::None,
        marital_status: Marital::Single,
        study_year: 1,
        age: 22,
        specialization_code: Some(87),
        combined_score: Some(600),
        prior_loans: 0,
        service_months: 0,
        prior_university_years: 0,
        prior_yeshiva_years: 0,
        years_since_high_school: 5,
        siblings: 0,
        children: 0,
        weekly_hours: Ratio::from(26),
        degree_average: None,
        submitted_on: day(2019, 11, 1),
        appeal_filed_on: None,
        requests_loan: true,
        requests_scholarship: false,
        israeli_citizen: true,
        tuition_funded_by_government: false,
        soldier_funded: false,
        split_studies: false,
        in_service_teacher: false,
        same_track: true,
        completion_studies: false,
        degree_in_subject: false,
        pais_conditions_met: true,
        other_pais_scholarship: false,
        new_immigrant: false,
        bagrut: false,
        orphan: false,
        lives_away_from_parents: false,
    }
}
