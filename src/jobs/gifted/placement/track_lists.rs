//! The placement phase's lists for people (gifted.md §4): per track, for the hosting school,
//! who is placed, invited to an interview or waitlisted; per enrichment center, its groups.
//! Names only: no rank, lottery number or score (those stay in `confidential/audit`).
use super::PlacementOutput;
use crate::jobs::gifted::enrichment::{EnrichmentGroupRow, EnrichmentOutput};
use crate::jobs::gifted::roster::Roster;
use serde::Serialize;
use std::collections::BTreeMap;

/// A row of a track's list: a student with a place, an interview invitation or a waitlist
/// place on the track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackListRow<'a> {
    pub student_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub institution_id: &'a str,
    /// The placement status (`final`, …), `invited_to_interview`, or the waitlist reason.
    pub status: &'static str,
    /// The class of a placement (gifted.md §4 "Two classes"); empty otherwise.
    pub class_no: Option<i64>,
}

/// A row of an enrichment center's list: a student of one of its groups (gifted.md §4
/// "Enrichment", 0207 §2.8.ב).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CenterListRow<'a> {
    /// `gifted` or `excellent`.
    pub program: &'static str,
    pub grade: i64,
    pub group_no: i64,
    pub student_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub institution_id: &'a str,
}

/// A student's first name, last name and institution from the roster (empty for a student
/// it does not hold).
fn names<'a>(roster: &'a Roster, id: &str) -> (&'a str, &'a str, &'a str) {
    roster.student(id).map_or(("", "", ""), |s| {
        (&s.first_name, &s.last_name, &s.institution_id)
    })
}

/// A student's line on a track's list: (track_id, student_id, status, class_no).
pub type TrackEntry<'a> = (&'a str, &'a str, &'static str, Option<i64>);

/// Per track, in `track_id` order: its placements, interview invitations and waitlist,
/// ordered by (`student_id`, status, class) — one list per track that has any.
pub fn track_lists<'a>(
    roster: &'a Roster,
    o: &'a PlacementOutput,
) -> Vec<(&'a str, Vec<TrackListRow<'a>>)> {
    let placed = (o.placements.iter()).map(|p| {
        let class = Some(i64::from(p.class_no));
        (
            p.track_id.as_str(),
            p.student_id.as_str(),
            p.status.as_str(),
            class,
        )
    });
    let invited =
        (o.invitations.iter()).map(|i| (i.track_id.as_str(), i.student_id.as_str(), INVITED, None));
    let waiting = (o.waitlist.iter()).map(|w| {
        (
            w.track_id.as_str(),
            w.student_id.as_str(),
            w.reason.as_str(),
            None,
        )
    });
    lists_of_tracks(roster, placed.chain(invited).chain(waiting))
}

/// The status of an interview invitation on a track's list.
pub const INVITED: &str = "invited_to_interview";

/// The lists of `entries` per track, in `track_id` order, each ordered by (`student_id`,
/// status, class), with the students' names from the roster: the one way both gifted jobs
/// make the lists a hosting school gets (0207 §2.8, §2.12.ב).
pub fn lists_of_tracks<'a>(
    roster: &'a Roster,
    entries: impl IntoIterator<Item = TrackEntry<'a>>,
) -> Vec<(&'a str, Vec<TrackListRow<'a>>)> {
    type Entry<'a> = (&'a str, &'static str, Option<i64>);
    let mut by_track: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for (track, student, status, class_no) in entries {
        by_track
            .entry(track)
            .or_default()
            .push((student, status, class_no));
    }
    by_track
        .into_iter()
        .map(|(track, mut entries)| {
            entries.sort();
            let rows = entries
                .into_iter()
                .map(|(student_id, status, class_no)| {
                    let (first_name, last_name, institution_id) = names(roster, student_id);
                    TrackListRow {
                        student_id,
                        first_name,
                        last_name,
                        institution_id,
                        status,
                        class_no,
                    }
                })
                .collect();
            (track, rows)
        })
        .collect()
}

/// Per enrichment center, in `center_id` order: its group rows in the groups' order.
pub fn center_lists<'a>(
    roster: &'a Roster,
    e: &'a EnrichmentOutput,
) -> Vec<(&'a str, Vec<CenterListRow<'a>>)> {
    let mut by_center: BTreeMap<&str, Vec<&EnrichmentGroupRow>> = BTreeMap::new();
    for g in &e.groups {
        by_center.entry(&g.center_id).or_default().push(g);
    }
    by_center
        .into_iter()
        .map(|(center, groups)| {
            let rows = groups
                .into_iter()
                .map(|g| {
                    let (first_name, last_name, institution_id) = names(roster, &g.student_id);
                    CenterListRow {
                        program: g.program.as_str(),
                        grade: g.grade,
                        group_no: i64::from(g.group_no),
                        student_id: &g.student_id,
                        first_name,
                        last_name,
                        institution_id,
                    }
                })
                .collect();
            (center, rows)
        })
        .collect()
}
