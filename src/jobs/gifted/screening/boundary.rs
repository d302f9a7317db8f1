//! The referral boundary of a ranking unit (gifted.md §2.2; 0207 §2.4.ג): how many are
//! referred by score, and the score at or above which they are.

use crate::rules::fraction::Ratio;

/// 0207 §2.4.ג (gifted.md §2.2): the number referred by score in a unit of n tested students,
/// k = ceil(referral_share · n), computed exactly (0.15 · 20 = 3, not 3.0000000000000004).
pub fn referral_count(share: Ratio, n_tested: usize) -> usize {
    let k = (share * Ratio::from_int(n_tested as i128)).ceil();
    k.clamp(0, n_tested as i128) as usize
}

/// 0207 §2.4.ג (gifted.md §2.2): the boundary score of a unit — the k-th highest of `scores`
/// — every score ≥ it is referred (`ties = include`). `None` when k = 0 (no one is referred).
pub fn score_boundary(share: Ratio, scores: &[i64]) -> Option<i64> {
    let k = referral_count(share, scores.len());
    if k == 0 {
        return None;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    Some(sorted[k - 1])
}
