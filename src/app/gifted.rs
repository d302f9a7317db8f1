//! `itur run gifted-elementary` and `itur validate gifted-elementary`: wiring only. Which
//! tables each phase reads and running the phases are the job's (`jobs::gifted::phases`);
//! this resolves the settings, reads and checks the inputs, starts the writer and publishes.
use super::inputs;
use crate::cli::Phase;
use crate::error::Result;
use crate::jobs::gifted::phases::{all_tables, check_params, compute, phase_tables};
use crate::output::table::{Writer, Written};
use crate::output::OutputDir;
use crate::pipeline::gifted::GiftedElementary;
use crate::pipeline::PipelineSource;
use crate::table::read::find_table_file;
use std::path::Path;

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
    let mut rec = inputs::start_run("gifted-elementary", Some(phase_v.name()), src, &settings);
    rec.sections
        .add(Box::new(crate::report::gifted::Gifted::new(
            settings.thresholds.gifted.ratio(),
            settings.thresholds.excellent.ratio(),
            u64::from(settings.enrichment_group_capacity),
        )));
    let needs = phase_tables(phase_v, &settings);
    let params = check_params(&settings);
    let max_share = settings.max_reject_share;
    let mut inputs = inputs::load_checked(&mut rec, input, &needs, &params, max_share)?;
    // Outputs are written into a temporary directory while the phases compute; it replaces
    // `out_path` only once everything succeeded (and is removed otherwise).
    let writer = Writer::start(OutputDir::create_for(out_path, Some("run"))?);
    // The report's sections read each phase's frames as they go to the writer.
    let mut observed = Ok(());
    let sections = &mut rec.sections;
    let computed = compute(
        phase_v,
        &settings,
        &mut inputs,
        &mut rec.report,
        templates,
        &mut |mut job| {
            if let (Written::Tables(t), Ok(())) = (&mut job, &observed) {
                observed = sections.observe_tables(t);
            }
            writer.send(job)
        },
    );
    let computed = computed.and(observed);
    if let Err(e) = computed {
        drop(writer.finish());
        return Err(e);
    }
    let written = rec
        .report
        .steps
        .run("write outputs", || -> Result<OutputDir> {
            let mut out = writer.finish()?;
            crate::output::rejects::write(&mut out, &inputs)?;
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
