//! gifted.md §4 "Track checks" (0207 §2.8.ג.1, §2.8.ג.2).

use super::*;

fn t(id: &str, authority: &str, school: &str, grade: i64, n: i64, gcc: i64) -> Track {
    Track {
        track_id: id.into(),
        authority_id: authority.into(),
        institution_id: school.into(),
        grade,
        n_classes: n,
        capacity_per_class: None,
        first_year: 2024,
        registration_zones: vec![],
        grade_class_count: gcc,
        continuing_boys: 0,
        continuing_girls: 0,
        boarding: false,
    }
}

fn p() -> PlacementParams {
    PlacementParams::default() // at most 2 classes, at most 1/2 of the grade
}

#[test]
fn within_the_limits() {
    let tracks = vec![
        t("T1", "A1", "S1", 3, 1, 1), // two schools: the share rule does not apply
        t("T2", "A1", "S2", 3, 1, 1),
        t("T3", "A2", "S3", 3, 2, 4), // 2 ≤ 1/2 · 4, exactly at the bound
        t("T4", "A3", "S4", 3, 1, 2), // 1 ≤ 1/2 · 2
        t("T5", "A1", "S1", 4, 2, 9), // another grade counts apart
    ];
    assert_eq!(check_tracks(&p(), &tracks), Ok(()));
}

#[test]
fn too_many_classes_for_an_authority() {
    let tracks = vec![t("T2", "A1", "S2", 3, 1, 10), t("T1", "A1", "S1", 3, 2, 10)];
    let v = check_tracks(&p(), &tracks).unwrap_err();
    assert_eq!(
        v,
        vec![TrackViolation {
            authority_id: "A1".into(),
            grade: 3,
            rule: TrackRule::MaxClassesPerAuthority,
            n_classes: 3,
            limit: Ratio::from_int(2),
            track_ids: vec!["T1".into(), "T2".into()],
            institution_id: None,
            grade_class_count: None,
            max_share_of_grade: None,
        }]
    );
    let text = v[0].to_string();
    assert!(
        text.contains("authority A1 grade 3: 3 gifted classes"),
        "{text}"
    );
    assert!(text.contains("max_classes_per_authority = 2"), "{text}");
}

#[test]
fn classes_in_one_school_over_the_share_of_the_grade() {
    // 2 classes in a school whose grade has 3: 2 > 3/2.
    let v = check_tracks(&p(), &[t("T1", "A1", "S1", 3, 2, 3)]).unwrap_err();
    assert_eq!(v.len(), 1);
    let x = &v[0];
    assert_eq!(x.rule, TrackRule::MaxShareOfGrade);
    assert_eq!(x.rule.as_str(), "max_share_of_grade");
    assert_eq!((x.n_classes, x.limit), (2, Ratio::new(3, 2)));
    assert_eq!(x.institution_id.as_deref(), Some("S1"));
    assert_eq!(x.grade_class_count, Some(3));
    assert!(x.to_string().contains("allows at most 3/2"), "{x}");
    // A single class alone in a one-class grade: 1 > 1/2.
    let v = check_tracks(&p(), &[t("T9", "A9", "S9", 3, 1, 1)]).unwrap_err();
    assert_eq!((v[0].rule, v[0].n_classes), (TrackRule::MaxShareOfGrade, 1));
    // Two tracks of one authority in the same school count together: 1 + 1 > 1/2 · 3.
    let v = check_tracks(
        &p(),
        &[t("T1", "A1", "S1", 3, 1, 3), t("T2", "A1", "S1", 3, 1, 3)],
    )
    .unwrap_err();
    assert_eq!((v[0].rule, v[0].n_classes), (TrackRule::MaxShareOfGrade, 2));
}

#[test]
fn share_is_exact() {
    // 0.29 · 100 is 28.999999999999996 in floating point; exactly it is 29, so 29 classes pass.
    assert!(std::hint::black_box(0.29f64) * 100.0 < 29.0);
    let params = PlacementParams {
        max_share_of_grade: Ratio::from_f64_decimal(0.29).unwrap(),
        max_classes_per_authority: 50,
        ..p()
    };
    assert_eq!(
        check_tracks(&params, &[t("T", "A", "S", 3, 29, 100)]),
        Ok(())
    );
    let v = check_tracks(&params, &[t("T", "A", "S", 3, 30, 100)]).unwrap_err();
    assert_eq!(v[0].limit, Ratio::from_int(29));
}

#[test]
fn every_violation_is_reported_in_order() {
    let tracks = vec![
        t("TB", "B", "SB", 3, 2, 3),
        t("TA2", "A", "SA", 3, 2, 2),
        t("TA1", "A", "SA", 3, 1, 2),
    ];
    let v = check_tracks(&p(), &tracks).unwrap_err();
    let got: Vec<(&str, TrackRule, i64)> = v
        .iter()
        .map(|x| (x.authority_id.as_str(), x.rule, x.n_classes))
        .collect();
    assert_eq!(
        got,
        vec![
            ("A", TrackRule::MaxClassesPerAuthority, 3),
            ("A", TrackRule::MaxShareOfGrade, 3),
            ("B", TrackRule::MaxShareOfGrade, 2),
        ]
    );
}
