//! Hand-worked boundaries of gifted.md §6 "Dates", and the properties of the arithmetic.
use super::super::school_date::{school_year_span, SchoolDate};
use super::*;
use proptest::prelude::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// gifted.md §6 "Dates": September–December are the next school year's.
#[test]
fn the_school_year_turns_on_1_september() {
    assert_eq!(school_year_of(ymd(2026, 8, 31)), 2026);
    assert_eq!(school_year_of(ymd(2026, 9, 1)), 2027);
    assert_eq!(school_year_of(ymd(2026, 12, 31)), 2027);
    assert_eq!(school_year_of(ymd(2027, 1, 1)), 2027);
}

/// §5.1.ב: ten months on the same day; a shorter month gives its last day.
#[test]
fn months_are_added_with_the_month_end_clamped() {
    assert_eq!(add_months(ymd(2026, 4, 30), 10), Some(ymd(2027, 2, 28)));
    // 2028 is a leap year.
    assert_eq!(add_months(ymd(2027, 4, 30), 10), Some(ymd(2028, 2, 29)));
    assert_eq!(add_months(ymd(2026, 5, 31), 10), Some(ymd(2027, 3, 31)));
    assert_eq!(add_months(ymd(2026, 5, 30), 10), Some(ymd(2027, 3, 30)));
    assert_eq!(add_months(ymd(2026, 1, 31), 1), Some(ymd(2026, 2, 28)));
    assert_eq!(add_months(ymd(2026, 3, 15), 0), Some(ymd(2026, 3, 15)));
    assert_eq!(add_months(NaiveDate::MAX, 1), None);
}

/// gifted.md §6: every deadline is inclusive; 31 December is in time, 1 January late.
#[test]
fn deadlines_are_inclusive() {
    let deadline = ymd(2026, 12, 31);
    assert!(in_time(ymd(2026, 12, 30), deadline));
    assert!(in_time(ymd(2026, 12, 31), deadline));
    assert!(!in_time(ymd(2027, 1, 1), deadline));
}

/// §5.2.א: day 7 after the exam is in time, day 8 late, a day before the exam in time.
#[test]
fn a_number_of_days_after_a_date_is_inclusive() {
    let exam = ymd(2027, 2, 25);
    assert!(within_days(ymd(2027, 3, 4), exam, 7));
    assert!(!within_days(ymd(2027, 3, 5), exam, 7));
    assert!(within_days(ymd(2027, 2, 20), exam, 7));
    assert!(within_days(NaiveDate::MAX, NaiveDate::MAX, 7));
    assert_eq!(days_between(exam, ymd(2027, 3, 4)), 7);
    assert_eq!(days_between(ymd(2027, 3, 4), exam), -7);
    assert_eq!(add_days(exam, 4), Some(ymd(2027, 3, 1)));
    assert_eq!(add_days(exam, -25), Some(ymd(2027, 1, 31)));
    assert_eq!(add_days(NaiveDate::MAX, 1), None);
}

/// §1.7.א.1 "began studying": a month-day compared without the year.
#[test]
fn month_days_compare_without_the_year() {
    assert!(on_or_after_month_day(ymd(2019, 7, 1), 7, 1));
    assert!(!on_or_after_month_day(ymd(2019, 6, 30), 7, 1));
    assert!(on_or_after_month_day(ymd(2019, 12, 31), 7, 1));
    assert!(!on_or_after_month_day(ymd(2020, 1, 1), 7, 1));
}

#[test]
fn days_in_a_month() {
    assert_eq!(days_in_month(ymd(2027, 2, 10)), 28);
    assert_eq!(days_in_month(ymd(2028, 2, 10)), 29);
    assert_eq!(days_in_month(ymd(2027, 4, 1)), 30);
    assert_eq!(days_in_month(ymd(2027, 12, 31)), 31);
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (1900i32..2200, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
        let first = ymd(y, m, 1);
        ymd(y, m, d.min(days_in_month(first)))
    })
}

proptest! {
    /// Adding months lands in the month `months` later, never past its end, on the same day
    /// when the month has it and on its last day otherwise.
    #[test]
    fn adding_months_never_passes_the_month_end(d in any_date(), months in 0u32..240) {
        let r = add_months(d, months).unwrap();
        let index = |x: NaiveDate| i64::from(x.year()) * 12 + i64::from(x.month0());
        prop_assert_eq!(index(r) - index(d), i64::from(months));
        prop_assert!(r.day() <= days_in_month(r));
        prop_assert_eq!(r.day(), d.day().min(days_in_month(r)));
        prop_assert!(r >= d);
    }

    /// A date lies in its school year, and its month and day placed in that school year give
    /// the date back.
    #[test]
    fn a_date_and_its_school_year_round_trip(d in any_date()) {
        let y = school_year_of(d);
        let (first, last) = school_year_span(y).unwrap();
        prop_assert!(first <= d && d <= last);
        let md = SchoolDate::MonthDay { month: d.month(), day: d.day() };
        prop_assert_eq!(md.in_school_year(y), Ok(d));
        prop_assert_eq!(school_year_of(first), y);
        prop_assert_eq!(school_year_of(last), y);
    }

    /// Days added and counted back agree; the deadline day itself is in time, the next is not.
    #[test]
    fn days_round_trip_and_deadlines_are_inclusive(d in any_date(), n in -4000i64..4000) {
        let e = add_days(d, n).unwrap();
        prop_assert_eq!(days_between(d, e), n);
        if n >= 0 {
            prop_assert!(within_days(e, d, n));
            prop_assert!(!within_days(add_days(e, 1).unwrap(), d, n));
        }
    }
}
