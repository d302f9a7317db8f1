//! Every output table of gifted-elementary built from one row of its typed row struct, through
//! `output::rows` and the table's schema: a field the schema does not list, a schema column
//! without a field, a field out of order or of a type its column cannot hold fails here, for
//! every table at once (data-contract.md "Output tables").
use super::enrichment::{EnrichmentGroupRow, Program, UnservedReason, UnservedRow};
use super::exclusions::ExclusionReason;
use super::identification::outputs::{
    CutoffRow, NormTableOutRow, ProgramListRow, ResultTableRow, SchoolListRow,
};
use super::identification::{GroupCutoffs, StudentResult, SubtestCutoff, SubtestResult};
use super::norms::NormRow;
use super::placement::{
    Assignment, AuditRow, AuditTableRow, Gender, InterviewOutcome, Invitation, ListKind,
    NotCandidateReason, Outcome, Placement, PlacementStatus, RequestOutcomeRow, Rule, TrackSeats,
    WaitReason, WaitlistRow,
};
use super::screening::outputs::{PendingReferralRow, StageBInvitationRow};
use super::screening::{
    IgnoredStageA, Invitation as StageBInvitation, OutsideReason, ReferralDecision, ReferralKind,
    ReferralReason, ScreeningOutput, UnitSummary, UnusedReferral,
};
use super::{Category, Sector};
use crate::output::rows::Layout;
use crate::rules::fraction::Ratio;
use polars::prelude::*;
use serde::Serialize;

const SUBTESTS: [&str; 3] = ["math", "verbal", "figural"];

/// The tables whose `school_year` the run fills (`output::rows::table_in_year`).
const IN_YEAR: [&str; 7] = [
    "program_lists",
    "interview_invitations",
    "waitlist",
    "request_outcomes",
    "enrichment_groups",
    "unserved",
    "audit",
];

/// The frame of `rows` as table `stem` writes it, checked to have the layout's columns.
fn built<T: Serialize>(stem: &str, rows: &[T]) -> DataFrame {
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let mut layout = Layout::of(name).unwrap().with_subtests(&SUBTESTS);
    if IN_YEAR.contains(&name) {
        layout = layout.in_year(2027);
    }
    let df = layout.frame(rows).unwrap_or_else(|e| panic!("{stem}: {e}"));
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, layout.names(), "{stem}");
    assert_eq!(df.height(), rows.len(), "{stem}");
    df
}

fn cell(df: &DataFrame, column: &str) -> String {
    df.column(column)
        .unwrap()
        .get(0)
        .unwrap()
        .str_value()
        .to_string()
}

fn screening_output() -> ScreeningOutput {
    ScreeningOutput {
        invitations: vec![StageBInvitation {
            student_id: "000000018".into(),
            institution_id: "100001".into(),
            class_id: "100001-1".into(),
            grade: 2,
            sector: Sector::Arabic,
            reasons: [ReferralReason::Score, ReferralReason::Appeal].into(),
        }],
        unused_referrals: vec![UnusedReferral {
            student_id: "000000026".into(),
            kind: ReferralKind::Appeal,
            decision: ReferralDecision::Approved,
            reason: OutsideReason::StudentNotFound,
        }],
        ignored_stage_a: vec![IgnoredStageA {
            student_id: "000000026".into(),
            reason: OutsideReason::GradeNotTested,
        }],
        units: vec![UnitSummary {
            institution_id: "100001".into(),
            unit: "100001-1".into(),
            n_tested: 20,
            k: 3,
            boundary_score: Some(41),
            n_referred_by_score: 3,
        }],
        ..ScreeningOutput::default()
    }
}

#[test]
fn every_screening_table_is_built_from_its_rows_through_its_schema() {
    let o = screening_output();
    let df = built(
        "stage_b_invitations",
        &[StageBInvitationRow::new(&o.invitations[0], 2027, "north")],
    );
    // A list column: its values, from the row's `;`-joined text.
    let reasons = df
        .column("reasons")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(0);
    let reasons: Vec<_> = reasons.as_ref().unwrap().str().unwrap().iter().collect();
    assert_eq!(reasons, [Some("score"), Some("appeal")]);
    assert_eq!(cell(&df, "sector"), "arabic");
    assert_eq!(cell(&df, "school_year"), "2027");
    let df = built(
        "pending_referrals",
        &[PendingReferralRow {
            student_id: "000000018",
            school_year: 2027,
            institution_id: "100001",
            kind: ReferralKind::Principal,
        }],
    );
    assert_eq!(cell(&df, "kind"), "principal");
    let excluded = [ExclusionReason::GradeNotTested.of_row("stage_a_scores", 7, "000000026")];
    let df = built("exclusions", &excluded);
    assert_eq!(cell(&df, "reason"), "grade_not_tested");
    let df = built("confidential/screening_units", &o.units);
    assert_eq!(cell(&df, "boundary_score"), "41");
}

#[test]
fn every_identification_table_is_built_from_its_rows_through_its_schema() {
    let norm = NormRow {
        norm_group: "2027/2".into(),
        subtest: "math".into(),
        raw_score: 30,
        n_at_score: 2,
        n_below: 97,
        percentile: Ratio::new(196, 2),
    };
    let df = built("confidential/norm_table", &[NormTableOutRow::from(&norm)]);
    assert_eq!(cell(&df, "percentile_num"), "98");
    assert_eq!(cell(&df, "percentile_den"), "1");

    let result = StudentResult {
        student_id: "000000018".into(),
        school_year: 2027,
        norm_group: "2027/2".into(),
        subtests: vec![SubtestResult {
            subtest: "math".into(),
            status: None,
            percentile: Some(Ratio::new(195, 2)),
        }],
        composite: Some(Ratio::new(295, 3)),
        category: Category::Gifted,
    };
    let student = crate::jobs::gifted::roster::Student {
        grade: 2,
        institution_id: "100001".into(),
        ..Default::default()
    };
    let institution = crate::jobs::gifted::roster::Institution {
        name: "אלון".into(),
        authority_id: "A7".into(),
        region_id: "R1".into(),
        sector: crate::jobs::gifted::Sector::Arabic,
        participation: Ok(()),
    };
    let df = built(
        "confidential/results",
        &[ResultTableRow::new(
            &result,
            Some((&student, &institution)),
            SUBTESTS.len(),
        )],
    );
    assert_eq!(cell(&df, "grade"), "2");
    assert_eq!(cell(&df, "institution_id"), "100001");
    assert_eq!(cell(&df, "authority_id"), "A7");
    assert_eq!(cell(&df, "sector"), "arabic");
    assert_eq!(cell(&df, "math_percentile"), "97.5");
    assert_eq!(cell(&df, "verbal_percentile"), "null");
    assert_eq!(cell(&df, "composite_num"), "295");
    assert_eq!(cell(&df, "category"), "gifted");

    let cutoffs = GroupCutoffs {
        norm_group: "2027/2".into(),
        n_population: 120,
        n_tested: 100,
        n_gifted: 3,
        n_excellent: 8,
        subtests: vec![SubtestCutoff {
            subtest: "math".into(),
            n_tested: 100,
            gifted_raw: Some(38),
            excellent_raw: None,
        }],
    };
    let df = built("cutoffs", &[CutoffRow::new(&cutoffs, SUBTESTS.len())]);
    assert_eq!(cell(&df, "math_gifted_raw"), "38");
    assert_eq!(cell(&df, "figural_n_tested"), "null");

    let df = built(
        "school_lists",
        &[SchoolListRow {
            institution_id: "100001",
            institution_name: "אלון",
            student_id: "000000018",
            school_year: 2027,
            first_name: "נועה",
            last_name: "כהן",
            class_id: "100001-1",
            grade: 2,
            category: "gifted",
            program: "gifted",
        }],
    );
    assert_eq!(cell(&df, "institution_name"), "אלון");
    let df = built(
        "program_lists",
        &[ProgramListRow {
            center_id: None,
            center_name: None,
            residence_authority_id: "A1",
            program: "excellent",
            student_id: "000000018",
            first_name: "נועה",
            last_name: "כהן",
            institution_id: "100001",
            grade: 2,
        }],
    );
    assert_eq!(cell(&df, "center_id"), "null");
}

#[test]
fn every_placement_table_is_built_from_its_rows_through_its_schema() {
    let df = built(
        "interview_invitations",
        &[Invitation {
            student_id: "000000018".into(),
            track_id: "T1".into(),
            gender: Gender::Female,
        }],
    );
    assert_eq!(cell(&df, "gender"), "f");
    let df = built(
        "placements",
        &[Placement {
            student_id: "000000018".into(),
            school_year: 2027,
            track_id: "T1".into(),
            class_no: 2,
            gender: Gender::Male,
            status: PlacementStatus::Provisional,
        }],
    );
    assert_eq!(cell(&df, "class_no"), "2");
    assert_eq!(cell(&df, "status"), "provisional");
    let df = built(
        "waitlist",
        &[WaitlistRow {
            student_id: "000000018".into(),
            track_id: "T1".into(),
            reason: WaitReason::NoShow,
        }],
    );
    assert_eq!(cell(&df, "reason"), "no_show");
    assert_eq!(cell(&df, "school_year"), "2027");
    assert_eq!(df.column("school_year").unwrap().dtype(), &DataType::Int64);
    let df = built(
        "request_outcomes",
        &[RequestOutcomeRow::not_candidate(
            "000000018",
            "T1",
            NotCandidateReason::RoutingUndecided,
        )],
    );
    assert_eq!(cell(&df, "reason"), "routing_undecided");
    assert_eq!(cell(&df, "outcome"), "not_candidate");
    let df = built(
        "enrichment_groups",
        &[EnrichmentGroupRow {
            student_id: "000000018".into(),
            center_id: "C1".into(),
            program: Program::Excellent,
            grade: 2,
            group_no: 1,
            institution_id: "100001".into(),
        }],
    );
    assert_eq!(cell(&df, "program"), "excellent");
    let df = built(
        "unserved",
        &[UnservedRow {
            student_id: "000000018".into(),
            reason: UnservedReason::NoCenterForAuthority,
            program: Program::Gifted,
            residence_authority_id: "A1".into(),
        }],
    );
    assert_eq!(cell(&df, "reason"), "no_center_for_authority");
    let seats = TrackSeats {
        track_id: "T1".into(),
        grade: 3,
        authority_id: "A1".into(),
        institution_id: "100001".into(),
        n_classes: 1,
        capacity_per_class: 26,
        continuing_boys: 0,
        continuing_girls: 1,
        seats: 25,
        girls_seats: 12,
        boys_seats: 13,
        merged_seats: 0,
        candidates: 30,
        placed_final: 20,
        placed_provisional: 5,
        invited: 2,
        waitlisted: 3,
    };
    let df = built("placement_tracks", &[seats]);
    assert_eq!(cell(&df, "waitlisted"), "3");
    let audit = AuditRow {
        student_id: "000000018".into(),
        track_id: "T1".into(),
        requested_track_id: "T2".into(),
        gender: Some(Gender::Female),
        category: Some(Category::Gifted),
        resident: Some(false),
        assignment: Some(Assignment::NonResidentApproved),
        list: Some(ListKind::Girls),
        rank: Some(4),
        list_seats: Some(12),
        committed_before: Some(3),
        lottery_number: Some(18_446_744_073_709_551_615),
        composite: Some(Ratio::new(295, 3)),
        interview: Some(InterviewOutcome::NoShow),
        outcome: Outcome::Waitlisted(WaitReason::NoShow),
        rule: Rule::InterviewNoShow,
        detail: "no show".into(),
    };
    let df = built("confidential/audit", &[AuditTableRow::from(&audit)]);
    for (column, value) in [
        ("resident", "false"),
        ("assignment", "non_resident_approved"),
        ("list", "girls"),
        ("lottery_number", "18446744073709551615"),
        ("composite_num", "295"),
        ("composite_den", "3"),
        ("interview", "no_show"),
        ("outcome", "waitlisted"),
        ("rule", "interview_no_show"),
    ] {
        assert_eq!(cell(&df, column), value, "{column}");
    }
}
