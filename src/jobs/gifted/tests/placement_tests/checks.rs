//! Checks and determinism: track checks stop the placement, duplicates are errors, shuffled
//! inputs give identical outputs.
use super::*;
use crate::jobs::gifted::test_util::shuffle;

// --- checks and determinism ------------------------------------------------------------------

#[test]
fn track_checks_stop_the_placement() {
    let mut t = track("T", 26);
    t.n_classes = 2;
    t.grade_class_count = 3; // 2 > 0.5 · 3
    let err = place(&PlacementParams::default(), &[], &[t], &[], &[], &[]).unwrap_err();
    match err {
        PlacementError::TrackChecks(v) => {
            assert_eq!(v.len(), 1);
            assert_eq!(v[0].rule, TrackRule::MaxShareOfGrade);
        }
        other => panic!("expected track checks, got {other:?}"),
    }
}

#[test]
fn duplicates_are_errors() {
    let p = PlacementParams::default();
    let s = girl("G1", "99");
    assert_eq!(
        place(&p, &[s.clone(), s.clone()], &[], &[], &[], &[]).unwrap_err(),
        PlacementError::DuplicateStudent("G1".into())
    );
    let t = track("T", 3);
    let mut t2 = t.clone();
    t2.authority_id = "A2".into();
    assert!(matches!(
        place(&p, &[], &[t.clone(), t2], &[], &[], &[]).unwrap_err(),
        PlacementError::DuplicateTrack { .. }
    ));
    let i = iv("G1", "T", InterviewOutcome::Passed);
    assert!(matches!(
        place(&p, &[s], &[t], &[], &[i.clone(), i], &[]).unwrap_err(),
        PlacementError::DuplicateInterview { .. }
    ));
    let bad = PlacementParams {
        class_capacity: 0,
        ..PlacementParams::default()
    };
    assert!(matches!(
        place(&bad, &[], &[], &[], &[], &[]).unwrap_err(),
        PlacementError::InvalidParams(_)
    ));
}

#[test]
fn shuffled_inputs_give_identical_outputs() {
    use InterviewOutcome::*;
    let mut students = Vec::new();
    for k in 0..20 {
        let c = format!("9{}", 7 + k % 3);
        students.push(if k % 2 == 0 {
            girl(&format!("S{k:02}"), &c)
        } else {
            boy(&format!("S{k:02}"), &c)
        });
    }
    let tracks = vec![track("T", 9), {
        let mut t = track("U", 3);
        t.authority_id = "A2".into();
        t
    }];
    let mut requests = all_request(&students, "T");
    requests.push(req("S03", "U"));
    let mut interviews = vec![
        iv("S00", "T", Passed),
        iv("S01", "T", Failed),
        iv("S02", "T", NoShow),
    ];
    let p = PlacementParams::default();
    let want = run(&p, &students, &tracks, &requests, &interviews);
    for seed in 1..6u64 {
        shuffle(&mut students, seed);
        shuffle(&mut requests, seed + 10);
        shuffle(&mut interviews, seed + 20);
        let mut ts = tracks.clone();
        shuffle(&mut ts, seed + 30);
        assert_eq!(run(&p, &students, &ts, &requests, &interviews), want);
    }
}
