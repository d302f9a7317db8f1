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
use super::read::RawTable;
use super::reject::{Reject, RejectSet};
use crate::error::{Error, Result};
use crate::rules::digit_key::key_of;
use crate::rules::israeli_id;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The exact digit key of a valid Israeli ID's 9-digit form (`010000016` and `10000016` have
/// one key); `None` for any other value.
pub fn id_key(value: &str) -> Option<u64> {
    israeli_id::number(value.as_bytes())
        .ok()
        .map(|n| key_of(9, n))
}

/// The rows of one reference table a run reads: those whose column `by[k].0` holds one of
/// the IDs `by[k].1`, for some k.
#[derive(Debug, Clone, Default)]
pub struct Pick {
    pub by: Vec<(&'static str, HashSet<u64>)>,
    /// For the manifest: which rows the table was read for ("students named by the requests").
    pub read_for: &'static str,
}

/// Per reference table, the rows a run reads. A reference table without a pick is read whole.
pub type Selection = BTreeMap<&'static str, Pick>;

/// A table as the selection sees it: converted (read whole) or as read from its file.
pub(super) enum Probed<'a> {
    Converted(&'a super::pending::Pending),
    Raw(&'a RawTable),
}

/// Each row's IDs and flags in the tables of a run, before the reference tables are filtered.
pub struct Probe<'a> {
    pub(super) tables: HashMap<&'a str, Probed<'a>>,
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
    pub fn ids(&self, table: &str, column: &str) -> Option<Vec<Option<u64>>> {
        let (s, height) = self.column(table, column)?;
        Some(match s.map(|s| s.str()) {
            Some(Ok(ca)) => ca.iter().map(|v| v.and_then(id_key)).collect(),
            _ => vec![None; height],
        })
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

/// Which rows of `raw` a pick reads: those naming a picked ID, and those the reader could not
/// read at all.
pub(super) fn picked_rows(raw: &RawTable, pick: &Pick) -> Vec<bool> {
    let height = raw.raw.height;
    let mut keep = raw.raw.pre_rejects.rejected.clone();
    keep.resize(height, false);
    for (column, ids) in &pick.by {
        let Some(i) = raw.schema.column_index(column) else {
            continue;
        };
        let Some(Ok(ca)) = raw.raw.columns[i].as_ref().map(|s| s.str()) else {
            continue;
        };
        for (k, v) in keep.iter_mut().zip(ca.iter()) {
            if !*k {
                *k = v.and_then(id_key).is_some_and(|key| ids.contains(&key));
            }
        }
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
}
