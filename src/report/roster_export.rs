//! roster-export's section of the report (docs/report.md §5): the owners served, the
//! refusals by condition and the rows of each file. Owners are organizations: their counts
//! are shown as they are; the rows of a file are children, suppressed.
use super::{Builder, CountTable, Section};
use crate::error::Result;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct RosterExport {
    pub owners_total: u64,
    pub owners_exported: u64,
    /// Allowed, but with no student in a secondary stage: no folder.
    pub owners_skipped: u64,
    /// Owners not exported, by the rule that refused them (`commitment_not_approved` …).
    pub refused: BTreeMap<String, u64>,
    /// Per file (one of the six tables): the owner folders holding it and their rows.
    pub files: BTreeMap<String, (u64, u64)>,
}

impl Section for RosterExport {
    /// Fed by the command itself (owner folders are written per owner, not as frames).
    fn observe(&mut self, _stem: &str, _df: &DataFrame) -> Result<()> {
        Ok(())
    }

    fn render(&self, b: &mut Builder) -> Result<()> {
        b.section("roster_export");
        let mut owners = vec![
            vec![b.w("owners_total"), self.owners_total.to_string()],
            vec![b.w("owners_exported"), self.owners_exported.to_string()],
            vec![b.w("owners_skipped"), self.owners_skipped.to_string()],
        ];
        for (rule, n) in &self.refused {
            owners.push(vec![
                format!(
                    "{}: {}",
                    b.w("refused"),
                    b.w_or(&format!("refusal_{rule}"), rule)
                ),
                n.to_string(),
            ]);
        }
        b.numeric_table(
            b.w("owners"),
            vec![b.w("item"), b.w("owners")],
            owners,
            false,
        );
        let mut t = CountTable::of_children(b.w("rows_per_file"), b.w("file"), vec![]);
        t.columns = vec![b.w("folders"), b.w("rows")];
        t.children = vec![false, true];
        t.total_row = true;
        t.rows = self
            .files
            .iter()
            .map(|(f, (folders, rows))| (f.clone(), vec![*folders, *rows]))
            .collect();
        b.counts(&t);
        Ok(())
    }
}
