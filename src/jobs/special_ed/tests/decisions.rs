//! §1: receipt, the parents' choice as of as_of, the objection deadline, the final decision.
use super::*;
use crate::jobs::special_ed::decisions::{choice_status, outcome, Cases, ChoiceStatus, Setting};

#[test]
fn choice_on_day_14_is_in_time_day_15_late() {
    // "הפקעת זכות הבחירה": sent 2027-03-10, presumed received 03-13 (registered mail, 3 days);
    // a choice on 03-27 (day 14) is in time, 03-28 late.
    let p = params();
    let mut m = meeting("m1");
    m.decision_sent_on = Some(ymd(2027, 3, 10));
    let mut d = decision("m1");
    d.parents_choice_on = Some(ymd(2027, 3, 27));
    let o = outcome(&p, ymd(2027, 6, 1), &m, &d);
    assert_eq!(o.received_on, Some(ymd(2027, 3, 13)));
    assert!(o.received_on_presumed);
    assert_eq!(o.choice_status, Some(ChoiceStatus::MadeInTime));
    assert!(!o.committee_decides_setting);
    assert_eq!(o.objection_deadline, Some(ymd(2027, 4, 3)));
    d.parents_choice_on = Some(ymd(2027, 3, 28));
    let o = outcome(&p, ymd(2027, 6, 1), &m, &d);
    assert_eq!(o.choice_status, Some(ChoiceStatus::MadeLate));
    assert!(o.committee_decides_setting);
    // The setting stays the parents' choice.
    assert_eq!(o.setting, Some(Setting::Chosen(Choice::Integration)));
}

#[test]
fn a_choice_still_inside_its_window_is_pending_not_late() {
    let p = params();
    let r = Some(ymd(2027, 3, 13));
    assert_eq!(
        choice_status(&p, ymd(2027, 3, 27), r, None),
        ChoiceStatus::Pending
    );
    assert_eq!(
        choice_status(&p, ymd(2027, 3, 28), r, None),
        ChoiceStatus::Missing
    );
    // Without a receipt date nothing runs: pending, and a choice is in time.
    assert_eq!(
        choice_status(&p, ymd(2030, 1, 1), None, None),
        ChoiceStatus::Pending
    );
    assert_eq!(
        choice_status(&p, ymd(2030, 1, 1), None, Some(ymd(2029, 1, 1))),
        ChoiceStatus::MadeInTime
    );
    let mut m = meeting("m1");
    m.decision_sent_on = Some(ymd(2027, 3, 10));
    let mut d = decision("m1");
    d.parents_choice = None;
    d.parents_choice_on = None;
    let o = outcome(&p, ymd(2027, 3, 27), &m, &d);
    assert_eq!(
        (o.setting, o.choice_status),
        (Some(Setting::Undecided), Some(ChoiceStatus::Pending))
    );
    assert!(!o.committee_decides_setting);
    let o = outcome(&p, ymd(2027, 3, 28), &m, &d);
    assert_eq!(o.choice_status, Some(ChoiceStatus::Missing));
    assert!(o.committee_decides_setting);
}

#[test]
fn the_receipt_date_recorded_wins_over_the_presumed_one() {
    // Deadlines from receiving a decision run from the receipt date.
    let p = params();
    let mut m = meeting("m1");
    m.decision_sent_on = Some(ymd(2027, 3, 10));
    let mut d = decision("m1");
    d.decision_received_on = Some(ymd(2027, 3, 20));
    d.parents_choice_on = Some(ymd(2027, 4, 3));
    let o = outcome(&p, ymd(2027, 6, 1), &m, &d);
    assert_eq!(
        (o.received_on, o.received_on_presumed),
        (Some(ymd(2027, 3, 20)), false)
    );
    assert_eq!(o.choice_status, Some(ChoiceStatus::MadeInTime));
    assert_eq!(o.objection_deadline, Some(ymd(2027, 4, 10)));
    // Neither sent nor received: no receipt date and no objection deadline.
    m.decision_sent_on = None;
    d.decision_received_on = None;
    let o = outcome(&p, ymd(2027, 6, 1), &m, &d);
    assert_eq!(
        (o.received_on, o.objection_deadline, o.received_on_presumed),
        (None, None, false)
    );
}

#[test]
fn not_eligible_has_no_setting_level_or_choice() {
    let p = params();
    let mut d = decision("m1");
    d.eligible = false;
    let o = outcome(&p, ymd(2027, 6, 1), &meeting("m1"), &d);
    assert_eq!(
        (o.setting, o.choice_status, o.functioning_level),
        (None, None, None)
    );
    assert!(!o.committee_decides_setting);
}

#[test]
fn the_final_decision_is_the_latest_meeting_ties_by_code_point_order() {
    // Same day: "9" > "10" in code-point order, so meeting "9" is final.
    let m9 = meeting("9");
    let m10 = meeting("10");
    let mut m8 = meeting("8");
    m8.meeting_date = ymd(2027, 2, 28);
    // A later meeting without a decision does not count.
    let mut m11 = meeting("11");
    m11.meeting_date = ymd(2027, 4, 1);
    let recs = records(
        vec![referral()],
        vec![m8.clone(), m9.clone(), m10.clone(), m11.clone()],
        vec![decision("8"), decision("9"), decision("10")],
    );
    let cases = Cases::new(&recs);
    assert!(cases.is_final(&m9));
    assert!(!cases.is_final(&m10) && !cases.is_final(&m8) && !cases.is_final(&m11));
    assert_eq!(cases.finals().collect::<Vec<_>>(), vec!["9"]);
}
