//! `itur run roster-export`: wiring only (roster-export.md). The request, authorization, row
//! selection and what each file holds are the job's (`jobs::roster_export`); this reads the
//! tables, writes each owner folder atomically and appends the audit log
//! (`output::export_dir`), on disk before any of the request's data.
use super::inputs;
use super::record::RunRecord;
use crate::cli::{HeaderLang, RunArgs};
use crate::error::{Error, Result};
use crate::jobs::roster_export::{self as job, AuditLines, ExportError, Grant, Owner, Request};
use crate::output::atomic::replace_file;
use crate::output::export_dir::{check_audit_path, check_out_dir, AuditLog};
use crate::output::write::{table_files, Formats};
use crate::output::{OutputDir, OutputFile};
use crate::pipeline::roster_export::RosterExport;
use crate::pipeline::PipelineSource;
use crate::table::rows::rows;
use crate::table::validate::load_inputs;
use crate::table::InputSet;
use chrono::{SecondsFormat, Utc};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The time of an audit line (UTC).
fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The job's errors as the command line's: a bad `--as-of` is a usage error.
fn cli_error(e: ExportError) -> Error {
    if e.is_usage() {
        Error::Usage(e.to_string())
    } else {
        Error::Job(e.to_string())
    }
}

/// The request of the command line: one owner on request, or the scheduled run.
fn request_of(a: &RunArgs) -> Result<Request> {
    let e = &a.export;
    match (&e.owner, &e.requested_by, e.all_approved) {
        (_, _, true) => Ok(Request::AllApproved),
        (Some(o), Some(p), false) => Ok(Request::on_request(o, p)),
        (Some(_), None, false) => Err(Error::Usage(
            "--owner needs --requested-by (the requester's Israeli ID)".into(),
        )),
        _ => Err(Error::Usage(
            "roster-export needs --owner OWNER_ID --requested-by ID, or --all-approved".into(),
        )),
    }
}

/// Writes `OUT/<owner_id>/` (the six files and the owner's manifest), replaced atomically.
fn export_owner(
    out: &Path,
    owner: &Owner,
    inputs: &InputSet,
    rows: &BTreeMap<&'static str, Vec<Vec<u32>>>,
    i: usize,
    hebrew: bool,
    request: &serde_json::Value,
) -> Result<(Vec<OutputFile>, BTreeMap<String, usize>)> {
    let folder = job::folder_name(&owner.owner_id).map_err(cli_error)?;
    let mut dir = OutputDir::create(&out.join(folder))?;
    let mut counts = BTreeMap::new();
    for name in job::SIX {
        let t = inputs.table(name)?;
        let df = job::owner_frame(name, &t.df, &rows[name][i], hebrew).map_err(cli_error)?;
        counts.insert(name.to_string(), df.height());
        dir.write_all(table_files(name, &df, Formats::ParquetAndCsvNoSheet)?)?;
    }
    let files = dir.files().to_vec();
    let manifest = job::owner_manifest(owner, &files, &counts, request);
    dir.write_bytes("manifest.json", &manifest, None)?;
    dir.commit()?;
    Ok((files, counts))
}

pub fn run(a: &RunArgs, src: &PipelineSource) -> Result<()> {
    let settings = RosterExport::from_source(src)?;
    let request = request_of(a)?;
    // Authorization is judged on the day of the run, never on `--as-of`.
    let today = Utc::now().date_naive();
    let as_of = job::as_of(a.export.as_of.as_deref(), today).map_err(cli_error)?;
    let out = a.out.clone();
    check_out_dir(&out)?;
    let audit_path = a.export.audit_log.clone();
    let audit_path = audit_path.unwrap_or_else(|| out.join("audit.jsonl"));
    check_audit_path(&audit_path, &out)?;
    let audit = AuditLog::new(audit_path);
    let mut rec = RunRecord::start("roster-export", "run", None);
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let run_id = rec.run_id.clone();
    let lines = AuditLines {
        run_id: &run_id,
        requester: request.requester(&settings.service_account),
        mode: request.mode(),
        as_of,
        today,
    };

    let loaded = rec.report.steps.run("read and validate inputs", || {
        load_inputs(super::run::one_input(a)?, &job::TABLES, &BTreeMap::new())
    });
    let checked =
        loaded.and_then(|i| inputs::check_reject_share(&i, settings.max_reject_share).map(|_| i));
    let inputs = match checked {
        Ok(i) => i,
        Err(e) => {
            let line = lines.failed(&now(), request.audited_owner(), &e.to_string());
            if let Err(audit_error) = audit.append(&[line]) {
                tracing::error!("{audit_error}");
            }
            return Err(e);
        }
    };
    rec.report.warnings = inputs.warnings.clone();
    inputs::record(&mut rec, &inputs);
    let mut owners: Vec<Owner> = rows(inputs.table("owners")?)?;
    owners.sort_by(|a, b| a.owner_id.cmp(&b.owner_id));
    let delegations: Vec<job::Delegation> = rows(inputs.table("delegations")?)?;

    // Who is exported, and as what.
    let grants: Vec<(&Owner, Grant)> = match job::grants(&request, &owners, &delegations, today) {
        Ok(g) => g,
        Err(refusal) => {
            let owner = request.audited_owner();
            let message = refusal.message(owner, lines.requester, today);
            // A refusal exits 3 whether or not its record could be written; a failed record
            // is said first.
            if let Err(audit_error) =
                audit.append(&[lines.refused(&now(), owner, &refusal, &message)])
            {
                tracing::error!("{audit_error}; the refusal below is not recorded");
            }
            return Err(Error::Refused(format!("export refused: {message}")));
        }
    };
    let ids: Vec<&str> = grants.iter().map(|(o, _)| o.owner_id.as_str()).collect();
    let rows = rec.report.steps.run("select rows per owner", || {
        job::select_rows(&inputs, &ids, &settings.export_stages)
    })?;
    let selected = job::exported(matches!(request, Request::One { .. }), &rows);

    // No audit, no export: every decision is on disk before any of the request's data.
    let decisions: Vec<serde_json::Value> = selected
        .iter()
        .map(|&i| lines.allowed(&now(), &grants[i].0.owner_id, &grants[i].1))
        .collect();
    audit.append(&decisions)?;

    write_rejects(&out, &inputs)?;
    let hebrew = a.headers == Some(HeaderLang::He);
    let exported: Vec<Result<_>> = rec.report.steps.run("write owner folders", || {
        selected
            .par_iter()
            .map(|&i| {
                let (owner, grant) = &grants[i];
                let meta = lines.request(grant, hebrew);
                let done = export_owner(&out, owner, &inputs, &rows, i, hebrew, &meta);
                // The outcome follows as soon as the owner's folder is in place (or failed).
                let line = match &done {
                    Ok((files, counts)) => {
                        let files: Vec<job::ExportedFile> = files
                            .iter()
                            .map(|f| job::ExportedFile {
                                path: &f.path,
                                rows: f.rows,
                                sha256: &f.sha256,
                            })
                            .collect();
                        lines.completed(&now(), &owner.owner_id, &files, counts)
                    }
                    Err(e) => lines.outcome_failed(&now(), &owner.owner_id, &e.to_string()),
                };
                audit.append(&[line])?;
                done
            })
            .collect()
    });
    let mut all_files = Vec::new();
    for (&i, r) in selected.iter().zip(exported) {
        let (files, _) = r?;
        let owner = &grants[i].0.owner_id;
        all_files.extend(files.iter().map(|f| OutputFile {
            path: format!("{owner}/{}", f.path),
            ..f.clone()
        }));
    }
    let n_files = all_files.len();
    let counts = BTreeMap::from([
        ("owners_total".to_string(), owners.len() as i64),
        ("owners_exported".to_string(), selected.len() as i64),
        (
            "owners_skipped_no_secondary".to_string(),
            (grants.len() - selected.len()) as i64,
        ),
        ("files_written".to_string(), n_files as i64),
    ]);
    rec.report
        .reconciliation
        .insert("roster_export".into(), counts);
    // The report: owners served and refused, rows per file (written beside the manifest).
    let mut section = crate::report::roster_export::RosterExport {
        owners_total: owners.len() as u64,
        owners_exported: selected.len() as u64,
        owners_skipped: (grants.len() - selected.len()) as u64,
        ..Default::default()
    };
    if matches!(request, Request::AllApproved) {
        for o in &owners {
            if let Err(refusal) = o.commitment_in_force(today) {
                *section
                    .refused
                    .entry(refusal.rule().to_string())
                    .or_default() += 1;
            }
        }
    }
    for f in &all_files {
        let Some(table) = f
            .path
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".parquet"))
        else {
            continue;
        };
        let e = section.files.entry(table.to_string()).or_default();
        e.0 += 1;
        e.1 += f.rows.unwrap_or(0) as u64;
    }
    rec.sections.add(Box::new(section));
    replace_file(&out.join(crate::report::FILE), &rec.report_html()?)?;
    tracing::info!(
        owners = selected.len(),
        files = n_files,
        "exported {} owners ({n_files} files)",
        selected.len()
    );
    let manifest = rec.manifest(&all_files, 0, None);
    replace_file(&out.join("manifest.json"), &manifest.to_json())
}

/// `<out>/rejects.parquet` and `.csv`: the input rows this run could not use.
fn write_rejects(out: &Path, inputs: &InputSet) -> Result<()> {
    let df = crate::output::rejects::frame(&inputs.rejects)?;
    for (name, bytes, _) in table_files("rejects", &df, Formats::ParquetAndCsv)? {
        replace_file(&out.join(name), &bytes)?;
    }
    Ok(())
}
