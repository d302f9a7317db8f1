//! Date arithmetic as the regulations count it (gifted.md §6 "Dates"; the same counting serves
//! every job's deadlines):
//! - the school year of a date: September–December belong to the school year that ends the
//!   next calendar year ([`school_year_of`]);
//! - whole calendar days between two dates ([`days_between`]) and a date some days later
//!   ([`add_days`]);
//! - a date some months later, on the same day of the month, or on the last day of a shorter
//!   month ([`add_months`]: 2026-04-30 + 10 months = 2027-02-28);
//! - inclusive deadlines: a date on the deadline is in time ([`in_time`], [`within_days`]);
//! - a month and day compared with a date's month and day, whatever the year
//!   ([`on_or_after_month_day`]).
use chrono::{Datelike, Days, Months, NaiveDate};

/// The school year of `d`: `d`'s calendar year, plus one from September on (school year 2027
/// runs from 2026-09-01 to 2027-08-31).
pub fn school_year_of(d: NaiveDate) -> i64 {
    i64::from(d.year()) + i64::from(d.month() >= 9)
}

/// `d` + `months` months: the same day of the month, or the last day of the month reached when
/// it is shorter (31 January + 1 month = 28 or 29 February). `None` beyond the calendar.
pub fn add_months(d: NaiveDate, months: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(months))
}

/// `d` + `days` calendar days (`days` may be negative). `None` beyond the calendar.
pub fn add_days(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// Whole calendar days from `earlier` to `later` (negative when `later` comes first).
pub fn days_between(earlier: NaiveDate, later: NaiveDate) -> i64 {
    (later - earlier).num_days()
}

/// A deadline is inclusive: `d` on the deadline is in time, the day after is late.
pub fn in_time(d: NaiveDate, deadline: NaiveDate) -> bool {
    d <= deadline
}

/// Whether `d` is at most `days` calendar days after `start` (inclusive: day `days` is in time,
/// day `days + 1` is late; any day before `start` is in time).
pub fn within_days(d: NaiveDate, start: NaiveDate, days: i64) -> bool {
    match add_days(start, days) {
        Some(deadline) => in_time(d, deadline),
        // A deadline beyond the calendar: every date is before it.
        None => days >= 0,
    }
}

/// Whether `d`'s month and day are on or after `month`-`day`, whatever the year (1 July is on
/// or after 07-01, 30 June is not).
pub fn on_or_after_month_day(d: NaiveDate, month: u32, day: u32) -> bool {
    (d.month(), d.day()) >= (month, day)
}

/// The number of days of `d`'s month.
pub fn days_in_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).unwrap_or(d);
    match first.checked_add_months(Months::new(1)) {
        Some(next) => (next - first).num_days() as u32,
        // December of chrono's last year.
        None => 31,
    }
}

#[cfg(test)]
mod tests;
