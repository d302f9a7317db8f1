//! Tables written a part at a time (issue #24): a national run's `letters` table holds the text
//! of ~280,000 letters, more than a run should hold in memory at once. A [`TableStream`] writes
//! its Parquet and CSV files into the output directory as the parts arrive, and the files have
//! the bytes [`super::write::table_files`] would write for the whole table: the Parquet batches
//! are cut at the same rows, whatever the sizes of the parts.
use super::atomic::OutputDir;
use super::parquet::{arrow_array, ParquetTable, BATCH_ROWS};
use super::write::{csv_header, CsvFile, Formats, Headers};
use crate::error::{Error, Result};
use crate::table::schema::{self, TableSchema};
use arrow_array::builder::StringBuilder;
use arrow_array::ArrayRef;
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::sync::Arc;

/// A file of the output being written: its bytes counted and hashed as they go (for the
/// manifest).
pub struct HashedFile {
    out: BufWriter<std::fs::File>,
    hash: Sha256,
    bytes: u64,
    rel: String,
}

impl HashedFile {
    fn new(file: std::fs::File, rel: &str) -> Self {
        HashedFile {
            out: BufWriter::with_capacity(1 << 20, file),
            hash: Sha256::new(),
            bytes: 0,
            rel: rel.to_string(),
        }
    }

    /// Flushes the file; its size and SHA-256.
    fn done(mut self) -> Result<(u64, String)> {
        self.out
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.rel), e))?;
        Ok((self.bytes, hex::encode(self.hash.finalize())))
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A table written in parts at `stem.parquet` and `stem.csv` (the formats
/// `Formats::ParquetAndCsvNoSheet` writes): [`TableStream::open`], then
/// [`TableStream::append`] as the parts come, then [`TableStream::finish`].
pub struct TableStream {
    stem: String,
    parquet: (usize, ParquetTable<HashedFile>),
    csv: (usize, CsvFile<HashedFile>),
    /// The rows not yet handed to the Parquet writer (fewer than a batch): each text column
    /// already as the Arrow array it is written as, so that a batch's text (a letter's is
    /// ~2 KB) is held once, not as polars rows and then again as Arrow arrays.
    pending: Pending,
    /// The table's columns without rows (the batch of a table without rows).
    empty: DataFrame,
    rows: usize,
}

/// The rows of a [`TableStream`] not yet written to its Parquet file.
struct Pending {
    rows: usize,
    /// Per column: its text so far, for a text column (`None` for the others).
    text: Vec<Option<StringBuilder>>,
    /// The other columns' rows so far (`None`: no rows yet).
    other: Option<DataFrame>,
}

impl Pending {
    fn new(columns: &DataFrame) -> Self {
        let text = (columns.columns().iter())
            .map(|c| (c.dtype() == &DataType::String).then(StringBuilder::new))
            .collect();
        Pending {
            rows: 0,
            text,
            other: None,
        }
    }

    /// Takes `part` (the table's columns, at most a batch's rows in all). A column whose type
    /// is not the table's is an error (polars' message).
    fn add(&mut self, part: &DataFrame) -> std::result::Result<(), PolarsError> {
        let mut other = Vec::new();
        for (builder, c) in self.text.iter_mut().zip(part.columns()) {
            match builder {
                // A part whose values are all missing may come as a column of nulls.
                Some(b) if c.dtype() == &DataType::Null => b.append_nulls(c.len()),
                Some(b) => {
                    for v in c.str()?.iter() {
                        b.append_option(v);
                    }
                }
                None => other.push(c.clone()),
            }
        }
        let other = DataFrame::new(part.height(), other)?;
        match &mut self.other {
            Some(o) => {
                o.vstack_mut(&other)?;
            }
            None => self.other = Some(other),
        }
        self.rows += part.height();
        Ok(())
    }

    /// The pending rows as the Arrow arrays of one batch, the columns of `empty` in order;
    /// none are pending afterwards.
    fn take(&mut self, empty: &DataFrame) -> Result<Vec<ArrayRef>> {
        let other = self.other.take();
        let mut others = other.as_ref().map(|o| o.columns().iter());
        let mut arrays = Vec::with_capacity(self.text.len());
        for (builder, c) in self.text.iter_mut().zip(empty.columns()) {
            arrays.push(match builder {
                Some(b) => Arc::new(b.finish()) as ArrayRef,
                None => {
                    let column = others.as_mut().and_then(Iterator::next).unwrap_or(c);
                    arrow_array(column.as_materialized_series())?
                }
            });
        }
        self.rows = 0;
        Ok(arrays)
    }
}

impl TableStream {
    /// Creates the files of table `stem` with the columns of `columns` (its rows are not
    /// written), described by the schema of the stem's last component. Only the formats of
    /// `Formats::ParquetAndCsvNoSheet` stream (a spreadsheet is made whole).
    pub fn open(
        out: &mut OutputDir,
        stem: &str,
        columns: &DataFrame,
        formats: Formats,
    ) -> Result<Self> {
        if formats != Formats::ParquetAndCsvNoSheet {
            return Err(Error::Job(format!(
                "output table `{stem}`: only Parquet and CSV without a spreadsheet are written in parts"
            )));
        }
        let table = stem.rsplit('/').next().unwrap_or(stem);
        let schema: Option<&TableSchema> = schema::get(table);
        let empty = columns.clear();
        let rel = format!("{stem}.parquet");
        let (slot, file) = out.create_streamed(&rel)?;
        let parquet = (
            slot,
            ParquetTable::new(HashedFile::new(file, &rel), &empty, schema)?,
        );
        let rel = format!("{stem}.csv");
        let (slot, file) = out.create_streamed(&rel)?;
        let header = csv_header(&empty, schema, Headers::English);
        let csv = (slot, CsvFile::into(HashedFile::new(file, &rel), &header)?);
        Ok(TableStream {
            stem: stem.to_string(),
            parquet,
            csv,
            pending: Pending::new(&empty),
            empty,
            rows: 0,
        })
    }

    /// The stem the table is written at.
    pub fn stem(&self) -> &str {
        &self.stem
    }

    /// Writes the rows of `part` (the table's columns, in order).
    pub fn append(&mut self, part: &DataFrame) -> Result<()> {
        if part.get_column_names() != self.empty.get_column_names() {
            return Err(Error::Job(format!(
                "output table `{}`: a part has other columns than the table",
                self.stem
            )));
        }
        self.csv.1.frame_rows(part, true)?;
        self.rows += part.height();
        // Whole batches go to the Parquet writer as they fill, cut where `parquet_bytes` cuts.
        let mut from = 0;
        while from < part.height() {
            let take = (BATCH_ROWS - self.pending.rows).min(part.height() - from);
            (self.pending.add(&part.slice(from as i64, take)))
                .map_err(|e| Error::Job(format!("output table `{}`: {e}", self.stem)))?;
            from += take;
            if self.pending.rows == BATCH_ROWS {
                let arrays = self.pending.take(&self.empty)?;
                self.parquet.1.write_arrays(arrays)?;
            }
        }
        Ok(())
    }

    /// Writes the last batch and the footers and describes both files in the manifest.
    pub fn finish(self, out: &mut OutputDir) -> Result<()> {
        let TableStream {
            parquet: (pq_slot, mut pq),
            csv: (csv_slot, csv),
            mut pending,
            empty,
            rows,
            ..
        } = self;
        // The last batch (without rows when there are none left: a table without rows still
        // gets its schema).
        pq.write_arrays(pending.take(&empty)?)?;
        let (bytes, sha) = pq.finish()?.done()?;
        out.streamed(pq_slot, Some(rows), bytes, sha);
        let (file, csv_rows) = csv.finish()?;
        let (bytes, sha) = file.done()?;
        out.streamed(csv_slot, Some(csv_rows), bytes, sha);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::write::table_files;

    /// An output directory under `dir` and the `letters` table streamed into it, with the
    /// columns of `columns` (its rows are not written).
    fn letters_stream(dir: &std::path::Path, columns: &DataFrame) -> (OutputDir, TableStream) {
        let mut out = OutputDir::create(&dir.join("out")).unwrap();
        let t = TableStream::open(
            &mut out,
            "letters",
            &columns.clear(),
            Formats::ParquetAndCsvNoSheet,
        )
        .unwrap();
        (out, t)
    }

    /// A table streamed in parts of any size has the bytes of the same table written whole,
    /// across the Parquet batch boundary.
    #[test]
    fn a_table_streamed_in_parts_has_the_bytes_of_the_whole_table() {
        // Text columns (held as Arrow text while pending) between and beside other columns
        // (held as polars rows), a batch and a bit, and exactly two batches (the last batch
        // then has no rows).
        for n in [BATCH_ROWS + 1_000, 2 * BATCH_ROWS] {
            streamed_like_whole(n);
        }
    }

    fn streamed_like_whole(n: usize) {
        let ids: Vec<String> = (0..n).map(|i| format!("{i:09}")).collect();
        let text: Vec<Option<String>> = (0..n)
            .map(|i| (i % 7 != 0).then(|| format!("=letter {i}\nline two")))
            .collect();
        let number: Vec<Option<i64>> = (0..n).map(|i| (i % 5 != 0).then_some(i as i64)).collect();
        let flag: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        let whole = df!(
            "student_id" => &ids,
            "n" => &number,
            "text" => &text,
            "flag" => &flag
        )
        .unwrap();
        let expected = table_files("letters", &whole, Formats::ParquetAndCsvNoSheet).unwrap();
        for cuts in [vec![], vec![1, 5_000, BATCH_ROWS - 3, BATCH_ROWS + 10]] {
            let dir = tempfile::tempdir().unwrap();
            let (mut out, mut t) = letters_stream(dir.path(), &whole);
            let mut from = 0;
            for to in cuts.iter().copied().chain([n]) {
                t.append(&whole.slice(from as i64, to - from)).unwrap();
                from = to;
            }
            t.finish(&mut out).unwrap();
            let files = out.files().to_vec();
            out.commit().unwrap();
            for ((path, bytes, rows), f) in expected.iter().zip(&files) {
                assert_eq!(&f.path, path);
                assert_eq!(f.rows, *rows);
                let got = std::fs::read(dir.path().join("out").join(path)).unwrap();
                assert!(got == *bytes, "{path} differs when cut at {cuts:?}");
                assert_eq!(f.sha256, crate::table::read::sha256_hex(bytes));
                assert_eq!(f.bytes, bytes.len() as u64);
            }
        }
    }

    /// A part whose text values are all missing may come as a column of nulls: it is
    /// written as missing text, as in the table written whole.
    #[test]
    fn a_part_with_a_column_of_nulls_is_written_as_missing_text() {
        let whole = df!(
            "student_id" => ["1", "2", "3"],
            "text" => [Some("a"), None, None]
        )
        .unwrap();
        let expected = table_files("letters", &whole, Formats::ParquetAndCsvNoSheet).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (mut out, mut t) = letters_stream(dir.path(), &whole);
        t.append(&whole.slice(0, 1)).unwrap();
        let nulls = DataFrame::new(
            2,
            vec![
                Column::new("student_id".into(), ["2", "3"]),
                Column::full_null("text".into(), 2, &DataType::Null),
            ],
        )
        .unwrap();
        t.append(&nulls).unwrap();
        t.finish(&mut out).unwrap();
        out.commit().unwrap();
        let (path, bytes, _) = &expected[0];
        assert_eq!(path, "letters.parquet");
        let got = std::fs::read(dir.path().join("out").join(path)).unwrap();
        assert!(got == *bytes, "the Parquet file differs");
    }

    /// A part whose column has another type than the table's is refused, naming the table.
    #[test]
    fn a_part_of_another_type_is_an_error_naming_the_table() {
        let columns = df!("student_id" => ["1"], "text" => ["a"]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (_out, mut t) = letters_stream(dir.path(), &columns);
        let wrong = df!("student_id" => ["2"], "text" => [7i64]).unwrap();
        let e = t.append(&wrong).unwrap_err().to_string();
        assert!(e.contains("output table `letters`"), "{e}");
    }

    #[test]
    fn a_table_without_rows_has_its_header_and_schema() {
        let columns = df!("student_id" => Vec::<String>::new()).unwrap();
        let expected = table_files("letters", &columns, Formats::ParquetAndCsvNoSheet).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (mut out, t) = letters_stream(dir.path(), &columns);
        t.finish(&mut out).unwrap();
        out.commit().unwrap();
        for (path, bytes, _) in &expected {
            assert!(std::fs::read(dir.path().join("out").join(path)).unwrap() == *bytes);
        }
    }
}
