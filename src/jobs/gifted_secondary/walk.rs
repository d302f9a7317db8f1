//! §5.7 of gifted.md "Balanced walk" and §5.8 "Classes": a track's ranked candidates walk its
//! seats in two steps — exempt and threshold candidates first, then graduates on the seats
//! left (0207 §2.9.ג, §2.10.ב, §4.4, §4.6) — and the students placed are dealt to its classes
//! (0207 §4.3). The walk of one list is the one `gifted-elementary` uses
//! ([`crate::jobs::gifted::waves`]).
use super::candidates::Path;
use super::seats::Seats;
use crate::jobs::gifted::placement::{
    Gender, GenderPolicy, InterviewOutcome, ListKind, PlacementStatus, WaitReason,
};
use crate::jobs::gifted::waves::{balanced_quota, class_of, class_with_room, walk, Step, Walked};
use std::collections::BTreeMap;

/// A ranked candidate as the walk needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walker {
    pub gender: Gender,
    pub path: Path,
    /// The `secondary_interviews` outcome for this track; exempt candidates count as passed.
    pub interview: Option<InterviewOutcome>,
}

/// What the walk decided for a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Placed {
        class_no: u8,
        status: PlacementStatus,
    },
    Invited,
    Waitlisted(WaitReason),
}

/// One track's walk: a decision per ranked candidate (in rank order), the deciding list step,
/// and step 1's quotas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackWalk {
    pub decisions: Vec<Decision>,
    pub steps: Vec<Walked>,
    /// The step of each candidate's decision: 1 (exempt and threshold) or 2 (graduates).
    pub step_of: Vec<u8>,
    pub girls_quota: i64,
    pub boys_quota: i64,
}

/// What one step of the walk decided: each member's deciding list step, which lists have a
/// pending invitation, the (girls, boys) quotas, and the (girls, boys) committed.
type Stepped = (
    BTreeMap<usize, Walked>,
    BTreeMap<ListKind, bool>,
    (i64, i64),
    (i64, i64),
);

/// One step of the balanced walk over `members` (indices into `cands`, in rank order): the
/// girls' and boys' lists up to their quotas, then the merged list on the seats neither list
/// committed (gifted.md §5.7); with `none`, one merged list on all `seats`. Returns each
/// member's deciding step, which lists have a pending invitation, the quotas, and the girls
/// and boys committed.
fn balanced_step(
    policy: GenderPolicy,
    cands: &[Walker],
    members: &[usize],
    seats: i64,
    full: i64,
    held: (i64, i64),
) -> Stepped {
    let interview = |i: usize| match cands[i].path {
        Path::Exempt => Some(InterviewOutcome::Passed),
        _ => cands[i].interview,
    };
    let rank = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    let mut decided: BTreeMap<usize, Walked> = BTreeMap::new();
    let mut pending: BTreeMap<ListKind, bool> = BTreeMap::new();
    let (mut quotas, mut merged_members, mut merged_seats) = ((0, 0), Vec::new(), seats);
    if policy == GenderPolicy::Balanced {
        quotas = (
            balanced_quota(full, held.0, seats),
            balanced_quota(full, held.1, seats),
        );
        let mut committed = 0;
        for (list, gender, q) in [
            (ListKind::Girls, Gender::Female, quotas.0),
            (ListKind::Boys, Gender::Male, quotas.1),
        ] {
            let of: Vec<(usize, u32)> = members
                .iter()
                .filter(|&&i| cands[i].gender == gender)
                .map(|&i| (i, rank(i)))
                .collect();
            let w = walk(list, &of, q, interview);
            committed += w.committed;
            pending.insert(list, w.pending);
            decided.extend(w.steps);
        }
        merged_members = members
            .iter()
            .copied()
            .filter(|i| decided[i].step == Step::NoSeat)
            .collect();
        merged_seats = (seats - committed).max(0);
    } else {
        merged_members.extend_from_slice(members);
    }
    let of: Vec<(usize, u32)> = merged_members.iter().map(|&i| (i, rank(i))).collect();
    let w = walk(ListKind::Merged, &of, merged_seats, interview);
    pending.insert(ListKind::Merged, w.pending);
    decided.extend(w.steps);
    let committed = |g: Gender| {
        decided
            .iter()
            .filter(|(i, w)| {
                cands[**i].gender == g && matches!(w.step, Step::Placed | Step::Invited)
            })
            .count() as i64
    };
    let counts = (committed(Gender::Female), committed(Gender::Male));
    (decided, pending, quotas, counts)
}

/// gifted.md §5.7–§5.8 for one track: `cands` in rank order (path first, so every exempt and
/// threshold candidate comes before every graduate).
/// 1. Exempt and threshold candidates walk the seats left with G and B the continuing and
///    confirmed girls and boys.
/// 2. Graduates walk the seats step 1 did not commit, G and B now also counting the girls
///    and boys step 1 committed: graduates get only free seats (0207 §2.10.ב).
///
/// A placement is `final` when its list has no pending invitation. The students placed are
/// then dealt in rank order: the i-th girl of the track (its confirmed girls counted first)
/// to class 1 when i is even and class 2 when odd, the i-th boy the other way round; to the
/// other class when that one has no seat left.
pub fn walk_track(
    policy: GenderPolicy,
    seats: &Seats,
    n_classes: i64,
    confirmed: (i64, i64),
    cands: &[Walker],
) -> TrackWalk {
    let (first, second): (Vec<usize>, Vec<usize>) =
        (0..cands.len()).partition(|&i| cands[i].path != Path::Graduate);
    let held = (seats.girls, seats.boys);
    let (mut decided, pending1, quotas, committed1) =
        balanced_step(policy, cands, &first, seats.left, seats.full, held);
    let step1_total = committed1.0 + committed1.1;
    let held2 = (held.0 + committed1.0, held.1 + committed1.1);
    let (decided2, pending2, _, _) = balanced_step(
        policy,
        cands,
        &second,
        (seats.left - step1_total).max(0),
        seats.full,
        held2,
    );
    decided.extend(decided2);
    let pending = |step: u8, list: ListKind| match step {
        1 => pending1.get(&list).copied().unwrap_or(false),
        _ => pending2.get(&list).copied().unwrap_or(false),
    };

    let mut in_class = seats.held;
    let n = usize::try_from(n_classes.clamp(1, 2)).unwrap_or(1);
    let (mut nth_girl, mut nth_boy) = confirmed;
    let mut out = TrackWalk {
        decisions: Vec::with_capacity(cands.len()),
        steps: Vec::with_capacity(cands.len()),
        step_of: Vec::with_capacity(cands.len()),
        girls_quota: quotas.0,
        boys_quota: quotas.1,
    };
    for (i, c) in cands.iter().enumerate() {
        let w = decided[&i];
        let step = if c.path == Path::Graduate { 2 } else { 1 };
        let decision = match w.step {
            Step::Placed => {
                let nth = match c.gender {
                    Gender::Female => &mut nth_girl,
                    Gender::Male => &mut nth_boy,
                };
                let dealt = class_of(c.gender, *nth, n_classes);
                *nth += 1;
                let class_no = class_with_room(dealt, &mut in_class[..n], seats.capacity);
                let status = if pending(step, w.list) {
                    PlacementStatus::Provisional
                } else {
                    PlacementStatus::Final
                };
                Decision::Placed { class_no, status }
            }
            Step::Invited => Decision::Invited,
            Step::Failed => Decision::Waitlisted(WaitReason::Failed),
            Step::NoShow => Decision::Waitlisted(WaitReason::NoShow),
            Step::NoSeat => Decision::Waitlisted(WaitReason::NoSeat),
        };
        out.decisions.push(decision);
        out.steps.push(w);
        out.step_of.push(step);
    }
    out
}

#[cfg(test)]
#[path = "tests/walk_tests.rs"]
mod tests;
