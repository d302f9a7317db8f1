//! The typed input rows of `special-ed-baskets` (special-ed-baskets.md "Inputs") and the rules
//! of the data contract that the schemas cannot state: a meeting's (student_id, school_year)
//! must be an accepted referral, a decision's meeting must be an accepted meeting, dates in
//! order across a meeting and its decision, the members present as a list of roles, the
//! "required when" columns, and hours with at most 2 decimals. Each broken rule is one reject,
//! and the row takes no further part. Hours are exact ([`Ratio`]) from here on.
use crate::error::Result;
use crate::rules::fraction::Ratio;
use crate::rules::text::list;
use crate::table::rows::rows;
use crate::table::{InputSet, Reject, Table};
use chrono::NaiveDate;
// Looked up, never walked: a fast hash (no order of these reaches an output).
use foldhash::{HashMap as FastMap, HashMapExt};
use rayon::prelude::*;

pub const REFERRALS: &str = "committee_referrals";
pub const MEETINGS: &str = "committee_meetings";
pub const DECISIONS: &str = "committee_decisions";

/// The job's tables, all required (special-ed.md "Data contract").
pub const TABLES: [crate::table::validate::TableNeed; 3] = [
    crate::table::validate::TableNeed::new(REFERRALS, true),
    crate::table::validate::TableNeed::new(MEETINGS, true),
    crate::table::validate::TableNeed::new(DECISIONS, true),
];

/// `committee_referrals.disability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disability {
    Autism,
    Other,
}

impl Disability {
    pub fn as_str(self) -> &'static str {
        match self {
            Disability::Autism => "autism",
            Disability::Other => "other",
        }
    }
}

/// A member of the committee (`committee_meetings.members_present`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Chair,
    AuthorityRep,
    SupervisorSpecialEd,
    SupervisorRegularEd,
    Psychologist,
    ParentRep,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Chair,
        Role::AuthorityRep,
        Role::SupervisorSpecialEd,
        Role::SupervisorRegularEd,
        Role::Psychologist,
        Role::ParentRep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Chair => "chair",
            Role::AuthorityRep => "authority_rep",
            Role::SupervisorSpecialEd => "supervisor_special_ed",
            Role::SupervisorRegularEd => "supervisor_regular_ed",
            Role::Psychologist => "psychologist",
            Role::ParentRep => "parent_rep",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The stage in which the basket is used (`committee_decisions.education_stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Kindergarten,
    Elementary,
    Middle,
    High,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Kindergarten => "kindergarten",
            Stage::Elementary => "elementary",
            Stage::Middle => "middle",
            Stage::High => "high",
        }
    }
}

/// The parents' choice of setting (`committee_decisions.parents_choice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Integration,
    SpecialClass,
    SpecialSchool,
}

impl Choice {
    pub const ALL: [Choice; 3] = [
        Choice::Integration,
        Choice::SpecialClass,
        Choice::SpecialSchool,
    ];

    pub fn parse(s: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Integration => "integration",
            Choice::SpecialClass => "special_class",
            Choice::SpecialSchool => "special_school",
        }
    }
}

crate::jobs::serialize_as_str!(Disability, Role, Stage, Choice);

/// One accepted `committee_referrals` row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Referral {
    pub student_id: String,
    pub school_year: i64,
    pub authority_id: String,
    pub institution_id: String,
    pub disability: Disability,
    #[serde(with = "crate::rules::date")]
    pub referred_on: NaiveDate,
    pub first_time: bool,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    pub diagnosis_in_progress_proof_on: Option<NaiveDate>,
}

/// One `committee_meetings` row as read.
#[derive(Debug, Clone, serde::Deserialize)]
struct MeetingRow {
    meeting_id: String,
    student_id: String,
    school_year: i64,
    #[serde(with = "crate::rules::date")]
    meeting_date: NaiveDate,
    #[serde(with = "crate::rules::date")]
    invitation_sent_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    decision_sent_on: Option<NaiveDate>,
    members_present: Option<String>,
    exceptional: bool,
}

/// One accepted `committee_meetings` row, its members parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub meeting_id: String,
    pub student_id: String,
    pub school_year: i64,
    pub meeting_date: NaiveDate,
    pub invitation_sent_on: NaiveDate,
    pub decision_sent_on: Option<NaiveDate>,
    /// Sorted, without repeats.
    pub members_present: Vec<Role>,
    pub exceptional: bool,
}

/// One `committee_decisions` row as read.
#[derive(Debug, Clone, serde::Deserialize)]
struct DecisionRow {
    meeting_id: String,
    eligible: bool,
    functioning_level: Option<i64>,
    basket_hours: Option<f64>,
    education_stage: Stage,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    decision_received_on: Option<NaiveDate>,
    /// As text: a Parquet file may hold an empty text for "no choice".
    parents_choice: Option<String>,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    parents_choice_on: Option<NaiveDate>,
    split_teaching: Option<f64>,
    split_therapy: Option<f64>,
    split_aide: Option<f64>,
}

/// How the multi-professional team split a basket: weekly teaching, therapy and aide hours
/// (an empty one of a given split is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub teaching: Ratio,
    pub therapy: Ratio,
    pub aide: Ratio,
}

/// One accepted `committee_decisions` row, its hours exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub meeting_id: String,
    pub eligible: bool,
    /// 1–4 when eligible.
    pub functioning_level: Option<u8>,
    /// Given when eligible.
    pub basket_hours: Option<Ratio>,
    pub education_stage: Stage,
    pub decision_received_on: Option<NaiveDate>,
    pub parents_choice: Option<Choice>,
    pub parents_choice_on: Option<NaiveDate>,
    pub split: Option<Split>,
}

/// The accepted rows of the three tables, in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    pub referrals: Vec<Referral>,
    pub meetings: Vec<Meeting>,
    pub decisions: Vec<Decision>,
    /// Where each row's referral or meeting is, as [`read`]'s reject rules found them; `None`
    /// for records made otherwise (`decisions::Cases` then finds them by key).
    pub(super) links: Option<Links>,
}

/// The positions the reject rules of [`read`] found, so that the job does not look the keys
/// up again (`decisions::Cases`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Links {
    /// By position in `Records::meetings`: the position of its referral in
    /// `Records::referrals`.
    pub(super) meeting_referral: Vec<usize>,
    /// By position in `Records::decisions`: the position of its meeting in
    /// `Records::meetings`.
    pub(super) decision_meeting: Vec<usize>,
}

impl Records {
    /// The latest date in any date column of the accepted rows (the default `as_of`).
    pub fn latest_date(&self) -> Option<NaiveDate> {
        let r = self
            .referrals
            .iter()
            .flat_map(|r| [Some(r.referred_on), r.diagnosis_in_progress_proof_on]);
        let m = self.meetings.iter().flat_map(|m| {
            [
                Some(m.meeting_date),
                Some(m.invitation_sent_on),
                m.decision_sent_on,
            ]
        });
        let d = self
            .decisions
            .iter()
            .flat_map(|d| [d.decision_received_on, d.parents_choice_on]);
        r.chain(m).chain(d).flatten().max()
    }

    /// The school years of the referrals, sorted.
    pub fn school_years(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.referrals.iter().map(|r| r.school_year).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Reads the three tables of `inputs` as typed rows and applies the job's reject rules; the
/// rejects join `inputs` (`InputSet::add_job_rejects`), and only accepted rows are returned.
pub fn read(inputs: &mut InputSet) -> Result<Records> {
    let (records, rejects) = {
        let table = |name: &str| {
            inputs.get(name).ok_or_else(|| {
                crate::error::Error::Job(format!("input table `{name}` was not read"))
            })
        };
        checked(table(REFERRALS)?, table(MEETINGS)?, table(DECISIONS)?)?
    };
    for (name, r) in rejects {
        inputs.add_job_rejects(name, r);
    }
    Ok(records)
}

type TableRejects = [(&'static str, Vec<Reject>); 2];

/// One row checked on its own: when accepted, the position of the row it refers to (the
/// meeting's referral, the decision's meeting) and the record; the row's rejects.
type Checked<T> = (Option<(usize, T)>, Vec<Reject>);

/// The rows checked, in row order: the positions they refer to and the records accepted, and
/// every row's rejects.
fn gather<T>(checked: Vec<Checked<T>>) -> (Vec<usize>, Vec<T>, Vec<Reject>) {
    let mut at = Vec::with_capacity(checked.len());
    let mut accepted = Vec::with_capacity(checked.len());
    let mut rejects = Vec::new();
    for (row, row_rejects) in checked {
        rejects.extend(row_rejects);
        if let Some((i, record)) = row {
            at.push(i);
            accepted.push(record);
        }
    }
    (at, accepted, rejects)
}

/// The accepted rows of the three validated tables and the job's rejects of meetings and
/// decisions.
fn checked(
    referrals: &Table,
    meetings: &Table,
    decisions: &Table,
) -> Result<(Records, TableRejects)> {
    // The three tables' rows are read side by side (each on its own; the checks below
    // then go in the tables' order).
    let (referral_rows, (meeting_rows, decision_rows)) = rayon::join(
        || rows::<Referral>(referrals),
        || {
            rayon::join(
                || rows::<MeetingRow>(meetings),
                || rows::<DecisionRow>(decisions),
            )
        },
    );
    let referrals: Vec<Referral> = referral_rows?;
    let meeting_rows: Vec<MeetingRow> = meeting_rows?;
    let decision_rows: Vec<DecisionRow> = decision_rows?;
    // Keys are unique among accepted rows (`duplicate_key`); were one repeated, the later row
    // would win, as a map collected from the rows does.
    let mut known: FastMap<(&str, i64), usize> = FastMap::with_capacity(referrals.len());
    known.extend(
        (referrals.iter().enumerate()).map(|(i, r)| ((r.student_id.as_str(), r.school_year), i)),
    );
    // Each row is checked on its own (side by side); the accepted rows and the rejects are
    // then gathered in row order.
    let numbers: Vec<u64> = meetings.row_numbers().collect();
    let checked: Vec<Checked<Meeting>> = (meeting_rows.into_par_iter())
        .zip(numbers.par_iter())
        .map(|(m, &row_number)| meeting(m, row_number, &known))
        .collect();
    let (meeting_referral, accepted_meetings, meeting_rejects) = gather(checked);
    let mut meeting_of: FastMap<&str, usize> = FastMap::with_capacity(accepted_meetings.len());
    meeting_of
        .extend((accepted_meetings.iter().enumerate()).map(|(i, m)| (m.meeting_id.as_str(), i)));
    let numbers: Vec<u64> = decisions.row_numbers().collect();
    let checked: Vec<Checked<Decision>> = (decision_rows.into_par_iter())
        .zip(numbers.par_iter())
        .map(|(d, &row_number)| {
            let mut rejects = Vec::new();
            let i = meeting_of.get(d.meeting_id.as_str()).copied();
            let meeting = i.map(|i| &accepted_meetings[i]);
            let decided = decision(d, meeting, row_number, &mut rejects);
            let accepted = (decided.zip(i)).filter(|_| rejects.is_empty());
            (accepted.map(|(d, i)| (i, d)), rejects)
        })
        .collect();
    let (decision_meeting, accepted_decisions, decision_rejects) = gather(checked);
    drop((known, meeting_of));
    let records = Records {
        referrals,
        meetings: accepted_meetings,
        decisions: accepted_decisions,
        links: Some(Links {
            meeting_referral,
            decision_meeting,
        }),
    };
    Ok((
        records,
        [(MEETINGS, meeting_rejects), (DECISIONS, decision_rejects)],
    ))
}

/// One `committee_meetings` row checked on its own: its members, its referral among the
/// accepted ones (`known`, by student and school year) and the order of its dates. The
/// meeting with its referral when no rule is broken; the row's rejects.
fn meeting(
    m: MeetingRow,
    row_number: u64,
    known: &FastMap<(&str, i64), usize>,
) -> Checked<Meeting> {
    let mut rejects = Vec::new();
    let reject = |column: &str, value: String, rule: &str, message: String| {
        Reject::new(
            MEETINGS,
            row_number as usize - 1,
            column,
            value,
            rule,
            message,
        )
    };
    let mut members = Vec::new();
    for part in list(m.members_present.as_deref()) {
        match Role::parse(part) {
            Some(r) => members.push(r),
            None => rejects.push(reject(
                "members_present",
                part.to_string(),
                "enum",
                format!(
                    "`members_present` lists `{}`; members are {}",
                    part.escape_debug(),
                    Role::ALL.map(Role::as_str).join(", ")
                ),
            )),
        }
    }
    members.sort_unstable();
    members.dedup();
    let referral = known.get(&(m.student_id.as_str(), m.school_year)).copied();
    if referral.is_none() {
        rejects.push(reject(
            "student_id",
            m.student_id.clone(),
            "reference",
            format!(
                "no accepted committee_referrals row for student {} in school year {}",
                m.student_id, m.school_year
            ),
        ));
    }
    if m.invitation_sent_on > m.meeting_date {
        rejects.push(reject(
            "invitation_sent_on",
            m.invitation_sent_on.to_string(),
            "date_order",
            format!(
                "the invitation ({}) is after the meeting ({})",
                m.invitation_sent_on, m.meeting_date
            ),
        ));
    }
    if let Some(sent) = m.decision_sent_on.filter(|s| *s < m.meeting_date) {
        rejects.push(reject(
            "decision_sent_on",
            sent.to_string(),
            "date_order",
            format!(
                "the decision was sent ({sent}) before the meeting ({})",
                m.meeting_date
            ),
        ));
    }
    let accepted = referral.filter(|_| rejects.is_empty()).map(|referral| {
        let m = Meeting {
            meeting_id: m.meeting_id,
            student_id: m.student_id,
            school_year: m.school_year,
            meeting_date: m.meeting_date,
            invitation_sent_on: m.invitation_sent_on,
            decision_sent_on: m.decision_sent_on,
            members_present: members,
            exceptional: m.exceptional,
        };
        (referral, m)
    });
    (accepted, rejects)
}

/// One decision row checked against its meeting (`None` when its meeting was rejected);
/// pushes its rejects.
fn decision(
    d: DecisionRow,
    meeting: Option<&Meeting>,
    row_number: u64,
    out: &mut Vec<Reject>,
) -> Option<Decision> {
    let mut reject = |column: &str, value: String, rule: &str, message: String| {
        out.push(Reject::new(
            DECISIONS,
            row_number as usize - 1,
            column,
            value,
            rule,
            message,
        ))
    };
    let Some(meeting) = meeting else {
        reject(
            "meeting_id",
            d.meeting_id.clone(),
            "reference",
            format!(
                "meeting `{}` of the decision was rejected",
                d.meeting_id.escape_debug()
            ),
        );
        return None;
    };
    let mut exact = |column: &str, v: Option<f64>| -> Option<Ratio> {
        let x = v?;
        let r = super::hours::read(x);
        if r.is_none() {
            reject(
                column,
                x.to_string(),
                "decimal_places",
                if !x.is_finite() {
                    format!("`{column}` is not a finite number")
                } else if super::hours::too_large(x) {
                    format!("`{column}` is too large to be a number of weekly hours")
                } else {
                    format!("`{column}` has more than 2 decimals")
                },
            );
        }
        r
    };
    let basket_hours = exact("basket_hours", d.basket_hours);
    // The schema checked the value against the enum; an empty text is no choice.
    let parents_choice = d.parents_choice.as_deref().and_then(Choice::parse);
    let given = [d.split_teaching, d.split_therapy, d.split_aide];
    let parts = [
        exact("split_teaching", d.split_teaching),
        exact("split_therapy", d.split_therapy),
        exact("split_aide", d.split_aide),
    ];
    let split = given.iter().any(Option::is_some).then(|| Split {
        teaching: parts[0].unwrap_or(Ratio::ZERO),
        therapy: parts[1].unwrap_or(Ratio::ZERO),
        aide: parts[2].unwrap_or(Ratio::ZERO),
    });
    if d.eligible {
        for (column, missing) in [
            ("functioning_level", d.functioning_level.is_none()),
            ("basket_hours", d.basket_hours.is_none()),
        ] {
            if missing {
                reject(
                    column,
                    String::new(),
                    "required",
                    format!("`{column}` is required when the student is eligible"),
                );
            }
        }
    }
    if parents_choice.is_some() && d.parents_choice_on.is_none() {
        reject(
            "parents_choice_on",
            String::new(),
            "required",
            "`parents_choice_on` is required when `parents_choice` is given".into(),
        );
    }
    let (bound, bound_name) = match meeting.decision_sent_on {
        Some(s) => (s, "the meeting's decision_sent_on"),
        None => (meeting.meeting_date, "the meeting's date"),
    };
    if let Some(r) = d.decision_received_on.filter(|r| *r < bound) {
        reject(
            "decision_received_on",
            r.to_string(),
            "date_order",
            format!("the decision was received ({r}) before {bound_name} ({bound})"),
        );
    }
    if let (Some(c), Some(sent)) = (d.parents_choice_on, meeting.decision_sent_on) {
        if c < sent {
            reject(
                "parents_choice_on",
                c.to_string(),
                "date_order",
                format!("the parents chose ({c}) before the decision was sent ({sent})"),
            );
        }
    }
    Some(Decision {
        meeting_id: d.meeting_id,
        eligible: d.eligible,
        functioning_level: d.functioning_level.and_then(|l| u8::try_from(l).ok()),
        basket_hours,
        education_stage: d.education_stage,
        decision_received_on: d.decision_received_on,
        parents_choice,
        parents_choice_on: d.parents_choice_on,
        split,
    })
}
