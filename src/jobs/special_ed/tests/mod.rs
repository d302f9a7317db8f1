//! Unit tests of `special-ed-baskets`, hand-worked at each boundary the spec and issue #20
//! list. Every test builds its records by hand in school year 2027 (D(03-31) = 2027-03-31,
//! D(11-01) = 2026-11-01) with the spec's default parameters.
use super::inputs::{Choice, Decision, Disability, Meeting, Records, Referral, Role, Split, Stage};
use super::{AideRates, Params, YearDates};
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use std::collections::BTreeMap;

mod checks;
mod decisions;
mod entitlements;
mod properties;

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Hours from their decimal text.
pub(super) fn h(text: &str) -> Ratio {
    Ratio::parse_decimal(text).unwrap()
}

fn dates(year: i32) -> YearDates {
    YearDates {
        referral_deadline: ymd(year, 3, 31),
        proof_deadline: ymd(year, 3, 31),
        diagnosis_deadline: ymd(year, 8, 10),
        season_start: ymd(year - 1, 11, 1),
        season_start_first_year: ymd(year - 1, 12, 1),
        season_end: ymd(year, 5, 15),
        renewal_window_end: ymd(year, 1, 31),
        first_time_window_start: ymd(year, 2, 1),
    }
}

/// The spec's defaults, for school years 2020 (the reform's first year) and 2027.
pub(super) fn params() -> Params {
    let mut years = BTreeMap::new();
    years.insert(2020, dates(2020));
    years.insert(2027, dates(2027));
    Params {
        quorum_roles: vec![
            Role::Chair,
            Role::AuthorityRep,
            Role::SupervisorSpecialEd,
            Role::Psychologist,
        ],
        minimum_applies_to: vec![Disability::Autism],
        years,
        reform_first_year: 2020,
        min_invitation_days: 16,
        decision_days: 14,
        presumed_receipt_days: 3,
        choice_days: 14,
        objection_days: 21,
        min_aide_hours: [h("0"), h("8"), h("16"), h("24")],
        aide_rate: AideRates {
            kindergarten: h("4.3"),
            elementary: h("4.3"),
            middle: h("4.3"),
            high: h("5.4"),
        },
        guidance_hours: h("0.5"),
        split_tolerance_aide_hours: h("1"),
        min_cell: 10,
    }
}

pub(super) const STUDENT: &str = "000000018";

/// A first-time autism referral of 2027, referred on 1 March, no proof.
pub(super) fn referral() -> Referral {
    Referral {
        student_id: STUDENT.into(),
        school_year: 2027,
        authority_id: "A1".into(),
        institution_id: "100001".into(),
        disability: Disability::Autism,
        referred_on: ymd(2027, 3, 1),
        first_time: true,
        diagnosis_in_progress_proof_on: None,
    }
}

/// A lawful meeting: 1 March 2027 with the full quorum, invited 20 days before, the decision
/// sent 10 days after.
pub(super) fn meeting(id: &str) -> Meeting {
    Meeting {
        meeting_id: id.into(),
        student_id: STUDENT.into(),
        school_year: 2027,
        meeting_date: ymd(2027, 3, 1),
        invitation_sent_on: ymd(2027, 2, 9),
        decision_sent_on: Some(ymd(2027, 3, 11)),
        members_present: vec![
            Role::Chair,
            Role::AuthorityRep,
            Role::SupervisorSpecialEd,
            Role::Psychologist,
        ],
        exceptional: false,
    }
}

/// An eligible level-2 elementary decision of 2 hours, the parents choosing integration on the
/// day they received it.
pub(super) fn decision(id: &str) -> Decision {
    Decision {
        meeting_id: id.into(),
        eligible: true,
        functioning_level: Some(2),
        basket_hours: Some(h("2")),
        education_stage: Stage::Elementary,
        decision_received_on: None,
        parents_choice: Some(Choice::Integration),
        parents_choice_on: Some(ymd(2027, 3, 14)),
        split: None,
    }
}

pub(super) fn split(teaching: &str, therapy: &str, aide: &str) -> Split {
    Split {
        teaching: h(teaching),
        therapy: h(therapy),
        aide: h(aide),
    }
}

pub(super) fn records(
    referrals: Vec<Referral>,
    meetings: Vec<Meeting>,
    decisions: Vec<Decision>,
) -> Records {
    Records {
        referrals,
        meetings,
        decisions,
        links: None,
    }
}
