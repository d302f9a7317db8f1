//! `[letters]` of the request jobs of gifted.md §6 (`retest-review`, `special-sessions`): the
//! date printed on the decision letters and their signatures (gifted.md §7). The date is a
//! month and day `MM-DD` placed in the school year of the data, or a full date in that year
//! (`rules::date::school_date`), never the clock.
use crate::error::{Error, Result};
use crate::jobs::letters::LetterParams;
use crate::rules::date::school_date::SchoolDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestLetters {
    /// Signature of the Hebrew letters.
    pub sender_he: String,
    /// Signature of the Arabic letters.
    pub sender_ar: String,
    /// Address for the parents' questions.
    pub inquiries_email: String,
    /// The date printed on the letters.
    pub letter_date: SchoolDate,
}

impl RequestLetters {
    /// The letters' parameters in `school_year` (the roster's year, known once the data is
    /// read); a date outside that year is a configuration error naming `letters.letter_date`.
    pub fn params(&self, school_year: i64) -> Result<LetterParams> {
        let letter_date = self
            .letter_date
            .in_school_year(school_year)
            .map_err(|why| {
                Error::config(
                    "letters.letter_date",
                    Some(format!("\"{}\"", self.letter_date)),
                    why,
                )
            })?;
        let mut p = LetterParams::new(letter_date, school_year);
        p.sender_he = self.sender_he.clone();
        p.sender_ar = self.sender_ar.clone();
        p.inquiries_email = self.inquiries_email.clone();
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(date: &str) -> RequestLetters {
        RequestLetters {
            sender_he: "he".into(),
            sender_ar: "ar".into(),
            inquiries_email: "q@example.org".into(),
            letter_date: SchoolDate::parse(date).unwrap(),
        }
    }

    /// A month and day falls in the school year of the data: "01-15" of 2027 is 15 January
    /// 2027, "10-01" is 1 October 2026; a full date outside the year is refused by name.
    #[test]
    fn the_letter_date_is_placed_in_the_school_year() {
        let p = letters("01-15").params(2027).unwrap();
        assert_eq!(p.letter_date.to_string(), "2027-01-15");
        assert_eq!((p.school_year, p.sender_he.as_str()), (2027, "he"));
        let p = letters("10-01").params(2027).unwrap();
        assert_eq!(p.letter_date.to_string(), "2026-10-01");
        let e = letters("2025-01-15").params(2027).unwrap_err().to_string();
        assert!(e.starts_with("letters.letter_date = \"2025-01-15\""), "{e}");
    }
}
