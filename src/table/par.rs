//! Work over a column's rows in ranges on the threads, results in row order.
use polars::prelude::*;
use rayon::prelude::*;

/// Rows per parallel task when a column is processed in row ranges.
pub const PAR_ROWS: usize = 1 << 17;

/// The row ranges `(start, len)` of `n` rows, one per parallel task (`PAR_ROWS` rows each);
/// collected, the tasks' results are in row order.
pub fn par_row_ranges(n: usize) -> impl IndexedParallelIterator<Item = (usize, usize)> {
    (0..n.div_ceil(PAR_ROWS)).into_par_iter().map(move |k| {
        let start = k * PAR_ROWS;
        (start, PAR_ROWS.min(n - start))
    })
}

/// `f` over every value of a text column, the rows split in ranges over the threads; results
/// in row order. Each range writes its results in place.
pub fn par_map_str<T: Send>(ca: &StringChunked, f: impl Fn(Option<&str>) -> T + Sync) -> Vec<T> {
    let n = ca.len();
    let mut out: Vec<T> = Vec::with_capacity(n);
    out.spare_capacity_mut()[..n]
        .par_chunks_mut(PAR_ROWS)
        .enumerate()
        .for_each(|(k, slots)| {
            let values = ca.slice((k * PAR_ROWS) as i64, slots.len());
            assert_eq!(values.len(), slots.len(), "a row range of the column");
            for (slot, v) in slots.iter_mut().zip(values.iter()) {
                slot.write(f(v));
            }
        });
    // SAFETY: the chunks cover the first `n` slots and each was written above (the ranges'
    // lengths are asserted). After a panic there this is not reached: the values written
    // are leaked, never dropped twice.
    unsafe { out.set_len(n) };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_str_maps_every_row_in_order_across_ranges_and_chunks() {
        // Three chunks whose edges fall inside row ranges, with missing values.
        let value = |i: usize| (i % 11 != 3).then(|| format!("{}", i * 7));
        let mut ca: StringChunked = (0..PAR_ROWS + 5).map(value).collect();
        let more: StringChunked = (PAR_ROWS + 5..2 * PAR_ROWS + 9).map(value).collect();
        let last: StringChunked = (2 * PAR_ROWS + 9..3 * PAR_ROWS + 1).map(value).collect();
        ca.append(&more).unwrap();
        ca.append(&last).unwrap();
        assert_eq!(ca.chunks().len(), 3);
        let f = |v: Option<&str>| v.map_or(u64::MAX, |v| v.parse::<u64>().unwrap());
        let want: Vec<u64> = ca.iter().map(f).collect();
        assert_eq!(want.len(), 3 * PAR_ROWS + 1);
        assert_eq!(par_map_str(&ca, f), want);
        assert!(par_map_str(&StringChunked::from_iter([None::<&str>; 0]), f).is_empty());
    }
}
