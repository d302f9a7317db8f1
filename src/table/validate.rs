//! Validation of a job's input tables: value rules (convert.rs), row checks over several
//! columns, unique keys and references between tables. Every row read is either accepted or
//! rejected with the rules it broke; nothing is dropped silently.
use super::convert::{convert_column, days_to_date};
use super::read::{find_table_file, read_table, RawTable, SourceFile};
use super::reject::{Reject, RejectSet};
use super::schema::{self, Check, TableSchema};
use crate::error::{Error, Result};
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A validated input table: its accepted rows, with canonical column types.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: &'static TableSchema,
    pub source: SourceFile,
    pub df: DataFrame,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// 1-based source row of each accepted row (row i of `df` is data row `row_numbers[i]`).
    pub row_numbers: Vec<u64>,
}

impl Table {
    /// The same table's identity (schema, source, counts) with no rows, to hold a selection.
    pub fn clone_empty(&self) -> Table {
        Table {
            schema: self.schema,
            source: self.source.clone(),
            df: DataFrame::empty(),
            rows_read: self.rows_read,
            rows_rejected: self.rows_rejected,
            row_numbers: Vec::new(),
        }
    }

    pub fn rows_accepted(&self) -> usize {
        self.rows_read - self.rows_rejected
    }
}

/// A table a job reads, and whether it must be present.
#[derive(Debug, Clone, Copy)]
pub struct TableNeed {
    pub name: &'static str,
    pub required: bool,
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
            t.df = DataFrame::empty();
            t.row_numbers = Vec::new();
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
    let mut pending: Vec<Pending> = files
        .iter()
        .map(|(schema, path, format)| {
            let t0 = std::time::Instant::now();
            let raw = read_table(path, *format, schema)?;
            let t1 = std::time::Instant::now();
            let mut p = convert_table(raw);
            let t2 = std::time::Instant::now();
            row_checks(&mut p, params);
            check_keys(&mut p);
            tracing::debug!(
                table = %schema.name,
                read_ms = (t1 - t0).as_millis() as u64,
                convert_ms = (t2 - t1).as_millis() as u64,
                checks_and_keys_ms = t2.elapsed().as_millis() as u64,
                "read {}",
                schema.name
            );
            Ok(p)
        })
        .collect::<Result<Vec<_>>>()?;
    pending.sort_by_key(|p| schema::order(&p.schema.name));

    let mut set = InputSet::default();
    let mut ref_sets: HashMap<(String, String), RefSet> = HashMap::new();
    for mut p in pending {
        let t0 = std::time::Instant::now();
        check_references(&mut p, &set, &present, &job_tables, &mut ref_sets);
        check_equals_referenced(&mut p, &set);
        tracing::debug!(
            table = %p.schema.name,
            refs_ms = t0.elapsed().as_millis() as u64,
            "references of {}",
            p.schema.name
        );
        p.rejects.sort();
        let table = finish(p, &mut set)?;
        set.tables.insert(table.schema.name.clone(), table);
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
    }
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
                for (i, (b, y)) in births.iter().zip(years.iter()).enumerate() {
                    let (Some(b), Some(y)) = (b, y) else { continue };
                    let Some(b) = days_to_date(b) else { continue };
                    let on = (y - 1, 9, 1);
                    let mut age = on.0 - i64::from(b.year());
                    if (b.month(), b.day()) > (on.1, on.2) {
                        age -= 1;
                    }
                    if age < *min || age > *max {
                        found.push(Reject::new(
                            &name,
                            i,
                            date,
                            b.to_string(),
                            "age_range",
                            format!(
                                "the student would be {age} on 1 September {}; expected {min}–{max}",
                                y - 1
                            ),
                        ));
                    }
                }
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
    let cols: Vec<&Series> = key.iter().map(|k| col(p, k)).collect();
    let dups = find_duplicates(&cols, &p.rejects.rejected);
    let column = key.join("+");
    for (i, f) in dups {
        let value: Vec<String> = key.iter().map(|k| show(col(p, k), i)).collect();
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

/// Accepted values of a referenced key column. Digit strings of up to 18 digits (IDs,
/// institution codes) are held as exact integers tagged with their length, so leading zeros
/// still count; other values as text.
#[derive(Default)]
struct RefSet {
    digits: PlHashSet<u64>,
    text: PlHashSet<PlSmallStr>,
}

fn digits_key(v: &str) -> Option<u64> {
    let b = v.as_bytes();
    if b.is_empty() || b.len() > 18 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(((b.len() as u64) << 60) | n)
}

impl RefSet {
    fn build(ca: &StringChunked) -> Self {
        let mut set = RefSet {
            digits: PlHashSet::with_capacity(ca.len()),
            text: PlHashSet::default(),
        };
        for v in ca.iter().flatten() {
            match digits_key(v) {
                Some(k) => {
                    set.digits.insert(k);
                }
                None => {
                    set.text.insert(PlSmallStr::from(v));
                }
            }
        }
        set
    }

    fn contains(&self, v: &str) -> bool {
        match digits_key(v) {
            Some(k) => self.digits.contains(&k),
            None => self.text.contains(v),
        }
    }
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
        let Some((t, tc)) = c.reference() else {
            continue;
        };
        if !job_tables.contains(&t) || !present.contains(&t) {
            continue; // Checked only by the jobs that read the referenced table.
        }
        let Some(target) = done.get(t) else { continue };
        let set = cache
            .entry((t.to_string(), tc.to_string()))
            .or_insert_with(|| {
                let s = target.df.column(tc).expect("referenced column");
                let s = s.as_materialized_series();
                RefSet::build(s.str().expect("text"))
            });
        let values: Vec<Option<&str>> = p.columns[ci].str().expect("text").iter().collect();
        let rejected = &p.rejects.rejected;
        let dangling: Vec<usize> = values
            .par_iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Some(v) if !v.is_empty() && !rejected[i] && !set.contains(v) => Some(i),
                _ => None,
            })
            .collect();
        let found: Vec<Reject> = dangling
            .into_iter()
            .map(|i| {
                let v = values[i].unwrap_or_default();
                Reject::new(
                    &p.schema.name,
                    i,
                    &c.name,
                    v,
                    "reference",
                    format!(
                        "`{}` = {v} is not an accepted row of `{t}` ({t}.{tc})",
                        c.name
                    ),
                )
            })
            .collect();
        for r in found {
            p.rejects.add(r);
        }
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

fn finish(p: Pending, set: &mut InputSet) -> Result<Table> {
    let rows_rejected = p.rejects.n_rejected();
    let row_numbers = (0..p.height)
        .filter(|&i| !p.rejects.rejected[i])
        .map(|i| i as u64 + 1)
        .collect();
    let mask: BooleanChunked = p.rejects.rejected.iter().map(|r| !r).collect();
    let columns: Vec<Column> = p.columns.into_iter().map(Column::from).collect();
    let df = DataFrame::new(p.height, columns)
        .and_then(|df| {
            if rows_rejected > 0 {
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
    })
}
