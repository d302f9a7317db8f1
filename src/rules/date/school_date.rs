//! Dates of a school year. School year `Y` (e.g. 2027 = תשפ"ז, 2026/27) runs from
//! 1 September of `Y − 1` to 31 August of `Y`. A pipeline file gives a yearly date either as
//! a month and day (`"11-20"`), which the run places in the school year of its data, so that
//! a new year needs no edit, or as a full date (`"2026-11-20"`), which must then fall in that
//! school year.
use chrono::{Datelike, NaiveDate};
use serde::{de, Deserialize, Serialize};
use std::fmt;

/// The first and the last day of school year `year`.
pub fn school_year_span(year: i64) -> Option<(NaiveDate, NaiveDate)> {
    let y = i32::try_from(year).ok()?;
    Some((
        NaiveDate::from_ymd_opt(y - 1, 9, 1)?,
        NaiveDate::from_ymd_opt(y, 8, 31)?,
    ))
}

/// A date of a pipeline file: a month and day of every school year, or one calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchoolDate {
    /// `MM-DD`: September–December fall in the calendar year before the school year's
    /// number, January–August in it.
    MonthDay { month: u32, day: u32 },
    /// `YYYY-MM-DD`.
    Date(NaiveDate),
}

impl SchoolDate {
    /// Parses `MM-DD` or `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<SchoolDate> {
        if let Some(d) = super::parse_iso(s) {
            return Some(SchoolDate::Date(d));
        }
        let (m, d) = s.split_once('-')?;
        let digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(m) || !digits(d) {
            return None;
        }
        let (month, day) = (m.parse().ok()?, d.parse().ok()?);
        // A day some year has (29 February in a leap year).
        NaiveDate::from_ymd_opt(2028, month, day)?;
        Some(SchoolDate::MonthDay { month, day })
    }

    /// The day in school year `year`, or why there is none: a month and day that year lacks
    /// (29 February), or a full date outside the school year.
    pub fn in_school_year(self, year: i64) -> Result<NaiveDate, String> {
        let (first, last) =
            school_year_span(year).ok_or_else(|| format!("school year {year} is out of range"))?;
        let described = || {
            format!(
                "school year {year} ({}/{}) runs from {first} to {last}",
                year - 1,
                year % 100
            )
        };
        match self {
            SchoolDate::MonthDay { month, day } => {
                let y = if month >= 9 {
                    first.year()
                } else {
                    last.year()
                };
                NaiveDate::from_ymd_opt(y, month, day)
                    .ok_or_else(|| format!("{y} has no {month:02}-{day:02}"))
            }
            SchoolDate::Date(d) if d < first || d > last => Err(format!(
                "{d} is outside the school year of the data: {}",
                described()
            )),
            SchoolDate::Date(d) => Ok(d),
        }
    }
}

impl fmt::Display for SchoolDate {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            SchoolDate::MonthDay { month, day } => write!(f, "{month:02}-{day:02}"),
            SchoolDate::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for SchoolDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SchoolDate {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = SchoolDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a month and day MM-DD, or a date YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SchoolDate, E> {
                SchoolDate::parse(s).ok_or_else(|| {
                    E::custom(
                        "not a month and day MM-DD nor a date YYYY-MM-DD (a day of the calendar)",
                    )
                })
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn month_days_fall_in_the_school_year_of_the_data() {
        let nov = SchoolDate::parse("11-20").unwrap();
        assert_eq!(nov.in_school_year(2027), Ok(ymd(2026, 11, 20)));
        assert_eq!(nov.in_school_year(2029), Ok(ymd(2028, 11, 20)));
        let may = SchoolDate::parse("05-15").unwrap();
        assert_eq!(may.in_school_year(2029), Ok(ymd(2029, 5, 15)));
        // The school year's first and last day, and the turn between them.
        assert_eq!(
            SchoolDate::parse("09-01").unwrap().in_school_year(2027),
            Ok(ymd(2026, 9, 1))
        );
        assert_eq!(
            SchoolDate::parse("08-31").unwrap().in_school_year(2027),
            Ok(ymd(2027, 8, 31))
        );
        // 29 February: in the school year 2028 (2027/28), not in 2027.
        let leap = SchoolDate::parse("02-29").unwrap();
        assert_eq!(leap.in_school_year(2028), Ok(ymd(2028, 2, 29)));
        assert!(leap.in_school_year(2027).is_err());
        assert_eq!(SchoolDate::parse("02-30"), None);
        assert_eq!(SchoolDate::parse("13-01"), None);
        assert_eq!(SchoolDate::parse("1-20"), None);
        assert_eq!(nov.to_string(), "11-20");
    }

    #[test]
    fn a_full_date_must_fall_in_the_school_year() {
        let d = SchoolDate::parse("2026-11-20").unwrap();
        assert_eq!(d.in_school_year(2027), Ok(ymd(2026, 11, 20)));
        let e = d.in_school_year(2029).unwrap_err();
        assert!(
            e.contains("2026-11-20 is outside the school year of the data")
                && e.contains("2028-09-01 to 2029-08-31"),
            "{e}"
        );
        // The day before the first day, and the day after the last.
        let first = SchoolDate::parse("2026-09-01").unwrap();
        assert!(first.in_school_year(2027).is_ok());
        assert!(SchoolDate::parse("2026-08-31")
            .unwrap()
            .in_school_year(2027)
            .is_err());
        assert!(SchoolDate::parse("2027-08-31")
            .unwrap()
            .in_school_year(2027)
            .is_ok());
        assert!(SchoolDate::parse("2027-09-01")
            .unwrap()
            .in_school_year(2027)
            .is_err());
        assert_eq!(d.to_string(), "2026-11-20");
    }
}
