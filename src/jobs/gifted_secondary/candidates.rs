//! §5.5 and §5.6 of gifted.md: who is a candidate on which path, the reason for every other
//! application, and the order of a track's candidates.
use super::paths::weighted_score;
use super::routing::Route;
use super::Params;
use crate::jobs::gifted::Category;
use crate::rules::fraction::Ratio;
use std::cmp::Reverse;

/// How a student is a candidate (`path` of `confidential/candidates` and
/// `application_outcomes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Path {
    /// 0207 §2.10.א: exempt from the test and the interview.
    Exempt,
    /// 0207 §1.8: category `gifted`.
    Threshold,
    /// 0207 §2.10.ב: a graduate whose weighted score reached `graduate.threshold`.
    Graduate,
    /// In `confirmed_placements` (application_outcomes only).
    Confirmed,
}

impl Path {
    pub fn as_str(self) -> &'static str {
        match self {
            Path::Exempt => "exempt",
            Path::Threshold => "threshold",
            Path::Graduate => "graduate",
            Path::Confirmed => "confirmed",
        }
    }
}

/// Why an application made no candidate (gifted.md §5.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    InstitutionNotParticipating,
    GradeNotEligible,
    GraduateAssessmentMissing,
    BelowWeightedThreshold,
    NotTested,
    Incomplete,
    Removed,
    BelowThreshold,
    NoTrack,
    RoutingUndecided,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InstitutionNotParticipating => "institution_not_participating",
            Reason::GradeNotEligible => "grade_not_eligible",
            Reason::GraduateAssessmentMissing => "graduate_assessment_missing",
            Reason::BelowWeightedThreshold => "below_weighted_threshold",
            Reason::NotTested => "not_tested",
            Reason::Incomplete => "incomplete",
            Reason::Removed => "removed",
            Reason::BelowThreshold => "below_threshold",
            Reason::NoTrack => "no_track",
            Reason::RoutingUndecided => "routing_undecided",
        }
    }
}

crate::jobs::serialize_as_str!(Path, Reason);

/// What the rules of §5.5 know of an applicant who is not confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    pub participating: bool,
    pub grade_tested: bool,
    pub exempt: bool,
    /// The category and exact composite of the student's `results` row, if any.
    pub result: Option<(Category, Option<Ratio>)>,
    pub graduate: bool,
    /// The rubric R of the student's `graduate_assessments` row for Y, if any.
    pub rubric: Option<Ratio>,
}

/// A candidate's path and score (none for exempt), or the reason there is none.
pub type Eligibility = Result<(Path, Option<Ratio>), Reason>;

/// gifted.md §5.5 rules 1–6, the first that applies: not taking part; a grade that is not
/// tested; exempt; `gifted`; a graduate with a complete result (no assessment, W below the
/// threshold, or a candidate on the graduate path); else not tested, incomplete, removed or
/// below the threshold.
pub fn eligibility(params: &Params, f: &Facts) -> Eligibility {
    if !f.participating {
        return Err(Reason::InstitutionNotParticipating);
    }
    if !f.grade_tested {
        return Err(Reason::GradeNotEligible);
    }
    if f.exempt {
        return Ok((Path::Exempt, None));
    }
    match f.result {
        Some((Category::Gifted, composite)) => Ok((Path::Threshold, composite)),
        Some((Category::Excellent | Category::NotEligible, Some(composite))) if f.graduate => {
            let r = f.rubric.ok_or(Reason::GraduateAssessmentMissing)?;
            let w = weighted_score(params.weight_test, composite, r);
            if w < params.graduate_threshold {
                Err(Reason::BelowWeightedThreshold)
            } else {
                Ok((Path::Graduate, Some(w)))
            }
        }
        None => Err(Reason::NotTested),
        Some((Category::Incomplete, _)) => Err(Reason::Incomplete),
        Some((Category::Removed, _)) => Err(Reason::Removed),
        Some(_) => Err(Reason::BelowThreshold),
    }
}

/// gifted.md §5.5: a would-be candidate without a routed track gets `no_track`
/// (`routing_undecided` when the authority decides) and no path. Returns the routed track's
/// index (also for a non-candidate: `application_outcomes.track_id` is the routed track).
pub fn with_route(e: Eligibility, route: Route) -> (Option<usize>, Eligibility) {
    match (route, e) {
        (Route::Track(i, _), e) => (Some(i), e),
        (Route::Undecided, Ok(_)) => (None, Err(Reason::RoutingUndecided)),
        (Route::None, Ok(_)) => (None, Err(Reason::NoTrack)),
        (_, Err(r)) => (None, Err(r)),
    }
}

/// gifted.md §5.6: a track's candidates in order — path (exempt, threshold, graduate), then
/// the exact score highest first, then the lottery number lowest first (the student ID only
/// separates a 64-bit collision). A graduate whose W exceeds a qualifier's composite still
/// ranks after that qualifier.
pub fn rank_key(
    path: Path,
    score: Option<Ratio>,
    lottery: u64,
    student_id: &str,
) -> (Path, Reverse<Option<Ratio>>, u64, &str) {
    (path, Reverse(score), lottery, student_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(result: Option<(Category, Option<Ratio>)>) -> Facts {
        Facts {
            participating: true,
            grade_tested: true,
            exempt: false,
            result,
            graduate: false,
            rubric: None,
        }
    }

    #[test]
    fn the_first_rule_that_applies_decides() {
        let p = Params::default();
        let gifted = Some((Category::Gifted, Some(Ratio::from_int(98))));
        assert_eq!(
            eligibility(&p, &facts(gifted)),
            Ok((Path::Threshold, Some(Ratio::from_int(98))))
        );
        let f = Facts {
            participating: false,
            ..facts(gifted)
        };
        assert_eq!(
            eligibility(&p, &f),
            Err(Reason::InstitutionNotParticipating)
        );
        let f = Facts {
            grade_tested: false,
            exempt: true,
            ..facts(gifted)
        };
        assert_eq!(eligibility(&p, &f), Err(Reason::GradeNotEligible));
        let f = Facts {
            exempt: true,
            ..facts(None)
        };
        assert_eq!(eligibility(&p, &f), Ok((Path::Exempt, None)));
        assert_eq!(eligibility(&p, &facts(None)), Err(Reason::NotTested));
        let inc = facts(Some((Category::Incomplete, None)));
        assert_eq!(eligibility(&p, &inc), Err(Reason::Incomplete));
        let rem = facts(Some((Category::Removed, None)));
        assert_eq!(eligibility(&p, &rem), Err(Reason::Removed));
        let exc = facts(Some((Category::Excellent, Some(Ratio::from_int(95)))));
        assert_eq!(eligibility(&p, &exc), Err(Reason::BelowThreshold));
    }

    #[test]
    fn a_graduate_needs_an_assessment_and_w_at_the_threshold() {
        let p = Params::default();
        let base = Facts {
            graduate: true,
            ..facts(Some((Category::Excellent, Some(Ratio::from_int(92)))))
        };
        assert_eq!(
            eligibility(&p, &base),
            Err(Reason::GraduateAssessmentMissing)
        );
        // W = ½ · 92 + ½ · 92 = 92: exactly at the threshold is a candidate.
        let at = Facts {
            rubric: Some(Ratio::from_int(92)),
            ..base
        };
        assert_eq!(
            eligibility(&p, &at),
            Ok((Path::Graduate, Some(Ratio::from_int(92))))
        );
        // One third of a point below: W = 92 − 1/6.
        let below = Facts {
            rubric: Some(Ratio::new(275, 3)),
            ..base
        };
        assert_eq!(eligibility(&p, &below), Err(Reason::BelowWeightedThreshold));
        // An incomplete graduate has no W.
        let inc = Facts {
            rubric: Some(Ratio::from_int(100)),
            ..Facts {
                graduate: true,
                ..facts(Some((Category::Incomplete, None)))
            }
        };
        assert_eq!(eligibility(&p, &inc), Err(Reason::Incomplete));
    }

    #[test]
    fn a_candidate_without_a_track_has_no_path() {
        let ok: Eligibility = Ok((Path::Threshold, None));
        assert_eq!(
            with_route(ok, Route::Undecided),
            (None, Err(Reason::RoutingUndecided))
        );
        assert_eq!(with_route(ok, Route::None), (None, Err(Reason::NoTrack)));
        let no: Eligibility = Err(Reason::BelowThreshold);
        assert_eq!(
            with_route(no, Route::Undecided),
            (None, Err(Reason::BelowThreshold))
        );
        assert_eq!(
            with_route(
                no,
                Route::Track(3, super::super::routing::How::ResidentOnly)
            ),
            (Some(3), Err(Reason::BelowThreshold))
        );
    }

    #[test]
    fn a_graduate_with_w_above_a_qualifiers_composite_still_ranks_after_them() {
        let qualifier = rank_key(Path::Threshold, Some(Ratio::from_int(97)), 9, "b");
        let graduate = rank_key(Path::Graduate, Some(Ratio::from_int(99)), 1, "a");
        let exempt = rank_key(Path::Exempt, None, u64::MAX, "c");
        assert!(exempt < qualifier && qualifier < graduate);
        // Equal scores: the lower lottery number first.
        let x = rank_key(Path::Threshold, Some(Ratio::new(291, 3)), 5, "z");
        let y = rank_key(Path::Threshold, Some(Ratio::from_int(97)), 6, "a");
        assert!(x < y);
    }
}
