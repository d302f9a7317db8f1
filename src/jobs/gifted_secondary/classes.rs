//! §5.8 of gifted.md "Classes": the tracks of one institution and grade may have at most
//! `max_classes_per_grade` classes in all (0207 §4.3). (Dealing to the classes is part of the
//! walk, [`super::walk`].)
use super::inputs::Track;
use std::collections::BTreeMap;

/// An institution and grade whose tracks have too many classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooManyClasses {
    pub institution_id: String,
    pub grade: i64,
    pub n_classes: i64,
    pub max: i64,
}

impl std::fmt::Display for TooManyClasses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "institution {} has {} gifted classes in grade {} across its tracks, more than max_classes_per_grade = {} (0207 §4.3)",
            self.institution_id, self.n_classes, self.grade, self.max
        )
    }
}

/// gifted.md §5.8: every (institution, grade) whose tracks have more than `max` classes, in
/// (institution, grade) order.
pub fn check_classes_per_grade(tracks: &[Track], max: i64) -> Vec<TooManyClasses> {
    let mut by: BTreeMap<(&str, i64), i64> = BTreeMap::new();
    for t in tracks {
        *by.entry((t.institution_id.as_str(), t.grade)).or_insert(0) += t.n_classes;
    }
    by.into_iter()
        .filter(|&(_, n)| n > max)
        .map(|((institution, grade), n)| TooManyClasses {
            institution_id: institution.to_string(),
            grade,
            n_classes: n,
            max,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::gifted_secondary::seats::tests::track;

    #[test]
    fn two_classes_per_institution_and_grade_and_not_three() {
        let a = track(2, 0, 0, [0, 0]);
        let mut b = track(1, 0, 0, [0, 0]);
        b.track_id = "T2".into();
        assert!(check_classes_per_grade(std::slice::from_ref(&a), 2).is_empty());
        let v = check_classes_per_grade(&[a.clone(), b.clone()], 2);
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].institution_id.as_str(), v[0].grade, v[0].n_classes),
            ("100001", 8, 3)
        );
        assert!(v[0].to_string().contains("institution 100001"));
        // Another grade of the same institution is counted apart.
        b.grade = 9;
        assert!(check_classes_per_grade(&[a, b], 2).is_empty());
    }
}
