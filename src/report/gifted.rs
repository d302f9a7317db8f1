//! gifted-elementary's sections of the report (docs/report.md §4): identification (counts
//! by category, sector, district and grade; the funnel by gender; the composites' histogram
//! per norm group; the cut-offs) and placement (tracks, enrichment centers, unserved
//! students). Fed by the job's frames: `report/students` (the phases' students: gender,
//! sector, district, grade), `report/stage_a_tested`, `stage_b_invitations`,
//! `confidential/results`, `interview_invitations`, `placements`, `waitlist`,
//! `placement_tracks`, `enrichment_groups`, `unserved` and `cutoffs`. Only counts leave it:
//! never an ID, a name, a composite or a rank.
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

    fn categories(&self, b: &mut Builder, who: &People) -> Result<()> {
        let Some(df) = self.frame("confidential/results") else {
            return Ok(());
        };
        let st = "confidential/results";
        let id = texts(df, st, "student_id")?;
        let cat = texts(df, st, "category")?;
        let all: Vec<&str> = id.iter().map(|s| s.unwrap_or("")).collect();
        let genders = genders(all.iter(), who);
        let mut t = CountTable::of_children(
            b.w("by_category"),
            b.w("category"),
            genders
                .iter()
                .map(|g| b.w(&format!("gender_{g}")))
                .collect(),
        );
        t.total_col = true;
        t.total_row = true;
        let mut rows: BTreeMap<&str, Vec<u64>> = CATEGORIES
            .iter()
            .map(|c| (*c, vec![0; genders.len()]))
            .collect();
        for (i, c) in cat.iter().enumerate() {
            let g = gender_of(all[i], who);
            let j = genders.iter().position(|x| *x == g).unwrap_or(0);
            if let Some(r) = rows.get_mut(c.unwrap_or("")) {
                r[j] += 1;
            }
        }
        t.rows = CATEGORIES
            .iter()
            .map(|c| (b.w(&format!("category_{c}")), rows[c].clone()))
            .collect();
        b.counts(&t);
        Ok(())
    }

    /// Per norm group, the composites in bins of five points, with the thresholds.
    fn histograms(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("confidential/results") else {
            return Ok(());
        };
        let st = "confidential/results";
        let group = texts(df, st, "norm_group")?;
        let num = ints(df, st, "composite_num")?;
        let den = ints(df, st, "composite_den")?;
        let mut bins: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for i in 0..group.len() {
            let (Some(n), Some(d)) = (num[i], den[i]) else {
                continue;
            };
            let b = bin_of(n as i128, d as i128);
            bins.entry(group[i].unwrap_or(""))
                .or_insert_with(|| vec![0; BINS])[b] += 1;
        }
        b.heading(b.w("histograms"));
        b.note(b.w("histogram_note"));
        let lines: Vec<(String, f64)> = ["gifted", "excellent"]
            .iter()
            .zip(self.thresholds)
            .map(|(k, r)| {
                (
                    format!("{} {r}", b.w(&format!("threshold_{k}"))),
                    r.num() as f64 / r.den() as f64,
                )
            })
            .collect();
        for (g, counts) in bins {
            // The group's bins and their total (shown in the cut-offs) are suppressed
            // together, so a hidden bin is not the total less the shown ones.
            let mut t = CountTable::of_children(String::new(), String::new(), vec![]);
            t.columns = (0..BINS).map(|i| i.to_string()).collect();
            t.children = vec![true; BINS];
            t.total_col = true;
            t.rows = vec![(g.to_string(), counts)];
            let (_, cells) = t.cells(&b.words, b.min_cell);
            let row = &cells[0].1[..BINS];
            let title = format!("{} {g}", b.w("histogram_of"));
            match chart::histogram(&title, BIN as u32, row, &lines, b.min_cell) {
                Ok(svg) => b.chart(title, svg),
                Err(e) => b.note(e.to_string()),
            }
        }
        Ok(())
    }

    fn cutoffs(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("cutoffs") else {
            return Ok(());
        };
        let st = "cutoffs";
        let kids = ["n_population", "n_tested", "n_gifted", "n_excellent"];
        let raw: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| c.ends_with("_gifted_raw") || c.ends_with("_excellent_raw"))
            .collect();
        let groups = texts(df, st, "norm_group")?;
        let mut t = CountTable::of_children(
            String::new(),
            b.w("norm_group"),
            kids.iter().map(|k| b.w(k)).collect(),
        );
        let counts: Vec<Vec<Option<i64>>> = kids
            .iter()
            .map(|k| ints(df, st, k))
            .collect::<Result<_>>()?;
        let raws: Vec<Vec<Option<i64>>> =
            raw.iter().map(|k| ints(df, st, k)).collect::<Result<_>>()?;
        for (i, g) in groups.iter().enumerate() {
            let v = counts
                .iter()
                .map(|c| c[i].unwrap_or(0).max(0) as u64)
                .collect();
            t.rows.push((g.unwrap_or("").to_string(), v));
        }
        t.caption = b.w("cutoffs");
        t.total_row = true;
        b.counts(&t);
        // The raw-score cut-offs: a row per norm group and subtest (groups, not children).
        let mut subtests: Vec<&str> = raw
            .iter()
            .filter_map(|r| r.strip_suffix("_gifted_raw"))
            .collect();
        subtests.dedup();
        let column_of = |name: String| raw.iter().position(|r| *r == name);
        let mut rows = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            for sub in &subtests {
                let value = |which: &str| {
                    column_of(format!("{sub}_{which}_raw"))
                        .and_then(|j| raws[j][i])
                        .map_or_else(|| "—".to_string(), |v| v.to_string())
                };
                rows.push(vec![
                    g.unwrap_or("").to_string(),
                    b.w(sub),
                    value("gifted"),
                    value("excellent"),
                ]);
            }
        }
        let header = vec![
            b.w("norm_group"),
            b.w("subtest"),
            b.w("cutoff_gifted"),
            b.w("cutoff_excellent"),
        ];
        b.numeric_table(b.w("cutoff_scores"), header, rows, false);
        Ok(())
    }

    fn tracks(&self, b: &mut Builder, who: &People) -> Result<()> {
        let Some(df) = self.frame("placement_tracks") else {
            return Ok(());
        };
        let st = "placement_tracks";
        let ids = texts(df, st, "track_id")?;
        let seats = ints(df, st, "seats")?;
        let cont_b = ints(df, st, "continuing_boys")?;
        let cont_g = ints(df, st, "continuing_girls")?;
        // Per track: placed, invited, waitlisted — boys and girls.
        let mut by: BTreeMap<String, [u64; 6]> = BTreeMap::new();
        for (k, stem) in ["placements", "interview_invitations", "waitlist"]
            .iter()
            .enumerate()
        {
            let Some(df) = self.frame(stem) else {
                continue;
            };
            let sid = texts(df, stem, "student_id")?;
            let track = texts(df, stem, "track_id")?;
            let gender = match df.column("gender") {
                Ok(_) => texts(df, stem, "gender")?,
                Err(_) => vec![None; sid.len()],
            };
            for i in 0..sid.len() {
                let g = match gender[i] {
                    Some(g) => g,
                    None => gender_of(sid[i].unwrap_or(""), who),
                };
                let j = 2 * k + usize::from(g == "f");
                by.entry(track[i].unwrap_or("").to_string()).or_default()[j] += 1;
            }
        }
        let keys = [
            "seats",
            "continuing_boys",
            "continuing_girls",
            "placed_boys",
            "placed_girls",
            "invited_boys",
            "invited_girls",
            "waitlisted_boys",
            "waitlisted_girls",
        ];
        let mut t = CountTable::of_children(
            b.w("tracks"),
            b.w("track"),
            keys.iter().map(|k| b.w(k)).collect(),
        );
        t.children[0] = false;
        t.total_row = true;
        for i in 0..ids.len() {
            let id = ids[i].unwrap_or("").to_string();
            let n = |v: Option<i64>| v.unwrap_or(0).max(0) as u64;
            let mut v = vec![n(seats[i]), n(cont_b[i]), n(cont_g[i])];
            v.extend(by.get(&id).copied().unwrap_or_default());
            t.rows.push((id, v));
        }
        b.counts(&t);
        Ok(())
    }

    fn centers(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("enrichment_groups") else {
            return Ok(());
        };
        let st = "enrichment_groups";
        let center = texts(df, st, "center_id")?;
        let program = texts(df, st, "program")?;
        let grade = ints(df, st, "grade")?;
        let group = ints(df, st, "group_no")?;
        let mut students: BTreeMap<&str, u64> = BTreeMap::new();
        // A group is its (program, grade, group number) at a center.
        type Group<'a> = (Option<&'a str>, Option<i64>, Option<i64>);
        let mut groups: BTreeMap<&str, BTreeSet<Group>> = BTreeMap::new();
        for i in 0..center.len() {
            let c = center[i].unwrap_or("");
            *students.entry(c).or_default() += 1;
            groups
                .entry(c)
                .or_default()
                .insert((program[i], grade[i], group[i]));
        }
        let mut t = CountTable::of_children(
            String::new(),
            b.w("center"),
            vec![b.w("groups"), b.w("students")],
        );
        t.children = vec![false, true];
        t.total_row = true;
        for (c, n) in &students {
            t.rows
                .push((c.to_string(), vec![groups[c].len() as u64, *n]));
        }
        let (mut header, cells) = t.cells(&b.words, b.min_cell);
        header.push(b.w("load"));
        let min = b.min_cell;
        let cap = self.group_capacity.max(1);
        let mut suppressed = false;
        let rows = cells
            .iter()
            .map(|(label, c)| {
                suppressed |= c.iter().any(|c| !c.is_shown());
                let mut row = vec![label.clone()];
                row.extend(c.iter().map(|c| c.text(min)));
                // The load shows the count it is made of: hidden with it.
                row.push(match (c[0], c[1]) {
                    (super::suppress::Cell::Count(g), super::suppress::Cell::Count(s)) if g > 0 => {
                        percent(s, g * cap)
                    }
                    _ => "*".into(),
                });
                row
            })
            .collect();
        b.numeric_table(b.w("centers"), header, rows, suppressed);
        Ok(())
    }

    fn unserved(&self, b: &mut Builder) -> Result<()> {
        let Some(df) = self.frame("unserved") else {
            return Ok(());
        };
        let st = "unserved";
        let program = texts(df, st, "program")?;
        let authority = texts(df, st, "residence_authority_id")?;
        let mut by: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for i in 0..program.len() {
            let j = usize::from(program[i] == Some("excellent"));
            by.entry(authority[i].unwrap_or(""))
                .or_insert_with(|| vec![0, 0])[j] += 1;
        }
        if by.is_empty() {
            b.note(b.w("no_unserved"));
            return Ok(());
        }
        let mut t = CountTable::of_children(
            b.w("unserved"),
            b.w("authority"),
            vec![b.w("category_gifted"), b.w("category_excellent")],
        );
        t.total_col = true;
        t.total_row = true;
        t.rows = by.into_iter().map(|(a, v)| (a.to_string(), v)).collect();
        b.counts(&t);
        Ok(())
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
