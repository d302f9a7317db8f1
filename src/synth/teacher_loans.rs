//! The synthetic year of `teacher-loans` (`itur synth --job teacher-loans`): about 25 colleges
//! of education and their applicants (one per 120 students of the nation's scale, at least
//! 2,000: the national scale gives 20,000), every program of Table B, the ragav list and a
//! budget that runs out mid-list (the Pais line, and the regular maximum below its cap).
//! Seeded and deterministic: one RNG per applicant, so the same seed gives the same bytes.
use super::frames::{boolean, date, date_opt, df, int, int_opt, s, so};
use super::util::{days, pick, rng_for, weighted, Ids, SynthRng};
use super::{SynthConfig, SynthTable};
use polars::prelude::*;
use rand::Rng;

/// The RNG stream of this job's tables.
const STREAM: u64 = 21;

const N_COLLEGES: usize = 25;

const DISTRICTS: [&str; 6] = ["jerusalem", "tel_aviv", "center", "haifa", "north", "south"];

/// Program keys of Table B (pipelines/teacher-loans.toml) and `regular`, with their weights.
const PROGRAMS: [(&str, f64); 24] = [
    ("regular", 44.0),
    ("required_subjects", 16.0),
    ("ragav", 6.0),
    ("mteach", 8.0),
    ("retraining_math", 2.0),
    ("retraining_english", 2.0),
    ("retraining_sciences", 1.5),
    ("retraining_hebrew", 1.0),
    ("retraining_music", 0.7),
    ("retraining_bible", 0.8),
    ("engineers", 1.5),
    ("tzevet", 1.0),
    ("trump", 1.5),
    ("chemistry", 1.0),
    ("hitech", 1.5),
    ("midway", 1.5),
    ("weizmann_physics", 0.5),
    ("science_teachers_wage", 0.8),
    ("science_teachers_priority", 0.8),
    ("authority_math", 1.0),
    ("authority_english", 1.0),
    ("authority_hebrew", 0.7),
    ("nachshonim", 2.5),
    ("masters_graduates", 1.7),
];

/// Programs without a loan for continuing students: their applicants are new.
const NEW_ONLY: [&str; 15] = [
    "retraining_math",
    "retraining_english",
    "retraining_sciences",
    "retraining_hebrew",
    "retraining_music",
    "retraining_bible",
    "midway",
    "weizmann_physics",
    "science_teachers_wage",
    "science_teachers_priority",
    "authority_math",
    "authority_english",
    "authority_hebrew",
    "mteach",
    "engineers",
];

const TABLE_A: [i64; 16] = [
    62, 32, 87, 624, 81, 19, 937, 427, 635, 434, 637, 638, 83, 315, 89, 85,
];
const OTHER_CODES: [i64; 8] = [11, 14, 27, 45, 52, 70, 94, 120];

const MTEACH_SUBJECTS: [&str; 13] = [
    "math",
    "computer_science",
    "sciences",
    "chemistry",
    "physics",
    "biology",
    "environment",
    "english",
    "hebrew",
    "bible",
    "jewish_thought",
    "oral_torah",
    "other",
];

/// How many applicants a nation of `students` students has.
pub(super) fn applicants(students: usize) -> usize {
    (students / 120).max(2_000)
}

/// One applicant's row.
struct Row {
    id: String,
    college: usize,
    program: &'static str,
    mteach_subject: Option<&'static str>,
    track: &'static str,
    sector: &'static str,
    status: &'static str,
    service: &'static str,
    marital: &'static str,
    study_year: i64,
    age: i64,
    code: Option<i64>,
    score: Option<i64>,
    prior_loans: i64,
    service_months: i64,
    university: i64,
    yeshiva: i64,
    since_school: i64,
    siblings: i64,
    children: i64,
    hours: f64,
    average: Option<f64>,
    submitted: i32,
    appeal: Option<i32>,
    flags: [bool; 16],
}

fn chance(rng: &mut SynthRng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

fn applicant(seed: u64, i: usize, ids: &Ids) -> Row {
    let mut rng = rng_for(seed, STREAM, i as u64 + 1);
    let w: Vec<f64> = PROGRAMS.iter().map(|p| p.1).collect();
    let program = PROGRAMS[weighted(&mut rng, &w)].0;
    let college = weighted(&mut rng, &COLLEGE_WEIGHTS);
    let study_year = if NEW_ONLY.contains(&program) && program != "mteach" {
        1
    } else if program == "masters_graduates" {
        2 + i64::from(chance(&mut rng, 0.3))
    } else {
        1 + weighted(&mut rng, &[35.0, 25.0, 25.0, 15.0]) as i64
    };
    let sector = DISTRIBUTED_SECTORS[weighted(&mut rng, &[62.0, 14.0, 9.0, 15.0])];
    let haredi = sector == "haredi";
    let age = 19
        + rng.gen_range(0..8)
        + if program.starts_with("retraining") {
            10
        } else {
            0
        };
    let marital = if (age > 26 && chance(&mut rng, 0.6)) || chance(&mut rng, 0.15) {
        pick(&mut rng, &["married", "married", "divorced", "widowed"])
    } else {
        "single"
    };
    let code = match program {
        "required_subjects" if chance(&mut rng, 0.9) => Some(pick(&mut rng, &TABLE_A)),
        _ if chance(&mut rng, 0.3) => Some(pick(&mut rng, &TABLE_A)),
        _ if chance(&mut rng, 0.6) => Some(pick(&mut rng, &OTHER_CODES)),
        _ => None,
    };
    // Most haredi applicants show a bagrut instead of a score (§6.1); a few others have none.
    let no_score = (haredi && chance(&mut rng, 0.8)) || chance(&mut rng, 0.03);
    let score = (!no_score).then(|| {
        (590.0 + 45.0 * super::util::normal(&mut rng))
            .round()
            .clamp(300.0, 800.0) as i64
    });
    let low_hours = matches!(program, "mteach")
        || program.starts_with("retraining")
        || program.starts_with("authority");
    let hours = if low_hours {
        f64::from(rng.gen_range(28..42_u32)) / 2.0
    } else if chance(&mut rng, 0.08) {
        pick(&mut rng, &[20.0, 22.0, 23.0, 23.5])
    } else {
        f64::from(rng.gen_range(48..62_u32)) / 2.0
    };
    let average = low_hours.then(|| f64::from(rng.gen_range(700..980_u32)) / 10.0);
    let submitted = match weighted(&mut rng, &[90.0, 7.0, 3.0]) {
        0 => days(2019, 9, 1) + rng.gen_range(0..=91),
        1 => days(2019, 12, 2) + rng.gen_range(0..=124),
        _ => days(2020, 4, 5) + rng.gen_range(0..30),
    };
    let appeal = chance(&mut rng, 0.05).then(|| days(2020, 3, 1) + rng.gen_range(0..45));
    let service = DISTRIBUTED_SERVICE[weighted(&mut rng, &[30.0, 45.0, 18.0, 4.0, 3.0])];
    let service_months = match service {
        "military" | "national" => rng.gen_range(6..40),
        _ => 0,
    };
    let table_b = program != "regular";
    let flags = [
        chance(&mut rng, 0.93),                             // requests_loan
        chance(&mut rng, if table_b { 0.45 } else { 0.1 }), // requests_scholarship
        chance(&mut rng, 0.98),                             // israeli_citizen
        chance(&mut rng, 0.02),                             // tuition_funded_by_government
        chance(&mut rng, 0.02),                             // soldier_funded
        chance(&mut rng, 0.03),                             // split_studies
        chance(&mut rng, 0.03),                             // in_service_teacher
        chance(&mut rng, 0.95),                             // same_track
        chance(&mut rng, 0.05),                             // completion_studies
        chance(&mut rng, 0.4),                              // degree_in_subject
        chance(&mut rng, 0.7),                              // pais_conditions_met
        chance(&mut rng, 0.03),                             // other_pais_scholarship
        chance(&mut rng, 0.06),                             // new_immigrant
        chance(&mut rng, 0.85),                             // bagrut
        chance(&mut rng, 0.03),                             // orphan
        chance(&mut rng, 0.3),                              // lives_away_from_parents
    ];
    Row {
        id: ids.adult(i as u32 + 1),
        college,
        program,
        mteach_subject: (program == "mteach").then(|| pick(&mut rng, &MTEACH_SUBJECTS)),
        track: pick(
            &mut rng,
            &["elementary", "elementary", "secondary", "multi_age"],
        ),
        sector,
        status: DISTRIBUTED_STATUS[weighted(&mut rng, &[94.0, 2.0, 2.0, 2.0])],
        service,
        marital,
        study_year,
        age,
        code,
        score,
        prior_loans: if study_year > 1 {
            rng.gen_range(0..=study_year - 1)
        } else {
            0
        },
        service_months,
        university: if chance(&mut rng, 0.1) {
            rng.gen_range(1..4)
        } else {
            0
        },
        yeshiva: if haredi || chance(&mut rng, 0.05) {
            rng.gen_range(0..5)
        } else {
            0
        },
        since_school: rng.gen_range(0..8),
        siblings: rng.gen_range(0..7),
        children: if marital == "single" {
            0
        } else {
            rng.gen_range(0..6)
        },
        hours,
        average,
        submitted,
        appeal,
        flags,
    }
}

const DISTRIBUTED_SECTORS: [&str; 4] = ["general", "religious", "haredi", "arab"];
const DISTRIBUTED_SERVICE: [&str; 5] =
    ["none", "military", "national", "academic_reserve", "active"];
const DISTRIBUTED_STATUS: [&str; 4] = ["regular", "preparatory", "soldier_teacher", "from_abroad"];

/// Colleges differ in size: the first few are large.
const COLLEGE_WEIGHTS: [f64; N_COLLEGES] = [
    9.0, 8.0, 7.0, 6.5, 6.0, 5.5, 5.0, 4.5, 4.2, 4.0, 3.8, 3.5, 3.2, 3.0, 2.8, 2.6, 2.4, 2.2, 2.0,
    1.8, 1.6, 1.4, 1.2, 1.0, 0.8,
];

fn college_id(i: usize) -> String {
    format!("college_{:02}", i + 1)
}

fn colleges() -> Result<DataFrame, String> {
    let n = N_COLLEGES;
    df(vec![
        s("college_id", (0..n).map(college_id).collect()),
        s("name", (0..n).map(|i| format!("מכללה {}", i + 1)).collect()),
        s(
            "district",
            (0..n).map(|i| DISTRICTS[i % DISTRICTS.len()]).collect(),
        ),
        // The last two are not academic colleges of education; every fifth has the §A.2
        // arrangement for soldiers.
        boolean(
            "academic_college_of_education",
            (0..n).map(|i| i < n - 2).collect(),
        ),
        boolean("soldier_arrangement", (0..n).map(|i| i % 5 == 0).collect()),
    ])
}

fn applications(rows: &[Row]) -> Result<DataFrame, String> {
    let col = |f: fn(&Row) -> &'static str| rows.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&Row) -> i64| rows.iter().map(f).collect::<Vec<_>>();
    const FLAGS: [&str; 16] = [
        "requests_loan",
        "requests_scholarship",
        "israeli_citizen",
        "tuition_funded_by_government",
        "soldier_funded",
        "split_studies",
        "in_service_teacher",
        "same_track",
        "completion_studies",
        "degree_in_subject",
        "pais_conditions_met",
        "other_pais_scholarship",
        "new_immigrant",
        "bagrut",
        "orphan",
        "lives_away_from_parents",
    ];
    let mut cols = vec![
        s("applicant_id", rows.iter().map(|r| r.id.as_str()).collect()),
        s(
            "college_id",
            rows.iter().map(|r| college_id(r.college)).collect(),
        ),
        s("program", col(|r| r.program)),
        so(
            "mteach_subject",
            rows.iter().map(|r| r.mteach_subject).collect(),
        ),
        s("teaching_track", col(|r| r.track)),
        s("sector", col(|r| r.sector)),
        s("student_status", col(|r| r.status)),
        s("service_kind", col(|r| r.service)),
        s("marital_status", col(|r| r.marital)),
        int("study_year", num(|r| r.study_year)),
        int("age", num(|r| r.age)),
        int_opt("specialization_code", rows.iter().map(|r| r.code).collect()),
        int_opt("combined_score", rows.iter().map(|r| r.score).collect()),
        int("prior_loans", num(|r| r.prior_loans)),
        int("service_months", num(|r| r.service_months)),
        int("prior_university_years", num(|r| r.university)),
        int("prior_yeshiva_years", num(|r| r.yeshiva)),
        int("years_since_high_school", num(|r| r.since_school)),
        int("siblings", num(|r| r.siblings)),
        int("children", num(|r| r.children)),
        Column::new(
            "weekly_hours".into(),
            rows.iter().map(|r| r.hours).collect::<Vec<_>>(),
        ),
        Column::new(
            "degree_average".into(),
            rows.iter().map(|r| r.average).collect::<Vec<_>>(),
        ),
        date("submitted_on", rows.iter().map(|r| r.submitted).collect()),
        date_opt("appeal_filed_on", rows.iter().map(|r| r.appeal).collect()),
    ];
    for (k, name) in FLAGS.iter().enumerate() {
        cols.push(boolean(name, rows.iter().map(|r| r.flags[k]).collect()));
    }
    df(cols)
}

/// The year's tables: `colleges`, `loan_applications`, `ragav_list`, `budget`.
pub fn generate(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let n = applicants(cfg.students);
    let ids = Ids::new(cfg.seed);
    let rows: Vec<Row> = (0..n).map(|i| applicant(cfg.seed, i, &ids)).collect();
    // The ragav list: most ragav applicants, and a few others.
    let mut rng = rng_for(cfg.seed, STREAM, 0);
    let ragav: Vec<&str> = rows
        .iter()
        .filter(|r| chance(&mut rng, if r.program == "ragav" { 0.85 } else { 0.01 }))
        .map(|r| r.id.as_str())
        .collect();
    // Loans: enough for the preferred loans and regular loans below the 4,000 cap; Pais runs
    // out mid-list.
    let n = n as i64;
    let budget = df(vec![
        s("line", vec!["loans", "pais"]),
        int("amount", vec![n * 2_600, n * 400]),
    ])?;
    Ok(vec![
        SynthTable {
            name: "colleges",
            df: colleges()?,
        },
        SynthTable {
            name: "loan_applications",
            df: applications(&rows)?,
        },
        SynthTable {
            name: "ragav_list",
            df: df(vec![s("applicant_id", ragav)])?,
        },
        SynthTable {
            name: "budget",
            df: budget,
        },
    ])
}
