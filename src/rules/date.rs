//! Dates as the tables hold them: a date column's values are days since 1970-01-01. A job's
//! typed row reads one with `#[serde(with = "crate::rules::date")]` (see `table::rows`), as a
//! `chrono::NaiveDate`; an ISO text `YYYY-MM-DD` is read too.
use chrono::NaiveDate;
use serde::de::{self, Visitor};
use std::fmt;

/// The date `days` after 1970-01-01 (`None` out of chrono's range).
pub fn from_days(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::try_days(days)?)
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
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| E::custom(format!("`{s}` is not a date YYYY-MM-DD")))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_1970() {
        assert_eq!(from_days(0), NaiveDate::from_ymd_opt(1970, 1, 1));
        assert_eq!(from_days(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
        // 2026-12-31 is day 20,818.
        assert_eq!(from_days(20_818), NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(from_days(i64::MAX), None);
    }
}
