//! Track checks of gifted.md §4 (0207 §2.8.ג.1, §2.8.ג.2): configuration errors found before
//! any placement. The caller reports them as a configuration error (exit code 2).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::placement::{PlacementParams, Track};
use crate::rules::fraction::Ratio;

/// The rule a set of tracks breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrackRule {
    /// 0207 §2.8.ג.1: at most `max_classes_per_authority` classes per grade across the
    /// authority's tracks.
    MaxClassesPerAuthority,
    /// 0207 §2.8.ג.2: all of the authority's classes in one school: n_classes ≤
    /// `max_share_of_grade` · grade_class_count.
    MaxShareOfGrade,
}

impl TrackRule {
    /// The pipeline key of the limit.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackRule::MaxClassesPerAuthority => "max_classes_per_authority",
            TrackRule::MaxShareOfGrade => "max_share_of_grade",
        }
    }
}

/// One broken rule for one authority and grade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackViolation {
    pub authority_id: String,
    pub grade: i64,
    pub rule: TrackRule,
    /// Total n_classes across the authority's tracks of the grade.
    pub n_classes: i64,
    /// The exact bound n_classes must not exceed: max_classes_per_authority, or
    /// max_share_of_grade · grade_class_count.
    pub limit: Ratio,
    /// The authority's tracks of the grade, sorted.
    pub track_ids: Vec<String>,
    /// `MaxShareOfGrade` only: the one school and its grade_class_count (the smallest given,
    /// should its tracks disagree).
    pub institution_id: Option<String>,
    pub grade_class_count: Option<i64>,
    /// `MaxShareOfGrade` only: the parameter.
    pub max_share_of_grade: Option<Ratio>,
}

impl fmt::Display for TrackViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tracks = self.track_ids.join(", ");
        match self.rule {
            TrackRule::MaxClassesPerAuthority => write!(
                f,
                "authority {} grade {}: {} gifted classes across tracks [{}] exceed max_classes_per_authority = {} (0207 §2.8.ג.1)",
                self.authority_id, self.grade, self.n_classes, tracks, self.limit
            ),
            TrackRule::MaxShareOfGrade => write!(
                f,
                "authority {} grade {}: all {} gifted classes (tracks [{}]) are in school {} whose grade has {} classes; max_share_of_grade = {} allows at most {} (0207 §2.8.ג.2)",
                self.authority_id,
                self.grade,
                self.n_classes,
                tracks,
                self.institution_id.as_deref().unwrap_or("?"),
                self.grade_class_count.unwrap_or(0),
                self.max_share_of_grade.unwrap_or(Ratio::ZERO),
                self.limit
            ),
        }
    }
}

/// gifted.md §4 "Track checks", per authority and grade: total n_classes ≤
/// max_classes_per_authority; when all the authority's classes of that grade are in one
/// school, n_classes ≤ max_share_of_grade · grade_class_count (exact). Violations are sorted by
/// (authority_id, grade, rule).
pub fn check_tracks(params: &PlacementParams, tracks: &[Track]) -> Result<(), Vec<TrackViolation>> {
    let mut groups: BTreeMap<(&str, i64), Vec<&Track>> = BTreeMap::new();
    for t in tracks {
        groups
            .entry((t.authority_id.as_str(), t.grade))
            .or_default()
            .push(t);
    }
    let mut violations = Vec::new();
    for ((authority, grade), ts) in groups {
        let n_classes: i64 = ts.iter().map(|t| t.n_classes).sum();
        let mut track_ids: Vec<String> = ts.iter().map(|t| t.track_id.clone()).collect();
        track_ids.sort();
        let base = |rule, limit| TrackViolation {
            authority_id: authority.to_string(),
            grade,
            rule,
            n_classes,
            limit,
            track_ids: track_ids.clone(),
            institution_id: None,
            grade_class_count: None,
            max_share_of_grade: None,
        };
        if n_classes > params.max_classes_per_authority {
            violations.push(base(
                TrackRule::MaxClassesPerAuthority,
                Ratio::from(params.max_classes_per_authority),
            ));
        }
        let schools: BTreeSet<&str> = ts.iter().map(|t| t.institution_id.as_str()).collect();
        if let [school] = schools.into_iter().collect::<Vec<_>>()[..] {
            let gcc = ts.iter().map(|t| t.grade_class_count).min().unwrap_or(0);
            let limit = params.max_share_of_grade * Ratio::from(gcc);
            if Ratio::from(n_classes) > limit {
                violations.push(TrackViolation {
                    institution_id: Some(school.to_string()),
                    grade_class_count: Some(gcc),
                    max_share_of_grade: Some(params.max_share_of_grade),
                    ..base(TrackRule::MaxShareOfGrade, limit)
                });
            }
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

#[cfg(test)]
#[path = "tests/track_checks_tests.rs"]
mod tests;
