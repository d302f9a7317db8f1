//! `aggregates/`: counts of students by school year × sector × region × gender × category for
//! open publication (docs/research-export.md §5), with every count below `min_cell` and its
//! complementary cells suppressed ([`super::suppress`]; zeros are published).
use super::inputs::{InstitutionIn, StudentIn};
use super::suppress::suppress;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The categories counted, in their order: identification's categories (gifted.md §3), then
/// the students with no identification result (not referred to stage B, or not tested).
pub const CATEGORIES: [&str; 6] = [
    "gifted",
    "excellent",
    "not_eligible",
    "incomplete",
    "removed",
    "no_result",
];

/// The word in a margin's place: the total over sector, region and gender, or over categories.
pub const ALL: &str = "all";

/// A row of the counts: sector, region, gender.
type RowKey<'a> = (&'a str, &'a str, &'a str);

/// One student as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<'a> {
    pub sector: &'a str,
    pub region_id: &'a str,
    pub gender: &'a str,
    /// One of [`CATEGORIES`].
    pub category: &'a str,
}

/// A row of `research_aggregates`: a count, or nothing where it is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregateOut {
    pub sector: String,
    pub region_id: String,
    pub gender: String,
    pub category: String,
    pub students: Option<u64>,
    pub suppressed: bool,
}

/// Each student of the roster as counted: the sector and region of the school (`unknown` for
/// a school not in `institutions`), the gender, and the category of the year's results
/// (`no_result` without one).
pub fn counted<'a>(
    students: &[StudentIn<'a>],
    institutions: &BTreeMap<&str, InstitutionIn<'a>>,
    categories: &HashMap<&str, &'a str>,
) -> Vec<Counted<'a>> {
    let schools: foldhash::HashMap<&str, &InstitutionIn> =
        institutions.iter().map(|(k, v)| (*k, v)).collect();
    students
        .iter()
        .map(|s| {
            let i = schools.get(s.institution_id);
            Counted {
                sector: i.map_or("unknown", |i| i.sector),
                region_id: i.map_or("unknown", |i| i.region_id),
                gender: s.gender,
                category: categories
                    .get(s.student_id.as_str())
                    .copied()
                    .unwrap_or("no_result"),
            }
        })
        .collect()
}

/// The counts of one school year's `students`, with their margins, suppressed. A category not
/// among [`CATEGORIES`] is an error of the caller (it never happens: the categories come from
/// the results' schema).
pub fn aggregate(students: &[Counted], min_cell: u64) -> Vec<AggregateOut> {
    // Each row (sector, region, gender) found once through a hash map, its counts beside it;
    // then the rows in their order.
    let mut row_of: foldhash::HashMap<RowKey, usize> = Default::default();
    let mut counted: Vec<(RowKey, Vec<u64>)> = Vec::new();
    for s in students {
        let key = (s.sector, s.region_id, s.gender);
        let i = *row_of.entry(key).or_insert_with(|| {
            counted.push((key, vec![0u64; CATEGORIES.len()]));
            counted.len() - 1
        });
        let j = CATEGORIES
            .iter()
            .position(|c| *c == s.category)
            .unwrap_or(CATEGORIES.len() - 1);
        counted[i].1[j] += 1;
    }
    counted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let (rows, cells): (Vec<RowKey>, Vec<Vec<u64>>) = counted.into_iter().unzip();
    if rows.is_empty() {
        return Vec::new();
    }
    let hidden = suppress(&cells, min_cell);
    let m = super::suppress::with_margins(&cells);
    let mut out = Vec::new();
    let labels = rows.iter().copied().chain(std::iter::once((ALL, ALL, ALL)));
    for (i, (sector, region, gender)) in labels.enumerate() {
        for (j, category) in CATEGORIES.iter().chain(std::iter::once(&ALL)).enumerate() {
            out.push(AggregateOut {
                sector: sector.into(),
                region_id: region.into(),
                gender: gender.into(),
                category: (*category).into(),
                students: (!hidden[i][j]).then_some(m[i][j]),
                suppressed: hidden[i][j],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn many<'a>(n: usize, c: Counted<'a>) -> Vec<Counted<'a>> {
        vec![c; n]
    }

    #[test]
    fn counts_with_margins_and_no_published_count_below_the_minimum() {
        let c = |sector, gender, category| Counted {
            sector,
            region_id: "north",
            gender,
            category,
        };
        let mut s = Vec::new();
        s.extend(many(12, c("hebrew", "f", "gifted")));
        s.extend(many(30, c("hebrew", "f", "no_result")));
        s.extend(many(3, c("hebrew", "m", "gifted")));
        s.extend(many(40, c("hebrew", "m", "no_result")));
        let out = aggregate(&s, 10);
        // 2 rows and the total row, each with 6 categories and the total.
        assert_eq!(out.len(), 3 * 7);
        assert!(out
            .iter()
            .all(|r| r.students.is_none_or(|n| n == 0 || n >= 10)));
        assert!(out.iter().all(|r| r.suppressed == r.students.is_none()));
        let get = |sector: &str, gender: &str, cat: &str| {
            out.iter()
                .find(|r| r.sector == sector && r.gender == gender && r.category == cat)
                .unwrap()
                .students
        };
        assert_eq!(get("all", "all", "all"), Some(85));
        assert_eq!(get("hebrew", "f", "all"), Some(42));
        assert_eq!(get("hebrew", "m", "gifted"), None);
        // The 12 beside the 3 is its complement: the gifted column total is 15.
        assert_eq!(get("hebrew", "f", "gifted"), None);
        assert_eq!(get("all", "all", "gifted"), Some(15));
    }

    #[test]
    fn each_student_counted_with_the_school_and_the_category_or_no_result() {
        let st = |id: &str, inst| StudentIn {
            student_id: id.into(),
            school_year: 2027,
            birth_date: chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
            gender: "m",
            institution_id: inst,
            grade: 2,
            residence_authority_id: "A1",
            immigration_date: None,
            years_abroad: None,
        };
        let school = InstitutionIn {
            institution_id: "100001",
            authority_id: "A7",
            supervision: "official",
            sector: "arabic",
            region_id: "north",
        };
        let institutions = BTreeMap::from([("100001", school)]);
        let categories = HashMap::from([("000000018", "gifted")]);
        let out = counted(
            &[st("000000018", "100001"), st("000000026", "999999")],
            &institutions,
            &categories,
        );
        assert_eq!(
            (out[0].sector, out[0].region_id, out[0].category),
            ("arabic", "north", "gifted")
        );
        assert_eq!(
            (out[1].sector, out[1].region_id, out[1].category),
            ("unknown", "unknown", "no_result")
        );
    }
}
