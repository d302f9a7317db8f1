//! §5.10 of gifted.md: students who continue in the secondary enrichment-day program without
//! a new test or interview (0207 §2.10.ג).
use super::inputs::{HistoryRow, Program};

/// gifted.md §5.10: a student continues when they are in roster grade
/// `enrichment_continuation_grade`, their institution takes part, and they have an
/// `enrichment_gifted` history row for Y.
pub fn continues(
    continuation_grade: i64,
    year: i64,
    grade: i64,
    participating: bool,
    history: &[&HistoryRow],
) -> bool {
    grade == continuation_grade
        && participating
        && history
            .iter()
            .any(|h| h.school_year == year && h.program == Program::EnrichmentGifted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_six_enrichment_students_of_this_year_continue() {
        let row = |year, program| HistoryRow {
            student_id: "000000018".into(),
            school_year: year,
            grade: 6,
            program,
        };
        let this = row(2027, Program::EnrichmentGifted);
        assert!(continues(6, 2027, 6, true, &[&this]));
        assert!(!continues(6, 2027, 5, true, &[&this]));
        assert!(!continues(6, 2027, 6, false, &[&this]));
        let last = row(2026, Program::EnrichmentGifted);
        assert!(!continues(6, 2027, 6, true, &[&last]));
        let class = row(2027, Program::GiftedClass);
        assert!(!continues(6, 2027, 6, true, &[&class]));
    }
}
