use super::guardians::Requested;
use super::*;
use crate::jobs::gifted::Sector;
use chrono::NaiveDate;
use std::collections::HashSet;

pub(crate) fn student(id: &str, institution: &str, year: i64, grade: i64) -> Student {
    Student {
        student_id: id.to_string(),
        first_name: "Noa".into(),
        last_name: "Levi".into(),
        school_year: year,
        birth_date: NaiveDate::from_ymd_opt(year as i32 - 10, 3, 1).unwrap(),
        gender: "f".into(),
        institution_id: institution.to_string(),
        grade,
        immigration_date: None,
        years_abroad: None,
    }
}

pub(crate) fn institution(sector: Sector, participating: bool) -> Institution {
    Institution {
        name: "School".into(),
        sector,
        region_id: "north".into(),
        participating,
    }
}

/// gifted.md §6: another school year is an exclusion first; then a non-participating
/// institution answers the request before any other rule.
#[test]
fn a_rows_standing_comes_before_its_rules() {
    let roster = Roster::of(
        vec![student("1", "A", 2027, 3), student("2", "B", 2027, 3)],
        vec![
            ("A".into(), institution(Sector::Hebrew, true)),
            ("B".into(), institution(Sector::Hebrew, false)),
        ],
    );
    assert!(matches!(
        standing(&roster, "1", 2027),
        Some(Standing::Open(..))
    ));
    assert_eq!(
        standing(&roster, "1", 2026),
        Some(Standing::OtherSchoolYear)
    );
    assert!(matches!(
        standing(&roster, "2", 2027),
        Some(Standing::NotParticipating(..))
    ));
    assert_eq!(
        standing(&roster, "2", 2026),
        Some(Standing::OtherSchoolYear)
    );
    assert_eq!(standing(&roster, "3", 2027), None);
    let e = other_year("retest_requests", 4, "1");
    assert_eq!((e.row_number, e.reason.as_str()), (4, "other_school_year"));
}

/// Contacts: 900 is the legal guardian of 1 and 2; 901 of 1 only; 902 is a contact of 1 who
/// is not a legal guardian (left out before the pairs).
fn guardians() -> Guardians {
    let pairs = [("1", "900"), ("2", "900"), ("1", "901"), ("5", "903")];
    let named: HashSet<&str> = ["1"].into();
    Guardians::of_pairs(pairs, &named)
}

#[test]
fn guardians_and_their_other_children() {
    let g = guardians();
    assert!(g.is_guardian("1", "900") && g.is_guardian("1", "901"));
    assert!(!g.is_guardian("1", "902") && !g.is_guardian("1", "903"));
    assert_eq!(g.siblings("1").into_iter().collect::<Vec<_>>(), ["2"]);
    let mut all: Vec<&str> = g.all_students().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all, ["1", "2"]);
}

/// Source 001: the requester must be a legal guardian of the student; an empty one is not.
#[test]
fn a_request_by_anyone_but_a_legal_guardian_is_rejected() {
    let g = guardians();
    let rows = [
        Requested {
            row_number: 1,
            student_id: "1",
            submitted_by: Some("900"),
        },
        Requested {
            row_number: 2,
            student_id: "1",
            submitted_by: Some("902"),
        },
        Requested {
            row_number: 3,
            student_id: "1",
            submitted_by: None,
        },
        Requested {
            row_number: 4,
            student_id: "2",
            submitted_by: Some("901"),
        },
    ];
    let r = requester_rejects("retest_requests", &rows, &g);
    assert_eq!(
        r.iter().map(|r| r.row_number).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert!(r.iter().all(|r| r.rule == "requester_not_guardian"));
    assert!(r[0]
        .message
        .contains("902 is not a legal guardian of student 1"));
    assert!(r[1].message.contains("empty"));
}

/// Source 001: a table without `submitted_by` (or with the column empty throughout, which a
/// CSV file cannot tell apart) is not checked, even without contacts; a table with it needs
/// contacts, and then a guardian's ID is accepted and any other ID rejected.
#[test]
fn only_a_table_with_submitted_by_is_checked() {
    let without = [
        Requested {
            row_number: 1,
            student_id: "1",
            submitted_by: None,
        },
        Requested {
            row_number: 2,
            student_id: "2",
            submitted_by: None,
        },
    ];
    assert!(check_requesters("retest_requests", &without, None)
        .unwrap()
        .is_empty());
    assert!(
        check_requesters("retest_requests", &without, Some(&guardians()))
            .unwrap()
            .is_empty()
    );
    let with = [
        Requested {
            row_number: 1,
            student_id: "1",
            submitted_by: Some("901"),
        },
        Requested {
            row_number: 2,
            student_id: "1",
            submitted_by: Some("903"),
        },
    ];
    let e = check_requesters("absence_notices", &with, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("absence_notices has a submitted_by column"),
        "{e}"
    );
    let r = check_requesters("absence_notices", &with, Some(&guardians())).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].table.as_str(), r[0].row_number, r[0].column.as_str()),
        ("absence_notices", 2, "submitted_by")
    );
    assert_eq!(r[0].value, "903");
}

/// data-contract.md "Reference tables read for the named IDs", worked by hand: student 1 is
/// named; 900 is a legal guardian of 1 and of 2; 901 is a contact of 1 who is not a legal
/// guardian (so 3, another child of 901's, is not read); 902 is a guardian of 4 only.
#[test]
fn the_roster_is_read_for_the_named_students_and_their_guardians_other_children() {
    use crate::rules::digit_key::key_of;
    use crate::table::select::IdColumn;
    use roster::{pick, ContactIds};
    // Keys of 9-digit IDs, as the probe holds them.
    let k = |n: u64| key_of(9, n);
    let rows: [(u64, u64, Option<bool>); 5] = [
        (1, 900, Some(true)),
        (2, 900, Some(true)),
        (1, 901, Some(false)),
        (3, 901, Some(true)),
        (4, 902, Some(true)),
    ];
    let student: IdColumn = rows.iter().map(|r| Some(k(r.0))).collect();
    let contact: IdColumn = rows.iter().map(|r| Some(k(r.1))).collect();
    let guardian: Vec<Option<bool>> = rows.iter().map(|r| r.2).collect();
    let contacts = ContactIds {
        student: &student,
        contact: &contact,
        guardian: &guardian,
    };
    let s = pick([k(1)].into_iter().collect(), Some(contacts));
    let ids = |t: &str, c: &str| -> Vec<u64> {
        let p = &s[t];
        assert_eq!(p.read_for, "students named by the requests");
        let mut v: Vec<u64> =
            p.by.iter()
                .filter(|(col, _)| *col == c)
                .flat_map(|(_, ids)| ids.keys().iter().copied())
                .collect();
        v.sort_unstable();
        v
    };
    // contacts: the rows of student 1 (900, 901) and every row of guardian 900 (student 2).
    assert_eq!(ids("contacts", "student_id"), [k(1)]);
    assert_eq!(ids("contacts", "contact_id"), [k(900)]);
    assert_eq!(ids("students", "student_id"), [k(1), k(2)]);
    assert_eq!(ids("contact_details", "contact_id"), [k(900), k(901)]);
    // Without contacts: the named students only, and no contact's details.
    let s = pick([k(5), k(1)].into_iter().collect(), None);
    assert!(!s.contains_key("contacts"));
    assert_eq!(s["students"].by[0].1.keys(), [k(1), k(5)]);
    assert!(s["contact_details"].by[0].1.keys().is_empty());
}

/// A request row for [`sort_requests`]: `bad` stands for a failed check of the job's own.
struct TestRow<'a> {
    student_id: &'a str,
    submitted_by: Option<&'a str>,
    school_year: i64,
    bad: bool,
}

request_row!(TestRow);

fn test_row(
    student_id: &'static str,
    by: &'static str,
    school_year: i64,
    bad: bool,
) -> TestRow<'static> {
    TestRow {
        student_id,
        submitted_by: Some(by),
        school_year,
        bad,
    }
}

/// gifted.md §6 and source 001, in the order every request job applies them: the job's own
/// checks, then the requester (a row failing both gets both rejects), then another school
/// year (an exclusion, for a row that passed both), and a student of an institution that does
/// not take part is kept for the job to answer. Data rows are numbered as read (10, 11, …).
#[test]
fn request_rows_are_sorted_checks_then_requester_then_school_year() {
    let roster = Roster::of(
        vec![student("1", "A", 2027, 3), student("2", "B", 2027, 3)],
        vec![
            ("A".into(), institution(Sector::Hebrew, true)),
            ("B".into(), institution(Sector::Hebrew, false)),
        ],
    );
    let rows = [
        test_row("1", "900", 2027, false), // 10: kept
        test_row("1", "902", 2027, false), // 11: requester
        test_row("1", "902", 2027, true),  // 12: own check and requester
        test_row("1", "901", 2026, false), // 13: another year
        test_row("2", "900", 2027, false), // 14: kept (not participating)
        test_row("1", "900", 2026, true),  // 15: own check, not excluded as well
    ];
    let numbers: Vec<u64> = (10..16).collect();
    let make = |r: &TestRow, n: u64, rejects: &mut Vec<Reject>| {
        if r.bad {
            rejects.push(Reject::new(
                "t",
                n as usize - 1,
                "c",
                "v",
                "own_rule",
                "own",
            ));
            return None;
        }
        Some(n)
    };
    // 900 is a legal guardian of 1 and 2, 901 of 1; 902 of neither.
    let named: HashSet<&str> = ["1", "2"].into();
    let g = Guardians::of_pairs([("1", "900"), ("2", "900"), ("1", "901")], &named);
    let sorted = sort_requests("t", &rows, &numbers, &roster, Some(&g), make).unwrap();
    assert_eq!(sorted.rows, [10, 14]);
    let mut rejects: Vec<(u64, &str)> = (sorted.rejects.iter())
        .map(|r| (r.row_number, r.rule.as_str()))
        .collect();
    rejects.sort();
    assert_eq!(
        rejects,
        [
            (11, "requester_not_guardian"),
            (12, "own_rule"),
            (12, "requester_not_guardian"),
            (15, "own_rule"),
        ]
    );
    let excluded: Vec<(u64, &str)> = (sorted.excluded.iter())
        .map(|e| (e.row_number, e.reason.as_str()))
        .collect();
    assert_eq!(excluded, [(13, "other_school_year")]);

    // Without `submitted_by` no requester is checked, and no contacts are needed.
    let unsigned = [TestRow {
        submitted_by: None,
        ..test_row("1", "", 2027, false)
    }];
    let sorted = sort_requests("t", &unsigned, &[2], &roster, None, make).unwrap();
    assert_eq!((sorted.rows, sorted.rejects.len()), (vec![2], 0));

    // A student the roster lacks is an error (validation rejects such rows first).
    let unknown = [TestRow {
        student_id: "3",
        ..unsigned[0]
    }];
    let e = sort_requests("t", &unknown, &[2], &roster, None, make).unwrap_err();
    assert!(
        e.to_string().contains("student 3 is not in the roster"),
        "{e}"
    );
}
