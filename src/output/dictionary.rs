//! `dictionary.csv`: every run's own data dictionary (issue #17), beside its outputs — one row
//! per column of each table the run wrote, from the table's schema in `schemas/`, so that a
//! folder of outputs explains itself to whoever opens it (`itur schema` prints the same for
//! every table).
use super::atomic::OutputFile;
use super::rows::{table_of_job_file, Layout};
use super::write::{csv_bytes, Headers};
use crate::error::Result;
use crate::table::schema::{self, TableSchema};
use serde::Serialize;
use std::collections::BTreeMap;

/// The file's name in the output folder.
pub const FILE: &str = "dictionary.csv";

/// A row of `dictionary`.
#[derive(Serialize)]
struct Row<'a> {
    files: &'a str,
    table: &'a str,
    column: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    required: bool,
    confidential: bool,
    description: &'a str,
    hebrew: &'a str,
}

/// The dictionary of the tables among `files` (written by job `job`) as CSV bytes with its
/// number of rows, or `None` when no file is a table.
pub fn csv(files: &[OutputFile], job: &str) -> Result<Option<(Vec<u8>, usize)>> {
    // Each table's files, by its first file's place (the order of the list).
    let mut tables: BTreeMap<&str, (Vec<String>, &TableSchema)> = BTreeMap::new();
    for f in files {
        if let Some((place, s)) = table_of_job_file(&f.path, job) {
            let (places, _) = tables.entry(s.name.as_str()).or_insert((Vec::new(), s));
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    if tables.is_empty() {
        return Ok(None);
    }
    let joined: Vec<(String, &TableSchema)> = (tables.into_values())
        .map(|(mut places, s)| {
            places.sort();
            (places.join(" "), s)
        })
        .collect();
    let rows: Vec<Row> = (joined.iter())
        .flat_map(|(files, s)| {
            s.columns.iter().map(move |c| Row {
                files,
                table: &s.name,
                column: &c.name,
                ty: c.ty.name(),
                required: !c.optional,
                confidential: s.confidential || c.confidential,
                description: &c.description,
                hebrew: &c.hebrew,
            })
        })
        .collect();
    let df = Layout::of("dictionary")?.frame(&rows)?;
    let bytes = csv_bytes(&df, schema::get("dictionary"), Headers::English)?;
    Ok(Some((bytes, rows.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            rows: Some(1),
            bytes: 1,
            sha256: String::new(),
        }
    }

    /// The dictionary's header and rows, as cells.
    fn rows(files: &[&str]) -> Vec<Vec<String>> {
        let files: Vec<OutputFile> = files.iter().map(|p| file(p)).collect();
        let (bytes, n) = csv(&files, "gifted-elementary").unwrap().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut r = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<Vec<String>> = (r.records())
            .map(|x| x.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(rows.len(), n + 1, "header and {n} rows");
        rows
    }

    /// A table's two files share its rows; a folder of lists is named by its pattern; a
    /// confidential table's columns are confidential; files that are not tables are left out.
    #[test]
    fn one_row_per_column_of_each_table_written() {
        let rows = rows(&[
            "waitlist.parquet",
            "waitlist.csv",
            "tracks/T1.csv",
            "tracks/T2.csv",
            "confidential/results.parquet",
            "letters/x.html",
            "manifest.json",
        ]);
        let header = "files,table,column,type,required,confidential,description,hebrew";
        assert_eq!(rows[0].join(","), header);
        let of = |files: &str, table: &str| -> Vec<&Vec<String>> {
            rows.iter()
                .filter(|r| r[0] == files && r[1] == table)
                .collect()
        };
        let n = |t: &str| schema::get(t).unwrap().columns.len();
        let waitlist = of("waitlist.csv waitlist.parquet", "waitlist");
        let tracks = of("tracks/*.csv", "track_list");
        let results = of("confidential/results.parquet", "results");
        assert_eq!(waitlist.len(), n("waitlist"));
        assert_eq!(tracks.len(), n("track_list"));
        assert_eq!(results.len(), n("results"));
        assert_eq!(
            rows.len(),
            1 + n("waitlist") + n("track_list") + n("results")
        );
        assert!(
            results.iter().all(|r| r[5] == "true"),
            "results are confidential"
        );
        assert!(waitlist.iter().all(|r| r[5] == "false"));
        assert_eq!(waitlist[0][2..4], ["student_id", "str"]);
        assert_eq!(waitlist[0][7], "מספר זהות תלמיד");
    }

    #[test]
    fn no_table_no_dictionary() {
        assert!(csv(&[file("manifest.json")], "gifted-elementary")
            .unwrap()
            .is_none());
    }
}
