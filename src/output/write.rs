//! Writers: a table's files (Parquet through [`super::parquet`]) and CSV (UTF-8 with a BOM so
//! Excel opens Hebrew correctly; headers in English or Hebrew).
use crate::error::{Error, Result};
use crate::table::convert::days_to_date;
use crate::table::schema::{self, TableSchema};
use polars::prelude::*;

/// Column headers of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Headers {
    #[default]
    English,
    Hebrew,
}

/// The language of the files people open (`--headers`): Hebrew unless set.
static PEOPLE_ENGLISH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the language of the headers and coded values of the files people open — every
/// spreadsheet and the per-school, per-track and per-center lists — for this run (`--headers`;
/// Hebrew by default). The analysts' CSV tables and Parquet keep the English names and codes.
pub fn set_people_headers(h: Headers) {
    PEOPLE_ENGLISH.store(h == Headers::English, std::sync::atomic::Ordering::Relaxed);
}

/// The language of the files people open ([`set_people_headers`]).
pub fn people_headers() -> Headers {
    match PEOPLE_ENGLISH.load(std::sync::atomic::Ordering::Relaxed) {
        true => Headers::English,
        false => Headers::Hebrew,
    }
}

/// data-contract.md "Rules that apply everywhere" (the OWASP rule for CSV injection): a text
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
/// spreadsheets, so people-facing CSV files carry it with a leading `'` (Excel shows the text as
/// written). `None` when the cell is safe as it is. Parquet keeps every value as it is.
pub fn formula_guarded(value: &[u8]) -> Option<Vec<u8>> {
    matches!(
        value.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
    .then(|| [b"'".as_slice(), value].concat())
}

/// A column prepared for row-wise CSV formatting.
enum Cells<'a> {
    Str(&'a StringChunked),
    Int(&'a Int64Chunked),
    Int32(&'a Int32Chunked),
    UInt32(&'a UInt32Chunked),
    UInt64(&'a UInt64Chunked),
    Float(&'a Float64Chunked),
    Date(&'a Int32Chunked),
    Bool(&'a BooleanChunked),
    /// A list of text, written as its values joined by `;`.
    List(&'a ListChunked),
    Other(&'a Series),
}

impl Cells<'_> {
    fn write(&self, i: usize, out: &mut String) {
        use std::fmt::Write;
        out.clear();
        match self {
            Cells::Str(c) => out.push_str(c.get(i).unwrap_or("")),
            Cells::Int(c) => c.get(i).map_or((), |v| write!(out, "{v}").unwrap_or(())),
            Cells::Int32(c) => c.get(i).map_or((), |v| write!(out, "{v}").unwrap_or(())),
            Cells::UInt32(c) => c.get(i).map_or((), |v| write!(out, "{v}").unwrap_or(())),
            Cells::UInt64(c) => c.get(i).map_or((), |v| write!(out, "{v}").unwrap_or(())),
            Cells::Float(c) => c.get(i).map_or((), |v| write!(out, "{v}").unwrap_or(())),
            Cells::Date(c) => c
                .get(i)
                .and_then(days_to_date)
                .map_or((), |d| write!(out, "{d}").unwrap_or(())),
            Cells::Bool(c) => c
                .get(i)
                .map_or((), |v| out.push_str(if v { "true" } else { "false" })),
            Cells::List(c) => {
                let values = c.get_as_series(i);
                if let Some(text) = values.as_ref().and_then(|v| v.str().ok()) {
                    for (n, v) in text.iter().flatten().enumerate() {
                        if n > 0 {
                            out.push(';');
                        }
                        out.push_str(v);
                    }
                }
            }
            Cells::Other(s) => match s.get(i) {
                Ok(AnyValue::Null) | Err(_) => {}
                Ok(v) => write!(out, "{v}").unwrap_or(()),
            },
        }
    }
}

/// Serializes `df` as a people-facing CSV with a UTF-8 BOM: text cells guarded against
/// spreadsheet formulas ([`formula_guarded`]). Hebrew headers come from the table's schema.
pub fn csv_bytes(
    df: &DataFrame,
    schema: Option<&TableSchema>,
    headers: Headers,
) -> Result<Vec<u8>> {
    csv_bytes_for(df, schema, headers, true)
}

/// `csv_bytes`, with the formula guard on text cells (`guard`) or every cell as it is.
fn csv_bytes_for(
    df: &DataFrame,
    schema: Option<&TableSchema>,
    headers: Headers,
    guard: bool,
) -> Result<Vec<u8>> {
    let mut file = CsvFile::new(&csv_header(df, schema, headers))?;
    file.frame_rows(df, guard)?;
    Ok(file.finish()?.0)
}

/// The header row of a CSV file of `df`: its column names, or their Hebrew names from the
/// table's schema.
pub fn csv_header(df: &DataFrame, schema: Option<&TableSchema>, headers: Headers) -> Vec<String> {
    df.columns()
        .iter()
        .map(|c| {
            let name = c.name().to_string();
            match (headers, schema.and_then(|t| t.column_of_file(&name))) {
                (Headers::Hebrew, Some(c)) => c.text_for(&name).1,
                _ => name,
            }
        })
        .collect()
}

/// A CSV file built a row at a time, with the bytes `csv_bytes` writes for a frame of the
/// same text (UTF-8 BOM, header row, fields quoted where needed): the per-school lists are
/// thousands of small files, each written without a frame of its own.
pub struct CsvFile<W: std::io::Write = Vec<u8>> {
    w: csv::Writer<W>,
    rows: usize,
}

impl CsvFile {
    pub fn new<S: AsRef<[u8]>>(header: &[S]) -> Result<Self> {
        CsvFile::into(Vec::new(), header)
    }
}

impl<W: std::io::Write> CsvFile<W> {
    /// A CSV file written into `out`: the UTF-8 BOM and the header row first.
    pub fn into<S: AsRef<[u8]>>(mut out: W, header: &[S]) -> Result<Self> {
        out.write_all(b"\xEF\xBB\xBF")
            .map_err(|e| Error::Job(format!("writing CSV: {e}")))?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header).map_err(csv_error)?;
        Ok(CsvFile { w, rows: 0 })
    }

    /// The rows of `df`, each cell written as [`csv_bytes`] writes it (text cells guarded when
    /// `guard`).
    pub fn frame_rows(&mut self, df: &DataFrame, guard: bool) -> Result<()> {
        let mut df = df.clone();
        df.rechunk_mut();
        let series: Vec<&Series> = df
            .columns()
            .iter()
            .map(|c| c.as_materialized_series())
            .collect();
        let cells: Vec<Cells> = series
            .iter()
            .map(|s| match s.dtype() {
                DataType::String => Cells::Str(s.str().expect("str")),
                DataType::Int64 => Cells::Int(s.i64().expect("i64")),
                DataType::Int32 => Cells::Int32(s.i32().expect("i32")),
                DataType::UInt32 => Cells::UInt32(s.u32().expect("u32")),
                DataType::UInt64 => Cells::UInt64(s.u64().expect("u64")),
                DataType::Float64 => Cells::Float(s.f64().expect("f64")),
                DataType::Date => Cells::Date(s.date().expect("date").physical()),
                DataType::Boolean => Cells::Bool(s.bool().expect("bool")),
                DataType::List(_) => Cells::List(s.list().expect("list")),
                _ => Cells::Other(s),
            })
            .collect();
        let mut cell = String::new();
        for i in 0..df.height() {
            for c in &cells {
                c.write(i, &mut cell);
                match c {
                    Cells::Str(_) | Cells::List(_) | Cells::Other(_) if guard => {
                        self.text(cell.as_bytes())?
                    }
                    _ => self.field(cell.as_bytes())?,
                }
            }
            self.end_row()?;
        }
        Ok(())
    }

    /// A row of text cells (each guarded as [`CsvFile::text`]).
    pub fn row(&mut self, fields: &[&str]) -> Result<()> {
        for f in fields {
            self.text(f.as_bytes())?;
        }
        self.end_row()
    }

    /// The next field of the row being written, as it is (numbers, dates, booleans).
    pub fn field(&mut self, value: &[u8]) -> Result<()> {
        self.w.write_field(value).map_err(csv_error)
    }

    /// The next field, a text cell: one that a spreadsheet would run as a formula gets a
    /// leading `'` ([`formula_guarded`]).
    pub fn text(&mut self, value: &[u8]) -> Result<()> {
        match formula_guarded(value) {
            Some(guarded) => self.field(&guarded),
            None => self.field(value),
        }
    }

    /// Ends the row being written.
    pub fn end_row(&mut self) -> Result<()> {
        self.w.write_record(None::<&[u8]>).map_err(csv_error)?;
        self.rows += 1;
        Ok(())
    }

    /// The file's bytes (its output) and its number of rows.
    pub fn finish(self) -> Result<(W, usize)> {
        let rows = self.rows;
        let bytes = self
            .w
            .into_inner()
            .map_err(|e| Error::Job(format!("writing CSV: {}", e.error())))?;
        Ok((bytes, rows))
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Job(format!("writing CSV: {e}"))
}

/// Which files to write for a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formats {
    Parquet,
    /// Parquet, and for people a CSV (English headers and codes, as analysts' scripts read it)
    /// and an xlsx (headers and codes in the language of [`people_headers`]).
    ParquetAndCsv,
    /// Parquet and CSV for programs, no spreadsheet: roster-export's files (fixed by its
    /// contract, read by the owners' systems) and the letters' mail merge (a national run has
    /// hundreds of thousands of letters; schools get the print bundles).
    ParquetAndCsvNoSheet,
    /// Lists for people only (e.g. one file per school).
    CsvOnly,
    /// CSV written as input data for programs (the synthetic nation's tables): every cell as
    /// it is, without the spreadsheet formula guard of the people-facing CSV files.
    CsvData,
}

/// A file to write: path inside the output directory, bytes, and rows when it is a table.
pub type FileBytes = (String, Vec<u8>, Option<usize>);

/// The files of table `rel_stem` (`.parquet` and/or `.csv`), serialized, with their rows.
pub fn table_files(rel_stem: &str, df: &DataFrame, formats: Formats) -> Result<Vec<FileBytes>> {
    table_files_as(rel_stem, None, df, formats)
}

/// [`table_files`] described by the schema `schema_name`, or by that of the stem's last
/// component when `None`.
pub fn table_files_as(
    rel_stem: &str,
    schema_name: Option<&str>,
    df: &DataFrame,
    formats: Formats,
) -> Result<Vec<FileBytes>> {
    let table = rel_stem.rsplit('/').next().unwrap_or(rel_stem);
    let schema = schema::get(schema_name.unwrap_or(table));
    let rows = Some(df.height());
    let parquet = matches!(
        formats,
        Formats::Parquet | Formats::ParquetAndCsv | Formats::ParquetAndCsvNoSheet
    );
    let csv = formats != Formats::Parquet;
    // A table with a CSV for people is one they open by hand: a spreadsheet too.
    let xlsx = matches!(formats, Formats::ParquetAndCsv | Formats::CsvOnly);
    // The formats are serialized side by side: a large table's spreadsheet takes longer than
    // its Parquet and CSV together, and would otherwise be the last file a run waits for.
    let guard = formats != Formats::CsvData;
    let ((parquet, csv), xlsx) = rayon::join(
        || {
            rayon::join(
                || parquet.then(|| super::parquet::parquet_bytes(df, schema)),
                || csv.then(|| csv_bytes_for(df, schema, Headers::English, guard)),
            )
        },
        || xlsx.then(|| super::xlsx::xlsx_bytes(df, table, schema, people_headers())),
    );
    let mut v = Vec::new();
    if let Some(bytes) = parquet {
        v.push((format!("{rel_stem}.parquet"), bytes?, rows));
    }
    if let Some(bytes) = csv {
        v.push((format!("{rel_stem}.csv"), bytes?, rows));
    }
    if let Some(made) = xlsx {
        let (bytes, rows) = made?;
        v.push((format!("{rel_stem}.xlsx"), bytes, Some(rows)));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_a_leading_quote_and_others_stay_as_they_are() {
        for (v, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+972501234567", "'+972501234567"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
        ] {
            assert_eq!(
                formula_guarded(v.as_bytes()).as_deref(),
                Some(want.as_bytes())
            );
        }
        for v in ["", "נועה", "a=b", "050-1234567", "'=x", " =x", "2026-11-20"] {
            assert_eq!(formula_guarded(v.as_bytes()), None, "{v:?}");
        }
    }

    #[test]
    fn text_columns_are_guarded_and_numbers_are_not() {
        let df = df!(
            "name" => ["=1+1", "דנה"],
            "n" => [-5i64, 3],
        )
        .unwrap();
        let bytes = csv_bytes(&df, None, Headers::English).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}name,n\n'=1+1,-5\nדנה,3\n");
        let raw = csv_bytes_for(&df, None, Headers::English, false).unwrap();
        assert_eq!(
            String::from_utf8(raw).unwrap(),
            "\u{feff}name,n\n=1+1,-5\nדנה,3\n",
            "data CSV keeps cells as they are"
        );
        let mut f = CsvFile::new(&["a", "b"]).unwrap();
        f.row(&["@x", "ok"]).unwrap();
        let (bytes, rows) = f.finish().unwrap();
        assert_eq!(rows, 1);
        assert_eq!(String::from_utf8(bytes).unwrap(), "\u{feff}a,b\n'@x,ok\n");
    }
}
