//! §5.11 of gifted.md: the letters of the secondary admission (0207 §2.12.א–ג), through the
//! letters machinery both gifted jobs share (`jobs::gifted::letters`, `jobs::letters`): every
//! legal guardian, Hebrew or Arabic by the school's sector, never a score.
use super::admission::Admission;
use super::candidates::Path;
use super::walk::Decision;
use crate::error::{Error, Result};
use crate::jobs::gifted::identification::IdentificationOutput;
use crate::jobs::gifted::placement::PlacementStatus;
use crate::jobs::gifted::Category;
use crate::jobs::letters::{LetterExtra, LetterKind, LetterParams, LetterRequest};
use crate::rules::date::school_date::SchoolDate;
use std::collections::BTreeMap;

/// The letters' settings (`[letters]` of the pipeline file): dates as month-days of Y.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterSettings {
    pub sender_he: String,
    pub sender_ar: String,
    pub inquiries_email: String,
    pub letter_date: SchoolDate,
    pub response_by: Option<SchoolDate>,
}

impl LetterSettings {
    /// The letters' parameters in school year `year`; a date outside it, or a deadline before
    /// the letter's date, is a configuration error naming the parameter.
    pub fn params(&self, year: i64) -> Result<LetterParams> {
        let resolve = |name: &str, d: SchoolDate| {
            d.in_school_year(year).map_err(|reason| {
                Error::config(format!("letters.{name}"), Some(format!("\"{d}\"")), reason)
            })
        };
        let letter_date = resolve("letter_date", self.letter_date)?;
        let mut p = LetterParams::new(letter_date, year);
        if let Some(d) = self.response_by {
            let day = resolve("response_by", d)?;
            if day < letter_date {
                return Err(Error::config(
                    "letters.response_by",
                    Some(format!("\"{d}\"")),
                    format!("the deadline {day} is before the letter's date {letter_date}"),
                ));
            }
            p.response_by = Some(day);
        }
        p.sender_he.clone_from(&self.sender_he);
        p.sender_ar.clone_from(&self.sender_ar);
        p.inquiries_email.clone_from(&self.inquiries_email);
        Ok(p)
    }
}

/// gifted.md §5.11: the result letter of a tester (§2.12.א).
pub fn result_kind(category: Category) -> LetterKind {
    match category {
        Category::Gifted => LetterKind::SecondaryThresholdReached,
        Category::Excellent | Category::NotEligible => LetterKind::SecondaryThresholdNotReached,
        Category::Incomplete => LetterKind::SecondaryIncomplete,
        Category::Removed => LetterKind::SecondaryRemoved,
    }
}

/// gifted.md §5.11: every tester's result letter; the invitation, placement (final ones only,
/// not again for confirmed students) or waitlist letter of each candidate; the exempt
/// placement letter of exempt students placed `final`. `school_of_track` names the school
/// of a (track_id, grade).
pub fn requests(
    scored: &IdentificationOutput,
    admission: &Admission,
    school_of_track: &BTreeMap<(String, i64), String>,
) -> Vec<LetterRequest> {
    let mut out: Vec<LetterRequest> = scored
        .results
        .iter()
        .map(|r| LetterRequest::new(r.student_id.as_str(), result_kind(r.category)))
        .collect();
    let final_placement: BTreeMap<&str, PlacementStatus> = admission
        .placements
        .iter()
        .filter(|p| !p.confirmed)
        .map(|p| (p.student_id.as_str(), p.status))
        .collect();
    for r in &admission.ranked {
        let kind = match r.decision {
            Decision::Invited => LetterKind::SecondaryInterviewInvitation,
            Decision::Waitlisted(_) => LetterKind::SecondaryWaitlist,
            Decision::Placed { .. }
                if final_placement.get(r.student_id.as_str()) == Some(&PlacementStatus::Final) =>
            {
                match r.path {
                    Path::Exempt => LetterKind::SecondaryExemptPlacement,
                    _ => LetterKind::SecondaryPlacement,
                }
            }
            Decision::Placed { .. } => continue,
        };
        out.push(LetterRequest {
            student_id: r.student_id.clone(),
            kind,
            extra: LetterExtra {
                class_school_name: school_of_track.get(&(r.track_id.clone(), r.grade)).cloned(),
                ..LetterExtra::default()
            }
            .into(),
        });
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_category_has_its_result_letter() {
        assert_eq!(
            result_kind(Category::Gifted),
            LetterKind::SecondaryThresholdReached
        );
        assert_eq!(
            result_kind(Category::Excellent),
            LetterKind::SecondaryThresholdNotReached
        );
        assert_eq!(
            result_kind(Category::NotEligible),
            LetterKind::SecondaryThresholdNotReached
        );
        assert_eq!(
            result_kind(Category::Incomplete),
            LetterKind::SecondaryIncomplete
        );
        assert_eq!(result_kind(Category::Removed), LetterKind::SecondaryRemoved);
    }

    #[test]
    fn letter_dates_fall_in_the_school_year() {
        let s = LetterSettings {
            sender_he: "he".into(),
            sender_ar: "ar".into(),
            inquiries_email: "a@b.c".into(),
            letter_date: SchoolDate::parse("03-20").unwrap(),
            response_by: SchoolDate::parse("03-27"),
        };
        let p = s.params(2027).unwrap();
        assert_eq!(
            p.letter_date,
            chrono::NaiveDate::from_ymd_opt(2027, 3, 20).unwrap()
        );
        assert_eq!(p.response_by, chrono::NaiveDate::from_ymd_opt(2027, 3, 27));
        let early = LetterSettings {
            response_by: SchoolDate::parse("03-19"),
            ..s
        };
        assert!(early
            .params(2027)
            .unwrap_err()
            .to_string()
            .contains("letters.response_by"));
    }
}
