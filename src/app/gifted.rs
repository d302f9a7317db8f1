//! `itur run gifted-elementary` and `itur validate gifted-elementary`: wiring only. Which
//! tables each phase reads and running the phases are the job's (`jobs::gifted::phases`);
//! this resolves the settings, reads and checks the inputs, starts the writer and publishes.
use super::inputs;
use crate::cli::Phase;
use crate::error::Result;
use crate::jobs::gifted::phases::{
    all_tables, check_params, compute, phase_tables, ADDRESSEES, READ_FOR,
};
use crate::jobs::letters::inputs::addressees;
use crate::pipeline::gifted::GiftedElementary;
use crate::pipeline::PipelineSource;
use std::path::Path;

pub fn run(
    src: &PipelineSource,
    input: &Path,
    out_path: &Path,
    phase_v: Phase,
    templates: Option<&Path>,
) -> Result<()> {
    let settings = GiftedElementary::from_source(src)?;
    let _heap = crate::memory::HeapReuse::unless_letters(input);
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
    let select = addressees(ADDRESSEES, READ_FOR);
    let mut inputs =
        inputs::load_checked_selecting(&mut rec, input, &needs, &params, max_share, Some(&select))?;
    // Outputs are written into a temporary directory while the phases compute; it replaces
    // `out_path` only once everything succeeded (and is removed otherwise).
    inputs::compute_and_publish(
        rec,
        out_path,
        &mut inputs,
        max_share,
        |inputs, report, emit| compute(phase_v, &settings, inputs, report, templates, emit),
    )
}

/// `itur validate gifted-elementary`: every table of the job (roster required), `contacts` and
/// `contact_details` read for the letters' addressees as a run reads them.
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
        Some(&addressees(ADDRESSEES, READ_FOR)),
    )
}
