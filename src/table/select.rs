//! Reading a *reference* table only for the IDs a run names (`TableNeed::reference`,
//! data-contract.md "Reference tables read for the named IDs"): a job whose few thousand
//! requests name a few thousand students of a national roster reads and validates those
//! students' rows, not 2.4 million.
//!
//! The job says which rows by a function of a [`Probe`] — each row's IDs in the tables read
//! whole (the requests) and in the reference tables as read from their files — that returns a
//! [`Selection`]: per reference table, the columns and the IDs whose rows are read. A row is
//! read when one of those columns holds one of those IDs (compared as the exact digit key of
//! the ID's 9-digit form, as validation normalizes IDs), and every row that names such an ID
//! is read, so a duplicate key among them is still caught. A row the reader could not read at
//! all (a CSV row of the wrong field count) is read too: whose it is cannot be told. The rows
//! read are then validated like any table's, and each keeps its row number in the file.
use super::header::RawColumns;
use super::id_index::KeyFilter;
use super::read::RawTable;
use super::reject::{Reject, RejectSet};
use crate::error::{Error, Result};
use crate::rules::digit_key::key_of;
use crate::rules::israeli_id;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The exact digit key of a valid Israeli ID's 9-digit form (`010000016` and `10000016` have
/// one key); `None` for any other value.
pub fn id_key(value: &str) -> Option<u64> {
    israeli_id::number(value.as_bytes())
        .ok()
        .map(|n| key_of(9, n))
}

/// The number a valid Israeli ID reads as (below 10⁹: `010000016` and `10000016` are both
/// 10,000,016), in 4 bytes: what an [`IdColumn`] holds of a row, and what the letters index
/// guardians by (`jobs::letters::GuardianRows`); `None` for any other value.
pub fn id_number(value: &str) -> Option<u32> {
    let n = israeli_id::number(value.as_bytes()).ok()?;
    u32::try_from(n).ok().filter(|&n| n != NO_ID)
}

/// A set of ID keys ([`id_key`]): sorted, with a bit filter in front, since most rows of a
/// national table hold none of them.
pub struct IdSet {
    keys: Vec<u64>,
    filter: KeyFilter,
}

impl IdSet {
    pub fn new(mut keys: Vec<u64>) -> Self {
        keys.par_sort_unstable();
        keys.dedup();
        let filter = KeyFilter::of(keys.iter().copied());
        IdSet { keys, filter }
    }

    pub fn contains(&self, key: u64) -> bool {
        self.filter.may_hold(key) && self.keys.binary_search(&key).is_ok()
    }

    /// The keys, ascending.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
}

impl FromIterator<u64> for IdSet {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        IdSet::new(iter.into_iter().collect())
    }
}

/// The rows of one reference table a run reads: those whose column `by[k].0` holds one of
/// the IDs `by[k].1`, for some k.
pub struct Pick {
    pub by: Vec<(&'static str, IdSet)>,
    /// For the manifest: which rows the table was read for ("students named by the requests").
    pub read_for: &'static str,
}

/// Per reference table, the rows a run reads. A reference table without a pick is read whole.
pub type Selection = BTreeMap<&'static str, Pick>;

/// Each row's [`id_key`] of a column (`None`: missing or not a valid ID), shared.
pub type RowIds = Arc<IdColumn>;

/// Each row's [`id_key`] of a column, in 4 bytes a row: the number a valid ID reads as (below
/// 10⁹; its key is that of its 9-digit form), or none. The contacts of a nation three times
/// national have 14 million rows, and a selection holds two such columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdColumn(Vec<u32>);

/// An [`IdColumn`] row without a valid ID.
const NO_ID: u32 = u32::MAX;

impl IdColumn {
    /// How a row's key is held: every [`id_key`] is the key of a 9-digit number.
    fn held(key: Option<u64>) -> u32 {
        let number = key.and_then(|k| k.checked_sub(key_of(9, 0)));
        match number {
            Some(n) if n < u64::from(NO_ID) => n as u32,
            _ => NO_ID,
        }
    }

    fn key(held: u32) -> Option<u64> {
        (held != NO_ID).then(|| key_of(9, u64::from(held)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Row `i`'s key.
    pub fn get(&self, i: usize) -> Option<u64> {
        self.0.get(i).copied().and_then(IdColumn::key)
    }

    /// Each row's key, in row order.
    pub fn iter(&self) -> impl Iterator<Item = Option<u64>> + '_ {
        self.0.iter().map(|&h| IdColumn::key(h))
    }

    fn par_iter(&self) -> impl IndexedParallelIterator<Item = Option<u64>> + '_ {
        self.0.par_iter().map(|&h| IdColumn::key(h))
    }
}

/// Rows' keys as [`id_key`] gives them (a key of another form is held as no ID).
impl FromIterator<Option<u64>> for IdColumn {
    fn from_iter<I: IntoIterator<Item = Option<u64>>>(iter: I) -> Self {
        IdColumn(iter.into_iter().map(IdColumn::held).collect())
    }
}

/// A table as the selection sees it: converted (read whole) or as read from its file.
pub(super) enum Probed<'a> {
    Converted(&'a super::pending::Pending),
    Raw(&'a RawTable),
}

/// Each row's IDs and flags in the tables of a run, before the reference tables are filtered.
pub struct Probe<'a> {
    pub(super) tables: HashMap<&'a str, Probed<'a>>,
    /// The IDs of the columns asked for, by (table, column): the rows are picked by them.
    pub(super) ids: Mutex<HashMap<(String, String), RowIds>>,
    /// The first column that could not be read from its file (the run stops with it).
    pub(super) failed: Mutex<Option<Error>>,
}

impl Probe<'_> {
    fn column(&self, table: &str, column: &str) -> Option<(Option<Series>, usize)> {
        match self.tables.get(table)? {
            Probed::Converted(p) => {
                let i = p.schema.column_index(column)?;
                Some((Some(p.columns[i].clone()), p.height))
            }
            Probed::Raw(r) => {
                let i = r.schema.column_index(column)?;
                match r.column(i) {
                    Ok(s) => Some((s, r.raw.height)),
                    Err(e) => {
                        if let Ok(mut failed) = self.failed.lock() {
                            failed.get_or_insert(e);
                        }
                        None
                    }
                }
            }
        }
    }

    /// Whether `table` was found.
    pub fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// The students named by the `student_id` column of `tables` (those present): the IDs
    /// of every row, a row rejected for another value included.
    pub fn named_by(&self, tables: &[&str]) -> IdSet {
        (tables.iter())
            .filter_map(|t| self.ids(t, "student_id"))
            .flat_map(|ids| ids.iter().flatten().collect::<Vec<u64>>())
            .collect()
    }

    /// Each row's ID in `table.column` as [`id_key`] (`None`: missing or not a valid ID);
    /// `None` when the table is absent.
    pub fn ids(&self, table: &str, column: &str) -> Option<RowIds> {
        let at = (table.to_string(), column.to_string());
        if let Some(ids) = self.ids.lock().ok()?.get(&at) {
            return Some(ids.clone());
        }
        let ids = match self.tables.get(table)? {
            // A table as read from its file is keyed a part at a time (`RawTable::column_parts`).
            Probed::Raw(r) => match raw_row_ids(r, r.schema.column_index(column)?) {
                Ok(ids) => ids,
                Err(e) => {
                    if let Ok(mut failed) = self.failed.lock() {
                        failed.get_or_insert(e);
                    }
                    return None;
                }
            },
            Probed::Converted(_) => {
                let (s, height) = self.column(table, column)?;
                IdColumn(column_ids(s.as_ref(), height))
            }
        };
        let ids = Arc::new(ids);
        self.ids.lock().ok()?.insert(at, ids.clone());
        Some(ids)
    }

    /// The IDs computed, for picking the rows; the first column that could not be read.
    pub(super) fn into_ids(self) -> Result<HashMap<(String, String), RowIds>> {
        if let Some(e) = self.failed.into_inner().ok().flatten() {
            return Err(e);
        }
        Ok(self.ids.into_inner().unwrap_or_default())
    }

    /// Each row's value of the boolean `table.column` (`None`: missing or not a boolean, the
    /// text of a CSV file read as validation reads it).
    pub fn flags(&self, table: &str, column: &str) -> Option<Vec<Option<bool>>> {
        let (s, height) = self.column(table, column)?;
        Some(match s {
            Some(s) => match (s.bool(), s.str()) {
                (Ok(ca), _) => ca.iter().collect(),
                (_, Ok(ca)) => (ca.iter())
                    .map(|v| v.and_then(super::convert::parse_bool))
                    .collect(),
                _ => vec![None; height],
            },
            None => vec![None; height],
        })
    }
}

/// Each row's [`id_key`] of a column of `height` rows (`None` throughout when the column is
/// absent or not text).
fn column_ids(s: Option<&Series>, height: usize) -> Vec<u32> {
    match s.map(|s| s.str()) {
        Some(Ok(ca)) => row_ids(ca),
        _ => vec![NO_ID; height],
    }
}

/// Each row's [`id_key`] of schema column `ci` of a table as read from its file, decoded a
/// part at a time.
fn raw_row_ids(raw: &RawTable, ci: usize) -> Result<IdColumn> {
    let parts = raw.column_parts(ci, |(_, rows), s| Ok(column_ids(s.as_ref(), rows)))?;
    Ok(IdColumn(parts.concat()))
}

/// Each value's [`id_key`] as an [`IdColumn`] holds it, the column's arrays keyed in parallel.
fn row_ids(ca: &StringChunked) -> Vec<u32> {
    let arrays: Vec<_> = ca.downcast_iter().collect();
    let parts: Vec<Vec<u32>> = arrays
        .par_iter()
        .map(|a| {
            a.iter()
                .map(|v| v.and_then(id_number).unwrap_or(NO_ID))
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(ca.len());
    for p in parts {
        out.extend(p);
    }
    out
}

/// Which rows of `raw` a pick reads: those naming a picked ID, and those the reader could not
/// read at all. `ids` holds the IDs of the columns the selection probed.
pub(super) fn picked_rows(
    raw: &RawTable,
    pick: &Pick,
    ids: &HashMap<(String, String), RowIds>,
) -> Result<Vec<bool>> {
    let height = raw.raw.height;
    let mut keep = raw.raw.pre_rejects.rejected.clone();
    keep.resize(height, false);
    for (column, set) in &pick.by {
        let at = (raw.schema.name.clone(), column.to_string());
        let keys = match ids.get(&at) {
            Some(k) => k.clone(),
            None => {
                let Some(i) = raw.schema.column_index(column) else {
                    continue;
                };
                Arc::new(raw_row_ids(raw, i)?)
            }
        };
        keep.par_iter_mut().zip(keys.par_iter()).for_each(|(k, v)| {
            *k = *k || v.is_some_and(|key| set.contains(key));
        });
    }
    Ok(keep)
}

/// A filtered text column holding only its own rows' text. polars filters a text column by its
/// 16-byte views alone, so the rows kept still hold the text of every row decoded: a national
/// `contacts` read for the letters' addressees kept 7 % of its rows and all of their text until
/// the letters were written (~55 MB nationally, ~165 MB at three times national, issue #24).
/// Each array whose text is mostly that of rows left out is copied out (polars' `maybe_gc`).
fn kept_text(ca: StringChunked) -> Series {
    let name = ca.name().clone();
    let arrays = ca.downcast_into_iter().map(|arr| arr.maybe_gc());
    StringChunked::from_chunk_iter(name, arrays).into_series()
}

/// `raw` with only the rows `keep`, and the 1-based file row of each row kept. The rejects of
/// reading (their messages name the file's rows) stay with their rows. A Parquet file read a
/// column at a time is decoded one column after the other, each filtered before the next.
pub(super) fn filter_raw(raw: RawTable, keep: &[bool]) -> Result<(RawTable, Vec<u64>)> {
    let rows: Vec<u64> = (keep.iter().enumerate())
        .filter(|(_, &k)| k)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let name = &raw.schema.name.clone();
    let failed = |e: PolarsError| Error::Job(format!("reading `{name}` for the named IDs: {e}"));
    // Each column is decoded a part at a time and each part filtered before the next.
    let filtered = |(first, rows): (usize, usize), s: Option<Series>| {
        let mask: BooleanChunked = keep[first..first + rows].iter().copied().collect();
        let Some(s) = s else { return Ok(None) };
        let kept = s.filter(&mask).map_err(failed)?;
        drop(s);
        if kept.dtype() != &DataType::String {
            return Ok(Some(kept));
        }
        // The only holder of its arrays, so that they can be copied out.
        let text = kept.str().map_err(failed)?.clone();
        drop(kept);
        Ok(Some(kept_text(text)))
    };
    let column = |ci: usize| -> Result<Option<Series>> {
        let mut parts = raw.column_parts(ci, filtered)?.into_iter();
        let Some(Some(mut whole)) = parts.next() else {
            return Ok(None);
        };
        for p in parts {
            let Some(p) = p else { return Ok(None) };
            whole.append(&p).map_err(failed)?;
        }
        Ok(Some(whole.rechunk()))
    };
    let columns = (0..raw.schema.columns.len())
        .map(column)
        .collect::<Result<Vec<_>>>()?;
    let RawTable {
        schema,
        source,
        raw,
        parquet: _,
    } = raw;
    let mut pre_rejects = RejectSet::new(rows.len());
    let at: HashMap<u64, u64> = (rows.iter().enumerate())
        .map(|(i, &r)| (r, i as u64 + 1))
        .collect();
    for r in raw.pre_rejects.rejects {
        if let Some(&n) = at.get(&r.row_number) {
            pre_rejects.add(Reject { row_number: n, ..r });
        }
    }
    let raw = RawColumns {
        height: rows.len(),
        columns,
        pre_rejects,
        warnings: raw.warnings,
    };
    Ok((
        RawTable {
            schema,
            source,
            raw,
            parquet: None,
        },
        rows,
    ))
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;
