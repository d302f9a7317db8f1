//! The twin claim (gifted.md §6.1 "Twin claim"; 0207 §5.1.ו): a request giving the reason
//! `twin_accepted` says that the applicant's twin studies in a gifted program. The claim is
//! verified when another student T of the roster has the applicant's birth date, shares a
//! legal guardian with them (one `contact_id` that is a legal guardian of both), and has a
//! `gifted_program_history` row for the request's school year Y (any program). An unverified
//! claim rejects nothing: it tells the reviewers the circumstance is not confirmed.
use crate::jobs::gifted_requests::{Guardians, Roster, Student};
use std::collections::HashSet;

/// Whether the applicant's twin claim is verified for school year `year`; false without
/// `contacts` (no guardian can be shared).
pub fn twin_verified(
    applicant: &Student,
    roster: &Roster,
    guardians: Option<&Guardians>,
    programs: &HashSet<(String, i64)>,
    year: i64,
) -> bool {
    let Some(g) = guardians else {
        return false;
    };
    g.siblings(&applicant.student_id).into_iter().any(|t| {
        roster
            .students
            .get(t)
            .is_some_and(|t| t.birth_date == applicant.birth_date)
            && programs.contains(&(t.to_string(), year))
    })
}
