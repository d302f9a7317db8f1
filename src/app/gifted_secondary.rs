//! `itur run gifted-secondary` and `itur validate gifted-secondary`: wiring only. The rules
//! are the job's (`jobs::gifted_secondary`); this resolves the settings, reads and checks the
//! inputs, runs the job and publishes its tables.
use super::inputs;
use crate::error::Result;
use crate::jobs::gifted::norms::NormsMode;
use crate::jobs::gifted_secondary;
use crate::jobs::letters::inputs::addressees;
use crate::jobs::letters::Templates;
use crate::output::OutputDir;
use crate::pipeline::gifted_secondary::GiftedSecondary;
use crate::pipeline::PipelineSource;
use std::path::Path;

pub fn run(
    src: &PipelineSource,
    input: &Path,
    out_path: &Path,
    templates: Option<&Path>,
) -> Result<()> {
    let settings = GiftedSecondary::from_source(src)?;
    // Before any work: a run that could not replace --out is refused at once.
    OutputDir::check_target(out_path, Some("run"))?;
    let _heap = crate::memory::HeapReuse::unless_letters(input);
    let mut rec = inputs::start_run("gifted-secondary", None, src, &settings);
    let params = settings.params();
    let needs = gifted_secondary::tables(params.norms.mode == NormsMode::Reference);
    let checks = gifted_secondary::check_params(&params);
    let max_share = settings.max_reject_share;
    let select = addressees(gifted_secondary::ADDRESSEES, gifted_secondary::READ_FOR);
    let mut inputs =
        inputs::load_checked_selecting(&mut rec, input, &needs, &checks, max_share, Some(&select))?;
    let templates = std::sync::Arc::new(Templates::load(templates)?);
    // The job's own rules may reject more rows (e.g. `capacity_over_limit`).
    inputs::compute_and_publish(
        rec,
        out_path,
        &mut inputs,
        max_share,
        |inputs, report, emit| {
            gifted_secondary::run(&params, inputs, Some(templates), report, emit)
        },
    )
}

/// `itur validate gifted-secondary`: every table of the job.
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = GiftedSecondary::from_source(src)?;
    let params = settings.params();
    super::validate::validate_tables(
        "gifted-secondary",
        src,
        serde_json::to_value(&settings).unwrap_or_default(),
        input,
        out_path,
        &gifted_secondary::tables(params.norms.mode == NormsMode::Reference),
        &gifted_secondary::check_params(&params),
        settings.max_reject_share,
        Some(&addressees(
            gifted_secondary::ADDRESSEES,
            gifted_secondary::READ_FOR,
        )),
    )
}
