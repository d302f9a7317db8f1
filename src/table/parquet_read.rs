//! Reading a Parquet file, guarded: the magic bytes and footer are checked before polars sees
//! the file, and a panic inside the reader becomes an error naming the file.
use super::read::{header_columns, RawColumns};
use super::reject::RejectSet;
use super::schema::{ColType, TableSchema};
use crate::error::{Error, Result};
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
        let height = reader
            .num_rows()
            .map_err(|e| Error::input(path, format!("cannot read the Parquet metadata: {e}")))?;
        if wanted.is_empty() {
            return Ok((DataFrame::empty(), height, layout.warnings));
        }
        let df = reader
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
