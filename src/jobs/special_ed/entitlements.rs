//! §3 Support entitlements ("קביעת סל אישי", "זמני העבודה"): one per student and school year
//! whose final decision is eligible, in exact hours. One basket hour is one teaching hour, one
//! therapy hour, or `aide_rate` aide hours of the stage the basket is used in (4.3 up to middle
//! school, 5.4 in high school); every integrated student also gets the support center's
//! guidance hours. A violation never changes an entitlement: nothing here reads §2.
use super::checks::split_off;
use super::decisions::{Cases, DecisionOutcome, Setting};
use super::inputs::{Split, Stage};
use super::Params;
use crate::error::{Error, Result};
use crate::rules::fraction::Ratio;

/// Whether an integrated student's split matches the basket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitStatus {
    /// Not integrated, or no split given.
    None,
    Ok,
    Mismatch,
}

impl SplitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SplitStatus::None => "none",
            SplitStatus::Ok => "ok",
            SplitStatus::Mismatch => "mismatch",
        }
    }
}

crate::jobs::serialize_as_str!(SplitStatus);

/// One student's entitlement for the year after the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub student_id: String,
    pub school_year: i64,
    pub implementation_year: i64,
    pub meeting_id: String,
    pub authority_id: String,
    pub institution_id: String,
    pub functioning_level: u8,
    pub education_stage: Stage,
    pub setting: Setting,
    /// The decided basket when integrated, else 0 (kept as decided even below the minimum).
    pub basket_hours: Ratio,
    pub aide_rate: Ratio,
    /// basket_hours × aide_rate.
    pub aide_hours_equivalent: Ratio,
    pub split_status: SplitStatus,
    /// The split as given (an empty part is 0), `None` without a split.
    pub split: Option<Split>,
    pub guidance_hours: Ratio,
}

/// The split's status: `none` unless integrated with a split, else `mismatch` when it is off
/// by at least `split_tolerance_aide_hours` aide hours, else `ok`.
pub fn split_status(
    p: &Params,
    setting: Setting,
    basket: Ratio,
    split: Option<&Split>,
    rate: Ratio,
) -> SplitStatus {
    match split {
        Some(s) if setting.is_integration() => {
            if split_off(basket, s, rate) >= p.split_tolerance_aide_hours {
                SplitStatus::Mismatch
            } else {
                SplitStatus::Ok
            }
        }
        _ => SplitStatus::None,
    }
}

/// §3 for every student and school year whose final decision is eligible, by (school_year,
/// student_id). `outcomes` are §1 of the decisions in the order of `records.decisions`
/// ([`super::decisions::outcomes`]).
pub fn entitlements(
    p: &Params,
    cases: &Cases,
    outcomes: &[DecisionOutcome],
) -> Result<Vec<Entitlement>> {
    let mut out = Vec::with_capacity(cases.final_positions().len());
    for &i in cases.final_positions() {
        let m = &cases.records.meetings[i];
        let Some((d, o)) = cases
            .decision_at_meeting(i)
            .and_then(|(j, d)| Some((d, outcomes.get(j)?)))
        else {
            return Err(Error::Job(format!(
                "final meeting `{}` has no decision",
                m.meeting_id
            )));
        };
        if !d.eligible {
            continue;
        }
        let referral = cases
            .referral_at_meeting(i)
            .ok_or_else(|| Error::Job(format!("meeting `{}` has no referral", m.meeting_id)))?;
        let setting = o.setting.unwrap_or(Setting::Undecided);
        let integrated = setting.is_integration();
        let decided = d.basket_hours.unwrap_or(Ratio::ZERO);
        let basket_hours = if integrated { decided } else { Ratio::ZERO };
        let rate = p.aide_rate.of(d.education_stage);
        out.push(Entitlement {
            student_id: m.student_id.clone(),
            school_year: m.school_year,
            implementation_year: if m.exceptional {
                m.school_year
            } else {
                m.school_year + 1
            },
            meeting_id: m.meeting_id.clone(),
            authority_id: referral.authority_id.clone(),
            institution_id: referral.institution_id.clone(),
            functioning_level: d.functioning_level.unwrap_or(0),
            education_stage: d.education_stage,
            setting,
            basket_hours,
            aide_rate: rate,
            aide_hours_equivalent: basket_hours * rate,
            split_status: split_status(p, setting, decided, d.split.as_ref(), rate),
            split: d.split,
            guidance_hours: if integrated {
                p.guidance_hours
            } else {
                Ratio::ZERO
            },
        });
    }
    // (school_year, student_id) is a key of the referrals: no two rows are equal.
    out.sort_unstable_by(|a, b| {
        (a.school_year, &a.student_id).cmp(&(b.school_year, &b.student_id))
    });
    Ok(out)
}
