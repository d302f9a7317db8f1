//! The lists for people (per school, per track, per center): which rows each gets and in
//! which order (0207 §2.4.ד, §2.6.ג; gifted.md §4). Their bytes are `output::rows::csv_list`'s.
use super::enrichment::{EnrichmentGroupRow, EnrichmentOutput, Program};
use super::identification::outputs::{per_school, reached, school_list_rows};
use super::identification::{IdentificationOutput, StudentResult};
use super::placement::{
    center_lists, track_lists, Gender, Invitation, Placement, PlacementOutput, PlacementStatus,
    TrackListRow, WaitReason, WaitlistRow,
};
use super::roster::{Institution, Roster, Student};
use super::screening::outputs::{school_invitation_lists, SchoolInvitationRow};
use super::screening::Invitation as StageBInvitation;
use super::{Category, Sector};

/// Students 1–4: 1 and 3 at school S2, 2 and 4 at school S1 (4 is not in the roster).
fn roster() -> Roster {
    let st = |id: &str, inst: &str, first: &str| Student {
        student_id: id.into(),
        institution_id: inst.into(),
        first_name: first.into(),
        last_name: "כהן".into(),
        class_id: format!("{inst}-1").as_str().into(),
        grade: 3,
        ..Student::default()
    };
    let inst = |name: &str| Institution {
        name: name.into(),
        authority_id: String::new(),
        region_id: String::new(),
        sector: Sector::Hebrew,
        participation: Ok(()),
    };
    Roster::of(
        vec![
            st("000000034", "S2", "=דנה"),
            st("000000018", "S2", "נועה"),
            st("000000026", "S1", "רון"),
        ],
        [
            ("S1".to_string(), inst("אלון")),
            ("S2".to_string(), inst("ברוש")),
        ]
        .into_iter()
        .collect(),
    )
}

#[test]
fn each_school_gets_its_invited_students_in_id_order_and_schools_come_in_id_order() {
    let r = roster();
    let inv = |id: &str, inst: &str| StageBInvitation {
        student_id: id.into(),
        institution_id: inst.into(),
        class_id: "from-the-invitation".into(),
        grade: 2,
        sector: Sector::Hebrew,
        reasons: Default::default(),
    };
    // The invitations are in student_id order; 000000042 is not in the roster.
    let invitations = [
        inv("000000018", "S2"),
        inv("000000026", "S1"),
        inv("000000034", "S2"),
        inv("000000042", "S1"),
    ];
    let lists = school_invitation_lists(&r, &invitations);
    let ids: Vec<(&str, Vec<&str>)> = lists
        .iter()
        .map(|(s, rows)| (*s, rows.iter().map(|x| x.student_id).collect()))
        .collect();
    assert_eq!(
        ids,
        [
            ("S1", vec!["000000026", "000000042"]),
            ("S2", vec!["000000018", "000000034"])
        ]
    );
    // Names and class from the roster, the grade from the invitation; a student the
    // roster lacks keeps the row, without a name.
    assert_eq!(
        lists[0].1,
        [
            SchoolInvitationRow {
                student_id: "000000026",
                first_name: "רון",
                last_name: "כהן",
                class_id: "S1-1",
                grade: 2,
            },
            SchoolInvitationRow {
                student_id: "000000042",
                first_name: "",
                last_name: "",
                class_id: "",
                grade: 2,
            }
        ]
    );
}

#[test]
fn the_school_lists_hold_the_gifted_and_excellent_by_school_then_id() {
    let r = roster();
    let result = |id: &str, category| StudentResult {
        student_id: id.into(),
        school_year: 2027,
        norm_group: "g".into(),
        subtests: Vec::new(),
        composite: None,
        category,
    };
    let o = IdentificationOutput {
        results: vec![
            result("000000018", Category::Excellent),
            result("000000026", Category::Gifted),
            result("000000034", Category::NotEligible),
            result("000000042", Category::Gifted),
        ],
        ..IdentificationOutput::default()
    };
    let reached = reached(&r, &o);
    let rows = school_list_rows(&r, &reached);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|x| {
            (
                x.institution_id,
                x.institution_name,
                x.student_id,
                x.program,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("S1", "אלון", "000000026", "gifted"),
            ("S2", "ברוש", "000000018", "excellent"),
        ]
    );
    let schools: Vec<usize> = per_school(&rows).map(<[_]>::len).collect();
    assert_eq!(schools, [1, 1]);
}

#[test]
fn a_track_lists_its_placed_invited_and_waitlisted_by_id_and_a_center_its_groups() {
    let r = roster();
    let o = PlacementOutput {
        placements: vec![Placement {
            student_id: "000000034".into(),
            school_year: 2027,
            track_id: "T2".into(),
            class_no: 2,
            gender: Gender::Female,
            status: PlacementStatus::Final,
        }],
        invitations: vec![Invitation {
            student_id: "000000018".into(),
            track_id: "T2".into(),
            gender: Gender::Female,
        }],
        waitlist: vec![WaitlistRow {
            student_id: "000000026".into(),
            track_id: "T1".into(),
            reason: WaitReason::NoShow,
        }],
        ..PlacementOutput::default()
    };
    let lists = track_lists(&r, &o);
    let row = |id, first, inst, status, class_no| TrackListRow {
        student_id: id,
        first_name: first,
        last_name: "כהן",
        institution_id: inst,
        status,
        class_no,
    };
    assert_eq!(
        lists,
        [
            ("T1", vec![row("000000026", "רון", "S1", "no_show", None)]),
            (
                "T2",
                vec![
                    row("000000018", "נועה", "S2", "invited_to_interview", None),
                    row("000000034", "=דנה", "S2", "final", Some(2)),
                ]
            ),
        ]
    );
    let group = |id: &str, center: &str| EnrichmentGroupRow {
        student_id: id.into(),
        center_id: center.into(),
        program: Program::Excellent,
        grade: 3,
        group_no: 1,
        institution_id: "not-the-roster's".into(),
    };
    let e = EnrichmentOutput {
        groups: vec![
            group("000000034", "C2"),
            group("000000018", "C1"),
            group("000000026", "C2"),
        ],
        ..EnrichmentOutput::default()
    };
    let centers = center_lists(&r, &e);
    type Members<'a> = Vec<(&'a str, &'a str, &'a str)>;
    let got: Vec<(&str, Members)> = centers
        .iter()
        .map(|(c, rows)| {
            let rows = rows
                .iter()
                .map(|x| (x.student_id, x.institution_id, x.program))
                .collect();
            (*c, rows)
        })
        .collect();
    assert_eq!(
        got,
        [
            ("C1", vec![("000000018", "S2", "excellent")]),
            (
                "C2",
                vec![
                    ("000000034", "S2", "excellent"),
                    ("000000026", "S1", "excellent")
                ]
            ),
        ]
    );
}
