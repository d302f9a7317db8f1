//! §1 Decisions, parents' choice and objections: when the parents received each decision, the
//! setting and the status of the parents' choice as of `as_of` ("בחירת ההורים", "הפקעת זכות
//! הבחירה"), the objection deadline ("השגה"), and each student's final decision of a school
//! year (the latest meeting with a decision).
use super::inputs::{Choice, Decision, Meeting, Records, Referral};
use super::Params;
use crate::error::{Error, Result};
use crate::rules::date::days_between;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The records with their lookups: a meeting's referral and decision, each student's final
/// meeting.
pub struct Cases<'a> {
    pub records: &'a Records,
    referral_of: HashMap<(&'a str, i64), &'a Referral>,
    decision_of: HashMap<&'a str, &'a Decision>,
    meeting_of: HashMap<&'a str, &'a Meeting>,
    /// (student_id, school_year) → the meeting_id of the final decision.
    final_of: BTreeMap<(&'a str, i64), &'a str>,
}

impl<'a> Cases<'a> {
    pub fn new(records: &'a Records) -> Self {
        let referral_of = records
            .referrals
            .iter()
            .map(|r| ((r.student_id.as_str(), r.school_year), r))
            .collect();
        let decision_of = records
            .decisions
            .iter()
            .map(|d| (d.meeting_id.as_str(), d))
            .collect();
        let meeting_of: HashMap<&str, &Meeting> = records
            .meetings
            .iter()
            .map(|m| (m.meeting_id.as_str(), m))
            .collect();
        let mut final_of: BTreeMap<(&str, i64), &Meeting> = BTreeMap::new();
        for d in &records.decisions {
            let Some(m) = meeting_of.get(d.meeting_id.as_str()).copied() else {
                continue;
            };
            let key = (m.student_id.as_str(), m.school_year);
            let later = |old: &Meeting| {
                (m.meeting_date, m.meeting_id.as_str()) > (old.meeting_date, &old.meeting_id)
            };
            if final_of.get(&key).is_none_or(|old| later(old)) {
                final_of.insert(key, m);
            }
        }
        let final_of = final_of
            .into_iter()
            .map(|(k, m)| (k, m.meeting_id.as_str()))
            .collect();
        Cases {
            records,
            referral_of,
            decision_of,
            meeting_of,
            final_of,
        }
    }

    /// The referral a meeting belongs to (every accepted meeting has one).
    pub fn referral(&self, m: &Meeting) -> Result<&'a Referral> {
        self.referral_of
            .get(&(m.student_id.as_str(), m.school_year))
            .copied()
            .ok_or_else(|| Error::Job(format!("meeting `{}` has no referral", m.meeting_id)))
    }

    pub fn decision(&self, meeting_id: &str) -> Option<&'a Decision> {
        self.decision_of.get(meeting_id).copied()
    }

    pub fn meeting(&self, meeting_id: &str) -> Result<&'a Meeting> {
        self.meeting_of
            .get(meeting_id)
            .copied()
            .ok_or_else(|| Error::Job(format!("decision of unknown meeting `{meeting_id}`")))
    }

    /// Whether the meeting holds its student's final decision of its school year: that of the
    /// latest meeting with a decision (greatest meeting_date; on the same day, the greatest
    /// meeting_id in code-point order, so `"9"` after `"10"`).
    pub fn is_final(&self, m: &Meeting) -> bool {
        self.final_of.get(&(m.student_id.as_str(), m.school_year)) == Some(&m.meeting_id.as_str())
    }

    /// The final meetings, by (student_id, school_year).
    pub fn finals(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.final_of.values().copied()
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

/// §1 for every accepted decision, by meeting_id.
pub fn outcomes(p: &Params, as_of: NaiveDate, cases: &Cases) -> Result<Vec<DecisionOutcome>> {
    let mut out = Vec::with_capacity(cases.records.decisions.len());
    for d in &cases.records.decisions {
        let m = cases.meeting(&d.meeting_id)?;
        out.push(outcome(p, as_of, m, d));
    }
    out.sort_by(|a, b| a.meeting_id.cmp(&b.meeting_id));
    Ok(out)
}
