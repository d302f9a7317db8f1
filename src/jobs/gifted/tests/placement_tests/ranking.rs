//! Ranking within a list (gifted.md §4; 0207 §2.8.ג): exact composites, then the lottery.
use super::*;

// --- ranking ---------------------------------------------------------------------------------

/// Equal composites: lowest lottery number first. With seed "itur" (python3 -c "import
/// hashlib; print(int.from_bytes(hashlib.sha256(b'itur:000000042').digest()[:8], 'big'))"):
/// 000000042 → 1533601761625557030, 000000034 → 17862241376447921068,
/// 000000026 → 18261830908039009733 — the reverse of the ids' order.
#[test]
fn equal_composites_are_decided_by_the_lottery() {
    let students = vec![
        girl("000000026", "98"),
        girl("000000034", "98"),
        girl("000000042", "98"),
    ];
    let tracks = vec![track("T", 2)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["000000034", "000000042"]));
    assert_eq!(
        waiting(&out),
        vec![("000000026".into(), WaitReason::NoSeat)]
    );
    assert_eq!(
        audit(&out, "000000042").lottery_number,
        Some(1533601761625557030)
    );
    assert_eq!(audit(&out, "000000042").rank, Some(1));
    assert_eq!(audit(&out, "000000034").rank, Some(2));
    assert_eq!(
        audit(&out, "000000026").lottery_number,
        Some(18261830908039009733)
    );
    // Another seed reorders them: with "2028" the numbers are recomputed.
    let p = PlacementParams {
        lottery_seed: "2028".into(),
        ..params(GenderPolicy::None)
    };
    let out2 = run(&p, &students, &tracks, &requests, &[]);
    assert_eq!(
        audit(&out2, "000000042").lottery_number,
        Some(crate::rules::lottery::lottery_number("2028", "000000042"))
    );
}

/// 292/3 and 97.33333333333333 are the same f64; exactly, 292/3 is higher, so its owner wins
/// even though the other has the lowest lottery number.
#[test]
fn composites_are_compared_exactly() {
    let mut a = girl("000000026", "0");
    a.composite = Some(r(292, 3));
    let b = girl("000000042", "97.33333333333333");
    assert_eq!(292.0f64 / 3.0, "97.33333333333333".parse::<f64>().unwrap());
    assert!(a.composite > b.composite);
    let students = vec![b, a];
    let tracks = vec![track("T", 1)];
    let requests = all_request(&students, "T");
    let out = run(
        &params(GenderPolicy::None),
        &students,
        &tracks,
        &requests,
        &[],
    );
    assert_eq!(invited(&out), strs(&["000000026"]));
    let row = audit(&out, "000000026");
    assert_eq!(
        (row.composite_num(), row.composite_den()),
        (Some(292), Some(3))
    );
}
