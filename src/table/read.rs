//! Finding and reading an input table's file (`<table>.parquet` or `<table>.csv`).
use super::header::RawColumns;
use super::schema::TableSchema;
use super::{csv_read, parquet_read};
use crate::error::{Error, Result};
use polars::prelude::Series;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

/// The file an input table was read from, for the manifest.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub table: String,
    pub path: PathBuf,
    pub format: Format,
    pub bytes: u64,
    pub sha256: String,
}

/// A table as read from its file, before conversion and validation.
pub struct RawTable {
    pub schema: &'static TableSchema,
    pub source: SourceFile,
    pub raw: RawColumns,
    /// A Parquet file whose columns are read one at a time ([`open_table`]): its bytes, and
    /// `raw.columns` all `None` until a column is read ([`RawTable::column`]).
    pub parquet: Option<Vec<u8>>,
}

impl RawTable {
    /// Schema column `ci` as read (`None` when an optional column is absent): from `raw`, or
    /// read from the Parquet file now when its columns are read one at a time.
    pub fn column(&self, ci: usize) -> Result<Option<Series>> {
        match &self.parquet {
            Some(data) => {
                parquet_read::read_parquet_column(&self.source.path, data, self.schema, ci)
            }
            None => Ok(self.raw.columns[ci].clone()),
        }
    }

    /// `f` of schema column `ci` in parts of rows, side by side, in row order: each part's
    /// first row and row count, and its rows of the column (`None` when an optional column is absent). A
    /// Parquet file read a column at a time is decoded a part (about a row group) at a time,
    /// so a column of millions of rows is never whole in memory; any other table has one
    /// part, the whole column.
    pub fn column_parts<T: Send>(
        &self,
        ci: usize,
        f: impl Fn((usize, usize), Option<Series>) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        use rayon::prelude::*;
        let whole = (0, self.raw.height);
        let Some(data) = &self.parquet else {
            return Ok(vec![f(whole, self.column(ci)?)?]);
        };
        // Parts that do not cover the file's rows exactly (a footer whose row groups disagree
        // with its row count) are not used: the whole read reports the file.
        let parts = parquet_read::row_parts(data)
            .filter(|p| p.last().map(|&(first, rows)| first + rows) == Some(self.raw.height));
        let Some(parts) = parts else {
            return Ok(vec![f(whole, self.column(ci)?)?]);
        };
        parts
            .par_iter()
            .map(|&part| {
                let s = parquet_read::read_parquet_column_part(
                    &self.source.path,
                    data,
                    self.schema,
                    ci,
                    part,
                )?;
                f(part, s)
            })
            .collect()
    }

    /// The table with every column read.
    pub fn whole(mut self) -> Result<RawTable> {
        if self.parquet.is_some() {
            self.raw.columns = (0..self.schema.columns.len())
                .map(|ci| self.column(ci))
                .collect::<Result<_>>()?;
            self.parquet = None;
        }
        Ok(self)
    }
}

/// What `path` is when it exists but cannot be read as a table's file, as the end of a
/// sentence naming it; `None` for a regular file (or a symbolic link to one).
fn not_a_file(path: &Path) -> Result<Option<String>> {
    use std::io::ErrorKind;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Some(
            "is a symbolic link that loops (it leads back to itself); point it at the table's file"
                .into(),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let target = std::fs::read_link(path).unwrap_or_default();
            return Ok(Some(format!(
                "is a symbolic link to {}, which does not exist",
                target.display()
            )));
        }
        Err(e) => return Err(Error::io(format!("checking {}", path.display()), e)),
    };
    let ty = meta.file_type();
    if ty.is_file() {
        return Ok(None);
    }
    Ok(Some(if ty.is_dir() {
        "is a directory, not a file".to_string()
    } else {
        format!("is {}, not a regular file", special_file_kind(&ty))
    }))
}

#[cfg(unix)]
fn special_file_kind(ty: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ty.is_fifo() {
        "a FIFO (named pipe)"
    } else if ty.is_socket() {
        "a socket"
    } else if ty.is_char_device() {
        "a character device"
    } else if ty.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_file_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Whether `path` is there at all (a dangling or looping symbolic link is).
fn exists(path: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(format!("checking {}", path.display()), e)),
    }
}

/// Finds the file of `table` in `dir`. Both a Parquet and a CSV file is an error (which one
/// is meant?); neither is `Ok(None)`. A directory, FIFO, device or broken symbolic link under
/// a table's file name is a usage error naming it (never opened: opening a FIFO would wait for
/// a writer), so that it is not reported as missing.
pub fn find_table_file(dir: &Path, table: &str) -> Result<Option<(PathBuf, Format)>> {
    let parquet = dir.join(format!("{table}.parquet"));
    let csv = dir.join(format!("{table}.csv"));
    for path in [&parquet, &csv] {
        if exists(path)? {
            if let Some(what) = not_a_file(path)? {
                return Err(Error::Usage(format!(
                    "{} {what}; input table `{table}` must be a regular file",
                    path.display()
                )));
            }
        }
    }
    match (exists(&parquet)?, exists(&csv)?) {
        (true, true) => Err(Error::Usage(format!(
            "{}: both {table}.parquet and {table}.csv are present; keep only one",
            dir.display()
        ))),
        (true, false) => Ok(Some((parquet, Format::Parquet))),
        (false, true) => Ok(Some((csv, Format::Csv))),
        (false, false) => Ok(None),
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Reads one table's file.
pub fn read_table(path: &Path, format: Format, schema: &'static TableSchema) -> Result<RawTable> {
    let (source, _, raw) = read_hashed(path, format, schema, |data| match format {
        Format::Csv => csv_read::read_csv(path, data, schema),
        Format::Parquet => parquet_read::read_parquet(path, data, schema),
    })?;
    Ok(RawTable {
        schema,
        source,
        raw,
        parquet: None,
    })
}

/// Opens one table's file to read its columns one at a time: a CSV file is parsed whole (as
/// [`read_table`]), a Parquet file's header and row count are checked and its bytes kept, no
/// column decoded yet ([`RawTable::column`]). A reference table read for a few named IDs
/// (`table::select`) is decoded a column at a time, each column filtered before the next.
pub fn open_table(path: &Path, format: Format, schema: &'static TableSchema) -> Result<RawTable> {
    if format == Format::Csv {
        return read_table(path, format, schema);
    }
    let none: &[usize] = &[];
    let (source, data, raw) = read_hashed(path, format, schema, |data| {
        parquet_read::read_parquet_columns(path, data, schema, Some(none))
    })?;
    Ok(RawTable {
        schema,
        source,
        raw,
        parquet: Some(data),
    })
}

/// Reads a table's file and `parse`s it; the file's hash (for the manifest) is computed
/// while it is parsed. Returns the file's bytes too.
pub fn read_hashed(
    path: &Path,
    format: Format,
    schema: &TableSchema,
    parse: impl FnOnce(&[u8]) -> Result<RawColumns> + Send,
) -> Result<(SourceFile, Vec<u8>, RawColumns)> {
    let data = read_regular_file(path)?;
    let (sha256, raw) = rayon::join(|| sha256_hex(&data), || parse(&data));
    let source = SourceFile {
        table: schema.name.clone(),
        path: path.to_path_buf(),
        format,
        bytes: data.len() as u64,
        sha256,
    };
    Ok((source, data, raw?))
}

/// The bytes of `path`, which must be a regular file. The file is opened without blocking and
/// its type checked on the open handle, so a FIFO put in its place after `find_table_file`
/// looked is refused rather than waited on.
fn read_regular_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            special_file_kind(&meta.file_type())
        };
        return Err(Error::Usage(format!(
            "{} is {what}, not a regular file",
            path.display()
        )));
    }
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut data).map_err(io)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::header::{header_columns, shown_name};
    use crate::table::schema;

    fn header(extra: &[&str]) -> Vec<String> {
        let sch = schema::get("classes").unwrap();
        let mut names: Vec<String> = sch.columns.iter().map(|c| c.name.clone()).collect();
        names.extend(extra.iter().map(|s| s.to_string()));
        names
    }

    fn warnings(extra: &[&str]) -> Vec<String> {
        let sch = schema::get("classes").unwrap();
        header_columns(Path::new("c.csv"), sch, &header(extra))
            .map(|l| l.warnings)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn extra_columns_are_one_warning_naming_a_handful() {
        assert!(warnings(&[]).is_empty());
        assert_eq!(
            warnings(&["note"]),
            ["c.csv: extra column `note` is ignored"]
        );
        assert_eq!(
            warnings(&["a", "b"]),
            ["c.csv: 2 extra columns are ignored: `a`, `b`"]
        );
        assert_eq!(
            warnings(&["a", "b", "c", "d", "e", "f", "g"]),
            ["c.csv: 7 extra columns are ignored: `a`, `b`, `c`, `d`, `e` … and 2 more"]
        );
    }

    #[test]
    fn names_in_messages_are_one_line_and_short() {
        assert_eq!(shown_name("a\nb\u{0}"), "a\\nb\\u{0}");
        let long = "x".repeat(1000);
        assert_eq!(shown_name(&long), format!("{}…", "x".repeat(60)));
        let w = warnings(&["line\nbreak"]);
        assert_eq!(w, ["c.csv: extra column `line\\nbreak` is ignored"]);
    }

    #[test]
    fn a_duplicate_names_both_of_its_columns() {
        let sch = schema::get("classes").unwrap();
        let mut names = header(&["x", "y"]);
        names.push(names[1].clone());
        let n = names.len();
        let err = header_columns(Path::new("c.csv"), sch, &names)
            .err()
            .expect("a duplicate is an error")
            .to_string();
        assert!(
            err.contains(&format!("`{}` twice (columns 2 and {n})", names[1])),
            "{err}"
        );
    }

    #[test]
    fn special_files_are_named_and_never_opened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir(dir.join("classes.csv")).unwrap();
        let err = find_table_file(dir, "classes").unwrap_err().to_string();
        assert!(err.ends_with("classes.csv is a directory, not a file; input table `classes` must be a regular file"), "{err}");
        #[cfg(unix)]
        {
            let fifo = std::ffi::CString::new(dir.join("owners.csv").to_str().unwrap()).unwrap();
            // SAFETY: mkfifo reads a NUL-terminated path that outlives the call.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
            let err = find_table_file(dir, "owners").unwrap_err().to_string();
            assert!(
                err.contains("owners.csv is a FIFO (named pipe), not a regular file"),
                "{err}"
            );
            // Read directly, the FIFO is refused on its open handle instead of waited on.
            let err = read_regular_file(&dir.join("owners.csv"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("is a FIFO"), "{err}");
            std::os::unix::fs::symlink("students.csv", dir.join("students.csv")).unwrap();
            let err = find_table_file(dir, "students").unwrap_err().to_string();
            assert!(err.contains("is a symbolic link that loops"), "{err}");
        }
        std::fs::write(dir.join("t.csv"), "a\n").unwrap();
        assert_eq!(
            find_table_file(dir, "t").unwrap(),
            Some((dir.join("t.csv"), Format::Csv))
        );
        assert_eq!(find_table_file(dir, "absent").unwrap(), None);
    }
}
