//! Loading a job's input tables (`load_inputs`): each is read and checked on its own (in
//! parallel), then its references are checked in schema order and it becomes a `Table`. Every
//! row read is either accepted or rejected with the rules it broke; nothing is dropped
//! silently.
use super::by_column::{load_columns, Deferred, Refs};
use super::convert::convert_column;
use super::keys::{check_keys, NULL_WORD};
use super::pending::Pending;
use super::read::{find_table_file, open_table, read_table, RawTable};
use super::references::{check_equals_referenced, check_references, RefSet};
use super::reject::Reject;
use super::row_checks::row_checks;
use super::schema::{self, TableSchema};
use super::select::{filter_raw, picked_rows, Probe, Probed, Selection};
use super::types::{InputSet, ReadOnly, Table, TableNeed};
use crate::error::{Error, Result};
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// A table read and converted whole, waiting to be read a column at a time, or a reference
/// table as read, waiting for the run's selection (`select`).
enum Loaded {
    Whole(Pending),
    Columns(Deferred),
    Raw(RawTable),
}

impl Loaded {
    fn schema(&self) -> &'static TableSchema {
        match self {
            Loaded::Whole(p) => p.schema,
            Loaded::Columns(d) => d.schema,
            Loaded::Raw(r) => r.schema,
        }
    }
}

/// A job's choice of the rows of its reference tables, from the IDs of its tables.
pub type Selector<'a> = &'a (dyn Fn(&Probe) -> Result<Selection> + Sync);

/// Reads and validates the tables `needs` from `dir`. `params` gives the list parameters that
/// `in_parameter` checks refer to (e.g. `subtests`).
pub fn load_inputs(
    dir: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
) -> Result<InputSet> {
    load_selecting(dir, needs, params, None)
}

/// As [`load_inputs`], the tables `needs` marks `reference` read and validated only for the
/// rows `select` picks (`table::select`): the other tables are read and checked first, then
/// `select` sees their IDs and the reference tables' as read, and each reference table keeps
/// the rows picked (with their file row numbers) before it is validated.
pub fn load_inputs_selecting(
    dir: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    select: Selector,
) -> Result<InputSet> {
    load_selecting(dir, needs, params, Some(select))
}

/// [`load_inputs`] or, when `select` is given, [`load_inputs_selecting`].
pub fn load_selecting(
    dir: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    select: Option<Selector>,
) -> Result<InputSet> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "input directory {} does not exist or is not a directory",
            dir.display()
        )));
    }
    let mut files = Vec::new();
    for need in needs {
        let schema = schema::get(need.name)
            .ok_or_else(|| Error::Job(format!("no schema for table `{}`", need.name)))?;
        match find_table_file(dir, need.name)? {
            Some((path, format)) => files.push((schema, path, format)),
            None if need.required => {
                return Err(Error::Usage(format!(
                    "input table `{0}` is missing: looked for {1}/{0}.parquet and {1}/{0}.csv",
                    need.name,
                    dir.display()
                )))
            }
            None => {}
        }
    }
    load_found(dir, files, needs, params, select)
}

/// Reads and validates the Parquet files `files` (table, path) of `dir`, as [`load_inputs`]
/// does a directory's tables: for a folder that holds a table both as Parquet and as CSV
/// (an itur output, read back by research-export).
pub fn load_parquet_files(
    dir: &Path,
    files: &[(&'static str, std::path::PathBuf)],
    params: &BTreeMap<String, Vec<String>>,
) -> Result<InputSet> {
    let needs: Vec<TableNeed> = files.iter().map(|(t, _)| TableNeed::new(t, true)).collect();
    let mut found = Vec::new();
    for (t, path) in files {
        let schema =
            schema::get(t).ok_or_else(|| Error::Job(format!("no schema for table `{t}`")))?;
        found.push((schema, path.clone(), super::read::Format::Parquet));
    }
    load_found(dir, found, &needs, params, None)
}

/// [`load_inputs`] once the tables' files are found.
fn load_found(
    dir: &Path,
    files: Vec<(
        &'static TableSchema,
        std::path::PathBuf,
        super::read::Format,
    )>,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    select: Option<Selector>,
) -> Result<InputSet> {
    let present: Vec<&str> = files.iter().map(|(s, _, _)| s.name.as_str()).collect();
    let job_tables: Vec<&str> = needs.iter().map(|n| n.name).collect();
    // References to a table of the job that is absent cannot be checked: say so.
    for (schema, path, _) in &files {
        for c in &schema.columns {
            if let Some((t, _)) = c.reference() {
                if job_tables.contains(&t) && !present.contains(&t) {
                    return Err(Error::Usage(format!(
                        "{}: column `{}` refers to table `{t}`, which is missing from {}",
                        path.display(),
                        c.name,
                        dir.display()
                    )));
                }
            }
        }
    }
    // The tables are read (and checked on their own) in parallel; their references are
    // checked below, in schema order. The first failure in `needs` order is reported.
    let span = tracing::Span::current();
    let loaded: Vec<Result<Loaded>> = files
        .par_iter()
        .map(|(schema, path, format)| {
            let _step = span.enter();
            let need = needs.iter().find(|n| n.name == schema.name);
            let keep = need.and_then(|n| n.keep);
            if select.is_some() && need.is_some_and(|n| n.reference) {
                return Ok(Loaded::Raw(open_table(path, *format, schema)?));
            }
            if need.is_some_and(|n| n.coded) {
                return Ok(Loaded::Columns(Deferred::open(
                    path, *format, schema, keep,
                )?));
            }
            let t0 = std::time::Instant::now();
            let raw = read_table(path, *format, schema)?;
            let t1 = std::time::Instant::now();
            let mut p = convert_table(raw);
            p.keep = keep;
            let t2 = std::time::Instant::now();
            let t3 = check_rows(&mut p, params);
            tracing::debug!(
                table = %schema.name,
                row_checks_ms = (t3 - t2).as_millis() as u64,
                read_ms = (t1 - t0).as_millis() as u64,
                convert_ms = (t2 - t1).as_millis() as u64,
                checks_and_keys_ms = t2.elapsed().as_millis() as u64,
                rss_peak_mib = crate::memory::memory_mib().map_or(0, |m| m.1),
                rss_mib = crate::memory::memory_mib().map_or(0, |m| m.0),
                columns_mib = p.columns.iter().map(|c| c.estimated_size()).sum::<usize>() >> 20,
                "read {}",
                schema.name
            );
            Ok(Loaded::Whole(p))
        })
        .collect();
    let mut pending = loaded.into_iter().collect::<Result<Vec<Loaded>>>()?;
    if let Some(select) = select {
        pending = select_rows(pending, needs, params, select)?;
    }
    pending.sort_by_key(|p| schema::order(&p.schema().name));

    let mut set = InputSet::default();
    let mut ref_sets: HashMap<(String, String), RefSet> = HashMap::new();
    for loaded in pending {
        let t0 = std::time::Instant::now();
        let mut p = match loaded {
            Loaded::Whole(mut p) => {
                check_references(&mut p, &set, &present, &job_tables, &mut ref_sets);
                p
            }
            Loaded::Raw(_) => unreachable!("reference tables are selected before"),
            Loaded::Columns(d) => {
                let refs = Refs {
                    done: &set,
                    present: &present,
                    job_tables: &job_tables,
                };
                load_columns(d, params, refs, &mut ref_sets)?
            }
        };
        check_equals_referenced(&mut p, &set);
        tracing::debug!(
            table = %p.schema.name,
            refs_ms = t0.elapsed().as_millis() as u64,
            rss_peak_mib = crate::memory::memory_mib().map_or(0, |m| m.1),
            "references of {}",
            p.schema.name
        );
        p.rejects.sort();
        let table = finish(p, &mut set)?;
        set.tables.insert(table.schema.name.clone(), table);
    }
    // The sorted keys served the reference checks; a national roster's are 19 MB.
    drop(ref_sets);
    for t in set.tables.values_mut() {
        t.key_digits = None;
    }
    Ok(set)
}

/// The row checks and the key check of a table read whole; when the key check began.
fn check_rows(p: &mut Pending, params: &BTreeMap<String, Vec<String>>) -> std::time::Instant {
    row_checks(p, params);
    let t = std::time::Instant::now();
    check_keys(p);
    t
}

/// The reference tables of `loaded` (`Loaded::Raw`) with the rows `select` picks, converted
/// and checked on their own; the other tables as they were.
fn select_rows(
    loaded: Vec<Loaded>,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    select: Selector,
) -> Result<Vec<Loaded>> {
    let t0 = std::time::Instant::now();
    let selection = {
        let mut probe = Probe {
            tables: HashMap::new(),
            ids: Default::default(),
            failed: Default::default(),
        };
        for l in &loaded {
            match l {
                Loaded::Whole(p) => {
                    probe.tables.insert(&p.schema.name, Probed::Converted(p));
                }
                Loaded::Raw(r) => {
                    probe.tables.insert(&r.schema.name, Probed::Raw(r));
                }
                Loaded::Columns(_) => {}
            }
        }
        let selection = select(&probe)?;
        (selection, probe.into_ids()?)
    };
    let (selection, ids) = selection;
    let t1 = std::time::Instant::now();
    let out = loaded
        .into_par_iter()
        .map(|l| {
            let Loaded::Raw(raw) = l else {
                return Ok(l);
            };
            let name = raw.schema.name.as_str();
            let keep = needs.iter().find(|n| n.name == name).and_then(|n| n.keep);
            let mut p = match selection.get(name) {
                Some(pick) => {
                    let rows_in_file = raw.raw.height;
                    let keep = picked_rows(&raw, pick, &ids)?;
                    let (raw, rows) = filter_raw(raw, &keep)?;
                    let mut p = convert_table(raw);
                    let read_for = pick.read_for;
                    p.source_rows = Some((
                        rows,
                        ReadOnly {
                            rows_in_file,
                            read_for,
                        },
                    ));
                    p
                }
                None => convert_table(raw.whole()?),
            };
            p.keep = keep;
            check_rows(&mut p, params);
            Ok(Loaded::Whole(p))
        })
        .collect::<Result<Vec<Loaded>>>();
    tracing::debug!(
        select_ms = (t1 - t0).as_millis() as u64,
        filter_and_check_ms = t1.elapsed().as_millis() as u64,
        "reference tables read for the named IDs"
    );
    out
}

fn convert_table(raw: RawTable) -> Pending {
    let RawTable {
        schema,
        source,
        raw,
        parquet: _,
    } = raw;
    let height = raw.height;
    let mut rejects = raw.pre_rejects;
    let skip = rejects.rejected.clone();
    let converted: Vec<(Series, Vec<Reject>)> = schema
        .columns
        .par_iter()
        .zip(raw.columns.par_iter())
        .map(|(c, s)| convert_column(&schema.name, c, s.as_ref(), height, &skip))
        .collect();
    let mut columns = Vec::with_capacity(converted.len());
    for (s, rs) in converted {
        columns.push(s);
        for r in rs {
            rejects.add(r);
        }
    }
    Pending {
        schema,
        source,
        height,
        columns,
        rejects,
        warnings: raw.warnings,
        key_set: None,
        dictionaries: BTreeMap::new(),
        keys_only: false,
        key_words: None,
        keep: None,
        source_rows: None,
    }
}

pub(super) fn finish(mut p: Pending, set: &mut InputSet) -> Result<Table> {
    let rows_rejected = p.rejects.n_rejected();
    // The accepted rows' keys: those of the key check, less the keys of rows rejected since
    // (keys were distinct among the rows accepted then).
    let (key_digits, row_keys) = p
        .key_set
        .take()
        .map(|ks| {
            let rejected = &p.rejects.rejected;
            let mut gone: Vec<u64> = (0..p.height)
                .filter(|&i| rejected[i] && !ks.rejected_then[i])
                .map(|i| ks.words[i])
                .filter(|&w| w != NULL_WORD)
                .collect();
            let mut keys = ks.keys;
            if !gone.is_empty() {
                gone.sort_unstable();
                keys.retain(|k| gone.binary_search(k).is_err());
            }
            let mut words = ks.words;
            if rows_rejected > 0 {
                let mut i = 0;
                words.retain(|_| {
                    i += 1;
                    !rejected[i - 1]
                });
            }
            // Row keys only when every accepted row has one.
            let words = (!words.contains(&NULL_WORD)).then(|| Arc::new(words));
            (Some(Arc::new(keys)), words)
        })
        .unwrap_or_default();
    // Kept only when rows were rejected (a national roster's would be 19 MB of 1, 2, 3, …)
    // or the rows read are not the file's.
    let row_numbers = match &p.source_rows {
        Some((rows, _)) => (0..p.height)
            .filter(|&i| !p.rejects.rejected[i])
            .map(|i| rows[i])
            .collect(),
        None => (0..if rows_rejected > 0 { p.height } else { 0 })
            .filter(|&i| !p.rejects.rejected[i])
            .map(|i| i as u64 + 1)
            .collect(),
    };
    // A key held as digit keys is not kept twice (`row_keys` hold them); columns the job does
    // not keep are left out.
    let key_index = p
        .keys_only
        .then(|| p.schema.column_index(&p.schema.key[0]))
        .flatten();
    let schema = p.schema;
    let kept = |i: usize| {
        let name = schema.columns[i].name.as_str();
        Some(i) != key_index && p.keep.is_none_or(|k| k.contains(&name))
    };
    p.dictionaries
        .retain(|name, _| schema.column_index(name).is_some_and(&kept));
    let columns: Vec<Column> = (p.columns.into_iter().enumerate())
        .filter(|&(i, _)| kept(i))
        .map(|(_, s)| Column::from(s))
        .collect();
    let df = DataFrame::new(p.height, columns)
        .and_then(|df| {
            if rows_rejected > 0 {
                let mask: BooleanChunked = p.rejects.rejected.iter().map(|r| !r).collect();
                df.filter(&mask)
            } else {
                Ok(df)
            }
        })
        .map_err(|e| Error::Job(format!("building table `{}`: {e}", p.schema.name)))?;
    let mut rejects = p.rejects.rejects;
    // A table read for the named IDs: its rows' numbers in the file.
    let (source_rows, read_only) = p.source_rows.take().unzip();
    if let Some(rows) = &source_rows {
        for r in &mut rejects {
            r.row_number = rows[(r.row_number - 1) as usize];
        }
    }
    for r in &mut rejects {
        if p.schema.column(&r.column).is_some_and(|c| c.confidential) && !r.value.is_empty() {
            r.value = "(withheld)".into();
            r.message = format!(
                "`{}` breaks the rule `{}` (the value is withheld: the column is confidential; see data row {} of the file)",
                r.column, r.rule, r.row_number
            );
        }
    }
    set.rejects.extend(rejects);
    set.warnings.extend(p.warnings);
    // A table read for the named IDs may read none of its file's rows: that is no warning.
    if p.height == 0 && read_only.as_ref().is_none_or(|r| r.rows_in_file == 0) {
        set.warnings.push(format!(
            "{}: the table `{}` has no data rows",
            p.source.path.display(),
            p.schema.name
        ));
    }
    Ok(Table {
        schema: p.schema,
        source: p.source,
        df,
        rows_read: p.height,
        rows_rejected,
        rows_excluded: 0,
        row_numbers,
        key_digits,
        row_keys,
        keys_only: p.keys_only,
        dictionaries: p.dictionaries,
        read_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(rows: &[&str]) -> Table {
        let dir = tempfile::tempdir().unwrap();
        let mut text =
            String::from("owner_id,name,commitment_status,commitment_approved_on,signatory_id\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(dir.path().join("owners.csv"), text).unwrap();
        let needs = [TableNeed::new("owners", true)];
        let mut set = load_inputs(dir.path(), &needs, &BTreeMap::new()).unwrap();
        set.tables.remove("owners").unwrap()
    }

    #[test]
    fn accepted_rows_keep_their_source_row_numbers() {
        let ok = |id: &str| format!("{id},Owner {id},pending,,000000018");
        let all = owners(&[&ok("1"), &ok("2"), &ok("3")]);
        assert_eq!(all.row_numbers().collect::<Vec<_>>(), vec![1, 2, 3]);
        // Row 2 repeats row 1's key, row 4 has a wrong check digit: rows 1 and 3 are accepted.
        let some = owners(&[&ok("1"), &ok("1"), &ok("3"), "4,Owner 4,pending,,000000019"]);
        assert_eq!(some.rows_rejected, 2);
        assert_eq!(some.row_numbers().collect::<Vec<_>>(), vec![1, 3]);
    }
}
