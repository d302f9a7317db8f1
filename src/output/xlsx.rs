//! xlsx for people (issue #17): the tables and lists schools and analysts open by hand, as
//! spreadsheets that keep what a CSV loses in Excel — IDs and class IDs are text cells (leading
//! zeros kept, `790224-3-1` never a date), the sheet reads right to left under Hebrew headers,
//! the header row is frozen and filtered, and each column is as wide as its values.
//!
//! A sheet is built a row at a time ([`XlsxFile`]), as a CSV list is (`CsvFile`), so that the
//! per-school lists need no frame; [`xlsx_bytes`] writes a frame's columns by their types.
//!
//! A sheet of [`STREAMED_FROM`] rows or more (the national tables) is written in
//! rust_xlsxwriter's constant-memory mode: each finished row goes to the sheet's XML at once,
//! into an unnamed scratch file, instead of into a table of every cell, and its text is written
//! inline instead of through a shared-string table. For a sheet of a hundred thousand rows
//! that is about three times less CPU and a flat ~10 MB instead of ~170 MB. A smaller sheet
//! (the thousands of per-school lists) stays in memory: for it the scratch file's disk traffic
//! costs more than the mode saves (BENCHMARKS.md, "The spreadsheets of a national run"). The
//! scratch files are made in the directory that holds `--out` ([`keep_scratch_beside`]), where
//! the run's staging directory is too: no row of a list is written outside the output's place.
//! Text is written as text cells, which a spreadsheet never runs as formulas, so it needs no
//! formula guard. The same rows give the same bytes: the document's creation time is fixed
//! and the archive's entries carry no time.
use super::write::Headers;
use crate::error::{Error, Result};
use crate::table::convert::days_to_date;
use crate::table::schema::TableSchema;
use chrono::Datelike;
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The narrowest and widest a column is made, in characters.
const WIDTH: (usize, usize) = (6, 60);

/// The fewest data rows of a sheet written in constant-memory mode.
pub const STREAMED_FROM: usize = 1_000;

fn xlsx_error(e: XlsxError) -> Error {
    Error::Job(format!("writing xlsx: {e}"))
}

/// Where the sheets' rows wait until their workbook is assembled.
static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

/// Makes the sheets' scratch files in the directory that holds `out`, where the output's
/// staging directory is made too (created, if need be, when the first streamed sheet is
/// begun, after the inputs have been checked). Called once by each command that writes an
/// output directory, before any sheet; later calls keep the first directory. The files are
/// unnamed (`O_TMPFILE`) and gone when their workbook is. Without this call (unit tests), the
/// system's temporary directory is used.
pub fn keep_scratch_beside(out: &Path) {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let _ = SCRATCH.set(dir.to_path_buf());
}

/// One cell of a row being written.
#[derive(Debug, Clone, Copy)]
pub enum XlsxCell<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    Date(chrono::NaiveDate),
    Empty,
}

/// A one-sheet workbook built a row at a time: a header row, then data rows, each row
/// complete before the next.
pub struct XlsxFile {
    book: Workbook,
    /// Each column's width so far, in characters.
    widths: Vec<usize>,
    row: u32,
    col: u16,
    date: Format,
}

impl XlsxFile {
    /// A workbook whose one sheet is named `name` (cut to what Excel allows), with `header`
    /// in bold; right to left when the headers are Hebrew. `rows` is how many data rows will
    /// follow: [`STREAMED_FROM`] or more puts the sheet in constant-memory mode.
    pub fn new(name: &str, header: &[&str], headers: Headers, rows: usize) -> Result<Self> {
        let mut book = Workbook::new();
        let sheet = match rows >= STREAMED_FROM {
            true => {
                if let Some(dir) = SCRATCH.get() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
                    book.set_tempdir(dir).map_err(xlsx_error)?;
                }
                book.add_worksheet_with_constant_memory()
                    .map_err(xlsx_error)?
            }
            false => book.add_worksheet(),
        };
        sheet.set_name(sheet_name(name)).map_err(xlsx_error)?;
        sheet.set_right_to_left(headers == Headers::Hebrew);
        let bold = Format::new().set_bold();
        for (i, h) in header.iter().enumerate() {
            (sheet.write_string_with_format(0, col(i)?, *h, &bold)).map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(XlsxFile {
            book,
            widths: header.iter().map(|h| h.chars().count() + 2).collect(),
            row: 1,
            col: 0,
            date: Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    /// The next cell of the row being written.
    pub fn cell(&mut self, cell: XlsxCell) -> Result<()> {
        let (row, c) = (self.row, self.col);
        let ws = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        let chars = match cell {
            XlsxCell::Text(t) => {
                if !t.is_empty() {
                    ws.write_string(row, c, t).map_err(xlsx_error)?;
                }
                t.chars().count()
            }
            XlsxCell::Number(n) => {
                ws.write_number(row, c, n).map_err(xlsx_error)?;
                n.to_string().len()
            }
            XlsxCell::Bool(b) => {
                ws.write_boolean(row, c, b).map_err(xlsx_error)?;
                5
            }
            XlsxCell::Date(d) => {
                let day = |v: u32| u8::try_from(v).unwrap_or(1);
                let year = u16::try_from(d.year()).map_err(|_| {
                    Error::Job(format!("writing xlsx: date {d} is outside Excel's years"))
                })?;
                let x = ExcelDateTime::from_ymd(year, day(d.month()), day(d.day()))
                    .map_err(xlsx_error)?;
                ws.write_date_with_format(row, c, &x, &self.date)
                    .map_err(xlsx_error)?;
                10
            }
            XlsxCell::Empty => 0,
        };
        if let Some(w) = self.widths.get_mut(usize::from(c)) {
            *w = (*w).max(chars + 2);
        }
        self.col += 1;
        Ok(())
    }

    /// Ends the row being written.
    pub fn end_row(&mut self) {
        self.row += 1;
        self.col = 0;
    }

    /// The workbook's bytes and its number of data rows.
    pub fn finish(mut self) -> Result<(Vec<u8>, usize)> {
        let last_col = col(self.widths.len().saturating_sub(1))?;
        let sheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(WIDTH.0, WIDTH.1) as f64;
            sheet.set_column_width(col(i)?, w).map_err(xlsx_error)?;
        }
        (sheet.autofilter(0, 0, self.row - 1, last_col)).map_err(xlsx_error)?;
        let book = &mut self.book;
        // A fixed creation time: the bytes do not depend on the clock.
        let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
        // The fastest deflate level: a national run writes thousands of small workbooks, most
        // of whose bytes are the same fixed parts (styles, theme), and level 6 spent seconds
        // compressing them a few percent smaller.
        book.set_zip_compression_level(1);
        let bytes = book.save_to_buffer().map_err(xlsx_error)?;
        Ok((bytes, self.row as usize - 1))
    }
}

fn col(i: usize) -> Result<u16> {
    u16::try_from(i).map_err(|_| Error::Job(format!("writing xlsx: too many columns ({i})")))
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters.
fn sheet_name(name: &str) -> String {
    let clean: String = (name.chars())
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    match clean.is_empty() {
        true => "sheet".into(),
        false => clean,
    }
}

/// `df` as a one-sheet workbook named after `table`: each column by its type (text as text,
/// integers and decimals as numbers, dates as dates, booleans as booleans, lists `;`-joined),
/// headers and coded values in Hebrew or English as `headers` says.
pub fn xlsx_bytes(
    df: &DataFrame,
    table: &str,
    schema: Option<&TableSchema>,
    headers: Headers,
) -> Result<(Vec<u8>, usize)> {
    let hebrew = headers == Headers::Hebrew;
    let names: Vec<String> = (df.get_column_names().into_iter())
        .map(
            |n| match (hebrew, schema.and_then(|s| s.column_of_file(n))) {
                (true, Some(c)) => c.text_for(n).1,
                _ => n.to_string(),
            },
        )
        .collect();
    let sheet = match (hebrew, schema) {
        (true, Some(s)) => s.hebrew.as_str(),
        _ => table,
    };
    let header: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut file = XlsxFile::new(sheet, &header, headers, df.height())?;
    let columns: Vec<Series> = (df.columns().iter())
        .map(|c| c.as_materialized_series().rechunk())
        .collect();
    let schemas: Vec<_> = (df.get_column_names().into_iter())
        .map(|n| schema.and_then(|s| s.column_of_file(n)))
        .collect();
    let mut text = String::new();
    for i in 0..df.height() {
        for (s, c) in columns.iter().zip(&schemas) {
            let value = s
                .get(i)
                .map_err(|e| Error::Job(format!("writing xlsx: {e}")))?;
            let cell = match value {
                AnyValue::Null => XlsxCell::Empty,
                AnyValue::Boolean(b) => XlsxCell::Bool(b),
                AnyValue::Date(d) => days_to_date(d).map_or(XlsxCell::Empty, XlsxCell::Date),
                AnyValue::Float64(f) => XlsxCell::Number(f),
                AnyValue::Int64(v) => XlsxCell::Number(v as f64),
                AnyValue::Int32(v) => XlsxCell::Number(f64::from(v)),
                AnyValue::UInt32(v) => XlsxCell::Number(f64::from(v)),
                AnyValue::List(values) => {
                    text.clear();
                    let values = values.str().map_err(|e| Error::Job(e.to_string()))?;
                    for (n, v) in values.iter().flatten().enumerate() {
                        if n > 0 {
                            text.push(';');
                        }
                        text.push_str(v);
                    }
                    XlsxCell::Text(&text)
                }
                AnyValue::String(v) => XlsxCell::Text(v),
                other => {
                    text = other.to_string();
                    XlsxCell::Text(&text)
                }
            };
            match (cell, c) {
                (XlsxCell::Text(t), Some(c)) => {
                    let word = c.value_for(t, hebrew).into_owned();
                    file.cell(XlsxCell::Text(&word))?
                }
                (cell, _) => file.cell(cell)?,
            }
        }
        file.end_row();
    }
    file.finish()
}

#[cfg(test)]
mod tests;
