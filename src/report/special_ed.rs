//! special-ed-baskets' section of the report (docs/report.md §6): the committees' violations
//! by rule and by authority, and the support baskets by functioning level. Fed by the job's
//! two report frames (`report/special_ed_violations`: violations per authority and rule;
//! `report/special_ed_baskets`: entitlements per implementation year and level, with their
//! exact hour sums), which hold no ID of a student. Special-education status is health
//! information: every count of meetings or students is a count of children, suppressed with
//! `report.min_cell`; an hour sum is shown only beside a count that is shown.
use super::{ints, texts, Builder, CountTable, Section};
use crate::error::{Error, Result};
use crate::jobs::special_ed::checks::Rule;
use crate::jobs::special_ed::outputs::{REPORT_BASKETS, REPORT_VIOLATIONS};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// The entitlements of one implementation year and level, as the job counted them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Baskets {
    n_students: u64,
    n_integration: u64,
    /// Exact decimal texts of the sums (basket, aide-hour equivalent, guidance).
    hours: [String; 3],
}

/// special-ed-baskets' part of the report.
#[derive(Debug, Clone, Default)]
pub struct SpecialEd {
    /// (authority_id, rule name) → violations.
    violations: BTreeMap<(String, String), u64>,
    /// (implementation_year, functioning_level) → its entitlements.
    baskets: BTreeMap<(i64, String), Baskets>,
}

fn count(n: Option<i64>, stem: &str, column: &str) -> Result<u64> {
    n.and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| Error::Job(format!("report: {stem}.{column} has no count")))
}

impl Section for SpecialEd {
    fn observe(&mut self, stem: &str, df: &DataFrame) -> Result<()> {
        if stem == REPORT_VIOLATIONS {
            let authority = texts(df, stem, "authority_id")?;
            let rule = texts(df, stem, "rule")?;
            let n = ints(df, stem, "n")?;
            for ((a, r), n) in authority.into_iter().zip(rule).zip(n) {
                let key = (a.unwrap_or("").to_string(), r.unwrap_or("").to_string());
                *self.violations.entry(key).or_insert(0) += count(n, stem, "n")?;
            }
        } else if stem == REPORT_BASKETS {
            let year = ints(df, stem, "implementation_year")?;
            let level = texts(df, stem, "functioning_level")?;
            let students = ints(df, stem, "n_students")?;
            let integration = ints(df, stem, "n_integration")?;
            let hours = [
                texts(df, stem, "basket_hours")?,
                texts(df, stem, "aide_hours_equivalent")?,
                texts(df, stem, "guidance_hours")?,
            ];
            for i in 0..df.height() {
                let year = year[i].ok_or_else(|| {
                    Error::Job(format!("report: {stem}.implementation_year is empty"))
                })?;
                let text = |k: usize| hours[k][i].unwrap_or("").to_string();
                self.baskets.insert(
                    (year, level[i].unwrap_or("").to_string()),
                    Baskets {
                        n_students: count(students[i], stem, "n_students")?,
                        n_integration: count(integration[i], stem, "n_integration")?,
                        hours: [text(0), text(1), text(2)],
                    },
                );
            }
        }
        Ok(())
    }

    fn render(&self, b: &mut Builder) -> Result<()> {
        b.section("special_ed");
        b.note(b.w("sped_note"));
        self.by_rule(b);
        self.by_authority(b);
        self.by_level(b)
    }
}

impl SpecialEd {
    /// Violations by rule (every rule of §2, in the spec's order), with its severity and who
    /// is responsible, and a total row.
    fn by_rule(&self, b: &mut Builder) {
        let mut per_rule: BTreeMap<&str, u64> = BTreeMap::new();
        for ((_, rule), n) in &self.violations {
            *per_rule.entry(rule.as_str()).or_insert(0) += n;
        }
        let mut t = CountTable::of_children(
            b.w("sped_by_rule"),
            b.w("sped_rule"),
            vec![b.w("sped_meetings")],
        );
        t.total_row = true;
        t.rows = Rule::ALL
            .iter()
            .map(|r| {
                let label = format!(
                    "{} ({}, {})",
                    b.w_or(&format!("sped_rule_{}", r.name()), r.name()),
                    b.w(&format!("sped_{}", r.severity())),
                    b.w(&format!("sped_by_{}", r.responsible())),
                );
                (label, vec![per_rule.get(r.name()).copied().unwrap_or(0)])
            })
            .collect();
        b.counts(&t);
    }

    /// Violations and warnings per authority, with each row's and each column's total.
    fn by_authority(&self, b: &mut Builder) {
        let mut per: BTreeMap<&str, [u64; 2]> = BTreeMap::new();
        for ((authority, rule), n) in &self.violations {
            let warning = Rule::ALL
                .iter()
                .find(|r| r.name() == rule)
                .is_some_and(|r| r.severity() == "warning");
            per.entry(authority.as_str()).or_insert([0; 2])[usize::from(warning)] += n;
        }
        if per.is_empty() {
            b.note(b.w("sped_no_violations"));
            return;
        }
        let mut t = CountTable::of_children(
            b.w("sped_by_authority"),
            b.w("authority"),
            vec![b.w("sped_violations"), b.w("sped_warnings")],
        );
        t.total_col = true;
        t.total_row = true;
        t.rows = per
            .into_iter()
            .map(|(a, n)| (a.to_string(), n.to_vec()))
            .collect();
        b.counts(&t);
    }

    /// Per implementation year: students and integrated students by functioning level
    /// (suppressed, with a total row), beside the exact sums of their weekly hours — each
    /// shown only when the count it belongs to is (guidance with the integrated students,
    /// the basket and its aide-hour equivalent with the students).
    fn by_level(&self, b: &mut Builder) -> Result<()> {
        let years: Vec<i64> = {
            let mut y: Vec<i64> = self.baskets.keys().map(|k| k.0).collect();
            y.dedup();
            y
        };
        if years.is_empty() {
            b.note(b.w("sped_no_entitlements"));
            return Ok(());
        }
        let min = b.min_cell;
        for year in years {
            let levels: Vec<(&String, &Baskets)> = (self.baskets.iter())
                .filter(|((y, _), _)| *y == year)
                .map(|((_, l), v)| (l, v))
                .collect();
            let mut t = CountTable::of_children(
                format!("{} {year}", b.w("sped_by_level")),
                b.w("sped_level"),
                vec![b.w("students"), b.w("sped_integrated")],
            );
            t.total_row = true;
            t.rows = levels
                .iter()
                .map(|(l, v)| (l.to_string(), vec![v.n_students, v.n_integration]))
                .collect();
            let (mut header, cells) = t.cells(&b.words, min);
            header.extend([
                b.w("sped_basket_hours"),
                b.w("sped_aide_hours"),
                b.w("sped_guidance_hours"),
            ]);
            let total = total_hours(&levels)?;
            let rows = cells
                .iter()
                .enumerate()
                .map(|(i, (label, c))| {
                    let hours = levels.get(i).map_or(&total, |(_, v)| &v.hours);
                    let mut r = vec![label.clone(), c[0].text(min), c[1].text(min)];
                    let shown = |k: usize, cell: usize| {
                        if c[cell].is_shown() {
                            hours[k].clone()
                        } else {
                            "*".to_string()
                        }
                    };
                    r.extend([shown(0, 0), shown(1, 0), shown(2, 1)]);
                    r
                })
                .collect();
            let suppressed = cells.iter().flat_map(|(_, c)| c).any(|c| !c.is_shown());
            b.numeric_table(
                format!("{} {year}", b.w("sped_by_level")),
                header,
                rows,
                suppressed,
            );
        }
        Ok(())
    }
}

/// The exact sums of the levels' hours (decimal texts), for the total row.
fn total_hours(levels: &[(&String, &Baskets)]) -> Result<[String; 3]> {
    use crate::jobs::special_ed::hours::show;
    use crate::rules::fraction::Ratio;
    let mut sums = [Ratio::ZERO; 3];
    for (_, v) in levels {
        for (sum, text) in sums.iter_mut().zip(&v.hours) {
            // `show` writes an exact decimal, or `num/den` for a value that has none.
            let r = match text.split_once('/') {
                Some((n, d)) => Ratio::parse_decimal(n)
                    .and_then(|n| Ratio::parse_decimal(d).map(|d| n / d))
                    .ok()
                    .filter(|_| !d.trim().starts_with('0')),
                None => Ratio::parse_decimal(text).ok(),
            }
            .ok_or_else(|| {
                Error::Job(format!("report: {REPORT_BASKETS}: `{text}` is not hours"))
            })?;
            *sum = *sum + r;
        }
    }
    Ok(sums.map(show))
}
