//! Confirmed placements are never revoked (gifted.md §4, issue #25 item 4): the final
//! placements of an earlier run, fed back, keep track and class, are not ranked again, take
//! their seats first; the others compete for the seats left.
use super::*;

fn confirmed(id: &str, gender: Gender, class_no: u8) -> Confirmed {
    Confirmed {
        student_id: id.into(),
        school_year: YEAR,
        track_id: "T".into(),
        class_no,
        gender,
    }
}

/// Run 1: a one-class track of 4 seats, `gender_policy = none`; A, B, C, D pass their
/// interviews and are placed, final. Run 2: N becomes gifted later (a retest) with the best
/// composite of all, and passed the interview; the first run's placements come back as
/// confirmed. A..D keep their class; N gets no seat (4 − 4 confirmed = 0 left): waitlisted
/// `no_seat`. With a fifth seat, N gets exactly that one.
#[test]
fn a_newcomer_ranked_higher_never_pushes_out_a_confirmed_child() {
    use InterviewOutcome::Passed;
    let first = vec![
        girl("A", "98"),
        boy("B", "97.9"),
        girl("C", "97.8"),
        boy("D", "97.7"),
    ];
    let p = params(GenderPolicy::None);
    let t = track("T", 4);
    let interviews: Vec<Interview> = first
        .iter()
        .map(|s| iv(&s.student_id, "T", Passed))
        .collect();
    let run1 = run(
        &p,
        &first,
        std::slice::from_ref(&t),
        &all_request(&first, "T"),
        &interviews,
    );
    assert_eq!(
        placed(&run1),
        ["A", "B", "C", "D"].map(|s| (s.to_string(), 1, PlacementStatus::Final))
    );

    let mut second = first.clone();
    second.push(girl("N", "99.9"));
    let mut interviews2 = interviews.clone();
    interviews2.push(iv("N", "T", Passed));
    let kept: Vec<Confirmed> = run1
        .placements
        .iter()
        .map(|x| confirmed(&x.student_id, x.gender, x.class_no))
        .collect();
    let requests = all_request(&second, "T");
    let run2 = place(
        &p,
        &second,
        std::slice::from_ref(&t),
        &requests,
        &interviews2,
        &kept,
    )
    .unwrap();
    assert_eq!(
        placed(&run2),
        ["A", "B", "C", "D"].map(|s| (s.to_string(), 1, PlacementStatus::Final))
    );
    assert_eq!(
        run2.waitlist
            .iter()
            .map(|w| (w.student_id.as_str(), w.reason))
            .collect::<Vec<_>>(),
        vec![("N", WaitReason::NoSeat)]
    );
    // The confirmed are not ranked again; their requests are answered `confirmed`.
    let a = run2.audit.iter().find(|r| r.student_id == "A").unwrap();
    assert_eq!((a.rule, a.rank), (Rule::Confirmed, None));
    let answers: Vec<(&str, RequestOutcome)> = run2
        .request_outcomes
        .iter()
        .map(|o| (o.student_id.as_str(), o.outcome))
        .collect();
    assert_eq!(
        answers,
        vec![
            ("A", RequestOutcome::Confirmed),
            ("B", RequestOutcome::Confirmed),
            ("C", RequestOutcome::Confirmed),
            ("D", RequestOutcome::Confirmed),
            ("N", RequestOutcome::Candidate),
        ]
    );

    // A fifth seat: N gets it, and only it.
    let t5 = track("T", 5);
    let run3 = place(&p, &second, &[t5], &requests, &interviews2, &kept).unwrap();
    assert_eq!(
        placed(&run3),
        ["A", "B", "C", "D", "N"].map(|s| (s.to_string(), 1, PlacementStatus::Final))
    );
    assert!(run3.waitlist.is_empty());
}

/// `balanced`, one class of 4 (F = 4: girls' list 2, boys' list 2). Two confirmed girls hold
/// the girls' list (gifted.md §4: the confirmed count as committed in the list of their
/// gender): the boys' list takes B and B2, no seat is left for the merged list, and G, ranked
/// first of all, waits. With one boy only, the seat his list cannot fill goes to the merged
/// list, and G gets it.
#[test]
fn confirmed_students_hold_the_seats_of_their_genders_list() {
    use InterviewOutcome::Passed;
    let kept = vec![
        confirmed("C1", Gender::Female, 1),
        confirmed("C2", Gender::Female, 1),
    ];
    let go = |students: &[Student]| {
        let interviews: Vec<Interview> = students
            .iter()
            .map(|s| iv(&s.student_id, "T", Passed))
            .collect();
        place(
            &params(GenderPolicy::Balanced),
            students,
            &[track("T", 4)],
            &all_request(students, "T"),
            &interviews,
            &kept,
        )
        .unwrap()
    };
    let out = go(&[girl("G", "99.9"), boy("B", "99.8"), boy("B2", "99.7")]);
    let placed_ids: Vec<String> = placed(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(placed_ids, ["B", "B2", "C1", "C2"]);
    assert_eq!(
        out.waitlist
            .iter()
            .map(|w| (w.student_id.as_str(), w.reason))
            .collect::<Vec<_>>(),
        [("G", WaitReason::NoSeat)]
    );
    let out = go(&[girl("G", "99.9"), boy("B", "99.8")]);
    let placed_ids: Vec<String> = placed(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(placed_ids, ["B", "C1", "C2", "G"]);
}

/// Two classes of 3: two confirmed students fill class 1; the new girls dealt 1, 2, 1 … go to
/// class 2 while class 1 is full (gifted.md §4 "Two classes": a full class is skipped).
#[test]
fn a_full_class_is_skipped_when_dealing() {
    use InterviewOutcome::Passed;
    let students = vec![girl("G1", "99.9"), girl("G2", "99.8")];
    let interviews = vec![iv("G1", "T", Passed), iv("G2", "T", Passed)];
    let mut t = track("T", 3);
    t.n_classes = 2;
    let kept = vec![
        confirmed("C1", Gender::Female, 1),
        confirmed("C2", Gender::Male, 1),
        confirmed("C3", Gender::Female, 1),
    ];
    let out = place(
        &params(GenderPolicy::None),
        &students,
        &[t],
        &all_request(&students, "T"),
        &interviews,
        &kept,
    )
    .unwrap();
    let classes: Vec<(String, u8)> = placed(&out).into_iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(
        classes,
        vec![
            ("C1".into(), 1),
            ("C2".into(), 1),
            ("C3".into(), 1),
            ("G1".into(), 2),
            ("G2".into(), 2),
        ]
    );
}
