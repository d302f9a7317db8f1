//! §5.9 of gifted.md: one `track_summary` row per open track (0207 §4.2, §4.4, §4.6).
use super::inputs::Track;
use super::seats::Seats;
use serde::Serialize;

/// A row of `track_summary`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackSummary {
    pub track_id: String,
    pub grade: i64,
    pub first_round: bool,
    pub n_classes: i64,
    pub seats: i64,
    pub n_confirmed: i64,
    pub girls_quota: i64,
    pub boys_quota: i64,
    pub n_qualified: i64,
    pub n_graduates: i64,
    pub second_class_recommended: bool,
    pub ranked_selection: bool,
}

/// gifted.md §5.9: `first_round` when Y = first_year; `second_class_recommended` when it is
/// the first round, the track has one class and n_qualified + n_confirmed exceed its
/// capacity (0207 §4.2: more than 30 suitable students in the first year); `ranked_selection`
/// when n_qualified exceeds the seats left (0207 §4.4, §4.6).
pub fn summarize(
    year: i64,
    track: &Track,
    seats: &Seats,
    quotas: (i64, i64),
    n_qualified: i64,
    n_graduates: i64,
) -> TrackSummary {
    let first_round = year == track.first_year;
    TrackSummary {
        track_id: track.track_id.clone(),
        grade: track.grade,
        first_round,
        n_classes: track.n_classes,
        seats: seats.seats,
        n_confirmed: seats.n_confirmed,
        girls_quota: quotas.0,
        boys_quota: quotas.1,
        n_qualified,
        n_graduates,
        second_class_recommended: first_round
            && track.n_classes == 1
            && n_qualified + seats.n_confirmed > seats.capacity,
        ranked_selection: n_qualified > seats.left,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::gifted_secondary::seats::seats;
    use crate::jobs::gifted_secondary::seats::tests::track;

    #[test]
    fn thirty_one_qualifiers_in_a_first_round_recommend_a_second_class() {
        let mut t = track(1, 0, 0, [0, 0]);
        t.first_year = 2027;
        let s = seats(&t, &[]);
        let at = summarize(2027, &t, &s, (15, 15), 30, 2);
        assert!(at.first_round && !at.second_class_recommended && !at.ranked_selection);
        let over = summarize(2027, &t, &s, (15, 15), 31, 0);
        assert!(over.second_class_recommended && over.ranked_selection);
        // Not in a later round, nor with two classes.
        let later = summarize(2028, &t, &s, (15, 15), 31, 0);
        assert!(!later.first_round && !later.second_class_recommended);
        let mut two = track(2, 0, 0, [0, 0]);
        two.first_year = 2027;
        let s2 = seats(&two, &[]);
        let r = summarize(2027, &two, &s2, (30, 30), 31, 0);
        assert!(!r.second_class_recommended && !r.ranked_selection);
    }
}
