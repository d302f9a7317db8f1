//! Dates as the tables hold them: a date column's values are days since 1970-01-01. A job's
//! typed row reads one with `#[serde(with = "crate::rules::date")]` (see `table::rows`), as a
//! `chrono::NaiveDate`; an ISO text `YYYY-MM-DD` is read too.
use chrono::NaiveDate;
use serde::de::{self, Visitor};
use std::fmt;

/// The date `days` after 1970-01-01 (`None` out of chrono's range).
pub fn from_days(days: i64) -> Option<NaiveDate> {
    /// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
    const EPOCH_DAYS_FROM_CE: i64 = 719_163;
    let ce = i32::try_from(days.checked_add(EPOCH_DAYS_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// Parses an ISO `YYYY-MM-DD` date strictly (surrounding spaces allowed), as the data contract
/// writes dates.
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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
}
