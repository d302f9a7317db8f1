//! Job `gifted-secondary` (gifted.md §5; standing order 0207 §2.9–§2.12, §3, §4): one year's
//! admission to the gifted classes of secondary schools (grades 7–11). Pure functions: no
//! file and no clock; `app::gifted_secondary` reads the tables and writes the outputs.
//!
//! It shares, not copies, what `gifted-elementary` has: the roster pass, norms and exact
//! percentiles, composites and categories (`jobs::gifted::identification`), the lottery
//! (`rules::lottery`), the wave walk, balanced quotas and two-class dealing
//! (`jobs::gifted::waves`), exclusions and confirmed placements.
//!
//! The steps, in the order of the spec:
//! 1. [`read`] — the typed rows, rejects (`capacity_over_limit`, `continuing_mismatch`,
//!    `track_unknown`, `class_no_out_of_range`) and exclusions (`other_school_year`) (§5.1).
//! 2. [`scoring`] — norms (published tables by default, empirical on demand) and categories
//!    (§5.2).
//! 3. [`paths`] — exempt students and graduates with their exact weighted score (§5.3).
//! 4. [`routing`] — which track an application is for (§5.4).
//! 5. [`candidates`] — each application's path or reason (§5.5), the ranking (§5.6).
//! 6. [`seats`], [`walk`] — seats with continuing and confirmed students, the balanced walk in
//!    two steps, final or provisional, the dealing to classes (§5.7, §5.8).
//! 7. [`classes`] — the two-class limit per institution and grade (§5.8).
//! 8. [`summary`] — `track_summary` (§5.9); [`continuation`] — `enrichment_continuation`
//!    (§5.10).
//! 9. [`outputs`] — the output tables.
pub mod admission;
pub mod candidates;
pub mod classes;
pub mod continuation;
pub mod inputs;
pub mod letters;
pub mod outputs;
pub mod paths;
pub mod read;
pub mod routing;
pub mod scoring;
pub mod seats;
pub mod summary;
pub mod walk;

use crate::error::{Error, Result};
use crate::jobs::gifted::norms::NormsParams;
use crate::jobs::gifted::phases::ROSTER;
use crate::jobs::gifted::placement::{Gender, GenderPolicy};
use crate::jobs::gifted::roster;
use crate::jobs::letters::Templates;
use crate::jobs::JobReport;
use crate::output::table::Written;
use crate::rules::fraction::Ratio;
use crate::table::validate::TableNeed;
use crate::table::InputSet;
use admission::Applicant;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The job's own tables besides the roster (gifted.md §5: `secondary_scores` needed, and
/// `norm_tables` in reference mode; the rest optional, absent meaning no rows).
const OWN: [(&str, bool); 8] = [
    ("secondary_scores", true),
    ("norm_tables", false),
    ("secondary_tracks", false),
    ("secondary_applications", false),
    ("secondary_interviews", false),
    ("graduate_assessments", false),
    ("gifted_program_history", false),
    ("confirmed_placements", false),
];

/// The tables whose students the job's letters go to (gifted.md §5.11): every tester has a
/// `secondary_scores` row and every candidate an application, so `contacts` and
/// `contact_details` are read only for the students these name (docs/inputs.md §5.1), and the
/// run checks it of every letter ([`crate::jobs::gifted::letters::addressed`]).
pub const ADDRESSEES: &[&str] = &["secondary_scores", "secondary_applications"];

/// What the manifest says `contacts` and `contact_details` were read for.
pub const READ_FOR: &str =
    "the letters' addressees: students named by secondary_scores and secondary_applications";

/// The tables the job reads; `reference` makes `norm_tables` required.
pub fn tables(reference: bool) -> Vec<TableNeed> {
    let mut v = ROSTER.to_vec();
    for (name, required) in OWN {
        v.push(TableNeed::new(
            name,
            required || (reference && name == "norm_tables"),
        ));
    }
    v
}

/// List parameters that table checks refer to.
pub fn check_params(params: &Params) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("subtests".to_string(), params.subtests.clone())])
}

/// The job's parameters, checked (`pipeline::gifted_secondary` builds them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub subtests: Vec<String>,
    pub test_grades: Vec<i64>,
    pub norms: NormsParams,
    pub group_by: Vec<&'static str>,
    pub class_capacity: i64,
    pub max_classes_per_grade: i64,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
    pub weight_test: Ratio,
    pub graduate_threshold: Ratio,
    pub identified_before: i64,
    pub applications_before: i64,
    pub enrichment_continuation_grade: i64,
    /// The letters' senders and dates (gifted.md §5.11).
    pub letters: letters::LetterSettings,
}

impl Default for Params {
    /// The defaults of gifted.md §5.
    fn default() -> Self {
        Params {
            subtests: ["math", "verbal", "figural"].map(String::from).to_vec(),
            test_grades: vec![6, 7, 8, 9, 10],
            norms: NormsParams {
                mode: crate::jobs::gifted::norms::NormsMode::Reference,
                population: crate::jobs::gifted::norms::NormPopulation::Tested,
                thresholds: Default::default(),
            },
            group_by: vec!["school_year", "grade"],
            class_capacity: 30,
            max_classes_per_grade: 2,
            gender_policy: GenderPolicy::Balanced,
            lottery_seed: "itur".into(),
            weight_test: Ratio::new(1, 2),
            graduate_threshold: Ratio::from_int(92),
            identified_before: 2017,
            applications_before: 2022,
            enrichment_continuation_grade: 6,
            letters: letters::LetterSettings {
                sender_he: crate::jobs::letters::LetterParams::DEFAULT_SENDER_HE.into(),
                sender_ar: crate::jobs::letters::LetterParams::DEFAULT_SENDER_AR.into(),
                inquiries_email: crate::jobs::letters::LetterParams::DEFAULT_INQUIRIES_EMAIL.into(),
                letter_date: crate::rules::date::school_date::SchoolDate::MonthDay {
                    month: 3,
                    day: 20,
                },
                response_by: None,
            },
        }
    }
}

/// The job on its checked inputs: its rejects and exclusions join `inputs`, its counts go to
/// `report.reconciliation` (`gifted_secondary`). With `templates`, and guardians in the
/// input, it writes the letters of §5.11.
pub fn run(
    params: &Params,
    inputs: &mut InputSet,
    templates: Option<Arc<Templates>>,
    report: &mut JobReport,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    let named = read::named_students(inputs)?;
    let roster = report
        .steps
        .run("roster", || roster::load(inputs, &named))?;
    drop(named);
    let year = read::school_year(&roster)?;
    // The job's tables are read and the scores normed side by side: neither reads the other.
    let tables: &InputSet = inputs;
    let (read, (scored, scoring)) = rayon::join(
        || read::read(params, tables, &roster, year),
        || {
            crate::steps::timed("norms and categories", false, || {
                scoring::score(params, tables, &roster)
            })
        },
    );
    let read = read?;
    report.steps.record(scoring);
    // §5.8: the class limit per institution and grade, before any placement (exit 2).
    let over = classes::check_classes_per_grade(&read.tracks, params.max_classes_per_grade);
    if !over.is_empty() {
        let list: Vec<String> = over.iter().map(ToString::to_string).collect();
        return Err(Error::config(
            "secondary_tracks",
            None,
            format!(
                "the tracks break the class limit (gifted.md §5.8): {}",
                list.join("; ")
            ),
        ));
    }
    let scored = scored?;
    // The norms' tables go to the writer as soon as they are made: it serializes them while
    // the admission is decided (the same files, in the same order).
    let scoring_tables =
        outputs::scoring_tables(&params.subtests, params.norms.mode, &roster, &scored.output)?;
    emit(Written::Tables(scoring_tables));
    let results: BTreeMap<&str, _> = scored
        .output
        .results
        .iter()
        .map(|r| (r.student_id.as_str(), (r.category, r.composite)))
        .collect();
    let mut applicants = Vec::with_capacity(read.applications.len());
    for a in &read.applications {
        let Some(st) = roster.student(&a.student_id) else {
            continue;
        };
        let gender = Gender::parse(&st.gender)
            .ok_or_else(|| Error::Job(format!("student {} has no gender", a.student_id)))?;
        applicants.push(Applicant {
            student_id: a.student_id.clone(),
            grade: st.grade,
            gender,
            sector: st.sector,
            participating: st.participating,
            residence_authority_id: st.residence_authority_id.to_string(),
            registration_zone: st.registration_zone.as_ref().map(|z| z.to_string()),
            requested_track_id: a.requested_track_id.clone(),
            identified_school_year: a.identified_school_year,
            result: results.get(a.student_id.as_str()).copied(),
        });
    }
    // §5.10's continuation is read from the roster and the history alone: beside the admission.
    let continues = || -> Vec<String> {
        roster
            .students
            .iter()
            .filter(|s| {
                let history: Vec<_> = read
                    .history
                    .get(s.student_id.as_str())
                    .map(|v| v.iter().collect())
                    .unwrap_or_default();
                continuation::continues(
                    params.enrichment_continuation_grade,
                    year,
                    s.grade,
                    s.participating,
                    &history,
                )
            })
            .map(|s| s.student_id.to_string())
            .collect()
    };
    let (admission, continuing) = rayon::join(
        || {
            report.steps.run("admission", || {
                admission::admit(params, year, &applicants, &read)
            })
        },
        continues,
    );

    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    counts.insert("results".into(), scored.output.results.len() as i64);
    counts.insert("applications".into(), admission.outcomes.len() as i64);
    for o in &admission.outcomes {
        let k = match (o.path, o.reason) {
            (Some(p), _) => format!("path_{}", p.as_str()),
            (None, Some(r)) => format!("reason_{}", r.as_str()),
            (None, None) => "undecided".into(),
        };
        *counts.entry(k).or_insert(0) += 1;
    }
    counts.insert("candidates".into(), admission.ranked.len() as i64);
    counts.insert("placements".into(), admission.placements.len() as i64);
    counts.insert("waitlist".into(), admission.waitlisted().count() as i64);
    counts.insert("enrichment_continuation".into(), continuing.len() as i64);
    report
        .reconciliation
        .insert("gifted_secondary".into(), counts);

    inputs.add_job_rejects(scoring::SCORES, scored.rejects.clone());
    inputs.add_exclusions(scoring::SCORES, scored.exclusions.clone());
    let read::Read {
        rejects,
        exclusions,
        ..
    } = &read;
    for (table, r) in rejects {
        inputs.add_job_rejects(table, r.clone());
    }
    for (table, e) in exclusions {
        inputs.add_exclusions(table, e.clone());
    }
    // gifted.md §5.7 (data-contract.md `confirmed_placements`): a final decision is never
    // dropped silently — any reject there stops the run (exit 4).
    crate::table::reject_share::check_no_rejects(inputs, "confirmed_placements")?;
    let tables = report.steps.run("outputs", || {
        outputs::tables(year, &roster, &admission, &continuing)
    })?;
    emit(Written::Tables(tables));
    if let Some(templates) = templates {
        write_letters(
            params, year, inputs, &roster, &read, &scored, &admission, templates, report, emit,
        )?;
    }
    Ok(())
}

/// gifted.md §5.11: the letters, or a warning when the input has no guardians to write to.
#[allow(clippy::too_many_arguments)]
fn write_letters(
    params: &Params,
    year: i64,
    inputs: &InputSet,
    roster: &roster::Roster,
    read: &read::Read,
    scored: &scoring::Scored,
    admission: &admission::Admission,
    templates: Arc<Templates>,
    report: &mut JobReport,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    use crate::jobs::gifted::letters as shared;
    if !shared::available(inputs) {
        report.warn(
            "gifted-secondary: no letters written: the input has no contacts or contact_details table"
                .into(),
        );
        return Ok(());
    }
    let p = params.letters.params(year)?;
    let schools: BTreeMap<(String, i64), String> = read
        .tracks
        .iter()
        .filter_map(|t| {
            let name = roster
                .institutions
                .get(t.institution_id.as_str())?
                .name
                .clone();
            Some(((t.track_id.clone(), t.grade), name))
        })
        .collect();
    let requests = letters::requests(&scored.output, admission, &schools);
    shared::addressed("gifted-secondary", inputs, &requests, ADDRESSEES)?;
    // The step shows its own progress (schools done), not a spinner.
    let (written, timing) = crate::steps::timed("letters", false, || {
        let mut out = shared::LettersWriter::new(emit, templates);
        out.phase("secondary", &p, inputs, roster, requests)?;
        out.finish(&mut report.reconciliation)
    });
    report.steps.record(timing);
    written
}

#[cfg(test)]
mod tests;
