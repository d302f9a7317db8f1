//! Phase `placement`: elementary gifted classes (gifted.md §4; 0207 §2.2, §2.7, §2.8).
//!
//! Admission needs all three of §2.2: category `gifted`, a `passed` interview (§2.7.ב) and a
//! free seat in the track of the authority where the student lives (§2.2.ג). Each run is
//! stateless: the interview outcomes fed back in as input decide who is placed, and the seats
//! still free are offered to the next candidates by rank ("interview waves").
//!
//! - `assign`: which track a requester is a candidate of (residents, registration zones,
//!   non-residents, §2.8.ג.3–4) and why a request does not count.
//! - `lists`: seats, ranking (exact composite, then the seeded lottery), the girls', boys'
//!   and merged lists (§2.8.ד.2), the wave walk, final vs provisional, two classes.
//!
//! Everything is a pure function of its inputs; maps are `BTreeMap`s and every output is
//! sorted by its keys, so results do not depend on input row order. Enrichment groups for
//! those without a final seat are built by [`super::enrichment`].

mod assign;
mod inputs;
mod lists;
mod outputs;
pub mod phase;
mod track_lists;

use std::collections::BTreeMap;

pub use super::track_checks::{check_tracks, TrackRule, TrackViolation};
pub use super::{Category, Sector};
use crate::rules::fraction::Ratio;
pub use inputs::*;
pub use outputs::*;
pub use track_lists::*;

fn validate(params: &PlacementParams, tracks: &[Track]) -> Result<(), PlacementError> {
    let bad = |m: String| Err(PlacementError::InvalidParams(m));
    if params.class_capacity < 1 {
        return bad(format!(
            "class_capacity = {} must be at least 1",
            params.class_capacity
        ));
    }
    if params.max_classes_per_authority < 1 {
        return bad(format!(
            "max_classes_per_authority = {} must be at least 1",
            params.max_classes_per_authority
        ));
    }
    if params.max_share_of_grade < Ratio::ZERO || params.max_share_of_grade > Ratio::ONE {
        return bad(format!(
            "max_share_of_grade = {} must be between 0 and 1",
            params.max_share_of_grade
        ));
    }
    if params.lottery_seed.is_empty() {
        return bad("lottery_seed must not be empty".into());
    }
    for t in tracks {
        if t.n_classes < 1 || t.capacity(params) < 1 {
            return bad(format!(
                "track {} (grade {}) needs n_classes ≥ 1 and capacity_per_class ≥ 1",
                t.track_id, t.grade
            ));
        }
    }
    Ok(())
}

/// 0207 §2.2, §2.7, §2.8 (gifted.md §4): the track checks, then each track's candidates,
/// seats, lists and wave walk. `students` are the results rows (every category: requesters who
/// are not gifted are accounted for in the audit); `tracks` are this year's elementary tracks;
/// `confirmed` the final placements of earlier runs, which are never revoked: they keep their
/// track and class, are not ranked again, and take their seats first.
pub fn place(
    params: &PlacementParams,
    students: &[Student],
    tracks: &[Track],
    requests: &[ClassRequest],
    interviews: &[Interview],
    confirmed: &[Confirmed],
) -> Result<PlacementOutput, PlacementError> {
    validate(params, tracks)?;
    check_tracks(params, tracks).map_err(PlacementError::TrackChecks)?;

    let mut by_id: BTreeMap<&str, &Student> = BTreeMap::new();
    for s in students {
        if by_id.insert(s.student_id.as_str(), s).is_some() {
            return Err(PlacementError::DuplicateStudent(s.student_id.clone()));
        }
    }
    let mut sorted_tracks: Vec<&Track> = tracks.iter().collect();
    sorted_tracks.sort_by(|a, b| (&a.track_id, a.grade).cmp(&(&b.track_id, b.grade)));
    for w in sorted_tracks.windows(2) {
        if (&w[0].track_id, w[0].grade) == (&w[1].track_id, w[1].grade) {
            return Err(PlacementError::DuplicateTrack {
                track_id: w[0].track_id.clone(),
                grade: w[0].grade,
            });
        }
    }
    let mut outcomes: BTreeMap<(&str, &str), InterviewOutcome> = BTreeMap::new();
    for i in interviews {
        if outcomes
            .insert((i.student_id.as_str(), i.track_id.as_str()), i.outcome)
            .is_some()
        {
            return Err(PlacementError::DuplicateInterview {
                student_id: i.student_id.clone(),
                track_id: i.track_id.clone(),
            });
        }
    }

    let confirmed_track: BTreeMap<&str, &str> = confirmed
        .iter()
        .map(|c| (c.student_id.as_str(), c.track_id.as_str()))
        .collect();
    let mut assigned = assign::assign(&by_id, &sorted_tracks, requests, &confirmed_track);
    assigned.outcomes.sort();
    let mut out = PlacementOutput {
        request_outcomes: assigned.outcomes,
        audit: assigned.audit,
        ..PlacementOutput::default()
    };
    for (k, track) in sorted_tracks.iter().enumerate() {
        let cands: Vec<&assign::Candidacy> = assigned
            .candidates
            .iter()
            .filter(|c| c.track == k)
            .collect();
        let theirs: Vec<&Confirmed> = confirmed
            .iter()
            .filter(|c| c.track_id == track.track_id)
            .collect();
        let r = lists::run_track(params, track, &cands, &outcomes, &theirs);
        out.invitations.extend(r.invitations);
        out.placements.extend(r.placements);
        out.waitlist.extend(r.waitlist);
        out.audit.extend(r.audit);
        out.tracks.push(r.seats);
    }
    out.invitations
        .sort_by(|a, b| (&a.track_id, &a.student_id).cmp(&(&b.track_id, &b.student_id)));
    out.placements.sort_by(|a, b| {
        (&a.track_id, a.class_no, &a.student_id).cmp(&(&b.track_id, b.class_no, &b.student_id))
    });
    out.waitlist
        .sort_by(|a, b| (&a.track_id, &a.student_id).cmp(&(&b.track_id, &b.student_id)));
    out.audit.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(out)
}

#[cfg(test)]
#[path = "tests/placement_tests/mod.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/placement_props.rs"]
mod props;
