//! Tables written a part at a time (issue #24): a national run's `letters` table holds the text
//! of ~280,000 letters, more than a run should hold in memory at once. A [`TableStream`] writes
//! its Parquet and CSV files into the output directory as the parts arrive, and the files have
//! the bytes [`super::write::table_files`] would write for the whole table: the Parquet batches
//! are cut at the same rows, whatever the sizes of the parts.
use super::atomic::OutputDir;
use super::parquet::{ParquetTable, BATCH_ROWS};
use super::write::{csv_header, CsvFile, Formats, Headers};
use crate::error::{Error, Result};
use crate::table::schema::{self, TableSchema};
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};

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
    /// The rows not yet handed to the Parquet writer: fewer than a batch.
    pending: Option<DataFrame>,
    /// The table's columns without rows (the batch of a table without rows).
    empty: DataFrame,
    rows: usize,
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
            pending: None,
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
        let mut pending = match self.pending.take() {
            Some(mut p) => {
                p.vstack_mut(part)
                    .map_err(|e| Error::Job(format!("output table `{}`: {e}", self.stem)))?;
                p
            }
            None => part.clone(),
        };
        // Whole batches go to the Parquet writer as they fill, cut where `parquet_bytes` cuts
        // (read across the parts' chunks: no copy of the pending rows is made first).
        if pending.height() >= BATCH_ROWS {
            let whole = pending.height() / BATCH_ROWS * BATCH_ROWS;
            for start in (0..whole).step_by(BATCH_ROWS) {
                self.parquet
                    .1
                    .write_batch(&pending.slice(start as i64, BATCH_ROWS))?;
            }
            pending = pending.slice(whole as i64, pending.height() - whole);
        }
        self.pending = (pending.height() > 0).then_some(pending);
        Ok(())
    }

    /// Writes the last batch and the footers and describes both files in the manifest.
    pub fn finish(self, out: &mut OutputDir) -> Result<()> {
        let TableStream {
            parquet: (pq_slot, mut pq),
            csv: (csv_slot, csv),
            pending,
            empty,
            rows,
            ..
        } = self;
        // A table without rows still gets its schema: one empty batch.
        pq.write_batch(&pending.unwrap_or(empty))?;
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

    /// A table streamed in parts of any size has the bytes of the same table written whole,
    /// across the Parquet batch boundary.
    #[test]
    fn a_table_streamed_in_parts_has_the_bytes_of_the_whole_table() {
        let n = BATCH_ROWS + 1_000;
        let ids: Vec<String> = (0..n).map(|i| format!("{i:09}")).collect();
        let text: Vec<Option<String>> = (0..n)
            .map(|i| (i % 7 != 0).then(|| format!("=letter {i}\nline two")))
            .collect();
        let whole = df!("student_id" => &ids, "text" => &text).unwrap();
        let expected = table_files("letters", &whole, Formats::ParquetAndCsvNoSheet).unwrap();
        for cuts in [vec![], vec![1, 5_000, BATCH_ROWS - 3, BATCH_ROWS + 10]] {
            let dir = tempfile::tempdir().unwrap();
            let mut out = OutputDir::create(&dir.path().join("out")).unwrap();
            let mut t = TableStream::open(
                &mut out,
                "letters",
                &whole.clear(),
                Formats::ParquetAndCsvNoSheet,
            )
            .unwrap();
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

    #[test]
    fn a_table_without_rows_has_its_header_and_schema() {
        let columns = df!("student_id" => Vec::<String>::new()).unwrap();
        let expected = table_files("letters", &columns, Formats::ParquetAndCsvNoSheet).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputDir::create(&dir.path().join("out")).unwrap();
        let t = TableStream::open(&mut out, "letters", &columns, Formats::ParquetAndCsvNoSheet)
            .unwrap();
        t.finish(&mut out).unwrap();
        out.commit().unwrap();
        for (path, bytes, _) in &expected {
            assert!(std::fs::read(dir.path().join("out").join(path)).unwrap() == *bytes);
        }
    }
}
