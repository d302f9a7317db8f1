//! Hand-worked boundaries of gifted.md §6.2 (0207 §6.1, §6.2, §1.7), school year Y = 2027:
//! deadline 2026-12-31, sessions of 5, immigration year from 1 July.
use super::accommodation::{self, Outcome, Rule as AccRule};
use super::inputs::{Accommodation, Committee, Language, LanguageRequest, Read};
use super::language::{self, arrival_year, grade_at_immigration, Rule as LangRule};
use super::sessions::{deal, groups, session_sizes};
use super::*;
use crate::jobs::gifted::Sector;
use crate::jobs::gifted_requests::{Institution, Roster, Stage, Student};
use proptest::prelude::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn params() -> Params {
    Params {
        deadline: SchoolDate::MonthDay { month: 12, day: 31 },
        adapted_session_size: 5,
        immigration_year_starts: (7, 1),
        language: LanguageParams {
            returning_min_years_abroad: 4,
            elementary_min_grade_at_immigration: -1,
            secondary_min_grade_at_immigration: 3,
        },
    }
}

/// §6.1.יד.1: 11 → 4, 4, 3; 10 → 5, 5; 6 → 3, 3; at most the size, differing by at most one.
#[test]
fn sessions_of_a_group_differ_by_at_most_one() {
    assert_eq!(session_sizes(11, 5), [4, 4, 3]);
    assert_eq!(session_sizes(10, 5), [5, 5]);
    assert_eq!(session_sizes(6, 5), [3, 3]);
    assert_eq!(session_sizes(5, 5), [5]);
    assert_eq!(session_sizes(1, 5), [1]);
    assert!(session_sizes(0, 5).is_empty());
}

fn approved(id: &str, kinds: &[&str], region: &str) -> Outcome {
    Outcome {
        student_id: id.into(),
        stage: Stage::Elementary,
        rule: AccRule::Approved,
        sector: Sector::Hebrew,
        region_id: region.into(),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
    }
}

/// 11 approved students of one group are dealt contiguously by ID into 4, 4, 3; a
/// `separate_room` group sits one per session; another set of kinds, another group.
#[test]
fn eleven_students_and_separate_rooms() {
    let mut o: Vec<Outcome> = (0..11)
        .rev()
        .map(|k| approved(&format!("s{k:02}"), &["breaks", "extended_time"], "R1"))
        .collect();
    o.push(approved("r1", &["extended_time", "separate_room"], "R1"));
    o.push(approved("r2", &["extended_time", "separate_room"], "R1"));
    o.push(approved("t1", &["extended_time"], "R1"));
    o.push(approved("u1", &["breaks", "extended_time"], "R2"));
    let mut not = approved("x", &["breaks", "extended_time"], "R1");
    not.rule = AccRule::NotApproved;
    o.push(not);
    let seats = deal(5, &groups(&o));
    let of = |id: &str| seats.iter().find(|s| s.student_id == id).unwrap();
    let sessions: Vec<(usize, usize)> = (0..11)
        .map(|k| {
            let s = of(&format!("s{k:02}"));
            (s.session_no, s.session_size)
        })
        .collect();
    assert_eq!(
        sessions,
        [
            (1, 4),
            (1, 4),
            (1, 4),
            (1, 4),
            (2, 4),
            (2, 4),
            (2, 4),
            (2, 4),
            (3, 3),
            (3, 3),
            (3, 3)
        ]
    );
    assert_eq!(of("s00").group.accommodations, "breaks;extended_time");
    assert_eq!((of("r1").session_no, of("r1").session_size), (1, 1));
    assert_eq!((of("r2").session_no, of("r2").session_size), (2, 1));
    assert_eq!((of("t1").session_no, of("t1").session_size), (1, 1));
    assert_eq!(
        (of("u1").group.region_id.as_str(), of("u1").session_size),
        ("R2", 1)
    );
    assert!(seats.iter().all(|s| s.student_id != "x"));
    assert_eq!(seats.len(), 15);
}

fn accommodation(submitted_on: NaiveDate, decision: Committee) -> Accommodation {
    Accommodation {
        student_id: "1".into(),
        school_year: 2027,
        stage: Stage::Elementary,
        submitted_on,
        decision,
        kinds: vec!["aide".into()],
        exam_region_id: None,
    }
}

/// §6.1.ז: 31 December in time, 1 January deferred; §6.1.ט: rejected → regular session.
#[test]
fn accommodation_outcomes_in_order() {
    let deadline = ymd(2026, 12, 31);
    let rule = |d, c| accommodation::rule(deadline, &accommodation(d, c));
    assert_eq!(
        rule(ymd(2026, 12, 31), Committee::Approved),
        AccRule::Approved
    );
    assert_eq!(
        rule(ymd(2027, 1, 1), Committee::Approved),
        AccRule::AfterDeadline
    );
    assert_eq!(
        rule(ymd(2027, 1, 1), Committee::Rejected),
        AccRule::AfterDeadline
    );
    assert_eq!(
        rule(ymd(2026, 12, 1), Committee::Rejected),
        AccRule::NotApproved
    );
    assert_eq!(AccRule::AfterDeadline.decision(), "deferred_next_year");
    assert_eq!(AccRule::NotApproved.decision(), "regular_session");
    assert_eq!(AccRule::Approved.decision(), "adapted_session");
}

fn student(grade: i64, immigrated: Option<NaiveDate>, abroad: Option<i64>) -> Student {
    Student {
        student_id: "1".into(),
        first_name: "a".into(),
        last_name: "b".into(),
        school_year: 2027,
        birth_date: ymd(2013, 1, 1),
        gender: "f".into(),
        institution_id: "100001".into(),
        grade,
        immigration_date: immigrated,
        years_abroad: abroad,
    }
}

fn lang_request(stage: Stage, foreign: bool) -> LanguageRequest {
    LanguageRequest {
        student_id: "1".into(),
        school_year: 2027,
        stage,
        language: Language::Russian,
        submitted_on: ymd(2026, 11, 1),
        foreign_school_recent: foreign,
    }
}

/// §1.7.ב.1: a grade-8 student of 2027 was in grade 3 in 2022 (2021/22). Arriving on 1 July
/// 2021 they start in September 2021: grade 3, eligible; on 30 June 2021, grade 2, not.
#[test]
fn immigration_on_30_june_and_1_july_before_the_grade_3_year() {
    let p = params();
    assert_eq!(arrival_year(&p, ymd(2021, 7, 1)), 2022);
    assert_eq!(arrival_year(&p, ymd(2021, 6, 30)), 2021);
    assert_eq!(grade_at_immigration(&p, 8, 2027, ymd(2021, 7, 1)), 3);
    assert_eq!(grade_at_immigration(&p, 8, 2027, ymd(2021, 6, 30)), 2);
    let r = lang_request(Stage::Secondary, false);
    let d = ymd(2026, 12, 31);
    let july = student(8, Some(ymd(2021, 7, 1)), None);
    assert_eq!(language::rule(&p, d, &r, &july), LangRule::NewImmigrant);
    let june = student(8, Some(ymd(2021, 6, 30)), None);
    assert_eq!(language::rule(&p, d, &r, &june), LangRule::NoGround);
    // Elementary: pre-compulsory kindergarten (grade −1) and older. A grade-3 student of 2027
    // was in grade −1 in 2023: arriving in August 2022 counts, in June 2022 does not.
    let e = lang_request(Stage::Elementary, false);
    let aug = student(3, Some(ymd(2022, 8, 1)), None);
    assert_eq!(language::rule(&p, d, &e, &aug), LangRule::NewImmigrant);
    let jun = student(3, Some(ymd(2022, 6, 1)), None);
    assert_eq!(language::rule(&p, d, &e, &jun), LangRule::NoGround);
}

/// §1.7.א.2: four consecutive years abroad qualify, three do not; then the foreign school.
#[test]
fn three_and_four_years_abroad_then_the_foreign_school() {
    let p = params();
    let d = ymd(2026, 12, 31);
    let r = lang_request(Stage::Elementary, false);
    assert_eq!(
        language::rule(&p, d, &r, &student(4, None, Some(4))),
        LangRule::ReturningResident
    );
    assert_eq!(
        language::rule(&p, d, &r, &student(4, None, Some(3))),
        LangRule::NoGround
    );
    let f = lang_request(Stage::Elementary, true);
    assert_eq!(
        language::rule(&p, d, &f, &student(4, None, Some(3))),
        LangRule::ForeignSchool
    );
    let mut late = lang_request(Stage::Elementary, true);
    late.submitted_on = ymd(2027, 1, 1);
    assert_eq!(
        language::rule(&p, d, &late, &student(4, None, Some(9))),
        LangRule::AfterDeadline
    );
    assert_eq!(LangRule::ForeignSchool.decision(), "eligible");
    assert_eq!(LangRule::NoGround.decision(), "not_eligible");
}

fn institution(participating: bool) -> Institution {
    Institution {
        name: "School".into(),
        sector: Sector::Hebrew,
        region_id: "R1".into(),
        participating,
    }
}

/// The whole job on a few rows: a non-participating institution answered first.
#[test]
fn every_request_gets_one_decision_and_non_participants_are_answered() {
    let mut s2 = student(3, None, Some(5));
    s2.student_id = "2".into();
    s2.institution_id = "200002".into();
    let read = Read {
        roster: Roster::of(
            vec![student(3, None, Some(5)), s2],
            vec![
                ("100001".into(), institution(true)),
                ("200002".into(), institution(false)),
            ],
        ),
        accommodations: vec![accommodation(ymd(2026, 12, 1), Committee::Approved), {
            let mut a = accommodation(ymd(2026, 12, 1), Committee::Approved);
            a.student_id = "2".into();
            a
        }],
        language: vec![lang_request(Stage::Elementary, false), {
            let mut r = lang_request(Stage::Elementary, false);
            r.student_id = "2".into();
            r
        }],
        has_accommodations: true,
        has_language: true,
    };
    let d = decide(&params(), &read).unwrap();
    let acc: Vec<AccRule> = d.outcomes.iter().map(|o| o.rule).collect();
    assert_eq!(
        acc,
        [AccRule::Approved, AccRule::InstitutionNotParticipating]
    );
    assert_eq!(d.seats.len(), 1);
    let lang: Vec<LangRule> = d.language.iter().map(|l| l.rule).collect();
    assert_eq!(
        lang,
        [
            LangRule::ReturningResident,
            LangRule::InstitutionNotParticipating
        ]
    );
}

proptest! {
    /// §6.1.יד.1: a group's sessions hold every student once, never exceed the size, and
    /// differ by at most one.
    #[test]
    fn sessions_never_exceed_the_size_and_differ_by_at_most_one(n in 0usize..200, size in 1usize..12) {
        let sizes = session_sizes(n, size);
        prop_assert_eq!(sizes.iter().sum::<usize>(), n);
        prop_assert_eq!(sizes.len(), n.div_ceil(size));
        if let (Some(max), Some(min)) = (sizes.iter().max(), sizes.iter().min()) {
            prop_assert!(*max <= size);
            prop_assert!(max - min <= 1);
        }
    }

    /// Every approved student gets exactly one seat; sessions within a group are numbered
    /// 1..s with the sizes they say.
    #[test]
    fn every_approved_student_gets_one_seat(
        rows in proptest::collection::vec((0u8..3, 0u8..3, any::<bool>(), any::<bool>()), 0..60)
    ) {
        let kinds = [vec!["aide"], vec!["breaks", "extended_time"], vec!["separate_room"]];
        let outcomes: Vec<Outcome> = rows.iter().enumerate().map(|(k, (kind, region, ok, sec))| {
            let mut o = approved(&format!("{k:09}"), &kinds[*kind as usize], &format!("R{region}"));
            if !ok { o.rule = AccRule::NotApproved; }
            if *sec { o.stage = Stage::Secondary; }
            o
        }).collect();
        let seats = deal(5, &groups(&outcomes));
        let approved_n = rows.iter().filter(|r| r.2).count();
        prop_assert_eq!(seats.len(), approved_n);
        let mut per: std::collections::BTreeMap<_, Vec<usize>> = std::collections::BTreeMap::new();
        for s in &seats {
            prop_assert!(s.session_size <= 5);
            if s.group.separate_room() { prop_assert_eq!(s.session_size, 1); }
            per.entry((s.group.clone(), s.session_no)).or_default().push(s.session_size);
        }
        for v in per.values() {
            prop_assert!(v.iter().all(|&x| x == v.len()));
        }
    }
}
