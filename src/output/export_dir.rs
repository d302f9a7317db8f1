//! The roster-export output directory (roster-export.md "Audit"; README "Security"): a folder
//! of owner folders beside the append-only audit log, and the log itself.
use crate::error::{Error, Result};
use crate::output::guard;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The append-only audit log (roster-export.md "Audit"): opened for append, one JSON line per
/// decision and per outcome, flushed to disk before the call returns, never rewritten.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    /// Lines appended from the owners' threads go in one at a time.
    lock: Mutex<()>,
}

impl AuditLog {
    /// The log at `path` (nothing is opened until the first append).
    pub fn new(path: PathBuf) -> AuditLog {
        AuditLog {
            path,
            lock: Mutex::new(()),
        }
    }

    /// Appends `lines`, one JSON object a line, and flushes them to disk (fsync).
    pub fn append(&self, lines: &[serde_json::Value]) -> Result<()> {
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

/// Where the audit log may live: not a directory, not a file that is not an audit log, and
/// inside `--out` only directly (`DIR/<name>.jsonl`), so that it can never lie inside an owner
/// folder or take the name of the run's manifest or rejects (roster-export.md "Audit").
pub fn check_audit_path(log: &Path, out: &Path) -> Result<()> {
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

/// `--out` of roster-export is a folder of owner folders beside the audit log: new, empty, or
/// an earlier roster-export output, and no other run is writing it (`output::lock`). It is
/// never replaced as a whole.
pub fn check_out_dir(out: &Path) -> Result<()> {
    guard::check_out(out)?;
    // One export at a time into one folder (its owner folders and its audit log).
    super::lock::hold(out)?;
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
