//! Reading a CSV file as text columns. Nothing is inferred: every column is read as text and
//! converted under the schema afterwards (inference silently loses the leading zeros of IDs).
//! Structural faults of single rows (wrong field count, invalid UTF-8, NUL bytes) reject the
//! row; faults of the whole file (empty, no header, unterminated quote, duplicate header names)
//! are errors naming the file.
use super::read::{header_columns, RawColumns};
use super::reject::{Reject, RejectSet};
use super::schema::TableSchema;
use crate::error::{Error, Result};
use polars::prelude::{IntoSeries, PlSmallStr, StringChunkedBuilder};
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Finds a quoted field that is never closed: returns the 1-based line it starts on.
/// A quote opens a quoted field only at the start of a field (as the CSV reader treats it);
/// `""` inside a quoted field is an escaped quote.
fn unterminated_quote(data: &[u8]) -> Option<usize> {
    let (mut in_quote, mut field_start, mut after_close) = (false, true, false);
    let (mut line, mut opened_on) = (1usize, 0usize);
    for &b in data {
        if b == b'\n' {
            line += 1;
        }
        if in_quote {
            if b == b'"' {
                in_quote = false;
                after_close = true;
            }
            continue;
        }
        match b {
            b'"' if field_start || after_close => {
                if field_start {
                    opened_on = line;
                }
                in_quote = true;
                field_start = false;
                after_close = false;
            }
            b',' | b'\n' => {
                field_start = true;
                after_close = false;
            }
            b'\r' => {}
            _ => {
                field_start = false;
                after_close = false;
            }
        }
    }
    in_quote.then_some(opened_on)
}

fn describe_utf8_error(bytes: &[u8]) -> String {
    let hebrew_1255 = bytes.iter().any(|&b| (0xE0..=0xFA).contains(&b));
    if hebrew_1255 {
        "the text is not valid UTF-8 (the file looks like Windows-1255 Hebrew; save it as UTF-8)"
            .to_string()
    } else {
        "the text is not valid UTF-8; save the file as UTF-8".to_string()
    }
}

/// Reads `data` (the whole file) as CSV under `schema`.
pub fn read_csv(path: &Path, data: &[u8], schema: &TableSchema) -> Result<RawColumns> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(
            path,
            "the file is empty: expected a header row naming the columns",
        ));
    }
    if let Some(line) = unterminated_quote(data) {
        return Err(Error::input(
            path,
            format!("line {line}: a quoted field is never closed (unterminated quote)"),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(Error::input(path, format!("line 1: {e}"))),
        None => return Err(Error::input(path, "the file has no header row")),
    };
    let mut names = Vec::with_capacity(header.len());
    for (i, field) in header.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| {
            Error::input(
                path,
                format!(
                    "line 1, column {}: header name: {}",
                    i + 1,
                    describe_utf8_error(field)
                ),
            )
        })?;
        names.push(name.trim().to_string());
    }
    let layout = header_columns(path, schema, &names)?;

    let n_fields = names.len();
    let mut builders: Vec<Option<StringChunkedBuilder>> = layout
        .positions
        .iter()
        .zip(&schema.columns)
        .map(|(p, c)| p.map(|_| StringChunkedBuilder::new(PlSmallStr::from(c.name.as_str()), 1024)))
        .collect();
    let mut rejects = RejectSet::new(0);
    let mut row = 0usize;
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                return Err(Error::input(
                    path,
                    format!("data row {}: cannot be read as CSV: {e}", row + 1),
                ))
            }
        };
        rejects.rejected.push(false);
        let problem = if record.len() != n_fields {
            Some(Reject::new(
                &schema.name,
                row,
                "",
                record.len().to_string(),
                "field_count",
                format!(
                    "the row has {} fields but the header has {n_fields}",
                    record.len()
                ),
            ))
        } else {
            record.iter().enumerate().find_map(|(i, f)| {
                if f.contains(&0) {
                    Some(Reject::new(
                        &schema.name,
                        row,
                        &names[i],
                        String::from_utf8_lossy(f).replace('\0', "\\0"),
                        "nul_byte",
                        "the value contains a NUL byte",
                    ))
                } else if std::str::from_utf8(f).is_err() {
                    Some(Reject::new(
                        &schema.name,
                        row,
                        &names[i],
                        String::from_utf8_lossy(f).into_owned(),
                        "invalid_utf8",
                        describe_utf8_error(f),
                    ))
                } else {
                    None
                }
            })
        };
        let bad = problem.is_some();
        if let Some(p) = problem {
            rejects.add(p);
        }
        for (b, pos) in builders.iter_mut().zip(&layout.positions) {
            let (Some(b), Some(pos)) = (b.as_mut(), pos) else {
                continue;
            };
            let field = if bad { None } else { record.get(*pos) };
            match field {
                // Checked above: valid UTF-8 when the row is not bad.
                Some(f) if !f.is_empty() => b.append_value(std::str::from_utf8(f).unwrap_or("")),
                _ => b.append_null(),
            }
        }
        row += 1;
    }
    let columns = builders
        .into_iter()
        .map(|b| b.map(|b| b.finish().into_series()))
        .collect();
    Ok(RawColumns {
        height: row,
        columns,
        pre_rejects: rejects,
        warnings: layout.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::unterminated_quote;

    #[test]
    fn finds_unterminated_quotes() {
        assert_eq!(unterminated_quote(b"a,b\n1,2\n"), None);
        assert_eq!(unterminated_quote(b"a,b\n\"1,2\",3\n"), None);
        assert_eq!(unterminated_quote(b"a,b\n\"he said \"\"hi\"\"\",3\n"), None);
        assert_eq!(unterminated_quote(b"a,b\n\"1\n2,3\"\n"), None);
        assert_eq!(unterminated_quote(b"a,b\n1,2\n\"3,4\n5,6\n"), Some(3));
        assert_eq!(unterminated_quote(b"a,b\n1,\"x\n"), Some(2));
    }
}
