//! The synthetic year of `gifted-secondary` (`itur synth --job gifted-secondary`): the
//! nation's roster (institutions, classes, students, contacts) and its secondary admission —
//! applicants in grades 6–10 (a few percent of each grade), the admission test with the testing
//! body's norm tables, tracks in about 60 authorities (some boarding, some in their first year,
//! some authorities with two schools and registration zones), the program history of graduates
//! and their staff assessments, and interviews for a second-wave run. Seeded and deterministic:
//! one RNG per row, so the same seed gives the same bytes.
use super::frames::{df, int, int_opt, s, so};
use super::util::{normal, rng_for, SynthRng};
use super::{SynthConfig, SynthTable};
use polars::prelude::*;
use rand::Rng;
use std::collections::BTreeMap;

/// The RNG stream of this job's tables.
const STREAM: u64 = 31;
/// The roster tables kept from the nation.
const ROSTER: [&str; 5] = [
    "institutions",
    "classes",
    "students",
    "contacts",
    "contact_details",
];
const SUBTESTS: [&str; 3] = ["math", "verbal", "figural"];
/// Raw scores of a subtest: 0–60, mean 30, sd 8.
const MAX_RAW: i64 = 60;
/// The number of authorities with tracks (at most).
const AUTHORITIES: usize = 60;

fn chance(rng: &mut SynthRng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

fn texts(d: &DataFrame, name: &str) -> Result<Vec<String>, String> {
    let c = d.column(name).map_err(|e| e.to_string())?;
    let c = c.str().map_err(|e| format!("{name}: {e}"))?;
    Ok(c.iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

fn ints(d: &DataFrame, name: &str) -> Result<Vec<i64>, String> {
    let c = d.column(name).map_err(|e| e.to_string())?;
    let c = c.i64().map_err(|e| format!("{name}: {e}"))?;
    Ok(c.iter().map(|v| v.unwrap_or_default()).collect())
}

/// The normal CDF, for the published norm table (reading only: the table's percentiles are
/// written with one decimal and read exactly).
fn phi(z: f64) -> f64 {
    // Abramowitz–Stegun 7.1.26 on erf.
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    0.5 * (1.0 + if x >= 0.0 { y } else { -y })
}

/// One open track.
struct TrackRow {
    id: String,
    institution: String,
    authority: String,
    grade: i64,
    n_classes: i64,
    first_year: i64,
    boys: i64,
    girls: i64,
    boarding: bool,
    zones: Option<String>,
}

pub fn generate(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let nation = super::generate(cfg)?;
    let mut kept: BTreeMap<&'static str, DataFrame> = BTreeMap::new();
    for t in nation {
        if ROSTER.contains(&t.name) {
            kept.insert(t.name, t.df);
        }
    }
    let inst = kept.get("institutions").ok_or("no institutions")?;
    let st = kept.get("students").ok_or("no students")?;
    let year = cfg.school_year;
    let (inst_id, inst_auth, inst_stage, inst_sup) = (
        texts(inst, "institution_id")?,
        texts(inst, "authority_id")?,
        texts(inst, "stage")?,
        texts(inst, "supervision")?,
    );
    // Tracks: in about 60 authorities with a secondary school, grades 7 and 10.
    let mut by_authority: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..inst_id.len() {
        // Gifted classes run in schools under the ministry's supervision (official and
        // recognized ones), not in unrecognized or exempt ones.
        let supervised = matches!(inst_sup[i].as_str(), "official" | "recognized_unofficial");
        if inst_stage[i] != "elementary" && supervised {
            by_authority.entry(&inst_auth[i]).or_default().push(i);
        }
    }
    let zones_of = |_: &str| ["north", "south"];
    let mut tracks: Vec<TrackRow> = Vec::new();
    let mut rng = rng_for(cfg.seed, STREAM, 0);
    // About 60 authorities: all of them in a small nation, else a seeded sample of 60.
    let mut chosen: Vec<(u64, &str, Vec<usize>)> = by_authority
        .into_iter()
        .map(|(a, v)| (rng.gen::<u64>(), a, v))
        .collect();
    chosen.sort();
    chosen.truncate(AUTHORITIES);
    chosen.sort_by(|a, b| a.1.cmp(b.1));
    let chosen: Vec<(&str, Vec<usize>)> = chosen.into_iter().map(|(_, a, v)| (a, v)).collect();
    for (k, (authority, schools)) in chosen.iter().enumerate() {
        let mut r = rng_for(cfg.seed, STREAM, 1_000 + k as u64);
        let two = schools.len() >= 2 && chance(&mut r, 0.15);
        for (j, &school) in schools.iter().take(if two { 2 } else { 1 }).enumerate() {
            for grade in [7, 10] {
                let n_classes = if chance(&mut r, 0.3) { 2 } else { 1 };
                // Some tracks (about one in seven) have their first round this year.
                let first_year = if (2 * k + j + grade as usize).is_multiple_of(7) {
                    year
                } else {
                    year - r.gen_range(1..8)
                };
                let continuing = if first_year == year {
                    0
                } else {
                    r.gen_range(0..(n_classes * 24))
                };
                let boys = r.gen_range(0..=continuing);
                tracks.push(TrackRow {
                    id: format!("S{}G{grade}", inst_id[school]),
                    institution: inst_id[school].clone(),
                    authority: (*authority).to_string(),
                    grade,
                    n_classes,
                    first_year,
                    boys,
                    girls: continuing - boys,
                    boarding: k % 12 == 5,
                    zones: two.then(|| zones_of(authority)[j].to_string()),
                });
            }
        }
    }
    // Applicants: a few percent of grades 6–10; the testers include some who did not apply.
    let (ids, grades, auths) = (
        texts(st, "student_id")?,
        ints(st, "grade")?,
        texts(st, "residence_authority_id")?,
    );
    let mut local: BTreeMap<(&str, i64), Vec<usize>> = BTreeMap::new();
    for (t, tr) in tracks.iter().enumerate() {
        local
            .entry((tr.authority.as_str(), tr.grade))
            .or_default()
            .push(t);
    }
    let boarding: Vec<usize> = (0..tracks.len()).filter(|&t| tracks[t].boarding).collect();
    let entry_tracks: BTreeMap<i64, Vec<usize>> =
        tracks
            .iter()
            .enumerate()
            .fold(BTreeMap::new(), |mut m, (t, tr)| {
                m.entry(tr.grade).or_insert_with(Vec::new).push(t);
                m
            });
    let mut app = (Vec::new(), Vec::new(), Vec::new());
    let mut sc = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut hist = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut assess = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut iv = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ids.len() {
        let g = grades[i];
        let mut r = rng_for(cfg.seed, STREAM, 10_000 + i as u64);
        // Enrichment-day students of grade 6 (§2.10.ג) and elementary graduates (§2.10.ב).
        let graduate = g == 6 && chance(&mut r, 0.03);
        if graduate || (g == 6 && chance(&mut r, 0.01)) {
            let program = if graduate && chance(&mut r, 0.4) {
                "gifted_class"
            } else {
                "enrichment_gifted"
            };
            for (y, gr) in [(year - 1, 5), (year, 6)] {
                if y == year - 1 && !graduate {
                    continue;
                }
                hist.0.push(ids[i].clone());
                hist.1.push(y);
                hist.2.push(gr);
                hist.3.push(program);
            }
        }
        if !(6..=10).contains(&g) {
            continue;
        }
        let applies = graduate || chance(&mut r, 0.03);
        let tests = (applies && chance(&mut r, 0.95)) || chance(&mut r, 0.005);
        // Applicants choose to sit the test: well above their year-group, graduates more so.
        let ability = normal(&mut r) + if graduate { 1.5 } else { 1.0 };
        if tests {
            let absent = chance(&mut r, 0.02);
            for (k, subtest) in SUBTESTS.iter().enumerate() {
                sc.0.push(ids[i].clone());
                sc.1.push(*subtest);
                if absent && k == 2 {
                    sc.2.push("absent");
                    sc.3.push(None);
                } else {
                    let x = 30.0 + 8.0 * (0.8 * ability + 0.6 * normal(&mut r));
                    sc.2.push("completed");
                    sc.3.push(Some((x.round() as i64).clamp(0, MAX_RAW)));
                }
                sc.4.push(if chance(&mut r, 0.02) {
                    "adapted"
                } else {
                    "regular"
                });
            }
        }
        if !applies {
            continue;
        }
        let home = local.get(&(auths[i].as_str(), g + 1));
        let requested = if chance(&mut r, 0.03) && !boarding.is_empty() {
            boarding
                .iter()
                .find(|&&t| tracks[t].grade == g + 1)
                .copied()
        } else if home.is_none() && chance(&mut r, 0.8) {
            entry_tracks
                .get(&(g + 1))
                .map(|v| v[r.gen_range(0..v.len())])
        } else {
            None
        };
        app.0.push(ids[i].clone());
        app.1.push(requested.map(|t| tracks[t].id.clone()));
        app.2.push(if g == 6 && chance(&mut r, 0.02) {
            Some(year - 11)
        } else {
            None
        });
        if graduate && chance(&mut r, 0.8) {
            assess.0.push(ids[i].clone());
            for v in [&mut assess.1, &mut assess.2, &mut assess.3] {
                v.push(r.gen_range(80..=100));
            }
        }
        // A second-wave run: most of the strongest applicants have had their interview; the
        // others are still to be invited.
        let track = requested.or_else(|| home.map(|v| v[0]));
        if let (Some(t), true) = (track, ability > 1.5 && chance(&mut r, 0.7)) {
            iv.0.push(ids[i].clone());
            iv.1.push(tracks[t].id.clone());
            let o = r.gen::<f64>();
            iv.2.push(if o < 0.8 {
                "passed"
            } else if o < 0.95 {
                "failed"
            } else {
                "no_show"
            });
        }
    }
    // The testing body's published norms: every (Y, grade) of the test, every raw score.
    let mut norms = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for grade in 6..=10 {
        for subtest in SUBTESTS {
            for raw in 0..=MAX_RAW {
                let mean = 28.0 + 0.5 * (grade - 6) as f64;
                let p = (1000.0 * phi((raw as f64 - mean) / 8.0)).round() / 10.0;
                norms.0.push(grade);
                norms.1.push(subtest);
                norms.2.push(raw);
                norms.3.push(p);
                norms.4.push(None::<&str>);
            }
        }
    }
    let n_norms = norms.0.len();
    let norm_tables = df(vec![
        int("school_year", vec![year; n_norms]),
        so("sector", norms.4),
        int("grade", norms.0),
        s("subtest", norms.1),
        int("raw_score", norms.2),
        Column::new("percentile".into(), norms.3),
    ])?;
    let n = tracks.len();
    let secondary_tracks = df(vec![
        s("track_id", tracks.iter().map(|t| t.id.as_str()).collect()),
        s(
            "institution_id",
            tracks.iter().map(|t| t.institution.as_str()).collect(),
        ),
        s(
            "authority_id",
            tracks.iter().map(|t| t.authority.as_str()).collect(),
        ),
        int("grade", tracks.iter().map(|t| t.grade).collect()),
        int("n_classes", tracks.iter().map(|t| t.n_classes).collect()),
        int_opt("capacity_per_class", vec![None; n]),
        int("first_year", tracks.iter().map(|t| t.first_year).collect()),
        int("continuing_boys", tracks.iter().map(|t| t.boys).collect()),
        int("continuing_girls", tracks.iter().map(|t| t.girls).collect()),
        int_opt("continuing_class1", vec![None; n]),
        int_opt("continuing_class2", vec![None; n]),
        Column::new(
            "boarding".into(),
            tracks.iter().map(|t| t.boarding).collect::<Vec<_>>(),
        ),
        so(
            "registration_zones",
            tracks.iter().map(|t| t.zones.clone()).collect(),
        ),
    ])?;
    let n_app = app.0.len();
    let applications = df(vec![
        s("student_id", app.0),
        int("school_year", vec![year; n_app]),
        so("requested_track_id", app.1),
        int_opt("identified_school_year", app.2),
    ])?;
    let n_sc = sc.0.len();
    let scores = df(vec![
        s("student_id", sc.0),
        int("school_year", vec![year; n_sc]),
        s("subtest", sc.1),
        s("status", sc.2),
        int_opt("raw_score", sc.3),
        s("session", sc.4),
    ])?;
    let history = df(vec![
        s("student_id", hist.0),
        int("school_year", hist.1),
        int("grade", hist.2),
        s("program", hist.3),
    ])?;
    let n_as = assess.0.len();
    let assessments = df(vec![
        s("student_id", assess.0),
        int("school_year", vec![year; n_as]),
        int("academic", assess.1),
        int("behavioral", assess.2),
        int("social", assess.3),
    ])?;
    let n_iv = iv.0.len();
    let interviews = df(vec![
        s("student_id", iv.0),
        s("track_id", iv.1),
        int("school_year", vec![year; n_iv]),
        s("outcome", iv.2),
    ])?;
    let mut out: Vec<SynthTable> = ROSTER
        .iter()
        .filter_map(|name| kept.remove(name).map(|df| SynthTable { name, df }))
        .collect();
    for (name, df) in [
        ("norm_tables", norm_tables),
        ("secondary_scores", scores),
        ("secondary_tracks", secondary_tracks),
        ("secondary_applications", applications),
        ("gifted_program_history", history),
        ("graduate_assessments", assessments),
        ("secondary_interviews", interviews),
    ] {
        out.push(SynthTable { name, df });
    }
    Ok(out)
}
