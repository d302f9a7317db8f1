//! Typed rows from a validated table: the one mechanism by which a job reads a table into its
//! own structs (design.md "A job's shape": not a zip chain of columns per table).
//!
//! [`rows`] deserializes each accepted row into `T` with serde, matching `T`'s fields to the
//! table's columns by name: text (plain or dictionary-coded) as `&str`/`String` or a unit enum
//! (`#[serde(rename_all = "snake_case")]`), integers as `i64`, decimals as `f64`, booleans as
//! `bool`, dates as `chrono::NaiveDate` with `#[serde(with = "crate::rules::date")]`, a missing value as `None` of an `Option` field. A column the
//! struct does not name is ignored; a field the table lacks, or a missing value in a field that
//! is not an `Option`, is an error naming the table, the row and the column.
use super::types::{Table, TextColumn};
use crate::error::{Error, Result};
use polars::prelude::*;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Rows deserialized together on one thread by [`rows`].
const ROWS_PER_TASK: usize = 16_384;

/// Every accepted row of `t` as a `T`, in row order. A national table's rows are
/// deserialized in blocks side by side; an error is that of the first failing row.
pub fn rows<'a, T: Deserialize<'a> + Send>(t: &'a Table) -> Result<Vec<T>> {
    let columns = Columns::of(&t.df, &t.schema.name, |name| t.text(name))?;
    let numbers: Vec<u64> = t.row_numbers().collect();
    deserialize_blocks(&columns, &t.schema.name, &numbers)
}

/// Every row of `columns` as a `T`, whose source row numbers are `numbers`: blocks of
/// [`ROWS_PER_TASK`] side by side, the first failing row's error.
fn deserialize_blocks<'a, T: Deserialize<'a> + Send>(
    columns: &Columns<'a>,
    table: &str,
    numbers: &[u64],
) -> Result<Vec<T>> {
    use rayon::prelude::*;
    let blocks: Vec<Result<Vec<T>>> = (numbers.par_chunks(ROWS_PER_TASK).enumerate())
        .map(|(b, block)| {
            let at = b * ROWS_PER_TASK;
            let rows = (block.iter().enumerate()).map(|(i, &number)| (at + i, number));
            deserialize_some(columns, table, rows)
        })
        .collect();
    let mut out = Vec::with_capacity(numbers.len());
    for block in blocks {
        out.extend(block?);
    }
    Ok(out)
}

/// The accepted rows of `t` whose text column `key` holds a value `keep` takes, as `T`, in row
/// order: a job that needs a few rows of a national table (the students a few thousand
/// requests name) reads only those, without deserializing the others.
pub fn rows_where<'a, T: Deserialize<'a>>(
    t: &'a Table,
    key: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<T>> {
    let columns = Columns::of(&t.df, &t.schema.name, |name| t.text(name))?;
    let keys = t.text(key)?;
    let wanted = t
        .row_numbers()
        .enumerate()
        .filter(|&(i, _)| keys.get(i).is_some_and(&keep));
    deserialize_some(&columns, &t.schema.name, wanted)
}

/// The rows `(index, source row number)` of `columns` as `T`s; errors name `table` and the
/// source row.
fn deserialize_some<'a, T: Deserialize<'a>>(
    columns: &Columns<'a>,
    table: &str,
    rows: impl Iterator<Item = (usize, u64)>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, row_number) in rows {
        let row = RowDeserializer { columns, row: i };
        let value = T::deserialize(row)
            .map_err(|e| Error::Job(format!("{table} row {row_number}: {}", e.0)))?;
        out.push(value);
    }
    Ok(out)
}

/// One column of the table, typed.
enum Col<'a> {
    Text(TextColumn<'a>),
    Int(&'a Int64Chunked),
    Float(&'a Float64Chunked),
    Bool(&'a BooleanChunked),
    Date(&'a Int32Chunked),
}

struct Columns<'a> {
    names: Vec<&'a str>,
    cols: Vec<Col<'a>>,
}

impl<'a> Columns<'a> {
    /// The columns of `df`; `text` reads a text column (plain or dictionary-coded).
    fn of(
        df: &'a DataFrame,
        table: &str,
        text: impl Fn(&str) -> Result<TextColumn<'a>>,
    ) -> Result<Self> {
        let mut names = Vec::new();
        let mut cols = Vec::new();
        for c in df.columns() {
            let name = c.name().as_str();
            let s = c.as_materialized_series();
            let bad = |e: PolarsError| Error::Job(format!("{table}.{name}: {e}"));
            let col = match s.dtype() {
                DataType::String | DataType::UInt32 => Col::Text(text(name)?),
                DataType::Int64 => Col::Int(s.i64().map_err(bad)?),
                DataType::Float64 => Col::Float(s.f64().map_err(bad)?),
                DataType::Boolean => Col::Bool(s.bool().map_err(bad)?),
                DataType::Date => Col::Date(s.date().map_err(bad)?.physical()),
                other => {
                    return Err(Error::Job(format!(
                        "{table}.{name}: a column of type {other} cannot be read into a row"
                    )))
                }
            };
            names.push(name);
            cols.push(col);
        }
        Ok(Columns { names, cols })
    }
}

/// A deserialization failure (its message is completed with the table and row by [`rows`]).
#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        DeError(format!("the table has no column `{field}`"))
    }
}

/// One row: a map from column names to cells.
struct RowDeserializer<'c, 'a> {
    columns: &'c Columns<'a>,
    row: usize,
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'_, 'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> std::result::Result<V::Value, DeError> {
        v.visit_map(RowMap {
            columns: self.columns,
            row: self.row,
            next: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct RowMap<'c, 'a> {
    columns: &'c Columns<'a>,
    row: usize,
    next: usize,
}

impl<'de> MapAccess<'de> for RowMap<'_, 'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> std::result::Result<Option<K::Value>, DeError> {
        let Some(name) = self.columns.names.get(self.next) else {
            return Ok(None);
        };
        let name: &'de str = name;
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> std::result::Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        let cell = Cell::at(&self.columns.cols[i], self.row);
        let name = self.columns.names[i];
        seed.deserialize(cell)
            .map_err(|e| DeError(format!("column `{name}`: {e}")))
    }
}

/// One value of a row.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Missing,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i32),
}

impl<'a> Cell<'a> {
    fn at(col: &Col<'a>, row: usize) -> Self {
        let value = match col {
            Col::Text(c) => c.get(row).map(Cell::Text),
            Col::Int(c) => c.get(row).map(Cell::Int),
            Col::Float(c) => c.get(row).map(Cell::Float),
            Col::Bool(c) => c.get(row).map(Cell::Bool),
            Col::Date(c) => c.get(row).map(Cell::Date),
        };
        value.unwrap_or(Cell::Missing)
    }
}

impl<'de> de::Deserializer<'de> for Cell<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> std::result::Result<V::Value, DeError> {
        match self {
            Cell::Missing => Err(DeError(
                "a value is needed here but the cell is empty".into(),
            )),
            Cell::Text(s) => v.visit_borrowed_str(s),
            Cell::Int(x) => v.visit_i64(x),
            Cell::Float(x) => v.visit_f64(x),
            Cell::Bool(x) => v.visit_bool(x),
            Cell::Date(d) => v.visit_i64(i64::from(d)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> std::result::Result<V::Value, DeError> {
        match self {
            Cell::Missing => v.visit_none(),
            cell => v.visit_some(cell),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> std::result::Result<V::Value, DeError> {
        match self {
            Cell::Text(s) => v.visit_enum(s.into_deserializer()),
            other => other.deserialize_any(v),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        v: V,
    ) -> std::result::Result<V::Value, DeError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a frame whose text columns are plain, as table `interviews`.
    fn rows<'a, T: Deserialize<'a> + Send>(df: &'a DataFrame) -> Result<Vec<T>> {
        let text = |name: &str| {
            let s = df.column(name).expect("column").as_materialized_series();
            Ok(TextColumn::Plain(s.str().expect("text")))
        };
        let columns = Columns::of(df, "interviews", text)?;
        let numbers: Vec<u64> = (1..=df.height() as u64).collect();
        deserialize_blocks(&columns, "interviews", &numbers)
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Outcome {
        Passed,
        Failed,
        NoShow,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row<'a> {
        student_id: &'a str,
        track_id: String,
        outcome: Outcome,
        seats: Option<i64>,
        ok: bool,
    }

    fn frame() -> DataFrame {
        df!(
            "student_id" => ["000000018", "123456782"],
            "track_id" => ["T1", "T2"],
            "outcome" => ["no_show", "passed"],
            "seats" => [Some(3i64), None],
            "ok" => [true, false],
            "extra" => [1.5f64, 2.5],
        )
        .unwrap()
    }

    #[test]
    fn rows_fill_fields_by_column_name_in_row_order() {
        let df = frame();
        let v: Vec<Row> = rows(&df).unwrap();
        assert_eq!(
            v,
            vec![
                Row {
                    student_id: "000000018",
                    track_id: "T1".into(),
                    outcome: Outcome::NoShow,
                    seats: Some(3),
                    ok: true
                },
                Row {
                    student_id: "123456782",
                    track_id: "T2".into(),
                    outcome: Outcome::Passed,
                    seats: None,
                    ok: false
                },
            ]
        );
        let _ = Outcome::Failed;
    }

    #[test]
    fn dates_read_as_dates() {
        use chrono::NaiveDate;
        let day = NaiveDate::from_ymd_opt(2026, 12, 31);
        let df = df!("d" => [day], "e" => [None::<NaiveDate>]).unwrap();
        #[derive(Deserialize)]
        struct D {
            #[serde(with = "crate::rules::date")]
            d: NaiveDate,
            #[serde(default, deserialize_with = "crate::rules::date::optional")]
            e: Option<NaiveDate>,
        }
        let v: Vec<D> = rows(&df).unwrap();
        assert_eq!(Some(v[0].d), day);
        assert_eq!(v[0].e, None);
    }

    #[test]
    fn a_missing_value_or_column_or_an_unknown_value_names_table_row_and_column() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsSeats {
            seats: i64,
        }
        let e = rows::<NeedsSeats>(&frame()).unwrap_err().to_string();
        assert!(
            e.contains("interviews row 2") && e.contains("column `seats`"),
            "{e}"
        );
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct NeedsGrade {
            grade: i64,
        }
        let e = rows::<NeedsGrade>(&frame()).unwrap_err().to_string();
        assert!(e.contains("no column `grade`"), "{e}");
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct TrackAsOutcome {
            track_id: Outcome,
        }
        let e = rows::<TrackAsOutcome>(&frame()).unwrap_err().to_string();
        assert!(e.contains("column `track_id`") && e.contains("T1"), "{e}");
    }

    /// Rows of several blocks come back in row order, and of two failing rows in different
    /// blocks the first is named, whichever block finishes first.
    #[test]
    fn rows_of_many_blocks_keep_their_order_and_the_first_error() {
        let n = 3 * ROWS_PER_TASK + 5;
        let seats: Vec<i64> = (0..n as i64).collect();
        let df = df!("seats" => &seats).unwrap();
        #[derive(Debug, Deserialize)]
        struct Seats {
            seats: i64,
        }
        let v: Vec<Seats> = rows(&df).unwrap();
        assert!(v.iter().map(|r| r.seats).eq(seats.iter().copied()));
        let mut gaps: Vec<Option<i64>> = seats.iter().map(|&s| Some(s)).collect();
        let (first, later) = (ROWS_PER_TASK + 7, 2 * ROWS_PER_TASK + 1);
        gaps[later] = None;
        gaps[first] = None;
        let df = df!("seats" => &gaps).unwrap();
        let e = rows::<Seats>(&df).unwrap_err().to_string();
        assert!(e.contains(&format!("interviews row {}:", first + 1)), "{e}");
    }
}
