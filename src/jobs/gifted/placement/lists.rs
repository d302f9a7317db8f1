//! One track's seats, ranking, lists and wave walk (gifted.md §4 "Seats", "Ranking",
//! "Separate lists for boys and girls", "Interview waves", "Two classes"; 0207 §2.8.ד.2).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::assign::Candidacy;
use super::{
    AuditRow, Confirmed, Gender, GenderPolicy, InterviewOutcome, Invitation, ListKind, Outcome,
    Placement, PlacementParams, PlacementStatus, Rule, Track, TrackSeats, WaitReason, WaitlistRow,
};
use crate::jobs::gifted::waves::{balanced_quota, class_of, class_with_room, walk, Step, Walked};
use crate::rules::fraction::Ratio;
use crate::rules::lottery::lottery_number;

pub(super) struct TrackResult {
    pub invitations: Vec<Invitation>,
    pub placements: Vec<Placement>,
    pub waitlist: Vec<WaitlistRow>,
    pub audit: Vec<AuditRow>,
    pub seats: TrackSeats,
}

struct Cand<'a> {
    c: &'a Candidacy<'a>,
    lottery: u64,
    interview: Option<InterviewOutcome>,
}

impl Cand<'_> {
    /// gifted.md §4 "Ranking": residents before non-residents (§2.8.ג.4), then the exact
    /// composite, highest first, then the lottery number, lowest first (student_id only
    /// separates a 64-bit collision).
    fn rank_key(&self) -> (bool, Reverse<Option<Ratio>>, u64, &str) {
        (
            !self.c.resident,
            Reverse(self.c.student.composite),
            self.lottery,
            &self.c.student.student_id,
        )
    }
    fn gender(&self) -> Gender {
        self.c.student.gender
    }
}

/// gifted.md §4: with `balanced`, F = continuing + seats; the girls' list takes up to
/// max(0, floor(F/2) − continuing_girls) seats and the boys' list max(0, floor(F/2) −
/// continuing_boys), each capped by seats. Returns (girls, boys).
pub(super) fn gender_seats(track: &Track, seats: i64) -> (i64, i64) {
    let full = seats + track.continuing_boys + track.continuing_girls;
    (
        balanced_quota(full, track.continuing_girls, seats),
        balanced_quota(full, track.continuing_boys, seats),
    )
}

fn rule_of(step: Step) -> Rule {
    match step {
        Step::Placed => Rule::PassedWithinSeats,
        Step::Invited => Rule::InvitedWithinSeats,
        Step::Failed => Rule::InterviewFailed,
        Step::NoShow => Rule::InterviewNoShow,
        Step::NoSeat => Rule::NoSeat,
    }
}

/// One track: its confirmed placements first (gifted.md §4 "Confirmed placements are never
/// revoked": they keep track and class and count as committed in the list of their gender —
/// in the merged list where their gender's list is already full), then the walk of its
/// candidates over the seats that are left, then the new placements dealt to the classes.
pub(super) fn run_track(
    params: &PlacementParams,
    track: &Track,
    candidacies: &[&Candidacy],
    outcomes: &BTreeMap<(&str, &str), InterviewOutcome>,
    confirmed: &[&Confirmed],
) -> TrackResult {
    let seats = track.seats(params);
    let held = |g: Gender| confirmed.iter().filter(|c| c.gender == g).count() as i64;
    let (confirmed_girls, confirmed_boys) = (held(Gender::Female), held(Gender::Male));
    let mut cands: Vec<Cand> = candidacies
        .iter()
        .map(|&c| Cand {
            c,
            lottery: lottery_number(&params.lottery_seed, &c.student.student_id),
            interview: outcomes
                .get(&(c.student.student_id.as_str(), track.track_id.as_str()))
                .copied(),
        })
        .collect();
    cands.sort_by(|a, b| a.rank_key().cmp(&b.rank_key()));
    let n = cands.len();
    let overall = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);

    // first[i]: the step in the student's gender list; last[i]: the deciding step.
    let mut first: Vec<Option<Walked>> = vec![None; n];
    let mut last: Vec<Option<Walked>> = vec![None; n];
    let mut pending: BTreeMap<ListKind, bool> = BTreeMap::new();
    let (girls_seats, boys_seats, merged_seats, merged_members) = match params.gender_policy {
        GenderPolicy::Balanced => {
            let (qg, qb) = gender_seats(track, seats);
            // Confirmed students hold seats of their gender's list first.
            let (qg, qb) = ((qg - confirmed_girls).max(0), (qb - confirmed_boys).max(0));
            let mut committed = confirmed_girls + confirmed_boys;
            for (list, gender, q) in [
                (ListKind::Girls, Gender::Female, qg),
                (ListKind::Boys, Gender::Male, qb),
            ] {
                let members: Vec<(usize, u32)> = (0..n)
                    .filter(|&i| cands[i].gender() == gender)
                    .enumerate()
                    .map(|(r, i)| (i, overall(r)))
                    .collect();
                let w = walk(list, &members, q, |i| cands[i].interview);
                committed += w.committed;
                pending.insert(list, w.pending);
                for (i, step) in w.steps {
                    first[i] = Some(step);
                    last[i] = Some(step);
                }
            }
            let merged: Vec<(usize, u32)> = (0..n)
                .filter(|&i| first[i].is_some_and(|w| w.step == Step::NoSeat))
                .map(|i| (i, overall(i)))
                .collect();
            (qg, qb, (seats - committed).max(0), merged)
        }
        GenderPolicy::None => {
            let left = (seats - confirmed_girls - confirmed_boys).max(0);
            (0, 0, left, (0..n).map(|i| (i, overall(i))).collect())
        }
    };
    let w = walk(ListKind::Merged, &merged_members, merged_seats, |i| {
        cands[i].interview
    });
    pending.insert(ListKind::Merged, w.pending);
    for (i, step) in w.steps {
        last[i] = Some(step);
    }

    let mut out = TrackResult {
        invitations: Vec::new(),
        placements: Vec::new(),
        waitlist: Vec::new(),
        audit: Vec::new(),
        seats: TrackSeats {
            track_id: track.track_id.clone(),
            grade: track.grade,
            authority_id: track.authority_id.clone(),
            institution_id: track.institution_id.clone(),
            n_classes: track.n_classes,
            capacity_per_class: track.capacity(params),
            continuing_boys: track.continuing_boys,
            continuing_girls: track.continuing_girls,
            seats,
            girls_seats,
            boys_seats,
            merged_seats,
            candidates: u32::try_from(n).unwrap_or(u32::MAX),
            placed_final: 0,
            placed_provisional: 0,
            invited: 0,
            waitlisted: 0,
        },
    };
    let header = format!(
        "track {} (grade {}): {} seats = {} class(es) × {} − {} continuing boys − {} continuing girls (never negative); policy {}: girls' list {} seats, boys' list {} seats, merged list {} seats",
        track.track_id,
        track.grade,
        seats,
        track.n_classes,
        track.capacity(params),
        track.continuing_boys,
        track.continuing_girls,
        params.gender_policy.as_str(),
        girls_seats,
        boys_seats,
        merged_seats
    );
    // The confirmed placements stand as they are (final, their class).
    let capacity = track.capacity(params);
    let mut in_class: Vec<i64> = vec![0; usize::try_from(track.n_classes.max(1)).unwrap_or(1)];
    for c in confirmed {
        if let Some(k) = in_class.get_mut(usize::from(c.class_no.max(1)) - 1) {
            *k += 1;
        }
        out.placements.push(Placement {
            student_id: c.student_id.clone(),
            school_year: c.school_year,
            track_id: track.track_id.clone(),
            class_no: c.class_no,
            gender: c.gender,
            status: PlacementStatus::Final,
        });
        out.seats.placed_final += 1;
        let detail = format!(
            "{header}; a final placement of an earlier run (confirmed_placements), class {}: never revoked, not ranked again",
            c.class_no
        );
        let outcome = Outcome::Placed(PlacementStatus::Final);
        out.audit.push(AuditRow {
            gender: Some(c.gender),
            ..AuditRow::decision(
                &c.student_id,
                &track.track_id,
                outcome,
                Rule::Confirmed,
                detail,
            )
        });
    }
    let (mut nth_girl, mut nth_boy) = (0i64, 0i64);
    for (i, cand) in cands.iter().enumerate() {
        let s = cand.c.student;
        let decided = last[i].expect("every candidate is walked");
        let status = if pending[&decided.list] {
            PlacementStatus::Provisional
        } else {
            PlacementStatus::Final
        };
        let outcome = match decided.step {
            Step::Placed => {
                let nth = match s.gender {
                    Gender::Female => &mut nth_girl,
                    Gender::Male => &mut nth_boy,
                };
                let class_no = class_with_room(
                    class_of(s.gender, *nth, track.n_classes),
                    &mut in_class,
                    capacity,
                );
                *nth += 1;
                out.placements.push(Placement {
                    student_id: s.student_id.clone(),
                    school_year: s.school_year,
                    track_id: track.track_id.clone(),
                    class_no,
                    gender: s.gender,
                    status,
                });
                match status {
                    PlacementStatus::Final => out.seats.placed_final += 1,
                    PlacementStatus::Provisional => out.seats.placed_provisional += 1,
                }
                Outcome::Placed(status)
            }
            Step::Invited => {
                out.invitations.push(Invitation {
                    student_id: s.student_id.clone(),
                    track_id: track.track_id.clone(),
                    gender: s.gender,
                });
                out.seats.invited += 1;
                Outcome::Invited
            }
            step => {
                let reason = match step {
                    Step::Failed => WaitReason::Failed,
                    Step::NoShow => WaitReason::NoShow,
                    _ => WaitReason::NoSeat,
                };
                out.waitlist.push(WaitlistRow {
                    student_id: s.student_id.clone(),
                    track_id: track.track_id.clone(),
                    reason,
                });
                out.seats.waitlisted += 1;
                Outcome::Waitlisted(reason)
            }
        };
        let mut detail = format!(
            "{header}; {} ({}), overall rank {} of {n}, composite {}, lottery {}",
            if cand.c.resident {
                "resident"
            } else {
                "non-resident, ranked after every resident"
            },
            cand.c.assignment.as_str(),
            overall(i),
            s.composite.map_or("none".to_string(), |c| c.to_string()),
            cand.lottery
        );
        if let Some(f) = first[i].filter(|f| f.list != decided.list) {
            detail.push_str("; ");
            detail.push_str(&f.describe());
        }
        detail.push_str("; ");
        detail.push_str(&decided.describe());
        if let Outcome::Placed(st) = outcome {
            detail.push_str(&format!(
                "; {} (the {} list {} pending invitations)",
                st.as_str(),
                decided.list.as_str(),
                if st == PlacementStatus::Final {
                    "has no"
                } else {
                    "has"
                }
            ));
        }
        out.audit.push(AuditRow {
            student_id: s.student_id.clone(),
            track_id: track.track_id.clone(),
            requested_track_id: cand.c.requested_track_id.clone(),
            gender: Some(s.gender),
            category: Some(s.category),
            resident: Some(cand.c.resident),
            assignment: Some(cand.c.assignment),
            list: Some(decided.list),
            rank: Some(decided.rank),
            list_seats: Some(decided.seats),
            committed_before: Some(decided.committed_before),
            lottery_number: Some(cand.lottery),
            composite: s.composite,
            interview: cand.interview,
            outcome,
            rule: rule_of(decided.step),
            detail,
        });
    }
    out
}
