//! Hand-worked cases of gifted.md §4 (0207 §2.2, §2.7, §2.8): seats, lists, waves, classes.
//!
//! By step: [`seats`] (seats and the gender-balanced lists), [`candidates`] (who is a
//! candidate), [`waves`] (interview waves, waitlist), [`ranking`] (exact composites, lottery),
//! [`classes`] (two classes of a track), [`checks`] (errors and determinism); the fixtures
//! below serve them all.

use super::*;
use chrono::NaiveDate;

mod candidates;
mod checks;
mod classes;
mod confirmed;
mod ranking;
mod seats;
mod waves;

const YEAR: i64 = 2027;

fn r(n: i128, d: i128) -> Ratio {
    Ratio::new(n, d)
}

fn pct(text: &str) -> Ratio {
    Ratio::parse_decimal(text).unwrap()
}

/// A gifted grade-2 student of authority A1 (school 100001) with the composite `c`.
fn kid(id: &str, gender: Gender, c: &str) -> Student {
    Student {
        student_id: id.into(),
        school_year: YEAR,
        grade: 2,
        gender,
        residence_authority_id: "A1".into(),
        registration_zone: None,
        institution_id: "100001".into(),
        sector: Some(Sector::Hebrew),
        category: Category::Gifted,
        composite: Some(pct(c)),
    }
}

fn girl(id: &str, c: &str) -> Student {
    kid(id, Gender::Female, c)
}

fn boy(id: &str, c: &str) -> Student {
    kid(id, Gender::Male, c)
}

fn living_in(mut s: Student, authority: &str) -> Student {
    s.residence_authority_id = authority.into();
    s
}

/// A one-class grade-3 track of authority A1 at school 200001, running since 2024.
fn track(id: &str, capacity: i64) -> Track {
    Track {
        track_id: id.into(),
        authority_id: "A1".into(),
        institution_id: "200001".into(),
        grade: 3,
        n_classes: 1,
        capacity_per_class: Some(capacity),
        first_year: 2024,
        registration_zones: vec![],
        grade_class_count: 6,
        continuing_boys: 0,
        continuing_girls: 0,
        boarding: false,
    }
}

fn req(student: &str, track: &str) -> ClassRequest {
    ClassRequest {
        student_id: student.into(),
        school_year: YEAR,
        track_id: track.into(),
        submitted_on: NaiveDate::from_ymd_opt(2027, 6, 3).unwrap(),
        neighbor_approval: false,
    }
}

fn approved(mut r: ClassRequest) -> ClassRequest {
    r.neighbor_approval = true;
    r
}

fn iv(student: &str, track: &str, outcome: InterviewOutcome) -> Interview {
    Interview {
        student_id: student.into(),
        track_id: track.into(),
        outcome,
    }
}

fn params(policy: GenderPolicy) -> PlacementParams {
    PlacementParams {
        gender_policy: policy,
        ..PlacementParams::default()
    }
}

/// Everyone in `students` asks for `track_id`.
fn all_request(students: &[Student], track_id: &str) -> Vec<ClassRequest> {
    students
        .iter()
        .map(|s| req(&s.student_id, track_id))
        .collect()
}

fn ids<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|x| f(x).to_string()).collect()
}

fn invited(out: &PlacementOutput) -> Vec<String> {
    ids(&out.invitations, |x| &x.student_id)
}

fn placed(out: &PlacementOutput) -> Vec<(String, u8, PlacementStatus)> {
    out.placements
        .iter()
        .map(|p| (p.student_id.clone(), p.class_no, p.status))
        .collect()
}

fn waiting(out: &PlacementOutput) -> Vec<(String, WaitReason)> {
    out.waitlist
        .iter()
        .map(|w| (w.student_id.clone(), w.reason))
        .collect()
}

/// `request_outcomes` as (student, requested track, counted track, reason).
type Answer<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<NotCandidateReason>,
);

fn outcomes(out: &PlacementOutput) -> Vec<Answer<'_>> {
    out.request_outcomes
        .iter()
        .map(|o| {
            (
                o.student_id.as_str(),
                o.requested_track_id.as_str(),
                o.track_id.as_deref(),
                o.reason,
            )
        })
        .collect()
}

fn audit<'a>(out: &'a PlacementOutput, id: &str) -> &'a AuditRow {
    let rows: Vec<&AuditRow> = out.audit.iter().filter(|a| a.student_id == id).collect();
    assert_eq!(rows.len(), 1, "one audit row for {id}: {rows:?}");
    rows[0]
}

fn run(
    p: &PlacementParams,
    students: &[Student],
    tracks: &[Track],
    requests: &[ClassRequest],
    interviews: &[Interview],
) -> PlacementOutput {
    place(p, students, tracks, requests, interviews, &[]).unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
