//! The minimised tables of the research dataset (docs/research-export.md §3): each person ID
//! replaced by its pseudonym; no names, addresses, contacts, class IDs or exact dates (birth
//! year and month only, immigration year only); institutions, authorities, sector, region and
//! supervision kept, since they describe schools, not people. Rows are sorted by pseudonym, so
//! that no table's order follows the order of the ID numbers.
use super::inputs::{EnrichmentIn, InstitutionIn, PlacementIn, StageAIn, StageBIn, StudentIn};
use super::pseudonym::{Pid, Pseudonymizer};
use crate::error::{Error, Result};
use crate::table::Table;
use chrono::Datelike;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A row of `research_students`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentOut<'a> {
    pub student_pid: Pid,
    pub birth_year: i32,
    pub birth_month: u32,
    pub gender: &'a str,
    pub grade: i64,
    pub institution_id: &'a str,
    pub authority_id: Option<&'a str>,
    pub supervision: Option<&'a str>,
    pub sector: Option<&'a str>,
    pub region_id: Option<&'a str>,
    pub residence_authority_id: &'a str,
    pub immigration_year: Option<i32>,
    pub years_abroad: Option<i64>,
}

/// A row of `research_stage_a`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageAOut<'a> {
    pub student_pid: Pid,
    pub status: &'a str,
    pub score: Option<i64>,
}

/// A row of `research_stage_b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageBOut<'a> {
    pub student_pid: Pid,
    pub subtest: &'a str,
    pub status: &'a str,
    pub raw_score: Option<i64>,
    pub session: Option<&'a str>,
}

/// A row of `research_placements`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementOut<'a> {
    pub student_pid: Option<Pid>,
    pub track_id: Option<&'a str>,
    pub class_no: Option<i64>,
    pub gender: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// A row of `research_enrichment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrichmentOut<'a> {
    pub student_pid: Option<Pid>,
    pub center_id: Option<&'a str>,
    pub program: Option<&'a str>,
    pub grade: Option<i64>,
    pub group_no: Option<i64>,
    pub institution_id: Option<&'a str>,
}

/// A table's rows in the order they are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordered<T> {
    rows: Vec<T>,
}

impl<T: Sync> Ordered<T> {
    /// `rows` ordered by `key`, rows of equal keys in the order they were made: a stable
    /// sort, made on the keys and row numbers alone, the same at any thread count. The rows
    /// are then moved to their places in one pass (`permute`), so that the writer reads
    /// them in memory order: read through the sorted row numbers, each of a national table's
    /// columns cost a cache miss per row.
    pub fn by<K: Ord + Send>(mut rows: Vec<T>, key: impl Fn(&T) -> K + Sync) -> Result<Self> {
        let n = u32::try_from(rows.len()).map_err(|_| {
            Error::Job(format!(
                "research-export: {} rows are more than one partition holds",
                rows.len()
            ))
        })?;
        let mut keyed: Vec<(K, u32)> = rows
            .par_iter()
            .zip(0..n)
            .map(|(r, i)| (key(r), i))
            .collect();
        keyed.par_sort_unstable();
        let order: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
        permute(&mut rows, &order);
        Ok(Ordered { rows })
    }

    /// The rows in their order.
    pub fn in_order(&self) -> Vec<&T> {
        self.rows.iter().collect()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Puts row `order[k]` of `rows` at place `k`, for every `k`, in place: each cycle of the
/// permutation is followed once, a swap per row (`order` is a permutation of `0..rows.len()`,
/// as [`Ordered::by`] makes it).
fn permute<T>(rows: &mut [T], order: &[u32]) {
    let mut placed = vec![false; rows.len()];
    for start in 0..rows.len() {
        // The row first at `start` is carried along the cycle to the place that takes it.
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = order[at] as usize;
            if from == start {
                break;
            }
            rows.swap(at, from);
            at = from;
        }
    }
}

/// The students of school year `year` (§3): birth year and month, the school's authority,
/// supervision, sector and region from `institutions`; ordered by pseudonym.
pub fn students<'a>(
    p: &Pseudonymizer,
    year: i64,
    students: &[StudentIn<'a>],
    institutions: &BTreeMap<&'a str, InstitutionIn<'a>>,
) -> Result<Ordered<StudentOut<'a>>> {
    // A hash map of the schools (looked up 2.4 million times nationally); the pseudonyms
    // (an HMAC each) are made over the threads, in the students' order.
    let schools: foldhash::HashMap<&str, &InstitutionIn> =
        institutions.iter().map(|(k, v)| (*k, v)).collect();
    // The rows of the year picked first, so that the rows made over the threads go straight
    // to their places (a filtered parallel iterator collects pieces and copies them).
    let kept: Vec<&StudentIn> = students.iter().filter(|s| s.school_year == year).collect();
    let out: Vec<StudentOut> = kept
        .par_iter()
        .map(|s| {
            let i = schools.get(s.institution_id);
            StudentOut {
                student_pid: p.pid(&s.student_id),
                birth_year: s.birth_date.year(),
                birth_month: s.birth_date.month(),
                gender: s.gender,
                grade: s.grade,
                institution_id: s.institution_id,
                authority_id: i.map(|i| i.authority_id),
                supervision: i.map(|i| i.supervision),
                sector: i.map(|i| i.sector),
                region_id: i.map(|i| i.region_id),
                residence_authority_id: s.residence_authority_id,
                immigration_year: s.immigration_date.map(|d| d.year()),
                years_abroad: s.years_abroad,
            }
        })
        .collect();
    Ordered::by(out, |s| s.student_pid)
}

/// Stage A rows of school year `year`, ordered by pseudonym.
pub fn stage_a<'a>(
    p: &Pseudonymizer,
    year: i64,
    rows: &[StageAIn<'a>],
) -> Result<Ordered<StageAOut<'a>>> {
    let out: Vec<StageAOut> = rows
        .par_iter()
        .filter(|r| r.school_year == year)
        .map(|r| StageAOut {
            student_pid: p.pid(r.student_id),
            status: r.status,
            score: r.score,
        })
        .collect();
    Ordered::by(out, |r| r.student_pid)
}

/// Stage B rows of school year `year`, one per student and subtest, ordered by pseudonym and
/// subtest.
pub fn stage_b<'a>(
    p: &Pseudonymizer,
    year: i64,
    rows: &[StageBIn<'a>],
) -> Result<Ordered<StageBOut<'a>>> {
    let out: Vec<StageBOut> = rows
        .par_iter()
        .filter(|r| r.school_year == year)
        .map(|r| StageBOut {
            student_pid: p.pid(r.student_id),
            subtest: r.subtest,
            status: r.status,
            raw_score: r.raw_score,
            session: r.session,
        })
        .collect();
    Ordered::by(out, |r| (r.student_pid, r.subtest))
}

/// The run's class placements of school year `year` (a row without a year is the run's),
/// ordered by pseudonym (rows without a student first) and track.
pub fn placements<'a>(
    p: &Pseudonymizer,
    year: i64,
    rows: &[PlacementIn<'a>],
) -> Result<Ordered<PlacementOut<'a>>> {
    let out: Vec<PlacementOut> = rows
        .iter()
        .filter(|r| r.school_year.is_none_or(|y| y == year))
        .map(|r| PlacementOut {
            student_pid: r.student_id.map(|id| p.pid(id)),
            track_id: r.track_id,
            class_no: r.class_no,
            gender: r.gender,
            status: r.status,
        })
        .collect();
    Ordered::by(out, |r| (r.student_pid, r.track_id))
}

/// The run's enrichment groups, ordered by pseudonym and center.
pub fn enrichment<'a>(
    p: &Pseudonymizer,
    rows: &[EnrichmentIn<'a>],
) -> Result<Ordered<EnrichmentOut<'a>>> {
    let out: Vec<EnrichmentOut> = rows
        .par_iter()
        .map(|r| EnrichmentOut {
            student_pid: r.student_id.map(|id| p.pid(id)),
            center_id: r.center_id,
            program: r.program,
            grade: r.grade,
            group_no: r.group_no,
            institution_id: r.institution_id,
        })
        .collect();
    Ordered::by(out, |r| (r.student_pid, r.center_id))
}

/// The school year of a roster (§1): every student's, which must be one. `roster`: its
/// folder, for the messages.
pub fn school_year(students: &[StudentIn], roster: &Path) -> Result<i64> {
    let years: BTreeSet<i64> = students.iter().map(|s| s.school_year).collect();
    match years.iter().collect::<Vec<_>>().as_slice() {
        [y] => Ok(**y),
        [] => Err(Error::Usage(format!(
            "the roster {} has no students",
            roster.display()
        ))),
        many => Err(Error::Usage(format!(
            "the roster {} holds students of several school years ({}); a gifted-elementary run is of one",
            roster.display(),
            many.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Each student's category in the results of `year` (validated `results`).
pub fn categories(results: &Table, year: i64) -> Result<HashMap<&str, &str>> {
    let ids = results.text("student_id")?;
    let cats = results.text("category")?;
    let years = results
        .df
        .column("school_year")
        .and_then(|c| c.i64())
        .map_err(|e| {
            Error::Job(format!(
                "{}: column `school_year`: {e}",
                results.schema.name
            ))
        })?;
    let mut out = HashMap::new();
    for i in 0..ids.len() {
        if let (Some(id), Some(c), Some(y)) = (ids.get(i), cats.get(i), years.get(i)) {
            if y == year {
                out.insert(id, c);
            }
        }
    }
    Ok(out)
}

/// `results` of `year` with the pseudonym in place of the ID and without the year (the
/// partition's), sorted by pseudonym; every other column as the run wrote it (its per-subtest
/// percentiles included).
pub fn results(p: &Pseudonymizer, year: i64, results: &DataFrame) -> Result<DataFrame> {
    let err = |e: PolarsError| Error::Job(format!("research-export results: {e}"));
    let ids = results
        .column("student_id")
        .and_then(|c| c.str())
        .map_err(err)?;
    let years = results
        .column("school_year")
        .and_then(|c| c.i64())
        .map_err(err)?;
    let keep: BooleanChunked = years.iter().map(|y| Some(y == Some(year))).collect();
    let pids: Vec<Option<String>> = ids.iter().map(|id| id.map(|id| p.student(id))).collect();
    let mut columns = vec![Column::new("student_pid".into(), pids)];
    for c in results.columns() {
        if !matches!(c.name().as_str(), "student_id" | "school_year") {
            columns.push(c.clone());
        }
    }
    let df = DataFrame::new(results.height(), columns).map_err(err)?;
    let df = df.filter(&keep).map_err(err)?;
    df.sort(["student_pid"], SortMultipleOptions::default())
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn key() -> Pseudonymizer {
        Pseudonymizer::new(&[3u8; 32]).unwrap()
    }

    fn student(id: &'static str, year: i64, born: &str) -> StudentIn<'static> {
        StudentIn {
            student_id: id.into(),
            school_year: year,
            birth_date: NaiveDate::parse_from_str(born, "%Y-%m-%d").unwrap(),
            gender: "f",
            institution_id: "100001",
            grade: 2,
            residence_authority_id: "A1",
            immigration_date: NaiveDate::from_ymd_opt(2021, 8, 30),
            years_abroad: None,
        }
    }

    #[test]
    fn students_keep_birth_year_and_month_and_the_school_not_the_person() {
        let inst = InstitutionIn {
            institution_id: "100001",
            authority_id: "A7",
            supervision: "official",
            sector: "arabic",
            region_id: "north",
        };
        let institutions = BTreeMap::from([("100001", inst)]);
        let rows = [
            student("000000018", 2027, "2019-02-28"),
            student("000000026", 2026, "2018-12-01"),
            student("000000034", 2027, "2018-12-31"),
        ];
        let out = students(&key(), 2027, &rows, &institutions).unwrap();
        // The 2026 row belongs to another partition.
        assert_eq!(out.len(), 2);
        let out = out.in_order();
        let first = out
            .iter()
            .find(|s| s.student_pid == key().pid("000000018"))
            .unwrap();
        assert_eq!((first.birth_year, first.birth_month), (2019, 2));
        assert_eq!(first.immigration_year, Some(2021));
        assert_eq!(
            (first.authority_id, first.sector, first.region_id),
            (Some("A7"), Some("arabic"), Some("north"))
        );
        // Sorted by pseudonym, not by ID.
        assert!(out[0].student_pid.hex() < out[1].student_pid.hex());
    }

    #[test]
    fn score_rows_of_another_year_are_not_in_the_partition() {
        let rows = [
            StageAIn {
                student_id: "000000018",
                school_year: 2027,
                status: "tested",
                score: Some(700),
            },
            StageAIn {
                student_id: "000000018",
                school_year: 2026,
                status: "tested",
                score: Some(650),
            },
        ];
        let out = stage_a(&key(), 2027, &rows).unwrap();
        assert_eq!(out.len(), 1);
        let out = out.in_order();
        assert_eq!(out[0].score, Some(700));
        assert_eq!(out[0].student_pid, key().pid("000000018"));
    }

    #[test]
    fn a_roster_is_of_one_school_year() {
        let roster = Path::new("/r");
        let one = [
            student("000000018", 2027, "2019-02-28"),
            student("000000026", 2027, "2018-12-01"),
        ];
        assert_eq!(school_year(&one, roster).unwrap(), 2027);
        let two = [
            student("000000018", 2027, "2019-02-28"),
            student("000000026", 2026, "2018-12-01"),
        ];
        let e = school_year(&two, roster).unwrap_err().to_string();
        assert!(e.contains("several school years (2026, 2027)"), "{e}");
        let e = school_year(&[], roster).unwrap_err().to_string();
        assert!(e.contains("has no students"), "{e}");
    }

    #[test]
    fn results_of_the_year_pseudonymized_sorted_without_id_and_year() {
        let df = df!(
            "student_id" => ["000000018", "000000026", "000000034"],
            "school_year" => [2027i64, 2026, 2027],
            "category" => ["gifted", "excellent", "not_eligible"],
        )
        .unwrap();
        let out = results(&key(), 2027, &df).unwrap();
        assert_eq!(out.get_column_names(), ["student_pid", "category"]);
        assert_eq!(out.height(), 2);
        let pids: Vec<&str> = out
            .column("student_pid")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        let mut want = vec![key().student("000000018"), key().student("000000034")];
        want.sort();
        assert_eq!(pids, want);
    }

    #[test]
    fn ordered_rows_are_a_stable_sort_of_the_rows() {
        let rows = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5), ("a", 6)];
        let o = Ordered::by(rows.clone(), |r| r.0).unwrap();
        let got: Vec<i32> = o.in_order().iter().map(|r| r.1).collect();
        assert_eq!(got, [2, 4, 6, 1, 3, 5]);
        let mut stable = rows;
        stable.sort_by_key(|r| r.0);
        assert_eq!(o.in_order(), stable.iter().collect::<Vec<_>>());
        let none = Ordered::by(Vec::<(&str, i32)>::new(), |r| r.0).unwrap();
        assert!(none.is_empty() && none.in_order().is_empty());
    }

    #[test]
    fn permute_puts_each_row_where_the_order_says() {
        // Two cycles (0 → 2 → 1 → 0 and 3 → 4 → 3) and a row that stays (5).
        let mut rows = ['a', 'b', 'c', 'd', 'e', 'f'];
        permute(&mut rows, &[2, 0, 1, 4, 3, 5]);
        assert_eq!(rows, ['c', 'a', 'b', 'e', 'd', 'f']);
        let mut none: [char; 0] = [];
        permute(&mut none, &[]);
        // Reversing 7 rows, and every rotation of 5.
        let mut rows: Vec<u32> = (0..7).collect();
        let order: Vec<u32> = (0..7).rev().collect();
        permute(&mut rows, &order);
        assert_eq!(rows, order);
        for shift in 0..5u32 {
            let order: Vec<u32> = (0..5).map(|k| (k + shift) % 5).collect();
            let mut rows: Vec<u32> = (0..5).collect();
            permute(&mut rows, &order);
            assert_eq!(rows, order, "shift {shift}");
        }
    }
}
