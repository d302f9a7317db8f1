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

/// Each row's [`id_key`] of a column (`None`: missing or not a valid ID).
pub type RowIds = Arc<Vec<Option<u64>>>;

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
}

impl Probe<'_> {
    fn column(&self, table: &str, column: &str) -> Option<(Option<&Series>, usize)> {
        match self.tables.get(table)? {
            Probed::Converted(p) => {
                let i = p.schema.column_index(column)?;
                Some((Some(&p.columns[i]), p.height))
            }
            Probed::Raw(r) => {
                let i = r.schema.column_index(column)?;
                Some((r.raw.columns[i].as_ref(), r.raw.height))
            }
        }
    }

    /// Whether `table` was found.
    pub fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// Each row's ID in `table.column` as [`id_key`] (`None`: missing or not a valid ID);
    /// `None` when the table is absent.
    pub fn ids(&self, table: &str, column: &str) -> Option<RowIds> {
        let at = (table.to_string(), column.to_string());
        if let Some(ids) = self.ids.lock().ok()?.get(&at) {
            return Some(ids.clone());
        }
        let (s, height) = self.column(table, column)?;
        let ids = Arc::new(match s.map(|s| s.str()) {
            Some(Ok(ca)) => row_ids(ca),
            _ => vec![None; height],
        });
        self.ids.lock().ok()?.insert(at, ids.clone());
        Some(ids)
    }

    /// The IDs computed, for picking the rows.
    pub(super) fn into_ids(self) -> HashMap<(String, String), RowIds> {
        self.ids.into_inner().unwrap_or_default()
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

/// Each value's [`id_key`], the column's arrays keyed in parallel.
fn row_ids(ca: &StringChunked) -> Vec<Option<u64>> {
    let arrays: Vec<_> = ca.downcast_iter().collect();
    let parts: Vec<Vec<Option<u64>>> = arrays
        .par_iter()
        .map(|a| a.iter().map(|v| v.and_then(id_key)).collect())
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
) -> Vec<bool> {
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
                let Some(Ok(ca)) = raw.raw.columns[i].as_ref().map(|s| s.str()) else {
                    continue;
                };
                Arc::new(row_ids(ca))
            }
        };
        keep.par_iter_mut().zip(keys.par_iter()).for_each(|(k, v)| {
            *k = *k || v.is_some_and(|key| set.contains(key));
        });
    }
    keep
}

/// `raw` with only the rows `keep`, and the 1-based file row of each row kept. The rejects of
/// reading (their messages name the file's rows) stay with their rows.
pub(super) fn filter_raw(raw: RawTable, keep: &[bool]) -> Result<(RawTable, Vec<u64>)> {
    let RawTable {
        schema,
        source,
        raw,
    } = raw;
    let rows: Vec<u64> = (keep.iter().enumerate())
        .filter(|(_, &k)| k)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mask: BooleanChunked = keep.iter().copied().collect();
    let filtered = |s: Series| {
        s.filter(&mask)
            .map_err(|e| Error::Job(format!("reading `{}` for the named IDs: {e}", schema.name)))
    };
    let columns = (raw.columns.into_iter())
        .map(|c| c.map(filtered).transpose())
        .collect::<Result<Vec<_>>>()?;
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
        },
        rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_keyed_by_its_nine_digit_form() {
        assert_eq!(id_key("10000016"), id_key("010000016"));
        assert!(id_key("010000016").is_some());
        assert_eq!(id_key("010000017"), None, "wrong check digit");
        assert_eq!(id_key(""), None);
        assert_eq!(id_key(" 010000016"), None, "not trimmed, as validation");
    }

    /// A reference table read for one ID, worked by hand: row 1 is the ID's; row 2 another
    /// ID's, its phone broken (not read, so not rejected); row 3 cannot be read as CSV (read
    /// and rejected: whose it is cannot be told); rows 4 and 5 are the ID again, the second in
    /// its 8-digit form (read: duplicate keys of row 1).
    #[test]
    fn a_reference_table_reads_every_row_of_a_picked_id_and_keeps_its_row_numbers() {
        use crate::table::validate::{load_inputs_selecting, TableNeed};
        let dir = tempfile::tempdir().unwrap();
        let text = "contact_id,phone,email,street,house_number,city,zip\n\
                    010000016,050-1,,,,,\n\
                    000000018,no phone,,,,,\n\
                    only,two\n\
                    010000016,050-2,,,,,\n\
                    10000016,050-3,,,,,\n";
        std::fs::write(dir.path().join("contact_details.csv"), text).unwrap();
        let needs = [TableNeed::new("contact_details", true).reference()];
        let select = |_: &Probe| -> Result<Selection> {
            let ids = IdSet::new(vec![id_key("010000016").unwrap()]);
            let pick = Pick {
                by: vec![("contact_id", ids)],
                read_for: "the named contacts",
            };
            Ok([("contact_details", pick)].into_iter().collect())
        };
        let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &select).unwrap();
        let t = set.table("contact_details").unwrap();
        assert_eq!(
            t.read_only,
            Some(crate::table::types::ReadOnly {
                rows_in_file: 5,
                read_for: "the named contacts"
            })
        );
        assert_eq!((t.rows_read, t.rows_rejected, t.rows_accepted()), (4, 3, 1));
        assert_eq!(t.row_numbers().collect::<Vec<_>>(), [1]);
        let rejects: Vec<(u64, &str, &str)> = (set.rejects.iter())
            .map(|r| (r.row_number, r.rule.as_str(), r.message.as_str()))
            .collect();
        assert_eq!(rejects.len(), 3, "{rejects:?}");
        assert_eq!((rejects[0].0, rejects[0].1), (3, "field_count"));
        assert_eq!(
            rejects[1..],
            [
                (
                    4,
                    "duplicate_key",
                    "the key (contact_id) repeats data row 1"
                ),
                (
                    5,
                    "duplicate_key",
                    "the key (contact_id) repeats data row 1"
                ),
            ]
        );
        // Without a selection the same need reads every row (row 2's phone is rejected).
        let all = crate::table::validate::load_inputs(dir.path(), &needs, &BTreeMap::new());
        let all = all.unwrap();
        let t = all.table("contact_details").unwrap();
        assert_eq!((t.rows_read, t.read_only.clone()), (5, None));
        assert!(all.rejects.iter().any(|r| r.row_number == 2));
    }
}
