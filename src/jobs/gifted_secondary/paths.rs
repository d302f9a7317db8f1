//! §5.3 of gifted.md: exempt students (0207 §2.10.א) and graduates of elementary programs with
//! their exact weighted score (0207 §2.10.ב).
use super::inputs::{AssessmentRow, HistoryRow, Program};
use super::Params;
use crate::rules::fraction::Ratio;

/// 0207 §2.10.א (gifted.md §5.3): exempt from the test and the interview when Y <
/// `exemption.applications_before`, the application's `identified_school_year` is given and
/// < `exemption.identified_before`, and the history has a `gifted_class` row in grade 5 in
/// some school year a and one in grade 6 in a + 1.
pub fn is_exempt(
    params: &Params,
    year: i64,
    identified_school_year: Option<i64>,
    history: &[&HistoryRow],
) -> bool {
    if year >= params.applications_before {
        return false;
    }
    if identified_school_year.is_none_or(|y| y >= params.identified_before) {
        return false;
    }
    let class_in = |grade: i64, y: i64| {
        history
            .iter()
            .any(|h| h.program == Program::GiftedClass && h.grade == grade && h.school_year == y)
    };
    history
        .iter()
        .filter(|h| h.program == Program::GiftedClass && h.grade == 5)
        .any(|h| class_in(6, h.school_year + 1))
}

/// 0207 §2.10.ב (gifted.md §5.3): a graduate has history rows for both Y − 1 and Y, each in
/// an elementary program (`gifted_class` or `enrichment_gifted`) with grade ≤ 6.
pub fn is_graduate(year: i64, history: &[&HistoryRow]) -> bool {
    let counts = |h: &&&HistoryRow, y: i64| {
        h.school_year == y
            && h.grade <= 6
            && matches!(h.program, Program::GiftedClass | Program::EnrichmentGifted)
    };
    history.iter().any(|h| counts(&h, year - 1)) && history.iter().any(|h| counts(&h, year))
}

/// 0207 §2.10.ב.2 (gifted.md §5.3): the rubric R = (academic + behavioral + social) / 3, exact.
pub fn rubric(a: &AssessmentRow) -> Ratio {
    Ratio::new(
        i128::from(a.academic) + i128::from(a.behavioral) + i128::from(a.social),
        3,
    )
}

/// 0207 §2.10.ב.2 (gifted.md §5.3): W = w · composite + (1 − w) · R, exact.
pub fn weighted_score(weight_test: Ratio, composite: Ratio, rubric: Ratio) -> Ratio {
    weight_test * composite + (Ratio::ONE - weight_test) * rubric
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(year: i64, grade: i64, program: Program) -> HistoryRow {
        HistoryRow {
            student_id: "000000018".into(),
            school_year: year,
            grade,
            program,
        }
    }

    #[test]
    fn exempt_in_2021_and_not_with_the_same_history_in_2022() {
        // gifted.md §5.3: identified in 2016 (< 2017), gifted class in grade 5 (2019) and
        // grade 6 (2020). Exempt while Y < 2022; from 2022 on nobody is.
        let p = Params::default();
        let rows = [
            h(2019, 5, Program::GiftedClass),
            h(2020, 6, Program::GiftedClass),
        ];
        let hist: Vec<&HistoryRow> = rows.iter().collect();
        assert!(is_exempt(&p, 2021, Some(2016), &hist));
        assert!(!is_exempt(&p, 2022, Some(2016), &hist));
        // Identified in 2017 itself is not before 2017.
        assert!(!is_exempt(&p, 2021, Some(2017), &hist));
        assert!(!is_exempt(&p, 2021, None, &hist));
        // Grades 5 and 6 must be consecutive years, both in a gifted class.
        let gap = [
            h(2018, 5, Program::GiftedClass),
            h(2020, 6, Program::GiftedClass),
        ];
        assert!(!is_exempt(
            &p,
            2021,
            Some(2016),
            &gap.iter().collect::<Vec<_>>()
        ));
        let enrich = [
            h(2019, 5, Program::EnrichmentGifted),
            h(2020, 6, Program::GiftedClass),
        ];
        assert!(!is_exempt(
            &p,
            2021,
            Some(2016),
            &enrich.iter().collect::<Vec<_>>()
        ));
    }

    #[test]
    fn a_graduate_studied_in_an_elementary_program_in_y_minus_1_and_y() {
        let both = [
            h(2026, 5, Program::GiftedClass),
            h(2027, 6, Program::EnrichmentGifted),
        ];
        assert!(is_graduate(2027, &both.iter().collect::<Vec<_>>()));
        // Only Y.
        let one = [h(2027, 6, Program::GiftedClass)];
        assert!(!is_graduate(2027, &one.iter().collect::<Vec<_>>()));
        // An excellent program or a secondary class does not count.
        let excellent = [
            h(2026, 5, Program::EnrichmentExcellent),
            h(2027, 6, Program::GiftedClass),
        ];
        assert!(!is_graduate(2027, &excellent.iter().collect::<Vec<_>>()));
        let secondary = [
            h(2026, 7, Program::GiftedClass),
            h(2027, 8, Program::SecondaryClass),
        ];
        assert!(!is_graduate(2027, &secondary.iter().collect::<Vec<_>>()));
    }

    #[test]
    fn the_weighted_score_is_exact() {
        // R = (90 + 95 + 92) / 3 = 277/3; W = ½ · 91 + ½ · 277/3 = 550/6 = 275/3 ≈ 91.67.
        let a = AssessmentRow {
            student_id: "000000018".into(),
            school_year: 2027,
            academic: 90,
            behavioral: 95,
            social: 92,
        };
        let r = rubric(&a);
        assert_eq!(r, Ratio::new(277, 3));
        let w = weighted_score(Ratio::new(1, 2), Ratio::from_int(91), r);
        assert_eq!(w, Ratio::new(275, 3));
        assert!(w < Ratio::from_int(92));
        // Exactly at the threshold: composite 92, rubric 92 → W = 92.
        let w = weighted_score(Ratio::new(7, 10), Ratio::from_int(92), Ratio::from_int(92));
        assert_eq!(w, Ratio::from_int(92));
    }

    #[test]
    fn a_tie_that_floating_point_orders_wrongly_is_a_tie() {
        // w = 0.1, composite 0.3 vs 0.1 and rubric … — in doubles 0.1·c1 + 0.9·r1 and
        // 0.1·c2 + 0.9·r2 differ in the last bit; exactly they are equal.
        // W1 = 1/10 · 3/10 + 9/10 · 7/10 = 66/100; W2 = 1/10 · 3/5 + 9/10 · 2/3 = 66/100.
        let w = Ratio::new(1, 10);
        let w1 = weighted_score(w, Ratio::new(3, 10), Ratio::new(7, 10));
        let w2 = weighted_score(w, Ratio::new(3, 5), Ratio::new(2, 3));
        assert_eq!(w1, w2);
        let f1 = 0.1 * 0.3 + 0.9 * 0.7;
        let f2 = 0.1 * 0.6 + 0.9 * (2.0 / 3.0);
        assert_ne!(f1, f2, "doubles order the tie");
    }
}
