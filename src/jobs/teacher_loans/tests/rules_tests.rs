//! The checks of each item and the small rules, at their boundaries.
use super::*;
use crate::jobs::teacher_loans::amounts::{credit_points, loan, maximum, share};
use crate::jobs::teacher_loans::approvals::{guarantors, valid_until, work, LoanKind};
use crate::jobs::teacher_loans::pais;
use crate::jobs::teacher_loans::params::Fraction;
use crate::jobs::teacher_loans::preferred::{self, mteach_subject_ok, CollegeFacts};
use crate::jobs::teacher_loans::reasons::{Failures, Reason};
use crate::jobs::teacher_loans::regular::{self, Round};

const COLLEGE: CollegeFacts = CollegeFacts {
    academic: true,
    soldier_arrangement: false,
};

fn pref(a: &Applicant, p: &Params) -> Vec<Reason> {
    let row = p.program(&a.program).expect("Table B row");
    preferred::checks(a, row, COLLEGE, false, p)
        .reasons()
        .to_vec()
}

fn reg(a: &Applicant, round: Round, p: &Params) -> Vec<Reason> {
    regular::checks(a, COLLEGE, round, p).reasons().to_vec()
}

fn half(n: i128) -> Ratio {
    Ratio::new(n, 2)
}

// §A.7: combined score 540 on the elementary track, 550 on secondary and multi-age.
#[test]
fn required_subjects_score_by_track() {
    let p = params();
    let mut a = applicant("000000018");
    for (track, below, at) in [
        (Track::Elementary, 539, 540),
        (Track::Secondary, 549, 550),
        (Track::MultiAge, 549, 550),
    ] {
        a.teaching_track = track;
        a.combined_score = Some(below);
        assert_eq!(
            pref(&a, &p),
            [Reason::ScoreBelowMinimum],
            "{track:?} {below}"
        );
        a.combined_score = Some(at);
        assert_eq!(pref(&a, &p), [], "{track:?} {at}");
    }
    // 549 passes on the elementary track.
    a.teaching_track = Track::Elementary;
    a.combined_score = Some(549);
    assert_eq!(pref(&a, &p), []);
    // No score at all fails.
    a.combined_score = None;
    assert_eq!(pref(&a, &p), [Reason::ScoreBelowMinimum]);
}

// §A.7: 24 weekly hours (23.5 fails); §A.9, §A.10: 15.
#[test]
fn weekly_hours_at_24_and_15() {
    let p = params();
    let mut a = applicant("000000018");
    a.weekly_hours = half(47);
    assert_eq!(pref(&a, &p), [Reason::HoursBelowMinimum]);
    a.weekly_hours = Ratio::from(24);
    assert_eq!(pref(&a, &p), []);
    // M.Teach: 15 passes, 14.5 fails.
    a.program = "mteach".into();
    a.mteach_subject = Some(MteachSubject::Math);
    a.weekly_hours = Ratio::from(15);
    assert_eq!(pref(&a, &p), []);
    a.weekly_hours = half(29);
    assert_eq!(pref(&a, &p), [Reason::HoursBelowMinimum]);
    // Retraining: 15 hours and a degree average of 80.
    a.program = "retraining_math".into();
    a.degree_average = Some(Ratio::from(80));
    a.weekly_hours = Ratio::from(15);
    assert_eq!(pref(&a, &p), []);
    a.degree_average = Some(Ratio::new(7999, 100));
    a.weekly_hours = half(29);
    assert_eq!(
        pref(&a, &p),
        [Reason::DegreeAverageBelowMinimum, Reason::HoursBelowMinimum]
    );
    // Regular loans (§6.1): 24 hours in study years 1–3; 23.5 fails, year 4 has no hours rule.
    let mut r = applicant("000000018");
    r.weekly_hours = half(47);
    assert_eq!(reg(&r, Round::First, &p), [Reason::HoursBelowMinimum]);
    r.study_year = 4;
    assert_eq!(reg(&r, Round::First, &p), []);
}

// preferred_hours_years = [2, 3] reads "בכל אחת מהשנים ב-ג" as years 2–3 only.
#[test]
fn the_hours_years_are_a_parameter() {
    let p = params_with(&["preferred_hours_years=[2, 3]"]);
    let mut a = applicant("000000018");
    a.weekly_hours = Ratio::from(20);
    assert_eq!(pref(&a, &p), []);
    a.study_year = 2;
    assert_eq!(pref(&a, &p), [Reason::HoursBelowMinimum]);
}

// §A.3: one guarantor up to 5,800 shekels, two from 5,801.
#[test]
fn guarantors_by_amount() {
    assert_eq!(guarantors(5_800, 5_800), 1);
    assert_eq!(guarantors(5_801, 5_800), 2);
    assert_eq!(guarantors(1_000, 5_800), 1);
}

// Table B "max": prior loans of every program count.
#[test]
fn a_programs_maximum_number_of_loans() {
    let p = params();
    let mut a = applicant("000000018");
    a.prior_loans = 2;
    assert_eq!(pref(&a, &p), []);
    a.prior_loans = 3;
    assert_eq!(pref(&a, &p), [Reason::MaxLoansReached]);
    // M.Teach allows 2: a B.Ed. graduate with 3 loans gets none; nor a regular loan (§6.1).
    a.program = "mteach".into();
    a.mteach_subject = Some(MteachSubject::English);
    a.study_year = 2;
    a.prior_loans = 1;
    assert_eq!(pref(&a, &p), []);
    a.prior_loans = 2;
    assert_eq!(pref(&a, &p), [Reason::MaxLoansReached]);
    let mut r = applicant("000000018");
    r.prior_loans = 3;
    assert_eq!(reg(&r, Round::First, &p), [Reason::MaxLoansReached]);
}

// Table B "–": new or continuing students only.
#[test]
fn new_or_continuing_students_only() {
    let p = params();
    let mut a = applicant("000000018");
    a.program = "midway".into();
    a.study_year = 2;
    assert_eq!(pref(&a, &p), [Reason::NewStudentsOnly]);
    a.program = "masters_graduates".into();
    assert_eq!(pref(&a, &p), []);
    a.study_year = 1;
    assert_eq!(pref(&a, &p), [Reason::ContinuingStudentsOnly]);
}

// §A.9: the M.Teach subjects, environment in year 2 only, Bible and Jewish studies in the
// state sector only.
#[test]
fn mteach_subjects() {
    use MteachSubject::*;
    assert!(mteach_subject_ok(Some(Physics), 1, Sector::Arab));
    assert!(!mteach_subject_ok(Some(Other), 1, Sector::General));
    assert!(!mteach_subject_ok(None, 1, Sector::General));
    assert!(mteach_subject_ok(Some(Environment), 2, Sector::General));
    assert!(!mteach_subject_ok(Some(Environment), 1, Sector::General));
    assert!(mteach_subject_ok(Some(Bible), 1, Sector::General));
    assert!(!mteach_subject_ok(Some(OralTorah), 1, Sector::Religious));
}

// §A.8 ragav: on the list and in years 1–3; every failing check is listed.
#[test]
fn every_failing_check_is_a_reason() {
    let p = params();
    let mut a = applicant("000000018");
    a.program = "ragav".into();
    a.study_year = 4;
    a.submitted_on = day(2019, 12, 2);
    a.soldier_funded = true;
    let row = p.program("ragav").expect("row");
    let army = CollegeFacts {
        academic: false,
        soldier_arrangement: true,
    };
    let f = preferred::checks(&a, row, army, false, &p);
    assert_eq!(
        f.joined(),
        "college_not_eligible;late_application;not_on_ragav_list;soldier_funded;study_year_above_3"
    );
    // The day of the interface deadline is in time.
    a.submitted_on = day(2019, 12, 1);
    a.study_year = 3;
    a.soldier_funded = false;
    assert!(preferred::checks(&a, row, COLLEGE, true, &p).passed());
}

// §6.1: a haredi student shows a bagrut instead of the combined score, and the hours rule
// covers study years 1–2 only.
#[test]
fn the_haredi_bagrut_path() {
    let p = params();
    let mut a = applicant("000000018");
    a.sector = Sector::Haredi;
    a.combined_score = None;
    a.bagrut = false;
    assert_eq!(reg(&a, Round::First, &p), [Reason::NoBagrut]);
    a.bagrut = true;
    assert_eq!(reg(&a, Round::First, &p), []);
    a.study_year = 3;
    a.weekly_hours = Ratio::from(20);
    assert_eq!(reg(&a, Round::First, &p), []);
    a.study_year = 2;
    assert_eq!(reg(&a, Round::First, &p), [Reason::HoursBelowMinimum]);
    // Not haredi: the score, whatever the bagrut.
    a.sector = Sector::General;
    a.study_year = 1;
    a.weekly_hours = Ratio::from(24);
    assert_eq!(reg(&a, Round::First, &p), [Reason::ScoreBelowMinimum]);
    a.combined_score = Some(539);
    assert_eq!(reg(&a, Round::First, &p), [Reason::ScoreBelowMinimum]);
    a.combined_score = Some(540);
    assert_eq!(reg(&a, Round::First, &p), []);
}

// §6.1: split studies and in-service teaching exclude a regular loan only.
#[test]
fn split_studies_and_in_service_teachers() {
    let p = params();
    let mut a = applicant("000000018");
    a.split_studies = true;
    a.in_service_teacher = true;
    assert_eq!(
        reg(&a, Round::First, &p),
        [Reason::SplitStudies, Reason::InServiceTeacher]
    );
    assert_eq!(pref(&a, &p), [], "a preferred loan is not refused for them");
}

// §3.3: round 2 refuses an application after the late-submission deadline.
#[test]
fn round_two_deadlines() {
    let p = params();
    let mut a = applicant("000000018");
    a.submitted_on = day(2020, 4, 4);
    assert_eq!(reg(&a, Round::Second, &p), []);
    assert!(regular::in_second_round(&a, false, false, &p));
    a.submitted_on = day(2020, 4, 5);
    assert_eq!(reg(&a, Round::Second, &p), [Reason::LateApplication]);
    // An appeal: refused in round 1, filed by 4.4.2020.
    let mut b = applicant("000000026");
    b.appeal_filed_on = Some(day(2020, 4, 4));
    assert!(regular::in_second_round(&b, false, true, &p));
    b.appeal_filed_on = Some(day(2020, 4, 5));
    assert!(!regular::in_second_round(&b, false, true, &p));
    b.appeal_filed_on = Some(day(2020, 4, 1));
    assert!(
        !regular::in_second_round(&b, true, false, &p),
        "already has a loan"
    );
    assert!(
        !regular::in_second_round(&b, false, false, &p),
        "was not refused"
    );
}

// §6.4–§6.5: the credit points, component by component.
#[test]
fn credit_points_and_shares() {
    let p = params();
    let pts = &p.points;
    let mut a = applicant("000000018");
    // Table A subject: 3.
    assert_eq!(credit_points(&a, pts, &p), 3);
    a.specialization_code = None;
    assert_eq!(credit_points(&a, pts, &p), 0);
    a.new_immigrant = true; // 3
    a.bagrut = true; // new student: 2
    a.prior_yeshiva_years = 3; // 2
    a.service_kind = Service::Military;
    a.service_months = 36; // top band: 5
    a.siblings = 6; // single, 22: capped at 4
    a.orphan = true; // 2
    assert_eq!(credit_points(&a, pts, &p), 3 + 2 + 2 + 5 + 4 + 2);
    a.service_months = 35;
    assert_eq!(credit_points(&a, pts, &p), 3 + 2 + 2 + 4 + 4 + 2);
    a.service_months = 9;
    assert_eq!(credit_points(&a, pts, &p), 3 + 2 + 2 + 1 + 4 + 2);
    // Continuing, married, 2 children, 26 years old: no new-student points, no siblings.
    let mut b = applicant("000000026");
    b.specialization_code = None;
    b.study_year = 2;
    b.bagrut = true;
    b.marital_status = Marital::Married;
    b.children = 7;
    b.siblings = 3;
    b.years_since_high_school = 0;
    assert_eq!(credit_points(&b, pts, &p), 5 + 2);
    // Shares: the last tier whose minimum is at most the points.
    let t = &p.regular.tiers;
    assert_eq!(share(t, 0).text(), "1/4");
    assert_eq!(share(t, 3).text(), "1/4");
    assert_eq!(share(t, 4).text(), "1/2");
    assert_eq!(share(t, 11).text(), "3/4");
    assert_eq!(share(t, 12).text(), "1/1");
}

fn fr(n: i128, d: i128) -> Fraction {
    Fraction(Ratio::new(n, d))
}

// §6.3: the largest multiple of 100, at most 4,000, with Σ share · M ≤ the budget.
#[test]
fn the_regular_maximum_exactly() {
    let shares = [fr(1, 4), fr(1, 2), fr(3, 4), fr(1, 1)]; // Σ = 5/2
                                                           // Exactly where the sum equals the budget: 5/2 · 2,000 = 5,000.
    assert_eq!(maximum(&shares, 5_000, 100, 4_000), 2_000);
    // One shekel less: 1,900 (Σ 4,750).
    assert_eq!(maximum(&shares, 4_999, 100, 4_000), 1_900);
    // Capped at the maximum.
    assert_eq!(maximum(&shares, 1_000_000, 100, 4_000), 4_000);
    assert_eq!(maximum(&shares, 10_000, 100, 4_000), 4_000);
    assert_eq!(maximum(&shares, 9_999, 100, 4_000), 3_900);
    // Too small for one step: 5/2 · 100 = 250 > 249.
    assert_eq!(maximum(&shares, 250, 100, 4_000), 100);
    assert_eq!(maximum(&shares, 249, 100, 4_000), 0);
    // No one eligible: the cap.
    assert_eq!(maximum(&[], 0, 100, 4_000), 4_000);
    // Each loan is whole shekels: 1/4 · 1,900 = 475.
    assert_eq!(loan(fr(1, 4), 1_900), 475);
    assert_eq!(loan(fr(3, 4), 2_000), 1_500);
}

// §A.11: the work obligation by kind and year of study; §A.3: valid for 45 days.
#[test]
fn work_obligations_and_validity() {
    let p = params();
    let two_thirds = fr(2, 3);
    let req = p.program("required_subjects");
    let new = work(LoanKind::Regular, false, None, &p).expect("work");
    assert_eq!((new.fraction, new.years), (two_thirds, 1));
    let cont = work(LoanKind::Regular, true, None, &p).expect("work");
    assert_eq!((cont.fraction, cont.years), (fr(1, 3), 1));
    let cont = work(LoanKind::Preferred, true, req, &p).expect("work");
    assert_eq!((cont.fraction, cont.years), (fr(1, 3), 1));
    let mteach = work(LoanKind::Preferred, true, p.program("mteach"), &p).expect("work");
    assert_eq!((mteach.fraction, mteach.years), (two_thirds, 2));
    let new_mteach = work(LoanKind::Preferred, false, p.program("mteach"), &p).expect("work");
    assert_eq!((new_mteach.fraction, new_mteach.years), (two_thirds, 1));
    assert_eq!(valid_until(day(2020, 3, 1), 45), day(2020, 4, 15));
}

fn pais_reasons(a: &Applicant, has_loan: bool, p: &Params) -> Vec<Reason> {
    pais::checks(a, p.program(&a.program), has_loan, p)
        .reasons()
        .to_vec()
}

// §B: a Pais scholarship needs a conditional loan, no other Pais scholarship, and, under
// the subject rule, the subject, a post-primary track and the conditions of §B.2.
#[test]
fn pais_checks() {
    let p = params();
    let mut a = applicant("000000018");
    a.requests_scholarship = true;
    a.teaching_track = Track::Secondary;
    assert_eq!(pais_reasons(&a, true, &p), []);
    assert_eq!(pais_reasons(&a, false, &p), [Reason::NoConditionalLoan]);
    a.other_pais_scholarship = true;
    assert_eq!(pais_reasons(&a, true, &p), [Reason::OtherPaisScholarship]);
    a.other_pais_scholarship = false;
    // Table A code 624 has no Pais subject; elementary track; conditions not met.
    a.specialization_code = Some(624);
    a.teaching_track = Track::Elementary;
    a.pais_conditions_met = false;
    assert_eq!(
        pais_reasons(&a, true, &p),
        [
            Reason::PaisSubject,
            Reason::PaisTrack,
            Reason::PaisConditions
        ]
    );
    // Program regular and retraining music: no scholarship.
    let mut r = applicant("000000026");
    r.program = "regular".into();
    assert_eq!(
        pais_reasons(&r, true, &p),
        [Reason::ProgramWithoutScholarship]
    );
    r.program = "retraining_music".into();
    assert_eq!(
        pais_reasons(&r, true, &p),
        [Reason::ProgramWithoutScholarship]
    );
    // A ragav student (rule all): no subject check even on the elementary track.
    r.program = "ragav".into();
    r.pais_conditions_met = false;
    assert_eq!(pais_reasons(&r, true, &p), []);
    // Amounts and hours: required subjects 5,000 new (40 h), 10,000 continuing (80 h).
    assert_eq!(
        pais::amount(&a, p.program("required_subjects"), &p),
        Some((5_000, 40))
    );
    a.study_year = 3;
    assert_eq!(
        pais::amount(&a, p.program("required_subjects"), &p),
        Some((10_000, 80))
    );
    // §B.1: year-3 required-subjects students head the list.
    assert_eq!(pais::priority(&a, p.program("required_subjects")), 0);
    a.study_year = 2;
    assert_eq!(pais::priority(&a, p.program("required_subjects")), 1);
    a.study_year = 3;
    assert_eq!(pais::priority(&a, p.program("ragav")), 1);
}

#[test]
fn reasons_are_sorted_and_joined() {
    let f: Failures = vec![Reason::SplitStudies, Reason::ChangedTrack].into();
    assert_eq!(f.joined(), "changed_track;split_studies");
}
