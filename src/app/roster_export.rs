//! `itur run roster-export`: authorization, the six files per owner (each owner folder
//! replaced atomically), and the append-only audit log (roster-export.md).
use super::frame::strs;
use super::inputs;
use super::record::RunRecord;
use crate::cli::{HeaderLang, RunArgs};
use crate::error::{Error, Result};
use crate::jobs::roster_export::{
    authorize, entitled_institutions, group_rows, Delegation, Grant, Owner, Refusal,
};
use crate::output::atomic::replace_file;
use crate::output::write::{table_files, Formats};
use crate::output::{guard, OutputDir, OutputFile};
use crate::pipeline::roster_export::RosterExport;
use crate::pipeline::PipelineSource;
use crate::rules::israeli_id;
use crate::table::rows::rows;
use crate::table::schema;
use crate::table::validate::{load_inputs, TableNeed};
use crate::table::InputSet;
use chrono::{NaiveDate, SecondsFormat, Utc};
use polars::prelude::*;
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The six files, in the order of the source.
pub const SIX: [&str; 6] = [
    "students",
    "contacts",
    "contact_details",
    "institutions",
    "classes",
    "tracks",
];

pub const NEEDS: [TableNeed; 8] = [
    TableNeed::new("owners", true),
    TableNeed::new("institutions", true),
    TableNeed::new("classes", true),
    TableNeed::new("students", true),
    TableNeed::new("tracks", true),
    TableNeed::new("contacts", true),
    TableNeed::new("contact_details", true),
    TableNeed::new("delegations", true),
];

enum Mode {
    One { owner: String, requester: String },
    AllApproved,
}

/// The append-only audit log (roster-export.md "Audit"): opened for append, one JSON line per
/// decision and per outcome, flushed to disk before the call returns, never rewritten.
struct Audit {
    path: PathBuf,
    /// Lines appended from the owners' threads go in one at a time.
    lock: std::sync::Mutex<()>,
}

impl Audit {
    fn append(&self, lines: &[serde_json::Value]) -> Result<()> {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let ctx = || format!("cannot append to the audit log {}", self.path.display());
        if let Some(parent) = self.path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(ctx(), e))?;
            }
        }
        let mut text = String::new();
        for l in lines {
            text.push_str(&l.to_string());
            text.push('\n');
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| Error::io(ctx(), e))?;
        f.write_all(text.as_bytes())
            .map_err(|e| Error::io(ctx(), e))?;
        f.sync_data().map_err(|e| Error::io(ctx(), e))
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `--as-of` labels the roster snapshot; it never changes who may export, and a date after
/// today is a usage error (roster-export.md "Who may export").
fn parse_as_of(s: Option<&str>, today: NaiveDate) -> Result<NaiveDate> {
    let Some(s) = s else { return Ok(today) };
    let d = crate::table::convert::parse_date(s)
        .ok_or_else(|| Error::Usage(format!("--as-of {s}: expected a date YYYY-MM-DD")))?;
    if d > today {
        return Err(Error::Usage(format!(
            "--as-of {d} is after today ({today}); --as-of labels the roster snapshot and cannot be in the future"
        )));
    }
    Ok(d)
}

/// Where the audit log may live: not a directory, not a file that is not an audit log, and
/// inside `--out` only directly (`DIR/<name>.jsonl`), so that it can never lie inside an owner
/// folder or take the name of the run's manifest or rejects (roster-export.md "Audit").
fn check_audit_path(log: &Path, out: &Path) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::Usage(format!(
            "--audit-log {}: {why}",
            log.display()
        )))
    };
    if log.is_dir() {
        return bad("is a directory; give the path of the log file");
    }
    let (log_r, out_r) = (guard::resolved(log), guard::resolved(out));
    if log_r.starts_with(&out_r) {
        let direct = log_r.parent() == Some(out_r.as_path());
        if !direct || log_r.extension().is_none_or(|e| e != "jsonl") {
            return bad(&format!(
                "an audit log inside --out {} must be a .jsonl file directly in it (e.g. audit.jsonl), never inside an owner folder or in place of an output",
                out.display()
            ));
        }
    }
    if log.metadata().is_ok_and(|m| m.len() > 0) && !guard::is_audit_log_file(log) {
        return bad("exists and is not an itur audit log (its first line is not an audit record); itur appends only to its own logs");
    }
    Ok(())
}

/// The owners, in owner_id order, and the delegations.
fn owners_of(inputs: &InputSet) -> Result<(Vec<Owner>, Vec<Delegation>)> {
    let table = |name: &str| {
        inputs
            .get(name)
            .ok_or_else(|| Error::Job(format!("{name} not read")))
    };
    let mut owners: Vec<Owner> = rows(table("owners")?)?;
    owners.sort_by(|a, b| a.owner_id.cmp(&b.owner_id));
    Ok((owners, rows(table("delegations")?)?))
}

/// An owner id becomes a folder name: it must be an identifier that names files (validation
/// already rejects any other owner row; this is the writer's own check).
fn folder_name(owner_id: &str) -> Result<&str> {
    if crate::rules::identifier::is_safe(owner_id) {
        Ok(owner_id)
    } else {
        Err(Error::Job(format!(
            "owner_id `{}` cannot name a folder (it must match {})",
            owner_id.escape_debug(),
            crate::rules::identifier::PATTERN
        )))
    }
}

/// Row positions of each table per exported owner (`owners[i]` ↔ `rows[table][i]`).
fn rows_per_owner(
    inputs: &InputSet,
    owners: &[&str],
    stages: &[String],
) -> Result<BTreeMap<&'static str, Vec<Vec<u32>>>> {
    let get = |t: &str| {
        inputs
            .get(t)
            .ok_or_else(|| Error::Job(format!("{t} not read")))
    };
    let index: HashMap<&str, u32> = owners
        .iter()
        .enumerate()
        .map(|(i, o)| (*o, i as u32))
        .collect();
    let inst = get("institutions")?;
    let triples: Vec<(&str, &str, &str)> = strs(inst, "institution_id")?
        .zip(strs(inst, "owner_id")?)
        .zip(strs(inst, "stage")?)
        .map(|((a, b), c)| {
            (
                a.unwrap_or_default(),
                b.unwrap_or_default(),
                c.unwrap_or_default(),
            )
        })
        .collect();
    let entitled = entitled_institutions(&triples, stages);
    let mut inst_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (owner, positions) in &entitled {
        if let Some(&o) = index.get(owner) {
            for &p in positions {
                inst_owner.insert(triples[p].0, vec![o]);
            }
        }
    }
    let n = owners.len();
    let mut out = BTreeMap::new();
    out.insert(
        "institutions",
        group_rows(strs(inst, "institution_id")?, &inst_owner, n),
    );
    out.insert(
        "classes",
        group_rows(strs(get("classes")?, "institution_id")?, &inst_owner, n),
    );
    out.insert(
        "tracks",
        group_rows(strs(get("tracks")?, "institution_id")?, &inst_owner, n),
    );
    let students = get("students")?;
    let st_groups = group_rows(strs(students, "institution_id")?, &inst_owner, n);
    let ids: Vec<Option<&str>> = strs(students, "student_id")?.collect();
    let mut student_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (o, rows) in st_groups.iter().enumerate() {
        for &r in rows {
            if let Some(id) = ids[r as usize] {
                student_owner.insert(id, vec![o as u32]);
            }
        }
    }
    out.insert("students", st_groups);
    let contacts = get("contacts")?;
    let c_groups = group_rows(strs(contacts, "student_id")?, &student_owner, n);
    // A contact's details go to every owner one of whose students they are a contact of.
    let cids: Vec<Option<&str>> = strs(contacts, "contact_id")?.collect();
    let mut contact_owner: HashMap<&str, Vec<u32>> = HashMap::new();
    for (o, rows) in c_groups.iter().enumerate() {
        for &r in rows {
            if let Some(id) = cids[r as usize] {
                let v = contact_owner.entry(id).or_default();
                if v.last() != Some(&(o as u32)) {
                    v.push(o as u32);
                }
            }
        }
    }
    out.insert("contacts", c_groups);
    out.insert(
        "contact_details",
        group_rows(
            strs(get("contact_details")?, "contact_id")?,
            &contact_owner,
            n,
        ),
    );
    Ok(out)
}

fn hebrew_headers(df: &mut DataFrame, table: &str) -> Result<()> {
    let Some(s) = schema::get(table) else {
        return Ok(());
    };
    for c in &s.columns {
        if df.column(&c.name).is_ok() {
            df.rename(&c.name, c.hebrew.as_str().into())
                .map_err(|e| Error::Job(format!("renaming {table}.{}: {e}", c.name)))?;
        }
    }
    Ok(())
}

struct Exported {
    files: Vec<OutputFile>,
    counts: BTreeMap<String, usize>,
}

#[allow(clippy::too_many_arguments)]
fn export_owner(
    out: &Path,
    owner: &Owner,
    inputs: &InputSet,
    rows: &BTreeMap<&'static str, Vec<Vec<u32>>>,
    i: usize,
    headers: HeaderLang,
    meta: &serde_json::Value,
) -> Result<Exported> {
    let mut dir = OutputDir::create(&out.join(folder_name(&owner.owner_id)?))?;
    let mut counts = BTreeMap::new();
    for table in SIX {
        let t = inputs
            .get(table)
            .ok_or_else(|| Error::Job(format!("{table} not read")))?;
        let idx = IdxCa::from_vec(
            "".into(),
            rows[table][i].iter().map(|&r| r as IdxSize).collect(),
        );
        let mut df =
            t.df.take(&idx)
                .map_err(|e| Error::Job(format!("{table}: {e}")))?;
        if headers == HeaderLang::He {
            hebrew_headers(&mut df, table)?;
        }
        counts.insert(table.to_string(), df.height());
        dir.write_all(table_files(table, &mut df, Formats::ParquetAndCsv)?)?;
    }
    let files = dir.files().to_vec();
    let manifest = json!({
        "owner_id": owner.owner_id,
        "owner_name": owner.name,
        "files": files,
        "counts": counts,
        "request": meta,
    });
    let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    text.push(b'\n');
    dir.write_bytes("manifest.json", &text, None)?;
    dir.commit()?;
    Ok(Exported { files, counts })
}

/// The request of the command line: one owner on request, or the scheduled run.
fn mode_of(a: &RunArgs) -> Result<Mode> {
    match (
        &a.export.owner,
        &a.export.requested_by,
        a.export.all_approved,
    ) {
        (_, _, true) => Ok(Mode::AllApproved),
        (Some(o), Some(p), false) => Ok(Mode::One {
            owner: o.clone(),
            // The requester's ID in its 9-digit form, as the owners' table holds it; a value
            // that is no Israeli ID is refused (and audited) as not authorized.
            requester: israeli_id::normalized(p).map_or_else(|_| p.clone(), |id| id.into_owned()),
        }),
        (Some(_), None, false) => Err(Error::Usage(
            "--owner needs --requested-by (the requester's Israeli ID)".into(),
        )),
        _ => Err(Error::Usage(
            "roster-export needs --owner OWNER_ID --requested-by ID, or --all-approved".into(),
        )),
    }
}

/// `--out` of roster-export is a folder of owner folders beside the audit log: new, empty, or
/// an earlier roster-export output. It is never replaced as a whole.
fn check_out_dir(out: &Path) -> Result<()> {
    guard::check_out(out)?;
    if !out.is_dir() {
        return if out.exists() {
            Err(Error::Usage(format!(
                "--out {} is not a directory",
                out.display()
            )))
        } else {
            Ok(())
        };
    }
    let empty = std::fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    let job = std::fs::read_to_string(out.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["job"].as_str().map(str::to_string));
    match job.as_deref() {
        _ if empty => Ok(()),
        Some("roster-export") => Ok(()),
        None if out.join("audit.jsonl").exists() && !out.join("manifest.json").exists() => Ok(()),
        _ => Err(Error::Usage(format!(
            "--out {} exists and is not a roster-export directory; choose a new or empty directory",
            out.display()
        ))),
    }
}

pub fn run(a: &RunArgs, src: &PipelineSource) -> Result<()> {
    let settings = RosterExport::from_source(src)?;
    let mode = mode_of(a)?;
    // Authorization is judged on the day of the run, never on `--as-of`.
    let today = Utc::now().date_naive();
    let as_of = parse_as_of(a.export.as_of.as_deref(), today)?;
    let out = a.out.clone();
    check_out_dir(&out)?;
    let audit_path = a
        .export
        .audit_log
        .clone()
        .unwrap_or_else(|| out.join("audit.jsonl"));
    check_audit_path(&audit_path, &out)?;
    let audit = Audit {
        path: audit_path,
        lock: std::sync::Mutex::new(()),
    };
    let (mode_name, requester) = match &mode {
        Mode::One { requester, .. } => ("on_request", requester.clone()),
        Mode::AllApproved => ("all_approved", settings.service_account.clone()),
    };
    let mut rec = RunRecord::start("roster-export", "run", None);
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let run_id = rec.run_id.clone();
    let audit_line = |owner: &str| {
        json!({"time": now(), "run_id": run_id, "owner": owner, "requester": requester,
               "mode": mode_name, "as_of": as_of.to_string(), "today": today.to_string()})
    };

    let loaded = rec.steps.run("read and validate inputs", || {
        load_inputs(&a.input, &NEEDS, &BTreeMap::new())
    });
    let inputs = match loaded
        .and_then(|i| inputs::check_reject_share(&i, settings.max_reject_share).map(|_| i))
    {
        Ok(i) => i,
        Err(e) => {
            let owner = match &mode {
                Mode::One { owner, .. } => owner.as_str(),
                Mode::AllApproved => "*",
            };
            let mut line = audit_line(owner);
            line["decision"] = json!("failed");
            line["reason"] = json!(e.to_string());
            if let Err(audit_error) = audit.append(&[line]) {
                tracing::error!("{audit_error}");
            }
            return Err(e);
        }
    };
    rec.reconciliation = inputs::reconcile(&inputs);
    rec.inputs = inputs::input_entries(&inputs);
    rec.warnings = inputs.warnings.clone();
    let (owners, delegations) = owners_of(&inputs)?;

    // Who is exported, and as what.
    let mut grants: Vec<(&Owner, Grant)> = Vec::new();
    match &mode {
        Mode::One { owner, requester } => {
            let o = owners.iter().find(|x| &x.owner_id == owner);
            match (o, authorize(o, requester, today, &delegations)) {
                (Some(o), Ok(g)) => grants.push((o, g)),
                (_, refused) => {
                    let refusal = refused.err().unwrap_or(Refusal::UnknownOwner);
                    let message = refusal.message(owner, requester, today);
                    let mut line = audit_line(owner);
                    line["decision"] = json!("refused");
                    line["rule"] = json!(refusal.rule());
                    line["reason"] = json!(message);
                    // A refusal exits 3 whether or not its record could be written; a failed
                    // record is said first.
                    if let Err(audit_error) = audit.append(&[line]) {
                        tracing::error!("{audit_error}; the refusal below is not recorded");
                    }
                    return Err(Error::Refused(format!("export refused: {message}")));
                }
            }
        }
        Mode::AllApproved => {
            for o in owners
                .iter()
                .filter(|o| o.commitment_in_force(today).is_ok())
            {
                grants.push((o, Grant::ServiceAccount));
            }
        }
    }
    let ids: Vec<&str> = grants.iter().map(|(o, _)| o.owner_id.as_str()).collect();
    let rows = rec.steps.run("select rows per owner", || {
        rows_per_owner(&inputs, &ids, &settings.export_stages)
    })?;
    // The scheduled run skips approved owners with no institution of the exported stages.
    let selected: Vec<usize> = (0..grants.len())
        .filter(|&i| matches!(mode, Mode::One { .. }) || !rows["institutions"][i].is_empty())
        .collect();

    // No audit, no export: every decision is on disk before any of the request's data.
    let decisions: Vec<serde_json::Value> = selected
        .iter()
        .map(|&i| {
            let (owner, grant) = &grants[i];
            let mut line = audit_line(&owner.owner_id);
            line["decision"] = json!("allowed");
            line["grant"] = json!(grant.as_str());
            line
        })
        .collect();
    audit.append(&decisions)?;

    write_rejects(&out, &inputs)?;
    let exported: Vec<Result<Exported>> = rec.steps.run("write owner folders", || {
        selected
            .par_iter()
            .map(|&i| {
                let (owner, grant) = &grants[i];
                let meta = json!({
                    "requested_by": requester, "grant": grant.as_str(), "mode": mode_name,
                    "as_of": as_of.to_string(), "run_id": run_id,
                    "headers": if a.export.headers == HeaderLang::He { "he" } else { "en" },
                });
                let done = export_owner(&out, owner, &inputs, &rows, i, a.export.headers, &meta);
                // The outcome follows as soon as the owner's folder is in place (or failed).
                let mut line = audit_line(&owner.owner_id);
                match &done {
                    Ok(x) => {
                        line["outcome"] = json!("completed");
                        line["files"] = json!(x.files.iter().map(|f| json!({"path": format!("{}/{}", owner.owner_id, f.path), "rows": f.rows, "sha256": f.sha256})).collect::<Vec<_>>());
                        line["rows"] = json!(x.counts);
                    }
                    Err(e) => {
                        line["outcome"] = json!("failed");
                        line["reason"] = json!(e.to_string());
                    }
                }
                audit.append(&[line])?;
                done
            })
            .collect()
    });
    let mut first_error = None;
    let mut n_files = 0usize;
    let mut all_files = Vec::new();
    for (&i, r) in selected.iter().zip(exported) {
        let (owner, _) = &grants[i];
        match r {
            Ok(x) => {
                n_files += x.files.len();
                all_files.extend(x.files.iter().map(|f| OutputFile {
                    path: format!("{}/{}", owner.owner_id, f.path),
                    ..f.clone()
                }));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut counts = BTreeMap::new();
    counts.insert("owners_total".to_string(), owners.len() as i64);
    counts.insert("owners_exported".to_string(), selected.len() as i64);
    counts.insert(
        "owners_skipped_no_secondary".to_string(),
        (grants.len() - selected.len()) as i64,
    );
    counts.insert("files_written".to_string(), n_files as i64);
    rec.reconciliation.insert("roster_export".into(), counts);
    tracing::info!(
        owners = selected.len(),
        files = n_files,
        "exported {} owners ({n_files} files)",
        selected.len()
    );
    write_run_manifest(&out, rec, &all_files)
}

/// `<out>/rejects.parquet` and `.csv`: the input rows this run could not use.
fn write_rejects(out: &Path, inputs: &InputSet) -> Result<()> {
    let mut df = inputs::rejects_frame(&inputs.rejects)?;
    for (name, bytes, _) in table_files("rejects", &mut df, Formats::ParquetAndCsv)? {
        replace_file(&out.join(name), &bytes)?;
    }
    Ok(())
}

/// `<out>/manifest.json` of the run, replaced atomically (the owner folders have their own).
fn write_run_manifest(out: &Path, rec: RunRecord, files: &[OutputFile]) -> Result<()> {
    let manifest = rec.manifest(files, 0, None);
    replace_file(&out.join("manifest.json"), &manifest.to_json())
}
