//! Interview waves across runs (gifted.md §4; 0207 §2.8): invitations, outcomes fed back,
//! the waitlist.
use super::*;

// --- waves -----------------------------------------------------------------------------------

/// Run 1 invites the top of each list; its invitees' outcomes are fed back; run 2 places the
/// passed, skips the failed and absent, and invites the next; run 3 makes everything final.
#[test]
fn interview_waves_across_runs() {
    use InterviewOutcome::*;
    let students = vec![
        girl("G1", "99.4"),
        girl("G2", "99.3"),
        girl("G3", "99.2"),
        girl("G4", "99.1"),
        boy("B1", "98.4"),
        boy("B2", "98.3"),
        boy("B3", "98.2"),
        boy("B4", "98.1"),
    ];
    let tracks = vec![track("T", 4)]; // girls 2, boys 2, merged 0
    let requests = all_request(&students, "T");
    let p = params(GenderPolicy::Balanced);

    let run1 = run(&p, &students, &tracks, &requests, &[]);
    assert_eq!(invited(&run1), strs(&["B1", "B2", "G1", "G2"]));
    assert!(run1.placements.is_empty());
    let no_seat: Vec<(String, WaitReason)> = ["B3", "B4", "G3", "G4"]
        .iter()
        .map(|s| (s.to_string(), WaitReason::NoSeat))
        .collect();
    assert_eq!(waiting(&run1), no_seat);

    // Outcomes of run 1's invitations.
    let outcome = |id: &str| match id {
        "G1" | "B2" => Passed,
        "G2" => Failed,
        _ => NoShow,
    };
    let mut interviews: Vec<Interview> = run1
        .invitations
        .iter()
        .map(|i| iv(&i.student_id, &i.track_id, outcome(&i.student_id)))
        .collect();
    let run2 = run(&p, &students, &tracks, &requests, &interviews);
    assert_eq!(invited(&run2), strs(&["B3", "G3"]));
    assert_eq!(
        placed(&run2),
        vec![
            ("B2".into(), 1, PlacementStatus::Provisional),
            ("G1".into(), 1, PlacementStatus::Provisional),
        ]
    );
    assert_eq!(
        waiting(&run2),
        vec![
            ("B1".into(), WaitReason::NoShow),
            ("B4".into(), WaitReason::NoSeat),
            ("G2".into(), WaitReason::Failed),
            ("G4".into(), WaitReason::NoSeat),
        ]
    );
    let g3 = audit(&run2, "G3");
    assert_eq!((g3.rank, g3.committed_before), (Some(3), Some(1)));

    // Run 3: G3 passes, B3 has not been interviewed yet: the girls' list is final, the boys'
    // list still has a pending invitation, so B2 stays provisional.
    interviews.push(iv("G3", "T", Passed));
    let run3 = run(&p, &students, &tracks, &requests, &interviews);
    assert_eq!(invited(&run3), strs(&["B3"]));
    assert_eq!(
        placed(&run3),
        vec![
            ("B2".into(), 1, PlacementStatus::Provisional),
            ("G1".into(), 1, PlacementStatus::Final),
            ("G3".into(), 1, PlacementStatus::Final),
        ]
    );
    // Run 4: B3 passes: all final, nobody invited.
    interviews.push(iv("B3", "T", Passed));
    let run4 = run(&p, &students, &tracks, &requests, &interviews);
    assert!(run4.invitations.is_empty());
    assert!(run4
        .placements
        .iter()
        .all(|x| x.status == PlacementStatus::Final));
    assert_eq!(
        ids(&run4.placements, |x| &x.student_id),
        strs(&["B2", "B3", "G1", "G3"])
    );
    assert_eq!(audit(&run4, "B3").rule, Rule::PassedWithinSeats);
}

#[test]
fn passed_below_the_seats_is_waitlisted_and_interviews_of_other_tracks_do_not_count() {
    use InterviewOutcome::*;
    let students = vec![girl("G1", "99"), girl("G2", "98"), girl("G3", "97")];
    let tracks = vec![track("T", 1), {
        let mut o = track("O", 5);
        o.authority_id = "A9".into();
        o
    }];
    let requests = all_request(&students, "T");
    let interviews = vec![
        iv("G1", "T", Passed),
        iv("G2", "T", Passed),
        iv("G3", "O", Passed),
    ];
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &interviews,
    );
    assert_eq!(placed(&out), vec![("G1".into(), 1, PlacementStatus::Final)]);
    assert_eq!(
        waiting(&out),
        vec![
            ("G2".into(), WaitReason::NoSeat),
            ("G3".into(), WaitReason::NoSeat),
        ]
    );
    assert_eq!(audit(&out, "G2").interview, Some(Passed));
    assert_eq!(audit(&out, "G3").interview, None);
}
