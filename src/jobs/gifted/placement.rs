//! Phase `placement`: elementary gifted classes (gifted.md §4; 0207 §2.2, §2.7, §2.8).
//!
//! Admission needs all three of §2.2: category `gifted`, a `passed` interview (§2.7.ב) and a
//! free seat in the track of the authority where the student lives (§2.2.ג). Each run is
//! stateless: the interview outcomes fed back in as input decide who is placed, and the seats
//! still free are offered to the next candidates by rank ("interview waves").
//!
//! - [`assign`]: which track a requester is a candidate of (residents, registration zones,
//!   non-residents, §2.8.ג.3–4) and why a request does not count.
//! - [`lists`]: seats, ranking (exact composite, then the seeded lottery), the girls', boys'
//!   and merged lists (§2.8.ד.2), the wave walk, final vs provisional, two classes.
//!
//! Everything is a pure function of its inputs; maps are `BTreeMap`s and every output is
//! sorted by its keys, so results do not depend on input row order. Enrichment groups for
//! those without a final seat are built by [`super::enrichment`].

mod assign;
mod lists;

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

pub use super::track_checks::{check_tracks, TrackRule, TrackViolation};
pub use super::{Category, Sector};
use crate::rules::fraction::Ratio;

/// `students.gender`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "m" => Some(Gender::Male),
            "f" => Some(Gender::Female),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "m",
            Gender::Female => "f",
        }
    }
}

/// Pipeline key `gender_policy` (gifted.md §4; 0207 §2.8.ד.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GenderPolicy {
    /// Separate girls' and boys' lists, leftovers to a merged list.
    Balanced,
    /// One merged list takes all seats.
    None,
}

impl GenderPolicy {
    pub fn parse(s: &str) -> Option<GenderPolicy> {
        match s {
            "balanced" => Some(GenderPolicy::Balanced),
            "none" => Some(GenderPolicy::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GenderPolicy::Balanced => "balanced",
            GenderPolicy::None => "none",
        }
    }
}

/// Parameters of gifted.md §4 (pipeline keys of the same names; `enrichment_group_capacity`
/// is [`super::enrichment::EnrichmentParams`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementParams {
    /// Seats per class when a track has no `capacity_per_class` (0207 §2.8.א.1).
    pub class_capacity: i64,
    /// Classes an authority may open per grade across its tracks (0207 §2.8.ג.1).
    pub max_classes_per_authority: i64,
    /// Share of a grade's classes when all of an authority's classes are in one school
    /// (0207 §2.8.ג.2), exact.
    pub max_share_of_grade: Ratio,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
}

impl Default for PlacementParams {
    fn default() -> Self {
        PlacementParams {
            class_capacity: 26,
            max_classes_per_authority: 2,
            max_share_of_grade: Ratio::new(1, 2),
            gender_policy: GenderPolicy::Balanced,
            lottery_seed: "itur".to_string(),
        }
    }
}

/// One `confidential/results` row joined with the student's roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Student {
    pub student_id: String,
    /// The results' school year (a track's "second year or later" is judged against it).
    pub school_year: i64,
    /// Grade in the results' school year; candidates of a track are in its grade − 1.
    pub grade: i64,
    pub gender: Gender,
    pub residence_authority_id: String,
    pub registration_zone: Option<String>,
    pub institution_id: String,
    /// Sector of the student's institution; chooses between centers serving one authority
    /// (enrichment only).
    pub sector: Option<Sector>,
    pub category: Category,
    /// `composite_num / composite_den`; `None` for `incomplete` / `removed`.
    pub composite: Option<Ratio>,
}

/// One `gifted_tracks` row (the caller passes the `elementary` ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    pub track_id: String,
    pub authority_id: String,
    pub institution_id: String,
    /// The grade new students enter.
    pub grade: i64,
    pub n_classes: i64,
    /// `None`: `PlacementParams::class_capacity`.
    pub capacity_per_class: Option<i64>,
    pub first_year: i64,
    pub registration_zones: Vec<String>,
    pub grade_class_count: i64,
    pub continuing_boys: i64,
    pub continuing_girls: i64,
    /// Read but not used by the elementary rules (0207 §2.12.ד is secondary).
    pub boarding: bool,
}

impl Track {
    pub fn capacity(&self, params: &PlacementParams) -> i64 {
        self.capacity_per_class.unwrap_or(params.class_capacity)
    }

    /// gifted.md §4 "Seats": n_classes · capacity − continuing boys − continuing girls, never
    /// negative.
    pub fn seats(&self, params: &PlacementParams) -> i64 {
        (self.n_classes * self.capacity(params) - self.continuing_boys - self.continuing_girls)
            .max(0)
    }
}

/// One `class_requests` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassRequest {
    pub student_id: String,
    pub school_year: i64,
    pub track_id: String,
    pub submitted_on: NaiveDate,
    pub neighbor_approval: bool,
}

/// `interviews.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InterviewOutcome {
    Passed,
    Failed,
    NoShow,
}

impl InterviewOutcome {
    pub fn parse(s: &str) -> Option<InterviewOutcome> {
        match s {
            "passed" => Some(InterviewOutcome::Passed),
            "failed" => Some(InterviewOutcome::Failed),
            "no_show" => Some(InterviewOutcome::NoShow),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InterviewOutcome::Passed => "passed",
            InterviewOutcome::Failed => "failed",
            InterviewOutcome::NoShow => "no_show",
        }
    }
}

/// One `interviews` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interview {
    pub student_id: String,
    pub track_id: String,
    pub outcome: InterviewOutcome,
}

/// A row of `interview_invitations` (pending: no outcome yet).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Placement {
    pub student_id: String,
    pub track_id: String,
    /// 1, or 2 in a track with two classes.
    pub class_no: u8,
    pub gender: Gender,
    pub status: PlacementStatus,
}

/// `waitlist.reason`: why a gifted student who asked for a class is not placed or invited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaitReason {
    /// Every seat of the lists the student was in is committed to higher-ranked candidates.
    NoSeat,
    Failed,
    NoShow,
    /// A non-resident asking for a track in its first year or without both authorities'
    /// approval (0207 §2.8.ג.4).
    NonResidentNotEligible,
    /// The student's authority has no track for their next grade, nor does the requested one.
    NoTrackForGrade,
}

impl WaitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::NoSeat => "no_seat",
            WaitReason::Failed => "failed",
            WaitReason::NoShow => "no_show",
            WaitReason::NonResidentNotEligible => "non_resident_not_eligible",
            WaitReason::NoTrackForGrade => "no_track_for_grade",
        }
    }
}

/// A row of `waitlist`. It carries no rank (rows are sorted by track and student); ranks and
/// lottery numbers are in the confidential audit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
    /// Tracks in two schools, no zone data, neither requested: the lowest track_id.
    ResidentDefault,
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
            Assignment::ResidentDefault => "resident_default",
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
    pub fn composite_num(&self) -> Option<i128> {
        self.composite.map(|c| c.num())
    }
    pub fn composite_den(&self) -> Option<i128> {
        self.composite.map(|c| c.den())
    }
    fn sort_key(&self) -> (&str, &str, &str, Rule) {
        (
            &self.student_id,
            &self.track_id,
            &self.requested_track_id,
            self.rule,
        )
    }
}

/// Per-track seat accounting (counts only, no ranks).
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Confidential. Sorted by (student_id, track_id, requested_track_id, rule).
    pub audit: Vec<AuditRow>,
    /// Sorted by (track_id, grade).
    pub tracks: Vec<TrackSeats>,
}

impl PlacementOutput {
    /// Students whose class seat is final (they leave the enrichment entitlement, §2.8.ד.3).
    pub fn final_student_ids(&self) -> std::collections::BTreeSet<&str> {
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

fn validate(params: &PlacementParams, tracks: &[Track]) -> Result<(), PlacementError> {
    let bad = |m: String| Err(PlacementError::InvalidParams(m));
    if params.class_capacity < 1 {
        return bad(format!(
            "class_capacity = {} must be at least 1",
            params.class_capacity
        ));
    }
    if params.max_classes_per_authority < 1 {
        return bad(format!(
            "max_classes_per_authority = {} must be at least 1",
            params.max_classes_per_authority
        ));
    }
    if params.max_share_of_grade < Ratio::ZERO || params.max_share_of_grade > Ratio::ONE {
        return bad(format!(
            "max_share_of_grade = {} must be between 0 and 1",
            params.max_share_of_grade
        ));
    }
    if params.lottery_seed.is_empty() {
        return bad("lottery_seed must not be empty".into());
    }
    for t in tracks {
        if t.n_classes < 1 || t.capacity(params) < 1 {
            return bad(format!(
                "track {} (grade {}) needs n_classes ≥ 1 and capacity_per_class ≥ 1",
                t.track_id, t.grade
            ));
        }
    }
    Ok(())
}

/// 0207 §2.2, §2.7, §2.8 (gifted.md §4): the track checks, then each track's candidates,
/// seats, lists and wave walk. `students` are the results rows (every category: requesters who
/// are not gifted are accounted for in the audit); `tracks` are this year's elementary tracks.
pub fn place(
    params: &PlacementParams,
    students: &[Student],
    tracks: &[Track],
    requests: &[ClassRequest],
    interviews: &[Interview],
) -> Result<PlacementOutput, PlacementError> {
    validate(params, tracks)?;
    check_tracks(params, tracks).map_err(PlacementError::TrackChecks)?;

    let mut by_id: BTreeMap<&str, &Student> = BTreeMap::new();
    for s in students {
        if by_id.insert(s.student_id.as_str(), s).is_some() {
            return Err(PlacementError::DuplicateStudent(s.student_id.clone()));
        }
    }
    let mut sorted_tracks: Vec<&Track> = tracks.iter().collect();
    sorted_tracks.sort_by(|a, b| (&a.track_id, a.grade).cmp(&(&b.track_id, b.grade)));
    for w in sorted_tracks.windows(2) {
        if (&w[0].track_id, w[0].grade) == (&w[1].track_id, w[1].grade) {
            return Err(PlacementError::DuplicateTrack {
                track_id: w[0].track_id.clone(),
                grade: w[0].grade,
            });
        }
    }
    let mut outcomes: BTreeMap<(&str, &str), InterviewOutcome> = BTreeMap::new();
    for i in interviews {
        if outcomes
            .insert((i.student_id.as_str(), i.track_id.as_str()), i.outcome)
            .is_some()
        {
            return Err(PlacementError::DuplicateInterview {
                student_id: i.student_id.clone(),
                track_id: i.track_id.clone(),
            });
        }
    }

    let assigned = assign::assign(&by_id, &sorted_tracks, requests);
    let mut out = PlacementOutput {
        waitlist: assigned.waitlist,
        audit: assigned.audit,
        ..PlacementOutput::default()
    };
    for (k, track) in sorted_tracks.iter().enumerate() {
        let cands: Vec<&assign::Candidacy> = assigned
            .candidates
            .iter()
            .filter(|c| c.track == k)
            .collect();
        let r = lists::run_track(params, track, &cands, &outcomes);
        out.invitations.extend(r.invitations);
        out.placements.extend(r.placements);
        out.waitlist.extend(r.waitlist);
        out.audit.extend(r.audit);
        out.tracks.push(r.seats);
    }
    out.invitations
        .sort_by(|a, b| (&a.track_id, &a.student_id).cmp(&(&b.track_id, &b.student_id)));
    out.placements.sort_by(|a, b| {
        (&a.track_id, a.class_no, &a.student_id).cmp(&(&b.track_id, b.class_no, &b.student_id))
    });
    out.waitlist
        .sort_by(|a, b| (&a.track_id, &a.student_id).cmp(&(&b.track_id, &b.student_id)));
    out.audit.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(out)
}

#[cfg(test)]
#[path = "tests/placement_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "tests/placement_props.rs"]
mod props;
