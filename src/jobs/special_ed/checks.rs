//! §2 Compliance checks: each meeting is checked against every rule below; each failed rule is
//! one row of `confidential/violations`, with its severity, who is responsible and a detail
//! that states the numbers. Violations never void a decision or an entitlement. Each rule is
//! a function of the meeting's case that returns the detail when the meeting fails it.
use super::decisions::{Cases, DecisionOutcome};
use super::hours::show;
use super::inputs::{Decision, Disability, Meeting, Referral};
use super::{Params, YearDates};
use crate::error::Result;
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;

/// The rules of §2, in the spec's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Quorum,
    ReferralLate,
    MeetingOutOfSeason,
    InvitationShort,
    DecisionLate,
    BelowMinimum,
    AutismNotEligible,
    SplitMismatch,
    RenewalOutOfWindow,
    FirstTimeOutOfWindow,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::Quorum,
        Rule::ReferralLate,
        Rule::MeetingOutOfSeason,
        Rule::InvitationShort,
        Rule::DecisionLate,
        Rule::BelowMinimum,
        Rule::AutismNotEligible,
        Rule::SplitMismatch,
        Rule::RenewalOutOfWindow,
        Rule::FirstTimeOutOfWindow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::Quorum => "quorum",
            Rule::ReferralLate => "referral_late",
            Rule::MeetingOutOfSeason => "meeting_out_of_season",
            Rule::InvitationShort => "invitation_short",
            Rule::DecisionLate => "decision_late",
            Rule::BelowMinimum => "below_minimum",
            Rule::AutismNotEligible => "autism_not_eligible",
            Rule::SplitMismatch => "split_mismatch",
            Rule::RenewalOutOfWindow => "renewal_out_of_window",
            Rule::FirstTimeOutOfWindow => "first_time_out_of_window",
        }
    }

    /// `violation`, or `warning` for the split and the two windows.
    pub fn severity(self) -> &'static str {
        match self {
            Rule::SplitMismatch | Rule::RenewalOutOfWindow | Rule::FirstTimeOutOfWindow => {
                "warning"
            }
            _ => "violation",
        }
    }

    /// `team` (the multi-professional team, צוות רב-מקצועי, splits the basket) for
    /// `split_mismatch`, else `committee`.
    pub fn responsible(self) -> &'static str {
        match self {
            Rule::SplitMismatch => "team",
            _ => "committee",
        }
    }
}

/// One failed check of one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub meeting_id: String,
    pub student_id: String,
    pub school_year: i64,
    /// The referral's authority (for the run's report; not a column of the table).
    pub authority_id: String,
    pub rule: Rule,
    pub detail: String,
}

/// What the rules of one meeting see.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub params: &'a Params,
    pub dates: &'a YearDates,
    pub as_of: NaiveDate,
    pub referral: &'a Referral,
    pub meeting: &'a Meeting,
    pub decision: Option<&'a Decision>,
    /// §1 of the decision, when there is one.
    pub outcome: Option<&'a DecisionOutcome>,
    /// The meeting holds the student's final decision of the school year.
    pub is_final: bool,
}

fn days(later: NaiveDate, earlier: NaiveDate) -> i64 {
    crate::rules::date::days_between(earlier, later)
}

impl Case<'_> {
    /// The referral's proof that a diagnosis is in progress, given and by the proof deadline.
    pub fn valid_proof(&self) -> bool {
        self.referral
            .diagnosis_in_progress_proof_on
            .is_some_and(|p| p <= self.dates.proof_deadline)
    }

    /// The first day of the season: 1 November, or 1 December in the amendment's first year.
    pub fn season_start(&self) -> NaiveDate {
        if self.meeting.school_year == self.params.reform_first_year {
            self.dates.season_start_first_year
        } else {
            self.dates.season_start
        }
    }

    /// The student's disability is one the level minimums cover.
    fn covered(&self) -> bool {
        self.params
            .minimum_applies_to
            .contains(&self.referral.disability)
    }

    /// The decision when it is eligible.
    fn eligible(&self) -> Option<&Decision> {
        self.decision.filter(|d| d.eligible)
    }
}

/// `quorum` ("המניין החוקי"): a role of the legal quorum is missing.
pub fn quorum(c: &Case) -> Option<String> {
    let missing: Vec<&str> = (c.params.quorum_roles.iter())
        .filter(|r| !c.meeting.members_present.contains(r))
        .map(|r| r.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        let present: Vec<&str> = c
            .meeting
            .members_present
            .iter()
            .map(|r| r.as_str())
            .collect();
        format!(
            "present: {}; the legal quorum also needs {}",
            if present.is_empty() {
                "nobody".to_string()
            } else {
                present.join(", ")
            },
            missing.join(", ")
        )
    })
}

/// `referral_late` ("מועדי ההפניה"): referred after the referral deadline, and not within
/// the diagnosis deadline with a valid proof.
pub fn referral_late(c: &Case) -> Option<String> {
    let r = c.referral.referred_on;
    let d = c.dates;
    if c.meeting.exceptional || r <= d.referral_deadline {
        return None;
    }
    if c.valid_proof() {
        (r > d.diagnosis_deadline).then(|| {
            format!(
                "referred on {r}, after {}, the last day with a proof that a diagnosis is in progress",
                d.diagnosis_deadline
            )
        })
    } else {
        let proof = match c.referral.diagnosis_in_progress_proof_on {
            Some(p) => format!(
                "the proof of a diagnosis in progress came on {p}, after {}",
                d.proof_deadline
            ),
            None => "no proof of a diagnosis in progress".to_string(),
        };
        Some(format!(
            "referred on {r}, after the referral deadline {}; {proof}",
            d.referral_deadline
        ))
    }
}

/// `meeting_out_of_season` ("תחילת/סיום דיוני הוועדות"): the meeting before the season's start
/// or after its end (the diagnosis deadline with a valid proof).
pub fn meeting_out_of_season(c: &Case) -> Option<String> {
    if c.meeting.exceptional {
        return None;
    }
    let date = c.meeting.meeting_date;
    let start = c.season_start();
    let (end, which) = if c.valid_proof() {
        (
            c.dates.diagnosis_deadline,
            "with a proof of a diagnosis in progress",
        )
    } else {
        (c.dates.season_end, "")
    };
    if date < start {
        Some(format!(
            "meeting on {date}, before the season starts on {start}"
        ))
    } else if date > end {
        Some(format!(
            "meeting on {date}, after the season ends on {end}{}",
            if which.is_empty() {
                String::new()
            } else {
                format!(" ({which})")
            }
        ))
    } else {
        None
    }
}

/// `invitation_short` ("זימון לוועדה"): fewer than `min_invitation_days` between the
/// invitation and the meeting.
pub fn invitation_short(c: &Case) -> Option<String> {
    let n = days(c.meeting.meeting_date, c.meeting.invitation_sent_on);
    (n < c.params.min_invitation_days).then(|| {
        format!(
            "invited {n} days before the meeting; the law asks {}",
            c.params.min_invitation_days
        )
    })
}

/// `decision_late` ("העברת ההחלטה והפרוטוקול"): the decision sent more than `decision_days`
/// after the meeting, or not sent and more than `decision_days` have passed by `as_of`.
pub fn decision_late(c: &Case) -> Option<String> {
    c.decision?;
    let m = c.meeting;
    let limit = c.params.decision_days;
    match m.decision_sent_on {
        Some(sent) => {
            let n = days(sent, m.meeting_date);
            (n > limit).then(|| {
                format!("decision sent {n} days after the meeting; the law asks at most {limit}")
            })
        }
        None => {
            let n = days(c.as_of, m.meeting_date);
            (n > limit).then(|| {
                format!(
                    "decision not sent {n} days after the meeting (as of {}); the law asks at most {limit}",
                    c.as_of
                )
            })
        }
    }
}

/// `below_minimum` (table of functioning levels): an eligible, covered student's basket is
/// below its level's minimum in aide hours (basket_hours × the stage's aide rate), in any
/// setting.
pub fn below_minimum(c: &Case) -> Option<String> {
    let d = c.eligible()?;
    if !c.covered() {
        return None;
    }
    let level = d.functioning_level?;
    let min = *c
        .params
        .min_aide_hours
        .get(usize::from(level).checked_sub(1)?)?;
    let basket = d.basket_hours?;
    let rate = c.params.aide_rate.of(d.education_stage);
    let aide = basket * rate;
    (aide < min).then(|| {
        format!(
            "a basket of {} hours at level {level} ({}, {} aide hours an hour) is {} aide hours; level {level} asks at least {} for {}",
            show(basket),
            d.education_stage.as_str(),
            show(rate),
            show(aide),
            show(min),
            c.referral.disability.as_str()
        )
    })
}

/// `autism_not_eligible` ("אוכלוסיית היעד": all students with autism are eligible): the final
/// decision of a student with autism is not eligible.
pub fn autism_not_eligible(c: &Case) -> Option<String> {
    let d = c.decision?;
    (c.is_final && c.referral.disability == Disability::Autism && !d.eligible).then(|| {
        "the final decision for a student with autism is not eligible; all students with autism are eligible".to_string()
    })
}

/// How far a split is from its basket, in aide hours: |teaching + therapy + aide / rate −
/// basket| × rate ("קביעת סל אישי").
pub fn split_off(basket: Ratio, split: &super::Split, rate: Ratio) -> Ratio {
    let diff = split.teaching + split.therapy + split.aide / rate - basket;
    let diff = if diff < Ratio::ZERO { -diff } else { diff };
    diff * rate
}

/// `split_mismatch` ("קביעת סל אישי"; the team's warning): an integrated student's split is
/// off by at least `split_tolerance_aide_hours`.
pub fn split_mismatch(c: &Case) -> Option<String> {
    let d = c.eligible()?;
    let setting = c.outcome.and_then(|o| o.setting)?;
    let (split, basket) = (d.split.as_ref()?, d.basket_hours?);
    if !setting.is_integration() {
        return None;
    }
    let rate = c.params.aide_rate.of(d.education_stage);
    let off = split_off(basket, split, rate);
    (off >= c.params.split_tolerance_aide_hours).then(|| {
        let total = (split.teaching + split.therapy) * rate + split.aide;
        format!(
            "split {} teaching + {} therapy + {} aide hours is {} aide hours; the basket of {} hours is {} ({}, rate {}): off by {}, the tolerance is below {}",
            show(split.teaching),
            show(split.therapy),
            show(split.aide),
            show(total),
            show(basket),
            show(basket * rate),
            d.education_stage.as_str(),
            show(rate),
            show(off),
            show(c.params.split_tolerance_aide_hours)
        )
    })
}

/// `renewal_out_of_window` ("תחילת דיוני הוועדות": renewals November–January): a renewal heard
/// in the season but after the renewal window.
pub fn renewal_out_of_window(c: &Case) -> Option<String> {
    let date = c.meeting.meeting_date;
    let in_season = c.season_start() <= date && date <= c.dates.season_end;
    (!c.referral.first_time
        && !c.meeting.exceptional
        && in_season
        && date > c.dates.renewal_window_end)
        .then(|| {
            format!(
                "renewal heard on {date}, after the renewals' window ends on {}",
                c.dates.renewal_window_end
            )
        })
}

/// `first_time_out_of_window` (same heading: first time February to mid-May): a first-time
/// student heard in the season but before the first-time window.
pub fn first_time_out_of_window(c: &Case) -> Option<String> {
    let date = c.meeting.meeting_date;
    let in_season = c.season_start() <= date && date <= c.dates.season_end;
    (c.referral.first_time
        && !c.meeting.exceptional
        && in_season
        && date < c.dates.first_time_window_start)
        .then(|| {
            format!(
                "first-time hearing on {date}, before the first-time window opens on {}",
                c.dates.first_time_window_start
            )
        })
}

/// A rule: the detail of a failed check, or `None`.
type RuleFn = fn(&Case) -> Option<String>;

/// Every rule's detail for one meeting, in the order of [`Rule::ALL`].
pub fn check(c: &Case) -> Vec<(Rule, String)> {
    let rules: [(Rule, RuleFn); 10] = [
        (Rule::Quorum, quorum),
        (Rule::ReferralLate, referral_late),
        (Rule::MeetingOutOfSeason, meeting_out_of_season),
        (Rule::InvitationShort, invitation_short),
        (Rule::DecisionLate, decision_late),
        (Rule::BelowMinimum, below_minimum),
        (Rule::AutismNotEligible, autism_not_eligible),
        (Rule::SplitMismatch, split_mismatch),
        (Rule::RenewalOutOfWindow, renewal_out_of_window),
        (Rule::FirstTimeOutOfWindow, first_time_out_of_window),
    ];
    rules
        .into_iter()
        .filter_map(|(rule, f)| f(c).map(|detail| (rule, detail)))
        .collect()
}

/// §2 on every accepted meeting, sorted by (meeting_id, rule name). `outcomes` are §1 of the
/// decisions in the order of `records.decisions` ([`super::decisions::outcomes`]).
pub fn violations(
    params: &Params,
    as_of: NaiveDate,
    cases: &Cases,
    outcomes: &[DecisionOutcome],
) -> Result<Vec<Violation>> {
    let mut out = Vec::new();
    for (i, m) in cases.records.meetings.iter().enumerate() {
        let decision = cases.decision_at_meeting(i);
        let c = Case {
            params,
            dates: params.dates(m.school_year)?,
            as_of,
            referral: cases.referral_at_meeting(i).ok_or_else(|| {
                crate::error::Error::Job(format!("meeting `{}` has no referral", m.meeting_id))
            })?,
            meeting: m,
            decision: decision.map(|(_, d)| d),
            outcome: decision.and_then(|(j, _)| outcomes.get(j)),
            is_final: cases.is_final_at_meeting(i),
        };
        for (rule, detail) in check(&c) {
            out.push(Violation {
                meeting_id: m.meeting_id.clone(),
                student_id: m.student_id.clone(),
                school_year: m.school_year,
                authority_id: c.referral.authority_id.clone(),
                rule,
                detail,
            });
        }
    }
    // (meeting_id, rule) is a key: no two rows are equal, so an unstable sort gives the
    // one order.
    out.sort_unstable_by(|a, b| {
        (a.meeting_id.as_str(), a.rule.name()).cmp(&(b.meeting_id.as_str(), b.rule.name()))
    });
    Ok(out)
}
