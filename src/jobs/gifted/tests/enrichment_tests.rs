//! gifted.md §4 "Enrichment centers" (0207 §2.8.א.2, §2.8.ב, §2.8.ד.3).

use super::*;
use crate::jobs::gifted::placement::Gender;
use crate::jobs::gifted::test_util::shuffle;
use crate::rules::fraction::Ratio;

fn kid(id: &str, school: &str, authority: &str, category: Category) -> Student {
    Student {
        student_id: id.into(),
        school_year: 2027,
        grade: 2,
        gender: Gender::Female,
        residence_authority_id: authority.into(),
        registration_zone: None,
        institution_id: school.into(),
        sector: Some(Sector::Hebrew),
        category,
        composite: Some(Ratio::from_int(98)),
    }
}

fn center(id: &str, sector: Sector, authority: &str) -> EnrichmentCenter {
    EnrichmentCenter {
        center_id: id.into(),
        sector,
        serves_authority_id: authority.into(),
    }
}

fn placement(id: &str, status: PlacementStatus) -> Placement {
    Placement {
        student_id: id.into(),
        school_year: 2027,
        track_id: "T".into(),
        class_no: 1,
        gender: Gender::Female,
        status,
    }
}

#[test]
fn sizes_differ_by_at_most_one() {
    assert_eq!(group_sizes(37, 18), vec![13, 12, 12]);
    assert_eq!(group_sizes(36, 18), vec![18, 18]);
    assert_eq!(group_sizes(19, 18), vec![10, 9]);
    assert_eq!(group_sizes(18, 18), vec![18]);
    assert_eq!(group_sizes(1, 18), vec![1]);
    assert_eq!(group_sizes(0, 18), Vec::<usize>::new());
    assert_eq!(group_sizes(7, 1), vec![1; 7]);
}

/// 37 gifted students of one center and grade: groups of 13, 12, 12, dealt in (institution,
/// student) order so schoolmates stay together.
#[test]
fn thirty_seven_students_make_groups_of_13_12_12() {
    let mut students = Vec::new();
    for k in 0..37 {
        // Schools 100001 (ids 0..15), 100002 (15..30), 100003 (30..37), ids in reverse so
        // student_id order alone would not reproduce the grouping.
        let school = format!("10000{}", 1 + k / 15);
        students.push(kid(
            &format!("S{:02}", 99 - k),
            &school,
            "A1",
            Category::Gifted,
        ));
    }
    shuffle(&mut students, 7);
    let out = enrichment_groups(
        &EnrichmentParams::default(),
        &students,
        &[],
        &[center("C1", Sector::Hebrew, "A1")],
    )
    .unwrap();
    assert!(out.unserved.is_empty());
    let sizes: Vec<usize> = (1..=3)
        .map(|g| out.groups.iter().filter(|r| r.group_no == g).count())
        .collect();
    assert_eq!(sizes, vec![13, 12, 12]);
    // School 100001 holds S85..S99. Group 1: its 13 lowest ids, S85..S97.
    let g1: Vec<&str> = out
        .groups
        .iter()
        .filter(|r| r.group_no == 1)
        .map(|r| r.student_id.as_str())
        .collect();
    let want: Vec<String> = (85..=97).map(|k| format!("S{k}")).collect();
    assert_eq!(g1, want.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    // Group 2: the rest of school 100001 (S98, S99), then school 100002 from S70; group 3 ends
    // with school 100003 (S63..S69).
    let g2: Vec<(&str, &str)> = out
        .groups
        .iter()
        .filter(|r| r.group_no == 2)
        .map(|r| (r.institution_id.as_str(), r.student_id.as_str()))
        .collect();
    assert_eq!(g2[0], ("100001", "S98"));
    assert_eq!(g2[1], ("100001", "S99"));
    assert_eq!(g2[2], ("100002", "S70"));
    assert_eq!(g2[11], ("100002", "S79"));
    let g3: Vec<&str> = out
        .groups
        .iter()
        .filter(|r| r.group_no == 3)
        .map(|r| r.student_id.as_str())
        .collect();
    assert_eq!(g3[..5], ["S80", "S81", "S82", "S83", "S84"]);
    assert_eq!(g3[5..], ["S63", "S64", "S65", "S66", "S67", "S68", "S69"]);
    assert!(out
        .groups
        .iter()
        .all(|r| r.center_id == "C1" && r.program == Program::Gifted && r.grade == 2));
}

#[test]
fn who_goes_where() {
    let students = vec![
        kid("FINAL", "1", "A1", Category::Gifted),
        kid("PROV", "1", "A1", Category::Gifted),
        kid("NOREQ", "1", "A1", Category::Gifted),
        kid("EXC", "1", "A1", Category::Excellent),
        kid("NOTEL", "1", "A1", Category::NotEligible),
        kid("INC", "1", "A1", Category::Incomplete),
        kid("FAR", "1", "A9", Category::Gifted),
        kid("FAREX", "1", "A9", Category::Excellent),
    ];
    let placements = vec![
        placement("FINAL", PlacementStatus::Final),
        placement("PROV", PlacementStatus::Provisional),
    ];
    let out = enrichment_groups(
        &EnrichmentParams::default(),
        &students,
        &placements,
        &[center("C1", Sector::Hebrew, "A1")],
    )
    .unwrap();
    let got: Vec<(&str, Program, u32)> = out
        .groups
        .iter()
        .map(|r| (r.student_id.as_str(), r.program, r.group_no))
        .collect();
    assert_eq!(
        got,
        vec![
            ("NOREQ", Program::Gifted, 1),
            ("PROV", Program::Gifted, 1),
            ("EXC", Program::Excellent, 1),
        ]
    );
    let unserved: Vec<(&str, &str, Program)> = out
        .unserved
        .iter()
        .map(|u| (u.student_id.as_str(), u.reason.as_str(), u.program))
        .collect();
    assert_eq!(
        unserved,
        vec![
            ("FAR", "no_center_for_authority", Program::Gifted),
            ("FAREX", "no_center_for_authority", Program::Excellent),
        ]
    );
}

#[test]
fn grades_programs_and_sectors_group_apart() {
    let mut arab = kid("AR", "2", "A1", Category::Gifted);
    arab.sector = Some(Sector::Arabic);
    let mut g3 = kid("G3", "1", "A1", Category::Gifted);
    g3.grade = 3;
    let students = vec![
        kid("HE", "1", "A1", Category::Gifted),
        arab,
        g3,
        kid("EX", "1", "A1", Category::Excellent),
    ];
    let centers = vec![
        center("C2", Sector::Hebrew, "A1"),
        center("C9", Sector::Arabic, "A1"),
        center("C1", Sector::Hebrew, "A1"),
    ];
    let out = enrichment_groups(&EnrichmentParams::default(), &students, &[], &centers).unwrap();
    let got: Vec<(&str, &str, i64, Program, u32)> = out
        .groups
        .iter()
        .map(|r| {
            (
                r.center_id.as_str(),
                r.student_id.as_str(),
                r.grade,
                r.program,
                r.group_no,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("C1", "HE", 2, Program::Gifted, 1),
            ("C1", "EX", 2, Program::Excellent, 1),
            ("C1", "G3", 3, Program::Gifted, 1),
            ("C9", "AR", 2, Program::Gifted, 1),
        ]
    );
}

#[test]
fn bad_capacity_and_duplicates_are_errors() {
    let s = kid("S", "1", "A1", Category::Gifted);
    let zero = EnrichmentParams { group_capacity: 0 };
    assert!(matches!(
        enrichment_groups(&zero, &[], &[], &[]),
        Err(EnrichmentError::InvalidParams(_))
    ));
    assert_eq!(
        enrichment_groups(&EnrichmentParams::default(), &[s.clone(), s], &[], &[]),
        Err(EnrichmentError::DuplicateStudent("S".into()))
    );
}

/// One rule names the center serving a student, for program lists and enrichment groups
/// alike: a center of the student's sector if any serves the authority, else any serving
/// center; the lowest center_id among them, whatever the order of the rows.
#[test]
fn the_serving_center_is_of_the_students_sector_then_the_lowest_id() {
    let centers = vec![
        center("C9", Sector::Arabic, "A1"),
        center("C5", Sector::Hebrew, "A1"),
        center("C2", Sector::Arabic, "A1"),
        center("C7", Sector::Hebrew, "A1"),
        center("C3", Sector::Arabic, "A2"),
    ];
    let serving = ServingCenters::new(&centers);
    let id = |a: &str, s: Option<Sector>| serving.center_for(a, s).map(|c| c.center_id.clone());
    assert_eq!(id("A1", Some(Sector::Hebrew)).as_deref(), Some("C5"));
    assert_eq!(id("A1", Some(Sector::Arabic)).as_deref(), Some("C2"));
    // No center of the student's sector: any serving one, the lowest id.
    assert_eq!(id("A2", Some(Sector::Hebrew)).as_deref(), Some("C3"));
    assert_eq!(id("A1", None).as_deref(), Some("C2"));
    assert_eq!(id("A3", Some(Sector::Hebrew)), None);
    let reversed: Vec<EnrichmentCenter> = centers.iter().rev().cloned().collect();
    let again = ServingCenters::new(&reversed);
    assert_eq!(
        again
            .center_for("A1", Some(Sector::Hebrew))
            .map(|c| c.center_id.as_str()),
        Some("C5")
    );
}
