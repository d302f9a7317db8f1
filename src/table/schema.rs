//! Table schemas, loaded from the TOML files of `schemas/` (compiled into the binary, so `itur`
//! works from any directory). One file per table drives validation, `itur schema` and the
//! column descriptions written into Parquet metadata.
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The column types of the data contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColType {
    Str,
    Int,
    Float,
    Date,
    Bool,
    Enum,
    /// A list of text values (outputs only): a Parquet list, and in CSV the values joined by
    /// `;`. A row gives it in that `;`-joined form (the values — codes, IDs — never hold `;`).
    List,
}

impl ColType {
    pub fn name(self) -> &'static str {
        match self {
            ColType::Str => "str",
            ColType::Int => "int",
            ColType::Float => "float",
            ColType::Date => "date",
            ColType::Bool => "bool",
            ColType::Enum => "enum",
            ColType::List => "list",
        }
    }
}

/// A text pattern some `str` columns must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    /// Digits, `+` and `-`, with at least one digit.
    Phone,
    /// Contains `@` with text on both sides.
    Email,
    /// 5 or 7 digits.
    Zip,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSchema {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColType,
    /// The value may be empty, and the column may be absent from the file.
    #[serde(default)]
    pub optional: bool,
    /// Allowed values of an `enum` column.
    #[serde(default)]
    pub values: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Exactly this many digits.
    pub digits: Option<usize>,
    /// An Israeli ID number (or a reference to one): checked, and normalized to its 9-digit
    /// form on reading.
    #[serde(default)]
    pub israeli_id: bool,
    /// The value may name a file or folder of an output (`tracks/<track_id>.csv`), so it must
    /// be one plain name (`rules::identifier`; rule `unsafe_identifier`).
    #[serde(default)]
    pub identifier: bool,
    /// The most characters a `str` value may have (`rules::text::DEFAULT_MAX_CHARS` when not
    /// set; names and addresses set 200).
    pub max_length: Option<usize>,
    /// A score, percentile or composite: its values never leave `confidential/`, so a reject
    /// of this column withholds the value.
    #[serde(default)]
    pub confidential: bool,
    /// Each row holds its own value (or nearly: an ID of a per-student or per-meeting output),
    /// so the column is written to Parquet without a dictionary, which would only cost (the
    /// writer tries one on every text column). An encoding only: the values read back are the
    /// same.
    #[serde(default)]
    pub distinct: bool,
    pub pattern: Option<Pattern>,
    /// `table.column` this column refers to.
    pub references: Option<String>,
    pub description: String,
    pub hebrew: String,
    /// The Hebrew words for the column's values (`gifted` → `מחונן`), written in place of the
    /// codes in the lists and spreadsheets people read with Hebrew headers; a value without
    /// one is written as it is. Parquet and the analysts' CSV keep the codes.
    #[serde(default)]
    pub hebrew_values: std::collections::BTreeMap<String, String>,
}

/// The placeholder of a per-subtest column's name, description and Hebrew name: an output
/// column `{subtest}_percentile` stands for one column per subtest of the pipeline
/// (`math_percentile`, `verbal_percentile`, …), in the pipeline's order.
pub const SUBTEST: &str = "{subtest}";

impl ColumnSchema {
    /// For a per-subtest column (`{subtest}_<suffix>`), its suffix.
    pub fn subtest_suffix(&self) -> Option<&str> {
        self.name.strip_prefix(SUBTEST)?.strip_prefix('_')
    }

    /// Whether column `name` of a file is this column: the same name, or for a per-subtest
    /// column any `<subtest>_<suffix>`.
    pub fn matches(&self, name: &str) -> bool {
        match self.subtest_suffix() {
            None => self.name == name,
            Some(suffix) => name
                .strip_suffix(suffix)
                .and_then(|n| n.strip_suffix('_'))
                .is_some_and(|subtest| !subtest.is_empty()),
        }
    }

    /// The description and Hebrew name of the file's column `name` (which [`Self::matches`]):
    /// for a per-subtest column, with the subtest's name in place of the placeholder.
    pub fn text_for(&self, name: &str) -> (String, String) {
        match self.subtest_suffix() {
            None => (self.description.clone(), self.hebrew.clone()),
            Some(suffix) => {
                let subtest = &name[..name.len().saturating_sub(suffix.len() + 1)];
                (
                    self.description.replace(SUBTEST, subtest),
                    self.hebrew.replace(SUBTEST, subtest),
                )
            }
        }
    }

    /// Value `v` as people read it: with Hebrew headers (`hebrew`), its Hebrew word
    /// where the schema gives one (each of a list's `;`-joined values in turn).
    pub fn value_for<'a>(&'a self, v: &'a str, hebrew: bool) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        if !hebrew || self.hebrew_values.is_empty() {
            return Cow::Borrowed(v);
        }
        if self.ty == ColType::List {
            let words: Vec<&str> = (v.split(';'))
                .map(|x| self.hebrew_values.get(x).map_or(x, String::as_str))
                .collect();
            return Cow::Owned(words.join(";"));
        }
        self.hebrew_values
            .get(v)
            .map_or(Cow::Borrowed(v), |h| Cow::Borrowed(h.as_str()))
    }

    /// The referenced (table, column), if any.
    pub fn reference(&self) -> Option<(&str, &str)> {
        self.references.as_deref().and_then(|r| r.split_once('.'))
    }

    /// The most characters a value may have: for `str` columns only (an enum lists its values).
    pub fn max_chars(&self) -> Option<usize> {
        (self.ty == ColType::Str).then(|| {
            self.max_length
                .unwrap_or(crate::rules::text::DEFAULT_MAX_CHARS)
        })
    }

    /// One line describing the rule of the column, for `itur schema` and the docs.
    pub fn rule_text(&self) -> String {
        let mut parts = Vec::new();
        if self.optional {
            parts.push("optional".to_string());
        }
        if self.israeli_id {
            parts.push("Israeli ID".to_string());
        }
        if let Some(d) = self.digits {
            parts.push(format!("{d} digits"));
        }
        if self.identifier {
            parts.push(format!("plain name {}", crate::rules::identifier::PATTERN));
        }
        if let Some(n) = self.max_chars() {
            parts.push(format!("≤ {n} characters"));
        }
        if !self.values.is_empty() {
            parts.push(format!("one of {}", self.values.join(", ")));
        }
        match (self.min, self.max) {
            (Some(lo), Some(hi)) => parts.push(format!("{lo}–{hi}")),
            (Some(lo), None) => parts.push(format!("≥ {lo}")),
            (None, Some(hi)) => parts.push(format!("≤ {hi}")),
            (None, None) => {}
        }
        if let Some(p) = self.pattern {
            parts.push(format!("{p:?}").to_lowercase());
        }
        if let Some(r) = &self.references {
            parts.push(format!("→ {r}"));
        }
        parts.join("; ")
    }
}

/// A rule over several columns of a row (or of a group of rows).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Age in whole years on 1 September of calendar year (`year` − 1) within [min, max].
    AgeRange {
        date: String,
        year: String,
        min: i64,
        max: i64,
        description: String,
    },
    /// `low` ≤ `high` when both are present.
    ColumnOrder {
        low: String,
        high: String,
        description: String,
    },
    /// `column` must have a value when `when` equals `equals`.
    RequiredWhen {
        column: String,
        when: String,
        equals: String,
        description: String,
    },
    /// `column`'s value must be one of the list parameter `parameter` of the pipeline.
    InParameter {
        column: String,
        parameter: String,
        name: String,
        description: String,
    },
    /// `column` must equal `target` of the row of `references` (`table.column`) that `key`
    /// refers to (e.g. a delegation's `granted_by` is its owner's `signatory_id`).
    EqualsReferenced {
        column: String,
        key: String,
        references: String,
        target: String,
        name: String,
        description: String,
    },
    /// Within each `group`, `column` must not decrease as `order_by` grows.
    NonDecreasing {
        column: String,
        order_by: String,
        group: Vec<String>,
        description: String,
    },
}

impl Check {
    /// The columns of its own table the check reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Check::AgeRange { date, year, .. } => vec![date, year],
            Check::ColumnOrder { low, high, .. } => vec![low, high],
            Check::RequiredWhen { column, when, .. } => vec![column, when],
            Check::InParameter { column, .. } => vec![column],
            Check::EqualsReferenced { column, key, .. } => vec![column, key],
            Check::NonDecreasing {
                column,
                order_by,
                group,
                ..
            } => {
                let mut v = vec![column.as_str(), order_by.as_str()];
                v.extend(group.iter().map(String::as_str));
                v
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSchema {
    pub name: String,
    pub description: String,
    pub hebrew: String,
    pub source: Option<String>,
    /// Written under `confidential/` (scores, percentiles, ranks, lottery numbers,
    /// special-education status or personal finances): a test checks every written file.
    #[serde(default)]
    pub confidential: bool,
    /// Whether jobs read the table, write it or both; when not set, from `source` (an
    /// `output` or the `data-contract`'s rejects and exclusions are outputs).
    direction: Option<Direction>,
    #[serde(default)]
    pub key: Vec<String>,
    #[serde(default)]
    pub checks: Vec<Check>,
    pub columns: Vec<ColumnSchema>,
}

/// Whether the jobs read a table, write it, or both (`confidential/results`, written by
/// identification and read by placement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Input,
    Output,
    Both,
}

impl TableSchema {
    pub fn direction(&self) -> Direction {
        self.direction.unwrap_or(match self.source.as_deref() {
            Some("output" | "data-contract") => Direction::Output,
            _ => Direction::Input,
        })
    }

    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The schema column of a file's column `name`: the column of that name, else the
    /// per-subtest column it is one of ([`ColumnSchema::matches`]).
    pub fn column_of_file(&self, name: &str) -> Option<&ColumnSchema> {
        self.column(name).or_else(|| {
            (self.columns.iter()).find(|c| c.subtest_suffix().is_some() && c.matches(name))
        })
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

macro_rules! schema_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../schemas/", $name, ".toml")))),*]
    };
}

/// Every schema file of `schemas/`, in dependency order (a table comes after the tables it
/// refers to). Input tables first, then output tables (`out_*`).
const SCHEMA_FILES: &[(&str, &str)] = schema_files![
    "owners",
    "institutions",
    "classes",
    "students",
    "tracks",
    "contacts",
    "contact_details",
    "delegations",
    "stage_a_scores",
    "referrals",
    "stage_b_scores",
    "norm_tables",
    "gifted_tracks",
    "enrichment_centers",
    "class_requests",
    "interviews",
    "confirmed_placements",
    "results",
    "secondary_scores",
    "secondary_tracks",
    "secondary_applications",
    "gifted_program_history",
    "graduate_assessments",
    "secondary_interviews",
    "committee_referrals",
    "committee_meetings",
    "committee_decisions",
    "colleges",
    "loan_applications",
    "ragav_list",
    "budget",
    "retest_requests",
    "retest_history",
    "absence_notices",
    "accommodation_decisions",
    "language_test_requests",
    "rejects",
    "exclusions",
    // Output tables (descriptions for the Parquet metadata and `itur schema`).
    "stage_b_invitations",
    "pending_referrals",
    "screening_units",
    "norm_table",
    "cutoffs",
    "school_lists",
    "school_invitation_list",
    "program_lists",
    "interview_invitations",
    "placements",
    "waitlist",
    "request_outcomes",
    "enrichment_groups",
    "unserved",
    "placement_tracks",
    "track_list",
    "center_list",
    "audit",
    "candidates",
    "application_outcomes",
    "track_summary",
    "enrichment_continuation",
    "secondary_placements",
    "secondary_waitlist",
    "secondary_interview_invitations",
    "letters",
    "undeliverable",
    "unreached_guardians",
    "decisions",
    "entitlements",
    "violations",
    "totals_by_institution",
    "totals",
    "approvals",
    "rejections",
    "ranking",
    "regular_amounts",
    "college_lists",
    "college_list",
    "budget_summary",
    "retest_decisions",
    "retest_review_order",
    "absence_decisions",
    "accommodation_outcomes",
    "adapted_sessions",
    "language_decisions",
    "research_students",
    "research_stage_a",
    "research_stage_b",
    "research_results",
    "research_placements",
    "research_enrichment",
    "research_aggregates",
    "research_codebook",
    "dictionary",
    // `itur diff`.
    "changes",
    "score_changes",
    "summary",
    "parameters",
];

fn parse_all() -> Result<Vec<TableSchema>, String> {
    SCHEMA_FILES
        .iter()
        .map(|(file, text)| {
            let s: TableSchema =
                toml::from_str(text).map_err(|e| format!("schemas/{file}.toml: {e}"))?;
            if s.name != *file {
                return Err(format!(
                    "schemas/{file}.toml: name `{}` differs from the file name",
                    s.name
                ));
            }
            Ok(s)
        })
        .collect()
}

/// All schemas, parsed once. The files are part of the binary and checked by a unit test, so
/// a broken schema file fails the build's tests rather than a user's run.
pub fn all() -> &'static [TableSchema] {
    static SCHEMAS: OnceLock<Vec<TableSchema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| parse_all().unwrap_or_else(|e| panic!("invalid schema file: {e}")))
}

pub fn get(name: &str) -> Option<&'static TableSchema> {
    all().iter().find(|s| s.name == name)
}

/// Position of a table in the dependency order.
pub fn order(name: &str) -> usize {
    all()
        .iter()
        .position(|s| s.name == name)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
