//! Sorting many u64 keys (a national roster's 2.4 million student IDs) by a parallel LSD radix
//! sort: one pass per byte in which the keys differ (four for nine-digit IDs), each pass
//! counted and scattered by the threads over their own slices of the keys.
use rayon::prelude::*;

/// Below this many keys the standard sort is as fast.
const SMALL: usize = 1 << 16;

/// Sorts `v` ascending (the same result as `sort_unstable`).
pub fn sort_u64(v: &mut [u64]) {
    let n = v.len();
    if n < SMALL {
        v.sort_unstable();
        return;
    }
    // Bits set in some keys and clear in others: only their bytes need a pass.
    let (any, all) = v
        .par_chunks(SMALL)
        .map(|c| c.iter().fold((0u64, !0u64), |(o, a), &x| (o | x, a & x)))
        .reduce(|| (0, !0), |(o1, a1), (o2, a2)| (o1 | o2, a1 & a2));
    let varying = any ^ all;
    let parts = rayon::current_num_threads().max(1) * 4;
    let part_len = n.div_ceil(parts);
    let mut buf = vec![0u64; n];
    let mut in_buf = false;
    for byte in 0..8 {
        let shift = 8 * byte;
        if (varying >> shift) & 0xFF == 0 {
            continue;
        }
        let (src, dst): (&[u64], &mut [u64]) = if in_buf {
            (&buf, &mut *v)
        } else {
            (&*v, &mut buf)
        };
        scatter(src, dst, shift, part_len);
        in_buf = !in_buf;
    }
    if in_buf {
        v.copy_from_slice(&buf);
    }
}

/// One stable counting pass on the byte at `shift`: `src`'s keys into `dst`.
fn scatter(src: &[u64], dst: &mut [u64], shift: u32, part_len: usize) {
    let digit = |x: u64| ((x >> shift) & 0xFF) as usize;
    let counts: Vec<[usize; 256]> = src
        .par_chunks(part_len)
        .map(|c| {
            let mut h = [0usize; 256];
            for &x in c {
                h[digit(x)] += 1;
            }
            h
        })
        .collect();
    // Part p's keys with digit d go after all smaller digits, and after earlier parts' d.
    let mut starts = vec![[0usize; 256]; counts.len()];
    let mut at = 0;
    for d in 0..256 {
        for (p, h) in counts.iter().enumerate() {
            starts[p][d] = at;
            at += h[d];
        }
    }
    let out = SharedOut(dst.as_mut_ptr());
    src.par_chunks(part_len)
        .zip(starts)
        .for_each(|(c, mut next)| {
            let out = &out;
            for &x in c {
                let d = digit(x);
                // SAFETY: the parts' ranges `starts[p][d] .. starts[p][d] + counts[p][d]` are
                // disjoint and within `dst` (they partition 0..n), and part p writes only its
                // own ranges, each slot once.
                unsafe { *out.0.add(next[d]) = x };
                next[d] += 1;
            }
        });
}

/// The output of a pass, written by the parts at disjoint positions.
struct SharedOut(*mut u64);
// SAFETY: see `scatter`: every position is written by exactly one part.
unsafe impl Sync for SharedOut {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(mut v: Vec<u64>) {
        let mut want = v.clone();
        want.sort_unstable();
        sort_u64(&mut v);
        assert_eq!(v, want);
    }

    #[test]
    fn sorts_tagged_ids_duplicates_and_wide_keys() {
        // Nine-digit IDs with a length tag (as `digits_key` makes them), some repeated.
        let ids: Vec<u64> = (0..300_000u64)
            .map(|i| (9 << 59) | ((i * 2_654_435_761) % 1_000_000_000))
            .chain((0..1000).map(|i| (9 << 59) | (i * 7)))
            .collect();
        check(ids);
        // Keys that differ in every byte, and all the same.
        check(
            (0..100_000u64)
                .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect(),
        );
        check(vec![42; 70_000]);
        check((0..70_000u64).rev().collect());
    }

    proptest! {
        #[test]
        fn sorts_as_sort_unstable(v in proptest::collection::vec(any::<u64>(), 0..200_000)) {
            check(v);
        }
    }
}
