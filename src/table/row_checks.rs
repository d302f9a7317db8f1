//! Checks over several columns of a row or a group of rows, from the schema's `checks`: age
//! range, column order, required-when, in-parameter and non-decreasing (`equals_referenced`
//! needs the referenced table and is checked with the references).
use super::convert::days_to_date;
use super::par::par_row_ranges;
use super::pending::{as_i64, col, show, Pending};
use super::reject::Reject;
use super::schema::Check;
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The `age_range` check of one row range.
pub(super) struct AgeRange<'a> {
    table: &'a str,
    date: &'a str,
    min: i64,
    max: i64,
}

impl AgeRange<'_> {
    /// Rejects of the rows (numbered from `start`) whose age on 1 September is out of range.
    /// Within range ⇔ born after 1 Sept of (year − 2 − max) and on or before 1 Sept of
    /// (year − 1 − min): two comparisons per row, the age itself is computed only for the
    /// message of a reject.
    fn rejects(&self, start: usize, births: &Int32Chunked, years: &Int64Chunked) -> Vec<Reject> {
        let (min, max) = (self.min, self.max);
        let mut found = Vec::new();
        let mut bounds: Option<(i64, Option<(i32, i32)>)> = None;
        for (j, (b, y)) in births.iter().zip(years.iter()).enumerate() {
            let (Some(b), Some(y)) = (b, y) else { continue };
            let range = match bounds {
                Some((by, r)) if by == y => r,
                _ => {
                    let r = age_bounds(y, min, max);
                    bounds = Some((y, r));
                    r
                }
            };
            if range.is_some_and(|(lo, hi)| lo < b && b <= hi) {
                continue;
            }
            let Some(b) = days_to_date(b) else { continue };
            let on = (y - 1, 9, 1);
            let mut age = on.0 - i64::from(b.year());
            if (b.month(), b.day()) > (on.1, on.2) {
                age -= 1;
            }
            if age < min || age > max {
                found.push(Reject::new(
                    self.table,
                    start + j,
                    self.date,
                    b.to_string(),
                    "age_range",
                    format!(
                        "the student would be {age} on 1 September {}; expected {min}–{max}",
                        y - 1
                    ),
                ));
            }
        }
        found
    }
}

/// Checks over several columns of a row (or a group of rows), from the schema's `checks`.
pub(super) fn row_checks(p: &mut Pending, params: &BTreeMap<String, Vec<String>>) {
    let name = p.schema.name.clone();
    // Rows already rejected for their values are not checked again.
    let before = p.rejects.rejected.clone();
    for check in &p.schema.checks {
        let mut found = Vec::new();
        match check {
            Check::AgeRange {
                date,
                year,
                min,
                max,
                ..
            } => {
                let births = col(p, date).date().expect("date").physical().clone();
                let years = col(p, year).i64().expect("int").clone();
                // Row ranges on the threads; the rejects come back in row order.
                let ages = AgeRange {
                    table: &name,
                    date,
                    min: *min,
                    max: *max,
                };
                let parts: Vec<Vec<Reject>> = par_row_ranges(births.len())
                    .map(|(start, len)| {
                        let births = births.slice(start as i64, len);
                        let years = years.slice(start as i64, len);
                        ages.rejects(start, &births, &years)
                    })
                    .collect();
                found.extend(parts.into_iter().flatten());
            }
            Check::ColumnOrder { low, high, .. } => {
                let lo = as_i64(col(p, low));
                let hi = as_i64(col(p, high));
                for (i, (l, h)) in lo.iter().zip(&hi).enumerate() {
                    if let (Some(l), Some(h)) = (l, h) {
                        if h < l {
                            found.push(Reject::new(
                                &name,
                                i,
                                high,
                                show(col(p, high), i),
                                "column_order",
                                format!(
                                    "`{high}` must not be less than `{low}` ({})",
                                    show(col(p, low), i)
                                ),
                            ));
                        }
                    }
                }
            }
            Check::RequiredWhen {
                column,
                when,
                equals,
                ..
            } => {
                let w = col(p, when).str().expect("text").clone();
                let c = col(p, column);
                let nulls = c.is_null();
                for (i, (wv, n)) in w.iter().zip(nulls.iter()).enumerate() {
                    if wv == Some(equals.as_str()) && n == Some(true) {
                        found.push(Reject::new(
                            &name,
                            i,
                            column,
                            "",
                            "required_when",
                            format!("`{column}` is required when `{when}` is {equals}"),
                        ));
                    }
                }
            }
            Check::InParameter {
                column,
                parameter,
                name: rule,
                ..
            } => {
                let allowed = params.get(parameter).cloned().unwrap_or_default();
                let c = col(p, column).str().expect("text").clone();
                for (i, v) in c.iter().enumerate() {
                    if let Some(v) = v {
                        if !v.is_empty() && !allowed.iter().any(|a| a == v) {
                            found.push(Reject::new(
                                &name,
                                i,
                                column,
                                v,
                                rule,
                                format!(
                                    "`{column}` must be one of the pipeline's {parameter}: {}",
                                    allowed.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
            // Needs the referenced table: checked with the references.
            Check::EqualsReferenced { .. } => {}
            Check::NonDecreasing {
                column,
                order_by,
                group,
                ..
            } => {
                let groups: Vec<Vec<String>> = (0..p.height)
                    .map(|i| group.iter().map(|g| show(col(p, g), i)).collect())
                    .collect();
                let order = as_i64(col(p, order_by));
                let values: Vec<Option<f64>> =
                    col(p, column).f64().expect("float").iter().collect();
                let mut rows: Vec<usize> = (0..p.height)
                    .filter(|&i| {
                        !p.rejects.is_rejected(i) && order[i].is_some() && values[i].is_some()
                    })
                    .collect();
                rows.sort_by(|&a, &b| groups[a].cmp(&groups[b]).then(order[a].cmp(&order[b])));
                for w in rows.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if groups[a] == groups[b] && values[b] < values[a] {
                        found.push(Reject::new(
                            &name,
                            b,
                            column,
                            show(col(p, column), b),
                            "non_decreasing",
                            format!(
                                "`{column}` decreases from {} to {} as `{order_by}` grows within {}",
                                show(col(p, column), a),
                                show(col(p, column), b),
                                groups[b].join("/")
                            ),
                        ));
                    }
                }
            }
        }
        for r in found {
            if !before[(r.row_number - 1) as usize] {
                p.rejects.add(r);
            }
        }
    }
}

/// Birth dates (days since 1970-01-01) that give an age in `min..=max` on 1 September of
/// `year − 1`: `(lo, hi)` with `lo < birth <= hi`. `None` when the dates are out of range
/// (every row then takes the exact path).
fn age_bounds(year: i64, min: i64, max: i64) -> Option<(i32, i32)> {
    let sept1 = |y: i64| {
        let y = i32::try_from(y).ok()?;
        chrono::NaiveDate::from_ymd_opt(y, 9, 1).map(super::convert::date_to_days)
    };
    Some((sept1(year - 2 - max)?, sept1(year - 1 - min)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn age(birth: NaiveDate, year: i64) -> i64 {
        let mut a = year - 1 - i64::from(birth.year());
        if (birth.month(), birth.day()) > (9, 1) {
            a -= 1;
        }
        a
    }

    #[test]
    fn age_bounds_agree_with_the_age_on_1_september() {
        let (min, max) = (3, 21);
        for year in [2000i64, 2024, 2027] {
            let (lo, hi) = age_bounds(year, min, max).unwrap();
            let from = NaiveDate::from_ymd_opt(year as i32 - 25, 1, 1).unwrap();
            for d in 0..(26 * 366) {
                let b = from + chrono::Days::new(d);
                let days = super::super::convert::date_to_days(b);
                let inside = lo < days && days <= hi;
                let a = age(b, year);
                assert_eq!(inside, (min..=max).contains(&a), "{b} in {year}: age {a}");
            }
        }
    }
}
