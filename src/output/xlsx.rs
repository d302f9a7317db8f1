//! xlsx for people (issue #17): the tables and lists schools and analysts open by hand, as
//! spreadsheets that keep what a CSV loses in Excel — IDs and class IDs are text cells (leading
//! zeros kept, `790224-3-1` never a date), the sheet reads right to left under Hebrew headers,
//! the header row is frozen and filtered, and each column is as wide as its values.
//!
//! A sheet is built a row at a time ([`XlsxFile`]), as a CSV list is (`CsvFile`), so that the
//! per-school lists need no frame; [`xlsx_bytes`] writes a frame's columns by their types.
//! Text is written as text cells, which a spreadsheet never runs as formulas, so it needs no
//! formula guard. The same rows give the same bytes: the document's creation time is fixed
//! and the archive's entries carry no time.
use super::write::Headers;
use crate::error::{Error, Result};
use crate::table::convert::days_to_date;
use crate::table::schema::TableSchema;
use chrono::Datelike;
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// The narrowest and widest a column is made, in characters.
const WIDTH: (usize, usize) = (6, 60);

fn xlsx_error(e: XlsxError) -> Error {
    Error::Job(format!("writing xlsx: {e}"))
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

/// A one-sheet workbook built a row at a time: a header row, then data rows.
pub struct XlsxFile {
    sheet: Worksheet,
    /// Each column's width so far, in characters.
    widths: Vec<usize>,
    row: u32,
    col: u16,
    date: Format,
}

impl XlsxFile {
    /// A workbook whose one sheet is named `name` (cut to what Excel allows), with `header`
    /// in bold; right to left when the headers are Hebrew.
    pub fn new(name: &str, header: &[&str], headers: Headers) -> Result<Self> {
        let mut sheet = Worksheet::new();
        sheet.set_name(sheet_name(name)).map_err(xlsx_error)?;
        sheet.set_right_to_left(headers == Headers::Hebrew);
        let bold = Format::new().set_bold();
        for (i, h) in header.iter().enumerate() {
            (sheet.write_string_with_format(0, col(i)?, *h, &bold)).map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        Ok(XlsxFile {
            sheet,
            widths: header.iter().map(|h| h.chars().count() + 2).collect(),
            row: 1,
            col: 0,
            date: Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    /// The next cell of the row being written.
    pub fn cell(&mut self, cell: XlsxCell) -> Result<()> {
        let (row, c, ws) = (self.row, self.col, &mut self.sheet);
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
        for (i, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(WIDTH.0, WIDTH.1) as f64;
            self.sheet
                .set_column_width(col(i)?, w)
                .map_err(xlsx_error)?;
        }
        (self.sheet.autofilter(0, 0, self.row - 1, last_col)).map_err(xlsx_error)?;
        let mut book = Workbook::new();
        // A fixed creation time: the bytes do not depend on the clock.
        let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
        book.push_worksheet(self.sheet);
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
    let mut file = XlsxFile::new(sheet, &header, headers)?;
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
