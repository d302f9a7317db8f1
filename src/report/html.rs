//! The run section (every job) and the page: the sections' parts through the minijinja
//! template `templates/report/report.html`.
use super::{Builder, Lang, Sections, Words};
use crate::error::{Error, Result};
use crate::output::manifest::{InputEntry, PhaseEntry};
use crate::pipeline::PipelineSource;
use crate::table::Reject;
use minijinja::{context, Environment};
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../templates/report/report.html");

/// How many reject rules the run section lists (the most common first).
const TOP_RULES: usize = 10;

/// Rejected input rows of one table, column and rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    pub table: String,
    pub column: String,
    pub rule: String,
    pub count: u64,
}

impl RuleCount {
    /// The most common rules of `rejects` (by count, then table, column, rule), at most ten.
    /// Only the table, column and rule: a reject's value and message may hold an ID.
    pub fn top(rejects: &[Reject]) -> Vec<RuleCount> {
        let mut by: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
        for r in rejects {
            *by.entry((&r.table, &r.column, &r.rule)).or_default() += 1;
        }
        let mut v: Vec<RuleCount> = by
            .into_iter()
            .map(|((t, c, r), count)| RuleCount {
                table: t.into(),
                column: c.into(),
                rule: r.into(),
                count,
            })
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.count));
        v.truncate(TOP_RULES);
        v
    }
}

/// What the run section shows: the run's record, without its times or IDs (the same inputs
/// give the same report, byte for byte).
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    pub job: String,
    pub phase: Option<String>,
    pub phases: Vec<PhaseEntry>,
    pub tool_version: String,
    /// Pipeline parameters that differ from the bundled pipeline: (key, value, default).
    pub differing: Vec<(String, String, String)>,
    pub overrides: Vec<String>,
    pub inputs: Vec<InputEntry>,
    pub reject_rules: Vec<RuleCount>,
    pub warnings: Vec<String>,
}

/// Every parameter of a pipeline as `dotted.key = value`.
fn flatten(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in t {
        let key = match prefix {
            "" => k.clone(),
            p => format!("{p}.{k}"),
        };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// The parameters of `src` (after `--set`) that differ from the job's bundled pipeline, in
/// key order: (key, value, default); "—" for a side that has no such key.
pub fn differing(src: &PipelineSource, job: &str) -> Vec<(String, String, String)> {
    let mut now = BTreeMap::new();
    flatten("", &src.table, &mut now);
    let mut default = BTreeMap::new();
    if let Some(t) = crate::pipeline::source::bundled_table(job) {
        flatten("", &t, &mut default);
    }
    let keys: std::collections::BTreeSet<&String> = now.keys().chain(default.keys()).collect();
    keys.into_iter()
        .filter(|k| now.get(*k) != default.get(*k))
        .map(|k| {
            let dash = || "—".to_string();
            (
                k.clone(),
                now.get(k).cloned().unwrap_or_else(dash),
                default.get(k).cloned().unwrap_or_else(dash),
            )
        })
        .collect()
}

/// A warning as the report shows it: every run of five or more digits — an ID, wherever a
/// warning names a student (`confirmed_placements: 123456782 is not gifted …`) — is
/// replaced by `•••••`. The manifest keeps the warning whole.
pub(crate) fn mask_ids(warning: &str) -> String {
    let mut out = String::with_capacity(warning.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 5 {
            out.push_str("•••••");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in warning.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn run_section(b: &mut Builder, f: &RunFacts) {
    b.section("run");
    let mut about = vec![
        vec![b.w("job"), f.job.clone()],
        vec![b.w("tool_version"), format!("itur {}", f.tool_version)],
    ];
    if let Some(p) = &f.phase {
        about.push(vec![b.w("phase"), b.w(&format!("phase_{p}"))]);
    }
    for p in &f.phases {
        let status = match &p.reason {
            Some(reason) => format!("{} ({reason})", b.w(&p.status)),
            None => b.w(&p.status),
        };
        about.push(vec![b.w(&format!("phase_{}", p.phase)), status]);
    }
    b.table(b.w("about_run"), vec![b.w("item"), b.w("value")], about);
    if f.differing.is_empty() {
        b.note(b.w("no_differing_parameters"));
    } else {
        let rows = f
            .differing
            .iter()
            .map(|(k, v, d)| vec![k.clone(), v.clone(), d.clone()])
            .collect();
        b.table(
            b.w("differing_parameters"),
            vec![b.w("parameter"), b.w("value"), b.w("default")],
            rows,
        );
    }
    let rows = f
        .inputs
        .iter()
        .map(|i| {
            vec![
                i.table.clone(),
                i.rows_read.to_string(),
                i.rows_accepted.to_string(),
                i.rows_excluded.to_string(),
                i.rows_rejected.to_string(),
            ]
        })
        .collect();
    b.table(
        b.w("inputs"),
        [
            "table",
            "rows_read",
            "rows_accepted",
            "rows_excluded",
            "rows_rejected",
        ]
        .iter()
        .map(|k| b.w(k))
        .collect(),
        rows,
    );
    // A reference table read only for the rows the run needs (docs/inputs.md §5.1): its
    // counts are of the rows read, so the page says so, with the rows of the file.
    for i in &f.inputs {
        if let Some(n) = i.rows_in_file {
            let note = format!(
                "{}: {} ({} {n})",
                i.table,
                b.w("read_for"),
                b.w("rows_in_file")
            );
            b.note(note);
        }
    }
    if f.reject_rules.is_empty() {
        b.note(b.w("no_rejects"));
    } else {
        let rows = f
            .reject_rules
            .iter()
            .map(|r| {
                vec![
                    r.table.clone(),
                    r.column.clone(),
                    r.rule.clone(),
                    r.count.to_string(),
                ]
            })
            .collect();
        b.table(
            b.w("reject_rules"),
            ["table", "column", "rule", "rows"]
                .iter()
                .map(|k| b.w(k))
                .collect(),
            rows,
        );
    }
    if f.warnings.is_empty() {
        b.note(b.w("no_warnings"));
    } else {
        b.heading(b.w("warnings"));
        for w in &f.warnings {
            b.note(mask_ids(w));
        }
    }
}

/// The report of a run: the run section, then each job section, as one HTML page.
pub fn render(facts: &RunFacts, sections: &Sections, lang: Lang, min_cell: u64) -> Result<Vec<u8>> {
    let words = Words::of(lang)?;
    let mut b = Builder::new(words.clone(), min_cell);
    run_section(&mut b, facts);
    sections.render(&mut b)?;
    let parts = b.into_sections();
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| Error::Template(format!("templates/report/report.html: {e}")))?;
    let html = env
        .get_template("report.html")
        .and_then(|t| {
            t.render(context! {
                lang => lang.code(),
                dir => if lang == Lang::He { "rtl" } else { "ltr" },
                w => minijinja::value::Serde(words.map()),
                job => facts.job.clone(),
                min_cell => min_cell,
                sections => minijinja::value::Serde(&parts),
            })
        })
        .map_err(|e| Error::Template(format!("templates/report/report.html: {e}")))?;
    Ok(html.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reject(table: &str, rule: &str) -> Reject {
        Reject {
            table: table.into(),
            row_number: 1,
            column: "c".into(),
            value: "123456782".into(),
            rule: rule.into(),
            message: "the id 123456782 is bad".into(),
        }
    }

    #[test]
    fn warnings_lose_their_ids_and_keep_small_numbers() {
        assert_eq!(
            mask_ids("confirmed_placements: 123456782 is not gifted and keeps track GT-A0001-1"),
            "confirmed_placements: ••••• is not gifted and keeps track GT-A0001-1"
        );
        assert_eq!(
            mask_ids("3 rows of 2027 rejected"),
            "3 rows of 2027 rejected"
        );
        assert_eq!(mask_ids("id 12345"), "id •••••");
        assert_eq!(mask_ids("1234"), "1234");
    }

    #[test]
    fn top_rules_count_by_table_column_and_rule_most_common_first_without_values() {
        let r = vec![
            reject("students", "b"),
            reject("students", "a"),
            reject("students", "b"),
            reject("classes", "b"),
        ];
        let top = RuleCount::top(&r);
        let got: Vec<(&str, &str, u64)> = top
            .iter()
            .map(|r| (r.table.as_str(), r.rule.as_str(), r.count))
            .collect();
        assert_eq!(
            got,
            [
                ("students", "b", 2),
                ("classes", "b", 1),
                ("students", "a", 1)
            ]
        );
    }

    #[test]
    fn the_page_is_rtl_hebrew_by_default_and_ltr_in_english_with_no_url_or_script() {
        let facts = RunFacts {
            job: "gifted-elementary".into(),
            tool_version: "0.1.0".into(),
            warnings: vec!["w <b>".into()],
            ..Default::default()
        };
        let he =
            String::from_utf8(render(&facts, &Sections::default(), Lang::He, 10).unwrap()).unwrap();
        assert!(he.contains("<html dir=\"rtl\" lang=\"he\">"), "{he}");
        // Text is escaped.
        assert!(he.contains("w &lt;b&gt;"));
        let en =
            String::from_utf8(render(&facts, &Sections::default(), Lang::En, 10).unwrap()).unwrap();
        assert!(en.contains("<html dir=\"ltr\" lang=\"en\">"));
        for page in [&he, &en] {
            assert!(!page.contains("://") && !page.contains("<script") && !page.contains("url("));
        }
    }
}
