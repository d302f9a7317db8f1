//! §2: each compliance check at its boundaries.
use super::*;
use crate::jobs::special_ed::checks::Rule;
use crate::jobs::special_ed::compute;

const AS_OF: (i32, u32, u32) = (2027, 3, 20);

/// The detail of `rule` for meeting `m1` as of `as_of`, when it fails.
fn failed_at(
    rule: Rule,
    p: &Params,
    r: Referral,
    m: Meeting,
    d: Option<Decision>,
    as_of: NaiveDate,
) -> Option<String> {
    let recs = records(vec![r], vec![m], d.into_iter().collect());
    let c = compute(p, as_of, &recs).unwrap();
    let found: Vec<_> = c.violations.iter().filter(|v| v.rule == rule).collect();
    assert!(found.len() <= 1);
    found.first().map(|v| v.detail.clone())
}

fn failed(rule: Rule, r: Referral, m: Meeting, d: Option<Decision>) -> Option<String> {
    let (y, mo, da) = AS_OF;
    failed_at(rule, &params(), r, m, d, ymd(y, mo, da))
}

fn lawful() -> (Referral, Meeting, Option<Decision>) {
    (referral(), meeting("m1"), Some(decision("m1")))
}

#[test]
fn a_lawful_meeting_fails_no_rule() {
    let (r, m, d) = lawful();
    let recs = records(vec![r], vec![m], d.into_iter().collect());
    let c = compute(&params(), ymd(2027, 3, 20), &recs).unwrap();
    assert_eq!(c.violations, vec![]);
}

#[test]
fn quorum_missing_exactly_one_role() {
    // "המניין החוקי": each of the four roles missing alone fails, even with the regular-ed
    // supervisor and the parents' representative present.
    for missing in [
        Role::Chair,
        Role::AuthorityRep,
        Role::SupervisorSpecialEd,
        Role::Psychologist,
    ] {
        let (r, mut m, d) = lawful();
        m.members_present.retain(|x| *x != missing);
        m.members_present
            .extend([Role::SupervisorRegularEd, Role::ParentRep]);
        m.members_present.sort();
        let detail = failed(Rule::Quorum, r, m, d).expect("fails");
        assert!(
            detail.ends_with(&format!("also needs {}", missing.as_str())),
            "{detail}"
        );
    }
    let (r, m, d) = lawful();
    assert_eq!(failed(Rule::Quorum, r, m, d), None);
    let (r, mut m, d) = lawful();
    m.members_present.clear();
    let detail = failed(Rule::Quorum, r, m, d).unwrap();
    assert!(detail.starts_with("present: nobody;"), "{detail}");
}

#[test]
fn invitation_15_days_fails_16_passes() {
    // "זימון לוועדה": meeting 2027-03-01; invited 2027-02-13 is 16 days, 02-14 is 15.
    let (r, mut m, d) = lawful();
    m.invitation_sent_on = ymd(2027, 2, 13);
    assert_eq!(
        failed(Rule::InvitationShort, r.clone(), m.clone(), d.clone()),
        None
    );
    m.invitation_sent_on = ymd(2027, 2, 14);
    assert_eq!(
        failed(Rule::InvitationShort, r, m, d).as_deref(),
        Some("invited 15 days before the meeting; the law asks 16")
    );
}

#[test]
fn decision_sent_on_day_14_passes_15_fails() {
    // "העברת ההחלטה והפרוטוקול": meeting 2027-03-01; sent 03-15 is day 14, 03-16 day 15.
    let (r, mut m, d) = lawful();
    m.decision_sent_on = Some(ymd(2027, 3, 15));
    assert_eq!(
        failed(Rule::DecisionLate, r.clone(), m.clone(), d.clone()),
        None
    );
    m.decision_sent_on = Some(ymd(2027, 3, 16));
    assert_eq!(
        failed(Rule::DecisionLate, r.clone(), m.clone(), d.clone()).as_deref(),
        Some("decision sent 15 days after the meeting; the law asks at most 14")
    );
    // Not sent: late only once as_of is more than 14 days after the meeting.
    m.decision_sent_on = None;
    let p = params();
    assert_eq!(
        failed_at(
            Rule::DecisionLate,
            &p,
            r.clone(),
            m.clone(),
            d.clone(),
            ymd(2027, 3, 15)
        ),
        None
    );
    let detail = failed_at(
        Rule::DecisionLate,
        &p,
        r.clone(),
        m.clone(),
        d,
        ymd(2027, 3, 16),
    )
    .unwrap();
    assert!(
        detail.starts_with("decision not sent 15 days after the meeting (as of 2027-03-16)"),
        "{detail}"
    );
    // A meeting without a decision row is not checked.
    assert_eq!(
        failed_at(Rule::DecisionLate, &p, r, m, None, ymd(2027, 6, 1)),
        None
    );
}

#[test]
fn referral_on_31_march_passes_1_april_fails() {
    // "מועדי ההפניה": D(03-31) = 2027-03-31.
    let (mut r, m, d) = lawful();
    r.referred_on = ymd(2027, 3, 31);
    assert_eq!(
        failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone()),
        None
    );
    r.referred_on = ymd(2027, 4, 1);
    let detail = failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone()).unwrap();
    assert!(
        detail.contains("after the referral deadline 2027-03-31; no proof"),
        "{detail}"
    );
    // With a proof by 31 March, until 10 August.
    r.diagnosis_in_progress_proof_on = Some(ymd(2027, 3, 31));
    assert_eq!(
        failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone()),
        None
    );
    r.referred_on = ymd(2027, 8, 10);
    assert_eq!(
        failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone()),
        None
    );
    r.referred_on = ymd(2027, 8, 11);
    assert!(failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone())
        .unwrap()
        .contains("after 2027-08-10"));
    // A proof dated 1 April is not valid.
    r.referred_on = ymd(2027, 4, 2);
    r.diagnosis_in_progress_proof_on = Some(ymd(2027, 4, 1));
    let detail = failed(Rule::ReferralLate, r.clone(), m.clone(), d.clone()).unwrap();
    assert!(
        detail.contains("came on 2027-04-01, after 2027-03-31"),
        "{detail}"
    );
    // An exceptional committee waives it.
    let mut m = m;
    m.exceptional = true;
    assert_eq!(failed(Rule::ReferralLate, r, m, d), None);
}

#[test]
fn season_edges() {
    // "תחילת/סיום דיוני הוועדות": 2026-11-01 … 2027-05-15, both inclusive.
    let at = |date: NaiveDate, proof: bool, exceptional: bool| {
        let (mut r, mut m, d) = lawful();
        m.meeting_date = date;
        m.invitation_sent_on = date - chrono::Days::new(20);
        m.decision_sent_on = None;
        m.exceptional = exceptional;
        r.referred_on = date - chrono::Days::new(30);
        if proof {
            r.diagnosis_in_progress_proof_on = Some(ymd(2027, 3, 1));
        }
        failed_at(Rule::MeetingOutOfSeason, &params(), r, m, d, date)
    };
    assert_eq!(
        at(ymd(2026, 10, 31), false, false).as_deref(),
        Some("meeting on 2026-10-31, before the season starts on 2026-11-01")
    );
    assert_eq!(at(ymd(2026, 11, 1), false, false), None);
    assert_eq!(at(ymd(2027, 5, 15), false, false), None);
    assert_eq!(
        at(ymd(2027, 5, 16), false, false).as_deref(),
        Some("meeting on 2027-05-16, after the season ends on 2027-05-15")
    );
    // With a valid proof the season runs to 10 August.
    assert_eq!(at(ymd(2027, 8, 10), true, false), None);
    assert!(at(ymd(2027, 8, 11), true, false)
        .unwrap()
        .contains("after the season ends on 2027-08-10"));
    // An exceptional committee is never out of season.
    assert_eq!(at(ymd(2027, 5, 16), false, true), None);
}

#[test]
fn the_first_reform_year_starts_on_1_december() {
    let at = |date: NaiveDate| {
        let (mut r, mut m, d) = lawful();
        r.school_year = 2020;
        r.referred_on = ymd(2019, 10, 1);
        m.school_year = 2020;
        m.meeting_date = date;
        m.invitation_sent_on = date - chrono::Days::new(20);
        m.decision_sent_on = Some(date);
        failed_at(Rule::MeetingOutOfSeason, &params(), r, m, d, date)
    };
    assert_eq!(
        at(ymd(2019, 11, 30)).as_deref(),
        Some("meeting on 2019-11-30, before the season starts on 2019-12-01")
    );
    assert_eq!(at(ymd(2019, 12, 1)), None);
}

#[test]
fn renewals_november_to_january_first_time_february_to_may() {
    // "תחילת דיוני הוועדות".
    let at = |first_time: bool, date: NaiveDate, rule: Rule| {
        let (mut r, mut m, d) = lawful();
        r.first_time = first_time;
        r.referred_on = ymd(2026, 10, 1);
        m.meeting_date = date;
        m.invitation_sent_on = date - chrono::Days::new(20);
        m.decision_sent_on = Some(date);
        failed_at(rule, &params(), r, m, d, date)
    };
    assert_eq!(at(false, ymd(2027, 1, 31), Rule::RenewalOutOfWindow), None);
    assert_eq!(
        at(false, ymd(2027, 2, 1), Rule::RenewalOutOfWindow).as_deref(),
        Some("renewal heard on 2027-02-01, after the renewals' window ends on 2027-01-31")
    );
    assert_eq!(at(true, ymd(2027, 2, 1), Rule::FirstTimeOutOfWindow), None);
    assert_eq!(
        at(true, ymd(2027, 1, 31), Rule::FirstTimeOutOfWindow).as_deref(),
        Some("first-time hearing on 2027-01-31, before the first-time window opens on 2027-02-01")
    );
    // Out of season, the season's rule speaks, not the window's.
    assert_eq!(at(false, ymd(2027, 5, 16), Rule::RenewalOutOfWindow), None);
    assert_eq!(
        at(true, ymd(2026, 10, 31), Rule::FirstTimeOutOfWindow),
        None
    );
}

#[test]
fn minimum_basket_in_aide_hours_for_autism_only() {
    // Level 2 asks 8 aide hours: elementary 1.87 × 4.3 = 8.041 meets it, 1.86 × 4.3 = 7.998
    // does not. Basket hours are never compared with 8.
    let with = |hours: &str, disability: Disability, stage: Stage| {
        let (mut r, m, mut d) = lawful();
        r.disability = disability;
        let dd = d.as_mut().unwrap();
        dd.basket_hours = Some(h(hours));
        dd.education_stage = stage;
        failed(Rule::BelowMinimum, r, m, d)
    };
    assert_eq!(with("1.87", Disability::Autism, Stage::Elementary), None);
    assert_eq!(
        with("1.86", Disability::Autism, Stage::Elementary).as_deref(),
        Some("a basket of 1.86 hours at level 2 (elementary, 4.3 aide hours an hour) is 7.998 aide hours; level 2 asks at least 8 for autism")
    );
    assert_eq!(with("1.86", Disability::Other, Stage::Elementary), None);
    // 4.3 vs 5.4: 1.5 hours is 6.45 aide hours in middle school (short), 8.1 in high school.
    assert!(with("1.5", Disability::Autism, Stage::Middle).is_some());
    assert_eq!(with("1.5", Disability::Autism, Stage::High), None);
    // Exactly met and one quarter-hour short: with a level-2 minimum of 43 aide hours, 10
    // hours (43) meets it and 9.75 (41.925) does not.
    let mut p = params();
    p.min_aide_hours[1] = h("43");
    let at = |hours: &str, disability: Disability| {
        let (mut r, m, mut d) = lawful();
        r.disability = disability;
        d.as_mut().unwrap().basket_hours = Some(h(hours));
        failed_at(Rule::BelowMinimum, &p, r, m, d, ymd(2027, 3, 20))
    };
    assert_eq!(at("10", Disability::Autism), None);
    assert!(at("9.75", Disability::Autism)
        .unwrap()
        .contains("is 41.925 aide hours; level 2 asks at least 43"));
    assert_eq!(at("9.75", Disability::Other), None);
}

#[test]
fn autism_not_eligible_judges_the_final_decision() {
    // "אוכלוסיית היעד": all students with autism are eligible.
    let (r, m1, _) = lawful();
    let mut m2 = meeting("m2");
    m2.meeting_date = ymd(2027, 3, 2);
    m2.invitation_sent_on = ymd(2027, 2, 10);
    let not = |id: &str| Decision {
        eligible: false,
        functioning_level: None,
        basket_hours: None,
        parents_choice: None,
        parents_choice_on: None,
        ..decision(id)
    };
    let run = |r: &Referral, d1: Decision, d2: Decision| {
        let recs = records(vec![r.clone()], vec![m1.clone(), m2.clone()], vec![d1, d2]);
        let c = compute(&params(), ymd(2027, 3, 20), &recs).unwrap();
        c.violations
            .into_iter()
            .filter(|v| v.rule == Rule::AutismNotEligible)
            .map(|v| v.meeting_id)
            .collect::<Vec<_>>()
    };
    // The final (later) meeting is not eligible: it fails.
    assert_eq!(run(&r, decision("m1"), not("m2")), vec!["m2".to_string()]);
    // An earlier decision that is not eligible, then an eligible one: nothing fails.
    assert_eq!(run(&r, not("m1"), decision("m2")), Vec::<String>::new());
    let mut other = r.clone();
    other.disability = Disability::Other;
    assert_eq!(run(&other, decision("m1"), not("m2")), Vec::<String>::new());
}

#[test]
fn split_the_sources_example_passes_one_aide_hour_off_fails() {
    // "קביעת סל אישי": basket 10, elementary = 43 aide hours; 30 aide + 3 teaching is 0.1
    // short and passes; 29.1 aide + 3 teaching is exactly 1 short and is the team's warning.
    let with = |s: Split, choice: Choice| {
        let (r, m, mut d) = lawful();
        let dd = d.as_mut().unwrap();
        dd.basket_hours = Some(h("10"));
        dd.split = Some(s);
        dd.parents_choice = Some(choice);
        failed(Rule::SplitMismatch, r, m, d)
    };
    assert_eq!(with(split("3", "0", "30"), Choice::Integration), None);
    assert_eq!(
        with(split("3", "0", "29.1"), Choice::Integration).as_deref(),
        Some("split 3 teaching + 0 therapy + 29.1 aide hours is 42 aide hours; the basket of 10 hours is 43 (elementary, rate 4.3): off by 1, the tolerance is below 1")
    );
    // Too much is as wrong as too little; another setting is not checked.
    assert!(with(split("3", "0", "31"), Choice::Integration).is_none());
    assert!(with(split("3", "0", "32"), Choice::Integration).is_some());
    assert_eq!(with(split("3", "0", "29.1"), Choice::SpecialClass), None);
}

#[test]
fn severity_and_responsible() {
    assert_eq!(Rule::SplitMismatch.responsible(), "team");
    assert_eq!(Rule::SplitMismatch.severity(), "warning");
    assert_eq!(Rule::RenewalOutOfWindow.severity(), "warning");
    assert_eq!(Rule::FirstTimeOutOfWindow.severity(), "warning");
    for r in Rule::ALL {
        if !matches!(
            r,
            Rule::SplitMismatch | Rule::RenewalOutOfWindow | Rule::FirstTimeOutOfWindow
        ) {
            assert_eq!(
                (r.severity(), r.responsible()),
                ("violation", "committee"),
                "{r:?}"
            );
        }
    }
    assert_eq!(Rule::AutismNotEligible.name(), "autism_not_eligible");
}
