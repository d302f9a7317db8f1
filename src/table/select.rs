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
mod tests {
    use super::*;

    /// A text column filtered down to a few rows holds those rows' text only, the same values.
    #[test]
    fn kept_text_holds_only_the_rows_kept() {
        let long = |i: usize| format!("רחוב הנביאים {i:06} דירה 12");
        let ca: StringChunked = (0..1_000).map(|i| Some(long(i))).collect();
        let mask: BooleanChunked = (0..1_000).map(|i| i % 100 == 7).collect();
        let filtered = ca.into_series().filter(&mask).unwrap();
        let buffers = |s: &Series| -> usize {
            s.str()
                .unwrap()
                .downcast_iter()
                .map(|a| a.total_buffer_len())
                .sum()
        };
        let one = long(0).len();
        // polars filters the views: the buffers still hold every row's text.
        assert!(buffers(&filtered) >= 1_000 * one, "{}", buffers(&filtered));
        let expected: Vec<String> = (0..1_000).filter(|i| i % 100 == 7).map(long).collect();
        let text = filtered.str().unwrap().clone();
        drop(filtered);
        let kept = kept_text(text);
        assert!(buffers(&kept) <= 10 * one, "{}", buffers(&kept));
        let values: Vec<&str> = kept.str().unwrap().iter().map(Option::unwrap).collect();
        assert_eq!(values, expected);
    }

    /// An ID's 4-byte number is that of its 9-digit form, and what an `IdColumn` holds of
    /// its key; a value that is no valid ID has none.
    #[test]
    fn an_id_number_is_that_of_the_9_digit_form() {
        assert_eq!(id_number("010000016"), Some(10_000_016));
        assert_eq!(id_number("10000016"), Some(10_000_016));
        assert_eq!(id_number("18"), Some(18));
        for bad in ["123456789", "", "x18", "1000000016"] {
            assert_eq!(id_number(bad), None, "{bad}");
        }
        for id in ["010000016", "18", "999999998"] {
            let column: IdColumn = [id_key(id)].into_iter().collect();
            assert_eq!(column.0, [id_number(id).unwrap()]);
        }
    }

    #[test]
    fn an_id_is_keyed_by_its_nine_digit_form() {
        assert_eq!(id_key("10000016"), id_key("010000016"));
        assert!(id_key("010000016").is_some());
        assert_eq!(id_key("010000017"), None, "wrong check digit");
        assert_eq!(id_key(""), None);
        assert_eq!(id_key(" 010000016"), None, "not trimmed, as validation");
    }

    /// A Parquet reference table is decoded a column at a time: the picked rows of every
    /// column come out as a whole read would give them, with their file row numbers, and a
    /// reference table without a pick is read whole.
    #[test]
    fn a_parquet_reference_table_read_a_column_at_a_time_keeps_the_picked_rows() {
        use crate::table::validate::{load_inputs_selecting, TableNeed};
        let dir = tempfile::tempdir().unwrap();
        let sch = crate::table::schema::get("contact_details").unwrap();
        let ids = ["000000018", "010000016", "000000026", "010000016"];
        let phones = ["050-1111111", "050-2222222", "050-3333333", "050-4444444"];
        let columns: Vec<Column> = (sch.columns.iter())
            .map(|c| match c.name.as_str() {
                "contact_id" => Column::new("contact_id".into(), ids),
                "phone" => Column::new("phone".into(), phones),
                n => Column::new(n.into(), [None::<&str>; 4]),
            })
            .collect();
        let mut df = DataFrame::new(4, columns).unwrap();
        let file = std::fs::File::create(dir.path().join("contact_details.parquet")).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
        let needs = [TableNeed::new("contact_details", true).reference()];
        let pick = |probe: &Probe| -> Result<Selection> {
            assert!(probe.has("contact_details"));
            let read = probe.ids("contact_details", "contact_id").unwrap();
            assert_eq!(read.len(), 4, "the probe sees every row's ID");
            let ids = IdSet::new(vec![id_key("010000016").unwrap()]);
            let pick = Pick {
                by: vec![("contact_id", ids)],
                read_for: "one contact",
            };
            Ok([("contact_details", pick)].into_iter().collect())
        };
        let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &pick).unwrap();
        let t = set.table("contact_details").unwrap();
        assert_eq!(
            (t.rows_read, t.rows_rejected),
            (2, 1),
            "row 4 repeats row 2"
        );
        assert_eq!(t.row_numbers().collect::<Vec<_>>(), [2]);
        let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
        assert_eq!(phone, [Some("050-2222222")]);
        // No pick: every row of every column.
        let none = |_: &Probe| -> Result<Selection> { Ok(Selection::new()) };
        let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &none).unwrap();
        let t = set.table("contact_details").unwrap();
        assert_eq!(
            (t.rows_read, t.rows_rejected, t.read_only.clone()),
            (4, 1, None)
        );
        let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
        assert_eq!(
            phone,
            phones[..3].iter().map(|p| Some(*p)).collect::<Vec<_>>()
        );
    }

    /// Issue #24: a reference table of several row groups is keyed and filtered a part at a
    /// time (`RawTable::column_parts`); the rows picked on either side of a part's edge are
    /// read with their own values and file rows.
    #[test]
    fn a_reference_table_of_several_parts_keeps_the_picked_rows_of_each() {
        use crate::table::validate::{load_inputs_selecting, TableNeed};
        let dir = tempfile::tempdir().unwrap();
        let sch = crate::table::schema::get("contact_details").unwrap();
        let n = 600_000;
        let picked = [
            (0, "000000018"),
            (399_999, "000000026"),
            (400_000, "000000034"),
            (599_999, "000000042"),
        ];
        let mut ids: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
        for (row, id) in picked {
            ids[row] = id.to_string();
        }
        let phones: Vec<String> = (0..n).map(|i| format!("050-{i:07}")).collect();
        let columns: Vec<Column> = (sch.columns.iter())
            .map(|c| match c.name.as_str() {
                "contact_id" => Column::new("contact_id".into(), &ids),
                "phone" => Column::new("phone".into(), &phones),
                name => Column::new(name.into(), vec![None::<&str>; n]),
            })
            .collect();
        let mut df = DataFrame::new(n, columns).unwrap();
        let path = dir.path().join("contact_details.parquet");
        let file = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(200_000))
            .finish(&mut df)
            .unwrap();
        let parts = crate::table::parquet_read::row_parts(&std::fs::read(&path).unwrap());
        assert_eq!(parts, Some(vec![(0, 400_000), (400_000, 200_000)]));
        let needs = [TableNeed::new("contact_details", true).reference()];
        let pick = |probe: &Probe| -> Result<Selection> {
            let read = probe.ids("contact_details", "contact_id").unwrap();
            assert_eq!(read.len(), n);
            assert_eq!(read.get(400_000), id_key("000000034"));
            assert_eq!(read.get(1), None, "x1 is no ID");
            let ids = IdSet::new(picked.iter().map(|(_, id)| id_key(id).unwrap()).collect());
            let pick = Pick {
                by: vec![("contact_id", ids)],
                read_for: "four contacts",
            };
            Ok([("contact_details", pick)].into_iter().collect())
        };
        let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &pick).unwrap();
        let t = set.table("contact_details").unwrap();
        assert_eq!((t.rows_read, t.rows_rejected), (4, 0));
        assert_eq!(
            t.row_numbers().collect::<Vec<_>>(),
            [1, 400_000, 400_001, 600_000]
        );
        let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
        let want: Vec<String> = picked.iter().map(|(r, _)| format!("050-{r:07}")).collect();
        assert_eq!(
            phone,
            want.iter().map(|p| Some(p.as_str())).collect::<Vec<_>>()
        );
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
