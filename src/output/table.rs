//! A job's outputs on their way to the output directory: tables and files
//! ([`OutputTable`]), serialized side by side over the threads ([`make_tables`]), and written
//! on a thread of their own while the job computes ([`Writer`]).
use super::atomic::OutputDir;
use super::stream::TableStream;
use super::write::{table_files_as, CsvFile, FileBytes, Formats};
use super::xlsx::XlsxFile;
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use rayon::prelude::*;

/// A table a phase produced, and where it goes.
pub struct OutputTable {
    /// Path inside the output directory: a table's stem (e.g. `confidential/results`), or a
    /// file's whole path.
    pub stem: String,
    content: Content,
    /// The frame a table was made from, kept once it is serialized until the run's report
    /// has read it ([`OutputTable::take_frame`]).
    frame: Option<(String, DataFrame)>,
}

/// What an output holds.
enum Content {
    /// A frame, written in `Formats` at `stem.parquet` / `stem.csv` (and `stem.xlsx`);
    /// described by the schema named (when it is not the stem's last component).
    Table(DataFrame, Formats, Option<&'static str>),
    /// A file made already, with its rows when it is a table.
    File(Vec<u8>, Option<usize>),
    /// Files made already (a per-school list as CSV and xlsx): paths, bytes and rows.
    Files(Vec<FileBytes>),
    /// A file made when it is written (an HTML letter bundle).
    Lazy(LazyFile),
    /// A frame only the run's report reads: never written.
    Report(DataFrame),
}

/// Makes a file's bytes at write time.
pub type LazyFile = Box<dyn FnOnce() -> Result<Vec<u8>> + Send>;

impl OutputTable {
    pub fn new(stem: &str, df: DataFrame, formats: Formats) -> Self {
        OutputTable {
            stem: stem.to_string(),
            content: Content::Table(df, formats, None),
            frame: None,
        }
    }

    /// A table at `stem` whose columns are described by the schema `schema` rather than the
    /// schema of the stem's name: one job's variant of a table another job writes under the
    /// same name (`gifted-secondary`'s `placements`, which have the track's `grade`).
    pub fn with_schema(stem: &str, schema: &'static str, df: DataFrame, formats: Formats) -> Self {
        OutputTable {
            stem: stem.to_string(),
            content: Content::Table(df, formats, Some(schema)),
            frame: None,
        }
    }

    pub fn lazy(path: &str, make: LazyFile) -> Self {
        OutputTable {
            stem: path.to_string(),
            content: Content::Lazy(make),
            frame: None,
        }
    }

    /// A frame for the run's report alone (`report/<name>`): what the report needs that no
    /// output table holds (e.g. the gender of the phases' students). It writes no file.
    pub fn for_report(stem: &str, df: DataFrame) -> Self {
        OutputTable {
            stem: stem.to_string(),
            content: Content::Report(df),
            frame: None,
        }
    }

    /// The stem and frame of a table (of a table already serialized: once), for the run's
    /// report.
    pub fn take_frame(&mut self) -> Option<(String, DataFrame)> {
        match &self.content {
            Content::Table(df, ..) | Content::Report(df) => Some((self.stem.clone(), df.clone())),
            _ => self.frame.take(),
        }
    }

    /// A CSV list made with `CsvFile`, at `stem.csv`.
    pub fn csv(stem: &str, csv: CsvFile) -> Result<Self> {
        let (bytes, rows) = csv.finish()?;
        Ok(OutputTable {
            stem: format!("{stem}.csv"),
            content: Content::File(bytes, Some(rows)),
            frame: None,
        })
    }

    /// A list made row by row, at `stem.csv` and `stem.xlsx`.
    pub fn list(stem: &str, csv: CsvFile, xlsx: XlsxFile) -> Result<Self> {
        let (csv, rows) = csv.finish()?;
        let (xlsx, _) = xlsx.finish()?;
        Ok(OutputTable {
            stem: stem.to_string(),
            content: Content::Files(vec![
                (format!("{stem}.csv"), csv, Some(rows)),
                (format!("{stem}.xlsx"), xlsx, Some(rows)),
            ]),
            frame: None,
        })
    }

    /// The same output with a table serialized now, as its files (`make_tables`).
    /// The frame is kept on the first file for the run's report (the columns are shared,
    /// not copied).
    fn made(self) -> Result<Vec<OutputTable>> {
        Ok(match &self.content {
            Content::Table(df, ..) => {
                let mut frame = Some((self.stem.clone(), df.clone()));
                self.files()?
                    .into_iter()
                    .map(|(path, bytes, rows)| OutputTable {
                        stem: path,
                        content: Content::File(bytes, rows),
                        frame: frame.take(),
                    })
                    .collect()
            }
            Content::Files(..) => self
                .files()?
                .into_iter()
                .map(|(path, bytes, rows)| OutputTable {
                    stem: path,
                    content: Content::File(bytes, rows),
                    frame: None,
                })
                .collect(),
            _ => vec![self],
        })
    }

    /// The files to write, serialized.
    pub fn files(self) -> Result<Vec<FileBytes>> {
        match self.content {
            Content::Table(df, formats, schema) => table_files_as(&self.stem, schema, &df, formats),
            Content::File(bytes, rows) => Ok(vec![(self.stem, bytes, rows)]),
            Content::Files(files) => Ok(files),
            Content::Lazy(make) => Ok(vec![(self.stem, make()?, None)]),
            Content::Report(_) => Ok(Vec::new()),
        }
    }
}

/// Makes one of a phase's outputs: a table, or a list of files (the per-school lists).
pub type MakeTables<'a> = Box<dyn FnOnce() -> Result<Vec<OutputTable>> + Send + 'a>;

/// Makes a phase's outputs side by side over the threads and serializes their tables (so
/// the writer only writes), kept in the order given; the first failure in that order is
/// returned.
pub fn make_tables(makers: Vec<MakeTables>) -> Result<Vec<OutputTable>> {
    let made: Vec<Result<Vec<OutputTable>>> = makers
        .into_par_iter()
        .map(|make| {
            let mut files = Vec::new();
            for t in make()? {
                files.extend(t.made()?);
            }
            Ok(files)
        })
        .collect();
    let mut tables = Vec::new();
    for m in made {
        tables.extend(m?);
    }
    Ok(tables)
}

/// Writes a run's output tables on a thread of its own while the phases compute: each
/// phase's tables are serialized and written (a batch at a time, in parallel) as soon as
/// the phase has made them. Writing thousands of per-school files is mostly the file
/// system's time, which the next phase's computing then hides.
pub struct Writer {
    tx: Option<std::sync::mpsc::SyncSender<Written>>,
    thread: std::thread::JoinHandle<Result<OutputDir>>,
}

/// What the writer is handed: tables to write, folders to make before their files come, or
/// the parts of a table written as they come ([`super::stream::TableStream`]: opened, its rows
/// a part at a time, closed).
pub enum Written {
    Tables(Vec<OutputTable>),
    Folders(Vec<String>),
    /// Starts the streamed table at `stem` with the columns of `columns` (no rows).
    Open {
        stem: String,
        columns: DataFrame,
        formats: Formats,
    },
    /// Rows of the streamed table at `stem`.
    Rows {
        stem: String,
        part: DataFrame,
    },
    /// Finishes the streamed table at `stem`.
    Close {
        stem: String,
    },
}

/// How many batches of work the writer may have waiting: a job that makes outputs faster than
/// they are written waits rather than holding them all (the letters of a national run).
const QUEUE: usize = 4;

impl Writer {
    pub fn start(mut out: OutputDir) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Written>(QUEUE);
        let thread = std::thread::spawn(move || -> Result<OutputDir> {
            let mut streams: Vec<TableStream> = Vec::new();
            let stream = |streams: &mut Vec<TableStream>, stem: &str| {
                (streams.iter().position(|t| t.stem() == stem)).ok_or_else(|| {
                    Error::Job(format!(
                        "output table `{stem}` is written in parts but was not started"
                    ))
                })
            };
            for job in rx {
                let tables = match job {
                    Written::Tables(tables) => tables,
                    Written::Folders(folders) => {
                        out.make_dirs(folders)?;
                        continue;
                    }
                    Written::Open {
                        stem,
                        columns,
                        formats,
                    } => {
                        streams.push(TableStream::open(&mut out, &stem, &columns, formats)?);
                        continue;
                    }
                    Written::Rows { stem, part } => {
                        let i = stream(&mut streams, &stem)?;
                        streams[i].append(&part)?;
                        continue;
                    }
                    Written::Close { stem } => {
                        let i = stream(&mut streams, &stem)?;
                        streams.swap_remove(i).finish(&mut out)?;
                        out.flush_ahead();
                        continue;
                    }
                };
                let mut tables = tables.into_iter().peekable();
                while tables.peek().is_some() {
                    let batch: Vec<OutputTable> = tables.by_ref().take(64).collect();
                    let files: Vec<Vec<FileBytes>> = batch
                        .into_par_iter()
                        .map(OutputTable::files)
                        .collect::<Result<_>>()?;
                    out.write_all(files.into_iter().flatten().collect())?;
                }
                out.flush_ahead();
            }
            if let Some(t) = streams.first() {
                return Err(Error::Job(format!(
                    "output table `{}` was started and never finished",
                    t.stem()
                )));
            }
            Ok(out)
        });
        Writer {
            tx: Some(tx),
            thread,
        }
    }

    /// Queues tables to write. After a failed write the queue is closed and the tables
    /// dropped: `finish` reports the failure.
    pub fn send(&self, job: Written) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(job);
        }
    }

    /// Waits for everything queued to be written.
    pub fn finish(mut self) -> Result<OutputDir> {
        drop(self.tx.take());
        self.thread
            .join()
            .map_err(|_| Error::Job("writing the outputs failed: the writer stopped".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn paths(tables: &[OutputTable]) -> Vec<&str> {
        tables.iter().map(|t| t.stem.as_str()).collect()
    }

    #[test]
    fn make_tables_keeps_the_order_given_and_reports_the_first_failure_in_it() {
        let table = |stem: &'static str| -> MakeTables {
            Box::new(move || {
                let df = df!("a" => [1i64, 2]).unwrap();
                Ok(vec![OutputTable::new(stem, df, Formats::ParquetAndCsv)])
            })
        };
        let lists: MakeTables = Box::new(|| {
            let mut csv = CsvFile::new(&["a"])?;
            csv.row(&["1"])?;
            Ok(vec![OutputTable::csv("schools/1/list", csv)?])
        });
        let made = make_tables(vec![table("t1"), lists, table("t2")]).unwrap();
        // Tables come back serialized, as their files, in the order given.
        assert_eq!(
            paths(&made),
            [
                "t1.parquet",
                "t1.csv",
                "t1.xlsx",
                "schools/1/list.csv",
                "t2.parquet",
                "t2.csv",
                "t2.xlsx"
            ]
        );
        let fail = |m: &'static str| -> MakeTables { Box::new(move || Err(Error::Job(m.into()))) };
        let e = make_tables(vec![table("t1"), fail("first"), fail("second")]).err();
        assert_eq!(
            e.map(|e| e.to_string()),
            Some(Error::Job("first".into()).to_string())
        );
    }
}
