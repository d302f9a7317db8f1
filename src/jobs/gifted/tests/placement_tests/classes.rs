//! Two classes of one track (gifted.md §4; 0207 §2.8.ג): how the lists are dealt.
use super::*;

// --- two classes -----------------------------------------------------------------------------

#[test]
fn two_classes_deal_girls_from_one_and_boys_from_two() {
    use InterviewOutcome::*;
    let students = vec![
        girl("G1", "99.9"),
        boy("B1", "99.8"),
        girl("G2", "99.7"),
        boy("B2", "99.6"),
        girl("G3", "99.5"),
        boy("B3", "99.4"),
        girl("G4", "99.3"),
    ];
    let mut t = track("T", 4);
    t.n_classes = 2;
    t.continuing_girls = 1; // 8 − 1 = 7 seats, F = 8: girls 3, boys 4
    let tracks = vec![t];
    let requests = all_request(&students, "T");
    let interviews: Vec<Interview> = students
        .iter()
        .map(|s| iv(&s.student_id, "T", Passed))
        .collect();
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &interviews,
    );
    // Girls' list 3 seats: G1, G2, G3; boys' list 4 seats: B1, B2, B3 (all there are); the
    // merged list's 7 − 3 − 3 = 1 seat goes to G4. Girls G1..G4 → classes 1, 2, 1, 2; boys
    // B1..B3 → 2, 1, 2: class 1 has 3 new students, class 2 has 4.
    assert_eq!(
        placed(&out),
        vec![
            ("B2".into(), 1, PlacementStatus::Final),
            ("G1".into(), 1, PlacementStatus::Final),
            ("G3".into(), 1, PlacementStatus::Final),
            ("B1".into(), 2, PlacementStatus::Final),
            ("B3".into(), 2, PlacementStatus::Final),
            ("G2".into(), 2, PlacementStatus::Final),
            ("G4".into(), 2, PlacementStatus::Final),
        ]
    );
    let s = &out.tracks[0];
    assert_eq!(
        (s.seats, s.girls_seats, s.boys_seats, s.merged_seats),
        (7, 3, 4, 1)
    );
    assert_eq!(audit(&out, "G4").list, Some(ListKind::Merged));
    assert!(out.waitlist.is_empty());

    // One class: everyone in class 1.
    let mut one = tracks[0].clone();
    one.n_classes = 1;
    one.capacity_per_class = Some(8);
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &[one],
        &requests,
        &interviews,
    );
    assert_eq!(out.placements.len(), 7);
    assert!(out.placements.iter().all(|p| p.class_no == 1));
}
