//! Text columns as dictionary codes (`encode_text`): how a `coded` table holds its text.
use polars::prelude::*;
use rayon::prelude::*;
use std::sync::Arc;

/// A text column as dictionary codes (UInt32; missing values stay missing) and its distinct
/// values in order of first appearance. Each array is coded apart (in parallel): by its
/// 16-byte views through a small direct-mapped cache (a view holds a whole value of up to 12
/// bytes; a Parquet dictionary's repeated values share one view), then by text. The arrays'
/// codes are then mapped to the column's.
pub fn encode_text(ca: &StringChunked) -> (UInt32Chunked, Arc<[PlSmallStr]>) {
    use foldhash::{HashMap as FastMap, HashMapExt};
    const CACHE_BITS: u32 = 12;
    const NO_CODE: u32 = u32::MAX;
    let validity = if ca.null_count() == 0 {
        None
    } else {
        ca.rechunk_validity()
    };
    // Each array's codes go straight to its piece of the output: local codes first, mapped
    // to the column's codes in place once every array's distinct values are known.
    let mut out = vec![0u32; ca.len()];
    let mut pieces = Vec::with_capacity(ca.chunks().len());
    let mut rest = out.as_mut_slice();
    let mut start = 0;
    for arr in ca.downcast_iter() {
        let (piece, tail) = rest.split_at_mut(arr.len());
        pieces.push((start, arr, piece));
        start += arr.len();
        rest = tail;
    }
    let distinct: Vec<Vec<&str>> = pieces
        .par_iter_mut()
        .map(|(start, arr, piece)| {
            let mut cache = vec![(u128::MAX, 0u32); 1 << CACHE_BITS];
            let mut by_text: FastMap<&str, u32> = FastMap::new();
            let mut distinct: Vec<&str> = Vec::new();
            let mut last = (u128::MAX, 0u32);
            for (j, (view, code)) in arr.views().iter().zip(piece.iter_mut()).enumerate() {
                if validity.as_ref().is_some_and(|b| !b.get_bit(*start + j)) {
                    *code = NO_CODE; // missing: masked by the validity
                    continue;
                }
                let v = view.as_u128();
                // Rosters come grouped by institution and class: runs of one value.
                if v == last.0 {
                    *code = last.1;
                    continue;
                }
                let h = ((v as u64) ^ ((v >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let slot = &mut cache[(h >> (64 - CACHE_BITS)) as usize];
                if slot.0 != v {
                    // SAFETY: j < arr.len() (one view per value).
                    let t = unsafe { arr.value_unchecked(j) };
                    let c = *by_text.entry(t).or_insert_with(|| {
                        distinct.push(t);
                        (distinct.len() - 1) as u32
                    });
                    *slot = (v, c);
                }
                last = *slot;
                *code = slot.1;
            }
            distinct
        })
        .collect();
    let mut index: FastMap<&str, u32> = FastMap::new();
    let mut values: Vec<PlSmallStr> = Vec::new();
    let to: Vec<Vec<u32>> = distinct
        .iter()
        .map(|distinct| {
            distinct
                .iter()
                .map(|&t| {
                    *index.entry(t).or_insert_with(|| {
                        values.push(PlSmallStr::from(t));
                        (values.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    pieces
        .into_par_iter()
        .zip(to.par_iter())
        .for_each(|((_, _, piece), to)| {
            for c in piece.iter_mut() {
                *c = if *c == NO_CODE { 0 } else { to[*c as usize] };
            }
        });
    drop(distinct);
    (
        UInt32Chunked::from_vec_validity(ca.name().clone(), out, validity),
        values.into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_text_codes_values_in_order_of_first_appearance_across_arrays() {
        let long = "שם משפחה ארוך מאוד"; // beyond a view's 12 inline bytes
        let mut a = StringChunked::from_iter([Some("f"), Some("m"), None, Some(long), Some("f")]);
        let b = StringChunked::from_iter([Some(long), Some(""), Some("m"), Some("x"), None]);
        a.append(&b).unwrap();
        assert_eq!(a.chunks().len(), 2);
        let (codes, values) = encode_text(&a);
        let values: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
        assert_eq!(values, ["f", "m", long, "", "x"]);
        let got: Vec<Option<u32>> = codes.iter().collect();
        let want = [0, 1, u32::MAX, 2, 0, 2, 3, 1, 4, u32::MAX];
        let want: Vec<Option<u32>> = want.iter().map(|&c| (c != u32::MAX).then_some(c)).collect();
        assert_eq!(got, want);
        // Runs of one value.
        let runs =
            StringChunked::from_iter([Some("a"), Some("a"), Some("b"), Some("b"), Some("a")]);
        let (codes, values) = encode_text(&runs);
        assert_eq!(codes.iter().collect::<Vec<_>>(), [0, 0, 1, 1, 0].map(Some));
        assert_eq!(values.len(), 2);
        // Many distinct values (more than the view cache holds) keep their own codes.
        let many: StringChunked = (0..20_000)
            .map(|i| Some(format!("value number {}", i % 7_000)))
            .collect();
        let (codes, values) = encode_text(&many);
        assert_eq!(values.len(), 7_000);
        for (i, c) in codes.iter().enumerate() {
            assert_eq!(
                values[c.unwrap() as usize],
                format!("value number {}", i % 7_000)
            );
        }
    }
}
