//! `diff.html` (docs/diff.md §5): the changes counted by kind and gender, the parameters that
//! differ, and the two runs' report sections side by side — each run's sections made by the
//! run report's own builder and charts (`report::gifted::Gifted`, fed the frames the runs
//! wrote), so the privacy rules are report.html's: counts only, small counts suppressed with
//! their complement, no ID, name or score.
use super::{Change, ParameterRow, Who};
use crate::error::{Error, Result};
use crate::report::{Builder, CountTable, Lang, Part, SectionOut, Words};
use minijinja::{context, Environment};
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../templates/report/diff.html");

/// One section of the page: its own parts (the changes), or run A's and run B's parts
/// paired in order.
#[derive(Debug, Clone, serde::Serialize)]
struct Row {
    a: Option<Part>,
    b: Option<Part>,
}

#[derive(Debug, Clone, serde::Serialize)]
struct Paired {
    id: String,
    title: String,
    rows: Vec<Row>,
}

/// The page's first section: the changes by kind and gender (suppressed), and the
/// parameters that differ (texts, not counts).
fn changes_section(
    b: &mut Builder,
    changes: &[Change],
    order: &[String],
    who: &BTreeMap<String, Who>,
    parameters: &[ParameterRow],
) {
    b.section("diff_changes");
    let all = ["m", "f", "unknown"];
    let mut rows: Vec<Vec<u64>> = vec![vec![0; all.len()]; order.len()];
    for c in changes {
        let Some(k) = order.iter().position(|o| *o == c.kind) else {
            continue;
        };
        let g = who
            .get(&c.student_id)
            .and_then(|w| w.gender.as_deref())
            .unwrap_or("unknown");
        let j = all.iter().position(|x| *x == g).unwrap_or(2);
        rows[k][j] += 1;
    }
    // "Unknown" only when some changed student has no gender: a column of zeros would be
    // suppressed and take a cell of every row with it.
    let shown = if rows.iter().any(|r| r[2] > 0) { 3 } else { 2 };
    let mut t = CountTable::of_children(
        b.w("diff_by_kind"),
        b.w("diff_kind"),
        all[..shown]
            .iter()
            .map(|g| b.w(&format!("gender_{g}")))
            .collect(),
    );
    t.total_col = true;
    t.total_row = true;
    t.rows = order
        .iter()
        .zip(rows)
        .map(|(k, mut v)| {
            v.truncate(shown);
            (b.w(&format!("kind_{k}")), v)
        })
        .collect();
    b.counts(&t);
    if parameters.is_empty() {
        b.note(b.w("diff_no_parameters"));
    } else {
        let dash = || "—".to_string();
        let rows = parameters
            .iter()
            .map(|p| {
                vec![
                    p.key.clone(),
                    p.before.clone().unwrap_or_else(dash),
                    p.after.clone().unwrap_or_else(dash),
                ]
            })
            .collect();
        b.table(
            b.w("diff_parameters"),
            vec![b.w("parameter"), b.w("diff_before"), b.w("diff_after")],
            rows,
        );
    }
}

/// Pairs the two runs' sections: by section id in run A's order (then B's own), and within
/// a section part by part.
fn pair(a: Vec<SectionOut>, b: Vec<SectionOut>) -> Vec<Paired> {
    let mut b: Vec<Option<SectionOut>> = b.into_iter().map(Some).collect();
    let mut out = Vec::new();
    let mut rows_of = |id: String, title: String, pa: Vec<Part>, pb: Vec<Part>| {
        let n = pa.len().max(pb.len());
        let (mut ia, mut ib) = (pa.into_iter(), pb.into_iter());
        let rows = (0..n)
            .map(|_| Row {
                a: ia.next(),
                b: ib.next(),
            })
            .collect();
        out.push(Paired { id, title, rows });
    };
    for s in a {
        let other = b
            .iter_mut()
            .find(|x| x.as_ref().is_some_and(|x| x.id == s.id))
            .and_then(Option::take);
        rows_of(
            s.id,
            s.title,
            s.parts,
            other.map(|o| o.parts).unwrap_or_default(),
        );
    }
    for s in b.into_iter().flatten() {
        rows_of(s.id, s.title, Vec::new(), s.parts);
    }
    out
}

/// What the page is made of.
pub struct Page<'a> {
    pub job: &'a str,
    pub lang: Lang,
    pub min_cell: u64,
    pub changes: &'a [Change],
    pub order: &'a [String],
    pub who: &'a BTreeMap<String, Who>,
    pub parameters: &'a [ParameterRow],
    /// Run A's and run B's report sections (`report::Section::render` into a builder).
    pub a: Vec<SectionOut>,
    pub b: Vec<SectionOut>,
}

/// The page, as bytes.
pub fn render(p: Page) -> Result<Vec<u8>> {
    let words = Words::of(p.lang)?;
    let mut own = Builder::new(words.clone(), p.min_cell);
    changes_section(&mut own, p.changes, p.order, p.who, p.parameters);
    let own = own.into_sections();
    let paired = pair(p.a, p.b);
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("diff.html", TEMPLATE)
        .map_err(|e| Error::Template(format!("templates/report/diff.html: {e}")))?;
    let html = env
        .get_template("diff.html")
        .and_then(|t| {
            t.render(context! {
                lang => p.lang.code(),
                dir => if p.lang == Lang::He { "rtl" } else { "ltr" },
                w => minijinja::value::Serde(words_map(&words)),
                job => p.job,
                min_cell => p.min_cell,
                own => minijinja::value::Serde(&own),
                paired => minijinja::value::Serde(&paired),
            })
        })
        .map_err(|e| Error::Template(format!("templates/report/diff.html: {e}")))?;
    Ok(html.into_bytes())
}

/// The words the template reads by name.
fn words_map(w: &Words) -> BTreeMap<String, String> {
    [
        "diff_title",
        "diff_lead",
        "diff_run_a",
        "diff_run_b",
        "diff_tested_note",
        "small_legend",
        "hidden_legend",
        "footer",
    ]
    .iter()
    .map(|k| (k.to_string(), w.get(k)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(id: &str, notes: &[&str]) -> SectionOut {
        SectionOut {
            id: id.into(),
            title: id.into(),
            parts: notes
                .iter()
                .map(|n| Part::Note {
                    text: n.to_string(),
                })
                .collect(),
        }
    }

    fn text(p: &Option<Part>) -> String {
        match p {
            Some(Part::Note { text }) => text.clone(),
            _ => "-".into(),
        }
    }

    #[test]
    fn sections_pair_by_id_and_parts_in_order_with_a_missing_side_empty() {
        let a = vec![section("identification", &["a1", "a2"])];
        let b = vec![
            section("identification", &["b1"]),
            section("placement", &["b2"]),
        ];
        let p = pair(a, b);
        let got: Vec<(String, Vec<(String, String)>)> = p
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    s.rows.iter().map(|r| (text(&r.a), text(&r.b))).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "identification".to_string(),
                    vec![("a1".into(), "b1".into()), ("a2".into(), "-".into())]
                ),
                ("placement".to_string(), vec![("-".into(), "b2".into())]),
            ]
        );
    }

    #[test]
    fn the_page_is_rtl_by_default_suppresses_small_counts_and_has_no_id() {
        let order: Vec<String> = super::super::KINDS
            .iter()
            .map(|k| k.name.to_string())
            .collect();
        let changes: Vec<Change> = (0..3)
            .map(|i| Change {
                student_id: format!("30000000{i}"),
                kind: "category".into(),
                before: Some("excellent".into()),
                after: Some("gifted".into()),
            })
            .collect();
        let page = |lang| {
            String::from_utf8(
                render(Page {
                    job: "gifted-elementary",
                    lang,
                    min_cell: 10,
                    changes: &changes,
                    order: &order,
                    who: &BTreeMap::new(),
                    parameters: &[],
                    a: vec![],
                    b: vec![],
                })
                .unwrap(),
            )
            .unwrap()
        };
        let he = page(Lang::He);
        assert!(he.contains("<html dir=\"rtl\" lang=\"he\">"));
        assert!(!he.contains("30000000"));
        // Three changes: shown as "<10", never as 3.
        assert!(he.contains("&lt;10"));
        assert!(!he.contains(">3<"));
        let en = page(Lang::En);
        assert!(en.contains("<html dir=\"ltr\" lang=\"en\">"));
        for p in [&he, &en] {
            assert!(!p.contains("://") && !p.contains("<script"));
        }
    }

    /// The "gender unknown" column is shown only when a changed student has no gender: a
    /// column of zeros would be suppressed and hide a cell of every row with it.
    #[test]
    fn the_unknown_gender_column_is_shown_only_when_someone_is_in_it() {
        let order: Vec<String> = super::super::KINDS
            .iter()
            .map(|k| k.name.to_string())
            .collect();
        let changes: Vec<Change> = (0..30)
            .map(|i| Change {
                student_id: format!("3000000{i:02}"),
                kind: "category".into(),
                before: Some("excellent".into()),
                after: Some("gifted".into()),
            })
            .collect();
        let who = |without: usize| -> BTreeMap<String, Who> {
            (changes.iter().enumerate())
                .map(|(i, c)| {
                    let g = (i >= without).then_some(if i % 2 == 0 { "m" } else { "f" });
                    let w = Who {
                        sector: None,
                        gender: g.map(str::to_string),
                        region: None,
                        grade: None,
                    };
                    (c.student_id.clone(), w)
                })
                .collect()
        };
        let page = |who: &BTreeMap<String, Who>| {
            let html = render(Page {
                job: "gifted-elementary",
                lang: Lang::En,
                min_cell: 10,
                changes: &changes,
                order: &order,
                who,
                parameters: &[],
                a: vec![],
                b: vec![],
            })
            .unwrap();
            String::from_utf8(html).unwrap()
        };
        let everyone = page(&who(0));
        assert!(everyone.contains("Boys") && everyone.contains("Girls"));
        assert!(!everyone.contains("Gender unknown"));
        // 15 boys and 15 girls: both shown, nothing suppressed in the category row.
        assert!(everyone.contains(">15<"), "{everyone}");
        assert!(page(&who(1)).contains("Gender unknown"));
    }
}
