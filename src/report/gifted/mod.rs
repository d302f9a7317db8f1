//! gifted-elementary's sections of the report (docs/report.md §4): identification (counts
//! by category, sector, district and grade; the funnel by gender; the composites' histogram
//! per norm group; the cut-offs) and placement (tracks, enrichment centers, unserved
//! students). Fed by the job's frames: `report/students` (the phases' students: gender,
//! sector, district, grade), `report/stage_a_tested`, `stage_b_invitations`,
//! `confidential/results`, `interview_invitations`, `placements`, `waitlist`,
//! `placement_tracks`, `enrichment_groups`, `unserved` and `cutoffs`. Only counts leave it:
//! never an ID, a name, a composite or a rank.
mod placements;
mod scores;

use super::{chart, ints, texts, Builder, CountTable, Section};
use crate::error::Result;
use crate::rules::fraction::Ratio;
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, BTreeSet};

/// Width of a histogram bin, in percentile points (20 bins over 0–100).
pub const BIN: i128 = 5;
const BINS: usize = 20;

/// The funnel's stages, in order.
pub const STAGES: [&str; 7] = [
    "tested",
    "referred",
    "sat_stage_b",
    "gifted",
    "excellent",
    "invited",
    "placed",
];

const CATEGORIES: [&str; 5] = [
    "gifted",
    "excellent",
    "not_eligible",
    "incomplete",
    "removed",
];

/// Where a student is counted: gender, sector, district and grade (borrowed from the
/// `report/students` frame).
#[derive(Clone, Copy, Debug, Default)]
struct Who<'a> {
    gender: &'a str,
    sector: &'a str,
    region: &'a str,
    grade: Option<i64>,
}

/// The students of `report/students` by ID.
type People<'a> = foldhash::HashMap<&'a str, Who<'a>>;

/// A stage of the funnel and its students, each as `report/students` has them (`None`: no
/// roster row).
type Stage<'p, 'a> = (&'static str, Vec<Option<&'p Who<'a>>>);

/// A value students are counted by: a text (sector, district) or a grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Attr<'a> {
    Number(i64),
    Text(&'a str),
    Unknown,
}

impl Attr<'_> {
    fn key(self) -> String {
        match self {
            Attr::Number(n) => n.to_string(),
            Attr::Text("") | Attr::Unknown => "unknown".into(),
            Attr::Text(t) => t.to_string(),
        }
    }
}

/// gifted-elementary's part of the report.
pub struct Gifted {
    /// `thresholds.gifted` and `thresholds.excellent`.
    thresholds: [Ratio; 2],
    /// `enrichment_group_capacity`.
    group_capacity: u64,
    frames: BTreeMap<&'static str, DataFrame>,
}

/// The frames the section reads, and the columns it keeps of each.
const READS: &[(&str, &[&str])] = &[
    (
        "report/students",
        &["student_id", "gender", "sector", "region_id", "grade"],
    ),
    ("report/stage_a_tested", &["student_id"]),
    ("stage_b_invitations", &["student_id"]),
    (
        "confidential/results",
        &[
            "student_id",
            "norm_group",
            "composite_num",
            "composite_den",
            "category",
        ],
    ),
    (
        "interview_invitations",
        &["student_id", "track_id", "gender"],
    ),
    ("placements", &["student_id", "track_id", "gender"]),
    ("waitlist", &["student_id", "track_id"]),
    ("placement_tracks", &[]),
    (
        "enrichment_groups",
        &["center_id", "program", "grade", "group_no"],
    ),
    ("unserved", &["program", "residence_authority_id"]),
    ("cutoffs", &[]),
];

impl Gifted {
    pub fn new(gifted: Ratio, excellent: Ratio, group_capacity: u64) -> Self {
        Gifted {
            thresholds: [gifted, excellent],
            group_capacity,
            frames: BTreeMap::new(),
        }
    }

    fn frame(&self, stem: &str) -> Option<&DataFrame> {
        self.frames.get(stem)
    }

    /// Each student of `report/students` by ID.
    fn people(&self) -> Result<People<'_>> {
        let mut m = People::default();
        let Some(df) = self.frame("report/students") else {
            return Ok(m);
        };
        let st = "report/students";
        let ids = texts(df, st, "student_id")?;
        let gender = texts(df, st, "gender")?;
        let sector = texts(df, st, "sector")?;
        let region = texts(df, st, "region_id")?;
        let grade = ints(df, st, "grade")?;
        m.reserve(ids.len());
        for i in 0..ids.len() {
            m.insert(
                ids[i].unwrap_or(""),
                Who {
                    gender: gender[i].unwrap_or(""),
                    sector: sector[i].unwrap_or(""),
                    region: region[i].unwrap_or(""),
                    grade: grade[i],
                },
            );
        }
        Ok(m)
    }

    /// The funnel's stages this run can count, in order, each with the IDs it holds. A stage
    /// whose table the run was not given is left out rather than shown as empty: a row of
    /// zeros is no count, and its small cells would make the suppression hide others (a run's
    /// outputs, read back by `itur diff`, have no stage A scores).
    fn stages(&self) -> Result<Vec<(&'static str, Vec<&str>)>> {
        let ids = |stem: &str| -> Result<Option<Vec<&str>>> {
            match self.frame(stem) {
                Some(df) => Ok(Some(
                    texts(df, stem, "student_id")?
                        .into_iter()
                        .map(|s| s.unwrap_or(""))
                        .collect(),
                )),
                None => Ok(None),
            }
        };
        let results = match self.frame("confidential/results") {
            None => None,
            Some(df) => {
                let st = "confidential/results";
                let id = texts(df, st, "student_id")?;
                let num = ints(df, st, "composite_num")?;
                let cat = texts(df, st, "category")?;
                let (mut sat, mut gifted, mut excellent) = (Vec::new(), Vec::new(), Vec::new());
                for i in 0..id.len() {
                    let id = id[i].unwrap_or("");
                    if num[i].is_some() {
                        sat.push(id);
                    }
                    match cat[i] {
                        Some("gifted") => gifted.push(id),
                        Some("excellent") => excellent.push(id),
                        _ => {}
                    }
                }
                Some([sat, gifted, excellent])
            }
        };
        let [sat, gifted, excellent] = match results {
            Some([s, g, e]) => [Some(s), Some(g), Some(e)],
            None => [None, None, None],
        };
        let found = [
            ids("report/stage_a_tested")?,
            ids("stage_b_invitations")?,
            sat,
            gifted,
            excellent,
            ids("interview_invitations")?,
            ids("placements")?,
        ];
        Ok(STAGES
            .into_iter()
            .zip(found)
            .filter_map(|(stage, ids)| Some((stage, ids?)))
            .collect())
    }

    /// The funnel by gender: table and chart.
    fn funnel(&self, b: &mut Builder, stages: &[Stage]) {
        let unknown = (stages.iter()).any(|(_, w)| w.iter().any(|w| gender_in(*w) == "unknown"));
        let genders = genders_shown(unknown);
        let mut t = CountTable::of_children(
            b.w("funnel_table"),
            b.w("stage"),
            genders
                .iter()
                .map(|g| b.w(&format!("gender_{g}")))
                .collect(),
        );
        t.total_col = true;
        for (k, students) in stages {
            let mut n = vec![0u64; genders.len()];
            for w in students {
                let g = gender_in(*w);
                if let Some(j) = genders.iter().position(|x| *x == g) {
                    n[j] += 1;
                }
            }
            t.rows.push((b.w(&format!("stage_{k}")), n));
        }
        let cells = b.counts(&t);
        let categories: Vec<String> = cells.iter().map(|(l, _)| l.clone()).collect();
        let series: Vec<String> = t.columns.clone();
        let bars: Vec<Vec<_>> = cells
            .iter()
            .map(|(_, c)| c[..series.len()].to_vec())
            .collect();
        match chart::grouped_bars(
            &b.w("funnel_chart"),
            &categories,
            &series,
            &bars,
            b.min_cell,
        ) {
            Ok(svg) => b.chart(b.w("funnel_chart"), svg),
            Err(e) => b.note(e.to_string()),
        }
    }

    /// The stages by one attribute of the student (sector, district or grade).
    fn by(
        &self,
        b: &mut Builder,
        key: &str,
        stages: &[Stage],
        attr: for<'a> fn(&Who<'a>) -> Attr<'a>,
    ) {
        // Counted in a hash map (a few hundred thousand students), then ordered.
        let mut counts: foldhash::HashMap<Attr, Vec<u64>> = Default::default();
        for (s, (_, students)) in stages.iter().enumerate() {
            for w in students {
                let v = w.map_or(Attr::Unknown, attr);
                counts.entry(v).or_insert_with(|| vec![0; stages.len()])[s] += 1;
            }
        }
        let counts: BTreeMap<Attr, Vec<u64>> = counts.into_iter().collect();
        let mut t = CountTable::of_children(
            b.w(&format!("by_{key}")),
            b.w(key),
            (stages.iter())
                .map(|(s, _)| b.w(&format!("stage_{s}")))
                .collect(),
        );
        t.total_row = true;
        t.rows = counts
            .into_iter()
            .map(|(k, v)| {
                let k = k.key();
                (b.w_or(&format!("{key}_{k}"), &k), v)
            })
            .collect();
        b.counts(&t);
    }
}

/// The bin of a composite `num/den` (0–100): ⌊composite / 5⌋, the last bin closed (100 is
/// in 95–100). Exact: integer division of the fraction.
pub fn bin_of(num: i128, den: i128) -> usize {
    if den <= 0 || num <= 0 {
        return 0;
    }
    ((num / (den * BIN)) as usize).min(BINS - 1)
}

/// `part / whole` as a whole percentage, rounded half up (exact).
fn percent(part: u64, whole: u64) -> String {
    format!("{}%", (200 * part + whole) / (2 * whole))
}

fn gender_of(id: &str, who: &People) -> &'static str {
    gender_in(who.get(id))
}

/// The gender a student is counted under: boy, girl, or unknown (no roster row or no gender).
fn gender_in(w: Option<&Who>) -> &'static str {
    match w.map(|w| w.gender) {
        Some("m") => "m",
        Some("f") => "f",
        _ => "unknown",
    }
}

/// The genders to show: boys and girls, and "unknown" when some student has none.
fn genders<'a, 'b: 'a>(ids: impl Iterator<Item = &'a &'b str>, who: &People) -> Vec<String> {
    let mut ids = ids;
    genders_shown(ids.any(|id| gender_of(id, who) == "unknown"))
}

/// Boys and girls, and "unknown" when `unknown`.
fn genders_shown(unknown: bool) -> Vec<String> {
    let mut g = vec!["m".to_string(), "f".to_string()];
    if unknown {
        g.push("unknown".into());
    }
    g
}

impl Section for Gifted {
    fn observe(&mut self, stem: &str, df: &DataFrame) -> Result<()> {
        let Some((name, cols)) = READS.iter().find(|(s, _)| *s == stem) else {
            return Ok(());
        };
        let kept = match cols.is_empty() {
            true => df.clone(),
            false => df
                .select(cols.iter().copied())
                .map_err(|e| crate::error::Error::Job(format!("report: table {stem}: {e}")))?,
        };
        self.frames.insert(name, kept);
        Ok(())
    }

    fn render(&self, b: &mut Builder) -> Result<()> {
        let who = self.people()?;
        // Each student of a stage is looked up once, for the funnel and the three counts by.
        let stages: Vec<Stage> = (self.stages()?.into_iter())
            .map(|(stage, ids)| (stage, ids.into_iter().map(|id| who.get(id)).collect()))
            .collect();
        let identification = self.frame("confidential/results").is_some()
            || self.frame("stage_b_invitations").is_some();
        if identification {
            b.section("identification");
            self.funnel(b, &stages);
            self.categories(b, &who)?;
            self.by(b, "sector", &stages, |w| Attr::Text(w.sector));
            self.by(b, "region", &stages, |w| Attr::Text(w.region));
            self.by(b, "grade", &stages, |w| {
                w.grade.map_or(Attr::Unknown, Attr::Number)
            });
            self.histograms(b)?;
            self.cutoffs(b)?;
        }
        if self.frame("placement_tracks").is_some() {
            b.section("placement");
            self.tracks(b, &who)?;
            self.centers(b)?;
            self.unserved(b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_exact_five_point_steps_with_100_in_the_last() {
        assert_eq!(bin_of(0, 1), 0);
        assert_eq!(bin_of(499, 100), 0); // 4.99
        assert_eq!(bin_of(5, 1), 1);
        assert_eq!(bin_of(9699, 100), 19); // 96.99
        assert_eq!(bin_of(95, 1), 19);
        assert_eq!(bin_of(1899, 20), 18); // 94.95
        assert_eq!(bin_of(100, 1), 19);
    }

    #[test]
    fn percent_rounds_half_up() {
        assert_eq!(percent(1, 8), "13%"); // 12.5
        assert_eq!(percent(17, 18), "94%");
        assert_eq!(percent(18, 18), "100%");
    }
}
