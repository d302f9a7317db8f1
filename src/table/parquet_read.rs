//! Reading a Parquet file, guarded: the magic bytes, footer and page headers are checked before
//! polars decodes the file, a panic inside the reader becomes an error naming the file, and
//! columns that do not hold the footer's row count are refused.
use super::header::{header_columns, RawColumns};
use super::parquet_pages::{metadata, page_reader};
use super::reject::RejectSet;
use super::schema::{ColType, TableSchema};
use crate::error::{Error, Result};
use parquet::basic::Compression;
use parquet::column::page::PageReader;
use polars::prelude::*;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

static GUARDS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Runs `f`, turning a panic into an error naming `path`. While a guard is active the panic
/// message is not printed (it becomes the error's text instead).
pub fn guarded<T>(path: &Path, what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDS.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    GUARDS.fetch_add(1, Ordering::SeqCst);
    let out = catch_unwind(AssertUnwindSafe(f));
    GUARDS.fetch_sub(1, Ordering::SeqCst);
    out.unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("internal error");
        Err(Error::input(
            path,
            format!("{what} failed: the file is corrupt or not supported ({detail})"),
        ))
    })
}

/// Checks the Parquet framing: `PAR1` at both ends and a footer length that fits.
fn check_framing(path: &Path, data: &[u8]) -> Result<()> {
    const MAGIC: &[u8] = b"PAR1";
    if data.is_empty() {
        return Err(Error::input(
            path,
            "the file is empty (0 bytes), not a Parquet file",
        ));
    }
    if data.len() < 12 || &data[..4] != MAGIC {
        return Err(Error::input(
            path,
            "not a Parquet file: it does not start with the PAR1 magic bytes",
        ));
    }
    if &data[data.len() - 4..] != MAGIC {
        return Err(Error::input(
            path,
            "the Parquet file is truncated: it does not end with the PAR1 magic bytes",
        ));
    }
    let n = data.len();
    let footer = u32::from_le_bytes([data[n - 8], data[n - 7], data[n - 6], data[n - 5]]) as usize;
    if footer + 12 > n {
        return Err(Error::input(
            path,
            "the Parquet file is corrupt: its footer length points outside the file",
        ));
    }
    Ok(())
}

/// Checks the row counts of the footer and of every data page header of `data` before polars
/// decodes the file. polars trusts a page's value count: a negative one (a corrupt or crafted
/// file) becomes an allocation of exabytes, which aborts the process instead of failing. Only
/// the page headers are read (through the public `parquet` crate; no page is decompressed),
/// so this costs little beside decoding.
fn check_pages(path: &Path, data: &[u8]) -> Result<()> {
    let corrupt = |what: String| Error::input(path, format!("the Parquet file is corrupt: {what}"));
    let meta = metadata(data)
        .map_err(|e| Error::input(path, format!("cannot read the Parquet metadata: {e}")))?;
    let footer_rows = meta.file_metadata().num_rows();
    let group_rows = meta
        .row_groups()
        .iter()
        .try_fold(0i64, |n, g| n.checked_add(g.num_rows()));
    if footer_rows < 0 || group_rows != Some(footer_rows) {
        return Err(corrupt(format!(
            "its row groups do not hold the {footer_rows} rows its footer counts"
        )));
    }
    for (g, group) in meta.row_groups().iter().enumerate() {
        let Ok(rows) = usize::try_from(group.num_rows()) else {
            return Err(corrupt(format!(
                "row group {} counts {} rows",
                g + 1,
                group.num_rows()
            )));
        };
        for chunk in group.columns() {
            let name = chunk.column_path().string();
            let flat = chunk.column_descr().max_rep_level() == 0;
            let bad_page =
                |e: String| corrupt(format!("column `{name}`, row group {}: {e}", g + 1));
            // Only headers are read (they are never compressed) and no page is decompressed:
            // the chunk is described as uncompressed so that a codec the `parquet` crate is
            // not built with (itur builds in zstd only; polars reads them all) is no error.
            let headers_only = chunk
                .clone()
                .into_builder()
                .set_compression(Compression::UNCOMPRESSED)
                .build()
                .map_err(|e| bad_page(e.to_string()))?;
            let mut pages =
                page_reader(data, &headers_only, rows).map_err(|e| bad_page(e.to_string()))?;
            while let Some(page) = pages
                .peek_next_page()
                .map_err(|e| bad_page(e.to_string()))?
            {
                // A count read as a negative i32 comes out as a huge usize.
                let values = page.num_levels.unwrap_or(0);
                let page_rows = page.num_rows.unwrap_or(0);
                if (flat && values > rows) || page_rows > rows {
                    return Err(bad_page(format!(
                        "a data page counts {} values in a row group of {rows} rows",
                        values as i64 as i32
                    )));
                }
                pages
                    .skip_next_page()
                    .map_err(|e| bad_page(e.to_string()))?;
            }
        }
    }
    Ok(())
}

/// Whether a Parquet column of `dtype` can feed a schema column of type `ty` directly
/// (text columns are always accepted and converted like CSV text).
fn compatible(dtype: &DataType, ty: ColType) -> bool {
    match ty {
        ColType::Str | ColType::Enum => {
            dtype.is_string() || dtype.is_categorical() || dtype.is_enum()
        }
        ColType::Int => dtype.is_integer() || dtype.is_string(),
        ColType::Float => dtype.is_primitive_numeric() || dtype.is_string(),
        ColType::Date => matches!(dtype, DataType::Date) || dtype.is_string(),
        ColType::Bool => matches!(dtype, DataType::Boolean) || dtype.is_string(),
        // Read back as its `;`-joined text.
        ColType::List => dtype.is_string(),
    }
}

pub fn read_parquet(path: &Path, data: &[u8], schema: &TableSchema) -> Result<RawColumns> {
    read_parquet_columns(path, data, schema, None)
}

/// Reads the schema columns `only` (indices into `schema.columns`; all when `None`); the
/// others are `None`. The file's framing and header are checked every time; `height` is the
/// file's row count even when no column is read.
pub fn read_parquet_columns(
    path: &Path,
    data: &[u8],
    schema: &TableSchema,
    only: Option<&[usize]>,
) -> Result<RawColumns> {
    check_framing(path, data)?;
    guarded(path, "reading the Parquet file's page headers", || {
        check_pages(path, data)
    })?;
    read_checked_columns(path, data, schema, only, None)
}

/// Reads schema column `ci` of a file [`read_parquet_columns`] has already read (so its
/// framing and page headers were checked then): a table read a column at a time.
pub fn read_parquet_column(
    path: &Path,
    data: &[u8],
    schema: &TableSchema,
    ci: usize,
) -> Result<Option<Series>> {
    let mut raw = read_checked_columns(path, data, schema, Some(&[ci]), None)?;
    Ok(raw.columns[ci].take())
}

/// Rows a column is decoded in at least, when it is decoded in parts ([`row_parts`]).
const PART_ROWS: usize = 256 * 1024;

/// The parts (first row, rows) a column of the Parquet file `data` is decoded in, one after
/// the other, so that a whole column of millions of rows is never decoded at once: its row
/// groups, consecutive groups of fewer than 262,144 rows taken together. `None` when the file
/// has at most one part (or its footer cannot be read: the whole read reports it).
pub fn row_parts(data: &[u8]) -> Option<Vec<(usize, usize)>> {
    let meta = metadata(data).ok()?;
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut first = 0usize;
    for g in meta.row_groups() {
        let rows = usize::try_from(g.num_rows()).ok()?;
        match parts.last_mut() {
            Some(last) if last.1 < PART_ROWS => last.1 += rows,
            _ => parts.push((first, rows)),
        }
        first += rows;
    }
    (parts.len() > 1).then_some(parts)
}

/// Rows `part` (first row, rows) of schema column `ci` of a file [`read_parquet_columns`] has
/// already read, as [`read_parquet_column`] reads the whole column.
pub fn read_parquet_column_part(
    path: &Path,
    data: &[u8],
    schema: &TableSchema,
    ci: usize,
    part: (usize, usize),
) -> Result<Option<Series>> {
    let mut raw = read_checked_columns(path, data, schema, Some(&[ci]), Some(part))?;
    Ok(raw.columns[ci].take())
}

/// [`read_parquet_columns`] once the framing and page headers are checked.
fn read_checked_columns(
    path: &Path,
    data: &[u8],
    schema: &TableSchema,
    only: Option<&[usize]>,
    part: Option<(usize, usize)>,
) -> Result<RawColumns> {
    let df = guarded(path, "reading the Parquet file", || {
        let mut reader = ParquetReader::new(Cursor::new(data));
        let file_schema = reader
            .schema()
            .map_err(|e| Error::input(path, format!("cannot read the Parquet schema: {e}")))?;
        let names: Vec<String> = file_schema.iter_names().map(|n| n.to_string()).collect();
        let layout = header_columns(path, schema, &names)?;
        let wanted: Vec<String> = layout
            .positions
            .iter()
            .zip(&schema.columns)
            .enumerate()
            .filter(|(i, (p, _))| p.is_some() && only.is_none_or(|o| o.contains(i)))
            .map(|(_, (_, c))| c.name.clone())
            .collect();
        let rows = reader
            .num_rows()
            .map_err(|e| Error::input(path, format!("cannot read the Parquet metadata: {e}")))?;
        let height = part.map_or(rows, |(first, n)| n.min(rows.saturating_sub(first)));
        if wanted.is_empty() {
            return Ok((DataFrame::empty(), height, layout.warnings));
        }
        let df = reader
            .with_slice(part)
            .with_columns(Some(wanted))
            .finish()
            .map_err(|e| Error::input(path, format!("cannot read the Parquet data: {e}")))?;
        Ok((df, height, layout.warnings))
    })?;
    let (df, height, warnings) = df;
    let mut columns = Vec::with_capacity(schema.columns.len());
    for c in &schema.columns {
        let Ok(col) = df.column(&c.name) else {
            columns.push(None);
            continue;
        };
        let s = col.as_materialized_series().clone();
        if s.len() != height {
            return Err(Error::input(
                path,
                format!(
                    "the Parquet file is corrupt: its footer counts {height} rows but column `{}` holds {}",
                    c.name,
                    s.len()
                ),
            ));
        }
        if !compatible(s.dtype(), c.ty) {
            return Err(Error::input(
                path,
                format!(
                    "column `{}` has Parquet type {}, but the schema says {} ({})",
                    c.name,
                    s.dtype(),
                    c.ty.name(),
                    if c.ty == ColType::Str {
                        "store it as text so leading zeros are kept"
                    } else {
                        "store it as that type or as text"
                    }
                ),
            ));
        }
        let s = if s.dtype().is_categorical() || s.dtype().is_enum() {
            s.cast(&DataType::String)
                .map_err(|e| Error::input(path, format!("column `{}`: {e}", c.name)))?
        } else {
            s
        };
        columns.push(Some(s));
    }
    Ok(RawColumns {
        height,
        columns,
        pre_rejects: RejectSet::new(height),
        warnings,
    })
}

/// Reads a whole Parquet file as polars reads it, every column with the file's types, after
/// the same checks of framing and page headers as [`read_parquet_columns`] (an itur output
/// read back whole: research-export's `confidential/results`, whose per-subtest columns a
/// schema does not name one by one).
pub fn read_whole(path: &Path) -> Result<DataFrame> {
    let data =
        std::fs::read(path).map_err(|e| Error::input(path, format!("cannot be read: {e}")))?;
    check_framing(path, &data)?;
    guarded(path, "reading the Parquet file's page headers", || {
        check_pages(path, &data)
    })?;
    guarded(path, "reading the Parquet file", || {
        ParquetReader::new(Cursor::new(&data[..]))
            .finish()
            .map_err(|e| Error::input(path, format!("cannot read the Parquet data: {e}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::schema;

    /// `institutions` of three rows, every column text, written uncompressed.
    fn institutions_parquet() -> Vec<u8> {
        let sch = schema::get("institutions").unwrap();
        let columns: Vec<Column> = sch
            .columns
            .iter()
            .map(|c| Column::new(c.name.as_str().into(), ["a", "b", "c"]))
            .collect();
        let mut df = DataFrame::new(3, columns).unwrap();
        let mut buf = Vec::new();
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut df)
            .unwrap();
        buf
    }

    /// `data` with every `from` replaced by `to` (same length); how many there were.
    fn patch(data: &mut [u8], from: &[u8], to: &[u8]) -> usize {
        let mut n = 0;
        let mut i = 0;
        while i + from.len() <= data.len() {
            if &data[i..i + from.len()] == from {
                data[i..i + from.len()].copy_from_slice(to);
                n += 1;
                i += from.len();
            } else {
                i += 1;
            }
        }
        n
    }

    #[test]
    fn every_codec_polars_writes_is_read() {
        let sch = schema::get("institutions").unwrap();
        let path = Path::new("institutions.parquet");
        let codecs = [
            ParquetCompression::Uncompressed,
            ParquetCompression::Snappy,
            ParquetCompression::Gzip(None),
            ParquetCompression::Lz4Raw,
            ParquetCompression::Zstd(None),
            ParquetCompression::Brotli(None),
        ];
        for codec in codecs {
            let columns: Vec<Column> = sch
                .columns
                .iter()
                .map(|c| Column::new(c.name.as_str().into(), ["a", "b", "c"]))
                .collect();
            let mut df = DataFrame::new(3, columns).unwrap();
            let mut data = Vec::new();
            ParquetWriter::new(&mut data)
                .with_compression(codec)
                .finish(&mut df)
                .unwrap();
            let read = read_parquet(path, &data, sch);
            assert!(read.is_ok(), "{codec:?}: {:?}", read.err());
            assert_eq!(read.unwrap().height, 3, "{codec:?}");
        }
    }

    #[test]
    fn a_negative_page_value_count_is_an_error_not_an_abort() {
        let sch = schema::get("institutions").unwrap();
        let path = Path::new("institutions.parquet");
        let mut data = institutions_parquet();
        assert!(read_parquet(path, &data, sch).is_ok());
        // Thrift compact: data_page_header (field 5, a struct: 0x2C after field 3), its
        // num_values (field 1, i32: 0x15) = zigzag 3 (0x06), made -2 (0x03).
        let patched = patch(&mut data, &[0x2C, 0x15, 0x06], &[0x2C, 0x15, 0x03]);
        assert!(patched > 0, "no data page header found");
        let err = read_parquet(path, &data, sch)
            .err()
            .expect("a corrupt page is an error")
            .to_string();
        assert!(
            err.contains("the Parquet file is corrupt") && err.contains("-2 values"),
            "{err}"
        );
    }
}
