//! Output rows of the placement phase (data-contract.md `interview_invitations`,
//! `placements`, `waitlist`; `confidential/audit`) and its errors.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use super::{Category, Gender, InterviewOutcome, TrackViolation};
use crate::rules::fraction::Ratio;

crate::jobs::serialize_as_str!(
    PlacementStatus,
    WaitReason,
    RequestOutcome,
    NotCandidateReason,
    ListKind,
    Assignment,
    Outcome,
    Rule
);

/// A row of `interview_invitations` (pending: no outcome yet).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Invitation {
    pub student_id: String,
    pub track_id: String,
    pub gender: Gender,
}

/// `placements.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlacementStatus {
    /// The student's list has no pending invitation.
    Final,
    Provisional,
}

impl PlacementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlacementStatus::Final => "final",
            PlacementStatus::Provisional => "provisional",
        }
    }
}

/// A row of `placements`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Placement {
    pub student_id: String,
    /// The results' school year (the year of the class requests).
    pub school_year: i64,
    pub track_id: String,
    /// 1, or 2 in a track with two classes.
    pub class_no: u8,
    pub gender: Gender,
    pub status: PlacementStatus,
}

/// `waitlist.reason`: why a candidate of a track is neither placed nor invited (gifted.md
/// §4). The waitlist holds candidates only: a request that makes no candidate is answered in
/// `request_outcomes` ([`NotCandidateReason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaitReason {
    /// Every seat of the lists the student was in is committed to higher-ranked candidates:
    /// can get a seat that frees up.
    NoSeat,
    /// Failed the interview: only after a later `passed` interview.
    Failed,
    NoShow,
}

impl WaitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::NoSeat => "no_seat",
            WaitReason::Failed => "failed",
            WaitReason::NoShow => "no_show",
        }
    }
}

/// `request_outcomes.outcome`: whether a class request made its student a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestOutcome {
    Candidate,
    NotCandidate,
    /// The student is in `confirmed_placements`: their final placement stands.
    Confirmed,
}

impl RequestOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::Candidate => "candidate",
            RequestOutcome::NotCandidate => "not_candidate",
            RequestOutcome::Confirmed => "confirmed",
        }
    }
}

/// `request_outcomes.reason`: why a class request makes no candidate (gifted.md §4). It is
/// what the family's letter and an appeal rest on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotCandidateReason {
    /// Category is not `gifted`, or no identification result (0207 §2.2.א).
    NotGifted,
    /// The requested track is not of the student's entry grade (their grade + 1).
    WrongGrade,
    /// A non-resident asking for a track in its first year (0207 §2.8.ג.4).
    NonResidentFirstYear,
    /// A non-resident without the approval of both authorities (0207 §2.8.ג.4).
    NonResidentNoApproval,
    /// No track of the student's entry grade in their authority, and the request names none
    /// they may use.
    NoTrack,
    /// Several tracks in the authority, and neither the registration zone nor the request
    /// picks one (0207 §2.8.ג.3): the authority decides.
    RoutingUndecided,
    /// The student's institution does not take part (gifted.md §1).
    InstitutionNotParticipating,
}

impl NotCandidateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            NotCandidateReason::NotGifted => "not_gifted",
            NotCandidateReason::WrongGrade => "wrong_grade",
            NotCandidateReason::NonResidentFirstYear => "non_resident_first_year",
            NotCandidateReason::NonResidentNoApproval => "non_resident_no_approval",
            NotCandidateReason::NoTrack => "no_track",
            NotCandidateReason::RoutingUndecided => "routing_undecided",
            NotCandidateReason::InstitutionNotParticipating => "institution_not_participating",
        }
    }
}

/// A row of `request_outcomes`: one per accepted class request of the results' school year.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RequestOutcomeRow {
    pub student_id: String,
    pub requested_track_id: String,
    /// The track the request counted for (the student's candidacy); `None` when none.
    pub track_id: Option<String>,
    pub outcome: RequestOutcome,
    /// `None` unless `not_candidate`.
    pub reason: Option<NotCandidateReason>,
}

impl RequestOutcomeRow {
    pub fn candidate(student_id: &str, requested: &str, track_id: &str) -> Self {
        RequestOutcomeRow {
            student_id: student_id.to_string(),
            requested_track_id: requested.to_string(),
            track_id: Some(track_id.to_string()),
            outcome: RequestOutcome::Candidate,
            reason: None,
        }
    }

    pub fn confirmed(student_id: &str, requested: &str, track_id: &str) -> Self {
        RequestOutcomeRow {
            outcome: RequestOutcome::Confirmed,
            ..RequestOutcomeRow::candidate(student_id, requested, track_id)
        }
    }

    pub fn not_candidate(student_id: &str, requested: &str, reason: NotCandidateReason) -> Self {
        RequestOutcomeRow {
            student_id: student_id.to_string(),
            requested_track_id: requested.to_string(),
            track_id: None,
            outcome: RequestOutcome::NotCandidate,
            reason: Some(reason),
        }
    }
}

/// A row of `waitlist`. It carries no rank (rows are sorted by track and student); ranks and
/// lottery numbers are in the confidential audit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WaitlistRow {
    pub student_id: String,
    pub track_id: String,
    pub reason: WaitReason,
}

/// The list a candidate was walked in (gifted.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListKind {
    Girls,
    Boys,
    Merged,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Girls => "girls",
            ListKind::Boys => "boys",
            ListKind::Merged => "merged",
        }
    }
}

/// How a candidate's track was chosen (gifted.md §4 "Candidates", "Two classes").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Assignment {
    /// The authority's only track for the grade, which the student requested.
    ResidentOwnTrack,
    /// The authority's only track; the student requested another authority's (0207 §2.12.ד).
    ResidentRedirected,
    /// Tracks in two schools: the one listing the student's registration zone (§2.8.ג.3).
    ResidentZone,
    /// Tracks in two schools, no zone data: the one requested.
    ResidentRequested,
    /// A non-resident, track in its second year or later, both authorities approved
    /// (§2.8.ג.4); ranked after every resident.
    NonResidentApproved,
}

impl Assignment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::ResidentOwnTrack => "resident_own_track",
            Assignment::ResidentRedirected => "resident_redirected",
            Assignment::ResidentZone => "resident_zone",
            Assignment::ResidentRequested => "resident_requested",
            Assignment::NonResidentApproved => "non_resident_approved",
        }
    }
}

/// Outcome of one audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Placed(PlacementStatus),
    Invited,
    Waitlisted(WaitReason),
    /// The request does not count (not gifted, other year, superseded, no results).
    NotCandidate,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Placed(PlacementStatus::Final) => "placed_final",
            Outcome::Placed(PlacementStatus::Provisional) => "placed_provisional",
            Outcome::Invited => "invited",
            Outcome::Waitlisted(_) => "waitlisted",
            Outcome::NotCandidate => "not_candidate",
        }
    }
}

/// The rule that decided an audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `passed` and committed < the list's seats.
    PassedWithinSeats,
    /// No interview yet and committed < the list's seats.
    InvitedWithinSeats,
    /// committed reached the seats of every list the student was walked in.
    NoSeat,
    InterviewFailed,
    InterviewNoShow,
    /// Category is not `gifted` (§2.2.א).
    NotGifted,
    /// The student has no identification result.
    NoResults,
    /// The request's school_year is not the results' school_year.
    RequestOtherYear,
    /// A non-resident's request while another of their requests counts.
    RequestSuperseded,
    NoTrackForGrade,
    /// Non-resident, track in its first year (results' school_year ≤ first_year).
    NonResidentFirstYear,
    /// Non-resident without `neighbor_approval`.
    NonResidentNoApproval,
    /// Several tracks in the authority; neither the zone nor a request picks one.
    RoutingUndecided,
    /// The student's institution does not take part.
    InstitutionNotParticipating,
    /// A final placement of an earlier run (`confirmed_placements`), never revoked.
    Confirmed,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::PassedWithinSeats => "passed_within_seats",
            Rule::InvitedWithinSeats => "invited_within_seats",
            Rule::NoSeat => "no_seat",
            Rule::InterviewFailed => "interview_failed",
            Rule::InterviewNoShow => "interview_no_show",
            Rule::NotGifted => "not_gifted",
            Rule::NoResults => "no_results",
            Rule::RequestOtherYear => "request_other_year",
            Rule::RequestSuperseded => "request_superseded",
            Rule::NoTrackForGrade => "no_track_for_grade",
            Rule::NonResidentFirstYear => "non_resident_first_year",
            Rule::NonResidentNoApproval => "non_resident_no_approval",
            Rule::RoutingUndecided => "routing_undecided",
            Rule::InstitutionNotParticipating => "institution_not_participating",
            Rule::Confirmed => "confirmed",
        }
    }
}

/// One row of `confidential/audit` per (student, request decision): enough to answer an appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub student_id: String,
    /// The track the decision concerns: the candidate's track, else the requested one.
    pub track_id: String,
    /// The request behind the row (the earliest of those that collapse into one candidacy).
    pub requested_track_id: String,
    pub gender: Option<Gender>,
    pub category: Option<Category>,
    /// `Some` for candidates.
    pub resident: Option<bool>,
    pub assignment: Option<Assignment>,
    /// The list whose walk decided (for candidates).
    pub list: Option<ListKind>,
    /// 1-based rank in `list` (in the merged list: rank among all the track's candidates).
    pub rank: Option<u32>,
    pub list_seats: Option<i64>,
    /// committed (placed + invited) in `list` when the walk reached the student.
    pub committed_before: Option<i64>,
    pub lottery_number: Option<u64>,
    pub composite: Option<Ratio>,
    pub interview: Option<InterviewOutcome>,
    pub outcome: Outcome,
    pub rule: Rule,
    /// The decision in words, with every number that led to it.
    pub detail: String,
}

impl AuditRow {
    /// A decision about `student_id` in `track_id` that no list walk made (a request that
    /// makes no candidate, a confirmed placement): no list, rank, seats or lottery number.
    pub fn decision(
        student_id: &str,
        track_id: &str,
        outcome: Outcome,
        rule: Rule,
        detail: String,
    ) -> AuditRow {
        AuditRow {
            student_id: student_id.to_string(),
            track_id: track_id.to_string(),
            requested_track_id: track_id.to_string(),
            gender: None,
            category: None,
            resident: None,
            assignment: None,
            list: None,
            rank: None,
            list_seats: None,
            committed_before: None,
            lottery_number: None,
            composite: None,
            interview: None,
            outcome,
            rule,
            detail,
        }
    }

    pub fn composite_num(&self) -> Option<i128> {
        self.composite.map(|c| c.num())
    }
    pub fn composite_den(&self) -> Option<i128> {
        self.composite.map(|c| c.den())
    }
    pub(super) fn sort_key(&self) -> (&str, &str, &str, Rule) {
        (
            &self.student_id,
            &self.track_id,
            &self.requested_track_id,
            self.rule,
        )
    }
}

/// A row of `confidential/audit` as written: an [`AuditRow`] with its composite as the exact
/// numerator and denominator (data-contract.md: exact fractions are written as integers), and
/// `resident` and `lottery_number` in the schema's text columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditTableRow<'a> {
    pub student_id: &'a str,
    pub track_id: &'a str,
    pub requested_track_id: &'a str,
    pub gender: Option<Gender>,
    pub category: Option<Category>,
    pub resident: Option<bool>,
    pub assignment: Option<Assignment>,
    pub list: Option<ListKind>,
    pub rank: Option<u32>,
    pub list_seats: Option<i64>,
    pub committed_before: Option<i64>,
    pub lottery_number: Option<u64>,
    pub composite_num: Option<i128>,
    pub composite_den: Option<i128>,
    pub interview: Option<InterviewOutcome>,
    pub outcome: Outcome,
    pub rule: Rule,
    pub detail: &'a str,
}

impl<'a> From<&'a AuditRow> for AuditTableRow<'a> {
    fn from(r: &'a AuditRow) -> Self {
        AuditTableRow {
            student_id: &r.student_id,
            track_id: &r.track_id,
            requested_track_id: &r.requested_track_id,
            gender: r.gender,
            category: r.category,
            resident: r.resident,
            assignment: r.assignment,
            list: r.list,
            rank: r.rank,
            list_seats: r.list_seats,
            committed_before: r.committed_before,
            lottery_number: r.lottery_number,
            composite_num: r.composite_num(),
            composite_den: r.composite_den(),
            interview: r.interview,
            outcome: r.outcome,
            rule: r.rule,
            detail: &r.detail,
        }
    }
}

/// Per-track seat accounting (counts only, no ranks): a row of `placement_tracks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackSeats {
    pub track_id: String,
    pub grade: i64,
    pub authority_id: String,
    pub institution_id: String,
    pub n_classes: i64,
    pub capacity_per_class: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    pub seats: i64,
    /// Seats of the girls' and boys' lists (0 with `gender_policy = none`).
    pub girls_seats: i64,
    pub boys_seats: i64,
    /// Seats neither gender list committed, walked by the merged list.
    pub merged_seats: i64,
    pub candidates: u32,
    pub placed_final: u32,
    pub placed_provisional: u32,
    pub invited: u32,
    pub waitlisted: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlacementOutput {
    /// Sorted by (track_id, student_id).
    pub invitations: Vec<Invitation>,
    /// Sorted by (track_id, class_no, student_id).
    pub placements: Vec<Placement>,
    /// Sorted by (track_id, student_id).
    pub waitlist: Vec<WaitlistRow>,
    /// One per class request given to `place`; sorted by (student_id, requested_track_id).
    pub request_outcomes: Vec<RequestOutcomeRow>,
    /// Confidential. Sorted by (student_id, track_id, requested_track_id, rule).
    pub audit: Vec<AuditRow>,
    /// Sorted by (track_id, grade).
    pub tracks: Vec<TrackSeats>,
}

impl PlacementOutput {
    /// Students whose class seat is final (they leave the enrichment entitlement, §2.8.ד.3).
    pub fn final_student_ids(&self) -> BTreeSet<&str> {
        self.placements
            .iter()
            .filter(|p| p.status == PlacementStatus::Final)
            .map(|p| p.student_id.as_str())
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementError {
    InvalidParams(String),
    /// gifted.md §4 "Track checks": a configuration error (exit 2).
    TrackChecks(Vec<TrackViolation>),
    DuplicateStudent(String),
    DuplicateTrack {
        track_id: String,
        grade: i64,
    },
    DuplicateInterview {
        student_id: String,
        track_id: String,
    },
}

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlacementError::InvalidParams(m) => write!(f, "invalid placement parameters: {m}"),
            PlacementError::TrackChecks(v) => {
                write!(f, "gifted_tracks break the track checks:")?;
                for x in v {
                    write!(f, "\n  {x}")?;
                }
                Ok(())
            }
            PlacementError::DuplicateStudent(id) => {
                write!(f, "student {id} has two identification results")
            }
            PlacementError::DuplicateTrack { track_id, grade } => {
                write!(f, "gifted track {track_id} appears twice for grade {grade}")
            }
            PlacementError::DuplicateInterview {
                student_id,
                track_id,
            } => write!(
                f,
                "student {student_id} has two interview rows for track {track_id}"
            ),
        }
    }
}

impl std::error::Error for PlacementError {}
