//! gifted-elementary (standing order 0207): screening, identification, placement.
//!
//! The decision rules are pure functions on plain structs (no I/O, no clock); every threshold
//! is decided in exact rational arithmetic ([`crate::rules::fraction::Ratio`]) and every
//! output is sorted by its keys, so results do not depend on input row order or thread count.
//!
//! - [`participation`]: which institutions take part (gifted.md §1; 0207 §1.9, §2.1).
//! - [`screening`]: stage A referrals to stage B (gifted.md §2; 0207 §2.4).
//! - [`norms`]: national norms, mid-rank percentiles, cut-offs (gifted.md §3; 0207 §2.5.ב).
//! - [`identification`]: composites and categories (gifted.md §3; 0207 §1.8, §1.10, §2.6).

pub mod identification;
pub mod norms;
pub mod participation;
pub mod screening;

#[cfg(test)]
#[path = "tests/util.rs"]
pub(crate) mod test_util;

/// Language sector of an institution (data-contract.md `institutions.sector`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sector {
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

/// The grades of one list per sector (`tested_grades`, `stage_b_grades` in the pipeline file).
pub(crate) fn grade_listed(hebrew: &[i64], arabic: &[i64], sector: Sector, grade: i64) -> bool {
    match sector {
        Sector::Hebrew => hebrew.contains(&grade),
        Sector::Arabic => arabic.contains(&grade),
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
