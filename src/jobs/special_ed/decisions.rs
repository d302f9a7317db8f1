//! §1 Decisions, parents' choice and objections: when the parents received each decision, the
//! setting and the status of the parents' choice as of `as_of` ("בחירת ההורים", "הפקעת זכות
//! הבחירה"), the objection deadline ("השגה"), and each student's final decision of a school
//! year (the latest meeting with a decision).
use super::inputs::{Choice, Decision, Meeting, Records, Referral};
use super::Params;
use crate::error::{Error, Result};
use crate::rules::date::days_between;
use chrono::NaiveDate;
use foldhash::{HashMap as FastMap, HashMapExt};

/// The records with their lookups: a meeting's referral and decision, each student's final
/// meeting. Lookups go by position in `records` (built once with a fast hash of the keys), so
/// the checks and entitlements of a national year compare no key strings.
pub struct Cases<'a> {
    pub records: &'a Records,
    /// meeting_id → its position in `records.meetings`, made at the first lookup by id (the
    /// job itself goes by position).
    meeting_of: std::sync::OnceLock<FastMap<&'a str, usize>>,
    /// By meeting position: the position of its referral in `records.referrals`.
    referral_at: Vec<Option<usize>>,
    /// By meeting position: the position of its decision in `records.decisions`.
    decision_at: Vec<Option<usize>>,
    /// By decision position: the position of its meeting (none for an unknown meeting).
    meeting_at: Vec<Option<usize>>,
    /// The meeting positions of the final decisions, by (student_id, school_year).
    finals: Vec<usize>,
    /// By meeting position: whether it holds its student's final decision of the year.
    is_final_at: Vec<bool>,
}

/// meeting_id → position in `records.meetings` (a repeated id: the later row, as a map
/// collected from the rows).
fn meeting_positions(records: &Records) -> FastMap<&str, usize> {
    let mut meeting_of: FastMap<&str, usize> = FastMap::with_capacity(records.meetings.len());
    for (i, m) in records.meetings.iter().enumerate() {
        meeting_of.insert(m.meeting_id.as_str(), i);
    }
    meeting_of
}

/// By meeting position, its referral's position; by decision position, its meeting's: looked
/// up by key, for records that `inputs::read` did not make. Keys are unique among accepted
/// rows (`duplicate_key`); were one repeated, the later row would win, as a map collected
/// from the rows does.
fn find_links(records: &Records) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let mut referral_of: FastMap<(&str, i64), usize> =
        FastMap::with_capacity(records.referrals.len());
    for (i, r) in records.referrals.iter().enumerate() {
        referral_of.insert((r.student_id.as_str(), r.school_year), i);
    }
    let meeting_of = meeting_positions(records);
    let referral_at = (records.meetings.iter())
        .map(|m| {
            referral_of
                .get(&(m.student_id.as_str(), m.school_year))
                .copied()
        })
        .collect();
    let meeting_at = (records.decisions.iter())
        .map(|d| meeting_of.get(d.meeting_id.as_str()).copied())
        .collect();
    (referral_at, meeting_at)
}

impl<'a> Cases<'a> {
    pub fn new(records: &'a Records) -> Self {
        // The positions `inputs::read` found, or (records made otherwise) found by key.
        let (referral_at, meeting_at) = match &records.links {
            Some(l)
                if l.meeting_referral.len() == records.meetings.len()
                    && l.decision_meeting.len() == records.decisions.len() =>
            {
                (
                    l.meeting_referral.iter().map(|&r| Some(r)).collect(),
                    l.decision_meeting.iter().map(|&i| Some(i)).collect(),
                )
            }
            _ => find_links(records),
        };
        let mut decision_at = vec![None; records.meetings.len()];
        for (j, i) in meeting_at.iter().enumerate() {
            if let Some(i) = *i {
                decision_at[i] = Some(j);
            }
        }
        // The final meeting of each (student_id, school_year): the latest meeting with a
        // decision (greatest meeting_date; on the same day, the greatest meeting_id).
        let mut final_of: FastMap<(&str, i64), usize> =
            FastMap::with_capacity(records.referrals.len());
        for &i in meeting_at.iter().flatten() {
            let m = &records.meetings[i];
            let key = (m.student_id.as_str(), m.school_year);
            let later = |old: &Meeting| {
                (m.meeting_date, m.meeting_id.as_str()) > (old.meeting_date, &old.meeting_id)
            };
            match final_of.get_mut(&key) {
                Some(old) if !later(&records.meetings[*old]) => {}
                Some(old) => *old = i,
                None => {
                    final_of.insert(key, i);
                }
            }
        }
        let mut finals: Vec<((&str, i64), usize)> = final_of.into_iter().collect();
        finals.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut is_final_at = vec![false; records.meetings.len()];
        for (_, i) in &finals {
            is_final_at[*i] = true;
        }
        Cases {
            records,
            meeting_of: std::sync::OnceLock::new(),
            referral_at,
            decision_at,
            meeting_at,
            finals: finals.into_iter().map(|(_, i)| i).collect(),
            is_final_at,
        }
    }

    /// meeting_id → position in `records.meetings`.
    fn meeting_of(&self) -> &FastMap<&'a str, usize> {
        self.meeting_of
            .get_or_init(|| meeting_positions(self.records))
    }

    /// The referral a meeting belongs to (every accepted meeting has one).
    pub fn referral(&self, m: &Meeting) -> Result<&'a Referral> {
        self.meeting_of()
            .get(m.meeting_id.as_str())
            .and_then(|&i| self.referral_at_meeting(i))
            .ok_or_else(|| Error::Job(format!("meeting `{}` has no referral", m.meeting_id)))
    }

    /// The referral of the meeting at position `i` of `records.meetings`.
    pub fn referral_at_meeting(&self, i: usize) -> Option<&'a Referral> {
        let records: &'a Records = self.records;
        (self.referral_at.get(i).copied().flatten()).map(|r| &records.referrals[r])
    }

    pub fn decision(&self, meeting_id: &str) -> Option<&'a Decision> {
        let i = *self.meeting_of().get(meeting_id)?;
        self.decision_at_meeting(i).map(|(_, d)| d)
    }

    /// The decision of the meeting at position `i`, with its position in `records.decisions`.
    pub fn decision_at_meeting(&self, i: usize) -> Option<(usize, &'a Decision)> {
        let records: &'a Records = self.records;
        let j = self.decision_at.get(i).copied().flatten()?;
        Some((j, &records.decisions[j]))
    }

    pub fn meeting(&self, meeting_id: &str) -> Result<&'a Meeting> {
        let records: &'a Records = self.records;
        self.meeting_of()
            .get(meeting_id)
            .map(|&i| &records.meetings[i])
            .ok_or_else(|| Error::Job(format!("decision of unknown meeting `{meeting_id}`")))
    }

    /// The meeting of the decision at position `j` of `records.decisions`.
    pub fn meeting_of_decision(&self, j: usize) -> Result<&'a Meeting> {
        let records: &'a Records = self.records;
        match self.meeting_at.get(j).copied().flatten() {
            Some(i) => Ok(&records.meetings[i]),
            None => Err(Error::Job(format!(
                "decision of unknown meeting `{}`",
                records
                    .decisions
                    .get(j)
                    .map_or("", |d| d.meeting_id.as_str())
            ))),
        }
    }

    /// Whether the meeting holds its student's final decision of its school year: that of the
    /// latest meeting with a decision (greatest meeting_date; on the same day, the greatest
    /// meeting_id in code-point order, so `"9"` after `"10"`).
    pub fn is_final(&self, m: &Meeting) -> bool {
        self.meeting_of()
            .get(m.meeting_id.as_str())
            .is_some_and(|&i| self.is_final_at_meeting(i))
    }

    /// [`Cases::is_final`] of the meeting at position `i`.
    pub fn is_final_at_meeting(&self, i: usize) -> bool {
        self.is_final_at.get(i).copied().unwrap_or(false)
    }

    /// The final meetings' ids, by (student_id, school_year).
    pub fn finals(&self) -> impl Iterator<Item = &'a str> + '_ {
        let records: &'a Records = self.records;
        (self.finals.iter()).map(move |&i| records.meetings[i].meeting_id.as_str())
    }

    /// The positions in `records.meetings` of the final meetings, by (student_id,
    /// school_year).
    pub fn final_positions(&self) -> &[usize] {
        &self.finals
    }
}

/// The setting a student learns in: the parents' choice, or `undecided`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Setting {
    Chosen(Choice),
    Undecided,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Chosen(c) => c.as_str(),
            Setting::Undecided => "undecided",
        }
    }

    pub fn is_integration(self) -> bool {
        self == Setting::Chosen(Choice::Integration)
    }
}

/// Where the parents' choice stands ("הפקעת זכות הבחירה", case 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChoiceStatus {
    MadeInTime,
    MadeLate,
    Missing,
    Pending,
}

impl ChoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChoiceStatus::MadeInTime => "made_in_time",
            ChoiceStatus::MadeLate => "made_late",
            ChoiceStatus::Missing => "missing",
            ChoiceStatus::Pending => "pending",
        }
    }
}

crate::jobs::serialize_as_str!(Setting, ChoiceStatus);

/// One decision as §1 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    pub meeting_id: String,
    pub student_id: String,
    pub school_year: i64,
    pub eligible: bool,
    pub functioning_level: Option<u8>,
    /// `None` when not eligible.
    pub setting: Option<Setting>,
    pub choice_status: Option<ChoiceStatus>,
    pub committee_decides_setting: bool,
    pub decision_sent_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub received_on_presumed: bool,
    pub objection_deadline: Option<NaiveDate>,
}

/// `d + n` days (`None` beyond the calendar).
pub fn plus(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    // The parameters are never negative (`pipeline::special_ed` reads them as u32).
    crate::rules::date::add_days(d, n)
}

/// The receipt date R and whether it was presumed: decision_received_on when given, else
/// decision_sent_on + `presumed_receipt_days` (registered mail, "העברת ההחלטה והפרוטוקול"),
/// else none.
pub fn receipt(p: &Params, m: &Meeting, d: &Decision) -> Option<(NaiveDate, bool)> {
    match (d.decision_received_on, m.decision_sent_on) {
        (Some(r), _) => Some((r, false)),
        (None, Some(sent)) => plus(sent, p.presumed_receipt_days).map(|r| (r, true)),
        (None, None) => None,
    }
}

/// The status of the parents' choice as of `as_of`: a choice made more than `choice_days`
/// after R is late; without a choice, `missing` once more than `choice_days` have passed
/// since R, else `pending` (also when R is unknown, and a choice without R is in time).
pub fn choice_status(
    p: &Params,
    as_of: NaiveDate,
    received: Option<NaiveDate>,
    choice_on: Option<NaiveDate>,
) -> ChoiceStatus {
    match (choice_on, received) {
        (Some(c), Some(r)) if days_between(r, c) > p.choice_days => ChoiceStatus::MadeLate,
        (Some(_), _) => ChoiceStatus::MadeInTime,
        (None, Some(r)) if days_between(r, as_of) > p.choice_days => ChoiceStatus::Missing,
        (None, _) => ChoiceStatus::Pending,
    }
}

/// §1 for one decision.
pub fn outcome(p: &Params, as_of: NaiveDate, m: &Meeting, d: &Decision) -> DecisionOutcome {
    let received = receipt(p, m, d);
    let r = received.map(|(r, _)| r);
    let (setting, status) = if d.eligible {
        let setting = d.parents_choice.map_or(Setting::Undecided, Setting::Chosen);
        (
            Some(setting),
            Some(choice_status(p, as_of, r, d.parents_choice_on)),
        )
    } else {
        (None, None)
    };
    DecisionOutcome {
        meeting_id: m.meeting_id.clone(),
        student_id: m.student_id.clone(),
        school_year: m.school_year,
        eligible: d.eligible,
        functioning_level: d.functioning_level.filter(|_| d.eligible),
        setting,
        choice_status: status,
        committee_decides_setting: matches!(
            status,
            Some(ChoiceStatus::MadeLate | ChoiceStatus::Missing)
        ),
        decision_sent_on: m.decision_sent_on,
        received_on: r,
        received_on_presumed: received.is_some_and(|(_, presumed)| presumed),
        objection_deadline: r.and_then(|r| plus(r, p.objection_days)),
    }
}

/// §1 for every accepted decision, in the order of `records.decisions` (position `j` is the
/// outcome of decision `j`; [`by_meeting_id`] sorts them for the output).
pub fn outcomes(p: &Params, as_of: NaiveDate, cases: &Cases) -> Result<Vec<DecisionOutcome>> {
    use rayon::prelude::*;
    // Each decision on its own, side by side; the first failing decision's error.
    let out: Vec<Result<DecisionOutcome>> = (cases.records.decisions.par_iter().enumerate())
        .map(|(j, d)| Ok(outcome(p, as_of, cases.meeting_of_decision(j)?, d)))
        .collect();
    out.into_iter().collect()
}

/// The outcomes by meeting_id (a key: no two are equal).
pub fn by_meeting_id(mut outcomes: Vec<DecisionOutcome>) -> Vec<DecisionOutcome> {
    use rayon::prelude::*;
    outcomes.par_sort_unstable_by(|a, b| a.meeting_id.cmp(&b.meeting_id));
    outcomes
}
