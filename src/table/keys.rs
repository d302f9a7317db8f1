//! The unique-key check: a duplicate key rejects every row after the first accepted one. A
//! one-column key of digit strings is compared as exact integers (`rules::digit_key`), sorted;
//! other keys by hash, then by value where hashes are equal.
use super::par::par_map_str;
use super::pending::{as_i64, col, show, KeySet, Pending};
use super::reject::Reject;
use crate::rules::digit_key::{digits_key, key_text};
use polars::prelude::*;
use rayon::prelude::*;

/// A value of a key column, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyVal<'a> {
    Null,
    S(&'a str),
    I(i64),
    B(bool),
}

fn key_values(s: &Series) -> Vec<KeyVal<'_>> {
    match s.dtype() {
        DataType::String => s
            .str()
            .expect("text")
            .iter()
            .map(|v| v.map_or(KeyVal::Null, KeyVal::S))
            .collect(),
        DataType::Boolean => s
            .bool()
            .expect("bool")
            .iter()
            .map(|v| v.map_or(KeyVal::Null, KeyVal::B))
            .collect(),
        _ => as_i64(s)
            .into_iter()
            .map(|v| v.map_or(KeyVal::Null, KeyVal::I))
            .collect(),
    }
}

/// Keys are unique: a duplicate key rejects every row after the first accepted one.
pub(super) fn check_keys(p: &mut Pending) {
    let key = &p.schema.key;
    if key.is_empty() {
        return;
    }
    // A key read as digit keys has its words already (every row has one).
    let key_words = p.key_words.take();
    let keyed = key_words.is_some();
    let key = &p.schema.key;
    let cols: Vec<&Series> = key.iter().map(|k| col(p, k)).collect();
    let exact = match (key_words, cols.as_slice()) {
        (Some(words), _) => Some(words),
        (None, [c]) => exact_words(c, &p.rejects.rejected),
        _ => None,
    };
    let (dups, keys) = match exact {
        Some(words) => {
            let skip = &p.rejects.rejected;
            let mut keys: Vec<u64> = if skip.contains(&true) {
                words
                    .iter()
                    .zip(skip)
                    .filter(|(_, &skipped)| !skipped)
                    .map(|(&w, _)| w)
                    .collect()
            } else {
                words.clone()
            };
            keys.par_sort_unstable();
            // Duplicates are rare: only then are the rows paired with their keys.
            let dups = if keys.par_windows(2).any(|w| w[0] == w[1]) {
                keys.dedup();
                exact_duplicates(&words, skip).0
            } else {
                Vec::new()
            };
            (dups, Some((keys, words)))
        }
        None => (find_duplicates(&cols, &p.rejects.rejected), None),
    };
    let column = key.join("+");
    for (i, f) in dups {
        let value: Vec<String> = match &keys {
            Some((_, words)) if keyed => vec![key_text(words[i]).to_string()],
            _ => key.iter().map(|k| show(col(p, k), i)).collect(),
        };
        let r = Reject::new(
            &p.schema.name,
            i,
            &column,
            value.join("+"),
            "duplicate_key",
            format!("the key ({column}) repeats data row {}", p.file_row(f)),
        );
        p.rejects.add(r);
    }
    p.key_set = keys.map(|(keys, words)| KeySet {
        keys,
        words,
        rejected_then: p.rejects.rejected.clone(),
    });
}

fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A hash of each row's key values (equal keys, equal hashes).
fn row_hashes(cols: &[&Series]) -> Vec<u64> {
    use std::hash::BuildHasher;
    let height = cols.first().map_or(0, |c| c.len());
    let state = PlRandomState::default();
    let mut h = vec![0u64; height];
    for s in cols {
        for (slot, v) in h.iter_mut().zip(key_values(s)) {
            let x = match v {
                KeyVal::Null => 0,
                KeyVal::S(v) => state.hash_one(v),
                KeyVal::I(v) => state.hash_one(v),
                KeyVal::B(v) => u64::from(v) + 1,
            };
            *slot = mix(*slot, x);
        }
    }
    h
}

/// Rows (not in `skip`) whose key equals an earlier row's: (row, first row). Rows are sorted by
/// key hash (cache-friendly at millions of rows) and compared exactly where hashes are equal.
fn find_duplicates(cols: &[&Series], skip: &[bool]) -> Vec<(usize, usize)> {
    let hashes = row_hashes(cols);
    let mut pairs: Vec<(u64, u32)> = hashes
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip[*i])
        .map(|(i, &h)| (h, i as u32))
        .collect();
    drop(hashes);
    pairs.par_sort_unstable();
    let same = |a: usize, b: usize| cols.iter().all(|c| c.get(a).ok() == c.get(b).ok());
    let mut dups = Vec::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < 2 {
            continue;
        }
        // Distinct keys of the group, each with its first row (rows are in ascending order).
        let mut firsts: Vec<usize> = Vec::new();
        for &(_, row) in group {
            let row = row as usize;
            match firsts.iter().find(|&&f| same(f, row)) {
                Some(&f) => dups.push((row, f)),
                None => firsts.push(row),
            }
        }
    }
    dups.sort_unstable();
    dups
}

/// Words of a key column's missing values and of values that are not digit strings (no
/// `digits_key` reaches them: 17 << 59 | 10^17 is far below).
pub(super) const NULL_WORD: u64 = u64::MAX;

pub(super) const TEXT_WORD: u64 = u64::MAX - 1;

/// Each row's exact `digits_key` when every row not in `skip` is a digit string (or missing);
/// `None` otherwise (the key is then compared by hash and value).
pub(super) fn exact_words(s: &Series, skip: &[bool]) -> Option<Vec<u64>> {
    let ca = s.str().ok()?;
    let words = par_map_str(ca, |v| match v {
        None => NULL_WORD,
        Some(v) => digits_key(v).unwrap_or(TEXT_WORD),
    });
    let all_exact = words
        .iter()
        .zip(skip)
        .all(|(&w, &skipped)| skipped || w != TEXT_WORD);
    all_exact.then_some(words)
}

/// (exact key word, row), sorted.
type KeyPairs = Vec<(u64, u32)>;

/// Rows (not in `skip`) whose exact key word equals an earlier row's: (row, first row); and
/// the (word, row) pairs sorted.
fn exact_duplicates(words: &[u64], skip: &[bool]) -> (Vec<(usize, usize)>, KeyPairs) {
    let mut pairs: Vec<(u64, u32)> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip[*i])
        .map(|(i, &w)| (w, i as u32))
        .collect();
    pairs.par_sort_unstable();
    let mut dups = Vec::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        let first = group[0].1 as usize;
        dups.extend(group[1..].iter().map(|&(_, row)| (row as usize, first)));
    }
    dups.sort_unstable();
    (dups, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_duplicates_name_the_first_row() {
        let w = |v: &str| digits_key(v).unwrap();
        let words = vec![w("5"), w("3"), w("5"), w("05"), w("3"), w("5")];
        let skip = vec![false, false, false, false, false, false];
        let (dups, _) = exact_duplicates(&words, &skip);
        assert_eq!(dups, vec![(2, 0), (4, 1), (5, 0)]);
        // A skipped (already rejected) row is neither a duplicate nor a first row.
        let skip = vec![true, false, false, false, false, false];
        let (dups, _) = exact_duplicates(&words, &skip);
        assert_eq!(dups, vec![(4, 1), (5, 2)]);
    }

    #[test]
    fn no_digit_key_reaches_the_words_of_missing_and_text_values() {
        let largest = digits_key("99999999999999999").unwrap();
        assert!(largest < TEXT_WORD && TEXT_WORD < NULL_WORD);
    }
}
