//! `codebook.csv` (docs/research-export.md §4): every column of every table of the dataset,
//! from `schemas/` — table, name, type, description, Hebrew name, allowed values — with the
//! partition key `school_year` first in each table.
use super::TABLES;
use crate::error::{Error, Result};
use crate::output::write::CsvFile;

/// The codebook as CSV bytes, and its rows.
pub fn codebook() -> Result<(Vec<u8>, usize)> {
    let s = crate::table::schema::get("research_codebook")
        .ok_or_else(|| Error::Job("no schema `research_codebook`".into()))?;
    let header: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
    let mut csv = CsvFile::new(&header)?;
    for (table, schema) in TABLES {
        let t = crate::table::schema::get(schema)
            .ok_or_else(|| Error::Job(format!("no schema `{schema}`")))?;
        csv.row(&[
            table,
            "school_year",
            "int",
            "School year (2027 = 2026/27): the partition key, in the folder name school_year=YYYY, not inside the files.",
            "שנת לימודים",
            "",
        ])?;
        for c in &t.columns {
            csv.row(&[
                table,
                &c.name,
                c.ty.name(),
                &c.description,
                &c.hebrew,
                &c.values.join(";"),
            ])?;
        }
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_table_with_the_partition_key_first() {
        let (bytes, rows) = codebook().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let columns: usize = TABLES
            .iter()
            .map(|(_, s)| crate::table::schema::get(s).unwrap().columns.len() + 1)
            .sum();
        assert_eq!(rows, columns);
        // A BOM first, for spreadsheets.
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert!(lines.next().unwrap().starts_with("table,column,type,"));
        assert!(lines
            .next()
            .unwrap()
            .starts_with("students,school_year,int,"));
        assert!(lines
            .next()
            .unwrap()
            .starts_with("students,student_pid,str,"));
        assert!(text.contains("\nstage_b,subtest,str,"));
        assert!(!text.contains(",student_id,"));
    }
}
