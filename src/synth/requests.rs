//! Synthetic request years for `retest-review` and `special-sessions` (`itur synth --job …`):
//! the nation's roster (institutions, classes, students, contacts, contact_details) and the
//! families' requests of the year, each submitted by a legal guardian of the student.
//!
//! About 0.25% of the students of the retest grades ask for a retest (a few thousand in a
//! national year), as many report an absence, and as many have an accommodations decision;
//! a third of the immigrants and returning residents ask for a language-adapted test. The
//! boundary dates are planted on purpose: requests on 31 December and 1 January, previous tests
//! exactly ten months before the end of the testing period and one day later (and 30 April),
//! notices on day 7 and day 8 after the exam. One seeded ChaCha stream over the students in
//! order: the same seed gives the same tables.
use super::frames::{boolean, date_opt, df, int_opt, so};
use super::tables::{self, World};
use super::util::days;
use super::{world, SynthConfig, SynthTable};
use polars::prelude::DataFrame;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The roster tables every request job reads.
fn roster(w: &World) -> Result<Vec<SynthTable>, String> {
    type Build = fn(&World) -> Result<DataFrame, String>;
    let builders: [(&'static str, Build); 5] = [
        ("institutions", tables::institutions),
        ("classes", tables::classes),
        ("students", tables::students),
        ("contacts", tables::contacts),
        ("contact_details", tables::contact_details),
    ];
    builders
        .iter()
        .map(|(name, b)| {
            Ok(SynthTable {
                name,
                df: b(w).map_err(|e| format!("synth {name}: {e}"))?,
            })
        })
        .collect()
}

/// Each student's first legal guardian, as an ID.
fn guardians(w: &World) -> Vec<Option<String>> {
    let mut g: Vec<Option<u32>> = vec![None; w.students.len()];
    for f in &w.families {
        for c in f.contacts.iter().filter(|c| c.guardian) {
            let slot = &mut g[c.student as usize];
            if slot.is_none() {
                *slot = Some(c.adult);
            }
        }
    }
    g.into_iter().map(|a| a.map(|a| w.ids.adult(a))).collect()
}

/// The probability that gives about `share` of `n` students, and at least `min` of them.
fn rate(share: f64, min: f64, n: usize) -> f64 {
    (share.max(min / n.max(1) as f64)).min(1.0)
}

/// A day of `(y, m, d)` plus `k` days.
fn day(y: i32, m: u32, d: u32, k: i32) -> i32 {
    days(y, m, d) + k
}

/// Text columns of one table, filled row by row.
struct Rows {
    names: &'static [&'static str],
    cells: Vec<Vec<Option<String>>>,
}

impl Rows {
    fn new(names: &'static [&'static str]) -> Self {
        Rows {
            names,
            cells: vec![Vec::new(); names.len()],
        }
    }

    fn push(&mut self, row: Vec<Option<String>>) {
        for (c, v) in self.cells.iter_mut().zip(row) {
            c.push(v);
        }
    }

    /// The table, each column typed as `types` says: `s` text, `i` integer, `d` date
    /// (days), `b` boolean; missing cells are nulls (of `s`, `i` and `d`).
    fn table(self, name: &'static str, types: &str) -> Result<SynthTable, String> {
        let mut cols = Vec::new();
        for ((n, v), t) in self.names.iter().zip(self.cells).zip(types.chars()) {
            cols.push(match t {
                'i' => int_opt(n, v.iter().map(|x| x.as_ref().map(|_| num(x))).collect()),
                'd' => date_opt(
                    n,
                    v.iter()
                        .map(|x| x.as_ref().map(|_| num(x) as i32))
                        .collect(),
                ),
                'b' => boolean(n, v.iter().map(|x| x.as_deref() == Some("true")).collect()),
                _ => so(n, v),
            });
        }
        Ok(SynthTable {
            name,
            df: df(cols)?,
        })
    }
}

fn num(x: &Option<String>) -> i64 {
    x.as_deref()
        .and_then(|x| x.parse().ok())
        .unwrap_or_default()
}

fn some(x: impl ToString) -> Option<String> {
    Some(x.to_string())
}

/// `itur synth --job retest-review`: the roster, `retest_requests`, `retest_history`,
/// `absence_notices` and `gifted_program_history`.
pub fn retest_review(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let w = world(cfg)?;
    let mut out = roster(&w)?;
    let guardian = guardians(&w);
    let y = w.year as i32;
    let mut rng = ChaCha8Rng::seed_from_u64(w.seed ^ 0x005e_7e57_0001);
    let n = w.students.len();
    let p = rate(0.0025, 60.0, n * 7 / 12);
    let mut req = Rows::new(&[
        "student_id",
        "school_year",
        "stage",
        "submitted_on",
        "previous_test_date",
        "previous_composite_num",
        "previous_composite_den",
        "reasons",
        "submitted_by",
    ]);
    let mut hist = Rows::new(&[
        "student_id",
        "school_year",
        "stage",
        "retest_granted",
        "retest_taken",
    ]);
    let mut notice = Rows::new(&[
        "student_id",
        "school_year",
        "stage",
        "exam_date",
        "notified_on",
        "cause",
        "submitted_by",
    ]);
    let mut programs = Rows::new(&["student_id", "school_year", "grade", "program"]);
    const REASONS: [&str; 5] = [
        "illness",
        "family",
        "twin_accepted",
        "new_diagnosis",
        "other",
    ];
    for (k, st) in w.students.iter().enumerate() {
        let id = &w.student_ids[k];
        let Some(by) = &guardian[k] else { continue };
        let grade = i64::from(st.grade);
        let elementary = grade <= 6;
        let stage = if elementary {
            "elementary"
        } else {
            "secondary"
        };
        if (3..=10).contains(&grade) && grade != 6 && rng.gen_bool(p) {
            // Submitted September to early January; 31 December and 1 January planted.
            let submitted = match rng.gen_range(0..20) {
                0 => days(y - 1, 12, 31),
                1 => days(y, 1, 1),
                _ => day(y - 1, 9, 15, rng.gen_range(0..112)),
            };
            // The previous test: ten months before the period's end exactly, one day later,
            // 30 April, or a day of the previous testing period.
            let previous = match (elementary, rng.gen_range(0..10)) {
                (true, 0) => days(y - 1, 5, 31),
                (true, 1) => days(y - 1, 6, 1),
                (false, 0) => days(y - 1, 3, 31),
                (false, 1) => days(y - 1, 4, 1),
                (_, 2) => days(y - 1, 4, 30),
                (true, _) => day(y - 1, 1, 5, rng.gen_range(0..85)),
                (false, _) => day(y - 2, 10, 1, rng.gen_range(0..120)),
            };
            let composite = rng.gen_bool(0.7).then(|| rng.gen_range(8_000..10_000));
            let mut reasons: Vec<&str> = REASONS
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.2))
                .collect();
            reasons.dedup();
            req.push(vec![
                some(id),
                some(w.year),
                some(stage),
                some(submitted),
                some(previous),
                composite.map(|c: i64| c.to_string()),
                composite.map(|_| "100".to_string()),
                (!reasons.is_empty()).then(|| reasons.join(";")),
                some(by),
            ]);
            if rng.gen_bool(0.3) {
                let (granted, taken) = (rng.gen_bool(0.6), rng.gen_bool(0.7));
                hist.push(vec![
                    some(id),
                    some(w.year - rng.gen_range(1..3)),
                    some(stage),
                    some(granted),
                    some(granted && taken),
                ]);
            }
        }
        if (2..=10).contains(&grade) && grade != 6 && rng.gen_bool(p) {
            let exam = if elementary {
                day(y, 1, 10, rng.gen_range(0..70))
            } else {
                day(y - 1, 11, 1, rng.gen_range(0..85))
            };
            let after = match rng.gen_range(0..10) {
                0 => 7,
                1 => 8,
                _ => rng.gen_range(-5..14),
            };
            notice.push(vec![
                some(id),
                some(w.year),
                some(stage),
                some(exam),
                some(exam + after),
                some(if rng.gen_bool(0.85) {
                    "illness"
                } else {
                    "other"
                }),
                some(by),
            ]);
        }
        if grade >= 3 && rng.gen_bool(0.01) {
            let program = if elementary {
                ["gifted_class", "enrichment_gifted", "enrichment_excellent"][rng.gen_range(0..3)]
            } else {
                "secondary_class"
            };
            programs.push(vec![some(id), some(w.year), some(grade), some(program)]);
        }
    }
    out.push(req.table("retest_requests", "sisddiiss")?);
    out.push(hist.table("retest_history", "sisbb")?);
    out.push(notice.table("absence_notices", "sisddss")?);
    out.push(programs.table("gifted_program_history", "siis")?);
    Ok(out)
}

/// `itur synth --job special-sessions`: the roster, `accommodation_decisions` and
/// `language_test_requests`.
pub fn special_sessions(cfg: &SynthConfig) -> Result<Vec<SynthTable>, String> {
    let w = world(cfg)?;
    let mut out = roster(&w)?;
    let guardian = guardians(&w);
    let y = w.year as i32;
    let mut rng = ChaCha8Rng::seed_from_u64(w.seed ^ 0x5e55_1025_0002);
    let p = rate(0.0025, 80.0, w.students.len());
    let mut acc = Rows::new(&[
        "student_id",
        "school_year",
        "stage",
        "submitted_on",
        "decision",
        "accommodations",
        "exam_region_id",
        "submitted_by",
    ]);
    let mut lang = Rows::new(&[
        "student_id",
        "school_year",
        "stage",
        "language",
        "submitted_on",
        "foreign_school_recent",
        "submitted_by",
    ]);
    // (kind, share of approved decisions that grant it)
    const KINDS: [(&str, f64); 6] = [
        ("extended_time", 0.7),
        ("breaks", 0.4),
        ("enlarged_form", 0.15),
        ("aide", 0.1),
        ("separate_room", 0.04),
        ("other", 0.05),
    ];
    const LANGUAGES: [&str; 4] = ["easy_hebrew", "english", "french", "russian"];
    for (k, st) in w.students.iter().enumerate() {
        let id = &w.student_ids[k];
        let Some(by) = &guardian[k] else { continue };
        let grade = i64::from(st.grade);
        if !(2..=10).contains(&grade) || grade == 6 {
            continue;
        }
        let stage = if grade <= 6 {
            "elementary"
        } else {
            "secondary"
        };
        let submitted = |rng: &mut ChaCha8Rng| match rng.gen_range(0..20) {
            0 => days(y - 1, 12, 31),
            1 => days(y, 1, 1),
            _ => day(y - 1, 9, 10, rng.gen_range(0..120)),
        };
        if rng.gen_bool(p) {
            let approved = rng.gen_bool(0.8);
            let mut kinds: Vec<&str> = KINDS
                .iter()
                .filter(|(_, share)| rng.gen_bool(*share))
                .map(|(k, _)| *k)
                .collect();
            if approved && kinds.is_empty() {
                kinds.push("extended_time");
            }
            let on = submitted(&mut rng);
            acc.push(vec![
                some(id),
                some(w.year),
                some(stage),
                some(on),
                some(if approved { "approved" } else { "rejected" }),
                (!kinds.is_empty()).then(|| kinds.join(";")),
                None,
                some(by),
            ]);
        }
        let arrived = st.immigration.is_some() || st.years_abroad.is_some();
        if (arrived && rng.gen_bool(0.33)) || rng.gen_bool(p / 5.0) {
            let on = submitted(&mut rng);
            lang.push(vec![
                some(id),
                some(w.year),
                some(stage),
                some(LANGUAGES[rng.gen_range(0..LANGUAGES.len())]),
                some(on),
                some(!arrived && rng.gen_bool(0.5)),
                some(by),
            ]);
        }
    }
    out.push(acc.table("accommodation_decisions", "sisdssss")?);
    out.push(lang.table("language_test_requests", "sissdbs")?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_year_has_requests_of_every_kind_and_is_the_same_for_a_seed() {
        let cfg = SynthConfig {
            students: SynthConfig::SMALL,
            seed: 7,
            school_year: 2027,
        };
        let a = retest_review(&cfg).unwrap();
        let names: Vec<&str> = a.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "institutions",
                "classes",
                "students",
                "contacts",
                "contact_details",
                "retest_requests",
                "retest_history",
                "absence_notices",
                "gifted_program_history"
            ]
        );
        assert!(a[5].df.height() >= 30, "{}", a[5].df.height());
        assert!(a[7].df.height() >= 30, "{}", a[7].df.height());
        let b = retest_review(&cfg).unwrap();
        assert!(a[5].df.equals_missing(&b[5].df));
        let s = special_sessions(&cfg).unwrap();
        assert!(s[5].df.height() >= 40, "{}", s[5].df.height());
        assert!(s[6].df.height() > 0);
    }
}
