//! gifted-elementary (standing order 0207): screening, identification, placement.
//!
//! The decision rules are pure functions on plain structs (no I/O, no clock); every threshold
//! is decided in exact rational arithmetic ([`crate::rules::fraction::Ratio`]) and every
//! output is sorted by its keys, so results do not depend on input row order or thread count.
//!
//! - [`participation`]: which institutions take part (gifted.md §1; 0207 §1.9, §2.1).
//! - [`exclusions`]: valid rows the regulation leaves out (another institution's, another
//!   school year's, an untested grade's), and which stage A row is a student's (gifted.md §1).
//! - [`roster`]: the students the phases name, and who counts: participation, the census
//!   of the norm population, a student's stage A row and school year (gifted.md §1–§3).
//! - [`inputs`]: typed rows of `institutions`, `stage_b_scores`, `norm_tables`.
//! - [`screening`]: stage A referrals to stage B (gifted.md §2; 0207 §2.4).
//! - [`norms`]: national norms, mid-rank percentiles, cut-offs (gifted.md §3; 0207 §2.5.ב).
//! - [`identification`]: composites and categories (gifted.md §3; 0207 §1.8, §1.10, §2.6).

pub mod enrichment;
pub mod exclusions;
pub mod identification;
pub mod inputs;
pub mod letters;
pub mod norms;
pub mod participation;
pub mod phases;
pub mod placement;
pub mod roster;
pub mod screening;
pub mod track_checks;
pub mod waves;

#[cfg(test)]
#[path = "tests/util.rs"]
pub(crate) mod test_util;

#[cfg(test)]
#[path = "tests/outputs_tests.rs"]
mod outputs_tests;

#[cfg(test)]
#[path = "tests/lists_tests.rs"]
mod lists_tests;

/// Language sector of an institution (data-contract.md `institutions.sector`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    #[default]
    Hebrew,
    Arabic,
}

impl Sector {
    pub fn parse(s: &str) -> Option<Sector> {
        match s {
            "hebrew" => Some(Sector::Hebrew),
            "arabic" => Some(Sector::Arabic),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Hebrew => "hebrew",
            Sector::Arabic => "arabic",
        }
    }
}

crate::jobs::serialize_as_str!(Sector, Category);

/// The folder of an institution's own lists (what is sent to the school).
pub fn school_folder(institution_id: &str) -> String {
    format!("schools/{institution_id}")
}

/// The grades of one list per sector (`tested_grades`, `stage_b_grades` in the pipeline file).
pub(crate) fn grade_listed(hebrew: &[i64], arabic: &[i64], sector: Sector, grade: i64) -> bool {
    match sector {
        Sector::Hebrew => hebrew.contains(&grade),
        Sector::Arabic => arabic.contains(&grade),
    }
}

/// A student's stage B category (gifted.md §3; 0207 §1.8, §1.10, §2.5.ג), decided by
/// [`identification::categorize`] and read again by the placement phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Gifted,
    Excellent,
    NotEligible,
    Incomplete,
    Removed,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Gifted => "gifted",
            Category::Excellent => "excellent",
            Category::NotEligible => "not_eligible",
            Category::Incomplete => "incomplete",
            Category::Removed => "removed",
        }
    }

    /// gifted.md §3 letters; `removed` has no letter kind of its own.
    pub fn letter_kind(self) -> Option<&'static str> {
        match self {
            Category::Gifted => Some("stage_b_gifted"),
            Category::Excellent => Some("stage_b_excellent"),
            Category::NotEligible => Some("stage_b_not_eligible"),
            Category::Incomplete => Some("stage_b_incomplete"),
            Category::Removed => None,
        }
    }
}

/// A `norms.group_by` column with no value for a student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownGroupColumn(pub String);

impl std::fmt::Display for UnknownGroupColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "norms.group_by names column {:?}, which has no value",
            self.0
        )
    }
}

impl std::error::Error for UnknownGroupColumn {}

/// data-contract.md `norm_group` (0207 §2.5.ב, norms by year-group): the group's values joined
/// by `/` in `group_by` order, e.g. `2027/hebrew/2`. `value_of` gives a student's value of a
/// column (e.g. [`default_group_value`], or a lookup in any roster column).
pub fn norm_group<S: AsRef<str>>(
    group_by: &[S],
    mut value_of: impl FnMut(&str) -> Option<String>,
) -> Result<String, UnknownGroupColumn> {
    let mut parts = Vec::with_capacity(group_by.len());
    for col in group_by {
        let col = col.as_ref();
        parts.push(value_of(col).ok_or_else(|| UnknownGroupColumn(col.to_string()))?);
    }
    Ok(parts.join("/"))
}

/// A student's value of the default `group_by` columns `school_year`, `sector`, `grade`.
pub fn default_group_value(
    column: &str,
    school_year: i64,
    sector: Sector,
    grade: i64,
) -> Option<String> {
    match column {
        "school_year" => Some(school_year.to_string()),
        "sector" => Some(sector.as_str().to_string()),
        "grade" => Some(grade.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sector_round_trip() {
        for s in [Sector::Hebrew, Sector::Arabic] {
            assert_eq!(Sector::parse(s.as_str()), Some(s));
        }
        assert_eq!(Sector::parse("Hebrew"), None);
        assert!(grade_listed(&[2], &[3], Sector::Arabic, 3));
        assert!(!grade_listed(&[2], &[3], Sector::Hebrew, 3));
    }
}
