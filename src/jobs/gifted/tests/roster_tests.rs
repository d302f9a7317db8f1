use super::*;
use crate::jobs::gifted::participation::institution_participates;
use crate::jobs::gifted::participation::Supervision;
use crate::table::id_index::IdMap;

#[test]
fn roster_finds_students_by_digit_and_text_ids() {
    let mut ids = vec!["0123", "123", "A-1", "B", "999999999", "Z9"];
    ids.sort_unstable();
    let students: Vec<Student> = ids
        .iter()
        .map(|&id| Student {
            student_id: id.into(),
            ..Student::default()
        })
        .collect();
    let index = students
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((digits_key(&s.student_id)?, i as u32)))
        .collect();
    let roster = Roster {
        participation: BTreeMap::new(),
        census: BTreeMap::new(),
        institutions: FastMap::default(),
        students,
        index,
    };
    for id in ids {
        assert_eq!(roster.student(id).map(|s| s.student_id.as_str()), Some(id));
    }
    for id in ["00123", "12", "a-1", "", "Z", "1234567890"] {
        assert!(roster.student(id).is_none(), "{id}");
    }
}

/// Institutions 0–3: a Hebrew school that takes part, an official Hebrew school that opted
/// out (0207 §2.1.א.3), an Arabic school that takes part, and an exempt one (§1.9).
fn institutions() -> Vec<Counted> {
    let inst = |sector, supervision, opt_out| {
        Counted::of(&Institution {
            name: String::new(),
            authority_id: String::new(),
            region_id: String::new(),
            sector,
            participation: institution_participates(supervision, false, opt_out),
        })
    };
    vec![
        inst(Sector::Hebrew, Supervision::Official, false),
        inst(Sector::Hebrew, Supervision::Official, true),
        inst(Sector::Arabic, Supervision::Official, false),
        inst(Sector::Hebrew, Supervision::Exempt, false),
    ]
}

#[test]
fn an_institution_is_counted_in_the_bucket_of_its_participation() {
    let i = institutions();
    assert_eq!(i[0].bucket, "taking_part");
    assert!(i[0].participating && !i[1].participating);
    assert_eq!(
        i[1].bucket,
        "institution_not_participating:official_opted_out"
    );
    assert_eq!(
        i[3].bucket,
        "institution_not_participating:exempt_institution"
    );
}

/// gifted.md §1: every enrolled student is accounted for, by their institution's
/// participation; a school without students adds no bucket.
#[test]
fn participation_accounts_for_every_enrolled_student() {
    let got = participation(&[32, 15, 12, 0], &institutions(), 2, 61);
    let want: BTreeMap<String, i64> = [
        ("institution_not_participating:official_opted_out", 15),
        ("institution_unknown", 2),
        ("students", 61),
        ("taking_part", 44),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);
    // Without students of unknown institutions there is no such bucket.
    assert!(
        !participation(&[1, 0, 0, 0], &institutions(), 0, 1).contains_key("institution_unknown")
    );
}

/// gifted.md §3 (`cohort_enrollment`): N counts the students of participating institutions
/// only, by (school_year, sector, grade). Worked: the 15 grade-2 students of the school that
/// opted out are not counted; the Hebrew grade-2 cohort of 2027 is 20 + 3 (two runs of one
/// school); 2026 is a cohort of its own; the Arabic school's grade 3 is apart from the Hebrew.
#[test]
fn census_counts_participating_students_by_year_sector_and_grade() {
    let cohorts = vec![
        ((2027, 0, 2), 20),
        ((2027, 1, 2), 15),
        ((2027, 2, 3), 12),
        ((2027, 0, 3), 5),
        ((2026, 0, 2), 4),
        ((2027, 0, 2), 3),
        ((2027, 3, 3), 9),
    ];
    let got = census(cohorts, &institutions());
    let want = BTreeMap::from([
        ((2026, Sector::Hebrew, 2), 4),
        ((2027, Sector::Hebrew, 2), 23),
        ((2027, Sector::Hebrew, 3), 5),
        ((2027, Sector::Arabic, 3), 12),
    ]);
    assert_eq!(got, want);
}

/// gifted.md §3: N of a group sums its cohorts of stage B grades (0207 §2.5.א: hebrew 2–4,
/// arabic 3–5); Arabic grade 2 is no stage B grade and is left out.
#[test]
fn norm_population_sums_the_stage_b_cohorts_of_each_group() {
    let census = BTreeMap::from([
        ((2027, Sector::Hebrew, 2), 23),
        ((2027, Sector::Hebrew, 3), 5),
        ((2027, Sector::Arabic, 2), 7),
        ((2027, Sector::Arabic, 3), 12),
        ((2027, Sector::Hebrew, 6), 40),
    ]);
    let (hebrew, arabic) = ([2, 3, 4], [3, 4, 5]);
    let by_sector = norm_population(&census, &hebrew, &arabic, |y, s, g| {
        format!("{y}/{}/{g}", s.as_str())
    });
    assert_eq!(
        by_sector,
        BTreeMap::from([
            ("2027/arabic/3".to_string(), 12),
            ("2027/hebrew/2".to_string(), 23),
            ("2027/hebrew/3".to_string(), 5),
        ])
    );
    // Grouped by (school_year, grade), the sectors of one grade are one group.
    let by_grade = norm_population(&census, &hebrew, &arabic, |y, _, g| format!("{y}/{g}"));
    assert_eq!(
        by_grade,
        BTreeMap::from([("2027/2".to_string(), 23), ("2027/3".to_string(), 17)])
    );
}

/// Which stage A row is a student's, worked on six rows and a referral.
#[test]
fn a_students_stage_a_row_is_the_last_complete_row_naming_them() {
    let rows: Vec<(Option<&str>, Option<i64>, Option<&str>)> = vec![
        (Some("111"), Some(2027), Some("tested")),
        (Some("222"), None, Some("absent")),
        // Two rows for one student (the key is (student_id, school_year)): the last is theirs,
        // whatever its year (`exclusions::stage_a_rows_of_year` then finds the roster year's).
        (Some("111"), Some(2026), Some("tested")),
        (Some("333"), Some(2027), Some("absent")),
        // A row without year or status names the student but does not displace their row.
        (Some("333"), None, None),
        (None, Some(2027), Some("tested")),
    ];
    let mut entries = Vec::new();
    stage_a_entries(rows.into_iter(), &mut entries);
    // A referral names a student without giving them a row.
    entries.push(("444", NO_ROW, false));
    entries.push(("333", NO_ROW, false));
    let named = IdMap::build(&entries);
    assert_eq!(named.len(), 4);
    assert_eq!(named.get("111"), Some(&2));
    assert_eq!(named.get("222"), Some(&NO_ROW));
    assert_eq!(named.get("333"), Some(&3));
    assert_eq!(named.get("444"), Some(&NO_ROW));
}
