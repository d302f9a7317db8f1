//! Hand-worked walks of gifted.md §5.7–§5.8 (0207 §2.9.ג, §2.10.ב, §4.1–§4.4, §4.6).
use super::*;
use crate::jobs::gifted::placement::PlacementStatus::{Final, Provisional};
use crate::jobs::gifted_secondary::seats::tests::track;
use crate::jobs::gifted_secondary::seats::{seats, ConfirmedSeat};

fn w(gender: Gender, path: Path, interview: Option<InterviewOutcome>) -> Walker {
    Walker {
        gender,
        path,
        interview,
    }
}

/// `girls` girls then `boys` boys on the threshold path, none interviewed yet.
fn qualifiers(girls: usize, boys: usize) -> Vec<Walker> {
    let mut v = vec![w(Gender::Female, Path::Threshold, None); girls];
    v.extend(vec![w(Gender::Male, Path::Threshold, None); boys]);
    v
}

fn count(t: &TrackWalk, f: impl Fn(&Decision) -> bool) -> usize {
    t.decisions.iter().filter(|d| f(d)).count()
}

fn invited(d: &Decision) -> bool {
    *d == Decision::Invited
}

fn no_seat(d: &Decision) -> bool {
    *d == Decision::Waitlisted(WaitReason::NoSeat)
}

#[test]
fn exactly_30_qualifiers_in_a_first_round_are_all_invited() {
    // One class of 30, nobody continuing: F = 30, the girls' and boys' lists take 15 each.
    let t = track(1, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &qualifiers(15, 15));
    assert_eq!((r.girls_quota, r.boys_quota), (15, 15));
    assert_eq!(count(&r, invited), 30);
}

#[test]
fn the_31st_qualifier_waits_for_a_seat() {
    // 16 girls and 15 boys: 15 + 15 invited, the merged list has 0 seats left.
    let t = track(1, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &qualifiers(16, 15));
    assert_eq!(count(&r, invited), 30);
    assert_eq!(r.decisions[15], Decision::Waitlisted(WaitReason::NoSeat));
    // With 17 girls and 13 boys the merged list gives the boys' two unused seats to girls 16
    // and 17 in rank order.
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &qualifiers(17, 13));
    assert_eq!(count(&r, invited), 30);
    assert_eq!(r.steps[15].list, ListKind::Merged);
}

#[test]
fn sixty_one_applicants_for_two_classes() {
    // Two classes of 30: F = 60, 30 per gender list; the 61st (a girl) waits.
    let t = track(2, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let r = walk_track(GenderPolicy::Balanced, &s, 2, (0, 0), &qualifiers(31, 30));
    assert_eq!(count(&r, invited), 60);
    assert_eq!(count(&r, no_seat), 1);
    assert_eq!(r.decisions[30], Decision::Waitlisted(WaitReason::NoSeat));
}

#[test]
fn a_late_high_scorer_cannot_displace_a_confirmed_student() {
    // 30 confirmed placements fill the class: a new qualifier ranked first still waits.
    let t = track(1, 0, 0, [0, 0]);
    let confirmed: Vec<ConfirmedSeat> = (0..30)
        .map(|k| ConfirmedSeat {
            student_id: format!("{k}"),
            gender: if k % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            },
            class_no: 1,
        })
        .collect();
    let s = seats(&t, &confirmed);
    assert_eq!(s.left, 0);
    let late = [w(
        Gender::Female,
        Path::Threshold,
        Some(InterviewOutcome::Passed),
    )];
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (15, 15), &late);
    assert_eq!(r.decisions, vec![Decision::Waitlisted(WaitReason::NoSeat)]);
}

#[test]
fn graduates_get_only_the_seats_qualifiers_leave() {
    // 30 seats, 28 qualifiers (14 + 14) invited: two graduates get the last two seats, the
    // third waits — and no graduate is placed while a qualifier waits for a seat.
    let t = track(1, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let mut c = qualifiers(14, 14);
    c.extend([
        w(
            Gender::Female,
            Path::Graduate,
            Some(InterviewOutcome::Passed),
        ),
        w(
            Gender::Female,
            Path::Graduate,
            Some(InterviewOutcome::Passed),
        ),
        w(Gender::Male, Path::Graduate, Some(InterviewOutcome::Passed)),
    ]);
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &c);
    assert_eq!(count(&r, invited), 28);
    // G2 = B2 = 14, S2 = 2: each gender list takes min(2, 15 − 14) = 1.
    assert!(matches!(r.decisions[28], Decision::Placed { .. }));
    assert_eq!(r.decisions[29], Decision::Waitlisted(WaitReason::NoSeat));
    assert!(matches!(r.decisions[30], Decision::Placed { .. }));
    assert_eq!(r.step_of[28], 2);
    // 31 qualifiers: the graduates walk no seats at all.
    let mut c = qualifiers(16, 15);
    c.push(w(
        Gender::Male,
        Path::Graduate,
        Some(InterviewOutcome::Passed),
    ));
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &c);
    assert_eq!(r.decisions[31], Decision::Waitlisted(WaitReason::NoSeat));
}

#[test]
fn exempt_students_are_placed_without_an_interview_and_pending_lists_are_provisional() {
    let t = track(1, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let c = [
        w(Gender::Female, Path::Exempt, None),
        w(
            Gender::Female,
            Path::Threshold,
            Some(InterviewOutcome::Passed),
        ),
        w(
            Gender::Male,
            Path::Threshold,
            Some(InterviewOutcome::Passed),
        ),
        w(Gender::Female, Path::Threshold, None),
        w(
            Gender::Male,
            Path::Threshold,
            Some(InterviewOutcome::Failed),
        ),
    ];
    let r = walk_track(GenderPolicy::Balanced, &s, 1, (0, 0), &c);
    // The girls' list has an invitation pending: its placements are provisional; the boys'
    // list has none: final.
    assert_eq!(
        r.decisions,
        vec![
            Decision::Placed {
                class_no: 1,
                status: Provisional
            },
            Decision::Placed {
                class_no: 1,
                status: Provisional
            },
            Decision::Placed {
                class_no: 1,
                status: Final
            },
            Decision::Invited,
            Decision::Waitlisted(WaitReason::Failed),
        ]
    );
}

#[test]
fn two_classes_deal_girls_and_boys_alternately_and_never_past_capacity() {
    // 29 and 23 continuing: class 1 has one seat, class 2 seven. Girls go 1, 2, 1 …, boys
    // 2, 1, 2 …; a full class sends the student to the other.
    let t = track(2, 30, 22, [29, 23]);
    let s = seats(&t, &[]);
    assert_eq!(s.left, 8);
    let passed = Some(InterviewOutcome::Passed);
    let c: Vec<Walker> = (0..8)
        .map(|k| {
            let g = if k % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            };
            w(g, Path::Threshold, passed)
        })
        .collect();
    // F = 60: girls' quota min(8, 30 − 22) = 8, boys' min(8, 30 − 30) = 0: boys go to the
    // merged list after the girls.
    let r = walk_track(GenderPolicy::Balanced, &s, 2, (0, 0), &c);
    assert_eq!((r.girls_quota, r.boys_quota), (8, 0));
    let classes: Vec<u8> = r
        .decisions
        .iter()
        .map(|d| match d {
            Decision::Placed { class_no, .. } => *class_no,
            _ => 0,
        })
        .collect();
    // Girl 0 → class 1 (its last seat); boy 0 → class 2; girl 1 → class 2; boy 1 → class 1
    // is full → class 2; …
    assert_eq!(classes, vec![1, 2, 2, 2, 2, 2, 2, 2]);
    assert_eq!(classes.iter().filter(|&&c| c == 1).count(), 1);
}

#[test]
fn confirmed_girls_count_first_in_the_dealing() {
    // One confirmed girl (class 1): the next girl is the track's girl number 1 → class 2.
    let t = track(2, 0, 0, [0, 0]);
    let conf = [ConfirmedSeat {
        student_id: "x".into(),
        gender: Gender::Female,
        class_no: 1,
    }];
    let s = seats(&t, &conf);
    let c = [w(
        Gender::Female,
        Path::Threshold,
        Some(InterviewOutcome::Passed),
    )];
    let r = walk_track(GenderPolicy::Balanced, &s, 2, (1, 0), &c);
    assert_eq!(
        r.decisions[0],
        Decision::Placed {
            class_no: 2,
            status: Final
        }
    );
}

#[test]
fn gender_policy_none_is_one_merged_list() {
    let t = track(1, 0, 0, [0, 0]);
    let s = seats(&t, &[]);
    let r = walk_track(GenderPolicy::None, &s, 1, (0, 0), &qualifiers(31, 0));
    assert_eq!((r.girls_quota, r.boys_quota), (0, 0));
    assert_eq!(count(&r, invited), 30);
    assert_eq!(count(&r, no_seat), 1);
}
