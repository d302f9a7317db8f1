//! Seats and the gender-balanced lists (gifted.md §4; 0207 §2.8.ג): seats left after the
//! continuing students, the girls', boys' and merged lists.
use super::*;

// --- seats and lists -------------------------------------------------------------------------

#[test]
fn seats_subtract_continuing_and_never_go_negative() {
    let p = PlacementParams::default();
    let mut t = track("T", 26);
    t.capacity_per_class = None; // pipeline default 26
    t.n_classes = 2;
    t.continuing_boys = 7;
    t.continuing_girls = 5;
    assert_eq!(t.seats(&p), 40);
    t.continuing_boys = 30;
    t.continuing_girls = 30;
    assert_eq!(t.seats(&p), 0);
}

/// 5 seats, F = 5: girls' list floor(5/2) = 2, boys' list 2, and the odd seat goes to the
/// merged list, which takes the best of the rest whatever the gender.
#[test]
fn odd_seats_leave_one_for_the_merged_list() {
    let students = vec![
        boy("B1", "99"),
        boy("B2", "98.9"),
        boy("B3", "98.8"),
        girl("G1", "97.5"),
        girl("G2", "97.4"),
        girl("G3", "97.3"),
    ];
    let tracks = vec![track("T", 5)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["B1", "B2", "B3", "G1", "G2"]));
    assert_eq!(waiting(&out), vec![("G3".into(), WaitReason::NoSeat)]);
    let s = &out.tracks[0];
    assert_eq!(
        (s.seats, s.girls_seats, s.boys_seats, s.merged_seats),
        (5, 2, 2, 1)
    );
    let b3 = audit(&out, "B3");
    assert_eq!(b3.list, Some(ListKind::Merged));
    assert_eq!(b3.rank, Some(3)); // third of all six candidates
    assert_eq!((b3.list_seats, b3.committed_before), (Some(1), Some(0)));
    assert_eq!(b3.rule, Rule::InvitedWithinSeats);
    let g3 = audit(&out, "G3");
    assert_eq!(g3.list, Some(ListKind::Merged));
    assert_eq!((g3.rank, g3.committed_before), (Some(6), Some(1)));
    assert!(g3
        .detail
        .contains("girls list: rank 3, 2 seats, 2 committed before"));
    assert_eq!(audit(&out, "G2").list, Some(ListKind::Girls));

    // gender_policy = none: one merged list takes the top five.
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["B1", "B2", "B3", "G1", "G2"]));
    // Same invitees here; a third girl-heavy case separates the two policies.
    let students = vec![
        boy("B1", "99"),
        boy("B2", "98.9"),
        boy("B3", "98.8"),
        boy("B4", "98.7"),
        girl("G1", "97.5"),
        girl("G2", "97.4"),
    ];
    let requests = all_request(&students, "T");
    let none = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&none), strs(&["B1", "B2", "B3", "B4", "G1"]));
    let balanced = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&balanced), strs(&["B1", "B2", "B3", "G1", "G2"]));
    assert_eq!(waiting(&balanced), vec![("B4".into(), WaitReason::NoSeat)]);
}

#[test]
fn continuing_students_shift_the_split() {
    let t = |cap: i64, boys: i64, girls: i64| {
        let mut t = track("T", cap);
        t.continuing_boys = boys;
        t.continuing_girls = girls;
        t
    };
    let p = PlacementParams::default();
    // 26 − 8 − 4 = 14 seats, F = 26: girls 13 − 4 = 9, boys 13 − 8 = 5, merged 0.
    let x = t(26, 8, 4);
    assert_eq!(x.seats(&p), 14);
    assert_eq!(lists::gender_seats(&x, 14), (9, 5));
    // 25 − 3 − 10 = 12 seats, F = 25: girls 12 − 10 = 2, boys 12 − 3 = 9, one seat merged.
    let x = t(25, 3, 10);
    assert_eq!(lists::gender_seats(&x, x.seats(&p)), (2, 9));
    // 15 continuing girls of 26: the girls' list gets nothing, the boys' list is capped by the
    // 11 seats, not floor(26/2) = 13.
    let x = t(26, 0, 15);
    assert_eq!(lists::gender_seats(&x, x.seats(&p)), (0, 11));

    // Walked: 12 girls and 12 boys of equal standing for the (9, 5) split.
    let mut students = Vec::new();
    for k in 0..12 {
        students.push(girl(&format!("G{k:02}"), &format!("99.{k:02}")));
        students.push(boy(&format!("B{k:02}"), &format!("99.{k:02}5")));
    }
    let tracks = vec![t(26, 8, 4)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &[],
    );
    let girls = out
        .invitations
        .iter()
        .filter(|i| i.gender == Gender::Female)
        .count();
    let boys = out.invitations.len() - girls;
    assert_eq!((girls, boys), (9, 5));
    // The highest-ranked boys (B11, B10, …) are the ones invited.
    assert!(invited(&out).contains(&"B11".to_string()));
    assert!(!invited(&out).contains(&"B06".to_string()));
    assert_eq!(out.waitlist.len(), 10);
    // With none, the same 14 seats go to the top 14 of the merged ranking: 7 boys, 7 girls.
    let none = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    let girls = none
        .invitations
        .iter()
        .filter(|i| i.gender == Gender::Female)
        .count();
    assert_eq!((girls, none.invitations.len()), (7, 14));
}

/// Seats the girls' list cannot fill go to the merged list, which is all boys here.
#[test]
fn too_few_girls_give_their_seats_to_the_merged_list() {
    let mut students = vec![girl("G1", "97")];
    for k in 1..=6 {
        students.push(boy(&format!("B{k}"), &format!("9{}", 9 - k))); // B1 98 … B6 93
    }
    let tracks = vec![track("T", 6)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["B1", "B2", "B3", "B4", "B5", "G1"]));
    assert_eq!(waiting(&out), vec![("B6".into(), WaitReason::NoSeat)]);
    assert_eq!(out.tracks[0].merged_seats, 2); // 6 − 1 girl − 3 boys
    assert_eq!(audit(&out, "B4").list, Some(ListKind::Merged));
    assert_eq!(audit(&out, "B3").list, Some(ListKind::Boys));
    assert_eq!(audit(&out, "G1").list, Some(ListKind::Girls));
}
