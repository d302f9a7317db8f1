//! Property tests of gifted.md §4 on generated worlds: capacity, uniqueness, seats of each
//! list, enrichment coverage, and independence of input order.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::jobs::gifted::enrichment::{enrichment_groups, EnrichmentCenter, EnrichmentParams};
use crate::jobs::gifted::test_util::shuffle;
use chrono::NaiveDate;
use proptest::prelude::*;

const YEAR: i64 = 2027;
const AUTHORITIES: usize = 6; // A0..A3 may have tracks; A4, A5 never do

#[derive(Clone, Debug)]
struct World {
    params: PlacementParams,
    group_capacity: i64,
    students: Vec<Student>,
    tracks: Vec<Track>,
    requests: Vec<ClassRequest>,
    interviews: Vec<Interview>,
    centers: Vec<EnrichmentCenter>,
}

/// Per authority: 0, 1 or 2 tracks; with one track, 1 or 2 classes.
type TrackGen = (u8, i64, Option<i64>, i64, i64, i64);
/// gender, authority, zone, category, composite, grade, school.
type StudentGen = (bool, usize, Option<u8>, u8, (i64, i64), bool, u8);
/// (track pick, approval, other year, day) per request; (track pick, outcome) interview.
type AskGen = (Vec<(usize, bool, bool, u32)>, Option<(usize, u8)>);

fn track_ids(tracks: &[Track]) -> Vec<String> {
    let mut ids: Vec<String> = tracks.iter().map(|t| t.track_id.clone()).collect();
    ids.push("TX".into()); // a track that does not exist
    ids
}

fn build(
    policy: bool,
    class_capacity: i64,
    group_capacity: i64,
    track_gen: Vec<TrackGen>,
    student_gen: Vec<(StudentGen, AskGen)>,
    served: Vec<Option<bool>>,
) -> World {
    let mut tracks = Vec::new();
    for (a, &(count, n_classes, cap, first_year, boys, girls)) in track_gen.iter().enumerate() {
        for k in 0..count {
            tracks.push(Track {
                track_id: format!("T{a}{k}"),
                authority_id: format!("A{a}"),
                institution_id: format!("9{a}{k}"),
                grade: 3,
                n_classes: if count == 2 { 1 } else { n_classes },
                capacity_per_class: cap,
                first_year,
                registration_zones: vec![format!("{k}")],
                grade_class_count: 10,
                continuing_boys: boys,
                continuing_girls: girls,
                boarding: false,
            });
        }
    }
    let ids = track_ids(&tracks);
    let mut students = Vec::new();
    let mut requests = Vec::new();
    let mut interviews = Vec::new();
    for (i, (s, (asks, interview))) in student_gen.into_iter().enumerate() {
        let (female, authority, zone, category, (num, den), grade3, school) = s;
        let id = format!("S{i:03}");
        students.push(Student {
            student_id: id.clone(),
            school_year: YEAR,
            grade: if grade3 { 3 } else { 2 },
            gender: if female { Gender::Female } else { Gender::Male },
            residence_authority_id: format!("A{authority}"),
            registration_zone: zone.map(|z| z.to_string()),
            institution_id: format!("10{school}"),
            sector: Some(if school % 3 == 0 {
                Sector::Arabic
            } else {
                Sector::Hebrew
            }),
            category: match category {
                0 | 1 => Category::Gifted,
                2 => Category::Excellent,
                3 => Category::NotEligible,
                _ => Category::Incomplete,
            },
            composite: (category < 4).then(|| Ratio::new(i128::from(num), i128::from(den))),
        });
        for (pick, approval, other_year, day) in asks {
            requests.push(ClassRequest {
                student_id: id.clone(),
                school_year: if other_year { YEAR - 1 } else { YEAR },
                track_id: ids[pick % ids.len()].clone(),
                submitted_on: NaiveDate::from_ymd_opt(2027, 6, 1 + day).unwrap(),
                neighbor_approval: approval,
            });
        }
        if let Some((pick, outcome)) = interview {
            interviews.push(Interview {
                student_id: id.clone(),
                track_id: ids[pick % ids.len()].clone(),
                outcome: [
                    InterviewOutcome::Passed,
                    InterviewOutcome::Failed,
                    InterviewOutcome::NoShow,
                ][usize::from(outcome % 3)],
            });
        }
    }
    // class_requests are keyed by (student, year, track): keep the first of each.
    let mut seen = BTreeSet::new();
    requests.retain(|r| seen.insert((r.student_id.clone(), r.school_year, r.track_id.clone())));
    let centers = served
        .iter()
        .enumerate()
        .filter_map(|(a, s)| {
            s.map(|arabic| EnrichmentCenter {
                center_id: format!("C{}", a % 3),
                sector: if arabic {
                    Sector::Arabic
                } else {
                    Sector::Hebrew
                },
                serves_authority_id: format!("A{a}"),
            })
        })
        .collect();
    World {
        params: PlacementParams {
            class_capacity,
            gender_policy: if policy {
                GenderPolicy::Balanced
            } else {
                GenderPolicy::None
            },
            ..PlacementParams::default()
        },
        group_capacity,
        students,
        tracks,
        requests,
        interviews,
        centers,
    }
}

fn world() -> impl Strategy<Value = World> {
    let track_gen = (
        0u8..=2,
        1i64..=2,
        proptest::option::of(1i64..=6),
        2025i64..=2027,
        0i64..=4,
        0i64..=4,
    );
    let student = (
        any::<bool>(),
        0..AUTHORITIES,
        proptest::option::of(0u8..3),
        0u8..5,
        (95i64..=99, 1i64..=2),
        proptest::bool::weighted(0.1),
        0u8..5,
    );
    let asks = (
        proptest::collection::vec(
            (
                0usize..10,
                any::<bool>(),
                proptest::bool::weighted(0.1),
                0u32..3,
            ),
            0..3,
        ),
        proptest::option::of((0usize..10, 0u8..3)),
    );
    (
        any::<bool>(),
        1i64..=8,
        1i64..=5,
        proptest::collection::vec(track_gen, 4),
        proptest::collection::vec((student, asks), 0..45),
        proptest::collection::vec(proptest::option::of(any::<bool>()), AUTHORITIES),
    )
        .prop_map(|(p, cc, gc, t, s, c)| build(p, cc, gc, t, s, c))
}

fn check(w: &World) {
    let out = place(
        &w.params,
        &w.students,
        &w.tracks,
        &w.requests,
        &w.interviews,
        &[],
    )
    .unwrap();
    let track: BTreeMap<&str, &Track> = w.tracks.iter().map(|t| (t.track_id.as_str(), t)).collect();
    let outcome: BTreeMap<(&str, &str), InterviewOutcome> = w
        .interviews
        .iter()
        .map(|i| ((i.student_id.as_str(), i.track_id.as_str()), i.outcome))
        .collect();

    // No class over capacity; two classes differ by at most one; placed + invited within the
    // seats, and new + continuing within n_classes · capacity.
    let mut per_class: BTreeMap<(&str, u8), i64> = BTreeMap::new();
    let mut committed: BTreeMap<&str, i64> = BTreeMap::new();
    for p in &out.placements {
        let t = track[p.track_id.as_str()];
        assert!(
            p.class_no >= 1 && i64::from(p.class_no) <= t.n_classes,
            "{p:?}"
        );
        *per_class.entry((&p.track_id, p.class_no)).or_default() += 1;
        *committed.entry(&p.track_id).or_default() += 1;
        assert_eq!(
            outcome.get(&(p.student_id.as_str(), p.track_id.as_str())),
            Some(&InterviewOutcome::Passed),
            "placed without a passed interview: {p:?}"
        );
    }
    for i in &out.invitations {
        *committed.entry(&i.track_id).or_default() += 1;
        assert_eq!(
            outcome.get(&(i.student_id.as_str(), i.track_id.as_str())),
            None
        );
    }
    for (&(t, _), &n) in &per_class {
        assert!(
            n <= track[t].capacity(&w.params),
            "class of {t} over capacity"
        );
    }
    for t in &w.tracks {
        if t.n_classes == 2 {
            let a = per_class
                .get(&(t.track_id.as_str(), 1))
                .copied()
                .unwrap_or(0);
            let b = per_class
                .get(&(t.track_id.as_str(), 2))
                .copied()
                .unwrap_or(0);
            assert!(
                (a - b).abs() <= 1,
                "classes of {} are {a} and {b}",
                t.track_id
            );
        }
        let c = committed.get(t.track_id.as_str()).copied().unwrap_or(0);
        assert!(c <= t.seats(&w.params));
        let placed = per_class
            .iter()
            .filter(|((id, _), _)| *id == t.track_id)
            .map(|(_, n)| n)
            .sum::<i64>();
        assert!(
            t.seats(&w.params) == 0
                || placed + t.continuing_boys + t.continuing_girls
                    <= t.n_classes * t.capacity(&w.params)
        );
    }

    // No student twice across placements, invitations and the waitlist.
    let mut once = BTreeSet::new();
    for id in out
        .placements
        .iter()
        .map(|p| &p.student_id)
        .chain(out.invitations.iter().map(|i| &i.student_id))
        .chain(out.waitlist.iter().map(|x| &x.student_id))
    {
        assert!(once.insert(id.as_str()), "{id} appears twice");
    }

    // Each list's seats are never exceeded; the three lists share the track's seats.
    let mut per_list: BTreeMap<(&str, ListKind), (i64, i64)> = BTreeMap::new();
    for a in &out.audit {
        if let (Some(list), Some(seats)) = (a.list, a.list_seats) {
            let e = per_list.entry((&a.track_id, list)).or_insert((0, seats));
            assert_eq!(e.1, seats, "one seat count per list");
            if matches!(a.outcome, Outcome::Placed(_) | Outcome::Invited) {
                e.0 += 1;
                assert!(a.committed_before.unwrap() < seats);
            }
        }
    }
    for ((t, list), (n, seats)) in &per_list {
        assert!(n <= seats, "{t} {list:?}: {n} committed of {seats} seats");
    }
    for s in &out.tracks {
        let used = |list| {
            per_list
                .get(&(s.track_id.as_str(), list))
                .map_or(0, |e| e.0)
        };
        match w.params.gender_policy {
            GenderPolicy::Balanced => {
                assert!(s.girls_seats + s.boys_seats <= s.seats);
                assert!(s.merged_seats >= 0);
                // The merged list gets exactly the seats the gender lists did not commit.
                assert_eq!(
                    used(ListKind::Girls) + used(ListKind::Boys) + s.merged_seats,
                    s.seats
                );
            }
            GenderPolicy::None => assert_eq!(s.merged_seats, s.seats),
        }
    }

    // Every requester is accounted for in the audit; only gifted students on the waitlist.
    let audited: BTreeSet<&str> = out.audit.iter().map(|a| a.student_id.as_str()).collect();
    let by_id: BTreeMap<&str, &Student> = w
        .students
        .iter()
        .map(|s| (s.student_id.as_str(), s))
        .collect();
    for r in &w.requests {
        assert!(audited.contains(r.student_id.as_str()), "{r:?} not audited");
    }
    for x in &out.waitlist {
        assert_eq!(by_id[x.student_id.as_str()].category, Category::Gifted);
    }

    // Enrichment: every gifted student has exactly one of a final seat, a group, `unserved`;
    // every excellent student one of a group, `unserved`; nobody else appears.
    let params = EnrichmentParams {
        group_capacity: w.group_capacity,
    };
    let enr = enrichment_groups(&params, &w.students, &out.placements, &w.centers).unwrap();
    let finals = out.final_student_ids();
    let mut grouped: BTreeMap<&str, u32> = BTreeMap::new();
    for g in &enr.groups {
        *grouped.entry(&g.student_id).or_default() += 1;
    }
    let unserved: BTreeSet<&str> = enr.unserved.iter().map(|u| u.student_id.as_str()).collect();
    assert_eq!(unserved.len(), enr.unserved.len());
    for s in &w.students {
        let id = s.student_id.as_str();
        let hits = u32::from(finals.contains(id))
            + grouped.get(id).copied().unwrap_or(0)
            + u32::from(unserved.contains(id));
        match s.category {
            Category::Gifted => assert_eq!(hits, 1, "{id}"),
            Category::Excellent => {
                assert!(!finals.contains(id));
                assert_eq!(hits, 1, "{id}");
            }
            _ => assert_eq!(hits, 0, "{id}"),
        }
    }
    let mut sizes: BTreeMap<(&str, i64, _, u32), i64> = BTreeMap::new();
    for g in &enr.groups {
        *sizes
            .entry((&g.center_id, g.grade, g.program, g.group_no))
            .or_default() += 1;
    }
    let mut spread: BTreeMap<(&str, i64, _), (i64, i64)> = BTreeMap::new();
    for (&(c, grade, program, _), &n) in &sizes {
        assert!(n <= w.group_capacity);
        let e = spread.entry((c, grade, program)).or_insert((n, n));
        *e = (e.0.min(n), e.1.max(n));
    }
    assert!(spread.values().all(|(lo, hi)| hi - lo <= 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn placement_invariants_hold(w in world()) {
        check(&w);
    }

    #[test]
    fn second_run_with_outcomes_keeps_the_invariants(w in world(), outcomes in proptest::collection::vec(0u8..4, 45)) {
        // Run 1, then feed outcomes of its invitations (or none yet) as interviews for run 2.
        let run1 = place(&w.params, &w.students, &w.tracks, &w.requests, &[], &[]).unwrap();
        let mut w2 = w.clone();
        w2.interviews = run1
            .invitations
            .iter()
            .zip(outcomes.iter().cycle())
            .filter_map(|(i, &o)| {
                let outcome = match o {
                    0 => InterviewOutcome::Passed,
                    1 => InterviewOutcome::Failed,
                    2 => InterviewOutcome::NoShow,
                    _ => return None,
                };
                Some(Interview { student_id: i.student_id.clone(), track_id: i.track_id.clone(), outcome })
            })
            .collect();
        check(&w2);
        // Everyone run 1 invited who passed is placed in run 2 (nobody above them was added).
        let run2 = place(&w2.params, &w2.students, &w2.tracks, &w2.requests, &w2.interviews, &[]).unwrap();
        let placed: BTreeSet<&str> = run2.placements.iter().map(|p| p.student_id.as_str()).collect();
        for i in &w2.interviews {
            if i.outcome == InterviewOutcome::Passed {
                prop_assert!(placed.contains(i.student_id.as_str()), "{} passed but not placed", i.student_id);
            }
        }
    }

    #[test]
    fn shuffled_inputs_give_identical_outputs(w in world(), seed in any::<u64>()) {
        let want = place(&w.params, &w.students, &w.tracks, &w.requests, &w.interviews, &[]).unwrap();
        let enr_params = EnrichmentParams { group_capacity: w.group_capacity };
        let want_enr = enrichment_groups(&enr_params, &w.students, &want.placements, &w.centers).unwrap();
        let mut v = w.clone();
        shuffle(&mut v.students, seed);
        shuffle(&mut v.tracks, seed ^ 1);
        shuffle(&mut v.requests, seed ^ 2);
        shuffle(&mut v.interviews, seed ^ 3);
        shuffle(&mut v.centers, seed ^ 4);
        let got = place(&v.params, &v.students, &v.tracks, &v.requests, &v.interviews, &[]).unwrap();
        prop_assert_eq!(&got, &want);
        let mut placements = got.placements.clone();
        shuffle(&mut placements, seed ^ 5);
        let got_enr = enrichment_groups(&enr_params, &v.students, &placements, &v.centers).unwrap();
        prop_assert_eq!(got_enr, want_enr);
    }
}
