//! The one date module of the product.
//! - Here: dates as the tables hold them. A date column's values are days since 1970-01-01. A
//!   job's typed row reads one with `#[serde(with = "crate::rules::date")]` (see
//!   `table::rows`), as a `chrono::NaiveDate`; an ISO text `YYYY-MM-DD` is read too. An output
//!   row writes one the same way, as its days (see `output::rows`).
//! - [`school_date`]: the dates of a school year, and month-day parameters (`"12-31"`) placed
//!   in one.
//! - [`calendar`]: the arithmetic of deadlines — the school year of a date, whole days, months
//!   added with the month's end clamped, inclusive deadlines.
pub mod calendar;
pub mod school_date;

pub use calendar::{
    add_days, add_months, days_between, in_time, on_or_after_month_day, school_year_of, within_days,
};

use chrono::NaiveDate;
use serde::de::{self, Visitor};
use std::fmt;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// The date `days` after 1970-01-01 (`None` out of chrono's range).
pub fn from_days(days: i64) -> Option<NaiveDate> {
    let ce = i32::try_from(days.checked_add(EPOCH_DAYS_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// Parses an ISO `YYYY-MM-DD` date strictly (surrounding spaces allowed), as the data contract
/// writes dates.
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let b = s.as_bytes();
    if s.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    // The usual text, eight digits: read directly (chrono's format parser costs a tenth of
    // a national read); it is the same day chrono reads, and anything else goes to chrono.
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The days from 1970-01-01 to `d` (negative before it).
pub fn to_days(d: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(d.num_days_from_ce()) - EPOCH_DAYS_FROM_CE
}

/// serde: a date as its days since 1970-01-01 (an output row's date column).
pub fn serialize<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(to_days(*d))
}

/// serde: a date from its days since 1970-01-01 or its ISO text.
pub fn deserialize<'de, D: de::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    struct DateVisitor;
    impl Visitor<'_> for DateVisitor {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date")
        }
        fn visit_i64<E: de::Error>(self, days: i64) -> Result<NaiveDate, E> {
            from_days(days).ok_or_else(|| E::custom(format!("day {days} is out of range")))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<NaiveDate, E> {
            parse_iso(s).ok_or_else(|| E::custom(format!("`{s}` is not a date YYYY-MM-DD")))
        }
    }
    d.deserialize_any(DateVisitor)
}

/// serde: an optional date (`#[serde(default, deserialize_with = "crate::rules::date::optional")]`).
pub fn optional<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    struct Some_;
    impl<'de> Visitor<'de> for Some_ {
        type Value = Option<NaiveDate>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date or nothing")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: de::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            deserialize(d).map(Some)
        }
    }
    d.deserialize_option(Some_)
}

/// serde for dates a person writes in a pipeline file: ISO text `YYYY-MM-DD` only (a TOML
/// date `2026-11-20` arrives as that text), written back as the same text, so the manifest
/// records the date as the file gave it. A number of days is refused here.
/// `#[serde(with = "crate::rules::date::iso")]`.
pub mod iso {
    use super::parse_iso;
    use chrono::NaiveDate;
    use serde::de::{self, Visitor};
    use std::fmt;

    /// The date as `YYYY-MM-DD`.
    pub fn serialize<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.format("%Y-%m-%d"))
    }

    /// A date from its ISO text; the error says what was found.
    pub fn deserialize<'de, D: de::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        struct IsoVisitor;
        impl Visitor<'_> for IsoVisitor {
            type Value = NaiveDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date of the form YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<NaiveDate, E> {
                parse_iso(s).ok_or_else(|| {
                    E::custom("not a date of the form YYYY-MM-DD (a day of the calendar)")
                })
            }
        }
        d.deserialize_str(IsoVisitor)
    }

    /// serde for `Option<NaiveDate>` (`#[serde(default, with = "crate::rules::date::iso::option")]`):
    /// absent or `null` is `None`.
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserialize, Deserializer, Serializer};

        /// The date as `YYYY-MM-DD`, or nothing.
        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_some(&d.format("%Y-%m-%d").to_string()),
                None => s.serialize_none(),
            }
        }

        /// A date from its ISO text, when present.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            #[derive(Deserialize)]
            struct Iso(#[serde(with = "super")] NaiveDate);
            Ok(Option::<Iso>::deserialize(d)?.map(|Iso(d)| d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_1970() {
        assert_eq!(from_days(0), NaiveDate::from_ymd_opt(1970, 1, 1));
        assert_eq!(from_days(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
        // 2026-12-31 is day 20,818.
        assert_eq!(from_days(20_818), NaiveDate::from_ymd_opt(2026, 12, 31));
        for days in [-1, 0, 20_818] {
            assert_eq!(from_days(days).map(to_days), Some(days));
        }
        assert_eq!(from_days(i64::MAX), None);
    }

    #[test]
    fn iso_dates_are_read_strictly() {
        assert_eq!(
            parse_iso(" 2026-12-31 "),
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        for bad in ["2026-2-28", "2026-02-30", "31/12/2026", "2026-12-310", ""] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_direct_read_of_eight_digits_is_chronos() {
        let chrono = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let mut texts: Vec<String> = Vec::new();
        for y in [0, 1, 999, 1999, 2000, 2026, 2027, 2028, 2100, 9999] {
            for m in 0..=13 {
                for d in 0..=32 {
                    texts.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        texts.extend(
            [
                "+202-01-01",
                "-001-01-01",
                "2026-1a-01",
                "2026- 1-01",
                "20x6-01-01",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(parse_iso(t), chrono(t), "{t}");
        }
        assert_eq!(
            parse_iso("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(parse_iso("2026-02-29"), None);
    }

    #[test]
    fn pipeline_dates_are_calendar_days_in_iso_text() {
        #[derive(serde::Deserialize, serde::Serialize)]
        struct D {
            #[serde(with = "iso")]
            day: NaiveDate,
            #[serde(default, with = "iso::option")]
            by: Option<NaiveDate>,
        }
        // As the pipeline reads it: the file's text to a table, the table to the type.
        let parse = |t: &str| {
            let table: toml::Table = toml::from_str(t).unwrap();
            <D as serde::Deserialize>::deserialize(toml::Value::Table(table))
        };
        let read = |t: &str| parse(t).map(|d| d.day);
        // 2028 is a leap year, 2026 is not.
        assert_eq!(
            read("day = \"2028-02-29\"").unwrap(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        let e = read("day = \"2026-02-29\"").unwrap_err().to_string();
        assert!(e.contains("not a date of the form YYYY-MM-DD"), "{e}");
        // A TOML date is its ISO text; a number of days is not a pipeline date.
        assert!(read("day = 2028-02-29").is_ok());
        assert!(read("day = 20000").is_err());
        let d = parse("day = \"2026-11-20\"").unwrap();
        assert_eq!(d.by, None);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"day":"2026-11-20","by":null}"#
        );
    }
}
