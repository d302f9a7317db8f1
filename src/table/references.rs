//! References between tables: a referencing value must be an accepted row of the referenced
//! table (`reference`), and `equals_referenced` checks a column against the row it refers to.
use super::keys::{NULL_WORD, TEXT_WORD};
use super::par::{par_map_str, par_row_ranges, PAR_ROWS};
use super::pending::{col, Pending};
use super::reject::Reject;
use super::schema::{self, Check};
use super::types::{InputSet, TextColumn};
use crate::rules::digit_key::digits_key;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Accepted values of a referenced key column: digit strings as their exact `digits_key`
/// (sorted, searched by bisection), other values as text.
#[derive(Default)]
pub(super) struct RefSet {
    pub(super) digits: Arc<Vec<u64>>,
    pub(super) text: PlHashSet<PlSmallStr>,
}

impl RefSet {
    fn build(ca: &StringChunked) -> Self {
        let words = par_map_str(ca, |v| match v {
            None => NULL_WORD,
            Some(v) => digits_key(v).unwrap_or(TEXT_WORD),
        });
        let mut text = PlHashSet::default();
        if words.contains(&TEXT_WORD) {
            for (v, &w) in ca.iter().zip(&words) {
                if let (Some(v), TEXT_WORD) = (v, w) {
                    text.insert(PlSmallStr::from(v));
                }
            }
        }
        let mut digits: Vec<u64> = words.into_iter().filter(|&w| w < TEXT_WORD).collect();
        digits.par_sort_unstable();
        digits.dedup();
        RefSet {
            digits: Arc::new(digits),
            text,
        }
    }

    fn contains(&self, v: &str) -> bool {
        match digits_key(v) {
            Some(k) => self.digits.binary_search(&k).is_ok(),
            None => self.text.contains(v),
        }
    }
}

/// Referenced sets at least this large are searched by sorting the references and walking
/// both in order (bisecting a set that does not fit the caches costs a miss per step).
const LARGE_SET: usize = 1 << 18;

/// Values (not empty, in rows not rejected) missing from `set`, with their rows. Rows come
/// grouped (students by institution and class): a value equal to the row before's is not
/// looked up again.
fn dangling_grouped(ca: &StringChunked, rejected: &[bool], set: &RefSet) -> Vec<(usize, String)> {
    par_row_ranges(ca.len())
        .flat_map_iter(|(start, len)| {
            let part = ca.slice(start as i64, len);
            let mut last: Option<(&str, bool)> = None;
            let mut out = Vec::new();
            for (j, v) in part.iter().enumerate() {
                let i = start + j;
                let Some(v) = v.filter(|v| !v.is_empty()) else {
                    continue;
                };
                if rejected[i] {
                    continue;
                }
                let ok = match last {
                    Some((l, ok)) if l == v => ok,
                    _ => {
                        let ok = set.contains(v);
                        last = Some((v, ok));
                        ok
                    }
                };
                if !ok {
                    out.push((i, v.to_string()));
                }
            }
            out
        })
        .collect()
}

/// As `dangling_grouped`, for a large set: the references' digit keys are sorted and matched
/// against the sorted set in one forward walk; other values are looked up one by one.
fn dangling_merged(ca: &StringChunked, rejected: &[bool], set: &RefSet) -> Vec<(usize, String)> {
    let words = par_map_str(ca, |v| match v {
        None | Some("") => NULL_WORD,
        Some(v) => digits_key(v).unwrap_or(TEXT_WORD),
    });
    let mut probes: Vec<(u64, u32)> = words
        .iter()
        .enumerate()
        .filter(|&(i, &w)| w != NULL_WORD && !rejected[i])
        .map(|(i, &w)| (w, i as u32))
        .collect();
    drop(words);
    probes.par_sort_unstable();
    let value = |row: usize| ca.get(row).unwrap_or_default().to_string();
    let keys = &set.digits;
    // The sorted probes walk the keys in ranges over the threads, each from where its first
    // probe falls.
    let mut out: Vec<(usize, String)> = probes
        .par_chunks(PAR_ROWS / 4)
        .flat_map_iter(|probes| {
            let mut out = Vec::new();
            let mut at = keys.partition_point(|&k| k < probes[0].0);
            for &(w, row) in probes {
                let row = row as usize;
                if w == TEXT_WORD {
                    let v = value(row);
                    if !set.text.contains(v.as_str()) {
                        out.push((row, v));
                    }
                    continue;
                }
                at = gallop(keys, at, w);
                if keys.get(at) != Some(&w) {
                    out.push((row, value(row)));
                }
            }
            out
        })
        .collect();
    out.sort_unstable_by_key(|&(row, _)| row);
    out
}

/// The first position at or after `from` whose key is not below `w` (`keys` sorted): steps
/// of 1, 2, 4, … from `from`, then a bisection of the last step. Sorted probes move forward
/// a little at a time; this touches a few cache lines where bisecting the rest touches ~20.
fn gallop(keys: &[u64], from: usize, w: u64) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo + step < keys.len() && keys[lo + step] < w {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step + 1).min(keys.len());
    lo + keys[lo..hi].partition_point(|&k| k < w)
}

/// References resolve to an accepted row of the referenced table.
pub(super) fn check_references(
    p: &mut Pending,
    done: &InputSet,
    present: &[&str],
    job_tables: &[&str],
    cache: &mut HashMap<(String, String), RefSet>,
) {
    for (ci, c) in p.schema.columns.iter().enumerate() {
        if c.reference().is_none() {
            continue;
        }
        let Ok(col) = p.columns[ci].str() else {
            continue;
        };
        let rejected = &p.rejects.rejected;
        let dangling = dangling_of(
            c,
            TextColumn::Plain(col),
            rejected,
            done,
            present,
            job_tables,
            cache,
        );
        if let Some(dangling) = dangling {
            add_reference_rejects(p, ci, dangling);
        }
    }
}

/// The values of column `c` (in rows not `rejected`) that its reference does not resolve,
/// with their rows; `None` when the column refers to nothing this job checks.
fn dangling_of(
    c: &schema::ColumnSchema,
    col: TextColumn,
    rejected: &[bool],
    done: &InputSet,
    present: &[&str],
    job_tables: &[&str],
    cache: &mut HashMap<(String, String), RefSet>,
) -> Option<Vec<(usize, String)>> {
    let target = ref_target(c, done, present, job_tables)?;
    Some(dangling_in(col, rejected, ref_set(cache, done, target)))
}

/// The (table, column) that column `c`'s values must be found in; `None` when the column
/// refers to nothing this job checks (or to a table not validated).
pub(super) fn ref_target<'c>(
    c: &'c schema::ColumnSchema,
    done: &InputSet,
    present: &[&str],
    job_tables: &[&str],
) -> Option<(&'c str, &'c str)> {
    let (t, tc) = c.reference()?;
    if !job_tables.contains(&t) || !present.contains(&t) {
        return None; // Checked only by the jobs that read the referenced table.
    }
    done.get(t).map(|_| (t, tc))
}

/// The accepted values of `t.tc` (a target from `ref_target`), built once per run.
pub(super) fn ref_set<'s>(
    cache: &'s mut HashMap<(String, String), RefSet>,
    done: &InputSet,
    (t, tc): (&str, &str),
) -> &'s RefSet {
    cache
        .entry((t.to_string(), tc.to_string()))
        .or_insert_with(|| {
            let target = done.get(t).expect("a validated table (ref_target)");
            if let (Some(keys), [k]) = (&target.key_digits, target.schema.key.as_slice()) {
                if k == tc {
                    return RefSet {
                        digits: Arc::clone(keys),
                        text: PlHashSet::default(),
                    };
                }
            }
            match target.text(tc).expect("referenced column") {
                TextColumn::Plain(ca) => RefSet::build(ca),
                coded => RefSet::build(&coded.iter().collect()),
            }
        })
}

/// The values of `col` (in rows not `rejected`) missing from `set`, with their rows.
pub(super) fn dangling_in(
    col: TextColumn,
    rejected: &[bool],
    set: &RefSet,
) -> Vec<(usize, String)> {
    match col {
        TextColumn::Coded(codes, values) => {
            // Each distinct value is looked up once.
            let bad: Vec<bool> = values
                .iter()
                .map(|v| !v.is_empty() && !set.contains(v))
                .collect();
            if !bad.contains(&true) {
                return Vec::new();
            }
            codes
                .iter()
                .enumerate()
                .filter_map(|(i, code)| {
                    let v = values[code? as usize].as_str();
                    (bad[code? as usize] && !v.is_empty() && !rejected[i])
                        .then(|| (i, v.to_string()))
                })
                .collect()
        }
        TextColumn::Plain(ca) if set.digits.len() >= LARGE_SET => {
            dangling_merged(ca, rejected, set)
        }
        TextColumn::Plain(ca) => dangling_grouped(ca, rejected, set),
    }
}

/// Rejects the rows of `dangling` (of column `ci`) not rejected already.
pub(super) fn add_reference_rejects(p: &mut Pending, ci: usize, dangling: Vec<(usize, String)>) {
    let c = &p.schema.columns[ci];
    let (t, tc) = c.reference().expect("a reference");
    for (i, v) in dangling {
        if p.rejects.is_rejected(i) {
            continue;
        }
        p.rejects.add(Reject::new(
            &p.schema.name,
            i,
            &c.name,
            &v,
            "reference",
            format!(
                "`{}` = {v} is not an accepted row of `{t}` ({t}.{tc})",
                c.name
            ),
        ));
    }
}

/// `equals_referenced` checks: a column equals a column of the row it refers to.
pub(super) fn check_equals_referenced(p: &mut Pending, done: &InputSet) {
    let checks: Vec<Check> = p.schema.checks.clone();
    for check in checks {
        let Check::EqualsReferenced {
            column,
            key,
            references,
            target,
            name,
            ..
        } = check
        else {
            continue;
        };
        let Some((t, tk)) = references.split_once('.') else {
            continue;
        };
        let Some(target_table) = done.get(t) else {
            continue;
        };
        let (Ok(keys), Ok(values)) = (target_table.df.column(tk), target_table.df.column(&target))
        else {
            continue;
        };
        let (Ok(keys), Ok(values)) = (keys.str(), values.str()) else {
            continue;
        };
        let expected: HashMap<&str, &str> = keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k?, v?)))
            .collect();
        let own_keys = col(p, &key).str().expect("text").clone();
        let own_values = col(p, &column).str().expect("text").clone();
        let mut found = Vec::new();
        for (i, (k, v)) in own_keys.iter().zip(own_values.iter()).enumerate() {
            if p.rejects.is_rejected(i) {
                continue;
            }
            if let (Some(k), Some(v)) = (k, v) {
                if let Some(&want) = expected.get(k) {
                    if want != v {
                        found.push(Reject::new(
                            &p.schema.name,
                            i,
                            &column,
                            v,
                            &name,
                            format!("`{column}` must be the `{target}` of {t} {k} ({want})"),
                        ));
                    }
                }
            }
        }
        for r in found {
            p.rejects.add(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gallop_finds_the_partition_point_from_any_start() {
        let keys: Vec<u64> = (0..1000u64).map(|i| i * 8 + (i % 7)).collect();
        for from in [0, 1, 17, 500, 998, 999, 1000] {
            for w in 0..8100u64 {
                let want = from + keys[from.min(keys.len())..].partition_point(|&k| k < w);
                assert_eq!(gallop(&keys, from, w), want, "from {from}, w {w}");
            }
        }
        assert_eq!(gallop(&[], 0, 5), 0);
    }

    type Dangling = Vec<(usize, String)>;

    fn refs(values: &[Option<&str>], set: &[&str]) -> (Dangling, Dangling) {
        let target = StringChunked::from_iter_options("t".into(), set.iter().map(|v| Some(*v)));
        let set = RefSet::build(&target);
        let ca = StringChunked::from_iter_options("c".into(), values.iter().copied());
        let rejected = vec![false; values.len()];
        (
            dangling_grouped(&ca, &rejected, &set),
            dangling_merged(&ca, &rejected, &set),
        )
    }

    #[test]
    fn references_found_the_same_way_by_both_walks() {
        let (grouped, merged) = refs(
            &[
                Some("100"),
                Some("100"),
                Some("0100"),
                None,
                Some(""),
                Some("abc"),
                Some("x-1"),
                Some("200"),
                Some("7"),
            ],
            &["100", "200", "abc", "300"],
        );
        let want: Vec<(usize, String)> =
            vec![(2, "0100".into()), (6, "x-1".into()), (8, "7".into())];
        assert_eq!(grouped, want);
        assert_eq!(merged, want);
    }

    #[test]
    fn references_found_the_same_way_by_both_walks_over_many_ranges() {
        // 100,000 references (several ranges of sorted probes) into 60,000 keys; every
        // 37th value is missing from the set, some are text, some missing values.
        let set: Vec<String> = (0..60_000u64)
            .map(|i| (i * 17 + 1_000_000).to_string())
            .collect();
        let set_refs: Vec<&str> = set.iter().map(String::as_str).collect();
        let values: Vec<Option<String>> = (0..100_000u64)
            .map(|i| match i % 101 {
                0 => None,
                1 => Some(format!("t{}", i % 5)),
                _ if i % 37 == 0 => Some((i * 17 + 1_000_003).to_string()),
                _ => Some(((i * 7919) % 60_000 * 17 + 1_000_000).to_string()),
            })
            .collect();
        let values: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
        let (grouped, merged) = refs(&values, &set_refs);
        assert!(grouped.len() > 2_500, "{}", grouped.len());
        assert_eq!(grouped, merged);
    }
}
