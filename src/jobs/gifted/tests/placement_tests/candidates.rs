//! Who is a candidate (gifted.md §4; 0207 §2.8.ג.3, §2.8.ג.4): residents before
//! non-residents, registration zones, requests that cannot count.
use super::*;

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
    // The waitlist holds candidates only (gifted.md §4): Y, a candidate without a seat. X and
    // Z are no candidates: their requests are answered in `request_outcomes`, with the reason.
    assert_eq!(
        out.waitlist
            .iter()
            .map(|w| (w.student_id.as_str(), w.track_id.as_str(), w.reason))
            .collect::<Vec<_>>(),
        vec![("Y", "T2", WaitReason::NoSeat)]
    );
    assert_eq!(
        outcomes(&out),
        vec![
            ("L", "T2", Some("T1"), None),
            ("Q", "T2", Some("T2"), None),
            ("R", "T2", Some("T2"), None),
            (
                "X",
                "T1",
                None,
                Some(NotCandidateReason::NonResidentFirstYear)
            ),
            ("Y", "T2", Some("T2"), None),
            (
                "Z",
                "T2",
                None,
                Some(NotCandidateReason::NonResidentNoApproval)
            ),
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
/// the requested track; when neither picks one (FAR has no zone and asked for another
/// authority's track), routing is undecided: no candidate, the authority decides.
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
            ("FAR", "TX", None),
            ("NOZ", "TS", Some(Assignment::ResidentRequested)),
            ("Z3", "TS", Some(Assignment::ResidentZone)),
            ("Z9", "TS", Some(Assignment::ResidentRequested)),
        ]
    );
    assert_eq!(audit(&out, "FAR").rule, Rule::RoutingUndecided);
    assert_eq!(
        outcomes(&out)[0],
        (
            "FAR",
            "TX",
            None,
            Some(NotCandidateReason::RoutingUndecided)
        )
    );
    assert!(out.waitlist.iter().all(|w| w.student_id != "FAR"));
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
            ("G4", Rule::NoTrackForGrade, Outcome::NotCandidate),
            ("GHOST", Rule::NoResults, Outcome::NotCandidate),
            ("NT", Rule::NoTrackForGrade, Outcome::NotCandidate),
            ("OLD", Rule::RequestOtherYear, Outcome::NotCandidate),
        ]
    );
    // No candidate, no waitlist row: each request is answered in `request_outcomes` (a request
    // of another school year is an exclusion of the phase, before `place`).
    assert!(out.waitlist.is_empty());
    assert_eq!(
        outcomes(&out),
        vec![
            ("EX", "T", None, Some(NotCandidateReason::NotGifted)),
            ("G4", "T", None, Some(NotCandidateReason::WrongGrade)),
            ("GHOST", "T", None, Some(NotCandidateReason::NotGifted)),
            ("NT", "NOPE", None, Some(NotCandidateReason::NoTrack)),
        ]
    );
}
