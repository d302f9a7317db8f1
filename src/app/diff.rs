//! `itur diff OUT_A OUT_B --out DIR`: wiring only (docs/diff.md). Opens the two runs'
//! outputs (refused, exit 2, without a manifest, when of different jobs, or when DIR is
//! inside either), reads and compares their tables (`crate::diff::runs`), renders `diff.html`
//! from the two runs' report sections (`crate::report::gifted`), and writes everything
//! through the output machinery: atomic output directory, dictionary, manifest.
use super::record::RunRecord;
use crate::cli::DiffArgs;
use crate::diff::runs::{compare, report_section, Made, Tables};
use crate::diff::{self, html, RunDir, KINDS};
use crate::error::{Error, Result};
use crate::output::manifest::InputEntry;
use crate::output::write::Formats;
use crate::output::OutputDir;
use crate::report::Section;
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(a: &DiffArgs) -> Result<()> {
    crate::report::set_lang(match a.report_lang {
        crate::cli::ReportLang::He => crate::report::Lang::He,
        crate::cli::ReportLang::En => crate::report::Lang::En,
    });
    crate::output::guard::check_out(&a.out)?;
    crate::output::xlsx::keep_scratch_beside(&a.out);
    check_apart(&a.out, &a.a, "OUT_A")?;
    check_apart(&a.out, &a.b, "OUT_B")?;
    let ra = diff::open(&a.a, "OUT_A")?;
    let rb = diff::open(&a.b, "OUT_B")?;
    diff::check_same_job(&ra, &rb)?;
    OutputDir::check_target(&a.out, Some("diff"))?;
    let mut rec = RunRecord::start(ra.job(), "diff", None);
    let read = rec.report.steps.run("read the runs", || -> Result<_> {
        Ok((Tables::read(&ra, "a")?, Tables::read(&rb, "b")?))
    });
    let (ta, tb) = read?;
    let mut inputs: Vec<InputEntry> = ta.inputs.iter().chain(&tb.inputs).cloned().collect();
    let made = rec
        .report
        .steps
        .run("compare", || compare(&ta, &tb, &[&rb, &ra], &mut inputs))?;
    let Made {
        changes,
        scores,
        who,
        warnings,
    } = made;
    for w in warnings {
        rec.report.warn(w);
    }
    let order: Vec<String> = KINDS.iter().map(|k| k.name.to_string()).collect();
    let summary = diff::summarize(&changes, &order, &who);
    let parameters = diff::differing_parameters(&ra.manifest, &rb.manifest);
    let min_cell = [&ra, &rb]
        .iter()
        .map(|r| diff::min_cell_of(r).unwrap_or(crate::report::DEFAULT_MIN_CELL))
        .max()
        .unwrap_or(crate::report::DEFAULT_MIN_CELL);
    let page = rec.report.steps.run("diff.html", || -> Result<Vec<u8>> {
        let words = crate::report::Words::of(crate::report::lang())?;
        let sections = |r: &RunDir, t: &Tables| -> Result<Vec<crate::report::SectionOut>> {
            let mut b = crate::report::Builder::new(words.clone(), min_cell);
            report_section(r, t, &who)?.render(&mut b)?;
            Ok(b.into_sections())
        };
        html::render(html::Page {
            job: ra.job(),
            lang: crate::report::lang(),
            min_cell,
            changes: &changes,
            order: &order,
            who: &who,
            parameters: &parameters,
            a: sections(&ra, &ta)?,
            b: sections(&rb, &tb)?,
        })
    })?;
    let mut counts = BTreeMap::new();
    counts.insert("changes".to_string(), changes.len() as i64);
    counts.insert("score_changes".to_string(), scores.len() as i64);
    counts.insert("parameters".to_string(), parameters.len() as i64);
    for k in &order {
        let n = changes.iter().filter(|c| c.kind == *k).count();
        counts.insert(format!("changes.{k}"), n as i64);
    }
    rec.report.reconciliation.insert("diff".into(), counts);
    rec.inputs = inputs;
    let out = rec
        .report
        .steps
        .run("write outputs", || -> Result<OutputDir> {
            use crate::output::rows::table;
            let mut out = OutputDir::create_for(&a.out, Some("diff"))?;
            let tables = [
                table("changes", &changes, Formats::ParquetAndCsv)?,
                table("summary", &summary, Formats::ParquetAndCsv)?,
                table("parameters", &parameters, Formats::ParquetAndCsv)?,
                table("confidential/score_changes", &scores, Formats::Parquet)?,
            ];
            for t in tables {
                out.write_all(t.files()?)?;
            }
            out.write_bytes("diff.html", &page, None)?;
            Ok(out)
        })?;
    rec.finish(out, 0, None)
}

/// Refuses an output directory that is, is inside, or holds a run compared: replacing it
/// would delete or change that run's files.
fn check_apart(out: &Path, run: &Path, which: &str) -> Result<()> {
    use crate::output::guard::resolved;
    let (o, r) = (resolved(out), resolved(run));
    if o.starts_with(&r) || r.starts_with(&o) {
        return Err(Error::Usage(format!(
            "--out {} is, is inside or holds {which} {}: choose a directory apart from the runs compared",
            out.display(),
            run.display()
        )));
    }
    Ok(())
}
