//! A synthetic committee year for `special-ed-baskets` (`itur synth --job special-ed-baskets`):
//! about 5% of the students referred, renewals heard November–January and first-time students
//! February to mid-May, and a few percent of each kind of violation planted exactly at its
//! boundary (invited 15 days before, the decision sent on day 15, referred on 1 April, one
//! hundredth of an hour below a level's minimum, a choice on day 15, a split 1.5 aide hours
//! off, a quorum missing one role, meetings a day out of season or window). One seeded ChaCha
//! stream: the same seed gives the same tables. Every column is written as its text (an empty
//! one as null); the reader converts it under the schema.
use super::SynthConfig;
use super::SynthTable;
use chrono::{Days, NaiveDate};
use polars::prelude::{Column, DataFrame};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A valid 9-digit Israeli ID from an 8-digit serial (the check digit completes it).
fn israeli_id(serial: u64) -> String {
    let body = format!("{:08}", serial % 100_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 };
            if d > 9 {
                d - 9
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Hundredths of an hour as a decimal text.
fn hours(hundredths: i64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Columns of text, one `Vec` per column.
struct Cols {
    names: &'static [&'static str],
    values: Vec<Vec<String>>,
}

impl Cols {
    fn new(names: &'static [&'static str]) -> Self {
        Cols {
            names,
            values: vec![Vec::new(); names.len()],
        }
    }

    fn push(&mut self, row: Vec<String>) {
        for (c, v) in self.values.iter_mut().zip(row) {
            c.push(v);
        }
    }

    fn frame(self) -> Result<DataFrame, String> {
        let cols: Vec<Column> = (self.names.iter().zip(self.values))
            .map(|(n, v)| {
                let v: Vec<Option<String>> = v
                    .into_iter()
                    .map(|s| (!s.is_empty()).then_some(s))
                    .collect();
                Column::new((*n).into(), v)
            })
            .collect();
        DataFrame::new_infer_height(cols).map_err(|e| e.to_string())
    }
}

const ROLES: [&str; 4] = [
    "chair",
    "authority_rep",
    "supervisor_special_ed",
    "psychologist",
];
const STAGES: [(&str, i64); 4] = [
    ("kindergarten", 43),
    ("elementary", 43),
    ("middle", 43),
    ("high", 54),
];
/// Level minimums in aide hours (the pipeline's defaults).
const MIN_AIDE: [i64; 4] = [0, 8, 16, 24];

/// The three input tables of `special-ed-baskets` for `cfg.students` enrolled students.
pub fn generate(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5bed_0003);
    let year = i32::try_from(cfg.school_year).map_err(|e| e.to_string())?;
    let day = |m: u32, d: u32| {
        NaiveDate::from_ymd_opt(if m >= 9 { year - 1 } else { year }, m, d)
            .ok_or_else(|| format!("school year {year} has no {m:02}-{d:02}"))
    };
    let (sep1, nov1, jan31, feb1, mar31, apr1, may15) = (
        day(9, 1)?,
        day(11, 1)?,
        day(1, 31)?,
        day(2, 1)?,
        day(3, 31)?,
        day(4, 1)?,
        day(5, 15)?,
    );
    let plus = |d: NaiveDate, n: i64| -> NaiveDate {
        if n >= 0 {
            d + Days::new(n as u64)
        } else {
            d - Days::new(n.unsigned_abs())
        }
    };
    let referred = (cfg.students / 20).max(1);
    let authorities = (cfg.students / 9_000).max(3);
    let institutions = (cfg.students / 400).max(6);
    let mut refs = Cols::new(&[
        "student_id",
        "school_year",
        "authority_id",
        "institution_id",
        "disability",
        "referred_on",
        "first_time",
        "diagnosis_in_progress_proof_on",
    ]);
    let mut meets = Cols::new(&[
        "meeting_id",
        "student_id",
        "school_year",
        "meeting_date",
        "invitation_sent_on",
        "decision_sent_on",
        "members_present",
        "exceptional",
    ]);
    let mut decs = Cols::new(&[
        "meeting_id",
        "eligible",
        "functioning_level",
        "basket_hours",
        "education_stage",
        "decision_received_on",
        "parents_choice",
        "parents_choice_on",
        "split_teaching",
        "split_therapy",
        "split_aide",
    ]);
    let plant = |rng: &mut ChaCha8Rng| rng.gen_bool(0.02);
    let sy = cfg.school_year.to_string();
    for i in 0..referred {
        let student = israeli_id(10_000_000 + (i as u64) * 7 + 3);
        let inst = rng.gen_range(0..institutions);
        let autism = rng.gen_bool(0.4);
        let first_time = rng.gen_bool(0.6);
        let mut proof = None;
        let referred_on = if plant(&mut rng) {
            apr1
        } else if rng.gen_bool(0.01) {
            proof = Some(mar31);
            plus(apr1, rng.gen_range(0..120))
        } else if first_time {
            plus(nov1, rng.gen_range(0..140))
        } else {
            plus(sep1, rng.gen_range(0..60))
        };
        refs.push(vec![
            student.clone(),
            sy.clone(),
            format!("A{:03}", inst % authorities),
            format!("{}", 100_000 + inst),
            if autism { "autism" } else { "other" }.into(),
            referred_on.to_string(),
            first_time.to_string(),
            proof.map(|p| p.to_string()).unwrap_or_default(),
        ]);
        let n_meetings = if rng.gen_bool(0.05) { 2 } else { 1 };
        for k in 0..n_meetings {
            let meeting_id = format!("M{i:07}-{k}");
            let date = match rng.gen_range(0..100) {
                0 => plus(nov1, -1),
                1 => plus(may15, 1),
                2 | 3 => {
                    if first_time {
                        jan31
                    } else {
                        feb1
                    }
                }
                _ if first_time => plus(feb1.max(referred_on), rng.gen_range(0..60)).min(may15),
                _ => plus(nov1.max(referred_on), rng.gen_range(0..80)).min(jan31),
            };
            let date = plus(date, k * 7);
            let invited = plus(
                date,
                -if plant(&mut rng) {
                    15
                } else {
                    rng.gen_range(16..30)
                },
            );
            let sent = match rng.gen_range(0..100) {
                0 => None,
                1 | 2 => Some(plus(date, 15)),
                _ => Some(plus(date, rng.gen_range(1..=14))),
            };
            let mut members: Vec<&str> = ROLES.to_vec();
            if plant(&mut rng) {
                members.remove(rng.gen_range(0..members.len()));
            }
            if rng.gen_bool(0.5) {
                members.push("parent_rep");
            }
            meets.push(vec![
                meeting_id.clone(),
                student.clone(),
                sy.clone(),
                date.to_string(),
                invited.to_string(),
                sent.map(|s| s.to_string()).unwrap_or_default(),
                members.join(";"),
                rng.gen_bool(0.01).to_string(),
            ]);
            if rng.gen_bool(0.03) {
                continue;
            }
            let eligible = if autism {
                !rng.gen_bool(0.01)
            } else {
                rng.gen_bool(0.9)
            };
            let level = rng.gen_range(1..=4usize);
            let (stage, rate_tenths) = STAGES[rng.gen_range(0..4)];
            // The least basket in hundredths meeting the level's minimum: min × 1000 / rate,
            // rounded up; a planted one is one hundredth below it.
            let min = MIN_AIDE[level - 1] * 1000;
            let least = (min + rate_tenths - 1) / rate_tenths;
            let basket = if autism && plant(&mut rng) && least > 0 {
                least - 1
            } else {
                least + rng.gen_range(0..800)
            };
            let received = sent.map(|s| plus(s, rng.gen_range(1..6)));
            let r = received.or(sent.map(|s| plus(s, 3)));
            let choice = [
                "integration",
                "integration",
                "integration",
                "special_class",
                "special_school",
                "",
            ][rng.gen_range(0..6)];
            let choice_on = match (choice, sent, r) {
                ("", _, _) | (_, None, _) | (_, _, None) => None,
                (_, Some(s), Some(r)) => Some(
                    plus(
                        r,
                        if plant(&mut rng) {
                            15
                        } else {
                            rng.gen_range(0..=14)
                        },
                    )
                    .max(s),
                ),
            };
            let choice = if choice_on.is_some() { choice } else { "" };
            let split = (eligible && choice == "integration" && rng.gen_bool(0.7)).then(|| {
                let teaching = basket / 4;
                // The rest as aide hours, to the hundredth below; planted 1.5 aide hours short.
                let aide =
                    (basket - teaching) * rate_tenths / 10 - if plant(&mut rng) { 150 } else { 0 };
                (teaching, aide.max(0))
            });
            let opt = |v: Option<String>| v.unwrap_or_default();
            decs.push(vec![
                meeting_id,
                eligible.to_string(),
                opt(eligible.then(|| level.to_string())),
                opt(eligible.then(|| hours(basket))),
                stage.into(),
                opt(received
                    .filter(|_| rng.gen_bool(0.5))
                    .map(|d| d.to_string())),
                choice.into(),
                opt(choice_on.map(|d| d.to_string())),
                opt(split.map(|(t, _)| hours(t))),
                String::new(),
                opt(split.map(|(_, a)| hours(a))),
            ]);
        }
    }
    Ok(vec![
        SynthTable {
            name: "committee_referrals",
            df: refs.frame()?,
        },
        SynthTable {
            name: "committee_meetings",
            df: meets.frame()?,
        },
        SynthTable {
            name: "committee_decisions",
            df: decs.frame()?,
        },
    ])
}
