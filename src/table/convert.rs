//! Converting read columns to the schema's types and checking each value's own rules
//! (required, type, text length and characters, enum, range, Israeli ID, identifier, digits,
//! patterns). Bad values reject their row. Israeli IDs are normalized to their 9-digit form.
use super::par::par_row_ranges;
use super::reject::Reject;
use super::schema::{ColType, ColumnSchema, Pattern};
use crate::rules::{identifier, israeli_id, text};
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use std::sync::Arc;

/// Days from 0001-01-01 (CE) to 1970-01-01, to turn chrono dates into Parquet dates.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

pub fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// A date column's value as a date (`rules::date::from_days`).
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    crate::rules::date::from_days(i64::from(days))
}

/// Parses an ISO `YYYY-MM-DD` date strictly (`rules::date::parse_iso`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    crate::rules::date::parse_iso(s)
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

struct Ctx<'a> {
    table: &'a str,
    col: &'a ColumnSchema,
    skip: &'a [bool],
    out: Vec<Reject>,
    /// A valid Israeli ID of fewer than 9 digits was seen: the column needs padding.
    short_ids: bool,
}

impl<'a> Ctx<'a> {
    fn new(table: &'a str, col: &'a ColumnSchema, skip: &'a [bool]) -> Self {
        Ctx {
            table,
            col,
            skip,
            out: Vec::new(),
            short_ids: false,
        }
    }

    /// Rejects row `row`; the value is shown cut and escaped (`text::shown`), so a huge or
    /// control-laden value never reaches the rejects whole.
    fn reject(&mut self, row: usize, value: &str, rule: &str, message: String) {
        self.out.push(Reject::new(
            self.table,
            row,
            &self.col.name,
            text::shown(value),
            rule,
            message,
        ));
    }

    fn missing(&mut self, row: usize) {
        let msg = format!("`{}` needs a value", self.col.name);
        self.reject(row, "", "required", msg);
    }

    fn out_of_range(&self, v: f64) -> bool {
        self.col.min.is_some_and(|lo| v < lo) || self.col.max.is_some_and(|hi| v > hi)
    }

    fn check_range(&mut self, row: usize, v: f64, shown: &str) {
        if self.out_of_range(v) {
            let range = self.col.rule_text();
            let msg = format!("`{}` = {shown} is out of range ({range})", self.col.name);
            self.reject(row, shown, "range", msg);
        }
    }

    fn text_value(&mut self, row: usize, v: Option<&str>) {
        if self.skip[row] {
            return;
        }
        match v {
            None | Some("") => {
                if !self.col.optional {
                    self.missing(row);
                }
            }
            Some(v) => self.check_text(row, v),
        }
    }

    /// The rules of a present text value, in order: text length and characters, enum, Israeli
    /// ID, identifier, digits, pattern; the first broken one rejects the row.
    fn check_text(&mut self, row: usize, v: &str) {
        let c = self.col;
        if let Some(max) = c.max_chars() {
            if let Err(e) = text::check(v, max) {
                self.reject(row, v, e.rule(), e.message(&c.name, max));
                return;
            }
        }
        if c.ty == ColType::Enum && !c.values.iter().any(|x| x == v) {
            let msg = format!("`{}` must be one of {}", c.name, c.values.join(", "));
            self.reject(row, v, "enum", msg);
            return;
        }
        if c.israeli_id {
            if let Err(e) = israeli_id::check(v) {
                self.reject(
                    row,
                    v,
                    "israeli_id",
                    format!("`{}`: {}", c.name, e.message()),
                );
                return;
            }
            self.short_ids |= v.len() < 9;
        }
        if c.identifier && !identifier::is_safe(v) {
            let msg = format!(
                "`{}` names a file or folder of the outputs, so it must match {} (letters, \
                 digits, `_` and `-`, at most {} characters)",
                c.name,
                identifier::PATTERN,
                identifier::MAX_LEN
            );
            self.reject(row, v, "unsafe_identifier", msg);
            return;
        }
        if let Some(n) = c.digits {
            if v.len() != n || !v.bytes().all(|b| b.is_ascii_digit()) {
                let msg = format!("`{}` must be exactly {n} digits", c.name);
                self.reject(row, v, "digits", msg);
                return;
            }
        }
        if let Some(p) = c.pattern {
            let ok = match p {
                Pattern::Phone => {
                    v.bytes().any(|b| b.is_ascii_digit())
                        && v.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'+' || b == b'-')
                }
                Pattern::Email => v
                    .split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !v.contains(' ')),
                Pattern::Zip => {
                    (v.len() == 5 || v.len() == 7) && v.bytes().all(|b| b.is_ascii_digit())
                }
            };
            if !ok {
                let what = match p {
                    Pattern::Phone => "a phone number has digits, '+' and '-' only",
                    Pattern::Email => "an email address looks like name@domain",
                    Pattern::Zip => "a postal code has 5 or 7 digits",
                };
                let rule = format!("{p:?}").to_lowercase();
                self.reject(row, v, &rule, format!("`{}`: {what}", c.name));
            }
        }
    }
}

/// Converts one column: returns the canonical series (String, Int64, Float64, Date or
/// Boolean) and the rejects of its values. Rows in `skip` were already rejected while
/// reading and are not checked again.
pub fn convert_column(
    table: &str,
    col: &ColumnSchema,
    input: Option<&Series>,
    height: usize,
    skip: &[bool],
) -> (Series, Vec<Reject>) {
    let name = PlSmallStr::from(col.name.as_str());
    let mut ctx = Ctx::new(table, col, skip);
    let Some(s) = input else {
        // An optional column absent from the file: all values missing.
        let dtype = canonical_dtype(col.ty);
        return (Series::full_null(name, height, &dtype), ctx.out);
    };
    let series = match (col.ty, s.dtype()) {
        (ColType::Str | ColType::Enum | ColType::List, _) => convert_text(&mut ctx, s),
        (ColType::Int, DataType::String) => convert_parsed::<Int64Type>(
            &mut ctx,
            s,
            "type_int",
            "a whole number",
            |v| v.trim().parse::<i64>().ok(),
            |v| v as f64,
        )
        .into_series(),
        (ColType::Int, _) => convert_typed_int(&mut ctx, s),
        (ColType::Float, DataType::String) => convert_parsed::<Float64Type>(
            &mut ctx,
            s,
            "type_float",
            "a number",
            |v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
            |v| v,
        )
        .into_series(),
        (ColType::Float, _) => convert_typed_float(&mut ctx, s),
        (ColType::Date, DataType::String) => convert_parsed::<Int32Type>(
            &mut ctx,
            s,
            "type_date",
            "a date written YYYY-MM-DD",
            |v| parse_date(v).map(date_to_days),
            |_| f64::NAN,
        )
        .into_date()
        .into_series(),
        (ColType::Date, _) => {
            check_nulls(&mut ctx, s);
            s.clone()
        }
        (ColType::Bool, DataType::String) => convert_bool_text(&mut ctx, s),
        (ColType::Bool, _) => {
            check_nulls(&mut ctx, s);
            s.clone()
        }
    };
    (series.with_name(name), ctx.out)
}

/// The rejects of a text column held as codes (`encode::encode_text`): each distinct value
/// is checked once, and its rejects repeated for the rows that hold it (the same rejects, in
/// the same order, as `convert_column` on the text).
pub fn convert_coded(
    table: &str,
    col: &ColumnSchema,
    codes: &UInt32Chunked,
    values: &[PlSmallStr],
    skip: &[bool],
) -> Vec<Reject> {
    let once = [false];
    let of_value = |v: Option<&str>| {
        let mut ctx = Ctx::new(table, col, &once);
        ctx.text_value(0, v);
        ctx.out
    };
    let per_value: Vec<Vec<Reject>> = values.iter().map(|v| of_value(Some(v.as_str()))).collect();
    let missing = if codes.null_count() > 0 {
        of_value(None)
    } else {
        Vec::new()
    };
    if missing.is_empty() && per_value.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        if skip[i] {
            continue;
        }
        let found = match code {
            Some(c) => &per_value[c as usize],
            None => &missing,
        };
        out.extend(found.iter().map(|r| Reject {
            row_number: i as u64 + 1,
            ..r.clone()
        }));
    }
    out
}

/// A coded column of Israeli IDs (`col.israeli_id`) with its valid IDs in their 9-digit form.
/// Two values may become one (`18` and `000000018`): their codes then become one, so each
/// distinct value still has one code, numbered in order of first appearance as before. When
/// no value is short, the codes and values are returned as they are.
pub fn normalize_coded(
    col: &ColumnSchema,
    codes: UInt32Chunked,
    values: Arc<[PlSmallStr]>,
) -> (UInt32Chunked, Arc<[PlSmallStr]>) {
    let short = |v: &PlSmallStr| v.len() < 9 && israeli_id::check(v).is_ok();
    if !col.israeli_id || !values.iter().any(short) {
        return (codes, values);
    }
    let mut code_of: PlHashMap<PlSmallStr, u32> = PlHashMap::default();
    let mut merged: Vec<PlSmallStr> = Vec::with_capacity(values.len());
    let map: Vec<u32> = values
        .iter()
        .map(|v| {
            let v = if short(v) {
                PlSmallStr::from(israeli_id::canonical(v))
            } else {
                v.clone()
            };
            *code_of.entry(v.clone()).or_insert_with(|| {
                merged.push(v);
                (merged.len() - 1) as u32
            })
        })
        .collect();
    // Values kept in order, none merged: every code keeps its number.
    if merged.len() == values.len() {
        return (codes, merged.into());
    }
    let codes = codes.apply_values(|c| map[c as usize]);
    (codes, merged.into())
}

pub fn canonical_dtype(ty: ColType) -> DataType {
    match ty {
        ColType::Str | ColType::Enum | ColType::List => DataType::String,
        ColType::Int => DataType::Int64,
        ColType::Float => DataType::Float64,
        ColType::Date => DataType::Date,
        ColType::Bool => DataType::Boolean,
    }
}

fn check_nulls(ctx: &mut Ctx, s: &Series) {
    if ctx.col.optional || s.null_count() == 0 {
        return;
    }
    let nulls = s.is_null();
    for (i, n) in nulls.iter().enumerate() {
        if n == Some(true) && !ctx.skip[i] {
            ctx.missing(i);
        }
    }
}

fn convert_text(ctx: &mut Ctx, s: &Series) -> Series {
    let Ok(ca) = s.str() else {
        return s.clone();
    };
    let c = ctx.col;
    // Row ranges checked in parallel, each walking its arrays' values directly (without
    // validity checks where a chunk has no missing values); rejects stay in row order.
    let parts: Vec<(Vec<Reject>, bool)> = par_row_ranges(ca.len())
        .map(|(start, len)| {
            let part = ca.slice(start as i64, len);
            let mut sub = Ctx::new(ctx.table, c, ctx.skip);
            let mut i = start;
            if part.null_count() == 0 {
                for arr in part.downcast_iter() {
                    for v in arr.values_iter() {
                        sub.text_value(i, Some(v));
                        i += 1;
                    }
                }
            } else {
                for v in part.iter() {
                    sub.text_value(i, v);
                    i += 1;
                }
            }
            (sub.out, sub.short_ids)
        })
        .collect();
    let mut short_ids = false;
    for (part, short) in parts {
        ctx.out.extend(part);
        short_ids |= short;
    }
    // A column whose IDs all have 9 digits (nearly always) is not copied.
    if short_ids {
        pad_ids(ca).into_series()
    } else {
        s.clone()
    }
}

/// The column with each valid Israeli ID of fewer than 9 digits in its 9-digit form; other
/// values (rejected ones among them) as written.
fn pad_ids(ca: &StringChunked) -> StringChunked {
    let padded: StringChunked = ca
        .iter()
        .map(|v| v.map(|v| israeli_id::normalized(v).unwrap_or(v.into())))
        .collect();
    padded.with_name(ca.name().clone())
}

fn convert_parsed<T>(
    ctx: &mut Ctx,
    s: &Series,
    rule: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T::Native>,
    as_f64: impl Fn(T::Native) -> f64,
) -> ChunkedArray<T>
where
    T: PolarsNumericType,
{
    let ca = s.str().expect("string column");
    let mut values: Vec<Option<T::Native>> = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        let parsed = match v {
            _ if ctx.skip[i] => None,
            None | Some("") => {
                if !ctx.col.optional {
                    ctx.missing(i);
                }
                None
            }
            Some(v) => match parse(v) {
                Some(x) => {
                    let f = as_f64(x);
                    if !f.is_nan() {
                        ctx.check_range(i, f, v.trim());
                    }
                    Some(x)
                }
                None => {
                    let msg = format!("`{}` must be {what}", ctx.col.name);
                    ctx.reject(i, v, rule, msg);
                    None
                }
            },
        };
        values.push(parsed);
    }
    ChunkedArray::<T>::from_iter_options(PlSmallStr::EMPTY, values.into_iter())
}

fn convert_typed_int(ctx: &mut Ctx, s: &Series) -> Series {
    // A non-strict cast turns values that do not fit (u64 above i64::MAX) into nulls.
    let cast = s
        .cast(&DataType::Int64)
        .unwrap_or_else(|_| Series::full_null(PlSmallStr::EMPTY, s.len(), &DataType::Int64));
    let ca = cast.i64().expect("int64");
    // Values are walked only when something is to be found: the column's extremes out of
    // range, values that did not fit, or missing values where one is required.
    let beyond = |v: Option<i64>| v.is_some_and(|v| ctx.out_of_range(v as f64));
    let ranged =
        (ctx.col.min.is_some() || ctx.col.max.is_some()) && (beyond(ca.min()) || beyond(ca.max()));
    if ranged || ca.null_count() > s.null_count() || (!ctx.col.optional && ca.null_count() > 0) {
        let was_null = s.is_null();
        for (i, v) in ca.iter().enumerate() {
            if ctx.skip[i] {
                continue;
            }
            match v {
                None if was_null.get(i) == Some(false) => {
                    let msg = format!("`{}` does not fit a 64-bit whole number", ctx.col.name);
                    ctx.reject(i, "", "type_int", msg);
                }
                None if !ctx.col.optional => ctx.missing(i),
                None => {}
                Some(v) if ctx.out_of_range(v as f64) => {
                    ctx.check_range(i, v as f64, &v.to_string())
                }
                Some(_) => {}
            }
        }
    }
    cast
}

fn convert_typed_float(ctx: &mut Ctx, s: &Series) -> Series {
    let cast = s
        .cast(&DataType::Float64)
        .unwrap_or_else(|_| Series::full_null(PlSmallStr::EMPTY, s.len(), &DataType::Float64));
    let ca = cast.f64().expect("float64");
    for (i, v) in ca.iter().enumerate() {
        if ctx.skip[i] {
            continue;
        }
        match v {
            None if !ctx.col.optional => ctx.missing(i),
            None => {}
            Some(v) if !v.is_finite() => {
                let msg = format!("`{}` must be a finite number", ctx.col.name);
                ctx.reject(i, &v.to_string(), "type_float", msg);
            }
            Some(v) if ctx.out_of_range(v) => ctx.check_range(i, v, &v.to_string()),
            Some(_) => {}
        }
    }
    cast
}

fn convert_bool_text(ctx: &mut Ctx, s: &Series) -> Series {
    let ca = s.str().expect("string column");
    let mut values: Vec<Option<bool>> = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        let parsed = match v {
            _ if ctx.skip[i] => None,
            None | Some("") => {
                if !ctx.col.optional {
                    ctx.missing(i);
                }
                None
            }
            Some(v) => {
                let b = parse_bool(v);
                if b.is_none() {
                    let msg = format!("`{}` must be true/false (or 1/0)", ctx.col.name);
                    ctx.reject(i, v, "type_bool", msg);
                }
                b
            }
        };
        values.push(parsed);
    }
    BooleanChunked::from_iter(values).into_series()
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
