//! Reading a CSV file as text columns. Nothing is inferred: every column is read as text and
//! converted under the schema afterwards (inference silently loses the leading zeros of IDs).
//! Structural faults of single rows (wrong field count, invalid UTF-8, NUL bytes) reject the
//! row; faults of the whole file (empty, no header, unterminated quote, duplicate header names)
//! are errors naming the file.
use super::header::{header_columns, RawColumns};
use super::reject::{Reject, RejectSet};
use super::schema::TableSchema;
use crate::error::{Error, Result};
use polars::prelude::{IntoSeries, PlSmallStr, Series, StringChunkedBuilder};
use std::path::Path;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Scans the records of `data`: the byte offsets where they can be split into chunks of about
/// `target` bytes (line ends outside quoted fields), or `Err(offset)` of a quoted field that is
/// never closed. A quote opens a quoted field only at the start of a field, as the CSV reader
/// treats it; `""` inside a quoted field is an escaped quote. Jumps between quotes and line
/// ends with memchr, so a file of hundreds of megabytes takes a fraction of a second.
fn scan_records(data: &[u8], target: usize) -> std::result::Result<Vec<usize>, usize> {
    let mut starts = vec![0];
    let mut next = target;
    let mut pos = 0;
    let mut last_close: Option<usize> = None;
    while let Some(off) = memchr::memchr2(b'"', b'\n', &data[pos..]) {
        let i = pos + off;
        if data[i] == b'\n' {
            if i + 1 >= next && i + 1 < data.len() {
                starts.push(i + 1);
                next = i + 1 + target;
            }
            pos = i + 1;
            continue;
        }
        let opens =
            i == 0 || matches!(data[i - 1], b',' | b'\n' | b'\r') || last_close == Some(i - 1);
        if !opens {
            pos = i + 1;
            continue;
        }
        match memchr::memchr(b'"', &data[i + 1..]) {
            Some(off) => {
                let close = i + 1 + off;
                last_close = Some(close);
                pos = close + 1;
            }
            None => return Err(i),
        }
    }
    Ok(starts)
}

/// The 1-based line a quoted field that is never closed starts on.
fn unterminated_quote(data: &[u8]) -> Option<usize> {
    scan_records(data, usize::MAX)
        .err()
        .map(|open| 1 + memchr::memchr_iter(b'\n', &data[..open]).count())
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

/// A file saved in Windows-1255 (Excel's plain "CSV" on a Hebrew system): its Hebrew letters
/// are the bytes 0xE0–0xFA, which are not UTF-8. The encoding is the file's, so it is one
/// file-level error, not a reject per Hebrew row (and a cascade of reference rejects in the
/// tables that point at those rows). Other invalid bytes stay row rejects.
fn legacy_hebrew_encoding(data: &[u8]) -> Option<String> {
    let e = std::str::from_utf8(data).err()?;
    let at = e.valid_up_to();
    if !(0xE0..=0xFA).contains(&data[at]) {
        return None;
    }
    let line = 1 + memchr::memchr_iter(b'\n', &data[..at]).count();
    Some(format!(
        "line {line}: the text is not UTF-8; the file looks like Windows-1255 Hebrew (Excel's plain \"CSV\"): save it as \"CSV UTF-8\" and run again"
    ))
}

/// What a file that is not CSV text is, from its first bytes, as a sentence saying what to do:
/// compressed files, archives (an `.xlsx` workbook is a zip), Parquet, UTF-16 text, and other
/// binary data (a NUL byte in the first line). `None` when it may be CSV text. Without this a
/// gzip or zip file would be called "Windows-1255" (its bytes are not UTF-8).
fn not_csv_text(data: &[u8], table: &str) -> Option<String> {
    const KINDS: &[(&[u8], &str)] = &[
        (b"\x1f\x8b", "is gzip-compressed, not CSV text; decompress it (gunzip)"),
        (b"PK\x03\x04", "is a zip archive (an .xlsx workbook?), not CSV text; save it as CSV UTF-8, or unzip it"),
        (b"PK\x05\x06", "is a zip archive (an empty one), not CSV text; save the table as CSV UTF-8"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "is a legacy Excel workbook (.xls), not CSV text; save it as CSV UTF-8"),
        (b"BZh", "is bzip2-compressed, not CSV text; decompress it (bunzip2)"),
        (b"\xFD7zXZ\x00", "is xz-compressed, not CSV text; decompress it (unxz)"),
        (b"\x28\xB5\x2F\xFD", "is zstd-compressed, not CSV text; decompress it (unzstd)"),
        (b"7z\xBC\xAF\x27\x1C", "is a 7-Zip archive, not CSV text; extract it"),
        (b"%PDF-", "is a PDF document, not CSV text; export the table as CSV UTF-8"),
        (b"\xFF\xFE", "is UTF-16 text; save it as CSV UTF-8"),
        (b"\xFE\xFF", "is UTF-16 text; save it as CSV UTF-8"),
    ];
    if data.starts_with(b"PAR1") {
        return Some(format!(
            "the file is a Parquet file, not CSV text; name it {table}.parquet"
        ));
    }
    if let Some((_, what)) = KINDS.iter().find(|(magic, _)| data.starts_with(magic)) {
        return Some(format!("the file {what}"));
    }
    let first_line = &data[..memchr::memchr(b'\n', data).unwrap_or(data.len())];
    if first_line.contains(&0) {
        return Some(
            "the file is binary data, not CSV text (its first line holds NUL bytes); save the table as CSV UTF-8".into(),
        );
    }
    None
}

/// The columns and rejects of one chunk of records (rows numbered from 0 within the chunk).
struct Chunk {
    rows: usize,
    columns: Vec<Option<Series>>,
    rejects: Vec<Reject>,
}

/// Parses one chunk of data records. An unreadable record is `Err((row in chunk, message))`.
fn parse_chunk(
    data: &[u8],
    schema: &TableSchema,
    names: &[String],
    positions: &[Option<usize>],
) -> std::result::Result<Chunk, (usize, String)> {
    let n_fields = names.len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut builders: Vec<Option<StringChunkedBuilder>> = positions
        .iter()
        .zip(&schema.columns)
        .map(|(p, c)| p.map(|_| StringChunkedBuilder::new(PlSmallStr::from(c.name.as_str()), 1024)))
        .collect();
    let mut rejects = Vec::new();
    let mut row = 0usize;
    for record in reader.byte_records() {
        let record = record.map_err(|e| (row, e.to_string()))?;
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
        rejects.extend(problem);
        for (b, pos) in builders.iter_mut().zip(positions) {
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
    Ok(Chunk {
        rows: row,
        columns: builders
            .into_iter()
            .map(|b| b.map(|b| b.finish().into_series()))
            .collect(),
        rejects,
    })
}

/// Chunks of about this many bytes are parsed in parallel.
const CHUNK_BYTES: usize = 8 << 20;

/// Reads `data` (the whole file) as CSV under `schema`.
pub fn read_csv(path: &Path, data: &[u8], schema: &TableSchema) -> Result<RawColumns> {
    read_csv_chunked(path, data, schema, CHUNK_BYTES)
}

fn read_csv_chunked(
    path: &Path,
    data: &[u8],
    schema: &TableSchema,
    chunk_bytes: usize,
) -> Result<RawColumns> {
    use rayon::prelude::*;
    if let Some(what) = not_csv_text(data, &schema.name) {
        return Err(Error::input(path, what));
    }
    let data = data.strip_prefix(BOM).unwrap_or(data);
    if let Some(what) = legacy_hebrew_encoding(data) {
        return Err(Error::input(path, what));
    }
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(
            path,
            "the file is empty: expected a header row naming the columns",
        ));
    }
    let record_starts = match scan_records(data, chunk_bytes.max(1)) {
        Ok(starts) => starts,
        Err(_) => {
            let line = unterminated_quote(data).unwrap_or(0);
            return Err(Error::input(
                path,
                format!("line {line}: a quoted field is never closed (unterminated quote)"),
            ));
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(Error::input(path, "the file has no header row")),
        Err(e) => return Err(Error::input(path, format!("line 1: {e}"))),
    }
    let body_start = (reader.position().byte() as usize).min(data.len());
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

    let body = &data[body_start..];
    let mut starts = vec![0];
    starts.extend(
        record_starts
            .into_iter()
            .filter(|&s| s > body_start)
            .map(|s| s - body_start),
    );
    let bounds: Vec<(usize, usize)> = starts
        .iter()
        .zip(starts.iter().skip(1).chain(std::iter::once(&body.len())))
        .map(|(&a, &b)| (a, b))
        .collect();
    let chunks: Vec<std::result::Result<Chunk, (usize, String)>> = bounds
        .par_iter()
        .map(|&(a, b)| parse_chunk(&body[a..b], schema, &names, &layout.positions))
        .collect();

    let mut height = 0usize;
    let mut columns: Vec<Option<Series>> = vec![None; schema.columns.len()];
    let mut rejects = RejectSet::new(0);
    for chunk in chunks {
        let chunk = chunk.map_err(|(row, e)| {
            Error::input(
                path,
                format!("data row {}: cannot be read as CSV: {e}", height + row + 1),
            )
        })?;
        rejects.rejected.resize(height + chunk.rows, false);
        for mut r in chunk.rejects {
            r.row_number += height as u64;
            rejects.add(r);
        }
        for (acc, s) in columns.iter_mut().zip(chunk.columns) {
            match (acc.as_mut(), s) {
                (Some(acc), Some(s)) => {
                    acc.append(&s)
                        .map_err(|e| Error::Job(format!("joining CSV chunks: {e}")))?;
                }
                (None, Some(s)) => *acc = Some(s),
                _ => {}
            }
        }
        height += chunk.rows;
    }
    Ok(RawColumns {
        height,
        columns,
        pre_rejects: rejects,
        warnings: layout.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::unterminated_quote;

    #[test]
    fn chunked_parsing_gives_the_same_table() {
        use crate::table::schema;
        let sch = schema::get("contacts").unwrap();
        let mut text = String::from("\u{feff}student_id,contact_id,first_name,last_name,relation,is_legal_guardian,lives_with_student\n");
        for i in 0..500 {
            // Quoted fields with commas and line breaks, a ragged row and a NUL byte.
            let name = if i % 7 == 0 {
                "\"רחל, \nכהן\"".to_string()
            } else {
                format!("n{i}")
            };
            let extra = if i == 123 { ",x" } else { "" };
            let nul = if i == 321 { "\0" } else { "" };
            text.push_str(&format!(
                "01000001{},02000001{i},{name},L{nul},mother,true,false{extra}\r\n",
                i % 10
            ));
        }
        let path = std::path::Path::new("contacts.csv");
        let whole = super::read_csv_chunked(path, text.as_bytes(), sch, usize::MAX).unwrap();
        for size in [1, 64, 1000, 4096] {
            let parts = super::read_csv_chunked(path, text.as_bytes(), sch, size).unwrap();
            assert_eq!(parts.height, whole.height, "chunk size {size}");
            assert_eq!(
                parts.pre_rejects.rejects, whole.pre_rejects.rejects,
                "chunk size {size}"
            );
            assert_eq!(parts.pre_rejects.rejected, whole.pre_rejects.rejected);
            for (a, b) in parts.columns.iter().zip(&whole.columns) {
                match (a, b) {
                    (Some(a), Some(b)) => assert!(
                        a.equals_missing(b),
                        "chunk size {size}: {} differs",
                        a.name()
                    ),
                    (None, None) => {}
                    _ => panic!("chunk size {size}: a column is missing"),
                }
            }
        }
        assert_eq!(whole.height, 500);
        assert_eq!(whole.pre_rejects.rejects.len(), 2);
    }

    #[test]
    fn names_binary_files_instead_of_reading_them() {
        use super::not_csv_text;
        let said = |data: &[u8]| not_csv_text(data, "students").unwrap_or_default();
        assert!(said(b"\x1f\x8b\x08\x00\xe0\xe1").contains("is gzip-compressed, not CSV text"));
        assert!(said(b"PK\x03\x04\x14\x00").contains("zip archive (an .xlsx workbook?)"));
        assert!(said(b"PAR1\x15\x04").contains("name it students.parquet"));
        assert!(said(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").contains(".xls"));
        assert!(said(b"\xFF\xFEs\x00").contains("UTF-16"));
        assert!(said(b"\x7fELF\x02\x01\x01\x00\n").contains("binary data"));
        // Text, even with a NUL byte in a data row (that row is rejected) or Windows-1255
        // bytes, is read as CSV.
        assert_eq!(not_csv_text(b"a,b\n1,\x00\n", "t"), None);
        assert_eq!(not_csv_text(b"a,b\n1,\xe0\xf9\n", "t"), None);
        assert_eq!(not_csv_text(b"\xEF\xBB\xBFa,b\n", "t"), None);
        assert_eq!(not_csv_text(b"", "t"), None);
    }

    #[test]
    fn a_windows_1255_file_is_one_error_a_stray_byte_a_row_reject() {
        use super::legacy_hebrew_encoding as legacy;
        // "כהן" in Windows-1255 on line 3.
        let e = legacy(b"a,b\n1,x\n2,\xeb\xe4\xef\n").unwrap();
        assert!(
            e.starts_with("line 3: the text is not UTF-8; the file looks like Windows-1255"),
            "{e}"
        );
        // UTF-8 Hebrew, and other invalid bytes, are not this file-level error.
        assert_eq!(legacy("a,b\n1,כהן\n".as_bytes()), None);
        assert_eq!(legacy(b"a,b\n1,\x80x\n"), None);
        // The last byte before 0xE0 and the first after 0xFA.
        assert_eq!(legacy(b"a\n\xdf"), None);
        assert!(legacy(b"a\n\xe0").is_some());
        assert!(legacy(b"a\n\xfa").is_some());
        assert_eq!(legacy(b"a\n\xfb"), None);
    }

    #[test]
    fn a_header_with_semicolons_or_tabs_says_so() {
        use crate::table::schema;
        let sch = schema::get("institutions").unwrap();
        let path = std::path::Path::new("institutions.csv");
        let said = |text: &str| match super::read_csv(path, text.as_bytes(), sch) {
            Err(e) => e.to_string(),
            Ok(_) => String::new(),
        };
        let semi = said("institution_id;name;authority_id\n1;a;2\n");
        assert!(
            semi.contains(
                "the header looks semicolon-separated; save the file as comma-separated CSV"
            ),
            "{semi}"
        );
        let tab = said("institution_id\tname\tauthority_id\n1\ta\t2\n");
        assert!(tab.contains("the header looks tab-separated"), "{tab}");
        // A comma-separated header missing a column still lists what is missing.
        let missing = said("institution_id,name\n1,a\n");
        assert!(missing.contains("missing"), "{missing}");
    }

    proptest::proptest! {
        /// Split points are found by a scan of quotes and line ends, not by the CSV reader:
        /// wherever the two could disagree (quotes mid-field, `""`, lone CRs, line breaks in
        /// quoted fields), a body read in chunks of any size is the body read whole.
        #[test]
        fn any_chunk_size_reads_the_same_body(
            body in proptest::collection::vec(
                proptest::sample::select(vec!["a", "7", ",", "\"", "\"\"", "\n", "\r", "\r\n", "\u{5d0}", " "]),
                0..120,
            ),
            size in 1usize..40,
        ) {
            use crate::table::schema;
            let sch = schema::get("contacts").unwrap();
            let text = format!(
                "student_id,contact_id,first_name,last_name,relation,is_legal_guardian,lives_with_student\n{}",
                body.concat()
            );
            let path = std::path::Path::new("contacts.csv");
            let whole = super::read_csv_chunked(path, text.as_bytes(), sch, usize::MAX);
            let parts = super::read_csv_chunked(path, text.as_bytes(), sch, size);
            match (whole, parts) {
                (Ok(whole), Ok(parts)) => {
                    proptest::prop_assert_eq!(parts.height, whole.height);
                    proptest::prop_assert_eq!(&parts.pre_rejects.rejects, &whole.pre_rejects.rejects);
                    for (a, b) in parts.columns.iter().zip(&whole.columns) {
                        let same = match (a, b) {
                            (Some(a), Some(b)) => a.equals_missing(b),
                            (None, None) => true,
                            _ => false,
                        };
                        proptest::prop_assert!(same, "a column differs");
                    }
                }
                (Err(a), Err(b)) => proptest::prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => proptest::prop_assert!(
                    false,
                    "whole: {:?}, in chunks: {:?}",
                    a.map(|r| r.height),
                    b.map(|r| r.height)
                ),
            }
        }
    }

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
