//! Converting read columns to the schema's types and checking each value's own rules
//! (required, type, enum, range, Israeli ID, digits, patterns). Bad values reject their row.
use super::reject::Reject;
use super::schema::{ColType, ColumnSchema, Pattern};
use super::validate::par_row_ranges;
use crate::rules::israeli_id;
use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

/// Days from 0001-01-01 (CE) to 1970-01-01, to turn chrono dates into Parquet dates.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

pub fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_FROM_CE)
}

/// Parses an ISO `YYYY-MM-DD` date strictly.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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
}

impl Ctx<'_> {
    fn reject(&mut self, row: usize, value: &str, rule: &str, message: String) {
        self.out.push(Reject::new(
            self.table,
            row,
            &self.col.name,
            value,
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

    fn text_value(&mut self, row: usize, v: Option<&str>, has_rules: bool) {
        if self.skip[row] {
            return;
        }
        match v {
            None | Some("") => {
                if !self.col.optional {
                    self.missing(row);
                }
            }
            Some(v) if has_rules => self.check_text(row, v),
            Some(_) => {}
        }
    }

    fn check_text(&mut self, row: usize, v: &str) {
        let c = self.col;
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
    let mut ctx = Ctx {
        table,
        col,
        skip,
        out: Vec::new(),
    };
    let Some(s) = input else {
        // An optional column absent from the file: all values missing.
        let dtype = canonical_dtype(col.ty);
        return (Series::full_null(name, height, &dtype), ctx.out);
    };
    let series = match (col.ty, s.dtype()) {
        (ColType::Str | ColType::Enum, _) => convert_text(&mut ctx, s),
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

/// The rejects of a text column held as codes (`validate::encode_text`): each distinct value
/// is checked once, and its rejects repeated for the rows that hold it (the same rejects, in
/// the same order, as `convert_column` on the text).
pub fn convert_coded(
    table: &str,
    col: &ColumnSchema,
    codes: &UInt32Chunked,
    values: &[PlSmallStr],
    skip: &[bool],
) -> Vec<Reject> {
    let has_rules =
        col.ty == ColType::Enum || col.israeli_id || col.digits.is_some() || col.pattern.is_some();
    let once = [false];
    let of_value = |v: Option<&str>| {
        let mut ctx = Ctx {
            table,
            col,
            skip: &once,
            out: Vec::new(),
        };
        ctx.text_value(0, v, has_rules);
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

pub fn canonical_dtype(ty: ColType) -> DataType {
    match ty {
        ColType::Str | ColType::Enum => DataType::String,
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
    let has_rules =
        c.ty == ColType::Enum || c.israeli_id || c.digits.is_some() || c.pattern.is_some();
    // Row ranges checked in parallel, each walking its arrays' values directly (without
    // validity checks where a chunk has no missing values); rejects stay in row order.
    let parts: Vec<Vec<Reject>> = par_row_ranges(ca.len())
        .map(|(start, len)| {
            let part = ca.slice(start as i64, len);
            let mut sub = Ctx {
                table: ctx.table,
                col: c,
                skip: ctx.skip,
                out: Vec::new(),
            };
            let mut i = start;
            if part.null_count() == 0 {
                for arr in part.downcast_iter() {
                    for v in arr.values_iter() {
                        sub.text_value(i, Some(v), has_rules);
                        i += 1;
                    }
                }
            } else {
                for v in part.iter() {
                    sub.text_value(i, v, has_rules);
                    i += 1;
                }
            }
            sub.out
        })
        .collect();
    for part in parts {
        ctx.out.extend(part);
    }
    s.clone()
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
mod tests {
    use super::*;
    use crate::table::schema;

    fn run(table: &str, column: &str, values: &[Option<&str>]) -> (Series, Vec<(u64, String)>) {
        let sch = schema::get(table).unwrap();
        let col = sch.column(column).unwrap();
        let s = Series::new(column.into(), values);
        let skip = vec![false; values.len()];
        let (out, rejects) = convert_column(table, col, Some(&s), values.len(), &skip);
        (
            out,
            rejects
                .into_iter()
                .map(|r| (r.row_number, r.rule))
                .collect(),
        )
    }

    #[test]
    fn ints_parse_and_range_check() {
        let (s, r) = run(
            "students",
            "grade",
            &[Some("3"), Some(" 12 "), Some("13"), Some("x"), None],
        );
        assert_eq!(s.dtype(), &DataType::Int64);
        assert_eq!(s.i64().unwrap().get(1), Some(12));
        assert_eq!(
            r,
            vec![
                (3, "range".into()),
                (4, "type_int".into()),
                (5, "required".into())
            ]
        );
    }

    #[test]
    fn optional_int_may_be_empty() {
        let (_, r) = run(
            "stage_a_scores",
            "score",
            &[None, Some("1000"), Some("1001")],
        );
        assert_eq!(r, vec![(3, "range".into())]);
    }

    #[test]
    fn dates_are_strict_iso() {
        let (s, r) = run(
            "students",
            "birth_date",
            &[
                Some("2019-02-28"),
                Some("2019-02-29"),
                Some("28/02/2019"),
                Some("2019-2-28"),
            ],
        );
        assert_eq!(s.dtype(), &DataType::Date);
        let d = days_to_date(s.date().unwrap().physical().get(0).unwrap()).unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2019, 2, 28).unwrap());
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(r.iter().all(|x| x.1 == "type_date"));
    }

    #[test]
    fn bools_accept_true_false_one_zero() {
        let (s, r) = run(
            "contacts",
            "is_legal_guardian",
            &[Some("true"), Some("0"), Some("FALSE"), Some("yes")],
        );
        let ca = s.bool().unwrap();
        assert_eq!(ca.get(0), Some(true));
        assert_eq!(ca.get(1), Some(false));
        assert_eq!(ca.get(2), Some(false));
        assert_eq!(r, vec![(4, "type_bool".into())]);
    }

    #[test]
    fn enums_are_exact_lower_case() {
        let (_, r) = run(
            "students",
            "gender",
            &[Some("m"), Some("f"), Some("M"), Some("x")],
        );
        assert_eq!(r, vec![(3, "enum".into()), (4, "enum".into())]);
    }

    #[test]
    fn ids_keep_leading_zeros_and_check_digit() {
        let (s, r) = run(
            "students",
            "student_id",
            &[
                Some("039337423"),
                Some("000000018"),
                Some("123456789"),
                Some("P1234567"),
            ],
        );
        assert_eq!(s.str().unwrap().get(0), Some("039337423"));
        assert_eq!(s.str().unwrap().get(1), Some("000000018"));
        assert_eq!(r, vec![(3, "israeli_id".into()), (4, "israeli_id".into())]);
    }

    #[test]
    fn digits_and_patterns() {
        let (_, r) = run(
            "institutions",
            "institution_id",
            &[Some("012345"), Some("12345"), Some("1234a6")],
        );
        assert_eq!(r, vec![(2, "digits".into()), (3, "digits".into())]);
        let (_, r) = run(
            "contact_details",
            "zip",
            &[Some("12345"), Some("1234567"), Some("123456"), None],
        );
        assert_eq!(r, vec![(3, "zip".into())]);
        let (_, r) = run(
            "contact_details",
            "email",
            &[Some("a@b.il"), Some("ab.il"), Some("@b")],
        );
        assert_eq!(r, vec![(2, "email".into()), (3, "email".into())]);
        let (_, r) = run(
            "contact_details",
            "phone",
            &[Some("+972-3-555"), Some("03 555")],
        );
        assert_eq!(r, vec![(2, "phone".into())]);
    }

    #[test]
    fn floats_range() {
        let (_, r) = run(
            "norm_tables",
            "percentile",
            &[Some("99.5"), Some("100.1"), Some("nan"), Some("-1")],
        );
        assert_eq!(
            r,
            vec![
                (2, "range".into()),
                (3, "type_float".into()),
                (4, "range".into())
            ]
        );
    }

    #[test]
    fn typed_parquet_columns_are_checked_too() {
        let sch = schema::get("students").unwrap();
        let col = sch.column("grade").unwrap();
        let s = Series::new("grade".into(), &[Some(3i32), Some(0), None]);
        let (out, rejects) = convert_column("students", col, Some(&s), 3, &[false; 3]);
        assert_eq!(out.dtype(), &DataType::Int64);
        let rules: Vec<_> = rejects
            .iter()
            .map(|r| (r.row_number, r.rule.as_str()))
            .collect();
        assert_eq!(rules, vec![(2, "range"), (3, "required")]);
    }
}
