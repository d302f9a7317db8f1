//! `research-export` (issue #19, docs/research-export.md): the dataset a research data centre
//! would release from finished gifted-elementary runs. Pure functions: the command
//! (`app::research_export`) reads the key, the runs and their rosters, and writes the
//! partitions.
//!
//! The steps, in the order of the spec:
//! 1. [`inputs`] — what a run's manifest tells (§1: job, success, subtests, roster) and the
//!    typed rows read.
//! 2. [`pseudonym`] — every person ID becomes a keyed pseudonym (§2).
//! 3. [`tables`] — the minimised tables of a school year, sorted by pseudonym (§3), and
//!    [`outputs`] — their Parquet files (§4).
//! 4. [`aggregates`] and [`suppress`] — open counts with their small cells suppressed (§5).
//! 5. [`codebook`] and [`dataset_manifest`] — the dataset's description (§4).
//!
//! [`year`] runs steps 2–4 for one run's school year.
pub mod aggregates;
pub mod codebook;
pub mod inputs;
pub mod outputs;
pub mod pseudonym;
pub mod suppress;
pub mod tables;
pub mod year;

use crate::table::validate::TableNeed;
use std::collections::BTreeSet;

/// The dataset's tables: (folder, schema).
pub const TABLES: [(&str, &str); 7] = [
    ("students", "research_students"),
    ("stage_a", "research_stage_a"),
    ("stage_b", "research_stage_b"),
    ("results", "research_results"),
    ("placements", "research_placements"),
    ("enrichment", "research_enrichment"),
    ("aggregates", "research_aggregates"),
];

/// The roster tables read (§1). The students are read a column at a time (validated whole,
/// their text held as dictionary codes, their names, class and registration zone let go once
/// checked: `TableNeed::coded`, `keeping`).
pub const ROSTER: [TableNeed; 4] = [
    TableNeed::new("institutions", true),
    TableNeed::new("students", true)
        .coded()
        .keeping(inputs::STUDENT_COLUMNS),
    TableNeed::new("stage_a_scores", false),
    TableNeed::new("stage_b_scores", false),
];

/// The dataset's manifest (§4): the run's record `record` (JSON), marked confidential-grade,
/// with how the pseudonyms are made (not the key), the school years this run wrote and every
/// school year the dataset now holds.
pub fn dataset_manifest(
    mut record: serde_json::Value,
    written: &BTreeSet<i64>,
    held: &BTreeSet<i64>,
) -> serde_json::Value {
    let all: BTreeSet<i64> = written.union(held).copied().collect();
    record["classification"] = "confidential".into();
    record["classification_note"] = "Confidential-grade research data: pseudonymized, but scores, percentiles and categories of identifiable groups. Release only under a data-use agreement inside a secure research environment; aggregates/ alone is for open publication.".into();
    record["pseudonyms"] =
        "HMAC-SHA256(key, \"student:\" || id), first 16 bytes, hex; the key is not in this dataset"
            .into();
    record["school_years_written"] = serde_json::json!(written);
    record["school_years"] = serde_json::json!(all);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_confidential_and_lists_the_years_written_and_held() {
        let v = dataset_manifest(
            serde_json::json!({"job": "research-export"}),
            &BTreeSet::from([2027]),
            &BTreeSet::from([2025, 2027]),
        );
        assert_eq!(v["job"], "research-export");
        assert_eq!(v["classification"], "confidential");
        assert_eq!(v["school_years_written"], serde_json::json!([2027]));
        assert_eq!(v["school_years"], serde_json::json!([2025, 2027]));
    }
}
