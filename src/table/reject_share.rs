//! Rules on a job's validated inputs as a whole (data-contract.md "Row validation and
//! rejects"): every row read is accepted or rejected (the reconciliation counts), and a table
//! with a larger share of rejected rows than the pipeline's `max_reject_share` stops the run
//! (exit 4) rather than deciding on what is left of it.
use super::InputSet;
use crate::error::{Error, FirstReject, RejectedTable, Result};
use crate::rules::fraction::Ratio;
use std::collections::BTreeMap;

/// Per input table, `input.<table>` → `rows_read`, `rows_accepted`, `rows_excluded`,
/// `rows_rejected`: the run record's reconciliation of the inputs (rows read = accepted +
/// excluded + rejected).
pub fn reconciliation(inputs: &InputSet) -> BTreeMap<String, BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in inputs.ordered() {
        let mut m = BTreeMap::new();
        m.insert("rows_read".to_string(), t.rows_read as i64);
        m.insert("rows_accepted".to_string(), t.rows_accepted() as i64);
        m.insert("rows_excluded".to_string(), t.rows_excluded as i64);
        m.insert("rows_rejected".to_string(), t.rows_rejected as i64);
        out.insert(format!("input.{}", t.schema.name), m);
    }
    out
}

/// The rules the rejected rows of `table` broke, with their counts, most common first (ties
/// by rule name).
pub fn rules_broken<'a>(inputs: &'a InputSet, table: &str) -> Vec<(&'a str, usize)> {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for r in inputs.rejects.iter().filter(|r| r.table == table) {
        *by_rule.entry(r.rule.as_str()).or_default() += 1;
    }
    let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    rules
}

/// One warning per table with rejected rows (below `max_reject_share`, the run goes on): the
/// count and the rules broken, most common first.
pub fn reject_warnings(inputs: &InputSet) -> Vec<String> {
    inputs
        .ordered()
        .into_iter()
        .filter(|t| t.rows_rejected > 0)
        .map(|t| {
            let rules: Vec<String> = rules_broken(inputs, &t.schema.name)
                .iter()
                .map(|(r, n)| format!("{r}: {n}"))
                .collect();
            format!(
                "{}: {} of {} rows rejected ({}); see rejects.csv",
                t.schema.name,
                t.rows_rejected,
                t.rows_read,
                rules.join(", ")
            )
        })
        .collect()
}

/// Whether `rows_rejected` of `rows_read` is more than the share `max` allows, compared
/// exactly (rejected · den > num · read, no rounding): a share exactly at `max` is allowed; a
/// table with no rows read or none rejected always is.
pub fn over_share(rows_rejected: usize, rows_read: usize, max: Ratio) -> bool {
    let (rejected, read) = (rows_rejected as i128, rows_read as i128);
    rows_read != 0 && rows_rejected != 0 && rejected * max.den() > max.num() * read
}

/// Fails (`Error::Rejected`, exit 4) when a table has more rejected rows than the share `max`
/// (`max_reject_share`) allows ([`over_share`]), naming each such table with its most common
/// rules broken and its first rejected row.
pub fn check_reject_share(inputs: &InputSet, max: Ratio) -> Result<()> {
    check_tables(inputs, max, |_| true)
}

/// Fails (exit 4) when `table` has any rejected row: a table whose every row is a decision
/// that must not be lost (e.g. `confirmed_placements`, gifted.md §4).
pub fn check_no_rejects(inputs: &InputSet, table: &str) -> Result<()> {
    check_tables(inputs, Ratio::ZERO, |t| t == table)
}

fn check_tables(inputs: &InputSet, max: Ratio, which: impl Fn(&str) -> bool) -> Result<()> {
    let mut failures = Vec::new();
    for t in inputs.ordered() {
        if !which(&t.schema.name) || !over_share(t.rows_rejected, t.rows_read, max) {
            continue;
        }
        let rules = rules_broken(inputs, &t.schema.name);
        let first = inputs
            .rejects
            .iter()
            .find(|r| r.table == t.schema.name)
            .map(|r| FirstReject {
                row_number: r.row_number,
                column: r.column.clone(),
                message: r.message.clone(),
            });
        failures.push(RejectedTable {
            table: t.schema.name.clone(),
            path: t.source.path.clone(),
            rows_rejected: t.rows_rejected,
            rows_read: t.rows_read,
            max_share: max.to_f64(),
            most_common: rules
                .iter()
                .take(3)
                .map(|(r, n)| (r.to_string(), *n))
                .collect(),
            first,
        });
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(failures))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Reject;

    #[test]
    fn a_share_exactly_at_the_limit_passes_and_one_row_more_fails() {
        let share = |n, d| Ratio::new(n, d);
        // 0.02 of 500 rows is 10.
        assert!(!over_share(10, 500, share(2, 100)));
        assert!(over_share(11, 500, share(2, 100)));
        assert!(!over_share(0, 500, Ratio::ZERO));
        assert!(over_share(1, 500, Ratio::ZERO));
        assert!(!over_share(0, 0, Ratio::ZERO));
        assert!(!over_share(3, 3, Ratio::ONE));
        // Exact, not in floats: 10¹⁶ + 1 of 10¹⁷ is just over 0.1, but as doubles the count
        // rounds to 10¹⁶ and the share to exactly 0.1.
        assert!(over_share(
            10_000_000_000_000_001,
            100_000_000_000_000_000,
            share(1, 10)
        ));
        assert!(!over_share(
            10_000_000_000_000_000,
            100_000_000_000_000_000,
            share(1, 10)
        ));
    }

    #[test]
    fn the_rules_broken_are_counted_per_table_most_common_first() {
        let reject = |table: &str, rule: &str| Reject {
            table: table.into(),
            row_number: 1,
            column: "c".into(),
            value: String::new(),
            rule: rule.into(),
            message: String::new(),
        };
        let inputs = InputSet {
            rejects: vec![
                reject("students", "range"),
                reject("students", "required"),
                reject("classes", "range"),
                reject("students", "required"),
                reject("students", "enum"),
            ],
            ..InputSet::default()
        };
        assert_eq!(
            rules_broken(&inputs, "students"),
            [("required", 2), ("enum", 1), ("range", 1)]
        );
        assert!(rules_broken(&inputs, "tracks").is_empty());
        assert!(
            check_reject_share(&inputs, Ratio::ZERO).is_ok(),
            "no table was read"
        );
    }
}
