//! Reading a `coded` table (`TableNeed::coded`) a column at a time once the tables it refers to
//! are validated: each column is read, converted, checked and (text outside the key and the row
//! checks) turned into dictionary codes before the next, so a national roster is never held as
//! one frame of text. The rejects are those of reading the table whole (`load`).
use super::convert::{convert_coded, convert_column, normalize_coded};
use super::csv_read;
use super::encode::encode_text;
use super::header::RawColumns;
use super::keys::check_keys;
use super::parquet_read::{guarded, read_parquet_column, read_parquet_columns};
use super::pending::Pending;
use super::read::{read_hashed, Format, SourceFile};
use super::references::{add_reference_rejects, dangling_in, ref_set, ref_target, RefSet};
use super::reject::Reject;
use super::row_checks::row_checks;
use super::schema::{self, TableSchema};
use super::types::{InputSet, TextColumn};
use crate::error::Result;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// A table to be read a column at a time (`TableNeed::coded`) once the tables it refers to
/// are validated: its file's bytes (Parquet) or its text columns (CSV).
pub(super) struct Deferred {
    pub(super) schema: &'static TableSchema,
    pub(super) source: SourceFile,
    pub(super) data: Vec<u8>,
    pub(super) raw: RawColumns,
    /// The columns the job keeps (`TableNeed::keep`).
    pub(super) keep: Option<&'static [&'static str]>,
}

impl Deferred {
    pub(super) fn open(
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
            Vec::new()
        } else {
            data
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
        read_parquet_column(&self.source.path, &self.data, self.schema, ci)
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
pub(super) enum Held {
    /// As they are (text as text).
    Text,
    /// Text as UInt32 codes into these distinct values.
    Codes(Arc<[PlSmallStr]>),
    /// The key's IDs as their exact digit keys, every one valid (the column read is then
    /// all missing, of no type).
    Keys(Vec<u64>),
}

/// What reference checks look in: the tables validated so far, the tables present and the
/// job's tables.
pub(super) struct Refs<'a> {
    pub(super) done: &'a InputSet,
    pub(super) present: &'a [&'a str],
    pub(super) job_tables: &'a [&'a str],
}

/// Reads and validates a `coded` table a column at a time: each column is read, converted
/// and (text outside the key and the row checks) turned into codes on its own, so the file
/// is never held as one frame of text; two columns are read at a time. The rejects are those
/// of the whole-table path: value rejects with the same rows skipped, then row checks, keys,
/// and references (found per column, added in column order for the rows not rejected by
/// then).
pub(super) fn load_columns(
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
        source_rows: None,
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
        rss_peak_mib = crate::memory::memory_mib().map_or(0, |m| m.1),
        "read {} a column at a time",
        schema.name
    );
    Ok(p)
}
