//! Property tests of gifted.md §5.5–§5.8 on generated years: no class over capacity, no
//! student placed twice, no graduate placed while a qualifier of the same track waits for a
//! seat, and the same decisions in any order of the applications.
use super::super::admission::{admit, Admission, Applicant};
use super::super::inputs::{HistoryRow, Program, Track};
use super::super::read::Read;
use super::super::seats::ConfirmedSeat;
use super::super::walk::Decision;
use super::super::Params;
use crate::jobs::gifted::placement::{Gender, GenderPolicy, InterviewOutcome, WaitReason};
use crate::jobs::gifted::test_util::shuffle;
use crate::jobs::gifted::{Category, Sector};
use crate::rules::fraction::Ratio;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const YEAR: i64 = 2027;

/// Per authority A0–A2: whether it has a track of entry grade 7, its classes, capacity,
/// continuing boys and girls, first year offset, boarding.
type TrackGen = (bool, i64, i64, i64, i64, bool, bool);
/// girl, authority (0–3), composite in tenths above 90, category pick, graduate, rubric,
/// requested track pick, interview pick, exempt history.
type ApplicantGen = (bool, usize, i64, u8, bool, i64, Option<usize>, u8, bool);

fn world(
    policy: bool,
    track_gen: Vec<TrackGen>,
    gen: Vec<ApplicantGen>,
    confirmed_n: usize,
) -> (Params, Vec<Applicant>, Read) {
    let params = Params {
        gender_policy: if policy {
            GenderPolicy::Balanced
        } else {
            GenderPolicy::None
        },
        applications_before: 2030,
        identified_before: 2017,
        ..Params::default()
    };
    let mut read = Read::default();
    for (a, &(has, n_classes, capacity, boys, girls, first, boarding)) in
        track_gen.iter().enumerate()
    {
        if !has {
            continue;
        }
        let total = boys + girls;
        read.tracks.push(Track {
            track_id: format!("T{a}"),
            institution_id: format!("90000{a}"),
            authority_id: format!("A{a}"),
            sector: Sector::Hebrew,
            grade: 7,
            n_classes,
            capacity,
            first_year: if first { YEAR } else { YEAR - 2 },
            continuing_boys: boys,
            continuing_girls: girls,
            continuing: if n_classes == 2 {
                [total - total / 2, total / 2]
            } else {
                [total, 0]
            },
            boarding,
            registration_zones: Vec::new(),
        });
    }
    let mut applicants = Vec::new();
    for (i, &(girl, auth, tenths, cat, graduate, rubric, req, iv, exempt)) in gen.iter().enumerate()
    {
        let id = format!("{:09}", 100 + i);
        let composite = Ratio::new(900 + i128::from(tenths), 10);
        let category = match cat % 5 {
            0 | 1 => Category::Gifted,
            2 => Category::Excellent,
            3 => Category::NotEligible,
            _ => Category::Incomplete,
        };
        let result = match category {
            Category::Incomplete => (category, None),
            _ => (category, Some(composite)),
        };
        if graduate {
            for (y, g) in [(YEAR - 1, 5), (YEAR, 6)] {
                read.history
                    .entry(id.clone())
                    .or_default()
                    .push(HistoryRow {
                        student_id: id.clone(),
                        school_year: y,
                        grade: g,
                        program: Program::GiftedClass,
                    });
            }
            read.assessments.insert(
                id.clone(),
                super::super::inputs::AssessmentRow {
                    student_id: id.clone(),
                    school_year: YEAR,
                    academic: rubric,
                    behavioral: rubric,
                    social: 100 - rubric / 4,
                },
            );
        }
        let track_ids: Vec<String> = read.tracks.iter().map(|t| t.track_id.clone()).collect();
        let requested = req.and_then(|k| track_ids.get(k % track_ids.len().max(1)).cloned());
        if let (Some(t), true) = (requested.clone().or(track_ids.first().cloned()), iv > 0) {
            let outcome = match iv % 3 {
                0 => InterviewOutcome::Passed,
                1 => InterviewOutcome::Failed,
                _ => InterviewOutcome::NoShow,
            };
            read.interviews.insert((id.clone(), t), outcome);
        }
        applicants.push(Applicant {
            student_id: id,
            grade: 6,
            gender: if girl { Gender::Female } else { Gender::Male },
            sector: Sector::Hebrew,
            participating: true,
            residence_authority_id: format!("A{auth}"),
            registration_zone: None,
            requested_track_id: requested,
            identified_school_year: exempt.then_some(2015),
            result: Some(result),
        });
    }
    // The first applicants of the first track may be confirmed there already.
    if let Some(t) = read.tracks.first().cloned() {
        for a in applicants.iter().take(confirmed_n) {
            read.confirmed_track
                .insert(a.student_id.clone(), t.track_id.clone());
            read.confirmed
                .entry((t.track_id.clone(), t.grade))
                .or_default()
                .push(ConfirmedSeat {
                    student_id: a.student_id.clone(),
                    gender: a.gender,
                    class_no: 1,
                });
        }
    }
    (params, applicants, read)
}

fn check(read: &Read, out: &Admission) -> Result<(), TestCaseError> {
    // No student placed twice.
    let mut seen = BTreeSet::new();
    for p in &out.placements {
        prop_assert!(
            seen.insert(p.student_id.clone()),
            "{} placed twice",
            p.student_id
        );
    }
    // No class over capacity (continuing students counted) unless its continuing and
    // confirmed students alone fill it past capacity.
    for t in &read.tracks {
        let confirmed = read
            .confirmed
            .get(&(t.track_id.clone(), t.grade))
            .map_or(0, Vec::len) as i64;
        for class in 1..=t.n_classes {
            let c = usize::try_from(class - 1).unwrap_or(0);
            let new = out
                .placements
                .iter()
                .filter(|p| {
                    p.track_id == t.track_id && i64::from(p.class_no) == class && !p.confirmed
                })
                .count() as i64;
            let held = t.continuing[c] + if class == 1 { confirmed } else { 0 };
            prop_assert!(
                new == 0 || held + new <= t.capacity,
                "track {} class {class}: {held} held + {new} new > {}",
                t.track_id,
                t.capacity
            );
        }
    }
    // No graduate placed while a threshold candidate of the same track waits for a seat.
    let mut waiting_for_seat: BTreeSet<&str> = BTreeSet::new();
    for r in &out.ranked {
        if r.path != super::super::candidates::Path::Graduate
            && r.decision == Decision::Waitlisted(WaitReason::NoSeat)
        {
            waiting_for_seat.insert(r.track_id.as_str());
        }
    }
    for r in &out.ranked {
        if r.path == super::super::candidates::Path::Graduate
            && matches!(r.decision, Decision::Placed { .. } | Decision::Invited)
        {
            prop_assert!(
                !waiting_for_seat.contains(r.track_id.as_str()),
                "graduate {} given a seat of {} while a qualifier waits",
                r.student_id,
                r.track_id
            );
        }
    }
    // Every application answered once.
    let answered: BTreeMap<&str, usize> = out.outcomes.iter().fold(BTreeMap::new(), |mut m, o| {
        *m.entry(o.student_id.as_str()).or_default() += 1;
        m
    });
    prop_assert!(answered.values().all(|&n| n == 1));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn admission_keeps_its_invariants_in_any_order(
        policy in any::<bool>(),
        track_gen in proptest::collection::vec(
            (any::<bool>(), 1i64..=2, 1i64..=6, 0i64..=5, 0i64..=5, any::<bool>(), any::<bool>()),
            3,
        ),
        gen in proptest::collection::vec(
            (any::<bool>(), 0usize..4, 0i64..=100, any::<u8>(), any::<bool>(), 60i64..=100,
             proptest::option::of(0usize..4), 0u8..4, any::<bool>()),
            0..40,
        ),
        confirmed_n in 0usize..3,
        seed in any::<u64>(),
    ) {
        let (params, applicants, read) = world(policy, track_gen, gen, confirmed_n);
        let out = admit(&params, YEAR, &applicants, &read);
        check(&read, &out)?;
        let mut shuffled = applicants.clone();
        shuffle(&mut shuffled, seed);
        prop_assert_eq!(&admit(&params, YEAR, &shuffled, &read), &out);
    }
}
