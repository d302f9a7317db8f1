//! Validation of a job's input tables: value rules (convert.rs), row checks over several
//! columns, unique keys and references between tables. Every row read is either accepted or
//! rejected with the rules it broke; nothing is dropped silently.
use super::convert::{convert_coded, convert_column, days_to_date, normalize_coded};
use super::csv_read;
use super::parquet_read::{guarded, read_parquet_columns};
use super::read::{
    find_table_file, read_hashed, read_table, Format, RawColumns, RawTable, SourceFile,
};
use super::reject::{Reject, RejectSet};
use super::schema::{self, Check, TableSchema};
use crate::error::{Error, Result};
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// A validated input table: its accepted rows, with canonical column types.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: &'static TableSchema,
    pub source: SourceFile,
    pub df: DataFrame,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// 1-based source row of each accepted row when some rows were rejected (row i of `df` is
    /// data row `row_numbers[i]`); empty when none were (row i is data row i + 1).
    row_numbers: Vec<u64>,
    /// For a one-column key of digit strings: the accepted keys' exact `digits_key`s, sorted
    /// (references to the key are checked against them).
    pub key_digits: Option<Arc<Vec<u64>>>,
    /// For a one-column key of digit strings present in every accepted row: each accepted
    /// row's exact `digits_key`, in row order (`row_keys`).
    row_keys: Option<Arc<Vec<u64>>>,
    /// The key's text is not held (`df` has no key column): its values are `row_keys`. So
    /// for a roster read a column at a time whose IDs were all valid and stored PLAIN.
    keys_only: bool,
    /// The values of the text columns held as codes (UInt32 columns of `df`, read with
    /// `text`), when the table was loaded with `TableNeed::coded`.
    pub dictionaries: BTreeMap<String, Arc<[PlSmallStr]>>,
}

/// A text column of a table: plain, or dictionary codes and their values.
#[derive(Clone, Copy)]
pub enum TextColumn<'a> {
    Plain(&'a StringChunked),
    Coded(&'a UInt32Chunked, &'a [PlSmallStr]),
}

impl<'a> TextColumn<'a> {
    pub fn len(&self) -> usize {
        match self {
            TextColumn::Plain(ca) => ca.len(),
            TextColumn::Coded(codes, _) => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        match *self {
            TextColumn::Plain(ca) => ca.get(i),
            TextColumn::Coded(codes, values) => codes.get(i).map(|c| values[c as usize].as_str()),
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = Option<&'a str>> + 'a> {
        match *self {
            TextColumn::Plain(ca) => Box::new(ca.iter()),
            TextColumn::Coded(codes, values) => Box::new(
                codes
                    .iter()
                    .map(move |c| c.map(|c| values[c as usize].as_str())),
            ),
        }
    }
}

impl Table {
    /// The 1-based source row of each row of `df`, in order.
    pub fn row_numbers(&self) -> impl Iterator<Item = u64> + '_ {
        let identity = self.row_numbers.is_empty();
        (0..self.df.height()).map(move |i| {
            if identity {
                i as u64 + 1
            } else {
                self.row_numbers[i]
            }
        })
    }

    pub fn rows_accepted(&self) -> usize {
        self.rows_read - self.rows_rejected
    }

    /// Each row's key as its exact `digits_key`, when the table's key is one column of digit
    /// strings (every accepted row then has one): a job can look rows up by integer without
    /// reading the key's text.
    pub fn row_keys(&self) -> Option<&[u64]> {
        self.row_keys.as_deref().map(Vec::as_slice)
    }

    /// Whether the key's text is held only as `row_keys` (then `text` of the key is an
    /// error; `key_text` turns a row's key back into its text).
    pub fn keys_only(&self) -> bool {
        self.keys_only
    }

    /// A text column, plain or coded.
    pub fn text(&self, name: &str) -> Result<TextColumn<'_>> {
        let bad = |e: String| Error::Job(format!("{}.{name}: {e}", self.schema.name));
        if self.keys_only && self.schema.key == [name] {
            return Err(bad(
                "the IDs are held as digit keys (Table::row_keys)".into()
            ));
        }
        let s = self
            .df
            .column(name)
            .map_err(|e| bad(e.to_string()))?
            .as_materialized_series();
        match self.dictionaries.get(name) {
            Some(values) => Ok(TextColumn::Coded(
                s.u32().map_err(|e| bad(e.to_string()))?,
                values,
            )),
            None => Ok(TextColumn::Plain(s.str().map_err(|e| bad(e.to_string()))?)),
        }
    }
}

/// A table a job reads, and whether it must be present.
#[derive(Debug, Clone, Copy)]
pub struct TableNeed {
    pub name: &'static str,
    pub required: bool,
    /// Read the file a column at a time and hold the text columns outside the key and the
    /// row checks as dictionary codes (`Table::dictionaries`): for the national roster, whose
    /// text as one frame would be most of a run's memory. Validation is the same.
    pub coded: bool,
    /// The columns the job reads (`None`: all). The others are validated like the rest and
    /// then left out of the table; a `coded` table drops each as soon as it is checked
    /// (unless row checks or references still need it).
    pub keep: Option<&'static [&'static str]>,
}

impl TableNeed {
    pub const fn new(name: &'static str, required: bool) -> Self {
        TableNeed {
            name,
            required,
            coded: false,
            keep: None,
        }
    }

    /// The same table, keeping only `columns` once validated.
    pub const fn keeping(self, columns: &'static [&'static str]) -> Self {
        TableNeed {
            keep: Some(columns),
            ..self
        }
    }

    /// The same table, read with its text columns coded.
    pub const fn coded(self) -> Self {
        TableNeed {
            coded: true,
            ..self
        }
    }
}

/// Everything read from an input directory.
#[derive(Debug, Default)]
pub struct InputSet {
    pub tables: BTreeMap<String, Table>,
    /// All rejects, in table dependency order, then by row.
    pub rejects: Vec<Reject>,
    pub warnings: Vec<String>,
}

impl InputSet {
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Rejects found by a job's own rules (e.g. `grade_not_tested`) for rows validation had
    /// accepted: they join the rejects and move those rows from accepted to rejected.
    pub fn add_job_rejects(&mut self, table: &str, rejects: Vec<Reject>) {
        let Some(t) = self.tables.get_mut(table) else {
            return;
        };
        let mut rows: Vec<u64> = rejects.iter().map(|r| r.row_number).collect();
        rows.sort_unstable();
        rows.dedup();
        t.rows_rejected += rows.len();
        self.rejects.extend(rejects);
    }

    /// Frees a table's rows once a job has taken what it needs (its counts stay for the
    /// manifest). The roster of a nation is most of a run's memory.
    pub fn release(&mut self, table: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            let rows = (
                std::mem::take(&mut t.df),
                std::mem::take(&mut t.row_numbers),
                t.key_digits.take(),
                t.row_keys.take(),
                std::mem::take(&mut t.dictionaries),
            );
            // Unmapping a national roster takes tens of milliseconds: done beside the job.
            std::thread::spawn(move || drop(rows));
        }
    }

    /// Tables in dependency order.
    pub fn ordered(&self) -> Vec<&Table> {
        let mut v: Vec<&Table> = self.tables.values().collect();
        v.sort_by_key(|t| schema::order(&t.schema.name));
        v
    }
}

/// A table while it is being validated.
struct Pending {
    schema: &'static TableSchema,
    source: SourceFile,
    height: usize,
    columns: Vec<Series>,
    rejects: RejectSet,
    warnings: Vec<String>,
    /// (exact key word, row) of the rows not rejected when keys were checked, sorted, for a
    /// one-column key of digit strings.
    key_set: Option<KeySet>,
    dictionaries: BTreeMap<String, Arc<[PlSmallStr]>>,
    /// The key column holds digit keys (`Held::Keys`), not text: each row's are `key_words`
    /// (its column in `columns` is all missing, of no type) until `check_keys` takes them.
    keys_only: bool,
    key_words: Option<Vec<u64>>,
    /// The columns the job keeps (`TableNeed::keep`; the others are left out by `finish`).
    keep: Option<&'static [&'static str]>,
}

/// A table to be read a column at a time (`TableNeed::coded`) once the tables it refers to
/// are validated: its file's bytes (Parquet) or its text columns (CSV).
struct Deferred {
    schema: &'static TableSchema,
    source: SourceFile,
    data: polars_buffer::Buffer<u8>,
    raw: RawColumns,
    /// The columns the job keeps (`TableNeed::keep`).
    keep: Option<&'static [&'static str]>,
}

impl Deferred {
    fn open(
        path: &Path,
        format: Format,
        schema: &'static TableSchema,
        keep: Option<&'static [&'static str]>,
    ) -> Result<Self> {
        let (source, data, raw) = read_hashed(path, format, schema, |data| match format {
            // A CSV's columns are all parsed now (as text); a Parquet file's one by one.
            Format::Csv => csv_read::read_csv(path, data, schema),
            Format::Parquet => read_parquet_columns(path, data, schema, Some(&[])),
        })?;
        let data = if format == Format::Csv {
            Vec::new().into()
        } else {
            data.into()
        };
        Ok(Deferred {
            schema,
            source,
            data,
            raw,
            keep,
        })
    }

    /// Schema column `ci` as read (`None` when an optional column is absent): `raw`, the
    /// column parsed when the file was opened (a CSV's), or read from the Parquet file now.
    fn column(&self, ci: usize, raw: Option<Series>) -> Result<Option<Series>> {
        if raw.is_some() || self.source.format == Format::Csv {
            return Ok(raw);
        }
        let mut raw =
            read_parquet_columns(&self.source.path, &self.data, self.schema, Some(&[ci]))?;
        Ok(raw.columns[ci].take())
    }

    /// Schema column `ci` of a Parquet file as codes and distinct values, read straight from
    /// its dictionary pages; `None` when it is not stored that way (read it with `column`).
    fn coded_column(&self, ci: usize) -> Option<(UInt32Chunked, Arc<[PlSmallStr]>)> {
        if self.source.format != Format::Parquet {
            return None;
        }
        let name = &self.schema.columns[ci].name;
        let what = "reading a dictionary-encoded column";
        guarded(&self.source.path, what, || {
            Ok(super::parquet_dict::read_coded(&self.data, name))
        })
        .ok()
        .flatten()
    }

    /// Schema column `ci` of a Parquet file as each row's digit key (of the ID's 9-digit
    /// form), when it is the table's key, of Israeli IDs (and no other text rule: a valid ID,
    /// 1–9 digits, meets the text rules), and every value in the file is a valid ID stored
    /// PLAIN; `None` otherwise (read it with `column`: its text is checked then).
    fn key_column(&self, ci: usize) -> Option<Vec<u64>> {
        let c = &self.schema.columns[ci];
        let only_ids = c.ty == schema::ColType::Str
            && c.israeli_id
            && !c.identifier
            && c.max_chars().is_some_and(|n| n >= 9)
            && c.digits.is_none()
            && c.pattern.is_none();
        if self.source.format != Format::Parquet
            || !only_ids
            || self.schema.key != [c.name.as_str()]
        {
            return None;
        }
        let what = "reading a column of IDs";
        guarded(&self.source.path, what, || {
            Ok(super::parquet_keys::read_id_keys(&self.data, &c.name))
        })
        .ok()
        .flatten()
    }

    /// Reads, converts and checks column `ci` (text outside the key and the row checks as
    /// codes, a key of valid IDs as digit keys): the column, its value rejects, and how it
    /// is held.
    fn read_column(
        &self,
        ci: usize,
        raw: Option<Series>,
        coded: bool,
        skip: &[bool],
    ) -> Result<ReadColumn> {
        let c = &self.schema.columns[ci];
        let table = &self.schema.name;
        let started = std::time::Instant::now();
        // The values are checked as written, then IDs normalized (`normalize_coded`).
        let code = |(codes, values): (UInt32Chunked, Arc<[PlSmallStr]>)| {
            let found = convert_coded(table, c, &codes, &values, skip);
            let (codes, values) = normalize_coded(c, codes, values);
            (codes.into_series(), found, Held::Codes(values))
        };
        // A key of IDs is read as digit keys when every one is valid (no value rejects then).
        let keys = raw.is_none().then(|| self.key_column(ci)).flatten();
        // A text column to code is checked a distinct value at a time: its codes come
        // straight from the file's dictionary pages, or from its text.
        let from_pages = (coded && raw.is_none())
            .then(|| self.coded_column(ci))
            .flatten();
        let read = match (keys, from_pages) {
            (Some(keys), _) => {
                let column = Series::new_null(c.name.as_str().into(), keys.len());
                (column, Vec::new(), Held::Keys(keys))
            }
            (None, Some(parts)) => code(parts),
            (None, None) => {
                let raw = self.column(ci, raw)?;
                match raw.as_ref().map(|s| s.str()) {
                    Some(Ok(ca)) if coded => code(encode_text(ca)),
                    _ => {
                        let (s, found) =
                            convert_column(table, c, raw.as_ref(), self.raw.height, skip);
                        (s, found, Held::Text)
                    }
                }
            }
        };
        tracing::trace!(
            column = %c.name,
            ms = started.elapsed().as_millis() as u64,
            "read and converted {table}.{}",
            c.name
        );
        Ok(read)
    }
}

/// A column read by `Deferred::read_column`: the column, its value rejects, and how it holds
/// its values.
type ReadColumn = (Series, Vec<Reject>, Held);

/// How a column read a column at a time holds its values.
enum Held {
    /// As they are (text as text).
    Text,
    /// Text as UInt32 codes into these distinct values.
    Codes(Arc<[PlSmallStr]>),
    /// The key's IDs as their exact digit keys, every one valid (the column read is then
    /// all missing, of no type).
    Keys(Vec<u64>),
}

/// A table read and converted whole, or waiting to be read a column at a time.
enum Loaded {
    Whole(Pending),
    Columns(Deferred),
}

impl Loaded {
    fn schema(&self) -> &'static TableSchema {
        match self {
            Loaded::Whole(p) => p.schema,
            Loaded::Columns(d) => d.schema,
        }
    }
}

/// Reads and validates the tables `needs` from `dir`. `params` gives the list parameters that
/// `in_parameter` checks refer to (e.g. `subtests`).
pub fn load_inputs(
    dir: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
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
            row_checks(&mut p, params);
            let t3 = std::time::Instant::now();
            check_keys(&mut p);
            tracing::debug!(
                table = %schema.name,
                row_checks_ms = (t3 - t2).as_millis() as u64,
                read_ms = (t1 - t0).as_millis() as u64,
                convert_ms = (t2 - t1).as_millis() as u64,
                checks_and_keys_ms = t2.elapsed().as_millis() as u64,
                rss_peak_mib = crate::app::steps::memory_mib().map_or(0, |m| m.1),
                rss_mib = crate::app::steps::memory_mib().map_or(0, |m| m.0),
                columns_mib = p.columns.iter().map(|c| c.estimated_size()).sum::<usize>() >> 20,
                "read {}",
                schema.name
            );
            Ok(Loaded::Whole(p))
        })
        .collect();
    let mut pending = loaded.into_iter().collect::<Result<Vec<Loaded>>>()?;
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
            rss_peak_mib = crate::app::steps::memory_mib().map_or(0, |m| m.1),
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

fn convert_table(raw: RawTable) -> Pending {
    let RawTable {
        schema,
        source,
        raw,
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
    }
}

/// What reference checks look in: the tables validated so far, the tables present and the
/// job's tables.
struct Refs<'a> {
    done: &'a InputSet,
    present: &'a [&'a str],
    job_tables: &'a [&'a str],
}

/// Reads and validates a `coded` table a column at a time: each column is read, converted
/// and (text outside the key and the row checks) turned into codes on its own, so the file
/// is never held as one frame of text; two columns are read at a time. The rejects are those
/// of the whole-table path: value rejects with the same rows skipped, then row checks, keys,
/// and references (found per column, added in column order for the rows not rejected by
/// then).
fn load_columns(
    mut d: Deferred,
    params: &BTreeMap<String, Vec<String>>,
    refs: Refs,
    cache: &mut HashMap<(String, String), RefSet>,
) -> Result<Pending> {
    let t0 = std::time::Instant::now();
    let schema = d.schema;
    let height = d.raw.height;
    let mut rejects = std::mem::take(&mut d.raw.pre_rejects);
    let skip = rejects.rejected.clone();
    let named_by_checks: Vec<&str> = schema.checks.iter().flat_map(|c| c.columns()).collect();
    let coded = |c: &schema::ColumnSchema| {
        matches!(c.ty, schema::ColType::Str | schema::ColType::Enum)
            && !schema.key.contains(&c.name)
            && !named_by_checks.contains(&c.name.as_str())
    };
    let (done, present, job_tables) = (refs.done, refs.present, refs.job_tables);
    let targets: Vec<(usize, (&str, &str))> = (schema.columns.iter().enumerate())
        .filter_map(|(ci, c)| Some((ci, ref_target(c, done, present, job_tables)?)))
        .collect();
    // A column the job does not keep is dropped once checked, unless the row checks, the
    // key or a reference still need its values.
    let drop_early = |ci: usize| {
        let name = schema.columns[ci].name.as_str();
        d.keep.is_some_and(|k| !k.contains(&name))
            && !named_by_checks.contains(&name)
            && !schema.key.iter().any(|k| k == name)
            && !targets.iter().any(|&(t, _)| t == ci)
    };
    // Two columns are read and converted at a time, each taking the next column not yet
    // taken (a column's own work is parallel too, but each has serial parts; more at once
    // would hold more of them in memory), while the sets their references look in are built.
    let raws: Vec<std::sync::Mutex<Option<Series>>> = std::mem::take(&mut d.raw.columns)
        .into_iter()
        .map(std::sync::Mutex::new)
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let reader = || {
        let mut read = Vec::new();
        loop {
            let ci = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(raw) = raws.get(ci) else {
                return read;
            };
            let raw = raw.lock().map(|mut r| r.take()).unwrap_or_default();
            let mut column = d.read_column(ci, raw, coded(&schema.columns[ci]), &skip);
            if drop_early(ci) {
                column = column.map(|(s, found, _)| {
                    (
                        Series::new_null(s.name().clone(), height),
                        found,
                        Held::Text,
                    )
                });
            }
            read.push((ci, column));
        }
    };
    let ((mut read, more), ()) = rayon::join(
        || rayon::join(reader, reader),
        || {
            for &(_, target) in &targets {
                ref_set(cache, done, target);
            }
        },
    );
    read.extend(more);
    read.sort_by_key(|&(ci, _)| ci);
    // In column order: the first failure, the rejects and the dictionaries are those of
    // reading the columns one after the other.
    let mut columns = Vec::with_capacity(schema.columns.len());
    let mut dictionaries = BTreeMap::new();
    let mut key_words = None;
    for (c, (_, read)) in schema.columns.iter().zip(read) {
        let (s, found, held) = read?;
        for r in found {
            rejects.add(r);
        }
        match held {
            Held::Text => {}
            Held::Codes(values) => {
                dictionaries.insert(c.name.clone(), values);
            }
            Held::Keys(words) => key_words = Some(words),
        }
        columns.push(s);
    }
    // References are looked up in parallel, each column against the rows not rejected when
    // the file was read; the rows are rejected in column order below.
    let cache = &*cache;
    let dangling: Vec<(usize, Vec<(usize, String)>)> = targets
        .par_iter()
        .map(|&(ci, (t, tc))| {
            let name = &schema.columns[ci].name;
            let col = match dictionaries.get(name) {
                Some(values) => TextColumn::Coded(columns[ci].u32().expect("codes"), values),
                None => TextColumn::Plain(columns[ci].str().expect("text")),
            };
            let set = &cache[&(t.to_string(), tc.to_string())];
            (ci, dangling_in(col, &skip, set))
        })
        .collect();
    let t1 = std::time::Instant::now();
    let mut p = Pending {
        schema,
        source: d.source,
        height,
        columns,
        rejects,
        warnings: std::mem::take(&mut d.raw.warnings),
        key_set: None,
        dictionaries,
        keys_only: key_words.is_some(),
        key_words,
        keep: d.keep,
    };
    drop(d.data);
    row_checks(&mut p, params);
    check_keys(&mut p);
    for (ci, v) in dangling {
        add_reference_rejects(&mut p, ci, v);
    }
    tracing::debug!(
        table = %schema.name,
        columns_ms = (t1 - t0).as_millis() as u64,
        checks_and_keys_ms = t1.elapsed().as_millis() as u64,
        rss_peak_mib = crate::app::steps::memory_mib().map_or(0, |m| m.1),
        "read {} a column at a time",
        schema.name
    );
    Ok(p)
}

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

fn col<'a>(p: &'a Pending, name: &str) -> &'a Series {
    let i = p
        .schema
        .column_index(name)
        .unwrap_or_else(|| panic!("schema {} names unknown column {name}", p.schema.name));
    &p.columns[i]
}

/// Values of an int or date column as i64 (dates as days since 1970-01-01).
fn as_i64(s: &Series) -> Vec<Option<i64>> {
    match s.dtype() {
        DataType::Date => s
            .date()
            .expect("date")
            .physical()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        _ => s.i64().expect("int").iter().collect(),
    }
}

fn show(s: &Series, i: usize) -> String {
    match s.get(i) {
        Ok(AnyValue::Null) | Err(_) => String::new(),
        Ok(AnyValue::String(v)) => v.to_string(),
        Ok(v) => v.to_string(),
    }
}

/// The `age_range` check of one row range.
struct AgeRange<'a> {
    table: &'a str,
    date: &'a str,
    min: i64,
    max: i64,
}

impl AgeRange<'_> {
    /// Rejects of the rows (numbered from `start`) whose age on 1 September is out of range.
    /// Within range ⇔ born after 1 Sept of (year − 2 − max) and on or before 1 Sept of
    /// (year − 1 − min): two comparisons per row, the age itself is computed only for the
    /// message of a reject.
    fn rejects(&self, start: usize, births: &Int32Chunked, years: &Int64Chunked) -> Vec<Reject> {
        let (min, max) = (self.min, self.max);
        let mut found = Vec::new();
        let mut bounds: Option<(i64, Option<(i32, i32)>)> = None;
        for (j, (b, y)) in births.iter().zip(years.iter()).enumerate() {
            let (Some(b), Some(y)) = (b, y) else { continue };
            let range = match bounds {
                Some((by, r)) if by == y => r,
                _ => {
                    let r = age_bounds(y, min, max);
                    bounds = Some((y, r));
                    r
                }
            };
            if range.is_some_and(|(lo, hi)| lo < b && b <= hi) {
                continue;
            }
            let Some(b) = days_to_date(b) else { continue };
            let on = (y - 1, 9, 1);
            let mut age = on.0 - i64::from(b.year());
            if (b.month(), b.day()) > (on.1, on.2) {
                age -= 1;
            }
            if age < min || age > max {
                found.push(Reject::new(
                    self.table,
                    start + j,
                    self.date,
                    b.to_string(),
                    "age_range",
                    format!(
                        "the student would be {age} on 1 September {}; expected {min}–{max}",
                        y - 1
                    ),
                ));
            }
        }
        found
    }
}

/// Checks over several columns of a row (or a group of rows), from the schema's `checks`.
fn row_checks(p: &mut Pending, params: &BTreeMap<String, Vec<String>>) {
    let name = p.schema.name.clone();
    // Rows already rejected for their values are not checked again.
    let before = p.rejects.rejected.clone();
    for check in &p.schema.checks {
        let mut found = Vec::new();
        match check {
            Check::AgeRange {
                date,
                year,
                min,
                max,
                ..
            } => {
                let births = col(p, date).date().expect("date").physical().clone();
                let years = col(p, year).i64().expect("int").clone();
                // Row ranges on the threads; the rejects come back in row order.
                let ages = AgeRange {
                    table: &name,
                    date,
                    min: *min,
                    max: *max,
                };
                let parts: Vec<Vec<Reject>> = par_row_ranges(births.len())
                    .map(|(start, len)| {
                        let births = births.slice(start as i64, len);
                        let years = years.slice(start as i64, len);
                        ages.rejects(start, &births, &years)
                    })
                    .collect();
                found.extend(parts.into_iter().flatten());
            }
            Check::ColumnOrder { low, high, .. } => {
                let lo = as_i64(col(p, low));
                let hi = as_i64(col(p, high));
                for (i, (l, h)) in lo.iter().zip(&hi).enumerate() {
                    if let (Some(l), Some(h)) = (l, h) {
                        if h < l {
                            found.push(Reject::new(
                                &name,
                                i,
                                high,
                                show(col(p, high), i),
                                "column_order",
                                format!(
                                    "`{high}` must not be less than `{low}` ({})",
                                    show(col(p, low), i)
                                ),
                            ));
                        }
                    }
                }
            }
            Check::RequiredWhen {
                column,
                when,
                equals,
                ..
            } => {
                let w = col(p, when).str().expect("text").clone();
                let c = col(p, column);
                let nulls = c.is_null();
                for (i, (wv, n)) in w.iter().zip(nulls.iter()).enumerate() {
                    if wv == Some(equals.as_str()) && n == Some(true) {
                        found.push(Reject::new(
                            &name,
                            i,
                            column,
                            "",
                            "required_when",
                            format!("`{column}` is required when `{when}` is {equals}"),
                        ));
                    }
                }
            }
            Check::InParameter {
                column,
                parameter,
                name: rule,
                ..
            } => {
                let allowed = params.get(parameter).cloned().unwrap_or_default();
                let c = col(p, column).str().expect("text").clone();
                for (i, v) in c.iter().enumerate() {
                    if let Some(v) = v {
                        if !v.is_empty() && !allowed.iter().any(|a| a == v) {
                            found.push(Reject::new(
                                &name,
                                i,
                                column,
                                v,
                                rule,
                                format!(
                                    "`{column}` must be one of the pipeline's {parameter}: {}",
                                    allowed.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
            // Needs the referenced table: checked with the references.
            Check::EqualsReferenced { .. } => {}
            Check::NonDecreasing {
                column,
                order_by,
                group,
                ..
            } => {
                let groups: Vec<Vec<String>> = (0..p.height)
                    .map(|i| group.iter().map(|g| show(col(p, g), i)).collect())
                    .collect();
                let order = as_i64(col(p, order_by));
                let values: Vec<Option<f64>> =
                    col(p, column).f64().expect("float").iter().collect();
                let mut rows: Vec<usize> = (0..p.height)
                    .filter(|&i| {
                        !p.rejects.is_rejected(i) && order[i].is_some() && values[i].is_some()
                    })
                    .collect();
                rows.sort_by(|&a, &b| groups[a].cmp(&groups[b]).then(order[a].cmp(&order[b])));
                for w in rows.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if groups[a] == groups[b] && values[b] < values[a] {
                        found.push(Reject::new(
                            &name,
                            b,
                            column,
                            show(col(p, column), b),
                            "non_decreasing",
                            format!(
                                "`{column}` decreases from {} to {} as `{order_by}` grows within {}",
                                show(col(p, column), a),
                                show(col(p, column), b),
                                groups[b].join("/")
                            ),
                        ));
                    }
                }
            }
        }
        for r in found {
            if !before[(r.row_number - 1) as usize] {
                p.rejects.add(r);
            }
        }
    }
}

/// Birth dates (days since 1970-01-01) that give an age in `min..=max` on 1 September of
/// `year − 1`: `(lo, hi)` with `lo < birth <= hi`. `None` when the dates are out of range
/// (every row then takes the exact path).
fn age_bounds(year: i64, min: i64, max: i64) -> Option<(i32, i32)> {
    let sept1 = |y: i64| {
        let y = i32::try_from(y).ok()?;
        chrono::NaiveDate::from_ymd_opt(y, 9, 1).map(super::convert::date_to_days)
    };
    Some((sept1(year - 2 - max)?, sept1(year - 1 - min)?))
}

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
fn check_keys(p: &mut Pending) {
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
            super::radix::sort_u64(&mut keys);
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
            format!("the key ({column}) repeats data row {}", f + 1),
        );
        p.rejects.add(r);
    }
    p.key_set = keys.map(|(keys, words)| KeySet {
        keys,
        words,
        rejected_then: p.rejects.rejected.clone(),
    });
}

/// The sorted, distinct exact keys of the rows accepted when keys were checked, each row's
/// key word (`exact_words`), and which rows were rejected then (rows rejected later take
/// their keys out in `finish`).
struct KeySet {
    keys: Vec<u64>,
    words: Vec<u64>,
    rejected_then: Vec<bool>,
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

/// Digit strings of up to 17 digits (IDs, institution and class codes) as exact integers
/// tagged with their length in the top 5 bits, so leading zeros still count ("007" ≠ "7").
pub fn digits_key(v: &str) -> Option<u64> {
    let b = v.as_bytes();
    if b.is_empty() || b.len() > 17 {
        return None;
    }
    let mut n = 0u64;
    for &d in b {
        let x = d.wrapping_sub(b'0');
        if x > 9 {
            return None;
        }
        n = n * 10 + u64::from(x);
    }
    Some(key_of(b.len(), n))
}

/// Where a `digits_key` keeps its length: the bits above the number (10¹⁷ < 2⁵⁹).
const KEY_LENGTH_SHIFT: u32 = 59;

/// The `digits_key` of a string of `len` (1–17) digits that reads as the number `n`.
pub fn key_of(len: usize, n: u64) -> u64 {
    ((len as u64) << KEY_LENGTH_SHIFT) | n
}

/// How many digits the text of a `digits_key` has. Keys of one length are in the order of
/// their texts.
pub fn key_length(key: u64) -> usize {
    (key >> KEY_LENGTH_SHIFT) as usize
}

/// The text of an exact `digits_key`: its digits, with the leading zeros its length counts.
pub fn key_text(key: u64) -> PlSmallStr {
    let len = key_length(key);
    let mut n = key & ((1 << KEY_LENGTH_SHIFT) - 1);
    let mut digits = [b'0'; 17];
    for d in digits[..len].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    PlSmallStr::from_str(std::str::from_utf8(&digits[..len]).expect("ASCII digits"))
}

/// Words of a key column's missing values and of values that are not digit strings (no
/// `digits_key` reaches them: 17 << 59 | 10^17 is far below).
const NULL_WORD: u64 = u64::MAX;
const TEXT_WORD: u64 = u64::MAX - 1;

/// Each row's exact `digits_key` when every row not in `skip` is a digit string (or missing);
/// `None` otherwise (the key is then compared by hash and value).
fn exact_words(s: &Series, skip: &[bool]) -> Option<Vec<u64>> {
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

/// Accepted values of a referenced key column: digit strings as their exact `digits_key`
/// (sorted, searched by bisection), other values as text.
#[derive(Default)]
struct RefSet {
    digits: Arc<Vec<u64>>,
    text: PlHashSet<PlSmallStr>,
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
fn check_references(
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
fn ref_target<'c>(
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
fn ref_set<'s>(
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
fn dangling_in(col: TextColumn, rejected: &[bool], set: &RefSet) -> Vec<(usize, String)> {
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
fn add_reference_rejects(p: &mut Pending, ci: usize, dangling: Vec<(usize, String)>) {
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
fn check_equals_referenced(p: &mut Pending, done: &InputSet) {
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

fn finish(mut p: Pending, set: &mut InputSet) -> Result<Table> {
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
    // Kept only when rows were rejected (a national roster's would be 19 MB of 1, 2, 3, …).
    let row_numbers = (0..if rows_rejected > 0 { p.height } else { 0 })
        .filter(|&i| !p.rejects.rejected[i])
        .map(|i| i as u64 + 1)
        .collect();
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
    if p.height == 0 {
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
        row_numbers,
        key_digits,
        row_keys,
        keys_only: p.keys_only,
        dictionaries: p.dictionaries,
    })
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

    #[test]
    fn key_text_is_the_text_of_a_digit_key() {
        for v in [
            "7",
            "007",
            "0",
            "000000000",
            "123456782",
            "99999999999999999",
            "01",
        ] {
            assert_eq!(key_text(digits_key(v).unwrap()).as_str(), v);
        }
    }

    #[test]
    fn digits_key_is_exact_for_digit_strings_only() {
        assert_eq!(digits_key("7"), Some((1 << 59) | 7));
        assert_ne!(digits_key("007"), digits_key("7"));
        assert_eq!(digits_key("123456782"), Some((9 << 59) | 123_456_782));
        assert_eq!(
            digits_key("99999999999999999"),
            Some((17 << 59) | 99_999_999_999_999_999)
        );
        for bad in [
            "",
            "999999999999999999",
            "12a",
            " 1",
            "+1",
            "-1",
            "1/2",
            "١٢٣",
        ] {
            assert_eq!(digits_key(bad), None, "{bad:?}");
        }
    }

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
    use chrono::NaiveDate;

    #[test]
    fn digit_keys_keep_length_and_leading_zeros() {
        let k = |v: &str| digits_key(v).unwrap();
        assert_ne!(k("7"), k("07"));
        assert_ne!(k("1"), k("00000000000000001")); // 1 and 17 digits
        assert_ne!(k("00000000000000000"), k("0"));
        assert_eq!(k("123456782"), k("123456782"));
        assert!(k("99999999999999999") < TEXT_WORD);
        assert_eq!(digits_key("123456789012345678"), None); // 18 digits: compared as text
        assert_eq!(digits_key("12a"), None);
        assert_eq!(digits_key(""), None);
    }

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

    fn age(birth: NaiveDate, year: i64) -> i64 {
        let mut a = year - 1 - i64::from(birth.year());
        if (birth.month(), birth.day()) > (9, 1) {
            a -= 1;
        }
        a
    }

    #[test]
    fn age_bounds_agree_with_the_age_on_1_september() {
        let (min, max) = (3, 21);
        for year in [2000i64, 2024, 2027] {
            let (lo, hi) = age_bounds(year, min, max).unwrap();
            let from = NaiveDate::from_ymd_opt(year as i32 - 25, 1, 1).unwrap();
            for d in 0..(26 * 366) {
                let b = from + chrono::Days::new(d);
                let days = super::super::convert::date_to_days(b);
                let inside = lo < days && days <= hi;
                let a = age(b, year);
                assert_eq!(inside, (min..=max).contains(&a), "{b} in {year}: age {a}");
            }
        }
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
