//! §3: entitlements from the final decision, exact.
use super::*;
use crate::jobs::special_ed::compute;
use crate::jobs::special_ed::decisions::Setting;
use crate::jobs::special_ed::entitlements::{Entitlement, SplitStatus};

fn entitlement(m: Meeting, d: Decision) -> Option<Entitlement> {
    let recs = records(vec![referral()], vec![m], vec![d]);
    let mut c = compute(&params(), ymd(2027, 6, 1), &recs).unwrap();
    assert!(c.entitlements.len() <= 1);
    c.entitlements.pop()
}

#[test]
fn aide_hours_by_stage_4_3_and_5_4() {
    // "לתשומת הלב": 1.25 basket hours are 5.375 aide hours up to middle school, 6.75 in high.
    for (stage, rate, aide) in [
        (Stage::Kindergarten, "4.3", "5.375"),
        (Stage::Elementary, "4.3", "5.375"),
        (Stage::Middle, "4.3", "5.375"),
        (Stage::High, "5.4", "6.75"),
    ] {
        let mut d = decision("m1");
        d.basket_hours = Some(h("1.25"));
        d.education_stage = stage;
        let e = entitlement(meeting("m1"), d).unwrap();
        assert_eq!(
            (e.aide_rate, e.aide_hours_equivalent),
            (h(rate), h(aide)),
            "{stage:?}"
        );
        assert_eq!(e.guidance_hours, h("0.5"));
    }
}

#[test]
fn the_basket_is_for_integration_only() {
    let mut d = decision("m1");
    d.basket_hours = Some(h("10"));
    d.parents_choice = Some(Choice::SpecialSchool);
    d.split = Some(split("3", "0", "30"));
    let e = entitlement(meeting("m1"), d.clone()).unwrap();
    assert_eq!(e.setting, Setting::Chosen(Choice::SpecialSchool));
    assert_eq!(
        (e.basket_hours, e.aide_hours_equivalent, e.guidance_hours),
        (h("0"), h("0"), h("0"))
    );
    assert_eq!(e.split_status, SplitStatus::None);
    // The split is copied as given.
    assert_eq!(e.split.map(|s| s.aide), Some(h("30")));
    d.parents_choice = None;
    d.parents_choice_on = None;
    let e = entitlement(meeting("m1"), d).unwrap();
    assert_eq!((e.setting, e.basket_hours), (Setting::Undecided, h("0")));
}

#[test]
fn split_status_and_the_basket_kept_below_the_minimum() {
    let mut d = decision("m1");
    d.basket_hours = Some(h("10"));
    d.split = Some(split("3", "0", "30"));
    assert_eq!(
        entitlement(meeting("m1"), d.clone()).unwrap().split_status,
        SplitStatus::Ok
    );
    d.split = Some(split("3", "0", "29.1"));
    assert_eq!(
        entitlement(meeting("m1"), d.clone()).unwrap().split_status,
        SplitStatus::Mismatch
    );
    // 1.86 hours at level 2 is below the minimum: a violation, and the basket stays 1.86.
    d.basket_hours = Some(h("1.86"));
    d.split = None;
    let e = entitlement(meeting("m1"), d).unwrap();
    assert_eq!(
        (e.basket_hours, e.aide_hours_equivalent, e.split_status),
        (h("1.86"), h("7.998"), SplitStatus::None)
    );
}

#[test]
fn implementation_year_is_the_next_unless_exceptional() {
    // "זמני העבודה": decisions take effect the next school year; an exceptional committee's
    // in its own.
    let e = entitlement(meeting("m1"), decision("m1")).unwrap();
    assert_eq!((e.school_year, e.implementation_year), (2027, 2028));
    let mut m = meeting("m1");
    m.exceptional = true;
    assert_eq!(
        entitlement(m, decision("m1")).unwrap().implementation_year,
        2027
    );
}

#[test]
fn a_final_decision_not_eligible_has_no_entitlement() {
    let mut d = decision("m1");
    d.eligible = false;
    assert_eq!(entitlement(meeting("m1"), d), None);
}
