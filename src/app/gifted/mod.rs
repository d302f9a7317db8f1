//! `gifted-elementary`: which tables each phase reads, and running the phases.
pub mod identification;
pub mod letters;
pub mod placement;
pub mod screening;

/// The roster (`jobs::gifted::roster`), by the name the phases know it by.
pub use crate::jobs::gifted::roster;

use super::inputs;
use super::record::RunRecord;
use super::steps::timed;
use crate::error::{Error, Result};
use crate::jobs::letters::{LetterRequest, Templates};
use crate::output::manifest::PhaseEntry;
use crate::output::table::{Writer, Written};
use crate::output::OutputDir;
use crate::pipeline::gifted::{GiftedElementary, NormsMode};
use crate::pipeline::PipelineSource;
use crate::table::read::find_table_file;
use crate::table::validate::{load_inputs, TableNeed};
use crate::table::InputSet;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::cli::Phase;

const fn need(name: &'static str, required: bool) -> TableNeed {
    TableNeed::new(name, required)
}

/// The roster tables every phase reads. Without contacts and their details no letter can be
/// addressed: a run writes its tables and warns that it wrote no letters.
pub const ROSTER: &[TableNeed] = &[
    need("institutions", true),
    need("classes", true),
    // Birth and immigration dates and years abroad are only validated.
    need("students", true).coded().keeping(roster::COLUMNS),
    need("contacts", false),
    need("contact_details", false),
];

/// Every table of the job, the roster required and the rest optional (for `validate`).
pub fn all_tables() -> Vec<TableNeed> {
    let mut v = vec![
        need("institutions", true),
        need("classes", true),
        need("students", true),
        need("contacts", true),
        need("contact_details", true),
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
        ]),
        Phase::All => v.extend(all_tables().into_iter().filter(|t| !t.required)),
    }
    v
}

/// List parameters that table checks refer to.
pub fn check_params(s: &GiftedElementary) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("subtests".to_string(), s.subtests.clone())])
}

/// The folder of an institution's own lists (what is sent to the school).
pub fn school_folder(institution_id: &str) -> String {
    format!("schools/{institution_id}")
}

/// Renders one phase's letters as a step; without contacts, a warning in the manifest.
fn phase_letters_of(
    phase: &'static str,
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &roster::Roster,
    requests: impl FnOnce() -> Result<Vec<LetterRequest>>,
    templates: &Templates,
    rec: &mut RunRecord,
) -> Result<Option<letters::PhaseLettersOut>> {
    let l = rec.steps.run(&format!("{phase} letters"), || {
        // Without guardians there is no one to write to: the requests are not even listed.
        if !letters::available(inputs) {
            tracing::warn!(
                "{phase}: no letters written: the input has no contacts or contact_details"
            );
            return Ok(None);
        }
        let dates = s
            .letters
            .of_phase(phase)
            .ok_or_else(|| Error::Job(format!("no letter dates for phase `{phase}`")))?;
        letters::render(phase, s, dates, inputs, roster, requests()?, templates)
    })?;
    if l.is_none() {
        rec.warnings.push(format!(
            "{phase}: no letters written: the input has no contacts or contact_details table"
        ));
    }
    Ok(l)
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
    rec: &mut RunRecord,
    templates_dir: Option<&Path>,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    let templates = std::sync::Arc::new(Templates::load(templates_dir)?);
    let mut phase_letters = Vec::new();
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
            rec.warn(format!("phase {} skipped: {reason}", p.phase.name()));
        }
    }
    rec.phases = plan
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
    let roster = rec.steps.run("roster", || roster::load(inputs, &named))?;
    drop(named);
    // The phases need only the students the roster holds now.
    inputs.release("students");
    rec.reconciliation
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
                if let Ok((_, tables)) = &mut r {
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
        rec.steps.record(timing);
        rec.reconciliation.extend(recon);
        let (sc, _) = r?;
        let requests = || {
            sc.output
                .outcomes
                .iter()
                .map(|o| {
                    Ok(LetterRequest::new(
                        o.student_id.clone(),
                        letters::kind(o.outcome.letter_kind())?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
        };
        phase_letters.extend(phase_letters_of(
            "screening",
            s,
            inputs,
            &roster,
            requests,
            &templates,
            rec,
        )?);
    }
    let mut results = None;
    if let Some((r, timing, recon)) = identified {
        rec.steps.record(timing);
        rec.reconciliation.extend(recon);
        let (mut ident, t) = r?;
        inputs.add_job_rejects("stage_b_scores", std::mem::take(&mut ident.rejects));
        emit(Written::Tables(t));
        let requests = || {
            let mut requests = Vec::new();
            for r in &ident.output.results {
                if let Some(k) = r.category.letter_kind() {
                    requests.push(LetterRequest::new(r.student_id.clone(), letters::kind(k)?));
                }
            }
            Ok(requests)
        };
        phase_letters.extend(phase_letters_of(
            "identification",
            s,
            inputs,
            &roster,
            requests,
            &templates,
            rec,
        )?);
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
        let (pl, t) = rec.steps.run("placement", || {
            placement::run(s, inputs, &roster, results, &mut rec.reconciliation)
        })?;
        emit(Written::Tables(t));
        let requests = || placement::letter_requests(&pl, &roster);
        phase_letters.extend(phase_letters_of(
            "placement",
            s,
            inputs,
            &roster,
            requests,
            &templates,
            rec,
        )?);
    }
    emit(Written::Tables(letters::tables(
        phase_letters,
        &mut rec.reconciliation,
        templates.clone(),
    )?));
    Ok(())
}

pub fn run(
    src: &PipelineSource,
    input: &Path,
    out_path: &Path,
    phase_v: Phase,
    templates: Option<&Path>,
) -> Result<()> {
    let settings = GiftedElementary::from_source(src)?;
    // Heap reuse pays when the roster and the phases are the run's work; a run that writes
    // letters holds the letters table whole, and reusing freed blocks would keep ~200 MiB
    // more of it resident.
    let writes_letters = ["contacts", "contact_details"]
        .iter()
        .all(|t| matches!(find_table_file(input, t), Ok(Some(_))));
    let _heap = (!writes_letters).then(crate::app::heap::HeapReuse::enter);
    let mut rec = RunRecord::start("gifted-elementary", "run", Some(phase_v.name()));
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let needs = phase_tables(phase_v, &settings);
    let params = check_params(&settings);
    let mut inputs = rec.steps.run("read and validate inputs", || {
        load_inputs(input, &needs, &params)
    })?;
    rec.warnings.extend(inputs.warnings.iter().cloned());
    inputs::check_reject_share(&inputs, settings.max_reject_share)?;
    // Outputs are written into a temporary directory while the phases compute; it replaces
    // `out_path` only once everything succeeded (and is removed otherwise).
    let writer = Writer::start(OutputDir::create_for(out_path, Some("run"))?);
    let computed = compute(
        phase_v,
        &settings,
        &mut inputs,
        &mut rec,
        templates,
        &mut |job| writer.send(job),
    );
    if let Err(e) = computed {
        drop(writer.finish());
        return Err(e);
    }
    let written = rec.steps.run("write outputs", || -> Result<OutputDir> {
        let mut out = writer.finish()?;
        inputs::write_rejects(&mut out, &inputs)?;
        Ok(out)
    });
    // The phases' own rules may reject more rows (e.g. `grade_not_tested`).
    inputs::check_reject_share(&inputs, settings.max_reject_share)?;
    let out = written?;
    inputs::record(&mut rec, &inputs);
    rec.finish(out, 0, None)
}

/// `itur validate gifted-elementary`: every table of the job (roster required).
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = GiftedElementary::from_source(src)?;
    super::validate::validate_tables(
        "gifted-elementary",
        src,
        serde_json::to_value(&settings).unwrap_or_default(),
        input,
        out_path,
        &all_tables(),
        &check_params(&settings),
        settings.max_reject_share,
    )
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
