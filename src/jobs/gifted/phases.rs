//! `gifted-elementary` as one run: which tables each phase reads, which phases run, and
//! running them in order — screening and identification side by side, placement after —
//! handing each phase's tables on as soon as they are made, the letters' last.
use super::identification::phase as identification;
use super::letters;
use super::placement::phase as placement;
use super::roster;
use super::school_folder;
use super::screening::phase as screening;
use crate::error::{Error, Result};
use crate::jobs::letters::{LetterRequest, Templates};
use crate::jobs::JobReport;
use crate::output::manifest::PhaseEntry;
use crate::output::table::{OutputTable, Written};
use crate::pipeline::gifted::{GiftedElementary, NormsMode};
use crate::steps::timed;
use crate::table::validate::TableNeed;
use crate::table::InputSet;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::cli::Phase;

const fn need(name: &'static str, required: bool) -> TableNeed {
    TableNeed::new(name, required)
}

/// The roster tables every phase reads. Without contacts and their details no letter can be
/// addressed: a run writes its tables and warns that it wrote no letters. The two are
/// reference tables: gifted-elementary reads them only for its letters' addressees
/// ([`ADDRESSEES`]).
pub const ROSTER: &[TableNeed] = &[
    need("institutions", true),
    need("classes", true),
    // Birth and immigration dates and years abroad are only validated.
    need("students", true).coded().keeping(roster::COLUMNS),
    need("contacts", false).reference(),
    need("contact_details", false).reference(),
];

/// The tables whose students a gifted-elementary letter can go to: every letter request of a
/// phase names a student of one of them (screening: the stage A scores and referrals;
/// identification: the stage B scores and referrals; placement: the results, class requests,
/// interviews and confirmed placements), and `contacts` and `contact_details` are read only
/// for those students (docs/inputs.md §5.1). Each phase checks it of every request (`addressed`).
pub const ADDRESSEES: &[&str] = &[
    "stage_a_scores",
    "referrals",
    "stage_b_scores",
    "results",
    "class_requests",
    "interviews",
    "confirmed_placements",
];

/// What the manifest says `contacts` and `contact_details` were read for.
pub const READ_FOR: &str = "the letters' addressees: students named by the phases' tables";

/// Every table of the job, the roster required and the rest optional (for `validate`).
pub fn all_tables() -> Vec<TableNeed> {
    let mut v = vec![
        need("institutions", true),
        need("classes", true),
        need("students", true),
        need("contacts", true).reference(),
        need("contact_details", true).reference(),
    ];
    for t in [
        "stage_a_scores",
        "referrals",
        "stage_b_scores",
        "norm_tables",
        "gifted_tracks",
        "enrichment_centers",
        "class_requests",
        "interviews",
        "confirmed_placements",
        "results",
    ] {
        v.push(need(t, false));
    }
    v
}

/// The tables a phase reads. `all` reads every table and runs the phases whose inputs are there.
pub fn phase_tables(phase: Phase, s: &GiftedElementary) -> Vec<TableNeed> {
    let mut v = ROSTER.to_vec();
    let reference = s.norms.mode == NormsMode::Reference;
    match phase {
        Phase::Screening => v.extend([need("stage_a_scores", true), need("referrals", false)]),
        Phase::Identification => {
            v.extend([need("stage_b_scores", true), need("norm_tables", reference)])
        }
        Phase::Placement => v.extend([
            need("results", true),
            need("gifted_tracks", true),
            need("enrichment_centers", true),
            need("class_requests", false),
            need("interviews", false),
            need("confirmed_placements", false),
        ]),
        Phase::All => v.extend(all_tables().into_iter().filter(|t| !t.required)),
    }
    v
}

/// List parameters that table checks refer to.
pub fn check_params(s: &GiftedElementary) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("subtests".to_string(), s.subtests.clone())])
}

/// Renders and writes one phase's letters as a step (with progress in schools rather than a
/// spinner); without contacts, a warning in the manifest.
fn phase_letters_of(
    phase: &'static str,
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &roster::Roster,
    requests: Vec<LetterRequest>,
    out: &mut letters::LettersWriter,
    report: &mut JobReport,
) -> Result<()> {
    let (written, timing) = crate::steps::timed(&format!("{phase} letters"), false, || {
        if !letters::available(inputs) {
            return Ok(false);
        }
        let dates = s
            .letters
            .of_phase(phase)
            .ok_or_else(|| Error::Job(format!("no letter dates for phase `{phase}`")))?;
        let p = s.letters.params(phase, dates, roster.school_year())?;
        letters::addressed(phase, inputs, &requests, ADDRESSEES)?;
        out.phase(phase, &p, inputs, roster, requests)
    });
    report.steps.record(timing);
    if !written? {
        report.warn(format!(
            "{phase}: no letters written: the input has no contacts or contact_details table"
        ));
    }
    Ok(())
}

/// The letter requests `f` lists, when letters are `wanted`; none otherwise.
fn when(
    wanted: bool,
    f: impl FnOnce() -> Result<Vec<LetterRequest>>,
) -> Result<Vec<LetterRequest>> {
    if wanted {
        f()
    } else {
        Ok(Vec::new())
    }
}

/// The phases' students as the report counts them (`report/students`): ID, gender, sector,
/// district and grade. Read by the report only, never written.
fn report_students(roster: &roster::Roster) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{Column, DataFrame};
    let st = &roster.students;
    let text = |name: &str, f: &dyn for<'a> Fn(&'a roster::Student) -> &'a str| {
        Column::new(name.into(), st.iter().map(f).collect::<Vec<&str>>())
    };
    let region = |s: &roster::Student| -> String { roster.institution(s).region_id.clone() };
    let regions: Vec<String> = st.iter().map(region).collect();
    DataFrame::new(
        st.len(),
        vec![
            text("student_id", &|s| s.student_id.as_str()),
            text("gender", &|s| s.gender.as_str()),
            text("sector", &|s| s.sector.as_str()),
            Column::new("region_id".into(), regions),
            Column::new(
                "grade".into(),
                st.iter().map(|s| s.grade).collect::<Vec<i64>>(),
            ),
        ],
    )
    .map_err(|e| Error::Job(format!("report/students: {e}")))
}

/// Whether a phase runs, and why not when it does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhasePlan {
    pub phase: Phase,
    pub skipped: Option<String>,
}

/// Which phases `phase` runs, given which input tables are present (`has`): a named phase
/// runs (a missing table of its own is an error when it is loaded); `all` runs screening when
/// `stage_a_scores` is present, identification when `stage_b_scores` is, and placement when
/// `gifted_tracks` is and identification runs (its results pass in memory) or `results` is
/// given. Each phase `all` skips says which table it lacked.
pub fn plan_phases(phase: Phase, has: impl Fn(&str) -> bool) -> [PhasePlan; 3] {
    let absent = |t: &str| format!("its input `{t}` is absent");
    let pick = |p: Phase, why_not: Option<String>| PhasePlan {
        phase: p,
        skipped: match phase {
            Phase::All => why_not,
            named if named == p => None,
            _ => Some(format!("the run is of phase {}", phase.name())),
        },
    };
    let screening = pick(
        Phase::Screening,
        (!has("stage_a_scores")).then(|| absent("stage_a_scores")),
    );
    let identification = pick(
        Phase::Identification,
        (!has("stage_b_scores")).then(|| absent("stage_b_scores")),
    );
    let placement_why_not = if !has("gifted_tracks") {
        Some(absent("gifted_tracks"))
    } else if identification.skipped.is_some() && !has("results") {
        Some("neither identification ran nor is `results` given".to_string())
    } else {
        None
    };
    let placement = pick(Phase::Placement, placement_why_not);
    [screening, identification, placement]
}

/// Runs the phases `phase` selects whose inputs are present, in order, handing each phase's
/// tables to `emit` as soon as it has made them (the letters' tables last).
pub fn compute(
    phase: Phase,
    s: &GiftedElementary,
    inputs: &mut InputSet,
    report: &mut JobReport,
    templates_dir: Option<&Path>,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    let templates = std::sync::Arc::new(Templates::load(templates_dir)?);
    // What each phase asks to be written to whom, rendered once the phases are done.
    // (Without guardians there is no one to write to: the requests are not even listed.)
    let mut letter_requests: Vec<(&'static str, Vec<LetterRequest>)> = Vec::new();
    let letters_wanted = letters::available(inputs);
    let plan = plan_phases(phase, |t| inputs.get(t).is_some());
    let [run_screening, run_identification, run_placement] =
        std::array::from_fn(|i| plan[i].skipped.is_none());
    if !run_screening && !run_identification && !run_placement {
        return Err(Error::Usage(
            "no phase of gifted-elementary has its inputs: screening needs stage_a_scores, identification needs stage_b_scores, placement needs results and gifted_tracks".into(),
        ));
    }
    for p in &plan {
        if let (Some(reason), Phase::All) = (&p.skipped, phase) {
            report.warn(format!("phase {} skipped: {reason}", p.phase.name()));
        }
    }
    report.phases = plan
        .iter()
        .filter(|p| phase == Phase::All || p.phase == phase)
        .map(|p| PhaseEntry {
            phase: p.phase.name().into(),
            status: if p.skipped.is_some() {
                "skipped"
            } else {
                "ran"
            }
            .into(),
            reason: p.skipped.clone(),
        })
        .collect();
    // One pass over the roster for every phase: the students named by the phases' tables,
    // each with the stage A row screening reads for it, so that screening needs no lookup of
    // its own.
    let named = roster::named_students(inputs)?;
    let roster = report
        .steps
        .run("roster", || roster::load(inputs, &named))?;
    drop(named);
    // The phases need only the students the roster holds now.
    inputs.release("students");
    // For the run's report: where each of the phases' students is counted.
    emit(Written::Tables(vec![OutputTable::for_report(
        "report/students",
        report_students(&roster)?,
    )]));
    report
        .reconciliation
        .insert("participation".into(), roster.participation.clone());
    // The schools' folders are made while the phases compute: those of the students the
    // phases list (screening: those with a stage A row; identification alone: those with
    // stage B rows). A folder that gets no list is removed before the output is committed.
    if run_screening || run_identification {
        let listed = |st: &roster::Student| match run_screening {
            true => st.stage_a_row.is_some(),
            false => true,
        };
        // A few thousand schools among ~10⁵ students: distinct by hash, then sorted.
        let folders: foldhash::HashSet<&str> = roster
            .students
            .iter()
            .filter(|st| st.participating && listed(st))
            .map(|st| st.institution_id.as_str())
            .collect();
        let mut folders: Vec<&str> = folders.into_iter().collect();
        folders.sort_unstable();
        emit(Written::Folders(
            folders.into_iter().map(school_folder).collect(),
        ));
    }
    // Screening and identification read only the roster and their own tables: when both
    // run, identification computes on a thread of its own beside screening. Screening's
    // tables are handed on first, as soon as it is done; each phase's timing is its own.
    let both = run_screening && run_identification;
    let (screened, identified) = {
        let (inputs, roster) = (&*inputs, &roster);
        std::thread::scope(|scope| {
            let identify = move || {
                let mut recon = BTreeMap::new();
                let (r, timing) = timed("identification", !both, || {
                    identification::run(s, inputs, roster, &mut recon)
                });
                (r, timing, recon)
            };
            let thread = both.then(|| scope.spawn(identify));
            let screened = run_screening.then(|| {
                let mut recon = BTreeMap::new();
                let (mut r, timing) = timed("screening", !both, || {
                    screening::run(s, inputs, roster, &mut recon)
                });
                if let Ok((_, tables, _)) = &mut r {
                    emit(Written::Tables(std::mem::take(tables)));
                }
                (r, timing, recon)
            });
            let identified = match thread {
                Some(t) => Some(t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
                None => run_identification.then(identify),
            };
            (screened, identified)
        })
    };
    if let Some((r, timing, recon)) = screened {
        report.steps.record(timing);
        report.reconciliation.extend(recon);
        let (sc, _, excluded) = r?;
        for (table, rows) in excluded {
            inputs.add_exclusions(table, rows);
        }
        letter_requests.push((
            "screening",
            when(letters_wanted, || screening::letter_requests(&sc))?,
        ));
    }
    let mut results = None;
    if let Some((r, timing, recon)) = identified {
        report.steps.record(timing);
        report.reconciliation.extend(recon);
        let (mut ident, t) = r?;
        inputs.add_job_rejects("stage_b_scores", std::mem::take(&mut ident.rejects));
        inputs.add_exclusions("stage_b_scores", std::mem::take(&mut ident.exclusions));
        emit(Written::Tables(t));
        letter_requests.push((
            "identification",
            when(letters_wanted, || identification::letter_requests(&ident))?,
        ));
        // Placement reads the results in memory (only when it runs).
        results = run_placement.then(|| {
            ident
                .output
                .results
                .iter()
                .map(placement::ResultRow::from)
                .collect()
        });
    }
    if run_placement {
        let results = match results {
            Some(r) => r,
            None => placement::results_from_table(inputs)?,
        };
        let (mut pl, t) = report.steps.run("placement", || {
            placement::run(s, inputs, &roster, results, &mut report.reconciliation)
        })?;
        inputs.add_exclusions("class_requests", std::mem::take(&mut pl.exclusions));
        let confirmed_excluded = std::mem::take(&mut pl.confirmed_excluded);
        inputs.add_exclusions("confirmed_placements", confirmed_excluded);
        for w in std::mem::take(&mut pl.warnings) {
            report.warn(w);
        }
        // gifted.md §4: a final decision is never dropped silently — any reject in
        // `confirmed_placements` stops the run (exit 4), whatever `max_reject_share` is.
        inputs.add_job_rejects(
            "confirmed_placements",
            std::mem::take(&mut pl.confirmed_rejects),
        );
        crate::table::reject_share::check_no_rejects(inputs, "confirmed_placements")?;
        emit(Written::Tables(t));
        letter_requests.push((
            "placement",
            when(letters_wanted, || placement::letter_requests(&pl, &roster))?,
        ));
    }
    // Each phase's letters, in the order of the phases, written as they are rendered.
    let mut out = letters::LettersWriter::new(emit, templates);
    for (phase, requests) in letter_requests {
        phase_letters_of(phase, s, inputs, &roster, requests, &mut out, report)?;
    }
    out.finish(&mut report.reconciliation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(phase: Phase, present: &[&str]) -> Vec<(&'static str, Option<String>)> {
        plan_phases(phase, |t| present.contains(&t))
            .into_iter()
            .map(|p| (p.phase.name(), p.skipped))
            .collect()
    }

    #[test]
    fn all_runs_each_phase_whose_inputs_are_present_and_says_why_not() {
        let every = ["stage_a_scores", "stage_b_scores", "gifted_tracks"];
        assert!(plan(Phase::All, &every).iter().all(|(_, s)| s.is_none()));
        // Placement without identification needs `results`.
        let p = plan(Phase::All, &["stage_a_scores", "gifted_tracks"]);
        assert_eq!(
            p[1].1.as_deref(),
            Some("its input `stage_b_scores` is absent")
        );
        assert_eq!(
            p[2].1.as_deref(),
            Some("neither identification ran nor is `results` given")
        );
        let p = plan(Phase::All, &["gifted_tracks", "results"]);
        assert_eq!(p[2].1, None);
        let p = plan(Phase::All, &["stage_b_scores"]);
        assert_eq!(
            p[2].1.as_deref(),
            Some("its input `gifted_tracks` is absent")
        );
    }

    #[test]
    fn a_named_phase_runs_alone_whatever_is_present() {
        let p = plan(Phase::Identification, &[]);
        assert_eq!(p[1].1, None);
        assert!(p[0].1.is_some() && p[2].1.is_some());
    }
}
