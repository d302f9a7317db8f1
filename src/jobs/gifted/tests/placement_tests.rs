//! Hand-worked cases of gifted.md §4 (0207 §2.2, §2.7, §2.8): seats, lists, waves, classes.

use super::*;
use crate::jobs::gifted::test_util::shuffle;
use chrono::NaiveDate;

const YEAR: i64 = 2027;

fn r(n: i128, d: i128) -> Ratio {
    Ratio::new(n, d)
}

fn pct(text: &str) -> Ratio {
    Ratio::parse_decimal(text).unwrap()
}

/// A gifted grade-2 student of authority A1 (school 100001) with the composite `c`.
fn kid(id: &str, gender: Gender, c: &str) -> Student {
    Student {
        student_id: id.into(),
        school_year: YEAR,
        grade: 2,
        gender,
        residence_authority_id: "A1".into(),
        registration_zone: None,
        institution_id: "100001".into(),
        sector: Some(Sector::Hebrew),
        category: Category::Gifted,
        composite: Some(pct(c)),
    }
}

fn girl(id: &str, c: &str) -> Student {
    kid(id, Gender::Female, c)
}

fn boy(id: &str, c: &str) -> Student {
    kid(id, Gender::Male, c)
}

fn living_in(mut s: Student, authority: &str) -> Student {
    s.residence_authority_id = authority.into();
    s
}

/// A one-class grade-3 track of authority A1 at school 200001, running since 2024.
fn track(id: &str, capacity: i64) -> Track {
    Track {
        track_id: id.into(),
        authority_id: "A1".into(),
        institution_id: "200001".into(),
        grade: 3,
        n_classes: 1,
        capacity_per_class: Some(capacity),
        first_year: 2024,
        registration_zones: vec![],
        grade_class_count: 6,
        continuing_boys: 0,
        continuing_girls: 0,
        boarding: false,
    }
}

fn req(student: &str, track: &str) -> ClassRequest {
    ClassRequest {
        student_id: student.into(),
        school_year: YEAR,
        track_id: track.into(),
        submitted_on: NaiveDate::from_ymd_opt(2027, 6, 3).unwrap(),
        neighbor_approval: false,
    }
}

fn approved(mut r: ClassRequest) -> ClassRequest {
    r.neighbor_approval = true;
    r
}

fn iv(student: &str, track: &str, outcome: InterviewOutcome) -> Interview {
    Interview {
        student_id: student.into(),
        track_id: track.into(),
        outcome,
    }
}

fn params(policy: GenderPolicy) -> PlacementParams {
    PlacementParams {
        gender_policy: policy,
        ..PlacementParams::default()
    }
}

/// Everyone in `students` asks for `track_id`.
fn all_request(students: &[Student], track_id: &str) -> Vec<ClassRequest> {
    students
        .iter()
        .map(|s| req(&s.student_id, track_id))
        .collect()
}

fn ids<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|x| f(x).to_string()).collect()
}

fn invited(out: &PlacementOutput) -> Vec<String> {
    ids(&out.invitations, |x| &x.student_id)
}

fn placed(out: &PlacementOutput) -> Vec<(String, u8, PlacementStatus)> {
    out.placements
        .iter()
        .map(|p| (p.student_id.clone(), p.class_no, p.status))
        .collect()
}

fn waiting(out: &PlacementOutput) -> Vec<(String, WaitReason)> {
    out.waitlist
        .iter()
        .map(|w| (w.student_id.clone(), w.reason))
        .collect()
}

fn audit<'a>(out: &'a PlacementOutput, id: &str) -> &'a AuditRow {
    let rows: Vec<&AuditRow> = out.audit.iter().filter(|a| a.student_id == id).collect();
    assert_eq!(rows.len(), 1, "one audit row for {id}: {rows:?}");
    rows[0]
}

fn run(
    p: &PlacementParams,
    students: &[Student],
    tracks: &[Track],
    requests: &[ClassRequest],
    interviews: &[Interview],
) -> PlacementOutput {
    place(p, students, tracks, requests, interviews).unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

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

// --- who is a candidate ----------------------------------------------------------------------

/// 0207 §2.8.ג.4: T1 is in its first round (first_year = the results' year) and refuses every
/// non-resident; T2 is older and takes approved non-residents only, after every resident.
#[test]
fn non_residents_only_in_later_years_with_approval_and_after_residents() {
    let mut t1 = track("T1", 26);
    t1.first_year = YEAR;
    let mut t2 = track("T2", 2);
    t2.authority_id = "A2".into();
    t2.institution_id = "200002".into();
    t2.first_year = 2025;
    let tracks = vec![t1, t2];
    let students = vec![
        living_in(girl("X", "99.9"), "A3"),
        living_in(girl("Y", "99.8"), "A3"),
        living_in(girl("Z", "99.7"), "A3"),
        living_in(girl("R", "97.1"), "A2"),
        living_in(girl("Q", "97.0"), "A2"),
        girl("L", "98"), // lives in A1, asks for A2's track
    ];
    let requests = vec![
        approved(req("X", "T1")),
        approved(req("Y", "T2")),
        req("Z", "T2"),
        req("R", "T2"),
        req("Q", "T2"),
        approved(req("L", "T2")),
    ];
    let p = params(GenderPolicy::None);
    let out = run(&p, &students, &tracks, &requests, &[]);
    // T2 has 2 seats: the residents R and Q outrank Y's higher composite.
    assert_eq!(
        out.invitations
            .iter()
            .map(|i| (i.student_id.as_str(), i.track_id.as_str()))
            .collect::<Vec<_>>(),
        vec![("L", "T1"), ("Q", "T2"), ("R", "T2")]
    );
    assert_eq!(
        out.waitlist
            .iter()
            .map(|w| (w.student_id.as_str(), w.track_id.as_str(), w.reason))
            .collect::<Vec<_>>(),
        vec![
            ("X", "T1", WaitReason::NonResidentNotEligible),
            ("Y", "T2", WaitReason::NoSeat),
            ("Z", "T2", WaitReason::NonResidentNotEligible),
        ]
    );
    assert_eq!(audit(&out, "X").rule, Rule::NonResidentFirstYear);
    assert_eq!(audit(&out, "Z").rule, Rule::NonResidentNoApproval);
    let y = audit(&out, "Y");
    assert_eq!(
        (y.resident, y.assignment, y.rank),
        (Some(false), Some(Assignment::NonResidentApproved), Some(3))
    );
    let l = audit(&out, "L");
    assert_eq!(
        (
            l.track_id.as_str(),
            l.requested_track_id.as_str(),
            l.assignment
        ),
        ("T1", "T2", Some(Assignment::ResidentRedirected))
    );
    // A third seat in T2 admits Y, still ranked last.
    let mut tracks = tracks;
    tracks[1].capacity_per_class = Some(3);
    let out = run(&p, &students, &tracks, &requests, &[]);
    assert!(invited(&out).contains(&"Y".to_string()));
    assert_eq!(audit(&out, "Y").rank, Some(3));
}

/// 0207 §2.8.ג.3: an authority with tracks in two schools assigns by registration zone, else
/// the requested track.
#[test]
fn registration_zones_choose_between_two_schools() {
    let mut north = track("TN", 26);
    north.registration_zones = strs(&["1", "2"]);
    let mut south = track("TS", 26);
    south.institution_id = "200009".into();
    south.registration_zones = strs(&["3", "4"]);
    let mut other = track("TX", 26);
    other.authority_id = "A7".into();
    let tracks = vec![north, south, other];
    let mut zoned = girl("Z3", "99");
    zoned.registration_zone = Some("3".into());
    let mut unlisted = girl("Z9", "99");
    unlisted.registration_zone = Some("9".into());
    let students = vec![zoned, unlisted, girl("NOZ", "99"), girl("FAR", "99")];
    let requests = vec![
        req("Z3", "TN"),
        req("Z9", "TS"),
        req("NOZ", "TS"),
        req("FAR", "TX"),
    ];
    let out = run(
        &params(GenderPolicy::Balanced),
        &students,
        &tracks,
        &requests,
        &[],
    );
    let got: Vec<(&str, &str, Option<Assignment>)> = out
        .audit
        .iter()
        .map(|a| (a.student_id.as_str(), a.track_id.as_str(), a.assignment))
        .collect();
    assert_eq!(
        got,
        vec![
            ("FAR", "TN", Some(Assignment::ResidentDefault)),
            ("NOZ", "TS", Some(Assignment::ResidentRequested)),
            ("Z3", "TS", Some(Assignment::ResidentZone)),
            ("Z9", "TS", Some(Assignment::ResidentRequested)),
        ]
    );
}

#[test]
fn requests_that_cannot_count_are_accounted_for() {
    let mut excellent = girl("EX", "95");
    excellent.category = Category::Excellent;
    let old = boy("OLD", "99");
    let mut grade4 = boy("G4", "99");
    grade4.grade = 4; // no track for grade 5 anywhere
    let students = vec![excellent, old, grade4, living_in(boy("NT", "99"), "A5")];
    let mut stale = req("OLD", "T");
    stale.school_year = YEAR - 1;
    let requests = vec![
        req("EX", "T"),
        stale,
        req("G4", "T"),
        req("GHOST", "T"),
        approved(req("NT", "NOPE")),
    ];
    let out = run(
        &PlacementParams::default(),
        &students,
        &[track("T", 26)],
        &requests,
        &[],
    );
    assert!(out.invitations.is_empty() && out.placements.is_empty());
    let rules: Vec<(&str, Rule, Outcome)> = out
        .audit
        .iter()
        .map(|a| (a.student_id.as_str(), a.rule, a.outcome))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("EX", Rule::NotGifted, Outcome::NotCandidate),
            (
                "G4",
                Rule::NoTrackForGrade,
                Outcome::Waitlisted(WaitReason::NoTrackForGrade)
            ),
            ("GHOST", Rule::NoResults, Outcome::NotCandidate),
            (
                "NT",
                Rule::NoTrackForGrade,
                Outcome::Waitlisted(WaitReason::NoTrackForGrade)
            ),
            ("OLD", Rule::RequestOtherYear, Outcome::NotCandidate),
        ]
    );
    // Only gifted students who asked are on the waitlist (it drives the waitlist letter),
    // sorted by (track_id, student_id).
    assert_eq!(
        out.waitlist
            .iter()
            .map(|w| (w.student_id.as_str(), w.track_id.as_str()))
            .collect::<Vec<_>>(),
        vec![("NT", "NOPE"), ("G4", "T")]
    );
}

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

// --- ranking ---------------------------------------------------------------------------------

/// Equal composites: lowest lottery number first. With seed "itur" (python3 -c "import
/// hashlib; print(int.from_bytes(hashlib.sha256(b'itur:000000042').digest()[:8], 'big'))"):
/// 000000042 → 1533601761625557030, 000000034 → 17862241376447921068,
/// 000000026 → 18261830908039009733 — the reverse of the ids' order.
#[test]
fn equal_composites_are_decided_by_the_lottery() {
    let students = vec![
        girl("000000026", "98"),
        girl("000000034", "98"),
        girl("000000042", "98"),
    ];
    let tracks = vec![track("T", 2)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["000000034", "000000042"]));
    assert_eq!(
        waiting(&out),
        vec![("000000026".into(), WaitReason::NoSeat)]
    );
    assert_eq!(
        audit(&out, "000000042").lottery_number,
        Some(1533601761625557030)
    );
    assert_eq!(audit(&out, "000000042").rank, Some(1));
    assert_eq!(audit(&out, "000000034").rank, Some(2));
    assert_eq!(
        audit(&out, "000000026").lottery_number,
        Some(18261830908039009733)
    );
    // Another seed reorders them: with "2028" the numbers are recomputed.
    let p = PlacementParams {
        lottery_seed: "2028".into(),
        ..params(GenderPolicy::None)
    };
    let out2 = run(&p, &students, &tracks, &requests, &[]);
    assert_eq!(
        audit(&out2, "000000042").lottery_number,
        Some(crate::rules::lottery::lottery_number("2028", "000000042"))
    );
}

/// 292/3 and 97.33333333333333 are the same f64; exactly, 292/3 is higher, so its owner wins
/// even though the other has the lowest lottery number.
#[test]
fn composites_are_compared_exactly() {
    let mut a = girl("000000026", "0");
    a.composite = Some(r(292, 3));
    let b = girl("000000042", "97.33333333333333");
    assert_eq!(292.0f64 / 3.0, "97.33333333333333".parse::<f64>().unwrap());
    assert!(a.composite > b.composite);
    let students = vec![b, a];
    let tracks = vec![track("T", 1)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["000000026"]));
    let row = audit(&out, "000000026");
    assert_eq!(
        (row.composite_num(), row.composite_den()),
        (Some(292), Some(3))
    );
}

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

// --- checks and determinism ------------------------------------------------------------------

#[test]
fn track_checks_stop_the_placement() {
    let mut t = track("T", 26);
    t.n_classes = 2;
    t.grade_class_count = 3; // 2 > 0.5 · 3
    let err = place(&PlacementParams::default(), &[], &[t], &[], &[]).unwrap_err();
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
        place(&p, &[s.clone(), s.clone()], &[], &[], &[]).unwrap_err(),
        PlacementError::DuplicateStudent("G1".into())
    );
    let t = track("T", 3);
    let mut t2 = t.clone();
    t2.authority_id = "A2".into();
    assert!(matches!(
        place(&p, &[], &[t.clone(), t2], &[], &[]).unwrap_err(),
        PlacementError::DuplicateTrack { .. }
    ));
    let i = iv("G1", "T", InterviewOutcome::Passed);
    assert!(matches!(
        place(&p, &[s], &[t], &[], &[i.clone(), i]).unwrap_err(),
        PlacementError::DuplicateInterview { .. }
    ));
    let bad = PlacementParams {
        class_capacity: 0,
        ..PlacementParams::default()
    };
    assert!(matches!(
        place(&bad, &[], &[], &[], &[]).unwrap_err(),
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
