//! `report.html`: every run explains itself (docs/report.md). One self-contained page —
//! inline CSS and SVG, no script, no URL — in Hebrew and right to left by default
//! (`--report-lang en` for English), made from what the run already holds in memory:
//!
//! - the run section, for every job, from the run's record ([`RunFacts`]);
//! - the job's sections ([`Section`]): each takes what it needs of the output frames the job
//!   makes as they are handed to the writer ([`Sections::observe_tables`]), and adds its
//!   tables and charts when the report is written.
//!
//! A new job adds its section by implementing [`Section`] and registering it on its run
//! record. Counts of children go through [`mod@suppress`] (`report.min_cell`); the words come
//! from `templates/report/{he,en}.toml` and the page from the minijinja template
//! `templates/report/report.html`, both embedded in the binary.
pub mod chart;
pub mod gifted;
mod html;
pub mod roster_export;
pub mod special_ed;
pub mod suppress;

use crate::error::{Error, Result};
use crate::output::table::OutputTable;
use crate::pipeline::PipelineSource;
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use suppress::{suppress, Cell};

pub use html::{differing, render, RuleCount, RunFacts};

/// The report's file in the output directory.
pub const FILE: &str = "report.html";

/// The smallest count of children the report shows as it is (`report.min_cell`).
pub const DEFAULT_MIN_CELL: u64 = 10;

/// The report's language: Hebrew (right to left) or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    He,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::He => "he",
            Lang::En => "en",
        }
    }
}

/// `--report-lang en`.
static ENGLISH: AtomicBool = AtomicBool::new(false);

/// Sets the language of the reports of this process's runs.
pub fn set_lang(lang: Lang) {
    ENGLISH.store(lang == Lang::En, Ordering::Relaxed);
}

pub fn lang() -> Lang {
    match ENGLISH.load(Ordering::Relaxed) {
        true => Lang::En,
        false => Lang::He,
    }
}

/// `report.min_cell` of the pipeline (a whole number ≥ 1; 10 when the file has no
/// `[report]` table). The job's own settings never see the `[report]` table.
pub fn min_cell(src: &PipelineSource) -> Result<u64> {
    let Some(v) = src.table.get("report") else {
        return Ok(DEFAULT_MIN_CELL);
    };
    let refuse = |why: &str| {
        Err(Error::config(
            "report.min_cell",
            src.value_text("report.min_cell"),
            why,
        ))
    };
    let Some(t) = v.as_table() else {
        return Err(Error::config("report", None, "must be a table ([report])"));
    };
    if let Some(k) = t.keys().find(|k| *k != "min_cell") {
        return Err(Error::config(
            format!("report.{k}"),
            None,
            "is not a parameter (the [report] table has min_cell only)",
        ));
    }
    match t.get("min_cell") {
        None => Ok(DEFAULT_MIN_CELL),
        Some(toml::Value::Integer(n)) if *n >= 1 => Ok(*n as u64),
        Some(toml::Value::Integer(_)) => refuse("must be at least 1"),
        Some(_) => refuse("takes a whole number"),
    }
}

/// A job's part of the report.
pub trait Section: Send {
    /// Takes what the section needs of one of the job's output frames (`stem`: its path in
    /// the output, e.g. `placements`, `confidential/results`; frames only the report reads
    /// are under `report/`). Called once per frame, in the order the job made them.
    fn observe(&mut self, stem: &str, df: &DataFrame) -> Result<()>;
    /// Adds the section's headings, tables and charts.
    fn render(&self, out: &mut Builder) -> Result<()>;
}

/// The job sections of a run, fed the job's output frames.
#[derive(Default)]
pub struct Sections(Vec<Box<dyn Section>>);

impl Sections {
    pub fn add(&mut self, s: Box<dyn Section>) {
        self.0.push(s);
    }

    pub fn observe(&mut self, stem: &str, df: &DataFrame) -> Result<()> {
        for s in &mut self.0 {
            s.observe(stem, df)?;
        }
        Ok(())
    }

    /// Shows each table's frame to the sections, and lets it go (a frame kept for the report
    /// is not held until the table is written).
    pub fn observe_tables(&mut self, tables: &mut [OutputTable]) -> Result<()> {
        for t in tables {
            if let Some((stem, df)) = t.take_frame() {
                self.observe(&stem, &df)?;
            }
        }
        Ok(())
    }

    fn render(&self, out: &mut Builder) -> Result<()> {
        for s in &self.0 {
            s.render(out)?;
        }
        Ok(())
    }
}

/// The words of the report in one language (`templates/report/<lang>.toml`).
#[derive(Debug, Clone)]
pub struct Words(BTreeMap<String, String>);

const WORDS_HE: &str = include_str!("../../templates/report/he.toml");
const WORDS_EN: &str = include_str!("../../templates/report/en.toml");

impl Words {
    pub fn of(lang: Lang) -> Result<Words> {
        let text = match lang {
            Lang::He => WORDS_HE,
            Lang::En => WORDS_EN,
        };
        let words: BTreeMap<String, String> = toml::from_str(text)
            .map_err(|e| Error::Template(format!("templates/report/{}.toml: {e}", lang.code())))?;
        Ok(Words(words))
    }

    /// The word for `key`; the key itself for a value that has no word (a district's code).
    pub fn get(&self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_string())
    }

    fn map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

/// One part of a section, as the template shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Heading {
        text: String,
    },
    Note {
        text: String,
    },
    Table {
        caption: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        /// Its cells after the first are counts (aligned as numbers).
        numeric: bool,
        /// Some count of it is suppressed (the template says what "<10" and "*" mean).
        suppressed: bool,
    },
    Chart {
        caption: String,
        svg: String,
    },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionOut {
    pub id: String,
    pub title: String,
    pub parts: Vec<Part>,
}

/// A table of counts: `rows[i].1[j]` is the count of row `i` in column `j`. The columns
/// `children[j]` counts children and is suppressed; the others (seats, groups) are shown as
/// they are. With `total_col`, a last column sums each row's children columns; with
/// `total_row`, a last row sums each column. Totals are cells like the rest: suppressed with
/// their row and column.
#[derive(Debug, Clone, Default)]
pub struct CountTable {
    pub caption: String,
    /// Header of the label column.
    pub head: String,
    pub columns: Vec<String>,
    pub children: Vec<bool>,
    pub rows: Vec<(String, Vec<u64>)>,
    pub total_col: bool,
    pub total_row: bool,
}

impl CountTable {
    /// Every column counts children.
    pub fn of_children(caption: String, head: String, columns: Vec<String>) -> Self {
        let n = columns.len();
        CountTable {
            caption,
            head,
            columns,
            children: vec![true; n],
            ..Default::default()
        }
    }

    /// The table's cells after suppression, with its totals: (header, rows of (label,
    /// cells)).
    pub fn cells(&self, words: &Words, min_cell: u64) -> (Vec<String>, Vec<(String, Vec<Cell>)>) {
        let mut columns = self.columns.clone();
        let mut children = self.children.clone();
        children.resize(columns.len(), true);
        let mut rows = self.rows.clone();
        if self.total_col {
            columns.push(words.get("total"));
            children.push(true);
            for (_, v) in &mut rows {
                let sum = v
                    .iter()
                    .zip(&self.children)
                    .filter(|(_, &c)| c)
                    .map(|(n, _)| n)
                    .sum();
                v.push(sum);
            }
        }
        if self.total_row && !rows.is_empty() {
            let sums = (0..columns.len())
                .map(|j| {
                    rows.iter()
                        .map(|(_, v)| v.get(j).copied().unwrap_or(0))
                        .sum()
                })
                .collect();
            rows.push((words.get("total"), sums));
        }
        // Suppression over the children columns only.
        let kids: Vec<usize> = (0..columns.len()).filter(|&j| children[j]).collect();
        let grid: Vec<Vec<u64>> = rows
            .iter()
            .map(|(_, v)| {
                kids.iter()
                    .map(|&j| v.get(j).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let suppressed = suppress(&grid, min_cell);
        let out = rows
            .iter()
            .zip(suppressed)
            .map(|((label, v), s)| {
                let mut cells: Vec<Cell> = v.iter().map(|&n| Cell::Count(n)).collect();
                cells.resize(columns.len(), Cell::Count(0));
                for (k, &j) in kids.iter().enumerate() {
                    cells[j] = s[k];
                }
                (label.clone(), cells)
            })
            .collect();
        let mut header = vec![self.head.clone()];
        header.extend(columns);
        (header, out)
    }
}

/// What the sections write into: the report's parts, in order.
pub struct Builder {
    pub words: Words,
    pub min_cell: u64,
    sections: Vec<SectionOut>,
}

impl Builder {
    pub fn new(words: Words, min_cell: u64) -> Self {
        Builder {
            words,
            min_cell,
            sections: Vec::new(),
        }
    }

    /// The word for `key` in the report's language.
    pub fn w(&self, key: &str) -> String {
        self.words.get(key)
    }

    /// The word for `key`, or `fallback` when there is none (a district's code).
    pub fn w_or(&self, key: &str, fallback: &str) -> String {
        self.words
            .0
            .get(key)
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Starts a section (`id` is its HTML id; its title is the word `id`).
    pub fn section(&mut self, id: &str) {
        self.sections.push(SectionOut {
            id: id.to_string(),
            title: self.w(id),
            parts: Vec::new(),
        });
    }

    fn push(&mut self, p: Part) {
        if self.sections.is_empty() {
            self.section("section");
        }
        if let Some(s) = self.sections.last_mut() {
            s.parts.push(p);
        }
    }

    pub fn heading(&mut self, text: String) {
        self.push(Part::Heading { text });
    }

    pub fn note(&mut self, text: String) {
        self.push(Part::Note { text });
    }

    /// A table of texts shown as they are (no count of children in it).
    pub fn table(&mut self, caption: String, header: Vec<String>, rows: Vec<Vec<String>>) {
        self.push(Part::Table {
            caption,
            header,
            rows,
            numeric: false,
            suppressed: false,
        });
    }

    /// A table of numbers made from suppressed cells (`Cell::text`), with texts beside.
    pub fn numeric_table(
        &mut self,
        caption: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        suppressed: bool,
    ) {
        self.push(Part::Table {
            caption,
            header,
            rows,
            numeric: true,
            suppressed,
        });
    }

    /// A table of counts, suppressed; returns its cells (for a chart of the same numbers).
    pub fn counts(&mut self, t: &CountTable) -> Vec<(String, Vec<Cell>)> {
        let (header, cells) = t.cells(&self.words, self.min_cell);
        let min = self.min_cell;
        let rows = cells
            .iter()
            .map(|(label, c)| {
                let mut r = vec![label.clone()];
                r.extend(c.iter().map(|c| c.text(min)));
                r
            })
            .collect();
        let suppressed = cells.iter().flat_map(|(_, c)| c).any(|c| !c.is_shown());
        self.push(Part::Table {
            caption: t.caption.clone(),
            header,
            rows,
            numeric: true,
            suppressed,
        });
        cells
    }

    pub fn chart(&mut self, caption: String, svg: String) {
        self.push(Part::Chart { caption, svg });
    }

    pub fn into_sections(self) -> Vec<SectionOut> {
        self.sections
    }
}

/// Counts by key in a deterministic order.
pub type Tally = BTreeMap<String, u64>;

/// The text values of column `name` (empty text for a null); an error names the table.
pub fn texts<'a>(df: &'a DataFrame, stem: &str, name: &str) -> Result<Vec<Option<&'a str>>> {
    let col = df
        .column(name)
        .map_err(|e| Error::Job(format!("report: table {stem} has no column {name}: {e}")))?;
    let s = col
        .as_materialized_series()
        .str()
        .map_err(|e| Error::Job(format!("report: {stem}.{name} is not text: {e}")))?;
    Ok(s.iter().collect())
}

/// The whole numbers of column `name` (any integer type).
pub fn ints(df: &DataFrame, stem: &str, name: &str) -> Result<Vec<Option<i64>>> {
    use polars::prelude::DataType;
    let col = df
        .column(name)
        .map_err(|e| Error::Job(format!("report: table {stem} has no column {name}: {e}")))?;
    let cast = col
        .as_materialized_series()
        .cast(&DataType::Int64)
        .map_err(|e| Error::Job(format!("report: {stem}.{name} is not a number: {e}")))?;
    let s = cast
        .i64()
        .map_err(|e| Error::Job(format!("report: {stem}.{name} is not a number: {e}")))?;
    Ok(s.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_words() {
        let he = Words::of(Lang::He).unwrap();
        let en = Words::of(Lang::En).unwrap();
        let keys = |w: &Words| w.map().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&he), keys(&en));
    }

    #[test]
    fn a_count_table_suppresses_children_columns_and_their_totals_but_not_seats() {
        let en = Words::of(Lang::En).unwrap();
        let t = CountTable {
            caption: "c".into(),
            head: "track".into(),
            columns: vec!["seats".into(), "boys".into(), "girls".into()],
            children: vec![false, true, true],
            rows: vec![
                ("T1".into(), vec![3, 12, 4]),
                ("T2".into(), vec![5, 30, 25]),
            ],
            total_col: true,
            total_row: true,
        };
        let (header, rows) = t.cells(&en, 10);
        assert_eq!(header, ["track", "seats", "boys", "girls", "total"]);
        let texts: Vec<Vec<String>> = rows
            .iter()
            .map(|(l, c)| {
                let mut v = vec![l.clone()];
                v.extend(c.iter().map(|c| c.text(10)));
                v
            })
            .collect();
        // T1: girls 4 is small; its row hides boys 12; the columns boys and girls then each
        // hide T2's cell (30, 25); seats (3, 5, 8) are never suppressed.
        assert_eq!(
            texts,
            [
                vec!["T1", "3", "*", "<10", "16"],
                vec!["T2", "5", "*", "*", "55"],
                vec!["total", "8", "42", "29", "71"],
            ]
        );
    }

    #[test]
    fn min_cell_is_read_from_the_report_table_and_checked() {
        let src = |text: &str| PipelineSource {
            path: "p".into(),
            sha256: String::new(),
            table: toml::from_str(text).unwrap(),
            overrides: vec![],
        };
        assert_eq!(min_cell(&src("job = \"x\"")).unwrap(), 10);
        assert_eq!(min_cell(&src("[report]\nmin_cell = 5")).unwrap(), 5);
        assert!(min_cell(&src("[report]\nmin_cell = 0")).is_err());
        assert!(min_cell(&src("[report]\nmin_cell = \"ten\"")).is_err());
        assert!(min_cell(&src("[report]\nmin_sell = 5")).is_err());
    }
}
