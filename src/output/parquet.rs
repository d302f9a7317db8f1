//! Parquet that every reader opens (issue #17): written through arrow-rs' `ArrowWriter`, so the
//! embedded `ARROW:schema` holds the oldest Arrow types that say what a column is — plain
//! UTF-8 strings (no string views, which pyarrow 14, the R arrow of its generation and older
//! Spark refuse), `date32`, booleans, lists — and each column's English description and Hebrew
//! name in its field metadata, the table's in the schema metadata. pyarrow
//! (`schema.field(c).metadata`), R arrow and Spark read those; pandas gets them as `df.attrs`
//! (the `PANDAS_ATTRS` key pandas ≥ 2.1 reads back). The same texts stay as the file's
//! key-value pairs (`itur:table`, `itur:description`, `itur:column:<name>`,
//! `itur:hebrew:<name>`), where DuckDB's `parquet_kv_metadata` shows them.
//!
//! A table of millions of typed rows (research-export's students) is written without a frame by
//! [`rows_parquet_bytes`]: the same bytes, its columns encoded side by side over the threads.
use crate::error::{Error, Result};
use crate::table::schema::TableSchema;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType as ArrowType, Field, Schema};
use parquet::arrow::arrow_writer::compute_leaves;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Rows per Arrow batch handed to the writer: each batch's string offsets stay far below the
/// 2 GiB that plain (32-bit offset) UTF-8 arrays can address, whatever the table's size.
pub(crate) const BATCH_ROWS: usize = 64 * 1024;

/// A column's English description and Hebrew name.
pub(crate) struct ColumnText {
    pub(crate) description: String,
    pub(crate) hebrew: String,
}

/// The description of column `name` of a table with schema `s`: its schema entry (per-subtest
/// columns with their subtest's name; also under its Hebrew name, as roster-export's
/// `--headers he` files have them).
pub(crate) fn column_text(s: &TableSchema, name: &str) -> Option<ColumnText> {
    let (description, hebrew) = match s.column_of_file(name) {
        Some(c) => c.text_for(name),
        None => {
            let c = s.columns.iter().find(|c| c.hebrew == name)?;
            (c.description.clone(), c.hebrew.clone())
        }
    };
    Some(ColumnText {
        description,
        hebrew,
    })
}

/// The Arrow type a polars column is written as.
fn arrow_type(dtype: &DataType) -> Result<ArrowType> {
    Ok(match dtype {
        DataType::String | DataType::Null => ArrowType::Utf8,
        DataType::Int64 => ArrowType::Int64,
        DataType::Int32 => ArrowType::Int32,
        DataType::UInt32 => ArrowType::UInt32,
        DataType::UInt64 => ArrowType::UInt64,
        DataType::Float64 => ArrowType::Float64,
        DataType::Date => ArrowType::Date32,
        DataType::Boolean => ArrowType::Boolean,
        DataType::List(inner) if matches!(**inner, DataType::String) => {
            ArrowType::List(Arc::new(Field::new_list_field(ArrowType::Utf8, true)))
        }
        other => {
            return Err(Error::Job(format!(
                "writing Parquet: no Arrow type for a {other} column"
            )))
        }
    })
}

/// Column `s` (a slice of a frame) as an Arrow array of type [`arrow_type`].
pub(crate) fn arrow_array(s: &Series) -> Result<ArrayRef> {
    let err = |e: PolarsError| Error::Job(format!("writing Parquet: {e}"));
    Ok(match s.dtype() {
        DataType::String => Arc::new(StringArray::from_iter(s.str().map_err(err)?.iter())),
        DataType::Null => Arc::new(StringArray::new_null(s.len())),
        DataType::Int64 => Arc::new(Int64Array::from_iter(s.i64().map_err(err)?.iter())),
        DataType::Int32 => Arc::new(Int32Array::from_iter(s.i32().map_err(err)?.iter())),
        DataType::UInt32 => Arc::new(UInt32Array::from_iter(s.u32().map_err(err)?.iter())),
        DataType::UInt64 => Arc::new(UInt64Array::from_iter(s.u64().map_err(err)?.iter())),
        DataType::Float64 => Arc::new(Float64Array::from_iter(s.f64().map_err(err)?.iter())),
        DataType::Boolean => Arc::new(BooleanArray::from_iter(s.bool().map_err(err)?.iter())),
        DataType::Date => Arc::new(Date32Array::from_iter(
            s.date().map_err(err)?.physical().iter(),
        )),
        DataType::List(_) => {
            let mut b = ListBuilder::new(StringBuilder::new());
            let lists = s.list().map_err(err)?;
            for i in 0..lists.len() {
                match lists.get_as_series(i) {
                    None => b.append_null(),
                    Some(values) => {
                        for v in values.str().map_err(err)?.iter() {
                            b.values().append_option(v);
                        }
                        b.append(true);
                    }
                }
            }
            Arc::new(b.finish())
        }
        other => {
            return Err(Error::Job(format!(
                "writing Parquet: no Arrow type for a {other} column"
            )))
        }
    })
}

/// The Arrow schema (with the table's and its columns' descriptions) and the writer's
/// properties of a file of `columns` (name, Arrow type) described by `schema`.
fn writer_setup(
    columns: &[(&str, ArrowType)],
    schema: Option<&TableSchema>,
) -> (Arc<Schema>, WriterProperties) {
    let mut kv = Vec::new();
    let mut table_meta = HashMap::new();
    let mut attrs_columns = serde_json::Map::new();
    let mut fields = Vec::with_capacity(columns.len());
    for (name, ty) in columns {
        let name = *name;
        let mut field = Field::new(name, ty.clone(), true);
        if let Some(t) = schema.and_then(|s| column_text(s, name)) {
            kv.push(KeyValue::new(
                format!("itur:column:{name}"),
                t.description.clone(),
            ));
            kv.push(KeyValue::new(
                format!("itur:hebrew:{name}"),
                t.hebrew.clone(),
            ));
            attrs_columns.insert(
                name.to_string(),
                serde_json::json!({"description": t.description, "hebrew": t.hebrew}),
            );
            field = field.with_metadata(HashMap::from([
                ("description".to_string(), t.description),
                ("hebrew".to_string(), t.hebrew),
            ]));
        }
        fields.push(field);
    }
    if let Some(s) = schema {
        kv.insert(0, KeyValue::new("itur:table".into(), s.name.clone()));
        kv.insert(
            1,
            KeyValue::new("itur:description".into(), s.description.clone()),
        );
        table_meta.insert("table".to_string(), s.name.clone());
        table_meta.insert("description".to_string(), s.description.clone());
        table_meta.insert("hebrew".to_string(), s.hebrew.clone());
        let attrs = serde_json::json!({
            "table": s.name,
            "description": s.description,
            "hebrew": s.hebrew,
            "columns": attrs_columns,
        });
        table_meta.insert("PANDAS_ATTRS".to_string(), attrs.to_string());
    }
    let arrow_schema = Arc::new(Schema::new_with_metadata(fields, table_meta));
    let mut props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(kv));
    // A table's one-column key holds a distinct value per row, where a dictionary only costs:
    // stored PLAIN, a roster's IDs are read straight into their keys (`table::parquet_keys`).
    if let Some([key]) = schema.map(|s| s.key.as_slice()) {
        props = props.set_column_dictionary_enabled(ColumnPath::from(key.as_str()), false);
    }
    // So is a column the schema marks `distinct` (the IDs of a per-student output).
    for (name, _) in columns {
        if schema
            .and_then(|s| s.column_of_file(name))
            .is_some_and(|c| c.distinct)
        {
            props = props.set_column_dictionary_enabled(ColumnPath::from(*name), false);
        }
    }
    (arrow_schema, props.build())
}

/// Serializes `df` as Parquet (zstd) readable by every Arrow implementation, with the table's
/// and its columns' descriptions in the Arrow schema and as key-value pairs (module doc).
///
/// The bytes are those of [`ParquetTable`] handed the frame in batches of `BATCH_ROWS` rows
/// (`ArrowWriter`), but the columns of a row group are encoded side by side over the threads,
/// as [`rows_parquet_bytes`] encodes them.
pub fn parquet_bytes(df: &DataFrame, schema: Option<&TableSchema>) -> Result<Vec<u8>> {
    let types = df
        .columns()
        .iter()
        .map(|c| Ok((c.name().as_str(), arrow_type(c.dtype())?)))
        .collect::<Result<Vec<_>>>()?;
    let series: Vec<&Series> = df
        .columns()
        .iter()
        .map(|c| c.as_materialized_series())
        .collect();
    columns_parquet_bytes(df.height(), &types, schema, |i, start, len| {
        arrow_array(&series[i].slice(start as i64, len))
    })
}

/// A Parquet file written a batch at a time into `W` (a buffer, or a file of the output when
/// a table is streamed: `output::stream`). Handed the batches [`parquet_bytes`] cuts, it writes
/// the same bytes.
pub struct ParquetTable<W: std::io::Write + Send> {
    w: ArrowWriter<W>,
    schema: Arc<Schema>,
}

fn parquet_error(e: parquet::errors::ParquetError) -> Error {
    Error::Job(format!("writing Parquet: {e}"))
}

impl<W: std::io::Write + Send> ParquetTable<W> {
    /// A file with the columns and types of `df` (its rows are not written), described by
    /// `schema`.
    pub fn new(out: W, df: &DataFrame, schema: Option<&TableSchema>) -> Result<Self> {
        let columns = df
            .columns()
            .iter()
            .map(|c| Ok((c.name().as_str(), arrow_type(c.dtype())?)))
            .collect::<Result<Vec<_>>>()?;
        let (arrow_schema, props) = writer_setup(&columns, schema);
        let w =
            ArrowWriter::try_new(out, arrow_schema.clone(), Some(props)).map_err(parquet_error)?;
        Ok(ParquetTable {
            w,
            schema: arrow_schema,
        })
    }

    /// Writes the columns `columns` (Arrow arrays of the file's types, at most 65,536 rows)
    /// as one Arrow batch.
    pub fn write_arrays(&mut self, columns: Vec<ArrayRef>) -> Result<()> {
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| Error::Job(format!("writing Parquet: {e}")))?;
        self.w.write(&batch).map_err(parquet_error)
    }

    /// Writes the footer and gives back the output.
    pub fn finish(self) -> Result<W> {
        self.w.into_inner().map_err(parquet_error)
    }
}

/// How one column of typed rows `R` is read, for [`rows_parquet_bytes`]: a cell of each row.
pub enum Cells<R> {
    /// Text: a `String` column (Arrow `Utf8`).
    Text(fn(&R) -> Option<&str>),
    /// Bytes written as their lowercase hex text (a pseudonym's): a `String` column.
    Hex(fn(&R) -> Option<&[u8]>),
    /// An integer: an `Int64` column.
    Int(fn(&R) -> Option<i64>),
}

/// The lowercase hex digits.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

impl<R> Cells<R> {
    fn arrow_type(&self) -> ArrowType {
        match self {
            Cells::Text(_) | Cells::Hex(_) => ArrowType::Utf8,
            Cells::Int(_) => ArrowType::Int64,
        }
    }

    /// The column of `rows`, as [`arrow_array`] makes it of the frame's column.
    fn array(&self, rows: &[&R]) -> ArrayRef {
        match self {
            Cells::Text(f) => Arc::new(rows.iter().map(|&r| f(r)).collect::<StringArray>()),
            Cells::Int(f) => Arc::new(rows.iter().map(|&r| f(r)).collect::<Int64Array>()),
            Cells::Hex(f) => {
                let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 32);
                let mut text = String::new();
                for &r in rows {
                    match f(r) {
                        Some(bytes) => {
                            text.clear();
                            for &byte in bytes {
                                text.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
                                text.push(char::from(HEX_DIGITS[usize::from(byte & 15)]));
                            }
                            b.append_value(&text);
                        }
                        None => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
        }
    }
}

/// Typed rows written as Parquet without a frame (research-export's national tables): `rows`
/// in the order given, column `columns[i]` named and read as it says. The bytes are those
/// [`parquet_bytes`] writes of the frame with the same columns (`String` for [`Cells::Text`]
/// and [`Cells::Hex`], `Int64` for [`Cells::Int`]) and rows — the same batches of
/// `BATCH_ROWS` rows, the same row groups, the columns of a row group encoded side by side
/// over the threads — but no frame or Arrow batch of the whole table is ever built.
pub fn rows_parquet_bytes<R: Sync>(
    rows: &[&R],
    columns: &[(&str, Cells<R>)],
    schema: Option<&TableSchema>,
) -> Result<Vec<u8>> {
    let types: Vec<(&str, ArrowType)> = columns.iter().map(|(n, c)| (*n, c.arrow_type())).collect();
    columns_parquet_bytes(rows.len(), &types, schema, |i, start, len| {
        Ok(columns[i].1.array(&rows[start..start + len]))
    })
}

/// A table of `height` rows and `columns` (name, Arrow type) as Parquet, `array(i, start, len)`
/// giving rows `start..start + len` of column `i`: what `ArrowWriter` writes of the table's
/// batches of `BATCH_ROWS` rows — the same row groups, each column's batches in the same order —
/// but each row group's columns are encoded side by side over the threads (arrow-rs'
/// `ArrowColumnWriter`s, appended in the columns' order as `ArrowWriter` appends them).
fn columns_parquet_bytes(
    height: usize,
    columns: &[(&str, ArrowType)],
    schema: Option<&TableSchema>,
    array: impl Fn(usize, usize, usize) -> Result<ArrayRef> + Sync,
) -> Result<Vec<u8>> {
    let (arrow_schema, props) = writer_setup(columns, schema);
    // `ArrowWriter` starts a row group every `max_row_group_row_count` rows (no byte limit
    // is set) and writes none for a table without rows.
    let group_rows = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
    let w = ArrowWriter::try_new(Vec::new(), arrow_schema.clone(), Some(props))
        .map_err(parquet_error)?;
    let (mut file, factory) = w.into_serialized_writer().map_err(parquet_error)?;
    for (g, first) in (0..height).step_by(group_rows).enumerate() {
        let end = height.min(first.saturating_add(group_rows));
        let writers = factory.create_column_writers(g).map_err(parquet_error)?;
        let work: Vec<_> = writers
            .into_iter()
            .zip(arrow_schema.fields().iter())
            .enumerate()
            .collect();
        let chunks = work
            .into_par_iter()
            .map(|(i, (mut w, field))| {
                for start in (first..end).step_by(BATCH_ROWS) {
                    let batch = array(i, start, BATCH_ROWS.min(end - start))?;
                    for leaf in compute_leaves(field, &batch).map_err(parquet_error)? {
                        w.write(&leaf).map_err(parquet_error)?;
                    }
                }
                w.close().map_err(parquet_error)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut rg = file.next_row_group().map_err(parquet_error)?;
        for c in chunks {
            c.append_to_row_group(&mut rg).map_err(parquet_error)?;
        }
        rg.close().map_err(parquet_error)?;
    }
    file.into_inner().map_err(parquet_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::parquet_pages::metadata;
    use crate::table::schema;

    /// The column chunks of the first row group of `bytes` that have a dictionary page.
    fn with_dictionary(bytes: &[u8]) -> Vec<String> {
        let meta = metadata(bytes).unwrap();
        (meta.row_group(0).columns().iter())
            .filter(|c| c.dictionary_page_offset().is_some())
            .map(|c| c.column_path().string())
            .collect()
    }

    /// What `ArrowWriter` writes of `df` handed in batches of `BATCH_ROWS` rows.
    fn one_column_after_the_other(df: &DataFrame, schema: Option<&TableSchema>) -> Vec<u8> {
        let mut w = ParquetTable::new(Vec::new(), df, schema).unwrap();
        for start in (0..df.height().max(1)).step_by(BATCH_ROWS) {
            let part = df.slice(start as i64, BATCH_ROWS);
            let columns = (part.columns().iter())
                .map(|c| arrow_array(c.as_materialized_series()))
                .collect::<Result<Vec<_>>>()
                .unwrap();
            w.write_arrays(columns).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn columns_side_by_side_write_the_bytes_of_the_arrow_writer() {
        // Three batches (the last one short), every type a frame is written with, nulls,
        // repeated and distinct text, lists; then the same without rows.
        let n = 2 * BATCH_ROWS + 1_234;
        let text: Vec<Option<String>> = (0..n)
            .map(|i| (i % 7 != 3).then(|| format!("{:09}", i * 7919 % 1_000_003)))
            .collect();
        let code: Vec<&str> = (0..n).map(|i| ["a", "bb", "ccc"][i % 3]).collect();
        let ints: Vec<Option<i64>> = (0..n)
            .map(|i| (i % 5 != 0).then_some(i as i64 - 9))
            .collect();
        let lists: Vec<Series> = (0..n)
            .map(|i| Series::new("".into(), vec!["x"; i % 3]))
            .collect();
        let days: Vec<i32> = (0..n).map(|i| i as i32).collect();
        let columns = vec![
            Column::new("student_id".into(), text.clone()),
            Column::new("meeting_id".into(), text),
            Column::new("authority_id".into(), code),
            Column::new("n".into(), ints),
            Column::new("small".into(), days.clone()),
            Column::new("u".into(), (0..n).map(|i| i as u32).collect::<Vec<_>>()),
            Column::new("big".into(), (0..n).map(|i| i as u64).collect::<Vec<_>>()),
            Column::new(
                "x".into(),
                (0..n).map(|i| i as f64 / 4.0).collect::<Vec<_>>(),
            ),
            Column::new("ok".into(), (0..n).map(|i| i % 2 == 0).collect::<Vec<_>>()),
            Column::new("lists".into(), lists),
            Series::new("day".into(), days)
                .cast(&DataType::Date)
                .unwrap()
                .into(),
            Series::new_null("nothing".into(), n).into(),
        ];
        let df = DataFrame::new(n, columns).unwrap();
        assert_eq!(
            df.column("lists").unwrap().dtype(),
            &DataType::List(Box::new(DataType::String))
        );
        let entitlements = schema::get("entitlements");
        for s in [None, entitlements] {
            for frame in [df.clone(), df.head(Some(0)), df.head(Some(10))] {
                assert_eq!(
                    parquet_bytes(&frame, s).unwrap(),
                    one_column_after_the_other(&frame, s),
                    "{} rows, schema {}",
                    frame.height(),
                    s.is_some()
                );
            }
        }
    }

    #[test]
    fn distinct_columns_are_written_without_a_dictionary() {
        // `entitlements` marks student_id and meeting_id `distinct`; authority_id is not.
        let s = schema::get("entitlements").unwrap();
        assert!(s.column("student_id").unwrap().distinct);
        assert!(!s.column("authority_id").unwrap().distinct);
        let df = df!(
            "student_id" => ["000000018", "000000026", "000000034"],
            "meeting_id" => ["m1", "m2", "m3"],
            "authority_id" => ["a1", "a1", "a2"],
        )
        .unwrap();
        let bytes = parquet_bytes(&df, Some(s)).unwrap();
        assert_eq!(with_dictionary(&bytes), ["authority_id"]);
        // Without the schema every text column gets its dictionary: an encoding only.
        let plain = parquet_bytes(&df, None).unwrap();
        assert_eq!(with_dictionary(&plain).len(), 3);
        // The values read back are the same.
        for b in [&bytes, &plain] {
            let back = ParquetReader::new(std::io::Cursor::new(b.clone()))
                .finish()
                .unwrap();
            assert!(back.equals_missing(&df));
        }
    }
}
