//! The review order of the eligible requests (gifted.md §6.1 "Review order"; 0207 §5.1.ו),
//! separately for each stage: by the distance below the threshold, max(0, threshold −
//! previous composite), smallest first and compared exactly; requests without a previous
//! composite after all the others; ties by lottery number, lowest first (as in placement).
//! Each request gets a 1-based `review_rank`. The distance, the lottery number and the rank
//! reveal scores: they are written only to `confidential/retest_review_order`.
use super::Params;
use crate::jobs::gifted_requests::Stage;
use crate::rules::fraction::Ratio;
use crate::rules::lottery::lottery_number;

/// One eligible request in the review order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub student_id: String,
    pub stage: Stage,
    /// max(0, threshold − composite); `None` without a previous composite.
    pub distance: Option<Ratio>,
    pub lottery_number: u64,
    /// 1-based within the stage.
    pub review_rank: u64,
}

/// The distance of a composite below the threshold: 0 at or above it.
pub fn distance(threshold: Ratio, composite: Ratio) -> Ratio {
    (threshold - composite).max(Ratio::ZERO)
}

/// The eligible requests (stage, student_id, previous composite), ranked per stage; by
/// (stage, review_rank).
pub fn order(p: &Params, eligible: &[(Stage, &str, Option<Ratio>)]) -> Vec<Ranked> {
    let mut v: Vec<Ranked> = eligible
        .iter()
        .map(|&(stage, id, c)| Ranked {
            student_id: id.to_string(),
            stage,
            distance: c.map(|c| distance(p.threshold, c)),
            lottery_number: lottery_number(&p.lottery_seed, id),
            review_rank: 0,
        })
        .collect();
    // Without a composite after everyone (`None` sorts last), then the lottery, then the ID.
    v.sort_by(|a, b| {
        let key = |r: &Ranked| (r.stage, r.distance.is_none(), r.distance, r.lottery_number);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.student_id.cmp(&b.student_id))
    });
    let mut rank = 0;
    let mut stage = None;
    for r in &mut v {
        if stage != Some(r.stage) {
            stage = Some(r.stage);
            rank = 0;
        }
        rank += 1;
        r.review_rank = rank;
    }
    v
}
